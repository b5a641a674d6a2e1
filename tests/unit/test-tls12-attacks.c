/* TLS 1.2-and-older attack regressions in memory: RSA premaster oracles, CBC padding vs MAC, EMS rules, downgrade, versions, client certs, renegotiation. */
#include <glib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "engine/conn_internal.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

/* ---- configs ---- */

/* ---- a shuttle that lets a test rewrite bytes in flight ---- */

typedef void (*hook_fn)(GByteArray *bytes, tc_conn *from, void *ctx);

typedef struct shuttle {
  hook_fn c2s, s2c;
  void *ctx;
  /* client certificate answer */
  tc_cert **cc;
  size_t ncc;
  tc_privkey *ckey;
  /* server output sizes, one entry per chunk handed to the client */
  GArray *server_out;
  /* feed the server record by record; its state when it failed (negative:
   * before the peer's CCS) */
  bool by_record;
  int fail_state;
} shuttle;

static void feed_all(tc_conn *to, const GByteArray *a) {
  size_t off = 0;
  while (off < a->len && !(tc_conn_status(to) & TC_S_FAILED)) {
    size_t used = 0;
    tc_conn_feed(to, a->data + off, a->len - off, &used);
    if (!used)
      break;
    off += used;
  }
}

/* Feed record by record; the state `to` was in when a record made it fail
 * goes to *fail_state (unchanged if none failed). */
static void feed_records(tc_conn *to, const GByteArray *a, int *fail_state) {
  size_t off = 0;
  while (off + 5 <= a->len && !(tc_conn_status(to) & TC_S_FAILED)) {
    size_t rl = 5 + ((size_t)a->data[off + 3] << 8 | a->data[off + 4]);
    if (off + rl > a->len)
      rl = a->len - off;
    int before = (int)to->state;
    bool ccs = to->hs && to->hs->t12.ccs_seen;
    size_t used = 0, done = 0;
    while (done < rl) {
      tc_conn_feed(to, a->data + off + done, rl - done, &used);
      if (!used)
        break;
      done += used;
    }
    uint8_t b;
    size_t n;
    tc_conn_read(to, &b, 0, &n);
    if (tc_conn_status(to) & TC_S_FAILED)
      *fail_state = ccs ? before : -before - 1;
    off += rl;
  }
}

static bool nudge(tc_conn *x) {
  uint8_t b;
  size_t n;
  if (tc_conn_status(x) & TC_S_WANT && tc_conn_want(x) == TC_WANT_CLIENT_CERT)
    return false;
  if (!tc_conn_handshake_done(x) && !(tc_conn_status(x) & TC_S_FAILED))
    tc_conn_read(x, &b, 0, &n);
  return true;
}

/* Run until quiet; TC_OK if both handshakes completed, TC_FAIL otherwise. */
static int run(shuttle *sh, tc_conn *c, tc_conn *s) {
  for (int round = 0; round < 60; round++) {
    if ((tc_conn_status(c) & TC_S_WANT) && tc_conn_want(c) == TC_WANT_CLIENT_CERT)
      g_assert_cmpint(tc_conn_answer_client_cert(c, sh ? sh->cc : NULL, sh ? sh->ncc : 0,
                                                 sh ? sh->ckey : NULL),
                      !=, TC_FAIL);
    nudge(c);
    GByteArray *a = pump_drain(c);
    if (a->len && sh && sh->c2s)
      sh->c2s(a, c, sh->ctx);
    bool moved = a->len > 0;
    if (sh && sh->by_record)
      feed_records(s, a, &sh->fail_state);
    else
      feed_all(s, a);
    g_byte_array_unref(a);
    nudge(s);
    a = pump_drain(s);
    if (a->len && sh && sh->server_out) {
      guint n = a->len;
      g_array_append_val(sh->server_out, n);
    }
    if (a->len && sh && sh->s2c)
      sh->s2c(a, s, sh->ctx);
    moved |= a->len > 0;
    feed_all(c, a);
    g_byte_array_unref(a);
    if (!moved && !((tc_conn_status(c) & TC_S_WANT) && tc_conn_want(c) == TC_WANT_CLIENT_CERT))
      break;
  }
  if ((tc_conn_status(c) | tc_conn_status(s)) & TC_S_FAILED)
    return TC_FAIL;
  return tc_conn_handshake_done(c) && tc_conn_handshake_done(s) ? TC_OK : TC_AGAIN;
}

/* Handshake message of `type` inside plaintext handshake records of a
 * flight: pointer to the message header (type, u24 length) or NULL. */
static uint8_t *find_hs(GByteArray *a, uint8_t type, size_t *msg_len) {
  size_t off = 0;
  while (off + 5 <= a->len) {
    uint8_t *r = a->data + off;
    size_t rl = (size_t)r[3] << 8 | r[4];
    if (off + 5 + rl > a->len)
      break;
    if (r[0] == 22) {
      size_t m = 0;
      while (m + 4 <= rl) {
        uint8_t *p = r + 5 + m;
        size_t ml = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
        if (m + 4 + ml > rl)
          break;
        if (p[0] == type) {
          *msg_len = 4 + ml;
          return p;
        }
        m += 4 + ml;
      }
    }
    off += 5 + rl;
  }
  return NULL;
}

/* First record of content type `type`: its header, or NULL. */
static uint8_t *find_record(GByteArray *a, uint8_t type, size_t *body_len) {
  size_t off = 0;
  *body_len = 0;
  while (off + 5 <= a->len) {
    uint8_t *r = a->data + off;
    size_t rl = (size_t)r[3] << 8 | r[4];
    if (off + 5 + rl > a->len)
      return NULL;
    if (r[0] == type) {
      *body_len = rl;
      return r;
    }
    off += 5 + rl;
  }
  return NULL;
}

/* Offset of extension `ext` (its type field) inside a ClientHello message
 * (with header), 0 if absent. */
static size_t ch_ext_offset(const uint8_t *m, size_t len, uint16_t ext) {
  size_t p = 4 + 2 + 32;
  g_assert_cmpuint(len, >, p + 1);
  p += 1 + m[p];
  p += 2 + ((size_t)m[p] << 8 | m[p + 1]);
  p += 1 + m[p];
  size_t end = p + 2 + ((size_t)m[p] << 8 | m[p + 1]);
  g_assert_cmpuint(end, ==, len);
  p += 2;
  while (p + 4 <= end) {
    uint16_t t = (uint16_t)(m[p] << 8 | m[p + 1]);
    size_t l = (size_t)m[p + 2] << 8 | m[p + 3];
    if (t == ext)
      return p;
    p += 4 + l;
  }
  return 0;
}

/* Rename a ClientHello extension to an unknown code point (the server
 * ignores it), in flight and in the client's own transcript so that the
 * Finished messages still agree: the client then behaves as one that never
 * offered it. */
static const uint16_t *strip_exts;
static size_t n_strip_exts;

static void strip_ch_ext(GByteArray *a, tc_conn *from, void *ctx) {
  (void)ctx;
  size_t ml;
  uint8_t *m = find_hs(a, 1, &ml);
  if (!m)
    return;
  /* The client keeps its ClientHello bytes in hs->ch1 until ServerHello. */
  tc_hs *h = from->hs;
  if (!h->ch1 && h->ch1_kept) {
    /* Written from kept bytes (a template's first ClientHello), which the
     * client refers to instead of copying: they are what went out but for
     * the random and the session ID. Give the client a copy to patch (a
     * running hash of the sent ClientHello, t12.th_ch, is then dropped at
     * the ServerHello: the kept bytes no longer stand for it). */
    size_t sid_at = 4 + 2 + 32 + 1;
    g_assert_cmpuint(h->ch1_kept_len, ==, ml);
    g_assert_cmpmem(h->ch1_kept, 6, m, 6);
    g_assert_cmpmem(h->client_random, 32, m + 6, 32);
    g_assert_cmpuint(m[sid_at - 1], ==, h->ch1_kept_sid);
    g_assert_cmpmem(h->session_id, h->ch1_kept_sid, m + sid_at, h->ch1_kept_sid);
    g_assert_cmpmem(h->ch1_kept + sid_at + h->ch1_kept_sid, ml - sid_at - h->ch1_kept_sid,
                    m + sid_at + h->ch1_kept_sid, ml - sid_at - h->ch1_kept_sid);
    h->ch1 = malloc(ml);
    g_assert_nonnull(h->ch1);
    memcpy(h->ch1, m, ml);
    h->ch1_len = ml;
    h->ch1_kept = NULL;
  }
  g_assert_cmpuint(h->ch1_len, ==, ml);
  g_assert_cmpmem(h->ch1, ml, m, ml);
  for (size_t i = 0; i < n_strip_exts; i++) {
    size_t off = ch_ext_offset(m, ml, strip_exts[i]);
    g_assert_cmpuint(off, !=, 0);
    m[off] = 0xfa; /* unassigned */
    h->ch1[off] = 0xfa;
  }
}

/* ---- (a) RSA key exchange: one behaviour for every bad premaster ---- */

typedef struct rsa_case {
  uint8_t ct[512];
  size_t ct_len; /* 0: leave the client's ClientKeyExchange alone */
} rsa_case;

static void swap_cke(GByteArray *a, tc_conn *from, void *ctx) {
  (void)from;
  rsa_case *rc = ctx;
  size_t ml;
  uint8_t *m = find_hs(a, 16, &ml);
  if (!m || !rc->ct_len)
    return;
  /* RSA ClientKeyExchange: u16 length + ciphertext of the modulus size. */
  g_assert_cmpuint(ml, ==, 4 + 2 + rc->ct_len);
  memcpy(m + 6, rc->ct, rc->ct_len);
}

typedef struct outcome {
  int result;
  tc_error err;
  GArray *pattern;
  bool saw_finished_fail;
} outcome;

static void rsa_run(rsa_case *rc, outcome *o) {
  static const uint16_t suite = 0x002F; /* TLS_RSA_WITH_AES_128_CBC_SHA */
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  shuttle sh = {.c2s = swap_cke,
                .ctx = rc,
                .server_out = g_array_new(FALSE, FALSE, sizeof(guint)),
                .by_record = true};
  o->result = run(&sh, c, s);
  o->err = *tc_conn_error(s);
  o->pattern = sh.server_out;
  /* It failed in the client's Finished, i.e. after ClientKeyExchange and CCS. */
  o->saw_finished_fail = sh.fail_state == (int)HS_S12_WAIT_FINISHED;
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_rsa_premaster(void) {
  size_t n;
  tc_cert **certs = pump_load_certs("server-rsa.pem", &n);
  const tc_pubkey *pk = tc_cert_pubkey(certs[0]);
  size_t mod = (tc_pubkey_bits(pk) + 7) / 8;
  g_assert_cmpuint(mod, <=, 512);
  tc_rng rng = {NULL, NULL};

  /* Baseline: the untouched handshake works. */
  rsa_case ok = {.ct_len = 0};
  outcome base;
  rsa_run(&ok, &base);
  g_assert_cmpint(base.result, ==, TC_OK);
  g_array_unref(base.pattern);

  rsa_case cases[4];
  const char *names[4] = {"bad PKCS#1 padding", "wrong version", "wrong length (47)",
                          "well-formed wrong premaster"};
  uint8_t pms[48];
  /* 1. Not PKCS#1 at all: a fixed pattern below the modulus decrypts to
   * garbage (the chance it is valid padding is about 2^-16 * ...; fixed
   * bytes make the test deterministic). */
  cases[0].ct_len = mod;
  cases[0].ct[0] = 0;
  for (size_t i = 1; i < mod; i++)
    cases[0].ct[i] = (uint8_t)(i * 37 + 11);
  /* 2. Correct padding, premaster version 3.1 instead of the ClientHello's 3.3. */
  for (size_t i = 0; i < 48; i++)
    pms[i] = (uint8_t)(i + 1);
  pms[0] = 3;
  pms[1] = 1;
  cases[1].ct_len = sizeof cases[1].ct;
  g_assert_cmpint(tc_rsa_encrypt_pkcs1(pk, &rng, pms, 48, cases[1].ct, &cases[1].ct_len), ==, 0);
  /* 3. Correct padding and version, 47 bytes. */
  pms[1] = 3;
  cases[2].ct_len = sizeof cases[2].ct;
  g_assert_cmpint(tc_rsa_encrypt_pkcs1(pk, &rng, pms, 47, cases[2].ct, &cases[2].ct_len), ==, 0);
  /* 4. Everything right but a premaster the client never used. */
  cases[3].ct_len = sizeof cases[3].ct;
  g_assert_cmpint(tc_rsa_encrypt_pkcs1(pk, &rng, pms, 48, cases[3].ct, &cases[3].ct_len), ==, 0);

  outcome out[4];
  for (int i = 0; i < 4; i++) {
    g_assert_cmpuint(cases[i].ct_len, ==, mod);
    rsa_run(&cases[i], &out[i]);
    g_test_message("%s: code %d alert %d '%s', %u server writes", names[i], out[i].err.code,
                   out[i].err.alert, out[i].err.message, out[i].pattern->len);
    g_assert_cmpint(out[i].result, ==, TC_FAIL);
    g_assert_true(out[i].saw_finished_fail);
    /* Fails on the client's Finished record: wrong keys -> bad_record_mac. */
    g_assert_cmpint(out[i].err.code, ==, TC_ERR_BAD_RECORD_MAC);
    g_assert_cmpint(out[i].err.alert, ==, 20);
    g_assert_false(out[i].err.remote);
  }
  for (int i = 1; i < 4; i++) {
    g_assert_cmpint(out[i].err.code, ==, out[0].err.code);
    g_assert_cmpint(out[i].err.alert, ==, out[0].err.alert);
    g_assert_cmpstr(out[i].err.message, ==, out[0].err.message);
    g_assert_cmpuint(out[i].pattern->len, ==, out[0].pattern->len);
    for (guint j = 0; j < out[i].pattern->len; j++)
      g_assert_cmpuint(g_array_index(out[i].pattern, guint, j), ==,
                       g_array_index(out[0].pattern, guint, j));
  }
  for (int i = 0; i < 4; i++)
    g_array_unref(out[i].pattern);
  pump_free_certs(certs, n);
}

/* ---- (b) CBC: bad padding and bad MAC look the same ---- */

typedef enum { T_NONE, T_IV, T_PAD, T_CT, T_TAG } tamper_kind;
static tamper_kind cbc_tamper;

static void tamper_app(GByteArray *a, tc_conn *from, void *ctx) {
  (void)from;
  (void)ctx;
  size_t bl;
  uint8_t *r = find_record(a, 23, &bl);
  if (!r || cbc_tamper == T_NONE)
    return;
  uint8_t *b = r + 5;
  switch (cbc_tamper) {
  case T_IV: /* explicit IV: changes plaintext block 0 only (MtE: MAC fails, padding fine) */
    b[3] ^= 0x40;
    break;
  case T_PAD: /* MtE: last byte of the next-to-last block flips the padding length */
    b[bl - 17] ^= 0x01;
    break;
  case T_CT: /* a ciphertext byte in the middle */
    b[bl / 2] ^= 0x01;
    break;
  case T_TAG: /* EtM: last byte of the MAC */
    b[bl - 1] ^= 0x01;
    break;
  default:
    break;
  }
}

static void cbc_run_v(uint16_t version, bool etm, tamper_kind t, tc_error *err) {
  static const uint16_t suite = 0xC013; /* ECDHE_RSA_AES_128_CBC_SHA */
  static const uint16_t etm_ext = 0x0016;
  tc_config *scfg = pump_server_cfg12(version, version, &suite, 1);
  tc_config *ccfg = pump_client_cfg12(version, version, &suite, 1);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  strip_exts = &etm_ext;
  n_strip_exts = etm ? 0 : 1;
  shuttle sh = {.c2s = strip_ch_ext};
  g_assert_cmpint(run(&sh, c, s), ==, TC_OK);
  g_assert_cmpint(s->c12.etm, ==, etm);
  g_assert_cmpint(c->c12.etm, ==, etm);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"warm-up", 7));
  /* 100 bytes + 20 MAC + 1 = 121: 7 bytes of padding (MtE). */
  uint8_t data[100];
  memset(data, 'a', sizeof data);
  size_t w;
  g_assert_cmpint(tc_conn_write(c, data, sizeof data, &w), ==, TC_OK);
  g_assert_cmpuint(w, ==, sizeof data);
  cbc_tamper = t;
  shuttle sh2 = {.c2s = tamper_app};
  run(&sh2, c, s);
  uint8_t buf[200];
  size_t n = 0, got = 0;
  int r;
  /* TLS 1.0 splits 1/n-1: read until all arrived or it fails. */
  while ((r = tc_conn_read(s, buf + got, sizeof buf - got, &n)) == TC_OK && n) {
    got += n;
    if (got >= sizeof data)
      break;
  }
  cbc_tamper = T_NONE;
  if (t == T_NONE) {
    g_assert_cmpint(r, ==, TC_OK);
    g_assert_cmpuint(got, ==, sizeof data);
  } else {
    g_assert_cmpint(r, ==, TC_FAIL);
  }
  *err = *tc_conn_error(s);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void cbc_run(bool etm, tamper_kind t, tc_error *err) {
  cbc_run_v(TC_TLS12, etm, t, err);
}

static void same_error(const tc_error *a, const tc_error *b) {
  g_assert_cmpint(a->code, ==, b->code);
  g_assert_cmpint(a->alert, ==, b->alert);
  g_assert_cmpint(a->remote, ==, b->remote);
  g_assert_cmpstr(a->message, ==, b->message);
}

static void test_cbc_mte(void) {
  tc_error ok, mac, pad, mid;
  cbc_run(false, T_NONE, &ok);
  g_assert_cmpint(ok.code, ==, TC_ERR_NONE);
  cbc_run(false, T_IV, &mac);
  cbc_run(false, T_PAD, &pad);
  cbc_run(false, T_CT, &mid);
  g_test_message("MtE bad MAC: '%s'; bad padding: '%s'", mac.message, pad.message);
  g_assert_cmpint(mac.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_cmpint(mac.alert, ==, 20);
  same_error(&mac, &pad);
  same_error(&mac, &mid);
}

/* TLS 1.1 (explicit IV) and TLS 1.0 (implicit IV, 1/n-1 split: the first
 * record holds one byte), MAC-then-encrypt. */
static void test_cbc_old_versions(void) {
  static const uint16_t versions[] = {TC_TLS11, TC_TLS10};
  for (size_t i = 0; i < G_N_ELEMENTS(versions); i++) {
    tc_error ok, mac, pad;
    cbc_run_v(versions[i], false, T_NONE, &ok);
    g_assert_cmpint(ok.code, ==, TC_ERR_NONE);
    cbc_run_v(versions[i], false, T_IV, &mac);
    cbc_run_v(versions[i], false, T_PAD, &pad);
    g_assert_cmpint(mac.code, ==, TC_ERR_BAD_RECORD_MAC);
    g_assert_cmpint(mac.alert, ==, 20);
    same_error(&mac, &pad);
  }
}

/* With encrypt-then-MAC the MAC covers the ciphertext: any change fails the
 * MAC before the padding is looked at (a padding error behind a valid MAC
 * needs the keys; test-record12 covers it). */
static void test_cbc_etm(void) {
  tc_error ok, iv, pad, tag;
  cbc_run(true, T_NONE, &ok);
  g_assert_cmpint(ok.code, ==, TC_ERR_NONE);
  cbc_run(true, T_IV, &iv);
  cbc_run(true, T_PAD, &pad);
  cbc_run(true, T_TAG, &tag);
  g_assert_cmpint(iv.code, ==, TC_ERR_BAD_RECORD_MAC);
  g_assert_cmpint(iv.alert, ==, 20);
  same_error(&iv, &pad);
  same_error(&iv, &tag);
}

/* ---- (c) extended master secret (RFC 7627 §5.3) ---- */

static const uint16_t ems_ext = 0x0017;

/* Handshake (EMS stripped from the ClientHello if strip); returns the
 * client's session. */
static tc_session *first_session(tc_config *ccfg, tc_config *scfg, bool strip) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  strip_exts = &ems_ext;
  n_strip_exts = strip ? 1 : 0;
  shuttle sh = {.c2s = strip_ch_ext};
  g_assert_cmpint(run(&sh, c, s), ==, TC_OK);
  g_assert_cmpint(s->c12.ems, ==, !strip);
  g_assert_cmpint(c->c12.ems, ==, !strip);
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"x", 1));
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_conn_free(c);
  tc_conn_free(s);
  return sess;
}

/* Resume with sess (EMS stripped if strip); returns run()'s result. */
static int resume(tc_config *ccfg, tc_config *scfg, tc_session *sess, bool strip, bool *resumed,
                  tc_error *serr) {
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(tc_conn_set_session(c, sess), ==, TC_OK);
  strip_exts = &ems_ext;
  n_strip_exts = strip ? 1 : 0;
  shuttle sh = {.c2s = strip_ch_ext};
  int r = run(&sh, c, s);
  *resumed = tc_conn_resumed(s);
  *serr = *tc_conn_error(s);
  if (r == TC_OK) {
    g_assert_cmpint(tc_conn_resumed(c), ==, *resumed);
    g_assert_true(pump_transfer(c, s, (const unsigned char *)"y", 1));
  }
  tc_conn_free(c);
  tc_conn_free(s);
  return r;
}

static void test_ems(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_ems_required(ccfg, false); /* so the client offers non-EMS sessions */
  bool resumed;
  tc_error e;

  /* Baseline: EMS session, EMS resumption. */
  tc_session *ems_sess = first_session(ccfg, scfg, false);
  g_assert_cmpint(resume(ccfg, scfg, ems_sess, false, &resumed, &e), ==, TC_OK);
  g_assert_true(resumed);

  /* Session with EMS, resumption ClientHello without it: abort. */
  g_assert_cmpint(resume(ccfg, scfg, ems_sess, true, &resumed, &e), ==, TC_FAIL);
  g_test_message("EMS session, no EMS in CH: '%s'", e.message);
  g_assert_cmpint(e.code, ==, TC_ERR_HANDSHAKE_FAILURE);
  g_assert_cmpint(e.alert, ==, 40);

  /* Session without EMS, ClientHello with EMS: full handshake. */
  tc_session *plain = first_session(ccfg, scfg, true);
  g_assert_cmpint(resume(ccfg, scfg, plain, false, &resumed, &e), ==, TC_OK);
  g_assert_false(resumed);

  /* No EMS at all, server requiring it (default): full handshake. */
  g_assert_cmpint(resume(ccfg, scfg, plain, true, &resumed, &e), ==, TC_OK);
  g_assert_false(resumed);

  /* ... and the same resumes once the server allows non-EMS sessions. */
  tc_config_set_ems_required(scfg, false);
  g_assert_cmpint(resume(ccfg, scfg, plain, true, &resumed, &e), ==, TC_OK);
  g_assert_true(resumed);

  /* Same rules for the session-ID cache. */
  tc_config *scfg2 = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_tickets(scfg2, 0, 7200);
  tc_session_cache *cache = tc_session_cache_new(8, 60);
  tc_config_set_session_cache(scfg2, cache);
  tc_session *id_sess = first_session(ccfg, scfg2, false);
  g_assert_cmpint(resume(ccfg, scfg2, id_sess, false, &resumed, &e), ==, TC_OK);
  g_assert_true(resumed);
  g_assert_cmpint(resume(ccfg, scfg2, id_sess, true, &resumed, &e), ==, TC_FAIL);
  g_assert_cmpint(e.code, ==, TC_ERR_HANDSHAKE_FAILURE);
  tc_session *id_plain = first_session(ccfg, scfg2, true);
  g_assert_cmpint(resume(ccfg, scfg2, id_plain, false, &resumed, &e), ==, TC_OK);
  g_assert_false(resumed);
  g_assert_cmpint(resume(ccfg, scfg2, id_plain, true, &resumed, &e), ==, TC_OK);
  g_assert_false(resumed);

  tc_session_unref(id_sess);
  tc_session_unref(id_plain);
  tc_session_cache_unref(cache);
  tc_session_unref(ems_sess);
  tc_session_unref(plain);
  tc_config_unref(scfg2);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- (d) downgrade sentinel ---- */

static const uint8_t *sentinel_tail;

static void set_sh_random_tail(GByteArray *a, tc_conn *from, void *ctx) {
  (void)from;
  (void)ctx;
  size_t ml;
  uint8_t *m = find_hs(a, 2, &ml);
  if (m && sentinel_tail)
    memcpy(m + 4 + 2 + 24, sentinel_tail, 8);
}

static void test_downgrade(void) {
  static const uint8_t tls12_sentinel[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
  static const uint8_t tls11_sentinel[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0};
  /* A server capped at 1.2 writes no sentinel; the 1.3 client accepts 1.2. */
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
  g_assert_cmpmem(c->c12.server_random, 7, s->c12.server_random, 7);
  g_assert_true(memcmp(s->c12.server_random + 24, tls12_sentinel, 7) != 0);
  tc_conn_free(c);
  tc_conn_free(s);
  /* A server allowing 1.3 that meets a 1.2-only client writes it. */
  tc_config *scfg13 = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *ccfg12 = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  pump_new_pair(ccfg12, scfg13, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_cmpmem(s->c12.server_random + 24, 8, tls12_sentinel, 8);
  tc_conn_free(c);
  tc_conn_free(s);
  /* The 1.3-capable client seeing either sentinel in a 1.2 ServerHello. */
  const uint8_t *tails[2] = {tls12_sentinel, tls11_sentinel};
  for (int i = 0; i < 2; i++) {
    pump_new_pair(ccfg, scfg, &c, &s);
    sentinel_tail = tails[i];
    shuttle sh = {.s2c = set_sh_random_tail};
    g_assert_cmpint(run(&sh, c, s), ==, TC_FAIL);
    sentinel_tail = NULL;
    g_test_message("sentinel: client '%s'", tc_conn_error(c)->message);
    g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_ILLEGAL_PARAMETER);
    g_assert_cmpint(tc_conn_error(c)->alert, ==, 47);
    g_assert_false(tc_conn_error(c)->remote);
    tc_conn_free(c);
    tc_conn_free(s);
  }
  /* The 1.2-only client does not look at it. */
  pump_new_pair(ccfg12, scfg, &c, &s);
  sentinel_tail = tls12_sentinel;
  shuttle sh = {.s2c = set_sh_random_tail};
  int r = run(&sh, c, s);
  sentinel_tail = NULL;
  /* The tampered random breaks the Finished, not the sentinel check. */
  g_assert_cmpint(r, ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, !=, TC_ERR_ILLEGAL_PARAMETER);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg12);
  tc_config_unref(scfg13);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- (e) every pairing of version ranges ---- */

static void test_version_pairs(void) {
  static const uint16_t v[] = {TC_SSL30, TC_TLS10, TC_TLS11, TC_TLS12, TC_TLS13};
  const size_t nv = G_N_ELEMENTS(v);
  unsigned ok = 0, failed = 0;
  for (size_t cmin = 0; cmin < nv; cmin++)
    for (size_t cmax = cmin; cmax < nv; cmax++)
      for (size_t smin = 0; smin < nv; smin++)
        for (size_t smax = smin; smax < nv; smax++) {
          tc_config *scfg = pump_server_cfg12(v[smin], v[smax], NULL, 0);
          tc_config *ccfg = pump_client_cfg12(v[cmin], v[cmax], NULL, 0);
          tc_conn *c, *s;
          pump_new_pair(ccfg, scfg, &c, &s);
          int r = run(NULL, c, s);
          size_t lo = MAX(cmin, smin), hi = MIN(cmax, smax);
          if (lo <= hi) {
            if (r != TC_OK)
              g_error("client %s..%s server %s..%s: client '%s' server '%s'",
                      tc_version_name(v[cmin]), tc_version_name(v[cmax]),
                      tc_version_name(v[smin]), tc_version_name(v[smax]),
                      tc_conn_error(c)->message, tc_conn_error(s)->message);
            g_assert_cmpuint(tc_conn_version(c), ==, v[hi]);
            g_assert_cmpuint(tc_conn_version(s), ==, v[hi]);
            g_assert_true(pump_transfer(c, s, (const unsigned char *)"ping", 4));
            ok++;
          } else {
            const tc_error *ce = tc_conn_error(c), *se = tc_conn_error(s);
            if (r != TC_FAIL || ce->code != TC_ERR_PROTOCOL_VERSION ||
                se->code != TC_ERR_PROTOCOL_VERSION)
              g_error("client %s..%s server %s..%s: r=%d client %d '%s' server %d '%s'",
                      tc_version_name(v[cmin]), tc_version_name(v[cmax]),
                      tc_version_name(v[smin]), tc_version_name(v[smax]), r, ce->code,
                      ce->message, se->code, se->message);
            /* The side that detected it names the versions. */
            const tc_error *local = ce->remote ? se : ce;
            g_assert_false(local->remote);
            g_assert_true(strstr(local->message, "TLS") || strstr(local->message, "SSL"));
            if (!ce->remote)
              g_assert_true(strstr(ce->message, tc_version_name(v[cmin])) ||
                            strstr(ce->message, tc_version_name(v[cmax])));
            failed++;
          }
          tc_conn_free(c);
          tc_conn_free(s);
          tc_config_unref(ccfg);
          tc_config_unref(scfg);
        }
  g_test_message("%u pairings agreed, %u failed with protocol_version", ok, failed);
  g_assert_cmpuint(ok + failed, ==, 225);
}

/* ---- (f) TLS 1.2 client certificates ---- */

static void client_auth_run(const char *cert, const char *key, bool expect_ok) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_trust_store *ts = pump_load_trust("ca-bundle.pem");
  tc_config_set_trust_store(scfg, ts);
  tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  tc_config *ccfg12 = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  (void)ccfg12;
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  shuttle sh = {0};
  size_t n = 0;
  if (cert) {
    sh.cc = pump_load_certs(cert, &n);
    sh.ncc = n;
    sh.ckey = pump_load_key(key);
  }
  int r = run(&sh, c, s);
  if (expect_ok) {
    if (r != TC_OK)
      g_error("%s: client '%s' server '%s'", cert, tc_conn_error(c)->message,
              tc_conn_error(s)->message);
    g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS12);
    tc_cert *const *chain;
    g_assert_cmpuint(tc_conn_peer_chain(s, &chain), >=, 1);
    size_t a, b;
    const uint8_t *da = tc_cert_der(chain[0], &a), *db = tc_cert_der(sh.cc[0], &b);
    g_assert_cmpmem(da, a, db, b);
    g_assert_true(pump_transfer(c, s, (const unsigned char *)"authenticated", 13));
  } else {
    g_assert_cmpint(r, ==, TC_FAIL);
    const tc_error *se = tc_conn_error(s), *ce = tc_conn_error(c);
    g_test_message("no client cert: server %d/%d '%s', client %d/%d '%s'", se->code, se->alert,
                   se->message, ce->code, ce->alert, ce->message);
    /* TLS 1.2 has no certificate_required alert: handshake_failure on the wire. */
    g_assert_cmpint(se->alert, ==, 40);
    g_assert_true(se->code == TC_ERR_HANDSHAKE_FAILURE ||
                  se->code == TC_ERR_CERTIFICATE_REQUIRED);
    g_assert_true(ce->remote);
    g_assert_cmpint(ce->alert, ==, 40);
  }
  if (cert) {
    pump_free_certs(sh.cc, n);
    tc_privkey_unref(sh.ckey);
  }
  tc_conn_free(c);
  tc_conn_free(s);
  tc_trust_store_unref(ts);
  tc_config_unref(ccfg12);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void test_client_certs(void) {
  client_auth_run("client-rsa.pem", "client-rsa-key.pem", true);
  client_auth_run("client-ecdsa.pem", "client-ecdsa-key.pem", true);
  client_auth_run(NULL, NULL, false);
}

/* ---- (g) renegotiation ---- */

static void test_renegotiation(void) {
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  tc_config_set_renegotiation(scfg, TC_RENEG_SECURE);
  tc_config_set_renegotiation(ccfg, TC_RENEG_SECURE);
  tc_conn *c, *s;
  pump_new_pair(ccfg, scfg, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"before", 6));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"before", 6));
  uint8_t u1[64], u2[64];
  size_t l1 = sizeof u1, l2 = sizeof u2;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, u1, &l1, &err), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_OK);
  /* The client answers the HelloRequest when it reads. */
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"during", 6));
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after", 5));
  g_assert_cmpuint(s->c12.handshakes, ==, 2);
  g_assert_cmpuint(c->c12.handshakes, ==, 2);
  g_assert_cmpint(tc_conn_binding(s, TC_BINDING_TLS_UNIQUE, u2, &l2, &err), ==, TC_OK);
  g_assert_true(l1 != l2 || memcmp(u1, u2, l1) != 0);
  g_assert_cmpint(tc_conn_binding(c, TC_BINDING_TLS_UNIQUE, u1, &l1, &err), ==, TC_OK);
  g_assert_cmpmem(u1, l1, u2, l2);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  /* Client-initiated, on the same connection. */
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"during", 6));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after2", 6));
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after2", 6));
  g_assert_cmpuint(s->c12.handshakes, ==, 3);
  g_assert_cmpuint(c->c12.handshakes, ==, 3);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  tc_conn_free(c);
  tc_conn_free(s);

  /* Default client: refuses with a warning, the connection goes on. */
  tc_config *cdef = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  pump_new_pair(cdef, scfg, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_OK);
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"during", 6));
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_cmpuint(s->c12.handshakes, ==, 1);
  g_assert_cmpuint(c->c12.handshakes, ==, 1);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  tc_conn_free(c);
  tc_conn_free(s);

  /* Default server: refuses to start one, and refuses the client's with
   * a no_renegotiation warning; the connection goes on. */
  tc_config *sdef = pump_server_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
  pump_new_pair(ccfg, sdef, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(s), ==, TC_FAIL);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"still", 5));
  tc_conn_free(c);
  tc_conn_free(s);
  /* The client's own request meets that server: a no_renegotiation
   * warning; both keep their single handshake and data flows both ways. */
  pump_new_pair(ccfg, sdef, &c, &s);
  g_assert_cmpint(run(NULL, c, s), ==, TC_OK);
  g_assert_cmpint(tc_conn_renegotiate(c), ==, TC_OK);
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"during", 6));
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after", 5));
  g_assert_true(pump_transfer(c, s, (const unsigned char *)"after", 5));
  g_assert_cmpuint(s->c12.handshakes, ==, 1);
  g_assert_cmpuint(c->c12.handshakes, ==, 1);
  g_assert_null(c->hs);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_NONE);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NONE);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(sdef);
  tc_config_unref(cdef);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* ---- SSLv2-format ClientHello (RFC 5246 Appendix E.2) ---- */

/* 2-byte header + CLIENT-HELLO: version, specs (TLS suites as 00 xx xx,
 * an SSL 2.0 kind, the renegotiation SCSV), no session id, challenge. */
static size_t ssl2_hello(uint8_t *out, uint16_t version, size_t chal_len, bool trailing) {
  static const uint8_t specs[] = {0x01, 0x00, 0x80, 0x00, 0xC0, 0x13,
                                  0x00, 0x00, 0x2F, 0x00, 0x00, 0xFF};
  size_t n = 2;
  out[n++] = 1;
  out[n++] = (uint8_t)(version >> 8);
  out[n++] = (uint8_t)version;
  out[n++] = 0;
  out[n++] = sizeof specs;
  out[n++] = 0;
  out[n++] = 0;
  out[n++] = 0;
  out[n++] = (uint8_t)chal_len;
  memcpy(out + n, specs, sizeof specs);
  n += sizeof specs;
  for (size_t i = 0; i < chal_len; i++)
    out[n++] = (uint8_t)(0xA0 + i);
  if (trailing)
    out[n++] = 0;
  out[0] = (uint8_t)(0x80 | (n - 2) >> 8);
  out[1] = (uint8_t)(n - 2);
  return n;
}

static tc_conn *ssl2_feed(tc_config *scfg, const uint8_t *m, size_t len, GByteArray **out) {
  tc_error err;
  tc_error_clear(&err);
  tc_conn *s = tc_conn_new(scfg, &err);
  g_assert_nonnull(s);
  size_t used = 0;
  tc_conn_feed(s, m, len, &used);
  g_assert_cmpuint(used, ==, len);
  uint8_t b;
  size_t n;
  tc_conn_read(s, &b, 0, &n);
  *out = pump_drain(s);
  return s;
}

static void test_ssl2_hello(void) {
  uint8_t m[128];
  GByteArray *out;
  size_t len = ssl2_hello(m, TC_TLS10, 16, false);
  tc_config *scfg = pump_server_cfg12(TC_TLS10, TC_TLS13, NULL, 0);
  tc_conn *s = ssl2_feed(scfg, m, len, &out);
  g_test_message("server: '%s'", tc_conn_error(s)->message);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  /* ServerHello for TLS 1.0 with a suite from the hello, the 1.1-and-below
   * sentinel (the server could do 1.3), the client random echoed nowhere
   * but used: the transcript starts with the SSLv2 message bytes. */
  size_t ml;
  uint8_t *sh = find_hs(out, 2, &ml);
  g_assert_nonnull(sh);
  g_assert_cmpuint(out->data[1], ==, 3);
  g_assert_cmpuint(out->data[2], ==, 1);
  g_assert_cmpuint(sh[4], ==, 3);
  g_assert_cmpuint(sh[5], ==, 1);
  size_t sid = sh[4 + 34];
  uint16_t suite = (uint16_t)(sh[4 + 35 + sid] << 8 | sh[4 + 36 + sid]);
  g_assert_true(suite == 0xC013 || suite == 0x002F);
  g_assert_cmpmem(sh + 4 + 2 + 24, 8, "DOWNGRD\0", 8);
  g_assert_nonnull(find_hs(out, 11, &ml)); /* Certificate */
  g_assert_nonnull(find_hs(out, 14, &ml)); /* ServerHelloDone */
  g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS10);
  g_assert_cmpuint(s->hs->t12.tr_len, >, len - 2);
  g_assert_cmpmem(s->hs->t12.tr, len - 2, m + 2, len - 2);
  static const uint8_t rnd[32] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
                                  0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
  g_assert_cmpmem(s->hs->t12.client_random, 32, rnd, 32);
  g_assert_true(s->c12.secure_reneg); /* the SCSV was seen */
  g_byte_array_unref(out);
  tc_conn_free(s);

  /* A TLS 1.2 version in the SSLv2 hello, 32-byte challenge. */
  len = ssl2_hello(m, TC_TLS12, 32, false);
  s = ssl2_feed(scfg, m, len, &out);
  g_assert_false(tc_conn_status(s) & TC_S_FAILED);
  g_assert_cmpuint(tc_conn_version(s), ==, TC_TLS12);
  g_assert_cmpmem(s->hs->t12.client_random, 32, m + len - 32, 32);
  g_byte_array_unref(out);
  tc_conn_free(s);

  /* Malformed: short challenge, trailing byte. */
  const size_t bad_chal[] = {15, 16};
  for (int i = 0; i < 2; i++) {
    len = ssl2_hello(m, TC_TLS10, bad_chal[i], i == 1);
    s = ssl2_feed(scfg, m, len, &out);
    g_assert_true(tc_conn_status(s) & TC_S_FAILED);
    g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_DECODE_ERROR);
    g_byte_array_unref(out);
    tc_conn_free(s);
  }
  tc_config_unref(scfg);

  /* Default server (TLS 1.2 minimum): refused cleanly. */
  tc_config *sdef = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  len = ssl2_hello(m, TC_TLS12, 16, false);
  s = ssl2_feed(sdef, m, len, &out);
  g_test_message("default server: '%s'", tc_conn_error(s)->message);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_PROTOCOL_VERSION);
  /* The alert goes out as a TLS record. */
  size_t bl = 0;
  uint8_t *a = find_record(out, 21, &bl);
  g_assert_nonnull(a);
  g_assert_cmpuint(bl, ==, 2);
  g_assert_cmpuint(a[6], ==, 70);
  g_byte_array_unref(out);
  tc_conn_free(s);
  tc_config_unref(sdef);

  /* A client never takes SSLv2 framing. */
  tc_config *ccfg = pump_client_cfg12(TC_TLS10, TC_TLS13, NULL, 0);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(ccfg, &err);
  uint8_t b;
  size_t n, used;
  tc_conn_read(c, &b, 0, &n);
  g_byte_array_unref(pump_drain(c));
  tc_conn_feed(c, m, len, &used);
  g_assert_cmpint(tc_conn_read(c, &b, 0, &n), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_NOT_TLS);
  tc_conn_free(c);
  tc_config_unref(ccfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls12-attacks/rsa-premaster", test_rsa_premaster);
  g_test_add_func("/tls12-attacks/cbc-mte", test_cbc_mte);
  g_test_add_func("/tls12-attacks/cbc-etm", test_cbc_etm);
  g_test_add_func("/tls12-attacks/cbc-tls11-tls10", test_cbc_old_versions);
  g_test_add_func("/tls12-attacks/ems", test_ems);
  g_test_add_func("/tls12-attacks/downgrade", test_downgrade);
  g_test_add_func("/tls12-attacks/version-pairs", test_version_pairs);
  g_test_add_func("/tls12-attacks/client-certs", test_client_certs);
  g_test_add_func("/tls12-attacks/renegotiation", test_renegotiation);
  g_test_add_func("/tls12-attacks/ssl2-client-hello", test_ssl2_hello);
  return g_test_run();
}
