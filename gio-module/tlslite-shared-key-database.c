/* TlsliteSharedKeyDatabase: the GObject face of libtcstore's shared-key (PSK) database. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"

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
  gchar *path;
  tc_store *store;
};

G_DEFINE_FINAL_TYPE (TlsliteSharedKeyDatabase, tlslite_shared_key_database, G_TYPE_OBJECT)

enum { PROP_0, PROP_PATH };

static void
set_store_error (GError **error, const tc_error *err)
{
  GIOErrorEnum code = G_IO_ERROR_FAILED;

  switch (err->code)
    {
    case TC_ERR_EXISTS: code = G_IO_ERROR_EXISTS; break;
    case TC_ERR_INVALID_ARGUMENT: code = G_IO_ERROR_INVALID_ARGUMENT; break;
    case TC_ERR_BAD_INPUT: code = G_IO_ERROR_INVALID_DATA; break;
    default: break;
    }
  g_set_error (error, G_IO_ERROR, code, _("Shared key database: %s"),
               err->message[0] ? err->message : tc_err_name (err->code));
}

static void
set_not_found (GError **error, const gchar *identity)
{
  gchar *esc = _tlslite_escape_name ((const guint8 *) identity, strlen (identity));

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No identity “%s” in the shared key database"), esc);
  g_free (esc);
}

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
  TlsliteSharedKeyDatabase *self;
  unsigned sflags = 0;
  tc_error err;
  tc_store *st;

  if (flags & TLSLITE_DATABASE_FLAGS_CREATE)
    sflags |= TC_STORE_CREATE;
  if (flags & TLSLITE_DATABASE_FLAGS_READ_ONLY)
    sflags |= TC_STORE_READONLY;
  tc_error_clear (&err);
  st = tc_store_open (path, TC_STORE_PSK, sflags, &err);
  if (!st)
    {
      set_store_error (error, &err);
      return NULL;
    }
  self = g_object_new (TLSLITE_TYPE_SHARED_KEY_DATABASE, NULL);
  self->path = g_strdup (path);
  self->store = st;
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
  return self->path;
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
  if (tc_store_psk_put (self->store, (const uint8_t *) identity, strlen (identity), data, len,
                        replace, &err) != TC_OK)
    {
      set_store_error (error, &err);
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
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  tc_error_clear (&err);
  r = tc_store_delete (self->store, (const uint8_t *) identity, strlen (identity), &err);
  if (r == TC_STORE_NOT_FOUND)
    {
      set_not_found (error, identity);
      return FALSE;
    }
  if (r != TC_OK)
    {
      set_store_error (error, &err);
      return FALSE;
    }
  return TRUE;
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
  r = tc_store_psk_lookup (self->store, (const uint8_t *) identity, strlen (identity), key, &len,
                           &err);
  if (r == TC_OK)
    bytes = _tlslite_secret_bytes_new (key, len);
  else if (r == TC_STORE_NOT_FOUND)
    set_not_found (error, identity);
  else
    set_store_error (error, &err);
  explicit_bzero (key, sizeof key);
  return bytes;
}

static bool
collect_name (void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  g_ptr_array_add (ctx, g_strndup ((const gchar *) name, len));
  return true;
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
  GPtrArray *names;
  tc_error err;

  g_return_val_if_fail (TLSLITE_IS_SHARED_KEY_DATABASE (self), NULL);
  names = g_ptr_array_new_with_free_func (g_free);
  tc_error_clear (&err);
  if (tc_store_list (self->store, collect_name, names, &err) != TC_OK)
    {
      set_store_error (error, &err);
      g_ptr_array_unref (names);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

tc_store *
_tlslite_shared_key_database_get_store (TlsliteSharedKeyDatabase *self)
{
  return self->store;
}

static void
tlslite_shared_key_database_get_property (GObject *object, guint prop_id, GValue *value,
                                          GParamSpec *pspec)
{
  TlsliteSharedKeyDatabase *self = TLSLITE_SHARED_KEY_DATABASE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_shared_key_database_finalize (GObject *object)
{
  TlsliteSharedKeyDatabase *self = TLSLITE_SHARED_KEY_DATABASE (object);

  if (self->store)
    tc_store_close (self->store);
  g_free (self->path);
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
  g_object_class_install_property (gobject_class, PROP_PATH,
                                   g_param_spec_string ("path", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}
