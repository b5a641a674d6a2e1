/* Bounds-checked byte reader and writer (cryptobyte style): the only way message code touches wire bytes. */
#ifndef TLSCORE_MSG_READER_H
#define TLSCORE_MSG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Reader ------------------------------------------------------------
 * A reader is a view (pointer + remaining length) over caller-owned bytes;
 * it never allocates. Every tc_rd_* call either consumes exactly what it
 * says and returns true, or consumes nothing and returns false, so a failed
 * read never leaves the reader pointing past the buffer. Slices returned by
 * tc_rd_bytes() and sub-readers from tc_rd_vec*() point into the same
 * buffer and live as long as it does. */
typedef struct tc_reader {
  const uint8_t *p;
  size_t len;
} tc_reader;

/* Start reading `len` bytes at `p` (p may be NULL when len is 0). */
static inline void tc_rd_init(tc_reader *r, const uint8_t *p, size_t len) {
  r->p = p;
  r->len = len;
}

/* The reader calls are inline: a ClientHello parse makes ~100 of them, and
 * out of line they cost more than the work they do. */
static inline bool tc__rd_take(tc_reader *r, size_t n, const uint8_t **out) {
  if (r->len < n)
    return false;
  *out = r->p;
  r->p += n;
  r->len -= n;
  return true;
}

static inline bool tc_rd_u8(tc_reader *r, uint8_t *out) {
  if (r->len < 1)
    return false;
  *out = r->p[0];
  r->p += 1;
  r->len -= 1;
  return true;
}

static inline bool tc_rd_u16(tc_reader *r, uint16_t *out) {
  if (r->len < 2)
    return false;
  *out = (uint16_t)((r->p[0] << 8) | r->p[1]);
  r->p += 2;
  r->len -= 2;
  return true;
}

static inline bool tc_rd_u24(tc_reader *r, uint32_t *out) {
  if (r->len < 3)
    return false;
  *out = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
  r->p += 3;
  r->len -= 3;
  return true;
}

static inline bool tc_rd_u32(tc_reader *r, uint32_t *out) {
  if (r->len < 4)
    return false;
  *out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) |
         r->p[3];
  r->p += 4;
  r->len -= 4;
  return true;
}

/* Take `n` bytes without copying: *out points into the reader's buffer. */
static inline bool tc_rd_bytes(tc_reader *r, size_t n, const uint8_t **out) {
  return tc__rd_take(r, n, out);
}

/* Take `n` bytes and copy them to `out`. */
static inline bool tc_rd_copy(tc_reader *r, uint8_t *out, size_t n) {
  const uint8_t *p;
  if (!tc__rd_take(r, n, &p))
    return false;
  if (n)
    memcpy(out, p, n);
  return true;
}

static inline bool tc_rd_skip(tc_reader *r, size_t n) {
  const uint8_t *p;
  return tc__rd_take(r, n, &p);
}

/* Length-prefixed vector (1, 2 or 3 byte length): *sub becomes a reader
 * over exactly the vector's contents, and r moves past it. Both checks are
 * made before anything moves, so a failure consumes nothing. */
static inline bool tc__rd_vec(tc_reader *r, size_t width, size_t n, tc_reader *sub) {
  if (r->len - width < n)
    return false;
  sub->p = r->p + width;
  sub->len = n;
  r->p += width + n;
  r->len -= width + n;
  return true;
}

static inline bool tc_rd_vec8(tc_reader *r, tc_reader *sub) {
  if (r->len < 1)
    return false;
  return tc__rd_vec(r, 1, r->p[0], sub);
}

static inline bool tc_rd_vec16(tc_reader *r, tc_reader *sub) {
  if (r->len < 2)
    return false;
  return tc__rd_vec(r, 2, ((size_t)r->p[0] << 8) | r->p[1], sub);
}

static inline bool tc_rd_vec24(tc_reader *r, tc_reader *sub) {
  if (r->len < 3)
    return false;
  return tc__rd_vec(r, 3, ((size_t)r->p[0] << 16) | ((size_t)r->p[1] << 8) | r->p[2], sub);
}

/* True when nothing is left: parsers call this last to reject trailing bytes. */
static inline bool tc_rd_empty(const tc_reader *r) { return r->len == 0; }
static inline size_t tc_rd_remaining(const tc_reader *r) { return r->len; }

/* ---- Writer ------------------------------------------------------------
 * Appends big-endian integers, bytes and length-prefixed vectors to either a
 * fixed caller buffer (never grows) or a heap buffer that grows as needed.
 * Failures (fixed buffer full, allocation failure, vector longer than its
 * length prefix allows, unbalanced marks) set a sticky flag and make every
 * later call a no-op, so callers write a whole message and check
 * tc_wr_ok() once at the end. */
typedef struct tc_writer {
  uint8_t *buf;
  size_t len;      /* bytes written */
  size_t cap;      /* bytes available in buf */
  size_t dirty;    /* dynamic: buf[0..dirty) may hold bytes written before
                    * the last tc_wr_rewind; the rest of cap is untouched
                    * since the last wipe, so wipes stop at max(dirty, len) */
  bool dyn;        /* buf is heap-owned and may grow */
  bool failed;     /* sticky: something did not fit or was invalid */
} tc_writer;

/* An open length-prefixed vector: where its length field sits and how wide
 * it is. Returned by tc_wr_begin_vec*, consumed by tc_wr_end_vec. */
typedef struct tc_wr_mark {
  size_t pos;
  unsigned width;  /* 1, 2 or 3; 0 for a mark taken on a failed writer */
} tc_wr_mark;

void tc_wr_init_fixed(tc_writer *w, uint8_t *buf, size_t cap);
void tc_wr_init_dyn(tc_writer *w);
/* Free a dynamic buffer (wiping it first: messages may hold secrets such as
 * a premaster secret). No-op for fixed buffers. The writer is then empty. */
void tc_wr_free(tc_writer *w);
/* Wipe a dynamic writer's buffer and empty it, keeping the buffer. */
void tc_wr_wipe(tc_writer *w);
/* Empty the writer (its bytes were sent) without wiping them now: the
 * next wipe or free covers them. */
static inline void tc_wr_rewind(tc_writer *w) {
  if (w->len > w->dirty)
    w->dirty = w->len;
  w->len = 0;
}
/* Hand the dynamic buffer to the caller (who frees it with free()) and
 * reset the writer. Returns NULL on a failed or fixed writer. */
uint8_t *tc_wr_take(tc_writer *w, size_t *len);

static inline bool tc_wr_ok(const tc_writer *w) { return !w->failed; }
static inline const uint8_t *tc_wr_data(const tc_writer *w) { return w->buf; }
static inline uint8_t *tc_wr_data_mut(tc_writer *w) { return w->buf; }
static inline size_t tc_wr_len(const tc_writer *w) { return w->len; }
/* Mark the writer failed (e.g. a message writer saw invalid input). */
static inline void tc_wr_fail(tc_writer *w) { w->failed = true; }

/* Slow path of tc__wr_room: grow a dynamic buffer or fail the writer. */
uint8_t *tc__wr_grow(tc_writer *w, size_t n);

/* Make room for n more bytes; returns the write position or NULL (and
 * fails the writer). Inline fast path: the usual message fits. Growth
 * re-allocates, so callers never keep pointers into the buffer across
 * writes; marks are offsets for this reason. */
static inline uint8_t *tc__wr_room(tc_writer *w, size_t n) {
  if (!w->failed && n <= w->cap - w->len) {
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
  }
  return tc__wr_grow(w, n);
}

static inline void tc_wr_u8(tc_writer *w, uint8_t v) {
  uint8_t *p = tc__wr_room(w, 1);
  if (p)
    p[0] = v;
}

static inline void tc_wr_u16(tc_writer *w, uint16_t v) {
  uint8_t *p = tc__wr_room(w, 2);
  if (p) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
  }
}

/* Fails if v >= 2^24. */
static inline void tc_wr_u24(tc_writer *w, uint32_t v) {
  if (v > 0xffffff) {
    w->failed = true;
    return;
  }
  uint8_t *p = tc__wr_room(w, 3);
  if (p) {
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
  }
}

static inline void tc_wr_u32(tc_writer *w, uint32_t v) {
  uint8_t *p = tc__wr_room(w, 4);
  if (p) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
  }
}

static inline void tc_wr_bytes(tc_writer *w, const uint8_t *src, size_t n) {
  if (n == 0)
    return;
  uint8_t *p = tc__wr_room(w, n);
  if (p)
    memcpy(p, src, n);
}

/* Append n zero bytes (placeholders, padding). */
static inline void tc_wr_zeros(tc_writer *w, size_t n) {
  if (n == 0)
    return;
  uint8_t *p = tc__wr_room(w, n);
  if (p)
    memset(p, 0, n);
}

static inline tc_wr_mark tc__wr_begin(tc_writer *w, unsigned width) {
  tc_wr_mark m = {w->len, width};
  uint8_t *p = tc__wr_room(w, width);
  if (!p)
    m.width = 0;
  else
    memset(p, 0, width);
  return m;
}

/* Open a vector with a 1/2/3-byte length prefix (written as zero for now). */
static inline tc_wr_mark tc_wr_begin_vec8(tc_writer *w) { return tc__wr_begin(w, 1); }
static inline tc_wr_mark tc_wr_begin_vec16(tc_writer *w) { return tc__wr_begin(w, 2); }
static inline tc_wr_mark tc_wr_begin_vec24(tc_writer *w) { return tc__wr_begin(w, 3); }

/* Close the vector: back-patch its length; fails the writer if the content
 * exceeds what the prefix can hold. Vectors nest (close inner ones first). */
static inline void tc_wr_end_vec(tc_writer *w, tc_wr_mark m) {
  if (w->failed)
    return;
  if (m.width < 1 || m.width > 3 || m.pos + m.width > w->len) {
    w->failed = true;
    return;
  }
  size_t n = w->len - m.pos - m.width;
  if (n >> (8 * m.width)) {
    w->failed = true;
    return;
  }
  uint8_t *p = w->buf + m.pos;
  switch (m.width) {
  case 3:
    *p++ = (uint8_t)(n >> 16);
    /* fall through */
  case 2:
    *p++ = (uint8_t)(n >> 8);
    /* fall through */
  default:
    *p = (uint8_t)n;
  }
}

/* Convenience: a whole length-prefixed byte string. */
static inline void tc_wr_vec8(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec8(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}

static inline void tc_wr_vec16(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec16(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}

static inline void tc_wr_vec24(tc_writer *w, const uint8_t *p, size_t n) {
  tc_wr_mark m = tc_wr_begin_vec24(w);
  tc_wr_bytes(w, p, n);
  tc_wr_end_vec(w, m);
}

#ifdef __cplusplus
}
#endif
#endif
