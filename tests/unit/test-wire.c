/* Wire behaviours of issue 10 (tlsfuzzer): floods, point formats, SNI syntax, HRR cookie, early-data skipping, TLS 1.2 renegotiation records. */
#include <glib.h>
#include <string.h>

#include "engine/conn_internal.h"
#include "msg/msg.h"
#include "pump.h"

/* A pair that may negotiate TLS 1.2 or 1.3 (max), nothing verified. */
static void new_pair(uint16_t max, tc_config **ccfg, tc_config **scfg, tc_conn **c, tc_conn **s) {
  *ccfg = pump_client_cfg12(TC_TLS12, max, NULL, 0);
  *scfg = pump_server_cfg12(TC_TLS12, max, NULL, 0);
  pump_new_pair(*ccfg, *scfg, c, s);
}

static void free_pair(tc_config *ccfg, tc_config *scfg, tc_conn *c, tc_conn *s) {
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Feed everything `from` has queued to `to`; the feed's result. */
static int deliver(tc_conn *from, tc_conn *to) {
  GByteArray *a = pump_drain(from);
  size_t used = 0;
  int r = a->len ? tc_conn_feed(to, a->data, a->len, &used) : TC_OK;
  g_byte_array_unref(a);
  return r;
}

/* Queue one record of `type` from x's record layer (with its current
 * write protection), bypassing the engine's own rules. */
static void raw_record(tc_conn *x, uint8_t type, const uint8_t *data, size_t len) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_rec_write(&x->rec, type, data, len, &err), ==, TC_OK);
}

/* s failed with `code` and its last queued record is the alert: readable
 * when sent in plaintext, a protected record otherwise. */
static void assert_sent_alert(tc_conn *s, tc_err code) {
  size_t len;
  const uint8_t *out = tc_conn_output(s, &len);
  g_assert_nonnull(out);
  size_t off = 0, last = 0;
  while (off + 5 <= len) {
    last = off;
    off += 5 + ((size_t)out[off + 3] << 8 | out[off + 4]);
  }
  g_assert_cmpuint(off, ==, len);
  bool plain = out[last] == TC_CT_ALERT && out[last + 3] == 0 && out[last + 4] == 2;
  if (plain) {
    g_assert_cmpuint(out[last + 5], ==, 2);
    g_assert_cmpuint(out[last + 6], ==, (unsigned)code);
  } else {
    /* TLS 1.2 keeps the alert type in the header; TLS 1.3 hides it. */
    g_assert_true(out[last] == TC_CT_ALERT || out[last] == TC_CT_APPLICATION_DATA);
  }
  g_assert_cmpint(tc_conn_error(s)->code, ==, code);
}

static void assert_failed(tc_conn *s, int r, tc_err code) {
  g_assert_cmpint(r, ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, code);
  assert_sent_alert(s, code);
}

/* ---- floods ---- */

/* TLS 1.2: four warning alerts in a row during the handshake are let
 * through, the fifth is unexpected_message (tlsfuzzer test-ssl-death-alert). */
static void test_warning_alert_flood(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(TC_TLS12, &ccfg, &scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK); /* ClientHello */
  static const uint8_t warn[2] = {1, TC_ERR_UNSUPPORTED_CERTIFICATE};
  for (int i = 0; i < TC_REC_MAX_WARNINGS; i++) {
    raw_record(c, TC_CT_ALERT, warn, 2);
    g_assert_cmpint(deliver(c, s), ==, TC_OK);
  }
  raw_record(c, TC_CT_ALERT, warn, 2);
  assert_failed(s, deliver(c, s), TC_ERR_UNEXPECTED_MESSAGE);
  free_pair(ccfg, scfg, c, s);
}

/* TLS 1.3: one compatibility CCS is dropped, a second is unexpected_message
 * (tlsfuzzer test-tls13-multiple-ccs-messages). */
static void test_tls13_second_ccs(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  static const uint8_t one = 1;
  raw_record(c, TC_CT_CHANGE_CIPHER_SPEC, &one, 1);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  raw_record(c, TC_CT_CHANGE_CIPHER_SPEC, &one, 1);
  assert_failed(s, deliver(c, s), TC_ERR_UNEXPECTED_MESSAGE);
  free_pair(ccfg, scfg, c, s);
}

/* Empty application data records: four in a row pass, data resets the
 * count, a fifth in a row is unexpected_message. Both versions. */
static void empty_record_flood(uint16_t v) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(v, &ccfg, &scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(s), ==, v);
  uint8_t buf[16];
  size_t n;
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < TC_REC_MAX_EMPTY; i++) {
      raw_record(c, TC_CT_APPLICATION_DATA, NULL, 0);
      g_assert_cmpint(deliver(c, s), ==, TC_OK);
      g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_AGAIN);
    }
    if (round == 0) {
      raw_record(c, TC_CT_APPLICATION_DATA, (const uint8_t *)"x", 1);
      g_assert_cmpint(deliver(c, s), ==, TC_OK);
      g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_OK);
      g_assert_cmpuint(n, ==, 1);
    }
  }
  raw_record(c, TC_CT_APPLICATION_DATA, NULL, 0);
  assert_failed(s, deliver(c, s), TC_ERR_UNEXPECTED_MESSAGE);
  free_pair(ccfg, scfg, c, s);
}

static void test_empty_record_flood(void) {
  empty_record_flood(TC_TLS12);
  empty_record_flood(TC_TLS13);
}

/* KeyUpdates: 32 in a row are answered (tlsfuzzer test-tls13-keyupdate
 * sends that many), application data resets the count, one more in a row
 * is unexpected_message. */
static void key_update_flood(bool lazy) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
  /* Lazy records: application data goes straight into the caller's
   * buffer, past process(); the counts must be reset there too. */
  tc_conn_set_lazy_records(s, lazy);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  uint8_t buf[16];
  size_t n;
  for (int i = 0; i < TC_REC_MAX_KEY_UPDATES; i++)
    g_assert_cmpint(tc_post13_key_update(c, true), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_AGAIN);
  /* The server answered (its own KeyUpdates), and the connection works. */
  g_assert_cmpint(deliver(s, c), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
  for (int i = 0; i < TC_REC_MAX_KEY_UPDATES; i++)
    g_assert_cmpint(tc_post13_key_update(c, false), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_AGAIN); /* all 32 taken */
  g_assert_cmpint(tc_post13_key_update(c, false), ==, TC_OK);
  int r = deliver(c, s);
  if (r == TC_OK) /* lazy: the records wait for a read */
    r = tc_conn_read(s, buf, sizeof buf, &n);
  assert_failed(s, r, TC_ERR_UNEXPECTED_MESSAGE);
  free_pair(ccfg, scfg, c, s);
}

static void test_key_update_flood(void) {
  key_update_flood(false);
  key_update_flood(true);
}

/* ---- ClientHello rewrites ---- */

/* Take c's first flight (one plaintext handshake record holding the
 * ClientHello), let `edit` change the parsed ClientHello, and return the
 * rewritten record. */
static GByteArray *edited_client_hello(tc_conn *c, void (*edit)(tc_client_hello *, void *),
                                       void *ctx) {
  GByteArray *a = pump_drain(c);
  g_assert_cmpuint(a->len, >, 9);
  g_assert_cmpuint(a->data[0], ==, TC_CT_HANDSHAKE);
  size_t rl = (size_t)a->data[3] << 8 | a->data[4];
  g_assert_cmpuint(a->len, ==, 5 + rl);
  g_assert_cmpuint(a->data[5], ==, TC_HS_CLIENT_HELLO);
  tc_client_hello ch;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(a->data + 9, rl - 4, &ch, &err), ==, TC_OK);
  edit(&ch, ctx);
  tc_writer w;
  tc_wr_init_dyn(&w);
  tc_wr_u8(&w, TC_CT_HANDSHAKE);
  tc_wr_u16(&w, 0x0301);
  tc_wr_mark m = tc_wr_begin_vec16(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_OK);
  tc_wr_end_vec(&w, m);
  g_assert_true(tc_wr_ok(&w));
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, tc_wr_data(&w), (guint)tc_wr_len(&w));
  tc_wr_free(&w);
  g_byte_array_unref(a);
  return out;
}

static int feed_bytes(tc_conn *s, GByteArray *a) {
  size_t used;
  return tc_conn_feed(s, a->data, a->len, &used);
}

static void set_point_formats(tc_client_hello *ch, void *ctx) {
  tc_exts_set(&ch->ext, TC_EXT_EC_POINT_FORMATS);
  ch->ext.ec_point_formats = *(const tc_bytes *)ctx;
}

/* RFC 8422 §5.1.2: ec_point_formats without "uncompressed" (0) is
 * illegal_parameter; with it (among others) the handshake goes on. */
static void test_point_formats(void) {
  static const uint8_t compressed_only[] = {1, 2}, with_uncompressed[] = {1, 0};
  for (int ok = 0; ok <= 1; ok++) {
    tc_config *ccfg, *scfg;
    tc_conn *c, *s;
    new_pair(TC_TLS12, &ccfg, &scfg, &c, &s);
    tc_bytes f = ok ? (tc_bytes){with_uncompressed, 2} : (tc_bytes){compressed_only, 2};
    GByteArray *ch = edited_client_hello(c, set_point_formats, &f);
    int r = feed_bytes(s, ch);
    if (ok)
      g_assert_cmpint(r, ==, TC_OK);
    else
      assert_failed(s, r, TC_ERR_ILLEGAL_PARAMETER);
    g_byte_array_unref(ch);
    free_pair(ccfg, scfg, c, s);
  }
}

static void set_sni(tc_client_hello *ch, void *ctx) {
  const char *name = ctx;
  ch->ext.server_name = (tc_bytes){(const uint8_t *)name, strlen(name)};
}

/* RFC 6066 §3: host names are LDH; control bytes, escapes, UTF-8 and other
 * punctuation are illegal_parameter in either version. */
static void test_sni_syntax(void) {
  static const char *const bad[] = {"local\x07host", "a\x1b[31m.example", "caf\xc3\xa9.example",
                                    "a_b.example", "a b", "a/b", "a%00"};
  static const char *const good[] = {"localhost", "a-b.EXAMPLE.org", "1.2.3.4.example"};
  for (uint16_t v = TC_TLS12; v <= TC_TLS13; v++) {
    for (size_t i = 0; i < G_N_ELEMENTS(bad) + G_N_ELEMENTS(good); i++) {
      bool ok = i >= G_N_ELEMENTS(bad);
      const char *name = ok ? good[i - G_N_ELEMENTS(bad)] : bad[i];
      tc_config *ccfg, *scfg;
      tc_conn *c, *s;
      new_pair(v, &ccfg, &scfg, &c, &s);
      GByteArray *ch = edited_client_hello(c, set_sni, (void *)name);
      int r = feed_bytes(s, ch);
      if (ok) {
        g_assert_cmpint(r, ==, TC_OK);
      } else {
        assert_failed(s, r, TC_ERR_ILLEGAL_PARAMETER);
        g_assert_nonnull(strstr(tc_conn_error(s)->message, "host name"));
      }
      g_byte_array_unref(ch);
      free_pair(ccfg, scfg, c, s);
    }
  }
}

static void set_legacy_version(tc_client_hello *ch, void *ctx) {
  ch->legacy_version = *(const uint16_t *)ctx;
}

/* RFC 8446 §D.5: a ClientHello whose legacy_version is SSL 3.0 or lower is
 * protocol_version, even when supported_versions offers TLS 1.3
 * (tlsfuzzer test-tls13-legacy-version); TLS 1.0 there is fine. */
static void test_tls13_legacy_version(void) {
  static const uint16_t versions[] = {0x0300, 0x0200, 0x0002, 0x0301};
  for (size_t i = 0; i < G_N_ELEMENTS(versions); i++) {
    tc_config *ccfg, *scfg;
    tc_conn *c, *s;
    new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
    GByteArray *ch = edited_client_hello(c, set_legacy_version, (void *)&versions[i]);
    int r = feed_bytes(s, ch);
    if (versions[i] >= TC_TLS10)
      g_assert_cmpint(r, ==, TC_OK);
    else
      assert_failed(s, r, TC_ERR_PROTOCOL_VERSION);
    g_byte_array_unref(ch);
    free_pair(ccfg, scfg, c, s);
  }
}

static void add_obsolete_group(tc_client_hello *ch, void *ctx) {
  /* secp224r1 before the client's own groups. */
  static uint8_t buf[2 + 2 * 16];
  buf[0] = 0x00;
  buf[1] = 0x15;
  size_t n = ch->ext.groups.n < 16 ? ch->ext.groups.n : 16;
  memcpy(buf + 2, ch->ext.groups.p, 2 * n);
  ch->ext.groups = (tc_u16s){buf, n + 1};
  (void)ctx;
}

/* RFC 8446 §4.2.7: obsolete groups may not be offered in a TLS 1.3
 * ClientHello: illegal_parameter. A TLS 1.2 server ignores the group. */
static void test_tls13_obsolete_group(void) {
  for (uint16_t v = TC_TLS12; v <= TC_TLS13; v++) {
    tc_config *ccfg, *scfg;
    tc_conn *c, *s;
    new_pair(v, &ccfg, &scfg, &c, &s);
    GByteArray *ch = edited_client_hello(c, add_obsolete_group, NULL);
    int r = feed_bytes(s, ch);
    if (v == TC_TLS12) {
      g_assert_cmpint(r, ==, TC_OK);
    } else {
      assert_failed(s, r, TC_ERR_ILLEGAL_PARAMETER);
      g_assert_nonnull(strstr(tc_conn_error(s)->message, "obsolete group 0x0015"));
    }
    g_byte_array_unref(ch);
    free_pair(ccfg, scfg, c, s);
  }
}

static void unknown_ffdhe_only(tc_client_hello *ch, void *ctx) {
  static const uint8_t g[2] = {0x01, 0xff}; /* an FFDHE codepoint nobody knows */
  tc_exts_set(&ch->ext, TC_EXT_SUPPORTED_GROUPS);
  ch->ext.groups = (tc_u16s){g, 1};
  (void)ctx;
}

/* RFC 7919 §4: a client naming only FFDHE groups the server lacks, with
 * nothing but DHE suites: insufficient_security (tlsfuzzer
 * test-ffdhe-negotiation). */
static void test_ffdhe_no_overlap(void) {
  static const uint16_t dhe[] = {0x009e}; /* TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 */
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, dhe, 1);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  GByteArray *ch = edited_client_hello(c, unknown_ffdhe_only, NULL);
  assert_failed(s, feed_bytes(s, ch), TC_ERR_INSUFFICIENT_SECURITY);
  g_byte_array_unref(ch);
  free_pair(ccfg, scfg, c, s);
}

/* ---- HelloRetryRequest cookie ---- */

/* The records in a, each as (type, body); returns the body of the first
 * record of `type` and its length. */
static const uint8_t *find_record(GByteArray *a, uint8_t type, size_t *len) {
  size_t off = 0;
  while (off + 5 <= a->len) {
    size_t rl = (size_t)a->data[off + 3] << 8 | a->data[off + 4];
    g_assert_cmpuint(off + 5 + rl, <=, a->len);
    if (a->data[off] == type) {
      *len = rl;
      return a->data + off + 5;
    }
    off += 5 + rl;
  }
  return NULL;
}

/* Client offers a share for x25519 only; a P-256-only server sends a HRR.
 * With `tamper`, the second ClientHello's cookie is altered. */
static void hrr_case(bool tamper) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  static const uint16_t cg[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1}, sg[] = {TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(ccfg, cg, 2, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(scfg, sg, 1, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  GByteArray *hrr = pump_drain(s);
  size_t bl;
  const uint8_t *body = find_record(hrr, TC_CT_HANDSHAKE, &bl);
  g_assert_nonnull(body);
  tc_server_hello sh;
  g_assert_cmpint(tc_msg_parse_server_hello(body + 4, bl - 4, &sh, &err), ==, TC_OK);
  g_assert_true(sh.is_hrr);
  g_assert_true(tc_exts_has(&sh.ext, TC_EXT_COOKIE));
  g_assert_cmpuint(sh.ext.cookie.len, ==, 32);
  size_t used;
  g_assert_cmpint(tc_conn_feed(c, hrr->data, hrr->len, &used), ==, TC_OK);
  g_byte_array_unref(hrr);
  GByteArray *ch2 = pump_drain(c);
  if (tamper) {
    /* Find the cookie by parsing CH2 and flip one of its bytes in place. */
    body = find_record(ch2, TC_CT_HANDSHAKE, &bl);
    g_assert_nonnull(body);
    tc_client_hello ch;
    g_assert_cmpint(tc_msg_parse_client_hello(body + 4, bl - 4, &ch, &err), ==, TC_OK);
    g_assert_true(tc_exts_has(&ch.ext, TC_EXT_COOKIE));
    ((uint8_t *)ch.ext.cookie.p)[5] ^= 1;
    assert_failed(s, tc_conn_feed(s, ch2->data, ch2->len, &used), TC_ERR_ILLEGAL_PARAMETER);
  } else {
    g_assert_cmpint(tc_conn_feed(s, ch2->data, ch2->len, &used), ==, TC_OK);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_group(s), ==, TC_GROUP_SECP256R1);
  }
  g_byte_array_unref(ch2);
  free_pair(ccfg, scfg, c, s);
}

static void test_hrr_cookie(void) {
  hrr_case(false);
  hrr_case(true);
}

/* ---- rejected early data ---- */

static void offer_early_data(tc_client_hello *ch, void *ctx) {
  (void)ctx;
  tc_exts_set(&ch->ext, TC_EXT_EARLY_DATA);
}

/* A record of `len` random-looking bytes the server cannot decrypt. */
static void garbage_record(tc_conn *s, size_t len, int expect, tc_err code) {
  uint8_t *rec = g_malloc(5 + len);
  rec[0] = TC_CT_APPLICATION_DATA;
  rec[1] = 3;
  rec[2] = 3;
  rec[3] = (uint8_t)(len >> 8);
  rec[4] = (uint8_t)len;
  for (size_t i = 0; i < len; i++)
    rec[5 + i] = (uint8_t)(i * 31 + 7);
  size_t used;
  int r = tc_conn_feed(s, rec, 5 + len, &used);
  g_free(rec);
  if (expect == TC_FAIL)
    assert_failed(s, r, code);
  else
    g_assert_cmpint(r, ==, expect);
}

/* RFC 8446 §4.2.10: a server that rejects 0-RTT skips records it cannot
 * decrypt, up to max_early_data_size (2^14 here), and no more; once a
 * record has decrypted, an undecryptable one is bad_record_mac. */
static void test_early_data_skip(void) {
  /* Within the window: 2^14 bytes of early data skipped, handshake ends. */
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
  GByteArray *ch = edited_client_hello(c, offer_early_data, NULL);
  size_t used;
  /* The client's transcript no longer matches: only the server side of
   * the window is checked here. */
  g_assert_cmpint(tc_conn_feed(s, ch->data, ch->len, &used), ==, TC_OK);
  g_byte_array_unref(ch);
  garbage_record(s, 8000 + 17, TC_OK, 0);
  garbage_record(s, 16384 - 8000 + 17, TC_OK, 0);
  /* One byte more is past the window. */
  garbage_record(s, 1 + 17, TC_FAIL, TC_ERR_BAD_RECORD_MAC);
  free_pair(ccfg, scfg, c, s);

  /* No early data offered: nothing is skipped. */
  new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  garbage_record(s, 100, TC_FAIL, TC_ERR_BAD_RECORD_MAC);
  free_pair(ccfg, scfg, c, s);
}

/* Once a record has decrypted, an undecryptable one is bad_record_mac even
 * inside the window (tlsfuzzer: "undecryptable record later in handshake
 * together with early_data"). */
static void test_early_data_after_decrypt(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
  GByteArray *ch = edited_client_hello(c, offer_early_data, NULL);
  size_t used;
  g_assert_cmpint(tc_conn_feed(s, ch->data, ch->len, &used), ==, TC_OK);
  g_byte_array_unref(ch);
  garbage_record(s, 64, TC_OK, 0); /* still early: skipped */
  /* The first bytes of a Finished message, protected with the client's
   * handshake keys (a copy of the server's read state at the same
   * sequence number): it decrypts and waits for the rest. */
  g_assert_nonnull(s->rec.rd.ops);
  tc_prot fake = s->rec.rd;
  uint8_t rec[5 + 3 + 1 + TC_AEAD_TAG_LEN] = {0};
  static const uint8_t part[3] = {TC_HS_FINISHED, 0, 0};
  memcpy(rec + 5, part, 3);
  size_t n = fake.ops->seal(&fake, TC_CT_HANDSHAKE, rec, 3);
  g_assert_cmpint(tc_conn_feed(s, rec, n, &used), ==, TC_OK);
  g_assert_true(s->hs->early_window_closed);
  garbage_record(s, 64, TC_FAIL, TC_ERR_BAD_RECORD_MAC);
  free_pair(ccfg, scfg, c, s);
}

/* After a HelloRetryRequest no record is early data: garbage under the
 * handshake keys is bad_record_mac at once. */
static void test_early_data_after_hrr(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  static const uint16_t cg[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1}, sg[] = {TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(ccfg, cg, 2, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(scfg, sg, 1, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  GByteArray *ch = edited_client_hello(c, offer_early_data, NULL);
  size_t used;
  g_assert_cmpint(tc_conn_feed(s, ch->data, ch->len, &used), ==, TC_OK);
  g_byte_array_unref(ch);
  g_assert_true(s->hs->hrr);
  /* Early data sent before the HRR arrived is skipped (plaintext-looking). */
  garbage_record(s, 100, TC_OK, 0);
  /* The client (unaware of our edit) answers the HRR with CH2. */
  g_assert_cmpint(deliver(s, c), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_nonnull(s->rec.rd.ops);
  garbage_record(s, 100, TC_FAIL, TC_ERR_BAD_RECORD_MAC);
  free_pair(ccfg, scfg, c, s);
}

/* ---- TLS 1.2 renegotiation: records under the previous keys ---- */

/* A TLS 1.2 pair (AES-128-GCM) that may renegotiate, handshake done. */
static void reneg_pair(tc_config **ccfg, tc_config **scfg, tc_conn **c, tc_conn **s) {
  static const uint16_t gcm[] = {0xC02F}; /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
  *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, gcm, 1);
  *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, gcm, 1);
  tc_config_set_renegotiation(*ccfg, TC_RENEG_SECURE);
  tc_config_set_renegotiation(*scfg, TC_RENEG_SECURE);
  pump_new_pair(*ccfg, *scfg, c, s);
  g_assert_cmpint(pump_handshake(*c, *s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(*s), ==, TC_TLS12);
}

/* Offsets of the records in a; returns their count (at most max). */
static size_t split_records(const GByteArray *a, size_t *off, size_t max) {
  size_t n = 0, o = 0;
  while (o + 5 <= a->len && n < max) {
    off[n++] = o;
    o += 5 + ((size_t)a->data[o + 3] << 8 | a->data[o + 4]);
  }
  g_assert_cmpuint(o, ==, a->len);
  return n;
}

static size_t record_len(const GByteArray *a, size_t off) {
  return 5 + ((size_t)a->data[off + 3] << 8 | a->data[off + 4]);
}

/* x reads exactly `want` now. */
static void assert_reads(tc_conn *x, const char *want) {
  uint8_t buf[64];
  size_t n = 0;
  g_assert_cmpint(tc_conn_read(x, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, want, strlen(want));
}

/* Client-initiated renegotiation: the new ClientHello is taken back out of
 * the output (its plaintext kept in *ch) and the client's write state set
 * back to before it, so a test can send its own records in its place. */
static void reneg_take_client_hello(tc_conn *c, GByteArray **ch) {
  tc_prot saved = c->rec.wr;
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_OK);
  g_assert_nonnull(c->hs);
  g_assert_nonnull(c->hs->ch1);
  *ch = g_byte_array_new();
  g_byte_array_append(*ch, c->hs->ch1, (guint)c->hs->ch1_len);
  g_byte_array_unref(pump_drain(c));
  c->rec.wr = saved; /* AEAD state is its keys and the sequence number */
}

/* RFC 5246 §6.1/§7.1: in a renegotiation the ChangeCipherSpec record is
 * protected under the current keys like any other (tlsfuzzer's
 * renegotiation scripts send it so); only TLS 1.3 leaves it plain. */
static void test_reneg12_ccs_protected(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  reneg_pair(&ccfg, &scfg, &c, &s);
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK); /* ClientHello */
  g_assert_cmpint(deliver(s, c), ==, TC_OK); /* ServerHello .. ServerHelloDone */
  GByteArray *f = pump_drain(c);            /* ClientKeyExchange, CCS, Finished */
  size_t off[8];
  g_assert_cmpuint(split_records(f, off, 8), ==, 3);
  g_assert_cmpuint(f->data[off[1]], ==, TC_CT_CHANGE_CIPHER_SPEC);
  /* 8-byte explicit nonce + the 1-byte message + 16-byte tag. */
  g_assert_cmpuint(record_len(f, off[1]), ==, 5 + 8 + 1 + 16);
  size_t used;
  g_assert_cmpint(tc_conn_feed(s, f->data, f->len, &used), ==, TC_OK);
  g_byte_array_unref(f);
  f = pump_drain(s); /* [NewSessionTicket,] CCS, Finished: the CCS protected too */
  size_t nrec = split_records(f, off, 8);
  g_assert_cmpuint(nrec, >=, 2);
  g_assert_cmpuint(f->data[off[nrec - 2]], ==, TC_CT_CHANGE_CIPHER_SPEC);
  g_assert_cmpuint(record_len(f, off[nrec - 2]), ==, 5 + 8 + 1 + 16);
  g_assert_cmpint(tc_conn_feed(c, f->data, f->len, &used), ==, TC_OK);
  g_byte_array_unref(f);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after", 5));
  g_assert_cmpuint(s->c12.handshakes, ==, 2);
  g_assert_cmpuint(c->c12.handshakes, ==, 2);
  free_pair(ccfg, scfg, c, s);
}

/* RFC 5246 §6.2.1 lets content types interleave: application data between
 * two fragments of the renegotiating ClientHello, and before the client's
 * ClientKeyExchange, is delivered and the handshake completes (tlsfuzzer
 * test-interleaved-application-data-*-in-renegotiation). */
static void test_reneg12_app_data_interleaved(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  reneg_pair(&ccfg, &scfg, &c, &s);
  GByteArray *ch;
  reneg_take_client_hello(c, &ch);
  g_assert_cmpuint(ch->len, >, 40);
  raw_record(c, TC_CT_HANDSHAKE, ch->data, 40);
  raw_record(c, TC_CT_APPLICATION_DATA, (const uint8_t *)"ping", 4);
  raw_record(c, TC_CT_HANDSHAKE, ch->data + 40, ch->len - 40);
  g_byte_array_unref(ch);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  assert_reads(s, "ping");
  /* The server's flight is out; the client sends data before its own. */
  size_t n;
  g_assert_cmpint(tc_conn_write(c, (const uint8_t *)"more", 4, &n), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  assert_reads(s, "more");
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after", 5));
  g_assert_cmpuint(s->c12.handshakes, ==, 2);
  g_assert_cmpuint(c->c12.handshakes, ==, 2);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  free_pair(ccfg, scfg, c, s);
}

/* Between the peer's ChangeCipherSpec and its Finished nothing else may
 * come (RFC 5246 §7.4.9): application data there is unexpected_message. */
static void test_reneg12_app_data_before_finished(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  reneg_pair(&ccfg, &scfg, &c, &s);
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_OK);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_cmpint(deliver(s, c), ==, TC_OK);
  GByteArray *f = pump_drain(c);
  size_t off[8], used;
  g_assert_cmpuint(split_records(f, off, 8), ==, 3);
  g_assert_cmpint(tc_conn_feed(s, f->data, off[2], &used), ==, TC_OK); /* CKE, CCS */
  g_byte_array_unref(f);
  /* Application data under the new keys, in the Finished's place. */
  c->rec.wr.seq = 0;
  raw_record(c, TC_CT_APPLICATION_DATA, (const uint8_t *)"x", 1);
  assert_failed(s, deliver(c, s), TC_ERR_UNEXPECTED_MESSAGE);
  free_pair(ccfg, scfg, c, s);
}

/* msg (a ClientHello with its 4-byte header) without extension `type`. */
static void drop_extension(GByteArray *msg, uint16_t type) {
  uint8_t *m = msg->data;
  size_t p = 4 + 2 + 32;
  p += 1 + m[p];
  p += 2 + ((size_t)m[p] << 8 | m[p + 1]);
  p += 1 + m[p];
  size_t ext_len_at = p, end = p + 2 + ((size_t)m[p] << 8 | m[p + 1]);
  g_assert_cmpuint(end, ==, msg->len);
  for (p += 2; p + 4 <= end;) {
    size_t el = 4 + ((size_t)m[p + 2] << 8 | m[p + 3]);
    if (((uint16_t)m[p] << 8 | m[p + 1]) == type) {
      g_byte_array_remove_range(msg, (guint)p, (guint)el);
      m = msg->data;
      size_t total = ((size_t)m[ext_len_at] << 8 | m[ext_len_at + 1]) - el;
      m[ext_len_at] = (uint8_t)(total >> 8);
      m[ext_len_at + 1] = (uint8_t)total;
      size_t body = msg->len - 4;
      m[1] = (uint8_t)(body >> 16);
      m[2] = (uint8_t)(body >> 8);
      m[3] = (uint8_t)body;
      return;
    }
    p += el;
  }
  g_assert_not_reached();
}

/* A connection with the extended master secret does not renegotiate
 * without it: handshake_failure (tlsfuzzer
 * test-renegotiation-changed-clienthello). */
static void test_reneg12_ems_dropped(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  reneg_pair(&ccfg, &scfg, &c, &s);
  g_assert_true(s->c12.ems);
  GByteArray *ch;
  reneg_take_client_hello(c, &ch);
  drop_extension(ch, TC_EXT_EXTENDED_MASTER_SECRET);
  raw_record(c, TC_CT_HANDSHAKE, ch->data, ch->len);
  g_byte_array_unref(ch);
  assert_failed(s, deliver(c, s), TC_ERR_HANDSHAKE_FAILURE);
  free_pair(ccfg, scfg, c, s);
}

/* ---- TLS 1.2 resumption rules ---- */

/* A TLS 1.2 server with a session-ID cache (tickets off) and a client;
 * one full handshake whose session *sess keeps. */
static tc_config *resume_server(tc_session_cache **cache) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  static const char *const alpn[] = {"http/1.1"};
  g_assert_cmpint(tc_config_set_alpn(scfg, alpn, 1, &err), ==, TC_OK);
  tc_config_set_tickets(scfg, 0, 0);
  *cache = tc_session_cache_new(8, 600);
  tc_config_set_session_cache(scfg, *cache);
  return scfg;
}

static tc_session *first_session(tc_config *ccfg, tc_config *scfg) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_false(tc_conn_resumed(s));
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_conn_free(c);
  tc_conn_free(s);
  return sess;
}

/* ALPN is negotiated afresh when resuming (RFC 7301 §3.1); another SNI
 * means a full handshake (RFC 6066 §3); and a renegotiation may resume
 * (tlsfuzzer test-alpn-negotiation, test-invalid-server-name-extension-
 * resumption, test-sig-algs-renegotiation-resumption). */
static void test_resume12_alpn_sni(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_session_cache *cache;
  tc_config *scfg = resume_server(&cache);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_session *sess = first_session(ccfg, scfg); /* no ALPN offered */
  /* The same client now offers http/1.1: resumed, and the protocol chosen. */
  tc_config *calpn = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  static const char *const alpn[] = {"http/1.1"};
  g_assert_cmpint(tc_config_set_alpn(calpn, alpn, 1, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(calpn, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_true(tc_conn_resumed(s));
  g_assert_cmpstr(tc_conn_alpn(s), ==, "http/1.1");
  tc_conn_free(c);
  tc_conn_free(s);
  /* Another server name: a full handshake. */
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_server_name(c, "other.example"), ==, TC_OK);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_false(tc_conn_resumed(s));
  g_assert_cmpstr(tc_conn_server_name(s), ==, "other.example");
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(calpn);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_session_cache_unref(cache);
}

static void drop_suite(tc_client_hello *ch, void *ctx) {
  uint16_t suite = *(const uint16_t *)ctx;
  static uint8_t out[512];
  size_t n = 0;
  for (size_t i = 0; i < ch->cipher_suites.n && n + 2 <= sizeof out; i++) {
    const uint8_t *p = ch->cipher_suites.p + 2 * i;
    if (((uint16_t)p[0] << 8 | p[1]) == suite)
      continue;
    out[n++] = p[0];
    out[n++] = p[1];
  }
  g_assert_cmpuint(n / 2, ==, ch->cipher_suites.n - 1);
  ch->cipher_suites = (tc_u16s){out, n / 2};
}

/* RFC 5246 §7.4.1.2: a client resuming MUST offer the session's suite;
 * one that does not is illegal_parameter (tlsfuzzer
 * test-resumption-with-wrong-ciphers). */
static void test_resume12_suite_missing(void) {
  tc_session_cache *cache;
  tc_config *scfg = resume_server(&cache);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_session *sess = first_session(ccfg, scfg);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  uint16_t suite = sess->suite;
  GByteArray *ch = edited_client_hello(c, drop_suite, &suite);
  assert_failed(s, feed_bytes(s, ch), TC_ERR_ILLEGAL_PARAMETER);
  g_byte_array_unref(ch);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_session_unref(sess);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  tc_session_cache_unref(cache);
}

/* A renegotiation offering the connection's own session ID resumes it:
 * the server answers with an abbreviated handshake under the old keys. */
static void test_reneg12_resume(void) {
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  static const uint16_t gcm[] = {0xC02F};
  ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, gcm, 1);
  tc_session_cache *cache;
  scfg = resume_server(&cache);
  tc_config_set_renegotiation(ccfg, TC_RENEG_SECURE);
  tc_config_set_renegotiation(scfg, TC_RENEG_SECURE);
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(s->c12.session_id_len, ==, 32);
  uint8_t sid[32];
  memcpy(sid, s->c12.session_id, 32);
  GByteArray *ch;
  reneg_take_client_hello(c, &ch);
  /* Put the session's ID in place of the new ClientHello's own. */
  size_t at = 4 + 2 + 32;
  size_t had = ch->data[at];
  g_byte_array_remove_range(ch, (guint)at + 1, (guint)had);
  ch->data[at] = 32;
  g_array_insert_vals((GArray *)ch, (guint)at + 1, sid, 32);
  size_t body = ch->len - 4;
  ch->data[1] = (uint8_t)(body >> 16);
  ch->data[2] = (uint8_t)(body >> 8);
  ch->data[3] = (uint8_t)body;
  raw_record(c, TC_CT_HANDSHAKE, ch->data, ch->len);
  g_byte_array_unref(ch);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_nonnull(s->hs);
  g_assert_true(s->hs->t12.resumed);
  g_assert_cmpmem(s->c12.session_id, s->c12.session_id_len, sid, 32);
  g_assert_cmpuint(s->state, ==, HS_S12_WAIT_FINISHED);
  free_pair(ccfg, scfg, c, s);
  tc_session_cache_unref(cache);
}

/* Whether the TLS 1.2 ServerHello of (ccfg, scfg) carries server_name. */
static bool sh_has_sni(bool ack) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  if (ack)
    tc_config_set_sni_ack(scfg, true);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  GByteArray *f = pump_drain(s);
  size_t bl;
  const uint8_t *body = find_record(f, TC_CT_HANDSHAKE, &bl);
  g_assert_nonnull(body);
  g_assert_cmpuint(body[0], ==, TC_HS_SERVER_HELLO);
  tc_server_hello sh;
  size_t shl = (size_t)body[1] << 16 | (size_t)body[2] << 8 | body[3];
  g_assert_cmpint(tc_msg_parse_server_hello(body + 4, shl, &sh, &err), ==, TC_OK);
  bool has = tc_exts_has(&sh.ext, TC_EXT_SERVER_NAME);
  g_byte_array_unref(f);
  free_pair(ccfg, scfg, c, s);
  return has;
}

/* TLS 1.2 servers do not acknowledge SNI unless configured to (as GnuTLS,
 * OpenSSL and tlslite-ng; tlsfuzzer test-bleichenbacher-workaround). */
static void test_sni_ack12(void) {
  g_assert_false(sh_has_sni(false));
  g_assert_true(sh_has_sni(true));
}

/* ---- TLS 1.3: the second ClientHello, EncryptedExtensions ---- */

/* Reverse the order of the extensions of the ClientHello in record a. */
static void reverse_extensions(GByteArray *a) {
  uint8_t *m = a->data + 5; /* the handshake message */
  size_t len = a->len - 5, p = 4 + 2 + 32;
  p += 1 + m[p];
  p += 2 + ((size_t)m[p] << 8 | m[p + 1]);
  p += 1 + m[p];
  size_t start = p + 2, end = start + ((size_t)m[p] << 8 | m[p + 1]);
  g_assert_cmpuint(end, ==, len);
  GByteArray *rev = g_byte_array_new();
  size_t offs[128], n = 0;
  for (size_t q = start; q + 4 <= end && n < 128; q += 4 + ((size_t)m[q + 2] << 8 | m[q + 3]))
    offs[n++] = q;
  g_assert_cmpuint(n, >=, 3);
  for (size_t i = n; i-- > 0;) {
    size_t el = 4 + ((size_t)m[offs[i] + 2] << 8 | m[offs[i] + 3]);
    g_byte_array_append(rev, m + offs[i], (guint)el);
  }
  g_assert_cmpuint(rev->len, ==, end - start);
  memcpy(m + start, rev->data, rev->len);
  g_byte_array_unref(rev);
}

/* RFC 8446 §4.1.2: the second ClientHello repeats the first except for the
 * listed changes; the same extensions in another order are refused with
 * illegal_parameter (tlsfuzzer test-tls13-shuffled-extentions). */
static void test_hrr_ch2_reordered(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  static const uint16_t cg[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1}, sg[] = {TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(ccfg, cg, 2, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_groups(scfg, sg, 1, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  g_assert_true(s->hs->hrr);
  g_assert_cmpint(deliver(s, c), ==, TC_OK);
  GByteArray *ch2 = pump_drain(c);
  size_t used;
  if (ch2->data[0] == TC_CT_CHANGE_CIPHER_SPEC) { /* middlebox compatibility */
    g_assert_cmpint(tc_conn_feed(s, ch2->data, 6, &used), ==, TC_OK);
    g_byte_array_remove_range(ch2, 0, 6);
  }
  g_assert_cmpuint(ch2->data[0], ==, TC_CT_HANDSHAKE);
  g_assert_cmpuint(ch2->len, ==, 5 + ((size_t)ch2->data[3] << 8 | ch2->data[4]));
  reverse_extensions(ch2);
  assert_failed(s, tc_conn_feed(s, ch2->data, ch2->len, &used), TC_ERR_ILLEGAL_PARAMETER);
  g_byte_array_unref(ch2);
  free_pair(ccfg, scfg, c, s);
}

/* Bytes of the server's first TLS 1.3 flight (RSA-PSS, fixed-size
 * signature), with or without supported_groups in EncryptedExtensions. */
static size_t tls13_flight_len(bool ee_groups) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
  static const uint16_t pss[] = {TC_SIG_RSA_PSS_RSAE_SHA256};
  g_assert_cmpint(tc_config_set_sig_schemes(ccfg, pss, 1, &err), ==, TC_OK);
  static const uint16_t g[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1};
  g_assert_cmpint(tc_config_set_groups(scfg, g, 2, &err), ==, TC_OK);
  tc_config_set_tickets(scfg, 0, 0);
  if (ee_groups)
    tc_config_set_ee_supported_groups(scfg, true);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(deliver(c, s), ==, TC_OK);
  GByteArray *f = pump_drain(s);
  size_t n = f->len;
  size_t used;
  g_assert_cmpint(tc_conn_feed(c, f->data, f->len, &used), ==, TC_OK);
  g_byte_array_unref(f);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  free_pair(ccfg, scfg, c, s);
  return n;
}

/* supported_groups in EncryptedExtensions only when configured (RFC 8448's
 * traces have it; GnuTLS and tlslite-ng do not send it): exactly the
 * extension's 4 + 2 + 2*2 bytes of difference. */
static void test_ee_supported_groups(void) {
  g_assert_cmpuint(tls13_flight_len(true), ==, tls13_flight_len(false) + 10);
}

/* ---- TLS 1.3 key shares and tickets ---- */

static void empty_first_share(tc_client_hello *ch, void *ctx) {
  (void)ctx;
  g_assert_cmpuint(ch->ext.n_key_shares, >=, 1);
  ch->ext.key_shares[0].key_exchange = (tc_bytes){NULL, 0};
}

static void truncate_first_share(tc_client_hello *ch, void *ctx) {
  (void)ctx;
  tc_bytes *kx = &ch->ext.key_shares[0].key_exchange;
  g_assert_cmpuint(kx->len, >, 1);
  kx->p++; /* drop the first byte: one short of the prime's length */
  kx->len--;
}

/* A TLS 1.3 ClientHello whose first (and only) share is edited. */
static void share_case(uint16_t group, void (*edit)(tc_client_hello *, void *), tc_err want) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *ccfg = pump_client_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
  tc_config *scfg = pump_server_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
  g_assert_cmpint(tc_config_set_groups(ccfg, &group, 1, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  GByteArray *ch = edited_client_hello(c, edit, NULL);
  assert_failed(s, feed_bytes(s, ch), want);
  g_byte_array_unref(ch);
  free_pair(ccfg, scfg, c, s);
}

/* An empty key_exchange is refused like a share of any other wrong length,
 * with illegal_parameter (as GnuTLS and tlslite-ng; tlsfuzzer
 * test-tls13-crfg-curves); an FFDHE share must be as long as the prime
 * (RFC 8446 §4.2.8.1; test-tls13-ffdhe-groups). */
static void test_tls13_share_lengths(void) {
  share_case(TC_GROUP_X25519, empty_first_share, TC_ERR_ILLEGAL_PARAMETER);
  share_case(TC_GROUP_X448, empty_first_share, TC_ERR_ILLEGAL_PARAMETER);
  share_case(TC_GROUP_FFDHE2048, truncate_first_share, TC_ERR_ILLEGAL_PARAMETER);
  share_case(TC_GROUP_FFDHE3072, truncate_first_share, TC_ERR_ILLEGAL_PARAMETER);
}

static void drop_psk_modes(tc_client_hello *ch, void *ctx) {
  (void)ctx;
  tc_exts_clear(&ch->ext, TC_EXT_PSK_KEY_EXCHANGE_MODES);
}

static void ke_only_modes(tc_client_hello *ch, void *ctx) {
  static const uint8_t ke[] = {TC_PSK_KE};
  (void)ctx;
  ch->ext.psk_modes = (tc_bytes){ke, 1};
}

/* Tickets go to a client that names no psk_key_exchange_modes (as GnuTLS,
 * OpenSSL and tlslite-ng send them; tlsfuzzer test-tls13-count-tickets),
 * not to one whose modes exclude ours. */
static void test_tls13_tickets_without_modes(void) {
  for (int i = 0; i < 2; i++) {
    tc_config *ccfg = pump_client_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
    tc_config *scfg = pump_server_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
    tc_config_set_psk_modes(scfg, TC_PSK_MODE_DHE_KE);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    GByteArray *ch = edited_client_hello(c, i == 0 ? drop_psk_modes : ke_only_modes, NULL);
    g_assert_cmpint(feed_bytes(s, ch), ==, TC_OK);
    g_assert_nonnull(s->hs);
    g_assert_cmpint(s->hs->client_can_resume, ==, i == 0);
    g_byte_array_unref(ch);
    free_pair(ccfg, scfg, c, s);
  }
}

/* ---- message types the state cannot take ---- */

/* A server waiting for a ClientHello gets another type, with a body longer
 * than that type may have: unexpected_message, not decode_error (tlsfuzzer
 * test-invalid-client-hello). */
static void test_wrong_type_for_client_hello(void) {
  static const uint8_t types[] = {0, 5, 14, 20, 24};
  for (size_t i = 0; i < sizeof types; i++) {
    tc_config *ccfg, *scfg;
    tc_conn *c, *s;
    new_pair(TC_TLS13, &ccfg, &scfg, &c, &s);
    GByteArray *ch = pump_drain(c);
    g_assert_cmpuint(ch->data[5], ==, TC_HS_CLIENT_HELLO);
    ch->data[5] = types[i];
    assert_failed(s, feed_bytes(s, ch), TC_ERR_UNEXPECTED_MESSAGE);
    g_byte_array_unref(ch);
    free_pair(ccfg, scfg, c, s);
  }
}

/* ---- legacy signatures (tc_config_set_legacy_signatures) ---- */

/* The body of the first plaintext handshake message of `type` in a flight
 * of records (a TLS 1.2 server's first flight); NULL if there is none. */
static const uint8_t *flight_msg(GByteArray *a, uint8_t type, size_t *len) {
  size_t off = 0;
  while (off + 5 <= a->len) {
    size_t rl = (size_t)a->data[off + 3] << 8 | a->data[off + 4];
    g_assert_cmpuint(off + 5 + rl, <=, a->len);
    for (size_t m = off + 5; a->data[off] == TC_CT_HANDSHAKE && m + 4 <= off + 5 + rl;) {
      size_t ml = (size_t)a->data[m + 1] << 16 | (size_t)a->data[m + 2] << 8 | a->data[m + 3];
      if (a->data[m] == type) {
        g_assert_cmpuint(m + 4 + ml, <=, off + 5 + rl);
        *len = ml;
        return a->data + m + 4;
      }
      m += 4 + ml;
    }
    off += 5 + rl;
  }
  return NULL;
}

static bool u16s_has(tc_u16s l, uint16_t v) {
  for (size_t i = 0; i < l.n; i++)
    if ((uint16_t)(l.p[2 * i] << 8 | l.p[2 * i + 1]) == v)
      return true;
  return false;
}

/* A TLS 1.2 pair with client certificates requested; the client signs with
 * `cert` and allows only `schemes`; the server's legacy setting is `legacy`. */
static void legacy_pair(bool legacy, const char *cert, const char *key, const uint16_t *schemes,
                        size_t n, tc_config **ccfg, tc_config **scfg, tc_conn **c, tc_conn **s) {
  tc_error err;
  tc_error_clear(&err);
  *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_client_auth(*scfg, TC_CLIENT_AUTH_REQUEST);
  tc_config_set_verify_mode(*scfg, TC_VERIFY_NONE);
  tc_config_set_legacy_signatures(*scfg, legacy);
  /* (EC)DHE suites only, so ServerKeyExchange is signed too */
  static const uint16_t suites[] = {0xc02f /* ECDHE_RSA_WITH_AES_128_GCM_SHA256 */,
                                    0xc02b /* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */};
  *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, suites, G_N_ELEMENTS(suites));
  pump_add_chain(*ccfg, cert, key);
  g_assert_cmpint(tc_config_set_sig_schemes(*ccfg, schemes, n, &err), ==, TC_OK);
  pump_new_pair(*ccfg, *scfg, c, s);
}

/* Off (the default), a TLS 1.2 server neither offers nor accepts SHA-1 or
 * SHA-224 signatures; on, its CertificateRequest lists the four legacy
 * pairs last, it signs ServerKeyExchange with them for a client that allows
 * nothing else and accepts them in CertificateVerify (tlsfuzzer's
 * client-auth scripts with tlslite-ng's setup). TLS 1.3 lists never carry
 * them. */
static void test_legacy_sigs12(void) {
  static const uint16_t legacy[] = {TC_SIG_RSA_PKCS1_SHA1, TC_SIG_ECDSA_SHA1,
                                    TC_SIG_RSA_PKCS1_SHA224, TC_SIG_ECDSA_SHA224};
  static const uint16_t modern_and_sha1[] = {TC_SIG_RSA_PKCS1_SHA256, TC_SIG_RSA_PKCS1_SHA1};
  for (int on = 0; on <= 1; on++) {
    tc_config *ccfg, *scfg;
    tc_conn *c, *s;
    /* the CertificateRequest on the wire */
    legacy_pair(on, "client-rsa.pem", "client-rsa-key.pem", modern_and_sha1, 2, &ccfg, &scfg, &c,
                &s);
    int fr = deliver(c, s);
    if (fr != TC_OK)
      g_test_message("server: %s", tc_conn_error(s)->message);
    g_assert_cmpint(fr, ==, TC_OK);
    GByteArray *flight = pump_drain(s);
    size_t crl = 0;
    const uint8_t *crb = flight_msg(flight, TC_HS_CERTIFICATE_REQUEST, &crl);
    g_assert_nonnull(crb);
    tc_certificate_request cr;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_certificate_request(crb, crl, TC_TLS12, &cr, &err), ==, TC_OK);
    g_assert_true(cr.has_sig_algs);
    g_assert_cmpuint(cr.sig_algs.n, >, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++) {
      g_assert_cmpint(u16s_has(cr.sig_algs, legacy[i]), ==, on);
      if (on) { /* last, in this order */
        const uint8_t *e = cr.sig_algs.p + 2 * (cr.sig_algs.n - 4 + i);
        g_assert_cmpuint((uint16_t)(e[0] << 8 | e[1]), ==, legacy[i]);
      }
    }
    g_assert_true(u16s_has(cr.sig_algs, TC_SIG_RSA_PKCS1_SHA256));
    g_byte_array_unref(flight);
    free_pair(ccfg, scfg, c, s);

    /* a client that allows only SHA-1 (RSA) or only SHA-224 (ECDSA) */
    static const struct {
      const char *cert, *key;
      uint16_t scheme;
    } only[] = {{"client-rsa.pem", "client-rsa-key.pem", TC_SIG_RSA_PKCS1_SHA1},
                {"client-ecdsa.pem", "client-ecdsa-key.pem", TC_SIG_ECDSA_SHA224},
                {"client-ecdsa.pem", "client-ecdsa-key.pem", TC_SIG_ECDSA_SHA1}};
    for (size_t i = 0; i < G_N_ELEMENTS(only); i++) {
      legacy_pair(on, only[i].cert, only[i].key, &only[i].scheme, 1, &ccfg, &scfg, &c, &s);
      int r = pump_handshake(c, s);
      if (on) {
        g_assert_cmpint(r, ==, TC_OK);
        tc_cert *const *pc = NULL;
        g_assert_cmpuint(tc_conn_peer_chain(s, &pc), ==, 1);
        g_assert_cmpuint(tc_conn_sig_scheme(c), ==, only[i].scheme); /* ServerKeyExchange */
        g_assert_cmpuint(tc_conn_sig_scheme(s), ==, only[i].scheme); /* CertificateVerify */
      } else {
        g_assert_cmpint(r, ==, TC_FAIL);
        g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
      }
      free_pair(ccfg, scfg, c, s);
    }

    /* TLS 1.3's lists (CertificateVerify, certificates) stay without them */
    scfg = tc_config_new(TC_ROLE_SERVER);
    tc_config_set_legacy_signatures(scfg, on);
    uint8_t enc[2 * TC_CFG_MAX_SCHEMES12];
    size_t n13 = tc_hs_encode_schemes(scfg, TC_SCHEMES_CV13, enc);
    size_t ncert = tc_hs_encode_schemes(scfg, TC_SCHEMES_CERT13, enc);
    g_assert_cmpuint(ncert, ==, scfg->n_schemes);
    for (size_t i = 0; i < ncert; i++)
      for (size_t j = 0; j < G_N_ELEMENTS(legacy); j++)
        g_assert_cmpuint((uint16_t)(enc[2 * i] << 8 | enc[2 * i + 1]), !=, legacy[j]);
    g_assert_cmpuint(n13, <=, ncert);
    g_assert_cmpuint(tc_hs_encode_schemes(scfg, TC_SCHEMES_TLS12, enc), ==,
                     scfg->n_schemes + (on ? 4 : 0));
    tc_config_unref(scfg);
  }
}

/* ---- certificate compression (RFC 8879) ---- */

/* A test codec under the zlib and zstd code points: "compressed" is the plain text
 * (or, with `pad`, the plain text and one more byte); decompression takes
 * only input exactly as long as the declared output. Counts its calls. */
typedef struct test_codec {
  int compressed, decompressed;
  bool pad;
} test_codec;

static int tc_compress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len, uint8_t **out,
                       size_t *out_len) {
  test_codec *t = ctx;
  g_assert_cmpuint(alg, ==, TC_CERT_COMPRESSION_ZLIB);
  *out = malloc(in_len + 1);
  g_assert_nonnull(*out);
  memcpy(*out, in, in_len);
  (*out)[in_len] = 0;
  *out_len = in_len + (t->pad ? 1 : 0);
  t->compressed++;
  return 0;
}

static int tc_decompress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t out_len) {
  test_codec *t = ctx;
  t->decompressed++;
  if ((alg != TC_CERT_COMPRESSION_ZLIB && alg != TC_CERT_COMPRESSION_ZSTD) || in_len != out_len)
    return -1;
  memcpy(out, in, out_len);
  return 0;
}

static void set_codec(tc_config *cfg, test_codec *t) {
  static const uint16_t algs[] = {TC_CERT_COMPRESSION_ZLIB, TC_CERT_COMPRESSION_ZSTD};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cert_compression(cfg, algs, 2, tc_compress, tc_decompress, t, &err),
                  ==, TC_OK);
}

/* TLS 1.3 with client certificates: both sides configured, each
 * Certificate goes compressed and is taken back; one side only, none is;
 * a CompressedCertificate that does not decompress to its declared length
 * is bad_certificate. */
static void test_cert_compression(void) {
  for (int mode = 0; mode < 4; mode++) { /* both, server only, client only, bad length */
    test_codec sc = {0}, cc = {0};
    cc.pad = mode == 3;
    tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
    tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
    tc_config_set_verify_mode(scfg, TC_VERIFY_NONE);
    tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
    pump_add_chain(ccfg, "client-rsa.pem", "client-rsa-key.pem");
    if (mode != 2)
      set_codec(scfg, &sc);
    if (mode != 1)
      set_codec(ccfg, &cc);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    int r = pump_handshake(c, s);
    if (mode == 3) {
      g_assert_cmpint(r, ==, TC_FAIL);
      g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_BAD_CERTIFICATE);
      g_assert_cmpint(sc.decompressed, ==, 1);
      free_pair(ccfg, scfg, c, s);
      continue;
    }
    g_assert_cmpint(r, ==, TC_OK);
    g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS13);
    tc_cert *const *pc = NULL;
    g_assert_cmpuint(tc_conn_peer_chain(s, &pc), ==, 1);
    g_assert_cmpuint(tc_conn_peer_chain(c, &pc), >=, 1);
    int both = mode == 0;
    g_assert_cmpint(sc.compressed, ==, both);   /* server Certificate */
    g_assert_cmpint(cc.decompressed, ==, both);
    g_assert_cmpint(cc.compressed, ==, both);   /* client Certificate */
    g_assert_cmpint(sc.decompressed, ==, both);
    g_assert_cmpuint(tc_conn_peer_cert_compression(c), ==, both ? TC_CERT_COMPRESSION_ZLIB : 0);
    g_assert_cmpuint(tc_conn_peer_cert_compression(s), ==, both ? TC_CERT_COMPRESSION_ZLIB : 0);
    free_pair(ccfg, scfg, c, s);
  }
}

/* The CompressedCertificate checks one by one (RFC 8879 §4). */
static void test_cert_compression_checks(void) {
  static const struct {
    const char *hex;
    tc_err code;
  } cases[] = {
      {"0001 000004 000000", TC_ERR_DECODE_ERROR},              /* empty message */
      {"0001 000004 000004 00000000 00", TC_ERR_DECODE_ERROR},  /* trailing byte */
      {"0001 000004 0000", TC_ERR_DECODE_ERROR},                /* truncated */
      {"0002 000004 000004 00000000", TC_ERR_ILLEGAL_PARAMETER}, /* brotli: not ours */
      {"0001 000005 000004 00000000", TC_ERR_BAD_CERTIFICATE},  /* length mismatch */
      {"0001 000003 000003 000000", TC_ERR_BAD_CERTIFICATE},    /* under a Certificate */
      {"0001 ffffff 000004 00000000", TC_ERR_BAD_CERTIFICATE},  /* over the limit */
      {"0003 000004 000004 00000000", TC_ERR_NONE},             /* zstd code, ours */
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    test_codec sc = {0};
    tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
    set_codec(scfg, &sc);
    tc_error err;
    tc_error_clear(&err);
    tc_conn *s = tc_conn_new(scfg, &err);
    g_assert_nonnull(s);
    uint8_t msg[32];
    size_t n = 0;
    for (const char *h = cases[i].hex; *h;) {
      if (*h == ' ') {
        h++;
        continue;
      }
      g_assert_cmpuint(n, <, sizeof msg);
      msg[n++] = (uint8_t)(g_ascii_xdigit_value(h[0]) << 4 | g_ascii_xdigit_value(h[1]));
      h += 2;
    }
    uint8_t *out = NULL;
    size_t ol = 0;
    int r = tc_hs_decompress_certificate(s, msg, n, &out, &ol);
    g_test_message("case %zu: %s", i, tc_conn_error(s)->message);
    if (cases[i].code == TC_ERR_NONE) {
      g_assert_cmpint(r, ==, TC_OK);
      g_assert_cmpuint(ol, ==, 4);
      g_assert_cmpmem(out, ol, "\0\0\0\0", 4);
    } else {
      g_assert_cmpint(r, ==, TC_FAIL);
      g_assert_null(out);
      g_assert_cmpint(tc_conn_error(s)->code, ==, cases[i].code);
    }
    free(out);
    tc_conn_free(s);
    tc_config_unref(scfg);
  }
  /* the configuration checks its arguments */
  tc_config *cfg = tc_config_new(TC_ROLE_CLIENT);
  tc_error err;
  tc_error_clear(&err);
  static const uint16_t dup[] = {1, 1}, zero[] = {0};
  g_assert_cmpint(tc_config_set_cert_compression(cfg, dup, 2, NULL, tc_decompress, NULL, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(tc_config_set_cert_compression(cfg, zero, 1, NULL, tc_decompress, NULL, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(tc_config_set_cert_compression(cfg, dup, 1, NULL, NULL, NULL, &err), ==, TC_FAIL);
  g_assert_cmpint(tc_config_set_cert_compression(cfg, NULL, 0, NULL, NULL, NULL, &err), ==, TC_OK);
  tc_config_unref(cfg);
}

/* ---- post-handshake authentication (RFC 8446 §4.6.2) ---- */

static tc_config *pha_client(bool offer, bool cert) {
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  if (cert)
    pump_add_chain(ccfg, "client-rsa.pem", "client-rsa-key.pem");
  tc_config_set_post_handshake_auth(ccfg, offer);
  return ccfg;
}

/* A server asks after the handshake; a client that offered it answers
 * with its certificate (or an empty one), the server checks Certificate,
 * CertificateVerify and Finished under the application secrets, and data
 * keeps flowing. Twice on one connection. */
static void test_post_handshake_auth(void) {
  static const unsigned char data[500] = {9, 8, 7};
  for (int cert = 1; cert >= 0; cert--) {
    tc_config *ccfg = pha_client(true, cert), *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
    /* the client's chain is verified (builtin) against its CA */
    tc_trust_store *trust = pump_load_trust("ca-rsa.pem");
    tc_config_set_trust_store(scfg, trust);
    tc_trust_store_unref(trust);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS13);
    tc_cert *const *pc = NULL;
    g_assert_cmpuint(tc_conn_peer_chain(s, &pc), ==, 0);
    for (int round = 1; round <= 2; round++) {
      tc_error err;
      tc_error_clear(&err);
      g_assert_cmpint(tc_conn_request_post_handshake_auth(s, &err), ==, TC_OK);
      /* one under way: a second request waits */
      g_assert_cmpint(tc_conn_request_post_handshake_auth(s, &err), ==, TC_FAIL);
      g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
      int pr = pump(c, s, 20);
      if (pr != TC_OK)
        g_test_message("client '%s' server '%s'", tc_conn_error(c)->message,
                       tc_conn_error(s)->message);
      g_assert_cmpint(pr, ==, TC_OK);
      g_assert_cmpint(tc_conn_post_handshake_auth_count(s), ==, round);
      g_assert_cmpint(tc_conn_post_handshake_auth_count(c), ==, round);
      g_assert_cmpuint(tc_conn_peer_chain(s, &pc), ==, cert ? 1 : 0);
      if (cert)
        g_assert_cmpuint(tc_conn_sig_scheme(s), !=, 0);
      g_assert_true(pump_transfer(c, s, data, sizeof data));
      g_assert_true(pump_transfer(s, c, data, sizeof data));
    }
    free_pair(ccfg, scfg, c, s);
  }
}

/* Refused without touching the connection: the client did not offer it,
 * TLS 1.2, a client asking. */
static void test_post_handshake_auth_refused(void) {
  static const unsigned char data[100] = {1};
  for (int k = 0; k < 2; k++) {
    tc_config *ccfg = pha_client(k == 1, true);
    tc_config *scfg = pump_server_cfg12(TC_TLS12, k == 1 ? TC_TLS12 : TC_TLS13, NULL, 0);
    tc_conn *c, *s;
    pump_new_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_request_post_handshake_auth(s, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, k == 0 ? TC_ERR_UNSUPPORTED : TC_ERR_INVALID_ARGUMENT);
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_request_post_handshake_auth(c, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
    g_assert_true(pump_transfer(c, s, data, sizeof data));
    g_assert_true(pump_transfer(s, c, data, sizeof data));
    g_assert_cmpint(tc_conn_post_handshake_auth_count(s), ==, 0);
    free_pair(ccfg, scfg, c, s);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/wire/warning-alert-flood", test_warning_alert_flood);
  g_test_add_func("/wire/tls13-second-ccs", test_tls13_second_ccs);
  g_test_add_func("/wire/empty-record-flood", test_empty_record_flood);
  g_test_add_func("/wire/key-update-flood", test_key_update_flood);
  g_test_add_func("/wire/point-formats", test_point_formats);
  g_test_add_func("/wire/sni-syntax", test_sni_syntax);
  g_test_add_func("/wire/tls13-legacy-version", test_tls13_legacy_version);
  g_test_add_func("/wire/tls13-obsolete-group", test_tls13_obsolete_group);
  g_test_add_func("/wire/ffdhe-no-overlap", test_ffdhe_no_overlap);
  g_test_add_func("/wire/hrr-cookie", test_hrr_cookie);
  g_test_add_func("/wire/early-data-skip", test_early_data_skip);
  g_test_add_func("/wire/early-data-after-decrypt", test_early_data_after_decrypt);
  g_test_add_func("/wire/early-data-after-hrr", test_early_data_after_hrr);
  g_test_add_func("/wire/reneg12-ccs-protected", test_reneg12_ccs_protected);
  g_test_add_func("/wire/reneg12-app-data-interleaved", test_reneg12_app_data_interleaved);
  g_test_add_func("/wire/reneg12-app-data-before-finished", test_reneg12_app_data_before_finished);
  g_test_add_func("/wire/reneg12-ems-dropped", test_reneg12_ems_dropped);
  g_test_add_func("/wire/resume12-alpn-sni", test_resume12_alpn_sni);
  g_test_add_func("/wire/resume12-suite-missing", test_resume12_suite_missing);
  g_test_add_func("/wire/reneg12-resume", test_reneg12_resume);
  g_test_add_func("/wire/sni-ack12", test_sni_ack12);
  g_test_add_func("/wire/hrr-ch2-reordered", test_hrr_ch2_reordered);
  g_test_add_func("/wire/ee-supported-groups", test_ee_supported_groups);
  g_test_add_func("/wire/tls13-share-lengths", test_tls13_share_lengths);
  g_test_add_func("/wire/tls13-tickets-without-modes", test_tls13_tickets_without_modes);
  g_test_add_func("/wire/wrong-type-for-client-hello", test_wrong_type_for_client_hello);
  g_test_add_func("/wire/legacy-sigs12", test_legacy_sigs12);
  g_test_add_func("/wire/cert-compression", test_cert_compression);
  g_test_add_func("/wire/cert-compression-checks", test_cert_compression_checks);
  g_test_add_func("/wire/post-handshake-auth", test_post_handshake_auth);
  g_test_add_func("/wire/post-handshake-auth-refused", test_post_handshake_auth_refused);
  return g_test_run();
}
