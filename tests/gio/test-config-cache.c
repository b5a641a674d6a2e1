/* The module's config cache: connections with identical settings share one tc_config; any change of settings gives another, and sharing changes no outcome. */
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include <tlslite-gio/tlslite.h>

/* Internal entry points of libtlslite-gio (gio-module/config-cache.h). */
void _tlslite_gio_config_cache_stats (guint *entries, guint64 *hits, guint64 *misses);
void _tlslite_gio_config_cache_clear (void);

typedef struct
{
  guint64 hits, misses;
} Counts;

static Counts
counts (void)
{
  Counts c;

  _tlslite_gio_config_cache_stats (NULL, &c.hits, &c.misses);
  return c;
}

static GTlsCertificate *
load_cert (const char *cert, const char *key)
{
  gchar *cf = g_build_filename (TEST_DATA_DIR, cert, NULL);
  gchar *kf = g_build_filename (TEST_DATA_DIR, key, NULL);
  GError *error = NULL;
  GTlsCertificate *c = g_tls_certificate_new_from_files (cf, kf, &error);

  g_assert_no_error (error);
  g_free (cf);
  g_free (kf);
  return c;
}

static GTlsDatabase *
load_db (const char *anchors)
{
  gchar *f = g_build_filename (TEST_DATA_DIR, anchors, NULL);
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (f, &error);

  g_assert_no_error (error);
  g_free (f);
  return db;
}

static GIOStream *
stream_from_fd (int fd)
{
  GError *error = NULL;
  GSocket *sock = g_socket_new_from_fd (fd, &error);
  GIOStream *s;

  g_assert_no_error (error);
  s = G_IO_STREAM (g_socket_connection_factory_create_connection (sock));
  g_object_unref (sock);
  return s;
}

/* What one connection pair is made with; NULL/0 fields are left as GIO's
 * defaults. */
typedef struct
{
  GTlsCertificate *server_cert;
  GTlsDatabase *client_db;          /* NULL: accept any certificate */
  TlsliteSettings *client_settings;
  const char *client_settings_string;
  const char *server_settings_string;
  const gchar *const *client_alpn;
  GTlsAuthenticationMode auth_mode;
} Setup;

typedef struct
{
  gboolean client_ok, server_ok;
  GError *client_error, *server_error;
  GTlsProtocolVersion version;
  gchar *alpn;
  gchar got[8];
} Outcome;

typedef struct
{
  GIOStream *tls;
  gboolean ok;
  GError *error;
  gchar got[8];
} Side;

static gpointer
server_thread (gpointer data)
{
  Side *srv = data;
  GInputStream *in = g_io_stream_get_input_stream (srv->tls);
  gsize n = 0;

  srv->ok = g_tls_connection_handshake (G_TLS_CONNECTION (srv->tls), NULL, &srv->error) &&
            g_input_stream_read_all (in, srv->got, 4, &n, NULL, &srv->error) && n == 4;
  if (!srv->ok)
    g_io_stream_close (srv->tls, NULL, NULL);   /* unblocks the client */
  return NULL;
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

/* One handshake, then 4 bytes client -> server. */
static void
run_pair (const Setup *st, Outcome *o)
{
  int fds[2];
  GError *error = NULL;
  GIOStream *cbase, *sbase, *client;
  GSocketConnectable *identity;
  Side srv = { 0 };
  GThread *t;

  memset (o, 0, sizeof *o);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  cbase = stream_from_fd (fds[0]);
  sbase = stream_from_fd (fds[1]);
  srv.tls = g_tls_server_connection_new (sbase, st->server_cert, &error);
  g_assert_no_error (error);
  g_object_set (srv.tls, "authentication-mode", st->auth_mode, NULL);
  if (st->server_settings_string)
    g_object_set (srv.tls, "settings-string", st->server_settings_string, NULL);
  identity = g_network_address_new ("localhost", 443);
  client = g_tls_client_connection_new (cbase, identity, &error);
  g_object_unref (identity);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (client), st->client_db);
  if (!st->client_db)
    g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (st->client_settings)
    g_object_set (client, "settings", st->client_settings, NULL);
  if (st->client_settings_string)
    g_object_set (client, "settings-string", st->client_settings_string, NULL);
  if (st->client_alpn)
    g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (client), st->client_alpn);

  t = g_thread_new ("cache-server", server_thread, &srv);
  o->client_ok = g_tls_connection_handshake (G_TLS_CONNECTION (client), NULL, &o->client_error) &&
                 g_output_stream_write_all (g_io_stream_get_output_stream (client), "ping", 4,
                                            NULL, NULL, &o->client_error);
  if (!o->client_ok)
    g_io_stream_close (client, NULL, NULL);     /* unblocks the server */
  g_thread_join (t);
  o->server_ok = srv.ok;
  o->server_error = srv.error;
  memcpy (o->got, srv.got, sizeof o->got);
  if (o->client_ok)
    {
      o->version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (client));
      o->alpn = g_strdup (g_tls_connection_get_negotiated_protocol (G_TLS_CONNECTION (client)));
    }
  g_io_stream_close (client, NULL, NULL);
  g_io_stream_close (srv.tls, NULL, NULL);
  g_object_unref (client);
  g_object_unref (srv.tls);
  g_object_unref (cbase);
  g_object_unref (sbase);
}

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->client_error);
  g_clear_error (&o->server_error);
  g_free (o->alpn);
}

static void
assert_ok (Outcome *o)
{
  g_assert_no_error (o->client_error);
  g_assert_no_error (o->server_error);
  g_assert_true (o->client_ok && o->server_ok);
  g_assert_cmpstr (o->got, ==, "ping");
}

/* Runs one pair and checks how many of its two connections (client and
 * server) found their config in the cache. */
static void
run_expect (const Setup *st, Outcome *o, guint hits, guint misses)
{
  Counts before = counts (), after;

  run_pair (st, o);
  after = counts ();
  g_assert_cmpuint (after.hits - before.hits, ==, hits);
  g_assert_cmpuint (after.misses - before.misses, ==, misses);
}

/* Identical settings: both sides share the first pair's configs, and the
 * shared configs work for every connection. */
static void
test_shared (void)
{
  Setup st = { 0 };
  Outcome o;
  guint entries;
  int i;

  _tlslite_gio_config_cache_clear ();
  st.server_cert = load_cert ("server-ecdsa.pem", "server-ecdsa-key.pem");
  st.client_db = load_db ("ca-ecdsa.pem");
  run_expect (&st, &o, 0, 2);
  assert_ok (&o);
  outcome_clear (&o);
  for (i = 0; i < 3; i++)
    {
      run_expect (&st, &o, 2, 0);
      assert_ok (&o);
      g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
      outcome_clear (&o);
    }
  _tlslite_gio_config_cache_stats (&entries, NULL, NULL);
  g_assert_cmpuint (entries, ==, 2);
  g_object_unref (st.server_cert);
  g_object_unref (st.client_db);
}

/* Any change of what goes into a config gives another config, and its
 * effect shows in the handshake. */
static void
test_changes (void)
{
  static const gchar *const h2[] = { "h2", NULL };
  static const gchar *const h11[] = { "http/1.1", NULL };
  Setup st = { 0 };
  Outcome o;
  TlsliteSettings *s;
  GTlsCertificate *other;

  _tlslite_gio_config_cache_clear ();
  st.server_cert = load_cert ("server-ecdsa.pem", "server-ecdsa-key.pem");
  st.client_db = load_db ("ca-ecdsa.pem");
  s = tlslite_settings_new ();
  st.client_settings = s;
  run_expect (&st, &o, 0, 2);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);

  /* The same settings object, changed between connections (as
   * glib-networking's tests change properties): a new client config. */
  g_object_set (s, "max-version", G_TLS_PROTOCOL_VERSION_TLS_1_2, NULL);
  run_expect (&st, &o, 1, 1);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);
  /* ... and back: the first config again. */
  g_object_set (s, "max-version", G_TLS_PROTOCOL_VERSION_TLS_1_3, NULL);
  run_expect (&st, &o, 2, 0);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);

  /* A settings string on the server. */
  st.server_settings_string = "max-version=tls1.2";
  run_expect (&st, &o, 1, 1);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);
  st.server_settings_string = NULL;

  /* ALPN on the client: two different lists, two configs. */
  st.client_alpn = h2;
  run_expect (&st, &o, 1, 1);
  assert_ok (&o);
  outcome_clear (&o);
  st.client_alpn = h11;
  run_expect (&st, &o, 1, 1);
  assert_ok (&o);
  outcome_clear (&o);
  st.client_alpn = NULL;

  /* The server's authentication mode. */
  st.auth_mode = G_TLS_AUTHENTICATION_REQUESTED;
  run_expect (&st, &o, 1, 1);
  assert_ok (&o);
  outcome_clear (&o);
  st.auth_mode = G_TLS_AUTHENTICATION_NONE;

  /* Another server certificate (another object, same files): another
   * config, and the client still verifies what it gets. */
  other = load_cert ("server-rsa.pem", "server-rsa-key.pem");
  g_object_unref (st.server_cert);
  st.server_cert = other;
  run_expect (&st, &o, 1, 1);
  g_assert_false (o.client_ok);       /* server-rsa is not under ca-ecdsa */
  g_assert_error (o.client_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  outcome_clear (&o);

  g_object_unref (st.server_cert);
  g_object_unref (st.client_db);
  g_object_unref (s);
}

/* The client's database is not part of its config (GIO verifies): a shared
 * config (with its cache of parsed peer certificates) must not carry one
 * connection's verdict to the next. */
static void
test_verification_not_shared (void)
{
  Setup st = { 0 };
  Outcome o;

  _tlslite_gio_config_cache_clear ();
  st.server_cert = load_cert ("server-ecdsa.pem", "server-ecdsa-key.pem");
  st.client_db = load_db ("ca-ecdsa.pem");
  run_expect (&st, &o, 0, 2);
  assert_ok (&o);
  outcome_clear (&o);

  g_object_unref (st.client_db);
  st.client_db = load_db ("other-ca.pem");
  run_expect (&st, &o, 2, 0);
  g_assert_false (o.client_ok);
  g_assert_error (o.client_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  outcome_clear (&o);

  g_object_unref (st.client_db);
  st.client_db = load_db ("ca-ecdsa.pem");
  run_expect (&st, &o, 2, 0);
  assert_ok (&o);
  outcome_clear (&o);
  g_object_unref (st.server_cert);
  g_object_unref (st.client_db);
}

/* Several threads making connections from the same shared configs. */
typedef struct
{
  const Setup *st;
  int failures;
} Worker;

static gpointer
worker (gpointer data)
{
  Worker *w = data;
  int i;

  for (i = 0; i < 4; i++)
    {
      Outcome o;

      run_pair (w->st, &o);
      if (!o.client_ok || !o.server_ok || strcmp (o.got, "ping") != 0)
        w->failures++;
      outcome_clear (&o);
    }
  return NULL;
}

static void
test_threads (void)
{
  Setup st = { 0 };
  Worker w[3];
  GThread *t[3];
  Counts before, after;
  int i;

  _tlslite_gio_config_cache_clear ();
  st.server_cert = load_cert ("server-ecdsa.pem", "server-ecdsa-key.pem");
  st.client_db = load_db ("ca-ecdsa.pem");
  before = counts ();
  for (i = 0; i < 3; i++)
    {
      w[i].st = &st;
      w[i].failures = 0;
      t[i] = g_thread_new ("cache-worker", worker, &w[i]);
    }
  for (i = 0; i < 3; i++)
    {
      g_thread_join (t[i]);
      g_assert_cmpint (w[i].failures, ==, 0);
    }
  after = counts ();
  /* 24 connections: one config per side, found by all but the first
   * (look-up and insertion are one step, so racing threads add no twins) */
  g_assert_cmpuint (after.misses - before.misses, ==, 2);
  g_assert_cmpuint (after.hits - before.hits, ==, 22);
  g_object_unref (st.server_cert);
  g_object_unref (st.client_db);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Not the build machine's own settings file. */
  g_setenv ("TLSLITE_SETTINGS_FILE", "/nonexistent/tlslite-settings.conf", TRUE);
  g_test_add_func ("/config-cache/shared", test_shared);
  g_test_add_func ("/config-cache/changes", test_changes);
  g_test_add_func ("/config-cache/verification-not-shared", test_verification_not_shared);
  g_test_add_func ("/config-cache/threads", test_threads);
  return g_test_run ();
}
