/* TlsliteSharedKeyDatabase: the GObject face of libtcstore's shared-key (PSK) database. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"
#include "store-object.h"

/**
 * TlsliteSharedKeyDatabase:
 *
 * A server's shared keys (RFC 4279 PSK in TLS 1.2, external PSKs in TLS
 * 1.3) by identity, in an SQLite file or in memory. Set it on a server
 * connection as "shared-key-database"; a program that does not link the
 * library sets "shared-key-database-path". Keys are never logged or put
 * in an error message, and the GBytes this API returns wipe them when
 * freed.
 */
struct _TlsliteSharedKeyDatabase
{
  GObject parent_instance;
  TlsliteStoreObject so;   /* path, store, errors (store-object.c) */
};

G_DEFINE_FINAL_TYPE (TlsliteSharedKeyDatabase, tlslite_shared_key_database, G_TYPE_OBJECT)

/**
 * tlslite_shared_key_database_new:
 * @path: (nullable) (type filename): an SQLite file, or %NULL for a new
 *   database in memory
 * @flags: how to open the file
 * @error: return location for a #GError
 *
 * Opens (or with %TLSLITE_DATABASE_FLAGS_CREATE creates) a shared-key database.
 *
 * Returns: (transfer full): the database, or %NULL with @error set.
 */
TlsliteSharedKeyDatabase *
tlslite_shared_key_database_new (const gchar *path, TlsliteDatabaseFlags flags, GError **error)
{
  TlsliteSharedKeyDatabase *self = g_object_new (TLSLITE_TYPE_SHARED_KEY_DATABASE, NULL);

  if (!_tlslite_store_object_open (&self->so, TC_STORE_PSK, path, flags, error))
    g_clear_object (&self);
  return self;
}

/**
 * tlslite_shared_key_database_get_path:
 * @self: a database
 *
 * Returns: (nullable) (type filename): the file, or %NULL in memory.
 */
const gchar *
tlslite_shared_key_database_get_path (TlsliteSharedKeyDatabase *self)
{
  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), NULL);
  return self->so.path;
}

/**
 * tlslite_shared_key_database_add_key:
 * @self: a database
 * @identity: the identity (1..65535 bytes of UTF-8)
 * @key: the shared key (1..512 bytes)
 * @replace: replace the key of an existing identity instead of failing
 *   with %G_IO_ERROR_EXISTS
 * @error: return location for a #GError
 *
 * Stores a shared key.
 *
 * Returns: %TRUE on success.
 */
gboolean
tlslite_shared_key_database_add_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                     GBytes *key, gboolean replace, GError **error)
{
  const guint8 *data;
  gsize len = 0;
  tc_error err;

  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), FALSE);
  g_return_val_if_fail (identity && key, FALSE);
  data = g_bytes_get_data (key, &len);
  tc_error_clear (&err);
  if (tc_store_psk_put (self->so.store, (const uint8_t *) identity, strlen (identity), data, len,
                        replace, &err) != TC_OK)
    {
      _tlslite_store_object_set_error (&self->so, error, &err);
      return FALSE;
    }
  return TRUE;
}

/**
 * tlslite_shared_key_database_remove_key:
 * @self: a database
 * @identity: the identity
 * @error: return location for a #GError
 *
 * Removes an identity and its key; %G_IO_ERROR_NOT_FOUND if there is none.
 *
 * Returns: %TRUE on success.
 */
gboolean
tlslite_shared_key_database_remove_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                        GError **error)
{
  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  return _tlslite_store_object_remove (&self->so, identity, error);
}

/**
 * tlslite_shared_key_database_lookup_key:
 * @self: a database
 * @identity: the identity
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the key (wiped when freed), or
 *   %NULL with @error set (%G_IO_ERROR_NOT_FOUND for an unknown identity).
 */
GBytes *
tlslite_shared_key_database_lookup_key (TlsliteSharedKeyDatabase *self, const gchar *identity,
                                        GError **error)
{
  uint8_t key[TC_STORE_MAX_PSK_KEY];
  size_t len = sizeof key;
  GBytes *bytes = NULL;
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), NULL);
  g_return_val_if_fail (identity != NULL, NULL);
  tc_error_clear (&err);
  r = tc_store_psk_lookup (self->so.store, (const uint8_t *) identity, strlen (identity), key, &len,
                           &err);
  if (_tlslite_store_object_check (&self->so, r, &err, identity, error))
    bytes = _tlslite_secret_bytes_new (key, len);
  explicit_bzero (key, sizeof key);
  return bytes;
}

/**
 * tlslite_shared_key_database_list_identities:
 * @self: a database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (array zero-terminated=1): the identities in
 *   byte order (never the keys), or %NULL with @error set.
 */
gchar **
tlslite_shared_key_database_list_identities (TlsliteSharedKeyDatabase *self, GError **error)
{
  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), NULL);
  return _tlslite_store_object_list (&self->so, error);
}

tc_store *
_tlslite_shared_key_database_get_store (TlsliteSharedKeyDatabase *self)
{
  return self->so.store;
}

static void
tlslite_shared_key_database_get_property (GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec)
{
  TlsliteSharedKeyDatabase *self = TLSLITE_SHARED_KEY_DATABASE (object);

  switch (prop_id)
    {
    case TLSLITE_STORE_OBJECT_PROP_PATH:
      g_value_set_string (value, self->so.path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_shared_key_database_finalize (GObject *object)
{
  TlsliteSharedKeyDatabase *self = TLSLITE_SHARED_KEY_DATABASE (object);

  _tlslite_store_object_clear (&self->so);
  G_OBJECT_CLASS (tlslite_shared_key_database_parent_class)->finalize (object);
}

static void
tlslite_shared_key_database_init (TlsliteSharedKeyDatabase *self)
{
}

static void
tlslite_shared_key_database_class_init (TlsliteSharedKeyDatabaseClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property = tlslite_shared_key_database_get_property;
  gobject_class->finalize = tlslite_shared_key_database_finalize;

  /**
   * TlsliteSharedKeyDatabase:path: (type filename)
   *
   * The SQLite file, or %NULL for a database in memory.
   */
  _tlslite_store_object_install_path (gobject_class);
}
