/* Ticket key files: nginx's binary 48/80-byte key, or several base64 keys one per line (first seals, all open). */
#include <string.h>

#include "crypto/crypto.h"
#include "tlscore/config.h"

#define MAX_LINE 256

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

size_t tc_ticket_keys_parse(const uint8_t *data, size_t len, tc_ticket_key keys[TC_TICKET_MAX_KEYS],
                            tc_error *err) {
  if (!data || !keys) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no ticket key data");
    return 0;
  }
  if (len == 48 || len == 80) {
    memcpy(keys[0].key, data, len);
    keys[0].len = len;
    return 1;
  }
  size_t n = 0, line = 0, pos = 0;
  while (pos < len) {
    const uint8_t *nl = memchr(data + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - data) : len, start = pos;
    pos = end + 1;
    line++;
    while (start < end && blank((char)data[start]))
      start++;
    while (end > start && blank((char)data[end - 1]))
      end--;
    if (start == end || data[start] == '#')
      continue;
    if (memchr(data + start, '\0', end - start)) {
      tc_error_set(err, TC_ERR_BAD_INPUT,
                   "ticket key file: line %zu is not text (a binary key file has 48 or 80 bytes)",
                   line);
      goto fail;
    }
    if (end - start > MAX_LINE) {
      tc_error_set(err, TC_ERR_BAD_INPUT, "ticket key file: line %zu is too long", line);
      goto fail;
    }
    if (n == TC_TICKET_MAX_KEYS) {
      tc_error_set(err, TC_ERR_BAD_INPUT, "ticket key file: more than %d keys (line %zu)",
                   TC_TICKET_MAX_KEYS, line);
      goto fail;
    }
    long k = tc_base64_decode((const char *)data + start, end - start, keys[n].key,
                              sizeof keys[n].key);
    if (k < 0) {
      tc_error_set(err, TC_ERR_BAD_INPUT, "ticket key file: line %zu is not base64", line);
      goto fail;
    }
    if (k != 32 && k != 48 && k != 80) {
      tc_error_set(err, TC_ERR_BAD_INPUT,
                   "ticket key file: the key on line %zu has %ld bytes (32, 48 or 80)", line, k);
      goto fail;
    }
    keys[n++].len = (size_t)k;
  }
  if (n == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT,
                 "ticket key file: no key (48 or 80 binary bytes, or base64 lines)");
    return 0;
  }
  return n;
fail:
  tc_wipe(keys, sizeof(tc_ticket_key) * TC_TICKET_MAX_KEYS);
  return 0;
}
