/* Helpers shared by the msg/ implementation files; not part of the msg API. */
#ifndef TLSCORE_MSG_INTERNAL_H
#define TLSCORE_MSG_INTERNAL_H

#include "msg/msg.h"

/* Write an extension block (2-byte length prefix + extensions); when
 * binders_pos is non-NULL it receives the writer offset of the PSK binders
 * vector (0 if none). Failures land in the writer's sticky flag. */
void tc__write_ext_block(tc_writer *w, tc_ext_ctx ctx, const tc_exts *e, size_t *binders_pos);

/* tc_msg_parse_extensions into an `out` the caller has already reset
 * (tc_exts_reset): the hello parsers reset it first thing, so that it is
 * empty on every way out, and need not have it reset twice. */
int tc__parse_ext_block(const uint8_t *data, size_t len, tc_ext_ctx ctx, tc_exts *out,
                        tc_error *err);

/* Host-name bytes of server_name (RFC 6066 §3 LDH): 1 for a letter, digit,
 * '-' or '.', 0 for any other byte. */
extern const uint8_t tc__ldh[256];

/* Presence bits a TLS 1.3 ServerHello may carry. */
uint32_t tc__ext_tls13_sh_mask(void);

/* Finish a message opened with tc_wr_begin_handshake and report the writer's state. */
static inline int tc__end_msg(tc_writer *w, tc_wr_mark m) {
  tc_wr_end_vec(w, m);
  return tc_wr_ok(w) ? TC_OK : TC_FAIL;
}

#endif
