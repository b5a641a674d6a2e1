/* libFuzzer target: GnuTLS psktool PSK file parsing (identity:hexkey, #hexidentity:hexkey). */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every entry stores, and reads back with the same key. */
static int put(void *ctx, const tcs_entry *e, tc_error *err) {
  tc_store *st = ctx;
  if (!e->key || e->key_len == 0 || e->key_len > TC_STORE_MAX_PSK_KEY || e->name_len == 0)
    abort();
  if (tc_store_psk_put(st, e->name, e->name_len, e->key, e->key_len, true, err) != TC_OK)
    abort();
  uint8_t key[TC_STORE_MAX_PSK_KEY];
  size_t key_len = sizeof key;
  if (tc_store_psk_lookup(st, e->name, e->name_len, key, &key_len, err) != TC_OK ||
      key_len != e->key_len || memcmp(key, e->key, key_len) != 0)
    abort();
  return TC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(NULL, TC_STORE_PSK, 0, &err);
  if (!st)
    abort();
  if (tcs_parse_psk_file((const char *)data, size, put, st, &err) != TC_OK &&
      (err.code == TC_ERR_NONE || err.message[0] == '\0'))
    abort();
  tc_store_close(st);
  return 0;
}
