/* RC2-CBC decryption for legacy PKCS#12 files (internal; kept out of crypto.h as it has one user). */
#ifndef TLSCORE_CRYPTO_RC2_H
#define TLSCORE_CRYPTO_RC2_H

#include <stddef.h>
#include <stdint.h>

/* Decrypt buf in place with RC2-CBC (RFC 2268) and the given effective key
 * bits (40 for pbeWithSHAAnd40BitRC2-CBC). len must be a multiple of 8.
 * Returns 0 or -1. */
int tc_rc2_cbc_decrypt(const uint8_t *key, size_t key_len, unsigned effective_bits,
                       const uint8_t iv[8], uint8_t *buf, size_t len);

#endif
