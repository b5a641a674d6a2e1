/* libFuzzer target: PKCS#12 import (MAC, encrypted contents, bags). */
#include <stdlib.h>

#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_error err;
  tc_error_clear(&err);
  tc_cert **certs;
  size_t n;
  tc_privkey *key;
  if (tc_pkcs12_parse(data, size, "1234", &certs, &n, &key, &err) != TC_OK)
    return 0;
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(certs[i]);
  free(certs);
  if (key)
    tc_privkey_unref(key);
  return 0;
}
