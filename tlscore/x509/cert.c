/* X.509 certificate parsing (RFC 5280 profile), accessors and signature checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x509/oids.h"
#include "x509/x509_internal.h"

/* ---- keys ---- */

bool tc_curve_from_oid(const der *oid, tc_pk_type *type) {
  if (DER_OID_EQ(oid, OID_P256))
    *type = TC_PK_EC_P256;
  else if (DER_OID_EQ(oid, OID_P384))
    *type = TC_PK_EC_P384;
  else if (DER_OID_EQ(oid, OID_P521))
    *type = TC_PK_EC_P521;
  else
    return false;
  return true;
}

const uint8_t *tc_curve_oid(tc_pk_type type, size_t *len) {
  switch (type) {
  case TC_PK_EC_P256:
    *len = sizeof OID_P256 - 1;
    return (const uint8_t *)OID_P256;
  case TC_PK_EC_P384:
    *len = sizeof OID_P384 - 1;
    return (const uint8_t *)OID_P384;
  case TC_PK_EC_P521:
    *len = sizeof OID_P521 - 1;
    return (const uint8_t *)OID_P521;
  default:
    *len = 0;
    return NULL;
  }
}

size_t tc_curve_scalar_len(tc_pk_type type) {
  switch (type) {
  case TC_PK_EC_P256:
    return 32;
  case TC_PK_EC_P384:
    return 48;
  case TC_PK_EC_P521:
    return 66;
  default:
    return 0;
  }
}

bool tc_spki_parse(der spki_full, tc_pubkey **key, tc_pk_type *type) {
  der in = spki_full, seq, oid, params, bits;
  *key = NULL;
  *type = TC_PK_NONE;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in) ||
      !der_read_algid(&seq, &oid, &params) || !der_read_bitstring_bytes(&seq, &bits) ||
      !der_empty(&seq))
    return false;
  if (DER_OID_EQ(&oid, OID_RSA_ENCRYPTION) || DER_OID_EQ(&oid, OID_RSASSA_PSS)) {
    bool pss = DER_OID_EQ(&oid, OID_RSASSA_PSS);
    if (!pss && params.len != 0 && !(params.len == 2 && params.p[0] == DER_NULL && params.p[1] == 0))
      return false;
    der rk = bits, rseq, n, e;
    if (!der_read(&rk, DER_SEQUENCE, &rseq) || !der_empty(&rk) || !der_read_uint_bytes(&rseq, &n) ||
        !der_read_uint_bytes(&rseq, &e) || !der_empty(&rseq) || n.len == 0 || e.len == 0)
      return false;
    *type = pss ? TC_PK_RSA_PSS : TC_PK_RSA;
    /* PSS key parameters only narrow the hashes allowed; not enforced. */
    *key = pss ? tc_pubkey_new_rsa_pss(n.p, n.len, e.p, e.len) : tc_pubkey_new_rsa(n.p, n.len, e.p, e.len);
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EC_PUBLIC_KEY)) {
    der pin = params, curve;
    tc_pk_type t;
    if (!der_read(&pin, DER_OID, &curve) || !der_empty(&pin))
      return false; /* explicit curve parameters are not accepted */
    if (!tc_curve_from_oid(&curve, &t))
      return true; /* well-formed but unsupported curve */
    size_t sl = tc_curve_scalar_len(t);
    if (bits.len != 1 + 2 * sl || bits.p[0] != 0x04)
      return false;
    *type = t;
    *key = tc_pubkey_new_ec(t, bits.p, bits.len);
    return *key != NULL;
  }
  if (DER_OID_EQ(&oid, OID_ED25519)) {
    if (params.len != 0 || bits.len != 32)
      return false;
    *type = TC_PK_ED25519;
    *key = tc_pubkey_new_ed25519(bits.p);
    return *key != NULL;
  }
  if (DER_OID_EQ(&oid, OID_ED448)) {
    if (params.len != 0 || bits.len != 57)
      return false;
    *type = TC_PK_ED448;
    *key = tc_pubkey_new_ed448(bits.p);
    return *key != NULL;
  }
  return true;
}

/* ---- signature algorithms ---- */

static bool hash_from_oid(const der *oid, tc_hash_alg *h) {
  if (DER_OID_EQ(oid, OID_SHA1))
    *h = TC_HASH_SHA1;
  else if (DER_OID_EQ(oid, OID_SHA224))
    *h = TC_HASH_SHA224;
  else if (DER_OID_EQ(oid, OID_SHA256))
    *h = TC_HASH_SHA256;
  else if (DER_OID_EQ(oid, OID_SHA384))
    *h = TC_HASH_SHA384;
  else if (DER_OID_EQ(oid, OID_SHA512))
    *h = TC_HASH_SHA512;
  else
    return false;
  return true;
}

static bool null_or_absent(const der *params) {
  return params->len == 0 || (params->len == 2 && params->p[0] == DER_NULL && params->p[1] == 0);
}

/* RSASSA-PSS-params; we verify only MGF1 with the same hash and a salt as
 * long as the hash, which is what every real PSS certificate uses. */
static bool parse_pss_params(der params, tc_hash_alg *hash) {
  der seq, c, oid, p;
  tc_hash_alg h = TC_HASH_SHA1, mh = TC_HASH_SHA1;
  uint64_t salt = 20, trailer = 1;
  bool present;
  if (!der_read(&params, DER_SEQUENCE, &seq) || !der_empty(&params))
    return false;
  if (!der_read_optional(&seq, DER_CTX_CONS(0), &c, &present))
    return false;
  if (present && (!der_read_algid(&c, &oid, &p) || !der_empty(&c) || !hash_from_oid(&oid, &h) ||
                  !null_or_absent(&p)))
    return false;
  if (!der_read_optional(&seq, DER_CTX_CONS(1), &c, &present))
    return false;
  if (present) {
    der moid, mp, hoid, hp;
    if (!der_read_algid(&c, &moid, &mp) || !der_empty(&c) || !DER_OID_EQ(&moid, OID_MGF1) ||
        !der_read_algid(&mp, &hoid, &hp) || !der_empty(&mp) || !hash_from_oid(&hoid, &mh) ||
        !null_or_absent(&hp))
      return false;
  }
  if (!der_read_optional(&seq, DER_CTX_CONS(2), &c, &present))
    return false;
  if (present && (!der_read_uint(&c, 1024, &salt) || !der_empty(&c)))
    return false;
  if (!der_read_optional(&seq, DER_CTX_CONS(3), &c, &present))
    return false;
  if (present && (!der_read_uint(&c, 1, &trailer) || !der_empty(&c)))
    return false;
  if (!der_empty(&seq) || trailer != 1 || mh != h || salt != tc_hash_len(h))
    return false;
  *hash = h;
  return true;
}

static void parse_sig_alg(tc_cert *c, der oid, der params) {
  static const struct {
    const char *oid;
    size_t len;
    tc_sigalg alg;
    tc_hash_alg hash;
    bool insecure;
  } tbl[] = {
      {OID_MD2_WITH_RSA, sizeof OID_MD2_WITH_RSA - 1, TC_SIGALG_NONE, TC_HASH_NONE, true},
      {OID_MD5_WITH_RSA, sizeof OID_MD5_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_MD5, true},
      {OID_SHA1_WITH_RSA, sizeof OID_SHA1_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA1, false},
      {OID_SHA224_WITH_RSA, sizeof OID_SHA224_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA224, false},
      {OID_SHA256_WITH_RSA, sizeof OID_SHA256_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, false},
      {OID_SHA384_WITH_RSA, sizeof OID_SHA384_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA384, false},
      {OID_SHA512_WITH_RSA, sizeof OID_SHA512_WITH_RSA - 1, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA512, false},
      {OID_ECDSA_SHA1, sizeof OID_ECDSA_SHA1 - 1, TC_SIGALG_ECDSA, TC_HASH_SHA1, false},
      {OID_ECDSA_SHA224, sizeof OID_ECDSA_SHA224 - 1, TC_SIGALG_ECDSA, TC_HASH_SHA224, false},
      {OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256 - 1, TC_SIGALG_ECDSA, TC_HASH_SHA256, false},
      {OID_ECDSA_SHA384, sizeof OID_ECDSA_SHA384 - 1, TC_SIGALG_ECDSA, TC_HASH_SHA384, false},
      {OID_ECDSA_SHA512, sizeof OID_ECDSA_SHA512 - 1, TC_SIGALG_ECDSA, TC_HASH_SHA512, false},
  };
  c->sig_alg = TC_SIGALG_NONE;
  c->sig_hash = TC_HASH_NONE;
  for (size_t i = 0; i < sizeof tbl / sizeof tbl[0]; i++) {
    if (der_oid_eq(&oid, (const uint8_t *)tbl[i].oid, tbl[i].len)) {
      c->sig_insecure = tbl[i].insecure;
      bool ecdsa = tbl[i].alg == TC_SIGALG_ECDSA;
      /* RSA algorithms carry NULL parameters, ECDSA none. */
      if (ecdsa ? params.len != 0 : !null_or_absent(&params))
        return;
      c->sig_alg = tbl[i].alg;
      c->sig_hash = tbl[i].hash;
      return;
    }
  }
  if (DER_OID_EQ(&oid, OID_RSASSA_PSS)) {
    tc_hash_alg h;
    if (parse_pss_params(params, &h)) {
      c->sig_alg = TC_SIGALG_RSA_PSS;
      c->sig_hash = h;
    }
  } else if (DER_OID_EQ(&oid, OID_ED25519) && params.len == 0) {
    c->sig_alg = TC_SIGALG_ED25519;
  } else if (DER_OID_EQ(&oid, OID_ED448) && params.len == 0) {
    c->sig_alg = TC_SIGALG_ED448;
  }
}

/* ---- extensions ---- */

static bool valid_general_name(const der *full) {
  der in = *full, v;
  uint8_t tag;
  if (!der_read_any(&in, &tag, &v, NULL) || !der_empty(&in))
    return false;
  switch (tag) {
  case DER_CTX(1): /* rfc822Name */
  case DER_CTX(2): /* dNSName */
  case DER_CTX(6): /* URI */
    for (size_t i = 0; i < v.len; i++)
      if (v.p[i] >= 0x80)
        return false; /* IA5String */
    return true;
  case DER_CTX(7):
  case DER_CTX(8):
  case DER_CTX_CONS(0):
  case DER_CTX_CONS(3):
  case DER_CTX_CONS(4):
  case DER_CTX_CONS(5):
    return true;
  default:
    return false;
  }
}

static bool parse_san(tc_cert *c, bool critical, der v) {
  der seq, gn, content;
  uint8_t tag;
  if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v))
    return false;
  c->has_san = true;
  c->san = seq;
  if (der_empty(&seq))
    c->defects |= TC_DEF_SAN_EMPTY;
  if (!critical)
    c->san_noncritical = true; /* judged once the subject is known */
  size_t nd = 0, ni = 0;
  for (der it = seq; !der_empty(&it);) {
    if (!der_read_any(&it, &tag, &content, &gn) || !valid_general_name(&gn))
      return false;
    if (tag == DER_CTX(2))
      nd++;
    else if (tag == DER_CTX(7)) {
      if (content.len != 4 && content.len != 16)
        return false;
      ni++;
    }
  }
  if (c->dns || c->ip)
    return false;
  c->dns = calloc(nd ? nd : 1, sizeof *c->dns);
  c->ip = calloc(ni ? ni : 1, sizeof *c->ip);
  if (!c->dns || !c->ip)
    return false;
  for (der it = seq; !der_empty(&it);) {
    der_read_any(&it, &tag, &content, NULL);
    if (tag == DER_CTX(2))
      c->dns[c->n_dns++] = content;
    else if (tag == DER_CTX(7))
      c->ip[c->n_ip++] = content;
  }
  return true;
}

/* *bad_dns: a dNSName base with a leading period (".example.com"): the
 * form RFC 5280 4.2.1.10 gives URI constraints, not dNSName ones, which
 * OpenSSL and others accept and read as "subdomains only". Reported as a
 * defect with its rule rather than as an unparsable certificate. */
static bool valid_subtrees(der v, bool *bad_dns) {
  if (der_empty(&v))
    return false;
  while (!der_empty(&v)) {
    der st, base, c, name;
    uint8_t tag;
    bool present;
    if (!der_read(&v, DER_SEQUENCE, &st) || !der_read_any(&st, &tag, &name, &base) ||
        !valid_general_name(&base))
      return false;
    if (tag == DER_CTX(2) && name.len > 0 && name.p[0] == '.')
      *bad_dns = true;
    if (!der_read_optional(&st, DER_CTX(0), &c, &present))
      return false;
    if (present && (c.len != 1 || c.p[0] != 0))
      return false; /* minimum must be 0 (RFC 5280 4.2.1.10) */
    if (!der_read_optional(&st, DER_CTX(1), &c, &present))
      return false;
    if (!der_empty(&st))
      return false;
  }
  return true;
}

static bool parse_extension(tc_cert *c, der oid, bool critical, der v) {
  der seq;
  if (DER_OID_EQ(&oid, OID_EXT_BC)) {
    bool ca = false;
    if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v))
      return false;
    if (der_peek(&seq, DER_BOOLEAN) && !der_read_bool(&seq, &ca))
      return false;
    c->has_bc = true;
    c->is_ca = ca;
    c->path_len = -1;
    if (!der_empty(&seq)) {
      uint64_t pl;
      if (!der_read_uint(&seq, 255, &pl))
        return false;
      c->path_len = (int)pl;
    }
    return der_empty(&seq);
  }
  if (DER_OID_EQ(&oid, OID_EXT_KU)) {
    if (!der_read_bitstring_flags(&v, &c->ku) || !der_empty(&v))
      return false;
    c->has_ku = true;
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_EKU)) {
    if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v))
      return false;
    if (der_empty(&seq))
      c->defects |= TC_DEF_EKU_EMPTY;
    c->has_eku = true;
    c->eku_critical = critical;
    while (!der_empty(&seq)) {
      der p;
      if (!der_read(&seq, DER_OID, &p) || !der_oid_valid(&p))
        return false;
      if (DER_OID_EQ(&p, OID_EKU_SERVER))
        c->eku_server = true;
      else if (DER_OID_EQ(&p, OID_EKU_CLIENT))
        c->eku_client = true;
      else if (DER_OID_EQ(&p, OID_EKU_ANY))
        c->eku_any = true;
    }
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_SAN))
    return parse_san(c, critical, v);
  if (DER_OID_EQ(&oid, OID_EXT_NC)) {
    bool present, bad_dns = false;
    der p, e;
    if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v))
      return false;
    if (!der_read_optional(&seq, DER_CTX_CONS(0), &p, &present) ||
        (present && !valid_subtrees(p, &bad_dns)))
      return false;
    if (present)
      c->nc_permitted = p;
    if (!der_read_optional(&seq, DER_CTX_CONS(1), &e, &present) ||
        (present && !valid_subtrees(e, &bad_dns)))
      return false;
    if (bad_dns)
      c->defects |= TC_DEF_NC_MALFORMED;
    if (present)
      c->nc_excluded = e;
    if (!der_empty(&seq))
      return false;
    c->has_nc = c->nc_permitted.len || c->nc_excluded.len;
    if (!c->has_nc)
      c->defects |= TC_DEF_NC_EMPTY;
    if (!critical)
      c->defects |= TC_DEF_NC_NONCRITICAL;
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_TLS_FEATURE)) {
    if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v))
      return false;
    while (!der_empty(&seq)) {
      uint64_t f;
      if (!der_read_uint(&seq, 65535, &f))
        return false;
      if (f == 5) /* status_request */
        c->must_staple = true;
    }
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_SKI)) {
    if (critical)
      c->defects |= TC_DEF_SKI_CRITICAL;
    c->has_ski = true;
    return der_read(&v, DER_OCTET_STRING, &c->ski) && der_empty(&v);
  }
  if (DER_OID_EQ(&oid, OID_EXT_AKI)) {
    /* A bad AKI is reported by validation (with the rule), not as an
     * unparsable certificate: nothing else depends on its content. */
    bool p0, p1, p2;
    der gns, serial;
    if (critical)
      c->defects |= TC_DEF_AKI_CRITICAL;
    c->has_aki = true;
    if (!der_read(&v, DER_SEQUENCE, &seq) || !der_empty(&v) ||
        !der_read_optional(&seq, DER_CTX(0), &c->aki, &p0) ||
        !der_read_optional(&seq, DER_CTX_CONS(1), &gns, &p1) ||
        !der_read_optional(&seq, DER_CTX(2), &serial, &p2) || !der_empty(&seq) ||
        p1 != p2 /* issuer and serial come together (4.2.1.1) */ || (p2 && serial.len == 0)) {
      c->aki = (der){0};
      c->defects |= TC_DEF_AKI_MALFORMED;
    } else if (!p0 || c->aki.len == 0) {
      c->defects |= TC_DEF_AKI_NO_KEYID;
    }
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_AIA)) {
    /* Only its shape is checked: the URLs in it are never fetched. */
    if (critical)
      c->defects |= TC_DEF_AIA_CRITICAL;
    bool ok = der_read(&v, DER_SEQUENCE, &seq) && der_empty(&v) && !der_empty(&seq);
    while (ok && !der_empty(&seq)) {
      der ad, method, loc;
      ok = der_read(&seq, DER_SEQUENCE, &ad) && der_read(&ad, DER_OID, &method) &&
           der_read_any(&ad, NULL, NULL, &loc) && der_empty(&ad) && valid_general_name(&loc);
    }
    if (!ok)
      c->defects |= TC_DEF_AIA_MALFORMED;
    return true;
  }
  if (DER_OID_EQ(&oid, OID_EXT_POLICY_CONSTRAINTS) && !critical)
    c->defects |= TC_DEF_PC_NONCRITICAL;
  /* Extensions we know enough to ignore safely even when critical: policy
   * processing is not done (as in GnuTLS's default), the rest is informational. */
  if (DER_OID_EQ(&oid, OID_EXT_IAN) || DER_OID_EQ(&oid, OID_EXT_CRLDP) ||
      DER_OID_EQ(&oid, OID_EXT_POLICIES) || DER_OID_EQ(&oid, OID_EXT_POLICY_MAPPINGS) ||
      DER_OID_EQ(&oid, OID_EXT_POLICY_CONSTRAINTS) || DER_OID_EQ(&oid, OID_EXT_INHIBIT_ANY) ||
      DER_OID_EQ(&oid, OID_EXT_AIA) || DER_OID_EQ(&oid, OID_EXT_SCT))
    return true;
  if (critical)
    c->unknown_critical = true;
  return true;
}

#define MAX_EXTENSIONS 64

static bool parse_extensions(tc_cert *c, der exts) {
  der seq, oids[MAX_EXTENSIONS];
  size_t n = 0;
  if (!der_read(&exts, DER_SEQUENCE, &seq) || !der_empty(&exts) || der_empty(&seq))
    return false;
  while (!der_empty(&seq)) {
    der ext, oid, val;
    bool critical = false;
    if (!der_read(&seq, DER_SEQUENCE, &ext) || !der_read(&ext, DER_OID, &oid) || !der_oid_valid(&oid))
      return false;
    if (der_peek(&ext, DER_BOOLEAN) && !der_read_bool(&ext, &critical))
      return false;
    if (!der_read(&ext, DER_OCTET_STRING, &val) || !der_empty(&ext))
      return false;
    if (n == MAX_EXTENSIONS)
      return false;
    for (size_t i = 0; i < n; i++)
      if (tc_name_eq(&oids[i], &oid))
        return false; /* RFC 5280 4.2: at most one instance of each */
    oids[n++] = oid;
    if (!parse_extension(c, oid, critical, val))
      return false;
  }
  return true;
}

/* ---- certificate ---- */

/* A Name that is SEQUENCE {} (no RDN at all). */
static bool name_is_empty(const der *name) { return name->len == 2; }

/* The value of the last (most specific) commonName of a Name, if it is one
 * of the string types host names appear in; len 0 otherwise. The Name was
 * checked by tc_name_check. */
static der subject_cn(const der *name) {
  static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
  der in = *name, seq, out = {0};
  if (!der_read(&in, DER_SEQUENCE, &seq))
    return out;
  while (!der_empty(&seq)) {
    der set;
    if (!der_read(&seq, DER_SET, &set))
      return (der){0};
    while (!der_empty(&set)) {
      der atv, oid, val;
      uint8_t tag;
      if (!der_read(&set, DER_SEQUENCE, &atv) || !der_read(&atv, DER_OID, &oid) ||
          !der_read_any(&atv, &tag, &val, NULL))
        return (der){0};
      if (der_oid_eq(&oid, cn_oid, sizeof cn_oid))
        out = (tag == DER_UTF8STRING || tag == DER_PRINTABLESTRING || tag == DER_IA5STRING ||
               tag == DER_T61STRING)
                  ? val
                  : (der){0};
    }
  }
  return out;
}

/* RFC 5952 text of an IPv6 address: lowercase, no leading zeros, the
 * longest run of two or more zero groups (the first of equals) as "::". */
static size_t ipv6_text(const uint8_t *a, char *out) {
  unsigned g[8];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8; i++)
    g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0)
      j++;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j > i ? j : i + 1;
  }
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      out[n++] = ':';
      out[n++] = ':';
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len)
      out[n++] = ':';
    bool lead = true;
    for (int s = 12; s >= 0; s -= 4) {
      unsigned d = g[i] >> s & 0xf;
      if (lead && d == 0 && s > 0)
        continue;
      lead = false;
      out[n++] = hex[d];
    }
  }
  return n;
}

/* One part of an IPv4 address as inet_aton reads it: decimal, 0x hex or
 * 0 octal, at most `max`. */
static bool aton_part(const uint8_t *p, size_t n, uint64_t max, uint64_t *out) {
  unsigned base = 10;
  uint64_t v = 0;
  if (n > 2 && p[0] == '0' && (p[1] | 0x20) == 'x') {
    base = 16;
    p += 2;
    n -= 2;
  } else if (n > 1 && p[0] == '0') {
    base = 8;
    p++;
    n--;
  }
  if (n == 0 || n > 12)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned d;
    if (p[i] >= '0' && p[i] <= '9')
      d = p[i] - '0';
    else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
      d = (p[i] | 0x20) - 'a' + 10;
    else
      return false;
    if (d >= base)
      return false;
    v = v * base + d;
  }
  *out = v;
  return v <= max;
}

/* An IPv4 address in any spelling inet_aton takes ("a.b.c.d", "a.b.c16",
 * "a.b24", "a32", each part decimal, hex or octal). */
static bool parse_aton(const der *v, uint8_t out[4]) {
  uint64_t part[4];
  size_t parts = 0, start = 0;
  for (size_t i = 0; i <= v->len; i++)
    if (i == v->len || v->p[i] == '.') {
      if (parts == 4)
        return false;
      part[parts] = 0;
      if (!aton_part(v->p + start, i - start, 0xffffffffu, &part[parts]))
        return false;
      parts++;
      start = i + 1;
    }
  uint64_t addr = 0;
  for (size_t i = 0; i + 1 < parts; i++) {
    if (part[i] > 255)
      return false;
    addr |= part[i] << (24 - 8 * i);
  }
  if (part[parts - 1] >> (8 * (4 - (parts - 1))) && parts > 1)
    return false; /* the last part fills the remaining bytes only */
  addr |= part[parts - 1];
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t)(addr >> (24 - 8 * i));
  return true;
}

/* An IPv6 address with hex groups, any case, with or without "::". */
static bool parse_ipv6(const der *v, uint8_t out[16]) {
  unsigned g[8];
  int n = 0, gap = -1;
  size_t i = 0;
  if (v->len >= 2 && v->p[0] == ':' && v->p[1] == ':') {
    gap = 0;
    i = 2;
  }
  while (i < v->len) {
    unsigned val = 0;
    size_t digits = 0;
    while (i < v->len && digits < 5) {
      uint8_t ch = v->p[i];
      unsigned d;
      if (ch >= '0' && ch <= '9')
        d = ch - '0';
      else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
        d = (ch | 0x20) - 'a' + 10;
      else
        break;
      val = val * 16 + d;
      digits++;
      i++;
    }
    if (digits == 0 || digits > 4 || n == 8)
      return false;
    g[n++] = val;
    if (i == v->len)
      break;
    if (v->p[i] != ':')
      return false;
    i++;
    if (i < v->len && v->p[i] == ':') {
      if (gap >= 0)
        return false;
      gap = n;
      i++;
    } else if (i == v->len) {
      return false;
    }
  }
  if (gap < 0 ? n != 8 : n > 7)
    return false;
  unsigned full[8] = {0};
  int tail = gap < 0 ? 0 : n - gap;
  for (int k = 0; k < (gap < 0 ? n : gap); k++)
    full[k] = g[k];
  for (int k = 0; k < tail; k++)
    full[8 - tail + k] = g[gap + k];
  for (int k = 0; k < 8; k++) {
    out[2 * k] = (uint8_t)(full[k] >> 8);
    out[2 * k + 1] = (uint8_t)full[k];
  }
  return true;
}

/* CA/Browser Forum BR 7.1.4.3 asks for a CN that is a character-for-character
 * copy of a SAN entry. Private PKIs put other names and labels there ("D",
 * "127.0.0.1" over a dNSName in bettertls, which limbo counts as valid), so
 * only a CN that names a SAN entry is judged on its spelling: one that is a
 * SAN iPAddress must be its canonical text (dotted decimal; RFC 5952: no
 * hex, octal, leading zeros, upper case or uncompressed IPv6), one that is
 * a SAN dNSName but for letter case must be that dNSName exactly. */
static bool cn_value_ok(const tc_cert *c, const der *v) {
  uint8_t a4[4], a16[16];
  bool is4 = parse_aton(v, a4), is6 = !is4 && parse_ipv6(v, a16);
  for (size_t i = 0; i < c->n_ip && (is4 || is6); i++) {
    const der *ip = &c->ip[i];
    if (!(is4 ? ip->len == 4 && memcmp(ip->p, a4, 4) == 0 : ip->len == 16 && memcmp(ip->p, a16, 16) == 0))
      continue;
    char text[48];
    size_t n = is4 ? (size_t)snprintf(text, sizeof text, "%u.%u.%u.%u", a4[0], a4[1], a4[2], a4[3])
                   : ipv6_text(a16, text);
    if (n != v->len || memcmp(text, v->p, n) != 0)
      return false;
  }
  for (size_t i = 0; i < c->n_dns; i++) {
    const der *d = &c->dns[i];
    if (d->len != v->len || memcmp(d->p, v->p, v->len) == 0)
      continue;
    bool fold_equal = true;
    for (size_t k = 0; k < v->len && fold_equal; k++) {
      uint8_t x = d->p[k], y = v->p[k];
      if (x >= 'A' && x <= 'Z')
        x |= 0x20;
      if (y >= 'A' && y <= 'Z')
        y |= 0x20;
      fold_equal = x == y;
    }
    if (fold_equal)
      return false;
  }
  return true;
}

bool tc_cert_cn_spells_san(const tc_cert *c) {
  static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
  der in = c->subject, seq;
  if (!der_read(&in, DER_SEQUENCE, &seq))
    return false;
  while (!der_empty(&seq)) {
    der set;
    if (!der_read(&seq, DER_SET, &set))
      return false;
    while (!der_empty(&set)) {
      der atv, oid, val;
      if (!der_read(&set, DER_SEQUENCE, &atv) || !der_read(&atv, DER_OID, &oid) ||
          !der_read_any(&atv, NULL, &val, NULL))
        return false;
      if (der_oid_eq(&oid, cn_oid, sizeof cn_oid) && !cn_value_ok(c, &val))
        return false;
    }
  }
  return true;
}

static bool parse_cert(tc_cert *c) {
  der in = der_view(c->der, c->der_len), cert, tbs, alg_oid, alg_params, t;
  der outer_alg_full, inner_alg_full;
  if (!der_read(&in, DER_SEQUENCE, &cert) || !der_empty(&in))
    return false;
  if (!der_read_full(&cert, DER_SEQUENCE, &tbs, &c->tbs))
    return false;
  der save = cert;
  if (!der_read_any(&save, NULL, NULL, &outer_alg_full) ||
      !der_read_algid(&cert, &alg_oid, &alg_params) || !der_read_bitstring_bytes(&cert, &c->sig) ||
      !der_empty(&cert))
    return false;

  bool present;
  der vctx;
  uint64_t ver = 0;
  if (!der_read_optional(&tbs, DER_CTX_CONS(0), &vctx, &present))
    return false;
  if (present && (!der_read_uint(&vctx, 2, &ver) || !der_empty(&vctx)))
    return false;
  c->version = (int)ver + 1;
  der serial;
  if (!der_read(&tbs, DER_INTEGER, &serial) || serial.len == 0 || serial.len > 64)
    return false;
  /* 4.1.2.2: positive, at most 20 octets. 21 content bytes are fine when the
   * first is the sign byte of a 20-octet value (CAs fill all 160 bits). */
  if (serial.p[0] & 0x80)
    c->defects |= TC_DEF_SERIAL_NEGATIVE;
  else if (serial.len > 21 || (serial.len == 21 && serial.p[0] != 0))
    c->defects |= TC_DEF_SERIAL_LONG;
  else {
    bool zero = true;
    for (size_t i = 0; i < serial.len; i++)
      zero = zero && serial.p[i] == 0;
    if (zero)
      c->defects |= TC_DEF_SERIAL_ZERO;
  }
  save = tbs;
  if (!der_read_any(&save, NULL, NULL, &inner_alg_full) ||
      !tc_name_eq(&inner_alg_full, &outer_alg_full))
    return false; /* RFC 5280 4.1.1.2: both algorithm fields must match */
  der d1, d2;
  if (!der_read_algid(&tbs, &d1, &d2))
    return false;
  if (!der_read_full(&tbs, DER_SEQUENCE, &t, &c->issuer))
    return false;
  der validity;
  if (!der_read(&tbs, DER_SEQUENCE, &validity) || !der_read_time(&validity, &c->not_before) ||
      !der_read_time(&validity, &c->not_after) || !der_empty(&validity))
    return false;
  if (!der_read_full(&tbs, DER_SEQUENCE, &t, &c->subject))
    return false;
  if (!der_read_full(&tbs, DER_SEQUENCE, &t, &c->spki))
    return false;
  if (!der_read_optional(&tbs, DER_CTX(1), &t, &present) || (present && c->version < 2))
    return false;
  if (!der_read_optional(&tbs, DER_CTX(2), &t, &present) || (present && c->version < 2))
    return false;
  c->path_len = -1;
  der exts;
  if (!der_read_optional(&tbs, DER_CTX_CONS(3), &exts, &present))
    return false;
  if (present && (c->version < 3 || !parse_extensions(c, exts)))
    return false;
  if (!der_empty(&tbs))
    return false;
  /* Names must at least be well-formed. */
  if (!tc_name_check(&c->subject) ||
      (!tc_name_eq(&c->issuer, &c->subject) && !tc_name_check(&c->issuer)))
    return false;
  if (name_is_empty(&c->issuer))
    c->defects |= TC_DEF_EMPTY_ISSUER;
  if (c->san_noncritical && name_is_empty(&c->subject))
    c->defects |= TC_DEF_SAN_NOT_CRITICAL;
  c->cn = subject_cn(&c->subject);
  if (!tc_spki_parse(c->spki, &c->pubkey, &c->pk_type))
    return false;
  parse_sig_alg(c, alg_oid, alg_params);
  return true;
}

tc_cert *tc_cert_parse_der(const uint8_t *data, size_t len, tc_error *err) {
  if (!data || len == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "empty certificate");
    return NULL;
  }
  tc_cert *c = calloc(1, sizeof *c);
  if (!c || !(c->der = malloc(len))) {
    free(c);
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  atomic_init(&c->refs, 1);
  atomic_init(&c->edge_key, NULL);
  memcpy(c->der, data, len);
  c->der_len = len;
  if (!parse_cert(c)) {
    tc_cert_unref(c);
    tc_error_set(err, TC_ERR_BAD_INPUT, "malformed certificate");
    return NULL;
  }
  return c;
}

/*
 * Recently parsed certificates. A client that connects to the same servers
 * again receives the same certificates again, and parsing one (the DER walk,
 * name checks, the public key into GMP numbers: ~25k instructions for an
 * RSA-2048 leaf) is a visible part of its handshake. A parsed certificate is
 * immutable and reference counted, so the last few stay in the cache of the
 * configuration that received them and byte-identical input gets the same
 * object back. Only the parse is reused: path building, signatures, dates
 * and names are checked per handshake. The lock is only ever tried, never
 * waited for: under contention, or in a child forked while another thread
 * held it, certificates are parsed as if there were no cache.
 */
#define CERT_CACHE_SLOTS 8
#define CERT_CACHE_MAX_DER 8192

struct tc_cert_cache {
  atomic_flag lock;
  unsigned next;
  tc_cert *slot[CERT_CACHE_SLOTS];
};

tc_cert_cache *tc_cert_cache_new(void) {
  tc_cert_cache *cc = calloc(1, sizeof *cc);
  if (cc)
    atomic_flag_clear(&cc->lock);
  return cc;
}

void tc_cert_cache_free(tc_cert_cache *cc) {
  if (!cc)
    return;
  for (unsigned i = 0; i < CERT_CACHE_SLOTS; i++)
    tc_cert_unref(cc->slot[i]);
  free(cc);
}

static bool cache_lock(tc_cert_cache *cc) {
  return !atomic_flag_test_and_set_explicit(&cc->lock, memory_order_acquire);
}

static void cache_unlock(tc_cert_cache *cc) {
  atomic_flag_clear_explicit(&cc->lock, memory_order_release);
}

tc_cert *tc_cert_parse_der_cached(tc_cert_cache *cc, const uint8_t *data, size_t len,
                                  tc_error *err) {
  if (!cc || !data || len == 0 || len > CERT_CACHE_MAX_DER)
    return tc_cert_parse_der(data, len, err);
  tc_cert *hit = NULL;
  if (cache_lock(cc)) {
    for (unsigned i = 0; i < CERT_CACHE_SLOTS && !hit; i++) {
      tc_cert *c = cc->slot[i];
      if (c && c->der_len == len && memcmp(c->der, data, len) == 0)
        hit = tc_cert_ref(c);
    }
    cache_unlock(cc);
  }
  if (hit)
    return hit;
  tc_cert *c = tc_cert_parse_der(data, len, err);
  if (!c)
    return NULL;
  tc_cert *evicted = NULL;
  if (cache_lock(cc)) {
    unsigned i = cc->next;
    cc->next = (i + 1) % CERT_CACHE_SLOTS;
    evicted = cc->slot[i];
    cc->slot[i] = tc_cert_ref(c);
    cache_unlock(cc);
  }
  tc_cert_unref(evicted);
  return c;
}

tc_cert *tc_cert_ref(tc_cert *cert) {
  if (cert)
    atomic_fetch_add(&cert->refs, 1);
  return cert;
}

void tc_cert_unref(tc_cert *cert) {
  if (!cert || atomic_fetch_sub(&cert->refs, 1) != 1)
    return;
  if (cert->pubkey)
    tc_pubkey_unref(cert->pubkey);
  tc_pubkey *edge = atomic_load(&cert->edge_key);
  if (edge)
    tc_pubkey_unref(edge);
  free(cert->dns);
  free(cert->ip);
  free(cert->der);
  free(cert);
}

bool tc_cert_equal(const tc_cert *a, const tc_cert *b) {
  return a == b || (a->der_len == b->der_len && memcmp(a->der, b->der, a->der_len) == 0);
}

const uint8_t *tc_cert_der(const tc_cert *cert, size_t *len) {
  *len = cert->der_len;
  return cert->der;
}

const uint8_t *tc_cert_subject_der(const tc_cert *cert, size_t *len) {
  *len = cert->subject.len;
  return cert->subject.p;
}

const uint8_t *tc_cert_issuer_der(const tc_cert *cert, size_t *len) {
  *len = cert->issuer.len;
  return cert->issuer.p;
}

char *tc_cert_subject_string(const tc_cert *cert) { return tc_name_to_string(&cert->subject); }
char *tc_cert_issuer_string(const tc_cert *cert) { return tc_name_to_string(&cert->issuer); }
int64_t tc_cert_not_before(const tc_cert *cert) { return cert->not_before; }
int64_t tc_cert_not_after(const tc_cert *cert) { return cert->not_after; }
size_t tc_cert_dns_name_count(const tc_cert *cert) { return cert->n_dns; }

const char *tc_cert_dns_name(const tc_cert *cert, size_t i, size_t *len) {
  if (i >= cert->n_dns)
    return NULL;
  *len = cert->dns[i].len;
  return (const char *)cert->dns[i].p;
}

size_t tc_cert_ip_count(const tc_cert *cert) { return cert->n_ip; }

const uint8_t *tc_cert_ip(const tc_cert *cert, size_t i, size_t *len) {
  if (i >= cert->n_ip)
    return NULL;
  *len = cert->ip[i].len;
  return cert->ip[i].p;
}

bool tc_cert_is_ca(const tc_cert *cert) { return cert->has_bc && cert->is_ca; }

bool tc_cert_is_self_issued(const tc_cert *cert) {
  return tc_name_eq(&cert->subject, &cert->issuer);
}

bool tc_cert_must_staple(const tc_cert *cert) { return cert->must_staple; }
const tc_pubkey *tc_cert_pubkey(const tc_cert *cert) { return cert->pubkey; }

const uint8_t *tc_cert_spki_der(const tc_cert *cert, size_t *len) {
  *len = cert->spki.len;
  return cert->spki.p;
}

int tc_cert_verify_signed_by(const tc_cert *cert, const tc_cert *issuer) {
  if (!tc_name_eq(&cert->issuer, &issuer->subject) || !issuer->pubkey ||
      cert->sig_alg == TC_SIGALG_NONE)
    return -1;
  return tc_pk_verify(issuer->pubkey, cert->sig_alg, cert->sig_hash, cert->tbs.p, cert->tbs.len,
                      cert->sig.p, cert->sig.len) == 0 ? 0 : -1;
}

void tc_cert_note_edge(const tc_cert *cert, const tc_cert *issuer) {
  tc_cert *c = (tc_cert *)cert; /* the memo is the one mutable field */
  tc_pubkey *key = issuer->pubkey, *none = NULL;
  if (!key || atomic_load_explicit(&c->edge_key, memory_order_relaxed))
    return;
  tc_pubkey_ref(key);
  if (!atomic_compare_exchange_strong(&c->edge_key, &none, key))
    tc_pubkey_unref(key); /* another thread noted an edge first */
}

int tc_cert_issued_by(const tc_cert *cert, const tc_cert *issuer) {
  if (!tc_name_eq(&cert->issuer, &issuer->subject) || !issuer->pubkey ||
      cert->sig_alg == TC_SIGALG_NONE)
    return -1;
  const tc_pubkey *seen = atomic_load_explicit(&((tc_cert *)cert)->edge_key, memory_order_acquire);
  if (seen && (seen == issuer->pubkey || tc_pubkey_equal(seen, issuer->pubkey)))
    return 0;
  if (tc_cert_verify_signed_by(cert, issuer))
    return -1;
  tc_cert_note_edge(cert, issuer);
  return 0;
}

size_t tc_cert_end_point_hash(const tc_cert *cert, uint8_t out[64]) {
  tc_hash_alg h = cert->sig_hash;
  if (h == TC_HASH_NONE || h == TC_HASH_MD5 || h == TC_HASH_SHA1)
    h = TC_HASH_SHA256;
  tc_hash(h, cert->der, cert->der_len, out);
  return tc_hash_len(h);
}

/* ---- several certificates ---- */

static bool looks_like_pem(const uint8_t *data, size_t len) {
  static const char tag[] = "-----BEGIN ";
  for (size_t i = 0; i + sizeof tag - 1 <= len; i++)
    if (memcmp(data + i, tag, sizeof tag - 1) == 0)
      return true;
  return false;
}

size_t tc_certs_parse(const uint8_t *data, size_t len, tc_cert ***certs, tc_error *err) {
  *certs = NULL;
  if (!data || len == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "no certificate data");
    return 0;
  }
  if (!looks_like_pem(data, len)) {
    tc_cert *c = tc_cert_parse_der(data, len, err);
    if (!c)
      return 0;
    *certs = malloc(sizeof **certs);
    if (!*certs) {
      tc_cert_unref(c);
      tc_error_set(err, TC_ERR_NOMEM, "out of memory");
      return 0;
    }
    (*certs)[0] = c;
    return 1;
  }
  tc_pem_block *blocks;
  size_t nb = tc_pem_decode((const char *)data, len, &blocks, err);
  if (nb == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "no PEM certificate found");
    return 0;
  }
  tc_cert **out = calloc(nb, sizeof *out);
  size_t n = 0;
  if (!out) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < nb; i++) {
    if (strcmp(blocks[i].label, "CERTIFICATE") != 0 && strcmp(blocks[i].label, "X509 CERTIFICATE") != 0)
      continue;
    tc_cert *c = tc_cert_parse_der(blocks[i].der, blocks[i].len, err);
    if (!c)
      goto fail;
    out[n++] = c;
  }
  if (n == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "no PEM certificate found");
    goto fail;
  }
  tc_pem_blocks_free(blocks, nb);
  *certs = out;
  return n;
fail:
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(out[i]);
  free(out);
  tc_pem_blocks_free(blocks, nb);
  return 0;
}
