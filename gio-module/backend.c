/* GTlsBackendTlslite: the GTlsBackend GIO finds at "gio-tls-backend" under the name "tlslite". */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

struct _GTlsBackendTlslite
{
  GObject parent_instance;

  GMutex mutex;                     /* guards default_database */
  GTlsDatabase *default_database;
};

static void g_tls_backend_tlslite_interface_init (GTlsBackendInterface *iface);

/* A static type of libtlslite-gio-1 (see library.c): registered once per
 * process, whether GIO loaded it through the module or the program linked
 * the library. */
G_DEFINE_TYPE_WITH_CODE (GTlsBackendTlslite, g_tls_backend_tlslite, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_TLS_BACKEND,
                                                g_tls_backend_tlslite_interface_init))

static gpointer
make_rng_source (gpointer data)
{
  return tc_rng_source_new ();
}

/* One randomness source for every connection of the process: tlscore gives
 * each tc_config its own generator, and this module makes a config per
 * set of connection settings (config-cache.c), so sharing one saves a page
 * and its seeding per config.
 * Never freed (the library is never unloaded, see library.c); NULL only
 * when out of memory, and then each config keeps its own. */
tc_rng_source *
tlslite_rng_source (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, make_rng_source, NULL);
}

static void
g_tls_backend_tlslite_init (GTlsBackendTlslite *self)
{
  g_mutex_init (&self->mutex);
}

static void
g_tls_backend_tlslite_finalize (GObject *object)
{
  GTlsBackendTlslite *self = G_TLS_BACKEND_TLSLITE (object);

  g_clear_object (&self->default_database);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (g_tls_backend_tlslite_parent_class)->finalize (object);
}

static void
g_tls_backend_tlslite_class_init (GTlsBackendTlsliteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = g_tls_backend_tlslite_finalize;
}

static gboolean
g_tls_backend_tlslite_supports_tls (GTlsBackend *backend)
{
  return TRUE;
}

/* Adds the certificates of one PEM/DER file. With `warn`, a file that cannot
 * be read or holds no certificate gives one g_warning naming it: a trust
 * source the user or the build configured must never fail silently. Files
 * met while scanning a directory pass FALSE (CRLs, READMEs and the like are
 * normal there). Returns the number of certificates read. */
static gsize
add_trust_file (tc_trust_store *store, const gchar *path, gboolean warn)
{
  GError *error = NULL;
  gchar *contents = NULL;
  gsize len = 0, added;
  tc_trust_store *file_store;
  tc_error err;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      if (warn)
        g_warning (_("Could not load the system trust store %s: %s"), path, error->message);
      g_error_free (error);
      return 0;
    }
  /* Parsed into a store of its own first: the count then says whether the
   * file holds certificates, even when all of them are already trusted
   * (hash links, a directory beside its own bundle). */
  tc_error_clear (&err);
  added = 0;
  file_store = tc_trust_store_new ();
  if (file_store)
    added = tc_trust_store_add_data (file_store, (const uint8_t *) contents, len, &err);
  else
    tc_error_set (&err, TC_ERR_NOMEM, "out of memory");
  g_free (contents);
  for (gsize i = 0; i < added; i++)
    tc_trust_store_add (store, tc_trust_store_get (file_store, i));
  if (file_store)
    tc_trust_store_unref (file_store);
  if (added == 0 && warn)
    g_warning (_("Could not load the system trust store %s: %s"), path,
               err.code != TC_ERR_NONE ? err.message : _("no certificates found"));
  else if (added == 0)
    g_debug ("tlslite: no certificate in %s", path);
  return added;
}

/* Adds every file of a certificate directory (c_rehash style: hashed names
 * that are links to plain PEM files, or plain files only); the store drops
 * the duplicates the hash links give. */
static void
add_trust_dir (tc_trust_store *store, const gchar *dirname)
{
  GError *error = NULL;
  GDir *dir = g_dir_open (dirname, 0, &error);
  const gchar *name;
  gsize added = 0;

  if (!dir)
    {
      g_warning (_("Could not load the system trust store %s: %s"), dirname, error->message);
      g_error_free (error);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gchar *path = g_build_filename (dirname, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        added += add_trust_file (store, path, FALSE);
      g_free (path);
    }
  g_dir_close (dir);
  if (added == 0)
    g_warning (_("Could not load the system trust store %s: %s"), dirname, _("no certificates found"));
}

/* The platform's trust, with OpenSSL's variables: SSL_CERT_FILE (a bundle)
 * and SSL_CERT_DIR (a ':'-separated list of directories), either or both.
 * When neither is set, the compiled-in bundle (-Dca_bundle). Setting only
 * SSL_CERT_DIR replaces that bundle too, so that pointing trust at a
 * directory never also warns about a bundle the user did not ask for.
 * A source that cannot be read is not fatal: it gives one warning naming
 * it, and chains it would have anchored verify as UNKNOWN_CA. */
static GTlsDatabase *
load_system_database (void)
{
  tc_trust_store *store = tc_trust_store_new ();
  const gchar *file = g_getenv ("SSL_CERT_FILE");
  const gchar *dirs = g_getenv ("SSL_CERT_DIR");
  GTlsDatabase *db;
  gchar *uri;

  if (file && !*file)
    file = NULL;
  if (!file && !(dirs && *dirs))
    file = TLSLITE_CA_BUNDLE;
  if (store)
    {
      if (file)
        add_trust_file (store, file, TRUE);
      if (dirs && *dirs)
        {
          gchar **list = g_strsplit (dirs, G_SEARCHPATH_SEPARATOR_S, -1);

          for (gchar **d = list; *d; d++)
            if (**d)
              add_trust_dir (store, *d);
          g_strfreev (list);
        }
    }

  uri = file ? g_filename_to_uri (file, NULL, NULL) : NULL;
  db = tlslite_database_new (store, uri ? uri : "file:///");
  g_free (uri);
  if (store)
    tc_trust_store_unref (store);
  return db;
}

static GTlsDatabase *
g_tls_backend_tlslite_get_default_database (GTlsBackend *backend)
{
  GTlsBackendTlslite *self = G_TLS_BACKEND_TLSLITE (backend);
  GTlsDatabase *result;

  g_mutex_lock (&self->mutex);
  if (!self->default_database)
    self->default_database = load_system_database ();
  result = self->default_database ? g_object_ref (self->default_database) : NULL;
  g_mutex_unlock (&self->mutex);

  return result;
}

static void
g_tls_backend_tlslite_interface_init (GTlsBackendInterface *iface)
{
  iface->supports_tls = g_tls_backend_tlslite_supports_tls;
  iface->get_certificate_type = g_tls_certificate_tlslite_get_type;
  iface->get_client_connection_type = g_tls_client_connection_tlslite_get_type;
  iface->get_server_connection_type = g_tls_server_connection_tlslite_get_type;
  iface->get_file_database_type = g_tls_file_database_tlslite_get_type;
  iface->get_default_database = g_tls_backend_tlslite_get_default_database;
}
