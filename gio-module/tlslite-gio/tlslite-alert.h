/* TlsliteAlert: a TLS alert a connection sent or received (TLS Lite's TLSLocalAlert / TLSRemoteAlert). */
#ifndef TLSLITE_ALERT_H
#define TLSLITE_ALERT_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <glib-object.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

/**
 * TlsliteAlertOrigin:
 * @TLSLITE_ALERT_ORIGIN_LOCAL: this end sent the alert
 * @TLSLITE_ALERT_ORIGIN_REMOTE: the peer sent it
 *
 * Which end of the connection sent an alert.
 */
typedef enum
{
  TLSLITE_ALERT_ORIGIN_LOCAL,
  TLSLITE_ALERT_ORIGIN_REMOTE
} TlsliteAlertOrigin;

#define TLSLITE_TYPE_ALERT_ORIGIN (tlslite_alert_origin_get_type ())
TLSLITE_AVAILABLE_IN_ALL
GType tlslite_alert_origin_get_type (void);

/**
 * TlsliteAlert:
 *
 * One TLS alert: its origin, level, description number (RFC 8446 §6) and
 * RFC name ("bad_record_mac"). Read from a connection's
 * "last-alert-sent" and "last-alert-received" properties.
 */
typedef struct _TlsliteAlert TlsliteAlert;

#define TLSLITE_TYPE_ALERT (tlslite_alert_get_type ())
TLSLITE_AVAILABLE_IN_ALL
GType tlslite_alert_get_type (void);

TLSLITE_AVAILABLE_IN_ALL
TlsliteAlert *tlslite_alert_new (TlsliteAlertOrigin origin, int level, int description);
TLSLITE_AVAILABLE_IN_ALL
TlsliteAlert *tlslite_alert_copy (const TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
void tlslite_alert_free (TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
TlsliteAlertOrigin tlslite_alert_get_origin (const TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
int tlslite_alert_get_level (const TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
int tlslite_alert_get_description (const TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
const char *tlslite_alert_get_name (const TlsliteAlert *alert);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_alert_is_fatal (const TlsliteAlert *alert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsliteAlert, tlslite_alert_free)

G_END_DECLS

#endif
