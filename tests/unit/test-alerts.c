/* tc_conn_last_alert: the last alert each side sent and received, fatal and warning. */
#include <glib.h>

#include "pump.h"
#include "tlscore/conn.h"

static void assert_alert(tc_conn *c, bool sent, int desc, int level) {
  int lvl = 0;
  g_assert_cmpint(tc_conn_last_alert(c, sent, &lvl), ==, desc);
  g_assert_cmpint(lvl, ==, level);
  g_assert_cmpint(tc_conn_last_alert(c, sent, NULL), ==, desc);
}

/* A client that does not trust the server's CA: unknown_ca, fatal, both ways. */
static void test_fatal(void) {
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
  tc_trust_store *t = pump_load_trust("other-ca.pem");
  pump_add_chain(scfg, "server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_trust_store(ccfg, t);
  tc_trust_store_unref(t);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  assert_alert(c, true, -1, -1);
  assert_alert(c, false, -1, -1);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  assert_alert(c, true, 48, 2); /* unknown_ca */
  assert_alert(s, false, 48, 2);
  assert_alert(c, false, -1, -1);
  assert_alert(s, true, -1, -1);
  g_assert_cmpstr(tc_alert_name(tc_conn_last_alert(s, false, NULL)), ==, "unknown_ca");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* close_notify is an alert too (warning level). */
static void test_close_notify(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  assert_alert(c, true, -1, -1);
  assert_alert(s, false, -1, -1);
  g_assert_cmpint(tc_conn_close(c), ==, TC_OK);
  pump(c, s, 10);
  assert_alert(c, true, 0, 1);
  assert_alert(s, false, 0, 1);
  assert_alert(s, true, -1, -1);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A warning that does not end the connection: a TLS 1.2 client refusing
 * the server's renegotiation sends no_renegotiation. */
static void test_warning(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_renegotiation(scfg, TC_RENEG_SECURE);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  assert_alert(c, true, 100, 1); /* no_renegotiation */
  assert_alert(s, false, 100, 1);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/alerts/fatal", test_fatal);
  g_test_add_func("/alerts/close-notify", test_close_notify);
  g_test_add_func("/alerts/warning", test_warning);
  return g_test_run();
}
