/* The default GTlsDatabase follows SSL_CERT_FILE / SSL_CERT_DIR and the compiled-in bundle, and warns when a source is unreadable (each case in a subprocess: the default database is process-wide). */
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

static const char *
data_path (const char *name)
{
  gchar *p = g_build_filename (TEST_DATA_DIR, name, NULL);
  const char *interned = g_intern_string (p);

  g_free (p);
  return interned;
}

/* Verifies tests/data/<cert> for server.example.com with the default database. */
static GTlsCertificateFlags
verify_with_default (const char *cert_file)
{
  GError *error = NULL;
  GTlsDatabase *db = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  GTlsCertificate *cert = g_tls_certificate_new_from_file (data_path (cert_file), &error);
  GSocketConnectable *identity = g_network_address_new ("server.example.com", 443);
  GTlsCertificateFlags flags;

  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_true (db == g_tls_backend_get_default_database (g_tls_backend_get_default ()));
  g_object_unref (db); /* the second reference */
  flags = g_tls_database_verify_chain (db, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity,
                                       NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (identity);
  g_object_unref (cert);
  g_object_unref (db);
  return flags;
}

/* The child: the tests' G_DEBUG=fatal-warnings would abort on the warning
 * under test; the parent checks stderr instead. */
static void
child_prepare (const char *file, const char *dir)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  if (file)
    g_setenv ("SSL_CERT_FILE", file, TRUE);
  else
    g_unsetenv ("SSL_CERT_FILE");
  if (dir)
    g_setenv ("SSL_CERT_DIR", dir, TRUE);
  else
    g_unsetenv ("SSL_CERT_DIR");
}

static void
test_cert_file (void)
{
  if (g_test_subprocess ())
    {
      child_prepare (data_path ("ca-rsa.pem"), NULL);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem"), ==, 0);
      g_assert_cmpuint (verify_with_default ("server-other.pem"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*trust store*");
}

static void
test_cert_file_other_ca (void)
{
  if (g_test_subprocess ())
    {
      child_prepare (data_path ("other-ca.pem"), NULL);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*trust store*");
}

/* A directory of one plain PEM file plus its OpenSSL hash link (c_rehash
 * layout), and a file that is no certificate at all. */
static gchar *
make_cert_dir (void)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("tlslite-certdir-XXXXXX", &error);
  gchar *contents = NULL, *plain, *link, *junk;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (data_path ("ca-rsa.pem"), &contents, &len, &error));
  g_assert_no_error (error);
  plain = g_build_filename (dir, "tlslite-test-rsa-ca.pem", NULL);
  g_assert_true (g_file_set_contents (plain, contents, len, &error));
  g_assert_no_error (error);
  /* openssl x509 -hash of tests/data/ca-rsa.pem */
  link = g_build_filename (dir, "faedcf59.0", NULL);
  g_assert_cmpint (symlink ("tlslite-test-rsa-ca.pem", link), ==, 0);
  junk = g_build_filename (dir, "README", NULL);
  g_assert_true (g_file_set_contents (junk, "not a certificate\n", -1, &error));
  g_assert_no_error (error);
  g_free (contents);
  g_free (plain);
  g_free (link);
  g_free (junk);
  return dir;
}

static void
remove_cert_dir (gchar *dir)
{
  const char *names[] = { "faedcf59.0", "tlslite-test-rsa-ca.pem", "README" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gchar *p = g_build_filename (dir, names[i], NULL);

      g_unlink (p);
      g_free (p);
    }
  g_rmdir (dir);
  g_free (dir);
}

static void
test_cert_dir (void)
{
  gchar *dir = make_cert_dir ();

  if (g_test_subprocess ())
    {
      /* A missing entry in the list is warned about; the good one is used. */
      gchar *list = g_strconcat (dir, G_SEARCHPATH_SEPARATOR_S, "/nonexistent/tlslite-certdir", NULL);

      child_prepare (NULL, list);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem"), ==, 0);
      g_assert_cmpuint (verify_with_default ("server-other.pem"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
      g_free (list);
      remove_cert_dir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*WARNING*trust store /nonexistent/tlslite-certdir*");
  /* Neither the README of the good directory nor an unset SSL_CERT_FILE
   * (the compiled-in bundle is not used then) gives a warning. */
  g_test_trap_assert_stderr_unmatched ("*README*");
  g_test_trap_assert_stderr_unmatched ("*" TLSLITE_CA_BUNDLE "*");
  remove_cert_dir (dir);
}

static void
test_missing_file_warns (void)
{
  if (g_test_subprocess ())
    {
      child_prepare ("/nonexistent/tlslite-bundle.pem", NULL);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*WARNING*trust store /nonexistent/tlslite-bundle.pem*");
}

static void
test_garbage_file_warns (void)
{
  if (g_test_subprocess ())
    {
      child_prepare (data_path ("server-rsa-key.pem"), NULL);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*WARNING*trust store *server-rsa-key.pem*");
}

/* Neither variable: the compiled-in bundle. Whether it exists depends on the
 * machine (ca-certificates), so the expectation follows the file: warned
 * about iff it cannot be read, and our test CA is never in it. */
static void
test_compiled_bundle (void)
{
  if (g_test_subprocess ())
    {
      child_prepare (NULL, NULL);
      g_assert_cmpuint (verify_with_default ("server-rsa.pem") & G_TLS_CERTIFICATE_UNKNOWN_CA, ==,
                        G_TLS_CERTIFICATE_UNKNOWN_CA);
      return;
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_passed ();
  if (g_access (TLSLITE_CA_BUNDLE, R_OK) == 0)
    g_test_trap_assert_stderr_unmatched ("*trust store*");
  else
    g_test_trap_assert_stderr ("*WARNING*trust store " TLSLITE_CA_BUNDLE "*");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/default-database/ssl-cert-file", test_cert_file);
  g_test_add_func ("/default-database/ssl-cert-file-other-ca", test_cert_file_other_ca);
  g_test_add_func ("/default-database/ssl-cert-dir", test_cert_dir);
  g_test_add_func ("/default-database/missing-file-warns", test_missing_file_warns);
  g_test_add_func ("/default-database/garbage-file-warns", test_garbage_file_warns);
  g_test_add_func ("/default-database/compiled-bundle", test_compiled_bundle);
  return g_test_run ();
}
