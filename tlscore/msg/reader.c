/* Bounds-checked reader and sticky-failure writer used by every message parser and writer. */
#include "msg/reader.h"

#include <stdlib.h>
#include <string.h>

/* ---- Reader ---- */

static bool rd_uint(tc_reader *r, size_t width, uint32_t *out) {
  if (r->len < width)
    return false;
  uint32_t v = 0;
  for (size_t i = 0; i < width; i++)
    v = (v << 8) | r->p[i];
  r->p += width;
  r->len -= width;
  *out = v;
  return true;
}

bool tc_rd_u8(tc_reader *r, uint8_t *out) {
  uint32_t v;
  if (!rd_uint(r, 1, &v))
    return false;
  *out = (uint8_t)v;
  return true;
}

bool tc_rd_u16(tc_reader *r, uint16_t *out) {
  uint32_t v;
  if (!rd_uint(r, 2, &v))
    return false;
  *out = (uint16_t)v;
  return true;
}

bool tc_rd_u24(tc_reader *r, uint32_t *out) { return rd_uint(r, 3, out); }

bool tc_rd_u32(tc_reader *r, uint32_t *out) { return rd_uint(r, 4, out); }

bool tc_rd_bytes(tc_reader *r, size_t n, const uint8_t **out) {
  if (r->len < n)
    return false;
  *out = r->p;
  r->p += n;
  r->len -= n;
  return true;
}

bool tc_rd_copy(tc_reader *r, uint8_t *out, size_t n) {
  const uint8_t *p;
  if (!tc_rd_bytes(r, n, &p))
    return false;
  if (n)
    memcpy(out, p, n);
  return true;
}

bool tc_rd_skip(tc_reader *r, size_t n) {
  const uint8_t *p;
  return tc_rd_bytes(r, n, &p);
}

static bool rd_vec(tc_reader *r, size_t width, tc_reader *sub) {
  tc_reader save = *r;
  uint32_t n;
  const uint8_t *p;
  if (!rd_uint(r, width, &n) || !tc_rd_bytes(r, n, &p)) {
    *r = save; /* all or nothing: a failed read consumes nothing */
    return false;
  }
  sub->p = p;
  sub->len = n;
  return true;
}

bool tc_rd_vec8(tc_reader *r, tc_reader *sub) { return rd_vec(r, 1, sub); }
bool tc_rd_vec16(tc_reader *r, tc_reader *sub) { return rd_vec(r, 2, sub); }
bool tc_rd_vec24(tc_reader *r, tc_reader *sub) { return rd_vec(r, 3, sub); }

bool tc_rd_empty(const tc_reader *r) { return r->len == 0; }

/* ---- Writer ---- */

void tc_wr_init_fixed(tc_writer *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->len = 0;
  w->cap = buf ? cap : 0;
  w->dyn = false;
  w->failed = false;
}

void tc_wr_init_dyn(tc_writer *w) {
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  w->dyn = true;
  w->failed = false;
}

/* explicit_bzero (glibc 2.25+): a wide memset the compiler cannot drop
 * before free(); a volatile byte loop cost ~1 instruction per byte here. */
static void wipe(uint8_t *p, size_t n) { explicit_bzero(p, n); }

void tc_wr_free(tc_writer *w) {
  if (w->dyn && w->buf) {
    wipe(w->buf, w->cap);
    free(w->buf);
  }
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  w->failed = false;
}

uint8_t *tc_wr_take(tc_writer *w, size_t *len) {
  if (!w->dyn || w->failed) {
    *len = 0;
    return NULL;
  }
  uint8_t *b = w->buf;
  *len = w->len;
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  return b;
}

/* Make room for n more bytes; returns the write position or NULL (and
 * fails the writer). Growth re-allocates, so callers never keep pointers
 * into the buffer across writes; marks are offsets for this reason. */
static uint8_t *wr_room(tc_writer *w, size_t n) {
  if (w->failed)
    return NULL;
  if (n > SIZE_MAX - w->len) {
    w->failed = true;
    return NULL;
  }
  size_t need = w->len + n;
  if (need > w->cap) {
    if (!w->dyn) {
      w->failed = true;
      return NULL;
    }
    /* 2 KiB holds a whole server flight with an RSA-2048 chain, so the
     * usual handshake never grows (grow = malloc + copy + wipe + free). */
    size_t ncap = w->cap ? w->cap : 2048;
    while (ncap < need) {
      if (ncap > SIZE_MAX / 2) {
        ncap = need;
        break;
      }
      ncap *= 2;
    }
    /* Not realloc: the old buffer may hold secrets and must be wiped. */
    uint8_t *nb = malloc(ncap);
    if (!nb) {
      w->failed = true;
      return NULL;
    }
    if (w->buf) {
      memcpy(nb, w->buf, w->len);
      wipe(w->buf, w->cap);
      free(w->buf);
    }
    w->buf = nb;
    w->cap = ncap;
  }
  uint8_t *p = w->buf + w->len;
  w->len += n;
  return p;
}

static void wr_uint(tc_writer *w, uint32_t v, size_t width) {
  uint8_t *p = wr_room(w, width);
  if (!p)
    return;
  for (size_t i = 0; i < width; i++)
    p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

void tc_wr_u8(tc_writer *w, uint8_t v) { wr_uint(w, v, 1); }
void tc_wr_u16(tc_writer *w, uint16_t v) { wr_uint(w, v, 2); }
void tc_wr_u32(tc_writer *w, uint32_t v) { wr_uint(w, v, 4); }

void tc_wr_u24(tc_writer *w, uint32_t v) {
  if (v > 0xffffff) {
    w->failed = true;
    return;
  }
  wr_uint(w, v, 3);
}

void tc_wr_bytes(tc_writer *w, const uint8_t *src, size_t n) {
  if (n == 0)
    return;
  uint8_t *p = wr_room(w, n);
  if (p)
    memcpy(p, src, n);
}

void tc_wr_zeros(tc_writer *w, size_t n) {
  if (n == 0)
    return;
  uint8_t *p = wr_room(w, n);
  if (p)
    memset(p, 0, n);
}

static tc_wr_mark wr_begin(tc_writer *w, unsigned width) {
  tc_wr_mark m = {w->len, width};
  if (!wr_room(w, width))
    m.width = 0;
  else
    memset(w->buf + m.pos, 0, width);
  return m;
}

tc_wr_mark tc_wr_begin_vec8(tc_writer *w) { return wr_begin(w, 1); }
tc_wr_mark tc_wr_begin_vec16(tc_writer *w) { return wr_begin(w, 2); }
tc_wr_mark tc_wr_begin_vec24(tc_writer *w) { return wr_begin(w, 3); }

void tc_wr_end_vec(tc_writer *w, tc_wr_mark m) {
  if (w->failed)
    return;
  if (m.width < 1 || m.width > 3 || m.pos + m.width > w->len) {
    w->failed = true;
    return;
  }
  size_t n = w->len - m.pos - m.width;
  size_t max = ((size_t)1 << (8 * m.width)) - 1;
  if (n > max) {
    w->failed = true;
    return;
  }
  for (unsigned i = 0; i < m.width; i++)
    w->buf[m.pos + i] = (uint8_t)(n >> (8 * (m.width - 1 - i)));
}

void tc_wr_vec8(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec8(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}

void tc_wr_vec16(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec16(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}

void tc_wr_vec24(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec24(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}
