/* TLS 1.3 record protection (RFC 8446 §5.2-5.3): AEAD, inner content type, per-record nonce. */
#include "record/record.h"

#include <string.h>

static void nonce13(const tc_prot *p, uint8_t nonce[TC_AEAD_NONCE_LEN]) {
  memcpy(nonce, p->u.aead13.iv, TC_AEAD_NONCE_LEN);
  for (int i = 0; i < 8; i++)
    nonce[TC_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(p->seq >> (8 * i));
}

/* 16 bytes, 8 for AES-CCM_8 */
static size_t tag13(const tc_prot *p) { return tc_aead_tag_len(p->u.aead13.aead.alg); }

static size_t overhead13(const tc_prot *p, size_t len) {
  (void)len;
  return 1 + tag13(p); /* inner type; we never pad */
}

static size_t seal13(tc_prot *p, uint8_t type, uint8_t *rec, size_t len) {
  uint8_t *body = rec + TC_REC_HDR_LEN;
  body[len] = type;
  size_t clen = len + 1 + tag13(p);
  rec[0] = TC_CT_APPLICATION_DATA;
  rec[1] = 0x03;
  rec[2] = 0x03;
  rec[3] = (uint8_t)(clen >> 8);
  rec[4] = (uint8_t)clen;
  uint8_t nonce[TC_AEAD_NONCE_LEN];
  nonce13(p, nonce);
  tc_aead_seal(&p->u.aead13.aead, nonce, rec, TC_REC_HDR_LEN, body, len + 1, body + len + 1);
  p->seq++;
  return TC_REC_HDR_LEN + clen;
}

static void header13(uint8_t *rec, size_t clen) {
  rec[0] = TC_CT_APPLICATION_DATA;
  rec[1] = 0x03;
  rec[2] = 0x03;
  rec[3] = (uint8_t)(clen >> 8);
  rec[4] = (uint8_t)clen;
}

static size_t seal_from13(tc_prot *p, uint8_t type, uint8_t *rec, const uint8_t *src,
                          size_t len) {
  uint8_t *body = rec + TC_REC_HDR_LEN;
  size_t clen = len + 1 + tag13(p);
  header13(rec, clen);
  uint8_t nonce[TC_AEAD_NONCE_LEN];
  nonce13(p, nonce);
  tc_aead_seal_to(&p->u.aead13.aead, nonce, rec, TC_REC_HDR_LEN, src, len, &type, 1, body,
                  body + len + 1);
  p->seq++;
  return TC_REC_HDR_LEN + clen;
}

/* The inner plaintext's content type: its last non-zero byte; zeros after
 * it are padding. Sets *len to the content before it. */
static int inner_type(const uint8_t *pt, size_t n, uint8_t *type, size_t *len) {
  while (n > 0 && pt[n - 1] == 0)
    n--;
  if (n == 0)
    return TC_ERR_UNEXPECTED_MESSAGE;
  *type = pt[n - 1];
  *len = n - 1;
  if (*type == TC_CT_CHANGE_CIPHER_SPEC || *type < TC_CT_CHANGE_CIPHER_SPEC ||
      *type > TC_CT_APPLICATION_DATA)
    return TC_ERR_UNEXPECTED_MESSAGE;
  return 0;
}

static size_t open_room13(const tc_prot *p, size_t body_len) {
  return body_len < 1 + tag13(p) ? 0 : body_len - tag13(p);
}

static int open_to13(tc_prot *p, const uint8_t *rec, size_t body_len, uint8_t *dst, size_t cap,
                     uint8_t *type, size_t *len) {
  if (rec[0] != TC_CT_APPLICATION_DATA)
    return TC_ERR_UNEXPECTED_MESSAGE;
  size_t clen = open_room13(p, body_len);
  if (clen == 0)
    return TC_ERR_BAD_RECORD_MAC;
  if (clen > TC_REC_MAX_PLAIN + 1) /* RFC 8446 §5.4, as in open13 */
    return TC_ERR_RECORD_OVERFLOW;
  if (cap < clen)
    return TC_ERR_INTERNAL_ERROR;
  uint8_t nonce[TC_AEAD_NONCE_LEN];
  nonce13(p, nonce);
  const uint8_t *body = rec + TC_REC_HDR_LEN;
  if (tc_aead_open_to(&p->u.aead13.aead, nonce, rec, TC_REC_HDR_LEN, body, clen, body + clen,
                      dst))
    return TC_ERR_BAD_RECORD_MAC;
  p->seq++;
  return inner_type(dst, clen, type, len);
}

static int open13(tc_prot *p, uint8_t *rec, size_t body_len, uint8_t *type, size_t *off,
                  size_t *len) {
  if (rec[0] != TC_CT_APPLICATION_DATA)
    return TC_ERR_UNEXPECTED_MESSAGE;
  if (body_len < 1 + tag13(p))
    return TC_ERR_BAD_RECORD_MAC;
  /* RFC 8446 §5.4: the whole TLSInnerPlaintext (content, type byte and
   * padding) is at most 2^14 + 1 bytes. The tag length is fixed, so this
   * is known before decrypting. */
  if (body_len - tag13(p) > TC_REC_MAX_PLAIN + 1)
    return TC_ERR_RECORD_OVERFLOW;
  uint8_t nonce[TC_AEAD_NONCE_LEN];
  nonce13(p, nonce);
  uint8_t *body = rec + TC_REC_HDR_LEN;
  size_t clen = body_len - tag13(p);
  if (tc_aead_open(&p->u.aead13.aead, nonce, rec, TC_REC_HDR_LEN, body, clen, body + clen))
    return TC_ERR_BAD_RECORD_MAC;
  p->seq++;
  *off = TC_REC_HDR_LEN;
  return inner_type(body, clen, type, len);
}

static void clear13(tc_prot *p) {
  tc_aead_clear(&p->u.aead13.aead);
  tc_wipe(p->u.aead13.iv, sizeof p->u.aead13.iv);
}

static const tc_prot_ops tls13_ops = {"tls13-aead", true, overhead13, seal13,     open13,
                                      clear13,      seal_from13, open_to13, open_room13};

int tc_prot_init_tls13(tc_prot *p, tc_aead_alg alg, const uint8_t *key, size_t key_len,
                       const uint8_t iv[TC_AEAD_NONCE_LEN]) {
  /* A re-key with the same AEAD overwrites the whole key state, so the
   * old one needs no separate wipe (saves 4 KiB of wiping per key change). */
  if (!(p->ops == &tls13_ops && p->u.aead13.aead.alg == alg))
    tc_prot_clear(p);
  if (tc_aead_init(&p->u.aead13.aead, alg, key, key_len)) {
    tc_prot_clear(p);
    return -1;
  }
  memcpy(p->u.aead13.iv, iv, TC_AEAD_NONCE_LEN);
  p->seq = 0;
  p->max_expansion = TC_REC_MAX_EXPANSION13;
  p->sealed_off = TC_REC_HDR_LEN;
  p->ops = &tls13_ops;
  return 0;
}

TC_HOT void tc_prot_clear(tc_prot *p) {
  if (p->ops && p->ops->clear)
    p->ops->clear(p);
  p->ops = NULL;
  p->seq = 0;
}
