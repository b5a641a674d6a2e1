/* A GTlsInteraction for tests that answers with a fixed password, certificate or error. */
#include "mock-interaction.h"

typedef struct
{
  GTlsInteraction parent_instance;
  gchar *password;
  GTlsCertificate *cert;
  GQuark error_domain;
  gint error_code;
  gchar *error_message;
  guint requests;
} MockInteraction;

typedef struct
{
  GTlsInteractionClass parent_class;
} MockInteractionClass;

static GType mock_interaction_get_type (void);
G_DEFINE_TYPE (MockInteraction, mock_interaction, G_TYPE_TLS_INTERACTION)

#define MOCK(o) ((MockInteraction *) (o))

static GTlsInteractionResult
answer_password (MockInteraction *self, GTlsPassword *password, GError **error)
{
  if (self->error_message)
    {
      g_set_error_literal (error, self->error_domain, self->error_code, self->error_message);
      return G_TLS_INTERACTION_FAILED;
    }
  if (!self->password)
    return G_TLS_INTERACTION_UNHANDLED;
  g_tls_password_set_value (password, (const guchar *) self->password, -1);
  return G_TLS_INTERACTION_HANDLED;
}

static GTlsInteractionResult
answer_certificate (MockInteraction *self, GTlsConnection *connection, GError **error)
{
  self->requests++;
  if (self->error_message)
    {
      g_set_error_literal (error, self->error_domain, self->error_code, self->error_message);
      return G_TLS_INTERACTION_FAILED;
    }
  if (!self->cert)
    return G_TLS_INTERACTION_UNHANDLED;
  g_tls_connection_set_certificate (connection, self->cert);
  return G_TLS_INTERACTION_HANDLED;
}

static GTlsInteractionResult
mock_ask_password (GTlsInteraction *interaction, GTlsPassword *password, GCancellable *cancellable,
                   GError **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_INTERACTION_FAILED;
  return answer_password (MOCK (interaction), password, error);
}

static void
mock_ask_password_async (GTlsInteraction *interaction, GTlsPassword *password,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (interaction, cancellable, callback, user_data);
  GError *error = NULL;
  GTlsInteractionResult res = answer_password (MOCK (interaction), password, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, res);
  g_object_unref (task);
}

static GTlsInteractionResult
mock_ask_password_finish (GTlsInteraction *interaction, GAsyncResult *result, GError **error)
{
  gssize res = g_task_propagate_int (G_TASK (result), error);

  return res < 0 ? G_TLS_INTERACTION_FAILED : (GTlsInteractionResult) res;
}

static GTlsInteractionResult
mock_request_certificate (GTlsInteraction *interaction, GTlsConnection *connection,
                          GTlsCertificateRequestFlags flags, GCancellable *cancellable,
                          GError **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_INTERACTION_FAILED;
  return answer_certificate (MOCK (interaction), connection, error);
}

static void
mock_request_certificate_async (GTlsInteraction *interaction, GTlsConnection *connection,
                                GTlsCertificateRequestFlags flags, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (interaction, cancellable, callback, user_data);
  GError *error = NULL;
  GTlsInteractionResult res = answer_certificate (MOCK (interaction), connection, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, res);
  g_object_unref (task);
}

static GTlsInteractionResult
mock_request_certificate_finish (GTlsInteraction *interaction, GAsyncResult *result, GError **error)
{
  gssize res = g_task_propagate_int (G_TASK (result), error);

  return res < 0 ? G_TLS_INTERACTION_FAILED : (GTlsInteractionResult) res;
}

static void
mock_interaction_finalize (GObject *object)
{
  MockInteraction *self = MOCK (object);

  g_free (self->password);
  g_clear_object (&self->cert);
  g_free (self->error_message);
  G_OBJECT_CLASS (mock_interaction_parent_class)->finalize (object);
}

static void
mock_interaction_init (MockInteraction *self)
{
}

static void
mock_interaction_class_init (MockInteractionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GTlsInteractionClass *interaction_class = G_TLS_INTERACTION_CLASS (klass);

  object_class->finalize = mock_interaction_finalize;
  interaction_class->ask_password = mock_ask_password;
  interaction_class->ask_password_async = mock_ask_password_async;
  interaction_class->ask_password_finish = mock_ask_password_finish;
  interaction_class->request_certificate = mock_request_certificate;
  interaction_class->request_certificate_async = mock_request_certificate_async;
  interaction_class->request_certificate_finish = mock_request_certificate_finish;
}

GTlsInteraction *
mock_interaction_new_static_password (const gchar *password)
{
  MockInteraction *self = g_object_new (mock_interaction_get_type (), NULL);

  self->password = g_strdup (password);
  return G_TLS_INTERACTION (self);
}

GTlsInteraction *
mock_interaction_new_static_certificate (GTlsCertificate *cert)
{
  MockInteraction *self = g_object_new (mock_interaction_get_type (), NULL);

  self->cert = g_object_ref (cert);
  return G_TLS_INTERACTION (self);
}

GTlsInteraction *
mock_interaction_new_static_error (GQuark domain, gint code, const gchar *message)
{
  MockInteraction *self = g_object_new (mock_interaction_get_type (), NULL);

  self->error_domain = domain;
  self->error_code = code;
  self->error_message = g_strdup (message);
  return G_TLS_INTERACTION (self);
}

guint
mock_interaction_get_request_count (GTlsInteraction *interaction)
{
  return MOCK (interaction)->requests;
}
