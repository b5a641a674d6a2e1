/* SRP and shared-key (PSK) authentication for GTlsConnectionTlslite: properties, engine wants, errors. */
#include <string.h>
#include <sys/random.h>

#include <glib/gi18n-lib.h>

#include "auth.h"
#include "tlscore/tag.h"

/*
 * Everything here is reachable by property name (strings, GBytes,
 * GObjects), so plain GIO programs need not link the library.
 *
 * Client: credentials come from the connection's properties; missing ones
 * are asked for before the ClientHello (an SRP user name must go into it,
 * a TLS 1.3 PSK must be offered in it): a TlsliteInteraction answers the
 * typed questions, and a plain GTlsInteraction gets ask_password with a
 * description naming the user and the server. A TlsliteInteraction that
 * declines the PSK question but implements it is asked again in TLS 1.2
 * once the server has chosen a PSK suite, with the server's hint.
 *
 * Server: the verifier and shared-key databases answer the engine's
 * look-up wants. Questions are "queries": made under the engine lock,
 * resolved without any lock (an interaction or a database may block; the
 * async handshake resolves them in a worker thread), applied under the
 * engine lock.
 */

struct _TlsliteAuth
{
  GTlsConnection *conn;          /* our owner (not referenced) */
  GMutex mutex;                  /* the fields below */

  /* properties */
  gchar *srp_username;
  gchar *srp_password;           /* wiped */
  gchar *psk_identity;
  GBytes *psk_key;               /* our own copy, wiped */
  gchar *psk_hint;               /* server: hint to send; client: hint received */
  TlsliteVerifierDatabase *verifier_db;
  gchar *verifier_db_path;
  TlsliteSharedKeyDatabase *psk_db;
  gchar *psk_db_path;
  gboolean srp_unknown;          /* client: offer SRP without a user name */
  gboolean srp_requested;        /* client: the server asked; ask before the ClientHello */

  /* databases opened from the *-path properties, on first look-up */
  tc_store *path_srp_store;
  tc_store *path_psk_store;

  /* credentials answered by an interaction before the handshake */
  gboolean pre_done;
  gchar *ia_srp_user;
  gchar *ia_srp_password;        /* wiped */
  gchar *ia_psk_identity;
  GBytes *ia_psk_key;            /* wiped */
  gboolean psk_want;             /* ask again in TLS 1.2 with the hint */

  /* what this handshake did, for errors */
  gboolean offered_srp;
  gchar *offered_psk_identity;   /* escaped */
  gboolean psk_declined;
  gchar *server_srp_name;        /* escaped: the user the client named */
  gboolean server_srp_known;     /* ...and whether the database knew it */
  gchar *server_psk_name;        /* escaped: the identity last looked up */
  GError *db_error;

  /* what this handshake gave the engine, for the client's session cache
   * key: names and keyed digests of the secrets, never the secrets */
  gchar *used_srp_user;
  gchar *used_srp_tag;
  gchar *used_psk_identity;
  gchar *used_psk_tag;
  gboolean creds_pending;        /* the engine may still ask for credentials */

  /* results */
  gboolean done;
  gchar *result_srp_user;
  gchar *result_psk_identity;
  gboolean notify_srp, notify_psk, notify_hint;
};

typedef enum
{
  Q_PRE,           /* client, before the engine exists */
  Q_PSK_IDENTITY,  /* client, TC_WANT_PSK_IDENTITY */
  Q_SRP_CREDS,     /* client, TC_WANT_SRP_CREDENTIALS */
  Q_SRP_VERIFIER,  /* server, TC_WANT_SRP_VERIFIER */
  Q_PSK_KEY        /* server, TC_WANT_PSK_KEY */
} QueryKind;

struct _TlsliteAuthQuery
{
  TlsliteAuth *auth;
  GTlsConnection *conn;          /* referenced while the query lives */
  GTlsInteraction *interaction;
  QueryKind kind;

  /* question */
  gboolean ask_srp, ask_psk;
  guint8 *name;                  /* raw bytes from the wire */
  gsize name_len;
  gchar *hint;

  /* answer */
  gchar *srp_user;
  gchar *srp_password;           /* wiped */
  gchar *psk_identity;
  GBytes *psk_key;               /* wiped */
  gboolean psk_want;
  tc_srp_verifier *verifier;     /* wiped; NULL: unknown user */
  GError *error;                 /* interaction failed */
  GError *db_error;              /* database failed */
};

enum
{
  PROP_SRP_USERNAME = TLSLITE_AUTH_PROP_FIRST,
  PROP_SRP_PASSWORD,
  PROP_PSK_IDENTITY,
  PROP_PSK_KEY,
  PROP_PSK_IDENTITY_HINT,
  PROP_VERIFIER_DATABASE,
  PROP_VERIFIER_DATABASE_PATH,
  PROP_SHARED_KEY_DATABASE,
  PROP_SHARED_KEY_DATABASE_PATH,
  PROP_SRP_UNKNOWN,
  PROP_SRP_REQUESTED,
  PROP_LAST
};

G_DEFINE_QUARK (tlslite-auth-error-quark, tlslite_auth_error)

/* ---- small helpers ---- */

static void
wipe_free (gpointer data, gsize len)
{
  if (data)
    {
      explicit_bzero (data, len);
      g_free (data);
    }
}

static void
wipe_bytes_data (gpointer data)
{
  /* The length is stored in front of the bytes. */
  gsize *p = (gsize *) data - 1;

  wipe_free (p, *p + sizeof (gsize));
}

GBytes *
_tlslite_secret_bytes_new (const void *data, gsize len)
{
  gsize *p = g_malloc (sizeof (gsize) + (len ? len : 1));

  *p = len;
  if (len)
    memcpy (p + 1, data, len);
  return g_bytes_new_with_free_func (p + 1, len, wipe_bytes_data, p + 1);
}

static void
wipe_string (gchar **s)
{
  if (*s)
    wipe_free (*s, strlen (*s));
  *s = NULL;
}

gchar *
_tlslite_escape_name (const guint8 *name, gsize len)
{
  GString *s = g_string_new (NULL);
  gsize i, n = MIN (len, 64);

  /* Printable ASCII as it is; everything else (control characters, quotes,
   * backslashes, bytes of UTF-8 or of nothing) as \xNN, so a name from the
   * wire can never forge text or terminal controls in a message. */
  for (i = 0; i < n; i++)
    {
      guint8 c = name[i];

      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
        g_string_append_c (s, (gchar) c);
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  if (len > n)
    g_string_append (s, "...");
  return g_string_free (s, FALSE);
}

/* A property value for bytes from the wire: the text when it is valid
 * UTF-8 without control characters, else the escaped form. */
static gchar *
name_to_string (const guint8 *name, gsize len)
{
  gsize i;

  if (!name)
    return NULL;
  if (g_utf8_validate ((const gchar *) name, (gssize) len, NULL))
    {
      for (i = 0; i < len; i++)
        if (name[i] < 0x20 || name[i] == 0x7f)
          break;
      if (i == len)
        return g_strndup ((const gchar *) name, len);
    }
  return _tlslite_escape_name (name, len);
}

static gchar *
server_name (GTlsConnection *conn)
{
  GSocketConnectable *id;

  if (!G_IS_TLS_CLIENT_CONNECTION (conn))
    return NULL;
  id = g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (conn));
  if (G_IS_NETWORK_ADDRESS (id))
    return g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (id)));
  if (G_IS_NETWORK_SERVICE (id))
    return g_strdup (g_network_service_get_domain (G_NETWORK_SERVICE (id)));
  if (G_IS_INET_SOCKET_ADDRESS (id))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (id)));
  return NULL;
}

gboolean
_tlslite_process_secret (TlsliteProcessSecret *ps, guint8 out[32])
{
  if (g_once_init_enter (&ps->ready))
    {
      ps->ok = getrandom (ps->secret, sizeof ps->secret, 0) == (ssize_t) sizeof ps->secret;
      g_once_init_leave (&ps->ready, 1);
    }
  if (ps->ok)
    memcpy (out, ps->secret, sizeof ps->secret);
  return ps->ok;
}

/* One secret per process for the fake salts of unknown SRP users (RFC 5054
 * 2.5.1.3): with a secret per connection, asking twice for the same
 * unknown name would give two salts and tell that the name is unknown. */
static TlsliteProcessSecret srp_fake_secret;

/* The client session cache must never let a session made with one
 * password or key stand in for another (a program that checks a password
 * by logging in would accept a wrong one), yet must not hold the secrets
 * themselves. So its key holds HMAC-SHA256 (secret) under a random key of
 * this process: equal secrets give equal keys, and the cache, a dump of
 * it or a log of its keys tells nothing of the secret. */
static TlsliteProcessSecret session_tag_key;

/* label keeps an SRP password and a PSK key of the same bytes apart.
 * NULL when no key could be made. */
static gchar *
secret_tag (const gchar *label, const void *secret, gsize len)
{
  guint8 key[32], digest[32];
  gchar *hex;
  gsize i;

  if (!_tlslite_process_secret (&session_tag_key, key))
    return NULL;
  /* tlscore's HMAC wipes its state; GLib's GHmac frees it as it is, which
   * would leave the secret's last block in freed memory. */
  tc_secret_tag (key, sizeof key, label, secret, len, digest);
  explicit_bzero (key, sizeof key);
  hex = g_malloc (2 * sizeof digest + 1);
  for (i = 0; i < sizeof digest; i++)
    {
      hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
  hex[2 * sizeof digest] = '\0';
  explicit_bzero (digest, sizeof digest);
  return hex;
}

/* Called with auth->mutex held, when the engine takes credentials. */
static void
note_used_srp (TlsliteAuth *auth, const gchar *user, const gchar *password)
{
  g_free (auth->used_srp_user);
  g_free (auth->used_srp_tag);
  auth->used_srp_user = g_strdup (user);
  auth->used_srp_tag = secret_tag ("srp-password", password, strlen (password));
}

static void
note_used_psk (TlsliteAuth *auth, const gchar *identity, const guint8 *key, gsize len)
{
  g_free (auth->used_psk_identity);
  g_free (auth->used_psk_tag);
  auth->used_psk_identity = g_strdup (identity);
  auth->used_psk_tag = secret_tag ("psk-key", key, len);
}

static void
clear_used (TlsliteAuth *auth)
{
  g_clear_pointer (&auth->used_srp_user, g_free);
  g_clear_pointer (&auth->used_srp_tag, g_free);
  g_clear_pointer (&auth->used_psk_identity, g_free);
  g_clear_pointer (&auth->used_psk_tag, g_free);
  auth->creds_pending = FALSE;
}

/* ---- lifetime and properties ---- */

TlsliteAuth *
_tlslite_auth_new (GTlsConnection *conn)
{
  TlsliteAuth *auth = g_new0 (TlsliteAuth, 1);

  auth->conn = conn;
  g_mutex_init (&auth->mutex);
  return auth;
}

void
_tlslite_auth_free (TlsliteAuth *auth)
{
  if (!auth)
    return;
  g_free (auth->srp_username);
  wipe_string (&auth->srp_password);
  g_free (auth->psk_identity);
  g_clear_pointer (&auth->psk_key, g_bytes_unref);
  g_free (auth->psk_hint);
  g_clear_object (&auth->verifier_db);
  g_free (auth->verifier_db_path);
  g_clear_object (&auth->psk_db);
  g_free (auth->psk_db_path);
  if (auth->path_srp_store)
    tc_store_close (auth->path_srp_store);
  if (auth->path_psk_store)
    tc_store_close (auth->path_psk_store);
  g_free (auth->ia_srp_user);
  wipe_string (&auth->ia_srp_password);
  g_free (auth->ia_psk_identity);
  g_clear_pointer (&auth->ia_psk_key, g_bytes_unref);
  g_free (auth->offered_psk_identity);
  g_free (auth->server_srp_name);
  g_free (auth->server_psk_name);
  g_clear_error (&auth->db_error);
  g_free (auth->result_srp_user);
  g_free (auth->result_psk_identity);
  clear_used (auth);
  g_mutex_clear (&auth->mutex);
  g_free (auth);
}

void
_tlslite_auth_install_properties (GObjectClass *klass)
{
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags wo = G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS;

  /* Before the handshake (client): the SRP user name to log in with.
   * After it (both sides): the authenticated SRP user, or NULL. */
  g_object_class_install_property (klass, PROP_SRP_USERNAME,
    g_param_spec_string ("srp-username", "SRP user name", "SRP user name (after the handshake: the authenticated one)",
                         NULL, rw));
  g_object_class_install_property (klass, PROP_SRP_PASSWORD,
    g_param_spec_string ("srp-password", "SRP password", "SRP password (client)", NULL, wo));
  g_object_class_install_property (klass, PROP_PSK_IDENTITY,
    g_param_spec_string ("psk-identity", "PSK identity", "PSK identity (after the handshake: the authenticated one)",
                         NULL, rw));
  g_object_class_install_property (klass, PROP_PSK_KEY,
    g_param_spec_boxed ("psk-key", "PSK key", "The shared key (client)", G_TYPE_BYTES, wo));
  g_object_class_install_property (klass, PROP_PSK_IDENTITY_HINT,
    g_param_spec_string ("psk-identity-hint", "PSK identity hint",
                         "Server: the hint to send (TLS 1.2); client: the hint received", NULL, rw));
  g_object_class_install_property (klass, PROP_VERIFIER_DATABASE,
    g_param_spec_object ("verifier-database", "Verifier database", "Server: the SRP users",
                         TLSLITE_TYPE_VERIFIER_DATABASE, rw));
  g_object_class_install_property (klass, PROP_VERIFIER_DATABASE_PATH,
    g_param_spec_string ("verifier-database-path", "Verifier database path",
                         "Server: an SRP verifier database file, opened read-only", NULL, rw));
  g_object_class_install_property (klass, PROP_SHARED_KEY_DATABASE,
    g_param_spec_object ("shared-key-database", "Shared key database", "Server: the shared keys (PSK)",
                         TLSLITE_TYPE_SHARED_KEY_DATABASE, rw));
  g_object_class_install_property (klass, PROP_SHARED_KEY_DATABASE_PATH,
    g_param_spec_string ("shared-key-database-path", "Shared key database path",
                         "Server: a shared-key database file, opened read-only", NULL, rw));
  /* TLS Lite's handshakeClientUnknown, first step (client): without SRP
   * credentials, offer the SRP suites beside the certificate suites but
   * no user name. A server that wants a certificate answers as usual
   * (asking the interaction for a client certificate if it wants one); a
   * server that wants SRP fails the handshake with
   * TLSLITE_AUTH_ERROR_SRP_REQUESTED, and the program connects again with
   * "srp-requested". */
  g_object_class_install_property (klass, PROP_SRP_UNKNOWN,
    g_param_spec_boolean ("srp-unknown", "SRP unknown",
                          "Client: offer SRP without a user name, as well as certificates", FALSE, rw));
  /* Second step (client): the server asked for SRP; the connection asks
   * its interaction for the user name and password (a TlsliteInteraction's
   * ask_srp_credentials, or ask_password when "srp-username" is set)
   * before it sends anything, and fails with
   * TLSLITE_AUTH_ERROR_NO_CREDENTIALS if the interaction declines. */
  g_object_class_install_property (klass, PROP_SRP_REQUESTED,
    g_param_spec_boolean ("srp-requested", "SRP requested",
                          "Client: the server wants SRP; ask the interaction before connecting", FALSE, rw));
}

gboolean
_tlslite_auth_get_property (TlsliteAuth *auth, guint prop_id, GValue *value)
{
  if (prop_id < TLSLITE_AUTH_PROP_FIRST || prop_id >= PROP_LAST)
    return FALSE;
  g_mutex_lock (&auth->mutex);
  switch (prop_id)
    {
    case PROP_SRP_USERNAME:
      g_value_set_string (value, auth->done ? auth->result_srp_user : auth->srp_username);
      break;
    case PROP_PSK_IDENTITY:
      g_value_set_string (value, auth->done ? auth->result_psk_identity : auth->psk_identity);
      break;
    case PROP_PSK_IDENTITY_HINT:
      g_value_set_string (value, auth->psk_hint);
      break;
    case PROP_VERIFIER_DATABASE:
      g_value_set_object (value, auth->verifier_db);
      break;
    case PROP_VERIFIER_DATABASE_PATH:
      g_value_set_string (value, auth->verifier_db_path);
      break;
    case PROP_SHARED_KEY_DATABASE:
      g_value_set_object (value, auth->psk_db);
      break;
    case PROP_SHARED_KEY_DATABASE_PATH:
      g_value_set_string (value, auth->psk_db_path);
      break;
    case PROP_SRP_UNKNOWN:
      g_value_set_boolean (value, auth->srp_unknown);
      break;
    case PROP_SRP_REQUESTED:
      g_value_set_boolean (value, auth->srp_requested);
      break;
    default:
      break;
    }
  g_mutex_unlock (&auth->mutex);
  return TRUE;
}

gboolean
_tlslite_auth_set_property (TlsliteAuth *auth, guint prop_id, const GValue *value)
{
  if (prop_id < TLSLITE_AUTH_PROP_FIRST || prop_id >= PROP_LAST)
    return FALSE;
  g_mutex_lock (&auth->mutex);
  switch (prop_id)
    {
    case PROP_SRP_USERNAME:
      g_free (auth->srp_username);
      auth->srp_username = g_value_dup_string (value);
      break;
    case PROP_SRP_PASSWORD:
      wipe_string (&auth->srp_password);
      auth->srp_password = g_value_dup_string (value);
      break;
    case PROP_PSK_IDENTITY:
      g_free (auth->psk_identity);
      auth->psk_identity = g_value_dup_string (value);
      break;
    case PROP_PSK_KEY:
      {
        GBytes *key = g_value_get_boxed (value);

        g_clear_pointer (&auth->psk_key, g_bytes_unref);
        if (key)
          auth->psk_key = _tlslite_secret_bytes_new (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
      }
      break;
    case PROP_PSK_IDENTITY_HINT:
      g_free (auth->psk_hint);
      auth->psk_hint = g_value_dup_string (value);
      break;
    case PROP_VERIFIER_DATABASE:
      g_clear_object (&auth->verifier_db);
      auth->verifier_db = g_value_dup_object (value);
      break;
    case PROP_VERIFIER_DATABASE_PATH:
      g_free (auth->verifier_db_path);
      auth->verifier_db_path = g_value_dup_string (value);
      break;
    case PROP_SHARED_KEY_DATABASE:
      g_clear_object (&auth->psk_db);
      auth->psk_db = g_value_dup_object (value);
      break;
    case PROP_SHARED_KEY_DATABASE_PATH:
      g_free (auth->psk_db_path);
      auth->psk_db_path = g_value_dup_string (value);
      break;
    case PROP_SRP_UNKNOWN:
      auth->srp_unknown = g_value_get_boolean (value);
      break;
    case PROP_SRP_REQUESTED:
      auth->srp_requested = g_value_get_boolean (value);
      break;
    default:
      break;
    }
  g_mutex_unlock (&auth->mutex);
  return TRUE;
}

/* ---- configuration ---- */

static gboolean
has_srp_db (TlsliteAuth *auth)
{
  return auth->verifier_db || (auth->verifier_db_path && *auth->verifier_db_path);
}

static gboolean
has_psk_db (TlsliteAuth *auth)
{
  return auth->psk_db || (auth->psk_db_path && *auth->psk_db_path);
}

gboolean
_tlslite_auth_server_has_credentials (TlsliteAuth *auth)
{
  gboolean r;

  g_mutex_lock (&auth->mutex);
  r = has_srp_db (auth) || has_psk_db (auth);
  g_mutex_unlock (&auth->mutex);
  return r;
}

static gboolean
interaction_implements_psk (GTlsInteraction *interaction)
{
  TlsliteInteractionClass *klass;

  if (!TLSLITE_IS_INTERACTION (interaction))
    return FALSE;
  klass = TLSLITE_INTERACTION_GET_CLASS (interaction);
  return klass->ask_psk || klass->ask_psk_async;
}

gboolean
_tlslite_auth_prepare_config (TlsliteAuth *auth, tc_config *cfg, GError **error)
{
  tc_error err;

  g_mutex_lock (&auth->mutex);
  if (G_IS_TLS_CLIENT_CONNECTION (auth->conn))
    {
      if (auth->psk_want)
        tc_config_set_psk_client_want (cfg, true);
      if (auth->srp_unknown && !auth->srp_password)
        tc_config_set_srp_client (cfg, true);
      g_mutex_unlock (&auth->mutex);
      return TRUE;
    }

  if (has_srp_db (auth))
    {
      uint8_t secret[32];

      tc_config_set_srp_server (cfg, true);
      if (_tlslite_process_secret (&srp_fake_secret, secret))
        {
          tc_error_clear (&err);
          tc_config_set_srp_secret (cfg, secret, sizeof secret, &err);
          explicit_bzero (secret, sizeof secret);
        }
    }
  if (has_psk_db (auth))
    tc_config_set_psk_server (cfg, true);
  if (auth->psk_hint && *auth->psk_hint)
    {
      tc_error_clear (&err);
      if (tc_config_set_psk_identity_hint (cfg, (const uint8_t *) auth->psk_hint,
                                           strlen (auth->psk_hint), &err) != TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Invalid PSK identity hint: %s"),
                       err.message);
          g_mutex_unlock (&auth->mutex);
          return FALSE;
        }
    }
  g_mutex_unlock (&auth->mutex);
  return TRUE;
}

gboolean
_tlslite_auth_prepare_conn (TlsliteAuth *auth, tc_conn *conn, GError **error)
{
  const gchar *user, *password, *identity;
  GBytes *key;
  gboolean ok = TRUE;

  if (!G_IS_TLS_CLIENT_CONNECTION (auth->conn))
    return TRUE;

  g_mutex_lock (&auth->mutex);
  clear_used (auth);
  /* Properties first; what an interaction answered fills the gaps. */
  user = auth->srp_username;
  password = auth->srp_password;
  if (!password && auth->ia_srp_password)
    {
      user = auth->ia_srp_user;
      password = auth->ia_srp_password;
    }
  identity = auth->psk_identity;
  key = auth->psk_key;
  if ((!identity || !key) && auth->ia_psk_key)
    {
      identity = auth->ia_psk_identity;
      key = auth->ia_psk_key;
    }

  if (user && *user && !password)
    {
      gchar *esc = _tlslite_escape_name ((const guint8 *) user, strlen (user));

      g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS,
                   _("No SRP password for user “%s”: set “srp-password” or answer the "
                     "connection’s interaction"), esc);
      g_free (esc);
      ok = FALSE;
    }
  else if (user && *user && password)
    {
      if (tc_conn_set_srp_credentials (conn, user, (const uint8_t *) password, strlen (password)) !=
          TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Invalid SRP credentials: %s"),
                       tc_conn_error (conn)->message);
          ok = FALSE;
        }
      auth->offered_srp = TRUE;
      note_used_srp (auth, user, password);
    }

  /* The server asked for SRP: the engine asks (TC_WANT_SRP_CREDENTIALS)
   * before its ClientHello. */
  if (ok && !(user && *user && password) && auth->srp_requested)
    {
      if (tc_conn_request_srp_credentials (conn) != TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Invalid SRP credentials: %s"),
                       tc_conn_error (conn)->message);
          ok = FALSE;
        }
      auth->offered_srp = TRUE;
      auth->creds_pending = TRUE;
    }
  /* TLS 1.2: a PSK question declined before the handshake is asked again
   * once the server has chosen a PSK suite. */
  if (auth->psk_want)
    auth->creds_pending = TRUE;

  if (ok && identity && !key && !auth->psk_want)
    {
      gchar *esc = _tlslite_escape_name ((const guint8 *) identity, strlen (identity));

      g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS,
                   _("No shared key for PSK identity “%s”: set “psk-key” or answer the "
                     "connection’s interaction"), esc);
      g_free (esc);
      ok = FALSE;
    }
  else if (ok && identity && key)
    {
      gsize key_len = 0;
      const guint8 *k = g_bytes_get_data (key, &key_len);

      if (tc_conn_set_psk (conn, (const uint8_t *) identity, strlen (identity), k, key_len,
                           TC_PSK_HASH_SHA256) != TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Invalid shared key: %s"),
                       tc_conn_error (conn)->message);
          ok = FALSE;
        }
      g_free (auth->offered_psk_identity);
      auth->offered_psk_identity = _tlslite_escape_name ((const guint8 *) identity, strlen (identity));
      note_used_psk (auth, identity, k, key_len);
    }
  /* The engine has its own copies now (wiped when it goes); ours need not
   * wait for the connection's end. */
  wipe_string (&auth->ia_srp_password);
  g_clear_pointer (&auth->ia_psk_key, g_bytes_unref);
  g_mutex_unlock (&auth->mutex);
  return ok;
}

gchar *
_tlslite_auth_session_key (TlsliteAuth *auth, gboolean for_lookup)
{
  const gchar *user, *identity;
  gchar *s = NULL;

  g_mutex_lock (&auth->mutex);
  user = auth->used_srp_user;
  identity = auth->used_psk_identity;
  /* A secret whose digest could not be made: no key, nothing cached. */
  if ((user && !auth->used_srp_tag) || (identity && !auth->used_psk_tag))
    goto out;
  if (for_lookup && auth->creds_pending)
    goto out;
  s = g_strdup_printf ("srp:%zu:%s:%s/psk:%zu:%s:%s", user ? strlen (user) : 0, user ? user : "",
                       user ? auth->used_srp_tag : "", identity ? strlen (identity) : 0,
                       identity ? identity : "", identity ? auth->used_psk_tag : "");
out:
  g_mutex_unlock (&auth->mutex);
  return s;
}

/* ---- queries ---- */

static TlsliteAuthQuery *
query_new (TlsliteAuth *auth, QueryKind kind)
{
  TlsliteAuthQuery *q = g_new0 (TlsliteAuthQuery, 1);

  q->auth = auth;
  q->conn = g_object_ref (auth->conn);
  q->kind = kind;
  q->interaction = g_tls_connection_get_interaction (auth->conn);
  if (q->interaction)
    g_object_ref (q->interaction);
  return q;
}

void
_tlslite_auth_query_free (TlsliteAuthQuery *q)
{
  if (!q)
    return;
  g_object_unref (q->conn);
  g_clear_object (&q->interaction);
  g_free (q->name);
  g_free (q->hint);
  g_free (q->srp_user);
  wipe_string (&q->srp_password);
  g_free (q->psk_identity);
  g_clear_pointer (&q->psk_key, g_bytes_unref);
  if (q->verifier)
    wipe_free (q->verifier, sizeof *q->verifier);
  g_clear_error (&q->error);
  g_clear_error (&q->db_error);
  g_free (q);
}

TlsliteAuthQuery *
_tlslite_auth_pre_query (TlsliteAuth *auth)
{
  GTlsInteraction *interaction;
  gboolean ask_srp, ask_psk;
  TlsliteAuthQuery *q;

  if (!G_IS_TLS_CLIENT_CONNECTION (auth->conn))
    return NULL;
  g_mutex_lock (&auth->mutex);
  if (auth->pre_done)
    {
      g_mutex_unlock (&auth->mutex);
      return NULL;
    }
  auth->pre_done = TRUE;
  interaction = g_tls_connection_get_interaction (auth->conn);
  /* SRP: a user name without its password, or a typed interaction that
   * may have both; PSK: only a typed interaction knows what to answer. */
  ask_srp = interaction && !auth->srp_password &&
            ((auth->srp_username && *auth->srp_username) || TLSLITE_IS_INTERACTION (interaction));
  /* Client unknown: SRP only when the server asks, and then the engine
   * raises the question itself. */
  if (auth->srp_unknown || auth->srp_requested)
    ask_srp = FALSE;
  ask_psk = TLSLITE_IS_INTERACTION (interaction) && !(auth->psk_identity && auth->psk_key);
  g_mutex_unlock (&auth->mutex);
  if (!ask_srp && !ask_psk)
    return NULL;
  q = query_new (auth, Q_PRE);
  q->ask_srp = ask_srp;
  q->ask_psk = ask_psk;
  return q;
}

gboolean
_tlslite_auth_handles_want (tc_want want)
{
  return want == TC_WANT_SRP_CREDENTIALS || want == TC_WANT_SRP_VERIFIER ||
         want == TC_WANT_PSK_IDENTITY || want == TC_WANT_PSK_KEY;
}

TlsliteAuthQuery *
_tlslite_auth_query_new (TlsliteAuth *auth, tc_conn *engine, tc_want want)
{
  TlsliteAuthQuery *q;
  const uint8_t *p;
  size_t len = 0;

  switch (want)
    {
    case TC_WANT_PSK_IDENTITY:
      q = query_new (auth, Q_PSK_IDENTITY);
      p = tc_conn_psk_identity_hint (engine, &len);
      q->hint = p && len ? name_to_string (p, len) : NULL;
      g_mutex_lock (&auth->mutex);
      g_free (auth->psk_hint);
      auth->psk_hint = g_strdup (q->hint);
      auth->notify_hint = TRUE;
      g_mutex_unlock (&auth->mutex);
      return q;
    case TC_WANT_SRP_CREDENTIALS:
      return query_new (auth, Q_SRP_CREDS);
    case TC_WANT_SRP_VERIFIER:
      q = query_new (auth, Q_SRP_VERIFIER);
      p = tc_conn_srp_username (engine, &len);
      break;
    case TC_WANT_PSK_KEY:
      q = query_new (auth, Q_PSK_KEY);
      p = tc_conn_psk_identity (engine, &len);
      break;
    default:
      return NULL;
    }
  q->name = g_memdup2 (p ? (const void *) p : "", len);
  q->name_len = len;
  return q;
}

static void
ask_srp (TlsliteAuthQuery *q, GCancellable *cancellable)
{
  TlsliteAuth *auth = q->auth;
  gchar *server = server_name (q->conn);
  gchar *user, *desc;
  GTlsPassword *password;
  GTlsInteractionResult res = G_TLS_INTERACTION_UNHANDLED;

  g_mutex_lock (&auth->mutex);
  user = g_strdup (auth->srp_username && *auth->srp_username ? auth->srp_username : NULL);
  g_mutex_unlock (&auth->mutex);

  if (user)
    desc = server ? g_strdup_printf (_("SRP password for %s at %s"), user, server)
                  : g_strdup_printf (_("SRP password for %s"), user);
  else
    desc = server ? g_strdup_printf (_("SRP login at %s"), server) : g_strdup (_("SRP login"));
  password = g_tls_password_new (G_TLS_PASSWORD_NONE, desc);

  if (TLSLITE_IS_INTERACTION (q->interaction))
    {
      gchar *answered = NULL;

      res = tlslite_interaction_invoke_ask_srp_credentials (TLSLITE_INTERACTION (q->interaction), q->conn,
                                                            password, &answered, cancellable, &q->error);
      if (res == G_TLS_INTERACTION_HANDLED)
        {
          g_free (user);
          user = answered;
        }
      else
        g_free (answered);
    }
  /* A plain interaction (or a typed one that left it to ask_password):
   * the existing password prompt, with the user and server named. */
  if (res == G_TLS_INTERACTION_UNHANDLED && user && q->interaction)
    res = g_tls_interaction_invoke_ask_password (q->interaction, password, cancellable, &q->error);

  if (res == G_TLS_INTERACTION_HANDLED && user)
    {
      gsize len = 0;
      const guchar *v = g_tls_password_get_value (password, &len);

      if (v && len > 0)
        {
          q->srp_user = g_steal_pointer (&user);
          q->srp_password = g_strndup ((const gchar *) v, len);
        }
    }
  if (res != G_TLS_INTERACTION_FAILED)
    g_clear_error (&q->error);
  /* GTlsPassword frees its copy of the value without wiping it: wipe it
   * in place (the buffer is the password's own) before the object goes. */
  {
    gsize len = 0;
    const guchar *v = g_tls_password_get_value (password, &len);

    if (v && len)
      explicit_bzero ((guchar *) v, len);
  }
  g_object_unref (password);
  g_free (user);
  g_free (desc);
  g_free (server);
}

static void
ask_psk (TlsliteAuthQuery *q, GCancellable *cancellable)
{
  GTlsInteractionResult res;
  GError *err = NULL;

  if (!TLSLITE_IS_INTERACTION (q->interaction))
    return;
  res = tlslite_interaction_invoke_ask_psk (TLSLITE_INTERACTION (q->interaction), q->conn, q->hint,
                                            &q->psk_identity, &q->psk_key, cancellable, &err);
  if (res == G_TLS_INTERACTION_FAILED && !q->error)
    q->error = err;
  else
    g_clear_error (&err);
  /* Declined before the handshake: ask again once a TLS 1.2 server has
   * chosen a PSK suite, if the interaction can answer at all. */
  if (q->kind == Q_PRE && res == G_TLS_INTERACTION_UNHANDLED &&
      interaction_implements_psk (q->interaction))
    q->psk_want = TRUE;
}

static tc_store *
open_path_store (const gchar *path, tc_store_kind kind, GError **error)
{
  tc_error err;
  tc_store *st;

  tc_error_clear (&err);
  st = tc_store_open (path, kind, TC_STORE_READONLY, &err);
  if (!st)
    g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_DATABASE,
                 kind == TC_STORE_SRP ? _("Could not open the verifier database: %s")
                                      : _("Could not open the shared key database: %s"),
                 err.message);
  return st;
}

/* The store to look up in: the object's, or the one opened from the
 * path (only this connection's handshake uses it, one query at a time). */
static tc_store *
lookup_store (TlsliteAuth *auth, tc_store_kind kind, GError **error)
{
  tc_store *st = NULL;
  gchar *path = NULL;

  g_mutex_lock (&auth->mutex);
  if (kind == TC_STORE_SRP)
    {
      if (auth->verifier_db)
        st = _tlslite_verifier_database_get_store (auth->verifier_db);
      else if (auth->path_srp_store)
        st = auth->path_srp_store;
      else
        path = g_strdup (auth->verifier_db_path);
    }
  else
    {
      if (auth->psk_db)
        st = _tlslite_shared_key_database_get_store (auth->psk_db);
      else if (auth->path_psk_store)
        st = auth->path_psk_store;
      else
        path = g_strdup (auth->psk_db_path);
    }
  g_mutex_unlock (&auth->mutex);
  if (st || !path)
    {
      g_free (path);
      return st;
    }

  /* Opening a file may block: done here, in the resolving thread. */
  st = open_path_store (path, kind, error);
  g_free (path);
  if (st)
    {
      g_mutex_lock (&auth->mutex);
      if (kind == TC_STORE_SRP)
        auth->path_srp_store = st;
      else
        auth->path_psk_store = st;
      g_mutex_unlock (&auth->mutex);
    }
  return st;
}

static void
lookup (TlsliteAuthQuery *q)
{
  tc_store_kind kind = q->kind == Q_SRP_VERIFIER ? TC_STORE_SRP : TC_STORE_PSK;
  tc_store *st = lookup_store (q->auth, kind, &q->db_error);
  tc_error err;
  int r;

  if (!st)
    return;
  tc_error_clear (&err);
  if (kind == TC_STORE_SRP)
    {
      q->verifier = g_new0 (tc_srp_verifier, 1);
      r = tc_store_srp_lookup (st, q->name, q->name_len, q->verifier, &err);
      if (r != TC_OK)
        {
          wipe_free (q->verifier, sizeof *q->verifier);
          q->verifier = NULL;
        }
    }
  else
    {
      uint8_t key[TC_STORE_MAX_PSK_KEY];
      size_t len = sizeof key;

      r = tc_store_psk_lookup (st, q->name, q->name_len, key, &len, &err);
      if (r == TC_OK)
        q->psk_key = _tlslite_secret_bytes_new (key, len);
      explicit_bzero (key, sizeof key);
    }
  if (r == TC_FAIL)
    g_set_error (&q->db_error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_DATABASE,
                 kind == TC_STORE_SRP ? _("Could not read the verifier database: %s")
                                      : _("Could not read the shared key database: %s"),
                 err.message);
}

void
_tlslite_auth_query_resolve (TlsliteAuthQuery *q, GCancellable *cancellable)
{
  switch (q->kind)
    {
    case Q_PRE:
      if (q->ask_srp)
        ask_srp (q, cancellable);
      if (q->ask_psk && !q->error)
        ask_psk (q, cancellable);
      break;
    case Q_SRP_CREDS:
      ask_srp (q, cancellable);
      break;
    case Q_PSK_IDENTITY:
      ask_psk (q, cancellable);
      break;
    case Q_SRP_VERIFIER:
    case Q_PSK_KEY:
      lookup (q);
      break;
    }
}

gboolean
_tlslite_auth_query_apply (TlsliteAuthQuery *q, tc_conn *engine, GError **error)
{
  TlsliteAuth *auth = q->auth;

  if (q->error)
    {
      g_propagate_error (error, g_steal_pointer (&q->error));
      return FALSE;
    }

  g_mutex_lock (&auth->mutex);
  if (q->db_error && !auth->db_error)
    auth->db_error = g_error_copy (q->db_error);
  switch (q->kind)
    {
    case Q_PRE:
      g_free (auth->ia_srp_user);
      wipe_string (&auth->ia_srp_password);
      auth->ia_srp_user = g_steal_pointer (&q->srp_user);
      auth->ia_srp_password = g_steal_pointer (&q->srp_password);
      g_free (auth->ia_psk_identity);
      g_clear_pointer (&auth->ia_psk_key, g_bytes_unref);
      auth->ia_psk_identity = g_steal_pointer (&q->psk_identity);
      auth->ia_psk_key = g_steal_pointer (&q->psk_key);
      auth->psk_want = q->psk_want;
      break;
    case Q_SRP_CREDS:
      if (q->srp_user)
        auth->offered_srp = TRUE;
      if (q->srp_user && q->srp_password)
        note_used_srp (auth, q->srp_user, q->srp_password);
      tc_conn_answer_srp_credentials (engine, q->srp_user, (const uint8_t *) q->srp_password,
                                      q->srp_password ? strlen (q->srp_password) : 0);
      break;
    case Q_PSK_IDENTITY:
      if (q->psk_identity && q->psk_key)
        {
          gsize len = 0;
          const guint8 *k = g_bytes_get_data (q->psk_key, &len);

          g_free (auth->offered_psk_identity);
          auth->offered_psk_identity = _tlslite_escape_name ((const guint8 *) q->psk_identity,
                                                             strlen (q->psk_identity));
          tc_conn_answer_psk_identity (engine, (const uint8_t *) q->psk_identity,
                                       strlen (q->psk_identity), k, len);
          note_used_psk (auth, q->psk_identity, k, len);
        }
      else
        {
          auth->psk_declined = TRUE;
          tc_conn_answer_psk_identity (engine, NULL, 0, NULL, 0);
        }
      break;
    case Q_SRP_VERIFIER:
      g_free (auth->server_srp_name);
      auth->server_srp_name = _tlslite_escape_name (q->name, q->name_len);
      auth->server_srp_known = q->verifier != NULL;
      /* A database that cannot be read is the server's fault, not the
       * client's: internal_error, never the wrong-password alert. */
      if (q->db_error)
        tc_conn_abort (engine, "the verifier database could not be read");
      /* NULL (unknown user): the engine goes on with a fake verifier, so
       * the client cannot tell an unknown user from a wrong password. */
      else
        tc_conn_answer_srp_verifier (engine, q->verifier);
      break;
    case Q_PSK_KEY:
      g_free (auth->server_psk_name);
      auth->server_psk_name = _tlslite_escape_name (q->name, q->name_len);
      if (q->db_error)
        tc_conn_abort (engine, "the shared key database could not be read");
      else if (q->psk_key)
        {
          gsize len = 0;
          const guint8 *k = g_bytes_get_data (q->psk_key, &len);

          tc_conn_answer_psk_key (engine, k, len);
        }
      else
        tc_conn_answer_psk_key (engine, NULL, 0);
      break;
    }
  g_mutex_unlock (&auth->mutex);
  return TRUE;
}

/* ---- results ---- */

void
_tlslite_auth_handshake_done (TlsliteAuth *auth, tc_conn *engine)
{
  const uint8_t *p;
  size_t len = 0;
  gchar *srp, *psk;

  p = tc_conn_srp_username (engine, &len);
  srp = p && len ? name_to_string (p, len) : NULL;
  len = 0;
  p = tc_conn_psk_identity (engine, &len);
  psk = p && len ? name_to_string (p, len) : NULL;

  g_mutex_lock (&auth->mutex);
  if (!auth->done || g_strcmp0 (srp, auth->result_srp_user) != 0 ||
      g_strcmp0 (auth->srp_username, srp) != 0)
    auth->notify_srp = TRUE;
  if (!auth->done || g_strcmp0 (psk, auth->result_psk_identity) != 0 ||
      g_strcmp0 (auth->psk_identity, psk) != 0)
    auth->notify_psk = TRUE;
  g_free (auth->result_srp_user);
  g_free (auth->result_psk_identity);
  auth->result_srp_user = srp;
  auth->result_psk_identity = psk;
  if (G_IS_TLS_CLIENT_CONNECTION (auth->conn))
    {
      gchar *hint;

      len = 0;
      p = tc_conn_psk_identity_hint (engine, &len);
      hint = p && len ? name_to_string (p, len) : NULL;
      if (g_strcmp0 (hint, auth->psk_hint) != 0)
        auth->notify_hint = TRUE;
      g_free (auth->psk_hint);
      auth->psk_hint = hint;
    }
  auth->done = TRUE;
  g_mutex_unlock (&auth->mutex);
}

void
_tlslite_auth_notify (TlsliteAuth *auth)
{
  gboolean srp, psk, hint;

  g_mutex_lock (&auth->mutex);
  srp = auth->notify_srp;
  psk = auth->notify_psk;
  hint = auth->notify_hint;
  auth->notify_srp = auth->notify_psk = auth->notify_hint = FALSE;
  g_mutex_unlock (&auth->mutex);
  if (srp)
    g_object_notify (G_OBJECT (auth->conn), "srp-username");
  if (psk)
    g_object_notify (G_OBJECT (auth->conn), "psk-identity");
  if (hint)
    g_object_notify (G_OBJECT (auth->conn), "psk-identity-hint");
}

static gboolean
is_mac_failure (const tc_error *err)
{
  return err->code == TC_ERR_BAD_RECORD_MAC || err->code == TC_ERR_DECRYPT_ERROR ||
         err->code == TC_ERR_DECRYPTION_FAILED;
}

gboolean
_tlslite_auth_map_error (TlsliteAuth *auth, const tc_error *err, tc_conn *engine, GError **error)
{
  gboolean mapped = TRUE;

  g_mutex_lock (&auth->mutex);
  if (G_IS_TLS_CLIENT_CONNECTION (auth->conn))
    {
      if (err->remote && err->code == TC_ERR_UNKNOWN_PSK_IDENTITY && engine &&
          tc_conn_srp_requested (engine))
        g_set_error_literal (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_REQUESTED,
                             _("The server asked for an SRP login: connect again with "
                               "“srp-requested” set"));
      else if (err->remote && err->code == TC_ERR_BAD_RECORD_MAC && auth->offered_srp)
        g_set_error_literal (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED,
                             _("SRP login failed: wrong user name or password"));
      else if (err->remote && err->code == TC_ERR_UNKNOWN_PSK_IDENTITY && auth->offered_psk_identity)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_PSK_UNKNOWN_IDENTITY,
                     _("The server does not know the PSK identity “%s”"), auth->offered_psk_identity);
      else if (is_mac_failure (err) && auth->offered_psk_identity && !auth->offered_srp)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_PSK_FAILED,
                     _("Wrong shared key for PSK identity “%s”"), auth->offered_psk_identity);
      else if (!err->remote && err->code == TC_ERR_HANDSHAKE_FAILURE && auth->psk_declined)
        g_set_error_literal (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS,
                             _("The server asked for a shared key (PSK) and none was given"));
      else if (!err->remote && err->code == TC_ERR_UNKNOWN_PSK_IDENTITY && err->alert == -1)
        g_set_error_literal (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_NO_CREDENTIALS,
                             _("The server asked for an SRP login and no credentials were given"));
      else
        mapped = FALSE;
    }
  else
    {
      if (auth->db_error)
        g_propagate_error (error, g_error_copy (auth->db_error));
      /* The server may know what the client must not: which one it was. */
      else if (!err->remote && is_mac_failure (err) && auth->server_srp_name && auth->server_srp_known)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED,
                     _("SRP login of user “%s” failed: wrong password"), auth->server_srp_name);
      else if (!err->remote && is_mac_failure (err) && auth->server_srp_name)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_FAILED,
                     _("SRP login failed: unknown user “%s”"), auth->server_srp_name);
      else if (!err->remote && err->code == TC_ERR_UNKNOWN_PSK_IDENTITY && auth->server_psk_name)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_PSK_UNKNOWN_IDENTITY,
                     _("Unknown PSK identity “%s”"), auth->server_psk_name);
      else if (!err->remote && is_mac_failure (err) && auth->server_psk_name)
        g_set_error (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_PSK_FAILED,
                     _("Wrong shared key for PSK identity “%s”"), auth->server_psk_name);
      else
        mapped = FALSE;
    }
  g_mutex_unlock (&auth->mutex);
  return mapped;
}
