/* The brief parse of a TLS 1.2 ServerHello: only the forms a TLS 1.2 client accepts, anything else left to tc_msg_parse_server_hello. */
#include "msg/msg.h"
#include "msg/reader.h"

#include <string.h>

/* Sets *bit for an extension of the brief set in its one accepted form
 * (bodies exactly as tc_msg_parse_extensions takes them in a ServerHello);
 * false for any other type or form. */
static bool brief_ext(uint16_t type, tc_reader *b, tc_server_hello12 *out, unsigned *bit) {
  switch (type) {
  case TC_EXT_SERVER_NAME:
    *bit = TC_SH12_SERVER_NAME;
    return tc_rd_empty(b);
  case TC_EXT_STATUS_REQUEST:
    *bit = TC_SH12_STATUS;
    return tc_rd_empty(b);
  case TC_EXT_EC_POINT_FORMATS: {
    tc_reader l;
    *bit = TC_SH12_EC_POINT_FORMATS;
    if (!tc_rd_vec8(b, &l) || tc_rd_empty(&l) || !tc_rd_empty(b))
      return false;
    out->ec_point_formats = (tc_bytes){l.p, l.len};
    return true;
  }
  case TC_EXT_ENCRYPT_THEN_MAC:
    *bit = TC_SH12_ETM;
    return tc_rd_empty(b);
  case TC_EXT_EXTENDED_MASTER_SECRET:
    *bit = TC_SH12_EMS;
    return tc_rd_empty(b);
  case TC_EXT_RECORD_SIZE_LIMIT:
    *bit = TC_SH12_RSL;
    return tc_rd_u16(b, &out->record_size_limit) && tc_rd_empty(b) &&
           out->record_size_limit >= 64;
  case TC_EXT_SESSION_TICKET:
    *bit = TC_SH12_TICKET;
    return tc_rd_empty(b);
  case TC_EXT_RENEGOTIATION_INFO: {
    tc_reader l;
    *bit = TC_SH12_RENEG;
    if (!tc_rd_vec8(b, &l) || !tc_rd_empty(b))
      return false;
    out->renegotiation_info = (tc_bytes){l.p, l.len};
    return true;
  }
  default:
    return false;
  }
}

bool tc_msg_parse_server_hello12(const uint8_t *body, size_t len, tc_server_hello12 *out) {
  tc_reader r, sid, exts;
  out->exts = 0;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u16(&r, &out->legacy_version) || !tc_rd_bytes(&r, 32, &out->random) ||
      !tc_rd_vec8(&r, &sid) || sid.len > 32 || !tc_rd_u16(&r, &out->cipher_suite) ||
      !tc_rd_u8(&r, &out->compression_method))
    return false;
  out->session_id = sid.p;
  out->session_id_len = sid.len;
  /* A HelloRetryRequest's random: the general parser reads it as one. */
  if (memcmp(out->random, tc_hrr_random, 32) == 0)
    return false;
  if (tc_rd_empty(&r))
    return true;
  if (!tc_rd_vec16(&r, &exts) || !tc_rd_empty(&r))
    return false;
  while (!tc_rd_empty(&exts)) {
    uint16_t type;
    tc_reader b;
    unsigned bit;
    if (!tc_rd_u16(&exts, &type) || !tc_rd_vec16(&exts, &b) || !brief_ext(type, &b, out, &bit) ||
        (out->exts & bit))
      return false;
    out->exts |= bit;
  }
  return true;
}
