/* tlscore SRP (RFC 5054, TLS 1.0-1.2): credentials, verifiers, groups, and the SRP wants. */
#ifndef TLSCORE_SRP_H
#define TLSCORE_SRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/config.h"
#include "tlscore/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SRP in the engine
 * -----------------
 * Suites: TLS_SRP_SHA_WITH_AES_{128,256}_CBC_SHA (the password alone
 * authenticates both ends) and TLS_SRP_SHA_RSA_WITH_AES_{128,256}_CBC_SHA
 * (the server also signs its ServerKeyExchange with an RSA certificate);
 * the 3DES variants only when named in tc_config_set_cipher_suites. SRP
 * exists in TLS 1.0-1.2 only; encrypt-then-MAC and the extended master
 * secret apply as for every CBC suite.
 *
 * Groups are those of RFC 5054 appendix A (1024, 1536, 2048, 3072, 4096,
 * 6144, 8192 bits). A client accepts only these, and only between the
 * configured minimum and maximum size (default 2048..8192): anything else
 * fails with insufficient_security and a message saying which rule failed.
 *
 * Client: give credentials with tc_config_set_srp_credentials (all
 * connections) or tc_conn_set_srp_credentials (one connection). A client
 * with credentials sends its user name (the srp extension), offers the SRP
 * suites first and offers at most TLS 1.2: SRP does not exist in TLS 1.3,
 * and RFC 8446 §4.1.3 forbids a TLS 1.3 server to answer such a client with
 * TLS 1.2. A wrong password and an unknown user name look the same to the
 * client (the server cannot read our Finished and sends bad_record_mac);
 * both fail with "SRP authentication failed: wrong user name or password".
 *
 * "Client unknown" (TLS Lite's handshakeClientUnknown): a client that does
 * not know whether the server wants SRP or a certificate calls
 * tc_config_set_srp_client(cfg, true) without credentials. Its ClientHello
 * offers the SRP suites as well as the certificate suites, without the srp
 * extension (RFC 5054 §2.5.1.2), so the user name is never sent in the
 * clear unless needed:
 *   - a server that prefers a certificate suite just answers with one;
 *   - a server that wants SRP answers with a fatal unknown_psk_identity
 *     alert. The connection fails with code TC_ERR_UNKNOWN_PSK_IDENTITY,
 *     remote true, and tc_conn_srp_requested(c) returns true. The caller
 *     opens a new transport and a new connection, calls
 *     tc_conn_request_srp_credentials(c2) on it, and that connection asks
 *     for the credentials with TC_WANT_SRP_CREDENTIALS before it sends its
 *     ClientHello. Answer with tc_conn_answer_srp_credentials (user NULL
 *     declines: the connection then fails with unknown_psk_identity,
 *     nothing having been sent).
 * So the caller is asked for the user name and password only when a server
 * actually wants them.
 *
 * Server: tc_config_set_srp_server(cfg, true) says the caller answers
 * TC_WANT_SRP_VERIFIER, so SRP suites may be chosen. When a ClientHello
 * names a user (the srp extension) and an SRP suite wins, the engine sends
 * its ServerHello (and Certificate for SRP_RSA) and pauses with
 * TC_WANT_SRP_VERIFIER; tc_conn_srp_username() gives the name as sent (raw
 * bytes, not necessarily UTF-8: escape before printing). The caller looks
 * it up and answers with tc_conn_answer_srp_verifier (NULL: no such user).
 * For an unknown user the engine goes on with a fake salt and verifier
 * derived from the config's SRP secret and the name (RFC 5054 §2.5.1.3):
 * the same salt for the same name every time, and the same sequence of
 * hashes and exponentiations as for a real user (the real and the fake
 * values are both computed, and one is picked without a branch), so the
 * client cannot tell "no such user" from "wrong password" on the wire or by
 * the engine's timing. (The caller's own look-up time is the caller's
 * concern.) Fake users get the group of the configured minimum size
 * (default 2048 bits) and 16-byte salts, like tc_srp_make_verifier.
 * A ClientHello offering SRP suites without a user name: when an SRP suite
 * is the server's choice, the handshake fails with unknown_psk_identity
 * (RFC 5054 §2.5.1.2), otherwise another suite is chosen.
 * A server that has SRP but neither a certificate nor a shared key cannot do
 * TLS 1.3, so it answers TLS 1.3-capable clients with TLS 1.2 (and without
 * RFC 8446's downgrade sentinel, which is only for servers able to do 1.3).
 * No CertificateRequest is sent with SRP suites.
 * Server preference: the configured order (tc_config_set_cipher_suites);
 * with the default order, a client that sent a user name gets an SRP suite
 * when one is common, since it asked for password authentication.
 *
 * A connection needing credentials it lacks never offers or picks the
 * suites: naming SRP suites in tc_config_set_cipher_suites without client
 * credentials (or tc_config_set_srp_client) on a client, or without
 * tc_config_set_srp_server on a server, is a configuration error: the
 * connection fails before sending anything, with TC_ERR_INVALID_ARGUMENT
 * and a message naming the suite.
 *
 * After the handshake tc_conn_srp_username() is the authenticated name on
 * both ends; it is kept in the session (ID cache, tickets, client
 * sessions) and restored on resumption.
 */

#define TC_SRP_MAX_SALT 255      /* the wire allows 1..255 bytes */
#define TC_SRP_MAX_N_BYTES 1024  /* 8192-bit group */
#define TC_SRP_SALT_LEN 16       /* salts made by tc_srp_make_verifier and fake users */

/* A user's verifier as a database keeps it. */
typedef struct tc_srp_verifier {
  unsigned group_bits;                   /* an RFC 5054 appendix A group: 1024..8192 */
  uint8_t salt[TC_SRP_MAX_SALT];
  size_t salt_len;                       /* 1..TC_SRP_MAX_SALT */
  uint8_t verifier[TC_SRP_MAX_N_BYTES];  /* v = g^x mod N, big-endian */
  size_t verifier_len;                   /* 1..group_bits/8 (leading zeros allowed) */
} tc_srp_verifier;

/* The RFC 5054 appendix A group of this size: N and g, big-endian, static.
 * TC_FAIL (TC_ERR_INVALID_ARGUMENT) for any other size. */
int tc_srp_group(unsigned group_bits, const uint8_t **N, size_t *N_len, const uint8_t **g,
                 size_t *g_len, tc_error *err);
/* The group_bits of an (N, g) pair if it is an appendix A group, else 0. */
unsigned tc_srp_group_bits(const uint8_t *N, size_t N_len, const uint8_t *g, size_t g_len);

/* A new verifier for user/password in the group of group_bits, with a fresh
 * TC_SRP_SALT_LEN-byte salt from rng (NULL: the system generator).
 * x = SHA1(salt | SHA1(user ":" password)) as RFC 5054 §2.4 says. */
int tc_srp_make_verifier(const uint8_t *user, size_t user_len, const uint8_t *password,
                         size_t pw_len, unsigned group_bits, tc_rng_fn rng, void *rng_ctx,
                         tc_srp_verifier *out, tc_error *err);
/* The verifier for a given salt (checking a password, importing files). */
int tc_srp_compute_verifier(const uint8_t *user, size_t user_len, const uint8_t *password,
                            size_t pw_len, unsigned group_bits, const uint8_t *salt,
                            size_t salt_len, tc_srp_verifier *out, tc_error *err);
/* Constant-time: does password match v (same user)? */
bool tc_srp_check_password(const tc_srp_verifier *v, const uint8_t *user, size_t user_len,
                           const uint8_t *password, size_t pw_len);

/* ---- configuration ---- */

/* Client: SRP user name (1..255 bytes, no NUL) and password (1..1024
 * bytes) for every connection of this config. Copied; the password is
 * wiped when the config goes. NULL user clears them. */
int tc_config_set_srp_credentials(tc_config *cfg, const char *user, const uint8_t *password,
                                  size_t pw_len, tc_error *err);
/* Client without credentials: offer SRP suites without a user name and
 * accept a server's request for SRP (see "Client unknown" above). */
void tc_config_set_srp_client(tc_config *cfg, bool on);
/* Server: this server answers TC_WANT_SRP_VERIFIER, so SRP suites may be chosen. */
void tc_config_set_srp_server(tc_config *cfg, bool on);
/* Server: the secret fake salts and verifiers of unknown users derive from
 * (16..64 bytes). Set the same secret on every server (and across restarts)
 * so a name gets the same fake salt everywhere; by default 32 bytes are
 * drawn from the config's generator on first use. */
int tc_config_set_srp_secret(tc_config *cfg, const uint8_t *secret, size_t len, tc_error *err);
/* Smallest and largest group sizes accepted (client) or served (server):
 * 1024..8192, min <= max; default 2048..8192. */
int tc_config_set_srp_group_bits(tc_config *cfg, unsigned min_bits, unsigned max_bits,
                                 tc_error *err);

/* ---- connections ---- */

typedef struct tc_conn tc_conn;

/* Client, before the handshake: credentials for this connection only
 * (override the config's). NULL user: none. */
int tc_conn_set_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                size_t pw_len);
/* Client, before the handshake: ask for credentials with
 * TC_WANT_SRP_CREDENTIALS before sending the ClientHello (the retry after
 * a server asked for SRP; see "Client unknown"). */
int tc_conn_request_srp_credentials(tc_conn *c);
/* Client: the server answered unknown_psk_identity to an SRP offer without
 * a user name, i.e. it wants SRP credentials (reconnect, see above). */
bool tc_conn_srp_requested(const tc_conn *c);
/* TC_WANT_SRP_CREDENTIALS: user and password, or user NULL to decline. */
int tc_conn_answer_srp_credentials(tc_conn *c, const char *user, const uint8_t *password,
                                   size_t pw_len);
/* Server during TC_WANT_SRP_VERIFIER: the user name the client sent.
 * Either end after an SRP handshake (also a resumed one): the
 * authenticated user name. Raw bytes (escape before printing), NULL when
 * there is none. */
const uint8_t *tc_conn_srp_username(const tc_conn *c, size_t *len);
/* TC_WANT_SRP_VERIFIER: the user's verifier (copied), or NULL for an
 * unknown user (fake salt and verifier, RFC 5054 §2.5.1.3). A verifier of a
 * group outside the configured sizes fails the handshake
 * (insufficient_security). */
int tc_conn_answer_srp_verifier(tc_conn *c, const tc_srp_verifier *v);

#ifdef __cplusplus
}
#endif
#endif
