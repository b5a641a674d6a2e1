/* Connection properties of the library's extras (pins, alerts) and the hooks the connection base calls for them. */
#ifndef TLSLITE_CONNECTION_EXTRAS_H
#define TLSLITE_CONNECTION_EXTRAS_H

#include <gio/gio.h>

#include "tlscore/conn.h"
#include "tlscore/config.h"

G_BEGIN_DECLS

/* Property ids of the extras start here, far above the base's own enum,
 * so the two lists grow independently. */
#define TLSLITE_EXTRAS_PROP_FIRST 0x1000

/* tlslite-pins.c: "pins", "pin-only". tlslite-alert.c: "last-alert-*".
 * The _get/_set functions return FALSE for an id that is not theirs. */
void _tlslite_gio_pins_install_properties (GObjectClass *klass, guint first_id);
gboolean _tlslite_gio_pins_get_property (GObject *object, guint prop_id, guint first_id,
                                         GValue *value);
gboolean _tlslite_gio_pins_set_property (GObject *object, guint prop_id, guint first_id,
                                         const GValue *value);
#define TLSLITE_PINS_N_PROPS 2

void _tlslite_gio_alert_install_properties (GObjectClass *klass, guint first_id);
gboolean _tlslite_gio_alert_get_property (GObject *object, guint prop_id, guint first_id,
                                          GValue *value);
#define TLSLITE_ALERT_N_PROPS 6

/* tlslite-settings.c: "settings", "settings-string". */
void _tlslite_gio_settings_install_properties (GObjectClass *klass, guint first_id);
gboolean _tlslite_gio_settings_get_property (GObject *object, guint prop_id, guint first_id,
                                             GValue *value);
gboolean _tlslite_gio_settings_set_property (GObject *object, guint prop_id, guint first_id,
                                             const GValue *value);
#define TLSLITE_SETTINGS_N_PROPS 2
/* Before the handshake: the connection's settings (its own, else the
 * system key file and environment), validated and applied to cfg; FALSE
 * with a G_TLS_ERROR naming the setting and the value. */
gboolean _tlslite_gio_settings_prepare (GObject *conn, tc_config *cfg, gboolean server,
                                        GError **error);

/* tlslite-ocsp.c: "ocsp-response", "ocsp-response-file", "ocsp-status". */
void _tlslite_gio_ocsp_install_properties (GObjectClass *klass, guint first_id);
gboolean _tlslite_gio_ocsp_get_property (GObject *object, guint prop_id, guint first_id,
                                         GValue *value);
gboolean _tlslite_gio_ocsp_set_property (GObject *object, guint prop_id, guint first_id,
                                         const GValue *value);
#define TLSLITE_OCSP_N_PROPS 3
/* Server, before the handshake: the response to staple (file re-read when
 * it changed) onto cfg. */
gboolean _tlslite_gio_ocsp_prepare (GObject *conn, tc_config *cfg, gboolean server,
                                    GError **error);

/* Before the handshake: parse the pins; FALSE with an error naming the
 * first bad one. */
gboolean _tlslite_gio_pins_prepare (GObject *conn, GError **error);

typedef enum
{
  TLSLITE_PINS_UNSET,    /* no pins: ordinary validation */
  TLSLITE_PINS_MATCH,    /* the leaf matches a pin */
  TLSLITE_PINS_MISMATCH  /* pins set, none matches: reject, no accept-certificate */
} TlslitePinVerdict;

/* The peer's leaf against the pins (tlscore/x509 decides). *pin_only says
 * whether a match replaces CA validation. A mismatch keeps an error naming
 * the expected and seen pins for
 * _tlslite_gio_pins_get_error. */
TlslitePinVerdict _tlslite_gio_pins_check (GObject *conn, tc_cert *leaf, gboolean *pin_only);
/* Client, before offering a session for resumption: whether the peer it
 * was made with (NULL: unknown) matches the pins; a resumed handshake
 * shows no certificate, so a session the pins do not cover is not offered. */
gboolean _tlslite_gio_pins_allow_session (GObject *conn, GTlsCertificate *peer);
/* The mismatch error of the last check, if any (a copy in *error). */
gboolean _tlslite_gio_pins_get_error (GObject *conn, GError **error);

G_END_DECLS

#endif
