/* Internal definitions shared by the x509 sources: the parsed certificate and helpers. */
#ifndef TLSCORE_X509_INTERNAL_H
#define TLSCORE_X509_INTERNAL_H

#include <stdatomic.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"
#include "x509/der.h"

/* RFC 5280 structure rules a certificate breaks (tc_cert.defects). The
 * certificate still parses, so that path validation can reject it with a
 * message naming the rule (tc_x509_defect_message) instead of "malformed". */
enum {
  TC_DEF_SKI_CRITICAL = 1u << 0,     /* 4.2.1.2: MUST be non-critical */
  TC_DEF_AKI_CRITICAL = 1u << 1,     /* 4.2.1.1: MUST be non-critical */
  TC_DEF_AKI_MALFORMED = 1u << 2,    /* 4.2.1.1 syntax */
  TC_DEF_SERIAL_ZERO = 1u << 3,      /* 4.1.2.2: positive */
  TC_DEF_SERIAL_NEGATIVE = 1u << 4,  /* 4.1.2.2: positive */
  TC_DEF_SERIAL_LONG = 1u << 5,      /* 4.1.2.2: at most 20 octets */
  TC_DEF_EMPTY_ISSUER = 1u << 6,     /* 4.1.2.4: non-empty issuer */
  TC_DEF_NC_NONCRITICAL = 1u << 7,   /* 4.2.1.10: MUST be critical */
  TC_DEF_NC_EMPTY = 1u << 8,         /* 4.2.1.10: not an empty sequence */
  TC_DEF_EKU_EMPTY = 1u << 9,        /* 4.2.1.12: SIZE (1..MAX) */
  TC_DEF_SAN_EMPTY = 1u << 10,       /* 4.2.1.6: SIZE (1..MAX) */
  TC_DEF_SAN_NOT_CRITICAL = 1u << 11, /* 4.2.1.6: critical when the subject is empty */
  TC_DEF_AIA_CRITICAL = 1u << 12,     /* 4.2.2.1: MUST be non-critical */
  TC_DEF_AIA_MALFORMED = 1u << 13,    /* 4.2.2.1: SIZE (1..MAX) OF AccessDescription */
  TC_DEF_PC_NONCRITICAL = 1u << 14,   /* 4.2.1.11: MUST be critical */
  TC_DEF_AKI_NO_KEYID = 1u << 15,     /* 4.2.1.1: keyIdentifier MUST be present */
  TC_DEF_NC_MALFORMED = 1u << 16,     /* 4.2.1.10: a dNSName constraint is a domain name */
  TC_DEF_SERIAL = TC_DEF_SERIAL_ZERO | TC_DEF_SERIAL_NEGATIVE | TC_DEF_SERIAL_LONG
};

/* keyUsage bits as der_read_bitstring_flags numbers them. */
enum {
  KU_DIGITAL_SIGNATURE = 1 << 0,
  KU_KEY_CERT_SIGN = 1 << 5
};

struct tc_cert {
  atomic_int refs;
  uint8_t *der;
  size_t der_len;
  der tbs;        /* whole TBSCertificate encoding (signed bytes) */
  der subject;    /* full Name encodings */
  der issuer;
  der spki;       /* full SubjectPublicKeyInfo encoding */
  der sig;        /* signature value bytes */
  int version;    /* 1, 2 or 3 */
  int64_t not_before, not_after;

  tc_sigalg sig_alg;   /* TC_SIGALG_NONE: unknown/unsupported algorithm */
  tc_hash_alg sig_hash;
  bool sig_insecure;   /* MD2/MD5 */

  tc_pubkey *pubkey;   /* NULL if the key type is not supported */
  tc_pk_type pk_type;

  bool has_bc, is_ca;
  int path_len;        /* -1: no limit */
  bool has_ku;
  uint32_t ku;
  bool has_eku, eku_server, eku_client, eku_any, eku_critical;
  unsigned defects;    /* TC_DEF_* */
  bool has_san;        /* subjectAltName present, whatever it holds */
  bool san_noncritical;
  der san;             /* its GeneralNames content (len 0 if absent) */
  der cn;              /* most specific subject CN if a string type (len 0 if none) */
  bool must_staple;
  bool unknown_critical;
  bool has_nc;
  der nc_permitted;    /* GeneralSubtrees content, len 0 if absent */
  der nc_excluded;
  der ski, aki;        /* key identifiers (len 0 if absent) */
  bool has_ski, has_aki; /* the extensions are present (aki may still lack a keyIdentifier) */

  size_t n_dns, n_ip;
  der *dns;            /* views into der */
  der *ip;

  /* One verified edge (tc_cert_issued_by): a reference to the public key
   * of an issuer whose signature on this certificate has been checked, so
   * a later look-up of the same pair costs no signature. The signature is
   * a function of this DER and that key alone, both immutable. Set once
   * (compare-and-swap from NULL), dropped with the certificate; holding the
   * key rather than the issuer certificate cannot make a reference cycle. */
  _Atomic(tc_pubkey *) edge_key;
};

/* Remember that `issuer` verified `cert`'s signature (see edge_key). */
void tc_cert_note_edge(const tc_cert *cert, const tc_cert *issuer);

/* The RFC 5280 rule behind the lowest TC_DEF_* bit in `defects`. */
const char *tc_x509_defect_message(unsigned defects);

/* The subject CN when it stands for the host name (no subjectAltName at
 * all, CN a plain DNS name); false otherwise. */
bool tc_cert_cn_host(const tc_cert *cert, const char **name, size_t *len);

/* tc_x509_match_identity_cn with the public suffixes of `psl` (or NULL)
 * refused as the fixed part of a wildcard. */
bool tc_match_identity_psl(const tc_cert *cert, const char *name, bool cn_fallback, const tc_psl *psl);

/* CA/Browser Forum BR 7.1.4.3, for the CNs that spell a SAN entry: each
 * subject commonName of `cert` that reads as an IP address is the text of
 * one of its iPAddresses (dotted decimal; RFC 5952 for IPv6), and none is
 * one of its dNSNames in other letter case. */
bool tc_cert_cn_spells_san(const tc_cert *cert);

/* Checks every name of `c` (its subject as a directoryName, its
 * subjectAltName entries, and for the leaf a CN that stands for the host
 * name, as a dNSName) against the name constraints of `ca`. Each comparison
 * costs one unit of *budget. NULL when allowed, else the rule broken. */
const char *tc_nc_check(const tc_cert *ca, const tc_cert *c, bool is_leaf, unsigned long *budget);

/* Whether two certificates are byte-identical. */
bool tc_cert_equal(const tc_cert *a, const tc_cert *b);
/* Whether the subject Name of a equals the issuer Name of b (byte compare). */
bool tc_name_eq(const der *a, const der *b);
/* Format a Name encoding as a string (see tc_cert_subject_string). */
char *tc_name_to_string(const der *name);
/* True when tc_name_to_string would succeed (barring allocation failure),
 * without building the string. */
bool tc_name_check(const der *name);

/* Parse a SubjectPublicKeyInfo into a key (NULL + *type NONE if unsupported;
 * false if malformed). */
bool tc_spki_parse(der spki_full, tc_pubkey **key, tc_pk_type *type);

/* Curve OIDs (DER bodies) for the EC key types. */
bool tc_curve_from_oid(const der *oid, tc_pk_type *type);
const uint8_t *tc_curve_oid(tc_pk_type type, size_t *len);
size_t tc_curve_scalar_len(tc_pk_type type);

/* Decrypt an EncryptedPrivateKeyInfo-style (algid, ciphertext) pair with a
 * PBES2 or PKCS#12 PBE algorithm. Returns a malloc'd plaintext or NULL with
 * err set (TC_ERR_BAD_PASSWORD when the padding does not check out). */
uint8_t *tc_pbe_decrypt(der algid_oid, der algid_params, const uint8_t *ct, size_t ct_len,
                        const char *password, size_t *out_len, tc_error *err);
/* PKCS#8 PrivateKeyInfo DER to a key. */
tc_privkey *tc_pkcs8_parse(der in, tc_error *err);

/* Maximum PBKDF2/PKCS#12 KDF iterations accepted (bounded so hostile files
 * cannot make us spin). */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define TC_MAX_KDF_ITERATIONS 2048u
#else
#define TC_MAX_KDF_ITERATIONS 10000000u
#endif

#endif
