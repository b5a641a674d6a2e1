/* The config cache: connections with identical settings share one tc_config. */
#include "config-cache.h"

#include <string.h>

/* Why share: a tc_config is ~2 KiB plus a parsed-certificate cache, made and
 * freed per connection, and the engine's per-config state only pays off
 * when a config outlives a connection: its pool of freed connection state
 * (no 30 KiB of malloc, zeroing and wiping per handshake) and its cache of
 * parsed peer certificates (a client reconnecting to a server does not parse
 * its chain again; path, signatures, dates and names are still checked every
 * handshake).
 *
 * The key is tc_config_key_new of the finished config: every setting the
 * GIO layer put into it (role, versions, suites, groups, schemes,
 * certificates and keys, trust store, session cache, ALPN, tickets and their
 * keys, OCSP response, PSK and SRP settings, ...). So whatever changes
 * between two connections (a property, a TlsliteSettings object, the
 * environment, a ticket key file that rotated) gives a different key, with
 * no list of inputs here to keep in step with the code that applies them.
 *
 * Bounded: CACHE_SIZE configs, the least recently used one is dropped.
 * Each cached config may also pool up to 4 connections' idle buffers. */
#define CACHE_SIZE 8

typedef struct
{
  tc_config_key *key;   /* made before any connection used cfg */
  tc_config *cfg;
  guint64 used;
} Entry;

static GMutex cache_lock;
static Entry cache[CACHE_SIZE];
static guint64 cache_clock, cache_hits, cache_misses;

tc_config *
_tlslite_gio_config_share (tc_config *cfg)
{
  tc_config_key *key;
  Entry *victim = NULL;
  tc_config *found = NULL, *dropped = NULL;
  tc_config_key *dropped_key = NULL;
  guint i;

  if (!cfg || !(key = tc_config_key_new (cfg)))
    return cfg;

  g_mutex_lock (&cache_lock);
  for (i = 0; i < CACHE_SIZE; i++)
    {
      Entry *e = &cache[i];

      if (e->cfg && tc_config_key_equal (e->key, key))
        {
          found = tc_config_ref (e->cfg);
          e->used = ++cache_clock;
          break;
        }
      if (!victim || (victim->cfg && (!e->cfg || e->used < victim->used)))
        victim = e;
    }
  if (found)
    cache_hits++;
  else
    {
      cache_misses++;
      dropped = victim->cfg;
      dropped_key = victim->key;
      victim->cfg = tc_config_ref (cfg);
      victim->key = key;
      key = NULL;
      victim->used = ++cache_clock;
    }
  g_mutex_unlock (&cache_lock);

  /* Outside the lock: the last unref frees pooled connections. */
  tc_config_unref (dropped);
  tc_config_key_free (dropped_key);
  tc_config_key_free (key);
  if (found)
    {
      tc_config_unref (cfg);
      return found;
    }
  return cfg;
}

void
_tlslite_gio_config_cache_stats (guint *entries, guint64 *hits, guint64 *misses)
{
  guint i, n = 0;

  g_mutex_lock (&cache_lock);
  for (i = 0; i < CACHE_SIZE; i++)
    n += cache[i].cfg != NULL;
  if (entries)
    *entries = n;
  if (hits)
    *hits = cache_hits;
  if (misses)
    *misses = cache_misses;
  g_mutex_unlock (&cache_lock);
}

void
_tlslite_gio_config_cache_clear (void)
{
  Entry old[CACHE_SIZE];
  guint i;

  g_mutex_lock (&cache_lock);
  for (i = 0; i < CACHE_SIZE; i++)
    {
      old[i] = cache[i];
      memset (&cache[i], 0, sizeof cache[i]);
    }
  g_mutex_unlock (&cache_lock);
  for (i = 0; i < CACHE_SIZE; i++)
    {
      tc_config_unref (old[i].cfg);
      tc_config_key_free (old[i].key);
    }
}
