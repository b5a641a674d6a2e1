/* SRP and shared-key (PSK) authentication of a GTlsConnectionTlslite: properties, wants, errors. */
#ifndef TLSLITE_AUTH_H
#define TLSLITE_AUTH_H

#include <gio/gio.h>

#include "tlscore/conn.h"
#include "tlscore/store.h"
#include "tlslite-gio/tlslite-auth-error.h"
#include "tlslite-gio/tlslite-interaction.h"
#include "tlslite-gio/tlslite-shared-key-database.h"
#include "tlslite-gio/tlslite-verifier-database.h"

G_BEGIN_DECLS

/* ---- helpers shared by the auth files ---- */

/* A GBytes over a copy of data that is wiped (explicit_bzero) when freed. */
GBytes *_tlslite_secret_bytes_new (const void *data, gsize len);
/* The store behind a database object (borrowed; tc_store serialises calls,
 * so worker threads may use it). */
tc_store *_tlslite_verifier_database_get_store (TlsliteVerifierDatabase *self);
tc_store *_tlslite_shared_key_database_get_store (TlsliteSharedKeyDatabase *self);
/* A printable, escaped copy of bytes from the wire (at most ~64 input bytes). */
gchar *_tlslite_escape_name (const guint8 *name, gsize len);

/* A random 32-byte secret drawn once per process (zero-initialise it
 * statically): copies it to out, FALSE if the system gave no randomness. */
typedef struct
{
  gsize ready;
  gboolean ok;
  guint8 secret[32];
} TlsliteProcessSecret;
gboolean _tlslite_process_secret (TlsliteProcessSecret *ps, guint8 out[32]);

/* ---- per-connection state (owned by the connection base) ---- */

typedef struct _TlsliteAuth TlsliteAuth;
typedef struct _TlsliteAuthQuery TlsliteAuthQuery;

/* Property ids start here (clear of the base class's own enum). */
#define TLSLITE_AUTH_PROP_FIRST 0x100

TlsliteAuth *_tlslite_auth_new (GTlsConnection *conn);
void _tlslite_auth_free (TlsliteAuth *auth);
void _tlslite_auth_install_properties (GObjectClass *klass);
/* FALSE when prop_id is not one of ours. */
gboolean _tlslite_auth_get_property (TlsliteAuth *auth, guint prop_id, GValue *value);
gboolean _tlslite_auth_set_property (TlsliteAuth *auth, guint prop_id, const GValue *value);

/* Server: a verifier or shared-key database is set, so the server may run
 * without a certificate. */
gboolean _tlslite_auth_server_has_credentials (TlsliteAuth *auth);
/* Fill the engine config / connection (before the handshake). */
gboolean _tlslite_auth_prepare_config (TlsliteAuth *auth, tc_config *cfg, GError **error);
gboolean _tlslite_auth_prepare_conn (TlsliteAuth *auth, tc_conn *conn, GError **error);
/* Client: a suffix for the session cache key, so a session made with one
 * SRP user or PSK identity, or with one password or key, is never offered
 * with another: the names, and a keyed digest (HMAC-SHA256 under a
 * per-process random key) of each secret this handshake gave the engine.
 * for_lookup: NULL while the engine may still ask for credentials during
 * the handshake (nothing cached may stand in for them); NULL too when no
 * digest can be made (no randomness): then nothing is cached. */
gchar *_tlslite_auth_session_key (TlsliteAuth *auth, gboolean for_lookup);

/* Questions that may block (interactions, database look-ups): made under
 * the engine lock (or before the engine exists: _tlslite_auth_pre_query),
 * resolved on any thread without locks, applied under the engine lock. */
TlsliteAuthQuery *_tlslite_auth_pre_query (TlsliteAuth *auth);
gboolean _tlslite_auth_handles_want (tc_want want);
TlsliteAuthQuery *_tlslite_auth_query_new (TlsliteAuth *auth, tc_conn *engine, tc_want want);
void _tlslite_auth_query_resolve (TlsliteAuthQuery *q, GCancellable *cancellable);
/* engine is NULL for a pre-query. */
/* FALSE with error when the interaction failed: the handshake fails with it. */
gboolean _tlslite_auth_query_apply (TlsliteAuthQuery *q, tc_conn *engine, GError **error);
void _tlslite_auth_query_free (TlsliteAuthQuery *q);

/* The handshake completed (engine lock held): remember the authenticated
 * SRP user and PSK identity; _tlslite_auth_notify then notifies (no lock). */
void _tlslite_auth_handshake_done (TlsliteAuth *auth, tc_conn *engine);
void _tlslite_auth_notify (TlsliteAuth *auth);
/* The handshake failed with err: TRUE and *error set when it was an SRP or
 * PSK failure (TLSLITE_AUTH_ERROR). engine may be NULL. */
gboolean _tlslite_auth_map_error (TlsliteAuth *auth, const tc_error *err, tc_conn *engine,
                                  GError **error);

G_END_DECLS

#endif
