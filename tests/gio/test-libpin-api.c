/* The typed API of pins, alerts and session caches, linking libtlslite-gio-1 (the module loaded by GIO shares its types). */
#include <gio/gio.h>
#include <string.h>
#include <tlslite-gio/tlslite.h>

/* Known answers from OpenSSL (see tests/unit/test-pins.c). */
#define RSA_SPKI "sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU="
#define RSA_FPR                                                                                  \
  "36:29:2D:E4:A6:5C:BB:D6:E7:C3:D3:29:E2:EB:91:B4:24:93:C3:C7:4F:3A:CE:C2:36:23:8D:DC:D9:67:6A:" \
  "DD"
#define SELF_SPKI "sha256//ssANwCCTtqd4Z3VzzTSGwI5nAors1dIqkntmjN8G7tk="

static GTlsCertificate *
load (const char *name)
{
  gchar *path = g_build_filename (TEST_DATA_DIR, name, NULL);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  g_free (path);
  return cert;
}

static void
test_certificate_pins (void)
{
  GTlsCertificate *rsa = load ("server-rsa.pem");
  gchar *spki = tlslite_certificate_get_spki_pin (rsa);
  gchar *fpr = tlslite_certificate_get_fingerprint (rsa);
  GError *error = NULL;

  g_assert_cmpstr (spki, ==, RSA_SPKI);
  g_assert_cmpstr (fpr, ==, RSA_FPR);
  g_assert_true (tlslite_certificate_matches_pin (rsa, spki, &error));
  g_assert_no_error (error);
  g_assert_true (tlslite_certificate_matches_pin (
      rsa, "36292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676add", &error));
  g_assert_no_error (error);
  /* a mismatch is no error */
  g_assert_false (tlslite_certificate_matches_pin (rsa, SELF_SPKI, &error));
  g_assert_no_error (error);
  /* a bad pin is, naming it */
  g_assert_false (tlslite_certificate_matches_pin (rsa, "sha256//AAAA", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "sha256//AAAA"));
  g_assert_nonnull (strstr (error->message, "32 bytes"));
  g_clear_error (&error);
  g_assert_true (tlslite_pin_validate (RSA_FPR, &error));
  g_assert_false (tlslite_pin_validate ("36:29", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_free (spki);
  g_free (fpr);
  g_object_unref (rsa);
}

static void
test_alert (void)
{
  g_autoptr (TlsliteAlert) a = tlslite_alert_new (TLSLITE_ALERT_ORIGIN_REMOTE, 2, 20);
  g_autoptr (TlsliteAlert) b = tlslite_alert_copy (a);
  GEnumClass *origins;

  g_assert_cmpint (tlslite_alert_get_origin (b), ==, TLSLITE_ALERT_ORIGIN_REMOTE);
  g_assert_cmpint (tlslite_alert_get_description (b), ==, 20);
  g_assert_cmpstr (tlslite_alert_get_name (b), ==, "bad_record_mac");
  g_assert_true (tlslite_alert_is_fatal (b));
  g_assert_cmpint (tlslite_alert_get_level (b), ==, 2);
  g_assert_true (G_TYPE_IS_BOXED (TLSLITE_TYPE_ALERT));
  origins = g_type_class_ref (TLSLITE_TYPE_ALERT_ORIGIN);
  g_assert_cmpstr (g_enum_get_value (origins, TLSLITE_ALERT_ORIGIN_LOCAL)->value_nick, ==, "local");
  g_type_class_unref (origins);
}

static void
test_session_cache (void)
{
  TlsliteSessionCache *cache = tlslite_session_cache_new (16, 60);
  TlsliteSessionCache *def = tlslite_session_cache_get_default ();
  GType server_type = g_tls_backend_get_server_connection_type (g_tls_backend_get_default ());
  GObjectClass *klass = g_type_class_ref (server_type);

  g_assert_cmpuint (tlslite_session_cache_get_max_entries (cache), ==, 16);
  g_assert_cmpuint (tlslite_session_cache_get_lifetime (cache), ==, 60);
  g_assert_cmpuint (tlslite_session_cache_get_count (cache), ==, 0);
  tlslite_session_cache_flush (cache);
  g_assert_true (def == tlslite_session_cache_get_default ());
  g_assert_cmpuint (tlslite_session_cache_get_max_entries (def), ==, 1024);
  /* one type for the library and the module GIO loaded */
  g_assert_true (g_object_class_find_property (klass, "session-cache")->value_type ==
                 TLSLITE_TYPE_SESSION_CACHE);
  g_type_class_unref (klass);
  g_object_unref (cache);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/libpin-api/certificate-pins", test_certificate_pins);
  g_test_add_func ("/libpin-api/alert", test_alert);
  g_test_add_func ("/libpin-api/session-cache", test_session_cache);
  return g_test_run ();
}
