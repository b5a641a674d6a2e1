/* Unit tests for tlscore/x509: DER, PEM, certificates, names, keys, PKCS#12 and path validation. */
#include <glib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"
#include "x509/der.h"
#include "x509/x509_internal.h"

/* 2026-01-01T00:00:00Z: inside the normal test validity window. */
#define NOW 1767225600

static uint8_t *load(const char *name, size_t *len) {
  char *path = g_build_filename(TEST_DATA_DIR, name, NULL);
  gchar *data = NULL;
  gsize n = 0;
  GError *error = NULL;
  g_file_get_contents(path, &data, &n, &error);
  g_assert_no_error(error);
  g_free(path);
  *len = n;
  return (uint8_t *)data;
}

static tc_cert *load_cert(const char *name) {
  size_t len;
  uint8_t *d = load(name, &len);
  tc_cert **certs;
  tc_error err;
  tc_error_clear(&err);
  size_t n = tc_certs_parse(d, len, &certs, &err);
  g_free(d);
  if (n == 0)
    g_error("%s: %s", name, err.message);
  tc_cert *c = certs[0];
  for (size_t i = 1; i < n; i++)
    tc_cert_unref(certs[i]);
  free(certs);
  return c;
}

static tc_privkey *load_key(const char *name, const char *password, tc_error *err) {
  size_t len;
  uint8_t *d = load(name, &len);
  tc_error_clear(err);
  tc_privkey *k = tc_privkey_parse(d, len, password, err);
  g_free(d);
  return k;
}

static GBytes *pkcs8_of(const tc_privkey *k) {
  uint8_t *der;
  size_t len;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_privkey_to_pkcs8(k, &der, &len, &err), ==, TC_OK);
  GBytes *b = g_bytes_new(der, len);
  tc_wipe(der, len);
  free(der);
  return b;
}

static const char *cert_files[] = {
    "ca-rsa.pem", "ca-ecdsa.pem", "other-ca.pem", "int-rsa.pem", "nc-ca.pem", "nc-good.pem",
    "nc-bad.pem", "nc-excluded.pem", "server-rsa.pem", "server-ecdsa.pem", "server-p384.pem",
    "server-ed25519.pem", "server-int.pem", "server-int-chain.pem", "server-expired.pem",
    "server-notyet.pem", "server-wronghost.pem", "server-staple.pem", "server-self.pem",
    "server-other.pem", "client-rsa.pem", "client-ecdsa.pem", "ca-bundle.pem",
    "server-wildcard.pem", "server-critext.pem", "server-md5.pem", "bad-issuer.pem",
    "ca-rsa-cross.pem", "server-pss.pem", "ca-ed25519.pem", "server-by-ed25519.pem",
    "server-p384-sha384.pem", "int2-rsa.pem", "server-int2.pem", "int-noku.pem", "server-noku.pem",
    "loop-a.pem", "loop-b.pem", "server-loop.pem", "ca-ed448.pem", "server-ed448.pem",
    "server-rsapss.pem",
};

static void test_parse_all(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cert_files); i++) {
    tc_cert *c = load_cert(cert_files[i]);
    g_assert_nonnull(c);
    tc_cert_unref(c);
  }
  size_t len;
  uint8_t *d = load("server-int-chain.pem", &len);
  tc_cert **certs;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpuint(tc_certs_parse(d, len, &certs, &err), ==, 2);
  tc_cert_unref(certs[0]);
  tc_cert_unref(certs[1]);
  free(certs);
  g_free(d);
}

static void assert_subject(const char *file, const char *subject, const char *issuer) {
  tc_cert *c = load_cert(file);
  char *s = tc_cert_subject_string(c), *i = tc_cert_issuer_string(c);
  g_assert_cmpstr(s, ==, subject);
  g_assert_cmpstr(i, ==, issuer);
  free(s);
  free(i);
  tc_cert_unref(c);
}

static void test_cert_fields(void) {
  assert_subject("server-rsa.pem", "DC=COM,DC=EXAMPLE,O=tlslite,CN=localhost",
                 "O=tlslite,CN=tlslite test RSA CA");
  assert_subject("client-rsa.pem", "DC=COM,DC=EXAMPLE,CN=client,EMAIL=client@example.com",
                 "O=tlslite,CN=tlslite test RSA CA");
  assert_subject("ca-rsa.pem", "O=tlslite,CN=tlslite test RSA CA", "O=tlslite,CN=tlslite test RSA CA");

  tc_cert *c = load_cert("server-rsa.pem");
  g_assert_cmpint(tc_cert_not_before(c), ==, 1577836800);  /* 2020-01-01 00:00:00 */
  g_assert_cmpint(tc_cert_not_after(c), ==, 2524607999);   /* 2049-12-31 23:59:59 */
  g_assert_cmpuint(tc_cert_dns_name_count(c), ==, 2);
  size_t l;
  const char *dns = tc_cert_dns_name(c, 0, &l);
  g_assert_cmpmem(dns, l, "localhost", 9);
  dns = tc_cert_dns_name(c, 1, &l);
  g_assert_cmpmem(dns, l, "server.example.com", 18);
  g_assert_null(tc_cert_dns_name(c, 2, &l));
  g_assert_cmpuint(tc_cert_ip_count(c), ==, 2);
  const uint8_t *ip = tc_cert_ip(c, 0, &l);
  g_assert_cmpmem(ip, l, "\x7f\x00\x00\x01", 4);
  ip = tc_cert_ip(c, 1, &l);
  g_assert_cmpmem(ip, l, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
  g_assert_false(tc_cert_is_ca(c));
  g_assert_false(tc_cert_is_self_issued(c));
  g_assert_false(tc_cert_must_staple(c));
  g_assert_nonnull(tc_cert_pubkey(c));
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_RSA);
  g_assert_cmpuint(tc_pubkey_bits(tc_cert_pubkey(c)), ==, 2048);
  uint8_t h[64];
  g_assert_cmpuint(tc_cert_end_point_hash(c, h), ==, 32);
  tc_cert *p384 = load_cert("server-p384-sha384.pem");
  g_assert_cmpuint(tc_cert_end_point_hash(p384, h), ==, 48); /* RFC 5929: the signature hash */
  tc_cert_unref(p384);
  size_t spki_len;
  g_assert_nonnull(tc_cert_spki_der(c, &spki_len));
  g_assert_cmpuint(spki_len, >, 256);
  tc_cert_unref(c);

  c = load_cert("server-expired.pem");
  g_assert_cmpint(tc_cert_not_before(c), ==, 1262304000);
  g_assert_cmpint(tc_cert_not_after(c), ==, 1325375999);
  tc_cert_unref(c);

  c = load_cert("ca-rsa.pem");
  g_assert_true(tc_cert_is_ca(c));
  g_assert_true(tc_cert_is_self_issued(c));
  tc_cert_unref(c);

  c = load_cert("server-staple.pem");
  g_assert_true(tc_cert_must_staple(c));
  tc_cert_unref(c);

  c = load_cert("server-ecdsa.pem");
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_EC_P256);
  tc_cert_unref(c);
  c = load_cert("server-p384.pem");
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_EC_P384);
  g_assert_cmpuint(tc_cert_end_point_hash(c, h), ==, 32); /* ca-ecdsa signs with SHA-256 */
  tc_cert_unref(c);
  c = load_cert("server-ed25519.pem");
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_ED25519);
  tc_cert_unref(c);
  c = load_cert("server-ed448.pem");
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_ED448);
  tc_cert_unref(c);
  c = load_cert("server-rsapss.pem");
  g_assert_cmpint(tc_pubkey_type(tc_cert_pubkey(c)), ==, TC_PK_RSA_PSS);
  tc_cert_unref(c);

  tc_cert *leaf = load_cert("server-rsa.pem"), *ca = load_cert("ca-rsa.pem"),
          *other = load_cert("other-ca.pem");
  g_assert_cmpint(tc_cert_verify_signed_by(leaf, ca), ==, 0);
  g_assert_cmpint(tc_cert_verify_signed_by(leaf, other), ==, -1);
  g_assert_cmpint(tc_cert_verify_signed_by(ca, ca), ==, 0);
  tc_cert_unref(leaf);
  tc_cert_unref(ca);
  tc_cert_unref(other);
}

/* Append one AttributeTypeAndValue to the open RDN set. */
static void add_atv(derw *w, const char *oid, size_t oid_len, uint8_t tag, const void *v, size_t vl) {
  size_t seq = derw_begin(w, DER_SEQUENCE);
  derw_tlv(w, DER_OID, oid, oid_len);
  derw_tlv(w, tag, v, vl);
  derw_end(w, seq);
}

static void test_name_strings(void) {
  static const char cn[] = "\x55\x04\x03", o[] = "\x55\x04\x0a", ou[] = "\x55\x04\x0b",
                    odd[] = "\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x01";
  derw w;
  derw_init(&w);
  size_t name = derw_begin(&w, DER_SEQUENCE);
  size_t rdn = derw_begin(&w, DER_SET);
  add_atv(&w, cn, 3, DER_UTF8STRING, "#a,b+c\"d\\e<f>g;h ", 17);
  derw_end(&w, rdn);
  rdn = derw_begin(&w, DER_SET); /* multi-valued RDN */
  add_atv(&w, o, 3, DER_PRINTABLESTRING, " lead", 5);
  add_atv(&w, ou, 3, DER_BMPSTRING, "\x00\xe9\x00t\x00\xe9", 6);
  derw_end(&w, rdn);
  rdn = derw_begin(&w, DER_SET);
  add_atv(&w, odd, sizeof odd - 1, DER_PRINTABLESTRING, "US", 2);
  derw_end(&w, rdn);
  rdn = derw_begin(&w, DER_SET);
  add_atv(&w, cn, 3, DER_T61STRING, "caf\xe9", 4);
  derw_end(&w, rdn);
  derw_end(&w, name);
  g_assert_false(w.failed);
  der d = der_view(w.buf, w.len);
  char *str = tc_name_to_string(&d);
  g_assert_cmpstr(str, ==,
                  "CN=\\#a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\ ,"
                  "O=\\ lead+OU=\xc3\xa9t\xc3\xa9,"
                  "1.3.6.1.4.1.311.60.2.1.1=#13025553,"
                  "CN=caf\xc3\xa9");
  free(str);
  derw_free(&w);

  /* Broken UTF-8 in a UTF8String falls back to the hex form. */
  derw_init(&w);
  name = derw_begin(&w, DER_SEQUENCE);
  rdn = derw_begin(&w, DER_SET);
  add_atv(&w, cn, 3, DER_UTF8STRING, "\xc3(", 2);
  derw_end(&w, rdn);
  derw_end(&w, name);
  d = der_view(w.buf, w.len);
  str = tc_name_to_string(&d);
  g_assert_cmpstr(str, ==, "CN=#0C02C328");
  free(str);
  derw_free(&w);

  /* An empty RDN set is malformed. */
  static const uint8_t bad[] = {0x30, 0x02, 0x31, 0x00};
  d = der_view(bad, sizeof bad);
  g_assert_null(tc_name_to_string(&d));
}

static void test_pem_roundtrip(void) {
  size_t len;
  uint8_t *d = load("server-int-chain.pem", &len);
  tc_pem_block *blocks;
  tc_error err;
  tc_error_clear(&err);
  size_t n = tc_pem_decode((const char *)d, len, &blocks, &err);
  g_assert_cmpuint(n, ==, 2);
  g_assert_cmpstr(blocks[0].label, ==, "CERTIFICATE");
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < n; i++) {
    char *pem = tc_pem_encode(blocks[i].label, blocks[i].der, blocks[i].len);
    g_string_append(s, pem);
    free(pem);
  }
  g_assert_cmpmem(s->str, s->len, d, len);
  g_string_free(s, TRUE);
  tc_pem_blocks_free(blocks, n);
  g_free(d);

  /* Text around blocks is ignored; no block at all is not an error. */
  const char *txt = "hello\nworld\n";
  n = tc_pem_decode(txt, strlen(txt), &blocks, &err);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);
  tc_pem_blocks_free(blocks, n);

  const char *badb64 = "-----BEGIN CERTIFICATE-----\nMII!!!\n-----END CERTIFICATE-----\n";
  n = tc_pem_decode(badb64, strlen(badb64), &blocks, &err);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  const char *noend = "-----BEGIN CERTIFICATE-----\nAAAA\n";
  tc_error_clear(&err);
  n = tc_pem_decode(noend, strlen(noend), &blocks, &err);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  /* Labels must be printable (a NUL would silently truncate the label). */
  static const char nul_label[] = "-----BEGIN A\0B-----\nAAAA\n-----END A\0B-----\n";
  tc_error_clear(&err);
  n = tc_pem_decode(nul_label, sizeof nul_label - 1, &blocks, &err);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  const char *badpad = "-----BEGIN X-----\nAA=A\n-----END X-----\n";
  tc_error_clear(&err);
  n = tc_pem_decode(badpad, strlen(badpad), &blocks, &err);
  g_assert_cmpuint(n, ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
}

static void test_garbage(void) {
  static const uint8_t junk[] = "this is not a certificate";
  tc_cert **certs;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpuint(tc_certs_parse(junk, sizeof junk, &certs, &err), ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  tc_error_clear(&err);
  g_assert_null(tc_cert_parse_der(junk, sizeof junk, &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  tc_error_clear(&err);
  g_assert_null(tc_privkey_parse(junk, sizeof junk, NULL, &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  tc_error_clear(&err);
  tc_privkey *k;
  size_t n;
  g_assert_cmpint(tc_pkcs12_parse(junk, sizeof junk, "x", &certs, &n, &k, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  /* A key file is not a certificate. */
  size_t len;
  uint8_t *d = load("server-rsa-key.pem", &len);
  tc_error_clear(&err);
  g_assert_cmpuint(tc_certs_parse(d, len, &certs, &err), ==, 0);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  g_free(d);
}

static GBytes *cert_der_of(const char *file) {
  tc_cert *c = load_cert(file);
  size_t len;
  const uint8_t *d = tc_cert_der(c, &len);
  GBytes *b = g_bytes_new(d, len);
  tc_cert_unref(c);
  return b;
}

static void test_der_strict(void) {
  GBytes *b = cert_der_of("server-rsa.pem");
  size_t len;
  const uint8_t *d = g_bytes_get_data(b, &len);
  tc_error err;
  tc_error_clear(&err);
  tc_cert *c = tc_cert_parse_der(d, len, &err);
  g_assert_nonnull(c);
  tc_cert_unref(c);

  /* Trailing byte. */
  uint8_t *t = g_malloc(len + 2);
  memcpy(t, d, len);
  t[len] = 0;
  g_assert_null(tc_cert_parse_der(t, len + 1, &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  /* Truncated. */
  tc_error_clear(&err);
  g_assert_null(tc_cert_parse_der(d, len - 1, &err));
  /* Outer length one too large / too small. */
  g_assert_cmpuint(d[1], ==, 0x82);
  memcpy(t, d, len);
  size_t inner = ((size_t)d[2] << 8) | d[3];
  t[2] = (uint8_t)((inner + 1) >> 8);
  t[3] = (uint8_t)(inner + 1);
  tc_error_clear(&err);
  g_assert_null(tc_cert_parse_der(t, len + 1, &err));
  t[2] = (uint8_t)((inner - 1) >> 8);
  t[3] = (uint8_t)(inner - 1);
  tc_error_clear(&err);
  g_assert_null(tc_cert_parse_der(t, len, &err));
  /* Non-minimal length: 0x83 00 hi lo. */
  t[0] = 0x30;
  t[1] = 0x83;
  t[2] = 0;
  t[3] = (uint8_t)(inner >> 8);
  t[4] = (uint8_t)inner;
  memcpy(t + 5, d + 4, len - 4);
  tc_error_clear(&err);
  g_assert_null(tc_cert_parse_der(t, len + 1, &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  g_free(t);
  g_bytes_unref(b);

  /* Reader primitives. */
  static const uint8_t nonmin[] = {0x02, 0x81, 0x01, 0x05};
  static const uint8_t indef[] = {0x30, 0x80, 0x00, 0x00};
  static const uint8_t zeropad[] = {0x02, 0x02, 0x00, 0x05};
  static const uint8_t neg[] = {0x02, 0x01, 0x80};
  static const uint8_t ok[] = {0x02, 0x02, 0x00, 0x80};
  static const uint8_t hightag[] = {0x1f, 0x81, 0x01, 0x00};
  static const uint8_t badbool[] = {0x01, 0x01, 0x01};
  der in = der_view(nonmin, sizeof nonmin), out;
  g_assert_false(der_read_any(&in, NULL, &out, NULL));
  in = der_view(indef, sizeof indef);
  g_assert_false(der_read_any(&in, NULL, &out, NULL));
  in = der_view(hightag, sizeof hightag);
  g_assert_false(der_read_any(&in, NULL, &out, NULL));
  in = der_view(zeropad, sizeof zeropad);
  g_assert_false(der_read_uint_bytes(&in, &out));
  g_assert_cmpuint(in.len, ==, sizeof zeropad); /* nothing consumed on failure */
  in = der_view(neg, sizeof neg);
  g_assert_false(der_read_uint_bytes(&in, &out));
  in = der_view(ok, sizeof ok);
  uint64_t v;
  g_assert_true(der_read_uint(&in, 1000, &v));
  g_assert_cmpuint(v, ==, 128);
  g_assert_true(der_empty(&in));
  bool bv;
  in = der_view(badbool, sizeof badbool);
  g_assert_false(der_read_bool(&in, &bv));

  /* Writer: long lengths are fixed up. */
  derw w;
  derw_init(&w);
  size_t m = derw_begin(&w, DER_SEQUENCE);
  uint8_t big[300] = {0};
  derw_tlv(&w, DER_OCTET_STRING, big, sizeof big);
  derw_end(&w, m);
  g_assert_false(w.failed);
  g_assert_cmpuint(w.len, ==, 4 + 4 + 300);
  g_assert_cmpuint(w.buf[1], ==, 0x82);
  in = der_view(w.buf, w.len);
  der seq;
  g_assert_true(der_read(&in, DER_SEQUENCE, &seq) && der_empty(&in));
  g_assert_true(der_read(&seq, DER_OCTET_STRING, &out) && out.len == 300 && der_empty(&seq));
  derw_free(&w);
}

static void assert_same_key(const char *a, const char *pa, const char *b, const char *pb) {
  tc_error err;
  tc_privkey *ka = load_key(a, pa, &err);
  if (!ka)
    g_error("%s: %s", a, err.message);
  tc_privkey *kb = load_key(b, pb, &err);
  if (!kb)
    g_error("%s: %s", b, err.message);
  GBytes *x = pkcs8_of(ka), *y = pkcs8_of(kb);
  g_assert_true(g_bytes_equal(x, y));
  g_bytes_unref(x);
  g_bytes_unref(y);
  tc_privkey_unref(ka);
  tc_privkey_unref(kb);
}

static void test_keys(void) {
  const char *rsa[] = {"server-rsa-key.pem", "server-rsa-key-pkcs1.pem", "server-rsa-key-pkcs8.pem",
                       "server-rsa-key-pkcs8.der"};
  for (size_t i = 1; i < G_N_ELEMENTS(rsa); i++)
    assert_same_key(rsa[0], NULL, rsa[i], NULL);
  assert_same_key(rsa[0], NULL, "server-rsa-key-enc.pem", "secret");
  assert_same_key(rsa[0], NULL, "server-rsa-key-enc-aes128-sha1.pem", "secret");
  assert_same_key(rsa[0], NULL, "server-rsa-key-enc-3des.pem", "secret");
  assert_same_key("server-ecdsa-key.pem", NULL, "server-ecdsa-key-sec1.pem", NULL);
  assert_same_key("server-ecdsa-key.pem", NULL, "server-ecdsa-key-pkcs8.pem", NULL);

  /* Our PKCS#8 output is byte-identical to OpenSSL's for RSA, EC and Ed25519. */
  const char *same[][2] = {{"server-rsa-key-pkcs1.pem", "server-rsa-key-pkcs8.der"},
                           {"server-ecdsa-key-sec1.pem", "server-ecdsa-key-pkcs8.pem"},
                           {"server-ed25519-key.pem", "server-ed25519-key.pem"},
                           {"server-p384-key.pem", "server-p384-key.pem"},
                           {"server-ed448-key.pem", "server-ed448-key.pem"}};
  for (size_t i = 0; i < G_N_ELEMENTS(same); i++) {
    tc_error err;
    tc_privkey *k = load_key(same[i][0], NULL, &err);
    g_assert_nonnull(k);
    GBytes *ours = pkcs8_of(k);
    size_t len;
    uint8_t *file = load(same[i][1], &len);
    GBytes *want;
    if (g_str_has_suffix(same[i][1], ".der")) {
      want = g_bytes_new(file, len);
    } else {
      tc_pem_block *blocks;
      tc_error_clear(&err);
      g_assert_cmpuint(tc_pem_decode((char *)file, len, &blocks, &err), ==, 1);
      g_assert_cmpstr(blocks[0].label, ==, "PRIVATE KEY");
      want = g_bytes_new(blocks[0].der, blocks[0].len);
      tc_pem_blocks_free(blocks, 1);
    }
    g_assert_true(g_bytes_equal(ours, want));
    g_bytes_unref(ours);
    g_bytes_unref(want);
    g_free(file);
    tc_privkey_unref(k);
  }

  struct {
    const char *key, *cert;
    tc_pk_type type;
  } pairs[] = {
      {"server-rsa-key.pem", "server-rsa.pem", TC_PK_RSA},
      {"server-ecdsa-key-sec1.pem", "server-ecdsa.pem", TC_PK_EC_P256},
      {"server-p384-key.pem", "server-p384.pem", TC_PK_EC_P384},
      {"server-ed25519-key.pem", "server-ed25519.pem", TC_PK_ED25519},
      {"client-ecdsa-key.pem", "client-ecdsa.pem", TC_PK_EC_P256},
      {"server-ed448-key.pem", "server-ed448.pem", TC_PK_ED448},
      {"server-rsapss-key.pem", "server-rsapss.pem", TC_PK_RSA_PSS},
      {"server-rsapss-params-key.pem", "server-rsapss-params.pem", TC_PK_RSA_PSS},
      {"server-p521-key.pem", "server-p521.pem", TC_PK_EC_P521},
  };
  tc_cert *other = load_cert("server-int.pem");
  for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
    tc_error err;
    tc_privkey *k = load_key(pairs[i].key, NULL, &err);
    g_assert_nonnull(k);
    g_assert_cmpint(tc_privkey_type(k), ==, pairs[i].type);
    tc_cert *c = load_cert(pairs[i].cert);
    g_assert_true(tc_privkey_matches_cert(k, c));
    g_assert_false(tc_privkey_matches_cert(k, other));
    tc_cert_unref(c);
    tc_privkey_unref(k);
  }
  tc_cert_unref(other);

  /* A PEM file holding a certificate and then a key: the key is found. */
  size_t l1, l2;
  uint8_t *c1 = load("server-rsa.pem", &l1), *k1 = load("server-rsa-key.pem", &l2);
  GByteArray *both = g_byte_array_new();
  g_byte_array_append(both, c1, (guint)l1);
  g_byte_array_append(both, k1, (guint)l2);
  tc_error err;
  tc_error_clear(&err);
  tc_privkey *k = tc_privkey_parse(both->data, both->len, NULL, &err);
  g_assert_nonnull(k);
  tc_privkey_unref(k);
  g_byte_array_unref(both);
  g_free(c1);
  g_free(k1);
}

static void test_legacy_pem(void) {
  static const char legacy[] =
      "-----BEGIN RSA PRIVATE KEY-----\n"
      "Proc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
      "AAAA\n"
      "-----END RSA PRIVATE KEY-----\n";
  tc_error err;
  tc_error_clear(&err);
  g_assert_null(tc_privkey_parse((const uint8_t *)legacy, strlen(legacy), "secret", &err));
  g_assert_cmpint(err.code, ==, TC_ERR_UNSUPPORTED);
  /* The certificate next to such a key still loads. */
  size_t len;
  uint8_t *d = load("server-rsa.pem", &len);
  GByteArray *both = g_byte_array_new();
  g_byte_array_append(both, d, (guint)len);
  g_byte_array_append(both, (const guint8 *)legacy, (guint)strlen(legacy));
  tc_cert **certs;
  tc_error_clear(&err);
  g_assert_cmpuint(tc_certs_parse(both->data, both->len, &certs, &err), ==, 1);
  tc_cert_unref(certs[0]);
  free(certs);
  g_byte_array_unref(both);
  g_free(d);
}

static void test_bad_password(void) {
  tc_error err;
  g_assert_null(load_key("server-rsa-key-enc.pem", "wrong", &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_PASSWORD);
  g_assert_null(load_key("server-rsa-key-enc.pem", NULL, &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_PASSWORD);
  g_assert_null(load_key("server-rsa-key-enc-3des.pem", "Secret", &err));
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_PASSWORD);

  const char *p12s[] = {"server-rsa.p12", "server-rsa-encrypted.p12", "server-rsa-legacy.p12",
                        "server-rsa-rc2.p12"};
  for (size_t i = 0; i < G_N_ELEMENTS(p12s); i++) {
    size_t len, n;
    uint8_t *d = load(p12s[i], &len);
    tc_cert **certs;
    tc_privkey *k;
    tc_error_clear(&err);
    g_assert_cmpint(tc_pkcs12_parse(d, len, "4321", &certs, &n, &k, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_BAD_PASSWORD);
    tc_error_clear(&err);
    g_assert_cmpint(tc_pkcs12_parse(d, len, NULL, &certs, &n, &k, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_BAD_PASSWORD);
    g_free(d);
  }
}

static void test_pkcs12(void) {
  const struct {
    const char *file, *password;
  } files[] = {
      {"server-rsa.p12", "1234"},
      {"server-rsa-nopass.p12", NULL},
      {"server-rsa-nopass.p12", ""},
      {"server-rsa-encrypted.p12", "1234"},
      {"server-rsa-legacy.p12", "1234"},
      {"server-rsa-rc2.p12", "1234"},
  };
  GBytes *leaf = cert_der_of("server-rsa.pem"), *ca = cert_der_of("ca-rsa.pem");
  tc_error err;
  tc_privkey *want = load_key("server-rsa-key.pem", NULL, &err);
  GBytes *want8 = pkcs8_of(want);
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    size_t len, n;
    uint8_t *d = load(files[i].file, &len);
    tc_cert **certs;
    tc_privkey *k;
    tc_error_clear(&err);
    if (tc_pkcs12_parse(d, len, files[i].password, &certs, &n, &k, &err) != TC_OK)
      g_error("%s: %s", files[i].file, err.message);
    g_assert_cmpuint(n, ==, 2);
    g_assert_nonnull(k);
    size_t dl;
    const uint8_t *dd = tc_cert_der(certs[0], &dl);
    g_assert_cmpmem(dd, dl, g_bytes_get_data(leaf, NULL), g_bytes_get_size(leaf));
    dd = tc_cert_der(certs[1], &dl);
    g_assert_cmpmem(dd, dl, g_bytes_get_data(ca, NULL), g_bytes_get_size(ca));
    GBytes *got8 = pkcs8_of(k);
    g_assert_true(g_bytes_equal(got8, want8));
    g_bytes_unref(got8);
    tc_privkey_unref(k);
    for (size_t j = 0; j < n; j++)
      tc_cert_unref(certs[j]);
    free(certs);

    /* Truncations fail cleanly. */
    for (size_t cut = 1; cut < len; cut += len / 7 + 1) {
      tc_error_clear(&err);
      g_assert_cmpint(tc_pkcs12_parse(d, len - cut, files[i].password, &certs, &n, &k, &err), ==,
                      TC_FAIL);
    }
    g_free(d);
  }
  g_bytes_unref(want8);
  tc_privkey_unref(want);
  g_bytes_unref(leaf);
  g_bytes_unref(ca);
}

/* ---- verification ---- */

static tc_trust_store *store_of(const char *files) {
  tc_trust_store *s = tc_trust_store_new();
  gchar **v = g_strsplit(files, " ", -1);
  for (gchar **f = v; *f; f++) {
    size_t len;
    uint8_t *d = load(*f, &len);
    tc_error err;
    tc_error_clear(&err);
    tc_trust_store_add_data(s, d, len, &err);
    g_assert_cmpint(err.code, ==, TC_ERR_NONE);
    g_free(d);
  }
  g_strfreev(v);
  g_assert_cmpuint(tc_trust_store_count(s), >, 0);
  return s;
}

static unsigned verify_full(const char *chain_files, const char *anchors, const char *identity,
                            int64_t now, tc_purpose purpose, size_t *path_len) {
  GPtrArray *chain = g_ptr_array_new();
  gchar **v = g_strsplit(chain_files, " ", -1);
  for (gchar **f = v; *f; f++) {
    size_t len;
    uint8_t *d = load(*f, &len);
    tc_cert **certs;
    tc_error err;
    tc_error_clear(&err);
    size_t n = tc_certs_parse(d, len, &certs, &err);
    g_assert_cmpuint(n, >, 0);
    for (size_t i = 0; i < n; i++)
      g_ptr_array_add(chain, certs[i]);
    free(certs);
    g_free(d);
  }
  g_strfreev(v);
  tc_trust_store *s = store_of(anchors);
  tc_cert **path = NULL;
  size_t plen = 0;
  unsigned flags = tc_x509_verify((tc_cert *const *)chain->pdata, chain->len, s, identity, now,
                                  purpose, &path, &plen);
  if (flags == 0) {
    g_assert_nonnull(path);
    g_assert_true(path[0] == chain->pdata[0]);
  } else {
    g_assert_null(path);
  }
  for (size_t i = 0; i < plen; i++)
    tc_cert_unref(path[i]);
  free(path);
  if (path_len)
    *path_len = plen;
  for (guint i = 0; i < chain->len; i++)
    tc_cert_unref(chain->pdata[i]);
  g_ptr_array_unref(chain);
  tc_trust_store_unref(s);
  return flags;
}

static unsigned verify(const char *chain, const char *anchors, const char *identity) {
  return verify_full(chain, anchors, identity, NOW, TC_PURPOSE_SERVER, NULL);
}

static void test_verify(void) {
  size_t plen;
  g_assert_cmpuint(verify_full("server-rsa.pem", "ca-rsa.pem", "localhost", NOW, TC_PURPOSE_SERVER, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 2);
  g_assert_cmpuint(verify("server-rsa.pem", "ca-bundle.pem", "server.example.com"), ==, 0);
  g_assert_cmpuint(verify("server-rsa.pem", "ca-rsa.pem", NULL), ==, 0);
  g_assert_cmpuint(verify("server-ecdsa.pem", "ca-ecdsa.pem", "127.0.0.1"), ==, 0);
  g_assert_cmpuint(verify("server-p384.pem", "ca-ecdsa.pem", "::1"), ==, 0);
  g_assert_cmpuint(verify("server-ed25519.pem", "ca-bundle.pem", "localhost"), ==, 0);
  /* RSASSA-PSS, Ed25519 and ECDSA-SHA384 signatures; a signature under the wrong key fails. */
  g_assert_cmpuint(verify("server-pss.pem", "ca-rsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-by-ed25519.pem", "ca-ed25519.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-p384-sha384.pem", "ca-ecdsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-by-ed25519.pem", "ca-ecdsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-ed448.pem", "ca-ed448.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-ed448.pem", "ca-ed25519.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-rsapss.pem", "ca-rsa.pem", "localhost"), ==, 0);
  /* Via an intermediate; chain in order, unordered, with duplicates and extras. */
  g_assert_cmpuint(verify_full("server-int-chain.pem", "ca-rsa.pem", "localhost", NOW, TC_PURPOSE_SERVER, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 3);
  g_assert_cmpuint(verify("server-int.pem ca-rsa.pem other-ca.pem int-rsa.pem", "ca-rsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-int.pem int-rsa.pem int-rsa.pem server-int.pem ca-rsa.pem", "ca-rsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-int.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  /* Unknown CA, dates, identity and their combinations. */
  g_assert_cmpuint(verify("server-other.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-rsa.pem", "ca-ecdsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-expired.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_EXPIRED);
  g_assert_cmpuint(verify("server-notyet.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_NOT_ACTIVATED);
  g_assert_cmpuint(verify("server-wronghost.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_BAD_IDENTITY);
  g_assert_cmpuint(verify("server-wronghost.pem", "ca-rsa.pem", "other.example.org"), ==, 0);
  g_assert_cmpuint(verify("server-other.pem", "ca-rsa.pem", "wrong.example.net"), ==,
                   TC_CERT_UNKNOWN_CA | TC_CERT_BAD_IDENTITY);
  g_assert_cmpuint(verify("server-expired.pem", "other-ca.pem", "wrong.example.net"), ==,
                   TC_CERT_UNKNOWN_CA | TC_CERT_BAD_IDENTITY | TC_CERT_EXPIRED);
  g_assert_cmpuint(verify("server-expired.pem", "ca-rsa.pem", "wrong.example.net"), ==,
                   TC_CERT_BAD_IDENTITY | TC_CERT_EXPIRED);
  /* Before every certificate's start, the anchor is also not active. */
  g_assert_cmpuint(verify_full("server-rsa.pem", "ca-rsa.pem", "localhost", 1000000000, TC_PURPOSE_SERVER, NULL), ==,
                   TC_CERT_NOT_ACTIVATED);
  g_assert_cmpuint(verify_full("server-rsa.pem", "ca-rsa.pem", "localhost", 2600000000LL, TC_PURPOSE_SERVER, NULL), ==,
                   TC_CERT_EXPIRED);
  /* A self-signed leaf validates only when it is itself trusted. */
  g_assert_cmpuint(verify_full("server-self.pem", "server-self.pem", "localhost", NOW, TC_PURPOSE_SERVER, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 1);
  g_assert_cmpuint(verify("server-self.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  /* Purposes (extendedKeyUsage). */
  g_assert_cmpuint(verify_full("client-rsa.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_CLIENT, NULL), ==, 0);
  g_assert_cmpuint(verify_full("client-rsa.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_SERVER, NULL), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_full("client-rsa.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_ANY, NULL), ==, 0);
  g_assert_cmpuint(verify_full("server-rsa.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_CLIENT, NULL), ==,
                   TC_CERT_GENERIC_ERROR);
  /* Name constraints. */
  g_assert_cmpuint(verify("nc-good.pem nc-ca.pem", "ca-rsa.pem", "server.example.com"), ==, 0);
  g_assert_cmpuint(verify("nc-good.pem nc-ca.pem", "ca-rsa.pem", "127.0.0.1"), ==, 0);
  g_assert_cmpuint(verify("nc-bad.pem nc-ca.pem", "ca-rsa.pem", NULL), ==, TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify("nc-excluded.pem nc-ca.pem", "ca-rsa.pem", NULL), ==, TC_CERT_GENERIC_ERROR);
  /* Unknown critical extension, MD5 signature. */
  g_assert_cmpuint(verify("server-critext.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify("server-md5.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_INSECURE);
  /* A CA:false leaf cannot issue. (Any purpose: as a server certificate
   * bad-issuer.pem also breaks the Web PKI CN rule.) */
  g_assert_cmpuint(verify_full("bad-issuer.pem server-rsa.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_ANY, NULL), ==,
                   TC_CERT_UNKNOWN_CA);
  /* pathLenConstraint, keyCertSign, and issuer cycles. */
  g_assert_cmpuint(verify("server-int2.pem int2-rsa.pem int-rsa.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-int2.pem int2-rsa.pem int-rsa.pem", "int2-rsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify("server-noku.pem int-noku.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-loop.pem loop-a.pem loop-b.pem", "ca-rsa.pem", "localhost"), ==, TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify("server-loop.pem loop-b.pem loop-a.pem", "loop-b.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify_full("server-loop.pem loop-b.pem loop-a.pem", "loop-a.pem", "localhost", NOW, TC_PURPOSE_SERVER, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 2);
  /* Cross-signed root: either the anchor or the cross path works. */
  g_assert_cmpuint(verify("server-rsa.pem ca-rsa-cross.pem", "ca-rsa.pem", "localhost"), ==, 0);
  g_assert_cmpuint(verify_full("server-rsa.pem ca-rsa-cross.pem", "other-ca.pem", "localhost", NOW, TC_PURPOSE_SERVER, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 3);
  /* The top of the chain has the anchor's subject and key but another
   * signature: the anchor stands in for it. */
  g_assert_cmpuint(verify_full("ca-rsa-cross.pem", "ca-rsa.pem", NULL, NOW, TC_PURPOSE_ANY, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 2);
  /* A long hostile chain of mutually certifying CAs ends quickly. */
  {
    tc_cert *leafc = load_cert("server-loop.pem"), *a = load_cert("loop-a.pem"),
            *b = load_cert("loop-b.pem");
    enum { N = 2001 };
    tc_cert **chain = g_new(tc_cert *, N);
    chain[0] = leafc;
    for (size_t i = 1; i < N; i++)
      chain[i] = (i % 2) ? a : b;
    tc_trust_store *s = store_of("ca-rsa.pem");
    gint64 t0 = g_get_monotonic_time();
    g_assert_cmpuint(tc_x509_verify(chain, N, s, "localhost", NOW, TC_PURPOSE_SERVER, NULL, NULL), ==,
                     TC_CERT_UNKNOWN_CA);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    tc_trust_store_unref(s);
    g_free(chain);
    tc_cert_unref(leafc);
    tc_cert_unref(a);
    tc_cert_unref(b);
  }
  /* Empty store. */
  tc_trust_store *empty = tc_trust_store_new();
  tc_cert *leaf = load_cert("server-rsa.pem");
  g_assert_cmpuint(tc_x509_verify(&leaf, 1, empty, NULL, NOW, TC_PURPOSE_SERVER, NULL, NULL), ==,
                   TC_CERT_UNKNOWN_CA);
  tc_cert_unref(leaf);
  tc_trust_store_unref(empty);
}

/* RFC 7633 decided on the path tc_x509_verify builds: the leaf's TLS
 * Feature or a CA's on the path; no staple fails, a staple or no policy
 * (validation outside a handshake) passes. */
static unsigned verify_staple(const char *leaf_file, const char *anchors, tc_staple staple) {
  tc_cert *leaf = load_cert(leaf_file);
  tc_trust_store *s = store_of(anchors);
  /* gio-conn/ certificates are made when the tests are generated: now. */
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  unsigned f = tc_x509_verify_staple(&leaf, 1, s, "localhost", now, TC_PURPOSE_SERVER, staple,
                                     NULL, NULL);
  tc_trust_store_unref(s);
  tc_cert_unref(leaf);
  return f;
}

static void test_must_staple(void) {
  const unsigned missing = TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING;
  g_assert_cmpuint(verify_staple("server-staple.pem", "ca-rsa.pem", TC_STAPLE_NONE), ==, missing);
  g_assert_cmpuint(verify_staple("server-staple.pem", "ca-rsa.pem", TC_STAPLE_PRESENT), ==, 0);
  g_assert_cmpuint(verify_staple("server-staple.pem", "ca-rsa.pem", TC_STAPLE_IGNORE), ==, 0);
  g_assert_cmpuint(verify("server-staple.pem", "ca-rsa.pem", "localhost"), ==, 0);
  /* The feature on the (anchor) CA that issued an ordinary leaf. */
  g_assert_cmpuint(verify_staple("gio-conn/server-by-staple-ca.pem", "gio-conn/ca-staple.pem",
                                 TC_STAPLE_NONE), ==, missing);
  g_assert_cmpuint(verify_staple("gio-conn/server-by-staple-ca.pem", "gio-conn/ca-staple.pem",
                                 TC_STAPLE_PRESENT), ==, 0);
  /* No must-staple anywhere: nothing to add. */
  g_assert_cmpuint(verify_staple("server-rsa.pem", "ca-rsa.pem", TC_STAPLE_NONE), ==, 0);
  /* Unknown issuer: the leaf's own feature still counts. */
  g_assert_cmpuint(verify_staple("server-staple.pem", "ca-ecdsa.pem", TC_STAPLE_NONE), ==,
                   TC_CERT_UNKNOWN_CA | missing);
  g_assert_cmpuint(verify_staple("server-staple.pem", "ca-ecdsa.pem", TC_STAPLE_PRESENT), ==,
                   TC_CERT_UNKNOWN_CA);
}

/* tc_cert_issued_by: the same answers as tc_cert_verify_signed_by, and an
 * edge verified by path building is remembered on the certificate object. */
static void test_issued_by(void) {
  tc_cert *leaf = load_cert("server-ecdsa.pem");
  tc_cert *ca = load_cert("ca-ecdsa.pem");
  tc_cert *other = load_cert("ca-rsa.pem");
  g_assert_cmpint(tc_cert_issued_by(leaf, ca), ==, 0);
  g_assert_cmpint(tc_cert_issued_by(leaf, ca), ==, 0); /* remembered */
  g_assert_cmpint(tc_cert_issued_by(leaf, other), ==, -1);
  g_assert_cmpint(tc_cert_issued_by(leaf, leaf), ==, -1);
  g_assert_cmpint(tc_cert_issued_by(ca, ca), ==, 0); /* self-signed */
  /* Another parse of the same CA (equal key, other object) is recognised. */
  tc_cert *ca2 = load_cert("ca-ecdsa.pem");
  g_assert_cmpint(tc_cert_issued_by(leaf, ca2), ==, 0);
  /* A leaf with the same issuer name but another key: the remembered edge
   * of one certificate says nothing about another. */
  tc_cert *rsa_leaf = load_cert("server-rsa.pem");
  g_assert_cmpint(tc_cert_issued_by(rsa_leaf, ca), ==, -1);
  g_assert_cmpint(tc_cert_issued_by(rsa_leaf, other), ==, 0);
  /* Path building notes its edges too. */
  tc_cert *leaf2 = load_cert("server-ecdsa.pem");
  tc_trust_store *s = store_of("ca-ecdsa.pem");
  g_assert_cmpuint(tc_x509_verify(&leaf2, 1, s, NULL, NOW, TC_PURPOSE_SERVER, NULL, NULL), ==, 0);
  g_assert_cmpint(tc_cert_issued_by(leaf2, tc_trust_store_get(s, 0)), ==, 0);
  tc_trust_store_unref(s);
  tc_cert_unref(leaf2);
  tc_cert_unref(rsa_leaf);
  tc_cert_unref(ca2);
  tc_cert_unref(other);
  tc_cert_unref(ca);
  tc_cert_unref(leaf);
}

static void test_store(void) {
  tc_trust_store *s = store_of("ca-bundle.pem ca-rsa.pem");
  g_assert_cmpuint(tc_trust_store_count(s), ==, 2); /* duplicates are kept once */
  tc_cert *leaf = load_cert("server-rsa.pem");
  size_t nl;
  const uint8_t *issuer = tc_cert_issuer_der(leaf, &nl);
  tc_cert **found;
  g_assert_cmpuint(tc_trust_store_find_by_subject(s, issuer, nl, &found), ==, 1);
  g_assert_cmpint(tc_cert_verify_signed_by(leaf, found[0]), ==, 0);
  free(found);
  const uint8_t *subj = tc_cert_subject_der(leaf, &nl);
  g_assert_cmpuint(tc_trust_store_find_by_subject(s, subj, nl, &found), ==, 0);
  tc_cert_unref(leaf);
  tc_trust_store_unref(s);
}

static void test_identity(void) {
  tc_cert *c = load_cert("server-rsa.pem");
  const struct {
    const char *name;
    bool ok;
  } std[] = {
      {"localhost", true}, {"LOCALHOST", true}, {"localhost.", true},
      {"server.example.com", true}, {"Server.Example.COM.", true},
      {"other.example.com", false}, {"example.com", false}, {"server.example.com..", false},
      {"127.0.0.1", true}, {"::1", true}, {"[::1]", true}, {"0:0:0:0:0:0:0:1", true},
      {"127.0.0.2", false}, {"::2", false}, {"127.1", false}, {"", false},
      {"localhost\nx", false}, {"*.example.com", false},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(std); i++)
    if (tc_x509_match_identity(c, std[i].name) != std[i].ok)
      g_error("identity \"%s\" should %smatch", std[i].name, std[i].ok ? "" : "not ");
  tc_cert_unref(c);

  c = load_cert("server-wildcard.pem");
  const struct {
    const char *name;
    bool ok;
  } wild[] = {
      {"a.example.com", true}, {"WWW.EXAMPLE.COM", true}, {"a.example.com.", true},
      {"example.com", false}, {"a.b.example.com", false}, {".example.com", false},
      {"foo.com", false},              /* "*.com" is too broad to honour */
      {"foo.example.net", false},      /* partial-label wildcard */
      {"exact.example.net", true}, {"x.exact.example.net", false},
      {"10.0.0.1", true}, {"10.0.0.2", false}, {"::ffff:10.0.0.1", false},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(wild); i++)
    if (tc_x509_match_identity(c, wild[i].name) != wild[i].ok)
      g_error("identity \"%s\" should %smatch the wildcard certificate", wild[i].name,
              wild[i].ok ? "" : "not ");
  tc_cert_unref(c);

  /* No subjectAltName: no match, even for the CN (RFC 6125, no CN fallback). */
  c = load_cert("client-rsa.pem");
  g_assert_false(tc_x509_match_identity(c, "client"));
  tc_cert_unref(c);
}

/* tc_cert_parse_der_cached: byte-identical input on one cache shares one
 * parsed object, anything else is parsed on its own (and bad input still
 * fails); caches are independent; no cache means a plain parse. */
static void test_parse_shared(void) {
  tc_cert_cache *cc = tc_cert_cache_new(), *cc2 = tc_cert_cache_new();
  g_assert_nonnull(cc);
  g_assert_nonnull(cc2);
  tc_cert *a = load_cert("server-rsa.pem"), *b = load_cert("server-ecdsa.pem");
  size_t alen, blen;
  const uint8_t *ader = tc_cert_der(a, &alen), *bder = tc_cert_der(b, &blen);
  tc_error err;
  tc_error_clear(&err);
  tc_cert *a1 = tc_cert_parse_der_cached(cc, ader, alen, &err);
  tc_cert *a2 = tc_cert_parse_der_cached(cc, ader, alen, &err);
  tc_cert *b1 = tc_cert_parse_der_cached(cc, bder, blen, &err);
  g_assert_nonnull(a1);
  g_assert_nonnull(b1);
  g_assert_true(a1 == a2);
  g_assert_true(a1 != a && a1 != b1);
  g_assert_true(tc_cert_equal(a1, a));
  g_assert_true(tc_cert_equal(b1, b));
  /* One byte changed inside the signature: a different (still parseable) certificate. */
  uint8_t *mod = g_memdup2(ader, alen);
  mod[alen - 1] ^= 1;
  tc_cert *m = tc_cert_parse_der_cached(cc, mod, alen, &err);
  g_assert_nonnull(m);
  g_assert_true(m != a1);
  g_assert_false(tc_cert_equal(m, a1));
  /* Truncated: refused, never served from the cache. */
  g_assert_null(tc_cert_parse_der_cached(cc, ader, alen - 1, &err));
  /* Enough other certificates push it out; a later parse is a new object. */
  static const char *const others[] = {"ca-rsa.pem", "ca-ecdsa.pem", "client-rsa.pem",
                                       "client-ecdsa.pem", "int-rsa.pem", "int2-rsa.pem",
                                       "other-ca.pem", "nc-ca.pem", "ca-ed25519.pem"};
  for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
    tc_cert *o = load_cert(others[i]);
    size_t olen;
    const uint8_t *oder = tc_cert_der(o, &olen);
    tc_cert *s = tc_cert_parse_der_cached(cc, oder, olen, &err);
    g_assert_nonnull(s);
    tc_cert_unref(s);
    tc_cert_unref(o);
  }
  tc_cert *a3 = tc_cert_parse_der_cached(cc, ader, alen, &err);
  g_assert_nonnull(a3);
  g_assert_true(a3 != a1);
  g_assert_true(tc_cert_equal(a3, a1));
  /* Another cache, or none, never returns this cache's objects. */
  tc_cert *x = tc_cert_parse_der_cached(cc2, ader, alen, &err);
  tc_cert *y = tc_cert_parse_der_cached(NULL, ader, alen, &err);
  tc_cert *z = tc_cert_parse_der_cached(NULL, ader, alen, &err);
  g_assert_nonnull(x);
  g_assert_nonnull(y);
  g_assert_nonnull(z);
  g_assert_true(x != a3 && y != a3 && y != x && z != y);
  g_assert_true(tc_cert_equal(x, a3) && tc_cert_equal(y, a3));
  tc_cert_unref(x);
  tc_cert_unref(y);
  tc_cert_unref(z);
  /* The caller's references stay valid whatever the cache dropped. */
  g_assert_cmpint(tc_cert_pubkey(a1) != NULL, ==, 1);
  g_free(mod);
  tc_cert_unref(m);
  tc_cert_unref(a3);
  tc_cert_unref(a2);
  tc_cert_unref(a1);
  tc_cert_unref(b1);
  tc_cert_unref(a);
  tc_cert_unref(b);
  tc_cert_cache_free(cc);
  tc_cert_cache_free(cc2);
}

/* ---- issue 10: path validation rules, on tests/data/x509 (make-x509-certs.sh) ---- */

/* After the day neg-serial.pem (dated from when it was made) starts. */
#define LATER 1900000000

/* Validates with settings; returns the flags and the reason (static). */
static unsigned verify_o(const char *chain_files, const char *anchors, tc_verify_opts o,
                         const char **reason, size_t *path_len) {
  GPtrArray *chain = g_ptr_array_new();
  gchar **v = g_strsplit(chain_files, " ", -1);
  for (gchar **f = v; *f; f++) {
    size_t len;
    uint8_t *d = load(*f, &len);
    tc_cert **certs;
    tc_error err;
    tc_error_clear(&err);
    size_t n = tc_certs_parse(d, len, &certs, &err);
    g_assert_cmpuint(n, >, 0);
    for (size_t i = 0; i < n; i++)
      g_ptr_array_add(chain, certs[i]);
    free(certs);
    g_free(d);
  }
  g_strfreev(v);
  tc_trust_store *s = store_of(anchors);
  tc_cert **path = NULL;
  size_t plen = 0;
  const char *why = NULL;
  if (!o.now)
    o.now = NOW;
  if (o.purpose == TC_PURPOSE_ANY)
    o.purpose = TC_PURPOSE_SERVER; /* TC_PURPOSE_ANY goes through verify_full */
  unsigned flags = tc_x509_verify_opts((tc_cert *const *)chain->pdata, chain->len, s, &o, &why,
                                       &path, &plen);
  /* A reason exactly when the result is not 0. */
  g_assert_true((flags == 0) == (why == NULL));
  for (size_t i = 0; i < plen; i++)
    tc_cert_unref(path[i]);
  free(path);
  if (reason)
    *reason = why;
  if (path_len)
    *path_len = plen;
  for (guint i = 0; i < chain->len; i++)
    tc_cert_unref(chain->pdata[i]);
  g_ptr_array_unref(chain);
  tc_trust_store_unref(s);
  return flags;
}

static unsigned verify_why(const char *chain, const char *anchors, const char *identity,
                           const char *why_part) {
  const char *why = NULL;
  unsigned f = verify_o(chain, anchors, (tc_verify_opts){.identity = identity}, &why, NULL);
  if (why_part) {
    g_assert_nonnull(why);
    if (!strstr(why, why_part))
      g_error("reason \"%s\" does not mention \"%s\"", why, why_part);
  }
  return f;
}

/* 1. Host names. By default an exact host-name CN names the host when the
 * leaf has no subjectAltName extension at all (RFC 6125 6.4.4, GnuTLS) and
 * no certificate of the path carries name constraints; never an IP
 * address; never with no_cn_fallback (RFC 9525). Name constraints judge
 * such a CN as a dNSName whether or not it is matched. */
static void test_verify_cn(void) {
  tc_verify_opts o = {.identity = "localhost"};
  /* No SAN at all: the CN matches, exactly (case and a final dot aside). */
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  o.identity = "LOCALHOST.";
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  o.identity = "other.example.com";
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-rsa.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  o.identity = "sub.localhost";
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-rsa.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  /* RFC 9525: the CN never names the host. */
  const char *why = NULL;
  tc_verify_opts rfc9525 = {.identity = "localhost", .no_cn_fallback = true};
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-rsa.pem", rfc9525, &why, NULL), ==, TC_CERT_BAD_IDENTITY);
  g_assert_nonnull(strstr(why, "name the host"));
  /* A SAN with only an IP address: the CN is not consulted. (Its CN is
   * not in its SAN, which the Web PKI profile rejects on its own.) */
  o.no_webpki_leaf = true;
  o.identity = "localhost";
  g_assert_cmpuint(verify_o("x509/ip-only-cn.pem", "ca-rsa.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  o.identity = "127.0.0.1";
  g_assert_cmpuint(verify_o("x509/ip-only-cn.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  /* A SAN with a dNSName: CN=other.example.com, SAN localhost. */
  o.identity = "other.example.com";
  g_assert_cmpuint(verify_o("x509/webpki-cn-other.pem", "ca-rsa.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  o.identity = "localhost";
  g_assert_cmpuint(verify_o("x509/webpki-cn-other.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  o.no_webpki_leaf = false;
  /* nc-ca permits example.com and excludes bad.example.com. Under it the
   * CN never names the host, even inside the permitted names... */
  o.identity = "www.example.com";
  g_assert_cmpuint(verify_o("x509/nc-cn-inside.pem nc-ca.pem", "ca-rsa.pem", o, &why, NULL), ==,
                   TC_CERT_BAD_IDENTITY);
  g_assert_nonnull(strstr(why, "name the host"));
  g_assert_cmpuint(verify_o("x509/nc-cn-inside.pem nc-ca.pem", "ca-rsa.pem", (tc_verify_opts){0}, NULL, NULL),
                   ==, 0);
  /* ...also when the constrained CA is the trust anchor... */
  g_assert_cmpuint(verify_o("x509/nc-cn-inside.pem", "nc-ca.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  /* ...and the constraints judge the CN as a dNSName: a CN outside the
   * permitted names or inside the excluded ones breaks them. */
  o.identity = "evil.example.org";
  g_assert_cmpuint(verify_o("x509/nc-cn-outside.pem nc-ca.pem", "ca-rsa.pem", o, &why, NULL), ==,
                   TC_CERT_GENERIC_ERROR | TC_CERT_BAD_IDENTITY);
  g_assert_nonnull(strstr(why, "permitted"));
  o.identity = "bad.example.com";
  g_assert_cmpuint(verify_o("x509/nc-cn-excluded.pem nc-ca.pem", "ca-rsa.pem", o, &why, NULL), ==,
                   TC_CERT_GENERIC_ERROR | TC_CERT_BAD_IDENTITY);
  g_assert_nonnull(strstr(why, "excluded"));
  g_assert_cmpuint(verify_why("x509/nc-cn-excluded.pem nc-ca.pem", "ca-rsa.pem", NULL, "excluded"), ==,
                   TC_CERT_GENERIC_ERROR);
  rfc9525.identity = NULL;
  g_assert_cmpuint(verify_o("x509/nc-cn-excluded.pem nc-ca.pem", "ca-rsa.pem", rfc9525, &why, NULL), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_nonnull(strstr(why, "excluded"));
  /* No path (the leaf's CA is not trusted): the CN still names the host,
   * so the only flag is the missing anchor (glib-networking's
   * file-database/verify-bad-ca expects exactly that of GnuTLS). */
  o.identity = "localhost";
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-ecdsa.pem", o, NULL, NULL), ==, TC_CERT_UNKNOWN_CA);
  rfc9525.identity = "localhost";
  g_assert_cmpuint(verify_o("x509/cn-only.pem", "ca-ecdsa.pem", rfc9525, NULL, NULL), ==,
                   TC_CERT_UNKNOWN_CA | TC_CERT_BAD_IDENTITY);
  /* The same without a path but a constrained CA presented: no CN. */
  o.identity = "www.example.com";
  g_assert_cmpuint(verify_o("x509/nc-cn-inside.pem nc-ca.pem", "ca-ecdsa.pem", o, NULL, NULL), ==,
                   TC_CERT_UNKNOWN_CA | TC_CERT_BAD_IDENTITY);
  /* A version 1 leaf (no extensions, so no SAN: only its CN can name it)
   * is accepted for a server, as GnuTLS does: glib-networking 2.74's
   * file-database tests verify its v1 client-future.pem and
   * client-past.pem for the server purpose and expect only the time flag
   * (the CA/Browser Forum's "v3 only", BR 7.1.1, is left out for them). */
  tc_verify_opts later = {.identity = "localhost", .now = 1893456000}; /* 2030 */
  g_assert_cmpuint(verify_o("x509/leaf-v1.pem", "ca-rsa.pem", later, NULL, NULL), ==, 0);
  later.no_cn_fallback = true;
  g_assert_cmpuint(verify_o("x509/leaf-v1.pem", "ca-rsa.pem", later, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  tc_cert *c = load_cert("x509/cn-only.pem");
  g_assert_false(tc_x509_match_identity_cn(c, "localhost", false));
  g_assert_true(tc_x509_match_identity_cn(c, "localhost", true));
  g_assert_false(tc_x509_match_identity_cn(c, "127.0.0.1", true));
  tc_cert_unref(c);
}

/* Public suffixes: the list's rules (comments, exceptions, wildcards,
 * UTF-8 rules left out), and a wildcard over one names no host. */
static void test_psl(void) {
  static const char list[] = "// comment line\n"
                             "com\n"
                             "  co.uk  trailing words are ignored\n"
                             "\n"
                             "*.ck\r\n"
                             "!www.ck\n"
                             "S3.amazonaws.com\n"
                             "\xe5\x85\xac\xe5\x8f\xb8.cn\n"
                             "*\n"
                             ".bad\n"
                             "// last line without a newline\nlast.example";
  g_assert_null(tc_psl_parse("", 0));
  g_assert_null(tc_psl_parse("// only a comment\n", 18));
  tc_psl *psl = tc_psl_parse(list, sizeof list - 1);
  g_assert_nonnull(psl);
  g_assert_cmpuint(tc_psl_rules(psl), ==, 6);
  static const struct {
    const char *name;
    bool suffix;
  } cases[] = {
      {"com", true},           {"COM.", true},           {"co.uk", true},       {"example.co.uk", false},
      {"uk", false},           {"foo.ck", true},         {"www.ck", false},     {"a.foo.ck", false},
      {"ck", false},           {"s3.amazonaws.com", true}, {"amazonaws.com", false}, {"corp", false},
      {"last.example", true},  {"bad", false},           {".com", false},       {"", false},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
    if (tc_psl_is_public_suffix(psl, cases[i].name, strlen(cases[i].name)) != cases[i].suffix)
      g_error("public suffix \"%s\": expected %d", cases[i].name, cases[i].suffix);
  g_assert_false(tc_psl_is_public_suffix(NULL, "com", 3));
  /* wild-psl.pem: SAN *.co.uk and *.example.co.uk. */
  tc_verify_opts o = {.identity = "example.co.uk", .psl = psl};
  g_assert_cmpuint(verify_o("x509/wild-psl.pem", "ca-rsa.pem", o, NULL, NULL), ==, TC_CERT_BAD_IDENTITY);
  o.identity = "www.example.co.uk";
  g_assert_cmpuint(verify_o("x509/wild-psl.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  /* Without a list only a single-label suffix is known: *.co.uk matches. */
  o.identity = "example.co.uk";
  o.psl = NULL;
  g_assert_cmpuint(verify_o("x509/wild-psl.pem", "ca-rsa.pem", o, NULL, NULL), ==, 0);
  tc_psl_free(psl);
  tc_psl_free(NULL);
}

/* 2. SHA-1, MD5 below the anchor; the anchor's own signature is not judged. */
static void test_verify_sigalgs(void) {
  g_assert_cmpuint(verify_why("x509/leaf-by-int-sha1.pem x509/int-sha1.pem", "ca-ecdsa.pem", "localhost", "SHA-1"), ==,
                   TC_CERT_INSECURE);
  g_assert_cmpuint(verify_o("x509/leaf-by-int-sha1.pem x509/int-sha1.pem", "ca-ecdsa.pem",
                            (tc_verify_opts){.identity = "localhost", .allow_sha1 = true}, NULL, NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-sha1.pem", "ca-rsa.pem", "localhost", "SHA-1"), ==, TC_CERT_INSECURE);
  g_assert_cmpuint(verify_why("x509/leaf-by-root-sha1.pem", "x509/root-sha1.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_o("server-md5.pem", "ca-rsa.pem", (tc_verify_opts){.allow_sha1 = true}, NULL, NULL), ==,
                   TC_CERT_INSECURE);
}

/* 3. Extended key usage on every certificate of the path; an empty EKU. */
static void test_verify_eku_chain(void) {
  g_assert_cmpuint(verify_why("x509/leaf-by-eku-email.pem x509/int-eku-email.pem", "ca-rsa.pem", "localhost", "EKU chaining"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_full("x509/leaf-by-eku-email.pem x509/int-eku-email.pem", "ca-rsa.pem", NULL, NOW,
                               TC_PURPOSE_ANY, NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-by-eku-any.pem x509/int-eku-any.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-by-eku-server.pem x509/int-eku-server.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-empty-eku.pem", "ca-rsa.pem", "localhost", "empty extendedKeyUsage"), ==,
                   TC_CERT_GENERIC_ERROR);
}

/* 4. Name constraints of every form, the work budget, alternative issuers. */
static void test_verify_nc_forms(void) {
  g_assert_cmpuint(verify_why("x509/nc-other-leaf.pem x509/nc-other-ca.pem", "ca-rsa.pem", "localhost", "excluded"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/nc-email-good.pem x509/nc-email-ca.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/nc-email-bad.pem x509/nc-email-ca.pem", "ca-rsa.pem", "localhost", "permitted"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/nc-uri-bad.pem x509/nc-email-ca.pem", "ca-rsa.pem", "localhost", "permitted"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/nc-dir-good.pem x509/nc-dir-ca.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/nc-dir-bad.pem x509/nc-dir-ca.pem", "ca-rsa.pem", "localhost", "permitted"), ==,
                   TC_CERT_GENERIC_ERROR);
  /* 601 names against 600 constraints: over the budget, rejected. */
  g_assert_cmpuint(verify_why("x509/nc-many-leaf.pem x509/nc-many-ca.pem", "ca-rsa.pem", "localhost", "budget"), ==,
                   TC_CERT_GENERIC_ERROR);
  /* Two certificates of one CA, the first excluding localhost: the search
   * goes on to the second after the violation. */
  size_t plen = 0;
  g_assert_cmpuint(verify_o("x509/alt-leaf.pem x509/alt-nc.pem x509/alt-plain.pem", "ca-rsa.pem",
                            (tc_verify_opts){.identity = "localhost"}, NULL, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 3);
  g_assert_cmpuint(verify_why("x509/alt-leaf.pem x509/alt-nc.pem", "ca-rsa.pem", "localhost", "excluded"), ==,
                   TC_CERT_GENERIC_ERROR);
}

/* 5. RFC 5280 structure rules, each with its flag and a reason naming it. */
static void test_verify_structure(void) {
  g_assert_cmpuint(verify_why("x509/crit-ski.pem", "ca-rsa.pem", "localhost", "critical subjectKeyIdentifier"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/crit-aki.pem", "ca-rsa.pem", "localhost", "critical authorityKeyIdentifier"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/bad-aki.pem", "ca-rsa.pem", "localhost", "malformed authorityKeyIdentifier"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/zero-serial.pem", "ca-rsa.pem", "localhost", "serial number is zero"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/long-serial.pem", "ca-rsa.pem", "localhost", "20 octets"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/serial-20.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  const char *why = NULL;
  g_assert_cmpuint(verify_o("x509/neg-serial.pem", "ca-rsa.pem", (tc_verify_opts){.now = LATER}, &why, NULL), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_nonnull(strstr(why, "negative"));
  g_assert_cmpuint(verify_why("x509/leaf-by-nobc.pem x509/int-nobc.pem", "ca-rsa.pem", "localhost", "not a CA"), ==,
                   TC_CERT_UNKNOWN_CA);
  g_assert_cmpuint(verify_why("x509/leaf-certsign.pem", "ca-rsa.pem", "localhost", "keyCertSign"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_o("x509/leaf-by-v1.pem x509/int-v1.pem", "ca-rsa.pem", (tc_verify_opts){.now = LATER}, &why, NULL), ==,
                   TC_CERT_UNKNOWN_CA);
  g_assert_nonnull(strstr(why, "version 1"));
  /* A version 1 root stays an anchor (glib-networking trusts the v1
   * VeriSign Class 3 root); it cannot carry basicConstraints. */
  g_assert_cmpuint(verify_o("x509/leaf-by-v1.pem", "x509/int-v1.pem", (tc_verify_opts){.now = LATER}, NULL, NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-empty-issuer.pem x509/ca-empty-subject.pem", "ca-rsa.pem", "localhost", "empty issuer"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/leaf-by-root-critext.pem", "x509/root-critext.pem", "localhost", "unknown critical"), ==,
                   TC_CERT_GENERIC_ERROR);
  g_assert_cmpuint(verify_why("x509/leaf-rsa1024.pem", "ca-rsa.pem", "localhost", "2048"), ==, TC_CERT_INSECURE);
  g_assert_cmpuint(verify_o("x509/leaf-rsa1024.pem", "ca-rsa.pem", (tc_verify_opts){.no_webpki_keys = true}, NULL, NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/leaf-secp256k1.pem", "ca-rsa.pem", "localhost", "curve"), ==, TC_CERT_GENERIC_ERROR);
}

/* 6. Path building over a bridge, among many candidates, past rejected ones. */
static void test_verify_graphs(void) {
  const char *all = "x509/bridge-leaf.pem x509/bridge-int-b.pem x509/bridge-by-a.pem x509/bridge-by-b.pem "
                    "x509/root-b-by-bridge.pem x509/root-a-by-bridge.pem";
  size_t plen = 0;
  g_assert_cmpuint(verify_o(all, "x509/bridge-root-a.pem", (tc_verify_opts){.identity = "localhost"}, NULL, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 5); /* leaf, int-b, root-b by bridge, bridge by a, root a */
  g_assert_cmpuint(verify_o(all, "x509/bridge-root-b.pem", (tc_verify_opts){.identity = "localhost"}, NULL, &plen), ==, 0);
  g_assert_cmpuint(plen, ==, 3);
  g_assert_cmpuint(verify_why("x509/bridge-leaf.pem x509/bridge-int-b.pem", "x509/bridge-root-a.pem", "localhost", "no path"), ==,
                   TC_CERT_UNKNOWN_CA);
  /* Five decoys with other keys, then an expired and a SHA-1 signed copy
   * with the right key, then the good one. */
  g_assert_cmpuint(verify_why("x509/cand-leaf.pem x509/cand-decoys.pem x509/cand-expired.pem x509/cand-sha1.pem "
                              "x509/cand-good.pem", "ca-rsa.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/cand-leaf.pem x509/cand-decoys.pem x509/cand-expired.pem x509/cand-sha1.pem",
                              "ca-rsa.pem", "localhost", NULL), !=, 0);
}

/* 7. Key identifiers, constraint syntax, and the Web PKI profile of a
 * server's leaf (CA/Browser Forum), which other purposes and a leaf
 * trusted as it is do not get. */
static void test_verify_key_ids(void) {
  /* RFC 5280 4.2.1.1: the AKI in what a CA issues, with a keyIdentifier. */
  g_assert_cmpuint(verify_why("x509/leaf-by-noaki.pem x509/int-noaki.pem", "ca-rsa.pem", "localhost",
                              "missing authorityKeyIdentifier"), ==, TC_CERT_GENERIC_ERROR);
  /* Not of an anchor, even one that is not self-issued (a cross-signed CA
   * trusted as such). */
  g_assert_cmpuint(verify_why("x509/leaf-by-noaki.pem", "x509/int-noaki.pem", "localhost", NULL), ==, 0);
  g_assert_cmpuint(verify_why("x509/aki-no-keyid.pem", "ca-rsa.pem", "localhost", "without keyIdentifier"), ==,
                   TC_CERT_GENERIC_ERROR);
  /* A leaf without any AKI stays acceptable (glib-networking's test
   * certificates have none): leaf-by-v1 above, and this one. */
  g_assert_cmpuint(verify_why("x509/leaf-by-noski.pem x509/int-noski.pem", "ca-rsa.pem", "localhost",
                              "without subjectKeyIdentifier"), ==, TC_CERT_GENERIC_ERROR);
  /* A self-signed root whose AKI is not its SKI. */
  g_assert_cmpuint(verify_why("x509/leaf-by-root-aki-mismatch.pem", "x509/root-aki-mismatch.pem", "localhost",
                              "is not its subjectKeyIdentifier"), ==, TC_CERT_GENERIC_ERROR);
  /* A dNSName constraint with a leading period is malformed (RFC 5280
   * 4.2.1.10), whatever the name under it. */
  g_assert_cmpuint(verify_why("x509/nc-dot-leaf.pem x509/nc-dot-ca.pem", "ca-rsa.pem", "foo.example.com",
                              "leading period"), ==, TC_CERT_GENERIC_ERROR);
  /* A leaf trusted as it is is judged on its serial number like any leaf. */
  const char *why = NULL;
  g_assert_cmpuint(verify_o("x509/neg-serial.pem", "x509/neg-serial.pem", (tc_verify_opts){.now = LATER}, &why, NULL),
                   ==, TC_CERT_GENERIC_ERROR);
  g_assert_nonnull(strstr(why, "negative"));
}

static unsigned verify_webpki(const char *leaf, const char *identity, bool off, const char **why) {
  return verify_o(leaf, "ca-rsa.pem", (tc_verify_opts){.identity = identity, .no_webpki_leaf = off}, why, NULL);
}

static void test_verify_webpki_leaf(void) {
  static const struct {
    const char *file, *identity, *why;
  } bad[] = {
      {"x509/webpki-cn-case.pem", "localhost", "BR 7.1.4.3"},
      {"x509/webpki-cn-ip-long.pem", "localhost", "BR 7.1.4.3"},
      {"x509/webpki-cn-ip4-zeros.pem", "127.0.0.1", "BR 7.1.4.3"},
      {"x509/webpki-cn-ip4-hex.pem", "127.0.0.1", "BR 7.1.4.3"}, /* 0x7f.1 is 127.0.0.1 to inet_aton */
      {"x509/webpki-ca-leaf.pem", "localhost", "basicConstraints cA"},
      {"x509/webpki-anyeku.pem", "localhost", "anyExtendedKeyUsage"},
      {"x509/webpki-crit-eku.pem", "localhost", "critical extendedKeyUsage"},
      {"x509/webpki-crit-san.pem", "localhost", "critical subjectAltName"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    const char *why = NULL;
    g_assert_cmpuint(verify_webpki(bad[i].file, bad[i].identity, false, &why), ==,
                     TC_CERT_GENERIC_ERROR);
    if (!strstr(why, bad[i].why))
      g_error("%s: reason \"%s\" does not mention \"%s\"", bad[i].file, why, bad[i].why);
    /* Not a rule of RFC 5280: off with the profile. */
    g_assert_cmpuint(verify_webpki(bad[i].file, bad[i].identity, true, NULL), ==, 0);
  }
  /* CNs that copy a SAN entry: a dNSName, an IPv4 address, an IPv6 address
   * in RFC 5952 form. */
  g_assert_cmpuint(verify_webpki("x509/leaf-sha1.pem", "localhost", false, NULL), ==,
                   TC_CERT_INSECURE); /* CN=localhost, SAN localhost: only the SHA-1 rule */
  g_assert_cmpuint(verify_webpki("x509/webpki-cn-ip.pem", "2001:db8::1:0:0:1", false, NULL), ==, 0);
  g_assert_cmpuint(verify_webpki("x509/webpki-cn-ip4.pem", "127.0.0.1", false, NULL), ==, 0);
  /* A CN that is just another name or address is not judged (private PKIs
   * put labels there). */
  g_assert_cmpuint(verify_webpki("x509/webpki-cn-other.pem", "localhost", false, NULL), ==, 0);
  g_assert_cmpuint(verify_webpki("x509/webpki-cn-other-ip.pem", "localhost", false, NULL), ==, 0);
  /* A leaf trusted as it is (a pinned self-signed certificate) is exempt. */
  g_assert_cmpuint(verify_o("x509/webpki-cn-case.pem", "x509/webpki-cn-case.pem",
                            (tc_verify_opts){.identity = "localhost"}, NULL, NULL), ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/x509/parse-shared", test_parse_shared);
  g_test_add_func("/x509/parse-all", test_parse_all);
  g_test_add_func("/x509/cert-fields", test_cert_fields);
  g_test_add_func("/x509/name-strings", test_name_strings);
  g_test_add_func("/x509/pem-roundtrip", test_pem_roundtrip);
  g_test_add_func("/x509/garbage", test_garbage);
  g_test_add_func("/x509/der-strict", test_der_strict);
  g_test_add_func("/x509/keys", test_keys);
  g_test_add_func("/x509/legacy-pem", test_legacy_pem);
  g_test_add_func("/x509/bad-password", test_bad_password);
  g_test_add_func("/x509/pkcs12", test_pkcs12);
  g_test_add_func("/x509/store", test_store);
  g_test_add_func("/x509/verify", test_verify);
  g_test_add_func("/x509/must-staple", test_must_staple);
  g_test_add_func("/x509/issued-by", test_issued_by);
  g_test_add_func("/x509/identity", test_identity);
  g_test_add_func("/x509/verify-cn", test_verify_cn);
  g_test_add_func("/x509/psl", test_psl);
  g_test_add_func("/x509/verify-sigalgs", test_verify_sigalgs);
  g_test_add_func("/x509/verify-eku-chain", test_verify_eku_chain);
  g_test_add_func("/x509/verify-nc-forms", test_verify_nc_forms);
  g_test_add_func("/x509/verify-structure", test_verify_structure);
  g_test_add_func("/x509/verify-graphs", test_verify_graphs);
  g_test_add_func("/x509/verify-key-ids", test_verify_key_ids);
  g_test_add_func("/x509/verify-webpki-leaf", test_verify_webpki_leaf);
  return g_test_run();
}
