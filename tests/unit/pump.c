/* In-memory transport for engine tests: shuttle bytes between two tc_conn, load test credentials. */
#include "pump.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static size_t move(tc_conn *from, tc_conn *to) {
  size_t moved = 0;
  for (;;) {
    size_t len;
    const uint8_t *p = tc_conn_output(from, &len);
    if (!p || !len)
      break;
    if (tc_conn_status(to) & TC_S_FAILED) {
      tc_conn_output_ack(from, len); /* the peer is gone; drop */
      moved += len;
      continue;
    }
    size_t used = 0;
    tc_conn_feed(to, p, len, &used);
    if (used == 0)
      break;
    tc_conn_output_ack(from, used);
    moved += used;
  }
  return moved;
}

int pump(tc_conn *client, tc_conn *server, unsigned max_rounds) {
  for (unsigned i = 0; i < max_rounds; i++) {
    size_t m = move(client, server) + move(server, client);
    if (m == 0)
      break;
  }
  unsigned a = tc_conn_status(client), b = tc_conn_status(server);
  if ((a | b) & TC_S_FAILED)
    return TC_FAIL;
  if ((a | b) & TC_S_WANT)
    return TC_WANT;
  return TC_OK;
}

int pump_handshake(tc_conn *client, tc_conn *server) {
  for (int i = 0; i < 100; i++) {
    int r = pump(client, server, 100);
    if (r != TC_OK)
      return r;
    if (tc_conn_handshake_done(client) && tc_conn_handshake_done(server))
      return TC_OK;
    /* Nudge both engines (a client's first flight, buffered records). */
    uint8_t b;
    size_t n;
    if (!tc_conn_handshake_done(client) && tc_conn_read(client, &b, 0, &n) == TC_FAIL)
      return TC_FAIL;
    if (!tc_conn_handshake_done(server) && tc_conn_read(server, &b, 0, &n) == TC_FAIL)
      return TC_FAIL;
    size_t olen_c, olen_s;
    tc_conn_output(client, &olen_c);
    tc_conn_output(server, &olen_s);
    if (!olen_c && !olen_s && !(tc_conn_handshake_done(client) && tc_conn_handshake_done(server)))
      return TC_AGAIN;
  }
  return TC_AGAIN;
}

bool pump_transfer(tc_conn *from, tc_conn *to, const unsigned char *data, size_t len) {
  size_t sent = 0, got = 0;
  unsigned char *buf = g_malloc(len + 1);
  bool ok = true;
  int guard = 0;
  while ((sent < len || got < len) && guard++ < 100000) {
    if (sent < len) {
      size_t n = 0;
      int r = tc_conn_write(from, data + sent, len - sent, &n);
      if (r == TC_FAIL) {
        ok = false;
        break;
      }
      sent += n;
    }
    if (pump(from, to, 4) == TC_FAIL) {
      ok = false;
      break;
    }
    for (;;) {
      size_t n = 0;
      int r = tc_conn_read(to, buf + got, len + 1 - got, &n);
      if (r != TC_OK || n == 0) {
        if (r == TC_FAIL)
          ok = false;
        break;
      }
      got += n;
      if (got > len)
        break;
    }
    if (!ok || got > len)
      break;
    /* The receiver may need to send something (KeyUpdate answers). */
    pump(from, to, 4);
  }
  ok = ok && got == len && memcmp(buf, data, len) == 0;
  /* Our copy of the plaintext, cleared: tests that look for plaintext in
   * what the engine keeps must find only the engine's own. */
  explicit_bzero(buf, len + 1);
  g_free(buf);
  return ok;
}

const char *pump_data_dir(void) {
  const char *env = g_getenv("TLSCORE_TEST_DATA");
  if (env && *env)
    return env;
#ifdef TEST_DATA_DIR
  return TEST_DATA_DIR;
#else
  return "tests/data";
#endif
}

static uint8_t *slurp(const char *name, size_t *len) {
  char *path = g_build_filename(pump_data_dir(), name, NULL);
  gchar *data = NULL;
  gsize l = 0;
  GError *e = NULL;
  if (!g_file_get_contents(path, &data, &l, &e))
    g_error("cannot read %s: %s", path, e->message);
  g_free(path);
  *len = l;
  return (uint8_t *)data;
}

tc_cert **pump_load_certs(const char *name, size_t *n) {
  size_t len;
  uint8_t *data = slurp(name, &len);
  tc_error err;
  tc_error_clear(&err);
  tc_cert **certs = NULL;
  *n = tc_certs_parse(data, len, &certs, &err);
  g_free(data);
  if (*n == 0)
    g_error("no certificate in %s: %s", name, err.message);
  return certs;
}

void pump_free_certs(tc_cert **certs, size_t n) {
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(certs[i]);
  free(certs);
}

tc_privkey *pump_load_key(const char *name) {
  size_t len;
  uint8_t *data = slurp(name, &len);
  tc_error err;
  tc_error_clear(&err);
  tc_privkey *k = tc_privkey_parse(data, len, NULL, &err);
  g_free(data);
  if (!k)
    g_error("cannot parse key %s: %s", name, err.message);
  return k;
}

tc_trust_store *pump_load_trust(const char *name) {
  size_t len;
  uint8_t *data = slurp(name, &len);
  tc_error err;
  tc_error_clear(&err);
  tc_trust_store *t = tc_trust_store_new();
  size_t n = tc_trust_store_add_data(t, data, len, &err);
  g_free(data);
  if (n == 0)
    g_error("no anchors in %s: %s", name, err.message);
  return t;
}

void pump_add_chain(tc_config *cfg, const char *cert_file, const char *key_file) {
  size_t n;
  tc_cert **certs = pump_load_certs(cert_file, &n);
  tc_privkey *key = pump_load_key(key_file);
  tc_error err;
  tc_error_clear(&err);
  if (tc_config_add_cert_chain(cfg, certs, n, key, &err) != TC_OK)
    g_error("cannot add chain %s: %s", cert_file, err.message);
  pump_free_certs(certs, n);
  tc_privkey_unref(key);
}

int pump_rng_fn(void *ctx, unsigned char *out, size_t len) {
  pump_rng *r = ctx;
  for (size_t i = 0; i < len; i++) {
    if (r->pos < r->script_len)
      out[i] = r->script[r->pos++];
    else {
      r->counter = r->counter * 6364136223846793005UL + 1442695040888963407UL;
      out[i] = (unsigned char)(r->counter >> 56);
    }
  }
  return 0;
}

tc_config *pump_server_cfg12(uint16_t min, uint16_t max, const uint16_t *suites, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *s = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(s, "server-rsa.pem", "server-rsa-key.pem");
  pump_add_chain(s, "server-ecdsa.pem", "server-ecdsa-key.pem");
  g_assert_cmpint(tc_config_set_versions(s, min, max, &err), ==, TC_OK);
  if (n)
    g_assert_cmpint(tc_config_set_cipher_suites(s, suites, n, &err), ==, TC_OK);
  return s;
}

tc_config *pump_client_cfg12(uint16_t min, uint16_t max, const uint16_t *suites, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *c = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_verify_mode(c, TC_VERIFY_NONE);
  g_assert_cmpint(tc_config_set_versions(c, min, max, &err), ==, TC_OK);
  if (n)
    g_assert_cmpint(tc_config_set_cipher_suites(c, suites, n, &err), ==, TC_OK);
  return c;
}

tc_conn *pump_new_client(tc_config *ccfg, tc_session *sess) {
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err);
  g_assert_nonnull(c);
  g_assert_cmpint(tc_conn_set_server_name(c, "localhost"), ==, TC_OK);
  if (sess)
    g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  return c;
}

void pump_new_pair(tc_config *ccfg, tc_config *scfg, tc_conn **c, tc_conn **s) {
  tc_error err;
  tc_error_clear(&err);
  *c = pump_new_client(ccfg, NULL);
  *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(*s);
}

GByteArray *pump_drain(tc_conn *x) {
  GByteArray *a = g_byte_array_new();
  for (;;) {
    size_t len = 0;
    const uint8_t *p = tc_conn_output(x, &len);
    if (!p || !len)
      break;
    g_byte_array_append(a, p, (guint)len);
    tc_conn_output_ack(x, len);
  }
  return a;
}
