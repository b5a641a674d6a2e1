/* Distinguished Name formatting (RFC 4514 escaping, X.509 order) and comparison. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x509/x509_internal.h"

typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
  bool dry; /* only validate the Name: nothing is stored or allocated */
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->failed || b->dry)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 128;
    while (nc < b->len + n + 1)
      nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np) {
      b->failed = true;
      return;
    }
    b->p = np;
    b->cap = nc;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_hex(sbuf *b, const uint8_t *p, size_t n) {
  static const char hx[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    char t[2] = {hx[p[i] >> 4], hx[p[i] & 15]};
    sb_add(b, t, 2);
  }
}

static void sb_utf8(sbuf *b, uint32_t cp) {
  char t[4];
  if (cp < 0x80) {
    t[0] = (char)cp;
    sb_add(b, t, 1);
  } else if (cp < 0x800) {
    t[0] = (char)(0xc0 | (cp >> 6));
    t[1] = (char)(0x80 | (cp & 0x3f));
    sb_add(b, t, 2);
  } else if (cp < 0x10000) {
    t[0] = (char)(0xe0 | (cp >> 12));
    t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    t[2] = (char)(0x80 | (cp & 0x3f));
    sb_add(b, t, 3);
  } else {
    t[0] = (char)(0xf0 | (cp >> 18));
    t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    t[3] = (char)(0x80 | (cp & 0x3f));
    sb_add(b, t, 4);
  }
}

static const struct {
  const char *name;
  uint8_t len;
  uint8_t oid[10];
} attrs[] = {
    {"CN", 3, {0x55, 0x04, 0x03}},
    {"SN", 3, {0x55, 0x04, 0x04}},
    {"serialNumber", 3, {0x55, 0x04, 0x05}},
    {"C", 3, {0x55, 0x04, 0x06}},
    {"L", 3, {0x55, 0x04, 0x07}},
    {"ST", 3, {0x55, 0x04, 0x08}},
    {"STREET", 3, {0x55, 0x04, 0x09}},
    {"O", 3, {0x55, 0x04, 0x0a}},
    {"OU", 3, {0x55, 0x04, 0x0b}},
    {"title", 3, {0x55, 0x04, 0x0c}},
    {"postalCode", 3, {0x55, 0x04, 0x11}},
    {"GN", 3, {0x55, 0x04, 0x2a}},
    {"initials", 3, {0x55, 0x04, 0x2b}},
    {"dnQualifier", 3, {0x55, 0x04, 0x2e}},
    {"pseudonym", 3, {0x55, 0x04, 0x41}},
    {"DC", 10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}},
    {"UID", 10, {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01}},
    {"EMAIL", 9, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}},
};

/* Append one decoded character with RFC 4514 escaping. */
static void put_char(sbuf *b, uint32_t cp, bool first, bool last) {
  if (cp == 0) {
    sb_str(b, "\\00");
    return;
  }
  if (cp < 0x80 && (strchr(",+\"\\<>;", (int)cp) || (first && (cp == ' ' || cp == '#')) ||
                    (last && cp == ' '))) {
    char t[2] = {'\\', (char)cp};
    sb_add(b, t, 2);
    return;
  }
  sb_utf8(b, cp);
}

/* Decode a string value into code points; false if the type is not a
 * string we know or the encoding is broken. */
static bool put_value(sbuf *b, uint8_t tag, const der *v) {
  size_t unit;
  switch (tag) {
  case DER_UTF8STRING:
  case DER_PRINTABLESTRING:
  case DER_IA5STRING:
  case 0x12: /* NumericString */
  case 0x1a: /* VisibleString */
  case DER_T61STRING:
    unit = 1;
    break;
  case DER_BMPSTRING:
    unit = 2;
    break;
  case DER_UNIVERSALSTRING:
    unit = 4;
    break;
  default:
    return false;
  }
  if (v->len % unit)
    return false;
  if (b->dry)
    return true; /* an undecodable value only switches to the hex form, never fails */
  /* Decode first (to know which character is last), then escape. */
  size_t n = 0, cap = v->len / unit + 1;
  uint32_t *cps = malloc(cap * sizeof *cps);
  if (!cps) {
    b->failed = true;
    return true;
  }
  for (size_t i = 0; i < v->len;) {
    uint32_t cp;
    if (unit == 2) {
      cp = (uint32_t)v->p[i] << 8 | v->p[i + 1];
      i += 2;
    } else if (unit == 4) {
      cp = (uint32_t)v->p[i] << 24 | (uint32_t)v->p[i + 1] << 16 | (uint32_t)v->p[i + 2] << 8 |
           v->p[i + 3];
      i += 4;
    } else if (tag == DER_UTF8STRING && v->p[i] >= 0x80) {
      uint8_t c = v->p[i];
      size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
      if (k == 0 || c > 0xf4 || i + k > v->len)
        goto bad;
      cp = c & (0x3f >> (k - 1));
      for (size_t j = 1; j < k; j++) {
        if ((v->p[i + j] & 0xc0) != 0x80)
          goto bad;
        cp = cp << 6 | (v->p[i + j] & 0x3f);
      }
      static const uint32_t minv[] = {0, 0, 0x80, 0x800, 0x10000};
      if (cp < minv[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        goto bad;
      i += k;
    } else {
      cp = v->p[i++]; /* ASCII types; T61 read as Latin-1 as most tools do */
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      goto bad;
    cps[n++] = cp;
  }
  for (size_t i = 0; i < n; i++)
    put_char(b, cps[i], i == 0, i + 1 == n);
  free(cps);
  return true;
bad:
  free(cps);
  return false;
}

/* Walks a Name, formatting it into `b` (or only checking it when b->dry).
 * False when the Name is malformed. */
static bool format_name(const der *name, sbuf *b) {
  der in = *name, seq;
  if (!der_read(&in, DER_SEQUENCE, &seq) || !der_empty(&in))
    return false;
  bool first_rdn = true;
  while (!der_empty(&seq)) {
    der set;
    if (!der_read(&seq, DER_SET, &set) || der_empty(&set))
      return false;
    if (!first_rdn)
      sb_str(b, ",");
    first_rdn = false;
    bool first_atv = true;
    while (!der_empty(&set)) {
      der atv, oid, val, valfull;
      uint8_t tag;
      if (!der_read(&set, DER_SEQUENCE, &atv) || !der_read(&atv, DER_OID, &oid) ||
          !der_oid_valid(&oid) || !der_read_any(&atv, &tag, &val, &valfull) || !der_empty(&atv))
        return false;
      if (!first_atv)
        sb_str(b, "+");
      first_atv = false;
      const char *an = NULL;
      for (size_t i = 0; i < sizeof attrs / sizeof attrs[0] && !an; i++)
        if (der_oid_eq(&oid, attrs[i].oid, attrs[i].len))
          an = attrs[i].name;
      if (an) {
        sb_str(b, an);
        sb_str(b, "=");
        size_t mark = b->len;
        if (put_value(b, tag, &val))
          continue;
        b->len = mark; /* not a string: fall back to the hex form */
      } else {
        char txt[128];
        if (!der_oid_to_text(&oid, txt, sizeof txt))
          return false;
        sb_str(b, txt);
        sb_str(b, "=");
      }
      sb_str(b, "#");
      sb_hex(b, valfull.p, valfull.len);
    }
  }
  return true;
}

char *tc_name_to_string(const der *name) {
  sbuf b = {0};
  sb_add(&b, "", 0);
  if (!format_name(name, &b) || b.failed) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

bool tc_name_check(const der *name) {
  sbuf b = {.dry = true};
  return format_name(name, &b);
}

bool tc_name_eq(const der *a, const der *b) {
  return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}
