/* RFC 7633 must-staple through GIO in TLS 1.2: a tlscore server that staples (or not) and our GIO client. */
#include <gio/gio.h>
#include <string.h>

#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

/* Opaque to TLS; our client does not validate OCSP contents (x509.h). */
static const guint8 ocsp_resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00};

typedef struct {
  GSocketListener *listener;
  guint16 port;
  gboolean staple;
  GThread *thread;
  gboolean handshake_ok; /* the server side finished its handshake */
} Server;

static tc_config *
server_config (gboolean staple)
{
  tc_error err;
  tc_config *cfg = tc_config_new (TC_ROLE_SERVER);

  tc_error_clear (&err);
  pump_add_chain (cfg, "server-staple.pem", "server-rsa-key.pem");
  g_assert_cmpint (tc_config_set_versions (cfg, TC_TLS12, TC_TLS12, &err), ==, TC_OK);
  if (staple)
    g_assert_cmpint (tc_config_set_ocsp_response (cfg, ocsp_resp, sizeof ocsp_resp, &err), ==, TC_OK);
  return cfg;
}

/* Drive the engine over the accepted socket until the handshake is done
 * (then send one line) or it fails. */
static gpointer
server_thread (gpointer data)
{
  Server *srv = data;
  GError *error = NULL;
  GSocketConnection *conn = g_socket_listener_accept (srv->listener, NULL, NULL, &error);
  GInputStream *in;
  GOutputStream *out;
  tc_config *cfg;
  tc_conn *tc;
  tc_error err;
  gboolean sent = FALSE;

  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  cfg = server_config (srv->staple);
  tc_error_clear (&err);
  tc = tc_conn_new (cfg, &err);
  g_assert_nonnull (tc);
  for (;;)
    {
      unsigned st = tc_conn_status (tc);
      size_t n = 0;
      const guint8 *p = tc_conn_output (tc, &n);
      guint8 buf[16384];
      gssize r;

      if (p && n)
        {
          if (!g_output_stream_write_all (out, p, n, NULL, NULL, NULL))
            break;
          tc_conn_output_ack (tc, n);
          continue;
        }
      if (st & TC_S_FAILED)
        break;
      if ((st & TC_S_READY) && !sent)
        {
          size_t w = 0;
          srv->handshake_ok = TRUE;
          g_assert_cmpint (tc_conn_write (tc, (const guint8 *) "ok\n", 3, &w), ==, TC_OK);
          sent = TRUE;
          continue;
        }
      r = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
      if (r <= 0)
        break;
      for (gssize off = 0; off < r;)
        {
          size_t used = 0;
          if (tc_conn_feed (tc, buf + off, (size_t) (r - off), &used) == TC_FAIL || used == 0)
            break;
          off += (gssize) used;
        }
    }
  tc_conn_free (tc);
  tc_config_unref (cfg);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_object_unref (conn);
  return NULL;
}

static void
server_start (Server *srv, gboolean staple)
{
  GError *error = NULL;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound = NULL;

  memset (srv, 0, sizeof *srv);
  srv->staple = staple;
  srv->listener = g_socket_listener_new ();
  g_socket_listener_add_address (srv->listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  srv->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  srv->thread = g_thread_new ("staple-server", server_thread, srv);
}

static void
server_stop (Server *srv)
{
  g_thread_join (srv->thread);
  g_socket_listener_close (srv->listener);
  g_object_unref (srv->listener);
}

/* Our GIO client (GIO_USE_TLS=tlslite) against the stapling server,
 * verifying against ca-rsa.pem with every validation flag. */
static void
run_client (gboolean staple)
{
  GError *error = NULL;
  Server srv;
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *tcp;
  GIOStream *tls;
  GTlsDatabase *db;
  GSocketConnectable *identity = g_network_address_new ("localhost", 0);
  char *ca = g_build_filename (TEST_DATA_DIR, "ca-rsa.pem", NULL);
  char line[8] = {0};
  gsize got = 0;

  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_tls_backend_get_default ()), ==, "GTlsBackendTlslite");
  server_start (&srv, staple);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", srv.port, NULL, &error);
  g_assert_no_error (error);
  db = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), db);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_tls_client_connection_set_validation_flags (G_TLS_CLIENT_CONNECTION (tls),
                                                G_TLS_CERTIFICATE_VALIDATE_ALL);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (staple)
    {
      g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls)), ==,
                       G_TLS_PROTOCOL_VERSION_TLS_1_2);
      g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls)), ==, 0);
      g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (tls), line, 3, &got,
                                              NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "ok\n");
    }
  else
    {
      g_assert_false (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
      g_clear_error (&error);
      g_assert_true (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls)) &
                     G_TLS_CERTIFICATE_GENERIC_ERROR);
    }
  g_io_stream_close (tls, NULL, NULL);
  server_stop (&srv);
  g_assert_cmpint (srv.handshake_ok, ==, staple);
  g_object_unref (tls);
  g_object_unref (db);
  g_object_unref (tcp);
  g_object_unref (client);
  g_object_unref (identity);
  g_free (ca);
}

static void
test_with_staple (void)
{
  run_client (TRUE);
}

static void
test_without_staple (void)
{
  run_client (FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/staple12/must-staple/stapled", test_with_staple);
  g_test_add_func ("/staple12/must-staple/not-stapled", test_without_staple);
  return g_test_run ();
}
