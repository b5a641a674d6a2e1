/* GTlsConnectionTlslite: the TLS connection base driving one tlscore engine over a GIOStream. */
#ifndef TLSLITE_CONNECTION_H
#define TLSLITE_CONNECTION_H

#include <gio/gio.h>

#include "tlscore/conn.h"
#include "tlslite-types.h"

G_BEGIN_DECLS

#define G_TYPE_TLS_CONNECTION_TLSLITE (g_tls_connection_tlslite_get_type ())
G_DECLARE_DERIVABLE_TYPE (GTlsConnectionTlslite, g_tls_connection_tlslite, G, TLS_CONNECTION_TLSLITE,
                          GTlsConnection)

struct _GTlsConnectionTlsliteClass
{
  GTlsConnectionClass parent_class;

  /* Before the first handshake: fill the role's settings into a fresh
   * engine config (certificates, client auth, tickets). */
  gboolean (*prepare_config) (GTlsConnectionTlslite *self, tc_config *cfg, GError **error);
  /* After the engine exists: per-connection settings (SNI, session). */
  gboolean (*prepare_conn) (GTlsConnectionTlslite *self, tc_conn *conn, GError **error);
  /* TC_WANT_CLIENT_CERT (client). Called without the engine lock, on the
   * thread driving the handshake; returns the chain to send (n may be 0)
   * or FALSE with an error to abort the handshake. */
  gboolean (*choose_client_cert) (GTlsConnectionTlslite *self, tc_conn *conn, GError **error);
  /* The handshake completed, or application data was read (tickets
   * arrive then). Called with the engine lock held; must not block. */
  void (*session_update) (GTlsConnectionTlslite *self, tc_conn *conn);
  /* A resumed handshake carries no certificate: the peer certificate (new
   * reference) and its errors remembered with the session, or NULL. */
  GTlsCertificate *(*resumed_peer) (GTlsConnectionTlslite *self, GTlsCertificateFlags *errors);
};

/* The engine lock protects a tc_conn; subclasses take it around engine
 * calls made outside the hooks above. */
void tlslite_connection_lock (GTlsConnectionTlslite *self);
void tlslite_connection_unlock (GTlsConnectionTlslite *self);

/* Client: answer TC_WANT_CLIENT_CERT with `cert` (NULL for none). Returns
 * FALSE with an error when the certificate has no private key. */
gboolean tlslite_connection_answer_client_cert (GTlsConnectionTlslite *self, tc_conn *conn,
                                                GTlsCertificate *cert, GError **error);

/* Client: remember an interaction's error for reporting a later failure. */
void tlslite_connection_set_interaction_error (GTlsConnectionTlslite *self, GError *error);
/* Client: the server asked for a certificate and we sent none. */
void tlslite_connection_set_missing_client_cert (GTlsConnectionTlslite *self);

/* The peer certificate and its errors as last set (new reference or NULL). */
GTlsCertificate *tlslite_connection_dup_peer (GTlsConnectionTlslite *self, GTlsCertificateFlags *errors);

/* Client: the OCSP response the server stapled (a copy), NULL if none. */
GBytes *tlslite_connection_dup_ocsp_response (GTlsConnectionTlslite *self);

/* The last alert sent or received (tc_conn_last_alert): description, -1 if none. */
int tlslite_connection_last_alert (GTlsConnectionTlslite *self, gboolean sent, int *level);

/* SRP and PSK state (auth.c). */
typedef struct _TlsliteAuth TlsliteAuth;
TlsliteAuth *tlslite_connection_get_auth (GTlsConnectionTlslite *self);

/* Common helpers used by the subclasses. */
GIOStream *tlslite_connection_get_base_stream (GTlsConnectionTlslite *self);
const gchar *const *tlslite_connection_get_advertised_protocols (GTlsConnectionTlslite *self);
GTlsCertificate *tlslite_connection_get_own_certificate (GTlsConnectionTlslite *self);
GCancellable *tlslite_connection_get_op_cancellable (GTlsConnectionTlslite *self);

/* ---- Stream side (streams.c) used by the base ---- */

gssize tlslite_connection_read (GTlsConnectionTlslite *self, void *buffer, gsize count,
                                gboolean blocking, GCancellable *cancellable, GError **error);
gssize tlslite_connection_write (GTlsConnectionTlslite *self, const void *buffer, gsize count,
                                 gboolean blocking, GCancellable *cancellable, GError **error);
gboolean tlslite_connection_flush (GTlsConnectionTlslite *self, GCancellable *cancellable,
                                   GError **error);
gboolean tlslite_connection_check (GTlsConnectionTlslite *self, GIOCondition condition);
GSource *tlslite_connection_create_source (GTlsConnectionTlslite *self, GIOCondition condition,
                                           GCancellable *cancellable);
gboolean tlslite_connection_close_direction (GTlsConnectionTlslite *self, gboolean read_dir,
                                             gboolean write_dir, GCancellable *cancellable,
                                             GError **error);

#define G_TYPE_TLS_INPUT_STREAM_TLSLITE (g_tls_input_stream_tlslite_get_type ())
G_DECLARE_FINAL_TYPE (GTlsInputStreamTlslite, g_tls_input_stream_tlslite, G, TLS_INPUT_STREAM_TLSLITE,
                      GInputStream)
#define G_TYPE_TLS_OUTPUT_STREAM_TLSLITE (g_tls_output_stream_tlslite_get_type ())
G_DECLARE_FINAL_TYPE (GTlsOutputStreamTlslite, g_tls_output_stream_tlslite, G, TLS_OUTPUT_STREAM_TLSLITE,
                      GOutputStream)

GInputStream *tlslite_input_stream_new (GTlsConnectionTlslite *conn);
GOutputStream *tlslite_output_stream_new (GTlsConnectionTlslite *conn);

G_END_DECLS

#endif
