/* Writes seed inputs for fuzz-server, fuzz-client and fuzz-record: real flights captured
 * from in-memory handshakes driven exactly like the targets drive them (fuzz-conn.h), and
 * record streams sealed under fuzz-record's fixed keys. Usage: make-conn-seeds <corpus dir>. */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz-conn.h"
#include "record/record.h"

static const char *outdir;

static void write_seed(const char *target, const char *name, uint8_t flags, uint8_t chunking,
                       const uint8_t *d, size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", outdir, target);
  if (mkdir(path, 0777) && errno != EEXIST) {
    perror(path);
    exit(1);
  }
  snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(1);
  }
  fputc(flags, f);
  fputc(chunking, f);
  fwrite(d, 1, n, f);
  fclose(f);
  printf("%s/%s: %zu bytes\n", target, name, n + 2);
}

/* After the handshake the peer sends data, a KeyUpdate and close_notify. */
static void peer_epilogue(tc_conn *t, bool t_cert, unsigned rej, tc_conn *p, bool p_cert,
                          fz_buf *cap) {
  if (!tc_conn_handshake_done(p))
    return;
  size_t n;
  tc_conn_write(p, (const uint8_t *)"hello over TLS\n", 15, &n);
  fz_pump(t, t_cert, rej, p, p_cert, cap);
  if (tc_conn_version(p) == TC_TLS13)
    tc_conn_key_update(p, true);
  tc_conn_write(p, (const uint8_t *)"after key update\n", 17, &n);
  fz_pump(t, t_cert, rej, p, p_cert, cap);
  tc_conn_close(p);
  fz_pump(t, t_cert, rej, p, p_cert, cap);
}

static tc_session *server_ticket(unsigned sflags, unsigned cflags) {
  uint32_t a = 1, b = 99;
  tc_config *scfg = fz_server_config(sflags, &a), *ccfg = fz_client_config(cflags, &b);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *s = tc_conn_new(scfg, &err), *c = tc_conn_new(ccfg, &err);
  tc_conn_set_server_name(c, "localhost");
  fz_pump(s, false, 0, c, false, NULL);
  tc_session *sess = tc_conn_get_session(c);
  tc_conn_free(s);
  tc_conn_free(c);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  return sess;
}

/* fuzz-server: the server under test uses fz_server_config(sflags) with RNG
 * state 1, as the target does. */
/* Restrict a peer config to one version and/or one suite (0: keep). */
static void restrict_peer(tc_config *cfg, uint16_t version, uint16_t suite) {
  tc_error err;
  tc_error_clear(&err);
  if (version && tc_config_set_versions(cfg, version, version, &err) != TC_OK)
    fprintf(stderr, "versions: %s\n", err.message);
  if (suite && tc_config_set_cipher_suites(cfg, &suite, 1, &err) != TC_OK)
    fprintf(stderr, "suites: %s\n", err.message);
}

static void server_seed_v(const char *name, unsigned sflags, unsigned cflags, bool ccert,
                          bool resume, uint8_t chunking, uint16_t cversion, uint16_t csuite) {
  uint32_t a = 1, b = 77;
  tc_config *scfg = fz_server_config(sflags, &a), *ccfg = fz_client_config(cflags, &b);
  restrict_peer(ccfg, cversion, csuite);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *s = tc_conn_new(scfg, &err), *c = tc_conn_new(ccfg, &err);
  tc_conn_set_server_name(c, "localhost");
  tc_session *sess = NULL;
  if (resume) {
    sess = server_ticket(sflags, cflags);
    if (!sess) {
      fprintf(stderr, "%s: no ticket\n", name);
      exit(1);
    }
    tc_conn_set_session(c, sess);
  }
  fz_buf cap = {0};
  fz_pump(s, false, sflags & FZ_S_REJECT, c, ccert, &cap);
  if (resume && !tc_conn_resumed(s)) {
    fprintf(stderr, "%s: did not resume\n", name);
    exit(1);
  }
  peer_epilogue(s, false, sflags & FZ_S_REJECT, c, ccert, &cap);
  fprintf(stderr, "%s: server %s%s %s %s / %s\n", name,
          tc_conn_handshake_done(s) ? "done" : "not done",
          tc_conn_status(s) & TC_S_FAILED ? " (failed)" : "", tc_version_name(tc_conn_version(s)),
          tc_conn_error(s)->message, tc_conn_error(c)->message);
  write_seed("fuzz-server", name, (uint8_t)sflags, chunking, cap.data, cap.len);
  free(cap.data);
  if (sess)
    tc_session_unref(sess);
  tc_conn_free(s);
  tc_conn_free(c);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

static void server_seed(const char *name, unsigned sflags, unsigned cflags, bool ccert,
                        bool resume, uint8_t chunking) {
  server_seed_v(name, sflags, cflags, ccert, resume, chunking, 0, 0);
}

/* fuzz-client: the client under test uses fz_client_config(cflags) with RNG
 * state 1; the peer server uses sflags. Resumption offers the session the
 * target makes in fz_session() (same configs and RNG states). */
static tc_session *client_session(void) {
  uint32_t cst = 7, sst = 9;
  tc_config *ccfg = fz_client_config(0, &cst);
  tc_config *scfg = fz_peer_server_config(0, &sst);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *sv = tc_conn_new(scfg, &err);
  tc_conn_set_server_name(c, "localhost");
  fz_pump(c, false, 0, sv, false, NULL);
  tc_session *s = tc_conn_get_session(c);
  tc_conn_free(c);
  tc_conn_free(sv);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  return s;
}

static void client_seed_v(const char *name, unsigned cflags, unsigned sflags, uint8_t chunking,
                          uint16_t sversion, uint16_t ssuite) {
  uint32_t a = 1, b = 55;
  tc_config *ccfg = fz_client_config(cflags, &a), *scfg = fz_server_config(sflags, &b);
  restrict_peer(scfg, sversion, ssuite);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *s = tc_conn_new(scfg, &err);
  tc_conn_set_server_name(c, "localhost");
  tc_session *sess = NULL;
  if (cflags & FZ_C_RESUME) {
    sess = client_session();
    tc_conn_set_session(c, sess);
  }
  fz_buf cap = {0};
  bool give = (cflags & FZ_C_CLIENT_CERT) != 0;
  fz_pump(c, give, cflags & FZ_C_REJECT, s, false, &cap);
  if ((cflags & FZ_C_RESUME) && !tc_conn_resumed(c)) {
    fprintf(stderr, "%s: did not resume\n", name);
    exit(1);
  }
  peer_epilogue(c, give, cflags & FZ_C_REJECT, s, false, &cap);
  fprintf(stderr, "%s: client %s%s %s %s / %s\n", name,
          tc_conn_handshake_done(c) ? "done" : "not done",
          tc_conn_status(c) & TC_S_FAILED ? " (failed)" : "", tc_version_name(tc_conn_version(c)),
          tc_conn_error(c)->message, tc_conn_error(s)->message);
  write_seed("fuzz-client", name, (uint8_t)cflags, chunking, cap.data, cap.len);
  free(cap.data);
  if (sess)
    tc_session_unref(sess);
  tc_conn_free(s);
  tc_conn_free(c);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
}

static void client_seed(const char *name, unsigned cflags, unsigned sflags, uint8_t chunking) {
  client_seed_v(name, cflags, sflags, chunking, 0, 0);
}

/* fuzz-record: the same fixed keys as the target. */
static const uint8_t rkey[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static const uint8_t riv[TC_AEAD_NONCE_LEN] = {0x40, 0x41, 0x42, 0x43, 0x44, 0x45,
                                               0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b};

static void record_seed(const char *name, unsigned mode, uint8_t chunking, size_t frag) {
  static const tc_aead_alg algs[] = {TC_AEAD_NONE, TC_AEAD_AES128_GCM, TC_AEAD_AES256_GCM,
                                     TC_AEAD_CHACHA20_POLY1305};
  tc_rec w;
  tc_rec_init(&w);
  tc_error err;
  tc_error_clear(&err);
  if (algs[mode & 3] != TC_AEAD_NONE)
    tc_prot_init_tls13(&w.wr, algs[mode & 3], rkey, tc_aead_key_len(algs[mode & 3]), riv);
  w.max_frag = frag;
  /* Two small messages in one record, then a large one spanning records. */
  uint8_t hs[1200];
  size_t hl = 0;
  const uint8_t m1[] = {8, 0, 0, 2, 0, 0}; /* EncryptedExtensions, empty list */
  const uint8_t m2[] = {24, 0, 0, 1, 0};   /* KeyUpdate update_not_requested */
  memcpy(hs + hl, m1, sizeof m1);
  hl += sizeof m1;
  memcpy(hs + hl, m2, sizeof m2);
  hl += sizeof m2;
  size_t big = 900;
  hs[hl++] = 11; /* Certificate-shaped */
  hs[hl++] = 0;
  hs[hl++] = (uint8_t)(big >> 8);
  hs[hl++] = (uint8_t)big;
  for (size_t i = 0; i < big; i++)
    hs[hl++] = (uint8_t)(i * 7);
  if (!(mode & 3))
    tc_rec_write(&w, TC_CT_CHANGE_CIPHER_SPEC, (const uint8_t *)"\x01", 1, &err);
  tc_rec_write(&w, TC_CT_HANDSHAKE, hs, hl, &err);
  tc_rec_write(&w, TC_CT_APPLICATION_DATA, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, &err);
  tc_rec_write(&w, TC_CT_APPLICATION_DATA, NULL, 0, &err);
  tc_rec_write(&w, TC_CT_ALERT, (const uint8_t *)"\x01\x00", 2, &err);
  size_t len;
  const uint8_t *o = tc_rec_output(&w, &len);
  fz_buf b = {0};
  fz_buf_add(&b, o, len);
  if (mode & 0x10) {
    /* A plaintext alert after protected records (peer failed before its keys). */
    fz_buf_add(&b, (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28", 7);
  }
  write_seed("fuzz-record", name, (uint8_t)mode, chunking, b.data, b.len);
  free(b.data);
  tc_rec_free(&w);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <fuzz/corpus>\n", argv[0]);
    return 2;
  }
  outdir = argv[1];
  server_seed("full", 0, 0, false, false, 0);
  server_seed("full-chunked", 0, 0, false, false, 5);
  server_seed("hrr", FZ_S_P256_ONLY, 0, false, false, 0);
  server_seed("client-auth", 1, FZ_C_NO_COMPAT, true, false, 0);
  server_seed("client-auth-caller", 2 | FZ_S_VERIFY_CALLER, 0, true, false, 0);
  server_seed("client-auth-empty", 1, 0, false, false, 0);
  server_seed("client-auth-required", 2, 0, false, false, 0);
  server_seed("client-auth-reject", 1 | FZ_S_VERIFY_CALLER | FZ_S_REJECT, 0, true, false, 0);
  server_seed("resume", 0, 0, false, true, 0);
  server_seed("early-tickets", FZ_S_EARLY_TICKETS, FZ_C_NO_ALPN, false, false, 0);
  server_seed("p256-no-tickets", FZ_S_NO_TICKETS, FZ_C_P256_FIRST, false, false, 0);
  server_seed("alpn-strict", FZ_S_ALPN_STRICT, 0, false, false, 3);
  server_seed("tls12", 0, FZ_C_TLS12, false, false, 0);
  server_seed("tls12-client-auth", 1, FZ_C_TLS12, true, false, 0);
  server_seed("tls12-resume", 0, FZ_C_TLS12, false, true, 0);
  server_seed_v("tls12-rsa-kex", 0, 0, false, false, 0, TC_TLS12, 0x009C);
  server_seed_v("tls12-dhe-cbc", 0, 0, false, false, 6, TC_TLS12, 0x0067);
  server_seed_v("tls12-ecdhe-rsa-chacha", 0, 0, false, false, 0, TC_TLS12, 0xCCA8);
  server_seed_v("tls11-ecdhe-cbc", 0, 0, false, false, 0, TC_TLS11, 0xC013);
  server_seed_v("tls10-rsa-cbc", 0, 0, false, false, 0, TC_TLS10, 0x002F);
  server_seed_v("ssl30-dhe-cbc", 0, 0, false, false, 0, TC_SSL30, 0x0033);

  client_seed("full", 0, 0, 0);
  client_seed("full-chunked", 0, 0, 4);
  client_seed("verify-caller", FZ_C_VERIFY_CALLER, 0, 0);
  client_seed("verify-reject", FZ_C_VERIFY_CALLER | FZ_C_REJECT, 0, 0);
  client_seed("hrr", 0, FZ_S_P256_ONLY, 0);
  client_seed("p256-no-compat", FZ_C_P256_FIRST | FZ_C_NO_COMPAT, FZ_S_NO_TICKETS, 0);
  client_seed("client-auth", FZ_C_CLIENT_CERT, 1, 0);
  client_seed("client-auth-empty", 0, 1, 0);
  client_seed("client-auth-required", 0, 2, 0);
  client_seed("resume", FZ_C_RESUME, 0, 0);
  client_seed("early-tickets", FZ_C_NO_ALPN, FZ_S_EARLY_TICKETS, 0);
  client_seed("tls12", FZ_C_TLS12, 0, 0);
  client_seed("tls12-client-auth", FZ_C_TLS12 | FZ_C_CLIENT_CERT, 1, 0);
  client_seed_v("tls12-rsa-kex", 0, 0, 0, TC_TLS12, 0x009C);
  client_seed_v("tls12-dhe-cbc", 0, 0, 5, TC_TLS12, 0x0067);
  client_seed_v("tls12-ecdhe-rsa-chacha", FZ_C_VERIFY_CALLER, 0, 0, TC_TLS12, 0xCCA8);
  client_seed_v("tls11-ecdhe-cbc", 0, 0, 0, TC_TLS11, 0xC013);
  client_seed_v("tls10-rsa-cbc", 0, 0, 0, TC_TLS10, 0x002F);
  client_seed_v("ssl30-dhe-cbc", 0, 0, 0, TC_SSL30, 0x0033);

  record_seed("plain", 0, 0, 16384);
  record_seed("plain-fragments", 0, 9, 100);
  record_seed("aes128", 1, 0, 16384);
  record_seed("aes256-fragments", 2, 3, 333);
  record_seed("chacha-small-limits", 3 | 0x04 | 0x08, 0, 200);
  record_seed("aes128-plain-alert", 1 | 0x10, 0, 16384);
  return 0;
}
