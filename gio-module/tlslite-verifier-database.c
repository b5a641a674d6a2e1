/* TlsliteVerifierDatabase: the GObject face of libtcstore's SRP verifier database. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"

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
  gchar *path;
  tc_store *store;
};

G_DEFINE_FINAL_TYPE (TlsliteVerifierDatabase, tlslite_verifier_database, G_TYPE_OBJECT)

enum { PROP_0, PROP_PATH };

/* The store's message is one English sentence naming the problem (never a
 * password); the code picks the GIOErrorEnum. */
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
  g_set_error (error, G_IO_ERROR, code, _("Verifier database: %s"),
               err->message[0] ? err->message : tc_err_name (err->code));
}

static void
set_not_found (GError **error, const gchar *user)
{
  gchar *esc = _tlslite_escape_name ((const guint8 *) user, strlen (user));

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No user “%s” in the verifier database"), esc);
  g_free (esc);
}

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
  TlsliteVerifierDatabase *self;
  unsigned sflags = 0;
  tc_error err;
  tc_store *st;

  if (flags & TLSLITE_DATABASE_FLAGS_CREATE)
    sflags |= TC_STORE_CREATE;
  if (flags & TLSLITE_DATABASE_FLAGS_READ_ONLY)
    sflags |= TC_STORE_READONLY;
  tc_error_clear (&err);
  st = tc_store_open (path, TC_STORE_SRP, sflags, &err);
  if (!st)
    {
      set_store_error (error, &err);
      return NULL;
    }
  self = g_object_new (TLSLITE_TYPE_VERIFIER_DATABASE, NULL);
  self->path = g_strdup (path);
  self->store = st;
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
  return self->path;
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
  if (tc_store_srp_add (self->store, user, (const uint8_t *) password, strlen (password),
                        group_bits ? group_bits : 2048, &err) != TC_OK)
    {
      set_store_error (error, &err);
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
  r = tc_store_srp_set_password (self->store, user, (const uint8_t *) password, strlen (password),
                                 group_bits, &err);
  if (r == TC_STORE_NOT_FOUND)
    {
      set_not_found (error, user);
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
  tc_error err;
  int r;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  tc_error_clear (&err);
  r = tc_store_delete (self->store, (const uint8_t *) user, strlen (user), &err);
  if (r == TC_STORE_NOT_FOUND)
    {
      set_not_found (error, user);
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
  r = tc_store_srp_lookup (self->store, (const uint8_t *) user, strlen (user), v, &err);
  g_free (v);
  if (r == TC_FAIL)
    set_store_error (error, &err);
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
  r = tc_store_srp_check (self->store, user, (const uint8_t *) password, strlen (password), &err);
  if (r == TC_STORE_NOT_FOUND)
    set_not_found (error, user);
  else if (r == TC_FAIL)
    set_store_error (error, &err);
  return r == TC_OK;
}

static bool
collect_name (void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  g_ptr_array_add (ctx, g_strndup ((const gchar *) name, len));
  return true;
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
  GPtrArray *names;
  tc_error err;

  g_return_val_if_fail (TLSLITE_IS_VERIFIER_DATABASE (self), NULL);
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
_tlslite_verifier_database_get_store (TlsliteVerifierDatabase *self)
{
  return self->store;
}

static void
tlslite_verifier_database_get_property (GObject *object, guint prop_id, GValue *value,
                                        GParamSpec *pspec)
{
  TlsliteVerifierDatabase *self = TLSLITE_VERIFIER_DATABASE (object);

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
tlslite_verifier_database_finalize (GObject *object)
{
  TlsliteVerifierDatabase *self = TLSLITE_VERIFIER_DATABASE (object);

  if (self->store)
    tc_store_close (self->store);
  g_free (self->path);
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
  g_object_class_install_property (gobject_class, PROP_PATH,
                                   g_param_spec_string ("path", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}
