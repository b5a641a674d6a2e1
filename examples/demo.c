/* Demo: a GIO TLS server and client in one process over loopback, through the tlslite module, printing what they negotiated. */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef DEMO_DATA_DIR
#error "DEMO_DATA_DIR must name the directory with the test certificates"
#endif

static void check(gboolean ok, GError *error, const char *what)
{
  if (!ok) {
    fprintf(stderr, "demo: %s: %s\n", what, error ? error->message : "failed");
    exit(1);
  }
}

/* The server: one connection, handshake, echo one line back, close. Runs in its own thread
 * because both ends use blocking calls. */
static gpointer serve_one(gpointer data)
{
  GSocketListener *listener = data;
  GError *error = NULL;
  GSocketConnection *plain = g_socket_listener_accept(listener, NULL, NULL, &error);
  check(plain != NULL, error, "accept");

  GTlsCertificate *cert = g_tls_certificate_new_from_files(
      DEMO_DATA_DIR "/server-rsa.pem", DEMO_DATA_DIR "/server-rsa-key.pem", &error);
  check(cert != NULL, error, "server certificate");
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(plain), cert, &error);
  check(tls != NULL, error, "server connection");
  check(g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error), error, "server handshake");

  char line[256];
  gssize n = g_input_stream_read(g_io_stream_get_input_stream(tls), line, sizeof line, NULL, &error);
  check(n > 0, error, "server read");
  check(g_output_stream_write_all(g_io_stream_get_output_stream(tls), line, (gsize)n, NULL, NULL,
                                  &error), error, "server write");
  g_io_stream_close(tls, NULL, NULL);
  g_object_unref(tls);
  g_object_unref(cert);
  g_object_unref(plain);
  return NULL;
}

int main(void)
{
  GError *error = NULL;

  /* GIO picks the backend: GIO_USE_TLS=tlslite (run-demo.sh sets it) selects this project's. */
  GTlsBackend *backend = g_tls_backend_get_default();
  printf("TLS backend: %s\n", G_OBJECT_TYPE_NAME(backend));

  /* A listener on a free loopback port; the server thread accepts one connection on it. */
  GSocketListener *listener = g_socket_listener_new();
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any_port = g_inet_socket_address_new(lo, 0), *bound = NULL;
  check(g_socket_listener_add_address(listener, any_port, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error), error, "listen");
  guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  GThread *server = g_thread_new("server", serve_one, listener);

  /* The client: connect, then TLS on top, trusting the test CA and checking the name "localhost". */
  GSocketClient *sc = g_socket_client_new();
  GSocketConnection *plain = g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, &error);
  check(plain != NULL, error, "connect");
  GSocketConnectable *identity = g_network_address_new("localhost", port);
  GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(plain), identity, &error);
  check(tls != NULL, error, "client connection");
  GTlsDatabase *ca = g_tls_file_database_new(DEMO_DATA_DIR "/ca-rsa.pem", &error);
  check(ca != NULL, error, "CA file");
  g_tls_connection_set_database(G_TLS_CONNECTION(tls), ca);
  check(g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error), error, "client handshake");

  /* What was negotiated, as GIO reports it. */
  GTlsConnection *conn = G_TLS_CONNECTION(tls);
  static const char *const versions[] = {"?", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"};
  GTlsProtocolVersion v = g_tls_connection_get_protocol_version(conn);
  char *suite = g_tls_connection_get_ciphersuite_name(conn), *subject = NULL;
  g_object_get(g_tls_connection_get_peer_certificate(conn), "subject-name", &subject, NULL);
  printf("Certificate connection to localhost:%u\n", port);
  printf("  protocol:     %s\n", v < G_N_ELEMENTS(versions) ? versions[v] : "?");
  printf("  cipher suite: %s\n", suite);
  printf("  server:       %s (%s)\n", subject,
         g_tls_connection_get_peer_certificate_errors(conn) == 0 ? "verified" : "NOT verified");

  /* One line there and back. */
  const char msg[] = "hello over TLS\n";
  char echo[sizeof msg] = "";
  gsize got = 0;
  check(g_output_stream_write_all(g_io_stream_get_output_stream(tls), msg, sizeof msg - 1, NULL,
                                  NULL, &error), error, "client write");
  check(g_input_stream_read_all(g_io_stream_get_input_stream(tls), echo, sizeof msg - 1, &got,
                                NULL, &error) && got == sizeof msg - 1, error, "client read");
  printf("  echoed:       %s", echo);

  g_io_stream_close(tls, NULL, NULL);
  g_thread_join(server);
  g_free(suite);
  g_free(subject);
  g_object_unref(ca);
  g_object_unref(tls);
  g_object_unref(identity);
  g_object_unref(plain);
  g_object_unref(sc);
  g_object_unref(bound);
  g_object_unref(any_port);
  g_object_unref(lo);
  g_object_unref(listener);
  /* Only a tlslite run counts as the demo. */
  return g_str_has_suffix(G_OBJECT_TYPE_NAME(backend), "Tlslite") ? 0 : 1;
}
