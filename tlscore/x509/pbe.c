/* Password-based decryption: PBES2 (PBKDF2 + AES/3DES-CBC) and the PKCS#12 PBE and KDF (RFC 7292 B). */
#include <stdlib.h>
#include <string.h>

#include "crypto/rc2.h"
#include "x509/oids.h"
#include "x509/pbe.h"
#include "x509/x509_internal.h"

uint8_t *tc_pkcs12_password(const char *password, size_t *len) {
  *len = 0;
  if (!password)
    return calloc(1, 1); /* RFC 7292: absent password is the empty string */
  size_t n = strlen(password);
  /* UTF-16 never needs more than two units per UTF-8 byte, plus the NUL. */
  uint8_t *out = malloc(4 * n + 2);
  if (!out)
    return NULL;
  size_t o = 0;
  const uint8_t *p = (const uint8_t *)password;
  for (size_t i = 0; i < n;) {
    uint32_t cp = p[i];
    size_t k = cp < 0x80 ? 1 : cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : cp >= 0xc0 ? 2 : 0;
    if (k == 0 || i + k > n)
      goto bad;
    if (k > 1) {
      cp &= 0x3f >> (k - 1);
      for (size_t j = 1; j < k; j++) {
        if ((p[i + j] & 0xc0) != 0x80)
          goto bad;
        cp = cp << 6 | (p[i + j] & 0x3f);
      }
    }
    i += k;
    if (cp >= 0x10000) {
      if (cp > 0x10ffff)
        goto bad;
      cp -= 0x10000;
      uint32_t hi = 0xd800 | (cp >> 10), lo = 0xdc00 | (cp & 0x3ff);
      out[o++] = (uint8_t)(hi >> 8);
      out[o++] = (uint8_t)hi;
      out[o++] = (uint8_t)(lo >> 8);
      out[o++] = (uint8_t)lo;
    } else {
      out[o++] = (uint8_t)(cp >> 8);
      out[o++] = (uint8_t)cp;
    }
  }
  out[o++] = 0;
  out[o++] = 0;
  *len = o;
  return out;
bad:
  tc_wipe(out, 4 * n + 2);
  free(out);
  return NULL;
}

int tc_pkcs12_kdf(tc_hash_alg hash, uint8_t id, const uint8_t *pass, size_t pass_len,
                  const uint8_t *salt, size_t salt_len, unsigned iterations, uint8_t *out,
                  size_t out_len) {
  size_t u = tc_hash_len(hash), v = tc_hash_block_len(hash);
  if (u == 0 || v == 0 || iterations == 0 || v > TC_HASH_MAX_BLOCK)
    return -1;
  size_t slen = salt_len ? v * ((salt_len + v - 1) / v) : 0;
  size_t plen = pass_len ? v * ((pass_len + v - 1) / v) : 0;
  size_t ilen = slen + plen;
  uint8_t *I = malloc(ilen ? ilen : 1);
  if (!I)
    return -1;
  for (size_t i = 0; i < slen; i++)
    I[i] = salt[i % salt_len];
  for (size_t i = 0; i < plen; i++)
    I[slen + i] = pass[i % pass_len];
  uint8_t D[TC_HASH_MAX_BLOCK], A[TC_HASH_MAX_LEN], B[TC_HASH_MAX_BLOCK];
  memset(D, id, v);
  size_t done = 0;
  while (done < out_len) {
    tc_hash_ctx ctx;
    tc_hash_init(&ctx, hash);
    tc_hash_update(&ctx, D, v);
    tc_hash_update(&ctx, I, ilen);
    tc_hash_final(&ctx, A);
    for (unsigned r = 1; r < iterations; r++)
      tc_hash(hash, A, u, A);
    size_t take = out_len - done < u ? out_len - done : u;
    memcpy(out + done, A, take);
    done += take;
    if (done >= out_len)
      break;
    for (size_t i = 0; i < v; i++)
      B[i] = A[i % u];
    /* I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block. */
    for (size_t j = 0; j < ilen; j += v) {
      unsigned carry = 1;
      for (size_t k = v; k-- > 0;) {
        carry += (unsigned)I[j + k] + B[k];
        I[j + k] = (uint8_t)carry;
        carry >>= 8;
      }
    }
  }
  tc_wipe(A, sizeof A);
  tc_wipe(B, sizeof B);
  tc_wipe(I, ilen ? ilen : 1);
  free(I);
  return 0;
}

static bool prf_from_oid(const der *oid, tc_hash_alg *h) {
  if (DER_OID_EQ(oid, OID_HMAC_SHA1))
    *h = TC_HASH_SHA1;
  else if (DER_OID_EQ(oid, OID_HMAC_SHA224))
    *h = TC_HASH_SHA224;
  else if (DER_OID_EQ(oid, OID_HMAC_SHA256))
    *h = TC_HASH_SHA256;
  else if (DER_OID_EQ(oid, OID_HMAC_SHA384))
    *h = TC_HASH_SHA384;
  else if (DER_OID_EQ(oid, OID_HMAC_SHA512))
    *h = TC_HASH_SHA512;
  else
    return false;
  return true;
}

static uint8_t *unpad(uint8_t *buf, size_t ct_len, size_t bl, size_t *out_len, tc_error *err);

/* CBC-decrypt and strip PKCS#7 padding. A bad pad is how a wrong password
 * shows up, so it reports TC_ERR_BAD_PASSWORD. */
static uint8_t *cbc_decrypt(tc_cipher_alg alg, const uint8_t *key, const uint8_t *iv,
                            const uint8_t *ct, size_t ct_len, size_t *out_len, tc_error *err) {
  size_t bl = tc_cipher_block_len(alg);
  if (bl < 8 || ct_len == 0 || ct_len % bl) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "encrypted data length is not a multiple of the block size");
    return NULL;
  }
  uint8_t *buf = malloc(ct_len);
  if (!buf) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  memcpy(buf, ct, ct_len);
  tc_cipher c;
  if (tc_cipher_init(&c, alg, false, key, tc_cipher_key_len(alg), iv) != 0) {
    free(buf);
    tc_error_set(err, TC_ERR_UNSUPPORTED, "cipher not available");
    return NULL;
  }
  tc_cipher_update(&c, buf, ct_len);
  tc_cipher_clear(&c);
  return unpad(buf, ct_len, bl, out_len, err);
}

/* Strip PKCS#7 padding from a decrypted buffer (frees it on failure). */
static uint8_t *unpad(uint8_t *buf, size_t ct_len, size_t bl, size_t *out_len, tc_error *err) {
  uint8_t pad = buf[ct_len - 1];
  bool ok = pad >= 1 && pad <= bl;
  for (size_t i = 0; ok && i < pad; i++)
    ok = buf[ct_len - 1 - i] == pad;
  if (!ok) {
    tc_wipe(buf, ct_len);
    free(buf);
    tc_error_set(err, TC_ERR_BAD_PASSWORD, "wrong password (decryption failed)");
    return NULL;
  }
  *out_len = ct_len - pad;
  return buf;
}

static uint8_t *pbes2_decrypt(der params, const uint8_t *ct, size_t ct_len, const char *password,
                              size_t *out_len, tc_error *err) {
  der seq, kdf_oid, kdf_params, enc_oid, enc_params, kp, salt, iv;
  uint64_t iter, keylen = 0;
  tc_hash_alg prf = TC_HASH_SHA1;
  if (!der_read(&params, DER_SEQUENCE, &seq) || !der_empty(&params) ||
      !der_read_algid(&seq, &kdf_oid, &kdf_params) || !der_read_algid(&seq, &enc_oid, &enc_params) ||
      !der_empty(&seq))
    goto bad;
  if (!DER_OID_EQ(&kdf_oid, OID_PBKDF2)) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported PBES2 key derivation (only PBKDF2)");
    return NULL;
  }
  if (!der_read(&kdf_params, DER_SEQUENCE, &kp) || !der_empty(&kdf_params) ||
      !der_read(&kp, DER_OCTET_STRING, &salt) || !der_read_uint(&kp, UINT32_MAX, &iter))
    goto bad;
  if (der_peek(&kp, DER_INTEGER) && !der_read_uint(&kp, 64, &keylen))
    goto bad;
  if (!der_empty(&kp)) {
    der poid, pparams;
    if (!der_read_algid(&kp, &poid, &pparams) || !der_empty(&kp))
      goto bad;
    if (!prf_from_oid(&poid, &prf)) {
      tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported PBKDF2 PRF");
      return NULL;
    }
  }
  tc_cipher_alg alg;
  if (DER_OID_EQ(&enc_oid, OID_AES128_CBC))
    alg = TC_CIPHER_AES128_CBC;
  else if (DER_OID_EQ(&enc_oid, OID_AES256_CBC))
    alg = TC_CIPHER_AES256_CBC;
  else if (DER_OID_EQ(&enc_oid, OID_DES_EDE3_CBC))
    alg = TC_CIPHER_3DES_CBC;
  else {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported PBES2 cipher");
    return NULL;
  }
  size_t kl = tc_cipher_key_len(alg);
  if (!der_read(&enc_params, DER_OCTET_STRING, &iv) || !der_empty(&enc_params) ||
      iv.len != tc_cipher_block_len(alg) || (keylen && keylen != kl))
    goto bad;
  if (iter == 0 || iter > TC_MAX_KDF_ITERATIONS) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "PBKDF2 iteration count out of range");
    return NULL;
  }
  if (!password) {
    tc_error_set(err, TC_ERR_BAD_PASSWORD, "a password is required");
    return NULL;
  }
  uint8_t key[32];
  if (tc_pbkdf2(prf, (const uint8_t *)password, strlen(password), salt.p, salt.len,
                (unsigned)iter, key, kl) != 0) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "PBKDF2 failed");
    return NULL;
  }
  uint8_t *out = cbc_decrypt(alg, key, iv.p, ct, ct_len, out_len, err);
  tc_wipe(key, sizeof key);
  return out;
bad:
  tc_error_set(err, TC_ERR_BAD_INPUT, "malformed PBES2 parameters");
  return NULL;
}

/* The PKCS#12 PBE ciphers (RFC 7292 appendix C) we read. */
typedef enum { P12_3DES3, P12_3DES2, P12_RC2_128, P12_RC2_40 } p12_cipher;

static uint8_t *pkcs12_pbe_decrypt(p12_cipher cipher, der params, const uint8_t *ct, size_t ct_len,
                                   const char *password, size_t *out_len, tc_error *err) {
  der seq, salt;
  uint64_t iter;
  if (!der_read(&params, DER_SEQUENCE, &seq) || !der_empty(&params) ||
      !der_read(&seq, DER_OCTET_STRING, &salt) || !der_read_uint(&seq, UINT32_MAX, &iter) ||
      !der_empty(&seq)) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "malformed PKCS#12 PBE parameters");
    return NULL;
  }
  if (iter == 0 || iter > TC_MAX_KDF_ITERATIONS) {
    tc_error_set(err, TC_ERR_UNSUPPORTED, "PKCS#12 KDF iteration count out of range");
    return NULL;
  }
  size_t pl;
  uint8_t *pw = tc_pkcs12_password(password, &pl);
  if (!pw) {
    tc_error_set(err, TC_ERR_BAD_PASSWORD, "password is not valid UTF-8");
    return NULL;
  }
  static const size_t klen[] = {24, 16, 16, 5};
  uint8_t key[24], iv[8];
  int r = tc_pkcs12_kdf(TC_HASH_SHA1, 1, pw, pl, salt.p, salt.len, (unsigned)iter, key, klen[cipher]);
  if (r == 0)
    r = tc_pkcs12_kdf(TC_HASH_SHA1, 2, pw, pl, salt.p, salt.len, (unsigned)iter, iv, sizeof iv);
  tc_wipe(pw, pl);
  free(pw);
  uint8_t *out = NULL;
  if (r != 0) {
    tc_error_set(err, TC_ERR_NOMEM, "PKCS#12 KDF failed");
  } else if (cipher == P12_3DES3 || cipher == P12_3DES2) {
    if (cipher == P12_3DES2)
      memcpy(key + 16, key, 8); /* two-key 3DES: K1 K2 K1 */
    out = cbc_decrypt(TC_CIPHER_3DES_CBC, key, iv, ct, ct_len, out_len, err);
  } else if (ct_len == 0 || ct_len % 8) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "encrypted data length is not a multiple of the block size");
  } else if (!(out = malloc(ct_len))) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  } else {
    memcpy(out, ct, ct_len);
    tc_rc2_cbc_decrypt(key, klen[cipher], cipher == P12_RC2_40 ? 40 : 128, iv, out, ct_len);
    out = unpad(out, ct_len, 8, out_len, err);
  }
  tc_wipe(key, sizeof key);
  return out;
}

uint8_t *tc_pbe_decrypt(der oid, der params, const uint8_t *ct, size_t ct_len,
                        const char *password, size_t *out_len, tc_error *err) {
  if (DER_OID_EQ(&oid, OID_PBES2))
    return pbes2_decrypt(params, ct, ct_len, password, out_len, err);
  if (DER_OID_EQ(&oid, OID_PKCS12_PBE_SHA1_3DES))
    return pkcs12_pbe_decrypt(P12_3DES3, params, ct, ct_len, password, out_len, err);
  if (DER_OID_EQ(&oid, OID_PKCS12_PBE_SHA1_2DES))
    return pkcs12_pbe_decrypt(P12_3DES2, params, ct, ct_len, password, out_len, err);
  if (DER_OID_EQ(&oid, OID_PKCS12_PBE_SHA1_RC2_128))
    return pkcs12_pbe_decrypt(P12_RC2_128, params, ct, ct_len, password, out_len, err);
  if (DER_OID_EQ(&oid, OID_PKCS12_PBE_SHA1_RC2_40))
    return pkcs12_pbe_decrypt(P12_RC2_40, params, ct, ct_len, password, out_len, err);
  tc_error_set(err, TC_ERR_UNSUPPORTED, "unsupported password-based encryption algorithm");
  return NULL;
}
