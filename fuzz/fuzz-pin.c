/* libFuzzer target: pin strings (tc_pin_parse) and strict base64 (tc_base64_decode). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  tc_pin pin, again;
  tc_error err;
  tc_error_clear(&err);
  if (tc_pin_parse(text, &pin, &err) == TC_OK) {
    /* The canonical spelling parses back to the same pin. */
    char out[TC_PIN_TEXT_MAX];
    tc_pin_format(&pin, out);
    if (tc_pin_parse(out, &again, &err) != TC_OK || again.type != pin.type ||
        memcmp(again.hash, pin.hash, 32) != 0)
      abort();
  } else if (err.code == TC_ERR_NONE || err.message[0] == '\0') {
    abort(); /* every refusal says why */
  }
  /* Base64: what decodes re-encodes to the same text. */
  uint8_t *bin = malloc(size / 4 * 3 + 1);
  if (bin) {
    long n = tc_base64_decode(text, size, bin, size / 4 * 3);
    if (n >= 0) {
      char *enc = malloc((size_t)n / 3 * 4 + 5);
      if (enc) {
        tc_base64_encode(bin, (size_t)n, enc);
        if (strlen(enc) != size || memcmp(enc, text, size) != 0)
          abort();
        free(enc);
      }
    }
    free(bin);
  }
  free(text);
  return 0;
}
