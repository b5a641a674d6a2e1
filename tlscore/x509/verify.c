/* Certification path building (with backtracking) and RFC 5280 validation into GTlsCertificateFlags. */
#include <stdlib.h>
#include <string.h>

#include "x509/x509_internal.h"

#define MAX_PATH 10     /* certificates on a path, anchor included */
#define MAX_EDGES 200   /* issuer candidates examined per validation */
#define MAX_CHAIN 64    /* presented certificates considered at all */
/* Name-against-subtree comparisons per validation, over every path tried:
 * enough for any real chain (hundreds of names times tens of constraints),
 * small enough that a hostile one costs milliseconds. */
#define NC_BUDGET (1ul << 16)

typedef struct {
  tc_cert *const *chain;
  size_t n;
  const tc_trust_store *anchors;
  const tc_verify_opts *o;
  unsigned budget;
  unsigned long nc_budget;

  tc_cert *path[MAX_PATH];
  size_t len;

  bool have_best;
  unsigned best_flags;
  const char *best_why;
  tc_cert *best[MAX_PATH];
  size_t best_len;

  tc_cert *partial[MAX_PATH]; /* deepest path that reached no anchor */
  size_t partial_len;
} vctx;

static unsigned popcount(unsigned v) {
  unsigned n = 0;
  for (; v; v &= v - 1)
    n++;
  return n;
}

static unsigned time_flags(const tc_cert *c, int64_t now) {
  unsigned f = 0;
  if (now < c->not_before)
    f |= TC_CERT_NOT_ACTIVATED;
  if (now > c->not_after)
    f |= TC_CERT_EXPIRED;
  return f;
}

/* ---- path evaluation ---- */

typedef struct {
  unsigned flags;
  const char *why; /* the first rule broken */
} verdict;

static void fail(verdict *r, unsigned flag, const char *why) {
  r->flags |= flag;
  if (!r->why)
    r->why = why;
}

const char *tc_x509_defect_message(unsigned d) {
  static const char *const msg[] = {
      "critical subjectKeyIdentifier (RFC 5280 4.2.1.2: MUST be non-critical)",
      "critical authorityKeyIdentifier (RFC 5280 4.2.1.1: MUST be non-critical)",
      "malformed authorityKeyIdentifier (RFC 5280 4.2.1.1)",
      "serial number is zero (RFC 5280 4.1.2.2: MUST be positive)",
      "serial number is negative (RFC 5280 4.1.2.2: MUST be positive)",
      "serial number longer than 20 octets (RFC 5280 4.1.2.2)",
      "empty issuer name (RFC 5280 4.1.2.4)",
      "non-critical nameConstraints (RFC 5280 4.2.1.10: MUST be critical)",
      "empty nameConstraints (RFC 5280 4.2.1.10)",
      "empty extendedKeyUsage (RFC 5280 4.2.1.12: at least one purpose)",
      "empty subjectAltName (RFC 5280 4.2.1.6: at least one name)",
      "non-critical subjectAltName with an empty subject (RFC 5280 4.2.1.6)",
      "critical authorityInfoAccess (RFC 5280 4.2.2.1: MUST be non-critical)",
      "malformed authorityInfoAccess (RFC 5280 4.2.2.1)",
      "non-critical policyConstraints (RFC 5280 4.2.1.11: MUST be critical)",
      "authorityKeyIdentifier without keyIdentifier (RFC 5280 4.2.1.1)",
      "dNSName constraint with a leading period (RFC 5280 4.2.1.10)",
  };
  for (size_t i = 0; i < sizeof msg / sizeof msg[0]; i++)
    if (d & (1u << i))
      return msg[i];
  return "certificate structure";
}

static bool eku_allows(const tc_cert *c, tc_purpose purpose) {
  if (!c->has_eku || c->eku_any || purpose == TC_PURPOSE_ANY)
    return true;
  return purpose == TC_PURPOSE_SERVER ? c->eku_server : c->eku_client;
}

/* The Web PKI key profile (CA/Browser Forum BR 6.1.5). */
static void check_key(const vctx *v, const tc_cert *c, verdict *r) {
  if (v->o->no_webpki_keys)
    return;
  if (!c->pubkey) {
    fail(r, TC_CERT_GENERIC_ERROR, "public key algorithm or curve not allowed (RSA, P-256, P-384, P-521, Ed25519, Ed448)");
    return;
  }
  if (c->pk_type == TC_PK_RSA || c->pk_type == TC_PK_RSA_PSS) {
    unsigned bits = tc_pubkey_bits(c->pubkey);
    if (bits < 2048)
      fail(r, TC_CERT_INSECURE, "RSA key under 2048 bits");
    else if (bits % 8)
      fail(r, TC_CERT_GENERIC_ERROR, "RSA modulus size not a multiple of 8 bits");
  }
}

/* The Web PKI profile of a server certificate (CA/Browser Forum Baseline
 * Requirements): rules on the leaf that RFC 5280 leaves open. */
static void check_webpki_leaf(const tc_cert *c, verdict *r) {
  if (c->has_bc && c->is_ca && c->has_ku && !(c->ku & KU_KEY_CERT_SIGN))
    fail(r, TC_CERT_GENERIC_ERROR, "server certificate with basicConstraints cA (CA/Browser Forum BR 7.1.2.7.8)");
  if (c->eku_any)
    fail(r, TC_CERT_GENERIC_ERROR, "anyExtendedKeyUsage in a server certificate (CA/Browser Forum BR 7.1.2.7.10)");
  if (c->has_eku && c->eku_critical)
    fail(r, TC_CERT_GENERIC_ERROR, "critical extendedKeyUsage in a server certificate (CA/Browser Forum BR 7.1.2.7.6)");
  if (c->has_san && !c->san_noncritical && c->subject.len > 2)
    fail(r, TC_CERT_GENERIC_ERROR,
         "critical subjectAltName with a non-empty subject (CA/Browser Forum BR 7.1.2.7.12)");
  if (c->has_san && !tc_cert_cn_spells_san(c))
    fail(r, TC_CERT_GENERIC_ERROR,
         "subject CN spells a subjectAltName entry otherwise than the entry (CA/Browser Forum BR 7.1.4.3)");
}

/* Judges a complete path (leaf first, anchor last). `stand_in`: the anchor
 * stands in for path[len-2] (same subject and key), so no signature links
 * them. */
static verdict evaluate(vctx *v, tc_cert *const *path, size_t len, bool stand_in) {
  verdict r = {0, NULL};
  const tc_verify_opts *o = v->o;
  for (size_t i = 0; i < len; i++) {
    const tc_cert *c = path[i];
    bool anchor = i + 1 == len;
    unsigned tf = time_flags(c, o->now);
    if (tf)
      fail(&r, tf, tf & TC_CERT_EXPIRED ? "certificate expired" : "certificate not yet valid");
    if (c->unknown_critical)
      fail(&r, TC_CERT_GENERIC_ERROR, "unknown critical extension");
    check_key(v, c, &r);
    if (!anchor) {
      /* The anchor's own signature is trusted as is, never judged. */
      bool signed_by_next = !(stand_in && i + 2 == len);
      if (signed_by_next && c->sig_insecure)
        fail(&r, TC_CERT_INSECURE, "MD2 or MD5 signature");
      else if (signed_by_next && c->sig_hash == TC_HASH_SHA1 && !o->allow_sha1)
        fail(&r, TC_CERT_INSECURE, "SHA-1 signature below the trust anchor");
    }
    /* The anchor is held to the structure rules too (it is a certificate
     * like the others), except the serial number: old roots in system
     * bundles have odd ones, and nothing on the path depends on it. A leaf
     * trusted as it is gets no such allowance. */
    unsigned defects = anchor && i > 0 ? c->defects & ~(unsigned)TC_DEF_SERIAL : c->defects;
    if (defects)
      fail(&r, TC_CERT_GENERIC_ERROR, tc_x509_defect_message(defects));
    /* Key identifiers (RFC 5280 4.2.1.1, 4.2.1.2) in every CA between
     * the leaf and the anchor. Not required of the leaf (glib-networking's
     * test server and client certificates have no AKI, and GIO programs
     * rely on such leaves) nor of the anchor (two roots of Debian's bundle
     * lack an SKI; limbo's cve-2024-0567 trusts a cross-signed root without
     * an AKI). Nor of an intermediate whose issuer has no SKI to name: the
     * real VeriSign Class 3 Secure Server CA - G3 under the v1 VeriSign
     * Class 3 root, in glib-networking's verify-with-incorrect-root-in-chain.
     * A self-signed anchor's AKI, when it has one, names its own key. (A version 1 or 2 CA, which cannot carry them, is refused by
     * its own rule below.) */
    if (i > 0 && !anchor && c->version == 3 && !c->has_aki && path[i + 1]->has_ski)
      fail(&r, TC_CERT_GENERIC_ERROR, "missing authorityKeyIdentifier (RFC 5280 4.2.1.1)");
    if (i > 0 && c->version == 3 && !anchor && !c->has_ski)
      fail(&r, TC_CERT_GENERIC_ERROR, "CA certificate without subjectKeyIdentifier (RFC 5280 4.2.1.2)");
    if (anchor && tc_cert_is_self_issued(c) && c->has_ski && c->aki.len &&
        (c->aki.len != c->ski.len || memcmp(c->aki.p, c->ski.p, c->aki.len) != 0))
      fail(&r, TC_CERT_GENERIC_ERROR,
           "self-issued anchor whose authorityKeyIdentifier is not its subjectKeyIdentifier (RFC 5280 4.2.1.1)");
    if (i == 0 && o->purpose == TC_PURPOSE_SERVER && !o->no_webpki_leaf && len > 1 &&
        !(stand_in && len == 2))
      check_webpki_leaf(c, &r);
    bool ca = c->has_bc && c->is_ca;
    if (i == 0 && len > 1 && c->has_ku && (c->ku & KU_KEY_CERT_SIGN) && !ca)
      fail(&r, TC_CERT_GENERIC_ERROR, "keyCertSign asserted without basicConstraints cA (RFC 5280 4.2.1.3)");
    if (c->has_nc && !ca)
      fail(&r, TC_CERT_GENERIC_ERROR, "nameConstraints in a certificate that is not a CA (RFC 5280 4.2.1.10)");
    if (!eku_allows(c, o->purpose))
      fail(&r, TC_CERT_GENERIC_ERROR,
           i == 0 ? "extendedKeyUsage does not allow the purpose"
                  : "an issuer's extendedKeyUsage does not allow the purpose (EKU chaining)");
    if (i == 0)
      continue;
    /* c issues path[i-1]. */
    /* A version 1 root is still an anchor: glib-networking's
     * verify-with-incorrect-root-in-chain trusts the v1 VeriSign Class 3
     * root (its presented MD2 copy stands in for it). */
    if (c->version < 3) {
      if (!anchor && !(stand_in && i + 2 == len))
        fail(&r, TC_CERT_UNKNOWN_CA, "version 1 or 2 certificate used as an intermediate CA");
    } else if (!ca)
      fail(&r, TC_CERT_UNKNOWN_CA, "issuer is not a CA (basicConstraints)");
    else if (c->has_ku && !(c->ku & KU_KEY_CERT_SIGN))
      fail(&r, TC_CERT_UNKNOWN_CA, "issuer's keyUsage lacks keyCertSign");
    if (c->path_len >= 0) {
      size_t below = 0; /* non-self-issued intermediates between c and the leaf */
      for (size_t k = 1; k < i; k++)
        if (!tc_cert_is_self_issued(path[k]))
          below++;
      if (below > (size_t)c->path_len)
        fail(&r, TC_CERT_UNKNOWN_CA, "pathLenConstraint exceeded");
    }
    if (c->has_nc) {
      for (size_t j = 0; j < i; j++) {
        /* Self-issued intermediates are exempt (RFC 5280 6.1.3 (b)). */
        if (j > 0 && tc_cert_is_self_issued(path[j]))
          continue;
        const char *why = tc_nc_check(c, path[j], j == 0, &v->nc_budget);
        if (why) {
          fail(&r, TC_CERT_GENERIC_ERROR, why);
          break;
        }
      }
    }
  }
  return r;
}

/* Returns true when a flawless path was found (search can stop). */
static bool complete(vctx *v, tc_cert *anchor, bool stand_in) {
  tc_cert *p[MAX_PATH + 1];
  size_t len = v->len;
  memcpy(p, v->path, len * sizeof *p);
  if (anchor)
    p[len++] = anchor;
  if (len > MAX_PATH)
    return false;
  verdict r = evaluate(v, p, len, stand_in);
  if (!v->have_best || popcount(r.flags) < popcount(v->best_flags)) {
    v->have_best = true;
    v->best_flags = r.flags;
    v->best_why = r.why;
    memcpy(v->best, p, len * sizeof *p);
    v->best_len = len;
  }
  return r.flags == 0;
}

/* Can `issuer` have signed `child`? Only names and the signature make an
 * edge: every other rule is judged on the whole path (evaluate), so a
 * candidate that breaks one is reported with its reason while the search
 * goes on to the others. */
static bool edge_ok(vctx *v, const tc_cert *child, const tc_cert *issuer) {
  if (v->budget == 0)
    return false;
  v->budget--;
  if (!tc_name_eq(&child->issuer, &issuer->subject))
    return false;
  if (child->sig_insecure)
    return true; /* MD2/MD5: not worth verifying, any such path gets TC_CERT_INSECURE */
  /* Every edge of a handshake's path is verified here, also when the pair
   * was seen before; the verified edge is noted for issuer look-ups
   * (tc_cert_issued_by), which then need no signature of their own. */
  if (tc_cert_verify_signed_by(child, issuer))
    return false;
  tc_cert_note_edge(child, issuer);
  return true;
}

/* Loop detection (RFC 4158 5.2): a certificate, or another one with the
 * same subject and key (a cross-signed or re-issued copy), at most once on
 * a path. */
static bool same_entity(const tc_cert *a, const tc_cert *b) {
  return tc_cert_equal(a, b) || (tc_name_eq(&a->subject, &b->subject) && a->pubkey && b->pubkey &&
                                 tc_pubkey_equal(a->pubkey, b->pubkey));
}

static bool in_path(const vctx *v, const tc_cert *c) {
  for (size_t i = 0; i < v->len; i++)
    if (same_entity(v->path[i], c))
      return true;
  return false;
}

/* The anchor that stands for `c` itself: the same certificate, or the same
 * subject and key (a re-issued or cross-signed copy of a root). */
static tc_cert *anchor_for(const vctx *v, const tc_cert *c) {
  size_t n = tc_trust_store_count(v->anchors);
  for (size_t i = 0; i < n; i++) {
    tc_cert *a = tc_trust_store_get(v->anchors, i);
    if (tc_cert_equal(a, c))
      return a;
  }
  for (size_t i = 0; i < n; i++) {
    tc_cert *a = tc_trust_store_get(v->anchors, i);
    if (tc_name_eq(&a->subject, &c->subject) && a->pubkey && c->pubkey &&
        tc_pubkey_equal(a->pubkey, c->pubkey))
      return a;
  }
  return NULL;
}

static bool search(vctx *v) {
  tc_cert *cur = v->path[v->len - 1];
  if (v->len > v->partial_len) {
    memcpy(v->partial, v->path, v->len * sizeof *v->path);
    v->partial_len = v->len;
  }
  tc_cert *self = anchor_for(v, cur);
  if (self) {
    if (tc_cert_equal(self, cur)) {
      if (complete(v, NULL, false))
        return true;
    } else {
      /* Keep cur's own checks but end at the trusted copy. */
      if (complete(v, self, true))
        return true;
    }
  }
  if (v->len >= MAX_PATH)
    return false;
  size_t na = tc_trust_store_count(v->anchors);
  for (size_t i = 0; i < na && v->budget > 0; i++) {
    tc_cert *a = tc_trust_store_get(v->anchors, i);
    if (!tc_name_eq(&cur->issuer, &a->subject) || a == self || in_path(v, a))
      continue;
    if (edge_ok(v, cur, a) && complete(v, a, false))
      return true;
  }
  if (v->len + 1 >= MAX_PATH)
    return false;
  for (size_t i = 1; i < v->n && v->budget > 0; i++) {
    tc_cert *c = v->chain[i];
    if (!tc_name_eq(&cur->issuer, &c->subject))
      continue; /* cheap test first: hostile chains may be long */
    bool dup = in_path(v, c);
    for (size_t j = 1; j < i && !dup; j++)
      dup = tc_cert_equal(v->chain[j], c);
    if (dup || !edge_ok(v, cur, c))
      continue;
    v->path[v->len++] = c;
    bool done = search(v);
    v->len--;
    if (done)
      return true;
  }
  return false;
}

static bool any_constrained(tc_cert *const *certs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (certs[i]->has_nc)
      return true;
  return false;
}

/* Whether the subject CN may name the host (see no_cn_fallback). Never
 * under name constraints: a constrained CA is trusted for the names its
 * constraints were written for, and a CN is not one of the names RFC 5280
 * constrains (Go 1.10-1.14 refused such chains; bettertls expects them
 * refused). Judged on the path built, or, without one, on everything
 * presented and tried. */
static bool cn_fallback(const vctx *v) {
  if (v->o->no_cn_fallback)
    return false;
  if (v->have_best)
    return !any_constrained(v->best, v->best_len);
  return !any_constrained(v->chain, v->n) && !any_constrained(v->partial, v->partial_len);
}

static bool any_must_staple(tc_cert *const *certs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (certs[i]->must_staple)
      return true;
  return false;
}

unsigned tc_x509_verify_opts(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                             const tc_verify_opts *o, const char **reason, tc_cert ***path,
                             size_t *path_len) {
  if (path) {
    *path = NULL;
    *path_len = 0;
  }
  if (reason)
    *reason = NULL;
  if (!chain || n == 0 || !chain[0] || !o) {
    if (reason)
      *reason = "no certificate";
    return TC_CERT_GENERIC_ERROR;
  }
  vctx ctx = {0}; /* ~300 bytes: no reason to go through the heap */
  vctx *v = &ctx;
  v->chain = chain;
  v->n = n < MAX_CHAIN ? n : MAX_CHAIN;
  v->anchors = anchors;
  v->o = o;
  v->budget = MAX_EDGES;
  v->nc_budget = NC_BUDGET;
  v->path[0] = chain[0];
  v->len = 1;
  search(v);

  unsigned flags;
  const char *why;
  if (v->have_best) {
    flags = v->best_flags;
    why = v->best_why;
  } else {
    flags = TC_CERT_UNKNOWN_CA;
    why = "no path to a trust anchor";
    for (size_t i = 0; i < v->partial_len; i++)
      flags |= time_flags(v->partial[i], o->now);
  }
  if (o->identity && !tc_match_identity_psl(chain[0], o->identity, cn_fallback(v), o->psl)) {
    flags |= TC_CERT_BAD_IDENTITY;
    if (!why)
      why = "the certificate does not name the host";
  }
  /* RFC 7633: the TLS Feature status_request on the path (a CA's constrains
   * what it issued) obliges the server to staple. Decided on the path just
   * built, so no caller has to walk the chain again. */
  if (o->staple == TC_STAPLE_NONE &&
      (v->have_best ? any_must_staple(v->best, v->best_len)
                    : any_must_staple(chain, v->n) || any_must_staple(v->partial, v->partial_len))) {
    flags |= TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING;
    if (!why)
      why = "must-staple certificate (RFC 7633) without a stapled OCSP response";
  }
  if (reason && flags)
    *reason = why;
  if (flags == 0 && path) {
    tc_cert **out = malloc(v->best_len * sizeof *out);
    if (out) {
      for (size_t i = 0; i < v->best_len; i++)
        out[i] = tc_cert_ref(v->best[i]);
      *path = out;
      *path_len = v->best_len;
    }
  }
  return flags;
}

unsigned tc_x509_verify(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                        const char *identity, int64_t now, tc_purpose purpose, tc_cert ***path,
                        size_t *path_len) {
  tc_verify_opts o = {.identity = identity, .now = now, .purpose = purpose};
  return tc_x509_verify_opts(chain, n, anchors, &o, NULL, path, path_len);
}

unsigned tc_x509_verify_staple(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                               const char *identity, int64_t now, tc_purpose purpose,
                               tc_staple staple, tc_cert ***path, size_t *path_len) {
  tc_verify_opts o = {.identity = identity, .now = now, .purpose = purpose, .staple = staple};
  return tc_x509_verify_opts(chain, n, anchors, &o, NULL, path, path_len);
}
