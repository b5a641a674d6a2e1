/* Private to tlscore/crypto/: key object layouts and nettle glue shared by the crypto files. */
#ifndef TLSCORE_CRYPTO_INTERNAL_H
#define TLSCORE_CRYPTO_INTERNAL_H

#include <stdatomic.h>

#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/rsa.h>

#include "crypto/crypto.h"

/* Largest field element we handle (P-521: 66 bytes). */
#define TC_EC_MAX_FIELD 66
#define TC_EC_MAX_POINT (1 + 2 * TC_EC_MAX_FIELD)
/* RSA moduli above this are refused: they only serve to make us burn CPU. */
#define TC_RSA_MAX_BITS 16384
#define TC_RSA_MIN_BITS 1024

struct tc_pubkey {
  atomic_uint refs;
  tc_pk_type type;
  unsigned bits;
  struct rsa_public_key rsa;      /* RSA, RSA_PSS */
  const struct ecc_curve *curve;  /* EC */
  struct ecc_point point;         /* EC, validated on construction */
  bool point_init;
  uint8_t raw[TC_EC_MAX_POINT];   /* EC: 0x04||X||Y; EdDSA: the encoded key */
  size_t raw_len;
};

struct tc_privkey {
  atomic_uint refs;
  tc_pk_type type;
  tc_pubkey *pub;                 /* owned reference */
  struct rsa_private_key rsa;     /* RSA, RSA_PSS (d kept for export) */
  bool rsa_init;
  uint8_t secret[TC_EC_MAX_FIELD + 1]; /* EC scalar (fixed length, big-endian) or EdDSA seed */
  size_t secret_len;
};

/* Bridges nettle's random callbacks (which cannot fail) to a tc_rng: a
 * failure is latched in `failed` and the caller discards the result. */
typedef struct tc_nettle_rng {
  const tc_rng *rng;
  bool failed;
} tc_nettle_rng;
void tc_nettle_random(void *ctx, size_t len, uint8_t *out);

/* Written by constant-time code so the compiler keeps loops that only
 * exist to equalise timing. */
extern volatile uint8_t tc_ct_sink;

/* Curve description for an EC key type; NULL if not a NIST curve. */
const struct ecc_curve *tc_ec_curve(tc_pk_type type);
size_t tc_ec_field_len(const struct ecc_curve *curve);

/* Overwrite an mpz's limbs before it is cleared (GMP does not wipe). */
void tc_mpz_wipe_clear(mpz_t x);
/* Overwrite an ecc_scalar before it is cleared. */
void tc_ecc_scalar_wipe_clear(struct ecc_scalar *s);

/* The DER DigestInfo prefix for PKCS#1 v1.5 signatures; NULL for hashes we
 * do not sign with. TC_HASH_MD5_SHA1 has an empty prefix (TLS 1.0/1.1). */
const uint8_t *tc_digest_info_prefix(tc_hash_alg alg, size_t *len);

#endif
