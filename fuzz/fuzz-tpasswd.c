/* libFuzzer target: GnuTLS srptool tpasswd parsing (user:verifier:salt:index) into a memory store. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each entry the parser hands out must be storable as is (the store checks
 * group, salt and 1 <= v < N) or refused with a message; a stored entry's
 * salt and verifier must survive srptool's base64 both ways. */
static int put(void *ctx, const tcs_entry *e, tc_error *err) {
  tc_store *st = ctx;
  if (!e->srp || e->name_len == 0 || e->srp->salt_len == 0 ||
      e->srp->verifier_len > TC_SRP_MAX_N_BYTES)
    abort();
  int rc = tc_store_srp_put(st, e->name, e->name_len, e->srp, true, err);
  if (rc != TC_OK)
    return rc;
  char enc[TC_SRP_MAX_N_BYTES / 3 * 4 + 8];
  uint8_t back[TC_SRP_MAX_N_BYTES + 3];
  size_t n;
  if (tcs_sb64_encode(e->srp->verifier, e->srp->verifier_len, enc, sizeof enc) == 0) {
    if (tcs_sb64_decode(enc, strlen(enc), back, sizeof back, &n) != TC_OK)
      abort();
    /* equal as numbers */
    size_t a = 0, b = 0;
    while (a < e->srp->verifier_len && e->srp->verifier[a] == 0)
      a++;
    while (b < n && back[b] == 0)
      b++;
    if (n - b != e->srp->verifier_len - a || memcmp(back + b, e->srp->verifier + a, n - b) != 0)
      abort();
  }
  if (tcs_sb64_encode(e->srp->salt, e->srp->salt_len, enc, sizeof enc) == 0) {
    if (tcs_sb64_decode(enc, strlen(enc), back, sizeof back, &n) != TC_OK || n != e->srp->salt_len ||
        memcmp(back, e->srp->salt, n) != 0)
      abort();
  }
  return TC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* srptool's numbering of all seven RFC 5054 groups, plus an unknown one */
  tcs_conf conf = {.n = 8};
  static const unsigned bits[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  for (unsigned i = 0; i < 7; i++) {
    conf.groups[i].index = i + 1;
    conf.groups[i].group_bits = bits[i];
  }
  conf.groups[7].index = 9;
  conf.groups[7].group_bits = 0;
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(NULL, TC_STORE_SRP, 0, &err);
  if (!st)
    abort();
  if (tcs_parse_tpasswd((const char *)data, size, &conf, put, st, &err) != TC_OK &&
      (err.code == TC_ERR_NONE || err.message[0] == '\0'))
    abort();
  tc_store_close(st);
  return 0;
}
