/* IANA names of versions, cipher suites, groups and signature schemes. */
#include "tlscore/config.h"

#include "record/suites12.h"

#include <string.h>

typedef struct {
  uint16_t id;
  const char *name;
} named;

static const named suites[] = {
    {TC_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"},
    {TC_TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"},
    {TC_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256"},
    {TC_TLS_AES_128_CCM_SHA256, "TLS_AES_128_CCM_SHA256"},
    {TC_TLS_AES_128_CCM_8_SHA256, "TLS_AES_128_CCM_8_SHA256"},
};
static const named versions[] = {
    {TC_TLS13, "TLSv1.3"}, {TC_TLS12, "TLSv1.2"}, {TC_TLS11, "TLSv1.1"},
    {TC_TLS10, "TLSv1.0"}, {TC_SSL30, "SSLv3"},
};
static const named groups[] = {
    {TC_GROUP_X25519, "x25519"},       {TC_GROUP_SECP256R1, "secp256r1"},
    {TC_GROUP_SECP384R1, "secp384r1"}, {TC_GROUP_SECP521R1, "secp521r1"},
    {TC_GROUP_X448, "x448"},           {TC_GROUP_FFDHE2048, "ffdhe2048"},
    {TC_GROUP_FFDHE3072, "ffdhe3072"}, {TC_GROUP_FFDHE4096, "ffdhe4096"},
    {TC_GROUP_FFDHE6144, "ffdhe6144"}, {TC_GROUP_FFDHE8192, "ffdhe8192"},
};
static const named schemes[] = {
    {TC_SIG_RSA_PKCS1_SHA1, "rsa_pkcs1_sha1"},
    {TC_SIG_ECDSA_SHA1, "ecdsa_sha1"},
    {TC_SIG_RSA_PKCS1_SHA224, "rsa_pkcs1_sha224"},
    {TC_SIG_ECDSA_SHA224, "ecdsa_sha224"},
    {TC_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256"},
    {TC_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384"},
    {TC_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512"},
    {TC_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256"},
    {TC_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384"},
    {TC_SIG_ECDSA_SECP521R1_SHA512, "ecdsa_secp521r1_sha512"},
    {TC_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256"},
    {TC_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384"},
    {TC_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512"},
    {TC_SIG_ED25519, "ed25519"},
    {TC_SIG_ED448, "ed448"},
    {TC_SIG_RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256"},
    {TC_SIG_RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384"},
    {TC_SIG_RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512"},
};

#define LOOKUP(table, key)                                                                      \
  do {                                                                                         \
    for (size_t i_ = 0; i_ < sizeof table / sizeof table[0]; i_++)                             \
      if (table[i_].id == (key))                                                                \
        return table[i_].name;                                                                 \
    return NULL;                                                                               \
  } while (0)

#define RLOOKUP(table, nm)                                                                     \
  do {                                                                                         \
    if (!(nm))                                                                                 \
      return 0;                                                                                \
    for (size_t i_ = 0; i_ < sizeof table / sizeof table[0]; i_++)                             \
      if (strcmp(table[i_].name, (nm)) == 0)                                                   \
        return table[i_].id;                                                                   \
    return 0;                                                                                  \
  } while (0)

static const char *suite13_name(uint16_t suite) { LOOKUP(suites, suite); }
static uint16_t suite13_from_name(const char *name) { RLOOKUP(suites, name); }

/* TLS 1.3 suites here; TLS 1.2-and-older ones from the record layer's table. */
const char *tc_cipher_suite_name(uint16_t suite) {
  const char *n = suite13_name(suite);
  if (n)
    return n;
  const tc_suite12 *s = tc_suite12_find(suite);
  return s ? s->name : NULL;
}

uint16_t tc_cipher_suite_from_name(const char *name) {
  uint16_t id = suite13_from_name(name);
  if (id || !name)
    return id;
  const tc_suite12 *s = tc_suite12_by_name(name);
  return s ? s->id : 0;
}
const char *tc_version_name(uint16_t version) { LOOKUP(versions, version); }
const char *tc_group_name(uint16_t group) { LOOKUP(groups, group); }
const char *tc_sig_scheme_name(uint16_t scheme) { LOOKUP(schemes, scheme); }
uint16_t tc_group_from_name(const char *name) { RLOOKUP(groups, name); }
uint16_t tc_sig_scheme_from_name(const char *name) { RLOOKUP(schemes, name); }
