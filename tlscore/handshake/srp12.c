/* SRP key exchange in the TLS 1.0-1.2 handshakes (RFC 5054): credentials, wants, ServerKeyExchange and ClientKeyExchange math. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/tls12.h"

#define FAIL_WITH(c, code, ...) (tc_error_set(&(c)->err, (code), __VA_ARGS__), HS_FAILED)

static const char wrong_credentials[] =
    "SRP authentication failed: wrong user name or password";

/* ---- credentials and configuration views ---- */

bool tc12_suite_is_srp(const tc_suite12 *s) { return s && s->kx == TC_KX12_SRP; }

bool tc12_cfg_has_srp(const tc_config *cfg) {
  return cfg->role == TC_ROLE_CLIENT ? cfg->srp.user != NULL || cfg->srp.client : cfg->srp.server;
}

bool tc12_srp_client_creds(const tc_conn *c, const uint8_t **user, size_t *user_len,
                           const uint8_t **pw, size_t *pw_len) {
  const uint8_t *u = c->srp.own ? c->srp.user : c->cfg->srp.user;
  if (!u)
    return false;
  *user = u;
  *user_len = c->srp.own ? c->srp.user_len : c->cfg->srp.user_len;
  *pw = c->srp.own ? c->srp.pw : c->cfg->srp.pw;
  *pw_len = c->srp.own ? c->srp.pw_len : c->cfg->srp.pw_len;
  return true;
}

static bool client_has_creds(const tc_conn *c) {
  const uint8_t *u, *p;
  size_t ul, pl;
  return tc12_srp_client_creds(c, &u, &ul, &p, &pl);
}

bool tc12_conn_has_srp(const tc_conn *c) {
  if (c->role == TC_ROLE_SERVER)
    return c->cfg->srp.server;
  return client_has_creds(c) || c->cfg->srp.client || c->srp.request;
}

bool tc12_srp_want_credentials(const tc_conn *c) {
  return c->role == TC_ROLE_CLIENT && c->srp.request && !client_has_creds(c);
}

static unsigned min_bits(const tc_config *cfg) {
  return cfg->srp.min_bits ? cfg->srp.min_bits : TC_SRP_DEFAULT_MIN_BITS;
}

static unsigned max_bits(const tc_config *cfg) {
  return cfg->srp.max_bits ? cfg->srp.max_bits : TC_SRP_DEFAULT_MAX_BITS;
}

static int dup_bytes(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len) {
  uint8_t *p = NULL;
  if (len) {
    if (!(p = malloc(len)))
      return TC_FAIL;
    memcpy(p, src, len);
  }
  if (*dst) {
    tc_wipe(*dst, *dst_len);
    free(*dst);
  }
  *dst = p;
  *dst_len = len;
  return TC_OK;
}

int tc12_srp_set_name(tc_conn *c, const uint8_t *name, size_t len) {
  if (dup_bytes(&c->srp.name, &c->srp.name_len, name, name ? len : 0))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  return TC_OK;
}

void tc_srp_conn_clear(tc_srp_conn *s) {
  if (s->user) {
    tc_wipe(s->user, s->user_len);
    free(s->user);
  }
  if (s->pw) {
    tc_wipe(s->pw, s->pw_len);
    free(s->pw);
  }
  if (s->name) {
    tc_wipe(s->name, s->name_len);
    free(s->name);
  }
  tc_wipe(s, sizeof *s);
}

/* Copy credentials into the connection (its own, overriding the config's). */
static int set_own(tc_conn *c, const char *user, const uint8_t *password, size_t pw_len,
                   tc_error *why) {
  if (!user) {
    dup_bytes(&c->srp.user, &c->srp.user_len, NULL, 0);
    dup_bytes(&c->srp.pw, &c->srp.pw_len, NULL, 0);
    c->srp.own = false;
    return TC_OK;
  }
  size_t ul = strlen(user);
  if (ul == 0 || ul > TC_SRP_MAX_USER || !password || pw_len == 0 || pw_len > TC_SRP_MAX_PASSWORD)
    return tc_error_set(why, TC_ERR_INVALID_ARGUMENT,
                        "SRP user name must be 1..255 bytes and password 1..1024 bytes");
  if (dup_bytes(&c->srp.user, &c->srp.user_len, (const uint8_t *)user, ul) ||
      dup_bytes(&c->srp.pw, &c->srp.pw_len, password, pw_len))
    return tc_error_set(why, TC_ERR_NOMEM, "out of memory");
  c->srp.own = true;
  return TC_OK;
}

int tc_conn_set_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                size_t pw_len) {
  if (c->role != TC_ROLE_CLIENT || c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT,
                          "SRP credentials are set on a client before its handshake");
  tc_error e;
  tc_error_clear(&e);
  if (set_own(c, user, password, pw_len, &e))
    return tc_conn_refuse(c, e.code, e.message);
  return TC_OK;
}

int tc_conn_request_srp_credentials(tc_conn *c) {
  if (c->role != TC_ROLE_CLIENT || c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT,
                          "SRP credentials are requested on a client before its handshake");
  c->srp.request = true;
  return TC_OK;
}

bool tc_conn_srp_requested(const tc_conn *c) { return c->srp.requested; }

int tc_conn_answer_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                   size_t pw_len) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_SRP_CREDENTIALS || !c->hs)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no SRP credentials request pending"),
           tc_conn_fail(c);
  c->want = TC_WANT_NONE;
  if (!user) {
    /* Nothing was sent yet: no alert either. */
    tc_error_set(&c->err, TC_ERR_UNKNOWN_PSK_IDENTITY,
                 "the server wants SRP and no SRP credentials were given");
    c->err.alert = -1;
    return tc_conn_fail(c);
  }
  if (set_own(c, user, password, pw_len, &c->err))
    return tc_conn_fail(c);
  if (tc_conn_send_client_hello(c))
    return tc_conn_fail(c);
  return tc_conn_continue(c);
}

const uint8_t *tc_conn_srp_username(const tc_conn *c, size_t *len) {
  if (len)
    *len = c->srp.name_len;
  return c->srp.name;
}

int tc_conn_answer_srp_verifier(tc_conn *c, const tc_srp_verifier *v) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_SRP_VERIFIER || !c->hs || !c->hs->srp)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no SRP verifier request pending"),
           tc_conn_fail(c);
  c->want = TC_WANT_NONE;
  tc_srp_hs *s = c->hs->srp;
  if (v) {
    const tc_srp_group_def *g = tc_srp_group_by_bits(v->group_bits);
    if (!g || v->salt_len == 0 || v->salt_len > TC_SRP_MAX_SALT || v->verifier_len == 0 ||
        v->verifier_len > TC_SRP_MAX_N_BYTES)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR,
                          "invalid SRP verifier given for the user (group %u bits, salt %zu "
                          "bytes, verifier %zu bytes)",
                          v->group_bits, v->salt_len, v->verifier_len),
             tc_conn_fail(c);
    s->real = *v;
    s->known = true;
  }
  s->answered = true;
  return tc_conn_continue(c);
}

/* ---- client ---- */

void tc12_srp_client_ext(tc_conn *c, tc_exts *e) {
  const uint8_t *u, *p;
  size_t ul, pl;
  c->srp.offered = true;
  if (!tc12_srp_client_creds(c, &u, &ul, &p, &pl))
    return; /* RFC 5054 section 2.5.1.2: SRP suites without a name */
  tc_exts_set(e, TC_EXT_SRP);
  e->srp_identity = (tc_bytes){u, ul};
  c->srp.named = true;
}

static size_t strip(const uint8_t **p, size_t n) {
  while (n > 1 && !**p) {
    (*p)++;
    n--;
  }
  return n;
}

int tc12_srp_client_ske(tc_conn *c, const tc_server_key_exchange *ske) {
  tc_hs12 *h = &c->hs->t12;
  const tc_config *cfg = c->cfg;
  const uint8_t *user, *pw;
  size_t ul, pwl;
  if (!tc12_srp_client_creds(c, &user, &ul, &pw, &pwl))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "SRP exchange without credentials");
  const tc_srp_group_def *grp =
      tc_srp_group_match(ske->srp_n.p, ske->srp_n.len, ske->srp_g.p, ske->srp_g.len);
  const uint8_t *np = ske->srp_n.p;
  size_t nbits = strip(&np, ske->srp_n.len) * 8;
  if (!grp)
    return tc_error_set(&c->err, TC_ERR_INSUFFICIENT_SECURITY,
                        "server's SRP group (a %zu-bit N) is not one of the RFC 5054 groups we "
                        "accept",
                        nbits);
  if (grp->bits < min_bits(cfg) || grp->bits > max_bits(cfg))
    return tc_error_set(&c->err, TC_ERR_INSUFFICIENT_SECURITY,
                        "server's SRP group has %u bits, outside the allowed %u..%u", grp->bits,
                        min_bits(cfg), max_bits(cfg));
  const uint8_t *Bp = ske->srp_b.p;
  size_t Bl = strip(&Bp, ske->srp_b.len);
  if (Bl > grp->N_len)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server's SRP value B is longer than the group's N");
  tc_num N = {grp->N, grp->N_len}, g = {&grp->g, 1};
  uint8_t a[TC_SRP_EXP_LEN], k[20], x[20], u[20];
  uint8_t *A = malloc(grp->N_len), *S = malloc(grp->N_len);
  size_t S_len = 0;
  int r = TC_FAIL;
  if (!A || !S) {
    tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    goto out;
  }
  if (tc_random(&cfg->rng, a, sizeof a)) {
    tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
    goto out;
  }
  c->srp.ops.modexp += TC_SRP_MODEXP_CLIENT_PUBLIC;
  if (tc_srp_client_public(N, g, (tc_num){a, sizeof a}, A)) {
    tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "SRP computation failed");
    goto out;
  }
  tc_srp_hash_k(grp, k, &c->srp.ops);
  tc_srp_hash_u(grp, A, grp->N_len, Bp, Bl, u, &c->srp.ops);
  tc_srp_hash_x(user, ul, pw, pwl, ske->srp_s.p, ske->srp_s.len, x, &c->srp.ops);
  c->srp.ops.modexp += TC_SRP_MODEXP_CLIENT_SECRET;
  /* Fails for B % N == 0 (RFC 5054 §2.5.3: illegal_parameter) and for the
   * degenerate u == 0 or S <= 1. */
  if (tc_srp_client_secret(N, g, (tc_num){k, 20}, (tc_num){x, 20}, (tc_num){a, sizeof a},
                           (tc_num){u, 20}, (tc_num){Bp, Bl}, S, &S_len)) {
    tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                 "server's SRP value B is invalid (B mod N is 0)");
    goto out;
  }
  const uint8_t *Ap = A;
  size_t Al = strip(&Ap, grp->N_len);
  free(h->c_pub);
  if (!(h->c_pub = malloc(Al))) {
    tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    goto out;
  }
  memcpy(h->c_pub, Ap, Al);
  h->c_pub_len = Al;
  if (h->pms) {
    tc_wipe(h->pms, h->pms_len);
    free(h->pms);
  }
  h->pms = S; /* RFC 5054 §2.6: the premaster secret is S */
  h->pms_len = S_len;
  S = NULL;
  c->group = 0;
  r = TC_OK;
out:
  tc_wipe(a, sizeof a);
  tc_wipe(x, sizeof x);
  free(A);
  if (S) {
    tc_wipe(S, grp->N_len);
    free(S);
  }
  return r;
}

/* ---- server ---- */

tc_hs_state tc12_srp_server_ask(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (!hs->srp && !(hs->srp = calloc(1, sizeof *hs->srp)))
    return FAIL_WITH(c, TC_ERR_NOMEM, "out of memory");
  c->want = TC_WANT_SRP_VERIFIER;
  return HS_S12_SRP_FLIGHT;
}

/* Select a when mask is 0xff, b when 0: no branch on which it is. */
static void ct_select(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n, uint8_t mask) {
  for (size_t i = 0; i < n; i++)
    out[i] = (uint8_t)((a[i] & mask) | (b[i] & (uint8_t)~mask));
}

tc_hs_state tc_server12_srp_flight(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_srp_hs *s = hs->srp;
  const tc_config *cfg = c->cfg;
  if (!s || !s->answered)
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "SRP verifier requested but not answered");
  char who[80];
  tc_psk_escape(c->srp.name, c->srp.name_len, who, sizeof who);
  /* An unknown user gets a group of the smallest size we serve, like new users. */
  unsigned bits = s->known ? s->real.group_bits : min_bits(cfg);
  const tc_srp_group_def *grp = tc_srp_group_by_bits(bits);
  if (!grp)
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "no RFC 5054 group of %u bits", bits);
  if (bits < min_bits(cfg) || bits > max_bits(cfg))
    return FAIL_WITH(c, TC_ERR_INSUFFICIENT_SECURITY,
                     "the verifier of SRP user '%s' uses a %u-bit group, outside the allowed "
                     "%u..%u",
                     who, bits, min_bits(cfg), max_bits(cfg));
  if (s->known && s->real.verifier_len > grp->N_len)
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR,
                     "the verifier of SRP user '%s' is longer than its group's N", who);
  if (cfg->srp.secret_len == 0)
    return FAIL_WITH(c, TC_ERR_RANDOM, "no SRP server secret (random source failed)");
  s->grp = grp;
  size_t nl = grp->N_len;
  /* RFC 5054 §2.5.1.3: the fake salt and verifier are computed for every
   * user and the real ones picked without a branch, so a known and an
   * unknown name cost the same. */
  uint8_t fake_salt[TC_SRP_SALT_LEN], fake_v[TC_SRP_MAX_N_BYTES], real_v[TC_SRP_MAX_N_BYTES];
  uint8_t salt_a[TC_SRP_MAX_SALT], salt_b[TC_SRP_MAX_SALT], salt[TC_SRP_MAX_SALT];
  memset(real_v, 0, nl);
  memset(salt_a, 0, sizeof salt_a);
  memset(salt_b, 0, sizeof salt_b);
  if (tc_srp_fake_verifier(grp, cfg->srp.secret, cfg->srp.secret_len, c->srp.name,
                           c->srp.name_len, fake_salt, fake_v, &c->srp.ops))
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "SRP fake verifier computation failed");
  size_t rl = s->known ? s->real.verifier_len : 0;
  memcpy(real_v + (nl - rl), s->real.verifier, rl);
  memcpy(salt_a, s->real.salt, s->known ? s->real.salt_len : 0);
  memcpy(salt_b, fake_salt, sizeof fake_salt);
  uint8_t mask = (uint8_t)(0 - (uint8_t)s->known);
  ct_select(s->v, real_v, fake_v, nl, mask);
  ct_select(salt, salt_a, salt_b, sizeof salt, mask);
  size_t salt_len = (s->real.salt_len & (size_t)(0 - (size_t)s->known)) |
                    (sizeof fake_salt & ~(size_t)(0 - (size_t)s->known));
  tc_wipe(fake_v, sizeof fake_v);
  tc_wipe(real_v, sizeof real_v);
  tc_wipe(&s->real, sizeof s->real);

  uint8_t k[20];
  tc_srp_hash_k(grp, k, &c->srp.ops);
  if (tc_random(&cfg->rng, s->b, sizeof s->b))
    return FAIL_WITH(c, TC_ERR_RANDOM, "random source failed");
  c->srp.ops.modexp += TC_SRP_MODEXP_SERVER_PUBLIC;
  if (tc_srp_server_public((tc_num){grp->N, nl}, (tc_num){&grp->g, 1}, (tc_num){k, 20},
                           (tc_num){s->v, nl}, (tc_num){s->b, sizeof s->b}, s->B))
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "SRP computation failed");

  tc_server_key_exchange ske;
  memset(&ske, 0, sizeof ske);
  ske.kx = TC_KX_SRP;
  const uint8_t *Bp = s->B;
  size_t Bl = strip(&Bp, nl);
  ske.srp_n = (tc_bytes){grp->N, nl};
  ske.srp_g = (tc_bytes){&grp->g, 1};
  ske.srp_s = (tc_bytes){salt, salt_len};
  ske.srp_b = (tc_bytes){Bp, Bl};
  uint8_t *sig = NULL;
  size_t sl = 0;
  if (h->suite->auth == TC_AUTH12_RSA) {
    tc_writer params;
    tc_wr_init_dyn(&params);
    if (tc_msg_write_ske_params(&params, &ske) || !tc_wr_ok(&params)) {
      tc_wr_free(&params);
      return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "cannot write ServerKeyExchange");
    }
    int r = tc12_sign_params(c, hs->my_key, hs->my_scheme, tc_wr_data(&params),
                             tc_wr_len(&params), &sig, &sl);
    tc_wr_free(&params);
    if (r)
      return HS_FAILED;
    ske.has_signature = true;
    ske.has_scheme = c->version >= TC_TLS12;
    ske.scheme = hs->my_scheme;
    ske.signature = (tc_bytes){sig, sl};
  }
  size_t start = c->hsw.len;
  int r = tc_msg_write_server_key_exchange(&c->hsw, &ske) || tc12_transcript_added(c, start);
  free(sig);
  tc_wipe(salt, sizeof salt);
  if (r)
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "cannot write ServerKeyExchange");
  start = c->hsw.len;
  if (tc_msg_write_empty(&c->hsw, TC_HS_SERVER_HELLO_DONE) || tc12_transcript_added(c, start))
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "cannot write ServerHelloDone");
  return HS_S12_WAIT_CKE;
}

int tc12_srp_server_premaster(tc_conn *c, const tc_bytes *Ab, uint8_t **pms, size_t *pms_len) {
  tc_srp_hs *s = c->hs->srp;
  if (!s || !s->grp)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "SRP state missing");
  const tc_srp_group_def *grp = s->grp;
  size_t nl = grp->N_len;
  const uint8_t *Ap = Ab->p;
  size_t Al = strip(&Ap, Ab->len);
  if (Al > nl)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "client's SRP value A is longer than the group's N");
  uint8_t u[20];
  const uint8_t *Bp = s->B;
  size_t Bl = strip(&Bp, nl);
  tc_srp_hash_u(grp, Ap, Al, Bp, Bl, u, &c->srp.ops);
  uint8_t *S = malloc(nl);
  if (!S)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  size_t S_len = 0;
  c->srp.ops.modexp += TC_SRP_MODEXP_SERVER_SECRET;
  /* Fails for A % N == 0 (RFC 5054 §2.5.4: illegal_parameter). */
  if (tc_srp_server_secret((tc_num){grp->N, nl}, (tc_num){Ap, Al}, (tc_num){s->v, nl},
                           (tc_num){u, 20}, (tc_num){s->b, sizeof s->b}, S, &S_len)) {
    free(S);
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "client's SRP value A is invalid (A mod N is 0)");
  }
  tc_wipe(s->b, sizeof s->b);
  tc_wipe(s->v, sizeof s->v);
  *pms = S;
  *pms_len = S_len;
  return TC_OK;
}

/* ---- errors ---- */

void tc12_srp_explain(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_error *e = &c->err;
  if (!hs)
    return;
  bool rejected = e->code == TC_ERR_BAD_RECORD_MAC || e->code == TC_ERR_DECRYPT_ERROR;
  if (c->role == TC_ROLE_CLIENT) {
    /* RFC 5054 section 2.5.1.2: a server that wants SRP asks for the name so. */
    if (e->remote && e->code == TC_ERR_UNKNOWN_PSK_IDENTITY && c->srp.offered && !c->srp.named &&
        c->state == HS_C_WAIT_SH) {
      c->srp.requested = true;
      snprintf(e->message, sizeof e->message,
               "the server wants SRP credentials (RFC 5054 section 2.5.1.2): reconnect and answer "
               "TC_WANT_SRP_CREDENTIALS (tc_conn_request_srp_credentials)");
      return;
    }
    if (!tc12_suite_is_srp(hs->t12.suite) || hs->t12.resumed)
      return;
    /* The server could not read our Finished (remote alert), or its own
     * Finished did not verify here: different premasters either way. */
    if ((e->remote && rejected &&
         (c->state == HS_C12_WAIT_FINISHED || c->state == HS_C12_WAIT_NST)) ||
        (!e->remote && rejected && c->state == HS_C12_WAIT_FINISHED))
      snprintf(e->message, sizeof e->message, "%s", wrong_credentials);
    return;
  }
  if (!tc12_suite_is_srp(hs->t12.suite) || hs->t12.resumed || e->remote || !rejected ||
      c->state != HS_S12_WAIT_FINISHED)
    return;
  char who[80];
  tc_psk_escape(c->srp.name, c->srp.name_len, who, sizeof who);
  snprintf(e->message, sizeof e->message,
           "SRP authentication failed for user '%s': %s (the client's Finished did not verify)",
           who, hs->srp && hs->srp->known ? "wrong password" : "unknown user");
}
