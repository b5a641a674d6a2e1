/* Shared helpers for the handshake-message fuzz targets: parse, re-write, and check the rewrite is stable. */
#ifndef FUZZ_MSG_H
#define FUZZ_MSG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "tlscore/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* After a successful parse, a message must be writable, and what was written
 * must parse again and re-write to exactly the same bytes (our output is
 * canonical: write(parse(write(x))) == write(x)). `parse_write` parses a body and, on success, writes the
 * message into w; it returns TC_OK/TC_FAIL. */
typedef int (*fuzz_parse_write_fn)(const uint8_t *body, size_t len, tc_writer *w, tc_error *err,
                                   void *ctx);

static inline void fuzz_check_stable(const uint8_t *data, size_t size, fuzz_parse_write_fn pw,
                                     void *ctx) {
  tc_error err;
  tc_error_clear(&err);
  tc_writer w1, w2;
  tc_wr_init_dyn(&w1);
  if (pw(data, size, &w1, &err, ctx) != TC_OK) {
    /* TLSCORE_FUZZ_VERBOSE=1: say why an input was rejected (checking seeds). */
    if (getenv("TLSCORE_FUZZ_VERBOSE"))
      fprintf(stderr, "rejected: %s\n", err.message);
    /* A failed parse must say why, with an alert-shaped code. */
    if (err.code == TC_ERR_NONE)
      FUZZ_CHECK(!tc_wr_ok(&w1) || !"parse failed without an error");
    tc_wr_free(&w1);
    return;
  }
  FUZZ_CHECK(tc_wr_ok(&w1));
  uint8_t type;
  const uint8_t *body;
  size_t blen;
  tc_error_clear(&err);
  FUZZ_CHECK(tc_msg_split(tc_wr_data(&w1), tc_wr_len(&w1), &type, &body, &blen, &err) == TC_OK);
  /* Copy: the second parse must not depend on the writer's buffer. */
  uint8_t *copy = malloc(blen ? blen : 1);
  FUZZ_CHECK(copy != NULL);
  memcpy(copy, body, blen);
  tc_wr_init_dyn(&w2);
  tc_error_clear(&err);
  if (pw(copy, blen, &w2, &err, ctx) != TC_OK) {
    fprintf(stderr, "re-parse of our own output failed: %s\n", err.message);
    abort();
  }
  /* Our own output is already in canonical form: it must come back unchanged. */
  FUZZ_CHECK(tc_wr_ok(&w2));
  FUZZ_CHECK(tc_wr_len(&w2) == tc_wr_len(&w1));
  FUZZ_CHECK(memcmp(tc_wr_data(&w2), tc_wr_data(&w1), tc_wr_len(&w1)) == 0);
  tc_wr_free(&w2);
  tc_wr_free(&w1);
  free(copy);
}

#endif
