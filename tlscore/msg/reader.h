/* Bounds-checked byte reader and writer (cryptobyte style): the only way message code touches wire bytes. */
#ifndef TLSCORE_MSG_READER_H
#define TLSCORE_MSG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

bool tc_rd_u8(tc_reader *r, uint8_t *out);
bool tc_rd_u16(tc_reader *r, uint16_t *out);
bool tc_rd_u24(tc_reader *r, uint32_t *out);
bool tc_rd_u32(tc_reader *r, uint32_t *out);
/* Take `n` bytes without copying: *out points into the reader's buffer. */
bool tc_rd_bytes(tc_reader *r, size_t n, const uint8_t **out);
/* Take `n` bytes and copy them to `out`. */
bool tc_rd_copy(tc_reader *r, uint8_t *out, size_t n);
bool tc_rd_skip(tc_reader *r, size_t n);
/* Length-prefixed vector (1, 2 or 3 byte length): *sub becomes a reader
 * over exactly the vector's contents, and r moves past it. */
bool tc_rd_vec8(tc_reader *r, tc_reader *sub);
bool tc_rd_vec16(tc_reader *r, tc_reader *sub);
bool tc_rd_vec24(tc_reader *r, tc_reader *sub);
/* True when nothing is left: parsers call this last to reject trailing bytes. */
bool tc_rd_empty(const tc_reader *r);
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
/* Hand the dynamic buffer to the caller (who frees it with free()) and
 * reset the writer. Returns NULL on a failed or fixed writer. */
uint8_t *tc_wr_take(tc_writer *w, size_t *len);

static inline bool tc_wr_ok(const tc_writer *w) { return !w->failed; }
static inline const uint8_t *tc_wr_data(const tc_writer *w) { return w->buf; }
static inline uint8_t *tc_wr_data_mut(tc_writer *w) { return w->buf; }
static inline size_t tc_wr_len(const tc_writer *w) { return w->len; }
/* Mark the writer failed (e.g. a message writer saw invalid input). */
static inline void tc_wr_fail(tc_writer *w) { w->failed = true; }

void tc_wr_u8(tc_writer *w, uint8_t v);
void tc_wr_u16(tc_writer *w, uint16_t v);
void tc_wr_u24(tc_writer *w, uint32_t v);   /* fails if v >= 2^24 */
void tc_wr_u32(tc_writer *w, uint32_t v);
void tc_wr_bytes(tc_writer *w, const uint8_t *p, size_t n);
/* Append n zero bytes (placeholders, padding). */
void tc_wr_zeros(tc_writer *w, size_t n);

/* Open a vector with a 1/2/3-byte length prefix (written as zero for now). */
tc_wr_mark tc_wr_begin_vec8(tc_writer *w);
tc_wr_mark tc_wr_begin_vec16(tc_writer *w);
tc_wr_mark tc_wr_begin_vec24(tc_writer *w);
/* Close the vector: back-patch its length; fails the writer if the content
 * exceeds what the prefix can hold. Vectors nest (close inner ones first). */
void tc_wr_end_vec(tc_writer *w, tc_wr_mark m);

/* Convenience: a whole length-prefixed byte string. */
void tc_wr_vec8(tc_writer *w, const uint8_t *p, size_t n);
void tc_wr_vec16(tc_writer *w, const uint8_t *p, size_t n);
void tc_wr_vec24(tc_writer *w, const uint8_t *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
