/* Record layer tests: framing, fragmentation, size limits, TLS 1.3 protection, reassembly. */
#include <glib.h>
#include <string.h>

#include "record/record.h"

static void feed(tc_rec *r, const uint8_t *p, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  while (n) {
    size_t cap;
    uint8_t *b = tc_rec_input_buf(r, &cap, &err);
    g_assert_nonnull(b);
    size_t k = n < cap ? n : cap;
    memcpy(b, p, k);
    tc_rec_input_ack(r, k);
    p += k;
    n -= k;
    if (n)
      g_assert_not_reached(); /* tests feed less than one buffer */
  }
}

/* Move everything r1 wrote into r2's input. */
static void transfer(tc_rec *from, tc_rec *to) {
  size_t len;
  const uint8_t *p = tc_rec_output(from, &len);
  feed(to, p, len);
  tc_rec_output_ack(from, len);
}

static void set_keys(tc_rec *w, tc_rec *r, tc_aead_alg alg) {
  uint8_t key[32], iv[12];
  for (int i = 0; i < 32; i++)
    key[i] = (uint8_t)(i + 1);
  for (int i = 0; i < 12; i++)
    iv[i] = (uint8_t)(0xa0 + i);
  size_t kl = tc_aead_key_len(alg);
  g_assert_cmpint(tc_prot_init_tls13(&w->wr, alg, key, kl, iv), ==, 0);
  g_assert_cmpint(tc_prot_init_tls13(&r->rd, alg, key, kl, iv), ==, 0);
}

static void test_plain_framing(void) {
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  tc_error err;
  tc_error_clear(&err);
  uint8_t data[20000];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)i;
  a.max_frag = 16384;
  g_assert_cmpint(tc_rec_write(&a, TC_CT_HANDSHAKE, data, 5000, &err), ==, TC_OK);
  size_t len;
  const uint8_t *out = tc_rec_output(&a, &len);
  g_assert_cmpuint(len, ==, 5005);
  g_assert_cmpuint(out[0], ==, TC_CT_HANDSHAKE);
  g_assert_cmpuint(out[1], ==, 3);
  g_assert_cmpuint(out[2], ==, 3);
  g_assert_cmpuint((out[3] << 8) | out[4], ==, 5000);
  transfer(&a, &b);
  uint8_t type;
  uint8_t *p;
  size_t n;
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 1);
  g_assert_cmpuint(type, ==, TC_CT_HANDSHAKE);
  g_assert_cmpmem(p, n, data, 5000);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 0);

  /* Fragmentation at max_frag. */
  a.max_frag = 1000;
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, data, 2500, &err), ==, TC_OK);
  out = tc_rec_output(&a, &len);
  g_assert_cmpuint(len, ==, 2500 + 3 * 5);
  transfer(&a, &b);
  size_t got = 0;
  int recs = 0;
  while (tc_rec_next(&b, &type, &p, &n, &err) == 1) {
    g_assert_cmpuint(n, <=, 1000);
    g_assert_cmpmem(p, n, data + got, n);
    got += n;
    recs++;
  }
  g_assert_cmpint(recs, ==, 3);
  g_assert_cmpuint(got, ==, 2500);

  /* A partial record waits for more input. */
  uint8_t hdr[] = {TC_CT_APPLICATION_DATA, 3, 3, 0, 4, 'a', 'b'};
  feed(&b, hdr, sizeof hdr);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 0);
  feed(&b, (const uint8_t *)"cd", 2);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 1);
  g_assert_cmpmem(p, n, "abcd", 4);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

static void expect_error(const uint8_t *bytes, size_t len, tc_err code, bool protect) {
  tc_rec r, w;
  tc_rec_init(&r);
  tc_rec_init(&w);
  if (protect)
    set_keys(&w, &r, TC_AEAD_AES128_GCM);
  tc_error err;
  tc_error_clear(&err);
  feed(&r, bytes, len);
  uint8_t type;
  uint8_t *p;
  size_t n;
  g_assert_cmpint(tc_rec_next(&r, &type, &p, &n, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, code);
  tc_rec_free(&r);
  tc_rec_free(&w);
}

static void test_limits(void) {
  /* Plaintext longer than 2^14. */
  uint8_t over[] = {TC_CT_HANDSHAKE, 3, 3, 0x40, 0x01};
  expect_error(over, sizeof over, TC_ERR_RECORD_OVERFLOW, false);
  /* Ciphertext longer than 2^14 + 256. */
  uint8_t over2[] = {TC_CT_APPLICATION_DATA, 3, 3, 0x41, 0x01};
  expect_error(over2, sizeof over2, TC_ERR_RECORD_OVERFLOW, true);
  /* Exactly 2^14 + 256 is still a legal length (fails later on the MAC). */
  tc_rec r;
  tc_rec_init(&r);
  tc_error err;
  tc_error_clear(&err);
  uint8_t ok[] = {TC_CT_APPLICATION_DATA, 3, 3, 0x41, 0x00};
  tc_rec w;
  tc_rec_init(&w);
  set_keys(&w, &r, TC_AEAD_AES128_GCM);
  feed(&r, ok, sizeof ok);
  uint8_t type;
  uint8_t *p;
  size_t n;
  g_assert_cmpint(tc_rec_next(&r, &type, &p, &n, &err), ==, 0);
  tc_rec_free(&r);
  tc_rec_free(&w);
  /* Not TLS at all. */
  expect_error((const uint8_t *)"GET / HTTP/1.1\r\n", 16, TC_ERR_NOT_TLS, false);
  /* Empty handshake record. */
  uint8_t empty[] = {TC_CT_HANDSHAKE, 3, 3, 0, 0};
  expect_error(empty, sizeof empty, TC_ERR_UNEXPECTED_MESSAGE, false);
}

static void roundtrip_alg(tc_aead_alg alg) {
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  set_keys(&a, &b, alg);
  tc_error err;
  tc_error_clear(&err);
  uint8_t data[16384];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (uint8_t)(i * 13);
  for (int round = 0; round < 3; round++) {
    size_t len = round == 0 ? 1 : round == 1 ? 1000 : sizeof data;
    g_assert_cmpint(tc_rec_write(&a, TC_CT_HANDSHAKE, data, len, &err), ==, TC_OK);
    size_t olen;
    const uint8_t *out = tc_rec_output(&a, &olen);
    g_assert_cmpuint(olen, ==, 5 + len + 1 + 16);
    g_assert_cmpuint(out[0], ==, TC_CT_APPLICATION_DATA); /* outer type hides the real one */
    transfer(&a, &b);
    uint8_t type;
    uint8_t *p;
    size_t n;
    g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 1);
    g_assert_cmpuint(type, ==, TC_CT_HANDSHAKE);
    g_assert_cmpmem(p, n, data, len);
  }
  g_assert_cmpuint(a.wr.seq, ==, 3);
  g_assert_cmpuint(b.rd.seq, ==, 3);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

static void test_protect_roundtrip(void) {
  roundtrip_alg(TC_AEAD_AES128_GCM);
  roundtrip_alg(TC_AEAD_AES256_GCM);
  roundtrip_alg(TC_AEAD_CHACHA20_POLY1305);
}

static void test_tamper(void) {
  tc_error err;
  tc_error_clear(&err);
  for (int where = 0; where < 3; where++) {
    tc_rec a, b;
    tc_rec_init(&a);
    tc_rec_init(&b);
    set_keys(&a, &b, TC_AEAD_AES128_GCM);
    g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, (const uint8_t *)"secret", 6, &err),
                    ==, TC_OK);
    size_t olen;
    uint8_t *out = (uint8_t *)tc_rec_output(&a, &olen);
    if (where == 0)
      out[5] ^= 0x80; /* ciphertext */
    else if (where == 1)
      out[olen - 1] ^= 1; /* tag */
    else
      out[2] = 1; /* header bytes are authenticated too */
    transfer(&a, &b);
    uint8_t type;
    uint8_t *p;
    size_t n;
    tc_error e2;
    tc_error_clear(&e2);
    g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &e2), ==, TC_FAIL);
    g_assert_cmpint(e2.code, ==, TC_ERR_BAD_RECORD_MAC);
    tc_rec_free(&a);
    tc_rec_free(&b);
  }
  /* Replayed / reordered records fail too (sequence number in the nonce). */
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  set_keys(&a, &b, TC_AEAD_AES128_GCM);
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, (const uint8_t *)"one", 3, &err), ==,
                  TC_OK);
  size_t olen;
  const uint8_t *out = tc_rec_output(&a, &olen);
  uint8_t copy[64];
  memcpy(copy, out, olen);
  transfer(&a, &b);
  feed(&b, copy, olen);
  uint8_t type;
  uint8_t *p;
  size_t n;
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, 1);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_RECORD_MAC);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

static void test_wrong_type(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  set_keys(&a, &b, TC_AEAD_AES128_GCM);
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, (const uint8_t *)"x", 1, &err), ==,
                  TC_OK);
  size_t olen;
  uint8_t *out = (uint8_t *)tc_rec_output(&a, &olen);
  out[0] = TC_CT_HANDSHAKE; /* protected records must say application_data outside */
  transfer(&a, &b);
  uint8_t type;
  uint8_t *p;
  size_t n;
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_UNEXPECTED_MESSAGE);
  tc_rec_free(&a);
  tc_rec_free(&b);

  /* An inner plaintext of only zeros has no content type. */
  tc_error_clear(&err);
  tc_rec_init(&a);
  tc_rec_init(&b);
  set_keys(&a, &b, TC_AEAD_AES128_GCM);
  uint8_t rec[5 + 4 + 17];
  memset(rec, 0, sizeof rec);
  size_t l = a.wr.ops->seal(&a.wr, 0, rec, 3); /* type 0 plus zero data */
  feed(&b, rec, l);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_UNEXPECTED_MESSAGE);
  tc_rec_free(&a);
  tc_rec_free(&b);

  /* Inner plaintext longer than 2^14 (padding allowed in the ciphertext limit). */
  tc_error_clear(&err);
  tc_rec_init(&a);
  tc_rec_init(&b);
  set_keys(&a, &b, TC_AEAD_AES128_GCM);
  uint8_t *big = g_malloc0(5 + 16385 + 17);
  l = a.wr.ops->seal(&a.wr, TC_CT_APPLICATION_DATA, big, 16385);
  feed(&b, big, l);
  g_free(big);
  g_assert_cmpint(tc_rec_next(&b, &type, &p, &n, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_RECORD_OVERFLOW);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

static void test_reassembly(void) {
  tc_rec r;
  tc_rec_init(&r);
  r.hs_max = 100;
  tc_error err;
  tc_error_clear(&err);
  uint8_t msg[4 + 50];
  msg[0] = 1;
  msg[1] = 0;
  msg[2] = 0;
  msg[3] = 50;
  memset(msg + 4, 0x55, 50);
  const uint8_t *m;
  size_t ml;
  g_assert_cmpint(tc_rec_hs_append(&r, msg, 3, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 0);
  g_assert_cmpint(tc_rec_hs_append(&r, msg + 3, 30, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 0);
  g_assert_true(tc_rec_hs_partial(&r));
  g_assert_cmpint(tc_rec_hs_append(&r, msg + 33, sizeof msg - 33, &err), ==, TC_OK);
  /* Two messages in one record: the second follows. */
  g_assert_cmpint(tc_rec_hs_append(&r, msg, sizeof msg, &err), ==, TC_OK);
  for (int i = 0; i < 2; i++) {
    g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 1);
    g_assert_cmpmem(m, ml, msg, sizeof msg);
    tc_rec_hs_consume(&r, ml);
  }
  g_assert_false(tc_rec_hs_partial(&r));
  /* A ClientHello has its own limit (a server's is never below the
   * largest well-formed one): 101 bytes waits for its body. */
  uint8_t big_ch[4] = {1, 0, 0, 101};
  g_assert_cmpint(tc_rec_hs_append(&r, big_ch, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 0);
  tc_rec_hs_consume(&r, 4);
  /* Any other message announcing more than the limit is refused. */
  uint8_t huge[4] = {2, 0, 0, 101};
  g_assert_cmpint(tc_rec_hs_append(&r, huge, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_rec_free(&r);
  /* A message of fixed size announcing more is malformed at once, before
   * its body is buffered: decode_error. */
  tc_rec_init(&r);
  tc_error_clear(&err);
  uint8_t fin[4] = {20, 0x02, 0, 0}; /* Finished of 128 KiB */
  g_assert_cmpint(tc_rec_hs_append(&r, fin, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  tc_rec_free(&r);
  tc_rec_init(&r);
  tc_error_clear(&err);
  uint8_t ku[4] = {24, 0, 0, 2};
  g_assert_cmpint(tc_rec_hs_append(&r, ku, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  tc_rec_free(&r);
  /* ... and a ClientHello over its own limit too. */
  tc_rec_init(&r);
  tc_error_clear(&err);
  r.hs_max_ch = TC_HS_MAX_CLIENT_HELLO;
  uint8_t over_ch[4] = {1, (TC_HS_MAX_CLIENT_HELLO + 1) >> 16,
                        ((TC_HS_MAX_CLIENT_HELLO + 1) >> 8) & 0xff,
                        (TC_HS_MAX_CLIENT_HELLO + 1) & 0xff};
  g_assert_cmpint(tc_rec_hs_append(&r, over_ch, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR); /* no ClientHello is that long */
  tc_rec_free(&r);
}

/* Handshake records read in place (tc_rec_hs_take): whole messages come
 * straight from the record (no copy: the pointer is into it), an incomplete
 * one at its end is copied into the reassembly buffer when peek finds it
 * incomplete, and is completed there by the next record; a record taken
 * while a message is pending is appended. tc_rec_hs_settle copies what is
 * left (a want raised between two messages of a record). */
static void test_reassembly_in_place(void) {
  tc_rec r;
  tc_rec_init(&r);
  r.hs_max = 100;
  tc_error err;
  tc_error_clear(&err);
  uint8_t rec[2 * 54 + 10];
  for (int i = 0; i < 3; i++) {
    uint8_t *m = rec + 54 * i;
    size_t room = sizeof rec - 54 * (size_t)i;
    uint8_t msg[54] = {2, 0, 0, 50};
    memset(msg + 4, 0x40 + i, 50);
    memcpy(m, msg, room < 54 ? room : 54);
  }
  const uint8_t *m;
  size_t ml;
  g_assert_cmpint(tc_rec_hs_take(&r, rec, sizeof rec, &err), ==, TC_OK);
  g_assert_true(tc_rec_hs_partial(&r));
  for (int i = 0; i < 2; i++) {
    g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 1);
    g_assert_true(m == rec + 54 * i); /* in place */
    g_assert_cmpuint(ml, ==, 54);
    tc_rec_hs_consume(&r, ml);
  }
  g_assert_null(r.hs);
  /* 10 bytes of the third: copied out of the record, which may now go. */
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 0);
  g_assert_nonnull(r.hs);
  g_assert_cmpuint(r.hs_view_len, ==, 0);
  g_assert_true(tc_rec_hs_partial(&r));
  uint8_t third[54] = {2, 0, 0, 50};
  memset(third + 4, 0x42, 50);
  memset(rec, 0xff, sizeof rec);
  /* The rest arrives with a whole fourth message behind it. */
  uint8_t rec2[44 + 54];
  memcpy(rec2, third + 10, 44);
  memcpy(rec2 + 44, third, 54);
  g_assert_cmpint(tc_rec_hs_take(&r, rec2, sizeof rec2, &err), ==, TC_OK);
  g_assert_cmpuint(r.hs_view_len, ==, 0); /* appended: a message was pending */
  for (int i = 0; i < 2; i++) {
    g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 1);
    g_assert_cmpmem(m, ml, third, sizeof third);
    tc_rec_hs_consume(&r, ml);
  }
  g_assert_false(tc_rec_hs_partial(&r));
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 0);
  /* Settle: what is left of a record read in place is copied. */
  g_assert_cmpint(tc_rec_hs_take(&r, third, sizeof third, &err), ==, TC_OK);
  g_assert_cmpuint(r.hs_view_len, ==, sizeof third);
  g_assert_cmpint(tc_rec_hs_settle(&r, &err), ==, TC_OK);
  g_assert_cmpuint(r.hs_view_len, ==, 0);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, 1);
  g_assert_true(m != third);
  g_assert_cmpmem(m, ml, third, sizeof third);
  tc_rec_hs_consume(&r, ml);
  /* The header checks are the same in place: a message over the limit,
   * a Finished too long, a type the state does not take. */
  uint8_t huge[4] = {2, 0, 0, 101};
  g_assert_cmpint(tc_rec_hs_take(&r, huge, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_rec_free(&r);
  tc_rec_init(&r);
  tc_error_clear(&err);
  uint8_t fin[4] = {20, 0x02, 0, 0};
  g_assert_cmpint(tc_rec_hs_take(&r, fin, 4, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  tc_rec_free(&r);
  tc_rec_init(&r);
  tc_error_clear(&err);
  r.hs_only = 1;
  g_assert_cmpint(tc_rec_hs_take(&r, third, sizeof third, &err), ==, TC_OK);
  g_assert_cmpint(tc_rec_hs_peek(&r, &m, &ml, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_UNEXPECTED_MESSAGE);
  tc_rec_free(&r);
  g_assert_cmpuint(r.hs_view_len, ==, 0);
}

/* RFC 8446 §5.4: the padding counts toward the 2^14 + 1 bytes of
 * TLSInnerPlaintext; one byte more is record_overflow even though the
 * content alone is under 2^14 (tlsfuzzer test-tls13-record-layer-limits). */
static void test_tls13_padding_limit(void) {
  for (int over = 0; over <= 1; over++) {
    tc_rec a, b;
    tc_rec_init(&a);
    tc_rec_init(&b);
    set_keys(&a, &b, TC_AEAD_AES128_GCM);
    tc_error err;
    tc_error_clear(&err);
    /* Content 2^14 - 8, then the real type and zeros, sealed with type 0:
     * the inner plaintext is content + 0x17 + padding + 0x00. */
    size_t content = 16384 - 8, pad = over ? 8 : 7;
    size_t inner_len = content + 1 + pad; /* seal adds one more byte */
    uint8_t *rec = g_malloc0(TC_REC_HDR_LEN + inner_len + 1 + TC_AEAD_TAG_LEN);
    memset(rec + TC_REC_HDR_LEN, 'a', content);
    rec[TC_REC_HDR_LEN + content] = TC_CT_APPLICATION_DATA;
    size_t n = a.wr.ops->seal(&a.wr, 0, rec, inner_len);
    g_assert_cmpuint(n, ==, TC_REC_HDR_LEN + inner_len + 1 + TC_AEAD_TAG_LEN);
    feed(&b, rec, n);
    uint8_t type;
    uint8_t *p;
    size_t pl;
    if (over) {
      g_assert_cmpint(tc_rec_next(&b, &type, &p, &pl, &err), ==, TC_FAIL);
      g_assert_cmpint(err.code, ==, TC_ERR_RECORD_OVERFLOW);
    } else {
      g_assert_cmpint(tc_rec_next(&b, &type, &p, &pl, &err), ==, 1);
      g_assert_cmpuint(type, ==, TC_CT_APPLICATION_DATA);
      g_assert_cmpuint(pl, ==, content);
    }
    g_free(rec);
    tc_rec_free(&a);
    tc_rec_free(&b);
  }
}

/* RFC 5246 §6.2.3: a TLS 1.2 ciphertext may be 2^14 + 2048 bytes (CBC with
 * up to 255 bytes of padding); one byte more is record_overflow. */
static void test_tls12_expansion_limit(void) {
  static const uint8_t key[16], salt[4];
  for (int over = 0; over <= 1; over++) {
    tc_rec r;
    tc_rec_init(&r);
    g_assert_cmpint(tc_prot_init_tls12_aead(&r.rd, 0x0303, TC_AEAD_AES128_GCM, key, 16, salt, 4),
                    ==, 0);
    size_t body = 16384 + 2048 + (size_t)over;
    uint8_t hdr[] = {TC_CT_APPLICATION_DATA, 3, 3, (uint8_t)(body >> 8), (uint8_t)body};
    feed(&r, hdr, sizeof hdr);
    tc_error err;
    tc_error_clear(&err);
    uint8_t type;
    uint8_t *p;
    size_t n;
    if (over) {
      g_assert_cmpint(tc_rec_next(&r, &type, &p, &n, &err), ==, TC_FAIL);
      g_assert_cmpint(err.code, ==, TC_ERR_RECORD_OVERFLOW);
    } else {
      /* A legal length: the record layer waits for the body. */
      g_assert_cmpint(tc_rec_next(&r, &type, &p, &n, &err), ==, 0);
      uint8_t *rest = g_malloc0(body);
      feed(&r, rest, body);
      g_free(rest);
      g_assert_cmpint(tc_rec_next(&r, &type, &p, &n, &err), ==, TC_FAIL);
      g_assert_cmpint(err.code, ==, TC_ERR_BAD_RECORD_MAC); /* fits; fails on the tag */
    }
    tc_rec_free(&r);
  }
}

static void test_write_room_and_shrink(void) {
  tc_rec a;
  tc_rec_init(&a);
  tc_error err;
  tc_error_clear(&err);
  uint8_t key[16] = {0}, iv[12] = {0};
  g_assert_cmpint(tc_prot_init_tls13(&a.wr, TC_AEAD_AES128_GCM, key, 16, iv), ==, 0);
  g_assert_cmpuint(tc_rec_write_room(&a, &err), ==, 16384);
  uint8_t data[16384] = {0};
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, data, 16384, &err), ==, TC_OK);
  /* One full record fills the buffer: only a small tail is left until drained. */
  g_assert_cmpuint(tc_rec_write_room(&a, &err), <, 1024);
  size_t len;
  tc_rec_output(&a, &len);
  tc_rec_output_ack(&a, len);
  g_assert_cmpuint(tc_rec_write_room(&a, &err), ==, 16384);
  tc_rec_shrink(&a);
  g_assert_null(a.obuf);
  g_assert_null(a.ibuf);
  tc_rec_free(&a);
}

/* Aligned records (align_out): every record sealed behind others starts its
 * encrypted bytes 8-byte aligned, the skipped bytes never go out, acks of
 * any size step over the gaps, and the gaps move with the records when the
 * buffer is compacted. */
typedef struct {
  bool tls13;
  tc_aead_alg alg;
} aligned_case;

static void set_keys_any(tc_rec *w, tc_rec *r, const aligned_case *k) {
  uint8_t key[32], iv[12];
  for (int i = 0; i < 32; i++)
    key[i] = (uint8_t)(3 * i + 1);
  for (int i = 0; i < 12; i++)
    iv[i] = (uint8_t)(0x50 + i);
  size_t kl = tc_aead_key_len(k->alg);
  if (k->tls13) {
    g_assert_cmpint(tc_prot_init_tls13(&w->wr, k->alg, key, kl, iv), ==, 0);
    g_assert_cmpint(tc_prot_init_tls13(&r->rd, k->alg, key, kl, iv), ==, 0);
    return;
  }
  size_t ivl = k->alg == TC_AEAD_CHACHA20_POLY1305 ? 12 : 4;
  g_assert_cmpint(tc_prot_init_tls12_aead(&w->wr, 0x0303, k->alg, key, kl, iv, ivl), ==, 0);
  g_assert_cmpint(tc_prot_init_tls12_aead(&r->rd, 0x0303, k->alg, key, kl, iv, ivl), ==, 0);
}

/* Feed wire bytes to r a buffer at a time, appending the plaintext of every
 * record (all application data) to plain. */
static void feed_records(tc_rec *r, const uint8_t *p, size_t n, GByteArray *plain) {
  tc_error err;
  tc_error_clear(&err);
  while (n) {
    size_t cap;
    uint8_t *b = tc_rec_input_buf(r, &cap, &err);
    g_assert_nonnull(b);
    size_t k = n < cap ? n : cap;
    memcpy(b, p, k);
    tc_rec_input_ack(r, k);
    p += k;
    n -= k;
    uint8_t type, *data;
    size_t len;
    int got;
    while ((got = tc_rec_next(r, &type, &data, &len, &err)) == 1) {
      g_assert_cmpuint(type, ==, TC_CT_APPLICATION_DATA);
      g_byte_array_append(plain, data, (guint)len);
    }
    g_assert_cmpint(got, ==, 0);
  }
}

/* The pieces of the output: each one whole records, each record's
 * encrypted bytes 8-byte aligned; appended to wire. Returns the count. */
static size_t check_pieces(tc_rec *a, GByteArray *wire) {
  tc_rec_piece v[TC_REC_MAX_GAPS + 1];
  size_t total = 0, sum = 0;
  size_t n = tc_rec_output_vec(a, v, G_N_ELEMENTS(v), &total);
  for (size_t i = 0; i < n; i++) {
    g_assert_cmpuint(v[i].len, >, 0);
    sum += v[i].len;
    g_byte_array_append(wire, v[i].base, (guint)v[i].len);
  }
  g_assert_cmpuint(sum, ==, total);
  size_t pending = 0;
  const uint8_t *first = tc_rec_output(a, &pending);
  if (n) {
    g_assert_true(first == v[0].base);
    g_assert_cmpuint(pending, ==, v[0].len);
  } else {
    g_assert_null(first);
  }
  return n;
}

static void test_aligned_output(gconstpointer data) {
  const aligned_case *k = data;
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  tc_error err;
  tc_error_clear(&err);
  set_keys_any(&a, &b, k);
  a.align_out = true;
  size_t off = a.wr.sealed_off;
  g_assert_cmpuint(off, ==, k->tls13 || k->alg == TC_AEAD_CHACHA20_POLY1305 ? 5 : 13);

  enum { N = 5 * 16384 };
  uint8_t *msg = g_malloc(N);
  for (size_t i = 0; i < N; i++)
    msg[i] = (uint8_t)(i * 31 + i / 509);
  /* Three full records in one write, from a source that is itself not
   * aligned: the destination is what counts. */
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, msg + 0, 3 * 16384, &err), ==, TC_OK);
  GByteArray *wire = g_byte_array_new();
  g_assert_cmpuint(check_pieces(&a, wire), ==, 3);
  g_assert_cmpuint(a.ngaps, ==, 2);
  tc_rec_piece v[TC_REC_MAX_GAPS + 1];
  size_t total;
  g_assert_cmpuint(tc_rec_output_vec(&a, v, G_N_ELEMENTS(v), &total), ==, 3);
  for (size_t i = 0; i < 3; i++) {
    const uint8_t *rec = v[i].base;
    size_t body = (size_t)rec[3] << 8 | rec[4];
    g_assert_cmpuint(rec[0], ==, TC_CT_APPLICATION_DATA);
    g_assert_cmpuint(v[i].len, ==, TC_REC_HDR_LEN + body); /* one whole record */
    g_assert_cmpuint((uintptr_t)(rec + off) % 8, ==, 0);
  }
  /* max 1: the first piece only, as tc_rec_output gives it. */
  g_assert_cmpuint(tc_rec_output_vec(&a, v, 1, &total), ==, 1);
  g_assert_cmpuint(total, ==, v[0].len);

  /* Acks of odd sizes, across piece boundaries: what tc_rec_output shows
   * next is always the next unsent byte of the wire. */
  size_t sent = 0;
  const size_t steps[] = {1000, 15406 - 1000 + 3, 1, 20000};
  for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
    tc_rec_output_ack(&a, steps[i]);
    sent += steps[i];
    size_t len;
    const uint8_t *p = tc_rec_output(&a, &len);
    g_assert_nonnull(p);
    g_assert_cmpmem(p, len, wire->data + sent, len);
  }
  size_t opos_before = a.opos;
  g_assert_cmpuint(opos_before, >, 20000);
  /* Two more records, one at a time: the first fits behind the others,
   * the second does not, so the buffer is compacted (pending records and
   * their gaps moved to the front) instead of grown. Each is aligned where
   * it is sealed: at the end of the last piece right after its write. */
  size_t rlen = TC_REC_HDR_LEN + 16384 + a.wr.ops->overhead(&a.wr, 16384);
  size_t ocap = a.ocap;
  for (int i = 3; i < 5; i++) {
    g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, msg + i * 16384, 16384, &err), ==,
                    TC_OK);
    size_t np = tc_rec_output_vec(&a, v, G_N_ELEMENTS(v), &total);
    g_assert_cmpuint(np, ==, 1 + a.ngaps);
    const uint8_t *rec = v[np - 1].base + v[np - 1].len - rlen;
    g_assert_cmpuint(rec[0], ==, TC_CT_APPLICATION_DATA);
    g_assert_cmpuint((uintptr_t)(rec + off) % 8, ==, 0);
  }
  g_assert_cmpuint(a.ocap, ==, ocap);
  g_assert_cmpuint(a.opos, <, opos_before);
  GByteArray *rest = g_byte_array_new();
  check_pieces(&a, rest);
  /* What is left of the old records is unchanged by the move. */
  size_t left = wire->len - sent;
  g_assert_cmpuint(rest->len, ==, left + 2 * rlen);
  g_assert_cmpmem(rest->data, left, wire->data + sent, left);
  g_byte_array_set_size(wire, (guint)sent);
  g_byte_array_append(wire, rest->data, rest->len);
  /* An ack past the end sends nothing more than there is. */
  tc_rec_output_ack(&a, total + 100);
  size_t len;
  g_assert_null(tc_rec_output(&a, &len));
  g_assert_cmpuint(len, ==, 0);
  g_assert_cmpuint(a.ngaps, ==, 0);

  /* The peer reads the wire as sent: all five records, intact. */
  GByteArray *plain = g_byte_array_new();
  feed_records(&b, wire->data, wire->len, plain);
  g_assert_cmpmem(plain->data, plain->len, msg, N);

  g_byte_array_unref(plain);
  g_byte_array_unref(rest);
  g_byte_array_unref(wire);
  g_free(msg);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

/* Off (the default): one piece, records back to back. */
static void test_aligned_off(void) {
  aligned_case k = {true, TC_AEAD_AES128_GCM};
  tc_rec a, b;
  tc_rec_init(&a);
  tc_rec_init(&b);
  tc_error err;
  tc_error_clear(&err);
  set_keys_any(&a, &b, &k);
  uint8_t *msg = g_malloc0(3 * 16384);
  g_assert_cmpint(tc_rec_write(&a, TC_CT_APPLICATION_DATA, msg, 3 * 16384, &err), ==, TC_OK);
  GByteArray *wire = g_byte_array_new();
  g_assert_cmpuint(check_pieces(&a, wire), ==, 1);
  g_assert_cmpuint(wire->len, ==, 3 * (5 + 16384 + 17));
  g_byte_array_unref(wire);
  g_free(msg);
  tc_rec_free(&a);
  tc_rec_free(&b);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/record/plain-framing", test_plain_framing);
  g_test_add_func("/record/limits", test_limits);
  g_test_add_func("/record/protect-roundtrip", test_protect_roundtrip);
  g_test_add_func("/record/tamper", test_tamper);
  g_test_add_func("/record/wrong-type", test_wrong_type);
  g_test_add_func("/record/reassembly", test_reassembly);
  g_test_add_func("/record/reassembly-in-place", test_reassembly_in_place);
  g_test_add_func("/record/write-room-shrink", test_write_room_and_shrink);
  g_test_add_func("/record/tls13-padding-limit", test_tls13_padding_limit);
  g_test_add_func("/record/tls12-expansion-limit", test_tls12_expansion_limit);
  static const aligned_case aligned[] = {
      {true, TC_AEAD_AES128_GCM},  {true, TC_AEAD_AES256_GCM},
      {true, TC_AEAD_CHACHA20_POLY1305}, {false, TC_AEAD_AES128_GCM},
      {false, TC_AEAD_CHACHA20_POLY1305}};
  static const char *const aligned_names[] = {"tls13/aes128gcm", "tls13/aes256gcm",
                                              "tls13/chacha20", "tls12/aes128gcm",
                                              "tls12/chacha20"};
  for (size_t i = 0; i < G_N_ELEMENTS(aligned); i++) {
    char *name = g_strdup_printf("/record/aligned-output/%s", aligned_names[i]);
    g_test_add_data_func(name, &aligned[i], test_aligned_output);
    g_free(name);
  }
  g_test_add_func("/record/aligned-output/off", test_aligned_off);
  return g_test_run();
}
