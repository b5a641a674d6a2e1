/* Example: an HTTPS client with libsoup 3 on the tlslite backend (server authentication, pins, client certificate, SRP and PSK logins). */
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <tlslite-gio/tlslite.h>

static char *opt_ca, *opt_cert, *opt_expect;
static char **opt_pins;
static char *opt_srp_user, *opt_psk_identity, *opt_psk_key;
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
  {"srp-user", 0, 0, G_OPTION_ARG_STRING, &opt_srp_user,
   "log in with SRP as USER; the password is the first line of standard input", "USER"},
  {"psk-identity", 0, 0, G_OPTION_ARG_STRING, &opt_psk_identity, "log in with a shared key as ID", "ID"},
  {"psk-key", 0, 0, G_OPTION_ARG_STRING, &opt_psk_key, "the shared key, in hex", "HEX"},
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

/* SRP and PSK logins go through the session's GTlsInteraction, which libsoup hands to every
 * TLS connection it makes: a TlsliteInteraction answers the backend's SRP or PSK question
 * before the ClientHello. */
static gboolean set_login(SoupSession *session) {
  TlsliteInteraction *interaction = NULL;
  if (opt_srp_user) {
    char line[256];
    if (!fgets(line, sizeof line, stdin)) {
      g_printerr("--srp-user: no password on standard input\n");
      return FALSE;
    }
    line[strcspn(line, "\r\n")] = 0;
    interaction = tlslite_interaction_new_srp(opt_srp_user, line);
    memset(line, 0, sizeof line);
  } else if (opt_psk_identity) {
    GBytes *key = opt_psk_key ? hex_to_bytes(opt_psk_key) : NULL;
    if (!key) {
      g_printerr("--psk-identity needs --psk-key HEX\n");
      return FALSE;
    }
    interaction = tlslite_interaction_new_psk(opt_psk_identity, key);
    g_bytes_unref(key);
  }
  if (interaction) {
    g_object_set(session, "tls-interaction", interaction, NULL);
    g_object_unref(interaction);
  }
  return TRUE;
}

/* libsoup makes the TLS connection itself; it shows it to us just before the handshake. The
 * backend's pins are plain properties: setting them needs no library of ours (only the typed
 * SRP/PSK interaction above does). */
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
  if (!set_login(session))
    return 2;
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
