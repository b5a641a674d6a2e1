/* GTlsConnectionTlslite: GIO semantics (ops, handshake, close, properties) over a sans-I/O tlscore engine. */
#include <string.h>

#include <glib/gi18n-lib.h>
#ifdef G_OS_UNIX
#include <sys/socket.h>
#endif

#include "auth.h"
#include "connection.h"
#include "connection-extras.h"
#include "config-cache.h"

/*
 * Threads and locks.
 *
 * GIO lets a handshake, one reader, one writer and a close run from
 * different threads. Like glib-networking, every operation first "claims"
 * its direction under op_mutex (claim_op/yield_op); a handshake or a close
 * claims both directions. A reader and a writer may then run at the same
 * time, so the engine itself is guarded by engine_mutex, held only around
 * engine calls, never while blocking on the network or calling application
 * code. Bytes the engine wants sent are moved under out_mutex into outbuf
 * and written from there, so records from the reader (KeyUpdate replies,
 * alerts) and the writer never interleave. Lock order: out_mutex, then
 * engine_mutex, then op_mutex.
 *
 * Blocking operations read and write the base streams in blocking mode, so
 * the base GSocket's timeout and the caller's GCancellable apply as they
 * do to the base streams themselves. Non-blocking operations (pollable
 * streams, async ops, the async handshake) use the base streams'
 * non-blocking calls and GSources; no thread per connection.
 */

/* Largest records the engine's input buffer holds: one base read straight
 * into it brings up to this many. Freed whenever the connection goes idle. */
#define INPUT_RECORDS 4
/* Records sealed by one large application write, straight from the
 * caller's buffer, and sent from the engine's buffer with one base write
 * (no staging copy; an earlier measurement found one gathered write
 * cheaper than one send per record). */
#define WRITE_RECORDS 4
/* Pieces of engine output sent with one writev: a batch of WRITE_RECORDS
 * aligned records is at most that many, behind what was already queued. */
#define OUT_PIECES 8

typedef enum { OP_HANDSHAKE, OP_READ, OP_WRITE, OP_CLOSE_READ, OP_CLOSE_WRITE, OP_CLOSE_BOTH } Op;

typedef struct
{
  GIOStream *base_io_stream;
  GInputStream *base_in;
  GOutputStream *base_out;
  GPollableInputStream *base_istream;   /* NULL when the base cannot poll */
  GPollableOutputStream *base_ostream;
  GInputStream *tls_istream;
  GOutputStream *tls_ostream;

  GTlsDatabase *database;
  gboolean database_is_unset;
  gboolean is_system_certdb;
  GTlsInteraction *interaction;
  GTlsCertificate *certificate;
  GTlsCertificate *peer_certificate;
  GTlsCertificateFlags peer_certificate_errors;
  gboolean require_close_notify;
  /* What GIO has no getter for: did the last handshake resume, which key exchange group. */
  gboolean session_resumed;
  gchar *group_name;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GTlsRehandshakeMode rehandshake_mode;
  G_GNUC_END_IGNORE_DEPRECATIONS
  gchar **advertised_protocols;
  gchar *negotiated_protocol;
  GTlsProtocolVersion protocol_version;
  gchar *ciphersuite_name;

  /* engine */
  GMutex engine_mutex;
  tc_conn *engine;
  gboolean peer_rejected;
  gboolean missing_client_cert;
  GError *interaction_error;
  gboolean successful_read;
  GIOCondition hs_blocked_dir;

  GMutex out_mutex;
  GByteArray *outbuf;
  gint out_pending;            /* atomic mirror of outbuf->len != 0 */

  guint8 *inbuf;               /* what the engine did not take of a wait read
                                * (read_input); owned by whoever holds the
                                * read side */
  gsize inbuf_off, inbuf_len;
  gboolean rcvlowat_raised;    /* a non-blocking read left SO_RCVLOWAT raised
                                * for the caller's wait (read side) */
  gint rcvlowat_prev;          /* the mark it raised it from, to restore */

  /* operations, under op_mutex */
  GMutex op_mutex;
  GCond op_cond;               /* blocking waiters: op_gen changed */
  guint op_gen;
  guint op_waiters;            /* threads in wait_for_op */
  GCancellable *waiting_for_op;   /* GSource waiters */
  gboolean need_handshake;
  gboolean handshaking;
  gboolean ever_handshaked;
  GThread *handshake_thread;
  GMainContext *handshake_context;
  /* An async handshake parked between steps: waiting for the network in
   * parked_source, or for an auth query's worker thread. Nothing of it
   * runs, and without its main loop nothing would; a close ends it (see
   * abort_parked_handshake). */
  GTask *parked_handshake;
  GSource *parked_source;
  GError *handshake_error;
  gboolean reading, writing;
  gboolean read_closing, read_closed, write_closing, write_closed;
  GCancellable *op_cancellable;

  /* SRP and PSK (auth.c). auth_query: a question the async handshake
   * resolves in a worker thread (async_auth: this handshake may do so). */
  TlsliteAuth *auth;
  TlsliteAuthQuery *auth_query;
  gboolean async_auth;
} GTlsConnectionTlslitePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GTlsConnectionTlslite, g_tls_connection_tlslite, G_TYPE_TLS_CONNECTION)

enum
{
  PROP_0,
  PROP_BASE_IO_STREAM,
  PROP_REQUIRE_CLOSE_NOTIFY,
  PROP_REHANDSHAKE_MODE,
  PROP_USE_SYSTEM_CERTDB,
  PROP_DATABASE,
  PROP_CERTIFICATE,
  PROP_INTERACTION,
  PROP_PEER_CERTIFICATE,
  PROP_PEER_CERTIFICATE_ERRORS,
  PROP_ADVERTISED_PROTOCOLS,
  PROP_NEGOTIATED_PROTOCOL,
  PROP_PROTOCOL_VERSION,
  PROP_CIPHERSUITE_NAME,
  PROP_SESSION_RESUMED,
  PROP_GROUP_NAME
};

/* The extras' properties (connection-extras.h), numbered apart. */
enum
{
  PROP_PINS_FIRST = TLSLITE_EXTRAS_PROP_FIRST,
  PROP_ALERT_FIRST = PROP_PINS_FIRST + TLSLITE_PINS_N_PROPS,
  PROP_SETTINGS_FIRST = PROP_ALERT_FIRST + TLSLITE_ALERT_N_PROPS,
  PROP_OCSP_FIRST = PROP_SETTINGS_FIRST + TLSLITE_SETTINGS_N_PROPS
};

#define PRIV(self) ((GTlsConnectionTlslitePrivate *) g_tls_connection_tlslite_get_instance_private (self))

static gboolean run_handshake (GTlsConnectionTlslite *self, gboolean blocking,
                               GCancellable *cancellable, GError **error);
static void discard_pending_input (GTlsConnectionTlslite *self);

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

void
tlslite_connection_lock (GTlsConnectionTlslite *self)
{
  g_mutex_lock (&PRIV (self)->engine_mutex);
}

void
tlslite_connection_unlock (GTlsConnectionTlslite *self)
{
  g_mutex_unlock (&PRIV (self)->engine_mutex);
}

GIOStream *
tlslite_connection_get_base_stream (GTlsConnectionTlslite *self)
{
  return PRIV (self)->base_io_stream;
}

const gchar *const *
tlslite_connection_get_advertised_protocols (GTlsConnectionTlslite *self)
{
  return (const gchar *const *) PRIV (self)->advertised_protocols;
}

GTlsCertificate *
tlslite_connection_get_own_certificate (GTlsConnectionTlslite *self)
{
  return PRIV (self)->certificate;
}

GCancellable *
tlslite_connection_get_op_cancellable (GTlsConnectionTlslite *self)
{
  return PRIV (self)->op_cancellable;
}

void
tlslite_connection_set_interaction_error (GTlsConnectionTlslite *self, GError *error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  g_clear_error (&priv->interaction_error);
  priv->interaction_error = error;
}

GTlsCertificate *
tlslite_connection_dup_peer (GTlsConnectionTlslite *self, GTlsCertificateFlags *errors)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTlsCertificate *peer;

  g_mutex_lock (&priv->op_mutex);
  peer = priv->peer_certificate ? g_object_ref (priv->peer_certificate) : NULL;
  *errors = priv->peer_certificate_errors;
  g_mutex_unlock (&priv->op_mutex);
  return peer;
}

void
tlslite_connection_set_missing_client_cert (GTlsConnectionTlslite *self)
{
  PRIV (self)->missing_client_cert = TRUE;
}

TlsliteAuth *
tlslite_connection_get_auth (GTlsConnectionTlslite *self)
{
  return PRIV (self)->auth;
}

static gboolean
is_client (GTlsConnectionTlslite *self)
{
  return G_IS_TLS_CLIENT_CONNECTION (self);
}

static GTlsProtocolVersion
protocol_version_from_tc (uint16_t v)
{
  switch (v)
    {
    case TC_SSL30: return G_TLS_PROTOCOL_VERSION_SSL_3_0;
    case TC_TLS10: return G_TLS_PROTOCOL_VERSION_TLS_1_0;
    case TC_TLS11: return G_TLS_PROTOCOL_VERSION_TLS_1_1;
    case TC_TLS12: return G_TLS_PROTOCOL_VERSION_TLS_1_2;
    case TC_TLS13: return G_TLS_PROTOCOL_VERSION_TLS_1_3;
    case 0: return G_TLS_PROTOCOL_VERSION_UNKNOWN;
    default: return G_TLS_PROTOCOL_VERSION_UNKNOWN;
    }
}

static gboolean
is_transport_soft_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A transport failure before TLS was ever established means the peer did
 * not speak TLS with us (it went away or reset), as GIO documents. */
static void
propagate_transport_error (GTlsConnectionTlslite *self, gboolean in_handshake, GError *my_error,
                           GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  if (in_handshake && !priv->ever_handshaked && !is_transport_soft_error (my_error))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                   _("Peer failed to perform TLS handshake: %s"), my_error->message);
      g_error_free (my_error);
      return;
    }
  g_propagate_error (error, my_error);
}

/* Turn the engine's latched error into the GError GIO documents. */
static void
set_engine_error (GTlsConnectionTlslite *self, const tc_error *err, gboolean in_handshake,
                  GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  const char *msg = err->message[0] ? err->message : tc_err_name (err->code);

  if (_tlslite_auth_map_error (priv->auth, err, priv->engine, error))
    return;

  /* TLS 1.3 servers reject a missing client certificate after our
   * handshake already finished; the failure shows up on the first read.
   * Report what the application can act on. */
  if (is_client (self) && priv->missing_client_cert && !priv->successful_read &&
      (err->remote || err->code == TC_ERR_ABRUPT_EOF))
    {
      if (priv->interaction_error)
        {
          g_propagate_error (error, priv->interaction_error);
          priv->interaction_error = NULL;
        }
      else
        g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                             _("Server required TLS certificate"));
      return;
    }

  if (priv->peer_rejected)
    {
      if (_tlslite_gio_pins_get_error (G_OBJECT (self), error))
        return;
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                           _("Unacceptable TLS certificate"));
      return;
    }

  if (err->remote)
    {
      const char *alert = tc_alert_name (err->alert);

      if (err->alert == TC_ERR_CERTIFICATE_REQUIRED)
        g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                             _("Server required TLS certificate"));
      else if (err->alert == TC_ERR_INAPPROPRIATE_FALLBACK)
        g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_INAPPROPRIATE_FALLBACK,
                             _("Protocol version downgrade attack detected"));
      else if (!priv->ever_handshaked)
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                     _("Peer sent fatal TLS alert: %s"), alert);
      else
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                     _("Peer sent fatal TLS alert: %s"), alert);
      return;
    }

  /* TLS 1.2 has no certificate_required alert: a server requiring a
   * client certificate fails with handshake_failure once the client sent
   * none. Past version negotiation, with no peer certificate, that is what
   * a handshake_failure of ours means under REQUIRED. */
  if (err->code == TC_ERR_HANDSHAKE_FAILURE && G_IS_TLS_SERVER_CONNECTION (self) &&
      !priv->peer_certificate && priv->engine)
    {
      GTlsAuthenticationMode mode = G_TLS_AUTHENTICATION_NONE;
      uint16_t version;

      g_object_get (self, "authentication-mode", &mode, NULL);
      g_mutex_lock (&priv->engine_mutex);
      version = tc_conn_version (priv->engine);
      g_mutex_unlock (&priv->engine_mutex);
      if (mode == G_TLS_AUTHENTICATION_REQUIRED && version != 0 && version < TC_TLS13)
        {
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                               _("TLS connection peer did not send a certificate"));
          return;
        }
    }

  switch (err->code)
    {
    case TC_ERR_ABRUPT_EOF:
      if (!priv->ever_handshaked)
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                     _("Peer failed to perform TLS handshake: %s"), msg);
      else
        g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_EOF,
                             _("TLS connection closed unexpectedly"));
      break;
    case TC_ERR_NOT_TLS:
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS,
                   _("Peer failed to perform TLS handshake: %s"), msg);
      break;
    case TC_ERR_CERTIFICATE_REQUIRED:
    case TC_ERR_NO_CERTIFICATE:
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                           _("TLS connection peer did not send a certificate"));
      break;
    case TC_ERR_BAD_CERTIFICATE:
    case TC_ERR_UNSUPPORTED_CERTIFICATE:
    case TC_ERR_CERTIFICATE_REVOKED:
    case TC_ERR_CERTIFICATE_EXPIRED:
    case TC_ERR_CERTIFICATE_UNKNOWN:
    case TC_ERR_UNKNOWN_CA:
    case TC_ERR_BAD_CERTIFICATE_STATUS_RESPONSE:
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("Unacceptable TLS certificate: %s"), msg);
      break;
    case TC_ERR_INAPPROPRIATE_FALLBACK:
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_INAPPROPRIATE_FALLBACK,
                           _("Protocol version downgrade attack detected"));
      break;
    case TC_ERR_CLOSED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("Connection is closed"));
      break;
    case TC_ERR_NOMEM:
    case TC_ERR_INVALID_ARGUMENT:
    case TC_ERR_BAD_INPUT:
    case TC_ERR_BAD_PASSWORD:
    case TC_ERR_UNSUPPORTED:
    case TC_ERR_RANDOM:
    case TC_ERR_INTERNAL_ERROR:
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("TLS error: %s"), msg);
      break;
    default:
      if (in_handshake || !priv->ever_handshaked)
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                     _("TLS handshake failed: %s"), msg);
      else
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("TLS error: %s"), msg);
      break;
    }
}

static void
set_engine_error_locked_copy (GTlsConnectionTlslite *self, gboolean in_handshake, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  tc_error copy;

  g_mutex_lock (&priv->engine_mutex);
  copy = *tc_conn_error (priv->engine);
  g_mutex_unlock (&priv->engine_mutex);
  set_engine_error (self, &copy, in_handshake, error);
}

/* ------------------------------------------------------------------ */
/* operation claiming                                                  */

static gboolean
is_close_op (Op op)
{
  return op == OP_CLOSE_READ || op == OP_CLOSE_WRITE || op == OP_CLOSE_BOTH;
}

/* An operation ended: wake blocking waiters and pollable sources. Called
 * with op_mutex held. */
static void
ops_changed_locked (GTlsConnectionTlslitePrivate *priv)
{
  priv->op_gen++;
  /* g_cond_broadcast always makes a futex system call; most operations
   * end with nobody waiting. */
  if (priv->op_waiters > 0)
    g_cond_broadcast (&priv->op_cond);
  g_cancellable_cancel (priv->waiting_for_op);
}

static void
wake_op_waiters (GCancellable *cancellable, gpointer user_data)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (G_TLS_CONNECTION_TLSLITE (user_data));

  g_mutex_lock (&priv->op_mutex);
  g_cond_broadcast (&priv->op_cond);
  g_mutex_unlock (&priv->op_mutex);
}

/* Block until another operation ends (op_gen moves past `gen`) or the
 * caller's cancellable fires. A counter, not a reset-and-poll flag, so
 * no wake-up is lost between two waiters. */
static void
wait_for_op (GTlsConnectionTlslite *self, guint gen, GCancellable *cancellable)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gulong handler = 0;

  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_op_waiters), self, NULL);
  g_mutex_lock (&priv->op_mutex);
  priv->op_waiters++;
  while (priv->op_gen == gen && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&priv->op_cond, &priv->op_mutex);
  priv->op_waiters--;
  g_mutex_unlock (&priv->op_mutex);
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
}

static void yield_op (GTlsConnectionTlslite *self, Op op);

/* Park / unpark the async handshake task (op_mutex held). */
static void
park_handshake_locked (GTlsConnectionTlslitePrivate *priv, GTask *task, GSource *source)
{
  g_clear_object (&priv->parked_handshake);
  g_clear_pointer (&priv->parked_source, g_source_unref);
  priv->parked_handshake = g_object_ref (task);
  priv->parked_source = source ? g_source_ref (source) : NULL;
}

/* TRUE if task was still parked (and now is not): its step may run. */
static gboolean
unpark_handshake (GTlsConnectionTlslite *self, GTask *task)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gboolean mine;

  g_mutex_lock (&priv->op_mutex);
  mine = priv->parked_handshake == task;
  if (mine)
    {
      g_clear_object (&priv->parked_handshake);
      g_clear_pointer (&priv->parked_source, g_source_unref);
    }
  g_mutex_unlock (&priv->op_mutex);
  return mine;
}

/* A close while an async handshake is parked: the handshake fails with
 * G_IO_ERROR_CLOSED (its callback runs in its own context, whenever that
 * iterates) and the close goes on at once, as with glib-networking. Else
 * a blocking close with no main loop running (libsoup closing its server
 * connections at exit) would wait forever for a handshake that only that
 * main loop can move on. Called with op_mutex held; drops it. */
static void
abort_parked_handshake_unlock (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTask *task = g_steal_pointer (&priv->parked_handshake);
  GSource *source = g_steal_pointer (&priv->parked_source);
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("Connection is closed"));

  if (!priv->handshake_error)
    priv->handshake_error = g_error_copy (error);
  g_mutex_unlock (&priv->op_mutex);

  if (source)
    {
      g_source_destroy (source);
      g_source_unref (source);
    }
  yield_op (self, OP_HANDSHAKE);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static gboolean
claim_op (GTlsConnectionTlslite *self, Op op, gboolean blocking, GCancellable *cancellable,
          GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

try_again:
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  g_mutex_lock (&priv->op_mutex);

  if (is_close_op (op) && priv->parked_handshake)
    {
      abort_parked_handshake_unlock (self);
      goto try_again;
    }

  if (((op == OP_HANDSHAKE || op == OP_READ) && (priv->read_closing || priv->read_closed)) ||
      ((op == OP_HANDSHAKE || op == OP_WRITE) && (priv->write_closing || priv->write_closed)))
    {
      g_mutex_unlock (&priv->op_mutex);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("Connection is closed"));
      return FALSE;
    }

  if (priv->handshake_error && !is_close_op (op))
    {
      if (error)
        *error = g_error_copy (priv->handshake_error);
      g_mutex_unlock (&priv->op_mutex);
      return FALSE;
    }

  if ((op == OP_READ || op == OP_WRITE) && priv->need_handshake && !priv->handshaking &&
      !priv->reading && !priv->writing)
    {
      GError *my_error = NULL;
      gboolean ok;

      /* Implicit handshake on first use. */
      priv->handshaking = TRUE;
      priv->handshake_thread = g_thread_self ();
      priv->op_cancellable = cancellable;
      g_mutex_unlock (&priv->op_mutex);

      ok = run_handshake (self, blocking, cancellable, &my_error);

      g_mutex_lock (&priv->op_mutex);
      priv->handshaking = FALSE;
      priv->handshake_thread = NULL;
      priv->op_cancellable = NULL;
      ops_changed_locked (priv);
      g_mutex_unlock (&priv->op_mutex);
      if (!ok)
        {
          g_propagate_error (error, my_error);
          return FALSE;
        }
      goto try_again;
    }

  if (priv->handshaking && blocking &&
      (priv->handshake_thread == g_thread_self () ||
       (priv->handshake_context && g_main_context_is_owner (priv->handshake_context))))
    {
      /* Blocking here would stall the very handshake we wait for (e.g. a
       * sync close from an accept-certificate handler). */
      g_mutex_unlock (&priv->op_mutex);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Cannot perform blocking operation during TLS handshake"));
      return FALSE;
    }

  if ((op != OP_WRITE && priv->reading) || (op != OP_READ && priv->writing) ||
      priv->handshaking)
    {
      guint gen = priv->op_gen;

      g_cancellable_reset (priv->waiting_for_op);
      g_mutex_unlock (&priv->op_mutex);
      if (!blocking)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, _("Operation would block"));
          return FALSE;
        }
      wait_for_op (self, gen, cancellable);
      goto try_again;
    }

  if (op == OP_HANDSHAKE)
    {
      priv->handshaking = TRUE;
      priv->handshake_thread = g_thread_self ();
    }
  if (op == OP_CLOSE_BOTH || op == OP_CLOSE_READ)
    priv->read_closing = TRUE;
  if (op == OP_CLOSE_BOTH || op == OP_CLOSE_WRITE)
    priv->write_closing = TRUE;
  if (op != OP_WRITE)
    priv->reading = TRUE;
  if (op != OP_READ)
    priv->writing = TRUE;

  g_mutex_unlock (&priv->op_mutex);
  return TRUE;
}

static void
yield_op (GTlsConnectionTlslite *self, Op op)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  g_mutex_lock (&priv->op_mutex);
  if (op == OP_HANDSHAKE)
    {
      priv->handshaking = FALSE;
      priv->handshake_thread = NULL;
      g_clear_pointer (&priv->handshake_context, g_main_context_unref);
    }
  if (op == OP_CLOSE_BOTH || op == OP_CLOSE_READ)
    priv->read_closing = FALSE;
  if (op == OP_CLOSE_BOTH || op == OP_CLOSE_WRITE)
    priv->write_closing = FALSE;
  if (op != OP_WRITE)
    priv->reading = FALSE;
  if (op != OP_READ)
    priv->writing = FALSE;
  ops_changed_locked (priv);
  g_mutex_unlock (&priv->op_mutex);
}

/* ------------------------------------------------------------------ */
/* moving bytes between the engine and the base stream                 */

/* The base stream's socket, when it has one (to wait for readiness
 * without reading or writing). */
static GSocket *
base_socket (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  if (G_IS_SOCKET_CONNECTION (priv->base_io_stream))
    return g_socket_connection_get_socket (G_SOCKET_CONNECTION (priv->base_io_stream));
  return NULL;
}

static gboolean flush_output_sent (GTlsConnectionTlslite *self, gboolean blocking,
                                   GCancellable *cancellable, gboolean *sent, GError **error);

/* One non-blocking write of the engine's output pieces: write() for one,
 * writev()/sendmsg() for several. Returns the bytes taken, or -1 with
 * G_IO_ERROR_WOULD_BLOCK or the failure. */
static gssize
write_pieces_nonblocking (GPollableOutputStream *out, const tc_out_piece *pieces, size_t np,
                          GCancellable *cancellable, GError **error)
{
  GOutputVector vec[OUT_PIECES];
  gsize written = 0;
  GPollableReturn pr;

  if (np == 1)
    return g_pollable_output_stream_write_nonblocking (out, pieces[0].base, pieces[0].len,
                                                       cancellable, error);
  for (size_t i = 0; i < np; i++)
    {
      vec[i].buffer = pieces[i].base;
      vec[i].size = pieces[i].len;
    }
  pr = g_pollable_output_stream_writev_nonblocking (out, vec, np, &written, cancellable, error);
  if (pr == G_POLLABLE_RETURN_WOULD_BLOCK)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, _("Operation would block"));
      return -1;
    }
  if (pr != G_POLLABLE_RETURN_OK)
    return -1;
  return (gssize) written;
}

/* Send everything the engine has queued. */
static gboolean
flush_output (GTlsConnectionTlslite *self, gboolean blocking, GCancellable *cancellable,
              GError **error)
{
  return flush_output_sent (self, blocking, cancellable, NULL, error);
}

/* flush_output; *sent (if given) becomes TRUE when bytes went out. */
static gboolean
flush_output_sent (GTlsConnectionTlslite *self, gboolean blocking, GCancellable *cancellable,
                   gboolean *sent, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GSocket *sock = NULL;

  if (!priv->engine)
    return TRUE;
  sock = base_socket (self);

  if (blocking)
    g_mutex_lock (&priv->out_mutex);
  else if (!g_mutex_trylock (&priv->out_mutex))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, _("Operation would block"));
      return FALSE;
    }

  for (;;)
    {
      gssize n;

      if (!priv->outbuf || priv->outbuf->len == 0)
        {
          tc_out_piece pieces[OUT_PIECES];
          size_t np, len = 0;

          n = 0;
          g_mutex_lock (&priv->engine_mutex);
          np = tc_conn_output_vec (priv->engine, pieces, OUT_PIECES, &len);
          if (np > 0 && priv->base_ostream)
            {
              /* Send straight from the engine's buffer when the socket takes
               * it at once (the usual case): no copy, no staging buffer, the
               * records of a batch in one writev. A non-blocking write
               * cannot stall the reader behind the lock. */
              GError *my_error = NULL;

              n = write_pieces_nonblocking (priv->base_ostream, pieces, np, cancellable, &my_error);
              if (n < 0 && !g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                {
                  g_mutex_unlock (&priv->engine_mutex);
                  g_mutex_unlock (&priv->out_mutex);
                  g_propagate_error (error, my_error);
                  return FALSE;
                }
              g_clear_error (&my_error);
              if (n > 0)
                {
                  tc_conn_output_ack (priv->engine, n);
                  np = tc_conn_output_vec (priv->engine, pieces, OUT_PIECES, &len);
                  if (sent)
                    *sent = TRUE;
                }
            }
          if (np > 0 && blocking && sock)
            {
              /* Wait until the socket takes more instead of copying the
               * rest aside: the records stay in the engine's buffer (the
               * writer's out_mutex keeps their order) and go out from
               * there. The wait honours the socket's timeout. */
              g_mutex_unlock (&priv->engine_mutex);
              if (!g_socket_condition_wait (sock, G_IO_OUT, cancellable, error))
                {
                  g_mutex_unlock (&priv->out_mutex);
                  return FALSE;
                }
              continue;
            }
          if (np > 0)
            {
              if (!priv->outbuf)
                priv->outbuf = g_byte_array_sized_new (len);
              for (size_t i = 0; i < np; i++)
                g_byte_array_append (priv->outbuf, pieces[i].base, pieces[i].len);
              tc_conn_output_ack (priv->engine, len);
            }
          g_mutex_unlock (&priv->engine_mutex);
          if (!priv->outbuf || priv->outbuf->len == 0)
            break;
          g_atomic_int_set (&priv->out_pending, 1);
          if (n < 0 && !blocking)
            {
              /* The direct attempt just said the socket is full. */
              g_mutex_unlock (&priv->out_mutex);
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                                   _("Operation would block"));
              return FALSE;
            }
        }

      if (blocking || !priv->base_ostream)
        n = g_output_stream_write (priv->base_out, priv->outbuf->data, priv->outbuf->len,
                                   cancellable, error);
      else
        n = g_pollable_output_stream_write_nonblocking (priv->base_ostream, priv->outbuf->data,
                                                        priv->outbuf->len, cancellable, error);
      if (n < 0)
        {
          g_mutex_unlock (&priv->out_mutex);
          return FALSE;
        }
      g_byte_array_remove_range (priv->outbuf, 0, n);
      if (sent && n > 0)
        *sent = TRUE;
      if (priv->outbuf->len == 0)
        g_atomic_int_set (&priv->out_pending, 0);
    }

  g_mutex_unlock (&priv->out_mutex);
  return TRUE;
}

static void maybe_shrink (GTlsConnectionTlslite *self, gboolean read_side);

/* SO_RCVLOWAT while the reader waits: with `missing` bytes still to come
 * before the record begun in the input is complete, a TCP socket is told
 * not to report readable for less. A record that arrives in pieces (a
 * 16 KiB record is a dozen TCP segments on a real network) then wakes the
 * reader once instead of once per piece, and each wake-up saved is also a
 * read that would bring too little. The peer closing or failing still
 * wakes the wait, and so does a full receive buffer (Linux reports
 * readable when the window runs out, whatever the mark). The mark goes back
 * to what it was before (1, the default, unless the application set its
 * own) when the wait is over (blocking reads) or at the next read
 * (non-blocking ones, whose caller waits on the socket after we return),
 * so no wait on the socket but the reader's sees it. A mark the
 * application set at or above `missing` is left alone: raising is all
 * this is for, and lowering it would override the application's choice.
 * Returns TRUE when the mark was raised, with the one it replaced in
 * *prev. */
static gboolean
raise_rcvlowat (GSocket *sock, size_t missing, gint *prev)
{
#if defined(G_OS_UNIX) && defined(SO_RCVLOWAT)
  if (missing > 1 && missing <= G_MAXINT &&
      g_socket_get_protocol (sock) == G_SOCKET_PROTOCOL_TCP &&
      g_socket_get_option (sock, SOL_SOCKET, SO_RCVLOWAT, prev, NULL) && *prev < (gint) missing)
    return g_socket_set_option (sock, SOL_SOCKET, SO_RCVLOWAT, (gint) missing, NULL);
#endif
  return FALSE;
}

/* Put back the mark raise_rcvlowat replaced. */
static void
restore_rcvlowat (GSocket *sock, gint prev)
{
#if defined(G_OS_UNIX) && defined(SO_RCVLOWAT)
  g_socket_set_option (sock, SOL_SOCKET, SO_RCVLOWAT, prev, NULL);
#else
  (void) sock;
  (void) prev;
#endif
}

/* A blocking wait until the socket is readable, for `missing` bytes when
 * that many are known to be needed (raise_rcvlowat). */
static gboolean
wait_readable (GSocket *sock, size_t missing, GCancellable *cancellable, GError **error)
{
  gint prev = 1;
  gboolean raised = raise_rcvlowat (sock, missing, &prev);
  gboolean ok = g_socket_condition_wait (sock, G_IO_IN, cancellable, error);

  if (raised)
    restore_rcvlowat (sock, prev);
  return ok;
}

/* Feed the engine what is left of a small wait read (rare: the engine took
 * only part of it). */
static gboolean
feed_staged (GTlsConnectionTlslite *self, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  size_t consumed = 0;
  int r;

  g_mutex_lock (&priv->engine_mutex);
  r = tc_conn_feed (priv->engine, priv->inbuf + priv->inbuf_off, priv->inbuf_len - priv->inbuf_off,
                    &consumed);
  g_mutex_unlock (&priv->engine_mutex);
  priv->inbuf_off += consumed;
  if (priv->inbuf_off >= priv->inbuf_len)
    {
      g_clear_pointer (&priv->inbuf, g_free);
      priv->inbuf_off = priv->inbuf_len = 0;
    }
  /* An engine that neither fails nor takes bytes would make us spin. */
  if (consumed == 0 && r != TC_FAIL)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           _("TLS engine does not accept more input"));
      return FALSE;
    }
  return TRUE;
}

/* Give the engine more network bytes: at most one base read, straight into
 * the engine's input buffer (no staging copy). The buffer is ours until
 * tc_conn_input_ack, so the read runs without the engine lock while a
 * writer uses the engine.
 *
 * A blocking read of a socket waits for input with poll() without holding
 * the buffer, then reads once into it: no blocking read of a 4 KiB stack
 * buffer (its EAGAIN, its copy, several reads for a larger flight). With
 * peer_turn (our flight just went out and the peer has to answer it, so
 * nothing can be there yet) the wait comes first, which saves the read
 * that would only say EAGAIN and the GError it costs. The wait honours the
 * socket's timeout and the cancellable, as a blocking socket read does. */
static gboolean
read_input (GTlsConnectionTlslite *self, gboolean blocking, gboolean peer_turn,
            GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GSocket *sock = blocking && priv->base_istream ? base_socket (self) : NULL;
  GError *my_error = NULL;
  guint8 *p;
  size_t cap = 0, missing;
  gssize n;

  if (priv->inbuf_off < priv->inbuf_len)
    return feed_staged (self, error);

  if (priv->rcvlowat_raised)
    {
      GSocket *raised_on = base_socket (self);

      if (raised_on)
        restore_rcvlowat (raised_on, priv->rcvlowat_prev);
      priv->rcvlowat_raised = FALSE;
    }

  if (sock && peer_turn && !g_socket_condition_wait (sock, G_IO_IN, cancellable, error))
    return FALSE;

take_buffer:
  g_mutex_lock (&priv->engine_mutex);
  p = tc_conn_input_buf (priv->engine, &cap);
  if (!p && (tc_conn_status (priv->engine) & TC_S_FAILED))
    {
      /* The caller's next engine call reports the failure. */
      g_mutex_unlock (&priv->engine_mutex);
      return TRUE;
    }
  g_mutex_unlock (&priv->engine_mutex);
  if (!p)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           _("TLS engine does not accept more input"));
      return FALSE;
    }

  if (blocking && priv->base_istream)
    {
      n = g_pollable_input_stream_read_nonblocking (priv->base_istream, p, cap, cancellable,
                                                    &my_error);
      if (n < 0 && g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          /* A thread blocked on a quiet peer should not hold the input
           * buffer: give it back (freed if nothing is pending) and wait,
           * with poll() on a socket, else with a small stack buffer. */
          guint8 wait_buf[4096];
          size_t consumed = 0;
          int r;

          g_clear_error (&my_error);
          g_mutex_lock (&priv->engine_mutex);
          tc_conn_input_ack (priv->engine, 0);
          missing = tc_conn_input_missing (priv->engine);
          g_mutex_unlock (&priv->engine_mutex);
          maybe_shrink (self, TRUE);
          if (sock)
            {
              if (!wait_readable (sock, missing, cancellable, error))
                return FALSE;
              goto take_buffer;
            }
          n = g_input_stream_read (priv->base_in, wait_buf, sizeof wait_buf, cancellable, error);
          if (n <= 0)
            {
              if (n < 0)
                return FALSE;
              g_mutex_lock (&priv->engine_mutex);
              tc_conn_input_eof (priv->engine);
              g_mutex_unlock (&priv->engine_mutex);
              return TRUE;
            }
          g_mutex_lock (&priv->engine_mutex);
          r = tc_conn_feed (priv->engine, wait_buf, n, &consumed);
          g_mutex_unlock (&priv->engine_mutex);
          if ((gsize) n > consumed && r != TC_FAIL)
            {
              priv->inbuf = g_memdup2 (wait_buf + consumed, n - consumed);
              priv->inbuf_off = 0;
              priv->inbuf_len = n - consumed;
              if (consumed == 0)
                return feed_staged (self, error);
            }
          return TRUE;
        }
    }
  else if (blocking || !priv->base_istream)
    n = g_input_stream_read (priv->base_in, p, cap, cancellable, &my_error);
  else
    n = g_pollable_input_stream_read_nonblocking (priv->base_istream, p, cap, cancellable,
                                                  &my_error);

  /* Commit what the read brought (nothing on failure), which also hands
   * the buffer back to the engine. */
  g_mutex_lock (&priv->engine_mutex);
  tc_conn_input_ack (priv->engine, n > 0 ? (size_t) n : 0);
  if (n == 0)
    tc_conn_input_eof (priv->engine);
  missing = n < 0 ? tc_conn_input_missing (priv->engine) : 0;
  g_mutex_unlock (&priv->engine_mutex);
  if (n < 0)
    {
      /* A non-blocking reader waiting for its peer (an idle async
       * connection) keeps no input buffer either. Its caller waits on the
       * socket next: for the rest of the record, if one is under way. */
      if (g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          GSocket *wait_on = !blocking ? base_socket (self) : NULL;

          if (wait_on && raise_rcvlowat (wait_on, missing, &priv->rcvlowat_prev))
            priv->rcvlowat_raised = TRUE;
          maybe_shrink (self, TRUE);
        }
      g_propagate_error (error, my_error);
      return FALSE;
    }
  return TRUE;
}

/* Drop idle buffers: the engine's and our staging ones. */
static void
maybe_shrink (GTlsConnectionTlslite *self, gboolean read_side)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  if (!priv->engine)
    return;
  g_mutex_lock (&priv->engine_mutex);
  if (!(tc_conn_status (priv->engine) & (TC_S_OUTPUT | TC_S_READABLE | TC_S_WANT)))
    tc_conn_shrink (priv->engine);
  g_mutex_unlock (&priv->engine_mutex);
  /* inbuf belongs to the read side; a writer must not touch it. */
  if (read_side && priv->inbuf && priv->inbuf_off >= priv->inbuf_len)
    {
      g_clear_pointer (&priv->inbuf, g_free);
      priv->inbuf_off = priv->inbuf_len = 0;
    }
  if (g_mutex_trylock (&priv->out_mutex))
    {
      if (priv->outbuf && priv->outbuf->len == 0)
        g_clear_pointer (&priv->outbuf, g_byte_array_unref);
      g_mutex_unlock (&priv->out_mutex);
    }
}

/* ------------------------------------------------------------------ */
/* the handshake                                                       */

static gboolean
ensure_engine (GTlsConnectionTlslite *self, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTlsConnectionTlsliteClass *klass = G_TLS_CONNECTION_TLSLITE_GET_CLASS (self);
  tc_config *cfg;
  tc_conn *conn;
  tc_error err;

  if (priv->engine)
    return TRUE;

  cfg = tc_config_new (is_client (self) ? TC_ROLE_CLIENT : TC_ROLE_SERVER);
  if (!cfg)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("Out of memory"));
      return FALSE;
    }
  if (tlslite_rng_source ())
    tc_config_set_rng_source (cfg, tlslite_rng_source ());
  tc_config_set_verify_mode (cfg, TC_VERIFY_CALLER);
  /* GIO: no common ALPN protocol means none negotiated, not a failure. */
  tc_config_set_alpn_strict (cfg, false);
  /* TlsliteSettings: the connection's own, else G_TLS_TLSLITE_SETTINGS,
   * the old G_TLS_TLSLITE_* variables and the system key file. */
  if (!_tlslite_gio_settings_prepare (G_OBJECT (self), cfg, !is_client (self), error) ||
      !_tlslite_gio_ocsp_prepare (G_OBJECT (self), cfg, !is_client (self), error))
    {
      tc_config_unref (cfg);
      return FALSE;
    }
  if (!_tlslite_gio_pins_prepare (G_OBJECT (self), error))
    {
      tc_config_unref (cfg);
      return FALSE;
    }
  tc_error_clear (&err);
  if (priv->advertised_protocols && priv->advertised_protocols[0])
    {
      if (tc_config_set_alpn (cfg, (const char *const *) priv->advertised_protocols,
                              g_strv_length (priv->advertised_protocols), &err) != TC_OK)
        {
          g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                       _("Invalid advertised protocols: %s"), err.message);
          tc_config_unref (cfg);
          return FALSE;
        }
    }
  if (klass->prepare_config && !klass->prepare_config (self, cfg, error))
    {
      tc_config_unref (cfg);
      return FALSE;
    }
  if (!_tlslite_auth_prepare_config (priv->auth, cfg, error))
    {
      tc_config_unref (cfg);
      return FALSE;
    }

  /* Connections with identical settings share one config (config-cache.c);
   * nothing is set on cfg from here on. */
  cfg = _tlslite_gio_config_share (cfg);
  tc_error_clear (&err);
  conn = tc_conn_new (cfg, &err);
  tc_config_unref (cfg);
  if (!conn)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                   _("Could not create TLS connection: %s"), err.message);
      return FALSE;
    }
  /* We read whenever input arrived, so records can wait for the read and
   * be opened straight into the caller's buffer. */
  tc_conn_set_lazy_records (conn, true);
  tc_conn_set_write_records (conn, WRITE_RECORDS);
  tc_conn_set_input_records (conn, INPUT_RECORDS);
  /* Records in a batch with their ciphertext 8-byte aligned (nettle's fast
   * path); flush_output sends the pieces with one writev. */
  tc_conn_set_aligned_records (conn, TRUE);
  if (!_tlslite_auth_prepare_conn (priv->auth, conn, error) ||
      (klass->prepare_conn && !klass->prepare_conn (self, conn, error)))
    {
      tc_conn_free (conn);
      return FALSE;
    }

  g_mutex_lock (&priv->engine_mutex);
  priv->engine = conn;
  g_mutex_unlock (&priv->engine_mutex);
  return TRUE;
}

/* One chain verification per handshake: tlscore/x509 builds and checks
 * the path once and also decides the must-staple policy (RFC 7633) on it,
 * given whether the peer stapled an OCSP response (TLS 1.3: in the
 * Certificate message; TLS 1.2: in CertificateStatus, which the engine
 * waits for before it raises the verify want). */
static GTlsCertificateFlags
verify_peer (GTlsConnectionTlslite *self, GTlsCertificate *peer, tc_staple staple)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GSocketConnectable *identity = NULL;
  GTlsCertificateFlags errors = 0;
  GTlsDatabase *db;
  GError *err = NULL;

  if (is_client (self))
    {
      identity = g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (self));
      if (!identity)
        errors |= G_TLS_CERTIFICATE_BAD_IDENTITY;
    }

  db = g_tls_connection_get_database (G_TLS_CONNECTION (self));
  errors |= tlslite_database_verify_peer (db, peer,
                                          is_client (self) ? G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER
                                                           : G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT,
                                          identity, priv->interaction,
                                          is_client (self) ? staple : TC_STAPLE_IGNORE,
                                          priv->op_cancellable, &err);
  if (err)
    {
      errors |= G_TLS_CERTIFICATE_GENERIC_ERROR;
      g_error_free (err);
    }

  return errors;
}

static void
handle_verify (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  tc_cert *const *chain = NULL;
  GTlsCertificate *peer;
  GTlsCertificateFlags errors = 0;
  gboolean accepted = FALSE, pin_only = FALSE;
  TlslitePinVerdict pin = TLSLITE_PINS_UNSET;
  tc_cert *leaf = NULL;
  size_t n, staple_len = 0;

  g_mutex_lock (&priv->engine_mutex);
  n = tc_conn_peer_chain (priv->engine, &chain);
  peer = tlslite_certificate_new_from_chain (chain, n);
  if (n > 0)
    leaf = tc_cert_ref (chain[0]);
  tc_conn_ocsp_response (priv->engine, &staple_len);
  g_mutex_unlock (&priv->engine_mutex);

  if (peer)
    pin = _tlslite_gio_pins_check (G_OBJECT (self), leaf, &pin_only);
  g_clear_pointer (&leaf, tc_cert_unref);

  if (peer)
    {
      errors = verify_peer (self, peer, staple_len ? TC_STAPLE_PRESENT : TC_STAPLE_NONE);
      /* Pins (tlslite-pins.c): a mismatch is final, never offered to
       * accept-certificate; in pin-only mode a match is enough. The flags
       * stay what validation found, for peer-certificate-errors. */
      if (pin == TLSLITE_PINS_MISMATCH)
        accepted = FALSE;
      else if (pin == TLSLITE_PINS_MATCH && pin_only)
        accepted = TRUE;
      else if (is_client (self))
        {
          GTlsCertificateFlags flags;

          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          flags = g_tls_client_connection_get_validation_flags (G_TLS_CLIENT_CONNECTION (self));
          G_GNUC_END_IGNORE_DEPRECATIONS

          accepted = (errors & flags) == 0;
        }
      /* Servers always ask the application about a client certificate. */
      if (!accepted && pin != TLSLITE_PINS_MISMATCH)
        accepted = g_tls_connection_emit_accept_certificate (G_TLS_CONNECTION (self), peer, errors);
    }
  else if (G_IS_TLS_SERVER_CONNECTION (self))
    {
      GTlsAuthenticationMode mode = G_TLS_AUTHENTICATION_NONE;

      g_object_get (self, "authentication-mode", &mode, NULL);
      accepted = mode != G_TLS_AUTHENTICATION_REQUIRED;
    }

  /* GIO documents that these are set only after accept-certificate. */
  g_mutex_lock (&priv->op_mutex);
  g_clear_object (&priv->peer_certificate);
  priv->peer_certificate = peer;
  priv->peer_certificate_errors = errors;
  g_mutex_unlock (&priv->op_mutex);
  g_object_notify (G_OBJECT (self), "peer-certificate");
  g_object_notify (G_OBJECT (self), "peer-certificate-errors");

  if (!accepted)
    priv->peer_rejected = TRUE;
  g_mutex_lock (&priv->engine_mutex);
  /* A pin mismatch is bad_certificate whatever validation found. */
  tc_conn_answer_verify (priv->engine, accepted,
                         pin == TLSLITE_PINS_MISMATCH ? 0 : (unsigned) errors,
                         accepted ? NULL
                         : pin == TLSLITE_PINS_MISMATCH ? "certificate matches no pin"
                                                        : "certificate rejected");
  g_mutex_unlock (&priv->engine_mutex);
}

GBytes *
tlslite_connection_dup_ocsp_response (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GBytes *bytes = NULL;
  const uint8_t *der;
  size_t len = 0;

  g_mutex_lock (&priv->engine_mutex);
  if (priv->engine && (der = tc_conn_ocsp_response (priv->engine, &len)) && len > 0)
    bytes = g_bytes_new (der, len);
  g_mutex_unlock (&priv->engine_mutex);
  return bytes;
}

int
tlslite_connection_last_alert (GTlsConnectionTlslite *self, gboolean sent, int *level)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  int desc = -1;

  *level = -1;
  g_mutex_lock (&priv->engine_mutex);
  if (priv->engine)
    desc = tc_conn_last_alert (priv->engine, sent, level);
  g_mutex_unlock (&priv->engine_mutex);
  return desc;
}

gboolean
tlslite_connection_answer_client_cert (GTlsConnectionTlslite *self, tc_conn *conn,
                                       GTlsCertificate *cert, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  tc_cert **chain = NULL;
  gsize n = 0;
  tc_privkey *key = NULL;

  if (cert)
    {
      if (G_IS_TLS_CERTIFICATE_TLSLITE (cert))
        key = tlslite_certificate_get_tc_privkey (G_TLS_CERTIFICATE_TLSLITE (cert));
      if (!key)
        {
          /* Nothing we can sign with: give up without a word on the wire,
           * as other GIO backends do. */
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED,
                               _("The client certificate has no private key"));
          return FALSE;
        }
      n = tlslite_certificate_build_chain (cert, &chain);
    }

  if (n == 0)
    priv->missing_client_cert = TRUE;
  g_mutex_lock (&priv->engine_mutex);
  tc_conn_answer_client_cert (conn, chain, n, n ? key : NULL);
  g_mutex_unlock (&priv->engine_mutex);
  if (chain)
    tlslite_certificate_free_chain (chain, n);
  return TRUE;
}

static void
finish_handshake (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTlsConnectionTlsliteClass *klass = G_TLS_CONNECTION_TLSLITE_GET_CLASS (self);
  GTlsProtocolVersion version;
  const char *alpn, *suite;
  gchar *old_alpn, *old_suite;

  g_mutex_lock (&priv->engine_mutex);
  version = protocol_version_from_tc (tc_conn_version (priv->engine));
  alpn = tc_conn_alpn (priv->engine);
  suite = tc_cipher_suite_name (tc_conn_cipher_suite (priv->engine));
  old_alpn = priv->negotiated_protocol;
  old_suite = priv->ciphersuite_name;
  priv->negotiated_protocol = g_strdup (alpn);
  priv->ciphersuite_name = g_strdup (suite);
  priv->session_resumed = tc_conn_resumed (priv->engine);
  g_free (priv->group_name);
  priv->group_name = g_strdup (tc_group_name (tc_conn_group (priv->engine)));
  _tlslite_auth_handshake_done (priv->auth, priv->engine);
  if (klass->session_update)
    klass->session_update (self, priv->engine);
  g_mutex_unlock (&priv->engine_mutex);
  _tlslite_auth_notify (priv->auth);

  priv->need_handshake = FALSE;
  priv->ever_handshaked = TRUE;

  if (!priv->peer_certificate && klass->resumed_peer)
    {
      gboolean resumed;

      g_mutex_lock (&priv->engine_mutex);
      resumed = tc_conn_resumed (priv->engine);
      g_mutex_unlock (&priv->engine_mutex);
      if (resumed)
        {
          GTlsCertificateFlags errors = 0;
          GTlsCertificate *peer = klass->resumed_peer (self, &errors);

          if (peer)
            {
              g_mutex_lock (&priv->op_mutex);
              priv->peer_certificate = peer;
              priv->peer_certificate_errors = errors;
              g_mutex_unlock (&priv->op_mutex);
              g_object_notify (G_OBJECT (self), "peer-certificate");
              g_object_notify (G_OBJECT (self), "peer-certificate-errors");
            }
        }
    }

  if (g_strcmp0 (old_alpn, priv->negotiated_protocol) != 0)
    g_object_notify (G_OBJECT (self), "negotiated-protocol");
  if (version != priv->protocol_version)
    {
      priv->protocol_version = version;
      g_object_notify (G_OBJECT (self), "protocol-version");
    }
  if (g_strcmp0 (old_suite, priv->ciphersuite_name) != 0)
    g_object_notify (G_OBJECT (self), "ciphersuite-name");
  g_free (old_alpn);
  g_free (old_suite);
}

static void
record_handshake_error (GTlsConnectionTlslite *self, const GError *error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return;
  g_mutex_lock (&priv->op_mutex);
  if (!priv->handshake_error)
    priv->handshake_error = g_error_copy (error);
  g_mutex_unlock (&priv->op_mutex);
}

/* Answer an SRP/PSK question: here and now, or (async handshake) by
 * handing it to async_handshake_step, which resolves it in a worker
 * thread so that interactions and database look-ups never block the
 * handshake's main context. engine is NULL before the engine exists. */
static gboolean
run_auth_query (GTlsConnectionTlslite *self, TlsliteAuthQuery *q, tc_conn *engine,
                GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gboolean ok;

  if (priv->async_auth)
    {
      priv->auth_query = q;
      priv->hs_blocked_dir = 0;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "auth");
      return FALSE;
    }
  _tlslite_auth_query_resolve (q, cancellable);
  g_mutex_lock (&priv->engine_mutex);
  ok = _tlslite_auth_query_apply (q, engine, error);
  g_mutex_unlock (&priv->engine_mutex);
  _tlslite_auth_query_free (q);
  return ok;
}

/* Drive the initial handshake until it completes, fails, or (when not
 * blocking) has to wait for the network. The caller holds the handshake. */
static gboolean
drive_handshake (GTlsConnectionTlslite *self, gboolean blocking, GCancellable *cancellable,
                 GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTlsConnectionTlsliteClass *klass = G_TLS_CONNECTION_TLSLITE_GET_CLASS (self);

  if (!priv->engine)
    {
      TlsliteAuthQuery *q = _tlslite_auth_pre_query (priv->auth);

      if (q && !run_auth_query (self, q, NULL, cancellable, error))
        return FALSE;
    }
  if (!ensure_engine (self, error))
    return FALSE;

  /* Whether our last flight went out since the last read: then the peer
   * has to answer before there is anything to read. */
  gboolean sent = FALSE;

  for (;;)
    {
      GError *my_error = NULL;
      unsigned st;

      if (!flush_output_sent (self, blocking, cancellable, &sent, &my_error))
        {
          if (g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            priv->hs_blocked_dir = G_IO_OUT;
          propagate_transport_error (self, TRUE, my_error, error);
          return FALSE;
        }

      g_mutex_lock (&priv->engine_mutex);
      st = tc_conn_status (priv->engine);
      g_mutex_unlock (&priv->engine_mutex);

      if (st & TC_S_FAILED)
        {
          /* The alert (if any) is already flushed above. */
          set_engine_error_locked_copy (self, TRUE, error);
          return FALSE;
        }
      if (st & TC_S_OUTPUT)
        continue;
      if (st & TC_S_WANT)
        {
          tc_want want;

          g_mutex_lock (&priv->engine_mutex);
          want = tc_conn_want (priv->engine);
          g_mutex_unlock (&priv->engine_mutex);
          if (want == TC_WANT_VERIFY_PEER)
            handle_verify (self);
          else if (_tlslite_auth_handles_want (want))
            {
              TlsliteAuthQuery *q;

              g_mutex_lock (&priv->engine_mutex);
              q = _tlslite_auth_query_new (priv->auth, priv->engine, want);
              g_mutex_unlock (&priv->engine_mutex);
              _tlslite_auth_notify (priv->auth);
              if (!run_auth_query (self, q, priv->engine, cancellable, error))
                return FALSE;
            }
          else if (want == TC_WANT_CLIENT_CERT && klass->choose_client_cert)
            {
              if (!klass->choose_client_cert (self, priv->engine, error))
                return FALSE;
            }
          else
            {
              g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           _("TLS engine asked for something unsupported (%d)"), (int) want);
              return FALSE;
            }
          continue;
        }
      if (st & TC_S_READY)
        {
          finish_handshake (self);
          /* The handshake holds both directions, so the read-side staging
           * buffer is ours to drop too; an idle connection keeps ~no buffers. */
          maybe_shrink (self, TRUE);
          return TRUE;
        }
      if (st & (TC_S_INPUT | TC_S_NEED_INPUT))
        {
          if (!read_input (self, blocking, sent, cancellable, &my_error))
            {
              if (g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                priv->hs_blocked_dir = G_IO_IN;
              propagate_transport_error (self, TRUE, my_error, error);
              return FALSE;
            }
          sent = FALSE;
          continue;
        }
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC, _("TLS engine stalled"));
      return FALSE;
    }
}

static gboolean
run_handshake (GTlsConnectionTlslite *self, gboolean blocking, GCancellable *cancellable,
               GError **error)
{
  GError *my_error = NULL;

  if (drive_handshake (self, blocking, cancellable, &my_error))
    return TRUE;
  record_handshake_error (self, my_error);
  g_propagate_error (error, my_error);
  return FALSE;
}

static gboolean
g_tls_connection_tlslite_handshake (GTlsConnection *conn, GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslite *self = G_TLS_CONNECTION_TLSLITE (conn);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gboolean ok;

  if (!claim_op (self, OP_HANDSHAKE, TRUE, cancellable, error))
    return FALSE;

  priv->op_cancellable = cancellable;
  /* A handshake on an established connection succeeds and does nothing, as
   * GLib documents since 2.64 and glib-networking does: no renegotiation
   * (gone in TLS 1.3, refused by us before it) and no KeyUpdate either, so
   * the result is the same whatever version was negotiated. */
  if (priv->ever_handshaked && !priv->need_handshake)
    ok = TRUE;
  else
    ok = run_handshake (self, TRUE, cancellable, error);
  priv->op_cancellable = NULL;

  yield_op (self, OP_HANDSHAKE);
  return ok;
}

/* Async handshake: the engine is driven from GSources on the base streams
 * in the caller's main context. */
typedef struct
{
  gboolean claimed;
  gboolean established;   /* already handshaked when claimed: a no-op */
  GSource *source;
} AsyncHandshake;

static void
async_handshake_free (gpointer data)
{
  AsyncHandshake *ah = data;

  if (ah->source)
    {
      g_source_destroy (ah->source);
      g_source_unref (ah->source);
    }
  g_free (ah);
}

static void async_handshake_step (GTask *task);

/* A GPollableSourceFunc: pollable sources pass the stream first. */
static gboolean
async_handshake_source_cb (GObject *stream, gpointer user_data)
{
  GTask *task = g_object_ref (user_data);
  AsyncHandshake *ah = g_task_get_task_data (task);

  /* Returning REMOVE destroys the source; only drop our handle here. */
  g_clear_pointer (&ah->source, g_source_unref);
  /* Not parked any more: a close ended the handshake meanwhile. */
  if (unpark_handshake (g_task_get_source_object (task), task))
    async_handshake_step (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
async_handshake_wait (GTask *task, GSource *source)
{
  AsyncHandshake *ah = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable)
    {
      GSource *cs = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cs);
      g_source_add_child_source (source, cs);
      g_source_unref (cs);
    }
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) async_handshake_source_cb,
                         g_object_ref (task), g_object_unref);
  g_source_set_priority (source, g_task_get_priority (task));
  g_mutex_lock (&PRIV (g_task_get_source_object (task))->op_mutex);
  park_handshake_locked (PRIV (g_task_get_source_object (task)), task, source);
  g_mutex_unlock (&PRIV (g_task_get_source_object (task))->op_mutex);
  g_source_attach (source, g_task_get_context (task));
  ah->source = source;
}

static void
async_handshake_thread (GTask *task, gpointer object, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_tls_connection_tlslite_handshake (G_TLS_CONNECTION (object), cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
async_auth_thread (GTask *task, gpointer object, gpointer task_data, GCancellable *cancellable)
{
  _tlslite_auth_query_resolve (task_data, cancellable);
  g_task_return_boolean (task, TRUE);
}

/* Back in the handshake's context: answer the engine, go on. */
static void
async_auth_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GTlsConnectionTlslite *self = G_TLS_CONNECTION_TLSLITE (object);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTask *task = user_data;
  TlsliteAuthQuery *q = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gboolean ok;

  /* A close ended the handshake while the query ran: drop the answer. */
  if (!unpark_handshake (self, task))
    {
      g_object_unref (task);
      return;
    }
  g_mutex_lock (&priv->engine_mutex);
  ok = _tlslite_auth_query_apply (q, priv->engine, &error);
  g_mutex_unlock (&priv->engine_mutex);
  if (!ok)
    {
      record_handshake_error (self, error);
      yield_op (self, OP_HANDSHAKE);
      g_task_return_error (task, error);
    }
  else
    async_handshake_step (task);
  g_object_unref (task);
}

static void
async_handshake_step (GTask *task)
{
  GTlsConnectionTlslite *self = g_task_get_source_object (task);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  AsyncHandshake *ah = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gboolean ok;

  if (!ah->claimed)
    {
      if (!claim_op (self, OP_HANDSHAKE, FALSE, cancellable, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              /* Another thread holds the connection; wait for it there. */
              g_clear_error (&error);
              g_task_run_in_thread (task, async_handshake_thread);
              return;
            }
          g_task_return_error (task, error);
          return;
        }
      ah->claimed = TRUE;
      ah->established = priv->ever_handshaked && !priv->need_handshake;
      g_mutex_lock (&priv->op_mutex);
      priv->handshake_context = g_main_context_ref_thread_default ();
      g_mutex_unlock (&priv->op_mutex);
    }

  g_mutex_lock (&priv->op_mutex);
  priv->handshake_thread = g_thread_self ();
  priv->op_cancellable = cancellable;
  g_mutex_unlock (&priv->op_mutex);

  /* Same no-op as the sync handshake above. */
  if (ah->established)
    ok = TRUE;
  else
    {
      priv->async_auth = TRUE;
      ok = run_handshake (self, FALSE, cancellable, &error);
      priv->async_auth = FALSE;
    }

  g_mutex_lock (&priv->op_mutex);
  priv->handshake_thread = NULL;
  priv->op_cancellable = NULL;
  g_mutex_unlock (&priv->op_mutex);

  if (!ok && priv->auth_query)
    {
      GTask *sub = g_task_new (self, cancellable, async_auth_done, g_object_ref (task));

      g_clear_error (&error);
      g_task_set_name (sub, "[tlslite] auth query");
      g_task_set_task_data (sub, g_steal_pointer (&priv->auth_query),
                            (GDestroyNotify) _tlslite_auth_query_free);
      g_mutex_lock (&priv->op_mutex);
      park_handshake_locked (priv, task, NULL);
      g_mutex_unlock (&priv->op_mutex);
      g_task_run_in_thread (sub, async_auth_thread);
      g_object_unref (sub);
      return;
    }
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) && priv->base_istream &&
      priv->base_ostream)
    {
      g_clear_error (&error);
      if (priv->hs_blocked_dir == G_IO_OUT)
        async_handshake_wait (task, g_pollable_output_stream_create_source (priv->base_ostream, NULL));
      else
        async_handshake_wait (task, g_pollable_input_stream_create_source (priv->base_istream, NULL));
      return;
    }

  yield_op (self, OP_HANDSHAKE);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
g_tls_connection_tlslite_handshake_async (GTlsConnection *conn, int io_priority,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  GTlsConnectionTlslite *self = G_TLS_CONNECTION_TLSLITE (conn);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTask *task;

  task = g_task_new (conn, cancellable, callback, user_data);
  g_task_set_source_tag (task, g_tls_connection_tlslite_handshake_async);
  g_task_set_name (task, "[tlslite] handshake_async");
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, g_new0 (AsyncHandshake, 1), async_handshake_free);

  if (!priv->base_istream || !priv->base_ostream)
    g_task_run_in_thread (task, async_handshake_thread);
  else
    async_handshake_step (task);
  g_object_unref (task);
}

static gboolean
g_tls_connection_tlslite_handshake_finish (GTlsConnection *conn, GAsyncResult *result,
                                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, conn), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* reading and writing                                                 */

gssize
tlslite_connection_read (GTlsConnectionTlslite *self, void *buffer, gsize count, gboolean blocking,
                         GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GTlsConnectionTlsliteClass *klass = G_TLS_CONNECTION_TLSLITE_GET_CLASS (self);
  gssize ret = -1;

  if (!claim_op (self, OP_READ, blocking, cancellable, error))
    return -1;

  for (;;)
    {
      GError *my_error = NULL;
      size_t n = 0;
      unsigned st;
      int r;

      g_mutex_lock (&priv->engine_mutex);
      r = tc_conn_read (priv->engine, buffer, count, &n);
      st = tc_conn_status (priv->engine);
      if (r == TC_OK && klass->session_update)
        klass->session_update (self, priv->engine);
      g_mutex_unlock (&priv->engine_mutex);

      if (r == TC_OK)
        {
          /* Decrypt whatever the last base read already brought into the
           * rest of the caller's buffer: fewer operations per byte. Errors
           * latch in the engine and are reported by the next read. */
          while (n < count)
            {
              size_t more = 0;
              int r2;

              g_mutex_lock (&priv->engine_mutex);
              r2 = tc_conn_read (priv->engine, (guint8 *) buffer + n, count - n, &more);
              if (r2 == TC_OK && klass->session_update)
                klass->session_update (self, priv->engine);
              st = tc_conn_status (priv->engine);
              g_mutex_unlock (&priv->engine_mutex);
              if (r2 == TC_OK)
                {
                  n += more;
                  continue;
                }
              if (r2 == TC_AGAIN && priv->inbuf && priv->inbuf_off < priv->inbuf_len)
                {
                  if (!read_input (self, FALSE, FALSE, NULL, &my_error))
                    {
                      g_clear_error (&my_error);
                      break;
                    }
                  continue;
                }
              break;
            }
          priv->successful_read = TRUE;
          if (st & TC_S_OUTPUT)
            {
              /* e.g. our KeyUpdate answer; best effort when not blocking */
              if (!flush_output (self, blocking, cancellable, &my_error))
                g_clear_error (&my_error);
            }
          ret = n;
          break;
        }
      if (r == TC_EOF)
        {
          ret = 0;
          break;
        }
      if (r == TC_AGAIN)
        {
          if (st & TC_S_OUTPUT)
            {
              if (!flush_output (self, blocking, cancellable, &my_error))
                {
                  if (!g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                    {
                      g_propagate_error (error, my_error);
                      break;
                    }
                  g_clear_error (&my_error);
                }
            }
          if (!read_input (self, blocking, FALSE, cancellable, error))
            break;
          continue;
        }
      if (r == TC_WANT)
        {
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                               _("Unexpected TLS engine request after the handshake"));
          break;
        }

      /* TC_FAIL: push out the alert, then report. */
      if (!flush_output (self, FALSE, NULL, &my_error))
        g_clear_error (&my_error);
      {
        tc_error copy;

        g_mutex_lock (&priv->engine_mutex);
        copy = *tc_conn_error (priv->engine);
        g_mutex_unlock (&priv->engine_mutex);
        if (copy.code == TC_ERR_ABRUPT_EOF && !copy.remote && priv->ever_handshaked &&
            !priv->require_close_notify)
          {
            ret = 0;
            break;
          }
        set_engine_error (self, &copy, FALSE, error);
      }
      break;
    }

  if (ret >= 0)
    maybe_shrink (self, TRUE);
  yield_op (self, OP_READ);
  return ret;
}

gssize
tlslite_connection_write (GTlsConnectionTlslite *self, const void *buffer, gsize count,
                          gboolean blocking, GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gssize ret = -1;
  int spins = 0;

  if (!claim_op (self, OP_WRITE, blocking, cancellable, error))
    return -1;

  for (;;)
    {
      GError *my_error = NULL;
      size_t n = 0;
      unsigned st;
      int r;

      if (!flush_output (self, blocking, cancellable, error))
        break;

      g_mutex_lock (&priv->engine_mutex);
      r = tc_conn_write (priv->engine, buffer, count, &n);
      st = tc_conn_status (priv->engine);
      g_mutex_unlock (&priv->engine_mutex);

      if (r == TC_OK)
        {
          /* A large write was sealed as up to WRITE_RECORDS records in the
           * engine's buffer and goes out from there in one base write. */
          if (!flush_output (self, blocking, cancellable, &my_error))
            {
              /* Accepted data stays queued; a later write, read or close
               * sends it. Only real failures are reported. */
              if (!g_error_matches (my_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                {
                  g_propagate_error (error, my_error);
                  break;
                }
              g_clear_error (&my_error);
            }
          ret = n;
          break;
        }
      if (r == TC_AGAIN && (st & TC_S_OUTPUT) && spins++ < 64)
        continue;
      if (r == TC_FAIL)
        {
          tc_error copy;

          if (!flush_output (self, FALSE, NULL, &my_error))
            g_clear_error (&my_error);
          g_mutex_lock (&priv->engine_mutex);
          copy = *tc_conn_error (priv->engine);
          g_mutex_unlock (&priv->engine_mutex);
          set_engine_error (self, &copy, FALSE, error);
          break;
        }
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           _("TLS engine refused application data"));
      break;
    }

  if (ret >= 0)
    maybe_shrink (self, FALSE);
  yield_op (self, OP_WRITE);
  return ret;
}

gboolean
tlslite_connection_flush (GTlsConnectionTlslite *self, GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gboolean ok;

  /* Nothing to send before the handshake, and flushing must not start one. */
  if (!priv->engine || !priv->ever_handshaked || priv->write_closed ||
      !g_atomic_int_get (&priv->out_pending))
    return TRUE;
  if (!claim_op (self, OP_WRITE, TRUE, cancellable, error))
    return FALSE;
  ok = flush_output (self, TRUE, cancellable, error);
  yield_op (self, OP_WRITE);
  return ok;
}

/* ------------------------------------------------------------------ */
/* polling                                                             */

typedef enum { WAIT_NONE, WAIT_OP, WAIT_IN, WAIT_OUT, WAIT_READY } WaitKind;

static WaitKind
compute_wait (GTlsConnectionTlslite *self, GIOCondition condition)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  gboolean op_busy, need_hs, closed, has_error;
  unsigned st = 0;

  g_mutex_lock (&priv->op_mutex);
  op_busy = ((condition & G_IO_IN) && priv->reading) || ((condition & G_IO_OUT) && priv->writing) ||
            (priv->handshaking && priv->handshake_thread != g_thread_self ());
  need_hs = priv->need_handshake;
  closed = ((condition & G_IO_IN) && (priv->read_closed || priv->read_closing)) ||
           ((condition & G_IO_OUT) && (priv->write_closed || priv->write_closing));
  has_error = priv->handshake_error != NULL;
  g_mutex_unlock (&priv->op_mutex);

  if (closed || has_error)
    return WAIT_READY;
  if (op_busy)
    return WAIT_OP;

  if (priv->engine)
    {
      g_mutex_lock (&priv->engine_mutex);
      st = tc_conn_status (priv->engine);
      g_mutex_unlock (&priv->engine_mutex);
    }

  if (need_hs)
    {
      if (!priv->engine || (st & (TC_S_FAILED | TC_S_WANT)))
        return WAIT_READY;
      if (g_atomic_int_get (&priv->out_pending) || (st & TC_S_OUTPUT))
        return WAIT_OUT;
      return WAIT_IN;
    }

  if (condition & G_IO_IN)
    {
      if ((st & (TC_S_READABLE | TC_S_PEER_CLOSED | TC_S_FAILED)) || priv->inbuf_off < priv->inbuf_len)
        return WAIT_READY;
      if (g_atomic_int_get (&priv->out_pending))
        return WAIT_OUT;
      return WAIT_IN;
    }
  if (st & TC_S_FAILED)
    return WAIT_READY;
  return WAIT_OUT;
}

gboolean
tlslite_connection_check (GTlsConnectionTlslite *self, GIOCondition condition)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  switch (compute_wait (self, condition))
    {
    case WAIT_READY:
      return TRUE;
    case WAIT_IN:
      return priv->base_istream && g_pollable_input_stream_is_readable (priv->base_istream);
    case WAIT_OUT:
      return priv->base_ostream && g_pollable_output_stream_is_writable (priv->base_ostream);
    case WAIT_OP:
    case WAIT_NONE:
    default:
      return FALSE;
    }
}

typedef struct
{
  GSource source;
  GTlsConnectionTlslite *conn;
  GObject *stream;
  GIOCondition condition;
  GSource *child;
  WaitKind kind;
} TlsSource;

static gboolean
dummy_callback (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
tls_source_sync (TlsSource *ts)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (ts->conn);
  WaitKind kind;

  if (g_source_is_destroyed ((GSource *) ts))
    return;

  kind = compute_wait (ts->conn, ts->condition);
  if (kind == ts->kind && kind != WAIT_READY)
    return;
  ts->kind = kind;

  if (ts->child)
    {
      g_source_remove_child_source ((GSource *) ts, ts->child);
      g_clear_pointer (&ts->child, g_source_unref);
    }

  if (kind == WAIT_OP)
    ts->child = g_cancellable_source_new (priv->waiting_for_op);
  else if (kind == WAIT_IN && priv->base_istream)
    ts->child = g_pollable_input_stream_create_source (priv->base_istream, NULL);
  else if (kind == WAIT_OUT && priv->base_ostream)
    ts->child = g_pollable_output_stream_create_source (priv->base_ostream, NULL);
  else
    ts->child = g_timeout_source_new (0);

  g_source_set_callback (ts->child, dummy_callback, NULL, NULL);
  g_source_add_child_source ((GSource *) ts, ts->child);
}

static gboolean
tls_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  TlsSource *ts = (TlsSource *) source;
  GPollableSourceFunc func = (GPollableSourceFunc) (void (*) (void)) callback;
  gboolean ret;

  if (!func)
    return G_SOURCE_REMOVE;
  ret = func (ts->stream, user_data);
  if (ret)
    tls_source_sync (ts);
  return ret;
}

static void
tls_source_finalize (GSource *source)
{
  TlsSource *ts = (TlsSource *) source;

  g_clear_pointer (&ts->child, g_source_unref);
  g_object_unref (ts->conn);
  g_object_unref (ts->stream);
}

static gboolean
tls_source_closure_callback (GObject *stream, gpointer data)
{
  GClosure *closure = data;
  GValue param = G_VALUE_INIT;
  GValue result_value = G_VALUE_INIT;
  gboolean result;

  g_value_init (&result_value, G_TYPE_BOOLEAN);
  g_value_init (&param, G_TYPE_OBJECT);
  g_value_set_object (&param, stream);
  g_closure_invoke (closure, &result_value, 1, &param, NULL);
  result = g_value_get_boolean (&result_value);
  g_value_unset (&result_value);
  g_value_unset (&param);
  return result;
}

static GSourceFuncs tls_source_funcs = {
  NULL,
  NULL,
  tls_source_dispatch,
  tls_source_finalize,
  (GSourceFunc) (void (*) (void)) tls_source_closure_callback,
  (GSourceDummyMarshal) g_cclosure_marshal_generic,
};

GSource *
tlslite_connection_create_source (GTlsConnectionTlslite *self, GIOCondition condition,
                                  GCancellable *cancellable)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GSource *source;
  TlsSource *ts;

  source = g_source_new (&tls_source_funcs, sizeof (TlsSource));
  g_source_set_static_name (source, "GTlsConnectionTlsliteSource");
  ts = (TlsSource *) source;
  ts->conn = g_object_ref (self);
  ts->condition = condition;
  ts->stream = g_object_ref ((condition & G_IO_IN) ? G_OBJECT (priv->tls_istream)
                                                   : G_OBJECT (priv->tls_ostream));
  ts->kind = WAIT_NONE;
  tls_source_sync (ts);

  if (cancellable)
    {
      GSource *cs = g_cancellable_source_new (cancellable);

      g_source_set_callback (cs, dummy_callback, NULL, NULL);
      g_source_add_child_source (source, cs);
      g_source_unref (cs);
    }
  return source;
}

/* ------------------------------------------------------------------ */
/* closing                                                             */

gboolean
tlslite_connection_close_direction (GTlsConnectionTlslite *self, gboolean read_dir,
                                    gboolean write_dir, GCancellable *cancellable, GError **error)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  GError *close_error = NULL, *stream_error = NULL;
  gboolean ok = TRUE;
  Op op;

  if (read_dir && write_dir)
    op = OP_CLOSE_BOTH;
  else if (read_dir)
    op = OP_CLOSE_READ;
  else
    op = OP_CLOSE_WRITE;

  /* Already closed, or another close is on it (e.g. a stream closed while
   * an async close runs): nothing left to do, and waiting could deadlock
   * the main loop that close needs. */
  g_mutex_lock (&priv->op_mutex);
  if ((!read_dir || priv->read_closed || priv->read_closing) &&
      (!write_dir || priv->write_closed || priv->write_closing))
    {
      g_mutex_unlock (&priv->op_mutex);
      return TRUE;
    }
  g_mutex_unlock (&priv->op_mutex);

  if (!claim_op (self, op, TRUE, cancellable, error))
    return FALSE;

  if (write_dir && !priv->write_closed)
    {
      if (priv->ever_handshaked && priv->engine)
        {
          unsigned st;
          int r;

          g_mutex_lock (&priv->engine_mutex);
          st = tc_conn_status (priv->engine);
          r = (st & TC_S_FAILED) ? TC_FAIL : tc_conn_close (priv->engine);
          g_mutex_unlock (&priv->engine_mutex);
          if (r == TC_OK && !flush_output (self, TRUE, cancellable, &close_error))
            {
              /* The peer already went away (it closed, or reset after our
               * last record): there is nobody left to tell. */
              if ((st & TC_S_PEER_CLOSED) ||
                  g_error_matches (close_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
                g_clear_error (&close_error);
            }
        }
      priv->write_closed = TRUE;
    }
  if (read_dir)
    priv->read_closed = TRUE;

  /* The base streams are closed even if close_notify could not be sent:
   * GIOStream marks us closed either way. */
  if (read_dir && write_dir)
    discard_pending_input (self);
  if (read_dir && write_dir)
    ok = g_io_stream_close (priv->base_io_stream, cancellable, &stream_error);
  else if (read_dir)
    ok = g_input_stream_close (priv->base_in, cancellable, &stream_error);
  else
    ok = g_output_stream_close (priv->base_out, cancellable, &stream_error);

  yield_op (self, op);

  if (close_error)
    {
      g_propagate_error (error, close_error);
      g_clear_error (&stream_error);
      return FALSE;
    }
  if (!ok)
    {
      g_propagate_error (error, stream_error);
      return FALSE;
    }
  return TRUE;
}

/* Closing a TCP socket with unread bytes makes the kernel send a reset,
 * which can destroy data the peer has not read yet (e.g. our last message
 * when the peer's close_notify is still queued here). Drop what has
 * already arrived first; the connection is going away anyway. */
static void
discard_pending_input (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  guint8 scratch[4096];
  int i;

  if (!priv->base_istream || g_input_stream_is_closed (priv->base_in))
    return;
  for (i = 0; i < 64; i++)
    {
      gssize n = g_pollable_input_stream_read_nonblocking (priv->base_istream, scratch, sizeof scratch,
                                                           NULL, NULL);
      /* A short read emptied the socket's queue: asking again would only
       * say EAGAIN (or report the reset of a peer that already closed). */
      if (n <= 0 || (gsize) n < sizeof scratch)
        break;
    }
}

static gboolean
g_tls_connection_tlslite_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  return tlslite_connection_close_direction (G_TLS_CONNECTION_TLSLITE (stream), TRUE, TRUE,
                                             cancellable, error);
}

/* Fallback when another thread holds the connection (or the base cannot
 * poll): the blocking close in a worker thread. */
static void
close_thread (GTask *task, gpointer object, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (tlslite_connection_close_direction (G_TLS_CONNECTION_TLSLITE (object), TRUE, TRUE,
                                          cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Async close without a thread: send close_notify through the base
 * stream's sources, then close the base stream asynchronously. */
typedef struct
{
  gboolean claimed;
  gboolean notify_queued;
  GError *close_error;
} AsyncClose;

static void
async_close_free (gpointer data)
{
  AsyncClose *ac = data;

  g_clear_error (&ac->close_error);
  g_free (ac);
}

static void async_close_step (GTask *task);

static gboolean
async_close_source_cb (GObject *stream, gpointer user_data)
{
  async_close_step (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static void
async_close_base_done (GObject *obj, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GTlsConnectionTlslite *self = g_task_get_source_object (task);
  AsyncClose *ac = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok = g_io_stream_close_finish (G_IO_STREAM (obj), res, &error);

  yield_op (self, OP_CLOSE_BOTH);
  if (ac->close_error)
    {
      g_clear_error (&error);
      g_task_return_error (task, g_steal_pointer (&ac->close_error));
    }
  else if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
async_close_step (GTask *task)
{
  GTlsConnectionTlslite *self = g_task_get_source_object (task);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  AsyncClose *ac = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!ac->claimed)
    {
      if (!claim_op (self, OP_CLOSE_BOTH, FALSE, cancellable, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_clear_error (&error);
              g_task_run_in_thread (task, close_thread);
            }
          else
            g_task_return_error (task, error);
          return;
        }
      ac->claimed = TRUE;
    }

  if (!priv->write_closed && priv->ever_handshaked && priv->engine)
    {
      unsigned st;

      g_mutex_lock (&priv->engine_mutex);
      st = tc_conn_status (priv->engine);
      if (!ac->notify_queued && !(st & TC_S_FAILED))
        tc_conn_close (priv->engine);
      ac->notify_queued = TRUE;
      g_mutex_unlock (&priv->engine_mutex);

      if (!(st & TC_S_FAILED) && !flush_output (self, FALSE, cancellable, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              GSource *source = g_pollable_output_stream_create_source (priv->base_ostream, cancellable);

              g_clear_error (&error);
              g_source_set_callback (source, (GSourceFunc) (void (*) (void)) async_close_source_cb,
                                     g_object_ref (task), g_object_unref);
              g_source_set_priority (source, g_task_get_priority (task));
              g_source_attach (source, g_task_get_context (task));
              g_source_unref (source);
              return;
            }
          /* As in the blocking close: a vanished peer is not an error. */
          if ((st & TC_S_PEER_CLOSED) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
            g_clear_error (&error);
          else
            ac->close_error = g_steal_pointer (&error);
        }
    }
  priv->write_closed = TRUE;
  priv->read_closed = TRUE;

  discard_pending_input (self);
  g_io_stream_close_async (priv->base_io_stream, g_task_get_priority (task), cancellable,
                           async_close_base_done, g_object_ref (task));
}

static void
g_tls_connection_tlslite_close_async (GIOStream *stream, int io_priority, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (G_TLS_CONNECTION_TLSLITE (stream));
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, g_tls_connection_tlslite_close_async);
  g_task_set_name (task, "[tlslite] close_async");
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, g_new0 (AsyncClose, 1), async_close_free);
  if (!priv->base_ostream)
    g_task_run_in_thread (task, close_thread);
  else
    async_close_step (task);
  g_object_unref (task);
}

static gboolean
g_tls_connection_tlslite_close_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* GTlsConnection extras                                               */

static gboolean
g_tls_connection_tlslite_get_binding_data (GTlsConnection *conn, GTlsChannelBindingType type,
                                           GByteArray *data, GError **error)
{
  GTlsConnectionTlslite *self = G_TLS_CONNECTION_TLSLITE (conn);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);
  uint8_t out[64];
  size_t len = sizeof out;
  tc_binding b;
  tc_error err;
  int r;

  if (!priv->ever_handshaked || priv->need_handshake || !priv->engine)
    {
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_INVALID_STATE,
                           _("Handshake is not finished, no channel binding information yet"));
      return FALSE;
    }

  switch (type)
    {
    case G_TLS_CHANNEL_BINDING_TLS_UNIQUE:
      b = TC_BINDING_TLS_UNIQUE;
      break;
    case G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT:
      b = TC_BINDING_TLS_SERVER_END_POINT;
      break;
    case G_TLS_CHANNEL_BINDING_TLS_EXPORTER:
      b = TC_BINDING_TLS_EXPORTER;
      break;
    default:
      g_set_error_literal (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_NOT_IMPLEMENTED,
                           _("Requested channel binding type is not implemented"));
      return FALSE;
    }

  tc_error_clear (&err);
  g_mutex_lock (&priv->engine_mutex);
  r = tc_conn_binding (priv->engine, b, out, &len, &err);
  g_mutex_unlock (&priv->engine_mutex);
  if (r != TC_OK)
    {
      if (err.code == TC_ERR_UNSUPPORTED)
        g_set_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_NOT_SUPPORTED,
                     _("Channel binding type is not supported by this connection: %s"), err.message);
      else
        g_set_error (error, G_TLS_CHANNEL_BINDING_ERROR, G_TLS_CHANNEL_BINDING_ERROR_GENERAL_ERROR,
                     _("Could not retrieve channel binding data: %s"), err.message);
      return FALSE;
    }
  if (data)
    {
      g_byte_array_set_size (data, 0);
      g_byte_array_append (data, out, len);
    }
  return TRUE;
}

static const gchar *
g_tls_connection_tlslite_get_negotiated_protocol (GTlsConnection *conn)
{
  return PRIV (G_TLS_CONNECTION_TLSLITE (conn))->negotiated_protocol;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static GInputStream *
g_tls_connection_tlslite_get_input_stream (GIOStream *stream)
{
  return PRIV (G_TLS_CONNECTION_TLSLITE (stream))->tls_istream;
}

static GOutputStream *
g_tls_connection_tlslite_get_output_stream (GIOStream *stream)
{
  return PRIV (G_TLS_CONNECTION_TLSLITE (stream))->tls_ostream;
}

static void
g_tls_connection_tlslite_init (GTlsConnectionTlslite *self)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  priv->need_handshake = TRUE;
  priv->database_is_unset = TRUE;
  priv->is_system_certdb = TRUE;
  priv->require_close_notify = TRUE;
  g_mutex_init (&priv->engine_mutex);
  g_mutex_init (&priv->out_mutex);
  g_mutex_init (&priv->op_mutex);
  g_cond_init (&priv->op_cond);
  priv->waiting_for_op = g_cancellable_new ();
  priv->auth = _tlslite_auth_new (G_TLS_CONNECTION (self));
}

static void
g_tls_connection_tlslite_finalize (GObject *object)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (G_TLS_CONNECTION_TLSLITE (object));

  /* The base stream may outlive us (an application that keeps its
   * socket): leave it with the mark it had. */
  if (priv->rcvlowat_raised && base_socket (G_TLS_CONNECTION_TLSLITE (object)) &&
      !g_socket_is_closed (base_socket (G_TLS_CONNECTION_TLSLITE (object))))
    restore_rcvlowat (base_socket (G_TLS_CONNECTION_TLSLITE (object)), priv->rcvlowat_prev);
  g_clear_object (&priv->base_io_stream);
  g_clear_object (&priv->tls_istream);
  g_clear_object (&priv->tls_ostream);
  g_clear_object (&priv->database);
  g_clear_object (&priv->interaction);
  g_clear_object (&priv->certificate);
  g_clear_object (&priv->peer_certificate);
  g_clear_pointer (&priv->advertised_protocols, g_strfreev);
  g_clear_pointer (&priv->negotiated_protocol, g_free);
  g_clear_pointer (&priv->ciphersuite_name, g_free);
  g_clear_pointer (&priv->group_name, g_free);
  g_clear_pointer (&priv->engine, tc_conn_free);
  g_clear_pointer (&priv->auth_query, _tlslite_auth_query_free);
  g_clear_pointer (&priv->auth, _tlslite_auth_free);
  g_clear_error (&priv->interaction_error);
  g_clear_error (&priv->handshake_error);
  g_clear_pointer (&priv->outbuf, g_byte_array_unref);
  g_clear_pointer (&priv->inbuf, g_free);
  g_clear_pointer (&priv->handshake_context, g_main_context_unref);
  g_clear_object (&priv->waiting_for_op);
  g_mutex_clear (&priv->engine_mutex);
  g_mutex_clear (&priv->out_mutex);
  g_mutex_clear (&priv->op_mutex);
  g_cond_clear (&priv->op_cond);

  G_OBJECT_CLASS (g_tls_connection_tlslite_parent_class)->finalize (object);
}

static void
g_tls_connection_tlslite_get_property (GObject *object, guint prop_id, GValue *value,
                                       GParamSpec *pspec)
{
  GTlsConnectionTlslitePrivate *priv = PRIV (G_TLS_CONNECTION_TLSLITE (object));

  switch (prop_id)
    {
    case PROP_BASE_IO_STREAM:
      g_value_set_object (value, priv->base_io_stream);
      break;
    case PROP_REQUIRE_CLOSE_NOTIFY:
      g_value_set_boolean (value, priv->require_close_notify);
      break;
    case PROP_REHANDSHAKE_MODE:
      g_value_set_enum (value, priv->rehandshake_mode);
      break;
    case PROP_USE_SYSTEM_CERTDB:
      g_value_set_boolean (value, priv->is_system_certdb);
      break;
    case PROP_DATABASE:
      if (priv->database_is_unset)
        {
          priv->database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
          priv->database_is_unset = FALSE;
        }
      g_value_set_object (value, priv->database);
      break;
    case PROP_CERTIFICATE:
      g_value_set_object (value, priv->certificate);
      break;
    case PROP_INTERACTION:
      g_value_set_object (value, priv->interaction);
      break;
    case PROP_PEER_CERTIFICATE:
      g_value_set_object (value, priv->peer_certificate);
      break;
    case PROP_PEER_CERTIFICATE_ERRORS:
      g_value_set_flags (value, priv->peer_certificate_errors);
      break;
    case PROP_ADVERTISED_PROTOCOLS:
      g_value_set_boxed (value, priv->advertised_protocols);
      break;
    case PROP_NEGOTIATED_PROTOCOL:
      g_value_set_string (value, priv->negotiated_protocol);
      break;
    case PROP_PROTOCOL_VERSION:
      g_value_set_enum (value, priv->protocol_version);
      break;
    case PROP_CIPHERSUITE_NAME:
      g_value_set_string (value, priv->ciphersuite_name);
      break;
    case PROP_SESSION_RESUMED:
      g_value_set_boolean (value, priv->session_resumed);
      break;
    case PROP_GROUP_NAME:
      g_value_set_string (value, priv->group_name);
      break;
    default:
      if (_tlslite_gio_pins_get_property (object, prop_id, PROP_PINS_FIRST, value) ||
          _tlslite_gio_alert_get_property (object, prop_id, PROP_ALERT_FIRST, value) ||
          _tlslite_gio_settings_get_property (object, prop_id, PROP_SETTINGS_FIRST, value) ||
          _tlslite_gio_ocsp_get_property (object, prop_id, PROP_OCSP_FIRST, value))
        break;
      if (_tlslite_auth_get_property (priv->auth, prop_id, value))
        break;
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tls_connection_tlslite_set_property (GObject *object, guint prop_id, const GValue *value,
                                       GParamSpec *pspec)
{
  GTlsConnectionTlslite *self = G_TLS_CONNECTION_TLSLITE (object);
  GTlsConnectionTlslitePrivate *priv = PRIV (self);

  switch (prop_id)
    {
    case PROP_BASE_IO_STREAM:
      {
        GInputStream *in;
        GOutputStream *out;

        g_clear_object (&priv->base_io_stream);
        priv->base_io_stream = g_value_dup_object (value);
        priv->base_in = NULL;
        priv->base_out = NULL;
        priv->base_istream = NULL;
        priv->base_ostream = NULL;
        if (!priv->base_io_stream)
          break;
        in = g_io_stream_get_input_stream (priv->base_io_stream);
        out = g_io_stream_get_output_stream (priv->base_io_stream);
        priv->base_in = in;
        priv->base_out = out;
        if (G_IS_POLLABLE_INPUT_STREAM (in) && g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (in)))
          priv->base_istream = G_POLLABLE_INPUT_STREAM (in);
        if (G_IS_POLLABLE_OUTPUT_STREAM (out) &&
            g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
          priv->base_ostream = G_POLLABLE_OUTPUT_STREAM (out);
        if (!priv->tls_istream)
          priv->tls_istream = tlslite_input_stream_new (self);
        if (!priv->tls_ostream)
          priv->tls_ostream = tlslite_output_stream_new (self);
      }
      break;
    case PROP_REQUIRE_CLOSE_NOTIFY:
      priv->require_close_notify = g_value_get_boolean (value);
      break;
    case PROP_REHANDSHAKE_MODE:
      priv->rehandshake_mode = g_value_get_enum (value);
      break;
    case PROP_USE_SYSTEM_CERTDB:
      {
        gboolean system_certdb = g_value_get_boolean (value);

        if (system_certdb != priv->is_system_certdb)
          {
            g_clear_object (&priv->database);
            if (system_certdb)
              priv->database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
            priv->is_system_certdb = system_certdb;
            priv->database_is_unset = FALSE;
          }
      }
      break;
    case PROP_DATABASE:
      g_clear_object (&priv->database);
      priv->database = g_value_dup_object (value);
      priv->is_system_certdb = FALSE;
      priv->database_is_unset = FALSE;
      break;
    case PROP_CERTIFICATE:
      g_clear_object (&priv->certificate);
      priv->certificate = g_value_dup_object (value);
      break;
    case PROP_INTERACTION:
      g_clear_object (&priv->interaction);
      priv->interaction = g_value_dup_object (value);
      break;
    case PROP_ADVERTISED_PROTOCOLS:
      g_clear_pointer (&priv->advertised_protocols, g_strfreev);
      priv->advertised_protocols = g_value_dup_boxed (value);
      break;
    default:
      if (_tlslite_gio_pins_set_property (object, prop_id, PROP_PINS_FIRST, value) ||
          _tlslite_gio_settings_set_property (object, prop_id, PROP_SETTINGS_FIRST, value) ||
          _tlslite_gio_ocsp_set_property (object, prop_id, PROP_OCSP_FIRST, value))
        break;
      if (_tlslite_auth_set_property (priv->auth, prop_id, value))
        break;
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
g_tls_connection_tlslite_class_init (GTlsConnectionTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *iostream_class = G_IO_STREAM_CLASS (klass);
  GTlsConnectionClass *connection_class = G_TLS_CONNECTION_CLASS (klass);

  gobject_class->get_property = g_tls_connection_tlslite_get_property;
  gobject_class->set_property = g_tls_connection_tlslite_set_property;
  gobject_class->finalize = g_tls_connection_tlslite_finalize;

  iostream_class->get_input_stream = g_tls_connection_tlslite_get_input_stream;
  iostream_class->get_output_stream = g_tls_connection_tlslite_get_output_stream;
  iostream_class->close_fn = g_tls_connection_tlslite_close;
  iostream_class->close_async = g_tls_connection_tlslite_close_async;
  iostream_class->close_finish = g_tls_connection_tlslite_close_finish;

  connection_class->handshake = g_tls_connection_tlslite_handshake;
  connection_class->handshake_async = g_tls_connection_tlslite_handshake_async;
  connection_class->handshake_finish = g_tls_connection_tlslite_handshake_finish;
  connection_class->get_binding_data = g_tls_connection_tlslite_get_binding_data;
  connection_class->get_negotiated_protocol = g_tls_connection_tlslite_get_negotiated_protocol;

  g_object_class_override_property (gobject_class, PROP_BASE_IO_STREAM, "base-io-stream");
  g_object_class_override_property (gobject_class, PROP_REQUIRE_CLOSE_NOTIFY, "require-close-notify");
  g_object_class_override_property (gobject_class, PROP_REHANDSHAKE_MODE, "rehandshake-mode");
  g_object_class_override_property (gobject_class, PROP_USE_SYSTEM_CERTDB, "use-system-certdb");
  g_object_class_override_property (gobject_class, PROP_DATABASE, "database");
  g_object_class_override_property (gobject_class, PROP_CERTIFICATE, "certificate");
  g_object_class_override_property (gobject_class, PROP_INTERACTION, "interaction");
  g_object_class_override_property (gobject_class, PROP_PEER_CERTIFICATE, "peer-certificate");
  g_object_class_override_property (gobject_class, PROP_PEER_CERTIFICATE_ERRORS, "peer-certificate-errors");
  g_object_class_override_property (gobject_class, PROP_ADVERTISED_PROTOCOLS, "advertised-protocols");
  g_object_class_override_property (gobject_class, PROP_NEGOTIATED_PROTOCOL, "negotiated-protocol");
  g_object_class_override_property (gobject_class, PROP_PROTOCOL_VERSION, "protocol-version");
  g_object_class_override_property (gobject_class, PROP_CIPHERSUITE_NAME, "ciphersuite-name");
  /* Read by gtls-tool's summary and --resume count; plain types, by name. */
  g_object_class_install_property (gobject_class, PROP_SESSION_RESUMED,
      g_param_spec_boolean ("session-resumed", "Session resumed",
                            "Whether the last handshake resumed an earlier session", FALSE,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_GROUP_NAME,
      g_param_spec_string ("group-name", "Group name",
                           "Key exchange group of the last handshake (NULL if none)", NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  _tlslite_gio_pins_install_properties (gobject_class, PROP_PINS_FIRST);
  _tlslite_gio_alert_install_properties (gobject_class, PROP_ALERT_FIRST);
  _tlslite_gio_settings_install_properties (gobject_class, PROP_SETTINGS_FIRST);
  _tlslite_gio_ocsp_install_properties (gobject_class, PROP_OCSP_FIRST);
  _tlslite_auth_install_properties (gobject_class);
}
