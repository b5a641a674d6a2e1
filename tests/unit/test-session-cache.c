/* Server session-ID cache (auth/session_cache.c): lookups among many entries and colliding
 * buckets, LRU eviction, expiry, removal, flush, bounds. */
#include <glib.h>
#include <string.h>

#include "auth/session_cache.h"

/* An id whose first `prefix` bytes are shared by every id of the test (so
 * they all land in one hash bucket) and whose tail encodes k. */
static void make_id(uint8_t id[32], unsigned k, size_t prefix) {
  memset(id, 0xa5, 32);
  for (size_t i = prefix; i < 32; i++)
    id[i] = (uint8_t)(k * 131 + i * 7 + (k >> 8));
  id[31] = (uint8_t)k;
  id[30] = (uint8_t)(k >> 8);
}

static tc_cached_session entry_for(unsigned k) {
  tc_cached_session s;
  memset(&s, 0, sizeof s);
  s.version = 0x0303;
  s.suite = (uint16_t)(0xC000 + k);
  memset(s.master, (int)(k & 0xff), sizeof s.master);
  s.ems = k & 1;
  g_snprintf(s.alpn, sizeof s.alpn, "p%u", k);
  return s;
}

static void check_entry(tc_session_cache *c, unsigned k, size_t prefix, int64_t now,
                        bool present) {
  uint8_t id[32];
  make_id(id, k, prefix);
  tc_cached_session out;
  memset(&out, 0, sizeof out);
  bool got = tc_session_cache_get(c, id, 32, now, &out);
  g_assert_cmpint(got, ==, present);
  if (present) {
    tc_cached_session want = entry_for(k);
    g_assert_cmpuint(out.suite, ==, want.suite);
    g_assert_cmpmem(out.master, sizeof out.master, want.master, sizeof want.master);
    g_assert_cmpint(out.ems, ==, want.ems);
    g_assert_cmpstr(out.alpn, ==, want.alpn);
  }
}

/* Fill to capacity with ids sharing `prefix` leading bytes; every one is
 * found with its own data, near-miss ids are not. */
static void fill_and_find(size_t prefix) {
  enum { N = 200 };
  tc_session_cache *c = tc_session_cache_new(N, 3600);
  g_assert_nonnull(c);
  for (unsigned k = 0; k < N; k++) {
    uint8_t id[32];
    make_id(id, k, prefix);
    tc_cached_session s = entry_for(k);
    tc_session_cache_put(c, id, 32, &s, 10);
  }
  g_assert_cmpuint(tc_session_cache_count(c), ==, N);
  for (unsigned k = 0; k < N; k++)
    check_entry(c, k, prefix, 11, true);
  /* Same bytes, other lengths, one bit off: misses. */
  uint8_t id[32];
  make_id(id, 7, prefix);
  tc_cached_session out;
  g_assert_false(tc_session_cache_get(c, id, 31, 11, &out));
  g_assert_false(tc_session_cache_get(c, id, 8, 11, &out));
  id[17] ^= 1;
  g_assert_false(tc_session_cache_get(c, id, 32, 11, &out));
  g_assert_cmpuint(tc_session_cache_count(c), ==, N);
  tc_session_cache_unref(c);
}

static void test_many(void) { fill_and_find(0); }

static void test_shared_prefix(void) {
  /* Ids identical in their first 8 and first 24 bytes: one bucket chain. */
  fill_and_find(8);
  fill_and_find(24);
}

static void test_short_ids(void) {
  tc_session_cache *c = tc_session_cache_new(300, 3600);
  tc_cached_session s = entry_for(1);
  uint8_t id[32] = {0};
  /* Every length 1..32 of the same bytes is a distinct key. */
  for (size_t len = 1; len <= 32; len++) {
    s.suite = (uint16_t)len;
    tc_session_cache_put(c, id, len, &s, 0);
  }
  g_assert_cmpuint(tc_session_cache_count(c), ==, 32);
  for (size_t len = 1; len <= 32; len++) {
    tc_cached_session out;
    g_assert_true(tc_session_cache_get(c, id, len, 1, &out));
    g_assert_cmpuint(out.suite, ==, len);
  }
  /* Out-of-range lengths are refused, not stored. */
  tc_session_cache_put(c, id, 0, &s, 0);
  uint8_t big[33] = {0};
  tc_session_cache_put(c, big, 33, &s, 0);
  g_assert_cmpuint(tc_session_cache_count(c), ==, 32);
  tc_cached_session out;
  g_assert_false(tc_session_cache_get(c, big, 33, 1, &out));
  g_assert_false(tc_session_cache_get(c, id, 0, 1, &out));
  tc_session_cache_unref(c);
}

/* A look-up copies every field, identity and string of the entry, whatever
 * its length (empty, short, the longest that fits), and
 * tc_cached_session_wipe clears what it copied. */
static void test_copy_and_wipe(void) {
  tc_session_cache *c = tc_session_cache_new(8, 3600);
  static const size_t lens[] = {0, 1, 17, 255};
  for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
    tc_cached_session s;
    memset(&s, 0, sizeof s);
    s.version = 0x0303;
    s.suite = 0xC02B;
    memset(s.master, 0x5a, sizeof s.master);
    s.ems = true;
    memset(s.alpn, 'a', lens[i]);
    memset(s.server_name, 'n', lens[i]);
    memset(s.psk_identity, 0xe1, lens[i]);
    s.psk_identity_len = lens[i];
    memset(s.srp_user, 'u', lens[i]);
    s.srp_user_len = lens[i];
    uint8_t id[32];
    make_id(id, (unsigned)i, 0);
    tc_session_cache_put(c, id, 32, &s, 0);
    tc_cached_session out;
    memset(&out, 0xff, sizeof out); /* stale bytes: the strings must end at their NUL */
    g_assert_true(tc_session_cache_get(c, id, 32, 1, &out));
    g_assert_cmphex(out.version, ==, s.version);
    g_assert_cmphex(out.suite, ==, s.suite);
    g_assert_cmpmem(out.master, sizeof out.master, s.master, sizeof s.master);
    g_assert_true(out.ems);
    g_assert_cmpstr(out.alpn, ==, s.alpn);
    g_assert_cmpstr(out.server_name, ==, s.server_name);
    g_assert_cmpmem(out.psk_identity, out.psk_identity_len, s.psk_identity, lens[i]);
    g_assert_cmpmem(out.srp_user, out.srp_user_len, s.srp_user, lens[i]);
    tc_cached_session_wipe(&out);
    static const uint8_t zero[48];
    g_assert_cmpmem(out.master, sizeof out.master, zero, sizeof zero);
    g_assert_cmpuint(out.psk_identity_len, ==, 0);
    g_assert_cmpuint(out.srp_user_len, ==, 0);
    g_assert_cmpstr(out.alpn, ==, "");
    g_assert_cmpstr(out.server_name, ==, "");
    for (size_t k = 0; k < lens[i]; k++) {
      g_assert_cmpuint(out.psk_identity[k], ==, 0);
      g_assert_cmpuint(out.srp_user[k], ==, 0);
    }
  }
  tc_session_cache_unref(c);
}

/* tc_session_cache_resume (the TLS 1.2 server's look-up) gives the
 * scalars, master secret and identities tc_session_cache_get gives, no
 * strings, and says whether the entry was made for the server name asked
 * about, as strcmp on tc_session_cache_get's copy would. */
static void test_resume_lookup(void) {
  static const char *names[] = {"", "host", "hos", "hostx", "HOST", NULL, NULL};
  char longest[256];
  memset(longest, 'n', 255);
  longest[255] = '\0';
  names[6] = longest;
  tc_session_cache *c = tc_session_cache_new(8, 3600);
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    if (!names[i])
      continue;
    tc_cached_session s;
    memset(&s, 0, sizeof s);
    s.version = 0x0303;
    s.suite = (uint16_t)(0xC02B + i);
    memset(s.master, (int)(0x30 + i), sizeof s.master);
    s.ems = i % 2;
    strcpy(s.alpn, "h2");
    strcpy(s.server_name, names[i]);
    memset(s.psk_identity, 0xe1, i * 40);
    s.psk_identity_len = i * 40;
    memset(s.srp_user, 'u', i);
    s.srp_user_len = i;
    uint8_t id[32];
    make_id(id, (unsigned)i, 0);
    tc_session_cache_put(c, id, 32, &s, 0);
    for (size_t j = 0; j < G_N_ELEMENTS(names); j++) {
      tc_cached_session a, b;
      memset(&b, 0xff, sizeof b);
      bool same = j % 2 == 0; /* overwritten by the look-up */
      g_assert_true(tc_session_cache_get(c, id, 32, 1, &a));
      g_assert_true(tc_session_cache_resume(c, id, 32, 1, names[j], &b, &same));
      g_assert_cmpint(same, ==, !strcmp(a.server_name, names[j] ? names[j] : ""));
      g_assert_cmpint(same, ==, (i == j || (i == 0 && j == 5)));
      g_assert_cmphex(b.version, ==, a.version);
      g_assert_cmphex(b.suite, ==, a.suite);
      g_assert_cmpmem(b.master, sizeof b.master, a.master, sizeof a.master);
      g_assert_cmpint(b.ems, ==, a.ems);
      g_assert_cmpmem(b.psk_identity, b.psk_identity_len, a.psk_identity, a.psk_identity_len);
      g_assert_cmpmem(b.srp_user, b.srp_user_len, a.srp_user, a.srp_user_len);
      g_assert_cmpstr(b.alpn, ==, "");
      g_assert_cmpstr(b.server_name, ==, "");
      tc_cached_session_wipe(&b);
      static const uint8_t zero[48];
      g_assert_cmpmem(b.master, sizeof b.master, zero, sizeof zero);
      for (size_t k = 0; k < i * 40; k++)
        g_assert_cmpuint(b.psk_identity[k], ==, 0);
      tc_cached_session_wipe(&a);
    }
  }
  /* not found, expired, bad ids: false, and not the same name */
  uint8_t id[32];
  make_id(id, 99, 0);
  tc_cached_session out;
  bool same = true;
  g_assert_false(tc_session_cache_resume(c, id, 32, 1, "host", &out, &same));
  g_assert_false(same);
  make_id(id, 1, 0);
  same = true;
  g_assert_false(tc_session_cache_resume(c, id, 32, 3600, "host", &out, &same));
  g_assert_false(same);
  g_assert_false(tc_session_cache_resume(c, id, 0, 1, "host", &out, &same));
  g_assert_false(tc_session_cache_resume(c, id, 33, 1, "host", &out, &same));
  g_assert_false(tc_session_cache_resume(NULL, id, 32, 1, "host", &out, &same));
  tc_session_cache_unref(c);
}

static void test_lru(void) {
  enum { N = 16 };
  tc_session_cache *c = tc_session_cache_new(N, 3600);
  for (unsigned k = 0; k < N; k++) {
    uint8_t id[32];
    make_id(id, k, 8);
    tc_cached_session s = entry_for(k);
    tc_session_cache_put(c, id, 32, &s, 0);
  }
  /* Touch 0: now 1 is the least recently used. */
  check_entry(c, 0, 8, 1, true);
  for (unsigned k = N; k < N + 3; k++) {
    uint8_t id[32];
    make_id(id, k, 8);
    tc_cached_session s = entry_for(k);
    tc_session_cache_put(c, id, 32, &s, 1);
  }
  g_assert_cmpuint(tc_session_cache_count(c), ==, N);
  check_entry(c, 0, 8, 2, true);
  for (unsigned k = 1; k <= 3; k++)
    check_entry(c, k, 8, 2, false);
  for (unsigned k = 4; k < N + 3; k++)
    check_entry(c, k, 8, 2, true);
  /* Replacing an id keeps one entry with the new data. */
  uint8_t id[32];
  make_id(id, 5, 8);
  tc_cached_session s = entry_for(77);
  tc_session_cache_put(c, id, 32, &s, 3);
  g_assert_cmpuint(tc_session_cache_count(c), ==, N);
  tc_cached_session out;
  g_assert_true(tc_session_cache_get(c, id, 32, 3, &out));
  g_assert_cmpuint(out.suite, ==, entry_for(77).suite);
  tc_session_cache_unref(c);
}

static void test_expiry_remove_flush(void) {
  tc_session_cache *c = tc_session_cache_new(8, 100);
  for (unsigned k = 0; k < 4; k++) {
    uint8_t id[32];
    make_id(id, k, 0);
    tc_cached_session s = entry_for(k);
    tc_session_cache_put(c, id, 32, &s, 1000 + k);
  }
  check_entry(c, 0, 0, 1099, true);
  /* Lifetime reached: gone, and dropped from the table. */
  check_entry(c, 0, 0, 1100, false);
  g_assert_cmpuint(tc_session_cache_count(c), ==, 3);
  /* A clock before creation does not revive or keep it. */
  check_entry(c, 1, 0, 999, false);
  g_assert_cmpuint(tc_session_cache_count(c), ==, 2);
  uint8_t id[32];
  make_id(id, 2, 0);
  tc_session_cache_remove(c, id, 32);
  check_entry(c, 2, 0, 1050, false);
  check_entry(c, 3, 0, 1050, true);
  g_assert_cmpuint(tc_session_cache_count(c), ==, 1);
  tc_session_cache_flush(c);
  g_assert_cmpuint(tc_session_cache_count(c), ==, 0);
  check_entry(c, 3, 0, 1050, false);
  /* Reusable after a flush. */
  tc_cached_session s = entry_for(9);
  make_id(id, 9, 0);
  tc_session_cache_put(c, id, 32, &s, 1050);
  check_entry(c, 9, 0, 1051, true);
  tc_session_cache_unref(c);
}

static void test_bounds(void) {
  g_assert_null(tc_session_cache_new(0, 10));
  g_assert_null(tc_session_cache_new(10, 0));
  g_assert_null(tc_session_cache_new((1u << 24) + 1, 10));
  tc_cached_session out;
  uint8_t id[32] = {1};
  g_assert_false(tc_session_cache_get(NULL, id, 32, 0, &out));
  g_assert_cmpuint(tc_session_cache_count(NULL), ==, 0);
  /* One entry: every put evicts the previous one. */
  tc_session_cache *c = tc_session_cache_new(1, 10);
  for (unsigned k = 0; k < 5; k++) {
    uint8_t kid[32];
    make_id(kid, k, 0);
    tc_cached_session s = entry_for(k);
    tc_session_cache_put(c, kid, 32, &s, 0);
    g_assert_cmpuint(tc_session_cache_count(c), ==, 1);
    check_entry(c, k, 0, 1, true);
    if (k)
      check_entry(c, k - 1, 0, 1, false);
  }
  tc_session_cache_unref(c);
}

/* Several threads storing, looking up and removing at once (ASan/UBSan in
 * CI; also clean under -Db_sanitize=thread when run by hand). Every hit must
 * carry the data stored under its id; the table never exceeds its bound. */
enum { T_THREADS = 4, T_ROUNDS = 20000, T_MAX = 64, T_IDS = 256 };

typedef struct {
  tc_session_cache *c;
  unsigned seed;
  unsigned hits, bad;
} worker;

static gpointer work(gpointer data) {
  worker *w = data;
  unsigned x = w->seed;
  for (unsigned r = 0; r < T_ROUNDS; r++) {
    x = x * 1103515245u + 12345u;
    unsigned k = (x >> 8) % T_IDS, op = (x >> 20) % 8;
    uint8_t id[32];
    make_id(id, k, 4);
    if (op < 3) {
      tc_cached_session s = entry_for(k);
      tc_session_cache_put(w->c, id, 32, &s, 100);
    } else if (op < 7) {
      tc_cached_session out;
      if (tc_session_cache_get(w->c, id, 32, 101, &out)) {
        tc_cached_session want = entry_for(k);
        w->hits++;
        if (out.suite != want.suite || memcmp(out.master, want.master, sizeof out.master) ||
            strcmp(out.alpn, want.alpn))
          w->bad++;
      }
    } else {
      tc_session_cache_remove(w->c, id, 32);
    }
    if (tc_session_cache_count(w->c) > T_MAX)
      w->bad++;
  }
  return NULL;
}

static void test_threads(void) {
  tc_session_cache *c = tc_session_cache_new(T_MAX, 3600);
  worker w[T_THREADS];
  GThread *th[T_THREADS];
  for (unsigned i = 0; i < T_THREADS; i++) {
    w[i] = (worker){c, 7919u * (i + 1), 0, 0};
    th[i] = g_thread_new("cache", work, &w[i]);
  }
  unsigned hits = 0;
  for (unsigned i = 0; i < T_THREADS; i++) {
    g_thread_join(th[i]);
    g_assert_cmpuint(w[i].bad, ==, 0);
    hits += w[i].hits;
  }
  /* The mix keeps the table about full: lookups do hit. */
  g_assert_cmpuint(hits, >, T_ROUNDS / 10);
  g_assert_cmpuint(tc_session_cache_count(c), <=, T_MAX);
  /* Still consistent afterwards: every id is either absent or right. */
  unsigned present = 0;
  for (unsigned k = 0; k < T_IDS; k++) {
    uint8_t id[32];
    make_id(id, k, 4);
    tc_cached_session out;
    if (tc_session_cache_get(c, id, 32, 102, &out)) {
      present++;
      g_assert_cmpuint(out.suite, ==, entry_for(k).suite);
    }
  }
  g_assert_cmpuint(present, ==, tc_session_cache_count(c));
  tc_session_cache_unref(c);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/session-cache/many", test_many);
  g_test_add_func("/session-cache/shared-prefix", test_shared_prefix);
  g_test_add_func("/session-cache/id-lengths", test_short_ids);
  g_test_add_func("/session-cache/lru", test_lru);
  g_test_add_func("/session-cache/copy-and-wipe", test_copy_and_wipe);
  g_test_add_func("/session-cache/resume-lookup", test_resume_lookup);
  g_test_add_func("/session-cache/expiry-remove-flush", test_expiry_remove_flush);
  g_test_add_func("/session-cache/bounds", test_bounds);
  g_test_add_func("/session-cache/threads", test_threads);
  return g_test_run();
}
