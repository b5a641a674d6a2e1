/* TLS handshake messages and extensions: one struct, one parser and one writer each. */
#ifndef TLSCORE_MSG_MSG_H
#define TLSCORE_MSG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/errors.h"
#include "msg/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions for every message below.
 *
 * Parsing: tc_msg_parse_X(body, len, ..., out, err) takes the message BODY
 * (the bytes after the 4-byte handshake header; use tc_msg_split() to strip
 * it). It fills *out and returns TC_OK, or returns TC_FAIL with err set to
 *   TC_ERR_DECODE_ERROR       truncation, trailing bytes, bad vector lengths;
 *   TC_ERR_ILLEGAL_PARAMETER  well-formed but semantically invalid values
 *                             (duplicate extension, HRR with bad fields, ...).
 * Parsing is zero-copy: every tc_bytes / tc_u16s in *out points into `body`,
 * so *out is valid only while the body buffer is alive and unchanged
 * (random and session ids are copied, they are small). Nothing allocates.
 *
 * Writing: tc_msg_write_X(w, in) appends the FULL handshake message (4-byte
 * header + body) to w. It returns TC_OK, or TC_FAIL when the writer has
 * failed (buffer full, allocation failure, a field too long for its length
 * prefix, or `in` exceeding a limit). Writers trust `in` to be what the
 * caller wants on the wire; they only refuse what cannot be encoded.
 *
 * Fixed caps (TC_MSG_MAX_*) bound the arrays in the structs; a peer that
 * sends more items than a cap is rejected with illegal_parameter. The caps
 * are far above what real implementations send. */

/* ---- Handshake message types (RFC 8446 §4, RFC 5246 §7.4) ---- */
#define TC_HS_HELLO_REQUEST 0
#define TC_HS_CLIENT_HELLO 1
#define TC_HS_SERVER_HELLO 2
#define TC_HS_NEW_SESSION_TICKET 4
#define TC_HS_END_OF_EARLY_DATA 5
#define TC_HS_ENCRYPTED_EXTENSIONS 8
#define TC_HS_CERTIFICATE 11
#define TC_HS_SERVER_KEY_EXCHANGE 12
#define TC_HS_CERTIFICATE_REQUEST 13
#define TC_HS_SERVER_HELLO_DONE 14
#define TC_HS_CERTIFICATE_VERIFY 15
#define TC_HS_CLIENT_KEY_EXCHANGE 16
#define TC_HS_FINISHED 20
#define TC_HS_CERTIFICATE_STATUS 22
#define TC_HS_KEY_UPDATE 24
#define TC_HS_COMPRESSED_CERTIFICATE 25 /* RFC 8879 */
#define TC_HS_MESSAGE_HASH 254

/* ---- Extension types (IANA) ---- */
#define TC_EXT_SERVER_NAME 0
#define TC_EXT_MAX_FRAGMENT_LENGTH 1
#define TC_EXT_STATUS_REQUEST 5
#define TC_EXT_SUPPORTED_GROUPS 10
#define TC_EXT_EC_POINT_FORMATS 11
#define TC_EXT_SRP 12
#define TC_EXT_SIGNATURE_ALGORITHMS 13
#define TC_EXT_ALPN 16
#define TC_EXT_PADDING 21
#define TC_EXT_ENCRYPT_THEN_MAC 22
#define TC_EXT_EXTENDED_MASTER_SECRET 23
#define TC_EXT_COMPRESS_CERTIFICATE 27 /* RFC 8879 */
#define TC_EXT_RECORD_SIZE_LIMIT 28
#define TC_EXT_SESSION_TICKET 35
#define TC_EXT_PRE_SHARED_KEY 41
#define TC_EXT_EARLY_DATA 42
#define TC_EXT_SUPPORTED_VERSIONS 43
#define TC_EXT_COOKIE 44
#define TC_EXT_PSK_KEY_EXCHANGE_MODES 45
#define TC_EXT_CERTIFICATE_AUTHORITIES 47
#define TC_EXT_OID_FILTERS 48
#define TC_EXT_POST_HANDSHAKE_AUTH 49
#define TC_EXT_SIGNATURE_ALGORITHMS_CERT 50
#define TC_EXT_KEY_SHARE 51
#define TC_EXT_RENEGOTIATION_INFO 0xff01

/* PSK key exchange modes (RFC 8446 §4.2.9). */
#define TC_PSK_KE 0
#define TC_PSK_DHE_KE 1

/* status_request type (RFC 6066 §8). */
#define TC_STATUS_TYPE_OCSP 1

/* KeyUpdate request_update values. */
#define TC_KEY_UPDATE_NOT_REQUESTED 0
#define TC_KEY_UPDATE_REQUESTED 1

/* The fixed ServerHello.random that marks a HelloRetryRequest (RFC 8446 §4.1.3). */
extern const uint8_t tc_hrr_random[32];

#define TC_MSG_MAX_KEY_SHARES 16
#define TC_MSG_MAX_PSKS 16
#define TC_MSG_MAX_ALPN 32
#define TC_MSG_MAX_UNKNOWN_EXT 64
#define TC_MSG_MAX_CERTS 32

/* A zero-copy slice of the parsed buffer (or of caller data when writing). */
typedef struct tc_bytes {
  const uint8_t *p;
  size_t len;
} tc_bytes;

/* A list of n big-endian uint16 values stored at p (2*n bytes). */
typedef struct tc_u16s {
  const uint8_t *p;
  size_t n;
} tc_u16s;

static inline uint16_t tc_u16s_at(tc_u16s l, size_t i) {
  return (uint16_t)((l.p[2 * i] << 8) | l.p[2 * i + 1]);
}
/* True if v is in the list. */
bool tc_u16s_contains(tc_u16s l, uint16_t v);

/* Which message an extension block belongs to: it decides each extension's
 * wire form and which extensions are allowed (RFC 8446 §4.2 table: a known
 * extension in a message that may not carry it is illegal_parameter). */
typedef enum {
  TC_EXTCTX_CH = 0,   /* ClientHello (any version) */
  TC_EXTCTX_SH,       /* ServerHello; TLS 1.3 rules applied when it selects 1.3 */
  TC_EXTCTX_HRR,      /* HelloRetryRequest */
  TC_EXTCTX_EE,       /* EncryptedExtensions */
  TC_EXTCTX_CR,       /* TLS 1.3 CertificateRequest */
  TC_EXTCTX_CT,       /* TLS 1.3 CertificateEntry */
  TC_EXTCTX_NST       /* TLS 1.3 NewSessionTicket */
} tc_ext_ctx;

typedef struct tc_key_share_entry {
  uint16_t group;
  tc_bytes key_exchange;
} tc_key_share_entry;

typedef struct tc_psk_identity {
  tc_bytes identity;
  uint32_t obfuscated_ticket_age;
} tc_psk_identity;

/* All extensions of one message. `present` has one bit per known extension;
 * test it with tc_exts_has() and set it with tc_exts_set() (writers only
 * emit extensions whose bit is set). Which fields are used depends on the
 * context, noted per field as CH/SH/HRR/EE/CR/CT/NST. */
typedef struct tc_exts {
  uint32_t present;

  tc_bytes server_name;            /* CH: the host_name (required, 1..65535 bytes, no NUL); SH/EE: empty */
  uint8_t max_fragment_length;     /* CH/SH/EE: 1..4 */
  uint8_t status_type;             /* CH/CR: request type (CR: 0 = the empty RFC 8446 form); CT: response type */
  tc_bytes status_responder_ids;   /* CH/CR (OCSP): raw ResponderID list */
  tc_bytes status_request_exts;    /* CH/CR (OCSP): raw request extensions */
  tc_bytes ocsp_response;          /* CT: OCSPResponse; SH (TLS 1.2): empty */
  tc_u16s groups;                  /* CH/EE: supported_groups */
  tc_bytes ec_point_formats;       /* CH/SH: list of u8 formats */
  tc_bytes srp_identity;           /* CH: srp_I (RFC 5054) */
  tc_u16s sig_algs;                /* CH/CR: signature_algorithms */
  tc_u16s sig_algs_cert;           /* CH/CR: signature_algorithms_cert */
  tc_u16s cert_compression;        /* CH/CR: compress_certificate algorithms (1..127) */
  size_t n_alpn;                   /* CH: offered names (alpn[] holds the first
                                    * TC_MSG_MAX_ALPN, alpn_list all of them);
                                    * SH/EE: exactly one (alpn[0]) */
  tc_bytes alpn_list;              /* CH/SH/EE: the raw ProtocolNameList */
  size_t padding_len;              /* CH: length of the padding extension */
  uint16_t record_size_limit;      /* CH/SH/EE: >= 64 */
  tc_bytes session_ticket;         /* CH: ticket (may be empty); SH: empty */
  tc_u16s versions;                /* CH: supported_versions list */
  uint16_t selected_version;       /* SH/HRR: supported_versions */
  tc_bytes cookie;                 /* CH/HRR */
  tc_bytes psk_modes;              /* CH: psk_key_exchange_modes (u8 list) */
  tc_bytes certificate_authorities;/* CH/CR: raw DistinguishedName list ... */
  size_t n_certificate_authorities;/* ... and how many names it holds */
  tc_bytes oid_filters;            /* CR: raw OIDFilter list */
  tc_bytes renegotiation_info;     /* CH/SH: renegotiated_connection */
  uint32_t max_early_data_size;    /* NST: early_data */

  /* key_share */
  size_t n_key_shares;             /* CH: offered shares (may be 0); key_shares[]
                                    * holds the first TC_MSG_MAX_KEY_SHARES,
                                    * key_share_list all (tc_exts_find_key_share) */
  tc_bytes key_share_list;         /* CH: the raw client_shares vector */
  tc_key_share_entry server_share; /* SH: the server's share */
  uint16_t hrr_group;              /* HRR: selected_group */

  /* pre_shared_key (CH: last extension; parser enforces) */
  size_t n_psk_identities;         /* psk_identities[] */
  size_t n_psk_binders;            /* psk_binders[]: same count as identities */
  /* Offset of the binders vector (its 2-byte length prefix) from the start
   * of the extension block's bytes as given to tc_msg_parse_extensions(). */
  size_t psk_binders_offset;
  uint16_t psk_selected;           /* SH: selected_identity */

  /* Writing only: pre-encoded extensions (type, length, data ...) appended
   * verbatim before pre_shared_key. Lets tests send odd extensions. */
  tc_bytes raw_extra;
  /* Writing only: extensions encoded beforehand (tc_exts_preencode), copied
   * in their place in the emission order instead of being encoded again
   * (their presence bits must be set too). NULL: none. */
  const struct tc_ext_preenc *pre;

  /* Types of unrecognised extensions, in order: unknown[] holds the first
   * TC_MSG_MAX_UNKNOWN_EXT, n_unknown counts all (a ClientHello may carry
   * any number; duplicates are still found). The engine uses them for the
   * "unsolicited extension" rule, where any one is enough to refuse.
   * Unknown extensions are never written (see raw_extra). */
  size_t n_unknown;

  /* The item arrays come last: tc_exts_reset() (and so every parser)
   * leaves them alone, as only entries below their counts are ever read.
   * Zeroing all of them cost ~1.7 KiB of stores per parsed message. */
  uint16_t unknown[TC_MSG_MAX_UNKNOWN_EXT];
  tc_bytes alpn[TC_MSG_MAX_ALPN];
  tc_key_share_entry key_shares[TC_MSG_MAX_KEY_SHARES];
  tc_psk_identity psk_identities[TC_MSG_MAX_PSKS];
  tc_bytes psk_binders[TC_MSG_MAX_PSKS];
} tc_exts;

/* Empty *e: every field and count zero; the item arrays (unknown, alpn,
 * key_shares, psk_identities, psk_binders) are left as they are. Cheaper
 * than a memset of the whole struct; writers may use it too. */
void tc_exts_reset(tc_exts *e);

/* Presence helpers (type is an IANA TC_EXT_* value). tc_exts_has() also
 * answers true for an unknown type recorded in `unknown`. tc_exts_set()
 * and tc_exts_clear() ignore types this module does not know. */
/* One presence bit per known extension (tc_exts.present). */
enum {
  TC__XB_SERVER_NAME,
  TC__XB_MFL,
  TC__XB_STATUS,
  TC__XB_GROUPS,
  TC__XB_ECPF,
  TC__XB_SRP,
  TC__XB_SIGALGS,
  TC__XB_ALPN,
  TC__XB_PADDING,
  TC__XB_ETM,
  TC__XB_EMS,
  TC__XB_RSL,
  TC__XB_TICKET,
  TC__XB_PSK,
  TC__XB_EARLY,
  TC__XB_VERSIONS,
  TC__XB_COOKIE,
  TC__XB_PSKMODES,
  TC__XB_CA,
  TC__XB_OID,
  TC__XB_PHA,
  TC__XB_SIGALGS_CERT,
  TC__XB_KEYSHARE,
  TC__XB_RENEG,
  TC__XB_COMPRESS_CERT,
  TC__XB_COUNT
};

/* Presence bit of a known type, -1 for any other. Inline and a switch,
 * so a constant type (as the engine always passes) folds to a constant. */
static inline int tc__ext_bit(uint16_t type) {
  switch (type) {
  case TC_EXT_SERVER_NAME: return TC__XB_SERVER_NAME;
  case TC_EXT_MAX_FRAGMENT_LENGTH: return TC__XB_MFL;
  case TC_EXT_STATUS_REQUEST: return TC__XB_STATUS;
  case TC_EXT_SUPPORTED_GROUPS: return TC__XB_GROUPS;
  case TC_EXT_EC_POINT_FORMATS: return TC__XB_ECPF;
  case TC_EXT_SRP: return TC__XB_SRP;
  case TC_EXT_SIGNATURE_ALGORITHMS: return TC__XB_SIGALGS;
  case TC_EXT_ALPN: return TC__XB_ALPN;
  case TC_EXT_PADDING: return TC__XB_PADDING;
  case TC_EXT_ENCRYPT_THEN_MAC: return TC__XB_ETM;
  case TC_EXT_EXTENDED_MASTER_SECRET: return TC__XB_EMS;
  case TC_EXT_RECORD_SIZE_LIMIT: return TC__XB_RSL;
  case TC_EXT_SESSION_TICKET: return TC__XB_TICKET;
  case TC_EXT_PRE_SHARED_KEY: return TC__XB_PSK;
  case TC_EXT_EARLY_DATA: return TC__XB_EARLY;
  case TC_EXT_SUPPORTED_VERSIONS: return TC__XB_VERSIONS;
  case TC_EXT_COOKIE: return TC__XB_COOKIE;
  case TC_EXT_PSK_KEY_EXCHANGE_MODES: return TC__XB_PSKMODES;
  case TC_EXT_CERTIFICATE_AUTHORITIES: return TC__XB_CA;
  case TC_EXT_OID_FILTERS: return TC__XB_OID;
  case TC_EXT_POST_HANDSHAKE_AUTH: return TC__XB_PHA;
  case TC_EXT_SIGNATURE_ALGORITHMS_CERT: return TC__XB_SIGALGS_CERT;
  case TC_EXT_KEY_SHARE: return TC__XB_KEYSHARE;
  case TC_EXT_RENEGOTIATION_INFO: return TC__XB_RENEG;
  case TC_EXT_COMPRESS_CERTIFICATE: return TC__XB_COMPRESS_CERT;
  default: return -1;
  }
}

/* Extensions encoded once and reused (see tc_exts.pre): each one's full
 * encoding (type, length, body), in the context's emission order, so that
 * neighbours in that order are contiguous and copied in one piece. */
#define TC_EXT_PREENC_MAX 512
typedef struct tc_ext_preenc {
  uint32_t mask;                   /* presence bits of the encoded extensions */
  uint16_t off[TC__XB_COUNT];      /* by presence bit: start in bytes[] */
  uint16_t end[TC__XB_COUNT];      /* ... and end */
  size_t len;
  uint8_t bytes[TC_EXT_PREENC_MAX];
} tc_ext_preenc;

/* Encode every extension present in e (known types only; never
 * pre_shared_key, padding or raw_extra, whose bytes depend on the rest of
 * the message) for context ctx into out. TC_OK, or TC_FAIL when one is
 * invalid or all do not fit. */
int tc_exts_preencode(tc_ext_ctx ctx, const tc_exts *e, tc_ext_preenc *out);

/* Out-of-line part of tc_exts_has: is an unknown type in e->unknown? */
bool tc__exts_has_unknown(const tc_exts *e, uint16_t type);

static inline bool tc_exts_has(const tc_exts *e, uint16_t type) {
  int b = tc__ext_bit(type);
  if (b >= 0)
    return (e->present >> b) & 1u;
  return tc__exts_has_unknown(e, type);
}

static inline void tc_exts_set(tc_exts *e, uint16_t type) {
  int b = tc__ext_bit(type);
  if (b >= 0)
    e->present |= 1u << b;
}

static inline void tc_exts_clear(tc_exts *e, uint16_t type) {
  int b = tc__ext_bit(type);
  if (b >= 0)
    e->present &= ~(1u << b);
}
/* True if the type is one this module parses (not an "unknown" one). */
bool tc_ext_is_known(uint16_t type);

/* Parse an extension block's contents (the bytes inside the 2-byte length
 * prefix: a sequence of type/length/data). Resets *out first (tc_exts_reset). */
int tc_msg_parse_extensions(const uint8_t *data, size_t len, tc_ext_ctx ctx,
                            tc_exts *out, tc_error *err);
/* Write the extension block with its 2-byte length prefix. */
int tc_msg_write_extensions(tc_writer *w, tc_ext_ctx ctx, const tc_exts *in);

/* Find the client's key share for `group` (over all offered shares, not only
 * the first TC_MSG_MAX_KEY_SHARES); false if absent. *out points into the
 * parsed message. */
bool tc_exts_find_key_share(const tc_exts *e, uint16_t group, tc_key_share_entry *out);

/* ---- Handshake framing ---- */

/* Split one complete handshake message: checks the 3-byte length equals
 * len - 4 exactly (decode_error otherwise). */
int tc_msg_split(const uint8_t *msg, size_t len, uint8_t *type,
                 const uint8_t **body, size_t *body_len, tc_error *err);
/* Open a handshake message (type + 3-byte length); close with tc_wr_end_vec.
 * Inline, one reservation for the 4-byte header. */
static inline tc_wr_mark tc_wr_begin_handshake(tc_writer *w, uint8_t type) {
  tc_wr_mark m = {w->len + 1, 3};
  uint8_t *p = tc__wr_room(w, 4);
  if (!p) {
    m.width = 0;
    return m;
  }
  p[0] = type;
  p[1] = p[2] = p[3] = 0;
  return m;
}

/* ---- ClientHello ---- */
typedef struct tc_client_hello {
  uint16_t legacy_version;
  uint8_t random[32];
  uint8_t session_id[32];
  size_t session_id_len;           /* 0..32 */
  tc_u16s cipher_suites;           /* non-empty */
  tc_bytes compression_methods;    /* 1..255 bytes */
  bool has_extensions;             /* false: no extension block at all (old clients) */
  tc_exts ext;
  /* Parse only: offset of the PSK binders vector (2-byte length prefix)
   * from the start of the body; 0 when there is no pre_shared_key. The
   * binder transcript is the 4-byte header (with the FULL length) followed
   * by body[0 .. binders_offset). */
  size_t binders_offset;
} tc_client_hello;

int tc_msg_parse_client_hello(const uint8_t *body, size_t len, tc_client_hello *out, tc_error *err);
/* The brief parse of a ClientHello (client_hello12.c), for the hellos a
 * TLS 1.2 client sends: it takes only a ClientHello whose extensions are
 * among server_name (one host_name entry), status_request (the OCSP form),
 * supported_groups, ec_point_formats, signature_algorithms, ALPN, padding,
 * encrypt_then_mac, extended_master_secret, record_size_limit,
 * session_ticket, supported_versions and renegotiation_info, each once and
 * well formed (or no extension block at all). For such a message it fills
 * *out exactly as tc_msg_parse_client_hello does and returns true; for any
 * other (an extension outside the set, a duplicate, a malformed or trailing
 * byte) it returns false with *out unspecified, and the caller parses with
 * tc_msg_parse_client_hello, which names the error. The general parser's
 * table of contexts and its unknown-extension bookkeeping are not run. */
bool tc_msg_parse_client_hello12(const uint8_t *body, size_t len, tc_client_hello *out);
int tc_msg_write_client_hello(tc_writer *w, const tc_client_hello *in);
/* As above, and report where the binders vector starts: *binders_pos is
 * the writer offset of its 2-byte length prefix (0 if no PSK). Write the
 * binders as placeholders (psk_binders[i].p may be NULL: zeros of
 * psk_binders[i].len are written), hash tc_wr_data(w)[msg_start ..
 * *binders_pos), then fill them in with tc_msg_patch_binders(). */
int tc_msg_write_client_hello_ex(tc_writer *w, const tc_client_hello *in, size_t *binders_pos);
/* Overwrite the binder values at writer offset binders_pos; their count and
 * lengths must equal the placeholders' (checked; TC_FAIL otherwise). */
int tc_msg_patch_binders(tc_writer *w, size_t binders_pos, const tc_bytes *binders, size_t n);

/* ---- ServerHello / HelloRetryRequest ---- */
typedef struct tc_server_hello {
  uint16_t legacy_version;
  uint8_t random[32];
  uint8_t session_id[32];
  size_t session_id_len;
  uint16_t cipher_suite;
  uint8_t compression_method;
  bool has_extensions;
  bool is_hrr;        /* random == tc_hrr_random; extensions parsed as HRR */
  bool is_tls13;      /* supported_versions selected TLS 1.3 (or HRR) */
  tc_exts ext;
} tc_server_hello;

/* The brief parse of a TLS 1.2 ServerHello (server_hello12.c), for a client
 * that offered what a TLS 1.2 handshake uses: it takes only a ServerHello
 * whose extensions are among server_name, status_request, ec_point_formats,
 * encrypt_then_mac, extended_master_secret, record_size_limit,
 * session_ticket and renegotiation_info, each once and in the one form
 * tc_msg_parse_server_hello accepts in a ServerHello (empty bodies,
 * ec_point_formats<1..255>, record_size_limit >= 64, renegotiation_info a
 * vector), with no HelloRetryRequest random. For such a message it gives
 * what tc_msg_parse_server_hello gives (extensions as TC_SH12_* bits) and
 * returns true, without filling a whole tc_exts; for any other
 * (including malformed) message it returns false, and the caller goes to
 * tc_msg_parse_server_hello, which names the error. Zero-copy: random,
 * session_id and the vectors point into body. */
#define TC_SH12_SERVER_NAME 0x01u
#define TC_SH12_STATUS 0x02u
#define TC_SH12_EC_POINT_FORMATS 0x04u
#define TC_SH12_ETM 0x08u
#define TC_SH12_EMS 0x10u
#define TC_SH12_RSL 0x20u
#define TC_SH12_TICKET 0x40u
#define TC_SH12_RENEG 0x80u
typedef struct tc_server_hello12 {
  uint16_t legacy_version;
  const uint8_t *random; /* 32 bytes */
  const uint8_t *session_id;
  size_t session_id_len;
  uint16_t cipher_suite;
  uint8_t compression_method;
  unsigned exts;         /* TC_SH12_* */
  uint16_t record_size_limit;
  tc_bytes ec_point_formats, renegotiation_info;
} tc_server_hello12;
bool tc_msg_parse_server_hello12(const uint8_t *body, size_t len, tc_server_hello12 *out);

/* For an HRR, compression must be 0 (illegal_parameter) and
 * supported_versions present (missing_extension). A ServerHello selecting
 * TLS 1.3 may carry only supported_versions, key_share and pre_shared_key
 * besides unknown ones, supported_versions may not select a version below
 * TLS 1.3, and key_share / pre_shared_key need TLS 1.3 selected (all
 * illegal_parameter). Checking the selected version against what was
 * offered is the engine's job. Writing: set is_hrr to use the HRR
 * extension forms; the caller puts tc_hrr_random in `random`. */
int tc_msg_parse_server_hello(const uint8_t *body, size_t len, tc_server_hello *out, tc_error *err);
int tc_msg_write_server_hello(tc_writer *w, const tc_server_hello *in);
/* A TLS 1.3 ServerHello (not a HelloRetryRequest) written directly: legacy
 * version TLS 1.2, no compression, and only what a TLS 1.3 server sends -
 * pre_shared_key (psk_selected >= 0), key_share (share non-NULL) and
 * supported_versions (TLS 1.3). The bytes are those tc_msg_write_server_hello
 * writes for the same message (test-msg compares them). */
/* A TLS 1.2-or-older ServerHello written directly: no compression, and
 * ext_block the encoded extension block with its 2-byte length first
 * (ext_len 0: no extensions at all), as tc_msg_write_extensions writes it
 * for TC_EXTCTX_SH. The bytes are those tc_msg_write_server_hello writes
 * for the same message (test-msg compares them). */
int tc_msg_write_server_hello12(tc_writer *w, uint16_t version, const uint8_t random[32],
                                const uint8_t *session_id, size_t session_id_len,
                                uint16_t cipher_suite, const uint8_t *ext_block, size_t ext_len);
int tc_msg_write_server_hello13(tc_writer *w, const uint8_t random[32], const uint8_t *session_id,
                                size_t session_id_len, uint16_t cipher_suite,
                                const tc_key_share_entry *share, int psk_selected);

/* ---- EncryptedExtensions ---- */
typedef struct tc_encrypted_extensions {
  tc_exts ext;
} tc_encrypted_extensions;
int tc_msg_parse_encrypted_extensions(const uint8_t *body, size_t len, tc_encrypted_extensions *out, tc_error *err);
int tc_msg_write_encrypted_extensions(tc_writer *w, const tc_encrypted_extensions *in);
/* The EncryptedExtensions most TLS 1.3 servers send: no extension, or only
 * the empty server_name acknowledging the client's SNI. The bytes are those
 * of tc_msg_write_encrypted_extensions for the same message (test-msg). */
int tc_msg_write_encrypted_extensions_sni(tc_writer *w, bool server_name);

/* ---- Certificate (TLS 1.3 and TLS 1.2-and-older forms) ---- */
typedef struct tc_cert_entry {
  tc_bytes cert;        /* DER certificate (1..2^24-1 bytes) */
  tc_bytes extensions;  /* TLS 1.3: raw extension block contents (validated, CT context) */
  tc_bytes ocsp;        /* TLS 1.3: stapled OCSP response from status_request, if any */
} tc_cert_entry;

typedef struct tc_certificate {
  bool tls13;                 /* which wire form */
  tc_bytes request_context;   /* TLS 1.3 only (0..255 bytes) */
  tc_cert_entry entries[TC_MSG_MAX_CERTS];
  size_t n_entries;           /* may be 0 (empty client certificate) */
} tc_certificate;

/* version: the negotiated version (TLS 1.3 form iff version >= TC_TLS13). */
int tc_msg_parse_certificate(const uint8_t *body, size_t len, uint16_t version,
                             tc_certificate *out, tc_error *err);
/* Writes entries[i].extensions verbatim (TLS 1.3) unless empty and ocsp is
 * set, in which case a status_request extension carrying it is written. */
int tc_msg_write_certificate(tc_writer *w, const tc_certificate *in);

/* ---- CompressedCertificate (RFC 8879 §4) ---- */
typedef struct tc_compressed_certificate {
  uint16_t algorithm;
  uint32_t uncompressed_length;  /* of the Certificate body, without its header */
  tc_bytes compressed;           /* 1..2^24-1 bytes */
} tc_compressed_certificate;
/* decode_error for a truncated message, an empty compressed_certificate_message
 * or trailing bytes; the values are the engine's to judge. */
int tc_msg_parse_compressed_certificate(const uint8_t *body, size_t len,
                                        tc_compressed_certificate *out, tc_error *err);
int tc_msg_write_compressed_certificate(tc_writer *w, const tc_compressed_certificate *in);

/* ---- CertificateRequest ---- */
typedef struct tc_certificate_request {
  bool tls13;
  /* TLS 1.3 */
  tc_bytes context;            /* 0..255 bytes */
  tc_exts ext;                 /* CR context; signature_algorithms checked by the engine */
  /* TLS 1.2 and older */
  tc_bytes cert_types;         /* 1..255 u8 ClientCertificateType values */
  bool has_sig_algs;           /* TLS 1.2 only */
  tc_u16s sig_algs;
  tc_bytes authorities;        /* raw DistinguishedName list (0..65535 bytes) */
  size_t n_authorities;
} tc_certificate_request;
int tc_msg_parse_certificate_request(const uint8_t *body, size_t len, uint16_t version,
                                     tc_certificate_request *out, tc_error *err);
int tc_msg_write_certificate_request(tc_writer *w, const tc_certificate_request *in);

/* ---- CertificateVerify ---- */
typedef struct tc_certificate_verify {
  bool has_scheme;             /* TLS 1.2+; TLS 1.0/1.1 carry only the signature */
  uint16_t scheme;
  tc_bytes signature;
} tc_certificate_verify;
int tc_msg_parse_certificate_verify(const uint8_t *body, size_t len, uint16_t version,
                                    tc_certificate_verify *out, tc_error *err);
int tc_msg_write_certificate_verify(tc_writer *w, const tc_certificate_verify *in);

/* ---- Finished ---- */
typedef struct tc_finished {
  tc_bytes verify_data;
} tc_finished;
/* expected_len: the verify_data length for the negotiated suite (hash length
 * in TLS 1.3, 12 in TLS 1.0-1.2, 36 in SSL 3.0); any other length is a
 * decode_error. Compare the contents with tc_ct_equal. */
int tc_msg_parse_finished(const uint8_t *body, size_t len, size_t expected_len,
                          tc_finished *out, tc_error *err);
int tc_msg_write_finished(tc_writer *w, const tc_finished *in);

/* ---- NewSessionTicket (TLS 1.3 and RFC 5077) ---- */
typedef struct tc_new_session_ticket {
  bool tls13;
  uint32_t lifetime;           /* TLS 1.3 ticket_lifetime / RFC 5077 lifetime_hint */
  uint32_t age_add;            /* TLS 1.3 */
  tc_bytes nonce;              /* TLS 1.3, 0..255 */
  tc_bytes ticket;             /* TLS 1.3: 1..65535; RFC 5077: 0..65535 */
  tc_exts ext;                 /* TLS 1.3, NST context (early_data) */
} tc_new_session_ticket;
/* TLS 1.3 also rejects a lifetime above 7 days (illegal_parameter). */
int tc_msg_parse_new_session_ticket(const uint8_t *body, size_t len, uint16_t version,
                                    tc_new_session_ticket *out, tc_error *err);
int tc_msg_write_new_session_ticket(tc_writer *w, const tc_new_session_ticket *in);

/* ---- KeyUpdate ---- */
typedef struct tc_key_update {
  uint8_t request_update;      /* 0 or 1; anything else is illegal_parameter */
} tc_key_update;
int tc_msg_parse_key_update(const uint8_t *body, size_t len, tc_key_update *out, tc_error *err);
int tc_msg_write_key_update(tc_writer *w, const tc_key_update *in);

/* ---- Empty messages: EndOfEarlyData, ServerHelloDone, HelloRequest ----
 * Parsing checks the body is empty; type is one of TC_HS_END_OF_EARLY_DATA,
 * TC_HS_SERVER_HELLO_DONE, TC_HS_HELLO_REQUEST (names the message in errors). */
int tc_msg_parse_empty(uint8_t type, const uint8_t *body, size_t len, tc_error *err);
int tc_msg_write_empty(tc_writer *w, uint8_t type);

/* ---- CertificateStatus (TLS 1.2 OCSP stapling, RFC 6066 §8) ---- */
typedef struct tc_certificate_status {
  uint8_t status_type;         /* must be TC_STATUS_TYPE_OCSP */
  tc_bytes response;           /* 1..2^24-1 */
} tc_certificate_status;
int tc_msg_parse_certificate_status(const uint8_t *body, size_t len, tc_certificate_status *out, tc_error *err);
int tc_msg_write_certificate_status(tc_writer *w, const tc_certificate_status *in);

/* ---- TLS 1.2-and-older key exchange ---- */

/* Key exchange method of the negotiated cipher suite. */
typedef enum {
  TC_KX_RSA = 0,      /* CKE: encrypted premaster; no ServerKeyExchange */
  TC_KX_DHE,          /* SKE: dh_p, dh_g, dh_Ys;  CKE: dh_Yc */
  TC_KX_ECDHE,        /* SKE: named curve + point; CKE: point */
  TC_KX_PSK,          /* SKE: identity hint;       CKE: identity */
  TC_KX_DHE_PSK,      /* SKE: hint + DH params;    CKE: identity + dh_Yc */
  TC_KX_ECDHE_PSK,    /* SKE: hint + EC params;    CKE: identity + point */
  TC_KX_RSA_PSK,      /* SKE: hint;                CKE: identity + encrypted premaster */
  TC_KX_SRP           /* SKE: N, g, s, B;          CKE: A */
} tc_kx;

/* ECParameters curve_type for a named curve (the only one accepted). */
#define TC_EC_CURVE_TYPE_NAMED 3

typedef struct tc_server_key_exchange {
  tc_kx kx;
  tc_bytes psk_hint;           /* *_PSK */
  tc_bytes dh_p, dh_g, dh_ys;  /* DHE, DHE_PSK (each 1..65535) */
  uint16_t group;              /* ECDHE, ECDHE_PSK: named curve */
  tc_bytes ec_point;           /* ECDHE, ECDHE_PSK (1..255) */
  tc_bytes srp_n, srp_g, srp_s, srp_b; /* SRP */
  /* Parse only: the bytes the signature covers after the randoms (the
   * ServerDHParams / ServerECDHParams / ServerSRPParams encoding). */
  tc_bytes params;
  bool has_signature;          /* certificate-authenticated suite */
  bool has_scheme;             /* TLS 1.2: SignatureAndHashAlgorithm present */
  uint16_t scheme;
  tc_bytes signature;
} tc_server_key_exchange;
/* `signed_`: the suite authenticates the server with a certificate
 * (ECDHE_RSA, DHE_RSA, SRP_RSA, ...); version decides has_scheme. */
int tc_msg_parse_server_key_exchange(const uint8_t *body, size_t len, tc_kx kx, bool signed_,
                                     uint16_t version, tc_server_key_exchange *out, tc_error *err);
int tc_msg_write_server_key_exchange(tc_writer *w, const tc_server_key_exchange *in);
/* Write just the params part (as covered by the signature) to w, no header:
 * the server signs client_random + server_random + these bytes. */
int tc_msg_write_ske_params(tc_writer *w, const tc_server_key_exchange *in);

typedef struct tc_client_key_exchange {
  tc_kx kx;
  bool ssl3;                   /* RSA in SSL 3.0: no length prefix on the premaster */
  tc_bytes psk_identity;       /* *_PSK */
  tc_bytes ec_point;           /* ECDHE, ECDHE_PSK (1..255) */
  tc_bytes dh_yc;              /* DHE, DHE_PSK (1..65535) */
  tc_bytes rsa_epms;           /* RSA, RSA_PSK */
  tc_bytes srp_a;              /* SRP (1..65535) */
} tc_client_key_exchange;
int tc_msg_parse_client_key_exchange(const uint8_t *body, size_t len, tc_kx kx, uint16_t version,
                                     tc_client_key_exchange *out, tc_error *err);
int tc_msg_write_client_key_exchange(tc_writer *w, const tc_client_key_exchange *in);

/* RFC 9258 ImportedIdentity: the wire identity of an imported external PSK.
 *   struct { opaque external_identity<1..2^16-1>; opaque context<0..2^16-1>;
 *            uint16 target_protocol; uint16 target_kdf; } ImportedIdentity;
 * Not a handshake message: parse takes exactly the identity bytes (no header)
 * and rejects trailing bytes; write appends the structure alone. */
#define TC_KDF_HKDF_SHA256 0x0001  /* IANA "TLS KDF Identifiers" */
#define TC_KDF_HKDF_SHA384 0x0002
typedef struct tc_imported_identity {
  tc_bytes external_identity;
  tc_bytes context;
  uint16_t target_protocol;
  uint16_t target_kdf;
} tc_imported_identity;
int tc_msg_parse_imported_identity(const uint8_t *p, size_t len, tc_imported_identity *out,
                                   tc_error *err);
int tc_msg_write_imported_identity(tc_writer *w, const tc_imported_identity *in);

/* Name of a handshake type for messages ("ClientHello"), "unknown" otherwise. */
const char *tc_msg_type_name(uint8_t type);

#ifdef __cplusplus
}
#endif
#endif
