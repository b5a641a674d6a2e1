/* zlib certificate compression (RFC 8879) for tlscore, over GIO's GZlibCompressor/GZlibDecompressor (the module and tlscore-peer use it). */
#include "cert-compression.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

/* Runs `conv` over all of in[0..in_len) into out[0..cap); TRUE when the
 * stream finished with every input byte used; *produced is the output. */
static gboolean run_converter(GConverter *conv, const uint8_t *in, size_t in_len, uint8_t *out,
                              size_t cap, size_t *produced) {
  size_t ip = 0, op = 0;
  for (;;) {
    if (op == cap)
      return FALSE; /* more output than cap: over the declared size */
    gsize rd = 0, wr = 0;
    GError *error = NULL;
    GConverterResult r = g_converter_convert(conv, in + ip, in_len - ip, out + op, cap - op,
                                             G_CONVERTER_INPUT_AT_END, &rd, &wr, &error);
    if (r == G_CONVERTER_ERROR) {
      g_error_free(error); /* bad data, truncated input or output over cap */
      return FALSE;
    }
    ip += rd;
    op += wr;
    if (r == G_CONVERTER_FINISHED) {
      *produced = op;
      return ip == in_len;
    }
    if (rd == 0 && wr == 0)
      return FALSE; /* no progress */
  }
}

int tlslite_zlib_cert_compress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                               uint8_t **out, size_t *out_len) {
  (void)ctx;
  *out = NULL;
  *out_len = 0;
  if (alg != TC_CERT_COMPRESSION_ZLIB)
    return -1;
  /* zlib's worst case is the input plus 5 bytes per 16 KiB block and 6 of
   * header and trailer: this is well above it. */
  size_t cap = in_len + in_len / 64 + 64;
  uint8_t *buf = malloc(cap);
  if (!buf)
    return -1;
  GZlibCompressor *z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB, -1);
  size_t n = 0;
  gboolean ok = run_converter(G_CONVERTER(z), in, in_len, buf, cap, &n);
  g_object_unref(z);
  if (!ok || n == 0) {
    free(buf);
    return -1;
  }
  *out = buf;
  *out_len = n;
  return 0;
}

int tlslite_zlib_cert_decompress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t out_len) {
  (void)ctx;
  if (alg != TC_CERT_COMPRESSION_ZLIB)
    return -1;
  /* One spare byte tells "more than declared" from "exactly"; the output
   * never grows past it, so a bomb costs at most out_len + 1 bytes. */
  uint8_t *tmp = malloc(out_len + 1);
  if (!tmp)
    return -1;
  GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB);
  size_t n = 0;
  gboolean ok = run_converter(G_CONVERTER(z), in, in_len, tmp, out_len + 1, &n);
  g_object_unref(z);
  ok = ok && n == out_len;
  if (ok)
    memcpy(out, tmp, out_len);
  free(tmp);
  return ok ? 0 : -1;
}
