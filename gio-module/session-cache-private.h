/* Library-internal access to the tlscore objects behind TlsliteSessionCache and ticket key files (server.c uses them). */
#ifndef TLSLITE_SESSION_CACHE_PRIVATE_H
#define TLSLITE_SESSION_CACHE_PRIVATE_H

#include <gio/gio.h>

#include "tlscore/config.h"
#include <tlslite-gio/tlslite.h>

G_BEGIN_DECLS

/* The engine's cache (borrowed), NULL if it could not be made. */
tc_session_cache *_tlslite_gio_session_cache_get_tc (TlsliteSessionCache *cache);

/* ticket-key-file.c: install the keys of `path` (read again whenever the
 * file changed: size, mtime or inode) into a server config. FALSE with an
 * error naming the file when it cannot be read or holds no valid keys. */
gboolean _tlslite_gio_ticket_key_file_apply (const gchar *path, tc_config *cfg, GError **error);

G_END_DECLS

#endif
