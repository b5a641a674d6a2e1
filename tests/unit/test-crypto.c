/* Unit tests for tlscore/crypto: known-answer vectors from the RFCs and NIST, round trips, rejections. */
#include "tlscore/tag.h"
#include <errno.h>
#include <glib.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/crypto_internal.h"
#include <nettle/bignum.h>
#include <nettle/nettle-meta.h>
#include <nettle/rsa.h>
#include "crypto/ffdhe_groups.h"
#include "handshake/keysched.h"
#include "engine/config_internal.h"
#include "pump.h"
#include "tlscore/conn.h"

#include "test-crypto-vectors.h"

static const uint8_t test_msg[] = "tlscore crypto test message";
#define TEST_MSG_LEN (sizeof test_msg - 1)

/* ---- helpers ---- */

static uint8_t *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  g_assert_cmpuint(n % 2, ==, 0);
  uint8_t *out = g_malloc(n / 2 + 1);
  for (size_t i = 0; i < n / 2; i++) {
    int hi = g_ascii_xdigit_value(hex[2 * i]);
    int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
    g_assert_true(hi >= 0 && lo >= 0);
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  if (len != NULL)
    *len = n / 2;
  return out;
}

static void assert_hex(const uint8_t *got, size_t len, const char *want) {
  char *hex = g_malloc(2 * len + 1);
  for (size_t i = 0; i < len; i++)
    g_snprintf(hex + 2 * i, 3, "%02x", got[i]);
  g_assert_cmpstr(hex, ==, want);
  g_free(hex);
}

/* A scripted random source: hands out `data` in order, then fails. */
typedef struct {
  const uint8_t *data;
  size_t len, pos;
  unsigned calls;
} script_rng;

static int script_fn(void *ctx, uint8_t *out, size_t len) {
  script_rng *s = ctx;
  s->calls++;
  if (s->len - s->pos < len)
    return -1;
  memcpy(out, s->data + s->pos, len);
  s->pos += len;
  return 0;
}

static int failing_fn(void *ctx, uint8_t *out, size_t len) {
  (void)ctx;
  memset(out, 0, len);
  return -1;
}

/* ---- memory hygiene and randomness ---- */

static void test_util(void) {
  uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];
  memcpy(b, a, 8);
  g_assert_true(tc_ct_equal(a, b, 8));
  b[7] ^= 0x80;
  g_assert_false(tc_ct_equal(a, b, 8));
  g_assert_true(tc_ct_equal(a, b, 0));
  /* Word-wise with a byte tail: every length to 67, one flipped bit at
   * every position, on unaligned pointers too. */
  uint8_t x[72], y[72];
  for (size_t i = 0; i < sizeof x; i++)
    x[i] = (uint8_t)(i * 37 + 11);
  for (size_t off = 0; off < 2; off++)
    for (size_t n = 0; n + off <= 68; n++) {
      memcpy(y, x, sizeof x);
      g_assert_true(tc_ct_equal(x + off, y + off, n));
      for (size_t k = 0; k < n; k++) {
        y[off + k] ^= (uint8_t)(1u << (k % 8));
        g_assert_false(tc_ct_equal(x + off, y + off, n));
        y[off + k] = x[off + k];
      }
      /* a difference just past the compared bytes does not count */
      y[off + n] ^= 1;
      g_assert_true(tc_ct_equal(x + off, y + off, n));
    }
  g_assert_cmphex(tc_ct_mask_eq(5, 5), ==, 0xffffffffu);
  g_assert_cmphex(tc_ct_mask_eq(5, 4), ==, 0);
  g_assert_cmphex(tc_ct_mask_eq(0, 0x80000000u), ==, 0);
  tc_wipe(a, sizeof a);
  for (size_t i = 0; i < 8; i++)
    g_assert_cmpuint(a[i], ==, 0);
}

static void test_random(void) {
  uint8_t x[32], y[32];
  g_assert_cmpint(tc_random(NULL, x, sizeof x), ==, 0);
  g_assert_cmpint(tc_random(NULL, y, sizeof y), ==, 0);
  g_assert_false(memcmp(x, y, sizeof x) == 0);

  const uint8_t data[4] = {9, 8, 7, 6};
  script_rng s = {data, sizeof data, 0, 0};
  tc_rng rng = {script_fn, &s};
  g_assert_cmpint(tc_random(&rng, x, 3), ==, 0);
  g_assert_cmpmem(x, 3, data, 3);
  g_assert_cmpint(tc_random(&rng, x, 2), ==, -1);

  tc_rng bad = {failing_fn, NULL};
  g_assert_cmpint(tc_random(&bad, x, 1), ==, -1);
  tc_rng system = {NULL, NULL};
  uint8_t big[1000];
  g_assert_cmpint(tc_random(&system, big, sizeof big), ==, 0);
}

/* ---- the generator (tc_drbg) ---- */

/* A generator shared by the tests below, as a program shares one between its
 * configurations (tc_config_set_rng_source); made in main(). */
static tc_drbg *dflt_drbg;

/* Byte frequencies of a long draw stay within ~7 standard deviations of
 * uniform: catches a stuck, zeroed or badly truncated keystream. */
static void assert_uniformish(const uint8_t *p, size_t len) {
  unsigned counts[256] = {0};
  for (size_t i = 0; i < len; i++)
    counts[p[i]]++;
  /* The variance of a count is about want, so 7 sd squared is 49 * want. */
  double want = (double)len / 256, worst = 0;
  for (unsigned v = 0; v < 256; v++)
    worst = MAX(worst, (counts[v] - want) * (counts[v] - want));
  g_assert_cmpfloat(worst, <, 49 * want);
}

static void test_drbg_basic(void) {
  tc_drbg *a = tc_drbg_new(), *b = tc_drbg_new();
  g_assert_nonnull(a);
  g_assert_nonnull(b);
  /* Debian 12's kernel has MADV_WIPEONFORK: the fast path must be on. */
  g_assert_true(tc_drbg_fork_safe(a));
  g_assert_true(tc_drbg_fork_safe(dflt_drbg));
  g_assert_cmpuint(tc_drbg_reseeds(a), ==, 0);

  uint8_t x[32], y[32];
  g_assert_cmpint(tc_drbg_generate(a, x, sizeof x), ==, 0);
  g_assert_cmpint(tc_drbg_generate(b, y, sizeof y), ==, 0);
  g_assert_false(memcmp(x, y, sizeof x) == 0);
  g_assert_cmpuint(tc_drbg_reseeds(a), ==, 1);
  g_assert_cmpint(tc_drbg_generate(a, y, sizeof y), ==, 0);
  g_assert_false(memcmp(x, y, sizeof x) == 0);
  g_assert_cmpint(tc_drbg_generate(a, x, 0), ==, 0);

  /* Many small draws of every size around the buffer and the large-draw
   * threshold: the concatenation looks uniform and no 16-byte window of one
   * generator's stream repeats in a later one. */
  size_t total = 0, cap = 200000;
  uint8_t *stream = g_malloc(cap + 512);
  for (size_t i = 0; total < cap; i++) {
    size_t n = 1 + (i * 37) % 97; /* 1..97, crosses 64 (one-time key path) */
    g_assert_cmpint(tc_drbg_generate(a, stream + total, n), ==, 0);
    total += n;
  }
  assert_uniformish(stream, total);
  GHashTable *seen = g_hash_table_new(g_bytes_hash, g_bytes_equal);
  for (size_t off = 0; off + 16 <= total; off += 16) {
    GBytes *w = g_bytes_new_static(stream + off, 16);
    g_assert_false(g_hash_table_contains(seen, w));
    g_hash_table_add(seen, w);
  }
  g_hash_table_destroy(seen);
  g_free(stream);

  /* Large draws: one MiB + 3 bytes in one call, halves differ, uniform. */
  size_t big = (1u << 20) + 3;
  uint8_t *p = g_malloc(big);
  g_assert_cmpint(tc_drbg_generate(b, p, big), ==, 0);
  assert_uniformish(p, big);
  g_assert_false(memcmp(p, p + big / 2, big / 2) == 0);
  g_free(p);

  /* tc_random without a caller rng reads the kernel (tlscore keeps no
   * process-wide generator). */
  uint64_t before = tc_drbg_reseeds(dflt_drbg);
  tc_rng none = {NULL, NULL};
  g_assert_cmpint(tc_random(&none, x, sizeof x), ==, 0);
  g_assert_cmpint(tc_random(NULL, y, sizeof y), ==, 0);
  g_assert_false(memcmp(x, y, sizeof x) == 0);
  g_assert_cmpuint(tc_drbg_reseeds(dflt_drbg), ==, before);
  /* A reference keeps a shared generator alive. */
  tc_drbg *again = tc_drbg_ref(a);
  tc_drbg_free(a);
  g_assert_cmpint(tc_drbg_generate(again, x, sizeof x), ==, 0);
  a = again;

  tc_drbg_free(a);
  tc_drbg_free(b);
  tc_drbg_free(NULL);
}

static void test_drbg_reseed(void) {
  /* By volume: the draw that crosses the bound is served, the next reseeds. */
  tc_drbg *d = tc_drbg_new();
  uint8_t *p = g_malloc(TC_DRBG_RESEED_BYTES);
  g_assert_cmpint(tc_drbg_generate(d, p, 16), ==, 0);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 1);
  g_assert_cmpint(tc_drbg_generate(d, p, TC_DRBG_RESEED_BYTES - 17), ==, 0);
  g_assert_cmpint(tc_drbg_generate(d, p, 1), ==, 0);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 1); /* exactly at the bound now */
  g_assert_cmpint(tc_drbg_generate(d, p, 1), ==, 0);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 2);
  g_free(p);
  tc_drbg_free(d);

  /* By request count. */
  d = tc_drbg_new();
  uint8_t b;
  for (uint64_t i = 0; i < TC_DRBG_RESEED_REQUESTS; i++)
    g_assert_cmpint(tc_drbg_generate(d, &b, 1), ==, 0);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 1);
  g_assert_cmpint(tc_drbg_generate(d, &b, 1), ==, 0);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 2);
  tc_drbg_free(d);
}

static void write_all(int fd, const void *p, size_t len) {
  const uint8_t *q = p;
  while (len > 0) {
    ssize_t n = write(fd, q, len);
    if (n <= 0) {
      if (n < 0 && errno == EINTR)
        continue;
      _exit(3);
    }
    q += n;
    len -= (size_t)n;
  }
}

static void read_all(int fd, void *p, size_t len) {
  uint8_t *q = p;
  while (len > 0) {
    ssize_t n = read(fd, q, len);
    if (n < 0 && errno == EINTR)
      continue;
    g_assert_cmpint(n, >, 0);
    q += n;
    len -= (size_t)n;
  }
}

static void assert_child_ok(pid_t pid) {
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

typedef struct {
  uint8_t own[32], dflt[32];
  uint64_t own_reseeds, dflt_reseeds;
} fork_report;

static void test_drbg_fork(void) {
  tc_drbg *d = tc_drbg_new();
  uint8_t x[32];
  /* Both generators seeded and with buffered output before the fork. */
  g_assert_cmpint(tc_drbg_generate(d, x, sizeof x), ==, 0);
  g_assert_cmpint(tc_drbg_generate(dflt_drbg, x, sizeof x), ==, 0);
  uint64_t dflt_reseeds = tc_drbg_reseeds(dflt_drbg);

  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    close(fds[0]);
    fork_report r;
    memset(&r, 0, sizeof r);
    if (tc_drbg_generate(d, r.own, 32) != 0 || tc_drbg_generate(dflt_drbg, r.dflt, 32) != 0)
      _exit(2);
    r.own_reseeds = tc_drbg_reseeds(d);
    r.dflt_reseeds = tc_drbg_reseeds(dflt_drbg);
    write_all(fds[1], &r, sizeof r);
    _exit(0);
  }
  close(fds[1]);
  fork_report mine, child;
  g_assert_cmpint(tc_drbg_generate(d, mine.own, 32), ==, 0);
  g_assert_cmpint(tc_drbg_generate(dflt_drbg, mine.dflt, 32), ==, 0);
  read_all(fds[0], &child, sizeof child);
  close(fds[0]);
  assert_child_ok(pid);
  /* Without the wiped page, the child would have served the parent's next bytes. */
  g_assert_false(memcmp(mine.own, child.own, 32) == 0);
  g_assert_false(memcmp(mine.dflt, child.dflt, 32) == 0);
  g_assert_cmpuint(child.own_reseeds, ==, 1);  /* counter restarted, then one seeding */
  g_assert_cmpuint(child.dflt_reseeds, ==, 1);
  g_assert_cmpuint(tc_drbg_reseeds(d), ==, 1); /* the parent did not reseed */
  g_assert_cmpuint(tc_drbg_reseeds(dflt_drbg), ==, dflt_reseeds);
  tc_drbg_free(d);
}

/* In a child: make getrandom fail with EIO (seccomp), then check that every
 * draw that needs the kernel fails and a handshake on the config's own source fails
 * with TC_ERR_RANDOM. Exit codes name the first check that went wrong. */
static int getrandom_fails_child(void) {
  tc_drbg *seeded = tc_drbg_new();
  uint8_t x[32];
  if (tc_drbg_generate(seeded, x, 1) != 0) /* seeded while the kernel still answers */
    return 10;
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getrandom, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EIO & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
    return 11;
  uint8_t probe;
  if (getrandom(&probe, 1, 0) != -1 || errno != EIO)
    return 12;

  /* A fresh generator cannot seed, nor can tc_random(NULL). */
  tc_drbg *fresh = tc_drbg_new();
  if (tc_drbg_generate(fresh, x, 32) != -1 || tc_drbg_generate(fresh, x, 1000) != -1)
    return 13;
  if (tc_random(NULL, x, 32) != -1)
    return 14;
  /* A seeded one keeps serving until its bound, then fails. */
  if (tc_drbg_generate(seeded, x, 32) != 0)
    return 15;
  for (uint64_t i = 1; i < TC_DRBG_RESEED_REQUESTS - 1; i++)
    if (tc_drbg_generate(seeded, x, 1) != 0)
      return 16;
  if (tc_drbg_generate(seeded, x, 1) != -1)
    return 17;
  tc_drbg_free(fresh);
  tc_drbg_free(seeded);

  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (!c)
    return 18;
  size_t n;
  tc_conn_output(c, &n);
  if (!(tc_conn_status(c) & TC_S_FAILED) || tc_conn_error(c)->code != TC_ERR_RANDOM)
    return 19;
  tc_conn_free(c);
  tc_config_unref(cfg);
  return 0;
}

static void test_drbg_getrandom_fails(void) {
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0)
    _exit(getrandom_fails_child());
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) == 11) {
    g_test_skip("this sandbox does not let a process install a seccomp filter");
    return;
  }
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

#define DRBG_THREADS 4
#define DRBG_DRAWS 20000

typedef struct {
  tc_drbg *d;
  uint64_t firsts[DRBG_DRAWS]; /* first 8 bytes of each draw */
  int failures;
} drbg_worker;

static gpointer drbg_thread(gpointer data) {
  drbg_worker *w = data;
  uint8_t buf[300];
  for (unsigned i = 0; i < DRBG_DRAWS; i++) {
    size_t n = 8 + (i * 53) % 280; /* small and one-time-key draws */
    tc_drbg *d = (i % 4 == 3) ? dflt_drbg : w->d;
    if (tc_drbg_generate(d, buf, n) != 0)
      w->failures++;
    memcpy(&w->firsts[i], buf, 8);
  }
  return NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void test_drbg_threads(void) {
  tc_drbg *d = tc_drbg_new();
  drbg_worker *w = g_new0(drbg_worker, DRBG_THREADS);
  GThread *t[DRBG_THREADS];
  for (int i = 0; i < DRBG_THREADS; i++) {
    w[i].d = d;
    t[i] = g_thread_new("drbg", drbg_thread, &w[i]);
  }
  for (int i = 0; i < DRBG_THREADS; i++)
    g_thread_join(t[i]);
  /* No two draws anywhere served the same bytes (a 64-bit collision among
   * 80000 honest draws has probability ~2^-34). */
  uint64_t *all = g_new(uint64_t, DRBG_THREADS * DRBG_DRAWS);
  for (int i = 0; i < DRBG_THREADS; i++) {
    g_assert_cmpint(w[i].failures, ==, 0);
    memcpy(all + i * DRBG_DRAWS, w[i].firsts, sizeof w[i].firsts);
  }
  qsort(all, DRBG_THREADS * DRBG_DRAWS, sizeof *all, cmp_u64);
  for (size_t i = 1; i < DRBG_THREADS * DRBG_DRAWS; i++)
    g_assert_cmpuint(all[i], !=, all[i - 1]);
  g_free(all);
  g_free(w);
  /* Each seeding served at least the byte bound and at most one more draw
   * (60000 requests: the request bound plays no part). */
  uint64_t bytes = 0;
  for (unsigned i = 0; i < DRBG_DRAWS; i++)
    if (i % 4 != 3)
      bytes += DRBG_THREADS * (8 + (i * 53) % 280);
  g_assert_cmpuint(tc_drbg_reseeds(d), <=, bytes / TC_DRBG_RESEED_BYTES + 1);
  g_assert_cmpuint(tc_drbg_reseeds(d), >=, bytes / (TC_DRBG_RESEED_BYTES + 288));
  tc_drbg_free(d);
}

/* A caller rng that serves `budget` draws from the kernel, then fails. */
typedef struct {
  unsigned budget, calls;
} budget_rng;

static int budget_fn(void *ctx, uint8_t *out, size_t len) {
  budget_rng *b = ctx;
  if (b->calls++ >= b->budget)
    return -1;
  return tc_random(NULL, out, len);
}

/* Each config draws from its own generator; tc_config_set_rng_source makes
 * several share one (and keeps it alive); set_rng(NULL) goes back to the
 * config's own (the shared one then goes away with its last holder, which
 * ASan/valgrind runs check). Observed through the shared generator's seeding
 * count: seeded once, on the first draw of either config. */
static void test_config_rng_source(void) {
  tc_rng_source *src = tc_rng_source_new();
  g_assert_nonnull(src);
  tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
  tc_trust_store *t = pump_load_trust("ca-bundle.pem");
  tc_config_set_trust_store(ccfg, t);
  tc_trust_store_unref(t);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(scfg, "server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_config_set_rng_source(ccfg, src);
  tc_config_set_rng_source(scfg, src);
  tc_rng_source_unref(src); /* the configs hold it now */
  tc_error err;
  tc_error_clear(&err);
  for (int round = 0; round < 2; round++) {
    uint64_t before = tc_drbg_reseeds(src);
    tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
    g_assert_nonnull(c);
    g_assert_nonnull(s);
    g_assert_cmpint(tc_conn_set_server_name(c, "server.example.com"), ==, TC_OK);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    tc_conn_free(c);
    tc_conn_free(s);
    if (round == 0)
      g_assert_cmpuint(tc_drbg_reseeds(src), ==, before + 1); /* seeded on first use */
    else
      g_assert_cmpuint(tc_drbg_reseeds(src), ==, before); /* the same stream went on */
    /* Neither config ever made a generator of its own. */
    g_assert_true(atomic_load(&ccfg->drbg) == src);
    g_assert_true(atomic_load(&scfg->drbg) == src);
    if (round == 1) {
      /* A caller rng and back: the shared source again. Dropping the
       * source: an own generator, made on the next draw. */
      tc_config_set_rng(ccfg, pump_rng_fn, NULL);
      tc_config_set_rng(ccfg, NULL, NULL);
      tc_config_set_rng_source(scfg, NULL);
      g_assert_true(atomic_load(&ccfg->drbg) == src);
      g_assert_null(atomic_load(&scfg->drbg));
    }
  }
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  g_assert_cmpint(tc_conn_set_server_name(c, "server.example.com"), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  tc_conn_free(c);
  tc_conn_free(s);
  g_assert_true(atomic_load(&ccfg->drbg) == src);
  tc_drbg *own = atomic_load(&scfg->drbg);
  g_assert_nonnull(own);
  g_assert_true(own != src);
  g_assert_cmpuint(tc_drbg_reseeds(own), ==, 1);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* A config's own generator is made on its first draw, once, even when
 * threads race for it (the loser's is freed: LeakSanitizer checks in CI). */
typedef struct {
  tc_config *cfg;
  atomic_int *go; /* atomics, not GMutex: ThreadSanitizer sees these */
  uint8_t out[32];
  int rc;
} lazy_draw;

static gpointer lazy_draw_thread(gpointer data) {
  lazy_draw *d = data;
  while (!atomic_load(d->go))
    g_thread_yield();
  d->rc = tc_random(&d->cfg->rng, d->out, sizeof d->out);
  return NULL;
}

static void test_config_rng_lazy(void) {
  /* No draw, no generator. */
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  g_assert_null(atomic_load(&cfg->drbg));
  tc_config_unref(cfg);
  for (int round = 0; round < 20; round++) {
    enum { N = 6 };
    cfg = tc_config_new(TC_ROLE_CLIENT);
    atomic_int go;
    atomic_init(&go, 0);
    lazy_draw d[N];
    GThread *th[N];
    for (int i = 0; i < N; i++) {
      d[i] = (lazy_draw){cfg, &go, {0}, -1};
      th[i] = g_thread_new("draw", lazy_draw_thread, &d[i]);
    }
    atomic_store(&go, 1);
    for (int i = 0; i < N; i++)
      g_thread_join(th[i]);
    tc_drbg *own = atomic_load(&cfg->drbg);
    g_assert_nonnull(own);
    g_assert_cmpuint(tc_drbg_reseeds(own), ==, 1); /* one generator, seeded once */
    for (int i = 0; i < N; i++) {
      g_assert_cmpint(d[i].rc, ==, 0);
      for (int j = 0; j < i; j++)
        g_assert_false(memcmp(d[i].out, d[j].out, sizeof d[i].out) == 0);
    }
    tc_config_unref(cfg);
  }
}

/* With the caller's rng failing at its k-th draw, for every k, the side that
 * owns it fails until k exceeds the draws a handshake needs; no draw failure
 * ever yields a completed handshake, and none is retried. */
static void failing_rng_handshakes(bool server_side, uint16_t max_version, const char *cert,
                                   const char *key) {
  unsigned k;
  for (k = 0; k < 40; k++) {
    budget_rng b = {k, 0};
    tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
    tc_trust_store *t = pump_load_trust("ca-bundle.pem");
    tc_config_set_trust_store(ccfg, t);
    tc_trust_store_unref(t);
    tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
    pump_add_chain(scfg, cert, key);
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_config_set_versions(scfg, TC_TLS12, max_version, &err), ==, TC_OK);
    tc_config_set_rng(server_side ? scfg : ccfg, budget_fn, &b);
    tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
    g_assert_nonnull(c);
    g_assert_nonnull(s);
    g_assert_cmpint(tc_conn_set_server_name(c, "server.example.com"), ==, TC_OK);
    int r = pump_handshake(c, s);
    tc_conn *mine = server_side ? s : c;
    bool done = r == TC_OK;
    if (!done) {
      g_assert_cmpint(r, ==, TC_FAIL);
      g_assert_true(tc_conn_status(mine) & TC_S_FAILED);
      /* A failed plain draw says so; key generation and signing report
       * their own failure as internal_error. */
      tc_err code = tc_conn_error(mine)->code;
      g_assert_true(code == TC_ERR_RANDOM || code == TC_ERR_INTERNAL_ERROR);
      if (k == 0)
        g_assert_cmpint(code, ==, TC_ERR_RANDOM); /* the hello random comes first */
      g_assert_cmpuint(b.calls, ==, k + 1); /* stopped at the failed draw */
    } else {
      g_assert_cmpuint(tc_conn_version(c), ==, max_version);
      g_assert_cmpuint(b.calls, <=, k);
    }
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
    if (done)
      break;
  }
  g_assert_cmpuint(k, >=, 2); /* at least randoms and a key share were drawn */
  g_assert_cmpuint(k, <, 40);
}

static void test_failing_rng_handshake(void) {
  failing_rng_handshakes(false, TC_TLS13, "server-ecdsa.pem", "server-ecdsa-key.pem");
  failing_rng_handshakes(true, TC_TLS13, "server-ecdsa.pem", "server-ecdsa-key.pem");
  failing_rng_handshakes(false, TC_TLS12, "server-ecdsa.pem", "server-ecdsa-key.pem");
  failing_rng_handshakes(true, TC_TLS12, "server-rsa.pem", "server-rsa-key.pem");
}

/* ---- hashes, HMAC, KDFs ---- */

static void test_hash(void) {
  static const struct {
    tc_hash_alg alg;
    const char *abc;
  } v[] = {
      {TC_HASH_MD5, "900150983cd24fb0d6963f7d28e17f72"},
      {TC_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {TC_HASH_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
      {TC_HASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {TC_HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                       "8086072ba1e7cc2358baeca134c825a7"},
      {TC_HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
      {TC_HASH_MD5_SHA1, "900150983cd24fb0d6963f7d28e17f72"
                         "a9993e364706816aba3e25717850c26c9cd0d89d"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
    uint8_t out[TC_HASH_MAX_LEN], out2[TC_HASH_MAX_LEN];
    size_t hl = tc_hash_len(v[i].alg);
    g_assert_cmpuint(hl * 2, ==, strlen(v[i].abc));
    tc_hash(v[i].alg, (const uint8_t *)"abc", 3, out);
    assert_hex(out, hl, v[i].abc);

    /* incremental, and a copied context keeps a running transcript */
    tc_hash_ctx ctx, copy;
    tc_hash_init(&ctx, v[i].alg);
    tc_hash_update(&ctx, (const uint8_t *)"a", 1);
    copy = ctx;
    tc_hash_update(&ctx, (const uint8_t *)"bc", 2);
    tc_hash_final(&ctx, out2);
    assert_hex(out2, hl, v[i].abc);
    tc_hash_update(&copy, (const uint8_t *)"bc", 2);
    tc_hash_final(&copy, out2);
    assert_hex(out2, hl, v[i].abc);
  }
  g_assert_cmpuint(tc_hash_len(TC_HASH_NONE), ==, 0);
  g_assert_cmpuint(tc_hash_block_len(TC_HASH_SHA384), ==, 128);
  g_assert_cmpuint(tc_hash_block_len(TC_HASH_SHA256), ==, 64);
}

static void test_hmac(void) {
  /* RFC 4231 test cases 1, 2 and 6 */
  uint8_t key1[20], key6[131], out[64];
  memset(key1, 0x0b, sizeof key1);
  memset(key6, 0xaa, sizeof key6);
  const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";

  tc_hmac(TC_HASH_SHA256, key1, 20, (const uint8_t *)"Hi There", 8, out);
  assert_hex(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  tc_hmac(TC_HASH_SHA512, key1, 20, (const uint8_t *)"Hi There", 8, out);
  assert_hex(out, 64, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  tc_hmac(TC_HASH_SHA256, (const uint8_t *)"Jefe", 4,
          (const uint8_t *)"what do ya want for nothing?", 28, out);
  assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  tc_hmac(TC_HASH_SHA256, key6, sizeof key6, (const uint8_t *)big, strlen(big), out);
  assert_hex(out, 32, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  tc_hmac(TC_HASH_SHA512, key6, sizeof key6, (const uint8_t *)big, strlen(big), out);
  assert_hex(out, 64, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");

  /* streaming gives the same answer */
  tc_hmac_ctx ctx;
  tc_hmac_init(&ctx, TC_HASH_SHA256, (const uint8_t *)"Jefe", 4);
  tc_hmac_update(&ctx, (const uint8_t *)"what do ya want ", 16);
  tc_hmac_update(&ctx, (const uint8_t *)"for nothing?", 12);
  tc_hmac_final(&ctx, out);
  assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  /* tc_hmac_final leaves no keyed state behind (SHA-512: the largest
   * nettle context in use): both hash states all zero. */
  static const uint8_t zero[sizeof ctx.inner.state];
  memset(&ctx, 0x5a, sizeof ctx);
  tc_hmac_init(&ctx, TC_HASH_SHA512, key6, sizeof key6);
  tc_hmac_update(&ctx, (const uint8_t *)big, strlen(big));
  tc_hmac_final(&ctx, out);
  g_assert_cmpmem(ctx.inner.state, sizeof ctx.inner.state, zero, sizeof zero);
  g_assert_cmpmem(ctx.outer.state, sizeof ctx.outer.state, zero, sizeof zero);
  g_assert_cmpint(ctx.alg, ==, TC_HASH_NONE);
}

static void test_hkdf(void) {
  /* RFC 5869 A.1-A.3 */
  static const struct {
    const char *ikm, *salt, *info, *prk, *okm;
  } v[] = {
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
       "f0f1f2f3f4f5f6f7f8f9",
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
       "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
       "404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
       "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
       "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
       "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
       "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
       "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
       "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
    size_t ikm_len, salt_len, info_len;
    uint8_t *ikm = unhex(v[i].ikm, &ikm_len);
    uint8_t *salt = unhex(v[i].salt, &salt_len);
    uint8_t *info = unhex(v[i].info, &info_len);
    uint8_t prk[32], okm[82];
    size_t okm_len = strlen(v[i].okm) / 2;
    tc_hkdf_extract(TC_HASH_SHA256, salt_len ? salt : NULL, salt_len, ikm, ikm_len, prk);
    assert_hex(prk, 32, v[i].prk);
    g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, prk, 32, info, info_len, okm, okm_len), ==, 0);
    assert_hex(okm, okm_len, v[i].okm);
    g_free(ikm);
    g_free(salt);
    g_free(info);
  }
  uint8_t prk[32] = {0}, big[8161];
  g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, prk, 32, NULL, 0, big, 255 * 32), ==, 0);
  g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, prk, 32, NULL, 0, big, 255 * 32 + 1), ==, -1);
}

static void test_expand_label(void) {
  /* RFC 8448 §3: early secret with no PSK, then Derive-Secret(., "derived", "") */
  uint8_t zeros[32] = {0}, early[32], empty_hash[32], derived[32];
  tc_hkdf_extract(TC_HASH_SHA256, zeros, 32, zeros, 32, early);
  assert_hex(early, 32, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
  tc_hash(TC_HASH_SHA256, NULL, 0, empty_hash);
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA256, early, 32, "derived", empty_hash, 32,
                                       derived, 32), ==, 0);
  assert_hex(derived, 32, "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");

  char long_label[260];
  memset(long_label, 'a', sizeof long_label - 1);
  long_label[sizeof long_label - 1] = 0;
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA256, early, 32, long_label, NULL, 0, derived,
                                       32), ==, -1);
  long_label[249] = 0; /* 6 + 249 = 255: the largest label allowed */
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA256, early, 32, long_label, NULL, 0, derived,
                                       32), ==, 0);
}

/* One keyed HMAC state serves several labels: the same bytes as keying
 * per label (RFC 8448 §3 server handshake traffic key and iv), for SHA-256
 * and SHA-384, and the state is left usable. */
static void test_expand_label_keyed(void) {
  uint8_t s_hs[32], key[16], iv[12], key2[16], iv2[12];
  size_t n;
  uint8_t *secret = unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", &n);
  g_assert_cmpuint(n, ==, 32);
  memcpy(s_hs, secret, 32);
  g_free(secret);
  tc_hmac_ctx base;
  tc_hmac_init(&base, TC_HASH_SHA256, s_hs, 32);
  g_assert_cmpint(tc_hkdf_expand_label_keyed(&base, "key", NULL, 0, key, 16), ==, 0);
  g_assert_cmpint(tc_hkdf_expand_label_keyed(&base, "iv", NULL, 0, iv, 12), ==, 0);
  assert_hex(key, 16, "3fce516009c21727d0f2e4e86ee403bc");
  assert_hex(iv, 12, "5d313eb2671276ee13000b30");
  /* The label order does not matter: the state is not consumed. */
  g_assert_cmpint(tc_hkdf_expand_label_keyed(&base, "iv", NULL, 0, iv2, 12), ==, 0);
  g_assert_cmpmem(iv2, 12, iv, 12);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_hs, 16, key2, iv2), ==, 0);
  g_assert_cmpmem(key2, 16, key, 16);
  g_assert_cmpmem(iv2, 12, iv, 12);

  uint8_t s384[48], k384[32], i384[12], want_k[32], want_i[12];
  for (size_t i = 0; i < sizeof s384; i++)
    s384[i] = (uint8_t)(i * 7 + 1);
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA384, s384, 48, "key", NULL, 0, want_k, 32), ==, 0);
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA384, s384, 48, "iv", NULL, 0, want_i, 12), ==, 0);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA384, s384, 32, k384, i384), ==, 0);
  g_assert_cmpmem(k384, 32, want_k, 32);
  g_assert_cmpmem(i384, 12, want_i, 12);
  /* No HMAC over the TLS 1.0 combined hash. */
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_MD5_SHA1, s384, 16, k384, i384), ==, -1);
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_MD5_SHA1, s384, 36, "key", NULL, 0, k384, 16), ==, -1);
}

static void test_prf(void) {
  /* The widely published TLS 1.2 PRF (SHA-256) vector */
  size_t sl, seedl;
  uint8_t *secret = unhex("9bbe436ba940f017b17652849a71db35", &sl);
  uint8_t *seed = unhex("a0ba9f936cda311827a6f796ffd5198c", &seedl);
  uint8_t out[104];
  g_assert_cmpint(tc_prf_tls(TC_HASH_SHA256, secret, sl, "test label", seed, seedl, out, 100), ==, 0);
  assert_hex(out, 100, "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                       "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                       "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                       "87347b66");
  g_free(secret);
  g_free(seed);

  /* TLS 1.0/1.1 PRF and SHA-384 PRF, cross-checked with an independent
   * Python implementation of RFC 2246 §5 / RFC 5246 §5 */
  uint8_t sec48[48], sec47[47], seed64[64], seed100[64];
  for (int i = 0; i < 48; i++)
    sec48[i] = (uint8_t)i;
  for (int i = 0; i < 47; i++)
    sec47[i] = (uint8_t)i;
  for (int i = 0; i < 64; i++) {
    seed64[i] = (uint8_t)i;
    seed100[i] = (uint8_t)(100 + i);
  }
  g_assert_cmpint(tc_prf_tls(TC_HASH_MD5_SHA1, sec48, 48, "master secret", seed100, 64, out, 48),
                  ==, 0);
  assert_hex(out, 48, "fb1618751056ceb62e4ddb170ea8f4a5b2c99024798ceee10ee10b6f2f0d78ba"
                      "3a80453f30052265edea9f8d8f5d2303");
  g_assert_cmpint(tc_prf_tls(TC_HASH_MD5_SHA1, sec47, 47, "key expansion", seed64, 64, out, 104),
                  ==, 0);
  assert_hex(out, 104, "e4048404af9a97029bf505d7a466e2b7e327d87faa87368bb74a9bc379ec3ef3"
                       "72a5c295162de7d5010d4c1893f17328936833a9dcef495138f7b649aedb4f7a"
                       "5e622558093270112b34fcee023c30552634ff9b32cd743e65e06723509d8949"
                       "bc63d10baf0416aa");
  g_assert_cmpint(tc_prf_tls(TC_HASH_SHA384, sec48, 48, "master secret", seed64, 64, out, 48),
                  ==, 0);
  assert_hex(out, 48, "c3e5ef7d93496e7ae5d17c26eec119de636b637b6bfc8634c61f384921e594ed"
                      "89a57cff6f23beccc8af5d02d2e8ea2a");
}

static void test_prf_ssl3(void) {
  /* cross-checked with an independent Python implementation of the SSL 3.0
   * key derivation (RFC 6101 §6.1, §6.2.2) */
  uint8_t secret[48], seed[64], out[26 * 16 + 1];
  for (int i = 0; i < 48; i++)
    secret[i] = (uint8_t)i;
  for (int i = 0; i < 64; i++)
    seed[i] = (uint8_t)i;
  g_assert_cmpint(tc_prf_ssl3(secret, 48, seed, 64, out, 104), ==, 0);
  assert_hex(out, 104, "01d1d75f0d5c013df9d72c40becf3098f06f9e025f281b0c4e5c7cd55efa47c8"
                       "05ceb01ec6d07308968ce1aace0c627584b663bbec9397c9a4a30d1b85e3a570"
                       "8823cae580cfcb869d1d7aaaa2ec46f45f7fd4efe98f16bde270ca20ff8b892b"
                       "6d680d16d3c5d32c");
  g_assert_cmpint(tc_prf_ssl3(secret, 48, seed, 64, out, 26 * 16), ==, 0);
  g_assert_cmpint(tc_prf_ssl3(secret, 48, seed, 64, out, 26 * 16 + 1), ==, -1);
}

static void test_pbkdf2(void) {
  /* RFC 6070 (HMAC-SHA1) and the common SHA-256 vectors */
  uint8_t out[32];
  const uint8_t *pw = (const uint8_t *)"password", *salt = (const uint8_t *)"salt";
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA1, pw, 8, salt, 4, 1, out, 20), ==, 0);
  assert_hex(out, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA1, pw, 8, salt, 4, 2, out, 20), ==, 0);
  assert_hex(out, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA1, pw, 8, salt, 4, 4096, out, 20), ==, 0);
  assert_hex(out, 20, "4b007901b765489abead49d926f721d065a429c1");
  const char *pw2 = "passwordPASSWORDpassword", *salt2 = "saltSALTsaltSALTsaltSALTsaltSALTsalt";
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA1, (const uint8_t *)pw2, strlen(pw2),
                            (const uint8_t *)salt2, strlen(salt2), 4096, out, 25), ==, 0);
  assert_hex(out, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA1, (const uint8_t *)"pass\0word", 9,
                            (const uint8_t *)"sa\0lt", 5, 4096, out, 16), ==, 0);
  assert_hex(out, 16, "56fa6aa75548099dcc37d7f03425e0c3");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA256, pw, 8, salt, 4, 1, out, 32), ==, 0);
  assert_hex(out, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA256, pw, 8, salt, 4, 4096, out, 32), ==, 0);
  assert_hex(out, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  g_assert_cmpint(tc_pbkdf2(TC_HASH_SHA256, pw, 8, salt, 4, 0, out, 32), ==, -1);
}

/* ---- AEAD ---- */

static void aead_case(tc_aead_alg alg, const char *key_hex, const char *nonce_hex,
                      const char *aad_hex, const char *pt_hex, const char *ct_hex,
                      const char *tag_hex) {
  size_t kl, nl, al, pl, cl;
  uint8_t *key = unhex(key_hex, &kl), *nonce = unhex(nonce_hex, &nl), *aad = unhex(aad_hex, &al);
  uint8_t *pt = unhex(pt_hex, &pl), *ct = unhex(ct_hex, &cl);
  uint8_t tag[16];
  size_t tl = tc_aead_tag_len(alg);
  g_assert_cmpuint(nl, ==, 12);
  g_assert_cmpuint(pl, ==, cl);
  g_assert_cmpuint(strlen(tag_hex), ==, 2 * tl);
  /* bytes past an 8-byte tag are left alone */
  memset(tag, 0xa5, sizeof tag);

  tc_aead *a = g_new0(tc_aead, 1);
  g_assert_cmpint(tc_aead_init(a, alg, key, kl - 1), ==, -1);
  g_assert_cmpint(tc_aead_init(a, alg, key, kl), ==, 0);
  uint8_t *buf = g_memdup2(pt, pl + 1);
  tc_aead_seal(a, nonce, aad, al, buf, pl, tag);
  g_assert_cmpmem(buf, pl, ct, cl);
  assert_hex(tag, tl, tag_hex);
  for (size_t i = tl; i < sizeof tag; i++)
    g_assert_cmpuint(tag[i], ==, 0xa5);

  /* open in place, twice with the same context (the key schedule is reused) */
  for (int round = 0; round < 2; round++) {
    memcpy(buf, ct, cl);
    g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, 0);
    g_assert_cmpmem(buf, pl, pt, pl);
  }
  /* any flipped bit in tag, ciphertext or aad fails */
  for (size_t i = 0; i < tl; i += tl - 1) {
    tag[i] ^= 1;
    memcpy(buf, ct, cl);
    g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, -1);
    tag[i] ^= 1;
  }
  if (cl > 0) {
    memcpy(buf, ct, cl);
    buf[cl / 2] ^= 0x40;
    g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, -1);
  }
  if (al > 0) {
    aad[0] ^= 0x01;
    memcpy(buf, ct, cl);
    g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, -1);
    aad[0] ^= 0x01;
  }
  nonce[11] ^= 1;
  memcpy(buf, ct, cl);
  g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, -1);

  tc_aead_clear(a);
  g_assert_cmpint(tc_aead_open(a, nonce, aad, al, buf, cl, tag), ==, -1);
  g_free(a);
  g_free(buf);
  g_free(key);
  g_free(nonce);
  g_free(aad);
  g_free(pt);
  g_free(ct);
}

static void test_aead_gcm(void) {
  /* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 2, 4, 16 */
  aead_case(TC_AEAD_AES128_GCM, "00000000000000000000000000000000", "000000000000000000000000",
            "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
            "ab6e47d42cec13bdf53a67b21257bddf");
  const char *pt = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                   "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
  aead_case(TC_AEAD_AES128_GCM, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2", pt,
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
            "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47");
  aead_case(TC_AEAD_AES256_GCM,
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2", pt,
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            "76fc6ece0f4e1768cddf8853bb2d551b");
  /* empty plaintext: tag only */
  aead_case(TC_AEAD_AES128_GCM, "00000000000000000000000000000000", "000000000000000000000000",
            "", "", "", "58e2fccefa7e3061367f1d57a4e7455a");
}

static void test_aead_ccm(void) {
  /* NIST SP 800-38C appendix C, example 3 (12-byte nonce, 8-byte tag) */
  const char *pt = "202122232425262728292a2b2c2d2e2f3031323334353637";
  const char *aad = "000102030405060708090a0b0c0d0e0f10111213";
  const char *nonce = "101112131415161718191a1b";
  aead_case(TC_AEAD_AES128_CCM_8, "404142434445464748494a4b4c4d4e4f", nonce, aad, pt,
            "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5", "484392fbc1b09951");
  /* the same inputs with a 16-byte tag and AES-256, and an empty message:
   * values from python3-cryptography 38 (AESCCM) */
  aead_case(TC_AEAD_AES256_CCM,
            "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f", nonce, aad, pt,
            "04f883aeb3bd0730eaf50bb6de4fa2212034e4e41b0e75e5",
            "9bba3f3a107f3239bd63902923f80371");
  aead_case(TC_AEAD_AES256_CCM_8,
            "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f", nonce, aad, pt,
            "04f883aeb3bd0730eaf50bb6de4fa2212034e4e41b0e75e5", "2b48c8766f7e7649");
  aead_case(TC_AEAD_AES128_CCM, "404142434445464748494a4b4c4d4e4f", nonce, "", "", "",
            "538f76630f36a98a2f502d9b23d86343");
  g_assert_cmpuint(tc_aead_tag_len(TC_AEAD_AES128_CCM), ==, 16);
  g_assert_cmpuint(tc_aead_tag_len(TC_AEAD_AES128_CCM_8), ==, 8);
  g_assert_cmpuint(tc_aead_key_len(TC_AEAD_AES256_CCM_8), ==, 32);
}

static void test_aead_chacha(void) {
  /* RFC 8439 §2.8.2 */
  const char *msg = "Ladies and Gentlemen of the class of '99: If I could offer you only one "
                    "tip for the future, sunscreen would be it.";
  char *pt_hex = g_malloc(2 * strlen(msg) + 1);
  for (size_t i = 0; i < strlen(msg); i++)
    g_snprintf(pt_hex + 2 * i, 3, "%02x", (uint8_t)msg[i]);
  aead_case(TC_AEAD_CHACHA20_POLY1305,
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
            "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7", pt_hex,
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
            "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            "3ff4def08e4b7a9de576d26586cec64b6116",
            "1ae10b594f09e26a7e902ecbd0600691");
  g_free(pt_hex);
}

/* ---- CBC and RC4 ---- */

static void cipher_case(tc_cipher_alg alg, const char *key_hex, const char *iv_hex,
                        const char *pt_hex, const char *ct_hex) {
  size_t kl, il, pl, cl;
  uint8_t *key = unhex(key_hex, &kl), *iv = unhex(iv_hex, &il);
  uint8_t *pt = unhex(pt_hex, &pl), *ct = unhex(ct_hex, &cl);
  size_t bl = tc_cipher_block_len(alg);
  tc_cipher c;
  uint8_t *buf = g_memdup2(pt, pl);

  g_assert_cmpuint(tc_cipher_key_len(alg), ==, kl);
  g_assert_cmpint(tc_cipher_init(&c, alg, true, key, kl + 1, iv), ==, -1);
  /* encrypt in two calls: the chaining IV carries over */
  g_assert_cmpint(tc_cipher_init(&c, alg, true, key, kl, il ? iv : NULL), ==, 0);
  size_t first = bl > 1 ? bl : 5;
  tc_cipher_update(&c, buf, first);
  tc_cipher_update(&c, buf + first, pl - first);
  g_assert_cmpmem(buf, pl, ct, cl);
  tc_cipher_clear(&c);

  g_assert_cmpint(tc_cipher_init(&c, alg, false, key, kl, il ? iv : NULL), ==, 0);
  tc_cipher_update(&c, buf, pl - first);
  tc_cipher_update(&c, buf + pl - first, first);
  g_assert_cmpmem(buf, pl, pt, pl);

  if (bl > 1) {
    /* explicit IV (TLS 1.1+): set_iv restarts the chain */
    memcpy(buf, ct + bl, pl - bl);
    tc_cipher_set_iv(&c, ct);
    tc_cipher_update(&c, buf, pl - bl);
    g_assert_cmpmem(buf, pl - bl, pt + bl, pl - bl);
  }
  tc_cipher_clear(&c);
  g_free(buf);
  g_free(key);
  g_free(iv);
  g_free(pt);
  g_free(ct);
}

static void test_cipher(void) {
  /* NIST SP 800-38A F.2.1 and F.2.5 */
  const char *pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                   "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
  cipher_case(TC_CIPHER_AES128_CBC, "2b7e151628aed2a6abf7158809cf4f3c",
              "000102030405060708090a0b0c0d0e0f", pt,
              "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
              "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
  cipher_case(TC_CIPHER_AES256_CBC,
              "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
              "000102030405060708090a0b0c0d0e0f", pt,
              "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
              "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
  /* 3DES-EDE-CBC and RC4-128, cross-checked with python3-cryptography */
  cipher_case(TC_CIPHER_3DES_CBC, "0102030405060708090a0b0c0d0e0f101112131415161718",
              "0001020304050607",
              "3031323334353637383961626364656630313233343536373839414243444546",
              "d57bdd231f26c9a13db8c1f04f760477d52655a0045cc69b4b85f712560a059d");
  cipher_case(TC_CIPHER_RC4_128, "000102030405060708090a0b0c0d0e0f", "",
              "506c61696e746578742c206d6f726520706c61696e746578742c20616e64206d6f7265",
              "b9f0219029967cb472f7b7ab61af4f6fa31de0369cc32796fbb285b89753c36f34482e");
  g_assert_cmpuint(tc_cipher_block_len(TC_CIPHER_RC4_128), ==, 1);
}

/* Builds content || HMAC || padding(pad+1 bytes of value pad). */
static size_t make_cbc_record(tc_hash_alg alg, const uint8_t *key, const uint8_t seq[8],
                              size_t content_len, size_t pad, uint8_t *rec) {
  size_t ml = tc_hash_len(alg);
  uint8_t hdr[13];
  for (size_t i = 0; i < content_len; i++)
    rec[i] = (uint8_t)(i * 13 + 5);
  memcpy(hdr, seq, 8);
  hdr[8] = 23;
  hdr[9] = 3;
  hdr[10] = 3;
  hdr[11] = (uint8_t)(content_len >> 8);
  hdr[12] = (uint8_t)content_len;
  tc_hmac_ctx h;
  tc_hmac_init(&h, alg, key, 20);
  tc_hmac_update(&h, hdr, 13);
  tc_hmac_update(&h, rec, content_len);
  tc_hmac_final(&h, rec + content_len);
  memset(rec + content_len + ml, (int)pad, pad + 1);
  return content_len + ml + pad + 1;
}

static void test_cbc_record(void) {
  static const tc_hash_alg algs[] = {TC_HASH_SHA1, TC_HASH_SHA256, TC_HASH_SHA384};
  uint8_t key[20], seq[8] = {0, 0, 0, 0, 0, 0, 0, 7};
  memset(key, 0x42, sizeof key);
  uint8_t *rec = g_malloc(2048);
  for (size_t a = 0; a < G_N_ELEMENTS(algs); a++) {
    tc_hash_alg alg = algs[a];
    size_t ml = tc_hash_len(alg);
    static const size_t contents[] = {0, 1, 15, 55, 56, 64, 100, 1000};
    static const size_t pads[] = {0, 1, 7, 15, 128, 255};
    for (size_t c = 0; c < G_N_ELEMENTS(contents); c++) {
      for (size_t p = 0; p < G_N_ELEMENTS(pads); p++) {
        size_t cl, len = make_cbc_record(alg, key, seq, contents[c], pads[p], rec);
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, 0);
        g_assert_cmpuint(cl, ==, contents[c]);
        /* wrong sequence number, type or version: MAC fails */
        uint8_t seq2[8] = {0, 0, 0, 0, 0, 0, 0, 8};
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq2, 23, 0x0303, rec, len, &cl), ==, -1);
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 22, 0x0303, rec, len, &cl), ==, -1);
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0302, rec, len, &cl), ==, -1);
        /* a flipped MAC bit */
        rec[contents[c] + ml / 2] ^= 0x01;
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, -1);
        rec[contents[c] + ml / 2] ^= 0x01;
        if (pads[p] > 0) {
          /* one wrong padding byte */
          rec[len - 2] ^= 0x10;
          g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, -1);
          rec[len - 2] ^= 0x10;
        }
        if (contents[c] > 0) {
          /* a flipped content bit */
          rec[0] ^= 0x80;
          g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, -1);
          rec[0] ^= 0x80;
        }
        /* a padding count longer than the record */
        if (contents[c] + pads[p] < 200) {
          uint8_t save = rec[len - 1];
          rec[len - 1] = (uint8_t)(contents[c] + pads[p] + 1);
          g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, -1);
          rec[len - 1] = save;
        }
        g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, len, &cl), ==, 0);
      }
    }
    /* too short to hold a MAC and the padding length */
    size_t cl;
    g_assert_cmpint(tc_cbc_record_check(alg, key, 20, seq, 23, 0x0303, rec, ml, &cl), ==, -1);
  }

  /* tc_hmac_ct equals tc_hmac for every length */
  uint8_t data[300], m1[64], m2[64];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)i;
  for (size_t l = 0; l <= 300; l += 37) {
    tc_hmac_ct(TC_HASH_SHA256, key, 20, seq, 8, data, l, 300, m1);
    tc_hmac_ctx h;
    tc_hmac_init(&h, TC_HASH_SHA256, key, 20);
    tc_hmac_update(&h, seq, 8);
    tc_hmac_update(&h, data, l);
    tc_hmac_final(&h, m2);
    g_assert_cmpmem(m1, 32, m2, 32);
  }
  g_free(rec);
}

/* ---- key exchange ---- */

/* Key exchange calls with buffers of the documented maximum size (the
 * lengths are in = capacity, out = length). */
static int kgen(tc_kex *k, uint16_t group, const tc_rng *rng, uint8_t *pub, size_t *len) {
  *len = TC_KEX_MAX_PUB_LEN;
  return tc_kex_generate(k, group, rng, pub, len);
}

static int kgen_from(tc_kex *k, uint16_t group, const uint8_t *priv, size_t priv_len,
                     uint8_t *pub, size_t *len) {
  *len = TC_KEX_MAX_PUB_LEN;
  return tc_kex_generate_from(k, group, priv, priv_len, pub, len);
}

static int kderive(tc_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                   size_t *len) {
  *len = TC_KEX_MAX_SECRET_LEN;
  return tc_kex_derive(k, peer, peer_len, secret, len);
}

static void test_x25519(void) {
  /* RFC 7748 §6.1 */
  size_t l;
  uint8_t *a_priv = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", &l);
  uint8_t *b_priv = unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", &l);
  uint8_t a_pub[TC_KEX_MAX_PUB_LEN], b_pub[TC_KEX_MAX_PUB_LEN], s1[TC_KEX_MAX_SECRET_LEN], s2[TC_KEX_MAX_SECRET_LEN];
  size_t a_len, b_len, s1_len, s2_len;
  tc_kex a, b;

  g_assert_true(tc_kex_supported(TC_GROUP_X25519));
  g_assert_cmpuint(tc_kex_pub_len(TC_GROUP_X25519), ==, 32);
  g_assert_cmpint(kgen_from(&a, TC_GROUP_X25519, a_priv, 32, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen_from(&b, TC_GROUP_X25519, b_priv, 32, b_pub, &b_len), ==, 0);
  assert_hex(a_pub, a_len, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  assert_hex(b_pub, b_len, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  g_assert_cmpint(kderive(&a, b_pub, b_len, s1, &s1_len), ==, 0);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &s2_len), ==, 0);
  assert_hex(s1, s1_len, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  g_assert_cmpmem(s1, s1_len, s2, s2_len);

  /* small-order points give an all-zero secret, which is refused */
  uint8_t zero[32] = {0}, one[32] = {1};
  g_assert_cmpint(kderive(&a, zero, 32, s1, &s1_len), ==, -1);
  g_assert_cmpint(kderive(&a, one, 32, s1, &s1_len), ==, -1);
  g_assert_cmpint(kderive(&a, b_pub, 31, s1, &s1_len), ==, -1);
  g_assert_cmpint(kderive(&a, b_pub, 33, s1, &s1_len), ==, -1);
  tc_kex_clear(&a);
  tc_kex_clear(&b);

  /* random keys agree */
  g_assert_cmpint(kgen(&a, TC_GROUP_X25519, NULL, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen(&b, TC_GROUP_X25519, NULL, b_pub, &b_len), ==, 0);
  g_assert_cmpint(kderive(&a, b_pub, b_len, s1, &s1_len), ==, 0);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &s2_len), ==, 0);
  g_assert_cmpmem(s1, s1_len, s2, s2_len);
  tc_kex_clear(&a);
  tc_kex_clear(&b);
  /* a failing rng fails generation */
  tc_rng bad = {failing_fn, NULL};
  g_assert_cmpint(kgen(&a, TC_GROUP_X25519, &bad, a_pub, &a_len), ==, -1);
  g_free(a_priv);
  g_free(b_priv);
}

static void test_x448(void) {
  /* RFC 7748 §6.2 */
  size_t l;
  uint8_t *a_priv = unhex("9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28d"
                          "d9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b", &l);
  uint8_t *b_priv = unhex("1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d"
                          "6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d", &l);
  uint8_t a_pub[TC_KEX_MAX_PUB_LEN], b_pub[TC_KEX_MAX_PUB_LEN], s[TC_KEX_MAX_SECRET_LEN];
  size_t a_len, b_len, s_len;
  tc_kex a, b;
  g_assert_cmpint(kgen_from(&a, TC_GROUP_X448, a_priv, 56, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen_from(&b, TC_GROUP_X448, b_priv, 56, b_pub, &b_len), ==, 0);
  assert_hex(a_pub, a_len, "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c"
                           "22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0");
  assert_hex(b_pub, b_len, "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b430"
                           "27d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609");
  g_assert_cmpint(kderive(&a, b_pub, b_len, s, &s_len), ==, 0);
  assert_hex(s, s_len, "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
                       "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d");
  g_assert_cmpint(kderive(&b, a_pub, a_len, s, &s_len), ==, 0);
  assert_hex(s, s_len, "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
                       "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d");
  uint8_t zero[56] = {0};
  g_assert_cmpint(kderive(&a, zero, 56, s, &s_len), ==, -1);
  tc_kex_clear(&a);
  tc_kex_clear(&b);
  g_free(a_priv);
  g_free(b_priv);
}

static void ecdh_case(uint16_t group, const uint8_t *a_priv, const uint8_t *a_pub_want,
                      const uint8_t *b_priv, const uint8_t *b_pub_want, const uint8_t *shared,
                      size_t fl) {
  uint8_t a_pub[TC_KEX_MAX_PUB_LEN], b_pub[TC_KEX_MAX_PUB_LEN], s[TC_KEX_MAX_SECRET_LEN], bad[TC_KEX_MAX_PUB_LEN];
  size_t a_len, b_len, s_len;
  tc_kex a, b;
  g_assert_cmpuint(tc_kex_pub_len(group), ==, 1 + 2 * fl);
  g_assert_cmpint(kgen_from(&a, group, a_priv, fl, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen_from(&b, group, b_priv, fl, b_pub, &b_len), ==, 0);
  g_assert_cmpmem(a_pub, a_len, a_pub_want, 1 + 2 * fl);
  g_assert_cmpmem(b_pub, b_len, b_pub_want, 1 + 2 * fl);
  g_assert_cmpint(kderive(&a, b_pub, b_len, s, &s_len), ==, 0);
  g_assert_cmpmem(s, s_len, shared, fl);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s, &s_len), ==, 0);
  g_assert_cmpmem(s, s_len, shared, fl);

  /* rejected shares: compressed/hybrid prefix, infinity, off-curve, x >= p, lengths */
  memcpy(bad, b_pub, b_len);
  bad[0] = 0x02;
  g_assert_cmpint(kderive(&a, bad, 1 + fl, s, &s_len), ==, -1);
  g_assert_cmpint(kderive(&a, bad, b_len, s, &s_len), ==, -1);
  bad[0] = 0x06;
  g_assert_cmpint(kderive(&a, bad, b_len, s, &s_len), ==, -1);
  g_assert_cmpint(kderive(&a, (const uint8_t *)"\x00", 1, s, &s_len), ==, -1);
  memset(bad, 0, sizeof bad);
  bad[0] = 0x04;
  g_assert_cmpint(kderive(&a, bad, b_len, s, &s_len), ==, -1);
  memcpy(bad, b_pub, b_len);
  bad[b_len - 1] ^= 1;
  g_assert_cmpint(kderive(&a, bad, b_len, s, &s_len), ==, -1);
  memset(bad + 1, 0xff, fl); /* x = 2^n - 1 > p */
  g_assert_cmpint(kderive(&a, bad, b_len, s, &s_len), ==, -1);
  g_assert_cmpint(kderive(&a, b_pub, b_len - 1, s, &s_len), ==, -1);

  /* scalar 0 and scalar >= q are refused */
  uint8_t zero[66] = {0}, ff[66];
  memset(ff, 0xff, sizeof ff);
  g_assert_cmpint(kgen_from(&a, group, zero, fl, a_pub, &a_len), ==, -1);
  g_assert_cmpint(kgen_from(&a, group, ff, fl, a_pub, &a_len), ==, -1);

  /* random key pairs agree */
  uint8_t s2[TC_KEX_MAX_SECRET_LEN];
  size_t s2_len;
  g_assert_cmpint(kgen(&a, group, NULL, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen(&b, group, NULL, b_pub, &b_len), ==, 0);
  g_assert_cmpint(kderive(&a, b_pub, b_len, s, &s_len), ==, 0);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &s2_len), ==, 0);
  g_assert_cmpmem(s, s_len, s2, s2_len);
  tc_kex_clear(&a);
  tc_kex_clear(&b);
}

static void test_ecdh(void) {
  /* Keys and shared secrets made with python3-cryptography (OpenSSL) */
  ecdh_case(TC_GROUP_SECP256R1, p256_a_priv, p256_a_pub, p256_b_priv, p256_b_pub, p256_shared, 32);
  ecdh_case(TC_GROUP_SECP384R1, p384_a_priv, p384_a_pub, p384_b_priv, p384_b_pub, p384_shared, 48);

  /* P-521 round trip (no fixed vector) */
  uint8_t a_pub[TC_KEX_MAX_PUB_LEN], b_pub[TC_KEX_MAX_PUB_LEN], s1[TC_KEX_MAX_SECRET_LEN], s2[TC_KEX_MAX_SECRET_LEN];
  size_t a_len, b_len, l1, l2;
  tc_kex a, b;
  g_assert_cmpint(kgen(&a, TC_GROUP_SECP521R1, NULL, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kgen(&b, TC_GROUP_SECP521R1, NULL, b_pub, &b_len), ==, 0);
  g_assert_cmpuint(a_len, ==, 133);
  g_assert_cmpint(kderive(&a, b_pub, b_len, s1, &l1), ==, 0);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &l2), ==, 0);
  g_assert_cmpuint(l1, ==, 66);
  g_assert_cmpmem(s1, l1, s2, l2);
  tc_kex_clear(&a);
  tc_kex_clear(&b);
  g_assert_false(tc_kex_supported(0x0016));
}

static void test_dh_custom(void) {
  /* the server's explicit parameters: here ffdhe2048's prime with g = 2,
   * so the result must agree with a named-group peer */
  size_t plen;
  const uint8_t *p = tc_kex_ffdhe_prime(TC_GROUP_FFDHE2048, &plen);
  g_assert_nonnull(p);
  g_assert_cmpuint(plen, ==, 256);
  g_assert_null(tc_kex_ffdhe_prime(TC_GROUP_X25519, &plen));
  const uint8_t g2[] = {0x02}, g1[] = {0x01}, g0[] = {0x00, 0x02};
  uint8_t *a_pub = g_malloc(TC_KEX_MAX_PUB_LEN), *b_pub = g_malloc(TC_KEX_MAX_PUB_LEN);
  uint8_t *s1 = g_malloc(TC_KEX_MAX_SECRET_LEN), *s2 = g_malloc(TC_KEX_MAX_SECRET_LEN);
  uint8_t *q = g_malloc(TC_KEX_MAX_PUB_LEN);
  size_t a_len = TC_KEX_MAX_PUB_LEN, b_len, l1, l2;
  tc_kex a, b;

  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g2, 1, 1024, NULL, a_pub, &a_len), ==, 0);
  g_assert_cmpuint(a_len, ==, 256);
  g_assert_cmpint(kgen(&b, TC_GROUP_FFDHE2048, NULL, b_pub, &b_len), ==, 0);
  g_assert_cmpint(kderive(&a, b_pub, b_len, s1, &l1), ==, 0);
  g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &l2), ==, 0);
  g_assert_cmpmem(s1, l1, s2, l2);
  tc_kex_clear(&a);

  /* a leading zero on g is harmless; g = 1, g = p-1, even p, short p fail */
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g0, 2, 1024, NULL, a_pub, &a_len), ==, 0);
  tc_kex_clear(&a);
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g1, 1, 1024, NULL, a_pub, &a_len), ==, -1);
  memcpy(q, p, 256);
  q[255] -= 1; /* p - 1 */
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, q, 256, 1024, NULL, a_pub, &a_len), ==, -1);
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, q, 256, g2, 1, 1024, NULL, a_pub, &a_len), ==, -1);
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g2, 1, 3072, NULL, a_pub, &a_len), ==, -1);
  a_len = 255;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g2, 1, 1024, NULL, a_pub, &a_len), ==, -1);

  /* a peer value with leading zeros stripped derives the same secret: use
   * exponent 1 on the named side so its share is g = 2 */
  uint8_t one = 1;
  tc_kex_clear(&b);
  g_assert_cmpint(kgen_from(&b, TC_GROUP_FFDHE2048, &one, 1, b_pub, &b_len), ==, 0);
  a_len = TC_KEX_MAX_PUB_LEN;
  g_assert_cmpint(tc_kex_generate_dh(&a, p, 256, g2, 1, 1024, NULL, a_pub, &a_len), ==, 0);
  g_assert_cmpint(kderive(&a, b_pub + 255, 1, s1, &l1), ==, 0);   /* "02" */
  g_assert_cmpint(kderive(&a, b_pub, 256, s2, &l2), ==, 0);       /* padded */
  g_assert_cmpmem(s1, l1, s2, l2);
  g_assert_cmpmem(s1, l1, a_pub, a_len);                         /* (g^x)^1 */
  tc_kex_clear(&a);
  tc_kex_clear(&b);
  g_free(a_pub);
  g_free(b_pub);
  g_free(s1);
  g_free(s2);
  g_free(q);
}

static void test_kex_alias(void) {
  /* recomputing a share from the kex's own scalar (HelloRetryRequest) keeps it */
  static const uint16_t groups[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1, TC_GROUP_X448};
  for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
    uint8_t pub1[TC_KEX_MAX_PUB_LEN], pub2[TC_KEX_MAX_PUB_LEN];
    size_t l1, l2;
    tc_kex k;
    g_assert_cmpint(kgen(&k, groups[i], NULL, pub1, &l1), ==, 0);
    g_assert_cmpint(kgen_from(&k, groups[i], k.priv, k.priv_len, pub2, &l2), ==, 0);
    g_assert_cmpmem(pub1, l1, pub2, l2);
    tc_kex_clear(&k);
  }
}

static void test_ffdhe(void) {
  static const uint16_t groups[] = {TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
                                    TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
  static const size_t lens[] = {256, 384, 512, 768, 1024};
  /* SHA-256 of each prime as computed by Python from RFC 7919's formula
   * (p = 2^b - 2^{b-64} + {[2^{b-130} e] + X} * 2^64 - 1, e to 3000 digits),
   * which also matched OpenSSL 3.0's built-in ffdhe groups */
  static const char *const digests[] = {
      "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966",
      "0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17",
      "4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e",
      "227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7",
      "770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
    uint16_t g = groups[i];
    size_t plen = tc_kex_pub_len(g);
    g_assert_true(tc_kex_supported(g));
    g_assert_cmpuint(plen, ==, lens[i]);
    {
      size_t pl = 0;
      const uint8_t *prime = tc_kex_ffdhe_prime(g, &pl);
      uint8_t d[32];
      g_assert_nonnull(prime);
      g_assert_cmpuint(pl, ==, plen);
      tc_hash(TC_HASH_SHA256, prime, pl, d);
      assert_hex(d, sizeof d, digests[i]);
    }
    uint8_t *a_pub = g_malloc(TC_KEX_MAX_PUB_LEN), *b_pub = g_malloc(TC_KEX_MAX_PUB_LEN);
    uint8_t *s1 = g_malloc(TC_KEX_MAX_SECRET_LEN), *s2 = g_malloc(TC_KEX_MAX_SECRET_LEN);
    uint8_t *bad = g_malloc0(TC_KEX_MAX_PUB_LEN);
    size_t a_len, b_len, l1, l2;
    tc_kex a, b;
    g_assert_cmpint(kgen(&a, g, NULL, a_pub, &a_len), ==, 0);
    g_assert_cmpint(kgen(&b, g, NULL, b_pub, &b_len), ==, 0);
    g_assert_cmpuint(a_len, ==, plen);
    g_assert_cmpint(kderive(&a, b_pub, b_len, s1, &l1), ==, 0);
    g_assert_cmpint(kderive(&b, a_pub, a_len, s2, &l2), ==, 0);
    g_assert_cmpuint(l1, ==, plen);
    g_assert_cmpmem(s1, l1, s2, l2);

    /* y = 0, 1, p - 1, p and above are refused */
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, -1);
    bad[plen - 1] = 1;
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, -1);
    bad[plen - 1] = 2;
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, 0);
    /* p - 1 and p from the group table */
    const tc_ffdhe_params *ff = tc_ffdhe_group(g);
    g_assert_nonnull(ff);
    memcpy(bad, ff->p, plen);
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, -1);
    bad[plen - 1] -= 1;
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, -1);
    bad[plen - 1] -= 1;
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, 0);
    memset(bad, 0xff, plen);
    g_assert_cmpint(kderive(&a, bad, plen, s1, &l1), ==, -1);
    /* longer than p, or empty: refused (shorter is a zero-stripped TLS 1.2 value) */
    g_assert_cmpint(kderive(&a, bad, plen + 1, s1, &l1), ==, -1);
    g_assert_cmpint(kderive(&a, b_pub, 0, s1, &l1), ==, -1);
    tc_kex_clear(&a);
    tc_kex_clear(&b);
    g_free(a_pub);
    g_free(b_pub);
    g_free(s1);
    g_free(s2);
    g_free(bad);
  }

  /* capacities below the group's size are refused, not overrun */
  {
    uint8_t small_pub[133], secret[TC_KEX_MAX_SECRET_LEN];
    size_t small_len = sizeof small_pub, sl;
    tc_kex a;
    g_assert_cmpint(tc_kex_generate(&a, TC_GROUP_FFDHE2048, NULL, small_pub, &small_len), ==, -1);
    small_len = 31;
    g_assert_cmpint(tc_kex_generate(&a, TC_GROUP_X25519, NULL, small_pub, &small_len), ==, -1);
    small_len = sizeof small_pub;
    g_assert_cmpint(tc_kex_generate(&a, TC_GROUP_X25519, NULL, small_pub, &small_len), ==, 0);
    sl = 31;
    g_assert_cmpint(tc_kex_derive(&a, small_pub, 32, secret, &sl), ==, -1);
    sl = 32;
    g_assert_cmpint(tc_kex_derive(&a, small_pub, 32, secret, &sl), ==, 0);
    tc_kex_clear(&a);
  }

  /* generator check: exponent 1 gives g = 2 */
  uint8_t one = 1;
  uint8_t *pub = g_malloc(TC_KEX_MAX_PUB_LEN);
  size_t len;
  tc_kex k;
  g_assert_cmpint(kgen_from(&k, TC_GROUP_FFDHE2048, &one, 1, pub, &len), ==, 0);
  g_assert_cmpuint(len, ==, 256);
  for (size_t i = 0; i < 255; i++)
    g_assert_cmpuint(pub[i], ==, 0);
  g_assert_cmpuint(pub[255], ==, 2);
  tc_kex_clear(&k);
  g_free(pub);
}

static void test_srp(void) {
  /* SRP-6a over ffdhe2048's prime with g = 2 (any safe prime exercises the
   * arithmetic; the RFC 5054 groups belong to auth/). Expected values from an
   * independent Python implementation of RFC 5054 §2.5-2.6. */
  size_t nl;
  const uint8_t *np = tc_kex_ffdhe_prime(TC_GROUP_FFDHE2048, &nl);
  const uint8_t two = 2;
  tc_num N = {np, nl}, g = {&two, 1};
  uint8_t pad_g[256] = {0}, buf[512], x[20], k[20], u[20], inner[20];
  uint8_t v[256], A[256], B[256], S1[256], S2[256], a[32], b[32];
  size_t s1_len, s2_len;
  const uint8_t salt[] = {0xbe, 0xb2, 0x53, 0x79, 0xd1, 0xa8, 0x58, 0x1e,
                          0xb5, 0xa7, 0x27, 0x67, 0x3a, 0x24, 0x41, 0xee};
  for (int i = 0; i < 32; i++) {
    a[i] = (uint8_t)(1 + i);
    b[i] = (uint8_t)(33 + i);
  }
  /* x = SHA1(s | SHA1(I ":" P)), k = SHA1(N | PAD(g)) */
  tc_hash(TC_HASH_SHA1, (const uint8_t *)"alice:password123", 17, inner);
  memcpy(buf, salt, 16);
  memcpy(buf + 16, inner, 20);
  tc_hash(TC_HASH_SHA1, buf, 36, x);
  assert_hex(x, 20, "94b7555aabe9127cc58ccf4993db6cf84d16c124");
  pad_g[255] = 2;
  memcpy(buf, np, 256);
  memcpy(buf + 256, pad_g, 256);
  tc_hash(TC_HASH_SHA1, buf, 512, k);
  assert_hex(k, 20, "0fecd2b1fa402b629e8e5b03aa13c3705eec6c23");

  tc_num X = {x, 20}, K = {k, 20}, Av = {a, 32}, Bv = {b, 32};
  g_assert_cmpint(tc_srp_calc_verifier(N, g, X, v), ==, 0);
  assert_hex(v, 256,
             "f94cab569f809facb8fd4f669a34d45be3a7aa035f2f683e6cfb53d76e144b9f"
             "45a382220e6abf1dc097e4c41d2c17486e7e6b2ae05d1130baa2623580945dc9"
             "f351ace19791c796fc5da4a95226f00de64d5e2ac9fe98ea2e805b266561e35a"
             "b0865012788bf4daa7aabeadf4724afa3ab274451df6541ed3b1cd2e545e340c"
             "87e489238468130ba5364879fce3bbb9cc0e02785bb4353764403226ea3633e1"
             "5465a49ec135a26528046513705f3924b405b9da93023d5fcc09e02f534d39a2"
             "c752c3ae154cfe75e22fbd3d1bf6c99f5e3e2e9a4c21e4818487e479b641db76"
             "9b627f88fef59633e445894a7d2efd848b915d0ca77cd2f511de12ddc91670e3");
  g_assert_cmpint(tc_srp_client_public(N, g, Av, A), ==, 0);
  assert_hex(A, 256,
             "0eef0c0eae9c65a3332cdc742b58561d362c0af526f8ad528b19ff39c9143431"
             "2f83302ed9dc6f2b84b250482dbd80962154f8a6d683741bf8bf4f3fdee22f80"
             "541a77553d1ae7a096c521f869987ae5eca1090d93e7bdea0b4349f17fee34f4"
             "775bfb380f426dec937b25825680c6e2b8c4c9eede64b91f5cdc02ba78e75908"
             "d47cd27fda4b5188c22baf2acd1e861ed0864e9eb9346640d354eada9f7156a6"
             "01387ba5f1b8609733707803a5ac866fc1bbe54b15a99934727bc5c157f893d8"
             "67a89abf0ce3dd0cf3d7ce00073db8b3bbae1486faedc462f7edeb3dc44ba303"
             "36de3d4dbfb4f14f143c46b0ba93f316f50c3377b9a38a27ae048f5605a4dcbf");
  tc_num V = {v, 256};
  g_assert_cmpint(tc_srp_server_public(N, g, K, V, Bv, B), ==, 0);
  assert_hex(B, 256,
             "b53a0a9ce881bce7f02dbc5b00d6c8c13ef47d02fccbd85dd66c0b43d000219b"
             "f0b37c13fdb52e38c7541c73d50618f2c9cd8710f73b00f9927c389af57e4604"
             "8b66b112e4b32b4ac9314031eca64fdb50e3c71eec494c5b73dc5fa418e15b91"
             "f351f351a7ce3f61af594cb3b15717b6cbca38dc644f271f111a3048896c55cb"
             "7544ffce8d2670f97800ca8e383392646b5ba71cb54b02cd0083b21cf8e58ce3"
             "054d108f09f14ec13ea070b3173db78b08d116b3c39c6c18dd0bd022971446df"
             "99eb8459a4f6255269fe27715fd3a821189f9027eee102860d3c1dd3d9b9f2c0"
             "ca6c3f8f85d4257748ed2730ff997d06e372d4de7e85879a5559806ed922f414");
  /* u = SHA1(PAD(A) | PAD(B)) */
  memcpy(buf, A, 256);
  memcpy(buf + 256, B, 256);
  tc_hash(TC_HASH_SHA1, buf, 512, u);
  assert_hex(u, 20, "72b8cce864bf9140a579ce5ac752ea6b6183627f");

  tc_num U = {u, 20}, AA = {A, 256}, BB = {B, 256};
  g_assert_cmpint(tc_srp_client_secret(N, g, K, X, Av, U, BB, S1, &s1_len), ==, 0);
  g_assert_cmpint(tc_srp_server_secret(N, AA, V, U, Bv, S2, &s2_len), ==, 0);
  g_assert_cmpmem(S1, s1_len, S2, s2_len);
  assert_hex(S1, s1_len,
             "e64f13ea76338b41d18cc1482a8fd5ff5d375a298d959b5756b0d53b1a772843"
             "53fefb23147117af5d239ed9fb420fad93f5fcc483788ba36bc980c2da0a2efd"
             "88b4ba7b809202fbcd03e102c1959a482254fed80cd7d559844e26cfd66bb478"
             "58703eba5115e56e6484926a71c0a51fc3a3f6629904507f5105f3b7e38e11d8"
             "433dc1801745af9fd5548b582e7f35f56e082f3e6bea1996e5e864eaded31458"
             "33670f5741d5054c788c401b8b97c8f8fe9f96913d6fd45a9c28b880c9319a51"
             "406aa8db451d4e3aefadcff33ca983eee1594ad48a6c08f5c174d9c15e8629bb"
             "b859be4ff26a17d9ab66b23a4722c84264b72c4d2c5c332cfc66ebb51a953d0a");

  /* A or B that are 0 mod N are refused (RFC 5054 §2.5.4, §2.6), so is u = 0 */
  uint8_t zero[256] = {0};
  tc_num Z = {zero, 256}, NN = {np, nl}, Z1 = {zero, 1};
  g_assert_cmpint(tc_srp_server_secret(N, Z, V, U, Bv, S2, &s2_len), ==, -1);
  g_assert_cmpint(tc_srp_server_secret(N, NN, V, U, Bv, S2, &s2_len), ==, -1);
  g_assert_cmpint(tc_srp_client_secret(N, g, K, X, Av, U, Z, S1, &s1_len), ==, -1);
  g_assert_cmpint(tc_srp_client_secret(N, g, K, X, Av, U, NN, S1, &s1_len), ==, -1);
  g_assert_cmpint(tc_srp_client_secret(N, g, K, X, Av, Z1, BB, S1, &s1_len), ==, -1);
  g_assert_cmpint(tc_srp_server_secret(N, AA, V, Z1, Bv, S2, &s2_len), ==, -1);
  /* an even modulus and g = 1 are refused */
  memcpy(buf, np, 256);
  buf[255] ^= 1;
  tc_num Neven = {buf, 256}, g1 = {(const uint8_t *)"\x01", 1};
  g_assert_cmpint(tc_srp_client_public(Neven, g, Av, A), ==, -1);
  g_assert_cmpint(tc_srp_client_public(N, g1, Av, A), ==, -1);
}

/* ---- keys and signatures ---- */

static tc_privkey *make_rsa_key(void) {
  tc_privkey *k = tc_privkey_new_rsa(rsa_n, sizeof rsa_n, rsa_e, sizeof rsa_e, rsa_d, sizeof rsa_d,
                                     rsa_p, sizeof rsa_p, rsa_q, sizeof rsa_q, rsa_dp, sizeof rsa_dp,
                                     rsa_dq, sizeof rsa_dq, rsa_qinv, sizeof rsa_qinv);
  g_assert_nonnull(k);
  return k;
}

static void test_rsa_keys(void) {
  tc_privkey *k = make_rsa_key();
  const tc_pubkey *pub = tc_privkey_pubkey(k);
  g_assert_cmpint(tc_privkey_type(k), ==, TC_PK_RSA);
  g_assert_cmpint(tc_pubkey_type(pub), ==, TC_PK_RSA);
  g_assert_cmpuint(tc_pubkey_bits(pub), ==, 2048);
  g_assert_cmpuint(tc_pk_sig_max_len(k), ==, 256);

  tc_pubkey *p2 = tc_pubkey_new_rsa(rsa_n, sizeof rsa_n, rsa_e, sizeof rsa_e);
  g_assert_nonnull(p2);
  g_assert_true(tc_pubkey_equal(pub, p2));
  g_assert_true(tc_pubkey_ref(p2) == p2);
  tc_pubkey_unref(p2);
  tc_pubkey_unref(p2);

  /* export round trip */
  uint8_t *parts[8];
  size_t lens[8];
  g_assert_cmpint(tc_privkey_export_rsa(k, parts, lens), ==, 0);
  g_assert_cmpmem(parts[0], lens[0], rsa_n, sizeof rsa_n);
  g_assert_cmpmem(parts[1], lens[1], rsa_e, sizeof rsa_e);
  g_assert_cmpmem(parts[2], lens[2], rsa_d, sizeof rsa_d);
  g_assert_cmpmem(parts[7], lens[7], rsa_qinv, sizeof rsa_qinv);
  for (int i = 0; i < 8; i++)
    free(parts[i]);
  uint8_t *n, *e;
  size_t nl, el;
  g_assert_cmpint(tc_pubkey_export_rsa(pub, &n, &nl, &e, &el), ==, 0);
  g_assert_cmpmem(n, nl, rsa_n, sizeof rsa_n);
  g_assert_cmpmem(e, el, rsa_e, sizeof rsa_e);
  free(n);
  free(e);

  /* inconsistent private keys are refused: p and q swapped with a wrong
   * qinv, or a modulus that is not p*q */
  g_assert_null(tc_privkey_new_rsa(rsa_n, sizeof rsa_n, rsa_e, sizeof rsa_e, rsa_d, sizeof rsa_d,
                                   rsa_q, sizeof rsa_q, rsa_p, sizeof rsa_p, rsa_dp, sizeof rsa_dp,
                                   rsa_dq, sizeof rsa_dq, rsa_qinv, sizeof rsa_qinv));
  uint8_t n2[sizeof rsa_n];
  memcpy(n2, rsa_n, sizeof n2);
  n2[100] ^= 4;
  g_assert_null(tc_privkey_new_rsa(n2, sizeof n2, rsa_e, sizeof rsa_e, rsa_d, sizeof rsa_d, rsa_p,
                                   sizeof rsa_p, rsa_q, sizeof rsa_q, rsa_dp, sizeof rsa_dp, rsa_dq,
                                   sizeof rsa_dq, rsa_qinv, sizeof rsa_qinv));
  /* even modulus, even exponent */
  n2[sizeof n2 - 1] &= 0xfe;
  n2[100] ^= 4;
  g_assert_null(tc_pubkey_new_rsa(n2, sizeof n2, rsa_e, sizeof rsa_e));
  const uint8_t e4[] = {4};
  g_assert_null(tc_pubkey_new_rsa(rsa_n, sizeof rsa_n, e4, 1));

  g_assert_true(tc_privkey_ref(k) == k);
  tc_privkey_unref(k);
  tc_privkey_unref(k);
}

static void test_rsa_sign(void) {
  tc_privkey *k = make_rsa_key();
  const tc_pubkey *pub = tc_privkey_pubkey(k);
  uint8_t sig[512];
  size_t sig_len;

  /* PKCS#1 v1.5 is deterministic: our signature equals OpenSSL's */
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, NULL, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, 0);
  g_assert_cmpmem(sig, sig_len, rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig);
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA1, NULL, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, 0);
  g_assert_cmpmem(sig, sig_len, rsa_pkcs1_sha1_sig, sizeof rsa_pkcs1_sha1_sig);

  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA1, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha1_sig, sizeof rsa_pkcs1_sha1_sig), ==, 0);
  /* wrong hash, wrong message, wrong scheme, flipped bit, short signature */
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA384, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN - 1,
                               rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, -1);
  memcpy(sig, rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig);
  sig[10] ^= 1;
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               sig, 256), ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha256_sig + 1, 255), ==, -1);

  /* verify_digest with the precomputed hash */
  uint8_t digest[32];
  tc_hash(TC_HASH_SHA256, test_msg, TEST_MSG_LEN, digest);
  g_assert_cmpint(tc_pk_verify_digest(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, digest, 32,
                                      rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, 0);
  g_assert_cmpint(tc_pk_verify_digest(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, digest, 31,
                                      rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, -1);

  /* PSS: OpenSSL's signatures verify */
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha256_sig, sizeof rsa_pss_sha256_sig), ==, 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, TC_HASH_SHA384, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha384_sig, sizeof rsa_pss_sha384_sig), ==, 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha384_sig, sizeof rsa_pss_sha384_sig), ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha256_sig, sizeof rsa_pss_sha256_sig), ==, -1);
  /* explicit salt lengths (X.509 RSASSA-PSS-params) */
  g_assert_cmpint(tc_pk_verify_pss(pub, TC_HASH_SHA256, 20, test_msg, TEST_MSG_LEN,
                                   rsa_pss_sha256_salt20_sig, sizeof rsa_pss_sha256_salt20_sig),
                  ==, 0);
  g_assert_cmpint(tc_pk_verify_pss(pub, TC_HASH_SHA256, 32, test_msg, TEST_MSG_LEN,
                                   rsa_pss_sha256_salt20_sig, sizeof rsa_pss_sha256_salt20_sig),
                  ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha256_salt20_sig, sizeof rsa_pss_sha256_salt20_sig), ==, -1);
  g_assert_cmpint(tc_pk_verify_pss(pub, TC_HASH_SHA256, 32, test_msg, TEST_MSG_LEN,
                                   rsa_pss_sha256_sig, sizeof rsa_pss_sha256_sig), ==, 0);

  /* PSS signing draws its salt from the rng: a scripted salt gives a
   * reproducible signature, a different salt a different valid one */
  uint8_t script[4096], sig2[512];
  for (size_t i = 0; i < sizeof script; i++)
    script[i] = (uint8_t)(i * 7 + 1);
  script_rng s = {script, sizeof script, 0, 0};
  tc_rng rng = {script_fn, &s};
  for (int h = 0; h < 3; h++) {
    tc_hash_alg hash = h == 0 ? TC_HASH_SHA256 : h == 1 ? TC_HASH_SHA384 : TC_HASH_SHA512;
    s.pos = 0;
    sig_len = sizeof sig;
    g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, hash, &rng, test_msg, TEST_MSG_LEN, sig,
                               &sig_len), ==, 0);
    g_assert_cmpuint(sig_len, ==, 256);
    g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, hash, test_msg, TEST_MSG_LEN, sig,
                                 sig_len), ==, 0);
    size_t sig2_len = sizeof sig2;
    s.pos = 0;
    g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, hash, &rng, test_msg, TEST_MSG_LEN, sig2,
                               &sig2_len), ==, 0);
    g_assert_cmpmem(sig, sig_len, sig2, sig2_len);
    sig2_len = sizeof sig2;
    g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, hash, NULL, test_msg, TEST_MSG_LEN, sig2,
                               &sig2_len), ==, 0);
    g_assert_false(memcmp(sig, sig2, sig_len) == 0);
    sig[0] ^= 0x01;
    g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, hash, test_msg, TEST_MSG_LEN, sig,
                                 sig_len), ==, -1);
  }
  /* a failing rng fails the signature */
  tc_rng bad = {failing_fn, NULL};
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, &bad, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, -1);
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, &bad, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, -1);
  /* too small an output buffer */
  sig_len = 255;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, NULL, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, -1);
  /* MD5 is not signed with */
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_MD5, NULL, test_msg, TEST_MSG_LEN,
                             sig, &sig_len), ==, -1);
  /* TLS 1.0 style: raw MD5||SHA-1 digest */
  sig_len = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_MD5_SHA1, NULL, test_msg,
                             TEST_MSG_LEN, sig, &sig_len), ==, 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_MD5_SHA1, test_msg, TEST_MSG_LEN,
                               sig, sig_len), ==, 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA1, test_msg, TEST_MSG_LEN,
                               sig, sig_len), ==, -1);

  /* RSA-1024 with SHA-1 (old chains) verifies */
  tc_pubkey *old = tc_pubkey_new_rsa(rsa1024_n, sizeof rsa1024_n, rsa_e, sizeof rsa_e);
  g_assert_nonnull(old);
  g_assert_cmpuint(tc_pubkey_bits(old), ==, 1024);
  g_assert_cmpint(tc_pk_verify(old, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA1, test_msg, TEST_MSG_LEN,
                               rsa1024_pkcs1_sha1_sig, sizeof rsa1024_pkcs1_sha1_sig), ==, 0);
  g_assert_false(tc_pubkey_equal(old, pub));
  tc_pubkey_unref(old);
  tc_privkey_unref(k);
}

/* RSA private-key operation (sign.c): r^-1 is found modulo p and q and
 * joined by CRT instead of nettle's inversion modulo n. The signatures must
 * be byte for byte nettle's own (rsa_pkcs1_sign_tr; rsa_pss_*_sign_digest_tr
 * with the same salt), for keys whose primes differ in size either way
 * (more limbs in p than in q, and the other way round), are not limb-aligned
 * or have q > p. */
static void bytes_of(const mpz_t x, uint8_t *out, size_t *len) {
  *len = nettle_mpz_sizeinbase_256_u(x);
  nettle_mpz_get_str_256(*len, out, x);
}

static tc_privkey *gen_rsa_key(gmp_randstate_t rs, unsigned pbits, unsigned qbits) {
  mpz_t p, q, n, e, d, dp, dq, qinv, t, u;
  mpz_inits(p, q, n, e, d, dp, dq, qinv, t, u, NULL);
  mpz_set_ui(e, 65537);
  for (int i = 0; i < 2; i++) {
    mpz_ptr x = i == 0 ? p : q;
    unsigned bits = i == 0 ? pbits : qbits;
    do {
      mpz_urandomb(x, rs, bits);
      mpz_setbit(x, bits - 1);
      mpz_setbit(x, bits - 2);
      mpz_nextprime(x, x);
      mpz_sub_ui(t, x, 1);
      mpz_gcd(u, t, e);
    } while (mpz_sizeinbase(x, 2) != bits || mpz_cmp_ui(u, 1) != 0 || mpz_cmp(p, q) == 0);
  }
  mpz_mul(n, p, q);
  mpz_sub_ui(t, p, 1);
  mpz_sub_ui(u, q, 1);
  mpz_mul(t, t, u);
  g_assert_true(mpz_invert(d, e, t));
  mpz_sub_ui(t, p, 1);
  mpz_mod(dp, d, t);
  mpz_sub_ui(t, q, 1);
  mpz_mod(dq, d, t);
  g_assert_true(mpz_invert(qinv, q, p));
  uint8_t b[8][600];
  size_t l[8];
  mpz_ptr parts[8] = {n, e, d, p, q, dp, dq, qinv};
  for (int i = 0; i < 8; i++)
    bytes_of(parts[i], b[i], &l[i]);
  tc_privkey *k = tc_privkey_new_rsa(b[0], l[0], b[1], l[1], b[2], l[2], b[3], l[3], b[4], l[4],
                                     b[5], l[5], b[6], l[6], b[7], l[7]);
  g_assert_nonnull(k);
  mpz_clears(p, q, n, e, d, dp, dq, qinv, t, u, NULL);
  return k;
}

static void nettle_rand(void *ctx, size_t len, uint8_t *out) {
  (void)ctx;
  g_assert_cmpint(getrandom(out, len, 0), ==, (ssize_t)len);
}

static void test_rsa_sign_matches_nettle(void) {
  static const unsigned sizes[][2] = {{1024, 1024}, {1000, 1048}, {1048, 1000}, {640, 1408},
                                      {1408, 640}, {1536, 1536}, {520, 520}};
  gmp_randstate_t rs;
  gmp_randinit_default(rs);
  gmp_randseed_ui(rs, 20261207);
  for (size_t ki = 0; ki < G_N_ELEMENTS(sizes); ki++) {
    tc_privkey *k = gen_rsa_key(rs, sizes[ki][0], sizes[ki][1]);
    const tc_pubkey *pub = tc_privkey_pubkey(k);
    bool can_sign = tc_pubkey_bits(pub) >= 1024;
    for (int msg = 0; msg < 4; msg++) {
      uint8_t m[3] = {'m', (uint8_t)msg, (uint8_t)ki};
      uint8_t sig[2 * 384], ref[2 * 384], digest[64];
      size_t sl = sizeof sig;
      mpz_t s;
      mpz_init(s);

      /* PKCS#1 v1.5, SHA-256 */
      int rc = tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, NULL, m, sizeof m, sig, &sl);
      if (!can_sign) {
        g_assert_cmpint(rc, ==, -1); /* below the signing minimum: refused before any math */
        mpz_clear(s);
        continue;
      }
      g_assert_cmpint(rc, ==, 0);
      size_t pl;
      const uint8_t *prefix = tc_digest_info_prefix(TC_HASH_SHA256, &pl);
      uint8_t di[19 + 32];
      memcpy(di, prefix, pl);
      tc_hash(TC_HASH_SHA256, m, sizeof m, di + pl);
      g_assert_true(rsa_pkcs1_sign_tr(&pub->rsa, &k->rsa, NULL, nettle_rand, pl + 32, di, s));
      nettle_mpz_get_str_256(pub->rsa.size, ref, s);
      g_assert_cmpmem(sig, sl, ref, pub->rsa.size);
      g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, m, sizeof m, sig, sl),
                      ==, 0);

      /* PSS: the salt is the first draw, so a scripted source fixes it */
      for (int h = 0; h < 3; h++) {
        tc_hash_alg hash = h == 0 ? TC_HASH_SHA256 : h == 1 ? TC_HASH_SHA384 : TC_HASH_SHA512;
        size_t hl = tc_hash_len(hash);
        if (2 * hl + 2 > pub->rsa.size)
          continue;
        uint8_t script[4096];
        for (size_t i = 0; i < sizeof script; i++)
          script[i] = (uint8_t)(i * 13 + msg + 7 * h + ki);
        script_rng sr = {script, sizeof script, 0, 0};
        tc_rng rng = {script_fn, &sr};
        sl = sizeof sig;
        g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, hash, &rng, m, sizeof m, sig, &sl), ==, 0);
        tc_hash(hash, m, sizeof m, digest);
        int ok = h == 0   ? rsa_pss_sha256_sign_digest_tr(&pub->rsa, &k->rsa, NULL, nettle_rand,
                                                          hl, script, digest, s)
                 : h == 1 ? rsa_pss_sha384_sign_digest_tr(&pub->rsa, &k->rsa, NULL, nettle_rand,
                                                          hl, script, digest, s)
                          : rsa_pss_sha512_sign_digest_tr(&pub->rsa, &k->rsa, NULL, nettle_rand,
                                                          hl, script, digest, s);
        g_assert_true(ok);
        nettle_mpz_get_str_256(pub->rsa.size, ref, s);
        g_assert_cmpmem(sig, sl, ref, pub->rsa.size);
        g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PSS, hash, m, sizeof m, sig, sl), ==, 0);
      }
      mpz_clear(s);
    }
    tc_privkey_unref(k);
  }
  gmp_randclear(rs);
}

/* The blinding values come from the caller's source after the PSS salt:
 * one that fails there fails the signature (no unblinded fallback). */
static void test_rsa_sign_blinding_source_fails(void) {
  tc_privkey *k = make_rsa_key();
  uint8_t script[32], sig[256];
  memset(script, 0x42, sizeof script);
  script_rng sr = {script, sizeof script, 0, 0}; /* the salt, then nothing */
  tc_rng rng = {script_fn, &sr};
  size_t sl = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, &rng, test_msg, TEST_MSG_LEN,
                             sig, &sl), ==, -1);
  g_assert_cmpuint(sr.calls, ==, 2);
  tc_privkey_unref(k);
}

static void test_rsa_pss_key(void) {
  /* an id-RSASSA-PSS key only does PSS */
  tc_pubkey *pss = tc_pubkey_new_rsa_pss(rsa_n, sizeof rsa_n, rsa_e, sizeof rsa_e);
  g_assert_nonnull(pss);
  g_assert_cmpint(tc_pubkey_type(pss), ==, TC_PK_RSA_PSS);
  g_assert_cmpint(tc_pk_verify(pss, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pss_sha256_sig, sizeof rsa_pss_sha256_sig), ==, 0);
  g_assert_cmpint(tc_pk_verify(pss, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, test_msg, TEST_MSG_LEN,
                               rsa_pkcs1_sha256_sig, sizeof rsa_pkcs1_sha256_sig), ==, -1);
  g_assert_true(tc_pubkey_fits_scheme(pss, TC_SIG_RSA_PSS_PSS_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(pss, TC_SIG_RSA_PSS_RSAE_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(pss, TC_SIG_RSA_PKCS1_SHA256));
  tc_pubkey_unref(pss);
}

static void test_rsa_premaster(void) {
  tc_privkey *k = make_rsa_key();
  const tc_pubkey *pub = tc_privkey_pubkey(k);
  uint8_t out[48], fallback[48], ct[256], script[4096];
  for (size_t i = 0; i < sizeof script; i++)
    script[i] = (uint8_t)(0xa5 ^ i);
  memcpy(fallback, script, 48);
  script_rng s = {script, sizeof script, 0, 0};
  tc_rng rng = {script_fn, &s};

  /* OpenSSL's ciphertext decrypts to the premaster */
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, &rng, rsa_premaster_ct, sizeof rsa_premaster_ct,
                                           out, 48), ==, 0);
  g_assert_cmpmem(out, 48, rsa_premaster, 48);

  /* a tampered ciphertext, a wrong expected length, or a wrong ciphertext
   * length all yield the (first-drawn) random fallback, with status 0 */
  memcpy(ct, rsa_premaster_ct, 256);
  ct[5] ^= 0x20;
  s.pos = 0;
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, &rng, ct, 256, out, 48), ==, 0);
  g_assert_cmpmem(out, 48, fallback, 48);
  s.pos = 0;
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, &rng, rsa_premaster_ct, 256, out, 47), ==, 0);
  g_assert_cmpmem(out, 47, fallback, 47);
  s.pos = 0;
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, &rng, rsa_premaster_ct, 255, out, 48), ==, 0);
  g_assert_cmpmem(out, 48, fallback, 48);
  /* ciphertext >= n */
  memset(ct, 0xff, sizeof ct);
  s.pos = 0;
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, &rng, ct, 256, out, 48), ==, 0);
  g_assert_cmpmem(out, 48, fallback, 48);

  /* our encryption round-trips, and needs room for the modulus */
  size_t ct_len = 255;
  g_assert_cmpint(tc_rsa_encrypt_pkcs1(pub, NULL, rsa_premaster, 48, ct, &ct_len), ==, -1);
  ct_len = sizeof ct;
  g_assert_cmpint(tc_rsa_encrypt_pkcs1(pub, NULL, rsa_premaster, 48, ct, &ct_len), ==, 0);
  g_assert_cmpuint(ct_len, ==, 256);
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, NULL, ct, ct_len, out, 48), ==, 0);
  g_assert_cmpmem(out, 48, rsa_premaster, 48);
  tc_privkey_unref(k);
}

static void ecdsa_case(tc_pk_type type, const uint8_t *priv, size_t fl, const uint8_t *pub_pt,
                       const uint8_t *py_sig, size_t py_sig_len, tc_hash_alg hash, uint16_t scheme) {
  tc_privkey *k = tc_privkey_new_ec(type, priv, fl);
  g_assert_nonnull(k);
  const tc_pubkey *pub = tc_privkey_pubkey(k);
  uint8_t pt[133], sc[66], pt2[133];
  size_t pt_len, sc_len, pt2_len;
  g_assert_cmpint(tc_pubkey_export_point(pub, pt, &pt_len), ==, 0);
  g_assert_cmpmem(pt, pt_len, pub_pt, 1 + 2 * fl);
  g_assert_cmpint(tc_privkey_export_ec(k, sc, &sc_len, pt2, &pt2_len), ==, 0);
  g_assert_cmpmem(sc, sc_len, priv, fl);
  g_assert_cmpmem(pt2, pt2_len, pub_pt, 1 + 2 * fl);
  g_assert_cmpint(tc_privkey_type(k), ==, type);

  tc_pubkey *p2 = tc_pubkey_new_ec(type, pub_pt, 1 + 2 * fl);
  g_assert_nonnull(p2);
  g_assert_true(tc_pubkey_equal(pub, p2));
  g_assert_true(tc_pubkey_fits_scheme(p2, scheme));
  g_assert_true(tc_pubkey_fits_scheme(p2, TC_SIG_ECDSA_SHA1));
  g_assert_false(tc_pubkey_fits_scheme(p2, TC_SIG_RSA_PSS_RSAE_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(
      p2, scheme == TC_SIG_ECDSA_SECP256R1_SHA256 ? TC_SIG_ECDSA_SECP384R1_SHA384
                                                  : TC_SIG_ECDSA_SECP256R1_SHA256));

  /* OpenSSL's signature verifies; tampering fails */
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, py_sig,
                               py_sig_len), ==, 0);
  uint8_t sig[160];
  memcpy(sig, py_sig, py_sig_len);
  sig[py_sig_len - 1] ^= 1;
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, sig,
                               py_sig_len), ==, -1);
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN - 1, py_sig,
                               py_sig_len), ==, -1);

  /* strict DER: trailing byte, truncation, long-form length, a non-minimal
   * INTEGER and a negative INTEGER are all refused */
  memcpy(sig, py_sig, py_sig_len);
  sig[py_sig_len] = 0;
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, sig,
                               py_sig_len + 1), ==, -1);
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, sig,
                               py_sig_len - 1), ==, -1);
  g_assert_cmpuint(py_sig[1], <, 0x80);
  uint8_t longform[162];
  longform[0] = 0x30;
  longform[1] = 0x81;
  memcpy(longform + 2, py_sig + 1, py_sig_len - 1);
  g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, longform,
                               py_sig_len + 1), ==, -1);
  {
    /* re-encode r with an extra leading zero byte */
    size_t rl = py_sig[3];
    uint8_t nm[162];
    nm[0] = 0x30;
    nm[1] = (uint8_t)(py_sig[1] + 1);
    nm[2] = 0x02;
    nm[3] = (uint8_t)(rl + 1);
    nm[4] = 0x00;
    memcpy(nm + 5, py_sig + 4, py_sig_len - 4);
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, nm,
                                 py_sig_len + 1), ==, -1);
    /* r made negative: drop its leading zero if any, else set its top bit */
    memcpy(nm, py_sig, py_sig_len);
    nm[4] |= 0x80;
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, nm,
                                 py_sig_len), ==, -1);
  }

  /* our signatures verify, differ each time (random k), and fit sig_max_len */
  size_t max = tc_pk_sig_max_len(k);
  size_t sl1 = sizeof sig, sl2;
  uint8_t sig2[160];
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ECDSA, hash, NULL, test_msg, TEST_MSG_LEN, sig, &sl1),
                  ==, 0);
  g_assert_cmpuint(sl1, <=, max);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, sig, sl1), ==, 0);
  sl2 = sizeof sig2;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ECDSA, hash, NULL, test_msg, TEST_MSG_LEN, sig2, &sl2),
                  ==, 0);
  g_assert_false(sl1 == sl2 && memcmp(sig, sig2, sl1) == 0);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_ECDSA, hash, test_msg, TEST_MSG_LEN, sig2, sl2), ==, 0);
  /* too small a buffer */
  sl2 = 8;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ECDSA, hash, NULL, test_msg, TEST_MSG_LEN, sig2, &sl2),
                  ==, -1);
  /* wrong algorithm for the key */
  sl2 = sizeof sig2;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, hash, NULL, test_msg, TEST_MSG_LEN, sig2,
                             &sl2), ==, -1);
  g_assert_cmpint(tc_pk_verify(pub, TC_SIGALG_RSA_PKCS1, hash, test_msg, TEST_MSG_LEN, sig, sl1),
                  ==, -1);
  tc_pubkey_unref(p2);
  tc_privkey_unref(k);
}

static void test_ecdsa(void) {
  ecdsa_case(TC_PK_EC_P256, p256_a_priv, 32, p256_a_pub, p256_sig, sizeof p256_sig,
             TC_HASH_SHA256, TC_SIG_ECDSA_SECP256R1_SHA256);
  ecdsa_case(TC_PK_EC_P384, p384_a_priv, 48, p384_a_pub, p384_sig, sizeof p384_sig,
             TC_HASH_SHA384, TC_SIG_ECDSA_SECP384R1_SHA384);

  /* bad EC keys: off-curve point, compressed form, scalar 0 / >= q, wrong curve length */
  uint8_t pt[65];
  memcpy(pt, p256_a_pub, 65);
  pt[64] ^= 1;
  g_assert_null(tc_pubkey_new_ec(TC_PK_EC_P256, pt, 65));
  g_assert_null(tc_pubkey_new_ec(TC_PK_EC_P256, p256_a_pub, 33));
  g_assert_null(tc_pubkey_new_ec(TC_PK_EC_P384, p256_a_pub, 65));
  g_assert_null(tc_pubkey_new_ec(TC_PK_RSA, p256_a_pub, 65));
  uint8_t zero[32] = {0}, ff[32];
  memset(ff, 0xff, sizeof ff);
  g_assert_null(tc_privkey_new_ec(TC_PK_EC_P256, zero, 32));
  g_assert_null(tc_privkey_new_ec(TC_PK_EC_P256, ff, 32));
  /* a short scalar is left-padded */
  const uint8_t one[1] = {1};
  tc_privkey *k1 = tc_privkey_new_ec(TC_PK_EC_P256, one, 1);
  g_assert_nonnull(k1);
  uint8_t sc[66];
  size_t sc_len;
  g_assert_cmpint(tc_privkey_export_ec(k1, sc, &sc_len, NULL, NULL), ==, 0);
  g_assert_cmpuint(sc_len, ==, 32);
  g_assert_cmpuint(sc[31], ==, 1);
  tc_privkey_unref(k1);

  /* P-521 sign/verify round trip */
  uint8_t s521[66];
  memset(s521, 0x11, sizeof s521);
  s521[0] = 0x01;
  tc_privkey *k = tc_privkey_new_ec(TC_PK_EC_P521, s521, 66);
  g_assert_nonnull(k);
  uint8_t sig[160];
  size_t sl = sizeof sig;
  g_assert_cmpuint(tc_pk_sig_max_len(k), ==, 141);
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ECDSA, TC_HASH_SHA512, NULL, test_msg, TEST_MSG_LEN, sig,
                             &sl), ==, 0);
  g_assert_cmpint(tc_pk_verify(tc_privkey_pubkey(k), TC_SIGALG_ECDSA, TC_HASH_SHA512, test_msg,
                               TEST_MSG_LEN, sig, sl), ==, 0);
  g_assert_true(tc_pubkey_fits_scheme(tc_privkey_pubkey(k), TC_SIG_ECDSA_SECP521R1_SHA512));
  tc_privkey_unref(k);
}

static void test_ed25519(void) {
  /* RFC 8032 §7.1 tests 1 and 2 */
  static const struct {
    const char *seed, *pub, *msg, *sig;
  } v[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
       "d25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
       "387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
    size_t l, msg_len;
    uint8_t *seed = unhex(v[i].seed, &l), *msg = unhex(v[i].msg, &msg_len);
    tc_privkey *k = tc_privkey_new_ed25519(seed);
    g_assert_nonnull(k);
    const tc_pubkey *pub = tc_privkey_pubkey(k);
    uint8_t pk[133], sig[64], out_seed[32];
    size_t pk_len, sig_len = sizeof sig;
    g_assert_cmpint(tc_pubkey_export_point(pub, pk, &pk_len), ==, 0);
    assert_hex(pk, pk_len, v[i].pub);
    g_assert_cmpint(tc_privkey_export_ed25519(k, out_seed), ==, 0);
    g_assert_cmpmem(out_seed, 32, seed, 32);
    g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ED25519, TC_HASH_NONE, NULL, msg, msg_len, sig,
                               &sig_len), ==, 0);
    assert_hex(sig, sig_len, v[i].sig);
    tc_pubkey *p2 = tc_pubkey_new_ed25519(pk);
    g_assert_true(tc_pubkey_equal(pub, p2));
    g_assert_true(tc_pubkey_fits_scheme(p2, TC_SIG_ED25519));
    g_assert_false(tc_pubkey_fits_scheme(p2, TC_SIG_ED448));
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ED25519, TC_HASH_NONE, msg, msg_len, sig, 64), ==, 0);
    sig[63] ^= 0x10;
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ED25519, TC_HASH_NONE, msg, msg_len, sig, 64), ==, -1);
    sig[63] ^= 0x10;
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ED25519, TC_HASH_NONE, msg, msg_len, sig, 63), ==, -1);
    g_assert_cmpint(tc_pk_verify(p2, TC_SIGALG_ECDSA, TC_HASH_SHA256, msg, msg_len, sig, 64), ==, -1);
    tc_pubkey_unref(p2);
    tc_privkey_unref(k);
    g_free(seed);
    g_free(msg);
  }
}

static void test_ed448(void) {
  /* RFC 8032 §7.4, the empty-message test; the signature was made with
   * python3-cryptography (Ed448 is deterministic) */
  size_t l;
  uint8_t *seed = unhex("6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3"
                        "528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b", &l);
  tc_privkey *k = tc_privkey_new_ed448(seed);
  g_assert_nonnull(k);
  uint8_t pk[133], sig[114];
  size_t pk_len, sig_len = sizeof sig;
  g_assert_cmpint(tc_pubkey_export_point(tc_privkey_pubkey(k), pk, &pk_len), ==, 0);
  g_assert_cmpmem(pk, pk_len, ed448_pub, sizeof ed448_pub);
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_ED448, TC_HASH_NONE, NULL, NULL, 0, sig, &sig_len), ==, 0);
  g_assert_cmpmem(sig, sig_len, ed448_sig_empty, sizeof ed448_sig_empty);
  g_assert_cmpint(tc_pk_verify(tc_privkey_pubkey(k), TC_SIGALG_ED448, TC_HASH_NONE, NULL, 0, sig,
                               sig_len), ==, 0);
  sig[0] ^= 1;
  g_assert_cmpint(tc_pk_verify(tc_privkey_pubkey(k), TC_SIGALG_ED448, TC_HASH_NONE, NULL, 0, sig,
                               sig_len), ==, -1);
  g_assert_true(tc_pubkey_fits_scheme(tc_privkey_pubkey(k), TC_SIG_ED448));
  tc_privkey_unref(k);
  g_free(seed);
}

static void test_schemes(void) {
  tc_sigalg alg;
  tc_hash_alg hash;
  g_assert_true(tc_sig_scheme_params(TC_SIG_RSA_PSS_RSAE_SHA384, &alg, &hash));
  g_assert_cmpint(alg, ==, TC_SIGALG_RSA_PSS);
  g_assert_cmpint(hash, ==, TC_HASH_SHA384);
  g_assert_true(tc_sig_scheme_params(TC_SIG_ECDSA_SECP256R1_SHA256, &alg, &hash));
  g_assert_cmpint(alg, ==, TC_SIGALG_ECDSA);
  g_assert_cmpint(hash, ==, TC_HASH_SHA256);
  g_assert_true(tc_sig_scheme_params(TC_SIG_RSA_PKCS1_SHA1, &alg, &hash));
  g_assert_cmpint(alg, ==, TC_SIGALG_RSA_PKCS1);
  g_assert_cmpint(hash, ==, TC_HASH_SHA1);
  g_assert_true(tc_sig_scheme_params(TC_SIG_ED25519, &alg, &hash));
  g_assert_cmpint(alg, ==, TC_SIGALG_ED25519);
  g_assert_false(tc_sig_scheme_params(0x0101, &alg, &hash)); /* MD5 */
  g_assert_false(tc_sig_scheme_params(0x0000, &alg, &hash));

  tc_privkey *k = make_rsa_key();
  const tc_pubkey *rsa = tc_privkey_pubkey(k);
  g_assert_true(tc_pubkey_fits_scheme(rsa, TC_SIG_RSA_PSS_RSAE_SHA256));
  g_assert_true(tc_pubkey_fits_scheme(rsa, TC_SIG_RSA_PSS_RSAE_SHA512));
  g_assert_true(tc_pubkey_fits_scheme(rsa, TC_SIG_RSA_PKCS1_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(rsa, TC_SIG_RSA_PSS_PSS_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(rsa, TC_SIG_ECDSA_SECP256R1_SHA256));
  g_assert_false(tc_pubkey_fits_scheme(rsa, TC_SIG_ED25519));
  g_assert_false(tc_pubkey_fits_scheme(NULL, TC_SIG_ED25519));
  tc_privkey_unref(k);
}

/* tc_aead_clear wipes exactly what keying wrote (for GCM only the part of
 * the key table nettle fills): a context filled with a marker, keyed, used
 * and cleared holds only the marker and zeros afterwards, for every AEAD
 * and whatever the marker; and it still seals and opens correctly when
 * keyed again after a clear (the known-answer tests cover the values). */
static void test_aead_clear_wipes_written(void) {
  static const tc_aead_alg algs[] = {TC_AEAD_AES128_GCM, TC_AEAD_AES256_GCM,
                                     TC_AEAD_CHACHA20_POLY1305, TC_AEAD_AES128_CCM};
  static const uint8_t fills[] = {0x00, 0xa5, 0xff};
  uint8_t key[32], nonce[12] = {1}, buf[64], tag[16];
  for (size_t i = 0; i < sizeof key; i++)
    key[i] = (uint8_t)(0x11 * i + 7);
  for (size_t a = 0; a < G_N_ELEMENTS(algs); a++)
    for (size_t f = 0; f < G_N_ELEMENTS(fills); f++) {
      tc_aead *ctx = g_malloc(sizeof *ctx);
      memset(ctx, fills[f], sizeof *ctx);
      g_assert_cmpint(tc_aead_init(ctx, algs[a], key, tc_aead_key_len(algs[a])), ==, 0);
      memset(buf, 0x42, sizeof buf);
      tc_aead_seal(ctx, nonce, key, 13, buf, sizeof buf, tag);
      g_assert_cmpint(tc_aead_open(ctx, nonce, key, 13, buf, sizeof buf, tag), ==, 0);
      g_assert_cmpuint(buf[0], ==, 0x42);
      tc_aead_clear(ctx);
      size_t kept = 0;
      for (size_t i = 0; i < sizeof ctx->state; i++) {
        g_assert_true(ctx->state[i] == 0 || ctx->state[i] == fills[f]);
        kept += ctx->state[i] == fills[f] && fills[f] != 0;
      }
      g_test_message("alg %d fill 0x%02x: %zu bytes never written", (int)algs[a], fills[f], kept);
      g_assert_cmpint(tc_aead_init(ctx, algs[a], key, tc_aead_key_len(algs[a])), ==, 0);
      tc_aead_seal(ctx, nonce, key, 13, buf, sizeof buf, tag);
      g_assert_cmpint(tc_aead_open(ctx, nonce, key, 13, buf, sizeof buf, tag), ==, 0);
      g_assert_cmpuint(buf[63], ==, 0x42);
      tc_aead_clear(ctx);
      g_free(ctx);
    }
}

/* tc_secret_tag is HMAC-SHA256(key, label || 0 || secret): checked against
 * GLib's HMAC over the same bytes; a different secret or label differs. */
static void test_secret_tag(void) {
  static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const uint8_t secret[] = "correct horse battery staple";
  uint8_t out[32], other[32];
  tc_secret_tag(key, sizeof key, "srp", secret, sizeof secret - 1, out);
  uint8_t data[4 + sizeof secret - 1];
  memcpy(data, "srp", 4);
  memcpy(data + 4, secret, sizeof secret - 1);
  GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, sizeof key);
  g_hmac_update(h, data, sizeof data);
  uint8_t want[32];
  gsize wlen = sizeof want;
  g_hmac_get_digest(h, want, &wlen);
  g_hmac_unref(h);
  g_assert_cmpmem(out, 32, want, 32);
  tc_secret_tag(key, sizeof key, "psk", secret, sizeof secret - 1, other);
  g_assert_true(memcmp(out, other, 32) != 0);
  tc_secret_tag(key, sizeof key, "srp", secret, sizeof secret - 2, other);
  g_assert_true(memcmp(out, other, 32) != 0);
  tc_secret_tag(key, sizeof key, "srp", NULL, 0, other);
  g_assert_true(memcmp(out, other, 32) != 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  dflt_drbg = tc_drbg_new();
  g_test_add_func("/crypto/util", test_util);
  g_test_add_func("/crypto/secret-tag", test_secret_tag);
  g_test_add_func("/crypto/aead/clear-wipes-written", test_aead_clear_wipes_written);
  g_test_add_func("/crypto/random", test_random);
  g_test_add_func("/crypto/random/drbg", test_drbg_basic);
  g_test_add_func("/crypto/random/config-source", test_config_rng_source);
  g_test_add_func("/crypto/random/config-lazy", test_config_rng_lazy);
  g_test_add_func("/crypto/random/drbg-reseed", test_drbg_reseed);
  g_test_add_func("/crypto/random/drbg-fork", test_drbg_fork);
  g_test_add_func("/crypto/random/drbg-getrandom-fails", test_drbg_getrandom_fails);
  g_test_add_func("/crypto/random/drbg-threads", test_drbg_threads);
  g_test_add_func("/crypto/random/failing-rng-handshake", test_failing_rng_handshake);
  g_test_add_func("/crypto/hash", test_hash);
  g_test_add_func("/crypto/hmac/rfc4231", test_hmac);
  g_test_add_func("/crypto/hkdf/rfc5869", test_hkdf);
  g_test_add_func("/crypto/hkdf/expand-label-rfc8448", test_expand_label);
  g_test_add_func("/crypto/hkdf/expand-label-keyed", test_expand_label_keyed);
  g_test_add_func("/crypto/prf", test_prf);
  g_test_add_func("/crypto/prf-ssl3", test_prf_ssl3);
  g_test_add_func("/crypto/pbkdf2", test_pbkdf2);
  g_test_add_func("/crypto/aead/gcm", test_aead_gcm);
  g_test_add_func("/crypto/aead/chacha20-poly1305", test_aead_chacha);
  g_test_add_func("/crypto/aead/ccm", test_aead_ccm);
  g_test_add_func("/crypto/cipher", test_cipher);
  g_test_add_func("/crypto/cbc-record", test_cbc_record);
  g_test_add_func("/crypto/kex/x25519", test_x25519);
  g_test_add_func("/crypto/kex/x448", test_x448);
  g_test_add_func("/crypto/kex/ecdh", test_ecdh);
  g_test_add_func("/crypto/kex/ffdhe", test_ffdhe);
  g_test_add_func("/crypto/kex/dh-custom", test_dh_custom);
  g_test_add_func("/crypto/kex/recompute", test_kex_alias);
  g_test_add_func("/crypto/srp", test_srp);
  g_test_add_func("/crypto/keys/rsa", test_rsa_keys);
  g_test_add_func("/crypto/sig/rsa", test_rsa_sign);
  g_test_add_func("/crypto/sig/rsa/matches-nettle", test_rsa_sign_matches_nettle);
  g_test_add_func("/crypto/sig/rsa/blinding-source-fails", test_rsa_sign_blinding_source_fails);
  g_test_add_func("/crypto/sig/rsa-pss-key", test_rsa_pss_key);
  g_test_add_func("/crypto/rsa/premaster", test_rsa_premaster);
  g_test_add_func("/crypto/sig/ecdsa", test_ecdsa);
  g_test_add_func("/crypto/sig/ed25519", test_ed25519);
  g_test_add_func("/crypto/sig/ed448", test_ed448);
  g_test_add_func("/crypto/sig/schemes", test_schemes);
  int rc = g_test_run();
  tc_drbg_free(dflt_drbg);
  return rc;
}
