/* Server session-ID cache for TLS 1.2 and older: bounded LRU, thread-safe, expiring. */
#ifndef TLSCORE_SESSION_CACHE_H
#define TLSCORE_SESSION_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/config.h"

typedef struct tc_cached_session {
  uint16_t version, suite;
  uint8_t master[48];
  bool ems;
  char alpn[256];
  uint8_t psk_identity[TC_PSK_MAX_IDENTITY]; /* the session's PSK identity */
  size_t psk_identity_len;                   /* 0: none */
  uint8_t srp_user[255];                     /* the session's SRP user name */
  size_t srp_user_len;                       /* 0: none */
  char server_name[256];                     /* SNI of the session's handshake ("" none) */
} tc_cached_session;

/* Store (replacing an entry with the same id); evicts the least recently
 * used entry when full. id_len 1..32. */
void tc_session_cache_put(tc_session_cache *c, const uint8_t *id, size_t id_len,
                          const tc_cached_session *s, int64_t now);
/* Look up a live entry (refreshes its LRU position). *out receives the
 * scalars and the master secret, the identities up to their lengths and
 * the strings up to their NUL; bytes past those are left as they were. */
bool tc_session_cache_get(tc_session_cache *c, const uint8_t *id, size_t id_len, int64_t now,
                          tc_cached_session *out);
/* The look-up of a TLS 1.2 resumption for a handshake with server_name
 * (NULL or "": none): as tc_session_cache_get, but *out receives only the
 * scalars, the master secret and the identities (its alpn and server_name
 * are left empty), and *same_name tells whether the entry's server name
 * is that one (RFC 6066 §3: a session is resumed only for its own name),
 * compared in place instead of copied out and wiped. */
bool tc_session_cache_resume(tc_session_cache *c, const uint8_t *id, size_t id_len, int64_t now,
                             const char *server_name, tc_cached_session *out, bool *same_name);
/* Wipe what tc_session_cache_get or tc_session_cache_resume wrote into s (the master secret, the
 * identities, the strings). */
void tc_cached_session_wipe(tc_cached_session *s);
void tc_session_cache_remove(tc_session_cache *c, const uint8_t *id, size_t id_len);

#endif
