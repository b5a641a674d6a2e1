/* Randomness: the default userspace generator (ChaCha20, fork-safe, seeded from getrandom), the caller's tc_rng, and the bridge for nettle. */
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <nettle/chacha.h>

#include "crypto/crypto_internal.h"

static int system_random(uint8_t *out, size_t len) {
  while (len > 0) {
    ssize_t got = getrandom(out, len, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    out += got;
    len -= (size_t)got;
  }
  return 0;
}

/*
 * The generator is "fast key erasure" over nettle's ChaCha20 (Bernstein 2017;
 * the construction of Linux's crng and OpenBSD's arc4random): a refill runs
 * ChaCha20 under the current key with a zero nonce, the first 32 bytes become
 * the next key at once and the rest is served, each byte wiped as it is
 * handed out. Whoever reads the state later learns nothing about output
 * already served. Chosen over nettle's Yarrow-256 because Yarrow pays an
 * AES-256 key schedule per request and entropy-estimation bookkeeping we do
 * not need (the kernel does the pooling), while a ChaCha20 refill is a few
 * hundred cycles and the key is one-use by construction.
 *
 * A draw of a few dozen bytes (randoms, session ids, X25519 keys, nonces)
 * copies out of the buffer under the lock. A larger one (RSA blinding,
 * DH exponents, bulk test draws) only takes a fresh 32-byte key from the
 * buffer under the lock and runs its own keystream outside it, so the
 * critical section stays a memcpy or one refill.
 *
 * Fork safety: the state, its mutex included, lives in its own page marked
 * MADV_WIPEONFORK, so a child sees zeros: `seeded` reads 0 and the first draw
 * reseeds from getrandom; the zeroed mutex is a valid unlocked one (checked
 * against PTHREAD_MUTEX_INITIALIZER), even if a parent thread held it at the
 * fork. Without that page (old kernel, mmap failure) every draw goes straight
 * to getrandom, as before this generator existed.
 */
#define DRBG_KEY_LEN CHACHA_KEY_SIZE
#define DRBG_BUF_LEN (5 * CHACHA_BLOCK_SIZE) /* next key + 288 bytes of output */
#define DRBG_SMALL 64                          /* larger draws get a one-time key */

typedef struct drbg_state {
  pthread_mutex_t lock;
  uint32_t seeded;             /* 0 in a new page and in a forked child's copy */
  uint8_t key[DRBG_KEY_LEN];
  uint8_t buf[DRBG_BUF_LEN];   /* buf[pos..] unserved output; buf[..pos] zero */
  size_t pos;
  uint64_t bytes, requests;    /* since the last (re)seed */
  uint64_t reseeds;
} drbg_state;

struct tc_drbg {
  atomic_int refs;
  drbg_state *st;              /* NULL: every draw is a getrandom call */
  size_t map_len;
};

/* len bytes of the ChaCha20 keystream of key (zero nonce) into out. */
static void keystream(const uint8_t key[DRBG_KEY_LEN], uint8_t *out, size_t len) {
  static const uint8_t zero_nonce[CHACHA_NONCE_SIZE];
  struct chacha_ctx ctx;
  chacha_set_key(&ctx, key);
  chacha_set_nonce(&ctx, zero_nonce);
  memset(out, 0, len);
  chacha_crypt(&ctx, len, out, out);
  tc_wipe(&ctx, sizeof ctx);
}

static void refill(drbg_state *s) {
  keystream(s->key, s->buf, DRBG_BUF_LEN);
  memcpy(s->key, s->buf, DRBG_KEY_LEN);
  tc_wipe(s->buf, DRBG_KEY_LEN);
  s->pos = DRBG_KEY_LEN;
}

static void take(drbg_state *s, uint8_t *out, size_t len) {
  while (len > 0) {
    if (s->pos == DRBG_BUF_LEN)
      refill(s);
    size_t n = DRBG_BUF_LEN - s->pos;
    if (n > len)
      n = len;
    memcpy(out, s->buf + s->pos, n);
    tc_wipe(s->buf + s->pos, n);
    s->pos += n;
    out += n;
    len -= n;
  }
}

/* A new key straight from the kernel; buffered output of the old key is dropped. */
static int reseed(drbg_state *s) {
  uint8_t seed[DRBG_KEY_LEN];
  if (system_random(seed, sizeof seed) != 0)
    return -1;
  memcpy(s->key, seed, sizeof seed);
  tc_wipe(seed, sizeof seed);
  tc_wipe(s->buf, sizeof s->buf);
  s->pos = DRBG_BUF_LEN;
  s->bytes = 0;
  s->requests = 0;
  s->reseeds++;
  s->seeded = 1;
  return 0;
}

/* The child of a fork sees the page zeroed: that must be an unlocked mutex. */
static bool zero_mutex_is_initializer(void) {
  static const pthread_mutex_t init = PTHREAD_MUTEX_INITIALIZER;
  static const uint8_t zero[sizeof(pthread_mutex_t)];
  return memcmp(&init, zero, sizeof zero) == 0;
}

static void drbg_init(tc_drbg *d) {
  d->st = NULL;
  d->map_len = 0;
#ifdef MADV_WIPEONFORK
  if (!zero_mutex_is_initializer())
    return;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    return;
  size_t len = (sizeof(drbg_state) + (size_t)page - 1) / (size_t)page * (size_t)page;
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return;
  if (madvise(p, len, MADV_WIPEONFORK) != 0) {
    munmap(p, len);
    return;
  }
#ifdef MADV_DONTDUMP
  (void)madvise(p, len, MADV_DONTDUMP); /* keys stay out of core dumps; best effort */
#endif
  drbg_state *s = p;
  if (pthread_mutex_init(&s->lock, NULL) != 0) {
    munmap(p, len);
    return;
  }
  d->st = s;
  d->map_len = len;
#endif
}

tc_drbg *tc_drbg_new(void) {
  tc_drbg *d = malloc(sizeof *d);
  if (d) {
    atomic_init(&d->refs, 1);
    drbg_init(d);
  }
  return d;
}

tc_drbg *tc_drbg_ref(tc_drbg *d) {
  if (d)
    atomic_fetch_add(&d->refs, 1);
  return d;
}

void tc_drbg_free(tc_drbg *d) {
  if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
    return;
  if (d->st) {
    pthread_mutex_destroy(&d->st->lock);
    tc_wipe(d->st, sizeof *d->st);
    munmap(d->st, d->map_len);
  }
  free(d);
}

int tc_drbg_generate(tc_drbg *d, uint8_t *out, size_t len) {
  if (len == 0)
    return 0;
  drbg_state *s = d->st;
  if (!s)
    return system_random(out, len);
  uint8_t one_time[DRBG_KEY_LEN];
  bool large = len > DRBG_SMALL;
  pthread_mutex_lock(&s->lock);
  if (!s->seeded || s->bytes >= TC_DRBG_RESEED_BYTES || s->requests >= TC_DRBG_RESEED_REQUESTS) {
    if (reseed(s) != 0) {
      pthread_mutex_unlock(&s->lock);
      return -1;
    }
  }
  s->requests++;
  s->bytes += len;
  if (large)
    take(s, one_time, sizeof one_time);
  else
    take(s, out, len);
  pthread_mutex_unlock(&s->lock);
  if (large) {
    keystream(one_time, out, len);
    tc_wipe(one_time, sizeof one_time);
  }
  return 0;
}

bool tc_drbg_fork_safe(const tc_drbg *d) { return d->st != NULL; }

uint64_t tc_drbg_reseeds(tc_drbg *d) {
  if (!d->st)
    return 0;
  pthread_mutex_lock(&d->st->lock);
  uint64_t n = d->st->reseeds;
  pthread_mutex_unlock(&d->st->lock);
  return n;
}

int tc_drbg_rng_fn(void *ctx, uint8_t *out, size_t len) {
  return tc_drbg_generate(ctx, out, len);
}

int tc_random(const tc_rng *rng, uint8_t *out, size_t len) {
  if (len == 0)
    return 0;
  if (rng != NULL && rng->fn != NULL)
    return rng->fn(rng->ctx, out, len) == 0 ? 0 : -1;
  return system_random(out, len);
}

void tc_nettle_random(void *ctx, size_t len, uint8_t *out) {
  tc_nettle_rng *r = ctx;
  if (tc_random(r->rng, out, len) != 0) {
    /* nettle loops until it gets a usable value (e.g. a nonzero scalar
     * below q), so hand it a harmless constant; the operation's result is
     * thrown away because `failed` is set. */
    r->failed = true;
    memset(out, 0x5a, len);
  }
}
