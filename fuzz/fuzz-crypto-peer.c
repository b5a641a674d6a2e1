/* libFuzzer target: crypto inputs that come from the peer (ECDSA DER signatures, key shares, CBC records, DH parameters). */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks what the rest is fed to. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t op = data[0] % 5;
  data++;
  size--;

  switch (op) {
  case 0: { /* ECDSA-Sig-Value (strict DER) against a fixed P-256 key */
    static const uint8_t one[1] = {1};
    static const uint8_t msg[] = "fuzz";
    tc_privkey *k = tc_privkey_new_ec(TC_PK_EC_P256, one, 1);
    if (k == NULL)
      abort();
    (void)tc_pk_verify(tc_privkey_pubkey(k), TC_SIGALG_ECDSA, TC_HASH_SHA256, msg, 4, data, size);
    tc_privkey_unref(k);
    break;
  }
  case 1: { /* a peer key share for every group we speak */
    static const uint16_t groups[] = {TC_GROUP_X25519, TC_GROUP_X448, TC_GROUP_SECP256R1,
                                      TC_GROUP_SECP384R1, TC_GROUP_SECP521R1};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
      uint8_t priv[66], pub[TC_KEX_MAX_PUB_LEN], secret[TC_KEX_MAX_SECRET_LEN];
      size_t pub_len = sizeof pub, secret_len = sizeof secret;
      size_t n = tc_kex_pub_len(groups[i]);
      size_t plen = groups[i] == TC_GROUP_X25519 ? 32 : groups[i] == TC_GROUP_X448 ? 56 : (n - 1) / 2;
      tc_kex k;
      memset(priv, 0x11, sizeof priv);
      priv[0] = 0x01;
      if (tc_kex_generate_from(&k, groups[i], priv, plen, pub, &pub_len) != 0)
        abort();
      (void)tc_kex_derive(&k, data, size, secret, &secret_len);
      tc_kex_clear(&k);
    }
    tc_pubkey_unref(tc_pubkey_new_ec(TC_PK_EC_P256, data, size));
    tc_pubkey_unref(tc_pubkey_new_ec(TC_PK_EC_P384, data, size));
    break;
  }
  case 2: { /* a decrypted MAC-then-encrypt CBC record */
    static const uint8_t key[20] = {1, 2, 3};
    static const uint8_t seq[8] = {0};
    size_t content_len;
    (void)tc_cbc_record_check(TC_HASH_SHA1, key, 20, seq, 23, 0x0303, data, size, &content_len);
    (void)tc_cbc_record_check(TC_HASH_SHA384, key, 20, seq, 23, 0x0303, data, size,
                              &content_len);
    break;
  }
  case 3: { /* TLS 1.2 ServerDHParams p (first byte: its length) and g */
    if (size < 1 || size > 1 + 2 * 128)
      break;
    size_t plen = data[0];
    if (plen > size - 1)
      break;
    uint8_t pub[TC_KEX_MAX_PUB_LEN], secret[TC_KEX_MAX_SECRET_LEN];
    size_t pub_len = sizeof pub, secret_len = sizeof secret;
    tc_kex k;
    if (tc_kex_generate_dh(&k, data + 1, plen, data + 1 + plen, size - 1 - plen, 512, NULL, pub,
                           &pub_len) == 0) {
      (void)tc_kex_derive(&k, data + 1 + plen, size - 1 - plen, secret, &secret_len);
      tc_kex_clear(&k);
    }
    break;
  }
  case 4: { /* an Ed25519 signature and key */
    if (size < 32)
      break;
    tc_pubkey *pk = tc_pubkey_new_ed25519(data);
    if (pk == NULL)
      abort();
    (void)tc_pk_verify(pk, TC_SIGALG_ED25519, TC_HASH_NONE, data, size, data + 32, size - 32);
    tc_pubkey_unref(pk);
    break;
  }
  }
  return 0;
}
