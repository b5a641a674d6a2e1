/* libFuzzer target: GnuTLS srptool tpasswd.conf parsing (index:N:g lines in srptool's base64). */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tcs_conf conf;
  tc_error err;
  tc_error_clear(&err);
  if (tcs_parse_tpasswd_conf((const char *)data, size, &conf, &err) != TC_OK) {
    if (err.code == TC_ERR_NONE || err.message[0] == '\0')
      abort(); /* every refusal says why */
    return 0;
  }
  if (conf.n > TCS_CONF_MAX)
    abort();
  for (size_t i = 0; i < conf.n; i++) {
    unsigned bits = conf.groups[i].group_bits;
    if (bits && tcs_srp_group_index(bits) == 0)
      abort(); /* a recognised group is one of the seven */
    for (size_t j = 0; j < i; j++)
      if (conf.groups[j].index == conf.groups[i].index)
        abort(); /* the first line of an index wins */
  }
  return 0;
}
