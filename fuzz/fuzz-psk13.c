/* Fuzz TLS 1.3 external PSKs (RFC 8446 §4.2.11, RFC 9258): the input is what the peer sends
 * to our server or client, so a ClientHello's pre_shared_key (external, imported and ticket
 * identities, binders) reaches the server's identity lookup and TC_WANT_PSK_KEY, and a
 * ServerHello's selected_identity / key_share reach the client's checks.
 * Built with -DFUZZ_PSK13_MAKE_SEEDS it is the seed generator instead (main below). */
#include "fuzz-conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: byte 0 flags, byte 1 chunking (fuzz-conn.h's fz_chunk), then the peer's bytes. */
#define P_CLIENT 0x01     /* the connection under test is a client (else a server) */
#define P_SHA384 0x02     /* the PSK is bound to SHA-384 */
#define P_MODE_SHIFT 2    /* 2 bits: 0 psk_dhe_ke, 1 psk_ke, 2 both, 3 both (server: default) */
#define P_WANTS 0x10      /* server: keys come through TC_WANT_PSK_KEY */
#define P_IMPORT 0x20     /* the PSK is imported (RFC 9258) */
#define P_REFUSE 0x40     /* answer the want with "unknown identity" */
#define P_CERT 0x80       /* server: also has a certificate (full-handshake fallback) */

static const uint8_t ident[] = "fuzz identity";
static const uint8_t key[] = "0123456789abcdef0123456789abcdef";

static tc_config *psk_config(unsigned flags, bool client, uint32_t *rng_state) {
  static const unsigned modes[4] = {TC_PSK_MODE_DHE_KE, TC_PSK_MODE_KE,
                                    TC_PSK_MODE_KE | TC_PSK_MODE_DHE_KE, 0};
  tc_psk_hash hash = (flags & P_SHA384) ? TC_PSK_HASH_SHA384 : TC_PSK_HASH_SHA256;
  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(client ? TC_ROLE_CLIENT : TC_ROLE_SERVER);
  tc_config_set_rng(cfg, fz_rng, rng_state);
  tc_config_set_time(cfg, fz_time, NULL);
  tc_config_set_versions(cfg, TC_TLS13, TC_TLS13, &err);
  tc_config_set_ticket_key(cfg, fz_ticket_key, &err);
  tc_config_set_psk_modes(cfg, modes[(flags >> P_MODE_SHIFT) & 3]);
  if (client) {
    tc_config_set_verify_mode(cfg, TC_VERIFY_NONE);
  } else if (flags & P_CERT) {
    fz_init_creds();
    fz_add(cfg, &fz_server_cred);
  }
  if (client || !(flags & P_WANTS)) {
    tc_config_add_psk(cfg, ident, sizeof ident - 1, key, sizeof key - 1, hash, &err);
    if (flags & P_IMPORT)
      tc_config_set_psk_import(cfg, ident, sizeof ident - 1, (const uint8_t *)"ctx", 3, &err);
  } else {
    tc_config_set_psk_server(cfg, true);
  }
  return cfg;
}

/* The server's caller: the key for our identity (with the input's hash),
 * "unknown" for any other one or when refusing. */
static void answer(tc_conn *c, unsigned flags) {
  if (tc_conn_want(c) != TC_WANT_PSK_KEY)
    return;
  size_t l, cl;
  const uint8_t *id = tc_conn_psk_identity(c, &l), *ctx;
  if (!id || l == 0)
    abort(); /* the want names the identity asked for */
  (void)tc_conn_psk_imported(c, &ctx, &cl);
  bool known = l == sizeof ident - 1 && !memcmp(id, ident, l);
  if ((flags & P_REFUSE) || !known)
    tc_conn_answer_psk_key(c, NULL, 0);
  else
    tc_conn_answer_psk_key_hash(c, key, sizeof key - 1,
                                (flags & P_SHA384) ? TC_PSK_HASH_SHA384 : TC_PSK_HASH_SHA256);
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
  size_t l;
  const uint8_t *id = tc_conn_psk_identity(c, &l);
  tc_cert *const *chain;
  /* A handshake completes with our identity, or as a full handshake without
   * one: a server needs its certificate for that, a client the peer's. */
  bool full_ok = (flags & P_CLIENT) ? tc_conn_peer_chain(c, &chain) > 0 : (flags & P_CERT) != 0;
  if (id && (l != sizeof ident - 1 || memcmp(id, ident, l)))
    abort();
  if (!id && !full_ok)
    abort();
  if (id && (flags & P_WANTS) && (flags & P_REFUSE) && !(flags & P_CLIENT) &&
      !tc_conn_resumed(c))
    abort(); /* an external PSK accepted although its key was refused */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  unsigned flags = data[0];
  bool client = flags & P_CLIENT;
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
      fprintf(stderr, "handshake %s, resumed %d, error '%s'\n",
              tc_conn_handshake_done(c) ? "done" : "not done", tc_conn_resumed(c),
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

#ifdef FUZZ_PSK13_MAKE_SEEDS
#include <errno.h>
#include <sys/stat.h>

/* Runs the target's connection (RNG state 1) against a peer and records
 * what the peer sent it; replayed, the input drives it the same way.
 * peer_flags: the peer's own flags (role bit ignored). */
static void seed(const char *dir, const char *name, unsigned flags, uint8_t chunking,
                 unsigned peer_flags) {
  bool client = flags & P_CLIENT;
  uint32_t a = 1, b = 42;
  tc_config *tcfg = psk_config(flags, client, &a);
  unsigned pflags = peer_flags & ~(unsigned)P_CLIENT;
  if (!client)
    pflags |= P_CLIENT;
  tc_config *pcfg = psk_config(pflags, !client, &b);
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
  fz_write_seed(dir, "fuzz-psk13", name, flags, chunking, &cap);
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
  const unsigned KE = 1u << P_MODE_SHIFT, BOTH = 2u << P_MODE_SHIFT, DEF = 3u << P_MODE_SHIFT;
  /* server under test: the client's ClientHello with external / imported identities */
  seed(d, "server-dhe-sha256", 0, 0, 0);
  seed(d, "server-dhe-sha384-wants", P_SHA384 | P_WANTS, 3, P_SHA384);
  seed(d, "server-ke-sha256-wants", P_WANTS | BOTH, 0, KE);
  seed(d, "server-ke-sha384", P_SHA384 | DEF, 2, P_SHA384 | KE);
  seed(d, "server-import", P_IMPORT, 0, P_IMPORT);
  seed(d, "server-import-wants", P_WANTS, 1, P_IMPORT | BOTH);
  seed(d, "server-import-sha384", P_SHA384 | P_IMPORT, 0, P_SHA384 | P_IMPORT);
  seed(d, "server-refuse-cert", P_WANTS | P_REFUSE | P_CERT, 0, 0);
  seed(d, "server-refuse", P_WANTS | P_REFUSE | DEF, 0, KE);
  seed(d, "server-mode-mismatch", P_WANTS, 0, KE);
  seed(d, "server-hash-mismatch", P_SHA384, 0, 0);
  /* client under test: the server's ServerHello selecting the PSK, or a full handshake */
  seed(d, "client-dhe-sha256", P_CLIENT, 0, 0);
  seed(d, "client-ke-sha384", P_CLIENT | P_SHA384 | KE, 0, P_SHA384 | P_WANTS | DEF);
  seed(d, "client-both", P_CLIENT | BOTH, 4, P_WANTS);
  seed(d, "client-import", P_CLIENT | P_IMPORT, 0, P_IMPORT | P_WANTS);
  seed(d, "client-full-handshake", P_CLIENT, 0, P_WANTS | P_REFUSE | P_CERT);
  seed(d, "client-unknown", P_CLIENT | KE, 0, P_WANTS | P_REFUSE | DEF);
  seed(d, "client-wrong-hash", P_CLIENT | P_SHA384, 0, 0);
  return 0;
}
#endif
