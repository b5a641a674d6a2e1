/* Verifier (SRP) and shared-key (PSK) databases: one interface, SQLite or memory behind it. */
#ifndef TLSCORE_STORE_H
#define TLSCORE_STORE_H

/* This is libtcstore, a library beside the engine: gtls-tool, tests and the
 * GIO library link it; the engine never does. A server answers the engine's
 * TC_WANT_SRP_VERIFIER / TC_WANT_PSK_KEY from a store. Every function that
 * can fail returns a status and fills a tc_error whose message is one human
 * sentence (never a key, never a password). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/errors.h"
#include "tlscore/srp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses beside TC_OK / TC_FAIL: an answer, not an error (err untouched). */
enum {
  TC_STORE_NOT_FOUND = 4, /* no such user / identity */
  TC_STORE_MISMATCH = 5   /* tc_store_srp_check: the password is wrong */
};

typedef enum {
  TC_STORE_SRP = 1, /* SRP verifier database */
  TC_STORE_PSK = 2  /* shared-key (PSK) database */
} tc_store_kind;

/* tc_store_open flags. */
#define TC_STORE_CREATE 0x1u   /* create the file (mode 0600) if it does not exist */
#define TC_STORE_READONLY 0x2u /* open for look-ups only */

/* Limits (RFC 5054 srp_I and salt are <1..255>; RFC 4279 identity <1..2^16-1>). */
#define TC_STORE_MAX_SRP_NAME 255
#define TC_STORE_MAX_PSK_IDENTITY 65535
#define TC_STORE_MAX_PSK_KEY 512
/* Salts (TC_SRP_SALT_LEN = 16 bytes, srptool's default) and verifiers come
 * from tlscore/srp.h: tc_srp_make_verifier, tc_srp_verifier. */

typedef struct tc_store tc_store;

/* Open a database. path NULL: a fresh in-memory database (tests,
 * embedding), gone at close. Otherwise an SQLite file in WAL mode; with
 * TC_STORE_CREATE it is created 0600 when missing. A file of the other kind,
 * not a database, damaged, or written by a newer version fails with a
 * message saying which. Returns NULL on failure. A store may be used from
 * several threads (calls are serialised); for parallel look-ups open one
 * store per thread. */
tc_store *tc_store_open(const char *path, tc_store_kind kind, unsigned flags, tc_error *err);
void tc_store_close(tc_store *st);
tc_store_kind tc_store_get_kind(const tc_store *st);
/* The backend's name: "sqlite" or "memory". */
const char *tc_store_backend_name(const tc_store *st);
/* How long a change waits for another writer (SQLite; default 10 000 ms). */
void tc_store_set_busy_timeout(tc_store *st, unsigned ms);

/* ---- SRP verifier database ---- */
/* Add a user with a fresh 16-byte salt and the verifier for password in the
 * RFC 5054 group of group_bits (1024, 1536, 2048, 3072, 4096, 6144 or 8192),
 * made by tc_srp_make_verifier.
 * A user that already exists is an error (TC_ERR_EXISTS). user: 1..255
 * bytes, no ':' or control characters (GnuTLS's tpasswd cannot hold them). */
int tc_store_srp_add(tc_store *st, const char *user, const uint8_t *password, size_t pw_len,
                     unsigned group_bits, tc_error *err);
/* Add (replace = false) or add-or-replace a precomputed verifier (imports,
 * server farms, tests that must not pay for the modexp). The group must be
 * an RFC 5054 one, the salt 1..255 bytes, the verifier a number in 1..N-1. */
int tc_store_srp_put(tc_store *st, const uint8_t *user, size_t user_len,
                     const tc_srp_verifier *v, bool replace, tc_error *err);
/* New salt and verifier for an existing user, in the same group unless
 * group_bits is non-zero. TC_STORE_NOT_FOUND if there is no such user. */
int tc_store_srp_set_password(tc_store *st, const char *user, const uint8_t *password,
                              size_t pw_len, unsigned group_bits, tc_error *err);
/* The user's verifier, for tc_conn_answer_srp_verifier (user: the raw name
 * bytes from tc_conn_srp_username). TC_OK, TC_STORE_NOT_FOUND (answer NULL:
 * the engine fakes the user), or TC_FAIL. A verifier may be stored without
 * leading zero bytes (verifier_len < N's size). */
int tc_store_srp_lookup(tc_store *st, const uint8_t *user, size_t user_len, tc_srp_verifier *out,
                        tc_error *err);
/* TC_OK if password is the user's (tc_srp_check_password: constant-time
 * compare of verifiers), TC_STORE_MISMATCH if not, TC_STORE_NOT_FOUND if no
 * such user. */
int tc_store_srp_check(tc_store *st, const char *user, const uint8_t *password, size_t pw_len,
                       tc_error *err);

/* ---- shared-key (PSK) database ---- */
/* identity: 1..65535 bytes; key: 1..512 bytes. An existing identity is an
 * error (TC_ERR_EXISTS) unless replace. The key is copied and never logged. */
int tc_store_psk_add(tc_store *st, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, tc_error *err);
int tc_store_psk_put(tc_store *st, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, bool replace, tc_error *err);
/* *key_len: in = capacity of key (TC_STORE_MAX_PSK_KEY always suffices),
 * out = length. TC_OK, TC_STORE_NOT_FOUND, or TC_FAIL. The caller wipes key
 * after use. */
int tc_store_psk_lookup(tc_store *st, const uint8_t *identity, size_t id_len, uint8_t *key,
                        size_t *key_len, tc_error *err);

/* ---- both kinds ---- */
/* Delete a user / identity: TC_OK or TC_STORE_NOT_FOUND (or TC_FAIL). */
int tc_store_delete(tc_store *st, const uint8_t *name, size_t len, tc_error *err);
/* Calls fn for every entry in byte order of the names; group_bits is 0 for
 * PSK entries (keys are never handed out here). fn returns false to stop.
 * Do not change the store from fn. */
typedef bool (*tc_store_list_fn)(void *ctx, const uint8_t *name, size_t len,
                                 unsigned group_bits);
int tc_store_list(tc_store *st, tc_store_list_fn fn, void *ctx, tc_error *err);
/* Number of entries. */
int tc_store_count(tc_store *st, size_t *count, tc_error *err);

/* ---- GnuTLS files ---- */
/* Import srptool's tpasswd (with its tpasswd.conf) into an SRP store, or
 * psktool's "identity:hexkey" file into a PSK store (conf_path NULL). All
 * entries or none are added, in one transaction; existing names are
 * replaced. Groups must be RFC 5054 groups. */
int tc_store_import_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err);
/* Write the store as srptool / psktool files (created 0600, replaced
 * atomically), which gnutls-serv --srppasswd/--srppasswdconf or --pskpasswd
 * read. conf_path is required for SRP stores and ignored for PSK stores. */
int tc_store_export_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err);

#ifdef __cplusplus
}
#endif
#endif
