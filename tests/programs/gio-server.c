/* A plain GIO TLS server (GThreadedSocketService + GTlsServerConnection) that echoes one line per connection. */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static char *opt_cert, *opt_backend;
static int opt_count = 1;
static char *opt_ca;
static gboolean opt_require_client;

static GOptionEntry entries[] = {
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "server certificate+key PEM", "FILE"},
  {"count", 0, 0, G_OPTION_ARG_INT, &opt_count, "connections to serve before exiting", "N"},
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "CA file for client certificates", "FILE"},
  {"require-client-cert", 0, 0, G_OPTION_ARG_NONE, &opt_require_client, "require a client certificate", NULL},
  {"backend", 0, 0, G_OPTION_ARG_STRING, &opt_backend, "expected GTlsBackend type name", "NAME"},
  {NULL}};

static GTlsCertificate *cert;
static GTlsDatabase *database;
static GMainLoop *loop;
static gint served, failures;

static gboolean quit_idle(gpointer data) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static gboolean on_accept(GTlsConnection *conn, GTlsCertificate *peer, GTlsCertificateFlags errors,
                          gpointer data) {
  /* Servers get this signal for every client certificate; accept only clean ones. */
  if (errors)
    g_printerr("client certificate rejected, errors 0x%x\n", errors);
  return errors == 0;
}

static gboolean handle(GThreadedSocketService *service, GSocketConnection *conn,
                       GObject *source, gpointer data) {
  GError *error = NULL;
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(conn), cert, &error);
  gboolean ok = FALSE;
  if (!tls)
    goto out;
  if (database) {
    g_tls_connection_set_database(G_TLS_CONNECTION(tls), database);
  }
  g_signal_connect(tls, "accept-certificate", G_CALLBACK(on_accept), NULL);
  if (opt_require_client)
    g_object_set(tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error))
    goto out;
  if (opt_require_client && !g_tls_connection_get_peer_certificate(G_TLS_CONNECTION(tls))) {
    g_printerr("no client certificate\n");
    goto out;
  }
  GDataInputStream *din = g_data_input_stream_new(g_io_stream_get_input_stream(tls));
  g_filter_input_stream_set_close_base_stream(G_FILTER_INPUT_STREAM(din), FALSE);
  gsize len;
  char *line = g_data_input_stream_read_line(din, &len, NULL, &error);
  g_object_unref(din);
  if (!line)
    goto out;
  char *reply = g_strdup_printf("echo: %s\n", line);
  g_free(line);
  ok = g_output_stream_write_all(g_io_stream_get_output_stream(tls), reply, strlen(reply), NULL,
                                 NULL, &error);
  g_free(reply);
  if (ok)
    ok = g_io_stream_close(tls, NULL, &error);
out:
  if (error) {
    g_printerr("connection failed: %s\n", error->message);
    g_error_free(error);
  }
  if (!ok)
    g_atomic_int_inc(&failures);
  g_clear_object(&tls);
  if (g_atomic_int_add(&served, 1) + 1 >= opt_count)
    g_idle_add(quit_idle, NULL);
  return TRUE;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- GIO TLS test server");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_cert) {
    g_printerr("usage: gio-server --cert FILE [--count N]: %s\n", error ? error->message : "missing --cert");
    return 2;
  }
  g_option_context_free(ctx);
  const char *type = G_OBJECT_TYPE_NAME(g_tls_backend_get_default());
  if (opt_backend && strcmp(type, opt_backend) != 0) {
    g_printerr("wrong backend: %s, expected %s\n", type, opt_backend);
    return 1;
  }
  cert = g_tls_certificate_new_from_file(opt_cert, &error);
  if (!cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  if (opt_ca) {
    database = g_tls_file_database_new(opt_ca, &error);
    if (!database) {
      g_printerr("CA: %s\n", error->message);
      return 1;
    }
  }
  GSocketService *service = g_threaded_socket_service_new(4);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, 0);
  GSocketAddress *bound = NULL;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), addr, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error)) {
    g_printerr("listen: %s\n", error->message);
    return 1;
  }
  printf("PORT %u\n", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  fflush(stdout);
  g_signal_connect(service, "run", G_CALLBACK(handle), NULL);
  loop = g_main_loop_new(NULL, FALSE);
  g_socket_service_start(service);
  g_main_loop_run(loop);
  g_socket_service_stop(service);
  g_socket_listener_close(G_SOCKET_LISTENER(service));
  g_object_unref(service);
  g_object_unref(addr);
  g_object_unref(bound);
  g_object_unref(lo);
  g_object_unref(cert);
  g_clear_object(&database);
  g_main_loop_unref(loop);
  g_printerr("served %d, failed %d\n", served, failures);
  return failures ? 1 : 0;
}
