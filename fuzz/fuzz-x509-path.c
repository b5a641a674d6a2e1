/* libFuzzer target: path building, name constraints and host names over a fuzzed set of certificates. */
#include <stdlib.h>

#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: one settings byte, then certificates as [2-byte length][DER]. The
 * last certificate is the anchor, the first the leaf, the rest presented
 * in their order (duplicates welcome: they make graphs and loops). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  enum { MAX = 12 };
  tc_cert *certs[MAX];
  size_t n = 0;
  if (size < 1)
    return 0;
  uint8_t settings = data[0];
  size_t off = 1;
  while (n < MAX && off + 2 <= size) {
    size_t len = (size_t)data[off] << 8 | data[off + 1];
    off += 2;
    if (len > size - off)
      break;
    tc_error err;
    tc_error_clear(&err);
    tc_cert *c = tc_cert_parse_der(data + off, len, &err);
    off += len;
    if (c)
      certs[n++] = c;
  }
  /* A small public suffix list, so wildcard SANs over "example.org"
   * (one of the names asked below) go through the list's refusal. */
  static tc_psl *psl;
  if (!psl) {
    static const char list[] = "example.org\nco.uk\n*.ck\n!www.ck\n";
    psl = tc_psl_parse(list, sizeof list - 1);
  }
  if (n >= 2) {
    tc_trust_store *s = tc_trust_store_new();
    tc_trust_store_add(s, certs[n - 1]);
    static const char *const names[] = {"localhost", "www.example.com", "bad.example.com",
                                        "127.0.0.1", "a.b.example.org", "::1"};
    tc_verify_opts o = {
        .identity = names[settings % 6],
        .now = 1767225600,
        .purpose = (tc_purpose)((settings >> 3) % 3),
        .no_cn_fallback = settings & 0x20,
        .allow_sha1 = settings & 0x40,
        .no_webpki_keys = settings & 0x80,
        .no_webpki_leaf = settings & 0x80,
        .psl = psl,
    };
    const char *why = NULL;
    tc_cert **path = NULL;
    size_t plen = 0;
    unsigned f = tc_x509_verify_opts(certs, n - 1, s, &o, &why, &path, &plen);
    if ((f == 0) != (why == NULL))
      abort(); /* a reason exactly when rejected */
    for (size_t i = 0; i < plen; i++)
      tc_cert_unref(path[i]);
    free(path);
    tc_trust_store_unref(s);
  }
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(certs[i]);
  return 0;
}
