/* OCSP stapling through GIO, by property name only: a server's ocsp-response / ocsp-response-file, the client's ocsp-status, TLS 1.2 and 1.3. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>

/* OCSP contents are opaque to TLS (the client does not validate them). */
static const guint8 resp_a[] = { 0x30, 0x03, 0x0a, 0x01, 0x00 };
static const guint8 resp_b[] = { 0x30, 0x05, 0x0a, 0x01, 0x00, 0x05, 0x00 };

typedef struct
{
  GIOStream *tls;
  gboolean ok;
  GError *error;
} Side;

static gpointer
server_thread (gpointer data)
{
  Side *srv = data;

  srv->ok = g_tls_connection_handshake (G_TLS_CONNECTION (srv->tls), NULL, &srv->error);
  if (!srv->ok)
    g_io_stream_close (srv->tls, NULL, NULL);
  return NULL;
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static GIOStream *
stream_from_fd (int fd)
{
  GError *error = NULL;
  GSocket *sock = g_socket_new_from_fd (fd, &error);
  GIOStream *s;

  g_assert_no_error (error);
  s = G_IO_STREAM (g_socket_connection_factory_create_connection (sock));
  g_object_unref (sock);
  return s;
}

/* One handshake: the server gets `response` and/or `file`, the client
 * `client_settings`; returns the client's ocsp-status (NULL if none). */
static GBytes *
handshake (GBytes *response, const char *file, const char *client_settings)
{
  int fds[2];
  gchar *cf = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
  gchar *kf = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_files (cf, kf, &error);
  GIOStream *cbase, *sbase, *client;
  Side srv = { 0 };
  GThread *t;
  GBytes *status = NULL, *before = NULL;
  gboolean ok;

  g_assert_no_error (error);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  cbase = stream_from_fd (fds[0]);
  sbase = stream_from_fd (fds[1]);
  srv.tls = g_tls_server_connection_new (sbase, cert, &error);
  g_assert_no_error (error);
  g_object_set (srv.tls, "ocsp-response", response, "ocsp-response-file", file, NULL);
  client = g_tls_client_connection_new (cbase, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (client_settings)
    g_object_set (client, "settings-string", client_settings, NULL);
  g_object_get (client, "ocsp-status", &before, NULL);
  g_assert_null (before);

  t = g_thread_new ("ocsp-server", server_thread, &srv);
  ok = g_tls_connection_handshake (G_TLS_CONNECTION (client), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_thread_join (t);
  g_assert_no_error (srv.error);
  g_assert_true (srv.ok);
  g_object_get (client, "ocsp-status", &status, NULL);

  g_io_stream_close (client, NULL, NULL);
  g_io_stream_close (srv.tls, NULL, NULL);
  g_object_unref (client);
  g_object_unref (srv.tls);
  g_object_unref (cbase);
  g_object_unref (sbase);
  g_object_unref (cert);
  g_free (cf);
  g_free (kf);
  return status;
}

static void
assert_status (GBytes *status, const guint8 *expected, gsize len)
{
  g_assert_nonnull (status);
  g_assert_cmpmem (g_bytes_get_data (status, NULL), g_bytes_get_size (status), expected, len);
  g_bytes_unref (status);
}

static void
test_bytes (gconstpointer data)
{
  const char *version = data;
  GBytes *a = g_bytes_new_static (resp_a, sizeof resp_a);

  /* No staple configured: none received. */
  g_assert_null (handshake (NULL, NULL, version));
  /* The staple is delivered and seen by the client. */
  assert_status (handshake (a, NULL, version), resp_a, sizeof resp_a);
  g_bytes_unref (a);
}

static void
test_file (gconstpointer data)
{
  const char *version = data;
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("tlslite-ocsp-XXXXXX", &error);
  gchar *path = g_build_filename (dir, "ocsp.der", NULL);
  gchar *missing = g_build_filename (dir, "missing.der", NULL);
  GBytes *a = g_bytes_new_static (resp_a, sizeof resp_a);
  gchar *pattern;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, (const char *) resp_a, sizeof resp_a, &error));
  assert_status (handshake (NULL, path, version), resp_a, sizeof resp_a);
  /* Refreshed: the next connection staples the new response. */
  g_assert_true (g_file_set_contents (path, (const char *) resp_b, sizeof resp_b, &error));
  assert_status (handshake (NULL, path, version), resp_b, sizeof resp_b);
  /* The file wins over the bytes. */
  assert_status (handshake (a, path, version), resp_b, sizeof resp_b);

  /* A missing file: one warning naming it, no staple, the handshake works. */
  pattern = g_strdup_printf ("Could not read the OCSP response file %s: *", missing);
  g_test_expect_message ("GLib-Net", G_LOG_LEVEL_WARNING, pattern);
  g_assert_null (handshake (NULL, missing, version));
  g_test_assert_expected_messages ();
  g_free (pattern);

  g_unlink (path);
  g_rmdir (dir);
  g_bytes_unref (a);
  g_free (missing);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("TLSLITE_SETTINGS_FILE", "/nonexistent/tlslite-settings.conf", TRUE);
  g_test_add_data_func ("/ocsp/bytes/tls1.2", "max-version=tls1.2", test_bytes);
  g_test_add_data_func ("/ocsp/bytes/tls1.3", "min-version=tls1.3", test_bytes);
  g_test_add_data_func ("/ocsp/file/tls1.2", "max-version=tls1.2", test_file);
  g_test_add_data_func ("/ocsp/file/tls1.3", "min-version=tls1.3", test_file);
  return g_test_run ();
}
