/* RFC 5280 4.2.1.10 name constraints for every GeneralName form, under a fixed work budget. */
#include <string.h>

#include "x509/x509_internal.h"

enum {
  GN_OTHER = DER_CTX_CONS(0),
  GN_EMAIL = DER_CTX(1),
  GN_DNS = DER_CTX(2),
  GN_X400 = DER_CTX_CONS(3),
  GN_DIR = DER_CTX_CONS(4),
  GN_EDI = DER_CTX_CONS(5),
  GN_URI = DER_CTX(6),
  GN_IP = DER_CTX(7),
  GN_RID = DER_CTX(8)
};

static uint8_t lc(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c - 'A' + 'a') : c; }

static bool ieq(const uint8_t *a, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (lc(a[i]) != lc(b[i]))
      return false;
  return true;
}

static bool bytes_eq(const der *a, const der *b) {
  return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* A host name as constraints can judge it: LDH labels (and '_', seen in
 * the wild), none empty, no trailing dot. With `wild`, "*." may lead. */
static bool valid_dns(const uint8_t *p, size_t n, bool wild) {
  if (wild && n >= 2 && p[0] == '*' && p[1] == '.') {
    p += 2;
    n -= 2;
  }
  if (n == 0 || n > 253)
    return false;
  size_t label = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_'))
      return false;
    if (++label > 63)
      return false;
  }
  return label > 0;
}

/* Is host name h within the DNS subtree b? "example.com" holds itself and
 * its subdomains, ".example.com" only its subdomains. */
static bool dns_in(const uint8_t *h, size_t hl, const uint8_t *b, size_t bl) {
  if (bl == 0)
    return true; /* the empty base holds every name */
  bool sub_only = b[0] == '.';
  if (hl < bl || !ieq(h + hl - bl, b, bl))
    return false;
  if (hl == bl)
    return !sub_only;
  return sub_only || h[hl - bl - 1] == '.';
}

/* A wildcard name "*.rest" stands for every "x.rest" (one label x).
 * Permitted only if all of them are inside the base; excluded if any is. */
static bool dns_match(const der *name, const der *base, bool excluded) {
  if (!(name->len >= 2 && name->p[0] == '*' && name->p[1] == '.'))
    return dns_in(name->p, name->len, base->p, base->len);
  const uint8_t *rest = name->p + 2, *b = base->p;
  size_t rl = name->len - 2, bl = base->len;
  bool dot = bl > 0 && b[0] == '.';
  /* Every x.rest is inside b, or inside .b, exactly when rest is inside b. */
  if (dns_in(rest, rl, dot ? b + 1 : b, dot ? bl - 1 : bl))
    return true;
  if (!excluded || dot)
    return false;
  /* Some x.rest equals b when b is one label under rest. */
  const uint8_t *d = memchr(b, '.', bl);
  return d && d != b && (size_t)(b + bl - d - 1) == rl && ieq(d + 1, rest, rl);
}

static bool ip_match(const der *ip, const der *base) {
  if (base->len != 2 * ip->len)
    return false;
  const uint8_t *addr = base->p, *mask = base->p + ip->len;
  for (size_t i = 0; i < ip->len; i++)
    if ((ip->p[i] & mask[i]) != (addr[i] & mask[i]))
      return false;
  return true;
}

/* Split a mailbox "local@host": false unless exactly that shape. */
static bool split_email(const der *m, der *local, der *host) {
  const uint8_t *at = NULL;
  for (size_t i = 0; i < m->len; i++) {
    if (m->p[i] == '@') {
      if (at)
        return false;
      at = m->p + i;
    }
  }
  if (!at || at == m->p)
    return false;
  *local = der_view(m->p, (size_t)(at - m->p));
  *host = der_view(at + 1, m->len - local->len - 1);
  return valid_dns(host->p, host->len, false);
}

/* rfc822Name constraint forms: a mailbox (exact), a host, or ".domain". */
static bool email_match(const der *name, const der *base) {
  der local, host, blocal, bhost;
  if (memchr(base->p, '@', base->len)) {
    if (!split_email(base, &blocal, &bhost) || !split_email(name, &local, &host))
      return false;
    return bytes_eq(&local, &blocal) && host.len == bhost.len && ieq(host.p, bhost.p, host.len);
  }
  if (!split_email(name, &local, &host))
    return false;
  if (base->len > 0 && base->p[0] == '.')
    return dns_in(host.p, host.len, base->p, base->len);
  return host.len == base->len && ieq(host.p, base->p, host.len);
}

/* The host of a URI "scheme://[userinfo@]host[:port][/...]"; false if it
 * has none (then no URI constraint can be judged). */
static bool uri_host(const der *uri, der *host) {
  const uint8_t *p = uri->p, *end = uri->p + uri->len;
  const uint8_t *colon = memchr(p, ':', uri->len);
  if (!colon || colon + 3 > end || colon[1] != '/' || colon[2] != '/')
    return false;
  const uint8_t *a = colon + 3, *e = a;
  while (e < end && *e != '/' && *e != '?' && *e != '#')
    e++;
  const uint8_t *at = NULL;
  for (const uint8_t *q = a; q < e; q++)
    if (*q == '@')
      at = q;
  if (at)
    a = at + 1;
  if (a < e && *a == '[')
    return false; /* IP literal hosts: a URI constraint names domains only */
  const uint8_t *h_end = a;
  while (h_end < e && *h_end != ':')
    h_end++;
  *host = der_view(a, (size_t)(h_end - a));
  return valid_dns(host->p, host->len, false);
}

static bool uri_match(const der *name, const der *base) {
  der host;
  if (!uri_host(name, &host))
    return false;
  if (base->len > 0 && base->p[0] == '.')
    return dns_in(host.p, host.len, base->p, base->len);
  return host.len == base->len && ieq(host.p, base->p, host.len);
}

/* Is the Name `base` (a full Name TLV) a prefix of the Name `name`, RDN
 * by RDN (byte comparison of each RelativeDistinguishedName)? */
static bool dir_match(const der *name, const der *base) {
  der n = *name, b = *base, ns, bs;
  if (!der_read(&n, DER_SEQUENCE, &ns) || !der_read(&b, DER_SEQUENCE, &bs))
    return false;
  while (!der_empty(&bs)) {
    der brdn, nrdn;
    if (!der_read_any(&bs, NULL, NULL, &brdn) || !der_read_any(&ns, NULL, NULL, &nrdn) ||
        !bytes_eq(&brdn, &nrdn))
      return false;
  }
  return true;
}

/* otherName: type-id OID then [0] value. */
static bool other_type(const der *v, der *oid) {
  der in = *v;
  return der_read(&in, DER_OID, oid);
}

static bool name_valid(uint8_t tag, const der *name) {
  der a, b;
  switch (tag) {
  case GN_DNS:
    return valid_dns(name->p, name->len, true);
  case GN_EMAIL:
    return split_email(name, &a, &b);
  case GN_URI:
    return uri_host(name, &a);
  case GN_IP:
    return name->len == 4 || name->len == 16;
  default:
    return true;
  }
}

static bool match(uint8_t tag, const der *name, const der *base, bool excluded) {
  der t1, t2;
  switch (tag) {
  case GN_DNS:
    return dns_match(name, base, excluded);
  case GN_IP:
    return ip_match(name, base);
  case GN_EMAIL:
    return email_match(name, base);
  case GN_URI:
    return uri_match(name, base);
  case GN_DIR:
    return dir_match(name, base);
  case GN_OTHER:
    /* We cannot tell what an otherName value contains, so an excluded
     * subtree of the same type forbids every name of that type. */
    if (excluded)
      return other_type(name, &t1) && other_type(base, &t2) && bytes_eq(&t1, &t2);
    return bytes_eq(name, base);
  default:
    return bytes_eq(name, base);
  }
}

typedef struct {
  const tc_cert *ca;
  unsigned long *budget;
  const char *why;
} ncx;

/* One name against the CA's subtrees; false (with why) on a violation. */
static bool check_name(ncx *x, uint8_t tag, const der *name) {
  for (int pass = 0; pass < 2; pass++) {
    bool excluded = pass == 0;
    der subtrees = excluded ? x->ca->nc_excluded : x->ca->nc_permitted;
    bool have = false, hit = false;
    while (!der_empty(&subtrees) && !hit) {
      der st, base;
      uint8_t t;
      if (!der_read(&subtrees, DER_SEQUENCE, &st) || !der_read_any(&st, &t, &base, NULL))
        break; /* checked when parsed */
      if (t != tag)
        continue;
      if (*x->budget == 0) {
        x->why = "name constraints: the names and constraints need more work than the fixed budget allows";
        return false;
      }
      (*x->budget)--;
      if (!have && !name_valid(tag, name)) {
        x->why = "name constraints: a name of a constrained type is malformed and cannot be judged";
        return false;
      }
      have = true;
      if (tag == GN_DIR) {
        der inner = base, dn;
        if (!der_read_any(&inner, NULL, NULL, &dn)) /* [4] EXPLICIT Name */
          continue;
        hit = match(tag, name, &dn, excluded);
      } else {
        hit = match(tag, name, &base, excluded);
      }
    }
    if (excluded && hit) {
      x->why = "name constraints: a name is inside an excluded subtree";
      return false;
    }
    if (!excluded && have && !hit) {
      x->why = "name constraints: a name is outside every permitted subtree";
      return false;
    }
  }
  return true;
}

const char *tc_nc_check(const tc_cert *ca, const tc_cert *c, bool is_leaf, unsigned long *budget) {
  ncx x = {ca, budget, NULL};
  /* The subject, as a directoryName, unless empty. */
  if (c->subject.len > 2 && !check_name(&x, GN_DIR, &c->subject))
    return x.why;
  der it = c->san;
  while (!der_empty(&it)) {
    uint8_t tag;
    der content;
    if (!der_read_any(&it, &tag, &content, NULL))
      break;
    if (tag == GN_DIR) {
      der inner = content, dn;
      if (!der_read_any(&inner, NULL, NULL, &dn))
        continue;
      content = dn;
    }
    if (!check_name(&x, tag, &content))
      return x.why;
  }
  /* A CN that serves as the host name is constrained as a dNSName. */
  const char *cn;
  size_t cl;
  if (is_leaf && tc_cert_cn_host(c, &cn, &cl)) {
    der d = der_view((const uint8_t *)cn, cl);
    if (!check_name(&x, GN_DNS, &d))
      return x.why;
  }
  return NULL;
}
