/* libFuzzer target: CompressedCertificate bodies (RFC 8879): the parser's round trip, then the engine's length and algorithm checks with a stand-in codec and the Certificate parse of what comes out. */
#include "engine/conn_internal.h"
#include "fuzz-msg.h"

static int pw_compressed(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  (void)ctx;
  tc_compressed_certificate cc;
  if (tc_msg_parse_compressed_certificate(body, len, &cc, err) != TC_OK)
    return TC_FAIL;
  FUZZ_CHECK(cc.compressed.len > 0 && cc.compressed.len <= 0xffffff);
  FUZZ_CHECK(cc.compressed.p > body && cc.compressed.p + cc.compressed.len == body + len);
  FUZZ_CHECK(len == 8 + cc.compressed.len);
  return tc_msg_write_compressed_certificate(w, &cc);
}

/* Stand-in for zlib: the "compressed" bytes are the plain ones. What is
 * fuzzed is the engine around it, which must never hand the codec an
 * output size over the limit and must accept only exact lengths. */
static size_t limit_seen;
static int identity_decompress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t out_len) {
  (void)ctx;
  FUZZ_CHECK(alg == TC_CERT_COMPRESSION_ZLIB || alg == TC_CERT_COMPRESSION_ZSTD);
  FUZZ_CHECK(out_len >= 4 && out_len <= limit_seen);
  if (in_len != out_len)
    return -1;
  memcpy(out, in, out_len); /* ASan: the engine's buffer is exactly out_len */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_check_stable(data, size, pw_compressed, NULL);

  static const uint16_t algs[] = {TC_CERT_COMPRESSION_ZLIB, TC_CERT_COMPRESSION_ZSTD};
  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  FUZZ_CHECK(cfg != NULL);
  FUZZ_CHECK(tc_config_set_cert_compression(cfg, algs, 2, NULL, identity_decompress, NULL, &err) ==
             TC_OK);
  FUZZ_CHECK(tc_config_set_max_handshake_size(cfg, 4096, &err) == TC_OK);
  limit_seen = 4096;
  tc_conn *c = tc_conn_new(cfg, &err);
  FUZZ_CHECK(c != NULL);
  uint8_t *plain = NULL;
  size_t pl = 0;
  if (tc_hs_decompress_certificate(c, data, size, &plain, &pl) == TC_OK) {
    FUZZ_CHECK(plain != NULL && pl >= 4 && pl <= 4096);
    tc_compressed_certificate cc;
    tc_error_clear(&err);
    FUZZ_CHECK(tc_msg_parse_compressed_certificate(data, size, &cc, &err) == TC_OK);
    FUZZ_CHECK(cc.uncompressed_length == pl && memcmp(plain, cc.compressed.p, pl) == 0);
    tc_certificate cm;
    tc_error_clear(&err);
    if (tc_msg_parse_certificate(plain, pl, TC_TLS13, &cm, &err) != TC_OK)
      FUZZ_CHECK(err.code != TC_ERR_NONE);
    free(plain);
  } else {
    FUZZ_CHECK(plain == NULL);
    tc_err code = tc_conn_error(c)->code;
    FUZZ_CHECK(code == TC_ERR_DECODE_ERROR || code == TC_ERR_ILLEGAL_PARAMETER ||
               code == TC_ERR_BAD_CERTIFICATE);
  }
  tc_conn_free(c);
  tc_config_unref(cfg);
  return 0;
}
