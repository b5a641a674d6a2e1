/* libFuzzer target: Certificate bodies; the first input byte picks the form (odd: TLS 1.3, even: TLS 1.2). */
#include "fuzz-msg.h"

static int pw_certificate(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  uint16_t version = *(const uint16_t *)ctx;
  tc_certificate c;
  if (tc_msg_parse_certificate(body, len, version, &c, err) != TC_OK)
    return TC_FAIL;
  for (size_t i = 0; i < c.n_entries; i++) {
    FUZZ_CHECK(c.entries[i].cert.len > 0);
    FUZZ_CHECK(c.entries[i].cert.p >= body && c.entries[i].cert.p + c.entries[i].cert.len <= body + len);
  }
  return tc_msg_write_certificate(w, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint16_t version = (data[0] & 1) ? TC_TLS13 : TC_TLS12;
  fuzz_check_stable(data + 1, size - 1, pw_certificate, &version);
  return 0;
}
