/* Entry points GIO looks up in libgiotlslite.so: load, unload and query. */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "tlslite-types.h"

G_MODULE_EXPORT void g_io_tlslite_load (GIOModule *module);
G_MODULE_EXPORT void g_io_tlslite_unload (GIOModule *module);
G_MODULE_EXPORT gchar **g_io_tlslite_query (void);

void
g_io_tlslite_load (GIOModule *module)
{
  g_tls_backend_tlslite_register (module);

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

void
g_io_tlslite_unload (GIOModule *module)
{
  /* Nothing to undo: once TLS is used the backend pins the module (see
   * backend.c), and before that only the dynamic backend type exists,
   * which GTypeModule handles itself. */
}

gchar **
g_io_tlslite_query (void)
{
  /* Lets gio-querymodules list us in giomodule.cache so GIO can load the
   * module lazily, only when a TLS backend is needed. */
  gchar *eps[] = { (gchar *) G_TLS_BACKEND_EXTENSION_POINT_NAME, NULL };

  return g_strdupv (eps);
}
