/* srp-login: an SRP password login through plain GIO (GIO_USE_TLS=tlslite), by property name. */
#include <gio/gio.h>

static void
on_event (GSocketClient *client, GSocketClientEvent event, GSocketConnectable *server, GIOStream *tls,
          char **argv)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_object_set (tls, "srp-username", argv[2], "srp-password", argv[3], NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *user = NULL;

  if (argc != 4)
    return 2;   /* usage: srp-login HOST:PORT USER PASSWORD */
  g_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (on_event), argv);
  if (!(conn = g_socket_client_connect_to_host (client, argv[1], 443, NULL, &error)))
    return g_printerr ("%s\n", error->message), 1;
  g_object_get (g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (conn)),
                "srp-username", &user, NULL);
  g_print ("logged in as %s\n", user);
  return 0;
}
