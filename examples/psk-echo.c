/* Example: TLS with pre-shared keys through GIO: an echo server whose keys live in our shared-key database, and a client. */
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <tlslite-gio/tlslite.h>

static char *opt_db, *opt_add, *opt_hint, *opt_identity, *opt_key_hex, *opt_message = "hello over PSK";
static int opt_port;

static GOptionEntry entries[] = {
  {"db", 0, 0, G_OPTION_ARG_FILENAME, &opt_db, "server: shared-key database (SQLite file)", "FILE"},
  {"add", 0, 0, G_OPTION_ARG_STRING, &opt_add, "server: first store key HEX for identity ID in the database", "ID:HEX"},
  {"hint", 0, 0, G_OPTION_ARG_STRING, &opt_hint, "server: PSK identity hint to send (TLS 1.2)", "HINT"},
  {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "client: server port on 127.0.0.1", "PORT"},
  {"psk-identity", 0, 0, G_OPTION_ARG_STRING, &opt_identity, "client: PSK identity", "ID"},
  {"psk-key", 0, 0, G_OPTION_ARG_STRING, &opt_key_hex, "client: PSK in hex", "HEX"},
  {"message", 0, 0, G_OPTION_ARG_STRING, &opt_message, "client: line to send", "TEXT"},
  {NULL}};

static GBytes *hex_to_bytes(const char *hex) {
  size_t n = strlen(hex);
  if (n == 0 || n % 2)
    return NULL;
  guint8 *key = g_malloc(n / 2);
  for (size_t i = 0; i < n / 2; i++) {
    int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      g_free(key);
      return NULL;
    }
    key[i] = (guint8)(hi << 4 | lo);
  }
  return g_bytes_new_take(key, n / 2);
}

static const char *version_name(GTlsConnection *tls) {
  return g_tls_connection_get_protocol_version(tls) == G_TLS_PROTOCOL_VERSION_TLS_1_3 ? "TLS 1.3" : "TLS 1.2";
}

/* One thread per connection: handshake against the database, then echo lines until EOF. */
static gboolean serve(GThreadedSocketService *service, GSocketConnection *conn, GObject *source,
                      gpointer data) {
  GError *error = NULL;
  /* No certificate: the shared key authenticates both sides. */
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(conn), NULL, &error);
  GDataInputStream *in = NULL;
  if (!tls)
    goto out;
  /* The connection opens the database file read-only itself (plain property names). */
  g_object_set(tls, "shared-key-database-path", opt_db, NULL);
  if (opt_hint)
    g_object_set(tls, "psk-identity-hint", opt_hint, NULL);
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error))
    goto out;
  char *who = NULL, *suite = g_tls_connection_get_ciphersuite_name(G_TLS_CONNECTION(tls));
  g_object_get(tls, "psk-identity", &who, NULL);
  printf("client \"%s\" authenticated by its shared key, %s, %s\n", who ? who : "?",
         version_name(G_TLS_CONNECTION(tls)), suite);
  fflush(stdout);
  g_free(who);
  g_free(suite);
  in = g_data_input_stream_new(g_io_stream_get_input_stream(tls));
  g_filter_input_stream_set_close_base_stream(G_FILTER_INPUT_STREAM(in), FALSE);
  char *line;
  gsize len;
  while ((line = g_data_input_stream_read_line(in, &len, NULL, &error))) {
    char *reply = g_strdup_printf("psk echo: %s\n", line);
    gboolean ok = g_output_stream_write_all(g_io_stream_get_output_stream(tls), reply,
                                            strlen(reply), NULL, NULL, &error);
    g_free(reply);
    g_free(line);
    if (!ok)
      break;
  }
  if (!error)
    g_io_stream_close(tls, NULL, &error);
out:
  if (error) {
    g_printerr("connection failed: %s\n", error->message);
    g_error_free(error);
  }
  g_clear_object(&in);
  g_clear_object(&tls);
  return TRUE;
}

/* SIGTERM and SIGINT end the server cleanly, so leak checkers see a normal exit. */
static gboolean quit(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static int run_server(void) {
  GError *error = NULL;
  if (opt_add) {
    /* The typed API of libtlslite-gio: create the database and store the key. */
    char **parts = g_strsplit(opt_add, ":", 2);
    GBytes *key = parts[0] && parts[1] ? hex_to_bytes(parts[1]) : NULL;
    TlsliteSharedKeyDatabase *db = key ? tlslite_shared_key_database_new(opt_db, TLSLITE_DATABASE_FLAGS_CREATE, &error) : NULL;
    gboolean ok = db && tlslite_shared_key_database_add_key(db, parts[0], key, TRUE, &error);
    if (!ok)
      g_printerr("--add %s: %s\n", parts[0], error ? error->message : "expected ID:HEX");
    g_clear_error(&error);
    g_clear_object(&db);
    if (key)
      g_bytes_unref(key);
    g_strfreev(parts);
    if (!ok)
      return 1;
  }
  GSocketService *service = g_threaded_socket_service_new(8);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, 0), *bound = NULL;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), addr, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error)) {
    g_printerr("listen: %s\n", error->message);
    return 1;
  }
  printf("PORT %u\n", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  fflush(stdout);
  g_signal_connect(service, "run", G_CALLBACK(serve), NULL);
  g_socket_service_start(service);
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, quit, loop);
  g_unix_signal_add(SIGINT, quit, loop);
  g_main_loop_run(loop);
  g_socket_service_stop(service);
  g_socket_listener_close(G_SOCKET_LISTENER(service));
  g_object_unref(service);
  g_object_unref(bound);
  g_object_unref(addr);
  g_object_unref(lo);
  g_main_loop_unref(loop);
  return 0;
}

static int run_client(void) {
  GError *error = NULL;
  GBytes *key = hex_to_bytes(opt_key_hex);
  if (!key) {
    g_printerr("--psk-key: not hex\n");
    return 2;
  }
  GSocketClient *client = g_socket_client_new();
  g_socket_client_set_timeout(client, 20);
  GSocketConnection *tcp = g_socket_client_connect_to_host(client, "127.0.0.1", opt_port, NULL, &error);
  GIOStream *tls = NULL;
  gboolean ok = FALSE;
  if (tcp) {
    GSocketConnectable *id = g_network_address_new("localhost", opt_port);
    tls = g_tls_client_connection_new(G_IO_STREAM(tcp), id, &error);
    g_object_unref(id);
  }
  if (tls) {
    g_object_set(tls, "psk-identity", opt_identity, "psk-key", key, NULL);
    ok = g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error);
  }
  if (ok) {
    char *suite = g_tls_connection_get_ciphersuite_name(G_TLS_CONNECTION(tls)), *hint = NULL;
    g_object_get(tls, "psk-identity-hint", &hint, NULL);
    printf("TLS: %s, %s, hint %s\n", version_name(G_TLS_CONNECTION(tls)), suite, hint ? hint : "(none)");
    g_free(suite);
    g_free(hint);
    char *line = g_strconcat(opt_message, "\n", NULL), buf[512];
    gsize got = 0, n;
    ok = g_output_stream_write_all(g_io_stream_get_output_stream(tls), line, strlen(line), NULL, NULL, &error);
    /* Read until the echoed line is complete (or the peer stops). */
    while (ok && got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
      ok = g_input_stream_read_all(g_io_stream_get_input_stream(tls), buf + got, 1, &n, NULL, &error) && n == 1;
      got += n;
    }
    buf[got] = 0;
    g_free(line);
    if (ok)
      printf("got: %s", buf);
    ok = ok && g_io_stream_close(tls, NULL, &error);
  }
  if (!ok)
    g_printerr("psk client: %s\n", error ? error->message : "connection closed");
  g_clear_error(&error);
  g_clear_object(&tls);
  g_clear_object(&tcp);
  g_object_unref(client);
  g_bytes_unref(key);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("server|client - echo over TLS with a pre-shared key");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
    g_printerr("usage: psk-echo server --db FILE [--add ID:HEX] [--hint H] | client --port P "
               "--psk-identity ID --psk-key HEX%s%s\n", error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  if (strcmp(argv[1], "server") == 0 && opt_db)
    return run_server();
  if (strcmp(argv[1], "client") == 0 && opt_port && opt_identity && opt_key_hex)
    return run_client();
  g_printerr("usage: psk-echo server --db FILE | client --port P --psk-identity ID --psk-key HEX\n");
  return 2;
}
