/* TLS 1.2-and-older handshakes end to end in memory: versions x suites x key exchange, resumption, renegotiation, failures. */
#include <glib.h>
#include <string.h>

#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

static const char *err_msg(tc_conn *x) {
  return tc_conn_error(x)->code == TC_ERR_NONE ? "" : tc_conn_error(x)->message;
}

/* One handshake + data both ways; returns the pair for more checks. */
static void run_ok(uint16_t version, uint16_t suite) {
  tc_config *scfg = pump_server_cfg12(TC_SSL30, TC_TLS13, &suite, 1);
  tc_config *ccfg = pump_client_cfg12(version, version, &suite, 1);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  int r = pump_handshake(c, s);
  if (r != TC_OK)
    g_test_message("%s 0x%04x: client '%s' server '%s'", tc_version_name(version), suite,
                   err_msg(c), err_msg(s));
  g_assert_cmpint(r, ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, version);
  g_assert_cmpuint(tc_conn_version(s), ==, version);
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, suite);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suite);
  static unsigned char data[40000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)(i * 7 + 1);
  g_assert_true(pump_transfer(c, s, data, sizeof data));
  g_assert_true(pump_transfer(s, c, data, 1));
  g_assert_true(pump_transfer(s, c, data, sizeof data));
  /* tls-unique and the RFC 5705 exporter agree on both ends. */
  if (version != TC_SSL30) {
    uint8_t a[64], b[64];
    size_t al = sizeof a, bl = sizeof b;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, a, &al, &err), ==, TC_OK);
    g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, b, &bl, &err), ==, TC_OK);
    g_assert_cmpuint(al, ==, 12);
    g_assert_cmpmem(a, al, b, bl);
    g_assert_cmpint(tc_conn_export(c, "EXPERIMENTAL-x", (const uint8_t *)"ctx", 3, true, a, 32,
                                   &err), ==, TC_OK);
    g_assert_cmpint(tc_conn_export(s, "EXPERIMENTAL-x", (const uint8_t *)"ctx", 3, true, b, 32,
                                   &err), ==, TC_OK);
    g_assert_cmpmem(a, 32, b, 32);
  }
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_matrix(void) {
  static const uint16_t tls12_only[] = {
      0xC02F, /* ECDHE_RSA_AES_128_GCM_SHA256 */
      0xC030, /* ECDHE_RSA_AES_256_GCM_SHA384 */
      0xC02B, /* ECDHE_ECDSA_AES_128_GCM_SHA256 */
      0xC02C, /* ECDHE_ECDSA_AES_256_GCM_SHA384 */
      0xCCA8, /* ECDHE_RSA_CHACHA20_POLY1305 */
      0xCCA9, /* ECDHE_ECDSA_CHACHA20_POLY1305 */
      0x009E, /* DHE_RSA_AES_128_GCM_SHA256 */
      0xCCAA, /* DHE_RSA_CHACHA20_POLY1305 */
      0xC027, /* ECDHE_RSA_AES_128_CBC_SHA256 */
      0xC028, /* ECDHE_RSA_AES_256_CBC_SHA384 */
      0xC024, /* ECDHE_ECDSA_AES_256_CBC_SHA384 */
      0x006B, /* DHE_RSA_AES_256_CBC_SHA256 */
  };
  static const uint16_t all_versions[] = {
      0xC013, /* ECDHE_RSA_AES_128_CBC_SHA */
      0xC00A, /* ECDHE_ECDSA_AES_256_CBC_SHA */
      0x0033, /* DHE_RSA_AES_128_CBC_SHA */
      0x002F, /* RSA_AES_128_CBC_SHA */
      0x0035, /* RSA_AES_256_CBC_SHA */
      0x000A, /* RSA_3DES_EDE_CBC_SHA (named explicitly) */
      0x0005, /* RSA_RC4_128_SHA (named explicitly) */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(tls12_only); i++)
    run_ok(TC_TLS12, tls12_only[i]);
  static const uint16_t versions[] = {TC_TLS12, TC_TLS11, TC_TLS10};
  for (size_t v = 0; v < G_N_ELEMENTS(versions); v++)
    for (size_t i = 0; i < G_N_ELEMENTS(all_versions); i++)
      run_ok(versions[v], all_versions[i]);
}

static void test_ssl3(void) {
  run_ok(TC_SSL30, 0x002F);
  run_ok(TC_SSL30, 0x0033);
  run_ok(TC_SSL30, 0x000A);
}

/* Default configs: a TLS 1.2-only client meets the default server (1.2..1.3). */
static void test_default_suites(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS12);
  /* Server preference: ECDHE-ECDSA AES-128-GCM comes first in the default set. */
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, 0xC02B);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static uint16_t negotiated(const uint16_t *server, size_t ns, const uint16_t *client, size_t nc) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, server, ns);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, client, nc);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  uint16_t suite = tc_conn_cipher_suite(s);
  g_assert_cmphex(tc_conn_cipher_suite(c), ==, suite);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  return suite;
}

/* The server's order decides among the suites both offer, whatever the
 * client's order (the default server list and an explicit one). */
static void test_server_preference(void) {
  static const uint16_t server[] = {0xC030, 0xC02F, 0xCCA8, 0xC013};
  static const uint16_t c1[] = {0xC013, 0xCCA8, 0xC02F};
  g_assert_cmphex(negotiated(server, G_N_ELEMENTS(server), c1, G_N_ELEMENTS(c1)), ==, 0xC02F);
  static const uint16_t c2[] = {0xC013, 0xCCA8};
  g_assert_cmphex(negotiated(server, G_N_ELEMENTS(server), c2, G_N_ELEMENTS(c2)), ==, 0xCCA8);
  static const uint16_t c3[] = {0xC013, 0xC030, 0xC02F};
  g_assert_cmphex(negotiated(server, G_N_ELEMENTS(server), c3, G_N_ELEMENTS(c3)), ==, 0xC030);
  /* The default server list: the client's last suite is its first. */
  static const uint16_t c4[] = {0x002F, 0xC013, 0xC02F, 0xC02B};
  g_assert_cmphex(negotiated(NULL, 0, c4, G_N_ELEMENTS(c4)), ==, 0xC02B);
  static const uint16_t c5[] = {0x002F, 0xC013, 0xC027};
  g_assert_cmphex(negotiated(NULL, 0, c5, G_N_ELEMENTS(c5)), ==, 0xC027);
}

static void expect_fail(tc_config *ccfg, tc_config *scfg, tc_err server_code) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  g_test_message("server: %s / client: %s", err_msg(s), err_msg(c));
  g_assert_cmpint(tc_conn_error(s)->code, ==, server_code);
  g_assert_cmpint(tc_conn_error(c)->code, ==, server_code);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_versions(void) {
  /* Old client, server with the default minimum (TLS 1.2). */
  expect_fail(pump_client_cfg12(TC_TLS10, TC_TLS11, NULL, 0), pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0),
              TC_ERR_PROTOCOL_VERSION);
  /* TLS 1.1 on both ends when both allow it. */
  run_ok(TC_TLS11, 0xC013);
}

static void test_fallback_scsv(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS10, TC_TLS13, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS10, TC_TLS11, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_fallback(c, true), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INAPPROPRIATE_FALLBACK);
  tc_conn_free(c);
  tc_conn_free(s);
  /* Without the SCSV the same pair negotiates TLS 1.1. */
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS11);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Server-initiated renegotiation against a client that refuses it: the
 * no_renegotiation warning does not end the connection. */
static void test_renegotiation_refused(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  /* Off by default. */
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_FAIL);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_set_renegotiation(scfg, TC_RENEG_SECURE);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"still", 5));
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A tampered record: the connection fails with bad_record_mac, its own
 * error and alert, whatever refused calls came before. */
static void expect_bad_record_mac(tc_conn *from, tc_conn *to) {
  size_t n = 0;
  g_assert_cmpint(tc_conn_write(from, (const uint8_t *)"tampered", 8, &n), ==, TC_OK);
  size_t len = 0;
  const uint8_t *out = tc_conn_output(from, &len);
  g_assert_cmpuint(len, >, 5);
  uint8_t *copy = g_memdup2(out, len);
  tc_conn_output_ack(from, len);
  copy[len - 1] ^= 1;
  size_t used = 0;
  tc_conn_feed(to, copy, len, &used);
  g_free(copy);
  g_assert_true(tc_conn_status(to) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(to)->code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_false(tc_conn_error(to)->remote);
  g_assert_cmpint(tc_conn_error(to)->alert, ==, 20); /* bad_record_mac */
  out = tc_conn_output(to, &len);
  g_assert_cmpuint(len, >=, 7);
  g_assert_cmpuint(out[0], ==, 21); /* alert record */
}

/* Calls refused as misuse (renegotiation not allowed, setters too late)
 * leave the connection working and do not become its error: a later
 * real failure is reported as itself, with its own alert. */
static void test_refused_call_not_latched(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_nonnull(strstr(tc_conn_error(s)->message, "renegotiation"));
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_key_update(c, true), ==, TC_FAIL); /* no KeyUpdate in TLS 1.2 */
  g_assert_nonnull(strstr(tc_conn_error(c)->message, "KeyUpdate"));
  g_assert_cmpint(tc_conn_set_server_name(c, "late.example"), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  /* Both still work; the refusal stays readable, no alert was sent. */
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"still", 5));
  g_assert_false((tc_conn_status(s) | tc_conn_status(c)) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_cmpint(tc_conn_error(s)->alert, ==, -1);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_nonnull(strstr(tc_conn_error(c)->message, "server name"));
  expect_bad_record_mac(c, s);
  tc_conn_free(c);
  tc_conn_free(s);
  /* The same on the client side, refusal left in place until the failure. */
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_set_server_name(c, "late.example"), ==, TC_FAIL);
  expect_bad_record_mac(s, c);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void resume_pair(tc_config *ccfg, tc_config *scfg, bool expect) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"x", 1));
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  g_assert_false(tc_conn_resumed(s));
  tc_conn_free(c);
  tc_conn_free(s);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_resumed(s), ==, expect);
  g_assert_cmpint(tc_conn_resumed(c), ==, expect);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"resumed", 7));
  tc_session_unref(sess);
  tc_conn_free(c);
  tc_conn_free(s);
}

static void test_resume_ticket(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  resume_pair(ccfg, scfg, true);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_resume_session_id(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_tickets(scfg, 0, 7200);
  tc_session_cache *cache = tc_session_cache_new(4, 60);
  tc_config_set_session_cache(scfg, cache);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  resume_pair(ccfg, scfg, true);
  g_assert_cmpuint(tc_session_cache_count(cache), ==, 1);
  tc_session_cache_unref(cache);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls12/matrix", test_matrix);
  g_test_add_func("/tls12/ssl3", test_ssl3);
  g_test_add_func("/tls12/default-suites", test_default_suites);
  g_test_add_func("/tls12/server-preference", test_server_preference);
  g_test_add_func("/tls12/versions", test_versions);
  g_test_add_func("/tls12/fallback-scsv", test_fallback_scsv);
  g_test_add_func("/tls12/refused-call-not-latched", test_refused_call_not_latched);
  g_test_add_func("/tls12/renegotiation-refused", test_renegotiation_refused);
  g_test_add_func("/tls12/resume-ticket", test_resume_ticket);
  g_test_add_func("/tls12/resume-session-id", test_resume_session_id);
  return g_test_run();
}
