/* TLS 1.2-and-older client checks: downgrade sentinels, version floor, DHE size, EMS on resumption, stapling, client certs, sessions. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "handshake/tls12.h"
#include "msg/msg.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

#define SUITE_DHE_RSA_AES128_GCM 0x009e

static tc_config *server_cfg(uint16_t min, uint16_t max) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *s = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(s, "server-rsa.pem", "server-rsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(s, min, max, &err), ==, TC_OK);
  return s;
}

static tc_config *client_cfg(uint16_t min, uint16_t max) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *c = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_verify_mode(c, TC_VERIFY_NONE);
  g_assert_cmpint(tc_config_set_versions(c, min, max, &err), ==, TC_OK);
  return c;
}

static void new_pair(tc_config *ccfg, tc_config *scfg, tc_conn **c, tc_conn **s) {
  tc_error err;
  tc_error_clear(&err);
  *c = tc_conn_new(ccfg, &err);
  *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(*c);
  g_assert_nonnull(*s);
  g_assert_cmpint(tc_conn_set_server_name(*c, "localhost"), ==, TC_OK);
}

/* Client's ClientHello to the server; returns a copy of the server's first
 * flight (ServerHello first, in plaintext). */
static uint8_t *server_flight(tc_conn *c, tc_conn *s, size_t *len) {
  size_t n, used;
  const uint8_t *out = tc_conn_output(c, &n);
  g_assert_cmpuint(n, >, 0);
  g_assert_cmpint(tc_conn_feed(s, out, n, &used), ==, TC_OK);
  tc_conn_output_ack(c, n);
  out = tc_conn_output(s, &n);
  g_assert_cmpuint(n, >, 43);
  g_assert_cmpuint(out[0], ==, 22); /* handshake record */
  g_assert_cmpuint(out[5], ==, 2);  /* ServerHello */
  uint8_t *copy = g_memdup2(out, n);
  tc_conn_output_ack(s, n);
  *len = n;
  return copy;
}

/* Feed a (tampered) server flight to the client: it must fail with `code`. */
static void client_rejects(tc_conn *c, const uint8_t *flight, size_t len, tc_err code,
                           const char *msg_part) {
  size_t used;
  g_assert_cmpint(tc_conn_feed(c, flight, len, &used), ==, TC_FAIL);
  const tc_error *e = tc_conn_error(c);
  g_test_message("client: %s", e->message);
  g_assert_cmpint(e->code, ==, code);
  g_assert_false(e->remote);
  if (msg_part)
    g_assert_nonnull(strstr(e->message, msg_part));
}

/* ServerHello.random starts at record(5) + handshake header(4) + version(2). */
#define SH_RANDOM 11
#define SH_VERSION 9

static void tamper_case(uint16_t smax, uint16_t cmin, void (*edit)(uint8_t *), tc_err code,
                        const char *msg_part) {
  tc_config *scfg = server_cfg(TC_TLS10, smax);
  tc_config *ccfg = client_cfg(cmin, TC_TLS13);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  size_t len;
  uint8_t *f = server_flight(c, s, &len);
  edit(f);
  client_rejects(c, f, len, code, msg_part);
  g_free(f);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void put_down12(uint8_t *f) { memcpy(f + SH_RANDOM + 24, "DOWNGRD\x01", 8); }
static void put_down11(uint8_t *f) { memcpy(f + SH_RANDOM + 24, "DOWNGRD\x00", 8); }
static void put_tls10(uint8_t *f) {
  f[SH_VERSION] = 3;
  f[SH_VERSION + 1] = 1;
}

static void test_downgrade_sentinel(void) {
  /* RFC 8446 §4.1.3: we offered TLS 1.3, the server answers TLS 1.2 and
   * its random says it could do 1.3: someone removed our 1.3 offer. */
  tamper_case(TC_TLS12, TC_TLS12, put_down12, TC_ERR_ILLEGAL_PARAMETER, "downgrade");
  /* TLS 1.1 with the "1.1 or below" sentinel. */
  tamper_case(TC_TLS11, TC_TLS11, put_down11, TC_ERR_ILLEGAL_PARAMETER, "downgrade");

  /* A TLS 1.2-only client talking to a 1.3-capable server sees the sentinel
   * legitimately and must accept it. */
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS13);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_version_floor(void) {
  /* The server "selects" TLS 1.0 although our minimum is TLS 1.2. */
  tamper_case(TC_TLS12, TC_TLS12, put_tls10, TC_ERR_PROTOCOL_VERSION,
              "server selected TLSv1.0, but the minimum allowed is TLSv1.2");

  /* Honest peers: a TLS 1.0-only server refuses our default client. */
  tc_config *scfg = server_cfg(TC_TLS10, TC_TLS10);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS13);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_PROTOCOL_VERSION);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_dh_min_bits(void) {
  tc_error err;
  tc_error_clear(&err);
  uint16_t suite = SUITE_DHE_RSA_AES128_GCM;
  for (int strict = 0; strict < 2; strict++) {
    tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
    g_assert_cmpint(tc_config_set_cipher_suites(scfg, &suite, 1, &err), ==, TC_OK);
    tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
    g_assert_cmpint(tc_config_set_cipher_suites(ccfg, &suite, 1, &err), ==, TC_OK);
    if (strict)
      g_assert_cmpint(tc_config_set_dh_min_bits(ccfg, 3072, &err), ==, TC_OK);
    tc_conn *c, *s;
    new_pair(ccfg, scfg, &c, &s);
    int r = pump_handshake(c, s);
    if (!strict) {
      g_assert_cmpint(r, ==, TC_OK);
      g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suite);
      g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_FFDHE2048);
    } else {
      /* The server's 2048-bit group is below our 3072-bit floor. */
      g_assert_cmpint(r, ==, TC_FAIL);
      g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INSUFFICIENT_SECURITY);
      g_assert_nonnull(strstr(tc_conn_error(c)->message, "2048 bits"));
    }
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* Full TLS 1.2 handshake; returns the client's session (ticket). */
static tc_session *full_session(tc_config *ccfg, tc_config *scfg, uint8_t unique[12]) {
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_false(tc_conn_resumed(c));
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  if (unique) {
    uint8_t a[64], b[64];
    size_t al = sizeof a, bl = sizeof b;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, a, &al, &err), ==, TC_OK);
    g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, b, &bl, &err), ==, TC_OK);
    g_assert_cmpmem(a, al, b, bl);
    g_assert_cmpuint(al, ==, 12);
    memcpy(unique, a, 12);
  }
  tc_conn_free(c);
  tc_conn_free(s);
  return sess;
}

static int resume_with(tc_config *ccfg, tc_config *scfg, tc_session *sess, bool *resumed,
                       tc_err *code) {
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  int r = pump_handshake(c, s);
  *resumed = tc_conn_resumed(c);
  *code = tc_conn_error(c)->code;
  tc_conn_free(c);
  tc_conn_free(s);
  return r;
}

static void test_ems_resumption(void) {
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
  tc_session *sess = full_session(ccfg, scfg, NULL);
  g_assert_true(sess->ems);
  bool resumed;
  tc_err code;
  g_assert_cmpint(resume_with(ccfg, scfg, sess, &resumed, &code), ==, TC_OK);
  g_assert_true(resumed);

  /* A session without EMS is not offered by default: full handshake. */
  sess->ems = false;
  g_assert_cmpint(resume_with(ccfg, scfg, sess, &resumed, &code), ==, TC_OK);
  g_assert_false(resumed);

  /* Allowed by configuration, it is offered; the server resumes it with
   * EMS, which differs from the session's: RFC 7627 §5.3 abort. */
  tc_config_set_ems_required(ccfg, false);
  g_assert_cmpint(resume_with(ccfg, scfg, sess, &resumed, &code), ==, TC_FAIL);
  g_assert_cmpint(code, ==, TC_ERR_HANDSHAKE_FAILURE);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_session_serialize_resume(void) {
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
  tc_session_cache *cache = tc_session_cache_new(4, 60);
  tc_config_set_session_cache(scfg, cache);
  tc_config *ccfg = client_cfg(TC_TLS11, TC_TLS13);
  tc_config_set_tickets(scfg, 0, 7200); /* resumption by session ID */
  uint8_t u1[12], u2[12];
  tc_session *sess = full_session(ccfg, scfg, u1);
  g_assert_cmpuint(sess->session_id_len, ==, 32);
  g_assert_cmpuint(sess->ticket_len, ==, 0);
  uint8_t *blob;
  size_t blen;
  g_assert_cmpint(tc_session_serialize(sess, &blob, &blen), ==, TC_OK);
  tc_error err;
  tc_error_clear(&err);
  tc_session *back = tc_session_deserialize(blob, blen, &err);
  g_assert_nonnull(back);
  g_assert_cmpuint(back->version, ==, TC_TLS12);
  g_assert_cmpmem(back->session_id, back->session_id_len, sess->session_id, sess->session_id_len);
  g_assert_cmpmem(back->secret, back->secret_len, sess->secret, sess->secret_len);
  g_assert_true(back->ems);
  /* Truncations are refused. */
  for (size_t i = 0; i < blen; i++) {
    tc_session *bad = tc_session_deserialize(blob, i, &err);
    g_assert_null(bad);
  }
  free(blob);

  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, back), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_true(tc_conn_resumed(c));
  g_assert_true(tc_conn_resumed(s));
  /* tls-unique on resumption is the server's Finished (sent first). */
  uint8_t a[64], b[64];
  size_t al = sizeof a, bl = sizeof b;
  g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, a, &al, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, b, &bl, &err), ==, TC_OK);
  g_assert_cmpmem(a, al, b, bl);
  memcpy(u2, a, 12);
  g_assert_true(memcmp(u1, u2, 12) != 0);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"again", 5));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(back);
  tc_session_unref(sess);
  tc_session_cache_unref(cache);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void ocsp_case(uint16_t cmax) {
  static const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00}; /* opaque to TLS */
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS13);
  g_assert_cmpint(tc_config_set_ocsp_response(scfg, resp, sizeof resp, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, cmax);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, cmax);
  size_t n = 0;
  const uint8_t *got = tc_conn_ocsp_response(c, &n);
  g_assert_nonnull(got);
  g_assert_cmpmem(got, n, resp, sizeof resp);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Stapled in CertificateStatus (TLS 1.2; our TLS 1.3 server does not staple). */
static void test_ocsp_staple(void) { ocsp_case(TC_TLS12); }

/* RFC 7633 with builtin verification: a must-staple leaf passes with a
 * staple in CertificateStatus (which comes after the chain was verified)
 * and fails without one, with the reason in the error. */
static void must_staple_case(bool staple, uint16_t cmax) {
  static const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(scfg, "server-staple.pem", "server-rsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS12, TC_TLS13, &err), ==, TC_OK);
  if (staple)
    g_assert_cmpint(tc_config_set_ocsp_response(scfg, resp, sizeof resp, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, cmax);
  tc_config_set_verify_mode(ccfg, TC_VERIFY_BUILTIN);
  tc_trust_store *trust = pump_load_trust("ca-rsa.pem");
  tc_config_set_trust_store(ccfg, trust);
  tc_trust_store_unref(trust);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  if (staple) {
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    size_t n = 0;
    g_assert_nonnull(tc_conn_ocsp_response(c, &n));
    g_assert_true(pump_transfer(c, s, (const unsigned char *)"ok", 2));
  } else {
    g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
    const tc_error *e = tc_conn_error(c);
    g_assert_cmpint(e->code, ==, TC_ERR_BAD_CERTIFICATE);
    g_assert_nonnull(strstr(e->message, "stapled OCSP response"));
  }
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_must_staple_with_staple(void) { must_staple_case(true, TC_TLS12); }
static void test_must_staple_without_staple(void) { must_staple_case(false, TC_TLS12); }
/* Our TLS 1.3 server staples nothing: the same chain fails in TLS 1.3. */
static void test_must_staple_tls13_no_staple(void) { must_staple_case(false, TC_TLS13); }

static void client_cert_case(uint16_t version, const char *cert, const char *key) {
  tc_config *scfg = server_cfg(TC_TLS10, TC_TLS13);
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
  tc_config_set_verify_mode(scfg, TC_VERIFY_NONE);
  tc_config *ccfg = client_cfg(version, version);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  int r = pump_handshake(c, s);
  g_assert_cmpint(r, ==, TC_WANT);
  g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_CLIENT_CERT);
  size_t n;
  tc_cert **chain = pump_load_certs(cert, &n);
  tc_privkey *k = pump_load_key(key);
  g_assert_cmpint(tc_conn_answer_client_cert(c, chain, n, k), ==, TC_OK);
  r = pump_handshake(c, s);
  if (r != TC_OK)
    g_test_message("client '%s' server '%s'", tc_conn_error(c)->message,
                   tc_conn_error(s)->message);
  g_assert_cmpint(r, ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, version);
  tc_cert *const *peer;
  g_assert_cmpuint(tc_conn_peer_chain(s, &peer), ==, n);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"authenticated", 13));
  pump_free_certs(chain, n);
  tc_privkey_unref(k);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_client_cert(void) {
  client_cert_case(TC_TLS12, "client-rsa.pem", "client-rsa-key.pem");
  client_cert_case(TC_TLS12, "client-ecdsa.pem", "client-ecdsa-key.pem");
  /* MD5+SHA-1 (RSA) and SHA-1 (ECDSA) CertificateVerify forms. */
  client_cert_case(TC_TLS11, "client-rsa.pem", "client-rsa-key.pem");
  client_cert_case(TC_TLS10, "client-ecdsa.pem", "client-ecdsa-key.pem");
}

static void test_no_client_cert(void) {
  /* Requested but not required: an empty Certificate, no CertificateVerify. */
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUEST);
  tc_config_set_verify_mode(scfg, TC_VERIFY_NONE);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_answer_client_cert(c, NULL, 0, NULL), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_peer_chain(s, NULL), ==, 0);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Offset in the wire bytes of the payload byte number `pos` of the
 * plaintext handshake stream (records of type 22 only). */
static size_t wire_offset(const uint8_t *f, size_t len, size_t pos) {
  size_t off = 0, seen = 0;
  while (off + 5 <= len) {
    size_t rl = (size_t)f[off + 3] << 8 | f[off + 4];
    g_assert_cmpuint(f[off], ==, 22);
    if (pos < seen + rl)
      return off + 5 + (pos - seen);
    seen += rl;
    off += 5 + rl;
  }
  g_assert_not_reached();
  return 0;
}

/* Handshake payload of the flight, concatenated. */
static GByteArray *hs_stream(const uint8_t *f, size_t len) {
  GByteArray *a = g_byte_array_new();
  size_t off = 0;
  while (off + 5 <= len && f[off] == 22) {
    size_t rl = (size_t)f[off + 3] << 8 | f[off + 4];
    g_byte_array_append(a, f + off + 5, (guint)rl);
    off += 5 + rl;
  }
  return a;
}

/* Flip a byte of the ServerKeyExchange (params or signature): the client
 * must refuse the forged key exchange before sending anything secret. */
static void ske_case(uint16_t suite, bool in_signature, tc_err code) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
  pump_add_chain(scfg, "server-ecdsa.pem", "server-ecdsa-key.pem");
  g_assert_cmpint(tc_config_set_cipher_suites(scfg, &suite, 1, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS13);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  size_t len;
  uint8_t *f = server_flight(c, s, &len);
  GByteArray *hs = hs_stream(f, len);
  size_t pos = 0, ske = 0, ske_len = 0;
  while (pos + 4 <= hs->len) {
    size_t ml = (size_t)hs->data[pos + 1] << 16 | (size_t)hs->data[pos + 2] << 8 | hs->data[pos + 3];
    if (hs->data[pos] == 12) {
      ske = pos;
      ske_len = 4 + ml;
    }
    pos += 4 + ml;
  }
  g_assert_cmpuint(ske_len, >, 0);
  size_t at = in_signature ? ske + ske_len - 5 : ske + 4 + 6; /* inside the key / curve point */
  f[wire_offset(f, len, at)] ^= 0x40;
  client_rejects(c, f, len, code, NULL);
  /* Nothing but the alert went out: no ClientKeyExchange. */
  size_t olen;
  const uint8_t *out = tc_conn_output(c, &olen);
  g_assert_cmpuint(olen, ==, 7);
  g_assert_cmpuint(out[0], ==, 21);
  g_byte_array_unref(hs);
  g_free(f);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_ske_tamper(void) {
  ske_case(0xc02f, true, TC_ERR_DECRYPT_ERROR);  /* ECDHE-RSA */
  ske_case(0xc02b, true, TC_ERR_DECRYPT_ERROR);  /* ECDHE-ECDSA */
  ske_case(0x009e, true, TC_ERR_DECRYPT_ERROR);  /* DHE-RSA */
  ske_case(0xc02f, false, TC_ERR_DECRYPT_ERROR); /* params changed: signature fails */
  ske_case(0x009e, false, TC_ERR_DECRYPT_ERROR);
}

static void unique_of(tc_conn *x, uint8_t out[12]) {
  uint8_t b[64];
  size_t bl = sizeof b;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_conn_binding(x, TC_BINDING_TLS_UNIQUE, b, &bl, &err), ==, TC_OK);
  g_assert_cmpuint(bl, ==, 12);
  memcpy(out, b, 12);
}

/* Secure renegotiation (RFC 5746): started by the server (HelloRequest) or
 * by the client, with data flowing before and after. */
static void reneg_case(uint16_t version, bool client_starts) {
  tc_config *scfg = server_cfg(TC_TLS10, TC_TLS13);
  tc_config *ccfg = client_cfg(version, version);
  tc_config_set_renegotiation(scfg, TC_RENEG_SECURE);
  tc_config_set_renegotiation(ccfg, TC_RENEG_SECURE);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"before", 6));
  uint8_t u1[12], u2[12], v2[12];
  unique_of(c, u1);
  g_assert_cmpint(tc_conn_renegotiate(client_starts ? c : s), ==, TC_OK);
  /* The client reads to see the HelloRequest; the renegotiation then runs
   * while application data keeps flowing. */
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"during", 6));
  g_assert_cmpint(pump(c, s, 50), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after", 5));
  unique_of(c, u2);
  unique_of(s, v2);
  g_assert_cmpmem(u2, 12, v2, 12);
  g_assert_true(memcmp(u1, u2, 12) != 0);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_renegotiation(void) {
  reneg_case(TC_TLS12, false);
  reneg_case(TC_TLS12, true);
  reneg_case(TC_TLS10, true);

  /* Not allowed by our config: tc_conn_renegotiate refuses. */
  tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* TC_VERIFY_CALLER (the GIO layer's mode): the TLS 1.2 client pauses after
 * the server's Certificate and goes on or fails as the caller says. */
static void test_verify_caller(void) {
  for (int accept = 0; accept < 2; accept++) {
    tc_config *scfg = server_cfg(TC_TLS12, TC_TLS12);
    tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS13);
    tc_config_set_verify_mode(ccfg, TC_VERIFY_CALLER);
    tc_conn *c, *s;
    new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
    g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_VERIFY_PEER);
    tc_cert *const *chain;
    g_assert_cmpuint(tc_conn_peer_chain(c, &chain), >=, 1);
    if (accept) {
      g_assert_cmpint(tc_conn_answer_verify(c, true, 0, NULL), ==, TC_OK);
      g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
      g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
      g_assert_true(pump_transfer(c, s, (const unsigned char *)"ok", 2));
    } else {
      g_assert_cmpint(tc_conn_answer_verify(c, false, TC_CERT_UNKNOWN_CA, "untrusted"), ==,
                      TC_FAIL);
      g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_UNKNOWN_CA);
      pump(c, s, 10);
      g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_UNKNOWN_CA);
      g_assert_true(tc_conn_error(s)->remote);
    }
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* TC_VERIFY_CALLER with OCSP stapling negotiated (TLS 1.2): the verify want
 * comes after CertificateStatus, so the caller's must-staple decision (the
 * GIO layer asks tlscore/x509 with the staple it reads here) sees the
 * staple. Before, the want came right after Certificate, with no staple yet,
 * and a must-staple chain could never pass through GIO in TLS 1.2. */
static void test_verify_caller_sees_staple(void) {
  static const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(scfg, "server-staple.pem", "server-rsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS12, TC_TLS12, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_ocsp_response(scfg, resp, sizeof resp, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS13);
  tc_config_set_verify_mode(ccfg, TC_VERIFY_CALLER);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_WANT);
  g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_VERIFY_PEER);
  size_t n = 0;
  const uint8_t *got = tc_conn_ocsp_response(c, &n);
  g_assert_nonnull(got);
  g_assert_cmpmem(got, n, resp, sizeof resp);
  tc_cert *const *chain;
  g_assert_cmpuint(tc_conn_peer_chain(c, &chain), ==, 1);
  g_assert_true(tc_cert_must_staple(chain[0]));
  g_assert_cmpint(tc_conn_answer_verify(c, true, 0, NULL), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"ok", 2));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* The server's plaintext TLS 1.2 flight rebuilt as one handshake record
 * without its CertificateStatus message. */
static GByteArray *drop_cert_status(const GByteArray *in) {
  GByteArray *hs = g_byte_array_new();
  for (size_t off = 0; off + 5 <= in->len;) {
    size_t rl = (size_t)in->data[off + 3] << 8 | in->data[off + 4];
    g_assert_cmpuint(in->data[off], ==, 22);
    g_assert_cmpuint(off + 5 + rl, <=, in->len);
    g_byte_array_append(hs, in->data + off + 5, (guint)rl);
    off += 5 + rl;
  }
  GByteArray *out = g_byte_array_new();
  uint8_t hdr[5] = {22, 3, 3, 0, 0};
  g_byte_array_append(out, hdr, 5);
  bool dropped = false;
  for (size_t off = 0; off + 4 <= hs->len;) {
    size_t ml = 4 + ((size_t)hs->data[off + 1] << 16 | (size_t)hs->data[off + 2] << 8 |
                     hs->data[off + 3]);
    g_assert_cmpuint(off + ml, <=, hs->len);
    if (hs->data[off] == 22)
      dropped = true;
    else
      g_byte_array_append(out, hs->data + off, (guint)ml);
    off += ml;
  }
  g_assert_true(dropped);
  out->data[3] = (uint8_t)((out->len - 5) >> 8);
  out->data[4] = (uint8_t)(out->len - 5);
  g_byte_array_unref(hs);
  return out;
}

/* The server acknowledged status_request but sent no CertificateStatus
 * (RFC 6066 allows it): the want is raised when the next message
 * (ServerKeyExchange) arrives, with no staple, and that message is handled
 * after the answer. */
static void test_verify_caller_status_skipped(void) {
  static const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(scfg, "server-staple.pem", "server-rsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS12, TC_TLS12, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_ocsp_response(scfg, resp, sizeof resp, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, TC_TLS12);
  tc_config_set_verify_mode(ccfg, TC_VERIFY_CALLER);
  tc_conn *c, *s;
  new_pair(ccfg, scfg, &c, &s);
  tc_conn_status(c);
  GByteArray *ch = pump_drain(c);
  size_t used = 0;
  g_assert_cmpint(tc_conn_feed(s, ch->data, ch->len, &used), ==, TC_OK);
  g_assert_cmpuint(used, ==, ch->len);
  tc_conn_status(s);
  GByteArray *flight = pump_drain(s);
  GByteArray *cut = drop_cert_status(flight);
  g_assert_cmpuint(cut->len, <, flight->len);
  g_assert_cmpint(tc_conn_feed(c, cut->data, cut->len, &used), !=, TC_FAIL);
  g_assert_cmpint(tc_conn_status(c) & TC_S_WANT, !=, 0);
  g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_VERIFY_PEER);
  size_t n = 1;
  g_assert_null(tc_conn_ocsp_response(c, &n));
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(tc_conn_output(c, &n) == NULL || n == 0, ==, TRUE);
  /* Accepted: the held ServerKeyExchange and ServerHelloDone are handled
   * now and the client sends its flight. */
  g_assert_cmpint(tc_conn_answer_verify(c, true, 0, NULL), ==, TC_OK);
  g_assert_cmpint(tc_conn_want(c), ==, TC_WANT_NONE);
  const uint8_t *out = tc_conn_output(c, &n);
  g_assert_nonnull(out);
  g_assert_cmpuint(n, >, 0);
  g_assert_cmpuint(out[0], ==, 22);
  g_assert_cmpuint(out[5], ==, 16); /* ClientKeyExchange */
  g_byte_array_unref(ch);
  g_byte_array_unref(flight);
  g_byte_array_unref(cut);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- the brief ServerHello parse against the general one ----
 *
 * Two clients with the same scripted randomness send the same ClientHello
 * offering the same session; each gets the same (edited) server flight, one
 * through the brief parse (tc_client12_server_hello_brief) and one with it
 * off. After the ServerHello and after the whole flight, every outcome must
 * be the same: status, error code, alert and message, state, version,
 * suite, negotiated extensions, record limits, and the bytes the client
 * sends. */

typedef struct sh_outcome {
  int r1, r2;
  tc_err code1, code2;
  int alert1, alert2;
  char msg1[256], msg2[256];
  int state;
  uint16_t version, suite, wr_version, peer_rsl;
  size_t max_frag, max_recv_plain;
  bool have_hs, ems, etm, ticket, status, resumed, secure_reneg, resumed_final;
  GByteArray *out;
} sh_outcome;

typedef struct sh_ext {
  uint16_t type;
  uint8_t body[8];
  size_t len;
} sh_ext;

static pump_rng brief_rng;

static tc_conn *brief_client(tc_config *ccfg, tc_session *sess, GByteArray **ch) {
  memset(&brief_rng, 0, sizeof brief_rng);
  tc_conn *c = pump_new_client(ccfg, sess);
  *ch = pump_drain(c);
  return c;
}

static void brief_outcome(tc_config *ccfg, tc_session *sess, const GByteArray *ch_ref,
                          const uint8_t *flight, size_t sh_rec, size_t len, bool brief_off,
                          sh_outcome *o) {
  GByteArray *ch;
  tc__sh12_brief_off = brief_off;
  tc_conn *c = brief_client(ccfg, sess, &ch);
  g_assert_cmpmem(ch->data, ch->len, ch_ref->data, ch_ref->len);
  g_byte_array_unref(ch);
  memset(o, 0, sizeof *o);
  size_t used;
  o->r1 = tc_conn_feed(c, flight, sh_rec, &used);
  const tc_error *e = tc_conn_error(c);
  o->code1 = e->code;
  o->alert1 = e->alert;
  g_strlcpy(o->msg1, e->message, sizeof o->msg1);
  o->state = c->state;
  o->version = c->version;
  o->suite = c->suite;
  o->wr_version = c->rec.wr_version;
  o->max_frag = c->rec.max_frag;
  o->max_recv_plain = c->rec.max_recv_plain;
  o->secure_reneg = c->c12.secure_reneg;
  o->have_hs = c->hs != NULL;
  if (c->hs) {
    o->ems = c->hs->t12.ems;
    o->etm = c->hs->t12.etm;
    o->ticket = c->hs->t12.ticket;
    o->status = c->hs->t12.status;
    o->resumed = c->hs->t12.resumed;
    o->peer_rsl = c->hs->t12.peer_rsl;
  }
  o->r2 = o->r1;
  if (o->r1 == TC_OK && len > sh_rec)
    o->r2 = tc_conn_feed(c, flight + sh_rec, len - sh_rec, &used);
  o->code2 = e->code;
  o->alert2 = e->alert;
  g_strlcpy(o->msg2, e->message, sizeof o->msg2);
  o->resumed_final = tc_conn_resumed(c);
  o->out = pump_drain(c);
  tc_conn_free(c);
  tc__sh12_brief_off = false;
}

static void assert_same_outcome(const sh_outcome *a, const sh_outcome *b) {
  g_assert_cmpint(a->r1, ==, b->r1);
  g_assert_cmpint(a->code1, ==, b->code1);
  g_assert_cmpint(a->alert1, ==, b->alert1);
  g_assert_cmpstr(a->msg1, ==, b->msg1);
  g_assert_cmpint(a->r2, ==, b->r2);
  g_assert_cmpint(a->code2, ==, b->code2);
  g_assert_cmpint(a->alert2, ==, b->alert2);
  g_assert_cmpstr(a->msg2, ==, b->msg2);
  g_assert_cmpint(a->state, ==, b->state);
  g_assert_cmpuint(a->version, ==, b->version);
  g_assert_cmpuint(a->suite, ==, b->suite);
  g_assert_cmpuint(a->wr_version, ==, b->wr_version);
  g_assert_cmpuint(a->max_frag, ==, b->max_frag);
  g_assert_cmpuint(a->max_recv_plain, ==, b->max_recv_plain);
  g_assert_cmpint(a->secure_reneg, ==, b->secure_reneg);
  g_assert_cmpint(a->have_hs, ==, b->have_hs);
  g_assert_cmpint(a->ems, ==, b->ems);
  g_assert_cmpint(a->etm, ==, b->etm);
  g_assert_cmpint(a->ticket, ==, b->ticket);
  g_assert_cmpint(a->status, ==, b->status);
  g_assert_cmpint(a->resumed, ==, b->resumed);
  g_assert_cmpuint(a->peer_rsl, ==, b->peer_rsl);
  g_assert_cmpint(a->resumed_final, ==, b->resumed_final);
  g_assert_cmpmem(a->out->data, a->out->len, b->out->data, b->out->len);
}

/* The server flight with its ServerHello rebuilt: head (version .. 
 * compression, 38 + sid bytes) edited by edit_head, then the extensions
 * (none at all when n == SIZE_MAX, a raw block when raw). */
static GByteArray *rebuild_flight(const uint8_t *f, size_t len, size_t sh_rec,
                                  void (*edit_head)(uint8_t *, size_t), const sh_ext *x, size_t n,
                                  const uint8_t *raw, size_t raw_len, size_t *new_sh_rec) {
  const uint8_t *sh = f + 5 + 4;
  size_t head = 2 + 32 + 1 + sh[34] + 3;
  GByteArray *body = g_byte_array_new();
  g_byte_array_append(body, sh, head);
  if (edit_head)
    edit_head(body->data, body->len);
  if (raw) {
    g_byte_array_append(body, raw, raw_len);
  } else if (n != SIZE_MAX) {
    size_t el = 0;
    for (size_t i = 0; i < n; i++)
      el += 4 + x[i].len;
    uint8_t l2[2] = {(uint8_t)(el >> 8), (uint8_t)el};
    g_byte_array_append(body, l2, 2);
    for (size_t i = 0; i < n; i++) {
      uint8_t h[4] = {(uint8_t)(x[i].type >> 8), (uint8_t)x[i].type, (uint8_t)(x[i].len >> 8),
                      (uint8_t)x[i].len};
      g_byte_array_append(body, h, 4);
      g_byte_array_append(body, x[i].body, x[i].len);
    }
  }
  GByteArray *out = g_byte_array_new();
  size_t ml = body->len, rl = 4 + ml;
  uint8_t rh[9] = {22, f[1], f[2], (uint8_t)(rl >> 8), (uint8_t)rl, 2, (uint8_t)(ml >> 16),
                   (uint8_t)(ml >> 8), (uint8_t)ml};
  g_byte_array_append(out, rh, 9);
  g_byte_array_append(out, body->data, body->len);
  g_byte_array_append(out, f + sh_rec, len - sh_rec);
  *new_sh_rec = 9 + body->len;
  g_byte_array_unref(body);
  return out;
}

static void head_down11(uint8_t *b, size_t n) { (void)n; memcpy(b + 2 + 24, "DOWNGRD\x00", 8); }
static void head_down12(uint8_t *b, size_t n) { (void)n; memcpy(b + 2 + 24, "DOWNGRD\x01", 8); }
static void head_nodown(uint8_t *b, size_t n) { (void)n; memcpy(b + 2 + 24, "downgrd\x01", 8); }
static void head_hrr(uint8_t *b, size_t n) {
  (void)n;
  memcpy(b + 2, tc_hrr_random, 32);
}
static void head_comp(uint8_t *b, size_t n) { b[n - 1] = 1; }
static void head_suite(uint8_t *b, size_t n) { b[n - 2] ^= 0x07; }
static void head_tls11(uint8_t *b, size_t n) { (void)n; b[1] = 2; }
static void head_tls13(uint8_t *b, size_t n) { (void)n; b[1] = 4; }
static void head_sid(uint8_t *b, size_t n) { (void)n; b[35] ^= 1; }

/* The extension list of variant k from the server's own (base), or false
 * past the last variant. */
static bool ext_variant(int k, const sh_ext *base, size_t nb, sh_ext *x, size_t *n) {
  static const sh_ext add[] = {
      {0, {0}, 0},                 /* 0: server_name, empty */
      {0, {0}, 1},                 /* 1: server_name, not empty */
      {5, {0}, 0},                 /* 2: status_request, empty */
      {5, {1}, 1},                 /* 3: status_request, not empty */
      {22, {0}, 0},                /* 4: encrypt_then_mac */
      {22, {0}, 1},                /* 5: encrypt_then_mac, not empty */
      {35, {0}, 0},                /* 6: session_ticket */
      {35, {0}, 1},                /* 7: session_ticket, not empty */
      {23, {0}, 0},                /* 8: extended_master_secret (again, or new) */
      {0x1234, {0}, 0},            /* 9: unknown */
      {16, {0, 3, 2, 'h', '2'}, 5}, /* 10: ALPN */
      {43, {3, 3}, 2},             /* 11: supported_versions TLS 1.2 */
      {43, {3, 4}, 2},             /* 12: supported_versions TLS 1.3 */
      {51, {0, 29, 0, 1, 9}, 5},   /* 13: key_share */
      {1, {1}, 1},                 /* 14: max_fragment_length */
      {11, {2, 0, 1}, 3},          /* 15: ec_point_formats with two */
      {11, {1, 1}, 2},             /* 16: ec_point_formats without uncompressed */
      {11, {0}, 1},                /* 17: ec_point_formats, empty list */
      {11, {2, 0}, 2},             /* 18: ec_point_formats, short */
      {28, {0, 64}, 2},            /* 19: record_size_limit 64 */
      {28, {0, 63}, 2},            /* 20: record_size_limit 63 */
      {28, {0, 64, 0}, 3},         /* 21: record_size_limit, long */
      {28, {0x40, 1}, 2},          /* 22: record_size_limit 2^14 + 1 */
      {0xff01, {1, 0}, 2},         /* 23: renegotiation_info not empty */
      {0xff01, {0}, 0},            /* 24: renegotiation_info without its length */
      {0xff01, {0, 0}, 2},         /* 25: renegotiation_info, trailing byte */
      {0xff01, {0}, 1},            /* 26: renegotiation_info, empty */
      {23, {0}, 1},                /* 27: extended_master_secret, not empty */
      {13, {0, 2, 4, 3}, 4},       /* 28: signature_algorithms */
      {0x3374, {0}, 0},            /* 29: another unknown */
  };
  size_t na = sizeof add / sizeof add[0];
  *n = 0;
  if (k < (int)na) {
    /* Replace the base's extension of that type, or add it at the end. */
    bool put = false;
    for (size_t i = 0; i < nb; i++) {
      if (base[i].type == add[k].type && !put) {
        x[(*n)++] = add[k];
        put = true;
      } else {
        x[(*n)++] = base[i];
      }
    }
    if (!put)
      x[(*n)++] = add[k];
    return true;
  }
  k -= (int)na;
  if (k < (int)nb) { /* each base extension left out */
    for (size_t i = 0; i < nb; i++)
      if (i != (size_t)k)
        x[(*n)++] = base[i];
    return true;
  }
  k -= (int)nb;
  if (k < (int)nb) { /* each base extension twice */
    for (size_t i = 0; i < nb; i++) {
      x[(*n)++] = base[i];
      if (i == (size_t)k)
        x[(*n)++] = base[i];
    }
    return true;
  }
  k -= (int)nb;
  if (k == 0) { /* reversed */
    for (size_t i = nb; i-- > 0;)
      x[(*n)++] = base[i];
    return true;
  }
  if (k == 1) { /* every brief-set extension we offered at once */
    static const sh_ext more[] = {{0, {0}, 0}, {5, {0}, 0}, {22, {0}, 0}, {35, {0}, 0}};
    for (size_t i = 0; i < nb; i++)
      x[(*n)++] = base[i];
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
      bool dup = false;
      for (size_t j = 0; j < nb; j++)
        dup |= base[j].type == more[i].type;
      if (!dup)
        x[(*n)++] = more[i];
    }
    return true;
  }
  return false;
}

static void brief_case(uint16_t cmax, uint16_t smax, bool tickets) {
  tc_config *scfg = server_cfg(TC_TLS12, smax);
  tc_session_cache *cache = NULL;
  if (!tickets) {
    cache = tc_session_cache_new(16, 3600);
    tc_config_set_session_cache(scfg, cache);
    tc_config_set_tickets(scfg, 0, 7200);
  }
  tc_config *ccfg = client_cfg(TC_TLS12, cmax);
  tc_session *sess = full_session(ccfg, scfg, NULL);
  tc_config_set_rng(ccfg, pump_rng_fn, &brief_rng);

  /* The reference flight: the server's answer to the scripted ClientHello. */
  GByteArray *ch;
  tc_conn *c = brief_client(ccfg, sess, &ch);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(s);
  size_t used;
  g_assert_cmpint(tc_conn_feed(s, ch->data, ch->len, &used), ==, TC_OK);
  GByteArray *fl = pump_drain(s);
  tc_conn_free(s);
  tc_conn_free(c);
  const uint8_t *f = fl->data;
  g_assert_cmpuint(fl->len, >, 9 + 38);
  g_assert_cmpuint(f[0], ==, 22);
  g_assert_cmpuint(f[5], ==, 2);
  size_t sh_rec = 5 + (size_t)(f[3] << 8 | f[4]);
  /* The ServerHello alone in its record (the rebuild relies on it). */
  g_assert_cmpuint(4 + (size_t)(f[6] << 16 | f[7] << 8 | f[8]), ==, sh_rec - 5);
  const uint8_t *sh = f + 9;
  size_t shl = sh_rec - 9, off = 2 + 32 + 1 + sh[34] + 3;
  sh_ext base[16];
  size_t nb = 0;
  g_assert_cmpuint(shl, >=, off + 2);
  for (size_t p = off + 2; p < shl;) {
    g_assert_cmpuint(nb, <, 16);
    base[nb].type = (uint16_t)(sh[p] << 8 | sh[p + 1]);
    base[nb].len = (size_t)(sh[p + 2] << 8 | sh[p + 3]);
    g_assert_cmpuint(base[nb].len, <=, sizeof base[nb].body);
    memcpy(base[nb].body, sh + p + 4, base[nb].len);
    p += 4 + base[nb].len;
    nb++;
  }

  unsigned brief = 0, general = 0, ok = 0;
  sh_ext x[40];
  size_t n;
  void (*heads[])(uint8_t *, size_t) = {NULL,      head_down11, head_down12, head_nodown,
                                          head_hrr,  head_comp,   head_suite,  head_tls11,
                                          head_tls13, head_sid};
  static const uint8_t raws[][6] = {{0, 4, 0, 23, 0, 0}, {0, 2, 0, 23, 0, 0}, {0, 8, 0, 23, 0, 0},
                                    {0, 3, 0, 23, 0, 0}, {0, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}};
  static const size_t raw_lens[] = {6, 6, 6, 5, 2, 3};
  size_t nh = sizeof heads / sizeof heads[0], nr = sizeof raws / sizeof raws[0];
  for (int k = 0;; k++) {
    GByteArray *v;
    size_t vrec;
    if ((size_t)k < nh) {
      v = rebuild_flight(f, fl->len, sh_rec, heads[k], base, nb, NULL, 0, &vrec);
    } else if ((size_t)k < nh + nr) {
      size_t i = (size_t)k - nh;
      v = rebuild_flight(f, fl->len, sh_rec, NULL, NULL, 0, raws[i], raw_lens[i], &vrec);
    } else if ((size_t)k == nh + nr) {
      v = rebuild_flight(f, fl->len, sh_rec, NULL, NULL, SIZE_MAX, NULL, 0, &vrec);
    } else if (ext_variant(k - (int)(nh + nr + 1), base, nb, x, &n)) {
      v = rebuild_flight(f, fl->len, sh_rec, NULL, x, n, NULL, 0, &vrec);
    } else {
      break;
    }
    tc_server_hello12 b;
    if (tc_msg_parse_server_hello12(v->data + 9, vrec - 9, &b))
      brief++;
    else
      general++;
    sh_outcome o1, o2;
    brief_outcome(ccfg, sess, ch, v->data, vrec, v->len, false, &o1);
    brief_outcome(ccfg, sess, ch, v->data, vrec, v->len, true, &o2);
    if (k == 0) { /* the server's own flight: resumed */
      g_assert_cmpint(o1.r2, ==, TC_OK);
      g_assert_true(o1.resumed_final);
    }
    ok += o1.r2 == TC_OK;
    assert_same_outcome(&o1, &o2);
    g_byte_array_unref(o1.out);
    g_byte_array_unref(o2.out);
    g_byte_array_unref(v);
  }
  g_test_message("brief parse took %u variants, declined %u; %u handshakes completed", brief,
                 general, ok);
  g_assert_cmpuint(brief, >, 10);
  g_assert_cmpuint(general, >, 10);
  g_byte_array_unref(ch);
  g_byte_array_unref(fl);
  tc_session_unref(sess);
  tc_config_set_rng(ccfg, NULL, NULL);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  if (cache)
    tc_session_cache_unref(cache);
}

static void test_sh_brief(void) {
  brief_case(TC_TLS12, TC_TLS12, true);  /* no sentinel */
  brief_case(TC_TLS12, TC_TLS13, true);  /* TLS 1.2 sentinel from a TLS 1.3 server */
  brief_case(TC_TLS12, TC_TLS13, false); /* by session ID */
  brief_case(TC_TLS13, TC_TLS12, true);  /* a TLS 1.3 client offering a TLS 1.2 session */
  brief_case(TC_TLS13, TC_TLS12, false);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls12-client/downgrade-sentinel", test_downgrade_sentinel);
  g_test_add_func("/tls12-client/version-floor", test_version_floor);
  g_test_add_func("/tls12-client/dh-min-bits", test_dh_min_bits);
  g_test_add_func("/tls12-client/ems-resumption", test_ems_resumption);
  g_test_add_func("/tls12-client/session-serialize-resume", test_session_serialize_resume);
  g_test_add_func("/tls12-client/ocsp-staple", test_ocsp_staple);
  g_test_add_func("/tls12-client/must-staple/with-staple", test_must_staple_with_staple);
  g_test_add_func("/tls12-client/must-staple/verify-caller-sees-staple",
                  test_verify_caller_sees_staple);
  g_test_add_func("/tls12-client/must-staple/verify-caller-status-skipped",
                  test_verify_caller_status_skipped);
  g_test_add_func("/tls12-client/must-staple/without-staple", test_must_staple_without_staple);
  g_test_add_func("/tls12-client/must-staple/tls13-no-staple", test_must_staple_tls13_no_staple);
  g_test_add_func("/tls12-client/client-cert", test_client_cert);
  g_test_add_func("/tls12-client/no-client-cert", test_no_client_cert);
  g_test_add_func("/tls12-client/renegotiation", test_renegotiation);
  g_test_add_func("/tls12-client/ske-tamper", test_ske_tamper);
  g_test_add_func("/tls12-client/verify-caller", test_verify_caller);
  g_test_add_func("/tls12-client/server-hello-brief", test_sh_brief);
  return g_test_run();
}
