/* libFuzzer target: RFC 9258 ImportedIdentity (a TLS 1.3 PSK identity a server recognises as imported). */
#include "fuzz-msg.h"
#include "handshake/keysched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A heap copy of exactly the identity, so ASan sees any overread. */
  uint8_t *id = malloc(size ? size : 1);
  FUZZ_CHECK(id != NULL);
  memcpy(id, data, size);
  tc_imported_identity ii;
  tc_error err;
  tc_error_clear(&err);
  if (tc_msg_parse_imported_identity(id, size, &ii, &err) != TC_OK) {
    if (getenv("TLSCORE_FUZZ_VERBOSE"))
      fprintf(stderr, "rejected: %s\n", err.message);
    FUZZ_CHECK(err.code == TC_ERR_DECODE_ERROR);
    free(id);
    return 0;
  }
  FUZZ_CHECK(ii.external_identity.len >= 1);
  FUZZ_CHECK(ii.external_identity.p >= id && ii.context.p >= id);
  FUZZ_CHECK(ii.external_identity.p + ii.external_identity.len <= id + size);
  FUZZ_CHECK(ii.context.p + ii.context.len <= id + size);
  /* The encoding is canonical: writing it back gives the input. */
  tc_writer w;
  tc_wr_init_dyn(&w);
  FUZZ_CHECK(tc_msg_write_imported_identity(&w, &ii) == TC_OK);
  FUZZ_CHECK(tc_wr_len(&w) == size && memcmp(tc_wr_data(&w), id, size) == 0);
  tc_wr_free(&w);
  /* And the importer derives from it under both EPSK and target hashes. */
  static const uint8_t epsk[] = "fuzz external psk";
  uint8_t out[TC_HASH_MAX_LEN];
  FUZZ_CHECK(tc_ks_import_psk(TC_HASH_SHA256, epsk, sizeof epsk - 1, id, size, TC_HASH_SHA384,
                              out) == 0);
  FUZZ_CHECK(tc_ks_import_psk(TC_HASH_SHA384, epsk, sizeof epsk - 1, id, size, TC_HASH_SHA256,
                              out) == 0);
  free(id);
  return 0;
}
