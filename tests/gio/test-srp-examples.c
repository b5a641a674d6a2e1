/* Runs examples/srp-login (C) and examples/srp-login.py against an SRP-only GIO server. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tlscore/store.h"

static gchar *tmpdir, *db_path, *address;
static GMainContext *server_ctx;
static GMainLoop *server_loop;

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (conn), NULL, NULL);

  g_object_set (tls, "verifier-database-path", db_path, NULL);
  /* A failed login is the client's to report; nothing to do here. */
  if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, NULL))
    g_io_stream_close (tls, NULL, NULL);
  g_object_unref (tls);
  return TRUE;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  GSocketService *service = data;

  g_main_context_push_thread_default (server_ctx);
  g_socket_service_start (service);
  g_main_loop_run (server_loop);
  g_socket_service_stop (service);
  g_main_context_pop_thread_default (server_ctx);
  return NULL;
}

static void
run (const gchar *const *argv, gint *status, gchar **out, gchar **err)
{
  GError *error = NULL;
  gchar **envp = g_get_environ ();

  /* An ASan build: the interpreter must load the ASan runtime first, and
   * the interpreter's own allocations are not ours to report. */
  if (ASAN_PRELOAD[0] && g_str_has_suffix (argv[0], "python3"))
    {
      envp = g_environ_setenv (envp, "LD_PRELOAD", ASAN_PRELOAD, TRUE);
      envp = g_environ_setenv (envp, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
    }
  g_spawn_sync (NULL, (gchar **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err, status, &error);
  g_strfreev (envp);
  g_assert_no_error (error);
  g_test_message ("%s: stdout %s stderr %s", argv[0], *out, *err);
}

static void
check_program (const gchar *const *prefix)
{
  const gchar *argv[8];
  gchar *out, *err;
  gint status, n = 0;

  while (prefix[n])
    {
      argv[n] = prefix[n];
      n++;
    }
  argv[n] = address;
  argv[n + 1] = "alice";
  argv[n + 2] = "alice's password";
  argv[n + 3] = NULL;
  run (argv, &status, &out, &err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "logged in as alice\n");
  g_free (out);
  g_free (err);

  argv[n + 2] = "guess";
  run (argv, &status, &out, &err);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "SRP login failed: wrong user name or password\n");
  g_free (out);
  g_free (err);
}

static void
test_c (void)
{
  const gchar *argv[] = { SRP_LOGIN_C, NULL };

  check_program (argv);
}

static void
test_python (void)
{
  const gchar *argv[] = { PYTHON3, SRP_LOGIN_PY, NULL };

  check_program (argv);
}

int
main (int argc, char **argv)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *effective = NULL;
  GSocketService *service;
  GError *error = NULL;
  GThread *thread;
  tc_error err;
  tc_store *st;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* The programs run in the C locale: English messages to compare. */
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");

  tmpdir = g_dir_make_tmp ("test-srp-examples-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "verifiers.db", NULL);
  tc_error_clear (&err);
  st = tc_store_open (db_path, TC_STORE_SRP, TC_STORE_CREATE, &err);
  g_assert_nonnull (st);
  g_assert_cmpint (tc_store_srp_add (st, "alice", (const uint8_t *) "alice's password", 16, 2048, &err),
                   ==, TC_OK);
  tc_store_close (st);

  server_ctx = g_main_context_new ();
  server_loop = g_main_loop_new (server_ctx, FALSE);
  g_main_context_push_thread_default (server_ctx);
  service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_main_context_pop_thread_default (server_ctx);
  address = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  thread = g_thread_new ("server", server_thread, service);

  g_test_add_func ("/srp-examples/c", test_c);
  g_test_add_func ("/srp-examples/python", test_python);
  ret = g_test_run ();

  g_main_context_invoke (server_ctx, quit_loop, server_loop);
  g_thread_join (thread);
  g_object_unref (service);
  g_object_unref (effective);
  g_object_unref (addr);
  g_object_unref (lo);
  {
    const gchar *suffixes[] = { "", "-wal", "-shm" };
    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        gchar *p = g_strconcat (db_path, suffixes[i], NULL);
        g_remove (p);
        g_free (p);
      }
  }
  g_rmdir (tmpdir);
  return ret;
}
