/* Resumable sessions (client side) and stateless TLS 1.3 tickets (server side). */
#ifndef TLSCORE_SESSION_H
#define TLSCORE_SESSION_H

#include <stdatomic.h>

#include "crypto/crypto.h"
#include "engine/config_internal.h"
#include "tlscore/conn.h"

struct tc_session {
  atomic_int refs;
  uint16_t version;
  uint16_t suite;
  uint8_t secret[TC_HASH_MAX_LEN]; /* TLS 1.3: the resumption PSK */
  size_t secret_len;
  uint8_t *ticket;
  size_t ticket_len;
  uint32_t lifetime;
  uint32_t age_add;
  uint32_t max_early_data;
  int64_t received;   /* client clock when the ticket arrived */
  char *alpn;         /* protocol negotiated in the original connection */
  char *server_name;  /* name the original connection was made to */
  /* TLS 1.2 and older: secret holds the 48-byte master secret; resumption
   * by session ID and/or by RFC 5077 ticket (ticket may be empty). */
  bool ems;           /* the session was made with extended master secret */
  uint8_t session_id[32];
  size_t session_id_len;
  /* The PSK identity that authenticated the session (NULL: none). */
  uint8_t *psk_identity;
  size_t psk_identity_len;
  uint8_t *srp_user;  /* the SRP user name that authenticated the session */
  size_t srp_user_len;
  /* Client: the ClientHello that offers this session, as a config template
   * and a server name made it (handshake/client13.c); set once, then
   * read-only; public bytes. */
  _Atomic(struct tc_ch_blob *) ch_blob;
};

tc_session *tc_session_new(void);
bool tc_session_usable(const tc_session *s, int64_t now);
/* A TLS 1.2-or-older session that can be offered (master secret, ID or ticket, not expired). */
bool tc_session_usable12(const tc_session *s, int64_t now);

/* What a server seals into a ticket. */
typedef struct tc_ticket_state {
  uint16_t version;
  uint16_t suite;
  uint8_t psk[TC_HASH_MAX_LEN];
  size_t psk_len;
  int64_t issued;      /* server clock */
  uint32_t age_add;
  uint32_t lifetime;
  char alpn[256];      /* "" when none */
  uint8_t psk_identity[TC_PSK_MAX_IDENTITY]; /* the session's PSK identity */
  size_t psk_identity_len;                   /* 0: none */
  uint8_t srp_user[TC_SRP_MAX_USER];         /* the session's SRP user name */
  size_t srp_user_len;                       /* 0: none */
} tc_ticket_state;

/* Seal state into a fresh ticket (malloc'd). Draws a 12-byte nonce from the
 * config rng (and the 32-byte ticket secret on first use). */
int tc_ticket_seal(tc_config *cfg, const tc_ticket_state *st, uint8_t **out, size_t *out_len,
                   tc_error *err);
/* Open a ticket sealed under the current or previous period key. Returns 0
 * on success, -1 when the ticket is not ours / tampered / too old. */
int tc_ticket_open(tc_config *cfg, const uint8_t *ticket, size_t len, tc_ticket_state *st);

/* The longest ticket we open (ours are far shorter). */
#define TC_TICKET_MAX_LEN 1024

/* An opened ticket's state read in place: the pointers are into the
 * buffer given to tc_ticket_open_in. */
typedef struct tc_ticket_view {
  uint16_t version;
  uint16_t suite;
  const uint8_t *psk;
  size_t psk_len;        /* <= TC_HASH_MAX_LEN */
  int64_t issued;
  uint32_t age_add;
  uint32_t lifetime;
  const uint8_t *alpn;   /* not NUL-terminated */
  size_t alpn_len;
  const uint8_t *psk_identity;
  size_t psk_identity_len; /* <= TC_PSK_MAX_IDENTITY */
  const uint8_t *srp_user;
  size_t srp_user_len;
} tc_ticket_view;

/* tc_ticket_open without the copy into a tc_ticket_state: the plaintext
 * is opened into buf and *v points into it, at `now` on the server's
 * clock. Same checks and outcome as tc_ticket_open. *used is how many
 * bytes of buf were written (the caller wipes them, whatever the result,
 * once it is done with *v). */
int tc_ticket_open_in(tc_config *cfg, const uint8_t *ticket, size_t len, int64_t now,
                      uint8_t buf[TC_TICKET_MAX_LEN], size_t *used, tc_ticket_view *v);

/* Clear and free the ticket keys' keyed AEAD contexts (tc_config_unref). */
void tc_ticket_keys_free(tc_config *cfg);

#endif
