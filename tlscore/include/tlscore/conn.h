/* tlscore engine: one TLS connection as a sans-I/O state machine (bytes in, bytes out, wants). */
#ifndef TLSCORE_CONN_H
#define TLSCORE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/config.h"
#include "tlscore/errors.h"
#include "tlscore/srp.h"
#include "tlscore/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Driving a connection (the caller owns all I/O):
 *
 *   for (;;) {
 *     unsigned st = tc_conn_status(c);
 *     if (st & TC_S_FAILED) -> tc_conn_error(c)
 *     if (st & TC_S_WANT)   -> answer tc_conn_want(c), e.g. tc_conn_answer_verify()
 *     if (st & TC_S_OUTPUT) -> p = tc_conn_output(c, &n); send(p, n); tc_conn_output_ack(c, sent)
 *     if (st & TC_S_INPUT)  -> p = tc_conn_input_buf(c, &cap); n = recv(p, cap); tc_conn_input_ack(c, n)
 *                              (n == 0 means transport EOF: tc_conn_input_eof(c))
 *     application data: tc_conn_read() / tc_conn_write() once TC_S_READY
 *   }
 *
 * The engine never blocks, never calls back, never does I/O. Errors latch:
 * after the first failure every call returns TC_FAIL and the error stays.
 * A call refused as misuse (a setter after the handshake started,
 * tc_conn_renegotiate when renegotiation is not allowed, tc_conn_key_update
 * outside an established TLS 1.3 connection) also returns
 * TC_FAIL, but the connection goes on: no TC_S_FAILED, no alert, and
 * tc_conn_error() says why until the connection itself fails.
 * One connection is used by one thread at a time; connections are independent.
 */

typedef struct tc_conn tc_conn;

/* Status flags (tc_conn_status). */
enum {
  TC_S_OUTPUT = 1 << 0,     /* bytes are waiting to be sent (tc_conn_output) */
  TC_S_INPUT = 1 << 1,      /* the engine can take network bytes now */
  TC_S_NEED_INPUT = 1 << 2, /* ...and cannot progress without them */
  TC_S_WANT = 1 << 3,       /* paused: answer tc_conn_want() */
  TC_S_READY = 1 << 4,      /* handshake complete; application data may flow */
  TC_S_READABLE = 1 << 5,   /* decrypted application data is buffered */
  TC_S_PEER_CLOSED = 1 << 6,/* close_notify received */
  TC_S_CLOSED = 1 << 7,     /* we sent close_notify (after output drains) */
  TC_S_FAILED = 1 << 8      /* failed, see tc_conn_error(); alert may be in output */
};

typedef enum {
  TC_WANT_NONE = 0,
  TC_WANT_VERIFY_PEER,      /* judge tc_conn_peer_chain(); answer tc_conn_answer_verify */
  TC_WANT_CLIENT_CERT,      /* client: server asked for a certificate; answer
                               tc_conn_answer_client_cert (may give none) */
  TC_WANT_SRP_CREDENTIALS,  /* client: answer tc_conn_answer_srp_credentials (tlscore/srp.h) */
  TC_WANT_SRP_VERIFIER,     /* server: look up tc_conn_srp_username(); answer
                               tc_conn_answer_srp_verifier (tlscore/srp.h) */
  TC_WANT_PSK_IDENTITY,     /* client, TLS 1.2 and older, no PSK configured: the
                               server chose a PSK suite; its hint is
                               tc_conn_psk_identity_hint(); answer
                               tc_conn_answer_psk_identity */
  TC_WANT_PSK_KEY,          /* server: the key for tc_conn_psk_identity();
                               answer tc_conn_answer_psk_key */
  TC_WANT_SESSION_LOOKUP
} tc_want;

/* A resumable session (TLS 1.3 ticket or, later, TLS 1.2 ID/ticket).
 * Opaque, refcounted, immutable; safe to share between threads. */
typedef struct tc_session tc_session;

/* New connection. Takes a reference to cfg. NULL on allocation failure. */
tc_conn *tc_conn_new(tc_config *cfg, tc_error *err);
void tc_conn_free(tc_conn *c);   /* wipes all secrets */

/* Client: server name for SNI and for builtin verification (a DNS name or IP
 * literal; IP literals are not sent in SNI). Call before the first status. */
int tc_conn_set_server_name(tc_conn *c, const char *name);
/* Client: offer this session for resumption. The engine offers an SRP
 * session only with the same user name, but it does not know which
 * password or PSK key made a session: a resumed session authenticates
 * without them, so a caller's session cache must tell secrets apart
 * (gio-module keys it by a keyed digest of each). */
int tc_conn_set_session(tc_conn *c, tc_session *s);
/* Client, before the handshake: this is a fallback retry with a lowered
 * maximum version; send TLS_FALLBACK_SCSV (RFC 7507). */
int tc_conn_set_fallback(tc_conn *c, bool fallback);
/* Per-connection ALPN list overriding the config's. */
int tc_conn_set_alpn(tc_conn *c, const char *const *protocols, size_t n);

/* ---- driving ---- */
unsigned tc_conn_status(tc_conn *c);

/* Network input: a buffer to fill and how many bytes it can take, then say how
 * many were written. input_ack processes them (handshake, decrypt) and
 * returns TC_OK, TC_WANT or TC_FAIL; acknowledging more than cap fails the
 * connection (TC_ERR_INVALID_ARGUMENT), 0 gives the buffer back unused.
 * Between the two calls the buffer neither moves nor is freed (tc_conn_shrink
 * keeps it), so another thread may use the connection under the caller's
 * lock while this one reads from the network into it unlocked. */
uint8_t *tc_conn_input_buf(tc_conn *c, size_t *cap);
int tc_conn_input_ack(tc_conn *c, size_t n);
/* Room in the input buffer for n largest records (1-16, default 1), so a
 * caller that reads from the network straight into tc_conn_input_buf gets
 * several records per read. Freed when idle (tc_conn_shrink) as before. */
void tc_conn_set_input_records(tc_conn *c, unsigned n);
/* Convenience: copy from data; *consumed says how much was taken. */
int tc_conn_feed(tc_conn *c, const uint8_t *data, size_t len, size_t *consumed);
/* Bytes still to arrive before the record the input ends in is complete
 * (its header included); 0 when the input ends between records, holds an
 * SSLv2 hello, or announces a longer record than any accepted. A caller
 * waiting for input can ask the transport not to wake it for less (TCP's
 * SO_RCVLOWAT): nothing can be done with a part of a record. */
size_t tc_conn_input_missing(tc_conn *c);
/* The transport reached EOF. Without a prior close_notify this latches
 * TC_ERR_ABRUPT_EOF (during the handshake, or while application data is
 * expected); after close_notify it is fine. */
void tc_conn_input_eof(tc_conn *c);

/* Network output: bytes to send, then how many were sent. With aligned
 * records on, tc_conn_output gives the output up to the first gap between
 * records; tc_conn_output_ack counts sent bytes across the pieces of
 * tc_conn_output_vec, skipping the gaps, whichever of the two was used. */
const uint8_t *tc_conn_output(tc_conn *c, size_t *len);
void tc_conn_output_ack(tc_conn *c, size_t n);
/* One piece of network output (tc_conn_output_vec). */
typedef struct tc_out_piece {
  const uint8_t *base;
  size_t len;
} tc_out_piece;
/* The output as up to max pieces, in order, for one writev/sendmsg:
 * returns how many (0: nothing to send) and sets *len to their total. With
 * aligned records off there is at most one piece, tc_conn_output's. */
size_t tc_conn_output_vec(tc_conn *c, tc_out_piece *v, size_t max, size_t *len);
/* Aligned records (default off): an AEAD record sealed from the caller's
 * buffer behind other records waiting in the output is placed where its
 * encrypted bytes start 8-byte aligned, which nettle's AES-GCM and
 * ChaCha20-Poly1305 need for their fast path (a misaligned destination
 * costs a third more instructions per byte). The 1-7 bytes skipped before
 * such a record are not output, so a caller that turns this on sends with
 * tc_conn_output_vec (or loops over tc_conn_output). The bytes on the wire
 * are the same either way. */
void tc_conn_set_aligned_records(tc_conn *c, bool on);

/* Application data. read: TC_OK with *n > 0, TC_AGAIN (needs input), TC_EOF
 * (close_notify), TC_WANT, TC_FAIL. write: TC_OK with *n accepted (may be less
 * than len), TC_AGAIN (drain output first / handshake not done), TC_FAIL.
 * Before the handshake completes both drive it. */
int tc_conn_read(tc_conn *c, uint8_t *buf, size_t len, size_t *n);
/* Lazy records (default off): once the handshake is done, input fed to the
 * engine is parsed up to the next record that may be application data, and
 * that record is opened by tc_conn_read, straight into its buffer when the
 * plaintext fits (AEAD suites; no copy through the engine). tc_conn_status
 * then reports TC_S_READABLE for such a waiting record even before it is
 * opened; if it turns out to be a TLS 1.3 post-handshake message or alert,
 * or a bad record, the read acts on it and returns TC_AGAIN, TC_EOF or
 * TC_FAIL. Callers that read whenever input arrived (the GIO layer) lose
 * nothing; callers that expect tickets, alerts or record errors to be acted
 * on by tc_conn_feed alone keep it off. tc_conn_read takes the direct path
 * for complete records already waiting either way. */
void tc_conn_set_lazy_records(tc_conn *c, bool on);
/* How many full records one tc_conn_write may seal into the output buffer
 * (default 1, at most 16): a caller that sends the output with one system
 * call per tc_conn_write gets several records per call without copying
 * them anywhere. The buffer grows to that many records while it holds them. */
void tc_conn_set_write_records(tc_conn *c, unsigned n);
int tc_conn_write(tc_conn *c, const uint8_t *buf, size_t len, size_t *n);

/* Queue close_notify; further writes fail with TC_ERR_CLOSED. */
int tc_conn_close(tc_conn *c);
/* TLS 1.3: send a KeyUpdate (request_update asks the peer to update too).
 * Refused (the connection goes on) before the handshake completes, after
 * close, or on TLS 1.2 and older. */
int tc_conn_key_update(tc_conn *c, bool request_update);
/* Release idle buffers (between records, when nothing is pending) to keep
 * idle connections small; they come back on the next use. */
void tc_conn_shrink(tc_conn *c);

/* ---- wants ---- */
tc_want tc_conn_want(const tc_conn *c);
/* TC_WANT_VERIFY_PEER: accept or reject. When rejecting, `cert_flags` (TC_CERT_*)
 * picks the alert (unknown_ca, certificate_expired, bad_certificate) and
 * `message` (may be NULL) becomes the error message. */
int tc_conn_answer_verify(tc_conn *c, bool accept, unsigned cert_flags, const char *message);
/* Any want the caller cannot answer because something on its side broke
 * (a verifier or key store that cannot be read): the connection fails
 * with internal_error, the alert for a fault that is neither the peer's
 * nor the protocol's, and `message` (may be NULL) as the error message.
 * Returns TC_FAIL. */
int tc_conn_abort(tc_conn *c, const char *message);
/* TC_WANT_CLIENT_CERT: a chain and key, or n == 0 / key NULL for none. */
int tc_conn_answer_client_cert(tc_conn *c, tc_cert *const *chain, size_t n, tc_privkey *key);
/* During TC_WANT_CLIENT_CERT: the server's certificate_authorities (DER
 * Names), possibly none. */
size_t tc_conn_acceptable_ca_count(const tc_conn *c);
const uint8_t *tc_conn_acceptable_ca(const tc_conn *c, size_t i, size_t *len);

/* Client: use this shared key for this connection instead of the config's
 * (limits as tc_config_add_psk; PSK suites are then offered). Before the
 * handshake. */
int tc_conn_set_psk(tc_conn *c, const uint8_t *identity, size_t id_len, const uint8_t *key,
                    size_t key_len, tc_psk_hash hash);
/* TC_WANT_PSK_IDENTITY: the identity and key to use, or identity NULL to
 * decline (the handshake then fails with handshake_failure). */
int tc_conn_answer_psk_identity(tc_conn *c, const uint8_t *identity, size_t id_len,
                                const uint8_t *key, size_t key_len);
/* TC_WANT_PSK_KEY: the key for tc_conn_psk_identity(), or key NULL when the
 * identity is unknown (the handshake fails with unknown_psk_identity). */
int tc_conn_answer_psk_key(tc_conn *c, const uint8_t *key, size_t key_len);
/* The same for a TLS 1.3 key bound to SHA-384 (plain answers mean SHA-256).
 * In TLS 1.3 an unknown identity is skipped: the server asks for the next
 * one the client offered, or goes on as tc_config_set_psk_import says. */
int tc_conn_answer_psk_key_hash(tc_conn *c, const uint8_t *key, size_t key_len,
                                tc_psk_hash hash);
/* Client: use the connection's PSK (tc_conn_set_psk) only imported (RFC
 * 9258; see tc_config_set_psk_import). Before the handshake. */
int tc_conn_set_psk_import(tc_conn *c, const uint8_t *context, size_t ctx_len);
/* Server, during TC_WANT_PSK_KEY in TLS 1.3: true when the client sent the
 * identity imported (RFC 9258); *context (may be NULL) gets its context. */
bool tc_conn_psk_imported(const tc_conn *c, const uint8_t **context, size_t *ctx_len);
/* Client, during TC_WANT_PSK_IDENTITY and after: the identity hint the
 * server sent (raw bytes from the wire; NULL, *len 0 if none). */
const uint8_t *tc_conn_psk_identity_hint(const tc_conn *c, size_t *len);
/* The PSK identity of this connection (raw bytes): during TC_WANT_PSK_KEY
 * the one asked for; after a PSK handshake (also a resumed one) the one
 * that authenticated, on both sides. NULL, *len 0 when none. */
const uint8_t *tc_conn_psk_identity(const tc_conn *c, size_t *len);

/* ---- results ---- */
/* The error that failed the connection; while it has not failed, why the
 * last refused call was refused (code TC_ERR_NONE if none was). */
const tc_error *tc_conn_error(const tc_conn *c);
/* The last alert this connection sent (sent true: queued for the wire, a
 * close_notify included) or received: its description (RFC 8446 §6, see
 * tc_alert_name), or -1 if there was none. *level (may be NULL) gets 1
 * (warning) or 2 (fatal), -1 if none. Lets a caller tell, say,
 * bad_record_mac (a wrong SRP password) from unknown_psk_identity, and see
 * warnings such as no_renegotiation that do not fail the connection. */
int tc_conn_last_alert(const tc_conn *c, bool sent, int *level);
tc_role tc_conn_role(const tc_conn *c);
bool tc_conn_handshake_done(const tc_conn *c);
uint16_t tc_conn_version(const tc_conn *c);       /* 0 before negotiation */
uint16_t tc_conn_cipher_suite(const tc_conn *c);  /* 0 before negotiation */
uint16_t tc_conn_group(const tc_conn *c);         /* key exchange group */
uint16_t tc_conn_sig_scheme(const tc_conn *c);    /* peer's CertificateVerify scheme */
/* The RFC 8879 algorithm (TC_CERT_COMPRESSION_*) the peer's Certificate came
 * compressed with in this handshake; 0 if it came uncompressed. */
uint16_t tc_conn_peer_cert_compression(const tc_conn *c);

/* Server, TLS 1.3: ask the client for a certificate after the handshake
 * (RFC 8446 §4.6.2), when it offered post_handshake_auth. Queues a
 * CertificateRequest with a fresh context; the client's Certificate,
 * CertificateVerify and Finished are checked as they arrive, like the
 * handshake's (an empty Certificate fails only with
 * TC_CLIENT_AUTH_REQUIRE; then tc_conn_peer_chain is the new chain).
 * Needs TC_VERIFY_BUILTIN or TC_VERIFY_NONE. A refusal (not TLS 1.3, not
 * offered, one already under way) leaves the connection as it was. */
int tc_conn_request_post_handshake_auth(tc_conn *c, tc_error *err);
/* How many post-handshake authentications the client completed. */
int tc_conn_post_handshake_auth_count(const tc_conn *c);
const char *tc_conn_alpn(const tc_conn *c);       /* negotiated protocol or NULL */
const char *tc_conn_server_name(const tc_conn *c);/* server: SNI received, or NULL */
bool tc_conn_resumed(const tc_conn *c);
/* Client, TLS 1.2 and older: the OCSP response the server stapled
 * (CertificateStatus), NULL if none. Valid while the connection lives. */
const uint8_t *tc_conn_ocsp_response(const tc_conn *c, size_t *len);
/* TLS 1.0-1.2, either role: start a renegotiation (client: a new
 * ClientHello; server: a HelloRequest). RFC 5746 secure renegotiation only,
 * with tc_config_set_renegotiation SECURE on this end. Refused otherwise
 * (TC_FAIL, the connection goes on). */
int tc_conn_renegotiate(tc_conn *c);
/* The peer's certificate chain as sent (leaf first), borrowed. */
size_t tc_conn_peer_chain(const tc_conn *c, tc_cert *const **chain);
/* Server: did the client send a certificate. Flags from builtin verification. */
unsigned tc_conn_peer_cert_flags(const tc_conn *c);

/* Client: the newest resumable session (new reference, NULL if none yet).
 * TLS 1.3 tickets arrive after the server's Finished, before or among the
 * application data; a TLS 1.3 caller wants every one (below). */
tc_session *tc_conn_get_session(tc_conn *c);
/* Client: the TLS 1.3 tickets received since the last call (up to max,
 * oldest first; new references the caller owns). The engine keeps the last
 * 4 not yet taken. Each TLS 1.3 ticket should be offered on one connection
 * only (RFC 8446 §C.4: reuse links connections): a cache keeps them all and
 * hands each out once. A lazy-records client takes the tickets that came
 * with the server's flight when its handshake completes. */
size_t tc_conn_take_sessions(tc_conn *c, tc_session **out, size_t max);
/* A TLS 1.3 ticket (offer it once), not a TLS 1.2 session ID or ticket. */
bool tc_session_single_use(const tc_session *s);
/* Past its lifetime at `now` (seconds since the Unix epoch, the config's
 * clock when it received the session). */
bool tc_session_expired(const tc_session *s, int64_t now);
tc_session *tc_session_ref(tc_session *s);
void tc_session_unref(tc_session *s);
/* Serialize / restore (for caches across processes). */
int tc_session_serialize(const tc_session *s, uint8_t **out, size_t *len);
tc_session *tc_session_deserialize(const uint8_t *data, size_t len, tc_error *err);

/* Channel bindings and exporters. */
typedef enum {
  TC_BINDING_TLS_UNIQUE = 0,          /* RFC 5929; TLS 1.2 and older only */
  TC_BINDING_TLS_SERVER_END_POINT,    /* RFC 5929 */
  TC_BINDING_TLS_EXPORTER             /* RFC 9266: 32 bytes, label "EXPORTER-Channel-Binding" */
} tc_binding;
/* Writes up to *len bytes into out and sets *len. Returns TC_OK, or TC_FAIL
 * with TC_ERR_UNSUPPORTED when the binding does not exist for this
 * connection (without latching the connection's error). */
int tc_conn_binding(tc_conn *c, tc_binding type, uint8_t *out, size_t *len, tc_error *err);
/* RFC 8446 §7.5 / RFC 5705 exporter. */
int tc_conn_export(tc_conn *c, const char *label, const uint8_t *context, size_t context_len,
                   bool use_context, uint8_t *out, size_t out_len, tc_error *err);

#ifdef __cplusplus
}
#endif
#endif
