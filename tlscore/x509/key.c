/* Private keys: PKCS#1 RSA, SEC1 EC, PKCS#8 (plain and encrypted) parsing and the PKCS#8 writer. */
#include <stdlib.h>
#include <string.h>

#include "x509/oids.h"
#include "x509/x509_internal.h"

static tc_privkey *bad(tc_error *err, const char *msg) {
  tc_error_set(err, TC_ERR_BAD_INPUT, "%s", msg);
  return NULL;
}

/* RSAPrivateKey (RFC 8017 A.1.2), two-prime only. */
static tc_privkey *parse_pkcs1(der in, tc_error *err) {
  der seq, v[8];
  uint64_t version;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) || !der_read_uint(&seq, 1, &version))
    return bad(err, "malformed RSA private key");
  if (version != 0) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "multi-prime RSA keys are not supported");
    return NULL;
  }
  for (int i = 0; i < 8; i++)
    if (!der_read_uint_bytes(&seq, &v[i]) || v[i].len == 0)
      return bad(err, "malformed RSA private key");
  if (!der_empty(&seq))
    return bad(err, "malformed RSA private key");
  tc_privkey *k = tc_privkey_new_rsa(v[0].p, v[0].len, v[1].p, v[1].len, v[2].p, v[2].len, v[3].p,
                                     v[3].len, v[4].p, v[4].len, v[5].p, v[5].len, v[6].p,
                                     v[6].len, v[7].p, v[7].len);
  if (!k)
    return bad(err, "invalid RSA private key");
  return k;
}

/* ECPrivateKey (RFC 5915); `curve` is TC_PK_NONE when the caller has no
 * algorithm parameters (bare SEC1), then [0] must name the curve. */
static tc_privkey *parse_sec1(der in, tc_pk_type curve, tc_error *err) {
  der seq, scalar, c;
  uint64_t version;
  bool present;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) || !der_read_uint(&seq, 1, &version) ||
      version != 1 || !der_read(&seq, DER_OCTET_STRING, &scalar))
    return bad(err, "malformed EC private key");
  if (!der_read_optional(&seq, DER_CTX_CONS(0), &c, &present))
    return bad(err, "malformed EC private key");
  if (present) {
    der oid;
    tc_pk_type t;
    if (!der_read(&c, DER_OID, &oid) || !der_empty(&c))
      return bad(err, "EC private key with explicit curve parameters");
    if (!tc_curve_from_oid(&oid, &t)) {
      tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported elliptic curve");
      return NULL;
    }
    if (curve != TC_PK_NONE && curve != t)
      return bad(err, "EC private key curve mismatch");
    curve = t;
  }
  if (curve == TC_PK_NONE)
    return bad(err, "EC private key without a curve");
  der pub = {NULL, 0};
  if (!der_read_optional(&seq, DER_CTX_CONS(1), &c, &present))
    return bad(err, "malformed EC private key");
  if (present && (!der_read_bitstring_bytes(&c, &pub) || !der_empty(&c)))
    return bad(err, "malformed EC public key");
  if (!der_empty(&seq))
    return bad(err, "malformed EC private key");
  size_t sl = tc_curve_scalar_len(curve);
  if (scalar.len == 0 || scalar.len > sl)
    return bad(err, "EC private key has the wrong length");
  uint8_t buf[66] = {0};
  memcpy(buf + sl - scalar.len, scalar.p, scalar.len); /* some encoders strip zeros */
  tc_privkey *k = tc_privkey_new_ec(curve, buf, sl);
  tc_wipe(buf, sizeof buf);
  if (!k)
    return bad(err, "invalid EC private key");
  if (pub.p) {
    uint8_t pt[133];
    size_t pl = sizeof pt;
    if (tc_pubkey_export_point(tc_privkey_pubkey(k), pt, &pl) != 0 || pl != pub.len ||
        memcmp(pt, pub.p, pl) != 0) {
      tc_privkey_unref(k);
      return bad(err, "EC public key does not match the private key");
    }
  }
  return k;
}

tc_privkey *tc_pkcs8_parse(der in, tc_error *err) {
  der seq, oid, params, pk, c;
  uint64_t version;
  bool present;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) || !der_read_uint(&seq, 1, &version) ||
      !der_read_algid(&seq, &oid, &params) || !der_read(&seq, DER_OCTET_STRING, &pk))
    return bad(err, "malformed PKCS#8 private key");
  if (!der_read_optional(&seq, DER_CTX_CONS(0), &c, &present) ||
      !der_read_optional(&seq, DER_CTX(1), &c, &present) || (present && version != 1) ||
      !der_empty(&seq))
    return bad(err, "malformed PKCS#8 private key");
  if (DER_OID_EQ(&oid, OID_RSA_ENCRYPTION))
    return parse_pkcs1(pk, err);
  if (DER_OID_EQ(&oid, OID_RSASSA_PSS)) {
    /* an id-RSASSA-PSS key signs with PSS only (RFC 4055 §1.2); its
     * parameters, if any, narrow the hashes further and are not enforced */
    tc_privkey *k = parse_pkcs1(pk, err);
    if (k != NULL && tc_privkey_make_rsa_pss(k) != 0) {
      tc_privkey_unref(k);
      tc_error_set(err, TC_ERR_INTERNAL_ERROR, "cannot set up an RSASSA-PSS key");
      return NULL;
    }
    return k;
  }
  if (DER_OID_EQ(&oid, OID_EC_PUBLIC_KEY)) {
    der curve;
    tc_pk_type t;
    if (!der_read(&params, DER_OID, &curve) || !der_empty(&params))
      return bad(err, "EC private key with explicit curve parameters");
    if (!tc_curve_from_oid(&curve, &t)) {
      tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported elliptic curve");
      return NULL;
    }
    return parse_sec1(pk, t, err);
  }
  if (DER_OID_EQ(&oid, OID_ED25519)) {
    der seed;
    if (params.len != 0 || !der_read(&pk, DER_OCTET_STRING, &seed) || !der_empty(&pk) ||
        seed.len != 32)
      return bad(err, "malformed Ed25519 private key");
    tc_privkey *k = tc_privkey_new_ed25519(seed.p);
    return k ? k : bad(err, "invalid Ed25519 private key");
  }
  if (DER_OID_EQ(&oid, OID_ED448)) {
    der seed;
    if (params.len != 0 || !der_read(&pk, DER_OCTET_STRING, &seed) || !der_empty(&pk) ||
        seed.len != 57)
      return bad(err, "malformed Ed448 private key");
    tc_privkey *k = tc_privkey_new_ed448(seed.p);
    return k ? k : bad(err, "invalid Ed448 private key");
  }
  tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported private key algorithm");
  return NULL;
}

/* EncryptedPrivateKeyInfo (RFC 5958). */
static tc_privkey *parse_encrypted(der in, const char *password, tc_error *err) {
  der seq, oid, params, data;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) ||
      !der_read_algid(&seq, &oid, &params) || !der_read(&seq, DER_OCTET_STRING, &data) ||
      !der_empty(&seq))
    return bad(err, "malformed encrypted private key");
  size_t len;
  uint8_t *plain = tc_pbe_decrypt(oid, params, data.p, data.len, password, &len, err);
  if (!plain)
    return NULL;
  tc_error inner;
  tc_error_clear(&inner);
  tc_privkey *k = tc_pkcs8_parse(der_view(plain, len), &inner);
  tc_wipe(plain, len);
  free(plain);
  if (!k) {
    /* Garbage that happened to end in valid padding: a wrong password. */
    if (inner.code == TC_ERR_BAD_INPUT)
      tc_error_set(err, TC_ERR_BAD_PASSWORD, "wrong password (decrypted key is invalid)");
    else
      tc_error_set(err, inner.code, "%s", inner.message);
  }
  return k;
}

/* Tell the DER key formats apart by their first fields. */
static tc_privkey *parse_der_key(der in, const char *password, tc_error *err) {
  der probe = in, seq;
  uint8_t tag;
  if (!der_read(&probe, DER_SEQUENCE, &seq) || !der_empty(&probe))
    return bad(err, "not a private key");
  if (der_peek(&seq, DER_SEQUENCE))
    return parse_encrypted(in, password, err);
  uint64_t version;
  if (!der_read_uint(&seq, 1, &version) || !der_read_any(&seq, &tag, NULL, NULL))
    return bad(err, "not a private key");
  if (tag == DER_SEQUENCE)
    return tc_pkcs8_parse(in, err);
  if (tag == DER_INTEGER)
    return parse_pkcs1(in, err);
  if (tag == DER_OCTET_STRING)
    return parse_sec1(in, TC_PK_NONE, err);
  return bad(err, "not a private key");
}

tc_privkey *tc_privkey_parse(const uint8_t *data, size_t len, const char *password, tc_error *err) {
  if (!data || len == 0)
    return bad(err, "empty private key");
  static const char tag[] = "-----BEGIN ";
  bool pem = false;
  for (size_t i = 0; i + sizeof tag - 1 <= len && !pem; i++)
    pem = memcmp(data + i, tag, sizeof tag - 1) == 0;
  if (!pem)
    return parse_der_key(der_view(data, len), password, err);
  tc_pem_block *blocks;
  size_t n = tc_pem_decode((const char *)data, len, &blocks, err);
  tc_privkey *k = NULL;
  size_t i;
  for (i = 0; i < n; i++) {
    const char *l = blocks[i].label;
    der d = der_view(blocks[i].der, blocks[i].len);
    bool keyish = strcmp(l, "PRIVATE KEY") == 0 || strcmp(l, "RSA PRIVATE KEY") == 0 ||
                  strcmp(l, "EC PRIVATE KEY") == 0 || strcmp(l, "ENCRYPTED PRIVATE KEY") == 0;
    if (keyish && !blocks[i].der) {
      tc_error_set(err, TC_ERR_UNSUPPORTED, "legacy encrypted PEM keys are not supported");
      break;
    }
    if (strcmp(l, "PRIVATE KEY") == 0) {
      k = tc_pkcs8_parse(d, err);
      break;
    } else if (strcmp(l, "RSA PRIVATE KEY") == 0) {
      k = parse_pkcs1(d, err);
      break;
    } else if (strcmp(l, "EC PRIVATE KEY") == 0) {
      k = parse_sec1(d, TC_PK_NONE, err);
      break;
    } else if (strcmp(l, "ENCRYPTED PRIVATE KEY") == 0) {
      k = parse_encrypted(d, password, err);
      break;
    }
  }
  if (n > 0 && i == n)
    tc_error_set(err, TC_ERR_BAD_INPUT, "no private key found");
  else if (n == 0)
    tc_error_set(err, TC_ERR_BAD_INPUT, "no private key found");
  tc_pem_blocks_free(blocks, n);
  return k;
}

bool tc_privkey_matches_cert(const tc_privkey *key, const tc_cert *cert) {
  if (!key || !cert || !cert->pubkey)
    return false;
  return tc_pubkey_equal(tc_privkey_pubkey(key), cert->pubkey);
}

/* ---- PKCS#8 writer ---- */

static void write_algid(derw *w, const char *oid, size_t oid_len, const uint8_t *param_oid,
                        size_t param_len, bool null_param) {
  size_t m = derw_begin(w, DER_SEQUENCE);
  derw_tlv(w, DER_OID, oid, oid_len);
  if (param_oid)
    derw_tlv(w, DER_OID, param_oid, param_len);
  else if (null_param)
    derw_tlv(w, DER_NULL, NULL, 0);
  derw_end(w, m);
}

int tc_privkey_to_pkcs8(const tc_privkey *key, uint8_t **out, size_t *out_len, tc_error *err) {
  derw w;
  derw_init(&w);
  *out = NULL;
  *out_len = 0;
  if (!key)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no key");
  tc_pk_type t = tc_privkey_type(key);
  size_t top = derw_begin(&w, DER_SEQUENCE);
  derw_uint(&w, 0);
  if (t == TC_PK_RSA || t == TC_PK_RSA_PSS) {
    uint8_t *v[8] = {0};
    size_t vl[8] = {0};
    if (tc_privkey_export_rsa(key, v, vl) != 0) {
      derw_free(&w);
      return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "cannot export RSA key");
    }
    if (t == TC_PK_RSA_PSS) /* no parameters: any PSS hash */
      write_algid(&w, OID_RSASSA_PSS, sizeof OID_RSASSA_PSS - 1, NULL, 0, false);
    else
      write_algid(&w, OID_RSA_ENCRYPTION, sizeof OID_RSA_ENCRYPTION - 1, NULL, 0, true);
    size_t os = derw_begin(&w, DER_OCTET_STRING);
    size_t rs = derw_begin(&w, DER_SEQUENCE);
    derw_uint(&w, 0);
    for (int i = 0; i < 8; i++) {
      derw_uint_bytes(&w, v[i], vl[i]);
      tc_wipe(v[i], vl[i]);
      free(v[i]);
    }
    derw_end(&w, rs);
    derw_end(&w, os);
  } else if (t == TC_PK_EC_P256 || t == TC_PK_EC_P384 || t == TC_PK_EC_P521) {
    uint8_t scalar[66], point[133];
    size_t sl = sizeof scalar, pl = sizeof point, cl;
    const uint8_t *coid = tc_curve_oid(t, &cl);
    if (tc_privkey_export_ec(key, scalar, &sl, point, &pl) != 0) {
      derw_free(&w);
      return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "cannot export EC key");
    }
    write_algid(&w, OID_EC_PUBLIC_KEY, sizeof OID_EC_PUBLIC_KEY - 1, coid, cl, false);
    size_t os = derw_begin(&w, DER_OCTET_STRING);
    size_t es = derw_begin(&w, DER_SEQUENCE);
    derw_uint(&w, 1);
    derw_tlv(&w, DER_OCTET_STRING, scalar, sl);
    size_t pk = derw_begin(&w, DER_CTX_CONS(1));
    size_t bs = derw_begin(&w, DER_BIT_STRING);
    uint8_t z = 0;
    derw_raw(&w, &z, 1);
    derw_raw(&w, point, pl);
    derw_end(&w, bs);
    derw_end(&w, pk);
    derw_end(&w, es);
    derw_end(&w, os);
    tc_wipe(scalar, sizeof scalar);
  } else if (t == TC_PK_ED25519 || t == TC_PK_ED448) {
    uint8_t seed[57];
    bool ed25519 = t == TC_PK_ED25519;
    size_t sl = ed25519 ? 32 : 57;
    if ((ed25519 ? tc_privkey_export_ed25519(key, seed) : tc_privkey_export_ed448(key, seed)) != 0) {
      derw_free(&w);
      return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "cannot export EdDSA key");
    }
    if (ed25519)
      write_algid(&w, OID_ED25519, sizeof OID_ED25519 - 1, NULL, 0, false);
    else
      write_algid(&w, OID_ED448, sizeof OID_ED448 - 1, NULL, 0, false);
    size_t os = derw_begin(&w, DER_OCTET_STRING);
    derw_tlv(&w, DER_OCTET_STRING, seed, sl);
    derw_end(&w, os);
    tc_wipe(seed, sizeof seed);
  } else {
    derw_free(&w);
    return tc_error_set(err, TC_ERR_UNSUPPORTED, "cannot export this key type");
  }
  derw_end(&w, top);
  if (w.failed) {
    derw_free(&w);
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  }
  uint8_t *res = malloc(w.len);
  if (!res) {
    derw_free(&w);
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  }
  memcpy(res, w.buf, w.len);
  *out = res;
  *out_len = w.len;
  derw_free(&w);
  return TC_OK;
}
