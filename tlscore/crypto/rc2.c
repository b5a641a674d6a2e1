/* RC2-CBC decryption, only for reading legacy PKCS#12 files (pbeWithSHAAnd40BitRC2-CBC). */
#include <nettle/arctwo.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/rc2.h"

int tc_rc2_cbc_decrypt(const uint8_t *key, size_t key_len, unsigned effective_bits,
                       const uint8_t iv[8], uint8_t *buf, size_t len) {
  if (key_len < ARCTWO_MIN_KEY_SIZE || key_len > ARCTWO_MAX_KEY_SIZE || effective_bits == 0 ||
      effective_bits > 1024 || len % ARCTWO_BLOCK_SIZE)
    return -1;
  struct arctwo_ctx ctx;
  uint8_t chain[ARCTWO_BLOCK_SIZE];
  arctwo_set_key_ekb(&ctx, key_len, key, effective_bits);
  memcpy(chain, iv, sizeof chain);
  /* CBC by hand: calling through nettle_cipher_func would need a cast of
   * the function type, which UBSan's function check rejects. */
  for (size_t off = 0; off < len; off += ARCTWO_BLOCK_SIZE) {
    uint8_t ct[ARCTWO_BLOCK_SIZE];
    memcpy(ct, buf + off, sizeof ct);
    arctwo_decrypt(&ctx, ARCTWO_BLOCK_SIZE, buf + off, ct);
    for (size_t i = 0; i < ARCTWO_BLOCK_SIZE; i++)
      buf[off + i] ^= chain[i];
    memcpy(chain, ct, sizeof chain);
  }
  tc_wipe(&ctx, sizeof ctx);
  return 0;
}
