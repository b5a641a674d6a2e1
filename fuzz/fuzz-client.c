/* Fuzz the engine as a client: it writes its ClientHello, then the input is what the server
 * sends (ServerHello or HRR, the encrypted flight, tickets, application data, KeyUpdate),
 * fed in input-chosen chunks (see fuzz-conn.h). TC_VERIFY_NONE lets inputs reach past
 * Certificate; FZ_C_RESUME offers a session from a fixed in-memory handshake. */
#include "fuzz-conn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The session FZ_C_RESUME offers: one real handshake against the peer server
 * config, made once (deterministic RNGs, so it is the same in every process). */
static tc_session *fz_session(void) {
  static tc_session *s;
  static int done;
  if (done)
    return s;
  done = 1;
  uint32_t cst = 7, sst = 9;
  tc_config *ccfg = fz_client_config(0, &cst);
  tc_config *scfg = fz_peer_server_config(0, &sst);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err), *sv = tc_conn_new(scfg, &err);
  if (c && sv) {
    tc_conn_set_server_name(c, "localhost");
    fz_pump(c, false, 0, sv, false, NULL);
    s = tc_conn_get_session(c);
  }
  tc_conn_free(c);
  tc_conn_free(sv);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  if (!s) {
    fprintf(stderr, "fuzz-client: no session from the fixed handshake\n");
    abort();
  }
  return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_init_creds();
  fz_session();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < FZ_HDR_LEN)
    return 0;
  unsigned flags = data[0];
  uint32_t rng_state = 1;
  tc_config *cfg = fz_client_config(flags, &rng_state);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (c) {
    tc_conn_set_server_name(c, "localhost");
    if (flags & FZ_C_RESUME)
      tc_conn_set_session(c, fz_session());
    fz_feed(c, data + FZ_HDR_LEN, size - FZ_HDR_LEN, data[1], (flags & FZ_C_CLIENT_CERT) != 0,
            flags & FZ_C_REJECT);
    (void)tc_conn_alpn(c);
    fz_check_auth(c, true, (flags & FZ_C_VERIFY_CALLER) != 0, (flags & FZ_C_REJECT) != 0);
    tc_session *s = tc_conn_get_session(c);
    if (s) {
      uint8_t *ser = NULL;
      size_t sl = 0;
      if (tc_session_serialize(s, &ser, &sl) == TC_OK) {
        tc_session *s2 = tc_session_deserialize(ser, sl, &err);
        if (!s2)
          abort(); /* our own serialization must round-trip */
        tc_session_unref(s2);
        free(ser);
      }
      tc_session_unref(s);
    }
    fz_finish(c);
    tc_conn_free(c);
  }
  tc_config_unref(cfg);
  return 0;
}
