/* A plain GIO TLS client (GSocketClient, tls=TRUE) used to test the backend against real servers. */
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

static char *opt_connect, *opt_ca, *opt_send = "hello tlslite", *opt_expect, *opt_backend;
static char *opt_cert;
static gboolean opt_async;

static GOptionEntry entries[] = {
  {"connect", 0, 0, G_OPTION_ARG_STRING, &opt_connect, "HOST:PORT to connect to", "HOST:PORT"},
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "CA file (GTlsFileDatabase)", "FILE"},
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "client certificate+key PEM", "FILE"},
  {"send", 0, 0, G_OPTION_ARG_STRING, &opt_send, "line to send", "TEXT"},
  {"expect", 0, 0, G_OPTION_ARG_STRING, &opt_expect, "text the reply must contain", "TEXT"},
  {"backend", 0, 0, G_OPTION_ARG_STRING, &opt_backend, "expected GTlsBackend type name", "NAME"},
  {"async", 0, 0, G_OPTION_ARG_NONE, &opt_async, "use the async API in a main loop", NULL},
  {NULL}};

static GTlsDatabase *database;
static GTlsCertificate *client_cert;

static void on_event(GSocketClient *client, GSocketClientEvent event, GSocketConnectable *c,
                     GIOStream *conn, gpointer data) {
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING) {
    g_tls_connection_set_database(G_TLS_CONNECTION(conn), database);
    if (client_cert)
      g_tls_connection_set_certificate(G_TLS_CONNECTION(conn), client_cert);
  }
}

typedef struct {
  GMainLoop *loop;
  GSocketConnection *conn;
  GError *error;
} AsyncState;

static void connected_cb(GObject *src, GAsyncResult *res, gpointer data) {
  AsyncState *st = data;
  st->conn = g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(src), res, &st->error);
  g_main_loop_quit(st->loop);
}

static const char *version_name(GTlsProtocolVersion v) {
  switch (v) {
  case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLSv1.3";
  case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLSv1.2";
  case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLSv1.1";
  case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLSv1.0";
  case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSLv3";
  default: return "unknown";
  }
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- GIO TLS test client");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_connect || !opt_ca) {
    g_printerr("usage: gio-client --connect HOST:PORT --ca FILE [--expect TEXT]: %s\n",
               error ? error->message : "missing option");
    return 2;
  }
  g_option_context_free(ctx);

  const char *type = G_OBJECT_TYPE_NAME(g_tls_backend_get_default());
  g_printerr("backend: %s\n", type);
  if (opt_backend && strcmp(type, opt_backend) != 0) {
    g_printerr("wrong backend: %s, expected %s\n", type, opt_backend);
    return 1;
  }

  database = g_tls_file_database_new(opt_ca, &error);
  if (!database) {
    g_printerr("CA file: %s\n", error->message);
    return 1;
  }
  if (opt_cert) {
    client_cert = g_tls_certificate_new_from_file(opt_cert, &error);
    if (!client_cert) {
      g_printerr("client certificate: %s\n", error->message);
      return 1;
    }
  }

  GSocketClient *client = g_socket_client_new();
  g_socket_client_set_tls(client, TRUE);
  g_socket_client_set_timeout(client, 20);
  g_signal_connect(client, "event", G_CALLBACK(on_event), NULL);

  GSocketConnection *conn;
  if (opt_async) {
    AsyncState st = {g_main_loop_new(NULL, FALSE), NULL, NULL};
    g_socket_client_connect_to_host_async(client, opt_connect, 443, NULL, connected_cb, &st);
    g_main_loop_run(st.loop);
    g_main_loop_unref(st.loop);
    conn = st.conn;
    error = st.error;
  } else {
    conn = g_socket_client_connect_to_host(client, opt_connect, 443, NULL, &error);
  }
  if (!conn) {
    g_printerr("connect: %s\n", error->message);
    return 1;
  }
  GIOStream *tls = g_tcp_wrapper_connection_get_base_io_stream(G_TCP_WRAPPER_CONNECTION(conn));
  g_assert(G_IS_TLS_CONNECTION(tls));
  GTlsConnection *tc = G_TLS_CONNECTION(tls);
  char *suite = g_tls_connection_get_ciphersuite_name(tc);
  g_printerr("version: %s\nciphersuite: %s\n", version_name(g_tls_connection_get_protocol_version(tc)),
             suite);
  g_free(suite);

  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  char *line = g_strdup_printf("%s\n", opt_send);
  if (!g_output_stream_write_all(out, line, strlen(line), NULL, NULL, &error)) {
    g_printerr("write: %s\n", error->message);
    return 1;
  }
  g_free(line);

  GString *reply = g_string_new(NULL);
  char buf[4096];
  while (!opt_expect || !strstr(reply->str, opt_expect)) {
    gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, &error);
    if (n < 0) {
      g_printerr("read: %s\n", error->message);
      return 1;
    }
    if (n == 0)
      break;
    g_string_append_len(reply, buf, n);
  }
  g_print("%s", reply->str);
  if (opt_expect && !strstr(reply->str, opt_expect)) {
    g_printerr("reply does not contain \"%s\"\n", opt_expect);
    return 1;
  }
  g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
  g_object_unref(conn);
  g_object_unref(client);
  g_string_free(reply, TRUE);
  g_object_unref(database);
  g_clear_object(&client_cert);
  return 0;
}
