/* SSLv2-format ClientHello (RFC 5246 E.2) end to end via our client's hello in v2 framing; malformed and refused v2 hellos. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn_internal.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

#define SCSV_RENEG 0x00FF
#define SCSV_FALLBACK 0x5600

/* ---- configs ---- */

/* The shared TLS 1.2 configs (pump.c); `sha1` also lets the client take a
 * SHA-1 ServerKeyExchange signature: a v2 hello carries no
 * signature_algorithms, so a TLS 1.2 server signs with SHA-1 (RFC 5246
 * §7.4.1.4.1), which a real v2-hello client takes. */
static tc_config *client_cfg(uint16_t min, uint16_t max, const uint16_t *suites, size_t n,
                             bool sha1) {
  tc_config *c = pump_client_cfg12(min, max, suites, n);
  if (sha1) {
    static const uint16_t schemes[] = {TC_SIG_RSA_PKCS1_SHA256, TC_SIG_ECDSA_SECP256R1_SHA256,
                                       TC_SIG_RSA_PKCS1_SHA1, TC_SIG_ECDSA_SHA1};
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_config_set_sig_schemes(c, schemes, G_N_ELEMENTS(schemes), &err), ==,
                    TC_OK);
  }
  return c;
}

/* ---- bytes ---- */

/* Description of the first alert record in a TLS byte stream, -1 if none. */
static int find_alert(const GByteArray *a) {
  size_t off = 0;
  while (off + 5 <= a->len) {
    size_t bl = (size_t)a->data[off + 3] << 8 | a->data[off + 4];
    if (off + 5 + bl > a->len)
      break;
    if (a->data[off] == 21 && bl == 2)
      return a->data[off + 6];
    off += 5 + bl;
  }
  return -1;
}

/* The client's first flight: exactly one ClientHello in handshake records. */
static GByteArray *client_hello(tc_conn *c) {
  uint8_t b;
  size_t n;
  g_assert_cmpint(tc_conn_read(c, &b, 0, &n), !=, TC_FAIL);
  GByteArray *out = pump_drain(c);
  GByteArray *msg = g_byte_array_new();
  size_t off = 0;
  while (off < out->len) {
    g_assert_cmpuint(out->len - off, >=, 5);
    g_assert_cmpuint(out->data[off], ==, 22);
    size_t bl = (size_t)out->data[off + 3] << 8 | out->data[off + 4];
    g_assert_cmpuint(out->len - off - 5, >=, bl);
    g_byte_array_append(msg, out->data + off + 5, (guint)bl);
    off += 5 + bl;
  }
  g_byte_array_unref(out);
  g_assert_cmpuint(msg->len, >, 4 + 2 + 32 + 1 + 2);
  g_assert_cmpuint(msg->data[0], ==, 1);
  size_t ml = (size_t)msg->data[1] << 16 | (size_t)msg->data[2] << 8 | msg->data[3];
  g_assert_cmpuint(ml + 4, ==, msg->len);
  return msg;
}

/* How to turn a ClientHello into an SSLv2 CLIENT-HELLO (and how to break it). */
typedef struct v2opts {
  size_t chal;          /* challenge length; 0 means 32 (the random's last bytes) */
  bool scsv;            /* add TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
  bool fallback;        /* add TLS_FALLBACK_SCSV */
  bool ssl2_kind;       /* lead with an SSL 2.0 cipher kind (not a TLS suite) */
  bool only_ssl2_kinds; /* no TLS suite at all */
  uint16_t version;     /* 0: the ClientHello's legacy_version */
  size_t sid;           /* session id length */
  const uint8_t *sid_bytes; /* its bytes (NULL: 0x5A filler) */
  size_t trailing;      /* junk bytes after the challenge, inside the record */
  bool second_msg;      /* the record carries the message twice */
  int spec_len_delta;   /* added to cipher_spec_length on the wire */
  uint8_t msg_type;     /* 0: 1 (CLIENT-HELLO) */
} v2opts;

static void put16(GByteArray *a, size_t v) {
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  g_byte_array_append(a, b, 2);
}

/* The record: 2-byte header (no padding), then the message(s). */
static GByteArray *ssl2_from_tls(const GByteArray *ch, const v2opts *o) {
  const uint8_t *b = ch->data + 4;
  size_t blen = ch->len - 4;
  uint16_t version = o->version ? o->version : (uint16_t)(b[0] << 8 | b[1]);
  const uint8_t *random = b + 2;
  size_t sidl = b[34];
  g_assert_cmpuint(blen, >=, 35 + sidl + 2);
  const uint8_t *p = b + 35 + sidl;
  size_t sl = (size_t)p[0] << 8 | p[1];
  g_assert_cmpuint(sl % 2, ==, 0);
  g_assert_cmpuint(blen, >=, 35 + sidl + 2 + sl);
  p += 2;
  GByteArray *specs = g_byte_array_new();
  static const uint8_t des3_md5[3] = {0x07, 0x00, 0xC0}; /* SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */
  static const uint8_t rc4_md5[3] = {0x01, 0x00, 0x80};  /* SSL_CK_RC4_128_WITH_MD5 */
  if (o->ssl2_kind || o->only_ssl2_kinds)
    g_byte_array_append(specs, des3_md5, 3);
  if (o->only_ssl2_kinds) {
    g_byte_array_append(specs, rc4_md5, 3);
  } else {
    bool have_scsv = false;
    for (size_t i = 0; i < sl; i += 2) {
      uint8_t s[3] = {0, p[i], p[i + 1]};
      have_scsv |= (p[i] << 8 | p[i + 1]) == SCSV_RENEG;
      g_byte_array_append(specs, s, 3);
    }
    if (o->scsv && !have_scsv) {
      static const uint8_t s[3] = {0x00, 0x00, 0xFF};
      g_byte_array_append(specs, s, 3);
    }
    if (o->fallback) {
      static const uint8_t s[3] = {0x00, 0x56, 0x00};
      g_byte_array_append(specs, s, 3);
    }
  }
  size_t chal = o->chal ? o->chal : 32;
  GByteArray *m = g_byte_array_new();
  uint8_t t = o->msg_type ? o->msg_type : 1;
  g_byte_array_append(m, &t, 1);
  put16(m, version);
  put16(m, (size_t)((int)specs->len + o->spec_len_delta));
  put16(m, o->sid);
  put16(m, chal);
  g_byte_array_append(m, specs->data, specs->len);
  for (size_t i = 0; i < o->sid; i++) {
    uint8_t z = o->sid_bytes ? o->sid_bytes[i] : 0x5A;
    g_byte_array_append(m, &z, 1);
  }
  /* Challenges shorter than the random: its last bytes (the server pads
   * with zeros on the left, RFC 5246 E.2); longer ones: random + filler. */
  if (chal <= 32) {
    g_byte_array_append(m, random + 32 - chal, (guint)chal);
  } else {
    g_byte_array_append(m, random, 32);
    for (size_t i = 32; i < chal; i++) {
      uint8_t z = 0xC3;
      g_byte_array_append(m, &z, 1);
    }
  }
  for (size_t i = 0; i < o->trailing; i++) {
    uint8_t z = 0;
    g_byte_array_append(m, &z, 1);
  }
  if (o->second_msg) {
    /* Copy first: appending may move m->data. */
    GByteArray *one = g_byte_array_new();
    g_byte_array_append(one, m->data, m->len);
    g_byte_array_append(m, one->data, one->len);
    g_byte_array_unref(one);
  }
  g_byte_array_unref(specs);
  g_assert_cmpuint(m->len, <=, 0x7fff);
  GByteArray *rec = g_byte_array_new();
  uint8_t h[2] = {(uint8_t)(0x80 | m->len >> 8), (uint8_t)m->len};
  g_byte_array_append(rec, h, 2);
  g_byte_array_append(rec, m->data, m->len);
  g_byte_array_unref(m);
  return rec;
}

/* Feed `len` bytes, `step` at a time (0: all at once), and let it run. */
static void feed(tc_conn *s, const uint8_t *p, size_t len, size_t step) {
  size_t off = 0;
  while (off < len && !(tc_conn_status(s) & TC_S_FAILED)) {
    size_t n = step && step < len - off ? step : len - off, used = 0;
    tc_conn_feed(s, p + off, n, &used);
    uint8_t b;
    size_t r;
    tc_conn_read(s, &b, 0, &r);
    if (used == 0)
      break;
    off += used;
  }
}

/* ---- end to end ---- */

typedef struct e2e {
  const char *what;
  uint16_t cmin, cmax, smin, smax;
  uint16_t csuites[4];
  size_t ncs;
  uint16_t ssuites[4];  /* server preference (0 entries: its default list) */
  size_t nss;
  uint16_t sgroups[2];  /* server groups (0 entries: default) */
  size_t nsg;
  bool sha1;
  tc_config *scfg;      /* server config to use (NULL: a new one from the fields above) */
  v2opts o;
  size_t feed_step;
  uint16_t want_version, want_suite, want_group;
  uint16_t want_scheme; /* TLS 1.2 ServerKeyExchange signature scheme, when checked */
} e2e;

static void free_pair(tc_conn *c, tc_conn *s, tc_config *cc, tc_config *sc) {
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(cc);
  tc_config_unref(sc);
}

/* Starts our client, converts its ClientHello, feeds the server; the
 * client's transcript gets the v2 bytes when `patch` is set. */
static void start_v2(const e2e *t, bool patch, tc_conn **cp, tc_conn **sp, tc_config **ccp,
                     tc_config **scp, GByteArray **body) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *cc = client_cfg(t->cmin, t->cmax, t->csuites, t->ncs, t->sha1);
  tc_config *sc =
      t->scfg ? tc_config_ref(t->scfg) : pump_server_cfg12(t->smin, t->smax, t->ssuites, t->nss);
  if (t->nsg)
    g_assert_cmpint(tc_config_set_groups(sc, t->sgroups, t->nsg, &err), ==, TC_OK);
  tc_conn *c, *s;
  pump_new_pair(cc, sc, &c, &s);
  GByteArray *ch = client_hello(c);
  GByteArray *rec = ssl2_from_tls(ch, &t->o);
  g_byte_array_unref(ch);
  feed(s, rec->data, rec->len, t->feed_step);
  if (tc_conn_status(s) & TC_S_FAILED)
    g_test_message("server: '%s'", tc_conn_error(s)->message);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  /* The server hashed the v2 message without its 2-byte header (E.2). */
  g_assert_nonnull(s->hs);
  g_assert_cmpuint(s->hs->t12.tr_len, >, rec->len - 2);
  g_assert_cmpmem(s->hs->t12.tr, rec->len - 2, rec->data + 2, rec->len - 2);
  if (patch) {
    /* A 1.2-and-older client keeps its ClientHello in hs->ch1 until the
     * ServerHello names the transcript hash. */
    tc_hs *hs = c->hs;
    g_assert_false(hs->th_started);
    g_assert_nonnull(hs->ch1);
    g_assert_cmpuint(hs->t12.tr_len, ==, 0);
    free(hs->ch1);
    hs->ch1 = malloc(rec->len - 2);
    g_assert_nonnull(hs->ch1);
    memcpy(hs->ch1, rec->data + 2, rec->len - 2);
    hs->ch1_len = rec->len - 2;
    size_t chal = t->o.chal ? t->o.chal : 32;
    if (chal < 32)
      memset(hs->client_random, 0, 32 - chal);
    /* The client's own session id (middlebox compatibility) was not sent. */
    hs->session_id_len = 0;
  }
  *body = g_byte_array_new();
  g_byte_array_append(*body, rec->data + 2, rec->len - 2);
  g_byte_array_unref(rec);
  *cp = c;
  *sp = s;
  *ccp = cc;
  *scp = sc;
}

static void run_e2e(const e2e *t) {
  g_test_message("%s", t->what);
  tc_conn *c, *s;
  tc_config *cc, *sc;
  GByteArray *body;
  start_v2(t, true, &c, &s, &cc, &sc, &body);
  int r = pump_handshake(c, s);
  if (r != TC_OK)
    g_test_message("client: '%s' server: '%s'", tc_conn_error(c)->message,
                   tc_conn_error(s)->message);
  g_assert_cmpint(r, ==, TC_OK);
  /* Both Finished verified: each side computed it over its own transcript. */
  g_assert_true(tc_conn_handshake_done(c));
  g_assert_true(tc_conn_handshake_done(s));
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  g_assert_cmpint(c->state, ==, HS_CONNECTED);
  g_assert_cmpint(s->state, ==, HS_CONNECTED);
  g_assert_cmphex(tc_conn_version(c), ==, t->want_version);
  g_assert_cmphex(tc_conn_version(s), ==, t->want_version);
  g_assert_cmphex(tc_conn_cipher_suite(c), ==, t->want_suite);
  g_assert_cmphex(tc_conn_cipher_suite(s), ==, t->want_suite);
  g_assert_cmphex(tc_conn_group(c), ==, t->want_group);
  g_assert_cmphex(tc_conn_group(s), ==, t->want_group);
  g_assert_false(tc_conn_resumed(c));
  g_assert_false(tc_conn_resumed(s));
  if (t->want_scheme)
    g_assert_cmphex(tc_conn_sig_scheme(c), ==, t->want_scheme);
  /* A server that could do TLS 1.3 marks the downgrade (RFC 8446 §4.1.3);
   * the v2 hello cannot offer 1.3, and a client without 1.3 accepts it. */
  if (t->smax == TC_TLS13) {
    uint8_t down[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', t->want_version == TC_TLS12};
    g_assert_cmpmem(c->c12.server_random + 24, 8, down, 8);
  }

  /* The client random the server used is the client's: the challenge,
   * right-aligned and zero padded. */
  size_t chal = t->o.chal ? t->o.chal : 32;
  g_assert_cmpmem(s->c12.client_random, 32, c->c12.client_random, 32);
  g_assert_cmpmem(s->c12.client_random + 32 - chal, chal, body->data + body->len - chal, chal);
  for (size_t i = 0; i < 32 - chal; i++)
    g_assert_cmpuint(s->c12.client_random[i], ==, 0);
  g_assert_cmpmem(s->c12.server_random, 32, c->c12.server_random, 32);
  /* No extensions in a v2 hello: no EMS, no EtM; RFC 5746 only via the SCSV. */
  g_assert_false(s->c12.ems);
  g_assert_false(c->c12.ems);
  g_assert_false(s->c12.etm);
  g_assert_false(c->c12.etm);
  bool scsv = t->o.scsv || t->cmax == TC_SSL30;
  g_assert_cmpint(s->c12.secure_reneg, ==, scsv);
  g_assert_cmpint(c->c12.secure_reneg, ==, scsv);
  g_assert_null(tc_conn_server_name(s));
  if (t->o.sid_bytes)
    g_assert_true(memcmp(s->c12.session_id, t->o.sid_bytes, t->o.sid) != 0);

  /* Same keys on both sides. */
  if (t->want_version != TC_SSL30) {
    uint8_t ec[32], es[32];
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_conn_export(c, "EXPORTER-ssl2-test", NULL, 0, false, ec, 32, &err), ==,
                    TC_OK);
    g_assert_cmpint(tc_conn_export(s, "EXPORTER-ssl2-test", NULL, 0, false, es, 32, &err), ==,
                    TC_OK);
    g_assert_cmpmem(ec, 32, es, 32);
  }
  uint8_t uc[64], us[64];
  size_t ucl = sizeof uc, usl = sizeof us;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, uc, &ucl, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, us, &usl, &err), ==, TC_OK);
  g_assert_cmpmem(uc, ucl, us, usl);

  /* Application data both ways, small and across several records. */
  static uint8_t big[40000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i * 7 + 1);
  g_assert_true(pump_transfer(c, s, (const uint8_t *)"ping", 4));
  g_assert_true(pump_transfer(s, c, (const uint8_t *)"pong!", 5));
  g_assert_true(pump_transfer(c, s, big, sizeof big));
  g_assert_true(pump_transfer(s, c, big, sizeof big));
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  g_byte_array_unref(body);
  free_pair(c, s, cc, sc);
}

#define P256 TC_GROUP_SECP256R1

static void test_tls10_rsa(void) {
  e2e t = {.what = "TLS 1.0, RSA key exchange, renegotiation SCSV",
           .cmin = TC_TLS10, .cmax = TC_TLS10, .smin = TC_TLS10, .smax = TC_TLS13,
           .csuites = {0x002F}, .ncs = 1,
           .o = {.scsv = true},
           .want_version = TC_TLS10, .want_suite = 0x002F};
  run_e2e(&t);
}

static void test_tls10_ecdhe(void) {
  /* No supported_groups / ec_point_formats in a v2 hello: the server
   * assumes P-256 and uncompressed points (RFC 4492 §4). */
  e2e t = {.what = "TLS 1.0, ECDHE-RSA without supported_groups",
           .cmin = TC_TLS10, .cmax = TC_TLS10, .smin = TC_TLS10, .smax = TC_TLS12,
           .csuites = {0xC013, 0x002F}, .ncs = 2,
           .o = {.scsv = false},
           .want_version = TC_TLS10, .want_suite = 0xC013, .want_group = P256};
  run_e2e(&t);
}

static void test_tls11_dhe_short_challenge(void) {
  /* A 16-byte challenge: the client random becomes 16 zero bytes + challenge. */
  e2e t = {.what = "TLS 1.1, DHE-RSA, 16-byte challenge, SSL 2.0 cipher kind ignored",
           .cmin = TC_TLS10, .cmax = TC_TLS11, .smin = TC_TLS10, .smax = TC_TLS11,
           .csuites = {0x0033}, .ncs = 1,
           .o = {.chal = 16, .ssl2_kind = true, .scsv = true},
           .want_version = TC_TLS11, .want_suite = 0x0033, .want_group = TC_GROUP_FFDHE2048};
  run_e2e(&t);
}

static void test_tls12_rsa(void) {
  e2e t = {.what = "TLS 1.2, RSA key exchange (GCM)",
           .cmin = TC_TLS10, .cmax = TC_TLS12, .smin = TC_TLS10, .smax = TC_TLS12,
           .csuites = {0x009C}, .ncs = 1,
           .o = {.scsv = true},
           .want_version = TC_TLS12, .want_suite = 0x009C};
  run_e2e(&t);
}

static void test_tls12_ecdhe_rsa(void) {
  /* Server up to 1.3: its random carries DOWNGRD\x01, which a 1.2 client accepts. */
  e2e t = {.what = "TLS 1.2, ECDHE-RSA, SHA-1 signature (no signature_algorithms)",
           .cmin = TC_TLS12, .cmax = TC_TLS12, .smin = TC_TLS10, .smax = TC_TLS13,
           .csuites = {0xC02F}, .ncs = 1, .sha1 = true,
           .o = {.scsv = true},
           .want_version = TC_TLS12, .want_suite = 0xC02F, .want_group = P256,
           .want_scheme = TC_SIG_RSA_PKCS1_SHA1};
  run_e2e(&t);
}

static void test_tls12_ecdhe_ecdsa(void) {
  e2e t = {.what = "TLS 1.2, ECDHE-ECDSA, byte-by-byte v2 record",
           .cmin = TC_TLS10, .cmax = TC_TLS12, .smin = TC_TLS10, .smax = TC_TLS12,
           .csuites = {0xC02B}, .ncs = 1, .sha1 = true,
           .o = {.scsv = true},
           .feed_step = 1,
           .want_version = TC_TLS12, .want_suite = 0xC02B, .want_group = P256,
           .want_scheme = TC_SIG_ECDSA_SHA1};
  run_e2e(&t);
}

static void test_ecdhe_without_p256(void) {
  /* Without supported_groups the server only assumes P-256 (RFC 8422 lets
   * it pick any curve; P-256 is the one old ECC clients all have). With no
   * P-256 configured it skips ECDHE and takes the RSA suite. */
  e2e t = {.what = "ECDHE offered, server without P-256 -> RSA key exchange",
           .cmin = TC_TLS10, .cmax = TC_TLS12, .smin = TC_TLS10, .smax = TC_TLS12,
           .csuites = {0xC02F, 0x009C}, .ncs = 2, .sha1 = true,
           .ssuites = {0xC02F, 0x009C}, .nss = 2,
           .sgroups = {TC_GROUP_X25519}, .nsg = 1,
           .o = {.scsv = true},
           .want_version = TC_TLS12, .want_suite = 0x009C};
  run_e2e(&t);
}

static void test_ssl30(void) {
  e2e t = {.what = "SSL 3.0 (the client's own SCSV), RSA key exchange",
           .cmin = TC_SSL30, .cmax = TC_SSL30, .smin = TC_SSL30, .smax = TC_TLS12,
           .csuites = {0x002F}, .ncs = 1,
           .want_version = TC_SSL30, .want_suite = 0x002F};
  run_e2e(&t);
}

/* A session id in a v2 hello (RFC 5246 E.2: the field MUST be empty) does
 * not resume: like OpenSSL, the server starts a full handshake with a new
 * session, even when the id names a cached session. */
static void test_session_id_ignored(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *sc = pump_server_cfg12(TC_TLS10, TC_TLS12, NULL, 0);
  tc_session_cache *cache = tc_session_cache_new(16, 300);
  tc_config_set_session_cache(sc, cache);
  /* A cached session from an ordinary TLS 1.2 handshake. */
  tc_config *cc = client_cfg(TC_TLS10, TC_TLS12, NULL, 0, false);
  tc_conn *c = tc_conn_new(cc, &err);
  tc_conn *s = tc_conn_new(sc, &err);
  g_assert_nonnull(c);
  g_assert_nonnull(s);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_OK);
  g_assert_cmpuint(s->c12.session_id_len, ==, 32);
  g_assert_cmpuint(tc_session_cache_count(cache), ==, 1);
  uint8_t old[32];
  memcpy(old, s->c12.session_id, 32);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(cc);

  e2e t = {.what = "v2 hello naming a cached session",
           .cmin = TC_TLS10, .cmax = TC_TLS12, .scfg = sc,
           .csuites = {0x009C}, .ncs = 1,
           .o = {.scsv = true, .version = TC_TLS12, .sid = 32, .sid_bytes = old},
           .want_version = TC_TLS12, .want_suite = 0x009C};
  run_e2e(&t);
  g_assert_cmpuint(tc_session_cache_count(cache), ==, 2);
  tc_session_cache_unref(cache);
  tc_config_unref(sc);
}

/* Without the v2 bytes in the client's transcript the Finished messages
 * disagree: the success cases above really check the transcript. */
static void test_transcript_mismatch(void) {
  e2e t = {.cmin = TC_TLS10, .cmax = TC_TLS12, .smin = TC_TLS10, .smax = TC_TLS12,
           .csuites = {0x009C}, .ncs = 1, .o = {.scsv = true}};
  tc_conn *c, *s;
  tc_config *cc, *sc;
  GByteArray *body;
  start_v2(&t, false, &c, &s, &cc, &sc, &body);
  g_assert_cmpint(pump_handshake(c, s), ==, TC_FAIL);
  g_test_message("server: '%s'", tc_conn_error(s)->message);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_DECRYPT_ERROR);
  g_assert_false(tc_conn_handshake_done(c));
  g_assert_false(tc_conn_handshake_done(s));
  g_byte_array_unref(body);
  free_pair(c, s, cc, sc);
}

/* ---- refusals and malformed hellos ---- */

typedef struct neg {
  const char *what;
  uint16_t smin, smax;
  v2opts o;
  bool extra_v2_record;  /* a second (valid) v2 record right after */
  bool extra_tls_ch;     /* the TLS ClientHello record right after */
  int want_code;
  int want_alert;        /* the alert on the wire (-1: none) */
  const char *want_msg;  /* substring of the error message, or NULL */
} neg;

static void run_neg(const neg *t) {
  g_test_message("%s", t->what);
  tc_error err;
  tc_error_clear(&err);
  tc_config *cc = client_cfg(TC_TLS10, TC_TLS12, NULL, 0, false);
  tc_config *sc = pump_server_cfg12(t->smin, t->smax, NULL, 0);
  tc_conn *c = tc_conn_new(cc, &err);
  tc_conn *s = tc_conn_new(sc, &err);
  g_assert_nonnull(c);
  g_assert_nonnull(s);
  GByteArray *ch = client_hello(c);
  GByteArray *rec = ssl2_from_tls(ch, &t->o);
  if (t->extra_v2_record) {
    v2opts ok = {.scsv = true};
    GByteArray *again = ssl2_from_tls(ch, &ok);
    g_byte_array_append(rec, again->data, again->len);
    g_byte_array_unref(again);
  }
  if (t->extra_tls_ch) {
    uint8_t h[5] = {22, 3, 1, (uint8_t)(ch->len >> 8), (uint8_t)ch->len};
    g_byte_array_append(rec, h, 5);
    g_byte_array_append(rec, ch->data, ch->len);
  }
  feed(s, rec->data, rec->len, 0);
  GByteArray *out = pump_drain(s);
  g_test_message("server: '%s'", tc_conn_error(s)->message);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  g_assert_false(tc_conn_handshake_done(s));
  g_assert_cmpint(tc_conn_error(s)->code, ==, t->want_code);
  g_assert_cmpint(find_alert(out), ==, t->want_alert);
  if (t->want_msg)
    g_assert_nonnull(strstr(tc_conn_error(s)->message, t->want_msg));
  /* The error latches: more input changes nothing. */
  uint8_t b;
  size_t n;
  g_assert_cmpint(tc_conn_read(s, &b, 0, &n), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, t->want_code);
  g_byte_array_unref(out);
  g_byte_array_unref(rec);
  g_byte_array_unref(ch);
  free_pair(c, s, cc, sc);
}

static void test_refusals(void) {
  static const neg cases[] = {
      {"server minimum TLS 1.2 (the default)", TC_TLS12, TC_TLS13, {.scsv = true}, false, false,
       TC_ERR_PROTOCOL_VERSION, 70, "SSLv2-format ClientHello refused"},
      {"server minimum TLS 1.1", TC_TLS11, TC_TLS12, {.scsv = true}, false, false,
       TC_ERR_PROTOCOL_VERSION, 70, "SSLv2-format ClientHello refused"},
      {"v2 hello for SSL 3.0, server minimum TLS 1.0", TC_TLS10, TC_TLS12,
       {.version = TC_SSL30}, false, false, TC_ERR_PROTOCOL_VERSION, 70, NULL},
      {"SSL 2.0 only (version 0x0002)", TC_TLS10, TC_TLS12, {.version = 0x0002}, false, false,
       TC_ERR_PROTOCOL_VERSION, 70, "SSL 2.0"},
      {"only SSL 2.0 cipher kinds", TC_TLS10, TC_TLS12, {.only_ssl2_kinds = true}, false, false,
       TC_ERR_HANDSHAKE_FAILURE, 40, "no TLS suite"},
      {"fallback SCSV below the server's maximum", TC_TLS10, TC_TLS12,
       {.version = TC_TLS10, .fallback = true}, false, false, TC_ERR_INAPPROPRIATE_FALLBACK, 86,
       NULL},
      {"challenge of 15 bytes", TC_TLS10, TC_TLS12, {.chal = 15}, false, false,
       TC_ERR_DECODE_ERROR, 50, NULL},
      {"challenge of 33 bytes", TC_TLS10, TC_TLS12, {.chal = 33}, false, false,
       TC_ERR_DECODE_ERROR, 50, NULL},
      {"session id of 33 bytes", TC_TLS10, TC_TLS12, {.sid = 33}, false, false,
       TC_ERR_DECODE_ERROR, 50, NULL},
      {"one trailing byte after the challenge", TC_TLS10, TC_TLS12, {.trailing = 1}, false,
       false, TC_ERR_DECODE_ERROR, 50, NULL},
      {"cipher_spec_length 3 short (spec bytes left over)", TC_TLS10, TC_TLS12,
       {.spec_len_delta = -3}, false, false, TC_ERR_DECODE_ERROR, 50, NULL},
      {"cipher_spec_length not a multiple of 3", TC_TLS10, TC_TLS12, {.spec_len_delta = -1},
       false, false, TC_ERR_DECODE_ERROR, 50, NULL},
      {"two CLIENT-HELLO messages in one v2 record", TC_TLS10, TC_TLS12, {.second_msg = true},
       false, false, TC_ERR_DECODE_ERROR, 50, NULL},
      {"a second v2 record after a valid one", TC_TLS10, TC_TLS12, {.scsv = true}, true, false,
       TC_ERR_UNEXPECTED_MESSAGE, 10, NULL},
      {"a TLS ClientHello after a valid v2 hello", TC_TLS10, TC_TLS12, {.scsv = true}, false,
       true, TC_ERR_UNEXPECTED_MESSAGE, 10, NULL},
      {"v2 message type 2 (CLIENT-MASTER-KEY)", TC_TLS10, TC_TLS12, {.msg_type = 2}, false,
       false, TC_ERR_NOT_TLS, 50, "SSLv2 message 2"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    run_neg(&cases[i]);
}

/* Records too short to hold the v2 header fields are refused by the record layer. */
static void test_short_records(void) {
  tc_error err;
  tc_error_clear(&err);
  tc_config *sc = pump_server_cfg12(TC_TLS10, TC_TLS12, NULL, 0);
  static const uint8_t tiny[][11] = {
      {0x80, 0x08, 0x01, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00},       /* 8-byte message */
      {0x80, 0x09, 0x01, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* no specs */
  };
  static const size_t lens[] = {10, 11};
  static const int codes[] = {TC_ERR_DECODE_ERROR, TC_ERR_DECODE_ERROR};
  for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
    tc_conn *s = tc_conn_new(sc, &err);
    g_assert_nonnull(s);
    feed(s, tiny[i], lens[i], 0);
    GByteArray *out = pump_drain(s);
    g_assert_true(tc_conn_status(s) & TC_S_FAILED);
    g_assert_cmpint(tc_conn_error(s)->code, ==, codes[i]);
    g_assert_cmpint(find_alert(out), ==, 50);
    g_byte_array_unref(out);
    tc_conn_free(s);
  }
  tc_config_unref(sc);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ssl2-hello/tls10-rsa", test_tls10_rsa);
  g_test_add_func("/ssl2-hello/tls10-ecdhe", test_tls10_ecdhe);
  g_test_add_func("/ssl2-hello/tls11-dhe-short-challenge", test_tls11_dhe_short_challenge);
  g_test_add_func("/ssl2-hello/tls12-rsa", test_tls12_rsa);
  g_test_add_func("/ssl2-hello/tls12-ecdhe-rsa", test_tls12_ecdhe_rsa);
  g_test_add_func("/ssl2-hello/tls12-ecdhe-ecdsa-bytewise", test_tls12_ecdhe_ecdsa);
  g_test_add_func("/ssl2-hello/ecdhe-without-p256", test_ecdhe_without_p256);
  g_test_add_func("/ssl2-hello/ssl30", test_ssl30);
  g_test_add_func("/ssl2-hello/session-id-ignored", test_session_id_ignored);
  g_test_add_func("/ssl2-hello/transcript-mismatch", test_transcript_mismatch);
  g_test_add_func("/ssl2-hello/refusals", test_refusals);
  g_test_add_func("/ssl2-hello/short-records", test_short_records);
  return g_test_run();
}
