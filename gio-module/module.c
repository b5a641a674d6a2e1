/* libgiotlslite.so: the GIO module's entry points (load, unload, query); the types live in libtlslite-gio-1. */
#include <gio/gio.h>

#include "tlslite-types.h"

G_MODULE_EXPORT void g_io_tlslite_load (GIOModule *module);
G_MODULE_EXPORT void g_io_tlslite_unload (GIOModule *module);
G_MODULE_EXPORT gchar **g_io_tlslite_query (void);

void
g_io_tlslite_load (GIOModule *module)
{
  _tlslite_gio_module_load (module);
}

void
g_io_tlslite_unload (GIOModule *module)
{
  /* Nothing to undo: the types and the extension are the library's, and
   * the library (-z nodelete) stays mapped once loaded. */
}

gchar **
g_io_tlslite_query (void)
{
  /* Lets gio-querymodules list us in giomodule.cache so GIO can load the
   * module lazily, only when a TLS backend is needed. */
  gchar *eps[] = { (gchar *) G_TLS_BACKEND_EXTENSION_POINT_NAME, NULL };

  return g_strdupv (eps);
}
