/* Record framing, buffers, fragmentation, size limits and handshake-message reassembly. */
#include "record/record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where records start in an empty input or output buffer: at offset 3 the
 * body after the 5-byte header is 8-byte aligned (malloc aligns to 16), and
 * nettle's AEADs xor aligned data with no shifting (measured: a misaligned
 * record body doubles nettle_memxor3's instructions when encrypting from
 * the caller's buffer into the record). */
#define IN_START 3
#define OUT_START 3

TC_HOT void tc_rec_init_zeroed(tc_rec *r) {
  r->wr_version = 0x0303;
  r->max_frag = TC_REC_MAX_PLAIN;
  r->max_recv_plain = TC_REC_MAX_PLAIN;
  r->hs_max = TC_HS_MAX_MSG_DEFAULT;
  r->hs_max_ch = TC_HS_MAX_MSG_DEFAULT;
}

void tc_rec_init(tc_rec *r) {
  memset(r, 0, sizeof *r);
  tc_rec_init_zeroed(r);
}

void tc_rec_free(tc_rec *r) {
  tc_prot_clear(&r->rd);
  tc_prot_clear(&r->wr);
  /* Records opened in place leave plaintext in ibuf: wipe up to the last
   * of them. obuf only ever holds public or already protected bytes once a
   * call returns. */
  if (r->ibuf) {
    tc_wipe(r->ibuf, r->iplain);
    free(r->ibuf);
  }
  free(r->obuf);
  if (r->hs) {
    tc_wipe(r->hs, r->hs_high);
    free(r->hs);
  }
  /* No memset of the whole struct: 8 KiB of it are the two protection
   * states, which tc_prot_clear wiped where they held keys. */
  r->ibuf = r->obuf = r->hs = NULL;
  r->ilen = r->ipos = r->ihigh = r->iplain = r->icap = r->ocap = r->olen = r->opos = 0;
  r->ngaps = 0;
  r->ilent = false;
  r->hs_cap = r->hs_off = r->hs_len = r->hs_high = 0;
  r->hs_view = NULL;
  r->hs_view_len = 0;
  r->hold = false;
}

TC_HOT void tc_rec_scrub(tc_rec *r) {
  tc_prot_clear(&r->rd);
  tc_prot_clear(&r->wr);
  /* The same wipes as tc_rec_free: ibuf up to the last record opened in
   * place, hs up to what was ever written there; obuf holds only public
   * or protected bytes. */
  tc_wipe(r->ibuf, r->iplain);
  tc_wipe(r->hs, r->hs_high);
  r->iplain = r->hs_high = 0;
}

TC_HOT void tc_rec_adopt(tc_rec *r, const tc_rec_bufs *b) {
  r->ibuf = b->ibuf;
  r->icap = b->ibuf ? b->icap : 0;
  if (r->ibuf)
    r->ilen = r->ipos = IN_START;
  r->obuf = b->obuf;
  r->ocap = b->obuf ? b->ocap : 0;
  r->hs = b->hs;
  r->hs_cap = b->hs ? b->hs_cap : 0;
}

void tc_rec_bufs_free(tc_rec_bufs *b) {
  free(b->ibuf);
  free(b->obuf);
  free(b->hs);
  *b = (tc_rec_bufs){0};
}

static void drop_input(tc_rec *r) {
  tc_wipe(r->ibuf, r->iplain);
  free(r->ibuf);
  r->ibuf = NULL;
  r->ilen = r->ipos = r->ihigh = r->iplain = r->icap = 0;
}

void tc_rec_shrink(tc_rec *r) {
  if (r->ibuf && r->ilen == r->ipos && !r->hold && !r->ilent)
    drop_input(r);
  if (r->obuf && r->olen == r->opos) {
    free(r->obuf);
    r->obuf = NULL;
    r->ocap = r->olen = r->opos = 0;
  }
  if (r->hs && r->hs_len == r->hs_off) {
    tc_wipe(r->hs, r->hs_high);
    free(r->hs);
    r->hs = NULL;
    r->hs_cap = r->hs_len = r->hs_off = r->hs_high = 0;
  }
}

/* Move an unprocessed partial record to the front so a full record always fits. */
TC_HOT static void compact_input(tc_rec *r) {
  if (r->ipos <= IN_START || r->hold)
    return;
  if (r->ipos == r->ilen) {
    r->ipos = r->ilen = IN_START;
    return;
  }
  memmove(r->ibuf + IN_START, r->ibuf + r->ipos, r->ilen - r->ipos);
  r->ilen = IN_START + (r->ilen - r->ipos);
  r->ipos = IN_START;
}

TC_HOT uint8_t *tc_rec_input_buf(tc_rec *r, size_t *cap, tc_error *err) {
  if (!r->ibuf) {
    size_t size = r->iwant ? r->iwant : IN_START + TC_REC_MAX_LEN;
    r->ibuf = malloc(size);
    if (!r->ibuf) {
      *cap = 0;
      tc_error_set(err, TC_ERR_NOMEM, "cannot allocate the record input buffer");
      return NULL;
    }
    r->icap = size;
    r->ilen = r->ipos = IN_START;
  }
  /* While decrypted application data sits in the buffer (hold), only the
   * tail is offered. */
  compact_input(r);
  *cap = r->icap - r->ilen;
  r->ilent = *cap > 0;
  return *cap ? r->ibuf + r->ilen : NULL;
}

TC_HOT bool tc_rec_input_ack(tc_rec *r, size_t n) {
  r->ilent = false;
  if (!r->ibuf)
    return n == 0;
  if (n > r->icap - r->ilen)
    return false;
  r->ilen += n;
  if (r->ilen > r->ihigh)
    r->ihigh = r->ilen;
  return true;
}

TC_HOT bool tc_rec_input_full(const tc_rec *r) {
  return r->ibuf && r->ilen == r->icap && r->ipos <= IN_START;
}

void tc_rec_set_input_records(tc_rec *r, unsigned n) {
  n = n < 1 ? 1 : n > 16 ? 16 : n;
  r->iwant = IN_START + (size_t)n * TC_REC_MAX_LEN;
  if (r->ibuf && r->icap != r->iwant && r->ilen == r->ipos && !r->hold && !r->ilent)
    drop_input(r);
}

size_t tc_rec_input_pending(const tc_rec *r) { return r->ilen - r->ipos; }

size_t tc_rec_input_missing(const tc_rec *r) {
  if (!r->ibuf)
    return 0;
  /* An SSLv2 hello has another header: no promise about its length. */
  if (!r->seen_record && r->ssl2_hello)
    return 0;
  size_t pos = r->ipos;
  for (;;) {
    size_t avail = r->ilen - pos;
    if (avail == 0)
      return 0;
    if (avail < TC_REC_HDR_LEN)
      return TC_REC_HDR_LEN - avail;
    size_t whole = TC_REC_HDR_LEN + ((size_t)r->ibuf[pos + 3] << 8 | r->ibuf[pos + 4]);
    /* A record longer than any we accept is refused once processed: no
     * promise to wait for. */
    if (whole > TC_REC_MAX_LEN)
      return 0;
    if (avail < whole)
      return whole - avail;
    pos += whole;
  }
}

TC_HOT static bool known_type(uint8_t t) {
  return t >= TC_CT_CHANGE_CIPHER_SPEC && t <= TC_CT_APPLICATION_DATA;
}

TC_HOT int tc_rec_next(tc_rec *r, uint8_t *type, uint8_t **data, size_t *len, tc_error *err) {
  if (!r->ibuf)
    return 0;
  size_t avail = r->ilen - r->ipos;
  if (!r->seen_record && r->ssl2_hello && avail >= 1 && (r->ibuf[r->ipos] & 0x80)) {
    /* SSLv2 2-byte header (no padding) + msg_type 1; the caller decides
     * whether the configuration takes it. */
    if (avail < 3)
      return 0;
    uint8_t *h = r->ibuf + r->ipos;
    size_t mlen = (size_t)(h[0] & 0x7f) << 8 | h[1];
    if (h[2] != 1)
      return tc_error_set(err, TC_ERR_NOT_TLS, "peer does not speak TLS (SSLv2 message %u)",
                          h[2]);
    if (mlen < 9 || mlen > TC_REC_MAX_PLAIN)
      return tc_error_set(err, TC_ERR_DECODE_ERROR, "bad SSLv2 ClientHello length %zu", mlen);
    if (avail < 2 + mlen)
      return 0;
    r->seen_record = true;
    r->ipos += 2 + mlen;
    *type = TC_CT_SSL2_HELLO;
    *data = h + 2;
    *len = mlen;
    return 1;
  }
  if (avail < TC_REC_HDR_LEN) {
    /* Catch non-TLS peers (e.g. an HTTP reply) as early as possible. */
    if (!r->seen_record && avail >= 1 && !known_type(r->ibuf[r->ipos]))
      return tc_error_set(err, TC_ERR_NOT_TLS, "peer does not speak TLS (first byte 0x%02x)",
                          r->ibuf[r->ipos]);
    return 0;
  }
  uint8_t *rec = r->ibuf + r->ipos;
  uint8_t t = rec[0];
  size_t body = (size_t)rec[3] << 8 | rec[4];
  if (!known_type(t) || rec[1] != 3) {
    if (!r->seen_record)
      return tc_error_set(err, TC_ERR_NOT_TLS,
                          "peer does not speak TLS (record header %02x %02x %02x)", rec[0],
                          rec[1], rec[2]);
    if (!known_type(t))
      return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE, "record of unknown content type %u",
                          t);
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "record with bad version %02x%02x", rec[1],
                        rec[2]);
  }
  /* A TLS 1.3 CCS is never protected (a TLS 1.2 one is, in a
   * renegotiation); a peer that fails before switching to its handshake
   * keys may send a plaintext alert while we already read with ours. */
  bool protected_rec = r->rd.ops && !(t == TC_CT_CHANGE_CIPHER_SPEC && r->rd.ops->plain_ccs) &&
                       !(t == TC_CT_ALERT && r->plain_alerts && body == 2);
  /* record_size_limit (max_recv_plain) binds protected records only (RFC
   * 8449 §4); plaintext ones keep the protocol's 2^14. */
  size_t limit = protected_rec ? TC_REC_MAX_PLAIN + r->rd.max_expansion : TC_REC_MAX_PLAIN;
  if (body > limit)
    return tc_error_set(err, TC_ERR_RECORD_OVERFLOW, "record of %zu bytes exceeds the limit %zu",
                        body, limit);
  if (avail < TC_REC_HDR_LEN + body)
    return 0;
  r->seen_record = true;
  r->ipos += TC_REC_HDR_LEN + body;
  r->last_body = body;
  if (!protected_rec) {
    if (body == 0 && t != TC_CT_APPLICATION_DATA)
      return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE, "empty %s record",
                          t == TC_CT_HANDSHAKE ? "handshake" : t == TC_CT_ALERT ? "alert" : "CCS");
    *type = t;
    *data = rec + TC_REC_HDR_LEN;
    *len = body;
    return 1;
  }
  size_t off = 0, plen = 0;
  uint8_t inner = 0;
  /* Opened in place: from here the buffer up to this record's end may
   * hold plaintext (CBC decrypts before its MAC check, so even when the
   * open fails). Records opened elsewhere (tc_rec_next_app_into) leave
   * only ciphertext, which needs no wipe. */
  if (r->ipos > r->iplain)
    r->iplain = r->ipos;
  int e = r->rd.ops->open(&r->rd, rec, body, &inner, &off, &plen);
  if (e)
    return tc_error_set(err, (tc_err)e,
                        e == TC_ERR_BAD_RECORD_MAC ? "record failed authentication"
                        : e == TC_ERR_RECORD_OVERFLOW ? "decrypted record too long"
                                                      : "bad protected record");
  if (plen > r->max_recv_plain)
    return tc_error_set(err, TC_ERR_RECORD_OVERFLOW,
                        "decrypted record of %zu bytes exceeds the limit %zu", plen,
                        r->max_recv_plain);
  if (plen == 0 && inner != TC_CT_APPLICATION_DATA)
    return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE, "empty protected %s record",
                        inner == TC_CT_HANDSHAKE ? "handshake" : "alert");
  *type = inner;
  *data = rec + off;
  *len = plen;
  return 1;
}

/* Body length of a complete, ordinary application-data record at the head
 * of the input that the read protection can open elsewhere, else 0.
 * Anything unusual (other types, versions, sizes) takes the full path,
 * which also reports it. */
static size_t app_record_body(const tc_rec *r) {
  const tc_prot *p = &r->rd;
  if (!r->ibuf || !p->ops || !p->ops->open_to || !r->seen_record || r->hold)
    return 0;
  size_t avail = r->ilen - r->ipos;
  if (avail < TC_REC_HDR_LEN)
    return 0;
  const uint8_t *rec = r->ibuf + r->ipos;
  size_t body = (size_t)rec[3] << 8 | rec[4];
  if (rec[0] != TC_CT_APPLICATION_DATA || rec[1] != 3 ||
      body > TC_REC_MAX_PLAIN + p->max_expansion || avail < TC_REC_HDR_LEN + body)
    return 0;
  return body;
}

bool tc_rec_app_record_ready(const tc_rec *r) { return app_record_body(r) > 0; }

/* Opens the next complete protected record straight into dst when its inner
 * content type is want_type (and, for a handshake record, its first message
 * is of type hs_type). Anything else, or a record that does not open, is
 * undone: the sequence number is restored, dst wiped, and the ciphertext is
 * left in ibuf for tc_rec_next to open in place and act on. */
static int next_into(tc_rec *r, uint8_t want_type, uint8_t hs_type, uint8_t *dst, size_t cap,
                     size_t *len) {
  tc_prot *p = &r->rd;
  size_t body = app_record_body(r);
  if (body == 0)
    return 0;
  const uint8_t *rec = r->ibuf + r->ipos;
  size_t room = p->ops->open_room(p, body);
  if (room == 0 || room > cap)
    return 0;
  uint64_t seq = p->seq;
  uint8_t type = 0;
  size_t n = 0;
  int e = p->ops->open_to(p, rec, body, dst, cap, &type, &n);
  if (e || type != want_type || n > r->max_recv_plain ||
      (want_type == TC_CT_HANDSHAKE && (n == 0 || dst[0] != hs_type))) {
    p->seq = seq;
    tc_wipe(dst, room);
    return 0;
  }
  r->ipos += TC_REC_HDR_LEN + body;
  *len = n;
  return 1;
}

int tc_rec_next_app_into(tc_rec *r, uint8_t *dst, size_t cap, size_t *len) {
  /* Not for the caller (a TLS 1.3 post-handshake message or alert) or not
   * valid: tc_rec_next deals with it. */
  return next_into(r, TC_CT_APPLICATION_DATA, 0, dst, cap, len);
}

int tc_rec_next_hs_into(tc_rec *r, uint8_t hs_type, uint8_t *dst, size_t cap, size_t *len) {
  return next_into(r, TC_CT_HANDSHAKE, hs_type, dst, cap, len);
}

TC_HOT static int ensure_out(tc_rec *r, size_t need, tc_error *err) {
  if (r->opos == r->olen)
    r->opos = r->olen = OUT_START;
  if (TC_LIKELY(r->ocap >= r->olen && r->ocap - r->olen >= need))
    return 0;
  if (r->opos > OUT_START) {
    /* The records already sealed move with their gaps; where they sit no
     * longer matters once they are encrypted. */
    size_t shift = r->opos - OUT_START;
    memmove(r->obuf + OUT_START, r->obuf + r->opos, r->olen - r->opos);
    r->olen = OUT_START + (r->olen - r->opos);
    r->opos = OUT_START;
    for (unsigned i = 0; i < r->ngaps; i++)
      r->gap_at[i] -= shift;
    if (r->ocap - r->olen >= need)
      return 0;
  }
  /* 1 KiB first (glibc serves it from its per-thread cache; it holds a
   * resumed handshake's whole flight), then straight to a full record. */
  size_t ncap = r->ocap ? r->ocap : 1024;
  if (ncap - r->olen < need && ncap < OUT_START + TC_REC_MAX_OUT_LEN)
    ncap = OUT_START + TC_REC_MAX_OUT_LEN;
  if (ncap - r->olen < need) {
    /* Double (handshake flights grow), or take exactly what a batch of
     * records needs. */
    size_t twice = ncap * 2;
    ncap = twice - r->olen >= need ? twice : r->olen + need;
  }
  uint8_t *nb = malloc(ncap);
  if (!nb)
    return tc_error_set(err, TC_ERR_NOMEM, "cannot grow the record output buffer");
  if (r->obuf) {
    memcpy(nb, r->obuf, r->olen);
    free(r->obuf);
  }
  r->obuf = nb;
  r->ocap = ncap;
  return 0;
}

/* Largest gap align_next leaves. */
#define GAP_MAX 7

/* Aligned records: nettle's AES-GCM and ChaCha20-Poly1305 take their fast
 * path only when the destination is 8-byte aligned (nettle 3.8 ctr mode:
 * counter blocks are generated in place and xored with one memxor; else
 * through a side buffer and memxor3 with shifts, ~1.1 more instructions
 * per byte). A record behind others (16 KiB records are 16406 bytes, not a
 * multiple of 8) is placed after a gap of 1-7 bytes that is not output.
 * The first record of an empty buffer is aligned by OUT_START. */
static void align_next(tc_rec *r) {
  if (r->olen == r->opos || r->ngaps == TC_REC_MAX_GAPS)
    return;
  uintptr_t at = (uintptr_t)(r->obuf + r->olen + r->wr.sealed_off);
  size_t gap = (8 - (at & 7)) & 7;
  if (gap == 0)
    return;
  r->gap_at[r->ngaps] = r->olen;
  r->gap_len[r->ngaps] = (uint8_t)gap;
  r->ngaps++;
  r->olen += gap;
}

TC_HOT static size_t seal_plain(tc_rec *r, uint8_t type, uint8_t *rec, size_t len) {
  rec[0] = type;
  rec[1] = (uint8_t)(r->wr_version >> 8);
  rec[2] = (uint8_t)r->wr_version;
  rec[3] = (uint8_t)(len >> 8);
  rec[4] = (uint8_t)len;
  return TC_REC_HDR_LEN + len;
}

TC_HOT int tc_rec_write(tc_rec *r, uint8_t type, const uint8_t *data, size_t len, tc_error *err) {
  size_t frag_max = r->max_frag ? r->max_frag : TC_REC_MAX_PLAIN;
  bool plain = !r->wr.ops || (type == TC_CT_CHANGE_CIPHER_SPEC && r->wr.ops->plain_ccs);
  size_t alert_len = len;
  do {
    size_t frag = len < frag_max ? len : frag_max;
    size_t over = plain ? 0 : r->wr.ops->overhead(&r->wr, frag);
    bool direct = !plain && frag && r->wr.ops->seal_from;
    if (ensure_out(r, TC_REC_HDR_LEN + frag + over + (direct && r->align_out ? GAP_MAX : 0), err))
      return TC_FAIL;
    if (direct && r->align_out)
      align_next(r);
    uint8_t *rec = r->obuf + r->olen;
    if (direct) {
      /* Encrypted from the caller's buffer into the record: one pass. */
      r->olen += r->wr.ops->seal_from(&r->wr, type, rec, data, frag);
    } else {
      if (frag)
        memcpy(rec + TC_REC_HDR_LEN, data, frag);
      r->olen += plain ? seal_plain(r, type, rec, frag) : r->wr.ops->seal(&r->wr, type, rec, frag);
    }
    data += frag;
    len -= frag;
  } while (len > 0);
  /* Every alert leaves through here: remember the last for tc_conn_last_alert. */
  if (type == TC_CT_ALERT && alert_len == 2) {
    r->alert_out[0] = data[-2];
    r->alert_out[1] = data[-1];
  }
  return TC_OK;
}

size_t tc_rec_write_room(tc_rec *r, tc_error *err) {
  size_t frag_max = r->max_frag ? r->max_frag : TC_REC_MAX_PLAIN;
  size_t over = r->wr.ops ? r->wr.ops->overhead(&r->wr, frag_max) : 0;
  if (r->opos == r->olen)
    r->opos = r->olen = OUT_START;
  if (!r->obuf && ensure_out(r, TC_REC_MAX_OUT_LEN, err))
    return 0;
  /* Behind other records an aligned one may need a gap first. */
  if (r->align_out && r->wr.ops && r->wr.ops->seal_from)
    over += GAP_MAX;
  if (r->olen == OUT_START || (r->ocap - r->olen) >= TC_REC_HDR_LEN + frag_max + over)
    return frag_max;
  size_t room = r->ocap - r->olen;
  if (room <= TC_REC_HDR_LEN + over)
    return 0;
  return room - TC_REC_HDR_LEN - over;
}

int tc_rec_reserve(tc_rec *r, size_t records, tc_error *err) {
  size_t frag_max = r->max_frag ? r->max_frag : TC_REC_MAX_PLAIN;
  size_t over = r->wr.ops ? r->wr.ops->overhead(&r->wr, frag_max) : 0;
  size_t gap = r->align_out ? GAP_MAX : 0;
  return ensure_out(r, records * (TC_REC_HDR_LEN + frag_max + over + gap), err) ? TC_FAIL : TC_OK;
}

TC_HOT const uint8_t *tc_rec_output(const tc_rec *r, size_t *len) {
  size_t end = r->ngaps ? r->gap_at[0] : r->olen;
  *len = end - r->opos;
  return *len ? r->obuf + r->opos : NULL;
}

size_t tc_rec_output_vec(const tc_rec *r, tc_rec_piece *v, size_t max, size_t *total) {
  size_t n = 0, pos = r->opos;
  *total = 0;
  for (unsigned g = 0; n < max && pos < r->olen; g++) {
    size_t end = g < r->ngaps ? r->gap_at[g] : r->olen;
    v[n].base = r->obuf + pos;
    v[n].len = end - pos;
    *total += end - pos;
    n++;
    if (g >= r->ngaps)
      break;
    pos = end + r->gap_len[g];
  }
  return n;
}

TC_HOT void tc_rec_output_ack(tc_rec *r, size_t n) {
  while (n > 0 && r->opos < r->olen) {
    size_t end = r->ngaps ? r->gap_at[0] : r->olen;
    size_t k = n < end - r->opos ? n : end - r->opos;
    r->opos += k;
    n -= k;
    if (r->ngaps && r->opos == r->gap_at[0]) {
      /* The piece before gap 0 is out: step over the gap. */
      r->opos += r->gap_len[0];
      r->ngaps--;
      memmove(r->gap_at, r->gap_at + 1, r->ngaps * sizeof r->gap_at[0]);
      memmove(r->gap_len, r->gap_len + 1, r->ngaps * sizeof r->gap_len[0]);
    }
  }
  if (r->opos == r->olen)
    r->opos = r->olen = OUT_START;
}

int tc_rec_hs_append(tc_rec *r, const uint8_t *data, size_t len, tc_error *err) {
  if (r->hs_off == r->hs_len)
    r->hs_off = r->hs_len = 0;
  else if (r->hs_off > 0) {
    memmove(r->hs, r->hs + r->hs_off, r->hs_len - r->hs_off);
    r->hs_len -= r->hs_off;
    r->hs_off = 0;
  }
  /* Refuse early when the pending message announces an excessive length. */
  size_t need = r->hs_len + len;
  size_t most = r->hs_max > r->hs_max_ch ? r->hs_max : r->hs_max_ch;
  if (need > most + 4 + TC_REC_MAX_PLAIN)
    return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE, "too much buffered handshake data");
  if (need > r->hs_cap) {
    /* 1 KiB first: from glibc's per-thread cache, and enough for the
     * messages of a resumed handshake. */
    size_t ncap = r->hs_cap ? r->hs_cap : 1024;
    while (ncap < need)
      ncap *= 2;
    uint8_t *nb = malloc(ncap);
    if (!nb)
      return tc_error_set(err, TC_ERR_NOMEM, "cannot grow the handshake buffer");
    if (r->hs) {
      memcpy(nb, r->hs, r->hs_len);
      tc_wipe(r->hs, r->hs_high);
      free(r->hs);
    }
    r->hs = nb;
    r->hs_cap = ncap;
    r->hs_high = r->hs_len;
  }
  memcpy(r->hs + r->hs_len, data, len);
  r->hs_len += len;
  if (r->hs_len > r->hs_high)
    r->hs_high = r->hs_len;
  return TC_OK;
}

/* Largest body a handshake message of this type can have, SIZE_MAX for
 * the variable ones (RFC 8446 §4, RFC 5246 §7.4). */
static size_t fixed_max(uint8_t type) {
  switch (type) {
  case 0:  /* hello_request */
  case 5:  /* end_of_early_data */
  case 14: /* server_hello_done */
    return 0;
  case 20: /* finished: at most a SHA-384 verify_data (SSL 3.0: 36) */
    return 64;
  case 24: /* key_update */
    return 1;
  default:
    return SIZE_MAX;
  }
}

TC_HOT int tc_rec_hs_take(tc_rec *r, const uint8_t *data, size_t len, tc_error *err) {
  if (r->hs_copy || r->hs_view_len || r->hs_len > r->hs_off)
    return tc_rec_hs_settle(r, err) ? TC_FAIL : tc_rec_hs_append(r, data, len, err);
  /* Nothing pending: the record's messages are read where they are. (One
   * record of at most 2^14 bytes cannot trip tc_rec_hs_append's bound on
   * buffered data, so taking it whole refuses nothing that appending did.) */
  r->hs_view = data;
  r->hs_view_len = len;
  return TC_OK;
}

int tc_rec_hs_settle(tc_rec *r, tc_error *err) {
  if (!r->hs_view_len)
    return TC_OK;
  const uint8_t *v = r->hs_view;
  size_t n = r->hs_view_len;
  r->hs_view = NULL;
  r->hs_view_len = 0;
  return tc_rec_hs_append(r, v, n, err);
}

TC_HOT int tc_rec_hs_peek(tc_rec *r, const uint8_t **msg, size_t *msg_len, tc_error *err) {
  bool view = r->hs_view_len > 0;
  size_t avail = view ? r->hs_view_len : r->hs_len - r->hs_off;
  /* An incomplete message left in a record read in place waits for the
   * next record in the reassembly buffer (the same checks run there once
   * more bytes arrived, as they do on every peek). */
  if (avail < 4)
    return view ? (tc_rec_hs_settle(r, err) ? TC_FAIL : 0) : 0;
  const uint8_t *h = view ? r->hs_view : r->hs + r->hs_off;
  size_t body = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
  /* A message the state cannot take is unexpected_message whatever its
   * length says (tlsfuzzer test-invalid-client-hello: a ClientHello whose
   * type byte became 0, 5, 14 or 24). */
  if (r->hs_only && h[0] != r->hs_only)
    return tc_error_set(err, TC_ERR_UNEXPECTED_MESSAGE,
                        "handshake message of type %u where only type %u may come", h[0],
                        r->hs_only);
  /* Messages of a fixed small size are refused as malformed as soon as
   * their header announces more (decode_error, as tlsfuzzer's
   * test-tls13-finished expects), without buffering the body. */
  size_t fixed = fixed_max(h[0]);
  if (body > fixed)
    return tc_error_set(err, TC_ERR_DECODE_ERROR, "%s message of %zu bytes is malformed",
                        h[0] == 20 ? "Finished" : "handshake", body);
  /* No ClientHello can be longer than TC_HS_MAX_CLIENT_HELLO: one that
   * says so is malformed (decode_error, tlsfuzzer's
   * test-truncating-of-client-hello). */
  if (h[0] == 1 && body > TC_HS_MAX_CLIENT_HELLO && r->hs_max_ch >= TC_HS_MAX_CLIENT_HELLO)
    return tc_error_set(err, TC_ERR_DECODE_ERROR,
                        "ClientHello of %zu bytes is longer than any well-formed one", body);
  size_t limit = h[0] == 1 /* client_hello */ && r->hs_max_ch > r->hs_max ? r->hs_max_ch
                                                                          : r->hs_max;
  if (body > limit)
    return tc_error_set(err, TC_ERR_ILLEGAL_PARAMETER,
                        "handshake message of %zu bytes exceeds the limit %zu", body, limit);
  if (avail < 4 + body)
    return view ? (tc_rec_hs_settle(r, err) ? TC_FAIL : 0) : 0;
  *msg = h;
  *msg_len = 4 + body;
  return 1;
}

TC_HOT void tc_rec_hs_consume(tc_rec *r, size_t n) {
  if (r->hs_view_len) {
    r->hs_view += n;
    r->hs_view_len -= n;
    if (!r->hs_view_len)
      r->hs_view = NULL;
    return;
  }
  r->hs_off += n;
  if (r->hs_off >= r->hs_len)
    r->hs_off = r->hs_len = 0;
}
