/* Server session-ID cache: hash table + LRU list over a fixed entry array, one mutex. */
#include "auth/session_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "engine/config_internal.h"

#define NIL SIZE_MAX

typedef struct entry {
  uint8_t id[32];
  size_t id_len; /* 0: free */
  int64_t created;
  tc_cached_session s;
  size_t hnext;       /* hash chain */
  size_t prev, next;  /* LRU list, head = most recent */
} entry;

struct tc_session_cache {
  atomic_int refs;
  pthread_mutex_t lock;
  size_t max, used;
  uint32_t lifetime;
  entry *e;
  size_t *buckets;
  size_t nbuckets; /* power of two */
  size_t head, tail;
  size_t free_head; /* chain of free entries via hnext */
};

tc_session_cache *tc_session_cache_new(size_t max_entries, uint32_t lifetime) {
  if (max_entries == 0 || max_entries > (1u << 24) || lifetime == 0)
    return NULL;
  tc_session_cache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  size_t nb = 16;
  while (nb < 2 * max_entries)
    nb *= 2;
  c->e = calloc(max_entries, sizeof *c->e);
  c->buckets = malloc(nb * sizeof *c->buckets);
  if (!c->e || !c->buckets) {
    free(c->e);
    free(c->buckets);
    free(c);
    return NULL;
  }
  atomic_init(&c->refs, 1);
  pthread_mutex_init(&c->lock, NULL);
  c->max = max_entries;
  c->lifetime = lifetime;
  c->nbuckets = nb;
  for (size_t i = 0; i < nb; i++)
    c->buckets[i] = NIL;
  for (size_t i = 0; i < max_entries; i++)
    c->e[i].hnext = i + 1 < max_entries ? i + 1 : NIL;
  c->free_head = 0;
  c->head = c->tail = NIL;
  return c;
}

tc_session_cache *tc_session_cache_ref(tc_session_cache *c) {
  if (c)
    atomic_fetch_add(&c->refs, 1);
  return c;
}

void tc_session_cache_unref(tc_session_cache *c) {
  if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
    return;
  pthread_mutex_destroy(&c->lock);
  tc_wipe(c->e, c->max * sizeof *c->e);
  free(c->e);
  free(c->buckets);
  free(c);
}


/* Every id in the table is one of our own random ones, so its first 8
 * bytes hash well enough: a peer choosing the id it looks up walks one
 * chain of random ids and cannot lengthen any. Multiplicative hashing keeps
 * the top bits. */
static size_t bucket(const tc_session_cache *c, const uint8_t *id, size_t len) {
  uint64_t h = len;
  for (size_t i = 0; i < len && i < 8; i++)
    h = h << 8 | id[i];
  h *= 0x9e3779b97f4a7c15u;
  return (size_t)(h >> 32) & (c->nbuckets - 1);
}

/* The look-up's small steps are inlined into the functions that run them:
 * a resumption by session ID runs one block of code under the lock, not
 * four calls (each a partly used cache line of its own). */
#define IN_LOOKUP static inline __attribute__((always_inline))

IN_LOOKUP void lru_unlink(tc_session_cache *c, size_t i) {
  entry *x = &c->e[i];
  if (x->prev != NIL)
    c->e[x->prev].next = x->next;
  else
    c->head = x->next;
  if (x->next != NIL)
    c->e[x->next].prev = x->prev;
  else
    c->tail = x->prev;
}

IN_LOOKUP void lru_push(tc_session_cache *c, size_t i) {
  entry *x = &c->e[i];
  x->prev = NIL;
  x->next = c->head;
  if (c->head != NIL)
    c->e[c->head].prev = i;
  c->head = i;
  if (c->tail == NIL)
    c->tail = i;
}

IN_LOOKUP size_t find(tc_session_cache *c, const uint8_t *id, size_t len) {
  for (size_t i = c->buckets[bucket(c, id, len)]; i != NIL; i = c->e[i].hnext)
    if (c->e[i].id_len == len && !memcmp(c->e[i].id, id, len))
      return i;
  return NIL;
}

static void drop(tc_session_cache *c, size_t i) {
  entry *x = &c->e[i];
  size_t *pp = &c->buckets[bucket(c, x->id, x->id_len)];
  while (*pp != i)
    pp = &c->e[*pp].hnext;
  *pp = x->hnext;
  lru_unlink(c, i);
  tc_wipe(x, sizeof *x);
  x->hnext = c->free_head;
  c->free_head = i;
  c->used--;
}

void tc_session_cache_put(tc_session_cache *c, const uint8_t *id, size_t id_len,
                          const tc_cached_session *s, int64_t now) {
  if (!c || id_len == 0 || id_len > 32)
    return;
  pthread_mutex_lock(&c->lock);
  size_t i = find(c, id, id_len);
  if (i != NIL)
    drop(c, i);
  if (c->free_head == NIL)
    drop(c, c->tail);
  i = c->free_head;
  entry *x = &c->e[i];
  c->free_head = x->hnext;
  memcpy(x->id, id, id_len);
  x->id_len = id_len;
  x->created = now;
  x->s = *s;
  size_t b = bucket(c, id, id_len);
  x->hnext = c->buckets[b];
  c->buckets[b] = i;
  lru_push(c, i);
  c->used++;
  pthread_mutex_unlock(&c->lock);
}

/* The entry's scalars and master secret, its identities up to their
 * lengths and its strings up to their NUL: not all 1 KiB of the struct,
 * most of it unused name buffers. */
static void copy_out(tc_cached_session *out, const tc_cached_session *s) {
  out->version = s->version;
  out->suite = s->suite;
  memcpy(out->master, s->master, sizeof out->master);
  out->ems = s->ems;
  size_t n = strnlen(s->alpn, sizeof s->alpn - 1);
  memcpy(out->alpn, s->alpn, n);
  out->alpn[n] = '\0';
  n = s->psk_identity_len < sizeof s->psk_identity ? s->psk_identity_len : sizeof s->psk_identity;
  out->psk_identity_len = n;
  memcpy(out->psk_identity, s->psk_identity, n);
  n = s->srp_user_len < sizeof s->srp_user ? s->srp_user_len : sizeof s->srp_user;
  out->srp_user_len = n;
  memcpy(out->srp_user, s->srp_user, n);
  n = strnlen(s->server_name, sizeof s->server_name - 1);
  memcpy(out->server_name, s->server_name, n);
  out->server_name[n] = '\0';
}

/* What a resumption reads: the scalars, the master secret and the
 * identities up to their lengths; the strings stay empty. */
static void copy_for_resume(tc_cached_session *out, const tc_cached_session *s) {
  out->version = s->version;
  out->suite = s->suite;
  memcpy(out->master, s->master, sizeof out->master);
  out->ems = s->ems;
  out->alpn[0] = '\0';
  out->server_name[0] = '\0';
  size_t n =
      s->psk_identity_len < sizeof s->psk_identity ? s->psk_identity_len : sizeof s->psk_identity;
  out->psk_identity_len = n;
  memcpy(out->psk_identity, s->psk_identity, n);
  n = s->srp_user_len < sizeof s->srp_user ? s->srp_user_len : sizeof s->srp_user;
  out->srp_user_len = n;
  memcpy(out->srp_user, s->srp_user, n);
}

void tc_cached_session_wipe(tc_cached_session *s) {
  tc_wipe(s->master, sizeof s->master);
  /* What a look-up left empty (a resumption's strings, a session without
   * identities) has nothing to wipe: no calls for it. */
  if (s->psk_identity_len)
    tc_wipe(s->psk_identity, s->psk_identity_len);
  if (s->srp_user_len)
    tc_wipe(s->srp_user, s->srp_user_len);
  if (s->alpn[0])
    tc_wipe(s->alpn, strnlen(s->alpn, sizeof s->alpn));
  if (s->server_name[0])
    tc_wipe(s->server_name, strnlen(s->server_name, sizeof s->server_name));
  s->psk_identity_len = s->srp_user_len = 0;
}

/* Under c->lock: the live entry for id, moved to the front of the LRU
 * list, or NIL (an expired entry -- or one from the future, the clock
 * having gone back -- is dropped on the way). */
IN_LOOKUP size_t find_live(tc_session_cache *c, const uint8_t *id, size_t id_len,
                           int64_t now) {
  size_t i = find(c, id, id_len);
  if (i == NIL)
    return NIL;
  entry *x = &c->e[i];
  if (now < x->created || now - x->created >= (int64_t)c->lifetime) {
    drop(c, i);
    return NIL;
  }
  lru_unlink(c, i);
  lru_push(c, i);
  return i;
}

bool tc_session_cache_get(tc_session_cache *c, const uint8_t *id, size_t id_len, int64_t now,
                          tc_cached_session *out) {
  if (!c || id_len == 0 || id_len > 32)
    return false;
  pthread_mutex_lock(&c->lock);
  size_t i = find_live(c, id, id_len, now);
  if (i != NIL)
    copy_out(out, &c->e[i].s);
  pthread_mutex_unlock(&c->lock);
  return i != NIL;
}

bool tc_session_cache_resume(tc_session_cache *c, const uint8_t *id, size_t id_len, int64_t now,
                             const char *server_name, tc_cached_session *out, bool *same_name) {
  *same_name = false;
  if (!c || id_len == 0 || id_len > 32)
    return false;
  pthread_mutex_lock(&c->lock);
  size_t i = find_live(c, id, id_len, now);
  if (i != NIL) {
    const tc_cached_session *s = &c->e[i].s;
    copy_for_resume(out, s);
    /* put() stores what the caller gave: bound the compare by the
     * array, as copy_out bounds its copy. */
    const char *want = server_name ? server_name : "";
    size_t n = strnlen(s->server_name, sizeof s->server_name - 1);
    *same_name = strlen(want) == n && !memcmp(s->server_name, want, n);
  }
  pthread_mutex_unlock(&c->lock);
  return i != NIL;
}

void tc_session_cache_remove(tc_session_cache *c, const uint8_t *id, size_t id_len) {
  if (!c || id_len == 0 || id_len > 32)
    return;
  pthread_mutex_lock(&c->lock);
  size_t i = find(c, id, id_len);
  if (i != NIL)
    drop(c, i);
  pthread_mutex_unlock(&c->lock);
}

size_t tc_session_cache_count(tc_session_cache *c) {
  if (!c)
    return 0;
  pthread_mutex_lock(&c->lock);
  size_t n = c->used;
  pthread_mutex_unlock(&c->lock);
  return n;
}

void tc_session_cache_flush(tc_session_cache *c) {
  if (!c)
    return;
  pthread_mutex_lock(&c->lock);
  while (c->head != NIL)
    drop(c, c->head);
  pthread_mutex_unlock(&c->lock);
}

void tc_config_set_session_cache(tc_config *cfg, tc_session_cache *cache) {
  tc_session_cache_ref(cache);
  tc_session_cache_unref(cfg->session_cache);
  cfg->session_cache = cache;
}
