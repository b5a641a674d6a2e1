/* tlscore configuration: immutable-after-setup, shared by many connections. */
#ifndef TLSCORE_CONFIG_H
#define TLSCORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tlscore/errors.h"
#include "tlscore/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Wire version numbers. */
#define TC_SSL30 0x0300
#define TC_TLS10 0x0301
#define TC_TLS11 0x0302
#define TC_TLS12 0x0303
#define TC_TLS13 0x0304

/* Cipher suites (IANA values). */
#define TC_TLS_AES_128_GCM_SHA256 0x1301
#define TC_TLS_AES_256_GCM_SHA384 0x1302
#define TC_TLS_CHACHA20_POLY1305_SHA256 0x1303
/* AES-CCM (RFC 8446 B.4): a default server accepts AES-128-CCM after the
 * others (as GnuTLS does), a default client does not offer it (as OpenSSL
 * does not); CCM_8's 8-byte tag is off in both roles unless named. */
#define TC_TLS_AES_128_CCM_SHA256 0x1304
#define TC_TLS_AES_128_CCM_8_SHA256 0x1305

/* Named groups (IANA values). */
#define TC_GROUP_SECP256R1 0x0017
#define TC_GROUP_SECP384R1 0x0018
#define TC_GROUP_SECP521R1 0x0019
#define TC_GROUP_X25519 0x001d
#define TC_GROUP_X448 0x001e
#define TC_GROUP_FFDHE2048 0x0100
#define TC_GROUP_FFDHE3072 0x0101
#define TC_GROUP_FFDHE4096 0x0102
#define TC_GROUP_FFDHE6144 0x0103
#define TC_GROUP_FFDHE8192 0x0104

/* Signature schemes (IANA values). */
#define TC_SIG_RSA_PKCS1_SHA1 0x0201
#define TC_SIG_ECDSA_SHA1 0x0203
/* TLS 1.2 (hash, signature) pairs with SHA-224; no TLS 1.3 name. */
#define TC_SIG_RSA_PKCS1_SHA224 0x0301
#define TC_SIG_ECDSA_SHA224 0x0303
#define TC_SIG_RSA_PKCS1_SHA256 0x0401
#define TC_SIG_RSA_PKCS1_SHA384 0x0501
#define TC_SIG_RSA_PKCS1_SHA512 0x0601
#define TC_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define TC_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define TC_SIG_ECDSA_SECP521R1_SHA512 0x0603
#define TC_SIG_RSA_PSS_RSAE_SHA256 0x0804
#define TC_SIG_RSA_PSS_RSAE_SHA384 0x0805
#define TC_SIG_RSA_PSS_RSAE_SHA512 0x0806
#define TC_SIG_ED25519 0x0807
#define TC_SIG_ED448 0x0808
#define TC_SIG_RSA_PSS_PSS_SHA256 0x0809
#define TC_SIG_RSA_PSS_PSS_SHA384 0x080a
#define TC_SIG_RSA_PSS_PSS_SHA512 0x080b

typedef enum { TC_ROLE_CLIENT = 0, TC_ROLE_SERVER = 1 } tc_role;

/* How a server asks for client certificates. */
typedef enum {
  TC_CLIENT_AUTH_NONE = 0,
  TC_CLIENT_AUTH_REQUEST,   /* ask; an empty answer is fine */
  TC_CLIENT_AUTH_REQUIRE    /* ask; an empty answer fails with certificate_required */
} tc_client_auth;

/* How the peer's certificate chain is judged.
 * TC_VERIFY_BUILTIN: the engine validates against the config's trust store
 *   (tc_config_set_trust_store) and, for a client, the server name.
 * TC_VERIFY_CALLER: the engine pauses with TC_WANT_VERIFY_PEER and the caller
 *   answers with tc_conn_answer_verify() (the GIO layer uses this).
 * TC_VERIFY_NONE: accept any chain (the signature in CertificateVerify is still
 *   checked against the leaf key). Insecure; for tests and tools only. */
typedef enum { TC_VERIFY_BUILTIN = 0, TC_VERIFY_CALLER, TC_VERIFY_NONE } tc_verify_mode;

/* Randomness source: fill `out` with `len` bytes; return 0 on success.
 * By default each tc_config draws from its own tc_rng_source. Tests inject
 * fixed bytes. */
typedef int (*tc_rng_fn)(void *ctx, uint8_t *out, size_t len);

/* A userspace generator (ChaCha20 with fast key erasure, via nettle), seeded
 * and regularly reseeded from getrandom, reseeded in a forked child, and
 * thread-safe; reference counted. Every tc_config makes its own on its first
 * draw; a program that makes many configurations can share one with
 * tc_config_set_rng_source() (tlscore itself keeps no global state). */
typedef struct tc_drbg tc_rng_source;
tc_rng_source *tc_rng_source_new(void);
tc_rng_source *tc_rng_source_ref(tc_rng_source *src);
void tc_rng_source_unref(tc_rng_source *src);

/* Clock: seconds since the Unix epoch. The default reads time(). */
typedef int64_t (*tc_time_fn)(void *ctx);

typedef struct tc_config tc_config;

/* New configuration with secure defaults: TLS 1.2-1.3, all TLS 1.3 suites
 * (AES-128-GCM first; a server also accepts AES-128-CCM), the RFC 8446 signature schemes, builtin verification,
 * no client auth, middlebox compatibility on. Groups: a client offers X25519,
 * P-256 and P-384; a server accepts those, then X448, P-521 and ffdhe2048 to
 * ffdhe8192 (TLS 1.3 key shares, TLS 1.2 ECDHE and RFC 7919 DHE). */
tc_config *tc_config_new(tc_role role);

/* Reference counting; a config is read-only once a connection uses it and may
 * be shared by connections in several threads. */
tc_config *tc_config_ref(tc_config *cfg);
void tc_config_unref(tc_config *cfg);

tc_role tc_config_role(const tc_config *cfg);

/* A key made of everything set on cfg, for callers that let connections
 * with identical settings share one config (and so its pools of connection
 * state and its cache of parsed peer certificates): equal keys mean equal
 * settings. Objects the config holds a reference to (certificates, keys,
 * trust store, session cache) count by identity, values and secrets by
 * content; the generator it draws from (tc_config_set_rng_source) does not
 * count. Make it before the config is used: state the config makes for
 * itself later (a drawn ticket secret) is not a setting. NULL when out of
 * memory, or when the config must not be shared because it holds a
 * caller's callback context it does not own (tc_config_set_rng with a
 * function, tc_config_set_time). The key holds secrets: equal compares in
 * constant time, free wipes. */
typedef struct tc_config_key tc_config_key;
tc_config_key *tc_config_key_new(tc_config *cfg);
bool tc_config_key_equal(const tc_config_key *a, const tc_config_key *b);
void tc_config_key_free(tc_config_key *key);

/* Protocol versions, inclusive bounds (TC_SSL30..TC_TLS13). */
int tc_config_set_versions(tc_config *cfg, uint16_t min, uint16_t max, tc_error *err);

/* Ordered preference lists; unknown values fail with a message naming them. */
int tc_config_set_cipher_suites(tc_config *cfg, const uint16_t *suites, size_t n, tc_error *err);
int tc_config_set_groups(tc_config *cfg, const uint16_t *groups, size_t n, tc_error *err);
int tc_config_set_sig_schemes(tc_config *cfg, const uint16_t *schemes, size_t n, tc_error *err);

/* Certificate chain (leaf first) and its private key. A server may add
 * several (e.g. RSA and ECDSA); the handshake picks one the peer accepts.
 * A client sets at most one, used when the server asks. The config takes
 * its own references. Fails if the key does not match the leaf. */
int tc_config_add_cert_chain(tc_config *cfg, tc_cert *const *chain, size_t n,
                             tc_privkey *key, tc_error *err);

/* Anchors for TC_VERIFY_BUILTIN. The config takes a reference. */
void tc_config_set_trust_store(tc_config *cfg, tc_trust_store *store);
void tc_config_set_verify_mode(tc_config *cfg, tc_verify_mode mode);

/* Server: ask for client certificates. */
void tc_config_set_client_auth(tc_config *cfg, tc_client_auth mode);

/* ALPN protocols in preference order (each 1..255 bytes). */
int tc_config_set_alpn(tc_config *cfg, const char *const *protocols, size_t n, tc_error *err);

/* Server: what to do when client and server both list ALPN protocols but
 * share none. Strict (default, RFC 7301): fail with no_application_protocol.
 * Not strict: continue without ALPN (what GIO backends do). */
void tc_config_set_alpn_strict(tc_config *cfg, bool strict);

/* TLS 1.3 middlebox compatibility mode (RFC 8446 D.4). On by default. */
void tc_config_set_middlebox_compat(tc_config *cfg, bool on);

/* Server: number of NewSessionTickets to send after a TLS 1.3 handshake
 * (default 2; 0 disables tickets) and their lifetime in seconds (default 7200).
 * Ticket protection keys are generated at first use and rotated every
 * lifetime; tc_config_set_ticket_key() installs a shared 32-byte secret so
 * several servers accept each other's tickets. */
void tc_config_set_tickets(tc_config *cfg, unsigned count, uint32_t lifetime);
int tc_config_set_ticket_key(tc_config *cfg, const uint8_t key[32], tc_error *err);
/* Ticket keys for a group of servers, rotated the way nginx's
 * ssl_session_ticket_key does it: keys[0] seals new tickets, every key
 * opens them (so a key rolled out to all servers first as a second key, then
 * promoted, never breaks resumption). Each key is 32 bytes (a base secret
 * as for tc_config_set_ticket_key) or 48 or 80 bytes (the content of an
 * nginx ticket key file, which is hashed into a base secret; the ticket
 * format stays ours). 1..TC_TICKET_MAX_KEYS keys; replaces the keys and
 * secret set before. The error names a key of the wrong size. */
#define TC_TICKET_MAX_KEYS 8
int tc_config_set_ticket_keys(tc_config *cfg, const uint8_t *const *keys, const size_t *lens,
                              size_t n, tc_error *err);
/* A ticket key file's content (the caller reads the file; tlscore does no
 * I/O). Exactly 48 or 80 bytes: one binary key, an nginx
 * ssl_session_ticket_key file (`openssl rand 80 > ticket.key`). Anything
 * else is text: one base64 key (32, 48 or 80 bytes) per line, the sealing
 * key first, then keys that only open; blank lines and lines starting with
 * '#' are skipped, white space around a key is ignored. Returns the number
 * of keys (1..TC_TICKET_MAX_KEYS) for tc_config_set_ticket_keys, or 0 with
 * an error naming the line. Wipe the keys after use. */
typedef struct tc_ticket_key {
  uint8_t key[80];
  size_t len;
} tc_ticket_key;
size_t tc_ticket_keys_parse(const uint8_t *data, size_t len, tc_ticket_key keys[TC_TICKET_MAX_KEYS],
                            tc_error *err);
/* Server, TLS 1.3 without client authentication: send the tickets in the
 * server's first flight, right after its Finished (the resumption secret is
 * computed from the client Finished the server expects), so clients that
 * never read after the handshake still get one. Off by default. */
void tc_config_set_early_tickets(tc_config *cfg, bool on);

/* A caller's source (fn NULL: back to the config's generator, i.e. the
 * source set with tc_config_set_rng_source, or else its own). */
void tc_config_set_rng(tc_config *cfg, tc_rng_fn fn, void *ctx);
/* Draw from src (a reference is taken) instead of the config's own
 * generator, which is made only on a first draw without a source (src NULL:
 * drop the source and go back to an own generator). Also undoes
 * tc_config_set_rng. Set it before the config is used. */
void tc_config_set_rng_source(tc_config *cfg, tc_rng_source *src);
void tc_config_set_time(tc_config *cfg, tc_time_fn fn, void *ctx);

/* Maximum plaintext per record sent (64..16384, default 16384). */
int tc_config_set_max_fragment(tc_config *cfg, size_t len, tc_error *err);
/* Maximum plaintext per protected record received (64..16384, default
 * 16384): advertised in record_size_limit (RFC 8449: this value in TLS
 * 1.2, one more in TLS 1.3, where it counts the content type byte) and,
 * once the peer has answered with the extension too, enforced: a larger
 * record fails the connection with record_overflow. A peer that does not
 * know the extension is held to the protocol's 2^14 only. */
int tc_config_set_record_size_limit(tc_config *cfg, size_t len, tc_error *err);

/* Largest handshake message accepted (default 65536; 1024..2^24-1). A
 * server accepts any well-formed ClientHello (up to 131396 bytes) even
 * under a lower limit: it is refused for its contents, never its size. */
int tc_config_set_max_handshake_size(tc_config *cfg, size_t len, tc_error *err);

/* ---- TLS 1.2 and older ---- */

/* Server session-ID cache (RFC 5246 resumption by session id): bounded LRU,
 * thread-safe, entries expire `lifetime` seconds after creation (config
 * clock). A cache may be shared by several configs. NULL max_entries 0 fails. */
typedef struct tc_session_cache tc_session_cache;
tc_session_cache *tc_session_cache_new(size_t max_entries, uint32_t lifetime);
tc_session_cache *tc_session_cache_ref(tc_session_cache *cache);
void tc_session_cache_unref(tc_session_cache *cache);
size_t tc_session_cache_count(tc_session_cache *cache);
void tc_session_cache_flush(tc_session_cache *cache);
/* Server: use this cache for TLS 1.2-and-older sessions (NULL: none, the
 * default; tickets still work). The config takes a reference. */
void tc_config_set_session_cache(tc_config *cfg, tc_session_cache *cache);

/* Client: smallest DHE prime accepted in a TLS 1.2 ServerKeyExchange
 * (default 2048 bits; 1024..8192). */
int tc_config_set_dh_min_bits(tc_config *cfg, unsigned bits, tc_error *err);
/* Client: largest DHE prime accepted (default 8192 bits; 1024..8192); a
 * larger one fails with insufficient_security, like a too small one. */
int tc_config_set_dh_max_bits(tc_config *cfg, unsigned bits, tc_error *err);

/* Renegotiation (TLS 1.2 and older). NEVER (default): a peer's request is
 * refused with a no_renegotiation warning alert. SECURE: RFC 5746 secure
 * renegotiation is performed when both sides negotiated it. */
typedef enum { TC_RENEG_NEVER = 0, TC_RENEG_SECURE } tc_renegotiation;
void tc_config_set_renegotiation(tc_config *cfg, tc_renegotiation mode);

/* Server: OCSP response (DER) stapled when a client asks (status_request). */
int tc_config_set_ocsp_response(tc_config *cfg, const uint8_t *der, size_t len, tc_error *err);

/* Require the extended master secret (RFC 7627) for TLS 1.2-and-older
 * session resumption (default true: sessions without it are not resumed). */
void tc_config_set_ems_required(tc_config *cfg, bool required);

/* TLS 1.2: also offer and accept SHA-1 and SHA-224 signatures
 * (rsa_pkcs1_sha1, ecdsa_sha1, rsa_pkcs1_sha224, ecdsa_sha224), after the
 * configured schemes, in signature_algorithms, CertificateRequest,
 * ServerKeyExchange and CertificateVerify. Off by default: SHA-1 is broken
 * for collisions (SHAttered, RFC 9155 deprecates it) and SHA-224 has no
 * TLS 1.3 scheme. tlslite-ng accepts them by default; this reproduces that
 * setup. TLS 1.3 never uses them (RFC 8446 §4.2.3), nor certificate paths. */
void tc_config_set_legacy_signatures(tc_config *cfg, bool on);

/* Server, TLS 1.0-1.2: answer a client's server_name with an empty one in
 * ServerHello (RFC 6066 §3: a server that uses the name SHALL). Default
 * off, as GnuTLS, OpenSSL and tlslite-ng do unless the application uses
 * the name; TLS 1.3 always acknowledges it in EncryptedExtensions. */
void tc_config_set_sni_ack(tc_config *cfg, bool on);

/* Server, TLS 1.3: list our groups in EncryptedExtensions, so a client can
 * pick a better one next time (RFC 8446 §4.2.7 allows it; RFC 8448's
 * traces do it). Default off, as GnuTLS and tlslite-ng. */
void tc_config_set_ee_supported_groups(tc_config *cfg, bool on);

/* ---- certificate compression (RFC 8879, TLS 1.3) ---- */

/* Algorithm code points (RFC 8879 §3). */
#define TC_CERT_COMPRESSION_ZLIB 1
#define TC_CERT_COMPRESSION_BROTLI 2
#define TC_CERT_COMPRESSION_ZSTD 3
#define TC_CERT_COMPRESSION_MAX_ALGS 8

/* The engine links no compression library: the caller supplies the codecs
 * (the GIO module and tlscore-peer use GLib's zlib converters).
 * compress: the whole of in[0..in_len) with `alg` into a malloc'd buffer
 *   (*out, *out_len; the engine frees it); 0, or -1 to send the
 *   Certificate uncompressed.
 * decompress: in[0..in_len), one complete stream of `alg`, into out, which
 *   holds exactly out_len bytes; 0 only if the stream ends having produced
 *   exactly out_len bytes with no input left over, -1 otherwise (bad or
 *   truncated data, more or less output). It never writes past out_len, so
 *   a decompression bomb stops there. */
typedef int (*tc_cert_compress_fn)(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                                   uint8_t **out, size_t *out_len);
typedef int (*tc_cert_decompress_fn)(void *ctx, uint16_t alg, const uint8_t *in, size_t in_len,
                                     uint8_t *out, size_t out_len);

/* Offer and accept compressed certificates with `algs` (preference order,
 * 1..TC_CERT_COMPRESSION_MAX_ALGS distinct non-zero codes) in TLS 1.3: a
 * client lists them in compress_certificate, a server that asks for client
 * certificates lists them in CertificateRequest, and a Certificate is sent
 * compressed when the peer listed one of them (compress may be NULL: then
 * we only receive them). A received CompressedCertificate must name an
 * algorithm we listed (else illegal_parameter), declare at most the
 * handshake message limit (tc_config_set_max_handshake_size) and decompress
 * to exactly its uncompressed_length (else bad_certificate). n = 0 turns
 * it off (the default). */
int tc_config_set_cert_compression(tc_config *cfg, const uint16_t *algs, size_t n,
                                   tc_cert_compress_fn compress,
                                   tc_cert_decompress_fn decompress, void *ctx, tc_error *err);

/* Client, TLS 1.3: offer post-handshake authentication (RFC 8446 §4.2.6)
 * and answer a server's CertificateRequest after the handshake with the
 * configured certificate (an empty Certificate when there is none or no
 * scheme fits). Default off. */
void tc_config_set_post_handshake_auth(tc_config *cfg, bool on);

/* Client: this connection attempt is a fallback retry with a lowered
 * maximum version; send TLS_FALLBACK_SCSV (RFC 7507). Default off. */
void tc_config_set_fallback_scsv(tc_config *cfg, bool on);

/* ---- shared keys (PSK): RFC 4279 / 5489 in TLS 1.2 and older, external
 * PSKs in TLS 1.3 ---- */

/* Longest identity and key accepted (RFC 4279 §5.3 asks for at least 128
 * and 64 bytes). Keys are secrets: copied, wiped when freed, never put in a
 * log or an error message. */
#define TC_PSK_MAX_IDENTITY 256
#define TC_PSK_MAX_KEY 512

/* Hash a TLS 1.3 external PSK is bound to (its binder and cipher suites). */
typedef enum { TC_PSK_HASH_SHA256 = 0, TC_PSK_HASH_SHA384 = 1 } tc_psk_hash;

/* Add a shared key (identity 1..TC_PSK_MAX_IDENTITY bytes, any bytes; key
 * 1..TC_PSK_MAX_KEY bytes). Up to 16 per config.
 * Client: TLS 1.2 and older send one identity (the first one added, or the
 *   one equal to the server's identity hint); TLS 1.3 offers them.
 * Server: identities the server knows itself; an identity not in this list
 *   raises TC_WANT_PSK_KEY when tc_config_set_psk_server is on, otherwise
 *   it is unknown (unknown_psk_identity).
 * A config with a PSK offers and accepts the PSK suites. */
int tc_config_add_psk(tc_config *cfg, const uint8_t *identity, size_t id_len, const uint8_t *key,
                      size_t key_len, tc_psk_hash hash, tc_error *err);

/* Server: this server answers TC_WANT_PSK_KEY, so PSK suites (and TLS 1.3
 * external PSKs) may be chosen even without tc_config_add_psk. */
void tc_config_set_psk_server(tc_config *cfg, bool on);

/* Client: this client answers TC_WANT_PSK_IDENTITY (TLS 1.2 and older), so
 * PSK suites are offered without a configured PSK; the identity is asked
 * for once the server has chosen a PSK suite (with its hint, if any). */
void tc_config_set_psk_client_want(tc_config *cfg, bool on);

/* Server: identity hint sent in the TLS 1.2 ServerKeyExchange (0..
 * TC_PSK_MAX_IDENTITY bytes; NULL/0: none, the default). */
int tc_config_set_psk_identity_hint(tc_config *cfg, const uint8_t *hint, size_t len,
                                    tc_error *err);

/* TLS 1.3 external PSKs (RFC 8446 §4.2.11). A client offers every added PSK
 * whose hash a configured TLS 1.3 suite uses (the PSK's hash picks the
 * suite: SHA-384 means TLS_AES_256_GCM_SHA384), next to a resumption
 * ticket (tc_conn_set_session). A server tries the client's identities in
 * order: its own tickets, then added PSKs, then (tc_config_set_psk_server)
 * TC_WANT_PSK_KEY; the first whose binder verifies is selected. A wrong key
 * fails with decrypt_error; an unknown identity falls back to a certificate
 * handshake when the server has a certificate, else fails with
 * unknown_psk_identity. After the handshake tc_conn_psk_identity() names
 * the PSK on both sides, and tickets issued on such a connection carry it.
 *
 * Key exchange modes (RFC 8446 §4.2.9): a client offers these (default
 * psk_dhe_ke only; psk_ke alone sends no key share); a server accepts these
 * (default both, psk_dhe_ke preferred when the client offers both). 0
 * restores the default. */
#define TC_PSK_MODE_KE 1u      /* psk_ke: the PSK alone, no forward secrecy */
#define TC_PSK_MODE_DHE_KE 2u  /* psk_dhe_ke: the PSK plus (EC)DHE */
void tc_config_set_psk_modes(tc_config *cfg, unsigned modes);

/* RFC 9258: use the PSK added with this identity only imported. A client
 * then offers it as an ImportedIdentity {identity, context, TLS 1.3,
 * HKDF-SHA256 / HKDF-SHA384} for each hash a configured suite uses, with a
 * key derived from it ("derived psk") and an "imp binder" (the PSK's own
 * hash is the importer's HKDF hash). A server always recognises imported
 * identities and looks up (or asks TC_WANT_PSK_KEY for) their external
 * identity; a PSK marked here is never accepted as it is. context:
 * 0..1024 bytes, not secret. Fails if no PSK has this identity. */
int tc_config_set_psk_import(tc_config *cfg, const uint8_t *identity, size_t id_len,
                             const uint8_t *context, size_t ctx_len, tc_error *err);

/* Names for logs and GIO properties. NULL if unknown. */
const char *tc_cipher_suite_name(uint16_t suite);   /* "TLS_AES_128_GCM_SHA256" */
const char *tc_version_name(uint16_t version);      /* "TLSv1.3" */
const char *tc_group_name(uint16_t group);          /* "x25519" */
const char *tc_sig_scheme_name(uint16_t scheme);    /* "ecdsa_secp256r1_sha256" */
/* Reverse lookups; 0 if the name is unknown. */
uint16_t tc_cipher_suite_from_name(const char *name);
uint16_t tc_group_from_name(const char *name);
uint16_t tc_sig_scheme_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
