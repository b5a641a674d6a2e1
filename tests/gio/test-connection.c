/* GIO-level TLS connection tests over loopback through the tlslite module (the behaviours glib-networking's connection.c checks, and more). */
#include <malloc.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "mock-interaction.h"
#include "relay.h"

#define MESSAGE "Lorem ipsum dolor sit amet\n"
#define MESSAGE_LEN 27

/* Set when run with G_TLS_TLSLITE_MAX_VERSION=tls1.2 (the TLS 1.2 rerun):
 * a few expectations differ by protocol version. */
static gboolean tls12;

typedef enum
{
  SERVER_WRITE_THEN_CLOSE,
  SERVER_WRITE_THEN_WAIT,
  SERVER_HANDSHAKE_ONLY
} ServerMode;

typedef struct
{
  GMainContext *ctx;
  GMainLoop *loop;

  GSocketService *service;
  GSocketAddress *address;
  GSocketConnectable *identity;

  /* server settings */
  ServerMode server_mode;
  GTlsAuthenticationMode auth_mode;
  GTlsCertificate *server_cert;
  GTlsDatabase *database;              /* used by both sides when set */
  const gchar *const *server_protocols;
  gboolean rehandshake;
  gulong accept_delay_us;
  GTlsCertificateFlags server_accept_flags;

  /* state */
  GIOStream *server_conn;
  GIOStream *client_conn;
  gboolean server_running;
  gboolean server_handshaked;
  GError *server_error;
  GError *read_error;
  gboolean ignore_close_error;
  guint accept_count;

  char buf[256];
  gssize nread, nwrote;
} Fx;

static const char *
data_path (const char *name)
{
  gchar *p = g_build_filename (TEST_DATA_DIR, name, NULL);
  const char *interned = g_intern_string (p);

  g_free (p);
  return interned;
}

static GTlsCertificate *
load_cert (const char *cert_file, const char *key_file)
{
  GError *error = NULL;
  GTlsCertificate *cert;

  if (key_file)
    cert = g_tls_certificate_new_from_files (data_path (cert_file), data_path (key_file), &error);
  else
    cert = g_tls_certificate_new_from_file (data_path (cert_file), &error);
  g_assert_no_error (error);
  g_assert_nonnull (cert);
  return cert;
}

static gchar *
read_data (const char *name)
{
  GError *error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (data_path (name), &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* A certificate with an explicit issuer (and optionally the key). */
static GTlsCertificate *
cert_with_issuer (const char *cert_file, const char *key_file, GTlsCertificate *issuer)
{
  GError *error = NULL;
  gchar *pem = read_data (cert_file);
  gchar *key = key_file ? read_data (key_file) : NULL;
  GTlsCertificate *cert;

  cert = g_initable_new (g_tls_backend_get_certificate_type (g_tls_backend_get_default ()), NULL, &error,
                         "certificate-pem", pem,
                         "private-key-pem", key,
                         "issuer", issuer,
                         NULL);
  g_assert_no_error (error);
  g_free (pem);
  g_free (key);
  return cert;
}

static GTlsDatabase *
load_database (const char *name)
{
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (data_path (name), &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

/* Runs the default main context for up to ~10 s until `cond` holds. */
#define SPIN_UNTIL(cond)                                               \
  G_STMT_START {                                                       \
    gint64 _end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;       \
    while (!(cond) && g_get_monotonic_time () < _end)                  \
      {                                                                \
        if (!g_main_context_iteration (fx->ctx, FALSE))                \
          g_usleep (1000);                                             \
      }                                                                \
    g_assert_true (cond);                                              \
  } G_STMT_END

static void
fx_setup (Fx *fx, gconstpointer data)
{
  fx->ctx = g_main_context_default ();
  fx->loop = g_main_loop_new (fx->ctx, FALSE);
  fx->auth_mode = G_TLS_AUTHENTICATION_NONE;
}

static void
wait_unreffed (Fx *fx, gpointer obj)
{
  SPIN_UNTIL (G_OBJECT (obj)->ref_count == 1);
}

static void
fx_teardown (Fx *fx, gconstpointer data)
{
  if (fx->service)
    {
      g_socket_service_stop (fx->service);
      g_socket_listener_close (G_SOCKET_LISTENER (fx->service));
      wait_unreffed (fx, fx->service);
      g_clear_object (&fx->service);
    }
  if (fx->server_conn)
    {
      SPIN_UNTIL (!fx->server_running);
      wait_unreffed (fx, fx->server_conn);
      g_clear_object (&fx->server_conn);
    }
  if (fx->client_conn)
    {
      wait_unreffed (fx, fx->client_conn);
      g_clear_object (&fx->client_conn);
    }
  if (fx->database)
    {
      wait_unreffed (fx, fx->database);
      g_clear_object (&fx->database);
    }
  g_clear_object (&fx->address);
  g_clear_object (&fx->identity);
  g_clear_object (&fx->server_cert);
  g_clear_error (&fx->server_error);
  g_clear_error (&fx->read_error);
  g_main_loop_unref (fx->loop);
}

/* ------------------------------------------------------------------ */
/* the server (GSocketService in this main loop)                       */

static void
server_closed_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;

  /* The client may have gone already; a failing close is fine here. */
  g_io_stream_close_finish (G_IO_STREAM (obj), res, NULL);
  fx->server_running = FALSE;
}

static void
server_close (Fx *fx)
{
  g_io_stream_close_async (fx->server_conn, G_PRIORITY_DEFAULT, NULL, server_closed_cb, fx);
}

static void server_write_done (GObject *obj, GAsyncResult *res, gpointer user_data);

static void
server_rehandshake_done (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  /* A second handshake is a no-op that succeeds, in TLS 1.2 and 1.3 alike
   * (GLib >= 2.64 semantics). */
  g_assert_true (g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &error));
  g_assert_no_error (error);
  g_output_stream_write_async (g_io_stream_get_output_stream (fx->server_conn),
                               MESSAGE + MESSAGE_LEN / 2, MESSAGE_LEN - MESSAGE_LEN / 2,
                               G_PRIORITY_DEFAULT, NULL, server_write_done, fx);
}

static void
server_write_done (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;

  g_assert_no_error (fx->server_error);
  g_output_stream_write_finish (G_OUTPUT_STREAM (obj), res, &fx->server_error);
  if (!fx->server_error)
    fx->server_handshaked = TRUE;

  if (!fx->server_error && fx->rehandshake)
    {
      fx->rehandshake = FALSE;
      g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->server_conn), G_PRIORITY_DEFAULT,
                                        NULL, server_rehandshake_done, fx);
      return;
    }
  if (fx->server_mode == SERVER_WRITE_THEN_CLOSE || fx->server_error)
    server_close (fx);
}

static void
server_handshake_done (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &fx->server_error);
  g_assert_no_error (fx->server_error);
  fx->server_handshaked = TRUE;
}

static gboolean
server_accept_cb (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                  gpointer user_data)
{
  Fx *fx = user_data;

  g_assert_true (G_IS_TLS_CERTIFICATE (cert));
  return errors == fx->server_accept_flags;
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  if (fx->accept_delay_us)
    g_usleep (fx->accept_delay_us);

  g_assert_null (fx->server_conn);
  fx->server_conn = g_tls_server_connection_new (G_IO_STREAM (connection), fx->server_cert, &error);
  g_assert_no_error (error);
  if (!fx->server_cert)
    {
      GTlsCertificate *cert = load_cert ("server-rsa.pem", "server-rsa-key.pem");

      g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->server_conn), cert);
      g_object_unref (cert);
    }
  g_object_set (fx->server_conn, "authentication-mode", fx->auth_mode, NULL);
  g_signal_connect (fx->server_conn, "accept-certificate", G_CALLBACK (server_accept_cb), fx);
  if (fx->database)
    g_tls_connection_set_database (G_TLS_CONNECTION (fx->server_conn), fx->database);
  if (fx->server_protocols)
    g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (fx->server_conn), fx->server_protocols);

  if (fx->server_mode == SERVER_HANDSHAKE_ONLY)
    g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->server_conn), G_PRIORITY_DEFAULT, NULL,
                                      server_handshake_done, fx);
  else
    g_output_stream_write_async (g_io_stream_get_output_stream (fx->server_conn), MESSAGE,
                                 fx->rehandshake ? MESSAGE_LEN / 2 : MESSAGE_LEN,
                                 G_PRIORITY_DEFAULT, NULL, server_write_done, fx);
  return FALSE;
}

static void
listen_loopback (Fx *fx)
{
  GError *error = NULL;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new (lo, 0);

  g_socket_listener_add_address (G_SOCKET_LISTENER (fx->service), any, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &fx->address, &error);
  g_assert_no_error (error);
  g_object_unref (any);
  g_object_unref (lo);
  /* The name in the server certificate, at the port we got. */
  fx->identity = g_network_address_new ("server.example.com",
                                        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (fx->address)));
  fx->server_running = TRUE;
}

static void
start_server (Fx *fx, ServerMode mode)
{
  fx->server_mode = mode;
  fx->service = g_socket_service_new ();
  listen_loopback (fx);
  g_signal_connect (fx->service, "incoming", G_CALLBACK (on_incoming), fx);
}

static GIOStream *
connect_tcp (Fx *fx, guint timeout)
{
  GError *error = NULL;
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, timeout);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (fx->address), NULL, &error);
  g_assert_no_error (error);
  g_object_unref (client);
  return G_IO_STREAM (conn);
}

/* A client connection to the server, with the fixture's database. */
static void
make_client (Fx *fx, GSocketConnectable *identity, GTlsCertificateFlags flags)
{
  GError *error = NULL;
  GIOStream *tcp = connect_tcp (fx, 0);

  fx->client_conn = g_tls_client_connection_new (tcp, identity, &error);
  g_assert_no_error (error);
  g_object_unref (tcp);
  if (fx->database)
    g_tls_connection_set_database (G_TLS_CONNECTION (fx->client_conn), fx->database);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_tls_client_connection_set_validation_flags (G_TLS_CLIENT_CONNECTION (fx->client_conn), flags);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* ------------------------------------------------------------------ */
/* the client reading one line, then closing                           */

static void
client_closed_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  g_io_stream_close_finish (G_IO_STREAM (obj), res, &error);
  if (!fx->ignore_close_error)
    g_assert_no_error (error);
  g_clear_error (&error);
  g_main_loop_quit (fx->loop);
}

static void
client_line_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  gchar *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (obj), res, NULL,
                                                      &fx->read_error);

  if (!fx->read_error)
    {
      g_assert_nonnull (line);
      g_assert_cmpstr (line, ==, "Lorem ipsum dolor sit amet");
    }
  g_free (line);
  g_io_stream_close_async (fx->client_conn, G_PRIORITY_DEFAULT, NULL, client_closed_cb, fx);
}

static void
client_line_only_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  gchar *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (obj), res, NULL,
                                                      &fx->read_error);

  if (!fx->read_error)
    g_assert_cmpstr (line, ==, "Lorem ipsum dolor sit amet");
  g_free (line);
  g_main_loop_quit (fx->loop);
}

/* Reads one line asynchronously (the server shares this main loop). */
static void
client_read_line (Fx *fx)
{
  GDataInputStream *in = g_data_input_stream_new (g_io_stream_get_input_stream (fx->client_conn));

  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, client_line_only_cb, fx);
  g_object_unref (in);
  g_main_loop_run (fx->loop);
}

static void
client_read_line_and_close (Fx *fx)
{
  GDataInputStream *in = g_data_input_stream_new (g_io_stream_get_input_stream (fx->client_conn));

  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, client_line_cb, fx);
  g_object_unref (in);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (!fx->server_running);
}

/* ------------------------------------------------------------------ */
/* basic and verified connections                                      */

static void
test_basic (Fx *fx, gconstpointer data)
{
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
}

static void
run_verified (Fx *fx)
{
  if (!fx->database)
    fx->database = load_database ("ca-bundle.pem");
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)), ==, 0);
  g_assert_nonnull (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->client_conn)));
}

static void
test_verified (Fx *fx, gconstpointer data)
{
  run_verified (fx);
}

static void
test_verified_chain (Fx *fx, gconstpointer data)
{
  GTlsCertificate *inter = load_cert ("int-rsa.pem", NULL);

  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", inter);
  g_object_unref (inter);
  run_verified (fx);
}

static void
test_verified_chain_redundant_root (Fx *fx, gconstpointer data)
{
  GTlsCertificate *root = load_cert ("ca-rsa.pem", NULL);
  GTlsCertificate *inter = cert_with_issuer ("int-rsa.pem", NULL, root);

  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", inter);
  g_object_unref (inter);
  g_object_unref (root);
  run_verified (fx);
}

static void
test_verified_chain_duplicate_server_cert (Fx *fx, gconstpointer data)
{
  GTlsCertificate *inter = load_cert ("int-rsa.pem", NULL);
  GTlsCertificate *leaf = cert_with_issuer ("server-int.pem", NULL, inter);

  /* The leaf is sent twice; the key goes on the first copy. */
  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", leaf);
  g_object_unref (leaf);
  g_object_unref (inter);
  run_verified (fx);
}

static void
test_verified_unordered_chain (Fx *fx, gconstpointer data)
{
  GTlsCertificate *inter = load_cert ("int-rsa.pem", NULL);
  GTlsCertificate *root = cert_with_issuer ("ca-rsa.pem", NULL, inter);

  /* leaf, root, intermediate */
  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", root);
  g_object_unref (root);
  g_object_unref (inter);
  run_verified (fx);
}

static void
test_verified_chain_alternative_ca (Fx *fx, gconstpointer data)
{
  /* ca-rsa-cross has ca-rsa's name and key but an untrusted issuer; the
   * path must end at the trusted ca-rsa instead. */
  GTlsCertificate *cross = load_cert ("ca-rsa-cross.pem", NULL);
  GTlsCertificate *inter = cert_with_issuer ("int-rsa.pem", NULL, cross);

  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", inter);
  g_object_unref (inter);
  g_object_unref (cross);
  run_verified (fx);
}

static void
test_invalid_chain_alternative_ca (Fx *fx, gconstpointer data)
{
  GTlsCertificate *cross = load_cert ("ca-rsa-cross.pem", NULL);

  /* Without the intermediate nothing links the leaf to a trusted key. */
  fx->server_cert = cert_with_issuer ("server-int.pem", "server-int-key.pem", cross);
  g_object_unref (cross);
  fx->database = load_database ("ca-bundle.pem");
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  /* Our client rejects with an alert the server reports. */
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
}

/* ------------------------------------------------------------------ */
/* client authentication                                               */

static void
notify_flag_cb (GObject *obj, GParamSpec *pspec, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
reset_for_next_client (Fx *fx)
{
  g_clear_object (&fx->client_conn);
  g_clear_object (&fx->server_conn);
  g_clear_error (&fx->read_error);
  g_clear_error (&fx->server_error);
  fx->server_running = TRUE;
}

static void
run_client_auth (Fx *fx)
{
  GTlsCertificate *cert, *peer;
  gboolean cas_notified = FALSE;
  GList *cas;

  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  cert = load_cert ("client-rsa.pem", "client-rsa-key.pem");
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_conn), cert);
  g_signal_connect (fx->client_conn, "notify::accepted-cas", G_CALLBACK (notify_flag_cb), &cas_notified);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);

  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server_conn));
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, cert));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->server_conn)), ==, 0);
  g_assert_true (cas_notified);
  /* accepted-cas: the server's anchors (ca-rsa, ca-ecdsa), a deep copy the
   * caller owns. */
  cas = g_tls_client_connection_get_accepted_cas (G_TLS_CLIENT_CONNECTION (fx->client_conn));
  g_assert_cmpuint (g_list_length (cas), ==, 2);
  {
    gchar *dn = NULL;
    gsize dn_len = 0;
    GByteArray *first = cas->data;

    g_assert_true (g_file_get_contents (data_path ("gio/ca-rsa-subject.der"), &dn, &dn_len, NULL));
    g_assert_cmpmem (first->data, first->len, dn, dn_len);
    g_free (dn);
  }
  g_list_free_full (cas, (GDestroyNotify) g_byte_array_unref);
  g_object_unref (cert);

  /* A second client with another certificate. */
  reset_for_next_client (fx);
  make_client (fx, fx->identity, 0);
  cert = load_cert ("client-ecdsa.pem", "client-ecdsa-key.pem");
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_conn), cert);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server_conn));
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, cert));
  g_object_unref (cert);
}

static void
test_client_auth (Fx *fx, gconstpointer data)
{
  run_client_auth (fx);
}

static void
test_client_auth_rehandshake (Fx *fx, gconstpointer data)
{
  fx->rehandshake = TRUE;
  run_client_auth (fx);
}

static void
test_client_auth_failure (Fx *fx, gconstpointer data)
{
  GTlsCertificate *cert, *peer;
  GTlsInteraction *interaction;
  gboolean cas_notified = FALSE;

  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "notify::accepted-cas", G_CALLBACK (notify_flag_cb), &cas_notified);
  fx->ignore_close_error = TRUE;
  client_read_line_and_close (fx);
  /* TLS 1.3: the client finishes first and learns of the refusal on read. */
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
  g_assert_true (cas_notified);

  /* Retrying with a certificate from the interaction must do a fresh,
   * successful handshake. */
  reset_for_next_client (fx);
  fx->ignore_close_error = FALSE;
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  cert = load_cert ("client-rsa.pem", "client-rsa-key.pem");
  interaction = mock_interaction_new_static_certificate (cert);
  g_tls_connection_set_interaction (G_TLS_CONNECTION (fx->client_conn), interaction);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpuint (mock_interaction_get_request_count (interaction), ==, 1);
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server_conn));
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, cert));
  g_object_unref (interaction);
  g_object_unref (cert);
}

static void
test_client_auth_missing_key (Fx *fx, gconstpointer data)
{
  GTlsCertificate *cert;

  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  /* Certificate without its key: the client gives up without a word. */
  cert = load_cert ("client-rsa.pem", NULL);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_conn), cert);
  g_object_unref (cert);
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
}

static void
test_client_auth_request_cert (Fx *fx, gconstpointer data)
{
  GTlsCertificate *cert, *peer;
  GTlsInteraction *interaction;
  gboolean cas_notified = FALSE;

  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  cert = load_cert ("client-rsa.pem", "client-rsa-key.pem");
  interaction = mock_interaction_new_static_certificate (cert);
  g_tls_connection_set_interaction (G_TLS_CONNECTION (fx->client_conn), interaction);
  g_signal_connect (fx->client_conn, "notify::accepted-cas", G_CALLBACK (notify_flag_cb), &cas_notified);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_true (cas_notified);
  g_assert_cmpuint (mock_interaction_get_request_count (interaction), ==, 1);
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server_conn));
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, cert));
  /* The interaction set it as the connection's own certificate. */
  g_assert_true (g_tls_connection_get_certificate (G_TLS_CONNECTION (fx->client_conn)) == cert);
  g_object_unref (interaction);
  g_object_unref (cert);
}

static void
test_client_auth_request_fail (Fx *fx, gconstpointer data)
{
  GTlsInteraction *interaction;

  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  interaction = mock_interaction_new_static_error (G_FILE_ERROR, G_FILE_ERROR_ACCES, "Request message");
  g_tls_connection_set_interaction (G_TLS_CONNECTION (fx->client_conn), interaction);
  g_object_unref (interaction);
  fx->ignore_close_error = TRUE;
  client_read_line_and_close (fx);
  /* The interaction's own error explains the failure best. */
  g_assert_error (fx->read_error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED);
}

static void
test_client_auth_server_decides (Fx *fx, gconstpointer data)
{
  GTlsCertificate *cert = load_cert ("client-rsa.pem", "client-rsa-key.pem");

  /* The server has only the default database, which does not know our CA:
   * its accept-certificate handler sees UNKNOWN_CA and refuses. */
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUIRED;
  fx->server_accept_flags = 0;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_conn), cert);
  fx->ignore_close_error = TRUE;
  client_read_line_and_close (fx);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  /* TLS 1.3: the client hears the refusal as an alert after its handshake;
   * TLS 1.2: during it. */
  g_assert_error (fx->read_error, G_TLS_ERROR, (tls12 ? G_TLS_ERROR_HANDSHAKE : G_TLS_ERROR_MISC));
  g_assert_nonnull (strstr (fx->read_error->message, "unknown_ca"));

  /* Same again, but the handler accepts exactly these errors. */
  g_socket_service_stop (fx->service);
  g_clear_object (&fx->service);
  g_clear_object (&fx->address);
  g_clear_object (&fx->identity);
  reset_for_next_client (fx);
  fx->ignore_close_error = FALSE;
  fx->server_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_conn), cert);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->server_conn)), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_object_unref (cert);
}

static void
test_client_auth_request_none (Fx *fx, gconstpointer data)
{
  fx->database = load_database ("ca-bundle.pem");
  fx->auth_mode = G_TLS_AUTHENTICATION_REQUESTED;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_null (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server_conn)));
}

/* ------------------------------------------------------------------ */
/* verification outcomes                                               */

static GTlsCertificateFlags expected_accept_flags;

static gboolean
client_accept_cb (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                  gpointer user_data)
{
  Fx *fx = user_data;

  fx->accept_count++;
  g_assert_true (G_IS_TLS_CERTIFICATE (cert));
  return errors == expected_accept_flags;
}

static void
test_no_database (Fx *fx, gconstpointer data)
{
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  /* Overrides the default database. */
  g_tls_connection_set_database (G_TLS_CONNECTION (fx->client_conn), NULL);
  g_assert_null (g_tls_connection_get_database (G_TLS_CONNECTION (fx->client_conn)));
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
}

static void
failed_handshake_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  g_assert_false (g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_main_loop_quit (fx->loop);
}

static void
test_failed (Fx *fx, gconstpointer data)
{
  GSocketConnectable *wrong = g_network_address_new ("wrong.example.com", 80);

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, wrong, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_object_unref (wrong);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                    failed_handshake_cb, fx);
  g_main_loop_run (fx->loop);
  /* The failure sticks: reading reports it again. */
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
}

static void
socket_client_done (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  fx->client_conn = G_IO_STREAM (g_socket_client_connect_finish (G_SOCKET_CLIENT (obj), res, &error));
  g_assert_no_error (error);
  g_main_loop_quit (fx->loop);
}

static GSocketClient *
tls_socket_client (guint timeout, gboolean lax)
{
  GSocketClient *client = g_socket_client_new ();

  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, timeout);
  if (lax)
    {
      /* The identity is the bare address, which the certificate does not
       * name; the default database does not hold our test CA. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      g_socket_client_set_tls_validation_flags (client, G_TLS_CERTIFICATE_VALIDATE_ALL &
                                                ~(G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY));
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  return client;
}

static void
test_socket_client (Fx *fx, gconstpointer data)
{
  GSocketClient *client = tls_socket_client (0, TRUE);
  GError *error = NULL;
  GIOStream *base;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (fx->address), NULL, socket_client_done, fx);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (!fx->server_running);

  g_assert_true (G_IS_TCP_WRAPPER_CONNECTION (fx->client_conn));
  base = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (fx->client_conn));
  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (base));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (base), ==, "GTlsClientConnectionTlslite");
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&fx->client_conn);
  g_object_unref (client);
}

static void
socket_client_failed_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  g_assert_null (g_socket_client_connect_finish (G_SOCKET_CLIENT (obj), res, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_main_loop_quit (fx->loop);
}

static void
test_socket_client_failed (Fx *fx, gconstpointer data)
{
  GSocketClient *client = tls_socket_client (0, FALSE);

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (fx->address), NULL,
                                 socket_client_failed_cb, fx);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (!fx->server_running);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
  g_object_unref (client);
}

static gboolean
timed_out_read_then_write (gpointer user_data)
{
  Fx *fx = user_data;
  GInputStream *in = g_io_stream_get_input_stream (fx->client_conn);
  GOutputStream *out = g_io_stream_get_output_stream (fx->client_conn);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read (in, fx->buf, MESSAGE_LEN, NULL, &error);
  if (n == MESSAGE_LEN)
    n = g_input_stream_read (in, fx->buf, MESSAGE_LEN, NULL, &error);
  /* The server sent one message and waits: the socket's 1 s timeout hits. */
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* A timeout is not fatal to the connection. */
  n = g_output_stream_write (out, MESSAGE, MESSAGE_LEN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, MESSAGE_LEN);
  g_main_loop_quit (fx->loop);
  return G_SOURCE_REMOVE;
}

static void
timed_out_connected (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  fx->client_conn = G_IO_STREAM (g_socket_client_connect_finish (G_SOCKET_CLIENT (obj), res, &error));
  g_assert_no_error (error);
  /* Read from an idle callback so the server's write gets to run first. */
  g_idle_add (timed_out_read_then_write, fx);
}

static void
test_read_time_out_then_write (Fx *fx, gconstpointer data)
{
  GSocketClient *client = tls_socket_client (1, TRUE);
  GError *error = NULL;

  start_server (fx, SERVER_WRITE_THEN_WAIT);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (fx->address), NULL, timed_out_connected, fx);
  g_main_loop_run (fx->loop);
  server_close (fx);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&fx->client_conn);
  g_object_unref (client);
}

/* ------------------------------------------------------------------ */
/* concurrent reads and writes against a threaded echo server          */

static void
echo_server_run (GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
                 gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;
  GTlsCertificate *cert = load_cert ("server-rsa.pem", "server-rsa-key.pem");
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (connection), cert, &error);
  GInputStream *in;
  GOutputStream *out;
  char buf[128];

  g_assert_no_error (error);
  g_object_unref (cert);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (tls);
  out = g_io_stream_get_output_stream (tls);
  fx->server_conn = tls;

  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);
      gsize written = 0;

      g_assert_no_error (error);
      if (n == 0)
        break;
      g_assert_true (g_output_stream_write_all (out, buf, n, &written, NULL, &error));
      g_assert_no_error (error);
      if (fx->rehandshake)
        {
          fx->rehandshake = FALSE;
          g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
          g_assert_no_error (error);
        }
    }
  g_assert_true (g_io_stream_close (tls, NULL, &error));
  g_assert_no_error (error);
  fx->server_running = FALSE;
}

static void
start_echo_client (Fx *fx)
{
  fx->service = g_threaded_socket_service_new (5);
  listen_loopback (fx);
  g_signal_connect (fx->service, "run", G_CALLBACK (echo_server_run), fx);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL &
               ~(G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY));
}

static void simul_read_cb (GObject *obj, GAsyncResult *res, gpointer user_data);

static void
simul_read_more (Fx *fx)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (fx->client_conn), fx->buf + fx->nread,
                             MIN (MESSAGE_LEN / 2, MESSAGE_LEN - fx->nread), G_PRIORITY_DEFAULT, NULL,
                             simul_read_cb, fx);
}

static void
simul_read_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (obj), res, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  fx->nread += n;
  if (fx->nread < MESSAGE_LEN)
    simul_read_more (fx);
  else
    g_main_loop_quit (fx->loop);
}

static void simul_write_cb (GObject *obj, GAsyncResult *res, gpointer user_data);

static void
simul_write_more (Fx *fx)
{
  g_output_stream_write_async (g_io_stream_get_output_stream (fx->client_conn), MESSAGE + fx->nwrote,
                               MIN (MESSAGE_LEN / 2, MESSAGE_LEN - fx->nwrote), G_PRIORITY_DEFAULT, NULL,
                               simul_write_cb, fx);
}

static void
simul_write_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (obj), res, &error);

  g_assert_no_error (error);
  fx->nwrote += n;
  if (fx->nwrote < MESSAGE_LEN)
    simul_write_more (fx);
}

static void
run_simultaneous_async (Fx *fx)
{
  GError *error = NULL;

  start_echo_client (fx);
  /* Both start before any handshake: one of them drives it. */
  simul_read_more (fx);
  simul_write_more (fx);
  g_main_loop_run (fx->loop);
  g_assert_cmpint (fx->nread, ==, MESSAGE_LEN);
  g_assert_cmpint (fx->nwrote, ==, MESSAGE_LEN);
  g_assert_cmpmem (fx->buf, MESSAGE_LEN, MESSAGE, MESSAGE_LEN);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  SPIN_UNTIL (!fx->server_running);
}

static void
test_simultaneous_async (Fx *fx, gconstpointer data)
{
  run_simultaneous_async (fx);
}

static void
test_simultaneous_async_rehandshake (Fx *fx, gconstpointer data)
{
  fx->rehandshake = TRUE;
  run_simultaneous_async (fx);
}

static gpointer
simul_reader (gpointer user_data)
{
  Fx *fx = user_data;
  GInputStream *in = g_io_stream_get_input_stream (fx->client_conn);

  while (fx->nread < MESSAGE_LEN)
    {
      GError *error = NULL;
      gssize n = g_input_stream_read (in, fx->buf + fx->nread, MIN (MESSAGE_LEN / 2, MESSAGE_LEN - fx->nread),
                                      NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      fx->nread += n;
    }
  return NULL;
}

static gpointer
simul_writer (gpointer user_data)
{
  Fx *fx = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (fx->client_conn);

  while (fx->nwrote < MESSAGE_LEN)
    {
      GError *error = NULL;
      gssize n = g_output_stream_write (out, MESSAGE + fx->nwrote, MIN (MESSAGE_LEN / 2, MESSAGE_LEN - fx->nwrote),
                                        NULL, &error);

      g_assert_no_error (error);
      fx->nwrote += n;
    }
  return NULL;
}

static void
run_simultaneous_sync (Fx *fx)
{
  GError *error = NULL;
  GThread *reader, *writer;

  start_echo_client (fx);
  reader = g_thread_new ("reader", simul_reader, fx);
  writer = g_thread_new ("writer", simul_writer, fx);
  /* The threaded service needs the main loop to accept. */
  SPIN_UNTIL (fx->server_conn != NULL);
  g_thread_join (writer);
  g_thread_join (reader);
  g_assert_cmpint (fx->nread, ==, MESSAGE_LEN);
  g_assert_cmpint (fx->nwrote, ==, MESSAGE_LEN);
  g_assert_cmpmem (fx->buf, MESSAGE_LEN, MESSAGE, MESSAGE_LEN);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  SPIN_UNTIL (!fx->server_running);
}

static void
test_simultaneous_sync (Fx *fx, gconstpointer data)
{
  run_simultaneous_sync (fx);
}

static void
test_simultaneous_sync_rehandshake (Fx *fx, gconstpointer data)
{
  fx->rehandshake = TRUE;
  run_simultaneous_sync (fx);
}

/* ------------------------------------------------------------------ */
/* closing                                                             */

static void
test_close_immediately (Fx *fx, gconstpointer data)
{
  GError *error = NULL;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  /* The server never ran: closing must not wait for a handshake. */
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_PROTOCOL_VERSION_UNKNOWN);
}

static void
close_server_without_notify (Fx *fx)
{
  GIOStream *base = NULL;
  GError *error = NULL;

  g_object_get (fx->server_conn, "base-io-stream", &base, NULL);
  g_assert_true (g_io_stream_close (base, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (base);
  fx->server_running = FALSE;
}

static void
test_unclean_close_by_server (Fx *fx, gconstpointer data)
{
  GSocketClient *client = tls_socket_client (0, TRUE);
  GTlsConnection *tls;
  GError *error = NULL;
  gssize n;

  start_server (fx, SERVER_HANDSHAKE_ONLY);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (fx->address), NULL, socket_client_done, fx);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (fx->server_handshaked);
  close_server_without_notify (fx);

  /* Truncation is reported when close_notify is required (the default). */
  tls = G_TLS_CONNECTION (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (fx->client_conn)));
  g_assert_true (g_tls_connection_get_require_close_notify (tls));
  n = g_input_stream_read (g_io_stream_get_input_stream (fx->client_conn), fx->buf, sizeof fx->buf, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_EOF);
  g_clear_error (&error);

  /* Again, with require-close-notify off: a plain EOF. */
  g_socket_service_stop (fx->service);
  g_clear_object (&fx->service);
  g_clear_object (&fx->address);
  g_clear_object (&fx->identity);
  g_clear_object (&fx->server_conn);
  g_clear_object (&fx->client_conn);
  fx->server_handshaked = FALSE;
  start_server (fx, SERVER_HANDSHAKE_ONLY);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (fx->address), NULL, socket_client_done, fx);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (fx->server_handshaked);
  close_server_without_notify (fx);
  tls = G_TLS_CONNECTION (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (fx->client_conn)));
  g_tls_connection_set_require_close_notify (tls, FALSE);
  n = g_input_stream_read (g_io_stream_get_input_stream (fx->client_conn), fx->buf, sizeof fx->buf, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  g_object_unref (client);
}

static Fx *read_all_fx;

static void
read_all_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  GError *error = NULL;
  gsize n = 0;

  g_assert_true (g_input_stream_read_all_finish (G_INPUT_STREAM (obj), res, &n, &error));
  g_assert_no_error (error);
  read_all_fx->nread = n;
  *(gboolean *) user_data = TRUE;
}

static void
test_clean_close_by_server (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  gsize total = 0;
  gboolean done = FALSE;

  /* After close_notify, reads end with 0 even with require-close-notify:
   * read_all stops only at EOF here. */
  read_all_fx = fx;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (fx->client_conn), fx->buf, sizeof fx->buf,
                                 G_PRIORITY_DEFAULT, NULL, read_all_cb, &done);
  SPIN_UNTIL (done);
  total = fx->nread;
  g_assert_cmpmem (fx->buf, total, MESSAGE, MESSAGE_LEN);
  SPIN_UNTIL (!fx->server_running);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
implicit_handshake_dispatch (GPollableInputStream *stream, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;
  gssize n = g_pollable_input_stream_read_nonblocking (stream, fx->buf, MESSAGE_LEN, NULL, &error);

  if (n == -1)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      g_clear_error (&error);
      fx->accept_count++;   /* counts the wake-ups */
      return G_SOURCE_CONTINUE;
    }
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, MESSAGE_LEN);
  g_main_loop_quit (fx->loop);
  return G_SOURCE_REMOVE;
}

static void
test_async_implicit_handshake (Fx *fx, gconstpointer data)
{
  GInputStream *in;
  GSource *source;
  GError *error = NULL;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL &
               ~(G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY));
  in = g_io_stream_get_input_stream (fx->client_conn);
  g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)));
  source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) implicit_handshake_dispatch, fx, NULL);
  g_source_attach (source, NULL);
  g_source_unref (source);
  g_main_loop_run (fx->loop);
  SPIN_UNTIL (!fx->server_running);
  /* The handshake waited on the network, not in a busy loop. */
  g_assert_cmpuint (fx->accept_count, <, 50);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
}

static void
handshake_flag_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  GError *error = NULL;

  g_assert_true (g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_output_stream_close (Fx *fx, gconstpointer data)
{
  GOutputStream *out;
  GError *error = NULL;
  gboolean done = FALSE;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                    handshake_flag_cb, &done);
  SPIN_UNTIL (done);

  out = g_io_stream_get_output_stream (fx->client_conn);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_output_stream_write (out, "data", 4, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  /* Only the write side is closed. */
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
}

static void
test_garbage_database (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (data_path ("gio/garbage.bin"), &error);

  g_assert_null (db);
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_TLS_ERROR);
  g_clear_error (&error);

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_tls_connection_set_database (G_TLS_CONNECTION (fx->client_conn), NULL);
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
}

static void
test_readwrite_after_destroy (Fx *fx, gconstpointer data)
{
  GInputStream *in;
  GOutputStream *out;
  GError *error = NULL;
  GSource *source;
  char b[1];

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  in = g_object_ref (g_io_stream_get_input_stream (fx->client_conn));
  out = g_object_ref (g_io_stream_get_output_stream (fx->client_conn));
  g_clear_object (&fx->client_conn);

  g_assert_cmpint (g_input_stream_read (in, b, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_output_stream_write (out, MESSAGE, MESSAGE_LEN, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), b, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_true (g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in)));
  source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (out), NULL);
  g_source_unref (source);

  g_assert_true (g_input_stream_close (in, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (in);
  g_object_unref (out);
  /* The server saw the client vanish mid-handshake. */
  SPIN_UNTIL (!fx->server_running);
}

static void
test_close_async (Fx *fx, gconstpointer data)
{
  /* client_read_line_and_close closes asynchronously; check the base
   * stream really got closed. */
  GIOStream *base = NULL;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_object_get (fx->client_conn, "base-io-stream", &base, NULL);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_true (g_io_stream_is_closed (fx->client_conn));
  g_assert_true (g_io_stream_is_closed (base));
  g_object_unref (base);
}

/* ------------------------------------------------------------------ */
/* ALPN                                                                */

static void
run_alpn (Fx *fx, const char *const *client_protocols, const char *const *server_protocols,
          const char *expected)
{
  gchar **advertised = NULL;

  fx->server_protocols = server_protocols;
  fx->database = load_database ("ca-bundle.pem");
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  if (client_protocols)
    g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (fx->client_conn), client_protocols);
  g_object_get (fx->client_conn, "advertised-protocols", &advertised, NULL);
  g_assert_cmpint (advertised ? g_strv_length (advertised) : 0, ==,
                   client_protocols ? g_strv_length ((gchar **) client_protocols) : 0);
  g_strfreev (advertised);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpstr (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (fx->server_conn)), ==, expected);
  g_assert_cmpstr (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (fx->client_conn)), ==, expected);
}

static const char *const alpn_client[] = { "one", "two", "three", NULL };
static const char *const alpn_server[] = { "four", "seven", "nine", "two", NULL };
static const char *const alpn_server_other[] = { "four", "seven", "nine", NULL };

static void
test_alpn_match (Fx *fx, gconstpointer data)
{
  run_alpn (fx, alpn_client, alpn_server, "two");
}

static void
test_alpn_no_match (Fx *fx, gconstpointer data)
{
  run_alpn (fx, alpn_client, alpn_server_other, NULL);
}

static void
test_alpn_client_only (Fx *fx, gconstpointer data)
{
  run_alpn (fx, alpn_client, NULL, NULL);
}

static void
test_alpn_server_only (Fx *fx, gconstpointer data)
{
  run_alpn (fx, NULL, alpn_server, NULL);
}

/* ------------------------------------------------------------------ */
/* handshake corner cases                                              */

static gboolean
accept_with_sync_close (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                        gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  /* A blocking operation here would wait for this very handshake. */
  g_assert_false (g_io_stream_close (G_IO_STREAM (conn), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  fx->accept_count++;
  return TRUE;
}

static void
test_sync_op_during_handshake (Fx *fx, gconstpointer data)
{
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (accept_with_sync_close), fx);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);
}

static void
test_socket_timeout (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  GIOStream *tcp;

  fx->accept_delay_us = 1500 * 1000;
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  tcp = connect_tcp (fx, 1);
  fx->client_conn = g_tls_client_connection_new (tcp, fx->identity, &error);
  g_assert_no_error (error);
  g_object_unref (tcp);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_tls_client_connection_set_validation_flags (G_TLS_CLIENT_CONNECTION (fx->client_conn), 0);
  G_GNUC_END_IGNORE_DEPRECATIONS
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
}

static void
test_missing_server_identity (Fx *fx, gconstpointer data)
{
  fx->database = load_database ("ca-bundle.pem");
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, NULL, G_TLS_CERTIFICATE_VALIDATE_ALL);
  client_read_line_and_close (fx);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_CERTIFICATE_BAD_IDENTITY);

  /* Once BAD_IDENTITY is not checked, the same server is fine. */
  g_socket_service_stop (fx->service);
  g_clear_object (&fx->service);
  g_clear_object (&fx->address);
  g_clear_object (&fx->identity);
  reset_for_next_client (fx);
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, NULL, G_TLS_CERTIFICATE_VALIDATE_ALL & ~G_TLS_CERTIFICATE_BAD_IDENTITY);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
}

typedef struct
{
  Fx *fx;
  gboolean cert_notified, errors_notified;
} NotifyData;

static gboolean
accept_checks_props (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                     NotifyData *nd)
{
  /* Not set (nor notified) until after accept-certificate. */
  g_assert_null (g_tls_connection_get_peer_certificate (conn));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (conn), ==, 0);
  g_assert_false (nd->cert_notified);
  g_assert_false (nd->errors_notified);
  nd->fx->accept_count++;
  return FALSE;
}

static void
test_peer_certificate_notify (Fx *fx, gconstpointer data)
{
  NotifyData nd = { fx, FALSE, FALSE };

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (accept_checks_props), &nd);
  g_signal_connect (fx->client_conn, "notify::peer-certificate", G_CALLBACK (notify_flag_cb), &nd.cert_notified);
  g_signal_connect (fx->client_conn, "notify::peer-certificate-errors", G_CALLBACK (notify_flag_cb),
                    &nd.errors_notified);
  client_read_line_and_close (fx);
  g_assert_cmpuint (fx->accept_count, ==, 1);
  g_assert_true (nd.cert_notified);
  g_assert_true (nd.errors_notified);
  g_assert_true (G_IS_TLS_CERTIFICATE (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->client_conn))));
  /* The default (system) database does not know our test CA. */
  g_assert_true (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)) &
                 G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
}

/* ------------------------------------------------------------------ */
/* channel bindings and connection info                                */

static void
start_binding_pair (Fx *fx)
{
  GError *error = NULL;

  fx->database = load_database ("ca-bundle.pem");
  start_server (fx, SERVER_WRITE_THEN_WAIT);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  /* Not yet available before the handshake. */
  g_assert_false (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                             G_TLS_CHANNEL_BINDING_TLS_EXPORTER, NULL, &error));
  g_assert_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_INVALID_STATE);
  g_clear_error (&error);
  client_read_line (fx);
  g_assert_no_error (fx->read_error);
  SPIN_UNTIL (fx->server_handshaked);
}

static void
finish_binding_pair (Fx *fx)
{
  GError *error = NULL;

  server_close (fx);
  SPIN_UNTIL (!fx->server_running);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  g_assert_no_error (fx->server_error);
}

static void
test_binding_tls_unique (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  GByteArray *cb = g_byte_array_new ();

  start_binding_pair (fx);
  if (tls12)
    {
      GByteArray *scb = g_byte_array_new ();

      /* RFC 5929: the first Finished message, the same on both ends. */
      g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                       G_TLS_PROTOCOL_VERSION_TLS_1_2);
      g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                                G_TLS_CHANNEL_BINDING_TLS_UNIQUE, cb, &error));
      g_assert_no_error (error);
      g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->server_conn),
                                                                G_TLS_CHANNEL_BINDING_TLS_UNIQUE, scb, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (cb->len, ==, 12);
      g_assert_cmpmem (cb->data, cb->len, scb->data, scb->len);
      g_byte_array_unref (scb);
      g_byte_array_unref (cb);
      finish_binding_pair (fx);
      return;
    }
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_PROTOCOL_VERSION_TLS_1_3);
  /* RFC 9266: tls-unique does not exist for TLS 1.3. */
  g_assert_false (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                             G_TLS_CHANNEL_BINDING_TLS_UNIQUE, cb, &error));
  g_assert_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_false (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->server_conn),
                                                             G_TLS_CHANNEL_BINDING_TLS_UNIQUE, NULL, &error));
  g_assert_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_byte_array_unref (cb);
  finish_binding_pair (fx);
}

static void
test_binding_tls_server_end_point (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  GByteArray *ccb = g_byte_array_new (), *scb = g_byte_array_new ();
  GTlsCertificate *cert = load_cert ("server-rsa.pem", NULL);
  GByteArray *der = NULL;
  guint8 digest[32];
  gsize dlen = sizeof digest;
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);

  start_binding_pair (fx);
  g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                            G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT, ccb, &error));
  g_assert_no_error (error);
  g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->server_conn),
                                                            G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT, scb, &error));
  g_assert_no_error (error);

  /* RFC 5929: the hash of the server certificate (SHA-256 here). */
  g_object_get (cert, "certificate", &der, NULL);
  g_checksum_update (sum, der->data, der->len);
  g_checksum_get_digest (sum, digest, &dlen);
  g_assert_cmpmem (ccb->data, ccb->len, digest, dlen);
  g_assert_cmpmem (scb->data, scb->len, digest, dlen);

  g_checksum_free (sum);
  g_byte_array_unref (der);
  g_object_unref (cert);
  g_byte_array_unref (ccb);
  g_byte_array_unref (scb);
  finish_binding_pair (fx);
}

static void
test_binding_tls_exporter (Fx *fx, gconstpointer data)
{
  GError *error = NULL;
  GByteArray *ccb = g_byte_array_new (), *scb = g_byte_array_new ();

  start_binding_pair (fx);
  g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                            G_TLS_CHANNEL_BINDING_TLS_EXPORTER, NULL, &error));
  g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->client_conn),
                                                            G_TLS_CHANNEL_BINDING_TLS_EXPORTER, ccb, &error));
  g_assert_no_error (error);
  g_assert_true (g_tls_connection_get_channel_binding_data (G_TLS_CONNECTION (fx->server_conn),
                                                            G_TLS_CHANNEL_BINDING_TLS_EXPORTER, scb, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ccb->len, ==, 32);
  g_assert_cmpmem (ccb->data, ccb->len, scb->data, scb->len);
  g_byte_array_unref (ccb);
  g_byte_array_unref (scb);
  finish_binding_pair (fx);
}

static void
notify_count_cb (GObject *obj, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* The seed's versions through GIO: off by default, on when the settings
 * (here the module's G_TLS_TLSLITE_MIN/MAX_VERSION knobs, read when a
 * connection starts its handshake) lower the minimum. */
static void
test_old_versions (Fx *fx, gconstpointer data)
{
  static const struct
  {
    const char *name;
    GTlsProtocolVersion version;
  } vs[] = {
    {"ssl3.0", G_TLS_PROTOCOL_VERSION_SSL_3_0},
    {"tls1.0", G_TLS_PROTOCOL_VERSION_TLS_1_0},
    {"tls1.1", G_TLS_PROTOCOL_VERSION_TLS_1_1},
  };
  gchar *old_min = g_strdup (g_getenv ("G_TLS_TLSLITE_MIN_VERSION"));
  gchar *old_max = g_strdup (g_getenv ("G_TLS_TLSLITE_MAX_VERSION"));
  guint i;

  for (i = 0; i < G_N_ELEMENTS (vs); i++)
    {
      gchar *suite;

      g_setenv ("G_TLS_TLSLITE_MIN_VERSION", vs[i].name, TRUE);
      g_setenv ("G_TLS_TLSLITE_MAX_VERSION", vs[i].name, TRUE);
      start_server (fx, SERVER_WRITE_THEN_CLOSE);
      make_client (fx, fx->identity, 0);
      client_read_line_and_close (fx);
      g_assert_no_error (fx->read_error);
      g_assert_no_error (fx->server_error);
      g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                       vs[i].version);
      g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->server_conn)), ==,
                       vs[i].version);
      suite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (fx->client_conn));
      /* No AEAD suites before TLS 1.2: CBC (or RC4/3DES, never by default). */
      g_assert_nonnull (strstr (suite, "_CBC_"));
      g_free (suite);
      fx_teardown (fx, data);
      fx_setup (fx, data);
    }

  if (old_min)
    g_setenv ("G_TLS_TLSLITE_MIN_VERSION", old_min, TRUE);
  else
    g_unsetenv ("G_TLS_TLSLITE_MIN_VERSION");
  if (old_max)
    g_setenv ("G_TLS_TLSLITE_MAX_VERSION", old_max, TRUE);
  else
    g_unsetenv ("G_TLS_TLSLITE_MAX_VERSION");
  g_free (old_min);
  g_free (old_max);
}

static void
test_tls_info (Fx *fx, gconstpointer data)
{
  gchar *suite;
  guint notified = 0;
  GTlsProtocolVersion version = 0;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_PROTOCOL_VERSION_UNKNOWN);
  g_assert_null (g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (fx->client_conn)));
  g_signal_connect (fx->client_conn, "notify::protocol-version", G_CALLBACK (notify_count_cb), &notified);
  g_signal_connect (fx->client_conn, "notify::ciphersuite-name", G_CALLBACK (notify_count_cb), &notified);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);

  g_assert_cmpuint (notified, ==, 2);
  g_object_get (fx->client_conn, "protocol-version", &version, NULL);
  g_assert_cmpint (version, ==, tls12 ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->server_conn)), ==, version);
  suite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (fx->client_conn));
  if (tls12)
    /* An IANA TLS 1.2 name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
    g_assert_true (g_str_has_prefix (suite, "TLS_ECDHE_RSA_WITH_") || g_str_has_prefix (suite, "TLS_DHE_RSA_WITH_") ||
                   g_str_has_prefix (suite, "TLS_RSA_WITH_"));
  else
    g_assert_cmpstr (suite, ==, "TLS_AES_128_GCM_SHA256");
  {
    gchar *server_suite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (fx->server_conn));

    g_assert_cmpstr (server_suite, ==, suite);
    g_free (server_suite);
  }
  g_free (suite);
}

static void
second_handshake_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;
  GError *error = NULL;

  g_assert_true (g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &error));
  g_assert_no_error (error);
  g_main_loop_quit (fx->loop);
}

/* A second g_tls_connection_handshake() (sync, then async) on an established
 * client connection succeeds and changes nothing: same version, suite and
 * peer certificate, and not one byte reaches the server (no renegotiation,
 * no KeyUpdate), in TLS 1.3 and in the TLS 1.2 rerun alike. */
static void
test_second_handshake_noop (Fx *fx, gconstpointer data)
{
  GTlsConnection *conn;
  GTlsCertificate *peer;
  GTlsProtocolVersion version;
  GIOStream *server_base = NULL;
  GSocket *server_socket;
  gchar *suite, *suite2;
  GError *error = NULL;
  gboolean ok;

  start_server (fx, SERVER_WRITE_THEN_WAIT);
  make_client (fx, fx->identity, 0);
  {
    /* client_read_line's data stream would close the connection. */
    GDataInputStream *in = g_data_input_stream_new (g_io_stream_get_input_stream (fx->client_conn));

    g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
    g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, client_line_only_cb, fx);
    g_main_loop_run (fx->loop);
    g_object_unref (in);
  }
  g_assert_no_error (fx->read_error);
  conn = G_TLS_CONNECTION (fx->client_conn);
  version = g_tls_connection_get_protocol_version (conn);
  g_assert_cmpint (version, ==, tls12 ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);
  suite = g_tls_connection_get_ciphersuite_name (conn);
  peer = g_object_ref (g_tls_connection_get_peer_certificate (conn));

  ok = g_tls_connection_handshake (conn, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_tls_connection_handshake_async (conn, G_PRIORITY_DEFAULT, NULL, second_handshake_cb, fx);
  g_main_loop_run (fx->loop);

  g_assert_cmpint (g_tls_connection_get_protocol_version (conn), ==, version);
  suite2 = g_tls_connection_get_ciphersuite_name (conn);
  g_assert_cmpstr (suite2, ==, suite);
  g_assert_true (g_tls_connection_get_peer_certificate (conn) == peer);
  g_free (suite2);
  g_free (suite);
  g_object_unref (peer);

  /* The server is idle (it wrote its line and waits); loopback delivers at
   * once, so anything the client sent would be pending on its socket. */
  g_usleep (100 * 1000);
  g_object_get (fx->server_conn, "base-io-stream", &server_base, NULL);
  server_socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (server_base));
  g_assert_cmpint (g_socket_get_available_bytes (server_socket), ==, 0);
  g_object_unref (server_base);

  /* And the connection still carries data both ways afterwards. */
  g_assert_cmpint (g_output_stream_write (g_io_stream_get_output_stream (fx->client_conn), "x", 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  {
    char c = 0;

    SPIN_UNTIL (g_socket_get_available_bytes (server_socket) > 0);
    g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (fx->server_conn), &c, 1, NULL, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (c, ==, 'x');
  }
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  server_close (fx);
}

static void
run_must_staple (Fx *fx, const char *db_file, const char *cert_file)
{
  GError *error = NULL;

  fx->database = load_database (db_file);
  fx->server_cert = load_cert (cert_file, "server-rsa-key.pem");
  start_server (fx, SERVER_WRITE_THEN_WAIT);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  client_read_line (fx);
  /* No stapled OCSP response can satisfy status_request: reject. */
  g_assert_error (fx->read_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_true (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)) &
                 G_TLS_CERTIFICATE_GENERIC_ERROR);
  g_io_stream_close (fx->client_conn, NULL, &error);
  g_clear_error (&error);
  SPIN_UNTIL (!fx->server_running);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE);
}

static void
test_must_staple (Fx *fx, gconstpointer data)
{
  run_must_staple (fx, "ca-rsa.pem", "server-staple.pem");
}

static void
test_must_staple_intermediate (Fx *fx, gconstpointer data)
{
  run_must_staple (fx, "gio-conn/ca-staple.pem", "gio-conn/server-by-staple-ca.pem");
}

/* ------------------------------------------------------------------ */
/* sessions                                                            */

static void
test_copy_session_state (Fx *fx, gconstpointer data)
{
  GIOStream *first;

  /* Validation fails on purpose so every full handshake asks the
   * application; a resumed handshake has no certificate to ask about. */
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);

  first = g_object_ref (fx->client_conn);
  reset_for_next_client (fx);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  g_tls_client_connection_copy_session_state (G_TLS_CLIENT_CONNECTION (fx->client_conn),
                                              G_TLS_CLIENT_CONNECTION (first));
  g_object_unref (first);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  /* Resumed: no certificate, no accept-certificate. */
  g_assert_cmpuint (fx->accept_count, ==, 1);
}

/* Without tickets, a TLS 1.2 client resumes by session ID against a GIO
 * server (the process-wide server cache); TLS 1.3 has no session IDs, so
 * there the second connection is a full handshake. */
static void
test_session_id_resumption (Fx *fx, gconstpointer data)
{
  g_setenv ("G_TLS_TLSLITE_NO_TICKETS", "1", TRUE);
  g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);

  reset_for_next_client (fx);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
  g_unsetenv ("G_TLS_TLSLITE_NO_TICKETS");
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  /* Resumed (TLS 1.2): no certificate, so no second accept-certificate. */
  g_assert_cmpuint (fx->accept_count, ==, tls12 ? 1 : 2);
}

static void
test_automatic_resumption (Fx *fx, gconstpointer data)
{
  GTlsCertificate *first_peer;

  /* The process-wide cache (off in tests unless asked for). */
  g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_assert_no_error (fx->read_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);
  first_peer = g_object_ref (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->client_conn)));

  reset_for_next_client (fx);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
  g_assert_no_error (fx->read_error);
  g_assert_no_error (fx->server_error);
  g_assert_cmpuint (fx->accept_count, ==, 1);
  /* The resumed connection still reports who the peer is. */
  g_assert_true (g_tls_certificate_is_same (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->client_conn)),
                                            first_peer));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (fx->client_conn)), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_object_unref (first_peer);

  /* A different identity does not share the session. */
  reset_for_next_client (fx);
  g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  {
    GSocketConnectable *other = g_network_address_new ("localhost", 443);

    make_client (fx, other, G_TLS_CERTIFICATE_VALIDATE_ALL);
    g_object_unref (other);
  }
  g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
  client_read_line_and_close (fx);
  g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
  g_assert_no_error (fx->read_error);
  g_assert_cmpuint (fx->accept_count, ==, 2);
}

/* A TCP relay in front of the server that keeps each connection's
 * ClientHello; it can also drop a connection once the ClientHello is in
 * (the client's handshake then fails, its offer spent). */

#define RELAY_MAX 8

typedef struct
{
  int listen_fd;
  guint16 server_port;
  guint n;                       /* connections to take */
  gboolean drop[RELAY_MAX];
  GByteArray *hello[RELAY_MAX];  /* the first record from the client */
  GSocketAddress *address;
  GThread *thread;
} TcpRelay;

static gboolean
relay_keep_hello (GByteArray *h, const guint8 *p, gsize n)
{
  gsize want;

  if (h->len < 5 || h->len < 5 + ((gsize) h->data[3] << 8 | h->data[4]))
    g_byte_array_append (h, p, n);
  if (h->len < 5)
    return FALSE;
  want = 5 + ((gsize) h->data[3] << 8 | h->data[4]);
  if (h->len > want)
    g_byte_array_set_size (h, want);
  return h->len == want;
}

static void
tcp_relay_sent (gpointer user_data, int dir, const guint8 *p, gsize n)
{
  if (dir == 0)
    relay_keep_hello (user_data, p, n);
}

static gpointer
tcp_relay_thread (gpointer data)
{
  TcpRelay *r = data;
  guint i;

  for (i = 0; i < r->n; i++)
    {
      TestRelay pump = { .fd = { accept (r->listen_fd, NULL, NULL), -1 }, .sent = tcp_relay_sent,
                         .idle_ms = 10000 };
      struct sockaddr_in sa;

      g_assert_cmpint (pump.fd[0], >=, 0);
      r->hello[i] = g_byte_array_new ();
      if (r->drop[i])
        {
          guint8 buf[4096];
          gssize n;

          while ((n = read (pump.fd[0], buf, sizeof buf)) > 0)
            if (relay_keep_hello (r->hello[i], buf, (gsize) n))
              break;
          close (pump.fd[0]);
          continue;
        }
      pump.fd[1] = socket (AF_INET, SOCK_STREAM, 0);
      memset (&sa, 0, sizeof sa);
      sa.sin_family = AF_INET;
      sa.sin_port = htons (r->server_port);
      sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      g_assert_cmpint (connect (pump.fd[1], (struct sockaddr *) &sa, sizeof sa), ==, 0);
      pump.user_data = r->hello[i];
      test_relay_run (&pump);
      close (pump.fd[0]);
      close (pump.fd[1]);
    }
  return NULL;
}

static void
tcp_relay_start (TcpRelay *r, Fx *fx, guint n)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  g_assert_cmpuint (n, <=, RELAY_MAX);
  r->n = n;
  r->server_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (fx->address));
  r->listen_fd = socket (AF_INET, SOCK_STREAM, 0);
  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (r->listen_fd, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_cmpint (listen (r->listen_fd, 8), ==, 0);
  g_assert_cmpint (getsockname (r->listen_fd, (struct sockaddr *) &sa, &len), ==, 0);
  r->address = g_inet_socket_address_new (lo, ntohs (sa.sin_port));
  g_object_unref (lo);
  r->thread = g_thread_new ("tcp-relay", tcp_relay_thread, r);
}

/* Once the last connection closed: the ClientHellos stay in r->hello. */
static void
tcp_relay_finish (TcpRelay *r)
{
  g_thread_join (r->thread);
  close (r->listen_fd);
  g_object_unref (r->address);
}

/* What a ClientHello record offers for resumption: the first identity of
 * its pre_shared_key (TLS 1.3) or else the content of its session_ticket
 * extension (TLS 1.2); NULL when it offers neither. */
static GBytes *
hello_offer (GByteArray *rec)
{
  const guint8 *p = rec->data, *end = rec->data + rec->len;
  GBytes *ticket = NULL;
  gsize n;

  g_assert_cmpuint (rec->len, >, 5 + 4 + 2 + 32 + 1);
  g_assert_cmpuint (p[0], ==, 22);
  g_assert_cmpuint (p[5], ==, 1);
  p += 5 + 4 + 2 + 32;
  p += 1 + p[0];                               /* session ID */
  g_assert_true (p + 2 <= end);
  p += 2 + ((gsize) p[0] << 8 | p[1]);         /* cipher suites */
  g_assert_true (p + 1 <= end);
  p += 1 + p[0];                               /* compression */
  g_assert_true (p + 2 <= end);
  n = (gsize) p[0] << 8 | p[1];
  p += 2;
  g_assert_true (p + n == end);
  while (p < end)
    {
      guint type, len;

      g_assert_true (p + 4 <= end);
      type = (guint) p[0] << 8 | p[1];
      len = (guint) p[2] << 8 | p[3];
      p += 4;
      g_assert_true (p + len <= end);
      if (type == 41)
        {
          gsize id_len;

          g_assert_cmpuint (len, >=, 4);
          id_len = (gsize) p[2] << 8 | p[3];
          g_assert_true (4 + id_len <= len);
          g_clear_pointer (&ticket, g_bytes_unref);
          return g_bytes_new (p + 4, id_len);
        }
      if (type == 35 && len > 0)
        ticket = g_bytes_new (p, len);
      p += len;
    }
  return ticket;
}

/* RFC 8446 §C.4: a TLS 1.3 client offers each ticket once. Four
 * connections through the process-wide cache: a full handshake (two
 * tickets), then three resumptions, each with a ticket not offered before
 * (each gets one new ticket, and the server's data arrives intact right
 * after the handshake). Then two connections cut off after their
 * ClientHello spend the last two tickets, and the next one has none left:
 * a full handshake. TLS 1.2 (the rerun) reuses its RFC 5077 ticket as
 * before: the same bytes every time, resuming throughout. */
static void
test_tickets_used_once (Fx *fx, gconstpointer data)
{
  const gboolean drop[7] = { FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, FALSE };
  GBytes *offer[7];
  TcpRelay relay;
  GSocketAddress *server_address;
  guint i, j;

  memset (&relay, 0, sizeof relay);
  g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  memcpy (relay.drop, drop, sizeof drop);
  tcp_relay_start (&relay, fx, G_N_ELEMENTS (drop));
  server_address = fx->address;
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  for (i = 0; i < G_N_ELEMENTS (drop); i++)
    {
      if (i > 0)
        reset_for_next_client (fx);
      fx->address = relay.address;
      make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
      fx->address = server_address;
      g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
      if (drop[i])
        {
          GError *error = NULL;

          g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (fx->client_conn), NULL, &error));
          g_assert_nonnull (error);
          g_clear_error (&error);
          g_io_stream_close (fx->client_conn, NULL, NULL);
          continue;
        }
      client_read_line_and_close (fx);
      g_assert_no_error (fx->read_error);
      g_assert_no_error (fx->server_error);
      g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (fx->client_conn)), ==,
                       tls12 ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);
      if (i == 0 || tls12)
        g_assert_cmpuint (fx->accept_count, ==, 1);
    }
  g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
  tcp_relay_finish (&relay);
  for (i = 0; i < G_N_ELEMENTS (drop); i++)
    offer[i] = hello_offer (relay.hello[i]);

  g_assert_null (offer[0]);
  if (tls12)
    {
      /* The same session ticket on every later connection, all resumed. */
      for (i = 1; i < G_N_ELEMENTS (drop); i++)
        {
          g_assert_nonnull (offer[i]);
          g_assert_true (g_bytes_equal (offer[i], offer[1]));
        }
      g_assert_cmpuint (fx->accept_count, ==, 1);
    }
  else
    {
      /* Five offers, no ticket twice; then none: a full handshake. */
      for (i = 1; i <= 5; i++)
        {
          g_assert_nonnull (offer[i]);
          for (j = 1; j < i; j++)
            g_assert_false (g_bytes_equal (offer[i], offer[j]));
        }
      g_assert_null (offer[6]);
      g_assert_cmpuint (fx->accept_count, ==, 2);
    }
  for (i = 0; i < G_N_ELEMENTS (drop); i++)
    {
      g_clear_pointer (&offer[i], g_bytes_unref);
      g_byte_array_unref (relay.hello[i]);
    }
}

static void
client_handshake_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Fx *fx = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (obj), res, &fx->read_error);
  g_main_loop_quit (fx->loop);
}

/* A client that never reads (handshake, then close) still gets the
 * tickets that came with the server's flight: taken when its handshake
 * completes. Five such connections: a full handshake (two tickets), then
 * four resumptions, the later ones only possible with the ticket each
 * resumed connection got. TLS 1.2 resumes its one session throughout. */
static void
test_tickets_without_reading (Fx *fx, gconstpointer data)
{
  guint i;

  g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  start_server (fx, SERVER_HANDSHAKE_ONLY);
  expected_accept_flags = G_TLS_CERTIFICATE_UNKNOWN_CA;
  for (i = 0; i < 5; i++)
    {
      if (i > 0)
        reset_for_next_client (fx);
      make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
      g_signal_connect (fx->client_conn, "accept-certificate", G_CALLBACK (client_accept_cb), fx);
      g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                        client_handshake_cb, fx);
      g_main_loop_run (fx->loop);
      g_assert_no_error (fx->read_error);
      SPIN_UNTIL (fx->server_handshaked);
      fx->server_handshaked = FALSE;
      g_assert_true (g_io_stream_close (fx->client_conn, NULL, NULL));
      server_close (fx);
      SPIN_UNTIL (!fx->server_running);
      g_assert_cmpuint (fx->accept_count, ==, 1);
    }
  g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
}

static void
test_cancelled_handshake (Fx *fx, gconstpointer data)
{
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, 0);
  g_cancellable_cancel (cancellable);
  g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (fx->client_conn), cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_object_unref (cancellable);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  SPIN_UNTIL (!fx->server_running);
  g_assert_error (fx->server_error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
}

typedef struct
{
  Fx *fx;
  GCancellable *cancellable;
  GError *error;
  gssize n;
} BlockedRead;

static gpointer
blocked_reader (gpointer user_data)
{
  BlockedRead *br = user_data;

  br->n = g_input_stream_read (g_io_stream_get_input_stream (br->fx->client_conn), br->fx->buf,
                               sizeof br->fx->buf, br->cancellable, &br->error);
  return NULL;
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_blocking_read (Fx *fx, gconstpointer data)
{
  BlockedRead br = { fx, g_cancellable_new (), NULL, 0 };
  gboolean done = FALSE;
  GThread *thread;
  GError *error = NULL;

  start_server (fx, SERVER_HANDSHAKE_ONLY);
  make_client (fx, fx->identity, 0);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                    handshake_flag_cb, &done);
  SPIN_UNTIL (done && fx->server_handshaked);
  /* Nothing will arrive: only the cancellable ends the read. */
  thread = g_thread_new ("reader", blocked_reader, &br);
  g_timeout_add (200, cancel_later, br.cancellable);
  SPIN_UNTIL (g_cancellable_is_cancelled (br.cancellable));
  g_thread_join (thread);
  g_assert_cmpint (br.n, ==, -1);
  g_assert_error (br.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&br.error);
  g_object_unref (br.cancellable);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  server_close (fx);
  SPIN_UNTIL (!fx->server_running);
}

/* An idle non-blocking reader (an async connection waiting for its peer)
 * holds no input buffer: the one the engine lent for the read (room for 4
 * records, ~73 KiB) is given back and freed when the read would block. */
static void
test_idle_nonblocking_read_heap (Fx *fx, gconstpointer data)
{
  GPollableInputStream *in;
  GError *error = NULL;
  gboolean done = FALSE;
  struct mallinfo2 before, after;
  gssize n;

  start_server (fx, SERVER_HANDSHAKE_ONLY);
  make_client (fx, fx->identity, 0);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                    handshake_flag_cb, &done);
  SPIN_UNTIL (done && fx->server_handshaked);
  in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (fx->client_conn));
  before = mallinfo2 ();
  /* (A TLS 1.3 ticket that arrived is taken on the way: a small session.) */
  n = g_pollable_input_stream_read_nonblocking (in, fx->buf, sizeof fx->buf, NULL, &error);
  after = mallinfo2 ();
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  g_assert_cmpint ((gssize) (after.uordblks + after.hblkhd) - (gssize) (before.uordblks + before.hblkhd),
                   <, 16384);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  server_close (fx);
  SPIN_UNTIL (!fx->server_running);
}

static gpointer
cancel_after_200ms (gpointer user_data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (user_data);
  return NULL;
}

/* A blocking handshake over a socket waits for the peer's flight with a
 * poll on the socket (no read first once the ClientHello went out): a peer
 * that accepts and never answers leaves it waiting until the cancellable
 * fires. The socket's 60 s timeout is only a backstop: if the wait missed
 * the cancellable, the error would be TIMED_OUT instead. */
static void
test_cancel_blocking_handshake (Fx *fx, gconstpointer data)
{
  GSocketListener *listener = g_socket_listener_new ();
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new (lo, 0), *bound = NULL;
  GSocketClient *client = g_socket_client_new ();
  GCancellable *cancellable = g_cancellable_new ();
  GSocketConnectable *identity;
  GSocketConnection *tcp;
  GIOStream *tls;
  GThread *thread;
  GError *error = NULL;

  g_assert_true (g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  g_socket_client_set_timeout (client, 60);
  tcp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  identity = g_network_address_new ("server.example.com",
                                    g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);

  thread = g_thread_new ("cancel", cancel_after_200ms, cancellable);
  g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);

  g_io_stream_close (tls, NULL, NULL);
  g_object_unref (tls);
  g_object_unref (identity);
  g_object_unref (tcp);
  g_object_unref (cancellable);
  g_object_unref (client);
  g_object_unref (bound);
  g_object_unref (any);
  g_object_unref (lo);
  g_socket_listener_close (listener);
  g_object_unref (listener);
}

static void
test_properties (Fx *fx, gconstpointer data)
{
  const char *names[] = { "base-io-stream", "use-system-certdb", "database", "interaction",
                          "require-close-notify", "rehandshake-mode", "certificate", "peer-certificate",
                          "peer-certificate-errors", "advertised-protocols", "negotiated-protocol",
                          "protocol-version", "ciphersuite-name", "validation-flags", "server-identity",
                          "use-ssl3", "accepted-cas" };
  GTlsInteraction *interaction = mock_interaction_new_static_password ("x");
  GTlsDatabase *db = load_database ("ca-bundle.pem");
  GTlsDatabase *got_db = NULL;
  GIOStream *server;
  GError *error = NULL;
  GTlsCertificate *cert = load_cert ("server-rsa.pem", "server-rsa-key.pem");
  GTlsAuthenticationMode mode = 0;
  gboolean b = FALSE;
  GList *cas = (GList *) 1;
  GIOStream *base = NULL;
  guint i;

  start_server (fx, SERVER_WRITE_THEN_CLOSE);
  make_client (fx, fx->identity, G_TLS_CERTIFICATE_VALIDATE_ALL);
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GValue v = G_VALUE_INIT;
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (fx->client_conn), names[i]);

      g_assert_nonnull (pspec);
      g_value_init (&v, pspec->value_type);
      g_object_get_property (G_OBJECT (fx->client_conn), names[i], &v);
      g_value_unset (&v);
    }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_object_get (fx->client_conn, "use-system-certdb", &b, "accepted-cas", &cas, NULL);
  g_assert_true (b);
  g_assert_null (cas);
  g_tls_connection_set_use_system_certdb (G_TLS_CONNECTION (fx->client_conn), FALSE);
  g_assert_null (g_tls_connection_get_database (G_TLS_CONNECTION (fx->client_conn)));
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_tls_connection_set_database (G_TLS_CONNECTION (fx->client_conn), db);
  g_object_get (fx->client_conn, "database", &got_db, NULL);
  g_assert_true (got_db == db);
  g_object_unref (got_db);
  g_tls_connection_set_interaction (G_TLS_CONNECTION (fx->client_conn), interaction);
  g_assert_true (g_tls_connection_get_interaction (G_TLS_CONNECTION (fx->client_conn)) == interaction);
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (fx->client_conn), FALSE);
  g_assert_false (g_tls_connection_get_require_close_notify (G_TLS_CONNECTION (fx->client_conn)));
  g_assert_true (g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (fx->client_conn)) ==
                 fx->identity);

  /* Server: construct-time certificate and authentication-mode. */
  g_object_get (fx->client_conn, "base-io-stream", &base, NULL);
  g_assert_true (G_IS_SOCKET_CONNECTION (base));
  server = g_tls_server_connection_new (base, cert, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_connection_get_certificate (G_TLS_CONNECTION (server)) == cert);
  g_object_set (server, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_object_get (server, "authentication-mode", &mode, NULL);
  g_assert_cmpint (mode, ==, G_TLS_AUTHENTICATION_REQUESTED);
  g_object_unref (server);

  /* A server certificate without its key is refused at construction. */
  g_object_unref (cert);
  cert = load_cert ("server-rsa.pem", NULL);
  server = g_tls_server_connection_new (base, cert, &error);
  g_object_unref (base);
  g_assert_null (server);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  g_object_unref (cert);
  g_object_unref (db);
  g_object_unref (interaction);
  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  SPIN_UNTIL (!fx->server_running);
}

typedef struct
{
  Fx *fx;
  GInputStream *server_in;
  gsize received;
  gsize sent;
  gboolean writer_done;
  guint would_block;
  guint8 chunk[4096];
  guint8 rbuf[65536];
} Flood;

static void flood_read_more (Flood *fl);

static void
flood_read_cb (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  Flood *fl = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (obj), res, &error);
  gssize i;

  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  /* Byte i of the stream is (i % 251): checks order and completeness. */
  for (i = 0; i < n; i++)
    g_assert_cmpuint (fl->rbuf[i], ==, (fl->received + i) % 251);
  fl->received += n;
  if (!fl->writer_done || fl->received < fl->sent)
    flood_read_more (fl);
}

static void
flood_read_more (Flood *fl)
{
  g_input_stream_read_async (fl->server_in, fl->rbuf, sizeof fl->rbuf, G_PRIORITY_DEFAULT, NULL,
                             flood_read_cb, fl);
}

static gboolean
flood_write (GObject *stream, gpointer user_data)
{
  Flood *fl = user_data;
  GError *error = NULL;

  for (;;)
    {
      gsize i;
      gssize n;

      for (i = 0; i < sizeof fl->chunk; i++)
        fl->chunk[i] = (fl->sent + i) % 251;
      n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (stream), fl->chunk,
                                                      sizeof fl->chunk, NULL, &error);
      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_clear_error (&error);
          fl->would_block++;
          if (fl->would_block == 1)
            flood_read_more (fl);   /* now let the server drain */
          return G_SOURCE_CONTINUE;
        }
      fl->sent += n;
      if (fl->sent >= 4 * 1024 * 1024)
        {
          GError *ferr = NULL;

          /* Whatever is still queued goes out on flush. */
          g_assert_true (g_output_stream_flush (G_OUTPUT_STREAM (stream), NULL, &ferr));
          g_assert_no_error (ferr);
          fl->writer_done = TRUE;
          return G_SOURCE_REMOVE;
        }
    }
}

static void
test_pollable_write_would_block (Fx *fx, gconstpointer data)
{
  Flood *fl = g_new0 (Flood, 1);
  GOutputStream *out;
  GSource *source;
  gboolean done = FALSE;
  GError *error = NULL;

  fl->fx = fx;
  start_server (fx, SERVER_HANDSHAKE_ONLY);
  make_client (fx, fx->identity, 0);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (fx->client_conn), G_PRIORITY_DEFAULT, NULL,
                                    handshake_flag_cb, &done);
  SPIN_UNTIL (done && fx->server_handshaked);
  fl->server_in = g_io_stream_get_input_stream (fx->server_conn);

  /* Write until the socket is full: WOULD_BLOCK, then the output source
   * must fire again once the server reads. */
  out = g_io_stream_get_output_stream (fx->client_conn);
  source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (out), NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) flood_write, fl, NULL);
  g_source_attach (source, NULL);
  SPIN_UNTIL (fl->writer_done && fl->received == fl->sent);
  g_source_destroy (source);
  g_source_unref (source);
  g_assert_cmpuint (fl->would_block, >, 0);
  g_assert_cmpuint (fl->received, ==, fl->sent);

  g_assert_true (g_io_stream_close (fx->client_conn, NULL, &error));
  g_assert_no_error (error);
  server_close (fx);
  SPIN_UNTIL (!fx->server_running);
  g_free (fl);
}

/* ------------------------------------------------------------------ */
/* records that arrive in pieces                                       */

/* The client's bytes reach the server through a relay that sends them on
 * in CHUNK-byte pieces, as a real network delivers a 16 KiB record in many
 * segments. After each piece that ends inside a record, the relay waits
 * until the server's blocking read is waiting for exactly the rest of that
 * record (SO_RCVLOWAT on the server's socket), then sends the next piece. */
#define SPLIT_CHUNK 3000
#define SPLIT_LEN (2 * 16384 + 7232)

typedef struct
{
  TestRelay pump; /* fd[0]: the relay's end of the client's socketpair;
                   * fd[1]: its TCP connection to the server */
  int server_fd;  /* the server's accepted socket */
  gint app_phase;
  /* where the client->server stream is: bytes sent on, the header of the
   * record under way so far, and where that record ends */
  guint64 fwd;
  guint8 hdr[5];
  guint hdr_have;
  guint64 rec_end;
  int own_mark;        /* the SO_RCVLOWAT the server application set itself (0: none) */
  int mark;            /* the reader's expected SO_RCVLOWAT while it sleeps (0: awake) */
  guint64 mark_from;   /* fwd when it went to sleep on it */
  guint seen;          /* waits with the mark set to exactly the bytes missing */
  guint kept;          /* pieces that arrived while it slept on its mark */
  guint mismatch;      /* pieces after which the mark was not as expected */
} Relay;

static int
rcvlowat (int fd)
{
  int v = -1;
  socklen_t len = sizeof v;

  g_assert_cmpint (getsockopt (fd, SOL_SOCKET, SO_RCVLOWAT, &v, &len), ==, 0);
  return v;
}

/* Follow the record headers of `n` forwarded bytes. */
static void
relay_track (Relay *r, const guint8 *p, gsize n)
{
  while (n > 0)
    {
      if (r->hdr_have < 5)
        {
          r->hdr[r->hdr_have++] = *p++;
          r->fwd++;
          n--;
          if (r->hdr_have == 5)
            r->rec_end = r->fwd + ((guint) r->hdr[3] << 8 | r->hdr[4]);
          else
            continue;
        }
      gsize k = MIN (n, r->rec_end - r->fwd);
      r->fwd += k;
      p += k;
      n -= k;
      if (r->fwd == r->rec_end)
        r->hdr_have = 0;
    }
}

/* A piece of the client's bytes went on to the server (the relay sends
 * them in SPLIT_CHUNK-byte pieces): check the server's mark. */
static void
split_piece_sent (gpointer data, int dir, const guint8 *p, gsize k)
{
  Relay *r = data;
  int want;

  if (dir != 0)
    return;
  relay_track (r, p, k);
  if (!g_atomic_int_get (&r->app_phase) || r->hdr_have == 0)
    return;
  want = r->hdr_have < 5 ? 5 - (int) r->hdr_have : (int) (r->rec_end - r->fwd);
  /* The reader's wait ends once the bytes it asked for are in. */
  if (r->mark && r->fwd - r->mark_from >= (guint64) r->mark)
    r->mark = 0;
  /* A wait for no more than the application's own mark keeps it. */
  if (want <= MAX (1, r->own_mark))
    return;
  if (r->mark)
    {
      /* Still asleep on its mark: this piece did not wake it. */
      if (rcvlowat (r->server_fd) == r->mark)
        r->kept++;
      else
        r->mismatch++;
      return;
    }
  /* Woken (or first wait): it reads what came and waits for the rest. */
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (rcvlowat (r->server_fd) != want && g_get_monotonic_time () < end)
      g_usleep (200);
    if (rcvlowat (r->server_fd) == want)
      r->seen++;
    else
      r->mismatch++;
    r->mark = want;
    r->mark_from = r->fwd;
  }
}

typedef struct
{
  GSocketListener *listener;
  GIOStream *tls;
  int fd;
  gint handshaked;
  guint8 *got;
  gsize have;
  gboolean nonblocking; /* read as an async program does: non-blocking reads, a source */
  int own_mark;         /* SO_RCVLOWAT the application sets on its socket (0: none) */
} SplitServer;

static gboolean
flag_pollable_cb (GObject *stream, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Wait as a main loop would for the stream to be readable. */
static void
wait_pollable (GMainContext *ctx, GPollableInputStream *in)
{
  GSource *source = g_pollable_input_stream_create_source (in, NULL);
  gboolean ready = FALSE;

  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) flag_pollable_cb, &ready, NULL);
  g_source_attach (source, ctx);
  while (!ready)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

static gpointer
split_server_thread (gpointer data)
{
  SplitServer *sv = data;
  GError *error = NULL;
  GSocketConnection *tcp = g_socket_listener_accept (sv->listener, NULL, NULL, &error);
  GTlsCertificate *cert = load_cert ("server-rsa.pem", "server-rsa-key.pem");
  GInputStream *in;
  GMainContext *ctx;

  g_assert_no_error (error);
  sv->fd = g_socket_get_fd (g_socket_connection_get_socket (tcp));
  if (sv->own_mark)
    g_assert_cmpint (setsockopt (sv->fd, SOL_SOCKET, SO_RCVLOWAT, &sv->own_mark, sizeof sv->own_mark), ==, 0);
  sv->tls = g_tls_server_connection_new (G_IO_STREAM (tcp), cert, &error);
  g_assert_no_error (error);
  g_object_unref (cert);
  g_object_unref (tcp);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (sv->tls), NULL, &error));
  g_assert_no_error (error);
  g_atomic_int_set (&sv->handshaked, 1);
  in = g_io_stream_get_input_stream (sv->tls);
  ctx = g_main_context_new ();
  while (sv->have < SPLIT_LEN)
    {
      gssize n;

      if (sv->nonblocking)
        {
          n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), sv->got + sv->have,
                                                        SPLIT_LEN - sv->have, NULL, &error);
          if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_clear_error (&error);
              wait_pollable (ctx, G_POLLABLE_INPUT_STREAM (in));
              continue;
            }
        }
      else
        n = g_input_stream_read (in, sv->got + sv->have, SPLIT_LEN - sv->have, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      sv->have += (gsize) n;
    }
  g_main_context_unref (ctx);
  return NULL;
}

static gboolean
accept_any_cert (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors,
                 gpointer user_data)
{
  return TRUE;
}

/* test_split_records's variants (bits of its data) */
#define SPLIT_NONBLOCKING 1
#define SPLIT_OWN_MARK 2 /* the server application sets SO_RCVLOWAT 5 itself */

/* Records split over many reads arrive intact; a reader waiting for the
 * rest of a record (a blocking read, or a non-blocking one and its
 * source) asks TCP for exactly the bytes missing (SO_RCVLOWAT), so the
 * later pieces of the record do not wake it; the mark is back at what it
 * was once the reads are done: 1, or the application's own mark, which a
 * wait for no more bytes than it leaves alone. */
static void
test_split_records (Fx *fx, gconstpointer data)
{
  GSocketListener *listener = g_socket_listener_new ();
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new (lo, 0), *bound = NULL;
  int flags = GPOINTER_TO_INT (data);
  SplitServer sv = { listener, NULL, -1, 0, g_malloc0 (SPLIT_LEN), 0, (flags & SPLIT_NONBLOCKING) != 0,
                     (flags & SPLIT_OWN_MARK) ? 5 : 0 };
  Relay relay = { 0 };
  GSocketConnectable *identity;
  GSocket *pair_sock;
  GIOStream *base, *client;
  GThread *server, *relay_th;
  guint8 *msg = g_malloc (SPLIT_LEN);
  GError *error = NULL;
  int sv_pair[2], fd;
  gsize written = 0;
  struct sockaddr_in sin = { 0 };

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &bound, &error);
  g_assert_no_error (error);
  server = g_thread_new ("split-server", split_server_thread, &sv);

  /* The relay's TCP side. */
  (void) fx;
  fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  sin.sin_family = AF_INET;
  sin.sin_port = g_htons (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  sin.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  relay.pump.fd[1] = fd;

  /* The client speaks through a socketpair whose other end is the relay's. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, sv_pair), ==, 0);
  relay.pump.fd[0] = sv_pair[1];
  relay.pump.piece[0] = SPLIT_CHUNK;
  relay.pump.sent = split_piece_sent;
  relay.pump.user_data = &relay;
  pair_sock = g_socket_new_from_fd (sv_pair[0], &error);
  g_assert_no_error (error);
  base = G_IO_STREAM (g_socket_connection_factory_create_connection (pair_sock));
  identity = g_network_address_new ("server.example.com", 443);
  client = G_IO_STREAM (g_tls_client_connection_new (base, identity, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any_cert), NULL);
  relay_th = test_relay_start (&relay.pump);

  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (client), NULL, &error));
  g_assert_no_error (error);
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!g_atomic_int_get (&sv.handshaked) && g_get_monotonic_time () < end)
      g_usleep (1000);
    g_assert_true (g_atomic_int_get (&sv.handshaked));
  }
  relay.server_fd = sv.fd;
  relay.own_mark = sv.own_mark;
  g_atomic_int_set (&relay.app_phase, 1);

  for (gsize i = 0; i < SPLIT_LEN; i++)
    msg[i] = (guint8) (i * 13 + i / 509);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (client), msg, SPLIT_LEN,
                                            &written, NULL, &error));
  g_assert_no_error (error);
  g_thread_join (server);
  g_assert_cmpuint (sv.have, ==, SPLIT_LEN);
  g_assert_cmpmem (sv.got, SPLIT_LEN, msg, SPLIT_LEN);

  /* 3 records in 3000-byte pieces: the reader waited for the rest of each
   * record once (or twice, when a piece ended inside its header), and the
   * later pieces of the record did not wake it. */
  g_atomic_int_set (&relay.pump.stop, 1);
  g_thread_join (relay_th);
  g_assert_cmpuint (relay.mismatch, ==, 0);
  g_assert_cmpuint (relay.seen, >=, 3);
  g_assert_cmpuint (relay.kept, >=, 6);
  /* No read under way: the mark is back at the default, or at the
   * application's own. */
  g_assert_cmpint (rcvlowat (sv.fd), ==, sv.own_mark ? sv.own_mark : 1);

  g_io_stream_close (client, NULL, NULL);
  g_io_stream_close (sv.tls, NULL, NULL);
  g_object_unref (client);
  g_object_unref (sv.tls);
  g_object_unref (base);
  g_object_unref (pair_sock);
  g_object_unref (identity);
  close (relay.pump.fd[0]);
  close (relay.pump.fd[1]);
  g_socket_listener_close (listener);
  g_object_unref (listener);
  g_object_unref (bound);
  g_object_unref (any);
  g_object_unref (lo);
  g_free (sv.got);
  g_free (msg);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  tls12 = g_strcmp0 (g_getenv ("G_TLS_TLSLITE_MAX_VERSION"), "tls1.2") == 0;
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_TLS", "tlslite", TRUE);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_tls_backend_get_default ()), ==, "GTlsBackendTlslite");

#define ADD(path, fn) g_test_add ("/connection/" path, Fx, NULL, fx_setup, fn, fx_teardown)
  ADD ("basic", test_basic);
  ADD ("verified", test_verified);
  ADD ("verified-chain", test_verified_chain);
  ADD ("verified-chain-with-redundant-root-cert", test_verified_chain_redundant_root);
  ADD ("verified-chain-with-duplicate-server-cert", test_verified_chain_duplicate_server_cert);
  ADD ("verified-unordered-chain", test_verified_unordered_chain);
  ADD ("verified-chain-with-alternative-ca-cert", test_verified_chain_alternative_ca);
  ADD ("invalid-chain-with-alternative-ca-cert", test_invalid_chain_alternative_ca);
  ADD ("client-auth", test_client_auth);
  ADD ("client-auth-rehandshake", test_client_auth_rehandshake);
  ADD ("client-auth-failure", test_client_auth_failure);
  ADD ("client-auth-fail-missing-client-private-key", test_client_auth_missing_key);
  ADD ("client-auth-request-cert", test_client_auth_request_cert);
  ADD ("client-auth-request-fail", test_client_auth_request_fail);
  ADD ("client-auth-request-none", test_client_auth_request_none);
  ADD ("client-auth-server-decides", test_client_auth_server_decides);
  ADD ("no-database", test_no_database);
  ADD ("failed", test_failed);
  ADD ("socket-client", test_socket_client);
  ADD ("socket-client-failed", test_socket_client_failed);
  ADD ("read-time-out-then-write", test_read_time_out_then_write);
  ADD ("simultaneous-async", test_simultaneous_async);
  ADD ("simultaneous-sync", test_simultaneous_sync);
  ADD ("simultaneous-async-rehandshake", test_simultaneous_async_rehandshake);
  ADD ("simultaneous-sync-rehandshake", test_simultaneous_sync_rehandshake);
  ADD ("close-immediately", test_close_immediately);
  ADD ("unclean-close-by-server", test_unclean_close_by_server);
  ADD ("clean-close-by-server", test_clean_close_by_server);
  ADD ("close-async", test_close_async);
  ADD ("async-implicit-handshake", test_async_implicit_handshake);
  ADD ("output-stream-close", test_output_stream_close);
  ADD ("garbage-database", test_garbage_database);
  ADD ("readwrite-after-connection-destroyed", test_readwrite_after_destroy);
  ADD ("alpn/match", test_alpn_match);
  ADD ("alpn/no-match", test_alpn_no_match);
  ADD ("alpn/client-only", test_alpn_client_only);
  ADD ("alpn/server-only", test_alpn_server_only);
  ADD ("sync-op-during-handshake", test_sync_op_during_handshake);
  ADD ("socket-timeout", test_socket_timeout);
  ADD ("missing-server-identity", test_missing_server_identity);
  ADD ("peer-certificate-notify", test_peer_certificate_notify);
  ADD ("binding/match-tls-unique", test_binding_tls_unique);
  ADD ("binding/match-tls-server-end-point", test_binding_tls_server_end_point);
  ADD ("binding/match-tls-exporter", test_binding_tls_exporter);
  ADD ("tls-info", test_tls_info);
  ADD ("second-handshake-noop", test_second_handshake_noop);
  ADD ("old-versions", test_old_versions);
  ADD ("ocsp/must-staple", test_must_staple);
  ADD ("ocsp/must-staple-intermediate-certificate", test_must_staple_intermediate);
  ADD ("session/copy-session-state", test_copy_session_state);
  ADD ("session/automatic-resumption", test_automatic_resumption);
  ADD ("session/session-id-resumption", test_session_id_resumption);
  ADD ("session/tickets-used-once", test_tickets_used_once);
  ADD ("session/tickets-without-reading", test_tickets_without_reading);
  ADD ("cancel/handshake", test_cancelled_handshake);
  ADD ("cancel/blocking-read", test_cancel_blocking_read);
  ADD ("idle/nonblocking-read-heap", test_idle_nonblocking_read_heap);
  ADD ("cancel/blocking-handshake", test_cancel_blocking_handshake);
  ADD ("properties", test_properties);
  ADD ("pollable/write-would-block", test_pollable_write_would_block);
  g_test_add ("/connection/read/split-records", Fx, NULL, fx_setup, test_split_records, fx_teardown);
  g_test_add ("/connection/read/split-records-nonblocking", Fx, GINT_TO_POINTER (SPLIT_NONBLOCKING),
              fx_setup, test_split_records, fx_teardown);
  g_test_add ("/connection/read/split-records-own-mark", Fx, GINT_TO_POINTER (SPLIT_OWN_MARK), fx_setup,
              test_split_records, fx_teardown);
  g_test_add ("/connection/read/split-records-own-mark-nonblocking", Fx,
              GINT_TO_POINTER (SPLIT_OWN_MARK | SPLIT_NONBLOCKING), fx_setup, test_split_records,
              fx_teardown);
#undef ADD

  return g_test_run ();
}
