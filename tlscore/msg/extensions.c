/* Hello and handshake extensions: parse an extension block into tc_exts per message context, and write it back. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tlscore/config.h"

#define BIT(b) (1u << (b))

/* Presence bit + 1 of each known extension type below 64 (0: unknown);
 * renegotiation_info (0xff01) is the only known type above. A table, not a
 * switch: the writer and parser look up every extension they touch. */
static const uint8_t small_bit[64] = {
    [TC_EXT_SERVER_NAME] = TC__XB_SERVER_NAME + 1,
    [TC_EXT_MAX_FRAGMENT_LENGTH] = TC__XB_MFL + 1,
    [TC_EXT_STATUS_REQUEST] = TC__XB_STATUS + 1,
    [TC_EXT_SUPPORTED_GROUPS] = TC__XB_GROUPS + 1,
    [TC_EXT_EC_POINT_FORMATS] = TC__XB_ECPF + 1,
    [TC_EXT_SRP] = TC__XB_SRP + 1,
    [TC_EXT_SIGNATURE_ALGORITHMS] = TC__XB_SIGALGS + 1,
    [TC_EXT_ALPN] = TC__XB_ALPN + 1,
    [TC_EXT_PADDING] = TC__XB_PADDING + 1,
    [TC_EXT_ENCRYPT_THEN_MAC] = TC__XB_ETM + 1,
    [TC_EXT_EXTENDED_MASTER_SECRET] = TC__XB_EMS + 1,
    [TC_EXT_RECORD_SIZE_LIMIT] = TC__XB_RSL + 1,
    [TC_EXT_SESSION_TICKET] = TC__XB_TICKET + 1,
    [TC_EXT_PRE_SHARED_KEY] = TC__XB_PSK + 1,
    [TC_EXT_EARLY_DATA] = TC__XB_EARLY + 1,
    [TC_EXT_SUPPORTED_VERSIONS] = TC__XB_VERSIONS + 1,
    [TC_EXT_COOKIE] = TC__XB_COOKIE + 1,
    [TC_EXT_PSK_KEY_EXCHANGE_MODES] = TC__XB_PSKMODES + 1,
    [TC_EXT_CERTIFICATE_AUTHORITIES] = TC__XB_CA + 1,
    [TC_EXT_OID_FILTERS] = TC__XB_OID + 1,
    [TC_EXT_POST_HANDSHAKE_AUTH] = TC__XB_PHA + 1,
    [TC_EXT_SIGNATURE_ALGORITHMS_CERT] = TC__XB_SIGALGS_CERT + 1,
    [TC_EXT_KEY_SHARE] = TC__XB_KEYSHARE + 1,
    [TC_EXT_COMPRESS_CERTIFICATE] = TC__XB_COMPRESS_CERT + 1,
};

static inline int ext_bit(uint16_t type) {
  if (type < sizeof small_bit)
    return (int)small_bit[type] - 1;
  return type == TC_EXT_RENEGOTIATION_INFO ? TC__XB_RENEG : -1;
}

static const char *ext_name(uint16_t type) {
  switch (type) {
  case TC_EXT_SERVER_NAME: return "server_name";
  case TC_EXT_MAX_FRAGMENT_LENGTH: return "max_fragment_length";
  case TC_EXT_STATUS_REQUEST: return "status_request";
  case TC_EXT_SUPPORTED_GROUPS: return "supported_groups";
  case TC_EXT_EC_POINT_FORMATS: return "ec_point_formats";
  case TC_EXT_SRP: return "srp";
  case TC_EXT_SIGNATURE_ALGORITHMS: return "signature_algorithms";
  case TC_EXT_ALPN: return "application_layer_protocol_negotiation";
  case TC_EXT_PADDING: return "padding";
  case TC_EXT_ENCRYPT_THEN_MAC: return "encrypt_then_mac";
  case TC_EXT_EXTENDED_MASTER_SECRET: return "extended_master_secret";
  case TC_EXT_RECORD_SIZE_LIMIT: return "record_size_limit";
  case TC_EXT_SESSION_TICKET: return "session_ticket";
  case TC_EXT_PRE_SHARED_KEY: return "pre_shared_key";
  case TC_EXT_EARLY_DATA: return "early_data";
  case TC_EXT_SUPPORTED_VERSIONS: return "supported_versions";
  case TC_EXT_COOKIE: return "cookie";
  case TC_EXT_PSK_KEY_EXCHANGE_MODES: return "psk_key_exchange_modes";
  case TC_EXT_CERTIFICATE_AUTHORITIES: return "certificate_authorities";
  case TC_EXT_OID_FILTERS: return "oid_filters";
  case TC_EXT_POST_HANDSHAKE_AUTH: return "post_handshake_auth";
  case TC_EXT_SIGNATURE_ALGORITHMS_CERT: return "signature_algorithms_cert";
  case TC_EXT_KEY_SHARE: return "key_share";
  case TC_EXT_RENEGOTIATION_INFO: return "renegotiation_info";
  case TC_EXT_COMPRESS_CERTIFICATE: return "compress_certificate";
  default: return "unknown";
  }
}

static const char *ctx_name(tc_ext_ctx ctx) {
  switch (ctx) {
  case TC_EXTCTX_CH: return "ClientHello";
  case TC_EXTCTX_SH: return "ServerHello";
  case TC_EXTCTX_HRR: return "HelloRetryRequest";
  case TC_EXTCTX_EE: return "EncryptedExtensions";
  case TC_EXTCTX_CR: return "CertificateRequest";
  case TC_EXTCTX_CT: return "Certificate entry";
  case TC_EXTCTX_NST: return "NewSessionTicket";
  }
  return "extensions";
}

/* Which known extensions each message may carry (RFC 8446 §4.2 table, plus
 * the TLS 1.2 ServerHello extensions; tc_msg_parse_server_hello narrows the
 * ServerHello set once it knows TLS 1.3 was selected). */
static uint32_t allowed_in(tc_ext_ctx ctx) {
  switch (ctx) {
  case TC_EXTCTX_CH:
    return (BIT(TC__XB_COUNT) - 1) & ~BIT(TC__XB_OID);
  case TC_EXTCTX_SH:
    return BIT(TC__XB_SERVER_NAME) | BIT(TC__XB_MFL) | BIT(TC__XB_STATUS) | BIT(TC__XB_ECPF) | BIT(TC__XB_ALPN) |
           BIT(TC__XB_ETM) | BIT(TC__XB_EMS) | BIT(TC__XB_RSL) | BIT(TC__XB_TICKET) | BIT(TC__XB_RENEG) |
           BIT(TC__XB_VERSIONS) | BIT(TC__XB_KEYSHARE) | BIT(TC__XB_PSK);
  case TC_EXTCTX_HRR:
    return BIT(TC__XB_KEYSHARE) | BIT(TC__XB_COOKIE) | BIT(TC__XB_VERSIONS);
  case TC_EXTCTX_EE:
    return BIT(TC__XB_SERVER_NAME) | BIT(TC__XB_MFL) | BIT(TC__XB_GROUPS) | BIT(TC__XB_ALPN) | BIT(TC__XB_EARLY) |
           BIT(TC__XB_RSL);
  case TC_EXTCTX_CR:
    return BIT(TC__XB_STATUS) | BIT(TC__XB_SIGALGS) | BIT(TC__XB_CA) | BIT(TC__XB_OID) | BIT(TC__XB_SIGALGS_CERT) |
           BIT(TC__XB_COMPRESS_CERT);
  case TC_EXTCTX_CT:
    return BIT(TC__XB_STATUS);
  case TC_EXTCTX_NST:
    return BIT(TC__XB_EARLY);
  }
  return 0;
}

uint32_t tc__ext_tls13_sh_mask(void) {
  return BIT(TC__XB_VERSIONS) | BIT(TC__XB_KEYSHARE) | BIT(TC__XB_PSK);
}

bool tc_ext_is_known(uint16_t type) { return ext_bit(type) >= 0; }

void tc_exts_reset(tc_exts *e) {
  /* In 64-byte pieces: gcc turns one 416-byte memset into `rep stos`, whose
   * start-up cost is most of the time for a block this small; pieces
   * become plain vector stores. */
  unsigned char *p = (unsigned char *)e;
  size_t n = offsetof(tc_exts, unknown);
  size_t i = 0;
  for (; i + 64 <= n; i += 64)
    memset(p + i, 0, 64);
  memset(p + i, 0, n - i);
}

bool tc__exts_has_unknown(const tc_exts *e, uint16_t type) {
  size_t n = e->n_unknown < TC_MSG_MAX_UNKNOWN_EXT ? e->n_unknown : TC_MSG_MAX_UNKNOWN_EXT;
  for (size_t i = 0; i < n; i++)
    if (e->unknown[i] == type)
      return true;
  return false;
}

bool tc_u16s_contains(tc_u16s l, uint16_t v) {
  for (size_t i = 0; i < l.n; i++)
    if (tc_u16s_at(l, i) == v)
      return true;
  return false;
}

bool tc_exts_find_key_share(const tc_exts *e, uint16_t group, tc_key_share_entry *out) {
  size_t n = e->n_key_shares < TC_MSG_MAX_KEY_SHARES ? e->n_key_shares : TC_MSG_MAX_KEY_SHARES;
  for (size_t i = 0; i < n; i++)
    if (e->key_shares[i].group == group) {
      *out = e->key_shares[i];
      return true;
    }
  if (e->n_key_shares <= TC_MSG_MAX_KEY_SHARES)
    return false;
  /* Shares past the stored ones: walk the raw list (already validated). */
  tc_reader list;
  tc_rd_init(&list, e->key_share_list.p, e->key_share_list.len);
  while (!tc_rd_empty(&list)) {
    tc_key_share_entry ks;
    tc_reader kx;
    if (!tc_rd_u16(&list, &ks.group) || !tc_rd_vec16(&list, &kx))
      return false;
    if (ks.group == group) {
      ks.key_exchange = (tc_bytes){kx.p, kx.len};
      *out = ks;
      return true;
    }
  }
  return false;
}

/* ---- parsing ---- */

/* Context for error messages: "<message>: <extension>: <what>". */
typedef struct pctx {
  tc_ext_ctx ctx;
  uint16_t type;
  tc_error *err;
} pctx;

#define DECODE(pc, what)                                                                   \
  tc_error_set((pc)->err, TC_ERR_DECODE_ERROR, "%s: %s: %s", ctx_name((pc)->ctx),          \
               ext_name((pc)->type), (what))
#define ILLEGAL(pc, what)                                                                  \
  tc_error_set((pc)->err, TC_ERR_ILLEGAL_PARAMETER, "%s: %s: %s", ctx_name((pc)->ctx),     \
               ext_name((pc)->type), (what))

static bool is_client_form(tc_ext_ctx ctx) { return ctx == TC_EXTCTX_CH; }

/* A non-empty list of u16 values inside a 2-byte length prefix. */
static bool rd_u16_list16(tc_reader *r, tc_u16s *out) {
  tc_reader sub;
  if (!tc_rd_vec16(r, &sub) || sub.len == 0 || sub.len % 2)
    return false;
  out->p = sub.p;
  out->n = sub.len / 2;
  return true;
}

static bool rd_vec8_bytes(tc_reader *r, tc_bytes *out, size_t min) {
  tc_reader sub;
  if (!tc_rd_vec8(r, &sub) || sub.len < min)
    return false;
  out->p = sub.p;
  out->len = sub.len;
  return true;
}

static bool rd_vec16_bytes(tc_reader *r, tc_bytes *out, size_t min) {
  tc_reader sub;
  if (!tc_rd_vec16(r, &sub) || sub.len < min)
    return false;
  out->p = sub.p;
  out->len = sub.len;
  return true;
}

static bool rd_rest(tc_reader *r, tc_bytes *out) {
  out->p = r->p;
  out->len = r->len;
  return tc_rd_skip(r, r->len);
}

/* The bytes of an RFC 6066 host name: letters, digits, '-' and '.' (the
 * ClientHello's server_name, here and in client_hello12.c). */
const uint8_t tc__ldh[256] = {
    ['-'] = 1, ['.'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1};

static int p_server_name(tc_reader *b, tc_exts *e, pctx *pc) {
  if (!is_client_form(pc->ctx))
    return TC_OK; /* server's acknowledgement is empty; emptiness checked by caller */
  tc_reader list;
  if (!tc_rd_vec16(b, &list) || list.len == 0)
    return DECODE(pc, "bad server name list");
  /* RFC 6066 §3: an ASCII DNS host name. Only letters, digits, '-' and
   * '.' (LDH labels) pass: control bytes, escapes, UTF-8 and NUL never
   * reach the application or a log. One table look-up per byte (tc__ldh). */
  uint8_t seen[32] = {0};
  while (!tc_rd_empty(&list)) {
    uint8_t t;
    tc_bytes name;
    if (!tc_rd_u8(&list, &t) || !rd_vec16_bytes(&list, &name, 1))
      return DECODE(pc, "bad server name entry");
    if (seen[t / 8] & (1u << (t % 8)))
      return ILLEGAL(pc, "more than one name of the same type");
    seen[t / 8] |= (uint8_t)(1u << (t % 8));
    if (t == 0) {
      for (size_t i = 0; i < name.len; i++) {
        uint8_t ch = name.p[i];
        if (!tc__ldh[ch])
          return ILLEGAL(pc, ch == 0 ? "host name contains a NUL byte"
                                     : "host name has a character other than letters, "
                                       "digits, '-' and '.'");
      }
      e->server_name = name;
    }
  }
  /* No other name type is defined (RFC 6066 §3); a list without a host name
   * carries nothing we could act on, and our writer could not reproduce it. */
  if (e->server_name.len == 0)
    return ILLEGAL(pc, "no host_name entry");
  return TC_OK;
}

static int p_status(tc_reader *b, tc_exts *e, pctx *pc) {
  if (pc->ctx == TC_EXTCTX_SH)
    return TC_OK; /* TLS 1.2 acknowledgement: empty */
  /* RFC 8446 §4.4.2.1: a TLS 1.3 server asks for the client's OCSP response
   * with an EMPTY status_request in CertificateRequest (gnutls does this);
   * status_type stays 0. The ClientHello form is accepted there too. */
  if (pc->ctx == TC_EXTCTX_CR && tc_rd_empty(b))
    return TC_OK;
  if (!tc_rd_u8(b, &e->status_type))
    return DECODE(pc, "truncated");
  if (pc->ctx == TC_EXTCTX_CT) {
    if (e->status_type != TC_STATUS_TYPE_OCSP)
      return ILLEGAL(pc, "unknown status type");
    tc_reader resp;
    if (!tc_rd_vec24(b, &resp) || resp.len == 0)
      return DECODE(pc, "bad OCSP response length");
    e->ocsp_response.p = resp.p;
    e->ocsp_response.len = resp.len;
    return TC_OK;
  }
  if (e->status_type != TC_STATUS_TYPE_OCSP) {
    /* Unknown request types are ignored (RFC 6066 §8); skip their body. */
    tc_bytes rest;
    rd_rest(b, &rest);
    return TC_OK;
  }
  if (!rd_vec16_bytes(b, &e->status_responder_ids, 0) ||
      !rd_vec16_bytes(b, &e->status_request_exts, 0))
    return DECODE(pc, "bad OCSP status request");
  return TC_OK;
}

static int p_alpn(tc_reader *b, tc_exts *e, pctx *pc) {
  tc_reader list;
  if (!tc_rd_vec16(b, &list) || list.len == 0)
    return DECODE(pc, "bad protocol name list");
  e->alpn_list = (tc_bytes){list.p, list.len};
  /* Any number of names: the first TC_MSG_MAX_ALPN are kept, the rest only
   * checked and counted (selection walks alpn_list). */
  while (!tc_rd_empty(&list)) {
    tc_bytes name;
    if (!rd_vec8_bytes(&list, &name, 1))
      return DECODE(pc, "bad protocol name");
    if (e->n_alpn < TC_MSG_MAX_ALPN)
      e->alpn[e->n_alpn] = name;
    e->n_alpn++;
  }
  if (!is_client_form(pc->ctx) && e->n_alpn != 1)
    return ILLEGAL(pc, "server must select exactly one protocol");
  return TC_OK;
}

static int p_psk(tc_reader *b, const uint8_t *block, tc_exts *e, pctx *pc) {
  if (!is_client_form(pc->ctx)) {
    if (!tc_rd_u16(b, &e->psk_selected))
      return DECODE(pc, "truncated");
    return TC_OK;
  }
  tc_reader ids, binders;
  if (!tc_rd_vec16(b, &ids) || ids.len == 0)
    return DECODE(pc, "bad identity list");
  while (!tc_rd_empty(&ids)) {
    tc_psk_identity id;
    if (!rd_vec16_bytes(&ids, &id.identity, 1) || !tc_rd_u32(&ids, &id.obfuscated_ticket_age))
      return DECODE(pc, "bad identity");
    if (e->n_psk_identities == TC_MSG_MAX_PSKS)
      return ILLEGAL(pc, "too many identities");
    e->psk_identities[e->n_psk_identities++] = id;
  }
  e->psk_binders_offset = (size_t)(b->p - block);
  if (!tc_rd_vec16(b, &binders) || binders.len == 0)
    return DECODE(pc, "bad binder list");
  while (!tc_rd_empty(&binders)) {
    tc_bytes bd;
    if (!rd_vec8_bytes(&binders, &bd, 32))
      return DECODE(pc, "bad binder");
    if (e->n_psk_binders == TC_MSG_MAX_PSKS)
      return ILLEGAL(pc, "too many binders");
    e->psk_binders[e->n_psk_binders++] = bd;
  }
  if (e->n_psk_binders != e->n_psk_identities)
    return ILLEGAL(pc, "number of binders does not match identities");
  return TC_OK;
}

static int p_key_share(tc_reader *b, tc_exts *e, pctx *pc) {
  if (pc->ctx == TC_EXTCTX_HRR) {
    if (!tc_rd_u16(b, &e->hrr_group))
      return DECODE(pc, "truncated");
    return TC_OK;
  }
  if (pc->ctx == TC_EXTCTX_SH) {
    if (!tc_rd_u16(b, &e->server_share.group) ||
        !rd_vec16_bytes(b, &e->server_share.key_exchange, 1))
      return DECODE(pc, "bad server share");
    return TC_OK;
  }
  tc_reader list;
  if (!tc_rd_vec16(b, &list))
    return DECODE(pc, "bad client share list");
  e->key_share_list = (tc_bytes){list.p, list.len};
  /* Any number of shares (RFC 8446 §4.2.8 sets no limit): the first
   * TC_MSG_MAX_KEY_SHARES are kept, the rest checked and counted. A group
   * offered twice among the kept ones is illegal_parameter (the RFC lets a
   * server check this; checking every pair would cost quadratic time). */
  while (!tc_rd_empty(&list)) {
    tc_key_share_entry ks;
    if (!tc_rd_u16(&list, &ks.group) || !rd_vec16_bytes(&list, &ks.key_exchange, 0))
      return DECODE(pc, "bad client share");
    /* key_exchange<1..2^16-1>: an empty share is a public value of the
     * wrong length, refused like any other (as GnuTLS and tlslite-ng do). */
    if (ks.key_exchange.len == 0)
      return ILLEGAL(pc, "empty key share");
    size_t kept = e->n_key_shares < TC_MSG_MAX_KEY_SHARES ? e->n_key_shares
                                                          : TC_MSG_MAX_KEY_SHARES;
    for (size_t i = 0; i < kept; i++)
      if (e->key_shares[i].group == ks.group)
        return ILLEGAL(pc, "duplicate group");
    if (e->n_key_shares < TC_MSG_MAX_KEY_SHARES)
      e->key_shares[e->n_key_shares] = ks;
    e->n_key_shares++;
  }
  return TC_OK;
}

static int p_authorities(tc_reader *b, tc_bytes *raw, size_t *count, size_t min, pctx *pc) {
  tc_reader list;
  if (!tc_rd_vec16(b, &list) || list.len < min)
    return DECODE(pc, "bad authority list");
  raw->p = list.p;
  raw->len = list.len;
  *count = 0;
  while (!tc_rd_empty(&list)) {
    tc_bytes dn;
    if (!rd_vec16_bytes(&list, &dn, 1))
      return DECODE(pc, "bad distinguished name");
    (*count)++;
  }
  return TC_OK;
}

static int p_oid_filters(tc_reader *b, tc_exts *e, pctx *pc) {
  tc_reader list;
  if (!tc_rd_vec16(b, &list))
    return DECODE(pc, "bad filter list");
  e->oid_filters.p = list.p;
  e->oid_filters.len = list.len;
  while (!tc_rd_empty(&list)) {
    tc_bytes oid, vals;
    if (!rd_vec8_bytes(&list, &oid, 1) || !rd_vec16_bytes(&list, &vals, 0))
      return DECODE(pc, "bad filter");
  }
  return TC_OK;
}

/* Parse one extension's body `b` of type pc->type into e. */
static int parse_one(tc_reader *b, const uint8_t *block, tc_exts *e, pctx *pc) {
  tc_ext_ctx ctx = pc->ctx;
  switch (pc->type) {
  case TC_EXT_SERVER_NAME:
    return p_server_name(b, e, pc);
  case TC_EXT_MAX_FRAGMENT_LENGTH:
    if (!tc_rd_u8(b, &e->max_fragment_length))
      return DECODE(pc, "truncated");
    if (e->max_fragment_length < 1 || e->max_fragment_length > 4)
      return ILLEGAL(pc, "unknown length code");
    return TC_OK;
  case TC_EXT_STATUS_REQUEST:
    return p_status(b, e, pc);
  case TC_EXT_SUPPORTED_GROUPS:
    if (!rd_u16_list16(b, &e->groups))
      return DECODE(pc, "bad group list");
    return TC_OK;
  case TC_EXT_EC_POINT_FORMATS:
    if (!rd_vec8_bytes(b, &e->ec_point_formats, 1))
      return DECODE(pc, "bad format list");
    return TC_OK;
  case TC_EXT_SRP:
    if (!rd_vec8_bytes(b, &e->srp_identity, 1))
      return DECODE(pc, "bad SRP identity");
    return TC_OK;
  case TC_EXT_SIGNATURE_ALGORITHMS:
    if (!rd_u16_list16(b, &e->sig_algs))
      return DECODE(pc, "bad scheme list");
    return TC_OK;
  case TC_EXT_SIGNATURE_ALGORITHMS_CERT:
    if (!rd_u16_list16(b, &e->sig_algs_cert))
      return DECODE(pc, "bad scheme list");
    return TC_OK;
  case TC_EXT_ALPN:
    return p_alpn(b, e, pc);
  case TC_EXT_PADDING: {
    tc_bytes pad;
    rd_rest(b, &pad);
    e->padding_len = pad.len;
    return TC_OK;
  }
  case TC_EXT_ENCRYPT_THEN_MAC:
  case TC_EXT_EXTENDED_MASTER_SECRET:
  case TC_EXT_POST_HANDSHAKE_AUTH:
    return TC_OK; /* empty bodies; checked by caller */
  case TC_EXT_RECORD_SIZE_LIMIT:
    if (!tc_rd_u16(b, &e->record_size_limit))
      return DECODE(pc, "truncated");
    if (e->record_size_limit < 64)
      return ILLEGAL(pc, "limit below 64");
    return TC_OK;
  case TC_EXT_SESSION_TICKET:
    if (ctx == TC_EXTCTX_CH)
      rd_rest(b, &e->session_ticket);
    return TC_OK;
  case TC_EXT_PRE_SHARED_KEY:
    return p_psk(b, block, e, pc);
  case TC_EXT_EARLY_DATA:
    if (ctx == TC_EXTCTX_NST && !tc_rd_u32(b, &e->max_early_data_size))
      return DECODE(pc, "truncated");
    return TC_OK;
  case TC_EXT_SUPPORTED_VERSIONS:
    if (ctx == TC_EXTCTX_CH) {
      tc_reader list;
      if (!tc_rd_vec8(b, &list) || list.len < 2 || list.len % 2)
        return DECODE(pc, "bad version list");
      e->versions.p = list.p;
      e->versions.n = list.len / 2;
    } else if (!tc_rd_u16(b, &e->selected_version)) {
      return DECODE(pc, "truncated");
    }
    return TC_OK;
  case TC_EXT_COOKIE:
    if (!rd_vec16_bytes(b, &e->cookie, 1))
      return DECODE(pc, "bad cookie");
    return TC_OK;
  case TC_EXT_PSK_KEY_EXCHANGE_MODES:
    if (!rd_vec8_bytes(b, &e->psk_modes, 1))
      return DECODE(pc, "bad mode list");
    return TC_OK;
  case TC_EXT_CERTIFICATE_AUTHORITIES:
    return p_authorities(b, &e->certificate_authorities, &e->n_certificate_authorities, 3, pc);
  case TC_EXT_OID_FILTERS:
    return p_oid_filters(b, e, pc);
  case TC_EXT_KEY_SHARE:
    return p_key_share(b, e, pc);
  case TC_EXT_COMPRESS_CERTIFICATE: {
    /* CertificateCompressionAlgorithm algorithms<2..2^8-2> (RFC 8879 §3) */
    tc_reader list;
    if (!tc_rd_vec8(b, &list) || list.len < 2 || list.len % 2)
      return DECODE(pc, "bad algorithm list");
    e->cert_compression.p = list.p;
    e->cert_compression.n = list.len / 2;
    return TC_OK;
  }
  case TC_EXT_RENEGOTIATION_INFO:
    if (!rd_vec8_bytes(b, &e->renegotiation_info, 0))
      return DECODE(pc, "bad renegotiated_connection");
    return TC_OK;
  default:
    return TC_OK;
  }
}

/* Records an unknown extension type, refusing a duplicate. The first
 * TC_MSG_MAX_UNKNOWN_EXT go into e->unknown; past them a bitmap of every
 * type seen (*seen, allocated on first need, freed by the caller) keeps
 * the duplicate check linear whatever the count. */
static int note_unknown(tc_exts *e, uint16_t type, uint8_t **seen, tc_ext_ctx ctx,
                        tc_error *err) {
  if (!*seen) {
    for (size_t i = 0; i < e->n_unknown; i++)
      if (e->unknown[i] == type)
        return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "%s: duplicate extension %u",
                            ctx_name(ctx), type);
    if (e->n_unknown < TC_MSG_MAX_UNKNOWN_EXT) {
      e->unknown[e->n_unknown++] = type;
      return TC_OK;
    }
    *seen = calloc(65536 / 8, 1);
    if (!*seen)
      return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < TC_MSG_MAX_UNKNOWN_EXT; i++)
      (*seen)[e->unknown[i] >> 3] |= (uint8_t)(1u << (e->unknown[i] & 7));
  }
  uint8_t *s = *seen;
  if (s[type >> 3] & (1u << (type & 7)))
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "%s: duplicate extension %u",
                        ctx_name(ctx), type);
  s[type >> 3] |= (uint8_t)(1u << (type & 7));
  e->n_unknown++;
  return TC_OK;
}

static int parse_block(const uint8_t *data, size_t len, tc_ext_ctx ctx, tc_exts *out,
                       uint8_t **seen, tc_error *err) {
  uint32_t allowed = allowed_in(ctx);
  tc_reader r;
  tc_rd_init(&r, data, len);
  while (!tc_rd_empty(&r)) {
    uint16_t type;
    tc_reader body;
    if (!tc_rd_u16(&r, &type) || !tc_rd_vec16(&r, &body))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s: truncated extension", ctx_name(ctx));
    if (ctx == TC_EXTCTX_CH && (out->present & BIT(TC__XB_PSK)))
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                          "ClientHello: pre_shared_key is not the last extension");
    int bit = ext_bit(type);
    if (bit < 0) {
      if (note_unknown(out, type, seen, ctx, err) != TC_OK)
        return TC_FAIL;
      continue;
    }
    if (out->present & BIT(bit))
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "%s: duplicate %s extension",
                          ctx_name(ctx), ext_name(type));
    if (!(allowed & BIT(bit)))
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "%s: %s extension not allowed here",
                          ctx_name(ctx), ext_name(type));
    out->present |= BIT(bit);
    pctx pc = {ctx, type, err};
    if (parse_one(&body, data, out, &pc) != TC_OK)
      return TC_FAIL;
    if (!tc_rd_empty(&body))
      return DECODE(&pc, "trailing bytes");
  }
  return TC_OK;
}

int tc_msg_parse_extensions(const uint8_t *data, size_t len, tc_ext_ctx ctx, tc_exts *out,
                            tc_error *err) {
  tc_exts_reset(out);
  return tc__parse_ext_block(data, len, ctx, out, err);
}

int tc__parse_ext_block(const uint8_t *data, size_t len, tc_ext_ctx ctx, tc_exts *out,
                        tc_error *err) {
  uint8_t *seen = NULL;
  int r = parse_block(data, len, ctx, out, &seen, err);
  if (seen) /* only with unknown extensions: no call for nothing per message */
    free(seen);
  return r;
}

/* ---- writing ---- */

static void w_u16_list(tc_writer *w, tc_u16s l, bool len8) {
  tc_wr_mark m = len8 ? tc_wr_begin_vec8(w) : tc_wr_begin_vec16(w);
  tc_wr_bytes(w, l.p, 2 * l.n);
  tc_wr_end_vec(w, m);
}

static void w_body(tc_writer *w, tc_ext_ctx ctx, uint16_t type, const tc_exts *e,
                   size_t *binders_pos) {
  bool client = ctx == TC_EXTCTX_CH;
  switch (type) {
  case TC_EXT_SERVER_NAME:
    if (client) {
      tc_wr_mark m = tc_wr_begin_vec16(w);
      tc_wr_u8(w, 0);
      tc_wr_vec16(w, e->server_name.p, e->server_name.len);
      tc_wr_end_vec(w, m);
    }
    break;
  case TC_EXT_MAX_FRAGMENT_LENGTH:
    tc_wr_u8(w, e->max_fragment_length);
    break;
  case TC_EXT_STATUS_REQUEST:
    if (ctx == TC_EXTCTX_SH || (ctx == TC_EXTCTX_CR && e->status_type == 0))
      break; /* empty forms */
    tc_wr_u8(w, e->status_type);
    if (ctx == TC_EXTCTX_CT) {
      tc_wr_vec24(w, e->ocsp_response.p, e->ocsp_response.len);
    } else {
      tc_wr_vec16(w, e->status_responder_ids.p, e->status_responder_ids.len);
      tc_wr_vec16(w, e->status_request_exts.p, e->status_request_exts.len);
    }
    break;
  case TC_EXT_SUPPORTED_GROUPS:
    w_u16_list(w, e->groups, false);
    break;
  case TC_EXT_EC_POINT_FORMATS:
    tc_wr_vec8(w, e->ec_point_formats.p, e->ec_point_formats.len);
    break;
  case TC_EXT_SRP:
    tc_wr_vec8(w, e->srp_identity.p, e->srp_identity.len);
    break;
  case TC_EXT_SIGNATURE_ALGORITHMS:
    w_u16_list(w, e->sig_algs, false);
    break;
  case TC_EXT_SIGNATURE_ALGORITHMS_CERT:
    w_u16_list(w, e->sig_algs_cert, false);
    break;
  case TC_EXT_ALPN: {
    if (e->n_alpn > TC_MSG_MAX_ALPN || (!client && e->n_alpn != 1)) {
      tc_wr_fail(w);
      break;
    }
    tc_wr_mark m = tc_wr_begin_vec16(w);
    for (size_t i = 0; i < e->n_alpn; i++)
      tc_wr_vec8(w, e->alpn[i].p, e->alpn[i].len);
    tc_wr_end_vec(w, m);
    break;
  }
  case TC_EXT_PADDING:
    tc_wr_zeros(w, e->padding_len);
    break;
  case TC_EXT_RECORD_SIZE_LIMIT:
    tc_wr_u16(w, e->record_size_limit);
    break;
  case TC_EXT_SESSION_TICKET:
    tc_wr_bytes(w, e->session_ticket.p, e->session_ticket.len);
    break;
  case TC_EXT_PRE_SHARED_KEY:
    if (!client) {
      tc_wr_u16(w, e->psk_selected);
      break;
    }
    if (e->n_psk_identities > TC_MSG_MAX_PSKS || e->n_psk_binders != e->n_psk_identities) {
      tc_wr_fail(w);
      break;
    }
    {
      tc_wr_mark m = tc_wr_begin_vec16(w);
      for (size_t i = 0; i < e->n_psk_identities; i++) {
        tc_wr_vec16(w, e->psk_identities[i].identity.p, e->psk_identities[i].identity.len);
        tc_wr_u32(w, e->psk_identities[i].obfuscated_ticket_age);
      }
      tc_wr_end_vec(w, m);
      if (binders_pos)
        *binders_pos = tc_wr_len(w);
      m = tc_wr_begin_vec16(w);
      for (size_t i = 0; i < e->n_psk_binders; i++) {
        tc_wr_mark b = tc_wr_begin_vec8(w);
        if (e->psk_binders[i].p)
          tc_wr_bytes(w, e->psk_binders[i].p, e->psk_binders[i].len);
        else
          tc_wr_zeros(w, e->psk_binders[i].len);
        tc_wr_end_vec(w, b);
      }
      tc_wr_end_vec(w, m);
    }
    break;
  case TC_EXT_EARLY_DATA:
    if (ctx == TC_EXTCTX_NST)
      tc_wr_u32(w, e->max_early_data_size);
    break;
  case TC_EXT_SUPPORTED_VERSIONS:
    if (client)
      w_u16_list(w, e->versions, true);
    else
      tc_wr_u16(w, e->selected_version);
    break;
  case TC_EXT_COOKIE:
    tc_wr_vec16(w, e->cookie.p, e->cookie.len);
    break;
  case TC_EXT_PSK_KEY_EXCHANGE_MODES:
    tc_wr_vec8(w, e->psk_modes.p, e->psk_modes.len);
    break;
  case TC_EXT_CERTIFICATE_AUTHORITIES:
    tc_wr_vec16(w, e->certificate_authorities.p, e->certificate_authorities.len);
    break;
  case TC_EXT_OID_FILTERS:
    tc_wr_vec16(w, e->oid_filters.p, e->oid_filters.len);
    break;
  case TC_EXT_KEY_SHARE:
    if (ctx == TC_EXTCTX_HRR) {
      tc_wr_u16(w, e->hrr_group);
    } else if (ctx == TC_EXTCTX_SH) {
      tc_wr_u16(w, e->server_share.group);
      tc_wr_vec16(w, e->server_share.key_exchange.p, e->server_share.key_exchange.len);
    } else {
      if (e->n_key_shares > TC_MSG_MAX_KEY_SHARES) {
        tc_wr_fail(w);
        break;
      }
      tc_wr_mark m = tc_wr_begin_vec16(w);
      for (size_t i = 0; i < e->n_key_shares; i++) {
        tc_wr_u16(w, e->key_shares[i].group);
        tc_wr_vec16(w, e->key_shares[i].key_exchange.p, e->key_shares[i].key_exchange.len);
      }
      tc_wr_end_vec(w, m);
    }
    break;
  case TC_EXT_RENEGOTIATION_INFO:
    tc_wr_vec8(w, e->renegotiation_info.p, e->renegotiation_info.len);
    break;
  case TC_EXT_COMPRESS_CERTIFICATE:
    w_u16_list(w, e->cert_compression, true);
    break;
  default: /* EMS, ETM, post_handshake_auth: empty */
    break;
  }
}

/* Emission order per message: NSS's, so that our messages reproduce the
 * RFC 8448 traces byte for byte. In a ClientHello, padding comes next to
 * last and pre_shared_key last (RFC 8446 §4.2.11); raw_extra goes just
 * before pre_shared_key. Known extensions missing from a message's list
 * follow in ext_fallback_order (the peer will reject them; we still write
 * what the caller asked for). */
static const uint16_t order_ch[] = {
    TC_EXT_SERVER_NAME, TC_EXT_EXTENDED_MASTER_SECRET, TC_EXT_RENEGOTIATION_INFO,
    TC_EXT_SUPPORTED_GROUPS, TC_EXT_EC_POINT_FORMATS, TC_EXT_SESSION_TICKET, TC_EXT_ALPN,
    TC_EXT_STATUS_REQUEST, TC_EXT_KEY_SHARE, TC_EXT_EARLY_DATA, TC_EXT_SUPPORTED_VERSIONS,
    TC_EXT_SIGNATURE_ALGORITHMS, TC_EXT_COOKIE, TC_EXT_PSK_KEY_EXCHANGE_MODES,
    TC_EXT_POST_HANDSHAKE_AUTH, TC_EXT_RECORD_SIZE_LIMIT, TC_EXT_MAX_FRAGMENT_LENGTH, TC_EXT_SRP,
    TC_EXT_ENCRYPT_THEN_MAC, TC_EXT_SIGNATURE_ALGORITHMS_CERT, TC_EXT_CERTIFICATE_AUTHORITIES,
    TC_EXT_COMPRESS_CERTIFICATE, TC_EXT_PADDING};
static const uint16_t order_sh[] = {
    TC_EXT_PRE_SHARED_KEY, TC_EXT_KEY_SHARE, TC_EXT_SUPPORTED_VERSIONS, TC_EXT_SERVER_NAME,
    TC_EXT_EXTENDED_MASTER_SECRET, TC_EXT_RENEGOTIATION_INFO, TC_EXT_EC_POINT_FORMATS,
    TC_EXT_SESSION_TICKET, TC_EXT_ALPN, TC_EXT_STATUS_REQUEST, TC_EXT_ENCRYPT_THEN_MAC,
    TC_EXT_RECORD_SIZE_LIMIT, TC_EXT_MAX_FRAGMENT_LENGTH};
static const uint16_t order_hrr[] = {TC_EXT_KEY_SHARE, TC_EXT_COOKIE, TC_EXT_SUPPORTED_VERSIONS};
static const uint16_t order_ee[] = {TC_EXT_SUPPORTED_GROUPS, TC_EXT_RECORD_SIZE_LIMIT,
                                    TC_EXT_SERVER_NAME,      TC_EXT_EARLY_DATA,
                                    TC_EXT_ALPN,             TC_EXT_MAX_FRAGMENT_LENGTH};
static const uint16_t order_cr[] = {TC_EXT_SIGNATURE_ALGORITHMS, TC_EXT_SIGNATURE_ALGORITHMS_CERT,
                                    TC_EXT_CERTIFICATE_AUTHORITIES, TC_EXT_STATUS_REQUEST,
                                    TC_EXT_OID_FILTERS, TC_EXT_COMPRESS_CERTIFICATE};
static const uint16_t order_other[] = {TC_EXT_STATUS_REQUEST, TC_EXT_EARLY_DATA};
static const uint16_t ext_fallback_order[] = {
    TC_EXT_SERVER_NAME, TC_EXT_MAX_FRAGMENT_LENGTH, TC_EXT_STATUS_REQUEST,
    TC_EXT_SUPPORTED_GROUPS, TC_EXT_EC_POINT_FORMATS, TC_EXT_SRP, TC_EXT_SIGNATURE_ALGORITHMS,
    TC_EXT_ALPN, TC_EXT_ENCRYPT_THEN_MAC, TC_EXT_EXTENDED_MASTER_SECRET, TC_EXT_RECORD_SIZE_LIMIT,
    TC_EXT_SESSION_TICKET, TC_EXT_SUPPORTED_VERSIONS, TC_EXT_COOKIE, TC_EXT_PSK_KEY_EXCHANGE_MODES,
    TC_EXT_CERTIFICATE_AUTHORITIES, TC_EXT_OID_FILTERS, TC_EXT_POST_HANDSHAKE_AUTH,
    TC_EXT_SIGNATURE_ALGORITHMS_CERT, TC_EXT_KEY_SHARE, TC_EXT_EARLY_DATA,
    TC_EXT_RENEGOTIATION_INFO, TC_EXT_COMPRESS_CERTIFICATE, TC_EXT_PADDING, TC_EXT_PRE_SHARED_KEY};

typedef struct ext_order {
  const uint16_t *types;
  size_t n;
} ext_order;

#define ORDER(a) ((ext_order){(a), sizeof(a) / sizeof((a)[0])})

static ext_order order_for(tc_ext_ctx ctx) {
  switch (ctx) {
  case TC_EXTCTX_CH: return ORDER(order_ch);
  case TC_EXTCTX_SH: return ORDER(order_sh);
  case TC_EXTCTX_HRR: return ORDER(order_hrr);
  case TC_EXTCTX_EE: return ORDER(order_ee);
  case TC_EXTCTX_CR: return ORDER(order_cr);
  default: return ORDER(order_other);
  }
}

static void write_one(tc_writer *w, tc_ext_ctx ctx, uint16_t type, const tc_exts *e,
                      size_t *binders_pos) {
  /* Type and (placeholder) length in one reservation. */
  uint8_t *h = tc__wr_room(w, 4);
  if (!h)
    return;
  h[0] = (uint8_t)(type >> 8);
  h[1] = (uint8_t)type;
  h[2] = h[3] = 0;
  tc_wr_mark m = {w->len - 2, 2};
  w_body(w, ctx, type, e, binders_pos);
  tc_wr_end_vec(w, m);
}

/* Write, in the order of `o`, each extension whose bit is still in *todo;
 * stops as soon as nothing is left to write. Pre-encoded ones (e->pre) are
 * copied, neighbours in one piece. */
static void write_in_order(tc_writer *w, tc_ext_ctx ctx, ext_order o, const tc_exts *e,
                           size_t *binders_pos, uint32_t *todo) {
  const tc_ext_preenc *pre = e->pre;
  size_t run = 0, run_end = 0; /* pending bytes of pre->bytes */
  for (size_t i = 0; i < o.n && *todo; i++) {
    int b = ext_bit(o.types[i]);
    uint32_t bit = BIT(b);
    if (!(*todo & bit))
      continue;
    *todo &= ~bit;
    if (pre && (pre->mask & bit)) {
      if (pre->off[b] != run_end) {
        tc_wr_bytes(w, pre->bytes + run, run_end - run);
        run = pre->off[b];
      }
      run_end = pre->end[b];
      continue;
    }
    tc_wr_bytes(w, pre ? pre->bytes + run : NULL, run_end - run);
    run = run_end = 0;
    write_one(w, ctx, o.types[i], e, binders_pos);
  }
  if (run_end > run)
    tc_wr_bytes(w, pre->bytes + run, run_end - run);
}

int tc_exts_preencode(tc_ext_ctx ctx, const tc_exts *e, tc_ext_preenc *out) {
  uint32_t never = BIT(TC__XB_PSK) | BIT(TC__XB_PADDING);
  if ((e->present & never) || e->raw_extra.len || e->pre)
    return TC_FAIL;
  tc_writer w;
  tc_wr_init_fixed(&w, out->bytes, sizeof out->bytes);
  out->mask = 0;
  uint32_t todo = e->present & (BIT(TC__XB_COUNT) - 1);
  ext_order orders[2] = {order_for(ctx), ORDER(ext_fallback_order)};
  for (size_t k = 0; k < 2; k++)
    for (size_t i = 0; i < orders[k].n && todo; i++) {
      int b = ext_bit(orders[k].types[i]);
      if (!(todo & BIT(b)))
        continue;
      todo &= ~BIT(b);
      out->off[b] = (uint16_t)tc_wr_len(&w);
      write_one(&w, ctx, orders[k].types[i], e, NULL);
      out->end[b] = (uint16_t)tc_wr_len(&w);
      out->mask |= BIT(b);
    }
  out->len = tc_wr_len(&w);
  return tc_wr_ok(&w) ? TC_OK : TC_FAIL;
}

void tc__write_ext_block(tc_writer *w, tc_ext_ctx ctx, const tc_exts *e, size_t *binders_pos) {
  if (binders_pos)
    *binders_pos = 0;
  uint32_t todo = e->present & (BIT(TC__XB_COUNT) - 1);
  if (ctx == TC_EXTCTX_CH)
    todo &= ~BIT(TC__XB_PSK); /* held back: it must be last */
  tc_wr_mark block = tc_wr_begin_vec16(w);
  write_in_order(w, ctx, order_for(ctx), e, binders_pos, &todo);
  write_in_order(w, ctx, ORDER(ext_fallback_order), e, binders_pos, &todo);
  tc_wr_bytes(w, e->raw_extra.p, e->raw_extra.len);
  if (ctx == TC_EXTCTX_CH && (e->present & BIT(TC__XB_PSK)))
    write_one(w, ctx, TC_EXT_PRE_SHARED_KEY, e, binders_pos);
  tc_wr_end_vec(w, block);
}

int tc_msg_write_extensions(tc_writer *w, tc_ext_ctx ctx, const tc_exts *in) {
  tc__write_ext_block(w, ctx, in, NULL);
  return tc_wr_ok(w) ? TC_OK : TC_FAIL;
}
