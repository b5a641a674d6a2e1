/* Engine tests: TLS 1.3 handshakes between two in-memory tc_conn (full, HRR, client auth, resumption, KeyUpdate, ALPN, failures). */
#include <glib.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn_internal.h"
#include "msg/msg.h"
#include "pump.h"
#include "tlscore/conn.h"
#include "tlscore/srp.h"

#define HOST "server.example.com"

typedef struct pair {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
} pair;

static tc_config *client_cfg(void) {
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_trust_store *t = pump_load_trust("ca-bundle.pem");
  tc_config_set_trust_store(cfg, t);
  tc_trust_store_unref(t);
  return cfg;
}

static tc_config *server_cfg(const char *cert, const char *key) {
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(cfg, cert, key);
  return cfg;
}

static void pair_open(pair *p, tc_config *ccfg, tc_config *scfg) {
  tc_error err;
  tc_error_clear(&err);
  p->ccfg = ccfg;
  p->scfg = scfg;
  p->c = tc_conn_new(ccfg, &err);
  p->s = tc_conn_new(scfg, &err);
  g_assert_nonnull(p->c);
  g_assert_nonnull(p->s);
  g_assert_cmpint(tc_conn_set_server_name(p->c, HOST), ==, TC_OK);
}

static void pair_close(pair *p) {
  tc_conn_free(p->c);
  tc_conn_free(p->s);
  tc_config_unref(p->ccfg);
  tc_config_unref(p->scfg);
}

static void assert_ok_handshake(pair *p) {
  int r = pump_handshake(p->c, p->s);
  if (r != TC_OK)
    g_test_message("client: %s / server: %s", tc_conn_error(p->c)->message,
                   tc_conn_error(p->s)->message);
  g_assert_cmpint(r, ==, TC_OK);
  g_assert_true(tc_conn_handshake_done(p->c));
  g_assert_true(tc_conn_handshake_done(p->s));
  g_assert_cmpuint(tc_conn_version(p->c), ==, TC_TLS13);
  g_assert_cmpuint(tc_conn_version(p->s), ==, TC_TLS13);
  g_assert_cmpuint(tc_conn_cipher_suite(p->c), ==, tc_conn_cipher_suite(p->s));
}

static void test_full_handshake(void) {
  pair p;
  pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_cipher_suite(p.c), ==, TC_TLS_AES_128_GCM_SHA256);
  g_assert_cmpuint(tc_conn_group(p.c), ==, TC_GROUP_X25519);
  g_assert_cmpuint(tc_conn_sig_scheme(p.c), ==, TC_SIG_RSA_PSS_RSAE_SHA256);
  g_assert_cmpstr(tc_conn_server_name(p.s), ==, HOST);
  g_assert_false(tc_conn_resumed(p.c));
  g_assert_null(tc_conn_alpn(p.c));
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(p.c, &chain), ==, 1);
  g_assert_cmpuint(tc_conn_peer_cert_flags(p.c), ==, 0);

  static const unsigned char hello[] = "hello from the client";
  static const unsigned char reply[] = "and hello from the server";
  g_assert_true(pump_transfer(p.c, p.s, hello, sizeof hello));
  g_assert_true(pump_transfer(p.s, p.c, reply, sizeof reply));
  /* A large transfer crosses many records. */
  size_t big = 100000;
  unsigned char *data = g_malloc(big);
  for (size_t i = 0; i < big; i++)
    data[i] = (unsigned char)(i * 7);
  g_assert_true(pump_transfer(p.c, p.s, data, big));
  g_assert_true(pump_transfer(p.s, p.c, data, big));
  g_free(data);

  /* Exporters agree; tls-exporter is the RFC 9266 export; tls-unique does not exist. */
  uint8_t e1[32], e2[32];
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_conn_export(p.c, "EXPERIMENTAL test", (const uint8_t *)"ctx", 3, true, e1, 32,
                                 &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_export(p.s, "EXPERIMENTAL test", (const uint8_t *)"ctx", 3, true, e2, 32,
                                 &err), ==, TC_OK);
  g_assert_cmpmem(e1, 32, e2, 32);
  size_t bl = 32;
  g_assert_cmpint(tc_conn_binding(p.c, TC_BINDING_TLS_EXPORTER, e1, &bl, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_export(p.s, "EXPORTER-Channel-Binding", NULL, 0, false, e2, 32, &err),
                  ==, TC_OK);
  g_assert_cmpmem(e1, 32, e2, 32);
  uint8_t ep1[64], ep2[64];
  size_t l1 = sizeof ep1, l2 = sizeof ep2;
  g_assert_cmpint(tc_conn_binding(p.c, TC_BINDING_TLS_SERVER_END_POINT, ep1, &l1, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_binding(p.s, TC_BINDING_TLS_SERVER_END_POINT, ep2, &l2, &err), ==, TC_OK);
  g_assert_cmpmem(ep1, l1, ep2, l2);
  bl = 32;
  g_assert_cmpint(tc_conn_binding(p.c, TC_BINDING_TLS_UNIQUE, e1, &bl, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_UNSUPPORTED);
  g_assert_false(tc_conn_status(p.c) & TC_S_FAILED);

  /* Idle connections give their buffers back. */
  tc_conn_shrink(p.c);
  tc_conn_shrink(p.s);
  g_assert_true(pump_transfer(p.c, p.s, hello, sizeof hello));

  /* close_notify: the reader sees EOF, the transport EOF afterwards is fine. */
  g_assert_cmpint(tc_conn_close(p.c), ==, TC_OK);
  pump(p.c, p.s, 10);
  uint8_t buf[16];
  size_t n;
  g_assert_cmpint(tc_conn_read(p.s, buf, sizeof buf, &n), ==, TC_EOF);
  g_assert_true(tc_conn_status(p.s) & TC_S_PEER_CLOSED);
  tc_conn_input_eof(p.s);
  g_assert_false(tc_conn_status(p.s) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_write(p.c, hello, 1, &n), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_CLOSED);
  pair_close(&p);
}

static void test_ecdsa_alpn(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  const char *cl[] = {"h2", "http/1.1"};
  const char *sl[] = {"http/1.1", "h2"};
  g_assert_cmpint(tc_config_set_alpn(ccfg, cl, 2, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_alpn(scfg, sl, 2, &err), ==, TC_OK);
  uint16_t suites[] = {TC_TLS_AES_256_GCM_SHA384};
  g_assert_cmpint(tc_config_set_cipher_suites(scfg, suites, 1, &err), ==, TC_OK);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_cmpstr(tc_conn_alpn(p.c), ==, "http/1.1");
  g_assert_cmpstr(tc_conn_alpn(p.s), ==, "http/1.1");
  g_assert_cmpuint(tc_conn_cipher_suite(p.c), ==, TC_TLS_AES_256_GCM_SHA384);
  g_assert_cmpuint(tc_conn_sig_scheme(p.c), ==, TC_SIG_ECDSA_SECP256R1_SHA256);
  static const unsigned char msg[] = "ping";
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  pair_close(&p);
}

static void test_chacha_ed25519(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ed25519.pem", "server-ed25519-key.pem");
  tc_error err;
  tc_error_clear(&err);
  uint16_t suites[] = {TC_TLS_CHACHA20_POLY1305_SHA256};
  g_assert_cmpint(tc_config_set_cipher_suites(ccfg, suites, 1, &err), ==, TC_OK);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_cipher_suite(p.s), ==, TC_TLS_CHACHA20_POLY1305_SHA256);
  g_assert_cmpuint(tc_conn_sig_scheme(p.c), ==, TC_SIG_ED25519);
  static const unsigned char msg[] = "chacha";
  g_assert_true(pump_transfer(p.s, p.c, msg, sizeof msg));
  pair_close(&p);
}

static void test_hello_retry(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  uint16_t g[] = {TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(scfg, g, 1, &err), ==, TC_OK);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_group(p.c), ==, TC_GROUP_SECP256R1);
  g_assert_cmpuint(tc_conn_group(p.s), ==, TC_GROUP_SECP256R1);
  static const unsigned char msg[] = "after HRR";
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  pair_close(&p);

  /* Without middlebox compatibility too. */
  ccfg = client_cfg();
  scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  uint16_t g2[] = {TC_GROUP_SECP384R1};
  g_assert_cmpint(tc_config_set_groups(scfg, g2, 1, &err), ==, TC_OK);
  tc_config_set_middlebox_compat(ccfg, false);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_group(p.c), ==, TC_GROUP_SECP384R1);
  pair_close(&p);
}

static void test_ffdhe(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  uint16_t cg[] = {TC_GROUP_FFDHE2048}, sg[] = {TC_GROUP_X25519, TC_GROUP_FFDHE2048};
  g_assert_cmpint(tc_config_set_groups(ccfg, cg, 1, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(scfg, sg, 2, &err), ==, TC_OK);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_group(p.s), ==, TC_GROUP_FFDHE2048);
  static const unsigned char msg[] = "ffdhe";
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  pair_close(&p);
}

static void test_no_common_group(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  uint16_t g[] = {TC_GROUP_SECP256R1}, g2[] = {TC_GROUP_X25519};
  tc_config_set_groups(scfg, g, 1, &err);
  tc_config_set_groups(ccfg, g2, 1, &err);
  pair_open(&p, ccfg, scfg);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  g_assert_false(tc_conn_error(p.s)->remote);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  g_assert_true(tc_conn_error(p.c)->remote);
  g_assert_nonnull(strstr(tc_conn_error(p.c)->message, "handshake_failure"));
  pair_close(&p);
}

static void test_client_auth(void) {
  /* Configured client chain, builtin verification on the server. */
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  pump_add_chain(ccfg, "client-rsa.pem", "client-rsa-key.pem");
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
  tc_trust_store *t = pump_load_trust("ca-rsa.pem");
  tc_config_set_trust_store(scfg, t);
  tc_trust_store_unref(t);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(p.s, &chain), ==, 1);
  g_assert_cmpuint(tc_conn_sig_scheme(p.s), ==, TC_SIG_RSA_PSS_RSAE_SHA256);
  static const unsigned char msg[] = "authenticated";
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  pair_close(&p);
}

static void test_client_auth_want(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
  tc_trust_store *t = pump_load_trust("ca-ecdsa.pem");
  tc_config_set_trust_store(scfg, t);
  tc_trust_store_unref(t);
  pair_open(&p, ccfg, scfg);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_want(p.c), ==, TC_WANT_CLIENT_CERT);
  /* The server listed its trust anchor as acceptable CA. */
  g_assert_cmpuint(tc_conn_acceptable_ca_count(p.c), ==, 1);
  size_t n;
  tc_cert **certs = pump_load_certs("client-ecdsa.pem", &n);
  tc_privkey *key = pump_load_key("client-ecdsa-key.pem");
  g_assert_cmpint(tc_conn_answer_client_cert(p.c, certs, n, key), !=, TC_FAIL);
  pump_free_certs(certs, n);
  tc_privkey_unref(key);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_sig_scheme(p.s), ==, TC_SIG_ECDSA_SECP256R1_SHA256);
  pair_close(&p);

  /* No certificate while the server requires one: certificate_required. */
  ccfg = client_cfg();
  scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
  pair_open(&p, ccfg, scfg);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_answer_client_cert(p.c, NULL, 0, NULL), !=, TC_FAIL);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_CERTIFICATE_REQUIRED);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_CERTIFICATE_REQUIRED);
  g_assert_true(tc_conn_error(p.c)->remote);
  pair_close(&p);

  /* ...but REQUEST accepts an empty answer. */
  ccfg = client_cfg();
  scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUEST);
  pair_open(&p, ccfg, scfg);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_answer_client_cert(p.c, NULL, 0, NULL), !=, TC_FAIL);
  assert_ok_handshake(&p);
  g_assert_cmpuint(tc_conn_peer_chain(p.s, NULL), ==, 0);
  pair_close(&p);
}

static tc_session *handshake_for_session(tc_config *ccfg, tc_config *scfg) {
  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  assert_ok_handshake(&p);
  /* Tickets follow the handshake; reading drives them in. */
  static const unsigned char msg[] = "x";
  g_assert_true(pump_transfer(p.s, p.c, msg, 1));
  tc_session *s = tc_conn_get_session(p.c);
  pair_close(&p);
  return s;
}

static void test_resumption(void) {
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  const char *al[] = {"h2"};
  tc_config_set_alpn(ccfg, al, 1, &err);
  tc_config_set_alpn(scfg, al, 1, &err);
  tc_session *s = handshake_for_session(ccfg, scfg);
  g_assert_nonnull(s);

  /* Serialize and restore. */
  uint8_t *ser = NULL;
  size_t sl = 0;
  g_assert_cmpint(tc_session_serialize(s, &ser, &sl), ==, TC_OK);
  tc_session *s2 = tc_session_deserialize(ser, sl, &err);
  g_assert_nonnull(s2);
  g_assert_null(tc_session_deserialize(ser, sl - 1, &err));
  free(ser);

  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  g_assert_cmpint(tc_conn_set_session(p.c, s2), ==, TC_OK);
  assert_ok_handshake(&p);
  g_assert_true(tc_conn_resumed(p.c));
  g_assert_true(tc_conn_resumed(p.s));
  g_assert_cmpstr(tc_conn_alpn(p.c), ==, "h2");
  g_assert_cmpuint(tc_conn_peer_chain(p.s, NULL), ==, 0);
  static const unsigned char msg[] = "resumed";
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  pair_close(&p);

  /* A server with a different ticket key does a full handshake instead. */
  tc_config *scfg2 = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_alpn(scfg2, al, 1, &err);
  pair_open(&p, tc_config_ref(ccfg), scfg2);
  g_assert_cmpint(tc_conn_set_session(p.c, s), ==, TC_OK);
  assert_ok_handshake(&p);
  g_assert_false(tc_conn_resumed(p.c));
  g_assert_false(tc_conn_resumed(p.s));
  pair_close(&p);

  tc_session_unref(s);
  tc_session_unref(s2);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_resumption_hrr(void) {
  /* The server only does P-256, so both handshakes go through a
   * HelloRetryRequest; the second one carries the PSK in both ClientHellos. */
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  uint16_t g[] = {TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(scfg, g, 1, &err), ==, TC_OK);
  uint16_t suites[] = {TC_TLS_AES_256_GCM_SHA384, TC_TLS_AES_128_GCM_SHA256};
  g_assert_cmpint(tc_config_set_cipher_suites(scfg, suites, 2, &err), ==, TC_OK);
  tc_session *s = handshake_for_session(ccfg, scfg);
  g_assert_nonnull(s);
  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  g_assert_cmpint(tc_conn_set_session(p.c, s), ==, TC_OK);
  assert_ok_handshake(&p);
  g_assert_true(tc_conn_resumed(p.c));
  g_assert_true(tc_conn_resumed(p.s));
  g_assert_cmpuint(tc_conn_group(p.c), ==, TC_GROUP_SECP256R1);
  g_assert_cmpuint(tc_conn_cipher_suite(p.c), ==, TC_TLS_AES_256_GCM_SHA384);
  static const unsigned char msg[] = "resumed after HRR";
  g_assert_true(pump_transfer(p.s, p.c, msg, sizeof msg));
  /* A new ticket arrived on the resumed connection too. */
  tc_session *s2 = tc_conn_get_session(p.c);
  g_assert_nonnull(s2);
  g_assert_true(s2 != s);
  tc_session_unref(s2);
  pair_close(&p);

  /* A session is not offered to another server name. */
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  tc_conn_free(p.c);
  p.c = tc_conn_new(ccfg, &err);
  tc_conn_set_server_name(p.c, "localhost");
  g_assert_cmpint(tc_conn_set_session(p.c, s), ==, TC_OK);
  assert_ok_handshake(&p);
  g_assert_false(tc_conn_resumed(p.c));
  pair_close(&p);
  tc_session_unref(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_ip_literal(void) {
  /* IP literals are verified against IP SANs but never sent as SNI. */
  const char *names[] = {"127.0.0.1", "::1"};
  for (int i = 0; i < 2; i++) {
    pair p;
    pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
    tc_conn_free(p.c);
    tc_error err;
    tc_error_clear(&err);
    p.c = tc_conn_new(p.ccfg, &err);
    g_assert_cmpint(tc_conn_set_server_name(p.c, names[i]), ==, TC_OK);
    assert_ok_handshake(&p);
    g_assert_null(tc_conn_server_name(p.s));
    pair_close(&p);
  }
}

static void test_early_tickets(void) {
  /* The client gets its ticket with the server's flight, without reading. */
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_config_set_early_tickets(scfg, true);
  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  assert_ok_handshake(&p);
  tc_session *s = tc_conn_get_session(p.c);
  g_assert_nonnull(s);
  static const unsigned char msg[] = "x";
  g_assert_true(pump_transfer(p.c, p.s, msg, 1));
  pair_close(&p);
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  tc_conn_set_session(p.c, s);
  assert_ok_handshake(&p);
  g_assert_true(tc_conn_resumed(p.c));
  g_assert_true(tc_conn_resumed(p.s));
  g_assert_true(pump_transfer(p.c, p.s, msg, 1));
  pair_close(&p);
  tc_session_unref(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Two tickets after a full handshake (the default ticket count), one after
 * a resumption, which replaces the ticket the client used (as OpenSSL);
 * that ticket resumes again. Early tickets and tickets after the client
 * Finished alike. */
static void test_tickets_after_resumption(void) {
  for (int early = 0; early < 2; early++) {
    tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
    tc_config_set_early_tickets(scfg, early);
    static const unsigned char msg[] = "x";
    tc_session *s = NULL;
    for (int round = 0; round < 3; round++) {
      pair p;
      pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
      if (s)
        g_assert_cmpint(tc_conn_set_session(p.c, s), ==, TC_OK);
      assert_ok_handshake(&p);
      /* Tickets sent after the client Finished arrive with data. */
      g_assert_true(pump_transfer(p.s, p.c, msg, 1));
      g_assert_cmpint(tc_conn_resumed(p.s), ==, round > 0);
      g_assert_cmpint(tc_conn_resumed(p.c), ==, round > 0);
      g_assert_cmpuint(p.s->tickets_sent, ==, round == 0 ? 2 : 1);
      tc_session *next = tc_conn_get_session(p.c);
      g_assert_nonnull(next);
      g_assert_true(next != s);
      if (s)
        tc_session_unref(s);
      s = next;
      pair_close(&p);
    }
    tc_session_unref(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

static void test_key_update(void) {
  pair p;
  pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
  assert_ok_handshake(&p);
  static const unsigned char m1[] = "before";
  static const unsigned char m2[] = "after update";
  g_assert_true(pump_transfer(p.c, p.s, m1, sizeof m1));
  g_assert_cmpint(tc_conn_key_update(p.c, true), ==, TC_OK);
  g_assert_true(pump_transfer(p.c, p.s, m2, sizeof m2));
  /* The server answered with its own update; its data still flows. */
  g_assert_true(pump_transfer(p.s, p.c, m2, sizeof m2));
  g_assert_cmpint(tc_conn_key_update(p.s, false), ==, TC_OK);
  g_assert_true(pump_transfer(p.s, p.c, m1, sizeof m1));
  g_assert_true(pump_transfer(p.c, p.s, m1, sizeof m1));
  /* Near the AEAD usage limit the writer rekeys on its own. */
  p.c->rec.wr.seq = (UINT64_C(1) << 24) + 5;
  p.s->rec.rd.seq = p.c->rec.wr.seq;
  g_assert_true(pump_transfer(p.c, p.s, m2, sizeof m2));
  g_assert_cmpuint(p.c->rec.wr.seq, <, 10);
  g_assert_true(pump_transfer(p.c, p.s, m1, sizeof m1));
  pair_close(&p);
}

static void test_alpn_mismatch(void) {
  pair p;
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_error err;
  tc_error_clear(&err);
  const char *cl[] = {"h2"};
  const char *sl[] = {"imap"};
  tc_config_set_alpn(ccfg, cl, 1, &err);
  tc_config_set_alpn(scfg, sl, 1, &err);
  pair_open(&p, ccfg, scfg);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_NO_APPLICATION_PROTOCOL);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_NO_APPLICATION_PROTOCOL);
  g_assert_true(tc_conn_error(p.c)->remote);
  g_assert_cmpstr(tc_conn_error(p.c)->message, ==, "peer sent alert no_application_protocol");
  pair_close(&p);

  /* Lax servers carry on without ALPN. */
  ccfg = client_cfg();
  scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_config_set_alpn(ccfg, cl, 1, &err);
  tc_config_set_alpn(scfg, sl, 1, &err);
  tc_config_set_alpn_strict(scfg, false);
  pair_open(&p, ccfg, scfg);
  assert_ok_handshake(&p);
  g_assert_null(tc_conn_alpn(p.c));
  g_assert_null(tc_conn_alpn(p.s));
  pair_close(&p);
}

static void check_verify_failure(const char *cert, const char *host, tc_err expect) {
  pair p;
  pair_open(&p, client_cfg(), server_cfg(cert, "server-rsa-key.pem"));
  if (host) {
    tc_conn_free(p.c);
    tc_error err;
    tc_error_clear(&err);
    p.c = tc_conn_new(p.ccfg, &err);
    tc_conn_set_server_name(p.c, host);
  }
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, expect);
  g_assert_false(tc_conn_error(p.c)->remote);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, expect);
  g_assert_true(tc_conn_error(p.s)->remote);
  pair_close(&p);
}

static void test_verify_failures(void) {
  check_verify_failure("server-rsa.pem", "wrong.example.org", TC_ERR_BAD_CERTIFICATE);
  check_verify_failure("server-other.pem", NULL, TC_ERR_UNKNOWN_CA);
  check_verify_failure("server-expired.pem", NULL, TC_ERR_CERTIFICATE_EXPIRED);
}

static void test_verify_caller(void) {
  pair p;
  tc_config *ccfg = client_cfg();
  tc_config_set_verify_mode(ccfg, TC_VERIFY_CALLER);
  pair_open(&p, ccfg, server_cfg("server-other.pem", "server-rsa-key.pem"));
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_want(p.c), ==, TC_WANT_VERIFY_PEER);
  g_assert_false(tc_conn_handshake_done(p.s)); /* no client Finished before the answer */
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(p.c, &chain), ==, 1);
  g_assert_cmpint(tc_conn_answer_verify(p.c, true, 0, NULL), !=, TC_FAIL);
  assert_ok_handshake(&p);
  pair_close(&p);

  ccfg = client_cfg();
  tc_config_set_verify_mode(ccfg, TC_VERIFY_CALLER);
  pair_open(&p, ccfg, server_cfg("server-other.pem", "server-rsa-key.pem"));
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_answer_verify(p.c, false, TC_CERT_UNKNOWN_CA, "not trusted here"), ==,
                  TC_FAIL);
  pump(p.c, p.s, 10);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_UNKNOWN_CA);
  g_assert_cmpstr(tc_conn_error(p.c)->message, ==, "not trusted here");
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_UNKNOWN_CA);
  pair_close(&p);
}

static void test_abrupt_eof_and_tamper(void) {
  pair p;
  pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
  assert_ok_handshake(&p);
  tc_conn_input_eof(p.s);
  g_assert_true(tc_conn_status(p.s) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_ABRUPT_EOF);
  size_t n;
  uint8_t b[4];
  g_assert_cmpint(tc_conn_read(p.s, b, sizeof b, &n), ==, TC_FAIL);
  pair_close(&p);

  /* A flipped bit in an application record: bad_record_mac, one alert. */
  pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
  assert_ok_handshake(&p);
  static const unsigned char msg[] = "tamper me";
  g_assert_cmpint(tc_conn_write(p.c, msg, sizeof msg, &n), ==, TC_OK);
  size_t len;
  const uint8_t *out = tc_conn_output(p.c, &len);
  uint8_t *copy = g_memdup2(out, len);
  copy[len - 3] ^= 1;
  tc_conn_output_ack(p.c, len);
  size_t used;
  g_assert_cmpint(tc_conn_feed(p.s, copy, len, &used), ==, TC_FAIL);
  g_free(copy);
  g_assert_cmpint(tc_conn_error(p.s)->code, ==, TC_ERR_BAD_RECORD_MAC);
  pump(p.c, p.s, 10);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_true(tc_conn_error(p.c)->remote);
  pair_close(&p);
}

static void test_not_tls(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = client_cfg();
  tc_conn *c = tc_conn_new(ccfg, &err);
  size_t len;
  tc_conn_output(c, &len);
  g_assert_cmpuint(len, >, 0);
  tc_conn_output_ack(c, len);
  static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  size_t used;
  g_assert_cmpint(tc_conn_feed(c, (const uint8_t *)http, sizeof http - 1, &used), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NOT_TLS);
  tc_conn_free(c);
  tc_config_unref(ccfg);
}

/* Feed raw records to a fresh server and check the error and the alert it sends. */
static void server_rejects(const uint8_t *rec, size_t len, tc_err code) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  tc_conn *s = tc_conn_new(scfg, &err);
  size_t used;
  g_assert_cmpint(tc_conn_feed(s, rec, len, &used), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, code);
  size_t olen;
  const uint8_t *out = tc_conn_output(s, &olen);
  /* Exactly one fatal alert, in plaintext (no keys yet). */
  g_assert_cmpuint(olen, ==, 7);
  g_assert_cmpuint(out[0], ==, 21);
  g_assert_cmpuint(out[5], ==, 2);
  g_assert_cmpuint(out[6], ==, (unsigned)code);
  tc_conn_free(s);
  tc_config_unref(scfg);
}

static void test_server_strict(void) {
  /* A Finished before any ClientHello. */
  static const uint8_t fin[] = {22, 3, 3, 0, 8, 20, 0, 0, 4, 0, 0, 0, 0};
  server_rejects(fin, sizeof fin, TC_ERR_UNEXPECTED_MESSAGE);
  /* A truncated ClientHello. */
  static const uint8_t trunc[] = {22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3};
  server_rejects(trunc, sizeof trunc, TC_ERR_DECODE_ERROR);
  /* Application data before the handshake. */
  static const uint8_t app[] = {23, 3, 3, 0, 1, 'x'};
  server_rejects(app, sizeof app, TC_ERR_UNEXPECTED_MESSAGE);
  /* A CCS before any ClientHello. */
  static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
  server_rejects(ccs, sizeof ccs, TC_ERR_UNEXPECTED_MESSAGE);

  /* A TLS 1.1-only ClientHello (the default minimum is TLS 1.2):
   * protocol_version with a clear message. */
  tc_client_hello ch;
  memset(&ch, 0, sizeof ch);
  ch.legacy_version = TC_TLS11;
  static const uint8_t suites[] = {0xc0, 0x2f};
  static const uint8_t comp = 0;
  ch.cipher_suites = (tc_u16s){suites, 1};
  ch.compression_methods = (tc_bytes){&comp, 1};
  ch.has_extensions = true;
  tc_writer w;
  tc_wr_init_dyn(&w);
  tc_wr_u8(&w, 22);
  tc_wr_u16(&w, 0x0301);
  tc_wr_mark m = tc_wr_begin_vec16(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_OK);
  tc_wr_end_vec(&w, m);
  g_assert_true(tc_wr_ok(&w));
  server_rejects(tc_wr_data(&w), tc_wr_len(&w), TC_ERR_PROTOCOL_VERSION);
  tc_wr_free(&w);

  /* A handshake message interrupted by an alert record. */
  static const uint8_t inter[] = {22, 3, 3, 0, 4, 1, 0, 0, 40, 21, 3, 3, 0, 2, 1, 0};
  server_rejects(inter, sizeof inter, TC_ERR_UNEXPECTED_MESSAGE);
}

static void test_key_change_boundary(void) {
  /* Extra handshake bytes in the ServerHello record must not survive the
   * switch to handshake keys. */
  pair p;
  pair_open(&p, client_cfg(), server_cfg("server-rsa.pem", "server-rsa-key.pem"));
  size_t len, used;
  const uint8_t *out = tc_conn_output(p.c, &len);
  g_assert_cmpint(tc_conn_feed(p.s, out, len, &used), ==, TC_OK);
  tc_conn_output_ack(p.c, len);
  out = tc_conn_output(p.s, &len);
  g_assert_cmpuint(out[0], ==, 22);
  size_t rl = (size_t)out[3] << 8 | out[4];
  uint8_t *rec = g_malloc(5 + rl + 4);
  memcpy(rec, out, 5 + rl);
  static const uint8_t extra[4] = {8, 0, 0, 2};
  memcpy(rec + 5 + rl, extra, 4);
  rec[3] = (uint8_t)((rl + 4) >> 8);
  rec[4] = (uint8_t)(rl + 4);
  g_assert_cmpint(tc_conn_feed(p.c, rec, 5 + rl + 4, &used), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(p.c)->code, ==, TC_ERR_UNEXPECTED_MESSAGE);
  g_free(rec);
  pair_close(&p);
}

/* The GIO issue's budget: an idle connection holds at most 16 KiB of heap. */
static void test_idle_memory(void) {
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
  g_test_skip("heap accounting needs glibc malloc without ASan");
#else
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  static const unsigned char msg[] = "idle soon";
  /* Warm up once so lazily created shared state (ticket secret) exists. */
  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  assert_ok_handshake(&p);
  g_assert_true(pump_transfer(p.s, p.c, msg, sizeof msg));
  pair_close(&p);
  /* What the configs keep for reuse (engine/conn.c) is not the new
   * connections' heap: count from empty pools. */
  tc_conn_pool_drain(ccfg);
  tc_conn_pool_drain(scfg);
  size_t before = mallinfo2().uordblks;
  tc_error err;
  tc_error_clear(&err);
  p.c = tc_conn_new(ccfg, &err);
  p.s = tc_conn_new(scfg, &err);
  tc_conn_set_server_name(p.c, HOST);
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_OK);
  g_assert_true(pump_transfer(p.s, p.c, msg, sizeof msg));
  g_assert_true(pump_transfer(p.c, p.s, msg, sizeof msg));
  size_t busy = mallinfo2().uordblks;
  tc_conn_shrink(p.c);
  tc_conn_shrink(p.s);
  size_t idle = mallinfo2().uordblks;
  g_test_message("two connections: %zu bytes busy, %zu idle", busy - before, idle - before);
  g_assert_cmpuint(idle, <, busy);
  g_assert_cmpuint(idle - before, <=, 2 * 16384);
  tc_conn_free(p.c);
  tc_conn_free(p.s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
#endif
}

/* ---- the config's pool of connection state (engine/conn.c) ---- */

static int64_t fixed_time(void *ctx) {
  (void)ctx;
  return 1700000000;
}

/* Append the handshake bytes collected in hs to out in records of frag
 * bytes (0: one record) and empty hs. */
static void flush_handshake(GByteArray *out, GByteArray *hs, size_t frag) {
  for (size_t h = 0; h < hs->len;) {
    size_t k = frag && hs->len - h > frag ? frag : hs->len - h;
    uint8_t hdr[5] = {TC_CT_HANDSHAKE, 3, 3, (uint8_t)(k >> 8), (uint8_t)k};
    g_byte_array_append(out, hdr, 5);
    g_byte_array_append(out, hs->data + h, (guint)k);
    h += k;
  }
  g_byte_array_set_size(hs, 0);
}

/* Re-frame the plaintext handshake records at the head of one side's
 * output (up to its first ChangeCipherSpec or application-data record,
 * after which records are protected and stay as they are): their bytes in
 * records of frag bytes (0: all in one record; SIZE_MAX: unchanged). */
static GByteArray *reframe(const uint8_t *p, size_t len, size_t frag, bool *protected_now) {
  GByteArray *out = g_byte_array_new();
  GByteArray *hs = g_byte_array_new();
  size_t off = 0;
  while (off + 5 <= len) {
    size_t rl = (size_t)p[off + 3] << 8 | p[off + 4];
    g_assert_cmpuint(off + 5 + rl, <=, len);
    if (p[off] == TC_CT_CHANGE_CIPHER_SPEC || p[off] == TC_CT_APPLICATION_DATA)
      *protected_now = true;
    if (p[off] == TC_CT_HANDSHAKE && !*protected_now && frag != SIZE_MAX)
      g_byte_array_append(hs, p + off + 5, (guint)rl);
    else {
      flush_handshake(out, hs, frag);
      g_byte_array_append(out, p + off, (guint)(5 + rl));
    }
    off += 5 + rl;
  }
  g_assert_cmpuint(off, ==, len);
  flush_handshake(out, hs, frag);
  g_byte_array_unref(hs);
  return out;
}

/* Everything both sides send, in order, with the direction, until both
 * are quiet: the whole observable behaviour of a handshake and a transfer.
 * Each side's plaintext handshake records are re-framed on the way as
 * reframe() does with frag (SIZE_MAX: fed as sent). */
static void log_moves_framed(tc_conn *c, tc_conn *s, GByteArray *log, size_t frag) {
  bool protected_now[2] = {false, false};
  for (int round = 0; round < 100; round++) {
    size_t moved = 0;
    for (int dir = 0; dir < 2; dir++) {
      tc_conn *from = dir ? s : c, *to = dir ? c : s;
      size_t len = 0;
      tc_conn_status(from);
      const uint8_t *p = tc_conn_output(from, &len);
      if (!p || !len)
        continue;
      uint8_t mark[2] = {0xee, (uint8_t)dir};
      g_byte_array_append(log, mark, 2);
      g_byte_array_append(log, p, (guint)len);
      GByteArray *f = reframe(p, len, frag, &protected_now[dir]);
      size_t used = 0;
      g_assert_cmpint(tc_conn_feed(to, f->data, f->len, &used), !=, TC_FAIL);
      g_assert_cmpuint(used, ==, f->len);
      g_byte_array_unref(f);
      tc_conn_output_ack(from, len);
      moved += len;
    }
    if (!moved)
      return;
  }
  g_assert_not_reached();
}

static void log_moves(tc_conn *c, tc_conn *s, GByteArray *log) {
  log_moves_framed(c, s, log, SIZE_MAX);
}

/* One scripted connection pair (fixed randomness and clock): handshake,
 * data both ways, close; the wire bytes go to log. Returns the two
 * connections' addresses (freed). */
static void scripted_run(tc_config *ccfg, tc_config *scfg, GByteArray *log, void **ca, void **sa) {
  pump_rng cr = {NULL, 0, 0, 11}, sr = {NULL, 0, 0, 29};
  tc_config_set_rng(ccfg, pump_rng_fn, &cr);
  tc_config_set_rng(scfg, pump_rng_fn, &sr);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(c);
  g_assert_nonnull(s);
  g_assert_cmpint(tc_conn_set_server_name(c, HOST), ==, TC_OK);
  log_moves(c, s, log);
  g_assert_true(tc_conn_handshake_done(c) && tc_conn_handshake_done(s));
  static const uint8_t ping[] = "ping from the client", pong[] = "pong from the server";
  size_t n = 0;
  uint8_t buf[64];
  g_assert_cmpint(tc_conn_write(c, ping, sizeof ping, &n), ==, TC_OK);
  log_moves(c, s, log);
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, ping, sizeof ping);
  g_assert_cmpint(tc_conn_write(s, pong, sizeof pong, &n), ==, TC_OK);
  log_moves(c, s, log);
  g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, pong, sizeof pong);
  tc_conn_close(c);
  log_moves(c, s, log);
  *ca = c;
  *sa = s;
  tc_conn_free(c);
  tc_conn_free(s);
}

/* A connection made from a config's pool behaves exactly as a fresh one:
 * two config pairs in the same state (one scripted connection made and
 * freed on each, so tickets, caches and generators match), one with its
 * pools emptied; with the same randomness and clock, a second connection
 * sends the same bytes over the wire from the pooled state as from fresh
 * memory, in a full handshake (and the ticket it issues), a transfer and
 * a close, TLS 1.3 and TLS 1.2. */
static void pool_reuse_case(uint16_t max) {
  tc_error err;
  tc_error_clear(&err);
  GByteArray *logs[2][2];
  void *addr[2][2][2];
  for (int k = 0; k < 2; k++) {
    tc_config *ccfg = client_cfg(),
              *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
    g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS12, max, &err), ==, TC_OK);
    tc_config_set_time(ccfg, fixed_time, NULL);
    tc_config_set_time(scfg, fixed_time, NULL);
    for (int run = 0; run < 2; run++) {
      logs[k][run] = g_byte_array_new();
      if (run == 1 && k == 1) {
        tc_conn_pool_drain(ccfg);
        tc_conn_pool_drain(scfg);
      }
      scripted_run(ccfg, scfg, logs[k][run], &addr[k][run][0], &addr[k][run][1]);
    }
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
  /* k = 0 reused its first connections' memory (the pool was used). */
  g_assert_true(addr[0][0][0] == addr[0][1][0]);
  g_assert_true(addr[0][0][1] == addr[0][1][1]);
  g_assert_cmpuint(logs[0][1]->len, >, 500);
  g_assert_cmpmem(logs[0][0]->data, logs[0][0]->len, logs[1][0]->data, logs[1][0]->len);
  g_assert_cmpmem(logs[0][1]->data, logs[0][1]->len, logs[1][1]->data, logs[1][1]->len);
  for (int k = 0; k < 2; k++)
    for (int run = 0; run < 2; run++)
      g_byte_array_unref(logs[k][run]);
}

static void test_pool_reuse13(void) { pool_reuse_case(TC_TLS13); }
static void test_pool_reuse12(void) { pool_reuse_case(TC_TLS12); }

static bool holds(const uint8_t *mem, size_t len, const uint8_t *what, size_t wlen) {
  for (size_t i = 0; mem && i + wlen <= len; i++)
    if (memcmp(mem + i, what, wlen) == 0)
      return true;
  return false;
}

/* What a pooled connection keeps holds no plaintext and no secret of the
 * connection it was: not in the struct, not in the record buffers, not in
 * the handshake writer. Marker plaintext went both ways (decrypted in the
 * record input buffer: no zero-copy reads here); the secrets are the TLS
 * 1.2 master secret or the TLS 1.3 application and resumption secrets. */
static void pool_wiped_case(uint16_t max) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-rsa.pem", "server-rsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS12, max, &err), ==, TC_OK);
  pair p;
  pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
  g_assert_cmpint(pump_handshake(p.c, p.s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(p.c), ==, max);
  /* Random, so that no earlier test's bytes left in the heap (malloc does
   * not clear: the parts of a pooled struct and buffer the engine never
   * wrote hold whatever was there) can look like this one's plaintext. */
  uint8_t marker[1000];
  for (size_t i = 0; i < sizeof marker; i++)
    marker[i] = (uint8_t)g_random_int();
  g_assert_true(pump_transfer(p.c, p.s, marker, sizeof marker));
  g_assert_true(pump_transfer(p.s, p.c, marker, sizeof marker));
  uint8_t secrets[5][48];
  size_t n_secrets = 0, slen = max == TC_TLS12 ? 48 : p.c->hlen;
  if (max == TC_TLS12) {
    g_assert_true(p.c->c12.have_master);
    memcpy(secrets[n_secrets++], p.c->c12.master, 48);
  } else {
    memcpy(secrets[n_secrets++], p.c->c_ap, slen);
    memcpy(secrets[n_secrets++], p.c->s_ap, slen);
    memcpy(secrets[n_secrets++], p.s->res_master, slen);
    memcpy(secrets[n_secrets++], p.c->exporter, slen);
  }
  tc_conn *c = p.c, *s = p.s;
  tc_conn_free(p.c);
  tc_conn_free(p.s);
  tc_config_unref(p.ccfg);
  tc_config_unref(p.scfg);
  tc_conn *pooled[2] = {NULL, NULL};
  for (int k = 0; k < 2; k++) {
    tc_config *cfg = k ? scfg : ccfg;
    for (size_t i = 0; i < TC_CFG_POOL; i++)
      if (atomic_load(&cfg->conn_pool[i]))
        pooled[k] = atomic_load(&cfg->conn_pool[i]);
  }
  g_assert_true(pooled[0] == c);
  g_assert_true(pooled[1] == s);
  for (int k = 0; k < 2; k++) {
    tc_conn *x = pooled[k];
    const struct {
      const uint8_t *p;
      size_t len;
    } areas[] = {
        {(const uint8_t *)x, sizeof *x},
        {x->rec.ibuf, x->rec.ibuf ? 3 + TC_REC_MAX_LEN : 0},
        {x->rec.hs, x->rec.hs_cap},
        {x->rec.obuf, x->rec.ocap},
        {x->hsw.buf, x->hsw.cap},
    };
    g_assert_nonnull(x->rec.ibuf);
    for (size_t a = 0; a < G_N_ELEMENTS(areas); a++) {
      g_assert_false(holds(areas[a].p, areas[a].len, marker + 100, 24));
      for (size_t i = 0; i < n_secrets; i++)
        g_assert_false(holds(areas[a].p, areas[a].len, secrets[i], 16));
    }
    /* The secrets block (pha_run .. c12) is all zero: tc_conn_new does not
     * zero it again for a pooled connection. */
    const uint8_t *blk = (const uint8_t *)x + offsetof(tc_conn, pha_run);
    size_t blk_len = offsetof(tc_conn, c12) + sizeof x->c12 - offsetof(tc_conn, pha_run);
    for (size_t i = 0; i < blk_len; i++)
      g_assert_cmpuint(blk[i], ==, 0);
  }
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* The handshake states a config keeps are all zero, as calloc gives them,
 * also after a TLS 1.3 resumption (the client offered a PSK: the offers
 * table, which tc_hs_free does not wipe beyond the offers used). */
static void test_pool_hs_zeroed(void) {
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_session *sess = NULL;
  for (int run = 0; run < 2; run++) {
    pair p;
    pair_open(&p, tc_config_ref(ccfg), tc_config_ref(scfg));
    if (sess)
      g_assert_cmpint(tc_conn_set_session(p.c, sess), ==, TC_OK);
    assert_ok_handshake(&p);
    static const unsigned char msg[] = "x";
    g_assert_true(pump_transfer(p.s, p.c, msg, 1)); /* the tickets arrive */
    g_assert_cmpint(tc_conn_resumed(p.c), ==, run == 1);
    tc_session_unref(sess);
    sess = tc_conn_get_session(p.c);
    g_assert_nonnull(sess);
    size_t seen = 0;
    for (int k = 0; k < 2; k++) {
      tc_config *cfg = k ? scfg : ccfg;
      for (size_t i = 0; i < TC_CFG_POOL; i++) {
        const uint8_t *hs = atomic_load(&cfg->hs_pool[i]);
        if (!hs)
          continue;
        seen++;
        for (size_t b = 0; b < sizeof(tc_hs); b++)
          g_assert_cmpuint(hs[b], ==, 0);
      }
    }
    g_assert_cmpuint(seen, >=, 2);
    pair_close(&p);
  }
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A handshake given up while the client holds its key share's private
 * key (ClientHello sent, no ServerHello yet): tc_hs_free frees and wipes
 * the key exchange's heap part (FFDHE) and wipes the private scalar with
 * the whole struct, so the pooled state is all zero (and LSan finds no
 * FFDHE exponent left behind). */
static void test_pool_hs_zeroed_abandoned(void) {
  static const uint16_t groups[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1, TC_GROUP_FFDHE2048};
  for (size_t g = 0; g < G_N_ELEMENTS(groups); g++) {
    tc_error err;
    tc_error_clear(&err);
    tc_config *ccfg = client_cfg();
    g_assert_cmpint(tc_config_set_groups(ccfg, &groups[g], 1, &err), ==, TC_OK);
    tc_conn *c = tc_conn_new(ccfg, &err);
    g_assert_nonnull(c);
    g_assert_cmpint(tc_conn_set_server_name(c, HOST), ==, TC_OK);
    uint8_t b;
    size_t n, len;
    tc_conn_read(c, &b, 0, &n); /* writes the ClientHello */
    g_assert_nonnull(tc_conn_output(c, &len));
    g_assert_cmpuint(len, >, 0);
    tc_hs *hs = c->hs;
    g_assert_nonnull(hs);
    g_assert_cmpuint(hs->kex.group, ==, groups[g]);
    if (groups[g] == TC_GROUP_FFDHE2048)
      g_assert_nonnull(hs->kex.ff_priv);
    else {
      static const uint8_t zero[sizeof hs->kex.priv];
      g_assert_cmpuint(hs->kex.priv_len, >, 0);
      g_assert_true(memcmp(hs->kex.priv, zero, hs->kex.priv_len) != 0);
    }
    tc_conn_free(c);
    size_t seen = 0;
    for (size_t i = 0; i < TC_CFG_POOL; i++) {
      const uint8_t *p = atomic_load(&ccfg->hs_pool[i]);
      if (!p)
        continue;
      seen++;
      for (size_t k = 0; k < sizeof(tc_hs); k++)
        g_assert_cmpuint(p[k], ==, 0);
    }
    g_assert_cmpuint(seen, ==, 1);
    tc_config_unref(ccfg);
  }
}

static void test_pool_wiped13(void) { pool_wiped_case(TC_TLS13); }
static void test_pool_wiped12(void) { pool_wiped_case(TC_TLS12); }

/* A config keeps at most TC_CFG_POOL connections, and none when nobody
 * else uses it. Leaks would
 * show under ASan/LSan. */
static void test_pool_bounded(void) {
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  pair ps[TC_CFG_POOL + 3];
  for (size_t i = 0; i < G_N_ELEMENTS(ps); i++) {
    pair_open(&ps[i], tc_config_ref(ccfg), tc_config_ref(scfg));
    assert_ok_handshake(&ps[i]);
  }
  for (size_t i = 0; i < G_N_ELEMENTS(ps); i++)
    pair_close(&ps[i]);
  size_t kept = 0;
  for (size_t i = 0; i < TC_CFG_POOL; i++)
    kept += atomic_load(&ccfg->conn_pool[i]) != NULL;
  g_assert_cmpuint(kept, ==, TC_CFG_POOL);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  /* The only user: nothing is kept, the config goes with the connection. */
  tc_config *solo = client_cfg();
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(solo, &err);
  tc_config_unref(solo);
  g_assert_cmpint(tc_conn_set_server_name(c, HOST), ==, TC_OK);
  tc_conn_status(c);
  tc_conn_free(c);
}

/* ---- tc_config_key_new: equal settings, equal keys; any change, another ---- */

typedef struct fp_ctx {
  tc_cert **ecdsa, **rsa;
  size_t n_ecdsa, n_rsa;
  tc_privkey *ecdsa_key, *rsa_key;
  tc_trust_store *trust;
  tc_session_cache *cache;
  tc_rng_source *src;
} fp_ctx;

#define FP_OK(call) g_assert_cmpint((call), ==, TC_OK)

/* One setting changed from tc_config_new(TC_ROLE_SERVER)'s defaults. */
static int fp_decompress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t out_len) {
  (void)ctx, (void)alg, (void)in, (void)in_len, (void)out, (void)out_len;
  return -1;
}

static void fp_mutate(tc_config *cfg, const fp_ctx *x, int which) {
  static const uint16_t zlib = TC_CERT_COMPRESSION_ZLIB;
  static const uint16_t one_suite[] = {TC_TLS_AES_128_GCM_SHA256};
  static const uint16_t one_group[] = {TC_GROUP_X25519};
  static const uint16_t one_scheme[] = {TC_SIG_ECDSA_SECP256R1_SHA256};
  static const uint8_t key_a[32] = {1}, key_b[32] = {2}, ocsp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
  static const char *h2[] = {"h2"}, *h11[] = {"http/1.1"};
  const uint8_t *keys[] = {key_a, key_b};
  const size_t lens[] = {32, 32};
  tc_error err;
  tc_error_clear(&err);
  switch (which) {
  case 0: FP_OK(tc_config_set_versions(cfg, TC_TLS12, TC_TLS12, &err)); break;
  case 1: FP_OK(tc_config_set_cipher_suites(cfg, one_suite, 1, &err)); break;
  case 2: FP_OK(tc_config_set_groups(cfg, one_group, 1, &err)); break;
  case 3: FP_OK(tc_config_set_sig_schemes(cfg, one_scheme, 1, &err)); break;
  case 4: FP_OK(tc_config_add_cert_chain(cfg, x->ecdsa, x->n_ecdsa, x->ecdsa_key, &err)); break;
  case 5: FP_OK(tc_config_add_cert_chain(cfg, x->rsa, x->n_rsa, x->rsa_key, &err)); break;
  case 6: tc_config_set_trust_store(cfg, x->trust); break;
  case 7: tc_config_set_verify_mode(cfg, TC_VERIFY_CALLER); break;
  case 8: tc_config_set_client_auth(cfg, TC_CLIENT_AUTH_REQUIRE); break;
  case 9: FP_OK(tc_config_set_alpn(cfg, h2, 1, &err)); break;
  case 10: FP_OK(tc_config_set_alpn(cfg, h11, 1, &err)); break;
  case 11: tc_config_set_alpn_strict(cfg, false); break;
  case 12: tc_config_set_middlebox_compat(cfg, false); break;
  case 13: tc_config_set_tickets(cfg, 0, 7200); break;
  case 14: tc_config_set_tickets(cfg, 2, 100); break;
  case 15: FP_OK(tc_config_set_ticket_key(cfg, key_a, &err)); break;
  case 16: FP_OK(tc_config_set_ticket_key(cfg, key_b, &err)); break;
  case 17: FP_OK(tc_config_set_ticket_keys(cfg, keys, lens, 2, &err)); break;
  case 18: tc_config_set_early_tickets(cfg, true); break;
  case 19: tc_config_set_psk_modes(cfg, TC_PSK_MODE_DHE_KE); break;
  case 20: FP_OK(tc_config_set_max_fragment(cfg, 1024, &err)); break;
  case 21: FP_OK(tc_config_set_max_handshake_size(cfg, 4096, &err)); break;
  case 22: tc_config_set_session_cache(cfg, x->cache); break;
  case 23: FP_OK(tc_config_set_dh_min_bits(cfg, 3072, &err)); break;
  case 24: FP_OK(tc_config_set_dh_max_bits(cfg, 4096, &err)); break;
  case 25: tc_config_set_renegotiation(cfg, TC_RENEG_SECURE); break;
  case 26: FP_OK(tc_config_set_ocsp_response(cfg, ocsp, sizeof ocsp, &err)); break;
  case 27: tc_config_set_ems_required(cfg, false); break;
  case 28: tc_config_set_sni_ack(cfg, true); break;
  case 29: tc_config_set_ee_supported_groups(cfg, true); break;
  case 30: tc_config_set_fallback_scsv(cfg, true); break;
  case 31: FP_OK(tc_config_add_psk(cfg, (const uint8_t *)"id", 2, key_a, 32, TC_PSK_HASH_SHA256, &err)); break;
  case 32: FP_OK(tc_config_add_psk(cfg, (const uint8_t *)"id", 2, key_b, 32, TC_PSK_HASH_SHA256, &err)); break;
  case 33: FP_OK(tc_config_add_psk(cfg, (const uint8_t *)"id", 2, key_a, 32, TC_PSK_HASH_SHA384, &err)); break;
  case 34:
    FP_OK(tc_config_add_psk(cfg, (const uint8_t *)"id", 2, key_a, 32, TC_PSK_HASH_SHA256, &err));
    FP_OK(tc_config_set_psk_import(cfg, (const uint8_t *)"id", 2, (const uint8_t *)"ctx", 3, &err));
    break;
  case 35: tc_config_set_psk_server(cfg, true); break;
  case 36: tc_config_set_psk_client_want(cfg, true); break;
  case 37: FP_OK(tc_config_set_psk_identity_hint(cfg, (const uint8_t *)"hint", 4, &err)); break;
  case 38: tc_config_set_psk_modes(cfg, TC_PSK_MODE_KE); break;
  case 39: cfg->psk_ticket_last = true; break;
  case 40: FP_OK(tc_config_set_srp_credentials(cfg, "user", (const uint8_t *)"pw1", 3, &err)); break;
  case 41: FP_OK(tc_config_set_srp_credentials(cfg, "user", (const uint8_t *)"pw2", 3, &err)); break;
  case 42: tc_config_set_srp_client(cfg, true); break;
  case 43:
    /* on draws a fake-user secret unless one is set: set the same one */
    tc_config_set_srp_server(cfg, true);
    FP_OK(tc_config_set_srp_secret(cfg, key_a, 32, &err));
    break;
  case 44: FP_OK(tc_config_set_srp_secret(cfg, key_b, 32, &err)); break;
  case 45: FP_OK(tc_config_set_srp_group_bits(cfg, 3072, 8192, &err)); break;
  case 46: tc_config_set_legacy_signatures(cfg, true); break;
  case 47: FP_OK(tc_config_set_cert_compression(cfg, &zlib, 1, NULL, fp_decompress, NULL, &err)); break;
  case 48: cfg->ch_fresh = true; break;
  default: g_assert_not_reached();
  }
}
#define FP_MUTATIONS 49

/* The SRP client credentials are a client's setting; every other one is
 * changed on a server config. */
static tc_role fp_role(int which) {
  return which >= 40 && which <= 42 ? TC_ROLE_CLIENT : TC_ROLE_SERVER;
}

static int64_t fp_clock(void *ctx) {
  (void)ctx;
  return 1700000000;
}

/* ---- handshake messages read in place (record.c: hs_view) ----
 *
 * Whole handshake messages are read from the record that brought them; only
 * messages split across records go through the reassembly buffer. The
 * tests below run the same scripted connections with that (the default) and
 * with rec.hs_copy (every message through the reassembly buffer, as before)
 * and compare every byte either side sends and every outcome: whole
 * records, several messages in one record, messages split over records of
 * 1, 3 and 100 bytes, and malformed lengths. */

typedef enum { VIEW_TLS13, VIEW_TLS12_TICKET, VIEW_TLS12_SESSION_ID } view_kind;

/* A full handshake and a resumption with fixed randomness and clock, the
 * plaintext handshake records framed as `frag` says; all wire bytes into
 * log. copy: every message through the reassembly buffer. *used_buffer:
 * whether any of the four connections ever allocated one. */
static void view_run(view_kind kind, size_t frag, bool copy, GByteArray *log, bool *used_buffer) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = client_cfg(), *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_session_cache *cache = NULL;
  if (kind != VIEW_TLS13) {
    g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS12, TC_TLS12, &err), ==, TC_OK);
    if (kind == VIEW_TLS12_SESSION_ID) {
      tc_config_set_tickets(scfg, 0, 7200);
      cache = tc_session_cache_new(8, 3600);
      tc_config_set_session_cache(scfg, cache);
    }
  }
  tc_config_set_time(ccfg, fixed_time, NULL);
  tc_config_set_time(scfg, fixed_time, NULL);
  pump_rng cr = {NULL, 0, 0, 11}, sr = {NULL, 0, 0, 29};
  tc_config_set_rng(ccfg, pump_rng_fn, &cr);
  tc_config_set_rng(scfg, pump_rng_fn, &sr);
  tc_session *sess = NULL;
  *used_buffer = false;
  for (int run = 0; run < 2; run++) {
    tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
    g_assert_nonnull(c);
    g_assert_nonnull(s);
    c->rec.hs_copy = s->rec.hs_copy = copy;
    g_assert_cmpint(tc_conn_set_server_name(c, HOST), ==, TC_OK);
    if (sess)
      g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
    log_moves_framed(c, s, log, frag);
    g_assert_true(tc_conn_handshake_done(c) && tc_conn_handshake_done(s));
    g_assert_cmpint(tc_conn_resumed(c), ==, run == 1);
    g_assert_cmpint(tc_conn_resumed(s), ==, run == 1);
    static const uint8_t ping[] = "ping";
    g_assert_true(pump_transfer(s, c, ping, sizeof ping)); /* TLS 1.3 tickets arrive */
    *used_buffer = *used_buffer || c->rec.hs || s->rec.hs;
    tc_session_unref(sess);
    sess = tc_conn_get_session(c);
    g_assert_nonnull(sess);
    tc_conn_free(c);
    tc_conn_free(s);
    /* Nothing pooled: each connection starts without a reassembly buffer. */
    tc_conn_pool_drain(ccfg);
    tc_conn_pool_drain(scfg);
  }
  tc_session_unref(sess);
  if (cache)
    tc_session_cache_unref(cache);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_hs_view_same_bytes(void) {
  static const view_kind kinds[] = {VIEW_TLS13, VIEW_TLS12_TICKET, VIEW_TLS12_SESSION_ID};
  static const size_t frags[] = {SIZE_MAX, 0, 1, 3, 100};
  for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
    for (size_t f = 0; f < G_N_ELEMENTS(frags); f++) {
      GByteArray *logs[2];
      bool used[2];
      for (int copy = 0; copy < 2; copy++) {
        logs[copy] = g_byte_array_new();
        view_run(kinds[k], frags[f], copy, logs[copy], &used[copy]);
      }
      g_assert_cmpuint(logs[0]->len, >, 500);
      g_assert_cmpmem(logs[0]->data, logs[0]->len, logs[1]->data, logs[1]->len);
      /* The general path always buffers; in place, whole messages never
       * do, and messages split over records always do. */
      g_assert_true(used[1]);
      if (frags[f] == SIZE_MAX || frags[f] == 0)
        g_assert_false(used[0]);
      else
        g_assert_true(used[0]);
      g_byte_array_unref(logs[0]);
      g_byte_array_unref(logs[1]);
    }
}

/* Malformed handshake framing reaching a server (plaintext records) and a
 * TLS 1.2 client: the same error, message and alert in place as through
 * the reassembly buffer. */
typedef struct view_outcome {
  int feed;
  tc_err code;
  char message[256];
  GByteArray *out;
  tc_hs_state state;
} view_outcome;

static void view_feed(tc_conn *x, bool copy, const uint8_t *in, size_t len, view_outcome *o) {
  x->rec.hs_copy = copy;
  size_t used = 0;
  o->feed = tc_conn_feed(x, in, len, &used);
  o->code = tc_conn_error(x)->code;
  g_strlcpy(o->message, tc_conn_error(x)->message, sizeof o->message);
  o->out = pump_drain(x);
  o->state = x->state;
}

static void assert_same_outcome(view_outcome *o) {
  g_assert_cmpint(o[0].feed, ==, o[1].feed);
  g_assert_cmpint(o[0].code, ==, o[1].code);
  g_assert_cmpstr(o[0].message, ==, o[1].message);
  g_assert_cmpint(o[0].state, ==, o[1].state);
  g_assert_cmpmem(o[0].out->data, o[0].out->len, o[1].out->data, o[1].out->len);
  g_byte_array_unref(o[0].out);
  g_byte_array_unref(o[1].out);
}

/* One record of type 22 holding body[0..len). */
static GByteArray *hs_record(const uint8_t *body, size_t len) {
  GByteArray *r = g_byte_array_new();
  uint8_t hdr[5] = {TC_CT_HANDSHAKE, 3, 1, (uint8_t)(len >> 8), (uint8_t)len};
  g_byte_array_append(r, hdr, 5);
  g_byte_array_append(r, body, (guint)len);
  return r;
}

static void test_hs_view_malformed(void) {
  /* A real ClientHello (scripted), then variations of its framing. */
  tc_config *ccfg = client_cfg();
  pump_rng cr = {NULL, 0, 0, 11};
  tc_config_set_rng(ccfg, pump_rng_fn, &cr);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err);
  g_assert_cmpint(tc_conn_set_server_name(c, HOST), ==, TC_OK);
  GByteArray *chr = pump_drain(c);
  tc_conn_free(c);
  tc_config_unref(ccfg);
  const uint8_t *ch = chr->data + 5;
  size_t chl = chr->len - 5;
  g_assert_cmpuint(ch[0], ==, TC_HS_CLIENT_HELLO);
  enum { LONGER, SHORTER, TRAILING, TWO_HELLOS, FINISHED_FIRST, HUGE, EMPTY_BODY, SHORT_HDR,
         FIXED_TOO_LONG, HELLO_THEN_JUNK, N_CASES };
  for (int kase = 0; kase < N_CASES; kase++) {
    uint8_t buf[4096];
    g_assert_cmpuint(chl * 2 + 16, <=, sizeof buf);
    size_t n = 0;
    memcpy(buf, ch, chl);
    size_t body = chl - 4;
    switch (kase) {
    case LONGER: /* the header announces one byte more than the record holds */
      body++;
      n = chl;
      break;
    case SHORTER: /* one byte less: the last byte starts another "message" */
      body--;
      n = chl;
      break;
    case TRAILING: /* a whole ClientHello and 2 stray bytes */
      buf[chl] = 0;
      buf[chl + 1] = 0;
      n = chl + 2;
      break;
    case TWO_HELLOS: /* two whole ClientHellos in one record */
      memcpy(buf + chl, ch, chl);
      n = 2 * chl;
      break;
    case FINISHED_FIRST: /* a message the state cannot take */
      buf[0] = 20;
      n = chl;
      break;
    case HUGE: /* longer than any ClientHello */
      body = 0xffffff;
      n = chl;
      break;
    case EMPTY_BODY: /* a ClientHello of 0 bytes */
      body = 0;
      n = 4;
      break;
    case SHORT_HDR: /* 3 bytes: not even a header */
      n = 3;
      break;
    case FIXED_TOO_LONG: /* a ServerHelloDone-like type with a body: refused at the header */
      buf[0] = 14;
      n = chl;
      break;
    case HELLO_THEN_JUNK: /* a ClientHello, then the header of a huge message */
      buf[chl] = 1;
      buf[chl + 1] = 0xff;
      buf[chl + 2] = 0xff;
      buf[chl + 3] = 0xff;
      n = chl + 4;
      break;
    }
    buf[1] = (uint8_t)(body >> 16);
    buf[2] = (uint8_t)(body >> 8);
    buf[3] = (uint8_t)body;
    for (int v12 = 0; v12 < 2; v12++) {
    view_outcome o[2];
    for (int copy = 0; copy < 2; copy++) {
      tc_config *scfg = server_cfg("server-ecdsa.pem", "server-ecdsa-key.pem");
      if (v12)
        g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS12, TC_TLS12, &err), ==, TC_OK);
      pump_rng sr = {NULL, 0, 0, 29};
      tc_config_set_rng(scfg, pump_rng_fn, &sr);
      tc_config_set_time(scfg, fixed_time, NULL);
      tc_conn *s = tc_conn_new(scfg, &err);
      GByteArray *rec = hs_record(buf, n);
      view_feed(s, copy, rec->data, rec->len, &o[copy]);
      /* And the rest of an incomplete message in a second record. */
      if (o[copy].feed != TC_FAIL && kase == LONGER) {
        uint8_t one = 0;
        GByteArray *rec2 = hs_record(&one, 1);
        g_byte_array_unref(o[copy].out);
        view_feed(s, copy, rec2->data, rec2->len, &o[copy]);
        g_byte_array_unref(rec2);
      }
      g_byte_array_unref(rec);
      tc_conn_free(s);
      tc_config_unref(scfg);
    }
    g_test_message("case %d, %s: %d %s", kase, v12 ? "TLS 1.2 server" : "TLS 1.3 server",
                   o[0].feed, o[0].message);
    assert_same_outcome(o);
    }
  }
  g_byte_array_unref(chr);
}

static void test_config_key(void) {
  fp_ctx x = {0};
  x.ecdsa = pump_load_certs("server-ecdsa.pem", &x.n_ecdsa);
  x.rsa = pump_load_certs("server-rsa.pem", &x.n_rsa);
  x.ecdsa_key = pump_load_key("server-ecdsa-key.pem");
  x.rsa_key = pump_load_key("server-rsa-key.pem");
  x.trust = pump_load_trust("ca-ecdsa.pem");
  x.cache = tc_session_cache_new(16, 60);
  x.src = tc_rng_source_new();

  tc_config_key *key[FP_MUTATIONS];
  tc_config *a = tc_config_new(TC_ROLE_SERVER), *b = tc_config_new(TC_ROLE_SERVER);
  tc_config_key *base = tc_config_key_new(a), *client_base, *k;
  g_assert_nonnull(base);
  k = tc_config_key_new(b);
  g_assert_true(tc_config_key_equal(base, k));
  tc_config_key_free(k);
  tc_config_unref(b);
  b = tc_config_new(TC_ROLE_CLIENT);
  client_base = tc_config_key_new(b);
  g_assert_false(tc_config_key_equal(base, client_base));
  tc_config_unref(b);

  for (int i = 0; i < FP_MUTATIONS; i++) {
    tc_config *c1 = tc_config_new(fp_role(i)), *c2 = tc_config_new(fp_role(i));
    fp_mutate(c1, &x, i);
    fp_mutate(c2, &x, i);
    key[i] = tc_config_key_new(c1);
    k = tc_config_key_new(c2);
    g_assert_nonnull(key[i]);
    g_assert_nonnull(k);
    /* the same setting on two configs: equal */
    if (!tc_config_key_equal(key[i], k))
      g_error("setting %d made on two configs gives two keys", i);
    tc_config_key_free(k);
    /* differs from the defaults and from every other change */
    if (tc_config_key_equal(key[i], fp_role(i) == TC_ROLE_SERVER ? base : client_base))
      g_error("setting %d does not change the key", i);
    for (int j = 0; j < i; j++)
      if (tc_config_key_equal(key[i], key[j]))
        g_error("settings %d and %d give the same key", j, i);
    tc_config_unref(c1);
    tc_config_unref(c2);
  }
  for (int i = 0; i < FP_MUTATIONS; i++)
    tc_config_key_free(key[i]);

  /* The generator is not a setting: configs drawing from different ones
   * behave the same. */
  b = tc_config_new(TC_ROLE_SERVER);
  tc_config_set_rng_source(b, x.src);
  k = tc_config_key_new(b);
  g_assert_true(tc_config_key_equal(base, k));
  tc_config_key_free(k);
  tc_config_unref(b);

  /* State a config makes for itself once used is not a setting: the key
   * made before still describes it (the GIO cache keeps that one). */
  uint8_t secret[32];
  g_assert_cmpint(tc_config_ticket_secret(a, secret), ==, 0);
  k = tc_config_key_new(a);
  g_assert_false(tc_config_key_equal(base, k)); /* a key made now differs */
  tc_config_key_free(k);

  /* A caller's callback context is not the config's: never shared. */
  b = tc_config_new(TC_ROLE_SERVER);
  tc_config_set_rng(b, pump_rng_fn, NULL);
  g_assert_null(tc_config_key_new(b));
  tc_config_set_rng(b, NULL, NULL);
  k = tc_config_key_new(b);
  g_assert_true(tc_config_key_equal(base, k));
  tc_config_key_free(k);
  tc_config_set_time(b, fp_clock, NULL);
  g_assert_null(tc_config_key_new(b));
  tc_config_unref(b);
  tc_config_unref(a);
  tc_config_key_free(base);
  tc_config_key_free(client_base);

  pump_free_certs(x.ecdsa, x.n_ecdsa);
  pump_free_certs(x.rsa, x.n_rsa);
  tc_privkey_unref(x.ecdsa_key);
  tc_privkey_unref(x.rsa_key);
  tc_trust_store_unref(x.trust);
  tc_session_cache_unref(x.cache);
  tc_rng_source_unref(x.src);
}

static void test_names(void) {
  g_assert_cmpstr(tc_cipher_suite_name(TC_TLS_AES_128_GCM_SHA256), ==, "TLS_AES_128_GCM_SHA256");
  g_assert_cmpstr(tc_version_name(TC_TLS13), ==, "TLSv1.3");
  g_assert_cmpstr(tc_version_name(TC_SSL30), ==, "SSLv3");
  g_assert_cmpstr(tc_group_name(TC_GROUP_X25519), ==, "x25519");
  g_assert_cmpstr(tc_sig_scheme_name(TC_SIG_ECDSA_SECP256R1_SHA256), ==, "ecdsa_secp256r1_sha256");
  g_assert_cmpuint(tc_cipher_suite_from_name("TLS_CHACHA20_POLY1305_SHA256"), ==,
                   TC_TLS_CHACHA20_POLY1305_SHA256);
  g_assert_cmpuint(tc_group_from_name("secp384r1"), ==, TC_GROUP_SECP384R1);
  g_assert_cmpuint(tc_group_from_name("nope"), ==, 0);
  g_assert_null(tc_cipher_suite_name(0x1234));
  g_assert_cmpstr(tc_cipher_suite_name(0xc02f), ==, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  g_assert_cmpuint(tc_cipher_suite_from_name("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), ==, 0xc02f);
  g_assert_cmpuint(tc_cipher_suite_from_name("TLS_NOPE"), ==, 0);
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  tc_error err;
  tc_error_clear(&err);
  uint16_t bad[] = {0x1234};
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, bad, 1, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "0x1234"));
  tc_config_unref(cfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/engine/names", test_names);
  g_test_add_func("/engine/full-handshake", test_full_handshake);
  g_test_add_func("/engine/ecdsa-alpn-aes256", test_ecdsa_alpn);
  g_test_add_func("/engine/chacha-ed25519", test_chacha_ed25519);
  g_test_add_func("/engine/hello-retry", test_hello_retry);
  g_test_add_func("/engine/ffdhe", test_ffdhe);
  g_test_add_func("/engine/no-common-group", test_no_common_group);
  g_test_add_func("/engine/client-auth", test_client_auth);
  g_test_add_func("/engine/client-auth-want", test_client_auth_want);
  g_test_add_func("/engine/resumption", test_resumption);
  g_test_add_func("/engine/resumption-hrr", test_resumption_hrr);
  g_test_add_func("/engine/early-tickets", test_early_tickets);
  g_test_add_func("/engine/tickets-after-resumption", test_tickets_after_resumption);
  g_test_add_func("/engine/ip-literal", test_ip_literal);
  g_test_add_func("/engine/key-update", test_key_update);
  g_test_add_func("/engine/alpn-mismatch", test_alpn_mismatch);
  g_test_add_func("/engine/verify-failures", test_verify_failures);
  g_test_add_func("/engine/verify-caller", test_verify_caller);
  g_test_add_func("/engine/abrupt-eof-tamper", test_abrupt_eof_and_tamper);
  g_test_add_func("/engine/not-tls", test_not_tls);
  g_test_add_func("/engine/server-strict", test_server_strict);
  g_test_add_func("/engine/idle-memory", test_idle_memory);
  g_test_add_func("/engine/pool/reuse-is-fresh-tls13", test_pool_reuse13);
  g_test_add_func("/engine/pool/reuse-is-fresh-tls12", test_pool_reuse12);
  g_test_add_func("/engine/pool/wiped-tls13", test_pool_wiped13);
  g_test_add_func("/engine/pool/wiped-tls12", test_pool_wiped12);
  g_test_add_func("/engine/pool/bounded", test_pool_bounded);
  g_test_add_func("/engine/pool/handshake-state-zeroed", test_pool_hs_zeroed);
  g_test_add_func("/engine/pool/handshake-state-zeroed-abandoned", test_pool_hs_zeroed_abandoned);
  g_test_add_func("/engine/config/key", test_config_key);
  g_test_add_func("/engine/key-change-boundary", test_key_change_boundary);
  g_test_add_func("/engine/hs-in-place/same-bytes", test_hs_view_same_bytes);
  g_test_add_func("/engine/hs-in-place/malformed", test_hs_view_malformed);
  return g_test_run();
}
