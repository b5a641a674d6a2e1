/* Certificate pinning on connections (TLS Lite's Checker): the "pins" and "pin-only" properties, the check, the mismatch error. */
#include <glib/gi18n-lib.h>

#include <tlslite-gio/tlslite.h>

#include "connection-extras.h"
#include "tlslite-types.h"

typedef struct
{
  GMutex lock;
  gchar **pins;      /* as the application set them */
  gboolean pin_only;
  tc_pin *parsed;    /* _tlslite_gio_pins_prepare */
  gsize n_parsed;
  GError *error;     /* why the last check rejected the peer */
} PinState;

enum
{
  PIN_PROP_PINS,
  PIN_PROP_PIN_ONLY
};

G_DEFINE_QUARK (tlslite-pin-state, pin_state)

static void
pin_state_free (gpointer data)
{
  PinState *st = data;

  g_strfreev (st->pins);
  g_free (st->parsed);
  g_clear_error (&st->error);
  g_mutex_clear (&st->lock);
  g_free (st);
}

/* Connections without pins never get a state. */
static PinState *
get_state (GObject *conn, gboolean create)
{
  static GMutex create_lock;
  PinState *st = g_object_get_qdata (conn, pin_state_quark ());

  if (st || !create)
    return st;
  g_mutex_lock (&create_lock);
  st = g_object_get_qdata (conn, pin_state_quark ());
  if (!st)
    {
      st = g_new0 (PinState, 1);
      g_mutex_init (&st->lock);
      g_object_set_qdata_full (conn, pin_state_quark (), st, pin_state_free);
    }
  g_mutex_unlock (&create_lock);
  return st;
}

void
_tlslite_gio_pins_install_properties (GObjectClass *klass, guint first_id)
{
  /* GTlsConnection:pins: (type GStrv)
   *
   * Pins the peer's certificate must match (TLS Lite's Checker): SHA-256
   * public-key pins spelled as curl's --pinnedpubkey ("sha256//BASE64",
   * the hash of the DER SubjectPublicKeyInfo) and SHA-256 certificate
   * fingerprints in hex (colons between byte pairs optional). Only the
   * leaf certificate is matched. A mismatch fails the handshake with
   * %G_TLS_ERROR_BAD_CERTIFICATE; a malformed pin fails it with an error
   * naming that pin. %NULL or empty: no pinning.
   */
  g_object_class_install_property (klass, first_id + PIN_PROP_PINS,
    g_param_spec_boxed ("pins", "Pins", "Certificate or public-key pins the peer must match",
                        G_TYPE_STRV, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /* GTlsConnection:pin-only:
   *
   * %FALSE (default): the pins apply in addition to ordinary certificate
   * validation. %TRUE: a matching pin replaces it (self-signed servers),
   * the peer's certificate is accepted whatever its issuer, host name or
   * dates, and accept-certificate is not emitted.
   */
  g_object_class_install_property (klass, first_id + PIN_PROP_PIN_ONLY,
    g_param_spec_boolean ("pin-only", "Pin only", "Pins replace certificate validation",
                          FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

gboolean
_tlslite_gio_pins_get_property (GObject *object, guint prop_id, guint first_id, GValue *value)
{
  PinState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_PINS_N_PROPS)
    return FALSE;
  st = get_state (object, FALSE);
  if (st)
    g_mutex_lock (&st->lock);
  switch (prop_id - first_id)
    {
    case PIN_PROP_PINS:
      g_value_set_boxed (value, st ? st->pins : NULL);
      break;
    case PIN_PROP_PIN_ONLY:
      g_value_set_boolean (value, st ? st->pin_only : FALSE);
      break;
    }
  if (st)
    g_mutex_unlock (&st->lock);
  return TRUE;
}

gboolean
_tlslite_gio_pins_set_property (GObject *object, guint prop_id, guint first_id, const GValue *value)
{
  PinState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_PINS_N_PROPS)
    return FALSE;
  st = get_state (object, TRUE);
  g_mutex_lock (&st->lock);
  switch (prop_id - first_id)
    {
    case PIN_PROP_PINS:
      g_strfreev (st->pins);
      st->pins = g_value_dup_boxed (value);
      /* parsed again at the next handshake */
      g_clear_pointer (&st->parsed, g_free);
      st->n_parsed = 0;
      break;
    case PIN_PROP_PIN_ONLY:
      st->pin_only = g_value_get_boolean (value);
      break;
    }
  g_mutex_unlock (&st->lock);
  return TRUE;
}

gboolean
_tlslite_gio_pins_prepare (GObject *conn, GError **error)
{
  PinState *st = get_state (conn, FALSE);
  gboolean ok = TRUE;
  guint i, n;

  if (!st)
    return TRUE;
  g_mutex_lock (&st->lock);
  g_clear_pointer (&st->parsed, g_free);
  st->n_parsed = 0;
  n = st->pins ? g_strv_length (st->pins) : 0;
  if (n > 0)
    st->parsed = g_new0 (tc_pin, n);
  for (i = 0; i < n && ok; i++)
    {
      tc_error err;

      tc_error_clear (&err);
      if (tc_pin_parse (st->pins[i], &st->parsed[i], &err) != TC_OK)
        {
          /* The application's own string; escaped all the same, it may
           * come from a configuration file. */
          gchar *shown = g_strescape (st->pins[i], NULL);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid certificate pin “%s”: %s"), shown, err.message);
          g_free (shown);
          ok = FALSE;
        }
    }
  if (ok)
    st->n_parsed = n;
  else
    g_clear_pointer (&st->parsed, g_free);
  g_mutex_unlock (&st->lock);
  return ok;
}

TlslitePinVerdict
_tlslite_gio_pins_check (GObject *conn, tc_cert *leaf, gboolean *pin_only)
{
  PinState *st = get_state (conn, FALSE);
  TlslitePinVerdict verdict;

  *pin_only = FALSE;
  if (!st)
    return TLSLITE_PINS_UNSET;
  g_mutex_lock (&st->lock);
  g_clear_error (&st->error);
  if (st->n_parsed == 0)
    verdict = TLSLITE_PINS_UNSET;
  else if (leaf && tc_x509_pin_match (leaf, st->parsed, st->n_parsed) >= 0)
    verdict = TLSLITE_PINS_MATCH;
  else
    {
      GString *expected = g_string_new (NULL);
      char spki[TC_PIN_TEXT_MAX] = "", fpr[TC_PIN_TEXT_MAX] = "";
      gsize i;

      for (i = 0; i < st->n_parsed; i++)
        {
          char text[TC_PIN_TEXT_MAX];

          tc_pin_format (&st->parsed[i], text);
          if (i > 0)
            g_string_append (expected, ", ");
          g_string_append (expected, text);
        }
      if (leaf)
        {
          tc_pin p;

          tc_cert_pin (leaf, TC_PIN_SPKI_SHA256, &p);
          tc_pin_format (&p, spki);
          tc_cert_pin (leaf, TC_PIN_CERT_SHA256, &p);
          tc_pin_format (&p, fpr);
        }
      /* TRANSLATORS: the first %s lists the pins set on the connection,
       * the second is the certificate's public-key pin (sha256//...) and
       * the third its SHA-256 fingerprint. */
      g_set_error (&st->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("The peer’s certificate matches none of the pinned keys (expected %s; "
                     "the certificate has %s, fingerprint %s)"),
                   expected->str, spki, fpr);
      g_string_free (expected, TRUE);
      verdict = TLSLITE_PINS_MISMATCH;
    }
  *pin_only = verdict != TLSLITE_PINS_UNSET && st->pin_only;
  g_mutex_unlock (&st->lock);
  return verdict;
}

gboolean
_tlslite_gio_pins_allow_session (GObject *conn, GTlsCertificate *peer)
{
  PinState *st = get_state (conn, FALSE);
  tc_cert **chain = NULL;
  gboolean ok = TRUE;
  gsize n = 0;

  if (!st)
    return TRUE;
  /* outside st->lock: building the chain may parse the certificate */
  if (peer)
    n = tlslite_certificate_build_chain (peer, &chain);
  g_mutex_lock (&st->lock);
  if (st->n_parsed > 0)
    ok = n > 0 && tc_x509_pin_match (chain[0], st->parsed, st->n_parsed) >= 0;
  g_mutex_unlock (&st->lock);
  if (chain)
    tlslite_certificate_free_chain (chain, n);
  return ok;
}

gboolean
_tlslite_gio_pins_get_error (GObject *conn, GError **error)
{
  PinState *st = get_state (conn, FALSE);
  gboolean had;

  if (!st)
    return FALSE;
  g_mutex_lock (&st->lock);
  had = st->error != NULL;
  if (had)
    g_propagate_error (error, g_error_copy (st->error));
  g_mutex_unlock (&st->lock);
  return had;
}

/* ---- public API (tlslite-pins.h) ---- */

/* The pin of `certificate`'s own certificate (not its issuer's) as text;
 * NULL if it cannot be parsed. */
static gchar *
cert_pin_text (GTlsCertificate *certificate, tc_pin_type type)
{
  tc_cert **chain = NULL;
  gsize n = tlslite_certificate_build_chain (certificate, &chain);
  char text[TC_PIN_TEXT_MAX];
  tc_pin pin;

  if (n == 0)
    return NULL;
  tc_cert_pin (chain[0], type, &pin);
  tlslite_certificate_free_chain (chain, n);
  tc_pin_format (&pin, text);
  return g_strdup (text);
}

/**
 * tlslite_certificate_get_spki_pin:
 * @certificate: a certificate (of any GIO backend)
 *
 * The public-key pin of @certificate as curl's --pinnedpubkey and the
 * "pins" connection property spell it: "sha256//" and the base64 SHA-256
 * of its DER SubjectPublicKeyInfo. It stays the same when the certificate
 * is renewed with the same key.
 *
 * Returns: (transfer full) (nullable): the pin, or %NULL if @certificate
 *   cannot be parsed
 */
gchar *
tlslite_certificate_get_spki_pin (GTlsCertificate *certificate)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  return cert_pin_text (certificate, TC_PIN_SPKI_SHA256);
}

/**
 * tlslite_certificate_get_fingerprint:
 * @certificate: a certificate (of any GIO backend)
 *
 * The SHA-256 fingerprint of @certificate's DER encoding, upper-case hex
 * with colons ("AB:CD:..."), as `openssl x509 -fingerprint -sha256`
 * prints it; usable as a pin.
 *
 * Returns: (transfer full) (nullable): the fingerprint, or %NULL if
 *   @certificate cannot be parsed
 */
gchar *
tlslite_certificate_get_fingerprint (GTlsCertificate *certificate)
{
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  return cert_pin_text (certificate, TC_PIN_CERT_SHA256);
}

static gboolean
parse_pin (const gchar *pin, tc_pin *out, GError **error)
{
  tc_error err;

  tc_error_clear (&err);
  if (tc_pin_parse (pin, out, &err) != TC_OK)
    {
      gchar *shown = g_strescape (pin, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid certificate pin “%s”: %s"), shown, err.message);
      g_free (shown);
      return FALSE;
    }
  return TRUE;
}

/**
 * tlslite_pin_validate:
 * @pin: a pin: "sha256//BASE64" or a hex SHA-256 fingerprint
 * @error: return location for an error naming what is wrong
 *
 * Checks a pin the way a connection does before its handshake: strictly
 * (canonical base64 of exactly 32 bytes; 64 hex digits, colons either
 * between every byte pair or nowhere).
 *
 * Returns: %TRUE if @pin is valid
 */
gboolean
tlslite_pin_validate (const gchar *pin, GError **error)
{
  tc_pin p;

  g_return_val_if_fail (pin != NULL, FALSE);
  return parse_pin (pin, &p, error);
}

/**
 * tlslite_certificate_matches_pin:
 * @certificate: a certificate (of any GIO backend)
 * @pin: a pin: "sha256//BASE64" or a hex SHA-256 fingerprint
 * @error: return location for an error, set when @pin is invalid or
 *   @certificate cannot be parsed
 *
 * Whether @certificate (its own key or encoding, not its issuer's) matches
 * @pin, decided as a connection with that pin decides it.
 *
 * Returns: %TRUE on a match; %FALSE on a mismatch (no error) or a failure
 */
gboolean
tlslite_certificate_matches_pin (GTlsCertificate *certificate, const gchar *pin, GError **error)
{
  tc_cert **chain = NULL;
  gsize n;
  tc_pin p;
  gboolean match;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);
  if (!parse_pin (pin, &p, error))
    return FALSE;
  n = tlslite_certificate_build_chain (certificate, &chain);
  if (n == 0)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("Could not parse the certificate"));
      return FALSE;
    }
  match = tc_x509_pin_match (chain[0], &p, 1) == 0;
  tlslite_certificate_free_chain (chain, n);
  return match;
}
