/* RFC 9258 ImportedIdentity: the identity an imported external PSK carries on the wire. */
#include "msg/msg.h"

int tc_msg_parse_imported_identity(const uint8_t *p, size_t len, tc_imported_identity *out,
                                   tc_error *err) {
  tc_reader r, ext, ctx;
  tc_rd_init(&r, p, len);
  if (!tc_rd_vec16(&r, &ext) || ext.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ImportedIdentity: bad external_identity");
  if (!tc_rd_vec16(&r, &ctx))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ImportedIdentity: bad context");
  if (!tc_rd_u16(&r, &out->target_protocol) || !tc_rd_u16(&r, &out->target_kdf))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ImportedIdentity: truncated");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "ImportedIdentity: trailing bytes");
  out->external_identity = (tc_bytes){ext.p, ext.len};
  out->context = (tc_bytes){ctx.p, ctx.len};
  return TC_OK;
}

int tc_msg_write_imported_identity(tc_writer *w, const tc_imported_identity *in) {
  if (in->external_identity.len == 0 || in->external_identity.len > 0xffff ||
      in->context.len > 0xffff) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  tc_wr_vec16(w, in->external_identity.p, in->external_identity.len);
  tc_wr_vec16(w, in->context.p, in->context.len);
  tc_wr_u16(w, in->target_protocol);
  tc_wr_u16(w, in->target_kdf);
  return tc_wr_ok(w) ? TC_OK : TC_FAIL;
}
