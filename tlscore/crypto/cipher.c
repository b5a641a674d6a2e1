/* CBC block ciphers (AES, 3DES) and RC4 for TLS 1.2 and older and for encrypted key files. */
#include <string.h>

#include <nettle/aes.h>
#include <nettle/arcfour.h>
#include <nettle/cbc.h>
#include <nettle/des.h>

#include "crypto/crypto_internal.h"

_Static_assert(sizeof(struct aes128_ctx) <= sizeof(((tc_cipher *)0)->state), "aes128 ctx");
_Static_assert(sizeof(struct aes256_ctx) <= sizeof(((tc_cipher *)0)->state), "aes256 ctx");
_Static_assert(sizeof(struct des3_ctx) <= sizeof(((tc_cipher *)0)->state), "des3 ctx");
_Static_assert(sizeof(struct arcfour_ctx) <= sizeof(((tc_cipher *)0)->state), "arcfour ctx");

size_t tc_cipher_key_len(tc_cipher_alg alg) {
  switch (alg) {
  case TC_CIPHER_AES128_CBC: return 16;
  case TC_CIPHER_AES256_CBC: return 32;
  case TC_CIPHER_3DES_CBC: return DES3_KEY_SIZE;
  case TC_CIPHER_RC4_128: return 16;
  default: return 0;
  }
}

size_t tc_cipher_block_len(tc_cipher_alg alg) {
  switch (alg) {
  case TC_CIPHER_AES128_CBC:
  case TC_CIPHER_AES256_CBC:
    return AES_BLOCK_SIZE;
  case TC_CIPHER_3DES_CBC: return DES3_BLOCK_SIZE;
  case TC_CIPHER_RC4_128: return 1;
  default: return 0;
  }
}

int tc_cipher_init(tc_cipher *c, tc_cipher_alg alg, bool encrypt, const uint8_t *key,
                   size_t key_len, const uint8_t *iv) {
  size_t want = tc_cipher_key_len(alg);
  void *st = c->state;
  c->alg = TC_CIPHER_NONE;
  c->encrypt = encrypt;
  memset(c->iv, 0, sizeof c->iv);
  if (want == 0 || key_len != want)
    return -1;
  switch (alg) {
  case TC_CIPHER_AES128_CBC:
    if (encrypt)
      aes128_set_encrypt_key(st, key);
    else
      aes128_set_decrypt_key(st, key);
    break;
  case TC_CIPHER_AES256_CBC:
    if (encrypt)
      aes256_set_encrypt_key(st, key);
    else
      aes256_set_decrypt_key(st, key);
    break;
  case TC_CIPHER_3DES_CBC:
    /* nettle flags weak DES keys; the schedule is set either way and a
     * negotiated key is random, so only refuse the weak ones */
    if (!des3_set_key(st, key)) {
      tc_wipe(c->state, sizeof c->state);
      return -1;
    }
    break;
  case TC_CIPHER_RC4_128:
    arcfour128_set_key(st, key);
    break;
  default:
    return -1;
  }
  c->alg = alg;
  if (iv != NULL && alg != TC_CIPHER_RC4_128)
    memcpy(c->iv, iv, tc_cipher_block_len(alg));
  return 0;
}

void tc_cipher_set_iv(tc_cipher *c, const uint8_t *iv) {
  size_t bl = tc_cipher_block_len(c->alg);
  if (bl > 1)
    memcpy(c->iv, iv, bl);
}

/* Exact-signature adapters so the CBC driver never calls through a cast
 * function pointer. */
static void aes128_enc(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  aes128_encrypt(ctx, len, dst, src);
}
static void aes128_dec(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  aes128_decrypt(ctx, len, dst, src);
}
static void aes256_enc(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  aes256_encrypt(ctx, len, dst, src);
}
static void aes256_dec(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  aes256_decrypt(ctx, len, dst, src);
}
static void des3_enc(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  des3_encrypt(ctx, len, dst, src);
}
static void des3_dec(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src) {
  des3_decrypt(ctx, len, dst, src);
}

void tc_cipher_update(tc_cipher *c, uint8_t *buf, size_t len) {
  void *st = c->state;
  size_t bl = tc_cipher_block_len(c->alg);
  if (len == 0 || bl == 0)
    return;
  if (c->alg == TC_CIPHER_RC4_128) {
    arcfour_crypt(st, len, buf, buf);
    return;
  }
  /* Callers pass whole blocks; a partial tail is left untouched rather than
   * read past. */
  len -= len % bl;
  if (len == 0)
    return;
  nettle_cipher_func *f;
  switch (c->alg) {
  case TC_CIPHER_AES128_CBC: f = c->encrypt ? aes128_enc : aes128_dec; break;
  case TC_CIPHER_AES256_CBC: f = c->encrypt ? aes256_enc : aes256_dec; break;
  case TC_CIPHER_3DES_CBC: f = c->encrypt ? des3_enc : des3_dec; break;
  default: return;
  }
  if (c->encrypt)
    cbc_encrypt(st, f, bl, c->iv, len, buf, buf);
  else
    cbc_decrypt(st, f, bl, c->iv, len, buf, buf);
}

void tc_cipher_clear(tc_cipher *c) {
  tc_wipe(c->state, sizeof c->state);
  tc_wipe(c->iv, sizeof c->iv);
  c->alg = TC_CIPHER_NONE;
}
