/* Closing a connection whose async handshake is still pending: the close returns at once and the handshake fails with G_IO_ERROR_CLOSED. */
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

/*
 * The peer (the other end of a socketpair) never answers, so the async
 * handshake parks waiting for the network. A blocking g_io_stream_close()
 * with no main loop running used to wait forever for it (libsoup closes
 * its server connections that way at exit); glib-networking's close ends
 * the handshake instead. A watchdog thread turns a hang into a failure.
 */

typedef struct
{
  gboolean done;
  GError *error;
} HandshakeResult;

static void
handshake_done (GObject *object, GAsyncResult *result, gpointer data)
{
  HandshakeResult *r = data;

  g_assert_false (g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &r->error));
  r->done = TRUE;
}

static gint watchdog_armed;

static gpointer
watchdog (gpointer data)
{
  guint i;

  for (i = 0; i < 300 && g_atomic_int_get (&watchdog_armed); i++)
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  if (g_atomic_int_get (&watchdog_armed))
    g_error ("g_io_stream_close() did not return within 30 s");
  return NULL;
}

/* One end of a socketpair as a GSocketConnection; *peer_fd is the other. */
static GIOStream *
socket_end (int *peer_fd)
{
  int fds[2];
  GError *error = NULL;
  GSocket *sock;
  GIOStream *conn;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  sock = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  conn = G_IO_STREAM (g_socket_connection_factory_create_connection (sock));
  g_object_unref (sock);
  *peer_fd = fds[1];
  return conn;
}

static GIOStream *
make_tls (gboolean server, GIOStream *base)
{
  GError *error = NULL;
  GIOStream *tls;

  if (server)
    {
      gchar *cert_file = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
      gchar *key_file = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
      GTlsCertificate *cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);

      g_assert_no_error (error);
      tls = g_tls_server_connection_new (base, cert, &error);
      g_object_unref (cert);
      g_free (cert_file);
      g_free (key_file);
    }
  else
    {
      GSocketConnectable *id = g_network_address_new ("localhost", 443);

      tls = g_tls_client_connection_new (base, id, &error);
      g_object_unref (id);
    }
  g_assert_no_error (error);
  return tls;
}

/* Let the handshake send what it can and park (nothing comes back). */
static void
run_until_parked (void)
{
  gint64 end = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_close_pending (gconstpointer data)
{
  gboolean server = GPOINTER_TO_INT (data);
  int peer;
  GIOStream *base = socket_end (&peer);
  GIOStream *tls = make_tls (server, base);
  HandshakeResult r = { FALSE, NULL };
  GError *error = NULL;
  GThread *dog;
  guint i;

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done, &r);
  run_until_parked ();
  g_assert_false (r.done);

  /* No main loop runs now, as at a program's exit. */
  g_atomic_int_set (&watchdog_armed, 1);
  dog = g_thread_new ("watchdog", watchdog, NULL);
  g_assert_true (g_io_stream_close (tls, NULL, &error));
  g_assert_no_error (error);
  g_atomic_int_set (&watchdog_armed, 0);
  g_thread_join (dog);
  g_assert_true (g_io_stream_is_closed (tls));
  g_assert_true (g_io_stream_is_closed (base));

  /* The handshake's callback comes when its context iterates. */
  for (i = 0; i < 1000 && !r.done; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&r.error);

  /* Later operations report the closed connection, and nothing hangs. */
  g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_object_unref (tls);
  g_object_unref (base);
  close (peer);
}

typedef struct
{
  GIOStream *tls;
  gboolean closed;
  GError *error;
} CloseInLoop;

static gboolean
close_from_loop (gpointer data)
{
  CloseInLoop *c = data;

  c->closed = g_io_stream_close (c->tls, NULL, &c->error);
  return G_SOURCE_REMOVE;
}

/* The same from inside the handshake's own main loop (a timeout, a
 * cancelled request): the close does not refuse as "blocking operation
 * during handshake", since nothing of the handshake is running. */
static void
test_close_pending_in_loop (void)
{
  int peer;
  GIOStream *base = socket_end (&peer);
  GIOStream *tls = make_tls (FALSE, base);
  HandshakeResult r = { FALSE, NULL };
  CloseInLoop c = { tls, FALSE, NULL };
  guint i;

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done, &r);
  run_until_parked ();
  g_idle_add (close_from_loop, &c);
  for (i = 0; i < 1000 && !(r.done && c.closed); i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (c.error);
  g_assert_true (c.closed);
  g_assert_true (r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&r.error);
  g_object_unref (tls);
  g_object_unref (base);
  close (peer);
}

static void
close_async_done (GObject *object, GAsyncResult *result, gpointer data)
{
  CloseInLoop *c = data;

  c->closed = g_io_stream_close_finish (G_IO_STREAM (object), result, &c->error);
}

/* And g_io_stream_close_async during the pending handshake. */
static void
test_close_async_pending (void)
{
  int peer;
  GIOStream *base = socket_end (&peer);
  GIOStream *tls = make_tls (TRUE, base);
  HandshakeResult r = { FALSE, NULL };
  CloseInLoop c = { tls, FALSE, NULL };
  guint i;

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done, &r);
  run_until_parked ();
  g_io_stream_close_async (tls, G_PRIORITY_DEFAULT, NULL, close_async_done, &c);
  for (i = 0; i < 1000 && !(r.done && c.closed); i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (c.error);
  g_assert_true (c.closed);
  g_assert_true (r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&r.error);
  g_object_unref (tls);
  g_object_unref (base);
  close (peer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/close/pending-handshake/client", GINT_TO_POINTER (FALSE), test_close_pending);
  g_test_add_data_func ("/close/pending-handshake/server", GINT_TO_POINTER (TRUE), test_close_pending);
  g_test_add_func ("/close/pending-handshake/from-main-loop", test_close_pending_in_loop);
  g_test_add_func ("/close/pending-handshake/async-close", test_close_async_pending);
  return g_test_run ();
}
