/* TLS 1.2-and-older ServerKeyExchange and ClientKeyExchange for RSA, (EC)DHE, PSK variants and SRP. */
#include "msg/msg.h"
#include "msg/msg_internal.h"

#include <string.h>

#include "tlscore/config.h"

static bool kx_has_psk(tc_kx kx) {
  return kx == TC_KX_PSK || kx == TC_KX_DHE_PSK || kx == TC_KX_ECDHE_PSK || kx == TC_KX_RSA_PSK;
}

static bool kx_valid(tc_kx kx) { return (unsigned)kx <= (unsigned)TC_KX_SRP; }

static bool rd16(tc_reader *r, tc_bytes *out, size_t min) {
  tc_reader v;
  if (!tc_rd_vec16(r, &v) || v.len < min)
    return false;
  out->p = v.p;
  out->len = v.len;
  return true;
}

static bool rd8(tc_reader *r, tc_bytes *out, size_t min) {
  tc_reader v;
  if (!tc_rd_vec8(r, &v) || v.len < min)
    return false;
  out->p = v.p;
  out->len = v.len;
  return true;
}

#define SKE_DECODE(what) \
  tc_error_set(err, TC_ERR_DECODE_ERROR, "ServerKeyExchange: %s", (what))

int tc_msg_parse_server_key_exchange(const uint8_t *body, size_t len, tc_kx kx, bool signed_,
                                     uint16_t version, tc_server_key_exchange *out,
                                     tc_error *err) {
  memset(out, 0, sizeof *out);
  out->kx = kx;
  if (!kx_valid(kx) || kx == TC_KX_RSA)
    return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE,
                        "ServerKeyExchange: not expected for this key exchange");
  tc_reader r;
  tc_rd_init(&r, body, len);
  if (kx_has_psk(kx) && !rd16(&r, &out->psk_hint, 0))
    return SKE_DECODE("bad psk_identity_hint");
  switch (kx) {
  case TC_KX_DHE:
  case TC_KX_DHE_PSK:
    if (!rd16(&r, &out->dh_p, 1) || !rd16(&r, &out->dh_g, 1) || !rd16(&r, &out->dh_ys, 1))
      return SKE_DECODE("bad DH parameters");
    break;
  case TC_KX_ECDHE:
  case TC_KX_ECDHE_PSK: {
    uint8_t curve_type;
    if (!tc_rd_u8(&r, &curve_type) || !tc_rd_u16(&r, &out->group))
      return SKE_DECODE("truncated EC parameters");
    if (curve_type != TC_EC_CURVE_TYPE_NAMED)
      return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                          "ServerKeyExchange: only named curves are supported");
    if (!rd8(&r, &out->ec_point, 1))
      return SKE_DECODE("bad EC point");
    break;
  }
  case TC_KX_SRP:
    if (!rd16(&r, &out->srp_n, 1) || !rd16(&r, &out->srp_g, 1) || !rd8(&r, &out->srp_s, 1) ||
        !rd16(&r, &out->srp_b, 1))
      return SKE_DECODE("bad SRP parameters");
    break;
  default: /* PSK, RSA_PSK: the hint is all */
    break;
  }
  out->params.p = body;
  out->params.len = (size_t)(r.p - body);
  if (signed_) {
    out->has_signature = true;
    out->has_scheme = version >= TC_TLS12;
    if (out->has_scheme && !tc_rd_u16(&r, &out->scheme))
      return SKE_DECODE("truncated signature");
    if (!rd16(&r, &out->signature, 0))
      return SKE_DECODE("bad signature length");
  }
  if (!tc_rd_empty(&r))
    return SKE_DECODE("trailing bytes");
  return TC_OK;
}

int tc_msg_write_ske_params(tc_writer *w, const tc_server_key_exchange *in) {
  if (!kx_valid(in->kx) || in->kx == TC_KX_RSA) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  if (kx_has_psk(in->kx))
    tc_wr_vec16(w, in->psk_hint.p, in->psk_hint.len);
  switch (in->kx) {
  case TC_KX_DHE:
  case TC_KX_DHE_PSK:
    tc_wr_vec16(w, in->dh_p.p, in->dh_p.len);
    tc_wr_vec16(w, in->dh_g.p, in->dh_g.len);
    tc_wr_vec16(w, in->dh_ys.p, in->dh_ys.len);
    break;
  case TC_KX_ECDHE:
  case TC_KX_ECDHE_PSK:
    tc_wr_u8(w, TC_EC_CURVE_TYPE_NAMED);
    tc_wr_u16(w, in->group);
    tc_wr_vec8(w, in->ec_point.p, in->ec_point.len);
    break;
  case TC_KX_SRP:
    tc_wr_vec16(w, in->srp_n.p, in->srp_n.len);
    tc_wr_vec16(w, in->srp_g.p, in->srp_g.len);
    tc_wr_vec8(w, in->srp_s.p, in->srp_s.len);
    tc_wr_vec16(w, in->srp_b.p, in->srp_b.len);
    break;
  default:
    break;
  }
  return tc_wr_ok(w) ? TC_OK : TC_FAIL;
}

int tc_msg_write_server_key_exchange(tc_writer *w, const tc_server_key_exchange *in) {
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_SERVER_KEY_EXCHANGE);
  tc_msg_write_ske_params(w, in);
  if (in->has_signature) {
    if (in->has_scheme)
      tc_wr_u16(w, in->scheme);
    tc_wr_vec16(w, in->signature.p, in->signature.len);
  }
  return tc__end_msg(w, m);
}

#define CKE_DECODE(what) \
  tc_error_set(err, TC_ERR_DECODE_ERROR, "ClientKeyExchange: %s", (what))

int tc_msg_parse_client_key_exchange(const uint8_t *body, size_t len, tc_kx kx, uint16_t version,
                                     tc_client_key_exchange *out, tc_error *err) {
  memset(out, 0, sizeof *out);
  out->kx = kx;
  if (!kx_valid(kx))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "ClientKeyExchange: bad key exchange");
  tc_reader r;
  tc_rd_init(&r, body, len);
  if (kx_has_psk(kx) && !rd16(&r, &out->psk_identity, 0))
    return CKE_DECODE("bad psk_identity");
  switch (kx) {
  case TC_KX_RSA:
    if (version == TC_SSL30) {
      /* SSL 3.0 sends the encrypted premaster without a length prefix. */
      out->ssl3 = true;
      out->rsa_epms.p = r.p;
      out->rsa_epms.len = r.len;
      tc_rd_skip(&r, r.len);
      if (out->rsa_epms.len == 0)
        return CKE_DECODE("empty encrypted premaster secret");
    } else if (!rd16(&r, &out->rsa_epms, 1)) {
      return CKE_DECODE("bad encrypted premaster secret");
    }
    break;
  case TC_KX_RSA_PSK:
    if (!rd16(&r, &out->rsa_epms, 1))
      return CKE_DECODE("bad encrypted premaster secret");
    break;
  case TC_KX_DHE:
  case TC_KX_DHE_PSK:
    if (!rd16(&r, &out->dh_yc, 1))
      return CKE_DECODE("bad DH public value");
    break;
  case TC_KX_ECDHE:
  case TC_KX_ECDHE_PSK:
    if (!rd8(&r, &out->ec_point, 1))
      return CKE_DECODE("bad EC point");
    break;
  case TC_KX_SRP:
    if (!rd16(&r, &out->srp_a, 1))
      return CKE_DECODE("bad SRP public value");
    break;
  default: /* PSK: identity only */
    break;
  }
  if (!tc_rd_empty(&r))
    return CKE_DECODE("trailing bytes");
  return TC_OK;
}

int tc_msg_write_client_key_exchange(tc_writer *w, const tc_client_key_exchange *in) {
  if (!kx_valid(in->kx)) {
    tc_wr_fail(w);
    return TC_FAIL;
  }
  tc_wr_mark m = tc_wr_begin_handshake(w, TC_HS_CLIENT_KEY_EXCHANGE);
  if (kx_has_psk(in->kx))
    tc_wr_vec16(w, in->psk_identity.p, in->psk_identity.len);
  switch (in->kx) {
  case TC_KX_RSA:
    if (in->ssl3)
      tc_wr_bytes(w, in->rsa_epms.p, in->rsa_epms.len);
    else
      tc_wr_vec16(w, in->rsa_epms.p, in->rsa_epms.len);
    break;
  case TC_KX_RSA_PSK:
    tc_wr_vec16(w, in->rsa_epms.p, in->rsa_epms.len);
    break;
  case TC_KX_DHE:
  case TC_KX_DHE_PSK:
    tc_wr_vec16(w, in->dh_yc.p, in->dh_yc.len);
    break;
  case TC_KX_ECDHE:
  case TC_KX_ECDHE_PSK:
    tc_wr_vec8(w, in->ec_point.p, in->ec_point.len);
    break;
  case TC_KX_SRP:
    tc_wr_vec16(w, in->srp_a.p, in->srp_a.len);
    break;
  default:
    break;
  }
  return tc__end_msg(w, m);
}
