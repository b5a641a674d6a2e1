/* The part TlsliteVerifierDatabase and TlsliteSharedKeyDatabase share: opening a libtcstore store, errors, remove and list. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"
#include "store-object.h"

gboolean
_tlslite_store_object_open (TlsliteStoreObject *so, tc_store_kind kind, const gchar *path,
                            TlsliteDatabaseFlags flags, GError **error)
{
  unsigned sflags = 0;
  tc_error err;

  so->kind = kind;
  if (flags & TLSLITE_DATABASE_FLAGS_CREATE)
    sflags |= TC_STORE_CREATE;
  if (flags & TLSLITE_DATABASE_FLAGS_READ_ONLY)
    sflags |= TC_STORE_READONLY;
  tc_error_clear (&err);
  so->store = tc_store_open (path, kind, sflags, &err);
  if (!so->store)
    {
      _tlslite_store_object_set_error (so, error, &err);
      return FALSE;
    }
  so->path = g_strdup (path);
  return TRUE;
}

void
_tlslite_store_object_clear (TlsliteStoreObject *so)
{
  if (so->store)
    tc_store_close (so->store);
  so->store = NULL;
  g_clear_pointer (&so->path, g_free);
}

/* The store's message is one English sentence naming the problem (never a
 * password or key); the code picks the GIOErrorEnum. */
void
_tlslite_store_object_set_error (const TlsliteStoreObject *so, GError **error, const tc_error *err)
{
  GIOErrorEnum code = G_IO_ERROR_FAILED;
  const char *msg = err->message[0] ? err->message : tc_err_name (err->code);

  switch (err->code)
    {
    case TC_ERR_EXISTS: code = G_IO_ERROR_EXISTS; break;
    case TC_ERR_INVALID_ARGUMENT: code = G_IO_ERROR_INVALID_ARGUMENT; break;
    case TC_ERR_BAD_INPUT: code = G_IO_ERROR_INVALID_DATA; break;
    default: break;
    }
  /* Two literal formats, not one chosen by ?:, so the compiler checks them
   * and xgettext sees both. */
  if (so->kind == TC_STORE_SRP)
    g_set_error (error, G_IO_ERROR, code, _("Verifier database: %s"), msg);
  else
    g_set_error (error, G_IO_ERROR, code, _("Shared key database: %s"), msg);
}

void
_tlslite_store_object_set_not_found (const TlsliteStoreObject *so, GError **error, const gchar *name)
{
  gchar *esc = _tlslite_escape_name ((const guint8 *) name, strlen (name));

  if (so->kind == TC_STORE_SRP)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No user “%s” in the verifier database"),
                 esc);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("No identity “%s” in the shared key database"), esc);
  g_free (esc);
}

gboolean
_tlslite_store_object_check (const TlsliteStoreObject *so, int r, const tc_error *err,
                             const gchar *name, GError **error)
{
  if (r == TC_OK)
    return TRUE;
  if (r == TC_STORE_NOT_FOUND)
    _tlslite_store_object_set_not_found (so, error, name);
  else
    _tlslite_store_object_set_error (so, error, err);
  return FALSE;
}

gboolean
_tlslite_store_object_remove (TlsliteStoreObject *so, const gchar *name, GError **error)
{
  tc_error err;
  int r;

  tc_error_clear (&err);
  r = tc_store_delete (so->store, (const uint8_t *) name, strlen (name), &err);
  return _tlslite_store_object_check (so, r, &err, name, error);
}

static bool
collect_name (void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  g_ptr_array_add (ctx, g_strndup ((const gchar *) name, len));
  return true;
}

gchar **
_tlslite_store_object_list (TlsliteStoreObject *so, GError **error)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  tc_error err;

  tc_error_clear (&err);
  if (tc_store_list (so->store, collect_name, names, &err) != TC_OK)
    {
      _tlslite_store_object_set_error (so, error, &err);
      g_ptr_array_unref (names);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

void
_tlslite_store_object_install_path (GObjectClass *klass)
{
  g_object_class_install_property (klass, TLSLITE_STORE_OBJECT_PROP_PATH,
                                   g_param_spec_string ("path", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}
