/* RFC 8448 known answers: key schedule, record protection and a server replay of the traces. */
#include <glib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "handshake/keysched.h"
#include "record/record.h"
#include "rfc8448-vectors.h"
#include "tlscore/conn.h"

/* ---- small helpers ---------------------------------------------------- */

/* Decode a hex string (no separators) into a new buffer. */
static uint8_t *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  g_assert_cmpuint(n % 2, ==, 0);
  uint8_t *out = g_malloc(n / 2 + 1);
  for (size_t i = 0; i < n / 2; i++) {
    int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
    g_assert_true(hi >= 0 && lo >= 0);
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  *len = n / 2;
  return out;
}

/* A decoded vector, freed at the end of the scope. */
#define VEC(name, hex)                                                                             \
  size_t name##_len;                                                                               \
  g_autofree uint8_t *name = unhex(hex, &name##_len)

static void assert_hex(const uint8_t *got, size_t len, const char *hex) {
  size_t n;
  g_autofree uint8_t *want = unhex(hex, &n);
  g_assert_cmpmem(got, len, want, n);
}

/* g_assert_cmpmem, printing both sides in hex first when they differ. */
static void assert_mem_verbose(const char *what, const uint8_t *got, size_t got_len,
                               const uint8_t *want, size_t want_len) {
  if (got_len != want_len || memcmp(got, want, got_len) != 0) {
    g_autoptr(GString) a = g_string_new(NULL), b = g_string_new(NULL);
    for (size_t i = 0; i < got_len; i++)
      g_string_append_printf(a, "%02x", got[i]);
    for (size_t i = 0; i < want_len; i++)
      g_string_append_printf(b, "%02x", want[i]);
    g_test_message("%s differs:\n got  %s\n want %s", what, a->str, b->str);
  }
  g_assert_cmpmem(got, got_len, want, want_len);
}

/* The concatenation of several hex vectors, as bytes. */
static GByteArray *cat_hex(const char *first, ...) {
  GByteArray *a = g_byte_array_new();
  va_list ap;
  va_start(ap, first);
  for (const char *h = first; h; h = va_arg(ap, const char *)) {
    size_t n;
    g_autofree uint8_t *b = unhex(h, &n);
    g_byte_array_append(a, b, (guint)n);
  }
  va_end(ap);
  return a;
}

static void sha256(const uint8_t *p, size_t n, uint8_t out[32]) {
  tc_hash(TC_HASH_SHA256, p, n, out);
}

/* Transcript hash over the concatenation of hex-encoded handshake messages. */
static GByteArray *transcript(const char *first, ...) {
  GByteArray *a = g_byte_array_new();
  va_list ap;
  va_start(ap, first);
  for (const char *h = first; h; h = va_arg(ap, const char *)) {
    size_t n;
    g_autofree uint8_t *b = unhex(h, &n);
    g_byte_array_append(a, b, (guint)n);
  }
  va_end(ap);
  uint8_t th[32];
  sha256(a->data, a->len, th);
  g_byte_array_set_size(a, 0);
  g_byte_array_append(a, th, 32);
  return a;
}

/* ---- a tiny RSA public operation (s^e mod n) for recovering the PSS salt ----
 * Bit-serial modular multiplication on 32-bit limbs: slow but obviously
 * right, and only used on one 1024-bit signature. */
#define BN_LIMBS 66 /* up to 2048-bit moduli plus headroom for the carries */
typedef struct {
  uint32_t v[BN_LIMBS];
} bn;

static void bn_from_bytes(bn *a, const uint8_t *p, size_t n) {
  memset(a, 0, sizeof *a);
  g_assert_cmpuint(n, <=, 4 * (BN_LIMBS - 2));
  for (size_t i = 0; i < n; i++)
    a->v[i / 4] |= (uint32_t)p[n - 1 - i] << (8 * (i % 4));
}

static void bn_to_bytes(const bn *a, uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[n - 1 - i] = (uint8_t)(a->v[i / 4] >> (8 * (i % 4)));
}

static int bn_cmp(const bn *a, const bn *b) {
  for (int i = BN_LIMBS - 1; i >= 0; i--)
    if (a->v[i] != b->v[i])
      return a->v[i] < b->v[i] ? -1 : 1;
  return 0;
}

static void bn_sub(bn *a, const bn *b) {
  uint64_t borrow = 0;
  for (int i = 0; i < BN_LIMBS; i++) {
    uint64_t d = (uint64_t)a->v[i] - b->v[i] - borrow;
    a->v[i] = (uint32_t)d;
    borrow = (d >> 63) & 1;
  }
}

static void bn_add(bn *a, const bn *b) {
  uint64_t carry = 0;
  for (int i = 0; i < BN_LIMBS; i++) {
    uint64_t s = (uint64_t)a->v[i] + b->v[i] + carry;
    a->v[i] = (uint32_t)s;
    carry = s >> 32;
  }
}

/* r = a * b mod m, with a, b < m. */
static void bn_mulmod(bn *r, const bn *a, const bn *b, const bn *m) {
  bn acc;
  memset(&acc, 0, sizeof acc);
  for (int bit = 32 * BN_LIMBS - 1; bit >= 0; bit--) {
    bn_add(&acc, &acc);
    if (bn_cmp(&acc, m) >= 0)
      bn_sub(&acc, m);
    if ((b->v[bit / 32] >> (bit % 32)) & 1) {
      bn_add(&acc, a);
      if (bn_cmp(&acc, m) >= 0)
        bn_sub(&acc, m);
    }
  }
  *r = acc;
}

/* out = sig^65537 mod n (n_len bytes). */
static void rsa_public_65537(const uint8_t *n_bytes, size_t n_len, const uint8_t *sig,
                             uint8_t *out) {
  bn n, s, r;
  bn_from_bytes(&n, n_bytes, n_len);
  bn_from_bytes(&s, sig, n_len);
  g_assert_cmpint(bn_cmp(&s, &n), <, 0);
  r = s;
  for (int i = 0; i < 16; i++)
    bn_mulmod(&r, &r, &r, &n);
  bn_mulmod(&r, &r, &s, &n);
  bn_to_bytes(&r, out, n_len);
}

/* MGF1 with SHA-256 (RFC 8017 B.2.1). */
static void mgf1_sha256(const uint8_t *seed, size_t seed_len, uint8_t *out, size_t len) {
  uint8_t block[32];
  for (uint32_t counter = 0; len > 0; counter++) {
    tc_hash_ctx h;
    uint8_t c[4] = {(uint8_t)(counter >> 24), (uint8_t)(counter >> 16), (uint8_t)(counter >> 8),
                    (uint8_t)counter};
    tc_hash_init(&h, TC_HASH_SHA256);
    tc_hash_update(&h, seed, seed_len);
    tc_hash_update(&h, c, 4);
    tc_hash_final(&h, block);
    size_t k = len < 32 ? len : 32;
    memcpy(out, block, k);
    out += k;
    len -= k;
  }
}

/* The content RFC 8446 §4.4.3 signs for the server's CertificateVerify. */
static size_t server_cv_content(const uint8_t th[32], uint8_t out[130]) {
  static const char ctx[] = "TLS 1.3, server CertificateVerify";
  memset(out, 0x20, 64);
  memcpy(out + 64, ctx, sizeof ctx); /* includes the 0 separator */
  memcpy(out + 64 + sizeof ctx, th, 32);
  return 64 + sizeof ctx + 32;
}

/* EMSA-PSS-VERIFY by hand on the trace's signature: returns the 32-byte salt
 * after checking every structural byte and H itself, so a wrong salt cannot
 * come out of here. */
static void recover_pss_salt(uint8_t salt[32]) {
  VEC(n, S3_RSA_N);
  VEC(cv, S3_CV);
  g_assert_cmpuint(n_len, ==, 128);
  /* 0f 000084 | 0804 | 0080 | signature */
  g_assert_cmpuint(cv_len, ==, 8 + 128);
  g_assert_cmpuint(cv[4], ==, 0x08);
  g_assert_cmpuint(cv[5], ==, 0x04);
  uint8_t em[128];
  rsa_public_65537(n, n_len, cv + 8, em);
  /* emBits = 1023: one leading bit must be zero, EM ends with 0xbc. */
  g_assert_cmpuint(em[0] & 0x80, ==, 0);
  g_assert_cmpuint(em[127], ==, 0xbc);
  const size_t db_len = 128 - 32 - 1;
  uint8_t db[95];
  mgf1_sha256(em + db_len, 32, db, db_len);
  for (size_t i = 0; i < db_len; i++)
    db[i] ^= em[i];
  db[0] &= 0x7f;
  for (size_t i = 0; i < db_len - 32 - 1; i++)
    g_assert_cmpuint(db[i], ==, 0);
  g_assert_cmpuint(db[db_len - 33], ==, 0x01);
  memcpy(salt, db + db_len - 32, 32);

  g_autoptr(GByteArray) th = transcript(S3_CH, S3_SH, S3_EE, S3_CERT, NULL);
  uint8_t content[130], mhash[32], mprime[8 + 32 + 32], h[32];
  size_t clen = server_cv_content(th->data, content);
  sha256(content, clen, mhash);
  memset(mprime, 0, 8);
  memcpy(mprime + 8, mhash, 32);
  memcpy(mprime + 40, salt, 32);
  sha256(mprime, sizeof mprime, h);
  g_assert_cmpmem(h, 32, em + db_len, 32);
}

/* ---- (a) the key schedule, through handshake/keysched.h --------------- */

/* Everything section 3 derives, recomputed from the inputs (private keys and
 * messages) and checked against the RFC on the way. */
typedef struct {
  uint8_t c_hs[32], s_hs[32], c_ap[32], s_ap[32], exporter[32], res_master[32];
  uint8_t c_hs_key[16], c_hs_iv[12], s_hs_key[16], s_hs_iv[12];
  uint8_t c_ap_key[16], c_ap_iv[12], s_ap_key[16], s_ap_iv[12];
} s3_keys;

static void s3_schedule(s3_keys *k) {
  tc_hash_alg hash;
  tc_aead_alg aead;
  size_t key_len;
  g_assert_true(tc_suite13_params(TC_TLS_AES_128_GCM_SHA256, &hash, &aead, &key_len));
  g_assert_cmpint(hash, ==, TC_HASH_SHA256);
  g_assert_cmpint(aead, ==, TC_AEAD_AES128_GCM);
  g_assert_cmpuint(key_len, ==, 16);

  /* ECDHE both ways. */
  VEC(cpriv, S3_CLIENT_X25519_PRIV);
  VEC(spriv, S3_SERVER_X25519_PRIV);
  VEC(cpub_want, S3_CLIENT_X25519_PUB);
  VEC(spub_want, S3_SERVER_X25519_PUB);
  tc_kex ck, sk;
  uint8_t cpub[133], spub[133], shared_c[66], shared_s[66];
  size_t cpub_len = sizeof cpub, spub_len = sizeof spub, sc_len = sizeof shared_c,
         ss_len = sizeof shared_s;
  g_assert_cmpint(tc_kex_generate_from(&ck, TC_GROUP_X25519, cpriv, 32, cpub, &cpub_len), ==, 0);
  g_assert_cmpint(tc_kex_generate_from(&sk, TC_GROUP_X25519, spriv, 32, spub, &spub_len), ==, 0);
  g_assert_cmpmem(cpub, cpub_len, cpub_want, 32);
  g_assert_cmpmem(spub, spub_len, spub_want, 32);
  g_assert_cmpint(tc_kex_derive(&ck, spub, spub_len, shared_c, &sc_len), ==, 0);
  g_assert_cmpint(tc_kex_derive(&sk, cpub, cpub_len, shared_s, &ss_len), ==, 0);
  assert_hex(shared_c, sc_len, S3_ECDHE);
  assert_hex(shared_s, ss_len, S3_ECDHE);
  tc_kex_clear(&ck);
  tc_kex_clear(&sk);

  /* The key shares in the trace's hellos are these public keys. */
  VEC(ch, S3_CH);
  VEC(sh, S3_SH);
  g_assert_nonnull(memmem(ch, ch_len, cpub, 32));
  g_assert_nonnull(memmem(sh, sh_len, spub, 32));

  tc_ks ks;
  uint8_t tmp[32];
  uint8_t empty_hash[32];
  sha256(NULL, 0, empty_hash);

  tc_ks_early(&ks, TC_HASH_SHA256, NULL, 0);
  g_assert_cmpuint(ks.hlen, ==, 32);
  assert_hex(ks.secret, 32, S3_EARLY);
  g_assert_cmpint(tc_ks_derive(&ks, "derived", empty_hash, tmp), ==, 0);
  assert_hex(tmp, 32, S3_DERIVED_HS);

  g_assert_cmpint(tc_ks_handshake(&ks, shared_c, sc_len), ==, 0);
  assert_hex(ks.secret, 32, S3_HS);
  g_autoptr(GByteArray) th_sh = transcript(S3_CH, S3_SH, NULL);
  assert_hex(th_sh->data, 32, S3_HASH_CH_SH);
  g_assert_cmpint(tc_ks_derive(&ks, "c hs traffic", th_sh->data, k->c_hs), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s hs traffic", th_sh->data, k->s_hs), ==, 0);
  assert_hex(k->c_hs, 32, S3_C_HS_TRAFFIC);
  assert_hex(k->s_hs, 32, S3_S_HS_TRAFFIC);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, k->s_hs, 16, k->s_hs_key, k->s_hs_iv), ==, 0);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, k->c_hs, 16, k->c_hs_key, k->c_hs_iv), ==, 0);
  assert_hex(k->s_hs_key, 16, S3_S_HS_KEY);
  assert_hex(k->s_hs_iv, 12, S3_S_HS_IV);
  assert_hex(k->c_hs_key, 16, S3_C_HS_KEY);
  assert_hex(k->c_hs_iv, 12, S3_C_HS_IV);

  g_assert_cmpint(tc_ks_derive(&ks, "derived", empty_hash, tmp), ==, 0);
  assert_hex(tmp, 32, S3_DERIVED_MASTER);
  g_assert_cmpint(tc_ks_master(&ks), ==, 0);
  assert_hex(ks.secret, 32, S3_MASTER);

  /* Finished keys (printed by the RFC) and verify_data (in the messages). */
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA256, k->s_hs, 32, "finished", NULL, 0, tmp, 32),
                  ==, 0);
  assert_hex(tmp, 32, S3_S_FINISHED_KEY);
  g_assert_cmpint(tc_hkdf_expand_label(TC_HASH_SHA256, k->c_hs, 32, "finished", NULL, 0, tmp, 32),
                  ==, 0);
  assert_hex(tmp, 32, S3_C_FINISHED_KEY);

  VEC(sfin, S3_SFIN);
  VEC(cfin, S3_CFIN);
  g_autoptr(GByteArray) th_cv = transcript(S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV, NULL);
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, k->s_hs, th_cv->data, tmp), ==, 0);
  g_assert_cmpmem(tmp, 32, sfin + 4, 32);

  g_autoptr(GByteArray) th_sf = transcript(S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV, S3_SFIN, NULL);
  assert_hex(th_sf->data, 32, S3_HASH_CH_SF);
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, k->c_hs, th_sf->data, tmp), ==, 0);
  g_assert_cmpmem(tmp, 32, cfin + 4, 32);

  g_assert_cmpint(tc_ks_derive(&ks, "c ap traffic", th_sf->data, k->c_ap), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s ap traffic", th_sf->data, k->s_ap), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "exp master", th_sf->data, k->exporter), ==, 0);
  assert_hex(k->c_ap, 32, S3_C_AP_TRAFFIC);
  assert_hex(k->s_ap, 32, S3_S_AP_TRAFFIC);
  assert_hex(k->exporter, 32, S3_EXPORTER);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, k->s_ap, 16, k->s_ap_key, k->s_ap_iv), ==, 0);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, k->c_ap, 16, k->c_ap_key, k->c_ap_iv), ==, 0);
  assert_hex(k->s_ap_key, 16, S3_S_AP_KEY);
  assert_hex(k->s_ap_iv, 12, S3_S_AP_IV);
  assert_hex(k->c_ap_key, 16, S3_C_AP_KEY);
  assert_hex(k->c_ap_iv, 12, S3_C_AP_IV);

  g_autoptr(GByteArray) th_cf =
      transcript(S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV, S3_SFIN, S3_CFIN, NULL);
  assert_hex(th_cf->data, 32, S3_HASH_CH_CF);
  g_assert_cmpint(tc_ks_derive(&ks, "res master", th_cf->data, k->res_master), ==, 0);
  assert_hex(k->res_master, 32, S3_RES_MASTER);

  /* The ticket's PSK: nonce 0000 as carried by the trace's NewSessionTicket. */
  VEC(nst, S3_NST);
  /* 04 0000c9 | lifetime(4) | age_add(4) | nonce<1> = 02 0000 */
  g_assert_cmpuint(nst[12], ==, 2);
  g_assert_cmpint(tc_ks_resumption_psk(TC_HASH_SHA256, k->res_master, nst + 13, 2, tmp), ==, 0);
  assert_hex(tmp, 32, S3_TICKET_PSK);
  tc_ks_clear(&ks);
}

static void test_s3_key_schedule(void) {
  s3_keys k;
  s3_schedule(&k);
  /* tc_ks_clear must wipe. */
  tc_ks ks;
  tc_ks_early(&ks, TC_HASH_SHA256, NULL, 0);
  tc_ks_clear(&ks);
  static const uint8_t zero[TC_HASH_MAX_LEN];
  g_assert_cmpmem(ks.secret, sizeof ks.secret, zero, sizeof zero);
}

/* ---- (b) record protection through the record layer ------------------- */

static void rec_feed_one(tc_rec *r, const uint8_t *p, size_t n) {
  while (n > 0) {
    tc_error err;
    tc_error_clear(&err);
    size_t cap = 0;
    uint8_t *buf = tc_rec_input_buf(r, &cap, &err);
    g_assert_nonnull(buf);
    g_assert_cmpuint(cap, >, 0);
    size_t k = n < cap ? n : cap;
    memcpy(buf, p, k);
    tc_rec_input_ack(r, k);
    p += k;
    n -= k;
  }
}

/* Decrypt one record and compare type and plaintext. */
static void expect_open(tc_rec *r, const char *rec_hex, uint8_t want_type, const uint8_t *want,
                        size_t want_len) {
  VEC(rec, rec_hex);
  rec_feed_one(r, rec, rec_len);
  tc_error err;
  tc_error_clear(&err);
  uint8_t type = 0;
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = tc_rec_next(r, &type, &data, &len, &err);
  if (rc != 1)
    g_test_message("tc_rec_next: %d %s", rc, err.message);
  g_assert_cmpint(rc, ==, 1);
  g_assert_cmpuint(type, ==, want_type);
  g_assert_cmpmem(data, len, want, want_len);
  g_assert_cmpuint(tc_rec_input_pending(r), ==, 0);
}

/* Protect one record and compare with the trace byte for byte. */
static void expect_seal(tc_rec *w, uint8_t type, const uint8_t *pt, size_t pt_len,
                        const char *rec_hex) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_rec_write(w, type, pt, pt_len, &err), ==, TC_OK);
  size_t len = 0;
  const uint8_t *out = tc_rec_output(w, &len);
  assert_hex(out, len, rec_hex);
  tc_rec_output_ack(w, len);
  g_assert_cmpuint(tc_rec_output_pending(w), ==, 0);
}

typedef struct {
  uint8_t type;
  const char *pt_hex; /* plaintext */
  const char *rec_hex;
} rec_case;

/* A run of records under one key, starting at sequence number 0. */
static void check_epoch(const uint8_t *key, const uint8_t *iv, const rec_case *cases, size_t n) {
  tc_rec r, w;
  tc_rec_init(&r);
  tc_rec_init(&w);
  g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  g_assert_cmpint(tc_prot_init_tls13(&w.wr, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  w.wr_version = TC_TLS12;
  for (size_t i = 0; i < n; i++) {
    VEC(pt, cases[i].pt_hex);
    expect_open(&r, cases[i].rec_hex, cases[i].type, pt, pt_len);
    expect_seal(&w, cases[i].type, pt, pt_len, cases[i].rec_hex);
  }
  g_assert_cmpuint(r.rd.seq, ==, n);
  g_assert_cmpuint(w.wr.seq, ==, n);
  tc_rec_free(&r);
  tc_rec_free(&w);
}

static void test_s3_records(void) {
  s3_keys k;
  s3_schedule(&k);

  /* The plaintext hellos: framing only. */
  {
    tc_rec r, w;
    tc_rec_init(&r);
    tc_rec_init(&w);
    VEC(ch, S3_CH);
    VEC(sh, S3_SH);
    w.wr_version = TC_TLS10;
    expect_seal(&w, TC_CT_HANDSHAKE, ch, ch_len, S3_REC_CH);
    w.wr_version = TC_TLS12;
    expect_seal(&w, TC_CT_HANDSHAKE, sh, sh_len, S3_REC_SH);
    expect_open(&r, S3_REC_CH, TC_CT_HANDSHAKE, ch, ch_len);
    expect_open(&r, S3_REC_SH, TC_CT_HANDSHAKE, sh, sh_len);
    tc_rec_free(&r);
    tc_rec_free(&w);
  }

  /* Server handshake epoch: EE, Certificate, CertificateVerify and Finished
   * in one record. */
  {
    g_autoptr(GByteArray) flight = cat_hex(S3_EE, S3_CERT, S3_CV, S3_SFIN, NULL);
    g_autofree char *flight_hex = g_malloc(2 * flight->len + 1);
    for (guint i = 0; i < flight->len; i++)
      g_snprintf(flight_hex + 2 * i, 3, "%02x", flight->data[i]);
    rec_case c[] = {{TC_CT_HANDSHAKE, flight_hex, S3_REC_SERVER_FLIGHT}};
    check_epoch(k.s_hs_key, k.s_hs_iv, c, 1);
  }
  /* Client handshake epoch: Finished. */
  {
    rec_case c[] = {{TC_CT_HANDSHAKE, S3_CFIN, S3_REC_CFIN}};
    check_epoch(k.c_hs_key, k.c_hs_iv, c, 1);
  }
  /* Server application epoch: ticket (seq 0), data (seq 1), close_notify (seq 2). */
  {
    rec_case c[] = {{TC_CT_HANDSHAKE, S3_NST, S3_REC_NST},
                    {TC_CT_APPLICATION_DATA, S3_APP_DATA, S3_REC_S_APP},
                    {TC_CT_ALERT, "0100", S3_REC_S_CLOSE}};
    check_epoch(k.s_ap_key, k.s_ap_iv, c, 3);
  }
  /* Client application epoch: data (seq 0), close_notify (seq 1). */
  {
    rec_case c[] = {{TC_CT_APPLICATION_DATA, S3_APP_DATA, S3_REC_C_APP},
                    {TC_CT_ALERT, "0100", S3_REC_C_CLOSE}};
    check_epoch(k.c_ap_key, k.c_ap_iv, c, 2);
  }
}

/* A flipped bit anywhere in a protected record, or a wrong sequence number,
 * is bad_record_mac. */
static void test_s3_records_tampered(void) {
  s3_keys k;
  s3_schedule(&k);
  VEC(rec, S3_REC_CFIN);
  const size_t flips[] = {5, 20, rec_len - 1};
  for (size_t i = 0; i < G_N_ELEMENTS(flips); i++) {
    tc_rec r;
    tc_rec_init(&r);
    g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, k.c_hs_key, 16, k.c_hs_iv), ==,
                    0);
    rec[flips[i]] ^= 0x01;
    rec_feed_one(&r, rec, rec_len);
    rec[flips[i]] ^= 0x01;
    tc_error err;
    tc_error_clear(&err);
    uint8_t type;
    uint8_t *data;
    size_t len;
    g_assert_cmpint(tc_rec_next(&r, &type, &data, &len, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_BAD_RECORD_MAC);
    g_assert_cmpuint(strlen(err.message), >, 0);
    tc_rec_free(&r);
  }
  /* Right bytes, wrong sequence number. */
  tc_rec r;
  tc_rec_init(&r);
  g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, k.c_hs_key, 16, k.c_hs_iv), ==, 0);
  r.rd.seq = 1;
  rec_feed_one(&r, rec, rec_len);
  tc_error err;
  tc_error_clear(&err);
  uint8_t type;
  uint8_t *data;
  size_t len;
  g_assert_cmpint(tc_rec_next(&r, &type, &data, &len, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_RECORD_MAC);
  tc_rec_free(&r);
}

/* ---- the server's RSA-PSS signature ------------------------------------ */

static tc_privkey *s3_rsa_key(void) {
  VEC(n, S3_RSA_N);
  VEC(e, S3_RSA_E);
  VEC(d, S3_RSA_D);
  VEC(p, S3_RSA_P);
  VEC(q, S3_RSA_Q);
  VEC(dp, S3_RSA_DP);
  VEC(dq, S3_RSA_DQ);
  VEC(qi, S3_RSA_QINV);
  tc_privkey *key = tc_privkey_new_rsa(n, n_len, e, e_len, d, d_len, p, p_len, q, q_len, dp, dp_len,
                                       dq, dq_len, qi, qi_len);
  g_assert_nonnull(key);
  return key;
}

/* A tc_rng that plays back a script, then a fixed pseudo-random stream. */
typedef struct {
  uint8_t script[256];
  size_t len, pos;
  uint64_t state;
  size_t drawn; /* total bytes handed out */
} script_rng;

static int script_rng_fn(void *ctx, uint8_t *out, size_t len) {
  script_rng *s = ctx;
  for (size_t i = 0; i < len; i++) {
    if (s->pos < s->len) {
      out[i] = s->script[s->pos++];
    } else {
      s->state ^= s->state << 13;
      s->state ^= s->state >> 7;
      s->state ^= s->state << 17;
      out[i] = (uint8_t)(s->state >> 24);
    }
  }
  s->drawn += len;
  return 0;
}

static void script_add(script_rng *s, const char *hex) {
  size_t n;
  g_autofree uint8_t *b = unhex(hex, &n);
  g_assert_cmpuint(s->len + n, <=, sizeof s->script);
  memcpy(s->script + s->len, b, n);
  s->len += n;
}

static void script_init(script_rng *s) {
  memset(s, 0, sizeof *s);
  s->state = 0x9e3779b97f4a7c15ull;
}

static void test_s3_certificate_verify(void) {
  uint8_t salt[32];
  recover_pss_salt(salt);

  /* The certificate's key verifies the trace's signature... */
  VEC(der, S3_CERT_DER);
  tc_error err;
  tc_error_clear(&err);
  tc_cert *cert = tc_cert_parse_der(der, der_len, &err);
  if (!cert)
    g_test_message("cert: %s", err.message);
  g_assert_nonnull(cert);
  g_autoptr(GByteArray) th = transcript(S3_CH, S3_SH, S3_EE, S3_CERT, NULL);
  uint8_t content[130];
  size_t clen = server_cv_content(th->data, content);
  VEC(cv, S3_CV);
  g_assert_true(tc_pubkey_fits_scheme(tc_cert_pubkey(cert), TC_SIG_RSA_PSS_RSAE_SHA256));
  g_assert_cmpint(tc_pk_verify(tc_cert_pubkey(cert), TC_SIGALG_RSA_PSS, TC_HASH_SHA256, content,
                               clen, cv + 8, 128),
                  ==, 0);
  cv[8 + 60] ^= 0x10;
  g_assert_cmpint(tc_pk_verify(tc_cert_pubkey(cert), TC_SIGALG_RSA_PSS, TC_HASH_SHA256, content,
                               clen, cv + 8, 128),
                  ==, -1);
  cv[8 + 60] ^= 0x10;

  /* ...and our signer, given the same salt, makes the very same signature
   * (the salt is the first thing tc_pk_sign draws). */
  tc_privkey *key = s3_rsa_key();
  g_assert_true(tc_privkey_matches_cert(key, cert));
  script_rng s;
  script_init(&s);
  memcpy(s.script, salt, 32);
  s.len = 32;
  tc_rng rng = {script_rng_fn, &s};
  uint8_t sig[512];
  size_t sig_len = sizeof sig;
  g_assert_cmpint(
      tc_pk_sign(key, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, &rng, content, clen, sig, &sig_len), ==,
      0);
  g_assert_cmpmem(sig, sig_len, cv + 8, 128);
  g_assert_cmpuint(s.pos, ==, 32);
  tc_privkey_unref(key);
  tc_cert_unref(cert);
}

/* ---- (c) server replay ---------------------------------------------------- */

static void conn_feed_all(tc_conn *c, const uint8_t *p, size_t n) {
  while (n > 0) {
    size_t used = 0;
    int rc = tc_conn_feed(c, p, n, &used);
    if (rc == TC_FAIL)
      g_test_message("feed failed: %s", tc_conn_error(c)->message);
    g_assert_cmpint(rc, !=, TC_FAIL);
    g_assert_cmpuint(used, >, 0);
    p += used;
    n -= used;
  }
}

static GByteArray *conn_take_output(tc_conn *c) {
  GByteArray *a = g_byte_array_new();
  for (;;) {
    size_t len = 0;
    const uint8_t *p = tc_conn_output(c, &len);
    if (!p || len == 0)
      break;
    g_byte_array_append(a, p, (guint)len);
    tc_conn_output_ack(c, len);
  }
  return a;
}

static int64_t fixed_time(void *ctx) {
  (void)ctx;
  return 1469841839 + 86400; /* a day into the trace certificate's validity */
}

static void test_s3_server_replay(void) {
  s3_keys k;
  s3_schedule(&k);
  uint8_t salt[32];
  recover_pss_salt(salt);

  tc_error err;
  tc_error_clear(&err);
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  g_assert_nonnull(cfg);
  VEC(der, S3_CERT_DER);
  tc_cert *cert = tc_cert_parse_der(der, der_len, &err);
  g_assert_nonnull(cert);
  tc_privkey *key = s3_rsa_key();
  g_assert_cmpint(tc_config_add_cert_chain(cfg, &cert, 1, key, &err), ==, TC_OK);
  /* The trace's server advertises these groups in EncryptedExtensions. */
  static const uint16_t groups[] = {TC_GROUP_X25519,    TC_GROUP_SECP256R1, TC_GROUP_SECP384R1,
                                    TC_GROUP_SECP521R1, TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072,
                                    TC_GROUP_FFDHE4096, TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
  if (tc_config_set_groups(cfg, groups, G_N_ELEMENTS(groups), &err) != TC_OK)
    g_test_message("set_groups: %s", err.message);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);
  static const uint16_t schemes[] = {TC_SIG_RSA_PSS_RSAE_SHA256};
  g_assert_cmpint(tc_config_set_sig_schemes(cfg, schemes, 1, &err), ==, TC_OK);
  /* One ticket, so that the server's application records have the trace's
   * sequence numbers (the trace's ticket is record 0 of that epoch). */
  tc_config_set_tickets(cfg, 1, 30);
  tc_config_set_ee_supported_groups(cfg, true); /* the traces' EncryptedExtensions list them */
  tc_config_set_time(cfg, fixed_time, NULL);
  script_rng s;
  script_init(&s);
  script_add(&s, S3_SERVER_RANDOM);
  script_add(&s, S3_SERVER_X25519_PRIV);
  memcpy(s.script + s.len, salt, 32);
  s.len += 32;
  tc_config_set_rng(cfg, script_rng_fn, &s);

  tc_conn *c = tc_conn_new(cfg, &err);
  g_assert_nonnull(c);

  /* ClientHello in; ServerHello and the encrypted flight out. */
  VEC(rec_ch, S3_REC_CH);
  conn_feed_all(c, rec_ch, rec_ch_len);
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  g_assert_cmpuint(s.pos, ==, s.len); /* random, key share, salt all used, in order */
  g_autoptr(GByteArray) out = conn_take_output(c);
  VEC(rec_sh, S3_REC_SH);
  g_assert_cmpuint(out->len, >=, rec_sh_len);
  assert_mem_verbose("ServerHello record", out->data, MIN(out->len, rec_sh_len), rec_sh,
                     rec_sh_len);

  /* Before the raw comparison, the messages one by one (a failure here says
   * which message differs). */
  {
    tc_rec r;
    tc_rec_init(&r);
    g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, k.s_hs_key, 16, k.s_hs_iv), ==,
                    0);
    rec_feed_one(&r, out->data + rec_sh_len, out->len - rec_sh_len);
    g_autoptr(GByteArray) hs = g_byte_array_new();
    for (;;) {
      uint8_t type;
      uint8_t *data;
      size_t len;
      tc_error_clear(&err);
      int rc = tc_rec_next(&r, &type, &data, &len, &err);
      g_assert_cmpint(rc, !=, TC_FAIL);
      if (rc == 0)
        break;
      g_assert_cmpuint(type, ==, TC_CT_HANDSHAKE);
      g_byte_array_append(hs, data, (guint)len);
    }
    g_assert_cmpuint(tc_rec_input_pending(&r), ==, 0);
    tc_rec_free(&r);
    const char *msgs[] = {S3_EE, S3_CERT, S3_CV, S3_SFIN};
    const char *names[] = {"EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"};
    size_t off = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
      VEC(m, msgs[i]);
      g_assert_cmpuint(hs->len, >=, off + m_len);
      assert_mem_verbose(names[i], hs->data + off, MIN(m_len, hs->len - off), m, m_len);
      off += m_len;
    }
    g_assert_cmpuint(hs->len, ==, off);
  }
  VEC(rec_flight, S3_REC_SERVER_FLIGHT);
  g_assert_cmpmem(out->data + rec_sh_len, out->len - rec_sh_len, rec_flight, rec_flight_len);

  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS13);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, TC_TLS_AES_128_GCM_SHA256);
  g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_X25519);
  g_assert_cmpstr(tc_conn_server_name(c), ==, "server");
  g_assert_false(tc_conn_resumed(c));

  /* Client Finished in: connected, and one ticket out (record 0 of the
   * server's application epoch; its contents are ours, not the trace's). */
  VEC(rec_cfin, S3_REC_CFIN);
  conn_feed_all(c, rec_cfin, rec_cfin_len);
  g_assert_true(tc_conn_handshake_done(c));
  g_assert_true(tc_conn_status(c) & TC_S_READY);
  g_autoptr(GByteArray) nst = conn_take_output(c);
  {
    tc_rec r;
    tc_rec_init(&r);
    g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, k.s_ap_key, 16, k.s_ap_iv), ==,
                    0);
    rec_feed_one(&r, nst->data, nst->len);
    uint8_t type;
    uint8_t *data;
    size_t len;
    tc_error_clear(&err);
    g_assert_cmpint(tc_rec_next(&r, &type, &data, &len, &err), ==, 1);
    g_assert_cmpuint(type, ==, TC_CT_HANDSHAKE);
    g_assert_cmpuint(len, >, 4);
    g_assert_cmpuint(data[0], ==, 4); /* new_session_ticket */
    g_assert_cmpuint(tc_rec_input_pending(&r), ==, 0);
    tc_rec_free(&r);
  }

  /* Exporter: the engine's exporter master secret is the trace's. */
  {
    uint8_t got[32], want[32];
    static const uint8_t ctx[] = {1, 2, 3};
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_export(c, "EXPERIMENTAL test", ctx, sizeof ctx, true, got, 32, &err),
                    ==, TC_OK);
    g_assert_cmpint(
        tc_ks_export(TC_HASH_SHA256, k.exporter, "EXPERIMENTAL test", ctx, sizeof ctx, want, 32),
        ==, 0);
    g_assert_cmpmem(got, 32, want, 32);

    /* RFC 9266 tls-exporter binding: label "EXPORTER-Channel-Binding", no
     * context, 32 bytes. */
    size_t len = sizeof got;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_EXPORTER, got, &len, &err), ==, TC_OK);
    g_assert_cmpuint(len, ==, 32);
    g_assert_cmpint(
        tc_ks_export(TC_HASH_SHA256, k.exporter, "EXPORTER-Channel-Binding", NULL, 0, want, 32), ==,
        0);
    g_assert_cmpmem(got, len, want, 32);
    /* RFC 5929 tls-server-end-point: SHA-256 (the certificate is signed
     * with sha256WithRSAEncryption) of the server's certificate. */
    len = sizeof got;
    g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_SERVER_END_POINT, got, &len, &err), ==,
                    TC_OK);
    sha256(der, der_len, want);
    g_assert_cmpmem(got, len, want, 32);
    /* tls-unique does not exist in TLS 1.3, and asking does not fail the connection. */
    len = sizeof got;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, got, &len, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_UNSUPPORTED);
    g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  }

  /* Application data both ways: the server's record is the trace's exactly. */
  VEC(app, S3_APP_DATA);
  VEC(rec_capp, S3_REC_C_APP);
  conn_feed_all(c, rec_capp, rec_capp_len);
  uint8_t buf[256];
  size_t n = 0;
  g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, app, app_len);
  n = 0;
  g_assert_cmpint(tc_conn_write(c, app, app_len, &n), ==, TC_OK);
  g_assert_cmpuint(n, ==, app_len);
  g_autoptr(GByteArray) sapp = conn_take_output(c);
  assert_hex(sapp->data, sapp->len, S3_REC_S_APP);

  /* close_notify both ways. */
  VEC(rec_cclose, S3_REC_C_CLOSE);
  conn_feed_all(c, rec_cclose, rec_cclose_len);
  g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &n), ==, TC_EOF);
  g_assert_true(tc_conn_status(c) & TC_S_PEER_CLOSED);
  g_assert_cmpint(tc_conn_close(c), !=, TC_FAIL);
  g_autoptr(GByteArray) sclose = conn_take_output(c);
  assert_hex(sclose->data, sclose->len, S3_REC_S_CLOSE);
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);

  tc_conn_free(c);
  tc_config_unref(cfg);
  tc_privkey_unref(key);
  tc_cert_unref(cert);
}

/* ---- section 4: the resumed 0-RTT handshake --------------------------- */

/* The handshake message inside a plaintext record (skipping the 5-byte header). */
static GByteArray *record_body(const char *rec_hex) {
  size_t n;
  g_autofree uint8_t *b = unhex(rec_hex, &n);
  g_assert_cmpuint(n, >, 5);
  g_assert_cmpuint((size_t)(b[3] << 8 | b[4]), ==, n - 5);
  GByteArray *a = g_byte_array_new();
  g_byte_array_append(a, b + 5, (guint)(n - 5));
  return a;
}

static void open_one(const uint8_t *key, const uint8_t *iv, uint64_t seq, const char *rec_hex,
                     uint8_t want_type, const uint8_t *want, size_t want_len) {
  tc_rec r;
  tc_rec_init(&r);
  g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  r.rd.seq = seq;
  expect_open(&r, rec_hex, want_type, want, want_len);
  tc_rec_free(&r);
  /* And the other direction gives the trace's bytes. */
  tc_rec w;
  tc_rec_init(&w);
  g_assert_cmpint(tc_prot_init_tls13(&w.wr, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  w.wr.seq = seq;
  expect_seal(&w, want_type, want, want_len, rec_hex);
  tc_rec_free(&w);
}

static void test_s4_resumed(void) {
  g_autoptr(GByteArray) ch = record_body(S4_REC_CH);
  g_autoptr(GByteArray) sh = record_body(S4_REC_SH);
  g_assert_cmpuint(ch->len, ==, 512);

  /* The PSK from section 3's ticket gives the early secret. */
  tc_ks ks;
  VEC(psk, S3_TICKET_PSK);
  tc_ks_early(&ks, TC_HASH_SHA256, psk, psk_len);
  assert_hex(ks.secret, 32, S4_EARLY);

  /* Binder: over the ClientHello up to (not including) the binders list,
   * which is the last 2 + 1 + 32 bytes. */
  const size_t binders_len = 2 + 1 + 32;
  uint8_t th[32], binder_key[32], binder[32];
  sha256(ch->data, ch->len - binders_len, th);
  assert_hex(th, 32, S4_BINDER_HASH);
  g_assert_cmpint(tc_ks_binder_key(&ks, TC_BINDER_RES, binder_key), ==, 0);
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, binder_key, th, binder), ==, 0);
  const uint8_t *wire_binders = ch->data + ch->len - binders_len;
  g_assert_cmpuint(wire_binders[0], ==, 0);
  g_assert_cmpuint(wire_binders[1], ==, 33);
  g_assert_cmpuint(wire_binders[2], ==, 32);
  g_assert_cmpmem(binder, 32, wire_binders + 3, 32);
  /* The external-PSK label gives a different binder. */
  uint8_t ext_key[32];
  g_assert_cmpint(tc_ks_binder_key(&ks, TC_BINDER_EXT, ext_key), ==, 0);
  g_assert_cmpint(memcmp(ext_key, binder_key, 32), !=, 0);

  /* 0-RTT data under client_early_traffic_secret. */
  uint8_t th_ch[32], c_e[32], key[16], iv[12];
  sha256(ch->data, ch->len, th_ch);
  g_assert_cmpint(tc_ks_derive(&ks, "c e traffic", th_ch, c_e), ==, 0);
  assert_hex(c_e, 32, S4_C_E_TRAFFIC);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_e, 16, key, iv), ==, 0);
  VEC(early, S4_EARLY_DATA);
  open_one(key, iv, 0, S4_REC_EARLY_DATA, TC_CT_APPLICATION_DATA, early, early_len);
  /* EndOfEarlyData is the second record under the same keys. */
  static const uint8_t eoed[] = {5, 0, 0, 0};
  open_one(key, iv, 1, S4_REC_EOED, TC_CT_HANDSHAKE, eoed, sizeof eoed);

  /* ECDHE from the hellos' shares. */
  VEC(cpriv, S4_CLIENT_X25519_PRIV);
  VEC(spriv, S4_SERVER_X25519_PRIV);
  tc_kex ck, sk;
  uint8_t cpub[133], spub[133], shared[66], shared2[66];
  size_t cpub_len = sizeof cpub, spub_len = sizeof spub, shared_len = sizeof shared,
         shared2_len = sizeof shared2;
  g_assert_cmpint(tc_kex_generate_from(&ck, TC_GROUP_X25519, cpriv, 32, cpub, &cpub_len), ==, 0);
  g_assert_cmpint(tc_kex_generate_from(&sk, TC_GROUP_X25519, spriv, 32, spub, &spub_len), ==, 0);
  g_assert_nonnull(memmem(ch->data, ch->len, cpub, 32));
  g_assert_nonnull(memmem(sh->data, sh->len, spub, 32));
  g_assert_cmpint(tc_kex_derive(&ck, spub, spub_len, shared, &shared_len), ==, 0);
  g_assert_cmpint(tc_kex_derive(&sk, cpub, cpub_len, shared2, &shared2_len), ==, 0);
  g_assert_cmpmem(shared, shared_len, shared2, shared2_len);
  tc_kex_clear(&ck);
  tc_kex_clear(&sk);

  /* Handshake secrets; the server's flight is EncryptedExtensions + Finished. */
  g_assert_cmpint(tc_ks_handshake(&ks, shared, shared_len), ==, 0);
  tc_hash_ctx tr;
  tc_hash_init(&tr, TC_HASH_SHA256);
  tc_hash_update(&tr, ch->data, ch->len);
  tc_hash_update(&tr, sh->data, sh->len);
  tc_hash_ctx snap = tr;
  uint8_t th_sh[32], c_hs[32], s_hs[32];
  tc_hash_final(&snap, th_sh);
  g_assert_cmpint(tc_ks_derive(&ks, "c hs traffic", th_sh, c_hs), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s hs traffic", th_sh, s_hs), ==, 0);

  VEC(ee, S4_EE);
  VEC(sfin, S4_SFIN);
  g_autoptr(GByteArray) flight = g_byte_array_new();
  g_byte_array_append(flight, ee, (guint)ee_len);
  g_byte_array_append(flight, sfin, (guint)sfin_len);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_hs, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S4_REC_SERVER_FLIGHT, TC_CT_HANDSHAKE, flight->data, flight->len);

  uint8_t vd[32];
  tc_hash_update(&tr, ee, ee_len);
  snap = tr;
  tc_hash_final(&snap, th);
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, s_hs, th, vd), ==, 0);
  g_assert_cmpmem(vd, 32, sfin + 4, 32);
  tc_hash_update(&tr, sfin, sfin_len);
  uint8_t th_sf[32];
  snap = tr;
  tc_hash_final(&snap, th_sf);

  /* The client's Finished covers EndOfEarlyData too. */
  tc_hash_update(&tr, eoed, sizeof eoed);
  snap = tr;
  tc_hash_final(&snap, th);
  uint8_t cfin[36] = {20, 0, 0, 32};
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, c_hs, th, cfin + 4), ==, 0);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_hs, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S4_REC_CFIN, TC_CT_HANDSHAKE, cfin, sizeof cfin);

  /* Application traffic. */
  g_assert_cmpint(tc_ks_master(&ks), ==, 0);
  uint8_t c_ap[32], s_ap[32];
  g_assert_cmpint(tc_ks_derive(&ks, "c ap traffic", th_sf, c_ap), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s ap traffic", th_sf, s_ap), ==, 0);
  VEC(app, S3_APP_DATA);
  static const uint8_t close_notify[] = {1, 0};
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S4_REC_C_APP, TC_CT_APPLICATION_DATA, app, app_len);
  open_one(key, iv, 1, S4_REC_C_CLOSE, TC_CT_ALERT, close_notify, 2);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S4_REC_S_APP, TC_CT_APPLICATION_DATA, app, app_len);
  open_one(key, iv, 1, S4_REC_S_CLOSE, TC_CT_ALERT, close_notify, 2);
  tc_ks_clear(&ks);
}

/* ---- section 5: HelloRetryRequest ---------------------------------------- */

/* The transcript restarts after a HelloRetryRequest with a synthetic
 * message_hash carrying Hash(ClientHello1) (RFC 8446 §4.4.1); P-256 ECDHE. */
static void test_s5_hrr(void) {
  g_autoptr(GByteArray) ch1 = record_body(S5_REC_CH1);
  g_autoptr(GByteArray) hrr = record_body(S5_REC_HRR);
  g_autoptr(GByteArray) ch2 = record_body(S5_REC_CH2);
  g_autoptr(GByteArray) sh = record_body(S5_REC_SH);

  /* The HRR is a ServerHello with the special random. */
  static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                         0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                         0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                         0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  g_assert_cmpuint(hrr->data[0], ==, 2);
  g_assert_cmpmem(hrr->data + 6, 32, hrr_random, 32);

  /* P-256 both ways; the points are the ones in ClientHello2 / ServerHello. */
  VEC(cpriv, S5_CLIENT_P256_PRIV);
  VEC(spriv, S5_SERVER_P256_PRIV);
  tc_kex ck, sk;
  uint8_t cpub[133], spub[133], shared[66], shared2[66];
  size_t cpub_len = sizeof cpub, spub_len = sizeof spub, shared_len = sizeof shared,
         shared2_len = sizeof shared2;
  g_assert_cmpint(tc_kex_generate_from(&ck, TC_GROUP_SECP256R1, cpriv, cpriv_len, cpub, &cpub_len),
                  ==, 0);
  g_assert_cmpint(tc_kex_generate_from(&sk, TC_GROUP_SECP256R1, spriv, spriv_len, spub, &spub_len),
                  ==, 0);
  g_assert_cmpuint(cpub_len, ==, 65);
  g_assert_cmpuint(spub_len, ==, 65);
  g_assert_nonnull(memmem(ch2->data, ch2->len, cpub, 65));
  g_assert_nonnull(memmem(sh->data, sh->len, spub, 65));
  g_assert_cmpint(tc_kex_derive(&ck, spub, spub_len, shared, &shared_len), ==, 0);
  g_assert_cmpint(tc_kex_derive(&sk, cpub, cpub_len, shared2, &shared2_len), ==, 0);
  assert_hex(shared, shared_len, S5_ECDHE);
  assert_hex(shared2, shared2_len, S5_ECDHE);
  tc_kex_clear(&ck);
  tc_kex_clear(&sk);

  tc_ks ks;
  tc_ks_early(&ks, TC_HASH_SHA256, NULL, 0);
  g_assert_cmpint(tc_ks_handshake(&ks, shared, shared_len), ==, 0);
  assert_hex(ks.secret, 32, S5_HS);

  /* message_hash(CH1) || HRR || CH2 || SH */
  uint8_t mh[4 + 32] = {254, 0, 0, 32};
  sha256(ch1->data, ch1->len, mh + 4);
  tc_hash_ctx tr, snap;
  tc_hash_init(&tr, TC_HASH_SHA256);
  tc_hash_update(&tr, mh, sizeof mh);
  tc_hash_update(&tr, hrr->data, hrr->len);
  tc_hash_update(&tr, ch2->data, ch2->len);
  tc_hash_update(&tr, sh->data, sh->len);
  uint8_t th[32], c_hs[32], s_hs[32], key[16], iv[12];
  snap = tr;
  tc_hash_final(&snap, th);
  g_assert_cmpint(tc_ks_derive(&ks, "c hs traffic", th, c_hs), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s hs traffic", th, s_hs), ==, 0);

  /* The server's flight decrypts to EE, the section 3 certificate, CV, Finished. */
  g_autoptr(GByteArray) flight = cat_hex(S5_EE, S3_CERT, S5_CV, S5_SFIN, NULL);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_hs, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S5_REC_SERVER_FLIGHT, TC_CT_HANDSHAKE, flight->data, flight->len);

  VEC(ee, S5_EE);
  VEC(cert, S3_CERT);
  VEC(cv, S5_CV);
  VEC(sfin, S5_SFIN);
  tc_hash_update(&tr, ee, ee_len);
  tc_hash_update(&tr, cert, cert_len);
  snap = tr;
  tc_hash_final(&snap, th);
  /* CertificateVerify over this transcript, with the certificate's key. */
  VEC(der, S3_CERT_DER);
  tc_error err;
  tc_error_clear(&err);
  tc_cert *c = tc_cert_parse_der(der, der_len, &err);
  g_assert_nonnull(c);
  uint8_t content[130];
  size_t clen = server_cv_content(th, content);
  g_assert_cmpint(tc_pk_verify(tc_cert_pubkey(c), TC_SIGALG_RSA_PSS, TC_HASH_SHA256, content, clen,
                               cv + 8, cv_len - 8),
                  ==, 0);
  tc_cert_unref(c);
  tc_hash_update(&tr, cv, cv_len);
  snap = tr;
  tc_hash_final(&snap, th);
  uint8_t vd[32];
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, s_hs, th, vd), ==, 0);
  g_assert_cmpmem(vd, 32, sfin + 4, 32);
  tc_hash_update(&tr, sfin, sfin_len);
  uint8_t th_sf[32];
  snap = tr;
  tc_hash_final(&snap, th_sf);

  /* Client Finished, then close_notify in each direction. */
  uint8_t cfin[36] = {20, 0, 0, 32};
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, c_hs, th_sf, cfin + 4), ==, 0);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_hs, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S5_REC_CFIN, TC_CT_HANDSHAKE, cfin, sizeof cfin);

  g_assert_cmpint(tc_ks_master(&ks), ==, 0);
  uint8_t c_ap[32], s_ap[32];
  g_assert_cmpint(tc_ks_derive(&ks, "c ap traffic", th_sf, c_ap), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s ap traffic", th_sf, s_ap), ==, 0);
  static const uint8_t close_notify[] = {1, 0};
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S5_REC_C_CLOSE, TC_CT_ALERT, close_notify, 2);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S5_REC_S_CLOSE, TC_CT_ALERT, close_notify, 2);
  tc_ks_clear(&ks);
}

/* ---- section 6: client authentication ------------------------------------ */

/* A CertificateVerify message's signature checked with a certificate's key. */
static void check_cv(const uint8_t *cert_msg, size_t cert_len, const uint8_t *cv, size_t cv_len,
                     const uint8_t th[32], bool server, uint16_t want_scheme) {
  /* Certificate: 0b len(3) | context<1> | list<3> | cert<3> ... */
  g_assert_cmpuint(cert_msg[0], ==, 11);
  g_assert_cmpuint(cert_msg[4], ==, 0); /* empty context */
  size_t der_len = (size_t)cert_msg[8] << 16 | (size_t)cert_msg[9] << 8 | cert_msg[10];
  g_assert_cmpuint(11 + der_len, <=, cert_len);
  tc_error err;
  tc_error_clear(&err);
  tc_cert *cert = tc_cert_parse_der(cert_msg + 11, der_len, &err);
  g_assert_nonnull(cert);
  /* CertificateVerify: 0f len(3) | scheme(2) | signature<2> */
  g_assert_cmpuint(cv[0], ==, 15);
  uint16_t scheme = (uint16_t)(cv[4] << 8 | cv[5]);
  g_assert_cmpuint(scheme, ==, want_scheme);
  size_t sig_len = (size_t)cv[6] << 8 | cv[7];
  g_assert_cmpuint(8 + sig_len, ==, cv_len);
  tc_sigalg alg;
  tc_hash_alg hash;
  g_assert_true(tc_sig_scheme_params(scheme, &alg, &hash));
  g_assert_true(tc_pubkey_fits_scheme(tc_cert_pubkey(cert), scheme));
  static const char sctx[] = "TLS 1.3, server CertificateVerify";
  static const char cctx[] = "TLS 1.3, client CertificateVerify";
  uint8_t content[64 + sizeof sctx + 32];
  memset(content, 0x20, 64);
  memcpy(content + 64, server ? sctx : cctx, sizeof sctx);
  memcpy(content + 64 + sizeof sctx, th, 32);
  g_assert_cmpint(
      tc_pk_verify(tc_cert_pubkey(cert), alg, hash, content, sizeof content, cv + 8, sig_len), ==,
      0);
  /* The other side's context string does not verify. */
  memcpy(content + 64, server ? cctx : sctx, sizeof sctx);
  g_assert_cmpint(
      tc_pk_verify(tc_cert_pubkey(cert), alg, hash, content, sizeof content, cv + 8, sig_len), ==,
      -1);
  tc_cert_unref(cert);
}

static void test_s6_client_auth(void) {
  g_autoptr(GByteArray) ch = record_body(S6_REC_CH);
  g_autoptr(GByteArray) sh = record_body(S6_REC_SH);
  VEC(cpriv, S6_CLIENT_X25519_PRIV);
  VEC(spriv, S6_SERVER_X25519_PRIV);
  tc_kex ck, sk;
  uint8_t cpub[133], spub[133], shared[66], shared2[66];
  size_t cpub_len = sizeof cpub, spub_len = sizeof spub, shared_len = sizeof shared,
         shared2_len = sizeof shared2;
  g_assert_cmpint(tc_kex_generate_from(&ck, TC_GROUP_X25519, cpriv, 32, cpub, &cpub_len), ==, 0);
  g_assert_cmpint(tc_kex_generate_from(&sk, TC_GROUP_X25519, spriv, 32, spub, &spub_len), ==, 0);
  g_assert_nonnull(memmem(ch->data, ch->len, cpub, 32));
  g_assert_nonnull(memmem(sh->data, sh->len, spub, 32));
  g_assert_cmpint(tc_kex_derive(&ck, spub, spub_len, shared, &shared_len), ==, 0);
  g_assert_cmpint(tc_kex_derive(&sk, cpub, cpub_len, shared2, &shared2_len), ==, 0);
  g_assert_cmpmem(shared, shared_len, shared2, shared2_len);
  tc_kex_clear(&ck);
  tc_kex_clear(&sk);

  tc_ks ks;
  tc_ks_early(&ks, TC_HASH_SHA256, NULL, 0);
  g_assert_cmpint(tc_ks_handshake(&ks, shared, shared_len), ==, 0);
  tc_hash_ctx tr, snap;
  tc_hash_init(&tr, TC_HASH_SHA256);
  tc_hash_update(&tr, ch->data, ch->len);
  tc_hash_update(&tr, sh->data, sh->len);
  uint8_t th[32], c_hs[32], s_hs[32], key[16], iv[12];
  snap = tr;
  tc_hash_final(&snap, th);
  g_assert_cmpint(tc_ks_derive(&ks, "c hs traffic", th, c_hs), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s hs traffic", th, s_hs), ==, 0);

  /* Server flight: EE, CertificateRequest, an ECDSA P-256 certificate, its
   * CertificateVerify (ecdsa_secp256r1_sha256) and Finished. */
  g_autoptr(GByteArray) flight = cat_hex(S6_EE, S6_CR, S6_SERVER_CERT, S6_SERVER_CV, S6_SFIN, NULL);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_hs, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S6_REC_SERVER_FLIGHT, TC_CT_HANDSHAKE, flight->data, flight->len);
  VEC(ee, S6_EE);
  VEC(cr, S6_CR);
  VEC(scert, S6_SERVER_CERT);
  VEC(scv, S6_SERVER_CV);
  VEC(sfin, S6_SFIN);
  tc_hash_update(&tr, ee, ee_len);
  tc_hash_update(&tr, cr, cr_len);
  tc_hash_update(&tr, scert, scert_len);
  snap = tr;
  tc_hash_final(&snap, th);
  check_cv(scert, scert_len, scv, scv_len, th, true, TC_SIG_ECDSA_SECP256R1_SHA256);
  tc_hash_update(&tr, scv, scv_len);
  snap = tr;
  tc_hash_final(&snap, th);
  uint8_t vd[32];
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, s_hs, th, vd), ==, 0);
  g_assert_cmpmem(vd, 32, sfin + 4, 32);
  tc_hash_update(&tr, sfin, sfin_len);
  uint8_t th_sf[32];
  snap = tr;
  tc_hash_final(&snap, th_sf);

  /* Client flight: its RSA certificate, CertificateVerify (rsa_pss_rsae_sha256)
   * and Finished, in one record under the client handshake keys. */
  tc_rec r;
  tc_rec_init(&r);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_hs, 16, key, iv), ==, 0);
  g_assert_cmpint(tc_prot_init_tls13(&r.rd, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  VEC(crec, S6_REC_CLIENT_FLIGHT);
  rec_feed_one(&r, crec, crec_len);
  uint8_t type;
  uint8_t *pt;
  size_t pt_len;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_rec_next(&r, &type, &pt, &pt_len, &err), ==, 1);
  g_assert_cmpuint(type, ==, TC_CT_HANDSHAKE);
  g_autoptr(GByteArray) cf = g_byte_array_new();
  g_byte_array_append(cf, pt, (guint)pt_len);
  tc_rec_free(&r);
  /* split the three messages */
  size_t off[4] = {0};
  for (int i = 0; i < 3; i++) {
    g_assert_cmpuint(off[i] + 4, <=, cf->len);
    size_t len = (size_t)cf->data[off[i] + 1] << 16 | (size_t)cf->data[off[i] + 2] << 8 |
                 cf->data[off[i] + 3];
    off[i + 1] = off[i] + 4 + len;
  }
  g_assert_cmpuint(off[3], ==, cf->len);
  g_assert_cmpuint(cf->data[off[0]], ==, 11);
  g_assert_cmpuint(cf->data[off[1]], ==, 15);
  g_assert_cmpuint(cf->data[off[2]], ==, 20);
  tc_hash_update(&tr, cf->data, off[1]);
  snap = tr;
  tc_hash_final(&snap, th);
  check_cv(cf->data, off[1], cf->data + off[1], off[2] - off[1], th, false,
           TC_SIG_RSA_PSS_RSAE_SHA256);
  assert_hex(cf->data + off[1] + 8, off[2] - off[1] - 8, S6_CLIENT_SIGNATURE);
  tc_hash_update(&tr, cf->data + off[1], off[2] - off[1]);
  snap = tr;
  tc_hash_final(&snap, th);
  g_assert_cmpint(tc_ks_finished(TC_HASH_SHA256, c_hs, th, vd), ==, 0);
  g_assert_cmpmem(vd, 32, cf->data + off[2] + 4, 32);

  /* close_notify both ways under the application keys (transcript to the
   * server Finished). */
  g_assert_cmpint(tc_ks_master(&ks), ==, 0);
  uint8_t c_ap[32], s_ap[32];
  g_assert_cmpint(tc_ks_derive(&ks, "c ap traffic", th_sf, c_ap), ==, 0);
  g_assert_cmpint(tc_ks_derive(&ks, "s ap traffic", th_sf, s_ap), ==, 0);
  static const uint8_t close_notify[] = {1, 0};
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, c_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S6_REC_C_CLOSE, TC_CT_ALERT, close_notify, 2);
  g_assert_cmpint(tc_ks_traffic_keys(TC_HASH_SHA256, s_ap, 16, key, iv), ==, 0);
  open_one(key, iv, 0, S6_REC_S_CLOSE, TC_CT_ALERT, close_notify, 2);
  tc_ks_clear(&ks);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rfc8448/s3/key-schedule", test_s3_key_schedule);
  g_test_add_func("/rfc8448/s3/records", test_s3_records);
  g_test_add_func("/rfc8448/s3/records-tampered", test_s3_records_tampered);
  g_test_add_func("/rfc8448/s3/certificate-verify", test_s3_certificate_verify);
  g_test_add_func("/rfc8448/s3/server-replay", test_s3_server_replay);
  g_test_add_func("/rfc8448/s4/resumed-0rtt", test_s4_resumed);
  g_test_add_func("/rfc8448/s5/hello-retry-request", test_s5_hrr);
  g_test_add_func("/rfc8448/s6/client-auth", test_s6_client_auth);
  return g_test_run();
}
