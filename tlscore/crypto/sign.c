/* Signatures: RSA PKCS#1 v1.5 and PSS, ECDSA (strict DER), Ed25519/Ed448; TLS scheme mapping. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <nettle/eddsa.h>
#include <nettle/pkcs1.h>
#include <nettle/nettle-meta.h>
#include <nettle/pss.h>

#include "crypto/crypto_internal.h"

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest bytes. */
static const uint8_t di_sha1[] = {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                  0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};
static const uint8_t di_sha224[] = {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c};
static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

const uint8_t *tc_digest_info_prefix(tc_hash_alg alg, size_t *len) {
  switch (alg) {
  case TC_HASH_SHA1: *len = sizeof di_sha1; return di_sha1;
  case TC_HASH_SHA224: *len = sizeof di_sha224; return di_sha224;
  case TC_HASH_SHA256: *len = sizeof di_sha256; return di_sha256;
  case TC_HASH_SHA384: *len = sizeof di_sha384; return di_sha384;
  case TC_HASH_SHA512: *len = sizeof di_sha512; return di_sha512;
  case TC_HASH_MD5_SHA1: *len = 0; return di_sha1; /* raw 36 bytes, no DigestInfo */
  default: *len = 0; return NULL;
  }
}

static bool rsa_size_ok(const tc_pubkey *key) {
  return key->bits >= TC_RSA_MIN_BITS && key->bits <= TC_RSA_MAX_BITS;
}

static bool is_rsa(tc_pk_type t) {
  return t == TC_PK_RSA || t == TC_PK_RSA_PSS;
}

/* ---- strict DER for ECDSA-Sig-Value ---- */

/* Reads one positive, minimally encoded INTEGER; returns its magnitude
 * (leading zero stripped) or NULL. */
static const uint8_t *der_read_uint(const uint8_t **p, const uint8_t *end, size_t *len) {
  const uint8_t *c = *p;
  if (end - c < 2 || c[0] != 0x02)
    return NULL;
  size_t n = c[1];
  c += 2;
  if (n == 0 || n >= 0x80 || (size_t)(end - c) < n)
    return NULL; /* ECDSA integers never need long-form lengths */
  if (c[0] & 0x80)
    return NULL; /* negative */
  if (n > 1 && c[0] == 0 && !(c[1] & 0x80))
    return NULL; /* not minimal */
  *p = c + n;
  if (n > 1 && c[0] == 0) {
    c++;
    n--;
  }
  *len = n;
  return c;
}

static int ecdsa_sig_decode(const uint8_t *sig, size_t sig_len, size_t fl,
                            struct dsa_signature *out) {
  const uint8_t *p = sig, *end = sig + sig_len;
  size_t body;
  if (sig_len < 2 || p[0] != 0x30)
    return -1;
  if (p[1] < 0x80) {
    body = p[1];
    p += 2;
  } else if (p[1] == 0x81 && sig_len >= 3 && p[2] >= 0x80) {
    body = p[2];
    p += 3;
  } else {
    return -1;
  }
  if ((size_t)(end - p) != body)
    return -1; /* trailing bytes or truncated */
  size_t rl, sl;
  const uint8_t *r = der_read_uint(&p, end, &rl);
  if (r == NULL)
    return -1;
  const uint8_t *s = der_read_uint(&p, end, &sl);
  if (s == NULL || p != end || rl > fl || sl > fl)
    return -1;
  nettle_mpz_set_str_256_u(out->r, rl, r);
  nettle_mpz_set_str_256_u(out->s, sl, s);
  return 0;
}

static size_t der_put_uint(uint8_t *out, const mpz_t x) {
  size_t n = nettle_mpz_sizeinbase_256_u(x);
  if (n == 0)
    n = 1;
  uint8_t buf[TC_EC_MAX_FIELD + 1];
  nettle_mpz_get_str_256(n, buf + 1, x);
  buf[0] = 0;
  const uint8_t *v = buf + 1;
  if (v[0] & 0x80) { /* keep it positive */
    v = buf;
    n++;
  }
  out[0] = 0x02;
  out[1] = (uint8_t)n;
  memcpy(out + 2, v, n);
  return 2 + n;
}

static int ecdsa_sig_encode(const struct dsa_signature *sig, uint8_t *out, size_t *out_len) {
  uint8_t body[2 * (2 + TC_EC_MAX_FIELD + 1)];
  size_t n = der_put_uint(body, sig->r);
  n += der_put_uint(body + n, sig->s);
  size_t hdr = n < 0x80 ? 2 : 3;
  if (*out_len < hdr + n)
    return -1;
  out[0] = 0x30;
  if (n < 0x80) {
    out[1] = (uint8_t)n;
  } else {
    out[1] = 0x81;
    out[2] = (uint8_t)n;
  }
  memcpy(out + hdr, body, n);
  *out_len = hdr + n;
  return 0;
}

/* ---- verification ---- */

static int pkcs1_verify_digest(const tc_pubkey *key, tc_hash_alg hash, const uint8_t *digest,
                               size_t digest_len, const mpz_t s) {
  size_t pl;
  const uint8_t *prefix = tc_digest_info_prefix(hash, &pl);
  uint8_t di[19 + TC_HASH_MAX_LEN];
  if (prefix == NULL)
    return -1;
  memcpy(di, prefix, pl);
  memcpy(di + pl, digest, digest_len);
  return rsa_pkcs1_verify(&key->rsa, pl + digest_len, di, s) ? 0 : -1;
}

static int pss_verify_digest(const tc_pubkey *key, tc_hash_alg hash, const uint8_t *digest,
                             const mpz_t s) {
  switch (hash) {
  case TC_HASH_SHA256: return rsa_pss_sha256_verify_digest(&key->rsa, 32, digest, s) ? 0 : -1;
  case TC_HASH_SHA384: return rsa_pss_sha384_verify_digest(&key->rsa, 48, digest, s) ? 0 : -1;
  case TC_HASH_SHA512: return rsa_pss_sha512_verify_digest(&key->rsa, 64, digest, s) ? 0 : -1;
  default: return -1;
  }
}

int tc_pk_verify_digest(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash,
                        const uint8_t *digest, size_t digest_len, const uint8_t *sig,
                        size_t sig_len) {
  if (key == NULL || digest_len == 0 || digest_len != tc_hash_len(hash))
    return -1;
  int rc = -1;
  switch (alg) {
  case TC_SIGALG_RSA_PKCS1:
  case TC_SIGALG_RSA_PSS: {
    if (!is_rsa(key->type) || !rsa_size_ok(key) || sig_len != key->rsa.size)
      return -1;
    /* an id-RSASSA-PSS key must not verify PKCS#1 v1.5 signatures */
    if (alg == TC_SIGALG_RSA_PKCS1 && key->type == TC_PK_RSA_PSS)
      return -1;
    mpz_t s;
    nettle_mpz_init_set_str_256_u(s, sig_len, sig);
    if (alg == TC_SIGALG_RSA_PKCS1)
      rc = pkcs1_verify_digest(key, hash, digest, digest_len, s);
    else
      rc = pss_verify_digest(key, hash, digest, s);
    mpz_clear(s);
    return rc;
  }
  case TC_SIGALG_ECDSA: {
    if (key->curve == NULL || hash == TC_HASH_MD5_SHA1)
      return -1;
    struct dsa_signature ds;
    dsa_signature_init(&ds);
    if (ecdsa_sig_decode(sig, sig_len, tc_ec_field_len(key->curve), &ds) == 0)
      rc = ecdsa_verify(&key->point, digest_len, digest, &ds) ? 0 : -1; /* checks 0 < r,s < q */
    dsa_signature_clear(&ds);
    return rc;
  }
  default:
    return -1;
  }
}

int tc_pk_verify(const tc_pubkey *key, tc_sigalg alg, tc_hash_alg hash, const uint8_t *msg,
                 size_t msg_len, const uint8_t *sig, size_t sig_len) {
  if (key == NULL)
    return -1;
  if (alg == TC_SIGALG_ED25519) {
    if (key->type != TC_PK_ED25519 || sig_len != ED25519_SIGNATURE_SIZE)
      return -1;
    return ed25519_sha512_verify(key->raw, msg_len, msg, sig) ? 0 : -1;
  }
  if (alg == TC_SIGALG_ED448) {
    if (key->type != TC_PK_ED448 || sig_len != ED448_SIGNATURE_SIZE)
      return -1;
    return ed448_shake256_verify(key->raw, msg_len, msg, sig) ? 0 : -1;
  }
  uint8_t digest[TC_HASH_MAX_LEN];
  size_t hl = tc_hash_len(hash);
  if (hl == 0)
    return -1;
  tc_hash(hash, msg, msg_len, digest);
  return tc_pk_verify_digest(key, alg, hash, digest, hl, sig, sig_len);
}

int tc_pk_verify_pss(const tc_pubkey *key, tc_hash_alg hash, size_t salt_len, const uint8_t *msg,
                     size_t msg_len, const uint8_t *sig, size_t sig_len) {
  uint8_t digest[TC_HASH_MAX_LEN];
  size_t hl = tc_hash_len(hash);
  if (key == NULL || !is_rsa(key->type) || !rsa_size_ok(key) || sig_len != key->rsa.size ||
      hl == 0 || salt_len > key->rsa.size)
    return -1;
  tc_hash(hash, msg, msg_len, digest);
  mpz_t s;
  int ok = 0;
  nettle_mpz_init_set_str_256_u(s, sig_len, sig);
  switch (hash) {
  case TC_HASH_SHA256: ok = rsa_pss_sha256_verify_digest(&key->rsa, salt_len, digest, s); break;
  case TC_HASH_SHA384: ok = rsa_pss_sha384_verify_digest(&key->rsa, salt_len, digest, s); break;
  case TC_HASH_SHA512: ok = rsa_pss_sha512_verify_digest(&key->rsa, salt_len, digest, s); break;
  default: break;
  }
  mpz_clear(s);
  return ok ? 0 : -1;
}

/* ---- signing ---- */

size_t tc_pk_sig_max_len(const tc_privkey *key) {
  if (key == NULL)
    return 0;
  switch (key->type) {
  case TC_PK_RSA:
  case TC_PK_RSA_PSS:
    return key->pub->rsa.size;
  case TC_PK_EC_P256:
  case TC_PK_EC_P384:
  case TC_PK_EC_P521: {
    size_t ints = 2 * (2 + tc_ec_field_len(key->pub->curve) + 1);
    return ints + (ints < 0x80 ? 2 : 3);
  }
  case TC_PK_ED25519: return ED25519_SIGNATURE_SIZE;
  case TC_PK_ED448: return ED448_SIGNATURE_SIZE;
  default: return 0;
  }
}

/* ---- RSA private-key operation ---- */

/* Big-endian bytes into n limbs (the value must fit). */
static void limbs_from_bytes(mp_limb_t *r, mp_size_t n, const uint8_t *b, size_t len) {
  memset(r, 0, (size_t)n * sizeof *r);
  for (size_t i = 0; i < len; i++) {
    size_t bit = (len - 1 - i) * 8;
    r[bit / GMP_NUMB_BITS] |= (mp_limb_t)b[i] << (bit % GMP_NUMB_BITS);
  }
}

/* An mpz's limbs into n limbs, zero-padded; -1 if it does not fit. */
static int limbs_from_mpz(mp_limb_t *r, mp_size_t n, const mpz_t x) {
  mp_size_t xn = (mp_size_t)mpz_size(x);
  if (xn > n || mpz_sgn(x) < 0)
    return -1;
  memset(r, 0, (size_t)n * sizeof *r);
  if (xn > 0)
    memcpy(r, mpz_limbs_read(x), (size_t)xn * sizeof *r);
  return 0;
}

#define MAXL(a, b) ((a) > (b) ? (a) : (b))

/* s = m^d mod n, blinded and checked, as nettle's rsa_compute_root_tr does
 * it: a fresh random r per call, the root of c = m * r^e mod n by CRT
 * (nettle's side-channel-silent rsa_compute_root), that root checked
 * against the public key before anything is derived from it (a faulty CRT
 * half would otherwise leak a factor), then unblinded with r^-1.
 *
 * The one difference is how r^-1 mod n is found. nettle inverts r modulo
 * n with mpn_sec_invert, whose cost grows with the square of the size: for
 * RSA-2048 it is ~650 us, as much as the CRT exponentiations themselves.
 * Here r is inverted modulo p and modulo q (two constant-time
 * mpn_sec_invert calls of half the size, ~180 us each) and the halves are
 * joined by Garner's formula with the key's q^-1 mod p: the same value,
 * with GMP's side-channel-silent functions only (mpn_sec_*, mpn_cnd_*,
 * mpn_add_n, mpn_sub_n), so the blinding is exactly as strong. Returns 1 on success, 0 on failure (bad
 * sizes, out of memory, random source failed, check failed); 0 is also
 * returned for keys of a shape this code does not handle, and the caller
 * then uses nettle's function. */
static int rsa_root_blinded(const struct rsa_public_key *pub, const struct rsa_private_key *key,
                            tc_nettle_rng *rng, mpz_t s, const mpz_t m, bool *unsupported) {
  mp_size_t nn = (mp_size_t)mpz_size(pub->n), pn = (mp_size_t)mpz_size(key->p),
            qn = (mp_size_t)mpz_size(key->q), cn = (mp_size_t)mpz_size(key->c),
            en = (mp_size_t)mpz_size(pub->e);
  *unsupported = false;
  /* n = p*q (checked when the key was made), p and q odd, q^-1 < p */
  if (nn < 2 || pn < 1 || qn < 1 || pn > nn || qn > nn || pn + qn < nn || cn > pn || en < 1 ||
      mpz_even_p(key->p) || mpz_even_p(key->q) || mpz_even_p(pub->n) || pub->size == 0 ||
      pub->size > (size_t)nn * sizeof(mp_limb_t)) {
    *unsupported = true;
    return 0;
  }
  const mp_limb_t *np = mpz_limbs_read(pub->n), *pp = mpz_limbs_read(key->p),
                  *qp = mpz_limbs_read(key->q), *ep = mpz_limbs_read(pub->e);
  mp_bitcnt_t ebits = mpz_sizeinbase(pub->e, 2);
  mp_size_t pqn = pn + qn;

  mp_size_t itch = 0;
  itch = MAXL(itch, mpn_sec_div_r_itch(nn, nn));
  itch = MAXL(itch, mpn_sec_div_r_itch(nn, pn));
  itch = MAXL(itch, mpn_sec_div_r_itch(nn, qn));
  itch = MAXL(itch, mpn_sec_div_r_itch(qn, pn));
  itch = MAXL(itch, mpn_sec_div_r_itch(2 * pn, pn));
  itch = MAXL(itch, mpn_sec_div_r_itch(2 * nn, nn));
  itch = MAXL(itch, mpn_sec_invert_itch(pn));
  itch = MAXL(itch, mpn_sec_invert_itch(qn));
  itch = MAXL(itch, mpn_sec_mul_itch(pn, pn));
  itch = MAXL(itch, mpn_sec_mul_itch(MAXL(pn, qn), MAXL(pn, qn) == pn ? qn : pn));
  itch = MAXL(itch, mpn_sec_mul_itch(nn, nn));
  itch = MAXL(itch, mpn_sec_add_1_itch(pn));
  itch = MAXL(itch, mpn_sec_powm_itch(nn, ebits, nn));

  /* r, tmp (2nn), ip, iq, iqp, cpad, h, ri (p+q), re, cb, x, prod (2nn), scratch */
  size_t total = (size_t)(nn + 2 * nn + pn + qn + pn + pn + pn + pqn + nn + nn + nn + 2 * nn + itch);
  mp_limb_t *mem = malloc(total * sizeof(mp_limb_t));
  if (mem == NULL)
    return 0;
  mp_limb_t *r = mem, *tmp = r + nn, *ip = tmp + 2 * nn, *iq = ip + pn, *iqp = iq + qn,
            *cpad = iqp + pn, *h = cpad + pn, *ri = h + pn, *re = ri + pqn, *cb = re + nn,
            *x = cb + nn, *prod = x + nn, *scratch = prod + 2 * nn;
  int ok = 0;
  uint8_t buf[TC_RSA_MAX_BITS / 8 + sizeof(mp_limb_t)];
  if (pub->size > sizeof buf)
    goto out;

  /* r: random modulo n, invertible modulo p and q (else draw again) */
  for (int tries = 0;; tries++) {
    if (tries == 16)
      goto out; /* a broken source; a good one fails here with probability ~2^-1000 */
    tc_nettle_random(rng, pub->size, buf);
    if (rng->failed)
      goto out;
    limbs_from_bytes(r, nn, buf, pub->size);
    mpn_sec_div_r(r, nn, np, nn, scratch);
    memcpy(tmp, r, (size_t)nn * sizeof *r);
    mpn_sec_div_r(tmp, nn, pp, pn, scratch);
    int okp = mpn_sec_invert(ip, tmp, pp, pn, 2 * (mp_bitcnt_t)pn * GMP_NUMB_BITS, scratch);
    memcpy(tmp, r, (size_t)nn * sizeof *r);
    mpn_sec_div_r(tmp, nn, qp, qn, scratch);
    int okq = mpn_sec_invert(iq, tmp, qp, qn, 2 * (mp_bitcnt_t)qn * GMP_NUMB_BITS, scratch);
    if (okp & okq)
      break;
  }

  /* ri = iq + q * ((ip - iq) * qinv mod p): r^-1 mod n (Garner) */
  if (qn >= pn) {
    memcpy(tmp, iq, (size_t)qn * sizeof *iq);
    mpn_sec_div_r(tmp, qn, pp, pn, scratch);
    memcpy(iqp, tmp, (size_t)pn * sizeof *iqp);
  } else {
    /* q has fewer limbs than p, so iq < q < p */
    memset(iqp, 0, (size_t)pn * sizeof *iqp);
    memcpy(iqp, iq, (size_t)qn * sizeof *iq);
  }
  mp_limb_t borrow = mpn_sub_n(h, ip, iqp, pn);
  mpn_cnd_add_n(borrow, h, h, pp, pn);
  limbs_from_mpz(cpad, pn, key->c);
  mpn_sec_mul(tmp, h, pn, cpad, pn, scratch);
  mpn_sec_div_r(tmp, 2 * pn, pp, pn, scratch);
  memcpy(h, tmp, (size_t)pn * sizeof *h);
  if (qn >= pn)
    mpn_sec_mul(ri, qp, qn, h, pn, scratch);
  else
    mpn_sec_mul(ri, h, pn, qp, qn, scratch);
  mp_limb_t cy = mpn_add_n(ri, ri, iq, qn);
  if (pn > 0)
    mpn_sec_add_1(ri + qn, ri + qn, pn, cy, scratch);
  /* ri < n, so the limbs above nn are zero */

  /* cb = m * r^e mod n */
  mpn_sec_powm(re, r, nn, ep, ebits, np, nn, scratch);
  if (limbs_from_mpz(tmp, nn, m))
    goto out;
  mpn_sec_mul(prod, tmp, nn, re, nn, scratch);
  mpn_sec_div_r(prod, 2 * nn, np, nn, scratch);
  memcpy(cb, prod, (size_t)nn * sizeof *cb);

  /* x = cb^d by CRT, then x^e == cb (mod n) or nothing leaves */
  {
    mpz_t cbz, xz;
    mpz_roinit_n(cbz, cb, nn);
    mpz_init(xz);
    rsa_compute_root(key, xz, cbz);
    int fits = limbs_from_mpz(x, nn, xz) == 0;
    tc_mpz_wipe_clear(xz);
    if (!fits)
      goto out;
  }
  mpn_sec_powm(tmp, x, nn, ep, ebits, np, nn, scratch);
  mp_limb_t diff = 0;
  for (mp_size_t i = 0; i < nn; i++)
    diff |= tmp[i] ^ cb[i];
  if (diff != 0)
    goto out;

  /* s = x * r^-1 mod n */
  mpn_sec_mul(prod, x, nn, ri, nn, scratch);
  mpn_sec_div_r(prod, 2 * nn, np, nn, scratch);
  memcpy(mpz_limbs_write(s, nn), prod, (size_t)nn * sizeof *prod);
  mpz_limbs_finish(s, nn);
  ok = 1;
out:
  tc_wipe(buf, sizeof buf);
  tc_wipe(mem, total * sizeof(mp_limb_t));
  free(mem);
  return ok;
}

static const struct nettle_hash *pss_hash(tc_hash_alg hash) {
  switch (hash) {
  case TC_HASH_SHA256: return &nettle_sha256;
  case TC_HASH_SHA384: return &nettle_sha384;
  case TC_HASH_SHA512: return &nettle_sha512;
  default: return NULL;
  }
}

static int rsa_sign_common(const tc_privkey *key, tc_sigalg alg, tc_hash_alg hash,
                           const tc_rng *rng, const uint8_t *digest, size_t digest_len,
                           uint8_t *sig, size_t *sig_len) {
  const tc_pubkey *pub = key->pub;
  if (!rsa_size_ok(pub) || *sig_len < pub->rsa.size)
    return -1;
  if (alg == TC_SIGALG_RSA_PKCS1 && key->type == TC_PK_RSA_PSS)
    return -1;
  tc_nettle_rng r = {rng, false};
  mpz_t s, m;
  mpz_init(s);
  mpz_init(m);
  int ok = 0;
  bool encoded = false;
  uint8_t salt[TC_HASH_MAX_LEN];
  const struct nettle_hash *ph = NULL;
  if (alg == TC_SIGALG_RSA_PKCS1) {
    size_t pl;
    const uint8_t *prefix = tc_digest_info_prefix(hash, &pl);
    uint8_t di[19 + TC_HASH_MAX_LEN];
    if (prefix != NULL) {
      memcpy(di, prefix, pl);
      memcpy(di + pl, digest, digest_len);
      /* EMSA-PKCS1-v1_5, as rsa_pkcs1_sign_tr encodes it */
      encoded = pkcs1_rsa_digest_encode(m, key->rsa.size, pl + digest_len, di) != 0;
    }
  } else if ((ph = pss_hash(hash)) != NULL && ph->digest_size == digest_len) {
    if (tc_random(rng, salt, digest_len) != 0) {
      mpz_clear(m);
      mpz_clear(s);
      return -1;
    }
    /* EMSA-PSS with MGF1 and a salt of the hash's length, as
     * rsa_pss_sha*_sign_digest_tr encode it */
    encoded = pss_encode_mgf1(m, mpz_sizeinbase(pub->rsa.n, 2) - 1, ph, digest_len, salt,
                              digest) != 0;
  }
  if (encoded) {
    bool unsupported;
    ok = rsa_root_blinded(&pub->rsa, &key->rsa, &r, s, m, &unsupported);
    if (!ok && unsupported && !r.failed)
      /* blinded and checked by nettle, r^-1 found the slower way */
      ok = rsa_compute_root_tr(&pub->rsa, &key->rsa, &r, tc_nettle_random, s, m);
  }
  tc_mpz_wipe_clear(m);
  if (ok && !r.failed) {
    nettle_mpz_get_str_256(pub->rsa.size, sig, s);
    *sig_len = pub->rsa.size;
  }
  mpz_clear(s);
  return ok && !r.failed ? 0 : -1;
}

static int ecdsa_sign_common(const tc_privkey *key, const tc_rng *rng, const uint8_t *digest,
                             size_t digest_len, uint8_t *sig, size_t *sig_len) {
  const struct ecc_curve *ec = key->pub->curve;
  struct ecc_scalar sc;
  struct dsa_signature ds;
  mpz_t z;
  tc_nettle_rng r = {rng, false};
  int rc = -1;

  nettle_mpz_init_set_str_256_u(z, key->secret_len, key->secret);
  ecc_scalar_init(&sc, ec);
  dsa_signature_init(&ds);
  if (ecc_scalar_set(&sc, z)) {
    ecdsa_sign(&sc, &r, tc_nettle_random, digest_len, digest, &ds);
    if (!r.failed)
      rc = ecdsa_sig_encode(&ds, sig, sig_len);
  }
  dsa_signature_clear(&ds);
  tc_ecc_scalar_wipe_clear(&sc);
  tc_mpz_wipe_clear(z);
  return rc;
}

int tc_pk_sign(const tc_privkey *key, tc_sigalg alg, tc_hash_alg hash, const tc_rng *rng,
               const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len) {
  if (key == NULL)
    return -1;
  if (alg == TC_SIGALG_ED25519) {
    if (key->type != TC_PK_ED25519 || *sig_len < ED25519_SIGNATURE_SIZE)
      return -1;
    ed25519_sha512_sign(key->pub->raw, key->secret, msg_len, msg, sig);
    *sig_len = ED25519_SIGNATURE_SIZE;
    return 0;
  }
  if (alg == TC_SIGALG_ED448) {
    if (key->type != TC_PK_ED448 || *sig_len < ED448_SIGNATURE_SIZE)
      return -1;
    ed448_shake256_sign(key->pub->raw, key->secret, msg_len, msg, sig);
    *sig_len = ED448_SIGNATURE_SIZE;
    return 0;
  }
  size_t hl = tc_hash_len(hash);
  if (hl == 0)
    return -1;
  uint8_t digest[TC_HASH_MAX_LEN];
  tc_hash(hash, msg, msg_len, digest);
  switch (alg) {
  case TC_SIGALG_RSA_PKCS1:
  case TC_SIGALG_RSA_PSS:
    if (!is_rsa(key->type))
      return -1;
    return rsa_sign_common(key, alg, hash, rng, digest, hl, sig, sig_len);
  case TC_SIGALG_ECDSA:
    if (key->pub->curve == NULL || hash == TC_HASH_MD5_SHA1)
      return -1;
    return ecdsa_sign_common(key, rng, digest, hl, sig, sig_len);
  default:
    return -1;
  }
}

/* ---- TLS SignatureScheme ---- */

bool tc_sig_scheme_params(uint16_t scheme, tc_sigalg *alg, tc_hash_alg *hash) {
  tc_sigalg a;
  tc_hash_alg h;
  switch (scheme) {
  case TC_SIG_RSA_PKCS1_SHA1: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA1; break;
  case TC_SIG_RSA_PKCS1_SHA224: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA224; break;
  case TC_SIG_RSA_PKCS1_SHA256: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA256; break;
  case TC_SIG_RSA_PKCS1_SHA384: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA384; break;
  case TC_SIG_RSA_PKCS1_SHA512: a = TC_SIGALG_RSA_PKCS1; h = TC_HASH_SHA512; break;
  case TC_SIG_ECDSA_SHA1: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA1; break;
  case TC_SIG_ECDSA_SHA224: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA224; break;
  case TC_SIG_ECDSA_SECP256R1_SHA256: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA256; break;
  case TC_SIG_ECDSA_SECP384R1_SHA384: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA384; break;
  case TC_SIG_ECDSA_SECP521R1_SHA512: a = TC_SIGALG_ECDSA; h = TC_HASH_SHA512; break;
  case TC_SIG_RSA_PSS_RSAE_SHA256:
  case TC_SIG_RSA_PSS_PSS_SHA256: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA256; break;
  case TC_SIG_RSA_PSS_RSAE_SHA384:
  case TC_SIG_RSA_PSS_PSS_SHA384: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA384; break;
  case TC_SIG_RSA_PSS_RSAE_SHA512:
  case TC_SIG_RSA_PSS_PSS_SHA512: a = TC_SIGALG_RSA_PSS; h = TC_HASH_SHA512; break;
  case TC_SIG_ED25519: a = TC_SIGALG_ED25519; h = TC_HASH_NONE; break;
  case TC_SIG_ED448: a = TC_SIGALG_ED448; h = TC_HASH_NONE; break;
  default: return false;
  }
  if (alg != NULL)
    *alg = a;
  if (hash != NULL)
    *hash = h;
  return true;
}

bool tc_pubkey_fits_scheme(const tc_pubkey *key, uint16_t scheme) {
  if (key == NULL)
    return false;
  switch (scheme) {
  case TC_SIG_RSA_PKCS1_SHA1:
  case TC_SIG_RSA_PKCS1_SHA224:
  case TC_SIG_RSA_PKCS1_SHA256:
  case TC_SIG_RSA_PKCS1_SHA384:
  case TC_SIG_RSA_PKCS1_SHA512:
    return key->type == TC_PK_RSA;
  case TC_SIG_RSA_PSS_RSAE_SHA256:
  case TC_SIG_RSA_PSS_RSAE_SHA384:
  case TC_SIG_RSA_PSS_RSAE_SHA512:
  case TC_SIG_RSA_PSS_PSS_SHA256:
  case TC_SIG_RSA_PSS_PSS_SHA384:
  case TC_SIG_RSA_PSS_PSS_SHA512: {
    bool rsae = scheme <= TC_SIG_RSA_PSS_RSAE_SHA512;
    if (key->type != (rsae ? TC_PK_RSA : TC_PK_RSA_PSS))
      return false;
    tc_hash_alg h;
    tc_sig_scheme_params(scheme, NULL, &h);
    /* EMSA-PSS with salt = hash length needs emLen >= 2*hLen + 2 */
    return key->rsa.size >= 2 * tc_hash_len(h) + 2;
  }
  case TC_SIG_ECDSA_SHA1:
  case TC_SIG_ECDSA_SHA224:
    /* TLS 1.2 pairs do not bind the curve */
    return key->curve != NULL;
  case TC_SIG_ECDSA_SECP256R1_SHA256: return key->type == TC_PK_EC_P256;
  case TC_SIG_ECDSA_SECP384R1_SHA384: return key->type == TC_PK_EC_P384;
  case TC_SIG_ECDSA_SECP521R1_SHA512: return key->type == TC_PK_EC_P521;
  case TC_SIG_ED25519: return key->type == TC_PK_ED25519;
  case TC_SIG_ED448: return key->type == TC_PK_ED448;
  default: return false;
  }
}
