/* TlsliteVerifierDatabase: a server's SRP users (salt and verifier per user), SQLite file or memory. */
#ifndef TLSLITE_VERIFIER_DATABASE_H
#define TLSLITE_VERIFIER_DATABASE_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

/**
 * TlsliteDatabaseFlags:
 * @TLSLITE_DATABASE_FLAGS_NONE: open an existing file for reading and writing.
 * @TLSLITE_DATABASE_FLAGS_CREATE: create the file (mode 0600) when it is missing.
 * @TLSLITE_DATABASE_FLAGS_READ_ONLY: open for look-ups only.
 *
 * How [ctor@Tlslite.VerifierDatabase.new] and
 * [ctor@Tlslite.SharedKeyDatabase.new] open their file.
 */
typedef enum /*< flags >*/
{
  TLSLITE_DATABASE_FLAGS_NONE = 0,
  TLSLITE_DATABASE_FLAGS_CREATE = 1 << 0,
  TLSLITE_DATABASE_FLAGS_READ_ONLY = 1 << 1
} TlsliteDatabaseFlags;

#define TLSLITE_TYPE_VERIFIER_DATABASE (tlslite_verifier_database_get_type ())
TLSLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TlsliteVerifierDatabase, tlslite_verifier_database, TLSLITE, VERIFIER_DATABASE,
                      GObject)

TLSLITE_AVAILABLE_IN_ALL
TlsliteVerifierDatabase *tlslite_verifier_database_new (const gchar *path, TlsliteDatabaseFlags flags,
                                                        GError **error);
TLSLITE_AVAILABLE_IN_ALL
const gchar *tlslite_verifier_database_get_path (TlsliteVerifierDatabase *self);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_verifier_database_add_user (TlsliteVerifierDatabase *self, const gchar *user,
                                             const gchar *password, guint group_bits,
                                             GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_verifier_database_set_password (TlsliteVerifierDatabase *self, const gchar *user,
                                                 const gchar *password, guint group_bits,
                                                 GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_verifier_database_remove_user (TlsliteVerifierDatabase *self, const gchar *user,
                                                GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_verifier_database_has_user (TlsliteVerifierDatabase *self, const gchar *user,
                                             GError **error);
TLSLITE_AVAILABLE_IN_ALL
gboolean tlslite_verifier_database_check_password (TlsliteVerifierDatabase *self, const gchar *user,
                                                   const gchar *password, GError **error);
TLSLITE_AVAILABLE_IN_ALL
gchar **tlslite_verifier_database_list_users (TlsliteVerifierDatabase *self, GError **error);

G_END_DECLS

#endif
