/* GTlsFileDatabaseTlslite: the GTlsFileDatabase whose anchors come from one PEM/DER file. */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

enum
{
  PROP_0,
  PROP_ANCHORS,
};

struct _GTlsFileDatabaseTlslite
{
  GTlsDatabaseTlslite parent_instance;

  gchar *anchors;   /* absolute file name, construct-only */
};

static void g_tls_file_database_tlslite_file_database_iface_init (GTlsFileDatabaseInterface *iface);
static void g_tls_file_database_tlslite_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTlsFileDatabaseTlslite, g_tls_file_database_tlslite, G_TYPE_TLS_DATABASE_TLSLITE,
                         G_IMPLEMENT_INTERFACE (G_TYPE_TLS_FILE_DATABASE,
                                                g_tls_file_database_tlslite_file_database_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                g_tls_file_database_tlslite_initable_iface_init))

static void
g_tls_file_database_tlslite_init (GTlsFileDatabaseTlslite *self)
{
}

static void
g_tls_file_database_tlslite_finalize (GObject *object)
{
  GTlsFileDatabaseTlslite *self = G_TLS_FILE_DATABASE_TLSLITE (object);

  g_clear_pointer (&self->anchors, g_free);

  G_OBJECT_CLASS (g_tls_file_database_tlslite_parent_class)->finalize (object);
}

static void
g_tls_file_database_tlslite_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GTlsFileDatabaseTlslite *self = G_TLS_FILE_DATABASE_TLSLITE (object);

  switch (prop_id)
    {
    case PROP_ANCHORS:
      g_value_set_string (value, self->anchors);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tls_file_database_tlslite_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GTlsFileDatabaseTlslite *self = G_TLS_FILE_DATABASE_TLSLITE (object);
  const gchar *path;

  switch (prop_id)
    {
    case PROP_ANCHORS:
      path = g_value_get_string (value);
      /* GIO documents the path as absolute; a relative one would silently
       * depend on the working directory at init time. */
      if (path && !g_path_is_absolute (path))
        {
          g_warning (_("The anchor file name used with a GTlsFileDatabase "
                       "must be an absolute path, and not relative: %s"), path);
          return;
        }
      g_free (self->anchors);
      self->anchors = g_strdup (path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
g_tls_file_database_tlslite_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  GTlsFileDatabaseTlslite *self = G_TLS_FILE_DATABASE_TLSLITE (initable);
  GError *file_error = NULL;
  tc_trust_store *store;
  gchar *contents = NULL, *uri;
  gsize len = 0, added;
  tc_error err;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!self->anchors)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           _("No certificate authority file given"));
      return FALSE;
    }

  /* Every failure is G_TLS_ERROR_MISC, as in glib-networking: callers test
   * for "the database could not be created", not for the file system cause. */
  if (!g_file_get_contents (self->anchors, &contents, &len, &file_error))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                   _("Failed to populate trust list from %s: %s"), self->anchors, file_error->message);
      g_error_free (file_error);
      return FALSE;
    }

  store = tc_trust_store_new ();
  if (!store)
    {
      g_free (contents);
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Out of memory"));
      return FALSE;
    }

  tc_error_clear (&err);
  added = tc_trust_store_add_data (store, (const uint8_t *) contents, len, &err);
  g_free (contents);
  if (err.code != TC_ERR_NONE || added == 0)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                   _("Failed to populate trust list from %s: %s"), self->anchors,
                   err.code != TC_ERR_NONE ? err.message : _("no certificates found"));
      tc_trust_store_unref (store);
      return FALSE;
    }

  uri = g_filename_to_uri (self->anchors, NULL, NULL);
  tlslite_database_set_store (G_TLS_DATABASE_TLSLITE (self), store, uri ? uri : "file:///");
  g_free (uri);
  tc_trust_store_unref (store);
  return TRUE;
}

static void
g_tls_file_database_tlslite_class_init (GTlsFileDatabaseTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property = g_tls_file_database_tlslite_get_property;
  gobject_class->set_property = g_tls_file_database_tlslite_set_property;
  gobject_class->finalize = g_tls_file_database_tlslite_finalize;

  g_object_class_override_property (gobject_class, PROP_ANCHORS, "anchors");
}

static void
g_tls_file_database_tlslite_file_database_iface_init (GTlsFileDatabaseInterface *iface)
{
}

static void
g_tls_file_database_tlslite_initable_iface_init (GInitableIface *iface)
{
  iface->init = g_tls_file_database_tlslite_initable_init;
}
