/* Constant-time checks for TLS 1.0-1.2 MAC-then-encrypt CBC records (Lucky 13 countermeasures). */
#include <string.h>

#include "crypto/crypto_internal.h"

volatile uint8_t tc_ct_sink;

/* all ones iff a <= b (both below 2^31) */
static uint32_t ct_le(uint32_t a, uint32_t b) {
  return (uint32_t)0 - (((b - a) >> 31) ^ 1u);
}

/* Compression-function calls a Merkle-Damgard hash makes for `n` bytes. */
static size_t md_blocks(tc_hash_alg alg, size_t n) {
  size_t bl = tc_hash_block_len(alg);
  size_t lenfield = bl == 128 ? 16 : 8;
  return (n + 1 + lenfield + bl - 1) / bl;
}

void tc_hmac_ct(tc_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *hdr,
                size_t hdr_len, const uint8_t *data, size_t len, size_t max_len, uint8_t *out) {
  static const uint8_t zeros[TC_HASH_MAX_BLOCK];
  size_t bl = tc_hash_block_len(alg);
  tc_hmac_ctx ctx;
  tc_hash_ctx dummy;

  tc_hmac_init(&ctx, alg, key, key_len);
  tc_hmac_update(&ctx, hdr, hdr_len);
  tc_hmac_update(&ctx, data, len);
  tc_hmac_final(&ctx, out);

  /* Pad the work to what max_len would have cost: the inner hash covers the
   * ipad block, the header and the data. The dummy context starts empty, so
   * each full block fed to it is exactly one compression. */
  size_t have = md_blocks(alg, bl + hdr_len + len);
  size_t want = md_blocks(alg, bl + hdr_len + max_len);
  tc_hash_init(&dummy, alg);
  for (size_t i = have; i < want; i++)
    tc_hash_update(&dummy, zeros, bl);
  uint8_t sink[TC_HASH_MAX_LEN];
  tc_hash_final(&dummy, sink);
  /* touch the rest of the input so the memory access pattern is the same;
   * the volatile sink keeps the loop from being optimised away */
  uint8_t acc = 0;
  for (size_t i = len; i < max_len; i++)
    acc ^= data[i];
  tc_ct_sink = acc;
}

int tc_cbc_record_check(tc_hash_alg alg, const uint8_t *mac_key, size_t mac_key_len,
                        const uint8_t seq[8], uint8_t type, uint16_t version, const uint8_t *buf,
                        size_t len, size_t *content_len) {
  size_t mac_len = tc_hash_len(alg);
  if (mac_len == 0 || alg == TC_HASH_MD5_SHA1 || len < mac_len + 1 || len > 0x7fffffff)
    return -1;

  /* Padding: the last byte is the count; if it does not fit, treat the
   * padding as empty and let the MAC fail over the longest content. */
  uint32_t max_content = (uint32_t)(len - mac_len - 1);
  uint32_t pad = buf[len - 1];
  uint32_t good = ct_le(pad, max_content);
  pad &= good;
  /* every padding byte must equal the count; scan the last 256 bytes (or
   * the whole record) irrespective of the count */
  size_t scan = len - mac_len < 256 ? len - mac_len : 256;
  for (size_t i = 1; i < scan; i++) {
    uint32_t in_pad = ct_le((uint32_t)i, pad);
    uint32_t eq = tc_ct_mask_eq(buf[len - 1 - i], pad);
    good &= ~in_pad | eq;
  }
  uint32_t clen = max_content - pad;

  /* MAC over seq || type || version || length || content */
  uint8_t hdr[13], mac[TC_HASH_MAX_LEN], rmac[TC_HASH_MAX_LEN];
  memcpy(hdr, seq, 8);
  hdr[8] = type;
  hdr[9] = (uint8_t)(version >> 8);
  hdr[10] = (uint8_t)version;
  hdr[11] = (uint8_t)(clen >> 8);
  hdr[12] = (uint8_t)clen;
  tc_hmac_ct(alg, mac_key, mac_key_len, hdr, sizeof hdr, buf, clen, max_content, mac);

  /* The received MAC starts at the secret offset clen, within 255 bytes of
   * max_content: gather it with masks over every candidate offset. */
  memset(rmac, 0, sizeof rmac);
  size_t lo = max_content > 255 ? max_content - 255 : 0;
  for (size_t off = lo; off <= max_content; off++) {
    uint8_t m = (uint8_t)tc_ct_mask_eq((uint32_t)off, clen);
    for (size_t j = 0; j < mac_len; j++)
      rmac[j] |= buf[off + j] & m;
  }
  good &= tc_ct_equal(mac, rmac, mac_len) ? 0xffffffffu : 0;
  tc_wipe(mac, sizeof mac);
  *content_len = clen;
  return (int)(good & 1) - 1; /* 0 if good, -1 otherwise */
}
