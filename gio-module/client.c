/* GTlsClientConnectionTlslite: client side (SNI, validation flags, client certificates, session resumption). */
#include <glib/gi18n-lib.h>

#include "auth.h"
#include "connection.h"
#include "connection-extras.h"

/* A session with what a resumed handshake cannot tell again: who the
 * peer was and how its certificate verified. Immutable, refcounted. */
typedef struct
{
  tc_session *session;
  GTlsCertificate *peer;
  GTlsCertificateFlags errors;
} Resumable;

static void
resumable_clear (gpointer data)
{
  Resumable *r = data;

  tc_session_unref (r->session);
  g_clear_object (&r->peer);
}

static Resumable *
resumable_new (tc_session *session, GTlsCertificate *peer, GTlsCertificateFlags errors)
{
  Resumable *r = g_atomic_rc_box_new0 (Resumable);

  r->session = session;
  r->peer = peer;
  r->errors = errors;
  return r;
}

static Resumable *
resumable_ref (Resumable *r)
{
  return g_atomic_rc_box_acquire (r);
}

static void
resumable_unref (Resumable *r)
{
  g_atomic_rc_box_release_full (r, resumable_clear);
}

struct _GTlsClientConnectionTlslite
{
  GTlsConnectionTlslite parent_instance;

  GTlsCertificateFlags validation_flags;
  GSocketConnectable *server_identity;
  gboolean use_ssl3;
  GList *accepted_cas;          /* GByteArray DER Names */
  GMutex cas_mutex;

  Resumable *session;           /* the session offered (engine lock) */
  Resumable *latest;            /* the newest one received (engine lock) */
  GQueue own;                   /* received, without a cache key: Resumable* (engine lock) */
  gchar *session_peer;          /* cache key part: who the server is; NULL: no caching */
  gchar *session_store_key;     /* this handshake's, once known (engine lock) */
};

typedef struct _GTlsClientConnectionTlslite GTlsClientConnectionTlslite;
typedef struct { GTlsConnectionTlsliteClass parent_class; } GTlsClientConnectionTlsliteClass;

enum
{
  PROP_0,
  PROP_VALIDATION_FLAGS,
  PROP_SERVER_IDENTITY,
  PROP_USE_SSL3,
  PROP_ACCEPTED_CAS
};

static void client_iface_init (GTlsClientConnectionInterface *iface);
static void initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTlsClientConnectionTlslite, g_tls_client_connection_tlslite,
                         G_TYPE_TLS_CONNECTION_TLSLITE,
                         G_IMPLEMENT_INTERFACE (G_TYPE_TLS_CLIENT_CONNECTION, client_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

#define CLIENT(o) ((GTlsClientConnectionTlslite *) (o))

/* ---- the sessions kept for one server ----
 *
 * A TLS 1.3 ticket is offered on one connection only (RFC 8446 §C.4: a
 * passive observer could link connections that reuse one): a queue of the
 * newest few, each taken out when a connection offers it, newest first;
 * expired ones are dropped. TLS 1.2 session IDs and RFC 5077 tickets are
 * meant to be reused: the newest replaces the rest and stays until a newer
 * one comes, as before. */

#define TICKETS_PER_SERVER 4

static void
tickets_prune (GQueue *q)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GList *l = q->head;

  while (l)
    {
      GList *next = l->next;
      Resumable *r = l->data;

      if (tc_session_expired (r->session, now))
        {
          g_queue_delete_link (q, l);
          resumable_unref (r);
        }
      l = next;
    }
}

/* Takes s. */
static void
tickets_add (GQueue *q, Resumable *s)
{
  if (!tc_session_single_use (s->session) ||
      (q->tail && !tc_session_single_use (((Resumable *) q->tail->data)->session)))
    g_queue_clear_full (q, (GDestroyNotify) resumable_unref);
  else
    tickets_prune (q);
  g_queue_push_tail (q, s);
  while (q->length > TICKETS_PER_SERVER)
    resumable_unref (g_queue_pop_head (q));
}

/* A session to offer (a new reference), NULL: none. */
static Resumable *
tickets_take (GQueue *q)
{
  Resumable *r;

  tickets_prune (q);
  r = g_queue_peek_tail (q);
  if (!r)
    return NULL;
  if (tc_session_single_use (r->session))
    return g_queue_pop_tail (q);
  return resumable_ref (r);
}

/* ---- process-wide session cache ---- */

static GMutex cache_mutex;
static GHashTable *session_cache;   /* key -> GQueue* of Resumable* */

#define SESSION_CACHE_MAX 256

static void
tickets_free (gpointer q)
{
  g_queue_free_full (q, (GDestroyNotify) resumable_unref);
}

static Resumable *
cache_lookup (const gchar *key)
{
  Resumable *s = NULL;

  g_mutex_lock (&cache_mutex);
  if (session_cache)
    {
      GQueue *q = g_hash_table_lookup (session_cache, key);

      if (q)
        {
          s = tickets_take (q);
          if (g_queue_is_empty (q))
            g_hash_table_remove (session_cache, key);
        }
    }
  g_mutex_unlock (&cache_mutex);
  return s;
}

/* Takes s. */
static void
cache_store (const gchar *key, Resumable *s)
{
  GQueue *q;

  g_mutex_lock (&cache_mutex);
  if (!session_cache)
    session_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, tickets_free);
  q = g_hash_table_lookup (session_cache, key);
  if (!q)
    {
      /* Crude bound: a full cache starts over rather than growing forever. */
      if (g_hash_table_size (session_cache) >= SESSION_CACHE_MAX)
        g_hash_table_remove_all (session_cache);
      q = g_queue_new ();
      g_hash_table_insert (session_cache, g_strdup (key), q);
    }
  tickets_add (q, s);
  g_mutex_unlock (&cache_mutex);
}

static const gchar *
identity_hostname (GSocketConnectable *identity)
{
  if (G_IS_NETWORK_ADDRESS (identity))
    return g_network_address_get_hostname (G_NETWORK_ADDRESS (identity));
  if (G_IS_NETWORK_SERVICE (identity))
    return g_network_service_get_domain (G_NETWORK_SERVICE (identity));
  return NULL;
}

/* Sessions are keyed by peer address, server identity and port (who the
 * server is), and by our own certificate and SRP/PSK credentials (who we
 * are), so different identities never share one. As in glib-networking,
 * tests run without the cache (a port reused between test servers must
 * not resume an old session and skip verification) unless
 * G_TLS_TLSLITE_TEST_SESSION_CACHE=1 asks for it. */
static gchar *
compute_session_peer (GTlsClientConnectionTlslite *self)
{
  GIOStream *base = tlslite_connection_get_base_stream (G_TLS_CONNECTION_TLSLITE (self));
  GSocketAddress *remote;
  gchar *key = NULL;

  if (!G_IS_SOCKET_CONNECTION (base))
    return NULL;
  if (g_test_initialized () && g_strcmp0 (g_getenv ("G_TLS_TLSLITE_TEST_SESSION_CACHE"), "1") != 0)
    return NULL;
  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (base), NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS (remote);
      gchar *addr = g_inet_address_to_string (g_inet_socket_address_get_address (isa));
      const gchar *host = self->server_identity ? identity_hostname (self->server_identity) : NULL;

      key = g_strdup_printf ("%s/%s/%u", addr, host ? host : "", g_inet_socket_address_get_port (isa));
      g_free (addr);
    }
  g_clear_object (&remote);
  return key;
}

/* The full key: the peer part and who we are now. Before the handshake
 * (for_lookup) that is what the program set or its interaction answered
 * up front; after it, what the handshake actually used, including a
 * certificate or credentials an interaction chose during it, so a session
 * they authenticated is only offered again with the same ones. */
static gchar *
compute_session_key (GTlsClientConnectionTlslite *self, gboolean for_lookup)
{
  GTlsCertificate *cert = tlslite_connection_get_own_certificate (G_TLS_CONNECTION_TLSLITE (self));
  gchar *hash = NULL, *auth, *key;

  if (!self->session_peer)
    return NULL;
  auth = _tlslite_auth_session_key (tlslite_connection_get_auth (G_TLS_CONNECTION_TLSLITE (self)),
                                    for_lookup);
  if (!auth)
    return NULL;
  if (cert)
    {
      GByteArray *der = NULL;

      g_object_get (cert, "certificate", &der, NULL);
      if (der)
        {
          hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
          g_byte_array_unref (der);
        }
    }
  key = g_strdup_printf ("%s/%s/%s", self->session_peer, hash ? hash : "", auth);
  g_free (auth);
  g_free (hash);
  return key;
}

/* ---- hooks ---- */

static gboolean
client_prepare_conn (GTlsConnectionTlslite *tls, tc_conn *conn, GError **error)
{
  GTlsClientConnectionTlslite *self = CLIENT (tls);
  const gchar *host = self->server_identity ? identity_hostname (self->server_identity) : NULL;

  /* SNI carries host names only (RFC 6066 §3). */
  if (host && !g_hostname_is_ip_address (host))
    {
      gchar *ascii = g_hostname_to_ascii (host);

      if (ascii)
        {
          gsize len = strlen (ascii);

          if (len > 0 && ascii[len - 1] == '.')
            ascii[len - 1] = '\0';
          tc_conn_set_server_name (conn, ascii);
        }
      g_free (ascii);
    }

  g_free (self->session_peer);
  self->session_peer = compute_session_peer (self);
  g_clear_pointer (&self->session_store_key, g_free);
  if (!self->session && self->session_peer)
    {
      gchar *key = compute_session_key (self, TRUE);

      if (key)
        self->session = cache_lookup (key);
      g_free (key);
    }
  /* Pins: a session from a peer they do not match is not resumed (the
   * resumed handshake would show no certificate to check). */
  if (self->session && !_tlslite_gio_pins_allow_session (G_OBJECT (self), self->session->peer))
    g_clear_pointer (&self->session, resumable_unref);
  if (self->session)
    tc_conn_set_session (conn, self->session->session);
  return TRUE;
}

/* A session this connection received (takes s): into the cache, or kept
 * here for copy_session_state when the connection has no cache key. */
static void
keep_session (GTlsClientConnectionTlslite *self, tc_session *s)
{
  GTlsCertificateFlags errors = 0;
  GTlsCertificate *peer;
  Resumable *r;

  peer = tlslite_connection_dup_peer (G_TLS_CONNECTION_TLSLITE (self), &errors);
  if (!peer && self->session && self->session->peer)
    {
      /* A ticket from a resumed connection: same peer as before. */
      peer = g_object_ref (self->session->peer);
      errors = self->session->errors;
    }
  r = resumable_new (s, peer, errors);
  if (self->latest)
    resumable_unref (self->latest);
  self->latest = resumable_ref (r);
  if (!self->session_store_key)
    self->session_store_key = compute_session_key (self, FALSE);
  if (self->session_store_key)
    cache_store (self->session_store_key, r);
  else
    tickets_add (&self->own, r);
}

static void
client_session_update (GTlsConnectionTlslite *tls, tc_conn *conn)
{
  GTlsClientConnectionTlslite *self = CLIENT (tls);
  tc_session *fresh[4];
  size_t i, n;
  tc_session *s;

  /* TLS 1.3: every ticket, each to be offered once. */
  while ((n = tc_conn_take_sessions (conn, fresh, G_N_ELEMENTS (fresh))) > 0)
    for (i = 0; i < n; i++)
      keep_session (self, fresh[i]);
  /* TLS 1.2 and older: the newest session, when it is new. */
  s = tc_conn_get_session (conn);
  if (!s)
    return;
  if (tc_session_single_use (s) || (self->session && s == self->session->session) ||
      (self->latest && s == self->latest->session))
    {
      tc_session_unref (s);
      return;
    }
  keep_session (self, s);
}

static GTlsCertificate *
client_resumed_peer (GTlsConnectionTlslite *tls, GTlsCertificateFlags *errors)
{
  GTlsClientConnectionTlslite *self = CLIENT (tls);

  if (!self->session || !self->session->peer)
    return NULL;
  *errors = self->session->errors;
  return g_object_ref (self->session->peer);
}

static gboolean
client_choose_cert (GTlsConnectionTlslite *tls, tc_conn *conn, GError **error)
{
  GTlsClientConnectionTlslite *self = CLIENT (tls);
  GTlsCertificate *cert;
  GList *cas = NULL;
  size_t i, n;

  tlslite_connection_lock (tls);
  n = tc_conn_acceptable_ca_count (conn);
  for (i = 0; i < n; i++)
    {
      size_t len = 0;
      const uint8_t *dn = tc_conn_acceptable_ca (conn, i, &len);
      GByteArray *ba = g_byte_array_sized_new (len);

      g_byte_array_append (ba, dn, len);
      cas = g_list_prepend (cas, ba);
    }
  tlslite_connection_unlock (tls);
  cas = g_list_reverse (cas);

  g_mutex_lock (&self->cas_mutex);
  g_list_free_full (self->accepted_cas, (GDestroyNotify) g_byte_array_unref);
  self->accepted_cas = cas;
  g_mutex_unlock (&self->cas_mutex);
  g_object_notify (G_OBJECT (self), "accepted-cas");

  cert = tlslite_connection_get_own_certificate (tls);
  if (!cert)
    {
      GTlsInteraction *interaction = g_tls_connection_get_interaction (G_TLS_CONNECTION (self));

      if (interaction)
        {
          GError *ierr = NULL;
          GTlsInteractionResult res;

          res = g_tls_interaction_invoke_request_certificate (interaction, G_TLS_CONNECTION (self), 0,
                                                              tlslite_connection_get_op_cancellable (tls),
                                                              &ierr);
          if (res == G_TLS_INTERACTION_FAILED)
            tlslite_connection_set_interaction_error (tls, ierr);
          else
            g_clear_error (&ierr);
          cert = tlslite_connection_get_own_certificate (tls);
        }
    }

  return tlslite_connection_answer_client_cert (tls, conn, cert, error);
}

/* ---- GTlsClientConnection ---- */

static void
client_copy_session_state (GTlsClientConnection *conn, GTlsClientConnection *source)
{
  GTlsClientConnectionTlslite *self = CLIENT (conn);
  GTlsClientConnectionTlslite *src = CLIENT (source);
  Resumable *s;

  /* A session src received that no connection offered yet (a TLS 1.3
   * ticket is handed over: this connection alone offers it). When none is
   * left, src's newest (or the one it resumed) is shared: the program
   * asked for the two connections to resume one session (FTP's data
   * connections), which links them anyway. */
  tlslite_connection_lock (G_TLS_CONNECTION_TLSLITE (src));
  if (src->session_store_key)
    s = cache_lookup (src->session_store_key);
  else
    s = tickets_take (&src->own);
  if (!s && (src->latest || src->session))
    s = resumable_ref (src->latest ? src->latest : src->session);
  tlslite_connection_unlock (G_TLS_CONNECTION_TLSLITE (src));

  tlslite_connection_lock (G_TLS_CONNECTION_TLSLITE (self));
  if (self->session)
    resumable_unref (self->session);
  self->session = s;
  tlslite_connection_unlock (G_TLS_CONNECTION_TLSLITE (self));
}

static void
client_iface_init (GTlsClientConnectionInterface *iface)
{
  iface->copy_session_state = client_copy_session_state;
}

static gboolean
client_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  if (!tlslite_connection_get_base_stream (G_TLS_CONNECTION_TLSLITE (initable)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A base stream is required"));
      return FALSE;
    }
  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = client_initable_init;
}

/* ---- GObject ---- */

static gpointer
ref_byte_array (gconstpointer src, gpointer data)
{
  return g_byte_array_ref ((GByteArray *) src);
}

static GList *
copy_cas (GTlsClientConnectionTlslite *self)
{
  GList *copy;

  g_mutex_lock (&self->cas_mutex);
  copy = g_list_copy_deep (self->accepted_cas, ref_byte_array, NULL);
  g_mutex_unlock (&self->cas_mutex);
  return copy;
}

static void
client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  GTlsClientConnectionTlslite *self = CLIENT (object);

  switch (prop_id)
    {
    case PROP_VALIDATION_FLAGS:
      g_value_set_flags (value, self->validation_flags);
      break;
    case PROP_SERVER_IDENTITY:
      g_value_set_object (value, self->server_identity);
      break;
    case PROP_USE_SSL3:
      g_value_set_boolean (value, self->use_ssl3);
      break;
    case PROP_ACCEPTED_CAS:
      g_value_set_pointer (value, copy_cas (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  GTlsClientConnectionTlslite *self = CLIENT (object);

  switch (prop_id)
    {
    case PROP_VALIDATION_FLAGS:
      self->validation_flags = g_value_get_flags (value);
      break;
    case PROP_SERVER_IDENTITY:
      g_clear_object (&self->server_identity);
      self->server_identity = g_value_dup_object (value);
      break;
    case PROP_USE_SSL3:
      /* SSL 3.0 fallback is not a thing any more; kept for the API. */
      self->use_ssl3 = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
client_finalize (GObject *object)
{
  GTlsClientConnectionTlslite *self = CLIENT (object);

  g_clear_object (&self->server_identity);
  g_list_free_full (self->accepted_cas, (GDestroyNotify) g_byte_array_unref);
  g_mutex_clear (&self->cas_mutex);
  g_clear_pointer (&self->session, resumable_unref);
  g_clear_pointer (&self->latest, resumable_unref);
  g_queue_clear_full (&self->own, (GDestroyNotify) resumable_unref);
  g_free (self->session_peer);
  g_free (self->session_store_key);
  G_OBJECT_CLASS (g_tls_client_connection_tlslite_parent_class)->finalize (object);
}

static void
g_tls_client_connection_tlslite_init (GTlsClientConnectionTlslite *self)
{
  self->validation_flags = G_TLS_CERTIFICATE_VALIDATE_ALL;
  g_queue_init (&self->own);
  g_mutex_init (&self->cas_mutex);
}

static void
g_tls_client_connection_tlslite_class_init (GTlsClientConnectionTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GTlsConnectionTlsliteClass *tls_class = G_TLS_CONNECTION_TLSLITE_CLASS (klass);

  gobject_class->get_property = client_get_property;
  gobject_class->set_property = client_set_property;
  gobject_class->finalize = client_finalize;

  tls_class->prepare_conn = client_prepare_conn;
  tls_class->choose_client_cert = client_choose_cert;
  tls_class->session_update = client_session_update;
  tls_class->resumed_peer = client_resumed_peer;

  g_object_class_override_property (gobject_class, PROP_VALIDATION_FLAGS, "validation-flags");
  g_object_class_override_property (gobject_class, PROP_SERVER_IDENTITY, "server-identity");
  g_object_class_override_property (gobject_class, PROP_USE_SSL3, "use-ssl3");
  g_object_class_override_property (gobject_class, PROP_ACCEPTED_CAS, "accepted-cas");
}
