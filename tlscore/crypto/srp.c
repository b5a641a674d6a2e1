/* SRP-6a group arithmetic (RFC 5054 §2.5-2.6); the hashes x, k, u are computed by the caller. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>

#include "crypto/crypto_internal.h"

#define SRP_MAX_N_BYTES 1024 /* 8192-bit groups */

static void num_init(mpz_t z, tc_num n) {
  nettle_mpz_init_set_str_256_u(z, n.len, n.p);
}

/* N must be odd (powm_sec) and of a size we accept; g in (1, N). */
static bool group_ok(const mpz_t N, const mpz_t g) {
  size_t bytes = nettle_mpz_sizeinbase_256_u(N);
  return mpz_odd_p(N) && bytes >= 64 && bytes <= SRP_MAX_N_BYTES && mpz_cmp_ui(g, 1) > 0 &&
         mpz_cmp(g, N) < 0;
}

static size_t n_len(tc_num N) {
  while (N.len > 0 && N.p[0] == 0) {
    N.p++;
    N.len--;
  }
  return N.len;
}

int tc_srp_calc_verifier(tc_num N, tc_num g, tc_num x, uint8_t *v) {
  return tc_srp_client_public(N, g, x, v); /* the same g^e mod N */
}

int tc_srp_client_public(tc_num N, tc_num g, tc_num a, uint8_t *A) {
  mpz_t mN, mg, ma, mA;
  int rc = -1;
  num_init(mN, N);
  num_init(mg, g);
  num_init(ma, a);
  mpz_init(mA);
  if (group_ok(mN, mg) && mpz_sgn(ma) > 0) {
    mpz_powm_sec(mA, mg, ma, mN);
    nettle_mpz_get_str_256(n_len(N), A, mA);
    rc = 0;
  }
  mpz_clear(mN);
  mpz_clear(mg);
  tc_mpz_wipe_clear(ma);
  mpz_clear(mA);
  return rc;
}

int tc_srp_server_public(tc_num N, tc_num g, tc_num k, tc_num v, tc_num b, uint8_t *B) {
  mpz_t mN, mg, mk, mv, mb, mB;
  int rc = -1;
  num_init(mN, N);
  num_init(mg, g);
  num_init(mk, k);
  num_init(mv, v);
  num_init(mb, b);
  mpz_init(mB);
  if (group_ok(mN, mg) && mpz_sgn(mb) > 0) {
    /* B = (k*v + g^b) mod N */
    mpz_powm_sec(mB, mg, mb, mN);
    mpz_mul(mk, mk, mv);
    mpz_add(mB, mB, mk);
    mpz_mod(mB, mB, mN);
    /* B = 0 would make the session key 0: vanishingly unlikely, but refuse */
    if (mpz_sgn(mB) != 0) {
      nettle_mpz_get_str_256(n_len(N), B, mB);
      rc = 0;
    }
  }
  mpz_clear(mN);
  mpz_clear(mg);
  tc_mpz_wipe_clear(mk);
  tc_mpz_wipe_clear(mv);
  tc_mpz_wipe_clear(mb);
  tc_mpz_wipe_clear(mB);
  return rc;
}

/* Minimal big-endian bytes of S (TLS uses S without leading zeros). */
static void put_secret(const mpz_t S, uint8_t *out, size_t *out_len) {
  size_t n = nettle_mpz_sizeinbase_256_u(S);
  nettle_mpz_get_str_256(n, out, S);
  *out_len = n;
}

int tc_srp_server_secret(tc_num N, tc_num A, tc_num v, tc_num u, tc_num b, uint8_t *S,
                         size_t *S_len) {
  mpz_t mN, mA, mv, mu, mb, mS;
  int rc = -1;
  num_init(mN, N);
  num_init(mA, A);
  num_init(mv, v);
  num_init(mu, u);
  num_init(mb, b);
  mpz_init(mS);
  size_t nbytes = nettle_mpz_sizeinbase_256_u(mN);
  /* RFC 5054 §2.5.4: abort if A % N == 0; A must also fit in N's length
   * and u must not be 0 */
  if (mpz_odd_p(mN) && nbytes >= 64 && nbytes <= SRP_MAX_N_BYTES && mpz_sgn(mu) > 0 &&
      mpz_sgn(mb) > 0 && mpz_cmp(mv, mN) < 0) {
    mpz_mod(mS, mA, mN);
    if (mpz_sgn(mS) != 0) {
      /* S = (A * v^u) ^ b mod N */
      mpz_powm_sec(mS, mv, mu, mN);
      mpz_mul(mS, mS, mA);
      mpz_mod(mS, mS, mN);
      mpz_powm_sec(mS, mS, mb, mN);
      if (mpz_cmp_ui(mS, 1) > 0) {
        put_secret(mS, S, S_len);
        rc = 0;
      }
    }
  }
  mpz_clear(mN);
  mpz_clear(mA);
  tc_mpz_wipe_clear(mv);
  mpz_clear(mu);
  tc_mpz_wipe_clear(mb);
  tc_mpz_wipe_clear(mS);
  return rc;
}

int tc_srp_client_secret(tc_num N, tc_num g, tc_num k, tc_num x, tc_num a, tc_num u, tc_num B,
                         uint8_t *S, size_t *S_len) {
  mpz_t mN, mg, mk, mx, ma, mu, mB, t, e;
  int rc = -1;
  num_init(mN, N);
  num_init(mg, g);
  num_init(mk, k);
  num_init(mx, x);
  num_init(ma, a);
  num_init(mu, u);
  num_init(mB, B);
  mpz_init(t);
  mpz_init(e);
  if (group_ok(mN, mg) && mpz_sgn(mu) > 0 && mpz_sgn(ma) > 0) {
    /* RFC 5054 §2.6: abort if B % N == 0 */
    mpz_mod(t, mB, mN);
    if (mpz_sgn(t) != 0) {
      /* S = (B - k * g^x) ^ (a + u * x) mod N */
      mpz_powm_sec(t, mg, mx, mN);
      mpz_mul(t, t, mk);
      mpz_sub(t, mB, t);
      mpz_mod(t, t, mN); /* GMP's mod is non-negative */
      mpz_mul(e, mu, mx);
      mpz_add(e, e, ma);
      if (mpz_sgn(t) != 0) {
        mpz_powm_sec(t, t, e, mN);
        if (mpz_cmp_ui(t, 1) > 0) {
          put_secret(t, S, S_len);
          rc = 0;
        }
      }
    }
  }
  mpz_clear(mN);
  mpz_clear(mg);
  mpz_clear(mk);
  tc_mpz_wipe_clear(mx);
  tc_mpz_wipe_clear(ma);
  mpz_clear(mu);
  mpz_clear(mB);
  tc_mpz_wipe_clear(t);
  tc_mpz_wipe_clear(e);
  return rc;
}

int tc_srp_reduce(tc_num N, tc_num in, uint8_t *out) {
  mpz_t mN, mi;
  int rc = -1;
  num_init(mN, N);
  num_init(mi, in);
  if (mpz_sgn(mN) > 0) {
    mpz_mod(mi, mi, mN);
    if (mpz_sgn(mi) != 0) {
      nettle_mpz_get_str_256(n_len(N), out, mi);
      rc = 0;
    }
  }
  mpz_clear(mN);
  tc_mpz_wipe_clear(mi);
  return rc;
}
