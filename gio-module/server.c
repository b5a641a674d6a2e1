/* GTlsServerConnectionTlslite: server side (certificate, client authentication, session cache, session tickets). */

#include <glib/gi18n-lib.h>

#include "auth.h"
#include "connection.h"
#include "session-cache-private.h"

struct _GTlsServerConnectionTlslite
{
  GTlsConnectionTlslite parent_instance;
  GTlsAuthenticationMode authentication_mode;
  TlsliteSessionCache *session_cache;   /* NULL: the process-wide default */
  gchar *ticket_key_file;               /* NULL: G_TLS_TLSLITE_TICKET_KEY_FILE, or the process key */
};

typedef struct _GTlsServerConnectionTlslite GTlsServerConnectionTlslite;
typedef struct { GTlsConnectionTlsliteClass parent_class; } GTlsServerConnectionTlsliteClass;

enum
{
  PROP_0,
  PROP_AUTHENTICATION_MODE,
  PROP_SESSION_CACHE,
  PROP_TICKET_KEY_FILE
};

static void server_iface_init (GTlsServerConnectionInterface *iface);
static void initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (GTlsServerConnectionTlslite, g_tls_server_connection_tlslite,
                         G_TYPE_TLS_CONNECTION_TLSLITE,
                         G_IMPLEMENT_INTERFACE (G_TYPE_TLS_SERVER_CONNECTION, server_iface_init)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

#define SERVER(o) ((GTlsServerConnectionTlslite *) (o))

/* One ticket key for every server connection of the process, so a client
 * can resume with any of them. Generated at first use. */
static TlsliteProcessSecret ticket_key;

static gboolean
server_prepare_config (GTlsConnectionTlslite *tls, tc_config *cfg, GError **error)
{
  GTlsServerConnectionTlslite *self = SERVER (tls);
  GTlsCertificate *cert = tlslite_connection_get_own_certificate (tls);
  GTlsDatabase *db;
  tc_privkey *key = NULL;
  tc_cert **chain = NULL;
  uint8_t tkey[32];
  tc_error err;
  gsize n;
  TlsliteSessionCache *cache;
  const gchar *key_file;

  /* A server with SRP users or shared keys may do without a certificate. */
  if (!cert && _tlslite_auth_server_has_credentials (tlslite_connection_get_auth (tls)))
    goto no_certificate;
  if (!cert)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                           _("Server did not provide a TLS certificate"));
      return FALSE;
    }
  if (G_IS_TLS_CERTIFICATE_TLSLITE (cert))
    key = tlslite_certificate_get_tc_privkey (G_TLS_CERTIFICATE_TLSLITE (cert));
  if (!key)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("Server certificate has no private key"));
      return FALSE;
    }
  n = tlslite_certificate_build_chain (cert, &chain);
  tc_error_clear (&err);
  if (n == 0 || tc_config_add_cert_chain (cfg, chain, n, key, &err) != TC_OK)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("Could not use the server certificate: %s"),
                   n == 0 ? _("unreadable certificate") : err.message);
      if (chain)
        tlslite_certificate_free_chain (chain, n);
      return FALSE;
    }
  tlslite_certificate_free_chain (chain, n);

no_certificate:
  switch (self->authentication_mode)
    {
    case G_TLS_AUTHENTICATION_REQUESTED:
      tc_config_set_client_auth (cfg, TC_CLIENT_AUTH_REQUEST);
      break;
    case G_TLS_AUTHENTICATION_REQUIRED:
      tc_config_set_client_auth (cfg, TC_CLIENT_AUTH_REQUIRE);
      break;
    case G_TLS_AUTHENTICATION_NONE:
    default:
      tc_config_set_client_auth (cfg, TC_CLIENT_AUTH_NONE);
      break;
    }

  /* The anchors tell clients which CAs we accept (CertificateRequest's
   * certificate_authorities); verification itself stays with GIO. */
  if (self->authentication_mode != G_TLS_AUTHENTICATION_NONE)
    {
      db = g_tls_connection_get_database (G_TLS_CONNECTION (self));
      if (G_IS_TLS_DATABASE_TLSLITE (db))
        {
          tc_trust_store *store = tlslite_database_get_store (G_TLS_DATABASE_TLSLITE (db));

          if (store)
            tc_config_set_trust_store (cfg, store);
        }
    }

  /* Clients that never read after the handshake (request/close patterns)
   * still get a ticket: send it with our Finished. The engine does this
   * only without client authentication, where it is safe. */
  tc_config_set_early_tickets (cfg, true);
  /* TLS 1.2 clients that resume by session ID (RFC 5246; those that ignore
   * tickets, or when G_TLS_TLSLITE_NO_TICKETS=1) resume against any server
   * sharing the cache: by default one for the whole process, as with
   * glib-networking. */
  cache = self->session_cache ? self->session_cache : tlslite_session_cache_get_default ();
  if (_tlslite_gio_session_cache_get_tc (cache))
    tc_config_set_session_cache (cfg, _tlslite_gio_session_cache_get_tc (cache));

  /* Tickets: the group's key file if there is one, else one key for every
   * server connection of the process. */
  key_file = self->ticket_key_file ? self->ticket_key_file
                                   : g_getenv ("G_TLS_TLSLITE_TICKET_KEY_FILE");
  if (key_file && *key_file)
    return _tlslite_gio_ticket_key_file_apply (key_file, cfg, error);
  if (_tlslite_process_secret (&ticket_key, tkey))
    {
      tc_error_clear (&err);
      tc_config_set_ticket_key (cfg, tkey, &err);
      memset (tkey, 0, sizeof tkey);
    }
  return TRUE;
}

static gboolean
server_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  GTlsCertificate *cert = tlslite_connection_get_own_certificate (G_TLS_CONNECTION_TLSLITE (initable));

  if (!tlslite_connection_get_base_stream (G_TLS_CONNECTION_TLSLITE (initable)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A base stream is required"));
      return FALSE;
    }
  /* The certificate may also be set later, before the handshake. */
  if (cert && (!G_IS_TLS_CERTIFICATE_TLSLITE (cert) ||
               !tlslite_certificate_has_key (G_TLS_CERTIFICATE_TLSLITE (cert))))
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("Server certificate has no private key"));
      return FALSE;
    }
  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = server_initable_init;
}

static void
server_iface_init (GTlsServerConnectionInterface *iface)
{
}

static void
server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_AUTHENTICATION_MODE:
      g_value_set_enum (value, SERVER (object)->authentication_mode);
      break;
    case PROP_SESSION_CACHE:
      g_value_set_object (value, SERVER (object)->session_cache);
      break;
    case PROP_TICKET_KEY_FILE:
      g_value_set_string (value, SERVER (object)->ticket_key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_AUTHENTICATION_MODE:
      SERVER (object)->authentication_mode = g_value_get_enum (value);
      break;
    case PROP_SESSION_CACHE:
      g_clear_object (&SERVER (object)->session_cache);
      SERVER (object)->session_cache = g_value_dup_object (value);
      break;
    case PROP_TICKET_KEY_FILE:
      g_free (SERVER (object)->ticket_key_file);
      SERVER (object)->ticket_key_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tls_server_connection_tlslite_init (GTlsServerConnectionTlslite *self)
{
}

static void
g_tls_server_connection_tlslite_finalize (GObject *object)
{
  g_clear_object (&SERVER (object)->session_cache);
  g_free (SERVER (object)->ticket_key_file);
  G_OBJECT_CLASS (g_tls_server_connection_tlslite_parent_class)->finalize (object);
}

static void
g_tls_server_connection_tlslite_class_init (GTlsServerConnectionTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GTlsConnectionTlsliteClass *tls_class = G_TLS_CONNECTION_TLSLITE_CLASS (klass);

  gobject_class->get_property = server_get_property;
  gobject_class->set_property = server_set_property;
  gobject_class->finalize = g_tls_server_connection_tlslite_finalize;
  tls_class->prepare_config = server_prepare_config;

  g_object_class_override_property (gobject_class, PROP_AUTHENTICATION_MODE, "authentication-mode");
  /* GTlsServerConnection:session-cache: (type TlsliteSessionCache)
   *
   * The session-ID cache (TLS 1.2 and older) this server shares with
   * others; %NULL: the process-wide one
   * (tlslite_session_cache_get_default()).
   */
  g_object_class_install_property (gobject_class, PROP_SESSION_CACHE,
    g_param_spec_object ("session-cache", "Session cache", "Session-ID cache shared by servers",
                         TLSLITE_TYPE_SESSION_CACHE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  /* GTlsServerConnection:ticket-key-file:
   *
   * Session ticket keys shared by a group of servers, nginx's
   * ssl_session_ticket_key convention: a file of exactly 48 or 80 random
   * bytes (`openssl rand 80`) is one key; otherwise one base64 key per
   * line, the first sealing new tickets and every one opening them, so keys
   * rotate without breaking resumption. The file is read again whenever it
   * changes (replace it with a rename). %NULL: the file named by
   * G_TLS_TLSLITE_TICKET_KEY_FILE, else a random key for the process. An
   * unreadable or invalid file fails the handshake with an error naming it.
   */
  g_object_class_install_property (gobject_class, PROP_TICKET_KEY_FILE,
    g_param_spec_string ("ticket-key-file", "Ticket key file",
                         "File of session ticket keys shared by a group of servers", NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}
