/* Key exchange: X25519, X448, ECDH on NIST curves, FFDHE (RFC 7919) and TLS 1.2 explicit DH. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/curve25519.h>
#include <nettle/curve448.h>

#include "crypto/crypto_internal.h"
#include "crypto/ffdhe_groups.h"

static const struct ecc_curve *group_curve(uint16_t group) {
  switch (group) {
  case TC_GROUP_SECP256R1: return nettle_get_secp_256r1();
  case TC_GROUP_SECP384R1: return nettle_get_secp_384r1();
  case TC_GROUP_SECP521R1: return nettle_get_secp_521r1();
  default: return NULL;
  }
}

bool tc_kex_supported(uint16_t group) {
  return group == TC_GROUP_X25519 || group == TC_GROUP_X448 || group_curve(group) != NULL ||
         tc_ffdhe_group(group) != NULL;
}

size_t tc_kex_pub_len(uint16_t group) {
  const struct ecc_curve *ec = group_curve(group);
  const tc_ffdhe_params *ff = tc_ffdhe_group(group);
  if (group == TC_GROUP_X25519)
    return CURVE25519_SIZE;
  if (group == TC_GROUP_X448)
    return CURVE448_SIZE;
  if (ec != NULL)
    return 1 + 2 * tc_ec_field_len(ec);
  if (ff != NULL)
    return ff->p_len;
  return 0;
}

void tc_kex_free_heap(tc_kex *k) {
  if (k->ff_priv != NULL) {
    tc_wipe(k->ff_priv, k->ff_priv_len);
    free(k->ff_priv);
  }
  k->ff_priv = NULL;
  k->ff_priv_len = 0;
  free(k->dh_p); /* p and g share one allocation */
  k->dh_p = k->dh_g = NULL;
  k->dh_p_len = k->dh_g_len = 0;
}

void tc_kex_clear(tc_kex *k) {
  tc_wipe(k->priv, sizeof k->priv);
  tc_kex_free_heap(k);
  k->priv_len = 0;
  k->group = 0;
}

/* Public point for a NIST scalar already stored in k->priv; fails if the
 * scalar is not in [1, q-1]. */
static int ec_public(tc_kex *k, const struct ecc_curve *ec, uint8_t *pub, size_t *pub_len) {
  size_t fl = tc_ec_field_len(ec);
  struct ecc_scalar s;
  struct ecc_point pt;
  mpz_t z, x, y;
  nettle_mpz_init_set_str_256_u(z, fl, k->priv);
  ecc_scalar_init(&s, ec);
  ecc_point_init(&pt, ec);
  mpz_init(x);
  mpz_init(y);
  int ok = ecc_scalar_set(&s, z);
  if (ok) {
    ecc_point_mul_g(&pt, &s);
    ecc_point_get(&pt, x, y);
    pub[0] = 0x04;
    nettle_mpz_get_str_256(fl, pub + 1, x);
    nettle_mpz_get_str_256(fl, pub + 1 + fl, y);
    *pub_len = 1 + 2 * fl;
  }
  mpz_clear(x);
  mpz_clear(y);
  ecc_point_clear(&pt);
  tc_ecc_scalar_wipe_clear(&s);
  tc_mpz_wipe_clear(z);
  return ok ? 0 : -1;
}

/* Finite-field parameters of a kex: a named group or the peer's explicit ones. */
typedef struct {
  const uint8_t *p, *g;
  size_t p_len, g_len;
} ff_view;

static bool ff_get(const tc_kex *k, ff_view *v) {
  static const uint8_t two = 2;
  const tc_ffdhe_params *ff = tc_ffdhe_group(k->group);
  if (ff != NULL) {
    *v = (ff_view){ff->p, &two, ff->p_len, 1};
    return true;
  }
  if (k->group == 0 && k->dh_p != NULL) {
    *v = (ff_view){k->dh_p, k->dh_g, k->dh_p_len, k->dh_g_len};
    return true;
  }
  return false;
}

static int ff_public(tc_kex *k, const ff_view *v, uint8_t *pub, size_t *pub_len) {
  if (*pub_len < v->p_len)
    return -1;
  mpz_t p, g, x, y;
  nettle_mpz_init_set_str_256_u(p, v->p_len, v->p);
  nettle_mpz_init_set_str_256_u(g, v->g_len, v->g);
  nettle_mpz_init_set_str_256_u(x, k->ff_priv_len, k->ff_priv);
  mpz_init(y);
  int ok = mpz_sgn(x) > 0 && mpz_odd_p(p);
  if (ok) {
    mpz_powm_sec(y, g, x, p); /* needs odd p and x > 0 */
    nettle_mpz_get_str_256(v->p_len, pub, y);
    *pub_len = v->p_len;
  }
  mpz_clear(p);
  mpz_clear(g);
  tc_mpz_wipe_clear(x);
  mpz_clear(y);
  return ok ? 0 : -1;
}

static int ff_set_priv(tc_kex *k, const uint8_t *priv, size_t priv_len) {
  k->ff_priv = malloc(priv_len);
  if (k->ff_priv == NULL)
    return -1;
  memcpy(k->ff_priv, priv, priv_len);
  k->ff_priv_len = priv_len;
  return 0;
}

const uint8_t *tc_kex_ffdhe_prime(uint16_t group, size_t *len) {
  const tc_ffdhe_params *ff = tc_ffdhe_group(group);
  if (ff == NULL)
    return NULL;
  *len = ff->p_len;
  return ff->p;
}

int tc_kex_generate_from(tc_kex *k, uint16_t group, const uint8_t *priv, size_t priv_len,
                         uint8_t *pub, size_t *pub_len) {
  const struct ecc_curve *ec = group_curve(group);
  const tc_ffdhe_params *ff = tc_ffdhe_group(group);
  size_t need = tc_kex_pub_len(group);
  uint8_t saved[sizeof k->priv];
  /* Callers may recompute a share from k's own scalar (HelloRetryRequest),
   * so copy it out before k is reset. */
  if (ff == NULL) {
    if (priv_len > sizeof saved)
      return -1;
    if (priv_len > 0)
      memcpy(saved, priv, priv_len);
    priv = saved;
  }
  memset(k, 0, sizeof *k);
  k->group = group;
  if (need == 0 || *pub_len < need)
    goto fail;
  if (group == TC_GROUP_X25519 || group == TC_GROUP_X448) {
    size_t n = group == TC_GROUP_X25519 ? CURVE25519_SIZE : CURVE448_SIZE;
    if (priv_len != n)
      goto fail;
    memcpy(k->priv, priv, n);
    k->priv_len = n;
    /* nettle clamps the scalar as RFC 7748 requires */
    if (group == TC_GROUP_X25519)
      curve25519_mul_g(pub, k->priv);
    else
      curve448_mul_g(pub, k->priv);
    *pub_len = n;
    tc_wipe(saved, sizeof saved);
    return 0;
  }
  if (ec != NULL) {
    size_t fl = tc_ec_field_len(ec);
    if (priv_len != fl)
      goto fail;
    memcpy(k->priv, priv, fl);
    k->priv_len = fl;
    if (ec_public(k, ec, pub, pub_len) != 0)
      goto fail;
    tc_wipe(saved, sizeof saved);
    return 0;
  }
  if (ff != NULL) {
    ff_view v;
    if (priv_len == 0 || priv_len > ff->p_len || ff_set_priv(k, priv, priv_len) != 0 ||
        !ff_get(k, &v) || ff_public(k, &v, pub, pub_len) != 0)
      goto fail;
    return 0;
  }
fail:
  tc_wipe(saved, sizeof saved);
  tc_kex_clear(k);
  return -1;
}

int tc_kex_generate(tc_kex *k, uint16_t group, const tc_rng *rng, uint8_t *pub, size_t *pub_len) {
  const struct ecc_curve *ec = group_curve(group);
  const tc_ffdhe_params *ff = tc_ffdhe_group(group);
  uint8_t buf[TC_EC_MAX_FIELD];
  size_t n;
  int rc = -1;

  memset(k, 0, sizeof *k);
  if (tc_kex_pub_len(group) == 0 || *pub_len < tc_kex_pub_len(group))
    return -1;

  if (group == TC_GROUP_X25519 || group == TC_GROUP_X448) {
    n = group == TC_GROUP_X25519 ? CURVE25519_SIZE : CURVE448_SIZE;
    if (tc_random(rng, buf, n) == 0)
      rc = tc_kex_generate_from(k, group, buf, n, pub, pub_len);
  } else if (ec != NULL) {
    /* Rejection sampling: draw until the scalar is in [1, q-1]. For P-521
     * the top byte is masked to the order's bit length, so few draws fail. */
    n = tc_ec_field_len(ec);
    unsigned top_bits = ecc_bit_size(ec) % 8;
    for (int tries = 0; tries < 64 && rc != 0; tries++) {
      if (tc_random(rng, buf, n) != 0)
        break;
      if (top_bits != 0)
        buf[0] &= (uint8_t)((1u << top_bits) - 1);
      rc = tc_kex_generate_from(k, group, buf, n, pub, pub_len);
    }
  } else if (ff != NULL) {
    n = ff->exp_bits / 8;
    uint8_t *x = malloc(n);
    if (x != NULL) {
      if (tc_random(rng, x, n) == 0) {
        x[0] |= 0x80; /* full-size exponent, never zero */
        rc = tc_kex_generate_from(k, group, x, n, pub, pub_len);
      }
      tc_wipe(x, n);
      free(x);
    }
  }
  tc_wipe(buf, sizeof buf);
  if (rc != 0)
    memset(k, 0, sizeof *k);
  return rc;
}

static int ec_derive(tc_kex *k, const struct ecc_curve *ec, const uint8_t *peer, size_t peer_len,
                     uint8_t *secret, size_t *secret_len) {
  size_t fl = tc_ec_field_len(ec);
  /* uncompressed only; 0x00 (infinity) and compressed forms are refused */
  if (peer_len != 1 + 2 * fl || peer[0] != 0x04)
    return -1;
  struct ecc_point q, r;
  struct ecc_scalar s;
  mpz_t x, y, z;
  int rc = -1;
  nettle_mpz_init_set_str_256_u(x, fl, peer + 1);
  nettle_mpz_init_set_str_256_u(y, fl, peer + 1 + fl);
  nettle_mpz_init_set_str_256_u(z, k->priv_len, k->priv);
  ecc_point_init(&q, ec);
  ecc_point_init(&r, ec);
  ecc_scalar_init(&s, ec);
  /* ecc_point_set checks 0 <= x, y < p and the curve equation; the curves
   * have cofactor 1, so any point on them is in the prime-order group */
  if (ecc_point_set(&q, x, y) && ecc_scalar_set(&s, z)) {
    ecc_point_mul(&r, &s, &q);
    ecc_point_get(&r, x, y);
    nettle_mpz_get_str_256(fl, secret, x);
    *secret_len = fl;
    rc = 0;
  }
  ecc_point_clear(&q);
  ecc_point_clear(&r);
  tc_ecc_scalar_wipe_clear(&s);
  tc_mpz_wipe_clear(x);
  tc_mpz_wipe_clear(y);
  tc_mpz_wipe_clear(z);
  return rc;
}

static int ff_derive(tc_kex *k, const ff_view *v, const uint8_t *peer, size_t peer_len,
                     uint8_t *secret, size_t *secret_len) {
  /* TLS 1.3 pads the share to the size of p; TLS 1.2 senders may strip
   * leading zeros, so any length up to p's is taken and the value checked */
  if (peer_len == 0 || peer_len > v->p_len || k->ff_priv == NULL || *secret_len < v->p_len)
    return -1;
  mpz_t p, y, x, z;
  int rc = -1;
  nettle_mpz_init_set_str_256_u(p, v->p_len, v->p);
  nettle_mpz_init_set_str_256_u(y, peer_len, peer);
  nettle_mpz_init_set_str_256_u(x, k->ff_priv_len, k->ff_priv);
  mpz_init(z);
  /* 1 < y < p-1 rules out the trivial subgroups; with the RFC 7919 safe
   * primes nothing smaller than q remains */
  mpz_sub_ui(z, p, 1);
  if (mpz_cmp_ui(y, 1) > 0 && mpz_cmp(y, z) < 0) {
    mpz_powm_sec(z, y, x, p);
    if (mpz_cmp_ui(z, 1) != 0) {
      nettle_mpz_get_str_256(v->p_len, secret, z);
      *secret_len = v->p_len;
      rc = 0;
    }
  }
  mpz_clear(p);
  mpz_clear(y);
  tc_mpz_wipe_clear(x);
  tc_mpz_wipe_clear(z);
  return rc;
}

int tc_kex_generate_dh(tc_kex *k, const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                       unsigned min_bits, const tc_rng *rng, uint8_t *pub, size_t *pub_len) {
  memset(k, 0, sizeof *k);
  /* strip leading zeros so lengths and bit counts are honest */
  while (p_len > 0 && p[0] == 0) {
    p++;
    p_len--;
  }
  while (g_len > 0 && g[0] == 0) {
    g++;
    g_len--;
  }
  if (p_len == 0 || p_len > TC_KEX_MAX_PUB_LEN || g_len == 0 || g_len > p_len ||
      *pub_len < p_len)
    return -1;

  mpz_t mp, mg;
  nettle_mpz_init_set_str_256_u(mp, p_len, p);
  nettle_mpz_init_set_str_256_u(mg, g_len, g);
  size_t bits = mpz_sizeinbase(mp, 2);
  /* p odd and big enough, 1 < g < p-1 */
  bool ok = mpz_odd_p(mp) && bits >= min_bits && bits >= 512 && mpz_cmp_ui(mg, 1) > 0;
  if (ok) {
    mpz_sub_ui(mp, mp, 1);
    ok = mpz_cmp(mg, mp) < 0;
  }
  mpz_clear(mp);
  mpz_clear(mg);
  if (!ok)
    return -1;

  k->dh_p = malloc(p_len + g_len);
  if (k->dh_p == NULL)
    return -1;
  memcpy(k->dh_p, p, p_len);
  memcpy(k->dh_p + p_len, g, g_len);
  k->dh_p_len = p_len;
  k->dh_g = k->dh_p + p_len;
  k->dh_g_len = g_len;

  /* Without the subgroup order, use a long exponent: 512 bits (or just
   * under p) is far beyond the work factor of any p we accept. */
  size_t xbits = bits - 1 < 512 ? bits - 1 : 512;
  size_t n = (xbits + 7) / 8;
  uint8_t x[64];
  ff_view v;
  int rc = -1;
  if (tc_random(rng, x, n) == 0) {
    if (xbits % 8 != 0)
      x[0] &= (uint8_t)((1u << (xbits % 8)) - 1);
    x[0] |= (uint8_t)(1u << ((xbits - 1) % 8)); /* full length, never zero */
    if (ff_set_priv(k, x, n) == 0 && ff_get(k, &v))
      rc = ff_public(k, &v, pub, pub_len);
  }
  tc_wipe(x, sizeof x);
  if (rc != 0)
    tc_kex_clear(k);
  return rc;
}

int tc_kex_derive(tc_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t *secret_len) {
  const struct ecc_curve *ec = group_curve(k->group);
  /* the secret is as long as a share, except for NIST curves (X only);
   * finite-field sizes are checked in ff_derive */
  size_t need = ec != NULL ? tc_ec_field_len(ec) : tc_kex_pub_len(k->group);
  if (need != 0 && *secret_len < need)
    return -1;
  if (k->group == TC_GROUP_X25519 || k->group == TC_GROUP_X448) {
    size_t n = k->group == TC_GROUP_X25519 ? CURVE25519_SIZE : CURVE448_SIZE;
    if (peer_len != n || k->priv_len != n)
      return -1;
    if (k->group == TC_GROUP_X25519)
      curve25519_mul(secret, k->priv, peer);
    else
      curve448_mul(secret, k->priv, peer);
    /* RFC 7748 §6: an all-zero result means a small-order peer point */
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
      acc |= secret[i];
    if (acc == 0)
      return -1;
    *secret_len = n;
    return 0;
  }
  if (ec != NULL && k->priv_len == tc_ec_field_len(ec))
    return ec_derive(k, ec, peer, peer_len, secret, secret_len);
  ff_view v;
  if (ff_get(k, &v))
    return ff_derive(k, &v, peer, peer_len, secret, secret_len);
  return -1;
}
