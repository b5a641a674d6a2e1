/* The Public Suffix List's rules, parsed from its text form, answering "is this name a public suffix" for wildcard checks. */
#include <stdlib.h>
#include <string.h>

#include "x509/x509_internal.h"

/* Longest name judged: a DNS name has at most 253 characters. */
#define MAX_NAME 253

struct tc_psl {
  char *blob;       /* the rules, each NUL-terminated, lower case */
  char **rules;     /* sorted: plain rules and "*.suffix" wildcards */
  size_t n_rules;
  char **except;    /* sorted: exception rules without their '!' */
  size_t n_except;
};

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has(char *const *set, size_t n, const char *s) {
  return n > 0 && bsearch(&s, set, n, sizeof *set, cmp_str) != NULL;
}

/* A rule is kept when it is ASCII letters, digits, '-', '.', a leading
 * "*." or a leading '!': the list also spells internationalised suffixes
 * in UTF-8, which certificates never carry (they carry A-labels), so those
 * rules could never match and are left out. */
static bool rule_ok(const char *r, size_t n) {
  size_t i = 0;
  if (n > 0 && r[0] == '!')
    i = 1;
  else if (n > 2 && r[0] == '*' && r[1] == '.')
    i = 2;
  if (i >= n || r[i] == '.' || r[n - 1] == '.')
    return false;
  for (; i < n; i++) {
    char c = r[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.'))
      return false;
  }
  return n <= MAX_NAME + 1;
}

tc_psl *tc_psl_parse(const char *text, size_t len) {
  if (!text || len == 0)
    return NULL;
  tc_psl *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->blob = malloc(len + 1);
  /* At most one rule per two bytes ("a\n"): a bound, not a count. */
  size_t cap = len / 2 + 1;
  p->rules = malloc(cap * sizeof *p->rules);
  p->except = malloc(cap * sizeof *p->except);
  if (!p->blob || !p->rules || !p->except) {
    tc_psl_free(p);
    return NULL;
  }
  size_t out = 0;
  for (size_t i = 0; i < len;) {
    size_t end = i;
    while (end < len && text[end] != '\n')
      end++;
    /* The rule is the line's first word (the format's definition). */
    size_t s = i;
    while (s < end && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
      s++;
    size_t e = s;
    while (e < end && text[e] != ' ' && text[e] != '\t' && text[e] != '\r')
      e++;
    bool comment = e - s >= 2 && text[s] == '/' && text[s + 1] == '/';
    if (e > s && !comment && rule_ok(text + s, e - s)) {
      bool exc = text[s] == '!';
      char *r = p->blob + out;
      size_t rl = e - s - exc;
      for (size_t k = 0; k < rl; k++) {
        char c = text[s + exc + k];
        r[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
      }
      r[rl] = '\0';
      if (exc)
        p->except[p->n_except++] = r;
      else
        p->rules[p->n_rules++] = r;
      out += rl + 1;
    }
    i = end + 1;
  }
  if (p->n_rules == 0) {
    tc_psl_free(p);
    return NULL;
  }
  qsort(p->rules, p->n_rules, sizeof *p->rules, cmp_str);
  if (p->n_except)
    qsort(p->except, p->n_except, sizeof *p->except, cmp_str);
  return p;
}

void tc_psl_free(tc_psl *psl) {
  if (!psl)
    return;
  free(psl->blob);
  free(psl->rules);
  free(psl->except);
  free(psl);
}

size_t tc_psl_rules(const tc_psl *psl) { return psl ? psl->n_rules + psl->n_except : 0; }

/* The list's algorithm reduced to the one question asked: the name is a
 * public suffix when a rule names it exactly, or a wildcard rule covers
 * its first label, and no exception rule names it. The list's implicit
 * "*" rule (any unlisted top-level name is a suffix) is not applied:
 * private names such as "*.corp" or "*.lan" stay usable. */
bool tc_psl_is_public_suffix(const tc_psl *psl, const char *name, size_t len) {
  if (!psl || !name || len == 0)
    return false;
  if (name[len - 1] == '.')
    len--;
  if (len == 0 || len > MAX_NAME)
    return false;
  char buf[MAX_NAME + 3];
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (c == '\0')
      return false;
    buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  buf[len] = '\0';
  if (has(psl->except, psl->n_except, buf))
    return false;
  if (has(psl->rules, psl->n_rules, buf))
    return true;
  const char *dot = memchr(buf, '.', len);
  if (!dot || dot == buf)
    return false;
  /* "*." followed by what comes after the first label. */
  char wild[MAX_NAME + 3];
  size_t rest = len - (size_t)(dot + 1 - buf);
  wild[0] = '*';
  wild[1] = '.';
  memcpy(wild + 2, dot + 1, rest);
  wild[2 + rest] = '\0';
  return has(psl->rules, psl->n_rules, wild);
}
