/* Randomness: the system source (getrandom) or the caller's tc_rng, and the bridge for nettle. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "crypto/crypto_internal.h"

static int system_random(uint8_t *out, size_t len) {
  while (len > 0) {
    ssize_t got = getrandom(out, len, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    out += got;
    len -= (size_t)got;
  }
  return 0;
}

int tc_random(const tc_rng *rng, uint8_t *out, size_t len) {
  if (len == 0)
    return 0;
  if (rng != NULL && rng->fn != NULL)
    return rng->fn(rng->ctx, out, len) == 0 ? 0 : -1;
  return system_random(out, len);
}

void tc_nettle_random(void *ctx, size_t len, uint8_t *out) {
  tc_nettle_rng *r = ctx;
  if (tc_random(r->rng, out, len) != 0) {
    /* nettle loops until it gets a usable value (e.g. a nonzero scalar
     * below q), so hand it a harmless constant; the operation's result is
     * thrown away because `failed` is set. */
    r->failed = true;
    memset(out, 0x5a, len);
  }
}
