/* Pollable input/output streams of a GTlsConnectionTlslite; they outlive it and then report CLOSED. */
#include <glib/gi18n-lib.h>

#include "connection.h"

/* The connection owns its streams; the streams only hold weak references
 * so an application may keep a stream after dropping the connection. */

struct _GTlsInputStreamTlslite
{
  GInputStream parent_instance;
  GWeakRef weak_conn;
};

struct _GTlsOutputStreamTlslite
{
  GOutputStream parent_instance;
  GWeakRef weak_conn;
};

static void input_pollable_iface_init (GPollableInputStreamInterface *iface);
static void output_pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GTlsInputStreamTlslite, g_tls_input_stream_tlslite, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      input_pollable_iface_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (GTlsOutputStreamTlslite, g_tls_output_stream_tlslite, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      output_pollable_iface_init))

static GTlsConnectionTlslite *
get_conn (GWeakRef *ref, GError **error)
{
  GTlsConnectionTlslite *conn = g_weak_ref_get (ref);

  if (!conn)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("Connection is closed"));
  return conn;
}

/* ---- input ---- */

static gssize
input_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
            GError **error)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (stream);
  GTlsConnectionTlslite *conn = get_conn (&self->weak_conn, error);
  gssize ret;

  if (!conn)
    return -1;
  ret = tlslite_connection_read (conn, buffer, count, TRUE, cancellable, error);
  g_object_unref (conn);
  return ret;
}

static gboolean
input_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (stream);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret;

  if (!conn)
    return TRUE;
  ret = tlslite_connection_close_direction (conn, TRUE, FALSE, cancellable, error);
  g_object_unref (conn);
  return ret;
}

static gboolean
input_can_poll (GPollableInputStream *pollable)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret = FALSE;

  if (conn)
    {
      GInputStream *base = g_io_stream_get_input_stream (tlslite_connection_get_base_stream (conn));

      ret = G_IS_POLLABLE_INPUT_STREAM (base) &&
            g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
      g_object_unref (conn);
    }
  return ret;
}

static gboolean
input_is_readable (GPollableInputStream *pollable)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret;

  if (!conn)
    return TRUE;   /* a read reports CLOSED at once */
  ret = tlslite_connection_check (conn, G_IO_IN);
  g_object_unref (conn);
  return ret;
}

static GSource *
input_create_source (GPollableInputStream *pollable, GCancellable *cancellable)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  GSource *source;

  if (!conn)
    {
      /* Ready at once so the caller's read sees CLOSED. */
      GSource *ready = g_timeout_source_new (0);

      source = g_pollable_source_new (G_OBJECT (pollable));
      g_source_add_child_source (source, ready);
      g_source_unref (ready);
      if (cancellable)
        {
          GSource *cs = g_cancellable_source_new (cancellable);

          g_source_set_dummy_callback (cs);
          g_source_add_child_source (source, cs);
          g_source_unref (cs);
        }
      return source;
    }
  source = tlslite_connection_create_source (conn, G_IO_IN, cancellable);
  g_object_unref (conn);
  return source;
}

static gssize
input_read_nonblocking (GPollableInputStream *pollable, void *buffer, gsize count, GError **error)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = get_conn (&self->weak_conn, error);
  gssize ret;

  if (!conn)
    return -1;
  ret = tlslite_connection_read (conn, buffer, count, FALSE, NULL, error);
  g_object_unref (conn);
  return ret;
}

static void
g_tls_input_stream_tlslite_finalize (GObject *object)
{
  GTlsInputStreamTlslite *self = G_TLS_INPUT_STREAM_TLSLITE (object);

  g_weak_ref_clear (&self->weak_conn);
  G_OBJECT_CLASS (g_tls_input_stream_tlslite_parent_class)->finalize (object);
}

static void
g_tls_input_stream_tlslite_class_init (GTlsInputStreamTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  gobject_class->finalize = g_tls_input_stream_tlslite_finalize;
  input_class->read_fn = input_read;
  input_class->close_fn = input_close;
}

static void
input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = input_can_poll;
  iface->is_readable = input_is_readable;
  iface->create_source = input_create_source;
  iface->read_nonblocking = input_read_nonblocking;
}

static void
g_tls_input_stream_tlslite_init (GTlsInputStreamTlslite *self)
{
  g_weak_ref_init (&self->weak_conn, NULL);
}

GInputStream *
tlslite_input_stream_new (GTlsConnectionTlslite *conn)
{
  GTlsInputStreamTlslite *self = g_object_new (G_TYPE_TLS_INPUT_STREAM_TLSLITE, NULL);

  g_weak_ref_set (&self->weak_conn, conn);
  return G_INPUT_STREAM (self);
}

/* ---- output ---- */

static gssize
output_write (GOutputStream *stream, const void *buffer, gsize count, GCancellable *cancellable,
              GError **error)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (stream);
  GTlsConnectionTlslite *conn = get_conn (&self->weak_conn, error);
  gssize ret;

  if (!conn)
    return -1;
  ret = tlslite_connection_write (conn, buffer, count, TRUE, cancellable, error);
  g_object_unref (conn);
  return ret;
}

static gboolean
output_flush (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (stream);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret;

  if (!conn)
    return TRUE;
  ret = tlslite_connection_flush (conn, cancellable, error);
  g_object_unref (conn);
  return ret;
}

static gboolean
output_close (GOutputStream *stream, GCancellable *cancellable, GError **error)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (stream);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret;

  if (!conn)
    return TRUE;
  ret = tlslite_connection_close_direction (conn, FALSE, TRUE, cancellable, error);
  g_object_unref (conn);
  return ret;
}

static gboolean
output_can_poll (GPollableOutputStream *pollable)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret = FALSE;

  if (conn)
    {
      GOutputStream *base = g_io_stream_get_output_stream (tlslite_connection_get_base_stream (conn));

      ret = G_IS_POLLABLE_OUTPUT_STREAM (base) &&
            g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (base));
      g_object_unref (conn);
    }
  return ret;
}

static gboolean
output_is_writable (GPollableOutputStream *pollable)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  gboolean ret;

  if (!conn)
    return TRUE;
  ret = tlslite_connection_check (conn, G_IO_OUT);
  g_object_unref (conn);
  return ret;
}

static GSource *
output_create_source (GPollableOutputStream *pollable, GCancellable *cancellable)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = g_weak_ref_get (&self->weak_conn);
  GSource *source;

  if (!conn)
    {
      GSource *ready = g_timeout_source_new (0);

      source = g_pollable_source_new (G_OBJECT (pollable));
      g_source_add_child_source (source, ready);
      g_source_unref (ready);
      if (cancellable)
        {
          GSource *cs = g_cancellable_source_new (cancellable);

          g_source_set_dummy_callback (cs);
          g_source_add_child_source (source, cs);
          g_source_unref (cs);
        }
      return source;
    }
  source = tlslite_connection_create_source (conn, G_IO_OUT, cancellable);
  g_object_unref (conn);
  return source;
}

static gssize
output_write_nonblocking (GPollableOutputStream *pollable, const void *buffer, gsize count,
                          GError **error)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (pollable);
  GTlsConnectionTlslite *conn = get_conn (&self->weak_conn, error);
  gssize ret;

  if (!conn)
    return -1;
  ret = tlslite_connection_write (conn, buffer, count, FALSE, NULL, error);
  g_object_unref (conn);
  return ret;
}

static void
g_tls_output_stream_tlslite_finalize (GObject *object)
{
  GTlsOutputStreamTlslite *self = G_TLS_OUTPUT_STREAM_TLSLITE (object);

  g_weak_ref_clear (&self->weak_conn);
  G_OBJECT_CLASS (g_tls_output_stream_tlslite_parent_class)->finalize (object);
}

static void
g_tls_output_stream_tlslite_class_init (GTlsOutputStreamTlsliteClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  gobject_class->finalize = g_tls_output_stream_tlslite_finalize;
  output_class->write_fn = output_write;
  output_class->flush = output_flush;
  output_class->close_fn = output_close;
}

static void
output_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = output_can_poll;
  iface->is_writable = output_is_writable;
  iface->create_source = output_create_source;
  iface->write_nonblocking = output_write_nonblocking;
}

static void
g_tls_output_stream_tlslite_init (GTlsOutputStreamTlslite *self)
{
  g_weak_ref_init (&self->weak_conn, NULL);
}

GOutputStream *
tlslite_output_stream_new (GTlsConnectionTlslite *conn)
{
  GTlsOutputStreamTlslite *self = g_object_new (G_TYPE_TLS_OUTPUT_STREAM_TLSLITE, NULL);

  g_weak_ref_set (&self->weak_conn, conn);
  return G_OUTPUT_STREAM (self);
}
