/* TLS 1.3 external PSKs (RFC 8446 §4.2.11, RFC 9258): modes, hashes, importer, tickets, failures. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn_internal.h"
#include "msg/msg.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

static const uint8_t ID[] = "alice";
#define ID_LEN (sizeof ID - 1)
static const uint8_t KEY[32] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
                                0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
static const uint8_t OTHER_KEY[32] = {0x42};
static const char KEY_HEX_PART[] = "00112233445566778899";

/* What the server's caller knows when it answers TC_WANT_PSK_KEY. */
typedef struct db {
  const uint8_t *id;
  size_t id_len;
  const uint8_t *key;
  size_t key_len;
  tc_psk_hash hash;
  unsigned asked;             /* wants seen */
  bool saw_imported;
  char context[64];           /* import context seen during the want */
} db;

static tc_config *client_cfg(tc_psk_hash hash) {
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_error err;
  tc_error_clear(&err);
  tc_config_set_verify_mode(cfg, TC_VERIFY_NONE); /* the certificate fallbacks */
  g_assert_cmpint(tc_config_add_psk(cfg, ID, ID_LEN, KEY, sizeof KEY, hash, &err), ==, TC_OK);
  return cfg;
}

/* A server that answers TC_WANT_PSK_KEY, with or without a certificate. */
static tc_config *server_cfg(bool certs) {
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  if (certs)
    pump_add_chain(cfg, "server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_config_set_psk_server(cfg, true);
  return cfg;
}

static void set_suites(tc_config *cfg, uint16_t suite) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, &suite, 1, &err), ==, TC_OK);
}

/* Handshake, answering the server's PSK wants from d (NULL: no answers). */
static int handshake(tc_conn *c, tc_conn *s, db *d) {
  for (int i = 0; i < 40; i++) {
    int r = pump_handshake(c, s);
    if (r != TC_WANT)
      return r;
    g_assert_cmpint(tc_conn_want(s), ==, TC_WANT_PSK_KEY);
    g_assert_nonnull(d);
    d->asked++;
    size_t len;
    const uint8_t *id = tc_conn_psk_identity(s, &len);
    const uint8_t *ctx;
    size_t ctx_len;
    if (tc_conn_psk_imported(s, &ctx, &ctx_len)) {
      d->saw_imported = true;
      g_assert_cmpuint(ctx_len, <, sizeof d->context);
      if (ctx_len)
        memcpy(d->context, ctx, ctx_len);
      d->context[ctx_len] = 0;
    }
    bool known = d->key && len == d->id_len && !memcmp(id, d->id, len);
    tc_conn_answer_psk_key_hash(s, known ? d->key : NULL, known ? d->key_len : 0, d->hash);
  }
  return TC_AGAIN;
}

static void assert_identity(tc_conn *x, const char *want) {
  size_t len;
  const uint8_t *id = tc_conn_psk_identity(x, &len);
  if (!want) {
    g_assert_null(id);
    return;
  }
  g_assert_nonnull(id);
  g_assert_cmpmem(id, len, want, strlen(want));
}

static void assert_data_flows(tc_conn *c, tc_conn *s) {
  static const unsigned char msg[] = "shared secrets";
  g_assert_true(pump_transfer(c, s, msg, sizeof msg));
  g_assert_true(pump_transfer(s, c, msg, sizeof msg));
}

/* ---- the good paths ---- */

typedef struct mode_case {
  tc_psk_hash hash;
  unsigned modes;
  bool certs;
  bool via_want;
} mode_case;

static void test_modes(gconstpointer data) {
  const mode_case *mc = data;
  tc_config *ccfg = client_cfg(mc->hash);
  tc_config_set_psk_modes(ccfg, mc->modes);
  tc_config *scfg = server_cfg(mc->certs);
  tc_error err;
  tc_error_clear(&err);
  if (!mc->via_want)
    g_assert_cmpint(tc_config_add_psk(scfg, ID, ID_LEN, KEY, sizeof KEY, mc->hash, &err), ==,
                    TC_OK);
  db d = {ID, ID_LEN, KEY, sizeof KEY, mc->hash, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(d.asked, ==, mc->via_want ? 1 : 0);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS13);
  uint16_t suite = mc->hash == TC_PSK_HASH_SHA384 ? TC_TLS_AES_256_GCM_SHA384
                                                  : TC_TLS_AES_128_GCM_SHA256;
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suite);
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, suite);
  /* psk_ke has no key exchange group; psk_dhe_ke uses the first one. */
  uint16_t group = mc->modes == TC_PSK_MODE_KE ? 0 : TC_GROUP_X25519;
  g_assert_cmpuint(tc_conn_group(c), ==, group);
  g_assert_cmpuint(tc_conn_group(s), ==, group);
  g_assert_false(tc_conn_resumed(c));
  g_assert_false(tc_conn_resumed(s));
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(c, &chain), ==, 0); /* no certificate in a PSK handshake */
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  assert_data_flows(c, s);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* The server's preference would be another hash: the PSK's hash picks the suite. */
static void test_hash_picks_suite(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA384);
  tc_config *scfg = server_cfg(true);
  uint16_t pref[] = {TC_TLS_AES_128_GCM_SHA256, TC_TLS_CHACHA20_POLY1305_SHA256,
                     TC_TLS_AES_256_GCM_SHA384};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(scfg, pref, 3, &err), ==, TC_OK);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA384, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, TC_TLS_AES_256_GCM_SHA384);
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  /* A client without a SHA-384 suite does not offer the PSK at all: the
   * server (with a certificate) does a full handshake. */
  set_suites(ccfg, TC_TLS_AES_128_GCM_SHA256);
  d.asked = 0;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(d.asked, ==, 0);
  assert_identity(c, NULL);
  assert_identity(s, NULL);
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(c, &chain), >, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A HelloRetryRequest (the server wants P-256): the binders are recomputed
 * over the new transcript and the PSK is taken from the second ClientHello. */
static void test_hrr(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = server_cfg(false);
  uint16_t g = TC_GROUP_SECP256R1;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_groups(scfg, &g, 1, &err), ==, TC_OK);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_SECP256R1);
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  assert_data_flows(c, s);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A client offering TLS 1.3 alone with suites of one hash hashes its
 * ClientHello when it sends it (no copy kept for the ServerHello): with
 * SHA-256 and SHA-384 PSKs, with and without a HelloRetryRequest. */
static void test_single_hash_client(void) {
  static const struct {
    tc_psk_hash hash;
    uint16_t suite;
  } v[] = {{TC_PSK_HASH_SHA256, TC_TLS_AES_128_GCM_SHA256},
           {TC_PSK_HASH_SHA384, TC_TLS_AES_256_GCM_SHA384}};
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++)
    for (int hrr = 0; hrr < 2; hrr++) {
      tc_config *ccfg = client_cfg(v[i].hash);
      tc_config *scfg = server_cfg(false);
      tc_error err;
      tc_error_clear(&err);
      g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS13, TC_TLS13, &err), ==, TC_OK);
      set_suites(ccfg, v[i].suite);
      uint16_t g = TC_GROUP_SECP256R1;
      if (hrr)
        g_assert_cmpint(tc_config_set_groups(scfg, &g, 1, &err), ==, TC_OK);
      db d = {ID, ID_LEN, KEY, sizeof KEY, v[i].hash, 0, false, ""};
      tc_conn *c, *s;
      pump_new_pair(ccfg, scfg, &c, &s);
      g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
      g_assert_cmpuint(tc_conn_cipher_suite(c), ==, v[i].suite);
      if (hrr)
        g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_SECP256R1);
      assert_identity(c, "alice");
      assert_identity(s, "alice");
      assert_data_flows(c, s);
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
      tc_config_unref(scfg);
    }
}

/* ---- failures ---- */

static bool no_key_bytes(const char *msg) { return !strstr(msg, KEY_HEX_PART); }

static void test_wrong_key(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = server_cfg(true); /* a certificate does not save a wrong key */
  db d = {ID, ID_LEN, OTHER_KEY, sizeof OTHER_KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_FAIL);
  const tc_error *se = tc_conn_error(s), *ce = tc_conn_error(c);
  g_assert_cmpint(se->code, ==, TC_ERR_DECRYPT_ERROR);
  g_assert_cmpint(se->alert, ==, TC_ERR_DECRYPT_ERROR);
  g_assert_nonnull(strstr(se->message, "binder for identity \"alice\" does not verify"));
  g_assert_cmpint(ce->code, ==, TC_ERR_DECRYPT_ERROR);
  g_assert_true(ce->remote);
  g_assert_nonnull(strstr(ce->message, "could not verify our PSK binder"));
  g_assert_true(no_key_bytes(se->message) && no_key_bytes(ce->message));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_unknown_identity(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  /* No certificate: nothing to fall back to. */
  tc_config *scfg = server_cfg(false);
  db d = {(const uint8_t *)"bob", 3, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_FAIL);
  g_assert_cmpuint(d.asked, ==, 1);
  const tc_error *se = tc_conn_error(s), *ce = tc_conn_error(c);
  g_assert_cmpint(se->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  g_assert_cmpint(se->alert, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  g_assert_nonnull(strstr(se->message, "unknown PSK identity"));
  g_assert_cmpint(ce->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  g_assert_true(ce->remote);
  g_assert_nonnull(strstr(ce->message, "does not know our PSK identity"));
  tc_conn_free(c);
  tc_conn_free(s);

  /* With a certificate the server goes on with a full handshake (RFC 8446
   * §4.2.11), even for a psk_ke-only client that sent no key share. */
  tc_config *scfg2 = server_cfg(true);
  for (int ke = 0; ke < 2; ke++) {
    tc_config_set_psk_modes(ccfg, ke ? TC_PSK_MODE_KE : 0);
    d.asked = 0;
    pump_new_pair(ccfg, scfg2, &c, &s);
    g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
    /* psk_ke-only: asked again for the second ClientHello after the HelloRetryRequest */
    g_assert_cmpuint(d.asked, ==, ke ? 2 : 1);
    assert_identity(c, NULL);
    assert_identity(s, NULL);
    tc_cert *const *chain;
    g_assert_cmpuint(tc_conn_peer_chain(c, &chain), >, 0);
    g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_X25519);
    tc_conn_free(c);
    tc_conn_free(s);
  }
  /* A server without PSK support and without a certificate: the usual
   * handshake_failure, the identity never asked for. */
  tc_config *scfg3 = tc_config_new(TC_ROLE_SERVER);
  tc_config_set_psk_modes(ccfg, 0);
  pump_new_pair(ccfg, scfg3, &c, &s);
  g_assert_cmpint(handshake(c, s, NULL), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_config_unref(scfg2);
  tc_config_unref(scfg3);
}

/* Modes that do not meet: a psk_ke-only client, a psk_dhe_ke-only server
 * without a certificate. */
static void test_mode_mismatch(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config_set_psk_modes(ccfg, TC_PSK_MODE_KE);
  tc_config *scfg = server_cfg(false);
  tc_config_set_psk_modes(scfg, TC_PSK_MODE_DHE_KE);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_FAIL);
  g_assert_cmpuint(d.asked, ==, 0);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  g_assert_nonnull(strstr(tc_conn_error(s)->message, "no PSK key exchange mode in common"));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- tickets next to external PSKs ---- */

static tc_session *first_session(tc_config *ccfg, tc_config *scfg, db *d) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, d), ==, TC_OK);
  assert_data_flows(c, s); /* the tickets arrive */
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  g_assert_cmpmem(sess->psk_identity, sess->psk_identity_len, ID, ID_LEN);
  tc_conn_free(c);
  tc_conn_free(s);
  return sess;
}

static void test_resumption(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = server_cfg(false);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_session *sess = first_session(ccfg, scfg, &d);

  /* The session survives serialization with its identity. */
  uint8_t *ser = NULL;
  size_t ser_len = 0;
  g_assert_cmpint(tc_session_serialize(sess, &ser, &ser_len), ==, TC_OK);
  tc_error err;
  tc_error_clear(&err);
  tc_session *sess2 = tc_session_deserialize(ser, ser_len, &err);
  g_assert_nonnull(sess2);
  free(ser);

  /* Ticket first (the default order): the server resumes from it, no key
   * lookup, and both sides still name the external identity. */
  d.asked = 0;
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess2), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_true(tc_conn_resumed(c));
  g_assert_true(tc_conn_resumed(s));
  g_assert_cmpuint(d.asked, ==, 0);
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  assert_data_flows(c, s);
  /* And the resumed connection's tickets keep it too. */
  tc_session *sess3 = tc_conn_get_session(c);
  g_assert_nonnull(sess3);
  g_assert_cmpmem(sess3->psk_identity, sess3->psk_identity_len, ID, ID_LEN);
  tc_conn_free(c);
  tc_conn_free(s);

  /* A resumption-only client (no external PSK configured) resumes too. */
  tc_config *plain = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_verify_mode(plain, TC_VERIFY_NONE);
  pump_new_pair(plain, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess3), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_true(tc_conn_resumed(s));
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(plain);
  tc_session_unref(sess);
  tc_session_unref(sess2);
  tc_session_unref(sess3);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A SHA-384 session resumes from its ticket although the server prefers a
 * SHA-256 suite: the ticket's hash picks the suite, as an external PSK's does. */
static void test_resumption_sha384(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA384);
  tc_config *scfg = server_cfg(false);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA384, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  assert_data_flows(c, s);
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_conn_free(c);
  tc_conn_free(s);
  d.asked = 0;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_true(tc_conn_resumed(s));
  g_assert_cmpuint(d.asked, ==, 0);
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, TC_TLS_AES_256_GCM_SHA384);
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A session that began with a certificate has no PSK identity, also when it
 * resumes after an external identity the server was asked about and did
 * not know. */
static void test_ticket_without_identity(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  ccfg->psk_ticket_last = true;
  tc_config *scfg = server_cfg(true);
  db none = {ID, ID_LEN, NULL, 0, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &none), ==, TC_OK);
  assert_data_flows(c, s);
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  g_assert_cmpuint(sess->psk_identity_len, ==, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  none.asked = 0;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &none), ==, TC_OK);
  g_assert_cmpuint(none.asked, ==, 1);
  g_assert_true(tc_conn_resumed(s));
  assert_identity(s, NULL);
  assert_identity(c, NULL);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* The server picks the first acceptable identity in the client's order:
 * selected_identity 1 works for an external PSK after a useless ticket
 * and for a ticket after an unknown external identity. */
static void test_ticket_and_external_orders(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = server_cfg(false);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_session *sess = first_session(ccfg, scfg, &d);

  /* On the wire: [ticket, external]; the external identity's
   * obfuscated_ticket_age is 0 (RFC 8446 §4.2.11), the ticket's is its age
   * plus age_add, and the binders have the PSKs' hash length. */
  {
    tc_error err;
    tc_error_clear(&err);
    tc_conn *c = tc_conn_new(ccfg, &err);
    g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
    tc_conn_status(c);
    GByteArray *rec = pump_drain(c);
    tc_client_hello ch;
    g_assert_cmpint(tc_msg_parse_client_hello(rec->data + 9, rec->len - 9, &ch, &err), ==, TC_OK);
    g_assert_cmpuint(ch.ext.n_psk_identities, ==, 2);
    g_assert_cmpmem(ch.ext.psk_identities[0].identity.p, ch.ext.psk_identities[0].identity.len,
                    sess->ticket, sess->ticket_len);
    /* the session is at most a second old (the clock may just have ticked) */
    uint32_t age_ms = ch.ext.psk_identities[0].obfuscated_ticket_age - sess->age_add;
    g_assert_true(age_ms == 0 || age_ms == 1000);
    g_assert_cmpmem(ch.ext.psk_identities[1].identity.p, ch.ext.psk_identities[1].identity.len,
                    ID, ID_LEN);
    g_assert_cmpuint(ch.ext.psk_identities[1].obfuscated_ticket_age, ==, 0);
    g_assert_cmpuint(ch.ext.psk_binders[0].len, ==, 32);
    g_assert_cmpuint(ch.ext.psk_binders[1].len, ==, 32);
    g_byte_array_free(rec, TRUE);
    tc_conn_free(c);
  }

  /* [ticket, external] to a server that cannot open the ticket. */
  tc_config *other = server_cfg(false);
  d.asked = 0;
  tc_conn *c, *s;
  pump_new_pair(ccfg, other, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_false(tc_conn_resumed(c));
  g_assert_false(tc_conn_resumed(s));
  /* The unopenable ticket is an identity like any other: asked for too. */
  g_assert_cmpuint(d.asked, ==, 2);
  assert_identity(c, "alice");
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);

  /* [external, ticket]: the server does not know the external identity
   * any more (its database answers "unknown"), the ticket resumes. */
  ccfg->psk_ticket_last = true;
  db none = {ID, ID_LEN, NULL, 0, TC_PSK_HASH_SHA256, 0, false, ""};
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &none), ==, TC_OK);
  g_assert_cmpuint(none.asked, ==, 1);
  g_assert_true(tc_conn_resumed(c));
  g_assert_true(tc_conn_resumed(s));
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);

  /* [external, ticket] with the key known: the external PSK comes first. */
  d.asked = 0;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_cmpuint(d.asked, ==, 1);
  g_assert_false(tc_conn_resumed(s));
  assert_identity(c, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_config_unref(other);
}

/* ---- RFC 9258 importer ---- */

static void test_imported_identity_encoding(void) {
  static const uint8_t want[] = {0x00, 0x05, 'a', 'l', 'i', 'c', 'e', 0x00, 0x03, 'c', 't',
                                 'x', 0x03, 0x04, 0x00, 0x02};
  tc_imported_identity ii = {{ID, ID_LEN}, {(const uint8_t *)"ctx", 3}, TC_TLS13,
                             TC_KDF_HKDF_SHA384};
  tc_writer w;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_imported_identity(&w, &ii), ==, TC_OK);
  g_assert_cmpmem(tc_wr_data(&w), tc_wr_len(&w), want, sizeof want);
  tc_wr_free(&w);
  tc_imported_identity back;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_imported_identity(want, sizeof want, &back, &err), ==, TC_OK);
  g_assert_cmpmem(back.external_identity.p, back.external_identity.len, ID, ID_LEN);
  g_assert_cmpmem(back.context.p, back.context.len, "ctx", 3);
  g_assert_cmpuint(back.target_protocol, ==, TC_TLS13);
  g_assert_cmpuint(back.target_kdf, ==, TC_KDF_HKDF_SHA384);
  /* Truncated anywhere, or one byte too many, or an empty identity: decode_error. */
  for (size_t n = 0; n < sizeof want; n++) {
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_imported_identity(want, n, &back, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  }
  uint8_t longer[sizeof want + 1];
  memcpy(longer, want, sizeof want);
  longer[sizeof want] = 0;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_imported_identity(longer, sizeof longer, &back, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "trailing"));
  static const uint8_t empty_id[] = {0, 0, 0, 0, 0x03, 0x04, 0, 1};
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_imported_identity(empty_id, sizeof empty_id, &back, &err), ==,
                  TC_FAIL);
}

/* ipskx by hand from the RFC 9258 §5.1 formula, against the library's. */
static void test_import_derivation(void) {
  static const uint8_t iid[] = {0x00, 0x05, 'a', 'l', 'i', 'c', 'e', 0x00, 0x00,
                                0x03, 0x04, 0x00, 0x02};
  uint8_t got[48], epskx[32], h[32], want[48];
  g_assert_cmpint(tc_ks_import_psk(TC_HASH_SHA256, KEY, sizeof KEY, iid, sizeof iid,
                                   TC_HASH_SHA384, got),
                  ==, 0);
  uint8_t zeros[32] = {0};
  tc_hkdf_extract(TC_HASH_SHA256, zeros, 32, KEY, sizeof KEY, epskx);
  tc_hash(TC_HASH_SHA256, iid, sizeof iid, h);
  /* HkdfLabel = uint16 L || "tls13 derived psk" (vec8) || context (vec8) */
  uint8_t info[2 + 1 + 17 + 1 + 32];
  info[0] = 0;
  info[1] = 48;
  info[2] = 17;
  memcpy(info + 3, "tls13 derived psk", 17);
  info[20] = 32;
  memcpy(info + 21, h, 32);
  g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, epskx, 32, info, sizeof info, want, 48), ==, 0);
  g_assert_cmpmem(got, 48, want, 48);
}

typedef struct import_case {
  uint16_t only_suite;      /* 0: default suites (both hashes offered) */
  bool via_want;
  bool server_marks;        /* the server's entry is marked imported too */
} import_case;

static void test_import(gconstpointer data) {
  const import_case *ic = data;
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_psk_import(ccfg, ID, ID_LEN, (const uint8_t *)"app-v1", 6, &err),
                  ==, TC_OK);
  if (ic->only_suite)
    set_suites(ccfg, ic->only_suite);
  tc_config *scfg = server_cfg(false);
  if (!ic->via_want) {
    g_assert_cmpint(
        tc_config_add_psk(scfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err), ==,
        TC_OK);
    if (ic->server_marks)
      g_assert_cmpint(tc_config_set_psk_import(scfg, ID, ID_LEN, NULL, 0, &err), ==, TC_OK);
  }
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  if (ic->via_want) {
    g_assert_cmpuint(d.asked, ==, 1);
    g_assert_true(d.saw_imported);
    g_assert_cmpstr(d.context, ==, "app-v1");
  }
  uint16_t suite = ic->only_suite ? ic->only_suite : TC_TLS_AES_128_GCM_SHA256;
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, suite);
  assert_identity(c, "alice"); /* the external identity, not the ImportedIdentity */
  assert_identity(s, "alice");
  assert_data_flows(c, s);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Imported on one side only: never accepted (RFC 9258 §5.2's "imp binder"
 * keeps imported and plain uses apart). */
static void test_import_mismatch(void) {
  tc_error err;
  tc_error_clear(&err);
  /* A plain client, a server whose key is imported-only. */
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  g_assert_cmpint(tc_config_add_psk(scfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  g_assert_cmpint(tc_config_set_psk_import(scfg, ID, ID_LEN, NULL, 0, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(handshake(c, s, NULL), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_UNKNOWN_PSK_IDENTITY);
  tc_conn_free(c);
  tc_conn_free(s);
  /* No such PSK to mark. */
  g_assert_cmpint(tc_config_set_psk_import(ccfg, (const uint8_t *)"bob", 3, NULL, 0, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A connection's own PSK, imported. */
static void test_conn_psk_import(void) {
  tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
  tc_config *scfg = server_cfg(false);
  db d = {ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA384, 0, false, ""};
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_psk_import(c, NULL, 0), ==, TC_FAIL); /* no PSK yet */
  g_assert_cmpint(tc_conn_set_psk(c, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA384), ==, TC_OK);
  g_assert_cmpint(tc_conn_set_psk_import(c, NULL, 0), ==, TC_OK);
  g_assert_cmpint(handshake(c, s, &d), ==, TC_OK);
  g_assert_true(d.saw_imported);
  assert_identity(s, "alice");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- a tampered pre_shared_key extension ---- */

/* The client's first flight: one plaintext record holding the ClientHello. */
static GByteArray *client_hello_record(tc_config *ccfg, tc_conn **c) {
  tc_error err;
  tc_error_clear(&err);
  *c = tc_conn_new(ccfg, &err);
  g_assert_nonnull(*c);
  tc_conn_status(*c);
  GByteArray *a = pump_drain(*c);
  g_assert_cmpuint(a->len, >, 9);
  g_assert_cmpuint(a->data[0], ==, 22);
  g_assert_cmpuint(a->len, ==, 5u + ((unsigned)a->data[3] << 8 | a->data[4]));
  return a;
}

static void put16(uint8_t *p, size_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* Change every length enclosing the pre_shared_key extension (record,
 * handshake, extensions block, the extension) by delta bytes. */
static void adjust(GByteArray *a, long delta, size_t psk_ext) {
  size_t n = (size_t)-delta; /* lengths below are size_t: adding -delta wraps as intended */
  size_t rec = ((size_t)a->data[3] << 8 | a->data[4]) - n;
  put16(a->data + 3, rec);
  size_t hs = rec - 4;
  a->data[6] = (uint8_t)(hs >> 16);
  put16(a->data + 7, hs);
  /* body: version 2, random 32, session id vec8, suites vec16, comp vec8, exts vec16 */
  size_t off = 9 + 2 + 32;
  off += 1 + a->data[off];
  off += 2 + ((size_t)a->data[off] << 8 | a->data[off + 1]);
  off += 1 + a->data[off];
  size_t exts = ((size_t)a->data[off] << 8 | a->data[off + 1]) - n;
  put16(a->data + off, exts);
  size_t el = ((size_t)a->data[psk_ext + 2] << 8 | a->data[psk_ext + 3]) - n;
  put16(a->data + psk_ext + 2, el);
}

/* Offset of the pre_shared_key extension (always last in a ClientHello). */
static size_t find_psk_ext(GByteArray *a) {
  for (size_t i = a->len - 4; i > 9; i--)
    if (a->data[i] == 0x00 && a->data[i + 1] == 41 &&
        i + 4 + ((size_t)a->data[i + 2] << 8 | a->data[i + 3]) == a->len)
      return i;
  g_assert_not_reached();
}

typedef enum { T_BINDER_BYTE, T_BINDER_LEN, T_TRUNCATED, T_ID_LIST_LEN, T_BINDER_COUNT } tamper;

static void test_tampered(gconstpointer data) {
  tamper t = (tamper)GPOINTER_TO_INT(data);
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(scfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  tc_conn *c;
  GByteArray *a = client_hello_record(ccfg, &c);
  size_t x = find_psk_ext(a);
  int want_alert = TC_ERR_DECODE_ERROR;
  const char *want_msg = NULL;
  switch (t) {
  case T_BINDER_BYTE: /* the binder's last byte */
    a->data[a->len - 1] ^= 1;
    want_alert = TC_ERR_DECRYPT_ERROR;
    want_msg = "does not verify";
    break;
  case T_BINDER_LEN: /* a 31-byte binder (below the minimum of 32) */
    a->data[a->len - 33] = 31;
    want_msg = "bad binder";
    break;
  case T_TRUNCATED: /* the binders list cut short, lengths around it adjusted */
    adjust(a, -10, x);
    g_byte_array_set_size(a, a->len - 10);
    want_msg = "bad binder list";
    break;
  case T_ID_LIST_LEN: /* the identity list claims one byte more */
    put16(a->data + x + 4, ((size_t)a->data[x + 4] << 8 | a->data[x + 5]) + 1);
    break;
  case T_BINDER_COUNT: { /* a second binder for the one identity */
    uint8_t extra[33];
    memcpy(extra, a->data + a->len - 33, 33);
    g_byte_array_append(a, extra, 33);
    adjust(a, 33, x);
    put16(a->data + a->len - 68, 66); /* the binders list: two of 1 + 32 bytes */
    want_alert = TC_ERR_ILLEGAL_PARAMETER;
    want_msg = "number of binders";
    break;
  }
  }
  tc_conn *s = tc_conn_new(scfg, &err);
  size_t used = 0;
  tc_conn_feed(s, a->data, a->len, &used);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  const tc_error *se = tc_conn_error(s);
  g_assert_cmpint(se->alert, ==, want_alert);
  if (want_msg && !strstr(se->message, want_msg))
    g_error("server error \"%s\" lacks \"%s\"", se->message, want_msg);
  /* The alert goes out in the clear (no keys yet). */
  GByteArray *out = pump_drain(s);
  g_assert_cmpuint(out->len, ==, 7);
  g_assert_cmpuint(out->data[0], ==, 21);
  g_assert_cmpuint(out->data[6], ==, (guint)want_alert);
  g_byte_array_free(out, TRUE);
  g_byte_array_free(a, TRUE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A server selecting an identity we did not offer: illegal_parameter. */
static void test_bad_selected_identity(void) {
  tc_config *ccfg = client_cfg(TC_PSK_HASH_SHA256);
  tc_config *scfg = server_cfg(false);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_add_psk(scfg, ID, ID_LEN, KEY, sizeof KEY, TC_PSK_HASH_SHA256, &err),
                  ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  GByteArray *ch = pump_drain((tc_conn_status(c), c));
  size_t used = 0;
  tc_conn_feed(s, ch->data, ch->len, &used);
  GByteArray *flight = pump_drain(s);
  /* ServerHello's pre_shared_key: 00 29 00 02 00 00 -> selected 5. */
  bool patched = false;
  for (size_t i = 0; i + 6 <= flight->len && !patched; i++)
    if (!memcmp(flight->data + i, "\x00\x29\x00\x02\x00\x00", 6)) {
      flight->data[i + 5] = 5;
      patched = true;
    }
  g_assert_true(patched);
  tc_conn_feed(c, flight->data, flight->len, &used);
  g_assert_true(tc_conn_status(c) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_assert_nonnull(strstr(tc_conn_error(c)->message, "selected PSK identity 5"));
  g_byte_array_free(ch, TRUE);
  g_byte_array_free(flight, TRUE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  static const mode_case modes[] = {
      {TC_PSK_HASH_SHA256, TC_PSK_MODE_DHE_KE, false, true},
      {TC_PSK_HASH_SHA384, TC_PSK_MODE_DHE_KE, false, true},
      {TC_PSK_HASH_SHA256, TC_PSK_MODE_KE, false, true},
      {TC_PSK_HASH_SHA384, TC_PSK_MODE_KE, false, false},
      {TC_PSK_HASH_SHA256, TC_PSK_MODE_DHE_KE, true, false},
      {TC_PSK_HASH_SHA384, TC_PSK_MODE_KE, true, true},
      /* a client offering both: the server prefers psk_dhe_ke */
      {TC_PSK_HASH_SHA256, TC_PSK_MODE_DHE_KE | TC_PSK_MODE_KE, false, true},
  };
  static const char *const mode_names[] = {
      "/psk13/dhe/sha256/want",      "/psk13/dhe/sha384/want",
      "/psk13/ke/sha256/want",       "/psk13/ke/sha384/config",
      "/psk13/dhe/sha256/with-cert", "/psk13/ke/sha384/with-cert",
      "/psk13/both-modes-prefers-dhe",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(modes); i++)
    g_test_add_data_func(mode_names[i], &modes[i], test_modes);
  g_test_add_func("/psk13/hash-picks-suite", test_hash_picks_suite);
  g_test_add_func("/psk13/hello-retry", test_hrr);
  g_test_add_func("/psk13/single-hash-client", test_single_hash_client);
  g_test_add_func("/psk13/fail/wrong-key", test_wrong_key);
  g_test_add_func("/psk13/fail/unknown-identity", test_unknown_identity);
  g_test_add_func("/psk13/fail/mode-mismatch", test_mode_mismatch);
  g_test_add_data_func("/psk13/fail/tampered/binder-byte", GINT_TO_POINTER(T_BINDER_BYTE),
                       test_tampered);
  g_test_add_data_func("/psk13/fail/tampered/binder-length", GINT_TO_POINTER(T_BINDER_LEN),
                       test_tampered);
  g_test_add_data_func("/psk13/fail/tampered/truncated", GINT_TO_POINTER(T_TRUNCATED),
                       test_tampered);
  g_test_add_data_func("/psk13/fail/tampered/identity-list", GINT_TO_POINTER(T_ID_LIST_LEN),
                       test_tampered);
  g_test_add_data_func("/psk13/fail/tampered/binder-count", GINT_TO_POINTER(T_BINDER_COUNT),
                       test_tampered);
  g_test_add_func("/psk13/fail/selected-identity", test_bad_selected_identity);
  g_test_add_func("/psk13/resumption", test_resumption);
  g_test_add_func("/psk13/resumption-sha384", test_resumption_sha384);
  g_test_add_func("/psk13/ticket-without-identity", test_ticket_without_identity);
  g_test_add_func("/psk13/ticket-and-external-orders", test_ticket_and_external_orders);
  g_test_add_func("/psk13/import/encoding", test_imported_identity_encoding);
  g_test_add_func("/psk13/import/derivation", test_import_derivation);
  static const import_case imports[] = {
      {0, false, false},
      {0, true, false},
      {TC_TLS_AES_256_GCM_SHA384, false, true},
      {TC_TLS_AES_256_GCM_SHA384, true, false},
  };
  g_test_add_data_func("/psk13/import/config", &imports[0], test_import);
  g_test_add_data_func("/psk13/import/want", &imports[1], test_import);
  g_test_add_data_func("/psk13/import/sha384-marked", &imports[2], test_import);
  g_test_add_data_func("/psk13/import/sha384-want", &imports[3], test_import);
  g_test_add_func("/psk13/import/mismatch", test_import_mismatch);
  g_test_add_func("/psk13/import/conn", test_conn_psk_import);
  return g_test_run();
}
