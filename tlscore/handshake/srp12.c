/* SRP key exchange in the TLS 1.0-1.2 handshakes (RFC 5054): credentials, wants, ServerKeyExchange and ClientKeyExchange math. */
#include <stdlib.h>
#include <string.h>

#include "handshake/tls12.h"

int tc_conn_set_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                size_t pw_len) {
  (void)user;
  (void)password;
  (void)pw_len;
  return tc_conn_refuse(c, TC_ERR_UNSUPPORTED, "SRP is not implemented yet");
}

int tc_conn_request_srp_credentials(tc_conn *c) {
  return tc_conn_refuse(c, TC_ERR_UNSUPPORTED, "SRP is not implemented yet");
}

bool tc_conn_srp_requested(const tc_conn *c) {
  (void)c;
  return false;
}

int tc_conn_answer_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                   size_t pw_len) {
  (void)user;
  (void)password;
  (void)pw_len;
  return tc_conn_refuse(c, TC_ERR_UNSUPPORTED, "SRP is not implemented yet");
}

const uint8_t *tc_conn_srp_username(const tc_conn *c, size_t *len) {
  (void)c;
  if (len)
    *len = 0;
  return NULL;
}

int tc_conn_answer_srp_verifier(tc_conn *c, const tc_srp_verifier *v) {
  (void)v;
  return tc_conn_refuse(c, TC_ERR_UNSUPPORTED, "SRP is not implemented yet");
}
