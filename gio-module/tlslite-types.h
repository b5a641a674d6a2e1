/* Type getters and cross-file helpers shared by every part of the tlslite GIO module. */
#ifndef TLSLITE_TYPES_H
#define TLSLITE_TYPES_H

#include <gio/gio.h>

#include "tlscore/config.h"
#include "tlscore/x509.h"

G_BEGIN_DECLS

/*
 * Type registration. These files form libtlslite-gio-1.so; every type is
 * an ordinary static type (G_DEFINE_TYPE...) registered once per process.
 * The library is linked with -z nodelete so that its code, which GType
 * points into forever, is never unmapped; libgiotlslite.so (module.c) is a
 * thin module that only calls _tlslite_gio_module_load().
 *
 * Names: public API is tlslite_* / Tlslite* in the tlslite-gio/ headers; the
 * module's entry points into the library are _tlslite_gio_* (exported by
 * tlslite-gio.map); everything else here is hidden (gnu_symbol_visibility).
 */

/* library.c */
G_MODULE_EXPORT void _tlslite_gio_module_load (GIOModule *module);
/* Binds the gettext domain (once); call before producing a message from a
 * public entry point that does not go through a connection. */
void tlslite_gio_ensure_i18n (void);

/* backend.c */
#define G_TYPE_TLS_BACKEND_TLSLITE (g_tls_backend_tlslite_get_type ())
G_DECLARE_FINAL_TYPE (GTlsBackendTlslite, g_tls_backend_tlslite, G, TLS_BACKEND_TLSLITE, GObject)
/* The randomness source all connections' configurations share. */
tc_rng_source *tlslite_rng_source (void);

/* certificate.c */
#define G_TYPE_TLS_CERTIFICATE_TLSLITE (g_tls_certificate_tlslite_get_type ())
G_DECLARE_FINAL_TYPE (GTlsCertificateTlslite, g_tls_certificate_tlslite, G, TLS_CERTIFICATE_TLSLITE, GTlsCertificate)

/* database.c: the base database (used directly for the system default). */
#define G_TYPE_TLS_DATABASE_TLSLITE (g_tls_database_tlslite_get_type ())
G_DECLARE_DERIVABLE_TYPE (GTlsDatabaseTlslite, g_tls_database_tlslite, G, TLS_DATABASE_TLSLITE, GTlsDatabase)
struct _GTlsDatabaseTlsliteClass
{
  GTlsDatabaseClass parent_class;
};

/* file_database.c */
#define G_TYPE_TLS_FILE_DATABASE_TLSLITE (g_tls_file_database_tlslite_get_type ())
G_DECLARE_FINAL_TYPE (GTlsFileDatabaseTlslite, g_tls_file_database_tlslite, G, TLS_FILE_DATABASE_TLSLITE, GTlsDatabaseTlslite)

/* client.c / server.c (connection side). Instance structs are private to
 * those files; only the getters are needed here. */
#define G_TYPE_TLS_CLIENT_CONNECTION_TLSLITE (g_tls_client_connection_tlslite_get_type ())
GType g_tls_client_connection_tlslite_get_type (void);
#define G_TYPE_TLS_SERVER_CONNECTION_TLSLITE (g_tls_server_connection_tlslite_get_type ())
GType g_tls_server_connection_tlslite_get_type (void);

/* ---- Certificate helpers for the connection code (certificate.c) ---- */

/* The parsed certificate (borrowed; lives as long as `cert`). Never NULL for
 * an initialized certificate. */
tc_cert *tlslite_certificate_get_tc_cert (GTlsCertificateTlslite *cert);

/* The private key (borrowed), or NULL if the certificate has none. */
tc_privkey *tlslite_certificate_get_tc_privkey (GTlsCertificateTlslite *cert);

/* TRUE if a private key is present. */
gboolean tlslite_certificate_has_key (GTlsCertificateTlslite *cert);

/* The chain `cert`, its issuer, the issuer's issuer... as new tc_cert
 * references (leaf first). Returns the count; free with
 * tlslite_certificate_free_chain(). Works for any GTlsCertificate (others
 * are parsed from their "certificate" property; unparsable ones end the
 * chain). */
gsize tlslite_certificate_build_chain (GTlsCertificate *cert, tc_cert ***chain);
void tlslite_certificate_free_chain (tc_cert **chain, gsize n);

/* A GTlsCertificateTlslite wrapping `tc` (a new reference is taken) with
 * the given issuer (may be NULL) and key (may be NULL, referenced). */
GTlsCertificate *tlslite_certificate_new_from_tc_cert (tc_cert *tc, GTlsCertificate *issuer,
                                                       tc_privkey *key);

/* A certificate chain received from a peer (leaf first, in wire order): one
 * GTlsCertificateTlslite per element with each one's issuer set to the next
 * element that actually signed it (the chain is not reordered; an element
 * whose successor did not sign it ends the issuer links). Returns the leaf,
 * or NULL if n == 0. */
GTlsCertificate *tlslite_certificate_new_from_chain (tc_cert *const *chain, gsize n);

/* Verify `cert` and its issuer links against `anchors` now, matching the
 * leaf to `identity` (GNetworkAddress hostname, GNetworkService domain or
 * GInetSocketAddress IP; NULL skips the check; any other type gives
 * BAD_IDENTITY). */
GTlsCertificateFlags tlslite_verify_chain (GTlsCertificate *cert, GSocketConnectable *identity,
                                           tc_trust_store *anchors, tc_purpose purpose);
/* The same for a handshake's peer chain, with tlscore's must-staple policy
 * (tc_x509_verify_staple): a must-staple path without a staple gives
 * G_TLS_CERTIFICATE_GENERIC_ERROR and sets *staple_missing (may be NULL). */
GTlsCertificateFlags tlslite_verify_peer_chain (GTlsCertificate *cert, GSocketConnectable *identity,
                                                tc_trust_store *anchors, tc_purpose purpose,
                                                tc_staple staple, gboolean *staple_missing);

/* Convert GTlsCertificateFlags from tc_x509_verify() flags (same values). */
static inline GTlsCertificateFlags
tlslite_flags_from_tc (unsigned flags)
{
  return (GTlsCertificateFlags) (flags & G_TLS_CERTIFICATE_VALIDATE_ALL);
}

/* ---- Database helpers (database.c) ---- */

/* A new database trusting the certificates in `store` (referenced);
 * `handle_base` is the prefix of certificate handles ("file:///path"). */
GTlsDatabase *tlslite_database_new (tc_trust_store *store, const char *handle_base);
/* A handshake's chain verification with one path building: for our own
 * databases (verify_chain not overridden) the must-staple policy is decided
 * on the path verify_chain builds; any other database (or none) verifies
 * as GIO would and the staple policy is decided on the presented chain. */
GTlsCertificateFlags tlslite_database_verify_peer (GTlsDatabase *db, GTlsCertificate *peer,
                                                   const gchar *purpose, GSocketConnectable *identity,
                                                   GTlsInteraction *interaction, tc_staple staple,
                                                   GCancellable *cancellable, GError **error);

/* The anchors (borrowed). */
tc_trust_store *tlslite_database_get_store (GTlsDatabaseTlslite *self);

/* Subclasses set their anchors once, during initialization. */
void tlslite_database_set_store (GTlsDatabaseTlslite *self, tc_trust_store *store,
                                 const char *handle_base);

G_END_DECLS

#endif
