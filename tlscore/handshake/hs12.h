/* TLS 1.2-and-older handshake state embedded in tc_hs / tc_conn (no tc_conn dependency). */
#ifndef TLSCORE_HS12_H
#define TLSCORE_HS12_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "record/suites12.h"

/* Per handshake (lives in tc_hs as hs->t12, wiped with it). */
typedef struct tc_hs12 {
  /* Every handshake message of this handshake, in order: TLS 1.2 hashes the
   * transcript with the suite's PRF hash (unknown until ServerHello) and
   * CertificateVerify may use another hash, so keep the bytes, not a hash. */
  uint8_t *tr;
  size_t tr_len, tr_cap;
  bool tr_failed;
  /* Running hash of tr[0..th_len) with th_alg (the PRF hash once it is
   * known), so EMS and each Finished hash only the new bytes. */
  tc_hash_ctx th;
  tc_hash_alg th_alg;
  size_t th_len;
  bool tr_stream;            /* abbreviated handshake: th only, no tr buffer */
  /* Key block, derived once at the first key change and wiped once both
   * directions are installed (kb_dirs: bit 0 write, bit 1 read). */
  tc_keyblock kb;
  bool have_kb;
  uint8_t kb_dirs;
  const tc_suite12 *suite;
  uint8_t client_random[32], server_random[32];
  uint16_t client_version;   /* ClientHello.legacy_version (RSA premaster check) */
  bool ems;                  /* extended master secret negotiated */
  bool etm;                  /* encrypt-then-MAC negotiated (CBC suites) */
  bool ticket;               /* server: we send a NewSessionTicket; client: expect one */
  bool status;               /* OCSP stapling negotiated */
  bool staple_due;           /* must-staple path: CertificateStatus must bring one */
  bool verify_deferred;      /* client, TC_VERIFY_CALLER with status: the verify want
                              * waits for CertificateStatus (or the message that
                              * replaces it), so the caller's must-staple decision
                              * sees the staple */
  bool ccs_seen;             /* peer's ChangeCipherSpec arrived; read keys installed */
  bool resumed;
  bool finished_seen;        /* first Finished of this handshake went by (tls-unique) */
  bool client_cert_sent;     /* server: the client sent a non-empty Certificate */
  uint16_t peer_rsl;         /* peer's record_size_limit (0: none) */
  uint16_t scheme;           /* our signature scheme for ServerKeyExchange / CertificateVerify */
  /* client only (client12.c): heap buffers freed by tc_hs12_release */
  uint8_t *c_pub;            /* our ECDHE/DHE share for ClientKeyExchange */
  size_t c_pub_len;
  uint8_t *pms;              /* premaster secret from ServerKeyExchange (ECDHE/DHE) */
  size_t pms_len;
  uint8_t *nst;              /* ticket from the server's NewSessionTicket */
  size_t nst_len;
  uint32_t nst_lifetime;
  bool got_nst;
  bool offered_session;      /* a TLS 1.2-or-older session was offered */
  bool offer_same_name;      /* ...made with this connection's server name (both
                              * none, or equal): client12.c offer_session */
  tc_hash_alg offered_prf;   /* ...with this PRF hash (TC_HASH_NONE for SSL 3.0) */
  bool th_ch;                /* client: th holds the ClientHello, hashed with
                              * offered_prf as it was sent (client13.c
                              * write_kept_client_hello); the ServerHello keeps
                              * it for a resumption with that hash */
  bool offered13;            /* the ClientHello offered TLS 1.3 */
  bool offered_status;       /* ... status_request (OCSP stapling) */
  bool offered_rsl;          /* ... record_size_limit */
  uint16_t sent_rsl;         /* ...with this value */
  /* Our suites for this handshake (indexes into tc_suite12_all), worked out
   * once: the ClientHello, the offered session and the ServerHello check
   * all need them. */
  uint8_t offered_idx[64];
  uint8_t n_offered;
  bool offered_known;
} tc_hs12;

/* Per connection, across handshakes (renegotiation, resumption, bindings). */
typedef struct tc_conn12 {
  uint8_t master[48];
  bool have_master;
  uint8_t client_random[32], server_random[32]; /* of the latest handshake (exporter) */
  bool secure_reneg;         /* RFC 5746 negotiated on the first handshake */
  uint8_t client_vd[36], server_vd[36];         /* latest Finished verify_data */
  size_t vd_len;
  uint8_t tls_unique[36];    /* first Finished of the latest handshake */
  size_t tls_unique_len;
  bool ems, etm;
  unsigned handshakes;       /* completed handshakes on this connection */
  bool hello_request_sent;   /* server: waiting for the client's renegotiation */
  uint8_t session_id[32];    /* server: the session id of this connection */
  size_t session_id_len;
} tc_conn12;

/* Frees h's heap buffers, wiping the secret ones (transcript, premaster).
 * The struct itself is left as it is: it lives in a tc_hs, which
 * tc_hs_free wipes whole right after. */
void tc_hs12_release(tc_hs12 *h);

#endif
