/* Demo: a GIO TLS server and client over loopback through the tlslite module: a certificate connection and SRP password logins, printing what each negotiated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
/* Only for the server's verifier database and the SRP error domain: the connections themselves
 * are plain GIO, and SRP is set on them by property name. */
#include <tlslite-gio/tlslite.h>

#ifndef DEMO_DATA_DIR
#error "DEMO_DATA_DIR must name the directory with the test certificates"
#endif

#define N_CONNECTIONS 3

static void check(gboolean ok, GError *error, const char *what)
{
  if (!ok) {
    fprintf(stderr, "demo: %s: %s\n", what, error ? error->message : "failed");
    exit(1);
  }
}

typedef struct {
  GSocketListener *listener;
  GTlsCertificate *cert;
  TlsliteVerifierDatabase *users;
} server_setup;

/* The server, in its own thread because both ends use blocking calls. Each connection offers
 * the certificate and the SRP users at once; the client's choice decides. It answers one line,
 * saying who the client logged in as. */
static gpointer serve(gpointer data)
{
  server_setup *s = data;
  for (int i = 0; i < N_CONNECTIONS; i++) {
    GError *error = NULL;
    GSocketConnection *plain = g_socket_listener_accept(s->listener, NULL, NULL, &error);
    check(plain != NULL, error, "accept");
    GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(plain), s->cert, &error);
    check(tls != NULL, error, "server connection");
    g_object_set(tls, "verifier-database", s->users, NULL);

    if (g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error)) {
      char *user = NULL;
      g_object_get(tls, "srp-username", &user, NULL);   /* NULL: no SRP login */
      char line[256];
      gssize n = g_input_stream_read(g_io_stream_get_input_stream(tls), line, sizeof line - 1,
                                     NULL, &error);
      check(n > 0, error, "server read");
      char *reply = g_strdup_printf("hello, %s\n", user ? user : "certificate client");
      check(g_output_stream_write_all(g_io_stream_get_output_stream(tls), reply, strlen(reply),
                                      NULL, NULL, &error), error, "server write");
      g_free(reply);
      g_free(user);
      g_io_stream_close(tls, NULL, NULL);
    } else {
      /* A refused login ends here; the server goes on with the next client. */
      g_clear_error(&error);
    }
    g_object_unref(tls);
    g_object_unref(plain);
  }
  return NULL;
}

/* One client connection: TCP, then TLS trusting the test CA and checking the name "localhost";
 * with USER, an SRP login. Prints what was negotiated and the server's answer. Returns whether
 * the handshake succeeded. */
static gboolean connect_once(guint16 port, GTlsDatabase *ca, const char *user, const char *password)
{
  GError *error = NULL;
  GSocketClient *sc = g_socket_client_new();
  GSocketConnection *plain = g_socket_client_connect_to_host(sc, "127.0.0.1", port, NULL, &error);
  check(plain != NULL, error, "connect");
  GSocketConnectable *identity = g_network_address_new("localhost", port);
  GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(plain), identity, &error);
  check(tls != NULL, error, "client connection");
  GTlsConnection *conn = G_TLS_CONNECTION(tls);
  g_tls_connection_set_database(conn, ca);
  if (user != NULL)
    g_object_set(conn, "srp-username", user, "srp-password", password, NULL);

  gboolean ok = g_tls_connection_handshake(conn, NULL, &error);
  if (!ok) {
    /* A wrong user or password is TLSLITE_AUTH_ERROR_SRP_FAILED; the client cannot tell which. */
    printf("  refused:      %s%s\n", error->message,
           g_error_matches(error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED)
               ? " (TLSLITE_AUTH_ERROR_SRP_FAILED)" : "");
    g_error_free(error);
  } else {
    /* What was negotiated, as GIO reports it, plus the backend's own properties. */
    static const char *const versions[] = {"?", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"};
    GTlsProtocolVersion v = g_tls_connection_get_protocol_version(conn);
    char *suite = g_tls_connection_get_ciphersuite_name(conn), *subject = NULL, *login = NULL;
    g_object_get(g_tls_connection_get_peer_certificate(conn), "subject-name", &subject, NULL);
    g_object_get(conn, "srp-username", &login, NULL);
    printf("  protocol:     %s\n", v < G_N_ELEMENTS(versions) ? versions[v] : "?");
    printf("  cipher suite: %s\n", suite);
    printf("  server:       %s (%s)\n", subject,
           g_tls_connection_get_peer_certificate_errors(conn) == 0 ? "verified" : "NOT verified");
    printf("  SRP user:     %s\n", login ? login : "none");

    /* One line there, one back. */
    char answer[256] = "";
    gsize got = 0;
    check(g_output_stream_write_all(g_io_stream_get_output_stream(tls), "hi\n", 3, NULL, NULL,
                                    &error), error, "client write");
    /* The server closes after its line: read to the end. */
    check(g_input_stream_read_all(g_io_stream_get_input_stream(tls), answer, sizeof answer - 1,
                                  &got, NULL, &error), error, "client read");
    printf("  server says:  %s", answer);
    g_io_stream_close(tls, NULL, NULL);
    g_free(suite);
    g_free(subject);
    g_free(login);
  }
  g_object_unref(tls);
  g_object_unref(identity);
  g_object_unref(plain);
  g_object_unref(sc);
  return ok;
}

int main(void)
{
  GError *error = NULL;

  /* GIO picks the backend: GIO_USE_TLS=tlslite (run-demo.sh sets it) selects this project's. */
  GTlsBackend *backend = g_tls_backend_get_default();
  printf("TLS backend: %s\n", G_OBJECT_TYPE_NAME(backend));

  /* The server's credentials: a certificate, and SRP users in a verifier database (in memory
   * here; `gtls-tool db` makes SQLite files, which "verifier-database-path" opens). */
  server_setup s = {0};
  s.cert = g_tls_certificate_new_from_files(DEMO_DATA_DIR "/server-rsa.pem",
                                            DEMO_DATA_DIR "/server-rsa-key.pem", &error);
  check(s.cert != NULL, error, "server certificate");
  s.users = tlslite_verifier_database_new(NULL, TLSLITE_DATABASE_FLAGS_NONE, &error);
  check(s.users != NULL, error, "verifier database");
  check(tlslite_verifier_database_add_user(s.users, "alice", "rabbit", 2048, &error), error, "add alice");

  /* A listener on a free loopback port, served by a thread. */
  s.listener = g_socket_listener_new();
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any_port = g_inet_socket_address_new(lo, 0), *bound = NULL;
  check(g_socket_listener_add_address(s.listener, any_port, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error), error, "listen");
  guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  GThread *server = g_thread_new("server", serve, &s);

  GTlsDatabase *ca = g_tls_file_database_new(DEMO_DATA_DIR "/ca-rsa.pem", &error);
  check(ca != NULL, error, "CA file");
  printf("Certificate connection to localhost:%u\n", port);
  gboolean cert_ok = connect_once(port, ca, NULL, NULL);
  /* The wrong password first: after a good login GIO would resume alice's session, which
   * proves the earlier login, not this password. */
  printf("SRP login as alice with a wrong password\n");
  gboolean wrong_ok = connect_once(port, ca, "alice", "carrot");
  printf("SRP login as alice\n");
  gboolean srp_ok = connect_once(port, ca, "alice", "rabbit");

  g_thread_join(server);
  g_object_unref(ca);
  g_object_unref(bound);
  g_object_unref(any_port);
  g_object_unref(lo);
  g_object_unref(s.listener);
  g_object_unref(s.users);
  g_object_unref(s.cert);
  /* Only a tlslite run where both logins went as they should counts as the demo. */
  return cert_ok && srp_ok && !wrong_ok &&
         g_str_has_suffix(G_OBJECT_TYPE_NAME(backend), "Tlslite") ? 0 : 1;
}
