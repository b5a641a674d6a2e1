/* TLS 1.2 / 1.1 / 1.0 / SSL 3.0 server handshake (RFC 5246 and the extensions of the brief). */
#include "handshake/tls12.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session_cache.h"

#define FAIL_WITH(c, code, ...) (tc_error_set(&(c)->err, (code), __VA_ARGS__), HS_FAILED)
#define SCSV_RENEG 0x00ff
#define SCSV_FALLBACK 0x5600

/* What the server decided from a ClientHello. */
typedef struct pick12 {
  const tc_suite12 *suite;
  const tc_chain *chain;
  uint16_t scheme;
  uint16_t group;      /* ECDHE curve / DHE ffdhe group */
  const char *alpn;
  bool resume;
  uint8_t master[48];
  bool resume_ems;
} pick12;

/* Can this chain's key serve the suite at version v? ECDSA suites take any
 * NIST curve, and in TLS 1.2 EdDSA keys too (RFC 8422 §5.1.1); RSA suites an
 * rsaEncryption key, and in TLS 1.2 (signatures only) an id-RSASSA-PSS key. */
static bool key_fits_suite(const tc_pubkey *k, const tc_suite12 *s, uint16_t v) {
  tc_pk_type t = tc_pubkey_type(k);
  if (s->auth == TC_AUTH12_ECDSA)
    return t == TC_PK_EC_P256 || t == TC_PK_EC_P384 || t == TC_PK_EC_P521 ||
           (v >= TC_TLS12 && (t == TC_PK_ED25519 || t == TC_PK_ED448));
  if (s->kx == TC_KX12_RSA)
    return t == TC_PK_RSA;
  return t == TC_PK_RSA || (v >= TC_TLS12 && t == TC_PK_RSA_PSS);
}

static uint16_t pick_version(tc_conn *c, const tc_client_hello *ch) {
  const tc_config *cfg = c->cfg;
  uint16_t best = 0;
  if (tc_exts_has(&ch->ext, TC_EXT_SUPPORTED_VERSIONS)) {
    for (size_t i = 0; i < ch->ext.versions.n; i++) {
      uint16_t v = tc_u16s_at(ch->ext.versions, i);
      if (v <= TC_TLS12 && tc_config_has_version(cfg, v) && v > best)
        best = v;
    }
    return best;
  }
  uint16_t v = ch->legacy_version > TC_TLS12 ? TC_TLS12 : ch->legacy_version;
  uint16_t mx = tc12_max_version(cfg);
  if (v > mx)
    v = mx;
  return v >= cfg->min_version && v >= TC_SSL30 ? v : 0;
}

/* ECDHE curve: server preference among the client's supported_groups
 * (P-256 when the client sent none, RFC 4492 §4). */
static uint16_t pick_curve(const tc_conn *c, const tc_client_hello *ch) {
  bool has = tc_exts_has(&ch->ext, TC_EXT_SUPPORTED_GROUPS);
  for (size_t i = 0; i < c->cfg->n_groups; i++) {
    uint16_t g = c->cfg->groups[i];
    if (g >= 0x0100 || !tc_kex_supported(g))
      continue;
    if (has ? tc_u16s_contains(ch->ext.groups, g) : g == TC_GROUP_SECP256R1)
      return g;
  }
  return 0;
}

/* DHE group (RFC 7919 §4): server preference among the ffdhe groups of the
 * configuration that the client lists; ffdhe2048 when the client lists no
 * FFDHE group (it accepts any); none (no DHE suite) when it lists some but
 * none we have. A configuration without FFDHE groups (set for TLS 1.3 or
 * ECDHE) still serves DHE suites with the RFC 7919 groups. */
static uint16_t pick_ffdhe(const tc_conn *c, const tc_client_hello *ch) {
  static const uint16_t all[] = {TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
                                 TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
  const uint16_t *ours = c->cfg->groups;
  size_t n_ours = c->cfg->n_groups;
  bool configured = false;
  for (size_t i = 0; i < n_ours; i++)
    configured |= (ours[i] >> 8) == 0x01;
  if (!configured) {
    ours = all;
    n_ours = sizeof all / sizeof all[0];
  }
  bool any = false;
  if (tc_exts_has(&ch->ext, TC_EXT_SUPPORTED_GROUPS))
    for (size_t i = 0; i < ch->ext.groups.n; i++)
      if ((tc_u16s_at(ch->ext.groups, i) >> 8) == 0x01)
        any = true;
  if (!any)
    return TC_GROUP_FFDHE2048;
  for (size_t i = 0; i < n_ours; i++)
    if ((ours[i] >> 8) == 0x01 && tc_u16s_contains(ch->ext.groups, ours[i]) &&
        tc_kex_supported(ours[i]))
      return ours[i];
  return 0;
}

/* Our suites that the client offers, as a mask of places in our list
 * (tc12_ranked: at most 64): a look-up per offered suite, then a walk of
 * the candidates in our order, instead of testing each of our ~60 suites
 * against the client's list. Ids we do not know (TLS 1.3 suites, GREASE,
 * SCSVs) are in none of our lists. */
static uint64_t offered_mask(const tc12_ranked *r, const tc_u16s *l) {
  _Static_assert(TC12_RANKED_MAX <= 64, "one bit per place");
  uint64_t m = 0;
  for (size_t i = 0; i < l->n; i++) {
    int k = tc_suite12_find_index(tc_u16s_at(*l, i));
    if (k >= 0 && r->rank[k] != 0xff)
      m |= UINT64_C(1) << r->rank[k];
  }
  return m;
}

static int pick_suite(tc_conn *c, const tc_client_hello *ch, uint16_t v, pick12 *k) {
  tc12_ranked ours;
  tc12_config_suites_ranked(c->cfg, &ours);
  const uint64_t offered = offered_mask(&ours, &ch->cipher_suites);
  bool sig = tc_exts_has(&ch->ext, TC_EXT_SIGNATURE_ALGORITHMS) && v >= TC_TLS12;
  /* A client that sent its SRP user name asked for password authentication:
   * with the default order its SRP suites come first (pass 0). */
  bool srp_name = tc_exts_has(&ch->ext, TC_EXT_SRP);
  bool srp_first = srp_name && !c->cfg->suites_explicit;
  bool ffdhe_refused = false; /* a DHE suite lost for want of a common FFDHE group */
  for (unsigned pass = srp_first ? 0 : 1; pass < 2; pass++)
  for (uint64_t left = offered; left; left &= left - 1) {
    const tc_suite12 *s = ours.list[__builtin_ctzll(left)];
    if (!tc_suite12_allows(s, v))
      continue;
    if (srp_first && tc12_suite_is_srp(s) != (pass == 0))
      continue;
    if (tc12_suite_is_srp(s)) {
      const tc_chain *chn = NULL;
      uint16_t scheme = 0;
      for (size_t j = 0; s->auth == TC_AUTH12_RSA && j < c->cfg->n_chains && !chn; j++) {
        const tc_chain *cand = &c->cfg->chains[j];
        if (tc_privkey_type(cand->key) != TC_PK_RSA)
          continue;
        if (v >= TC_TLS12 &&
            !(scheme = tc12_pick_scheme(c, tc_cert_pubkey(cand->certs[0]), ch->ext.sig_algs.p,
                                        ch->ext.sig_algs.n, sig)))
          continue;
        chn = cand;
      }
      if (s->auth == TC_AUTH12_RSA && !chn)
        continue;
      /* RFC 5054 section 2.5.1.2: SRP is our choice, but the client sent no name. */
      if (!srp_name)
        return tc_error_set(&c->err, TC_ERR_UNKNOWN_PSK_IDENTITY,
                            "client offers %s without an SRP user name (RFC 5054 section 2.5.1.2)",
                            s->name);
      k->suite = s;
      k->chain = chn;
      k->scheme = scheme;
      return TC_OK;
    }
    uint16_t group = 0;
    if (s->kx == TC_KX12_ECDHE && !(group = pick_curve(c, ch)))
      continue;
    if (s->kx == TC_KX12_DHE && !(group = pick_ffdhe(c, ch))) {
      ffdhe_refused = true;
      continue;
    }
    if (s->kx == TC_KX12_ECDHE_PSK && !(group = pick_curve(c, ch)))
      continue;
    if (s->kx == TC_KX12_DHE_PSK && !(group = pick_ffdhe(c, ch)))
      continue;
    if (tc12_suite_is_psk(s)) {
      /* The shared key authenticates: no certificate (RFC 4279 §2). */
      k->suite = s;
      k->chain = NULL;
      k->group = group;
      return TC_OK;
    }
    if (s->kx != TC_KX12_RSA && s->kx != TC_KX12_DHE && s->kx != TC_KX12_ECDHE)
      continue;
    for (size_t j = 0; j < c->cfg->n_chains; j++) {
      const tc_chain *chn = &c->cfg->chains[j];
      /* the certificate's key, not the private key's: an id-RSASSA-PSS
       * key parses into a plain RSA private key */
      const tc_pubkey *pk = tc_cert_pubkey(chn->certs[0]);
      if (!key_fits_suite(pk, s, v))
        continue;
      uint16_t scheme = 0;
      if (s->kx != TC_KX12_RSA && v >= TC_TLS12) {
        scheme = tc12_pick_scheme(c, pk, ch->ext.sig_algs.p, ch->ext.sig_algs.n, sig);
        if (!scheme)
          continue;
      }
      k->suite = s;
      k->chain = chn;
      k->scheme = scheme;
      k->group = group;
      return TC_OK;
    }
  }
  if (!c->cfg->n_chains && !tc12_cfg_has_psk(c->cfg) && !tc12_cfg_has_srp(c->cfg))
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "server has no certificate");
  /* RFC 7919 §4: the client named FFDHE groups, none is acceptable, and
   * nothing else is left: insufficient_security. */
  if (ffdhe_refused)
    return tc_error_set(&c->err, TC_ERR_INSUFFICIENT_SECURITY,
                        "no FFDHE group in common with the client, and no other cipher suite");
  return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                      "no TLS 1.2-or-older cipher suite in common with the client");
}

/* Where a resumption look-up may have written a session's secrets: the
 * opened ticket (its plaintext, read in place) and the cache entry's copy. */
typedef struct {
  uint8_t *buf;
  size_t used;  /* bytes of buf tc_ticket_open_in wrote */
  tc_cached_session *cs;
  bool cached;  /* tc_session_cache_get found an entry and wrote it into cs */
} found;

static void wipe_found(const found *f) {
  tc_wipe(f->buf, f->used);
  if (f->cached)
    tc_cached_session_wipe(f->cs);
}

/* A TLS 1.2 ticket is good for the lifetime it was issued with (RFC 5077
 * §3.3: the server decides how long it accepts a ticket), counted on this
 * server's clock from when it sealed it, as for TLS 1.3 tickets (psk13.c).
 * Its key period alone would not do: a ticket key opens tickets for up to
 * two lifetimes (the current period and the previous one). A ticket from
 * the future (the clock went back) is not trusted either. An expired
 * ticket means a full handshake, not an error. */
static bool ticket12_fresh(int64_t now, const tc_ticket_view *t) {
  int64_t age = now - t->issued;
  return age >= 0 && age <= (int64_t)t->lifetime;
}

/* A resumable session (ticket first, then the session-ID cache) matching
 * this version, a suite the client still offers and the EMS rules. */
TC_HOT static int try_resume(tc_conn *c, const tc_client_hello *ch, uint16_t v, pick12 *k) {
  tc_config *cfg = c->cfg;
  bool client_ems = tc_exts_has(&ch->ext, TC_EXT_EXTENDED_MASTER_SECRET) && v != TC_SSL30;
  uint16_t suite = 0;
  bool ems = false;
  const uint8_t *id = NULL; /* PSK identity of the session */
  size_t id_len = 0;
  const uint8_t *user = NULL; /* SRP user name of the session */
  size_t user_len = 0;
  /* RFC 6066 §3: a session is not resumed for another server name; a
   * full handshake follows. A ticket does not carry the name. */
  bool sni_ok = true;
  /* Where a session's secrets may have been written: wiped on every way
   * out, and only those (of an opened ticket, its plaintext, ~100 bytes
   * read in place; of a cache entry, the parts the look-up copied). */
  uint8_t tbuf[TC_TICKET_MAX_LEN];
  tc_ticket_view tv;
  tc_cached_session cs;
  found f = {tbuf, 0, &cs, false};
  bool ticket = tc_exts_has(&ch->ext, TC_EXT_SESSION_TICKET) && ch->ext.session_ticket.len &&
                cfg->ticket_count > 0;
  /* One reading of the clock for the ticket's period and its age. */
  int64_t now = ticket ? tc_config_now(cfg) : 0;
  bool by_ticket = ticket &&
                   tc_ticket_open_in(cfg, ch->ext.session_ticket.p, ch->ext.session_ticket.len,
                                     now, tbuf, &f.used, &tv) == 0 &&
                   tv.version == v && tv.psk_len == 48 && ticket12_fresh(now, &tv);
  bool same_name = false; /* the cache entry was made for this server name */
  f.cached = !by_ticket && ch->session_id_len && cfg->session_cache &&
             tc_session_cache_resume(cfg->session_cache, ch->session_id, ch->session_id_len,
                                     tc_config_now(cfg), c->server_name, &cs, &same_name);
  bool by_id = f.cached && cs.version == v;
  if (by_ticket) {
    suite = tv.suite;
    ems = tv.age_add == 1; /* TLS 1.2 tickets keep the EMS flag here */
    memcpy(k->master, tv.psk, 48);
    id = tv.psk_identity;
    id_len = tv.psk_identity_len;
    user = tv.srp_user;
    user_len = tv.srp_user_len;
  } else if (by_id) {
    suite = cs.suite;
    ems = cs.ems;
    memcpy(k->master, cs.master, 48);
    id = cs.psk_identity;
    id_len = cs.psk_identity_len;
    user = cs.srp_user;
    user_len = cs.srp_user_len;
    sni_ok = same_name;
  } else {
    wipe_found(&f);
    return TC_OK;
  }
  /* RFC 5246 §7.4.1.2: a client resuming MUST offer the session's suite. */
  if (!tc_u16s_contains(ch->cipher_suites, suite)) {
    wipe_found(&f);
    tc_wipe(k->master, sizeof k->master);
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "the client resumes a session without offering its cipher suite");
  }
  const tc_suite12 *s = tc_suite12_find(suite);
  bool allowed = tc12_config_allows(cfg, s);
  /* RFC 7627 §5.3: an EMS session needs EMS again; a non-EMS session is
   * resumed only when the configuration allows it and the client has none. */
  bool ems_ok = ems ? client_ems : (cfg->ems_optional && !client_ems);
  if (ems && !client_ems) {
    /* RFC 7627 §5.3: abort rather than fall back to a full handshake
     * (as OpenSSL does): the client dropped EMS for an EMS session. */
    wipe_found(&f);
    tc_wipe(k->master, sizeof k->master);
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "resumption without the extended master secret of its session");
  }
  /* ALPN is negotiated afresh on every TLS 1.2 handshake, resumptions
   * included (RFC 7301 §3.1): the session's protocol does not bind it. */
  if (s && allowed && tc_suite12_allows(s, v) && ems_ok && sni_ok) {
    k->suite = s;
    k->resume = true;
    k->resume_ems = ems;
    /* The identity that authenticated the session authenticates this one
     * (nothing to set when the session has none and the connection too). */
    if (((id_len || c->psk.identity) && tc_conn_psk_set_identity(&c->psk, id, id_len)) ||
        ((user_len || c->srp.name) && tc12_srp_set_name(c, user, user_len))) {
      wipe_found(&f);
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    }
  }
  wipe_found(&f);
  return TC_OK;
}

/* ---- the ServerHello's extension block from the config ----
 *
 * In a TLS 1.2 ServerHello that answers a first handshake without ALPN,
 * every extension has a body the config alone decides (empty ones, the
 * uncompressed point format, an empty renegotiation_info, our
 * record_size_limit): the block depends only on which extensions are
 * there. It is encoded by the general writer the first time a set occurs,
 * kept in the config (at most TC_CFG_SH12_EXTS sets, first come) and
 * copied after that. test-shello compares the bytes. */
struct tc_sh12_exts {
  uint32_t present;
  size_t recv_limit;        /* the record_size_limit body it holds */
  size_t len;
  uint8_t bytes[];          /* the block, its 2-byte length first */
};

#define XB(b) (1u << (b))
#define SH12_FIXED                                                                             \
  (XB(TC__XB_SERVER_NAME) | XB(TC__XB_STATUS) | XB(TC__XB_ECPF) | XB(TC__XB_ETM) |             \
   XB(TC__XB_EMS) | XB(TC__XB_RSL) | XB(TC__XB_TICKET) | XB(TC__XB_RENEG))

static const tc_sh12_exts *sh12_exts_find(const tc_config *cfg, uint32_t present) {
  for (size_t i = 0; i < TC_CFG_SH12_EXTS; i++) {
    const tc_sh12_exts *x = atomic_load(&cfg->sh12_exts[i]);
    if (!x)
      return NULL;
    if (x->present == present && x->recv_limit == cfg->recv_limit)
      return x;
  }
  return NULL;
}

static void sh12_exts_publish(tc_config *cfg, uint32_t present, const uint8_t *block,
                              size_t len) {
  tc_sh12_exts *x = malloc(sizeof *x + len);
  if (!x)
    return;
  x->present = present;
  x->recv_limit = cfg->recv_limit;
  x->len = len;
  memcpy(x->bytes, block, len);
  for (size_t i = 0; i < TC_CFG_SH12_EXTS; i++) {
    tc_sh12_exts *none = NULL;
    if (atomic_compare_exchange_strong(&cfg->sh12_exts[i], &none, x))
      return;
  }
  free(x);
}

/* Which extensions our TLS 1.2-or-older ServerHello carries (TC__XB_*
 * bits): the one decision both ways of writing it follow. */
static uint32_t sh12_plan(const tc_conn *c, const tc_client_hello *ch, const pick12 *k) {
  const tc_hs12 *h = &c->hs->t12;
  uint32_t x = 0;
  if (c->c12.secure_reneg)
    x |= XB(TC__XB_RENEG);
  if (h->ems)
    x |= XB(TC__XB_EMS);
  if (h->etm)
    x |= XB(TC__XB_ETM);
  if (h->ticket)
    x |= XB(TC__XB_TICKET);
  if (k->alpn)
    x |= XB(TC__XB_ALPN);
  if (!k->resume && c->hs->client_sent_sni && c->cfg->sni_ack12)
    x |= XB(TC__XB_SERVER_NAME);
  if (k->suite->kx == TC_KX12_ECDHE && tc_exts_has(&ch->ext, TC_EXT_EC_POINT_FORMATS))
    x |= XB(TC__XB_ECPF);
  if (h->status)
    x |= XB(TC__XB_STATUS);
  if (h->peer_rsl)
    x |= XB(TC__XB_RSL);
  return x;
}

/* renegotiation_info carries the previous handshake's verify_data (RFC
 * 5746 section 3.6) in a renegotiation, and is empty otherwise. */
static bool sh12_reneg_data(const tc_conn *c) {
  return c->c12.secure_reneg && c->version != TC_SSL30 && c->c12.handshakes;
}

TC_HOT static int write_server_hello(tc_conn *c, const tc_client_hello *ch, const pick12 *k) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  uint32_t plan = sh12_plan(c, ch, k);
  if (h->peer_rsl)
    c->rec.max_recv_plain = c->cfg->recv_limit; /* negotiated: the client's records keep to it */
  size_t start = c->hsw.len;
  /* Every extension's body decided by the config (or none at all): the
   * message is written directly around the config's block. */
  bool fixed = !(plan & ~SH12_FIXED) && !sh12_reneg_data(c);
  const tc_sh12_exts *x = fixed && plan ? sh12_exts_find(c->cfg, plan) : NULL;
  if (fixed && (x || !plan)) {
    if (tc_msg_write_server_hello12(&c->hsw, c->version, h->server_random, hs->session_id,
                                    hs->session_id_len, k->suite->id, x ? x->bytes : NULL,
                                    x ? x->len : 0))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerHello");
    return tc12_transcript_added(c, start);
  }
  tc_server_hello sh;
  /* Not the whole 2.1 KiB: the extension item arrays are read only up to
   * their counts. */
  memset(&sh, 0, offsetof(tc_server_hello, ext));
  tc_exts_reset(&sh.ext);
  sh.legacy_version = c->version;
  memcpy(sh.random, h->server_random, 32);
  memcpy(sh.session_id, hs->session_id, hs->session_id_len);
  sh.session_id_len = hs->session_id_len;
  sh.cipher_suite = k->suite->id;
  sh.compression_method = 0;
  tc_exts *e = &sh.ext;
  uint8_t rinfo[72];
  if (plan & XB(TC__XB_RENEG)) {
    size_t rl = 0;
    if (sh12_reneg_data(c)) {
      memcpy(rinfo, c->c12.client_vd, c->c12.vd_len);
      memcpy(rinfo + c->c12.vd_len, c->c12.server_vd, c->c12.vd_len);
      rl = 2 * c->c12.vd_len;
    }
    tc_exts_set(e, TC_EXT_RENEGOTIATION_INFO);
    e->renegotiation_info = (tc_bytes){rinfo, rl};
  }
  if (plan & XB(TC__XB_EMS))
    tc_exts_set(e, TC_EXT_EXTENDED_MASTER_SECRET);
  if (plan & XB(TC__XB_ETM))
    tc_exts_set(e, TC_EXT_ENCRYPT_THEN_MAC);
  if (plan & XB(TC__XB_TICKET))
    tc_exts_set(e, TC_EXT_SESSION_TICKET);
  if (plan & XB(TC__XB_ALPN)) {
    tc_exts_set(e, TC_EXT_ALPN);
    e->alpn[0] = (tc_bytes){(const uint8_t *)k->alpn, strlen(k->alpn)};
    e->n_alpn = 1;
  }
  if (plan & XB(TC__XB_SERVER_NAME))
    tc_exts_set(e, TC_EXT_SERVER_NAME);
  static const uint8_t uncompressed = 0;
  if (plan & XB(TC__XB_ECPF)) {
    tc_exts_set(e, TC_EXT_EC_POINT_FORMATS);
    e->ec_point_formats = (tc_bytes){&uncompressed, 1};
  }
  if (plan & XB(TC__XB_STATUS))
    tc_exts_set(e, TC_EXT_STATUS_REQUEST);
  if (plan & XB(TC__XB_RSL)) {
    tc_exts_set(e, TC_EXT_RECORD_SIZE_LIMIT);
    e->record_size_limit = (uint16_t)c->cfg->recv_limit;
  }
  sh.has_extensions = e->present != 0;
  if (tc_msg_write_server_hello(&c->hsw, &sh))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerHello");
  if (fixed) {
    /* type, length, version, random, session ID, suite, compression */
    size_t at = start + 4 + 2 + 32 + 1 + sh.session_id_len + 2 + 1;
    if (at < c->hsw.len)
      sh12_exts_publish(c->cfg, e->present, c->hsw.buf + at, c->hsw.len - at);
  }
  return tc12_transcript_added(c, start);
}

static int write_certificate(tc_conn *c, const tc_chain *chn) {
  tc_certificate *cm = calloc(1, sizeof *cm);
  if (!cm)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  size_t n = chn ? chn->n : 0;
  if (n > TC_MSG_MAX_CERTS)
    n = TC_MSG_MAX_CERTS;
  for (size_t i = 0; i < n; i++)
    cm->entries[i].cert.p = tc_cert_der(chn->certs[i], &cm->entries[i].cert.len);
  cm->n_entries = n;
  size_t start = c->hsw.len;
  int r = tc_msg_write_certificate(&c->hsw, cm);
  free(cm);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Certificate");
  return tc12_transcript_added(c, start);
}

static int write_server_key_exchange(tc_conn *c, const pick12 *k) {
  tc_hs *hs = c->hs;
  uint8_t pub[TC_KEX_MAX_PUB_LEN];
  size_t pl = sizeof pub;
  static const uint8_t two = 2;
  tc_server_key_exchange ske;
  memset(&ske, 0, sizeof ske);
  bool psk = tc12_suite_is_psk(k->suite);
  uint8_t kx = k->suite->kx;
  if (psk)
    ske.psk_hint = (tc_bytes){c->cfg->psk.hint, c->cfg->psk.hint_len};
  tc_kex_clear(&hs->kex);
  if (kx != TC_KX12_PSK && tc_kex_generate(&hs->kex, k->group, &c->cfg->rng, pub, &pl))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key generation failed");
  if (kx == TC_KX12_PSK) {
    ske.kx = TC_KX_PSK; /* the hint is all */
  } else if (kx == TC_KX12_ECDHE || kx == TC_KX12_ECDHE_PSK) {
    ske.kx = kx == TC_KX12_ECDHE ? TC_KX_ECDHE : TC_KX_ECDHE_PSK;
    ske.group = k->group;
    ske.ec_point = (tc_bytes){pub, pl};
  } else {
    size_t plen;
    const uint8_t *p = tc_kex_ffdhe_prime(k->group, &plen);
    if (!p)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no DH prime");
    size_t z = 0;
    while (z + 1 < pl && pub[z] == 0)
      z++;
    ske.kx = kx == TC_KX12_DHE ? TC_KX_DHE : TC_KX_DHE_PSK;
    ske.dh_p = (tc_bytes){p, plen};
    ske.dh_g = (tc_bytes){&two, 1};
    ske.dh_ys = (tc_bytes){pub + z, pl - z};
  }
  c->group = k->group;
  if (psk) {
    /* Unsigned: the shared key authenticates the exchange (RFC 4279 §3, RFC 5489 §2). */
    size_t start = c->hsw.len;
    if (tc_msg_write_server_key_exchange(&c->hsw, &ske))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerKeyExchange");
    return tc12_transcript_added(c, start);
  }
  tc_writer params;
  tc_wr_init_dyn(&params);
  if (tc_msg_write_ske_params(&params, &ske) || !tc_wr_ok(&params)) {
    tc_wr_free(&params);
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerKeyExchange");
  }
  uint8_t *sig = NULL;
  size_t sl = 0;
  if (tc12_sign_params(c, k->chain->key, k->scheme, tc_wr_data(&params), tc_wr_len(&params), &sig,
                       &sl)) {
    tc_wr_free(&params);
    return TC_FAIL;
  }
  tc_wr_free(&params);
  ske.has_signature = true;
  ske.has_scheme = c->version >= TC_TLS12;
  ske.scheme = k->scheme;
  ske.signature = (tc_bytes){sig, sl};
  size_t start = c->hsw.len;
  int r = tc_msg_write_server_key_exchange(&c->hsw, &ske);
  free(sig);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerKeyExchange");
  return tc12_transcript_added(c, start);
}

static int write_certificate_request(tc_conn *c) {
  tc_hs *hs = c->hs;
  static const uint8_t types[] = {1 /* rsa_sign */, 64 /* ecdsa_sign */};
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.cert_types = (tc_bytes){types, sizeof types};
  if (c->version >= TC_TLS12) {
    uint8_t all[2 * TC_CFG_MAX_SCHEMES12];
    size_t n = tc_hs_encode_schemes(c->cfg, TC_SCHEMES_TLS12, all);
    hs->cr_sig_algs = malloc(2 * n + 1);
    if (!hs->cr_sig_algs)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    memcpy(hs->cr_sig_algs, all, 2 * n);
    hs->cr_n_sig_algs = n;
    cr.has_sig_algs = true;
    cr.sig_algs = (tc_u16s){hs->cr_sig_algs, n};
  }
  tc_writer cas;
  tc_wr_init_dyn(&cas);
  size_t ncas = 0;
  if (c->cfg->trust) {
    size_t n = tc_trust_store_count(c->cfg->trust);
    for (size_t i = 0; i < n; i++) {
      size_t l;
      const uint8_t *dn = tc_cert_subject_der(tc_trust_store_get(c->cfg->trust, i), &l);
      if (dn && l) {
        tc_wr_vec16(&cas, dn, l);
        ncas++;
      }
    }
  }
  if (ncas && tc_wr_ok(&cas) && tc_wr_len(&cas) < 60000) {
    cr.authorities = (tc_bytes){tc_wr_data(&cas), tc_wr_len(&cas)};
    cr.n_authorities = ncas;
  }
  size_t start = c->hsw.len;
  int r = tc_msg_write_certificate_request(&c->hsw, &cr);
  tc_wr_free(&cas);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateRequest");
  return tc12_transcript_added(c, start);
}

static int write_ticket(tc_conn *c) {
  tc_ticket_state st;
  memset(&st, 0, sizeof st);
  st.version = c->version;
  st.suite = c->suite;
  memcpy(st.psk, c->c12.master, 48);
  st.psk_len = 48;
  st.issued = tc_config_now(c->cfg);
  st.age_add = c->hs->t12.ems ? 1 : 0;
  st.lifetime = c->cfg->ticket_lifetime;
  if (c->alpn)
    snprintf(st.alpn, sizeof st.alpn, "%s", c->alpn);
  if (c->psk.identity && c->psk.id_len <= sizeof st.psk_identity) {
    memcpy(st.psk_identity, c->psk.identity, c->psk.id_len);
    st.psk_identity_len = c->psk.id_len;
  }
  if (c->srp.name && c->srp.name_len <= sizeof st.srp_user) {
    memcpy(st.srp_user, c->srp.name, c->srp.name_len);
    st.srp_user_len = c->srp.name_len;
  }
  uint8_t *t = NULL;
  size_t tl = 0;
  int r = tc_ticket_seal(c->cfg, &st, &t, &tl, &c->err);
  tc_wipe(&st, sizeof st);
  if (r)
    return TC_FAIL;
  tc_new_session_ticket nst;
  memset(&nst, 0, offsetof(tc_new_session_ticket, ext)); /* as in write_server_hello */
  tc_exts_reset(&nst.ext);
  nst.lifetime = c->cfg->ticket_lifetime;
  nst.ticket = (tc_bytes){t, tl};
  size_t start = c->hsw.len;
  r = tc_msg_write_new_session_ticket(&c->hsw, &nst);
  free(t);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write NewSessionTicket");
  return tc12_transcript_added(c, start);
}

/* Renegotiation checks and extension bookkeeping (RFC 5746 §3.6, §3.7). */
static int check_reneg(tc_conn *c, const tc_client_hello *ch) {
  bool scsv = tc_u16s_contains(ch->cipher_suites, SCSV_RENEG);
  bool ext = tc_exts_has(&ch->ext, TC_EXT_RENEGOTIATION_INFO);
  if (c->c12.handshakes == 0) {
    if (ext && ch->ext.renegotiation_info.len != 0)
      return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                          "renegotiation_info not empty on the first handshake");
    c->c12.secure_reneg = scsv || ext;
    return TC_OK;
  }
  if (!c->c12.secure_reneg || scsv || !ext)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "insecure renegotiation attempt");
  if (ch->ext.renegotiation_info.len != c->c12.vd_len ||
      !tc_ct_equal(ch->ext.renegotiation_info.p, c->c12.client_vd, c->c12.vd_len))
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "renegotiation_info does not match the previous handshake");
  /* A connection that has the extended master secret keeps it: a
   * renegotiation without it would be a downgrade within the connection
   * (RFC 7627 §5.2's rule for resumption, applied as GnuTLS and OpenSSL do). */
  if (c->c12.ems && !tc_exts_has(&ch->ext, TC_EXT_EXTENDED_MASTER_SECRET))
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "renegotiation drops the extended master secret");
  return TC_OK;
}

/* The rest of a ClientHello that passed tc_server12_client_hello's checks:
 * the suite (a resumed session's, or picked), then our flight. */
static tc_hs_state answer_hello(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg,
                                size_t len, uint16_t v, pick12 *k) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_config *cfg = c->cfg;
  if (!k->resume && pick_suite(c, ch, v, k))
    return HS_FAILED;
  /* The SRP user name of this handshake: the one the client sent (full
   * handshake) or the session's (resumption, set by try_resume). */
  if (!k->resume &&
      tc12_srp_set_name(c, tc12_suite_is_srp(k->suite) ? ch->ext.srp_identity.p : NULL,
                        ch->ext.srp_identity.len))
    return HS_FAILED;
  if (tc12_use_suite(c, k->suite, k->suite->id))
    return HS_FAILED;
  /* The ClientHello opens the transcript (its hash is known now). Its bytes
   * are kept for a client's CertificateVerify (signed with a hash that may
   * not be the PRF's): a resumption or a PSK suite (never a
   * CertificateRequest, RFC 4279 section 2) keeps only the running hash. */
  if (k->resume || tc12_suite_is_psk(k->suite))
    tc12_transcript_stream(c);
  tc12_transcript_add(c, msg, len);
  bool client_ems = tc_exts_has(&ch->ext, TC_EXT_EXTENDED_MASTER_SECRET) && v != TC_SSL30;
  h->ems = k->resume ? k->resume_ems : client_ems;
  h->etm = tc_exts_has(&ch->ext, TC_EXT_ENCRYPT_THEN_MAC) && v != TC_SSL30 &&
           k->suite->bulk == TC_BULK12_CBC;
  h->ticket = tc_exts_has(&ch->ext, TC_EXT_SESSION_TICKET) && cfg->ticket_count > 0 && !k->resume;
  h->status = !k->resume && k->chain && tc_exts_has(&ch->ext, TC_EXT_STATUS_REQUEST) &&
              ch->ext.status_type == TC_STATUS_TYPE_OCSP && cfg->ocsp_response;
  h->peer_rsl = tc_exts_has(&ch->ext, TC_EXT_RECORD_SIZE_LIMIT) ? ch->ext.record_size_limit : 0;
  if (h->peer_rsl && v != TC_SSL30) {
    size_t lim = h->peer_rsl; /* TLS 1.2: the plaintext bound itself (RFC 8449 §4) */
    if (lim > 16384)
      lim = 16384;
    if (lim < c->rec.max_frag)
      c->rec.max_frag = lim;
  } else {
    h->peer_rsl = 0;
  }
  if (c->alpn || k->alpn) {
    free(c->alpn);
    c->alpn = k->alpn ? strdup(k->alpn) : NULL;
    if (k->alpn && !c->alpn)
      return FAIL_WITH(c, TC_ERR_NOMEM, "out of memory");
  }

  /* ServerHello.random (with the RFC 8446 downgrade sentinel) and session id. */
  if (tc_random(&cfg->rng, h->server_random, 32))
    return FAIL_WITH(c, TC_ERR_RANDOM, "random source failed");
  tc_hs_downgrade_sentinel(cfg, v, h->server_random);
  if (k->resume) {
    memcpy(hs->session_id, ch->session_id, ch->session_id_len);
    hs->session_id_len = ch->session_id_len;
  } else if (cfg->session_cache && c->c12.handshakes == 0) {
    if (tc_random(&cfg->rng, hs->session_id, 32))
      return FAIL_WITH(c, TC_ERR_RANDOM, "random source failed");
    hs->session_id_len = 32;
  } else {
    hs->session_id_len = 0;
  }
  memcpy(c->c12.session_id, hs->session_id, hs->session_id_len);
  c->c12.session_id_len = hs->session_id_len;
  if (write_server_hello(c, ch, k))
    return HS_FAILED;

  if (k->resume) {
    h->resumed = true;
    memcpy(c->c12.master, k->master, 48);
    c->c12.have_master = true;
    c->c12.ems = h->ems;
    if (tc12_send_ccs(c) || tc12_write_finished(c) || tc_hs_flush(c))
      return HS_FAILED;
    return HS_S12_WAIT_FINISHED;
  }

  bool psk = tc12_suite_is_psk(k->suite);
  if (k->chain) {
    if (write_certificate(c, k->chain))
      return HS_FAILED;
    if (c->my_leaf)
      tc_cert_unref(c->my_leaf);
    c->my_leaf = tc_cert_ref(k->chain->certs[0]);
    hs->my_key = k->chain->key;
    hs->my_scheme = k->scheme;
  }
  if (h->status) {
    tc_certificate_status cs = {TC_STATUS_TYPE_OCSP, {cfg->ocsp_response, cfg->ocsp_response_len}};
    size_t start = c->hsw.len;
    if (tc_msg_write_certificate_status(&c->hsw, &cs) || tc12_transcript_added(c, start))
      return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "cannot write CertificateStatus");
  }
  /* SRP: the ServerKeyExchange needs the user's verifier: ask, then go on
   * in HS_S12_SRP_FLIGHT (srp12.c); no CertificateRequest with SRP. */
  if (tc12_suite_is_srp(k->suite)) {
    if (tc_hs_flush(c))
      return HS_FAILED;
    return tc12_srp_server_ask(c);
  }
  /* Plain PSK sends a ServerKeyExchange only to carry a hint (RFC 4279 §2). */
  bool ske = k->suite->kx == TC_KX12_PSK ? cfg->psk.hint_len > 0 : k->suite->kx != TC_KX12_RSA;
  if (ske && write_server_key_exchange(c, k))
    return HS_FAILED;
  /* RFC 4279 §2: no certificate messages in a PSK handshake. */
  bool ask = cfg->client_auth != TC_CLIENT_AUTH_NONE && !psk;
  if (ask && write_certificate_request(c))
    return HS_FAILED;
  size_t start = c->hsw.len;
  if (tc_msg_write_empty(&c->hsw, TC_HS_SERVER_HELLO_DONE) || tc12_transcript_added(c, start))
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "cannot write ServerHelloDone");
  if (tc_hs_flush(c))
    return HS_FAILED;
  hs->cert_requested = ask;
  return ask ? HS_S12_WAIT_CERT : HS_S12_WAIT_CKE;
}

TC_HOT tc_hs_state tc_server12_client_hello(tc_conn *c, const tc_client_hello *ch,
                                            const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_config *cfg = c->cfg;
  pick12 k;
  memset(&k, 0, sizeof k);
  uint16_t v = pick_version(c, ch);
  if (!v)
    return FAIL_WITH(c, TC_ERR_PROTOCOL_VERSION,
                     "client version %s is not enabled (server allows %s..%s)",
                     tc_version_name(ch->legacy_version) ? tc_version_name(ch->legacy_version)
                                                         : "unknown",
                     tc_version_name(cfg->min_version), tc_version_name(cfg->max_version));
  if (c->c12.handshakes && v != c->version)
    return FAIL_WITH(c, TC_ERR_PROTOCOL_VERSION, "renegotiation may not change the version");
  /* RFC 7507: a fallback retry below what we support means an attack. */
  if (tc_u16s_contains(ch->cipher_suites, SCSV_FALLBACK) && v < cfg->max_version)
    return FAIL_WITH(c, TC_ERR_INAPPROPRIATE_FALLBACK,
                     "client fell back to %s although the server supports %s",
                     tc_version_name(v), tc_version_name(cfg->max_version));
  bool null_comp = false;
  for (size_t i = 0; i < ch->compression_methods.len; i++)
    null_comp |= ch->compression_methods.p[i] == 0;
  if (!null_comp)
    return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "client does not offer null compression");
  /* RFC 8422 §5.1.2: the uncompressed form is mandatory; a list without it
   * is illegal_parameter. */
  if (tc_exts_has(&ch->ext, TC_EXT_EC_POINT_FORMATS) &&
      !memchr(ch->ext.ec_point_formats.p, 0, ch->ext.ec_point_formats.len))
    return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER,
                     "client's ec_point_formats lacks the uncompressed format");
  if (check_reneg(c, ch))
    return HS_FAILED;
  c->version = v;
  c->rec.wr_version = v;
  h->client_version = ch->legacy_version;
  memcpy(h->client_random, ch->random, 32);
  /* k.alpn stays NULL (no protocol) when the client offers none. */
  if (tc_exts_has(&ch->ext, TC_EXT_ALPN) && tc_hs_select_alpn(c, ch, &k.alpn))
    return HS_FAILED;
  if (tc_exts_has(&ch->ext, TC_EXT_SERVER_NAME)) {
    if (!tc_conn_keep_server_name(c, (const char *)ch->ext.server_name.p,
                                  ch->ext.server_name.len))
      return FAIL_WITH(c, TC_ERR_NOMEM, "out of memory");
    hs->client_sent_sni = true;
  }
  /* A renegotiation may resume a session too (RFC 5246 §7.4.1.2; the
   * renegotiation_info check above binds it to this connection). */
  if (try_resume(c, ch, v, &k))
    return HS_FAILED;
  /* k.master holds a resumed session's secret from here on: wiped on
   * every way out (answer_hello copies it into the connection). */
  tc_hs_state next = answer_hello(c, ch, msg, len, v, &k);
  tc_wipe(k.master, sizeof k.master);
  return next;
}

static tc_hs_state on_certificate(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_certificate *cm = malloc(sizeof *cm);
  if (!cm)
    return FAIL_WITH(c, TC_ERR_NOMEM, "out of memory");
  tc_hs_state next = HS_FAILED;
  if (tc_msg_parse_certificate(msg + 4, len - 4, c->version, cm, &c->err))
    goto out;
  tc12_transcript_add(c, msg, len);
  if (cm->n_entries == 0) {
    if (c->cfg->client_auth == TC_CLIENT_AUTH_REQUIRE) {
      tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "client sent no certificate");
      goto out;
    }
    next = HS_S12_WAIT_CKE;
    goto out;
  }
  if (tc_hs_take_peer_chain(c, cm) || tc_hs_verify_peer_chain(c))
    goto out;
  c->hs->t12.client_cert_sent = true;
  next = HS_S12_WAIT_CKE;
out:
  free(cm);
  return next;
}

/* RSA key transport without a padding or version oracle (RFC 5246
 * §7.4.7.1): decryption failures and a wrong version both turn into a
 * random premaster, selected without branches; the handshake then fails
 * at Finished exactly like any wrong premaster. */
static int rsa_premaster(tc_conn *c, const tc_bytes *epms, uint8_t pms[48]) {
  tc_hs12 *h = &c->hs->t12;
  const tc_privkey *key = c->hs->my_key;
  uint8_t rnd[48];
  if (!key || tc_privkey_type(key) != TC_PK_RSA)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "RSA key exchange without an RSA key");
  if (tc_random(&c->cfg->rng, rnd, sizeof rnd) ||
      tc_rsa_decrypt_premaster(key, &c->cfg->rng, epms->p, epms->len, pms, 48))
    return tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
  uint32_t ok = tc_ct_mask_eq(pms[0], h->client_version >> 8) &
                tc_ct_mask_eq(pms[1], h->client_version & 0xff);
  for (size_t i = 0; i < 48; i++)
    pms[i] = (uint8_t)((pms[i] & ok) | (rnd[i] & ~ok));
  pms[0] = (uint8_t)(h->client_version >> 8);
  pms[1] = (uint8_t)h->client_version;
  tc_wipe(rnd, sizeof rnd);
  return TC_OK;
}

static tc_kx msg_kx(const tc_suite12 *s) {
  switch (s->kx) {
  case TC_KX12_DHE: return TC_KX_DHE;
  case TC_KX12_ECDHE: return TC_KX_ECDHE;
  case TC_KX12_PSK: return TC_KX_PSK;
  case TC_KX12_DHE_PSK: return TC_KX_DHE_PSK;
  case TC_KX12_ECDHE_PSK: return TC_KX_ECDHE_PSK;
  case TC_KX12_SRP: return TC_KX_SRP;
  default: return TC_KX_RSA;
  }
}

static tc_hs_state unknown_identity(tc_conn *c) {
  char id[80];
  tc_psk_escape(c->psk.identity, c->psk.id_len, id, sizeof id);
  return FAIL_WITH(c, TC_ERR_UNKNOWN_PSK_IDENTITY,
                   "PSK authentication failed: unknown identity '%s'", id);
}

/* The master secret from the shared key and the (EC)DHE secret z (none
 * for plain PSK); the handshake's key and secrets are dropped after it. */
static tc_hs_state psk_master(tc_conn *c, const uint8_t *key, size_t key_len, const uint8_t *z,
                              size_t z_len) {
  tc_hs12 *h = &c->hs->t12;
  int r = tc12_psk_master_secret(c, key, key_len, z, z_len);
  if (h->pms) {
    tc_wipe(h->pms, h->pms_len);
    free(h->pms);
    h->pms = NULL;
    h->pms_len = 0;
  }
  tc_conn_psk_drop_key(&c->psk); /* the master secret is all that is needed now */
  return r ? HS_FAILED : HS_S12_WAIT_FINISHED;
}

/* The ClientKeyExchange's master secret once the caller answered the PSK
 * want (h->pms holds the (EC)DHE secret, if any). */
tc_hs_state tc_server12_psk_key(tc_conn *c) {
  tc_hs12 *h = &c->hs->t12;
  if (!c->psk.answered && !c->psk.key)
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "PSK key requested but not answered");
  if (!c->psk.key)
    return unknown_identity(c);
  return psk_master(c, c->psk.key, c->psk.key_len, h->pms, h->pms_len);
}

static tc_hs_state on_psk_client_key_exchange(tc_conn *c, const tc_client_key_exchange *cke,
                                              const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  uint8_t z[TC_KEX_MAX_SECRET_LEN];
  size_t zl = sizeof z, off = 0;
  if (cke->kx == TC_KX_ECDHE_PSK) {
    if (tc_kex_derive(&hs->kex, cke->ec_point.p, cke->ec_point.len, z, &zl))
      return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "bad ECDHE public value from the client");
  } else if (cke->kx == TC_KX_DHE_PSK) {
    if (tc_kex_derive(&hs->kex, cke->dh_yc.p, cke->dh_yc.len, z, &zl))
      return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "bad DHE public value from the client");
    while (off + 1 < zl && z[off] == 0) /* as for DHE: leading zeros dropped */
      off++;
  } else {
    zl = 0;
  }
  tc_kex_clear(&hs->kex);
  tc_hs_state next = HS_FAILED;
  tc12_transcript_add(c, msg, len);
  const tc_bytes *id = &cke->psk_identity;
  if (tc_conn_psk_set_identity(&c->psk, id->p, id->len)) {
    tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    goto out;
  }
  tc_conn_psk_drop_key(&c->psk);
  if (id->len == 0 || id->len > TC_PSK_MAX_IDENTITY) {
    next = unknown_identity(c);
    goto out;
  }
  /* A configured key is used where it is (no copy to make and wipe). */
  const tc_psk_entry *e = tc_cfg_psk_find(&c->cfg->psk, id->p, id->len);
  if (e) {
    next = psk_master(c, e->key, e->key_len, z + off, zl - off);
    goto out;
  }
  if (!c->cfg->psk.server_want) {
    next = unknown_identity(c);
    goto out;
  }
  /* The caller looks the identity up; the engine goes on in HS_S12_PSK_KEY
   * with the (EC)DHE secret kept until then. */
  if (zl) {
    h->pms = malloc(zl - off);
    if (!h->pms) {
      tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
      goto out;
    }
    memcpy(h->pms, z + off, zl - off);
    h->pms_len = zl - off;
  }
  c->want = TC_WANT_PSK_KEY;
  next = HS_S12_PSK_KEY;
out:
  tc_wipe(z, zl);
  return next;
}

static tc_hs_state on_client_key_exchange(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_kx kx = msg_kx(h->suite);
  tc_client_key_exchange cke;
  if (tc_msg_parse_client_key_exchange(msg + 4, len - 4, kx, c->version, &cke, &c->err))
    return HS_FAILED;
  if (tc12_suite_is_psk(h->suite))
    return on_psk_client_key_exchange(c, &cke, msg, len);
  if (tc12_suite_is_srp(h->suite)) {
    uint8_t *spms = NULL;
    size_t spl = 0;
    if (tc12_srp_server_premaster(c, &cke.srp_a, &spms, &spl))
      return HS_FAILED;
    tc12_transcript_add(c, msg, len);
    int r = tc12_master_secret(c, spms, spl);
    tc_wipe(spms, spl);
    free(spms);
    return r ? HS_FAILED : HS_S12_WAIT_FINISHED;
  }
  uint8_t pms[TC_KEX_MAX_SECRET_LEN];
  size_t pl = sizeof pms, off = 0;
  if (kx == TC_KX_RSA) {
    if (rsa_premaster(c, &cke.rsa_epms, pms))
      return HS_FAILED;
    pl = 48;
  } else if (kx == TC_KX_ECDHE) {
    if (tc_kex_derive(&hs->kex, cke.ec_point.p, cke.ec_point.len, pms, &pl))
      return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "bad ECDHE public value from the client");
  } else {
    if (tc_kex_derive(&hs->kex, cke.dh_yc.p, cke.dh_yc.len, pms, &pl))
      return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "bad DHE public value from the client");
    while (off + 1 < pl && pms[off] == 0) /* TLS 1.2 DH premaster drops leading zeros */
      off++;
  }
  tc_kex_clear(&hs->kex);
  tc12_transcript_add(c, msg, len);
  int r = tc12_master_secret(c, pms + off, pl - off);
  tc_wipe(pms, sizeof pms);
  if (r)
    return HS_FAILED;
  return h->client_cert_sent ? HS_S12_WAIT_CV : HS_S12_WAIT_FINISHED;
}

static tc_hs_state on_cert_verify(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  if (tc12_check_cert_verify(c, msg + 4, len - 4, hs->cr_sig_algs, hs->cr_n_sig_algs))
    return HS_FAILED;
  tc12_transcript_add(c, msg, len);
  return HS_S12_WAIT_FINISHED;
}

static void cache_session(tc_conn *c) {
  tc_session_cache *sc = c->cfg->session_cache;
  if (!sc || !c->c12.session_id_len || c->hs->t12.resumed)
    return;
  tc_cached_session cs;
  memset(&cs, 0, sizeof cs);
  cs.version = c->version;
  cs.suite = c->suite;
  memcpy(cs.master, c->c12.master, 48);
  cs.ems = c->c12.ems;
  if (c->alpn)
    snprintf(cs.alpn, sizeof cs.alpn, "%s", c->alpn);
  if (c->server_name)
    snprintf(cs.server_name, sizeof cs.server_name, "%s", c->server_name);
  if (c->psk.identity && c->psk.id_len <= sizeof cs.psk_identity) {
    memcpy(cs.psk_identity, c->psk.identity, c->psk.id_len);
    cs.psk_identity_len = c->psk.id_len;
  }
  if (c->srp.name && c->srp.name_len <= sizeof cs.srp_user) {
    memcpy(cs.srp_user, c->srp.name, c->srp.name_len);
    cs.srp_user_len = c->srp.name_len;
  }
  tc_session_cache_put(sc, c->c12.session_id, c->c12.session_id_len, &cs, tc_config_now(c->cfg));
  tc_wipe(&cs, sizeof cs);
}

static tc_hs_state on_finished(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs12 *h = &c->hs->t12;
  if (tc12_check_finished(c, msg, len))
    return HS_FAILED;
  if (!h->resumed) {
    if ((h->ticket && write_ticket(c)) || tc12_send_ccs(c) || tc12_write_finished(c) ||
        tc_hs_flush(c))
      return HS_FAILED;
    cache_session(c);
  }
  tc12_handshake_done(c);
  return HS_CONNECTED;
}

TC_HOT tc_hs_state tc_server12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  switch (c->state) {
  case HS_S12_WAIT_CERT:
    if (type == TC_HS_CERTIFICATE)
      return on_certificate(c, msg, len);
    break;
  case HS_S12_WAIT_CKE:
    if (type == TC_HS_CLIENT_KEY_EXCHANGE)
      return on_client_key_exchange(c, msg, len);
    break;
  case HS_S12_WAIT_CV:
    if (type == TC_HS_CERTIFICATE_VERIFY)
      return on_cert_verify(c, msg, len);
    break;
  case HS_S12_WAIT_FINISHED:
    if (type == TC_HS_FINISHED)
      return on_finished(c, msg, len);
    break;
  default:
    break;
  }
  return FAIL_WITH(c, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s", tc_msg_type_name(type));
}

static int send_warning(tc_conn *c, uint8_t desc) {
  uint8_t a[2] = {1, desc};
  return tc_rec_write(&c->rec, TC_CT_ALERT, a, 2, &c->err);
}

/* A ClientHello after the handshake: renegotiation (RFC 5746) or refusal. */
static int server_renegotiation(tc_conn *c, const uint8_t *msg, size_t len) {
  if (c->cfg->reneg != TC_RENEG_SECURE || !c->c12.secure_reneg || c->version == TC_SSL30)
    return send_warning(c, TC_ERR_NO_RENEGOTIATION);
  tc_client_hello *ch = malloc(sizeof *ch);
  c->hs = calloc(1, sizeof *c->hs);
  if (!ch || !c->hs) {
    free(ch);
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  int r = TC_FAIL;
  if (tc_msg_parse_client_hello(msg + 4, len - 4, ch, &c->err) == TC_OK) {
    tc_hs_state next = tc_server12_client_hello(c, ch, msg, len);
    if (next != HS_FAILED) {
      c->state = next;
      r = TC_OK;
    }
  }
  free(ch);
  return r;
}

int tc_server12_hello_request(tc_conn *c) {
  if (c->role != TC_ROLE_SERVER || !c->handshake_done || c->version >= TC_TLS13 || c->hs ||
      c->state != HS_CONNECTED)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "cannot renegotiate now");
  if (tc_msg_write_empty(&c->hsw, TC_HS_HELLO_REQUEST) || tc_hs_flush(c))
    return TC_FAIL;
  c->c12.hello_request_sent = true;
  return TC_OK;
}

int tc_post12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  if (c->role == TC_ROLE_SERVER && type == TC_HS_CLIENT_HELLO)
    return server_renegotiation(c, msg, len);
  if (c->role == TC_ROLE_CLIENT && type == TC_HS_HELLO_REQUEST) {
    return tc_client12_hello_request(c, msg + 4, len - 4);
  }
  return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s after the handshake",
                      tc_msg_type_name(type));
}

int tc_server12_ssl2_hello(tc_conn *c, const uint8_t *msg, size_t len) {
  if (c->role != TC_ROLE_SERVER || c->state != HS_S_WAIT_CH || !c->hs)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected SSLv2 ClientHello");
  if (c->cfg->min_version > TC_TLS10)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "SSLv2-format ClientHello refused (minimum version is %s)",
                        tc_version_name(c->cfg->min_version));
  /* msg_type, version, cipher_spec_length, session_id_length,
   * challenge_length, then the three vectors, nothing after. */
  if (len < 9 || msg[0] != 1)
    return tc_error_set(&c->err, TC_ERR_DECODE_ERROR, "malformed SSLv2 ClientHello");
  uint16_t version = (uint16_t)(msg[1] << 8 | msg[2]);
  size_t specs = (size_t)msg[3] << 8 | msg[4];
  size_t sid = (size_t)msg[5] << 8 | msg[6];
  size_t chal = (size_t)msg[7] << 8 | msg[8];
  if (specs == 0 || specs % 3 || sid > 32 || chal < 16 || chal > 32 ||
      9 + specs + sid + chal != len)
    return tc_error_set(&c->err, TC_ERR_DECODE_ERROR, "malformed SSLv2 ClientHello");
  if (version < TC_SSL30)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION, "client offers only SSL 2.0");
  const uint8_t *p = msg + 9;
  /* TLS suites are the 3-byte specs with a zero first byte; SSL 2.0 kinds are dropped. */
  uint8_t *suites = malloc(2 * (specs / 3));
  tc_client_hello *ch = calloc(1, sizeof *ch);
  if (!suites || !ch) {
    free(suites);
    free(ch);
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  size_t n = 0;
  for (size_t i = 0; i < specs; i += 3)
    if (p[i] == 0) {
      suites[2 * n] = p[i + 1];
      suites[2 * n + 1] = p[i + 2];
      n++;
    }
  static const uint8_t null_comp = 0;
  ch->legacy_version = version;
  ch->cipher_suites = (tc_u16s){suites, n};
  /* No resumption from a v2 hello (E.2: its session id MUST be empty):
   * an id naming a cached EMS session would otherwise abort the handshake. */
  ch->session_id_len = 0;
  /* The challenge becomes the client random, right-aligned, zero padded. */
  memcpy(ch->random + 32 - chal, p + specs + sid, chal);
  ch->compression_methods = (tc_bytes){&null_comp, 1};
  ch->has_extensions = false;
  int r = TC_OK;
  if (n == 0) {
    r = tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "SSLv2 ClientHello offers no TLS suite");
  } else {
    /* The transcript starts with the SSLv2 message bytes (header excluded). */
    tc_hs_state next = tc_server12_client_hello(c, ch, msg, len);
    if (next == HS_FAILED)
      r = TC_FAIL;
    else
      c->state = next;
  }
  free(suites);
  free(ch);
  return r;
}
