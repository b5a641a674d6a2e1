/* Through GIO, by property name only: certificate pins in both modes, and the last-alert properties after failures and closes. */
#include <gio/gio.h>
#include <string.h>

/* Pins of tests/data (known answers from OpenSSL, see tests/unit/test-pins.c). */
#define RSA_SPKI "sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU="
#define RSA_FPR                                                                                  \
  "36:29:2D:E4:A6:5C:BB:D6:E7:C3:D3:29:E2:EB:91:B4:24:93:C3:C7:4F:3A:CE:C2:36:23:8D:DC:D9:67:6A:" \
  "DD"
#define SELF_SPKI "sha256//ssANwCCTtqd4Z3VzzTSGwI5nAors1dIqkntmjN8G7tk="
#define SELF_FPR_PLAIN "c1181785317dcc96df9c4e2b11feae0198c4763c2461e29d9dc5310e01cb2cbe"

static gchar *
data_path (const char *name)
{
  return g_build_filename (TEST_DATA_DIR, name, NULL);
}

/* ---- a one-connection server on a thread ---- */

typedef struct
{
  GSocketListener *listener;
  guint16 port;
  GTlsCertificate *cert;
  GThread *thread;
  GError *error;          /* the server's handshake error */
  int alert_received;     /* last-alert-received-description after it */
  int alert_sent;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *srv = data;
  GSocketConnection *conn;
  GIOStream *tls;
  GError *error = NULL;

  conn = g_socket_listener_accept (srv->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_server_connection_new (G_IO_STREAM (conn), srv->cert, &error);
  g_assert_no_error (error);
  if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &srv->error))
    {
      /* a line (the client reads the TLS 1.3 tickets with it), then wait
       * for the client's close_notify */
      char buf[16];
      gssize n;

      g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (tls), "ok\n", 3,
                                                NULL, NULL, &error));
      g_assert_no_error (error);
      n = g_input_stream_read (g_io_stream_get_input_stream (tls), buf, sizeof buf, NULL, NULL);
      g_assert_cmpint (n, ==, 0);
    }
  g_object_get (tls, "last-alert-received-description", &srv->alert_received,
                "last-alert-sent-description", &srv->alert_sent, NULL);
  g_io_stream_close (tls, NULL, NULL);
  g_object_unref (tls);
  g_object_unref (conn);
  return NULL;
}

static void
server_start (Server *srv, const char *cert, const char *key)
{
  gchar *cf = data_path (cert), *kf = data_path (key);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound = NULL;
  GError *error = NULL;

  memset (srv, 0, sizeof *srv);
  srv->cert = g_tls_certificate_new_from_files (cf, kf, &error);
  g_assert_no_error (error);
  srv->listener = g_socket_listener_new ();
  g_socket_listener_add_address (srv->listener, addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  srv->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  srv->thread = g_thread_new ("pin-server", server_thread, srv);
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_free (cf);
  g_free (kf);
}

static void
server_join (Server *srv)
{
  g_thread_join (srv->thread);
  g_socket_listener_close (srv->listener);
  g_object_unref (srv->listener);
  g_object_unref (srv->cert);
}

/* ---- the client ---- */

static gboolean
accept_cb (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
           gpointer user_data)
{
  guint *calls = user_data;

  (*calls)++;
  return TRUE; /* an application that would accept anything */
}

typedef struct
{
  gboolean ok;
  GError *error;
  GTlsCertificateFlags peer_errors;
  guint accept_calls;
  int alert_sent, alert_received;
  gchar *alert_sent_name;
  gboolean boxed_sent;
} Result;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  g_free (r->alert_sent_name);
}

/* Connect to srv as "localhost", with the RSA test CA as the database
 * (NULL: the system default, which trusts none of the test CAs). */
static void
run_client_full (Server *srv, const char *ca, const char *const *pins, gboolean pin_only,
                 gboolean connect_accept, GTlsClientConnection *from,
                 GTlsClientConnection **keep, Result *r)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;
  GSocketConnectable *id = g_network_address_new ("localhost", srv->port);
  GIOStream *tls;
  GError *error = NULL;
  GParamSpec *pspec;
  gpointer boxed = NULL;

  memset (r, 0, sizeof *r);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", srv->port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn), id, &error);
  g_assert_no_error (error);
  if (ca)
    {
      gchar *path = data_path (ca);
      GTlsDatabase *db = g_tls_file_database_new (path, &error);

      g_assert_no_error (error);
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), db);
      g_object_unref (db);
      g_free (path);
    }
  /* Property names only: this program does not link the library. */
  g_object_set (tls, "pins", pins, "pin-only", pin_only, NULL);
  if (connect_accept)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_cb), &r->accept_calls);

  if (from)
    g_tls_client_connection_copy_session_state (G_TLS_CLIENT_CONNECTION (tls), from);

  r->ok = g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &r->error);
  r->peer_errors = g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls));
  if (r->ok)
    {
      char line[3];

      g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (tls), line, 3, NULL,
                                              NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (line, 3, "ok\n", 3);
      g_assert_true (g_io_stream_close (tls, NULL, &error));
      g_assert_no_error (error);
    }
  g_object_get (tls, "last-alert-sent-description", &r->alert_sent,
                "last-alert-received-description", &r->alert_received,
                "last-alert-sent-name", &r->alert_sent_name, "last-alert-sent", &boxed, NULL);
  /* The typed alert: a boxed TlsliteAlert, present exactly when a number is. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (tls), "last-alert-sent");
  g_assert_cmpstr (g_type_name (pspec->value_type), ==, "TlsliteAlert");
  r->boxed_sent = boxed != NULL;
  if (boxed)
    g_boxed_free (pspec->value_type, boxed);
  g_assert_cmpint (r->boxed_sent, ==, r->alert_sent >= 0);

  if (!r->ok)
    g_io_stream_close (tls, NULL, NULL);
  if (keep)
    *keep = G_TLS_CLIENT_CONNECTION (g_object_ref (tls));
  g_object_unref (tls);
  g_object_unref (conn);
  g_object_unref (id);
  g_object_unref (client);
}

static void
run_client (Server *srv, const char *ca, const char *const *pins, gboolean pin_only,
            gboolean connect_accept, Result *r)
{
  run_client_full (srv, ca, pins, pin_only, connect_accept, NULL, NULL, r);
}

/* pins set but not the mode: validation still happens, pins on top */

static void
test_pin_matches (void)
{
  const char *pins[] = { SELF_SPKI, RSA_SPKI, NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client (&srv, "ca-rsa.pem", pins, FALSE, TRUE, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.peer_errors, ==, 0);
  g_assert_cmpuint (r.accept_calls, ==, 0);
  /* a clean close: our close_notify, the server's in return */
  g_assert_cmpint (r.alert_sent, ==, 0);
  g_assert_cmpstr (r.alert_sent_name, ==, "close_notify");
  server_join (&srv);
  g_assert_no_error (srv.error);
  g_assert_cmpint (srv.alert_received, ==, 0);
  result_clear (&r);
}

static void
test_fingerprint_matches (void)
{
  const char *pins[] = { RSA_FPR, NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client (&srv, "ca-rsa.pem", pins, FALSE, FALSE, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  server_join (&srv);
  result_clear (&r);
}

/* A valid chain with the wrong pin: refused, and accept-certificate is not
 * asked (an application accepting everything cannot override a pin). */
static void
test_pin_mismatch (void)
{
  const char *pins[] = { SELF_SPKI, SELF_FPR_PLAIN, NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client (&srv, "ca-rsa.pem", pins, FALSE, TRUE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_test_message ("%s", r.error->message);
  /* names what was expected (canonical spelling) and what was seen */
  g_assert_nonnull (strstr (r.error->message, SELF_SPKI));
  g_assert_nonnull (strstr (r.error->message, "C1:18:17:85:31:7D:CC:96"));
  g_assert_nonnull (strstr (r.error->message, RSA_SPKI));
  g_assert_nonnull (strstr (r.error->message, RSA_FPR));
  g_assert_cmpuint (r.accept_calls, ==, 0);
  g_assert_cmpuint (r.peer_errors, ==, 0); /* the chain itself was fine */
  /* bad_certificate went out, and the server saw it */
  g_assert_cmpint (r.alert_sent, ==, 42);
  g_assert_cmpstr (r.alert_sent_name, ==, "bad_certificate");
  g_assert_cmpint (r.alert_received, ==, -1);
  server_join (&srv);
  g_assert_error (srv.error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
  g_assert_cmpint (srv.alert_received, ==, 42);
  g_assert_cmpint (srv.alert_sent, ==, -1);
  result_clear (&r);
}

/* Pins do not replace validation unless asked: a self-signed server with
 * the right pin is still an unknown CA. */
static void
test_pin_not_enough (void)
{
  const char *pins[] = { SELF_SPKI, NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-self.pem", "server-self-key.pem");
  run_client (&srv, "ca-rsa.pem", pins, FALSE, FALSE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_true (r.peer_errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpint (r.alert_sent, ==, 48); /* unknown_ca */
  server_join (&srv);
  g_assert_cmpint (srv.alert_received, ==, 48);
  result_clear (&r);
}

/* pin-only: the pin replaces validation (TLS Lite's Checker). */
static void
test_pin_only_self_signed (void)
{
  const char *spki[] = { SELF_SPKI, NULL }, *fpr[] = { SELF_FPR_PLAIN, NULL };
  const char *const *cases[] = { spki, fpr };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Server srv;
      Result r;

      server_start (&srv, "server-self.pem", "server-self-key.pem");
      /* the system default database: trusts nothing of ours */
      run_client (&srv, NULL, cases[i], TRUE, TRUE, &r);
      g_assert_no_error (r.error);
      g_assert_true (r.ok);
      /* validation's verdict stays visible, but did not decide */
      g_assert_true (r.peer_errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
      g_assert_cmpuint (r.accept_calls, ==, 0);
      server_join (&srv);
      g_assert_no_error (srv.error);
      result_clear (&r);
    }
}

static void
test_pin_only_mismatch (void)
{
  const char *pins[] = { RSA_SPKI, RSA_FPR, NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-self.pem", "server-self-key.pem");
  run_client (&srv, NULL, pins, TRUE, TRUE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (r.error->message, SELF_SPKI));
  g_assert_cmpuint (r.accept_calls, ==, 0);
  g_assert_cmpint (r.alert_sent, ==, 42);
  server_join (&srv);
  g_assert_cmpint (srv.alert_received, ==, 42);
  result_clear (&r);
}

/* pin-only without pins is ordinary validation. */
static void
test_pin_only_without_pins (void)
{
  Server srv;
  Result r;

  server_start (&srv, "server-self.pem", "server-self-key.pem");
  run_client (&srv, "ca-rsa.pem", NULL, TRUE, FALSE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  server_join (&srv);
  result_clear (&r);
}

/* A malformed pin fails the handshake before anything is sent, naming it. */
static void
test_bad_pin (void)
{
  const char *pins[] = { RSA_SPKI, "sha256//not-base64", NULL };
  Server srv;
  Result r;

  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client (&srv, "ca-rsa.pem", pins, FALSE, FALSE, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", r.error->message);
  g_assert_nonnull (strstr (r.error->message, "sha256//not-base64"));
  g_assert_nonnull (strstr (r.error->message, "bad base64"));
  g_assert_cmpint (r.alert_sent, ==, -1);
  server_join (&srv);
  g_assert_nonnull (srv.error); /* the client went away */
  result_clear (&r);
}

/* A session made without pins is not resumed by a pinned connection its
 * pins do not cover: the resumed handshake would show no certificate. */
static void
test_resumption (void)
{
  const char *wrong[] = { SELF_SPKI, NULL }, *right[] = { RSA_SPKI, NULL };
  GTlsClientConnection *first = NULL;
  Server srv;
  Result r;

  /* Unpinned, accepted by the application (the system database does not
   * know the test CA). */
  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client_full (&srv, NULL, NULL, FALSE, TRUE, NULL, &first, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.accept_calls, ==, 1);
  server_join (&srv);
  result_clear (&r);

  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client_full (&srv, NULL, wrong, TRUE, TRUE, first, NULL, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  server_join (&srv);
  result_clear (&r);

  /* Pins that cover the session's peer: resumed (no certificate, so no
   * accept-certificate either). */
  server_start (&srv, "server-rsa.pem", "server-rsa-key.pem");
  run_client_full (&srv, NULL, right, FALSE, TRUE, first, NULL, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.accept_calls, ==, 0);
  server_join (&srv);
  result_clear (&r);
  g_object_unref (first);
}

static void
test_properties (void)
{
  GIOStream *base, *tls;
  GSocketConnectable *id = g_network_address_new ("localhost", 443);
  GInputStream *in = g_memory_input_stream_new ();
  GOutputStream *out = g_memory_output_stream_new_resizable ();
  const char *pins[] = { RSA_SPKI, NULL };
  gchar **got = NULL;
  gboolean only = TRUE;
  int desc = 0;
  gchar *name = (gchar *) "x";
  GError *error = NULL;

  base = g_simple_io_stream_new (in, out);
  tls = g_tls_client_connection_new (base, id, &error);
  g_assert_no_error (error);
  g_object_get (tls, "pins", &got, "pin-only", &only, "last-alert-received-description", &desc,
                "last-alert-received-name", &name, NULL);
  g_assert_null (got);
  g_assert_false (only);
  g_assert_cmpint (desc, ==, -1);
  g_assert_null (name);
  g_object_set (tls, "pins", pins, "pin-only", TRUE, NULL);
  g_object_get (tls, "pins", &got, "pin-only", &only, NULL);
  g_assert_cmpstrv (got, pins);
  g_assert_true (only);
  g_strfreev (got);
  g_object_unref (tls);
  g_object_unref (base);
  g_object_unref (in);
  g_object_unref (out);
  g_object_unref (id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pinning/properties", test_properties);
  g_test_add_func ("/pinning/spki-matches", test_pin_matches);
  g_test_add_func ("/pinning/fingerprint-matches", test_fingerprint_matches);
  g_test_add_func ("/pinning/mismatch", test_pin_mismatch);
  g_test_add_func ("/pinning/pin-not-enough", test_pin_not_enough);
  g_test_add_func ("/pinning/pin-only-self-signed", test_pin_only_self_signed);
  g_test_add_func ("/pinning/pin-only-mismatch", test_pin_only_mismatch);
  g_test_add_func ("/pinning/pin-only-without-pins", test_pin_only_without_pins);
  g_test_add_func ("/pinning/bad-pin", test_bad_pin);
  g_test_add_func ("/pinning/resumption", test_resumption);
  return g_test_run ();
}
