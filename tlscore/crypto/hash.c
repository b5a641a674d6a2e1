/* Message digests over nettle: MD5, SHA-1, SHA-2 and the TLS 1.0 MD5||SHA-1 pair. */
#include <string.h>

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "crypto/crypto_internal.h"

struct md5_sha1_ctx {
  struct md5_ctx md5;
  struct sha1_ctx sha1;
};

_Static_assert(sizeof(struct md5_ctx) <= sizeof(((tc_hash_ctx *)0)->state), "md5 ctx");
_Static_assert(sizeof(struct sha1_ctx) <= sizeof(((tc_hash_ctx *)0)->state), "sha1 ctx");
_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((tc_hash_ctx *)0)->state), "sha256 ctx");
_Static_assert(sizeof(struct sha512_ctx) <= sizeof(((tc_hash_ctx *)0)->state), "sha512 ctx");
_Static_assert(sizeof(struct md5_sha1_ctx) <= sizeof(((tc_hash_ctx *)0)->state), "md5+sha1");
_Static_assert(_Alignof(struct sha512_ctx) <= 16 && _Alignof(struct md5_sha1_ctx) <= 16,
               "hash ctx alignment");

size_t tc_hash_len(tc_hash_alg alg) {
  switch (alg) {
  case TC_HASH_MD5: return MD5_DIGEST_SIZE;
  case TC_HASH_SHA1: return SHA1_DIGEST_SIZE;
  case TC_HASH_SHA224: return SHA224_DIGEST_SIZE;
  case TC_HASH_SHA256: return SHA256_DIGEST_SIZE;
  case TC_HASH_SHA384: return SHA384_DIGEST_SIZE;
  case TC_HASH_SHA512: return SHA512_DIGEST_SIZE;
  case TC_HASH_MD5_SHA1: return MD5_DIGEST_SIZE + SHA1_DIGEST_SIZE;
  default: return 0;
  }
}

size_t tc_hash_block_len(tc_hash_alg alg) {
  switch (alg) {
  case TC_HASH_MD5:
  case TC_HASH_SHA1:
  case TC_HASH_SHA224:
  case TC_HASH_SHA256:
  case TC_HASH_MD5_SHA1:
    return 64;
  case TC_HASH_SHA384:
  case TC_HASH_SHA512:
    return 128;
  default:
    return 0;
  }
}

void tc_hash_init(tc_hash_ctx *ctx, tc_hash_alg alg) {
  void *st = ctx->state;
  ctx->alg = alg;
  switch (alg) {
  case TC_HASH_MD5: md5_init(st); break;
  case TC_HASH_SHA1: sha1_init(st); break;
  case TC_HASH_SHA224: sha224_init(st); break;
  case TC_HASH_SHA256: sha256_init(st); break;
  case TC_HASH_SHA384: sha384_init(st); break;
  case TC_HASH_SHA512: sha512_init(st); break;
  case TC_HASH_MD5_SHA1: {
    struct md5_sha1_ctx *c = st;
    md5_init(&c->md5);
    sha1_init(&c->sha1);
    break;
  }
  default: ctx->alg = TC_HASH_NONE; break;
  }
}

void tc_hash_update(tc_hash_ctx *ctx, const uint8_t *data, size_t len) {
  void *st = ctx->state;
  if (len == 0)
    return;
  switch (ctx->alg) {
  case TC_HASH_MD5: md5_update(st, len, data); break;
  case TC_HASH_SHA1: sha1_update(st, len, data); break;
  case TC_HASH_SHA224: sha224_update(st, len, data); break;
  case TC_HASH_SHA256: sha256_update(st, len, data); break;
  case TC_HASH_SHA384: sha384_update(st, len, data); break;
  case TC_HASH_SHA512: sha512_update(st, len, data); break;
  case TC_HASH_MD5_SHA1: {
    struct md5_sha1_ctx *c = st;
    md5_update(&c->md5, len, data);
    sha1_update(&c->sha1, len, data);
    break;
  }
  default: break;
  }
}

void tc_hash_final(tc_hash_ctx *ctx, uint8_t *out) {
  void *st = ctx->state;
  switch (ctx->alg) {
  case TC_HASH_MD5: md5_digest(st, MD5_DIGEST_SIZE, out); break;
  case TC_HASH_SHA1: sha1_digest(st, SHA1_DIGEST_SIZE, out); break;
  case TC_HASH_SHA224: sha224_digest(st, SHA224_DIGEST_SIZE, out); break;
  case TC_HASH_SHA256: sha256_digest(st, SHA256_DIGEST_SIZE, out); break;
  case TC_HASH_SHA384: sha384_digest(st, SHA384_DIGEST_SIZE, out); break;
  case TC_HASH_SHA512: sha512_digest(st, SHA512_DIGEST_SIZE, out); break;
  case TC_HASH_MD5_SHA1: {
    struct md5_sha1_ctx *c = st;
    md5_digest(&c->md5, MD5_DIGEST_SIZE, out);
    sha1_digest(&c->sha1, SHA1_DIGEST_SIZE, out + MD5_DIGEST_SIZE);
    break;
  }
  default: break;
  }
  /* the state may hold key material (HMAC inner/outer pads) */
  tc_wipe(ctx->state, sizeof ctx->state);
  ctx->alg = TC_HASH_NONE;
}

void tc_hash(tc_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out) {
  tc_hash_ctx ctx;
  tc_hash_init(&ctx, alg);
  tc_hash_update(&ctx, data, len);
  tc_hash_final(&ctx, out);
}
