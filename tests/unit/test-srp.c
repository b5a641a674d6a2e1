/* SRP (RFC 5054): appendix B vectors, groups, verifiers, and SRP handshakes in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "auth/srp_groups.h"
#include "crypto/crypto.h"
#include "engine/conn_internal.h"
#include "pump.h"
#include "tlscore/conn.h"

static GBytes *hex(const char *h) {
  GByteArray *a = g_byte_array_new();
  for (const char *p = h; *p;) {
    if (*p == ' ') {
      p++;
      continue;
    }
    unsigned v;
    g_assert_true(sscanf(p, "%2x", &v) == 1);
    guint8 b = (guint8)v;
    g_byte_array_append(a, &b, 1);
    p += 2;
  }
  return g_byte_array_free_to_bytes(a);
}

static void assert_hex(const uint8_t *p, size_t n, const char *h) {
  GBytes *want = hex(h);
  gsize wl;
  const guint8 *w = g_bytes_get_data(want, &wl);
  g_assert_cmpmem(p, n, w, wl);
  g_bytes_unref(want);
}

/* ---- RFC 5054 appendix B ---- */

#define B_SALT "BEB25379 D1A8581E B5A72767 3A2441EE"
#define B_K "7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F"
#define B_X "94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124"
#define B_V                                                                                        \
  "7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812 9BADA1F1 822223CA 1A605B53 "    \
  "0E379BA4 729FDC59 F105B478 7E5186F5 C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 "    \
  "52E08AB5 EA53D15C 1AFF87B2 B9DA6E04 E058AD51 CC72BFC9 033B564E 26480D78 E955A5E2 9E7AB245 "    \
  "DB2BE315 E2099AFB"
#define B_A_PRIV "60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393"
#define B_B_PRIV "E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20"
#define B_A                                                                                        \
  "61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4 4352E890 3211C046 92272D8B "    \
  "2D1A5358 A2CF1B6E 0BFCF99F 921530EC 8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 "    \
  "E1327F44 BE087EF0 6530E69F 66615261 EEF54073 CA11CF58 58F0EDFD FE15EFEA B349EF5D 76988A36 "    \
  "72FAC47B 0769447B"
#define B_B                                                                                        \
  "BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011 BAF38964 DC46A067 0DD125B9 "    \
  "5A981652 236F99D9 B681CBF8 7837EC99 6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE "    \
  "7BD4FBAA 37089E6F 9C6059F3 88838E7A 00030B33 1EB76840 910440B1 B27AAEAE EB4012B7 D7665238 "    \
  "A8E3FB00 4B117B58"
#define B_U "CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019"
#define B_S                                                                                        \
  "B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D 233861E3 59B48220 F7C4693C "    \
  "9AE12B0A 6F67809F 0876E2D0 13800D6C 41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB "    \
  "2AFAFA8F 3499B200 210DCC1F 10EB3394 3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D C346D7E4 74B29EDE "    \
  "8A469FFE CA686E5A"

static tc_num num(GBytes *b) {
  gsize n;
  const guint8 *p = g_bytes_get_data(b, &n);
  return (tc_num){p, n};
}

static void test_appendix_b(void) {
  const tc_srp_group_def *grp = tc_srp_group_by_bits(1024);
  g_assert_nonnull(grp);
  GBytes *salt = hex(B_SALT), *a = hex(B_A_PRIV), *b = hex(B_B_PRIV);
  tc_num N = {grp->N, grp->N_len}, g = {&grp->g, 1};
  uint8_t k[20], x[20], u[20], v[128], A[128], B[128], S1[128], S2[128];
  size_t s1 = 0, s2 = 0;
  tc_srp_ops ops = {0};
  tc_srp_hash_k(grp, k, &ops);
  assert_hex(k, 20, B_K);
  tc_srp_hash_x((const uint8_t *)"alice", 5, (const uint8_t *)"password123", 11, num(salt).p,
                num(salt).len, x, &ops);
  assert_hex(x, 20, B_X);
  g_assert_cmpint(tc_srp_calc_verifier(N, g, (tc_num){x, 20}, v), ==, 0);
  assert_hex(v, 128, B_V);
  g_assert_cmpint(tc_srp_client_public(N, g, num(a), A), ==, 0);
  assert_hex(A, 128, B_A);
  g_assert_cmpint(tc_srp_server_public(N, g, (tc_num){k, 20}, (tc_num){v, 128}, num(b), B), ==, 0);
  assert_hex(B, 128, B_B);
  tc_srp_hash_u(grp, A, 128, B, 128, u, &ops);
  assert_hex(u, 20, B_U);
  g_assert_cmpint(tc_srp_client_secret(N, g, (tc_num){k, 20}, (tc_num){x, 20}, num(a),
                                       (tc_num){u, 20}, (tc_num){B, 128}, S1, &s1),
                  ==, 0);
  assert_hex(S1, s1, B_S);
  g_assert_cmpint(tc_srp_server_secret(N, (tc_num){A, 128}, (tc_num){v, 128}, (tc_num){u, 20},
                                       num(b), S2, &s2),
                  ==, 0);
  assert_hex(S2, s2, B_S);
  /* The public verifier API gives the same v for the same salt. */
  tc_srp_verifier ver;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_srp_compute_verifier((const uint8_t *)"alice", 5,
                                          (const uint8_t *)"password123", 11, 1024,
                                          num(salt).p, num(salt).len, &ver, &err),
                  ==, TC_OK);
  assert_hex(ver.verifier, ver.verifier_len, B_V);
  g_assert_true(tc_srp_check_password(&ver, (const uint8_t *)"alice", 5,
                                      (const uint8_t *)"password123", 11));
  g_assert_false(tc_srp_check_password(&ver, (const uint8_t *)"alice", 5,
                                       (const uint8_t *)"password124", 11));
  g_assert_false(tc_srp_check_password(&ver, (const uint8_t *)"alicf", 5,
                                       (const uint8_t *)"password123", 11));
  g_bytes_unref(salt);
  g_bytes_unref(a);
  g_bytes_unref(b);
}

static void test_groups(void) {
  static const unsigned sizes[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  static const uint8_t gens[] = {2, 2, 2, 5, 5, 5, 19};
  for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
    const uint8_t *N, *g;
    size_t nl, gl;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_srp_group(sizes[i], &N, &nl, &g, &gl, &err), ==, TC_OK);
    g_assert_cmpuint(nl * 8, ==, sizes[i]);
    g_assert_cmpuint(gl, ==, 1);
    g_assert_cmpuint(g[0], ==, gens[i]);
    g_assert_true(N[0] & 0x80);
    g_assert_true(N[nl - 1] & 1);
    g_assert_cmpuint(tc_srp_group_bits(N, nl, g, gl), ==, sizes[i]);
    /* Leading zeros do not matter, another generator or prime does. */
    uint8_t buf[1025];
    buf[0] = 0;
    memcpy(buf + 1, N, nl);
    g_assert_cmpuint(tc_srp_group_bits(buf, nl + 1, g, gl), ==, sizes[i]);
    uint8_t g2 = (uint8_t)(g[0] + 1);
    g_assert_cmpuint(tc_srp_group_bits(N, nl, &g2, 1), ==, 0);
    buf[nl] ^= 2;
    g_assert_cmpuint(tc_srp_group_bits(buf, nl + 1, g, gl), ==, 0);
  }
  /* The RFC 3526 primes begin and end with 64 one bits. */
  const tc_srp_group_def *d = tc_srp_group_by_bits(6144);
  for (size_t i = 0; i < 8; i++) {
    g_assert_cmpuint(d->N[i], ==, 0xff);
    g_assert_cmpuint(d->N[d->N_len - 1 - i], ==, 0xff);
  }
  tc_error err;
  tc_error_clear(&err);
  const uint8_t *N, *g;
  size_t nl, gl;
  g_assert_cmpint(tc_srp_group(2000, &N, &nl, &g, &gl, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "2000"));
}

static void test_make_verifier(void) {
  tc_srp_verifier v1, v2;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_srp_make_verifier((const uint8_t *)"bob", 3, (const uint8_t *)"pw", 2, 2048,
                                       NULL, NULL, &v1, &err),
                  ==, TC_OK);
  g_assert_cmpint(tc_srp_make_verifier((const uint8_t *)"bob", 3, (const uint8_t *)"pw", 2, 2048,
                                       NULL, NULL, &v2, &err),
                  ==, TC_OK);
  g_assert_cmpuint(v1.salt_len, ==, TC_SRP_SALT_LEN);
  g_assert_cmpuint(v1.verifier_len, ==, 256);
  g_assert_cmpuint(v1.group_bits, ==, 2048);
  /* fresh salts, so different verifiers */
  g_assert_false(memcmp(v1.salt, v2.salt, v1.salt_len) == 0);
  g_assert_false(memcmp(v1.verifier, v2.verifier, 256) == 0);
  g_assert_true(tc_srp_check_password(&v1, (const uint8_t *)"bob", 3, (const uint8_t *)"pw", 2));
  g_assert_false(tc_srp_check_password(&v1, (const uint8_t *)"bob", 3, (const uint8_t *)"pX", 2));
  g_assert_cmpint(tc_srp_make_verifier((const uint8_t *)"bob", 3, (const uint8_t *)"pw", 2, 1000,
                                       NULL, NULL, &v1, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_error_clear(&err);
  g_assert_cmpint(tc_srp_make_verifier((const uint8_t *)"", 0, (const uint8_t *)"pw", 2, 2048,
                                       NULL, NULL, &v1, &err),
                  ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "user name"));
}


/* ---- handshakes ---- */

#define PW "correct horse"
#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const uint16_t srp_suites[] = {0xC01D, 0xC020, 0xC01A, 0xC01E, 0xC021, 0xC01B};

/* The server's "database": alice (2048 bits unless told) and whoever else a test adds. */
typedef struct db {
  tc_srp_verifier alice;
  unsigned lookups;
  bool alice_known;
} db;

static void db_init(db *d, unsigned bits) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_srp_make_verifier((const uint8_t *)"alice", 5, (const uint8_t *)PW,
                                       strlen(PW), bits, NULL, NULL, &d->alice, &err),
                  ==, TC_OK);
  d->lookups = 0;
  d->alice_known = true;
}

/* Answer the wants until the handshake is over (or fails). */
static int run(tc_conn *c, tc_conn *s, db *d) {
  for (int i = 0; i < 10; i++) {
    int r = pump_handshake(c, s);
    if (r != TC_WANT)
      return r;
    if (tc_conn_want(s) == TC_WANT_SRP_VERIFIER) {
      size_t n;
      const uint8_t *name = tc_conn_srp_username(s, &n);
      d->lookups++;
      bool hit = d->alice_known && n == 5 && memcmp(name, "alice", 5) == 0;
      tc_conn_answer_srp_verifier(s, hit ? &d->alice : NULL);
    } else {
      return TC_WANT; /* the test answers the others itself */
    }
  }
  return TC_AGAIN;
}

static tc_config *srp_server(uint16_t min, uint16_t max, const uint16_t *suites, size_t n) {
  tc_config *cfg = pump_server_cfg12(min, max, suites, n);
  tc_config_set_srp_server(cfg, true);
  return cfg;
}

static tc_config *srp_client(uint16_t min, uint16_t max, const uint16_t *suites, size_t n,
                             const char *user, const char *pw) {
  tc_config *cfg = pump_client_cfg12(min, max, suites, n);
  tc_error err;
  tc_error_clear(&err);
  if (user)
    g_assert_cmpint(tc_config_set_srp_credentials(cfg, user, (const uint8_t *)pw, strlen(pw),
                                                  &err),
                    ==, TC_OK);
  return cfg;
}

static void assert_name(tc_conn *x, const char *want) {
  size_t n;
  const uint8_t *p = tc_conn_srp_username(x, &n);
  if (!want) {
    g_assert_null(p);
    return;
  }
  g_assert_nonnull(p);
  g_assert_cmpmem(p, n, want, strlen(want));
}

static void test_every_suite(void) {
  static const uint16_t versions[] = {TC_TLS10, TC_TLS11, TC_TLS12};
  db d;
  db_init(&d, 2048);
  for (size_t i = 0; i < N_ELEM(srp_suites); i++) {
    for (size_t j = 0; j < N_ELEM(versions); j++) {
      {
        uint16_t v = versions[j];
        tc_config *scfg = srp_server(TC_TLS10, TC_TLS12, srp_suites, N_ELEM(srp_suites));
        tc_config *ccfg = srp_client(v, v, &srp_suites[i], 1, "alice", PW);
        tc_conn *c, *s;
        pump_new_pair(ccfg, scfg, &c, &s);
        g_assert_cmpint(run(c, s, &d), ==, TC_OK);
        g_assert_cmpuint(tc_conn_cipher_suite(c), ==, srp_suites[i]);
        g_assert_cmpuint(tc_conn_cipher_suite(s), ==, srp_suites[i]);
        g_assert_cmpuint(tc_conn_version(c), ==, v);
        assert_name(c, "alice");
        assert_name(s, "alice");
        /* SRP_RSA authenticates the server with its certificate as well. */
        tc_cert *const *chain;
        bool rsa = srp_suites[i] == 0xC01E || srp_suites[i] == 0xC021 || srp_suites[i] == 0xC01B;
        g_assert_cmpuint(tc_conn_peer_chain(c, &chain) > 0, ==, rsa);
        /* CBC suites: encrypt-then-MAC and EMS as for the others. */
        g_assert_true(c->c12.etm);
        g_assert_true(s->c12.etm);
        g_assert_true(c->c12.ems);
        g_assert_true(pump_transfer(c, s, (const unsigned char *)"hello", 5));
        g_assert_true(pump_transfer(s, c, (const unsigned char *)"world", 5));
        tc_conn_free(c);
        tc_conn_free(s);
        tc_config_unref(scfg);
        tc_config_unref(ccfg);
      }
    }
  }
  g_assert_cmpuint(d.lookups, ==, N_ELEM(srp_suites) * 3);
}


/* One failing handshake: the client's and the server's errors. */
typedef struct outcome {
  tc_error cerr, serr;
  tc_srp_ops cops, sops;
  int r;
  size_t c_sent, s_sent; /* bytes each side put on the wire */
} outcome;

static void one(tc_config *ccfg, tc_config *scfg, db *d, outcome *o) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  o->r = run(c, s, d);
  o->cerr = *tc_conn_error(c);
  o->serr = *tc_conn_error(s);
  o->cops = c->srp.ops;
  o->sops = s->srp.ops;
  tc_conn_free(c);
  tc_conn_free(s);
}

static void test_wrong_password(void) {
  db d;
  db_init(&d, 2048);
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *wrong = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "alice", "correct horsf");
  tc_config *nobody = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "alicf", PW);
  outcome w, u;
  one(wrong, scfg, &d, &w);
  one(nobody, scfg, &d, &u);
  g_assert_cmpint(w.r, ==, TC_FAIL);
  g_assert_cmpint(u.r, ==, TC_FAIL);
  /* The server cannot read the client's Finished: bad_record_mac. */
  g_assert_cmpint(w.serr.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_false(w.serr.remote);
  g_assert_cmpstr(w.serr.message, ==,
                  "SRP authentication failed for user 'alice': wrong password (the client's "
                  "Finished did not verify)");
  g_assert_cmpint(u.serr.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_cmpstr(u.serr.message, ==,
                  "SRP authentication failed for user 'alicf': unknown user (the client's "
                  "Finished did not verify)");
  /* The client sees the same thing both ways. */
  g_assert_cmpint(w.cerr.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_true(w.cerr.remote);
  g_assert_cmpint(w.cerr.alert, ==, 20);
  g_assert_cmpstr(w.cerr.message, ==, "SRP authentication failed: wrong user name or password");
  g_assert_cmpint(u.cerr.code, ==, w.cerr.code);
  g_assert_cmpint(u.cerr.alert, ==, w.cerr.alert);
  g_assert_cmpint(u.cerr.remote, ==, w.cerr.remote);
  g_assert_cmpstr(u.cerr.message, ==, w.cerr.message);
  /* RFC 5054 §2.5.1.3: the same work for a known and an unknown name
   * (same name length, same group, same salt length). */
  g_assert_cmpuint(w.sops.modexp, ==, 3);
  g_assert_cmpuint(u.sops.modexp, ==, w.sops.modexp);
  g_assert_cmpuint(u.sops.hashes, ==, w.sops.hashes);
  g_assert_cmpuint(u.sops.hashed, ==, w.sops.hashed);
  g_assert_cmpuint(u.cops.modexp, ==, w.cops.modexp);
  g_assert_cmpuint(u.cops.hashes, ==, w.cops.hashes);
  g_assert_cmpuint(u.cops.hashed, ==, w.cops.hashed);
  g_assert_cmpuint(d.lookups, ==, 2);
  tc_config_unref(scfg);
  tc_config_unref(wrong);
  tc_config_unref(nobody);
}

/* The fake salt of a name is the same every time, and differs per name and per secret. */
static void test_fake_salt_stable(void) {
  db d;
  db_init(&d, 2048);
  d.alice_known = false;
  tc_error err;
  tc_error_clear(&err);
  uint8_t salts[3][TC_SRP_MAX_SALT];
  size_t lens[3];
  const char *names[3] = {"mallory", "mallory", "trent"};
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  for (int i = 0; i < 3; i++) {
    tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, NULL, 0, names[i], PW);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_answer_srp_verifier(s, NULL), ==, TC_OK);
    GByteArray *fl = pump_drain(s);
    /* ServerKeyExchange: after N (2 + 256) and g (2 + 1) comes the salt. */
    const tc_srp_group_def *g = tc_srp_group_by_bits(2048);
    guint8 *at = memmem(fl->data, fl->len, g->N, g->N_len);
    g_assert_nonnull(at);
    at += g->N_len + 3;
    lens[i] = at[0];
    memcpy(salts[i], at + 1, at[0]);
    g_byte_array_unref(fl);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
  }
  g_assert_cmpuint(lens[0], ==, TC_SRP_SALT_LEN);
  g_assert_cmpmem(salts[0], lens[0], salts[1], lens[1]);
  g_assert_false(memcmp(salts[0], salts[2], TC_SRP_SALT_LEN) == 0);
  tc_config_unref(scfg);
}

/* Replace the first occurrence of `from` in x's pending output by `to`. */
static GByteArray *rewrite(tc_conn *x, const uint8_t *from, const uint8_t *to, size_t n) {
  GByteArray *a = pump_drain(x);
  guint8 *at = memmem(a->data, a->len, from, n);
  g_assert_nonnull(at);
  memcpy(at, to, n);
  return a;
}

static void feed_all(tc_conn *x, GByteArray *a) {
  size_t used = 0;
  tc_conn_feed(x, a->data, a->len, &used);
  g_byte_array_unref(a);
}

static void test_bad_b(void) {
  /* B = N (so B mod N = 0) and N = ffdhe2048 (unknown group), in the
   * unsigned SRP_SHA ServerKeyExchange. */
  for (int kind = 0; kind < 2; kind++) {
    db d;
    db_init(&d, 2048);
    tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
    tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, srp_suites, 2, "alice", PW);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_answer_srp_verifier(s, &d.alice), ==, TC_OK);
    const tc_srp_group_def *g = tc_srp_group_by_bits(2048);
    GByteArray *fl;
    if (kind == 0) {
      if (s->hs->srp->B[0] == 0) { /* B shorter than N on the wire: rare, skip this draw */
        g_byte_array_unref(pump_drain(s));
        goto next;
      }
      fl = rewrite(s, s->hs->srp->B, g->N, g->N_len);
    } else {
      size_t pl;
      const uint8_t *ff = tc_kex_ffdhe_prime(TC_GROUP_FFDHE2048, &pl);
      g_assert_cmpuint(pl, ==, g->N_len);
      fl = rewrite(s, g->N, ff, pl);
    }
    feed_all(c, fl);
    g_assert_true(tc_conn_status(c) & TC_S_FAILED);
    const tc_error *e = tc_conn_error(c);
    if (kind == 0) {
      g_assert_cmpint(e->code, ==, TC_ERR_ILLEGAL_PARAMETER);
      g_assert_cmpstr(e->message, ==, "server's SRP value B is invalid (B mod N is 0)");
    } else {
      g_assert_cmpint(e->code, ==, TC_ERR_INSUFFICIENT_SECURITY);
      g_assert_cmpstr(e->message, ==,
                      "server's SRP group (a 2048-bit N) is not one of the RFC 5054 groups we "
                      "accept");
    }
    g_assert_cmpint(e->alert, ==, (int)e->code);
    g_assert_false(e->remote);
    /* and the server gets that alert */
    feed_all(s, pump_drain(c));
    g_assert_cmpint(tc_conn_error(s)->code, ==, e->code);
    g_assert_true(tc_conn_error(s)->remote);
  next:
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(scfg);
    tc_config_unref(ccfg);
  }
}

static void test_bad_a(void) {
  db d;
  db_init(&d, 2048);
  for (int tries = 0; tries < 8; tries++) {
    tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
    tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, srp_suites, 2, "alice", PW);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_answer_srp_verifier(s, &d.alice), ==, TC_OK);
    feed_all(c, pump_drain(s));
    const tc_srp_group_def *g = tc_srp_group_by_bits(2048);
    bool full = c->hs->t12.c_pub_len == g->N_len; /* A without a leading zero byte */
    if (full) {
      /* A = N on the wire (A mod N = 0). */
      feed_all(s, rewrite(c, c->hs->t12.c_pub, g->N, g->N_len));
      const tc_error *e = tc_conn_error(s);
      g_assert_true(tc_conn_status(s) & TC_S_FAILED);
      g_assert_cmpint(e->code, ==, TC_ERR_ILLEGAL_PARAMETER);
      g_assert_cmpint(e->alert, ==, 47);
      g_assert_cmpstr(e->message, ==, "client's SRP value A is invalid (A mod N is 0)");
    }
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(scfg);
    tc_config_unref(ccfg);
    if (full)
      return;
  }
  g_assert_not_reached();
}

static void test_group_sizes(void) {
  tc_error err;
  tc_error_clear(&err);
  /* A 1536-bit verifier served by a server that allows it, to a client
   * with the default minimum of 2048 bits. */
  db d;
  db_init(&d, 1536);
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  g_assert_cmpint(tc_config_set_srp_group_bits(scfg, 1024, 8192, &err), ==, TC_OK);
  tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "alice", PW);
  outcome o;
  one(ccfg, scfg, &d, &o);
  g_assert_cmpint(o.r, ==, TC_FAIL);
  g_assert_cmpint(o.cerr.code, ==, TC_ERR_INSUFFICIENT_SECURITY);
  g_assert_cmpint(o.cerr.alert, ==, 71);
  g_assert_cmpstr(o.cerr.message, ==,
                  "server's SRP group has 1536 bits, outside the allowed 2048..8192");
  g_assert_cmpint(o.serr.code, ==, TC_ERR_INSUFFICIENT_SECURITY);
  g_assert_true(o.serr.remote);
  /* A client that lowers its minimum accepts it; one that caps the size at
   * 1024 refuses even that. */
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 1536, 8192, &err), ==, TC_OK);
  one(ccfg, scfg, &d, &o);
  g_assert_cmpint(o.r, ==, TC_OK);
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 1024, 1024, &err), ==, TC_OK);
  one(ccfg, scfg, &d, &o);
  g_assert_cmpstr(o.cerr.message, ==,
                  "server's SRP group has 1536 bits, outside the allowed 1024..1024");
  /* The server refuses verifiers below its own minimum (default 2048). */
  tc_config *strict = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 1024, 8192, &err), ==, TC_OK);
  one(ccfg, strict, &d, &o);
  g_assert_cmpint(o.serr.code, ==, TC_ERR_INSUFFICIENT_SECURITY);
  g_assert_cmpstr(o.serr.message, ==,
                  "the verifier of SRP user 'alice' uses a 1536-bit group, outside the allowed "
                  "2048..8192");
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 512, 8192, &err), ==, TC_FAIL);
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 4096, 2048, &err), ==, TC_FAIL);
  tc_config_unref(strict);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

/* Every group size end to end (3072 and up take a while: one handshake each). */
static void test_all_groups(void) {
  static const unsigned sizes[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  tc_error err;
  tc_error_clear(&err);
  for (size_t i = 0; i < N_ELEM(sizes); i++) {
    db d;
    db_init(&d, sizes[i]);
    tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
    g_assert_cmpint(tc_config_set_srp_group_bits(scfg, 1024, 8192, &err), ==, TC_OK);
    tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "alice", PW);
    g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 1024, 8192, &err), ==, TC_OK);
    outcome o;
    one(ccfg, scfg, &d, &o);
    g_assert_cmpint(o.r, ==, TC_OK);
    tc_config_unref(scfg);
    tc_config_unref(ccfg);
  }
}

static void test_config_errors(void) {
  /* Client naming SRP suites without credentials: nothing is sent. */
  tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, srp_suites, 2, NULL, NULL);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err);
  tc_conn_status(c);
  g_assert_true(tc_conn_status(c) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_cmpint(tc_conn_error(c)->alert, ==, -1);
  g_assert_cmpstr(tc_conn_error(c)->message, ==,
                  "configuration error: TLS_SRP_SHA_WITH_AES_128_CBC_SHA needs SRP credentials "
                  "and none are set (tc_config_set_srp_credentials or tc_config_set_srp_client)");
  size_t n;
  tc_conn_output(c, &n);
  g_assert_cmpuint(n, ==, 0);
  tc_conn_free(c);
  /* ... which per-connection credentials fix. */
  c = tc_conn_new(ccfg, &err);
  g_assert_cmpint(tc_conn_set_srp_credentials(c, "alice", (const uint8_t *)PW, strlen(PW)), ==,
                  TC_OK);
  tc_conn_status(c);
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  tc_conn_output(c, &n);
  g_assert_cmpuint(n, >, 0);
  /* too late now */
  g_assert_cmpint(tc_conn_set_srp_credentials(c, "bob", (const uint8_t *)PW, 2), ==, TC_FAIL);
  tc_conn_free(c);
  tc_config_unref(ccfg);
  /* Server naming SRP suites without an SRP database. */
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, srp_suites, 2);
  tc_conn *s = tc_conn_new(scfg, &err);
  tc_conn_status(s);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_nonnull(strstr(tc_conn_error(s)->message, "tc_config_set_srp_server"));
  tc_conn_free(s);
  tc_config_unref(scfg);
  /* Without credentials SRP suites are simply not offered by default. */
  ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  c = tc_conn_new(ccfg, &err);
  tc_conn_status(c);
  GByteArray *ch = pump_drain(c);
  static const uint8_t c01d[] = {0xC0, 0x1D}, c01e[] = {0xC0, 0x1E};
  g_assert_null(memmem(ch->data, ch->len, c01d, 2));
  g_assert_null(memmem(ch->data, ch->len, c01e, 2));
  g_byte_array_unref(ch);
  tc_conn_free(c);
  tc_config_unref(ccfg);
  /* bad arguments */
  tc_config *cc = tc_config_new(TC_ROLE_CLIENT);
  g_assert_cmpint(tc_config_set_srp_credentials(cc, "", (const uint8_t *)"x", 1, &err), ==,
                  TC_FAIL);
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_srp_credentials(cc, "a", (const uint8_t *)"x", 0, &err), ==,
                  TC_FAIL);
  tc_config_unref(cc);
}

/* TLS Lite's handshakeClientUnknown (RFC 5054 section 2.5.1.2). */
static void test_client_unknown(void) {
  db d;
  db_init(&d, 2048);
  tc_error err;
  tc_error_clear(&err);
  /* 1. A server with only SRP: it asks for the name with unknown_psk_identity. */
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS13, srp_suites, 2);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config_set_srp_client(ccfg, true);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(run(c, s, &d), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  g_assert_cmpint(tc_conn_error(s)->alert, ==, 115);
  g_assert_cmpstr(tc_conn_error(s)->message, ==,
                  "client offers TLS_SRP_SHA_WITH_AES_128_CBC_SHA without an SRP user name (RFC "
                  "5054 section 2.5.1.2)");
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  g_assert_true(tc_conn_error(c)->remote);
  g_assert_true(tc_conn_srp_requested(c));
  g_assert_cmpuint(d.lookups, ==, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  /* 2. The retry asks for the credentials before it sends anything. */
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_request_srp_credentials(c), ==, TC_OK);
  g_assert_true(tc_conn_status(c) & TC_S_WANT);
  g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_SRP_CREDENTIALS);
  size_t n;
  tc_conn_output(c, &n);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(tc_conn_answer_srp_credentials(c, "alice", (const uint8_t *)PW, strlen(PW)),
                  ==, TC_OK);
  g_assert_cmpint(run(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
  assert_name(c, "alice");
  assert_name(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  /* 3. Declining the credentials fails without sending anything. */
  pump_new_pair(ccfg, scfg, &c, &s);
  tc_conn_request_srp_credentials(c);
  tc_conn_status(c);
  g_assert_cmpint(tc_conn_answer_srp_credentials(c, NULL, NULL, 0), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  tc_conn_output(c, &n);
  g_assert_cmpuint(n, ==, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(scfg);
  /* 4. A server that prefers certificates just uses one: no want, no name. */
  scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(run(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, 0xC02B);
  assert_name(c, NULL);
  assert_name(s, NULL);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  g_assert_cmpuint(d.lookups, ==, 1);
}

/* One server with certificates, SRP and PSK: each client gets what it asked for. */
static void test_mixed_server(void) {
  db d;
  db_init(&d, 2048);
  tc_error err;
  tc_error_clear(&err);
  static const uint8_t key[32] = {1, 2, 3};
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS13, NULL, 0);
  g_assert_cmpint(tc_config_add_psk(scfg, (const uint8_t *)"dev1", 4, key, sizeof key,
                                    TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  tc_config *srp = srp_client(TC_TLS12, TC_TLS13, NULL, 0, "alice", PW);
  /* (a PSK client that also offers certificate suites would get ECDHE_RSA
   * under the default server order: it names its PSK suite) */
  static const uint16_t ecdhe_psk[] = {0xC037};
  tc_config *psk = pump_client_cfg12(TC_TLS12, TC_TLS12, ecdhe_psk, 1);
  g_assert_cmpint(tc_config_add_psk(psk, (const uint8_t *)"dev1", 4, key, sizeof key,
                                    TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  tc_config *plain = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(srp, scfg, &c, &s);
  g_assert_cmpint(run(c, s, &d), ==, TC_OK);
  /* the credentials keep the client at TLS 1.2, and SRP wins (the table
   * lists the RSA-signed variant first) */
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, 0xC01E);
  assert_name(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  pump_new_pair(psk, scfg, &c, &s);
  g_assert_cmpint(run(c, s, &d), ==, TC_OK);
  size_t n;
  g_assert_nonnull(tc_conn_psk_identity(s, &n));
  assert_name(s, NULL);
  tc_conn_free(c);
  tc_conn_free(s);
  pump_new_pair(plain, scfg, &c, &s);
  g_assert_cmpint(run(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS13);
  assert_name(s, NULL);
  tc_conn_free(c);
  tc_conn_free(s);
  g_assert_cmpuint(d.lookups, ==, 1);
  tc_config_unref(scfg);
  tc_config_unref(srp);
  tc_config_unref(psk);
  tc_config_unref(plain);
}

static void test_resumption(void) {
  for (int by_ticket = 0; by_ticket < 2; by_ticket++) {
    db d;
    db_init(&d, 2048);
    tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
    tc_session_cache *cache = tc_session_cache_new(16, 3600);
    if (by_ticket) {
      tc_config_set_tickets(scfg, 1, 3600);
    } else {
      tc_config_set_tickets(scfg, 0, 3600);
      tc_config_set_session_cache(scfg, cache);
    }
    tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "alice", PW);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(run(c, s, &d), ==, TC_OK);
    tc_session *sess = tc_conn_get_session(c);
    g_assert_nonnull(sess);
    tc_conn_free(c);
    tc_conn_free(s);
    /* the same user resumes, without a verifier look-up */
    pump_new_pair(ccfg, scfg, &c, &s);
    tc_conn_set_session(c, sess);
    g_assert_cmpint(run(c, s, &d), ==, TC_OK);
    g_assert_true(tc_conn_resumed(c));
    g_assert_true(tc_conn_resumed(s));
    g_assert_cmpuint(tc_conn_cipher_suite(s), ==, 0xC01E);
    assert_name(c, "alice");
    assert_name(s, "alice");
    g_assert_cmpuint(d.lookups, ==, 1);
    tc_conn_free(c);
    tc_conn_free(s);
    /* through serialization too */
    uint8_t *ser;
    size_t sl;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_session_serialize(sess, &ser, &sl), ==, TC_OK);
    tc_session *back = tc_session_deserialize(ser, sl, &err);
    g_assert_nonnull(back);
    free(ser);
    pump_new_pair(ccfg, scfg, &c, &s);
    tc_conn_set_session(c, back);
    g_assert_cmpint(run(c, s, &d), ==, TC_OK);
    g_assert_true(tc_conn_resumed(s));
    assert_name(s, "alice");
    tc_conn_free(c);
    tc_conn_free(s);
    /* another user does not get alice's session */
    tc_config *bob = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "bob", PW);
    pump_new_pair(bob, scfg, &c, &s);
    tc_conn_set_session(c, sess);
    g_assert_cmpint(run(c, s, &d), ==, TC_FAIL); /* bob is unknown here */
    g_assert_false(tc_conn_resumed(s));
    g_assert_cmpuint(d.lookups, ==, 2);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_session_unref(sess);
    tc_session_unref(back);
    tc_config_unref(bob);
    tc_config_unref(scfg);
    tc_config_unref(ccfg);
    tc_session_cache_unref(cache);
  }
}


/* A user name is raw bytes from the wire: errors show it escaped. */
static void test_name_escaped(void) {
  db d;
  db_init(&d, 2048);
  tc_config *scfg = srp_server(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, NULL, 0, "ev\x1b[2Jil'\xc3\xa9", PW);
  outcome o;
  one(ccfg, scfg, &d, &o);
  g_assert_cmpint(o.serr.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_cmpstr(o.serr.message, ==,
                  "SRP authentication failed for user 'ev\\x1b[2Jil\\x27\\xc3\\xa9': unknown user "
                  "(the client's Finished did not verify)");
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}


/* Appendix B through the engine: alice / password123, the appendix's salt,
 * a and b (scripted randomness), group 1024. A and B must appear on the
 * wire as the appendix has them, and the handshake (whose keys come from
 * the premaster S) must complete. */
static void test_appendix_b_handshake(void) {
  tc_error err;
  tc_error_clear(&err);
  GBytes *salt = hex(B_SALT), *a = hex(B_A_PRIV), *b = hex(B_B_PRIV);
  GBytes *A = hex(B_A), *B = hex(B_B);
  db d;
  d.lookups = 0;
  d.alice_known = true;
  g_assert_cmpint(tc_srp_compute_verifier((const uint8_t *)"alice", 5,
                                          (const uint8_t *)"password123", 11, 1024,
                                          num(salt).p, num(salt).len, &d.alice, &err),
                  ==, TC_OK);
  /* Client draws: ClientHello random and session id (64), then a.
   * Server draws: ServerHello random (32), then b. */
  uint8_t cscript[96], sscript[64];
  memset(cscript, 0x11, 64);
  memcpy(cscript + 64, num(a).p, 32);
  memset(sscript, 0x22, 32);
  memcpy(sscript + 32, num(b).p, 32);
  pump_rng crng = {cscript, sizeof cscript, 0, 1}, srng = {sscript, sizeof sscript, 0, 2};
  static const uint16_t suite = 0xC01D;
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_rng(scfg, (tc_rng_fn)pump_rng_fn, &srng);
  static const uint8_t secret[32] = {1};
  g_assert_cmpint(tc_config_set_srp_secret(scfg, secret, sizeof secret, &err), ==, TC_OK);
  tc_config_set_srp_server(scfg, true);
  g_assert_cmpint(tc_config_set_srp_group_bits(scfg, 1024, 1024, &err), ==, TC_OK);
  tc_config *ccfg = srp_client(TC_TLS12, TC_TLS12, &suite, 1, "alice", "password123");
  tc_config_set_rng(ccfg, (tc_rng_fn)pump_rng_fn, &crng);
  g_assert_cmpint(tc_config_set_srp_group_bits(ccfg, 1024, 1024, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  /* ClientHello to the server, which asks for the verifier */
  tc_conn_status(c);
  feed_all(s, pump_drain(c));
  g_assert_cmpint(tc_conn_want(s), ==, TC_WANT_SRP_VERIFIER);
  g_assert_cmpint(tc_conn_answer_srp_verifier(s, &d.alice), ==, TC_OK);
  GByteArray *fl = pump_drain(s);
  g_assert_nonnull(memmem(fl->data, fl->len, num(B).p, num(B).len));
  feed_all(c, fl);
  GByteArray *cf = pump_drain(c);
  g_assert_nonnull(memmem(cf->data, cf->len, num(A).p, num(A).len));
  feed_all(s, cf);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  assert_name(s, "alice");
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"vector", 6));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  g_bytes_unref(salt);
  g_bytes_unref(a);
  g_bytes_unref(b);
  g_bytes_unref(A);
  g_bytes_unref(B);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/srp/appendix-b", test_appendix_b);
  g_test_add_func("/srp/groups", test_groups);
  g_test_add_func("/srp/appendix-b-handshake", test_appendix_b_handshake);
  g_test_add_func("/srp/make-verifier", test_make_verifier);
  g_test_add_func("/srp/every-suite", test_every_suite);
  g_test_add_func("/srp/wrong-password-unknown-user", test_wrong_password);
  g_test_add_func("/srp/fake-salt-stable", test_fake_salt_stable);
  g_test_add_func("/srp/bad-b", test_bad_b);
  g_test_add_func("/srp/bad-a", test_bad_a);
  g_test_add_func("/srp/group-sizes", test_group_sizes);
  g_test_add_func("/srp/all-groups", test_all_groups);
  g_test_add_func("/srp/config-errors", test_config_errors);
  g_test_add_func("/srp/client-unknown", test_client_unknown);
  g_test_add_func("/srp/mixed-server", test_mixed_server);
  g_test_add_func("/srp/resumption", test_resumption);
  g_test_add_func("/srp/name-escaped", test_name_escaped);
  return g_test_run();
}
