/* Certification path building (with backtracking) and RFC 5280 validation into GTlsCertificateFlags. */
#include <stdlib.h>
#include <string.h>

#include "x509/x509_internal.h"

#define MAX_PATH 10     /* certificates on a path, anchor included */
#define MAX_EDGES 200   /* issuer candidates examined per validation */
#define MAX_CHAIN 64    /* presented certificates considered at all */

typedef struct {
  tc_cert *const *chain;
  size_t n;
  const tc_trust_store *anchors;
  int64_t now;
  tc_purpose purpose;
  unsigned budget;

  tc_cert *path[MAX_PATH];
  size_t len;

  bool have_best;
  unsigned best_flags;
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

/* ---- name constraints (DNS names and IP addresses) ---- */

static char lc(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c; }

static bool dns_within(const der *name, const der *base) {
  size_t nl = name->len, bl = base->len;
  if (nl && name->p[nl - 1] == '.')
    nl--;
  if (bl == 0)
    return true;
  const uint8_t *b = base->p;
  bool sub_only = b[0] == '.';
  if (nl < bl)
    return false;
  for (size_t i = 0; i < bl; i++)
    if (lc(name->p[nl - bl + i]) != lc(b[i]))
      return false;
  if (nl == bl)
    return !sub_only;
  return sub_only || name->p[nl - bl - 1] == '.';
}

static bool ip_within(const der *ip, const der *base) {
  if (base->len != 2 * ip->len)
    return false;
  const uint8_t *addr = base->p, *mask = base->p + ip->len;
  for (size_t i = 0; i < ip->len; i++)
    if ((ip->p[i] & mask[i]) != (addr[i] & mask[i]))
      return false;
  return true;
}

/* Does any subtree of type `tag` in `subtrees` contain the name? Sets
 * *have_type if the subtrees constrain that type at all. */
static bool in_subtrees(der subtrees, uint8_t tag, const der *name, bool *have_type) {
  *have_type = false;
  while (!der_empty(&subtrees)) {
    der st, base;
    uint8_t t;
    if (!der_read(&subtrees, DER_SEQUENCE, &st) || !der_read_any(&st, &t, &base, NULL))
      return false;
    if (t != tag)
      continue;
    *have_type = true;
    if (tag == DER_CTX(2) ? dns_within(name, &base) : ip_within(name, &base))
      return true;
  }
  return false;
}

static bool name_allowed(const tc_cert *ca, uint8_t tag, const der *name) {
  bool have;
  if (ca->nc_excluded.len && in_subtrees(ca->nc_excluded, tag, name, &have))
    return false;
  if (ca->nc_permitted.len && !in_subtrees(ca->nc_permitted, tag, name, &have) && have)
    return false;
  return true;
}

static bool names_allowed(const tc_cert *ca, const tc_cert *c) {
  for (size_t i = 0; i < c->n_dns; i++)
    if (!name_allowed(ca, DER_CTX(2), &c->dns[i]))
      return false;
  for (size_t i = 0; i < c->n_ip; i++)
    if (!name_allowed(ca, DER_CTX(7), &c->ip[i]))
      return false;
  return true;
}

/* ---- path evaluation ---- */

static unsigned evaluate(const vctx *v, tc_cert *const *path, size_t len) {
  unsigned f = 0;
  for (size_t i = 0; i < len; i++) {
    const tc_cert *c = path[i];
    f |= time_flags(c, v->now);
    if (i + 1 < len) { /* the anchor's own signature and extensions are trusted as is */
      if (c->sig_insecure)
        f |= TC_CERT_INSECURE;
      if (c->unknown_critical)
        f |= TC_CERT_GENERIC_ERROR;
    }
    if (i > 0 && c->has_nc) {
      for (size_t j = 0; j < i; j++) {
        /* Self-issued intermediates are exempt (RFC 5280 6.1.3 (b)). */
        if (j > 0 && tc_cert_is_self_issued(path[j]))
          continue;
        if (!names_allowed(c, path[j]))
          f |= TC_CERT_GENERIC_ERROR;
      }
    }
  }
  const tc_cert *leaf = path[0];
  if (leaf->has_eku && !leaf->eku_any) {
    if ((v->purpose == TC_PURPOSE_SERVER && !leaf->eku_server) ||
        (v->purpose == TC_PURPOSE_CLIENT && !leaf->eku_client))
      f |= TC_CERT_GENERIC_ERROR;
  }
  return f;
}

/* Returns true when a flawless path was found (search can stop). */
static bool complete(vctx *v, tc_cert *anchor) {
  tc_cert *p[MAX_PATH + 1];
  size_t len = v->len;
  memcpy(p, v->path, len * sizeof *p);
  if (anchor)
    p[len++] = anchor;
  if (len > MAX_PATH)
    return false;
  unsigned f = evaluate(v, p, len);
  if (!v->have_best || popcount(f) < popcount(v->best_flags)) {
    v->have_best = true;
    v->best_flags = f;
    memcpy(v->best, p, len * sizeof *p);
    v->best_len = len;
  }
  return f == 0;
}

/* Can `issuer` have issued `child` at the top of the current path? */
static bool edge_ok(vctx *v, const tc_cert *child, const tc_cert *issuer, bool is_anchor) {
  if (v->budget == 0)
    return false;
  v->budget--;
  if (!tc_name_eq(&child->issuer, &issuer->subject))
    return false;
  /* Version 1 roots predate basicConstraints; trust them only as anchors. */
  if (!(issuer->has_bc && issuer->is_ca) && !(is_anchor && issuer->version < 3))
    return false;
  if (issuer->has_ku && !(issuer->ku & KU_KEY_CERT_SIGN))
    return false;
  if (issuer->path_len >= 0) {
    size_t below = 0; /* non-self-issued intermediates between issuer and leaf */
    for (size_t i = 1; i < v->len; i++)
      if (!tc_cert_is_self_issued(v->path[i]))
        below++;
    if (below > (size_t)issuer->path_len)
      return false;
  }
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

static bool in_path(const vctx *v, const tc_cert *c) {
  for (size_t i = 0; i < v->len; i++)
    if (tc_cert_equal(v->path[i], c))
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
      if (complete(v, NULL))
        return true;
    } else {
      /* Keep cur's own checks but end at the trusted copy. */
      if (complete(v, self))
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
    if (edge_ok(v, cur, a, true) && complete(v, a))
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
    if (dup || !edge_ok(v, cur, c, false))
      continue;
    v->path[v->len++] = c;
    bool done = search(v);
    v->len--;
    if (done)
      return true;
  }
  return false;
}

static bool any_must_staple(tc_cert *const *certs, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (certs[i]->must_staple)
      return true;
  return false;
}

unsigned tc_x509_verify(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                        const char *identity, int64_t now, tc_purpose purpose, tc_cert ***path,
                        size_t *path_len) {
  return tc_x509_verify_staple(chain, n, anchors, identity, now, purpose, TC_STAPLE_IGNORE, path,
                               path_len);
}

unsigned tc_x509_verify_staple(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                               const char *identity, int64_t now, tc_purpose purpose,
                               tc_staple staple, tc_cert ***path, size_t *path_len) {
  if (path) {
    *path = NULL;
    *path_len = 0;
  }
  if (!chain || n == 0 || !chain[0])
    return TC_CERT_GENERIC_ERROR;
  vctx ctx = {0}; /* ~300 bytes: no reason to go through the heap */
  vctx *v = &ctx;
  v->chain = chain;
  v->n = n < MAX_CHAIN ? n : MAX_CHAIN;
  v->anchors = anchors;
  v->now = now;
  v->purpose = purpose;
  v->budget = MAX_EDGES;
  v->path[0] = chain[0];
  v->len = 1;
  search(v);

  unsigned flags;
  if (v->have_best) {
    flags = v->best_flags;
  } else {
    flags = TC_CERT_UNKNOWN_CA;
    for (size_t i = 0; i < v->partial_len; i++)
      flags |= time_flags(v->partial[i], now);
  }
  if (identity && !tc_x509_match_identity(chain[0], identity))
    flags |= TC_CERT_BAD_IDENTITY;
  /* RFC 7633: the TLS Feature status_request on the path (a CA's constrains
   * what it issued) obliges the server to staple. Decided on the path just
   * built, so no caller has to walk the chain again. */
  if (staple == TC_STAPLE_NONE &&
      (v->have_best ? any_must_staple(v->best, v->best_len)
                    : any_must_staple(chain, v->n) || any_must_staple(v->partial, v->partial_len)))
    flags |= TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING;
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
