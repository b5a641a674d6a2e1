/* TLS 1.2 ServerHello extension blocks kept in the config (handshake/server12.c): the bytes match the general writer's. */
#include <string.h>

#include <glib.h>

#include "engine/config_internal.h"
#include "pump.h"
#include "tlscore/conn.h"

static int64_t fixed_time(void *ctx) {
  (void)ctx;
  return 1800000000;
}

static size_t n_blocks(tc_config *cfg) {
  size_t n = 0;
  for (size_t i = 0; i < TC_CFG_SH12_EXTS; i++)
    n += atomic_load(&cfg->sh12_exts[i]) != NULL;
  return n;
}

/* What a client connection may add to its ClientHello. */
typedef struct hello_opts {
  tc_session *session;
  bool alpn;
} hello_opts;

/* The ServerHello message with which scfg answers a new connection of
 * ccfg, both sides on the same scripted randomness every time. */
static GByteArray *server_hello(tc_config *ccfg, tc_config *scfg, const hello_opts *o) {
  pump_rng crng = {0}, srng = {0};
  tc_config_set_rng(ccfg, pump_rng_fn, &crng);
  tc_config_set_rng(scfg, pump_rng_fn, &srng);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  if (o && o->session)
    g_assert_cmpint(tc_conn_set_session(c, o->session), ==, TC_OK);
  if (o && o->alpn) {
    const char *protos[] = {"h2"};
    g_assert_cmpint(tc_conn_set_alpn(c, protos, 1), ==, TC_OK);
  }
  tc_conn_status(c);
  size_t len = 0;
  const uint8_t *p = tc_conn_output(c, &len);
  g_assert_nonnull(p);
  size_t used = 0;
  g_assert_cmpint(tc_conn_feed(s, p, len, &used), !=, TC_FAIL);
  g_assert_cmpuint(used, ==, len);
  p = tc_conn_output(s, &len);
  g_assert_nonnull(p);
  /* A handshake record whose first message is the ServerHello. */
  g_assert_cmpuint(len, >, 9);
  g_assert_cmpuint(p[0], ==, 22);
  g_assert_cmpuint(p[5], ==, 2);
  size_t msg = 4 + ((size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8]);
  g_assert_cmpuint(5 + msg, <=, len);
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, p + 5, (guint)msg);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_set_rng(ccfg, NULL, NULL);
  tc_config_set_rng(scfg, NULL, NULL);
  return out;
}

static void assert_same(GByteArray *a, GByteArray *b) {
  g_assert_cmpmem(a->data, a->len, b->data, b->len);
}

typedef void (*setup_fn)(tc_config *scfg, tc_config *ccfg);

/* Three connections on one server config: the first ServerHello comes
 * from the general writer (and leaves its extension block in the config),
 * the others from the kept block; all equal, and equal to a fresh
 * config's. `blocks`: how many blocks the config keeps afterwards. */
static void check_case(setup_fn setup, const hello_opts *o, size_t blocks) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *fresh = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_time(scfg, fixed_time, NULL);
  tc_config_set_time(fresh, fixed_time, NULL);
  tc_config_set_time(ccfg, fixed_time, NULL);
  if (setup) {
    setup(scfg, ccfg);
    setup(fresh, NULL);
  }
  GByteArray *ref = server_hello(ccfg, fresh, o);
  for (int i = 0; i < 3; i++) {
    GByteArray *a = server_hello(ccfg, scfg, o);
    assert_same(a, ref);
    g_byte_array_unref(a);
    g_assert_cmpuint(n_blocks(scfg), ==, blocks);
  }
  g_byte_array_unref(ref);
  tc_config_unref(scfg);
  tc_config_unref(fresh);
  tc_config_unref(ccfg);
}

static void tickets(tc_config *scfg, tc_config *ccfg) {
  (void)ccfg;
  tc_config_set_tickets(scfg, 1, 7200);
}

static void sni_ack(tc_config *scfg, tc_config *ccfg) {
  (void)ccfg;
  tc_config_set_sni_ack(scfg, true);
}

static void rsl(tc_config *scfg, tc_config *ccfg) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_record_size_limit(scfg, 2000, &err), ==, TC_OK);
  if (ccfg)
    g_assert_cmpint(tc_config_set_record_size_limit(ccfg, 1000, &err), ==, TC_OK);
}

static void cbc(tc_config *scfg, tc_config *ccfg) {
  static const uint16_t suites[] = {0xC009}; /* ECDHE-ECDSA-AES128-SHA: encrypt_then_mac */
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(scfg, suites, 1, &err), ==, TC_OK);
  if (ccfg)
    g_assert_cmpint(tc_config_set_cipher_suites(ccfg, suites, 1, &err), ==, TC_OK);
}

static void alpn(tc_config *scfg, tc_config *ccfg) {
  (void)ccfg;
  const char *protos[] = {"h2"};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_alpn(scfg, protos, 1, &err), ==, TC_OK);
}

static void all(tc_config *scfg, tc_config *ccfg) {
  tickets(scfg, ccfg);
  sni_ack(scfg, ccfg);
  rsl(scfg, ccfg);
  cbc(scfg, ccfg);
}

static void test_full(void) {
  check_case(NULL, NULL, 1);
  check_case(tickets, NULL, 1);
  check_case(sni_ack, NULL, 1);
  check_case(rsl, NULL, 1);
  check_case(cbc, NULL, 1);
  check_case(all, NULL, 1);
  /* ALPN: its body is the protocol chosen, always the general writer */
  hello_opts a = {.alpn = true};
  check_case(alpn, &a, 0);
}

static tc_session_cache *resume_cache;
static const uint8_t ticket_key[32] = {9, 8, 7};

/* Resumption by session ID: the configs share one session cache (and
 * issue no tickets: a config's first ticket draws its ticket secret, which
 * would shift that connection's random). */
static void by_id(tc_config *scfg, tc_config *ccfg) {
  (void)ccfg;
  tc_config_set_tickets(scfg, 0, 7200);
  tc_config_set_session_cache(scfg, resume_cache);
}

/* Resumption by ticket: the configs share the ticket key. */
static void by_ticket(tc_config *scfg, tc_config *ccfg) {
  (void)ccfg;
  tc_error err;
  tc_error_clear(&err);
  tickets(scfg, NULL);
  g_assert_cmpint(tc_config_set_ticket_key(scfg, ticket_key, &err), ==, TC_OK);
}

/* A TLS 1.2 session from a server set up by `setup`. */
static tc_session *get_session(setup_fn setup) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_time(scfg, fixed_time, NULL);
  tc_config_set_time(ccfg, fixed_time, NULL);
  setup(scfg, NULL);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  return sess;
}

/* Resumptions (every connection resumes the same session): the
 * ServerHello carries the resumed session's extensions. */
static void test_resumed(void) {
  resume_cache = tc_session_cache_new(16, 3600);
  setup_fn setups[] = {by_id, by_ticket};
  for (size_t i = 0; i < G_N_ELEMENTS(setups); i++) {
    tc_session *sess = get_session(setups[i]);
    hello_opts o = {.session = sess};
    check_case(setups[i], &o, 1);
    tc_session_unref(sess);
  }
  tc_session_cache_unref(resume_cache);
  resume_cache = NULL;
}

/* A config whose record_size_limit changes after its block was made: the
 * block no longer matches; the bytes follow the config as it is now. */
static void test_changed_config(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *fresh = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_time(scfg, fixed_time, NULL);
  tc_config_set_time(fresh, fixed_time, NULL);
  tc_config_set_time(ccfg, fixed_time, NULL);
  rsl(scfg, ccfg);
  GByteArray *before = server_hello(ccfg, scfg, NULL);
  before = (g_byte_array_unref(before), server_hello(ccfg, scfg, NULL));
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_record_size_limit(scfg, 3000, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_record_size_limit(fresh, 3000, &err), ==, TC_OK);
  GByteArray *a = server_hello(ccfg, scfg, NULL), *b = server_hello(ccfg, fresh, NULL);
  assert_same(a, b);
  g_assert_false(a->len == before->len && memcmp(a->data, before->data, a->len) == 0);
  g_byte_array_unref(a);
  g_byte_array_unref(b);
  g_byte_array_unref(before);
  tc_config_unref(scfg);
  tc_config_unref(fresh);
  tc_config_unref(ccfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/shello/full", test_full);
  g_test_add_func("/shello/resumed", test_resumed);
  g_test_add_func("/shello/changed-config", test_changed_config);
  return g_test_run();
}
