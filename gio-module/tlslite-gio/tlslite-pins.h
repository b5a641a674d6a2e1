/* tlslite-gio: certificate and public-key pins (TLS Lite's Checker), for the "pins" property of connections. */
#ifndef TLSLITE_PINS_H
#define TLSLITE_PINS_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

TLSLITE_AVAILABLE_IN_ALL
gchar *tlslite_certificate_get_spki_pin (GTlsCertificate *certificate);
TLSLITE_AVAILABLE_IN_ALL
gchar *tlslite_certificate_get_fingerprint (GTlsCertificate *certificate);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_pin_validate (const gchar *pin, GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_certificate_matches_pin (GTlsCertificate *certificate, const gchar *pin,
                                          GError **error);

G_END_DECLS

#endif /* TLSLITE_PINS_H */
