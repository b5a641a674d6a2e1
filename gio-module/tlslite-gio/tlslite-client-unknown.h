/* tlslite_socket_client_connect_unknown: TLS Lite's handshakeClientUnknown over GSocketClient (SRP or certificate, whichever the server asks for). */
#ifndef TLSLITE_CLIENT_UNKNOWN_H
#define TLSLITE_CLIENT_UNKNOWN_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

TLSLITE_AVAILABLE_IN_ALL
GSocketConnection *tlslite_socket_client_connect_unknown (GSocketClient *client,
                                                          GSocketConnectable *connectable,
                                                          GTlsInteraction *interaction,
                                                          GCancellable *cancellable,
                                                          GError **error);
TLSLITE_AVAILABLE_IN_ALL
void tlslite_socket_client_connect_unknown_async (GSocketClient *client,
                                                  GSocketConnectable *connectable,
                                                  GTlsInteraction *interaction,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
TLSLITE_AVAILABLE_IN_ALL
GSocketConnection *tlslite_socket_client_connect_unknown_finish (GSocketClient *client,
                                                                 GAsyncResult *result,
                                                                 GError **error);

G_END_DECLS

#endif
