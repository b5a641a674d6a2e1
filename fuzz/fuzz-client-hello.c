/* libFuzzer target: ClientHello bodies (no handshake header): parse, canonical rewrite, PSK binder offsets, and the brief parse (client_hello12.c) against the general one. */
#include "fuzz-msg.h"

static int pw_client_hello(const uint8_t *body, size_t len, tc_writer *w, tc_error *err, void *ctx) {
  (void)ctx;
  tc_client_hello ch;
  if (tc_msg_parse_client_hello(body, len, &ch, err) != TC_OK)
    return TC_FAIL;
  /* The binder offset must point at the binders vector inside the body. */
  if (tc_exts_has(&ch.ext, TC_EXT_PRE_SHARED_KEY)) {
    FUZZ_CHECK(ch.binders_offset > 0 && ch.binders_offset + 2 < len);
    size_t blen = ((size_t)body[ch.binders_offset] << 8) | body[ch.binders_offset + 1];
    FUZZ_CHECK(ch.binders_offset + 2 + blen == len); /* pre_shared_key is last */
  } else {
    FUZZ_CHECK(ch.binders_offset == 0);
  }
  size_t start = tc_wr_len(w), pos;
  int r = tc_msg_write_client_hello_ex(w, &ch, &pos);
  if (r == TC_OK && tc_exts_has(&ch.ext, TC_EXT_PRE_SHARED_KEY)) {
    /* The writer reports the binders vector, which ends the message (unknown
     * extensions are dropped, so it need not sit where the input had it),
     * and patching it with the parsed values is accepted. */
    FUZZ_CHECK(pos > start && pos + 2 <= tc_wr_len(w));
    const uint8_t *d = tc_wr_data(w);
    size_t wlen = ((size_t)d[pos] << 8) | d[pos + 1];
    FUZZ_CHECK(pos + 2 + wlen == tc_wr_len(w));
    FUZZ_CHECK(tc_msg_patch_binders(w, pos, ch.ext.psk_binders, ch.ext.n_psk_binders) == TC_OK);
  }
  return r;
}

static bool same_b(tc_bytes a, tc_bytes b) { return a.p == b.p && a.len == b.len; }
static bool same_l(tc_u16s a, tc_u16s b) { return a.p == b.p && a.n == b.n; }

/* What the brief parse takes, the general parse takes too, with every
 * field the same (views by pointer: both point into the input): the brief
 * one may only decline (the server then parses with the general one),
 * never accept something else or differently. */
static void check_brief(const uint8_t *body, size_t len) {
  tc_client_hello b, g;
  if (!tc_msg_parse_client_hello12(body, len, &b))
    return;
  tc_error err;
  tc_error_clear(&err);
  FUZZ_CHECK(tc_msg_parse_client_hello(body, len, &g, &err) == TC_OK);
  FUZZ_CHECK(b.legacy_version == g.legacy_version && memcmp(b.random, g.random, 32) == 0);
  FUZZ_CHECK(b.session_id_len == g.session_id_len &&
             memcmp(b.session_id, g.session_id, b.session_id_len) == 0);
  FUZZ_CHECK(same_l(b.cipher_suites, g.cipher_suites) &&
             same_b(b.compression_methods, g.compression_methods));
  FUZZ_CHECK(b.has_extensions == g.has_extensions && b.binders_offset == g.binders_offset);
  const tc_exts *x = &b.ext, *y = &g.ext;
  FUZZ_CHECK(x->present == y->present && x->n_unknown == y->n_unknown);
  FUZZ_CHECK(same_b(x->server_name, y->server_name) && x->status_type == y->status_type &&
             same_b(x->status_responder_ids, y->status_responder_ids) &&
             same_b(x->status_request_exts, y->status_request_exts));
  FUZZ_CHECK(same_l(x->groups, y->groups) && same_b(x->ec_point_formats, y->ec_point_formats) &&
             same_l(x->sig_algs, y->sig_algs));
  FUZZ_CHECK(x->n_alpn == y->n_alpn && same_b(x->alpn_list, y->alpn_list));
  for (size_t i = 0; i < x->n_alpn && i < TC_MSG_MAX_ALPN; i++)
    FUZZ_CHECK(same_b(x->alpn[i], y->alpn[i]));
  FUZZ_CHECK(x->padding_len == y->padding_len && x->record_size_limit == y->record_size_limit &&
             same_b(x->session_ticket, y->session_ticket) && same_l(x->versions, y->versions) &&
             same_b(x->renegotiation_info, y->renegotiation_info));
  /* Nothing of the extensions outside the brief set. */
  FUZZ_CHECK(x->max_fragment_length == 0 && x->srp_identity.len == 0 &&
             x->sig_algs_cert.n == 0 && x->cert_compression.n == 0 && x->cookie.len == 0 &&
             x->psk_modes.len == 0 && x->n_key_shares == 0 && x->n_psk_identities == 0 &&
             x->n_certificate_authorities == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_check_stable(data, size, pw_client_hello, NULL);
  check_brief(data, size);
  return 0;
}
