/* libFuzzer target: TLS 1.2-and-older record protection (AEAD, CBC MtE/EtM, SSL 3.0, RC4) opening peer records with fixed keys. */
#include <stdlib.h>
#include <string.h>

#include "record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  bool aead;
  uint16_t version;
  int alg; /* tc_aead_alg or tc_cipher_alg */
  tc_hash_alg mac;
  unsigned flags;
} kind;

static const kind kinds[] = {
    {true, TC_TLS12, TC_AEAD_AES128_GCM, TC_HASH_NONE, 0},
    {true, TC_TLS12, TC_AEAD_AES256_GCM, TC_HASH_NONE, 0},
    {true, TC_TLS12, TC_AEAD_CHACHA20_POLY1305, TC_HASH_NONE, 0},
    {false, TC_TLS12, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {false, TC_TLS12, TC_CIPHER_AES256_CBC, TC_HASH_SHA256, 0},
    {false, TC_TLS12, TC_CIPHER_AES256_CBC, TC_HASH_SHA384, 0},
    {false, TC_TLS11, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, 0},
    {false, TC_TLS10, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {false, TC_TLS12, TC_CIPHER_AES128_CBC, TC_HASH_SHA256, TC_PROT_ETM},
    {false, TC_TLS10, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, TC_PROT_ETM},
    {false, TC_SSL30, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {false, TC_SSL30, TC_CIPHER_3DES_CBC, TC_HASH_MD5, 0},
    {false, TC_TLS12, TC_CIPHER_RC4_128, TC_HASH_SHA1, 0},
    {false, TC_TLS12, TC_CIPHER_RC4_128, TC_HASH_MD5, 0},
    {false, TC_SSL30, TC_CIPHER_RC4_128, TC_HASH_SHA1, 0},
    {true, TC_TLS12, TC_AEAD_AES128_CCM, TC_HASH_NONE, 0},
    {true, TC_TLS12, TC_AEAD_AES256_CCM_8, TC_HASH_NONE, 0},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static uint8_t rec[2 * TC_REC_MAX_LEN];

static void setup(const kind *k, tc_prot *p, bool write) {
  static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  static const uint8_t iv[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
  static const uint8_t mk[48] = {0x5a, 0x5b, 0x5c};
  memset(p, 0, sizeof *p);
  int r;
  if (k->aead) {
    tc_aead_alg a = (tc_aead_alg)k->alg;
    r = tc_prot_init_tls12_aead(p, k->version, a, key, tc_aead_key_len(a), iv,
                                a == TC_AEAD_CHACHA20_POLY1305 ? 12 : 4);
  } else {
    tc_cipher_alg c = (tc_cipher_alg)k->alg;
    r = tc_prot_init_cbc(p, write, k->version, c, key, tc_cipher_key_len(c), iv, k->mac, mk,
                         tc_hash_len(k->mac), k->flags, NULL);
  }
  if (r)
    abort();
}

static void put_header(uint8_t *h, uint8_t type, uint16_t version, size_t len) {
  h[0] = type;
  h[1] = (uint8_t)(version >> 8);
  h[2] = (uint8_t)version;
  h[3] = (uint8_t)(len >> 8);
  h[4] = (uint8_t)len;
}

/* byte 0: kind; byte 1: mode (even: open the rest as peer record bodies,
 * odd: seal the rest, open it, then check a one-byte change is refused). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  const kind *k = &kinds[data[0] % NKINDS];
  uint8_t mode = data[1];
  uint8_t type = TC_CT_HANDSHAKE + (data[2] & 1);
  data += 3;
  size -= 3;
  const size_t max_body = TC_REC_MAX_PLAIN + TC_REC_MAX_EXPANSION;
  tc_prot p;
  if (!(mode & 1)) {
    /* Up to two records on one state: sequence numbers and IV chaining. */
    setup(k, &p, false);
    for (int i = 0; i < 2 && size > 0; i++) {
      size_t body = size < max_body ? size : max_body;
      if (i == 0 && size > 32 && (mode & 2))
        body = size / 2;
      put_header(rec, type, k->version, body);
      memcpy(rec + TC_REC_HDR_LEN, data, body);
      uint8_t t = 0;
      size_t off = 0, len = 0;
      int e = p.ops->open(&p, rec, body, &t, &off, &len);
      if (e != 0 && e != TC_ERR_BAD_RECORD_MAC)
        abort();
      if (e == 0 && (t != type || off < TC_REC_HDR_LEN || off + len > TC_REC_HDR_LEN + body))
        abort();
      if (e)
        break;
      data += body;
      size -= body;
    }
    tc_prot_clear(&p);
    return 0;
  }
  size_t len = size < TC_REC_MAX_PLAIN ? size : TC_REC_MAX_PLAIN;
  tc_prot w, r;
  setup(k, &w, true);
  setup(k, &r, false);
  memcpy(rec + TC_REC_HDR_LEN, data, len);
  size_t over = w.ops->overhead(&w, len);
  size_t n = w.ops->seal(&w, TC_CT_APPLICATION_DATA, rec, len);
  if (n > TC_REC_HDR_LEN + len + over)
    abort();
  /* a one-byte change somewhere in the last record's body must be refused;
   * pick it before opening (opening decrypts in place) */
  static uint8_t copy[2 * TC_REC_MAX_LEN];
  memcpy(copy, rec, n);
  size_t got = 0, pos = 0, last = 0;
  while (pos < n) {
    size_t body = (size_t)rec[pos + 3] << 8 | rec[pos + 4];
    uint8_t t;
    size_t off, pl;
    if (body > max_body || pos + TC_REC_HDR_LEN + body > n)
      abort();
    if (r.ops->open(&r, rec + pos, body, &t, &off, &pl) != 0 || t != TC_CT_APPLICATION_DATA)
      abort();
    if (memcmp(rec + pos + off, data + got, pl) != 0)
      abort();
    got += pl;
    last = pos;
    pos += TC_REC_HDR_LEN + body;
  }
  if (got != len)
    abort();
  tc_prot_clear(&r);
  size_t body = (size_t)copy[last + 3] << 8 | copy[last + 4];
  /* SSL 3.0 does not authenticate its padding: a last block made only of
   * padding survives a change with probability 1/256 (POODLE), so only the
   * blocks before it are tampered with there. */
  if (k->version == TC_SSL30 && !k->aead && k->alg != TC_CIPHER_RC4_128)
    body -= tc_cipher_block_len((tc_cipher_alg)k->alg);
  if (body > 0) {
    size_t at = last + TC_REC_HDR_LEN + (len ? data[0] : 0) % body;
    copy[at] ^= 1;
    setup(k, &r, false);
    pos = 0;
    int e = 0;
    while (pos < n && e == 0) {
      size_t b = (size_t)copy[pos + 3] << 8 | copy[pos + 4];
      uint8_t t;
      size_t off, pl;
      e = r.ops->open(&r, copy + pos, b, &t, &off, &pl);
      pos += TC_REC_HDR_LEN + b;
    }
    if (e != TC_ERR_BAD_RECORD_MAC)
      abort();
    tc_prot_clear(&r);
  }
  tc_prot_clear(&w);
  return 0;
}
