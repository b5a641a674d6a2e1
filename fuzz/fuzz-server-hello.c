/* libFuzzer target: ServerHello / HelloRetryRequest bodies (no handshake header), and the brief TLS 1.2 parse (server_hello12.c) against the general one. */
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

static bool same_bytes(tc_bytes a, tc_bytes b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* What the brief parse takes, the general parse takes too, with the same
 * fields: the brief one may only decline (the client then parses again
 * with the general one), never accept something else or differently. */
static void check_brief(const uint8_t *body, size_t len) {
  tc_server_hello12 b;
  if (!tc_msg_parse_server_hello12(body, len, &b))
    return;
  tc_server_hello sh;
  tc_error err;
  tc_error_clear(&err);
  FUZZ_CHECK(tc_msg_parse_server_hello(body, len, &sh, &err) == TC_OK);
  FUZZ_CHECK(!sh.is_hrr && !sh.is_tls13);
  FUZZ_CHECK(b.legacy_version == sh.legacy_version && b.cipher_suite == sh.cipher_suite &&
             b.compression_method == sh.compression_method);
  FUZZ_CHECK(memcmp(b.random, sh.random, 32) == 0);
  FUZZ_CHECK(b.session_id_len == sh.session_id_len &&
             memcmp(b.session_id, sh.session_id, b.session_id_len) == 0);
  static const struct {
    unsigned bit;
    uint16_t type;
  } map[] = {
      {TC_SH12_SERVER_NAME, TC_EXT_SERVER_NAME},
      {TC_SH12_STATUS, TC_EXT_STATUS_REQUEST},
      {TC_SH12_EC_POINT_FORMATS, TC_EXT_EC_POINT_FORMATS},
      {TC_SH12_ETM, TC_EXT_ENCRYPT_THEN_MAC},
      {TC_SH12_EMS, TC_EXT_EXTENDED_MASTER_SECRET},
      {TC_SH12_RSL, TC_EXT_RECORD_SIZE_LIMIT},
      {TC_SH12_TICKET, TC_EXT_SESSION_TICKET},
      {TC_SH12_RENEG, TC_EXT_RENEGOTIATION_INFO},
  };
  size_t n = 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    bool has = (b.exts & map[i].bit) != 0;
    FUZZ_CHECK(has == tc_exts_has(&sh.ext, map[i].type));
    n += has;
  }
  /* No extension the brief set does not name. */
  FUZZ_CHECK((size_t)__builtin_popcount(sh.ext.present) + sh.ext.n_unknown == n);
  if (b.exts & TC_SH12_RSL)
    FUZZ_CHECK(b.record_size_limit == sh.ext.record_size_limit);
  if (b.exts & TC_SH12_EC_POINT_FORMATS)
    FUZZ_CHECK(same_bytes(b.ec_point_formats, sh.ext.ec_point_formats));
  if (b.exts & TC_SH12_RENEG)
    FUZZ_CHECK(same_bytes(b.renegotiation_info, sh.ext.renegotiation_info));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_check_stable(data, size, pw_server_hello, NULL);
  check_brief(data, size);
  return 0;
}
