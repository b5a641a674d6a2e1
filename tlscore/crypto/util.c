/* Memory hygiene: wiping secrets and constant-time comparison. */
#include <string.h>

#include "crypto/crypto_internal.h"

void tc_wipe(void *p, size_t n) {
  if (p != NULL && n > 0)
    explicit_bzero(p, n);
}

bool tc_ct_equal(const void *a, const void *b, size_t n) {
  /* Eight bytes at a time (MACs, binders and Finished are 12-64 bytes); the
   * volatile accumulator keeps the compiler from turning this into an
   * early-exit loop: every word is read and folded in, whatever it holds. */
  const uint8_t *x = a, *y = b;
  volatile uint64_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t u, v;
    memcpy(&u, x + i, 8);
    memcpy(&v, y + i, 8);
    diff |= u ^ v;
  }
  for (; i < n; i++)
    diff |= (uint64_t)(x[i] ^ y[i]);
  return diff == 0;
}

void tc_mpz_wipe_clear(mpz_t x) {
  /* wipe the whole allocation, not just the limbs in use */
  if (x->_mp_alloc > 0)
    tc_wipe(x->_mp_d, (size_t)x->_mp_alloc * sizeof(mp_limb_t));
  mpz_clear(x);
}

void tc_ecc_scalar_wipe_clear(struct ecc_scalar *s) {
  if (s->p != NULL)
    tc_wipe(s->p, (size_t)ecc_size(s->ecc) * sizeof(mp_limb_t));
  ecc_scalar_clear(s);
}
