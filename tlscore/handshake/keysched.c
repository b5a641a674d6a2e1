/* TLS 1.3 key schedule (RFC 8446 §7.1-7.5) on top of the crypto provider's HKDF. */
#include "handshake/keysched.h"

#include <string.h>

bool tc_suite13_params(uint16_t suite, tc_hash_alg *hash, tc_aead_alg *aead, size_t *key_len) {
  tc_hash_alg h;
  tc_aead_alg a;
  switch (suite) {
  case TC_TLS_AES_128_GCM_SHA256: h = TC_HASH_SHA256; a = TC_AEAD_AES128_GCM; break;
  case TC_TLS_AES_256_GCM_SHA384: h = TC_HASH_SHA384; a = TC_AEAD_AES256_GCM; break;
  case TC_TLS_CHACHA20_POLY1305_SHA256: h = TC_HASH_SHA256; a = TC_AEAD_CHACHA20_POLY1305; break;
  case TC_TLS_AES_128_CCM_SHA256: h = TC_HASH_SHA256; a = TC_AEAD_AES128_CCM; break;
  case TC_TLS_AES_128_CCM_8_SHA256: h = TC_HASH_SHA256; a = TC_AEAD_AES128_CCM_8; break;
  default: return false;
  }
  if (hash) *hash = h;
  if (aead) *aead = a;
  if (key_len) *key_len = tc_aead_key_len(a);
  return true;
}

void tc_ks_early(tc_ks *ks, tc_hash_alg hash, const uint8_t *psk, size_t psk_len) {
  uint8_t zeros[TC_HASH_MAX_LEN] = {0};
  ks->hash = hash;
  ks->hlen = tc_hash_len(hash);
  if (!psk) {
    psk = zeros;
    psk_len = ks->hlen;
  }
  tc_hkdf_extract(hash, NULL, 0, psk, psk_len, ks->secret);
}

int tc_ks_derive(const tc_ks *ks, const char *label, const uint8_t *th, uint8_t *out) {
  return tc_hkdf_expand_label(ks->hash, ks->secret, ks->hlen, label, th, ks->hlen, out, ks->hlen);
}

/* Derive-Secret(stage, "derived", "") then Extract with ikm. */
static int next_stage(tc_ks *ks, const uint8_t *ikm, size_t ikm_len) {
  uint8_t empty[TC_HASH_MAX_LEN], salt[TC_HASH_MAX_LEN], zeros[TC_HASH_MAX_LEN] = {0};
  tc_hash(ks->hash, NULL, 0, empty);
  if (tc_ks_derive(ks, "derived", empty, salt))
    return -1;
  if (!ikm) {
    ikm = zeros;
    ikm_len = ks->hlen;
  }
  tc_hkdf_extract(ks->hash, salt, ks->hlen, ikm, ikm_len, ks->secret);
  tc_wipe(salt, sizeof salt);
  return 0;
}

int tc_ks_handshake(tc_ks *ks, const uint8_t *dhe, size_t dhe_len) {
  return next_stage(ks, dhe, dhe_len);
}

int tc_ks_master(tc_ks *ks) { return next_stage(ks, NULL, 0); }

int tc_ks_binder_key(const tc_ks *ks, tc_binder_kind kind, uint8_t *out) {
  static const char *const labels[] = {"res binder", "ext binder", "imp binder"};
  uint8_t empty[TC_HASH_MAX_LEN];
  tc_hash(ks->hash, NULL, 0, empty);
  return tc_ks_derive(ks, labels[kind], empty, out);
}

int tc_ks_import_psk(tc_hash_alg epsk_hash, const uint8_t *epsk, size_t epsk_len,
                     const uint8_t *imported_identity, size_t iid_len, tc_hash_alg target,
                     uint8_t *out) {
  size_t hl = tc_hash_len(epsk_hash);
  uint8_t epskx[TC_HASH_MAX_LEN], ih[TC_HASH_MAX_LEN];
  /* "0" in RFC 8446 notation: no salt (HMAC pads it to zeros anyway). */
  tc_hkdf_extract(epsk_hash, NULL, 0, epsk, epsk_len, epskx);
  tc_hash(epsk_hash, imported_identity, iid_len, ih);
  int r = tc_hkdf_expand_label(epsk_hash, epskx, hl, "derived psk", ih, hl, out,
                               tc_hash_len(target));
  tc_wipe(epskx, sizeof epskx);
  return r;
}

int tc_ks_finished(tc_hash_alg hash, const uint8_t *base, const uint8_t *th, uint8_t *out) {
  size_t hl = tc_hash_len(hash);
  uint8_t fk[TC_HASH_MAX_LEN];
  if (tc_hkdf_expand_label(hash, base, hl, "finished", NULL, 0, fk, hl))
    return -1;
  tc_hmac(hash, fk, hl, th, hl, out);
  tc_wipe(fk, sizeof fk);
  return 0;
}

int tc_ks_traffic_keys(tc_hash_alg hash, const uint8_t *secret, size_t key_len, uint8_t *key,
                       uint8_t iv[12]) {
  size_t hl = tc_hash_len(hash);
  if (hl == 0 || hash == TC_HASH_MD5_SHA1)
    return -1;
  /* One keyed HMAC state for both labels (4 handshake and application
   * secrets per connection, each side). */
  tc_hmac_ctx base;
  tc_hmac_init(&base, hash, secret, hl);
  int r = tc_hkdf_expand_label_keyed(&base, "key", NULL, 0, key, key_len) ||
          tc_hkdf_expand_label_keyed(&base, "iv", NULL, 0, iv, 12);
  tc_wipe(&base, sizeof base);
  return r ? -1 : 0;
}

int tc_ks_update_secret(tc_hash_alg hash, uint8_t *secret) {
  size_t hl = tc_hash_len(hash);
  uint8_t next[TC_HASH_MAX_LEN];
  if (tc_hkdf_expand_label(hash, secret, hl, "traffic upd", NULL, 0, next, hl))
    return -1;
  memcpy(secret, next, hl);
  tc_wipe(next, sizeof next);
  return 0;
}

int tc_ks_resumption_psk(tc_hash_alg hash, const uint8_t *rms, const uint8_t *nonce,
                         size_t nonce_len, uint8_t *out) {
  size_t hl = tc_hash_len(hash);
  return tc_hkdf_expand_label(hash, rms, hl, "resumption", nonce, nonce_len, out, hl);
}

int tc_ks_export(tc_hash_alg hash, const uint8_t *ems, const char *label, const uint8_t *ctx,
                 size_t ctx_len, uint8_t *out, size_t out_len) {
  size_t hl = tc_hash_len(hash);
  uint8_t empty[TC_HASH_MAX_LEN], tmp[TC_HASH_MAX_LEN], ch[TC_HASH_MAX_LEN];
  tc_hash(hash, NULL, 0, empty);
  if (tc_hkdf_expand_label(hash, ems, hl, label, empty, hl, tmp, hl))
    return -1;
  tc_hash(hash, ctx, ctx_len, ch);
  int r = tc_hkdf_expand_label(hash, tmp, hl, "exporter", ch, hl, out, out_len);
  tc_wipe(tmp, sizeof tmp);
  return r;
}

void tc_ks_clear(tc_ks *ks) { tc_wipe(ks, sizeof *ks); }
