/* ClientHello templates (handshake/client13.c): the bytes match the full encoder's for every kind of config. */
#include <string.h>

#include <glib.h>

#include "auth/session.h"
#include "engine/config_internal.h"
#include "engine/conn_internal.h"
#include "pump.h"
#include "tlscore/conn.h"
#include "tlscore/srp.h"

typedef void (*setup_fn)(tc_config *cfg);

static int64_t fixed_time(void *ctx) {
  (void)ctx;
  return 1800000000;
}

static tc_config *client_cfg(setup_fn setup, bool fresh) {
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  g_assert_nonnull(cfg);
  tc_config_set_verify_mode(cfg, TC_VERIFY_NONE);
  tc_config_set_time(cfg, fixed_time, NULL);
  cfg->ch_fresh = fresh;
  if (setup)
    setup(cfg);
  return cfg;
}

typedef struct hello_opts {
  const char *sni;
  bool alpn;
  bool conn_psk;
  tc_session *session;
} hello_opts;

/* The first flight of a new client connection on cfg, with the same random
 * bytes every time. */
static GByteArray *first_flight(tc_config *cfg, const hello_opts *o) {
  static const uint8_t key[32] = {7};
  pump_rng rng = {0};
  tc_config_set_rng(cfg, pump_rng_fn, &rng);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  g_assert_nonnull(c);
  if (o->sni)
    g_assert_cmpint(tc_conn_set_server_name(c, o->sni), ==, TC_OK);
  if (o->alpn) {
    const char *protos[] = {"h2", "http/1.1"};
    g_assert_cmpint(tc_conn_set_alpn(c, protos, 2), ==, TC_OK);
  }
  if (o->conn_psk)
    g_assert_cmpint(tc_conn_set_psk(c, (const uint8_t *)"conn-id", 7, key, 32, TC_PSK_HASH_SHA256),
                    ==, TC_OK);
  if (o->session)
    g_assert_cmpint(tc_conn_set_session(c, o->session), ==, TC_OK);
  GByteArray *out = pump_drain(c);
  g_assert_cmpuint(out->len, >, 5);
  g_assert_cmpuint(out->data[0], ==, 22); /* a handshake record */
  g_assert_cmpuint(out->data[5], ==, 1);  /* ClientHello */
  tc_conn_free(c);
  tc_config_set_rng(cfg, NULL, NULL);
  return out;
}

static void assert_same(GByteArray *a, GByteArray *b) {
  g_assert_cmpmem(a->data, a->len, b->data, b->len);
}

static size_t n_templates(tc_config *cfg) {
  size_t n = 0;
  for (size_t i = 0; i < 4; i++)
    n += atomic_load(&cfg->ch_tmpl[i]) != NULL;
  return n;
}

/* Three connections on a templated config and on a full-encoder one: all
 * six first flights equal; the templated config made exactly `want`
 * templates (0: this kind of connection always takes the full encoder). */
static void check_case(setup_fn setup, const hello_opts *o, size_t want) {
  tc_config *t = client_cfg(setup, false), *f = client_cfg(setup, true);
  GByteArray *ref = first_flight(f, o);
  for (int i = 0; i < 3; i++) {
    GByteArray *a = first_flight(t, o), *b = first_flight(f, o);
    assert_same(a, ref);
    assert_same(b, ref);
    g_byte_array_unref(a);
    g_byte_array_unref(b);
    g_assert_cmpuint(n_templates(t), ==, want);
  }
  g_assert_cmpuint(n_templates(f), ==, 0);
  g_byte_array_unref(ref);
  tc_config_unref(t);
  tc_config_unref(f);
}

static void set_versions(tc_config *cfg, uint16_t min, uint16_t max) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_versions(cfg, min, max, &err), ==, TC_OK);
}

static void v12(tc_config *cfg) { set_versions(cfg, TC_TLS12, TC_TLS12); }
static void v10_13(tc_config *cfg) { set_versions(cfg, TC_TLS10, TC_TLS13); }
static void v10_12(tc_config *cfg) { set_versions(cfg, TC_TLS10, TC_TLS12); }
static void ssl30(tc_config *cfg) { set_versions(cfg, TC_SSL30, TC_SSL30); }

static void add_psk(tc_config *cfg) {
  static const uint8_t key[32] = {1, 2, 3};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(
      tc_config_add_psk(cfg, (const uint8_t *)"client1", 7, key, 32, TC_PSK_HASH_SHA256, &err),
      ==, TC_OK);
}

static void psk_ke_only(tc_config *cfg) {
  add_psk(cfg);
  tc_config_set_psk_modes(cfg, TC_PSK_MODE_KE);
}

static void psk12(tc_config *cfg) {
  v12(cfg);
  add_psk(cfg);
}

static void srp(tc_config *cfg) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_srp_credentials(cfg, "user", (const uint8_t *)"pw", 2, &err), ==,
                  TC_OK);
}

static void custom(tc_config *cfg) {
  static const uint16_t suites[] = {TC_TLS_CHACHA20_POLY1305_SHA256, TC_TLS_AES_256_GCM_SHA384,
                                    0xC02C, 0xC030, 0x009D};
  static const uint16_t groups[] = {TC_GROUP_SECP384R1, TC_GROUP_X25519, TC_GROUP_FFDHE2048};
  static const uint16_t schemes[] = {TC_SIG_ECDSA_SECP384R1_SHA384, TC_SIG_RSA_PSS_RSAE_SHA256,
                                     TC_SIG_ED25519, TC_SIG_RSA_PKCS1_SHA256};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, suites, G_N_ELEMENTS(suites), &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(cfg, groups, G_N_ELEMENTS(groups), &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_sig_schemes(cfg, schemes, G_N_ELEMENTS(schemes), &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_record_size_limit(cfg, 1000, &err), ==, TC_OK);
  tc_config_set_legacy_signatures(cfg, true);
  tc_config_set_post_handshake_auth(cfg, true);
  tc_config_set_psk_modes(cfg, TC_PSK_MODE_KE | TC_PSK_MODE_DHE_KE);
  tc_config_set_middlebox_compat(cfg, false);
  tc_config_set_fallback_scsv(cfg, true);
}

static void test_configs(void) {
  hello_opts plain = {0}, named = {.sni = "example.com", .alpn = true},
             ip = {.sni = "192.0.2.1"}, conn_psk = {.sni = "h", .conn_psk = true};
  check_case(NULL, &plain, 1);
  check_case(NULL, &named, 1);
  check_case(NULL, &ip, 1);
  check_case(v12, &named, 1);
  check_case(v10_13, &named, 1);
  check_case(v10_12, &plain, 1);
  check_case(ssl30, &plain, 1);
  check_case(add_psk, &named, 1);
  check_case(psk_ke_only, &plain, 1);
  check_case(psk12, &plain, 1);
  check_case(NULL, &conn_psk, 1);
  check_case(v12, &conn_psk, 1);
  check_case(custom, &named, 1);
  check_case(srp, &named, 0); /* SRP: always the full encoder */
}

/* A session from a full handshake at versions min..max (TLS 1.3: the
 * server's ticket arrives in its first flight). */
static tc_session *get_session(uint16_t min, uint16_t max) {
  tc_config *scfg = pump_server_cfg12(min, max, NULL, 0);
  tc_config *ccfg = client_cfg(NULL, true);
  set_versions(ccfg, min, max);
  tc_config_set_early_tickets(scfg, true);
  tc_config_set_time(scfg, fixed_time, NULL);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  pump(c, s, 8);
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  return sess;
}

static void test_sessions(void) {
  tc_session *s12 = get_session(TC_TLS12, TC_TLS12), *s13 = get_session(TC_TLS13, TC_TLS13);
  hello_opts o12 = {.sni = "localhost", .session = s12}, o13 = {.sni = "localhost", .session = s13};
  check_case(NULL, &o12, 1);
  check_case(v12, &o12, 1);
  check_case(NULL, &o13, 1);
  check_case(add_psk, &o13, 1); /* the ticket and the external PSK */
  tc_session_unref(s12);
  tc_session_unref(s13);
}

/* A TLS 1.2 session from a server that resumes by ticket or by session ID. */
static tc_session *get_session12(bool by_ticket) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_session_cache *cache = NULL;
  tc_config_set_tickets(scfg, by_ticket ? 1 : 0, 7200);
  if (!by_ticket) {
    cache = tc_session_cache_new(8, 3600);
    tc_config_set_session_cache(scfg, cache);
  }
  tc_config *ccfg = client_cfg(v12, true);
  tc_config_set_time(scfg, fixed_time, NULL);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  g_assert_cmpuint(by_ticket ? sess->ticket_len : sess->session_id_len, >, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  if (cache)
    tc_session_cache_unref(cache);
  return sess;
}

/* TLS 1.2-only offers of one session: the first ClientHello written from a
 * template is kept in the session and later connections copy it with their
 * own random and session ID. Every first flight is still the full
 * encoder's; another server name, ALPN or another config (another
 * template) take the template encoder, and the kept one stays. */
static void test_session_blob(void) {
  for (int by_ticket = 0; by_ticket < 2; by_ticket++) {
    tc_session *sess = get_session12(by_ticket);
    g_assert_null(atomic_load(&sess->ch_blob));
    hello_opts named = {.sni = "localhost", .session = sess};
    check_case(v12, &named, 1);
    const tc_ch_blob *kept = atomic_load(&sess->ch_blob);
    g_assert_nonnull(kept);
    hello_opts unnamed = {.session = sess},
               alpn = {.sni = "localhost", .alpn = true, .session = sess};
    check_case(v12, &unnamed, 1);
    check_case(v12, &alpn, 1);
    check_case(v10_12, &named, 1);
    check_case(NULL, &named, 1); /* TLS 1.3 offered too: never from the session */
    check_case(v12, &named, 1);
    g_assert_true(atomic_load(&sess->ch_blob) == kept);
    tc_session_unref(sess);
  }
}

static void psk12_only(tc_config *cfg) {
  static const uint16_t suite = 0x00A8; /* TLS_PSK_WITH_AES_128_GCM_SHA256 */
  tc_error err;
  tc_error_clear(&err);
  psk12(cfg);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, &suite, 1, &err), ==, TC_OK);
}

static void psk13_ke_only(tc_config *cfg) {
  static const uint16_t suite = TC_TLS_AES_128_GCM_SHA256;
  tc_error err;
  tc_error_clear(&err);
  psk_ke_only(cfg);
  set_versions(cfg, TC_TLS13, TC_TLS13);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, &suite, 1, &err), ==, TC_OK);
}

static void add_psk2(tc_config *cfg) {
  static const uint8_t key[48] = {9, 8, 7};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(
      tc_config_add_psk(cfg, (const uint8_t *)"client2", 7, key, 48, TC_PSK_HASH_SHA384, &err),
      ==, TC_OK);
}

/* Without a session: the template keeps a whole first ClientHello when
 * nothing of the connection goes in but the random, the session ID and the
 * binders; later connections copy it. Every first flight is still the full
 * encoder's (check_case: the third connection copies it), and another
 * server name, ALPN, a connection's own PSK, a key share, a PSK added to the
 * config or a session each take the template encoder again. */
static void test_first_hello(void) {
  hello_opts plain = {0}, named = {.sni = "localhost"}, other = {.sni = "example.com"},
             alpn = {.sni = "localhost", .alpn = true}, conn_psk = {.sni = "localhost",
                                                                    .conn_psk = true};
  static const struct {
    setup_fn setup;
    int slot;         /* the template slot: 1 TLS 1.3 offered, 2 PSK credentials */
    bool keeps;       /* whether a plain named ClientHello is kept */
  } cases[] = {{v12, 0, true},           {psk12, 2, true},     {psk12_only, 2, true},
               {psk13_ke_only, 3, true}, {psk_ke_only, 3, true}, {NULL, 1, false},
               {add_psk, 3, false}}; /* the last two send a key share */
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const hello_opts *opts[] = {&plain, &named, &other, &alpn, &conn_psk};
    for (size_t k = 0; k < G_N_ELEMENTS(opts); k++)
      check_case(cases[i].setup, opts[k], 1);
    /* One config through all of them: each flight is the full encoder's. */
    tc_config *t = client_cfg(cases[i].setup, false), *f = client_cfg(cases[i].setup, true);
    for (int round = 0; round < 2; round++) {
      if (round == 1) {
        add_psk2(t);
        add_psk2(f);
      }
      for (size_t k = 0; k < G_N_ELEMENTS(opts); k++)
        for (int rep = 0; rep < 2; rep++) {
          GByteArray *a = first_flight(t, opts[k]), *b = first_flight(f, opts[k]);
          assert_same(a, b);
          g_byte_array_unref(a);
          g_byte_array_unref(b);
        }
    }
    g_assert_true(tc_client13_tmpl_has_first(t, cases[i].slot) == cases[i].keeps);
    tc_config_unref(t);
    tc_config_unref(f);
  }
}

/* A config changed after its template was made: the template no longer
 * matches and is not used; the bytes follow the config as it is now. */
static void test_changed_config(void) {
  static const uint16_t groups[] = {TC_GROUP_SECP256R1};
  hello_opts o = {.sni = "localhost"};
  tc_config *t = client_cfg(NULL, false), *f = client_cfg(NULL, true);
  GByteArray *before = first_flight(t, &o);
  g_assert_cmpuint(n_templates(t), ==, 1);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_groups(t, groups, 1, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(f, groups, 1, &err), ==, TC_OK);
  GByteArray *a = first_flight(t, &o), *b = first_flight(f, &o);
  assert_same(a, b);
  g_assert_false(a->len == before->len && memcmp(a->data, before->data, a->len) == 0);
  g_byte_array_unref(a);
  g_byte_array_unref(b);
  g_byte_array_unref(before);
  tc_config_unref(t);
  tc_config_unref(f);
}

/* Each setting a template is made of, changed after the template exists:
 * the next first flight follows the config as it is now (the full
 * encoder's bytes), never the old template. */
static void set_suites1(tc_config *cfg) {
  static const uint16_t s[] = {TC_TLS_AES_256_GCM_SHA384, 0xC030};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, s, 2, &err), ==, TC_OK);
}
static void set_schemes1(tc_config *cfg) {
  static const uint16_t s[] = {TC_SIG_ECDSA_SECP256R1_SHA256};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_sig_schemes(cfg, s, 1, &err), ==, TC_OK);
}
static void set_rsl(tc_config *cfg) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_record_size_limit(cfg, 2000, &err), ==, TC_OK);
}
static void set_ke(tc_config *cfg) { tc_config_set_psk_modes(cfg, TC_PSK_MODE_KE); }
static void set_legacy(tc_config *cfg) { tc_config_set_legacy_signatures(cfg, true); }
static void set_pha(tc_config *cfg) { tc_config_set_post_handshake_auth(cfg, true); }
static void set_scsv(tc_config *cfg) { tc_config_set_fallback_scsv(cfg, true); }

static void test_changed_settings(void) {
  static const setup_fn changes[] = {v12,     v10_13,     set_suites1, set_schemes1, set_rsl,
                                     set_ke,  set_legacy, set_pha,     set_scsv};
  hello_opts o = {.sni = "localhost"};
  for (size_t i = 0; i < G_N_ELEMENTS(changes); i++) {
    tc_config *t = client_cfg(add_psk, false), *f = client_cfg(add_psk, true);
    GByteArray *before = first_flight(t, &o), *again = first_flight(t, &o);
    assert_same(before, again);
    changes[i](t);
    changes[i](f);
    GByteArray *a = first_flight(t, &o), *b = first_flight(f, &o), *a2 = first_flight(t, &o);
    assert_same(a, b);
    assert_same(a2, b);
    g_byte_array_unref(a);
    g_byte_array_unref(a2);
    g_byte_array_unref(b);
    g_byte_array_unref(before);
    g_byte_array_unref(again);
    tc_config_unref(t);
    tc_config_unref(f);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/chello/configs", test_configs);
  g_test_add_func("/chello/sessions", test_sessions);
  g_test_add_func("/chello/session-blob", test_session_blob);
  g_test_add_func("/chello/changed-config", test_changed_config);
  g_test_add_func("/chello/first-hello", test_first_hello);
  g_test_add_func("/chello/changed-settings", test_changed_settings);
  return g_test_run();
}
