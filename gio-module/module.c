/* Entry points GIO looks up in libgiotlslite.so: load, unload and query. */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <unistd.h>

#include "tlslite-types.h"

G_MODULE_EXPORT void g_io_tlslite_load (GIOModule *module);
G_MODULE_EXPORT void g_io_tlslite_unload (GIOModule *module);
G_MODULE_EXPORT gchar **g_io_tlslite_query (void);

/* TLSLITE_LOCALEDIR lets tests and uninstalled runs use the .mo files of
 * the build tree (build/po/<lang>/LC_MESSAGES). A catalogue supplies format
 * strings, so like GIO_MODULE_DIR it is ignored in setuid programs. */
static const gchar *
locale_dir (void)
{
#ifdef __GLIBC__
  /* NULL in setuid/setgid/capability programs (AT_SECURE). */
  const gchar *dir = secure_getenv ("TLSLITE_LOCALEDIR");
#else
  const gchar *dir = (getuid () == geteuid () && getgid () == getegid ())
                     ? g_getenv ("TLSLITE_LOCALEDIR") : NULL;
#endif

  if (dir && *dir && g_path_is_absolute (dir))
    return dir;
  return LOCALEDIR;
}

void
g_io_tlslite_load (GIOModule *module)
{
  g_tls_backend_tlslite_register (module);

  /* GIO programs see our errors in their language; UTF-8 because GError
   * messages are UTF-8 whatever the locale's charset. */
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
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
