/* Fuzz the TLS 1.0-1.2 SRP handshakes (RFC 5054): the input is what the peer sends to our
 * server or client, so its ClientHello (srp extension), ServerKeyExchange (N, g, s, B) or
 * ClientKeyExchange (A) reaches the SRP parsers, group checks, wants and math.
 * Built with -DFUZZ_SRP12_MAKE_SEEDS it is the seed generator instead (main below). */
#include "fuzz-conn.h"

#include "tlscore/srp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: byte 0 flags, byte 1 chunking (fuzz-conn.h's fz_chunk), then the peer's bytes. */
#define S_CLIENT 0x01     /* the connection under test is a client (else a server) */
#define S_KIND_SHIFT 1    /* 2 bits: 0 SRP_SHA, 1 SRP_SHA_RSA, 2 both, 3 both + ECDHE_RSA */
#define S_UNKNOWN 0x08    /* server: the user is unknown (fake verifier); client: no name
                             (RFC 5054 section 2.5.1.2 offer) */
#define S_WRONG 0x10      /* the client's password is wrong */
#define S_BIG 0x20        /* 1536-bit group instead of 1024 (both allowed) */
#define S_VER_SHIFT 6     /* 2 bits: TLS 1.2, 1.1, 1.0, or 1.0..1.2 */

static const char user[] = "fuzz user";
static const char pw[] = "fuzz password";

static tc_config *srp_config(unsigned flags, bool client, uint32_t *rng_state) {
  static const uint16_t kinds[4][5] = {{0xC01D, 0xC020},
                                       {0xC01E, 0xC021},
                                       {0xC01D, 0xC01E, 0xC020, 0xC021},
                                       {0xC01E, 0xC01D, 0xC013, 0xC014}};
  static const size_t nk[4] = {2, 2, 4, 4};
  static const uint16_t vers[4][2] = {
      {TC_TLS12, TC_TLS12}, {TC_TLS11, TC_TLS11}, {TC_TLS10, TC_TLS10}, {TC_TLS10, TC_TLS12}};
  unsigned kind = (flags >> S_KIND_SHIFT) & 3, ver = (flags >> S_VER_SHIFT) & 3;
  tc_error err;
  tc_error_clear(&err);
  fz_init_creds();
  tc_config *cfg = tc_config_new(client ? TC_ROLE_CLIENT : TC_ROLE_SERVER);
  tc_config_set_rng(cfg, fz_rng, rng_state);
  tc_config_set_time(cfg, fz_time, NULL);
  tc_config_set_versions(cfg, vers[ver][0], vers[ver][1], &err);
  tc_config_set_cipher_suites(cfg, kinds[kind], nk[kind], &err);
  tc_config_set_ticket_key(cfg, fz_ticket_key, &err);
  /* Small groups keep the fuzzer fast; the checks are the same for all. */
  tc_config_set_srp_group_bits(cfg, 1024, 1536, &err);
  if (client) {
    tc_config_set_verify_mode(cfg, TC_VERIFY_NONE);
    if (flags & S_UNKNOWN)
      tc_config_set_srp_client(cfg, true);
    else
      tc_config_set_srp_credentials(cfg, user, (const uint8_t *)(flags & S_WRONG ? "wrong" : pw),
                                    flags & S_WRONG ? 5 : sizeof pw - 1, &err);
  } else {
    static const uint8_t secret[32] = "fuzz srp secret, fixed for seed";
    fz_add(cfg, &fz_server_rsa_cred);
    tc_config_set_srp_server(cfg, true);
    tc_config_set_srp_secret(cfg, secret, sizeof secret, &err);
  }
  return cfg;
}

/* A server answers its verifier want: the fuzz user (unless S_UNKNOWN). */
static void answer(tc_conn *c, unsigned flags) {
  if (tc_conn_want(c) != TC_WANT_SRP_VERIFIER)
    return;
  size_t l;
  const uint8_t *name = tc_conn_srp_username(c, &l);
  if (!name || l == 0)
    abort(); /* the want names the user asked for */
  static tc_srp_verifier v[2];
  static bool made[2];
  unsigned big = (flags & S_BIG) ? 1 : 0;
  if (!made[big]) {
    static const uint8_t salt[16] = "fixed fuzz salt";
    tc_error err;
    tc_error_clear(&err);
    if (tc_srp_compute_verifier((const uint8_t *)user, sizeof user - 1, (const uint8_t *)pw,
                                sizeof pw - 1, big ? 1536 : 1024, salt, sizeof salt, &v[big],
                                &err))
      abort();
    made[big] = true;
  }
  bool known = !(flags & S_UNKNOWN) && l == sizeof user - 1 && !memcmp(name, user, l);
  tc_conn_answer_srp_verifier(c, known ? &v[big] : NULL);
}

static void service(tc_conn *c, unsigned flags, bool drain) {
  answer(c, flags);
  uint8_t buf[512];
  size_t n = 0, wn;
  for (int i = 0; i < 64 && tc_conn_read(c, buf, sizeof buf, &n) == TC_OK && n; i++)
    tc_conn_write(c, buf, n, &wn);
  if (drain) {
    size_t len;
    tc_conn_output(c, &len);
    tc_conn_output_ack(c, len);
  }
}

static void check_done(tc_conn *c, unsigned flags) {
  if (!tc_conn_handshake_done(c) || (tc_conn_status(c) & TC_S_FAILED))
    return;
  uint16_t s = tc_conn_cipher_suite(c);
  if (s < 0xC01A || s > 0xC022)
    return; /* kind 3 allows ECDHE_RSA */
  size_t l;
  const uint8_t *name = tc_conn_srp_username(c, &l);
  /* An SRP handshake completes only with a name, and never for a fake user. */
  if (!name || !l)
    abort();
  if (!(flags & S_CLIENT) && (flags & S_UNKNOWN) && !tc_conn_resumed(c))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  unsigned flags = data[0];
  bool client = flags & S_CLIENT;
  uint32_t rng_state = 1;
  tc_config *cfg = srp_config(flags, client, &rng_state);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (c) {
    uint32_t cst = data[1];
    size_t pos = 0, left = size - 2;
    int stalls = 0;
    const uint8_t *in = data + 2;
    service(c, flags, true);
    while (pos < left && stalls < 4 && !(tc_conn_status(c) & TC_S_FAILED)) {
      size_t k = fz_chunk(data[1], &cst, left - pos), used = 0;
      tc_conn_feed(c, in + pos, k, &used);
      service(c, flags, true);
      stalls = used ? 0 : stalls + 1;
      pos += used;
    }
    check_done(c, flags);
    if (getenv("TLSCORE_FUZZ_VERBOSE")) /* how far each input got (checking seeds) */
      fprintf(stderr, "handshake %s, suite %04x, error '%s'\n",
              tc_conn_handshake_done(c) ? "done" : "not done", tc_conn_cipher_suite(c),
              tc_conn_error(c)->message);
    size_t n;
    tc_conn_write(c, (const uint8_t *)"ping", 4, &n);
    tc_conn_close(c);
    tc_conn_input_eof(c);
    (void)tc_conn_status(c);
    tc_conn_free(c);
  }
  tc_config_unref(cfg);
  return 0;
}

#ifdef FUZZ_SRP12_MAKE_SEEDS
#include <errno.h>
#include <sys/stat.h>

/* Runs the target's connection (RNG state 1) against a peer and records
 * what the peer sent it; replayed, the input drives it the same way. */
static void seed(const char *dir, const char *name, unsigned flags, uint8_t chunking) {
  bool client = flags & S_CLIENT;
  uint32_t a = 1, b = 42;
  tc_config *tcfg = srp_config(flags, client, &a);
  /* The peer: the other role with the same suites, versions and group;
   * S_UNKNOWN / S_WRONG describe the handshake, so the peer shares them. */
  unsigned pflags = flags ^ S_CLIENT;
  if (!client)
    pflags &= ~(unsigned)S_UNKNOWN; /* an unknown user still sends a name */
  tc_config *pcfg = srp_config(pflags, !client, &b);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *t = tc_conn_new(tcfg, &err), *p = tc_conn_new(pcfg, &err);
  fz_buf cap = {0};
  for (int round = 0; round < 64; round++) {
    service(t, flags, false);
    answer(p, pflags);
    size_t x = fz_move(t, p, NULL);
    answer(p, pflags);
    size_t y = fz_move(p, t, &cap);
    if (round == 3 && tc_conn_handshake_done(p)) {
      size_t n;
      tc_conn_write(p, (const uint8_t *)"hello", 5, &n);
      tc_conn_close(p);
    }
    if (!x && !y && round > 4)
      break;
  }
  fprintf(stderr, "%s: %s %s / peer %s\n", name, tc_conn_handshake_done(t) ? "done" : "not done",
          tc_conn_error(t)->message, tc_conn_error(p)->message);
  fz_write_seed(dir, "fuzz-srp12", name, flags, chunking, &cap);
  free(cap.data);
  tc_conn_free(t);
  tc_conn_free(p);
  tc_config_unref(tcfg);
  tc_config_unref(pcfg);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <fuzz/corpus>\n", argv[0]);
    return 2;
  }
  const char *d = argv[1];
  static const char *kinds[] = {"srp", "srp-rsa", "both", "mixed"};
  char name[64];
  for (unsigned k = 0; k < 4; k++) {
    unsigned kf = k << S_KIND_SHIFT;
    snprintf(name, sizeof name, "server-%s", kinds[k]);
    seed(d, name, kf, 0);
    snprintf(name, sizeof name, "client-%s", kinds[k]);
    seed(d, name, S_CLIENT | kf, 0);
    snprintf(name, sizeof name, "server-%s-tls10-1536", kinds[k]);
    seed(d, name, kf | S_BIG | (2u << S_VER_SHIFT), 3);
    snprintf(name, sizeof name, "client-%s-tls11", kinds[k]);
    seed(d, name, S_CLIENT | kf | (1u << S_VER_SHIFT), 2);
  }
  seed(d, "server-unknown-user", S_UNKNOWN, 0);
  seed(d, "server-wrong-password", S_WRONG, 0);
  seed(d, "client-wrong-password", S_CLIENT | S_WRONG, 0);
  seed(d, "client-no-name", S_CLIENT | S_UNKNOWN, 0);
  seed(d, "client-no-name-mixed", S_CLIENT | S_UNKNOWN | (3u << S_KIND_SHIFT), 0);
  return 0;
}
#endif
