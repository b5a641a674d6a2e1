/* GTlsBackendTlslite: the GTlsBackend GIO finds at "gio-tls-backend" under the name "tlslite". */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

/* Below glib-networking's gnutls (0) and openssl (-1) backends, above GIO's
 * dummy (-100): installing this module never changes a system's default
 * backend; it is chosen with GIO_USE_TLS=tlslite, or used when no other
 * real backend is installed. */
#define TLSLITE_BACKEND_PRIORITY (-10)

struct _GTlsBackendTlslite
{
  GObject parent_instance;

  GMutex mutex;                     /* guards default_database */
  GTlsDatabase *default_database;
};

static void g_tls_backend_tlslite_interface_init (GTlsBackendInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (GTlsBackendTlslite, g_tls_backend_tlslite, G_TYPE_OBJECT, 0,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (G_TYPE_TLS_BACKEND,
                                                               g_tls_backend_tlslite_interface_init))

static gpointer
pin_module (gpointer data)
{
  GTypePlugin *plugin;

  /* The other types of this module are static types; GType keeps pointers
   * into our code for them forever, so once one may exist the module must
   * never be unmapped. Take a use on the plugin that is never released. */
  plugin = g_type_get_plugin (G_TYPE_TLS_BACKEND_TLSLITE);
  if (plugin)
    g_type_plugin_use (plugin);
  return NULL;
}

static gpointer
make_rng_source (gpointer data)
{
  return tc_rng_source_new ();
}

/* One randomness source for every connection of the process: tlscore gives
 * each tc_config its own generator, and this module makes a config per
 * connection, so sharing one saves a page and its seeding per connection.
 * Never freed (the module is never unloaded once a backend exists); NULL only
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
  static GOnce pinned = G_ONCE_INIT;

  /* Done at instance time, not class time, so that merely scanning the
   * module directory (gio-querymodules) can still unload us. */
  g_once (&pinned, pin_module, NULL);
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

static void
g_tls_backend_tlslite_class_finalize (GTlsBackendTlsliteClass *klass)
{
}

static gboolean
g_tls_backend_tlslite_supports_tls (GTlsBackend *backend)
{
  return TRUE;
}

static GTlsDatabase *
load_system_database (void)
{
  tc_trust_store *store = tc_trust_store_new ();
  GTlsDatabase *db;
  gchar *contents = NULL;
  gsize len = 0;
  gchar *uri;

  /* A missing or unreadable bundle is not fatal: the database is then empty
   * and every chain verifies as UNKNOWN_CA, which is what GIO documents for
   * "no trusted CAs". */
  if (store && g_file_get_contents (TLSLITE_CA_BUNDLE, &contents, &len, NULL))
    {
      tc_error err;

      tc_error_clear (&err);
      if (tc_trust_store_add_data (store, (const uint8_t *) contents, len, &err) == 0 &&
          err.code != TC_ERR_NONE)
        g_debug ("tlslite: could not load CA bundle %s: %s", TLSLITE_CA_BUNDLE, err.message);
      g_free (contents);
    }

  uri = g_filename_to_uri (TLSLITE_CA_BUNDLE, NULL, NULL);
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

void
g_tls_backend_tlslite_register (GIOModule *module)
{
  g_tls_backend_tlslite_register_type (G_TYPE_MODULE (module));
  g_io_extension_point_implement (G_TLS_BACKEND_EXTENSION_POINT_NAME,
                                  g_tls_backend_tlslite_get_type (),
                                  "tlslite",
                                  TLSLITE_BACKEND_PRIORITY);
}
