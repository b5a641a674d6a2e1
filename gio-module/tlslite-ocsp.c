/* OCSP stapling on connections: a server's "ocsp-response" / "ocsp-response-file", a client's "ocsp-status". */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

#include "connection.h"
#include "connection-extras.h"

typedef struct
{
  GMutex lock;
  GBytes *response;   /* "ocsp-response" */
  gchar *file;        /* "ocsp-response-file" */
} OcspState;

enum
{
  OCSP_PROP_RESPONSE,
  OCSP_PROP_FILE,
  OCSP_PROP_STATUS
};

G_DEFINE_QUARK (tlslite-ocsp-state, ocsp_state)

static void
ocsp_state_free (gpointer data)
{
  OcspState *st = data;

  g_clear_pointer (&st->response, g_bytes_unref);
  g_free (st->file);
  g_mutex_clear (&st->lock);
  g_free (st);
}

static OcspState *
get_state (GObject *conn, gboolean create)
{
  static GMutex create_lock;
  OcspState *st = g_object_get_qdata (conn, ocsp_state_quark ());

  if (st || !create)
    return st;
  g_mutex_lock (&create_lock);
  st = g_object_get_qdata (conn, ocsp_state_quark ());
  if (!st)
    {
      st = g_new0 (OcspState, 1);
      g_mutex_init (&st->lock);
      g_object_set_qdata_full (conn, ocsp_state_quark (), st, ocsp_state_free);
    }
  g_mutex_unlock (&create_lock);
  return st;
}

void
_tlslite_gio_ocsp_install_properties (GObjectClass *klass, guint first_id)
{
  /**
   * GTlsConnection:ocsp-response: (type GBytes)
   *
   * Server: a DER OCSP response for its certificate, stapled for clients
   * that ask (status_request; TLS 1.2 CertificateStatus, TLS 1.3 in the
   * leaf's Certificate entry). %NULL: none (unless
   * #GTlsConnection:ocsp-response-file is set).
   */
  g_object_class_install_property (klass, first_id + OCSP_PROP_RESPONSE,
    g_param_spec_boxed ("ocsp-response", "OCSP response", "DER OCSP response to staple (server)",
                        G_TYPE_BYTES, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GTlsConnection:ocsp-response-file:
   *
   * Server: a file holding the DER OCSP response to staple. It is read
   * when a handshake starts and read again whenever it changed (size or
   * modification time), so a job that refreshes the response is picked up
   * by the next connections. Takes precedence over
   * #GTlsConnection:ocsp-response. A file that cannot be read gives one
   * warning naming it, and no staple.
   */
  g_object_class_install_property (klass, first_id + OCSP_PROP_FILE,
    g_param_spec_string ("ocsp-response-file", "OCSP response file",
                         "File with the DER OCSP response to staple (server)",
                         NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /**
   * GTlsConnection:ocsp-status: (type GBytes)
   *
   * Client, after the handshake: the OCSP response the server stapled
   * (DER, as received), or %NULL if it sent none. The client always asks
   * for one (status_request).
   */
  g_object_class_install_property (klass, first_id + OCSP_PROP_STATUS,
    g_param_spec_boxed ("ocsp-status", "OCSP status", "The stapled OCSP response received (client)",
                        G_TYPE_BYTES, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

gboolean
_tlslite_gio_ocsp_get_property (GObject *object, guint prop_id, guint first_id, GValue *value)
{
  OcspState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_OCSP_N_PROPS)
    return FALSE;
  if (prop_id == first_id + OCSP_PROP_STATUS)
    {
      g_value_take_boxed (value, tlslite_connection_dup_ocsp_response (G_TLS_CONNECTION_TLSLITE (object)));
      return TRUE;
    }
  st = get_state (object, TRUE);
  g_mutex_lock (&st->lock);
  if (prop_id == first_id + OCSP_PROP_RESPONSE)
    g_value_set_boxed (value, st->response);
  else
    g_value_set_string (value, st->file);
  g_mutex_unlock (&st->lock);
  return TRUE;
}

gboolean
_tlslite_gio_ocsp_set_property (GObject *object, guint prop_id, guint first_id, const GValue *value)
{
  OcspState *st;

  if (prop_id < first_id || prop_id >= first_id + TLSLITE_OCSP_N_PROPS ||
      prop_id == first_id + OCSP_PROP_STATUS)
    return FALSE;
  st = get_state (object, TRUE);
  g_mutex_lock (&st->lock);
  if (prop_id == first_id + OCSP_PROP_RESPONSE)
    {
      g_clear_pointer (&st->response, g_bytes_unref);
      st->response = g_value_dup_boxed (value);
    }
  else
    {
      g_free (st->file);
      st->file = g_value_dup_string (value);
    }
  g_mutex_unlock (&st->lock);
  return TRUE;
}

/* Responses read from files, by path, reused while size and mtime stay:
 * one stat() per handshake, one read per change. */
typedef struct
{
  struct stat st;
  GBytes *bytes;   /* NULL: unreadable */
} CachedFile;

static void
cached_file_free (gpointer data)
{
  CachedFile *cf = data;

  g_clear_pointer (&cf->bytes, g_bytes_unref);
  g_free (cf);
}

static void
warn_file (const char *path, const char *why)
{
  /* Once per path and reason: every handshake would repeat it. */
  static GMutex lock;
  static GHashTable *seen;
  gchar *msg = g_strdup_printf (_("Could not read the OCSP response file %s: %s"), path, why);
  gboolean fresh;

  g_mutex_lock (&lock);
  if (!seen)
    seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fresh = g_hash_table_add (seen, g_strdup (msg));
  g_mutex_unlock (&lock);
  if (fresh)
    g_warning ("%s", msg);
  g_free (msg);
}

static GBytes *
read_response_file (const char *path)
{
  static GMutex lock;
  static GHashTable *cache;
  struct stat st;
  CachedFile *cf;
  GBytes *result = NULL;

  if (stat (path, &st) != 0)
    {
      warn_file (path, g_strerror (errno));
      return NULL;
    }
  g_mutex_lock (&lock);
  if (!cache)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_file_free);
  cf = g_hash_table_lookup (cache, path);
  if (!cf || cf->st.st_size != st.st_size || cf->st.st_ino != st.st_ino ||
      cf->st.st_mtim.tv_sec != st.st_mtim.tv_sec || cf->st.st_mtim.tv_nsec != st.st_mtim.tv_nsec)
    {
      gchar *contents = NULL;
      gsize len = 0;
      GError *error = NULL;

      cf = g_new0 (CachedFile, 1);
      cf->st = st;
      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          warn_file (path, error->message);
          g_error_free (error);
        }
      else if (len == 0)
        {
          warn_file (path, _("the file is empty"));
          g_free (contents);
        }
      else
        cf->bytes = g_bytes_new_take (contents, len);
      g_hash_table_replace (cache, g_strdup (path), cf);
    }
  if (cf->bytes)
    result = g_bytes_ref (cf->bytes);
  g_mutex_unlock (&lock);
  return result;
}

gboolean
_tlslite_gio_ocsp_prepare (GObject *conn, tc_config *cfg, gboolean server, GError **error)
{
  OcspState *st = get_state (conn, FALSE);
  GBytes *response = NULL;
  gchar *file = NULL;
  tc_error err;
  gboolean ok = TRUE;

  if (!server || !st)
    return TRUE;
  g_mutex_lock (&st->lock);
  file = g_strdup (st->file);
  if (!file && st->response)
    response = g_bytes_ref (st->response);
  g_mutex_unlock (&st->lock);
  if (file)
    response = read_response_file (file);
  if (response && g_bytes_get_size (response) > 0)
    {
      gsize len;
      const guint8 *der = g_bytes_get_data (response, &len);

      tc_error_clear (&err);
      if (tc_config_set_ocsp_response (cfg, der, len, &err) != TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                       _("Could not use the OCSP response: %s"), err.message);
          ok = FALSE;
        }
    }
  g_clear_pointer (&response, g_bytes_unref);
  g_free (file);
  return ok;
}
