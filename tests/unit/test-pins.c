/* Pins (tlscore/x509/pin.c): strict parsing, canonical spelling, matching a leaf; base64 helpers. */
#include <glib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "pump.h"
#include "tlscore/x509.h"

/* Known answers from OpenSSL (independent of us):
 *   openssl x509 -in F -pubkey -noout | openssl pkey -pubin -outform der |
 *     openssl dgst -sha256 -binary | base64
 *   openssl x509 -in F -noout -fingerprint -sha256 */
#define RSA_SPKI "sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU="
#define RSA_FPR                                                                                  \
  "36:29:2D:E4:A6:5C:BB:D6:E7:C3:D3:29:E2:EB:91:B4:24:93:C3:C7:4F:3A:CE:C2:36:23:8D:DC:D9:67:6A:" \
  "DD"
#define SELF_SPKI "sha256//ssANwCCTtqd4Z3VzzTSGwI5nAors1dIqkntmjN8G7tk="
#define ECDSA_FPR                                                                                \
  "3B:29:98:75:FA:7B:7E:D3:FE:25:96:BE:75:5B:98:6D:7E:1F:69:85:1C:3A:10:BB:E6:81:2E:55:49:D3:6A:" \
  "31"

static tc_cert *load_leaf(const char *name) {
  size_t n;
  tc_cert **certs = pump_load_certs(name, &n);
  g_assert_cmpuint(n, >=, 1);
  tc_cert *leaf = tc_cert_ref(certs[0]);
  pump_free_certs(certs, n);
  return leaf;
}

static void test_cert_pins(void) {
  struct {
    const char *file, *spki, *fpr;
  } cases[] = {
      {"server-rsa.pem", RSA_SPKI, RSA_FPR},
      {"server-self.pem", SELF_SPKI, NULL},
      {"server-ecdsa.pem", NULL, ECDSA_FPR},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    tc_cert *leaf = load_leaf(cases[i].file);
    tc_pin p;
    char text[TC_PIN_TEXT_MAX];
    if (cases[i].spki) {
      tc_cert_pin(leaf, TC_PIN_SPKI_SHA256, &p);
      tc_pin_format(&p, text);
      g_assert_cmpstr(text, ==, cases[i].spki);
    }
    if (cases[i].fpr) {
      tc_cert_pin(leaf, TC_PIN_CERT_SHA256, &p);
      tc_pin_format(&p, text);
      g_assert_cmpstr(text, ==, cases[i].fpr);
    }
    tc_cert_unref(leaf);
  }
}

static void test_parse_good(void) {
  tc_pin p, q;
  tc_error err;
  char text[TC_PIN_TEXT_MAX];
  tc_error_clear(&err);
  g_assert_cmpint(tc_pin_parse(RSA_SPKI, &p, &err), ==, TC_OK);
  g_assert_cmpint(p.type, ==, TC_PIN_SPKI_SHA256);
  tc_pin_format(&p, text);
  g_assert_cmpstr(text, ==, RSA_SPKI);

  /* Colons optional, either case: all three spellings are one pin. */
  g_assert_cmpint(tc_pin_parse(RSA_FPR, &p, &err), ==, TC_OK);
  g_assert_cmpint(p.type, ==, TC_PIN_CERT_SHA256);
  tc_pin_format(&p, text);
  g_assert_cmpstr(text, ==, RSA_FPR);
  g_assert_cmpint(tc_pin_parse("36292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676add",
                               &q, &err),
                  ==, TC_OK);
  g_assert_cmpmem(p.hash, 32, q.hash, 32);
  gchar *lower = g_ascii_strdown(RSA_FPR, -1);
  g_assert_cmpint(tc_pin_parse(lower, &q, &err), ==, TC_OK);
  g_assert_cmpmem(p.hash, 32, q.hash, 32);
  g_free(lower);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);
}

static void test_parse_bad(void) {
  static const struct {
    const char *pin, *why;
  } bad[] = {
      {"", "64 hex digits"},
      {"sha256//", "32 bytes, this one 0"},
      /* 31 bytes, 33 bytes */
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5A==", "32 bytes, this one 31"},
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DUA", "32 bytes, this one 33"},
      /* padding missing, junk, white space, non-canonical last character */
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU", "bad base64"},
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5D!=", "bad base64"},
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU= ", "bad base64"},
      {" sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU=", "unknown pin kind"},
      {"sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DV=", "bad base64"},
      {"sha384//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU=", "unknown pin kind"},
      {"SHA256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU=", "unknown pin kind"},
      /* hex: short, long, bad digit, colons in the wrong places, mixed */
      {"36292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676a", "this one has 62"},
      {"36292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676add00", "this one has 66"},
      {"36292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676adg", "not a hex digit at position 64"},
      {"3:6292de4a65cbbd6e7c3d329e2eb91b42493c3c74f3acec236238ddcd9676add", "this one has 65"},
      {"36:29:2D:E4:A6:5C:BB:D6:E7:C3:D3:29:E2:EB:91:B4:24:93:C3:C7:4F:3A:CE:C2:36:23:8D:DC:D9:67:6A:DD:",
       "this one has 96"},
      {"36:29:2D:E4:A6:5C:BB:D6:E7:C3:D3:29:E2:EB:91:B4:24:93:C3:C7:4F:3A:CE:C2:36:23:8D:DC:D9:676:A:DD",
       "expected ':' at position 90"},
      {"36 29 2D E4 A6 5C BB D6 E7 C3 D3 29 E2 EB 91 B4 24 93 C3 C7 4F 3A CE C2 36 23 8D DC D9 67 6A DD",
       "expected ':' at position 3"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    tc_pin p;
    tc_error err;
    tc_error_clear(&err);
    g_test_message("pin %zu: '%s'", i, bad[i].pin);
    g_assert_cmpint(tc_pin_parse(bad[i].pin, &p, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
    g_test_message("  -> %s", err.message);
    g_assert_nonnull(strstr(err.message, bad[i].why));
  }
}

static void test_match(void) {
  tc_cert *rsa = load_leaf("server-rsa.pem"), *self = load_leaf("server-self.pem");
  tc_pin pins[3];
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_pin_parse(SELF_SPKI, &pins[0], &err), ==, TC_OK);
  g_assert_cmpint(tc_pin_parse(ECDSA_FPR, &pins[1], &err), ==, TC_OK);
  g_assert_cmpint(tc_pin_parse(RSA_FPR, &pins[2], &err), ==, TC_OK);
  g_assert_cmpint(tc_x509_pin_match(rsa, pins, 3), ==, 2);
  g_assert_cmpint(tc_x509_pin_match(self, pins, 3), ==, 0);
  g_assert_cmpint(tc_x509_pin_match(rsa, pins, 2), ==, -1);
  g_assert_cmpint(tc_x509_pin_match(rsa, pins, 0), ==, -1);
  /* A fingerprint pin never matches a key hash with the same bytes. */
  tc_pin spki_as_fpr;
  tc_cert_pin(rsa, TC_PIN_SPKI_SHA256, &spki_as_fpr);
  spki_as_fpr.type = TC_PIN_CERT_SHA256;
  g_assert_cmpint(tc_x509_pin_match(rsa, &spki_as_fpr, 1), ==, -1);
  tc_cert_unref(rsa);
  tc_cert_unref(self);
}

static void test_base64(void) {
  /* RFC 4648 §10 test vectors, both ways. */
  static const char *vec[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                 {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                 {"foobar", "Zm9vYmFy"}};
  for (size_t i = 0; i < G_N_ELEMENTS(vec); i++) {
    char enc[16];
    uint8_t dec[8];
    size_t n = strlen(vec[i][0]);
    tc_base64_encode((const uint8_t *)vec[i][0], n, enc);
    g_assert_cmpstr(enc, ==, vec[i][1]);
    g_assert_cmpint(tc_base64_decode(vec[i][1], strlen(vec[i][1]), dec, sizeof dec), ==, (long)n);
    g_assert_cmpmem(dec, n, vec[i][0], n);
  }
  uint8_t out[8];
  g_assert_cmpint(tc_base64_decode("Zm9vYmFy", 8, out, 5), ==, -1);   /* too long for cap */
  g_assert_cmpint(tc_base64_decode("Zm9=", 4, out, sizeof out), ==, -1); /* non-canonical */
  g_assert_cmpint(tc_base64_decode("Zg", 2, out, sizeof out), ==, -1);   /* unpadded */
  g_assert_cmpint(tc_base64_decode("Z===", 4, out, sizeof out), ==, -1);
  g_assert_cmpint(tc_base64_decode("Zm 9", 4, out, sizeof out), ==, -1);
  g_assert_cmpint(tc_base64_decode("Zg==Zg==", 8, out, sizeof out), ==, -1);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pins/cert-pins", test_cert_pins);
  g_test_add_func("/pins/parse-good", test_parse_good);
  g_test_add_func("/pins/parse-bad", test_parse_bad);
  g_test_add_func("/pins/match", test_match);
  g_test_add_func("/pins/base64", test_base64);
  return g_test_run();
}
