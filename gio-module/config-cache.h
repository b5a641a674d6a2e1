/* One tc_config shared by every connection with identical settings (config-cache.c). */
#ifndef TLSLITE_CONFIG_CACHE_H
#define TLSLITE_CONFIG_CACHE_H

#include <glib.h>
#include <gmodule.h>

#include "tlscore/config.h"

G_BEGIN_DECLS

/* Takes the caller's reference to `cfg`, fully set up and not yet used by
 * any connection, and returns a reference to the config to use: an equal
 * one already in the cache (then `cfg` is released), else `cfg` itself,
 * now in the cache. A shared config is never changed again: callers set
 * nothing on the returned config. */
tc_config *_tlslite_gio_config_share (tc_config *cfg);

/* Tests and benchmarks (exported for them, like the module's entry point):
 * the configs cached now, and how many connections
 * found an equal config (hits) or added one (misses) since the start. */
G_MODULE_EXPORT void _tlslite_gio_config_cache_stats (guint *entries, guint64 *hits, guint64 *misses);

/* Tests and benchmarks: forget every cached config (connections using
 * one keep their reference). */
G_MODULE_EXPORT void _tlslite_gio_config_cache_clear (void);

G_END_DECLS

#endif
