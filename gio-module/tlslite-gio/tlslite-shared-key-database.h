/* TlsliteSharedKeyDatabase: a server's shared keys (PSK) by identity, SQLite file or memory. */
#ifndef TLSLITE_SHARED_KEY_DATABASE_H
#define TLSLITE_SHARED_KEY_DATABASE_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>
#include <tlslite-gio/tlslite-verifier-database.h>

G_BEGIN_DECLS

#define TLSLITE_TYPE_SHARED_KEY_DATABASE (tlslite_shared_key_database_get_type ())
TLSLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TlsliteSharedKeyDatabase, tlslite_shared_key_database, TLSLITE,
                      SHARED_KEY_DATABASE, GObject)

TLSLITE_AVAILABLE_IN_ALL
TlsliteSharedKeyDatabase *tlslite_shared_key_database_new (const gchar *path, TlsliteDatabaseFlags flags,
                                                           GError **error);
TLSLITE_AVAILABLE_IN_ALL
const gchar *tlslite_shared_key_database_get_path (TlsliteSharedKeyDatabase *self);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_shared_key_database_add_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                              GBytes *key, gboolean replace, GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_shared_key_database_remove_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                                 GError **error);
TLSLITE_AVAILABLE_IN_ALL
GBytes *tlslite_shared_key_database_lookup_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                                GError **error);
TLSLITE_AVAILABLE_IN_ALL
gchar **tlslite_shared_key_database_list_identities (TlsliteSharedKeyDatabase *self, GError **error);

G_END_DECLS

#endif
