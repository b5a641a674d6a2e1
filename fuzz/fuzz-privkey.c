/* libFuzzer target: private key parsing in every format, and the PKCS#8 writer round trip. */
#include <stdlib.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_error err;
  tc_error_clear(&err);
  tc_privkey *k = tc_privkey_parse(data, size, "secret", &err);
  if (!k)
    return 0;
  uint8_t *der;
  size_t len;
  tc_error_clear(&err);
  if (tc_privkey_to_pkcs8(k, &der, &len, &err) == TC_OK) {
    tc_privkey *k2 = tc_privkey_parse(der, len, NULL, &err);
    if (!k2)
      abort(); /* our own output must parse */
    tc_privkey_unref(k2);
    tc_wipe(der, len);
    free(der);
  }
  tc_privkey_unref(k);
  return 0;
}
