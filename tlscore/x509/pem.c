/* PEM (RFC 7468) decoding of every block in a text, and encoding with 64-column lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"

static int b64_val(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decode base64 in [p, p+n), skipping white space; strict about padding. */
static uint8_t *b64_decode(const char *p, size_t n, size_t *out_len) {
  uint8_t *out = malloc(n / 4 * 3 + 3);
  if (!out)
    return NULL;
  size_t o = 0;
  uint32_t acc = 0;
  int nacc = 0, pad = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      continue;
    if (c == '=') {
      pad++;
      continue;
    }
    int v = b64_val(c);
    if (v < 0 || pad)
      goto bad; /* junk, or data after padding */
    acc = (acc << 6) | (uint32_t)v;
    if (++nacc == 4) {
      out[o++] = (uint8_t)(acc >> 16);
      out[o++] = (uint8_t)(acc >> 8);
      out[o++] = (uint8_t)acc;
      acc = 0;
      nacc = 0;
    }
  }
  if (nacc == 2 && pad == 2 && !(acc & 0xf)) {
    out[o++] = (uint8_t)(acc >> 4);
  } else if (nacc == 3 && pad == 1 && !(acc & 0x3)) {
    out[o++] = (uint8_t)(acc >> 10);
    out[o++] = (uint8_t)(acc >> 2);
  } else if (nacc != 0 || pad != 0) {
    goto bad;
  }
  *out_len = o;
  return out;
bad:
  tc_wipe(out, n / 4 * 3 + 3);
  free(out);
  return NULL;
}

/* Find `needle` at the start of a line in [p, end). */
static const char *find_line(const char *p, const char *end, const char *start, const char *needle) {
  size_t nl = strlen(needle);
  for (const char *q = p; q + nl <= end; q++) {
    if ((q == start || q[-1] == '\n') && memcmp(q, needle, nl) == 0)
      return q;
  }
  return NULL;
}

static const char *line_end(const char *p, const char *end) {
  const char *q = memchr(p, '\n', (size_t)(end - p));
  return q ? q + 1 : end;
}

void tc_pem_blocks_free(tc_pem_block *blocks, size_t n) {
  if (!blocks)
    return;
  for (size_t i = 0; i < n; i++) {
    if (blocks[i].der) {
      tc_wipe(blocks[i].der, blocks[i].len);
      free(blocks[i].der);
    }
  }
  free(blocks);
}

size_t tc_pem_decode(const char *text, size_t len, tc_pem_block **blocks, tc_error *err) {
  static const char begin[] = "-----BEGIN ";
  const char *p = text, *end = text + len;
  tc_pem_block *out = NULL;
  size_t n = 0, cap = 0;
  *blocks = NULL;
  while (p < end) {
    const char *b = find_line(p, end, text, begin);
    if (!b)
      break;
    const char *lab = b + sizeof begin - 1;
    const char *le = line_end(lab, end);
    const char *dash = NULL;
    for (const char *q = lab; q + 5 <= le; q++)
      if (memcmp(q, "-----", 5) == 0) {
        dash = q;
        break;
      }
    size_t lablen = dash ? (size_t)(dash - lab) : 0;
    bool printable = true;
    for (size_t i = 0; i < lablen; i++)
      printable = printable && lab[i] >= 0x20 && lab[i] <= 0x7e;
    if (!dash || lablen == 0 || lablen >= sizeof out->label || !printable) {
      tc_error_set(err, TC_ERR_BAD_INPUT, "malformed PEM header line");
      goto fail;
    }
    for (const char *q = dash + 5; q < le; q++)
      if (*q != '\r' && *q != '\n' && *q != ' ' && *q != '\t') {
        tc_error_set(err, TC_ERR_BAD_INPUT, "malformed PEM header line");
        goto fail;
      }
    char endline[64 + 16];
    memcpy(endline, "-----END ", 9);
    memcpy(endline + 9, lab, lablen);
    memcpy(endline + 9 + lablen, "-----", 6);
    const char *body = le;
    const char *e = find_line(body, end, text, endline);
    if (!e) {
      tc_error_set(err, TC_ERR_BAD_INPUT, "PEM block without END line");
      goto fail;
    }
    size_t dlen = 0;
    uint8_t *d = NULL;
    /* RFC 1421 headers mean legacy OpenSSL key encryption, which we do not
     * support: such a block is returned with no content so that the other
     * blocks of the file stay usable. */
    if (!memchr(body, ':', (size_t)(e - body))) {
      d = b64_decode(body, (size_t)(e - body), &dlen);
      if (!d) {
        tc_error_set(err, TC_ERR_BAD_INPUT, "bad base64 in PEM block");
        goto fail;
      }
    }
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      tc_pem_block *nb = realloc(out, ncap * sizeof *nb);
      if (!nb) {
        tc_wipe(d, dlen);
        free(d);
        tc_error_set(err, TC_ERR_NOMEM, "out of memory");
        goto fail;
      }
      out = nb;
      cap = ncap;
    }
    memcpy(out[n].label, lab, lablen);
    out[n].label[lablen] = '\0';
    out[n].der = d;
    out[n].len = dlen;
    n++;
    p = line_end(e, end);
  }
  *blocks = out;
  return n;
fail:
  tc_pem_blocks_free(out, n);
  return 0;
}

char *tc_pem_encode(const char *label, const uint8_t *der, size_t len) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t ll = strlen(label);
  size_t b64 = (len + 2) / 3 * 4;
  size_t total = 2 * (ll + 17) + b64 + b64 / 64 + 2 + 1;
  char *out = malloc(total);
  if (!out)
    return NULL;
  char *o = out;
  o += sprintf(o, "-----BEGIN %s-----\n", label);
  size_t col = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)der[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)der[i + 1] << 8;
    if (i + 2 < len)
      v |= der[i + 2];
    *o++ = tbl[(v >> 18) & 63];
    *o++ = tbl[(v >> 12) & 63];
    *o++ = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
    *o++ = i + 2 < len ? tbl[v & 63] : '=';
    col += 4;
    if (col == 64) {
      *o++ = '\n';
      col = 0;
    }
  }
  if (col)
    *o++ = '\n';
  sprintf(o, "-----END %s-----\n", label);
  return out;
}
