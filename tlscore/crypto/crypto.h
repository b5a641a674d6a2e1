/* tlscore crypto provider: the one interface to nettle and GMP (internal to tlscore). */
#ifndef TLSCORE_CRYPTO_H
#define TLSCORE_CRYPTO_H

/* This header must not include nettle or GMP headers: everything outside
 * tlscore/crypto/ sees only these opaque types. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlscore/config.h"
#include "tlscore/errors.h"
#include "tlscore/x509.h"

/* ---- memory hygiene ---- */
void tc_wipe(void *p, size_t n);                          /* not optimised away */
bool tc_ct_equal(const void *a, const void *b, size_t n); /* constant time */
/* ---- base64 (RFC 4648 §4, standard alphabet, padded) ---- */
/* Writes ((len + 2) / 3) * 4 characters and a NUL into out. */
void tc_base64_encode(const uint8_t *in, size_t len, char *out);
/* Strict decoding: only the alphabet, '=' padding to a multiple of four,
 * no white space, canonical (the unused bits are zero). Returns the
 * decoded length, or -1 if `in` is malformed or decodes to more than cap. */
long tc_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);
/* Constant-time select helpers used by CBC/RSA code. */
static inline uint32_t tc_ct_mask_eq(uint32_t a, uint32_t b) {
  uint32_t x = a ^ b;
  return (uint32_t)(((uint64_t)x - 1) >> 63) * 0xffffffffu; /* all ones iff a == b */
}

/* ---- randomness ---- */
typedef struct tc_rng {
  tc_rng_fn fn;   /* NULL: getrandom for every draw */
  void *ctx;
} tc_rng;
/* Fill out from the rng (getrandom when rng or rng->fn is NULL; each
 * tc_config draws from its own tc_drbg unless the caller installed a source).
 * 0 ok, -1 when the source failed (out is then garbage). */
int tc_random(const tc_rng *rng, uint8_t *out, size_t len);

/* A userspace generator (ChaCha20 with fast key erasure) seeded with 32 bytes
 * of getrandom and reseeded after TC_DRBG_RESEED_BYTES of output or
 * TC_DRBG_RESEED_REQUESTS draws, and in a forked child before its first draw.
 * Thread-safe. When the fork-safe state cannot be set up (no
 * MADV_WIPEONFORK), every draw is a getrandom call instead. tc_drbg_new
 * returns NULL only when out of memory. Reference counted (a tc_config holds
 * one, and several configs may share one: tc_rng_source in config.h is this
 * type); the last tc_drbg_free wipes the state. */
typedef struct tc_drbg tc_drbg;
#define TC_DRBG_RESEED_BYTES ((uint64_t)1 << 20)
#define TC_DRBG_RESEED_REQUESTS ((uint64_t)1 << 16)
tc_drbg *tc_drbg_new(void);
tc_drbg *tc_drbg_ref(tc_drbg *d);
void tc_drbg_free(tc_drbg *d);
/* 0 ok; -1 when getrandom failed while (re)seeding (nothing is served). */
int tc_drbg_generate(tc_drbg *d, uint8_t *out, size_t len);
/* tc_rng_fn over a tc_drbg (ctx). */
int tc_drbg_rng_fn(void *ctx, uint8_t *out, size_t len);
/* For tests: whether the fork-safe state exists, and how often it was seeded
 * (a forked child's count restarts from 0). */
bool tc_drbg_fork_safe(const tc_drbg *d);
uint64_t tc_drbg_reseeds(tc_drbg *d);

/* ---- hashes ---- */
typedef enum {
  TC_HASH_NONE = 0,
  TC_HASH_MD5,
  TC_HASH_SHA1,
  TC_HASH_SHA224,
  TC_HASH_SHA256,
  TC_HASH_SHA384,
  TC_HASH_SHA512,
  TC_HASH_MD5_SHA1   /* TLS 1.0/1.1 handshake hash: MD5 || SHA-1, 36 bytes */
} tc_hash_alg;
#define TC_HASH_MAX_LEN 64
#define TC_HASH_MAX_BLOCK 128

size_t tc_hash_len(tc_hash_alg alg);
size_t tc_hash_block_len(tc_hash_alg alg);

typedef struct tc_hash_ctx {
  tc_hash_alg alg;
  _Alignas(16) uint8_t state[352]; /* nettle context; size checked in hash.c */
} tc_hash_ctx;
void tc_hash_init(tc_hash_ctx *ctx, tc_hash_alg alg);
void tc_hash_update(tc_hash_ctx *ctx, const uint8_t *data, size_t len);
/* Writes tc_hash_len bytes. The ctx is left unusable (copy it first to keep
 * a running transcript: contexts are plain structs). */
void tc_hash_final(tc_hash_ctx *ctx, uint8_t *out);
void tc_hash(tc_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out);

/* ---- HMAC / HKDF / PRFs ---- */
typedef struct tc_hmac_ctx {
  tc_hash_alg alg;
  tc_hash_ctx inner, outer;
} tc_hmac_ctx;
void tc_hmac_init(tc_hmac_ctx *ctx, tc_hash_alg alg, const uint8_t *key, size_t key_len);
void tc_hmac_update(tc_hmac_ctx *ctx, const uint8_t *data, size_t len);
void tc_hmac_final(tc_hmac_ctx *ctx, uint8_t *out);   /* wipes ctx */
void tc_hmac(tc_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
             size_t len, uint8_t *out);

/* RFC 5869. prk has tc_hash_len(alg) bytes. expand: out_len <= 255*hashlen. */
void tc_hkdf_extract(tc_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                     size_t ikm_len, uint8_t *prk);
int tc_hkdf_expand(tc_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                   size_t info_len, uint8_t *out, size_t out_len);
/* RFC 8446 §7.1 HKDF-Expand-Label with the "tls13 " prefix. */
int tc_hkdf_expand_label(tc_hash_alg alg, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *context, size_t context_len,
                         uint8_t *out, size_t out_len);
/* The same from an HMAC state keyed with the secret (tc_hmac_init), which
 * is left intact: several labels from one secret key HMAC once. */
int tc_hkdf_expand_label_keyed(const tc_hmac_ctx *base, const char *label,
                               const uint8_t *context, size_t context_len, uint8_t *out,
                               size_t out_len);
/* TLS 1.2 PRF (RFC 5246 §5) with the given hash; TLS 1.0/1.1 PRF (MD5 xor
 * SHA-1) when alg == TC_HASH_MD5_SHA1. */
int tc_prf_tls(tc_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
               const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);
/* SSL 3.0 key derivation (master secret and key block): the concatenation
 * of MD5(secret || SHA-1("A" || secret || seed)), then "BB", "CCC", ...;
 * out_len <= 26 * 16. */
int tc_prf_ssl3(const uint8_t *secret, size_t secret_len, const uint8_t *seed, size_t seed_len,
                uint8_t *out, size_t out_len);
/* PBKDF2 (RFC 8018) with HMAC-alg. */
int tc_pbkdf2(tc_hash_alg alg, const uint8_t *pass, size_t pass_len, const uint8_t *salt,
              size_t salt_len, unsigned iterations, uint8_t *out, size_t out_len);

/* ---- AEAD (in place, or from a source to a destination) ---- */
typedef enum {
  TC_AEAD_NONE = 0,
  TC_AEAD_AES128_GCM,
  TC_AEAD_AES256_GCM,
  TC_AEAD_CHACHA20_POLY1305,
  TC_AEAD_AES128_CCM,   /* RFC 6655 / RFC 8446: 16-byte tag */
  TC_AEAD_AES256_CCM,
  TC_AEAD_AES128_CCM_8, /* 8-byte tag */
  TC_AEAD_AES256_CCM_8
} tc_aead_alg;
#define TC_AEAD_TAG_LEN 16 /* the longest tag; CCM_8 tags are 8 bytes */
#define TC_AEAD_NONCE_LEN 12
size_t tc_aead_key_len(tc_aead_alg alg);
size_t tc_aead_tag_len(tc_aead_alg alg);
typedef struct tc_aead {
  tc_aead_alg alg;
  _Alignas(16) uint8_t state[4416]; /* nettle context (GCM key tables); size checked in aead.c */
} tc_aead;
/* Key a context. Keying one that holds another algorithm's key needs
 * tc_aead_clear first: the clear wipes what the current algorithm's set-up
 * wrote (for GCM only the part of the key table nettle uses). */
int tc_aead_init(tc_aead *a, tc_aead_alg alg, const uint8_t *key, size_t key_len);
/* Encrypt buf[0..len) in place and write the tag (tc_aead_tag_len bytes). */
void tc_aead_seal(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                  uint8_t *buf, size_t len, uint8_t *tag);
/* Decrypt in place; returns 0 if the tag verifies (constant-time compare),
 * -1 otherwise (buf contents are then unspecified and must be discarded). */
int tc_aead_open(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                 uint8_t *buf, size_t len, const uint8_t *tag);
/* Encrypt src[0..src_len) followed by tail[0..tail_len) into dst (which
 * receives src_len + tail_len bytes) and write the tag: one pass from the
 * caller's data into the record, no copy first. dst must not overlap src;
 * tail_len is small (TLS 1.3's inner content type). */
void tc_aead_seal_to(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                     const uint8_t *src, size_t src_len, const uint8_t *tail, size_t tail_len,
                     uint8_t *dst, uint8_t *tag);
/* Decrypt src[0..len) into dst (not overlapping src); 0 if the tag verifies,
 * -1 otherwise (dst is then wiped). */
int tc_aead_open_to(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *src, size_t len, const uint8_t *tag, uint8_t *dst);
void tc_aead_clear(tc_aead *a);

/* ---- block ciphers in CBC mode (TLS 1.2 and older, PKCS#8/#12) ---- */
typedef enum {
  TC_CIPHER_NONE = 0,
  TC_CIPHER_AES128_CBC,
  TC_CIPHER_AES256_CBC,
  TC_CIPHER_3DES_CBC,
  TC_CIPHER_RC4_128     /* stream cipher; iv ignored */
} tc_cipher_alg;
size_t tc_cipher_key_len(tc_cipher_alg alg);
size_t tc_cipher_block_len(tc_cipher_alg alg);   /* 1 for RC4 */
typedef struct tc_cipher {
  tc_cipher_alg alg;
  bool encrypt;
  _Alignas(16) uint8_t iv[16];
  _Alignas(16) uint8_t state[768];
} tc_cipher;
int tc_cipher_init(tc_cipher *c, tc_cipher_alg alg, bool encrypt, const uint8_t *key,
                   size_t key_len, const uint8_t *iv);
/* Set the IV (TLS 1.1+ explicit IVs). */
void tc_cipher_set_iv(tc_cipher *c, const uint8_t *iv);
/* Process len bytes in place (a multiple of the block length for CBC); the
 * chaining IV carries over between calls. */
void tc_cipher_update(tc_cipher *c, uint8_t *buf, size_t len);
void tc_cipher_clear(tc_cipher *c);

/* Lucky 13 countermeasures for MAC-then-encrypt CBC records (TLS 1.0-1.2).
 * HMAC of hdr || data[0..len) where len is secret and max_len public: the hash
 * does the same number of compressions for any len <= max_len and reads
 * data up to max_len. */
void tc_hmac_ct(tc_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *hdr,
                size_t hdr_len, const uint8_t *data, size_t len, size_t max_len, uint8_t *out);
/* Check a decrypted CBC record fragment buf[0..len) = content || MAC ||
 * padding || padding_length (after any explicit IV) with HMAC-alg (SHA-1,
 * SHA-256, SHA-384): padding bytes and the MAC over seq || type || version ||
 * length || content are verified without branches or lookups that depend on
 * the padding. Returns 0 and *content_len, or -1 for bad_record_mac (padding
 * and MAC failures are indistinguishable; *content_len is then garbage). */
int tc_cbc_record_check(tc_hash_alg alg, const uint8_t *mac_key, size_t mac_key_len,
                        const uint8_t seq[8], uint8_t type, uint16_t version, const uint8_t *buf,
                        size_t len, size_t *content_len);

/* ---- key exchange ---- */
typedef struct tc_kex {
  uint16_t group;           /* TC_GROUP_* */
  uint8_t priv[72];         /* scalar (X25519: 32, P-256: 32, P-384: 48) */
  size_t priv_len;
  uint8_t *ff_priv;         /* FFDHE exponent (heap) */
  size_t ff_priv_len;
  uint8_t *dh_p, *dh_g;     /* explicit DH parameters (tc_kex_generate_dh; one allocation) */
  size_t dh_p_len, dh_g_len;
} tc_kex;
bool tc_kex_supported(uint16_t group);
/* Length of the group's public share (0 if unsupported). */
size_t tc_kex_pub_len(uint16_t group);
#define TC_KEX_MAX_PUB_LEN 1024     /* ffdhe8192 */
#define TC_KEX_MAX_SECRET_LEN 1024  /* ffdhe8192; curves need at most 66 */
/* Generate a key pair; writes the public share in the TLS encoding (X25519:
 * 32 bytes; NIST curves: uncompressed point 0x04||X||Y; FFDHE: left-padded
 * to the size of p). *pub_len: in = capacity of pub, out = length; fails if
 * the capacity is below tc_kex_pub_len(group) (133 covers every curve,
 * TC_KEX_MAX_PUB_LEN every group). */
int tc_kex_generate(tc_kex *k, uint16_t group, const tc_rng *rng, uint8_t *pub, size_t *pub_len);
/* Same with a fixed private scalar (known-answer tests). */
int tc_kex_generate_from(tc_kex *k, uint16_t group, const uint8_t *priv, size_t priv_len,
                         uint8_t *pub, size_t *pub_len);
/* Compute the shared secret with the peer's share: validates the point (on
 * curve, right length, X25519 all-zero output rejected). Returns 0 or -1.
 * *secret_len: in = capacity, out = length; 66 bytes cover every curve,
 * TC_KEX_MAX_SECRET_LEN every group (FFDHE: the size of p). NIST
 * curves give the fixed-length X coordinate; FFDHE gives Z left-padded to the
 * size of p (TLS 1.3; TLS 1.2 callers strip leading zero bytes themselves). */
int tc_kex_derive(tc_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *secret,
                  size_t *secret_len);
/* TLS 1.2 DHE client side: the server's explicit ServerDHParams p and g.
 * Checks p odd, min_bits <= bits(p) <= 8192, 1 < g < p-1 (p is not
 * tested for primality: a bad p only weakens the server's own connection).
 * Writes g^x mod p left-padded to p's length; derive with tc_kex_derive (the
 * peer value may be shorter than p, i.e. zero-stripped). */
int tc_kex_generate_dh(tc_kex *k, const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                       unsigned min_bits, const tc_rng *rng, uint8_t *pub, size_t *pub_len);
/* The prime of an RFC 7919 group (generator 2) for ServerDHParams; NULL if
 * the group is not one. */
const uint8_t *tc_kex_ffdhe_prime(uint16_t group, size_t *len);
void tc_kex_clear(tc_kex *k);   /* generate/generate_from start from scratch: clear first */
/* The heap parts only: the FFDHE exponent (wiped, freed) and the explicit
 * DH parameters (freed); priv is left as it is. For an owner that wipes
 * the whole tc_kex itself right after (tc_hs_free). */
void tc_kex_free_heap(tc_kex *k);

/* ---- SRP-6a arithmetic (RFC 5054) ---- */
/* A big-endian unsigned integer (leading zeros allowed). */
typedef struct tc_num {
  const uint8_t *p;
  size_t len;
} tc_num;
/* The caller hashes x = H(s | H(I ":" P)), k = H(N | PAD(g)), u = H(PAD(A) |
 * PAD(B)) and draws a, b (>= 256 bits) with tc_random; these functions do the
 * group arithmetic with constant-time exponentiation. N must be odd, 512 to
 * 8192 bits; 1 < g < N. Outputs v, A, B hold N's length (left-padded; the
 * wire form strips leading zeros); S is written without leading zeros (RFC
 * 5054 premaster) into a buffer of N's length, *S_len set. Returns 0 or -1. */
int tc_srp_calc_verifier(tc_num N, tc_num g, tc_num x, uint8_t *v);           /* g^x */
int tc_srp_client_public(tc_num N, tc_num g, tc_num a, uint8_t *A);      /* g^a */
int tc_srp_server_public(tc_num N, tc_num g, tc_num k, tc_num v, tc_num b, uint8_t *B);
/* S = (A * v^u)^b; fails if A % N == 0 or u == 0. */
int tc_srp_server_secret(tc_num N, tc_num A, tc_num v, tc_num u, tc_num b, uint8_t *S,
                         size_t *S_len);
/* S = (B - k*g^x)^(a + u*x); fails if B % N == 0 or u == 0. */
int tc_srp_client_secret(tc_num N, tc_num g, tc_num k, tc_num x, tc_num a, tc_num u, tc_num B,
                         uint8_t *S, size_t *S_len);
/* out = in mod N, N's length (left-padded); -1 if the result is 0. */
int tc_srp_reduce(tc_num N, tc_num in, uint8_t *out);
/* Modular exponentiations each call above performs (operation counts). */
#define TC_SRP_MODEXP_VERIFIER 1
#define TC_SRP_MODEXP_CLIENT_PUBLIC 1
#define TC_SRP_MODEXP_SERVER_PUBLIC 1
#define TC_SRP_MODEXP_SERVER_SECRET 2
#define TC_SRP_MODEXP_CLIENT_SECRET 2

/* ---- public-key signatures ---- */
typedef enum { TC_SIGALG_NONE = 0, TC_SIGALG_RSA_PKCS1, TC_SIGALG_RSA_PSS, TC_SIGALG_ECDSA,
               TC_SIGALG_ED25519, TC_SIGALG_ED448 } tc_sigalg;

/* Build keys from big-endian integers / encodings (used by x509/). */
tc_pubkey *tc_pubkey_new_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);
tc_pubkey *tc_pubkey_new_ec(tc_pk_type curve, const uint8_t *point, size_t len); /* 0x04||X||Y */
tc_pubkey *tc_pubkey_new_ed25519(const uint8_t pk[32]);
tc_pubkey *tc_pubkey_new_ed448(const uint8_t pk[57]);
/* An id-RSASSA-PSS key (TC_PK_RSA_PSS): PSS signatures only. */
tc_pubkey *tc_pubkey_new_rsa_pss(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len);
tc_privkey *tc_privkey_new_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                               const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
                               const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                               const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len);
/* Turn a fresh RSA private key (just built, no other reference) into an
 * id-RSASSA-PSS key: PSS signatures only, no PKCS#1 v1.5, no decryption;
 * its public half becomes TC_PK_RSA_PSS too. Returns 0 or -1. */
int tc_privkey_make_rsa_pss(tc_privkey *key);
/* EC private scalar; the public point is recomputed (pub may be NULL). */
tc_privkey *tc_privkey_new_ec(tc_pk_type curve, const uint8_t *scalar, size_t len);
tc_privkey *tc_privkey_new_ed25519(const uint8_t seed[32]);
tc_privkey *tc_privkey_new_ed448(const uint8_t seed[57]);
/* The public half (borrowed, lives as long as the private key). */
const tc_pubkey *tc_privkey_pubkey(const tc_privkey *key);
/* Equality of public keys (constant time not required). */
bool tc_pubkey_equal(const tc_pubkey *a, const tc_pubkey *b);
/* Export components for PKCS#8 encoding. Each returns a malloc'd big-endian
 * byte string (minimal, no sign byte). */
int tc_privkey_export_rsa(const tc_privkey *key, uint8_t *out[8], size_t out_len[8]); /* n,e,d,p,q,dp,dq,qinv */
/* scalar: 66 bytes room (fixed length written); point: 133 bytes room, may be NULL. */
int tc_privkey_export_ec(const tc_privkey *key, uint8_t *scalar, size_t *len, uint8_t *point, size_t *point_len);
int tc_privkey_export_ed25519(const tc_privkey *key, uint8_t seed[32]);
int tc_privkey_export_ed448(const tc_privkey *key, uint8_t seed[57]);
/* Raw public-key encodings (RSA: n and e; EC: point; Ed25519: 32 bytes;
 * Ed448: 57 bytes). out must hold 133 bytes. */
int tc_pubkey_export_rsa(const tc_pubkey *key, uint8_t **n, size_t *n_len, uint8_t **e, size_t *e_len);
int tc_pubkey_export_point(const tc_pubkey *key, uint8_t *out, size_t *len);

/* Verify a signature over msg (hashed here with `hash`; Ed25519 signs msg
 * itself and ignores `hash`). PSS uses MGF1 with the same hash and salt length
 * equal to the hash length. ECDSA signatures are DER (ECDSA-Sig-Value).
 * Returns 0 if valid, -1 otherwise. */
int tc_pk_verify(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash, const uint8_t *msg,
                 size_t msg_len, const uint8_t *sig, size_t sig_len);
/* RSA-PSS with an explicit salt length (X.509 RSASSA-PSS-params; MGF1 uses
 * the same hash, SHA-256/384/512 only). */
int tc_pk_verify_pss(const tc_pubkey *key, tc_hash_alg hash, size_t salt_len, const uint8_t *msg,
                     size_t msg_len, const uint8_t *sig, size_t sig_len);
/* Same with a precomputed digest (not for Ed25519). */
int tc_pk_verify_digest(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash,
                        const uint8_t *digest, size_t digest_len, const uint8_t *sig, size_t sig_len);
/* Sign; RSA operations are blinded (nettle *_tr) and the result checked.
 * *sig_len: in = capacity, out = length. Returns 0 or -1. */
int tc_pk_sign(const tc_privkey *key, tc_sigalg alg, tc_hash_alg hash, const tc_rng *rng,
               const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len);
size_t tc_pk_sig_max_len(const tc_privkey *key);
/* Map a TLS SignatureScheme to (alg, hash); false if unknown. */
bool tc_sig_scheme_params(uint16_t scheme, tc_sigalg *alg, tc_hash_alg *hash);
/* Can this key make/check signatures of this scheme (key type, curve)?
 * TLS 1.3 semantics: ecdsa_secp256r1_sha256 needs a P-256 key, rsa_pss_rsae_*
 * an rsaEncryption key, rsa_pss_pss_* an id-RSASSA-PSS key. TLS 1.2 does not
 * bind ECDSA curves to the code: check tc_pubkey_type() there instead. */
bool tc_pubkey_fits_scheme(const tc_pubkey *key, uint16_t scheme);

/* RSA PKCS#1 v1.5 decryption for TLS RSA key exchange: constant time,
 * writes exactly out_len bytes; on any failure writes random bytes instead,
 * with no observable difference (Bleichenbacher). The random bytes are drawn
 * from rng first, before the ciphertext is looked at. Returns 0 always except
 * on internal errors (rng failure). The caller still replaces the first two
 * bytes with the ClientHello version without branching (RFC 5246 §7.4.7.1). */
int tc_rsa_decrypt_premaster(const tc_privkey *key, const tc_rng *rng, const uint8_t *ct,
                             size_t ct_len, uint8_t *out, size_t out_len);
/* RSAES-PKCS1-v1_5 encryption. *out_len: in = capacity (>= modulus bytes),
 * out = length (always the modulus size). Returns 0 or -1. */
int tc_rsa_encrypt_pkcs1(const tc_pubkey *key, const tc_rng *rng, const uint8_t *msg,
                         size_t msg_len, uint8_t *out, size_t *out_len);

#endif
