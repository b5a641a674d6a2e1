/* GTlsCertificate through the tlslite GIO backend: construction, properties, PKCS#12 and verify(). */
#include <string.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

static gchar *
data_path (const char *name)
{
  return g_build_filename (TEST_DATA_DIR, name, NULL);
}

static gchar *
read_text (const char *name)
{
  gchar *path = data_path (name), *contents = NULL;
  GError *error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_free (path);
  return contents;
}

static GByteArray *
read_bytes (const char *name)
{
  gchar *path = data_path (name), *contents = NULL;
  GError *error = NULL;
  gsize len = 0;
  GByteArray *array;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_free (path);
  array = g_byte_array_new_take ((guint8 *) contents, len);
  return array;
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

static GType
cert_type (void)
{
  return g_tls_backend_get_certificate_type (g_tls_backend_get_default ());
}

static void
assert_finalized (GTlsCertificate *cert)
{
  g_object_add_weak_pointer (G_OBJECT (cert), (gpointer *) &cert);
  g_object_unref (cert);
  g_assert_null (cert);
}

/* ---- construction ---- */

static void
test_create_pem (void)
{
  gchar *pem = read_text ("server-rsa.pem"), *back = NULL;
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (cert), ==, "GTlsCertificateTlslite");
  g_object_get (cert, "certificate-pem", &back, NULL);
  g_assert_cmpstr (back, ==, pem);
  g_free (back);
  g_free (pem);
  assert_finalized (cert);
}

static void
test_create_der (void)
{
  GByteArray *der = read_bytes ("gio/server-rsa.der"), *back = NULL;
  GError *error = NULL;
  GTlsCertificate *cert = g_initable_new (cert_type (), NULL, &error, "certificate", der, NULL);

  g_assert_no_error (error);
  g_object_get (cert, "certificate", &back, NULL);
  g_assert_nonnull (back);
  g_assert_cmpmem (back->data, back->len, der->data, der->len);
  g_byte_array_unref (back);
  g_byte_array_unref (der);
  assert_finalized (cert);
}

static void
test_create_with_key_pem (void)
{
  gchar *pem = read_text ("server-rsa.pem");
  gchar *key = read_text ("server-rsa-key-pkcs1.pem");
  gchar *pkcs8 = read_text ("server-rsa-key-pkcs8.pem"), *back = NULL;
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_initable_new (cert_type (), NULL, &error,
                         "certificate-pem", pem, "private-key-pem", key, NULL);
  g_assert_no_error (error);
  /* Read back as PKCS#8 whatever the input form was. */
  g_object_get (cert, "private-key-pem", &back, NULL);
  g_assert_cmpstr (back, ==, pkcs8);
  g_free (back);
  assert_finalized (cert);
  g_free (pem);
  g_free (key);
  g_free (pkcs8);
}

static void
test_create_with_key_der (void)
{
  GByteArray *der = read_bytes ("gio/server-rsa.der");
  GByteArray *key = read_bytes ("gio/server-rsa-key-pkcs1.der");
  GByteArray *pkcs8 = read_bytes ("server-rsa-key-pkcs8.der"), *back = NULL;
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_initable_new (cert_type (), NULL, &error, "certificate", der, "private-key", key, NULL);
  g_assert_no_error (error);
  g_object_get (cert, "private-key", &back, NULL);
  g_assert_nonnull (back);
  g_assert_cmpmem (back->data, back->len, pkcs8->data, pkcs8->len);
  g_byte_array_unref (back);
  assert_finalized (cert);

  /* PKCS#8 DER input too. */
  cert = g_initable_new (cert_type (), NULL, &error, "certificate", der, "private-key", pkcs8, NULL);
  g_assert_no_error (error);
  g_object_get (cert, "private-key", &back, NULL);
  g_assert_cmpmem (back->data, back->len, pkcs8->data, pkcs8->len);
  g_byte_array_unref (back);
  assert_finalized (cert);

  g_byte_array_unref (der);
  g_byte_array_unref (key);
  g_byte_array_unref (pkcs8);
}

static void
check_key_pair (const char *cert_file, const char *key_file)
{
  gchar *pem = read_text (cert_file);
  gchar *key = read_text (key_file), *back = NULL;
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_initable_new (cert_type (), NULL, &error,
                         "certificate-pem", pem, "private-key-pem", key, NULL);
  g_assert_no_error (error);
  g_object_get (cert, "private-key-pem", &back, NULL);
  g_assert_nonnull (back);
  g_assert_true (g_str_has_prefix (back, "-----BEGIN PRIVATE KEY-----\n"));
  g_free (back);
  g_object_unref (cert);
  g_free (pem);
  g_free (key);
}

static void
test_create_ecdsa_key (void)
{
  check_key_pair ("server-ecdsa.pem", "server-ecdsa-key-sec1.pem");
  check_key_pair ("server-ecdsa.pem", "server-ecdsa-key-pkcs8.pem");
  check_key_pair ("server-p384.pem", "server-p384-key.pem");
  check_key_pair ("server-ed25519.pem", "server-ed25519-key.pem");
}

static void
test_no_key (void)
{
  GTlsCertificate *cert = load ("server-rsa.pem");
  GByteArray *der = NULL;
  gchar *pem = NULL;

  g_object_get (cert, "private-key", &der, "private-key-pem", &pem, NULL);
  g_assert_null (der);
  g_assert_null (pem);
  g_object_unref (cert);
}

static void
test_private_key_from_file (void)
{
  GTlsCertificate *cert = load ("gio/server-rsa-and-key.pem");
  GByteArray *pkcs8 = read_bytes ("server-rsa-key-pkcs8.der"), *der = NULL;
  gchar *pkcs8_pem = read_text ("server-rsa-key-pkcs8.pem"), *pem = NULL;

  g_object_get (cert, "private-key", &der, "private-key-pem", &pem, NULL);
  g_assert_nonnull (der);
  g_assert_cmpmem (der->data, der->len, pkcs8->data, pkcs8->len);
  g_assert_cmpstr (pem, ==, pkcs8_pem);
  g_byte_array_unref (der);
  g_byte_array_unref (pkcs8);
  g_free (pem);
  g_free (pkcs8_pem);
  g_object_unref (cert);
}

static void
test_create_with_issuer (void)
{
  GTlsCertificate *issuer = load ("ca-rsa.pem"), *cert;
  gchar *pem = read_text ("server-rsa.pem");
  GError *error = NULL;

  cert = g_initable_new (cert_type (), NULL, &error, "certificate-pem", pem, "issuer", issuer, NULL);
  g_assert_no_error (error);
  g_object_add_weak_pointer (G_OBJECT (issuer), (gpointer *) &issuer);
  g_object_unref (issuer);
  /* The certificate keeps its issuer alive... */
  g_assert_nonnull (issuer);
  g_assert_true (g_tls_certificate_get_issuer (cert) == issuer);
  /* ...and releases it when finalized. */
  assert_finalized (cert);
  g_assert_null (issuer);
  g_free (pem);
}

static void
test_garbage (void)
{
  gchar *path = data_path ("gio/garbage.bin");
  GError *error = NULL;
  GTlsCertificate *cert;
  GByteArray *junk;
  gchar *pem, *p;

  cert = g_tls_certificate_new_from_file (path, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_free (path);

  cert = g_tls_certificate_new_from_pem ("I am not a very good certificate.", -1, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* A PEM block whose base64 is fine but whose content is not a certificate. */
  cert = g_tls_certificate_new_from_pem ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                         -1, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* A certificate with a trailing byte after the DER. */
  junk = read_bytes ("gio/server-rsa.der");
  g_byte_array_append (junk, (const guint8 *) "", 1);
  cert = g_initable_new (cert_type (), NULL, &error, "certificate", junk, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_byte_array_unref (junk);

  /* A bad key with a good certificate. */
  pem = read_text ("server-rsa.pem");
  cert = g_initable_new (cert_type (), NULL, &error, "certificate-pem", pem,
                         "private-key-pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                         NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* A corrupted certificate body (a flipped base64 character). */
  p = strstr (pem, "\n") + 20;
  *p = (*p == 'A') ? 'B' : 'A';
  cert = g_tls_certificate_new_from_pem (pem, -1, &error);
  if (cert)
    {
      /* A flip inside a string or the signature still parses; the DER must
       * then round-trip as given. */
      gchar *back = NULL;

      g_object_get (cert, "certificate-pem", &back, NULL);
      g_assert_cmpstr (back, ==, pem);
      g_free (back);
      g_object_unref (cert);
    }
  else
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_free (pem);
}

static void
test_key_mismatch (void)
{
  gchar *pem = read_text ("server-ecdsa.pem");
  gchar *key = read_text ("server-rsa-key.pem");
  gchar *other = read_text ("client-ecdsa-key.pem");
  GError *error = NULL;
  GTlsCertificate *cert;

  /* Another algorithm's key. */
  cert = g_initable_new (cert_type (), NULL, &error, "certificate-pem", pem, "private-key-pem", key, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* Same algorithm, another key. */
  cert = g_initable_new (cert_type (), NULL, &error, "certificate-pem", pem, "private-key-pem", other, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  g_free (pem);
  g_free (key);
  g_free (other);
}

static void
test_no_certificate (void)
{
  gchar *key = read_text ("server-rsa-key.pem");
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_initable_new (cert_type (), NULL, &error, "private-key-pem", key, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_free (key);
}

static void
test_encrypted_key (void)
{
  gchar *pem = read_text ("server-rsa.pem");
  gchar *key = read_text ("server-rsa-key-enc.pem");
  GError *error = NULL;
  GTlsCertificate *cert;

  /* No password can be given through these properties. */
  cert = g_initable_new (cert_type (), NULL, &error,
                         "certificate-pem", pem, "private-key-pem", key, NULL);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_free (pem);
  g_free (key);
}

static void
test_pkcs11 (void)
{
  GError *error = NULL;
  GTlsCertificate *cert;
  gchar *uri = NULL;

  cert = g_tls_certificate_new_from_pkcs11_uris ("pkcs11:model=mock;object=cert", NULL, &error);
  g_assert_null (cert);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  cert = g_initable_new (cert_type (), NULL, &error,
                         "private-key-pkcs11-uri", "pkcs11:model=mock;object=key", NULL);
  g_assert_null (cert);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* A NULL URI is "not set". */
  cert = load ("server-rsa.pem");
  g_object_get (cert, "pkcs11-uri", &uri, NULL);
  g_assert_null (uri);
  g_object_get (cert, "private-key-pkcs11-uri", &uri, NULL);
  g_assert_null (uri);
  g_object_unref (cert);
}

/* ---- chains and lists ---- */

static void
test_create_chain (void)
{
  GTlsCertificate *cert = load ("gio/chain.pem"), *intermediate, *root;
  GTlsCertificate *expect_int = load ("int-rsa.pem"), *expect_root = load ("ca-rsa.pem");

  intermediate = g_tls_certificate_get_issuer (cert);
  g_assert_true (G_IS_TLS_CERTIFICATE (intermediate));
  g_assert_true (g_tls_certificate_is_same (intermediate, expect_int));
  root = g_tls_certificate_get_issuer (intermediate);
  g_assert_true (G_IS_TLS_CERTIFICATE (root));
  g_assert_true (g_tls_certificate_is_same (root, expect_root));
  g_assert_null (g_tls_certificate_get_issuer (root));

  g_object_unref (cert);
  g_object_unref (expect_int);
  g_object_unref (expect_root);
}

static void
test_create_no_chain (void)
{
  GTlsCertificate *cert = load ("gio/non-chain.pem");
  gchar *pem;
  gsize len;
  GError *error = NULL;

  g_assert_null (g_tls_certificate_get_issuer (cert));
  g_object_unref (cert);

  /* A truncated chain: only the first certificate. */
  pem = read_text ("gio/chain.pem");
  len = strlen (pem);
  cert = g_tls_certificate_new_from_pem (pem, len - 100, &error);
  g_assert_no_error (error);
  g_assert_null (g_tls_certificate_get_issuer (cert));
  g_object_unref (cert);
  g_free (pem);
}

static void
test_create_list (void)
{
  gchar *path = data_path ("gio/ca-list.pem");
  GError *error = NULL;
  GList *list = g_tls_certificate_list_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (list), ==, 8);
  g_list_free_full (list, g_object_unref);
  g_free (path);
}

static void
test_create_list_bad (void)
{
  gchar *path = data_path ("gio/ca-list-bad.pem");
  GError *error = NULL;
  GList *list = g_tls_certificate_list_new_from_file (path, &error);

  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (list);
  g_clear_error (&error);
  g_free (path);
}

/* ---- verify() ---- */

static void
check_verify (const char *cert_file, GSocketConnectable *identity, const char *ca_file,
              GTlsCertificateFlags expected)
{
  GTlsCertificate *cert = load (cert_file);
  GTlsCertificate *ca = ca_file ? load (ca_file) : NULL;

  g_assert_cmphex (g_tls_certificate_verify (cert, identity, ca), ==, expected);
  g_object_unref (cert);
  g_clear_object (&ca);
}

static void
test_verify_good (void)
{
  GSocketConnectable *id;
  GSocketAddress *addr;

  id = g_network_address_new ("server.example.com", 443);
  check_verify ("server-rsa.pem", id, "ca-rsa.pem", 0);
  g_object_unref (id);

  check_verify ("server-rsa.pem", NULL, "ca-rsa.pem", 0);

  id = g_network_address_new ("127.0.0.1", 443);
  check_verify ("server-rsa.pem", id, "ca-rsa.pem", 0);
  g_object_unref (id);

  addr = g_inet_socket_address_new_from_string ("127.0.0.1", 443);
  check_verify ("server-rsa.pem", G_SOCKET_CONNECTABLE (addr), "ca-rsa.pem", 0);
  g_object_unref (addr);

  addr = g_inet_socket_address_new_from_string ("::1", 443);
  check_verify ("server-rsa.pem", G_SOCKET_CONNECTABLE (addr), "ca-rsa.pem", 0);
  g_object_unref (addr);

  id = g_network_service_new ("https", "tcp", "server.example.com");
  check_verify ("server-rsa.pem", id, "ca-rsa.pem", 0);
  g_object_unref (id);

  /* Through an intermediate carried as the issuer. */
  id = g_network_address_new ("localhost", 443);
  check_verify ("server-int-chain.pem", id, "ca-rsa.pem", 0);
  g_object_unref (id);

  /* ECDSA. */
  check_verify ("server-ecdsa.pem", NULL, "ca-ecdsa.pem", 0);
}

static void
test_verify_bad_identity (void)
{
  GSocketConnectable *id;
  GSocketAddress *addr;

  id = g_network_address_new ("other.example.com", 443);
  check_verify ("server-rsa.pem", id, "ca-rsa.pem", G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_object_unref (id);

  id = g_network_address_new ("192.168.1.10", 443);
  check_verify ("server-rsa.pem", id, "ca-rsa.pem", G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_object_unref (id);

  addr = g_inet_socket_address_new_from_string ("10.0.0.1", 443);
  check_verify ("server-rsa.pem", G_SOCKET_CONNECTABLE (addr), "ca-rsa.pem", G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_object_unref (addr);

  /* An identity that has no host name at all cannot match. */
  addr = g_unix_socket_address_new ("/tmp/tlslite-test-socket");
  check_verify ("server-rsa.pem", G_SOCKET_CONNECTABLE (addr), "ca-rsa.pem", G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_object_unref (addr);
}

static void
check_identity (const char *cert_file, const char *host, GTlsCertificateFlags expected)
{
  GSocketConnectable *id = g_network_address_new (host, 443);

  check_verify (cert_file, id, "ca-rsa.pem", expected);
  g_object_unref (id);
}

static void
test_verify_cn_default (void)
{
  /* By default, as GnuTLS: with no subjectAltName at all the subject CN is
   * the name, exactly. */
  g_unsetenv ("G_TLS_TLSLITE_CN_FALLBACK");
  check_identity ("gio/server-nosan.pem", "nosan.example.com", 0);
  check_identity ("gio/server-nosan.pem", "NOSAN.example.com.", 0);
  check_identity ("gio/server-nosan.pem", "other.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_identity ("gio/server-nosan.pem", "x.nosan.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_identity ("gio/server-nosan.pem", "127.0.0.1", G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* ",CN=" inside another attribute's value is not a CN. */
  check_identity ("gio/server-nosan-tricky.pem", "real.example.com", 0);
  check_identity ("gio/server-nosan-tricky.pem", "victim.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* With a dNSName present the CN is ignored. */
  check_identity ("gio/server-cn-and-san.pem", "san.example.com", 0);
  check_identity ("gio/server-cn-and-san.pem", "cn.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
}

static void
test_verify_cn_constrained (void)
{
  GSocketConnectable *id = g_network_address_new ("www.example.com", 443);

  /* nc-ca (permits example.com, excludes bad.example.com) as the anchor:
   * the CN of what it issued never names the host, even when permitted... */
  check_verify ("x509/nc-cn-inside.pem", id, "nc-ca.pem", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_verify ("x509/nc-cn-inside.pem", NULL, "nc-ca.pem", 0);
  /* ...and the constraints judge it as a dNSName. */
  check_verify ("x509/nc-cn-excluded.pem", NULL, "nc-ca.pem", G_TLS_CERTIFICATE_GENERIC_ERROR);
  check_verify ("x509/nc-cn-outside.pem", NULL, "nc-ca.pem", G_TLS_CERTIFICATE_GENERIC_ERROR);
  g_object_unref (id);
}

static void
test_verify_public_suffix (void)
{
  /* SAN *.co.uk and *.example.co.uk: with the Public Suffix List
   * (Debian's publicsuffix package, read from -Dpublic_suffix_list) the
   * first names no host. */
  g_assert_true (g_file_test (TLSLITE_PUBLIC_SUFFIX_LIST, G_FILE_TEST_IS_REGULAR));
  check_identity ("x509/wild-psl.pem", "example.co.uk", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_identity ("x509/wild-psl.pem", "www.example.co.uk", 0);
}

static void
test_verify_cn_rfc9525 (void)
{
  /* G_TLS_TLSLITE_CN_FALLBACK=0: the subject CN never names the host. */
  g_setenv ("G_TLS_TLSLITE_CN_FALLBACK", "0", TRUE);
  check_identity ("gio/server-nosan.pem", "nosan.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_identity ("gio/server-nosan-tricky.pem", "real.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  check_identity ("gio/server-cn-and-san.pem", "san.example.com", 0);
  check_identity ("gio/server-cn-and-san.pem", "cn.example.com", G_TLS_CERTIFICATE_BAD_IDENTITY);
  /* Any other value is the default. */
  g_setenv ("G_TLS_TLSLITE_CN_FALLBACK", "1", TRUE);
  check_identity ("gio/server-nosan.pem", "nosan.example.com", 0);
  g_unsetenv ("G_TLS_TLSLITE_CN_FALLBACK");
}

static void
test_verify_bad_ca (void)
{
  GSocketConnectable *id = g_network_address_new ("server.example.com", 443);

  /* A leaf certificate as the CA. */
  check_verify ("server-rsa.pem", id, "client-rsa.pem", G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* An unrelated CA. */
  check_verify ("server-rsa.pem", id, "other-ca.pem", G_TLS_CERTIFICATE_UNKNOWN_CA);
  /* No CA at all. */
  check_verify ("server-rsa.pem", id, NULL, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_object_unref (id);
}

static void
test_verify_bad_before (void)
{
  check_verify ("server-notyet.pem", NULL, "ca-rsa.pem", G_TLS_CERTIFICATE_NOT_ACTIVATED);
}

static void
test_verify_bad_expired (void)
{
  check_verify ("server-expired.pem", NULL, "ca-rsa.pem", G_TLS_CERTIFICATE_EXPIRED);
}

static void
test_verify_bad_combo (void)
{
  GSocketConnectable *id = g_network_address_new ("other.example.com", 443);
  GTlsCertificate *cert = load ("server-expired.pem"), *ca = load ("server-self.pem");

  g_assert_cmphex (g_tls_certificate_verify (cert, id, ca), !=, 0);
  g_object_unref (cert);
  g_object_unref (ca);
  g_object_unref (id);
}

/* ---- other properties ---- */

static void
test_is_same (void)
{
  GTlsCertificate *one = load ("server-rsa.pem");
  GTlsCertificate *two = load ("gio/server-rsa-and-key.pem");
  GTlsCertificate *three = load ("client-rsa.pem");

  g_assert_true (g_tls_certificate_is_same (one, two));
  g_assert_true (g_tls_certificate_is_same (two, one));
  g_assert_false (g_tls_certificate_is_same (one, three));
  g_assert_false (g_tls_certificate_is_same (three, two));
  g_object_unref (one);
  g_object_unref (two);
  g_object_unref (three);
}

static void
test_validity (void)
{
  GTlsCertificate *cert = load ("server-rsa.pem");
  GDateTime *t;
  gchar *s;

  t = g_tls_certificate_get_not_valid_before (cert);
  g_assert_nonnull (t);
  s = g_date_time_format_iso8601 (t);
  g_assert_cmpstr (s, ==, "2020-01-01T00:00:00Z");
  g_free (s);
  g_date_time_unref (t);

  t = g_tls_certificate_get_not_valid_after (cert);
  g_assert_nonnull (t);
  s = g_date_time_format_iso8601 (t);
  g_assert_cmpstr (s, ==, "2049-12-31T23:59:59Z");
  g_free (s);
  g_date_time_unref (t);
  g_object_unref (cert);

  cert = load ("server-expired.pem");
  t = g_tls_certificate_get_not_valid_after (cert);
  s = g_date_time_format_iso8601 (t);
  g_assert_cmpstr (s, ==, "2011-12-31T23:59:59Z");
  g_free (s);
  g_date_time_unref (t);
  g_object_unref (cert);
}

static void
test_names (void)
{
  GTlsCertificate *cert = load ("server-rsa.pem");
  gchar *s;

  s = g_tls_certificate_get_subject_name (cert);
  g_assert_cmpstr (s, ==, "DC=COM,DC=EXAMPLE,O=tlslite,CN=localhost");
  g_free (s);
  s = g_tls_certificate_get_issuer_name (cert);
  g_assert_cmpstr (s, ==, "O=tlslite,CN=tlslite test RSA CA");
  g_free (s);
  g_object_unref (cert);

  cert = load ("client-rsa.pem");
  s = g_tls_certificate_get_subject_name (cert);
  g_assert_nonnull (strstr (s, "DC=COM,DC=EXAMPLE,CN=client,"));
  g_assert_nonnull (strstr (s, "client@example.com"));
  g_free (s);
  g_object_unref (cert);
}

static void
test_dns_names (void)
{
  GTlsCertificate *cert = load ("server-rsa.pem");
  GPtrArray *names = g_tls_certificate_get_dns_names (cert);
  GBytes *a = g_bytes_new_static ("localhost", 9);
  GBytes *b = g_bytes_new_static ("server.example.com", 18);

  g_assert_nonnull (names);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (names, a, (GEqualFunc) g_bytes_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (names, b, (GEqualFunc) g_bytes_equal, NULL));
  g_ptr_array_unref (names);
  g_bytes_unref (a);
  g_bytes_unref (b);
  g_object_unref (cert);

  /* No subjectAltName: no names. */
  cert = load ("client-rsa.pem");
  names = g_tls_certificate_get_dns_names (cert);
  g_assert_true (names == NULL || names->len == 0);
  g_clear_pointer (&names, g_ptr_array_unref);
  g_object_unref (cert);
}

static void
test_ip_addresses (void)
{
  GTlsCertificate *cert = load ("server-rsa.pem");
  GPtrArray *addrs = g_tls_certificate_get_ip_addresses (cert);
  GInetAddress *v4 = g_inet_address_new_from_string ("127.0.0.1");
  GInetAddress *v6 = g_inet_address_new_from_string ("::1");

  g_assert_nonnull (addrs);
  g_assert_cmpuint (addrs->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (addrs, v4, (GEqualFunc) g_inet_address_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (addrs, v6, (GEqualFunc) g_inet_address_equal, NULL));
  g_ptr_array_unref (addrs);
  g_object_unref (v4);
  g_object_unref (v6);
  g_object_unref (cert);
}

/* ---- PKCS#12 ---- */

static void
assert_is_server_with_key (GTlsCertificate *cert)
{
  GTlsCertificate *orig = load ("server-rsa.pem"), *ca = load ("ca-rsa.pem");
  gchar *key = NULL, *pkcs8 = read_text ("server-rsa-key-pkcs8.pem");

  g_assert_true (g_tls_certificate_is_same (cert, orig));
  g_object_get (cert, "private-key-pem", &key, NULL);
  g_assert_cmpstr (key, ==, pkcs8);
  /* The CA in the file becomes the issuer. */
  g_assert_nonnull (g_tls_certificate_get_issuer (cert));
  g_assert_true (g_tls_certificate_is_same (g_tls_certificate_get_issuer (cert), ca));
  g_free (key);
  g_free (pkcs8);
  g_object_unref (orig);
  g_object_unref (ca);
}

static void
check_pkcs12_with_password (const char *file)
{
  GByteArray *p12 = read_bytes (file);
  GError *error = NULL;
  GTlsCertificate *cert;

  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, NULL, &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD);
  g_clear_error (&error);

  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, "oajfo", &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD);
  g_clear_error (&error);

  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, "1234", &error);
  g_assert_no_error (error);
  assert_is_server_with_key (cert);
  g_object_unref (cert);
  g_byte_array_unref (p12);
}

static void
test_pkcs12_basic (void)
{
  GByteArray *p12 = read_bytes ("server-rsa-nopass.p12");
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, NULL, &error);

  g_assert_no_error (error);
  assert_is_server_with_key (cert);
  g_object_unref (cert);
  g_byte_array_unref (p12);
}

static void
test_pkcs12_empty_password (void)
{
  GByteArray *p12 = read_bytes ("gio/server-rsa-emptypass.p12");
  GError *error = NULL;
  GTlsCertificate *cert;

  /* MAC'd with "": no password and the empty password both open it. */
  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, NULL, &error);
  g_assert_no_error (error);
  assert_is_server_with_key (cert);
  g_object_unref (cert);

  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, "", &error);
  g_assert_no_error (error);
  assert_is_server_with_key (cert);
  g_object_unref (cert);

  cert = g_tls_certificate_new_from_pkcs12 (p12->data, p12->len, "1234", &error);
  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD);
  g_clear_error (&error);
  g_byte_array_unref (p12);
}

static void
test_pkcs12_password (void)
{
  check_pkcs12_with_password ("server-rsa.p12");
}

static void
test_pkcs12_encrypted (void)
{
  check_pkcs12_with_password ("server-rsa-encrypted.p12");
}

static void
test_pkcs12_legacy (void)
{
  check_pkcs12_with_password ("server-rsa-legacy.p12");
}

static void
test_pkcs12_file (void)
{
  /* GIO picks PKCS#12 by the file extension; there is no password then. */
  gchar *path = data_path ("server-rsa-nopass.p12");
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  assert_is_server_with_key (cert);
  g_object_unref (cert);
  g_free (path);
}

static void
test_pkcs12_garbage (void)
{
  GByteArray *junk = read_bytes ("gio/garbage.bin");
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_pkcs12 (junk->data, junk->len, "1234", &error);

  g_assert_null (cert);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);
  g_byte_array_unref (junk);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_TLS", "tlslite", TRUE);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (g_tls_backend_get_default ()), ==, "GTlsBackendTlslite");

  g_test_add_func ("/certificate/create-pem", test_create_pem);
  g_test_add_func ("/certificate/create-der", test_create_der);
  g_test_add_func ("/certificate/create-with-key-pem", test_create_with_key_pem);
  g_test_add_func ("/certificate/create-with-key-der", test_create_with_key_der);
  g_test_add_func ("/certificate/create-with-ecdsa-key", test_create_ecdsa_key);
  g_test_add_func ("/certificate/no-key", test_no_key);
  g_test_add_func ("/certificate/private-key", test_private_key_from_file);
  g_test_add_func ("/certificate/create-with-issuer", test_create_with_issuer);
  g_test_add_func ("/certificate/create-with-garbage-input", test_garbage);
  g_test_add_func ("/certificate/no-certificate", test_no_certificate);
  g_test_add_func ("/certificate/key-mismatch", test_key_mismatch);
  g_test_add_func ("/certificate/encrypted-key", test_encrypted_key);
  g_test_add_func ("/certificate/pkcs11-not-supported", test_pkcs11);
  g_test_add_func ("/certificate/create-chain", test_create_chain);
  g_test_add_func ("/certificate/create-no-chain", test_create_no_chain);
  g_test_add_func ("/certificate/create-list", test_create_list);
  g_test_add_func ("/certificate/create-list-bad", test_create_list_bad);
  g_test_add_func ("/certificate/verify-good", test_verify_good);
  g_test_add_func ("/certificate/verify-bad-identity", test_verify_bad_identity);
  g_test_add_func ("/certificate/verify-cn-default", test_verify_cn_default);
  g_test_add_func ("/certificate/verify-cn-rfc9525", test_verify_cn_rfc9525);
  g_test_add_func ("/certificate/verify-cn-constrained", test_verify_cn_constrained);
  g_test_add_func ("/certificate/verify-public-suffix", test_verify_public_suffix);
  g_test_add_func ("/certificate/verify-bad-ca", test_verify_bad_ca);
  g_test_add_func ("/certificate/verify-bad-before", test_verify_bad_before);
  g_test_add_func ("/certificate/verify-bad-expired", test_verify_bad_expired);
  g_test_add_func ("/certificate/verify-bad-combo", test_verify_bad_combo);
  g_test_add_func ("/certificate/is-same", test_is_same);
  g_test_add_func ("/certificate/validity", test_validity);
  g_test_add_func ("/certificate/names", test_names);
  g_test_add_func ("/certificate/dns-names", test_dns_names);
  g_test_add_func ("/certificate/ip-addresses", test_ip_addresses);
  g_test_add_func ("/certificate/pkcs12/basic", test_pkcs12_basic);
  g_test_add_func ("/certificate/pkcs12/empty-password", test_pkcs12_empty_password);
  g_test_add_func ("/certificate/pkcs12/password", test_pkcs12_password);
  g_test_add_func ("/certificate/pkcs12/encrypted", test_pkcs12_encrypted);
  g_test_add_func ("/certificate/pkcs12/legacy", test_pkcs12_legacy);
  g_test_add_func ("/certificate/pkcs12/file", test_pkcs12_file);
  g_test_add_func ("/certificate/pkcs12/garbage", test_pkcs12_garbage);

  return g_test_run ();
}
