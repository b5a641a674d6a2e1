/* Shared keys in TLS 1.2 and older (RFC 4279, 5487, 5489, 7905): API, every PSK suite, failures, resumption. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "handshake/tls12.h"
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


/* ---- handshakes ---- */

static tc_config *psk_server(uint16_t min, uint16_t max, const uint16_t *suites, size_t n,
                             bool certs) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *s = certs ? pump_server_cfg12(min, max, suites, n) : tc_config_new(TC_ROLE_SERVER);
  if (!certs) {
    g_assert_cmpint(tc_config_set_versions(s, min, max, &err), ==, TC_OK);
    if (n)
      g_assert_cmpint(tc_config_set_cipher_suites(s, suites, n, &err), ==, TC_OK);
  }
  g_assert_cmpint(tc_config_add_psk(s, (const uint8_t *)"bob", 3, (const uint8_t *)"bobkey", 6,
                                    TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  g_assert_cmpint(tc_config_add_psk(s, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err), ==,
                  TC_OK);
  return s;
}

static tc_config *psk_client(uint16_t min, uint16_t max, const uint16_t *suites, size_t n,
                             const uint8_t *key, size_t key_len) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *c = pump_client_cfg12(min, max, suites, n);
  if (key)
    g_assert_cmpint(tc_config_add_psk(c, ID, ID_LEN, key, key_len, TC_PSK_HASH_SHA256, &err), ==,
                    TC_OK);
  return c;
}

static void assert_identity(tc_conn *x, const char *want) {
  size_t len = 0;
  const uint8_t *id = tc_conn_psk_identity(x, &len);
  g_assert_nonnull(id);
  g_assert_cmpmem(id, len, want, strlen(want));
}

/* Key bytes never show in an error message. */
static void assert_no_key(const tc_error *e) {
  g_assert_null(memmem(e->message, strlen(e->message), KEY, 4));
  g_assert_null(strstr(e->message, "00112233"));
}

static void connect_ok(tc_config *ccfg, tc_config *scfg, uint16_t version, uint16_t suite) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  int r = pump_handshake(c, s);
  if (r != TC_OK)
    g_test_message("client: %s / server: %s", tc_conn_error(c)->message,
                   tc_conn_error(s)->message);
  g_assert_cmpint(r, ==, TC_OK);
  g_assert_cmphex(tc_conn_version(c), ==, version);
  g_assert_cmphex(tc_conn_cipher_suite(c), ==, suite);
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, suite);
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  /* No certificate in a PSK handshake. */
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(c, &chain), ==, 0);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"pong", 4));
  uint8_t kc[32], ks[32];
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_conn_export(c, "EXPERIMENTAL psk", NULL, 0, false, kc, 32, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_export(s, "EXPERIMENTAL psk", NULL, 0, false, ks, 32, &err), ==, TC_OK);
  g_assert_cmpmem(kc, 32, ks, 32);
  tc_conn_free(c);
  tc_conn_free(s);
}

/* Every PSK suite of the table in every version it allows, named
 * explicitly on both sides (RC4 and 3DES only run that way). */
static void test_all_suites(void) {
  size_t n;
  const tc_suite12 *all = tc_suite12_all(&n);
  unsigned count = 0;
  for (size_t i = 0; i < n; i++) {
    if (!tc12_suite_is_psk(&all[i]))
      continue;
    for (uint16_t v = TC_TLS10; v <= TC_TLS12; v++) {
      if (!tc_suite12_allows(&all[i], v))
        continue;
      uint16_t id = all[i].id;
      g_test_message("%s %s", all[i].name, tc_version_name(v));
      tc_config *scfg = psk_server(v, v, &id, 1, false);
      tc_config *ccfg = psk_client(v, v, &id, 1, KEY, sizeof KEY);
      connect_ok(ccfg, scfg, v, id);
      tc_config_unref(ccfg);
      tc_config_unref(scfg);
      count++;
    }
  }
  /* 35 suites: 9 AEAD and 8 AES-CCM (TLS 1.2 only), 18 CBC/RC4 in three
   * versions each. */
  g_assert_cmpuint(count, ==, 9 + 8 + 18 * 3);
}

/* Identities of 1, 31, 32, 33 and 256 bytes (short ones are kept in the
 * connection, long ones on the heap): both ends report the identity the
 * client sent, over TLS 1.2 and TLS 1.3, and again on a second connection
 * of the same configs. */
static void test_identity_lengths(void) {
  static const size_t lens[] = {1, 31, 32, 33, 256};
  uint8_t id[256];
  for (size_t i = 0; i < sizeof id; i++)
    id[i] = (uint8_t)('a' + i % 26);
  for (size_t v = 0; v < 2; v++)
    for (size_t k = 0; k < G_N_ELEMENTS(lens); k++) {
      uint16_t version = v ? TC_TLS13 : TC_TLS12;
      tc_error err;
      tc_error_clear(&err);
      tc_config *scfg = tc_config_new(TC_ROLE_SERVER), *ccfg = tc_config_new(TC_ROLE_CLIENT);
      g_assert_cmpint(tc_config_set_versions(ccfg, version, version, &err), ==, TC_OK);
      g_assert_cmpint(tc_config_add_psk(scfg, id, lens[k], KEY, sizeof KEY, TC_PSK_HASH_SHA256,
                                        &err), ==, TC_OK);
      g_assert_cmpint(tc_config_add_psk(ccfg, id, lens[k], KEY, sizeof KEY, TC_PSK_HASH_SHA256,
                                        &err), ==, TC_OK);
      for (int round = 0; round < 2; round++) {
        tc_conn *c, *s;
        pump_new_pair(ccfg, scfg, &c, &s);
        g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
        g_assert_cmphex(tc_conn_version(s), ==, version);
        size_t cl = 0, sl = 0;
        const uint8_t *ci = tc_conn_psk_identity(c, &cl), *si = tc_conn_psk_identity(s, &sl);
        g_assert_cmpmem(ci, cl, id, lens[k]);
        g_assert_cmpmem(si, sl, id, lens[k]);
        g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
        tc_conn_free(c);
        tc_conn_free(s);
      }
      tc_config_unref(ccfg);
      tc_config_unref(scfg);
    }
}

/* Default suite lists: PSK suites are offered and chosen once both ends
 * have shared keys, and a server with certificates too picks by the
 * client's offer. */
static void test_defaults(void) {
  /* PSK only on both sides: the server's first PSK suite. */
  tc_config *scfg = psk_server(TC_TLS12, TC_TLS12, NULL, 0, false);
  tc_config *ccfg = psk_client(TC_TLS12, TC_TLS12, NULL, 0, KEY, sizeof KEY);
  connect_ok(ccfg, scfg, TC_TLS12, 0xCCAC); /* ECDHE_PSK_WITH_CHACHA20_POLY1305 */
  tc_config_unref(ccfg);
  tc_config_unref(scfg);

  /* Certificates and PSK on the server; a client without a PSK does not
   * offer PSK suites and gets a certificate suite. */
  scfg = psk_server(TC_TLS12, TC_TLS12, NULL, 0, true);
  ccfg = psk_client(TC_TLS12, TC_TLS12, NULL, 0, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, 0xC02B);
  g_assert_null(tc_conn_psk_identity(s, NULL));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);

  /* ... and a client offering only DHE-PSK gets it from the same server. */
  static const uint16_t dhe_psk = 0x00AA;
  ccfg = psk_client(TC_TLS12, TC_TLS12, &dhe_psk, 1, KEY, sizeof KEY);
  connect_ok(ccfg, scfg, TC_TLS12, dhe_psk);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);

  /* A PSK-only server and a client without PSK share no suite. */
  scfg = psk_server(TC_TLS12, TC_TLS12, NULL, 0, false);
  ccfg = psk_client(TC_TLS12, TC_TLS12, NULL, 0, NULL, 0);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Naming PSK suites without a shared key is a configuration error, found
 * before anything is sent. */
static void test_named_without_key(void) {
  static const uint16_t suites[] = {0xC02F, 0x00A8};
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, suites, 2);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, suites, 2);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  g_assert_true(tc_conn_status(c) & TC_S_FAILED);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  g_assert_false(tc_conn_status(c) & TC_S_OUTPUT); /* no ClientHello, no alert */
  g_assert_false(tc_conn_status(s) & TC_S_OUTPUT);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_nonnull(strstr(tc_conn_error(c)->message, "TLS_PSK_WITH_AES_128_GCM_SHA256 needs a "
                                                     "shared key"));
  g_assert_nonnull(strstr(tc_conn_error(s)->message, "configuration error"));
  tc_conn_free(c);
  tc_conn_free(s);
  /* With a per-connection key the same client config is fine. */
  tc_config *s2 = psk_server(TC_TLS12, TC_TLS12, suites, 2, true);
  c = tc_conn_new(ccfg, &err);
  s = tc_conn_new(s2, &err);
  g_assert_cmpint(tc_conn_set_psk(c, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, 0xC02F); /* server preference */
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(s2);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Identity hint from the server to the client's want; the client's
 * identity to the server's want. */
static void test_wants(void) {
  static const uint16_t suites[] = {0x008C, 0xC035, 0x0090}; /* PSK, ECDHE-PSK, DHE-PSK (CBC) */
  for (size_t i = 0; i < G_N_ELEMENTS(suites); i++) {
    tc_error err;
    tc_error_clear(&err);
    tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
    g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS11, TC_TLS12, &err), ==, TC_OK);
    tc_config_set_psk_server(scfg, true);
    g_assert_cmpint(tc_config_set_psk_identity_hint(scfg, (const uint8_t *)"realm\x01", 6, &err),
                    ==, TC_OK);
    tc_config *ccfg = pump_client_cfg12(TC_TLS11, TC_TLS12, &suites[i], 1);
    tc_config_set_psk_client_want(ccfg, true);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_PSK_IDENTITY);
    size_t hl;
    const uint8_t *hint = tc_conn_psk_identity_hint(c, &hl);
    g_assert_cmpmem(hint, hl, "realm\x01", 6);
    g_assert_cmpint(tc_conn_answer_psk_identity(c, ID, ID_LEN, KEY, sizeof KEY), ==, TC_OK);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_want(s), ==, TC_WANT_PSK_KEY);
    assert_identity(s, "alice");
    g_assert_cmpint(tc_conn_answer_psk_key(s, KEY, sizeof KEY), ==, TC_OK);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    g_assert_cmphex(tc_conn_version(s), ==, TC_TLS12);
    g_assert_cmphex(tc_conn_cipher_suite(s), ==, suites[i]);
    assert_identity(c, "alice");
    assert_identity(s, "alice");
    g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* The client picks the configured identity equal to the hint. */
static void test_hint_selects(void) {
  tc_error err;
  tc_error_clear(&err);
  static const uint16_t suite = 0x00A8;
  tc_config *scfg = psk_server(TC_TLS12, TC_TLS12, &suite, 1, false);
  g_assert_cmpint(tc_config_set_psk_identity_hint(scfg, ID, ID_LEN, &err), ==, TC_OK);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
  g_assert_cmpint(tc_config_add_psk(ccfg, (const uint8_t *)"carol", 5, (const uint8_t *)"x", 1,
                                    TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  g_assert_cmpint(tc_config_add_psk(ccfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  connect_ok(ccfg, scfg, TC_TLS12, suite);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

typedef enum { FAIL_WRONG_KEY, FAIL_UNKNOWN_CFG, FAIL_UNKNOWN_WANT, FAIL_DECLINE } fail_kind;

static void failure_case(uint16_t suite, uint16_t version, fail_kind kind) {
  static const uint8_t wrong[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = psk_server(version, version, &suite, 1, false);
  if (kind == FAIL_UNKNOWN_WANT || kind == FAIL_DECLINE)
    tc_config_set_psk_server(scfg, true);
  tc_config *ccfg = pump_client_cfg12(version, version, &suite, 1);
  if (kind == FAIL_WRONG_KEY)
    g_assert_cmpint(tc_config_add_psk(ccfg, ID, ID_LEN, wrong, sizeof wrong, TC_PSK_HASH_SHA256,
                                      &err),
                    ==, TC_OK);
  else if (kind == FAIL_DECLINE)
    tc_config_set_psk_client_want(ccfg, true);
  else
    g_assert_cmpint(tc_config_add_psk(ccfg, (const uint8_t *)"mallory\n", 8, KEY, sizeof KEY,
                                      TC_PSK_HASH_SHA256, &err),
                    ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  int r = pump_handshake(c, s);
  if (kind == FAIL_UNKNOWN_WANT) {
    g_assert_cmpint(r, ==, TC_WANT);
    g_assert_cmpint(tc_conn_want(s), ==, TC_WANT_PSK_KEY);
    g_assert_cmpint(tc_conn_answer_psk_key(s, NULL, 0), ==, TC_FAIL);
    r = pump_handshake(c, s);
  } else if (kind == FAIL_DECLINE) {
    g_assert_cmpint(r, ==, TC_WANT);
    g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_PSK_IDENTITY);
    g_assert_cmpint(tc_conn_answer_psk_identity(c, NULL, 0, NULL, 0), ==, TC_FAIL);
    r = pump_handshake(c, s);
  }
  g_assert_cmpint(r, ==, TC_FAIL);
  const tc_error *ce = tc_conn_error(c), *se = tc_conn_error(s);
  g_test_message("client: %s (%s)", ce->message, tc_alert_name(ce->alert));
  g_test_message("server: %s (%s)", se->message, tc_alert_name(se->alert));
  assert_no_key(ce);
  assert_no_key(se);
  switch (kind) {
  case FAIL_WRONG_KEY:
    /* The client's Finished arrives under other keys: bad_record_mac. */
    g_assert_cmpint(se->code, ==, TC_ERR_BAD_RECORD_MAC);
    g_assert_false(se->remote);
    g_assert_cmpstr(se->message, ==,
                    "PSK authentication failed: wrong key for identity 'alice' (the client's "
                    "Finished did not verify)");
    /* What a program reads back (tc_conn_last_alert): bad_record_mac both ways. */
    g_assert_cmpint(tc_conn_last_alert(s, true, NULL), ==, 20);
    g_assert_cmpint(tc_conn_last_alert(c, false, NULL), ==, 20);
    g_assert_cmpint(ce->code, ==, TC_ERR_BAD_RECORD_MAC);
    g_assert_true(ce->remote);
    g_assert_cmpstr(ce->message, ==,
                    "PSK authentication failed: the server rejected the key for identity "
                    "'alice' (wrong key; alert bad_record_mac)");
    break;
  case FAIL_UNKNOWN_CFG:
  case FAIL_UNKNOWN_WANT:
    g_assert_cmpint(se->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
    g_assert_cmpint(se->alert, ==, 115);
    g_assert_cmpint(tc_conn_last_alert(s, true, NULL), ==, 115);
    g_assert_cmpint(tc_conn_last_alert(c, false, NULL), ==, 115);
    g_assert_cmpstr(se->message, ==, "PSK authentication failed: unknown identity 'mallory\\x0a'");
    g_assert_cmpint(ce->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
    g_assert_true(ce->remote);
    g_assert_cmpstr(ce->message, ==,
                    "PSK authentication failed: the server does not know identity "
                    "'mallory\\x0a'");
    break;
  case FAIL_DECLINE:
    g_assert_cmpint(ce->code, ==, TC_ERR_HANDSHAKE_FAILURE);
    g_assert_false(ce->remote);
    g_assert_nonnull(strstr(ce->message, "no PSK identity was given"));
    g_assert_cmpint(se->code, ==, TC_ERR_HANDSHAKE_FAILURE);
    g_assert_true(se->remote);
    break;
  }
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_failures(void) {
  /* AEAD and CBC (with encrypt-then-MAC, and without it in TLS 1.0 CBC too). */
  static const struct {
    uint16_t suite, version;
  } cases[] = {{0x00A8, TC_TLS12}, {0xCCAC, TC_TLS12}, {0x00AA, TC_TLS12},
               {0xC035, TC_TLS10}, {0x008C, TC_TLS11}, {0x00B2, TC_TLS12}};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    for (int k = FAIL_WRONG_KEY; k <= FAIL_DECLINE; k++)
      failure_case(cases[i].suite, cases[i].version, (fail_kind)k);
}

/* Sessions keep the identity and resume by ticket and by session ID;
 * after resumption both ends still report it. */
static void resume_case(bool tickets, uint16_t suite, uint16_t version) {
  tc_session_cache *cache = tickets ? NULL : tc_session_cache_new(8, 60);
  tc_config *scfg = psk_server(version, version, &suite, 1, false);
  if (!tickets) {
    tc_config_set_tickets(scfg, 0, 7200);
    tc_config_set_session_cache(scfg, cache);
  }
  tc_config *ccfg = psk_client(version, version, &suite, 1, KEY, sizeof KEY);
  tc_session *sess = NULL;
  for (int round = 0; round < 3; round++) {
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    if (sess)
      g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    g_assert_cmpint(tc_conn_resumed(c), ==, round > 0);
    g_assert_cmpint(tc_conn_resumed(s), ==, round > 0);
    assert_identity(c, "alice");
    assert_identity(s, "alice");
    g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
    tc_session_unref(sess);
    sess = tc_conn_get_session(c);
    g_assert_nonnull(sess);
    g_assert_cmpmem(sess->psk_identity, sess->psk_identity_len, "alice", 5);
    tc_conn_free(c);
    tc_conn_free(s);
  }
  /* The identity survives serialization. */
  uint8_t *ser;
  size_t sl;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_session_serialize(sess, &ser, &sl), ==, TC_OK);
  tc_session *back = tc_session_deserialize(ser, sl, &err);
  g_assert_nonnull(back);
  g_assert_cmpmem(back->psk_identity, back->psk_identity_len, "alice", 5);
  free(ser);
  tc_session_unref(back);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_session_cache_unref(cache);
}

static void test_resume_ticket(void) {
  resume_case(true, 0x00A8, TC_TLS12);
  resume_case(true, 0xC037, TC_TLS11);
}

static void test_resume_session_id(void) {
  resume_case(false, 0xCCAD, TC_TLS12);
  resume_case(false, 0x008D, TC_TLS10);
}

/* A server that lost its shared keys does not resume a PSK session. */
static void test_resume_needs_psk(void) {
  static const uint16_t suites[] = {0x00A8, 0xC02F};
  tc_config *scfg = psk_server(TC_TLS12, TC_TLS12, suites, 2, true);
  tc_config *ccfg = psk_client(TC_TLS12, TC_TLS12, suites, 2, KEY, sizeof KEY);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, 0x00A8);
  tc_session *sess = tc_conn_get_session(c);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config *s2 = pump_server_cfg12(TC_TLS12, TC_TLS12, &suites[1], 1);
  /* the same ticket key: only the PSK is missing */
  tc_error err;
  tc_error_clear(&err);
  static const uint8_t tk[32] = {1};
  g_assert_cmpint(tc_config_set_ticket_key(scfg, tk, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_ticket_key(s2, tk, &err), ==, TC_OK);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  tc_session_unref(sess);
  sess = tc_conn_get_session(c);
  tc_conn_free(c);
  tc_conn_free(s);
  pump_new_pair(ccfg, s2, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_false(tc_conn_resumed(s));
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, 0xC02F);
  g_assert_null(tc_conn_psk_identity(s, NULL));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(s2);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/psk12/config-limits", test_config_limits);
  g_test_add_func("/psk12/conn-setters", test_conn_setters);
  g_test_add_func("/psk12/all-suites", test_all_suites);
  g_test_add_func("/psk12/identity-lengths", test_identity_lengths);
  g_test_add_func("/psk12/defaults", test_defaults);
  g_test_add_func("/psk12/named-without-key", test_named_without_key);
  g_test_add_func("/psk12/wants", test_wants);
  g_test_add_func("/psk12/hint-selects", test_hint_selects);
  g_test_add_func("/psk12/failures", test_failures);
  g_test_add_func("/psk12/resume-ticket", test_resume_ticket);
  g_test_add_func("/psk12/resume-session-id", test_resume_session_id);
  g_test_add_func("/psk12/resume-needs-psk", test_resume_needs_psk);
  return g_test_run();
}
