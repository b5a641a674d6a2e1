/* Public and private key objects: construction with validation, refcounting, export. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/eddsa.h>

#include "crypto/crypto_internal.h"

const struct ecc_curve *tc_ec_curve(tc_pk_type type) {
  switch (type) {
  case TC_PK_EC_P256: return nettle_get_secp_256r1();
  case TC_PK_EC_P384: return nettle_get_secp_384r1();
  case TC_PK_EC_P521: return nettle_get_secp_521r1();
  default: return NULL;
  }
}

size_t tc_ec_field_len(const struct ecc_curve *curve) {
  return ((size_t)ecc_bit_size(curve) + 7) / 8;
}

/* ---- public keys ---- */

static tc_pubkey *pubkey_alloc(tc_pk_type type) {
  tc_pubkey *k = calloc(1, sizeof *k);
  if (k == NULL)
    return NULL;
  atomic_init(&k->refs, 1);
  k->type = type;
  rsa_public_key_init(&k->rsa);
  return k;
}

static void pubkey_free(tc_pubkey *k) {
  rsa_public_key_clear(&k->rsa);
  if (k->point_init)
    ecc_point_clear(&k->point);
  free(k);
}

tc_pubkey *tc_pubkey_ref(tc_pubkey *key) {
  if (key != NULL)
    atomic_fetch_add_explicit(&key->refs, 1, memory_order_relaxed);
  return key;
}

void tc_pubkey_unref(tc_pubkey *key) {
  if (key != NULL && atomic_fetch_sub_explicit(&key->refs, 1, memory_order_acq_rel) == 1)
    pubkey_free(key);
}

tc_pk_type tc_pubkey_type(const tc_pubkey *key) {
  return key != NULL ? key->type : TC_PK_NONE;
}

unsigned tc_pubkey_bits(const tc_pubkey *key) {
  return key != NULL ? key->bits : 0;
}

static tc_pubkey *pubkey_new_rsa_typed(tc_pk_type type, const uint8_t *n, size_t n_len,
                                       const uint8_t *e, size_t e_len) {
  if (n_len == 0 || e_len == 0 || n_len > TC_RSA_MAX_BITS / 8 + 1 || e_len > n_len)
    return NULL;
  tc_pubkey *k = pubkey_alloc(type);
  if (k == NULL)
    return NULL;
  nettle_mpz_set_str_256_u(k->rsa.n, n_len, n);
  nettle_mpz_set_str_256_u(k->rsa.e, e_len, e);
  size_t bits = mpz_sizeinbase(k->rsa.n, 2);
  /* e must be odd, > 1 and below n; n odd and of a size we accept */
  if (mpz_even_p(k->rsa.n) || bits > TC_RSA_MAX_BITS || bits < 512 ||
      mpz_even_p(k->rsa.e) || mpz_cmp_ui(k->rsa.e, 1) <= 0 || mpz_cmp(k->rsa.e, k->rsa.n) >= 0 ||
      !rsa_public_key_prepare(&k->rsa)) {
    pubkey_free(k);
    return NULL;
  }
  k->bits = (unsigned)bits;
  return k;
}

tc_pubkey *tc_pubkey_new_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len) {
  return pubkey_new_rsa_typed(TC_PK_RSA, n, n_len, e, e_len);
}

tc_pubkey *tc_pubkey_new_rsa_pss(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len) {
  return pubkey_new_rsa_typed(TC_PK_RSA_PSS, n, n_len, e, e_len);
}

tc_pubkey *tc_pubkey_new_ec(tc_pk_type curve, const uint8_t *point, size_t len) {
  const struct ecc_curve *ec = tc_ec_curve(curve);
  if (ec == NULL)
    return NULL;
  size_t fl = tc_ec_field_len(ec);
  /* uncompressed form only; this also excludes the point at infinity */
  if (len != 1 + 2 * fl || point[0] != 0x04)
    return NULL;
  tc_pubkey *k = pubkey_alloc(curve);
  if (k == NULL)
    return NULL;
  mpz_t x, y;
  nettle_mpz_init_set_str_256_u(x, fl, point + 1);
  nettle_mpz_init_set_str_256_u(y, fl, point + 1 + fl);
  ecc_point_init(&k->point, ec);
  k->point_init = true;
  int ok = ecc_point_set(&k->point, x, y); /* checks range and the curve equation */
  mpz_clear(x);
  mpz_clear(y);
  if (!ok) {
    pubkey_free(k);
    return NULL;
  }
  k->curve = ec;
  k->bits = ecc_bit_size(ec);
  memcpy(k->raw, point, len);
  k->raw_len = len;
  return k;
}

tc_pubkey *tc_pubkey_new_ed25519(const uint8_t pk[32]) {
  tc_pubkey *k = pubkey_alloc(TC_PK_ED25519);
  if (k == NULL)
    return NULL;
  memcpy(k->raw, pk, 32);
  k->raw_len = 32;
  k->bits = 256;
  return k;
}

tc_pubkey *tc_pubkey_new_ed448(const uint8_t pk[57]) {
  tc_pubkey *k = pubkey_alloc(TC_PK_ED448);
  if (k == NULL)
    return NULL;
  memcpy(k->raw, pk, 57);
  k->raw_len = 57;
  k->bits = 456;
  return k;
}

static bool is_rsa(tc_pk_type t) {
  return t == TC_PK_RSA || t == TC_PK_RSA_PSS;
}

bool tc_pubkey_equal(const tc_pubkey *a, const tc_pubkey *b) {
  if (a == NULL || b == NULL)
    return false;
  if (is_rsa(a->type) && is_rsa(b->type))
    return mpz_cmp(a->rsa.n, b->rsa.n) == 0 && mpz_cmp(a->rsa.e, b->rsa.e) == 0;
  return a->type == b->type && a->raw_len == b->raw_len &&
         memcmp(a->raw, b->raw, a->raw_len) == 0;
}

/* Minimal big-endian bytes of a non-negative integer (one zero byte for 0). */
static uint8_t *mpz_export_min(const mpz_t x, size_t *len) {
  size_t n = nettle_mpz_sizeinbase_256_u(x);
  if (n == 0)
    n = 1;
  uint8_t *out = malloc(n);
  if (out == NULL)
    return NULL;
  nettle_mpz_get_str_256(n, out, x);
  *len = n;
  return out;
}

int tc_pubkey_export_rsa(const tc_pubkey *key, uint8_t **n, size_t *n_len, uint8_t **e,
                         size_t *e_len) {
  if (key == NULL || !is_rsa(key->type))
    return -1;
  *n = mpz_export_min(key->rsa.n, n_len);
  *e = mpz_export_min(key->rsa.e, e_len);
  if (*n == NULL || *e == NULL) {
    free(*n);
    free(*e);
    *n = *e = NULL;
    return -1;
  }
  return 0;
}

int tc_pubkey_export_point(const tc_pubkey *key, uint8_t *out, size_t *len) {
  if (key == NULL || key->raw_len == 0)
    return -1;
  memcpy(out, key->raw, key->raw_len);
  *len = key->raw_len;
  return 0;
}

/* ---- private keys ---- */

static tc_privkey *privkey_alloc(tc_pk_type type) {
  tc_privkey *k = calloc(1, sizeof *k);
  if (k == NULL)
    return NULL;
  atomic_init(&k->refs, 1);
  k->type = type;
  return k;
}

static void privkey_free(tc_privkey *k) {
  if (k->rsa_init) {
    tc_mpz_wipe_clear(k->rsa.d);
    tc_mpz_wipe_clear(k->rsa.p);
    tc_mpz_wipe_clear(k->rsa.q);
    tc_mpz_wipe_clear(k->rsa.a);
    tc_mpz_wipe_clear(k->rsa.b);
    tc_mpz_wipe_clear(k->rsa.c);
  }
  tc_pubkey_unref(k->pub);
  tc_wipe(k, sizeof *k);
  free(k);
}

tc_privkey *tc_privkey_ref(tc_privkey *key) {
  if (key != NULL)
    atomic_fetch_add_explicit(&key->refs, 1, memory_order_relaxed);
  return key;
}

void tc_privkey_unref(tc_privkey *key) {
  if (key != NULL && atomic_fetch_sub_explicit(&key->refs, 1, memory_order_acq_rel) == 1)
    privkey_free(key);
}

tc_pk_type tc_privkey_type(const tc_privkey *key) {
  return key != NULL ? key->type : TC_PK_NONE;
}

const tc_pubkey *tc_privkey_pubkey(const tc_privkey *key) {
  return key != NULL ? key->pub : NULL;
}

tc_privkey *tc_privkey_new_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
                               const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                               const uint8_t *dq, size_t dq_len, const uint8_t *qinv,
                               size_t qinv_len) {
  if (d_len == 0 || p_len == 0 || q_len == 0 || dp_len == 0 || dq_len == 0 || qinv_len == 0 ||
      d_len > n_len || p_len > n_len || q_len > n_len || dp_len > n_len || dq_len > n_len ||
      qinv_len > n_len)
    return NULL;
  tc_privkey *k = privkey_alloc(TC_PK_RSA);
  if (k == NULL)
    return NULL;
  k->pub = tc_pubkey_new_rsa(n, n_len, e, e_len);
  if (k->pub == NULL) {
    privkey_free(k);
    return NULL;
  }
  rsa_private_key_init(&k->rsa);
  k->rsa_init = true;
  nettle_mpz_set_str_256_u(k->rsa.d, d_len, d);
  nettle_mpz_set_str_256_u(k->rsa.p, p_len, p);
  nettle_mpz_set_str_256_u(k->rsa.q, q_len, q);
  nettle_mpz_set_str_256_u(k->rsa.a, dp_len, dp);
  nettle_mpz_set_str_256_u(k->rsa.b, dq_len, dq);
  nettle_mpz_set_str_256_u(k->rsa.c, qinv_len, qinv);

  /* The CRT parts must describe the same modulus, or a fault would be
   * signed under the wrong key; the sign functions also check each result. */
  mpz_t t;
  mpz_init(t);
  mpz_mul(t, k->rsa.p, k->rsa.q);
  bool ok = mpz_cmp(t, k->pub->rsa.n) == 0 && mpz_cmp_ui(k->rsa.p, 1) > 0 &&
            mpz_cmp_ui(k->rsa.q, 1) > 0;
  if (ok) {
    /* qinv * q == 1 (mod p) */
    mpz_mul(t, k->rsa.c, k->rsa.q);
    mpz_mod(t, t, k->rsa.p);
    ok = mpz_cmp_ui(t, 1) == 0;
  }
  tc_mpz_wipe_clear(t);
  if (!ok || !rsa_private_key_prepare(&k->rsa) || k->rsa.size != k->pub->rsa.size) {
    privkey_free(k);
    return NULL;
  }
  return k;
}

int tc_privkey_make_rsa_pss(tc_privkey *key) {
  /* only a key nobody else holds yet: its type is part of what it promises */
  if (key == NULL || key->type != TC_PK_RSA || atomic_load(&key->refs) != 1 ||
      atomic_load(&key->pub->refs) != 1)
    return -1;
  key->type = TC_PK_RSA_PSS;
  key->pub->type = TC_PK_RSA_PSS;
  return 0;
}

tc_privkey *tc_privkey_new_ec(tc_pk_type curve, const uint8_t *scalar, size_t len) {
  const struct ecc_curve *ec = tc_ec_curve(curve);
  if (ec == NULL || len == 0)
    return NULL;
  size_t fl = tc_ec_field_len(ec);
  /* SEC1 keys are fixed length, but some encoders strip leading zeros */
  while (len > fl && scalar[0] == 0) {
    scalar++;
    len--;
  }
  if (len > fl)
    return NULL;
  tc_privkey *k = privkey_alloc(curve);
  if (k == NULL)
    return NULL;
  memcpy(k->secret + (fl - len), scalar, len);
  k->secret_len = fl;

  struct ecc_scalar s;
  struct ecc_point pt;
  mpz_t z, x, y;
  nettle_mpz_init_set_str_256_u(z, fl, k->secret);
  ecc_scalar_init(&s, ec);
  ecc_point_init(&pt, ec);
  mpz_init(x);
  mpz_init(y);
  int ok = ecc_scalar_set(&s, z); /* 0 < z < q */
  if (ok) {
    uint8_t enc[TC_EC_MAX_POINT];
    ecc_point_mul_g(&pt, &s);
    ecc_point_get(&pt, x, y);
    enc[0] = 0x04;
    nettle_mpz_get_str_256(fl, enc + 1, x);
    nettle_mpz_get_str_256(fl, enc + 1 + fl, y);
    k->pub = tc_pubkey_new_ec(curve, enc, 1 + 2 * fl);
    ok = k->pub != NULL;
  }
  mpz_clear(x);
  mpz_clear(y);
  ecc_point_clear(&pt);
  tc_ecc_scalar_wipe_clear(&s);
  tc_mpz_wipe_clear(z);
  if (!ok) {
    privkey_free(k);
    return NULL;
  }
  return k;
}

tc_privkey *tc_privkey_new_ed25519(const uint8_t seed[32]) {
  tc_privkey *k = privkey_alloc(TC_PK_ED25519);
  if (k == NULL)
    return NULL;
  uint8_t pk[ED25519_KEY_SIZE];
  memcpy(k->secret, seed, 32);
  k->secret_len = 32;
  ed25519_sha512_public_key(pk, seed);
  k->pub = tc_pubkey_new_ed25519(pk);
  if (k->pub == NULL) {
    privkey_free(k);
    return NULL;
  }
  return k;
}

tc_privkey *tc_privkey_new_ed448(const uint8_t seed[57]) {
  tc_privkey *k = privkey_alloc(TC_PK_ED448);
  if (k == NULL)
    return NULL;
  uint8_t pk[ED448_KEY_SIZE];
  memcpy(k->secret, seed, 57);
  k->secret_len = 57;
  ed448_shake256_public_key(pk, seed);
  k->pub = tc_pubkey_new_ed448(pk);
  if (k->pub == NULL) {
    privkey_free(k);
    return NULL;
  }
  return k;
}

int tc_privkey_export_rsa(const tc_privkey *key, uint8_t *out[8], size_t out_len[8]) {
  if (key == NULL || !key->rsa_init)
    return -1;
  const mpz_srcptr parts[8] = {key->pub->rsa.n, key->pub->rsa.e, key->rsa.d, key->rsa.p,
                               key->rsa.q, key->rsa.a, key->rsa.b, key->rsa.c};
  for (int i = 0; i < 8; i++) {
    out[i] = mpz_export_min(parts[i], &out_len[i]);
    if (out[i] == NULL) {
      for (int j = 0; j < i; j++) {
        tc_wipe(out[j], out_len[j]);
        free(out[j]);
        out[j] = NULL;
      }
      return -1;
    }
  }
  return 0;
}

int tc_privkey_export_ec(const tc_privkey *key, uint8_t *scalar, size_t *len, uint8_t *point,
                         size_t *point_len) {
  if (key == NULL || tc_ec_curve(key->type) == NULL)
    return -1;
  memcpy(scalar, key->secret, key->secret_len);
  *len = key->secret_len;
  if (point != NULL) {
    memcpy(point, key->pub->raw, key->pub->raw_len);
    *point_len = key->pub->raw_len;
  }
  return 0;
}

int tc_privkey_export_ed25519(const tc_privkey *key, uint8_t seed[32]) {
  if (key == NULL || key->type != TC_PK_ED25519)
    return -1;
  memcpy(seed, key->secret, 32);
  return 0;
}

int tc_privkey_export_ed448(const tc_privkey *key, uint8_t seed[57]) {
  if (key == NULL || key->type != TC_PK_ED448)
    return -1;
  memcpy(seed, key->secret, 57);
  return 0;
}
