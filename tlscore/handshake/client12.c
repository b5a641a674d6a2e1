/* TLS 1.2 / 1.1 / 1.0 / SSL 3.0 client handshake (RFC 5246 §7.3): ClientHello additions, then ServerHello onward. */
#include "handshake/tls12.h"

#include <stdlib.h>
#include <string.h>

#define SCSV_RENEGOTIATION 0x00ff /* RFC 5746 TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
#define SCSV_FALLBACK 0x5600      /* RFC 7507 TLS_FALLBACK_SCSV */
#define ALERT_NO_RENEGOTIATION 100
#define CERT_TYPE_RSA_SIGN 1
#define CERT_TYPE_ECDSA_SIGN 64
#define MAX_SUITES12 64

/* ---- public knobs ---- */

void tc_config_set_fallback_scsv(tc_config *cfg, bool on) { cfg->fallback_scsv = on; }

int tc_conn_set_fallback(tc_conn *c, bool fallback) {
  if (c->role != TC_ROLE_CLIENT || c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "cannot set fallback now");
  c->fallback = fallback;
  return TC_OK;
}

const uint8_t *tc_conn_ocsp_response(const tc_conn *c, size_t *len) {
  if (len)
    *len = c->ocsp_len;
  return c->ocsp;
}

static const char *vname(uint16_t v) {
  const char *n = tc_version_name(v);
  return n ? n : "an unknown version";
}

/* ---- ClientHello ---- */

static bool suite_in_range(const tc_config *cfg, const tc_suite12 *s, uint16_t max12) {
  for (uint16_t v = cfg->min_version; v <= max12; v++)
    if (tc_suite12_allows(s, v))
      return true;
  return false;
}

/* Our TLS 1.2-and-older suites usable in the configured version range
 * (cached in the handshake state; out has room for MAX_SUITES12). */
static size_t offered_suites(const tc_conn *c, const tc_suite12 **out) {
  tc_hs12 *h = &c->hs->t12;
  size_t all_n;
  const tc_suite12 *all = tc_suite12_all(&all_n);
  if (!h->offered_known) {
    uint16_t max12 = tc12_max_version(c->cfg);
    const tc_suite12 *list[MAX_SUITES12];
    size_t n = max12 ? tc12_suites_for(c->cfg, tc12_conn_creds(c), list, MAX_SUITES12) : 0,
           k = 0;
    /* With SRP credentials (and the default order) the SRP suites go first:
     * the user asked for password authentication. */
    const uint8_t *u, *p;
    size_t ul, pl;
    bool srp_first = !c->cfg->suites_explicit && tc12_srp_client_creds(c, &u, &ul, &p, &pl);
    for (int pass = srp_first ? 0 : 1; pass < 2; pass++)
      for (size_t i = 0; i < n && k < sizeof h->offered_idx; i++)
        if (suite_in_range(c->cfg, list[i], max12) &&
            (!srp_first || tc12_suite_is_srp(list[i]) == (pass == 0)))
          h->offered_idx[k++] = (uint8_t)(list[i] - all);
    h->n_offered = (uint8_t)k;
    h->offered_known = true;
  }
  for (size_t i = 0; i < h->n_offered; i++)
    out[i] = &all[h->offered_idx[i]];
  return h->n_offered;
}

TC_HOT static const tc_suite12 *find_offered(const tc_conn *c, uint16_t id) {
  const tc_hs12 *h = &c->hs->t12;
  if (!h->offered_known) {
    const tc_suite12 *list[MAX_SUITES12];
    offered_suites(c, list);
  }
  /* Straight from the indexes: no list of pointers to build first. */
  size_t all_n;
  const tc_suite12 *all = tc_suite12_all(&all_n);
  for (size_t i = 0; i < h->n_offered; i++)
    if (all[h->offered_idx[i]].id == id)
      return &all[h->offered_idx[i]];
  return NULL;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

size_t tc_client12_add_suites(tc_conn *c, uint8_t *suites, size_t n, size_t cap) {
  const tc_suite12 *list[MAX_SUITES12];
  size_t k = offered_suites(c, list);
  for (size_t i = 0; i < k && n < cap; i++)
    put16(suites + 2 * n++, list[i]->id);
  if (!k)
    return n;
  /* SSL 3.0 servers may not parse extensions: signal RFC 5746 with the SCSV. */
  if (tc12_max_version(c->cfg) == TC_SSL30 && c->c12.handshakes == 0 && n < cap)
    put16(suites + 2 * n++, SCSV_RENEGOTIATION);
  if ((c->cfg->fallback_scsv || c->fallback) && n < cap)
    put16(suites + 2 * n++, SCSV_FALLBACK);
  return n;
}

void tc_client12_add_exts(tc_conn *c, tc_exts *e, bool offer13) {
  static const uint8_t uncompressed = 0;
  tc_hs12 *h = &c->hs->t12;
  const tc_suite12 *list[MAX_SUITES12];
  size_t k = offered_suites(c, list);
  /* OCSP stapling is asked for in every version: TLS 1.2's
   * CertificateStatus, TLS 1.3's leaf CertificateEntry (tls13.c). */
  tc_exts_set(e, TC_EXT_STATUS_REQUEST);
  e->status_type = TC_STATUS_TYPE_OCSP;
  h->offered_status = true;
  if (!k)
    return;
  bool ecdhe = false, cbc = false, srp = false;
  for (size_t i = 0; i < k; i++) {
    srp |= tc12_suite_is_srp(list[i]);
    ecdhe |= list[i]->kx == TC_KX12_ECDHE || list[i]->kx == TC_KX12_ECDHE_PSK;
    cbc |= list[i]->bulk == TC_BULK12_CBC;
  }
  h->offered13 = offer13;
  if (srp)
    tc12_srp_client_ext(c, e);
  if (ecdhe) {
    tc_exts_set(e, TC_EXT_EC_POINT_FORMATS);
    e->ec_point_formats = (tc_bytes){&uncompressed, 1};
  }
  tc_exts_set(e, TC_EXT_EXTENDED_MASTER_SECRET);
  if (tc12_max_version(c->cfg) != TC_SSL30 || c->c12.handshakes) {
    tc_exts_set(e, TC_EXT_RENEGOTIATION_INFO);
    /* Renegotiating: our previous Finished (RFC 5746 §3.5). */
    e->renegotiation_info = (tc_bytes){c->c12.client_vd, c->c12.handshakes ? c->c12.vd_len : 0};
  }
  tc_exts_set(e, TC_EXT_SESSION_TICKET);
  if (h->offered_session && c->offer->ticket_len)
    e->session_ticket = (tc_bytes){c->offer->ticket, c->offer->ticket_len};
  if (cbc)
    tc_exts_set(e, TC_EXT_ENCRYPT_THEN_MAC);
  /* TLS 1.3 counts the content type byte (RFC 8449 §4). */
  tc_exts_set(e, TC_EXT_RECORD_SIZE_LIMIT);
  e->record_size_limit = (uint16_t)(c->cfg->recv_limit + (offer13 ? 1 : 0));
  h->offered_rsl = true;
  h->sent_rsl = e->record_size_limit;
}

static bool same_str(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

TC_HOT void tc_client12_offer_session(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  tc_session *s = c->offer;
  if (!s || !tc_session_usable12(s, tc_config_now(cfg)))
    return;
  if (!tc_config_has_version(cfg, s->version) || s->version > tc12_max_version(cfg))
    return;
  /* RFC 7627 §5.3: sessions without EMS are open to the triple handshake. */
  if (!s->ems && !cfg->ems_optional)
    return;
  const tc_suite12 *suite = find_offered(c, s->suite);
  if (!suite)
    return;
  /* An SRP session is resumed only by the user who made it. */
  if (tc12_suite_is_srp(suite)) {
    const uint8_t *u, *p;
    size_t ul, pl;
    if (!tc12_srp_client_creds(c, &u, &ul, &p, &pl) || ul != s->srp_user_len ||
        memcmp(u, s->srp_user, ul) != 0)
      return;
  }
  /* Asked once here, for the ClientHello kept in the session and for
   * save_session. */
  bool same_name = same_str(s->server_name, c->server_name);
  if (!same_name && s->server_name && c->server_name)
    return;
  hs->t12.offered_session = true;
  hs->t12.offer_same_name = same_name;
  hs->t12.offered_prf = s->version == TC_SSL30 ? TC_HASH_NONE : tc_suite12_prf(suite, s->version);
  if (s->session_id_len) {
    memcpy(hs->session_id, s->session_id, s->session_id_len);
    hs->session_id_len = s->session_id_len;
  } else if (!hs->session_id_len) {
    /* RFC 5077 §3.4: a session ID lets us see the server accept the ticket. */
    if (tc_random(&cfg->rng, hs->session_id, 32) == 0)
      hs->session_id_len = 32;
    else
      hs->t12.offered_session = false;
  }
}

/* ---- ServerHello ---- */

/* The checks only the general parse needs (the brief parse declines every
 * extension and form these refuse); fills sh's extension fields (the
 * brief parse's form) from e. */
static __attribute__((noinline)) int check_sh_exts(tc_conn *c, const tc_exts *e,
                                                   tc_server_hello12 *sh) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  if (e->n_unknown)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                        "ServerHello carries unknown extension %u", e->unknown[0]);
  static const uint16_t never[] = {TC_EXT_MAX_FRAGMENT_LENGTH, TC_EXT_EARLY_DATA, TC_EXT_COOKIE,
                                   TC_EXT_KEY_SHARE, TC_EXT_PRE_SHARED_KEY,
                                   TC_EXT_SUPPORTED_VERSIONS};
  for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
    if (tc_exts_has(e, never[i]))
      return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                          "ServerHello carries extension %u we did not offer", never[i]);
  if (tc_exts_has(e, TC_EXT_SERVER_NAME) && !hs->client_sent_sni)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "unsolicited server_name");
  if ((tc_exts_has(e, TC_EXT_STATUS_REQUEST) && !h->offered_status) ||
      (tc_exts_has(e, TC_EXT_RECORD_SIZE_LIMIT) && !h->offered_rsl))
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                        "ServerHello carries an extension we did not offer");
  if (tc_exts_has(e, TC_EXT_ALPN)) {
    size_t n;
    const char *const *ours = tc_conn_alpn_list(c, &n);
    const char *match = NULL;
    if (!hs->offered_alpn)
      return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "unsolicited ALPN");
    for (size_t i = 0; i < n && !match && e->n_alpn == 1; i++)
      if (strlen(ours[i]) == e->alpn[0].len && !memcmp(ours[i], e->alpn[0].p, e->alpn[0].len))
        match = ours[i];
    if (!match)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server selected an ALPN protocol we did not offer");
    free(c->alpn);
    if (!(c->alpn = strdup(match)))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  if (tc_exts_has(e, TC_EXT_EC_POINT_FORMATS) &&
      !memchr(e->ec_point_formats.p, 0, e->ec_point_formats.len))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server does not accept uncompressed points");
  sh->exts = (tc_exts_has(e, TC_EXT_RECORD_SIZE_LIMIT) ? TC_SH12_RSL : 0) |
             (tc_exts_has(e, TC_EXT_EXTENDED_MASTER_SECRET) ? TC_SH12_EMS : 0) |
             (tc_exts_has(e, TC_EXT_ENCRYPT_THEN_MAC) ? TC_SH12_ETM : 0) |
             (tc_exts_has(e, TC_EXT_SESSION_TICKET) ? TC_SH12_TICKET : 0) |
             (tc_exts_has(e, TC_EXT_STATUS_REQUEST) ? TC_SH12_STATUS : 0) |
             (tc_exts_has(e, TC_EXT_RENEGOTIATION_INFO) ? TC_SH12_RENEG : 0);
  sh->record_size_limit = e->record_size_limit;
  sh->renegotiation_info = e->renegotiation_info;
  return TC_OK;
}

/* RFC 5746 §3.5 on a renegotiation: client_verify_data ||
 * server_verify_data (out of the first handshake's code). */
static __attribute__((noinline)) int check_reneg_info(tc_conn *c, const tc_server_hello12 *sh) {
  size_t n = c->c12.vd_len;
  uint8_t expect[72];
  memcpy(expect, c->c12.client_vd, n);
  memcpy(expect + n, c->c12.server_vd, n);
  if (!(sh->exts & TC_SH12_RENEG) || sh->renegotiation_info.len != 2 * n ||
      !tc_ct_equal(expect, sh->renegotiation_info.p, 2 * n))
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "renegotiation_info does not match the previous handshake");
  return TC_OK;
}

/* What the extensions settle, with the RFC 5746 checks (both parses). */
static int apply_sh_exts(tc_conn *c, const tc_server_hello12 *sh) {
  tc_hs12 *h = &c->hs->t12;
  unsigned x = sh->exts;
  if (x & TC_SH12_RSL) {
    /* TLS 1.2 limits plaintext; values above 2^14 mean the protocol maximum. */
    h->peer_rsl = sh->record_size_limit;
    if (sh->record_size_limit < c->rec.max_frag)
      c->rec.max_frag = sh->record_size_limit;
    /* Negotiated: our own limit holds for what the server sends. We may
     * have offered TLS 1.3's value (one more): a TLS 1.2 server reads it
     * as plaintext, so accept that much (never more than 2^14). */
    c->rec.max_recv_plain = h->sent_rsl < TC_REC_MAX_PLAIN ? h->sent_rsl : TC_REC_MAX_PLAIN;
  }
  h->ems = (x & TC_SH12_EMS) && c->version >= TC_TLS10;
  h->etm = (x & TC_SH12_ETM) && h->suite->bulk == TC_BULK12_CBC && c->version >= TC_TLS10;
  h->ticket = x & TC_SH12_TICKET;
  h->status = x & TC_SH12_STATUS;
  if (c->c12.handshakes)
    return check_reneg_info(c, sh);
  if ((x & TC_SH12_RENEG) && sh->renegotiation_info.len != 0)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "initial renegotiation_info is not empty");
  c->c12.secure_reneg = x & TC_SH12_RENEG;
  return TC_OK;
}

/* A full handshake's ServerHello after the common part: our session ID
 * and the credentials of SRP (out of the resumption's code). */
static __attribute__((noinline)) tc_hs_state server_hello_full(tc_conn *c,
                                                               const tc_server_hello12 *sh) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  memcpy(hs->session_id, sh->session_id, sh->session_id_len);
  hs->session_id_len = sh->session_id_len;
  if (tc12_suite_is_srp(h->suite)) {
    const uint8_t *u, *p;
    size_t ul, pl;
    if (!c->srp.named || !tc12_srp_client_creds(c, &u, &ul, &p, &pl))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server chose %s although we sent no SRP user name", h->suite->name),
             HS_FAILED;
    if (tc12_srp_set_name(c, u, ul))
      return HS_FAILED;
    /* SRP_SHA: the password authenticates, no certificate (RFC 5054 §2.7). */
    if (h->suite->auth == TC_AUTH12_SRP)
      return HS_C12_WAIT_SKE;
  }
  /* RFC 4279 §2: a PSK handshake has no certificate messages. */
  return tc12_suite_is_psk(h->suite) ? HS_C12_WAIT_SKE : HS_C12_WAIT_CERT;
}

/* Both parses end here, with the message in the brief parse's form: e is
 * the general parse's extensions (checked by check_sh_exts, which fills
 * sh's extension fields), NULL after the brief parse. */
TC_HOT static tc_hs_state server_hello(tc_conn *c, tc_server_hello12 *sh, const tc_exts *e,
                                const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_config *cfg = c->cfg;
  uint16_t v = sh->legacy_version, max12 = tc12_max_version(cfg);
  if (hs->hrr)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server selected %s after a HelloRetryRequest", vname(v)),
           HS_FAILED;
  if (v < cfg->min_version || v < TC_SSL30)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "server selected %s, but the minimum allowed is %s", vname(v),
                        vname(cfg->min_version)),
           HS_FAILED;
  if (!max12 || v > max12)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "server selected %s, which was not offered", vname(v)),
           HS_FAILED;
  if (c->c12.handshakes && v != c->version)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "server changed the version during renegotiation"),
           HS_FAILED;
  c->version = v;
  c->rec.wr_version = v;
  if (sh->compression_method != 0)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "server selected compression"),
           HS_FAILED;
  const tc_suite12 *s = find_offered(c, sh->cipher_suite);
  if (!s || !tc_suite12_allows(s, v))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server selected a cipher suite we did not offer (0x%04x)",
                        sh->cipher_suite),
           HS_FAILED;
  if (tc12_use_suite(c, s, sh->cipher_suite))
    return HS_FAILED;
  /* A ClientHello hashed as it was sent (client13.c keep_client_hello) used
   * the one PRF hash its suites share. */
  if (h->tr_stream && (h->th_alg != c->hash || hs->ch1 || hs->ch1_kept))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR,
                        "ClientHello hashed with another hash than the suite's"),
           HS_FAILED;
  memcpy(h->client_random, hs->client_random, 32);
  memcpy(h->server_random, sh->random, 32);
  bool echoed = TC_LIKELY(h->offered_session) && sh->session_id_len &&
                sh->session_id_len == hs->session_id_len &&
                !memcmp(sh->session_id, hs->session_id, hs->session_id_len);
  /* The ClientHello went into the running hash as it was sent: kept for a
   * resumption with that hash (while the kept bytes are still what stands
   * for the ClientHello); otherwise the hash starts over from the kept
   * ClientHello bytes (tc_client13_ch1_to_transcript12). */
  if (TC_LIKELY(h->th_ch)) {
    h->th_ch = false;
    if (TC_LIKELY(echoed && h->th_alg == c->hash && hs->ch1_kept && !hs->ch1)) {
      h->tr_stream = true;
      hs->ch1_kept = NULL;
    } else {
      h->th_alg = TC_HASH_NONE;
    }
  }
  /* A resumption, or a PSK suite (no CertificateRequest, so we never sign
   * the transcript): the running transcript hash is enough. */
  if (echoed || tc12_suite_is_psk(h->suite))
    tc12_transcript_stream(c);
  if (TC_UNLIKELY(hs->ch1 || hs->ch1_kept))
    tc_client13_ch1_to_transcript12(c);
  tc12_transcript_add(c, msg, len);
  if ((TC_UNLIKELY(e != NULL) && check_sh_exts(c, e, sh)) || apply_sh_exts(c, sh))
    return HS_FAILED;
  if (!echoed)
    return server_hello_full(c, sh);
  tc_session *os = c->offer;
  if (os->version != v || os->suite != sh->cipher_suite)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server resumed the session with another version or suite"),
           HS_FAILED;
  /* RFC 7627 §5.3: the EMS state must not change on resumption. */
  if (os->ems != h->ems)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "extended master secret changed on resumption"),
           HS_FAILED;
  memcpy(c->c12.master, os->secret, 48);
  c->c12.have_master = true;
  c->c12.ems = os->ems;
  h->resumed = true;
  /* The session's PSK identity and SRP user name (none: nothing to set). */
  if (TC_UNLIKELY(os->psk_identity_len || c->psk.identity) &&
      tc_conn_psk_set_identity(&c->psk, os->psk_identity, os->psk_identity_len))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
  if (TC_UNLIKELY(os->srp_user || c->srp.name) &&
      tc12_srp_set_name(c, os->srp_user, os->srp_user_len))
    return HS_FAILED;
  return h->ticket ? HS_C12_WAIT_NST : HS_C12_WAIT_FINISHED;
}

tc_hs_state tc_client12_server_hello(tc_conn *c, const tc_server_hello *sh, const uint8_t *msg,
                                     size_t len) {
  tc_server_hello12 v = {.legacy_version = sh->legacy_version,
                         .random = sh->random,
                         .session_id = sh->session_id,
                         .session_id_len = sh->session_id_len,
                         .cipher_suite = sh->cipher_suite,
                         .compression_method = sh->compression_method};
  return server_hello(c, &v, &sh->ext, msg, len);
}

bool tc__sh12_brief_off;

TC_HOT bool tc_client12_server_hello_brief(tc_conn *c, const uint8_t *msg, size_t len,
                                    tc_hs_state *next) {
  const tc_hs *hs = c->hs;
  const tc_hs12 *h = &hs->t12;
  tc_server_hello12 sh;
  /* The message as tc_msg_split takes it (the driver hands whole messages). */
  if (len < 4 || msg[0] != TC_HS_SERVER_HELLO ||
      (size_t)(msg[1] << 16 | msg[2] << 8 | msg[3]) != len - 4 ||
      !tc_msg_parse_server_hello12(msg + 4, len - 4, &sh))
    return false;
  /* Everything the general path could refuse before it reaches
   * server_hello() or in check_sh_exts goes to the general path: a
   * downgrade sentinel client13.c's on_server_hello refuses (RFC 8446
   * §4.1.3, the same test), renegotiation, extensions we did not ask for,
   * point formats without uncompressed, a non-empty initial
   * renegotiation_info. A TLS 1.3 server's TLS 1.2 ServerHello to a
   * client that offered TLS 1.2 alone carries the 1.2 sentinel: taken. */
  static const uint8_t down12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
  static const uint8_t down11[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0};
  bool d11 = !memcmp(sh.random + 24, down11, 8);
  if ((h->offered13 && (d11 || !memcmp(sh.random + 24, down12, 8))) ||
      (d11 && sh.legacy_version < TC_TLS12 && tc12_max_version(c->cfg) == TC_TLS12))
    return false;
  unsigned x = sh.exts;
  if (c->c12.handshakes ||
      ((x & TC_SH12_SERVER_NAME) && !hs->client_sent_sni) ||
      ((x & TC_SH12_STATUS) && !h->offered_status) || ((x & TC_SH12_RSL) && !h->offered_rsl) ||
      ((x & TC_SH12_EC_POINT_FORMATS) &&
       !memchr(sh.ec_point_formats.p, 0, sh.ec_point_formats.len)) ||
      ((x & TC_SH12_RENEG) && sh.renegotiation_info.len != 0))
    return false;
  c->rec.wr_version = TC_TLS12; /* as client13.c's on_server_hello */
  *next = server_hello(c, &sh, NULL, msg, len);
  return true;
}

/* ---- server's first flight ---- */

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

static const tc_pubkey *leaf_key(const tc_conn *c) {
  return c->peer_n ? tc_cert_pubkey(c->peer_chain[0]) : NULL;
}

static bool is_ec(tc_pk_type t) {
  return t == TC_PK_EC_P256 || t == TC_PK_EC_P384 || t == TC_PK_EC_P521;
}

static tc_hs_state on_certificate(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs12 *h = &c->hs->t12;
  tc_certificate cm;
  if (tc_msg_parse_certificate(body, len, c->version, &cm, &c->err))
    return HS_FAILED;
  if (cm.n_entries == 0)
    return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE, "server sent no certificate"),
           HS_FAILED;
  if (tc_hs_take_peer_chain(c, &cm))
    return HS_FAILED;
  tc_pk_type t = tc_pubkey_type(leaf_key(c));
  /* EdDSA certificates serve ECDSA suites in TLS 1.2 (RFC 8422 §5.1.1) */
  bool fits = h->suite->auth == TC_AUTH12_ECDSA
                  ? is_ec(t) || (c->version >= TC_TLS12 && (t == TC_PK_ED25519 || t == TC_PK_ED448))
              : h->suite->kx == TC_KX12_RSA     ? t == TC_PK_RSA
                                                : t == TC_PK_RSA ||
                                                  (t == TC_PK_RSA_PSS && c->version >= TC_TLS12);
  if (!fits)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_CERTIFICATE,
                        "server certificate key does not fit the cipher suite %s",
                        h->suite->name),
           HS_FAILED;
  /* The caller decides must-staple (RFC 7633) with the staple it sees
   * through tc_conn_ocsp_response, and in TLS 1.2 that comes in
   * CertificateStatus, after this message: ask once it is here. */
  if (h->status && c->cfg->verify_mode == TC_VERIFY_CALLER) {
    h->verify_deferred = true;
    return HS_C12_WAIT_CERT_STATUS;
  }
  if (tc_hs_verify_peer_chain(c))
    return HS_FAILED;
  if (h->status)
    return HS_C12_WAIT_CERT_STATUS;
  return h->suite->kx == TC_KX12_RSA ? HS_C12_WAIT_CR_SHD : HS_C12_WAIT_SKE;
}

static tc_hs_state on_cert_status(tc_conn *c, const uint8_t *body, size_t len) {
  tc_certificate_status st;
  if (tc_msg_parse_certificate_status(body, len, &st, &c->err))
    return HS_FAILED;
  free(c->ocsp);
  c->ocsp_len = 0;
  if (!(c->ocsp = malloc(st.response.len)))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
  memcpy(c->ocsp, st.response.p, st.response.len);
  c->ocsp_len = st.response.len;
  if (c->ocsp_len)
    c->hs->t12.staple_due = false;
  return c->hs->t12.suite->kx == TC_KX12_RSA ? HS_C12_WAIT_CR_SHD : HS_C12_WAIT_SKE;
}

/* The path is must-staple (tc_hs_verify_peer_chain) and no staple came. */
static tc_hs_state staple_missing(tc_conn *c) {
  c->peer_flags = TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING;
  tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE,
               "peer certificate requires a stapled OCSP response (TLS Feature "
               "status_request) and none was sent");
  return HS_FAILED;
}

static bool offered_group(const tc_config *cfg, uint16_t g) {
  for (size_t i = 0; i < cfg->n_groups; i++)
    if (cfg->groups[i] == g)
      return tc_kex_supported(g);
  return false;
}

static size_t bit_length(const uint8_t *p, size_t n) {
  while (n && !*p) {
    p++;
    n--;
  }
  if (!n)
    return 0;
  size_t bits = 8 * (n - 1);
  for (uint8_t b = *p; b; b >>= 1)
    bits++;
  return bits;
}

static int keep(tc_conn *c, uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t n) {
  uint8_t *p = malloc(n ? n : 1);
  if (!p)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  memcpy(p, src, n);
  *dst = p;
  *dst_len = n;
  return TC_OK;
}

static tc_hs_state on_server_key_exchange(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_config *cfg = c->cfg;
  tc_server_key_exchange ske;
  bool psk = tc12_suite_is_psk(h->suite);
  /* PSK and SRP_SHA suites: unsigned (the shared key or password authenticates). */
  bool sig = !psk && h->suite->auth != TC_AUTH12_SRP;
  if (tc_msg_parse_server_key_exchange(body, len, msg_kx(h->suite), sig, c->version, &ske,
                                       &c->err))
    return HS_FAILED;
  if (sig && tc12_verify_params(c, leaf_key(c), ske.has_scheme, ske.scheme, ske.params.p,
                                ske.params.len, ske.signature.p, ske.signature.len))
    return HS_FAILED;
  if (tc12_suite_is_srp(h->suite)) {
    if (tc12_srp_client_ske(c, &ske))
      return HS_FAILED;
    return sig ? HS_C12_WAIT_CR_SHD : HS_C12_WAIT_SHD;
  }
  if (psk) {
    if (tc_psk_copy(&c->psk.hint, &c->psk.hint_len, ske.psk_hint.p, ske.psk_hint.len))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
    c->psk.have_hint = ske.psk_hint.len > 0;
    if (h->suite->kx == TC_KX12_PSK)
      return HS_C12_WAIT_SHD;
  }
  uint8_t pub[TC_KEX_MAX_PUB_LEN], z[TC_KEX_MAX_SECRET_LEN];
  size_t pub_len = sizeof pub, z_len = sizeof z;
  const uint8_t *zp = z;
  tc_kex_clear(&hs->kex);
  if (h->suite->kx == TC_KX12_ECDHE || h->suite->kx == TC_KX12_ECDHE_PSK) {
    if (ske.group >= 0x0100 || !offered_group(cfg, ske.group))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server chose curve 0x%04x, which we did not offer", ske.group),
             HS_FAILED;
    if (tc_kex_generate(&hs->kex, ske.group, &cfg->rng, pub, &pub_len))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot generate an ECDHE key"),
             HS_FAILED;
    if (tc_kex_derive(&hs->kex, ske.ec_point.p, ske.ec_point.len, z, &z_len))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "invalid server ECDHE point"),
             HS_FAILED;
    c->group = ske.group;
  } else {
    unsigned min_bits = cfg->dh_min_bits ? cfg->dh_min_bits : 2048;
    size_t bits = bit_length(ske.dh_p.p, ske.dh_p.len);
    if (bits < min_bits)
      return tc_error_set(&c->err, TC_ERR_INSUFFICIENT_SECURITY,
                          "server DH prime has %zu bits, below the minimum of %u", bits,
                          min_bits),
             HS_FAILED;
    unsigned max_bits = cfg->dh_max_bits ? cfg->dh_max_bits : 8192;
    if (bits > max_bits)
      return tc_error_set(&c->err, TC_ERR_INSUFFICIENT_SECURITY,
                          "server DH prime has %zu bits, above the maximum of %u", bits,
                          max_bits),
             HS_FAILED;
    if (tc_kex_generate_dh(&hs->kex, ske.dh_p.p, ske.dh_p.len, ske.dh_g.p, ske.dh_g.len, min_bits,
                           &cfg->rng, pub, &pub_len))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "unacceptable server DH parameters"),
             HS_FAILED;
    if (tc_kex_derive(&hs->kex, ske.dh_ys.p, ske.dh_ys.len, z, &z_len))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "invalid server DH public value"),
             HS_FAILED;
    /* RFC 5246 §8.1.2: leading zero bytes of Z are stripped. */
    while (z_len > 1 && !*zp) {
      zp++;
      z_len--;
    }
    c->group = 0;
    static const uint16_t ff[] = {TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
                                  TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
    for (size_t i = 0; i < sizeof ff / sizeof ff[0]; i++) {
      size_t pl;
      const uint8_t *p = tc_kex_ffdhe_prime(ff[i], &pl);
      if (p && pl == ske.dh_p.len && !memcmp(p, ske.dh_p.p, pl))
        c->group = ff[i];
    }
  }
  tc_kex_clear(&hs->kex);
  int r = keep(c, &h->c_pub, &h->c_pub_len, pub, pub_len) ||
          keep(c, &h->pms, &h->pms_len, zp, z_len);
  tc_wipe(z, sizeof z);
  return r ? HS_FAILED : psk ? HS_C12_WAIT_SHD : HS_C12_WAIT_CR_SHD;
}

static tc_hs_state on_certificate_request(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs *hs = c->hs;
  tc_certificate_request cr;
  if (tc12_suite_is_psk(hs->t12.suite))
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "CertificateRequest in a PSK handshake"),
           HS_FAILED;
  if (tc_msg_parse_certificate_request(body, len, c->version, &cr, &c->err))
    return HS_FAILED;
  hs->cert_requested = true;
  /* The TLS 1.3 request context is unused here: it keeps the certificate types. */
  if (keep(c, &hs->cr_context, &hs->cr_context_len, cr.cert_types.p, cr.cert_types.len))
    return HS_FAILED;
  if (cr.has_sig_algs) {
    size_t n = cr.sig_algs.n;
    if (keep(c, &hs->cr_sig_algs, &hs->cr_n_sig_algs, cr.sig_algs.p, 2 * n))
      return HS_FAILED;
    hs->cr_n_sig_algs = n;
  }
  if (cr.n_authorities) {
    size_t k = cr.n_authorities, cl = cr.authorities.len;
    hs->cas = malloc(cl);
    hs->ca_ptrs = calloc(k, sizeof *hs->ca_ptrs);
    hs->ca_lens = calloc(k, sizeof *hs->ca_lens);
    if (!hs->cas || !hs->ca_ptrs || !hs->ca_lens)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
    memcpy(hs->cas, cr.authorities.p, cl);
    tc_reader r, name;
    tc_rd_init(&r, hs->cas, cl);
    size_t i = 0;
    while (i < k && tc_rd_vec16(&r, &name)) {
      hs->ca_ptrs[i] = name.p;
      hs->ca_lens[i] = name.len;
      i++;
    }
    hs->n_cas = i;
  }
  return HS_C12_WAIT_SHD;
}

/* Client, PSK suite: the identity and key to send (a per-connection PSK,
 * the configured one matching the server's hint or else the first, or the
 * caller's answer to TC_WANT_PSK_IDENTITY). */
static int choose_psk(tc_conn *c) {
  const tc_psk_entry *e = NULL;
  if (c->psk.own.identity) {
    e = &c->psk.own;
  } else if (c->cfg->psk.n) {
    if (c->psk.have_hint)
      e = tc_cfg_psk_find(&c->cfg->psk, c->psk.hint, c->psk.hint_len);
    if (!e)
      e = &c->cfg->psk.list[0];
  } else if (c->cfg->psk.client_want) {
    c->want = TC_WANT_PSK_IDENTITY;
    return TC_OK;
  } else {
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "server chose a PSK cipher suite, but no PSK is configured");
  }
  tc_conn_psk_drop_key(&c->psk);
  if (tc_conn_psk_set_identity(&c->psk, e->identity, e->id_len))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  /* The entry (the config's, or c->psk.own) outlives the handshake. */
  c->psk.entry_key = e->key;
  c->psk.entry_key_len = e->key_len;
  return TC_OK;
}

static tc_hs_state on_server_hello_done(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs *hs = c->hs;
  if (tc_msg_parse_empty(TC_HS_SERVER_HELLO_DONE, body, len, &c->err))
    return HS_FAILED;
  if (tc12_suite_is_psk(hs->t12.suite)) {
    if (hs->t12.suite->kx != TC_KX12_PSK && !hs->t12.pms)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                          "ServerHelloDone without the ServerKeyExchange of %s",
                          hs->t12.suite->name),
             HS_FAILED;
    return choose_psk(c) ? HS_FAILED : HS_C_SEND_FLIGHT;
  }
  if (hs->cert_requested) {
    if (c->cfg->n_chains) {
      hs->my_chain = c->cfg->chains[0].certs;
      hs->my_n = c->cfg->chains[0].n;
      hs->my_key = c->cfg->chains[0].key;
    } else {
      c->want = TC_WANT_CLIENT_CERT;
    }
  }
  /* The flight is an action state so a client-certificate want can pause it. */
  return HS_C_SEND_FLIGHT;
}

/* ---- our flight ---- */

/* Can our key answer this CertificateRequest? Returns the scheme (TLS 1.2)
 * or 1 (older versions), 0 if not. */
static uint16_t client_cert_scheme(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (!hs->my_key || !hs->my_n || c->version == TC_SSL30)
    return 0;
  /* the certificate's key type (an id-RSASSA-PSS key parses into a plain
   * RSA private key); EdDSA keys use ecdsa_sign in TLS 1.2 (RFC 8422 §5.5) */
  const tc_pubkey *pk = tc_cert_pubkey(hs->my_chain[0]);
  tc_pk_type t = tc_pubkey_type(pk);
  bool ed = c->version >= TC_TLS12 && (t == TC_PK_ED25519 || t == TC_PK_ED448);
  uint8_t need = t == TC_PK_RSA || t == TC_PK_RSA_PSS ? CERT_TYPE_RSA_SIGN
                 : is_ec(t) || ed                     ? CERT_TYPE_ECDSA_SIGN
                                                      : 0;
  if (!need || !hs->cr_context || !memchr(hs->cr_context, need, hs->cr_context_len))
    return 0;
  if (c->version < TC_TLS12)
    return t == TC_PK_RSA_PSS ? 0 : 1;
  return tc12_pick_scheme(c, pk, hs->cr_sig_algs, hs->cr_n_sig_algs, true);
}

static int write_client_key_exchange(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_client_key_exchange cke;
  memset(&cke, 0, sizeof cke);
  cke.kx = msg_kx(h->suite);
  cke.ssl3 = c->version == TC_SSL30;
  uint8_t pms[48], *epms = NULL;
  int r = TC_FAIL;
  bool psk = tc12_suite_is_psk(h->suite);
  /* The caller's answer (a copy), else the chosen entry's key (borrowed). */
  const uint8_t *psk_key = c->psk.key ? c->psk.key : c->psk.entry_key;
  size_t psk_key_len = c->psk.key ? c->psk.key_len : c->psk.entry_key_len;
  if (psk) {
    if (!c->psk.identity || !psk_key)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no PSK for ClientKeyExchange");
    cke.psk_identity = (tc_bytes){c->psk.identity, c->psk.id_len};
  }
  if (h->suite->kx == TC_KX12_PSK) {
    /* the identity is all */
  } else if (h->suite->kx == TC_KX12_RSA) {
    const tc_pubkey *pk = leaf_key(c);
    size_t cap = 2048;
    /* RFC 5246 §7.4.7.1: the version we offered, then 46 random bytes. */
    put16(pms, h->client_version);
    if (tc_random(&c->cfg->rng, pms + 2, 46))
      return tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
    if (!(epms = malloc(cap)))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    if (!pk || tc_rsa_encrypt_pkcs1(pk, &c->cfg->rng, pms, 48, epms, &cap)) {
      tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "RSA encryption of the premaster failed");
      goto out;
    }
    cke.rsa_epms = (tc_bytes){epms, cap};
  } else if (h->suite->kx == TC_KX12_ECDHE || h->suite->kx == TC_KX12_ECDHE_PSK) {
    cke.ec_point = (tc_bytes){h->c_pub, h->c_pub_len};
  } else if (h->suite->kx == TC_KX12_SRP) {
    cke.srp_a = (tc_bytes){h->c_pub, h->c_pub_len};
  } else {
    cke.dh_yc = (tc_bytes){h->c_pub, h->c_pub_len};
  }
  if (cke.kx != TC_KX_RSA && cke.kx != TC_KX_PSK && !h->pms) {
    tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "no ServerKeyExchange was received");
    goto out;
  }
  size_t start = c->hsw.len;
  if (tc_msg_write_client_key_exchange(&c->hsw, &cke) || tc12_transcript_added(c, start)) {
    tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ClientKeyExchange");
    goto out;
  }
  /* The EMS session hash covers the transcript up to ClientKeyExchange. */
  if (psk) {
    r = tc12_psk_master_secret(c, psk_key, psk_key_len, h->pms, h->pms_len);
  } else {
    r = cke.kx == TC_KX_RSA ? tc12_master_secret(c, pms, 48)
                            : tc12_master_secret(c, h->pms, h->pms_len);
  }
out:
  tc_wipe(pms, sizeof pms);
  free(epms);
  if (psk)
    tc_conn_psk_drop_key(&c->psk); /* the master secret is all that is needed now */
  return r;
}

tc_hs_state tc_client12_flight(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  uint16_t scheme = 0;
  if (hs->cert_requested) {
    scheme = client_cert_scheme(c);
    tc_certificate cm;
    memset(&cm, 0, sizeof cm);
    size_t n = scheme ? hs->my_n : 0;
    if (n > TC_MSG_MAX_CERTS)
      n = TC_MSG_MAX_CERTS;
    for (size_t i = 0; i < n; i++)
      cm.entries[i].cert.p = tc_cert_der(hs->my_chain[i], &cm.entries[i].cert.len);
    cm.n_entries = n;
    size_t start = c->hsw.len;
    if (tc_msg_write_certificate(&c->hsw, &cm) || tc12_transcript_added(c, start))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Certificate"), HS_FAILED;
  }
  if (write_client_key_exchange(c))
    return HS_FAILED;
  if (scheme && tc12_write_cert_verify(c, hs->my_key, c->version >= TC_TLS12 ? scheme : 0))
    return HS_FAILED;
  if (tc12_send_ccs(c) || tc12_write_finished(c))
    return HS_FAILED;
  return h->ticket ? HS_C12_WAIT_NST : HS_C12_WAIT_FINISHED;
}

/* ---- the server's last flight ---- */

static tc_hs_state on_new_session_ticket(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs12 *h = &c->hs->t12;
  tc_new_session_ticket nst;
  if (tc_msg_parse_new_session_ticket(body, len, c->version, &nst, &c->err))
    return HS_FAILED;
  if (nst.ticket.len && keep(c, &h->nst, &h->nst_len, nst.ticket.p, nst.ticket.len))
    return HS_FAILED;
  h->nst_lifetime = nst.lifetime;
  h->got_nst = true;
  return HS_C12_WAIT_FINISHED;
}

/* save_session's new session (a full handshake, or a resumption that
 * brought something new). Not inlined: a plain resumption keeps the
 * session it offered. */
static __attribute__((noinline)) void save_new_session(tc_conn *c, tc_session *old) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_session *s = tc_session_new();
  if (!s)
    return; /* not fatal: the connection works, it just cannot be resumed */
  s->version = c->version;
  s->suite = c->suite;
  memcpy(s->secret, c->c12.master, 48);
  s->secret_len = 48;
  s->ems = c->c12.ems;
  memcpy(s->session_id, hs->session_id, hs->session_id_len);
  s->session_id_len = hs->session_id_len;
  const uint8_t *t = h->nst_len ? h->nst : old && !h->got_nst ? old->ticket : NULL;
  size_t tl = h->nst_len ? h->nst_len : old && !h->got_nst ? old->ticket_len : 0;
  /* The lifetime hint is advisory (0: unspecified); sessions live at most a day here. */
  uint32_t life = h->got_nst && h->nst_lifetime ? h->nst_lifetime : 7200;
  s->lifetime = life < 86400 ? life : 86400;
  s->received = old && !h->got_nst ? old->received : tc_config_now(c->cfg);
  if (old && !h->got_nst)
    s->lifetime = old->lifetime;
  s->ticket = tl ? malloc(tl) : NULL;
  s->alpn = c->alpn ? strdup(c->alpn) : NULL;
  s->server_name = c->server_name ? strdup(c->server_name) : NULL;
  if ((tl && !s->ticket) || (c->alpn && !s->alpn) || (c->server_name && !s->server_name)) {
    tc_session_unref(s);
    return;
  }
  if (tl)
    memcpy(s->ticket, t, tl);
  s->ticket_len = tl;
  if (c->psk.identity &&
      tc_psk_copy(&s->psk_identity, &s->psk_identity_len, c->psk.identity, c->psk.id_len)) {
    tc_session_unref(s);
    return;
  }
  if (c->srp.name && tc12_suite_is_srp(h->suite) &&
      tc_psk_copy(&s->srp_user, &s->srp_user_len, c->srp.name, c->srp.name_len)) {
    tc_session_unref(s);
    return;
  }
  tc_session_unref(c->latest);
  c->latest = s;
  c->latest_is_offer = false;
}

static void save_session(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_session *old = h->resumed ? c->offer : NULL;
  bool ticket = h->nst_len || (old && old->ticket_len && !h->got_nst);
  if (!ticket && !hs->session_id_len)
    return;
  /* Resumed with nothing new (no NewSessionTicket, same names, the session
   * ID we offered or a ticket session): the session we offered stays the
   * one to offer next time, so keep it instead of building a copy. */
  if (old && !h->got_nst && same_str(old->alpn, c->alpn) && h->offer_same_name &&
      (old->ticket_len || (old->session_id_len == hs->session_id_len &&
                           !memcmp(old->session_id, hs->session_id, hs->session_id_len)))) {
    /* It is c->offer, which the connection holds until it is freed. */
    if (c->latest)
      tc_session_unref(c->latest);
    c->latest = NULL;
    c->latest_is_offer = true;
    return;
  }
  save_new_session(c, old);
}

static tc_hs_state on_server_finished(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs12 *h = &c->hs->t12;
  if (tc12_check_finished(c, msg, len))
    return HS_FAILED;
  if (h->resumed && (tc12_send_ccs(c) || tc12_write_finished(c)))
    return HS_FAILED;
  save_session(c);
  tc12_handshake_done(c);
  return HS_CONNECTED;
}

bool tc_client12_verify_first(tc_conn *c, uint8_t type) {
  if (c->state != HS_C12_WAIT_CERT_STATUS || !c->hs || !c->hs->t12.verify_deferred ||
      type == TC_HS_CERTIFICATE_STATUS)
    return false;
  /* The server acknowledged status_request but sent no CertificateStatus
   * (RFC 6066 §8 allows it): the caller decides without a staple. */
  c->hs->t12.verify_deferred = false;
  c->want = TC_WANT_VERIFY_PEER;
  return true;
}

TC_HOT tc_hs_state tc_client12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  const uint8_t *body = msg + 4;
  size_t blen = len - 4;
  tc_hs_state next = HS_FAILED;
  switch (c->state) {
  case HS_C12_WAIT_CERT:
    if (type == TC_HS_CERTIFICATE)
      next = on_certificate(c, body, blen);
    break;
  case HS_C12_WAIT_CERT_STATUS:
    /* The server may skip CertificateStatus although it acknowledged. */
    if (type == TC_HS_CERTIFICATE_STATUS) {
      next = on_cert_status(c, body, blen);
      if (next != HS_FAILED && c->hs->t12.staple_due)
        next = staple_missing(c);
      if (next != HS_FAILED && c->hs->t12.verify_deferred) {
        c->hs->t12.verify_deferred = false;
        c->want = TC_WANT_VERIFY_PEER;
      }
      break;
    }
    if (c->hs->t12.staple_due) {
      next = staple_missing(c);
      break;
    }
    c->state = c->hs->t12.suite->kx == TC_KX12_RSA ? HS_C12_WAIT_CR_SHD : HS_C12_WAIT_SKE;
    return tc_client12_handle(c, type, msg, len);
  case HS_C12_WAIT_SKE:
    if (type == TC_HS_SERVER_KEY_EXCHANGE)
      next = on_server_key_exchange(c, body, blen);
    /* Plain PSK: the ServerKeyExchange only carries a hint and may be left out. */
    else if (type == TC_HS_SERVER_HELLO_DONE && c->hs->t12.suite->kx == TC_KX12_PSK)
      next = on_server_hello_done(c, body, blen);
    break;
  case HS_C12_WAIT_CR_SHD:
    if (type == TC_HS_CERTIFICATE_REQUEST) {
      next = on_certificate_request(c, body, blen);
      break;
    }
    /* fall through */
  case HS_C12_WAIT_SHD:
    if (type == TC_HS_SERVER_HELLO_DONE)
      next = on_server_hello_done(c, body, blen);
    break;
  case HS_C12_WAIT_NST:
    if (type == TC_HS_NEW_SESSION_TICKET)
      next = on_new_session_ticket(c, body, blen);
    break;
  case HS_C12_WAIT_FINISHED:
    if (type == TC_HS_FINISHED)
      return on_server_finished(c, msg, len); /* adds to the transcript itself */
    break;
  default:
    break;
  }
  if (next != HS_FAILED) {
    tc12_transcript_add(c, msg, len);
    return next;
  }
  if (c->err.code != TC_ERR_NONE)
    return HS_FAILED;
  return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s in the handshake",
                      tc_msg_type_name(type)),
         HS_FAILED;
}

/* ---- after the handshake ---- */

bool tc12_reneg_allowed(const tc_conn *c) {
  /* RFC 5746 both ways, and never SSL 3.0 (no extensions to carry it safely). */
  return c->cfg->reneg == TC_RENEG_SECURE && c->c12.secure_reneg && c->version >= TC_TLS10 &&
         c->version < TC_TLS13 && c->handshake_done && !c->hs && !c->close_sent &&
         c->state == HS_CONNECTED;
}

int tc_client12_renegotiate(tc_conn *c) {
  uint16_t v = c->version;
  if (!(c->hs = calloc(1, sizeof *c->hs)))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  /* The new ClientHello goes out under the current keys; TLS 1.3 is not
   * offered again (c12.handshakes > 0) and the version must stay. */
  if (tc_client13_start(c) != TC_OK)
    return TC_FAIL;
  c->rec.wr_version = v;
  c->state = HS_C_WAIT_SH;
  return tc_hs_flush(c);
}

int tc_client12_hello_request(tc_conn *c, const uint8_t *body, size_t len) {
  if (tc_msg_parse_empty(TC_HS_HELLO_REQUEST, body, len, &c->err))
    return TC_FAIL;
  if (c->close_sent)
    return TC_OK;
  if (tc12_reneg_allowed(c))
    return tc_client12_renegotiate(c);
  /* Refused: a no_renegotiation warning (RFC 5246 §7.2.2), the connection goes on. */
  static const uint8_t a[2] = {1, ALERT_NO_RENEGOTIATION};
  return tc_rec_write(&c->rec, TC_CT_ALERT, a, 2, &c->err);
}
