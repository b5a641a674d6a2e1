/* Ticket key files for groups of servers (nginx's ssl_session_ticket_key convention), read again when they change. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "session-cache-private.h"

/* A key file's content is parsed once per version of the file: a server
 * connection only stats it. Rotation replaces the file (write a new one,
 * rename it over the old: the inode changes), or rewrites it (size or
 * mtime change). */
typedef struct
{
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  tc_ticket_key keys[TC_TICKET_MAX_KEYS];
  gsize n;
} KeyFile;

static GMutex files_lock;
static GHashTable *files;   /* path -> KeyFile*, never freed (like the backend) */

static void
key_file_free (gpointer data)
{
  KeyFile *kf = data;

  memset (kf->keys, 0, sizeof kf->keys);
  g_free (kf);
}

static gboolean
same_version (const KeyFile *kf, const struct stat *st)
{
  return kf->dev == st->st_dev && kf->ino == st->st_ino && kf->size == st->st_size &&
         kf->mtime.tv_sec == st->st_mtim.tv_sec && kf->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Under files_lock: the current keys of `path`, read if new or changed. */
static KeyFile *
load (const gchar *path, GError **error)
{
  KeyFile *kf = files ? g_hash_table_lookup (files, path) : NULL;
  struct stat st;
  gchar *data = NULL;
  gsize len = 0;
  GError *my_error = NULL;
  tc_error err;

  if (g_stat (path, &st) != 0)
    {
      int e = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
                   _("Could not read the ticket key file “%s”: %s"), path, g_strerror (e));
      return NULL;
    }
  if (kf && same_version (kf, &st))
    return kf;

  if (!g_file_get_contents (path, &data, &len, &my_error))
    {
      g_set_error (error, G_IO_ERROR, my_error->code,
                   _("Could not read the ticket key file “%s”: %s"), path, my_error->message);
      g_error_free (my_error);
      return NULL;
    }
  /* A new version: parsed into a new entry, which replaces the old one
   * only if it is valid. */
  kf = g_new0 (KeyFile, 1);
  tc_error_clear (&err);
  kf->n = tc_ticket_keys_parse ((const uint8_t *) data, len, kf->keys, &err);
  memset (data, 0, len);
  g_free (data);
  if (kf->n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Invalid ticket key file “%s”: %s"), path, err.message);
      key_file_free (kf);
      return NULL;
    }
  kf->dev = st.st_dev;
  kf->ino = st.st_ino;
  kf->size = st.st_size;
  kf->mtime = st.st_mtim;
  if (!files)
    files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, key_file_free);
  g_hash_table_replace (files, g_strdup (path), kf);
  return kf;
}

gboolean
_tlslite_gio_ticket_key_file_apply (const gchar *path, tc_config *cfg, GError **error)
{
  const uint8_t *ptr[TC_TICKET_MAX_KEYS];
  size_t lens[TC_TICKET_MAX_KEYS];
  KeyFile *kf;
  gsize i;
  tc_error err;
  gboolean ok;

  g_mutex_lock (&files_lock);
  kf = load (path, error);
  if (!kf)
    {
      g_mutex_unlock (&files_lock);
      return FALSE;
    }
  for (i = 0; i < kf->n; i++)
    {
      ptr[i] = kf->keys[i].key;
      lens[i] = kf->keys[i].len;
    }
  tc_error_clear (&err);
  ok = tc_config_set_ticket_keys (cfg, ptr, lens, kf->n, &err) == TC_OK;
  g_mutex_unlock (&files_lock);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("Invalid ticket key file “%s”: %s"), path, err.message);
  return ok;
}
