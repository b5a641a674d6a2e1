/* TLS 1.3 key schedule (RFC 8446 §7): secrets, traffic keys, finished keys, binders, exporters. */
#ifndef TLSCORE_KEYSCHED_H
#define TLSCORE_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* The running chain Early Secret -> Handshake Secret -> Master Secret. */
typedef struct tc_ks {
  tc_hash_alg hash;
  size_t hlen;
  uint8_t secret[TC_HASH_MAX_LEN]; /* the current stage's secret */
} tc_ks;

/* Cipher-suite parameters for TLS 1.3. false if unknown. */
bool tc_suite13_params(uint16_t suite, tc_hash_alg *hash, tc_aead_alg *aead, size_t *key_len);

/* Early Secret = HKDF-Extract(0, psk) (psk NULL: hlen zero bytes). */
void tc_ks_early(tc_ks *ks, tc_hash_alg hash, const uint8_t *psk, size_t psk_len);
/* Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), dhe). */
int tc_ks_handshake(tc_ks *ks, const uint8_t *dhe, size_t dhe_len);
/* Master Secret = HKDF-Extract(Derive-Secret(hs, "derived", ""), 0). */
int tc_ks_master(tc_ks *ks);
/* Derive-Secret(current stage, label, transcript hash `th` of hlen bytes). */
int tc_ks_derive(const tc_ks *ks, const char *label, const uint8_t *th, uint8_t *out);
/* Which PSK a binder is for: a resumption ticket ("res binder"), an
 * external PSK ("ext binder") or an RFC 9258 imported one ("imp binder"). */
typedef enum { TC_BINDER_RES = 0, TC_BINDER_EXT, TC_BINDER_IMP } tc_binder_kind;
/* Binder key from the early secret. */
int tc_ks_binder_key(const tc_ks *ks, tc_binder_kind kind, uint8_t *out);
/* RFC 9258 §5.1: ipskx = HKDF-Expand-Label(HKDF-Extract(0, epsk), "derived psk",
 * Hash(ImportedIdentity), L), HKDF and Hash with the EPSK's hash, L the
 * target KDF's output length (tc_hash_len(target)). out holds L bytes. */
int tc_ks_import_psk(tc_hash_alg epsk_hash, const uint8_t *epsk, size_t epsk_len,
                     const uint8_t *imported_identity, size_t iid_len, tc_hash_alg target,
                     uint8_t *out);
/* finished_key = HKDF-Expand-Label(base, "finished", "", hlen); verify_data =
 * HMAC(finished_key, th). */
int tc_ks_finished(tc_hash_alg hash, const uint8_t *base, const uint8_t *th, uint8_t *out);
/* Traffic key and iv from a traffic secret. */
int tc_ks_traffic_keys(tc_hash_alg hash, const uint8_t *secret, size_t key_len, uint8_t *key,
                       uint8_t iv[12]);
/* application_traffic_secret_N+1 (KeyUpdate), in place. */
int tc_ks_update_secret(tc_hash_alg hash, uint8_t *secret);
/* Resumption PSK from the resumption master secret and a ticket nonce. */
int tc_ks_resumption_psk(tc_hash_alg hash, const uint8_t *rms, const uint8_t *nonce,
                         size_t nonce_len, uint8_t *out);
/* RFC 8446 §7.5 exporter from the exporter master secret. */
int tc_ks_export(tc_hash_alg hash, const uint8_t *ems, const char *label, const uint8_t *ctx,
                 size_t ctx_len, uint8_t *out, size_t out_len);
void tc_ks_clear(tc_ks *ks);

#endif
