/* RFC 6125 identity matching against subjectAltName dNSName and iPAddress entries, and the optional subject-CN fallback. */
#include <arpa/inet.h>
#include <string.h>

#include "x509/x509_internal.h"

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool ieq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

/* Parse a textual IPv4 or IPv6 address (optionally in brackets). Returns
 * the address length (4 or 16) or 0 if name is not an IP literal. */
static size_t parse_ip(const char *name, uint8_t out[16]) {
  char buf[64];
  size_t n = strlen(name);
  if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
    name++;
    n -= 2;
  }
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, name, n);
  buf[n] = '\0';
  /* inet_pton's IPv4 form is the strict dotted quad, which is what we want
   * (no "127.1" or octal shortcuts). */
  if (inet_pton(AF_INET, buf, out) == 1)
    return 4;
  if (inet_pton(AF_INET6, buf, out) == 1)
    return 16;
  return 0;
}

/* Whether a label count of the pattern's fixed part is large enough that a
 * wildcard cannot cover a whole public suffix ("*.com", "*.co"). */
static bool enough_labels(const char *p, size_t n) {
  size_t dots = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '.')
      dots++;
  return dots >= 1 && n > 0 && p[0] != '.' && p[n - 1] != '.';
}

static bool valid_host_chars(const char *s, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(c == '-' || c == '.' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
          (c >= 'A' && c <= 'Z')))
      return false;
  }
  return true;
}

/* Match one SAN dNSName pattern against a host name (both without a
 * trailing dot, host already validated). */
static bool match_dns(const char *pat, size_t pl, const char *host, size_t hl, const tc_psl *psl) {
  if (pl > 0 && pat[pl - 1] == '.')
    pl--;
  if (pl == 0)
    return false;
  if (pl >= 2 && pat[0] == '*' && pat[1] == '.') {
    const char *rest = pat + 2;
    size_t rl = pl - 2;
    if (!enough_labels(rest, rl) || !valid_host_chars(rest, rl) || memchr(rest, '*', rl) ||
        memchr(rest, '_', rl) || tc_psl_is_public_suffix(psl, rest, rl))
      return false;
    const char *dot = memchr(host, '.', hl);
    if (!dot || dot == host)
      return false; /* the wildcard must cover one non-empty label */
    size_t tail = hl - (size_t)(dot + 1 - host);
    return tail == rl && ieq(dot + 1, rest, rl);
  }
  if (memchr(pat, '*', pl))
    return false; /* partial-label wildcards are not honoured */
  if (memchr(pat, '_', pl))
    return false; /* RFC 5280 4.2.1.6: dNSNames are in preferred name syntax (LDH) */
  return pl == hl && ieq(pat, host, hl);
}

static bool match_identity(const tc_cert *cert, const char *name, const tc_psl *psl) {
  if (!cert || !name || !*name)
    return false;
  uint8_t ip[16];
  size_t iplen = parse_ip(name, ip);
  if (iplen) {
    for (size_t i = 0; i < cert->n_ip; i++)
      if (cert->ip[i].len == iplen && memcmp(cert->ip[i].p, ip, iplen) == 0)
        return true;
    /* An IPv4 address may also appear as an IPv4-mapped IPv6 SAN. */
    if (iplen == 4) {
      static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      for (size_t i = 0; i < cert->n_ip; i++)
        if (cert->ip[i].len == 16 && memcmp(cert->ip[i].p, mapped, 12) == 0 &&
            memcmp(cert->ip[i].p + 12, ip, 4) == 0)
          return true;
    }
    return false;
  }
  size_t hl = strlen(name);
  if (name[hl - 1] == '.')
    hl--;
  if (!valid_host_chars(name, hl) || name[0] == '.' || memmem(name, hl, "..", 2))
    return false;
  for (size_t i = 0; i < cert->n_dns; i++)
    if (match_dns((const char *)cert->dns[i].p, cert->dns[i].len, name, hl, psl))
      return true;
  return false;
}

/* The CN as a host name: letters, digits, '-' and '.', not starting with a
 * dot. Anything else (spaces, '*', escapes, IP literals) is never a name. */
static bool cn_is_host(const der *cn) {
  if (cn->len == 0 || cn->p[0] == '.')
    return false;
  bool alpha = false;
  for (size_t i = 0; i < cn->len; i++) {
    uint8_t ch = cn->p[i];
    bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    alpha = alpha || letter || ch == '-';
    if (!letter && !(ch >= '0' && ch <= '9') && ch != '-' && ch != '.')
      return false;
  }
  return alpha; /* "127.0.0.1" is an address, and addresses never match a CN */
}

bool tc_cert_cn_host(const tc_cert *cert, const char **name, size_t *len) {
  /* Constraints judge the CN whether or not this validation matches it: a
   * certificate other software may read by its CN must not escape them. */
  if (cert->has_san || !cn_is_host(&cert->cn))
    return false;
  *name = (const char *)cert->cn.p;
  *len = cert->cn.len;
  return true;
}

bool tc_x509_match_identity(const tc_cert *cert, const char *name) {
  return match_identity(cert, name, NULL);
}

bool tc_x509_match_identity_cn(const tc_cert *cert, const char *name, bool cn_fallback) {
  return tc_match_identity_psl(cert, name, cn_fallback, NULL);
}

bool tc_match_identity_psl(const tc_cert *cert, const char *name, bool cn_fallback, const tc_psl *psl) {
  if (match_identity(cert, name, psl))
    return true;
  const char *cn;
  size_t cl;
  uint8_t ip[16];
  /* RFC 6125 6.4.4: only without any subjectAltName, exact, never for IPs. */
  if (!cn_fallback || !cert || !name || !*name || parse_ip(name, ip) ||
      !tc_cert_cn_host(cert, &cn, &cl))
    return false;
  size_t hl = strlen(name);
  if (name[hl - 1] == '.')
    hl--;
  if (cl > 0 && cn[cl - 1] == '.')
    cl--;
  return hl > 0 && hl == cl && ieq(cn, name, hl);
}
