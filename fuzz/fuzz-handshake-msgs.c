/* libFuzzer target: every handshake message parser. Input: type byte, variant byte, then the body.
 * The variant selects what the engine would know from context: protocol
 * version, key exchange, whether the suite is signed, Finished length. */
#include "fuzz-msg.h"

typedef struct sel {
  uint8_t type;
  uint8_t variant;
} sel;

static const uint16_t versions4[] = {TC_SSL30, TC_TLS10, TC_TLS12, TC_TLS13};

static int pw_any(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  const sel *s = ctx;
  uint8_t v = s->variant;
  switch (s->type) {
  case TC_HS_CLIENT_HELLO: {
    tc_client_hello m;
    if (tc_msg_parse_client_hello(body, len, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_client_hello(w, &m);
  }
  case TC_HS_SERVER_HELLO: {
    tc_server_hello m;
    if (tc_msg_parse_server_hello(body, len, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_server_hello(w, &m);
  }
  case TC_HS_ENCRYPTED_EXTENSIONS: {
    tc_encrypted_extensions m;
    if (tc_msg_parse_encrypted_extensions(body, len, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_encrypted_extensions(w, &m);
  }
  case TC_HS_CERTIFICATE: {
    tc_certificate m;
    if (tc_msg_parse_certificate(body, len, (v & 1) ? TC_TLS13 : TC_TLS12, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_certificate(w, &m);
  }
  case TC_HS_CERTIFICATE_REQUEST: {
    static const uint16_t crv[] = {TC_TLS13, TC_TLS12, TC_TLS11};
    tc_certificate_request m;
    if (tc_msg_parse_certificate_request(body, len, crv[v % 3], &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_certificate_request(w, &m);
  }
  case TC_HS_CERTIFICATE_VERIFY: {
    tc_certificate_verify m;
    if (tc_msg_parse_certificate_verify(body, len, (v & 1) ? TC_TLS13 : TC_TLS10, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_certificate_verify(w, &m);
  }
  case TC_HS_FINISHED: {
    static const size_t flen[] = {12, 32, 36, 48, 64};
    tc_finished m;
    if (tc_msg_parse_finished(body, len, flen[v % 5], &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_finished(w, &m);
  }
  case TC_HS_NEW_SESSION_TICKET: {
    tc_new_session_ticket m;
    if (tc_msg_parse_new_session_ticket(body, len, (v & 1) ? TC_TLS13 : TC_TLS12, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_new_session_ticket(w, &m);
  }
  case TC_HS_KEY_UPDATE: {
    tc_key_update m;
    if (tc_msg_parse_key_update(body, len, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_key_update(w, &m);
  }
  case TC_HS_END_OF_EARLY_DATA:
  case TC_HS_SERVER_HELLO_DONE:
  case TC_HS_HELLO_REQUEST:
    if (tc_msg_parse_empty(s->type, body, len, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_empty(w, s->type);
  case TC_HS_CERTIFICATE_STATUS: {
    tc_certificate_status m;
    if (tc_msg_parse_certificate_status(body, len, &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_certificate_status(w, &m);
  }
  case TC_HS_SERVER_KEY_EXCHANGE: {
    tc_server_key_exchange m;
    tc_kx kx = (tc_kx)(v % (TC_KX_SRP + 1));
    bool signed_ = (v >> 3) & 1;
    if (tc_msg_parse_server_key_exchange(body, len, kx, signed_, versions4[(v >> 4) & 3], &m, err) !=
        TC_OK)
      return TC_FAIL;
    /* The signed params are a prefix of the body and re-encode identically. */
    FUZZ_CHECK(m.params.p == body && m.params.len <= len);
    tc_writer pw;
    tc_wr_init_dyn(&pw);
    FUZZ_CHECK(tc_msg_write_ske_params(&pw, &m) == TC_OK);
    FUZZ_CHECK(tc_wr_len(&pw) == m.params.len &&
               memcmp(tc_wr_data(&pw), m.params.p, m.params.len) == 0);
    tc_wr_free(&pw);
    return tc_msg_write_server_key_exchange(w, &m);
  }
  case TC_HS_CLIENT_KEY_EXCHANGE: {
    static const uint16_t ckev[] = {TC_SSL30, TC_TLS10, TC_TLS11, TC_TLS12};
    tc_client_key_exchange m;
    tc_kx kx = (tc_kx)(v % (TC_KX_SRP + 1));
    if (tc_msg_parse_client_key_exchange(body, len, kx, ckev[(v >> 3) & 3], &m, err) != TC_OK)
      return TC_FAIL;
    return tc_msg_write_client_key_exchange(w, &m);
  }
  default:
    return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE, "unknown type");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  sel s = {data[0], data[1]};
  /* Exact-size heap copy so ASan catches reads past the body. */
  size_t len = size - 2;
  uint8_t *body = malloc(len ? len : 1);
  FUZZ_CHECK(body != NULL);
  memcpy(body, data + 2, len);
  fuzz_check_stable(body, len, pw_any, &s);
  free(body);
  return 0;
}
