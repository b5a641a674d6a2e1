/* Certificate, CertificateRequest, CertificateVerify and CertificateStatus in their TLS 1.3 and older forms. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <string.h>

#include "tlscore/config.h"

int tc_msg_parse_certificate(const uint8_t *body, size_t len, uint16_t version,
                             tc_certificate *out, tc_error *err) {
  memset(out, 0, sizeof *out);
  out->tls13 = version >= TC_TLS13;
  tc_reader r, ctx, list;
  tc_rd_init(&r, body, len);
  if (out->tls13) {
    if (!tc_rd_vec8(&r, &ctx))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "Certificate: bad request context");
    out->request_context.p = ctx.p;
    out->request_context.len = ctx.len;
  }
  if (!tc_rd_vec24(&r, &list))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "Certificate: bad certificate list length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "Certificate: trailing bytes after list");
  while (!tc_rd_empty(&list)) {
    tc_reader cert, exts;
    if (!tc_rd_vec24(&list, &cert) || cert.len == 0)
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "Certificate: bad certificate length");
    if (out->n_entries == TC_MSG_MAX_CERTS)
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "Certificate: too many certificates");
    tc_cert_entry *e = &out->entries[out->n_entries++];
    e->cert.p = cert.p;
    e->cert.len = cert.len;
    if (!out->tls13)
      continue;
    if (!tc_rd_vec16(&list, &exts))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "Certificate: bad entry extensions length");
    e->extensions.p = exts.p;
    e->extensions.len = exts.len;
    tc_exts parsed;
    if (tc_msg_parse_extensions(exts.p, exts.len, TC_EXTCTX_CT, &parsed, err) != TC_OK)
      return TC_FAIL;
    e->ocsp = parsed.ocsp_response;
  }
  return TC_OK;
}

int tc_msg_parse_compressed_certificate(const uint8_t *body, size_t len,
                                        tc_compressed_certificate *out, tc_error *err) {
  memset(out, 0, sizeof *out);
  tc_reader r, data;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u16(&r, &out->algorithm) || !tc_rd_u24(&r, &out->uncompressed_length) ||
      !tc_rd_vec24(&r, &data))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CompressedCertificate: truncated");
  if (data.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CompressedCertificate: empty message");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CompressedCertificate: trailing bytes");
  out->compressed.p = data.p;
  out->compressed.len = data.len;
  return TC_OK;
}

int tc_msg_write_compressed_certificate(tc_writer *w, const tc_compressed_certificate *in) {
  if (in->compressed.len == 0 || in->compressed.len > 0xffffff ||
      in->uncompressed_length > 0xffffff) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_COMPRESSED_CERTIFICATE);
  tc_wr_u16(w, in->algorithm);
  tc_wr_u24(w, in->uncompressed_length);
  tc_wr_vec24(w, in->compressed.p, in->compressed.len);
  return tc__end_msg(w, m);
}

int tc_msg_write_certificate(tc_writer *w, const tc_certificate *in) {
  if (in->n_entries > TC_MSG_MAX_CERTS)
    tc_wr_fail(w);
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CERTIFICATE);
  if (in->tls13)
    tc_wr_vec8(w, in->request_context.p, in->request_context.len);
  tc_wr_mark list = tc_wr_begin_vec24(w);
  for (size_t i = 0; i < in->n_entries && i < TC_MSG_MAX_CERTS; i++) {
    const tc_cert_entry *e = &in->entries[i];
    tc_wr_vec24(w, e->cert.p, e->cert.len);
    if (!in->tls13)
      continue;
    if (e->extensions.len == 0 && e->ocsp.len > 0) {
      tc_exts x;
      memset(&x, 0, sizeof x);
      tc_exts_set(&x, TC_EXT_STATUS_REQUEST);
      x.status_type = TC_STATUS_TYPE_OCSP;
      x.ocsp_response = e->ocsp;
      tc__write_ext_block(w, TC_EXTCTX_CT, &x, NULL);
    } else {
      tc_wr_vec16(w, e->extensions.p, e->extensions.len);
    }
  }
  tc_wr_end_vec(w, list);
  return tc__end_msg(w, m);
}

/* Count DistinguishedNames in a raw list, checking each is a non-empty vector. */
static bool count_dns(tc_bytes raw, size_t *n) {
  tc_reader r;
  tc_rd_init(&r, raw.p, raw.len);
  *n = 0;
  while (!tc_rd_empty(&r)) {
    tc_reader dn;
    if (!tc_rd_vec16(&r, &dn) || dn.len == 0)
      return false;
    (*n)++;
  }
  return true;
}

int tc_msg_parse_certificate_request(const uint8_t *body, size_t len, uint16_t version,
                                     tc_certificate_request *out, tc_error *err) {
  memset(out, 0, sizeof *out);
  out->tls13 = version >= TC_TLS13;
  tc_reader r, v;
  tc_rd_init(&r, body, len);
  if (out->tls13) {
    if (!tc_rd_vec8(&r, &v))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateRequest: bad context");
    out->context.p = v.p;
    out->context.len = v.len;
    if (!tc_rd_vec16(&r, &v))
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateRequest: bad extensions length");
    if (!tc_rd_empty(&r))
      return tc_error_set(err, TC_ERR_DECODE_ERROR,
                          "CertificateRequest: trailing bytes after extensions");
    return tc_msg_parse_extensions(v.p, v.len, TC_EXTCTX_CR, &out->ext, err);
  }
  if (!tc_rd_vec8(&r, &v) || v.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateRequest: bad certificate_types");
  out->cert_types.p = v.p;
  out->cert_types.len = v.len;
  if (version >= TC_TLS12) {
    out->has_sig_algs = true;
    if (!tc_rd_vec16(&r, &v) || v.len == 0 || v.len % 2)
      return tc_error_set(err, TC_ERR_DECODE_ERROR,
                          "CertificateRequest: bad supported_signature_algorithms");
    out->sig_algs.p = v.p;
    out->sig_algs.n = v.len / 2;
  }
  if (!tc_rd_vec16(&r, &v))
    return tc_error_set(err, TC_ERR_DECODE_ERROR,
                        "CertificateRequest: bad certificate_authorities length");
  out->authorities.p = v.p;
  out->authorities.len = v.len;
  if (!count_dns(out->authorities, &out->n_authorities))
    return tc_error_set(err, TC_ERR_DECODE_ERROR,
                        "CertificateRequest: bad distinguished name");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateRequest: trailing bytes");
  return TC_OK;
}

int tc_msg_write_certificate_request(tc_writer *w, const tc_certificate_request *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CERTIFICATE_REQUEST);
  if (in->tls13) {
    tc_wr_vec8(w, in->context.p, in->context.len);
    tc__write_ext_block(w, TC_EXTCTX_CR, &in->ext, NULL);
  } else {
    tc_wr_vec8(w, in->cert_types.p, in->cert_types.len);
    if (in->has_sig_algs)
      tc_wr_vec16(w, in->sig_algs.p, 2 * in->sig_algs.n);
    tc_wr_vec16(w, in->authorities.p, in->authorities.len);
  }
  return tc__end_msg(w, m);
}

int tc_msg_parse_certificate_verify(const uint8_t *body, size_t len, uint16_t version,
                                    tc_certificate_verify *out, tc_error *err) {
  memset(out, 0, sizeof *out);
  tc_reader r, sig;
  tc_rd_init(&r, body, len);
  out->has_scheme = version >= TC_TLS12;
  if (out->has_scheme && !tc_rd_u16(&r, &out->scheme))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateVerify: truncated");
  if (!tc_rd_vec16(&r, &sig))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateVerify: bad signature length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateVerify: trailing bytes");
  out->signature.p = sig.p;
  out->signature.len = sig.len;
  return TC_OK;
}

int tc_msg_write_certificate_verify(tc_writer *w, const tc_certificate_verify *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CERTIFICATE_VERIFY);
  if (in->has_scheme)
    tc_wr_u16(w, in->scheme);
  tc_wr_vec16(w, in->signature.p, in->signature.len);
  return tc__end_msg(w, m);
}

int tc_msg_parse_certificate_status(const uint8_t *body, size_t len, tc_certificate_status *out,
                                    tc_error *err) {
  memset(out, 0, sizeof *out);
  tc_reader r, resp;
  tc_rd_init(&r, body, len);
  if (!tc_rd_u8(&r, &out->status_type))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateStatus: truncated");
  if (out->status_type != TC_STATUS_TYPE_OCSP)
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER, "CertificateStatus: unknown status type");
  if (!tc_rd_vec24(&r, &resp) || resp.len == 0)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateStatus: bad response length");
  if (!tc_rd_empty(&r))
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "CertificateStatus: trailing bytes");
  out->response.p = resp.p;
  out->response.len = resp.len;
  return TC_OK;
}

int tc_msg_write_certificate_status(tc_writer *w, const tc_certificate_status *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CERTIFICATE_STATUS);
  tc_wr_u8(w, in->status_type);
  tc_wr_vec24(w, in->response.p, in->response.len);
  return tc__end_msg(w, m);
}
