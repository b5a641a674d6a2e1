/* SRP internals shared by config, handshakes and tests: groups, RFC 5054 hashes, stored state. */
#ifndef TLSCORE_SRP_GROUPS_H
#define TLSCORE_SRP_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "tlscore/srp.h"

typedef struct tc_srp_group_def {
  unsigned bits;
  const uint8_t *N;
  size_t N_len;
  uint8_t g;
} tc_srp_group_def;

#define TC_SRP_N_GROUPS 7
extern const tc_srp_group_def tc_srp_groups[TC_SRP_N_GROUPS];

#define TC_SRP_DEFAULT_MIN_BITS 2048
#define TC_SRP_DEFAULT_MAX_BITS 8192
#define TC_SRP_MAX_USER 255
#define TC_SRP_MAX_PASSWORD 1024
#define TC_SRP_EXP_LEN 32 /* a and b: 256 bits (RFC 5054 §2.5.4 asks for at least that) */

const tc_srp_group_def *tc_srp_group_by_bits(unsigned bits);
/* Exact match of N (leading zeros ignored) and g against the table. */
const tc_srp_group_def *tc_srp_group_match(const uint8_t *N, size_t N_len, const uint8_t *g,
                                           size_t g_len);

/* What an SRP exchange costs, counted where the work happens: the test of
 * RFC 5054 §2.5.1.3 compares a known and an unknown user's counts. */
typedef struct tc_srp_ops {
  unsigned modexp;    /* modular exponentiations (crypto/srp.c calls weighted by their count) */
  unsigned hashes;    /* hash and HMAC computations */
  size_t hashed;      /* bytes fed to them */
} tc_srp_ops;

/* x = SHA1(salt | SHA1(user ":" password)) (RFC 5054 §2.5.3). */
void tc_srp_hash_x(const uint8_t *user, size_t user_len, const uint8_t *pw, size_t pw_len,
                   const uint8_t *salt, size_t salt_len, uint8_t x[20], tc_srp_ops *ops);
/* k = SHA1(N | PAD(g)). */
void tc_srp_hash_k(const tc_srp_group_def *grp, uint8_t k[20], tc_srp_ops *ops);
/* u = SHA1(PAD(A) | PAD(B)); A and B at most N_len bytes. */
void tc_srp_hash_u(const tc_srp_group_def *grp, const uint8_t *A, size_t A_len, const uint8_t *B,
                   size_t B_len, uint8_t u[20], tc_srp_ops *ops);
/* The fake salt (TC_SRP_SALT_LEN) and verifier (N_len bytes) of a user name
 * under a server secret (RFC 5054 §2.5.1.3). 0 or -1. */
int tc_srp_fake_verifier(const tc_srp_group_def *grp, const uint8_t *secret, size_t secret_len,
                         const uint8_t *user, size_t user_len, uint8_t *salt, uint8_t *v,
                         tc_srp_ops *ops);

/* Per config (tc_config.srp). */
typedef struct tc_srp_cfg {
  uint8_t *user;      /* client credentials (user NUL-terminated too) */
  size_t user_len;
  uint8_t *pw;
  size_t pw_len;
  bool client;        /* tc_config_set_srp_client */
  bool server;        /* tc_config_set_srp_server */
  unsigned min_bits, max_bits;
  uint8_t secret[64]; /* server: fake-user secret */
  size_t secret_len;
} tc_srp_cfg;
void tc_srp_cfg_free(tc_srp_cfg *s);

/* Per connection (tc_conn.srp, handshake/srp12.c). */
typedef struct tc_srp_conn {
  uint8_t *user;      /* client: this connection's credentials (own) */
  size_t user_len;
  uint8_t *pw;
  size_t pw_len;
  bool own;           /* tc_conn_set_srp_credentials / the want's answer */
  bool request;       /* client: ask TC_WANT_SRP_CREDENTIALS before the ClientHello */
  bool requested;     /* client: the server asked for SRP (unknown_psk_identity) */
  bool offered;       /* client: our ClientHello offered SRP suites */
  bool named;         /* client: ... with our user name */
  uint8_t *name;      /* the SRP user name of this connection (server: as received) */
  size_t name_len;
  tc_srp_ops ops;     /* work done for SRP (tests) */
} tc_srp_conn;

/* Per handshake (tc_hs.srp, heap, wiped). */
typedef struct tc_srp_hs {
  const tc_srp_group_def *grp;
  bool answered;      /* server: the verifier want was answered */
  bool known;         /* server: ... with a real verifier */
  tc_srp_verifier real;
  uint8_t b[TC_SRP_EXP_LEN];
  uint8_t B[TC_SRP_MAX_N_BYTES];
  uint8_t v[TC_SRP_MAX_N_BYTES];
} tc_srp_hs;

#endif
