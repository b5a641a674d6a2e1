/* RSA encryption for the TLS RSA key exchange: PKCS#1 v1.5, decryption with implicit rejection. */
#include <string.h>

#include <nettle/bignum.h>

#include "crypto/crypto_internal.h"

int tc_rsa_decrypt_premaster(const tc_privkey *key, const tc_rng *rng, const uint8_t *ct,
                             size_t ct_len, uint8_t *out, size_t out_len) {
  if (key == NULL || (key->type != TC_PK_RSA) || out_len == 0)
    return -1;
  /* The fallback is drawn before looking at the ciphertext, so a bad
   * ciphertext costs the same and yields an equally random-looking result. */
  if (tc_random(rng, out, out_len) != 0)
    return -1;
  const tc_pubkey *pub = key->pub;
  /* The ciphertext length is public: a wrong one needs no secrecy. */
  if (ct_len != pub->rsa.size)
    return 0;
  tc_nettle_rng r = {rng, false};
  mpz_t c;
  nettle_mpz_init_set_str_256_u(c, ct_len, ct);
  /* rsa_sec_decrypt is blinded, checks its own result, checks the padding
   * and the length in constant time and copies into `out` only on success
   * (with a masked copy), so `out` keeps the random bytes otherwise. */
  (void)rsa_sec_decrypt(&pub->rsa, &key->rsa, &r, tc_nettle_random, out_len, out, c);
  mpz_clear(c);
  if (r.failed) {
    /* blinding randomness failed: the output cannot be trusted either way */
    tc_wipe(out, out_len);
    return -1;
  }
  return 0;
}

int tc_rsa_encrypt_pkcs1(const tc_pubkey *key, const tc_rng *rng, const uint8_t *msg,
                         size_t msg_len, uint8_t *out, size_t *out_len) {
  if (key == NULL || key->type != TC_PK_RSA || key->bits < TC_RSA_MIN_BITS ||
      *out_len < key->rsa.size)
    return -1;
  tc_nettle_rng r = {rng, false};
  mpz_t c;
  mpz_init(c);
  int ok = rsa_encrypt(&key->rsa, &r, tc_nettle_random, msg_len, msg, c); /* 0 if msg too long */
  if (ok && !r.failed) {
    nettle_mpz_get_str_256(key->rsa.size, out, c);
    *out_len = key->rsa.size;
  }
  mpz_clear(c);
  return ok && !r.failed ? 0 : -1;
}
