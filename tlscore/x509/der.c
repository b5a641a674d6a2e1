/* Strict DER decoding (definite minimal lengths, exact nesting) and a small DER writer. */
#include "x509/der.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

bool der_read_any(der *in, uint8_t *tag, der *content, der *full) {
  if (in->len < 2)
    return false;
  const uint8_t *p = in->p;
  uint8_t t = p[0];
  if ((t & 0x1f) == 0x1f)
    return false; /* high tag numbers never occur in what we parse */
  size_t hdr = 2, n;
  uint8_t l0 = p[1];
  if (l0 < 0x80) {
    n = l0;
  } else {
    size_t k = l0 & 0x7f;
    if (k == 0 || k > sizeof(size_t) || k > 4)
      return false; /* indefinite, or absurdly long */
    if (in->len < 2 + k)
      return false;
    if (p[2] == 0)
      return false; /* leading zero: not minimal */
    n = 0;
    for (size_t i = 0; i < k; i++)
      n = (n << 8) | p[2 + i];
    if (n < 0x80)
      return false; /* long form for a short length: not minimal */
    hdr += k;
  }
  if (n > in->len - hdr)
    return false;
  if (tag)
    *tag = t;
  if (content) {
    content->p = p + hdr;
    content->len = n;
  }
  if (full) {
    full->p = p;
    full->len = hdr + n;
  }
  in->p += hdr + n;
  in->len -= hdr + n;
  return true;
}

bool der_read(der *in, uint8_t tag, der *content) {
  return der_read_full(in, tag, content, NULL);
}

bool der_read_full(der *in, uint8_t tag, der *content, der *full) {
  der save = *in;
  uint8_t t;
  if (!der_read_any(in, &t, content, full))
    return false;
  if (t != tag) {
    *in = save;
    return false;
  }
  return true;
}

bool der_peek(const der *in, uint8_t tag) {
  return in->len > 0 && in->p[0] == tag;
}

bool der_read_optional(der *in, uint8_t tag, der *content, bool *present) {
  *present = false;
  if (!der_peek(in, tag))
    return true;
  if (!der_read(in, tag, content))
    return false;
  *present = true;
  return true;
}

bool der_read_uint_bytes(der *in, der *out) {
  der save = *in, c;
  if (!der_read(in, DER_INTEGER, &c))
    return false;
  if (c.len == 0 || (c.p[0] & 0x80) || (c.len > 1 && c.p[0] == 0 && !(c.p[1] & 0x80))) {
    *in = save; /* empty, negative, or a redundant leading zero */
    return false;
  }
  while (c.len > 0 && c.p[0] == 0) {
    c.p++;
    c.len--;
  }
  *out = c;
  return true;
}

bool der_read_uint(der *in, uint64_t max, uint64_t *out) {
  der save = *in, c;
  if (!der_read_uint_bytes(in, &c))
    return false;
  if (c.len > 8)
    goto bad;
  uint64_t v = 0;
  for (size_t i = 0; i < c.len; i++)
    v = (v << 8) | c.p[i];
  if (v > max)
    goto bad;
  *out = v;
  return true;
bad:
  *in = save;
  return false;
}

bool der_read_bool(der *in, bool *out) {
  der save = *in, c;
  if (!der_read(in, DER_BOOLEAN, &c))
    return false;
  if (c.len != 1 || (c.p[0] != 0 && c.p[0] != 0xff)) {
    *in = save;
    return false;
  }
  *out = c.p[0] != 0;
  return true;
}

bool der_read_bitstring_bytes(der *in, der *out) {
  der save = *in, c;
  if (!der_read(in, DER_BIT_STRING, &c))
    return false;
  if (c.len < 1 || c.p[0] != 0) {
    *in = save;
    return false;
  }
  out->p = c.p + 1;
  out->len = c.len - 1;
  return true;
}

bool der_read_bitstring_flags(der *in, uint32_t *flags) {
  der save = *in, c;
  if (!der_read(in, DER_BIT_STRING, &c))
    return false;
  if (c.len < 1 || c.p[0] > 7 || c.len > 5 || (c.len == 1 && c.p[0] != 0))
    goto bad;
  uint32_t f = 0;
  for (size_t i = 1; i < c.len; i++)
    for (int b = 0; b < 8; b++)
      if (c.p[i] & (0x80 >> b))
        f |= 1u << ((i - 1) * 8 + (size_t)b);
  /* Unused bits must be zero; DER also forbids trailing zero bits in named
   * bit lists, but enough encoders get that wrong that we accept it. */
  if (c.len > 1 && (c.p[c.len - 1] & ((1u << c.p[0]) - 1)))
    goto bad;
  *flags = f;
  return true;
bad:
  *in = save;
  return false;
}

bool der_oid_eq(const der *oid, const uint8_t *body, size_t len) {
  return oid->len == len && memcmp(oid->p, body, len) == 0;
}

bool der_oid_valid(const der *oid) {
  if (oid->len == 0)
    return false;
  bool start = true;
  for (size_t i = 0; i < oid->len; i++) {
    if (start && oid->p[i] == 0x80)
      return false;
    start = !(oid->p[i] & 0x80);
  }
  return start; /* the last byte ends an arc */
}

bool der_oid_to_text(const der *oid, char *buf, size_t size) {
  if (!der_oid_valid(oid) || size == 0)
    return false;
  size_t pos = 0;
  uint64_t v = 0;
  bool first = true;
  for (size_t i = 0; i < oid->len; i++) {
    if (v > (UINT64_MAX >> 7))
      return false;
    v = (v << 7) | (oid->p[i] & 0x7f);
    if (oid->p[i] & 0x80)
      continue;
    int n;
    if (first) {
      unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
      n = snprintf(buf + pos, size - pos, "%u.%llu", a, (unsigned long long)(v - 40 * a));
      first = false;
    } else {
      n = snprintf(buf + pos, size - pos, ".%llu", (unsigned long long)v);
    }
    if (n < 0 || (size_t)n >= size - pos)
      return false;
    pos += (size_t)n;
    v = 0;
  }
  return true;
}

static bool digits(const uint8_t *p, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9')
      return false;
    v = v * 10 + (p[i] - '0');
  }
  *out = v;
  return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool der_read_time(der *in, int64_t *out) {
  der save = *in, c;
  uint8_t tag;
  if (!der_read_any(in, &tag, &c, NULL))
    return false;
  int year, mon, day, hh, mm, ss;
  const uint8_t *p = c.p;
  if (tag == DER_UTCTIME && c.len == 13) {
    if (!digits(p, 2, &year))
      goto bad;
    year += year < 50 ? 2000 : 1900;
    p += 2;
  } else if (tag == DER_GENERALIZEDTIME && c.len == 15) {
    if (!digits(p, 4, &year))
      goto bad;
    p += 4;
  } else {
    goto bad;
  }
  if (!digits(p, 2, &mon) || !digits(p + 2, 2, &day) || !digits(p + 4, 2, &hh) ||
      !digits(p + 6, 2, &mm) || !digits(p + 8, 2, &ss) || p[10] != 'Z')
    goto bad;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hh > 23 || mm > 59 || ss > 59)
    goto bad;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (mon == 2 && day == 29 && !leap)
    goto bad;
  *out = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
  return true;
bad:
  *in = save;
  return false;
}

bool der_read_algid(der *in, der *oid, der *params) {
  der save = *in, seq;
  if (!der_read(in, DER_SEQUENCE, &seq))
    return false;
  if (!der_read(&seq, DER_OID, oid) || !der_oid_valid(oid))
    goto bad;
  params->p = seq.p;
  params->len = 0;
  if (!der_empty(&seq)) {
    if (!der_read_any(&seq, NULL, NULL, params) || !der_empty(&seq))
      goto bad;
  }
  return true;
bad:
  *in = save;
  return false;
}

/* ---- writer ---- */

void derw_init(derw *w) {
  memset(w, 0, sizeof *w);
}

void derw_free(derw *w) {
  if (w->buf) {
    tc_wipe(w->buf, w->cap);
    free(w->buf);
  }
  memset(w, 0, sizeof *w);
}

static bool derw_reserve(derw *w, size_t extra) {
  if (w->failed)
    return false;
  if (extra > SIZE_MAX / 2 - w->len) {
    w->failed = true;
    return false;
  }
  if (w->len + extra <= w->cap)
    return true;
  size_t ncap = w->cap ? w->cap : 256;
  while (ncap < w->len + extra)
    ncap *= 2;
  uint8_t *nb = malloc(ncap);
  if (!nb) {
    w->failed = true;
    return false;
  }
  if (w->buf) {
    memcpy(nb, w->buf, w->len);
    tc_wipe(w->buf, w->cap);
    free(w->buf);
  }
  w->buf = nb;
  w->cap = ncap;
  return true;
}

void derw_raw(derw *w, const void *p, size_t n) {
  if (!derw_reserve(w, n))
    return;
  if (n)
    memcpy(w->buf + w->len, p, n);
  w->len += n;
}

static size_t len_bytes(size_t n, uint8_t out[6]) {
  if (n < 0x80) {
    out[0] = (uint8_t)n;
    return 1;
  }
  size_t k = 0;
  for (size_t t = n; t; t >>= 8)
    k++;
  out[0] = (uint8_t)(0x80 | k);
  for (size_t i = 0; i < k; i++)
    out[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
  return 1 + k;
}

void derw_tlv(derw *w, uint8_t tag, const void *p, size_t n) {
  uint8_t hdr[7];
  hdr[0] = tag;
  size_t h = 1 + len_bytes(n, hdr + 1);
  derw_raw(w, hdr, h);
  derw_raw(w, p, n);
}

void derw_uint_bytes(derw *w, const uint8_t *p, size_t n) {
  while (n > 0 && p[0] == 0) {
    p++;
    n--;
  }
  size_t mark = derw_begin(w, DER_INTEGER);
  if (n == 0 || (p[0] & 0x80)) {
    uint8_t z = 0;
    derw_raw(w, &z, 1);
  }
  derw_raw(w, p, n);
  derw_end(w, mark);
}

void derw_uint(derw *w, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (56 - 8 * i));
  derw_uint_bytes(w, b, 8);
}

size_t derw_begin(derw *w, uint8_t tag) {
  uint8_t hdr[2] = {tag, 0};
  size_t mark = w->len;
  derw_raw(w, hdr, 2);
  return mark;
}

void derw_end(derw *w, size_t mark) {
  if (w->failed)
    return;
  size_t n = w->len - mark - 2;
  uint8_t lb[6];
  size_t k = len_bytes(n, lb);
  if (k > 1) {
    if (!derw_reserve(w, k - 1))
      return;
    memmove(w->buf + mark + 1 + k, w->buf + mark + 2, n);
    w->len += k - 1;
  }
  memcpy(w->buf + mark + 1, lb, k);
}
