/* libFuzzer target: ticket key files (tc_ticket_keys_parse) and installing what they hold. */
#include <stdlib.h>
#include <string.h>

#include "tlscore/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_ticket_key keys[TC_TICKET_MAX_KEYS];
  tc_error err;
  tc_error_clear(&err);
  size_t n = tc_ticket_keys_parse(data, size, keys, &err);
  if (n == 0) {
    if (err.code == TC_ERR_NONE || err.message[0] == '\0')
      abort(); /* every refusal says why */
    return 0;
  }
  if (n > TC_TICKET_MAX_KEYS)
    abort();
  const uint8_t *ptr[TC_TICKET_MAX_KEYS];
  size_t lens[TC_TICKET_MAX_KEYS];
  for (size_t i = 0; i < n; i++) {
    ptr[i] = keys[i].key;
    lens[i] = keys[i].len;
  }
  /* Every key the parser accepts is one the config accepts. */
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  if (cfg && tc_config_set_ticket_keys(cfg, ptr, lens, n, &err) != TC_OK)
    abort();
  tc_config_unref(cfg);
  return 0;
}
