/* TlsliteSettings (handshake settings), their key=value syntax, the environment and system key file, and their mapping onto tc_config. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include <tlslite-gio/tlslite-settings.h>

#include "cert-compression.h"
#include "connection-extras.h"
#include "tlslite-types.h"
#include "tlscore/srp.h"

/**
 * TlsliteSettings:
 *
 * The handshake settings of a connection, TLS Lite's HandshakeSettings:
 * versions, cipher suites, groups, signature schemes, SRP and DH sizes,
 * certificate types, session tickets, renegotiation, extended master secret,
 * the record size limit, legacy (SHA-1, SHA-224) TLS 1.2 signatures and
 * certificate compression.
 *
 * Every field is a property with a secure default; setting one never
 * fails. [method@Tlslite.Settings.validate] checks the whole object and
 * names the first field with a bad value. A connection of the tlslite
 * backend takes settings as its `settings` property (this object) or its
 * `settings-string` property (the same `key=value;key=value` syntax as
 * [method@Tlslite.Settings.parse]); it validates them when the handshake
 * starts, and a rejection fails the handshake with the same message.
 *
 * The syntax: entries separated by `;` (or new lines), each `key=value`
 * where the key is a property name below; lists are comma-separated;
 * versions are `ssl3.0`, `tls1.0`, `tls1.1`, `tls1.2`, `tls1.3`; booleans
 * `true`/`false`; e.g.
 * `min-version=tls1.2;groups=x25519,secp521r1,ffdhe3072;tickets=false`.
 *
 * Programs that use only GIO get the same through the environment variable
 * `G_TLS_TLSLITE_SETTINGS` (this syntax) and the system key file
 * `$sysconfdir/tlslite-gio/settings.conf` (group `[settings]`, the same
 * keys), which apply to every connection; the file comes first, the
 * variable then overrides it. A connection's `settings` object replaces
 * both; its `settings-string` applies on top of whatever came before.
 */

#define DEFAULT_MIN_VERSION G_TLS_PROTOCOL_VERSION_TLS_1_2
#define DEFAULT_MAX_VERSION G_TLS_PROTOCOL_VERSION_TLS_1_3
#define DEFAULT_TICKET_LIFETIME 7200
#define DEFAULT_RECORD_SIZE_LIMIT 16384
#define MIN_BITS 1024
#define MAX_BITS 8192

struct _TlsliteSettings
{
  GObject parent_instance;

  GTlsProtocolVersion min_version;
  GTlsProtocolVersion max_version;
  gchar **cipher_suites;         /* NULL: the defaults */
  gchar **groups;
  gchar **signature_schemes;
  guint srp_min_bits, srp_max_bits;
  guint dh_min_bits, dh_max_bits;
  gchar **certificate_types;
  gboolean tickets;
  guint ticket_lifetime;
  TlsliteRenegotiation renegotiation;
  gboolean ems_required;
  guint record_size_limit;
  gboolean legacy_signatures;
  gboolean certificate_compression;
};

enum
{
  PROP_0,
  PROP_MIN_VERSION,
  PROP_MAX_VERSION,
  PROP_CIPHER_SUITES,
  PROP_GROUPS,
  PROP_SIGNATURE_SCHEMES,
  PROP_SRP_MIN_BITS,
  PROP_SRP_MAX_BITS,
  PROP_DH_MIN_BITS,
  PROP_DH_MAX_BITS,
  PROP_CERTIFICATE_TYPES,
  PROP_TICKETS,
  PROP_TICKET_LIFETIME,
  PROP_RENEGOTIATION,
  PROP_EMS_REQUIRED,
  PROP_RECORD_SIZE_LIMIT,
  PROP_LEGACY_SIGNATURES,
  PROP_CERTIFICATE_COMPRESSION,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (TlsliteSettings, tlslite_settings, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (TlsliteRenegotiation, tlslite_renegotiation,
                    G_DEFINE_ENUM_VALUE (TLSLITE_RENEGOTIATION_NEVER, "never"),
                    G_DEFINE_ENUM_VALUE (TLSLITE_RENEGOTIATION_SECURE, "secure"))
G_DEFINE_QUARK (tlslite-settings-error-quark, tlslite_settings_error)

/* ------------------------------------------------------------------ */
/* versions in words                                                   */

static const struct
{
  GTlsProtocolVersion gio;
  uint16_t wire;
  const char *key;     /* the settings syntax */
  const char *words;   /* messages */
} versions[] = {
  { G_TLS_PROTOCOL_VERSION_SSL_3_0, TC_SSL30, "ssl3.0", "SSL 3.0" },
  { G_TLS_PROTOCOL_VERSION_TLS_1_0, TC_TLS10, "tls1.0", "TLS 1.0" },
  { G_TLS_PROTOCOL_VERSION_TLS_1_1, TC_TLS11, "tls1.1", "TLS 1.1" },
  { G_TLS_PROTOCOL_VERSION_TLS_1_2, TC_TLS12, "tls1.2", "TLS 1.2" },
  { G_TLS_PROTOCOL_VERSION_TLS_1_3, TC_TLS13, "tls1.3", "TLS 1.3" },
};

static int
version_index (GTlsProtocolVersion v)
{
  for (gsize i = 0; i < G_N_ELEMENTS (versions); i++)
    if (versions[i].gio == v)
      return (int) i;
  return -1;
}

static gboolean
version_from_key (const char *s, GTlsProtocolVersion *out)
{
  for (gsize i = 0; i < G_N_ELEMENTS (versions); i++)
    if (g_ascii_strcasecmp (s, versions[i].key) == 0)
      {
        *out = versions[i].gio;
        return TRUE;
      }
  return FALSE;
}

static const char *
version_words (GTlsProtocolVersion v)
{
  int i = version_index (v);

  return i >= 0 ? versions[i].words : "?";
}

/* ------------------------------------------------------------------ */
/* the object                                                          */

static void
tlslite_settings_init (TlsliteSettings *self)
{
  self->min_version = DEFAULT_MIN_VERSION;
  self->max_version = DEFAULT_MAX_VERSION;
  self->srp_min_bits = 2048;
  self->srp_max_bits = MAX_BITS;
  self->dh_min_bits = 2048;
  self->dh_max_bits = MAX_BITS;
  self->tickets = TRUE;
  self->ticket_lifetime = DEFAULT_TICKET_LIFETIME;
  self->renegotiation = TLSLITE_RENEGOTIATION_NEVER;
  self->ems_required = TRUE;
  self->record_size_limit = DEFAULT_RECORD_SIZE_LIMIT;
}

static void
tlslite_settings_finalize (GObject *object)
{
  TlsliteSettings *self = TLSLITE_SETTINGS (object);

  g_strfreev (self->cipher_suites);
  g_strfreev (self->groups);
  g_strfreev (self->signature_schemes);
  g_strfreev (self->certificate_types);
  G_OBJECT_CLASS (tlslite_settings_parent_class)->finalize (object);
}

/* An empty list means "not set" (the defaults), like NULL. */
static void
set_list (gchar ***field, const gchar *const *list)
{
  g_strfreev (*field);
  *field = list && list[0] ? g_strdupv ((gchar **) list) : NULL;
}

static void
tlslite_settings_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  TlsliteSettings *self = TLSLITE_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_MIN_VERSION: self->min_version = g_value_get_enum (value); break;
    case PROP_MAX_VERSION: self->max_version = g_value_get_enum (value); break;
    case PROP_CIPHER_SUITES: set_list (&self->cipher_suites, g_value_get_boxed (value)); break;
    case PROP_GROUPS: set_list (&self->groups, g_value_get_boxed (value)); break;
    case PROP_SIGNATURE_SCHEMES: set_list (&self->signature_schemes, g_value_get_boxed (value)); break;
    case PROP_SRP_MIN_BITS: self->srp_min_bits = g_value_get_uint (value); break;
    case PROP_SRP_MAX_BITS: self->srp_max_bits = g_value_get_uint (value); break;
    case PROP_DH_MIN_BITS: self->dh_min_bits = g_value_get_uint (value); break;
    case PROP_DH_MAX_BITS: self->dh_max_bits = g_value_get_uint (value); break;
    case PROP_CERTIFICATE_TYPES: set_list (&self->certificate_types, g_value_get_boxed (value)); break;
    case PROP_TICKETS: self->tickets = g_value_get_boolean (value); break;
    case PROP_TICKET_LIFETIME: self->ticket_lifetime = g_value_get_uint (value); break;
    case PROP_RENEGOTIATION: self->renegotiation = g_value_get_enum (value); break;
    case PROP_EMS_REQUIRED: self->ems_required = g_value_get_boolean (value); break;
    case PROP_RECORD_SIZE_LIMIT: self->record_size_limit = g_value_get_uint (value); break;
    case PROP_LEGACY_SIGNATURES: self->legacy_signatures = g_value_get_boolean (value); break;
    case PROP_CERTIFICATE_COMPRESSION: self->certificate_compression = g_value_get_boolean (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_settings_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TlsliteSettings *self = TLSLITE_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_MIN_VERSION: g_value_set_enum (value, self->min_version); break;
    case PROP_MAX_VERSION: g_value_set_enum (value, self->max_version); break;
    case PROP_CIPHER_SUITES: g_value_set_boxed (value, self->cipher_suites); break;
    case PROP_GROUPS: g_value_set_boxed (value, self->groups); break;
    case PROP_SIGNATURE_SCHEMES: g_value_set_boxed (value, self->signature_schemes); break;
    case PROP_SRP_MIN_BITS: g_value_set_uint (value, self->srp_min_bits); break;
    case PROP_SRP_MAX_BITS: g_value_set_uint (value, self->srp_max_bits); break;
    case PROP_DH_MIN_BITS: g_value_set_uint (value, self->dh_min_bits); break;
    case PROP_DH_MAX_BITS: g_value_set_uint (value, self->dh_max_bits); break;
    case PROP_CERTIFICATE_TYPES: g_value_set_boxed (value, self->certificate_types); break;
    case PROP_TICKETS: g_value_set_boolean (value, self->tickets); break;
    case PROP_TICKET_LIFETIME: g_value_set_uint (value, self->ticket_lifetime); break;
    case PROP_RENEGOTIATION: g_value_set_enum (value, self->renegotiation); break;
    case PROP_EMS_REQUIRED: g_value_set_boolean (value, self->ems_required); break;
    case PROP_RECORD_SIZE_LIMIT: g_value_set_uint (value, self->record_size_limit); break;
    case PROP_LEGACY_SIGNATURES: g_value_set_boolean (value, self->legacy_signatures); break;
    case PROP_CERTIFICATE_COMPRESSION: g_value_set_boolean (value, self->certificate_compression); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_settings_class_init (TlsliteSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->set_property = tlslite_settings_set_property;
  object_class->get_property = tlslite_settings_get_property;
  object_class->finalize = tlslite_settings_finalize;

  /* Ranges are left wide on purpose: validate() names a bad value in the
   * settings' own words instead of GObject's generic warning. */

  /**
   * TlsliteSettings:min-version:
   *
   * The lowest protocol version allowed (default TLS 1.2). Key `min-version`,
   * values `ssl3.0` to `tls1.3`.
   */
  props[PROP_MIN_VERSION] = g_param_spec_enum ("min-version", NULL, NULL,
    G_TYPE_TLS_PROTOCOL_VERSION, DEFAULT_MIN_VERSION, rw);
  /**
   * TlsliteSettings:max-version:
   *
   * The highest protocol version allowed (default TLS 1.3).
   */
  props[PROP_MAX_VERSION] = g_param_spec_enum ("max-version", NULL, NULL,
    G_TYPE_TLS_PROTOCOL_VERSION, DEFAULT_MAX_VERSION, rw);
  /**
   * TlsliteSettings:cipher-suites:
   *
   * IANA cipher suite names in preference order (e.g.
   * `TLS_AES_128_GCM_SHA256`); %NULL or empty: the defaults.
   */
  props[PROP_CIPHER_SUITES] = g_param_spec_boxed ("cipher-suites", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TlsliteSettings:groups:
   *
   * Key-exchange groups in preference order: `x25519`, `x448`,
   * `secp256r1`, `secp384r1`, `secp521r1`, `ffdhe2048` ... `ffdhe8192`;
   * %NULL or empty: the defaults.
   */
  props[PROP_GROUPS] = g_param_spec_boxed ("groups", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TlsliteSettings:signature-schemes:
   *
   * Signature schemes by their RFC 8446 names (e.g.
   * `ecdsa_secp256r1_sha256`, `rsa_pss_rsae_sha256`, `ed25519`);
   * %NULL or empty: the defaults.
   */
  props[PROP_SIGNATURE_SCHEMES] = g_param_spec_boxed ("signature-schemes", NULL, NULL,
                                                      G_TYPE_STRV, rw);
  /**
   * TlsliteSettings:srp-min-bits:
   *
   * Smallest SRP group (bits) a client accepts or a server serves
   * (1024..8192, default 2048).
   */
  props[PROP_SRP_MIN_BITS] = g_param_spec_uint ("srp-min-bits", NULL, NULL, 0, G_MAXUINT, 2048, rw);
  /**
   * TlsliteSettings:srp-max-bits:
   *
   * Largest SRP group (bits) accepted or served (1024..8192, default 8192).
   */
  props[PROP_SRP_MAX_BITS] = g_param_spec_uint ("srp-max-bits", NULL, NULL, 0, G_MAXUINT, MAX_BITS, rw);
  /**
   * TlsliteSettings:dh-min-bits:
   *
   * Smallest finite-field Diffie-Hellman prime (bits) accepted: a TLS 1.2
   * client refuses a smaller server prime, a server drops smaller FFDHE
   * groups (1024..8192, default 2048).
   */
  props[PROP_DH_MIN_BITS] = g_param_spec_uint ("dh-min-bits", NULL, NULL, 0, G_MAXUINT, 2048, rw);
  /**
   * TlsliteSettings:dh-max-bits:
   *
   * Largest finite-field Diffie-Hellman prime (bits) accepted or used
   * (1024..8192, default 8192).
   */
  props[PROP_DH_MAX_BITS] = g_param_spec_uint ("dh-max-bits", NULL, NULL, 0, G_MAXUINT, MAX_BITS, rw);
  /**
   * TlsliteSettings:certificate-types:
   *
   * Certificate types allowed; only `x509` exists (the default), and
   * validation refuses any other value, naming the setting and the value.
   */
  props[PROP_CERTIFICATE_TYPES] = g_param_spec_boxed ("certificate-types", NULL, NULL,
                                                      G_TYPE_STRV, rw);
  /**
   * TlsliteSettings:tickets:
   *
   * Whether a server issues session tickets (default %TRUE).
   */
  props[PROP_TICKETS] = g_param_spec_boolean ("tickets", NULL, NULL, TRUE, rw);
  /**
   * TlsliteSettings:ticket-lifetime:
   *
   * Lifetime of the session tickets a server issues, in seconds
   * (1..604800, default 7200).
   */
  props[PROP_TICKET_LIFETIME] = g_param_spec_uint ("ticket-lifetime", NULL, NULL, 0, G_MAXUINT,
                                                   DEFAULT_TICKET_LIFETIME, rw);
  /**
   * TlsliteSettings:renegotiation:
   *
   * The renegotiation policy (key values `never`, `secure`).
   */
  props[PROP_RENEGOTIATION] = g_param_spec_enum ("renegotiation", NULL, NULL,
    TLSLITE_TYPE_RENEGOTIATION, TLSLITE_RENEGOTIATION_NEVER, rw);
  /**
   * TlsliteSettings:ems-required:
   *
   * Whether TLS 1.2-and-older sessions are resumed only with the extended
   * master secret (RFC 7627; default %TRUE).
   */
  props[PROP_EMS_REQUIRED] = g_param_spec_boolean ("ems-required", NULL, NULL, TRUE, rw);
  /**
   * TlsliteSettings:record-size-limit:
   *
   * Largest record plaintext this side sends and accepts (64..16384,
   * default 16384). It is advertised to the peer in the RFC 8449
   * record_size_limit extension; when the peer answers with the extension
   * too, a larger protected record from it fails the connection with
   * record_overflow (a peer without the extension is held to 16384 only).
   * A smaller limit from the peer lowers what this side sends further.
   */
  props[PROP_RECORD_SIZE_LIMIT] = g_param_spec_uint ("record-size-limit", NULL, NULL, 0, G_MAXUINT,
                                                     DEFAULT_RECORD_SIZE_LIMIT, rw);
  /**
   * TlsliteSettings:legacy-signatures:
   *
   * Whether TLS 1.2 also offers and accepts SHA-1 and SHA-224 signatures
   * (rsa_pkcs1_sha1, ecdsa_sha1, rsa_pkcs1_sha224, ecdsa_sha224), after
   * every other scheme, for old peers (default %FALSE: SHA-1 collisions are
   * practical, RFC 9155). TLS 1.3 never uses them.
   */
  props[PROP_LEGACY_SIGNATURES] = g_param_spec_boolean ("legacy-signatures", NULL, NULL, FALSE, rw);
  /**
   * TlsliteSettings:certificate-compression:
   *
   * Whether TLS 1.3 certificates are sent and accepted zlib-compressed
   * (RFC 8879) with peers that offer it (default %FALSE). Decompression
   * stops at the handshake message size limit.
   */
  props[PROP_CERTIFICATE_COMPRESSION] = g_param_spec_boolean ("certificate-compression", NULL, NULL,
                                                              FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

/**
 * tlslite_settings_new:
 *
 * New settings with the defaults (TLS 1.2 and 1.3, the default suites,
 * groups and schemes, tickets on, renegotiation refused, EMS required).
 *
 * Returns: (transfer full): the settings
 */
TlsliteSettings *
tlslite_settings_new (void)
{
  return g_object_new (TLSLITE_TYPE_SETTINGS, NULL);
}

/**
 * tlslite_settings_copy:
 * @settings: the settings
 *
 * An independent copy of @settings.
 *
 * Returns: (transfer full): the copy
 */
TlsliteSettings *
tlslite_settings_copy (TlsliteSettings *settings)
{
  TlsliteSettings *copy;

  g_return_val_if_fail (TLSLITE_IS_SETTINGS (settings), NULL);
  copy = tlslite_settings_new ();
  copy->min_version = settings->min_version;
  copy->max_version = settings->max_version;
  set_list (&copy->cipher_suites, (const gchar *const *) settings->cipher_suites);
  set_list (&copy->groups, (const gchar *const *) settings->groups);
  set_list (&copy->signature_schemes, (const gchar *const *) settings->signature_schemes);
  copy->srp_min_bits = settings->srp_min_bits;
  copy->srp_max_bits = settings->srp_max_bits;
  copy->dh_min_bits = settings->dh_min_bits;
  copy->dh_max_bits = settings->dh_max_bits;
  set_list (&copy->certificate_types, (const gchar *const *) settings->certificate_types);
  copy->tickets = settings->tickets;
  copy->ticket_lifetime = settings->ticket_lifetime;
  copy->renegotiation = settings->renegotiation;
  copy->ems_required = settings->ems_required;
  copy->record_size_limit = settings->record_size_limit;
  copy->legacy_signatures = settings->legacy_signatures;
  copy->certificate_compression = settings->certificate_compression;
  return copy;
}

/* ------------------------------------------------------------------ */
/* validation                                                          */

static gboolean
invalid (GError **error, const char *field, const char *value, const char *why)
{
  tlslite_gio_ensure_i18n ();
  g_set_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE,
               /* Translators: the setting's name, the value, the reason */
               _("Invalid value “%2$s” for the setting %1$s: %3$s"), field, value, why);
  return FALSE;
}

/* why: an untranslated message (N_), translated only when a name is bad:
 * settings are validated for every connection, and looking up three
 * translations each time cost more than the checks. */
static gboolean
check_names (GError **error, const char *field, gchar **names, uint16_t (*lookup) (const char *),
             const char *why)
{
  for (gsize i = 0; names && names[i]; i++)
    if (lookup (names[i]) == 0)
      return invalid (error, field, names[i], _(why));
  return TRUE;
}

static gboolean
check_bits (GError **error, const char *min_field, guint min, const char *max_field, guint max)
{
  gchar buf[32];

  if (min < MIN_BITS || min > MAX_BITS)
    {
      g_snprintf (buf, sizeof buf, "%u", min);
      return invalid (error, min_field, buf, _("must be between 1024 and 8192 bits"));
    }
  if (max < MIN_BITS || max > MAX_BITS)
    {
      g_snprintf (buf, sizeof buf, "%u", max);
      return invalid (error, max_field, buf, _("must be between 1024 and 8192 bits"));
    }
  if (min > max)
    {
      gchar *why;
      gboolean ret;

      g_snprintf (buf, sizeof buf, "%u", min);
      why = g_strdup_printf (_("above %s (%u)"), max_field, max);
      ret = invalid (error, min_field, buf, why);
      g_free (why);
      return ret;
    }
  return TRUE;
}

/**
 * tlslite_settings_validate:
 * @settings: the settings
 * @error: return location for a #GError, or %NULL
 *
 * Checks every field. The first bad one gives a
 * %TLSLITE_SETTINGS_ERROR_INVALID_VALUE error whose message names the
 * setting and the value, e.g. “Invalid value “tls1.3” for the setting
 * min-version: above max-version (TLS 1.2)”.
 *
 * Returns: %TRUE if the settings are usable
 */
gboolean
tlslite_settings_validate (TlsliteSettings *settings, GError **error)
{
  gchar buf[32];

  g_return_val_if_fail (TLSLITE_IS_SETTINGS (settings), FALSE);
  tlslite_gio_ensure_i18n ();

  if (version_index (settings->min_version) < 0)
    {
      g_snprintf (buf, sizeof buf, "%d", (int) settings->min_version);
      return invalid (error, "min-version", buf, _("not a TLS version"));
    }
  if (version_index (settings->max_version) < 0)
    {
      g_snprintf (buf, sizeof buf, "%d", (int) settings->max_version);
      return invalid (error, "max-version", buf, _("not a TLS version"));
    }
  if (version_index (settings->min_version) > version_index (settings->max_version))
    {
      gchar *why = g_strdup_printf (_("above max-version (%s)"), version_words (settings->max_version));
      gboolean ret = invalid (error, "min-version", version_words (settings->min_version), why);

      g_free (why);
      return ret;
    }
  if (!check_names (error, "cipher-suites", settings->cipher_suites, tc_cipher_suite_from_name,
                    N_("unknown cipher suite")) ||
      !check_names (error, "groups", settings->groups, tc_group_from_name, N_("unknown group")) ||
      !check_names (error, "signature-schemes", settings->signature_schemes, tc_sig_scheme_from_name,
                    N_("unknown signature scheme")))
    return FALSE;
  if (!check_bits (error, "srp-min-bits", settings->srp_min_bits, "srp-max-bits", settings->srp_max_bits) ||
      !check_bits (error, "dh-min-bits", settings->dh_min_bits, "dh-max-bits", settings->dh_max_bits))
    return FALSE;
  for (gsize i = 0; settings->certificate_types && settings->certificate_types[i]; i++)
    if (g_ascii_strcasecmp (settings->certificate_types[i], "x509") != 0)
      return invalid (error, "certificate-types", settings->certificate_types[i],
                      _("only x509 is supported"));
  if (settings->ticket_lifetime < 1 || settings->ticket_lifetime > 604800)
    {
      g_snprintf (buf, sizeof buf, "%u", settings->ticket_lifetime);
      return invalid (error, "ticket-lifetime", buf, _("must be between 1 and 604800 seconds"));
    }
  if (settings->renegotiation != TLSLITE_RENEGOTIATION_NEVER &&
      settings->renegotiation != TLSLITE_RENEGOTIATION_SECURE)
    {
      g_snprintf (buf, sizeof buf, "%d", (int) settings->renegotiation);
      return invalid (error, "renegotiation", buf, _("must be never or secure"));
    }
  if (settings->record_size_limit < 64 || settings->record_size_limit > 16384)
    {
      g_snprintf (buf, sizeof buf, "%u", settings->record_size_limit);
      return invalid (error, "record-size-limit", buf, _("must be between 64 and 16384 bytes"));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* the key=value syntax                                                */

static gboolean
parse_bool (const char *s, gboolean *out)
{
  static const char *yes[] = { "true", "yes", "on", "1" }, *no[] = { "false", "no", "off", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (s, yes[i]) == 0)
        return (*out = TRUE), TRUE;
      if (g_ascii_strcasecmp (s, no[i]) == 0)
        return (*out = FALSE), TRUE;
    }
  return FALSE;
}

static gchar **
parse_list (const char *s)
{
  gchar **items = g_strsplit (s, ",", -1);
  GPtrArray *out = g_ptr_array_new ();

  for (gsize i = 0; items[i]; i++)
    {
      g_strstrip (items[i]);
      if (*items[i])
        g_ptr_array_add (out, g_strdup (items[i]));
    }
  g_strfreev (items);
  g_ptr_array_add (out, NULL);
  return (gchar **) g_ptr_array_free (out, FALSE);
}

/* One key=value onto the settings. Lists and names are checked later by
 * validate(); here only what the syntax itself can get wrong. */
static gboolean
apply_pair (TlsliteSettings *self, const char *key, const char *value, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), key);
  GValue v = G_VALUE_INIT;

  if (!pspec)
    {
      tlslite_gio_ensure_i18n ();
      g_set_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_UNKNOWN_KEY,
                   _("Unknown setting “%s”"), key);
      return FALSE;
    }
  g_value_init (&v, pspec->value_type);
  if (pspec->value_type == G_TYPE_TLS_PROTOCOL_VERSION)
    {
      GTlsProtocolVersion ver;

      if (!version_from_key (value, &ver))
        return invalid (error, key, value, _("not a TLS version (ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3)"));
      g_value_set_enum (&v, ver);
    }
  else if (pspec->value_type == TLSLITE_TYPE_RENEGOTIATION)
    {
      GEnumClass *klass = g_type_class_ref (TLSLITE_TYPE_RENEGOTIATION);
      GEnumValue *ev = g_enum_get_value_by_nick (klass, value);

      g_type_class_unref (klass);
      if (!ev)
        return invalid (error, key, value, _("must be never or secure"));
      g_value_set_enum (&v, ev->value);
    }
  else if (pspec->value_type == G_TYPE_STRV)
    g_value_take_boxed (&v, parse_list (value));
  else if (pspec->value_type == G_TYPE_BOOLEAN)
    {
      gboolean b;

      if (!parse_bool (value, &b))
        return invalid (error, key, value, _("must be true or false"));
      g_value_set_boolean (&v, b);
    }
  else
    {
      guint64 n;

      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
        return invalid (error, key, value, _("not a number"));
      g_value_set_uint (&v, (guint) n);
    }
  g_object_set_property (G_OBJECT (self), key, &v);
  g_value_unset (&v);
  return TRUE;
}

/* Applies the entries onto `self` as they come; FALSE at the first error. */
static gboolean
parse_into (TlsliteSettings *self, const char *string, GError **error)
{
  gchar **entries = g_strsplit_set (string, ";\n", -1);
  gboolean ok = TRUE;

  for (gsize i = 0; ok && entries[i]; i++)
    {
      gchar *entry = g_strstrip (entries[i]);
      gchar *eq;

      if (!*entry)
        continue;
      eq = strchr (entry, '=');
      if (!eq)
        {
          tlslite_gio_ensure_i18n ();
          g_set_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_SYNTAX,
                       _("Setting “%s” is not of the form key=value"), entry);
          ok = FALSE;
          break;
        }
      *eq = '\0';
      ok = apply_pair (self, g_strstrip (entry), g_strstrip (eq + 1), error);
    }
  g_strfreev (entries);
  return ok;
}

/**
 * tlslite_settings_parse:
 * @settings: the settings
 * @string: entries `key=value` separated by `;` or new lines
 * @error: return location for a #GError, or %NULL
 *
 * Applies a settings string (the syntax of `G_TLS_TLSLITE_SETTINGS`, see
 * [class@Tlslite.Settings]) on top of @settings and validates the result.
 * On error @settings is left unchanged and the message names the setting
 * and the value (or the unknown key).
 *
 * Returns: %TRUE on success
 */
gboolean
tlslite_settings_parse (TlsliteSettings *settings, const char *string, GError **error)
{
  TlsliteSettings *tmp;
  gboolean ok;

  g_return_val_if_fail (TLSLITE_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (string != NULL, FALSE);

  tmp = tlslite_settings_copy (settings);
  ok = parse_into (tmp, string, error) && tlslite_settings_validate (tmp, error);
  if (ok)
    {
      /* Commit: take the parsed state field by field. */
      TlsliteSettings *t = settings;

      t->min_version = tmp->min_version;
      t->max_version = tmp->max_version;
      set_list (&t->cipher_suites, (const gchar *const *) tmp->cipher_suites);
      set_list (&t->groups, (const gchar *const *) tmp->groups);
      set_list (&t->signature_schemes, (const gchar *const *) tmp->signature_schemes);
      t->srp_min_bits = tmp->srp_min_bits;
      t->srp_max_bits = tmp->srp_max_bits;
      t->dh_min_bits = tmp->dh_min_bits;
      t->dh_max_bits = tmp->dh_max_bits;
      set_list (&t->certificate_types, (const gchar *const *) tmp->certificate_types);
      t->tickets = tmp->tickets;
      t->ticket_lifetime = tmp->ticket_lifetime;
      t->renegotiation = tmp->renegotiation;
      t->ems_required = tmp->ems_required;
      t->record_size_limit = tmp->record_size_limit;
      t->legacy_signatures = tmp->legacy_signatures;
      t->certificate_compression = tmp->certificate_compression;
    }
  g_object_unref (tmp);
  return ok;
}

/**
 * tlslite_settings_new_from_string:
 * @string: a settings string (see [method@Tlslite.Settings.parse])
 * @error: return location for a #GError, or %NULL
 *
 * New settings: the defaults with @string applied.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL on error
 */
TlsliteSettings *
tlslite_settings_new_from_string (const char *string, GError **error)
{
  TlsliteSettings *s = tlslite_settings_new ();

  if (!tlslite_settings_parse (s, string, error))
    g_clear_object (&s);
  return s;
}

static void
append_list (GString *out, const char *key, gchar **list)
{
  gchar *joined;

  if (!list)
    return;
  joined = g_strjoinv (",", list);
  g_string_append_printf (out, "%s=%s;", key, joined);
  g_free (joined);
}

/**
 * tlslite_settings_to_string:
 * @settings: the settings
 *
 * The settings in the syntax [method@Tlslite.Settings.parse] reads: every
 * scalar field, and the lists that are set.
 *
 * Returns: (transfer full): the string
 */
char *
tlslite_settings_to_string (TlsliteSettings *settings)
{
  GString *out;
  int lo, hi;

  g_return_val_if_fail (TLSLITE_IS_SETTINGS (settings), NULL);
  out = g_string_new (NULL);
  lo = version_index (settings->min_version);
  hi = version_index (settings->max_version);
  g_string_append_printf (out, "min-version=%s;max-version=%s;",
                          lo >= 0 ? versions[lo].key : "?", hi >= 0 ? versions[hi].key : "?");
  append_list (out, "cipher-suites", settings->cipher_suites);
  append_list (out, "groups", settings->groups);
  append_list (out, "signature-schemes", settings->signature_schemes);
  g_string_append_printf (out, "srp-min-bits=%u;srp-max-bits=%u;dh-min-bits=%u;dh-max-bits=%u;",
                          settings->srp_min_bits, settings->srp_max_bits,
                          settings->dh_min_bits, settings->dh_max_bits);
  append_list (out, "certificate-types", settings->certificate_types);
  g_string_append_printf (out, "tickets=%s;ticket-lifetime=%u;renegotiation=%s;ems-required=%s;"
                          "record-size-limit=%u;legacy-signatures=%s;certificate-compression=%s",
                          settings->tickets ? "true" : "false", settings->ticket_lifetime,
                          settings->renegotiation == TLSLITE_RENEGOTIATION_SECURE ? "secure" : "never",
                          settings->ems_required ? "true" : "false", settings->record_size_limit,
                          settings->legacy_signatures ? "true" : "false",
                          settings->certificate_compression ? "true" : "false");
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* the environment and the system key file                             */

/* Each distinct complaint once per process: a bad variable would otherwise
 * warn on every connection. */
static void
warn_once (const char *message)
{
  static GMutex lock;
  static GHashTable *seen;
  gboolean fresh;

  g_mutex_lock (&lock);
  if (!seen)
    seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fresh = g_hash_table_add (seen, g_strdup (message));
  g_mutex_unlock (&lock);
  if (fresh)
    g_warning ("%s", message);
}

static void
warn_variable (const char *variable, const char *value, const GError *error)
{
  gchar *msg = g_strdup_printf (_("Ignoring %s=“%s”: %s"), variable, value, error->message);

  warn_once (msg);
  g_free (msg);
}

/* TLSLITE_SETTINGS_FILE overrides the path (tests, uninstalled runs); like
 * TLSLITE_LOCALEDIR it is ignored in setuid programs. */
static const char *
settings_file_path (void)
{
  const char *p = secure_getenv ("TLSLITE_SETTINGS_FILE");

  return p && *p ? p : TLSLITE_SYSCONFDIR "/tlslite-gio/settings.conf";
}

/* The key file's [settings] group as one settings string, cached by path,
 * size and mtime so a handshake costs one stat(). NULL: no file. */
static gchar *
settings_file_string (const char *path)
{
  static GMutex lock;
  static gchar *cached_path, *cached;
  static struct stat cached_st;
  struct stat st;
  gchar *result = NULL;

  if (stat (path, &st) != 0)
    {
      if (errno != ENOENT)
        {
          gchar *msg = g_strdup_printf (_("Ignoring the settings file %s: %s"), path,
                                        g_strerror (errno));
          warn_once (msg);
          g_free (msg);
        }
      return NULL;
    }

  g_mutex_lock (&lock);
  if (cached_path && g_str_equal (cached_path, path) && cached_st.st_size == st.st_size &&
      cached_st.st_mtim.tv_sec == st.st_mtim.tv_sec && cached_st.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
    {
      result = g_strdup (cached);
    }
  else
    {
      GKeyFile *kf = g_key_file_new ();
      GError *error = NULL;
      GString *s = g_string_new (NULL);

      if (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error))
        {
          gchar **keys = g_key_file_get_keys (kf, "settings", NULL, NULL);

          for (gsize i = 0; keys && keys[i]; i++)
            {
              gchar *v = g_key_file_get_value (kf, "settings", keys[i], NULL);

              g_string_append_printf (s, "%s=%s\n", keys[i], v ? v : "");
              g_free (v);
            }
          g_strfreev (keys);
        }
      else
        {
          gchar *msg = g_strdup_printf (_("Ignoring the settings file %s: %s"), path, error->message);

          warn_once (msg);
          g_free (msg);
          g_error_free (error);
        }
      g_key_file_free (kf);
      g_free (cached_path);
      g_free (cached);
      cached_path = g_strdup (path);
      cached = g_string_free (s, FALSE);
      cached_st = st;
      result = g_strdup (cached);
    }
  g_mutex_unlock (&lock);
  return result;
}

/* The old single-purpose variables, now spellings of settings keys. */
static void
apply_aliases (TlsliteSettings *s)
{
  static const struct { const char *var, *key; } aliases[] = {
    { "G_TLS_TLSLITE_MIN_VERSION", "min-version" },
    { "G_TLS_TLSLITE_MAX_VERSION", "max-version" },
    { "G_TLS_TLSLITE_CIPHERS", "cipher-suites" },
    { "G_TLS_TLSLITE_GROUPS", "groups" },
  };
  const char *v;

  for (gsize i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      GError *error = NULL;
      TlsliteSettings *tmp;

      v = g_getenv (aliases[i].var);
      if (!v || !*v)
        continue;
      tmp = tlslite_settings_copy (s);
      if (apply_pair (tmp, aliases[i].key, v, &error))
        {
          /* As before: one bound given alone moves the other when they
           * would cross (G_TLS_TLSLITE_MAX_VERSION=tls1.1 alone means 1.1
           * only); both given and crossed is an error. */
          if (version_index (tmp->min_version) > version_index (tmp->max_version))
            {
              const char *other = g_getenv (aliases[i == 0 ? 1 : 0].var);

              if (i == 0 && !(other && *other))
                tmp->max_version = tmp->min_version;
              else if (i == 1 && !(other && *other))
                tmp->min_version = tmp->max_version;
            }
          if (tlslite_settings_validate (tmp, &error))
            {
              set_list (&s->cipher_suites, (const gchar *const *) tmp->cipher_suites);
              set_list (&s->groups, (const gchar *const *) tmp->groups);
              s->min_version = tmp->min_version;
              s->max_version = tmp->max_version;
            }
        }
      if (error)
        {
          warn_variable (aliases[i].var, v, error);
          g_error_free (error);
        }
      g_object_unref (tmp);
    }
  v = g_getenv ("G_TLS_TLSLITE_NO_TICKETS");
  if (v && g_str_equal (v, "1"))
    s->tickets = FALSE;
}

/* Defaults, then the system key file, then the G_TLS_TLSLITE_* aliases,
 * then G_TLS_TLSLITE_SETTINGS. A source with a bad value is ignored as a
 * whole, with one warning naming it, the setting and the value. */
static TlsliteSettings *
settings_build (const char *path, const gchar *file)
{
  TlsliteSettings *s = tlslite_settings_new ();
  const char *env;
  GError *error = NULL;

  if (file && !tlslite_settings_parse (s, file, &error))
    {
      gchar *msg = g_strdup_printf (_("Ignoring the settings file %s: %s"), path, error->message);

      warn_once (msg);
      g_free (msg);
      g_clear_error (&error);
    }
  apply_aliases (s);
  env = g_getenv ("G_TLS_TLSLITE_SETTINGS");
  if (env && *env && !tlslite_settings_parse (s, env, &error))
    {
      warn_variable ("G_TLS_TLSLITE_SETTINGS", env, error);
      g_clear_error (&error);
    }
  return s;
}

/* settings_build() for every connection made a settings object per source
 * and validated each (~18 000 instructions per connection and side with
 * bench-gio's three variables): the last result is kept, keyed by all it
 * was built from (the file's path and content, every variable read). A
 * change to any of them builds anew. A caller that changes what it gets
 * (writable) gets a copy; the others share the kept object, which is never
 * changed once kept (no copy and no finalize per connection). */
static TlsliteSettings *
settings_from_environment (gboolean writable)
{
  static const char *const vars[] = {
    "G_TLS_TLSLITE_MIN_VERSION", "G_TLS_TLSLITE_MAX_VERSION", "G_TLS_TLSLITE_CIPHERS",
    "G_TLS_TLSLITE_GROUPS", "G_TLS_TLSLITE_NO_TICKETS", "G_TLS_TLSLITE_SETTINGS",
  };
  static GMutex lock;
  static GString *cached_key;
  static TlsliteSettings *cached;
  const char *path = settings_file_path ();
  gchar *file = settings_file_string (path);
  GString *key = g_string_new (path);
  TlsliteSettings *s = NULL;

  /* Each part is preceded by whether it is there and ends with a NUL,
   * which no path, file text or variable value contains. */
  g_string_append_c (key, '\0');
  g_string_append_c (key, file ? '+' : '-');
  g_string_append (key, file ? file : "");
  g_string_append_c (key, '\0');
  for (gsize i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *v = g_getenv (vars[i]);

      g_string_append_c (key, v ? '+' : '-');
      g_string_append (key, v ? v : "");
      g_string_append_c (key, '\0');
    }

  g_mutex_lock (&lock);
  if (cached && cached_key->len == key->len && memcmp (cached_key->str, key->str, key->len) == 0)
    s = writable ? tlslite_settings_copy (cached) : g_object_ref (cached);
  g_mutex_unlock (&lock);
  if (!s)
    {
      TlsliteSettings *built = settings_build (path, file);

      s = writable ? tlslite_settings_copy (built) : g_object_ref (built);
      g_mutex_lock (&lock);
      g_clear_object (&cached);
      if (cached_key)
        g_string_free (cached_key, TRUE);
      cached = built;
      cached_key = g_steal_pointer (&key);
      g_mutex_unlock (&lock);
    }
  if (key)
    g_string_free (key, TRUE);
  g_free (file);
  return s;
}

/* ------------------------------------------------------------------ */
/* onto tc_config                                                      */

static GArray *
ids_from_names (gchar **names, uint16_t (*lookup) (const char *))
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (uint16_t));

  for (gsize i = 0; names && names[i]; i++)
    {
      uint16_t id = lookup (names[i]);

      g_array_append_val (ids, id);
    }
  return ids;
}

static guint
ffdhe_bits (uint16_t group)
{
  switch (group)
    {
    case TC_GROUP_FFDHE2048: return 2048;
    case TC_GROUP_FFDHE3072: return 3072;
    case TC_GROUP_FFDHE4096: return 4096;
    case TC_GROUP_FFDHE6144: return 6144;
    case TC_GROUP_FFDHE8192: return 8192;
    default: return 0;
    }
}

/* Maps validated settings onto the engine's configuration. */
static gboolean
apply_to_config (TlsliteSettings *s, tc_config *cfg, gboolean server, GError **error)
{
  /* tc_config_new's server default (config.h), needed when DH sizes
   * narrow the FFDHE groups and no list was given. */
  static const uint16_t server_default_groups[] = {
    TC_GROUP_X25519, TC_GROUP_SECP256R1, TC_GROUP_SECP384R1, TC_GROUP_X448, TC_GROUP_SECP521R1,
    TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096, TC_GROUP_FFDHE6144,
    TC_GROUP_FFDHE8192,
  };
  GArray *ids;
  tc_error err;
  int rc = TC_OK;

  tc_error_clear (&err);
  rc = tc_config_set_versions (cfg, versions[version_index (s->min_version)].wire,
                               versions[version_index (s->max_version)].wire, &err);
  if (rc == TC_OK && s->cipher_suites)
    {
      ids = ids_from_names (s->cipher_suites, tc_cipher_suite_from_name);
      rc = tc_config_set_cipher_suites (cfg, (const uint16_t *) (void *) ids->data, ids->len, &err);
      g_array_unref (ids);
    }
  if (rc == TC_OK && (s->groups || (server && (s->dh_min_bits != 2048 || s->dh_max_bits != MAX_BITS))))
    {
      if (s->groups)
        ids = ids_from_names (s->groups, tc_group_from_name);
      else
        {
          ids = g_array_new (FALSE, FALSE, sizeof (uint16_t));
          g_array_append_vals (ids, server_default_groups, G_N_ELEMENTS (server_default_groups));
        }
      /* A server offers only FFDHE groups within the DH sizes. */
      for (guint i = 0; server && i < ids->len;)
        {
          guint bits = ffdhe_bits (g_array_index (ids, uint16_t, i));

          if (bits && (bits < s->dh_min_bits || bits > s->dh_max_bits))
            g_array_remove_index (ids, i);
          else
            i++;
        }
      if (ids->len > 0)
        rc = tc_config_set_groups (cfg, (const uint16_t *) (void *) ids->data, ids->len, &err);
      else
        {
          g_array_unref (ids);
          return invalid (error, "groups", s->groups ? s->groups[0] : "",
                          _("no group left within dh-min-bits and dh-max-bits"));
        }
      g_array_unref (ids);
    }
  if (rc == TC_OK && s->signature_schemes)
    {
      ids = ids_from_names (s->signature_schemes, tc_sig_scheme_from_name);
      rc = tc_config_set_sig_schemes (cfg, (const uint16_t *) (void *) ids->data, ids->len, &err);
      g_array_unref (ids);
    }
  if (rc == TC_OK)
    rc = tc_config_set_srp_group_bits (cfg, s->srp_min_bits, s->srp_max_bits, &err);
  if (rc == TC_OK)
    rc = tc_config_set_dh_min_bits (cfg, s->dh_min_bits, &err);
  if (rc == TC_OK)
    rc = tc_config_set_dh_max_bits (cfg, s->dh_max_bits, &err);
  if (rc == TC_OK)
    rc = tc_config_set_max_fragment (cfg, s->record_size_limit, &err);
  if (rc == TC_OK)
    rc = tc_config_set_record_size_limit (cfg, s->record_size_limit, &err);
  if (rc != TC_OK)
    {
      g_set_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE,
                   _("Invalid settings: %s"), err.message);
      return FALSE;
    }
  if (server)
    tc_config_set_tickets (cfg, s->tickets ? 2 : 0, s->ticket_lifetime);
  tc_config_set_renegotiation (cfg, s->renegotiation == TLSLITE_RENEGOTIATION_SECURE
                                    ? TC_RENEG_SECURE : TC_RENEG_NEVER);
  tc_config_set_ems_required (cfg, s->ems_required);
  tc_config_set_legacy_signatures (cfg, s->legacy_signatures);
  if (s->certificate_compression)
    {
      static const uint16_t zlib = TC_CERT_COMPRESSION_ZLIB;

      tc_error_clear (&err);
      if (tc_config_set_cert_compression (cfg, &zlib, 1, tlslite_zlib_cert_compress,
                                          tlslite_zlib_cert_decompress, NULL, &err) != TC_OK)
        {
          g_set_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE,
                       _("Invalid settings: %s"), err.message);
          return FALSE;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* connection properties "settings" and "settings-string"              */

typedef struct
{
  GMutex lock;
  TlsliteSettings *settings;
  gchar *string;
} SettingsState;

enum
{
  SETTINGS_PROP_SETTINGS,
  SETTINGS_PROP_STRING
};

G_DEFINE_QUARK (tlslite-settings-state, settings_state)

static void
settings_state_free (gpointer data)
{
  SettingsState *st = data;

  g_clear_object (&st->settings);
  g_free (st->string);
  g_mutex_clear (&st->lock);
  g_free (st);
}

static SettingsState *
get_state (GObject *conn, gboolean create)
{
  static GMutex create_lock;
  SettingsState *st = g_object_get_qdata (conn, settings_state_quark ());

  if (st || !create)
    return st;
  g_mutex_lock (&create_lock);
  st = g_object_get_qdata (conn, settings_state_quark ());
  if (!st)
    {
      st = g_new0 (SettingsState, 1);
      g_mutex_init (&st->lock);
      g_object_set_qdata_full (conn, settings_state_quark (), st, settings_state_free);
    }
  g_mutex_unlock (&create_lock);
  return st;
}

void
_tlslite_gio_settings_install_properties (GObjectClass *klass, guint first_id)
{
  /**
   * GTlsConnection:settings: (type TlsliteSettings)
   *
   * The handshake settings of this connection (a [class@Tlslite.Settings]);
   * they replace those of `G_TLS_TLSLITE_SETTINGS` and the system key file.
   * Validated when the handshake starts; a rejection fails it.
   */
  g_object_class_install_property (klass, first_id + SETTINGS_PROP_SETTINGS,
    g_param_spec_object ("settings", "Settings", "Handshake settings (TlsliteSettings)",
                         TLSLITE_TYPE_SETTINGS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GTlsConnection:settings-string:
   *
   * Handshake settings as a `key=value;key=value` string (the syntax of
   * `G_TLS_TLSLITE_SETTINGS`), applied on top of the other settings when
   * the handshake starts; an invalid string fails the handshake with a
   * message naming the setting and the value.
   */
  g_object_class_install_property (klass, first_id + SETTINGS_PROP_STRING,
    g_param_spec_string ("settings-string", "Settings string", "Handshake settings as key=value;...",
                         NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

gboolean
_tlslite_gio_settings_get_property (GObject *object, guint prop_id, guint first_id, GValue *value)
{
  SettingsState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_SETTINGS_N_PROPS)
    return FALSE;
  st = get_state (object, TRUE);
  g_mutex_lock (&st->lock);
  if (prop_id == first_id + SETTINGS_PROP_SETTINGS)
    g_value_set_object (value, st->settings);
  else
    g_value_set_string (value, st->string);
  g_mutex_unlock (&st->lock);
  return TRUE;
}

gboolean
_tlslite_gio_settings_set_property (GObject *object, guint prop_id, guint first_id,
                                    const GValue *value)
{
  SettingsState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_SETTINGS_N_PROPS)
    return FALSE;
  st = get_state (object, TRUE);
  g_mutex_lock (&st->lock);
  if (prop_id == first_id + SETTINGS_PROP_SETTINGS)
    {
      g_clear_object (&st->settings);
      st->settings = g_value_dup_object (value);
    }
  else
    {
      g_free (st->string);
      st->string = g_value_dup_string (value);
    }
  g_mutex_unlock (&st->lock);
  return TRUE;
}

gboolean
_tlslite_gio_settings_prepare (GObject *conn, tc_config *cfg, gboolean server, GError **error)
{
  SettingsState *st = get_state (conn, FALSE);
  TlsliteSettings *s = NULL;
  gchar *string = NULL;
  GError *local = NULL;
  gboolean ok;

  if (st)
    {
      g_mutex_lock (&st->lock);
      if (st->settings)
        s = tlslite_settings_copy (st->settings);
      string = g_strdup (st->string);
      g_mutex_unlock (&st->lock);
    }
  /* Only a settings string changes s (parsed on top of it). */
  if (!s)
    s = settings_from_environment (string != NULL);
  ok = tlslite_settings_validate (s, &local) &&
       (!string || tlslite_settings_parse (s, string, &local)) &&
       apply_to_config (s, cfg, server, &local);
  if (!ok)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC, local->message);
      g_error_free (local);
    }
  g_free (string);
  g_object_unref (s);
  return ok;
}
