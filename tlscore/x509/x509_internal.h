/* Internal definitions shared by the x509 sources: the parsed certificate and helpers. */
#ifndef TLSCORE_X509_INTERNAL_H
#define TLSCORE_X509_INTERNAL_H

#include <stdatomic.h>

#include "crypto/crypto.h"
#include "tlscore/x509.h"
#include "x509/der.h"

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
  bool has_eku, eku_server, eku_client, eku_any;
  bool must_staple;
  bool unknown_critical;
  bool has_nc;
  der nc_permitted;    /* GeneralSubtrees content, len 0 if absent */
  der nc_excluded;
  der ski, aki;        /* key identifiers (len 0 if absent) */

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
