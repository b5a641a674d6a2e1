/* Example: a threaded HTTPS server on GThreadedSocketService (TLS Lite's SocketServer story). */
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

static char *opt_cert;
static int opt_threads = 256, opt_together;
static GTlsCertificate *cert;
static GMainLoop *loop;

static GOptionEntry entries[] = {
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "server certificate and key (PEM)", "FILE"},
  {"threads", 0, 0, G_OPTION_ARG_INT, &opt_threads, "most connections served at once (default 256)", "N"},
  {"together", 0, 0, G_OPTION_ARG_INT, &opt_together,
   "hold each answer until N requests are in flight at once (to prove concurrency; 30 s limit)", "N"},
  {NULL}};

/* Counters shared by the connection threads. */
static GMutex lock;
static GCond all_here;
static int in_flight, peak, served, failed;

static void wait_for_the_others(void) {
  g_mutex_lock(&lock);
  in_flight++;
  if (in_flight > peak)
    peak = in_flight;
  if (opt_together > 0) {
    gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    if (peak >= opt_together)
      g_cond_broadcast(&all_here);
    while (peak < opt_together)
      if (!g_cond_wait_until(&all_here, &lock, deadline))
        break;
  }
  g_mutex_unlock(&lock);
}

/* One thread per connection, blocking I/O: handshake, read the request head, answer, close. */
static gboolean serve(GThreadedSocketService *service, GSocketConnection *conn, GObject *source,
                      gpointer data) {
  GError *error = NULL;
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(conn), cert, &error);
  gboolean ok = FALSE, counted = FALSE;
  GDataInputStream *in = NULL;
  if (!tls || !g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error))
    goto out;
  in = g_data_input_stream_new(g_io_stream_get_input_stream(tls));
  g_filter_input_stream_set_close_base_stream(G_FILTER_INPUT_STREAM(in), FALSE);
  char *request = g_data_input_stream_read_line(in, NULL, NULL, &error);
  if (!request)
    goto out;
  for (;;) { /* the rest of the head, up to the empty line */
    gsize len;
    char *line = g_data_input_stream_read_line(in, &len, NULL, &error);
    if (!line)
      break;
    gboolean end = len == 0 || (len == 1 && line[0] == '\r');
    g_free(line);
    if (end)
      break;
  }
  if (error) {
    g_free(request);
    goto out;
  }
  counted = TRUE;
  wait_for_the_others();
  char *body = g_strdup_printf("hello from a GThreadedSocketService thread, %s\n",
                               strtok(request, "\r"));
  char *reply = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                                "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                strlen(body), body);
  ok = g_output_stream_write_all(g_io_stream_get_output_stream(tls), reply, strlen(reply), NULL,
                                 NULL, &error) &&
       g_io_stream_close(tls, NULL, &error);
  g_free(reply);
  g_free(body);
  g_free(request);
out:
  if (error) {
    g_printerr("connection failed: %s\n", error->message);
    g_error_free(error);
  }
  g_clear_object(&in);
  g_clear_object(&tls);
  g_mutex_lock(&lock);
  if (counted)
    in_flight--;
  if (ok)
    served++;
  else
    failed++;
  g_mutex_unlock(&lock);
  return TRUE;
}

static gboolean quit(gpointer data) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- threaded HTTPS server");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_cert) {
    g_printerr("usage: threaded-server --cert FILE [--threads N] [--together N]%s%s\n",
               error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  cert = g_tls_certificate_new_from_file(opt_cert, &error);
  if (!cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  GSocketService *service = g_threaded_socket_service_new(opt_threads);
  /* Many clients connect at once: a short accept queue would drop their SYNs. */
  g_socket_listener_set_backlog(G_SOCKET_LISTENER(service), 512);
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
  loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, quit, NULL);
  g_unix_signal_add(SIGINT, quit, NULL);
  g_socket_service_start(service);
  g_main_loop_run(loop);
  g_socket_service_stop(service);
  g_socket_listener_close(G_SOCKET_LISTENER(service));
  g_mutex_lock(&lock);
  g_printerr("served %d, failed %d, at most %d at once\n", served, failed, peak);
  printf("served %d failed %d peak %d\n", served, failed, peak);
  int rc = failed ? 1 : 0;
  g_mutex_unlock(&lock);
  g_object_unref(service);
  g_object_unref(addr);
  g_object_unref(bound);
  g_object_unref(lo);
  g_object_unref(cert);
  g_main_loop_unref(loop);
  return rc;
}
