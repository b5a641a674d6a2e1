/* Strict DER reader and a small DER writer shared by the x509 code (internal). */
#ifndef TLSCORE_X509_DER_H
#define TLSCORE_X509_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Universal tags (single-byte identifiers; high tag numbers are rejected). */
enum {
  DER_BOOLEAN = 0x01,
  DER_INTEGER = 0x02,
  DER_BIT_STRING = 0x03,
  DER_OCTET_STRING = 0x04,
  DER_NULL = 0x05,
  DER_OID = 0x06,
  DER_UTF8STRING = 0x0c,
  DER_PRINTABLESTRING = 0x13,
  DER_T61STRING = 0x14,
  DER_IA5STRING = 0x16,
  DER_UTCTIME = 0x17,
  DER_GENERALIZEDTIME = 0x18,
  DER_UNIVERSALSTRING = 0x1c,
  DER_BMPSTRING = 0x1e,
  DER_SEQUENCE = 0x30,
  DER_SET = 0x31
};
#define DER_CTX(n) (0x80 | (n))        /* [n] IMPLICIT primitive */
#define DER_CTX_CONS(n) (0xa0 | (n))   /* [n] constructed / EXPLICIT */

/* A view of bytes still to read. Every read either consumes a whole element
 * that lies inside the view or fails without consuming anything. */
typedef struct der {
  const uint8_t *p;
  size_t len;
} der;

static inline der der_view(const uint8_t *p, size_t len) {
  der d = {p, len};
  return d;
}
static inline bool der_empty(const der *d) { return d->len == 0; }

/* Read one element: its tag, its content, and (if full != NULL) the whole
 * encoding. Rejects indefinite and non-minimal lengths, high tag numbers and
 * lengths beyond the view. */
bool der_read_any(der *in, uint8_t *tag, der *content, der *full);
/* Read an element that must have this tag. */
bool der_read(der *in, uint8_t tag, der *content);
/* Same, also returning the whole encoding. */
bool der_read_full(der *in, uint8_t tag, der *content, der *full);
/* true if the next element has this tag. */
bool der_peek(const der *in, uint8_t tag);
/* Read an element with this tag if it is next; *present says whether it was. */
bool der_read_optional(der *in, uint8_t tag, der *content, bool *present);

/* INTEGER that must be >= 0 and minimally encoded; *out points at the
 * magnitude with leading zero bytes removed (may be empty for 0). */
bool der_read_uint_bytes(der *in, der *out);
/* Small non-negative INTEGER into *out (fails above max). */
bool der_read_uint(der *in, uint64_t max, uint64_t *out);
/* BOOLEAN (DER: 0x00 or 0xff only). */
bool der_read_bool(der *in, bool *out);
/* BIT STRING with no unused bits. */
bool der_read_bitstring_bytes(der *in, der *out);
/* BIT STRING as flags: bit 0 is the first (most significant) bit of the
 * first byte, as named bit lists use it. Up to 32 bits. */
bool der_read_bitstring_flags(der *in, uint32_t *flags);
/* OID content compared with a DER-encoded OID body (no tag/length). */
bool der_oid_eq(const der *oid, const uint8_t *body, size_t len);
#define DER_OID_EQ(d, lit) der_oid_eq((d), (const uint8_t *)(lit), sizeof(lit) - 1)
/* Validate an OID's content (minimal base-128 arcs). */
bool der_oid_valid(const der *oid);
/* Format an OID as dotted text into buf; false if it does not fit. */
bool der_oid_to_text(const der *oid, char *buf, size_t size);
/* UTCTime / GeneralizedTime to seconds since the epoch (RFC 5280 forms only). */
bool der_read_time(der *in, int64_t *out);
/* AlgorithmIdentifier: OID and the parameters' full encoding (params->len 0 if absent). */
bool der_read_algid(der *in, der *oid, der *params);

/* ---- writer ---- */

/* A growable output buffer. On any allocation failure `failed` latches and
 * later writes do nothing. Old buffers are wiped on growth because the
 * writer also builds private keys. */
typedef struct derw {
  uint8_t *buf;
  size_t len, cap;
  bool failed;
} derw;

void derw_init(derw *w);
void derw_free(derw *w); /* wipes */
void derw_raw(derw *w, const void *p, size_t n);
/* Write tag, length and content. */
void derw_tlv(derw *w, uint8_t tag, const void *p, size_t n);
/* INTEGER from a big-endian unsigned magnitude (adds the sign byte, strips
 * leading zeros). */
void derw_uint_bytes(derw *w, const uint8_t *p, size_t n);
void derw_uint(derw *w, uint64_t v);
/* Open a constructed element; returns a mark for derw_end. */
size_t derw_begin(derw *w, uint8_t tag);
/* Close it: fixes up the length (moves the content when the length needs
 * more than one byte). */
void derw_end(derw *w, size_t mark);

#endif
