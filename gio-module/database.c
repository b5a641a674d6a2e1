/* GTlsDatabaseTlslite: a GTlsDatabase over a tlscore trust store (chain verification, lookups, handles). */
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

typedef struct
{
  /* Set once during construction and immutable afterwards, so the
   * database can be used from several threads without a lock. */
  tc_trust_store *store;
  gchar *handle_base;    /* "file:///path"; handles are handle_base "#" sha256(DER) */
} GTlsDatabaseTlslitePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (GTlsDatabaseTlslite, g_tls_database_tlslite, G_TYPE_TLS_DATABASE)

static void
g_tls_database_tlslite_init (GTlsDatabaseTlslite *self)
{
}

static void
g_tls_database_tlslite_finalize (GObject *object)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (object));

  g_clear_pointer (&priv->store, tc_trust_store_unref);
  g_clear_pointer (&priv->handle_base, g_free);

  G_OBJECT_CLASS (g_tls_database_tlslite_parent_class)->finalize (object);
}

static tc_purpose
purpose_from_oid (const gchar *purpose)
{
  if (!purpose)
    return TC_PURPOSE_ANY;
  if (strcmp (purpose, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER) == 0)
    return TC_PURPOSE_SERVER;
  if (strcmp (purpose, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT) == 0)
    return TC_PURPOSE_CLIENT;
  return TC_PURPOSE_ANY;
}

static GTlsCertificateFlags
g_tls_database_tlslite_verify_chain (GTlsDatabase *database, GTlsCertificate *chain,
                                     const gchar *purpose, GSocketConnectable *identity,
                                     GTlsInteraction *interaction, GTlsDatabaseVerifyFlags flags,
                                     GCancellable *cancellable, GError **error)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (database));
  GTlsCertificateFlags result;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  result = tlslite_verify_chain (chain, identity, priv->store, purpose_from_oid (purpose));

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  return result;
}

GTlsCertificateFlags
tlslite_database_verify_peer (GTlsDatabase *db, GTlsCertificate *peer, const gchar *purpose,
                              GSocketConnectable *identity, GTlsInteraction *interaction,
                              tc_staple staple, GCancellable *cancellable, GError **error)
{
  GTlsCertificateFlags result = 0;
  tc_trust_store *none;
  gboolean missing = FALSE;

  if (G_IS_TLS_DATABASE_TLSLITE (db) &&
      G_TLS_DATABASE_GET_CLASS (db)->verify_chain == g_tls_database_tlslite_verify_chain)
    {
      GTlsDatabaseTlslitePrivate *priv =
        g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (db));

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return G_TLS_CERTIFICATE_GENERIC_ERROR;
      return tlslite_verify_peer_chain (peer, identity, priv->store, purpose_from_oid (purpose),
                                        staple, NULL);
    }

  /* Another database decides the path; the staple policy then looks at the
   * chain the peer presented (no anchors, no look-ups). */
  if (db)
    result = g_tls_database_verify_chain (db, peer, purpose, identity, interaction,
                                          G_TLS_DATABASE_VERIFY_NONE, cancellable, error);
  none = tc_trust_store_new ();
  if (!none)
    return result | G_TLS_CERTIFICATE_GENERIC_ERROR;
  if (db)
    tlslite_verify_peer_chain (peer, NULL, none, TC_PURPOSE_ANY, staple, &missing);
  else
    result |= G_TLS_CERTIFICATE_UNKNOWN_CA |
              tlslite_verify_peer_chain (peer, identity, none, TC_PURPOSE_ANY, staple, &missing);
  tc_trust_store_unref (none);
  if (missing)
    result |= G_TLS_CERTIFICATE_GENERIC_ERROR;
  return result;
}

static gchar *
der_sha256 (tc_cert *cert)
{
  size_t len = 0;
  const uint8_t *der = tc_cert_der (cert, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, len);
}

static gchar *
g_tls_database_tlslite_create_certificate_handle (GTlsDatabase *database, GTlsCertificate *certificate)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (database));
  tc_cert **chain = NULL;
  gchar *digest, *handle = NULL;
  gsize n, i, count;

  n = tlslite_certificate_build_chain (certificate, &chain);
  if (n == 0 || !priv->store)
    {
      tlslite_certificate_free_chain (chain, n);
      return NULL;
    }

  /* Only certificates that are in the database have a handle. */
  digest = der_sha256 (chain[0]);
  count = tc_trust_store_count (priv->store);
  for (i = 0; i < count && !handle; i++)
    {
      gchar *other = der_sha256 (tc_trust_store_get (priv->store, i));

      if (strcmp (digest, other) == 0)
        handle = g_strconcat (priv->handle_base, "#", digest, NULL);
      g_free (other);
    }

  g_free (digest);
  tlslite_certificate_free_chain (chain, n);
  return handle;
}

static GTlsCertificate *
g_tls_database_tlslite_lookup_certificate_for_handle (GTlsDatabase *database, const gchar *handle,
                                                      GTlsInteraction *interaction,
                                                      GTlsDatabaseLookupFlags flags,
                                                      GCancellable *cancellable, GError **error)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (database));
  gsize base_len, count, i;
  const gchar *digest;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* A handle of another database (or garbage) is simply not found. */
  if (!priv->store || !priv->handle_base)
    return NULL;
  base_len = strlen (priv->handle_base);
  if (strncmp (handle, priv->handle_base, base_len) != 0 || handle[base_len] != '#')
    return NULL;
  digest = handle + base_len + 1;

  /* We hold no private keys. */
  if (flags & G_TLS_DATABASE_LOOKUP_KEYPAIR)
    return NULL;

  count = tc_trust_store_count (priv->store);
  for (i = 0; i < count; i++)
    {
      tc_cert *cert = tc_trust_store_get (priv->store, i);
      gchar *other = der_sha256 (cert);
      gboolean match = g_ascii_strcasecmp (digest, other) == 0;

      g_free (other);
      if (match)
        return tlslite_certificate_new_from_tc_cert (cert, NULL, NULL);
    }
  return NULL;
}

static gboolean
same_der (tc_cert *a, tc_cert *b)
{
  size_t alen = 0, blen = 0;
  const uint8_t *ad = tc_cert_der (a, &alen), *bd = tc_cert_der (b, &blen);

  return a == b || (alen == blen && memcmp (ad, bd, alen) == 0);
}

static GTlsCertificate *
g_tls_database_tlslite_lookup_certificate_issuer (GTlsDatabase *database, GTlsCertificate *certificate,
                                                  GTlsInteraction *interaction,
                                                  GTlsDatabaseLookupFlags flags,
                                                  GCancellable *cancellable, GError **error)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (database));
  GTlsCertificate *result = NULL;
  tc_cert **chain = NULL, **found = NULL;
  const uint8_t *issuer_dn;
  size_t dn_len = 0;
  gsize n, nfound, i;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (flags & G_TLS_DATABASE_LOOKUP_KEYPAIR || !priv->store)
    return NULL;

  n = tlslite_certificate_build_chain (certificate, &chain);
  if (n == 0)
    {
      tlslite_certificate_free_chain (chain, n);
      return NULL;
    }

  issuer_dn = tc_cert_issuer_der (chain[0], &dn_len);
  nfound = tc_trust_store_find_by_subject (priv->store, issuer_dn, dn_len, &found);
  /* Several anchors may share a name (a re-issued root); the issuer is the
   * one whose key made the signature. A trust anchor asked about itself is
   * its own issuer without a signature check (an anchor's self-signature is
   * never what makes it trusted), and a pair already verified, e.g. by the
   * handshake's chain verification on the same certificate objects, is not
   * verified again (tc_cert_issued_by). */
  for (i = 0; i < nfound && !result; i++)
    if (same_der (found[i], chain[0]) || tc_cert_issued_by (chain[0], found[i]) == 0)
      result = tlslite_certificate_new_from_tc_cert (found[i], NULL, NULL);

  free (found);
  tlslite_certificate_free_chain (chain, n);

  if (!result)
    g_cancellable_set_error_if_cancelled (cancellable, error);
  return result;
}

static GList *
g_tls_database_tlslite_lookup_certificates_issued_by (GTlsDatabase *database, GByteArray *issuer_raw_dn,
                                                      GTlsInteraction *interaction,
                                                      GTlsDatabaseLookupFlags flags,
                                                      GCancellable *cancellable, GError **error)
{
  GTlsDatabaseTlslitePrivate *priv =
    g_tls_database_tlslite_get_instance_private (G_TLS_DATABASE_TLSLITE (database));
  GList *result = NULL;
  gsize count, i;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (flags & G_TLS_DATABASE_LOOKUP_KEYPAIR || !priv->store)
    return NULL;

  count = tc_trust_store_count (priv->store);
  for (i = 0; i < count; i++)
    {
      tc_cert *cert = tc_trust_store_get (priv->store, i);
      size_t len = 0;
      const uint8_t *dn = tc_cert_issuer_der (cert, &len);

      if (len == issuer_raw_dn->len && memcmp (dn, issuer_raw_dn->data, len) == 0)
        result = g_list_prepend (result, tlslite_certificate_new_from_tc_cert (cert, NULL, NULL));
    }
  return g_list_reverse (result);
}

static void
g_tls_database_tlslite_class_init (GTlsDatabaseTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  gobject_class->finalize = g_tls_database_tlslite_finalize;

  /* The async variants use GTlsDatabase's defaults, which run these in a
   * thread; they never block on anything but the CPU. */
  database_class->verify_chain = g_tls_database_tlslite_verify_chain;
  database_class->create_certificate_handle = g_tls_database_tlslite_create_certificate_handle;
  database_class->lookup_certificate_for_handle = g_tls_database_tlslite_lookup_certificate_for_handle;
  database_class->lookup_certificate_issuer = g_tls_database_tlslite_lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = g_tls_database_tlslite_lookup_certificates_issued_by;
}

GTlsDatabase *
tlslite_database_new (tc_trust_store *store, const char *handle_base)
{
  GTlsDatabaseTlslite *self = g_object_new (G_TYPE_TLS_DATABASE_TLSLITE, NULL);

  tlslite_database_set_store (self, store, handle_base);
  return G_TLS_DATABASE (self);
}

tc_trust_store *
tlslite_database_get_store (GTlsDatabaseTlslite *self)
{
  GTlsDatabaseTlslitePrivate *priv = g_tls_database_tlslite_get_instance_private (self);

  return priv->store;
}

void
tlslite_database_set_store (GTlsDatabaseTlslite *self, tc_trust_store *store, const char *handle_base)
{
  GTlsDatabaseTlslitePrivate *priv = g_tls_database_tlslite_get_instance_private (self);

  g_clear_pointer (&priv->store, tc_trust_store_unref);
  priv->store = store ? tc_trust_store_ref (store) : NULL;
  g_free (priv->handle_base);
  priv->handle_base = g_strdup (handle_base);
}
