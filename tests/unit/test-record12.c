/* TLS 1.2-and-older record protection tests: round trips, hand-built known answers, tampering, padding, 1/n-1, key block, suite table. */
#include <glib.h>
#include <string.h>

#include "record/record.h"
#include "record/suites12.h"
#include "record12-vectors.h"

/* ---- protection configurations ---- */

typedef struct {
  const char *name;
  bool aead;
  uint16_t version;
  tc_aead_alg aalg;
  tc_cipher_alg calg;
  tc_hash_alg mac;
  unsigned flags;
} pcase;

static const pcase cases[] = {
    {"gcm128-tls12", true, TC_TLS12, TC_AEAD_AES128_GCM, 0, 0, 0},
    {"gcm256-tls12", true, TC_TLS12, TC_AEAD_AES256_GCM, 0, 0, 0},
    {"chacha-tls12", true, TC_TLS12, TC_AEAD_CHACHA20_POLY1305, 0, 0, 0},
    {"aes128-sha1-tls12", false, TC_TLS12, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {"aes256-sha256-tls12", false, TC_TLS12, 0, TC_CIPHER_AES256_CBC, TC_HASH_SHA256, 0},
    {"aes256-sha384-tls12", false, TC_TLS12, 0, TC_CIPHER_AES256_CBC, TC_HASH_SHA384, 0},
    {"3des-sha1-tls12", false, TC_TLS12, 0, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, 0},
    {"aes128-sha1-tls11", false, TC_TLS11, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {"aes128-sha1-tls10", false, TC_TLS10, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {"3des-sha1-tls10", false, TC_TLS10, 0, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, 0},
    {"aes128-sha1-tls10-nosplit", false, TC_TLS10, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA1,
     TC_PROT_NO_SPLIT},
    {"etm-aes128-sha256-tls12", false, TC_TLS12, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA256,
     TC_PROT_ETM},
    {"etm-3des-sha1-tls11", false, TC_TLS11, 0, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, TC_PROT_ETM},
    {"etm-aes256-sha1-tls10", false, TC_TLS10, 0, TC_CIPHER_AES256_CBC, TC_HASH_SHA1,
     TC_PROT_ETM},
    {"ssl3-aes128-sha1", false, TC_SSL30, 0, TC_CIPHER_AES128_CBC, TC_HASH_SHA1, 0},
    {"ssl3-3des-sha1", false, TC_SSL30, 0, TC_CIPHER_3DES_CBC, TC_HASH_SHA1, 0},
    {"ssl3-aes256-md5", false, TC_SSL30, 0, TC_CIPHER_AES256_CBC, TC_HASH_MD5, 0},
    {"rc4-sha1-tls12", false, TC_TLS12, 0, TC_CIPHER_RC4_128, TC_HASH_SHA1, 0},
    {"rc4-md5-tls12", false, TC_TLS12, 0, TC_CIPHER_RC4_128, TC_HASH_MD5, 0},
    {"rc4-sha1-tls10", false, TC_TLS10, 0, TC_CIPHER_RC4_128, TC_HASH_SHA1, 0},
    {"rc4-sha1-ssl3", false, TC_SSL30, 0, TC_CIPHER_RC4_128, TC_HASH_SHA1, 0},
    {"rc4-md5-ssl3", false, TC_SSL30, 0, TC_CIPHER_RC4_128, TC_HASH_MD5, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

static uint8_t KEY[32], IV[16], MACKEY[48];

static void init_material(void) {
  for (int i = 0; i < 32; i++)
    KEY[i] = (uint8_t)(0x11 * (i + 1) + 3);
  for (int i = 0; i < 16; i++)
    IV[i] = (uint8_t)(0xa0 + i);
  for (int i = 0; i < 48; i++)
    MACKEY[i] = (uint8_t)(0x5a ^ (i * 7));
}

/* Scripted rng for explicit IVs: a counter stream. */
static int ctr_rng(void *ctx, uint8_t *out, size_t len) {
  unsigned *c = ctx;
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)((*c)++ * 37 + 1);
  return 0;
}
static unsigned rng_state;
static const tc_rng test_rng = {ctr_rng, &rng_state};

static size_t cipher_key_len(const pcase *c) {
  return c->aead ? tc_aead_key_len(c->aalg) : tc_cipher_key_len(c->calg);
}

static void setup(const pcase *c, tc_prot *p, bool write) {
  memset(p, 0, sizeof *p);
  int r;
  if (c->aead) {
    size_t ivl = c->aalg == TC_AEAD_CHACHA20_POLY1305 ? 12 : 4;
    r = tc_prot_init_tls12_aead(p, c->version, c->aalg, KEY, cipher_key_len(c), IV, ivl);
  } else {
    r = tc_prot_init_cbc(p, write, c->version, c->calg, KEY, cipher_key_len(c), IV, c->mac,
                         MACKEY, tc_hash_len(c->mac), c->flags, &test_rng);
  }
  g_assert_cmpint(r, ==, 0);
}

#define BUFSZ (2 * TC_REC_MAX_LEN + 64)

/* Open every record in buf[0..len); append plaintexts to out. Returns the
 * number of records, or -(error) on the first failure. */
static int open_all(tc_prot *p, uint8_t *buf, size_t len, uint8_t *out, size_t *out_len,
                    uint8_t want_type) {
  int n = 0;
  *out_len = 0;
  while (len > 0) {
    g_assert_cmpuint(len, >=, TC_REC_HDR_LEN);
    size_t body = (size_t)buf[3] << 8 | buf[4];
    g_assert_cmpuint(len, >=, TC_REC_HDR_LEN + body);
    uint8_t type = 0;
    size_t off = 0, pl = 0;
    int e = p->ops->open(p, buf, body, &type, &off, &pl);
    if (e)
      return -e;
    g_assert_cmpuint(type, ==, want_type);
    g_assert_cmpuint(off + pl, <=, TC_REC_HDR_LEN + body);
    memcpy(out + *out_len, buf + off, pl);
    *out_len += pl;
    buf += TC_REC_HDR_LEN + body;
    len -= TC_REC_HDR_LEN + body;
    n++;
  }
  return n;
}

static size_t seal_one(tc_prot *w, uint8_t type, uint8_t *rec, const uint8_t *data, size_t len) {
  memcpy(rec + TC_REC_HDR_LEN, data, len);
  size_t over = w->ops->overhead(w, len);
  size_t n = w->ops->seal(w, type, rec, len);
  g_assert_cmpuint(n, <=, TC_REC_HDR_LEN + len + over);
  return n;
}

/* ---- round trips ---- */

static void test_roundtrip(void) {
  static const size_t lens[] = {0, 1, 2, 7, 15, 16, 17, 31, 100, 1000, 16383, 16384};
  uint8_t *rec = g_malloc(BUFSZ), *out = g_malloc(BUFSZ), *data = g_malloc(16384);
  for (size_t i = 0; i < 16384; i++)
    data[i] = (uint8_t)(i * 13 + 5);
  for (size_t ci = 0; ci < NCASES; ci++) {
    const pcase *c = &cases[ci];
    tc_prot w, r;
    setup(c, &w, true);
    setup(c, &r, false);
    uint64_t recs = 0;
    /* Several records in a row exercise IV chaining and sequence numbers. */
    for (int round = 0; round < 2; round++)
      for (size_t li = 0; li < G_N_ELEMENTS(lens); li++) {
        size_t len = lens[li];
        uint8_t type = li % 3 == 0 ? TC_CT_HANDSHAKE : TC_CT_APPLICATION_DATA;
        size_t n = seal_one(&w, type, rec, data, len);
        g_assert_cmpuint(rec[0], ==, type);
        g_assert_cmpuint(rec[1] << 8 | rec[2], ==, c->version);
        size_t got;
        int nrec = open_all(&r, rec, n, out, &got, type);
        if (nrec < 0)
          g_error("%s: len %zu: open failed %d", c->name, len, -nrec);
        g_assert_cmpuint(got, ==, len);
        g_assert_true(memcmp(out, data, len) == 0);
        recs += (uint64_t)nrec;
        g_assert_cmpuint(w.seq, ==, recs);
        g_assert_cmpuint(r.seq, ==, recs);
      }
    tc_prot_clear(&w);
    tc_prot_clear(&r);
  }
  g_free(rec);
  g_free(out);
  g_free(data);
}

static void feed(tc_rec *r, const uint8_t *p, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  size_t cap;
  uint8_t *b = tc_rec_input_buf(r, &cap, &err);
  g_assert_nonnull(b);
  g_assert_cmpuint(n, <=, cap);
  memcpy(b, p, n);
  tc_rec_input_ack(r, n);
}

/* Through the record layer: a 40000-byte application write, fragmented,
 * delivered record by record. */
static void test_rec_layer(void) {
  uint8_t *data = g_malloc(40000);
  for (size_t i = 0; i < 40000; i++)
    data[i] = (uint8_t)(i * 7 + 1);
  for (size_t ci = 0; ci < NCASES; ci++) {
    const pcase *c = &cases[ci];
    tc_rec a, b;
    tc_rec_init(&a);
    tc_rec_init(&b);
    setup(c, &a.wr, true);
    setup(c, &b.rd, false);
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, data, 40000, &err), ==, TC_OK);
    size_t olen;
    const uint8_t *o = tc_rec_output(&a, &olen);
    size_t got = 0;
    while (olen > 0) {
      size_t rl = TC_REC_HDR_LEN + ((size_t)o[3] << 8 | o[4]);
      g_assert_cmpuint(rl, <=, olen);
      feed(&b, o, rl);
      o += rl;
      olen -= rl;
      uint8_t type;
      uint8_t *pt;
      size_t pl;
      int rr = tc_rec_next(&b, &type, &pt, &pl, &err);
      if (rr != 1)
        g_error("%s: %s", c->name, err.message);
      g_assert_cmpuint(type, ==, TC_CT_APPLICATION_DATA);
      g_assert_cmpuint(got + pl, <=, 40000);
      g_assert_true(memcmp(pt, data + got, pl) == 0);
      got += pl;
    }
    g_assert_cmpuint(got, ==, 40000);
    tc_rec_free(&a);
    tc_rec_free(&b);
  }
  g_free(data);
}

/* ---- tampering ---- */

static void test_tamper(void) {
  uint8_t rec[256], copy[256], out[256], data[40];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(0x30 + i);
  for (size_t ci = 0; ci < NCASES; ci++) {
    const pcase *c = &cases[ci];
    tc_prot w, r;
    setup(c, &w, true);
    /* handshake type: not split, one record */
    size_t n = seal_one(&w, TC_CT_HANDSHAKE, rec, data, sizeof data);
    for (size_t pos = 0; pos < n; pos++) {
      if (pos == 3 || pos == 4)
        continue; /* length: framing, not protection */
      if ((pos == 1 || pos == 2) && c->version == TC_SSL30)
        continue; /* the SSL 3.0 MAC does not cover the version */
      for (int bit = 0; bit < 8; bit += 7) {
        memcpy(copy, rec, n);
        copy[pos] ^= (uint8_t)(1u << bit);
        setup(c, &r, false);
        size_t got;
        int e = open_all(&r, copy, n, out, &got, copy[0]);
        if (e != -TC_ERR_BAD_RECORD_MAC)
          g_error("%s: tampered byte %zu bit %d: result %d", c->name, pos, bit, e);
        tc_prot_clear(&r);
      }
    }
    /* the untouched record still opens */
    setup(c, &r, false);
    size_t got;
    g_assert_cmpint(open_all(&r, rec, n, out, &got, TC_CT_HANDSHAKE), ==, 1);
    g_assert_cmpuint(got, ==, sizeof data);
    /* replay / reorder: the same record a second time fails */
    memcpy(copy, rec, n);
    setup(c, &w, true);
    size_t n2 = seal_one(&w, TC_CT_HANDSHAKE, copy, data, sizeof data);
    g_assert_cmpuint(n2, ==, n);
    g_assert_cmpint(open_all(&r, copy, n2, out, &got, TC_CT_HANDSHAKE), ==,
                    -TC_ERR_BAD_RECORD_MAC);
    tc_prot_clear(&w);
    tc_prot_clear(&r);
  }
}

/* Bodies too short for IV + MAC + padding (or nonce + tag), and CBC bodies
 * that are not whole blocks, fail cleanly with bad_record_mac. */
static void test_short_records(void) {
  uint8_t rec[512];
  for (size_t ci = 0; ci < NCASES; ci++) {
    const pcase *c = &cases[ci];
    size_t min;
    if (c->aead)
      min = (c->aalg == TC_AEAD_CHACHA20_POLY1305 ? 0 : 8) + 16;
    else {
      size_t bl = tc_cipher_block_len(c->calg), ml = tc_hash_len(c->mac);
      size_t ivl = bl > 1 && c->version >= TC_TLS11 ? bl : 0;
      min = bl == 1 ? ml : ivl + ml + 1;
    }
    for (size_t body = 0; body <= min + 40; body++) {
      tc_prot r;
      setup(c, &r, false);
      rec[0] = TC_CT_APPLICATION_DATA;
      rec[1] = (uint8_t)(c->version >> 8);
      rec[2] = (uint8_t)c->version;
      rec[3] = (uint8_t)(body >> 8);
      rec[4] = (uint8_t)body;
      for (size_t i = 0; i < body; i++)
        rec[5 + i] = (uint8_t)(i * 29 + body);
      uint8_t type;
      size_t off, len;
      int e = r.ops->open(&r, rec, body, &type, &off, &len);
      /* random bytes never authenticate; short ones must not be read past */
      g_assert_cmpint(e, ==, TC_ERR_BAD_RECORD_MAC);
      tc_prot_clear(&r);
    }
  }
}

/* ---- hand-built records (independent of the code under test) ---- */

static void put_hdr13(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t ver, size_t len) {
  for (int i = 0; i < 8; i++)
    h[i] = (uint8_t)(seq >> (56 - 8 * i));
  h[8] = type;
  h[9] = (uint8_t)(ver >> 8);
  h[10] = (uint8_t)ver;
  h[11] = (uint8_t)(len >> 8);
  h[12] = (uint8_t)len;
}

static void ssl3_mac_ref(tc_hash_alg alg, const uint8_t *key, size_t kl, uint64_t seq,
                         uint8_t type, const uint8_t *d, size_t dl, uint8_t *out) {
  size_t pl = alg == TC_HASH_MD5 ? 48 : 40;
  uint8_t pad1[48], pad2[48], h[13], inner[64];
  memset(pad1, 0x36, sizeof pad1);
  memset(pad2, 0x5c, sizeof pad2);
  put_hdr13(h, seq, type, 0, dl);
  tc_hash_ctx x;
  tc_hash_init(&x, alg);
  tc_hash_update(&x, key, kl);
  tc_hash_update(&x, pad1, pl);
  tc_hash_update(&x, h, 9);
  tc_hash_update(&x, h + 11, 2);
  tc_hash_update(&x, d, dl);
  tc_hash_final(&x, inner);
  tc_hash_init(&x, alg);
  tc_hash_update(&x, key, kl);
  tc_hash_update(&x, pad2, pl);
  tc_hash_update(&x, inner, tc_hash_len(alg));
  tc_hash_final(&x, out);
}

static void mac_ref(tc_hash_alg alg, bool ssl3, uint64_t seq, uint8_t type, uint16_t ver,
                    const uint8_t *d, size_t dl, uint8_t *out) {
  size_t kl = tc_hash_len(alg);
  if (ssl3) {
    ssl3_mac_ref(alg, MACKEY, kl, seq, type, d, dl, out);
    return;
  }
  uint8_t *buf = g_malloc(13 + dl);
  put_hdr13(buf, seq, type, ver, dl);
  memcpy(buf + 13, d, dl);
  tc_hmac(alg, MACKEY, kl, buf, 13 + dl, out);
  g_free(buf);
}

/* MAC-then-encrypt CBC record: content || MAC || padding (pad_len bytes of
 * pad_val, then pad_len) encrypted with iv (sent first when explicit). */
static size_t build_mte(uint8_t *rec, tc_cipher_alg calg, tc_hash_alg alg, uint16_t ver,
                        uint64_t seq, uint8_t type, const uint8_t *content, size_t clen,
                        size_t pad_len, int pad_val, bool bad_mac, const uint8_t *iv,
                        bool explicit_iv) {
  size_t bl = tc_cipher_block_len(calg), ml = tc_hash_len(alg);
  uint8_t *body = rec + 5;
  size_t ivl = explicit_iv ? bl : 0;
  if (ivl)
    memcpy(body, iv, bl);
  uint8_t *pt = body + ivl;
  memcpy(pt, content, clen);
  mac_ref(alg, ver == TC_SSL30, seq, type, ver, content, clen, pt + clen);
  if (bad_mac)
    pt[clen] ^= 1;
  memset(pt + clen + ml, pad_val < 0 ? (int)pad_len : pad_val, pad_len);
  pt[clen + ml + pad_len] = (uint8_t)pad_len;
  size_t n = clen + ml + pad_len + 1;
  g_assert_cmpuint(n % bl, ==, 0);
  tc_cipher c;
  g_assert_cmpint(tc_cipher_init(&c, calg, true, KEY, tc_cipher_key_len(calg), iv), ==, 0);
  tc_cipher_update(&c, pt, n);
  tc_cipher_clear(&c);
  n += ivl;
  rec[0] = type;
  rec[1] = (uint8_t)(ver >> 8);
  rec[2] = (uint8_t)ver;
  rec[3] = (uint8_t)(n >> 8);
  rec[4] = (uint8_t)n;
  return 5 + n;
}

static void test_kat_gcm_chacha(void) {
  uint8_t data[77], rec[256], exp[256];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i ^ 0x42);
  for (size_t ci = 0; ci < 3; ci++) {
    const pcase *c = &cases[ci];
    tc_prot w;
    setup(c, &w, true);
    tc_aead a;
    g_assert_cmpint(tc_aead_init(&a, c->aalg, KEY, cipher_key_len(c)), ==, 0);
    for (uint64_t seq = 0; seq < 3; seq++) {
      size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, data, sizeof data);
      uint8_t nonce[12], aad[13];
      bool gcm = c->aalg != TC_AEAD_CHACHA20_POLY1305;
      size_t xl = gcm ? 8 : 0;
      if (gcm) {
        memcpy(nonce, IV, 4);
        for (int i = 0; i < 8; i++)
          nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
      } else {
        memcpy(nonce, IV, 12);
        for (int i = 0; i < 8; i++)
          nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
      }
      put_hdr13(aad, seq, TC_CT_APPLICATION_DATA, TC_TLS12, sizeof data);
      exp[0] = TC_CT_APPLICATION_DATA;
      exp[1] = 3;
      exp[2] = 3;
      size_t bl = xl + sizeof data + 16;
      exp[3] = (uint8_t)(bl >> 8);
      exp[4] = (uint8_t)bl;
      if (gcm)
        memcpy(exp + 5, nonce + 4, 8); /* explicit nonce = seq */
      memcpy(exp + 5 + xl, data, sizeof data);
      tc_aead_seal(&a, nonce, aad, 13, exp + 5 + xl, sizeof data, exp + 5 + xl + sizeof data);
      g_assert_cmpuint(n, ==, 5 + bl);
      g_assert_cmpmem(rec, n, exp, 5 + bl);
    }
    tc_aead_clear(&a);
    tc_prot_clear(&w);
  }
}

/* CBC MtE (TLS 1.2 explicit IV, TLS 1.0 chained IV), EtM and SSL 3.0 / RC4
 * records compared with records built from the primitives. */
static void test_kat_cbc(void) {
  uint8_t data[50], rec[512], exp[512];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i + 0x61);
  /* TLS 1.2 AES-256-CBC-SHA256: the ciphertext after the sent IV is
   * CBC(content || HMAC || padding) under that IV. */
  {
    const pcase *c = &cases[4];
    tc_prot w;
    setup(c, &w, true);
    for (uint64_t seq = 0; seq < 3; seq++) {
      size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, data, sizeof data);
      /* 50 + 32 = 82 -> 14 bytes of padding (value 13) -> 96 */
      size_t e = build_mte(exp, c->calg, c->mac, TC_TLS12, seq, TC_CT_APPLICATION_DATA, data,
                           sizeof data, 13, -1, false, rec + 5, true);
      g_assert_cmpmem(rec, n, exp, e);
    }
    tc_prot_clear(&w);
  }
  /* TLS 1.0 AES-128-CBC-SHA1 (no split for handshake records): the IV
   * chains from the key block IV through the last ciphertext block. */
  {
    const pcase *c = &cases[8];
    tc_prot w;
    setup(c, &w, true);
    uint8_t iv[16];
    memcpy(iv, IV, 16);
    for (uint64_t seq = 0; seq < 3; seq++) {
      size_t n = seal_one(&w, TC_CT_HANDSHAKE, rec, data, sizeof data);
      /* 50 + 20 = 70 -> 10 bytes of padding (value 9) -> 80 */
      size_t e = build_mte(exp, c->calg, c->mac, TC_TLS10, seq, TC_CT_HANDSHAKE, data,
                           sizeof data, 9, -1, false, iv, false);
      g_assert_cmpmem(rec, n, exp, e);
      memcpy(iv, rec + n - 16, 16);
    }
    tc_prot_clear(&w);
  }
  /* SSL 3.0 3DES-SHA1: SSL 3.0 MAC, chained IV. */
  {
    const pcase *c = &cases[15];
    tc_prot w;
    setup(c, &w, true);
    uint8_t iv[8];
    memcpy(iv, IV, 8);
    for (uint64_t seq = 0; seq < 2; seq++) {
      size_t n = seal_one(&w, TC_CT_HANDSHAKE, rec, data, sizeof data);
      /* 50 + 20 = 70 -> 1 byte of padding (value 1)... 70+2 = 72 */
      size_t e = build_mte(exp, c->calg, c->mac, TC_SSL30, seq, TC_CT_HANDSHAKE, data,
                           sizeof data, 1, -1, false, iv, false);
      g_assert_cmpmem(rec, n, exp, e);
      memcpy(iv, rec + n - 8, 8);
    }
    tc_prot_clear(&w);
  }
  /* EtM TLS 1.2 AES-128-SHA256: MAC over hdr(len of IV+ciphertext) || IV || ciphertext. */
  {
    const pcase *c = &cases[11];
    tc_prot w;
    setup(c, &w, true);
    for (uint64_t seq = 0; seq < 2; seq++) {
      size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, data, sizeof data);
      /* IV 16 + 64 (50 content + 14 padding) + MAC 32 */
      g_assert_cmpuint(n, ==, 5 + 16 + 64 + 32);
      uint8_t pt[64];
      memcpy(pt, data, 50);
      memset(pt + 50, 13, 14);
      tc_cipher ci;
      g_assert_cmpint(tc_cipher_init(&ci, TC_CIPHER_AES128_CBC, true, KEY, 16, rec + 5), ==, 0);
      tc_cipher_update(&ci, pt, 64);
      tc_cipher_clear(&ci);
      g_assert_cmpmem(rec + 21, 64, pt, 64);
      uint8_t mac[32];
      mac_ref(TC_HASH_SHA256, false, seq, TC_CT_APPLICATION_DATA, TC_TLS12, rec + 5, 80, mac);
      g_assert_cmpmem(rec + 85, 32, mac, 32);
    }
    tc_prot_clear(&w);
  }
  /* RC4 with the SSL 3.0 MAC (MD5 and SHA-1) and with HMAC-MD5. */
  static const int rc4_cases[] = {21, 20, 18};
  for (size_t k = 0; k < G_N_ELEMENTS(rc4_cases); k++) {
    const pcase *c = &cases[rc4_cases[k]];
    tc_prot w;
    setup(c, &w, true);
    tc_cipher ci;
    g_assert_cmpint(tc_cipher_init(&ci, TC_CIPHER_RC4_128, true, KEY, 16, NULL), ==, 0);
    size_t ml = tc_hash_len(c->mac);
    for (uint64_t seq = 0; seq < 2; seq++) {
      size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, data, sizeof data);
      g_assert_cmpuint(n, ==, 5 + sizeof data + ml);
      memcpy(exp, data, sizeof data);
      mac_ref(c->mac, c->version == TC_SSL30, seq, TC_CT_APPLICATION_DATA, c->version, data,
              sizeof data, exp + sizeof data);
      tc_cipher_update(&ci, exp, sizeof data + ml);
      g_assert_cmpmem(rec + 5, n - 5, exp, sizeof data + ml);
    }
    tc_cipher_clear(&ci);
    tc_prot_clear(&w);
  }
}

/* One fixed SSL 3.0 MAC value computed independently (MD5 rounds by hand). */
static void test_ssl3_mac_vector(void) {
  /* SSL 3.0 MAC with SHA-1, key = 20 bytes 0x0b, seq 1, type 23, "abc" —
   * recomputed from the RFC 6101 formula with one-shot tc_hash calls. */
  uint8_t key[20], m1[20 + 40 + 8 + 1 + 2 + 3], inner[20], m2[20 + 40 + 20], want[20], got[20];
  memset(key, 0x0b, sizeof key);
  memcpy(m1, key, 20);
  memset(m1 + 20, 0x36, 40);
  memset(m1 + 60, 0, 8);
  m1[67] = 1;
  m1[68] = 23;
  m1[69] = 0;
  m1[70] = 3;
  memcpy(m1 + 71, "abc", 3);
  tc_hash(TC_HASH_SHA1, m1, sizeof m1, inner);
  memcpy(m2, key, 20);
  memset(m2 + 20, 0x5c, 40);
  memcpy(m2 + 60, inner, 20);
  tc_hash(TC_HASH_SHA1, m2, sizeof m2, want);
  ssl3_mac_ref(TC_HASH_SHA1, key, 20, 1, 23, (const uint8_t *)"abc", 3, got);
  g_assert_cmpmem(got, 20, want, 20);
  /* and the record layer produces it: RC4-SHA SSL 3.0, second record */
  tc_prot w;
  memset(&w, 0, sizeof w);
  g_assert_cmpint(tc_prot_init_cbc(&w, true, TC_SSL30, TC_CIPHER_RC4_128, KEY, 16, NULL,
                                   TC_HASH_SHA1, key, 20, 0, NULL),
                  ==, 0);
  uint8_t rec[64], ks[64];
  memset(ks, 0, sizeof ks);
  tc_cipher ci;
  tc_cipher_init(&ci, TC_CIPHER_RC4_128, true, KEY, 16, NULL);
  tc_cipher_update(&ci, ks, sizeof ks); /* keystream */
  seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"xyz", 3);
  size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"abc", 3);
  g_assert_cmpuint(n, ==, 5 + 3 + 20);
  for (size_t i = 0; i < 23; i++)
    rec[5 + i] ^= ks[23 + i];
  g_assert_cmpmem(rec + 5, 3, "abc", 3);
  g_assert_cmpmem(rec + 8, 20, want, 20);
  tc_cipher_clear(&ci);
  tc_prot_clear(&w);
}

/* ---- padding ---- */

/* Every valid TLS padding length 0..255 is accepted (MtE, hand-built). */
static void test_padding_lengths(void) {
  static const int which[] = {3, 5, 6, 8}; /* tls12 aes128-sha1, sha384, 3des; tls10 */
  uint8_t content[300], rec[1024], out[1024];
  for (size_t i = 0; i < sizeof content; i++)
    content[i] = (uint8_t)(i * 3);
  for (size_t k = 0; k < G_N_ELEMENTS(which); k++) {
    const pcase *c = &cases[which[k]];
    size_t bl = tc_cipher_block_len(c->calg), ml = tc_hash_len(c->mac);
    bool explicit_iv = c->version >= TC_TLS11;
    for (size_t pad = 0; pad < 256; pad++) {
      size_t clen = (bl - (ml + 1 + pad) % bl) % bl + 3 * bl;
      size_t n = build_mte(rec, c->calg, c->mac, c->version, 0, TC_CT_APPLICATION_DATA, content,
                           clen, pad, -1, false, IV, explicit_iv);
      tc_prot r;
      setup(c, &r, false);
      size_t got;
      int e = open_all(&r, rec, n, out, &got, TC_CT_APPLICATION_DATA);
      if (e != 1)
        g_error("%s: padding %zu rejected (%d)", c->name, pad, e);
      g_assert_cmpuint(got, ==, clen);
      g_assert_cmpmem(out, got, content, clen);
      tc_prot_clear(&r);
    }
  }
}

/* SSL 3.0: padding contents are arbitrary; the length must be below the
 * block length. */
static void test_ssl3_padding(void) {
  uint8_t content[64], rec[512], out[512];
  memset(content, 'q', sizeof content);
  for (int k = 14; k <= 15; k++) {
    const pcase *c = &cases[k];
    size_t bl = tc_cipher_block_len(c->calg), ml = tc_hash_len(c->mac);
    for (size_t pad = 0; pad < 40; pad++) {
      size_t clen = (bl - (ml + 1 + pad) % bl) % bl + bl;
      size_t n = build_mte(rec, c->calg, c->mac, TC_SSL30, 0, TC_CT_APPLICATION_DATA, content,
                           clen, pad, 0xe7, false, IV, false);
      tc_prot r;
      setup(c, &r, false);
      size_t got;
      int e = open_all(&r, rec, n, out, &got, TC_CT_APPLICATION_DATA);
      if (pad < bl) {
        g_assert_cmpint(e, ==, 1);
        g_assert_cmpuint(got, ==, clen);
      } else {
        g_assert_cmpint(e, ==, -TC_ERR_BAD_RECORD_MAC);
      }
      tc_prot_clear(&r);
    }
  }
}

/* Open one record through tc_rec_next and return the latched error. */
static void rec_open_error(const pcase *c, const uint8_t *rec, size_t n, tc_error *err) {
  tc_rec b;
  tc_rec_init(&b);
  setup(c, &b.rd, false);
  b.seen_record = true;
  feed(&b, rec, n);
  tc_error_clear(err);
  uint8_t type;
  uint8_t *pt;
  size_t pl;
  g_assert_cmpint(tc_rec_next(&b, &type, &pt, &pl, err), ==, TC_FAIL);
  tc_rec_free(&b);
}

/* Lucky 13 / POODLE regression without timing: bad padding (wrong byte
 * values, too long, one wrong byte anywhere) and bad MAC give the same code,
 * alert and message. */
static void test_padding_vs_mac(void) {
  static const int which[] = {3, 5, 6, 8, 9, 14, 15};
  uint8_t content[64], rec[1024];
  memset(content, 'z', sizeof content);
  for (size_t k = 0; k < G_N_ELEMENTS(which); k++) {
    const pcase *c = &cases[which[k]];
    size_t bl = tc_cipher_block_len(c->calg), ml = tc_hash_len(c->mac);
    bool ssl3 = c->version == TC_SSL30, xiv = c->version >= TC_TLS11;
    size_t pad = ssl3 ? bl - 1 : 2 * bl - 1;
    size_t clen = (bl - (ml + 1 + pad) % bl) % bl + bl;
    tc_error e_mac, e_pad;
    size_t n = build_mte(rec, c->calg, c->mac, c->version, 0, TC_CT_APPLICATION_DATA, content,
                         clen, pad, -1, true, IV, xiv);
    rec_open_error(c, rec, n, &e_mac);
    g_assert_cmpint(e_mac.code, ==, TC_ERR_BAD_RECORD_MAC);
    /* padding byte values wrong (TLS only: SSL 3.0 ignores them) */
    if (!ssl3) {
      for (size_t wrong = 0; wrong < pad; wrong++) {
        n = build_mte(rec, c->calg, c->mac, c->version, 0, TC_CT_APPLICATION_DATA, content, clen,
                      pad, -1, false, IV, xiv);
        /* rebuild with one padding byte changed: decrypt-edit-encrypt by hand */
        uint8_t plain[512];
        size_t ivl = xiv ? bl : 0, body = n - 5 - ivl;
        memcpy(plain, content, clen);
        mac_ref(c->mac, false, 0, TC_CT_APPLICATION_DATA, c->version, content, clen,
                plain + clen);
        memset(plain + clen + ml, (int)pad, pad);
        plain[clen + ml + pad] = (uint8_t)pad;
        plain[clen + ml + wrong] ^= 0x01;
        tc_cipher ci;
        tc_cipher_init(&ci, c->calg, true, KEY, tc_cipher_key_len(c->calg), IV);
        tc_cipher_update(&ci, plain, body);
        tc_cipher_clear(&ci);
        memcpy(rec + 5 + ivl, plain, body);
        rec_open_error(c, rec, n, &e_pad);
        g_assert_cmpint(e_pad.code, ==, e_mac.code);
        g_assert_cmpint(e_pad.alert, ==, e_mac.alert);
        g_assert_cmpstr(e_pad.message, ==, e_mac.message);
      }
    }
    /* padding length beyond the record / beyond the block (SSL 3.0) */
    size_t badpad = ssl3 ? bl : 255;
    size_t clen2 = (bl - (ml + 1 + (ssl3 ? bl : 0)) % bl) % bl;
    n = build_mte(rec, c->calg, c->mac, c->version, 0, TC_CT_APPLICATION_DATA, content, clen2,
                  ssl3 ? bl : 0, -1, false, IV, xiv);
    /* make the last plaintext byte claim `badpad` by rebuilding the plaintext */
    {
      uint8_t plain[512];
      size_t ivl = xiv ? bl : 0, body = n - 5 - ivl;
      memcpy(plain, content, clen2);
      mac_ref(c->mac, ssl3, 0, TC_CT_APPLICATION_DATA, c->version, content, clen2, plain + clen2);
      memset(plain + clen2 + ml, (int)badpad, body - clen2 - ml);
      tc_cipher ci;
      tc_cipher_init(&ci, c->calg, true, KEY, tc_cipher_key_len(c->calg), IV);
      tc_cipher_update(&ci, plain, body);
      tc_cipher_clear(&ci);
      memcpy(rec + 5 + ivl, plain, body);
    }
    rec_open_error(c, rec, n, &e_pad);
    g_assert_cmpint(e_pad.code, ==, e_mac.code);
    g_assert_cmpint(e_pad.alert, ==, e_mac.alert);
    g_assert_cmpstr(e_pad.message, ==, e_mac.message);
    g_assert_cmpint(tc_error_alert_for(e_mac.code), ==, 20); /* bad_record_mac, never 21 */
  }
}

/* ---- 1/n-1 split ---- */

static void test_split(void) {
  uint8_t data[100];
  memset(data, 'a', sizeof data);
  struct {
    int ci;
    uint8_t type;
    size_t len;
    size_t want[3]; /* record body sizes, 0-terminated */
  } t[] = {
      /* TLS 1.0 AES-128-SHA1: 1+20+1 -> 32; 99+20+1 -> 128 */
      {8, TC_CT_APPLICATION_DATA, 100, {32, 128, 0}},
      /* 3DES: 1+20+1 -> 24; 99+20+1 -> 120 */
      {9, TC_CT_APPLICATION_DATA, 100, {24, 120, 0}},
      /* SSL 3.0 AES-128-SHA1 splits too */
      {14, TC_CT_APPLICATION_DATA, 100, {32, 128, 0}},
      /* EtM TLS 1.0 AES-256-SHA1: (1 + 15 pad) + 20; (99 + 13 pad) + 20 */
      {13, TC_CT_APPLICATION_DATA, 100, {36, 132, 0}},
      /* not for handshake records, one-byte writes, TLS 1.1, or when off */
      {8, TC_CT_HANDSHAKE, 100, {128, 0, 0}},
      {8, TC_CT_APPLICATION_DATA, 1, {32, 0, 0}},
      {7, TC_CT_APPLICATION_DATA, 100, {144, 0, 0}},
      {10, TC_CT_APPLICATION_DATA, 100, {128, 0, 0}},
      {17, TC_CT_APPLICATION_DATA, 100, {120, 0, 0}},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(t); k++) {
    const pcase *c = &cases[t[k].ci];
    tc_rec a, b;
    tc_rec_init(&a);
    tc_rec_init(&b);
    setup(c, &a.wr, true);
    setup(c, &b.rd, false);
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_rec_write(&a, t[k].type, data, t[k].len, &err), ==, TC_OK);
    size_t olen;
    const uint8_t *o = tc_rec_output(&a, &olen);
    size_t i = 0, got = 0;
    while (olen > 0) {
      g_assert_cmpuint(i, <, 2);
      size_t body = (size_t)o[3] << 8 | o[4];
      if (body != t[k].want[i])
        g_error("%s case %zu: record %zu has %zu bytes, want %zu", c->name, k, i, body,
                t[k].want[i]);
      feed(&b, o, 5 + body);
      uint8_t type;
      uint8_t *pt;
      size_t pl;
      g_assert_cmpint(tc_rec_next(&b, &type, &pt, &pl, &err), ==, 1);
      g_assert_cmpuint(pl, ==, i == 0 && t[k].want[1] ? 1 : t[k].len - got);
      got += pl;
      o += 5 + body;
      olen -= 5 + body;
      i++;
    }
    g_assert_cmpuint(t[k].want[i], ==, 0);
    g_assert_cmpuint(got, ==, t[k].len);
    tc_rec_free(&a);
    tc_rec_free(&b);
  }
}

/* ---- encrypt-then-MAC specifics ---- */

static void test_etm(void) {
  uint8_t data[33], rec[256], copy[256], out[256];
  memset(data, 'e', sizeof data);
  for (int k = 11; k <= 13; k++) {
    const pcase *c = &cases[k];
    tc_prot w, r;
    setup(c, &w, true);
    size_t n = seal_one(&w, TC_CT_HANDSHAKE, rec, data, sizeof data);
    size_t ml = tc_hash_len(c->mac);
    /* The MAC covers the ciphertext: a record with a bad MAC is refused
     * before decryption, so a ciphertext-only edit with a recomputed MAC
     * (an attacker cannot do that) would be needed to reach the padding. */
    memcpy(copy, rec, n);
    /* flips the high bit of the padding length byte after decryption */
    copy[n - ml - 1 - tc_cipher_block_len(c->calg)] ^= 0x80;
    setup(c, &r, false);
    size_t got;
    g_assert_cmpint(open_all(&r, copy, n, out, &got, TC_CT_HANDSHAKE), ==,
                    -TC_ERR_BAD_RECORD_MAC);
    tc_prot_clear(&r);
    /* Valid MAC over garbage padding: re-MAC a tampered ciphertext with the
     * known key; the padding check then rejects it with the same error. */
    mac_ref(c->mac, false, 0, TC_CT_HANDSHAKE, c->version, copy + 5, n - 5 - ml,
            copy + n - ml);
    setup(c, &r, false);
    g_assert_cmpint(open_all(&r, copy, n, out, &got, TC_CT_HANDSHAKE), ==,
                    -TC_ERR_BAD_RECORD_MAC);
    tc_prot_clear(&r);
    /* ciphertext not a whole number of blocks */
    setup(c, &r, false);
    uint8_t type;
    size_t off, len;
    g_assert_cmpint(r.ops->open(&r, rec, n - 5 - 1, &type, &off, &len), ==,
                    TC_ERR_BAD_RECORD_MAC);
    tc_prot_clear(&r);
    tc_prot_clear(&w);
  }
  /* Hand-built EtM records (TLS 1.2, AES-128, HMAC-SHA256): valid padding
   * opens; any wrong padding byte under a valid MAC is refused. */
  for (int wrong = -1; wrong < 15; wrong++) {
    const pcase *c = &cases[11];
    uint8_t *body = rec + 5;
    memcpy(body, IV, 16);
    memcpy(body + 16, data, 33);
    memset(body + 16 + 33, 14, 15);
    if (wrong >= 0)
      body[16 + 33 + wrong] ^= 0x20;
    tc_cipher ci;
    g_assert_cmpint(tc_cipher_init(&ci, TC_CIPHER_AES128_CBC, true, KEY, 16, IV), ==, 0);
    tc_cipher_update(&ci, body + 16, 48);
    tc_cipher_clear(&ci);
    mac_ref(TC_HASH_SHA256, false, 0, TC_CT_HANDSHAKE, TC_TLS12, body, 64, body + 64);
    rec[0] = TC_CT_HANDSHAKE;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = 0;
    rec[4] = 96;
    tc_prot r;
    setup(c, &r, false);
    size_t got;
    int e = open_all(&r, rec, 101, out, &got, TC_CT_HANDSHAKE);
    if (wrong < 0) {
      g_assert_cmpint(e, ==, 1);
      g_assert_cmpmem(out, got, data, 33);
    } else {
      g_assert_cmpint(e, ==, -TC_ERR_BAD_RECORD_MAC);
    }
    tc_prot_clear(&r);
  }
  /* EtM is refused for RC4 and SSL 3.0 */
  tc_prot p;
  memset(&p, 0, sizeof p);
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_TLS12, TC_CIPHER_RC4_128, KEY, 16, NULL,
                                   TC_HASH_SHA1, MACKEY, 20, TC_PROT_ETM, NULL),
                  ==, -1);
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_SSL30, TC_CIPHER_AES128_CBC, KEY, 16, IV,
                                   TC_HASH_SHA1, MACKEY, 20, TC_PROT_ETM, NULL),
                  ==, -1);
  g_assert_null(p.ops);
}

/* ---- key block ---- */

static void test_keyblock(void) {
  uint8_t master[48], cr[32], sr[32], seed[64], ref[2 * (48 + 32 + 16)];
  for (int i = 0; i < 48; i++)
    master[i] = (uint8_t)(i * 5 + 1);
  for (int i = 0; i < 32; i++) {
    cr[i] = (uint8_t)(0xc0 + i);
    sr[i] = (uint8_t)(0x50 + i);
  }
  memcpy(seed, sr, 32);
  memcpy(seed + 32, cr, 32);
  struct {
    uint16_t ver;
    tc_hash_alg prf;
    size_t ml, kl, il;
  } t[] = {
      {TC_TLS12, TC_HASH_SHA256, 0, 16, 4},  {TC_TLS12, TC_HASH_SHA384, 0, 32, 4},
      {TC_TLS12, TC_HASH_SHA256, 0, 32, 12}, {TC_TLS12, TC_HASH_SHA384, 48, 32, 0},
      {TC_TLS11, TC_HASH_SHA256, 20, 16, 0}, {TC_TLS10, TC_HASH_SHA256, 20, 24, 8},
      {TC_SSL30, TC_HASH_NONE, 20, 16, 16},  {TC_SSL30, TC_HASH_NONE, 16, 16, 0},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(t); k++) {
    size_t total = 2 * (t[k].ml + t[k].kl + t[k].il);
    if (t[k].ver == TC_SSL30) {
      /* MD5(master || SHA1("A" || master || seed)) || MD5(... "BB" ...) ... */
      for (size_t i = 0; i * 16 < total; i++) {
        uint8_t lab[26], in[26 + 48 + 64], sh[20], mm[48 + 20], md[16];
        memset(lab, 'A' + (int)i, i + 1);
        memcpy(in, lab, i + 1);
        memcpy(in + i + 1, master, 48);
        memcpy(in + i + 1 + 48, seed, 64);
        tc_hash(TC_HASH_SHA1, in, i + 1 + 48 + 64, sh);
        memcpy(mm, master, 48);
        memcpy(mm + 48, sh, 20);
        tc_hash(TC_HASH_MD5, mm, sizeof mm, md);
        memcpy(ref + 16 * i, md, total - 16 * i < 16 ? total - 16 * i : 16);
      }
    } else {
      tc_hash_alg prf = t[k].ver == TC_TLS12 ? t[k].prf : TC_HASH_MD5_SHA1;
      g_assert_cmpint(
          tc_prf_tls(prf, master, 48, "key expansion", seed, 64, ref, total), ==, 0);
    }
    tc_keyblock kb;
    g_assert_cmpint(tc_keyblock_derive(&kb, t[k].ver, t[k].prf, master, 48, cr, sr, t[k].ml,
                                       t[k].kl, t[k].il),
                    ==, 0);
    const uint8_t *q = ref;
    g_assert_cmpmem(kb.client_mac, t[k].ml, q, t[k].ml);
    q += t[k].ml;
    g_assert_cmpmem(kb.server_mac, t[k].ml, q, t[k].ml);
    q += t[k].ml;
    g_assert_cmpmem(kb.client_key, t[k].kl, q, t[k].kl);
    q += t[k].kl;
    g_assert_cmpmem(kb.server_key, t[k].kl, q, t[k].kl);
    q += t[k].kl;
    g_assert_cmpmem(kb.client_iv, t[k].il, q, t[k].il);
    q += t[k].il;
    g_assert_cmpmem(kb.server_iv, t[k].il, q, t[k].il);
    tc_keyblock_wipe(&kb);
  }
  tc_keyblock kb;
  g_assert_cmpint(tc_keyblock_derive(&kb, TC_TLS12, TC_HASH_SHA256, master, 48, cr, sr, 65, 16, 0),
                  ==, -1);
  g_assert_cmpint(tc_keyblock_derive(&kb, TC_TLS13, TC_HASH_SHA256, master, 48, cr, sr, 0, 16, 4),
                  ==, -1);
}

/* ---- suite table ---- */

static void test_suite_table(void) {
  size_t n;
  const tc_suite12 *all = tc_suite12_all(&n);
  g_assert_cmpuint(n, >=, 60);
  /* The id index answers exactly as a walk of the table, for every id. */
  for (unsigned id = 0; id <= 0xffff; id++) {
    const tc_suite12 *walk = NULL;
    for (size_t i = 0; i < n && !walk; i++)
      if (all[i].id == id)
        walk = &all[i];
    g_assert_true(tc_suite12_find((uint16_t)id) == walk);
  }
  for (size_t i = 0; i < n; i++) {
    const tc_suite12 *s = &all[i];
    g_assert_true(tc_suite12_find(s->id) == s);
    g_assert_true(tc_suite12_by_name(s->name) == s);
    g_assert_true(g_str_has_prefix(s->name, "TLS_"));
    g_assert_cmpuint(s->min_version, <=, s->max_version);
    g_assert_cmpuint(s->max_version, ==, TC_TLS12);
    g_assert_true(s->prf == TC_HASH_SHA256 || s->prf == TC_HASH_SHA384);
    bool ccm = s->aead >= TC_AEAD_AES128_CCM && s->aead <= TC_AEAD_AES256_CCM_8;
    bool ccm8 = s->aead == TC_AEAD_AES128_CCM_8 || s->aead == TC_AEAD_AES256_CCM_8;
    if (ccm) /* RFC 6655 names carry no hash; the PRF is SHA-256 */
      g_assert_true(g_str_has_suffix(s->name, ccm8 ? "_CCM_8" : "_CCM") &&
                    s->prf == TC_HASH_SHA256);
    else
      g_assert_true(g_str_has_suffix(s->name, s->prf == TC_HASH_SHA384 ? "SHA384"
                                              : s->mac == TC_HASH_MD5  ? "MD5"
                                              : s->mac == TC_HASH_SHA1 ? "_SHA"
                                                                       : "SHA256"));
    if (s->bulk == TC_BULK12_AEAD) {
      g_assert_cmpuint(s->min_version, ==, TC_TLS12);
      g_assert_cmpint(s->mac, ==, TC_HASH_NONE);
    }
    if (s->cipher == TC_CIPHER_RC4_128) {
      g_assert_true(strstr(s->name, "RC4_128") != NULL);
      g_assert_cmpuint(s->flags, ==, TC_SUITE12_EXPLICIT);
    } else if (s->cipher == TC_CIPHER_3DES_CBC) {
      g_assert_true(strstr(s->name, "3DES_EDE_CBC") != NULL);
      g_assert_cmpuint(s->flags, ==, 0);
    } else if (ccm) {
      g_assert_cmpuint(s->flags, ==, ccm8 ? 0 : TC_SUITE12_SERVER);
    } else {
      g_assert_cmpuint(s->flags, ==, TC_SUITE12_DEFAULT);
    }
    if (s->kx == TC_KX12_ECDHE || s->kx == TC_KX12_ECDHE_PSK || s->kx == TC_KX12_PSK ||
        s->kx == TC_KX12_DHE_PSK || s->kx == TC_KX12_SRP)
      g_assert_cmpuint(s->min_version, >=, TC_TLS10);
    g_assert_true((s->kx == TC_KX12_SRP) == (strstr(s->name, "_SRP_") != NULL));
    g_assert_true((s->auth == TC_AUTH12_ECDSA) == (strstr(s->name, "ECDSA") != NULL));
    /* every suite at every version it allows: client -> server and back */
    for (uint16_t v = s->min_version; v <= s->max_version; v++) {
      g_assert_true(tc_suite12_allows(s, v));
      size_t ml, kl, il;
      tc_suite12_key_lengths(s, v, &ml, &kl, &il);
      tc_keyblock kb;
      uint8_t master[48], cr[32], sr[32];
      memset(master, 7, 48);
      memset(cr, 1, 32);
      memset(sr, 2, 32);
      g_assert_cmpint(tc_keyblock_derive(&kb, v, tc_suite12_prf(s, v), master, 48, cr, sr, ml,
                                         kl, il),
                      ==, 0);
      tc_prot cw, sr_, sw, crd;
      memset(&cw, 0, sizeof cw);
      memset(&sr_, 0, sizeof sr_);
      memset(&sw, 0, sizeof sw);
      memset(&crd, 0, sizeof crd);
      g_assert_cmpint(tc_prot_init_suite12(&cw, s, v, &kb, true, true, true, NULL), ==, 0);
      g_assert_cmpint(tc_prot_init_suite12(&sr_, s, v, &kb, false, false, true, NULL), ==, 0);
      g_assert_cmpint(tc_prot_init_suite12(&sw, s, v, &kb, false, true, false, NULL), ==, 0);
      g_assert_cmpint(tc_prot_init_suite12(&crd, s, v, &kb, true, false, false, NULL), ==, 0);
      uint8_t rec[256], out[256];
      size_t got;
      size_t m = seal_one(&cw, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"hello world", 11);
      g_assert_cmpint(open_all(&sr_, rec, m, out, &got, TC_CT_APPLICATION_DATA), >=, 1);
      g_assert_cmpmem(out, got, "hello world", 11);
      m = seal_one(&sw, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"hi", 2);
      g_assert_cmpint(open_all(&crd, rec, m, out, &got, TC_CT_APPLICATION_DATA), >=, 1);
      g_assert_cmpmem(out, got, "hi", 2);
      /* the server's reader does not accept the server's own direction */
      m = seal_one(&sw, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"hi", 2);
      g_assert_cmpint(open_all(&sr_, rec, m, out, &got, TC_CT_APPLICATION_DATA), <, 0);
      tc_prot_clear(&cw);
      tc_prot_clear(&sr_);
      tc_prot_clear(&sw);
      tc_prot_clear(&crd);
      tc_keyblock_wipe(&kb);
    }
    g_assert_false(tc_suite12_allows(s, TC_TLS13));
  }
  /* spot checks of IANA values */
  g_assert_cmpstr(tc_suite12_find(0xC02F)->name, ==, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  g_assert_cmpstr(tc_suite12_find(0xCCA9)->name, ==,
                  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  g_assert_cmpstr(tc_suite12_find(0x000A)->name, ==, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
  g_assert_cmpstr(tc_suite12_find(0x0004)->name, ==, "TLS_RSA_WITH_RC4_128_MD5");
  g_assert_cmpstr(tc_suite12_find(0xC01D)->name, ==, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA");
  g_assert_cmpstr(tc_suite12_find(0x00A8)->name, ==, "TLS_PSK_WITH_AES_128_GCM_SHA256");
  g_assert_cmpstr(tc_suite12_find(0xC037)->name, ==, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256");
  g_assert_cmpuint(tc_suite12_by_name("TLS_RSA_WITH_AES_256_CBC_SHA256")->id, ==, 0x003D);
  g_assert_null(tc_suite12_find(0x1301)); /* TLS 1.3 suites are not in this table */
  g_assert_null(tc_suite12_by_name("TLS_AES_128_GCM_SHA256"));
  g_assert_null(tc_suite12_by_name(NULL));
  const tc_suite12 *gcm = tc_suite12_find(0xC030);
  g_assert_false(tc_suite12_allows(gcm, TC_TLS11));
  g_assert_cmpint(tc_suite12_prf(gcm, TC_TLS12), ==, TC_HASH_SHA384);
  g_assert_cmpint(tc_suite12_prf(gcm, TC_TLS10), ==, TC_HASH_MD5_SHA1);
  g_assert_cmpint(tc_suite12_prf(tc_suite12_find(0x002F), TC_SSL30), ==, TC_HASH_NONE);
  /* a suite outside its version range is refused */
  tc_keyblock kb;
  memset(&kb, 0, sizeof kb);
  tc_prot p;
  memset(&p, 0, sizeof p);
  g_assert_cmpint(tc_prot_init_suite12(&p, gcm, TC_TLS11, &kb, true, true, false, NULL), ==, -1);
}

/* ---- vectors from Python/OpenSSL (make-record12-vectors.py) ---- */

static const char vmsg[] = "independent record vector";

/* Open every record of an external vector with a fresh reader of case ci. */
static void open_vector(int ci, const uint8_t *v, size_t vlen, uint64_t first_seq,
                        uint8_t type, const char *const *want, size_t nwant) {
  tc_prot r;
  setup(&cases[ci], &r, false);
  r.seq = first_seq;
  uint8_t *buf = g_memdup2(v, vlen);
  size_t pos = 0, i = 0;
  while (pos < vlen) {
    size_t body = (size_t)buf[pos + 3] << 8 | buf[pos + 4];
    uint8_t t;
    size_t off, len;
    int e = r.ops->open(&r, buf + pos, body, &t, &off, &len);
    if (e)
      g_error("%s: vector record %zu: error %d", cases[ci].name, i, e);
    g_assert_cmpuint(t, ==, type);
    g_assert_cmpuint(i, <, nwant);
    g_assert_cmpmem(buf + pos + off, len, want[i], strlen(want[i]));
    pos += TC_REC_HDR_LEN + body;
    i++;
  }
  g_assert_cmpuint(i, ==, nwant);
  g_free(buf);
  tc_prot_clear(&r);
}

static void test_external_vectors(void) {
  static const char *const one[] = {vmsg};
  /* deterministic seals must reproduce the vectors byte for byte */
  struct {
    int ci;
    const uint8_t *v;
    size_t len;
  } exact[] = {
      {0, v_gcm128_seq1, sizeof v_gcm128_seq1},
      {2, v_chacha_seq1, sizeof v_chacha_seq1},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(exact); k++) {
    tc_prot w;
    setup(&cases[exact[k].ci], &w, true);
    uint8_t rec[256];
    seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"x", 1); /* seq 0 */
    size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)vmsg, strlen(vmsg));
    g_assert_cmpmem(rec, n, exact[k].v, exact[k].len);
    tc_prot_clear(&w);
    open_vector(exact[k].ci, exact[k].v, exact[k].len, 1, TC_CT_APPLICATION_DATA, one, 1);
  }
  {
    tc_prot w;
    setup(&cases[17], &w, true);
    uint8_t rec[256];
    size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)vmsg, strlen(vmsg));
    g_assert_cmpmem(rec, n, v_rc4_sha1_tls12, sizeof v_rc4_sha1_tls12);
    tc_prot_clear(&w);
    setup(&cases[21], &w, true);
    n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"rc4 one", 7);
    n += seal_one(&w, TC_CT_APPLICATION_DATA, rec + n, (const uint8_t *)"rc4 two!", 8);
    g_assert_cmpmem(rec, n, v_rc4_md5_ssl3_two, sizeof v_rc4_md5_ssl3_two);
    tc_prot_clear(&w);
  }
  open_vector(17, v_rc4_sha1_tls12, sizeof v_rc4_sha1_tls12, 0, TC_CT_APPLICATION_DATA, one, 1);
  static const char *const rc4two[] = {"rc4 one", "rc4 two!"};
  open_vector(21, v_rc4_md5_ssl3_two, sizeof v_rc4_md5_ssl3_two, 0, TC_CT_APPLICATION_DATA,
              rc4two, 2);
  /* CBC with random IVs: opened */
  open_vector(5, v_cbc256_sha384_pad, sizeof v_cbc256_sha384_pad, 0, TC_CT_HANDSHAKE, one, 1);
  static const char *const two[] = {"first", "second record"};
  open_vector(9, v_3des_tls10_two, sizeof v_3des_tls10_two, 0, TC_CT_APPLICATION_DATA, two, 2);
  open_vector(11, v_etm_aes128_sha256, sizeof v_etm_aes128_sha256, 0, TC_CT_APPLICATION_DATA,
              one, 1);
  open_vector(14, v_ssl3_aes128_sha1, sizeof v_ssl3_aes128_sha1, 0, TC_CT_APPLICATION_DATA, one,
              1);

  /* key blocks */
  struct {
    uint16_t ver;
    tc_hash_alg prf;
    size_t ml, kl, il;
    const uint8_t *want;
    size_t want_len;
  } kbs[] = {
      {TC_TLS12, TC_HASH_SHA384, 48, 32, 0, kb_tls12_sha384, sizeof kb_tls12_sha384},
      {TC_TLS12, TC_HASH_SHA256, 0, 16, 4, kb_tls12_sha256_gcm, sizeof kb_tls12_sha256_gcm},
      {TC_TLS10, TC_HASH_MD5_SHA1, 20, 16, 16, kb_tls10, sizeof kb_tls10},
      {TC_SSL30, TC_HASH_NONE, 20, 24, 8, kb_ssl3, sizeof kb_ssl3},
  };
  for (size_t k = 0; k < G_N_ELEMENTS(kbs); k++) {
    tc_keyblock kb;
    g_assert_cmpint(tc_keyblock_derive(&kb, kbs[k].ver, kbs[k].prf, kb_master, 48,
                                       kb_client_random, kb_server_random, kbs[k].ml,
                                       kbs[k].kl, kbs[k].il),
                    ==, 0);
    uint8_t flat[256];
    size_t o = 0;
    memcpy(flat + o, kb.client_mac, kb.mac_len), o += kb.mac_len;
    memcpy(flat + o, kb.server_mac, kb.mac_len), o += kb.mac_len;
    memcpy(flat + o, kb.client_key, kb.key_len), o += kb.key_len;
    memcpy(flat + o, kb.server_key, kb.key_len), o += kb.key_len;
    memcpy(flat + o, kb.client_iv, kb.iv_len), o += kb.iv_len;
    memcpy(flat + o, kb.server_iv, kb.iv_len), o += kb.iv_len;
    g_assert_cmpmem(flat, o, kbs[k].want, kbs[k].want_len);
    tc_keyblock_wipe(&kb);
  }
}

static int failing_rng(void *ctx, uint8_t *out, size_t len) {
  (void)ctx;
  memset(out, 0x77, len);
  return -1;
}

/* A failing rng still gives valid records with IVs that differ per record
 * (the IV block is CBC-encrypted under the previous ciphertext). */
static void test_rng_failure(void) {
  const tc_rng bad = {failing_rng, NULL};
  tc_prot w, r;
  memset(&w, 0, sizeof w);
  memset(&r, 0, sizeof r);
  g_assert_cmpint(tc_prot_init_cbc(&w, true, TC_TLS12, TC_CIPHER_AES128_CBC, KEY, 16, NULL,
                                   TC_HASH_SHA1, MACKEY, 20, 0, &bad),
                  ==, 0);
  setup(&cases[3], &r, false);
  uint8_t rec[128], out[128], prev_iv[16];
  for (int i = 0; i < 4; i++) {
    size_t n = seal_one(&w, TC_CT_APPLICATION_DATA, rec, (const uint8_t *)"same data", 9);
    if (i > 0)
      g_assert_false(memcmp(prev_iv, rec + 5, 16) == 0);
    memcpy(prev_iv, rec + 5, 16);
    size_t got;
    g_assert_cmpint(open_all(&r, rec, n, out, &got, TC_CT_APPLICATION_DATA), ==, 1);
    g_assert_cmpmem(out, got, "same data", 9);
  }
  tc_prot_clear(&w);
  tc_prot_clear(&r);
}

static void test_init_errors(void) {
  tc_prot p;
  memset(&p, 0, sizeof p);
  /* GCM needs a 4-byte salt, ChaCha20 a 12-byte IV */
  g_assert_cmpint(tc_prot_init_tls12_aead(&p, TC_TLS12, TC_AEAD_AES128_GCM, KEY, 16, IV, 12), ==,
                  -1);
  g_assert_cmpint(
      tc_prot_init_tls12_aead(&p, TC_TLS12, TC_AEAD_CHACHA20_POLY1305, KEY, 32, IV, 4), ==, -1);
  g_assert_cmpint(tc_prot_init_tls12_aead(&p, TC_TLS12, TC_AEAD_AES128_GCM, KEY, 32, IV, 4), ==,
                  -1);
  /* TLS 1.0 CBC needs the implicit IV; MtE CBC with HMAC-MD5 is not a suite */
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_TLS10, TC_CIPHER_AES128_CBC, KEY, 16, NULL,
                                   TC_HASH_SHA1, MACKEY, 20, 0, NULL),
                  ==, -1);
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_TLS12, TC_CIPHER_AES128_CBC, KEY, 16, NULL,
                                   TC_HASH_MD5, MACKEY, 16, 0, NULL),
                  ==, -1);
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_TLS13, TC_CIPHER_AES128_CBC, KEY, 16, NULL,
                                   TC_HASH_SHA1, MACKEY, 20, 0, NULL),
                  ==, -1);
  g_assert_cmpint(tc_prot_init_cbc(&p, true, TC_SSL30, TC_CIPHER_AES128_CBC, KEY, 16, IV,
                                   TC_HASH_SHA256, MACKEY, 32, 0, NULL),
                  ==, -1);
  g_assert_null(p.ops);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  init_material();
  g_test_add_func("/record12/roundtrip", test_roundtrip);
  g_test_add_func("/record12/rec-layer", test_rec_layer);
  g_test_add_func("/record12/tamper", test_tamper);
  g_test_add_func("/record12/short-records", test_short_records);
  g_test_add_func("/record12/kat-aead", test_kat_gcm_chacha);
  g_test_add_func("/record12/kat-cbc", test_kat_cbc);
  g_test_add_func("/record12/ssl3-mac-vector", test_ssl3_mac_vector);
  g_test_add_func("/record12/padding-lengths", test_padding_lengths);
  g_test_add_func("/record12/ssl3-padding", test_ssl3_padding);
  g_test_add_func("/record12/padding-vs-mac", test_padding_vs_mac);
  g_test_add_func("/record12/split", test_split);
  g_test_add_func("/record12/etm", test_etm);
  g_test_add_func("/record12/keyblock", test_keyblock);
  g_test_add_func("/record12/suite-table", test_suite_table);
  g_test_add_func("/record12/init-errors", test_init_errors);
  g_test_add_func("/record12/rng-failure", test_rng_failure);
  g_test_add_func("/record12/external-vectors", test_external_vectors);
  return g_test_run();
}
