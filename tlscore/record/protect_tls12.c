/* TLS 1.2-and-older record protection: AEAD (RFC 5288/7905), CBC MAC-then-encrypt and encrypt-then-MAC, RC4, the SSL 3.0 MAC. */
#include "record/record.h"

#include <string.h>

/* ---- shared helpers ---- */

static void put_seq(uint8_t out[8], uint64_t seq) {
  for (int i = 0; i < 8; i++)
    out[i] = (uint8_t)(seq >> (56 - 8 * i));
}

static void put_header(uint8_t *rec, uint8_t type, uint16_t version, size_t len) {
  rec[0] = type;
  rec[1] = (uint8_t)(version >> 8);
  rec[2] = (uint8_t)version;
  rec[3] = (uint8_t)(len >> 8);
  rec[4] = (uint8_t)len;
}

/* seq || type || version || length: the MAC / AAD prefix of RFC 5246 §6.2.3. */
static void mac_header(uint8_t hdr[13], uint64_t seq, uint8_t type, uint16_t version,
                       size_t len) {
  put_seq(hdr, seq);
  put_header(hdr + 8, type, version, len);
}

/* all ones iff a <= b (both below 2^31) */
static uint32_t ct_le(uint32_t a, uint32_t b) { return (uint32_t)0 - (((b - a) >> 31) ^ 1u); }

/* ---- TLS 1.2 AEAD ---- */

TC_HOT static void nonce12(const tc_prot *p, const uint8_t *explicit_nonce,
                    uint8_t nonce[TC_AEAD_NONCE_LEN]) {
  if (p->u.aead12.explicit_nonce) {
    memcpy(nonce, p->u.aead12.iv, 4);
    memcpy(nonce + 4, explicit_nonce, 8);
    return;
  }
  memcpy(nonce, p->u.aead12.iv, TC_AEAD_NONCE_LEN);
  for (int i = 0; i < 8; i++)
    nonce[TC_AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(p->seq >> (8 * i));
}

/* 16 bytes, 8 for AES-CCM_8 */
static size_t tag12(const tc_prot *p) { return tc_aead_tag_len(p->u.aead12.aead.alg); }

TC_HOT static size_t overhead_aead12(const tc_prot *p, size_t len) {
  (void)len;
  return (p->u.aead12.explicit_nonce ? 8 : 0) + tag12(p);
}

static size_t seal_aead12(tc_prot *p, uint8_t type, uint8_t *rec, size_t len) {
  size_t xl = p->u.aead12.explicit_nonce ? 8 : 0;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  if (xl) {
    /* The explicit nonce is the sequence number: unique per key, which is
     * all GCM needs (RFC 5288 §3). */
    memmove(body + xl, body, len);
    put_seq(body, p->seq);
  }
  uint8_t aad[13], nonce[TC_AEAD_NONCE_LEN];
  mac_header(aad, p->seq, type, p->u.aead12.version, len);
  nonce12(p, body, nonce);
  tc_aead_seal(&p->u.aead12.aead, nonce, aad, sizeof aad, body + xl, len, body + xl + len);
  size_t blen = xl + len + tag12(p);
  put_header(rec, type, p->u.aead12.version, blen);
  p->seq++;
  return TC_REC_HDR_LEN + blen;
}

TC_HOT static size_t seal_from_aead12(tc_prot *p, uint8_t type, uint8_t *rec, const uint8_t *src,
                               size_t len) {
  size_t xl = p->u.aead12.explicit_nonce ? 8 : 0;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  if (xl)
    put_seq(body, p->seq);
  uint8_t aad[13], nonce[TC_AEAD_NONCE_LEN];
  mac_header(aad, p->seq, type, p->u.aead12.version, len);
  nonce12(p, body, nonce);
  tc_aead_seal_to(&p->u.aead12.aead, nonce, aad, sizeof aad, src, len, NULL, 0, body + xl,
                  body + xl + len);
  size_t blen = xl + len + tag12(p);
  put_header(rec, type, p->u.aead12.version, blen);
  p->seq++;
  return TC_REC_HDR_LEN + blen;
}

static size_t open_room_aead12(const tc_prot *p, size_t body_len) {
  size_t xl = p->u.aead12.explicit_nonce ? 8 : 0;
  return body_len <= xl + tag12(p) ? 0 : body_len - xl - tag12(p);
}

static int open_to_aead12(tc_prot *p, const uint8_t *rec, size_t body_len, uint8_t *dst,
                          size_t cap, uint8_t *type, size_t *len) {
  size_t xl = p->u.aead12.explicit_nonce ? 8 : 0;
  size_t clen = open_room_aead12(p, body_len);
  if (clen == 0)
    return TC_ERR_BAD_RECORD_MAC; /* the in-place path handles empty records */
  if (cap < clen)
    return TC_ERR_INTERNAL_ERROR;
  const uint8_t *body = rec + TC_REC_HDR_LEN;
  uint8_t aad[13], nonce[TC_AEAD_NONCE_LEN];
  mac_header(aad, p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), clen);
  nonce12(p, body, nonce);
  if (tc_aead_open_to(&p->u.aead12.aead, nonce, aad, sizeof aad, body + xl, clen,
                      body + xl + clen, dst))
    return TC_ERR_BAD_RECORD_MAC;
  p->seq++;
  *type = rec[0];
  *len = clen;
  return 0;
}

TC_HOT static int open_aead12(tc_prot *p, uint8_t *rec, size_t body_len, uint8_t *type, size_t *off,
                       size_t *len) {
  size_t xl = p->u.aead12.explicit_nonce ? 8 : 0;
  if (body_len < xl + tag12(p))
    return TC_ERR_BAD_RECORD_MAC;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  size_t clen = body_len - xl - tag12(p);
  uint8_t aad[13], nonce[TC_AEAD_NONCE_LEN];
  mac_header(aad, p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), clen);
  nonce12(p, body, nonce);
  if (tc_aead_open(&p->u.aead12.aead, nonce, aad, sizeof aad, body + xl, clen, body + xl + clen))
    return TC_ERR_BAD_RECORD_MAC;
  p->seq++;
  *type = rec[0];
  *off = TC_REC_HDR_LEN + xl;
  *len = clen;
  return 0;
}

TC_HOT static void clear_aead12(tc_prot *p) {
  tc_aead_clear(&p->u.aead12.aead);
  tc_wipe(p->u.aead12.iv, sizeof p->u.aead12.iv);
}

static const tc_prot_ops aead12_ops = {
    "tls12-aead",     false, overhead_aead12, seal_aead12,     open_aead12,
    clear_aead12,     seal_from_aead12, open_to_aead12, open_room_aead12};

TC_HOT int tc_prot_init_tls12_aead(tc_prot *p, uint16_t version, tc_aead_alg alg, const uint8_t *key,
                            size_t key_len, const uint8_t *iv, size_t iv_len) {
  tc_prot_clear(p);
  /* GCM (RFC 5288) and CCM (RFC 6655) nonces: 4-byte salt || 8-byte explicit part */
  bool gcm = alg != TC_AEAD_CHACHA20_POLY1305;
  if (iv_len != (gcm ? 4u : (size_t)TC_AEAD_NONCE_LEN) || version < TC_SSL30 ||
      version > TC_TLS12)
    return -1;
  if (tc_aead_init(&p->u.aead12.aead, alg, key, key_len))
    return -1;
  memset(p->u.aead12.iv, 0, sizeof p->u.aead12.iv);
  memcpy(p->u.aead12.iv, iv, iv_len);
  p->u.aead12.version = version;
  p->u.aead12.explicit_nonce = gcm;
  p->seq = 0;
  p->max_expansion = TC_REC_MAX_EXPANSION;
  p->sealed_off = (uint8_t)(TC_REC_HDR_LEN + (gcm ? 8 : 0));
  p->ops = &aead12_ops;
  return 0;
}

/* ---- MACs ---- */

/* SSL 3.0 MAC pads (RFC 6101 §5.2.3.1): 48 bytes for MD5, 40 for SHA-1. */
static size_t ssl3_pad_len(tc_hash_alg alg) { return alg == TC_HASH_MD5 ? 48 : 40; }

/* Compression-function calls a Merkle-Damgard hash makes for n bytes. */
static size_t md_blocks(size_t bl, size_t n) { return (n + 1 + 8 + bl - 1) / bl; }

/* hash(key || pad2 || hash(key || pad1 || seq || type || length || data)).
 * data_len is secret and max_len public: the work and the bytes read are
 * those of max_len (dummy compressions make up the difference). */
static void ssl3_mac(const tc_prot *p, const uint8_t hdr13[13], const uint8_t *data,
                     size_t data_len, size_t max_len, uint8_t *out) {
  static const uint8_t zeros[TC_HASH_MAX_BLOCK];
  uint8_t pad[48], inner[TC_HASH_MAX_LEN];
  tc_hash_alg alg = p->u.cbc.mac;
  size_t pl = ssl3_pad_len(alg), bl = tc_hash_block_len(alg);
  tc_hash_ctx ctx;
  tc_hash_init(&ctx, alg);
  tc_hash_update(&ctx, p->u.cbc.mac_key, p->u.cbc.mac_key_len);
  memset(pad, 0x36, pl);
  tc_hash_update(&ctx, pad, pl);
  tc_hash_update(&ctx, hdr13, 9); /* seq || type: no version in SSL 3.0 */
  tc_hash_update(&ctx, hdr13 + 11, 2);
  tc_hash_update(&ctx, data, data_len);
  tc_hash_final(&ctx, inner);
  tc_hash_init(&ctx, alg);
  tc_hash_update(&ctx, p->u.cbc.mac_key, p->u.cbc.mac_key_len);
  memset(pad, 0x5c, pl);
  tc_hash_update(&ctx, pad, pl);
  tc_hash_update(&ctx, inner, tc_hash_len(alg));
  tc_hash_final(&ctx, out);
  tc_wipe(inner, sizeof inner);

  size_t pre = p->u.cbc.mac_key_len + pl + 11;
  size_t have = md_blocks(bl, pre + data_len), want = md_blocks(bl, pre + max_len);
  tc_hash_ctx dummy;
  tc_hash_init(&dummy, alg);
  for (size_t i = have; i < want; i++)
    tc_hash_update(&dummy, zeros, bl);
  uint8_t sink[TC_HASH_MAX_LEN];
  tc_hash_final(&dummy, sink);
  volatile uint8_t acc = sink[0];
  for (size_t i = data_len; i < max_len; i++)
    acc ^= data[i];
  (void)acc;
}

/* MAC over a public-length fragment (sending, stream ciphers, EtM). */
static void record_mac(const tc_prot *p, uint64_t seq, uint8_t type, uint16_t version,
                       const uint8_t *data, size_t len, uint8_t *out) {
  uint8_t hdr[13];
  mac_header(hdr, seq, type, version, len);
  if (p->u.cbc.ssl3) {
    ssl3_mac(p, hdr, data, len, len, out);
    return;
  }
  tc_hmac_ctx h;
  tc_hmac_init(&h, p->u.cbc.mac, p->u.cbc.mac_key, p->u.cbc.mac_key_len);
  tc_hmac_update(&h, hdr, sizeof hdr);
  tc_hmac_update(&h, data, len);
  tc_hmac_final(&h, out);
}

/* ---- CBC / stream ---- */

static size_t overhead_one(const tc_prot *p) {
  return p->u.cbc.iv_len + p->u.cbc.mac_len + p->u.cbc.block; /* padding: 1..block bytes */
}

static size_t overhead_cbc(const tc_prot *p, size_t len) {
  (void)len;
  size_t one = overhead_one(p);
  return p->u.cbc.split ? 2 * one + TC_REC_HDR_LEN : one;
}

/* One record: [IV] content [MAC] padding [MAC], encrypted, in place. */
static size_t seal_cbc_one(tc_prot *p, uint8_t type, uint8_t *rec, size_t len) {
  uint8_t *body = rec + TC_REC_HDR_LEN;
  size_t ivl = p->u.cbc.iv_len, ml = p->u.cbc.mac_len, bl = p->u.cbc.block;
  uint16_t ver = p->u.cbc.version;
  if (ivl) {
    memmove(body + ivl, body, len);
    /* The random block is CBC-encrypted under the previous ciphertext
     * block too, so the IV stays unpredictable even if the rng failed. */
    if (tc_random(&p->u.cbc.rng, body, ivl)) {
      memset(body, 0, ivl);
      put_seq(body, p->seq);
    }
  }
  uint8_t *content = body + ivl;
  size_t n = len;
  if (!p->u.cbc.etm) {
    record_mac(p, p->seq, type, ver, content, len, content + len);
    n += ml;
  }
  if (bl > 1) {
    size_t pad = bl - 1 - n % bl;
    memset(content + n, (int)pad, pad + 1);
    n += pad + 1;
  }
  tc_cipher_update(&p->u.cbc.cipher, body, ivl + n);
  n += ivl;
  if (p->u.cbc.etm) {
    record_mac(p, p->seq, type, ver, body, n, body + n);
    n += ml;
  }
  put_header(rec, type, ver, n);
  p->seq++;
  return TC_REC_HDR_LEN + n;
}

static size_t seal_cbc(tc_prot *p, uint8_t type, uint8_t *rec, size_t len) {
  if (!p->u.cbc.split || type != TC_CT_APPLICATION_DATA || len < 2)
    return seal_cbc_one(p, type, rec, len);
  /* 1/n-1 split against BEAST (implicit IVs): a one-byte record first, whose
   * MAC makes the IV of the second unpredictable when its data was chosen.
   * The first record's body is ceil((1 + mac + 1) / block) blocks. */
  size_t ml = p->u.cbc.mac_len, bl = p->u.cbc.block;
  size_t first = p->u.cbc.etm ? (1 + bl) / bl * bl + ml : (ml + 2 + bl - 1) / bl * bl;
  uint8_t *second = rec + TC_REC_HDR_LEN + first;
  memmove(second + TC_REC_HDR_LEN, rec + TC_REC_HDR_LEN + 1, len - 1);
  size_t n1 = seal_cbc_one(p, type, rec, 1);
  return n1 + seal_cbc_one(p, type, second, len - 1);
}

/* SSL 3.0 CBC check: padding_length < block length and fits; padding bytes
 * are arbitrary. Same shape as tc_cbc_record_check: no branch on secrets. */
static int ssl3_cbc_check(const tc_prot *p, uint64_t seq, uint8_t type, const uint8_t *buf,
                          size_t len, size_t *content_len) {
  size_t ml = p->u.cbc.mac_len, bl = p->u.cbc.block;
  uint32_t max_content = (uint32_t)(len - ml - 1);
  uint32_t pad = buf[len - 1];
  uint32_t good = ct_le(pad, (uint32_t)bl - 1) & ct_le(pad, max_content);
  pad &= good;
  uint32_t clen = max_content - pad;
  uint8_t hdr[13], mac[TC_HASH_MAX_LEN], rmac[TC_HASH_MAX_LEN];
  mac_header(hdr, seq, type, TC_SSL30, clen);
  ssl3_mac(p, hdr, buf, clen, max_content, mac);
  memset(rmac, 0, sizeof rmac);
  size_t lo = max_content >= bl - 1 ? max_content - (bl - 1) : 0;
  for (size_t o = lo; o <= max_content; o++) {
    uint8_t m = (uint8_t)tc_ct_mask_eq((uint32_t)o, clen);
    for (size_t j = 0; j < ml; j++)
      rmac[j] |= buf[o + j] & m;
  }
  good &= tc_ct_equal(mac, rmac, ml) ? 0xffffffffu : 0;
  tc_wipe(mac, sizeof mac);
  *content_len = clen;
  return (int)(good & 1) - 1;
}

static int open_stream(tc_prot *p, uint8_t *rec, size_t body_len, size_t *len) {
  size_t ml = p->u.cbc.mac_len;
  if (body_len < ml)
    return TC_ERR_BAD_RECORD_MAC;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  tc_cipher_update(&p->u.cbc.cipher, body, body_len);
  size_t clen = body_len - ml;
  uint8_t mac[TC_HASH_MAX_LEN];
  record_mac(p, p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), body, clen, mac);
  bool ok = tc_ct_equal(mac, body + clen, ml);
  tc_wipe(mac, sizeof mac);
  if (!ok)
    return TC_ERR_BAD_RECORD_MAC;
  *len = clen;
  return 0;
}

static int open_etm(tc_prot *p, uint8_t *rec, size_t body_len, size_t *len) {
  size_t ivl = p->u.cbc.iv_len, ml = p->u.cbc.mac_len, bl = p->u.cbc.block;
  if (body_len < ivl + bl + ml || (body_len - ml - ivl) % bl != 0)
    return TC_ERR_BAD_RECORD_MAC;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  size_t ctl = body_len - ml;
  uint8_t mac[TC_HASH_MAX_LEN];
  record_mac(p, p->seq, rec[0], (uint16_t)(rec[1] << 8 | rec[2]), body, ctl, mac);
  bool ok = tc_ct_equal(mac, body + ctl, ml);
  tc_wipe(mac, sizeof mac);
  if (!ok)
    return TC_ERR_BAD_RECORD_MAC;
  if (ivl)
    tc_cipher_set_iv(&p->u.cbc.cipher, body);
  uint8_t *pt = body + ivl;
  size_t n = ctl - ivl;
  tc_cipher_update(&p->u.cbc.cipher, pt, n);
  /* Authenticated already: the padding check leaks nothing an attacker
   * could not compute, but bad padding is still bad_record_mac. */
  size_t pad = pt[n - 1];
  if (pad + 1 > n)
    return TC_ERR_BAD_RECORD_MAC;
  for (size_t i = 0; i < pad; i++)
    if (pt[n - 2 - i] != pad)
      return TC_ERR_BAD_RECORD_MAC;
  *len = n - pad - 1;
  return 0;
}

static int open_mte(tc_prot *p, uint8_t *rec, size_t body_len, size_t *len) {
  size_t ivl = p->u.cbc.iv_len, ml = p->u.cbc.mac_len, bl = p->u.cbc.block;
  /* Public checks only: whole blocks, room for IV, MAC and padding byte. */
  if (body_len % bl != 0 || body_len < ivl + (ml + 1 + bl - 1) / bl * bl)
    return TC_ERR_BAD_RECORD_MAC;
  uint8_t *body = rec + TC_REC_HDR_LEN;
  if (ivl)
    tc_cipher_set_iv(&p->u.cbc.cipher, body);
  uint8_t *pt = body + ivl;
  size_t n = body_len - ivl;
  tc_cipher_update(&p->u.cbc.cipher, pt, n);
  uint8_t seq[8];
  put_seq(seq, p->seq);
  int r;
  if (p->u.cbc.ssl3)
    r = ssl3_cbc_check(p, p->seq, rec[0], pt, n, len);
  else
    r = tc_cbc_record_check(p->u.cbc.mac, p->u.cbc.mac_key, p->u.cbc.mac_key_len, seq, rec[0],
                            (uint16_t)(rec[1] << 8 | rec[2]), pt, n, len);
  /* One failure for bad padding and bad MAC alike (Lucky 13, POODLE-TLS). */
  return r ? TC_ERR_BAD_RECORD_MAC : 0;
}

static int open_cbc(tc_prot *p, uint8_t *rec, size_t body_len, uint8_t *type, size_t *off,
                    size_t *len) {
  int r;
  size_t ivl = 0;
  if (p->u.cbc.block == 1)
    r = open_stream(p, rec, body_len, len);
  else if (p->u.cbc.etm)
    r = open_etm(p, rec, body_len, len), ivl = p->u.cbc.iv_len;
  else
    r = open_mte(p, rec, body_len, len), ivl = p->u.cbc.iv_len;
  if (r)
    return r;
  p->seq++;
  *type = rec[0];
  *off = TC_REC_HDR_LEN + ivl;
  return 0;
}

static void clear_cbc(tc_prot *p) {
  tc_cipher_clear(&p->u.cbc.cipher);
  tc_wipe(p->u.cbc.mac_key, sizeof p->u.cbc.mac_key);
}

static const tc_prot_ops cbc_ops = {"tls12-cbc", false, overhead_cbc, seal_cbc, open_cbc, clear_cbc,
                                    NULL,        NULL,         NULL};

int tc_prot_init_cbc(tc_prot *p, bool write, uint16_t version, tc_cipher_alg alg,
                     const uint8_t *key, size_t key_len, const uint8_t *iv, tc_hash_alg mac,
                     const uint8_t *mac_key, size_t mac_key_len, unsigned flags,
                     const tc_rng *rng) {
  tc_prot_clear(p);
  size_t bl = tc_cipher_block_len(alg);
  bool ssl3 = version == TC_SSL30;
  bool etm = (flags & TC_PROT_ETM) != 0;
  size_t ml = tc_hash_len(mac);
  if (version < TC_SSL30 || version > TC_TLS12 || bl == 0 || ml == 0 ||
      mac_key_len > sizeof p->u.cbc.mac_key)
    return -1;
  if (ssl3 ? (mac != TC_HASH_MD5 && mac != TC_HASH_SHA1)
           : (mac != TC_HASH_MD5 && mac != TC_HASH_SHA1 && mac != TC_HASH_SHA256 &&
              mac != TC_HASH_SHA384))
    return -1;
  /* EtM is for block ciphers in TLS (RFC 7366 §3); MtE CBC needs an HMAC
   * that tc_cbc_record_check can verify in constant time. */
  if (etm && (bl == 1 || ssl3))
    return -1;
  if (!ssl3 && !etm && bl > 1 && mac == TC_HASH_MD5)
    return -1;
  bool implicit_iv = bl > 1 && version <= TC_TLS10;
  if (implicit_iv && !iv)
    return -1;
  if (tc_cipher_init(&p->u.cbc.cipher, alg, write, key, key_len, implicit_iv ? iv : NULL))
    return -1;
  if (rng)
    p->u.cbc.rng = *rng;
  else
    p->u.cbc.rng = (tc_rng){NULL, NULL};
  p->u.cbc.mac = mac;
  memcpy(p->u.cbc.mac_key, mac_key, mac_key_len);
  p->u.cbc.mac_key_len = (uint8_t)mac_key_len;
  p->u.cbc.mac_len = (uint8_t)ml;
  p->u.cbc.block = (uint8_t)bl;
  p->u.cbc.iv_len = (uint8_t)(bl > 1 && !implicit_iv ? bl : 0);
  p->u.cbc.version = version;
  p->u.cbc.etm = etm;
  p->u.cbc.ssl3 = ssl3;
  p->u.cbc.split = write && implicit_iv && !(flags & TC_PROT_NO_SPLIT);
  p->seq = 0;
  p->max_expansion = TC_REC_MAX_EXPANSION;
  p->ops = &cbc_ops;
  return 0;
}
