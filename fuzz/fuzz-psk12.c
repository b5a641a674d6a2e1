/* Fuzz the TLS 1.2-and-older PSK handshakes (RFC 4279 PSK and DHE-PSK, RFC 5489 ECDHE-PSK):
 * the input is what the peer sends to our server or client, so its ClientKeyExchange or
 * ServerKeyExchange (identity, hint, (EC)DH share) reaches the parsers and the PSK wants.
 * Built with -DFUZZ_PSK12_MAKE_SEEDS it is the seed generator instead (main below). */
#include "fuzz-conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: byte 0 flags, byte 1 chunking (fuzz-conn.h's fz_chunk), then the peer's bytes. */
#define P_CLIENT 0x01     /* the connection under test is a client (else a server) */
#define P_KIND_SHIFT 1    /* 2 bits: 0 PSK, 1 DHE-PSK, 2 ECDHE-PSK, 3 all of them */
#define P_WANTS 0x08      /* keys come through TC_WANT_PSK_KEY / TC_WANT_PSK_IDENTITY */
#define P_HINT 0x10       /* the server sends an identity hint */
#define P_REFUSE 0x20     /* answer the want with "unknown identity" / decline */
#define P_VER_SHIFT 6     /* 2 bits: TLS 1.2, 1.1, 1.0, or 1.0..1.2 */

static const uint8_t ident[] = "fuzz identity";
static const uint8_t key[] = "0123456789abcdef0123456789abcdef";

static tc_config *psk_config(unsigned flags, bool client, uint32_t *rng_state) {
  static const uint16_t kinds[4][6] = {{0x00A8, 0x008C, 0x00AE},
                                       {0x00AA, 0x0090, 0xCCAD},
                                       {0xCCAC, 0xC035, 0xD001},
                                       {0xCCAC, 0x00AA, 0x00A8, 0xC035, 0x0090, 0x008C}};
  static const uint16_t vers[4][2] = {
      {TC_TLS12, TC_TLS12}, {TC_TLS11, TC_TLS11}, {TC_TLS10, TC_TLS10}, {TC_TLS10, TC_TLS12}};
  unsigned kind = (flags >> P_KIND_SHIFT) & 3, ver = (flags >> P_VER_SHIFT) & 3;
  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(client ? TC_ROLE_CLIENT : TC_ROLE_SERVER);
  tc_config_set_rng(cfg, fz_rng, rng_state);
  tc_config_set_time(cfg, fz_time, NULL);
  tc_config_set_versions(cfg, vers[ver][0], vers[ver][1], &err);
  tc_config_set_cipher_suites(cfg, kinds[kind], kind == 3 ? 6 : 3, &err);
  tc_config_set_ticket_key(cfg, fz_ticket_key, &err);
  if (flags & P_HINT)
    tc_config_set_psk_identity_hint(cfg, (const uint8_t *)"hint", 4, &err);
  if (!(flags & P_WANTS))
    tc_config_add_psk(cfg, ident, sizeof ident - 1, key, sizeof key - 1, TC_PSK_HASH_SHA256,
                      &err);
  else if (client)
    tc_config_set_psk_client_want(cfg, true);
  else
    tc_config_set_psk_server(cfg, true);
  return cfg;
}

/* The peer answers its wants with the right identity and key. */
static void answer(tc_conn *c, bool refuse) {
  size_t l;
  switch (tc_conn_want(c)) {
  case TC_WANT_PSK_IDENTITY:
    (void)tc_conn_psk_identity_hint(c, &l);
    if (refuse)
      tc_conn_answer_psk_identity(c, NULL, 0, NULL, 0);
    else
      tc_conn_answer_psk_identity(c, ident, sizeof ident - 1, key, sizeof key - 1);
    break;
  case TC_WANT_PSK_KEY: {
    const uint8_t *id = tc_conn_psk_identity(c, &l);
    if (!id || l == 0)
      abort(); /* the want names the identity asked for */
    bool known = l == sizeof ident - 1 && !memcmp(id, ident, l);
    if (refuse || !known)
      tc_conn_answer_psk_key(c, NULL, 0);
    else
      tc_conn_answer_psk_key(c, key, sizeof key - 1);
    break;
  }
  default:
    break;
  }
}

static void service(tc_conn *c, bool refuse, bool drain) {
  answer(c, refuse);
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
  size_t l;
  const uint8_t *id = tc_conn_psk_identity(c, &l);
  /* A PSK handshake completes only with the identity whose key we hold. */
  if (!id || l != sizeof ident - 1 || memcmp(id, ident, l))
    abort();
  if ((flags & P_WANTS) && (flags & P_REFUSE))
    abort(); /* completed although the key was refused */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  unsigned flags = data[0];
  bool client = flags & P_CLIENT, refuse = flags & P_REFUSE;
  uint32_t rng_state = 1;
  tc_config *cfg = psk_config(flags, client, &rng_state);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (c) {
    uint32_t cst = data[1];
    size_t pos = 0, left = size - 2;
    int stalls = 0;
    const uint8_t *in = data + 2;
    service(c, refuse, true);
    while (pos < left && stalls < 4 && !(tc_conn_status(c) & TC_S_FAILED)) {
      size_t k = fz_chunk(data[1], &cst, left - pos), used = 0;
      tc_conn_feed(c, in + pos, k, &used);
      service(c, refuse, true);
      stalls = used ? 0 : stalls + 1;
      pos += used;
    }
    check_done(c, flags);
    if (getenv("TLSCORE_FUZZ_VERBOSE")) /* how far each input got (checking seeds) */
      fprintf(stderr, "handshake %s, resumed %d, error '%s'\n",
              tc_conn_handshake_done(c) ? "done" : "not done", tc_conn_resumed(c),
              tc_conn_error(c)->message);
    size_t n;
    (void)tc_conn_psk_identity_hint(c, &n);
    tc_conn_write(c, (const uint8_t *)"ping", 4, &n);
    tc_conn_close(c);
    tc_conn_input_eof(c);
    (void)tc_conn_status(c);
    tc_conn_free(c);
  }
  tc_config_unref(cfg);
  return 0;
}

#ifdef FUZZ_PSK12_MAKE_SEEDS
#include <errno.h>
#include <sys/stat.h>

/* Runs the target's connection (RNG state 1) against a peer and records
 * what the peer sent it; replayed, the input drives it the same way. */
static void seed(const char *dir, const char *name, unsigned flags, uint8_t chunking,
                 bool peer_wrong) {
  bool client = flags & P_CLIENT;
  uint32_t a = 1, b = 42;
  tc_config *tcfg = psk_config(flags, client, &a);
  /* The peer: same suites, versions and hint; keys configured, or (peer_wrong)
   * through its wants, answered with an unknown identity / a wrong key. */
  unsigned pflags = flags & ~(unsigned)(P_WANTS | P_CLIENT | P_REFUSE);
  if (!client)
    pflags |= P_CLIENT;
  if (peer_wrong)
    pflags |= P_WANTS;
  tc_config *pcfg = psk_config(pflags, !client, &b);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *t = tc_conn_new(tcfg, &err), *p = tc_conn_new(pcfg, &err);
  fz_buf cap = {0};
  for (int round = 0; round < 64; round++) {
    service(t, flags & P_REFUSE, false);
    if (!peer_wrong)
      answer(p, false);
    if (peer_wrong && tc_conn_want(p) == TC_WANT_PSK_IDENTITY)
      tc_conn_answer_psk_identity(p, (const uint8_t *)"nobody", 6, key, 4);
    if (peer_wrong && tc_conn_want(p) == TC_WANT_PSK_KEY)
      tc_conn_answer_psk_key(p, key, 4);
    size_t x = fz_move(t, p, NULL);
    if (!peer_wrong)
      answer(p, false);
    else if (tc_conn_want(p) == TC_WANT_PSK_IDENTITY)
      tc_conn_answer_psk_identity(p, (const uint8_t *)"nobody", 6, key, 4);
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
  fz_write_seed(dir, "fuzz-psk12", name, flags, chunking, &cap);
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
  static const char *kinds[] = {"psk", "dhe-psk", "ecdhe-psk", "all"};
  char name[64];
  for (unsigned k = 0; k < 4; k++) {
    unsigned kf = k << P_KIND_SHIFT;
    snprintf(name, sizeof name, "server-%s", kinds[k]);
    seed(d, name, kf, 0, false);
    snprintf(name, sizeof name, "client-%s", kinds[k]);
    seed(d, name, P_CLIENT | kf, 0, false);
    snprintf(name, sizeof name, "server-%s-wants-hint", kinds[k]);
    seed(d, name, kf | P_WANTS | P_HINT, 3, false);
    snprintf(name, sizeof name, "client-%s-wants-hint", kinds[k]);
    seed(d, name, P_CLIENT | kf | P_WANTS | P_HINT, 2, false);
    snprintf(name, sizeof name, "server-%s-tls10", kinds[k]);
    seed(d, name, kf | (2u << P_VER_SHIFT), 0, false);
    snprintf(name, sizeof name, "client-%s-tls11", kinds[k]);
    seed(d, name, P_CLIENT | kf | (1u << P_VER_SHIFT), 0, false);
  }
  seed(d, "server-unknown-identity", (1u << P_KIND_SHIFT) | P_HINT, 0, true);
  seed(d, "server-refuse", (2u << P_KIND_SHIFT) | P_WANTS | P_REFUSE, 0, false);
  seed(d, "client-wrong-key", P_CLIENT | (2u << P_KIND_SHIFT), 0, true);
  seed(d, "client-decline", P_CLIENT | P_WANTS | P_REFUSE | P_HINT, 0, false);
  return 0;
}
#endif
