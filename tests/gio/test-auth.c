/* SRP and PSK logins through GIO: GSocketClient against a GSocketService with verifier and shared-key databases. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <sqlite3.h>

#include "tlscore/store.h"

#ifdef TEST_TYPED
#include <tlslite-gio/tlslite.h>
#endif

/*
 * Built twice. test-auth uses property names only and does not link the
 * tlslite-gio library (GIO loads the module from GIO_MODULE_DIR), as a
 * plain GIO program would; the databases are made with libtcstore.
 * test-auth-typed (TEST_TYPED) links the library and runs the same
 * logins with TlsliteInteraction, TlsliteVerifierDatabase and
 * TlsliteSharedKeyDatabase.
 *
 * The server runs in its own thread and main context; the client runs
 * synchronously (main thread) or asynchronously (main loop), and the
 * server handshakes synchronously or asynchronously to match.
 */

#define AUTH_ERROR (g_quark_from_static_string ("tlslite-auth-error-quark"))
enum { SRP_FAILED, PSK_UNKNOWN_IDENTITY, PSK_FAILED, NO_CREDENTIALS, DATABASE };

static gchar *tmpdir;
static gchar *srp_db_path;
static gchar *psk_db_path;
static const guint8 psk_key_bytes[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/* ---- the server ---- */

typedef struct
{
  gboolean async;
  gboolean typed;
  gboolean with_cert;
  gboolean no_srp;               /* no verifier database */
  gboolean no_psk;               /* no shared-key database */
  gboolean request_cert;         /* ask the client for a certificate */
  guint expect;                  /* handshakes server_wait waits for (0: 1) */
  const gchar *hint;
  const gchar *srp_path;   /* instead of srp_db_path / psk_db_path */
  const gchar *psk_path;
  GObject *vdb, *kdb;      /* typed: instead of opening the paths */
  /* A timeout source on the server's context: the longest it went
   * without being dispatched until the handshake finished. */
  GSource *ticker;
  gint64 last_tick, max_gap;

  GMainContext *ctx;
  GMainLoop *loop;
  GThread *thread;
  GSocketService *service;
  guint16 port;

  GMutex mutex;
  GCond cond;
  gboolean ready, done;
  guint n_done;
  gboolean peer_cert;
  gchar *srp_user;
  gchar *psk_identity;
  gchar *suite;
  GTlsProtocolVersion version;
  GError *error;
  /* The server connection's last-alert-* properties when it finished. */
  gint alert_sent, alert_received;
  gchar *alert_sent_name, *alert_received_name;
} Server;

static void
server_finish (Server *s, GTlsConnection *tls, GError *error)
{
  g_mutex_lock (&s->mutex);
  if (s->ticker)
    s->max_gap = MAX (s->max_gap, g_get_monotonic_time () - s->last_tick);
  /* A server may finish several handshakes (client unknown: a refused one,
   * then the login): the last one's values count. */
  g_clear_pointer (&s->alert_sent_name, g_free);
  g_clear_pointer (&s->alert_received_name, g_free);
  g_object_get (tls, "last-alert-sent-description", &s->alert_sent,
                "last-alert-received-description", &s->alert_received,
                "last-alert-sent-name", &s->alert_sent_name,
                "last-alert-received-name", &s->alert_received_name, NULL);
  /* The first error is kept (a client-unknown login fails one handshake
   * before the one that succeeds). */
  if (error && !s->error)
    s->error = error;
  else if (error)
    g_error_free (error);
  else
    {
      g_clear_pointer (&s->srp_user, g_free);
      g_clear_pointer (&s->psk_identity, g_free);
      g_clear_pointer (&s->suite, g_free);
      g_object_get (tls, "srp-username", &s->srp_user, "psk-identity", &s->psk_identity,
                    "ciphersuite-name", &s->suite, "protocol-version", &s->version, NULL);
      s->peer_cert = g_tls_connection_get_peer_certificate (tls) != NULL;
    }
  s->n_done++;
  s->done = s->n_done >= MAX (s->expect, 1);
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->mutex);
}

static void
server_greet (Server *s, GTlsConnection *tls)
{
  gchar *who = NULL, *line;
  GError *error = NULL;

  g_object_get (tls, s->psk_identity ? "psk-identity" : "srp-username", &who, NULL);
  line = g_strdup_printf ("hello %s\n", who ? who : "(nobody)");
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (tls)), line, strlen (line),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (tls), NULL, NULL);
  g_free (line);
  g_free (who);
}

static void
server_handshake_done (GObject *object, GAsyncResult *result, gpointer data)
{
  Server *s = data;
  GTlsConnection *tls = G_TLS_CONNECTION (object);
  GError *error = NULL;

  if (g_tls_connection_handshake_finish (tls, result, &error))
    {
      server_finish (s, tls, NULL);
      server_greet (s, tls);
    }
  else
    server_finish (s, tls, error);
  g_object_unref (tls);
}

static GTlsCertificate *
load_server_cert (void)
{
  GError *error = NULL;
  gchar *cert = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
  gchar *key = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
  GTlsCertificate *c = g_tls_certificate_new_from_files (cert, key, &error);

  g_assert_no_error (error);
  g_free (cert);
  g_free (key);
  return c;
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  Server *s = data;
  GTlsCertificate *cert = s->with_cert ? load_server_cert () : NULL;
  GError *error = NULL;
  GIOStream *tls = g_tls_server_connection_new (G_IO_STREAM (conn), cert, &error);

  g_assert_no_error (error);
  g_clear_object (&cert);
#ifdef TEST_TYPED
  if (s->typed)
    {
      TlsliteVerifierDatabase *vdb;
      TlsliteSharedKeyDatabase *kdb;

      vdb = s->vdb ? g_object_ref ((gpointer) s->vdb)
                   : tlslite_verifier_database_new (srp_db_path, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error);
      g_assert_no_error (error);
      kdb = s->kdb ? g_object_ref ((gpointer) s->kdb)
                   : tlslite_shared_key_database_new (psk_db_path, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error);
      g_assert_no_error (error);
      g_object_set (tls, "verifier-database", vdb, "shared-key-database", kdb, NULL);
      g_object_unref (vdb);
      g_object_unref (kdb);
    }
  else
#endif
    g_object_set (tls, "verifier-database-path", s->srp_path ? s->srp_path : srp_db_path,
                  "shared-key-database-path", s->psk_path ? s->psk_path : psk_db_path, NULL);
  if (s->no_srp)
    g_object_set (tls, "verifier-database", NULL, "verifier-database-path", NULL, NULL);
  if (s->no_psk)
    g_object_set (tls, "shared-key-database", NULL, "shared-key-database-path", NULL, NULL);
  if (s->request_cert)
    {
      g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
    }
  if (s->hint)
    g_object_set (tls, "psk-identity-hint", s->hint, NULL);

  if (s->async)
    g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                      server_handshake_done, s);
  else
    {
      if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
        {
          server_finish (s, G_TLS_CONNECTION (tls), NULL);
          server_greet (s, G_TLS_CONNECTION (tls));
        }
      else
        server_finish (s, G_TLS_CONNECTION (tls), error);
      g_object_unref (tls);
    }
  return TRUE;
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *effective = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (s->ctx);
  s->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (s->service), addr, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (s->service, "incoming", G_CALLBACK (on_incoming), s);
  g_socket_service_start (s->service);

  g_mutex_lock (&s->mutex);
  s->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  s->ready = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->mutex);

  g_main_loop_run (s->loop);

  g_socket_service_stop (s->service);
  g_socket_listener_close (G_SOCKET_LISTENER (s->service));
  g_object_unref (s->service);
  g_main_context_pop_thread_default (s->ctx);
  g_object_unref (effective);
  g_object_unref (addr);
  g_object_unref (lo);
  return NULL;
}

static Server *
server_start (gboolean async, gboolean typed)
{
  Server *s = g_new0 (Server, 1);

  s->async = async;
  s->typed = typed;
  g_mutex_init (&s->mutex);
  g_cond_init (&s->cond);
  s->ctx = g_main_context_new ();
  s->loop = g_main_loop_new (s->ctx, FALSE);
  s->thread = g_thread_new ("server", server_thread, s);
  g_mutex_lock (&s->mutex);
  while (!s->ready)
    g_cond_wait (&s->cond, &s->mutex);
  g_mutex_unlock (&s->mutex);
  return s;
}

static void
server_wait (Server *s)
{
  gint64 end = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&s->mutex);
  while (!s->done)
    if (!g_cond_wait_until (&s->cond, &s->mutex, end))
      g_error ("the server did not finish its handshake");
  g_mutex_unlock (&s->mutex);
}

/* Ready for the next client of the same server. */
static void
server_next (Server *s)
{
  g_mutex_lock (&s->mutex);
  s->done = FALSE;
  s->n_done = 0;
  g_clear_pointer (&s->srp_user, g_free);
  g_clear_pointer (&s->psk_identity, g_free);
  g_clear_pointer (&s->suite, g_free);
  g_clear_pointer (&s->alert_sent_name, g_free);
  g_clear_pointer (&s->alert_received_name, g_free);
  g_clear_error (&s->error);
  g_mutex_unlock (&s->mutex);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
server_tick (gpointer data)
{
  Server *s = data;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&s->mutex);
  if (!s->done)
    s->max_gap = MAX (s->max_gap, now - s->last_tick);
  s->last_tick = now;
  g_mutex_unlock (&s->mutex);
  return G_SOURCE_CONTINUE;
}

/* Count how long the server's main loop goes undispatched from now on. */
static void
server_watch_loop (Server *s)
{
  g_mutex_lock (&s->mutex);
  s->last_tick = g_get_monotonic_time ();
  s->max_gap = 0;
  s->ticker = g_timeout_source_new (10);
  g_source_set_callback (s->ticker, server_tick, s, NULL);
  g_source_attach (s->ticker, s->ctx);
  g_mutex_unlock (&s->mutex);
}

static void
server_stop (Server *s)
{
  GSource *idle = g_idle_source_new ();

  if (s->ticker)
    {
      g_source_destroy (s->ticker);
      g_source_unref (s->ticker);
    }

  /* From inside the loop: a quit before g_main_loop_run started is lost. */
  g_source_set_callback (idle, quit_loop, s->loop, NULL);
  g_source_attach (idle, s->ctx);
  g_source_unref (idle);
  g_thread_join (s->thread);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->ctx);
  g_free (s->srp_user);
  g_free (s->psk_identity);
  g_free (s->suite);
  g_free (s->alert_sent_name);
  g_free (s->alert_received_name);
  g_clear_error (&s->error);
  g_mutex_clear (&s->mutex);
  g_cond_clear (&s->cond);
  g_free (s);
}

/* ---- the client ---- */

typedef struct
{
  const gchar *srp_user;
  const gchar *srp_password;
  const gchar *psk_identity;
  const guint8 *psk_key;
  gsize psk_key_len;
  GTlsInteraction *interaction;
  gboolean verify_ca;     /* trust the test CA (server with a certificate) */
  gboolean own_cert;      /* set client-rsa as the connection's certificate */
  gboolean async;

  /* results */
  GIOStream *conn;
  GError *error;
  gchar *line;
  gchar *srp_user_after;
  gchar *psk_identity_after;
  gchar *hint_after;
  GTlsProtocolVersion version;
  gboolean resumed;
  gboolean done;
  GTlsConnection *tls;    /* kept from the event, so a failed one can be read */
} Client;

/* A connection's last alert in one direction, by property name only. */
static void
get_alert (gpointer tls, gboolean sent, gint *description, gchar **name)
{
  g_object_get (tls, sent ? "last-alert-sent-description" : "last-alert-received-description",
                description, sent ? "last-alert-sent-name" : "last-alert-received-name", name,
                NULL);
}

static void
on_client_event (GSocketClient *sc, GSocketClientEvent event, GSocketConnectable *connectable,
                 GIOStream *connection, gpointer data)
{
  Client *c = data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;
  g_set_object (&c->tls, G_TLS_CONNECTION (connection));
  /* Property names only: what any GIO program can do here. */
  if (c->srp_user)
    g_object_set (connection, "srp-username", c->srp_user, NULL);
  if (c->srp_password)
    g_object_set (connection, "srp-password", c->srp_password, NULL);
  if (c->psk_identity)
    g_object_set (connection, "psk-identity", c->psk_identity, NULL);
  if (c->psk_key)
    {
      GBytes *key = g_bytes_new (c->psk_key, c->psk_key_len);

      g_object_set (connection, "psk-key", key, NULL);
      g_bytes_unref (key);
    }
  if (c->interaction)
    g_tls_connection_set_interaction (G_TLS_CONNECTION (connection), c->interaction);
  if (c->own_cert)
    {
      GError *error = NULL;
      gchar *cert_file = g_build_filename (TEST_DATA_DIR, "client-rsa.pem", NULL);
      gchar *key_file = g_build_filename (TEST_DATA_DIR, "client-rsa-key.pem", NULL);
      GTlsCertificate *cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);

      g_assert_no_error (error);
      g_tls_connection_set_certificate (G_TLS_CONNECTION (connection), cert);
      g_object_unref (cert);
      g_free (cert_file);
      g_free (key_file);
    }
  if (c->verify_ca)
    {
      GError *error = NULL;
      gchar *ca = g_build_filename (TEST_DATA_DIR, "ca-rsa.pem", NULL);
      GTlsDatabase *db = g_tls_file_database_new (ca, &error);

      g_assert_no_error (error);
      g_tls_connection_set_database (G_TLS_CONNECTION (connection), db);
      g_object_unref (db);
      g_free (ca);
    }
}

static void
client_after (Client *c)
{
  GIOStream *tls;
  GDataInputStream *in;

  if (!c->conn)
    return;
  tls = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (c->conn));
  g_object_get (tls, "srp-username", &c->srp_user_after, "psk-identity", &c->psk_identity_after,
                "psk-identity-hint", &c->hint_after, "protocol-version", &c->version, NULL);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (c->conn));
  c->line = g_data_input_stream_read_line (in, NULL, NULL, &c->error);
  g_object_unref (in);
  g_object_get (tls, "session-resumed", &c->resumed, NULL);
}

static void
client_connected (GObject *object, GAsyncResult *result, gpointer data)
{
  Client *c = data;

  c->conn = G_IO_STREAM (g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result,
                                                                  &c->error));
  c->done = TRUE;
  g_main_context_wakeup (NULL);
}

static void
client_run (Client *c, Server *s)
{
  GSocketClient *sc = g_socket_client_new ();
  gchar *host = g_strdup_printf ("127.0.0.1:%u", s->port);

  g_socket_client_set_tls (sc, TRUE);
  g_signal_connect (sc, "event", G_CALLBACK (on_client_event), c);
  if (c->async)
    {
      g_socket_client_connect_to_host_async (sc, host, 0, NULL, client_connected, c);
      while (!c->done)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    c->conn = G_IO_STREAM (g_socket_client_connect_to_host (sc, host, 0, NULL, &c->error));
  client_after (c);
  /* A failed connection we still hold must let go of its socket, or a
   * server waiting for its ClientHello waits forever. */
  if (!c->conn && c->tls)
    g_io_stream_close (G_IO_STREAM (c->tls), NULL, NULL);
  server_wait (s);
  g_object_unref (sc);
  g_free (host);
}

static void
client_clear (Client *c)
{
  if (c->conn)
    g_io_stream_close (c->conn, NULL, NULL);
  g_clear_object (&c->conn);
  g_clear_object (&c->tls);
  g_clear_error (&c->error);
  g_free (c->line);
  g_free (c->srp_user_after);
  g_free (c->psk_identity_after);
  g_free (c->hint_after);
}

/* ---- a plain GTlsInteraction that answers ask_password ---- */

typedef struct
{
  GTlsInteraction parent_instance;
  gchar *password;      /* NULL: decline */
  gchar *description;   /* what it was asked */
  gboolean main_thread;
  gboolean give_cert;   /* request_certificate: answer client-rsa */
  guint cert_asks;
} PlainInteraction;

typedef struct { GTlsInteractionClass parent_class; } PlainInteractionClass;

static GType plain_interaction_get_type (void);
G_DEFINE_TYPE (PlainInteraction, plain_interaction, G_TYPE_TLS_INTERACTION)

static GThread *main_thread;

static GTlsInteractionResult
plain_ask_password (GTlsInteraction *interaction, GTlsPassword *password, GCancellable *cancellable,
                    GError **error)
{
  PlainInteraction *self = (PlainInteraction *) interaction;

  g_free (self->description);
  self->description = g_strdup (g_tls_password_get_description (password));
  self->main_thread = g_thread_self () == main_thread;
  if (!self->password)
    return G_TLS_INTERACTION_UNHANDLED;
  g_tls_password_set_value (password, (const guchar *) self->password, -1);
  return G_TLS_INTERACTION_HANDLED;
}

static GTlsInteractionResult
plain_request_certificate (GTlsInteraction *interaction, GTlsConnection *conn,
                           GTlsCertificateRequestFlags flags, GCancellable *cancellable, GError **error)
{
  PlainInteraction *self = (PlainInteraction *) interaction;
  gchar *cert_file, *key_file;
  GTlsCertificate *cert;

  self->cert_asks++;
  if (!self->give_cert)
    return G_TLS_INTERACTION_UNHANDLED;
  cert_file = g_build_filename (TEST_DATA_DIR, "client-rsa.pem", NULL);
  key_file = g_build_filename (TEST_DATA_DIR, "client-rsa-key.pem", NULL);
  cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
  g_free (cert_file);
  g_free (key_file);
  if (!cert)
    return G_TLS_INTERACTION_FAILED;
  g_tls_connection_set_certificate (conn, cert);
  g_object_unref (cert);
  return G_TLS_INTERACTION_HANDLED;
}

static void
plain_interaction_finalize (GObject *object)
{
  PlainInteraction *self = (PlainInteraction *) object;

  g_free (self->password);
  g_free (self->description);
  G_OBJECT_CLASS (plain_interaction_parent_class)->finalize (object);
}

static void
plain_interaction_init (PlainInteraction *self)
{
}

static void
plain_interaction_class_init (PlainInteractionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = plain_interaction_finalize;
  G_TLS_INTERACTION_CLASS (klass)->ask_password = plain_ask_password;
  G_TLS_INTERACTION_CLASS (klass)->request_certificate = plain_request_certificate;
}

static PlainInteraction *
plain_interaction_new (const gchar *password)
{
  PlainInteraction *self = g_object_new (plain_interaction_get_type (), NULL);

  self->password = g_strdup (password);
  return self;
}

/* ---- tests ---- */

typedef struct
{
  gboolean async;
  gboolean typed;
} Mode;

static const Mode sync_mode = { FALSE, FALSE }, async_mode = { TRUE, FALSE };

static void
test_srp_login (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, m->typed);
  Client c = { .srp_user = "alice", .srp_password = "alice's password", .async = m->async };

  client_run (&c, s);
  g_assert_no_error (c.error);
  g_assert_no_error (s->error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  g_assert_cmpstr (c.srp_user_after, ==, "alice");
  g_assert_null (c.psk_identity_after);
  g_assert_cmpint (c.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  g_assert_cmpstr (s->srp_user, ==, "alice");
  g_assert_nonnull (strstr (s->suite, "SRP"));
  client_clear (&c);
  server_stop (s);
}

/* What TLS Lite's TLSRemoteAlert / TLSLocalAlert told apart: the server
 * sent the alert, the client received it, both readable by property name
 * on the failed connections. */
static void
check_alert_pair (Client *c, Server *s, gint description, const gchar *name)
{
  gint desc;
  gchar *got;

  g_assert_nonnull (c->tls);
  get_alert (c->tls, FALSE, &desc, &got);
  g_assert_cmpint (desc, ==, description);
  g_assert_cmpstr (got, ==, name);
  g_free (got);
  g_assert_cmpint (s->alert_sent, ==, description);
  g_assert_cmpstr (s->alert_sent_name, ==, name);
  /* Nothing came back: the client does not answer a fatal alert. */
  g_assert_cmpint (s->alert_received, ==, -1);
  g_assert_null (s->alert_received_name);
#ifdef TEST_TYPED
  {
    TlsliteAlert *a = NULL;

    g_object_get (c->tls, "last-alert-received", &a, NULL);
    g_assert_nonnull (a);
    g_assert_cmpint (tlslite_alert_get_origin (a), ==, TLSLITE_ALERT_ORIGIN_REMOTE);
    g_assert_true (tlslite_alert_is_fatal (a));
    g_assert_cmpint (tlslite_alert_get_description (a), ==, description);
    g_assert_cmpstr (tlslite_alert_get_name (a), ==, name);
    tlslite_alert_free (a);
  }
#endif
}

static void
check_srp_refused (const Mode *m, const gchar *user, const gchar *password)
{
  Server *s = server_start (m->async, m->typed);
  Client c = { .srp_user = user, .srp_password = password, .async = m->async };

  client_run (&c, s);
  g_assert_error (c.error, AUTH_ERROR, SRP_FAILED);
  g_test_message ("client: %s", c.error->message);
  g_assert_null (c.conn);
  g_assert_error (s->error, AUTH_ERROR, SRP_FAILED);
  g_test_message ("server: %s", s->error->message);
  /* The user name from the wire is in the server's message, escaped. */
  g_assert_nonnull (strstr (s->error->message, user[0] == 'a' ? "alice" : "mallory"));
  check_alert_pair (&c, s, 20, "bad_record_mac");
  client_clear (&c);
  server_stop (s);
}

static void
test_srp_wrong_password (gconstpointer data)
{
  check_srp_refused (data, "alice", "not alice's password");
}

static void
test_srp_unknown_user (gconstpointer data)
{
  check_srp_refused (data, "mallory", "whatever");
}

static void
test_srp_plain_interaction (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, m->typed);
  PlainInteraction *ia = plain_interaction_new ("alice's password");
  Client c = { .srp_user = "alice", .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  client_run (&c, s);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  /* An ordinary password prompt, told whose password for which server. */
  g_assert_cmpstr (ia->description, ==, "SRP password for alice at 127.0.0.1");
  g_assert_true (ia->main_thread);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

static void
test_srp_no_password (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, m->typed);
  PlainInteraction *ia = plain_interaction_new (NULL);
  Client c = { .srp_user = "alice", .interaction = G_TLS_INTERACTION (ia), .async = m->async };
  Client c2 = { .srp_user = "alice", .async = m->async };

  /* The interaction declines. */
  client_run (&c, s);
  g_assert_error (c.error, AUTH_ERROR, NO_CREDENTIALS);
  g_assert_nonnull (ia->description);
  client_clear (&c);
  server_stop (s);

  /* No interaction at all: refused before anything is sent. */
  s = server_start (m->async, m->typed);
  {
    GSocketClient *sc = g_socket_client_new ();
    gchar *host = g_strdup_printf ("127.0.0.1:%u", s->port);

    g_socket_client_set_tls (sc, TRUE);
    g_signal_connect (sc, "event", G_CALLBACK (on_client_event), &c2);
    c2.conn = G_IO_STREAM (g_socket_client_connect_to_host (sc, host, 0, NULL, &c2.error));
    g_assert_error (c2.error, AUTH_ERROR, NO_CREDENTIALS);
    g_assert_nonnull (strstr (c2.error->message, "alice"));
    g_object_unref (sc);
    g_free (host);
  }
  client_clear (&c2);
  server_stop (s);
  g_object_unref (ia);
}

static void
use_tls12 (gboolean on)
{
  if (on)
    g_setenv ("G_TLS_TLSLITE_MAX_VERSION", "tls1.2", TRUE);
  else
    g_unsetenv ("G_TLS_TLSLITE_MAX_VERSION");
}

typedef struct
{
  Mode mode;
  gboolean tls12;
} PskMode;

static void
test_psk_login (gconstpointer data)
{
  const PskMode *pm = data;
  Server *s;
  Client c = { .psk_identity = "device-7", .psk_key = psk_key_bytes,
               .psk_key_len = sizeof psk_key_bytes, .async = pm->mode.async };

  use_tls12 (pm->tls12);
  s = server_start (pm->mode.async, pm->mode.typed);
  s->hint = "the-hint";
  client_run (&c, s);
  use_tls12 (FALSE);
  g_assert_no_error (c.error);
  g_assert_no_error (s->error);
  g_assert_cmpstr (c.line, ==, "hello device-7");
  g_assert_cmpstr (c.psk_identity_after, ==, "device-7");
  g_assert_null (c.srp_user_after);
  g_assert_cmpstr (s->psk_identity, ==, "device-7");
  g_assert_cmpint (c.version, ==, pm->tls12 ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);
  if (pm->tls12)
    {
      /* The hint travels in TLS 1.2's ServerKeyExchange only. */
      g_assert_cmpstr (c.hint_after, ==, "the-hint");
      g_assert_nonnull (strstr (s->suite, "PSK"));
    }
  client_clear (&c);
  server_stop (s);
}

static void
test_psk_wrong_key (gconstpointer data)
{
  const PskMode *pm = data;
  guint8 wrong[32];
  Server *s;
  Client c = { .psk_identity = "device-7", .psk_key = wrong, .psk_key_len = sizeof wrong,
               .async = pm->mode.async };

  memcpy (wrong, psk_key_bytes, sizeof wrong);
  wrong[31] ^= 1;
  use_tls12 (pm->tls12);
  s = server_start (pm->mode.async, pm->mode.typed);
  client_run (&c, s);
  use_tls12 (FALSE);
  g_assert_error (c.error, AUTH_ERROR, PSK_FAILED);
  g_test_message ("client: %s", c.error->message);
  g_assert_nonnull (strstr (c.error->message, "device-7"));
  g_assert_error (s->error, AUTH_ERROR, PSK_FAILED);
  g_test_message ("server: %s", s->error->message);
  /* TLS 1.2: the client's Finished does not decrypt; TLS 1.3: the binder
   * does not verify (RFC 8446 §4.2.11). */
  if (pm->tls12)
    check_alert_pair (&c, s, 20, "bad_record_mac");
  else
    check_alert_pair (&c, s, 51, "decrypt_error");
  client_clear (&c);
  server_stop (s);
}

static void
test_psk_unknown_identity (gconstpointer data)
{
  const PskMode *pm = data;
  Server *s;
  /* A control character in the identity: escaped in both messages. */
  Client c = { .psk_identity = "nobody\033[31m", .psk_key = psk_key_bytes,
               .psk_key_len = sizeof psk_key_bytes, .async = pm->mode.async };

  use_tls12 (pm->tls12);
  s = server_start (pm->mode.async, pm->mode.typed);
  client_run (&c, s);
  use_tls12 (FALSE);
  g_assert_error (c.error, AUTH_ERROR, PSK_UNKNOWN_IDENTITY);
  g_test_message ("client: %s", c.error->message);
  g_assert_nonnull (strstr (c.error->message, "nobody\\x1b[31m"));
  g_assert_error (s->error, AUTH_ERROR, PSK_UNKNOWN_IDENTITY);
  g_test_message ("server: %s", s->error->message);
  g_assert_null (strchr (s->error->message, '\033'));
  check_alert_pair (&c, s, 115, "unknown_psk_identity");
  client_clear (&c);
  server_stop (s);
}

/* ---- resumption never stands in for a secret ---- */

/* The client's process-wide session cache (off in tests unless asked
 * for) must offer a session again only with the same password or key: a
 * program that checks a password by logging in must see a wrong one
 * fail, not a resumed session made with the right one. */
static void
session_cache_on (gboolean on)
{
  if (on)
    g_setenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE", "1", TRUE);
  else
    g_unsetenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE");
}

static void
test_srp_resume_needs_password (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  PlainInteraction *wrong_ia = plain_interaction_new ("not alice's password");
  PlainInteraction *right_ia = plain_interaction_new ("alice's password");
  Client good = { .srp_user = "alice", .srp_password = "alice's password", .async = m->async };
  Client bad = { .srp_user = "alice", .srp_password = "not alice's password", .async = m->async };
  Client bad_ia = { .srp_user = "alice", .interaction = G_TLS_INTERACTION (wrong_ia), .async = m->async };
  Client again = { .srp_user = "alice", .srp_password = "alice's password", .async = m->async };
  Client again_ia = { .srp_user = "alice", .interaction = G_TLS_INTERACTION (right_ia), .async = m->async };

  session_cache_on (TRUE);
  s = server_start (m->async, m->typed);
  client_run (&good, s);
  g_assert_no_error (good.error);
  g_assert_cmpstr (good.line, ==, "hello alice");
  g_assert_false (good.resumed);

  /* The same user with a wrong password, from a property and from an
   * interaction: a full handshake, refused as SRP_FAILED. */
  server_next (s);
  client_run (&bad, s);
  g_assert_error (bad.error, AUTH_ERROR, SRP_FAILED);
  g_assert_null (bad.conn);
  g_assert_error (s->error, AUTH_ERROR, SRP_FAILED);
  server_next (s);
  client_run (&bad_ia, s);
  g_assert_error (bad_ia.error, AUTH_ERROR, SRP_FAILED);
  g_assert_null (bad_ia.conn);
  g_assert_nonnull (wrong_ia->description);

  /* The right password resumes, as the same user on both sides, whether
   * it came from a property or from the interaction. */
  server_next (s);
  client_run (&again, s);
  g_assert_no_error (again.error);
  g_assert_no_error (s->error);
  g_assert_true (again.resumed);
  g_assert_cmpstr (again.line, ==, "hello alice");
  g_assert_cmpstr (again.srp_user_after, ==, "alice");
  g_assert_cmpstr (s->srp_user, ==, "alice");
  server_next (s);
  client_run (&again_ia, s);
  g_assert_no_error (again_ia.error);
  g_assert_true (again_ia.resumed);
  g_assert_cmpstr (again_ia.srp_user_after, ==, "alice");
  session_cache_on (FALSE);

  client_clear (&good);
  client_clear (&bad);
  client_clear (&bad_ia);
  client_clear (&again);
  client_clear (&again_ia);
  server_stop (s);
  g_object_unref (wrong_ia);
  g_object_unref (right_ia);
}

static void
test_psk_resume_needs_key (gconstpointer data)
{
  const PskMode *pm = data;
  guint8 changed[32];
  Server *s;
  Client good = { .psk_identity = "device-7", .psk_key = psk_key_bytes,
                  .psk_key_len = sizeof psk_key_bytes, .async = pm->mode.async };
  Client bad = { .psk_identity = "device-7", .psk_key = changed, .psk_key_len = sizeof changed,
                 .async = pm->mode.async };
  Client again = { .psk_identity = "device-7", .psk_key = psk_key_bytes,
                   .psk_key_len = sizeof psk_key_bytes, .async = pm->mode.async };

  memcpy (changed, psk_key_bytes, sizeof changed);
  changed[0] ^= 0x80;
  use_tls12 (pm->tls12);
  session_cache_on (TRUE);
  s = server_start (pm->mode.async, pm->mode.typed);
  client_run (&good, s);
  g_assert_no_error (good.error);
  g_assert_cmpstr (good.line, ==, "hello device-7");
  g_assert_false (good.resumed);

  /* The same identity with a changed key: a full handshake, refused. */
  server_next (s);
  client_run (&bad, s);
  g_assert_error (bad.error, AUTH_ERROR, PSK_FAILED);
  g_assert_null (bad.conn);
  g_assert_error (s->error, AUTH_ERROR, PSK_FAILED);

  /* The key the session was made with resumes it. */
  server_next (s);
  client_run (&again, s);
  session_cache_on (FALSE);
  use_tls12 (FALSE);
  g_assert_no_error (again.error);
  g_assert_no_error (s->error);
  g_assert_true (again.resumed);
  g_assert_cmpstr (again.line, ==, "hello device-7");
  g_assert_cmpstr (again.psk_identity_after, ==, "device-7");
  g_assert_cmpstr (s->psk_identity, ==, "device-7");
  g_assert_cmpint (again.version, ==,
                   pm->tls12 ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);

  client_clear (&good);
  client_clear (&bad);
  client_clear (&again);
  server_stop (s);
}

/* A client certificate the interaction chose during the handshake
 * authenticated the session: a connection without it does not resume it
 * (the interaction's choice is not made for it), one that sets the same
 * certificate up front does. */
static void
test_cert_resume_needs_cert (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  PlainInteraction *ia = plain_interaction_new (NULL);
  Client chosen = { .interaction = G_TLS_INTERACTION (ia), .verify_ca = TRUE, .async = m->async };
  Client none = { .verify_ca = TRUE, .async = m->async };
  Client upfront = { .verify_ca = TRUE, .own_cert = TRUE, .async = m->async };

  ia->give_cert = TRUE;
  session_cache_on (TRUE);
  s = server_start (m->async, m->typed);
  s->with_cert = TRUE;
  s->no_srp = TRUE;
  s->no_psk = TRUE;
  s->request_cert = TRUE;
  client_run (&chosen, s);
  g_assert_no_error (chosen.error);
  g_assert_no_error (s->error);
  g_assert_cmpuint (ia->cert_asks, ==, 1);
  g_assert_true (s->peer_cert);
  g_assert_false (chosen.resumed);

  server_next (s);
  client_run (&none, s);
  g_assert_no_error (none.error);
  g_assert_no_error (s->error);
  g_assert_false (none.resumed);
  g_assert_false (s->peer_cert);

  server_next (s);
  client_run (&upfront, s);
  session_cache_on (FALSE);
  g_assert_no_error (upfront.error);
  g_assert_no_error (s->error);
  g_assert_true (upfront.resumed);
  g_assert_cmpuint (ia->cert_asks, ==, 1);

  client_clear (&chosen);
  client_clear (&none);
  client_clear (&upfront);
  server_stop (s);
  g_object_unref (ia);
}

/* ---- a database the server cannot read ---- */

typedef struct
{
  Mode mode;
  gboolean psk;          /* the shared-key database, else the verifier database */
  gboolean directory;    /* a directory in place of the file, else garbage */
} DbMode;

static gchar *
make_garbage_file (void)
{
  GError *error = NULL;
  gchar *path = g_build_filename (tmpdir, "garbage.db", NULL);
  guint8 junk[4096];
  guint i;

  /* Not SQLite: root (CI) reads any file whatever its mode, so a chmod
   * would not make it unreadable. */
  for (i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) (i * 7 + 13);
  g_file_set_contents (path, (const gchar *) junk, sizeof junk, &error);
  g_assert_no_error (error);
  return path;
}

/* The server fails the handshake with TLSLITE_AUTH_ERROR_DATABASE and
 * says which database; the client is told internal_error (the server's
 * fault), not a wrong password or an unknown identity. */
static void
test_database_unreadable (gconstpointer data)
{
  const DbMode *dm = data;
  gchar *bad = dm->directory ? g_build_filename (tmpdir, "a-directory.db", NULL) : make_garbage_file ();
  Server *s;
  Client c = { .async = dm->mode.async };
  gint desc;
  gchar *name;

  if (dm->directory)
    g_assert_cmpint (g_mkdir (bad, 0700), ==, 0);
  if (dm->psk)
    {
      c.psk_identity = "device-7";
      c.psk_key = psk_key_bytes;
      c.psk_key_len = sizeof psk_key_bytes;
    }
  else
    {
      c.srp_user = "alice";
      c.srp_password = "alice's password";
    }
  s = server_start (dm->mode.async, FALSE);
  if (dm->psk)
    s->psk_path = bad;
  else
    s->srp_path = bad;
  client_run (&c, s);

  g_assert_error (s->error, AUTH_ERROR, DATABASE);
  g_test_message ("server: %s", s->error->message);
  g_assert_nonnull (strstr (s->error->message, dm->psk ? "shared key database" : "verifier database"));
  g_assert_cmpint (s->alert_sent, ==, 80);
  g_assert_cmpstr (s->alert_sent_name, ==, "internal_error");

  g_assert_nonnull (c.error);
  g_assert_null (c.conn);
  g_test_message ("client: %s", c.error->message);
  g_assert_false (g_error_matches (c.error, AUTH_ERROR, SRP_FAILED));
  g_assert_false (g_error_matches (c.error, AUTH_ERROR, PSK_UNKNOWN_IDENTITY));
  get_alert (c.tls, FALSE, &desc, &name);
  g_assert_cmpint (desc, ==, 80);
  g_assert_cmpstr (name, ==, "internal_error");
  g_free (name);
  client_clear (&c);
  server_stop (s);

  if (dm->directory)
    g_rmdir (bad);
  else
    g_remove (bad);
  g_free (bad);
}

/* ---- look-ups never block the main loop ---- */

typedef struct
{
  sqlite3 *db;
  guint ms;
} Unlocker;

static gpointer
unlock_later (gpointer data)
{
  Unlocker *u = data;

  g_usleep (u->ms * (G_TIME_SPAN_MILLISECOND));
  sqlite3_close (u->db);
  return NULL;
}

static void
copy_file (const gchar *from, const gchar *to)
{
  GError *error = NULL;
  gchar *contents = NULL;
  gsize len = 0;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, len, &error);
  g_assert_no_error (error);
  g_free (contents);
}

static void
remove_db_files (const gchar *path)
{
  const gchar *suffixes[] = { "", "-wal", "-shm", "-journal" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gchar *f = g_strconcat (path, suffixes[i], NULL);

      g_remove (f);
      g_free (f);
    }
}

/* An async server whose verifier database is locked by another writer
 * for LOCK_MS: the look-up waits on SQLite's busy handler that long,
 * and the server's main loop goes on dispatching meanwhile (a 10 ms
 * timeout source is never late by more than a fraction of it). Run in
 * the server's own thread, the look-up would stall the loop for the
 * whole LOCK_MS. */
#define LOCK_MS 2500
static void
test_lookup_off_loop (gconstpointer data)
{
  const Mode *m = data;
  gchar *copy = g_build_filename (tmpdir, "locked.db", NULL);
  Unlocker u = { NULL, LOCK_MS };
  GThread *unlocker;
  Server *s;
  Client c = { .srp_user = "alice", .srp_password = "alice's password", .async = TRUE };
  gint64 start, took;
  char *msg = NULL;

  copy_file (srp_db_path, copy);
  g_assert_cmpint (sqlite3_open (copy, &u.db), ==, SQLITE_OK);
  /* In WAL mode only an exclusive-mode writer keeps readers out, until
   * it closes. */
  g_assert_cmpint (sqlite3_exec (u.db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;"
                                       "CREATE TABLE lock_holder (x); COMMIT;", NULL, NULL, &msg),
                   ==, SQLITE_OK);
  g_assert_null (msg);

  s = server_start (TRUE, m->typed);
  s->srp_path = copy;
  server_watch_loop (s);
  start = g_get_monotonic_time ();
  unlocker = g_thread_new ("unlock", unlock_later, &u);
  client_run (&c, s);
  took = g_get_monotonic_time () - start;
  g_thread_join (unlocker);

  g_assert_no_error (c.error);
  g_assert_no_error (s->error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  g_test_message ("handshake %" G_GINT64_FORMAT " ms, longest loop stall %" G_GINT64_FORMAT " ms",
                  took / 1000, s->max_gap / 1000);
  /* The look-up did wait for the lock... */
  g_assert_cmpint (took, >=, (LOCK_MS - 100) * G_TIME_SPAN_MILLISECOND);
  /* ...and the loop did not. */
  g_assert_cmpint (s->max_gap, <, 1000 * G_TIME_SPAN_MILLISECOND);
  client_clear (&c);
  server_stop (s);
  remove_db_files (copy);
  g_free (copy);
}

/* One server with a certificate, SRP users and shared keys: each client
 * gets what it asked for. */
static void
test_all_at_once (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  Client cert = { .verify_ca = TRUE, .async = m->async };
  Client srp = { .srp_user = "alice", .srp_password = "alice's password", .verify_ca = TRUE,
                 .async = m->async };
  Client psk = { .psk_identity = "device-7", .psk_key = psk_key_bytes,
                 .psk_key_len = sizeof psk_key_bytes, .verify_ca = TRUE, .async = m->async };

  s = server_start (m->async, m->typed);
  s->with_cert = TRUE;
  client_run (&cert, s);
  g_assert_no_error (cert.error);
  g_assert_cmpstr (cert.line, ==, "hello (nobody)");
  g_assert_cmpint (cert.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  g_assert_null (cert.srp_user_after);
  g_assert_null (cert.psk_identity_after);
  client_clear (&cert);
  server_stop (s);

  s = server_start (m->async, m->typed);
  s->with_cert = TRUE;
  client_run (&srp, s);
  g_assert_no_error (srp.error);
  g_assert_cmpstr (srp.line, ==, "hello alice");
  g_assert_cmpstr (s->srp_user, ==, "alice");
  client_clear (&srp);
  server_stop (s);

  s = server_start (m->async, m->typed);
  s->with_cert = TRUE;
  client_run (&psk, s);
  g_assert_no_error (psk.error);
  g_assert_cmpstr (psk.line, ==, "hello device-7");
  g_assert_cmpstr (s->psk_identity, ==, "device-7");
  g_assert_cmpint (psk.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  client_clear (&psk);
  server_stop (s);
}

#ifdef TEST_TYPED
/* ---- the typed objects ---- */

static void add_tests (const gchar *prefix, const Mode *sync_m, const Mode *async_m);

static const Mode typed_sync = { FALSE, TRUE }, typed_async = { TRUE, TRUE };

/* A TlsliteInteraction subclass: SRP through the async vfuncs, PSK
 * through the sync one (declines without a hint, answers the hint). */
typedef struct
{
  TlsliteInteraction parent_instance;
  guint srp_asks, psk_asks;
  gchar *last_hint;
  gboolean psk_needs_hint;
  gboolean srp_decline;
  gboolean srp_in_main_thread;
  guint srp_delay_ms;           /* answer later, from the main loop (a prompt) */
  guint cert_asks;
  gboolean cert_decline;
} TestInteraction;

typedef struct { TlsliteInteractionClass parent_class; } TestInteractionClass;

static GType test_interaction_get_type (void);
G_DEFINE_TYPE (TestInteraction, test_interaction, TLSLITE_TYPE_INTERACTION)

static gboolean
answer_later (gpointer data)
{
  GTask *task = data;

  g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
  return G_SOURCE_REMOVE;
}

static void
test_ask_srp_async (TlsliteInteraction *ia, GTlsConnection *conn, GTlsPassword *password,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer data)
{
  TestInteraction *self = (TestInteraction *) ia;
  GTask *task = g_task_new (ia, cancellable, callback, data);

  self->srp_asks++;
  self->srp_in_main_thread = g_thread_self () == main_thread;
  if (self->srp_decline)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }
  g_tls_password_set_value (password, (const guchar *) "alice's password", -1);
  if (self->srp_delay_ms)
    {
      GSource *later = g_timeout_source_new (self->srp_delay_ms);

      g_task_set_task_data (task, g_strdup ("alice"), g_free);
      g_source_set_callback (later, answer_later, task, g_object_unref);
      g_source_attach (later, g_main_context_get_thread_default ());
      g_source_unref (later);
      return;
    }
  g_task_return_pointer (task, g_strdup ("alice"), g_free);
  g_object_unref (task);
}

static GTlsInteractionResult
test_ask_srp_finish (TlsliteInteraction *ia, GAsyncResult *result, gchar **username, GError **error)
{
  GError *my_error = NULL;

  *username = g_task_propagate_pointer (G_TASK (result), &my_error);
  if (my_error)
    {
      g_propagate_error (error, my_error);
      return G_TLS_INTERACTION_FAILED;
    }
  return *username ? G_TLS_INTERACTION_HANDLED : G_TLS_INTERACTION_UNHANDLED;
}

static GTlsInteractionResult
test_ask_psk (TlsliteInteraction *ia, GTlsConnection *conn, const gchar *hint, gchar **identity,
              GBytes **key, GCancellable *cancellable, GError **error)
{
  TestInteraction *self = (TestInteraction *) ia;

  self->psk_asks++;
  g_free (self->last_hint);
  self->last_hint = g_strdup (hint);
  if (self->psk_needs_hint && g_strcmp0 (hint, "the-hint") != 0)
    return G_TLS_INTERACTION_UNHANDLED;
  *identity = g_strdup ("device-7");
  *key = g_bytes_new (psk_key_bytes, sizeof psk_key_bytes);
  return G_TLS_INTERACTION_HANDLED;
}

static GTlsInteractionResult
test_request_certificate (GTlsInteraction *ia, GTlsConnection *conn, GTlsCertificateRequestFlags flags,
                          GCancellable *cancellable, GError **error)
{
  TestInteraction *self = (TestInteraction *) ia;
  gchar *cert_file, *key_file;
  GTlsCertificate *cert;

  self->cert_asks++;
  if (self->cert_decline)
    return G_TLS_INTERACTION_UNHANDLED;
  cert_file = g_build_filename (TEST_DATA_DIR, "client-rsa.pem", NULL);
  key_file = g_build_filename (TEST_DATA_DIR, "client-rsa-key.pem", NULL);
  cert = g_tls_certificate_new_from_files (cert_file, key_file, error);
  g_free (cert_file);
  g_free (key_file);
  if (!cert)
    return G_TLS_INTERACTION_FAILED;
  g_tls_connection_set_certificate (conn, cert);
  g_object_unref (cert);
  return G_TLS_INTERACTION_HANDLED;
}

static void
test_interaction_finalize (GObject *object)
{
  g_free (((TestInteraction *) object)->last_hint);
  G_OBJECT_CLASS (test_interaction_parent_class)->finalize (object);
}

static void
test_interaction_init (TestInteraction *self)
{
}

static void
test_interaction_class_init (TestInteractionClass *klass)
{
  TlsliteInteractionClass *ia = TLSLITE_INTERACTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_interaction_finalize;
  ia->ask_srp_credentials_async = test_ask_srp_async;
  ia->ask_srp_credentials_finish = test_ask_srp_finish;
  ia->ask_psk = test_ask_psk;
  G_TLS_INTERACTION_CLASS (klass)->request_certificate = test_request_certificate;
}

/* TlsliteInteraction with fixed SRP credentials, no properties set. */
static void
test_typed_srp_login (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TlsliteInteraction *ia = tlslite_interaction_new_srp ("alice", "alice's password");
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  client_run (&c, s);
  g_assert_no_error (c.error);
  g_assert_no_error (s->error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  g_assert_cmpstr (c.srp_user_after, ==, "alice");
  g_assert_cmpstr (s->srp_user, ==, "alice");
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

/* A subclass answering through its async vfuncs, in the main context. */
static void
test_typed_srp_subclass (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  client_run (&c, s);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  g_assert_cmpuint (ia->srp_asks, ==, 1);
  g_assert_true (ia->srp_in_main_thread);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

static void
test_typed_srp_wrong_password (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TlsliteInteraction *ia = tlslite_interaction_new_srp ("alice", "wrong");
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  client_run (&c, s);
  g_assert_error (c.error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED);
  g_assert_error (s->error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

/* TLS 1.3: a TlsliteInteraction's PSK is offered in the ClientHello. */
static void
test_typed_psk13 (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  GBytes *key = g_bytes_new (psk_key_bytes, sizeof psk_key_bytes);
  TlsliteInteraction *ia = tlslite_interaction_new_psk ("device-7", key);
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  client_run (&c, s);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.line, ==, "hello device-7");
  g_assert_cmpint (c.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  g_assert_cmpstr (s->psk_identity, ==, "device-7");
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
  g_bytes_unref (key);
}

/* TLS 1.2: an interaction that needs the server's hint declines before
 * the handshake and is asked again with the hint. */
static void
test_typed_psk12_hint (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  ia->psk_needs_hint = TRUE;
  ia->srp_decline = TRUE;
  use_tls12 (TRUE);
  s = server_start (m->async, TRUE);
  s->hint = "the-hint";
  client_run (&c, s);
  use_tls12 (FALSE);
  g_assert_no_error (c.error);
  g_assert_cmpstr (c.line, ==, "hello device-7");
  g_assert_cmpuint (ia->psk_asks, ==, 2);
  g_assert_cmpstr (ia->last_hint, ==, "the-hint");
  g_assert_cmpstr (c.hint_after, ==, "the-hint");
  g_assert_cmpint (c.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

/* The interaction declines in TLS 1.2 too: missing credentials. */
static void
test_typed_psk12_declined (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };

  ia->psk_needs_hint = TRUE;
  ia->srp_decline = TRUE;
  use_tls12 (TRUE);
  s = server_start (m->async, TRUE);
  s->hint = "another-hint";
  client_run (&c, s);
  use_tls12 (FALSE);
  g_assert_error (c.error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS);
  g_assert_cmpuint (ia->psk_asks, ==, 2);
  g_assert_nonnull (s->error);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

typedef struct
{
  gint64 last, max_gap;
} LoopWatch;

/* Credentials an interaction gives during the handshake (TLS 1.2: the
 * PSK question asked again with the server's hint) are not known when a
 * cached session would have to be offered, so none is: the interaction
 * is asked every time. The session is stored under the credentials the
 * handshake used, so a connection that sets the same ones up front
 * resumes it, and one with a changed key does not. */
static void
test_typed_psk12_hint_resume (gconstpointer data)
{
  const Mode *m = data;
  Server *s;
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  guint8 changed[32];
  Client first = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };
  Client second = { .interaction = G_TLS_INTERACTION (ia), .async = m->async };
  Client same = { .psk_identity = "device-7", .psk_key = psk_key_bytes,
                  .psk_key_len = sizeof psk_key_bytes, .async = m->async };
  Client bad = { .psk_identity = "device-7", .psk_key = changed, .psk_key_len = sizeof changed,
                 .async = m->async };

  memcpy (changed, psk_key_bytes, sizeof changed);
  changed[5] ^= 1;
  ia->psk_needs_hint = TRUE;
  ia->srp_decline = TRUE;
  use_tls12 (TRUE);
  session_cache_on (TRUE);
  s = server_start (m->async, TRUE);
  s->hint = "the-hint";
  client_run (&first, s);
  g_assert_no_error (first.error);
  g_assert_false (first.resumed);
  g_assert_cmpuint (ia->psk_asks, ==, 2);

  server_next (s);
  client_run (&second, s);
  g_assert_no_error (second.error);
  g_assert_false (second.resumed);
  g_assert_cmpuint (ia->psk_asks, ==, 4);

  server_next (s);
  client_run (&bad, s);
  g_assert_error (bad.error, AUTH_ERROR, PSK_FAILED);

  server_next (s);
  client_run (&same, s);
  session_cache_on (FALSE);
  use_tls12 (FALSE);
  g_assert_no_error (same.error);
  g_assert_true (same.resumed);
  g_assert_cmpstr (same.line, ==, "hello device-7");
  g_assert_cmpstr (s->psk_identity, ==, "device-7");

  client_clear (&first);
  client_clear (&second);
  client_clear (&bad);
  client_clear (&same);
  server_stop (s);
  g_object_unref (ia);
}

static gboolean
loop_tick (gpointer data)
{
  LoopWatch *w = data;
  gint64 now = g_get_monotonic_time ();

  w->max_gap = MAX (w->max_gap, now - w->last);
  w->last = now;
  return G_SOURCE_CONTINUE;
}

/* An async client handshake whose TlsliteInteraction answers 1.5 s later
 * from the main loop (a password dialog would): the handshake waits for
 * the answer, the main loop does not. As GIO specifies for every
 * GTlsInteraction, the vfuncs run in the main context the interaction
 * belongs to (a sync vfunc is a modal prompt there), so a slow answer
 * must be an async one. */
static void
test_typed_slow_interaction (gconstpointer data)
{
  Server *s = server_start (TRUE, TRUE);
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  Client c = { .interaction = G_TLS_INTERACTION (ia), .async = TRUE };
  LoopWatch w = { g_get_monotonic_time (), 0 };
  GSource *ticker = g_timeout_source_new (10);
  gint64 start = g_get_monotonic_time (), took;

  ia->srp_delay_ms = 1500;
  g_source_set_callback (ticker, loop_tick, &w, NULL);
  g_source_attach (ticker, NULL);
  client_run (&c, s);
  took = g_get_monotonic_time () - start;
  g_source_destroy (ticker);
  g_source_unref (ticker);

  g_assert_no_error (c.error);
  g_assert_cmpstr (c.line, ==, "hello alice");
  g_assert_cmpuint (ia->srp_asks, ==, 1);
  g_assert_true (ia->srp_in_main_thread);
  g_test_message ("handshake %" G_GINT64_FORMAT " ms, longest main loop stall %" G_GINT64_FORMAT " ms",
                  took / 1000, w.max_gap / 1000);
  g_assert_cmpint (took, >=, 1400 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (w.max_gap, <, 1000 * G_TIME_SPAN_MILLISECOND);
  client_clear (&c);
  server_stop (s);
  g_object_unref (ia);
}

/* ---- client unknown (TLS Lite's handshakeClientUnknown) ---- */

static void
set_srp_unknown (GSocketClient *sc, GSocketClientEvent event, GSocketConnectable *connectable,
                 GIOStream *connection, gpointer data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_object_set (connection, "srp-unknown", TRUE, NULL);
}

typedef struct
{
  GSocketConnection *conn;
  GError *error;
  gboolean done;
} UnknownResult;

static void
unknown_done (GObject *object, GAsyncResult *result, gpointer data)
{
  UnknownResult *r = data;

  r->conn = tlslite_socket_client_connect_unknown_finish (G_SOCKET_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

/* Connects with tlslite_socket_client_connect_unknown (sync or async);
 * returns the first line the server sent, or NULL. */
static gchar *
connect_unknown (Server *s, gboolean async, GTlsInteraction *ia, gboolean verify_ca, GError **error)
{
  GSocketClient *sc = g_socket_client_new ();
  GNetworkAddress *addr = G_NETWORK_ADDRESS (g_network_address_new ("127.0.0.1", s->port));
  UnknownResult r = { NULL, NULL, FALSE };
  Client c = { .verify_ca = verify_ca };
  gchar *line = NULL;

  g_socket_client_set_tls (sc, TRUE);
  /* The program's own event handler still runs (here: the test CA). */
  g_signal_connect (sc, "event", G_CALLBACK (on_client_event), &c);
  if (async)
    {
      tlslite_socket_client_connect_unknown_async (sc, G_SOCKET_CONNECTABLE (addr), ia, NULL,
                                                   unknown_done, &r);
      while (!r.done)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    r.conn = tlslite_socket_client_connect_unknown (sc, G_SOCKET_CONNECTABLE (addr), ia, NULL, &r.error);
  if (r.conn)
    {
      GDataInputStream *in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (r.conn)));

      line = g_data_input_stream_read_line (in, NULL, NULL, &r.error);
      g_object_unref (in);
      g_io_stream_close (G_IO_STREAM (r.conn), NULL, NULL);
      g_object_unref (r.conn);
    }
  else if (c.tls)
    g_io_stream_close (G_IO_STREAM (c.tls), NULL, NULL);
  g_clear_object (&c.tls);
  if (r.error)
    g_propagate_error (error, r.error);
  server_wait (s);
  g_object_unref (addr);
  g_object_unref (sc);
  return line;
}

/* A certificate server that requests a client certificate: one
 * connection, the interaction gives its certificate, no SRP question. */
static void
test_unknown_cert_server (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  GError *error = NULL;
  gchar *line;

  s->with_cert = TRUE;
  s->no_srp = TRUE;
  s->no_psk = TRUE;
  s->request_cert = TRUE;
  line = connect_unknown (s, m->async, G_TLS_INTERACTION (ia), TRUE, &error);
  g_assert_no_error (error);
  g_assert_no_error (s->error);
  g_assert_cmpstr (line, ==, "hello (nobody)");
  g_assert_cmpuint (s->n_done, ==, 1);
  g_assert_true (s->peer_cert);
  g_assert_cmpuint (ia->cert_asks, ==, 1);
  g_assert_cmpuint (ia->srp_asks, ==, 0);
  g_free (line);
  server_stop (s);

  /* The same server, the interaction declines: no client certificate,
   * which a REQUESTED server accepts. */
  s = server_start (m->async, TRUE);
  s->with_cert = TRUE;
  s->no_srp = TRUE;
  s->no_psk = TRUE;
  s->request_cert = TRUE;
  ia->cert_decline = TRUE;
  line = connect_unknown (s, m->async, G_TLS_INTERACTION (ia), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "hello (nobody)");
  g_assert_false (s->peer_cert);
  g_assert_cmpuint (ia->cert_asks, ==, 2);
  g_assert_cmpuint (ia->srp_asks, ==, 0);
  g_free (line);
  server_stop (s);
  g_object_unref (ia);
}

/* An SRP server (no certificate): the first handshake is refused with
 * "SRP requested", the second asks the interaction and logs in. */
static void
test_unknown_srp_server (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  GError *error = NULL;
  gchar *line;

  s->expect = 2;
  s->no_psk = TRUE;
  line = connect_unknown (s, m->async, G_TLS_INTERACTION (ia), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "hello alice");
  g_assert_cmpuint (s->n_done, ==, 2);
  g_assert_nonnull (s->error);           /* the first handshake */
  g_test_message ("server, first handshake: %s", s->error->message);
  g_assert_cmpstr (s->srp_user, ==, "alice");
  g_assert_cmpuint (ia->srp_asks, ==, 1);
  g_assert_cmpuint (ia->cert_asks, ==, 0);
  g_free (line);
  server_stop (s);
  g_object_unref (ia);
}

/* An SRP server and an interaction that declines: NO_CREDENTIALS, the
 * second connection sends nothing. A plain GTlsInteraction without a user
 * name cannot answer SRP at all: the same. */
static void
test_unknown_declined (gconstpointer data)
{
  const Mode *m = data;
  Server *s = server_start (m->async, TRUE);
  TestInteraction *ia = g_object_new (test_interaction_get_type (), NULL);
  PlainInteraction *plain = plain_interaction_new ("alice's password");
  GError *error = NULL;
  gchar *line;

  ia->srp_decline = TRUE;
  s->expect = 2;
  s->no_psk = TRUE;
  line = connect_unknown (s, m->async, G_TLS_INTERACTION (ia), FALSE, &error);
  g_assert_null (line);
  g_assert_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS);
  g_test_message ("client: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (ia->srp_asks, ==, 1);
  g_assert_cmpuint (s->n_done, ==, 2);
  server_stop (s);

  s = server_start (m->async, TRUE);
  s->expect = 2;
  s->no_psk = TRUE;
  line = connect_unknown (s, m->async, G_TLS_INTERACTION (plain), FALSE, &error);
  g_assert_null (line);
  g_assert_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS);
  g_clear_error (&error);
  server_stop (s);

  /* Without the retry, the first step alone says what the server wants. */
  s = server_start (m->async, TRUE);
  s->no_psk = TRUE;
  {
    GSocketClient *sc = g_socket_client_new ();
    gchar *host = g_strdup_printf ("127.0.0.1:%u", s->port);
    Client c = { 0 };
    GSocketConnection *conn;

    g_socket_client_set_tls (sc, TRUE);
    g_signal_connect (sc, "event", G_CALLBACK (on_client_event), &c);
    g_signal_connect (sc, "event", G_CALLBACK (set_srp_unknown), NULL);
    conn = g_socket_client_connect_to_host (sc, host, 0, NULL, &error);
    g_assert_null (conn);
    g_assert_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_REQUESTED);
    g_test_message ("client: %s", error->message);
    g_clear_error (&error);
    g_io_stream_close (G_IO_STREAM (c.tls), NULL, NULL);
    g_clear_object (&c.tls);
    server_wait (s);
    g_object_unref (sc);
    g_free (host);
  }
  server_stop (s);
  g_object_unref (ia);
  g_object_unref (plain);
}

static void
test_typed_databases (void)
{
  TlsliteVerifierDatabase *vdb = tlslite_verifier_database_new (NULL, TLSLITE_DATABASE_FLAGS_NONE, NULL);
  TlsliteSharedKeyDatabase *kdb = tlslite_shared_key_database_new (NULL, TLSLITE_DATABASE_FLAGS_NONE, NULL);
  GBytes *key = g_bytes_new ("0123456789abcdef", 16), *got;
  GError *error = NULL;
  gchar **names;

  g_assert_nonnull (vdb);
  g_assert_null (tlslite_verifier_database_get_path (vdb));
  g_assert_true (tlslite_verifier_database_add_user (vdb, "bob", "pw1", 1024, &error));
  g_assert_no_error (error);
  g_assert_false (tlslite_verifier_database_add_user (vdb, "bob", "pw2", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (tlslite_verifier_database_has_user (vdb, "bob", &error));
  g_assert_false (tlslite_verifier_database_has_user (vdb, "carol", &error));
  g_assert_no_error (error);
  g_assert_true (tlslite_verifier_database_check_password (vdb, "bob", "pw1", &error));
  g_assert_false (tlslite_verifier_database_check_password (vdb, "bob", "pw2", &error));
  g_assert_no_error (error);
  g_assert_true (tlslite_verifier_database_set_password (vdb, "bob", "pw2", 0, &error));
  g_assert_true (tlslite_verifier_database_check_password (vdb, "bob", "pw2", &error));
  g_assert_false (tlslite_verifier_database_set_password (vdb, "carol", "x", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (tlslite_verifier_database_add_user (vdb, "bad:name", "x", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (tlslite_verifier_database_add_user (vdb, "alice", "pw", 1024, &error));
  names = tlslite_verifier_database_list_users (vdb, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "alice");
  g_assert_cmpstr (names[1], ==, "bob");
  g_strfreev (names);
  g_assert_true (tlslite_verifier_database_remove_user (vdb, "bob", &error));
  g_assert_false (tlslite_verifier_database_remove_user (vdb, "bob", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (tlslite_shared_key_database_add_key (kdb, "dev", key, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (tlslite_shared_key_database_add_key (kdb, "dev", key, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  got = tlslite_shared_key_database_lookup_key (kdb, "dev", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, key));
  g_bytes_unref (got);
  g_assert_null (tlslite_shared_key_database_lookup_key (kdb, "nope", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  names = tlslite_shared_key_database_list_identities (kdb, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_strfreev (names);
  g_assert_true (tlslite_shared_key_database_remove_key (kdb, "dev", &error));
  g_assert_null (tlslite_shared_key_database_lookup_key (kdb, "dev", &error));
  g_clear_error (&error);

  /* A verifier database is not a shared-key database. */
  g_assert_null (tlslite_shared_key_database_new (srp_db_path, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_bytes_unref (key);
  g_object_unref (vdb);
  g_object_unref (kdb);
}

/* A database object whose file turns to garbage after it was opened: the
 * look-up fails, the handshake fails with TLSLITE_AUTH_ERROR_DATABASE. */
static void
test_typed_database_broken (gconstpointer data)
{
  const Mode *m = data;
  GError *error = NULL;
  gchar *copy = g_build_filename (tmpdir, "copy.db", NULL);
  gchar *contents = NULL, *garbage;
  gsize len = 0;
  TlsliteVerifierDatabase *vdb;
  Server *s;
  Client c = { .srp_user = "alice", .srp_password = "alice's password", .async = m->async };
  gint desc;
  gchar *name;

  /* Unreadable from the start: no object at all. */
  garbage = make_garbage_file ();
  g_assert_null (tlslite_verifier_database_new (garbage, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "garbage.db"));
  g_clear_error (&error);
  g_assert_null (tlslite_shared_key_database_new (tmpdir, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_file_get_contents (srp_db_path, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, len, &error);
  g_assert_no_error (error);
  vdb = tlslite_verifier_database_new (copy, TLSLITE_DATABASE_FLAGS_READ_ONLY, &error);
  g_assert_no_error (error);
  /* Overwritten in place (same inode), as a broken disk or a stray
   * writer would. */
  {
    FILE *f = fopen (copy, "r+b");
    guint8 junk[4096];
    guint i;

    g_assert_nonnull (f);
    for (i = 0; i < sizeof junk; i++)
      junk[i] = (guint8) (i * 11 + 3);
    for (i = 0; i < (len + sizeof junk - 1) / sizeof junk; i++)
      g_assert_cmpuint (fwrite (junk, 1, sizeof junk, f), ==, sizeof junk);
    fclose (f);
  }

  s = server_start (m->async, TRUE);
  s->vdb = G_OBJECT (vdb);
  client_run (&c, s);
  g_assert_error (s->error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_DATABASE);
  g_test_message ("server: %s", s->error->message);
  g_assert_nonnull (strstr (s->error->message, "verifier database"));
  g_assert_cmpint (s->alert_sent, ==, 80);
  g_assert_nonnull (c.error);
  get_alert (c.tls, FALSE, &desc, &name);
  g_assert_cmpint (desc, ==, 80);
  g_assert_cmpstr (name, ==, "internal_error");
  g_free (name);
  client_clear (&c);
  server_stop (s);

  g_object_unref (vdb);
  for (len = 0; len < 2; len++)
    {
      gchar *side = g_strconcat (copy, len ? "-wal" : "-shm", NULL);

      g_remove (side);
      g_free (side);
    }
  g_remove (copy);
  g_remove (garbage);
  g_free (copy);
  g_free (garbage);
  g_free (contents);
}

static void
add_typed_tests (void)
{
  const Mode *modes[2] = { &typed_sync, &typed_async };
  guint a;

  g_test_add_func ("/auth/typed/databases", test_typed_databases);
  for (a = 0; a < 2; a++)
    {
      const Mode *m = modes[a];
      const gchar *how = m->async ? "async" : "sync";
      gchar *p;

#define ADD(name, fn)                                                 \
      p = g_strdup_printf ("/auth/typed/%s/%s", how, name);            \
      g_test_add_data_func (p, m, fn);                                 \
      g_free (p)

      ADD ("srp/login", test_typed_srp_login);
      ADD ("srp/subclass-async-vfuncs", test_typed_srp_subclass);
      ADD ("srp/wrong-password", test_typed_srp_wrong_password);
      ADD ("psk13/login", test_typed_psk13);
      ADD ("psk12/hint", test_typed_psk12_hint);
      ADD ("psk12/hint-resume", test_typed_psk12_hint_resume);
      ADD ("psk12/declined", test_typed_psk12_declined);
      ADD ("database-broken", test_typed_database_broken);
      ADD ("unknown/certificate-server", test_unknown_cert_server);
      ADD ("unknown/srp-server", test_unknown_srp_server);
      ADD ("unknown/declined", test_unknown_declined);
      if (m->async)
        {
          ADD ("srp/slow-interaction-off-main-loop", test_typed_slow_interaction);
        }
#undef ADD
    }
  /* The property-name tests again, with database objects on the server. */
  add_tests ("auth/typed-server", &typed_sync, &typed_async);
}
#endif

static void
make_databases (void)
{
  GError *error = NULL;
  tc_error err;
  tc_store *st;

  tmpdir = g_dir_make_tmp ("test-auth-XXXXXX", &error);
  g_assert_no_error (error);
  srp_db_path = g_build_filename (tmpdir, "verifiers.db", NULL);
  psk_db_path = g_build_filename (tmpdir, "keys.db", NULL);

  tc_error_clear (&err);
  st = tc_store_open (srp_db_path, TC_STORE_SRP, TC_STORE_CREATE, &err);
  g_assert_nonnull (st);
  g_assert_cmpint (tc_store_srp_add (st, "alice", (const uint8_t *) "alice's password",
                                     strlen ("alice's password"), 2048, &err), ==, TC_OK);
  tc_store_close (st);

  st = tc_store_open (psk_db_path, TC_STORE_PSK, TC_STORE_CREATE, &err);
  g_assert_nonnull (st);
  g_assert_cmpint (tc_store_psk_add (st, (const uint8_t *) "device-7", 8, psk_key_bytes,
                                     sizeof psk_key_bytes, &err), ==, TC_OK);
  tc_store_close (st);
}

static void
remove_databases (void)
{
  const gchar *suffixes[] = { "", "-wal", "-shm" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      gchar *a = g_strconcat (srp_db_path, suffixes[i], NULL);
      gchar *b = g_strconcat (psk_db_path, suffixes[i], NULL);

      g_remove (a);
      g_remove (b);
      g_free (a);
      g_free (b);
    }
  g_rmdir (tmpdir);
  g_free (srp_db_path);
  g_free (psk_db_path);
  g_free (tmpdir);
}

static void
add_tests (const gchar *prefix, const Mode *sync_m, const Mode *async_m)
{
  static PskMode pmodes[2][2][2];   /* [typed][async][tls12] */
  static DbMode dmodes[2][2][4];    /* [typed][async][which] */
  const Mode *modes[2] = { sync_m, async_m };
  guint a, v;

  for (a = 0; a < 2; a++)
    {
      const Mode *m = modes[a];
      const gchar *how = m->async ? "async" : "sync";
      gchar *p;

#define ADD(name, fn, d)                                              \
      p = g_strdup_printf ("/%s/%s/%s", prefix, how, name);            \
      g_test_add_data_func (p, d, fn);                                 \
      g_free (p)

      ADD ("srp/login", test_srp_login, m);
      ADD ("srp/wrong-password", test_srp_wrong_password, m);
      ADD ("srp/unknown-user", test_srp_unknown_user, m);
      ADD ("srp/plain-interaction", test_srp_plain_interaction, m);
      ADD ("srp/no-password", test_srp_no_password, m);
      ADD ("srp/resume-needs-password", test_srp_resume_needs_password, m);
      ADD ("client-cert/resume-needs-cert", test_cert_resume_needs_cert, m);
      ADD ("all-at-once", test_all_at_once, m);
      if (m->async && !m->typed)
        {
          ADD ("srp/lookup-off-main-loop", test_lookup_off_loop, m);
        }
      for (v = 0; v < 4 && !m->typed; v++)
        {
          static const gchar *const names[4] = { "srp-garbage", "srp-directory", "psk-garbage",
                                                 "psk-directory" };
          DbMode *dm = &dmodes[m->typed][a][v];

          dm->mode = *m;
          dm->psk = v >= 2;
          dm->directory = v % 2 == 1;
          p = g_strdup_printf ("/%s/%s/database-unreadable/%s", prefix, how, names[v]);
          g_test_add_data_func (p, dm, test_database_unreadable);
          g_free (p);
        }
      for (v = 0; v < 2; v++)
        {
          PskMode *pm = &pmodes[m->typed][a][v];

          pm->mode = *m;
          pm->tls12 = v == 1;
          if (pm->tls12)
            {
              ADD ("psk12/login", test_psk_login, pm);
              ADD ("psk12/wrong-key", test_psk_wrong_key, pm);
              ADD ("psk12/unknown-identity", test_psk_unknown_identity, pm);
              ADD ("psk12/resume-needs-key", test_psk_resume_needs_key, pm);
            }
          else
            {
              ADD ("psk13/login", test_psk_login, pm);
              ADD ("psk13/wrong-key", test_psk_wrong_key, pm);
              ADD ("psk13/unknown-identity", test_psk_unknown_identity, pm);
              ADD ("psk13/resume-needs-key", test_psk_resume_needs_key, pm);
            }
        }
#undef ADD
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  make_databases ();

  add_tests ("auth/properties", &sync_mode, &async_mode);
#ifdef TEST_TYPED
  add_typed_tests ();
#endif

  ret = g_test_run ();
  remove_databases ();
  return ret;
}
