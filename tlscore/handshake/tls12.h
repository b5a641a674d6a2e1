/* Shared TLS 1.2 / 1.1 / 1.0 / SSL 3.0 handshake pieces used by client12.c and server12.c. */
#ifndef TLSCORE_TLS12_H
#define TLSCORE_TLS12_H

#include "engine/conn_internal.h"

/* ---- configuration views ---- */

/* The TLS 1.2-and-older suites this config allows, in preference order:
 * the ones named in tc_config_set_cipher_suites (RC4/3DES only this way),
 * or by default the secure set (ECDHE/DHE AEADs, then ECDHE/DHE CBC, then
 * RSA key transport; no 3DES, no RC4, no PSK/SRP). Returns the count. */
size_t tc12_config_suites(const tc_config *cfg, const tc_suite12 **out, size_t cap);
/* Whether s is among tc12_config_suites(cfg) (without building the list). */
bool tc12_config_allows(const tc_config *cfg, const tc_suite12 *s);
/* The same list for a connection with these credentials (TC12_CRED_* bits;
 * true means TC12_CRED_PSK). */
#define TC12_CRED_PSK 1u
#define TC12_CRED_SRP 2u
size_t tc12_suites_for(const tc_config *cfg, unsigned creds, const tc_suite12 **out, size_t cap);
/* A server's view of tc12_config_suites (its first TC12_RANKED_MAX): the
 * list itself (*list, n entries) and, per position in the suite table, the
 * suite's place in that list (rank[i], 0xff: not in it), so that the
 * client's offer is matched against it without walking it. The default
 * lists come ranked from a once-per-process table; an explicit list is
 * ranked into the caller's buffers. */
#define TC12_RANKED_MAX 64
typedef struct tc12_ranked {
  const tc_suite12 *const *list;
  size_t n;
  const uint8_t *rank;
  const tc_suite12 *buf[TC12_RANKED_MAX]; /* explicit lists only */
  uint8_t rank_buf[TC_SUITE12_MAX];
} tc12_ranked;
void tc12_config_suites_ranked(const tc_config *cfg, tc12_ranked *out);
unsigned tc12_cfg_creds(const tc_config *cfg);
unsigned tc12_conn_creds(const tc_conn *c);
/* A suite authenticated by a shared key (PSK, DHE_PSK, ECDHE_PSK)? */
bool tc12_suite_is_psk(const tc_suite12 *s);
/* Shared keys available to the config / the connection (a configured key,
 * tc_conn_set_psk, or the caller answering the PSK want). */
bool tc12_cfg_has_psk(const tc_config *cfg);
bool tc12_conn_has_psk(const tc_conn *c);
/* Before the first flight: an explicitly named suite whose credentials the
 * configuration lacks is a configuration error (TC_FAIL, no alert). */
int tc12_check_credentials(tc_conn *c);
/* The master secret (tc12_master_secret) from the RFC 4279 §2 premaster of
 * the (EC)DHE secret z (ignored for plain PSK: zeros of the key's length)
 * and the shared key; the premaster lives on the stack and is wiped. */
int tc12_psk_master_secret(tc_conn *c, const uint8_t *key, size_t key_len, const uint8_t *z,
                           size_t z_len);
/* When a PSK handshake fails, reword c->err to name the cause (unknown
 * identity, wrong key) without ever showing the key. */
void tc12_psk_explain(tc_conn *c);
/* ---- SRP (srp12.c, RFC 5054) ---- */
bool tc12_suite_is_srp(const tc_suite12 *s);
/* SRP usable by this config (client: credentials or tc_config_set_srp_client;
 * server: tc_config_set_srp_server) / connection (+ its own credentials). */
bool tc12_cfg_has_srp(const tc_config *cfg);
bool tc12_conn_has_srp(const tc_conn *c);
/* Client: the credentials in force (the connection's, else the config's);
 * false when there are none. */
bool tc12_srp_client_creds(const tc_conn *c, const uint8_t **user, size_t *user_len,
                           const uint8_t **pw, size_t *pw_len);
/* Client before its ClientHello: should TC_WANT_SRP_CREDENTIALS come first? */
bool tc12_srp_want_credentials(const tc_conn *c);
/* Client: the srp extension for the ClientHello (when we have a name). */
void tc12_srp_client_ext(tc_conn *c, tc_exts *e);
/* Client: ServerKeyExchange of an SRP suite (signature already checked):
 * group, B, then A and the premaster into hs->t12.c_pub / pms. */
int tc12_srp_client_ske(tc_conn *c, const tc_server_key_exchange *ske);
/* Server: after the ServerHello of an SRP suite, ask for the verifier. */
tc_hs_state tc12_srp_server_ask(tc_conn *c);
/* Server, HS_S12_SRP_FLIGHT: ServerKeyExchange (+ signature), ServerHelloDone. */
tc_hs_state tc_server12_srp_flight(tc_conn *c);
/* Server: the client's A; premaster into *pms (malloc'd, wipe it). */
int tc12_srp_server_premaster(tc_conn *c, const tc_bytes *A, uint8_t **pms, size_t *pms_len);
/* Copy a name into the connection's SRP user name (NULL/0 clears). */
int tc12_srp_set_name(tc_conn *c, const uint8_t *name, size_t len);
/* Reword c->err when an SRP handshake fails (wrong password / unknown user
 * look the same to the client; the server says which). */
void tc12_srp_explain(tc_conn *c);
void tc_srp_conn_clear(tc_srp_conn *s);

/* Highest version <= max that cfg allows and is below TLS 1.3; 0 if none. */
uint16_t tc12_max_version(const tc_config *cfg);

/* ---- transcript: raw message bytes of this handshake (hs->t12.tr) ---- */

void tc12_transcript_add(tc_conn *c, const uint8_t *msg, size_t len);
/* Add c->hsw.buf[start..len) (a message just written) to the transcript;
 * TC_FAIL (internal_error) if the writer failed. */
int tc12_transcript_added(tc_conn *c, size_t start);
/* Abbreviated handshake (c->hash set, not SSL 3.0): keep only the running
 * hash of the transcript from here on and drop the raw bytes; nothing
 * signs them (no CertificateVerify in a resumption). */
void tc12_transcript_stream(tc_conn *c);
/* Hash of the transcript so far with alg (TC_HASH_MD5_SHA1 gives MD5||SHA-1;
 * after tc12_transcript_stream only alg == c->hash). */
void tc12_transcript_hash(tc_conn *c, tc_hash_alg alg, uint8_t *out);

/* ---- suite and secrets ---- */

/* Record the negotiated suite (c->suite, hs->t12.suite) and the handshake
 * hash for c->version (suite PRF hash, MD5+SHA-1 before TLS 1.2, none for
 * SSL 3.0). c->version must be set first. */
int tc12_set_suite(tc_conn *c, uint16_t suite);
/* The same with the suite's table entry already found (s NULL or not the
 * entry of `suite`: refused as tc12_set_suite refuses an unknown suite). */
int tc12_use_suite(tc_conn *c, const tc_suite12 *s, uint16_t suite);
/* master_secret from the premaster (RFC 5246 §8.1, RFC 7627 when
 * hs->t12.ems: the transcript must end with ClientKeyExchange; SSL 3.0
 * derivation for TC_SSL30). Stores it in c->c12.master. */
int tc12_master_secret(tc_conn *c, const uint8_t *pms, size_t pms_len);
/* Install one direction's record protection from the master secret and the
 * randoms. Reading needs a record boundary (no partial handshake message). */
int tc12_install_keys(tc_conn *c, bool write);
/* Flush pending handshake bytes, send ChangeCipherSpec, switch write keys. */
int tc12_send_ccs(tc_conn *c);
/* The peer's ChangeCipherSpec: switch read keys (called by the driver when a
 * CCS arrives in a state that expects it). */
int tc12_on_ccs(tc_conn *c);
/* True if the current state waits for the peer's CCS (then Finished). */
bool tc12_ccs_expected(const tc_conn *c);

/* ---- Finished ---- */

/* verify_data over the transcript so far: 12 bytes (TLS), 36 (SSL 3.0). */
size_t tc12_finished_data(tc_conn *c, bool from_client, uint8_t *out);
/* Write our Finished, add it to the transcript, remember it for
 * renegotiation_info and tls-unique. */
int tc12_write_finished(tc_conn *c);
/* Check the peer's Finished (whole message incl. header); adds it to the
 * transcript after checking. Fails with unexpected_message if the peer's
 * CCS has not been seen, decrypt_error if it does not verify. */
int tc12_check_finished(tc_conn *c, const uint8_t *msg, size_t len);

/* ---- signatures ---- */

/* Can pk make/check signatures of this scheme under TLS 1.2 rules (ECDSA
 * curves not bound to the code point)? */
bool tc12_scheme_fits(const tc_pubkey *pk, uint16_t scheme);
/* Pick our scheme for key from the peer's signature_algorithms (raw u16s);
 * has_list false: the RFC 5246 §7.4.1.4.1 default (SHA-1). In config order.
 * 0 if none. Only meaningful for TLS 1.2. */
uint16_t tc12_pick_scheme(const tc_conn *c, const tc_pubkey *pk, const uint8_t *peer, size_t n,
                          bool has_list);
/* ServerKeyExchange signature over client_random || server_random || params.
 * TLS 1.2: scheme; older: RSA MD5+SHA-1 (no DigestInfo) or ECDSA SHA-1
 * (scheme ignored). *sig is malloc'd. */
int tc12_sign_params(tc_conn *c, const tc_privkey *key, uint16_t scheme, const uint8_t *params,
                     size_t params_len, uint8_t **sig, size_t *sig_len);
/* Verify it (client). has_scheme/scheme from the message (TLS 1.2 checks
 * the scheme is one we offered and fits the key). illegal_parameter /
 * decrypt_error. */
int tc12_verify_params(tc_conn *c, const tc_pubkey *pk, bool has_scheme, uint16_t scheme,
                       const uint8_t *params, size_t params_len, const uint8_t *sig,
                       size_t sig_len);
/* CertificateVerify over the transcript so far (all versions incl. SSL 3.0
 * for checking; writing supports TLS 1.0-1.2). check: body is the message
 * body; allowed: the schemes we listed in CertificateRequest (raw u16s). */
int tc12_write_cert_verify(tc_conn *c, const tc_privkey *key, uint16_t scheme);
int tc12_check_cert_verify(tc_conn *c, const uint8_t *body, size_t len, const uint8_t *allowed,
                           size_t n_allowed);

/* ---- misc ---- */

/* RFC 5705 exporter for TLS 1.0-1.2 (master secret + randoms of the latest handshake). */
int tc12_export(tc_conn *c, const char *label, const uint8_t *context, size_t context_len,
                bool use_context, uint8_t *out, size_t out_len, tc_error *err);
/* Handshake done: keep randoms for the exporter, count it, free nothing. */
void tc12_handshake_done(tc_conn *c);

/* Handlers (server12.c / client12.c). */
tc_hs_state tc_server12_client_hello(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg,
                                     size_t len);
tc_hs_state tc_server12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
/* Server, HS_S12_PSK_KEY (an action state, after TC_WANT_PSK_KEY was
 * answered): finish the ClientKeyExchange. */
tc_hs_state tc_server12_psk_key(tc_conn *c);
/* Server: an SSLv2-format CLIENT-HELLO (the first record; msg without its
 * 2-byte header, RFC 5246 Appendix E.2): accepted when the minimum version
 * is TLS 1.0 or lower, else protocol_version. Sets c->state. */
int tc_server12_ssl2_hello(tc_conn *c, const uint8_t *msg, size_t len);
tc_hs_state tc_client12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
/* Client, before the handshake message of this type is taken: true if the
 * deferred verify want (t12.verify_deferred) must be raised first, which
 * this does; the message stays buffered and is handled after the answer. */
bool tc_client12_verify_first(tc_conn *c, uint8_t type);
/* Client (client12.c): ClientHello additions used by client13.c, the
 * ServerHello for a version below 1.3, the flight after ServerHelloDone
 * (the HS_C_SEND_FLIGHT action when c->version < TLS 1.3), HelloRequest. */
size_t tc_client12_add_suites(tc_conn *c, uint8_t *suites, size_t n, size_t cap);
void tc_client12_add_exts(tc_conn *c, tc_exts *e, bool offer13);
void tc_client12_offer_session(tc_conn *c);
tc_hs_state tc_client12_server_hello(tc_conn *c, const tc_server_hello *sh, const uint8_t *msg,
                                     size_t len);
/* A ServerHello the brief parse takes (msg/server_hello12.c) and that
 * needs none of the general path's refusals before the version checks:
 * handled as tc_client12_server_hello would (*next), true; false: nothing
 * done, use the general path. tc__sh12_brief_off (tests) turns it off. */
bool tc_client12_server_hello_brief(tc_conn *c, const uint8_t *msg, size_t len,
                                    tc_hs_state *next);
extern bool tc__sh12_brief_off;
tc_hs_state tc_client12_flight(tc_conn *c);
int tc_client12_hello_request(tc_conn *c, const uint8_t *body, size_t len);
/* Can this connection renegotiate now (either role): TC_RENEG_SECURE,
 * RFC 5746 on both ends, TLS 1.0-1.2, established, not closing. */
bool tc12_reneg_allowed(const tc_conn *c);
/* Client: start a secure renegotiation (tc_conn_renegotiate, once
 * tc12_reneg_allowed() said yes). */
int tc_client12_renegotiate(tc_conn *c);
/* After the handshake, TLS 1.2 and older: HelloRequest (client), ClientHello
 * (server renegotiation). */
int tc_post12_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
/* Server: send HelloRequest (tc_conn_renegotiate). */
int tc_server12_hello_request(tc_conn *c);

#endif
