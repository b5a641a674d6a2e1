/* Shared by fuzz-server, fuzz-client and make-conn-seeds: deterministic configs, credentials,
 * and the loop that feeds peer bytes to a tc_conn, so the seed generator and the targets
 * drive connections identically (captured flights replay exactly). */
#ifndef TLSCORE_FUZZ_CONN_H
#define TLSCORE_FUZZ_CONN_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tlscore/conn.h"

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR (tests/data) must be defined by the build"
#endif

/* Input layout for fuzz-server / fuzz-client:
 *   byte 0: flags (FZ_S_* or FZ_C_*)
 *   byte 1: chunking (0: feed everything at once; else a seed for chunk sizes 1..8*c)
 *   rest:   the peer's bytes. */
#define FZ_HDR_LEN 2

/* Server flags. */
#define FZ_S_AUTH_MASK 0x03 /* 0 none, 1 request, 2/3 require */
#define FZ_S_NO_TICKETS 0x04
#define FZ_S_EARLY_TICKETS 0x08
#define FZ_S_P256_ONLY 0x10 /* forces HelloRetryRequest for X25519-first clients */
#define FZ_S_ALPN_STRICT 0x20
#define FZ_S_VERIFY_CALLER 0x40
#define FZ_S_REJECT 0x80 /* answer TC_WANT_VERIFY_PEER with reject */

/* Client flags. */
#define FZ_C_VERIFY_CALLER 0x01
#define FZ_C_RESUME 0x02 /* offer the session from a fixed earlier handshake */
#define FZ_C_P256_FIRST 0x04
#define FZ_C_NO_COMPAT 0x08
#define FZ_C_CLIENT_CERT 0x10 /* answer TC_WANT_CLIENT_CERT with a chain */
#define FZ_C_NO_ALPN 0x20
#define FZ_C_TLS12 0x40 /* offer TLS 1.2 and older only */
#define FZ_C_REJECT 0x80

static inline int fz_rng(void *ctx, uint8_t *out, size_t len) {
  uint32_t *st = ctx;
  for (size_t i = 0; i < len; i++) {
    *st = *st * 1103515245u + 12345u;
    out[i] = (uint8_t)(*st >> 16);
  }
  return 0;
}

static inline int64_t fz_time(void *ctx) {
  (void)ctx;
  return 1700000000;
}

static inline uint8_t *fz_read_file(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", FUZZ_DATA_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    abort();
  }
  uint8_t *buf = malloc(65536);
  if (!buf)
    abort();
  *len = fread(buf, 1, 65536, f);
  fclose(f);
  return buf;
}

typedef struct {
  tc_cert **certs;
  size_t n;
  tc_privkey *key;
} fz_cred;

static inline void fz_load_cred(fz_cred *c, const char *cert_file, const char *key_file) {
  tc_error err;
  tc_error_clear(&err);
  size_t len;
  uint8_t *pem = fz_read_file(cert_file, &len);
  c->n = tc_certs_parse(pem, len, &c->certs, &err);
  free(pem);
  pem = fz_read_file(key_file, &len);
  c->key = tc_privkey_parse(pem, len, NULL, &err);
  free(pem);
  if (!c->n || !c->key) {
    fprintf(stderr, "fuzz: cannot load %s / %s: %s\n", cert_file, key_file, err.message);
    abort();
  }
}

/* Loaded once; immutable and refcounted, so every run shares them. */
static fz_cred fz_server_cred, fz_server_rsa_cred, fz_client_cred;

static inline void fz_init_creds(void) {
  static int done;
  if (done)
    return;
  done = 1;
  fz_load_cred(&fz_server_cred, "server-ecdsa.pem", "server-ecdsa-key.pem");
  fz_load_cred(&fz_server_rsa_cred, "server-rsa.pem", "server-rsa-key.pem");
  fz_load_cred(&fz_client_cred, "client-ecdsa.pem", "client-ecdsa-key.pem");
}

static const uint8_t fz_ticket_key[32] = "fuzz ticket key, fixed for seeds";
static const char *const fz_alpn[] = {"h2", "http/1.1"};

static inline void fz_add(tc_config *cfg, const fz_cred *c) {
  tc_error err;
  tc_error_clear(&err);
  if (tc_config_add_cert_chain(cfg, c->certs, c->n, c->key, &err) != TC_OK)
    abort();
}

/* The server under test (fuzz-server). A fresh config per run so ticket keys,
 * counters and the RNG start from the same state every time. */
static inline tc_config *fz_server_config(unsigned flags, uint32_t *rng_state) {
  fz_init_creds();
  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  tc_config_set_rng(cfg, fz_rng, rng_state);
  tc_config_set_time(cfg, fz_time, NULL);
  fz_add(cfg, &fz_server_cred);
  fz_add(cfg, &fz_server_rsa_cred); /* for TLS 1.2 RSA and DHE-RSA key exchange */
  /* Every version the engine has, for the largest attack surface. */
  tc_config_set_versions(cfg, TC_SSL30, TC_TLS13, &err);
  tc_config_set_ticket_key(cfg, fz_ticket_key, &err);
  unsigned auth = flags & FZ_S_AUTH_MASK;
  tc_config_set_client_auth(cfg, auth == 0   ? TC_CLIENT_AUTH_NONE
                                 : auth == 1 ? TC_CLIENT_AUTH_REQUEST
                                             : TC_CLIENT_AUTH_REQUIRE);
  tc_config_set_verify_mode(cfg, (flags & FZ_S_VERIFY_CALLER) ? TC_VERIFY_CALLER : TC_VERIFY_NONE);
  if (flags & FZ_S_NO_TICKETS)
    tc_config_set_tickets(cfg, 0, 7200);
  tc_config_set_early_tickets(cfg, (flags & FZ_S_EARLY_TICKETS) != 0);
  if (flags & FZ_S_P256_ONLY) {
    static const uint16_t g[] = {TC_GROUP_SECP256R1};
    tc_config_set_groups(cfg, g, 1, &err);
  }
  tc_config_set_alpn(cfg, fz_alpn, 2, &err);
  tc_config_set_alpn_strict(cfg, (flags & FZ_S_ALPN_STRICT) != 0);
  return cfg;
}

/* The client under test (fuzz-client). */
static inline tc_config *fz_client_config(unsigned flags, uint32_t *rng_state) {
  fz_init_creds();
  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_rng(cfg, fz_rng, rng_state);
  tc_config_set_time(cfg, fz_time, NULL);
  tc_config_set_verify_mode(cfg, (flags & FZ_C_VERIFY_CALLER) ? TC_VERIFY_CALLER : TC_VERIFY_NONE);
  tc_config_set_versions(cfg, TC_SSL30, (flags & FZ_C_TLS12) ? TC_TLS12 : TC_TLS13, &err);
  if (flags & FZ_C_P256_FIRST) {
    static const uint16_t g[] = {TC_GROUP_SECP256R1, TC_GROUP_X25519, TC_GROUP_SECP384R1};
    tc_config_set_groups(cfg, g, 3, &err);
  }
  if (flags & FZ_C_NO_COMPAT)
    tc_config_set_middlebox_compat(cfg, false);
  if (!(flags & FZ_C_NO_ALPN))
    tc_config_set_alpn(cfg, fz_alpn, 2, &err);
  return cfg;
}

/* The server a fuzz-client seed was captured from (and the one that issued
 * the session FZ_C_RESUME offers). */
static inline tc_config *fz_peer_server_config(unsigned flags, uint32_t *rng_state) {
  /* Client auth when the client will answer with a certificate. */
  unsigned sflags = (flags & FZ_C_CLIENT_CERT) ? 1 : 0;
  return fz_server_config(sflags, rng_state);
}

/* Set when the connection under test asked TC_WANT_VERIFY_PEER (reset per input). */
static bool fz_verify_asked;

/* Authentication invariants for a connection under test: a completed full
 * handshake must have a peer certificate (when one is required), must have
 * asked the caller (TC_VERIFY_CALLER), and must not survive a rejection. */
static inline void fz_check_auth(tc_conn *c, bool need_cert, bool caller, bool reject) {
  if (!tc_conn_handshake_done(c) || tc_conn_resumed(c))
    return;
  tc_cert *const *chain;
  size_t n = tc_conn_peer_chain(c, &chain);
  if (need_cert && n == 0)
    abort(); /* completed without the peer's certificate */
  if (caller && n > 0 && !fz_verify_asked)
    abort(); /* the caller never judged the chain */
  if (caller && reject && n > 0)
    abort(); /* completed although the chain was rejected */
}

/* Read (and echo) application data, drain output, answer wants. */
static inline void fz_service(tc_conn *c, unsigned reject) {
  tc_want w = tc_conn_want(c);
  if (w == TC_WANT_VERIFY_PEER)
    fz_verify_asked = true;
  if (w == TC_WANT_VERIFY_PEER)
    tc_conn_answer_verify(c, !reject, reject ? TC_CERT_UNKNOWN_CA : 0, NULL);
  else if (w == TC_WANT_CLIENT_CERT)
    tc_conn_answer_client_cert(c, NULL, 0, NULL);
  uint8_t buf[512];
  size_t n = 0, wn;
  for (int i = 0; i < 64 && tc_conn_read(c, buf, sizeof buf, &n) == TC_OK && n; i++)
    tc_conn_write(c, buf, n, &wn);
  size_t len;
  tc_conn_output(c, &len);
  tc_conn_output_ack(c, len);
}

static inline void fz_answer_cert(tc_conn *c, bool give) {
  if (tc_conn_want(c) != TC_WANT_CLIENT_CERT)
    return;
  /* Exercise the certificate_authorities accessors. */
  size_t ncas = tc_conn_acceptable_ca_count(c), l;
  for (size_t i = 0; i < ncas; i++)
    (void)tc_conn_acceptable_ca(c, i, &l);
  if (give)
    tc_conn_answer_client_cert(c, fz_client_cred.certs, fz_client_cred.n, fz_client_cred.key);
  else
    tc_conn_answer_client_cert(c, NULL, 0, NULL);
}

/* Next chunk size from the chunking byte (a small LCG), or everything. */
static inline size_t fz_chunk(uint8_t c, uint32_t *st, size_t left) {
  if (c == 0)
    return left;
  *st = *st * 1664525u + 1013904223u;
  size_t k = 1 + (*st >> 8) % (8u * c);
  return k < left ? k : left;
}

/* Feed `data` to c as the peer's bytes; flags decide the answers to wants. */
static inline void fz_feed(tc_conn *c, const uint8_t *data, size_t size, uint8_t chunking,
                    bool give_cert, unsigned reject) {
  uint32_t cst = chunking;
  size_t pos = 0;
  fz_verify_asked = false;
  int stalls = 0;
  fz_answer_cert(c, give_cert);
  fz_service(c, reject);
  while (pos < size && stalls < 4) {
    size_t k = fz_chunk(chunking, &cst, size - pos), used = 0;
    tc_conn_feed(c, data + pos, k, &used);
    fz_answer_cert(c, give_cert);
    fz_service(c, reject);
    if (tc_conn_status(c) & TC_S_FAILED)
      return;
    stalls = used ? 0 : stalls + 1;
    pos += used;
  }
}

/* After the peer's bytes: use the connection a little, then close.
 * TLSCORE_FUZZ_VERBOSE=1 says how far each input got (for checking seeds). */
static inline void fz_finish(tc_conn *c) {
  static int verbose = -1;
  if (verbose < 0)
    verbose = getenv("TLSCORE_FUZZ_VERBOSE") != NULL;
  if (verbose)
    fprintf(stderr, "handshake %s, resumed %d, status 0x%x, error '%s'\n",
            tc_conn_handshake_done(c) ? "done" : "not done", tc_conn_resumed(c),
            tc_conn_status(c), tc_conn_error(c)->message);
  if (tc_conn_handshake_done(c) && !(tc_conn_status(c) & TC_S_FAILED)) {
    if (!tc_conn_version(c) || !tc_conn_cipher_suite(c))
      abort(); /* a completed handshake must have negotiated both */
    uint8_t out[64];
    size_t ol = sizeof out, n;
    tc_error err;
    tc_error_clear(&err);
    tc_conn_binding(c, TC_BINDING_TLS_EXPORTER, out, &ol, &err);
    tc_conn_export(c, "EXPORTER-fuzz", (const uint8_t *)"ctx", 3, true, out, 32, &err);
    tc_conn_write(c, (const uint8_t *)"ping", 4, &n);
    tc_conn_key_update(c, true);
    tc_conn_write(c, (const uint8_t *)"pong", 4, &n);
    tc_conn_close(c);
    size_t len;
    tc_conn_output(c, &len);
    tc_conn_output_ack(c, len);
  }
  tc_conn_input_eof(c);
  (void)tc_conn_status(c);
  tc_conn_shrink(c);
}

/* In-memory pair for seeds and for the session FZ_C_RESUME offers: the
 * connection under test `t` is serviced exactly as fz_feed does; the peer `p`
 * reads and discards. Bytes p sends to t are appended to cap (if not NULL). */
typedef struct {
  uint8_t *data;
  size_t len, cap;
} fz_buf;

static inline void fz_buf_add(fz_buf *b, const uint8_t *d, size_t n) {
  if (!b || !n)
    return;
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2;
    b->data = realloc(b->data, b->cap);
    if (!b->data)
      abort();
  }
  memcpy(b->data + b->len, d, n);
  b->len += n;
}

/* Seed makers: write <dir>/<target>/<name> as the targets read it (a flags
 * byte, a chunking byte, then the captured peer bytes); exits on failure. */
static inline void fz_write_seed(const char *dir, const char *target, const char *name,
                                 unsigned flags, uint8_t chunking, const fz_buf *cap) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, target);
  if (mkdir(path, 0777) && errno != EEXIST) {
    perror(path);
    exit(1);
  }
  snprintf(path, sizeof path, "%s/%s/%s", dir, target, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(1);
  }
  fputc((int)flags, f);
  fputc(chunking, f);
  fwrite(cap->data, 1, cap->len, f);
  fclose(f);
}

static inline size_t fz_move(tc_conn *from, tc_conn *to, fz_buf *cap) {
  size_t len, moved = 0;
  const uint8_t *out = tc_conn_output(from, &len);
  while (len) {
    size_t used = 0;
    tc_conn_feed(to, out, len, &used);
    if (!used)
      break;
    fz_buf_add(cap, out, used);
    tc_conn_output_ack(from, used);
    moved += used;
    out = tc_conn_output(from, &len);
  }
  return moved;
}

static inline void fz_peer_service(tc_conn *p, bool give_cert) {
  fz_answer_cert(p, give_cert);
  if (tc_conn_want(p) == TC_WANT_VERIFY_PEER)
    tc_conn_answer_verify(p, true, 0, NULL);
  uint8_t buf[512];
  size_t n = 0;
  for (int i = 0; i < 64 && tc_conn_read(p, buf, sizeof buf, &n) == TC_OK && n; i++)
    ;
}

static inline void fz_pump(tc_conn *t, bool t_cert, unsigned t_reject, tc_conn *p, bool p_cert,
                    fz_buf *cap) {
  for (int round = 0; round < 64; round++) {
    fz_answer_cert(t, t_cert);
    /* t's output goes to p, so service t without draining it. */
    tc_want w = tc_conn_want(t);
    if (w == TC_WANT_VERIFY_PEER)
      tc_conn_answer_verify(t, !t_reject, t_reject ? TC_CERT_UNKNOWN_CA : 0, NULL);
    uint8_t buf[512];
    size_t n = 0, wn;
    for (int i = 0; i < 64 && tc_conn_read(t, buf, sizeof buf, &n) == TC_OK && n; i++)
      tc_conn_write(t, buf, n, &wn);
    fz_peer_service(p, p_cert);
    size_t a = fz_move(t, p, NULL);
    fz_peer_service(p, p_cert);
    size_t b = fz_move(p, t, cap);
    if (!a && !b && round > 2)
      break;
  }
}

#endif
