/* Example: a single-threaded GMainLoop TLS echo server and client with async handshakes and I/O (TLS Lite's asyncore story). */
#include <gio/gio.h>
#include <glib-unix.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static char *opt_cert, *opt_ca, *opt_host = "localhost";
static int opt_port, opt_connections = 1, opt_expect;

static GOptionEntry entries[] = {
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "server: certificate and key (PEM)", "FILE"},
  {"expect", 0, 0, G_OPTION_ARG_INT, &opt_expect, "server: measure when N connections are up, exit after N", "N"},
  {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "client: server port on 127.0.0.1", "PORT"},
  {"host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "client: name to check in the certificate", "NAME"},
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "client: trust only the CAs in FILE", "FILE"},
  {"connections", 0, 0, G_OPTION_ARG_INT, &opt_connections, "client: connections at once", "N"},
  {NULL}};

static GMainLoop *loop;
static int failures;

/* Each side of the test opens hundreds of sockets; the default soft limit is often 1024. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static int thread_count(void) {
  char *status = NULL;
  int n = -1;
  if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
    const char *t = strstr(status, "\nThreads:");
    if (t)
      n = atoi(t + 9);
    g_free(status);
  }
  return n;
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer replaces malloc, so mallinfo2 sees nothing; its runtime counts the bytes the
 * program holds (without redzones). GCC 12 ships no header declaring it. */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HEAP_COUNTER "AddressSanitizer's allocated bytes"
static size_t heap_in_use(void) {
  return __sanitizer_get_current_allocated_bytes();
}
#else
#define HEAP_COUNTER "mallinfo2"
static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
#endif

static void fail_conn(const char *what, GError *error) {
  failures++;
  if (failures <= 5)
    g_printerr("%s: %s\n", what, error ? error->message : "failed");
  g_clear_error(&error);
}

/* ---- server: one GSocketService in the main loop, no threads ---- */

typedef struct {
  GIOStream *tls;
  char buf[4096];
} ServerConn;

static int srv_up, srv_peak, srv_done;
static size_t heap_before;
static gboolean measured;

static void server_read(ServerConn *c);

static void server_closed(GObject *obj, GAsyncResult *res, gpointer data) {
  ServerConn *c = data;
  GError *error = NULL;
  if (!g_io_stream_close_finish(G_IO_STREAM(obj), res, &error))
    fail_conn("server close", error);
  g_object_unref(c->tls);
  g_free(c);
  srv_up--;
  if (opt_expect && ++srv_done >= opt_expect)
    g_main_loop_quit(loop);
}

static void server_finish(ServerConn *c) {
  g_io_stream_close_async(c->tls, G_PRIORITY_DEFAULT, NULL, server_closed, c);
}

static void server_wrote(GObject *obj, GAsyncResult *res, gpointer data) {
  ServerConn *c = data;
  GError *error = NULL;
  if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(obj), res, NULL, &error)) {
    fail_conn("server write", error);
    server_finish(c);
    return;
  }
  server_read(c);
}

static void server_got(GObject *obj, GAsyncResult *res, gpointer data) {
  ServerConn *c = data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(obj), res, &error);
  if (n < 0)
    fail_conn("server read", error);
  if (n <= 0) { /* the client closed (close_notify) or failed */
    server_finish(c);
    return;
  }
  g_output_stream_write_all_async(g_io_stream_get_output_stream(c->tls), c->buf, n,
                                  G_PRIORITY_DEFAULT, NULL, server_wrote, c);
}

static void server_read(ServerConn *c) {
  g_input_stream_read_async(g_io_stream_get_input_stream(c->tls), c->buf, sizeof c->buf,
                            G_PRIORITY_DEFAULT, NULL, server_got, c);
}

static void server_handshaken(GObject *obj, GAsyncResult *res, gpointer data) {
  ServerConn *c = data;
  GError *error = NULL;
  if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(obj), res, &error)) {
    fail_conn("server handshake", error);
    server_finish(c);
    return;
  }
  if (++srv_up > srv_peak)
    srv_peak = srv_up;
  if (opt_expect && srv_up == opt_expect && !measured) {
    /* Every connection is established at once: this is the memory they cost. */
    measured = TRUE;
    size_t heap = heap_in_use();
    printf("established %d at once, threads %d, heap %zu bytes per connection (%s)\n", srv_up,
           thread_count(), heap > heap_before ? (heap - heap_before) / srv_up : 0, HEAP_COUNTER);
    fflush(stdout);
  }
  server_read(c);
}

static GTlsCertificate *server_cert;

static gboolean incoming(GSocketService *service, GSocketConnection *conn, GObject *source,
                         gpointer data) {
  GError *error = NULL;
  ServerConn *c = g_new0(ServerConn, 1);
  c->tls = g_tls_server_connection_new(G_IO_STREAM(conn), server_cert, &error);
  if (!c->tls) {
    fail_conn("server connection", error);
    g_free(c);
    return TRUE;
  }
  g_tls_connection_handshake_async(G_TLS_CONNECTION(c->tls), G_PRIORITY_DEFAULT, NULL,
                                   server_handshaken, c);
  return TRUE;
}

static gboolean quit(gpointer data) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static int run_server(void) {
  GError *error = NULL;
  server_cert = g_tls_certificate_new_from_file(opt_cert, &error);
  if (!server_cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  /* A plain GSocketService: "incoming" runs in this thread's main loop. */
  GSocketService *service = g_socket_service_new();
  g_socket_listener_set_backlog(G_SOCKET_LISTENER(service), 2048);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, 0), *bound = NULL;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), addr, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error)) {
    g_printerr("listen: %s\n", error->message);
    return 1;
  }
  g_signal_connect(service, "incoming", G_CALLBACK(incoming), NULL);
  heap_before = heap_in_use();
  printf("PORT %u\n", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  fflush(stdout);
  g_unix_signal_add(SIGTERM, quit, NULL);
  g_main_loop_run(loop);
  g_socket_service_stop(service);
  g_socket_listener_close(G_SOCKET_LISTENER(service));
  printf("server: peak %d connections, %d failures, threads %d\n", srv_peak, failures,
         thread_count());
  g_object_unref(service);
  g_object_unref(bound);
  g_object_unref(addr);
  g_object_unref(lo);
  g_object_unref(server_cert);
  return failures || (opt_expect && srv_done < opt_expect) ? 1 : 0;
}

/* ---- client: N connections from one thread, all established before any data flows ---- */

typedef struct {
  GIOStream *tls;
  char *message;
  char buf[256];
  gsize got;
} ClientConn;

static GTlsDatabase *client_db;
static GSocketClient *socket_client;
static ClientConn **clients;
static int cl_ready, cl_done, cl_ok;

static void client_end(ClientConn *c) {
  if (++cl_done == opt_connections)
    g_main_loop_quit(loop);
}

static void client_closed(GObject *obj, GAsyncResult *res, gpointer data) {
  GError *error = NULL;
  if (!g_io_stream_close_finish(G_IO_STREAM(obj), res, &error))
    fail_conn("client close", error);
  client_end(data);
}

static void client_got(GObject *obj, GAsyncResult *res, gpointer data) {
  ClientConn *c = data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(obj), res, &error);
  if (n <= 0) {
    fail_conn("client read", error);
    client_end(c);
    return;
  }
  c->got += n;
  size_t want = strlen(c->message);
  if (c->got < want && c->got < sizeof c->buf) {
    g_input_stream_read_async(G_INPUT_STREAM(obj), c->buf + c->got, sizeof c->buf - c->got,
                              G_PRIORITY_DEFAULT, NULL, client_got, c);
    return;
  }
  if (c->got == want && memcmp(c->buf, c->message, want) == 0)
    cl_ok++;
  else
    fail_conn("client: the echo differs from what was sent", NULL);
  g_io_stream_close_async(c->tls, G_PRIORITY_DEFAULT, NULL, client_closed, c);
}

static void client_sent(GObject *obj, GAsyncResult *res, gpointer data) {
  ClientConn *c = data;
  GError *error = NULL;
  if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(obj), res, NULL, &error)) {
    fail_conn("client write", error);
    client_end(c);
    return;
  }
  g_input_stream_read_async(g_io_stream_get_input_stream(c->tls), c->buf, sizeof c->buf,
                            G_PRIORITY_DEFAULT, NULL, client_got, c);
}

static void client_all_ready(void) {
  printf("client: %d connections established at once, threads %d\n", cl_ready, thread_count());
  fflush(stdout);
  for (int i = 0; i < opt_connections; i++) {
    ClientConn *c = clients[i];
    if (!c->tls)
      continue;
    g_output_stream_write_all_async(g_io_stream_get_output_stream(c->tls), c->message,
                                    strlen(c->message), G_PRIORITY_DEFAULT, NULL, client_sent, c);
  }
  if (cl_done == opt_connections) /* nothing got through */
    g_main_loop_quit(loop);
}

/* Data flows only once every connection has finished (or failed) its handshake, so the server
 * sees them all established at once. */
static void handshake_settled(ClientConn *c, GError *error) {
  static int settled;
  if (error) {
    fail_conn("client connect or handshake", error);
    g_clear_object(&c->tls);
    cl_done++;
  } else {
    cl_ready++;
  }
  if (++settled == opt_connections)
    client_all_ready();
}

static void client_handshaken(GObject *obj, GAsyncResult *res, gpointer data) {
  GError *error = NULL;
  g_tls_connection_handshake_finish(G_TLS_CONNECTION(obj), res, &error);
  handshake_settled(data, error);
}

static void client_connected(GObject *obj, GAsyncResult *res, gpointer data) {
  ClientConn *c = data;
  GError *error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(obj), res, &error);
  if (!conn) {
    handshake_settled(c, error);
    return;
  }
  GSocketConnectable *id = g_network_address_new(opt_host, opt_port);
  c->tls = g_tls_client_connection_new(G_IO_STREAM(conn), id, &error);
  g_object_unref(id);
  g_object_unref(conn);
  if (!c->tls) {
    handshake_settled(c, error);
    return;
  }
  g_tls_connection_set_database(G_TLS_CONNECTION(c->tls), client_db);
  g_tls_connection_handshake_async(G_TLS_CONNECTION(c->tls), G_PRIORITY_DEFAULT, NULL,
                                   client_handshaken, c);
}

static int run_client(void) {
  GError *error = NULL;
  client_db = g_tls_file_database_new(opt_ca, &error);
  if (!client_db) {
    g_printerr("CA file: %s\n", error->message);
    return 1;
  }
  socket_client = g_socket_client_new();
  clients = g_new0(ClientConn *, opt_connections);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new(lo, opt_port);
  for (int i = 0; i < opt_connections; i++) {
    clients[i] = g_new0(ClientConn, 1);
    clients[i]->message = g_strdup_printf("message %d of %d, echoed by a single thread\n", i + 1,
                                          opt_connections);
    g_socket_client_connect_async(socket_client, G_SOCKET_CONNECTABLE(addr), NULL,
                                  client_connected, clients[i]);
  }
  g_main_loop_run(loop);
  printf("client: %d of %d echoes correct, %d failures\n", cl_ok, opt_connections, failures);
  for (int i = 0; i < opt_connections; i++) {
    g_clear_object(&clients[i]->tls);
    g_free(clients[i]->message);
    g_free(clients[i]);
  }
  g_free(clients);
  g_object_unref(addr);
  g_object_unref(lo);
  g_object_unref(socket_client);
  g_object_unref(client_db);
  return cl_ok == opt_connections && failures == 0 ? 0 : 1;
}

static gboolean watchdog(gpointer data) {
  g_printerr("%s: gave up after 50 s\n", (const char *)data);
  exit(1);
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("server|client - async TLS echo");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 ||
      (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
    g_printerr("usage: async-echo server --cert FILE [--expect N] | client --port P --ca FILE "
               "[--connections N]%s%s\n", error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  raise_fd_limit();
  loop = g_main_loop_new(NULL, FALSE);
  g_timeout_add_seconds(50, watchdog, argv[1]);
  int rc;
  if (strcmp(argv[1], "server") == 0)
    rc = opt_cert ? run_server() : 2;
  else
    rc = opt_ca && opt_port ? run_client() : 2;
  g_main_loop_unref(loop);
  return rc;
}
