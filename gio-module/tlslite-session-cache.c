/* TlsliteSessionCache (TLS Lite's SessionCache): a GObject around tlscore's session-ID cache, and the process-wide default. */
#include <glib/gi18n-lib.h>

#include "tlscore/config.h"
#include "session-cache-private.h"

#define DEFAULT_MAX_ENTRIES 1024
#define DEFAULT_LIFETIME 3600

struct _TlsliteSessionCache
{
  GObject parent_instance;
  guint max_entries;
  guint lifetime;
  tc_session_cache *cache;   /* thread-safe itself */
};

enum
{
  PROP_0,
  PROP_MAX_ENTRIES,
  PROP_LIFETIME,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (TlsliteSessionCache, tlslite_session_cache, G_TYPE_OBJECT)

static void
tlslite_session_cache_constructed (GObject *object)
{
  TlsliteSessionCache *self = TLSLITE_SESSION_CACHE (object);

  G_OBJECT_CLASS (tlslite_session_cache_parent_class)->constructed (object);
  /* NULL with max-entries 0 (a cache that keeps nothing) or when out of memory: then the
   * server sends no session ID and TLS 1.2 clients do full handshakes. */
  self->cache = tc_session_cache_new (self->max_entries, self->lifetime);
}

static void
tlslite_session_cache_finalize (GObject *object)
{
  TlsliteSessionCache *self = TLSLITE_SESSION_CACHE (object);

  g_clear_pointer (&self->cache, tc_session_cache_unref);
  G_OBJECT_CLASS (tlslite_session_cache_parent_class)->finalize (object);
}

static void
tlslite_session_cache_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  TlsliteSessionCache *self = TLSLITE_SESSION_CACHE (object);

  switch (prop_id)
    {
    case PROP_MAX_ENTRIES:
      g_value_set_uint (value, self->max_entries);
      break;
    case PROP_LIFETIME:
      g_value_set_uint (value, self->lifetime);
      break;
    case PROP_COUNT:
      g_value_set_uint (value, tlslite_session_cache_get_count (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_session_cache_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  TlsliteSessionCache *self = TLSLITE_SESSION_CACHE (object);

  switch (prop_id)
    {
    case PROP_MAX_ENTRIES:
      self->max_entries = g_value_get_uint (value);
      break;
    case PROP_LIFETIME:
      self->lifetime = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tlslite_session_cache_init (TlsliteSessionCache *self)
{
}

static void
tlslite_session_cache_class_init (TlsliteSessionCacheClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->constructed = tlslite_session_cache_constructed;
  gobject_class->finalize = tlslite_session_cache_finalize;
  gobject_class->get_property = tlslite_session_cache_get_property;
  gobject_class->set_property = tlslite_session_cache_set_property;

  /**
   * TlsliteSessionCache:max-entries:
   *
   * How many sessions the cache holds; the least recently used goes first.
   * 0 keeps none: servers using the cache issue no session IDs, so
   * TLS 1.2 clients resume only by ticket.
   */
  props[PROP_MAX_ENTRIES] =
    g_param_spec_uint ("max-entries", "Maximum entries", "Sessions kept at most",
                       0, 1u << 24, DEFAULT_MAX_ENTRIES,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TlsliteSessionCache:lifetime:
   *
   * Seconds a session can be resumed after its full handshake.
   */
  props[PROP_LIFETIME] =
    g_param_spec_uint ("lifetime", "Lifetime", "Seconds a session stays resumable",
                       1, 7 * 24 * 3600, DEFAULT_LIFETIME,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TlsliteSessionCache:count:
   *
   * Sessions currently held (expired ones included until they are looked
   * up or pushed out).
   */
  props[PROP_COUNT] =
    g_param_spec_uint ("count", "Count", "Sessions held now", 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (gobject_class, N_PROPS, props);
}

/**
 * tlslite_session_cache_new:
 * @max_entries: sessions kept at most; 0 keeps none (no resumption by
 *   session ID)
 * @lifetime: seconds a session stays resumable (at least 1)
 *
 * A server-side session-ID cache (RFC 5246 resumption, TLS 1.2 and older)
 * to share between server connections through their "session-cache"
 * property. Bounded (least recently used first out), expiring, and safe to
 * use from several threads. TLS 1.3 resumes with tickets, not this cache.
 *
 * Returns: (transfer full): a new cache
 */
TlsliteSessionCache *
tlslite_session_cache_new (guint max_entries, guint lifetime)
{
  return g_object_new (TLSLITE_TYPE_SESSION_CACHE, "max-entries", max_entries, "lifetime",
                       lifetime, NULL);
}

static gpointer
make_default (gpointer data)
{
  return tlslite_session_cache_new (DEFAULT_MAX_ENTRIES, DEFAULT_LIFETIME);
}

/**
 * tlslite_session_cache_get_default:
 *
 * The process-wide cache every server connection uses unless its
 * "session-cache" property names another (1024 sessions, one hour), so
 * TLS 1.2 clients resuming by session ID resume against any GIO server of
 * the process, as with glib-networking.
 *
 * Returns: (transfer none): the default cache; it lives as long as the
 *   process
 */
TlsliteSessionCache *
tlslite_session_cache_get_default (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, make_default, NULL);
}

/**
 * tlslite_session_cache_get_max_entries:
 * @cache: a cache
 *
 * Returns: how many sessions @cache keeps at most
 */
guint
tlslite_session_cache_get_max_entries (TlsliteSessionCache *cache)
{
  g_return_val_if_fail (TLSLITE_IS_SESSION_CACHE (cache), 0);
  return cache->max_entries;
}

/**
 * tlslite_session_cache_get_lifetime:
 * @cache: a cache
 *
 * Returns: the seconds a session in @cache stays resumable
 */
guint
tlslite_session_cache_get_lifetime (TlsliteSessionCache *cache)
{
  g_return_val_if_fail (TLSLITE_IS_SESSION_CACHE (cache), 0);
  return cache->lifetime;
}

/**
 * tlslite_session_cache_get_count:
 * @cache: a cache
 *
 * Returns: the number of sessions @cache holds now
 */
guint
tlslite_session_cache_get_count (TlsliteSessionCache *cache)
{
  g_return_val_if_fail (TLSLITE_IS_SESSION_CACHE (cache), 0);
  return cache->cache ? (guint) MIN (tc_session_cache_count (cache->cache), G_MAXUINT) : 0;
}

/**
 * tlslite_session_cache_flush:
 * @cache: a cache
 *
 * Forgets every session (after a key compromise, say): the next handshake
 * of each client is a full one.
 */
void
tlslite_session_cache_flush (TlsliteSessionCache *cache)
{
  g_return_if_fail (TLSLITE_IS_SESSION_CACHE (cache));
  if (cache->cache)
    tc_session_cache_flush (cache->cache);
}

tc_session_cache *
_tlslite_gio_session_cache_get_tc (TlsliteSessionCache *cache)
{
  return cache->cache;
}
