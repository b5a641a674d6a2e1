/* TlsliteSettings: validation and its errors, the key=value syntax, and settings applied to GIO handshakes (properties, G_TLS_TLSLITE_SETTINGS, the key file, the old variables). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tlslite-gio/tlslite.h>

#include "relay.h"

/* ---- the object ---- */

static void
test_defaults (void)
{
  TlsliteSettings *s = tlslite_settings_new ();
  TlsliteSettings *back;
  GError *error = NULL;
  GTlsProtocolVersion min, max;
  gboolean tickets, ems, legacy;
  guint lifetime, rsl, dh_min;
  gchar **groups;
  gchar *str, *orig;

  g_assert_true (tlslite_settings_validate (s, &error));
  g_assert_no_error (error);
  g_object_get (s, "min-version", &min, "max-version", &max, "tickets", &tickets,
                "ems-required", &ems, "ticket-lifetime", &lifetime, "record-size-limit", &rsl,
                "dh-min-bits", &dh_min, "groups", &groups, "legacy-signatures", &legacy, NULL);
  g_assert_cmpint (min, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  g_assert_cmpint (max, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  g_assert_true (tickets);
  g_assert_true (ems);
  g_assert_false (legacy);
  g_assert_cmpuint (lifetime, ==, 7200);
  g_assert_cmpuint (rsl, ==, 16384);
  g_assert_cmpuint (dh_min, ==, 2048);
  g_assert_null (groups);

  /* Every field through the syntax, and back. */
  g_assert_true (tlslite_settings_parse (s,
    "min-version=tls1.0; max-version=tls1.2;cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
    "TLS_AES_128_GCM_SHA256\ngroups=x448, secp521r1,ffdhe3072;signature-schemes=ed25519;"
    "srp-min-bits=3072;srp-max-bits=4096;dh-min-bits=3072;dh-max-bits=4096;"
    "certificate-types=x509;tickets=off;ticket-lifetime=60;renegotiation=secure;"
    "ems-required=false;record-size-limit=512;legacy-signatures=true;"
    "certificate-compression=true", &error));
  g_assert_no_error (error);
  orig = str = tlslite_settings_to_string (s);
  g_assert_cmpstr (str, ==,
    "min-version=tls1.0;max-version=tls1.2;cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
    "TLS_AES_128_GCM_SHA256;groups=x448,secp521r1,ffdhe3072;signature-schemes=ed25519;"
    "srp-min-bits=3072;srp-max-bits=4096;dh-min-bits=3072;dh-max-bits=4096;"
    "certificate-types=x509;tickets=false;ticket-lifetime=60;renegotiation=secure;"
    "ems-required=false;record-size-limit=512;legacy-signatures=true;"
    "certificate-compression=true");
  back = tlslite_settings_new_from_string (orig, &error);
  g_assert_no_error (error);
  str = tlslite_settings_to_string (back);
  g_assert_cmpstr (str, ==, orig);
  g_free (str);
  g_free (orig);
  g_object_unref (back);
  g_strfreev (groups);
  g_object_unref (s);
}

/* A bad value: the error is INVALID_VALUE and names the field and value. */
static void
assert_rejected (const char *string, const char *field, const char *value)
{
  TlsliteSettings *s = tlslite_settings_new ();
  GError *error = NULL;
  gchar *before = tlslite_settings_to_string (s), *after;

  g_assert_false (tlslite_settings_parse (s, string, &error));
  g_assert_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE);
  g_test_message ("%s -> %s", string, error->message);
  g_assert_nonnull (strstr (error->message, field));
  g_assert_nonnull (strstr (error->message, value));
  /* Versions in words, never hex. */
  g_assert_null (strstr (error->message, "0x"));
  /* A failed parse changes nothing. */
  after = tlslite_settings_to_string (s);
  g_assert_cmpstr (before, ==, after);
  g_free (before);
  g_free (after);
  g_error_free (error);
  g_object_unref (s);
}

static void
test_errors (void)
{
  TlsliteSettings *s;
  GError *error = NULL;

  assert_rejected ("min-version=tls1.3;max-version=tls1.2", "min-version", "TLS 1.3");
  assert_rejected ("min-version=tls1.3;max-version=tls1.2", "max-version", "TLS 1.2");
  assert_rejected ("max-version=tls1.4", "max-version", "tls1.4");
  assert_rejected ("cipher-suites=TLS_AES_128_GCM_SHA256,TLS_NOPE", "cipher-suites", "TLS_NOPE");
  assert_rejected ("groups=x25519,brainpool", "groups", "brainpool");
  assert_rejected ("signature-schemes=rsa_md5", "signature-schemes", "rsa_md5");
  assert_rejected ("srp-min-bits=512", "srp-min-bits", "512");
  assert_rejected ("srp-min-bits=4096;srp-max-bits=3072", "srp-min-bits", "4096");
  assert_rejected ("dh-max-bits=16384", "dh-max-bits", "16384");
  assert_rejected ("dh-min-bits=4096;dh-max-bits=2048", "dh-min-bits", "4096");
  assert_rejected ("certificate-types=x509,openpgp", "certificate-types", "openpgp");
  assert_rejected ("ticket-lifetime=0", "ticket-lifetime", "0");
  assert_rejected ("record-size-limit=63", "record-size-limit", "63");
  assert_rejected ("tickets=maybe", "tickets", "maybe");
  assert_rejected ("renegotiation=always", "renegotiation", "always");
  assert_rejected ("dh-min-bits=lots", "dh-min-bits", "lots");

  /* Properties set directly are checked by validate(). */
  s = tlslite_settings_new ();
  g_object_set (s, "min-version", G_TLS_PROTOCOL_VERSION_TLS_1_3,
                "max-version", G_TLS_PROTOCOL_VERSION_TLS_1_1, NULL);
  g_assert_false (tlslite_settings_validate (s, &error));
  g_assert_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "TLS 1.1"));
  g_clear_error (&error);
  g_object_set (s, "max-version", G_TLS_PROTOCOL_VERSION_DTLS_1_2, NULL);
  g_assert_false (tlslite_settings_validate (s, &error));
  g_assert_nonnull (strstr (error->message, "max-version"));
  g_clear_error (&error);

  g_assert_false (tlslite_settings_parse (s, "max-versoin=tls1.2", &error));
  g_assert_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_UNKNOWN_KEY);
  g_assert_nonnull (strstr (error->message, "max-versoin"));
  g_clear_error (&error);
  g_assert_false (tlslite_settings_parse (s, "tickets", &error));
  g_assert_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "tickets"));
  g_clear_error (&error);
  g_assert_null (tlslite_settings_new_from_string ("groups=nope", &error));
  g_assert_error (error, TLSLITE_SETTINGS_ERROR, TLSLITE_SETTINGS_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_object_unref (s);
}

/* ---- handshakes through GIO over a socket pair ---- */

typedef struct
{
  GIOStream *tls;
  gboolean ok;
  GError *error;
} Side;

static gpointer
server_thread (gpointer data)
{
  Side *srv = data;

  srv->ok = g_tls_connection_handshake (G_TLS_CONNECTION (srv->tls), NULL, &srv->error);
  if (!srv->ok)
    g_io_stream_close (srv->tls, NULL, NULL);   /* unblocks the client */
  return NULL;
}

static gboolean
accept_any (GTlsConnection *conn, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
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

typedef struct
{
  gboolean client_ok, server_ok;
  GError *client_error, *server_error;
  GTlsProtocolVersion version;
  gchar *suite;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->client_error);
  g_clear_error (&o->server_error);
  g_free (o->suite);
}

/* When set, the server's "settings" object. */
static TlsliteSettings *server_settings;

/* One handshake; each side gets its settings string (NULL: none) and the
 * client optionally a TlsliteSettings object. */
static void
handshake (const char *client_string, TlsliteSettings *client_settings, const char *server_string,
           Outcome *o)
{
  int fds[2];
  gchar *cf = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
  gchar *kf = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_files (cf, kf, &error);
  GIOStream *cbase, *sbase, *client;
  Side srv = { 0 };
  GThread *t;

  g_assert_no_error (error);
  memset (o, 0, sizeof *o);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  cbase = stream_from_fd (fds[0]);
  sbase = stream_from_fd (fds[1]);
  srv.tls = g_tls_server_connection_new (sbase, cert, &error);
  g_assert_no_error (error);
  if (server_settings)
    g_object_set (srv.tls, "settings", server_settings, NULL);
  if (server_string)
    g_object_set (srv.tls, "settings-string", server_string, NULL);
  client = g_tls_client_connection_new (cbase, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (client_settings)
    g_object_set (client, "settings", client_settings, NULL);
  if (client_string)
    g_object_set (client, "settings-string", client_string, NULL);

  t = g_thread_new ("settings-server", server_thread, &srv);
  o->client_ok = g_tls_connection_handshake (G_TLS_CONNECTION (client), NULL, &o->client_error);
  if (!o->client_ok)
    g_io_stream_close (client, NULL, NULL);     /* unblocks the server */
  g_thread_join (t);
  o->server_ok = srv.ok;
  o->server_error = srv.error;
  if (o->client_ok)
    {
      o->version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (client));
      o->suite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (client));
    }
  g_io_stream_close (client, NULL, NULL);
  g_io_stream_close (srv.tls, NULL, NULL);
  g_object_unref (client);
  g_object_unref (srv.tls);
  g_object_unref (cbase);
  g_object_unref (sbase);
  g_object_unref (cert);
  g_free (cf);
  g_free (kf);
}

static void
assert_ok (Outcome *o)
{
  g_assert_no_error (o->client_error);
  g_assert_no_error (o->server_error);
  g_assert_true (o->client_ok && o->server_ok);
}

/* ---- record-size-limit on the wire ---- */

/* Notes, per direction of a relay between two socket ends, the largest
 * body of an application_data record (every protected record in TLS 1.3,
 * the data records in TLS 1.2). */
typedef struct
{
  TestRelay pump;             /* fd[0] the client's peer, fd[1] the server's peer */
  guint8 hdr[2][5];
  gsize hdr_len[2], body_left[2];
  gsize max_body[2];          /* [0] client to server, [1] server to client */
} Relay;

static void
relay_note (gpointer data, int dir, const guint8 *p, gsize n)
{
  Relay *r = data;

  while (n > 0)
    {
      if (r->body_left[dir] > 0)
        {
          gsize k = MIN (n, r->body_left[dir]);

          r->body_left[dir] -= k;
          p += k;
          n -= k;
          continue;
        }
      r->hdr[dir][r->hdr_len[dir]++] = *p++;
      n--;
      if (r->hdr_len[dir] == 5)
        {
          gsize len = (gsize) r->hdr[dir][3] << 8 | r->hdr[dir][4];

          if (r->hdr[dir][0] == 23 && len > r->max_body[dir])
            r->max_body[dir] = len;
          r->body_left[dir] = len;
          r->hdr_len[dir] = 0;
        }
    }
}

typedef struct
{
  GIOStream *tls;
  GError *error;
} EchoServer;

/* Handshake, read 5000 bytes, send them back. */
static gpointer
echo_thread (gpointer data)
{
  EchoServer *e = data;
  guint8 buf[5000];
  gsize n = 0;

  if (g_input_stream_read_all (g_io_stream_get_input_stream (e->tls), buf, sizeof buf, &n, NULL,
                               &e->error) &&
      n == sizeof buf)
    g_output_stream_write_all (g_io_stream_get_output_stream (e->tls), buf, n, NULL, NULL, &e->error);
  return NULL;
}

/* A server with record-size-limit=512 advertises it (RFC 8449), and our
 * client (default settings) keeps every record it sends within 512 bytes
 * of plaintext. Enforcement against a peer that ignores the limit is in
 * tests/unit/test-handshake (record-size-limit), where a peer can be made
 * to misbehave. */
static void
test_record_size_limit (gconstpointer data)
{
  const gchar *client_string = data;
  int a[2], b[2];
  gchar *cf = g_build_filename (TEST_DATA_DIR, "server-rsa.pem", NULL);
  gchar *kf = g_build_filename (TEST_DATA_DIR, "server-rsa-key.pem", NULL);
  GError *error = NULL;
  GTlsCertificate *cert = g_tls_certificate_new_from_files (cf, kf, &error);
  GIOStream *cbase, *sbase, *client;
  Relay r;
  EchoServer e = { NULL, NULL };
  GThread *relay, *echo;
  guint8 out[5000], back[5000];
  gsize n = 0;
  guint i;

  g_assert_no_error (error);
  memset (&r, 0, sizeof r);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, a), ==, 0);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, b), ==, 0);
  cbase = stream_from_fd (a[0]);
  sbase = stream_from_fd (b[0]);
  r.pump.fd[0] = a[1];
  r.pump.fd[1] = b[1];
  r.pump.sent = relay_note;
  r.pump.user_data = &r;
  r.pump.idle_ms = 10000;
  relay = test_relay_start (&r.pump);

  e.tls = g_tls_server_connection_new (sbase, cert, &error);
  g_assert_no_error (error);
  g_object_set (e.tls, "settings-string", "record-size-limit=512", NULL);
  echo = g_thread_new ("echo", echo_thread, &e);
  client = g_tls_client_connection_new (cbase, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (client, "accept-certificate", G_CALLBACK (accept_any), NULL);
  if (client_string)
    g_object_set (client, "settings-string", client_string, NULL);

  for (i = 0; i < sizeof out; i++)
    out[i] = (guint8) (i * 13);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (client), out, sizeof out,
                                            NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (client), back, sizeof back, &n,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, n, out, sizeof out);
  g_thread_join (echo);
  g_assert_no_error (e.error);
  g_assert_cmpint (g_tls_connection_get_protocol_version (G_TLS_CONNECTION (client)), ==,
                   client_string ? G_TLS_PROTOCOL_VERSION_TLS_1_2 : G_TLS_PROTOCOL_VERSION_TLS_1_3);

  g_io_stream_close (client, NULL, NULL);
  g_io_stream_close (e.tls, NULL, NULL);
  g_thread_join (relay);
  g_test_message ("largest record body: client to server %zu, server to client %zu",
                  r.max_body[0], r.max_body[1]);
  /* 512 bytes of plaintext plus the AEAD's tag, nonce or type byte. */
  g_assert_cmpuint (r.max_body[0], <=, 512 + 64);
  g_assert_cmpuint (r.max_body[0], >, 256);
  /* The setting also caps what the server sends itself. */
  g_assert_cmpuint (r.max_body[1], <=, 512 + 64);
  g_assert_cmpuint (r.max_body[1], >, 256);

  g_object_unref (client);
  g_object_unref (e.tls);
  g_object_unref (cbase);
  g_object_unref (sbase);
  close (a[1]);
  close (b[1]);
  g_object_unref (cert);
  g_free (cf);
  g_free (kf);
}

static void
test_versions (void)
{
  Outcome o;
  TlsliteSettings *s;

  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);

  /* max-version on the client: TLS 1.2 is negotiated. */
  handshake ("max-version=tls1.2", NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);

  /* The same as an object, from the server's side too. */
  s = tlslite_settings_new ();
  g_object_set (s, "max-version", G_TLS_PROTOCOL_VERSION_TLS_1_2, NULL);
  handshake (NULL, s, "max-version=tls1.3", &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);
  g_object_unref (s);

  /* TLS 1.0 only when both allow it. */
  handshake ("min-version=tls1.0;max-version=tls1.0", NULL, "min-version=tls1.0", &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_0);
  outcome_clear (&o);
  handshake ("min-version=tls1.0;max-version=tls1.0", NULL, NULL, &o);
  g_assert_false (o.client_ok);
  g_assert_false (o.server_ok);
  outcome_clear (&o);

  /* Cipher suites are applied. */
  handshake ("max-version=tls1.2;cipher-suites=TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", NULL,
             NULL, &o);
  assert_ok (&o);
  g_assert_cmpstr (o.suite, ==, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  outcome_clear (&o);
}

/* legacy-signatures: a TLS 1.2 client that allows only SHA-1 signatures
 * gets no handshake from a default server and one from a server with the
 * setting. certificate-compression: both sides on, TLS 1.3 certificates go
 * through the module's zlib codec (a broken codec fails the handshake). */
static void
test_signatures_and_compression (void)
{
  Outcome o;
  const char *sha1_only = "max-version=tls1.2;signature-schemes=rsa_pkcs1_sha1;"
                          "cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

  handshake (sha1_only, NULL, NULL, &o);
  g_assert_false (o.client_ok);
  g_assert_false (o.server_ok);
  outcome_clear (&o);
  handshake (sha1_only, NULL, "legacy-signatures=true", &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);

  handshake ("certificate-compression=true", NULL, "certificate-compression=true", &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);
  handshake ("certificate-compression=true", NULL, NULL, &o);
  assert_ok (&o);
  outcome_clear (&o);
}

static void
test_groups (void)
{
  Outcome o;

  /* The extra groups are reachable: each alone on the client works against
   * a default server, and with TLS 1.2 DHE the group's prime is used. */
  handshake ("groups=secp521r1", NULL, NULL, &o);
  assert_ok (&o);
  outcome_clear (&o);
  handshake ("groups=x448", NULL, NULL, &o);
  assert_ok (&o);
  outcome_clear (&o);
  handshake ("groups=ffdhe3072", NULL, NULL, &o);
  assert_ok (&o);
  outcome_clear (&o);

  /* The group list is applied: no common group, no handshake. */
  handshake ("groups=secp521r1", NULL, "groups=x25519", &o);
  g_assert_false (o.client_ok);
  g_assert_false (o.server_ok);
  outcome_clear (&o);
  handshake ("groups=x448", NULL, "groups=x448,x25519", &o);
  assert_ok (&o);
  outcome_clear (&o);

  /* DH sizes: a server with dh-min-bits=3072 drops ffdhe2048, so a DHE
   * client that lists only ffdhe2048 finds no group ... */
  handshake ("max-version=tls1.2;cipher-suites=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;groups=ffdhe2048",
             NULL, "dh-min-bits=3072", &o);
  g_assert_false (o.client_ok);
  outcome_clear (&o);
  /* ... and one that also lists ffdhe3072 gets it. */
  handshake ("max-version=tls1.2;cipher-suites=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;"
             "groups=ffdhe2048,ffdhe3072", NULL, "dh-min-bits=3072", &o);
  assert_ok (&o);
  g_assert_cmpstr (o.suite, ==, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
  outcome_clear (&o);
  /* A client's dh-min-bits refuses the server's 2048-bit choice. */
  handshake ("max-version=tls1.2;cipher-suites=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;"
             "groups=ffdhe2048,ffdhe3072;dh-min-bits=3072", NULL, "groups=ffdhe2048", &o);
  g_assert_false (o.client_ok);
  g_assert_nonnull (o.client_error);
  g_assert_nonnull (strstr (o.client_error->message, "3072"));
  outcome_clear (&o);
  /* And dh-max-bits refuses a larger one. */
  handshake ("max-version=tls1.2;cipher-suites=TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;"
             "groups=ffdhe2048,ffdhe3072;dh-max-bits=2048", NULL, "groups=ffdhe3072", &o);
  g_assert_false (o.client_ok);
  g_assert_nonnull (strstr (o.client_error->message, "2048"));
  outcome_clear (&o);
}

static void
test_connection_errors (void)
{
  Outcome o;

  handshake ("min-version=tls1.9", NULL, NULL, &o);
  g_assert_false (o.client_ok);
  g_assert_error (o.client_error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_assert_nonnull (strstr (o.client_error->message, "min-version"));
  g_assert_nonnull (strstr (o.client_error->message, "tls1.9"));
  outcome_clear (&o);

  handshake (NULL, NULL, "groups=x25519,bogus", &o);
  g_assert_false (o.server_ok);
  g_assert_error (o.server_error, G_TLS_ERROR, G_TLS_ERROR_MISC);
  g_assert_nonnull (strstr (o.server_error->message, "bogus"));
  outcome_clear (&o);
}

/* ---- for plain-GIO programs: environment and key file ---- */

static void
test_environment (void)
{
  Outcome o;

  g_setenv ("G_TLS_TLSLITE_SETTINGS", "max-version=tls1.2", TRUE);
  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);

  /* Connections without a settings string share the settings built from
   * the environment; a settings string applies to that connection only
   * and leaves what the next connections get as it was. */
  handshake ("max-version=tls1.3", NULL, "max-version=tls1.3", &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);
  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);

  /* A connection's own settings object replaces the environment. */
  {
    TlsliteSettings *s = tlslite_settings_new ();

    server_settings = s;
    handshake (NULL, s, NULL, &o);
    server_settings = NULL;
    assert_ok (&o);
    g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
    outcome_clear (&o);
    g_object_unref (s);
  }

  /* A bad value: one warning naming the variable and the value, then the
   * variable is ignored (TLS 1.3 again). */
  g_setenv ("G_TLS_TLSLITE_SETTINGS", "max-version=tls1.2;groups=x25519,nonsense", TRUE);
  g_test_expect_message ("GLib-Net", G_LOG_LEVEL_WARNING,
                         "Ignoring G_TLS_TLSLITE_SETTINGS=“max-version=tls1.2;groups=x25519,nonsense”: "
                         "Invalid value “nonsense” for the setting groups: unknown group");
  handshake (NULL, NULL, NULL, &o);
  g_test_assert_expected_messages ();
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);
  g_unsetenv ("G_TLS_TLSLITE_SETTINGS");

  /* The old variables are aliases; a bad range is told in words. */
  g_setenv ("G_TLS_TLSLITE_MAX_VERSION", "tls1.2", TRUE);
  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);
  g_setenv ("G_TLS_TLSLITE_MIN_VERSION", "tls1.3", TRUE);
  g_setenv ("G_TLS_TLSLITE_MAX_VERSION", "tls1.1", TRUE);
  g_test_expect_message ("GLib-Net", G_LOG_LEVEL_WARNING,
                         "Ignoring G_TLS_TLSLITE_MAX_VERSION=“tls1.1”: Invalid value “TLS 1.3” for the "
                         "setting min-version: above max-version (TLS 1.1)");
  handshake (NULL, NULL, NULL, &o);
  g_test_assert_expected_messages ();
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);
  g_unsetenv ("G_TLS_TLSLITE_MIN_VERSION");
  g_setenv ("G_TLS_TLSLITE_MAX_VERSION", "tls2", TRUE);
  g_test_expect_message ("GLib-Net", G_LOG_LEVEL_WARNING, "Ignoring G_TLS_TLSLITE_MAX_VERSION=“tls2”: *");
  handshake (NULL, NULL, NULL, &o);
  g_test_assert_expected_messages ();
  outcome_clear (&o);
  g_unsetenv ("G_TLS_TLSLITE_MAX_VERSION");
}

static void
test_key_file (void)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp ("tlslite-settings-XXXXXX", &error);
  gchar *path = g_build_filename (dir, "settings.conf", NULL);
  Outcome o;

  g_assert_no_error (error);
  g_setenv ("TLSLITE_SETTINGS_FILE", path, TRUE);
  g_assert_true (g_file_set_contents (path, "# system-wide\n[settings]\nmax-version=tls1.2\n", -1, &error));
  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  outcome_clear (&o);

  /* The variable overrides the file. */
  g_setenv ("G_TLS_TLSLITE_SETTINGS", "max-version=tls1.3", TRUE);
  handshake (NULL, NULL, NULL, &o);
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);
  g_unsetenv ("G_TLS_TLSLITE_SETTINGS");

  /* A changed file is read again; a bad value is named with the file. */
  g_assert_true (g_file_set_contents (path, "[settings]\nmax-version=tls1.2\nrecord-size-limit=1\n",
                                      -1, &error));
  g_test_expect_message ("GLib-Net", G_LOG_LEVEL_WARNING, "Ignoring the settings file *settings.conf: Invalid value “1” for the setting record-size-limit*");
  handshake (NULL, NULL, NULL, &o);
  g_test_assert_expected_messages ();
  assert_ok (&o);
  g_assert_cmpint (o.version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_3);
  outcome_clear (&o);

  g_setenv ("TLSLITE_SETTINGS_FILE", "/nonexistent/tlslite-settings.conf", TRUE);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Not the build machine's own settings file. */
  g_setenv ("TLSLITE_SETTINGS_FILE", "/nonexistent/tlslite-settings.conf", TRUE);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/errors", test_errors);
  g_test_add_func ("/settings/gio/versions", test_versions);
  g_test_add_func ("/settings/gio/groups", test_groups);
  g_test_add_func ("/settings/gio/signatures-compression", test_signatures_and_compression);
  g_test_add_func ("/settings/gio/errors", test_connection_errors);
  g_test_add_func ("/settings/gio/environment", test_environment);
  g_test_add_func ("/settings/gio/key-file", test_key_file);
  g_test_add_data_func ("/settings/gio/record-size-limit/tls13", NULL, test_record_size_limit);
  g_test_add_data_func ("/settings/gio/record-size-limit/tls12", "max-version=tls1.2",
                        test_record_size_limit);
  return g_test_run ();
}
