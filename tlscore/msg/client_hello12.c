/* The brief parse of a ClientHello: the extensions a TLS 1.2 client sends, anything else left to tc_msg_parse_client_hello. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <stddef.h>
#include <string.h>

/* A vector with a 1- or 2-byte length (width) of at least min bytes: one
 * reader for every vector below (tc_rd_vec8/16 with the minimum checked in
 * the same place). */
static inline bool vec(tc_reader *r, size_t width, size_t min, tc_reader *sub) {
  if (r->len < width)
    return false;
  size_t n = width == 1 ? r->p[0] : ((size_t)r->p[0] << 8) | r->p[1];
  return n >= min && tc__rd_vec(r, width, n, sub);
}

/* u16 list<2..2^16-2> (supported_groups, signature_algorithms). */
static bool u16_list16(tc_reader *b, tc_u16s *out) {
  tc_reader l;
  if (!vec(b, 2, 2, &l) || l.len % 2)
    return false;
  *out = (tc_u16s){l.p, l.len / 2};
  return true;
}

/* server_name with exactly one entry, a host_name of LDH bytes: the
 * general parse takes more (other name types beside it), never less. */
static bool host_name(tc_reader *b, tc_exts *e) {
  tc_reader list, name;
  uint8_t t;
  if (!vec(b, 2, 0, &list) || !tc_rd_u8(&list, &t) || t != 0 || !vec(&list, 2, 1, &name) ||
      !tc_rd_empty(&list))
    return false;
  for (size_t i = 0; i < name.len; i++)
    if (!tc__ldh[name.p[i]])
      return false;
  e->server_name = (tc_bytes){name.p, name.len};
  return true;
}

static bool alpn_list(tc_reader *b, tc_exts *e) {
  tc_reader list, name;
  if (!vec(b, 2, 1, &list))
    return false;
  e->alpn_list = (tc_bytes){list.p, list.len};
  while (!tc_rd_empty(&list)) {
    if (!vec(&list, 1, 1, &name))
      return false;
    if (e->n_alpn < TC_MSG_MAX_ALPN)
      e->alpn[e->n_alpn] = (tc_bytes){name.p, name.len};
    e->n_alpn++;
  }
  return true;
}

/* One extension of the brief set read into e, in the form the general
 * parse gives it in a ClientHello; its presence bit, or -1 for any other
 * type or a body the brief parse does not take. The caller checks that
 * the body was read to its end. */
static int brief_ext(uint16_t type, tc_reader *b, tc_exts *e) {
  tc_reader l;
  switch (type) {
  case TC_EXT_SERVER_NAME:
    return host_name(b, e) ? TC__XB_SERVER_NAME : -1;
  case TC_EXT_STATUS_REQUEST: {
    tc_reader x;
    if (!tc_rd_u8(b, &e->status_type) || e->status_type != TC_STATUS_TYPE_OCSP ||
        !vec(b, 2, 0, &l) || !vec(b, 2, 0, &x))
      return -1;
    e->status_responder_ids = (tc_bytes){l.p, l.len};
    e->status_request_exts = (tc_bytes){x.p, x.len};
    return TC__XB_STATUS;
  }
  case TC_EXT_SUPPORTED_GROUPS:
    return u16_list16(b, &e->groups) ? TC__XB_GROUPS : -1;
  case TC_EXT_EC_POINT_FORMATS:
    if (!vec(b, 1, 1, &l))
      return -1;
    e->ec_point_formats = (tc_bytes){l.p, l.len};
    return TC__XB_ECPF;
  case TC_EXT_SIGNATURE_ALGORITHMS:
    return u16_list16(b, &e->sig_algs) ? TC__XB_SIGALGS : -1;
  case TC_EXT_ALPN:
    return alpn_list(b, e) ? TC__XB_ALPN : -1;
  case TC_EXT_PADDING:
    e->padding_len = b->len;
    b->len = 0;
    return TC__XB_PADDING;
  case TC_EXT_ENCRYPT_THEN_MAC:
    return TC__XB_ETM;
  case TC_EXT_EXTENDED_MASTER_SECRET:
    return TC__XB_EMS;
  case TC_EXT_RECORD_SIZE_LIMIT:
    if (!tc_rd_u16(b, &e->record_size_limit) || e->record_size_limit < 64)
      return -1;
    return TC__XB_RSL;
  case TC_EXT_SESSION_TICKET:
    e->session_ticket = (tc_bytes){b->p, b->len};
    b->len = 0;
    return TC__XB_TICKET;
  case TC_EXT_SUPPORTED_VERSIONS:
    if (!vec(b, 1, 2, &l) || l.len % 2)
      return -1;
    e->versions = (tc_u16s){l.p, l.len / 2};
    return TC__XB_VERSIONS;
  case TC_EXT_RENEGOTIATION_INFO:
    if (!vec(b, 1, 0, &l))
      return -1;
    e->renegotiation_info = (tc_bytes){l.p, l.len};
    return TC__XB_RENEG;
  default:
    return -1;
  }
}

bool tc_msg_parse_client_hello12(const uint8_t *body, size_t len, tc_client_hello *out) {
  /* The same start as tc_msg_parse_client_hello: the fields it leaves
   * zero are zero here too. */
  memset(out, 0, offsetof(tc_client_hello, ext));
  tc_exts_reset(&out->ext);
  out->binders_offset = 0;
  tc_reader r, sid, suites, comp, exts;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u16(&r, &out->legacy_version) || !tc_rd_copy(&r, out->random, 32) ||
      !vec(&r, 1, 0, &sid) || sid.len > 32 || !vec(&r, 2, 2, &suites) || suites.len % 2 ||
      !vec(&r, 1, 1, &comp))
    return false;
  /* A TLS 1.3 suite first (0x13xx: clients that offer TLS 1.3, ours among
   * them, list those suites before their TLS 1.2 ones) marks a TLS 1.3
   * hello, whose key_share the brief parse would decline anyway: decline
   * it here, before its extensions, so the general parse reads it once. */
  if (suites.p[0] == 0x13)
    return false;
  out->session_id_len = sid.len;
  memcpy(out->session_id, sid.p, sid.len);
  out->cipher_suites = (tc_u16s){suites.p, suites.len / 2};
  out->compression_methods = (tc_bytes){comp.p, comp.len};
  if (tc_rd_empty(&r))
    return true;
  out->has_extensions = true;
  if (!vec(&r, 2, 0, &exts) || !tc_rd_empty(&r))
    return false;
  tc_exts *e = &out->ext;
  while (!tc_rd_empty(&exts)) {
    uint16_t type;
    tc_reader b;
    if (!tc_rd_u16(&exts, &type) || !vec(&exts, 2, 0, &b))
      return false;
    int bit = brief_ext(type, &b, e);
    if (bit < 0 || (e->present >> bit) & 1u || !tc_rd_empty(&b))
      return false;
    e->present |= 1u << bit;
  }
  return true;
}
