/* SRP outside the handshake: group table look-ups, RFC 5054 hashes, verifiers, fake users, config setters. */
#include <stdlib.h>
#include <string.h>

#include "auth/srp_groups.h"
#include "engine/config_internal.h"

const tc_srp_group_def *tc_srp_group_by_bits(unsigned bits) {
  for (size_t i = 0; i < TC_SRP_N_GROUPS; i++)
    if (tc_srp_groups[i].bits == bits)
      return &tc_srp_groups[i];
  return NULL;
}

const tc_srp_group_def *tc_srp_group_match(const uint8_t *N, size_t N_len, const uint8_t *g,
                                           size_t g_len) {
  while (N_len && !*N) {
    N++;
    N_len--;
  }
  while (g_len && !*g) {
    g++;
    g_len--;
  }
  if (g_len != 1)
    return NULL;
  for (size_t i = 0; i < TC_SRP_N_GROUPS; i++) {
    const tc_srp_group_def *d = &tc_srp_groups[i];
    /* Public values: an ordinary compare is fine. */
    if (d->N_len == N_len && d->g == g[0] && memcmp(d->N, N, N_len) == 0)
      return d;
  }
  return NULL;
}

int tc_srp_group(unsigned group_bits, const uint8_t **N, size_t *N_len, const uint8_t **g,
                 size_t *g_len, tc_error *err) {
  const tc_srp_group_def *d = tc_srp_group_by_bits(group_bits);
  if (!d)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "%u bits is not an RFC 5054 SRP group size (1024, 1536, 2048, 3072, "
                        "4096, 6144, 8192)",
                        group_bits);
  *N = d->N;
  *N_len = d->N_len;
  *g = &d->g;
  *g_len = 1;
  return TC_OK;
}

unsigned tc_srp_group_bits(const uint8_t *N, size_t N_len, const uint8_t *g, size_t g_len) {
  const tc_srp_group_def *d = tc_srp_group_match(N, N_len, g, g_len);
  return d ? d->bits : 0;
}

/* ---- RFC 5054 hashes ---- */

static void count(tc_srp_ops *ops, size_t n) {
  if (ops) {
    ops->hashes++;
    ops->hashed += n;
  }
}

void tc_srp_hash_x(const uint8_t *user, size_t user_len, const uint8_t *pw, size_t pw_len,
                   const uint8_t *salt, size_t salt_len, uint8_t x[20], tc_srp_ops *ops) {
  tc_hash_ctx h;
  uint8_t inner[20];
  tc_hash_init(&h, TC_HASH_SHA1);
  tc_hash_update(&h, user, user_len);
  tc_hash_update(&h, (const uint8_t *)":", 1);
  tc_hash_update(&h, pw, pw_len);
  tc_hash_final(&h, inner);
  count(ops, user_len + 1 + pw_len);
  tc_hash_init(&h, TC_HASH_SHA1);
  tc_hash_update(&h, salt, salt_len);
  tc_hash_update(&h, inner, sizeof inner);
  tc_hash_final(&h, x);
  count(ops, salt_len + sizeof inner);
  tc_wipe(inner, sizeof inner);
  tc_wipe(&h, sizeof h);
}

static void update_padded(tc_hash_ctx *h, size_t width, const uint8_t *p, size_t len) {
  static const uint8_t zeros[64];
  size_t pad = len < width ? width - len : 0;
  while (pad) {
    size_t n = pad < sizeof zeros ? pad : sizeof zeros;
    tc_hash_update(h, zeros, n);
    pad -= n;
  }
  tc_hash_update(h, p, len);
}

void tc_srp_hash_k(const tc_srp_group_def *grp, uint8_t k[20], tc_srp_ops *ops) {
  tc_hash_ctx h;
  tc_hash_init(&h, TC_HASH_SHA1);
  tc_hash_update(&h, grp->N, grp->N_len);
  update_padded(&h, grp->N_len, &grp->g, 1);
  tc_hash_final(&h, k);
  count(ops, 2 * grp->N_len);
}

void tc_srp_hash_u(const tc_srp_group_def *grp, const uint8_t *A, size_t A_len, const uint8_t *B,
                   size_t B_len, uint8_t u[20], tc_srp_ops *ops) {
  tc_hash_ctx h;
  tc_hash_init(&h, TC_HASH_SHA1);
  update_padded(&h, grp->N_len, A, A_len);
  update_padded(&h, grp->N_len, B, B_len);
  tc_hash_final(&h, u);
  count(ops, 2 * grp->N_len);
}

int tc_srp_fake_verifier(const tc_srp_group_def *grp, const uint8_t *secret, size_t secret_len,
                         const uint8_t *user, size_t user_len, uint8_t *salt, uint8_t *v,
                         tc_srp_ops *ops) {
  /* Both from HKDF-SHA256 keyed with the server secret, bound to the name:
   * stable per name, unpredictable without the secret. The verifier is a
   * value mod N (not g^x: nobody can tell without the real x, and it costs
   * no exponentiation); 64 extra bytes make the reduction unbiased enough. */
  uint8_t prk[32], wide[TC_SRP_MAX_N_BYTES + 64];
  int rc = -1;
  tc_hkdf_extract(TC_HASH_SHA256, (const uint8_t *)"tlslite-gio srp fake user", 25, secret,
                  secret_len, prk);
  count(ops, secret_len);
  /* info = label || user */
  uint8_t info[16 + TC_SRP_MAX_USER];
  if (user_len > TC_SRP_MAX_USER)
    return -1;
  memcpy(info, "salt            ", 16);
  memcpy(info + 16, user, user_len);
  if (tc_hkdf_expand(TC_HASH_SHA256, prk, sizeof prk, info, 16 + user_len, salt, TC_SRP_SALT_LEN))
    goto out;
  count(ops, 16 + user_len);
  memcpy(info, "verifier        ", 16);
  size_t wl = grp->N_len + 64;
  if (tc_hkdf_expand(TC_HASH_SHA256, prk, sizeof prk, info, 16 + user_len, wide, wl))
    goto out;
  count(ops, 16 + user_len);
  if (tc_srp_reduce((tc_num){grp->N, grp->N_len}, (tc_num){wide, wl}, v))
    goto out;
  rc = 0;
out:
  tc_wipe(prk, sizeof prk);
  tc_wipe(wide, sizeof wide);
  return rc;
}

/* ---- verifiers ---- */

static int check_user_pw(const uint8_t *user, size_t user_len, const uint8_t *pw, size_t pw_len,
                         tc_error *err) {
  if (!user || user_len == 0 || user_len > TC_SRP_MAX_USER || memchr(user, 0, user_len))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "SRP user name must be 1..255 bytes without NUL");
  if (!pw || pw_len == 0 || pw_len > TC_SRP_MAX_PASSWORD)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "SRP password must be 1..1024 bytes");
  return TC_OK;
}

int tc_srp_compute_verifier(const uint8_t *user, size_t user_len, const uint8_t *password,
                            size_t pw_len, unsigned group_bits, const uint8_t *salt,
                            size_t salt_len, tc_srp_verifier *out, tc_error *err) {
  const uint8_t *N, *g;
  size_t N_len, g_len;
  if (!out || check_user_pw(user, user_len, password, pw_len, err) ||
      tc_srp_group(group_bits, &N, &N_len, &g, &g_len, err))
    return out ? TC_FAIL : tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no verifier to fill");
  if (!salt || salt_len == 0 || salt_len > TC_SRP_MAX_SALT)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "SRP salt must be 1..255 bytes");
  memset(out, 0, sizeof *out);
  uint8_t x[20];
  tc_srp_hash_x(user, user_len, password, pw_len, salt, salt_len, x, NULL);
  int r = tc_srp_calc_verifier((tc_num){N, N_len}, (tc_num){g, g_len}, (tc_num){x, sizeof x},
                          out->verifier);
  tc_wipe(x, sizeof x);
  if (r)
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "SRP verifier computation failed");
  out->group_bits = group_bits;
  memcpy(out->salt, salt, salt_len);
  out->salt_len = salt_len;
  out->verifier_len = N_len;
  return TC_OK;
}

int tc_srp_make_verifier(const uint8_t *user, size_t user_len, const uint8_t *password,
                         size_t pw_len, unsigned group_bits, tc_rng_fn rng, void *rng_ctx,
                         tc_srp_verifier *out, tc_error *err) {
  uint8_t salt[TC_SRP_SALT_LEN];
  tc_rng r = {rng, rng_ctx};
  if (tc_random(&r, salt, sizeof salt))
    return tc_error_set(err, TC_ERR_RANDOM, "random source failed");
  return tc_srp_compute_verifier(user, user_len, password, pw_len, group_bits, salt, sizeof salt,
                                 out, err);
}

bool tc_srp_check_password(const tc_srp_verifier *v, const uint8_t *user, size_t user_len,
                           const uint8_t *password, size_t pw_len) {
  tc_srp_verifier *t = malloc(sizeof *t);
  tc_error e;
  tc_error_clear(&e);
  if (!t || !v || v->verifier_len == 0 || v->verifier_len > TC_SRP_MAX_N_BYTES) {
    free(t);
    return false;
  }
  bool ok = false;
  if (tc_srp_compute_verifier(user, user_len, password, pw_len, v->group_bits, v->salt,
                              v->salt_len, t, &e) == TC_OK) {
    /* Compare as numbers: the stored form may carry leading zeros or not. */
    size_t n = t->verifier_len, m = v->verifier_len;
    uint8_t padded[TC_SRP_MAX_N_BYTES];
    memset(padded, 0, sizeof padded);
    if (m <= n) {
      memcpy(padded + (n - m), v->verifier, m);
      ok = tc_ct_equal(padded, t->verifier, n);
    }
  }
  tc_wipe(t, sizeof *t);
  free(t);
  return ok;
}

/* ---- configuration ---- */

void tc_srp_cfg_free(tc_srp_cfg *s) {
  if (s->user) {
    tc_wipe(s->user, s->user_len);
    free(s->user);
  }
  if (s->pw) {
    tc_wipe(s->pw, s->pw_len);
    free(s->pw);
  }
  tc_wipe(s, sizeof *s);
}

int tc_config_set_srp_credentials(tc_config *cfg, const char *user, const uint8_t *password,
                                  size_t pw_len, tc_error *err) {
  if (cfg->role != TC_ROLE_CLIENT)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "SRP credentials are for clients");
  uint8_t *u = NULL, *p = NULL;
  size_t ul = user ? strlen(user) : 0;
  if (user) {
    if (check_user_pw((const uint8_t *)user, ul, password, pw_len, err))
      return TC_FAIL;
    u = malloc(ul + 1);
    p = malloc(pw_len);
    if (!u || !p) {
      free(u);
      free(p);
      return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    }
    memcpy(u, user, ul + 1);
    memcpy(p, password, pw_len);
  }
  bool client = cfg->srp.client;
  unsigned mn = cfg->srp.min_bits, mx = cfg->srp.max_bits;
  uint8_t secret[64];
  size_t sl = cfg->srp.secret_len;
  memcpy(secret, cfg->srp.secret, sizeof secret);
  bool server = cfg->srp.server;
  tc_srp_cfg_free(&cfg->srp);
  cfg->srp.user = u;
  cfg->srp.user_len = u ? ul : 0;
  cfg->srp.pw = p;
  cfg->srp.pw_len = p ? pw_len : 0;
  cfg->srp.client = client;
  cfg->srp.server = server;
  cfg->srp.min_bits = mn;
  cfg->srp.max_bits = mx;
  memcpy(cfg->srp.secret, secret, sizeof secret);
  cfg->srp.secret_len = sl;
  tc_wipe(secret, sizeof secret);
  return TC_OK;
}

void tc_config_set_srp_client(tc_config *cfg, bool on) { cfg->srp.client = on; }

void tc_config_set_srp_server(tc_config *cfg, bool on) {
  cfg->srp.server = on;
  /* Drawn now, while the config is set up by one thread, rather than
   * lazily under a lock in the handshake. */
  if (on && cfg->srp.secret_len == 0 && tc_random(&cfg->rng, cfg->srp.secret, 32) == 0)
    cfg->srp.secret_len = 32;
}

int tc_config_set_srp_secret(tc_config *cfg, const uint8_t *secret, size_t len, tc_error *err) {
  if (!secret || len < 16 || len > sizeof cfg->srp.secret)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "SRP server secret must be 16..64 bytes");
  memcpy(cfg->srp.secret, secret, len);
  cfg->srp.secret_len = len;
  return TC_OK;
}

int tc_config_set_srp_group_bits(tc_config *cfg, unsigned min_bits, unsigned max_bits,
                                 tc_error *err) {
  if (min_bits < 1024 || max_bits > 8192 || min_bits > max_bits)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "SRP group sizes must satisfy 1024 <= min (%u) <= max (%u) <= 8192",
                        min_bits, max_bits);
  cfg->srp.min_bits = min_bits;
  cfg->srp.max_bits = max_bits;
  return TC_OK;
}
