/* libsoup 3 HTTPS client used to test the backend against real HTTPS servers. */
#include <libsoup/soup.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    g_printerr("usage: soup-client URL CAFILE [EXPECTED-TEXT]\n");
    return 2;
  }
  GError *error = NULL;
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));
  GTlsDatabase *db = g_tls_file_database_new(argv[2], &error);
  if (!db) {
    g_printerr("CA: %s\n", error->message);
    return 1;
  }
  SoupSession *session = soup_session_new_with_options("tls-database", db, "timeout", 20, NULL);
  SoupMessage *msg = soup_message_new("GET", argv[1]);
  if (!msg) {
    g_printerr("bad URL %s\n", argv[1]);
    return 2;
  }
  GBytes *body = soup_session_send_and_read(session, msg, NULL, &error);
  if (!body) {
    g_printerr("request failed: %s\n", error->message);
    return 1;
  }
  guint status = soup_message_get_status(msg);
  gsize len;
  const char *data = g_bytes_get_data(body, &len);
  char *text = g_strndup(data, len);
  g_print("status %u\n%s\n", status, text);
  int rc = 0;
  if (status != 200) {
    g_printerr("status %u, expected 200\n", status);
    rc = 1;
  }
  if (argc == 4 && !strstr(text, argv[3])) {
    g_printerr("body does not contain \"%s\"\n", argv[3]);
    rc = 1;
  }
  GTlsCertificateFlags errors = soup_message_get_tls_peer_certificate_errors(msg);
  if (errors) {
    g_printerr("certificate errors 0x%x\n", errors);
    rc = 1;
  }
  g_printerr("protocol: %d, suite: %s\n", soup_message_get_tls_protocol_version(msg),
             soup_message_get_tls_ciphersuite_name(msg));
  g_free(text);
  g_bytes_unref(body);
  g_object_unref(msg);
  g_object_unref(session);
  g_object_unref(db);
  return rc;
}
