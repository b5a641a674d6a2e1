/* ClientHello and ServerHello/HelloRetryRequest: parse, write, and PSK binder placeholders. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <stddef.h>
#include <string.h>

#include "tlscore/config.h"

/* SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
const uint8_t tc_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

int tc_msg_parse_client_hello(const uint8_t *body, size_t len, tc_client_hello *out,
                              tc_error *err) {
  /* Not a memset of the whole struct: the extensions' item arrays are most
   * of its 2.2 KiB and are never read past their counts. */
  memset(out, 0, offsetof(tc_client_hello, ext));
  tc_exts_reset(&out->ext);
  out->binders_offset = 0;
  tc_reader r, sid, suites, comp, exts;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u16(&r, &out->legacy_version) || !tc_rd_copy(&r, out->random, 32))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: truncated");
  if (!tc_rd_vec8(&r, &sid) || sid.len > 32)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: bad legacy_session_id");
  out->session_id_len = sid.len;
  tc_rd_copy(&sid, out->session_id, sid.len);
  if (!tc_rd_vec16(&r, &suites) || suites.len == 0 || suites.len % 2)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: bad cipher_suites");
  out->cipher_suites.p = suites.p;
  out->cipher_suites.n = suites.len / 2;
  if (!tc_rd_vec8(&r, &comp) || comp.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: bad compression_methods");
  out->compression_methods.p = comp.p;
  out->compression_methods.len = comp.len;
  if (tc_rd_empty(&r))
    return TC_OK; /* pre-extension clients (SSL 3.0 era) */
  out->has_extensions = true;
  if (!tc_rd_vec16(&r, &exts))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: bad extensions length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientHello: trailing bytes after extensions");
  if (tc__parse_ext_block(exts.p, exts.len, TC_EXTCTX_CH, &out->ext, err) != TC_OK)
    return TC_FAIL;
  if (tc_exts_has(&out->ext, TC_EXT_PRE_SHARED_KEY))
    out->binders_offset = (size_t)(exts.p - body) + out->ext.psk_binders_offset;
  return TC_OK;
}

int tc_msg_write_client_hello_ex(tc_writer *w, const tc_client_hello *in, size_t *binders_pos) {
  if (binders_pos)
    *binders_pos = 0;
  if (in->session_id_len > 32)
    tc_wr_fail(w);
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CLIENT_HELLO);
  tc_wr_u16(w, in->legacy_version);
  tc_wr_bytes(w, in->random, 32);
  tc_wr_vec8(w, in->session_id, in->session_id_len);
  tc_wr_mark s = tc_wr_begin_vec16(w);
  tc_wr_bytes(w, in->cipher_suites.p, 2 * in->cipher_suites.n);
  tc_wr_end_vec(w, s);
  tc_wr_vec8(w, in->compression_methods.p, in->compression_methods.len);
  if (in->has_extensions)
    tc__write_ext_block(w, TC_EXTCTX_CH, &in->ext, binders_pos);
  return tc__end_msg(w, m);
}

int tc_msg_write_client_hello(tc_writer *w, const tc_client_hello *in) {
  return tc_msg_write_client_hello_ex(w, in, NULL);
}

static uint8_t *put16(uint8_t *p, size_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
  return p + 2;
}

/* The direct ServerHello writers' common part: room for the whole message
 * (`tail` bytes after the compression method), its header, and the fields
 * up to the compression method (always null). Returns where the tail goes,
 * or NULL when the writer has no room (it is then failed). The callers
 * bound session_id_len (<= 32) and tail (< 2^24 with the rest). */
static uint8_t *server_hello_head(tc_writer *w, uint16_t version, const uint8_t random[32],
                                  const uint8_t *session_id, size_t session_id_len,
                                  uint16_t cipher_suite, size_t tail) {
  size_t body = 2 + 32 + 1 + session_id_len + 2 + 1 + tail;
  uint8_t *p = tc__wr_room(w, 4 + body);
  if (!p)
    return NULL;
  p[0] = TC_HS_SERVER_HELLO;
  p[1] = (uint8_t)(body >> 16);
  p = put16(p + 2, body);
  p = put16(p, version);
  memcpy(p, random, 32);
  p += 32;
  *p++ = (uint8_t)session_id_len;
  if (session_id_len)
    memcpy(p, session_id, session_id_len);
  p = put16(p + session_id_len, cipher_suite);
  *p++ = 0;
  return p;
}

int tc_msg_write_server_hello13(tc_writer *w, const uint8_t random[32], const uint8_t *session_id,
                                size_t session_id_len, uint16_t cipher_suite,
                                const tc_key_share_entry *share, int psk_selected) {
  size_t kl = share ? share->key_exchange.len : 0;
  if (session_id_len > 32 || kl > 0xffff - 4 || psk_selected > 0xffff) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  /* In the order of the generic writer's ServerHello table: pre_shared_key,
   * key_share, supported_versions. */
  size_t exts = (psk_selected >= 0 ? 6 : 0) + (share ? 8 + kl : 0) + 6;
  uint8_t *p = server_hello_head(w, TC_TLS12, random, session_id, session_id_len, cipher_suite,
                                 2 + exts);
  if (!p)
    return TC_FAIL;
  p = put16(p, exts);
  if (psk_selected >= 0) {
    p = put16(p, TC_EXT_PRE_SHARED_KEY);
    p = put16(p, 2);
    p = put16(p, (size_t)psk_selected);
  }
  if (share) {
    p = put16(p, TC_EXT_KEY_SHARE);
    p = put16(p, 4 + kl);
    p = put16(p, share->group);
    p = put16(p, kl);
    if (kl)
      memcpy(p, share->key_exchange.p, kl);
    p += kl;
  }
  p = put16(p, TC_EXT_SUPPORTED_VERSIONS);
  p = put16(p, 2);
  put16(p, TC_TLS13);
  return TC_OK;
}

int tc_msg_write_server_hello12(tc_writer *w, uint16_t version, const uint8_t random[32],
                                const uint8_t *session_id, size_t session_id_len,
                                uint16_t cipher_suite, const uint8_t *ext_block, size_t ext_len) {
  if (session_id_len > 32 || ext_len == 1 || ext_len > 0xffff + 2 ||
      (ext_len && (size_t)(ext_block[0] << 8 | ext_block[1]) != ext_len - 2)) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  uint8_t *p = server_hello_head(w, version, random, session_id, session_id_len, cipher_suite,
                                 ext_len);
  if (!p)
    return TC_FAIL;
  if (ext_len)
    memcpy(p, ext_block, ext_len);
  return TC_OK;
}

int tc_msg_patch_binders(tc_writer *w, size_t binders_pos, const tc_bytes *binders, size_t n) {
  if (!tc_wr_ok(w) || binders_pos == 0)
    return TC_FAIL;
  /* Re-read what we wrote, so a mismatch in count or lengths cannot make
   * the patch spill over the rest of the message. */
  tc_reader r, list;
  tc_rd_init(&r, tc_wr_data(w) + binders_pos, tc_wr_len(w) - binders_pos);
  if (!tc_rd_vec16(&r, &list))
    return TC_FAIL;
  tc_reader check = list;
  for (size_t i = 0; i < n; i++) {
    uint8_t blen;
    if (!tc_rd_u8(&check, &blen) || blen != binders[i].len || !binders[i].p ||
        !tc_rd_skip(&check, blen))
      return TC_FAIL;
  }
  if (!tc_rd_empty(&check))
    return TC_FAIL;
  size_t off = binders_pos + 2;
  for (size_t i = 0; i < n; i++) {
    memcpy(tc_wr_data_mut(w) + off + 1, binders[i].p, binders[i].len);
    off += 1 + binders[i].len;
  }
  return TC_OK;
}

int tc_msg_parse_server_hello(const uint8_t *body, size_t len, tc_server_hello *out,
                              tc_error *err) {
  memset(out, 0, offsetof(tc_server_hello, ext)); /* see tc_msg_parse_client_hello */
  tc_exts_reset(&out->ext);
  tc_reader r, sid, exts;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u16(&r, &out->legacy_version) || !tc_rd_copy(&r, out->random, 32))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ServerHello: truncated");
  if (!tc_rd_vec8(&r, &sid) || sid.len > 32)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ServerHello: bad legacy_session_id_echo");
  out->session_id_len = sid.len;
  tc_rd_copy(&sid, out->session_id, sid.len);
  if (!tc_rd_u16(&r, &out->cipher_suite) || !tc_rd_u8(&r, &out->compression_method))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ServerHello: truncated");
  out->is_hrr = memcmp(out->random, tc_hrr_random, 32) == 0;
  const char *name = out->is_hrr ? "HelloRetryRequest" : "ServerHello";
  if (!tc_rd_empty(&r)) {
    out->has_extensions = true;
    if (!tc_rd_vec16(&r, &exts))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s: bad extensions length", name);
    if (!tc_rd_empty(&r))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s: trailing bytes after extensions", name);
    if (tc__parse_ext_block(exts.p, exts.len, out->is_hrr ? TC_EXTCTX_HRR : TC_EXTCTX_SH,
                            &out->ext, err) != TC_OK)
      return TC_FAIL;
  }
  bool has_sv = tc_exts_has(&out->ext, TC_EXT_SUPPORTED_VERSIONS);
  if (out->is_hrr) {
    if (out->compression_method != 0)
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                          "HelloRetryRequest: non-zero compression method");
    if (!has_sv)
      return tc_error_set(err, TC_ERR_MISSING_EXTENSION,
                          "HelloRetryRequest: missing supported_versions");
    out->is_tls13 = true;
    return TC_OK;
  }
  /* RFC 8446 §4.2.1: supported_versions never selects an older version. */
  if (has_sv && out->ext.selected_version < TC_TLS13)
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                        "ServerHello: supported_versions selects a version before TLS 1.3");
  out->is_tls13 = has_sv && out->ext.selected_version == TC_TLS13;
  if (out->is_tls13 && (out->ext.present & ~tc__ext_tls13_sh_mask()))
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                        "ServerHello: TLS 1.2 extension in a TLS 1.3 ServerHello");
  if (!out->is_tls13 && (tc_exts_has(&out->ext, TC_EXT_KEY_SHARE) ||
                         tc_exts_has(&out->ext, TC_EXT_PRE_SHARED_KEY)))
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                        "ServerHello: TLS 1.3 extension without TLS 1.3 selected");
  return TC_OK;
}

int tc_msg_write_server_hello(tc_writer *w, const tc_server_hello *in) {
  if (in->session_id_len > 32)
    tc_wr_fail(w);
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_SERVER_HELLO);
  tc_wr_u16(w, in->legacy_version);
  tc_wr_bytes(w, in->random, 32);
  tc_wr_vec8(w, in->session_id, in->session_id_len);
  tc_wr_u16(w, in->cipher_suite);
  tc_wr_u8(w, in->compression_method);
  if (in->has_extensions)
    tc__write_ext_block(w, in->is_hrr ? TC_EXTCTX_HRR : TC_EXTCTX_SH, &in->ext, NULL);
  return tc__end_msg(w, m);
}
