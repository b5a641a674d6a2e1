/* Example: an HTTPS server with libsoup 3's SoupServer and a certificate, on the tlslite backend. */
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <stdio.h>

static char *opt_cert;
static int opt_requests;
static GMainLoop *loop;
static int served;

static GOptionEntry entries[] = {
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "server certificate and key (PEM)", "FILE"},
  {"requests", 0, 0, G_OPTION_ARG_INT, &opt_requests, "exit after N requests (default: run until SIGTERM)", "N"},
  {NULL}};

static gboolean quit(gpointer data) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static void finished(SoupServerMessage *msg, gpointer data) {
  g_idle_add(quit, NULL);
}

static void handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                    gpointer data) {
  char *page = g_strdup_printf("hello from SoupServer on %s, path %s\n",
                               G_OBJECT_TYPE_NAME(g_tls_backend_get_default()), path);
  soup_server_message_set_status(msg, 200, NULL);
  soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_TAKE, page, strlen(page));
  served++;
  /* Quit only once the response has been written out ("finished"), not when it is queued. */
  if (opt_requests > 0 && served >= opt_requests)
    g_signal_connect(msg, "finished", G_CALLBACK(finished), NULL);
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- serve HTTPS with SoupServer");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_cert) {
    g_printerr("usage: soup-server --cert FILE [--requests N]%s%s\n", error ? ": " : "",
               error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  GTlsCertificate *cert = g_tls_certificate_new_from_file(opt_cert, &error);
  if (!cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  SoupServer *server = soup_server_new("tls-certificate", cert, NULL);
  soup_server_add_handler(server, NULL, handler, NULL, NULL);
  /* Port 0: the kernel picks a free port, printed for whoever started us. */
  if (!soup_server_listen_local(server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY,
                                &error)) {
    g_printerr("listen: %s\n", error->message);
    return 1;
  }
  GSList *uris = soup_server_get_uris(server);
  printf("PORT %d\n", g_uri_get_port(uris->data));
  fflush(stdout);
  g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
  loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, quit, NULL);
  g_unix_signal_add(SIGINT, quit, NULL);
  g_main_loop_run(loop);
  g_printerr("served %d requests\n", served);
  g_object_unref(server);
  g_object_unref(cert);
  g_main_loop_unref(loop);
  return 0;
}
