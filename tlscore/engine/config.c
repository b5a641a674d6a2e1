/* tc_config: defaults, validated setters, reference counting, ticket secret. */
#include "engine/config_internal.h"
#include "handshake/tls12.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint16_t default_suites[] = {TC_TLS_AES_128_GCM_SHA256, TC_TLS_AES_256_GCM_SHA384,
                                          TC_TLS_CHACHA20_POLY1305_SHA256};
/* Servers also accept AES-128-CCM, last (GnuTLS enables it, OpenSSL does not;
 * clients offer it only when named). CCM_8 is never on by default. */
static const uint16_t server_default_suites[] = {
    TC_TLS_AES_128_GCM_SHA256, TC_TLS_AES_256_GCM_SHA384, TC_TLS_CHACHA20_POLY1305_SHA256,
    TC_TLS_AES_128_CCM_SHA256};
/* A client offers (and sends key shares for) the three groups every peer has;
 * a server accepts every group it implements, in the order it prefers them:
 * the fast curves first, finite-field groups last (RFC 7919 groups cost a
 * modular exponentiation per handshake). */
static const uint16_t default_groups[] = {TC_GROUP_X25519, TC_GROUP_SECP256R1,
                                          TC_GROUP_SECP384R1};
static const uint16_t server_default_groups[] = {
    TC_GROUP_X25519,    TC_GROUP_SECP256R1, TC_GROUP_SECP384R1, TC_GROUP_X448,
    TC_GROUP_SECP521R1, TC_GROUP_FFDHE2048, TC_GROUP_FFDHE3072, TC_GROUP_FFDHE4096,
    TC_GROUP_FFDHE6144, TC_GROUP_FFDHE8192};
/* Every RFC 8446 scheme but the SHA-1 ones. In TLS 1.2 the ECDSA entries
 * are hashes for any curve (sha256/384/512); SHA-1 and SHA-224 signatures
 * are refused unless a configuration names them or turns on
 * tc_config_set_legacy_signatures. */
static const uint16_t default_schemes[] = {
    TC_SIG_ECDSA_SECP256R1_SHA256, TC_SIG_ECDSA_SECP384R1_SHA384, TC_SIG_ECDSA_SECP521R1_SHA512,
    TC_SIG_ED25519,                TC_SIG_ED448,                  TC_SIG_RSA_PSS_RSAE_SHA256,
    TC_SIG_RSA_PSS_RSAE_SHA384,    TC_SIG_RSA_PSS_RSAE_SHA512,    TC_SIG_RSA_PSS_PSS_SHA256,
    TC_SIG_RSA_PSS_PSS_SHA384,     TC_SIG_RSA_PSS_PSS_SHA512,     TC_SIG_RSA_PKCS1_SHA256,
    TC_SIG_RSA_PKCS1_SHA384,       TC_SIG_RSA_PKCS1_SHA512};

/* The config's default rng: its generator (a shared source, or its own,
 * made on the first draw; two threads racing to make it keep one). Without
 * memory for a generator every draw is a getrandom call: still correct. */
static int config_rng_fn(void *ctx, uint8_t *out, size_t len) {
  tc_config *cfg = ctx;
  tc_drbg *d = atomic_load(&cfg->drbg);
  if (!d) {
    tc_drbg *fresh = tc_drbg_new();
    if (!fresh)
      return tc_random(NULL, out, len);
    tc_drbg *expected = NULL;
    if (atomic_compare_exchange_strong(&cfg->drbg, &expected, fresh)) {
      d = fresh;
    } else {
      tc_drbg_free(fresh);
      d = expected;
    }
  }
  return tc_drbg_generate(d, out, len);
}

tc_config *tc_config_new(tc_role role) {
  tc_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg)
    return NULL;
  atomic_init(&cfg->refs, 1);
  cfg->role = role;
  cfg->min_version = TC_TLS12;
  cfg->max_version = TC_TLS13;
  if (role == TC_ROLE_SERVER) {
    memcpy(cfg->suites, server_default_suites, sizeof server_default_suites);
    cfg->n_suites = sizeof server_default_suites / sizeof server_default_suites[0];
  } else {
    memcpy(cfg->suites, default_suites, sizeof default_suites);
    cfg->n_suites = sizeof default_suites / sizeof default_suites[0];
  }
  if (role == TC_ROLE_SERVER) {
    memcpy(cfg->groups, server_default_groups, sizeof server_default_groups);
    cfg->n_groups = sizeof server_default_groups / sizeof server_default_groups[0];
  } else {
    memcpy(cfg->groups, default_groups, sizeof default_groups);
    cfg->n_groups = sizeof default_groups / sizeof default_groups[0];
  }
  memcpy(cfg->schemes, default_schemes, sizeof default_schemes);
  cfg->n_schemes = sizeof default_schemes / sizeof default_schemes[0];
  cfg->verify_mode = TC_VERIFY_BUILTIN;
  cfg->client_auth = TC_CLIENT_AUTH_NONE;
  cfg->middlebox_compat = true;
  cfg->ticket_count = 2;
  cfg->ticket_lifetime = 7200;
  cfg->max_fragment = 16384;
  cfg->recv_limit = 16384;
  cfg->max_handshake_msg = 65536;
  pthread_mutex_init(&cfg->ticket_lock, NULL);
  /* Without it every peer certificate is parsed afresh: still correct. */
  cfg->cert_cache = tc_cert_cache_new();
  atomic_init(&cfg->drbg, NULL);
  for (size_t i = 0; i < TC_CFG_POOL; i++) {
    atomic_init(&cfg->conn_pool[i], NULL);
    atomic_init(&cfg->hs_pool[i], NULL);
  }
  for (size_t i = 0; i < sizeof cfg->ch_tmpl / sizeof cfg->ch_tmpl[0]; i++)
    atomic_init(&cfg->ch_tmpl[i], NULL);
  for (size_t i = 0; i < TC_CFG_SH12_EXTS; i++)
    atomic_init(&cfg->sh12_exts[i], NULL);
  cfg->rng.fn = config_rng_fn;
  cfg->rng.ctx = cfg;
  return cfg;
}

tc_config *tc_config_ref(tc_config *cfg) {
  if (cfg)
    atomic_fetch_add(&cfg->refs, 1);
  return cfg;
}

void tc_config_unref(tc_config *cfg) {
  if (!cfg || atomic_fetch_sub(&cfg->refs, 1) != 1)
    return;
  tc_conn_pool_drain(cfg);
  for (size_t i = 0; i < cfg->n_chains; i++) {
    for (size_t j = 0; j < cfg->chains[i].n; j++)
      tc_cert_unref(cfg->chains[i].certs[j]);
    free(cfg->chains[i].certs);
    tc_privkey_unref(cfg->chains[i].key);
  }
  for (size_t i = 0; i < cfg->n_alpn; i++)
    free(cfg->alpn[i]);
  if (cfg->trust)
    tc_trust_store_unref(cfg->trust);
  tc_cert_cache_free(cfg->cert_cache);
  for (size_t i = 0; i < sizeof cfg->ch_tmpl / sizeof cfg->ch_tmpl[0]; i++)
    free(atomic_load(&cfg->ch_tmpl[i])); /* public bytes only: nothing to wipe */
  for (size_t i = 0; i < TC_CFG_SH12_EXTS; i++)
    free(atomic_load(&cfg->sh12_exts[i])); /* public bytes too */
  tc_drbg_free(atomic_load(&cfg->drbg));
  tc_ticket_keys_free(cfg);
  pthread_mutex_destroy(&cfg->ticket_lock);
  free(cfg->ocsp_response);
  tc_session_cache_unref(cfg->session_cache);
  tc_cfg_psk_clear(&cfg->psk);
  tc_srp_cfg_free(&cfg->srp);
  tc_wipe(cfg, sizeof *cfg);
  free(cfg);
}

tc_role tc_config_role(const tc_config *cfg) { return cfg->role; }

int tc_config_set_versions(tc_config *cfg, uint16_t min, uint16_t max, tc_error *err) {
  if (min < TC_SSL30 || max > TC_TLS13 || min > max)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "invalid version range %04x..%04x", min,
                        max);
  cfg->min_version = min;
  cfg->max_version = max;
  return TC_OK;
}

bool tc_config_has_version(const tc_config *cfg, uint16_t v) {
  return v >= cfg->min_version && v <= cfg->max_version;
}

size_t tc_config_schemes12(const tc_config *cfg, uint16_t *out) {
  static const uint16_t legacy[] = {TC_SIG_RSA_PKCS1_SHA1, TC_SIG_ECDSA_SHA1,
                                    TC_SIG_RSA_PKCS1_SHA224, TC_SIG_ECDSA_SHA224};
  size_t n = cfg->n_schemes;
  memcpy(out, cfg->schemes, n * sizeof *out);
  for (size_t i = 0; cfg->legacy_sigs && i < sizeof legacy / sizeof legacy[0]; i++) {
    bool have = false;
    for (size_t j = 0; j < cfg->n_schemes; j++)
      have = have || cfg->schemes[j] == legacy[i];
    if (!have)
      out[n++] = legacy[i];
  }
  return n;
}

static int set_list(uint16_t *dst, size_t *n_dst, size_t cap, const uint16_t *src, size_t n,
                    const char *(*namefn)(uint16_t), bool (*ok)(uint16_t), const char *what,
                    tc_error *err) {
  if (n == 0 || n > cap)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "%s list must hold 1..%zu entries", what,
                        cap);
  for (size_t i = 0; i < n; i++) {
    if (!namefn(src[i]) || (ok && !ok(src[i])))
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "unknown or unsupported %s 0x%04x",
                          what, src[i]);
    for (size_t j = 0; j < i; j++)
      if (src[j] == src[i])
        return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "duplicate %s %s", what,
                            namefn(src[i]));
  }
  memcpy(dst, src, n * sizeof *src);
  *n_dst = n;
  return TC_OK;
}

int tc_config_set_cipher_suites(tc_config *cfg, const uint16_t *suites, size_t n, tc_error *err) {
  int r = set_list(cfg->suites, &cfg->n_suites, TC_CFG_MAX_SUITES, suites, n,
                   tc_cipher_suite_name, NULL, "cipher suite", err);
  if (r != TC_OK)
    return r;
  cfg->suites_explicit = true; /* TLS 1.2 suites come from this list now */
  /* Worked out once here, not per connection (tc12_check_credentials). */
  cfg->suites_srp = cfg->suites_psk = false;
  for (size_t i = 0; i < cfg->n_suites; i++) {
    const tc_suite12 *s = tc_suite12_find(cfg->suites[i]);
    cfg->suites_srp |= tc12_suite_is_srp(s);
    cfg->suites_psk |= tc12_suite_is_psk(s);
  }
  return TC_OK;
}

int tc_config_set_groups(tc_config *cfg, const uint16_t *groups, size_t n, tc_error *err) {
  return set_list(cfg->groups, &cfg->n_groups, TC_CFG_MAX_GROUPS, groups, n, tc_group_name,
                  NULL, "group", err);
}

int tc_config_set_sig_schemes(tc_config *cfg, const uint16_t *schemes, size_t n, tc_error *err) {
  return set_list(cfg->schemes, &cfg->n_schemes, TC_CFG_MAX_SCHEMES, schemes, n,
                  tc_sig_scheme_name, NULL, "signature scheme", err);
}

int tc_config_set_cert_compression(tc_config *cfg, const uint16_t *algs, size_t n,
                                   tc_cert_compress_fn compress,
                                   tc_cert_decompress_fn decompress, void *ctx, tc_error *err) {
  if (n == 0) {
    cfg->n_cc_algs = 0;
    cfg->cc_compress = NULL;
    cfg->cc_decompress = NULL;
    cfg->cc_ctx = NULL;
    return TC_OK;
  }
  if (!algs || n > TC_CERT_COMPRESSION_MAX_ALGS || !decompress)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "certificate compression needs 1..%d algorithms and a decompressor",
                        TC_CERT_COMPRESSION_MAX_ALGS);
  for (size_t i = 0; i < n; i++) {
    if (algs[i] == 0)
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "certificate compression algorithm 0");
    for (size_t j = 0; j < i; j++)
      if (algs[j] == algs[i])
        return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                            "duplicate certificate compression algorithm %u", algs[i]);
  }
  for (size_t i = 0; i < n; i++) {
    cfg->cc_algs[2 * i] = (uint8_t)(algs[i] >> 8);
    cfg->cc_algs[2 * i + 1] = (uint8_t)algs[i];
  }
  cfg->n_cc_algs = n;
  cfg->cc_compress = compress;
  cfg->cc_decompress = decompress;
  cfg->cc_ctx = ctx;
  return TC_OK;
}

int tc_config_add_cert_chain(tc_config *cfg, tc_cert *const *chain, size_t n, tc_privkey *key,
                             tc_error *err) {
  if (!chain || n == 0 || !key)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "a certificate chain needs a leaf and a key");
  if (cfg->n_chains == TC_CFG_MAX_CHAINS || (cfg->role == TC_ROLE_CLIENT && cfg->n_chains == 1))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "too many certificate chains");
  if (!tc_privkey_matches_cert(key, chain[0]))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "the private key does not match the leaf certificate");
  tc_cert **certs = calloc(n, sizeof *certs);
  if (!certs)
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    certs[i] = tc_cert_ref(chain[i]);
  tc_chain *c = &cfg->chains[cfg->n_chains++];
  c->certs = certs;
  c->n = n;
  c->key = tc_privkey_ref(key);
  return TC_OK;
}

void tc_config_set_trust_store(tc_config *cfg, tc_trust_store *store) {
  if (store)
    tc_trust_store_ref(store);
  if (cfg->trust)
    tc_trust_store_unref(cfg->trust);
  cfg->trust = store;
}

void tc_config_set_verify_mode(tc_config *cfg, tc_verify_mode mode) { cfg->verify_mode = mode; }
void tc_config_set_client_auth(tc_config *cfg, tc_client_auth mode) { cfg->client_auth = mode; }

int tc_config_set_alpn(tc_config *cfg, const char *const *protocols, size_t n, tc_error *err) {
  if (n > TC_CFG_MAX_ALPN)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "at most %d ALPN protocols",
                        TC_CFG_MAX_ALPN);
  char *copy[TC_CFG_MAX_ALPN] = {0};
  for (size_t i = 0; i < n; i++) {
    size_t l = protocols[i] ? strlen(protocols[i]) : 0;
    if (l == 0 || l > 255 || !(copy[i] = strdup(protocols[i]))) {
      for (size_t j = 0; j < i; j++)
        free(copy[j]);
      return tc_error_set(err, l == 0 || l > 255 ? TC_ERR_INVALID_ARGUMENT : TC_ERR_NOMEM,
                          "ALPN protocol names must be 1..255 bytes");
    }
  }
  for (size_t i = 0; i < cfg->n_alpn; i++)
    free(cfg->alpn[i]);
  memcpy(cfg->alpn, copy, sizeof copy);
  cfg->n_alpn = n;
  return TC_OK;
}

void tc_config_set_alpn_strict(tc_config *cfg, bool strict) { cfg->alpn_lax = !strict; }

void tc_config_set_middlebox_compat(tc_config *cfg, bool on) { cfg->middlebox_compat = on; }

void tc_config_set_tickets(tc_config *cfg, unsigned count, uint32_t lifetime) {
  cfg->ticket_count = count;
  if (lifetime > 604800)
    lifetime = 604800; /* RFC 8446 §4.6.1: at most seven days */
  cfg->ticket_lifetime = lifetime ? lifetime : 1;
}

void tc_config_set_early_tickets(tc_config *cfg, bool on) { cfg->early_tickets = on; }

int tc_config_set_ticket_key(tc_config *cfg, const uint8_t key[32], tc_error *err) {
  if (!key)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "ticket key missing");
  pthread_mutex_lock(&cfg->ticket_lock);
  memcpy(cfg->ticket_secret, key, 32);
  cfg->ticket_secret_set = true;
  tc_wipe(cfg->ticket_old, sizeof cfg->ticket_old);
  cfg->n_ticket_old = 0;
  pthread_mutex_unlock(&cfg->ticket_lock);
  return TC_OK;
}

int tc_config_set_ticket_keys(tc_config *cfg, const uint8_t *const *keys, const size_t *lens,
                              size_t n, tc_error *err) {
  static const char salt[] = "tlscore ticket key file";
  if (!keys || !lens || n == 0 || n > TC_TICKET_MAX_KEYS)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "1 to %d ticket keys, not %zu",
                        TC_TICKET_MAX_KEYS, n);
  uint8_t sec[TC_TICKET_MAX_KEYS][32];
  for (size_t i = 0; i < n; i++) {
    if (!keys[i] || (lens[i] != 32 && lens[i] != 48 && lens[i] != 80)) {
      tc_wipe(sec, sizeof sec);
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "ticket key %zu has %zu bytes (32, or 48 or 80 as in nginx key files)",
                          i + 1, keys[i] ? lens[i] : 0);
    }
    if (lens[i] == 32)
      memcpy(sec[i], keys[i], 32);
    else
      tc_hkdf_extract(TC_HASH_SHA256, (const uint8_t *)salt, sizeof salt - 1, keys[i], lens[i],
                      sec[i]);
  }
  pthread_mutex_lock(&cfg->ticket_lock);
  memcpy(cfg->ticket_secret, sec[0], 32);
  cfg->ticket_secret_set = true;
  tc_wipe(cfg->ticket_old, sizeof cfg->ticket_old);
  memcpy(cfg->ticket_old, sec[1], (n - 1) * 32);
  cfg->n_ticket_old = n - 1;
  pthread_mutex_unlock(&cfg->ticket_lock);
  tc_wipe(sec, sizeof sec);
  return TC_OK;
}

int tc_config_ticket_secret(tc_config *cfg, uint8_t out[32]) {
  int rc = 0;
  pthread_mutex_lock(&cfg->ticket_lock);
  if (!cfg->ticket_secret_set) {
    if (tc_random(&cfg->rng, cfg->ticket_secret, 32) == 0)
      cfg->ticket_secret_set = true;
    else
      rc = -1;
  }
  if (rc == 0)
    memcpy(out, cfg->ticket_secret, 32);
  pthread_mutex_unlock(&cfg->ticket_lock);
  return rc;
}

tc_rng_source *tc_rng_source_new(void) { return tc_drbg_new(); }
tc_rng_source *tc_rng_source_ref(tc_rng_source *src) { return tc_drbg_ref(src); }
void tc_rng_source_unref(tc_rng_source *src) { tc_drbg_free(src); }

void tc_config_set_rng(tc_config *cfg, tc_rng_fn fn, void *ctx) {
  if (!fn) {
    /* back to the config's generator */
    cfg->rng.fn = config_rng_fn;
    cfg->rng.ctx = cfg;
    return;
  }
  cfg->rng.fn = fn;
  cfg->rng.ctx = ctx;
}

void tc_config_set_rng_source(tc_config *cfg, tc_rng_source *src) {
  /* NULL: a fresh generator of the config's own, made on the next draw. */
  tc_drbg_free(atomic_exchange(&cfg->drbg, src ? tc_drbg_ref(src) : NULL));
  cfg->rng.fn = config_rng_fn;
  cfg->rng.ctx = cfg;
}

void tc_config_set_time(tc_config *cfg, tc_time_fn fn, void *ctx) {
  cfg->time_fn = fn;
  cfg->time_ctx = ctx;
}

int64_t tc_config_now(const tc_config *cfg) {
  if (cfg->time_fn)
    return cfg->time_fn(cfg->time_ctx);
  return (int64_t)time(NULL);
}

int tc_config_set_max_fragment(tc_config *cfg, size_t len, tc_error *err) {
  if (len < 64 || len > 16384)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "max fragment %zu not in 64..16384", len);
  cfg->max_fragment = len;
  return TC_OK;
}

int tc_config_set_record_size_limit(tc_config *cfg, size_t len, tc_error *err) {
  if (len < 64 || len > 16384)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "record size limit %zu not in 64..16384",
                        len);
  cfg->recv_limit = len;
  return TC_OK;
}

int tc_config_set_max_handshake_size(tc_config *cfg, size_t len, tc_error *err) {
  if (len < 1024 || len > (1u << 24) - 1)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "handshake message limit %zu not in 1024..16777215", len);
  cfg->max_handshake_msg = len;
  return TC_OK;
}

/* ---- the settings as bytes (sharing one config among equal connections) ----
 * Every item goes in with its length, so no two different settings give
 * the same bytes. Run twice: once to count, once to write. */

typedef struct {
  uint8_t *p;
  size_t n, cap;
} blob;

static void put(blob *b, const void *p, size_t len) {
  if (b->n + len <= b->cap && len)
    memcpy(b->p + b->n, p, len);
  b->n += len;
}

static void put_u32(blob *b, uint32_t v) { put(b, &v, sizeof v); }
static void put_ptr(blob *b, const void *p) { put(b, &p, sizeof p); }

static void put_bytes(blob *b, const void *p, size_t len) {
  put_u32(b, (uint32_t)len);
  put(b, p, len);
}

static void put_list(blob *b, const uint16_t *v, size_t n) {
  put_u32(b, (uint32_t)n);
  put(b, v, n * sizeof *v);
}

static void put_settings(blob *b, tc_config *cfg) {
  put_u32(b, cfg->role);
  put_u32(b, cfg->min_version);
  put_u32(b, cfg->max_version);
  put_list(b, cfg->suites, cfg->n_suites);
  put_u32(b, cfg->suites_explicit);
  put_list(b, cfg->groups, cfg->n_groups);
  put_list(b, cfg->schemes, cfg->n_schemes);
  /* Referenced objects by identity: the config holds them, so an equal
   * pointer is the same live object. Not the generator (a shared source or
   * the config's own): which one a config draws from changes nothing but
   * the random bytes, and a setter that draws (tc_config_set_srp_server)
   * makes the config's own. */
  put_u32(b, (uint32_t)cfg->n_chains);
  for (size_t i = 0; i < cfg->n_chains; i++) {
    put_u32(b, (uint32_t)cfg->chains[i].n);
    for (size_t j = 0; j < cfg->chains[i].n; j++)
      put_ptr(b, cfg->chains[i].certs[j]);
    put_ptr(b, cfg->chains[i].key);
  }
  put_ptr(b, cfg->trust);
  put_ptr(b, cfg->session_cache);
  put_u32(b, cfg->verify_mode);
  put_u32(b, cfg->client_auth);
  put_u32(b, (uint32_t)cfg->n_alpn);
  for (size_t i = 0; i < cfg->n_alpn; i++)
    put_bytes(b, cfg->alpn[i], strlen(cfg->alpn[i]));
  put_u32(b, cfg->alpn_lax);
  put_u32(b, cfg->middlebox_compat);
  put_u32(b, cfg->ticket_count);
  put_u32(b, cfg->ticket_lifetime);
  put_u32(b, cfg->early_tickets);
  put_u32(b, (uint32_t)cfg->max_fragment);
  put_u32(b, (uint32_t)cfg->recv_limit);
  put_u32(b, (uint32_t)cfg->max_handshake_msg);
  pthread_mutex_lock(&cfg->ticket_lock);
  put_u32(b, cfg->ticket_secret_set);
  if (cfg->ticket_secret_set)
    put(b, cfg->ticket_secret, sizeof cfg->ticket_secret);
  put_u32(b, (uint32_t)cfg->n_ticket_old);
  put(b, cfg->ticket_old, cfg->n_ticket_old * sizeof cfg->ticket_old[0]);
  pthread_mutex_unlock(&cfg->ticket_lock);
  put_u32(b, cfg->dh_min_bits);
  put_u32(b, cfg->dh_max_bits);
  put_u32(b, cfg->reneg);
  put_u32(b, cfg->ems_optional);
  put_u32(b, cfg->sni_ack12);
  put_u32(b, cfg->ee_groups);
  put_u32(b, cfg->legacy_sigs);
  put_u32(b, cfg->pha);
  put_bytes(b, cfg->cc_algs, 2 * cfg->n_cc_algs);
  put(b, &cfg->cc_compress, sizeof cfg->cc_compress);
  put(b, &cfg->cc_decompress, sizeof cfg->cc_decompress);
  put_u32(b, cfg->ocsp_response != NULL);
  put_bytes(b, cfg->ocsp_response, cfg->ocsp_response_len);
  put_u32(b, cfg->fallback_scsv);
  put_u32(b, cfg->psk_modes);
  put_u32(b, cfg->psk_ticket_last);
  put_u32(b, cfg->ch_fresh);
  put_u32(b, (uint32_t)cfg->psk.n);
  for (size_t i = 0; i < cfg->psk.n; i++) {
    const tc_psk_entry *e = &cfg->psk.list[i];
    put_bytes(b, e->identity, e->id_len);
    put_bytes(b, e->key, e->key_len);
    put_u32(b, e->hash);
    put_u32(b, e->import);
    put_bytes(b, e->context, e->context_len);
  }
  put_u32(b, cfg->psk.server_want);
  put_u32(b, cfg->psk.client_want);
  put_u32(b, cfg->psk.hint != NULL);
  put_bytes(b, cfg->psk.hint, cfg->psk.hint_len);
  put_u32(b, cfg->srp.user != NULL);
  put_bytes(b, cfg->srp.user, cfg->srp.user_len);
  put_bytes(b, cfg->srp.pw, cfg->srp.pw_len);
  put_u32(b, cfg->srp.client);
  put_u32(b, cfg->srp.server);
  put_u32(b, cfg->srp.min_bits);
  put_u32(b, cfg->srp.max_bits);
  put_bytes(b, cfg->srp.secret, cfg->srp.secret_len);
}

struct tc_config_key {
  size_t len;
  uint8_t bytes[];
};

tc_config_key *tc_config_key_new(tc_config *cfg) {
  /* A caller's callback context may die with the caller's object and its
   * address be reused: such a config is never equal to another. */
  if (cfg->rng.fn != config_rng_fn || cfg->rng.ctx != cfg || cfg->time_fn || cfg->cc_ctx)
    return NULL;
  blob b = {NULL, 0, 0};
  put_settings(&b, cfg);
  size_t need = b.n;
  tc_config_key *k = malloc(sizeof *k + need);
  if (!k)
    return NULL;
  k->len = need;
  b = (blob){k->bytes, 0, need};
  put_settings(&b, cfg);
  return k;
}

bool tc_config_key_equal(const tc_config_key *a, const tc_config_key *b) {
  /* The bytes hold keys: compared in constant time (their lengths are not
   * secret beyond what the settings' shape says). */
  return a && b && a->len == b->len && tc_ct_equal(a->bytes, b->bytes, a->len);
}

void tc_config_key_free(tc_config_key *k) {
  if (!k)
    return;
  tc_wipe(k, sizeof *k + k->len);
  free(k);
}
