/* libtlslite-gio-1 as a program sees it: version API, and one copy of every type when GIO also loads the module. */
#include <gio/gio.h>
#include <link.h>
#include <string.h>

#include <tlslite-gio/tlslite.h>

static void
test_version (void)
{
  gchar *expected = g_strdup_printf ("%u.%u.%u", TLSLITE_MAJOR_VERSION,
                                     TLSLITE_MINOR_VERSION, TLSLITE_MICRO_VERSION);

  /* The headers and the library come from the same build. */
  g_assert_cmpuint (tlslite_get_major_version (), ==, TLSLITE_MAJOR_VERSION);
  g_assert_cmpuint (tlslite_get_minor_version (), ==, TLSLITE_MINOR_VERSION);
  g_assert_cmpuint (tlslite_get_micro_version (), ==, TLSLITE_MICRO_VERSION);
  g_assert_cmpstr (tlslite_get_version (), ==, expected);
  g_assert_cmpstr (TLSLITE_VERSION_STRING, ==, PROJECT_VERSION);
  g_free (expected);

  g_assert_true (TLSLITE_CHECK_VERSION (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION,
                                        TLSLITE_MICRO_VERSION));
  g_assert_false (TLSLITE_CHECK_VERSION (TLSLITE_MAJOR_VERSION + 1, 0, 0));
  g_assert_false (TLSLITE_CHECK_VERSION (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION,
                                         TLSLITE_MICRO_VERSION + 1));

  g_assert_true (tlslite_check_version (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION,
                                        TLSLITE_MICRO_VERSION));
  g_assert_true (tlslite_check_version (TLSLITE_MAJOR_VERSION, 0, 0));
  /* Newer than what is loaded, or another ABI (major): incompatible. */
  g_assert_false (tlslite_check_version (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION,
                                         TLSLITE_MICRO_VERSION + 1));
  g_assert_false (tlslite_check_version (TLSLITE_MAJOR_VERSION, TLSLITE_MINOR_VERSION + 1, 0));
  g_assert_false (tlslite_check_version (TLSLITE_MAJOR_VERSION + 1, 0, 0));
}

typedef struct {
  guint libraries;   /* mapped copies of libtlslite-gio-1.so */
  guint modules;     /* mapped copies of libgiotlslite.so */
  gchar *library_path;
} Mapped;

static int
count_object (struct dl_phdr_info *info, size_t size, void *data)
{
  Mapped *m = data;
  const gchar *base = strrchr (info->dlpi_name, '/');

  base = base ? base + 1 : info->dlpi_name;
  if (g_str_has_prefix (base, "libtlslite-gio-1.so"))
    {
      m->libraries++;
      g_free (m->library_path);
      m->library_path = g_strdup (info->dlpi_name);
    }
  if (g_str_equal (base, "libgiotlslite.so"))
    m->modules++;
  return 0;
}

static Mapped
mapped (void)
{
  Mapped m = { 0, 0, NULL };

  dl_iterate_phdr (count_object, &m);
  return m;
}

/* A client connection from the backend GIO chose: types of the library. */
static void
assert_connection_works (void)
{
  GInputStream *in = g_memory_input_stream_new ();
  GOutputStream *out = g_memory_output_stream_new_resizable ();
  GIOStream *base = g_simple_io_stream_new (in, out);
  GError *error = NULL;
  GIOStream *conn = g_tls_client_connection_new (base, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (conn), ==, "GTlsClientConnectionTlslite");
  g_assert_true (g_type_from_name ("GTlsClientConnectionTlslite") == G_OBJECT_TYPE (conn));
  g_object_unref (conn);
  g_object_unref (base);
  g_object_unref (in);
  g_object_unref (out);
}

/* This program links the library; GIO loads the module (GIO_MODULE_DIR),
 * which links it too. There must be one library in the process, one
 * extension, and no second registration of any type (G_DEBUG=fatal-warnings
 * turns GType's "cannot register existing type" into a failure). When GIO
 * drops the module, the library and its types stay (-z nodelete). */
static void
test_one_copy (void)
{
  const gchar *dir = g_getenv ("GIO_MODULE_DIR");
  GList *modules, *l;
  GTlsBackend *backend;
  GIOExtensionPoint *ep;
  GTlsDatabase *db;
  guint ours = 0;
  Mapped m;

  g_assert_nonnull (dir);
  /* GIO's own scan first (it registers the extension points and may load
   * and drop the module), then the module loaded again and kept. */
  backend = g_tls_backend_get_default ();
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (backend), ==, "GTlsBackendTlslite");
  modules = g_io_modules_load_all_in_directory (dir);
  g_assert_nonnull (modules);
  m = mapped ();
  g_assert_cmpuint (m.modules, ==, 1);
  g_assert_cmpuint (m.libraries, ==, 1);
  /* The build tree's library, not an installed one (rpath). */
  g_assert_true (g_str_has_prefix (m.library_path, LIBRARY_BUILD_DIR));
  g_free (m.library_path);

  g_assert_true (backend == g_tls_backend_get_default ());
  g_assert_true (g_tls_backend_supports_tls (backend));
  db = g_tls_backend_get_default_database (backend);
  g_assert_nonnull (db);
  g_object_unref (db);
  ep = g_io_extension_point_lookup (G_TLS_BACKEND_EXTENSION_POINT_NAME);
  for (l = g_io_extension_point_get_extensions (ep); l; l = l->next)
    if (g_str_equal (g_io_extension_get_name (l->data), "tlslite"))
      ours++;
  g_assert_cmpuint (ours, ==, 1);
  assert_connection_works ();

  /* GIO may unload the module file; the library must stay. */
  for (l = modules; l; l = l->next)
    g_type_module_unuse (l->data);
  g_list_free (modules);
  m = mapped ();
  g_assert_cmpuint (m.libraries, ==, 1);
  g_free (m.library_path);
  assert_connection_works ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/library/version", test_version);
  g_test_add_func ("/library/one-copy", test_one_copy);
  return g_test_run ();
}
