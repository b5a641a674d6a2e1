/* Shared keys (PSK): what a config and a connection hold, and the helpers the handshakes use. */
#ifndef TLSCORE_PSK_H
#define TLSCORE_PSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "tlscore/config.h"

#define TC_CFG_MAX_PSKS 16

/* One shared key. identity and key are heap copies; key is wiped on free. */
typedef struct tc_psk_entry {
  uint8_t *identity;
  size_t id_len;
  uint8_t *key;
  size_t key_len;
  tc_hash_alg hash;          /* TLS 1.3 binder hash (SHA-256 or SHA-384) */
  /* TLS 1.3, RFC 9258 (tc_config_set_psk_import): offered only imported,
   * once per target KDF, under this context (heap copy, may be empty). */
  bool import;
  uint8_t *context;
  size_t context_len;
} tc_psk_entry;

/* In struct tc_config. */
typedef struct tc_cfg_psk {
  tc_psk_entry *list;        /* TC_CFG_MAX_PSKS entries, allocated by the first
                              * tc_config_add_psk (0.9 KiB that every config,
                              * most configs carry unused) */
  size_t n;
  bool server_want;          /* server answers TC_WANT_PSK_KEY */
  bool client_want;          /* client answers TC_WANT_PSK_IDENTITY */
  uint8_t *hint;             /* server: identity hint (TLS 1.2 ServerKeyExchange) */
  size_t hint_len;
} tc_cfg_psk;

/* In struct tc_conn: lives as long as the connection. */
typedef struct tc_conn_psk {
  tc_psk_entry own;          /* client: tc_conn_set_psk (own.identity NULL: none) */
  uint8_t *identity;         /* the identity asked for / negotiated: id_small
                              * when it fits, else a heap copy; set it with
                              * tc_conn_psk_set_identity only */
  size_t id_len;
  uint8_t id_small[32];
  uint8_t *hint;             /* client: the server's identity hint */
  size_t hint_len;
  bool have_hint;
  /* The key of this handshake (a config entry's copy or an answer), wiped
   * when the handshake ends. */
  uint8_t *key;
  size_t key_len;
  /* TLS 1.2 client: the key of the config or tc_conn_set_psk entry chosen
   * for this handshake, borrowed rather than copied (the entry outlives
   * the handshake and wipes its key itself). NULL when key is set. */
  const uint8_t *entry_key;
  size_t entry_key_len;
  bool answered;             /* a want was answered (key may be NULL: unknown / declined) */
  tc_hash_alg hash;          /* TLS 1.3: the answered key's hash (SHA-256 unless
                              * tc_conn_answer_psk_key_hash says otherwise) */
} tc_conn_psk;

/* Copy into e (allocating); -1 on bad lengths or no memory. */
int tc_psk_entry_set(tc_psk_entry *e, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, tc_hash_alg hash);
void tc_psk_entry_clear(tc_psk_entry *e);
void tc_cfg_psk_clear(tc_cfg_psk *p);
void tc_conn_psk_clear(tc_conn_psk *p);
/* Forget the handshake key (wiped; a borrowed entry key is only let go). */
void tc_conn_psk_drop_key(tc_conn_psk *p);
/* The connection's identity becomes a copy of id (NULL or 0 bytes: none);
 * short ones are kept in p->id_small without an allocation. -1 on no
 * memory (the old identity is kept then). */
int tc_conn_psk_set_identity(tc_conn_psk *p, const uint8_t *id, size_t len);
/* Replace a heap byte string (hint, ...) with a copy; -1 on no memory. */
int tc_psk_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len);
/* Server: the config's entry with this identity, NULL if none. */
const tc_psk_entry *tc_cfg_psk_find(const tc_cfg_psk *p, const uint8_t *identity, size_t id_len);
/* A printable form of an identity for error messages: printable ASCII as is,
 * other bytes as \xNN, cut with "..." to fit out (cap >= 8). */
void tc_psk_escape(const uint8_t *id, size_t len, char *out, size_t cap);

#endif
