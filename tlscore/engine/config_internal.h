/* tc_config internals shared by the engine, the handshakes and tickets. */
#ifndef TLSCORE_CONFIG_INTERNAL_H
#define TLSCORE_CONFIG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "auth/psk.h"
#include "auth/srp_groups.h"
#include "crypto/crypto.h"
#include "tlscore/config.h"

#define TC_CFG_MAX_SUITES 64 /* room for every suite of a protocol family we implement */
#define TC_CFG_MAX_GROUPS 16
#define TC_CFG_MAX_SCHEMES 32
#define TC_CFG_MAX_CHAINS 8
#define TC_CFG_MAX_ALPN 16

typedef struct tc_chain {
  tc_cert **certs;
  size_t n;
  tc_privkey *key;
} tc_chain;

/* Connection states a config keeps for reuse (engine/conn.c). */
#define TC_CFG_POOL 4
/* TLS 1.2 ServerHello extension blocks a config keeps (handshake/server12.c). */
#define TC_CFG_SH12_EXTS 8

/* Every setting below is part of tc_config_key_new (engine/config.c): add a
 * new one there too, and to test-engine's /engine/config/key. */
struct tc_config {
  atomic_int refs;
  /* engine/conn.c: connections freed while others still used the config,
   * wiped, with their buffers, for the next tc_conn_new; and zeroed
   * handshake states. A slot is taken or filled with one atomic exchange. */
  _Atomic(void *) conn_pool[TC_CFG_POOL];
  _Atomic(void *) hs_pool[TC_CFG_POOL];
  tc_role role;
  uint16_t min_version, max_version;
  uint16_t suites[TC_CFG_MAX_SUITES];
  size_t n_suites;
  uint16_t groups[TC_CFG_MAX_GROUPS];
  size_t n_groups;
  uint16_t schemes[TC_CFG_MAX_SCHEMES];
  size_t n_schemes;
  tc_chain chains[TC_CFG_MAX_CHAINS];
  size_t n_chains;
  tc_trust_store *trust;
  tc_cert_cache *cert_cache; /* peer certificates recently parsed (NULL: none) */
  tc_verify_mode verify_mode;
  tc_client_auth client_auth;
  char *alpn[TC_CFG_MAX_ALPN];
  size_t n_alpn;
  bool alpn_lax;
  bool middlebox_compat;
  unsigned ticket_count;
  uint32_t ticket_lifetime;
  bool early_tickets;
  size_t max_fragment;
  size_t recv_limit;     /* record_size_limit we advertise (plaintext, TLS 1.2 terms) */
  size_t max_handshake_msg;
  tc_rng rng;
  /* The generator behind rng when the caller set none: a shared source
   * (tc_config_set_rng_source), or the config's own, made on the first draw
   * (so a config given a source before any draw never maps one). */
  _Atomic(tc_drbg *) drbg;
  tc_time_fn time_fn;
  void *time_ctx;
  /* Ticket protection: a base secret (installed or drawn at first use);
   * per-period keys are derived from it, so rotation needs no extra state. */
  pthread_mutex_t ticket_lock;
  bool ticket_secret_set;
  uint8_t ticket_secret[32];
  /* tc_config_set_ticket_keys: further base secrets that only open tickets */
  uint8_t ticket_old[TC_TICKET_MAX_KEYS - 1][32];
  size_t n_ticket_old;
  /* auth/ticket.c: derived period keys in use, two periods per base secret
   * (under ticket_lock; `from` is the base secret each came from). */
  struct {
    bool valid;
    uint64_t period;
    uint8_t key[32], from[32];
    tc_aead *aead; /* keyed with `key` at its first use (heap, NULL before):
                    * used only under ticket_lock; cleared and freed when
                    * the entry is replaced and by tc_ticket_keys_free */
  } ticket_keys[2 * TC_TICKET_MAX_KEYS];
  /* TLS 1.2 and older (setters in handshake/tls12.c, auth/session_cache.c) */
  bool suites_explicit;      /* tc_config_set_cipher_suites was called */
  bool suites_srp, suites_psk; /* ...and its list names an SRP / a shared-key suite
                              * (tc12_check_credentials looks further only then) */
  unsigned dh_min_bits;      /* 0: 2048 */
  unsigned dh_max_bits;      /* 0: 8192 */
  tc_renegotiation reneg;
  bool ems_optional;         /* resume sessions without extended master secret */
  bool legacy_sigs;          /* TLS 1.2: SHA-1/SHA-224 signatures too */
  bool sni_ack12;            /* server: TLS 1.2 ServerHello acknowledges SNI */
  bool ee_groups;            /* server: EncryptedExtensions lists our groups */
  bool pha;                  /* client: offer post-handshake authentication */
  /* certificate compression (RFC 8879): our algorithms as wire u16s */
  uint8_t cc_algs[2 * TC_CERT_COMPRESSION_MAX_ALGS];
  size_t n_cc_algs;
  tc_cert_compress_fn cc_compress;
  tc_cert_decompress_fn cc_decompress;
  void *cc_ctx;
  uint8_t *ocsp_response;    /* stapled by a server (status_request) */
  size_t ocsp_response_len;
  tc_session_cache *session_cache;
  bool fallback_scsv;        /* client: this is a fallback retry (RFC 7507) */
  /* TLS 1.3 PSKs (handshake/psk13.c) */
  unsigned psk_modes;        /* TC_PSK_MODE_*; 0: the role's default */
  bool psk_ticket_last;      /* client: offer the ticket after the external PSKs
                              * (tests only: both orders must work) */
  tc_cfg_psk psk;            /* shared keys (auth/psk.c) */
  tc_srp_cfg srp;            /* SRP credentials and settings (auth/srp.c) */
  /* client: ClientHello templates (handshake/client13.c), one per variant
   * (TLS 1.3 offered or not, PSK credentials or not): made by the first
   * connection, immutable once published, freed with the config. */
  _Atomic(struct tc_ch_tmpl *) ch_tmpl[4];
  /* TLS 1.2 ServerHello extension blocks (handshake/server12.c), one per
   * set of extensions seen: made by the first connection that writes that
   * set, immutable once published, freed with the config. */
  _Atomic(struct tc_sh12_exts *) sh12_exts[TC_CFG_SH12_EXTS];
  bool ch_fresh;             /* tests only: no templates, every ClientHello
                              * from the full encoder (test-chello compares) */
};
typedef struct tc_ch_tmpl tc_ch_tmpl;
typedef struct tc_ch_blob tc_ch_blob;
typedef struct tc_sh12_exts tc_sh12_exts;

int64_t tc_config_now(const tc_config *cfg);
/* Free what the pools hold (engine/conn.c; the config is going away). */
void tc_conn_pool_drain(tc_config *cfg);
bool tc_config_has_version(const tc_config *cfg, uint16_t v);
/* The signature schemes usable in TLS 1.2, in preference order: the
 * configured ones, then (tc_config_set_legacy_signatures) the SHA-1 and
 * SHA-224 pairs not already listed. out holds TC_CFG_MAX_SCHEMES12. */
#define TC_CFG_MAX_SCHEMES12 (TC_CFG_MAX_SCHEMES + 4)
size_t tc_config_schemes12(const tc_config *cfg, uint16_t *out);
/* The ticket base secret, drawn from the config rng on first use. 0 or -1. */
int tc_config_ticket_secret(tc_config *cfg, uint8_t out[32]);

#endif
