/* PKCS#12 password encoding and key derivation (internal). */
#ifndef TLSCORE_X509_PBE_H
#define TLSCORE_X509_PBE_H

#include "x509/x509_internal.h"

/* The password as a NUL-terminated BMPString (UTF-16BE); NULL gives the
 * empty string (length 0). Returns NULL on bad UTF-8 or no memory. */
uint8_t *tc_pkcs12_password(const char *password, size_t *len);
/* RFC 7292 appendix B.2 key derivation; id 1 = key, 2 = IV, 3 = MAC key. */
int tc_pkcs12_kdf(tc_hash_alg hash, uint8_t id, const uint8_t *pass, size_t pass_len,
                  const uint8_t *salt, size_t salt_len, unsigned iterations, uint8_t *out,
                  size_t out_len);

#endif
