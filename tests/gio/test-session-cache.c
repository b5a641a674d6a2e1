/* Through GIO, by property name only: servers sharing a TlsliteSessionCache (TLS 1.2 session IDs), the default cache, and ticket key files with nginx-style rotation. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

static GType cache_type;
static gchar *tmpdir;

/* ---- a one-connection server on a thread ---- */

typedef struct
{
  GSocketListener *listener;
  guint16 port;
  GTlsCertificate *cert;
  GObject *session_cache;     /* NULL: leave the property alone */
  const gchar *key_file;      /* NULL: leave the property alone */
  GThread *thread;
  GError *error;
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
  if (srv->session_cache)
    g_object_set (tls, "session-cache", srv->session_cache, NULL);
  if (srv->key_file)
    g_object_set (tls, "ticket-key-file", srv->key_file, NULL);
  if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &srv->error))
    {
      char buf[16];
      gssize n;

      g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (tls), "ok\n", 3,
                                                NULL, NULL, &error));
      g_assert_no_error (error);
      n = g_input_stream_read (g_io_stream_get_input_stream (tls), buf, sizeof buf, NULL, NULL);
      g_assert_cmpint (n, ==, 0);
    }
  g_io_stream_close (tls, NULL, NULL);
  g_object_unref (tls);
  g_object_unref (conn);
  return NULL;
}

static void
server_start (Server *srv, GObject *session_cache, const gchar *key_file)
{
  gchar *cf = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
  gchar *kf = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound = NULL;
  GError *error = NULL;

  memset (srv, 0, sizeof *srv);
  srv->session_cache = session_cache;
  srv->key_file = key_file;
  srv->cert = g_tls_certificate_new_from_files (cf, kf, &error);
  g_assert_no_error (error);
  srv->listener = g_socket_listener_new ();
  g_socket_listener_add_address (srv->listener, addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  srv->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  srv->thread = g_thread_new ("cache-server", server_thread, srv);
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
  (*(guint *) user_data)++;
  return TRUE;
}

/* One connection to a fresh server, offering `from`'s session if given.
 * The system database trusts none of the test CAs, so every full
 * handshake asks accept-certificate and a resumed one (no certificate)
 * does not: returns TRUE if the handshake was resumed. *conn_out keeps the
 * connection for later copies. */
static gboolean
connect_once (GObject *session_cache, const gchar *key_file, GTlsClientConnection *from,
              GTlsClientConnection **conn_out, GError **server_error)
{
  Server srv;
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;
  GSocketConnectable *id;
  GIOStream *tls;
  GDataInputStream *in;
  GError *error = NULL;
  gchar *line;
  guint accept_calls = 0;

  server_start (&srv, session_cache, key_file);
  id = g_network_address_new ("localhost", srv.port);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", srv.port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn), id, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_cb), &accept_calls);
  if (from)
    g_tls_client_connection_copy_session_state (G_TLS_CLIENT_CONNECTION (tls), from);
  /* Reading the line also takes in the TLS 1.3 tickets sent with it. */
  in = g_data_input_stream_new (g_io_stream_get_input_stream (tls));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (server_error && !line)
    {
      g_clear_error (&error);
      g_io_stream_close (tls, NULL, NULL);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "ok");
      g_assert_true (g_io_stream_close (tls, NULL, &error));
      g_assert_no_error (error);
    }
  g_free (line);
  g_object_unref (in);
  server_join (&srv);
  if (server_error)
    *server_error = srv.error;
  else
    g_assert_no_error (srv.error);
  if (conn_out)
    *conn_out = G_TLS_CLIENT_CONNECTION (tls);
  else
    g_object_unref (tls);
  g_object_unref (conn);
  g_object_unref (id);
  g_object_unref (client);
  g_assert_cmpuint (accept_calls, <=, 1);
  return accept_calls == 0;
}

static guint
cache_count (GObject *cache)
{
  guint n = 0;

  g_object_get (cache, "count", &n, NULL);
  return n;
}

/* ---- TLS 1.2 session IDs ---- */

static void
session_id_only (gboolean on)
{
  if (on)
    {
      g_setenv ("G_TLS_TLSLITE_MAX_VERSION", "tls1.2", TRUE);
      g_setenv ("G_TLS_TLSLITE_NO_TICKETS", "1", TRUE);
    }
  else
    {
      g_unsetenv ("G_TLS_TLSLITE_MAX_VERSION");
      g_unsetenv ("G_TLS_TLSLITE_NO_TICKETS");
    }
}

static void
test_shared_cache (void)
{
  GObject *a = g_object_new (cache_type, "max-entries", 8, "lifetime", 600, NULL);
  GObject *b = g_object_new (cache_type, NULL);
  GTlsClientConnection *first = NULL;
  guint max = 0, life = 0;

  g_object_get (a, "max-entries", &max, "lifetime", &life, NULL);
  g_assert_cmpuint (max, ==, 8);
  g_assert_cmpuint (life, ==, 600);
  g_object_get (b, "max-entries", &max, "lifetime", &life, NULL);
  g_assert_cmpuint (max, ==, 1024);
  g_assert_cmpuint (life, ==, 3600);

  session_id_only (TRUE);
  g_assert_false (connect_once (a, NULL, NULL, &first, NULL));
  g_assert_cmpuint (cache_count (a), ==, 1);
  /* Another server (another port) with the same cache resumes the session. */
  g_assert_true (connect_once (a, NULL, first, NULL, NULL));
  /* A server with a cache of its own does not know it. */
  g_assert_false (connect_once (b, NULL, first, NULL, NULL));
  g_assert_cmpuint (cache_count (b), ==, 1);
  session_id_only (FALSE);
  g_object_unref (first);
  g_object_unref (a);
  g_object_unref (b);
}

/* Servers that set nothing share the process-wide cache. */
static void
test_default_cache (void)
{
  GTlsClientConnection *first = NULL;

  session_id_only (TRUE);
  g_assert_false (connect_once (NULL, NULL, NULL, &first, NULL));
  g_assert_true (connect_once (NULL, NULL, first, NULL, NULL));
  session_id_only (FALSE);
  g_object_unref (first);
}

/* The cache is bounded: the oldest session goes first. */
static void
test_bounded (void)
{
  GObject *tiny = g_object_new (cache_type, "max-entries", 1, NULL);
  GTlsClientConnection *first = NULL, *second = NULL;

  session_id_only (TRUE);
  g_assert_false (connect_once (tiny, NULL, NULL, &first, NULL));
  g_assert_false (connect_once (tiny, NULL, NULL, &second, NULL));
  g_assert_cmpuint (cache_count (tiny), ==, 1);
  g_assert_true (connect_once (tiny, NULL, second, NULL, NULL));
  g_assert_false (connect_once (tiny, NULL, first, NULL, NULL));
  session_id_only (FALSE);
  g_object_unref (first);
  g_object_unref (second);
  g_object_unref (tiny);
}

/* ---- ticket key files ---- */

static gchar *
key_line (guint8 seed, gsize len)
{
  guint8 key[80];
  gsize i;

  for (i = 0; i < len; i++)
    key[i] = (guint8) (seed * 31 + i);
  return g_base64_encode (key, len);
}

/* Replace the file the way rotation should: a new file renamed over it. */
static void
write_keys (const gchar *path, const gchar *text)
{
  GError *error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
test_ticket_key_file (void)
{
  gchar *f = g_build_filename (tmpdir, "group.keys", NULL);
  gchar *g = g_build_filename (tmpdir, "other.keys", NULL);
  gchar *k1 = key_line (1, 80), *k2 = key_line (2, 48), *k9 = key_line (9, 80);
  gchar *text;
  GTlsClientConnection *old = NULL, *fresh = NULL;

  text = g_strdup_printf ("# ticket keys of the group\n%s\n", k1);
  write_keys (f, text);
  g_free (text);
  write_keys (g, k9);

  /* Two servers reading the same file resume each other's tickets. */
  g_assert_false (connect_once (NULL, f, NULL, &old, NULL));
  g_assert_true (connect_once (NULL, f, old, NULL, NULL));
  /* A server with other keys cannot open them (the process key alone
   * would have been shared by every server here). */
  g_assert_false (connect_once (NULL, g, old, NULL, NULL));

  /* Rotation, step 1: a new sealing key, the old one still opens. */
  text = g_strdup_printf ("%s\n%s\n", k2, k1);
  write_keys (f, text);
  g_free (text);
  g_assert_true (connect_once (NULL, f, old, NULL, NULL));
  g_assert_false (connect_once (NULL, f, NULL, &fresh, NULL));
  /* Step 2: the old key retired. */
  write_keys (f, k2);
  g_assert_false (connect_once (NULL, f, old, NULL, NULL));
  g_assert_true (connect_once (NULL, f, fresh, NULL, NULL));

  g_object_unref (old);
  g_object_unref (fresh);
  g_unlink (f);
  g_unlink (g);
  g_free (f);
  g_free (g);
  g_free (k1);
  g_free (k2);
  g_free (k9);
}

/* nginx's own format: 80 (or 48) raw bytes, from the environment. */
static void
test_ticket_key_env (void)
{
  gchar *f = g_build_filename (tmpdir, "nginx.key", NULL);
  guint8 raw[80];
  GTlsClientConnection *first = NULL;
  GError *error = NULL;
  gsize i;

  for (i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) (200 + i * 13);
  g_assert_true (g_file_set_contents (f, (const gchar *) raw, sizeof raw, &error));
  g_assert_no_error (error);
  g_setenv ("G_TLS_TLSLITE_TICKET_KEY_FILE", f, TRUE);
  g_assert_false (connect_once (NULL, NULL, NULL, &first, NULL));
  g_assert_true (connect_once (NULL, NULL, first, NULL, NULL));
  /* The property wins over the environment. */
  raw[0] ^= 1;
  {
    gchar *other = g_build_filename (tmpdir, "nginx2.key", NULL);

    g_assert_true (g_file_set_contents (other, (const gchar *) raw, 48, &error));
    g_assert_no_error (error);
    g_assert_false (connect_once (NULL, other, first, NULL, NULL));
    g_unlink (other);
    g_free (other);
  }
  g_unsetenv ("G_TLS_TLSLITE_TICKET_KEY_FILE");
  g_object_unref (first);
  g_unlink (f);
  g_free (f);
}

/* A bad file fails the server's handshake with an error naming it. */
static void
test_ticket_key_bad (void)
{
  gchar *f = g_build_filename (tmpdir, "bad.keys", NULL);
  gchar *missing = g_build_filename (tmpdir, "missing.keys", NULL);
  GError *server_error = NULL;

  write_keys (f, "not a key\n");
  connect_once (NULL, f, NULL, NULL, &server_error);
  g_assert_error (server_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", server_error->message);
  g_assert_nonnull (strstr (server_error->message, f));
  g_assert_nonnull (strstr (server_error->message, "line 1 is not base64"));
  g_clear_error (&server_error);

  connect_once (NULL, missing, NULL, NULL, &server_error);
  g_assert_error (server_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (server_error->message, missing));
  g_clear_error (&server_error);
  g_unlink (f);
  g_free (f);
  g_free (missing);
}

int
main (int argc, char **argv)
{
  GType server_type;
  GObjectClass *klass;
  GParamSpec *pspec;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* The cache's GType, found through the server connection's property:
   * this program does not link the library. */
  server_type = g_tls_backend_get_server_connection_type (g_tls_backend_get_default ());
  klass = g_type_class_ref (server_type);
  pspec = g_object_class_find_property (klass, "session-cache");
  g_assert_nonnull (pspec);
  cache_type = pspec->value_type;
  g_assert_cmpstr (g_type_name (cache_type), ==, "TlsliteSessionCache");
  tmpdir = g_dir_make_tmp ("tlslite-session-cache-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/session-cache/shared", test_shared_cache);
  g_test_add_func ("/session-cache/default", test_default_cache);
  g_test_add_func ("/session-cache/bounded", test_bounded);
  g_test_add_func ("/ticket-keys/file-rotation", test_ticket_key_file);
  g_test_add_func ("/ticket-keys/nginx-env", test_ticket_key_env);
  g_test_add_func ("/ticket-keys/bad-file", test_ticket_key_bad);
  ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  g_type_class_unref (klass);
  return ret;
}
