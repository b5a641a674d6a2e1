/* HMAC over tc_hash, HKDF (RFC 5869), TLS 1.3 HKDF-Expand-Label, TLS PRFs and PBKDF2. */
#include <string.h>

#include "crypto/crypto_internal.h"
#include "tlscore/tag.h"

void tc_hmac_init(tc_hmac_ctx *ctx, tc_hash_alg alg, const uint8_t *key, size_t key_len) {
  uint8_t k[TC_HASH_MAX_BLOCK];
  uint8_t pad[TC_HASH_MAX_BLOCK];
  size_t bl = tc_hash_block_len(alg);

  memset(k, 0, sizeof k);
  ctx->alg = alg;
  if (key_len > bl)
    tc_hash(alg, key, key_len, k);
  else if (key_len > 0)
    memcpy(k, key, key_len);

  /* The pads are computed over the whole (zero-filled) buffer: a constant
   * trip count lets the compiler vectorise the loops, which byte by byte
   * cost more than the two hash blocks they feed (a TLS 1.3 handshake
   * keys ~25 HMACs per side). Only the first bl bytes are hashed. */
  for (size_t i = 0; i < TC_HASH_MAX_BLOCK; i++)
    pad[i] = k[i] ^ 0x36;
  tc_hash_init(&ctx->inner, alg);
  tc_hash_update(&ctx->inner, pad, bl);
  for (size_t i = 0; i < TC_HASH_MAX_BLOCK; i++)
    pad[i] = k[i] ^ 0x5c;
  tc_hash_init(&ctx->outer, alg);
  tc_hash_update(&ctx->outer, pad, bl);

  tc_wipe(k, sizeof k);
  tc_wipe(pad, sizeof pad);
}

void tc_hmac_update(tc_hmac_ctx *ctx, const uint8_t *data, size_t len) {
  tc_hash_update(&ctx->inner, data, len);
}

void tc_hmac_final(tc_hmac_ctx *ctx, uint8_t *out) {
  uint8_t ih[TC_HASH_MAX_LEN];
  size_t hl = tc_hash_len(ctx->alg);
  tc_hash_final(&ctx->inner, ih);
  tc_hash_update(&ctx->outer, ih, hl);
  tc_hash_final(&ctx->outer, out);
  tc_wipe(ih, sizeof ih);
  /* Both hash finals wiped their states (the keyed pads); what is left of
   * ctx is the algorithm. Wiping all 0.7 KiB again was a third wipe per
   * HMAC, dozens per handshake. */
  ctx->alg = TC_HASH_NONE;
}

void tc_hmac(tc_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
             size_t len, uint8_t *out) {
  tc_hmac_ctx ctx;
  tc_hmac_init(&ctx, alg, key, key_len);
  tc_hmac_update(&ctx, data, len);
  tc_hmac_final(&ctx, out);
}

void tc_secret_tag(const uint8_t *key, size_t key_len, const char *label, const uint8_t *secret,
                   size_t secret_len, uint8_t out[32]) {
  tc_hmac_ctx ctx;
  tc_hmac_init(&ctx, TC_HASH_SHA256, key, key_len);
  tc_hmac_update(&ctx, (const uint8_t *)label, strlen(label) + 1);
  if (secret_len)
    tc_hmac_update(&ctx, secret, secret_len);
  tc_hmac_final(&ctx, out); /* wipes ctx */
}

void tc_hkdf_extract(tc_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                     size_t ikm_len, uint8_t *prk) {
  /* An absent salt is HashLen zero bytes, which HMAC pads to the same key
   * as an empty one. */
  tc_hmac(alg, salt, salt_len, ikm, ikm_len, prk);
}

/* HKDF-Expand from an HMAC state already keyed with the PRK (left intact). */
static int hkdf_expand_keyed(const tc_hmac_ctx *base, const uint8_t *info, size_t info_len,
                             uint8_t *out, size_t out_len) {
  size_t hl = tc_hash_len(base->alg);
  if (hl == 0 || base->alg == TC_HASH_MD5_SHA1 || out_len > 255 * hl)
    return -1;

  tc_hmac_ctx ctx;
  uint8_t t[TC_HASH_MAX_LEN];
  size_t t_len = 0;
  for (uint8_t i = 1; out_len > 0; i++) {
    ctx = *base;
    tc_hmac_update(&ctx, t, t_len);
    tc_hmac_update(&ctx, info, info_len);
    tc_hmac_update(&ctx, &i, 1);
    tc_hmac_final(&ctx, t);
    t_len = hl;
    size_t n = out_len < hl ? out_len : hl;
    memcpy(out, t, n);
    out += n;
    out_len -= n;
  }
  tc_wipe(t, sizeof t);
  return 0;
}

int tc_hkdf_expand(tc_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                   size_t info_len, uint8_t *out, size_t out_len) {
  size_t hl = tc_hash_len(alg);
  if (hl == 0 || alg == TC_HASH_MD5_SHA1 || out_len > 255 * hl)
    return -1;

  tc_hmac_ctx base;
  tc_hmac_init(&base, alg, prk, prk_len);
  int rc = hkdf_expand_keyed(&base, info, info_len, out, out_len);
  tc_wipe(&base, sizeof base);
  return rc;
}

int tc_hkdf_expand_label(tc_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len) {
  if (tc_hash_len(alg) == 0 || alg == TC_HASH_MD5_SHA1)
    return -1;
  tc_hmac_ctx base;
  tc_hmac_init(&base, alg, secret, secret_len);
  int rc = tc_hkdf_expand_label_keyed(&base, label, context, context_len, out, out_len);
  tc_wipe(&base, sizeof base);
  return rc;
}

int tc_hkdf_expand_label_keyed(const tc_hmac_ctx *base, const char *label,
                               const uint8_t *context, size_t context_len, uint8_t *out,
                               size_t out_len) {
  static const char prefix[] = "tls13 ";
  size_t label_len = strlen(label);
  size_t full_label = sizeof prefix - 1 + label_len;
  if (full_label > 255 || context_len > 255 || out_len > 0xffff)
    return -1;

  /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
  uint8_t info[2 + 1 + 255 + 1 + 255];
  size_t n = 0;
  info[n++] = (uint8_t)(out_len >> 8);
  info[n++] = (uint8_t)out_len;
  info[n++] = (uint8_t)full_label;
  memcpy(info + n, prefix, sizeof prefix - 1);
  n += sizeof prefix - 1;
  if (label_len > 0)
    memcpy(info + n, label, label_len);
  n += label_len;
  info[n++] = (uint8_t)context_len;
  if (context_len > 0)
    memcpy(info + n, context, context_len);
  n += context_len;

  int rc = hkdf_expand_keyed(base, info, n, out, out_len);
  tc_wipe(info, n); /* the part written */
  return rc;
}

/* RFC 5246 §5 P_hash; with `xor` the output is XORed into out (TLS 1.0 PRF). */
static void p_hash(tc_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                   size_t label_len, const uint8_t *seed, size_t seed_len, uint8_t *out,
                   size_t out_len, bool xor) {
  size_t hl = tc_hash_len(alg);
  tc_hmac_ctx base, ctx;
  uint8_t a[TC_HASH_MAX_LEN], block[TC_HASH_MAX_LEN];

  tc_hmac_init(&base, alg, secret, secret_len);
  /* A(1) = HMAC(secret, label || seed) */
  ctx = base;
  tc_hmac_update(&ctx, (const uint8_t *)label, label_len);
  tc_hmac_update(&ctx, seed, seed_len);
  tc_hmac_final(&ctx, a);
  while (out_len > 0) {
    ctx = base;
    tc_hmac_update(&ctx, a, hl);
    tc_hmac_update(&ctx, (const uint8_t *)label, label_len);
    tc_hmac_update(&ctx, seed, seed_len);
    tc_hmac_final(&ctx, block);
    size_t n = out_len < hl ? out_len : hl;
    for (size_t i = 0; i < n; i++)
      out[i] = xor ? (uint8_t)(out[i] ^ block[i]) : block[i];
    out += n;
    out_len -= n;
    if (out_len > 0) {
      ctx = base;
      tc_hmac_update(&ctx, a, hl);
      tc_hmac_final(&ctx, a);
    }
  }
  tc_wipe(&base, sizeof base);
  tc_wipe(a, sizeof a);
  tc_wipe(block, sizeof block);
}

int tc_prf_tls(tc_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len) {
  size_t label_len = label != NULL ? strlen(label) : 0;
  if (out_len == 0)
    return tc_hash_len(alg) != 0 ? 0 : -1;
  if (alg == TC_HASH_MD5_SHA1) {
    /* RFC 2246 §5: the two halves overlap by one byte when the length is odd */
    size_t half = (secret_len + 1) / 2;
    memset(out, 0, out_len);
    p_hash(TC_HASH_MD5, secret, half, label, label_len, seed, seed_len, out, out_len, true);
    p_hash(TC_HASH_SHA1, secret + (secret_len - half), half, label, label_len, seed, seed_len,
           out, out_len, true);
    return 0;
  }
  if (tc_hash_len(alg) == 0)
    return -1;
  p_hash(alg, secret, secret_len, label, label_len, seed, seed_len, out, out_len, false);
  return 0;
}

int tc_pbkdf2(tc_hash_alg alg, const uint8_t *pass, size_t pass_len, const uint8_t *salt,
              size_t salt_len, unsigned iterations, uint8_t *out, size_t out_len) {
  size_t hl = tc_hash_len(alg);
  if (hl == 0 || alg == TC_HASH_MD5_SHA1 || iterations == 0)
    return -1;
  if (out_len / hl >= 0xffffffffu)
    return -1;

  tc_hmac_ctx base, ctx;
  uint8_t u[TC_HASH_MAX_LEN], t[TC_HASH_MAX_LEN];
  tc_hmac_init(&base, alg, pass, pass_len);
  for (uint32_t block = 1; out_len > 0; block++) {
    uint8_t be[4] = {(uint8_t)(block >> 24), (uint8_t)(block >> 16), (uint8_t)(block >> 8),
                     (uint8_t)block};
    ctx = base;
    tc_hmac_update(&ctx, salt, salt_len);
    tc_hmac_update(&ctx, be, 4);
    tc_hmac_final(&ctx, u);
    memcpy(t, u, hl);
    for (unsigned it = 1; it < iterations; it++) {
      ctx = base;
      tc_hmac_update(&ctx, u, hl);
      tc_hmac_final(&ctx, u);
      for (size_t i = 0; i < hl; i++)
        t[i] ^= u[i];
    }
    size_t n = out_len < hl ? out_len : hl;
    memcpy(out, t, n);
    out += n;
    out_len -= n;
  }
  tc_wipe(&base, sizeof base);
  tc_wipe(u, sizeof u);
  tc_wipe(t, sizeof t);
  return 0;
}

int tc_prf_ssl3(const uint8_t *secret, size_t secret_len, const uint8_t *seed, size_t seed_len,
                uint8_t *out, size_t out_len) {
  if (out_len > 26 * 16)
    return -1;
  uint8_t label[26], inner[20], block[16];
  for (size_t i = 0; out_len > 0; i++) {
    tc_hash_ctx ctx;
    memset(label, (int)('A' + i), i + 1);
    tc_hash_init(&ctx, TC_HASH_SHA1);
    tc_hash_update(&ctx, label, i + 1);
    tc_hash_update(&ctx, secret, secret_len);
    tc_hash_update(&ctx, seed, seed_len);
    tc_hash_final(&ctx, inner);
    tc_hash_init(&ctx, TC_HASH_MD5);
    tc_hash_update(&ctx, secret, secret_len);
    tc_hash_update(&ctx, inner, sizeof inner);
    tc_hash_final(&ctx, block);
    size_t n = out_len < 16 ? out_len : 16;
    memcpy(out, block, n);
    out += n;
    out_len -= n;
  }
  tc_wipe(inner, sizeof inner);
  tc_wipe(block, sizeof block);
  return 0;
}
