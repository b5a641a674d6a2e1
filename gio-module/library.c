/* libtlslite-gio-1: process-wide set-up shared by the module and by programs that link the library. */
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <unistd.h>

#include "tlslite-types.h"

/* Below glib-networking's gnutls (0) and openssl (-1) backends, above GIO's
 * dummy (-100): installing this module never changes a system's default
 * backend; it is chosen with GIO_USE_TLS=tlslite, or used when no other
 * real backend is installed. */
#define TLSLITE_BACKEND_PRIORITY (-10)

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

static gpointer
bind_domain (gpointer data)
{
  /* GIO programs see our errors in their language; UTF-8 because GError
   * messages are UTF-8 whatever the locale's charset. */
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  return NULL;
}

/* Binds the library's gettext domain once per process. Called when the
 * module loads and by any public entry point that can produce a message
 * before a connection exists (a program may link the library and never
 * load the module). */
void
tlslite_gio_ensure_i18n (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, bind_domain, NULL);
}

/* The module's load hook (module.c). Every type lives in this library,
 * which is linked with -z nodelete: the module file itself may be
 * unloaded and loaded again by GIO, but the types and their code stay,
 * registered once per process whether the program linked the library or
 * GIO loaded it through the module. Registering the same type at the
 * extension point again is a no-op in GIO. */
void
_tlslite_gio_module_load (GIOModule *module)
{
  tlslite_gio_ensure_i18n ();
  g_io_extension_point_implement (G_TLS_BACKEND_EXTENSION_POINT_NAME,
                                  G_TYPE_TLS_BACKEND_TLSLITE,
                                  "tlslite",
                                  TLSLITE_BACKEND_PRIORITY);
}
