/* TlsliteAuthError: why an SRP or shared-key (PSK) login failed, as a GError domain. */
#ifndef TLSLITE_AUTH_ERROR_H
#define TLSLITE_AUTH_ERROR_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <glib.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

/**
 * TLSLITE_AUTH_ERROR:
 *
 * Error domain of SRP and PSK authentication failures; codes are
 * [enum@Tlslite.AuthError]. Programs that do not link the library match it
 * with `g_quark_from_static_string ("tlslite-auth-error-quark")`.
 */
#define TLSLITE_AUTH_ERROR (tlslite_auth_error_quark ())

/**
 * TlsliteAuthError:
 * @TLSLITE_AUTH_ERROR_SRP_FAILED: the SRP login was refused: wrong user
 *   name or password (the two look the same on purpose, RFC 5054 2.5.1.3;
 *   on the wire: bad_record_mac).
 * @TLSLITE_AUTH_ERROR_PSK_UNKNOWN_IDENTITY: the server does not know the
 *   PSK identity (unknown_psk_identity).
 * @TLSLITE_AUTH_ERROR_PSK_FAILED: the shared key is wrong (bad_record_mac
 *   in TLS 1.2, decrypt_error in TLS 1.3).
 * @TLSLITE_AUTH_ERROR_NO_CREDENTIALS: credentials were needed but none were
 *   given (no property set, the interaction declined).
 * @TLSLITE_AUTH_ERROR_DATABASE: the server's verifier or shared-key
 *   database could not be read.
 * @TLSLITE_AUTH_ERROR_SRP_REQUESTED: a client with the `srp-unknown`
 *   property set offered SRP without a user name and the server asked for
 *   an SRP login (unknown_psk_identity): connect again with `srp-requested`
 *   set, as [func@Tlslite.socket_client_connect_unknown] does.
 *
 * Codes of the %TLSLITE_AUTH_ERROR domain.
 */
typedef enum
{
  TLSLITE_AUTH_ERROR_SRP_FAILED,
  TLSLITE_AUTH_ERROR_PSK_UNKNOWN_IDENTITY,
  TLSLITE_AUTH_ERROR_PSK_FAILED,
  TLSLITE_AUTH_ERROR_NO_CREDENTIALS,
  TLSLITE_AUTH_ERROR_DATABASE,
  TLSLITE_AUTH_ERROR_SRP_REQUESTED
} TlsliteAuthError;

TLSLITE_AVAILABLE_IN_ALL
GQuark tlslite_auth_error_quark (void);

G_END_DECLS

#endif
