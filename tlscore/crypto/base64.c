/* Base64 through nettle, with the strict decoding pins and key files need. */
#include <nettle/base64.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_internal.h"

void tc_base64_encode(const uint8_t *in, size_t len, char *out) {
  base64_encode_raw(out, len, in);
  out[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
}

static bool b64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

long tc_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap) {
  /* nettle's decoder skips white space and accepts non-canonical input;
   * pins are compared as text by people, so only one spelling is valid. */
  if (len % 4 != 0 || len / 4 * 3 > cap + 2)
    return -1;
  size_t pad = 0;
  while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
    pad++;
  for (size_t i = 0; i < len - pad; i++)
    if (!b64_char(in[i]))
      return -1;
  size_t n = len / 4 * 3 - pad;
  if (n > cap)
    return -1;
  struct base64_decode_ctx ctx;
  uint8_t *tmp = malloc(BASE64_DECODE_LENGTH(len) + 1);
  char *again = malloc(len + 1);
  long rc = -1;
  if (!tmp || !again)
    goto done;
  size_t got = BASE64_DECODE_LENGTH(len) + 1;
  base64_decode_init(&ctx);
  if (!base64_decode_update(&ctx, &got, tmp, len, in) || !base64_decode_final(&ctx) || got != n)
    goto done;
  /* canonical: re-encoding gives back the same text (unused bits zero) */
  tc_base64_encode(tmp, n, again);
  if (memcmp(again, in, len) != 0)
    goto done;
  memcpy(out, tmp, n);
  rc = (long)n;
done:
  if (tmp)
    tc_wipe(tmp, BASE64_DECODE_LENGTH(len) + 1);
  free(tmp);
  free(again);
  return rc;
}
