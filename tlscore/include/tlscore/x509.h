/* tlscore X.509: certificates, private keys, PEM, trust stores and path validation. */
#ifndef TLSCORE_X509_H
#define TLSCORE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tc_cert tc_cert;           /* parsed certificate, refcounted, immutable */
typedef struct tc_pubkey tc_pubkey;       /* public key (crypto/), refcounted */
typedef struct tc_privkey tc_privkey;     /* private key (crypto/), refcounted, wiped on free */
typedef struct tc_trust_store tc_trust_store; /* set of trust anchors, refcounted */

/* Key types. */
typedef enum {
  TC_PK_NONE = 0,
  TC_PK_RSA,
  TC_PK_RSA_PSS,   /* id-RSASSA-PSS keys */
  TC_PK_EC_P256,
  TC_PK_EC_P384,
  TC_PK_EC_P521,
  TC_PK_ED25519,
  TC_PK_ED448
} tc_pk_type;

/* Result flags of chain validation. Values equal GTlsCertificateFlags,
 * except TC_CERT_STAPLE_MISSING, which comes with TC_CERT_GENERIC_ERROR and
 * says why (callers keeping to GTlsCertificateFlags mask it off). */
enum {
  TC_CERT_UNKNOWN_CA = 1 << 0,
  TC_CERT_BAD_IDENTITY = 1 << 1,
  TC_CERT_NOT_ACTIVATED = 1 << 2,
  TC_CERT_EXPIRED = 1 << 3,
  TC_CERT_REVOKED = 1 << 4,
  TC_CERT_INSECURE = 1 << 5,
  TC_CERT_GENERIC_ERROR = 1 << 6,
  TC_CERT_STAPLE_MISSING = 1 << 16 /* RFC 7633 must-staple path, no OCSP staple */
};

/* What the handshake brought for the must-staple policy (RFC 7633). */
typedef enum {
  TC_STAPLE_IGNORE = 0, /* no policy: validating outside a handshake */
  TC_STAPLE_NONE,       /* the peer stapled no OCSP response */
  TC_STAPLE_PRESENT     /* the peer stapled an OCSP response for the leaf */
} tc_staple;

/* What the chain's leaf is validated for (extendedKeyUsage). */
typedef enum { TC_PURPOSE_ANY = 0, TC_PURPOSE_SERVER, TC_PURPOSE_CLIENT } tc_purpose;

/* ---- Certificates ---- */

/* Parse one DER certificate; trailing bytes are an error. */
tc_cert *tc_cert_parse_der(const uint8_t *der, size_t len, tc_error *err);
/* A small cache of recently parsed certificates, owned by whoever keeps it
 * (a tc_config keeps one for the peer chains its connections receive, which
 * repeat). Thread-safe; its lock is only ever tried, never waited for. */
typedef struct tc_cert_cache tc_cert_cache;
tc_cert_cache *tc_cert_cache_new(void);
void tc_cert_cache_free(tc_cert_cache *cc);
/* tc_cert_parse_der, but may return (a new reference to) the object of a
 * recent call on the same cache with byte-identical input. cc may be NULL. */
tc_cert *tc_cert_parse_der_cached(tc_cert_cache *cc, const uint8_t *der, size_t len,
                                  tc_error *err);
tc_cert *tc_cert_ref(tc_cert *cert);
void tc_cert_unref(tc_cert *cert);

const uint8_t *tc_cert_der(const tc_cert *cert, size_t *len);
/* Raw DER of the subject and issuer Names (for exact comparison, accepted CAs). */
const uint8_t *tc_cert_subject_der(const tc_cert *cert, size_t *len);
const uint8_t *tc_cert_issuer_der(const tc_cert *cert, size_t *len);
/* Names as strings in X.509 order, comma-separated, no spaces after commas,
 * RFC 4514 escaping: "DC=COM,DC=EXAMPLE,CN=server.example.com". Caller frees. */
char *tc_cert_subject_string(const tc_cert *cert);
char *tc_cert_issuer_string(const tc_cert *cert);
/* Validity as seconds since the Unix epoch. */
int64_t tc_cert_not_before(const tc_cert *cert);
int64_t tc_cert_not_after(const tc_cert *cert);
/* subjectAltName entries. */
size_t tc_cert_dns_name_count(const tc_cert *cert);
const char *tc_cert_dns_name(const tc_cert *cert, size_t i, size_t *len);
size_t tc_cert_ip_count(const tc_cert *cert);
const uint8_t *tc_cert_ip(const tc_cert *cert, size_t i, size_t *len); /* 4 or 16 bytes */
bool tc_cert_is_ca(const tc_cert *cert);
bool tc_cert_is_self_issued(const tc_cert *cert);
/* TLS Feature extension (RFC 7633) lists status_request. */
bool tc_cert_must_staple(const tc_cert *cert);
/* The subject public key (borrowed; lives as long as the certificate).
 * NULL when the key type is not supported (the certificate still parses). */
const tc_pubkey *tc_cert_pubkey(const tc_cert *cert);
/* DER of the SubjectPublicKeyInfo (for pinning). */
const uint8_t *tc_cert_spki_der(const tc_cert *cert, size_t *len);
/* 0 if `issuer`'s key verifies `cert`'s signature (and names chain), else -1. */
int tc_cert_verify_signed_by(const tc_cert *cert, const tc_cert *issuer);
/* The same answer, for issuer look-ups: a pair already verified (by an
 * earlier call or by tc_x509_verify's path building on these certificate
 * objects) is not verified again. Each certificate remembers one verified
 * issuer key (bounded; certificates come back from tc_cert_cache). */
int tc_cert_issued_by(const tc_cert *cert, const tc_cert *issuer);
/* The TLS signature hash used for tls-server-end-point (RFC 5929): SHA-256
 * for MD5/SHA-1 signatures, else the signature's hash. Writes the digest,
 * returns its length (0 on error). out must hold 64 bytes. */
size_t tc_cert_end_point_hash(const tc_cert *cert, uint8_t out[64]);

/* ---- PEM ---- */

typedef struct tc_pem_block {
  char label[64];     /* e.g. "CERTIFICATE", "PRIVATE KEY" */
  uint8_t *der;
  size_t len;
} tc_pem_block;

/* Decode every PEM block in text (other text between blocks is ignored, as
 * OpenSSL does). A block with RFC 1421 headers (legacy encrypted keys) comes
 * back with der == NULL and len == 0. Returns the number of blocks (0 with err set on a malformed
 * block, 0 with no error if there is none) and an array the caller frees with
 * tc_pem_blocks_free. */
size_t tc_pem_decode(const char *text, size_t len, tc_pem_block **blocks, tc_error *err);
void tc_pem_blocks_free(tc_pem_block *blocks, size_t n);
/* Encode as PEM with 64-column lines; caller frees. */
char *tc_pem_encode(const char *label, const uint8_t *der, size_t len);

/* Parse every certificate in PEM text or a single DER certificate. Returns a
 * malloc'd array of references (caller unrefs each and frees the array). */
size_t tc_certs_parse(const uint8_t *data, size_t len, tc_cert ***certs, tc_error *err);

/* ---- Private keys ---- */

/* Parse a private key: DER or PEM; PKCS#1 RSA, SEC1 EC, PKCS#8, or encrypted
 * PKCS#8 (PBES2 with PBKDF2-HMAC-SHA1/SHA256 and AES-CBC) with `password`
 * (may be NULL). Wrong/missing password: TC_ERR_BAD_PASSWORD. */
tc_privkey *tc_privkey_parse(const uint8_t *data, size_t len, const char *password, tc_error *err);
tc_privkey *tc_privkey_ref(tc_privkey *key);
void tc_privkey_unref(tc_privkey *key);
tc_pk_type tc_privkey_type(const tc_privkey *key);
/* Unencrypted PKCS#8 DER of the key; caller frees (and should wipe). */
int tc_privkey_to_pkcs8(const tc_privkey *key, uint8_t **der, size_t *len, tc_error *err);
/* true if the key is the private half of the certificate's public key. */
bool tc_privkey_matches_cert(const tc_privkey *key, const tc_cert *cert);

tc_pubkey *tc_pubkey_ref(tc_pubkey *key);
void tc_pubkey_unref(tc_pubkey *key);
tc_pk_type tc_pubkey_type(const tc_pubkey *key);
unsigned tc_pubkey_bits(const tc_pubkey *key);

/* ---- PKCS#12 ---- */

/* Parse a PKCS#12 file: the leaf, the other certificates, and the private key.
 * Supports PBES2 (PBKDF2, AES-CBC) and the PKCS#12 PBE with 3DES, with HMAC
 * SHA-1/SHA-256 MACs. Wrong or missing password: TC_ERR_BAD_PASSWORD. */
int tc_pkcs12_parse(const uint8_t *data, size_t len, const char *password,
                    tc_cert ***certs, size_t *ncerts, tc_privkey **key, tc_error *err);

/* ---- Trust stores and validation ---- */

tc_trust_store *tc_trust_store_new(void);
tc_trust_store *tc_trust_store_ref(tc_trust_store *store);
void tc_trust_store_unref(tc_trust_store *store);
int tc_trust_store_add(tc_trust_store *store, tc_cert *cert);
/* Add every certificate in PEM/DER data; returns how many were added. */
size_t tc_trust_store_add_data(tc_trust_store *store, const uint8_t *data, size_t len, tc_error *err);
size_t tc_trust_store_count(const tc_trust_store *store);
tc_cert *tc_trust_store_get(const tc_trust_store *store, size_t i); /* borrowed */
/* Anchors whose subject equals `name_der` (borrowed refs into *out, caller
 * frees the array). */
size_t tc_trust_store_find_by_subject(const tc_trust_store *store, const uint8_t *name_der,
                                      size_t len, tc_cert ***out);

/* Validate `chain` (leaf first, any order after it, may hold extra or
 * duplicate certificates) against the anchors at time `now`: build a path
 * trying alternative issuers (a path rejected for any reason does not end
 * the search; the search has a fixed budget), check signatures and their
 * algorithms, validity, basicConstraints and pathLenConstraint, keyUsage,
 * extendedKeyUsage for `purpose` on every certificate (EKU chaining), name
 * constraints of every name form, the RFC 5280 structure rules listed in
 * tlscore/x509/README.md, unknown critical extensions. If `identity` is not
 * NULL the leaf is matched against it (host name or textual IP address,
 * RFC 6125; the subject CN as no_cn_fallback in tc_verify_opts describes).
 * The default policy of tc_x509_verify_opts.
 * Returns 0 or an OR of TC_CERT_* flags; never fails otherwise. If `path` is
 * not NULL it receives the validated path (leaf first, anchor last; caller
 * unrefs and frees) when the result is 0. */
unsigned tc_x509_verify(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                        const char *identity, int64_t now, tc_purpose purpose,
                        tc_cert ***path, size_t *path_len);
/* tc_x509_verify with the must-staple policy of a handshake: when a
 * certificate of the chosen path (the anchor included; the leaf and the
 * presented certificates when no path was found) carries the TLS Feature
 * status_request (RFC 7633) and `staple` is TC_STAPLE_NONE, the result has
 * TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING. The stapled response's
 * content is not checked here (no OCSP validation). */
unsigned tc_x509_verify_staple(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                               const char *identity, int64_t now, tc_purpose purpose,
                               tc_staple staple, tc_cert ***path, size_t *path_len);

/* ---- The Public Suffix List (publicsuffix.org) ----
 * Its rules, parsed from the list's text form (the caller reads the file:
 * Debian's publicsuffix package installs it). Immutable once parsed, so
 * one list may serve any number of threads. Set in tc_verify_opts, it
 * makes a wildcard dNSName whose fixed part is a public suffix ("*.co.uk",
 * "*.s3.amazonaws.com") name no host: CAs may not issue those (CA/Browser
 * Forum BR 3.2.2.6), and browsers match none. Rules spelled in UTF-8 are
 * left out (certificates carry A-labels). NULL: allocation failure or no
 * rule in the text. */
typedef struct tc_psl tc_psl;
tc_psl *tc_psl_parse(const char *text, size_t len);
void tc_psl_free(tc_psl *psl);
/* How many rules (exceptions included) were kept. */
size_t tc_psl_rules(const tc_psl *psl);
/* Whether `name` (a trailing dot allowed, any letter case) is a public
 * suffix: named by a rule or covered by a wildcard rule, and not by an
 * exception. The list's implicit "*" rule is not applied, so unlisted
 * private top-level names ("corp", "lan") are not suffixes. */
bool tc_psl_is_public_suffix(const tc_psl *psl, const char *name, size_t len);

/* Settings of tc_x509_verify_opts. All-zero is the default policy. */
typedef struct tc_verify_opts {
  const char *identity; /* host name or IP literal the leaf must match, or NULL */
  int64_t now;          /* validation time, seconds since the epoch */
  tc_purpose purpose;
  /* The subject CN names the host (RFC 6125 6.4.4, what GnuTLS and OpenSSL
   * do) only as a plain host name, matched exactly, never an IP address,
   * when the leaf has no subjectAltName extension at all and no
   * certificate of the path carries name constraints (Go 1.10-1.14
   * refused such chains outright: NameConstraintsWithoutSANs). Name
   * constraints judge such a CN as a dNSName in any case. no_cn_fallback:
   * the CN never names the host (RFC 9525, as browsers, Go and rustls). */
  bool no_cn_fallback;
  /* Accept SHA-1 signatures below the trust anchor (MD5 and MD2 never). */
  bool allow_sha1;
  /* Leave out the Web PKI key rules: RSA of at least 2048 bits (a multiple
   * of 8), and only P-256/P-384/P-521/Ed25519/Ed448 keys. */
  bool no_webpki_keys;
  /* Leave out the Web PKI rules for the leaf of a server chain (CA/Browser
   * Forum BR 7.1.2.7 and 7.1.4.3; not applied to a leaf that is itself the
   * trust anchor): a subject CN that reads as an IP address, or that is a
   * subjectAltName dNSName in other letter case, spelled exactly as the
   * subjectAltName entry (private PKIs put other labels in the CN), no
   * basicConstraints cA without keyCertSign, no anyExtendedKeyUsage, the
   * extendedKeyUsage non-critical, the subjectAltName non-critical when
   * the subject is not empty. */
  bool no_webpki_leaf;
  /* The must-staple policy, as tc_x509_verify_staple describes. */
  tc_staple staple;
  /* Public suffixes for wildcard matching (see tc_psl_parse), or NULL:
   * then only wildcards over a single label ("*.com") are refused. */
  const tc_psl *psl;
} tc_verify_opts;

/* tc_x509_verify with settings. If `reason` is not NULL it receives, when
 * the result is not 0, a static English sentence naming the first rule the
 * best path broke (e.g. "SHA-1 signature below the trust anchor"). */
unsigned tc_x509_verify_opts(tc_cert *const *chain, size_t n, const tc_trust_store *anchors,
                             const tc_verify_opts *opts, const char **reason, tc_cert ***path,
                             size_t *path_len);

/* RFC 6125 matching on subjectAltName (no CN fallback); `name` may be a DNS
 * name (wildcard only as the whole left-most label) or an IPv4/IPv6 literal. */
bool tc_x509_match_identity(const tc_cert *cert, const char *name);
/* The same, and with `cn_fallback` the subject CN of a leaf that has no
 * subjectAltName extension at all (exact match, never for IP addresses). */
bool tc_x509_match_identity_cn(const tc_cert *cert, const char *name, bool cn_fallback);

/* ---- Pinning (TLS Lite's Checker, curl's --pinnedpubkey) ----
 * A pin names the one certificate or key a client accepts from a server.
 * Two kinds: the SHA-256 of the leaf's DER SubjectPublicKeyInfo, spelled
 * "sha256//" + base64 (as curl and HPKP spell it; survives a re-issued
 * certificate with the same key), and the SHA-256 fingerprint of the
 * leaf's DER certificate, spelled in hex, colons between byte pairs
 * optional. Only the leaf is matched: in pin-only use nothing else of the
 * chain is authenticated. */
typedef enum { TC_PIN_SPKI_SHA256 = 1, TC_PIN_CERT_SHA256 = 2 } tc_pin_type;
typedef struct tc_pin {
  tc_pin_type type;
  uint8_t hash[32];
} tc_pin;
/* Longest text tc_pin_format writes, NUL included ("AB:" x 32). */
#define TC_PIN_TEXT_MAX 97

/* Parse one pin, strictly: "sha256//" and canonical padded base64 of exactly
 * 32 bytes, or 64 hex digits (either case) with either no colons or one
 * between every byte pair. Nothing else (no white space). The error message
 * says what is wrong; callers add the pin text. */
int tc_pin_parse(const char *text, tc_pin *pin, tc_error *err);
/* The canonical spelling: "sha256//BASE64=" or upper-case hex with colons. */
void tc_pin_format(const tc_pin *pin, char out[TC_PIN_TEXT_MAX]);
/* The certificate's pin of the given type. */
void tc_cert_pin(const tc_cert *cert, tc_pin_type type, tc_pin *pin);
/* Index of the first pin in pins[0..n) the leaf matches (hashes compared in
 * constant time), or -1 if none does (also when n is 0). */
long tc_x509_pin_match(const tc_cert *leaf, const tc_pin *pins, size_t n);

#ifdef __cplusplus
}
#endif
#endif
