/* The module's zlib certificate codec (gio-module/cert-compression.c, RFC 8879): round trip, exact lengths only, bad and trailing input, a bomb stopped at the declared size. */
#include <glib.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "cert-compression.h"

/* A zlib stream of `len` bytes of `fill`, made by GIO directly. */
static GBytes *zlib_of(guint8 fill, size_t len) {
  guint8 *plain = g_malloc(len);
  memset(plain, fill, len);
  uint8_t *z = NULL;
  size_t zl = 0;
  g_assert_cmpint(tlslite_zlib_cert_compress(NULL, TC_CERT_COMPRESSION_ZLIB, plain, len, &z, &zl),
                  ==, 0);
  g_free(plain);
  GBytes *b = g_bytes_new(z, zl);
  free(z);
  return b;
}

static void test_round_trip(void) {
  guint8 plain[3000];
  for (size_t i = 0; i < sizeof plain; i++)
    plain[i] = (guint8)(i * 7 + (i >> 5));
  uint8_t *z = NULL;
  size_t zl = 0;
  g_assert_cmpint(tlslite_zlib_cert_compress(NULL, TC_CERT_COMPRESSION_ZLIB, plain, sizeof plain,
                                             &z, &zl), ==, 0);
  g_assert_nonnull(z);
  g_assert_cmpuint(zl, >, 2);
  g_assert_cmpuint(z[0] & 0x0f, ==, 8); /* RFC 1950: deflate */
  guint8 back[sizeof plain + 1];
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, z, zl, back,
                                               sizeof plain), ==, 0);
  g_assert_cmpmem(back, sizeof plain, plain, sizeof plain);
  /* exact lengths only */
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, z, zl, back,
                                               sizeof plain - 1), ==, -1);
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, z, zl, back,
                                               sizeof plain + 1), ==, -1);
  /* truncated, with trailing bytes, corrupted */
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, z, zl - 1, back,
                                               sizeof plain), ==, -1);
  uint8_t *longer = g_malloc(zl + 2);
  memcpy(longer, z, zl);
  longer[zl] = longer[zl + 1] = 0;
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, longer, zl + 2,
                                               back, sizeof plain), ==, -1);
  longer[zl / 2] ^= 0x55;
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, longer, zl, back,
                                               sizeof plain), ==, -1);
  g_free(longer);
  /* other algorithms are not ours */
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_BROTLI, z, zl, back,
                                               sizeof plain), ==, -1);
  uint8_t *z2 = NULL;
  size_t zl2 = 0;
  g_assert_cmpint(tlslite_zlib_cert_compress(NULL, TC_CERT_COMPRESSION_ZSTD, plain, sizeof plain,
                                             &z2, &zl2), ==, -1);
  g_assert_null(z2);
  free(z);
}

/* 16 MiB of zeros compress to about 16 KiB; declared as 4 KiB they are
 * refused without the output ever growing past 4 KiB + 1. */
static void test_bomb(void) {
  GBytes *bomb = zlib_of(0, 16u << 20);
  gsize bl;
  const guint8 *b = g_bytes_get_data(bomb, &bl);
  g_assert_cmpuint(bl, <, 64 * 1024);
  guint8 *out = g_malloc(4096);
  gint64 t0 = g_get_monotonic_time();
  g_assert_cmpint(tlslite_zlib_cert_decompress(NULL, TC_CERT_COMPRESSION_ZLIB, b, bl, out, 4096),
                  ==, -1);
  g_test_message("bomb refused in %" G_GINT64_FORMAT " us", g_get_monotonic_time() - t0);
  g_free(out);
  g_bytes_unref(bomb);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cert-compression/zlib/round-trip", test_round_trip);
  g_test_add_func("/cert-compression/zlib/bomb", test_bomb);
  return g_test_run();
}
