/* Benchmark: SRP verifier look-ups per second from a 100 000-user SQLite store under concurrent readers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "store/store_internal.h"

/* Usage: bench-store [--users N] [--readers R] [--seconds S] [--db PATH]
 * Builds PATH (default: a fresh file under /tmp) with N users of 2048-bit
 * verifiers unless it already holds N users, then runs R threads, each
 * with its own connection (tc_store_open per thread, read-only), doing
 * tc_store_srp_lookup of random existing names for S seconds. Prints
 * look-ups per second, total and per reader. Target (issue 9): >= 20 000/s
 * with 4 readers. */

static double cpu_now(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned users = 100000, readers = 4;
static double seconds = 5;
static const char *path;
static volatile int go, stop;

typedef struct {
  unsigned id;
  unsigned long lookups, missing;
  int failed;
} reader;

static void name_of(unsigned i, char *buf, size_t cap) {
  snprintf(buf, cap, "user%06u@example.org", i);
}

static void *run_reader(void *arg) {
  reader *r = arg;
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, TC_STORE_SRP, TC_STORE_READONLY, &err);
  if (!st) {
    fprintf(stderr, "reader %u: %s\n", r->id, err.message);
    r->failed = 1;
    return NULL;
  }
  uint64_t x = 0x9e3779b97f4a7c15ull * (r->id + 1);
  tc_srp_verifier v;
  while (!go)
    usleep(100);
  while (!stop) {
    for (int k = 0; k < 64; k++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      char name[40];
      name_of((unsigned)(x % users), name, sizeof name);
      int rc = tc_store_srp_lookup(st, (const uint8_t *)name, strlen(name), &v, &err);
      if (rc == TC_FAIL) {
        fprintf(stderr, "reader %u: %s\n", r->id, err.message);
        r->failed = 1;
        tc_store_close(st);
        return NULL;
      }
      if (rc != TC_OK)
        r->missing++;
      r->lookups++;
    }
  }
  tc_store_close(st);
  return NULL;
}

static int build(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, TC_STORE_SRP, TC_STORE_CREATE, &err);
  if (!st) {
    fprintf(stderr, "%s\n", err.message);
    return -1;
  }
  size_t have = 0;
  tc_store_count(st, &have, &err);
  if (have == users) {
    tc_store_close(st);
    return 0;
  }
  double t0 = now();
  /* One real verifier (one modexp), reused with per-user salts: the look-up
   * cost does not depend on the verifier's value. Written in batches of
   * 10 000 per transaction through the backend directly, since one
   * transaction per user (the public add) would time the disk, not the
   * look-ups. */
  tc_srp_verifier base;
  const uint8_t salt0[16] = {0};
  if (tc_srp_compute_verifier((const uint8_t *)"u", 1, (const uint8_t *)"pw", 2, 2048, salt0, 16,
                              &base, &err) != TC_OK) {
    fprintf(stderr, "%s\n", err.message);
    return -1;
  }
  enum { BATCH = 10000 };
  tc_srp_verifier *recs = malloc(BATCH * sizeof *recs);
  tcs_entry *ents = malloc(BATCH * sizeof *ents);
  char (*names)[40] = malloc(BATCH * sizeof *names);
  if (!recs || !ents || !names)
    return -1;
  for (unsigned start = 0; start < users; start += BATCH) {
    unsigned n = users - start < BATCH ? users - start : BATCH;
    for (unsigned i = 0; i < n; i++) {
      recs[i] = base;
      memcpy(recs[i].salt, &(uint32_t){start + i}, 4);
      name_of(start + i, names[i], sizeof names[i]);
      ents[i] = (tcs_entry){.name = (const uint8_t *)names[i], .name_len = strlen(names[i]),
                            .srp = &recs[i]};
    }
    if (st->be->put(st, ents, n, TCS_UPSERT, &err) != TC_OK) {
      fprintf(stderr, "%s\n", err.message);
      return -1;
    }
  }
  free(recs);
  free(ents);
  free(names);
  tc_store_count(st, &have, &err);
  tc_store_close(st);
  printf("built %s: %zu users in %.1f s\n", path, have, now() - t0);
  return have == users ? 0 : -1;
}

int main(int argc, char **argv) {
  char tmp[] = "/tmp/bench-store-XXXXXX";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--users") && i + 1 < argc)
      users = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--readers") && i + 1 < argc)
      readers = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = strtod(argv[++i], NULL);
    else if (!strcmp(argv[i], "--db") && i + 1 < argc)
      path = argv[++i];
    else {
      fprintf(stderr, "usage: %s [--users N] [--readers R] [--seconds S] [--db PATH]\n", argv[0]);
      return 2;
    }
  }
  char dbpath[64];
  if (!path) {
    if (!mkdtemp(tmp))
      return 1;
    snprintf(dbpath, sizeof dbpath, "%s/users.db", tmp);
    path = dbpath;
  }
  if (users == 0 || readers == 0 || readers > 64 || build() != 0)
    return 1;
  reader *rs = calloc(readers, sizeof *rs);
  pthread_t *th = calloc(readers, sizeof *th);
  for (unsigned i = 0; i < readers; i++) {
    rs[i].id = i;
    pthread_create(&th[i], NULL, run_reader, &rs[i]);
  }
  usleep(200000); /* all opened */
  double t0 = now(), c0 = cpu_now();
  go = 1;
  usleep((useconds_t)(seconds * 1e6));
  stop = 1;
  double dt = now() - t0;
  unsigned long total = 0, missing = 0;
  int failed = 0;
  for (unsigned i = 0; i < readers; i++) {
    pthread_join(th[i], NULL);
    total += rs[i].lookups;
    missing += rs[i].missing;
    failed |= rs[i].failed;
  }
  double cpu = cpu_now() - c0;
  /* On a shared machine the wall-clock rate depends on how much CPU the
   * readers got; the rate per CPU second says what the code costs. */
  printf("%u users, %u readers, %.1f s: %.0f look-ups/s (%.0f per reader), %lu not found; "
         "%.2f CPU s used: %.0f look-ups per CPU second\n",
         users, readers, dt, (double)total / dt, (double)total / dt / readers, missing, cpu,
         (double)total / cpu);
  if (path == dbpath) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", tmp);
  }
  free(rs);
  free(th);
  return failed || missing ? 1 : 0;
}
