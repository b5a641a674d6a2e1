/* tlslite-gio: TlsliteSettings, the handshake settings of a connection (TLS Lite's HandshakeSettings). */
#ifndef TLSLITE_SETTINGS_H
#define TLSLITE_SETTINGS_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>
#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

/**
 * TlsliteRenegotiation:
 * @TLSLITE_RENEGOTIATION_NEVER: a peer's renegotiation request is refused
 *   with a no_renegotiation warning alert (the default)
 * @TLSLITE_RENEGOTIATION_SECURE: RFC 5746 secure renegotiation is performed
 *   when both sides negotiated it (TLS 1.2 and older)
 *
 * What a connection does when its peer asks to renegotiate.
 */
typedef enum
{
  TLSLITE_RENEGOTIATION_NEVER,
  TLSLITE_RENEGOTIATION_SECURE
} TlsliteRenegotiation;

#define TLSLITE_TYPE_RENEGOTIATION (tlslite_renegotiation_get_type ())
TLSLITE_AVAILABLE_IN_ALL
GType tlslite_renegotiation_get_type (void);

/**
 * TLSLITE_SETTINGS_ERROR:
 *
 * The error domain of [class@Tlslite.Settings].
 */
#define TLSLITE_SETTINGS_ERROR (tlslite_settings_error_quark ())
TLSLITE_AVAILABLE_IN_ALL
GQuark tlslite_settings_error_quark (void);

/**
 * TlsliteSettingsError:
 * @TLSLITE_SETTINGS_ERROR_INVALID_VALUE: a setting has a value that is not
 *   allowed (the message names the setting and the value)
 * @TLSLITE_SETTINGS_ERROR_UNKNOWN_KEY: a settings string names a setting
 *   that does not exist
 * @TLSLITE_SETTINGS_ERROR_SYNTAX: a settings string entry is not `key=value`
 *
 * Errors of [class@Tlslite.Settings].
 */
typedef enum
{
  TLSLITE_SETTINGS_ERROR_INVALID_VALUE,
  TLSLITE_SETTINGS_ERROR_UNKNOWN_KEY,
  TLSLITE_SETTINGS_ERROR_SYNTAX
} TlsliteSettingsError;

#define TLSLITE_TYPE_SETTINGS (tlslite_settings_get_type ())
TLSLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TlsliteSettings, tlslite_settings, TLSLITE, SETTINGS, GObject)

TLSLITE_AVAILABLE_IN_ALL
TlsliteSettings *tlslite_settings_new (void);
TLSLITE_AVAILABLE_IN_ALL
TlsliteSettings *tlslite_settings_new_from_string (const char *string, GError **error);
TLSLITE_AVAILABLE_IN_ALL
TlsliteSettings *tlslite_settings_copy (TlsliteSettings *settings);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_settings_parse (TlsliteSettings *settings, const char *string, GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_settings_validate (TlsliteSettings *settings, GError **error);
TLSLITE_AVAILABLE_IN_ALL
char *tlslite_settings_to_string (TlsliteSettings *settings);

G_END_DECLS

#endif /* TLSLITE_SETTINGS_H */
