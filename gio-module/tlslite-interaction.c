/* TlsliteInteraction: typed SRP and PSK questions on top of GTlsInteraction, run in the interaction's main context. */
#include <string.h>

#include <glib/gi18n-lib.h>

#include "auth.h"

/**
 * TlsliteInteraction:
 *
 * A [class@Gio.TlsInteraction] that a client connection also asks for SRP
 * credentials (user name and password) and for shared keys (PSK identity
 * and key; in TLS 1.2 it receives the server's identity hint). Subclass it
 * and implement the sync or async virtual functions, or create one with
 * fixed answers with [ctor@Tlslite.Interaction.new_srp] and
 * [ctor@Tlslite.Interaction.new_psk]. Certificate and password requests
 * work as in any GTlsInteraction, so one interaction answers whatever the
 * server asks for, or declines (%G_TLS_INTERACTION_UNHANDLED).
 *
 * Like GTlsInteraction, the questions are asked in the thread-default main
 * context of the thread that created the interaction, whatever thread runs
 * the handshake.
 */
typedef struct
{
  GMainContext *context;
  gchar *srp_username;
  gchar *srp_password;
  gchar *psk_identity;
  GBytes *psk_key;
} TlsliteInteractionPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (TlsliteInteraction, tlslite_interaction, G_TYPE_TLS_INTERACTION)

#define PRIV(o) ((TlsliteInteractionPrivate *) tlslite_interaction_get_instance_private (o))

enum { PROP_0, PROP_SRP_USERNAME, PROP_SRP_PASSWORD, PROP_PSK_IDENTITY, PROP_PSK_KEY };

typedef enum { ASK_SRP, ASK_PSK } AskKind;

/* One question on its way to the interaction's context and back. */
typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean complete;

  AskKind kind;
  TlsliteInteraction *self;
  GTlsConnection *connection;
  GTlsPassword *password;
  const gchar *hint;
  GCancellable *cancellable;

  GTlsInteractionResult result;
  gchar *name;
  GBytes *key;
  GError *error;
} Invoke;

static void
invoke_complete (Invoke *inv)
{
  g_mutex_lock (&inv->mutex);
  inv->complete = TRUE;
  g_cond_broadcast (&inv->cond);
  g_mutex_unlock (&inv->mutex);
}

static void
invoke_wait (Invoke *inv)
{
  g_mutex_lock (&inv->mutex);
  while (!inv->complete)
    g_cond_wait (&inv->cond, &inv->mutex);
  g_mutex_unlock (&inv->mutex);
}

static gboolean
on_sync (gpointer data)
{
  Invoke *inv = data;
  TlsliteInteractionClass *klass = TLSLITE_INTERACTION_GET_CLASS (inv->self);

  if (inv->kind == ASK_SRP)
    inv->result = klass->ask_srp_credentials (inv->self, inv->connection, inv->password, &inv->name,
                                              inv->cancellable, &inv->error);
  else
    inv->result = klass->ask_psk (inv->self, inv->connection, inv->hint, &inv->name, &inv->key,
                                  inv->cancellable, &inv->error);
  invoke_complete (inv);
  return G_SOURCE_REMOVE;
}

static void
on_async_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Invoke *inv = data;
  TlsliteInteractionClass *klass = TLSLITE_INTERACTION_GET_CLASS (inv->self);

  if (inv->kind == ASK_SRP)
    inv->result = klass->ask_srp_credentials_finish
                    ? klass->ask_srp_credentials_finish (inv->self, result, &inv->name, &inv->error)
                    : G_TLS_INTERACTION_UNHANDLED;
  else
    inv->result = klass->ask_psk_finish
                    ? klass->ask_psk_finish (inv->self, result, &inv->name, &inv->key, &inv->error)
                    : G_TLS_INTERACTION_UNHANDLED;
  invoke_complete (inv);
}

static gboolean
on_async_start (gpointer data)
{
  Invoke *inv = data;
  TlsliteInteractionClass *klass = TLSLITE_INTERACTION_GET_CLASS (inv->self);

  if (inv->kind == ASK_SRP)
    klass->ask_srp_credentials_async (inv->self, inv->connection, inv->password, inv->cancellable,
                                      on_async_done, inv);
  else
    klass->ask_psk_async (inv->self, inv->connection, inv->hint, inv->cancellable, on_async_done,
                          inv);
  return G_SOURCE_REMOVE;
}

/* Fixed answers from the properties (no vfunc implemented). */
static void
answer_from_properties (Invoke *inv)
{
  TlsliteInteractionPrivate *priv = PRIV (inv->self);

  inv->result = G_TLS_INTERACTION_UNHANDLED;
  if (inv->kind == ASK_SRP && priv->srp_username && priv->srp_password)
    {
      g_tls_password_set_value (inv->password, (const guchar *) priv->srp_password, -1);
      inv->name = g_strdup (priv->srp_username);
      inv->result = G_TLS_INTERACTION_HANDLED;
    }
  else if (inv->kind == ASK_PSK && priv->psk_identity && priv->psk_key)
    {
      inv->name = g_strdup (priv->psk_identity);
      inv->key = g_bytes_ref (priv->psk_key);
      inv->result = G_TLS_INTERACTION_HANDLED;
    }
}

/* As GIO's g_tls_interaction_invoke_*: the sync vfunc runs in the
 * interaction's context (directly when this thread may own it); the async
 * one is started there and, when this thread owns the context, waited for
 * by iterating it. */
static GTlsInteractionResult
invoke (Invoke *inv, GError **error)
{
  TlsliteInteractionClass *klass = TLSLITE_INTERACTION_GET_CLASS (inv->self);
  GMainContext *ctx = PRIV (inv->self)->context;
  gboolean has_sync = inv->kind == ASK_SRP ? klass->ask_srp_credentials != NULL : klass->ask_psk != NULL;
  gboolean has_async = inv->kind == ASK_SRP ? klass->ask_srp_credentials_async != NULL
                                            : klass->ask_psk_async != NULL;

  g_mutex_init (&inv->mutex);
  g_cond_init (&inv->cond);
  inv->result = G_TLS_INTERACTION_UNHANDLED;
  if (has_sync)
    {
      g_main_context_invoke (ctx, on_sync, inv);
      invoke_wait (inv);
    }
  else if (has_async)
    {
      if (g_main_context_acquire (ctx))
        {
          on_async_start (inv);
          while (!inv->complete)
            g_main_context_iteration (ctx, TRUE);
          g_main_context_release (ctx);
        }
      else
        {
          g_main_context_invoke (ctx, on_async_start, inv);
          invoke_wait (inv);
        }
    }
  else
    answer_from_properties (inv);
  g_mutex_clear (&inv->mutex);
  g_cond_clear (&inv->cond);

  if (inv->result == G_TLS_INTERACTION_FAILED)
    {
      if (!inv->error)
        g_set_error_literal (&inv->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The interaction failed without saying why"));
      g_propagate_error (error, inv->error);
      inv->error = NULL;
    }
  else
    g_clear_error (&inv->error);
  if (inv->result != G_TLS_INTERACTION_HANDLED)
    {
      g_clear_pointer (&inv->name, g_free);
      g_clear_pointer (&inv->key, g_bytes_unref);
    }
  return inv->result;
}

/**
 * tlslite_interaction_invoke_ask_srp_credentials: (virtual ask_srp_credentials)
 * @self: an interaction
 * @connection: the connection asking
 * @password: a password whose description names the user and server;
 *   the interaction sets its value
 * @username: (out) (transfer full) (optional) (nullable): the user name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks for SRP credentials from any thread, the way GIO invokes
 * GTlsInteraction's questions (in the interaction's main context).
 *
 * Returns: %G_TLS_INTERACTION_HANDLED with @username set and a value on
 *   @password; %G_TLS_INTERACTION_UNHANDLED to decline;
 *   %G_TLS_INTERACTION_FAILED with @error set.
 */
GTlsInteractionResult
tlslite_interaction_invoke_ask_srp_credentials (TlsliteInteraction *self, GTlsConnection *connection,
                                                GTlsPassword *password, gchar **username,
                                                GCancellable *cancellable, GError **error)
{
  Invoke inv = { 0 };
  GTlsInteractionResult r;

  g_return_val_if_fail (TLSLITE_IS_INTERACTION (self), G_TLS_INTERACTION_UNHANDLED);
  g_return_val_if_fail (G_IS_TLS_PASSWORD (password), G_TLS_INTERACTION_UNHANDLED);
  inv.kind = ASK_SRP;
  inv.self = self;
  inv.connection = connection;
  inv.password = password;
  inv.cancellable = cancellable;
  r = invoke (&inv, error);
  if (r == G_TLS_INTERACTION_HANDLED && !inv.name)
    r = G_TLS_INTERACTION_UNHANDLED;   /* no user name: nothing to log in with */
  if (username)
    *username = g_steal_pointer (&inv.name);
  g_free (inv.name);
  return r;
}

/**
 * tlslite_interaction_invoke_ask_psk: (virtual ask_psk)
 * @self: an interaction
 * @connection: the connection asking
 * @hint: (nullable): the server's identity hint (TLS 1.2), or %NULL
 * @identity: (out) (transfer full) (optional) (nullable): the identity
 * @key: (out) (transfer full) (optional) (nullable): the shared key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks for a shared key from any thread (in the interaction's main context).
 *
 * Returns: %G_TLS_INTERACTION_HANDLED with @identity and @key set;
 *   %G_TLS_INTERACTION_UNHANDLED to decline; %G_TLS_INTERACTION_FAILED
 *   with @error set.
 */
GTlsInteractionResult
tlslite_interaction_invoke_ask_psk (TlsliteInteraction *self, GTlsConnection *connection,
                                    const gchar *hint, gchar **identity, GBytes **key,
                                    GCancellable *cancellable, GError **error)
{
  Invoke inv = { 0 };
  GTlsInteractionResult r;

  g_return_val_if_fail (TLSLITE_IS_INTERACTION (self), G_TLS_INTERACTION_UNHANDLED);
  inv.kind = ASK_PSK;
  inv.self = self;
  inv.connection = connection;
  inv.hint = hint;
  inv.cancellable = cancellable;
  r = invoke (&inv, error);
  if (r == G_TLS_INTERACTION_HANDLED && (!inv.name || !inv.key))
    r = G_TLS_INTERACTION_UNHANDLED;
  if (r == G_TLS_INTERACTION_HANDLED)
    {
      if (identity)
        *identity = g_steal_pointer (&inv.name);
      if (key)
        *key = g_steal_pointer (&inv.key);
    }
  g_free (inv.name);
  if (inv.key)
    g_bytes_unref (inv.key);
  return r;
}

/**
 * tlslite_interaction_ask_srp_credentials_async: (virtual ask_srp_credentials_async)
 * @self: an interaction
 * @connection: the connection asking
 * @password: a password whose description names the user and server
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Calls the async SRP virtual function directly (the library itself uses
 * tlslite_interaction_invoke_ask_srp_credentials()). Without an
 * implementation the answer is %G_TLS_INTERACTION_UNHANDLED.
 */
void
tlslite_interaction_ask_srp_credentials_async (TlsliteInteraction *self, GTlsConnection *connection,
                                               GTlsPassword *password, GCancellable *cancellable,
                                               GAsyncReadyCallback callback, gpointer user_data)
{
  TlsliteInteractionClass *klass;
  GTask *task;

  g_return_if_fail (TLSLITE_IS_INTERACTION (self));
  klass = TLSLITE_INTERACTION_GET_CLASS (self);
  if (klass->ask_srp_credentials_async)
    {
      klass->ask_srp_credentials_async (self, connection, password, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tlslite_interaction_ask_srp_credentials_async);
  g_task_return_int (task, G_TLS_INTERACTION_UNHANDLED);
  g_object_unref (task);
}

/**
 * tlslite_interaction_ask_srp_credentials_finish: (virtual ask_srp_credentials_finish)
 * @self: an interaction
 * @result: the result
 * @username: (out) (transfer full) (optional) (nullable): the user name
 * @error: return location for a #GError
 *
 * Returns: how the question was answered
 */
GTlsInteractionResult
tlslite_interaction_ask_srp_credentials_finish (TlsliteInteraction *self, GAsyncResult *result,
                                                gchar **username, GError **error)
{
  TlsliteInteractionClass *klass;

  g_return_val_if_fail (TLSLITE_IS_INTERACTION (self), G_TLS_INTERACTION_UNHANDLED);
  klass = TLSLITE_INTERACTION_GET_CLASS (self);
  if (g_async_result_is_tagged (result, tlslite_interaction_ask_srp_credentials_async) ||
      !klass->ask_srp_credentials_finish)
    return G_TLS_INTERACTION_UNHANDLED;
  return klass->ask_srp_credentials_finish (self, result, username, error);
}

/**
 * tlslite_interaction_ask_psk_async: (virtual ask_psk_async)
 * @self: an interaction
 * @connection: the connection asking
 * @hint: (nullable): the server's identity hint (TLS 1.2), or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Calls the async PSK virtual function directly. Without an
 * implementation the answer is %G_TLS_INTERACTION_UNHANDLED.
 */
void
tlslite_interaction_ask_psk_async (TlsliteInteraction *self, GTlsConnection *connection,
                                   const gchar *hint, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  TlsliteInteractionClass *klass;
  GTask *task;

  g_return_if_fail (TLSLITE_IS_INTERACTION (self));
  klass = TLSLITE_INTERACTION_GET_CLASS (self);
  if (klass->ask_psk_async)
    {
      klass->ask_psk_async (self, connection, hint, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tlslite_interaction_ask_psk_async);
  g_task_return_int (task, G_TLS_INTERACTION_UNHANDLED);
  g_object_unref (task);
}

/**
 * tlslite_interaction_ask_psk_finish: (virtual ask_psk_finish)
 * @self: an interaction
 * @result: the result
 * @identity: (out) (transfer full) (optional) (nullable): the identity
 * @key: (out) (transfer full) (optional) (nullable): the shared key
 * @error: return location for a #GError
 *
 * Returns: how the question was answered
 */
GTlsInteractionResult
tlslite_interaction_ask_psk_finish (TlsliteInteraction *self, GAsyncResult *result, gchar **identity,
                                    GBytes **key, GError **error)
{
  TlsliteInteractionClass *klass;

  g_return_val_if_fail (TLSLITE_IS_INTERACTION (self), G_TLS_INTERACTION_UNHANDLED);
  klass = TLSLITE_INTERACTION_GET_CLASS (self);
  if (g_async_result_is_tagged (result, tlslite_interaction_ask_psk_async) || !klass->ask_psk_finish)
    return G_TLS_INTERACTION_UNHANDLED;
  return klass->ask_psk_finish (self, result, identity, key, error);
}

/**
 * tlslite_interaction_new:
 *
 * An interaction that declines every question until a subclass or its
 * properties say otherwise.
 *
 * Returns: (transfer full): a new interaction
 */
TlsliteInteraction *
tlslite_interaction_new (void)
{
  return g_object_new (TLSLITE_TYPE_INTERACTION, NULL);
}

/**
 * tlslite_interaction_new_srp:
 * @username: the SRP user name
 * @password: the password
 *
 * An interaction that answers SRP questions with these credentials.
 *
 * Returns: (transfer full): a new interaction
 */
TlsliteInteraction *
tlslite_interaction_new_srp (const gchar *username, const gchar *password)
{
  return g_object_new (TLSLITE_TYPE_INTERACTION, "srp-username", username, "srp-password", password,
                       NULL);
}

/**
 * tlslite_interaction_new_psk:
 * @identity: the PSK identity
 * @key: the shared key
 *
 * An interaction that answers PSK questions with this identity and key.
 *
 * Returns: (transfer full): a new interaction
 */
TlsliteInteraction *
tlslite_interaction_new_psk (const gchar *identity, GBytes *key)
{
  return g_object_new (TLSLITE_TYPE_INTERACTION, "psk-identity", identity, "psk-key", key, NULL);
}

static void
wipe_string (gchar **s)
{
  if (*s)
    explicit_bzero (*s, strlen (*s));
  g_clear_pointer (s, g_free);
}

static void
tlslite_interaction_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TlsliteInteractionPrivate *priv = PRIV (TLSLITE_INTERACTION (object));

  switch (prop_id)
    {
    case PROP_SRP_USERNAME:
      g_value_set_string (value, priv->srp_username);
      break;
    case PROP_PSK_IDENTITY:
      g_value_set_string (value, priv->psk_identity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_interaction_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  TlsliteInteractionPrivate *priv = PRIV (TLSLITE_INTERACTION (object));

  switch (prop_id)
    {
    case PROP_SRP_USERNAME:
      g_free (priv->srp_username);
      priv->srp_username = g_value_dup_string (value);
      break;
    case PROP_SRP_PASSWORD:
      wipe_string (&priv->srp_password);
      priv->srp_password = g_value_dup_string (value);
      break;
    case PROP_PSK_IDENTITY:
      g_free (priv->psk_identity);
      priv->psk_identity = g_value_dup_string (value);
      break;
    case PROP_PSK_KEY:
      {
        GBytes *key = g_value_get_boxed (value);

        g_clear_pointer (&priv->psk_key, g_bytes_unref);
        /* Our own wiped copy: the caller's GBytes may outlive us unwiped,
         * but we never keep a second unwiped one. */
        if (key)
          priv->psk_key = _tlslite_secret_bytes_new (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_interaction_finalize (GObject *object)
{
  TlsliteInteractionPrivate *priv = PRIV (TLSLITE_INTERACTION (object));

  g_main_context_unref (priv->context);
  g_free (priv->srp_username);
  wipe_string (&priv->srp_password);
  g_free (priv->psk_identity);
  g_clear_pointer (&priv->psk_key, g_bytes_unref);
  G_OBJECT_CLASS (tlslite_interaction_parent_class)->finalize (object);
}

static void
tlslite_interaction_init (TlsliteInteraction *self)
{
  PRIV (self)->context = g_main_context_ref_thread_default ();
}

static void
tlslite_interaction_class_init (TlsliteInteractionClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  GParamFlags wo = G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS;

  gobject_class->get_property = tlslite_interaction_get_property;
  gobject_class->set_property = tlslite_interaction_set_property;
  gobject_class->finalize = tlslite_interaction_finalize;

  /**
   * TlsliteInteraction:srp-username:
   *
   * The SRP user name answered when no virtual function is implemented.
   */
  g_object_class_install_property (gobject_class, PROP_SRP_USERNAME,
                                   g_param_spec_string ("srp-username", NULL, NULL, NULL, rw));
  /**
   * TlsliteInteraction:srp-password:
   *
   * The SRP password answered when no virtual function is implemented.
   */
  g_object_class_install_property (gobject_class, PROP_SRP_PASSWORD,
                                   g_param_spec_string ("srp-password", NULL, NULL, NULL, wo));
  /**
   * TlsliteInteraction:psk-identity:
   *
   * The PSK identity answered when no virtual function is implemented.
   */
  g_object_class_install_property (gobject_class, PROP_PSK_IDENTITY,
                                   g_param_spec_string ("psk-identity", NULL, NULL, NULL, rw));
  /**
   * TlsliteInteraction:psk-key:
   *
   * The shared key answered when no virtual function is implemented.
   */
  g_object_class_install_property (gobject_class, PROP_PSK_KEY,
                                   g_param_spec_boxed ("psk-key", NULL, NULL, G_TYPE_BYTES, wo));
}
