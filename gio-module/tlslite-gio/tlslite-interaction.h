/* TlsliteInteraction: a GTlsInteraction that also answers SRP logins and shared-key (PSK) requests. */
#ifndef TLSLITE_INTERACTION_H
#define TLSLITE_INTERACTION_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

#define TLSLITE_TYPE_INTERACTION (tlslite_interaction_get_type ())
TLSLITE_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (TlsliteInteraction, tlslite_interaction, TLSLITE, INTERACTION,
                          GTlsInteraction)

/**
 * TlsliteInteractionClass:
 * @parent_class: the GTlsInteraction class.
 * @ask_srp_credentials: ask for an SRP user name (returned in @username)
 *   and password (set on @password, whose description names the server).
 * @ask_srp_credentials_async: the same, asynchronously.
 * @ask_srp_credentials_finish: finish it; returns the user name in @username.
 * @ask_psk: ask for a shared key: @hint is the server's identity hint or
 *   %NULL (before the handshake); return an identity and a key.
 * @ask_psk_async: the same, asynchronously.
 * @ask_psk_finish: finish it.
 *
 * Like GTlsInteraction, a subclass implements the synchronous or the
 * asynchronous variant (or both); the library calls whichever exists, in
 * the main context the interaction was created in. Without either, the
 * interaction answers from its own properties ("srp-username",
 * "srp-password", "psk-identity", "psk-key") when they are set.
 */
struct _TlsliteInteractionClass
{
  GTlsInteractionClass parent_class;

  GTlsInteractionResult (*ask_srp_credentials) (TlsliteInteraction *self, GTlsConnection *connection,
                                                GTlsPassword *password, gchar **username,
                                                GCancellable *cancellable, GError **error);
  void (*ask_srp_credentials_async) (TlsliteInteraction *self, GTlsConnection *connection,
                                     GTlsPassword *password, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
  GTlsInteractionResult (*ask_srp_credentials_finish) (TlsliteInteraction *self, GAsyncResult *result,
                                                       gchar **username, GError **error);

  GTlsInteractionResult (*ask_psk) (TlsliteInteraction *self, GTlsConnection *connection,
                                    const gchar *hint, gchar **identity, GBytes **key,
                                    GCancellable *cancellable, GError **error);
  void (*ask_psk_async) (TlsliteInteraction *self, GTlsConnection *connection, const gchar *hint,
                         GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data);
  GTlsInteractionResult (*ask_psk_finish) (TlsliteInteraction *self, GAsyncResult *result,
                                           gchar **identity, GBytes **key, GError **error);

  /*< private >*/
  gpointer padding[8];
};

TLSLITE_AVAILABLE_IN_ALL
TlsliteInteraction *tlslite_interaction_new (void);
TLSLITE_AVAILABLE_IN_ALL
TlsliteInteraction *tlslite_interaction_new_srp (const gchar *username, const gchar *password);
TLSLITE_AVAILABLE_IN_ALL
TlsliteInteraction *tlslite_interaction_new_psk (const gchar *identity, GBytes *key);

TLSLITE_AVAILABLE_IN_ALL
GTlsInteractionResult tlslite_interaction_invoke_ask_srp_credentials (TlsliteInteraction *self,
                                                                      GTlsConnection *connection,
                                                                      GTlsPassword *password,
                                                                      gchar **username,
                                                                      GCancellable *cancellable,
                                                                      GError **error);
TLSLITE_AVAILABLE_IN_ALL
void tlslite_interaction_ask_srp_credentials_async (TlsliteInteraction *self, GTlsConnection *connection,
                                                    GTlsPassword *password, GCancellable *cancellable,
                                                    GAsyncReadyCallback callback, gpointer user_data);
TLSLITE_AVAILABLE_IN_ALL
GTlsInteractionResult tlslite_interaction_ask_srp_credentials_finish (TlsliteInteraction *self,
                                                                      GAsyncResult *result,
                                                                      gchar **username, GError **error);
TLSLITE_AVAILABLE_IN_ALL
void tlslite_interaction_ask_psk_async (TlsliteInteraction *self, GTlsConnection *connection,
                                        const gchar *hint, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
TLSLITE_AVAILABLE_IN_ALL
GTlsInteractionResult tlslite_interaction_ask_psk_finish (TlsliteInteraction *self, GAsyncResult *result,
                                                          gchar **identity, GBytes **key, GError **error);
TLSLITE_AVAILABLE_IN_ALL
GTlsInteractionResult tlslite_interaction_invoke_ask_psk (TlsliteInteraction *self,
                                                          GTlsConnection *connection,
                                                          const gchar *hint, gchar **identity,
                                                          GBytes **key, GCancellable *cancellable,
                                                          GError **error);

G_END_DECLS

#endif
