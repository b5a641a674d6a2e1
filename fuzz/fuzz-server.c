/* Fuzz the engine as a server: the input is what a client sends (a ClientHello, its second
 * flight, application data, KeyUpdate, alerts), fed in input-chosen chunks (see fuzz-conn.h). */
#include "fuzz-conn.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_init_creds();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < FZ_HDR_LEN)
    return 0;
  unsigned flags = data[0];
  uint32_t rng_state = 1;
  tc_config *cfg = fz_server_config(flags, &rng_state);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (c) {
    fz_feed(c, data + FZ_HDR_LEN, size - FZ_HDR_LEN, data[1], false, flags & FZ_S_REJECT);
    fz_check_auth(c, (flags & FZ_S_AUTH_MASK) >= 2, (flags & FZ_S_VERIFY_CALLER) != 0,
                  (flags & FZ_S_REJECT) != 0);
    (void)tc_conn_server_name(c);
    (void)tc_conn_alpn(c);
    tc_cert *const *chain;
    (void)tc_conn_peer_chain(c, &chain);
    fz_finish(c);
    tc_conn_free(c);
  }
  tc_config_unref(cfg);
  return 0;
}
