/* libsoup 3 HTTPS server (SoupServer) used to test the backend's server side with real clients. */
#include <libsoup/soup.h>
#include <stdio.h>

static GMainLoop *loop;
static int remaining = 1;

static gboolean quit_loop(gpointer data) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static void handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                    gpointer data) {
  static const char page[] = "<html><body>hello from SoupServer</body></html>\n";
  soup_server_message_set_status(msg, 200, NULL);
  soup_server_message_set_response(msg, "text/html", SOUP_MEMORY_STATIC, page, sizeof page - 1);
  if (--remaining <= 0)
    g_timeout_add(200, quit_loop, NULL);
}

static gboolean give_up(gpointer data) {
  g_printerr("timed out waiting for requests\n");
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    g_printerr("usage: soup-server CERT+KEY-PEM [REQUESTS]\n");
    return 2;
  }
  if (argc == 3)
    remaining = atoi(argv[2]);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file(argv[1], &error);
  if (!cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  SoupServer *server = soup_server_new("tls-certificate", cert, NULL);
  soup_server_add_handler(server, NULL, handler, NULL, NULL);
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
  g_timeout_add_seconds(30, give_up, NULL);
  g_main_loop_run(loop);
  g_object_unref(server);
  g_object_unref(cert);
  g_main_loop_unref(loop);
  return 0;
}
