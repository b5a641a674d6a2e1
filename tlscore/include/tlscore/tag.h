/* tlscore: a keyed tag of a secret, for callers that must tell secrets apart without holding them. */
#ifndef TLSCORE_TAG_H
#define TLSCORE_TAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* out = HMAC-SHA256(key, label || 0x00 || secret). Every intermediate state
 * (the padded key, the hash contexts) is wiped before returning, which a
 * general-purpose HMAC such as GLib's GHmac does not do, so the secret's
 * last partial block never stays in freed memory. label is a C string that
 * keeps different kinds of secret with the same bytes apart. */
void tc_secret_tag(const uint8_t *key, size_t key_len, const char *label, const uint8_t *secret,
                   size_t secret_len, uint8_t out[32]);

#ifdef __cplusplus
}
#endif

#endif
