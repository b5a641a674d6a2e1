/* Record layer: framing, fragmentation, size limits, record protection and handshake reassembly. */
#ifndef TLSCORE_RECORD_H
#define TLSCORE_RECORD_H

/* On the path every connection runs (a resumed TLS 1.2 handshake: record
 * I/O, key installation, Finished, the driver, set-up and free). GCC lays
 * hot functions out together (.text.hot), so the code of one
 * handshake spans fewer instruction-cache lines than when these functions
 * sit among the cold ones of their files: a resumed pair's code is larger
 * than the 32 KiB L1i of common CPUs (bench/README.md, issue 13). */
#define TC_HOT __attribute__((hot))
/* The common case of a branch in such a function, so that its code runs
 * straight through and the rare case is laid out after it. */
#define TC_LIKELY(x) __builtin_expect(!!(x), 1)
#define TC_UNLIKELY(x) __builtin_expect(!!(x), 0)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "tlscore/errors.h"

#define TC_REC_HDR_LEN 5
#define TC_REC_MAX_PLAIN 16384
/* Ciphertext beyond the plaintext limit: RFC 5246 §6.2.3 allows 2048 (CBC
 * with up to 255 bytes of padding, MAC, explicit IV), RFC 8446 §5.2 256. */
#define TC_REC_MAX_EXPANSION 2048
#define TC_REC_MAX_EXPANSION13 256
#define TC_REC_MAX_LEN (TC_REC_HDR_LEN + TC_REC_MAX_PLAIN + TC_REC_MAX_EXPANSION)
/* What we send never needs more than 256 bytes of expansion (minimal CBC
 * padding), so the output buffer is sized by this. */
#define TC_REC_MAX_OUT_LEN (TC_REC_HDR_LEN + TC_REC_MAX_PLAIN + TC_REC_MAX_EXPANSION13)
/* Floods (issue 10; OpenSSL and GnuTLS bound them too): more consecutive
 * warning alerts or empty records than this is unexpected_message. Four
 * lets through the few a real peer sends (tlsfuzzer's SSL Death Alert
 * probe expects 4 accepted and the 5th refused). */
#define TC_REC_MAX_WARNINGS 4
#define TC_REC_MAX_EMPTY 4
/* KeyUpdates in a row without application data from the peer. RFC 8446
 * sets no limit and tlsfuzzer's test-tls13-keyupdate sends 32 and expects
 * them all answered, so the bound is that, not 4: each costs one HKDF. */
#define TC_REC_MAX_KEY_UPDATES 32
/* Early data a server that rejects 0-RTT skips (RFC 8446 §4.2.10: up to
 * its max_early_data_size; we advertise none, so OpenSSL's default,
 * 2^14 bytes, counted as ciphertext minus tag and type byte). */
#define TC_REC_MAX_EARLY_SKIP 16384
#define TC_HS_MAX_MSG_DEFAULT 65536
/* The largest well-formed ClientHello: every vector at its maximum
 * (2+32+1+32+2+65534+1+255+2+65535 body bytes, as OpenSSL also allows). */
#define TC_HS_MAX_CLIENT_HELLO 131396

enum {
  TC_CT_CHANGE_CIPHER_SPEC = 20,
  TC_CT_ALERT = 21,
  TC_CT_HANDSHAKE = 22,
  TC_CT_APPLICATION_DATA = 23
};
/* Pseudo content type from tc_rec_next: an SSLv2-format CLIENT-HELLO (RFC
 * 5246 Appendix E.2) as the very first record when tc_rec.ssl2_hello is
 * set; data is the SSLv2 message without its 2-byte header. */
#define TC_CT_SSL2_HELLO 0x80

typedef struct tc_prot tc_prot;

/* One record protection scheme. TLS 1.3 AEAD lives here now; TLS 1.2 AEAD,
 * CBC (MAC-then-encrypt / encrypt-then-MAC) and the SSL 3.0 MAC slot in as
 * further ops sharing this interface and the union in tc_prot. */
typedef struct tc_prot_ops {
  const char *name;
  /* TLS 1.3: the content type travels inside the protection and
   * ChangeCipherSpec records stay outside it (RFC 8446 §5). TLS 1.2 and
   * older protect a CCS like any record under the current keys, which
   * matters in a renegotiation (RFC 5246 §6.1, §7.1). */
  bool plain_ccs;
  /* Largest number of bytes added to a plaintext of `len` bytes. */
  size_t (*overhead)(const tc_prot *p, size_t len);
  /* rec[0..5) is the header to fill, rec[5..5+len) the plaintext with room for
   * overhead() more bytes. Protects in place and returns the record length
   * (header included). */
  size_t (*seal)(tc_prot *p, uint8_t type, uint8_t *rec, size_t len);
  /* rec holds header and body (body_len bytes). Unprotects in place and sets
   * the inner content type and where the plaintext is. Returns 0 or a tc_err. */
  int (*open)(tc_prot *p, uint8_t *rec, size_t body_len, uint8_t *type, size_t *off,
              size_t *len);
  void (*clear)(tc_prot *p);
  /* Optional (AEADs): seal() with the plaintext read from src (not
   * overlapping rec), so it is never copied into the record first. */
  size_t (*seal_from)(tc_prot *p, uint8_t type, uint8_t *rec, const uint8_t *src, size_t len);
  /* Optional (AEADs): open() into dst instead of in place, leaving rec as it
   * was. Needs cap >= open_room(body_len); *len counts the plaintext written
   * to dst (TLS 1.3: the inner plaintext without its type and padding). */
  int (*open_to)(tc_prot *p, const uint8_t *rec, size_t body_len, uint8_t *dst, size_t cap,
                 uint8_t *type, size_t *len);
  /* Bytes open_to writes for a record body of body_len bytes (0: too short). */
  size_t (*open_room)(const tc_prot *p, size_t body_len);
} tc_prot_ops;

struct tc_prot {
  const tc_prot_ops *ops; /* NULL: plaintext records */
  uint64_t seq;
  size_t max_expansion;   /* largest accepted ciphertext minus 2^14 */
  /* seal_from ops: where the encrypted bytes start in a record they seal
   * (after the header and any explicit nonce), for aligned records. */
  uint8_t sealed_off;
  union {
    struct {
      tc_aead aead;
      uint8_t iv[TC_AEAD_NONCE_LEN];
    } aead13;
    struct {
      tc_aead aead;
      uint8_t iv[TC_AEAD_NONCE_LEN]; /* GCM: 4-byte salt; ChaCha20: 12-byte IV */
      uint16_t version;
      bool explicit_nonce;           /* GCM: 8-byte nonce (= seq) sent in the record */
    } aead12;
    struct {
      tc_cipher cipher;              /* CBC (IV chains across records) or RC4 */
      tc_rng rng;                    /* explicit IVs */
      tc_hash_alg mac;
      uint8_t mac_key[TC_HASH_MAX_LEN];
      uint8_t mac_key_len, mac_len, block, iv_len; /* iv_len: explicit IV bytes */
      uint16_t version;
      bool etm, ssl3, split;         /* split: 1/n-1 for app data (implicit IV CBC) */
    } cbc;
  } u;
};

/* TLS 1.3 protection (RFC 8446 §5.2-5.3) with key and iv from the key schedule. */
int tc_prot_init_tls13(tc_prot *p, tc_aead_alg alg, const uint8_t *key, size_t key_len,
                       const uint8_t iv[TC_AEAD_NONCE_LEN]);
/* TLS 1.0-1.2 AEAD: AES-GCM (RFC 5288, iv = 4-byte salt, explicit nonce =
 * seq) or ChaCha20-Poly1305 (RFC 7905, 12-byte iv). version goes into the
 * header and the AAD of sealed records. */
int tc_prot_init_tls12_aead(tc_prot *p, uint16_t version, tc_aead_alg alg, const uint8_t *key,
                            size_t key_len, const uint8_t *iv, size_t iv_len);
/* Flags for tc_prot_init_cbc. */
#define TC_PROT_ETM 1u      /* RFC 7366 encrypt-then-MAC (CBC, TLS 1.0+) */
#define TC_PROT_NO_SPLIT 2u /* no 1/n-1 split of app data (TLS 1.0 / SSL 3.0 CBC) */
/* With implicit IVs (SSL 3.0 / TLS 1.0 CBC) seal() splits every application
 * data record of 2+ bytes into a 1-byte record and the rest (BEAST), so it
 * may emit two records; overhead() includes the second header. */
/* CBC (AES, 3DES) or RC4 with a MAC, SSL 3.0 to TLS 1.2. mac is the HMAC
 * hash (MD5, SHA-1, SHA-256, SHA-384), or the SSL 3.0 MAC hash (MD5, SHA-1)
 * when version is TC_SSL30. iv is the implicit first IV (SSL 3.0 / TLS 1.0
 * CBC; block length bytes) and ignored otherwise; TLS 1.1+ draws explicit
 * IVs from rng (NULL: system). write selects the direction. */
int tc_prot_init_cbc(tc_prot *p, bool write, uint16_t version, tc_cipher_alg alg,
                     const uint8_t *key, size_t key_len, const uint8_t *iv, tc_hash_alg mac,
                     const uint8_t *mac_key, size_t mac_key_len, unsigned flags,
                     const tc_rng *rng);
/* Drop keys (wiped) and return to plaintext. */
void tc_prot_clear(tc_prot *p);

/* Gaps at most between the records waiting in the output buffer (more
 * records than this are laid out without them). */
#define TC_REC_MAX_GAPS 16

/* One piece of the output (tc_rec_output_vec). */
typedef struct tc_rec_piece {
  const uint8_t *base;
  size_t len;
} tc_rec_piece;

/* The record layer of one connection. Buffers are allocated on demand and
 * released by tc_rec_shrink() when idle. */
typedef struct tc_rec {
  /* The fields read for every record come first (one-byte displacements
   * from the struct's address on x86-64, and few cache lines); the gap
   * table and the two protection states (mostly AEAD key tables) last. */
  /* Input: raw bytes from the network, processed record by record in place. */
  uint8_t *ibuf;
  size_t ilen;  /* bytes held */
  size_t ipos;  /* start of the next unprocessed record */
  size_t ihigh; /* high-water mark: bytes ever written */
  size_t iplain; /* high-water mark of records opened in place: the bytes that may
                  * hold plaintext (wiped on release; ciphertext needs no wipe) */
  size_t icap;  /* size of ibuf */
  size_t iwant; /* size to allocate ibuf with (0: one largest record) */
  bool ilent;   /* the caller writes into ibuf (tc_rec_input_buf, not yet acked):
                 * it must not move or go away */
  bool seen_record;        /* at least one record parsed (for NOT_TLS detection) */
  bool ssl2_hello;         /* server: recognise an SSLv2 CLIENT-HELLO as the first record */
  bool hold;               /* plaintext in ibuf still referenced: do not move it */
  bool plain_alerts;       /* accept unprotected alerts (peer failed before its keys) */
  uint8_t hs_only;         /* nonzero: the only handshake type the state takes now */
  bool hs_copy;            /* tests: no view, every message through hs (the
                            * general path, to compare the view with) */
  bool align_out;          /* aligned records (see gap_at below) */
  /* Output: records ready to send, growing for a whole flight. */
  uint8_t *obuf;
  size_t ocap, olen, opos;
  /* Handshake messages. A handshake record taken while nothing is pending
   * is read where it lies (hs_view: its plaintext in ibuf, opened in place),
   * message by message, with no copy; only what a record leaves unfinished
   * (a message split across records) goes to the reassembly buffer hs.
   * The view never outlives the processing of the input that brought it
   * (tc_rec_hs_settle copies what is left before control returns to the
   * caller, who may then move ibuf). */
  const uint8_t *hs_view;
  size_t hs_view_len;
  uint8_t *hs;
  size_t hs_cap, hs_off, hs_len; /* hs[hs_off..hs_len) pending */
  size_t hs_high;                /* bytes of hs ever written (wiped on release) */
  size_t hs_max;                 /* largest accepted handshake message body */
  size_t hs_max_ch;              /* ... for a ClientHello (servers: never below
                                  * TC_HS_MAX_CLIENT_HELLO, so no well-formed
                                  * one is refused for its size) */
  uint16_t wr_version;     /* legacy_record_version written in headers */
  uint8_t alert_out[2];    /* last alert written: level (0: none yet), description */
  unsigned empty_run;      /* consecutive records carrying nothing */
  size_t max_frag;         /* plaintext per record sent */
  size_t max_recv_plain;   /* plaintext limit per record received */
  size_t last_body;        /* body length of the record tc_rec_next last took */
  /* Aligned records (align_out): a record sealed from the caller's buffer
   * behind others goes where its encrypted bytes start 8-byte aligned, and
   * the 1-7 bytes skipped before it are a gap, not output. gap_at[i] is the
   * offset in obuf where gap i starts, in order; gap_len[i] its length. */
  uint8_t ngaps;
  uint8_t gap_len[TC_REC_MAX_GAPS];
  size_t gap_at[TC_REC_MAX_GAPS];
  tc_prot rd, wr;
} tc_rec;

void tc_rec_init(tc_rec *r);
/* tc_rec_init for a tc_rec that is already all zero (e.g. calloc'd):
 * skips clearing the 9 KiB struct again. */
void tc_rec_init_zeroed(tc_rec *r);
/* Wipes keys and plaintext and frees the buffers; tc_rec_init before reuse. */
void tc_rec_free(tc_rec *r);
/* The buffers of a released tc_rec, wiped, kept for another one (a
 * connection pooled by its config, engine/conn.c). */
typedef struct tc_rec_bufs {
  uint8_t *ibuf, *obuf, *hs;
  size_t ocap, hs_cap, icap;
} tc_rec_bufs;
/* The wipes of tc_rec_free (keys, and the buffers where they may have held
 * plaintext), the buffers left where they are: for a tc_rec whose owner
 * keeps the struct for another connection (engine/conn.c's pool; the next
 * connection takes the buffers with tc_rec_adopt, and tc_rec_free still
 * frees them if the pool is full). Nothing else in it is reset. */
void tc_rec_scrub(tc_rec *r);
/* Give an initialised, empty tc_rec the buffers of *b (from a scrubbed one). */
void tc_rec_adopt(tc_rec *r, const tc_rec_bufs *b);
void tc_rec_bufs_free(tc_rec_bufs *b);
/* Release buffers holding nothing pending. */
void tc_rec_shrink(tc_rec *r);

/* Where the network may write and how much. NULL (cap 0) when full. The
 * buffer stays where it is until tc_rec_input_ack. */
uint8_t *tc_rec_input_buf(tc_rec *r, size_t *cap, tc_error *err);
/* n bytes were written there. More than the capacity offered is refused
 * (nothing is taken; returns false). */
bool tc_rec_input_ack(tc_rec *r, size_t n);
bool tc_rec_input_full(const tc_rec *r);
/* Room for this many largest records in the input buffer (1-16; one by
 * default), so one network read can bring several. An empty buffer of
 * another size is dropped and allocated anew when next needed. */
void tc_rec_set_input_records(tc_rec *r, unsigned n);

/* Parse and unprotect the next record held in the input. Returns 1 with the
 * plaintext (inner type, pointer into the buffer, length; valid until the
 * next call), 0 when more input is needed, TC_FAIL with err set. */
int tc_rec_next(tc_rec *r, uint8_t *type, uint8_t **data, size_t *len, tc_error *err);
/* The next record straight into dst when it is an ordinary protected
 * application-data record whose plaintext fits in cap bytes (AEAD
 * protection only): returns 1 with *len bytes of application data in dst
 * (possibly 0), no copy through the input buffer. Returns 0, with nothing
 * consumed and dst[0..cap) holding nothing of the record, in every other
 * case (incomplete, another content type, plaintext too large, a bad
 * record): tc_rec_next then handles it, errors included. */
int tc_rec_next_app_into(tc_rec *r, uint8_t *dst, size_t cap, size_t *len);
/* The same for a protected record whose inner type is handshake and
 * whose plaintext starts with a message of type hs_type (a TLS 1.3
 * post-handshake message): returns 1 with its *len (> 0) bytes of
 * plaintext in dst, the record consumed. Returns 0, with nothing consumed
 * and dst[0..cap) holding nothing of the record, for anything else
 * (application data, an alert, another message, a bad or incomplete
 * record, too large for cap): tc_rec_next or tc_rec_next_app_into takes
 * it later as before. */
int tc_rec_next_hs_into(tc_rec *r, uint8_t hs_type, uint8_t *dst, size_t cap, size_t *len);
/* A complete record that tc_rec_next_app_into may take is at the head of
 * the input (its inner type is known only once opened, in TLS 1.3). */
bool tc_rec_app_record_ready(const tc_rec *r);
/* Bytes of a partial record still buffered (key changes need zero). */
size_t tc_rec_input_pending(const tc_rec *r);
/* Bytes still to arrive before the last record begun in the input is
 * complete (header included), at most TC_REC_MAX_LEN; 0 when the input
 * ends at a record boundary or the length is one no record may have. Read
 * from the headers alone (a header tc_rec_next will refuse for its type or
 * version still gives a count): it only sizes a read or a wait. */
size_t tc_rec_input_missing(const tc_rec *r);

/* Fragment, protect and queue `len` bytes of `type`. */
int tc_rec_write(tc_rec *r, uint8_t type, const uint8_t *data, size_t len, tc_error *err);
/* Room for one more record with this much plaintext without growing past one
 * max record (used by application writes). Returns the plaintext that fits. */
size_t tc_rec_write_room(tc_rec *r, tc_error *err);
/* Make room for `records` more full records in the output buffer (a batch
 * of application data sent with one system call). */
int tc_rec_reserve(tc_rec *r, size_t records, tc_error *err);
/* The output up to its first gap (all of it without aligned records). */
const uint8_t *tc_rec_output(const tc_rec *r, size_t *len);
/* Up to max pieces of the output in order, gaps left out; returns how many
 * and sets *total to their length (tc_rec_output's first piece included). */
size_t tc_rec_output_vec(const tc_rec *r, tc_rec_piece *v, size_t max, size_t *total);
/* n bytes of output were sent (counted across pieces; gaps are skipped). */
void tc_rec_output_ack(tc_rec *r, size_t n);
static inline size_t tc_rec_output_pending(const tc_rec *r) { return r->olen - r->opos; }

/* Handshake reassembly: append a handshake record's plaintext. Fails when a
 * message would exceed hs_max. */
int tc_rec_hs_append(tc_rec *r, const uint8_t *data, size_t len, tc_error *err);
/* A handshake record's plaintext (from tc_rec_next, in ibuf): read in
 * place when nothing is pending (the common case: whole messages in one
 * record), else appended as by tc_rec_hs_append. The bytes must stay
 * where they are until tc_rec_hs_settle. */
int tc_rec_hs_take(tc_rec *r, const uint8_t *data, size_t len, tc_error *err);
/* Copy what is left of a record read in place into the reassembly buffer
 * (before ibuf may move: tc_rec_next of another record, the caller's next
 * input). tc_rec_hs_peek does it itself when the rest is an incomplete
 * message. */
int tc_rec_hs_settle(tc_rec *r, tc_error *err);
/* A complete message at the head (type, body, total length incl. 4-byte
 * header)? 1 yes, 0 no. The message stays valid until the next
 * tc_rec_hs_append/take/settle. */
int tc_rec_hs_peek(tc_rec *r, const uint8_t **msg, size_t *msg_len, tc_error *err);
void tc_rec_hs_consume(tc_rec *r, size_t n);
static inline bool tc_rec_hs_partial(const tc_rec *r) {
  return r->hs_view_len > 0 || r->hs_len > r->hs_off;
}

#endif
