/* GIO errors from the tlslite module in German and French (build-tree .mo via TLSLITE_LOCALEDIR). */
#include <locale.h>
#include <string.h>

#include <gio/gio.h>

/* A PEM block whose body is no certificate: GLib decodes the base64 and
 * hands the DER to the module, so the error text is the module's own
 * ("Could not parse DER certificate: ..."). */
static const gchar bad_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
  "-----END CERTIFICATE-----\n";

static void
use_language (const gchar *lang)
{
  g_setenv ("LANGUAGE", lang, TRUE);
  /* glibc caches translations per locale, not per LANGUAGE; setlocale
   * invalidates that cache so the new LANGUAGE takes effect. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
}

static void
check_bad_pem (const gchar *expected_prefix)
{
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_pem (bad_pem, -1, &error);

  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_test_message ("error: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, expected_prefix));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_error_free (error);
}

static void
test_certificate_error_de (void)
{
  use_language ("de");
  check_bad_pem ("DER-Zertifikat konnte nicht verarbeitet werden");
}

static void
test_certificate_error_fr (void)
{
  use_language ("fr");
  check_bad_pem ("Impossible d’analyser le certificat DER\u00a0: ");
}

static void
test_certificate_error_untranslated (void)
{
  /* A language without a catalogue falls back to the English source. */
  use_language ("xx");
  check_bad_pem ("Could not parse DER certificate");
}

/* Loopback "server" that answers the ClientHello with plain text. */
static gpointer
not_tls_server (gpointer data)
{
  GSocketListener *listener = data;
  GSocketConnection *conn;
  GError *error = NULL;
  static const gchar reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
  gchar buf[512];

  conn = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Read (part of) the ClientHello first so the client sees our reply. */
  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                       buf, sizeof buf, NULL, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             reply, strlen (reply), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_object_unref (conn);
  return NULL;
}

static void
test_handshake_error_de (void)
{
  GSocketListener *listener = g_socket_listener_new ();
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound = NULL;
  GSocketClient *client;
  GSocketConnection *conn;
  GError *error = NULL;
  GThread *thread;
  gchar *host;

  use_language ("de");
  g_socket_listener_add_address (listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("not-tls", not_tls_server, listener);

  client = g_socket_client_new ();
  g_socket_client_set_tls (client, TRUE);
  host = g_strdup_printf ("127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  conn = g_socket_client_connect_to_host (client, host, 0, NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS);
  g_test_message ("error: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Gegenstelle scheiterte bei Ausführung des TLS-Handshake: "));
  g_clear_error (&error);

  g_thread_join (thread);
  g_free (host);
  g_object_unref (client);
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_socket_listener_close (listener);
  g_object_unref (listener);
}

int
main (int argc, char *argv[])
{
  /* meson sets LC_ALL=C.UTF-8 (what CI uses) and TLSLITE_LOCALEDIR; glibc
   * honours LANGUAGE for any locale but plain "C", so no de_DE or fr_FR
   * locale needs to be generated. */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_tls_backend_get_default ()), ==, "GTlsBackendTlslite");

  g_test_add_func ("/i18n/certificate-error/de", test_certificate_error_de);
  g_test_add_func ("/i18n/certificate-error/fr", test_certificate_error_fr);
  g_test_add_func ("/i18n/certificate-error/untranslated", test_certificate_error_untranslated);
  g_test_add_func ("/i18n/handshake-error/de", test_handshake_error_de);

  return g_test_run ();
}
