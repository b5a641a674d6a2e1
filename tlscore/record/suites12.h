/* Cipher suites of TLS 1.2 and older (SSL 3.0 - TLS 1.2): table, key block derivation, record protection setup. */
#ifndef TLSCORE_SUITES12_H
#define TLSCORE_SUITES12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "record/record.h"

typedef enum {
  TC_KX12_RSA = 1,   /* RSA key transport */
  TC_KX12_DHE,       /* finite-field ephemeral DH (ServerDHParams) */
  TC_KX12_ECDHE,     /* ephemeral ECDH (named curves) */
  TC_KX12_PSK,       /* RFC 4279 plain PSK */
  TC_KX12_DHE_PSK,   /* RFC 4279 */
  TC_KX12_ECDHE_PSK, /* RFC 5489 */
  TC_KX12_SRP        /* RFC 5054 SRP-SHA */
} tc_kx12;

typedef enum {
  TC_AUTH12_RSA = 1, /* server certificate: RSA signature (or RSA key transport) */
  TC_AUTH12_ECDSA,   /* server certificate: ECDSA */
  TC_AUTH12_PSK,     /* the pre-shared key authenticates */
  TC_AUTH12_SRP      /* the password verifier authenticates (SRP_SHA, no certificate) */
} tc_auth12;

typedef enum { TC_BULK12_AEAD = 1, TC_BULK12_CBC, TC_BULK12_STREAM } tc_bulk12;

/* Flags */
#define TC_SUITE12_DEFAULT 1u  /* offered/accepted unless the configuration says otherwise */
#define TC_SUITE12_EXPLICIT 2u /* only when named explicitly in the configuration (RC4) */
#define TC_SUITE12_SERVER 4u   /* accepted by servers by default, offered by clients only when named */

typedef struct tc_suite12 {
  uint16_t id; /* IANA value */
  const char *name;
  uint8_t kx;          /* tc_kx12 */
  uint8_t auth;        /* tc_auth12 */
  uint8_t bulk;        /* tc_bulk12 */
  tc_aead_alg aead;    /* TC_BULK12_AEAD */
  tc_cipher_alg cipher; /* TC_BULK12_CBC / STREAM */
  tc_hash_alg mac;     /* HMAC (or SSL 3.0 MAC) hash; NONE for AEAD */
  tc_hash_alg prf;     /* TLS 1.2 PRF hash (also the Finished hash) */
  uint16_t min_version, max_version;
  unsigned flags;
} tc_suite12;

/* The suite with this IANA value, NULL if not a TLS 1.2-or-older suite we know. */
const tc_suite12 *tc_suite12_find(uint16_t id);
/* Its position in tc_suite12_all()'s table, -1 if none (as tc_suite12_find). */
int tc_suite12_find_index(uint16_t id);
/* By IANA name (e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), NULL if unknown. */
const tc_suite12 *tc_suite12_by_name(const char *name);
/* The whole table in preference order (strongest first); *n entries. */
const tc_suite12 *tc_suite12_all(size_t *n);
/* The table holds fewer entries than this (suites12.c checks), so a
 * suite's position in it fits a 256-bit set. */
#define TC_SUITE12_MAX 256
/* Usable at this protocol version? */
bool tc_suite12_allows(const tc_suite12 *s, uint16_t version);
/* PRF hash at this version: the suite's for TLS 1.2, TC_HASH_MD5_SHA1 for
 * TLS 1.0/1.1, TC_HASH_NONE for SSL 3.0 (tc_prf_ssl3). */
tc_hash_alg tc_suite12_prf(const tc_suite12 *s, uint16_t version);

/* Key material lengths of a suite at a version (RFC 5246 §6.3): MAC key,
 * encryption key and the implicit IV in the key block (GCM: 4-byte salt,
 * CCM: 4-byte salt, ChaCha20: 12 bytes, CBC: block length in SSL 3.0 / TLS 1.0, else 0). */
void tc_suite12_key_lengths(const tc_suite12 *s, uint16_t version, size_t *mac_len,
                            size_t *key_len, size_t *iv_len);

/* The key block as the PRF wrote it, with pointers to its parts
 * (client_write_MAC_key, server_write_MAC_key, client/server keys,
 * client/server IVs) in block: no copies of the key material to make and
 * wipe. The pointers point into the struct itself, so a tc_keyblock is
 * never copied by value. */
typedef struct tc_keyblock {
  uint8_t block[2 * (TC_HASH_MAX_LEN + 32 + 16)];
  const uint8_t *client_mac, *server_mac, *client_key, *server_key, *client_iv, *server_iv;
  size_t mac_len, key_len, iv_len;
  size_t len; /* the bytes of block written (and wiped by tc_keyblock_wipe) */
} tc_keyblock;

/* key_block = PRF(master, "key expansion", server_random || client_random)
 * (TLS 1.0-1.2; prf is TC_HASH_SHA256/SHA384 for TLS 1.2, TC_HASH_MD5_SHA1
 * before) or the SSL 3.0 derivation (version TC_SSL30, prf ignored).
 * Returns 0 or -1 (bad lengths). */
int tc_keyblock_derive(tc_keyblock *kb, uint16_t version, tc_hash_alg prf, const uint8_t *master,
                       size_t master_len, const uint8_t client_random[32],
                       const uint8_t server_random[32], size_t mac_len, size_t key_len,
                       size_t iv_len);
void tc_keyblock_wipe(tc_keyblock *kb);

/* Set up one direction's record protection for a negotiated suite: the
 * client writes and the server reads with the client_* half. etm: RFC 7366
 * negotiated (ignored for AEAD and stream suites). rng: explicit CBC IVs. */
int tc_prot_init_suite12(tc_prot *p, const tc_suite12 *s, uint16_t version,
                         const tc_keyblock *kb, bool is_client, bool write, bool etm,
                         const tc_rng *rng);

#endif
