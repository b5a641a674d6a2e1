/* Example: an HTTPS client with libsoup 3 on the tlslite backend (server authentication, pins, client certificate). */
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

static char *opt_ca, *opt_cert, *opt_expect;
static char **opt_pins;
static gboolean opt_pin_only;
static int opt_status = 200;

static GOptionEntry entries[] = {
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "trust only the CAs in FILE (default: the system's)", "FILE"},
  {"cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cert, "client certificate and key (PEM)", "FILE"},
  {"expect", 0, 0, G_OPTION_ARG_STRING, &opt_expect, "fail unless the body contains TEXT", "TEXT"},
  {"status", 0, 0, G_OPTION_ARG_INT, &opt_status, "expected HTTP status (default 200)", "N"},
  {"pin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_pins,
   "the server's key or certificate must match PIN (sha256//BASE64 of its public key, or the "
   "certificate's SHA-256 in hex); may repeat", "PIN"},
  {"pin-only", 0, 0, G_OPTION_ARG_NONE, &opt_pin_only, "trust the pins instead of CAs", NULL},
  {NULL}};

static const char *version_name(GTlsProtocolVersion v) {
  switch (v) {
  case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
  case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
  case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
  case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
  default: return "other";
  }
}

/* libsoup makes the TLS connection itself; it shows it to us just before the handshake. The
 * backend's extras are plain properties, so this program needs no library of ours. */
static void network_event(SoupMessage *msg, GSocketClientEvent event, GIOStream *conn,
                          gpointer data) {
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || !opt_pins)
    return;
  if (!g_object_class_find_property(G_OBJECT_GET_CLASS(conn), "pins")) {
    g_printerr("this TLS backend has no \"pins\" property\n");
    exit(1);
  }
  g_object_set(conn, "pins", opt_pins, "pin-only", opt_pin_only, NULL);
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("URL - fetch an HTTPS URL with libsoup");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
    g_printerr("usage: soup-client [OPTION...] URL%s%s\n", error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));

  SoupSession *session = soup_session_new_with_options("timeout", 20, NULL);
  if (opt_ca) {
    /* Only this CA file decides, not the system store. */
    GTlsDatabase *db = g_tls_file_database_new(opt_ca, &error);
    if (!db) {
      g_printerr("CA file: %s\n", error->message);
      return 1;
    }
    soup_session_set_tls_database(session, db);
    g_object_unref(db);
  }
  SoupMessage *msg = soup_message_new("GET", argv[1]);
  if (!msg) {
    g_printerr("not a URL: %s\n", argv[1]);
    return 2;
  }
  g_signal_connect(msg, "network-event", G_CALLBACK(network_event), NULL);
  if (opt_cert) {
    /* Sent only if the server asks for one. */
    GTlsCertificate *cert = g_tls_certificate_new_from_file(opt_cert, &error);
    if (!cert) {
      g_printerr("client certificate: %s\n", error->message);
      return 1;
    }
    soup_message_set_tls_client_certificate(msg, cert);
    g_object_unref(cert);
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
  g_printerr("status: %u\nprotocol: %s\nsuite: %s\n", status,
             version_name(soup_message_get_tls_protocol_version(msg)),
             soup_message_get_tls_ciphersuite_name(msg));
  fwrite(data, 1, len, stdout);

  int rc = 0;
  if ((int)status != opt_status) {
    g_printerr("status %u, expected %d\n", status, opt_status);
    rc = 1;
  }
  if (opt_expect && !strstr(text, opt_expect)) {
    g_printerr("the body does not contain \"%s\"\n", opt_expect);
    rc = 1;
  }
  GTlsCertificateFlags errors = soup_message_get_tls_peer_certificate_errors(msg);
  if (errors && opt_pin_only) {
    /* The backend still reports what CA validation found; the pin accepted the server. */
    g_printerr("accepted by pin despite certificate errors 0x%x\n", errors);
  } else if (errors) {
    g_printerr("server certificate errors 0x%x\n", errors);
    rc = 1;
  }
  g_free(text);
  g_bytes_unref(body);
  g_object_unref(msg);
  g_object_unref(session);
  return rc;
}
