/* Error latching, alert names and the local-error-to-alert mapping. */
#include "tlscore/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tc_error_clear(tc_error *err) {
  if (!err)
    return;
  err->code = TC_ERR_NONE;
  err->alert = -1;
  err->remote = false;
  err->message[0] = '\0';
}

int tc_error_set(tc_error *err, tc_err code, const char *fmt, ...) {
  if (!err || err->code != TC_ERR_NONE)
    return TC_FAIL;
  err->code = code;
  err->remote = false;
  err->alert = tc_error_alert_for(code);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return TC_FAIL;
}

int tc_error_alert_for(tc_err code) {
  switch (code) {
  case TC_ERR_NONE:
    return -1;
  case TC_ERR_NOMEM:
  case TC_ERR_INVALID_ARGUMENT:
  case TC_ERR_RANDOM:
  case TC_ERR_UNSUPPORTED:
  case TC_ERR_STORAGE:
  case TC_ERR_EXISTS:
    return TC_ERR_INTERNAL_ERROR;
  case TC_ERR_BAD_INPUT:
  case TC_ERR_NOT_TLS:
    return TC_ERR_DECODE_ERROR;
  case TC_ERR_BAD_PASSWORD:
    return TC_ERR_INTERNAL_ERROR;
  case TC_ERR_ABRUPT_EOF:
  case TC_ERR_CLOSED:
    return -1; /* nothing to send: the transport is gone or we closed */
  default:
    return (int)code >= 0 && (int)code < 256 ? (int)code : TC_ERR_INTERNAL_ERROR;
  }
}

const char *tc_alert_name(int alert) {
  switch (alert) {
  case 0: return "close_notify";
  case 10: return "unexpected_message";
  case 20: return "bad_record_mac";
  case 21: return "decryption_failed";
  case 22: return "record_overflow";
  case 30: return "decompression_failure";
  case 40: return "handshake_failure";
  case 41: return "no_certificate";
  case 42: return "bad_certificate";
  case 43: return "unsupported_certificate";
  case 44: return "certificate_revoked";
  case 45: return "certificate_expired";
  case 46: return "certificate_unknown";
  case 47: return "illegal_parameter";
  case 48: return "unknown_ca";
  case 49: return "access_denied";
  case 50: return "decode_error";
  case 51: return "decrypt_error";
  case 60: return "export_restriction";
  case 70: return "protocol_version";
  case 71: return "insufficient_security";
  case 80: return "internal_error";
  case 86: return "inappropriate_fallback";
  case 90: return "user_canceled";
  case 100: return "no_renegotiation";
  case 109: return "missing_extension";
  case 110: return "unsupported_extension";
  case 111: return "certificate_unobtainable";
  case 112: return "unrecognized_name";
  case 113: return "bad_certificate_status_response";
  case 114: return "bad_certificate_hash_value";
  case 115: return "unknown_psk_identity";
  case 116: return "certificate_required";
  case 120: return "no_application_protocol";
  default: return "unknown";
  }
}

const char *tc_err_name(tc_err code) {
  switch (code) {
  case TC_ERR_NONE: return "no error";
  case TC_ERR_NOMEM: return "out of memory";
  case TC_ERR_INVALID_ARGUMENT: return "invalid argument";
  case TC_ERR_BAD_INPUT: return "malformed input";
  case TC_ERR_BAD_PASSWORD: return "wrong or missing password";
  case TC_ERR_UNSUPPORTED: return "not supported";
  case TC_ERR_ABRUPT_EOF: return "connection closed without close_notify";
  case TC_ERR_CLOSED: return "connection is closed";
  case TC_ERR_NOT_TLS: return "peer does not speak TLS";
  case TC_ERR_RANDOM: return "random source failed";
  case TC_ERR_STORAGE: return "database or file error";
  case TC_ERR_EXISTS: return "already exists";
  default: return tc_alert_name((int)code);
  }
}
