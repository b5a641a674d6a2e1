/* TlsliteSessionCache: a server-side TLS 1.2 session-ID cache (bounded, expiring, thread-safe) shared by server connections. */
#ifndef TLSLITE_SESSION_CACHE_H
#define TLSLITE_SESSION_CACHE_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define TLSLITE_TYPE_SESSION_CACHE (tlslite_session_cache_get_type ())
G_DECLARE_FINAL_TYPE (TlsliteSessionCache, tlslite_session_cache, TLSLITE, SESSION_CACHE, GObject)

TlsliteSessionCache *tlslite_session_cache_new (guint max_entries, guint lifetime);
TlsliteSessionCache *tlslite_session_cache_get_default (void);
guint tlslite_session_cache_get_max_entries (TlsliteSessionCache *cache);
guint tlslite_session_cache_get_lifetime (TlsliteSessionCache *cache);
guint tlslite_session_cache_get_count (TlsliteSessionCache *cache);
void tlslite_session_cache_flush (TlsliteSessionCache *cache);

G_END_DECLS

#endif
