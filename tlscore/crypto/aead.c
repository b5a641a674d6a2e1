/* AEAD ciphers in place: AES-GCM, AES-CCM (16- and 8-byte tags) and ChaCha20-Poly1305 over nettle. */
#include <string.h>

#include <nettle/ccm.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>

#include "crypto/crypto_internal.h"

_Static_assert(sizeof(struct gcm_aes128_ctx) <= sizeof(((tc_aead *)0)->state), "gcm128 ctx");
_Static_assert(sizeof(struct gcm_aes256_ctx) <= sizeof(((tc_aead *)0)->state), "gcm256 ctx");
_Static_assert(sizeof(struct chacha_poly1305_ctx) <= sizeof(((tc_aead *)0)->state), "chacha ctx");
_Static_assert(sizeof(struct ccm_aes128_ctx) <= sizeof(((tc_aead *)0)->state), "ccm128 ctx");
_Static_assert(sizeof(struct ccm_aes256_ctx) <= sizeof(((tc_aead *)0)->state), "ccm256 ctx");
_Static_assert(CCM_DIGEST_SIZE == TC_AEAD_TAG_LEN, "ccm tag size");
_Static_assert(GCM_DIGEST_SIZE == TC_AEAD_TAG_LEN && CHACHA_POLY1305_DIGEST_SIZE == TC_AEAD_TAG_LEN,
               "tag size");
_Static_assert(CHACHA_POLY1305_NONCE_SIZE == TC_AEAD_NONCE_LEN, "nonce size");

size_t tc_aead_key_len(tc_aead_alg alg) {
  switch (alg) {
  case TC_AEAD_AES128_GCM: return 16;
  case TC_AEAD_AES256_GCM: return 32;
  case TC_AEAD_CHACHA20_POLY1305: return 32;
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8: return 16;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8: return 32;
  default: return 0;
  }
}

size_t tc_aead_tag_len(tc_aead_alg alg) {
  return alg == TC_AEAD_AES128_CCM_8 || alg == TC_AEAD_AES256_CCM_8 ? 8 : TC_AEAD_TAG_LEN;
}

int tc_aead_init(tc_aead *a, tc_aead_alg alg, const uint8_t *key, size_t key_len) {
  size_t want = tc_aead_key_len(alg);
  a->alg = TC_AEAD_NONE;
  if (want == 0 || key_len != want)
    return -1;
  switch (alg) {
  case TC_AEAD_AES128_GCM: gcm_aes128_set_key((void *)a->state, key); break;
  case TC_AEAD_AES256_GCM: gcm_aes256_set_key((void *)a->state, key); break;
  case TC_AEAD_CHACHA20_POLY1305: chacha_poly1305_set_key((void *)a->state, key); break;
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8: ccm_aes128_set_key((void *)a->state, key); break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8: ccm_aes256_set_key((void *)a->state, key); break;
  default: return -1;
  }
  a->alg = alg;
  return 0;
}

/* Runs the cipher over buf and leaves the tag in `tag` (tc_aead_tag_len bytes). */
static void aead_run(tc_aead *a, bool encrypt, const uint8_t nonce[12], const uint8_t *aad,
                     size_t aad_len, uint8_t *buf, size_t len, uint8_t tag[16]) {
  void *st = a->state;
  size_t tl = tc_aead_tag_len(a->alg);
  switch (a->alg) {
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8:
    /* CCM binds the lengths and the tag size into its first block */
    ccm_aes128_set_nonce(st, TC_AEAD_NONCE_LEN, nonce, aad_len, len, tl);
    if (aad_len > 0)
      ccm_aes128_update(st, aad_len, aad);
    if (len > 0) {
      if (encrypt)
        ccm_aes128_encrypt(st, len, buf, buf);
      else
        ccm_aes128_decrypt(st, len, buf, buf);
    }
    ccm_aes128_digest(st, tl, tag);
    break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8:
    ccm_aes256_set_nonce(st, TC_AEAD_NONCE_LEN, nonce, aad_len, len, tl);
    if (aad_len > 0)
      ccm_aes256_update(st, aad_len, aad);
    if (len > 0) {
      if (encrypt)
        ccm_aes256_encrypt(st, len, buf, buf);
      else
        ccm_aes256_decrypt(st, len, buf, buf);
    }
    ccm_aes256_digest(st, tl, tag);
    break;
  case TC_AEAD_AES128_GCM:
    gcm_aes128_set_iv(st, TC_AEAD_NONCE_LEN, nonce);
    if (aad_len > 0)
      gcm_aes128_update(st, aad_len, aad);
    if (len > 0) {
      if (encrypt)
        gcm_aes128_encrypt(st, len, buf, buf);
      else
        gcm_aes128_decrypt(st, len, buf, buf);
    }
    gcm_aes128_digest(st, TC_AEAD_TAG_LEN, tag);
    break;
  case TC_AEAD_AES256_GCM:
    gcm_aes256_set_iv(st, TC_AEAD_NONCE_LEN, nonce);
    if (aad_len > 0)
      gcm_aes256_update(st, aad_len, aad);
    if (len > 0) {
      if (encrypt)
        gcm_aes256_encrypt(st, len, buf, buf);
      else
        gcm_aes256_decrypt(st, len, buf, buf);
    }
    gcm_aes256_digest(st, TC_AEAD_TAG_LEN, tag);
    break;
  case TC_AEAD_CHACHA20_POLY1305:
    chacha_poly1305_set_nonce(st, nonce);
    if (aad_len > 0)
      chacha_poly1305_update(st, aad_len, aad);
    if (len > 0) {
      if (encrypt)
        chacha_poly1305_encrypt(st, len, buf, buf);
      else
        chacha_poly1305_decrypt(st, len, buf, buf);
    }
    chacha_poly1305_digest(st, TC_AEAD_TAG_LEN, tag);
    break;
  default:
    /* never produce a usable tag from an uninitialised context */
    memset(tag, 0, TC_AEAD_TAG_LEN);
    break;
  }
}

void tc_aead_seal(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                  uint8_t *buf, size_t len, uint8_t *tag) {
  /* a full-size scratch tag, so an 8-byte CCM_8 tag never overruns `tag` */
  uint8_t t[TC_AEAD_TAG_LEN];
  aead_run(a, true, nonce, aad, aad_len, buf, len, t);
  memcpy(tag, t, tc_aead_tag_len(a->alg));
  tc_wipe(t, sizeof t);
}

int tc_aead_open(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                 uint8_t *buf, size_t len, const uint8_t *tag) {
  uint8_t computed[TC_AEAD_TAG_LEN];
  if (a->alg == TC_AEAD_NONE)
    return -1;
  aead_run(a, false, nonce, aad, aad_len, buf, len, computed);
  bool ok = tc_ct_equal(computed, tag, tc_aead_tag_len(a->alg));
  tc_wipe(computed, sizeof computed);
  if (!ok) {
    /* do not hand out unauthenticated plaintext */
    if (len > 0)
      tc_wipe(buf, len);
    return -1;
  }
  return 0;
}

void tc_aead_clear(tc_aead *a) {
  tc_wipe(a->state, sizeof a->state);
  a->alg = TC_AEAD_NONE;
}
