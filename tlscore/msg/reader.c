/* Bounds-checked reader and sticky-failure writer used by every message parser and writer. */
#include "msg/reader.h"

#include <stdlib.h>
#include <string.h>

/* The reader is all inline (reader.h). */

/* ---- Writer ---- */

void tc_wr_init_fixed(tc_writer *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->len = 0;
  w->cap = buf ? cap : 0;
  w->dirty = 0;
  w->dyn = false;
  w->failed = false;
}

void tc_wr_init_dyn(tc_writer *w) {
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  w->dirty = 0;
  w->dyn = true;
  w->failed = false;
}

/* explicit_bzero (glibc 2.25+): a wide memset the compiler cannot drop
 * before free(); a volatile byte loop cost ~1 instruction per byte here. */
static void wipe(uint8_t *p, size_t n) { explicit_bzero(p, n); }

/* What a wipe must cover: everything written since the last one (a
 * pooled connection's 4 KiB writer holds a ~200-byte resumed flight). */
static size_t written(const tc_writer *w) { return w->len > w->dirty ? w->len : w->dirty; }

void tc_wr_free(tc_writer *w) {
  if (w->dyn && w->buf) {
    wipe(w->buf, written(w));
    free(w->buf);
  }
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  w->dirty = 0;
  w->failed = false;
}

void tc_wr_wipe(tc_writer *w) {
  if (w->dyn && w->buf)
    wipe(w->buf, written(w));
  w->len = 0;
  w->dirty = 0;
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
  w->dirty = 0;
  return b;
}

/* Slow path of tc__wr_room (reader.h): the writer has failed, or the bytes
 * do not fit. */
uint8_t *tc__wr_grow(tc_writer *w, size_t n) {
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
    /* First 512 bytes: glibc serves that from its per-thread cache, and it
     * holds a whole resumed-handshake flight. A writer that outgrows
     * it (a full handshake's server flight) jumps straight to 4 KiB, which
     * holds one with an RSA-2048 chain: one grow at most for the usual
     * handshake (grow = malloc + copy + wipe + free). */
    size_t ncap = w->cap ? (w->cap < 2048 ? 4096 : w->cap) : 512;
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
      wipe(w->buf, written(w));
      free(w->buf);
    }
    w->buf = nb;
    w->cap = ncap;
    w->dirty = 0; /* the new buffer holds only buf[0..len) of ours */
  }
  uint8_t *p = w->buf + w->len;
  w->len += n;
  return p;
}
