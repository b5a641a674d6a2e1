/* Unit tests for tlscore/msg: reader/writer, every handshake message and extension, RFC 8448 bytes. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "tlscore/config.h"

#include "msg-vectors.h"

/* ---- helpers ---- */

static uint8_t *unhex(const char *hex, size_t *len) {
  size_t n = strlen(hex) / 2;
  uint8_t *out = g_malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    g_assert_true(sscanf(hex + 2 * i, "%2x", &v) == 1);
    out[i] = (uint8_t)v;
  }
  *len = n;
  return out;
}

static bool bytes_eq(tc_bytes b, const void *p, size_t len) {
  return b.len == len && (len == 0 || memcmp(b.p, p, len) == 0);
}

static bool bytes_eq_hex(tc_bytes b, const char *hex) {
  size_t n;
  uint8_t *v = unhex(hex, &n);
  bool ok = bytes_eq(b, v, n);
  g_free(v);
  return ok;
}

#define B(s) ((tc_bytes){(const uint8_t *)(s), sizeof(s) - 1})

static const uint8_t suites_raw[] = {0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2f};
static const uint8_t groups_raw[] = {0x00, 0x1d, 0x00, 0x17, 0x00, 0x18};
static const uint8_t sigs_raw[] = {0x08, 0x04, 0x04, 0x03, 0x08, 0x07};
static const uint8_t versions_raw[] = {0x03, 0x04, 0x03, 0x03};
static const uint8_t zero = 0;
static const uint8_t key32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t key65[65] = {4, 9, 9, 9};
/* Two DistinguishedNames: <len 3> "abc", <len 2> "de". */
static const uint8_t dns_raw[] = {0, 3, 'a', 'b', 'c', 0, 2, 'd', 'e'};
static const uint8_t binder_a[32] = {0xaa, 0xab};
static const uint8_t binder_b[48] = {0xbb, 0xbc};

static void fill_client_hello(tc_client_hello *ch, bool with_psk) {
  memset(ch, 0, sizeof *ch);
  ch->legacy_version = TC_TLS12;
  memset(ch->random, 0x42, 32);
  ch->session_id_len = 32;
  memset(ch->session_id, 0x17, 32);
  ch->cipher_suites = (tc_u16s){suites_raw, 4};
  ch->compression_methods = (tc_bytes){&zero, 1};
  ch->has_extensions = true;
  tc_exts *e = &ch->ext;
  static const uint16_t types[] = {
      TC_EXT_SERVER_NAME, TC_EXT_MAX_FRAGMENT_LENGTH, TC_EXT_STATUS_REQUEST,
      TC_EXT_SUPPORTED_GROUPS, TC_EXT_EC_POINT_FORMATS, TC_EXT_SRP, TC_EXT_SIGNATURE_ALGORITHMS,
      TC_EXT_ALPN, TC_EXT_PADDING, TC_EXT_ENCRYPT_THEN_MAC, TC_EXT_EXTENDED_MASTER_SECRET,
      TC_EXT_RECORD_SIZE_LIMIT, TC_EXT_SESSION_TICKET, TC_EXT_EARLY_DATA,
      TC_EXT_SUPPORTED_VERSIONS, TC_EXT_COOKIE, TC_EXT_PSK_KEY_EXCHANGE_MODES,
      TC_EXT_CERTIFICATE_AUTHORITIES, TC_EXT_POST_HANDSHAKE_AUTH,
      TC_EXT_SIGNATURE_ALGORITHMS_CERT, TC_EXT_KEY_SHARE, TC_EXT_RENEGOTIATION_INFO};
  for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
    tc_exts_set(e, types[i]);
  e->server_name = B("example.com");
  e->max_fragment_length = 2;
  e->status_type = TC_STATUS_TYPE_OCSP;
  e->groups = (tc_u16s){groups_raw, 3};
  e->ec_point_formats = (tc_bytes){&zero, 1};
  e->srp_identity = B("alice");
  e->sig_algs = (tc_u16s){sigs_raw, 3};
  e->sig_algs_cert = (tc_u16s){sigs_raw, 2};
  e->alpn[0] = B("h2");
  e->alpn[1] = B("http/1.1");
  e->n_alpn = 2;
  e->padding_len = 17;
  e->record_size_limit = 16385;
  e->session_ticket = B("ticket!");
  e->versions = (tc_u16s){versions_raw, 2};
  e->cookie = B("cookie");
  e->psk_modes = B("\x01");
  e->certificate_authorities = (tc_bytes){dns_raw, sizeof dns_raw};
  e->key_shares[0] = (tc_key_share_entry){TC_GROUP_X25519, {key32, 32}};
  e->key_shares[1] = (tc_key_share_entry){TC_GROUP_SECP256R1, {key65, 65}};
  e->n_key_shares = 2;
  e->renegotiation_info = (tc_bytes){NULL, 0};
  if (with_psk) {
    tc_exts_set(e, TC_EXT_PRE_SHARED_KEY);
    e->psk_identities[0] = (tc_psk_identity){B("identity-one"), 0x01020304};
    e->psk_identities[1] = (tc_psk_identity){B("id2"), 0xfffffffe};
    e->n_psk_identities = 2;
    e->psk_binders[0] = (tc_bytes){NULL, 32}; /* placeholders */
    e->psk_binders[1] = (tc_bytes){NULL, 48};
    e->n_psk_binders = 2;
  }
}

/* ---- message cases shared by the round-trip, truncation and trailing-byte tests ---- */

typedef void (*build_fn)(tc_writer *w);
/* Parse body; if w is non-NULL, write the parsed struct back as a full message. */
typedef int (*rt_fn)(const uint8_t *body, size_t len, tc_writer *w, tc_error *err);
/* Body offset at which a truncated message is legitimately valid (the
 * optional extension block of hellos), or SIZE_MAX. */
typedef size_t (*tail_fn)(const uint8_t *body, size_t len);

typedef struct msg_case {
  const char *name;
  build_fn build;
  rt_fn rt;
  tail_fn tail;
  bool exact_rt; /* rewriting the parsed struct must reproduce the bytes */
} msg_case;

static void b_ch(tc_writer *w) {
  tc_client_hello ch;
  fill_client_hello(&ch, true);
  g_assert_cmpint(tc_msg_write_client_hello(w, &ch), ==, TC_OK);
}
static int rt_ch(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_client_hello ch;
  int r = tc_msg_parse_client_hello(body, len, &ch, err);
  return r == TC_OK && w ? tc_msg_write_client_hello(w, &ch) : r;
}
static size_t tail_ch(const uint8_t *body, size_t len) {
  tc_client_hello ch;
  tc_error err;
  tc_error_clear(&err);
  if (tc_msg_parse_client_hello(body, len, &ch, &err) != TC_OK)
    return SIZE_MAX;
  return 2 + 32 + 1 + ch.session_id_len + 2 + 2 * ch.cipher_suites.n + 1 +
         ch.compression_methods.len;
}

static void b_sh13(tc_writer *w) {
  tc_server_hello sh;
  memset(&sh, 0, sizeof sh);
  sh.legacy_version = TC_TLS12;
  memset(sh.random, 0x33, 32);
  sh.session_id_len = 5;
  memset(sh.session_id, 0x44, 5);
  sh.cipher_suite = TC_TLS_AES_256_GCM_SHA384;
  sh.has_extensions = true;
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_KEY_SHARE);
  tc_exts_set(&sh.ext, TC_EXT_PRE_SHARED_KEY);
  sh.ext.selected_version = TC_TLS13;
  sh.ext.server_share = (tc_key_share_entry){TC_GROUP_X25519, {key32, 32}};
  sh.ext.psk_selected = 1;
  g_assert_cmpint(tc_msg_write_server_hello(w, &sh), ==, TC_OK);
}
static void b_sh12(tc_writer *w) {
  tc_server_hello sh;
  memset(&sh, 0, sizeof sh);
  sh.legacy_version = TC_TLS12;
  memset(sh.random, 0x35, 32);
  sh.cipher_suite = 0xc02f;
  sh.has_extensions = true;
  static const uint16_t types[] = {TC_EXT_SERVER_NAME, TC_EXT_MAX_FRAGMENT_LENGTH,
                                   TC_EXT_STATUS_REQUEST, TC_EXT_EC_POINT_FORMATS, TC_EXT_ALPN,
                                   TC_EXT_ENCRYPT_THEN_MAC, TC_EXT_EXTENDED_MASTER_SECRET,
                                   TC_EXT_RECORD_SIZE_LIMIT, TC_EXT_SESSION_TICKET,
                                   TC_EXT_RENEGOTIATION_INFO};
  for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
    tc_exts_set(&sh.ext, types[i]);
  sh.ext.max_fragment_length = 4;
  sh.ext.ec_point_formats = (tc_bytes){&zero, 1};
  sh.ext.alpn[0] = B("http/1.1");
  sh.ext.n_alpn = 1;
  sh.ext.record_size_limit = 512;
  sh.ext.renegotiation_info = B("0123456789ab0123456789ab");
  g_assert_cmpint(tc_msg_write_server_hello(w, &sh), ==, TC_OK);
}
static void b_hrr(tc_writer *w) {
  tc_server_hello sh;
  memset(&sh, 0, sizeof sh);
  sh.legacy_version = TC_TLS12;
  memcpy(sh.random, tc_hrr_random, 32);
  sh.cipher_suite = TC_TLS_AES_128_GCM_SHA256;
  sh.has_extensions = true;
  sh.is_hrr = true;
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_KEY_SHARE);
  tc_exts_set(&sh.ext, TC_EXT_COOKIE);
  sh.ext.selected_version = TC_TLS13;
  sh.ext.hrr_group = TC_GROUP_SECP384R1;
  sh.ext.cookie = B("a cookie for you");
  g_assert_cmpint(tc_msg_write_server_hello(w, &sh), ==, TC_OK);
}
static int rt_sh(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_server_hello sh;
  int r = tc_msg_parse_server_hello(body, len, &sh, err);
  return r == TC_OK && w ? tc_msg_write_server_hello(w, &sh) : r;
}
static size_t tail_sh(const uint8_t *body, size_t len) {
  tc_server_hello sh;
  tc_error err;
  tc_error_clear(&err);
  if (tc_msg_parse_server_hello(body, len, &sh, &err) != TC_OK)
    return SIZE_MAX;
  return 2 + 32 + 1 + sh.session_id_len + 3;
}

static void b_ee(tc_writer *w) {
  tc_encrypted_extensions ee;
  memset(&ee, 0, sizeof ee);
  tc_exts *e = &ee.ext;
  tc_exts_set(e, TC_EXT_SERVER_NAME);
  tc_exts_set(e, TC_EXT_MAX_FRAGMENT_LENGTH);
  tc_exts_set(e, TC_EXT_SUPPORTED_GROUPS);
  tc_exts_set(e, TC_EXT_ALPN);
  tc_exts_set(e, TC_EXT_EARLY_DATA);
  tc_exts_set(e, TC_EXT_RECORD_SIZE_LIMIT);
  e->max_fragment_length = 1;
  e->groups = (tc_u16s){groups_raw, 3};
  e->alpn[0] = B("h2");
  e->n_alpn = 1;
  e->record_size_limit = 16385;
  g_assert_cmpint(tc_msg_write_encrypted_extensions(w, &ee), ==, TC_OK);
}
static int rt_ee(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_encrypted_extensions ee;
  int r = tc_msg_parse_encrypted_extensions(body, len, &ee, err);
  return r == TC_OK && w ? tc_msg_write_encrypted_extensions(w, &ee) : r;
}

static void b_cert13(tc_writer *w) {
  tc_certificate c;
  memset(&c, 0, sizeof c);
  c.tls13 = true;
  c.request_context = B("ctx");
  c.entries[0].cert = B("\x30\x03\x02\x01\x01");
  c.entries[0].ocsp = B("OCSP-RESPONSE");
  c.entries[1].cert = B("\x30\x03\x02\x01\x02");
  c.n_entries = 2;
  g_assert_cmpint(tc_msg_write_certificate(w, &c), ==, TC_OK);
}
static void b_cert12(tc_writer *w) {
  tc_certificate c;
  memset(&c, 0, sizeof c);
  c.entries[0].cert = B("\x30\x03\x02\x01\x01");
  c.entries[1].cert = B("\x30\x03\x02\x01\x02");
  c.entries[2].cert = B("\x30\x00");
  c.n_entries = 3;
  g_assert_cmpint(tc_msg_write_certificate(w, &c), ==, TC_OK);
}
static int rt_cert(uint16_t v, const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_certificate c;
  int r = tc_msg_parse_certificate(body, len, v, &c, err);
  return r == TC_OK && w ? tc_msg_write_certificate(w, &c) : r;
}
static int rt_cert13(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_cert(TC_TLS13, b, l, w, e);
}
static int rt_cert12(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_cert(TC_TLS12, b, l, w, e);
}

static void b_cr13(tc_writer *w) {
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.tls13 = true;
  cr.context = B("\x01\x02");
  tc_exts_set(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS);
  tc_exts_set(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS_CERT);
  tc_exts_set(&cr.ext, TC_EXT_CERTIFICATE_AUTHORITIES);
  tc_exts_set(&cr.ext, TC_EXT_STATUS_REQUEST);
  tc_exts_set(&cr.ext, TC_EXT_OID_FILTERS);
  cr.ext.sig_algs = (tc_u16s){sigs_raw, 3};
  cr.ext.sig_algs_cert = (tc_u16s){sigs_raw, 1};
  cr.ext.certificate_authorities = (tc_bytes){dns_raw, sizeof dns_raw};
  cr.ext.status_type = TC_STATUS_TYPE_OCSP;
  cr.ext.status_responder_ids = B("\x00\x01\x05");
  /* one filter: OID 2.5.29.37 (3 bytes), values: 0 bytes */
  cr.ext.oid_filters = B("\x03\x55\x1d\x25\x00\x00");
  g_assert_cmpint(tc_msg_write_certificate_request(w, &cr), ==, TC_OK);
}
static void b_cr12(tc_writer *w) {
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.cert_types = B("\x01\x40");
  cr.has_sig_algs = true;
  cr.sig_algs = (tc_u16s){sigs_raw, 3};
  cr.authorities = (tc_bytes){dns_raw, sizeof dns_raw};
  g_assert_cmpint(tc_msg_write_certificate_request(w, &cr), ==, TC_OK);
}
static void b_cr11(tc_writer *w) {
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.cert_types = B("\x01");
  g_assert_cmpint(tc_msg_write_certificate_request(w, &cr), ==, TC_OK);
}
static void b_cr13_empty_status(tc_writer *w) {
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.tls13 = true;
  tc_exts_set(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS);
  tc_exts_set(&cr.ext, TC_EXT_STATUS_REQUEST); /* status_type 0: empty body */
  cr.ext.sig_algs = (tc_u16s){sigs_raw, 3};
  g_assert_cmpint(tc_msg_write_certificate_request(w, &cr), ==, TC_OK);
}
static int rt_cr(uint16_t v, const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_certificate_request cr;
  int r = tc_msg_parse_certificate_request(body, len, v, &cr, err);
  return r == TC_OK && w ? tc_msg_write_certificate_request(w, &cr) : r;
}
static int rt_cr13(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_cr(TC_TLS13, b, l, w, e);
}
static int rt_cr12(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_cr(TC_TLS12, b, l, w, e);
}
static int rt_cr11(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_cr(TC_TLS11, b, l, w, e);
}

static void b_cv12(tc_writer *w) {
  tc_certificate_verify cv = {true, TC_SIG_ECDSA_SECP256R1_SHA256, B("signature bytes")};
  g_assert_cmpint(tc_msg_write_certificate_verify(w, &cv), ==, TC_OK);
}
static void b_cv10(tc_writer *w) {
  tc_certificate_verify cv = {false, 0, B("md5+sha1 signature")};
  g_assert_cmpint(tc_msg_write_certificate_verify(w, &cv), ==, TC_OK);
}
static int rt_cv12(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_certificate_verify cv;
  int r = tc_msg_parse_certificate_verify(body, len, TC_TLS13, &cv, err);
  return r == TC_OK && w ? tc_msg_write_certificate_verify(w, &cv) : r;
}
static int rt_cv10(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_certificate_verify cv;
  int r = tc_msg_parse_certificate_verify(body, len, TC_TLS10, &cv, err);
  return r == TC_OK && w ? tc_msg_write_certificate_verify(w, &cv) : r;
}

static void b_fin(tc_writer *w) {
  tc_finished f = {B("twelve bytes")};
  g_assert_cmpint(tc_msg_write_finished(w, &f), ==, TC_OK);
}
static int rt_fin12(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_finished f;
  int r = tc_msg_parse_finished(body, len, 12, &f, err);
  return r == TC_OK && w ? tc_msg_write_finished(w, &f) : r;
}
static int rt_fin32(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_finished f;
  int r = tc_msg_parse_finished(body, len, 32, &f, err);
  return r == TC_OK && w ? tc_msg_write_finished(w, &f) : r;
}

static void b_nst13(tc_writer *w) {
  tc_new_session_ticket t;
  memset(&t, 0, sizeof t);
  t.tls13 = true;
  t.lifetime = 7200;
  t.age_add = 0xdeadbeef;
  t.nonce = B("\x00\x01");
  t.ticket = B("opaque ticket");
  tc_exts_set(&t.ext, TC_EXT_EARLY_DATA);
  t.ext.max_early_data_size = 16384;
  g_assert_cmpint(tc_msg_write_new_session_ticket(w, &t), ==, TC_OK);
}
static void b_nst12(tc_writer *w) {
  tc_new_session_ticket t;
  memset(&t, 0, sizeof t);
  t.lifetime = 300;
  t.ticket = B("rfc5077 ticket");
  g_assert_cmpint(tc_msg_write_new_session_ticket(w, &t), ==, TC_OK);
}
static int rt_nst(uint16_t v, const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_new_session_ticket t;
  int r = tc_msg_parse_new_session_ticket(body, len, v, &t, err);
  return r == TC_OK && w ? tc_msg_write_new_session_ticket(w, &t) : r;
}
static int rt_nst13(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_nst(TC_TLS13, b, l, w, e);
}
static int rt_nst12(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_nst(TC_TLS12, b, l, w, e);
}

static void b_ku(tc_writer *w) {
  tc_key_update ku = {TC_KEY_UPDATE_REQUESTED};
  g_assert_cmpint(tc_msg_write_key_update(w, &ku), ==, TC_OK);
}
static int rt_ku(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_key_update ku;
  int r = tc_msg_parse_key_update(body, len, &ku, err);
  return r == TC_OK && w ? tc_msg_write_key_update(w, &ku) : r;
}

static void b_eoed(tc_writer *w) { g_assert_cmpint(tc_msg_write_empty(w, TC_HS_END_OF_EARLY_DATA), ==, TC_OK); }
static void b_shd(tc_writer *w) { g_assert_cmpint(tc_msg_write_empty(w, TC_HS_SERVER_HELLO_DONE), ==, TC_OK); }
static void b_hr(tc_writer *w) { g_assert_cmpint(tc_msg_write_empty(w, TC_HS_HELLO_REQUEST), ==, TC_OK); }
static int rt_empty(uint8_t type, const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  int r = tc_msg_parse_empty(type, body, len, err);
  return r == TC_OK && w ? tc_msg_write_empty(w, type) : r;
}
static int rt_eoed(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_empty(TC_HS_END_OF_EARLY_DATA, b, l, w, e);
}
static int rt_shd(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_empty(TC_HS_SERVER_HELLO_DONE, b, l, w, e);
}
static int rt_hr(const uint8_t *b, size_t l, tc_writer *w, tc_error *e) {
  return rt_empty(TC_HS_HELLO_REQUEST, b, l, w, e);
}

static void b_cs(tc_writer *w) {
  tc_certificate_status cs = {TC_STATUS_TYPE_OCSP, B("ocsp response der")};
  g_assert_cmpint(tc_msg_write_certificate_status(w, &cs), ==, TC_OK);
}
static int rt_cs(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_certificate_status cs;
  int r = tc_msg_parse_certificate_status(body, len, &cs, err);
  return r == TC_OK && w ? tc_msg_write_certificate_status(w, &cs) : r;
}

/* ServerKeyExchange variants: kx, signed, version. */
typedef struct ske_variant {
  tc_kx kx;
  bool signed_;
  uint16_t version;
} ske_variant;
static const ske_variant ske_variants[] = {
    {TC_KX_ECDHE, true, TC_TLS12}, {TC_KX_DHE, true, TC_TLS10},      {TC_KX_PSK, false, TC_TLS12},
    {TC_KX_DHE_PSK, false, TC_TLS12}, {TC_KX_ECDHE_PSK, false, TC_TLS12}, {TC_KX_SRP, true, TC_TLS12},
    {TC_KX_SRP, false, TC_TLS11},     {TC_KX_RSA_PSK, false, TC_TLS12},
};

static void fill_ske(const ske_variant *v, tc_server_key_exchange *s) {
  memset(s, 0, sizeof *s);
  s->kx = v->kx;
  s->psk_hint = B("hint");
  s->dh_p = B("\xff\xff\xff\xfb");
  s->dh_g = B("\x02");
  s->dh_ys = B("\x12\x34\x56");
  s->group = TC_GROUP_SECP256R1;
  s->ec_point = (tc_bytes){key65, 65};
  s->srp_n = B("\xee\xaf\x0a\xb9");
  s->srp_g = B("\x02");
  s->srp_s = B("salt");
  s->srp_b = B("\x01\x02\x03");
  s->has_signature = v->signed_;
  s->has_scheme = v->signed_ && v->version >= TC_TLS12;
  s->scheme = TC_SIG_RSA_PSS_RSAE_SHA256;
  s->signature = B("a signature");
}

static int ske_idx;
static void b_ske(tc_writer *w) {
  tc_server_key_exchange s;
  fill_ske(&ske_variants[ske_idx], &s);
  g_assert_cmpint(tc_msg_write_server_key_exchange(w, &s), ==, TC_OK);
}
static int rt_ske(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  const ske_variant *v = &ske_variants[ske_idx];
  tc_server_key_exchange s;
  int r = tc_msg_parse_server_key_exchange(body, len, v->kx, v->signed_, v->version, &s, err);
  return r == TC_OK && w ? tc_msg_write_server_key_exchange(w, &s) : r;
}

static const tc_kx cke_kx[] = {TC_KX_RSA, TC_KX_DHE, TC_KX_ECDHE, TC_KX_PSK,
                               TC_KX_DHE_PSK, TC_KX_ECDHE_PSK, TC_KX_RSA_PSK, TC_KX_SRP};
static int cke_idx;
static void b_cke(tc_writer *w) {
  tc_client_key_exchange c;
  memset(&c, 0, sizeof c);
  c.kx = cke_kx[cke_idx];
  c.psk_identity = B("client identity");
  c.ec_point = (tc_bytes){key32, 32};
  c.dh_yc = B("\x55\x66\x77");
  c.rsa_epms = (tc_bytes){key65, 65};
  c.srp_a = B("\x99\x88");
  g_assert_cmpint(tc_msg_write_client_key_exchange(w, &c), ==, TC_OK);
}
static int rt_cke(const uint8_t *body, size_t len, tc_writer *w, tc_error *err) {
  tc_client_key_exchange c;
  int r = tc_msg_parse_client_key_exchange(body, len, cke_kx[cke_idx], TC_TLS12, &c, err);
  return r == TC_OK && w ? tc_msg_write_client_key_exchange(w, &c) : r;
}

/* RFC 8448 messages as cases: the bytes come from the trace. */
static const char *rfc_hex;
static void b_rfc(tc_writer *w) {
  size_t n;
  uint8_t *b = unhex(rfc_hex, &n);
  tc_wr_bytes(w, b, n);
  g_free(b);
}

typedef struct case_entry {
  msg_case c;
  int ske;          /* index into ske_variants, or -1 */
  int cke;          /* index into cke_kx, or -1 */
  const char *hex;  /* RFC 8448 bytes, or NULL */
} case_entry;

static const case_entry cases[] = {
    {{"ClientHello", b_ch, rt_ch, tail_ch, true}, -1, -1, NULL},
    {{"ServerHello 1.3", b_sh13, rt_sh, tail_sh, true}, -1, -1, NULL},
    {{"ServerHello 1.2", b_sh12, rt_sh, tail_sh, true}, -1, -1, NULL},
    {{"HelloRetryRequest", b_hrr, rt_sh, tail_sh, true}, -1, -1, NULL},
    {{"EncryptedExtensions", b_ee, rt_ee, NULL, true}, -1, -1, NULL},
    {{"Certificate 1.3", b_cert13, rt_cert13, NULL, true}, -1, -1, NULL},
    {{"Certificate 1.2", b_cert12, rt_cert12, NULL, true}, -1, -1, NULL},
    {{"CertificateRequest 1.3", b_cr13, rt_cr13, NULL, true}, -1, -1, NULL},
    {{"CertificateRequest 1.3 empty status_request", b_cr13_empty_status, rt_cr13, NULL, true},
     -1, -1, NULL},
    {{"CertificateRequest 1.2", b_cr12, rt_cr12, NULL, true}, -1, -1, NULL},
    {{"CertificateRequest 1.1", b_cr11, rt_cr11, NULL, true}, -1, -1, NULL},
    {{"CertificateVerify 1.2", b_cv12, rt_cv12, NULL, true}, -1, -1, NULL},
    {{"CertificateVerify 1.0", b_cv10, rt_cv10, NULL, true}, -1, -1, NULL},
    {{"Finished", b_fin, rt_fin12, NULL, true}, -1, -1, NULL},
    {{"NewSessionTicket 1.3", b_nst13, rt_nst13, NULL, true}, -1, -1, NULL},
    {{"NewSessionTicket 1.2", b_nst12, rt_nst12, NULL, true}, -1, -1, NULL},
    {{"KeyUpdate", b_ku, rt_ku, NULL, true}, -1, -1, NULL},
    {{"EndOfEarlyData", b_eoed, rt_eoed, NULL, true}, -1, -1, NULL},
    {{"ServerHelloDone", b_shd, rt_shd, NULL, true}, -1, -1, NULL},
    {{"HelloRequest", b_hr, rt_hr, NULL, true}, -1, -1, NULL},
    {{"CertificateStatus", b_cs, rt_cs, NULL, true}, -1, -1, NULL},
    {{"ServerKeyExchange ECDHE 1.2", b_ske, rt_ske, NULL, true}, 0, -1, NULL},
    {{"ServerKeyExchange DHE 1.0", b_ske, rt_ske, NULL, true}, 1, -1, NULL},
    {{"ServerKeyExchange PSK", b_ske, rt_ske, NULL, true}, 2, -1, NULL},
    {{"ServerKeyExchange DHE_PSK", b_ske, rt_ske, NULL, true}, 3, -1, NULL},
    {{"ServerKeyExchange ECDHE_PSK", b_ske, rt_ske, NULL, true}, 4, -1, NULL},
    {{"ServerKeyExchange SRP_RSA", b_ske, rt_ske, NULL, true}, 5, -1, NULL},
    {{"ServerKeyExchange SRP", b_ske, rt_ske, NULL, true}, 6, -1, NULL},
    {{"ServerKeyExchange RSA_PSK", b_ske, rt_ske, NULL, true}, 7, -1, NULL},
    {{"ClientKeyExchange RSA", b_cke, rt_cke, NULL, true}, -1, 0, NULL},
    {{"ClientKeyExchange DHE", b_cke, rt_cke, NULL, true}, -1, 1, NULL},
    {{"ClientKeyExchange ECDHE", b_cke, rt_cke, NULL, true}, -1, 2, NULL},
    {{"ClientKeyExchange PSK", b_cke, rt_cke, NULL, true}, -1, 3, NULL},
    {{"ClientKeyExchange DHE_PSK", b_cke, rt_cke, NULL, true}, -1, 4, NULL},
    {{"ClientKeyExchange ECDHE_PSK", b_cke, rt_cke, NULL, true}, -1, 5, NULL},
    {{"ClientKeyExchange RSA_PSK", b_cke, rt_cke, NULL, true}, -1, 6, NULL},
    {{"ClientKeyExchange SRP", b_cke, rt_cke, NULL, true}, -1, 7, NULL},
    /* RFC 8448: our writers use the same extension order, so all rewrite exactly. */
    {{"RFC8448 s3 ClientHello", b_rfc, rt_ch, tail_ch, true}, -1, -1, S3_CH_HEX},
    {{"RFC8448 s3 ServerHello", b_rfc, rt_sh, tail_sh, true}, -1, -1, S3_SH_HEX},
    {{"RFC8448 s3 EncryptedExtensions", b_rfc, rt_ee, NULL, true}, -1, -1, S3_EE_HEX},
    {{"RFC8448 s3 Certificate", b_rfc, rt_cert13, NULL, true}, -1, -1, S3_CERT_HEX},
    {{"RFC8448 s3 CertificateVerify", b_rfc, rt_cv12, NULL, true}, -1, -1, S3_CV_HEX},
    {{"RFC8448 s3 Finished", b_rfc, rt_fin32, NULL, true}, -1, -1, S3_SFIN_HEX},
    {{"RFC8448 s3 NewSessionTicket", b_rfc, rt_nst13, NULL, true}, -1, -1, S3_NST_HEX},
    {{"RFC8448 s4 ClientHello", b_rfc, rt_ch, tail_ch, true}, -1, -1, S4_CH_HEX},
    {{"RFC8448 s4 ServerHello", b_rfc, rt_sh, tail_sh, true}, -1, -1, S4_SH_HEX},
    {{"RFC8448 s4 EncryptedExtensions", b_rfc, rt_ee, NULL, true}, -1, -1, S4_EE_HEX},
};

/* Build case i into a fresh dynamic writer. */
static void build_case(const case_entry *ce, tc_writer *w) {
  ske_idx = ce->ske >= 0 ? ce->ske : 0;
  cke_idx = ce->cke >= 0 ? ce->cke : 0;
  rfc_hex = ce->hex;
  tc_wr_init_dyn(w);
  ce->c.build(w);
  g_assert_true(tc_wr_ok(w));
}

static void split_ok(const tc_writer *w, const uint8_t **body, size_t *len) {
  uint8_t type;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_split(tc_wr_data(w), tc_wr_len(w), &type, body, len, &err), ==, TC_OK);
}

static void test_round_trips(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const case_entry *ce = &cases[i];
    tc_writer w, w2;
    build_case(ce, &w);
    const uint8_t *body;
    size_t len;
    split_ok(&w, &body, &len);
    tc_error err;
    tc_error_clear(&err);
    tc_wr_init_dyn(&w2);
    int r = ce->c.rt(body, len, &w2, &err);
    if (r != TC_OK)
      g_error("%s: round trip failed: %s", ce->c.name, err.message);
    g_assert_true(tc_wr_ok(&w2));
    if (ce->c.exact_rt) {
      if (tc_wr_len(&w2) != tc_wr_len(&w) || memcmp(tc_wr_data(&w2), tc_wr_data(&w), tc_wr_len(&w)))
        g_error("%s: rewritten message differs", ce->c.name);
    } else {
      /* Same length and it parses again. */
      g_assert_cmpuint(tc_wr_len(&w2), ==, tc_wr_len(&w));
      const uint8_t *b2;
      size_t l2;
      split_ok(&w2, &b2, &l2);
      g_assert_cmpint(ce->c.rt(b2, l2, NULL, &err), ==, TC_OK);
    }
    tc_wr_free(&w);
    tc_wr_free(&w2);
  }
}

static void test_truncation(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const case_entry *ce = &cases[i];
    tc_writer w;
    build_case(ce, &w);
    const uint8_t *body;
    size_t len;
    split_ok(&w, &body, &len);
    size_t ok_at = ce->c.tail ? ce->c.tail(body, len) : SIZE_MAX;
    for (size_t cut = 0; cut < len; cut++) {
      /* A fresh heap copy so ASan catches any read past the cut. */
      uint8_t *copy = g_memdup2(body, cut ? cut : 1);
      tc_error err;
      tc_error_clear(&err);
      int r = ce->c.rt(copy, cut, NULL, &err);
      if (cut == ok_at) {
        /* hellos without extensions: valid, or (HRR) a semantic error */
        (void)r;
      } else {
        if (r != TC_FAIL)
          g_error("%s: truncation to %zu of %zu bytes parsed", ce->c.name, cut, len);
        g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
        g_assert_cmpstr(err.message, !=, "");
      }
      g_free(copy);
    }
    tc_wr_free(&w);
  }
}

static void test_trailing_byte(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const case_entry *ce = &cases[i];
    tc_writer w;
    build_case(ce, &w);
    const uint8_t *body;
    size_t len;
    split_ok(&w, &body, &len);
    uint8_t *copy = g_malloc(len + 1);
    memcpy(copy, body, len);
    copy[len] = 0;
    tc_error err;
    tc_error_clear(&err);
    if (ce->c.rt(copy, len + 1, NULL, &err) != TC_FAIL)
      g_error("%s: trailing byte accepted", ce->c.name);
    g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
    g_free(copy);
    tc_wr_free(&w);
  }
}

/* ---- reader / writer ---- */

static void test_reader(void) {
  static const uint8_t data[] = {1, 0, 2, 0, 0, 3, 0, 0, 0, 4, 2, 0xaa, 0xbb, 0, 5};
  tc_reader r, sub;
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  tc_rd_init(&r, data, sizeof data);
  g_assert_true(tc_rd_u8(&r, &u8) && u8 == 1);
  g_assert_true(tc_rd_u16(&r, &u16) && u16 == 2);
  g_assert_true(tc_rd_u24(&r, &u32) && u32 == 3);
  g_assert_true(tc_rd_u32(&r, &u32) && u32 == 4);
  g_assert_true(tc_rd_vec8(&r, &sub) && sub.len == 2 && sub.p[0] == 0xaa);
  g_assert_false(tc_rd_empty(&r));
  /* vec16 claims 5 bytes, 0 remain: fails and consumes nothing */
  g_assert_false(tc_rd_vec16(&r, &sub));
  g_assert_cmpuint(tc_rd_remaining(&r), ==, 2);
  g_assert_false(tc_rd_u24(&r, &u32));
  g_assert_cmpuint(tc_rd_remaining(&r), ==, 2);
  const uint8_t *p;
  g_assert_false(tc_rd_bytes(&r, 3, &p));
  g_assert_true(tc_rd_bytes(&r, 2, &p));
  g_assert_true(tc_rd_empty(&r));
  g_assert_false(tc_rd_u8(&r, &u8));
  tc_rd_init(&r, NULL, 0);
  g_assert_true(tc_rd_empty(&r));
  g_assert_true(tc_rd_vec8(&r, &sub) == false);
  g_assert_true(tc_rd_bytes(&r, 0, &p));
}

static void test_writer(void) {
  uint8_t buf[8];
  tc_writer w;
  tc_wr_init_fixed(&w, buf, sizeof buf);
  tc_wr_u32(&w, 0x01020304);
  tc_wr_u24(&w, 0x050607);
  g_assert_true(tc_wr_ok(&w));
  tc_wr_u16(&w, 0x0809); /* 9 > 8: overflow */
  g_assert_false(tc_wr_ok(&w));
  tc_wr_u8(&w, 1); /* sticky */
  g_assert_false(tc_wr_ok(&w));
  g_assert_cmpuint(tc_wr_len(&w), ==, 7);
  g_assert_null(tc_wr_take(&w, &(size_t){0}));

  /* u24 range */
  tc_wr_init_dyn(&w);
  tc_wr_u24(&w, 0x1000000);
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);

  /* growth, nesting and back-patching */
  tc_wr_init_dyn(&w);
  tc_wr_mark outer = tc_wr_begin_vec24(&w);
  tc_wr_mark inner = tc_wr_begin_vec16(&w);
  tc_wr_zeros(&w, 100000 - 1);
  tc_wr_u8(&w, 0x7f);
  g_assert_true(tc_wr_ok(&w));
  tc_wr_end_vec(&w, inner); /* 100000 > 65535 */
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);

  tc_wr_init_dyn(&w);
  outer = tc_wr_begin_vec24(&w);
  inner = tc_wr_begin_vec8(&w);
  tc_wr_bytes(&w, (const uint8_t *)"abc", 3);
  tc_wr_end_vec(&w, inner);
  tc_wr_zeros(&w, 70000);
  tc_wr_end_vec(&w, outer);
  g_assert_true(tc_wr_ok(&w));
  const uint8_t *d = tc_wr_data(&w);
  g_assert_cmpuint(tc_wr_len(&w), ==, 3 + 1 + 3 + 70000);
  g_assert_cmpuint(((size_t)d[0] << 16) | (d[1] << 8) | d[2], ==, 70004);
  g_assert_cmpuint(d[3], ==, 3);
  g_assert_cmpmem(d + 4, 3, "abc", 3);
  size_t n;
  uint8_t *taken = tc_wr_take(&w, &n);
  g_assert_nonnull(taken);
  g_assert_cmpuint(n, ==, 70007);
  free(taken);
  g_assert_cmpuint(tc_wr_len(&w), ==, 0);
  tc_wr_free(&w);

  /* vec8 maximum: 255 fits, 256 does not */
  uint8_t big[256] = {0};
  tc_wr_init_dyn(&w);
  tc_wr_vec8(&w, big, 255);
  g_assert_true(tc_wr_ok(&w));
  tc_wr_vec8(&w, big, 256);
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);

  /* a bad mark fails the writer */
  tc_wr_init_dyn(&w);
  tc_wr_end_vec(&w, (tc_wr_mark){10, 2});
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);

  /* message writers report a full fixed buffer */
  tc_client_hello ch;
  fill_client_hello(&ch, false);
  uint8_t small[64];
  tc_wr_init_fixed(&w, small, sizeof small);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_FAIL);
}

/* ---- RFC 8448 field checks ---- */

static void test_rfc8448_client_hello(void) {
  size_t n;
  uint8_t *msg = unhex(S3_CH_HEX, &n);
  const uint8_t *body;
  size_t len;
  uint8_t type;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_split(msg, n, &type, &body, &len, &err), ==, TC_OK);
  g_assert_cmpuint(type, ==, TC_HS_CLIENT_HELLO);
  tc_client_hello ch;
  g_assert_cmpint(tc_msg_parse_client_hello(body, len, &ch, &err), ==, TC_OK);
  g_assert_cmpuint(ch.legacy_version, ==, 0x0303);
  tc_bytes rnd = {ch.random, 32};
  g_assert_true(bytes_eq_hex(rnd, "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"));
  g_assert_cmpuint(ch.session_id_len, ==, 0);
  g_assert_cmpuint(ch.cipher_suites.n, ==, 3);
  g_assert_cmpuint(tc_u16s_at(ch.cipher_suites, 0), ==, TC_TLS_AES_128_GCM_SHA256);
  g_assert_cmpuint(tc_u16s_at(ch.cipher_suites, 1), ==, TC_TLS_CHACHA20_POLY1305_SHA256);
  g_assert_cmpuint(tc_u16s_at(ch.cipher_suites, 2), ==, TC_TLS_AES_256_GCM_SHA384);
  g_assert_true(bytes_eq(ch.compression_methods, "\0", 1));
  g_assert_true(ch.has_extensions);
  const tc_exts *e = &ch.ext;
  g_assert_true(tc_exts_has(e, TC_EXT_SERVER_NAME));
  g_assert_true(bytes_eq(e->server_name, "server", 6));
  g_assert_true(tc_exts_has(e, TC_EXT_RENEGOTIATION_INFO));
  g_assert_cmpuint(e->renegotiation_info.len, ==, 0);
  g_assert_cmpuint(e->groups.n, ==, 9);
  g_assert_cmpuint(tc_u16s_at(e->groups, 0), ==, TC_GROUP_X25519);
  g_assert_cmpuint(tc_u16s_at(e->groups, 8), ==, 0x0104);
  g_assert_true(tc_exts_has(e, TC_EXT_SESSION_TICKET));
  g_assert_cmpuint(e->session_ticket.len, ==, 0);
  g_assert_cmpuint(e->n_key_shares, ==, 1);
  g_assert_cmpuint(e->key_shares[0].group, ==, TC_GROUP_X25519);
  g_assert_true(bytes_eq_hex(e->key_shares[0].key_exchange,
                             "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"));
  tc_key_share_entry ks;
  g_assert_true(tc_exts_find_key_share(e, TC_GROUP_X25519, &ks));
  g_assert_false(tc_exts_find_key_share(e, TC_GROUP_SECP256R1, &ks));
  g_assert_cmpuint(e->versions.n, ==, 1);
  g_assert_true(tc_u16s_contains(e->versions, TC_TLS13));
  g_assert_cmpuint(e->sig_algs.n, ==, 15);
  g_assert_cmpuint(tc_u16s_at(e->sig_algs, 0), ==, TC_SIG_ECDSA_SECP256R1_SHA256);
  g_assert_cmpuint(tc_u16s_at(e->sig_algs, 14), ==, 0x0202);
  g_assert_true(bytes_eq(e->psk_modes, "\x01", 1));
  g_assert_cmpuint(e->record_size_limit, ==, 0x4001);
  g_assert_false(tc_exts_has(e, TC_EXT_PRE_SHARED_KEY));
  g_assert_false(tc_exts_has(e, TC_EXT_ALPN));
  g_assert_cmpuint(e->n_unknown, ==, 0);
  g_assert_cmpuint(ch.binders_offset, ==, 0);
  g_free(msg);
}

static void test_rfc8448_server_hello(void) {
  size_t n;
  uint8_t *msg = unhex(S3_SH_HEX, &n);
  tc_server_hello sh;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(msg + 4, n - 4, &sh, &err), ==, TC_OK);
  g_assert_cmpuint(sh.legacy_version, ==, 0x0303);
  g_assert_true(bytes_eq_hex((tc_bytes){sh.random, 32},
                             "a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"));
  g_assert_false(sh.is_hrr);
  g_assert_true(sh.is_tls13);
  g_assert_cmpuint(sh.session_id_len, ==, 0);
  g_assert_cmpuint(sh.cipher_suite, ==, TC_TLS_AES_128_GCM_SHA256);
  g_assert_cmpuint(sh.compression_method, ==, 0);
  g_assert_cmpuint(sh.ext.selected_version, ==, TC_TLS13);
  g_assert_cmpuint(sh.ext.server_share.group, ==, TC_GROUP_X25519);
  g_assert_true(bytes_eq_hex(sh.ext.server_share.key_exchange,
                             "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
  g_assert_false(tc_exts_has(&sh.ext, TC_EXT_PRE_SHARED_KEY));
  g_free(msg);

  /* Section 4: the resumed ServerHello selects PSK identity 0. */
  msg = unhex(S4_SH_HEX, &n);
  g_assert_cmpint(tc_msg_parse_server_hello(msg + 4, n - 4, &sh, &err), ==, TC_OK);
  g_assert_true(tc_exts_has(&sh.ext, TC_EXT_PRE_SHARED_KEY));
  g_assert_cmpuint(sh.ext.psk_selected, ==, 0);
  g_free(msg);
}

static void test_rfc8448_server_flight(void) {
  size_t n;
  tc_error err;
  tc_error_clear(&err);
  uint8_t *msg = unhex(S3_EE_HEX, &n);
  tc_encrypted_extensions ee;
  g_assert_cmpint(tc_msg_parse_encrypted_extensions(msg + 4, n - 4, &ee, &err), ==, TC_OK);
  g_assert_cmpuint(ee.ext.groups.n, ==, 9);
  g_assert_cmpuint(ee.ext.record_size_limit, ==, 0x4001);
  g_assert_true(tc_exts_has(&ee.ext, TC_EXT_SERVER_NAME));
  g_assert_false(tc_exts_has(&ee.ext, TC_EXT_EARLY_DATA));
  g_free(msg);

  msg = unhex(S4_EE_HEX, &n);
  g_assert_cmpint(tc_msg_parse_encrypted_extensions(msg + 4, n - 4, &ee, &err), ==, TC_OK);
  g_assert_true(tc_exts_has(&ee.ext, TC_EXT_EARLY_DATA));
  g_free(msg);

  msg = unhex(S3_CERT_HEX, &n);
  tc_certificate c;
  g_assert_cmpint(tc_msg_parse_certificate(msg + 4, n - 4, TC_TLS13, &c, &err), ==, TC_OK);
  g_assert_cmpuint(c.request_context.len, ==, 0);
  g_assert_cmpuint(c.n_entries, ==, 1);
  g_assert_cmpuint(c.entries[0].cert.len, ==, 432);
  g_assert_cmpuint(c.entries[0].cert.p[0], ==, 0x30);
  g_assert_cmpuint(c.entries[0].extensions.len, ==, 0);
  g_free(msg);

  msg = unhex(S3_CV_HEX, &n);
  tc_certificate_verify cv;
  g_assert_cmpint(tc_msg_parse_certificate_verify(msg + 4, n - 4, TC_TLS13, &cv, &err), ==, TC_OK);
  g_assert_cmpuint(cv.scheme, ==, TC_SIG_RSA_PSS_RSAE_SHA256);
  g_assert_cmpuint(cv.signature.len, ==, 128);
  g_free(msg);

  msg = unhex(S3_SFIN_HEX, &n);
  tc_finished f;
  g_assert_cmpint(tc_msg_parse_finished(msg + 4, n - 4, 32, &f, &err), ==, TC_OK);
  g_assert_cmpint(tc_msg_parse_finished(msg + 4, n - 4, 48, &f, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  tc_error_clear(&err);
  g_free(msg);

  msg = unhex(S3_NST_HEX, &n);
  tc_new_session_ticket t;
  g_assert_cmpint(tc_msg_parse_new_session_ticket(msg + 4, n - 4, TC_TLS13, &t, &err), ==, TC_OK);
  g_assert_cmpuint(t.lifetime, ==, 30);
  g_assert_cmpuint(t.age_add, ==, 0xfad6aac5);
  g_assert_true(bytes_eq(t.nonce, "\0\0", 2));
  g_assert_cmpuint(t.ticket.len, ==, 178);
  g_assert_true(tc_exts_has(&t.ext, TC_EXT_EARLY_DATA));
  g_assert_cmpuint(t.ext.max_early_data_size, ==, 1024);
  g_free(msg);
}

/* RFC 8448 §4: the binder covers the ClientHello up to the binders list
 * (477 bytes of the 512-byte message, per the trace's "truncated
 * ClientHello" hash input). */
static void test_rfc8448_psk_client_hello(void) {
  size_t n;
  uint8_t *msg = unhex(S4_CH_HEX, &n);
  g_assert_cmpuint(n, ==, 512);
  tc_client_hello ch;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(msg + 4, n - 4, &ch, &err), ==, TC_OK);
  const tc_exts *e = &ch.ext;
  g_assert_true(tc_exts_has(e, TC_EXT_EARLY_DATA));
  g_assert_true(tc_exts_has(e, TC_EXT_PADDING));
  g_assert_cmpuint(e->padding_len, ==, 87);
  g_assert_cmpuint(e->n_psk_identities, ==, 1);
  g_assert_cmpuint(e->psk_identities[0].identity.len, ==, 178);
  g_assert_cmpuint(e->psk_identities[0].obfuscated_ticket_age, ==, 0xfad6aacb);
  g_assert_cmpuint(e->n_psk_binders, ==, 1);
  g_assert_true(bytes_eq_hex(e->psk_binders[0],
                             "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"));
  g_assert_cmpuint(ch.binders_offset + 4, ==, 477);
  g_assert_cmpuint(msg[4 + ch.binders_offset], ==, 0x00);
  g_assert_cmpuint(msg[4 + ch.binders_offset + 1], ==, 0x21);
  g_free(msg);
}

/* ---- PSK binder placeholders ---- */

static void test_binders_patch(void) {
  tc_client_hello ch;
  fill_client_hello(&ch, true);
  tc_writer w;
  tc_wr_init_dyn(&w);
  tc_wr_u8(&w, 0xee); /* something before the message, as in a flight buffer */
  size_t start = tc_wr_len(&w);
  size_t pos;
  g_assert_cmpint(tc_msg_write_client_hello_ex(&w, &ch, &pos), ==, TC_OK);
  g_assert_cmpuint(pos, >, start);
  /* placeholders are zero */
  const uint8_t *d = tc_wr_data(&w);
  g_assert_cmpuint((d[pos] << 8) | d[pos + 1], ==, 1 + 32 + 1 + 48);
  g_assert_cmpuint(pos + 2 + 1 + 32 + 1 + 48, ==, tc_wr_len(&w));

  tc_bytes wrong[2] = {{binder_a, 32}, {binder_b, 32}};
  g_assert_cmpint(tc_msg_patch_binders(&w, pos, wrong, 2), ==, TC_FAIL);
  g_assert_cmpint(tc_msg_patch_binders(&w, pos, wrong, 1), ==, TC_FAIL);
  tc_bytes missing[2] = {{binder_a, 32}, {NULL, 48}};
  g_assert_cmpint(tc_msg_patch_binders(&w, pos, missing, 2), ==, TC_FAIL);
  tc_bytes good[2] = {{binder_a, 32}, {binder_b, 48}};
  g_assert_cmpint(tc_msg_patch_binders(&w, pos, good, 2), ==, TC_OK);

  tc_client_hello parsed;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(tc_wr_data(&w) + start + 4,
                                            tc_wr_len(&w) - start - 4, &parsed, &err), ==, TC_OK);
  g_assert_cmpuint(start + 4 + parsed.binders_offset, ==, pos);
  g_assert_cmpuint(parsed.ext.n_psk_binders, ==, 2);
  g_assert_true(bytes_eq(parsed.ext.psk_binders[0], binder_a, 32));
  g_assert_true(bytes_eq(parsed.ext.psk_binders[1], binder_b, 48));
  g_assert_true(bytes_eq(parsed.ext.psk_identities[0].identity, "identity-one", 12));
  g_assert_cmpuint(parsed.ext.psk_identities[1].obfuscated_ticket_age, ==, 0xfffffffe);
  /* everything else survived too */
  g_assert_true(bytes_eq(parsed.ext.server_name, "example.com", 11));
  g_assert_cmpuint(parsed.ext.n_alpn, ==, 2);
  g_assert_true(bytes_eq(parsed.ext.alpn[1], "http/1.1", 8));
  g_assert_cmpuint(parsed.ext.n_key_shares, ==, 2);
  g_assert_cmpuint(parsed.ext.key_shares[1].key_exchange.len, ==, 65);
  g_assert_cmpuint(parsed.ext.padding_len, ==, 17);
  g_assert_cmpuint(parsed.ext.max_fragment_length, ==, 2);
  g_assert_cmpuint(parsed.ext.n_certificate_authorities, ==, 2);
  g_assert_true(bytes_eq(parsed.ext.srp_identity, "alice", 5));
  g_assert_true(bytes_eq(parsed.ext.session_ticket, "ticket!", 7));
  g_assert_cmpuint(parsed.ext.status_type, ==, TC_STATUS_TYPE_OCSP);
  g_assert_cmpuint(parsed.session_id_len, ==, 32);
  tc_wr_free(&w);

  /* no PSK: position 0 */
  fill_client_hello(&ch, false);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello_ex(&w, &ch, &pos), ==, TC_OK);
  g_assert_cmpuint(pos, ==, 0);
  g_assert_cmpint(tc_msg_patch_binders(&w, pos, good, 2), ==, TC_FAIL);
  tc_wr_free(&w);
}

/* ---- negative cases on hand-made bytes ---- */

/* Build a ClientHello body around a raw extension block. */
static uint8_t *ch_with_exts(const uint8_t *exts, size_t exts_len, size_t *len) {
  tc_writer w;
  tc_wr_init_dyn(&w);
  tc_wr_u16(&w, TC_TLS12);
  tc_wr_zeros(&w, 32);
  tc_wr_vec8(&w, NULL, 0);
  tc_wr_vec16(&w, suites_raw, 2);
  tc_wr_vec8(&w, &zero, 1);
  tc_wr_vec16(&w, exts, exts_len);
  g_assert_true(tc_wr_ok(&w));
  return tc_wr_take(&w, len);
}

static int parse_ch_exts_hex(const char *hex, tc_error *err) {
  size_t xl, bl;
  uint8_t *x = unhex(hex, &xl);
  uint8_t *b = ch_with_exts(x, xl, &bl);
  tc_client_hello ch;
  tc_error_clear(err);
  int r = tc_msg_parse_client_hello(b, bl, &ch, err);
  g_free(x);
  free(b);
  return r;
}

static void expect_ch(const char *hex, int code) {
  tc_error err;
  int r = parse_ch_exts_hex(hex, &err);
  if (code == TC_ERR_NONE) {
    if (r != TC_OK)
      g_error("extensions %s: unexpected failure: %s", hex, err.message);
  } else {
    if (r != TC_FAIL)
      g_error("extensions %s: accepted", hex);
    if ((int)err.code != code)
      g_error("extensions %s: got %s (%s), want %d", hex, tc_err_name(err.code), err.message, code);
  }
}

static void test_duplicates(void) {
  /* two server_name extensions */
  expect_ch("0000000b0009000006736572766572"
            "0000000b0009000006736572766572", TC_ERR_ILLEGAL_PARAMETER);
  /* two unknown extensions of the same type */
  expect_ch("fafa0000" "fafa0000", TC_ERR_ILLEGAL_PARAMETER);
  /* two different unknown ones are fine and recorded */
  expect_ch("fafa00001a1a00010000170000", TC_ERR_NONE);
  tc_error err;
  size_t xl, bl;
  uint8_t *x = unhex("fafa00001a1a00010000170000", &xl);
  uint8_t *b = ch_with_exts(x, xl, &bl);
  tc_client_hello ch;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(b, bl, &ch, &err), ==, TC_OK);
  g_assert_cmpuint(ch.ext.n_unknown, ==, 2);
  g_assert_cmpuint(ch.ext.unknown[0], ==, 0xfafa);
  g_assert_cmpuint(ch.ext.unknown[1], ==, 0x1a1a);
  g_assert_true(tc_exts_has(&ch.ext, 0x1a1a));
  g_assert_true(tc_exts_has(&ch.ext, TC_EXT_EXTENDED_MASTER_SECRET));
  g_assert_false(tc_exts_has(&ch.ext, TC_EXT_ENCRYPT_THEN_MAC));
  g_free(x);
  free(b);

  /* duplicate via the writer's raw_extra: server_name set and also raw */
  tc_client_hello c2;
  fill_client_hello(&c2, false);
  x = unhex("0000000b0009000006736572766572", &xl);
  c2.ext.raw_extra = (tc_bytes){x, xl};
  tc_writer w;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &c2), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &ch, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_assert_nonnull(strstr(err.message, "duplicate"));
  tc_wr_free(&w);
  g_free(x);

  /* duplicate in EncryptedExtensions */
  x = unhex("000800000000" "00000000", &xl);
  tc_encrypted_extensions ee;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_encrypted_extensions(x, xl, &ee, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_free(x);
}

static void test_extension_rules(void) {
  /* pre_shared_key not last */
  expect_ch("002900" "2f" "000a" "0004" "61626364" "00000000" "0021" "20"
            "0000000000000000000000000000000000000000000000000000000000000000"
            "00170000", TC_ERR_ILLEGAL_PARAMETER);
  /* ...and last is fine */
  expect_ch("00170000" "002900" "2f" "000a" "0004" "61626364" "00000000" "0021" "20"
            "0000000000000000000000000000000000000000000000000000000000000000", TC_ERR_NONE);
  /* binder shorter than 32 bytes */
  expect_ch("002900" "10" "000a" "0004" "61626364" "00000000" "0002" "0100", TC_ERR_DECODE_ERROR);
  /* two identities, one binder */
  expect_ch("002900" "37" "0012" "0003616263" "00000000" "0003616263" "00000000" "0021" "20"
            "0000000000000000000000000000000000000000000000000000000000000000",
            TC_ERR_ILLEGAL_PARAMETER);
  /* empty host name; two host names; NUL in host name */
  expect_ch("00000005000300" "0000", TC_ERR_DECODE_ERROR);
  expect_ch("0000000b0009" "000001" "61" "000002" "6263", TC_ERR_ILLEGAL_PARAMETER);
  /* a list with no host_name entry */
  expect_ch("000000080006" "01000361" "6263", TC_ERR_ILLEGAL_PARAMETER);
  expect_ch("000000020000", TC_ERR_DECODE_ERROR);
  expect_ch("00000007000500" "00026100", TC_ERR_ILLEGAL_PARAMETER);
  /* empty-bodied extension with data */
  expect_ch("0017000100", TC_ERR_DECODE_ERROR);
  /* duplicate key_share group */
  expect_ch("0033000c000a" "001d000101" "001d000102", TC_ERR_ILLEGAL_PARAMETER);
  /* key_share with an empty key: a public value of the wrong length */
  expect_ch("00330006" "0004" "001d0000", TC_ERR_ILLEGAL_PARAMETER);
  /* empty client key_share list is legal (HRR path) */
  expect_ch("003300020000", TC_ERR_NONE);
  /* odd supported_groups, empty signature_algorithms, odd versions */
  expect_ch("000a000300010a", TC_ERR_DECODE_ERROR);
  expect_ch("000d00020000", TC_ERR_DECODE_ERROR);
  expect_ch("002b000403030403", TC_ERR_DECODE_ERROR);
  /* ALPN: empty protocol name, empty list */
  expect_ch("00100003000100", TC_ERR_DECODE_ERROR);
  expect_ch("001000020000", TC_ERR_DECODE_ERROR);
  /* record_size_limit below 64, max_fragment_length code 5 */
  expect_ch("001c0002003f", TC_ERR_ILLEGAL_PARAMETER);
  expect_ch("0001000105", TC_ERR_ILLEGAL_PARAMETER);
  /* oid_filters is not a ClientHello extension */
  expect_ch("003000020000", TC_ERR_ILLEGAL_PARAMETER);
  /* extension length overruns the block */
  expect_ch("00170005", TC_ERR_DECODE_ERROR);
  expect_ch("00", TC_ERR_DECODE_ERROR);

  tc_error err;
  size_t xl;
  uint8_t *x;
  /* key_share is not allowed in EncryptedExtensions */
  x = unhex("0008" "0033000400170001", &xl);
  tc_encrypted_extensions ee;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_encrypted_extensions(x, xl, &ee, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_free(x);
  /* server ALPN with two names */
  x = unhex("000a" "0010" "0006" "0004" "0161" "0162", &xl);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_encrypted_extensions(x, xl, &ee, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_free(x);

  /* TLS 1.3 ServerHello carrying extended_master_secret */
  tc_writer w;
  tc_server_hello sh;
  memset(&sh, 0, sizeof sh);
  sh.legacy_version = TC_TLS12;
  sh.cipher_suite = TC_TLS_AES_128_GCM_SHA256;
  sh.has_extensions = true;
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_EXTENDED_MASTER_SECRET);
  sh.ext.selected_version = TC_TLS13;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_server_hello out;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);
  /* ...which is fine in TLS 1.2 */
  sh.ext.selected_version = TC_TLS12;
  tc_exts_clear(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_OK);
  g_assert_false(out.is_tls13);
  g_assert_true(tc_exts_has(&out.ext, TC_EXT_EXTENDED_MASTER_SECRET));
  tc_wr_free(&w);

  /* supported_versions selecting TLS 1.2, and key_share without TLS 1.3 */
  memset(&sh, 0, sizeof sh);
  sh.has_extensions = true;
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  sh.ext.selected_version = TC_TLS12;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);
  tc_exts_clear(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_KEY_SHARE);
  sh.ext.server_share = (tc_key_share_entry){TC_GROUP_X25519, {key32, 32}};
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);

  /* HRR: non-zero compression, missing supported_versions, cookie allowed, sni not */
  memset(&sh, 0, sizeof sh);
  memcpy(sh.random, tc_hrr_random, 32);
  sh.is_hrr = true;
  sh.has_extensions = true;
  sh.compression_method = 1;
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  sh.ext.selected_version = TC_TLS13;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);
  sh.compression_method = 0;
  tc_exts_clear(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_KEY_SHARE);
  sh.ext.hrr_group = TC_GROUP_X25519;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_MISSING_EXTENSION);
  tc_wr_free(&w);
  tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
  tc_exts_set(&sh.ext, TC_EXT_SERVER_NAME);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);
  tc_exts_clear(&sh.ext, TC_EXT_SERVER_NAME);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello(&w, &sh), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, &out, &err),
                  ==, TC_OK);
  g_assert_true(out.is_hrr);
  g_assert_true(out.is_tls13);
  g_assert_cmpuint(out.ext.hrr_group, ==, TC_GROUP_X25519);
  tc_wr_free(&w);
}

/* A ClientHello's server_name host name passes only with letters, digits,
 * '-' and '.' (RFC 6066 §3), for each of the 256 byte values in each
 * place; a NUL gets its own message. And a ClientHello without extensions
 * parses with none present. */
static void test_sni_bytes(void) {
  for (unsigned b = 0; b < 256; b++) {
    for (unsigned at = 0; at < 3; at++) {
      uint8_t name[3] = {'a', 'b', 'c'};
      name[at] = (uint8_t)b;
      /* version, random, empty session id, one suite, null compression,
       * then the block with server_name only */
      uint8_t m[2 + 32 + 1 + 4 + 2 + 2 + 4 + 2 + 1 + 2 + 3];
      size_t k = 0;
      m[k++] = 3;
      m[k++] = 3;
      memset(m + k, 0x42, 32);
      k += 32;
      m[k++] = 0;
      m[k++] = 0, m[k++] = 2, m[k++] = 0xc0, m[k++] = 0x2b;
      m[k++] = 1, m[k++] = 0;
      m[k++] = 0, m[k++] = 4 + 2 + 1 + 2 + 3;
      m[k++] = 0, m[k++] = 0, m[k++] = 0, m[k++] = 2 + 1 + 2 + 3;
      m[k++] = 0, m[k++] = 1 + 2 + 3;
      m[k++] = 0;
      m[k++] = 0, m[k++] = 3;
      memcpy(m + k, name, 3);
      k += 3;
      g_assert_cmpuint(k, ==, sizeof m);
      tc_client_hello ch;
      tc_error err;
      tc_error_clear(&err);
      bool ldh = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
                 b == '-' || b == '.';
      int r = tc_msg_parse_client_hello(m, sizeof m, &ch, &err);
      g_assert_cmpint(r, ==, ldh ? TC_OK : TC_FAIL);
      if (ldh) {
        g_assert_true(bytes_eq(ch.ext.server_name, name, 3));
      } else {
        g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
        g_assert_nonnull(strstr(err.message, b == 0 ? "NUL byte" : "other than letters"));
      }
    }
  }
  /* no extension block at all: nothing present, every count zero */
  uint8_t m[2 + 32 + 1 + 4 + 2];
  memset(m, 0, sizeof m);
  m[0] = 3, m[1] = 0, m[36] = 2, m[38] = 0x2f, m[39] = 1; /* sid 0, suites 002f, null comp. */
  tc_client_hello ch;
  memset(&ch, 0xa5, sizeof ch);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(m, sizeof m, &ch, &err), ==, TC_OK);
  g_assert_false(ch.has_extensions);
  g_assert_cmpuint(ch.ext.present, ==, 0);
  g_assert_cmpuint(ch.ext.n_alpn, ==, 0);
  g_assert_cmpuint(ch.ext.n_unknown, ==, 0);
  g_assert_cmpuint(ch.ext.server_name.len, ==, 0);
}

/* ---- the brief ClientHello parse (client_hello12.c) against the general one ---- */

static bool same_b(tc_bytes a, tc_bytes b) { return a.p == b.p && a.len == b.len; }
static bool same_l(tc_u16s a, tc_u16s b) { return a.p == b.p && a.n == b.n; }

/* Every field the general parse fills, compared (the views by pointer:
 * both point into the same body). */
static void assert_same_hello(const tc_client_hello *a, const tc_client_hello *b) {
  g_assert_cmpuint(a->legacy_version, ==, b->legacy_version);
  g_assert_cmpmem(a->random, 32, b->random, 32);
  g_assert_cmpmem(a->session_id, a->session_id_len, b->session_id, b->session_id_len);
  g_assert_true(same_l(a->cipher_suites, b->cipher_suites));
  g_assert_true(same_b(a->compression_methods, b->compression_methods));
  g_assert_true(a->has_extensions == b->has_extensions);
  g_assert_cmpuint(a->binders_offset, ==, b->binders_offset);
  const tc_exts *x = &a->ext, *y = &b->ext;
  g_assert_cmphex(x->present, ==, y->present);
  g_assert_true(same_b(x->server_name, y->server_name));
  g_assert_cmpuint(x->max_fragment_length, ==, y->max_fragment_length);
  g_assert_cmpuint(x->status_type, ==, y->status_type);
  g_assert_true(same_b(x->status_responder_ids, y->status_responder_ids));
  g_assert_true(same_b(x->status_request_exts, y->status_request_exts));
  g_assert_true(same_b(x->ocsp_response, y->ocsp_response));
  g_assert_true(same_l(x->groups, y->groups));
  g_assert_true(same_b(x->ec_point_formats, y->ec_point_formats));
  g_assert_true(same_b(x->srp_identity, y->srp_identity));
  g_assert_true(same_l(x->sig_algs, y->sig_algs));
  g_assert_true(same_l(x->sig_algs_cert, y->sig_algs_cert));
  g_assert_true(same_l(x->cert_compression, y->cert_compression));
  g_assert_cmpuint(x->n_alpn, ==, y->n_alpn);
  for (size_t i = 0; i < x->n_alpn && i < TC_MSG_MAX_ALPN; i++)
    g_assert_true(same_b(x->alpn[i], y->alpn[i]));
  g_assert_true(same_b(x->alpn_list, y->alpn_list));
  g_assert_cmpuint(x->padding_len, ==, y->padding_len);
  g_assert_cmpuint(x->record_size_limit, ==, y->record_size_limit);
  g_assert_true(same_b(x->session_ticket, y->session_ticket));
  g_assert_true(same_l(x->versions, y->versions));
  g_assert_cmpuint(x->selected_version, ==, y->selected_version);
  g_assert_true(same_b(x->cookie, y->cookie));
  g_assert_true(same_b(x->psk_modes, y->psk_modes));
  g_assert_true(same_b(x->certificate_authorities, y->certificate_authorities));
  g_assert_cmpuint(x->n_certificate_authorities, ==, y->n_certificate_authorities);
  g_assert_true(same_b(x->oid_filters, y->oid_filters));
  g_assert_true(same_b(x->renegotiation_info, y->renegotiation_info));
  g_assert_cmpuint(x->max_early_data_size, ==, y->max_early_data_size);
  g_assert_cmpuint(x->n_key_shares, ==, y->n_key_shares);
  g_assert_true(same_b(x->key_share_list, y->key_share_list));
  g_assert_cmpuint(x->n_psk_identities, ==, y->n_psk_identities);
  g_assert_cmpuint(x->n_psk_binders, ==, y->n_psk_binders);
  g_assert_cmpuint(x->psk_binders_offset, ==, y->psk_binders_offset);
  g_assert_cmpuint(x->n_unknown, ==, y->n_unknown);
}

/* Whatever the brief parse takes, the general one takes with the same
 * result. Returns whether the brief parse took it. */
static bool check_hello12(const uint8_t *m, size_t len) {
  tc_client_hello b, g;
  memset(&b, 0x5a, sizeof b);
  if (!tc_msg_parse_client_hello12(m, len, &b))
    return false;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(m, len, &g, &err), ==, TC_OK);
  assert_same_hello(&b, &g);
  return true;
}

typedef struct {
  uint16_t type;
  const char *body; /* hex */
} ch12_ext;

/* A ClientHello body: version 0x0303, a fixed random, a 32-byte session
 * ID, two suites, null compression, then the n extensions (none: no
 * block at all when n is SIZE_MAX). */
static size_t ch12_build(uint8_t *m, size_t cap, const ch12_ext *x, size_t n) {
  size_t k = 0;
  m[k++] = 3, m[k++] = 3;
  for (int i = 0; i < 32; i++)
    m[k++] = (uint8_t)(0x40 + i);
  m[k++] = 32;
  for (int i = 0; i < 32; i++)
    m[k++] = (uint8_t)(0x90 + i);
  m[k++] = 0, m[k++] = 4, m[k++] = 0xc0, m[k++] = 0x2b, m[k++] = 0x00, m[k++] = 0xff;
  m[k++] = 1, m[k++] = 0;
  if (n == SIZE_MAX)
    return k;
  size_t blk = k;
  k += 2;
  for (size_t i = 0; i < n; i++) {
    size_t bl;
    uint8_t *b = unhex(x[i].body, &bl);
    g_assert_cmpuint(k + 4 + bl, <=, cap);
    m[k++] = (uint8_t)(x[i].type >> 8), m[k++] = (uint8_t)x[i].type;
    m[k++] = (uint8_t)(bl >> 8), m[k++] = (uint8_t)bl;
    memcpy(m + k, b, bl);
    k += bl;
    g_free(b);
  }
  m[blk] = (uint8_t)((k - blk - 2) >> 8), m[blk + 1] = (uint8_t)(k - blk - 2);
  return k;
}

static void test_client_hello12(void) {
  /* What our TLS 1.2 client sends when resuming (bench-tls13's hello),
   * plus ALPN, encrypt_then_mac, padding and supported_versions. */
  static const ch12_ext base[] = {
      {TC_EXT_SERVER_NAME, "000c0000096c6f63616c686f7374"},
      {TC_EXT_EXTENDED_MASTER_SECRET, ""},
      {TC_EXT_RENEGOTIATION_INFO, "00"},
      {TC_EXT_SUPPORTED_GROUPS, "0004001d0017"},
      {TC_EXT_EC_POINT_FORMATS, "0100"},
      {TC_EXT_SESSION_TICKET, "0102030405"},
      {TC_EXT_STATUS_REQUEST, "0100000000"},
      {TC_EXT_SIGNATURE_ALGORITHMS, "0006040305030807"},
      {TC_EXT_RECORD_SIZE_LIMIT, "4000"},
      {TC_EXT_ALPN, "000c02683208687474702f312e31"},
      {TC_EXT_ENCRYPT_THEN_MAC, ""},
      {TC_EXT_SUPPORTED_VERSIONS, "0403030302"},
      {TC_EXT_PADDING, "000000"},
  };
  const size_t nb = G_N_ELEMENTS(base);
  uint8_t m[1024];
  size_t len = ch12_build(m, sizeof m, base, nb);
  g_assert_true(check_hello12(m, len));
  tc_client_hello ch;
  g_assert_true(tc_msg_parse_client_hello12(m, len, &ch));
  g_assert_cmpuint(ch.ext.n_alpn, ==, 2);
  g_assert_cmpuint(ch.ext.padding_len, ==, 3);
  g_assert_true(bytes_eq(ch.ext.session_ticket, "\1\2\3\4\5", 5));
  /* no extension block; an empty one */
  g_assert_true(check_hello12(m, ch12_build(m, sizeof m, base, SIZE_MAX)));
  g_assert_true(check_hello12(m, ch12_build(m, sizeof m, base, 0)));
  /* a TLS 1.3 suite first: declined (a TLS 1.3 hello), the general parse
   * takes it; the same suite second is taken */
  len = ch12_build(m, sizeof m, base, nb);
  m[69] = 0x13, m[70] = 0x01;
  g_assert_false(check_hello12(m, len));
  {
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_client_hello(m, len, &ch, &err), ==, TC_OK);
  }
  len = ch12_build(m, sizeof m, base, nb);
  m[71] = 0x13, m[72] = 0x01;
  g_assert_true(check_hello12(m, len));

  ch12_ext x[G_N_ELEMENTS(base) + 1];
  for (size_t i = 0; i < nb; i++) {
    /* each one left out: still taken */
    size_t k = 0;
    for (size_t j = 0; j < nb; j++)
      if (j != i)
        x[k++] = base[j];
    g_assert_true(check_hello12(m, ch12_build(m, sizeof m, x, k)));
    /* each one twice: declined (the general parse refuses it) */
    memcpy(x, base, sizeof base);
    x[nb] = base[i];
    g_assert_false(check_hello12(m, ch12_build(m, sizeof m, x, nb + 1)));
  }
  /* Bodies the brief parse must decline (outside its forms or malformed),
   * each in place of the extension of the same type, or added. */
  static const ch12_ext odd[] = {
      {TC_EXT_SERVER_NAME, ""},
      {TC_EXT_SERVER_NAME, "0000"},
      {TC_EXT_SERVER_NAME, "000c0000096c6f63616c686f73"},
      {TC_EXT_SERVER_NAME, "000d0000096c6f63616c686f737400"},
      {TC_EXT_SERVER_NAME, "000c0100096c6f63616c686f7374"},
      {TC_EXT_SERVER_NAME, "00110000096c6f63616c686f73740100026162"}, /* a second type */
      {TC_EXT_SERVER_NAME, "000c0000096c6f63616c686f7300"},           /* NUL */
      {TC_EXT_SERVER_NAME, "000c0000096c6f63616c686f735f"},           /* '_' */
      {TC_EXT_SERVER_NAME, "0003000000"},                             /* empty name */
      {TC_EXT_STATUS_REQUEST, ""},
      {TC_EXT_STATUS_REQUEST, "02"}, /* another type: the general parse skips it */
      {TC_EXT_STATUS_REQUEST, "01000000"},
      {TC_EXT_STATUS_REQUEST, "0100000000ff"},
      {TC_EXT_SUPPORTED_GROUPS, "0000"},
      {TC_EXT_SUPPORTED_GROUPS, "0003001d00"},
      {TC_EXT_SUPPORTED_GROUPS, "0002001d00"},
      {TC_EXT_EC_POINT_FORMATS, "00"},
      {TC_EXT_EC_POINT_FORMATS, "020001ff"},
      {TC_EXT_SIGNATURE_ALGORITHMS, "0001"},
      {TC_EXT_SIGNATURE_ALGORITHMS, "000304030503"},
      {TC_EXT_ALPN, "0000"},
      {TC_EXT_ALPN, "000100"},
      {TC_EXT_ALPN, "000300683232"},
      {TC_EXT_ENCRYPT_THEN_MAC, "00"},
      {TC_EXT_EXTENDED_MASTER_SECRET, "00"},
      {TC_EXT_RECORD_SIZE_LIMIT, "003f"},
      {TC_EXT_RECORD_SIZE_LIMIT, "40"},
      {TC_EXT_RECORD_SIZE_LIMIT, "400000"},
      {TC_EXT_SUPPORTED_VERSIONS, "00"},
      {TC_EXT_SUPPORTED_VERSIONS, "0303"},
      {TC_EXT_SUPPORTED_VERSIONS, "030303"},
      {TC_EXT_SUPPORTED_VERSIONS, "02030304"},
      {TC_EXT_RENEGOTIATION_INFO, ""},
      {TC_EXT_RENEGOTIATION_INFO, "0200"},
      {TC_EXT_RENEGOTIATION_INFO, "0001"},
      /* outside the brief set, well formed for the general parse */
      {TC_EXT_MAX_FRAGMENT_LENGTH, "02"},
      {TC_EXT_SRP, "0475736572"},
      {TC_EXT_SIGNATURE_ALGORITHMS_CERT, "00020403"},
      {TC_EXT_PSK_KEY_EXCHANGE_MODES, "0101"},
      {TC_EXT_KEY_SHARE, "0000"},
      {TC_EXT_COOKIE, "000101"},
      {TC_EXT_EARLY_DATA, ""},
      {TC_EXT_POST_HANDSHAKE_AUTH, ""},
      {TC_EXT_COMPRESS_CERTIFICATE, "020001"},
      {TC_EXT_CERTIFICATE_AUTHORITIES, "0000"},
      {0x1a1a, ""}, /* GREASE, unknown */
      {0x0fff, "00"},
  };
  for (size_t o = 0; o < G_N_ELEMENTS(odd); o++) {
    size_t k = 0;
    bool replaced = false;
    for (size_t j = 0; j < nb; j++) {
      if (base[j].type == odd[o].type) {
        x[k++] = odd[o];
        replaced = true;
      } else {
        x[k++] = base[j];
      }
    }
    if (!replaced)
      x[k++] = odd[o];
    if (check_hello12(m, ch12_build(m, sizeof m, x, k)))
      g_error("the brief parse took odd extension %zu (type %u)", o, odd[o].type);
  }

  /* Every truncation, every byte changed four ways and a byte inserted at
   * every place: whatever the brief parse takes, the general one takes the
   * same (cnt[0] declined, cnt[1] taken). */
  len = ch12_build(m, sizeof m, base, nb);
  uint8_t c[1024];
  unsigned cnt[2] = {0, 0};
  for (size_t n = 0; n <= len; n++)
    cnt[check_hello12(m, n)]++;
  for (size_t i = 0; i < len; i++) {
    static const uint8_t how[3] = {0x01, 0x80, 0xff};
    memcpy(c, m, len);
    for (int h = 0; h < 3; h++) {
      c[i] = m[i] ^ how[h];
      cnt[check_hello12(c, len)]++;
    }
    c[i] = 0;
    cnt[check_hello12(c, len)]++;
    memcpy(c, m, i + 1);
    c[i + 1] = 0;
    memcpy(c + i + 2, m + i + 1, len - i - 1);
    cnt[check_hello12(c, len + 1)]++;
  }
  /* both ways: taken (random, session ID, suite bytes, ...) and declined
   * (lengths, types) */
  g_assert_cmpuint(cnt[1], >, 100);
  g_assert_cmpuint(cnt[0], >, 100);
}

static void test_semantic_errors(void) {
  tc_error err;
  size_t n;
  uint8_t *x;

  /* TLS 1.3 CertificateRequest as gnutls-serv sends it: empty status_request */
  x = unhex("00" "000e" "000d00060004080404030005" "0000", &n);
  tc_certificate_request crq;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_certificate_request(x, n, TC_TLS13, &crq, &err), ==, TC_OK);
  g_assert_true(tc_exts_has(&crq.ext, TC_EXT_STATUS_REQUEST));
  g_assert_cmpuint(crq.ext.status_type, ==, 0);
  g_assert_cmpuint(crq.ext.sig_algs.n, ==, 2);
  g_free(x);

  /* KeyUpdate 2 */
  tc_key_update ku;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_key_update((const uint8_t *)"\x02", 1, &ku, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);

  /* NewSessionTicket lifetime over 7 days */
  tc_new_session_ticket t;
  memset(&t, 0, sizeof t);
  t.tls13 = true;
  t.lifetime = 604801;
  t.ticket = B("x");
  tc_writer w;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_new_session_ticket(&w, &t), ==, TC_OK);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_new_session_ticket(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4, TC_TLS13,
                                                  &t, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);

  /* ClientHello: odd cipher_suites, empty compression, 33-byte session id */
  tc_client_hello ch;
  x = unhex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
            "00" "0003130113" "0100", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);
  x = unhex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
            "00" "00021301" "00", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);
  x = unhex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
            "21" "000000000000000000000000000000000000000000000000000000000000000000"
            "00021301" "0100", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);
  /* ...and with no extensions at all it is valid */
  x = unhex("0300" "0000000000000000000000000000000000000000000000000000000000000000"
            "00" "0002000a" "0100", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_OK);
  g_assert_false(ch.has_extensions);
  g_free(x);
  /* trailing bytes after extensions: message names the problem */
  x = unhex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
            "00" "00021301" "0100" "0000" "00", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_FAIL);
  g_assert_cmpstr(err.message, ==, "ClientHello: trailing bytes after extensions");
  g_free(x);

  /* ServerKeyExchange: explicit curve type, RSA has none */
  tc_server_key_exchange ske;
  x = unhex("01" "0017" "0101", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_key_exchange(x, n, TC_KX_ECDHE, false, TC_TLS12, &ske, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_key_exchange(x, n, TC_KX_RSA, false, TC_TLS12, &ske, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_UNEXPECTED_MESSAGE);
  g_free(x);
  /* SKE params slice covers exactly the params */
  const ske_variant v = {TC_KX_ECDHE, true, TC_TLS12};
  fill_ske(&v, &ske);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_key_exchange(&w, &ske), ==, TC_OK);
  tc_server_key_exchange p;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_server_key_exchange(tc_wr_data(&w) + 4, tc_wr_len(&w) - 4,
                                                   TC_KX_ECDHE, true, TC_TLS12, &p, &err), ==, TC_OK);
  g_assert_cmpuint(p.params.len, ==, 1 + 2 + 1 + 65);
  g_assert_cmpuint(p.group, ==, TC_GROUP_SECP256R1);
  g_assert_cmpuint(p.scheme, ==, TC_SIG_RSA_PSS_RSAE_SHA256);
  tc_writer pw;
  tc_wr_init_dyn(&pw);
  g_assert_cmpint(tc_msg_write_ske_params(&pw, &ske), ==, TC_OK);
  g_assert_cmpmem(tc_wr_data(&pw), tc_wr_len(&pw), p.params.p, p.params.len);
  tc_wr_free(&pw);
  tc_wr_free(&w);

  /* SSL 3.0 RSA ClientKeyExchange: no length prefix */
  tc_client_key_exchange cke;
  x = unhex("0102030405", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_key_exchange(x, n, TC_KX_RSA, TC_SSL30, &cke, &err), ==,
                  TC_OK);
  g_assert_true(cke.ssl3);
  g_assert_cmpuint(cke.rsa_epms.len, ==, 5);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_key_exchange(&w, &cke), ==, TC_OK);
  g_assert_cmpuint(tc_wr_len(&w), ==, 4 + 5);
  tc_wr_free(&w);
  /* the same bytes in TLS are a bad length prefix */
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_key_exchange(x, n, TC_KX_RSA, TC_TLS10, &cke, &err), ==,
                  TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);

  /* CertificateStatus with an unknown type */
  tc_certificate_status cs;
  x = unhex("02000001ff", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_certificate_status(x, n, &cs, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_free(x);

  /* Certificate 1.3: an entry with a disallowed extension (key_share) */
  x = unhex("00" "000010" "000003" "300100" "0008" "0033000400170001", &n);
  tc_certificate c;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_certificate(x, n, TC_TLS13, &c, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_free(x);
  /* Certificate: zero-length certificate */
  x = unhex("000003000000", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_certificate(x, n, TC_TLS12, &c, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);
  /* Certificate: an empty list is valid (no client certificate) */
  x = unhex("00000000", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_certificate(x, n, TC_TLS13, &c, &err), ==, TC_OK);
  g_assert_cmpuint(c.n_entries, ==, 0);
  g_free(x);
}

/* A well-formed ClientHello never fails for its counts (issue 10): any
 * number of key shares, ALPN names and unknown extensions parse; the
 * first few are kept, all are counted and all are found. */
static void test_counts_unbounded(void) {
  tc_writer w;
  tc_exts e;
  tc_error err;
  const unsigned n_shares = 3 * TC_MSG_MAX_KEY_SHARES + 1;
  tc_wr_init_dyn(&w);
  tc_wr_u16(&w, TC_EXT_KEY_SHARE);
  tc_wr_mark m = tc_wr_begin_vec16(&w);
  tc_wr_mark l = tc_wr_begin_vec16(&w);
  for (unsigned i = 0; i < n_shares; i++) {
    tc_wr_u16(&w, (uint16_t)(0x100 + i));
    tc_wr_vec16(&w, key32, 1 + i % 32);
  }
  tc_wr_end_vec(&w, l);
  tc_wr_end_vec(&w, m);
  /* ALPN: 1000 names. */
  tc_wr_u16(&w, TC_EXT_ALPN);
  m = tc_wr_begin_vec16(&w);
  l = tc_wr_begin_vec16(&w);
  for (unsigned i = 0; i < 1000; i++) {
    char name[16];
    int k = g_snprintf(name, sizeof name, "p%u", i);
    tc_wr_vec8(&w, (const uint8_t *)name, (size_t)k);
  }
  tc_wr_end_vec(&w, l);
  tc_wr_end_vec(&w, m);
  /* 5000 unknown extensions, all different. */
  for (unsigned i = 0; i < 5000; i++) {
    tc_wr_u16(&w, (uint16_t)(20000 + i));
    tc_wr_u16(&w, 0);
  }
  g_assert_true(tc_wr_ok(&w));
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_extensions(tc_wr_data(&w), tc_wr_len(&w), TC_EXTCTX_CH, &e, &err),
                  ==, TC_OK);
  g_assert_cmpuint(e.n_key_shares, ==, n_shares);
  g_assert_cmpuint(e.key_shares[0].group, ==, 0x100);
  tc_key_share_entry ks;
  for (unsigned i = 0; i < n_shares; i++) {
    g_assert_true(tc_exts_find_key_share(&e, (uint16_t)(0x100 + i), &ks));
    g_assert_cmpuint(ks.group, ==, 0x100 + i);
    g_assert_cmpuint(ks.key_exchange.len, ==, 1 + i % 32);
  }
  g_assert_false(tc_exts_find_key_share(&e, 0x99, &ks));
  g_assert_cmpuint(e.n_alpn, ==, 1000);
  g_assert_cmpuint(e.alpn[0].len, ==, 2);
  g_assert_cmpuint(e.n_unknown, ==, 5000);
  g_assert_true(tc_exts_has(&e, 20000));
  tc_wr_free(&w);

  /* A duplicate unknown extension past the kept ones is still found. */
  tc_wr_init_dyn(&w);
  for (unsigned i = 0; i < 3 * TC_MSG_MAX_UNKNOWN_EXT; i++) {
    tc_wr_u16(&w, (uint16_t)(30000 + i));
    tc_wr_u16(&w, 0);
  }
  tc_wr_u16(&w, 30000 + 2 * TC_MSG_MAX_UNKNOWN_EXT);
  tc_wr_u16(&w, 0);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_extensions(tc_wr_data(&w), tc_wr_len(&w), TC_EXTCTX_CH, &e, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  g_assert_nonnull(strstr(err.message, "duplicate"));
  tc_wr_free(&w);
  /* ... and one among the kept ones. */
  tc_wr_init_dyn(&w);
  for (unsigned i = 0; i < 2; i++) {
    tc_wr_u16(&w, 30001);
    tc_wr_u16(&w, 0);
  }
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_extensions(tc_wr_data(&w), tc_wr_len(&w), TC_EXTCTX_CH, &e, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);

  /* A group offered twice among the first shares is illegal_parameter. */
  tc_wr_init_dyn(&w);
  tc_wr_u16(&w, TC_EXT_KEY_SHARE);
  m = tc_wr_begin_vec16(&w);
  l = tc_wr_begin_vec16(&w);
  for (unsigned i = 0; i < 2; i++) {
    tc_wr_u16(&w, TC_GROUP_X25519);
    tc_wr_vec16(&w, key32, 32);
  }
  tc_wr_end_vec(&w, l);
  tc_wr_end_vec(&w, m);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_extensions(tc_wr_data(&w), tc_wr_len(&w), TC_EXTCTX_CH, &e, &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_ILLEGAL_PARAMETER);
  tc_wr_free(&w);
}

static void test_oversized(void) {
  tc_writer w;
  tc_client_hello ch;
  /* ALPN name of 256 bytes cannot be encoded */
  static uint8_t name[256];
  fill_client_hello(&ch, false);
  ch.ext.alpn[0] = (tc_bytes){name, sizeof name};
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_FAIL);
  tc_wr_free(&w);
  /* session id over 32 */
  fill_client_hello(&ch, false);
  ch.session_id_len = 33;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_FAIL);
  tc_wr_free(&w);
  /* an extension body over 65535 bytes */
  fill_client_hello(&ch, false);
  ch.ext.padding_len = 70000;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_FAIL);
  tc_wr_free(&w);
  /* too many key shares */
  fill_client_hello(&ch, false);
  ch.ext.n_key_shares = TC_MSG_MAX_KEY_SHARES + 1;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_client_hello(&w, &ch), ==, TC_FAIL);
  tc_wr_free(&w);

  tc_error err;

  /* parser: a vector whose length runs past the message */
  size_t n;
  uint8_t *x = unhex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                     "00" "ffff1301" "0100", &n);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_parse_client_hello(x, n, &ch, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  g_free(x);
  /* handshake header length mismatch */
  x = unhex("14000001aabb", &n);
  uint8_t type;
  const uint8_t *body;
  size_t blen;
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_split(x, n, &type, &body, &blen, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_DECODE_ERROR);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_split(x, 3, &type, &body, &blen, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  g_assert_cmpint(tc_msg_split(x, n - 1, &type, &body, &blen, &err), ==, TC_OK);
  g_assert_cmpuint(type, ==, TC_HS_FINISHED);
  g_assert_cmpuint(blen, ==, 1);
  g_free(x);
}

/* The presence bits come from two mappings (the inline switch the engine's
 * tc_exts_has/set use, and extensions.c's lookup table the parser and
 * writer use): they must agree on every type. */
static void test_ext_bits(void) {
  size_t known = 0;
  for (uint32_t t = 0; t <= 0xffff; t++) {
    bool k = tc_ext_is_known((uint16_t)t);
    g_assert_cmpint(k, ==, tc__ext_bit((uint16_t)t) >= 0);
    if (!k)
      continue;
    known++;
    tc_exts e;
    memset(&e, 0, sizeof e);
    tc_exts_set(&e, (uint16_t)t);
    g_assert_true(tc_exts_has(&e, (uint16_t)t));
    tc_writer w;
    tc_wr_init_dyn(&w);
    g_assert_cmpint(tc_msg_write_extensions(&w, TC_EXTCTX_CH, &e), ==, TC_OK);
    const uint8_t *d = tc_wr_data(&w);
    g_assert_cmpuint(tc_wr_len(&w), >=, 6);
    g_assert_cmpuint(((size_t)d[0] << 8 | d[1]), ==, tc_wr_len(&w) - 2);
    g_assert_cmpuint(((uint32_t)d[2] << 8 | d[3]), ==, t); /* the one extension written */
    g_assert_cmpuint(((size_t)d[4] << 8 | d[5]), ==, tc_wr_len(&w) - 6);
    tc_exts_clear(&e, (uint16_t)t);
    g_assert_false(tc_exts_has(&e, (uint16_t)t));
    tc_wr_free(&w);
  }
  g_assert_cmpuint(known, ==, 25);
}

/* compress_certificate (RFC 8879 §3): a u8-length list of u16 algorithms,
 * 2..254 bytes, in ClientHello and CertificateRequest only; parsed and
 * written back to the same bytes. */
static void test_compress_certificate_ext(void) {
  static const uint8_t ok[] = {0x00, 0x1b, 0x00, 0x07, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03};
  for (int ctx = 0; ctx < 2; ctx++) {
    tc_ext_ctx x = ctx ? TC_EXTCTX_CR : TC_EXTCTX_CH;
    tc_exts e;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_extensions(ok, sizeof ok, x, &e, &err), ==, TC_OK);
    g_assert_true(tc_exts_has(&e, TC_EXT_COMPRESS_CERTIFICATE));
    g_assert_cmpuint(e.cert_compression.n, ==, 3);
    g_assert_true(tc_u16s_contains(e.cert_compression, TC_CERT_COMPRESSION_ZSTD));
    tc_writer w;
    tc_wr_init_dyn(&w);
    g_assert_cmpint(tc_msg_write_extensions(&w, x, &e), ==, TC_OK);
    g_assert_cmpmem(tc_wr_data(&w) + 2, tc_wr_len(&w) - 2, ok, sizeof ok);
    tc_wr_free(&w);
  }
  static const struct {
    uint8_t b[8];
    size_t n;
    tc_ext_ctx ctx;
    tc_err code;
  } bad[] = {
      {{0x00, 0x1b, 0x00, 0x01, 0x00}, 5, TC_EXTCTX_CH, TC_ERR_DECODE_ERROR},             /* empty */
      {{0x00, 0x1b, 0x00, 0x02, 0x01, 0x00}, 6, TC_EXTCTX_CH, TC_ERR_DECODE_ERROR},       /* odd */
      {{0x00, 0x1b, 0x00, 0x03, 0x02, 0x00, 0x01}, 7, TC_EXTCTX_EE, TC_ERR_ILLEGAL_PARAMETER},
      {{0x00, 0x1b, 0x00, 0x04, 0x02, 0x00, 0x01, 0x00}, 8, TC_EXTCTX_CH, TC_ERR_DECODE_ERROR},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    tc_exts e;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_extensions(bad[i].b, bad[i].n, bad[i].ctx, &e, &err), ==,
                    TC_FAIL);
    g_assert_cmpint(err.code, ==, bad[i].code);
  }
}

/* A wipe covers every byte written since the last one, also bytes of
 * earlier flights the writer was rewound past (tc_wr_rewind), and a grown
 * buffer's old bytes are wiped with the old buffer. */
static void test_writer_wipe(void) {
  tc_writer w;
  tc_wr_init_dyn(&w);
  uint8_t big[300], small[20];
  memset(big, 0xa5, sizeof big);
  memset(small, 0x5a, sizeof small);
  tc_wr_bytes(&w, big, sizeof big);
  tc_wr_rewind(&w);
  tc_wr_bytes(&w, small, sizeof small);
  g_assert_cmpuint(tc_wr_len(&w), ==, sizeof small);
  uint8_t *buf = w.buf;
  size_t cap = w.cap;
  tc_wr_wipe(&w);
  for (size_t i = 0; i < cap && i < sizeof big; i++)
    g_assert_cmpuint(buf[i], ==, 0);
  g_assert_cmpuint(tc_wr_len(&w), ==, 0);
  /* Rewound, then grown past the first buffer: the new one holds only the
   * bytes still in use, the next wipe covers them. */
  tc_wr_bytes(&w, big, sizeof big);
  tc_wr_rewind(&w);
  for (int k = 0; k < 20; k++)
    tc_wr_bytes(&w, big, sizeof big);
  g_assert_true(tc_wr_ok(&w));
  buf = w.buf;
  size_t len = tc_wr_len(&w);
  tc_wr_wipe(&w);
  for (size_t i = 0; i < len; i++)
    g_assert_cmpuint(buf[i], ==, 0);
  tc_wr_free(&w);
}

/* The direct TLS 1.3 ServerHello writer gives the generic writer's bytes:
 * with and without a session ID, key shares of several sizes or none
 * (psk_ke), a selected PSK or none. */
static void test_server_hello13(void) {
  uint8_t random[32], sid[32], key[512];
  for (size_t i = 0; i < sizeof key; i++)
    key[i] = (uint8_t)(i * 13 + 5);
  for (size_t i = 0; i < 32; i++) {
    random[i] = (uint8_t)(i + 1);
    sid[i] = (uint8_t)(0xa0 + i);
  }
  static const size_t sids[] = {0, 1, 32};
  static const struct {
    uint16_t group;
    size_t len; /* 0: no key share */
  } shares[] = {{0, 0}, {TC_GROUP_X25519, 32}, {TC_GROUP_SECP256R1, 65},
                {TC_GROUP_FFDHE2048, 256}, {TC_GROUP_X448, 56}};
  static const int psks[] = {-1, 0, 3, 0xffff};
  static const uint16_t suites[] = {TC_TLS_AES_128_GCM_SHA256, TC_TLS_CHACHA20_POLY1305_SHA256};
  for (size_t a = 0; a < G_N_ELEMENTS(sids); a++)
    for (size_t b = 0; b < G_N_ELEMENTS(shares); b++)
      for (size_t c = 0; c < G_N_ELEMENTS(psks); c++)
        for (size_t d = 0; d < G_N_ELEMENTS(suites); d++) {
          tc_server_hello sh;
          memset(&sh, 0, sizeof sh);
          sh.legacy_version = TC_TLS12;
          memcpy(sh.random, random, 32);
          memcpy(sh.session_id, sid, sids[a]);
          sh.session_id_len = sids[a];
          sh.cipher_suite = suites[d];
          sh.has_extensions = true;
          sh.is_tls13 = true;
          tc_key_share_entry share = {shares[b].group, {key, shares[b].len}};
          if (shares[b].len) {
            tc_exts_set(&sh.ext, TC_EXT_KEY_SHARE);
            sh.ext.server_share = share;
          }
          tc_exts_set(&sh.ext, TC_EXT_SUPPORTED_VERSIONS);
          sh.ext.selected_version = TC_TLS13;
          if (psks[c] >= 0) {
            tc_exts_set(&sh.ext, TC_EXT_PRE_SHARED_KEY);
            sh.ext.psk_selected = (uint16_t)psks[c];
          }
          tc_writer g, f;
          tc_wr_init_dyn(&g);
          tc_wr_init_dyn(&f);
          g_assert_cmpint(tc_msg_write_server_hello(&g, &sh), ==, TC_OK);
          g_assert_cmpint(tc_msg_write_server_hello13(&f, random, sid, sids[a], suites[d],
                                                      shares[b].len ? &share : NULL, psks[c]),
                          ==, TC_OK);
          g_assert_cmpmem(tc_wr_data(&f), tc_wr_len(&f), tc_wr_data(&g), tc_wr_len(&g));
          /* and it parses back as the TLS 1.3 ServerHello it is */
          tc_server_hello back;
          tc_error err;
          tc_error_clear(&err);
          g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&f) + 4, tc_wr_len(&f) - 4, &back,
                                                    &err), ==, TC_OK);
          g_assert_true(back.is_tls13);
          g_assert_cmphex(back.cipher_suite, ==, suites[d]);
          tc_wr_free(&g);
          tc_wr_free(&f);
        }
  /* Out-of-range input fails the writer. */
  tc_writer w;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello13(&w, random, sid, 33, suites[0], NULL, 0), ==,
                  TC_FAIL);
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);
}

/* The direct TLS 1.2 ServerHello writer gives the generic writer's bytes:
 * each version, with and without a session ID, with no extensions and with
 * blocks of the extensions a TLS 1.2 server sends (encoded by the generic
 * extension writer). */
static void test_server_hello12(void) {
  uint8_t random[32], sid[32], rinfo[24];
  for (size_t i = 0; i < 32; i++) {
    random[i] = (uint8_t)(i + 7);
    sid[i] = (uint8_t)(0x51 + i);
  }
  memset(rinfo, 0x3c, sizeof rinfo);
  static const uint8_t uncompressed = 0;
  static const uint16_t versions[] = {TC_SSL30, TC_TLS10, TC_TLS11, TC_TLS12};
  static const size_t sids[] = {0, 1, 32};
  for (size_t a = 0; a < G_N_ELEMENTS(versions); a++)
    for (size_t b = 0; b < G_N_ELEMENTS(sids); b++)
      for (unsigned set = 0; set < 6; set++) {
        tc_server_hello sh;
        memset(&sh, 0, sizeof sh);
        sh.legacy_version = versions[a];
        memcpy(sh.random, random, 32);
        memcpy(sh.session_id, sid, sids[b]);
        sh.session_id_len = sids[b];
        sh.cipher_suite = 0xC02B;
        tc_exts *e = &sh.ext;
        if (set >= 1) {
          tc_exts_set(e, TC_EXT_RENEGOTIATION_INFO);
          e->renegotiation_info = (tc_bytes){rinfo, set == 5 ? sizeof rinfo : 0};
        }
        if (set >= 2)
          tc_exts_set(e, TC_EXT_EXTENDED_MASTER_SECRET);
        if (set >= 3) {
          tc_exts_set(e, TC_EXT_EC_POINT_FORMATS);
          e->ec_point_formats = (tc_bytes){&uncompressed, 1};
          tc_exts_set(e, TC_EXT_ENCRYPT_THEN_MAC);
        }
        if (set >= 4) {
          tc_exts_set(e, TC_EXT_RECORD_SIZE_LIMIT);
          e->record_size_limit = 0x1234;
          tc_exts_set(e, TC_EXT_SESSION_TICKET);
          tc_exts_set(e, TC_EXT_SERVER_NAME);
          tc_exts_set(e, TC_EXT_STATUS_REQUEST);
        }
        sh.has_extensions = set != 0;
        tc_writer g, f, x;
        tc_wr_init_dyn(&g);
        tc_wr_init_dyn(&f);
        tc_wr_init_dyn(&x);
        g_assert_cmpint(tc_msg_write_server_hello(&g, &sh), ==, TC_OK);
        if (set)
          g_assert_cmpint(tc_msg_write_extensions(&x, TC_EXTCTX_SH, e), ==, TC_OK);
        g_assert_cmpint(tc_msg_write_server_hello12(&f, versions[a], random, sid, sids[b], 0xC02B,
                                                    tc_wr_data(&x), tc_wr_len(&x)),
                        ==, TC_OK);
        g_assert_cmpmem(tc_wr_data(&f), tc_wr_len(&f), tc_wr_data(&g), tc_wr_len(&g));
        tc_server_hello back;
        tc_error err;
        tc_error_clear(&err);
        g_assert_cmpint(tc_msg_parse_server_hello(tc_wr_data(&f) + 4, tc_wr_len(&f) - 4, &back,
                                                  &err), ==, TC_OK);
        g_assert_cmphex(back.legacy_version, ==, versions[a]);
        g_assert_cmpuint(back.ext.present, ==, e->present);
        tc_wr_free(&g);
        tc_wr_free(&f);
        tc_wr_free(&x);
      }
  /* Out-of-range input fails the writer: a session ID over 32 bytes, a
   * block whose length field does not match it, a block of one byte. */
  static const uint8_t bad_block[] = {0, 3, 0, 23, 0, 0};
  tc_writer w;
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello12(&w, TC_TLS12, random, sid, 33, 0xC02B, NULL, 0), ==,
                  TC_FAIL);
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello12(&w, TC_TLS12, random, sid, 0, 0xC02B, bad_block,
                                              sizeof bad_block),
                  ==, TC_FAIL);
  g_assert_false(tc_wr_ok(&w));
  tc_wr_free(&w);
  tc_wr_init_dyn(&w);
  g_assert_cmpint(tc_msg_write_server_hello12(&w, TC_TLS12, random, sid, 0, 0xC02B, bad_block, 1),
                  ==, TC_FAIL);
  tc_wr_free(&w);
}

/* The short EncryptedExtensions writer gives the generic writer's bytes. */
static void test_ee_sni(void) {
  for (int sni = 0; sni < 2; sni++) {
    tc_encrypted_extensions ee;
    memset(&ee, 0, sizeof ee);
    if (sni)
      tc_exts_set(&ee.ext, TC_EXT_SERVER_NAME);
    tc_writer g, f;
    tc_wr_init_dyn(&g);
    tc_wr_init_dyn(&f);
    g_assert_cmpint(tc_msg_write_encrypted_extensions(&g, &ee), ==, TC_OK);
    g_assert_cmpint(tc_msg_write_encrypted_extensions_sni(&f, sni), ==, TC_OK);
    g_assert_cmpmem(tc_wr_data(&f), tc_wr_len(&f), tc_wr_data(&g), tc_wr_len(&g));
    tc_encrypted_extensions back;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_msg_parse_encrypted_extensions(tc_wr_data(&f) + 4, tc_wr_len(&f) - 4, &back,
                                                      &err), ==, TC_OK);
    g_assert_cmpint(tc_exts_has(&back.ext, TC_EXT_SERVER_NAME), ==, sni);
    tc_wr_free(&g);
    tc_wr_free(&f);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/msg/reader", test_reader);
  g_test_add_func("/msg/server-hello13", test_server_hello13);
  g_test_add_func("/msg/server-hello12", test_server_hello12);
  g_test_add_func("/msg/ee-sni", test_ee_sni);
  g_test_add_func("/msg/writer", test_writer);
  g_test_add_func("/msg/writer/wipe-after-rewind", test_writer_wipe);
  g_test_add_func("/msg/ext-bits", test_ext_bits);
  g_test_add_func("/msg/rfc8448/client-hello", test_rfc8448_client_hello);
  g_test_add_func("/msg/rfc8448/server-hello", test_rfc8448_server_hello);
  g_test_add_func("/msg/rfc8448/server-flight", test_rfc8448_server_flight);
  g_test_add_func("/msg/rfc8448/psk-client-hello", test_rfc8448_psk_client_hello);
  g_test_add_func("/msg/round-trips", test_round_trips);
  g_test_add_func("/msg/truncation", test_truncation);
  g_test_add_func("/msg/trailing-byte", test_trailing_byte);
  g_test_add_func("/msg/binders-patch", test_binders_patch);
  g_test_add_func("/msg/duplicates", test_duplicates);
  g_test_add_func("/msg/extension-rules", test_extension_rules);
  g_test_add_func("/msg/semantic-errors", test_semantic_errors);
  g_test_add_func("/msg/sni-bytes", test_sni_bytes);
  g_test_add_func("/msg/client-hello12", test_client_hello12);
  g_test_add_func("/msg/oversized", test_oversized);
  g_test_add_func("/msg/counts-unbounded", test_counts_unbounded);
  g_test_add_func("/msg/compress-certificate-ext", test_compress_certificate_ext);
  return g_test_run();
}
