/* SRP (RFC 5054): appendix B vectors, groups, verifiers, and SRP handshakes in memory. */
#include <stdio.h>
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

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/srp/appendix-b", test_appendix_b);
  g_test_add_func("/srp/groups", test_groups);
  g_test_add_func("/srp/make-verifier", test_make_verifier);
  g_test_add_func("/srp/every-suite", test_every_suite);
  return g_test_run();
}
