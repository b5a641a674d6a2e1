/* Fuzz the record layer alone (tlscore/record/record.h): plaintext records or TLS 1.3
 * protected records under fixed keys, fed in input-chosen chunks; handshake messages are
 * reassembled, and every record read is sealed again and must open to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: byte 0 mode, byte 1 chunking (0: all at once), then network bytes.
 * mode bits 0-1: 0 plaintext, 1 AES-128-GCM, 2 AES-256-GCM, 3 ChaCha20-Poly1305;
 * bit 2: 512-byte plaintext limit (record_size_limit); bit 3: 1024-byte
 * handshake message limit; bit 4: accept plaintext alerts. */
#define FZ_REC_SMALL_PLAIN 0x04
#define FZ_REC_SMALL_HS 0x08
#define FZ_REC_PLAIN_ALERTS 0x10

static const uint8_t fz_key[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static const uint8_t fz_iv[TC_AEAD_NONCE_LEN] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
                                                 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b};

static int fz_prot(tc_prot *p, unsigned mode) {
  static const tc_aead_alg algs[] = {TC_AEAD_NONE, TC_AEAD_AES128_GCM, TC_AEAD_AES256_GCM,
                                     TC_AEAD_CHACHA20_POLY1305};
  tc_aead_alg alg = algs[mode & 3];
  if (alg == TC_AEAD_NONE)
    return TC_OK;
  return tc_prot_init_tls13(p, alg, fz_key, tc_aead_key_len(alg), fz_iv);
}

/* Seal what was read with a fresh writer and open it with a fresh reader. */
static void fz_roundtrip(tc_rec *w, tc_rec *v, uint8_t type, const uint8_t *d, size_t len) {
  tc_error err;
  tc_error_clear(&err);
  if (tc_rec_write(w, type, d, len, &err) != TC_OK)
    abort();
  size_t olen;
  const uint8_t *o = tc_rec_output(w, &olen);
  size_t cap;
  uint8_t *in = tc_rec_input_buf(v, &cap, &err);
  if (!in || cap < olen)
    abort();
  memcpy(in, o, olen);
  tc_rec_input_ack(v, olen);
  tc_rec_output_ack(w, olen);
  uint8_t t2;
  uint8_t *d2;
  size_t l2;
  if (tc_rec_next(v, &t2, &d2, &l2, &err) != 1 || t2 != type || l2 != len ||
      (len && memcmp(d, d2, len) != 0))
    abort();
  if (tc_rec_next(v, &t2, &d2, &l2, &err) != 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  unsigned mode = data[0];
  uint32_t cst = data[1];
  data += 2;
  size -= 2;
  tc_error err;
  tc_error_clear(&err);
  tc_rec r, w, v;
  tc_rec_init(&r);
  tc_rec_init(&w);
  tc_rec_init(&v);
  if (fz_prot(&r.rd, mode) || fz_prot(&w.wr, mode) || fz_prot(&v.rd, mode))
    abort();
  if (mode & FZ_REC_SMALL_PLAIN)
    r.max_recv_plain = 512;
  if (mode & FZ_REC_SMALL_HS)
    r.hs_max = 1024;
  r.plain_alerts = (mode & FZ_REC_PLAIN_ALERTS) != 0;
  size_t pos = 0;
  bool failed = false;
  while (pos < size && !failed) {
    size_t k = size - pos;
    if (cst) {
      cst = cst * 1664525u + 1013904223u;
      size_t c = 1 + (cst >> 8) % 600;
      k = c < k ? c : k;
    }
    size_t cap;
    uint8_t *in = tc_rec_input_buf(&r, &cap, &err);
    if (!in)
      break;
    k = k < cap ? k : cap;
    memcpy(in, data + pos, k);
    tc_rec_input_ack(&r, k);
    pos += k;
    for (;;) {
      uint8_t type;
      uint8_t *d;
      size_t len;
      int e = tc_rec_next(&r, &type, &d, &len, &err);
      if (e == 0)
        break;
      if (e != 1) {
        if (err.code == TC_ERR_NONE)
          abort(); /* failures must say why */
        failed = true;
        break;
      }
      if (len > r.max_recv_plain)
        abort();
      fz_roundtrip(&w, &v, type, d, len);
      if (type != TC_CT_HANDSHAKE)
        continue;
      /* Read in place when nothing is pending (as the engine does). */
      if (tc_rec_hs_take(&r, d, len, &err) != TC_OK) {
        failed = true;
        break;
      }
      const uint8_t *m;
      size_t ml;
      while ((e = tc_rec_hs_peek(&r, &m, &ml, &err)) == 1) {
        size_t body = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
        if (ml != 4 + body || body > r.hs_max)
          abort();
        tc_rec_hs_consume(&r, ml);
      }
      if (e != 0) {
        failed = true;
        break;
      }
      /* Nothing may still point into the input once peek wants more. */
      if (r.hs_view_len)
        abort();
    }
    tc_rec_shrink(&r);
  }
  tc_rec_free(&r);
  tc_rec_free(&w);
  tc_rec_free(&v);
  return 0;
}
