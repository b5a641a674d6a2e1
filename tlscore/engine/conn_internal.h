/* struct tc_conn and the interface between the driver (conn.c) and the handshakes. */
#ifndef TLSCORE_CONN_INTERNAL_H
#define TLSCORE_CONN_INTERNAL_H

#include "auth/psk.h"
#include "auth/session.h"
#include "crypto/crypto.h"
#include "engine/config_internal.h"
#include "handshake/hs12.h"
#include "handshake/keysched.h"
#include "msg/msg.h"
#include "record/record.h"
#include "tlscore/conn.h"

/*
 * Randomness: every draw goes through tc_random(&cfg->rng) (directly or via
 * tc_kex_generate / tc_pk_sign), in this exact order, so tests can script
 * the bytes (RFC 8448 replays):
 *
 * Client (TLS 1.3):
 *   1. ClientHello.random                      32 bytes
 *   2. legacy_session_id (middlebox compat on)  32 bytes
 *   3. key share private key for the first preferred group (tc_kex_generate:
 *      X25519 32 bytes; P-256/P-384 as the crypto provider draws them)
 *   after a HelloRetryRequest:
 *   4. key share private key for the group the server selected
 *   with client authentication:
 *   5. the CertificateVerify signature's randomness (RSA-PSS salt = hash
 *      length; ECDSA nonce as the provider draws it; Ed25519 none)
 *
 * Server (TLS 1.3):
 *   1. ServerHello.random                      32 bytes (not for an HRR:
 *      its random is the fixed HRR value; after an HRR the draw happens
 *      when the second ClientHello is answered)
 *   2. key share private key for the selected group
 *   3. CertificateVerify signature randomness (full handshakes only)
 *   after the client's Finished (with tc_config_set_early_tickets and no
 *   client auth: right after our Finished), per NewSessionTicket:
 *   4. ticket_age_add                           4 bytes
 *   5. on the very first ticket of a config without tc_config_set_ticket_key:
 *      the ticket base secret                  32 bytes
 *   6. the ticket's AEAD nonce                 12 bytes
 */

typedef enum {
  /* client */
  HS_C_START = 0,
  HS_C_WAIT_SH,
  HS_C_WAIT_EE,
  HS_C_WAIT_CERT_CR,
  HS_C_WAIT_CERT,
  HS_C_WAIT_CV,
  HS_C_WAIT_FINISHED,
  HS_C_SEND_FLIGHT, /* action: our Certificate/CertificateVerify/Finished */
  /* server */
  HS_S_WAIT_CH,
  HS_S_WAIT_CH2,
  HS_S_PSK_KEY,             /* action: TC_WANT_PSK_KEY answered, process the kept
                             * ClientHello again (tc_server13_resume) */
  HS_S_WAIT_CERT,
  HS_S_WAIT_CV,
  HS_S_WAIT_FINISHED,
  /* TLS 1.2 and older (tls12.h): client */
  HS_C12_WAIT_CERT,
  HS_C12_WAIT_CERT_STATUS,
  HS_C12_WAIT_SKE,
  HS_C12_WAIT_CR_SHD,       /* CertificateRequest or ServerHelloDone */
  HS_C12_WAIT_SHD,
  HS_C12_SEND_FLIGHT,       /* action: Certificate, CKE, CertificateVerify, CCS, Finished */
  HS_C12_WAIT_NST,          /* NewSessionTicket (or CCS when none comes) */
  HS_C12_WAIT_FINISHED,     /* ChangeCipherSpec, then Finished */
  /* TLS 1.2 and older: server */
  HS_S12_WAIT_CERT,
  HS_S12_WAIT_CKE,
  HS_S12_WAIT_CV,
  HS_S12_WAIT_FINISHED,     /* ChangeCipherSpec, then Finished */
  HS_S12_PSK_KEY,           /* action: finish ClientKeyExchange once the PSK want is answered */
  HS_S12_SRP_FLIGHT,        /* action: ServerKeyExchange once the SRP verifier want is answered */
  /* both */
  HS_CONNECTED,
  HS_FAILED
} tc_hs_state;

/* TLS 1.3, client: one PSK offered in the ClientHello (handshake/psk13.c). */
typedef struct tc_psk_offer {
  tc_binder_kind kind;      /* resumption ticket, external or imported */
  tc_hash_alg hash;         /* binder hash: the suite's hash if it is selected */
  const uint8_t *key;       /* ticket: hs->psk; external: the entry's key */
  size_t key_len;
  uint8_t ipsk[TC_HASH_MAX_LEN]; /* imported: the derived key (RFC 9258 ipskx) */
  const uint8_t *identity;  /* as sent */
  size_t id_len;
  uint8_t *iid;             /* imported: the ImportedIdentity bytes (owned) */
  const tc_psk_entry *entry;/* external and imported: the configured PSK */
  bool ticket;
} tc_psk_offer;

/* Handshake-only state, freed when the handshake completes. */
typedef struct tc_hs {
  tc_hash_ctx th;           /* running transcript (valid once hash known) */
  bool th_started;
  size_t th_prefix;         /* !th_started: th holds the first ClientHello up to
                             * its binders (hashed for the binder), this long */
  uint8_t *ch1;             /* client: ClientHello bytes until the hash is known */
  size_t ch1_len;
  bool ch1_hashed;          /* client: no ch1 copy; th holds the whole first ClientHello
                             * (its hash was known when it was sent) */
  const uint8_t *ch1_kept;  /* client, TLS 1.2 offered alone: no ch1 copy either; the
                             * first ClientHello is these kept bytes (a session's or the
                             * template's, which outlive the connection) with
                             * client_random and session_id written over them */
  size_t ch1_kept_len, ch1_kept_sid;
  tc_ks ks;
  bool ks_early_psk;        /* ks holds the PSK's Early Secret (from its binder) */
  uint8_t c_hs[TC_HASH_MAX_LEN], s_hs[TC_HASH_MAX_LEN];
  tc_kex kex;
  uint16_t kex_group;
  uint8_t session_id[32];
  size_t session_id_len;
  uint8_t client_random[32];
  bool hrr;                 /* a HelloRetryRequest happened */
  uint16_t hrr_group;
  uint8_t ch1_digest[32];   /* SHA-256 of what the second ClientHello must repeat */
  uint8_t *cookie;
  size_t cookie_len;
  bool ccs_sent;
  bool psk_offered;         /* client: we sent a pre_shared_key */
  bool psk_accepted;
  uint8_t psk[TC_HASH_MAX_LEN];
  size_t psk_len;
  tc_hash_alg psk_hash;
  uint16_t offered_suite;   /* client: suite of the offered session */
  tc_psk_offer offers[TC_MSG_MAX_PSKS]; /* client: pre_shared_key identities, in order */
  size_t n_offers;
  uint16_t psk_selected;    /* client: the server's selected_identity */
  bool psk_ke;              /* the PSK alone, no (EC)DHE (psk_ke) */
  uint8_t *ch_saved;        /* server: ClientHello kept during TC_WANT_PSK_KEY */
  size_t ch_saved_len;
  uint32_t psk_skip;        /* server: identities found unknown or unusable */
  size_t psk_asked;         /* server: 1 + index of the identity asked for, 0 none */
  bool psk_asked_imported;
  uint8_t *psk_asked_ctx;   /* its ImportedIdentity context (copy) */
  size_t psk_asked_ctx_len;
  /* client: what the server asked for in CertificateRequest */
  bool cert_requested;
  uint8_t *cr_context;
  size_t cr_context_len;
  uint8_t *cr_sig_algs;     /* raw u16 list */
  size_t cr_n_sig_algs;
  uint8_t *cas;             /* raw DistinguishedName list */
  size_t cas_len;
  size_t n_cas;
  const uint8_t **ca_ptrs;  /* per-name pointers into cas (acceptable_ca) */
  size_t *ca_lens;
  /* our certificate for this handshake */
  tc_cert **my_chain;
  size_t my_n;
  tc_privkey *my_key;
  bool own_answer;          /* my_chain/my_key are references we hold */
  uint16_t my_scheme;
  uint16_t cc_send_alg;     /* compress our Certificate with this (RFC 8879); 0: don't */
  /* peer scheme lists the server answers against */
  bool client_sent_sni;
  bool offered_alpn;
  bool early_data_offered;  /* server: skip undecryptable early data */
  bool client_can_resume;   /* server: the client offered a PSK mode we accept,
                             * so tickets are worth sending */
  bool tickets_early;       /* server: tickets already went with our Finished */
  size_t early_skipped;     /* server: bytes of rejected early data skipped */
  bool early_window_closed; /* server: a record decrypted, so none is early data any more */
  tc_hs12 t12;              /* TLS 1.2 and older */
  tc_srp_hs *srp;           /* SRP key exchange (handshake/srp12.c) */
} tc_hs;

#define TC_CONN_MAX_FRESH 4

struct tc_conn {
  /* The fields every record and message of a handshake reads come first:
   * within 128 bytes of the start, each access is a one-byte displacement
   * from the connection's address (x86-64), not four, and they share two
   * cache lines. */
  tc_config *cfg;
  tc_role role;
  tc_hs_state state;
  tc_hs *hs;
  tc_want want;
  bool started;
  bool alert_sent;          /* our one alert (or close_notify) is queued */
  bool close_sent;
  bool peer_closed;
  bool handshake_done;
  bool lazy_records;        /* tc_conn_set_lazy_records */
  uint8_t write_records;    /* tc_conn_set_write_records (0 = 1) */
  unsigned empty_run;        /* consecutive empty records */
  unsigned warn_run;         /* consecutive warning alerts */
  uint8_t alert_in[2];       /* last alert received: level (0: none yet), description */
  unsigned key_update_run;   /* KeyUpdates since the peer's last application data */
  unsigned ccs13_count;      /* TLS 1.3 compatibility CCS records received */
  /* decrypted application data waiting in the record input buffer */
  size_t app_off, app_len;
  /* negotiated */
  uint16_t version, suite, group, peer_scheme;
  uint16_t peer_cert_compression; /* RFC 8879 algorithm of the peer's Certificate, 0: none */
  tc_hash_alg hash;
  size_t hlen;
  tc_aead_alg aead;
  size_t key_len;
  bool resumed;
  bool psk_external;        /* TLS 1.3: authenticated by an external PSK */
  tc_error err;             /* the error that failed the connection (latches) */
  tc_error refusal;         /* why the last refused call was refused; the
                             * connection goes on (tc_conn_error shows it
                             * while err is empty) */
  tc_rec rec;
  /* Secrets that are all zero whenever the connection is not in use:
   * tc_conn_free wipes them (the TLS 1.3 ones on a TLS 1.3 connection, the
   * only version that writes them), so tc_conn_new does not zero them again
   * for a connection taken from the config's pool (zero_conn). Keep them
   * together, right after rec, and put nothing else among them. */
  tc_hash_ctx pha_run;      /* TLS 1.3 post-handshake authentication transcript (below) */
  uint8_t c_ap[TC_HASH_MAX_LEN], s_ap[TC_HASH_MAX_LEN]; /* TLS 1.3 application secrets */
  uint8_t exporter[TC_HASH_MAX_LEN];
  uint8_t res_master[TC_HASH_MAX_LEN];
  tc_conn12 c12;            /* TLS 1.2 and older: secrets and state across handshakes */
  /* outgoing handshake messages of the current key epoch (one record set) */
  tc_writer hsw;
  /* TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2): whether the
   * client offered it, the transcript through the client Finished (kept
   * only then), and, on a server, the exchange under way: its context, its
   * transcript (a client's lives only while it answers), which message is
   * due. */
  bool pha_offered;
  tc_hash_ctx *pha_base;
  uint8_t pha_ctx[8];       /* (the running transcript, pha_run, is with the secrets above) */
  enum { PHA_NONE = 0, PHA_WAIT_CERT, PHA_WAIT_CV, PHA_WAIT_FINISHED } pha_state;
  unsigned pha_count;        /* post-handshake authentications completed */
  char *alpn;
  char *server_name;        /* client: name to verify/send; server: SNI received;
                             * NULL, sni_buf, or (a name over 63 bytes) heap */
  char sni_buf[64];         /* the name when it fits: no allocation per connection
                             * (64, not 256: an idle connection keeps it) */
  char **alpn_list;         /* per-connection ALPN override */
  size_t n_alpn_list;
  bool alpn_override;
  /* peer authentication */
  tc_cert **peer_chain;
  size_t peer_n;
  unsigned peer_flags;
  bool verify_answered;
  tc_cert *my_leaf;         /* server: leaf we authenticated with (tls-server-end-point) */
  bool have_exporter;
  bool key_update_pending;  /* peer asked: answer with our own update */
  /* sessions */
  tc_session *offer;        /* client: session to resume */
  tc_session *latest;       /* client: newest ticket received */
  bool latest_is_offer;     /* client: ...or, with latest NULL, the session offered:
                             * resumed and nothing new came (no reference taken) */
  /* Client: TLS 1.3 tickets received and not yet taken by the caller
   * (tc_conn_take_sessions), oldest first; a full queue drops its oldest. */
  tc_session *fresh[TC_CONN_MAX_FRESH];
  uint8_t n_fresh;
  unsigned tickets_sent;
  uint8_t ticket_nonce;
  bool fallback;            /* client: send TLS_FALLBACK_SCSV (tc_conn_set_fallback) */
  uint8_t *ocsp;            /* client: OCSP response stapled by the server (TLS 1.2) */
  size_t ocsp_len;
  tc_conn_psk psk;          /* shared keys: identity, hint, this handshake's key (auth/psk.c) */
  tc_srp_conn srp;          /* SRP credentials and user name (handshake/srp12.c) */
};

/* ---- services of the driver used by the handshakes ---- */

/* Refuse a call that the connection survives (a setter called too late,
 * renegotiation not allowed): records why in c->refusal, never in c->err,
 * so a later real failure keeps its own error and alert. Returns TC_FAIL. */
int tc_conn_refuse(tc_conn *c, tc_err code, const char *why);
/* Keep a server name of len bytes (no NUL among them) as c->server_name,
 * replacing any before: in c->sni_buf when it fits (most host names do),
 * else on the heap. false: out of memory (the old name is kept). */
bool tc_conn_keep_server_name(tc_conn *c, const char *name, size_t len);

/* Append a handshake message written to c->hsw at offset `start` to the
 * transcript (the message is sent at the next flush). */
void tc_hs_transcript_add(tc_conn *c, const uint8_t *msg, size_t len);
/* Transcript hash so far (hlen bytes) without disturbing the running hash. */
void tc_hs_transcript_hash(tc_conn *c, uint8_t *out);
/* Queue everything in c->hsw as handshake records under the current keys. */
int tc_hs_flush(tc_conn *c);
/* Queue a dummy ChangeCipherSpec (middlebox compatibility). */
int tc_hs_send_ccs(tc_conn *c);
/* Install TLS 1.3 traffic keys from a secret. Reading: fails with
 * unexpected_message if handshake bytes remain buffered (key changes happen
 * at record boundaries only). */
int tc_hs_set_read_secret(tc_conn *c, const uint8_t *secret);
int tc_hs_set_write_secret(tc_conn *c, const uint8_t *secret);
/* Derive suite parameters (hash, aead) into c. */
int tc_hs_set_suite(tc_conn *c, uint16_t suite);
/* Start the transcript with the negotiated hash. */
void tc_hs_transcript_start(tc_conn *c);
/* Start it with the first ClientHello, continuing from the binder's hash of
 * its prefix (th_prefix) when that used the negotiated hash. */
void tc_hs_transcript_start_ch(tc_conn *c, const uint8_t *ch, size_t len);
/* Hash of the first ClientHello up to its binders (ch[0..prefix)) into out,
 * keeping it for tc_hs_transcript_start_ch. Needs !th_started. */
void tc_hs_binder_prefix_hash(tc_conn *c, tc_hash_alg alg, const uint8_t *ch, size_t prefix,
                              uint8_t *out);

/* Peer chain handling shared by both sides. Parses certificates into
 * c->peer_chain; runs builtin verification or arranges the caller want. */
int tc_hs_take_peer_chain(tc_conn *c, const tc_certificate *cm);
int tc_hs_verify_peer_chain(tc_conn *c);
/* CertificateVerify content and checks (RFC 8446 §4.4.3). */
int tc_hs_check_cert_verify(tc_conn *c, const uint8_t *body, size_t len, const uint8_t *allowed,
                            size_t n_allowed);
int tc_hs_write_cert_verify(tc_conn *c);
/* Sent as a CompressedCertificate when hs->cc_send_alg is set and the
 * caller's compressor succeeds, as a Certificate otherwise. */
int tc_hs_write_certificate(tc_conn *c, const uint8_t *ctx, size_t ctx_len);
/* Certificate compression (RFC 8879): the first of our algorithms that the
 * peer's compress_certificate list names (0: none, or no compressor). */
uint16_t tc_hs_pick_cert_compression(const tc_conn *c, tc_u16s peer);
/* A received CompressedCertificate body (we listed our algorithms): the
 * Certificate body it holds, malloc'd, in *out / *out_len. decode_error,
 * illegal_parameter (an algorithm we did not list) or bad_certificate
 * (over the handshake size limit, or not decompressing to exactly the
 * declared length). */
int tc_hs_decompress_certificate(tc_conn *c, const uint8_t *body, size_t len, uint8_t **out,
                                 size_t *out_len);
int tc_hs_write_finished(tc_conn *c, const uint8_t *base);
int tc_hs_check_finished(tc_conn *c, const uint8_t *base, const uint8_t *body, size_t len);
/* Pick a scheme for our key from the peer's list (raw u16s) in our config order. */
uint16_t tc_hs_pick_scheme(const tc_conn *c, const tc_privkey *key, const uint8_t *peer_list,
                           size_t n);
/* Derive the application secrets and exporter from the master secret once
 * the transcript covers the server Finished. */
int tc_hs_derive_app_secrets(tc_conn *c);
void tc_hs_free(tc_conn *c);
/* Our signature schemes as wire u16s: TLS 1.3 CertificateVerify-capable
 * ones only (signature_algorithms), all configured ones
 * (signature_algorithms_cert), or those of TLS 1.2 (tc_config_schemes12:
 * with the legacy SHA-1/SHA-224 pairs when they are on). out holds
 * 2 * TC_CFG_MAX_SCHEMES12 bytes. Returns the count. */
typedef enum { TC_SCHEMES_CV13, TC_SCHEMES_CERT13, TC_SCHEMES_TLS12 } tc_schemes_use;
size_t tc_hs_encode_schemes(const tc_config *cfg, tc_schemes_use use, uint8_t *out);
/* Server: can this config do TLS 1.3 at all (version, a TLS 1.3 suite, a
 * certificate or shared key)? If not, it answers with TLS 1.2 and no
 * downgrade sentinel. */
bool tc_hs_server_can13(const tc_config *cfg);
/* Server, TLS 1.2 and older: write the downgrade sentinel into random. */
void tc_hs_downgrade_sentinel(const tc_config *cfg, uint16_t negotiated, uint8_t random[32]);
const char *const *tc_conn_alpn_list(const tc_conn *c, size_t *n);
/* Server, any version: our first ALPN protocol the ClientHello also offers
 * (*alpn NULL: none offered, or none in common with the lax setting). Fails
 * with no_application_protocol when strict and nothing is in common. */
int tc_hs_select_alpn(tc_conn *c, const tc_client_hello *ch, const char **alpn);

/* Resume the engine after a want was answered (TC_OK when it only needs
 * I/O); fail it with c->err set (sends the alert). Both return what the
 * answer call should return. */
int tc_conn_continue(tc_conn *c);
int tc_conn_fail(tc_conn *c);
/* Client: build and queue the first ClientHello (state HS_C_WAIT_SH). */
int tc_conn_send_client_hello(tc_conn *c);

/* Tests: whether the config's ClientHello template for slot keeps a whole
 * first ClientHello (client13.c, "a first ClientHello, whole"). */
bool tc_client13_tmpl_has_first(tc_config *cfg, int slot);

/* Message handlers. Return the next state, or HS_FAILED with c->err set. */
int tc_client13_start(tc_conn *c);
/* The first ClientHello into the TLS 1.2 transcript (at the ServerHello):
 * the copy kept until the hash was known, or the kept bytes it was
 * written from (hs->ch1_kept). */
void tc_client13_ch1_to_transcript12(tc_conn *c);
tc_hs_state tc_client13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
tc_hs_state tc_client13_action(tc_conn *c);
tc_hs_state tc_server13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
/* Post-handshake messages (both roles). */
/* msg: the whole handshake message (header included). */
int tc_post13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len);
int tc_post13_key_update(tc_conn *c, bool request);
int tc_server13_send_tickets(tc_conn *c);
/* HS_S_PSK_KEY: the kept ClientHello again, with the caller's answer. */
tc_hs_state tc_server13_resume(tc_conn *c);

/* ---- TLS 1.3 PSKs (handshake/psk13.c) ---- */
/* The modes (TC_PSK_MODE_*) this end offers (client) or accepts (server). */
unsigned tc_psk13_modes(const tc_config *cfg);
/* Client: hs->offers from the session's ticket (ticket: hs->psk holds its
 * secret) and the connection's or config's external PSKs. */
int tc_psk13_client_prepare(tc_conn *c, bool ticket);
/* Client: psk_ke only, with something offered: no key share is sent. */
bool tc_psk13_client_ke_only(const tc_conn *c);
/* Client, after a HelloRetryRequest: keep only the offers with this hash. */
void tc_psk13_client_keep_hash(tc_conn *c, tc_hash_alg hash);
/* Client: psk_key_exchange_modes and pre_shared_key (zero binders) into e. */
void tc_psk13_client_fill(tc_conn *c, tc_exts *e);
/* Client: compute and patch the binders of the ClientHello at hsw[start..],
 * whose binders list starts at bpos. */
int tc_psk13_client_binders(tc_conn *c, size_t start, size_t bpos);
/* Client: the ServerHello selected this identity (checks, Early Secret). */
int tc_psk13_client_selected(tc_conn *c, uint16_t selected);
void tc_psk13_clear_offers(tc_hs *hs);
/* Server: the first acceptable identity of the ClientHello, in its order. */
typedef struct tc_psk13_pick {
  int index;                /* -1: none */
  bool ticket;              /* a resumption ticket (else an external PSK) */
  bool external;
  bool unknown;             /* an external identity was not known */
  bool incompatible;        /* a known PSK's hash fits no common suite */
} tc_psk13_pick;
/* TC_OK (out->index may be -1), TC_WANT (TC_WANT_PSK_KEY raised; process
 * the ClientHello again after the answer), TC_FAIL (binder mismatch: decrypt_error). */
int tc_psk13_server_pick(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg, bool second,
                         const char *alpn, tc_psk13_pick *out);

#endif
