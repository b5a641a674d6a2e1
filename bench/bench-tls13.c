/* In-memory TLS 1.3 benchmark: handshakes/s per side, resumption and bulk MB/s vs crypto floor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/srp_groups.h"
#include "crypto/crypto.h"
#include "handshake/keysched.h"
#include "tlscore/conn.h"

/*
 * Every engine figure is set against a "floor": the same nettle-level work
 * done alone through crypto.h (signatures, verifications, key exchange,
 * key schedule, transcript hashing, AEAD set-up and record protection), with
 * no parsing, state machine or buffering. The ratio engine/floor is what the
 * engine itself costs. See bench/README.md.
 */

/* ---- timing ---- */

/* Every span, engine and floor alike, is read from CLOCK_MONOTONIC: a vDSO
 * read of ~30 ns. The CPU-time clock is a system call (~1 us on the VM these
 * figures come from), too coarse and too disturbing to bracket spans of a
 * few microseconds; with --cpu it only brackets whole batches, to drop those
 * in which this thread did not have the CPU all the time (see bench/README.md,
 * "How it is timed"). */
static bool cpu_mode;
/* Cost of one now() call, subtracted once per timed span. */
static double clock_cost;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A batch's wall and CPU time, to tell (with --cpu) whether the thread was
 * descheduled during it: CPU time covers the wall span plus part of the two
 * CPU-clock system calls, so it can only fall short of the wall time if the
 * thread (or its virtual CPU) lost the processor. Interrupts (the timer
 * tick: a few microseconds every few milliseconds) are not charged to the
 * thread either, so a batch may lose up to 2% of its wall time: that keeps
 * the long batches (RSA, SRP: tens of milliseconds, several ticks each),
 * and still drops a 40 us batch hit by a tick, or any batch that lost its
 * CPU to another thread for a time slice. */
typedef struct {
  double w0, c0;
} batch_clock;
static unsigned long batches_total, batches_dropped;

static void batch_start(batch_clock *b) {
  if (cpu_mode)
    b->c0 = cpu_now();
  b->w0 = now();
}

static bool batch_clean(const batch_clock *b) {
  if (!cpu_mode)
    return true;
  double w = now() - b->w0;
  double c = cpu_now() - b->c0;
  batches_total++;
  if (w - c <= 0.02 * w)
    return true;
  batches_dropped++;
  return false;
}

static void calibrate_clock(void) {
  double best = 1;
  for (int r = 0; r < 5; r++) {
    double t0 = now();
    for (int i = 0; i < 10000; i++)
      (void)now();
    double c = (now() - t0) / 10001;
    if (c < best)
      best = c;
  }
  clock_cost = best;
}

/* Time spent inside engine calls, per connection side. */
typedef struct {
  double t;
} meter;

/* m == NULL: untimed (the caller times a larger span itself). */
#define TIMED(m, expr)                                                                             \
  do {                                                                                             \
    if (!(m)) {                                                                                    \
      expr;                                                                                        \
      break;                                                                                       \
    }                                                                                              \
    double t0_ = now();                                                                            \
    expr;                                                                                          \
    (m)->t += now() - t0_ - clock_cost;                                                            \
  } while (0)

static void die(const char *what, const tc_error *e) {
  fprintf(stderr, "bench-tls13: %s: %s\n", what, e ? e->message : "failed");
  exit(1);
}

/* ---- data ---- */

static unsigned char *read_file(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", BENCH_DATA_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(1);
  }
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  size_t k;
  while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf)
    die("out of memory", NULL);
  *len = n;
  return buf;
}

typedef struct {
  tc_cert **certs;
  size_t n;
  tc_privkey *key;
  tc_cert *ca;
} identity;

static void identity_load(identity *id, const char *cert, const char *key, const char *ca) {
  tc_error err;
  tc_error_clear(&err);
  size_t len;
  unsigned char *d = read_file(cert, &len);
  id->n = tc_certs_parse(d, len, &id->certs, &err);
  free(d);
  if (id->n == 0)
    die(cert, &err);
  d = read_file(key, &len);
  id->key = tc_privkey_parse(d, len, NULL, &err);
  free(d);
  if (!id->key)
    die(key, &err);
  tc_cert **cas;
  d = read_file(ca, &len);
  size_t n = tc_certs_parse(d, len, &cas, &err);
  free(d);
  if (n != 1)
    die(ca, &err);
  id->ca = cas[0];
  free(cas);
}

static tc_config *server_config(const identity *id, unsigned tickets) {
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  tc_error err;
  tc_error_clear(&err);
  if (!cfg || tc_config_add_cert_chain(cfg, id->certs, id->n, id->key, &err) != TC_OK)
    die("server config", &err);
  tc_config_set_tickets(cfg, tickets, 7200);
  return cfg;
}

static tc_config *client_config(const identity *id, uint16_t suite) {
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_error err;
  tc_error_clear(&err);
  tc_trust_store *ts = tc_trust_store_new();
  if (!cfg || !ts || tc_trust_store_add(ts, id->ca) != TC_OK)
    die("client config", NULL);
  tc_config_set_trust_store(cfg, ts);
  tc_trust_store_unref(ts);
  static const uint16_t x25519 = TC_GROUP_X25519;
  if (tc_config_set_groups(cfg, &x25519, 1, &err) != TC_OK ||
      tc_config_set_cipher_suites(cfg, &suite, 1, &err) != TC_OK)
    die("client config", &err);
  return cfg;
}

/* ---- an in-memory pair whose calls are timed per side ---- */

typedef struct {
  tc_conn *c, *s;
  meter mc, ms;
  size_t bytes; /* handshake bytes on the wire, both ways */
} pair;

/* Move all output of `from` into `to` (untimed; the bulk rows time whole
 * round trips themselves). Returns bytes moved. */
static size_t move(tc_conn *from, tc_conn *to) {
  size_t total = 0;
  for (;;) {
    size_t len = 0;
    const uint8_t *p = tc_conn_output(from, &len);
    if (!p || len == 0)
      return total;
    size_t off = 0;
    while (off < len) {
      size_t used = 0;
      if (tc_conn_feed(to, p + off, len - off, &used) == TC_FAIL)
        die("feed", tc_conn_error(to));
      if (used == 0)
        die("feed: no progress", NULL);
      off += used;
    }
    tc_conn_output_ack(from, len);
    total += len;
  }
}

/* One side's turn, as an event loop runs it: acknowledge the output the
 * peer took in its last turn, feed what the peer sent, look at the status
 * and take the new output (left unacknowledged until the peer has read it,
 * like bytes handed to a socket). Only tc_conn_* calls of this side. */
/* The SRP rows' "database": the server's verifier want is answered with this
 * (a memory copy, as a cached look-up would be). */
static const tc_srp_verifier *bench_srp_verifier;

static const uint8_t *turn(tc_conn *x, size_t acked, const uint8_t *in, size_t in_len,
                           size_t *out_len, unsigned *status) {
  if (acked)
    tc_conn_output_ack(x, acked);
  for (size_t off = 0; off < in_len;) {
    size_t used = 0;
    if (tc_conn_feed(x, in + off, in_len - off, &used) == TC_FAIL || used == 0)
      break; /* reported through the status */
    off += used;
  }
  *status = tc_conn_status(x);
  if ((*status & TC_S_WANT) && tc_conn_want(x) == TC_WANT_SRP_VERIFIER && bench_srp_verifier) {
    tc_conn_answer_srp_verifier(x, bench_srp_verifier);
    *status = tc_conn_status(x);
  }
  *out_len = 0;
  return tc_conn_output(x, out_len);
}

/* A handshake as two event loops would run it, taking turns. Each turn is
 * timed as one span for its side (a clock read per tc_conn_* call would
 * cost more than some of the calls: on some systems the CPU-time clock is a
 * system call). */
static void pair_handshake(pair *p, tc_config *ccfg, tc_config *scfg, tc_session *sess) {
  tc_error err;
  tc_error_clear(&err);
  p->bytes = 0;
  const uint8_t *co = NULL, *so = NULL;
  size_t cl = 0, sl = 0, cacked = 0, sacked = 0;
  unsigned cst = 0, sst = 0;
  double t0 = now();
  p->c = tc_conn_new(ccfg, &err);
  if (p->c) {
    tc_conn_set_server_name(p->c, "localhost");
    if (sess)
      tc_conn_set_session(p->c, sess);
    co = turn(p->c, 0, NULL, 0, &cl, &cst);
  }
  p->mc.t += now() - t0 - clock_cost;
  if (!p->c)
    die("tc_conn_new", &err);
  for (int round = 0; round < 50; round++) {
    if (cst & TC_S_FAILED)
      die("handshake", tc_conn_error(p->c));
    t0 = now();
    if (!p->s)
      p->s = tc_conn_new(scfg, &err);
    if (p->s)
      so = turn(p->s, sacked, co, cl, &sl, &sst);
    p->ms.t += now() - t0 - clock_cost;
    if (!p->s)
      die("tc_conn_new", &err);
    if (sst & TC_S_FAILED)
      die("handshake", tc_conn_error(p->s));
    cacked = cl;
    sacked = sl;
    p->bytes += cl + sl;
    t0 = now();
    co = turn(p->c, cacked, so, sl, &cl, &cst);
    p->mc.t += now() - t0 - clock_cost;
    if (cst & TC_S_FAILED)
      die("handshake", tc_conn_error(p->c));
    if (cl == 0 && sl == 0) {
      if (!(cst & TC_S_READY) || !(sst & TC_S_READY))
        die("handshake stalled", NULL);
      return;
    }
  }
  die("handshake: too many rounds", NULL);
}

static void pair_free(pair *p) {
  TIMED(&p->mc, tc_conn_free(p->c));
  TIMED(&p->ms, tc_conn_free(p->s));
  p->c = p->s = NULL;
}

/* ---- crypto floors ---- */

/* The floors draw their randomness the way the engine does: from a userspace
 * generator (a tc_config draws from its own tc_drbg), not from a getrandom
 * system call per draw, which would make the floors slower than the engine
 * for reasons that are not cryptography. Made in main(). */
static tc_rng floor_rng;

static uint8_t junk[65536];

/* The key schedule and transcript work of one full handshake (either side),
 * as RFC 8446 §7 needs it: 3 extracts, 9 Derive-Secrets (with the two
 * "derived"), 4 key/iv pairs, 2 Finished MACs, the transcript hashed once
 * with a snapshot per derivation, and 4 AEAD key set-ups with the handshake
 * records protected once. */
static void floor_schedule(tc_hash_alg hash, tc_aead_alg aead, size_t key_len,
                           size_t transcript_bytes, const uint8_t *psk, size_t psk_len) {
  tc_ks ks;
  uint8_t th[64] = {0}, s1[64], s2[64], key[32], iv[12], vd[64];
  tc_hash_ctx h, snap;
  tc_hash_init(&h, hash);
  tc_hash_update(&h, junk, transcript_bytes);
  tc_ks_early(&ks, hash, psk, psk_len);
  if (psk) {
    /* The binder is the HMAC of Transcript-Hash(Truncated(ClientHello))
     * (RFC 8446 §4.2.11.2): one more snapshot of the transcript, finished,
     * on either side (the client computes it, the server checks it). */
    uint8_t bk[64];
    snap = h;
    tc_hash_final(&snap, th);
    tc_ks_binder_key(&ks, TC_BINDER_RES, bk);
    tc_ks_finished(hash, bk, th, vd);
  }
  tc_ks_handshake(&ks, junk, 32);
  for (int i = 0; i < 3; i++) { /* CH..SH, CH..CV, CH..SF snapshots */
    snap = h;
    tc_hash_final(&snap, th);
  }
  tc_ks_derive(&ks, "c hs traffic", th, s1);
  tc_ks_derive(&ks, "s hs traffic", th, s2);
  tc_ks_traffic_keys(hash, s1, key_len, key, iv);
  tc_ks_traffic_keys(hash, s2, key_len, key, iv);
  tc_ks_finished(hash, s2, th, vd);
  tc_ks_master(&ks);
  tc_ks_derive(&ks, "c ap traffic", th, s1);
  tc_ks_derive(&ks, "s ap traffic", th, s2);
  tc_ks_derive(&ks, "exp master", th, vd);
  tc_ks_traffic_keys(hash, s1, key_len, key, iv);
  tc_ks_traffic_keys(hash, s2, key_len, key, iv);
  snap = h;
  tc_hash_final(&snap, th);
  tc_ks_finished(hash, s1, th, vd);
  tc_ks_derive(&ks, "res master", th, s1);
  tc_hash_final(&h, th);
  static tc_aead a;
  uint8_t tag[16];
  for (int i = 0; i < 4; i++) {
    tc_aead_init(&a, aead, key, key_len);
    if (i < 2)
      tc_aead_seal(&a, iv, junk, 5, junk + 1024, transcript_bytes / 2, tag);
  }
  tc_aead_clear(&a);
  tc_ks_clear(&ks);
}

/* The ticket key's AES-256-GCM context. The engine derives a ticket key
 * once per key period and keeps it keyed (auth/ticket.c, 007f1c7): sealing
 * or opening a ticket costs a nonce set-up and the AEAD over the state, not
 * an AES key schedule and GHASH set-up. The floors do the same, keyed once
 * here at first use (before 007f1c7 they keyed it per ticket, as the engine
 * then did). */
static tc_aead *floor_ticket_aead(void) {
  static tc_aead a;
  static bool keyed;
  if (!keyed) {
    if (tc_aead_init(&a, TC_AEAD_AES256_GCM, junk + 200, 32) != 0)
      die("ticket key", NULL);
    keyed = true;
  }
  return &a;
}

/* Open a ~100-byte ticket state (the server of a resumption by ticket). */
static void floor_ticket_open(void) {
  uint8_t iv[12] = {0}, tag[16] = {0};
  (void)tc_aead_open(floor_ticket_aead(), iv, NULL, 0, junk + 4096, 100, tag);
}

/* One session ticket's crypto: resumption PSK, ticket_age_add and nonce,
 * the state sealed under the period's key (derived and keyed once per key
 * period, so not per ticket). */
static void floor_ticket(tc_hash_alg hash) {
  uint8_t psk[64], rnd[16], tag[16];
  tc_ks_resumption_psk(hash, junk, junk + 64, 1, psk);
  tc_random(&floor_rng, rnd, 4);
  tc_random(&floor_rng, rnd + 4, 12);
  tc_aead_seal(floor_ticket_aead(), rnd + 4, NULL, 0, junk + 2048, 100, tag);
}

/* The Hello random a side draws (client: random + legacy_session_id; the
 * key shares' private keys are drawn inside tc_kex_generate). */
static void floor_hello_random(bool client) {
  uint8_t rnd[64];
  tc_random(&floor_rng, rnd, client ? 64 : 32);
}

typedef struct {
  const identity *id;
  tc_sigalg sigalg;
  tc_hash_alg sighash;
  uint8_t sig[1024];
  size_t sig_len;
  uint8_t content[130];
  size_t transcript_bytes;
  unsigned tickets;
} floor_ctx;

static void floor_kex(void) {
  tc_kex k;
  uint8_t pub[133], peer[133], sec[66];
  size_t pub_len = sizeof pub, peer_len, sec_len = sizeof sec;
  tc_kex_generate(&k, TC_GROUP_X25519, &floor_rng, pub, &pub_len);
  /* the peer's share: any valid point; reuse our own */
  memcpy(peer, pub, pub_len);
  peer_len = pub_len;
  if (tc_kex_derive(&k, peer, peer_len, sec, &sec_len) != 0)
    die("kex", NULL);
  tc_kex_clear(&k);
}

static void floor_server_full(floor_ctx *f) {
  floor_hello_random(false);
  floor_kex();
  uint8_t sig[1024];
  size_t sig_len = sizeof sig;
  if (tc_pk_sign(f->id->key, f->sigalg, f->sighash, &floor_rng, f->content, sizeof f->content, sig,
                 &sig_len) != 0)
    die("sign", NULL);
  floor_schedule(TC_HASH_SHA256, TC_AEAD_AES128_GCM, 16, f->transcript_bytes, NULL, 0);
  for (unsigned i = 0; i < f->tickets; i++)
    floor_ticket(TC_HASH_SHA256);
}

static void floor_client_full(floor_ctx *f) {
  floor_hello_random(true);
  floor_kex();
  if (tc_pk_verify(tc_cert_pubkey(f->id->certs[0]), f->sigalg, f->sighash, f->content,
                   sizeof f->content, f->sig, f->sig_len) != 0)
    die("verify", NULL);
  if (tc_cert_verify_signed_by(f->id->certs[0], f->id->ca) != 0)
    die("chain verify", NULL);
  floor_schedule(TC_HASH_SHA256, TC_AEAD_AES128_GCM, 16, f->transcript_bytes, NULL, 0);
  for (unsigned i = 0; i < f->tickets; i++) { /* the client derives each ticket's PSK */
    uint8_t psk[64];
    tc_ks_resumption_psk(TC_HASH_SHA256, junk, junk + 64, 1, psk);
  }
}

static void floor_resumed(floor_ctx *f, bool server) {
  floor_hello_random(!server);
  floor_kex();
  static const uint8_t psk[32];
  if (server) /* open the ticket (the period key is derived and keyed once per period) */
    floor_ticket_open();
  floor_schedule(TC_HASH_SHA256, TC_AEAD_AES128_GCM, 16, f->transcript_bytes, psk, 32);
  for (unsigned i = 0; i < f->tickets; i++) {
    if (server)
      floor_ticket(TC_HASH_SHA256);
    else {
      uint8_t p2[64];
      tc_ks_resumption_psk(TC_HASH_SHA256, junk, junk + 64, 1, p2);
    }
  }
}

/* ---- report ---- */

/* Per-operation time of the fastest batch. */
/* Operations per batch: small, so that some batches run undisturbed even on
 * a busy machine (one handshake: a batch of four RSA handshakes with their
 * floors takes ~16 ms, more than a time slice when the machine is busy);
 * the fastest batch counts for engine and floor alike. With --cpu only
 * clean batches count (batch_clean); if none was clean, the fastest of all,
 * with a warning. (The median batch was tried: under load it carries the
 * contention that slows the engine more than the floor, 1.04-1.14 for the
 * full ECDSA server row where the fastest gives 1.02-1.04, and it does not
 * remove the odd run whose every floor is slow, which the median over
 * several runs does.) */
#define HS_BATCH 1
#define BULK_BATCH 16
typedef struct {
  double clean, any;
} batch_min;
#define BATCH_MIN_INIT                                                                             \
  { 1e30, 1e30 }
static void batch_min_add(batch_min *m, double total, unsigned count, bool clean) {
  double t = total / count;
  if (t < m->any)
    m->any = t;
  if (clean && t < m->clean)
    m->clean = t;
}

static double per_op(const batch_min *m) {
  if (m->clean < 1e30)
    return m->clean;
  fprintf(stderr, "warning: no batch ran without losing the CPU; using the fastest of all\n");
  return m->any;
}

static void row(const char *name, unsigned n, double engine_per_op, double floor_per_op,
                const char *target) {
  printf("%-48s %7u %12.1f %12.1f %8.3f  %s\n", name, n, 1.0 / engine_per_op, 1.0 / floor_per_op,
         engine_per_op / floor_per_op, target);
}

static void header(const char *unit) {
  printf("\n%-48s %7s %12s %12s %8s  %s\n", "", "count", unit, "floor", "time x", "target");
}

/* ---- handshakes ---- */

/* The handshake measurement every handshake row shares: n handshakes of the
 * pair, each with its two floors, each handshake a batch of its own
 * (HS_BATCH); the fastest batch of each of the four counts (the least
 * disturbed by other load on the machine). The order within a batch turns
 * over from one handshake to the next: engine first or floors first (the
 * first runs just after the --cpu clock's system call, and just after the
 * other's code and data filled the caches), server floor or client floor
 * first (the second runs after much the same code). With *sess, each
 * handshake offers it; with renew, the newest session the client got
 * replaces it (TLS 1.3 tickets are single-use friendly). Returns how many
 * handshakes the server resumed. */
typedef void (*floor_fn)(void *ctx, bool server);
typedef struct {
  batch_min es, ec, fs, fc;
} hs_times;

static void floors(floor_fn floor, void *ctx, bool server_first, double *tfs, double *tfc) {
  double t0 = now();
  floor(ctx, server_first);
  double t1 = now();
  floor(ctx, !server_first);
  double t2 = now();
  *tfs += (server_first ? t1 - t0 : t2 - t1) - clock_cost;
  *tfc += (server_first ? t2 - t1 : t1 - t0) - clock_cost;
}

static unsigned measure_handshakes(tc_config *ccfg, tc_config *scfg, tc_session **sess,
                                   bool renew, floor_fn floor, void *ctx, unsigned n,
                                   hs_times *out) {
  pair p;
  unsigned resumed = 0, k = 0;
  out->es = out->ec = out->fs = out->fc = (batch_min)BATCH_MIN_INIT;
  for (unsigned b = 0; b < n / HS_BATCH; b++) {
    double tes = 0, tec = 0, tfs = 0, tfc = 0;
    batch_clock bc;
    batch_start(&bc);
    for (unsigned i = 0; i < HS_BATCH; i++, k++) {
      bool floors_first = (k & 1) != 0, server_first = (k & 2) == 0;
      if (floors_first)
        floors(floor, ctx, server_first, &tfs, &tfc);
      memset(&p, 0, sizeof p);
      pair_handshake(&p, ccfg, scfg, sess ? *sess : NULL);
      resumed += tc_conn_resumed(p.s);
      if (renew) {
        tc_session *next = tc_conn_get_session(p.c);
        if (next && next != *sess) {
          tc_session_unref(*sess);
          *sess = next;
        } else if (next) {
          tc_session_unref(next);
        }
      }
      pair_free(&p);
      tes += p.ms.t;
      tec += p.mc.t;
      if (!floors_first)
        floors(floor, ctx, server_first, &tfs, &tfc);
    }
    bool clean = batch_clean(&bc);
    batch_min_add(&out->es, tes, HS_BATCH, clean);
    batch_min_add(&out->ec, tec, HS_BATCH, clean);
    batch_min_add(&out->fs, tfs, HS_BATCH, clean);
    batch_min_add(&out->fc, tfc, HS_BATCH, clean);
  }
  return resumed;
}

static void floor_full_fn(void *ctx, bool server) {
  if (server)
    floor_server_full(ctx);
  else
    floor_client_full(ctx);
}

static void floor_resumed_fn(void *ctx, bool server) { floor_resumed(ctx, server); }


static void bench_full(const char *label, const char *cert, const char *key, const char *ca,
                       tc_sigalg sigalg, unsigned n) {
  identity id;
  identity_load(&id, cert, key, ca);
  const unsigned tickets = 0; /* full-handshake rows: no tickets (see README) */
  tc_config *scfg = server_config(&id, tickets);
  tc_config *ccfg = client_config(&id, TC_TLS_AES_128_GCM_SHA256);

  /* warm-up and handshake size */
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  size_t hs_bytes = p.bytes;
  pair_free(&p);

  floor_ctx f;
  memset(&f, 0, sizeof f);
  f.id = &id;
  f.sigalg = sigalg;
  f.sighash = TC_HASH_SHA256;
  f.transcript_bytes = hs_bytes;
  f.tickets = tickets;
  memset(f.content, 0x20, sizeof f.content);
  f.sig_len = sizeof f.sig;
  if (tc_pk_sign(id.key, sigalg, TC_HASH_SHA256, NULL, f.content, sizeof f.content, f.sig,
                 &f.sig_len) != 0)
    die("sign", NULL);

  hs_times t;
  measure_handshakes(ccfg, scfg, NULL, false, floor_full_fn, &f, n, &t);
  batch_min es = t.es, ec = t.ec, fs = t.fs, fc = t.fc;

  char name[128];
  snprintf(name, sizeof name, "full handshake, server (%s)", label);
  row(name, n, per_op(&es), per_op(&fs), "<= 1.10x");
  snprintf(name, sizeof name, "full handshake, client (%s)", label);
  row(name, n, per_op(&ec), per_op(&fc), "<= 1.10x");

  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  for (size_t i = 0; i < id.n; i++)
    tc_cert_unref(id.certs[i]);
  free(id.certs);
  tc_cert_unref(id.ca);
  tc_privkey_unref(id.key);
}

static void bench_resumed(unsigned n) {
  identity id;
  identity_load(&id, "server-ecdsa.pem", "server-ecdsa-key.pem", "ca-ecdsa.pem");
  const unsigned tickets = 1;
  tc_config *scfg = server_config(&id, tickets);
  tc_config *ccfg = client_config(&id, TC_TLS_AES_128_GCM_SHA256);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  tc_session *sess = tc_conn_get_session(p.c);
  if (!sess)
    die("no session after the full handshake", NULL);
  pair_free(&p);

  /* warm-up, size */
  pair_handshake(&p, ccfg, scfg, sess);
  if (!tc_conn_resumed(p.c))
    die("not resumed", NULL);
  size_t hs_bytes = p.bytes;
  pair_free(&p);

  floor_ctx f;
  memset(&f, 0, sizeof f);
  f.id = &id;
  f.transcript_bytes = hs_bytes;
  f.tickets = tickets;
  hs_times t;
  unsigned resumed = measure_handshakes(ccfg, scfg, &sess, true, floor_resumed_fn, &f, n, &t);
  batch_min es = t.es, ec = t.ec, fs = t.fs, fc = t.fc;
  if (resumed != n / HS_BATCH * HS_BATCH)
    fprintf(stderr, "warning: only %u of %u handshakes resumed\n", resumed,
            n / HS_BATCH * HS_BATCH);
  row("resumed handshake (psk_dhe_ke X25519), server", n, per_op(&es), per_op(&fs), "");
  row("resumed handshake (psk_dhe_ke X25519), client", n, per_op(&ec), per_op(&fc), "");

  tc_session_unref(sess);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  for (size_t i = 0; i < id.n; i++)
    tc_cert_unref(id.certs[i]);
  free(id.certs);
  tc_cert_unref(id.ca);
  tc_privkey_unref(id.key);
}

/* TLS 1.3 external PSKs (RFC 8446 §4.2.11), TLS_AES_128_GCM_SHA256, no
 * certificates, no tickets; the server knows the key from its configuration
 * (no want round trip). psk_ke: the client sends no key share. The floor of
 * each side: its Hello random, X25519 (psk_dhe_ke only), the binder (binder
 * key + HMAC; the server checks what the client computes) and the key
 * schedule with a PSK over the real transcript size. */
typedef struct {
  bool dhe;
  size_t hs_bytes;
} psk13_floor;

static void floor_psk13_fn(void *ctx, bool server) {
  const psk13_floor *f = ctx;
  static const uint8_t psk[32];
  floor_hello_random(!server);
  if (f->dhe)
    floor_kex();
  floor_schedule(TC_HASH_SHA256, TC_AEAD_AES128_GCM, 16, f->hs_bytes, psk, sizeof psk);
}

static void bench13_psk(bool dhe, unsigned n) {
  static const uint8_t id[] = "bench", key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  static const uint16_t suite = TC_TLS_AES_128_GCM_SHA256, x25519 = TC_GROUP_X25519;
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER), *ccfg = tc_config_new(TC_ROLE_CLIENT);
  if (!scfg || !ccfg)
    die("out of memory", NULL);
  tc_config_set_tickets(scfg, 0, 7200);
  tc_config_set_psk_modes(ccfg, dhe ? TC_PSK_MODE_DHE_KE : TC_PSK_MODE_KE);
  if (tc_config_add_psk(scfg, id, 5, key, sizeof key, TC_PSK_HASH_SHA256, &err) != TC_OK ||
      tc_config_add_psk(ccfg, id, 5, key, sizeof key, TC_PSK_HASH_SHA256, &err) != TC_OK ||
      tc_config_set_versions(ccfg, TC_TLS13, TC_TLS13, &err) != TC_OK ||
      tc_config_set_cipher_suites(ccfg, &suite, 1, &err) != TC_OK ||
      tc_config_set_groups(ccfg, &x25519, 1, &err) != TC_OK)
    die("PSK config", &err);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  if (tc_conn_version(p.c) != TC_TLS13 || tc_conn_cipher_suite(p.c) != suite ||
      !tc_conn_psk_identity(p.s, NULL) || (tc_conn_group(p.c) != 0) == !dhe)
    die("TLS 1.3 PSK warm-up negotiated something else", NULL);
  psk13_floor f = {dhe, p.bytes};
  pair_free(&p);
  hs_times t;
  measure_handshakes(ccfg, scfg, NULL, false, floor_psk13_fn, &f, n, &t);
  const char *label = dhe ? "psk_dhe_ke (X25519)" : "psk_ke";
  char name[128];
  snprintf(name, sizeof name, "TLS 1.3 external PSK %s, server", label);
  row(name, n, per_op(&t.es), per_op(&t.fs), "<= 1.10x");
  snprintf(name, sizeof name, "TLS 1.3 external PSK %s, client", label);
  row(name, n, per_op(&t.ec), per_op(&t.fc), "<= 1.10x");
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

/* ---- bulk ---- */

static void bench_bulk(const char *label, uint16_t suite, tc_aead_alg alg, size_t key_len,
                       unsigned n) {
  identity id;
  identity_load(&id, "server-ecdsa.pem", "server-ecdsa-key.pem", "ca-ecdsa.pem");
  tc_config *scfg = server_config(&id, 0);
  tc_config *ccfg = client_config(&id, suite);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  const size_t rec = 16384;
  uint8_t *src = malloc(rec), *dst = malloc(rec);
  if (!src || !dst)
    die("out of memory", NULL);
  memset(src, 0x5a, rec);

  /* floor: seal + open of the same 16 KiB with the same AEAD, interleaved
   * with the engine's record round trips */
  static tc_aead a, b;
  uint8_t key[32] = {1}, nonce[12] = {0}, tag[16], aad[5] = {23, 3, 3, 0x40, 0x11};
  tc_aead_init(&a, alg, key, key_len);
  tc_aead_init(&b, alg, key, key_len);
  uint8_t *raw = malloc(rec);
  if (!raw)
    die("out of memory", NULL);
  memset(raw, 0x5a, rec);
  batch_min em = BATCH_MIN_INIT, fm = BATCH_MIN_INIT;
  for (unsigned bt = 0; bt < n / BULK_BATCH + 1; bt++) { /* batch 0 is warm-up */
    double te = 0, tf = 0;
    batch_clock bc;
    batch_start(&bc);
    for (unsigned i = 0; i < BULK_BATCH; i++) {
      double t0 = now();
      size_t sent = 0;
      while (sent < rec) {
        size_t k = 0;
        if (tc_conn_write(p.c, src + sent, rec - sent, &k) == TC_FAIL)
          die("write", tc_conn_error(p.c));
        sent += k;
        move(p.c, p.s);
      }
      size_t got = 0;
      while (got < rec) {
        size_t k = 0;
        int rc = tc_conn_read(p.s, dst + got, rec - got, &k);
        if (rc == TC_FAIL)
          die("read", tc_conn_error(p.s));
        if (rc != TC_OK)
          die("read: no data", NULL);
        got += k;
      }
      double t1 = now();
      nonce[10] = (uint8_t)bt;
      nonce[11] = (uint8_t)i;
      tc_aead_seal(&a, nonce, aad, sizeof aad, raw, rec, tag);
      if (tc_aead_open(&b, nonce, aad, sizeof aad, raw, rec, tag) != 0)
        die("raw aead open", NULL);
      tf += now() - t1 - clock_cost;
      te += t1 - t0 - clock_cost;
    }
    bool clean = batch_clean(&bc);
    if (bt > 0) {
      batch_min_add(&em, te, BULK_BATCH, clean);
      batch_min_add(&fm, tf, BULK_BATCH, clean);
    }
  }
  if (memcmp(src, dst, rec) != 0)
    die("bulk data corrupted", NULL);
  tc_aead_clear(&a);
  tc_aead_clear(&b);
  free(raw);

  char name[128];
  snprintf(name, sizeof name, "bulk %s, 16 KiB records", label);
  const double mb = (double)rec / 1e6;
  double eng_rate = mb / per_op(&em), floor_rate = mb / per_op(&fm);
  printf("%-48s %7u %12.1f %12.1f %8.3f  %s(engine = %.1f%% of raw)\n", name, n, eng_rate,
         floor_rate, per_op(&em) / per_op(&fm), alg == TC_AEAD_AES128_GCM ? ">= 90% of raw " : "",
         100.0 * eng_rate / floor_rate);
  free(src);
  free(dst);
  pair_free(&p);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  for (size_t i = 0; i < id.n; i++)
    tc_cert_unref(id.certs[i]);
  free(id.certs);
  tc_cert_unref(id.ca);
  tc_privkey_unref(id.key);
}

/* ---- TLS 1.2 ---- */

typedef enum { K12_ECDHE, K12_RSA } kx12;

static tc_config *client_config12(const identity *id, uint16_t suite) {
  tc_config *cfg = client_config(id, suite);
  tc_error err;
  tc_error_clear(&err);
  if (tc_config_set_versions(cfg, TC_TLS12, TC_TLS12, &err) != TC_OK)
    die("client config", &err);
  return cfg;
}

/* TLS 1.2 secrets and records of one side of a handshake (RFC 5246 + RFC
 * 7627): this side's Hello random, the transcript hashed once with
 * snapshots for EMS and both Finished, master secret (full only), key
 * block, two Finished PRFs, two AEAD key set-ups, our Finished record
 * sealed and the peer's opened. */
static void floor12_schedule(size_t transcript_bytes, bool full) {
  uint8_t th[32], master[48], kb[40], vd[12], tag[16], iv[12] = {0}, rnd[32];
  tc_random(&floor_rng, rnd, sizeof rnd);
  tc_hash_ctx h, snap;
  tc_hash_init(&h, TC_HASH_SHA256);
  tc_hash_update(&h, junk, transcript_bytes);
  for (int i = 0; i < 2; i++) {
    snap = h;
    tc_hash_final(&snap, th);
  }
  if (full)
    tc_prf_tls(TC_HASH_SHA256, junk, 32, "extended master secret", th, 32, master, 48);
  else
    memcpy(master, junk + 100, 48);
  tc_prf_tls(TC_HASH_SHA256, master, 48, "key expansion", junk, 64, kb, sizeof kb);
  tc_prf_tls(TC_HASH_SHA256, master, 48, "client finished", th, 32, vd, 12);
  tc_hash_final(&h, th);
  tc_prf_tls(TC_HASH_SHA256, master, 48, "server finished", th, 32, vd, 12);
  static tc_aead a;
  tc_aead_init(&a, TC_AEAD_AES128_GCM, kb, 16);
  tc_aead_seal(&a, iv, junk, 13, junk + 1024, 16, tag);
  tc_aead_init(&a, TC_AEAD_AES128_GCM, kb + 16, 16);
  (void)tc_aead_open(&a, iv, junk, 13, junk + 1024, 16, tag);
  tc_aead_clear(&a);
}

typedef struct {
  floor_ctx f;
  kx12 kx;
  uint8_t epms[512];
  size_t epms_len;
} floor12_ctx;

static void floor12_server_full(floor12_ctx *f) {
  if (f->kx == K12_ECDHE) {
    floor_kex();
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    if (tc_pk_sign(f->f.id->key, f->f.sigalg, f->f.sighash, &floor_rng, f->f.content,
                   sizeof f->f.content, sig, &sig_len) != 0)
      die("sign", NULL);
  } else {
    uint8_t pms[48];
    tc_rsa_decrypt_premaster(f->f.id->key, &floor_rng, f->epms, f->epms_len, pms, 48);
  }
  floor12_schedule(f->f.transcript_bytes, true);
}

static void floor12_client_full(floor12_ctx *f) {
  const tc_pubkey *pk = tc_cert_pubkey(f->f.id->certs[0]);
  if (f->kx == K12_ECDHE) {
    floor_kex();
    if (tc_pk_verify(pk, f->f.sigalg, f->f.sighash, f->f.content, sizeof f->f.content, f->f.sig,
                     f->f.sig_len) != 0)
      die("verify", NULL);
  } else {
    uint8_t pms[48], ct[512];
    size_t ct_len = sizeof ct;
    tc_random(&floor_rng, pms, 48);
    if (tc_rsa_encrypt_pkcs1(pk, &floor_rng, pms, 48, ct, &ct_len) != 0)
      die("rsa encrypt", NULL);
  }
  if (tc_cert_verify_signed_by(f->f.id->certs[0], f->f.id->ca) != 0)
    die("chain verify", NULL);
  floor12_schedule(f->f.transcript_bytes, true);
}

static tc_sigalg sigalg_of(uint16_t scheme) {
  if ((scheme & 0xff) == 3)
    return TC_SIGALG_ECDSA;
  return (scheme >> 8) == 8 ? TC_SIGALG_RSA_PSS : TC_SIGALG_RSA_PKCS1;
}

static void identity_free(identity *id) {
  for (size_t i = 0; i < id->n; i++)
    tc_cert_unref(id->certs[i]);
  free(id->certs);
  tc_cert_unref(id->ca);
  tc_privkey_unref(id->key);
}

static void floor12_full_fn(void *ctx, bool server) {
  if (server)
    floor12_server_full(ctx);
  else
    floor12_client_full(ctx);
}

static void bench12_full(const char *label, const char *cert, const char *key, const char *ca,
                         uint16_t suite, kx12 kx, unsigned n) {
  identity id;
  identity_load(&id, cert, key, ca);
  tc_config *scfg = server_config(&id, 0);
  tc_config *ccfg = client_config12(&id, suite);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  if (tc_conn_version(p.c) != TC_TLS12 || tc_conn_cipher_suite(p.c) != suite)
    die("TLS 1.2 warm-up negotiated something else", NULL);
  floor12_ctx f;
  memset(&f, 0, sizeof f);
  f.kx = kx;
  f.f.id = &id;
  f.f.sigalg = sigalg_of(tc_conn_sig_scheme(p.c));
  f.f.sighash = TC_HASH_SHA256;
  f.f.transcript_bytes = p.bytes;
  pair_free(&p);
  memset(f.f.content, 0x20, sizeof f.f.content);
  if (kx == K12_ECDHE) {
    f.f.sig_len = sizeof f.f.sig;
    if (tc_pk_sign(id.key, f.f.sigalg, TC_HASH_SHA256, NULL, f.f.content, sizeof f.f.content,
                   f.f.sig, &f.f.sig_len) != 0)
      die("sign", NULL);
  } else {
    uint8_t pms[48] = {3, 3};
    f.epms_len = sizeof f.epms;
    if (tc_rsa_encrypt_pkcs1(tc_cert_pubkey(id.certs[0]), NULL, pms, 48, f.epms, &f.epms_len))
      die("rsa encrypt", NULL);
  }
  hs_times t;
  measure_handshakes(ccfg, scfg, NULL, false, floor12_full_fn, &f, n, &t);
  batch_min es = t.es, ec = t.ec, fs = t.fs, fc = t.fc;
  char name[128];
  snprintf(name, sizeof name, "TLS 1.2 full, server (%s)", label);
  row(name, n, per_op(&es), per_op(&fs), "<= 1.10x");
  snprintf(name, sizeof name, "TLS 1.2 full, client (%s)", label);
  row(name, n, per_op(&ec), per_op(&fc), "<= 1.10x");
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  identity_free(&id);
}

/* Abbreviated handshakes: by session ticket (ticket opened on the server)
 * or by session ID (server cache). */
/* An abbreviated TLS 1.2 handshake's floor: the schedule without a master
 * secret, and on the server the ticket's AEAD open (its period key is
 * derived and keyed once per period). */
typedef struct {
  bool by_ticket;
  size_t hs_bytes;
} resumed12_floor;

static void floor12_resumed_fn(void *ctx, bool server) {
  const resumed12_floor *f = ctx;
  if (server && f->by_ticket)
    floor_ticket_open();
  floor12_schedule(f->hs_bytes, false);
}

static void bench12_resumed(bool by_ticket, unsigned n) {
  identity id;
  identity_load(&id, "server-ecdsa.pem", "server-ecdsa-key.pem", "ca-ecdsa.pem");
  tc_config *scfg = server_config(&id, by_ticket ? 1 : 0);
  tc_session_cache *cache = NULL;
  if (!by_ticket) {
    cache = tc_session_cache_new(64, 3600);
    tc_config_set_session_cache(scfg, cache);
  }
  tc_config *ccfg = client_config12(&id, 0xC02B);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  tc_session *sess = tc_conn_get_session(p.c);
  if (!sess)
    die("no TLS 1.2 session", NULL);
  pair_free(&p);
  pair_handshake(&p, ccfg, scfg, sess);
  if (!tc_conn_resumed(p.c))
    die("TLS 1.2 not resumed", NULL);
  size_t hs_bytes = p.bytes;
  pair_free(&p);
  resumed12_floor f = {by_ticket, hs_bytes};
  hs_times t;
  unsigned resumed = measure_handshakes(ccfg, scfg, &sess, false, floor12_resumed_fn, &f, n, &t);
  batch_min es = t.es, ec = t.ec, fs = t.fs, fc = t.fc;
  if (resumed != n / HS_BATCH * HS_BATCH)
    fprintf(stderr, "warning: only %u of %u TLS 1.2 handshakes resumed\n", resumed,
            n / HS_BATCH * HS_BATCH);
  const char *how = by_ticket ? "ticket" : "session ID";
  char name[128];
  snprintf(name, sizeof name, "TLS 1.2 resumed by %s, server", how);
  row(name, n, per_op(&es), per_op(&fs), "");
  snprintf(name, sizeof name, "TLS 1.2 resumed by %s, client", how);
  row(name, n, per_op(&ec), per_op(&fc), "");
  tc_session_unref(sess);
  if (cache)
    tc_session_cache_unref(cache);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  identity_free(&id);
}

/* CBC bulk (TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, encrypt-then-MAC as
 * negotiated by default) vs AES-128-CBC encrypt + decrypt and HMAC-SHA1
 * twice over the same 16 KiB. */
static void bench12_cbc(unsigned n) {
  identity id;
  identity_load(&id, "server-ecdsa.pem", "server-ecdsa-key.pem", "ca-ecdsa.pem");
  tc_config *scfg = server_config(&id, 0);
  tc_config *ccfg = client_config12(&id, 0xC009);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  const size_t rec = 16384;
  uint8_t *src = malloc(rec), *dst = malloc(rec), *raw = malloc(rec + 32);
  if (!src || !dst || !raw)
    die("out of memory", NULL);
  memset(src, 0x5a, rec);
  memset(raw, 0x5a, rec + 32);
  static tc_cipher enc, dec;
  uint8_t key[16] = {1}, iv[16] = {0}, mk[20] = {2}, mac[32];
  tc_cipher_init(&enc, TC_CIPHER_AES128_CBC, true, key, 16, iv);
  tc_cipher_init(&dec, TC_CIPHER_AES128_CBC, false, key, 16, iv);
  batch_min em = BATCH_MIN_INIT, fm = BATCH_MIN_INIT;
  for (unsigned bt = 0; bt < n / BULK_BATCH + 1; bt++) {
    double te = 0, tf = 0;
    batch_clock bc;
    batch_start(&bc);
    for (unsigned i = 0; i < BULK_BATCH; i++) {
      double t0 = now();
      size_t sent = 0;
      while (sent < rec) {
        size_t k = 0;
        if (tc_conn_write(p.c, src + sent, rec - sent, &k) == TC_FAIL)
          die("write", tc_conn_error(p.c));
        sent += k;
        move(p.c, p.s);
      }
      size_t got = 0;
      while (got < rec) {
        size_t k = 0;
        int rc = tc_conn_read(p.s, dst + got, rec - got, &k);
        if (rc == TC_FAIL)
          die("read", tc_conn_error(p.s));
        if (rc != TC_OK)
          die("read: no data", NULL);
        got += k;
      }
      double t1 = now();
      tc_cipher_set_iv(&enc, iv);
      tc_cipher_update(&enc, raw, rec + 16);
      tc_hmac(TC_HASH_SHA1, mk, sizeof mk, raw, rec + 16 + 13, mac);
      tc_hmac(TC_HASH_SHA1, mk, sizeof mk, raw, rec + 16 + 13, mac);
      tc_cipher_set_iv(&dec, iv);
      tc_cipher_update(&dec, raw, rec + 16);
      tf += now() - t1 - clock_cost;
      te += t1 - t0 - clock_cost;
    }
    bool clean = batch_clean(&bc);
    if (bt > 0) {
      batch_min_add(&em, te, BULK_BATCH, clean);
      batch_min_add(&fm, tf, BULK_BATCH, clean);
    }
  }
  if (memcmp(src, dst, rec) != 0)
    die("bulk data corrupted", NULL);
  const double mb = (double)rec / 1e6;
  double eng_rate = mb / per_op(&em), floor_rate = mb / per_op(&fm);
  printf("%-48s %7u %12.1f %12.1f %8.3f  >= 90%% of raw (engine = %.1f%% of raw)\n",
         "TLS 1.2 bulk AES-128-CBC-SHA (EtM), 16 KiB", n, eng_rate, floor_rate,
         per_op(&em) / per_op(&fm), 100.0 * eng_rate / floor_rate);
  tc_cipher_clear(&enc);
  tc_cipher_clear(&dec);
  free(src);
  free(dst);
  free(raw);
  pair_free(&p);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  identity_free(&id);
}

/* TLS 1.2 shared keys (RFC 4279 PSK, RFC 5489/8442 ECDHE-PSK), AES-128-GCM:
 * no certificates, so the floor is the TLS 1.2 schedule (with the master
 * secret) plus, for ECDHE-PSK, the X25519 key generation and shared secret.
 * The server knows the key from its configuration (no want round trip). */
typedef struct {
  bool ecdhe;
  size_t hs_bytes;
} psk12_floor;

static void floor_psk12_fn(void *ctx, bool server) {
  const psk12_floor *f = ctx;
  (void)server; /* both sides do the same work */
  if (f->ecdhe)
    floor_kex();
  floor12_schedule(f->hs_bytes, true);
}

static void bench12_psk(bool ecdhe, unsigned n) {
  static const uint8_t id[] = "bench", key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  uint16_t suite = ecdhe ? 0xD001 : 0x00A8;
  static const uint16_t x25519 = TC_GROUP_X25519;
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER), *ccfg = tc_config_new(TC_ROLE_CLIENT);
  if (!scfg || !ccfg)
    die("out of memory", NULL);
  tc_config_set_tickets(scfg, 0, 7200);
  if (tc_config_add_psk(scfg, id, 5, key, sizeof key, TC_PSK_HASH_SHA256, &err) != TC_OK ||
      tc_config_add_psk(ccfg, id, 5, key, sizeof key, TC_PSK_HASH_SHA256, &err) != TC_OK ||
      tc_config_set_versions(ccfg, TC_TLS12, TC_TLS12, &err) != TC_OK ||
      tc_config_set_cipher_suites(ccfg, &suite, 1, &err) != TC_OK ||
      tc_config_set_groups(ccfg, &x25519, 1, &err) != TC_OK)
    die("PSK config", &err);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  if (tc_conn_cipher_suite(p.c) != suite || !tc_conn_psk_identity(p.s, NULL))
    die("TLS 1.2 PSK warm-up negotiated something else", NULL);
  psk12_floor f = {ecdhe, p.bytes};
  pair_free(&p);
  hs_times t;
  measure_handshakes(ccfg, scfg, NULL, false, floor_psk12_fn, &f, n, &t);
  const char *label = ecdhe ? "ECDHE-PSK (X25519), GCM" : "PSK, GCM";
  char name[128];
  snprintf(name, sizeof name, "TLS 1.2 %s, server", label);
  row(name, n, per_op(&t.es), per_op(&t.fs), "<= 1.10x");
  snprintf(name, sizeof name, "TLS 1.2 %s, client", label);
  row(name, n, per_op(&t.ec), per_op(&t.fc), "<= 1.10x");
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

/* TLS 1.2 SRP (RFC 5054), TLS_SRP_SHA_WITH_AES_128_CBC_SHA (no certificate),
 * EtM and EMS. The floor of each side is its SRP work alone, done the way
 * the engine does it (auth/srp_groups.h hashes, crypto.h exponentiations):
 * server: the fake-user derivation (computed for every user, RFC 5054
 * section 2.5.1.3), k, b, B = kv + g^b, u, S = (A v^u)^b; client: a,
 * A = g^a, k, u, x, S = (B - k g^x)^(a + ux); then both the TLS 1.2 schedule
 * of the other TLS 1.2 rows (floor12_schedule, with the master secret).
 * The server's verifier want is answered from memory. */
typedef struct {
  const tc_srp_group_def *grp;
  const tc_srp_verifier *v;
  uint8_t A[TC_SRP_MAX_N_BYTES], B[TC_SRP_MAX_N_BYTES];
  size_t hs_bytes;
} srp12_floor;

static void floor_srp12_fn(void *ctx, bool server) {
  srp12_floor *f = ctx;
  const tc_srp_group_def *g = f->grp;
  tc_num N = {g->N, g->N_len}, gen = {&g->g, 1};
  uint8_t rnd[32], e[TC_SRP_EXP_LEN], k[20], u[20], x[20];
  uint8_t out[TC_SRP_MAX_N_BYTES], S[TC_SRP_MAX_N_BYTES], salt[TC_SRP_SALT_LEN];
  size_t sl;
  tc_random(&floor_rng, rnd, sizeof rnd); /* Hello random */
  tc_random(&floor_rng, e, sizeof e);
  if (server) {
    static const uint8_t secret[32] = {7};
    if (tc_srp_fake_verifier(g, secret, sizeof secret, (const uint8_t *)"bench", 5, salt, out,
                             NULL))
      die("fake verifier", NULL);
    tc_srp_hash_k(g, k, NULL);
    if (tc_srp_server_public(N, gen, (tc_num){k, 20}, (tc_num){f->v->verifier, g->N_len},
                             (tc_num){e, sizeof e}, out))
      die("server public", NULL);
    tc_srp_hash_u(g, f->A, g->N_len, out, g->N_len, u, NULL);
    if (tc_srp_server_secret(N, (tc_num){f->A, g->N_len}, (tc_num){f->v->verifier, g->N_len},
                             (tc_num){u, 20}, (tc_num){e, sizeof e}, S, &sl))
      die("server secret", NULL);
  } else {
    if (tc_srp_client_public(N, gen, (tc_num){e, sizeof e}, out))
      die("client public", NULL);
    tc_srp_hash_k(g, k, NULL);
    tc_srp_hash_u(g, out, g->N_len, f->B, g->N_len, u, NULL);
    tc_srp_hash_x((const uint8_t *)"bench", 5, (const uint8_t *)"password", 8, f->v->salt,
                  f->v->salt_len, x, NULL);
    if (tc_srp_client_secret(N, gen, (tc_num){k, 20}, (tc_num){x, 20}, (tc_num){e, sizeof e},
                             (tc_num){u, 20}, (tc_num){f->B, g->N_len}, S, &sl))
      die("client secret", NULL);
  }
  floor12_schedule(f->hs_bytes, true);
}

static void bench12_srp(unsigned bits, unsigned n) {
  static const uint16_t suite = 0xC01D;
  tc_error err;
  tc_error_clear(&err);
  tc_srp_verifier v;
  if (tc_srp_make_verifier((const uint8_t *)"bench", 5, (const uint8_t *)"password", 8, bits,
                           NULL, NULL, &v, &err) != TC_OK)
    die("SRP verifier", &err);
  bench_srp_verifier = &v;
  tc_config *scfg = tc_config_new(TC_ROLE_SERVER), *ccfg = tc_config_new(TC_ROLE_CLIENT);
  if (!scfg || !ccfg)
    die("out of memory", NULL);
  tc_config_set_tickets(scfg, 0, 7200);
  tc_config_set_srp_server(scfg, true);
  if (tc_config_set_srp_credentials(ccfg, "bench", (const uint8_t *)"password", 8, &err) != TC_OK ||
      tc_config_set_cipher_suites(ccfg, &suite, 1, &err) != TC_OK ||
      tc_config_set_srp_group_bits(scfg, bits, 8192, &err) != TC_OK)
    die("SRP config", &err);
  pair p;
  memset(&p, 0, sizeof p);
  pair_handshake(&p, ccfg, scfg, NULL);
  if (tc_conn_cipher_suite(p.c) != suite || !tc_conn_srp_username(p.s, NULL))
    die("TLS 1.2 SRP warm-up negotiated something else", NULL);
  srp12_floor f;
  memset(&f, 0, sizeof f);
  f.grp = tc_srp_group_by_bits(bits);
  f.v = &v;
  f.hs_bytes = p.bytes;
  pair_free(&p);
  /* Public values for the floors (made once, outside the timing). */
  uint8_t e[TC_SRP_EXP_LEN], k[20];
  memset(e, 0x5c, sizeof e);
  tc_num N = {f.grp->N, f.grp->N_len}, gen = {&f.grp->g, 1};
  tc_srp_hash_k(f.grp, k, NULL);
  if (tc_srp_client_public(N, gen, (tc_num){e, sizeof e}, f.A) ||
      tc_srp_server_public(N, gen, (tc_num){k, 20}, (tc_num){v.verifier, f.grp->N_len},
                           (tc_num){e, sizeof e}, f.B))
    die("SRP floor set-up", NULL);
  hs_times t;
  measure_handshakes(ccfg, scfg, NULL, false, floor_srp12_fn, &f, n, &t);
  char name[128];
  snprintf(name, sizeof name, "TLS 1.2 SRP-%u, AES-128-CBC-SHA, server", bits);
  row(name, n, per_op(&t.es), per_op(&t.fs), "<= 1.10x");
  snprintf(name, sizeof name, "TLS 1.2 SRP-%u, AES-128-CBC-SHA, client", bits);
  row(name, n, per_op(&t.ec), per_op(&t.fc), "<= 1.10x");
  bench_srp_verifier = NULL;
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

/* --only ROW: run one group of rows (for profiling). */
static const char *only;
static bool want(const char *group) { return !only || strcmp(only, group) == 0; }

int main(int argc, char **argv) {
  unsigned scale = 1;
  bool only13 = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else if (strcmp(argv[i], "--cpu") == 0)
      cpu_mode = true;
    else if (strcmp(argv[i], "--tls13-only") == 0)
      only13 = true;
    else if ((scale = (unsigned)strtoul(argv[i], NULL, 10)) == 0) {
      fprintf(stderr, "usage: bench-tls13 [--cpu] [--tls13-only] [--only ROW] [scale]\n"
                      "  ROW: full, full-rsa, resumed, psk13, bulk, full12, resumed12, psk12, srp12, cbc12\n");
      return 2;
    }
  }
  calibrate_clock();
  tc_drbg *drbg = tc_drbg_new();
  if (!drbg)
    die("out of memory", NULL);
  floor_rng.fn = tc_drbg_rng_fn;
  floor_rng.ctx = drbg;
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t)(i * 31 + 7);

  printf("tlscore TLS 1.3 in-memory benchmark (CLOCK_MONOTONIC spans%s;\n"
         "engine time is the time spent inside that side's tc_conn_* calls; floor = the same\n"
         "crypto alone via crypto.h; time x = engine time / floor time; per operation in the\n"
         "fastest of the interleaved batches of %d handshake%s / %d records)\n",
         cpu_mode ? ", batches that lost the CPU dropped" : "", HS_BATCH, HS_BATCH == 1 ? "" : "s",
         BULK_BATCH);
  header("hs/s");
  if (want("full")) {
    bench_full("ECDSA-P256 + X25519", "server-ecdsa.pem", "server-ecdsa-key.pem", "ca-ecdsa.pem",
               TC_SIGALG_ECDSA, 400 * scale);
    bench_full("RSA-2048 + X25519", "server-rsa.pem", "server-rsa-key.pem", "ca-rsa.pem",
               TC_SIGALG_RSA_PSS, 200 * scale);
  }
  if (only && strcmp(only, "full-rsa") == 0) /* the RSA rows alone; "full" has them too */
    bench_full("RSA-2048 + X25519", "server-rsa.pem", "server-rsa-key.pem", "ca-rsa.pem",
               TC_SIGALG_RSA_PSS, 200 * scale);
  if (want("resumed"))
    bench_resumed(400 * scale);
  if (want("psk13")) {
    bench13_psk(false, 2000 * scale);
    bench13_psk(true, 1000 * scale);
  }
  header("MB/s");
  if (want("bulk")) {
    bench_bulk("AES-128-GCM", TC_TLS_AES_128_GCM_SHA256, TC_AEAD_AES128_GCM, 16, 4000 * scale);
    bench_bulk("ChaCha20-Poly1305", TC_TLS_CHACHA20_POLY1305_SHA256, TC_AEAD_CHACHA20_POLY1305,
               32, 4000 * scale);
  }
  if (!only13) {
    header("hs/s");
    if (want("full12")) {
      bench12_full("ECDHE-RSA-2048, GCM", "server-rsa.pem", "server-rsa-key.pem", "ca-rsa.pem",
                   0xC02F, K12_ECDHE, 200 * scale);
      bench12_full("ECDHE-ECDSA-P256, GCM", "server-ecdsa.pem", "server-ecdsa-key.pem",
                   "ca-ecdsa.pem", 0xC02B, K12_ECDHE, 400 * scale);
      bench12_full("RSA-2048 kex, GCM", "server-rsa.pem", "server-rsa-key.pem", "ca-rsa.pem",
                   0x009C, K12_RSA, 200 * scale);
    }
    if (want("resumed12")) {
      bench12_resumed(false, 400 * scale);
      bench12_resumed(true, 400 * scale);
    }
    if (want("psk12")) {
      bench12_psk(false, 2000 * scale);
      bench12_psk(true, 1000 * scale);
    }
    if (want("srp12")) {
      bench12_srp(2048, 200 * scale);
      bench12_srp(3072, 100 * scale);
    }
    header("MB/s");
    if (want("cbc12"))
      bench12_cbc(2000 * scale);
  }
  if (cpu_mode)
    printf("\n--cpu: %lu of %lu batches dropped (the thread lost the CPU during them)\n",
           batches_dropped, batches_total);
  tc_drbg_free(drbg);
  return 0;
}
