/* libFuzzer target: DER certificate parsing and everything a parsed certificate offers. */
#include <stdlib.h>

#include "tlscore/x509.h"
#include "x509/x509_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tc_error err;
  tc_error_clear(&err);
  tc_cert *c = tc_cert_parse_der(data, size, &err);
  if (!c)
    return 0;
  free(tc_cert_subject_string(c));
  free(tc_cert_issuer_string(c));
  size_t len;
  for (size_t i = 0; i < tc_cert_dns_name_count(c); i++)
    (void)tc_cert_dns_name(c, i, &len);
  for (size_t i = 0; i < tc_cert_ip_count(c); i++)
    (void)tc_cert_ip(c, i, &len);
  (void)tc_x509_match_identity(c, "localhost");
  (void)tc_x509_match_identity(c, "a.example.com");
  (void)tc_x509_match_identity(c, "127.0.0.1");
  (void)tc_x509_match_identity(c, "::1");
  /* The Web PKI CN rule reads the subject's CNs as IP addresses: only
   * reached through path building on a chain with a valid signature. */
  (void)tc_cert_cn_spells_san(c);
  uint8_t h[64];
  (void)tc_cert_end_point_hash(c, h);
  (void)tc_cert_verify_signed_by(c, c);
  tc_trust_store *s = tc_trust_store_new();
  tc_trust_store_add(s, c);
  tc_cert *chain[2] = {c, c};
  tc_cert **path = NULL;
  size_t plen = 0;
  (void)tc_x509_verify(chain, 2, s, "example.com", 1767225600, TC_PURPOSE_SERVER, &path, &plen);
  for (size_t i = 0; i < plen; i++)
    tc_cert_unref(path[i]);
  free(path);
  tc_trust_store_unref(s);
  tc_cert_unref(c);
  return 0;
}
