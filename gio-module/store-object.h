/* The private part both database objects share: a libtcstore store, its path, and GErrors from its results. */
#ifndef TLSLITE_STORE_OBJECT_H
#define TLSLITE_STORE_OBJECT_H

#include <gio/gio.h>

#include "tlscore/store.h"
#include "tlslite-gio/tlslite-verifier-database.h"

G_BEGIN_DECLS

/*
 * TlsliteVerifierDatabase and TlsliteSharedKeyDatabase stay final GObject
 * types with GObject as their parent (their GType hierarchy is what the
 * GIR shows, so a shared GObject base class would change it); instead each
 * embeds this struct right after its parent instance and forwards to the
 * functions below. Everything that differs between the two is the store
 * kind: the messages are picked by it, so their translations stay.
 */
typedef struct
{
  tc_store_kind kind;
  gchar *path;
  tc_store *store;
} TlsliteStoreObject;

/* tc_store_open with the public flags; FALSE with a G_IO_ERROR naming the
 * database and the problem. */
gboolean _tlslite_store_object_open (TlsliteStoreObject *so, tc_store_kind kind, const gchar *path,
                                     TlsliteDatabaseFlags flags, GError **error);
void _tlslite_store_object_clear (TlsliteStoreObject *so);

/* A libtcstore error as a G_IO_ERROR: EXISTS, INVALID_ARGUMENT,
 * INVALID_DATA or FAILED, "<database>: <store's message>". */
void _tlslite_store_object_set_error (const TlsliteStoreObject *so, GError **error,
                                      const tc_error *err);
/* G_IO_ERROR_NOT_FOUND naming the (escaped) user or identity. */
void _tlslite_store_object_set_not_found (const TlsliteStoreObject *so, GError **error,
                                          const gchar *name);
/* Map a libtcstore result for name: TRUE for TC_OK, else FALSE with the
 * not-found or store error. */
gboolean _tlslite_store_object_check (const TlsliteStoreObject *so, int r, const tc_error *err,
                                      const gchar *name, GError **error);

/* Remove a user / identity (NOT_FOUND if there is none). */
gboolean _tlslite_store_object_remove (TlsliteStoreObject *so, const gchar *name, GError **error);
/* The names in byte order, NULL-terminated, or NULL with error set. */
gchar **_tlslite_store_object_list (TlsliteStoreObject *so, GError **error);

/* The "path" property both types have. */
#define TLSLITE_STORE_OBJECT_PROP_PATH 1
void _tlslite_store_object_install_path (GObjectClass *klass);

G_END_DECLS

#endif
