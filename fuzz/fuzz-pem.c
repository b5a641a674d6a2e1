/* libFuzzer target: PEM decoding, re-encoding, and certificate lists from PEM text. */
#include <stdlib.h>
#include <string.h>

#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_error err;
  tc_error_clear(&err);
  tc_pem_block *blocks;
  size_t n = tc_pem_decode((const char *)data, size, &blocks, &err);
  for (size_t i = 0; i < n; i++) {
    if (!blocks[i].der)
      continue; /* block with headers: no content */
    char *pem = tc_pem_encode(blocks[i].label, blocks[i].der, blocks[i].len);
    if (!pem)
      abort();
    tc_pem_block *again;
    tc_error e2;
    tc_error_clear(&e2);
    size_t m = tc_pem_decode(pem, strlen(pem), &again, &e2);
    if (m != 1 || again[0].len != blocks[i].len ||
        memcmp(again[0].der, blocks[i].der, blocks[i].len) != 0)
      abort(); /* encode/decode must round-trip */
    tc_pem_blocks_free(again, m);
    free(pem);
  }
  tc_pem_blocks_free(blocks, n);
  tc_cert **certs;
  tc_error_clear(&err);
  n = tc_certs_parse(data, size, &certs, &err);
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(certs[i]);
  free(certs);
  tc_trust_store *s = tc_trust_store_new();
  tc_error_clear(&err);
  (void)tc_trust_store_add_data(s, data, size, &err);
  tc_trust_store_unref(s);
  return 0;
}
