/* libFuzzer target: extension blocks; the first input byte picks the message context (tc_ext_ctx). */
#include "fuzz-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  tc_ext_ctx ctx = (tc_ext_ctx)(data[0] % (TC_EXTCTX_NST + 1));
  /* A heap copy of exactly the block, so ASan sees any overread. */
  size_t len = size - 1;
  uint8_t *block = malloc(len ? len : 1);
  FUZZ_CHECK(block != NULL);
  memcpy(block, data + 1, len);
  tc_exts e;
  tc_error err;
  tc_error_clear(&err);
  if (tc_msg_parse_extensions(block, len, ctx, &e, &err) != TC_OK) {
    if (getenv("TLSCORE_FUZZ_VERBOSE"))
      fprintf(stderr, "rejected: %s\n", err.message);
    FUZZ_CHECK(err.code == TC_ERR_DECODE_ERROR || err.code == TC_ERR_ILLEGAL_PARAMETER);
    free(block);
    return 0;
  }
  FUZZ_CHECK(e.n_psk_identities == e.n_psk_binders);
  /* Counts have no limit; the first TC_MSG_MAX_* items are kept. */
  size_t kept_unknown = e.n_unknown < TC_MSG_MAX_UNKNOWN_EXT ? e.n_unknown : TC_MSG_MAX_UNKNOWN_EXT;
  for (size_t i = 0; i < kept_unknown; i++)
    FUZZ_CHECK(!tc_ext_is_known(e.unknown[i]) && tc_exts_has(&e, e.unknown[i]));
  if (ctx == TC_EXTCTX_CH && tc_exts_has(&e, TC_EXT_KEY_SHARE)) {
    /* Every share in the raw list is found, the count covers them all, and
     * the kept ones are the list's first entries. */
    tc_reader list;
    tc_rd_init(&list, e.key_share_list.p, e.key_share_list.len);
    size_t n = 0;
    while (!tc_rd_empty(&list)) {
      uint16_t g;
      tc_reader kx;
      FUZZ_CHECK(tc_rd_u16(&list, &g) && tc_rd_vec16(&list, &kx));
      tc_key_share_entry found;
      FUZZ_CHECK(tc_exts_find_key_share(&e, g, &found) && found.group == g);
      if (n < TC_MSG_MAX_KEY_SHARES)
        FUZZ_CHECK(e.key_shares[n].group == g && e.key_shares[n].key_exchange.p == kx.p);
      n++;
    }
    FUZZ_CHECK(n == e.n_key_shares);
  }
  if (ctx == TC_EXTCTX_CH && tc_exts_has(&e, TC_EXT_ALPN)) {
    tc_reader list;
    tc_rd_init(&list, e.alpn_list.p, e.alpn_list.len);
    size_t n = 0;
    while (!tc_rd_empty(&list)) {
      tc_reader name;
      FUZZ_CHECK(tc_rd_vec8(&list, &name) && name.len > 0);
      n++;
    }
    FUZZ_CHECK(n == e.n_alpn);
  }
  if (e.n_key_shares > TC_MSG_MAX_KEY_SHARES || e.n_alpn > TC_MSG_MAX_ALPN) {
    /* Writers emit only what the arrays hold: no canonical rewrite. */
    free(block);
    return 0;
  }

  /* Canonical rewrite: write, parse, write again must be identical. */
  tc_writer w1, w2;
  tc_wr_init_dyn(&w1);
  tc_wr_init_dyn(&w2);
  FUZZ_CHECK(tc_msg_write_extensions(&w1, ctx, &e) == TC_OK);
  FUZZ_CHECK(tc_wr_len(&w1) >= 2);
  tc_exts e2;
  tc_error_clear(&err);
  if (tc_msg_parse_extensions(tc_wr_data(&w1) + 2, tc_wr_len(&w1) - 2, ctx, &e2, &err) != TC_OK) {
    fprintf(stderr, "re-parse of our own extensions failed: %s\n", err.message);
    abort();
  }
  FUZZ_CHECK(e2.present == e.present);
  FUZZ_CHECK(tc_msg_write_extensions(&w2, ctx, &e2) == TC_OK);
  FUZZ_CHECK(tc_wr_len(&w1) == tc_wr_len(&w2));
  FUZZ_CHECK(memcmp(tc_wr_data(&w1), tc_wr_data(&w2), tc_wr_len(&w1)) == 0);
  tc_wr_free(&w1);
  tc_wr_free(&w2);
  free(block);
  return 0;
}
