/* GTlsDatabase and GTlsFileDatabase through the tlslite GIO backend: verify_chain, lookups, handles. */
#include <string.h>

#include <gio/gio.h>

static gchar *
data_path (const char *name)
{
  return g_build_filename (TEST_DATA_DIR, name, NULL);
}

static GTlsCertificate *
load (const char *name)
{
  gchar *path = data_path (name);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CERTIFICATE (cert));
  g_free (path);
  return cert;
}

static GTlsDatabase *
open_db (const char *name)
{
  gchar *path = data_path (name);
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (path, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_FILE_DATABASE (db));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (db), ==, "GTlsFileDatabaseTlslite");
  g_free (path);
  return db;
}

static void
assert_finalized (gpointer object)
{
  g_object_add_weak_pointer (G_OBJECT (object), &object);
  g_object_unref (object);
  g_assert_null (object);
}

static GTlsCertificateFlags
verify (GTlsDatabase *db, const char *cert_file, const char *purpose, const char *host)
{
  GTlsCertificate *cert = load (cert_file);
  GSocketConnectable *id = host ? g_network_address_new (host, 443) : NULL;
  GError *error = NULL;
  GTlsCertificateFlags flags;

  flags = g_tls_database_verify_chain (db, cert, purpose, id, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (cert);
  g_clear_object (&id);
  return flags;
}

#define SERVER G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER
#define CLIENT G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT

static void
test_default_database_is_singleton (void)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  GTlsDatabase *db = g_tls_backend_get_default_database (backend);
  GTlsDatabase *check = g_tls_backend_get_default_database (backend);

  g_assert_true (G_IS_TLS_DATABASE (db));
  g_assert_true (db == check);
  /* Our test CA is in no system bundle. */
  g_assert_cmphex (verify (db, "server-rsa.pem", SERVER, NULL) & G_TLS_CERTIFICATE_UNKNOWN_CA, ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_object_unref (db);
  g_object_unref (check);
}

static void
test_backend_priority (void)
{
  GIOExtensionPoint *ep = g_io_extension_point_lookup (G_TLS_BACKEND_EXTENSION_POINT_NAME);
  GIOExtension *ext = g_io_extension_point_get_extension_by_name (ep, "tlslite");

  /* Below glib-networking's gnutls (0) and openssl (-1), above the dummy
   * backend (-100), so installing the module never changes the default. */
  g_assert_nonnull (ext);
  g_assert_cmpint (g_io_extension_get_priority (ext), <, -1);
  g_assert_cmpint (g_io_extension_get_priority (ext), >, -100);
}

static void
test_verify_good (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-rsa.pem", SERVER, "server.example.com"), ==, 0);
  g_assert_cmphex (verify (db, "server-rsa.pem", SERVER, NULL), ==, 0);
  g_assert_cmphex (verify (db, "server-rsa.pem", SERVER, "127.0.0.1"), ==, 0);
  /* The intermediate comes from the issuer link. */
  g_assert_cmphex (verify (db, "server-int-chain.pem", SERVER, "localhost"), ==, 0);
  assert_finalized (db);
}

static void
test_verify_bad_identity (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-rsa.pem", SERVER, "other.example.com"), ==,
                   G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmphex (verify (db, "server-wronghost.pem", SERVER, "server.example.com"), ==,
                   G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* Without any subjectAltName the subject CN names the host (as GnuTLS)... */
  g_assert_cmphex (verify (db, "gio/server-nosan.pem", SERVER, "nosan.example.com"), ==, 0);
  g_assert_cmphex (verify (db, "gio/server-nosan.pem", SERVER, "other.example.com"), ==,
                   G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* ...unless G_TLS_TLSLITE_CN_FALLBACK=0 asks for RFC 9525. */
  g_setenv ("G_TLS_TLSLITE_CN_FALLBACK", "0", TRUE);
  g_assert_cmphex (verify (db, "gio/server-nosan.pem", SERVER, "nosan.example.com"), ==,
                   G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_unsetenv ("G_TLS_TLSLITE_CN_FALLBACK");
  assert_finalized (db);
}

static void
test_verify_bad_ca (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-self.pem", SERVER, NULL), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmphex (verify (db, "server-other.pem", SERVER, NULL), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* The leaf without its intermediate. */
  g_assert_cmphex (verify (db, "server-int.pem", SERVER, NULL), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* glib-networking 2.74's file-database/verify-bad-ca: a self-signed
   * version 1 certificate without subjectAltName, whose CN is the host,
   * gets exactly UNKNOWN_CA (its CN names the host, as with GnuTLS)... */
  g_assert_cmphex (verify (db, "gio/server-self-nosan.pem", SERVER, "server.example.com"), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmphex (verify (db, "gio/server-self-nosan.pem", SERVER, "other.example.com"), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* ...and with RFC 9525 also BAD_IDENTITY. */
  g_setenv ("G_TLS_TLSLITE_CN_FALLBACK", "0", TRUE);
  g_assert_cmphex (verify (db, "gio/server-self-nosan.pem", SERVER, "server.example.com"), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_unsetenv ("G_TLS_TLSLITE_CN_FALLBACK");
  assert_finalized (db);
}

static void
test_verify_bad_before (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-notyet.pem", SERVER, NULL), ==, G_TLS_CERTIFICATE_NOT_ACTIVATED);
  assert_finalized (db);
}

static void
test_verify_bad_expired (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-expired.pem", SERVER, NULL), ==, G_TLS_CERTIFICATE_EXPIRED);
  assert_finalized (db);
}

static void
test_verify_bad_combo (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_assert_cmphex (verify (db, "server-self.pem", SERVER, "other.example.com"), ==,
                   G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY);
  assert_finalized (db);
}

static void
test_verify_purpose (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  /* client-rsa has EKU clientAuth only, server-rsa serverAuth only. */
  g_assert_cmphex (verify (db, "client-rsa.pem", CLIENT, NULL), ==, 0);
  g_assert_cmphex (verify (db, "client-rsa.pem", SERVER, NULL), !=, 0);
  g_assert_cmphex (verify (db, "server-rsa.pem", CLIENT, NULL), !=, 0);
  assert_finalized (db);
}

static void
test_verify_cancelled (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");
  GTlsCertificate *cert = load ("server-rsa.pem");
  GCancellable *cancellable = g_cancellable_new ();
  GError *error = NULL;
  GTlsCertificateFlags flags;

  g_cancellable_cancel (cancellable);
  flags = g_tls_database_verify_chain (db, cert, SERVER, NULL, NULL, 0, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmphex (flags, !=, 0);
  g_clear_error (&error);
  g_object_unref (cancellable);
  g_object_unref (cert);
  assert_finalized (db);
}

static void
verify_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;
  GTlsCertificateFlags *flags = user_data;

  *flags = g_tls_database_verify_chain_finish (G_TLS_DATABASE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_verify_async (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");
  GTlsCertificate *cert = load ("server-rsa.pem");
  GSocketConnectable *id = g_network_address_new ("other.example.com", 443);
  GTlsCertificateFlags flags = G_TLS_CERTIFICATE_VALIDATE_ALL + 1;

  g_tls_database_verify_chain_async (db, cert, SERVER, id, NULL, 0, NULL, verify_done, &flags);
  while (flags == G_TLS_CERTIFICATE_VALIDATE_ALL + 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmphex (flags, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_object_unref (id);
  g_object_unref (cert);
  /* The worker thread may still hold the task (and so the database) for a
   * moment after the callback ran: no finalization check here. */
  g_object_unref (db);
}

/* Rebuild a file's certificates as an explicit issuer chain (file order),
 * as an application that got a chain from elsewhere would. */
static GTlsCertificate *
load_as_chain (const char *name)
{
  gchar *path = data_path (name);
  GError *error = NULL;
  GList *list = g_tls_certificate_list_new_from_file (path, &error), *l;
  GTlsCertificate *chain = NULL;

  g_assert_no_error (error);
  list = g_list_reverse (list);
  for (l = list; l; l = l->next)
    {
      GByteArray *der = NULL;
      GTlsCertificate *next;

      g_object_get (l->data, "certificate", &der, NULL);
      next = g_initable_new (g_tls_backend_get_certificate_type (g_tls_backend_get_default ()),
                             NULL, &error, "certificate", der, "issuer", chain, NULL);
      g_assert_no_error (error);
      g_byte_array_unref (der);
      g_clear_object (&chain);
      chain = next;
    }
  g_list_free_full (list, g_object_unref);
  g_free (path);
  return chain;
}

static void
test_verify_reissued_root (void)
{
  GTlsDatabase *db = open_db ("gio/reissued-root-new.pem");
  GTlsCertificate *chain = load_as_chain ("gio/reissued-chain.pem");
  GTlsCertificate *new_root = load ("gio/reissued-root-new.pem"), *c;
  GSocketConnectable *id = g_network_address_new ("reissued.example.com", 443);
  GError *error = NULL;
  GTlsCertificateFlags flags;

  /* The chain ends in the old root, which is not the anchor. */
  c = g_tls_certificate_get_issuer (g_tls_certificate_get_issuer (chain));
  g_assert_nonnull (c);
  g_assert_false (g_tls_certificate_is_same (c, new_root));

  flags = g_tls_database_verify_chain (db, chain, SERVER, id, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  flags &= ~(G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_INSECURE);
  g_assert_cmphex (flags, ==, 0);

  /* The anchor is found as the intermediate's issuer by signature. */
  c = g_tls_database_lookup_certificate_issuer (db, g_tls_certificate_get_issuer (chain), NULL,
                                                G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_true (g_tls_certificate_is_same (c, new_root));
  g_object_unref (c);

  g_object_unref (id);
  g_object_unref (new_root);
  g_object_unref (chain);
  assert_finalized (db);
}

/* Like load_as_chain, over several files: the first certificate is the
 * leaf, each next one the "issuer" of the one before, whether it issued it
 * or not (verify_chain takes the issuer links as a set of candidates). */
static GTlsCertificate *
load_files_as_chain (const char *const *names)
{
  GList *all = NULL, *l;
  GTlsCertificate *chain = NULL;
  GError *error = NULL;

  for (; *names; names++)
    {
      gchar *path = data_path (*names);
      GList *list = g_tls_certificate_list_new_from_file (path, &error);

      g_assert_no_error (error);
      all = g_list_concat (all, list);
      g_free (path);
    }
  all = g_list_reverse (all);
  for (l = all; l; l = l->next)
    {
      GByteArray *der = NULL;
      GTlsCertificate *next;

      g_object_get (l->data, "certificate", &der, NULL);
      next = g_initable_new (g_tls_backend_get_certificate_type (g_tls_backend_get_default ()),
                             NULL, &error, "certificate", der, "issuer", chain, NULL);
      g_assert_no_error (error);
      g_byte_array_unref (der);
      g_clear_object (&chain);
      chain = next;
    }
  g_list_free_full (all, g_object_unref);
  return chain;
}

/* The issuer is the 22nd certificate of the chain handed to verify_chain:
 * every presented certificate is a candidate, not only the first 16 (the
 * cap that made bettertls pathbuilding tc61-68 fail with UNKNOWN_CA). */
static void
test_verify_issuer_far_in_chain (void)
{
  const char *const files[] = {
    "x509/cand-leaf.pem", "x509/cand-decoys.pem", "x509/bridge-by-a.pem", "x509/bridge-by-b.pem",
    "x509/bridge-root-a.pem", "x509/bridge-root-b.pem", "x509/bridge-int-b.pem", "x509/alt-nc.pem",
    "x509/alt-plain.pem", "x509/int-eku-any.pem", "x509/int-eku-email.pem", "x509/int-eku-server.pem",
    "x509/int-nobc.pem", "x509/nc-dir-ca.pem", "x509/nc-email-ca.pem", "x509/nc-other-ca.pem",
    "x509/root-critext.pem", "x509/cand-good.pem", NULL
  };
  GTlsDatabase *db = open_db ("ca-rsa.pem");
  GTlsCertificate *chain = load_files_as_chain (files), *c;
  GSocketConnectable *id = g_network_address_new ("localhost", 443);
  GError *error = NULL;
  guint n = 0;

  for (c = chain; c; c = g_tls_certificate_get_issuer (c))
    n++;
  g_assert_cmpuint (n, ==, 22);
  g_assert_cmphex (g_tls_database_verify_chain (db, chain, SERVER, id, NULL, 0, NULL, &error), ==, 0);
  g_assert_no_error (error);

  g_object_unref (id);
  g_object_unref (chain);
  assert_finalized (db);
}

/* The Web PKI profile of a server leaf applies through GIO by default, and
 * G_TLS_TLSLITE_WEBPKI=0 turns it off (read at each verification). */
static void
test_verify_webpki_profile (void)
{
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  /* basicConstraints cA in a server leaf whose keyUsage lacks keyCertSign */
  g_assert_cmphex (verify (db, "x509/webpki-ca-leaf.pem", SERVER, "localhost"), ==, G_TLS_CERTIFICATE_GENERIC_ERROR);
  /* a CN that spells the SAN's IPv6 address otherwise */
  g_assert_cmphex (verify (db, "x509/webpki-cn-ip-long.pem", SERVER, "localhost"), ==, G_TLS_CERTIFICATE_GENERIC_ERROR);
  /* RSA-1024 (the key rules belong to the profile too) */
  g_assert_cmphex (verify (db, "x509/leaf-rsa1024.pem", SERVER, "localhost"), ==, G_TLS_CERTIFICATE_INSECURE);
  g_setenv ("G_TLS_TLSLITE_WEBPKI", "0", TRUE);
  g_assert_cmphex (verify (db, "x509/webpki-ca-leaf.pem", SERVER, "localhost"), ==, 0);
  g_assert_cmphex (verify (db, "x509/webpki-cn-ip-long.pem", SERVER, "localhost"), ==, 0);
  g_assert_cmphex (verify (db, "x509/leaf-rsa1024.pem", SERVER, "localhost"), ==, 0);
  /* RFC 5280 rules stay: an intermediate without AKI */
  {
    const char *const files[] = { "x509/leaf-by-noaki.pem", "x509/int-noaki.pem", NULL };
    GTlsCertificate *chain = load_files_as_chain (files);
    GSocketConnectable *id = g_network_address_new ("localhost", 443);
    GError *error = NULL;

    g_assert_cmphex (g_tls_database_verify_chain (db, chain, SERVER, id, NULL, 0, NULL, &error), ==,
                     G_TLS_CERTIFICATE_GENERIC_ERROR);
    g_assert_no_error (error);
    g_object_unref (id);
    g_object_unref (chain);
  }
  g_unsetenv ("G_TLS_TLSLITE_WEBPKI");
  g_assert_cmphex (verify (db, "x509/webpki-ca-leaf.pem", SERVER, "localhost"), ==, G_TLS_CERTIFICATE_GENERIC_ERROR);
  assert_finalized (db);
}

static void
test_anchors_property (void)
{
  gchar *path = data_path ("ca-rsa.pem"), *anchors = NULL;
  GTlsDatabase *db = open_db ("ca-rsa.pem");

  g_object_get (db, "anchors", &anchors, NULL);
  g_assert_cmpstr (anchors, ==, path);
  g_free (anchors);
  g_free (path);
  assert_finalized (db);
}

static void
check_db_error (const char *name)
{
  gchar *path = data_path (name);
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (path, &error);

  g_assert_null (db);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_clear_error (&error);
  g_free (path);
}

static void
test_bad_files (void)
{
  check_db_error ("gio/garbage.bin");
  check_db_error ("gio/ca-list-bad.pem");
  check_db_error ("gio/does-not-exist.pem");
}

static gboolean
in_list (GList *list, const char *file)
{
  GTlsCertificate *cert = load (file);
  gboolean found = FALSE;

  for (; list && !found; list = list->next)
    found = g_tls_certificate_is_same (list->data, cert);
  g_object_unref (cert);
  return found;
}

static void
test_lookup_certificates_issued_by (void)
{
  GTlsDatabase *db = open_db ("gio/issued-by-ca-rsa.pem");
  gchar *path = data_path ("gio/ca-rsa-subject.der"), *contents = NULL;
  gsize len = 0;
  GError *error = NULL;
  GByteArray *dn;
  GList *list;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  dn = g_byte_array_new_take ((guint8 *) contents, len);

  list = g_tls_database_lookup_certificates_issued_by (db, dn, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (list), ==, 4);
  g_assert_true (in_list (list, "server-rsa.pem"));
  g_assert_true (in_list (list, "server-expired.pem"));
  g_assert_true (in_list (list, "server-notyet.pem"));
  g_assert_true (in_list (list, "server-wronghost.pem"));
  g_assert_false (in_list (list, "server-self.pem"));
  g_list_free_full (list, g_object_unref);

  /* The DN must match exactly: one byte less finds nothing. */
  g_byte_array_set_size (dn, dn->len - 1);
  list = g_tls_database_lookup_certificates_issued_by (db, dn, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (list);

  g_byte_array_unref (dn);
  g_free (path);
  assert_finalized (db);
}

static void
test_lookup_issuer (void)
{
  GTlsDatabase *db = open_db ("gio/ca-list.pem");
  GTlsCertificate *cert = load ("server-rsa.pem"), *ca = load ("ca-rsa.pem"), *issuer;
  GError *error = NULL;

  issuer = g_tls_database_lookup_certificate_issuer (db, cert, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (issuer);
  g_assert_true (g_tls_certificate_is_same (issuer, ca));
  g_object_unref (issuer);
  g_object_unref (cert);

  /* Not there: NULL and no error. */
  cert = load ("server-self.pem");
  issuer = g_tls_database_lookup_certificate_issuer (db, cert, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (issuer);
  g_object_unref (cert);
  g_object_unref (ca);
  assert_finalized (db);
}

static void
test_handle (void)
{
  GTlsDatabase *db = open_db ("gio/ca-list.pem");
  GTlsCertificate *cert = load ("ca-rsa.pem"), *check, *outsider = load ("server-self.pem");
  GError *error = NULL;
  gchar *handle, *other;

  handle = g_tls_database_create_certificate_handle (db, cert);
  g_assert_nonnull (handle);
  g_assert_true (g_str_has_prefix (handle, "file:///"));

  check = g_tls_database_lookup_certificate_for_handle (db, handle, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CERTIFICATE (check));
  g_assert_true (g_tls_certificate_is_same (check, cert));
  g_object_unref (check);

  /* A certificate that is not in the database has no handle. */
  g_assert_null (g_tls_database_create_certificate_handle (db, outsider));

  /* The same digest under another file's name is not ours. */
  other = g_strconcat ("file:///nonexistent/other.pem", strchr (handle, '#'), NULL);
  check = g_tls_database_lookup_certificate_for_handle (db, other, NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (check);

  g_free (other);
  g_free (handle);
  g_object_unref (outsider);
  g_object_unref (cert);
  assert_finalized (db);
}

static void
test_handle_invalid (void)
{
  GTlsDatabase *db = open_db ("gio/ca-list.pem");
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_tls_database_lookup_certificate_for_handle (db, "blah:blah", NULL, G_TLS_DATABASE_LOOKUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cert);
  assert_finalized (db);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_TLS", "tlslite", TRUE);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_tls_backend_get_default ()), ==, "GTlsBackendTlslite");

  g_test_add_func ("/backend/default-database-is-singleton", test_default_database_is_singleton);
  g_test_add_func ("/backend/priority", test_backend_priority);
  g_test_add_func ("/database/verify-good", test_verify_good);
  g_test_add_func ("/database/verify-bad-identity", test_verify_bad_identity);
  g_test_add_func ("/database/verify-bad-ca", test_verify_bad_ca);
  g_test_add_func ("/database/verify-bad-before", test_verify_bad_before);
  g_test_add_func ("/database/verify-bad-expired", test_verify_bad_expired);
  g_test_add_func ("/database/verify-bad-combo", test_verify_bad_combo);
  g_test_add_func ("/database/verify-purpose", test_verify_purpose);
  g_test_add_func ("/database/verify-cancelled", test_verify_cancelled);
  g_test_add_func ("/database/verify-async", test_verify_async);
  g_test_add_func ("/database/verify-with-reissued-root-in-chain", test_verify_reissued_root);
  g_test_add_func ("/database/verify-issuer-far-in-chain", test_verify_issuer_far_in_chain);
  g_test_add_func ("/database/verify-webpki-profile", test_verify_webpki_profile);
  g_test_add_func ("/file-database/anchors-property", test_anchors_property);
  g_test_add_func ("/file-database/bad-files", test_bad_files);
  g_test_add_func ("/file-database/lookup-certificates-issued-by", test_lookup_certificates_issued_by);
  g_test_add_func ("/file-database/lookup-issuer", test_lookup_issuer);
  g_test_add_func ("/file-database/test-handle", test_handle);
  g_test_add_func ("/file-database/test-handle-invalid", test_handle_invalid);

  return g_test_run ();
}
