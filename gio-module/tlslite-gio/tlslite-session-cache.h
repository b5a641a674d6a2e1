/* TlsliteSessionCache: a server-side TLS 1.2 session-ID cache (bounded, expiring, thread-safe) shared by server connections. */
#ifndef TLSLITE_SESSION_CACHE_H
#define TLSLITE_SESSION_CACHE_H

#if !defined (__TLSLITE_H_INSIDE__) && !defined (TLSLITE_COMPILATION)
#error "Only <tlslite-gio/tlslite.h> can be included directly."
#endif

#include <gio/gio.h>

#include <tlslite-gio/tlslite-version.h>

G_BEGIN_DECLS

/**
 * TlsliteSessionCache:
 *
 * A server-side session-ID cache (TLS Lite's SessionCache), shared by
 * server connections through their "session-cache" property.
 */
#define TLSLITE_TYPE_SESSION_CACHE (tlslite_session_cache_get_type ())
TLSLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TlsliteSessionCache, tlslite_session_cache, TLSLITE, SESSION_CACHE, GObject)

TLSLITE_AVAILABLE_IN_ALL
TlsliteSessionCache *tlslite_session_cache_new (guint max_entries, guint lifetime);
TLSLITE_AVAILABLE_IN_ALL
TlsliteSessionCache *tlslite_session_cache_get_default (void);
TLSLITE_AVAILABLE_IN_ALL
guint tlslite_session_cache_get_max_entries (TlsliteSessionCache *cache);
TLSLITE_AVAILABLE_IN_ALL
guint tlslite_session_cache_get_lifetime (TlsliteSessionCache *cache);
TLSLITE_AVAILABLE_IN_ALL
guint tlslite_session_cache_get_count (TlsliteSessionCache *cache);
TLSLITE_AVAILABLE_IN_ALL
void tlslite_session_cache_flush (TlsliteSessionCache *cache);

G_END_DECLS

#endif
