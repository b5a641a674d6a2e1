/* Handshake framing and the small messages: EncryptedExtensions, Finished, NewSessionTicket, KeyUpdate, empty ones. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <stddef.h>
#include <string.h>

#include "tlscore/config.h"

const char *tc_msg_type_name(uint8_t type) {
  switch (type) {
  case TC_HS_HELLO_REQUEST: return "HelloRequest";
  case TC_HS_CLIENT_HELLO: return "ClientHello";
  case TC_HS_SERVER_HELLO: return "ServerHello";
  case TC_HS_NEW_SESSION_TICKET: return "NewSessionTicket";
  case TC_HS_END_OF_EARLY_DATA: return "EndOfEarlyData";
  case TC_HS_ENCRYPTED_EXTENSIONS: return "EncryptedExtensions";
  case TC_HS_CERTIFICATE: return "Certificate";
  case TC_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
  case TC_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
  case TC_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
  case TC_HS_CERTIFICATE_VERIFY: return "CertificateVerify";
  case TC_HS_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
  case TC_HS_FINISHED: return "Finished";
  case TC_HS_CERTIFICATE_STATUS: return "CertificateStatus";
  case TC_HS_KEY_UPDATE: return "KeyUpdate";
  case TC_HS_COMPRESSED_CERTIFICATE: return "CompressedCertificate";
  case TC_HS_MESSAGE_HASH: return "message_hash";
  default: return "unknown";
  }
}

int tc_msg_split(const uint8_t *msg, size_t len, uint8_t *type, const uint8_t **body,
                 size_t *body_len, tc_error *err) {
  tc_reader r;
  uint32_t n;
  tc_rd_init(&r, msg, len);
  if (!tc_rd_u8(&r, type) || !tc_rd_u24(&r, &n))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "handshake message: truncated header");
  if (n != tc_rd_remaining(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s: length does not match the message",
                        tc_msg_type_name(*type));
  *body = r.p;
  *body_len = n;
  return TC_OK;
}

int tc_msg_parse_encrypted_extensions(const uint8_t *body, size_t len,
                                      tc_encrypted_extensions *out, tc_error *err) {
  tc_reader r, v;
  tc_rd_init(&r, body, len);
  tc_exts_reset(&out->ext);
  if (!tc_rd_vec16(&r, &v))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "EncryptedExtensions: bad extensions length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR,
                        "EncryptedExtensions: trailing bytes after extensions");
  return tc_msg_parse_extensions(v.p, v.len, TC_EXTCTX_EE, &out->ext, err);
}

int tc_msg_write_encrypted_extensions(tc_writer *w, const tc_encrypted_extensions *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_ENCRYPTED_EXTENSIONS);
  tc__write_ext_block(w, TC_EXTCTX_EE, &in->ext, NULL);
  return tc__end_msg(w, m);
}

int tc_msg_write_encrypted_extensions_sni(tc_writer *w, bool server_name) {
  /* type, 24-bit length, the block's length, then server_name (type 0,
   * empty) when acknowledged */
  static const uint8_t with[] = {TC_HS_ENCRYPTED_EXTENSIONS, 0, 0, 6, 0, 4, 0, 0, 0, 0},
                       none[] = {TC_HS_ENCRYPTED_EXTENSIONS, 0, 0, 2, 0, 0};
  if (server_name)
    tc_wr_bytes(w, with, sizeof with);
  else
    tc_wr_bytes(w, none, sizeof none);
  return tc_wr_ok(w) ? TC_OK : TC_FAIL;
}

int tc_msg_parse_finished(const uint8_t *body, size_t len, size_t expected_len, tc_finished *out,
                          tc_error *err) {
  memset(out, 0, sizeof *out);
  if (expected_len == 0 || len != expected_len)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "Finished: verify_data has the wrong length");
  out->verify_data.p = body;
  out->verify_data.len = len;
  return TC_OK;
}

int tc_msg_write_finished(tc_writer *w, const tc_finished *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_FINISHED);
  tc_wr_bytes(w, in->verify_data.p, in->verify_data.len);
  return tc__end_msg(w, m);
}

#define MAX_TICKET_LIFETIME (7 * 24 * 3600) /* RFC 8446 §4.6.1 */

int tc_msg_parse_new_session_ticket(const uint8_t *body, size_t len, uint16_t version,
                                    tc_new_session_ticket *out, tc_error *err) {
  memset(out, 0, offsetof(tc_new_session_ticket, ext)); /* ext's item arrays: never read past counts */
  tc_exts_reset(&out->ext);
  out->tls13 = version >= TC_TLS13;
  tc_reader r, v;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u32(&r, &out->lifetime))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: truncated");
  if (!out->tls13) {
    if (!tc_rd_vec16(&r, &v))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: bad ticket length");
    out->ticket.p = v.p;
    out->ticket.len = v.len;
    if (!tc_rd_empty(&r))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: trailing bytes");
    return TC_OK;
  }
  if (!tc_rd_u32(&r, &out->age_add))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: truncated");
  if (!tc_rd_vec8(&r, &v))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: bad nonce length");
  out->nonce.p = v.p;
  out->nonce.len = v.len;
  if (!tc_rd_vec16(&r, &v) || v.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: bad ticket length");
  out->ticket.p = v.p;
  out->ticket.len = v.len;
  if (!tc_rd_vec16(&r, &v))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "NewSessionTicket: bad extensions length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR,
                        "NewSessionTicket: trailing bytes after extensions");
  if (out->lifetime > MAX_TICKET_LIFETIME)
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                        "NewSessionTicket: lifetime longer than 7 days");
  return tc_msg_parse_extensions(v.p, v.len, TC_EXTCTX_NST, &out->ext, err);
}

int tc_msg_write_new_session_ticket(tc_writer *w, const tc_new_session_ticket *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_NEW_SESSION_TICKET);
  tc_wr_u32(w, in->lifetime);
  if (in->tls13) {
    tc_wr_u32(w, in->age_add);
    tc_wr_vec8(w, in->nonce.p, in->nonce.len);
  }
  tc_wr_vec16(w, in->ticket.p, in->ticket.len);
  if (in->tls13)
    tc__write_ext_block(w, TC_EXTCTX_NST, &in->ext, NULL);
  return tc__end_msg(w, m);
}

int tc_msg_parse_key_update(const uint8_t *body, size_t len, tc_key_update *out, tc_error *err) {
  tc_reader r;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u8(&r, &out->request_update))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "KeyUpdate: truncated");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "KeyUpdate: trailing bytes");
  if (out->request_update > TC_KEY_UPDATE_REQUESTED)
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "KeyUpdate: bad request_update value");
  return TC_OK;
}

int tc_msg_write_key_update(tc_writer *w, const tc_key_update *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_KEY_UPDATE);
  tc_wr_u8(w, in->request_update);
  return tc__end_msg(w, m);
}

int tc_msg_parse_empty(uint8_t type, const uint8_t *body, size_t len, tc_error *err) {
  (void)body;
  if (len != 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s: message must be empty",
                        tc_msg_type_name(type));
  return TC_OK;
}

int tc_msg_write_empty(tc_writer *w, uint8_t type) {
  tc_wr_mark m = tc_wr_begin_handshake(w, type);
  return tc__end_msg(w, m);
}
