/* Certificate and public-key pins: parsing, formatting and matching a leaf (TLS Lite's Checker). */
#include <string.h>

#include "x509/x509_internal.h"

#define SPKI_PREFIX "sha256//"

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int parse_hex(const char *t, size_t len, uint8_t out[32], tc_error *err) {
  /* 64 digits, or 32 pairs joined by single colons (95 characters). */
  bool colons = len == 32 * 3 - 1;
  if (len != 64 && !colons)
    return tc_error_set(err, TC_ERR_BAD_INPUT,
                        "a certificate fingerprint has 64 hex digits (colons optional), "
                        "this one has %zu characters",
                        len);
  size_t step = colons ? 3 : 2;
  for (size_t i = 0; i < 32; i++) {
    const char *p = t + i * step;
    int hi = hexval(p[0]), lo = hexval(p[1]);
    if (hi < 0 || lo < 0)
      return tc_error_set(err, TC_ERR_BAD_INPUT, "not a hex digit at position %zu",
                          (size_t)(p - t) + (hi < 0 ? 1 : 2));
    if (colons && i < 31 && p[2] != ':')
      return tc_error_set(err, TC_ERR_BAD_INPUT, "expected ':' at position %zu",
                          (size_t)(p - t) + 3);
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return TC_OK;
}

int tc_pin_parse(const char *text, tc_pin *pin, tc_error *err) {
  if (!text || !pin)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no pin");
  size_t len = strlen(text), pl = strlen(SPKI_PREFIX);
  if (len >= pl && memcmp(text, SPKI_PREFIX, pl) == 0) {
    uint8_t h[33];
    long n = tc_base64_decode(text + pl, len - pl, h, sizeof h);
    if (n < 0)
      return tc_error_set(err, TC_ERR_BAD_INPUT, "bad base64 after \"sha256//\"");
    if (n != 32)
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "a sha256// pin holds 32 bytes, this one %ld", n);
    pin->type = TC_PIN_SPKI_SHA256;
    memcpy(pin->hash, h, 32);
    return TC_OK;
  }
  if (memchr(text, '/', len))
    return tc_error_set(err, TC_ERR_BAD_INPUT,
                        "unknown pin kind (only \"sha256//\" public-key pins and hex "
                        "SHA-256 fingerprints)");
  if (parse_hex(text, len, pin->hash, err) != TC_OK)
    return TC_FAIL;
  pin->type = TC_PIN_CERT_SHA256;
  return TC_OK;
}

void tc_pin_format(const tc_pin *pin, char out[TC_PIN_TEXT_MAX]) {
  static const char digits[] = "0123456789ABCDEF";
  if (pin->type == TC_PIN_SPKI_SHA256) {
    memcpy(out, SPKI_PREFIX, strlen(SPKI_PREFIX));
    tc_base64_encode(pin->hash, 32, out + strlen(SPKI_PREFIX)); /* 44 + NUL */
    return;
  }
  for (size_t i = 0; i < 32; i++) {
    out[3 * i] = digits[pin->hash[i] >> 4];
    out[3 * i + 1] = digits[pin->hash[i] & 15];
    out[3 * i + 2] = i < 31 ? ':' : '\0';
  }
}

void tc_cert_pin(const tc_cert *cert, tc_pin_type type, tc_pin *pin) {
  pin->type = type;
  if (type == TC_PIN_SPKI_SHA256)
    tc_hash(TC_HASH_SHA256, cert->spki.p, cert->spki.len, pin->hash);
  else
    tc_hash(TC_HASH_SHA256, cert->der, cert->der_len, pin->hash);
}

long tc_x509_pin_match(const tc_cert *leaf, const tc_pin *pins, size_t n) {
  if (!leaf || !pins)
    return -1;
  tc_pin spki, fpr;
  tc_cert_pin(leaf, TC_PIN_SPKI_SHA256, &spki);
  tc_cert_pin(leaf, TC_PIN_CERT_SHA256, &fpr);
  for (size_t i = 0; i < n; i++) {
    const tc_pin *mine = pins[i].type == TC_PIN_SPKI_SHA256 ? &spki : &fpr;
    if (tc_ct_equal(mine->hash, pins[i].hash, 32))
      return (long)i;
  }
  return -1;
}
