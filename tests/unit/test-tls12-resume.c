/* TLS 1.2-and-older resumption chains: the session a resumed connection hands back, and keys that agree across suites/versions. */
#include <glib.h>
#include <string.h>

#include "engine/conn_internal.h"
#include "msg/msg.h"
#include "pump.h"

static tc_config *server_cfg(uint16_t version, bool tickets, tc_session_cache *cache) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *s = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(s, "server-rsa.pem", "server-rsa-key.pem");
  pump_add_chain(s, "server-ecdsa.pem", "server-ecdsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(s, TC_SSL30, version, &err), ==, TC_OK);
  if (!tickets)
    tc_config_set_tickets(s, 0, 7200);
  if (version == TC_SSL30) /* no extended master secret there */
    tc_config_set_ems_required(s, false);
  if (cache)
    tc_config_set_session_cache(s, cache);
  return s;
}

static tc_config *client_cfg(uint16_t version, uint16_t suite, const char *alpn) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *c = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_verify_mode(c, TC_VERIFY_NONE);
  g_assert_cmpint(tc_config_set_versions(c, version, version, &err), ==, TC_OK);
  if (version == TC_SSL30)
    tc_config_set_ems_required(c, false);
  g_assert_cmpint(tc_config_set_cipher_suites(c, &suite, 1, &err), ==, TC_OK);
  if (alpn)
    g_assert_cmpint(tc_config_set_alpn(c, &alpn, 1, &err), ==, TC_OK);
  return c;
}

/* One connection offering sess (may be NULL); checks both ends agree on
 * resumption, on exported keying material and that data flows both ways.
 * Returns the client's session afterwards. */
static tc_session *connect_once(tc_config *ccfg, tc_config *scfg, tc_session *sess, bool expect) {
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(c);
  g_assert_nonnull(s);
  g_assert_cmpint(tc_conn_set_server_name(c, "localhost"), ==, TC_OK);
  if (sess)
    g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_resumed(c), ==, expect);
  g_assert_cmpint(tc_conn_resumed(s), ==, expect);
  if (tc_conn_version(c) != TC_SSL30) {
    uint8_t kc[32], ks[32];
    g_assert_cmpint(tc_conn_export(c, "EXPERIMENTAL test", NULL, 0, false, kc, 32, &err), ==,
                    TC_OK);
    g_assert_cmpint(tc_conn_export(s, "EXPERIMENTAL test", NULL, 0, false, ks, 32, &err), ==,
                    TC_OK);
    g_assert_cmpmem(kc, 32, ks, 32);
  }
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"pong", 4));
  tc_session *out = tc_conn_get_session(c);
  tc_conn_free(c);
  tc_conn_free(s);
  return out;
}

/* full handshake, then `rounds` resumptions, each from the session the
 * previous connection handed back. */
static void chain(tc_config *ccfg, tc_config *scfg, int rounds, bool same_object) {
  tc_session *sess = connect_once(ccfg, scfg, NULL, false);
  g_assert_nonnull(sess);
  for (int i = 0; i < rounds; i++) {
    tc_session *next = connect_once(ccfg, scfg, sess, true);
    g_assert_nonnull(next);
    /* Nothing new came with the resumption: the client keeps the session it
     * offered rather than a copy (the next one resumes just as well). */
    if (same_object)
      g_assert_true(next == sess);
    tc_session_unref(sess);
    sess = next;
  }
  tc_session_unref(sess);
}

static void test_chain_ticket(void) {
  static const uint16_t suites[] = {0xC02B, 0xC02F, 0xC030, 0xCCA8, 0x009C, 0xC013, 0xC027};
  for (size_t i = 0; i < G_N_ELEMENTS(suites); i++) {
    tc_config *scfg = server_cfg(TC_TLS12, true, NULL);
    tc_config *ccfg = client_cfg(TC_TLS12, suites[i], NULL);
    chain(ccfg, scfg, 3, true);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

static void test_chain_session_id(void) {
  static const uint16_t versions[] = {TC_TLS12, TC_TLS11, TC_TLS10, TC_SSL30};
  for (size_t i = 0; i < G_N_ELEMENTS(versions); i++) {
    tc_session_cache *cache = tc_session_cache_new(8, 60);
    tc_config *scfg = server_cfg(versions[i], false, cache);
    tc_config *ccfg = client_cfg(versions[i], 0x002F, NULL); /* AES128-SHA: SSL 3.0..TLS 1.2 */
    chain(ccfg, scfg, 3, true);
    g_assert_cmpuint(tc_session_cache_count(cache), ==, 1);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
    tc_session_cache_unref(cache);
  }
}

static void test_chain_alpn(void) {
  static const char *const sv[] = {"h2", "http/1.1"};
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = server_cfg(TC_TLS12, true, NULL);
  g_assert_cmpint(tc_config_set_alpn(scfg, sv, 2, &err), ==, TC_OK);
  tc_config *ccfg = client_cfg(TC_TLS12, 0xC02B, "http/1.1");
  chain(ccfg, scfg, 2, true);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* The server knows the session by ID and by ticket: the ticket wins, the
 * session ID it echoes matches, the chain goes on. */
static void test_chain_both(void) {
  tc_session_cache *cache = tc_session_cache_new(8, 60);
  tc_config *scfg = server_cfg(TC_TLS12, true, cache);
  tc_config *ccfg = client_cfg(TC_TLS12, 0xC02F, NULL);
  chain(ccfg, scfg, 3, true);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_session_cache_unref(cache);
}

/* A session offered again and again is sent from the ClientHello it keeps
 * (tc_session.ch_blob), and the client refers to those bytes instead of
 * copying its ClientHello until the ServerHello (hs->ch1_kept); it also
 * hashes the ClientHello as sent with the session's PRF hash (t12.th_ch).
 * Both ways out of that ServerHello must work: the session resumed (the
 * running hash kept), and declined by a server that does not know it (a
 * full handshake, the running hash dropped and the ClientHello going into
 * the kept transcript, under the offered suite's PRF hash or another one;
 * keeping the hash there fails this test). */
static void test_kept_hello_declined(void) {
  static const uint16_t suites[] = {0xC02F, 0xC030}; /* SHA-256, SHA-384 PRF */
  for (int by_ticket = 0; by_ticket < 2; by_ticket++)
    for (size_t pick = 0; pick < G_N_ELEMENTS(suites); pick++) {
      tc_error err;
      tc_error_clear(&err);
      tc_session_cache *cache = by_ticket ? NULL : tc_session_cache_new(8, 60);
      tc_config *scfg = server_cfg(TC_TLS12, by_ticket, cache);
      tc_config *ccfg = client_cfg(TC_TLS12, 0xC02F, NULL);
      g_assert_cmpint(tc_config_set_cipher_suites(ccfg, suites, 2, &err), ==, TC_OK);
      g_assert_cmpint(tc_config_set_cipher_suites(scfg, &suites[0], 1, &err), ==, TC_OK);
      tc_session *sess = connect_once(ccfg, scfg, NULL, false);
      g_assert_nonnull(sess);
      for (int i = 0; i < 2; i++) { /* the second offer is sent from the kept bytes */
        tc_session *next = connect_once(ccfg, scfg, sess, true);
        tc_session_unref(sess);
        sess = next;
      }
      g_assert_nonnull(atomic_load(&sess->ch_blob));
      /* Another server: new ticket keys, an empty cache, the suite `pick`. */
      tc_session_cache *cache2 = by_ticket ? NULL : tc_session_cache_new(8, 60);
      tc_config *scfg2 = server_cfg(TC_TLS12, by_ticket, cache2);
      g_assert_cmpint(tc_config_set_cipher_suites(scfg2, &suites[pick], 1, &err), ==, TC_OK);
      tc_session *fresh = connect_once(ccfg, scfg2, sess, false);
      g_assert_nonnull(fresh);
      g_assert_true(fresh != sess);
      tc_session_unref(fresh);
      tc_session_unref(sess);
      tc_config_unref(scfg2);
      tc_config_unref(scfg);
      tc_config_unref(ccfg);
      if (cache2)
        tc_session_cache_unref(cache2);
      if (cache)
        tc_session_cache_unref(cache);
    }
}

/* A TLS 1.2 ticket is accepted for the lifetime it was issued with and
 * not a second longer, although its key period would still open it (a
 * ticket key serves its period and the next). Past its lifetime, or
 * issued "in the future" after the server's clock went back, the ticket
 * is declined: a full handshake, and a new ticket. */
static int64_t fake_now;
static int64_t fake_time(void *ctx) {
  (void)ctx;
  return fake_now;
}

static void test_ticket_lifetime(void) {
  static const struct {
    int64_t later; /* seconds after the ticket was issued */
    bool resumed;
  } cases[] = {{0, true}, {299, true}, {300, true}, {301, false}, {599, false}, {-1, false}};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    tc_config *scfg = server_cfg(TC_TLS12, true, NULL);
    tc_config_set_tickets(scfg, 1, 300);
    tc_config_set_time(scfg, fake_time, NULL);
    tc_config *ccfg = client_cfg(TC_TLS12, 0xC02F, NULL);
    fake_now = 1700000000; /* at the start of a 300 s key period */
    g_assert_cmpint(fake_now % 300, ==, 200);
    fake_now -= 200;
    tc_session *sess = connect_once(ccfg, scfg, NULL, false);
    g_assert_nonnull(sess);
    fake_now += cases[i].later;
    tc_session *next = connect_once(ccfg, scfg, sess, cases[i].resumed);
    g_assert_nonnull(next);
    g_assert_true((next == sess) == cases[i].resumed);
    tc_session_unref(next);
    tc_session_unref(sess);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* What a client's first ClientHello offers with sess (the client is not
 * connected further): the session_ticket extension's content (NULL: empty
 * or absent). */
static GBytes *first_offer(tc_config *ccfg, tc_session *sess) {
  tc_conn *c = pump_new_client(ccfg, sess);
  uint8_t b;
  size_t n, len;
  tc_conn_read(c, &b, 0, &n); /* writes the first flight */
  const uint8_t *p = tc_conn_output(c, &len);
  g_assert_nonnull(p);
  g_assert_cmpuint(len, >, 9);
  g_assert_cmpuint(p[0], ==, 22); /* handshake record, ClientHello */
  g_assert_cmpuint(p[5], ==, 1);
  size_t body = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
  g_assert_cmpuint(len, >=, 9 + body);
  tc_client_hello ch;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(p + 9, body, &ch, &err), ==, TC_OK);
  GBytes *ticket = tc_exts_has(&ch.ext, TC_EXT_SESSION_TICKET) && ch.ext.session_ticket.len
                       ? g_bytes_new(ch.ext.session_ticket.p, ch.ext.session_ticket.len)
                       : NULL;
  tc_conn_free(c);
  return ticket;
}

/* RFC 5077 §3.3: the client keeps a TLS 1.2 ticket for the lifetime hint
 * the server gave with it (here 300 s, the server's ticket lifetime), on
 * the config's clock, as a TLS 1.3 client keeps a ticket for its
 * ticket_lifetime (tc_session_usable): up to 299 s after it arrived the
 * ticket is offered and resumes; from 300 s on (and when the clock went
 * back) the client offers no ticket (and no session ID: the server
 * issued this session by ticket only) and makes a full handshake, instead
 * of an offer the server would decline from 301 s on. A hint above a day
 * is cut to a day. */
static void test_client_ticket_hint(void) {
  static const struct {
    uint32_t lifetime; /* the server's, sent as the hint */
    int64_t later;     /* seconds after the ticket arrived */
    bool offered;
  } cases[] = {{300, 0, true},        {300, 299, true},      {300, 300, false},
               {300, 301, false},     {300, 7199, false},    {300, -1, false},
               {604800, 86399, true}, {604800, 86400, false}};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    tc_config *scfg = server_cfg(TC_TLS12, true, NULL);
    tc_config_set_tickets(scfg, 1, cases[i].lifetime);
    tc_config_set_time(scfg, fake_time, NULL);
    tc_config *ccfg = client_cfg(TC_TLS12, 0xC02F, NULL);
    tc_config_set_time(ccfg, fake_time, NULL);
    fake_now = 1700000000 - 200; /* the start of a 300 s key period */
    tc_session *sess = connect_once(ccfg, scfg, NULL, false);
    g_assert_nonnull(sess);
    g_assert_cmpuint(sess->ticket_len, >, 0);
    g_assert_cmpuint(sess->session_id_len, ==, 0);
    fake_now += cases[i].later;
    GBytes *ticket = first_offer(ccfg, sess);
    if (cases[i].offered) {
      g_assert_nonnull(ticket);
      g_assert_cmpmem(g_bytes_get_data(ticket, NULL), g_bytes_get_size(ticket), sess->ticket,
                      sess->ticket_len);
    } else {
      g_assert_null(ticket);
    }
    if (ticket)
      g_bytes_unref(ticket);
    /* And the connection: resumed exactly when offered. */
    tc_session *next = connect_once(ccfg, scfg, sess, cases[i].offered);
    g_assert_nonnull(next);
    g_assert_true((next == sess) == cases[i].offered);
    tc_session_unref(next);
    tc_session_unref(sess);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls12-resume/chain-ticket", test_chain_ticket);
  g_test_add_func("/tls12-resume/chain-session-id", test_chain_session_id);
  g_test_add_func("/tls12-resume/chain-alpn", test_chain_alpn);
  g_test_add_func("/tls12-resume/chain-both", test_chain_both);
  g_test_add_func("/tls12-resume/kept-hello-declined", test_kept_hello_declined);
  g_test_add_func("/tls12-resume/ticket-lifetime", test_ticket_lifetime);
  g_test_add_func("/tls12-resume/client-ticket-hint", test_client_ticket_hint);
  return g_test_run();
}
