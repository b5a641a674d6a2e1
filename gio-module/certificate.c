/* GTlsCertificateTlslite: a GTlsCertificate backed by a tlscore tc_cert and optional tc_privkey. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

/* A peer can send a long chain, but nothing real needs more than this; the
 * bound also stops issuer cycles built by hand through the "issuer" property. */
#define MAX_CHAIN_LENGTH 16
/* Certificates of an issuer chain handed to path validation: as many as
 * tlscore considers (its MAX_CHAIN). A chain given to verify_chain is a set
 * of candidates in any order, not a path, and cross-signed graphs need more
 * than a path's worth (bettertls pathbuilding tc61-68 present 36). */
#define MAX_PRESENTED 64

enum
{
  PROP_0,
  PROP_CERTIFICATE,
  PROP_CERTIFICATE_PEM,
  PROP_PRIVATE_KEY,
  PROP_PRIVATE_KEY_PEM,
  PROP_ISSUER,
  PROP_PKCS11_URI,
  PROP_PRIVATE_KEY_PKCS11_URI,
  PROP_NOT_VALID_BEFORE,
  PROP_NOT_VALID_AFTER,
  PROP_SUBJECT_NAME,
  PROP_ISSUER_NAME,
  PROP_DNS_NAMES,
  PROP_IP_ADDRESSES,
  PROP_PKCS12_DATA,
  PROP_PASSWORD,
};

struct _GTlsCertificateTlslite
{
  GTlsCertificate parent_instance;

  tc_cert *cert;
  tc_privkey *key;
  GTlsCertificate *issuer;

  /* Construct-time state, consumed by initable_init. */
  GError *construct_error;     /* first parse failure from a property setter */
  GBytes *pkcs12_data;
  gchar *password;
  gboolean pkcs11_requested;
};

static void g_tls_certificate_tlslite_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTlsCertificateTlslite, g_tls_certificate_tlslite, G_TYPE_TLS_CERTIFICATE,
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                g_tls_certificate_tlslite_initable_iface_init))

static void
g_tls_certificate_tlslite_init (GTlsCertificateTlslite *self)
{
}

static void
wipe_password (gchar **password)
{
  if (*password)
    {
      explicit_bzero (*password, strlen (*password));
      g_clear_pointer (password, g_free);
    }
}

static void
g_tls_certificate_tlslite_finalize (GObject *object)
{
  GTlsCertificateTlslite *self = G_TLS_CERTIFICATE_TLSLITE (object);

  g_clear_pointer (&self->cert, tc_cert_unref);
  g_clear_pointer (&self->key, tc_privkey_unref);
  g_clear_object (&self->issuer);
  g_clear_error (&self->construct_error);
  g_clear_pointer (&self->pkcs12_data, g_bytes_unref);
  wipe_password (&self->password);

  G_OBJECT_CLASS (g_tls_certificate_tlslite_parent_class)->finalize (object);
}

/* Remember only the first problem: it is the one the caller needs to see. */
static void
set_construct_error (GTlsCertificateTlslite *self, gint code, const gchar *what, const tc_error *err)
{
  if (self->construct_error)
    return;
  if (err && err->message[0])
    /* Translators: a certificate error and the TLS engine's detail;
     * French puts a no-break space before the colon. */
    self->construct_error = g_error_new (G_TLS_ERROR, code, _("%s: %s"), what, err->message);
  else
    self->construct_error = g_error_new_literal (G_TLS_ERROR, code, what);
}

static void
take_cert (GTlsCertificateTlslite *self, tc_cert *cert)
{
  if (self->cert)
    {
      /* "certificate" and "certificate-pem" both given: keep the first. */
      tc_cert_unref (cert);
      return;
    }
  self->cert = cert;
}

static void
set_cert_der (GTlsCertificateTlslite *self, const guint8 *der, gsize len)
{
  tc_error err;
  tc_cert *cert;

  tc_error_clear (&err);
  cert = tc_cert_parse_der (der, len, &err);
  if (!cert)
    {
      set_construct_error (self, G_TLS_ERROR_BAD_CERTIFICATE, _("Could not parse DER certificate"), &err);
      return;
    }
  take_cert (self, cert);
}

static void
set_cert_pem (GTlsCertificateTlslite *self, const gchar *pem)
{
  tc_pem_block *blocks = NULL;
  tc_error err;
  gsize n, i;

  tc_error_clear (&err);
  n = tc_pem_decode (pem, strlen (pem), &blocks, &err);
  for (i = 0; i < n; i++)
    {
      /* Like the other backends, only the first certificate of a PEM list
       * is used here; GIO itself splits lists into issuer chains. */
      if (strcmp (blocks[i].label, "CERTIFICATE") == 0 ||
          strcmp (blocks[i].label, "X509 CERTIFICATE") == 0)
        {
          set_cert_der (self, blocks[i].der, blocks[i].len);
          tc_pem_blocks_free (blocks, n);
          return;
        }
    }
  if (blocks)
    tc_pem_blocks_free (blocks, n);
  set_construct_error (self, G_TLS_ERROR_BAD_CERTIFICATE, _("Could not parse PEM certificate"),
                       err.code != TC_ERR_NONE ? &err : NULL);
}

static void
set_key (GTlsCertificateTlslite *self, const guint8 *data, gsize len, gboolean pem)
{
  tc_privkey *key;
  tc_error err;

  if (self->key)
    return;
  tc_error_clear (&err);
  key = tc_privkey_parse (data, len, NULL, &err);
  if (!key)
    {
      set_construct_error (self, G_TLS_ERROR_BAD_CERTIFICATE,
                           pem ? _("Could not parse PEM private key")
                               : _("Could not parse DER private key"),
                           &err);
      return;
    }
  self->key = key;
}

static GByteArray *
key_to_pkcs8 (GTlsCertificateTlslite *self)
{
  GByteArray *array;
  uint8_t *der = NULL;
  size_t len = 0;
  tc_error err;

  if (!self->key)
    return NULL;
  tc_error_clear (&err);
  if (tc_privkey_to_pkcs8 (self->key, &der, &len, &err) != 0)
    return NULL;
  array = g_byte_array_sized_new (len);
  g_byte_array_append (array, der, len);
  explicit_bzero (der, len);
  free (der);
  return array;
}

static gchar *
key_to_pem (GTlsCertificateTlslite *self)
{
  uint8_t *der = NULL;
  size_t len = 0;
  tc_error err;
  char *pem;
  gchar *result;

  if (!self->key)
    return NULL;
  tc_error_clear (&err);
  if (tc_privkey_to_pkcs8 (self->key, &der, &len, &err) != 0)
    return NULL;
  pem = tc_pem_encode ("PRIVATE KEY", der, len);
  explicit_bzero (der, len);
  free (der);
  if (!pem)
    return NULL;
  result = g_strdup (pem);
  explicit_bzero (pem, strlen (pem));
  free (pem);
  return result;
}

static GPtrArray *
get_dns_names (GTlsCertificateTlslite *self)
{
  GPtrArray *names;
  size_t n, i;

  n = self->cert ? tc_cert_dns_name_count (self->cert) : 0;
  if (n == 0)
    return NULL;
  names = g_ptr_array_new_full (n, (GDestroyNotify) g_bytes_unref);
  for (i = 0; i < n; i++)
    {
      size_t len = 0;
      const char *name = tc_cert_dns_name (self->cert, i, &len);

      if (name)
        g_ptr_array_add (names, g_bytes_new (name, len));
    }
  return names;
}

static GPtrArray *
get_ip_addresses (GTlsCertificateTlslite *self)
{
  GPtrArray *addrs;
  size_t n, i;

  n = self->cert ? tc_cert_ip_count (self->cert) : 0;
  if (n == 0)
    return NULL;
  addrs = g_ptr_array_new_full (n, g_object_unref);
  for (i = 0; i < n; i++)
    {
      size_t len = 0;
      const uint8_t *ip = tc_cert_ip (self->cert, i, &len);

      if (ip && len == 4)
        g_ptr_array_add (addrs, g_inet_address_new_from_bytes (ip, G_SOCKET_FAMILY_IPV4));
      else if (ip && len == 16)
        g_ptr_array_add (addrs, g_inet_address_new_from_bytes (ip, G_SOCKET_FAMILY_IPV6));
    }
  return addrs;
}

static gchar *
dup_tc_string (char *s)
{
  gchar *result = g_strdup (s);

  free (s);
  return result;
}

static void
g_tls_certificate_tlslite_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GTlsCertificateTlslite *self = G_TLS_CERTIFICATE_TLSLITE (object);
  const uint8_t *der;
  size_t len = 0;

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      if (self->cert)
        {
          GByteArray *array = g_byte_array_new ();

          der = tc_cert_der (self->cert, &len);
          g_byte_array_append (array, der, len);
          g_value_take_boxed (value, array);
        }
      break;

    case PROP_CERTIFICATE_PEM:
      if (self->cert)
        {
          der = tc_cert_der (self->cert, &len);
          g_value_take_string (value, dup_tc_string (tc_pem_encode ("CERTIFICATE", der, len)));
        }
      break;

    case PROP_PRIVATE_KEY:
      g_value_take_boxed (value, key_to_pkcs8 (self));
      break;

    case PROP_PRIVATE_KEY_PEM:
      g_value_take_string (value, key_to_pem (self));
      break;

    case PROP_ISSUER:
      g_value_set_object (value, self->issuer);
      break;

    case PROP_PKCS11_URI:
    case PROP_PRIVATE_KEY_PKCS11_URI:
      /* PKCS #11 is not supported; NULL tells GIO so. */
      g_value_set_string (value, NULL);
      break;

    case PROP_NOT_VALID_BEFORE:
      if (self->cert)
        g_value_take_boxed (value, g_date_time_new_from_unix_utc (tc_cert_not_before (self->cert)));
      break;

    case PROP_NOT_VALID_AFTER:
      if (self->cert)
        g_value_take_boxed (value, g_date_time_new_from_unix_utc (tc_cert_not_after (self->cert)));
      break;

    case PROP_SUBJECT_NAME:
      if (self->cert)
        g_value_take_string (value, dup_tc_string (tc_cert_subject_string (self->cert)));
      break;

    case PROP_ISSUER_NAME:
      if (self->cert)
        g_value_take_string (value, dup_tc_string (tc_cert_issuer_string (self->cert)));
      break;

    case PROP_DNS_NAMES:
      g_value_take_boxed (value, get_dns_names (self));
      break;

    case PROP_IP_ADDRESSES:
      g_value_take_boxed (value, get_ip_addresses (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tls_certificate_tlslite_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GTlsCertificateTlslite *self = G_TLS_CERTIFICATE_TLSLITE (object);
  GByteArray *bytes;
  const gchar *string;

  /* Construct-only properties are set before init; a NULL value (GIO
   * passes "private-key-pem", NULL and friends explicitly) means "not set". */
  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      bytes = g_value_get_boxed (value);
      if (bytes)
        set_cert_der (self, bytes->data, bytes->len);
      break;

    case PROP_CERTIFICATE_PEM:
      string = g_value_get_string (value);
      if (string)
        set_cert_pem (self, string);
      break;

    case PROP_PRIVATE_KEY:
      bytes = g_value_get_boxed (value);
      if (bytes)
        set_key (self, bytes->data, bytes->len, FALSE);
      break;

    case PROP_PRIVATE_KEY_PEM:
      string = g_value_get_string (value);
      if (string)
        set_key (self, (const guint8 *) string, strlen (string), TRUE);
      break;

    case PROP_ISSUER:
      g_clear_object (&self->issuer);
      self->issuer = g_value_dup_object (value);
      break;

    case PROP_PKCS11_URI:
    case PROP_PRIVATE_KEY_PKCS11_URI:
      if (g_value_get_string (value))
        self->pkcs11_requested = TRUE;
      break;

    case PROP_PKCS12_DATA:
      bytes = g_value_get_boxed (value);
      g_clear_pointer (&self->pkcs12_data, g_bytes_unref);
      if (bytes)
        self->pkcs12_data = g_bytes_new (bytes->data, bytes->len);
      break;

    case PROP_PASSWORD:
      wipe_password (&self->password);
      self->password = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
names_chain (tc_cert *cert, tc_cert *issuer)
{
  size_t a = 0, b = 0;
  const uint8_t *want = tc_cert_issuer_der (cert, &a);
  const uint8_t *have = tc_cert_subject_der (issuer, &b);

  return want && have && a == b && memcmp (want, have, a) == 0;
}

/* Link `certs` (not including `leaf`) into an issuer chain above `leaf`,
 * following signatures; certificates that are not on the leaf's path are
 * dropped. Returns the new issuer of `leaf` (full reference) or NULL. */
static GTlsCertificate *
chain_from_set (tc_cert *leaf, tc_cert *const *certs, gsize n)
{
  tc_cert *path[MAX_CHAIN_LENGTH];
  gboolean *used;
  GTlsCertificate *issuer = NULL;
  gsize depth = 0, i;
  tc_cert *current = leaf;

  if (n == 0)
    return NULL;
  used = g_new0 (gboolean, n);
  while (depth < MAX_CHAIN_LENGTH)
    {
      gsize found = n;

      if (tc_cert_is_self_issued (current) && tc_cert_verify_signed_by (current, current) == 0)
        break;
      for (i = 0; i < n; i++)
        {
          /* Compare names first: a peer may send many certificates and
           * each signature check costs far more than a memcmp. */
          if (!used[i] && names_chain (current, certs[i]) &&
              tc_cert_verify_signed_by (current, certs[i]) == 0)
            {
              found = i;
              break;
            }
        }
      if (found == n)
        break;
      used[found] = TRUE;
      path[depth++] = certs[found];
      current = certs[found];
    }
  g_free (used);

  /* Build from the top down so each object gets its issuer at construction. */
  while (depth > 0)
    {
      GTlsCertificate *next;

      depth--;
      next = tlslite_certificate_new_from_tc_cert (path[depth], issuer, NULL);
      g_clear_object (&issuer);
      issuer = next;
    }
  return issuer;
}

static gboolean
load_pkcs12 (GTlsCertificateTlslite *self, GError **error)
{
  tc_cert **certs = NULL;
  size_t ncerts = 0, i, leaf = 0;
  tc_privkey *key = NULL;
  tc_error err;
  gsize len;
  const guint8 *data = g_bytes_get_data (self->pkcs12_data, &len);

  /* No password is the empty password: writers (openssl -passout pass:)
   * MAC such files with "", which tlscore tries in both encodings. */
  tc_error_clear (&err);
  if (tc_pkcs12_parse (data, len, self->password ? self->password : "", &certs, &ncerts, &key, &err) != 0)
    {
      if (err.code == TC_ERR_BAD_PASSWORD)
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
                     _("Could not decrypt PKCS #12 data: %s"), err.message);
      else
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                     _("Could not parse PKCS #12 data: %s"), err.message);
      return FALSE;
    }

  if (ncerts == 0)
    {
      if (key)
        tc_privkey_unref (key);
      free (certs);
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("PKCS #12 data contains no certificate"));
      return FALSE;
    }

  /* The leaf is the certificate of the key; bags are in no set order. */
  if (key)
    {
      for (i = 0; i < ncerts; i++)
        if (tc_privkey_matches_cert (key, certs[i]))
          {
            leaf = i;
            break;
          }
    }

  self->cert = tc_cert_ref (certs[leaf]);
  self->key = key;
  if (ncerts > 1)
    {
      tc_cert **others = g_new (tc_cert *, ncerts - 1);
      gsize n = 0;

      for (i = 0; i < ncerts; i++)
        if (i != leaf)
          others[n++] = certs[i];
      g_clear_object (&self->issuer);
      self->issuer = chain_from_set (self->cert, others, n);
      g_free (others);
    }

  for (i = 0; i < ncerts; i++)
    tc_cert_unref (certs[i]);
  free (certs);
  return TRUE;
}

static gboolean
g_tls_certificate_tlslite_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  GTlsCertificateTlslite *self = G_TLS_CERTIFICATE_TLSLITE (initable);
  gboolean ok = TRUE;

  if (self->pkcs11_requested)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This GTlsBackend does not support creating PKCS #11 certificates"));
      ok = FALSE;
    }
  else if (self->construct_error)
    {
      g_propagate_error (error, g_steal_pointer (&self->construct_error));
      ok = FALSE;
    }
  else if (self->pkcs12_data && !self->cert)
    {
      ok = load_pkcs12 (self, error);
    }
  else if (!self->cert)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("No certificate data provided"));
      ok = FALSE;
    }
  /* A key that is not the certificate's would only show up as an obscure
   * handshake failure much later; say so now. */
  if (ok && self->key && !tc_privkey_matches_cert (self->key, self->cert))
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("The private key does not match the certificate"));
      ok = FALSE;
    }

  /* Only needed during construction; do not keep the secret around. */
  g_clear_pointer (&self->pkcs12_data, g_bytes_unref);
  wipe_password (&self->password);
  return ok;
}

static const char *
identity_string (GSocketConnectable *identity, gchar **to_free)
{
  *to_free = NULL;
  if (G_IS_NETWORK_ADDRESS (identity))
    return g_network_address_get_hostname (G_NETWORK_ADDRESS (identity));
  if (G_IS_NETWORK_SERVICE (identity))
    return g_network_service_get_domain (G_NETWORK_SERVICE (identity));
  if (G_IS_INET_SOCKET_ADDRESS (identity))
    {
      GInetAddress *addr = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (identity));

      *to_free = g_inet_address_to_string (addr);
      return *to_free;
    }
  return NULL;
}

/* The subject CN names the host as GnuTLS has it (and so glib-networking's
 * own tests expect): an exact host name, when the leaf has no
 * subjectAltName at all; tlscore adds that no certificate of the path may
 * carry name constraints (see no_cn_fallback). G_TLS_TLSLITE_CN_FALLBACK=0
 * asks for RFC 9525: the CN never names the host. */
static gboolean
cn_fallback (void)
{
  const char *v = g_getenv ("G_TLS_TLSLITE_CN_FALLBACK");

  return !(v && strcmp (v, "0") == 0);
}

/* The Public Suffix List, read once per process from the path chosen at
 * build time (-Dpublic_suffix_list). Without it (no such file) only
 * wildcards over a single label ("*.com") are refused. */
static const tc_psl *
public_suffix_list (void)
{
  static gsize once = 0;
  static tc_psl *psl = NULL;

  if (g_once_init_enter (&once))
    {
      gchar *text = NULL;
      gsize len = 0;
      GError *error = NULL;

      if (g_file_get_contents (TLSLITE_PUBLIC_SUFFIX_LIST, &text, &len, &error))
        psl = tc_psl_parse (text, len);
      else
        g_debug ("no Public Suffix List: %s", error->message);
      g_clear_error (&error);
      g_free (text);
      g_once_init_leave (&once, 1);
    }
  return psl;
}

/* The Web PKI profile (key sizes and curves; the CA/Browser Forum rules on
 * a server's leaf) applies unless G_TLS_TLSLITE_WEBPKI=0, for private PKIs
 * whose certificates RFC 5280 allows and the Baseline Requirements do not. */
static gboolean
webpki_profile (void)
{
  const char *v = g_getenv ("G_TLS_TLSLITE_WEBPKI");

  return !(v && strcmp (v, "0") == 0);
}

GTlsCertificateFlags
tlslite_verify_chain (GTlsCertificate *cert, GSocketConnectable *identity,
                      tc_trust_store *anchors, tc_purpose purpose)
{
  return tlslite_verify_peer_chain (cert, identity, anchors, purpose, TC_STAPLE_IGNORE, NULL);
}

GTlsCertificateFlags
tlslite_verify_peer_chain (GTlsCertificate *cert, GSocketConnectable *identity,
                           tc_trust_store *anchors, tc_purpose purpose,
                           tc_staple staple, gboolean *staple_missing)
{
  GTlsCertificateFlags flags = 0;
  unsigned tc_flags;
  tc_cert **chain = NULL;
  gsize n;
  gchar *to_free = NULL;
  const char *name = NULL, *reason = NULL;
  tc_verify_opts opts = { 0 };

  n = tlslite_certificate_build_chain (cert, &chain);
  if (n == 0)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;

  if (identity)
    {
      name = identity_string (identity, &to_free);
      /* An identity we cannot express as a name can never match. */
      if (!name)
        flags |= G_TLS_CERTIFICATE_BAD_IDENTITY;
    }

  /* tlscore decides everything, host name included; this only translates. */
  opts.identity = name;
  opts.now = g_get_real_time () / G_USEC_PER_SEC;
  opts.purpose = purpose;
  opts.no_cn_fallback = !cn_fallback ();
  opts.no_webpki_keys = opts.no_webpki_leaf = !webpki_profile ();
  opts.staple = staple;
  opts.psl = public_suffix_list ();
  tc_flags = tc_x509_verify_opts (chain, n, anchors, &opts, &reason, NULL, NULL);
  if (reason)
    g_debug ("certificate verification: %s", reason);
  if (staple_missing)
    *staple_missing = (tc_flags & TC_CERT_STAPLE_MISSING) != 0;
  flags |= tlslite_flags_from_tc (tc_flags);
  g_free (to_free);
  tlslite_certificate_free_chain (chain, n);
  return flags;
}

static GTlsCertificateFlags
g_tls_certificate_tlslite_verify (GTlsCertificate *cert, GSocketConnectable *identity,
                                  GTlsCertificate *trusted_ca)
{
  GTlsCertificateFlags flags;
  tc_trust_store *anchors;

  anchors = tc_trust_store_new ();
  if (!anchors)
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  if (trusted_ca)
    {
      tc_cert **ca = NULL;
      gsize n = tlslite_certificate_build_chain (trusted_ca, &ca);

      /* Only trusted_ca itself is an anchor, not whatever issued it. */
      if (n > 0)
        tc_trust_store_add (anchors, ca[0]);
      tlslite_certificate_free_chain (ca, n);
    }

  flags = tlslite_verify_chain (cert, identity, anchors, TC_PURPOSE_ANY);
  tc_trust_store_unref (anchors);
  return flags;
}

static void
g_tls_certificate_tlslite_class_init (GTlsCertificateTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GTlsCertificateClass *certificate_class = G_TLS_CERTIFICATE_CLASS (klass);

  gobject_class->get_property = g_tls_certificate_tlslite_get_property;
  gobject_class->set_property = g_tls_certificate_tlslite_set_property;
  gobject_class->finalize = g_tls_certificate_tlslite_finalize;

  certificate_class->verify = g_tls_certificate_tlslite_verify;

  g_object_class_override_property (gobject_class, PROP_CERTIFICATE, "certificate");
  g_object_class_override_property (gobject_class, PROP_CERTIFICATE_PEM, "certificate-pem");
  g_object_class_override_property (gobject_class, PROP_PRIVATE_KEY, "private-key");
  g_object_class_override_property (gobject_class, PROP_PRIVATE_KEY_PEM, "private-key-pem");
  g_object_class_override_property (gobject_class, PROP_ISSUER, "issuer");
  g_object_class_override_property (gobject_class, PROP_PKCS11_URI, "pkcs11-uri");
  g_object_class_override_property (gobject_class, PROP_PRIVATE_KEY_PKCS11_URI, "private-key-pkcs11-uri");
  g_object_class_override_property (gobject_class, PROP_NOT_VALID_BEFORE, "not-valid-before");
  g_object_class_override_property (gobject_class, PROP_NOT_VALID_AFTER, "not-valid-after");
  g_object_class_override_property (gobject_class, PROP_SUBJECT_NAME, "subject-name");
  g_object_class_override_property (gobject_class, PROP_ISSUER_NAME, "issuer-name");
  g_object_class_override_property (gobject_class, PROP_DNS_NAMES, "dns-names");
  g_object_class_override_property (gobject_class, PROP_IP_ADDRESSES, "ip-addresses");
  g_object_class_override_property (gobject_class, PROP_PKCS12_DATA, "pkcs12-data");
  g_object_class_override_property (gobject_class, PROP_PASSWORD, "password");
}

static void
g_tls_certificate_tlslite_initable_iface_init (GInitableIface *iface)
{
  iface->init = g_tls_certificate_tlslite_initable_init;
}

/* ---- Helpers for the rest of the module ---- */

tc_cert *
tlslite_certificate_get_tc_cert (GTlsCertificateTlslite *cert)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE_TLSLITE (cert), NULL);
  return cert->cert;
}

tc_privkey *
tlslite_certificate_get_tc_privkey (GTlsCertificateTlslite *cert)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE_TLSLITE (cert), NULL);
  return cert->key;
}

gboolean
tlslite_certificate_has_key (GTlsCertificateTlslite *cert)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE_TLSLITE (cert), FALSE);
  return cert->key != NULL;
}

/* A new tc_cert reference for any GTlsCertificate, or NULL. */
static tc_cert *
tc_cert_of (GTlsCertificate *cert)
{
  GByteArray *der = NULL;
  tc_cert *tc;
  tc_error err;

  if (G_IS_TLS_CERTIFICATE_TLSLITE (cert))
    {
      tc = G_TLS_CERTIFICATE_TLSLITE (cert)->cert;
      return tc ? tc_cert_ref (tc) : NULL;
    }
  /* A certificate from another implementation (a mock, or an application
   * subclass): go through its DER. */
  g_object_get (cert, "certificate", &der, NULL);
  if (!der)
    return NULL;
  tc_error_clear (&err);
  tc = tc_cert_parse_der (der->data, der->len, &err);
  g_byte_array_unref (der);
  return tc;
}

gsize
tlslite_certificate_build_chain (GTlsCertificate *cert, tc_cert ***chain)
{
  tc_cert **out = g_new0 (tc_cert *, MAX_PRESENTED);
  gsize n = 0;

  while (cert && n < MAX_PRESENTED)
    {
      tc_cert *tc = tc_cert_of (cert);

      if (!tc)
        break;
      out[n++] = tc;
      cert = g_tls_certificate_get_issuer (cert);
    }
  *chain = out;
  return n;
}

void
tlslite_certificate_free_chain (tc_cert **chain, gsize n)
{
  gsize i;

  if (!chain)
    return;
  for (i = 0; i < n; i++)
    tc_cert_unref (chain[i]);
  g_free (chain);
}

GTlsCertificate *
tlslite_certificate_new_from_tc_cert (tc_cert *tc, GTlsCertificate *issuer, tc_privkey *key)
{
  GTlsCertificateTlslite *self;

  g_return_val_if_fail (tc != NULL, NULL);

  /* Already-parsed data: no need for GInitable, nothing can fail. */
  self = g_object_new (G_TYPE_TLS_CERTIFICATE_TLSLITE, "issuer", issuer, NULL);
  self->cert = tc_cert_ref (tc);
  self->key = key ? tc_privkey_ref (key) : NULL;
  return G_TLS_CERTIFICATE (self);
}

GTlsCertificate *
tlslite_certificate_new_from_chain (tc_cert *const *chain, gsize n)
{
  GTlsCertificate *issuer, *leaf;

  if (n == 0)
    return NULL;
  issuer = chain_from_set (chain[0], chain + 1, n - 1);
  leaf = tlslite_certificate_new_from_tc_cert (chain[0], issuer, NULL);
  g_clear_object (&issuer);
  return leaf;
}
