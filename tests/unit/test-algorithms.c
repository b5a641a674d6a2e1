/* Groups, AEAD suites and signature schemes beyond the common set, end to end in memory (TLS 1.3 and 1.2). */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

static const char *err_msg(tc_conn *x) {
  return tc_conn_error(x)->code == TC_ERR_NONE ? "" : tc_conn_error(x)->message;
}

static void set_groups(tc_config *cfg, const uint16_t *g, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_groups(cfg, g, n, &err), ==, TC_OK);
}

static void set_schemes(tc_config *cfg, const uint16_t *s, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_sig_schemes(cfg, s, n, &err), ==, TC_OK);
}

/* Handshake, a little data both ways; the pair stays open for checks. */
static int connect_pair(tc_config *ccfg, tc_config *scfg, tc_conn **c, tc_conn **s) {
  pump_new_pair(ccfg, scfg, c, s);
  int r = pump_handshake(*c, *s);
  if (r != TC_OK) {
    g_test_message("client '%s' server '%s'", err_msg(*c), err_msg(*s));
    return r;
  }
  static const unsigned char data[3000] = {1, 2, 3};
  g_assert_true(pump_transfer(*c, *s, data, sizeof data));
  g_assert_true(pump_transfer(*s, *c, data, sizeof data));
  return r;
}

static tc_config *server13(const char *cert, const char *key) {
  tc_config *s = tc_config_new(TC_ROLE_SERVER);
  pump_add_chain(s, cert, key);
  return s;
}

static tc_config *client13(void) {
  tc_config *c = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_verify_mode(c, TC_VERIFY_NONE);
  return c;
}

static const uint16_t all_groups[] = {
    TC_GROUP_X25519,    TC_GROUP_SECP256R1, TC_GROUP_SECP384R1, TC_GROUP_X448,
    TC_GROUP_SECP521R1, TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
    TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};

/* A default server accepts every group; a client configured with one group
 * offers it and gets it, in TLS 1.3 (key_share). */
static void test_groups_tls13(void) {
  tc_config *scfg = server13("server-ecdsa.pem", "server-ecdsa-key.pem");
  for (size_t i = 0; i < G_N_ELEMENTS(all_groups); i++) {
    g_test_message("TLS 1.3 %s", tc_group_name(all_groups[i]));
    tc_config *ccfg = client13();
    set_groups(ccfg, &all_groups[i], 1);
    tc_conn *c, *s;
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS13);
    g_assert_cmpuint(tc_conn_group(c), ==, all_groups[i]);
    g_assert_cmpuint(tc_conn_group(s), ==, all_groups[i]);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
  }
  tc_config_unref(scfg);
}

/* The client offers x25519, P-256 and P-384 only unless configured: a server
 * limited to x448 (or P-521, or ffdhe2048) has nothing in common with it. */
static void test_client_default_groups(void) {
  static const uint16_t extra[] = {TC_GROUP_X448, TC_GROUP_SECP521R1, TC_GROUP_FFDHE2048};
  for (size_t i = 0; i < G_N_ELEMENTS(extra); i++) {
    tc_config *scfg = server13("server-ecdsa.pem", "server-ecdsa-key.pem");
    set_groups(scfg, &extra[i], 1);
    tc_config *ccfg = client13();
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS13, TC_TLS13, &err), ==, TC_OK);
    tc_conn *c, *s;
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
    g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
    tc_conn_free(c);
    tc_conn_free(s);
    /* ... and the same client with the group added gets it, after a
     * HelloRetryRequest since its first share is x25519 */
    const uint16_t both[] = {TC_GROUP_X25519, extra[i]};
    set_groups(ccfg, both, 2);
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_group(c), ==, extra[i]);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* TLS 1.2 ECDHE over x448 and P-521, with RSA and ECDSA certificates. */
static void test_ecdhe_tls12(void) {
  static const uint16_t curves[] = {TC_GROUP_X448, TC_GROUP_SECP521R1, TC_GROUP_X25519};
  static const uint16_t suites[] = {0xC02F /* ECDHE_RSA_AES_128_GCM */,
                                    0xC02C /* ECDHE_ECDSA_AES_256_GCM */};
  for (size_t i = 0; i < G_N_ELEMENTS(curves); i++)
    for (size_t j = 0; j < G_N_ELEMENTS(suites); j++) {
      tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
      tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suites[j], 1);
      set_groups(ccfg, &curves[i], 1);
      tc_conn *c, *s;
      g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
      g_assert_cmpuint(tc_conn_version(c), ==, TC_TLS12);
      g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suites[j]);
      g_assert_cmpuint(tc_conn_group(c), ==, curves[i]);
      g_assert_cmpuint(tc_conn_group(s), ==, curves[i]);
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
      tc_config_unref(scfg);
    }
}

/* TLS 1.2 DHE with RFC 7919 negotiation: the server takes the ffdhe group the
 * client lists; without a common one it picks no DHE suite. */
static void test_ffdhe_tls12(void) {
  static const uint16_t suite = 0x009E; /* DHE_RSA_AES_128_GCM_SHA256 */
  static const uint16_t ff[] = {TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
                                TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
  tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  for (size_t i = 0; i < G_N_ELEMENTS(ff); i++) {
    tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
    const uint16_t g[] = {TC_GROUP_X25519, ff[i]};
    set_groups(ccfg, g, 2);
    tc_conn *c, *s;
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suite);
    /* both ends know the group: the server chose it, the client recognised p */
    g_assert_cmpuint(tc_conn_group(s), ==, ff[i]);
    g_assert_cmpuint(tc_conn_group(c), ==, ff[i]);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
  }
  tc_config_unref(scfg);

  /* a server limited to ffdhe3072 and a client listing only ffdhe4096: no DHE */
  scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
  const uint16_t sg[] = {TC_GROUP_X25519, TC_GROUP_FFDHE3072};
  set_groups(scfg, sg, 2);
  tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
  const uint16_t cg[] = {TC_GROUP_X25519, TC_GROUP_FFDHE4096};
  set_groups(ccfg, cg, 2);
  tc_conn *c, *s;
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
  /* RFC 7919 §4: no acceptable FFDHE group and nothing else left */
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INSUFFICIENT_SECURITY);
  tc_conn_free(c);
  tc_conn_free(s);
  /* a client that lists no ffdhe group gets ffdhe2048 (RFC 7919 §4) even
   * from that server: it accepts any group */
  const uint16_t only_ec[] = {TC_GROUP_X25519};
  set_groups(ccfg, only_ec, 1);
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_group(c), ==, TC_GROUP_FFDHE2048);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

static void set_suites(tc_config *cfg, const uint16_t *v, size_t n) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_cipher_suites(cfg, v, n, &err), ==, TC_OK);
}

/* TLS 1.3 AES-CCM: a default server takes AES-128-CCM from a client that
 * names it; CCM_8 needs naming on both sides; a default client offers neither. */
static void test_ccm_tls13(void) {
  static const uint16_t ccm = TC_TLS_AES_128_CCM_SHA256, ccm8 = TC_TLS_AES_128_CCM_8_SHA256;
  tc_config *scfg = server13("server-ecdsa.pem", "server-ecdsa-key.pem");
  tc_config *ccfg = client13();
  set_suites(ccfg, &ccm, 1);
  tc_conn *c, *s;
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, ccm);
  g_assert_cmpuint(tc_conn_cipher_suite(s), ==, ccm);
  static unsigned char big[70000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (unsigned char)(i * 13);
  g_assert_true(pump_transfer(c, s, big, sizeof big));
  g_assert_true(pump_transfer(s, c, big, sizeof big));
  tc_conn_free(c);
  tc_conn_free(s);

  set_suites(ccfg, &ccm8, 1);
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
  tc_conn_free(c);
  tc_conn_free(s);
  const uint16_t both[] = {TC_TLS_AES_128_GCM_SHA256, ccm8};
  set_suites(scfg, both, 2);
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_cipher_suite(c), ==, ccm8);
  g_assert_true(pump_transfer(c, s, big, sizeof big));
  g_assert_true(pump_transfer(s, c, big, sizeof big));
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);

  /* a default client against a CCM-only server: nothing in common */
  set_suites(scfg, &ccm, 1);
  ccfg = client13();
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_versions(ccfg, TC_TLS13, TC_TLS13, &err), ==, TC_OK);
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* TLS 1.2 AES-CCM suites: a default server accepts the 16-byte-tag ones, a
 * CCM_8 suite only when the server names it; a default client offers none. */
static void test_ccm_tls12(void) {
  static const struct {
    uint16_t suite;
    bool server_default;
  } cases[] = {
      {0xC0AC, true},  /* ECDHE_ECDSA_WITH_AES_128_CCM */
      {0xC0AD, true},  /* ECDHE_ECDSA_WITH_AES_256_CCM */
      {0xC0AE, false}, /* ECDHE_ECDSA_WITH_AES_128_CCM_8 */
      {0xC0AF, false}, /* ECDHE_ECDSA_WITH_AES_256_CCM_8 */
      {0xC09E, true},  /* DHE_RSA_WITH_AES_128_CCM */
      {0xC09F, true},  /* DHE_RSA_WITH_AES_256_CCM */
      {0xC0A2, false}, /* DHE_RSA_WITH_AES_128_CCM_8 */
      {0xC09C, true},  /* RSA_WITH_AES_128_CCM */
      {0xC0A1, false}, /* RSA_WITH_AES_256_CCM_8 */
  };
  static unsigned char big[40000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (unsigned char)(i * 5);
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    uint16_t suite = cases[i].suite;
    g_test_message("TLS 1.2 %s", tc_cipher_suite_name(suite));
    g_assert_nonnull(tc_cipher_suite_name(suite));
    g_assert_cmpuint(tc_cipher_suite_from_name(tc_cipher_suite_name(suite)), ==, suite);
    tc_config *scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, NULL, 0);
    tc_config *ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, &suite, 1);
    tc_conn *c, *s;
    int r = connect_pair(ccfg, scfg, &c, &s);
    g_assert_cmpint(r, ==, cases[i].server_default ? TC_OK : TC_FAIL);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(scfg);
    scfg = pump_server_cfg12(TC_TLS12, TC_TLS13, &suite, 1);
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
    g_assert_cmpuint(tc_conn_cipher_suite(c), ==, suite);
    g_assert_cmpuint(tc_conn_cipher_suite(s), ==, suite);
    g_assert_true(pump_transfer(c, s, big, sizeof big));
    g_assert_true(pump_transfer(s, c, big, sizeof big));
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    /* a default TLS 1.2 client does not offer it */
    ccfg = pump_client_cfg12(TC_TLS12, TC_TLS12, NULL, 0);
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* A client that checks the chain against `ca` (every signature in it) and
 * accepts only the given schemes (all defaults when n == 0). */
static tc_config *verifying_client(const char *ca, uint16_t min, uint16_t max,
                                   const uint16_t *schemes, size_t n) {
  tc_config *c = tc_config_new(TC_ROLE_CLIENT);
  tc_trust_store *t = pump_load_trust(ca);
  tc_config_set_trust_store(c, t);
  tc_trust_store_unref(t);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_versions(c, min, max, &err), ==, TC_OK);
  if (n)
    set_schemes(c, schemes, n);
  return c;
}

typedef struct {
  const char *cert, *key, *ca;
  uint16_t scheme;     /* what the server signs with by default */
  uint16_t suite12;    /* a TLS 1.2 suite that takes this key */
  uint16_t scheme12;   /* TLS 1.2 ECDSA schemes name a hash only: the first one we prefer */
} cert_case;

static const cert_case cert_cases[] = {
    {"server-p521.pem", "server-p521-key.pem", "ca-p521.pem", TC_SIG_ECDSA_SECP521R1_SHA512,
     0xC02C /* ECDHE_ECDSA_AES_256_GCM */, TC_SIG_ECDSA_SECP256R1_SHA256},
    {"server-ed448.pem", "server-ed448-key.pem", "ca-ed448.pem", TC_SIG_ED448, 0xC02B,
     TC_SIG_ED448},
    {"server-rsapss.pem", "server-rsapss-key.pem", "ca-rsa.pem", TC_SIG_RSA_PSS_PSS_SHA256,
     0xC02F /* ECDHE_RSA_AES_128_GCM */, TC_SIG_RSA_PSS_PSS_SHA256},
    {"server-rsapss-params.pem", "server-rsapss-params-key.pem", "ca-rsapss.pem",
     TC_SIG_RSA_PSS_PSS_SHA256, 0xC030, TC_SIG_RSA_PSS_PSS_SHA256},
};

/* P-521, Ed448 and id-RSASSA-PSS certificates, in TLS 1.3 (CertificateVerify)
 * and TLS 1.2 (ServerKeyExchange), with every chain signature checked
 * (ecdsa-with-SHA512, Ed448, RSASSA-PSS with parameters). */
static void test_cert_schemes(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cert_cases); i++) {
    const cert_case *k = &cert_cases[i];
    for (uint16_t v = TC_TLS12; v <= TC_TLS13; v++) {
      g_test_message("%s %s", k->cert, tc_version_name(v));
      tc_config *scfg = server13(k->cert, k->key);
      tc_config *ccfg = verifying_client(k->ca, v, v, NULL, 0);
      tc_conn *c, *s;
      g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
      g_assert_cmpuint(tc_conn_version(c), ==, v);
      g_assert_cmpuint(tc_conn_peer_cert_flags(c), ==, 0);
      g_assert_cmpuint(tc_conn_sig_scheme(c), ==, v == TC_TLS13 ? k->scheme : k->scheme12);
      if (v == TC_TLS12)
        g_assert_cmpuint(tc_conn_cipher_suite(c) >> 8, ==, 0xC0); /* an (EC)DHE suite */
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
      /* the suite named alone, so its kind of key is what serves it */
      if (v == TC_TLS12) {
        ccfg = verifying_client(k->ca, v, v, NULL, 0);
        set_suites(ccfg, &k->suite12, 1);
        g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
        g_assert_cmpuint(tc_conn_cipher_suite(c), ==, k->suite12);
        tc_conn_free(c);
        tc_conn_free(s);
        tc_config_unref(ccfg);
      }
      tc_config_unref(scfg);
    }
  }
  /* the wrong anchor fails: the chain signature is really checked */
  tc_config *scfg = server13("server-p521.pem", "server-p521-key.pem");
  tc_config *ccfg = verifying_client("ca-ecdsa.pem", TC_TLS12, TC_TLS13, NULL, 0);
  tc_conn *c, *s;
  g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_UNKNOWN_CA);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* TLS 1.2: any ECDSA hash the client allows, with any curve (the scheme names
 * a hash there, not a curve); TLS 1.3 binds the curve. SHA-1 stays refused. */
static void test_ecdsa_hashes_tls12(void) {
  static const uint16_t only[] = {TC_SIG_ECDSA_SECP256R1_SHA256, TC_SIG_ECDSA_SECP384R1_SHA384,
                                  TC_SIG_ECDSA_SECP521R1_SHA512};
  static const char *const keys[][2] = {{"server-ecdsa.pem", "server-ecdsa-key.pem"},
                                        {"server-p384.pem", "server-p384-key.pem"},
                                        {"server-p521.pem", "server-p521-key.pem"}};
  for (size_t ki = 0; ki < G_N_ELEMENTS(keys); ki++) {
    tc_config *scfg = server13(keys[ki][0], keys[ki][1]);
    for (size_t si = 0; si < G_N_ELEMENTS(only); si++) {
      tc_config *ccfg = verifying_client(ki == 2 ? "ca-p521.pem" : "ca-ecdsa.pem", TC_TLS12,
                                         TC_TLS12, &only[si], 1);
      tc_conn *c, *s;
      g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
      g_assert_cmpuint(tc_conn_sig_scheme(c), ==, only[si]);
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
      /* TLS 1.3: only the scheme of the key's own curve */
      ccfg = verifying_client(ki == 2 ? "ca-p521.pem" : "ca-ecdsa.pem", TC_TLS13, TC_TLS13,
                              &only[si], 1);
      g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, si == ki ? TC_OK : TC_FAIL);
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
    }
    /* a client that allows only ecdsa_sha1: a default server refuses */
    static const uint16_t sha1 = TC_SIG_ECDSA_SHA1;
    tc_config *ccfg = verifying_client(ki == 2 ? "ca-p521.pem" : "ca-ecdsa.pem", TC_TLS12,
                                       TC_TLS12, &sha1, 1);
    tc_conn *c, *s;
    g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_FAIL);
    g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_HANDSHAKE_FAILURE);
    tc_conn_free(c);
    tc_conn_free(s);
    tc_config_unref(ccfg);
    tc_config_unref(scfg);
  }
}

/* Client certificates with these keys: the server checks CertificateVerify
 * (TLS 1.3 and 1.2). */
static void test_client_cert_schemes(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(cert_cases); i++) {
    const cert_case *k = &cert_cases[i];
    for (uint16_t v = TC_TLS12; v <= TC_TLS13; v++) {
      g_test_message("client %s %s", k->cert, tc_version_name(v));
      tc_config *scfg = server13("server-ecdsa.pem", "server-ecdsa-key.pem");
      tc_config_set_client_auth(scfg, TC_CLIENT_AUTH_REQUIRE);
      tc_config_set_verify_mode(scfg, TC_VERIFY_NONE);
      tc_config *ccfg = verifying_client("ca-ecdsa.pem", v, v, NULL, 0);
      pump_add_chain(ccfg, k->cert, k->key);
      tc_conn *c, *s;
      g_assert_cmpint(connect_pair(ccfg, scfg, &c, &s), ==, TC_OK);
      tc_cert *const *pc = NULL;
      g_assert_cmpuint(tc_conn_peer_chain(s, &pc), ==, 1);
      g_assert_cmpuint(tc_conn_sig_scheme(s), ==, v == TC_TLS13 ? k->scheme : k->scheme12);
      tc_conn_free(c);
      tc_conn_free(s);
      tc_config_unref(ccfg);
      tc_config_unref(scfg);
    }
  }
}

/* An id-RSASSA-PSS private key signs with PSS only, refuses RSA key
 * transport, and stays a PSS key through PKCS#8 export. */
static void test_pss_key(void) {
  tc_privkey *k = pump_load_key("server-rsapss-params-key.pem");
  g_assert_cmpint(tc_privkey_type(k), ==, TC_PK_RSA_PSS);
  g_assert_cmpint(tc_pubkey_type(tc_privkey_pubkey(k)), ==, TC_PK_RSA_PSS);
  uint8_t sig[512];
  size_t sl = sizeof sig;
  static const uint8_t msg[] = "message";
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PKCS1, TC_HASH_SHA256, NULL, msg, sizeof msg, sig,
                             &sl), ==, -1);
  sl = sizeof sig;
  g_assert_cmpint(tc_pk_sign(k, TC_SIGALG_RSA_PSS, TC_HASH_SHA256, NULL, msg, sizeof msg, sig,
                             &sl), ==, 0);
  g_assert_cmpint(tc_pk_verify(tc_privkey_pubkey(k), TC_SIGALG_RSA_PSS, TC_HASH_SHA256, msg,
                               sizeof msg, sig, sl), ==, 0);
  uint8_t pms[48];
  g_assert_cmpint(tc_rsa_decrypt_premaster(k, NULL, sig, sl, pms, sizeof pms), !=, 0);
  g_assert_false(tc_pubkey_fits_scheme(tc_privkey_pubkey(k), TC_SIG_RSA_PSS_RSAE_SHA256));
  g_assert_true(tc_pubkey_fits_scheme(tc_privkey_pubkey(k), TC_SIG_RSA_PSS_PSS_SHA256));
  uint8_t *der = NULL;
  size_t dl = 0;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_privkey_to_pkcs8(k, &der, &dl, &err), ==, TC_OK);
  tc_privkey *k2 = tc_privkey_parse(der, dl, NULL, &err);
  g_assert_nonnull(k2);
  g_assert_cmpint(tc_privkey_type(k2), ==, TC_PK_RSA_PSS);
  g_assert_true(tc_pubkey_equal(tc_privkey_pubkey(k), tc_privkey_pubkey(k2)));
  free(der);
  tc_privkey_unref(k2);
  tc_privkey_unref(k);
}

static void test_names(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(all_groups); i++) {
    const char *n = tc_group_name(all_groups[i]);
    g_assert_nonnull(n);
    g_assert_cmpuint(tc_group_from_name(n), ==, all_groups[i]);
  }
  g_assert_cmpuint(tc_group_from_name("x448"), ==, TC_GROUP_X448);
  g_assert_cmpuint(tc_group_from_name("secp521r1"), ==, TC_GROUP_SECP521R1);
  g_assert_cmpuint(tc_group_from_name("ffdhe8192"), ==, TC_GROUP_FFDHE8192);
  g_assert_cmpuint(tc_group_from_name("X448"), ==, 0);
  g_assert_cmpuint(tc_sig_scheme_from_name("ed448"), ==, TC_SIG_ED448);
  g_assert_cmpuint(tc_sig_scheme_from_name("ecdsa_secp521r1_sha512"), ==,
                   TC_SIG_ECDSA_SECP521R1_SHA512);
  g_assert_cmpuint(tc_sig_scheme_from_name("rsa_pss_pss_sha384"), ==, TC_SIG_RSA_PSS_PSS_SHA384);
  g_assert_cmpuint(tc_sig_scheme_from_name("nope"), ==, 0);
  g_assert_cmpuint(tc_sig_scheme_from_name(NULL), ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/algorithms/names", test_names);
  g_test_add_func("/algorithms/groups/tls13", test_groups_tls13);
  g_test_add_func("/algorithms/groups/client-defaults", test_client_default_groups);
  g_test_add_func("/algorithms/groups/ecdhe-tls12", test_ecdhe_tls12);
  g_test_add_func("/algorithms/groups/ffdhe-tls12", test_ffdhe_tls12);
  g_test_add_func("/algorithms/ccm/tls13", test_ccm_tls13);
  g_test_add_func("/algorithms/ccm/tls12", test_ccm_tls12);
  g_test_add_func("/algorithms/schemes/certs", test_cert_schemes);
  g_test_add_func("/algorithms/schemes/ecdsa-hashes-tls12", test_ecdsa_hashes_tls12);
  g_test_add_func("/algorithms/schemes/client-certs", test_client_cert_schemes);
  g_test_add_func("/algorithms/schemes/pss-key", test_pss_key);
  return g_test_run();
}
