/* libFuzzer target: ClientHello bodies (no handshake header): parse, canonical rewrite, PSK binder offsets. */
#include "fuzz-msg.h"

static int pw_client_hello(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  (void)ctx;
  tc_client_hello ch;
  if (tc_msg_parse_client_hello(body, len, &ch, err) != TC_OK)
    return TC_FAIL;
  /* The binder offset must point at the binders vector inside the body. */
  if (tc_exts_has(&ch.ext, TC_EXT_PRE_SHARED_KEY)) {
    FUZZ_CHECK(ch.binders_offset > 0 && ch.binders_offset + 2 < len);
    size_t blen = ((size_t)body[ch.binders_offset] << 8) | body[ch.binders_offset + 1];
    FUZZ_CHECK(ch.binders_offset + 2 + blen == len); /* pre_shared_key is last */
  } else {
    FUZZ_CHECK(ch.binders_offset == 0);
  }
  size_t start = tc_wr_len(w), pos;
  int r = tc_msg_write_client_hello_ex(w, &ch, &pos);
  if (r == TC_OK && tc_exts_has(&ch.ext, TC_EXT_PRE_SHARED_KEY)) {
    /* The writer reports the binders vector, which ends the message (unknown
     * extensions are dropped, so it need not sit where the input had it),
     * and patching it with the parsed values is accepted. */
    FUZZ_CHECK(pos > start && pos + 2 <= tc_wr_len(w));
    const uint8_t *d = tc_wr_data(w);
    size_t wlen = ((size_t)d[pos] << 8) | d[pos + 1];
    FUZZ_CHECK(pos + 2 + wlen == tc_wr_len(w));
    FUZZ_CHECK(tc_msg_patch_binders(w, pos, ch.ext.psk_binders, ch.ext.n_psk_binders) == TC_OK);
  }
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_check_stable(data, size, pw_client_hello, NULL);
  return 0;
}
