/* The certificate helpers the connection code uses (gio-module/certificate.c linked in directly). */
#include <string.h>

#include <gio/gio.h>

#include "tlslite-types.h"

static tc_cert *
parse (const char *name)
{
  gchar *path = g_build_filename (TEST_DATA_DIR, name, NULL), *contents = NULL;
  GError *error = NULL;
  tc_cert **certs = NULL, *cert;
  gsize len = 0, n, i;
  tc_error err;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  tc_error_clear (&err);
  n = tc_certs_parse ((const uint8_t *) contents, len, &certs, &err);
  g_assert_cmpuint (n, >=, 1);
  cert = certs[0];
  for (i = 1; i < n; i++)
    tc_cert_unref (certs[i]);
  free (certs);
  g_free (contents);
  g_free (path);
  return cert;
}

static gboolean
same (GTlsCertificate *cert, tc_cert *tc)
{
  size_t a = 0, b = 0;
  tc_cert *mine = tlslite_certificate_get_tc_cert (G_TLS_CERTIFICATE_TLSLITE (cert));
  const uint8_t *x = tc_cert_der (mine, &a), *y = tc_cert_der (tc, &b);

  return a == b && memcmp (x, y, a) == 0;
}

typedef struct
{
  tc_cert *leaf, *intermediate, *root, *other;
} Certs;

static void
certs_setup (Certs *c, gconstpointer data)
{
  c->leaf = parse ("server-int.pem");
  c->intermediate = parse ("int-rsa.pem");
  c->root = parse ("ca-rsa.pem");
  c->other = parse ("other-ca.pem");
}

static void
certs_teardown (Certs *c, gconstpointer data)
{
  tc_cert_unref (c->leaf);
  tc_cert_unref (c->intermediate);
  tc_cert_unref (c->root);
  tc_cert_unref (c->other);
}

/* The leaf's issuer links must be exactly `expect` (NULL-terminated). */
static void
assert_links (GTlsCertificate *leaf, tc_cert **expect)
{
  GTlsCertificate *c = leaf;
  gsize i;

  for (i = 0; expect[i]; i++)
    {
      g_assert_nonnull (c);
      g_assert_true (same (c, expect[i]));
      c = g_tls_certificate_get_issuer (c);
    }
  g_assert_null (c);
}

static void
test_chain_in_order (Certs *c, gconstpointer data)
{
  tc_cert *wire[] = { c->leaf, c->intermediate, c->root };
  tc_cert *expect[] = { c->leaf, c->intermediate, c->root, NULL };
  GTlsCertificate *leaf = tlslite_certificate_new_from_chain (wire, G_N_ELEMENTS (wire));

  assert_links (leaf, expect);
  g_object_unref (leaf);
}

static void
test_chain_unordered (Certs *c, gconstpointer data)
{
  tc_cert *wire[] = { c->leaf, c->root, c->other, c->intermediate };
  tc_cert *expect[] = { c->leaf, c->intermediate, c->root, NULL };
  GTlsCertificate *leaf = tlslite_certificate_new_from_chain (wire, G_N_ELEMENTS (wire));

  /* Followed by signature, the unrelated CA dropped. */
  assert_links (leaf, expect);
  g_object_unref (leaf);
}

static void
test_chain_duplicates (Certs *c, gconstpointer data)
{
  tc_cert *wire[] = { c->leaf, c->leaf, c->intermediate, c->intermediate };
  tc_cert *expect[] = { c->leaf, c->intermediate, NULL };
  GTlsCertificate *leaf = tlslite_certificate_new_from_chain (wire, G_N_ELEMENTS (wire));

  assert_links (leaf, expect);
  g_object_unref (leaf);
}

static void
test_chain_alone (Certs *c, gconstpointer data)
{
  tc_cert *wire[] = { c->leaf, c->other };
  tc_cert *expect[] = { c->leaf, NULL };
  GTlsCertificate *leaf = tlslite_certificate_new_from_chain (wire, G_N_ELEMENTS (wire));

  assert_links (leaf, expect);
  g_object_unref (leaf);
  g_assert_null (tlslite_certificate_new_from_chain (wire, 0));
}

static void
test_build_chain (Certs *c, gconstpointer data)
{
  tc_cert *wire[] = { c->leaf, c->intermediate, c->root };
  GTlsCertificate *leaf = tlslite_certificate_new_from_chain (wire, G_N_ELEMENTS (wire));
  tc_cert **chain = NULL;
  gsize n, i;

  n = tlslite_certificate_build_chain (leaf, &chain);
  g_assert_cmpuint (n, ==, 3);
  for (i = 0; i < n; i++)
    {
      size_t a = 0, b = 0;
      const uint8_t *x = tc_cert_der (chain[i], &a), *y = tc_cert_der (wire[i], &b);

      g_assert_cmpmem (x, a, y, b);
    }
  tlslite_certificate_free_chain (chain, n);
  g_object_unref (leaf);
}

static void
test_with_key (Certs *c, gconstpointer data)
{
  gchar *path = g_build_filename (TEST_DATA_DIR, "server-int-key.pem", NULL), *contents = NULL;
  GError *error = NULL;
  gsize len = 0;
  tc_privkey *key;
  tc_error err;
  GTlsCertificate *cert;
  gchar *pem = NULL;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  tc_error_clear (&err);
  key = tc_privkey_parse ((const uint8_t *) contents, len, NULL, &err);
  g_assert_nonnull (key);

  cert = tlslite_certificate_new_from_tc_cert (c->leaf, NULL, key);
  g_assert_true (tlslite_certificate_has_key (G_TLS_CERTIFICATE_TLSLITE (cert)));
  g_assert_true (tlslite_certificate_get_tc_privkey (G_TLS_CERTIFICATE_TLSLITE (cert)) == key);
  g_object_get (cert, "private-key-pem", &pem, NULL);
  g_assert_true (g_str_has_prefix (pem, "-----BEGIN PRIVATE KEY-----"));
  g_free (pem);
  g_object_unref (cert);

  cert = tlslite_certificate_new_from_tc_cert (c->leaf, NULL, NULL);
  g_assert_false (tlslite_certificate_has_key (G_TLS_CERTIFICATE_TLSLITE (cert)));
  g_object_unref (cert);

  tc_privkey_unref (key);
  g_free (contents);
  g_free (path);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/certificate-helpers/chain-in-order", Certs, NULL, certs_setup, test_chain_in_order, certs_teardown);
  g_test_add ("/certificate-helpers/chain-unordered", Certs, NULL, certs_setup, test_chain_unordered, certs_teardown);
  g_test_add ("/certificate-helpers/chain-duplicates", Certs, NULL, certs_setup, test_chain_duplicates, certs_teardown);
  g_test_add ("/certificate-helpers/chain-alone", Certs, NULL, certs_setup, test_chain_alone, certs_teardown);
  g_test_add ("/certificate-helpers/build-chain", Certs, NULL, certs_setup, test_build_chain, certs_teardown);
  g_test_add ("/certificate-helpers/with-key", Certs, NULL, certs_setup, test_with_key, certs_teardown);

  return g_test_run ();
}
