/* gtls-tool servertest / clienttest / testcreds: TLS Lite's paired self-test over GIO, one line per step. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <tlscore/store.h>
#include <tlscore/x509.h>

#include "gtls-tool.h"

typedef enum { EXPECT_OK, EXPECT_FAIL, EXPECT_ABRUPT } expect;
typedef enum { NEEDS_NOTHING, NEEDS_SRP, NEEDS_PSK } needs;

/* One step, as both sides see it: the server and the client read the same row, so their
 * sequences of connections match. */
typedef struct {
  const char *name;
  const char *server_cert;   /* "rsa", "ecdsa" or NULL (SRP/PSK only) */
  gboolean require_client_cert;
  gboolean client_cert;
  const char *min, *max;     /* both sides; NULL: defaults */
  const char *ciphers;       /* client offers only these */
  gboolean no_tickets;       /* server issues no tickets */
  int resume;                /* connections after the first that must resume */
  const char *pin;           /* "right", "wrong", "right-only" (pin-only, untrusted CA) */
  gboolean wrong_ca;
  needs auth;                /* SRP or PSK, from DIR's databases */
  const char *srp_user, *srp_password;   /* NULL password: DIR/srp-password */
  const char *psk_key;       /* NULL: DIR/psk-key; else a wrong one */
  expect expect;
  const char *want_version;  /* checked by the client when set */
} step;

static const step steps[] = {
  {N_("RSA certificate, TLS 1.3"), "rsa", .want_version = "TLS 1.3"},
  {N_("ECDSA certificate, TLS 1.3"), "ecdsa", .want_version = "TLS 1.3"},
  {N_("RSA certificate, TLS 1.2"), "rsa", .max = "tls1.2", .want_version = "TLS 1.2"},
  {N_("ECDSA certificate, TLS 1.2"), "ecdsa", .max = "tls1.2", .want_version = "TLS 1.2"},
  {N_("client certificate, TLS 1.3"), "rsa", .require_client_cert = TRUE, .client_cert = TRUE},
  {N_("client certificate, TLS 1.2"), "rsa", .require_client_cert = TRUE, .client_cert = TRUE,
   .max = "tls1.2"},
  {N_("no client certificate where one is required"), "rsa", .require_client_cert = TRUE,
   .expect = EXPECT_FAIL},
  {N_("resumption, TLS 1.3 ticket"), "rsa", .resume = 1},
  {N_("resumption, TLS 1.2 ticket"), "rsa", .max = "tls1.2", .resume = 1},
  {N_("resumption, TLS 1.2 session ID"), "rsa", .max = "tls1.2", .no_tickets = TRUE, .resume = 1},
  {"SSL 3.0", "rsa", .min = "ssl3.0", .max = "ssl3.0", .want_version = "SSL 3.0"},
  {"TLS 1.0", "rsa", .min = "tls1.0", .max = "tls1.0", .want_version = "TLS 1.0"},
  {"TLS 1.1", "rsa", .min = "tls1.1", .max = "tls1.1", .want_version = "TLS 1.1"},
  {"TLS 1.2", "rsa", .min = "tls1.2", .max = "tls1.2", .want_version = "TLS 1.2"},
  {"TLS 1.3", "rsa", .min = "tls1.3", .max = "tls1.3", .want_version = "TLS 1.3"},
  {"TLS_AES_128_GCM_SHA256", "rsa", .ciphers = "TLS_AES_128_GCM_SHA256"},
  {"TLS_AES_256_GCM_SHA384", "rsa", .ciphers = "TLS_AES_256_GCM_SHA384"},
  {"TLS_CHACHA20_POLY1305_SHA256", "rsa", .ciphers = "TLS_CHACHA20_POLY1305_SHA256"},
  {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "rsa", .max = "tls1.2",
   .ciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
  {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ecdsa", .max = "tls1.2",
   .ciphers = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
  {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "rsa", .max = "tls1.2",
   .ciphers = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
  {"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "rsa", .max = "tls1.2",
   .ciphers = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
  {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "rsa", .max = "tls1.2",
   .ciphers = "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
  {"TLS_RSA_WITH_AES_128_CBC_SHA", "rsa", .max = "tls1.2", .ciphers = "TLS_RSA_WITH_AES_128_CBC_SHA"},
  {"TLS_RSA_WITH_AES_128_CCM", "rsa", .max = "tls1.2", .ciphers = "TLS_RSA_WITH_AES_128_CCM"},
  {N_("the right pin"), "rsa", .pin = "right"},
  {N_("a wrong pin"), "rsa", .pin = "wrong", .expect = EXPECT_FAIL},
  {N_("pin only, untrusted CA"), "rsa", .pin = "right-only", .wrong_ca = TRUE},
  {N_("an unknown CA"), "rsa", .wrong_ca = TRUE, .expect = EXPECT_FAIL},
  {"SRP", NULL, .auth = NEEDS_SRP, .srp_user = "alice"},
  {N_("SRP and RSA"), "rsa", .auth = NEEDS_SRP, .srp_user = "alice"},
  {N_("SRP, a wrong password"), NULL, .auth = NEEDS_SRP, .srp_user = "alice",
   .srp_password = "not the password", .expect = EXPECT_FAIL},
  {N_("SRP, an unknown user"), NULL, .auth = NEEDS_SRP, .srp_user = "mallory",
   .srp_password = "whatever", .expect = EXPECT_FAIL},
  {N_("shared key, TLS 1.2"), NULL, .auth = NEEDS_PSK, .max = "tls1.2", .want_version = "TLS 1.2"},
  {N_("shared key, TLS 1.3"), NULL, .auth = NEEDS_PSK, .want_version = "TLS 1.3"},
  {N_("shared key, a wrong key"), NULL, .auth = NEEDS_PSK, .psk_key = "00112233445566778899aabbccddeeff",
   .expect = EXPECT_FAIL},
  {N_("close_notify"), "rsa", .expect = EXPECT_OK},
  {N_("abrupt close"), "rsa", .expect = EXPECT_ABRUPT},
};

/* Whether this backend's connections have what a step needs (both sides decide alike). */
static gboolean step_supported(const step *s, GType conn_type)
{
  if (s->auth == NEEDS_NOTHING && s->pin == NULL)
    return TRUE;
  GObjectClass *k = g_type_class_ref(conn_type);
  const char *prop = s->auth == NEEDS_SRP ? "srp-username"
                     : s->auth == NEEDS_PSK ? "psk-identity" : "pins";
  gboolean has = g_object_class_find_property(k, prop) != NULL;
  g_type_class_unref(k);
  return has;
}

static char *dir_file(const char *dir, const char *name)
{
  return g_build_filename(dir, name, NULL);
}

static char *read_secret(const char *dir, const char *name, GError **error)
{
  char *path = dir_file(dir, name), *data = NULL;
  gboolean ok = g_file_get_contents(path, &data, NULL, error);
  g_free(path);
  if (!ok)
    return NULL;
  data[strcspn(data, "\r\n")] = '\0';
  return data;
}

/* Versions and suites reach the module through its environment, read when a handshake starts;
 * each side sets them before its own next handshake (the server runs the steps one by one). */
static void apply_env(const step *s, gboolean server)
{
  const char *min = s->min, *max = s->max;
  if (min == NULL)
    g_unsetenv("G_TLS_TLSLITE_MIN_VERSION");
  else
    g_setenv("G_TLS_TLSLITE_MIN_VERSION", min, TRUE);
  if (max == NULL)
    g_unsetenv("G_TLS_TLSLITE_MAX_VERSION");
  else
    g_setenv("G_TLS_TLSLITE_MAX_VERSION", max, TRUE);
  if (!server && s->ciphers != NULL)
    g_setenv("G_TLS_TLSLITE_CIPHERS", s->ciphers, TRUE);
  else
    g_unsetenv("G_TLS_TLSLITE_CIPHERS");
  if (server && s->no_tickets)
    g_setenv("G_TLS_TLSLITE_NO_TICKETS", "1", TRUE);
  else
    g_unsetenv("G_TLS_TLSLITE_NO_TICKETS");
}

/* ---------------- server ---------------- */

static GType server_conn_type(void)
{
  GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  GSocketConnection *c = s ? g_socket_connection_factory_create_connection(s) : NULL;
  GIOStream *t = c ? g_tls_server_connection_new(G_IO_STREAM(c), NULL, NULL) : NULL;
  GType type = t ? G_OBJECT_TYPE(t) : G_TYPE_INVALID;
  g_clear_object(&t);
  g_clear_object(&c);
  g_clear_object(&s);
  return type;
}

static gboolean accept_client(GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors,
                              gpointer data)
{
  return errors == 0;
}

/* One connection of a step; FALSE with error when it did not go as the step says. */
static gboolean serve_conn(GSocket *listener, const step *s, const char *dir, GTlsCertificate *cert,
                           GTlsDatabase *db, GError **error)
{
  GSocket *sock = g_socket_accept(listener, NULL, error);
  if (sock == NULL)
    return FALSE;
  g_socket_set_timeout(sock, 30);
  GSocketConnection *plain = g_socket_connection_factory_create_connection(sock);
  g_object_unref(sock);
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(plain), cert, error);
  if (tls == NULL) {
    g_object_unref(plain);
    return FALSE;
  }
  GTlsConnection *conn = G_TLS_CONNECTION(tls);
  g_tls_connection_set_database(conn, db);
  g_object_set(conn, "authentication-mode",
               s->require_client_cert ? G_TLS_AUTHENTICATION_REQUIRED : G_TLS_AUTHENTICATION_NONE, NULL);
  g_signal_connect(conn, "accept-certificate", G_CALLBACK(accept_client), NULL);
  if (s->auth != NEEDS_NOTHING) {
    char *path = dir_file(dir, s->auth == NEEDS_SRP ? "verifiers.db" : "keys.db");
    g_object_set(conn, s->auth == NEEDS_SRP ? "verifier-database-path" : "shared-key-database-path",
                 path, NULL);
    g_free(path);
  }
  gboolean ok = g_tls_connection_handshake(conn, NULL, error);
  char buf[256];
  gssize n = ok ? g_input_stream_read(g_io_stream_get_input_stream(tls), buf, sizeof buf, NULL, error) : -1;
  ok = ok && n > 0 &&
       g_output_stream_write_all(g_io_stream_get_output_stream(tls), buf, (gsize)n, NULL, NULL, error);
  if (ok && s->expect == EXPECT_ABRUPT) {
    /* No close_notify: the socket just closes under the TLS connection. */
    g_io_stream_close(G_IO_STREAM(plain), NULL, NULL);
  } else if (ok) {
    /* close_notify, then the client's: the client reads to a clean end. */
    g_io_stream_close(tls, NULL, NULL);
  }
  g_object_unref(tls);
  g_object_unref(plain);
  return ok;
}

static int run_server(const char *host, guint16 port, const char *dir)
{
  GError *error = NULL;
  char *f[6] = {dir_file(dir, "server-rsa.pem"), dir_file(dir, "server-rsa-key.pem"),
                dir_file(dir, "server-ecdsa.pem"), dir_file(dir, "server-ecdsa-key.pem"),
                dir_file(dir, "ca.pem"), NULL};
  GTlsCertificate *rsa = g_tls_certificate_new_from_files(f[0], f[1], &error);
  GTlsCertificate *ecdsa = rsa ? g_tls_certificate_new_from_files(f[2], f[3], &error) : NULL;
  GTlsDatabase *db = ecdsa ? g_tls_file_database_new(f[4], &error) : NULL;
  for (int i = 0; f[i]; i++)
    g_free(f[i]);
  if (db == NULL) {
    gt_err(_("%s (make the credentials with: gtls-tool testcreds %s)"), error->message, dir);
    g_error_free(error);
    g_clear_object(&rsa);
    g_clear_object(&ecdsa);
    return GT_EXIT_FAIL;
  }

  GInetAddress *addr = g_inet_address_new_from_string(host);
  if (addr == NULL) {
    gt_err(_("servertest listens on an IP address, not '%s'"), host);
    return GT_EXIT_FAIL;
  }
  GSocket *listener = g_socket_new(g_inet_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, &error);
  GSocketAddress *sa = g_inet_socket_address_new(addr, port);
  g_object_unref(addr);
  if (listener == NULL || !g_socket_bind(listener, sa, TRUE, &error) ||
      !g_socket_listen(listener, &error)) {
    g_object_unref(sa);
    gt_err("%s", error->message);
    return GT_EXIT_FAIL;
  }
  g_object_unref(sa);
  /* A client that never comes must not hang the test. */
  g_socket_set_timeout(listener, 60);
  GSocketAddress *local = g_socket_get_local_address(listener, NULL);
  fprintf(stderr, _("Listening on %s port %u\n"), host,
          g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local)));
  g_object_unref(local);

  GType type = server_conn_type();
  int failed = -1, skipped = 0, n = G_N_ELEMENTS(steps);
  for (int i = 0; i < n; i++) {
    const step *s = &steps[i];
    if (!step_supported(s, type)) {
      printf(_("%2d/%d %s: skipped (the '%s' backend cannot do it)\n"), i + 1, n, _(s->name),
             gt_backend_name());
      skipped++;
      continue;
    }
    apply_env(s, TRUE);
    GTlsCertificate *cert = s->server_cert == NULL ? NULL
                            : strcmp(s->server_cert, "ecdsa") == 0 ? ecdsa : rsa;
    gboolean ok = TRUE;
    char *why = NULL;
    for (int c = 0; c <= s->resume && ok; c++) {
      if (!serve_conn(listener, s, dir, cert, db, &error)) {
        ok = FALSE;
        why = g_strdup(error ? error->message : "?");
        /* Stop waiting for a client that is gone. */
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
          g_clear_error(&error);
          printf(_("%2d/%d %s: failed: no client came\n"), i + 1, n, _(s->name));
          failed = i;
          goto done;
        }
        g_clear_error(&error);
      }
    }
    gboolean good = (s->expect == EXPECT_FAIL) ? !ok : ok;
    if (good)
      printf(s->expect == EXPECT_FAIL ? _("%2d/%d %s: refused as expected\n") : _("%2d/%d %s: ok\n"),
             i + 1, n, _(s->name));
    else
      printf(_("%2d/%d %s: failed: %s\n"), i + 1, n, _(s->name),
             ok ? _("the connection should have failed") : why);
    fflush(stdout);
    g_free(why);
    if (!good && failed < 0)
      failed = i;
  }
done:
  g_object_unref(listener);
  g_object_unref(rsa);
  g_object_unref(ecdsa);
  g_object_unref(db);
  if (failed >= 0) {
    printf(_("Test failed at step %d: %s\n"), failed + 1, _(steps[failed].name));
    return GT_EXIT_FAIL;
  }
  if (skipped)
    printf(_("Test succeeded (%d steps skipped)\n"), skipped);
  else
    printf(_("Test succeeded\n"));
  return GT_EXIT_OK;
}

/* ---------------- client ---------------- */

static char *pin_of(const char *dir, const char *file)
{
  char *path = dir_file(dir, file), *data = NULL;
  gsize len = 0;
  char *out = NULL;
  if (g_file_get_contents(path, &data, &len, NULL)) {
    tc_error err = {.code = TC_ERR_NONE, .alert = -1};
    tc_cert **certs = NULL;
    size_t n = tc_certs_parse((const uint8_t *)data, len, &certs, &err);
    if (n > 0) {
      tc_pin pin;
      char text[TC_PIN_TEXT_MAX];
      tc_cert_pin(certs[0], TC_PIN_SPKI_SHA256, &pin);
      tc_pin_format(&pin, text);
      out = g_strdup(text);
    }
    for (size_t i = 0; i < n; i++)
      tc_cert_unref(certs[i]);
    free(certs);
  }
  g_free(data);
  g_free(path);
  return out;
}

static gboolean hex_bytes(const char *hex, GBytes **out)
{
  size_t n = strlen(hex);
  if (n == 0 || n % 2)
    return FALSE;
  guint8 *k = g_malloc(n / 2);
  for (size_t i = 0; i < n; i += 2) {
    int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      g_free(k);
      return FALSE;
    }
    k[i / 2] = (guint8)(hi * 16 + lo);
  }
  *out = g_bytes_new_take(k, n / 2);
  return TRUE;
}

/* One connection of a step; fills *resumed and *what. */
static gboolean client_conn(const char *host, guint16 port, const char *dir, const step *s,
                            gboolean *resumed, char **what, GError **error)
{
  GSocketClient *sc = g_socket_client_new();
  g_socket_client_set_timeout(sc, 30);
  GSocketConnection *plain = g_socket_client_connect_to_host(sc, host, port, NULL, error);
  g_object_unref(sc);
  if (plain == NULL)
    return FALSE;
  GSocketConnectable *id = g_network_address_new("localhost", port);
  GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(plain), id, error);
  g_object_unref(id);
  g_object_unref(plain);
  if (tls == NULL)
    return FALSE;
  GTlsConnection *conn = G_TLS_CONNECTION(tls);
  gboolean ok = FALSE;
  char *ca = dir_file(dir, s->wrong_ca ? "other-ca.pem" : "ca.pem");
  GTlsDatabase *db = g_tls_file_database_new(ca, error);
  g_free(ca);
  if (db == NULL)
    goto out;
  g_tls_connection_set_database(conn, db);
  g_object_unref(db);
  if (s->client_cert) {
    char *c = dir_file(dir, "client.pem"), *k = dir_file(dir, "client-key.pem");
    GTlsCertificate *cert = g_tls_certificate_new_from_files(c, k, error);
    g_free(c);
    g_free(k);
    if (cert == NULL)
      goto out;
    g_tls_connection_set_certificate(conn, cert);
    g_object_unref(cert);
  }
  if (s->pin != NULL) {
    char *pin = pin_of(dir, strcmp(s->pin, "wrong") == 0 ? "server-ecdsa.pem" : "server-rsa.pem");
    char *pins[] = {pin, NULL};
    g_object_set(conn, "pins", pins, "pin-only", strcmp(s->pin, "right-only") == 0, NULL);
    g_free(pin);
  }
  if (s->auth == NEEDS_SRP) {
    char *pw = s->srp_password ? g_strdup(s->srp_password) : read_secret(dir, "srp-password", error);
    if (pw == NULL)
      goto out;
    g_object_set(conn, "srp-username", s->srp_user, "srp-password", pw, NULL);
    g_free(pw);
  } else if (s->auth == NEEDS_PSK) {
    char *hex = s->psk_key ? g_strdup(s->psk_key) : read_secret(dir, "psk-key", error);
    GBytes *key = NULL;
    if (hex == NULL)
      goto out;
    gboolean good = hex_bytes(hex, &key);
    g_free(hex);
    if (!good) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("psk-key is not hex"));
      goto out;
    }
    g_object_set(conn, "psk-identity", "alice", "psk-key", key, NULL);
    g_bytes_unref(key);
  }
  if (!g_tls_connection_handshake(conn, NULL, error))
    goto out;
  *resumed = FALSE;
  if (gt_has_property(conn, "session-resumed"))
    g_object_get(conn, "session-resumed", resumed, NULL);
  char *suite = g_tls_connection_get_ciphersuite_name(conn);
  g_free(*what);
  *what = g_strdup_printf("%s, %s", gt_protocol_name(g_tls_connection_get_protocol_version(conn)),
                          suite ? suite : "?");
  g_free(suite);
  if (s->want_version != NULL && !g_str_has_prefix(*what, s->want_version)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("negotiated %s, not %s"), *what,
                s->want_version);
    goto out;
  }
  if (s->ciphers != NULL && strstr(*what, s->ciphers) == NULL) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("negotiated %s, not %s"), *what, s->ciphers);
    goto out;
  }
  /* A message there and back, then the server's close: clean (close_notify) or abrupt. */
  const char msg[] = "gtls-tool self-test\n";
  char buf[64];
  gsize got = 0;
  if (!g_output_stream_write_all(g_io_stream_get_output_stream(tls), msg, sizeof msg - 1, NULL,
                                 NULL, error) ||
      !g_input_stream_read_all(g_io_stream_get_input_stream(tls), buf, sizeof msg - 1, &got, NULL,
                               error))
    goto out;
  if (got != sizeof msg - 1 || memcmp(buf, msg, got) != 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the echo differs"));
    goto out;
  }
  gssize end = g_input_stream_read(g_io_stream_get_input_stream(tls), buf, sizeof buf, NULL, error);
  if (end != 0) {
    if (end > 0)
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("unexpected data after the echo"));
    goto out;
  }
  ok = TRUE;
out:
  g_io_stream_close(tls, NULL, NULL);
  g_object_unref(tls);
  return ok;
}

/* One step in this process: a fresh client session cache, so steps never resume each other. */
static int client_step(const char *host, guint16 port, const char *dir, int i)
{
  const step *s = &steps[i];
  int n = G_N_ELEMENTS(steps);
  GError *error = NULL;
  gboolean ok = TRUE, resumed = FALSE;
  char *what = NULL, *why = NULL;
  int n_resumed = 0;
  apply_env(s, FALSE);
  for (int c = 0; c <= s->resume && ok; c++) {
    ok = client_conn(host, port, dir, s, &resumed, &what, &error);
    if (!ok) {
      why = g_strdup(error->message);
      g_clear_error(&error);
    } else if (c > 0) {
      n_resumed += resumed;
    } else if (resumed) {
      ok = FALSE;
      why = g_strdup(_("the first connection resumed"));
    }
  }
  if (ok && s->resume > 0 && n_resumed != s->resume) {
    ok = FALSE;
    why = g_strdup_printf(_("%d of %d connections resumed"), n_resumed, s->resume);
  }
  gboolean good;
  if (s->expect == EXPECT_OK) {
    good = ok;
    if (good)
      printf(_("%2d/%d %s: ok (%s)\n"), i + 1, n, _(s->name), what);
  } else {
    /* Failure expected: the abrupt close must be an error, and so must a refused handshake. */
    good = !ok;
    if (good)
      printf(_("%2d/%d %s: refused as expected (%s)\n"), i + 1, n, _(s->name), why);
  }
  if (!good)
    printf(_("%2d/%d %s: failed: %s\n"), i + 1, n, _(s->name),
           ok ? _("the connection should have failed") : why);
  g_free(what);
  g_free(why);
  return good ? GT_EXIT_OK : GT_EXIT_FAIL;
}

static int run_client(const char *host, guint16 port, const char *dir, const char *self,
                      const gt_tls_options *tls)
{
  int n = G_N_ELEMENTS(steps), failed = -1, skipped = 0;
  char port_s[16];
  g_snprintf(port_s, sizeof port_s, "%u", port);
  char *target = strchr(host, ':') ? g_strdup_printf("[%s]:%s", host, port_s)
                                   : g_strdup_printf("%s:%s", host, port_s);
  /* The client side of the backend decides what is supported, like the server's. */
  GSocket *so = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  GSocketConnection *c = g_socket_connection_factory_create_connection(so);
  GIOStream *t = g_tls_client_connection_new(G_IO_STREAM(c), NULL, NULL);
  GType type = t ? G_OBJECT_TYPE(t) : G_TYPE_INVALID;
  g_clear_object(&t);
  g_object_unref(c);
  g_object_unref(so);

  gt_progress p;
  gt_progress_start(&p, _("Self-test"), (guint)n);
  for (int i = 0; i < n; i++) {
    if (type == G_TYPE_INVALID || !step_supported(&steps[i], type)) {
      gt_progress_hold(&p);
      printf(_("%2d/%d %s: skipped (the '%s' backend cannot do it)\n"), i + 1, n, _(steps[i].name),
             gt_backend_name());
      gt_progress_release(&p);
      skipped++;
      continue;
    }
    char step_s[16];
    g_snprintf(step_s, sizeof step_s, "%d", i);
    const char *argv[] = {self, "clienttest", target, dir, "--step", step_s,
                          "--backend", gt_backend_name(), NULL};
    char *out = NULL;
    int status = 0;
    GError *error = NULL;
    fflush(stdout);
    gboolean spawned = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                    NULL, &status, &error);
    /* The step's line replaces the progress line, which comes back below it. */
    gt_progress_hold(&p);
    if (!spawned) {
      printf(_("%2d/%d %s: failed: %s\n"), i + 1, n, _(steps[i].name), error->message);
      g_clear_error(&error);
      status = 1;
    } else {
      fputs(out, stdout);
      status = g_spawn_check_wait_status(status, NULL) ? 0 : 1;
    }
    g_free(out);
    fflush(stdout);
    gt_progress_release(&p);
    gt_progress_step(&p, (guint)i + 1);
    if (status != 0 && failed < 0)
      failed = i;
  }
  gt_progress_end(&p);
  g_free(target);
  (void)tls;
  if (failed >= 0) {
    printf(_("Test failed at step %d: %s\n"), failed + 1, _(steps[failed].name));
    return GT_EXIT_FAIL;
  }
  if (skipped)
    printf(_("Test succeeded (%d steps skipped)\n"), skipped);
  else
    printf(_("Test succeeded\n"));
  return GT_EXIT_OK;
}

static int selftest(int argc, char **argv, gboolean server)
{
  const char *cmd = server ? "servertest" : "clienttest";
  gt_tls_options tls = {0};
  int step_no = -1;
  GOptionEntry step_entry[] = {
    {"step", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &step_no, "one step (internal)", "N"},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(_("HOST:PORT DIR - TLS Lite's paired self-test"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  const GOptionEntry *all = gt_tls_option_entries(&tls);
  GOptionEntry backend_only[] = {all[0], G_OPTION_ENTRY_NULL};
  g_option_context_add_main_entries(ctx, backend_only, GETTEXT_PACKAGE);
  if (!server)
    g_option_context_add_main_entries(ctx, step_entry, GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Run 'gtls-tool servertest HOST:PORT DIR' and then 'gtls-tool clienttest HOST:PORT DIR'\n"
        "with the credentials of 'gtls-tool testcreds DIR'. The client walks through every mode\n"
        "(certificates, client certificates, SRP, shared keys, resumption, each version and\n"
        "cipher family, wrong passwords, pins and keys, close_notify and abrupt close); each\n"
        "side prints one line per step and ends with \"Test succeeded\" or the failed step."));
  int rc = GT_EXIT_USAGE;
  GError *error = NULL;
  char *host = NULL;
  guint16 port = 0;
  if (!gt_parse(ctx, cmd, &argc, &argv))
    goto out;
  if (argc != 3) {
    rc = gt_usage_error(cmd, "%s", argc < 3 ? _("HOST:PORT and DIR are needed") : _("too many arguments"));
    goto out;
  }
  if (!gt_parse_host_port(argv[1], &host, &port, &error)) {
    rc = gt_usage_error(cmd, "%s", error->message);
    goto out;
  }
  if (!server && port == 0) {
    rc = gt_usage_error(cmd, "%s", _("the client needs the server's port"));
    goto out;
  }
  if (step_no < -1 || step_no >= (int)G_N_ELEMENTS(steps)) {
    rc = gt_usage_error(cmd, "%s", _("no such step"));
    goto out;
  }
  if (!gt_tls_setup(&tls, &error)) {
    gt_err("%s", error->message);
    rc = GT_EXIT_FAIL;
    goto out;
  }
  /* GTlsFileDatabase wants absolute paths. */
  char *dir = g_canonicalize_filename(argv[2], NULL);
  if (server)
    rc = run_server(host, port, dir);
  else if (step_no >= 0)
    rc = client_step(host, port, dir, step_no);
  else {
    char *self = g_file_read_link("/proc/self/exe", NULL);
    rc = run_client(host, port, dir, self ? self : "gtls-tool", &tls);
    g_free(self);
  }
  g_free(dir);
out:
  g_clear_error(&error);
  g_free(host);
  g_option_context_free(ctx);
  gt_tls_options_clear(&tls);
  return rc;
}

int gt_cmd_servertest(int argc, char **argv)
{
  return selftest(argc, argv, TRUE);
}

int gt_cmd_clienttest(int argc, char **argv)
{
  return selftest(argc, argv, FALSE);
}

/* ---------------- testcreds ---------------- */

/* openssl(1) makes the certificates: GIO can read certificates but not issue them. */
static gboolean openssl(const char *dir, GError **error, ...)
{
  GPtrArray *a = g_ptr_array_new();
  g_ptr_array_add(a, (char *)"openssl");
  va_list ap;
  va_start(ap, error);
  for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
    g_ptr_array_add(a, (char *)s);
  va_end(ap);
  g_ptr_array_add(a, NULL);
  char *err = NULL;
  int status = 0;
  gboolean ok = g_spawn_sync(dir, (char **)a->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                             NULL, NULL, NULL, &err, &status, error) &&
                g_spawn_check_wait_status(status, error);
  if (!ok && err != NULL && *err && error && *error) {
    char *e = gt_escape(err, -1);
    g_prefix_error(error, "openssl %s: %s: ", (char *)a->pdata[1], e);
    g_free(e);
  }
  g_free(err);
  g_ptr_array_free(a, TRUE);
  return ok;
}

static gboolean make_certs(const char *dir, GError **error)
{
  const char *ca_ext[] = {"-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                          "keyUsage=critical,keyCertSign,cRLSign"};
  const char *san = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1";
  return openssl(dir, error, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem",
                 "-out", "ca.pem", "-days", "3650", "-subj", "/O=gtls-tool testcreds/CN=test CA",
                 ca_ext[0], ca_ext[1], ca_ext[2], ca_ext[3], NULL) &&
         openssl(dir, error, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 "other-ca-key.pem", "-out", "other-ca.pem", "-days", "3650", "-subj",
                 "/O=gtls-tool testcreds/CN=another CA", ca_ext[0], ca_ext[1], ca_ext[2], ca_ext[3],
                 NULL) &&
         openssl(dir, error, "req", "-x509", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-newkey",
                 "rsa:2048", "-nodes", "-keyout", "server-rsa-key.pem", "-out", "server-rsa.pem",
                 "-days", "3650", "-subj", "/O=gtls-tool testcreds/CN=localhost", "-addext", san,
                 "-addext", "extendedKeyUsage=serverAuth", NULL) &&
         openssl(dir, error, "req", "-x509", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server-ecdsa-key.pem",
                 "-out", "server-ecdsa.pem", "-days", "3650", "-subj",
                 "/O=gtls-tool testcreds/CN=localhost", "-addext", san, "-addext",
                 "extendedKeyUsage=serverAuth", NULL) &&
         openssl(dir, error, "req", "-x509", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-newkey",
                 "rsa:2048", "-nodes", "-keyout", "client-key.pem", "-out", "client.pem", "-days",
                 "3650", "-subj", "/O=gtls-tool testcreds/CN=client", "-addext",
                 "extendedKeyUsage=clientAuth", NULL);
}

static gboolean write_secret(const char *dir, const char *name, const char *text, GError **error)
{
  char *path = dir_file(dir, name);
  gboolean ok = g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  g_free(path);
  return ok;
}

int gt_cmd_testcreds(int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new(_("DIR - make the credentials of the self-test"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Makes DIR with a test CA and another CA, RSA and ECDSA server certificates for\n"
        "localhost, a client certificate (all through the openssl command), an SRP verifier\n"
        "database with alice (password in DIR/srp-password) and a shared-key database with\n"
        "alice (key in DIR/psk-key). Test credentials only: the keys are not protected."));
  int rc = GT_EXIT_USAGE;
  GError *error = NULL;
  if (!gt_parse(ctx, "testcreds", &argc, &argv))
    goto out;
  if (argc != 2) {
    rc = gt_usage_error("testcreds", "%s", argc < 2 ? _("DIR missing") : _("too many arguments"));
    goto out;
  }
  const char *dir = argv[1];
  rc = GT_EXIT_FAIL;
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    gt_err(_("cannot create %s: %s"), dir, g_strerror(errno));
    goto out;
  }
  if (!make_certs(dir, &error))
    goto fail;

  /* The databases, through the same store gtls-tool db and the server use. */
  uint8_t key[32], pw_raw[12];
  if (getrandom(key, sizeof key, 0) != sizeof key || getrandom(pw_raw, sizeof pw_raw, 0) != sizeof pw_raw) {
    g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("no randomness"));
    goto fail;
  }
  char *pw = g_base64_encode(pw_raw, sizeof pw_raw);
  GString *hex = g_string_new(NULL);
  for (size_t i = 0; i < sizeof key; i++)
    g_string_append_printf(hex, "%02x", key[i]);
  char *vpath = dir_file(dir, "verifiers.db"), *kpath = dir_file(dir, "keys.db");
  g_unlink(vpath);
  g_unlink(kpath);
  tc_error terr = {.code = TC_ERR_NONE, .alert = -1};
  tc_store *v = tc_store_open(vpath, TC_STORE_SRP, TC_STORE_CREATE, &terr);
  gboolean ok = v && tc_store_srp_add(v, "alice", (const uint8_t *)pw, strlen(pw), 2048, &terr) == TC_OK;
  if (v)
    tc_store_close(v);
  tc_store *k = ok ? tc_store_open(kpath, TC_STORE_PSK, TC_STORE_CREATE, &terr) : NULL;
  ok = ok && k && tc_store_psk_add(k, (const uint8_t *)"alice", 5, key, sizeof key, &terr) == TC_OK;
  if (k)
    tc_store_close(k);
  if (!ok)
    g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", terr.message);
  ok = ok && write_secret(dir, "srp-password", pw, &error) &&
       write_secret(dir, "psk-key", hex->str, &error);
  memset(key, 0, sizeof key);
  g_free(pw);
  g_string_free(hex, TRUE);
  g_free(vpath);
  g_free(kpath);
  if (!ok)
    goto fail;
  printf(_("Credentials for the self-test are in %s\n"), dir);
  rc = GT_EXIT_OK;
  goto out;
fail:
  gt_err("%s", error->message);
out:
  g_clear_error(&error);
  g_option_context_free(ctx);
  return rc;
}
