/* PKCS#12 (RFC 7292) import: MAC check, encrypted and plain safe contents, key and certificate bags. */
#include <stdlib.h>
#include <string.h>

#include "x509/oids.h"
#include "x509/pbe.h"
#include "x509/x509_internal.h"

typedef struct {
  const char *password; /* as given; "" when absent */
  tc_cert **certs;
  size_t n, cap;
  tc_privkey *key;
  tc_error *err;
} p12ctx;

static int fail(p12ctx *c, const char *msg) {
  return tc_error_set(c->err, TC_ERR_BAD_INPUT, "PKCS#12: %s", msg);
}

static int add_cert(p12ctx *c, der value) {
  der seq, oid, ctx, octets;
  if (!der_read(&value, DER_SEQUENCE, &seq) || !der_empty(&value) || !der_read(&seq, DER_OID, &oid) ||
      !der_read(&seq, DER_CTX_CONS(0), &ctx) || !der_empty(&seq))
    return fail(c, "malformed certificate bag");
  if (!DER_OID_EQ(&oid, OID_CERT_X509))
    return TC_OK; /* SDSI certificates: ignore */
  if (!der_read(&ctx, DER_OCTET_STRING, &octets) || !der_empty(&ctx))
    return fail(c, "malformed certificate bag");
  tc_cert *cert = tc_cert_parse_der(octets.p, octets.len, c->err);
  if (!cert)
    return TC_FAIL;
  if (c->n == c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 4;
    tc_cert **nb = realloc(c->certs, nc * sizeof *nb);
    if (!nb) {
      tc_cert_unref(cert);
      return tc_error_set(c->err, TC_ERR_NOMEM, "out of memory");
    }
    c->certs = nb;
    c->cap = nc;
  }
  c->certs[c->n++] = cert;
  return TC_OK;
}

static int set_key(p12ctx *c, tc_privkey *k) {
  if (!k)
    return TC_FAIL;
  if (c->key)
    tc_privkey_unref(k); /* keep the first key */
  else
    c->key = k;
  return TC_OK;
}

static int shrouded_key(p12ctx *c, der value) {
  der seq, oid, params, data;
  if (!der_read(&value, DER_SEQUENCE, &seq) || !der_empty(&value) ||
      !der_read_algid(&seq, &oid, &params) || !der_read(&seq, DER_OCTET_STRING, &data) ||
      !der_empty(&seq))
    return fail(c, "malformed shrouded key bag");
  size_t len;
  uint8_t *plain = tc_pbe_decrypt(oid, params, data.p, data.len, c->password, &len, c->err);
  if (!plain)
    return TC_FAIL;
  tc_error inner;
  tc_error_clear(&inner);
  tc_privkey *k = tc_pkcs8_parse(der_view(plain, len), &inner);
  tc_wipe(plain, len);
  free(plain);
  if (!k)
    return tc_error_set(c->err, inner.code == TC_ERR_BAD_INPUT ? TC_ERR_BAD_PASSWORD : inner.code,
                        "PKCS#12: %s", inner.message);
  return set_key(c, k);
}

static int safe_contents(p12ctx *c, der in, int depth) {
  der seq;
  if (depth > 3)
    return fail(c, "safe contents nested too deeply");
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in))
    return fail(c, "malformed safe contents");
  while (!der_empty(&seq)) {
    der bag, oid, ctx, attrs;
    bool present;
    if (!der_read(&seq, DER_SEQUENCE, &bag) || !der_read(&bag, DER_OID, &oid) ||
        !der_read(&bag, DER_CTX_CONS(0), &ctx) || !der_read_optional(&bag, DER_SET, &attrs, &present) ||
        !der_empty(&bag))
      return fail(c, "malformed safe bag");
    int r = TC_OK;
    if (DER_OID_EQ(&oid, OID_BAG_KEY))
      r = set_key(c, tc_pkcs8_parse(ctx, c->err));
    else if (DER_OID_EQ(&oid, OID_BAG_SHROUDED_KEY))
      r = shrouded_key(c, ctx);
    else if (DER_OID_EQ(&oid, OID_BAG_CERT))
      r = add_cert(c, ctx);
    else if (DER_OID_EQ(&oid, OID_BAG_SAFE_CONTENTS))
      r = safe_contents(c, ctx, depth + 1);
    /* CRL and secret bags are not needed for TLS. */
    if (r != TC_OK)
      return r;
  }
  return TC_OK;
}

static int encrypted_data(p12ctx *c, der in) {
  der seq, eci, type, oid, params, ct;
  uint64_t version;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) || !der_read_uint(&seq, 2, &version) ||
      !der_read(&seq, DER_SEQUENCE, &eci) || !der_empty(&seq) || !der_read(&eci, DER_OID, &type) ||
      !der_read_algid(&eci, &oid, &params) || !der_read(&eci, DER_CTX(0), &ct) || !der_empty(&eci))
    return fail(c, "malformed encrypted data");
  if (!DER_OID_EQ(&type, OID_PKCS7_DATA))
    return fail(c, "encrypted data is not of type data");
  size_t len;
  uint8_t *plain = tc_pbe_decrypt(oid, params, ct.p, ct.len, c->password, &len, c->err);
  if (!plain)
    return TC_FAIL;
  tc_error inner;
  tc_error_clear(&inner);
  p12ctx sub = *c;
  sub.err = &inner;
  int r = safe_contents(&sub, der_view(plain, len), 0);
  c->certs = sub.certs;
  c->n = sub.n;
  c->cap = sub.cap;
  c->key = sub.key;
  tc_wipe(plain, len);
  free(plain);
  if (r != TC_OK)
    return tc_error_set(c->err, inner.code == TC_ERR_BAD_INPUT ? TC_ERR_BAD_PASSWORD : inner.code,
                        "%s", inner.message);
  return TC_OK;
}

static bool mac_hash(const der *oid, tc_hash_alg *h) {
  static const struct {
    const char *oid;
    size_t len;
    tc_hash_alg h;
  } t[] = {
      {"\x2b\x0e\x03\x02\x1a", 5, TC_HASH_SHA1},
      {"\x60\x86\x48\x01\x65\x03\x04\x02\x04", 9, TC_HASH_SHA224},
      {"\x60\x86\x48\x01\x65\x03\x04\x02\x01", 9, TC_HASH_SHA256},
      {"\x60\x86\x48\x01\x65\x03\x04\x02\x02", 9, TC_HASH_SHA384},
      {"\x60\x86\x48\x01\x65\x03\x04\x02\x03", 9, TC_HASH_SHA512},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (der_oid_eq(oid, (const uint8_t *)t[i].oid, t[i].len)) {
      *h = t[i].h;
      return true;
    }
  return false;
}

/* Check the MacData over the authenticated safe. An absent or empty
 * password is tried both as an empty BMPString and as no bytes at all,
 * since writers disagree on it. */
static int check_mac(p12ctx *c, der macdata, der content, const char *password) {
  der seq, di, oid, params, digest, salt;
  uint64_t iter = 1;
  tc_hash_alg h;
  seq = macdata; /* the caller read the MacData SEQUENCE */
  if (!der_read(&seq, DER_SEQUENCE, &di) || !der_read_algid(&di, &oid, &params) ||
      !der_read(&di, DER_OCTET_STRING, &digest) || !der_empty(&di) ||
      !der_read(&seq, DER_OCTET_STRING, &salt))
    return fail(c, "malformed MAC data");
  if (!der_empty(&seq) && (!der_read_uint(&seq, UINT32_MAX, &iter) || !der_empty(&seq)))
    return fail(c, "malformed MAC data");
  if (!mac_hash(&oid, &h))
    return tc_error_set(c->err, TC_ERR_UNSUPPORTED, "PKCS#12: unsupported MAC algorithm");
  if (iter == 0 || iter > TC_MAX_KDF_ITERATIONS)
    return tc_error_set(c->err, TC_ERR_UNSUPPORTED, "PKCS#12: MAC iteration count out of range");
  size_t hl = tc_hash_len(h);
  if (digest.len != hl)
    return fail(c, "MAC has the wrong length");
  size_t pl;
  uint8_t *pw = tc_pkcs12_password(password, &pl);
  if (!pw)
    return tc_error_set(c->err, TC_ERR_BAD_PASSWORD, "PKCS#12: password is not valid UTF-8");
  bool empty = !password || !*password;
  bool ok = false;
  for (int attempt = 0; attempt < (empty ? 2 : 1) && !ok; attempt++) {
    uint8_t key[TC_HASH_MAX_LEN], mac[TC_HASH_MAX_LEN];
    size_t use = attempt == 0 ? pl : 0;
    if (tc_pkcs12_kdf(h, 3, pw, use, salt.p, salt.len, (unsigned)iter, key, hl) == 0) {
      tc_hmac(h, key, hl, content.p, content.len, mac);
      ok = tc_ct_equal(mac, digest.p, hl);
    }
    tc_wipe(key, sizeof key);
  }
  tc_wipe(pw, pl);
  free(pw);
  if (!ok)
    return tc_error_set(c->err, TC_ERR_BAD_PASSWORD, "PKCS#12: wrong password (MAC mismatch)");
  return TC_OK;
}

int tc_pkcs12_parse(const uint8_t *data, size_t len, const char *password, tc_cert ***certs,
                    size_t *ncerts, tc_privkey **key, tc_error *err) {
  p12ctx c = {password ? password : "", NULL, 0, 0, NULL, err};
  *certs = NULL;
  *ncerts = 0;
  if (key)
    *key = NULL;
  der in = der_view(data, data ? len : 0), pfx, ci, type, ctx, content, macdata;
  uint64_t version;
  bool has_mac;
  if (!der_read(&in, DER_SEQUENCE, &pfx) || !der_empty(&in) || !der_read_uint(&pfx, 255, &version) ||
      !der_read(&pfx, DER_SEQUENCE, &ci) || !der_read_optional(&pfx, DER_SEQUENCE, &macdata, &has_mac) ||
      !der_empty(&pfx)) {
    fail(&c, "not a PKCS#12 file");
    goto out;
  }
  if (version != 3) {
    fail(&c, "unsupported version");
    goto out;
  }
  if (!der_read(&ci, DER_OID, &type) || !der_read(&ci, DER_CTX_CONS(0), &ctx) || !der_empty(&ci)) {
    fail(&c, "malformed content info");
    goto out;
  }
  if (!DER_OID_EQ(&type, OID_PKCS7_DATA)) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "PKCS#12: only password integrity is supported");
    goto out;
  }
  if (!der_read(&ctx, DER_OCTET_STRING, &content) || !der_empty(&ctx)) {
    fail(&c, "malformed content info");
    goto out;
  }
  if (has_mac && check_mac(&c, macdata, content, password) != TC_OK)
    goto out;
  der safes;
  if (!der_read(&content, DER_SEQUENCE, &safes) || !der_empty(&content)) {
    fail(&c, "malformed authenticated safe");
    goto out;
  }
  while (!der_empty(&safes)) {
    der sci, stype, sctx, octets;
    if (!der_read(&safes, DER_SEQUENCE, &sci) || !der_read(&sci, DER_OID, &stype) ||
        !der_read(&sci, DER_CTX_CONS(0), &sctx) || !der_empty(&sci)) {
      fail(&c, "malformed content info");
      goto out;
    }
    int r;
    if (DER_OID_EQ(&stype, OID_PKCS7_DATA)) {
      if (!der_read(&sctx, DER_OCTET_STRING, &octets) || !der_empty(&sctx)) {
        fail(&c, "malformed data content");
        goto out;
      }
      r = safe_contents(&c, octets, 0);
    } else if (DER_OID_EQ(&stype, OID_PKCS7_ENCRYPTED)) {
      r = encrypted_data(&c, sctx);
    } else {
      r = tc_error_set(err, TC_ERR_UNSUPPORTED, "PKCS#12: public-key encrypted content is not supported");
    }
    if (r != TC_OK)
      goto out;
  }
  if (c.n == 0 && !c.key) {
    fail(&c, "no certificate or key inside");
    goto out;
  }
  /* Put the certificate of the private key first. */
  if (c.key) {
    for (size_t i = 0; i < c.n; i++) {
      if (tc_privkey_matches_cert(c.key, c.certs[i])) {
        tc_cert *t = c.certs[i];
        memmove(c.certs + 1, c.certs, i * sizeof *c.certs);
        c.certs[0] = t;
        break;
      }
    }
  }
  *certs = c.certs;
  *ncerts = c.n;
  if (key)
    *key = c.key;
  else if (c.key)
    tc_privkey_unref(c.key);
  return TC_OK;
out:
  for (size_t i = 0; i < c.n; i++)
    tc_cert_unref(c.certs[i]);
  free(c.certs);
  if (c.key)
    tc_privkey_unref(c.key);
  return TC_FAIL;
}
