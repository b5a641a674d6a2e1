/* TlsliteVerifierDatabase: the GObject face of libtcstore's SRP verifier database. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"
#include "store-object.h"

/**
 * TlsliteVerifierDatabase:
 *
 * A server's SRP users: for each user name a salt and a verifier (never
 * the password), in an SQLite file (WAL mode, safe for several processes)
 * or in memory. Set it on a server connection as "verifier-database"; a
 * program that does not link the library sets "verifier-database-path".
 * Look-ups during asynchronous handshakes run in a worker thread.
 */
struct _TlsliteVerifierDatabase
{
  GObject parent_instance;
  TlsliteStoreObject so;   /* path, store, errors (store-object.c) */
};

G_DEFINE_FINAL_TYPE (TlsliteVerifierDatabase, tlslite_verifier_database, G_TYPE_OBJECT)

/**
 * tlslite_verifier_database_new:
 * @path: (nullable) (type filename): an SQLite file, or %NULL for a new
 *   database in memory
 * @flags: how to open the file
 * @error: return location for a #GError
 *
 * Opens (or with %TLSLITE_DATABASE_FLAGS_CREATE creates) a verifier database.
 *
 * Returns: (transfer full): the database, or %NULL with @error set.
 */
TlsliteVerifierDatabase *
tlslite_verifier_database_new (const gchar *path, TlsliteDatabaseFlags flags, GError **error)
{
  TlsliteVerifierDatabase *self = g_object_new (TLSLITE_TYPE_VERIFIER_DATABASE, NULL);

  if (!_tlslite_store_object_open (&self->so, TC_STORE_SRP, path, flags, error))
    g_clear_object (&self);
  return self;
}

/**
 * tlslite_verifier_database_get_path:
 * @self: a database
 *
 * Returns: (nullable) (type filename): the file, or %NULL in memory.
 */
const gchar *
tlslite_verifier_database_get_path (TlsliteVerifierDatabase *self)
{
  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), NULL);
  return self->so.path;
}

/**
 * tlslite_verifier_database_add_user:
 * @self: a database
 * @user: the user name (1..255 bytes, no ':' or control characters)
 * @password: the password
 * @group_bits: the RFC 5054 group (1024 .. 8192 bits), 0 for 2048
 * @error: return location for a #GError
 *
 * Adds a user with a fresh salt and the verifier of @password. An existing
 * user is an error (%G_IO_ERROR_EXISTS).
 *
 * Returns: %TRUE on success.
 */
gboolean
tlslite_verifier_database_add_user (TlsliteVerifierDatabase *self, const gchar *user,
                                    const gchar *password, guint group_bits, GError **error)
{
  tc_error err;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user && password, FALSE);
  tc_error_clear (&err);
  if (tc_store_srp_add (self->so.store, user, (const uint8_t *) password, strlen (password),
                        group_bits ? group_bits : 2048, &err) != TC_OK)
    {
      _tlslite_store_object_set_error (&self->so, error, &err);
      return FALSE;
    }
  return TRUE;
}

/**
 * tlslite_verifier_database_set_password:
 * @self: a database
 * @user: an existing user
 * @password: the new password
 * @group_bits: a new group size, or 0 to keep the user's group
 * @error: return location for a #GError
 *
 * Gives a user a new salt and verifier. %G_IO_ERROR_NOT_FOUND if there is
 * no such user.
 *
 * Returns: %TRUE on success.
 */
gboolean
tlslite_verifier_database_set_password (TlsliteVerifierDatabase *self, const gchar *user,
                                        const gchar *password, guint group_bits, GError **error)
{
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user && password, FALSE);
  tc_error_clear (&err);
  r = tc_store_srp_set_password (self->so.store, user, (const uint8_t *) password, strlen (password),
                                 group_bits, &err);
  return _tlslite_store_object_check (&self->so, r, &err, user, error);
}

/**
 * tlslite_verifier_database_remove_user:
 * @self: a database
 * @user: the user name
 * @error: return location for a #GError
 *
 * Removes a user; %G_IO_ERROR_NOT_FOUND if there is none.
 *
 * Returns: %TRUE on success.
 */
gboolean
tlslite_verifier_database_remove_user (TlsliteVerifierDatabase *self, const gchar *user,
                                       GError **error)
{
  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  return _tlslite_store_object_remove (&self->so, user, error);
}

/**
 * tlslite_verifier_database_has_user:
 * @self: a database
 * @user: the user name
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the user exists; %FALSE if not, or with @error set
 *   when the database could not be read.
 */
gboolean
tlslite_verifier_database_has_user (TlsliteVerifierDatabase *self, const gchar *user,
                                    GError **error)
{
  tc_srp_verifier *v;
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  v = g_new0 (tc_srp_verifier, 1);
  tc_error_clear (&err);
  r = tc_store_srp_lookup (self->so.store, (const uint8_t *) user, strlen (user), v, &err);
  g_free (v);
  if (r == TC_FAIL)
    _tlslite_store_object_set_error (&self->so, error, &err);
  return r == TC_OK;
}

/**
 * tlslite_verifier_database_check_password:
 * @self: a database
 * @user: the user name
 * @password: the password to check
 * @error: return location for a #GError
 *
 * Checks a password against the stored verifier (constant-time compare).
 *
 * Returns: %TRUE if @password is the user's; %FALSE if not or if there is
 *   no such user (then @error is %G_IO_ERROR_NOT_FOUND).
 */
gboolean
tlslite_verifier_database_check_password (TlsliteVerifierDatabase *self, const gchar *user,
                                          const gchar *password, GError **error)
{
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user && password, FALSE);
  tc_error_clear (&err);
  r = tc_store_srp_check (self->so.store, user, (const uint8_t *) password, strlen (password), &err);
  if (r == TC_STORE_NOT_FOUND)
    _tlslite_store_object_set_not_found (&self->so, error, user);
  else if (r == TC_FAIL)
    _tlslite_store_object_set_error (&self->so, error, &err);
  return r == TC_OK;
}

/**
 * tlslite_verifier_database_list_users:
 * @self: a database
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (array zero-terminated=1): the user names in
 *   byte order, or %NULL with @error set.
 */
gchar **
tlslite_verifier_database_list_users (TlsliteVerifierDatabase *self, GError **error)
{
  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), NULL);
  return _tlslite_store_object_list (&self->so, error);
}

tc_store *
_tlslite_verifier_database_get_store (TlsliteVerifierDatabase *self)
{
  return self->so.store;
}

static void
tlslite_verifier_database_get_property (GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
  TlsliteVerifierDatabase *self = TLSLITE_VERIFIER_DATABASE (object);

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
tlslite_verifier_database_finalize (GObject *object)
{
  TlsliteVerifierDatabase *self = TLSLITE_VERIFIER_DATABASE (object);

  _tlslite_store_object_clear (&self->so);
  G_OBJECT_CLASS (tlslite_verifier_database_parent_class)->finalize (object);
}

static void
tlslite_verifier_database_init (TlsliteVerifierDatabase *self)
{
}

static void
tlslite_verifier_database_class_init (TlsliteVerifierDatabaseClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property = tlslite_verifier_database_get_property;
  gobject_class->finalize = tlslite_verifier_database_finalize;

  /**
   * TlsliteVerifierDatabase:path: (type filename)
   *
   * The SQLite file, or %NULL for a database in memory.
   */
  _tlslite_store_object_install_path (gobject_class);
}
