/* zlib certificate compression callbacks for tc_config_set_cert_compression (RFC 8879). */
#ifndef TLSLITE_CERT_COMPRESSION_H
#define TLSLITE_CERT_COMPRESSION_H

#include <stddef.h>
#include <stdint.h>

#include "tlscore/config.h"

/* tc_cert_compress_fn / tc_cert_decompress_fn for TC_CERT_COMPRESSION_ZLIB
 * (RFC 1950 streams, as RFC 8879 §3 says); any other algorithm fails. */
int tlslite_zlib_cert_compress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                               uint8_t **out, size_t *out_len);
int tlslite_zlib_cert_decompress(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t out_len);

#endif
