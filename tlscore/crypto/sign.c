/* Signatures: RSA PKCS#1 v1.5 and PSS, ECDSA (strict DER), Ed25519/Ed448; TLS scheme mapping. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>

#include "crypto/crypto_internal.h"

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest bytes. */
static const uint8_t di_sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                  0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
static const uint8_t di_sha224[] = {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c};
static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

const uint8_t *tc_digest_info_prefix(tc_hash_alg alg, size_t *len) {
  switch (alg) {
  case TC_HASH_SHA1: *len = sizeof di_sha1; return di_sha1;
  case TC_HASH_SHA224: *len = sizeof di_sha224; return di_sha224;
  case TC_HASH_SHA256: *len = sizeof di_sha256; return di_sha256;
  case TC_HASH_SHA384: *len = sizeof di_sha384; return di_sha384;
  case TC_HASH_SHA512: *len = sizeof di_sha512; return di_sha512;
  case TC_HASH_MD5_SHA1: *len = 0; return di_sha1; /* raw 36 bytes, no DigestInfo */
  default: *len = 0; return NULL;
  }
}

static bool rsa_size_ok(const tc_pubkey *key) {
  return key->bits >= TC_RSA_MIN_BITS && key->bits <= TC_RSA_MAX_BITS;
}

static bool is_rsa(tc_pk_type t) {
  return t == TC_PK_RSA || t == TC_PK_RSA_PSS;
}

/* ---- strict DER for ECDSA-Sig-Value ---- */

/* Reads one positive, minimally encoded INTEGER; returns its magnitude
 * (leading zero stripped) or NULL. */
static const uint8_t *der_read_uint(const uint8_t **p, const uint8_t *end, size_t *len) {
  const uint8_t *c = *p;
  if (end - c < 2 || c[0] != 0x02)
    return NULL;
  size_t n = c[1];
  c += 2;
  if (n == 0 || n >= 0x80 || (size_t)(end - c) < n)
    return NULL; /* ECDSA integers never need long-form lengths */
  if (c[0] & 0x80)
    return NULL; /* negative */
  if (n > 1 && c[0] == 0 && !(c[1] & 0x80))
    return NULL; /* not minimal */
  *p = c + n;
  if (n > 1 && c[0] == 0) {
    c++;
    n--;
  }
  *len = n;
  return c;
}

static int ecdsa_sig_decode(const uint8_t *sig, size_t sig_len, size_t fl,
                            struct dsa_signature *out) {
  const uint8_t *p = sig, *end = sig + sig_len;
  size_t body;
  if (sig_len < 2 || p[0] != 0x30)
    return -1;
  if (p[1] < 0x80) {
    body = p[1];
    p += 2;
  } else if (p[1] == 0x81 && sig_len >= 3 && p[2] >= 0x80) {
    body = p[2];
    p += 3;
  } else {
    return -1;
  }
  if ((size_t)(end - p) != body)
    return -1; /* trailing bytes or truncated */
  size_t rl, sl;
  const uint8_t *r = der_read_uint(&p, end, &rl);
  if (r == NULL)
    return -1;
  const uint8_t *s = der_read_uint(&p, end, &sl);
  if (s == NULL || p != end || rl > fl || sl > fl)
    return -1;
  nettle_mpz_set_str_256_u(out->r, rl, r);
  nettle_mpz_set_str_256_u(out->s, sl, s);
  return 0;
}

static size_t der_put_uint(uint8_t *out, const mpz_t x) {
  size_t n = nettle_mpz_sizeinbase_256_u(x);
  if (n == 0)
    n = 1;
  uint8_t buf[TC_EC_MAX_FIELD + 1];
  nettle_mpz_get_str_256(n, buf + 1, x);
  buf[0] = 0;
  const uint8_t *v = buf + 1;
  if (v[0] & 0x80) { /* keep it positive */
    v = buf;
    n++;
  }
  out[0] = 0x02;
  out[1] = (uint8_t)n;
  memcpy(out + 2, v, n);
  return 2 + n;
}

static int ecdsa_sig_encode(const struct dsa_signature *sig, uint8_t *out, size_t *out_len) {
  uint8_t body[2 * (2 + TC_EC_MAX_FIELD + 1)];
  size_t n = der_put_uint(body, sig->r);
  n += der_put_uint(body + n, sig->s);
  size_t hdr = n < 0x80 ? 2 : 3;
  if (*out_len < hdr + n)
    return -1;
  out[0] = 0x30;
  if (n < 0x80) {
    out[1] = (uint8_t)n;
  } else {
    out[1] = 0x81;
    out[2] = (uint8_t)n;
  }
  memcpy(out + hdr, body, n);
  *out_len = hdr + n;
  return 0;
}

/* ---- verification ---- */

static int pkcs1_verify_digest(const tc_pubkey *key, tc_hash_alg hash, const uint8_t *digest,
                               size_t digest_len, const mpz_t s) {
  size_t pl;
  const uint8_t *prefix = tc_digest_info_prefix(hash, &pl);
  uint8_t di[19 + TC_HASH_MAX_LEN];
  if (prefix == NULL)
    return -1;
  memcpy(di, prefix, pl);
  memcpy(di + pl, digest, digest_len);
  return rsa_pkcs1_verify(&key->rsa, pl + digest_len, di, s) ? 0 : -1;
}

static int pss_verify_digest(const tc_pubkey *key, tc_hash_alg hash, const uint8_t *digest,
                             const mpz_t s) {
  switch (hash) {
  case TC_HASH_SHA256: return rsa_pss_sha256_verify_digest(&key->rsa, 32, digest, s) ? 0 : -1;
  case TC_HASH_SHA384: return rsa_pss_sha384_verify_digest(&key->rsa, 48, digest, s) ? 0 : -1;
  case TC_HASH_SHA512: return rsa_pss_sha512_verify_digest(&key->rsa, 64, digest, s) ? 0 : -1;
  default: return -1;
  }
}

int tc_pk_verify_digest(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash,
                        const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                        size_t sig_len) {
  if (key == NULL || digest_len == 0 || digest_len != tc_hash_len(hash))
    return -1;
  int rc = -1;
  switch (alg) {
  case TC_SIGALG_RSA_PKCS1:
  case TC_SIGALG_RSA_PSS: {
    if (!is_rsa(key->type) || !rsa_size_ok(key) || sig_len != key->rsa.size)
      return -1;
    /* an id-RSASSA-PSS key must not verify PKCS#1 v1.5 signatures */
    if (alg == TC_SIGALG_RSA_PKCS1 && key->type == TC_PK_RSA_PSS)
      return -1;
    mpz_t s;
    nettle_mpz_init_set_str_256_u(s, sig_len, sig);
    if (alg == TC_SIGALG_RSA_PKCS1)
      rc = pkcs1_verify_digest(key, hash, digest, digest_len, s);
    else
      rc = pss_verify_digest(key, hash, digest, s);
    mpz_clear(s);
    return rc;
  }
  case TC_SIGALG_ECDSA: {
    if (key->curve == NULL || hash == TC_HASH_MD5_SHA1)
      return -1;
    struct dsa_signature ds;
    dsa_signature_init(&ds);
    if (ecdsa_sig_decode(sig, sig_len, tc_ec_field_len(key->curve), &ds) == 0)
      rc = ecdsa_verify(&key->point, digest_len, digest, &ds) ? 0 : -1; /* checks 0 < r,s < q */
    dsa_signature_clear(&ds);
    return rc;
  }
  default:
    return -1;
  }
}

int tc_pk_verify(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash, const uint8_t *msg,
                 size_t msg_len, const uint8_t *sig, size_t sig_len) {
  if (key == NULL)
    return -1;
  if (alg == TC_SIGALG_ED25519) {
    if (key->type != TC_PK_ED25519 || sig_len != ED25519_SIGNATURE_SIZE)
      return -1;
    return ed25519_sha512_verify(key->raw, msg_len, msg, sig) ? 0 : -1;
  }
  if (alg == TC_SIGALG_ED448) {
    if (key->type != TC_PK_ED448 || sig_len != ED448_SIGNATURE_SIZE)
      return -1;
    return ed448_shake256_verify(key->raw, msg_len, msg, sig) ? 0 : -1;
  }
  uint8_t digest[TC_HASH_MAX_LEN];
  size_t hl = tc_hash_len(hash);
  if (hl == 0)
    return -1;
  tc_hash(hash, msg, msg_len, digest);
  return tc_pk_verify_digest(key, alg, hash, digest, hl, sig, sig_len);
}

int tc_pk_verify_pss(const tc_pubkey *key, tc_hash_alg hash, size_t salt_len, const uint8_t *msg,
                     size_t msg_len, const uint8_t *sig, size_t sig_len) {
  uint8_t digest[TC_HASH_MAX_LEN];
  size_t hl = tc_hash_len(hash);
  if (key == NULL || !is_rsa(key->type) || !rsa_size_ok(key) || sig_len != key->rsa.size ||
      hl == 0 || salt_len > key->rsa.size)
    return -1;
  tc_hash(hash, msg, msg_len, digest);
  mpz_t s;
  int ok = 0;
  nettle_mpz_init_set_str_256_u(s, sig_len, sig);
  switch (hash) {
  case TC_HASH_SHA256: ok = rsa_pss_sha256_verify_digest(&key->rsa, salt_len, digest, s); break;
  case TC_HASH_SHA384: ok = rsa_pss_sha384_verify_digest(&key->rsa, salt_len, digest, s); break;
  case TC_HASH_SHA512: ok = rsa_pss_sha512_verify_digest(&key->rsa, salt_len, digest, s); break;
  default: break;
  }
  mpz_clear(s);
  return ok ? 0 : -1;
}

/* ---- signing ---- */

size_t tc_pk_sig_max_len(const tc_privkey *key) {
  if (key == NULL)
    return 0;
  switch (key->type) {
  case TC_PK_RSA:
  case TC_PK_RSA_PSS:
    return key->pub->rsa.size;
  case TC_PK_EC_P256:
  case TC_PK_EC_P384:
  case TC_PK_EC_P521: {
    size_t ints = 2 * (2 + tc_ec_field_len(key->pub->curve) + 1);
    return ints + (ints < 0x80 ? 2 : 3);
  }
  case TC_PK_ED25519: return ED25519_SIGNATURE_SIZE;
  case TC_PK_ED448: return ED448_SIGNATURE_SIZE;
  default: return 0;
  }
}

static int rsa_sign_common(const tc_privkey *key, tc_sigalg alg, tc_hash_alg hash,
                           const tc_rng *rng, const uint8_t *digest, size_t digest_len,
                           uint8_t *sig, size_t *sig_len) {
  const tc_pubkey *pub = key->pub;
  if (!rsa_size_ok(pub) || *sig_len < pub->rsa.size)
    return -1;
  if (alg == TC_SIGALG_RSA_PKCS1 && key->type == TC_PK_RSA_PSS)
    return -1;
  tc_nettle_rng r = {rng, false};
  mpz_t s;
  mpz_init(s);
  int ok = 0;
  if (alg == TC_SIGALG_RSA_PKCS1) {
    size_t pl;
    const uint8_t *prefix = tc_digest_info_prefix(hash, &pl);
    uint8_t di[19 + TC_HASH_MAX_LEN];
    if (prefix != NULL) {
      memcpy(di, prefix, pl);
      memcpy(di + pl, digest, digest_len);
      /* blinded, and nettle checks the result against the public key */
      ok = rsa_pkcs1_sign_tr(&pub->rsa, &key->rsa, &r, tc_nettle_random, pl + digest_len, di, s);
    }
  } else {
    uint8_t salt[TC_HASH_MAX_LEN];
    if (tc_random(rng, salt, digest_len) != 0) {
      mpz_clear(s);
      return -1;
    }
    switch (hash) {
    case TC_HASH_SHA256:
      ok = rsa_pss_sha256_sign_digest_tr(&pub->rsa, &key->rsa, &r, tc_nettle_random, 32, salt,
                                         digest, s);
      break;
    case TC_HASH_SHA384:
      ok = rsa_pss_sha384_sign_digest_tr(&pub->rsa, &key->rsa, &r, tc_nettle_random, 48, salt,
                                         digest, s);
      break;
    case TC_HASH_SHA512:
      ok = rsa_pss_sha512_sign_digest_tr(&pub->rsa, &key->rsa, &r, tc_nettle_random, 64, salt,
                                         digest, s);
      break;
    default:
      break;
    }
  }
  if (ok && !r.failed) {
    nettle_mpz_get_str_256(pub->rsa.size, sig, s);
    *sig_len = pub->rsa.size;
  }
  mpz_clear(s);
  return ok && !r.failed ? 0 : -1;
}

static int ecdsa_sign_common(const tc_privkey *key, const tc_rng *rng, const uint8_t *digest,
                             size_t digest_len, uint8_t *sig, size_t *sig_len) {
  const struct ecc_curve *ec = key->pub->curve;
  struct ecc_scalar sc;
  struct dsa_signature ds;
  mpz_t z;
  tc_nettle_rng r = {rng, false};
  int rc = -1;

  nettle_mpz_init_set_str_256_u(z, key->secret_len, key->secret);
  ecc_scalar_init(&sc, ec);
  dsa_signature_init(&ds);
  if (ecc_scalar_set(&sc, z)) {
    ecdsa_sign(&sc, &r, tc_nettle_random, digest_len, digest, &ds);
    if (!r.failed)
      rc = ecdsa_sig_encode(&ds, sig, sig_len);
  }
  dsa_signature_clear(&ds);
  tc_ecc_scalar_wipe_clear(&sc);
  tc_mpz_wipe_clear(z);
  return rc;
}

int tc_pk_sign(const tc_privkey *key, tc_sigalg alg, tc_hash_alg hash, const tc_rng *rng,
               const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len) {
  if (key == NULL)
    return -1;
  if (alg == TC_SIGALG_ED25519) {
    if (key->type != TC_PK_ED25519 || *sig_len < ED25519_SIGNATURE_SIZE)
      return -1;
    ed25519_sha512_sign(key->pub->raw, key->secret, msg_len, msg, sig);
    *sig_len = ED25519_SIGNATURE_SIZE;
    return 0;
  }
  if (alg == TC_SIGALG_ED448) {
    if (key->type != TC_PK_ED448 || *sig_len < ED448_SIGNATURE_SIZE)
      return -1;
    ed448_shake256_sign(key->pub->raw, key->secret, msg_len, msg, sig);
    *sig_len = ED448_SIGNATURE_SIZE;
    return 0;
  }
  size_t hl = tc_hash_len(hash);
  if (hl == 0)
    return -1;
  uint8_t digest[TC_HASH_MAX_LEN];
  tc_hash(hash, msg, msg_len, digest);
  switch (alg) {
  case TC_SIGALG_RSA_PKCS1:
  case TC_SIGALG_RSA_PSS:
    if (!is_rsa(key->type))
      return -1;
    return rsa_sign_common(key, alg, hash, rng, digest, hl, sig, sig_len);
  case TC_SIGALG_ECDSA:
    if (key->pub->curve == NULL || hash == TC_HASH_MD5_SHA1)
      return -1;
    return ecdsa_sign_common(key, rng, digest, hl, sig, sig_len);
  default:
    return -1;
  }
}

/* ---- TLS SignatureScheme ---- */

bool tc_sig_scheme_params(uint16_t scheme, tc_sigalg *alg, tc_hash_alg *hash) {
  tc_sigalg a;
  tc_hash_alg h;
  switch (scheme) {
  case TC_SIG_RSA_PKCS1_SHA1: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA1; break;
  case TC_SIG_RSA_PKCS1_SHA224: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA224; break;
  case TC_SIG_RSA_PKCS1_SHA256: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA256; break;
  case TC_SIG_RSA_PKCS1_SHA384: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA384; break;
  case TC_SIG_RSA_PKCS1_SHA512: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA512; break;
  case TC_SIG_ECDSA_SHA1: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA1; break;
  case TC_SIG_ECDSA_SHA224: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA224; break;
  case TC_SIG_ECDSA_SECP256R1_SHA256: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA256; break;
  case TC_SIG_ECDSA_SECP384R1_SHA384: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA384; break;
  case TC_SIG_ECDSA_SECP521R1_SHA512: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA512; break;
  case TC_SIG_RSA_PSS_RSAE_SHA256:
  case TC_SIG_RSA_PSS_PSS_SHA256: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA256; break;
  case TC_SIG_RSA_PSS_RSAE_SHA384:
  case TC_SIG_RSA_PSS_PSS_SHA384: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA384; break;
  case TC_SIG_RSA_PSS_RSAE_SHA512:
  case TC_SIG_RSA_PSS_PSS_SHA512: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA512; break;
  case TC_SIG_ED25519: a = TC_SIGALG_ED25519; h = TC_HASH_NONE; break;
  case TC_SIG_ED448: a = TC_SIGALG_ED448; h = TC_HASH_NONE; break;
  default: return false;
  }
  if (alg != NULL)
    *alg = a;
  if (hash != NULL)
    *hash = h;
  return true;
}

bool tc_pubkey_fits_scheme(const tc_pubkey *key, uint16_t scheme) {
  if (key == NULL)
    return false;
  switch (scheme) {
  case TC_SIG_RSA_PKCS1_SHA1:
  case TC_SIG_RSA_PKCS1_SHA224:
  case TC_SIG_RSA_PKCS1_SHA256:
  case TC_SIG_RSA_PKCS1_SHA384:
  case TC_SIG_RSA_PKCS1_SHA512:
    return key->type == TC_PK_RSA;
  case TC_SIG_RSA_PSS_RSAE_SHA256:
  case TC_SIG_RSA_PSS_RSAE_SHA384:
  case TC_SIG_RSA_PSS_RSAE_SHA512:
  case TC_SIG_RSA_PSS_PSS_SHA256:
  case TC_SIG_RSA_PSS_PSS_SHA384:
  case TC_SIG_RSA_PSS_PSS_SHA512: {
    bool rsae = scheme <= TC_SIG_RSA_PSS_RSAE_SHA512;
    if (key->type != (rsae ? TC_PK_RSA : TC_PK_RSA_PSS))
      return false;
    tc_hash_alg h;
    tc_sig_scheme_params(scheme, NULL, &h);
    /* EMSA-PSS with salt = hash length needs emLen >= 2*hLen + 2 */
    return key->rsa.size >= 2 * tc_hash_len(h) + 2;
  }
  case TC_SIG_ECDSA_SHA1:
  case TC_SIG_ECDSA_SHA224:
    /* TLS 1.2 pairs do not bind the curve */
    return key->curve != NULL;
  case TC_SIG_ECDSA_SECP256R1_SHA256: return key->type == TC_PK_EC_P256;
  case TC_SIG_ECDSA_SECP384R1_SHA384: return key->type == TC_PK_EC_P384;
  case TC_SIG_ECDSA_SECP521R1_SHA512: return key->type == TC_PK_EC_P521;
  case TC_SIG_ED25519: return key->type == TC_PK_ED25519;
  case TC_SIG_ED448: return key->type == TC_PK_ED448;
  default: return false;
  }
}
