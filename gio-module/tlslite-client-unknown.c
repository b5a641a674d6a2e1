/* TLS Lite's handshakeClientUnknown over GSocketClient: connect offering SRP and certificates, reconnect with SRP credentials when the server asks for them. */
#include "tlslite-gio/tlslite-auth-error.h"
#include "tlslite-gio/tlslite-client-unknown.h"

/*
 * A GIO connection has one transport, and a server that wants SRP says so
 * by failing the first handshake (unknown_psk_identity, RFC 5054 §2.5.1.2:
 * the client sent no user name). So the retry is a second TCP connection,
 * made here: the first handshake runs with "srp-unknown", the second with
 * "srp-requested", and the program's GTlsInteraction answers whichever
 * question the server's choice raises (SRP credentials, a client
 * certificate) or declines.
 *
 * The properties are set from the client's "event" signal, only on
 * connections to our connectable, so other connections the program makes
 * with the same GSocketClient meanwhile are left alone.
 */

typedef struct
{
  GSocketClient *client;
  GSocketConnectable *connectable;
  GTlsInteraction *interaction;
  gboolean requested;            /* second attempt */
  gulong handler;
} Attempt;

static void
on_event (GSocketClient *client, GSocketClientEvent event, GSocketConnectable *connectable,
          GIOStream *connection, gpointer data)
{
  Attempt *a = data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || connectable != a->connectable ||
      !G_IS_TLS_CLIENT_CONNECTION (connection))
    return;
  if (a->interaction)
    g_tls_connection_set_interaction (G_TLS_CONNECTION (connection), a->interaction);
  /* Another TLS backend has no such property: then this is an ordinary
   * connection. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (connection), "srp-unknown"))
    g_object_set (connection, a->requested ? "srp-requested" : "srp-unknown", TRUE, NULL);
}

static Attempt *
attempt_new (GSocketClient *client, GSocketConnectable *connectable, GTlsInteraction *interaction)
{
  Attempt *a = g_new0 (Attempt, 1);

  a->client = g_object_ref (client);
  a->connectable = g_object_ref (connectable);
  a->interaction = interaction ? g_object_ref (interaction) : NULL;
  a->handler = g_signal_connect (client, "event", G_CALLBACK (on_event), a);
  return a;
}

static void
attempt_free (gpointer data)
{
  Attempt *a = data;

  g_signal_handler_disconnect (a->client, a->handler);
  g_object_unref (a->client);
  g_object_unref (a->connectable);
  g_clear_object (&a->interaction);
  g_free (a);
}

/**
 * tlslite_socket_client_connect_unknown:
 * @client: a #GSocketClient with #GSocketClient:tls set
 * @connectable: where to connect
 * @interaction: (nullable): answers what the server asks for: SRP
 *   credentials (a [class@Tlslite.Interaction]'s ask_srp_credentials, or a
 *   plain ask_password when the connection's `srp-username` is set from
 *   the client's #GSocketClient::event signal) or a client certificate
 *   (request_certificate); or declines
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * TLS Lite's handshakeClientUnknown: connects to a server without knowing
 * whether it wants an SRP login or certificates. The first handshake
 * offers the SRP suites beside the certificate suites but sends no user
 * name (`srp-unknown`). A certificate server answers as usual and may ask
 * @interaction for a client certificate. A server that wants SRP refuses
 * that handshake; this function then connects again (a second TCP
 * connection) with `srp-requested`, and the new connection asks
 * @interaction for the user name and password before it sends anything.
 * If @interaction declines, the error is
 * %TLSLITE_AUTH_ERROR_NO_CREDENTIALS; a wrong password gives
 * %TLSLITE_AUTH_ERROR_SRP_FAILED.
 *
 * The client's other settings (timeouts, proxies, the "event" signal)
 * apply to both connections.
 *
 * Returns: (transfer full): the established connection, or %NULL with
 *   @error set
 */
GSocketConnection *
tlslite_socket_client_connect_unknown (GSocketClient *client, GSocketConnectable *connectable,
                                       GTlsInteraction *interaction, GCancellable *cancellable,
                                       GError **error)
{
  Attempt *a;
  GSocketConnection *conn;
  GError *my_error = NULL;

  g_return_val_if_fail (G_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTABLE (connectable), NULL);
  g_return_val_if_fail (interaction == NULL || G_IS_TLS_INTERACTION (interaction), NULL);
  g_return_val_if_fail (g_socket_client_get_tls (client), NULL);

  a = attempt_new (client, connectable, interaction);
  conn = g_socket_client_connect (client, connectable, cancellable, &my_error);
  if (!conn && g_error_matches (my_error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_REQUESTED))
    {
      g_clear_error (&my_error);
      a->requested = TRUE;
      conn = g_socket_client_connect (client, connectable, cancellable, &my_error);
    }
  attempt_free (a);
  if (my_error)
    g_propagate_error (error, my_error);
  return conn;
}

static void
connect_done (GObject *object, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Attempt *a = g_task_get_task_data (task);
  GError *error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);

  if (!conn && !a->requested &&
      g_error_matches (error, TLSLITE_AUTH_ERROR, TLSLITE_AUTH_ERROR_SRP_REQUESTED))
    {
      g_clear_error (&error);
      a->requested = TRUE;
      g_socket_client_connect_async (a->client, a->connectable, g_task_get_cancellable (task),
                                     connect_done, task);
      return;
    }
  if (conn)
    g_task_return_pointer (task, conn, g_object_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * tlslite_socket_client_connect_unknown_async:
 * @client: a #GSocketClient with #GSocketClient:tls set
 * @connectable: where to connect
 * @interaction: (nullable): answers SRP credentials or a client
 *   certificate, or declines (see [func@Tlslite.socket_client_connect_unknown])
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when connected or failed
 * @user_data: data for @callback
 *
 * The asynchronous version of [func@Tlslite.socket_client_connect_unknown];
 * @callback runs in the thread-default main context of the caller. Call
 * [func@Tlslite.socket_client_connect_unknown_finish] there.
 */
void
tlslite_socket_client_connect_unknown_async (GSocketClient *client, GSocketConnectable *connectable,
                                             GTlsInteraction *interaction, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (G_IS_SOCKET_CLIENT (client));
  g_return_if_fail (G_IS_SOCKET_CONNECTABLE (connectable));
  g_return_if_fail (interaction == NULL || G_IS_TLS_INTERACTION (interaction));
  g_return_if_fail (g_socket_client_get_tls (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, tlslite_socket_client_connect_unknown_async);
  g_task_set_task_data (task, attempt_new (client, connectable, interaction), attempt_free);
  g_socket_client_connect_async (client, connectable, cancellable, connect_done, task);
}

/**
 * tlslite_socket_client_connect_unknown_finish:
 * @client: the #GSocketClient passed to
 *   [func@Tlslite.socket_client_connect_unknown_async]
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the established connection, or %NULL with
 *   @error set
 */
GSocketConnection *
tlslite_socket_client_connect_unknown_finish (GSocketClient *client, GAsyncResult *result,
                                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
