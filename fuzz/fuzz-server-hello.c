/* libFuzzer target: ServerHello / HelloRetryRequest bodies (no handshake header). */
#include "fuzz-msg.h"

static int pw_server_hello(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  (void)ctx;
  tc_server_hello sh;
  if (tc_msg_parse_server_hello(body, len, &sh, err) != TC_OK)
    return TC_FAIL;
  FUZZ_CHECK(sh.is_hrr == (memcmp(sh.random, tc_hrr_random, 32) == 0));
  if (sh.is_hrr)
    FUZZ_CHECK(sh.is_tls13 && sh.compression_method == 0);
  return tc_msg_write_server_hello(w, &sh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_check_stable(data, size, pw_server_hello, NULL);
  return 0;
}
