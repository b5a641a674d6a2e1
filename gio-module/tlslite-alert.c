/* TlsliteAlert (boxed) and the connection's last-alert properties, read from the engine (tc_conn_last_alert). */
#include <glib/gi18n-lib.h>

#include "connection.h"
#include "connection-extras.h"
#include <tlslite-gio/tlslite.h>

struct _TlsliteAlert
{
  TlsliteAlertOrigin origin;
  int level;
  int description;
};

G_DEFINE_ENUM_TYPE (TlsliteAlertOrigin, tlslite_alert_origin,
                    G_DEFINE_ENUM_VALUE (TLSLITE_ALERT_ORIGIN_LOCAL, "local"),
                    G_DEFINE_ENUM_VALUE (TLSLITE_ALERT_ORIGIN_REMOTE, "remote"))

G_DEFINE_BOXED_TYPE (TlsliteAlert, tlslite_alert, tlslite_alert_copy, tlslite_alert_free)

/**
 * tlslite_alert_new:
 * @origin: who sent the alert
 * @level: 1 (warning) or 2 (fatal)
 * @description: the alert description, 0..255
 *
 * Returns: (transfer full): a new alert
 */
TlsliteAlert *
tlslite_alert_new (TlsliteAlertOrigin origin, int level, int description)
{
  TlsliteAlert *a = g_new (TlsliteAlert, 1);

  a->origin = origin;
  a->level = level;
  a->description = description;
  return a;
}

/**
 * tlslite_alert_copy:
 * @alert: an alert
 *
 * Returns: (transfer full): a copy of @alert
 */
TlsliteAlert *
tlslite_alert_copy (const TlsliteAlert *alert)
{
  return g_memdup2 (alert, sizeof *alert);
}

/**
 * tlslite_alert_free:
 * @alert: (nullable): an alert
 *
 * Frees @alert.
 */
void
tlslite_alert_free (TlsliteAlert *alert)
{
  g_free (alert);
}

/**
 * tlslite_alert_get_origin:
 * @alert: an alert
 *
 * Returns: whether this end or the peer sent @alert
 */
TlsliteAlertOrigin
tlslite_alert_get_origin (const TlsliteAlert *alert)
{
  return alert->origin;
}

/**
 * tlslite_alert_get_level:
 * @alert: an alert
 *
 * Returns: 1 for a warning, 2 for a fatal alert (the level on the wire;
 *   TLS 1.3 treats every alert but close_notify and user_canceled as fatal)
 */
int
tlslite_alert_get_level (const TlsliteAlert *alert)
{
  return alert->level;
}

/**
 * tlslite_alert_get_description:
 * @alert: an alert
 *
 * Returns: the alert description (RFC 8446 §6), e.g. 20 for bad_record_mac
 */
int
tlslite_alert_get_description (const TlsliteAlert *alert)
{
  return alert->description;
}

/**
 * tlslite_alert_get_name:
 * @alert: an alert
 *
 * Returns: the RFC name of the description ("bad_record_mac",
 *   "unknown_psk_identity"), or "unknown"
 */
const char *
tlslite_alert_get_name (const TlsliteAlert *alert)
{
  return tc_alert_name (alert->description);
}

/**
 * tlslite_alert_is_fatal:
 * @alert: an alert
 *
 * Returns: %TRUE if @alert was sent at the fatal level
 */
gboolean
tlslite_alert_is_fatal (const TlsliteAlert *alert)
{
  return alert->level == 2;
}

enum
{
  ALERT_PROP_SENT,
  ALERT_PROP_RECEIVED,
  ALERT_PROP_SENT_DESCRIPTION,
  ALERT_PROP_RECEIVED_DESCRIPTION,
  ALERT_PROP_SENT_NAME,
  ALERT_PROP_RECEIVED_NAME
};

void
_tlslite_gio_alert_install_properties (GObjectClass *klass, guint first_id)
{
  /* GTlsConnection:last-alert-sent: (type TlsliteAlert)
   *
   * The last alert this end sent (a close_notify included), or %NULL.
   * Read it after a failed operation to see what was reported to the peer.
   */
  g_object_class_install_property (klass, first_id + ALERT_PROP_SENT,
    g_param_spec_boxed ("last-alert-sent", "Last alert sent", "The last TLS alert sent",
                        TLSLITE_TYPE_ALERT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* GTlsConnection:last-alert-received: (type TlsliteAlert)
   *
   * The last alert the peer sent, or %NULL: bad_record_mac after a wrong
   * SRP password or PSK key, unknown_psk_identity for an identity the
   * server does not know, and so on.
   */
  g_object_class_install_property (klass, first_id + ALERT_PROP_RECEIVED,
    g_param_spec_boxed ("last-alert-received", "Last alert received",
                        "The last TLS alert received", TLSLITE_TYPE_ALERT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, first_id + ALERT_PROP_SENT_DESCRIPTION,
    g_param_spec_int ("last-alert-sent-description", "Last alert sent (number)",
                      "Description number of the last alert sent, -1 for none",
                      -1, 255, -1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, first_id + ALERT_PROP_RECEIVED_DESCRIPTION,
    g_param_spec_int ("last-alert-received-description", "Last alert received (number)",
                      "Description number of the last alert received, -1 for none",
                      -1, 255, -1, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, first_id + ALERT_PROP_SENT_NAME,
    g_param_spec_string ("last-alert-sent-name", "Last alert sent (name)",
                         "RFC name of the last alert sent, NULL for none", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (klass, first_id + ALERT_PROP_RECEIVED_NAME,
    g_param_spec_string ("last-alert-received-name", "Last alert received (name)",
                         "RFC name of the last alert received, NULL for none", NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

gboolean
_tlslite_gio_alert_get_property (GObject *object, guint prop_id, guint first_id, GValue *value)
{
  guint which;
  gboolean sent;
  int level = -1, desc;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_ALERT_N_PROPS)
    return FALSE;
  which = prop_id - first_id;
  sent = which == ALERT_PROP_SENT || which == ALERT_PROP_SENT_DESCRIPTION ||
         which == ALERT_PROP_SENT_NAME;
  desc = tlslite_connection_last_alert (G_TLS_CONNECTION_TLSLITE (object), sent, &level);
  switch (which)
    {
    case ALERT_PROP_SENT:
    case ALERT_PROP_RECEIVED:
      g_value_take_boxed (value, desc < 0 ? NULL
                                          : tlslite_alert_new (sent ? TLSLITE_ALERT_ORIGIN_LOCAL
                                                                    : TLSLITE_ALERT_ORIGIN_REMOTE,
                                                               level, desc));
      break;
    case ALERT_PROP_SENT_DESCRIPTION:
    case ALERT_PROP_RECEIVED_DESCRIPTION:
      g_value_set_int (value, desc);
      break;
    default:
      g_value_set_string (value, desc < 0 ? NULL : tc_alert_name (desc));
      break;
    }
  return TRUE;
}
