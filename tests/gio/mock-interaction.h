/* A GTlsInteraction for tests that answers with a fixed password, certificate or error. */
#ifndef TLSLITE_TEST_MOCK_INTERACTION_H
#define TLSLITE_TEST_MOCK_INTERACTION_H

#include <gio/gio.h>

G_BEGIN_DECLS

GTlsInteraction *mock_interaction_new_static_password (const gchar *password);
GTlsInteraction *mock_interaction_new_static_certificate (GTlsCertificate *cert);
GTlsInteraction *mock_interaction_new_static_error (GQuark domain, gint code, const gchar *message);

/* How many times request_certificate was invoked (sync or async). */
guint mock_interaction_get_request_count (GTlsInteraction *interaction);

G_END_DECLS

#endif
