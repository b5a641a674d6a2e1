/* Example: STARTTLS-style upgrade mid-stream (Twisted's Echo2): plain-text echo, then TLS on the same socket. */
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

static char *opt_cert, *opt_ca, *opt_initiator = "client";
static int opt_port;

static GOptionEntry entries[] = {
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "server: certificate and key (PEM)", "FILE"},
  {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "client: server port on 127.0.0.1", "PORT"},
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "client: trust only the CAs in FILE", "FILE"},
  {"initiator", 0, 0, G_OPTION_ARG_STRING, &opt_initiator,
   "client: who asks for the upgrade, \"client\" (like SMTP) or \"server\"", "WHO"},
  {NULL}};

/* Read one line a byte at a time: a buffered reader could swallow the first TLS bytes that
 * follow the line, and the TLS connection built on the same stream would never see them. */
static char *read_line(GIOStream *s, GError **error) {
  GString *line = g_string_new(NULL);
  for (;;) {
    char ch;
    gssize n = g_input_stream_read(g_io_stream_get_input_stream(s), &ch, 1, NULL, error);
    if (n <= 0) {
      if (n == 0)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "connection closed");
      g_string_free(line, TRUE);
      return NULL;
    }
    if (ch == '\n')
      return g_string_free(line, FALSE);
    if (line->len > 1000) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line too long");
      g_string_free(line, TRUE);
      return NULL;
    }
    g_string_append_c(line, ch);
  }
}

static gboolean write_line(GIOStream *s, const char *text, GError **error) {
  char *line = g_strconcat(text, "\n", NULL);
  gboolean ok = g_output_stream_write_all(g_io_stream_get_output_stream(s), line, strlen(line),
                                          NULL, NULL, error);
  g_free(line);
  return ok;
}

/* The server echoes each line. "STARTTLS" from the client, or "UPGRADE-ME" (which makes the
 * server announce the upgrade itself), switches the same socket to TLS; the echo goes on. */
static gboolean serve(GThreadedSocketService *service, GSocketConnection *conn, GObject *source,
                      gpointer cert) {
  GError *error = NULL;
  GIOStream *stream = g_object_ref(G_IO_STREAM(conn));
  gboolean tls = FALSE;
  char *line;
  while ((line = read_line(stream, &error))) {
    gboolean upgrade = FALSE, ok;
    if (!tls && strcmp(line, "STARTTLS") == 0) {
      ok = write_line(stream, "OK begin TLS", &error);
      upgrade = TRUE;
    } else if (!tls && strcmp(line, "UPGRADE-ME") == 0) {
      /* Server-initiated: announce, then wait for the client's go-ahead. */
      char *ack = NULL;
      ok = write_line(stream, "STARTTLS", &error) && (ack = read_line(stream, &error)) &&
           strcmp(ack, "OK begin TLS") == 0;
      g_free(ack);
      upgrade = ok;
    } else {
      char *echo = g_strdup_printf("%s: %s", tls ? "tls" : "plain", line);
      ok = write_line(stream, echo, &error);
      g_free(echo);
    }
    g_free(line);
    if (!ok)
      break;
    if (upgrade) {
      GIOStream *t = g_tls_server_connection_new(G_IO_STREAM(conn), cert, &error);
      if (!t || !g_tls_connection_handshake(G_TLS_CONNECTION(t), NULL, &error)) {
        g_clear_object(&t);
        break;
      }
      g_object_unref(stream);
      stream = t;
      tls = TRUE;
    }
  }
  if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    g_printerr("server: %s\n", error->message);
  g_clear_error(&error);
  g_io_stream_close(stream, NULL, NULL);
  g_object_unref(stream);
  return TRUE;
}

/* SIGTERM and SIGINT end the server cleanly, so leak checkers see a normal exit. */
static gboolean quit(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static int run_server(void) {
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file(opt_cert, &error);
  if (!cert) {
    g_printerr("certificate: %s\n", error->message);
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
  g_signal_connect(service, "run", G_CALLBACK(serve), cert);
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
  g_object_unref(cert);
  g_main_loop_unref(loop);
  return 0;
}

/* Send a line, check the echo. */
static gboolean exchange(GIOStream *s, const char *text, const char *expect, GError **error) {
  if (!write_line(s, text, error))
    return FALSE;
  char *reply = read_line(s, error);
  if (!reply)
    return FALSE;
  printf("sent \"%s\", got \"%s\"\n", text, reply);
  gboolean ok = strcmp(reply, expect) == 0;
  if (!ok)
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "expected \"%s\"", expect);
  g_free(reply);
  return ok;
}

static int run_client(void) {
  GError *error = NULL;
  GSocketClient *client = g_socket_client_new();
  GSocketConnection *conn = g_socket_client_connect_to_host(client, "127.0.0.1", opt_port, NULL, &error);
  GIOStream *tls = NULL;
  GTlsDatabase *db = NULL;
  char *announce = NULL;
  gboolean ok = conn && exchange(G_IO_STREAM(conn), "hello in the clear", "plain: hello in the clear", &error);
  if (ok && strcmp(opt_initiator, "server") == 0) {
    /* Ask the server to start it; it announces STARTTLS and we agree. */
    ok = write_line(G_IO_STREAM(conn), "UPGRADE-ME", &error) &&
         (announce = read_line(G_IO_STREAM(conn), &error)) && strcmp(announce, "STARTTLS") == 0 &&
         write_line(G_IO_STREAM(conn), "OK begin TLS", &error);
  } else if (ok) {
    ok = exchange(G_IO_STREAM(conn), "STARTTLS", "OK begin TLS", &error);
  }
  if (ok) {
    /* The same socket, now wrapped: the server's name and our CA file decide. */
    GSocketConnectable *id = g_network_address_new("localhost", opt_port);
    tls = g_tls_client_connection_new(G_IO_STREAM(conn), id, &error);
    g_object_unref(id);
    ok = tls && (db = g_tls_file_database_new(opt_ca, &error));
    if (ok) {
      g_tls_connection_set_database(G_TLS_CONNECTION(tls), db);
      ok = g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error);
    }
  }
  if (ok) {
    GTlsProtocolVersion v = g_tls_connection_get_protocol_version(G_TLS_CONNECTION(tls));
    printf("upgraded to TLS (%s) on the same socket, %s initiated\n",
           v == G_TLS_PROTOCOL_VERSION_TLS_1_3 ? "TLS 1.3" : "TLS 1.2", opt_initiator);
    ok = exchange(tls, "hello over TLS", "tls: hello over TLS", &error) &&
         exchange(tls, "STARTTLS", "tls: STARTTLS", &error) && /* no second upgrade */
         g_io_stream_close(tls, NULL, &error);
  }
  if (!ok)
    g_printerr("client: %s\n", error ? error->message : "unexpected answer");
  g_free(announce);
  g_clear_error(&error);
  g_clear_object(&db);
  g_clear_object(&tls);
  g_clear_object(&conn);
  g_object_unref(client);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("server|client - STARTTLS echo");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
    g_printerr("usage: starttls-echo server --cert FILE | client --port P --ca FILE "
               "[--initiator client|server]%s%s\n", error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  if (strcmp(argv[1], "server") == 0 && opt_cert)
    return run_server();
  if (strcmp(argv[1], "client") == 0 && opt_port && opt_ca)
    return run_client();
  g_printerr("usage: starttls-echo server --cert FILE | client --port P --ca FILE\n");
  return 2;
}
