/* Example: an MQTT 3.1.1 client over TLS with a pre-shared key (no certificates), publishing and subscribing through a GIO connection on the tlslite backend. */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static char *opt_identity, *opt_key_hex, *opt_topic = "tlslite/test", *opt_message = "hello";
static char *opt_expect_hint;
static int opt_port;

static GOptionEntry entries[] = {
  {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "broker port on 127.0.0.1", "PORT"},
  {"psk-identity", 0, 0, G_OPTION_ARG_STRING, &opt_identity, "PSK identity", "ID"},
  {"psk-key", 0, 0, G_OPTION_ARG_STRING, &opt_key_hex, "PSK in hex", "HEX"},
  {"topic", 0, 0, G_OPTION_ARG_STRING, &opt_topic, "topic to subscribe to and publish on", "TOPIC"},
  {"message", 0, 0, G_OPTION_ARG_STRING, &opt_message, "message to publish", "TEXT"},
  {"expect-hint", 0, 0, G_OPTION_ARG_STRING, &opt_expect_hint,
   "fail unless the broker sent this PSK identity hint (TLS 1.2)", "HINT"},
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

/* MQTT's packets: a type byte, a variable-length "remaining length", the rest. */
static void put_string(GByteArray *b, const char *s) {
  guint8 len[2] = {(guint8)(strlen(s) >> 8), (guint8)strlen(s)};
  g_byte_array_append(b, len, 2);
  g_byte_array_append(b, (const guint8 *)s, strlen(s));
}

static gboolean send_packet(GIOStream *s, guint8 type, GByteArray *body, GError **error) {
  GByteArray *p = g_byte_array_new();
  g_byte_array_append(p, &type, 1);
  size_t len = body->len;
  do {
    guint8 d = len % 128;
    len /= 128;
    if (len)
      d |= 0x80;
    g_byte_array_append(p, &d, 1);
  } while (len);
  g_byte_array_append(p, body->data, body->len);
  gboolean ok = g_output_stream_write_all(g_io_stream_get_output_stream(s), p->data, p->len, NULL,
                                          NULL, error);
  g_byte_array_unref(p);
  return ok;
}

/* Reads one packet; returns its type byte, fills *body (at most 64 KiB). */
static int read_packet(GIOStream *s, GByteArray **body, GError **error) {
  GInputStream *in = g_io_stream_get_input_stream(s);
  guint8 type, d;
  gsize n;
  if (!g_input_stream_read_all(in, &type, 1, &n, NULL, error) || n != 1)
    goto closed;
  size_t len = 0, mult = 1;
  for (int i = 0;; i++) {
    if (i == 4 || !g_input_stream_read_all(in, &d, 1, &n, NULL, error) || n != 1)
      goto closed;
    len += (d & 0x7f) * mult;
    mult *= 128;
    if (!(d & 0x80))
      break;
  }
  if (len > 65536) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "packet too long");
    return -1;
  }
  *body = g_byte_array_sized_new(len);
  g_byte_array_set_size(*body, len);
  if (!g_input_stream_read_all(in, (*body)->data, len, &n, NULL, error) || n != len) {
    g_byte_array_unref(*body);
    goto closed;
  }
  return type;
closed:
  if (error && !*error)
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "broker closed the connection");
  return -1;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("- MQTT over TLS-PSK: subscribe, publish, receive");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GBytes *key = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_port || !opt_identity ||
      !opt_key_hex || !(key = hex_to_bytes(opt_key_hex))) {
    g_printerr("usage: mqtt-psk --port P --psk-identity ID --psk-key HEX [--topic T] [--message M]%s%s\n",
               error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));

  GSocketClient *client = g_socket_client_new();
  g_socket_client_set_timeout(client, 20);
  GSocketConnection *tcp = g_socket_client_connect_to_host(client, "127.0.0.1", opt_port, NULL, &error);
  GIOStream *tls = NULL;
  GByteArray *body = NULL;
  gboolean ok = FALSE;
  if (!tcp)
    goto out;
  GSocketConnectable *id = g_network_address_new("localhost", opt_port);
  tls = g_tls_client_connection_new(G_IO_STREAM(tcp), id, &error);
  g_object_unref(id);
  if (!tls)
    goto out;
  /* The shared key replaces certificates: plain property names, no library of ours linked. */
  if (!g_object_class_find_property(G_OBJECT_GET_CLASS(tls), "psk-identity")) {
    g_set_error(&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "this TLS backend has no PSK properties");
    goto out;
  }
  g_object_set(tls, "psk-identity", opt_identity, "psk-key", key, NULL);
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error))
    goto out;
  char *suite = g_tls_connection_get_ciphersuite_name(G_TLS_CONNECTION(tls));
  char *hint = NULL, *used = NULL;
  g_object_get(tls, "psk-identity-hint", &hint, "psk-identity", &used, NULL);
  GTlsProtocolVersion v = g_tls_connection_get_protocol_version(G_TLS_CONNECTION(tls));
  printf("TLS: %s, %s, identity %s, hint %s\n", v == G_TLS_PROTOCOL_VERSION_TLS_1_3 ? "TLS 1.3" : "TLS 1.2",
         suite, used ? used : "(none)", hint ? hint : "(none)");
  gboolean hint_ok = !opt_expect_hint || g_strcmp0(hint, opt_expect_hint) == 0;
  g_free(suite);
  g_free(hint);
  g_free(used);
  if (!hint_ok) {
    g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "not the expected hint");
    goto out;
  }

  GByteArray *b = g_byte_array_new();
  static const guint8 connect_head[] = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60};
  g_byte_array_append(b, connect_head, sizeof connect_head);
  put_string(b, "tlslite-example");
  ok = send_packet(tls, 0x10, b, &error);
  g_byte_array_unref(b);
  int type = ok ? read_packet(tls, &body, &error) : -1;
  if (type != 0x20 || body->len != 2 || body->data[1] != 0) {
    ok = FALSE;
    if (!error)
      g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "CONNECT refused");
    goto out;
  }
  printf("CONNACK: accepted\n");
  g_clear_pointer(&body, g_byte_array_unref);

  b = g_byte_array_new();
  static const guint8 packet_id[] = {0, 1};
  g_byte_array_append(b, packet_id, 2);
  put_string(b, opt_topic);
  guint8 qos = 0;
  g_byte_array_append(b, &qos, 1);
  ok = send_packet(tls, 0x82, b, &error);
  g_byte_array_unref(b);
  type = ok ? read_packet(tls, &body, &error) : -1;
  if (type != 0x90 || body->len != 3 || body->data[2] != 0) {
    ok = FALSE;
    if (!error)
      g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "SUBSCRIBE refused");
    goto out;
  }
  printf("SUBACK: subscribed to %s\n", opt_topic);
  g_clear_pointer(&body, g_byte_array_unref);

  b = g_byte_array_new();
  put_string(b, opt_topic);
  g_byte_array_append(b, (const guint8 *)opt_message, strlen(opt_message));
  ok = send_packet(tls, 0x30, b, &error);
  g_byte_array_unref(b);
  printf("PUBLISH: sent \"%s\"\n", opt_message);

  /* Our own subscription brings the message back through the broker. */
  type = ok ? read_packet(tls, &body, &error) : -1;
  ok = FALSE;
  if ((type & 0xf0) == 0x30 && body->len >= 2) {
    size_t tlen = (size_t)body->data[0] << 8 | body->data[1];
    if (2 + tlen <= body->len && tlen == strlen(opt_topic) && memcmp(body->data + 2, opt_topic, tlen) == 0 &&
        body->len - 2 - tlen == strlen(opt_message) &&
        memcmp(body->data + 2 + tlen, opt_message, strlen(opt_message)) == 0)
      ok = TRUE;
  }
  if (!ok) {
    if (!error)
      g_set_error(&error, G_IO_ERROR, G_IO_ERROR_FAILED, "did not receive our message back");
    goto out;
  }
  printf("received \"%s\" on %s\n", opt_message, opt_topic);
  b = g_byte_array_new();
  ok = send_packet(tls, 0xe0, b, &error) && g_io_stream_close(tls, NULL, &error);
  g_byte_array_unref(b);
out:
  if (!ok)
    g_printerr("mqtt-psk failed: %s\n", error ? error->message : "?");
  g_clear_error(&error);
  if (body)
    g_byte_array_unref(body);
  g_clear_object(&tls);
  g_clear_object(&tcp);
  g_object_unref(client);
  g_bytes_unref(key);
  return ok ? 0 : 1;
}
