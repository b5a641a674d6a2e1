/* TLS 1.2-and-older key block (RFC 5246 §6.3, RFC 6101 §6.2.2) and record protection setup for a negotiated suite. */
#include "record/suites12.h"

#include <string.h>

TC_HOT int tc_keyblock_derive(tc_keyblock *kb, uint16_t version, tc_hash_alg prf, const uint8_t *master,
                       size_t master_len, const uint8_t client_random[32],
                       const uint8_t server_random[32], size_t mac_len, size_t key_len,
                       size_t iv_len) {
  kb->len = 0;
  if (mac_len > TC_HASH_MAX_LEN || key_len > 32 || iv_len > 16 || version < TC_SSL30 ||
      version > TC_TLS12)
    return -1;
  uint8_t seed[64];
  size_t total = 2 * (mac_len + key_len + iv_len);
  /* The key block seeds with the server random first (the master secret
   * derivation uses the opposite order). */
  memcpy(seed, server_random, 32);
  memcpy(seed + 32, client_random, 32);
  /* Straight into the block the parts are read from: nothing to copy out
   * and wipe afterwards. */
  int r;
  if (version == TC_SSL30)
    r = tc_prf_ssl3(master, master_len, seed, sizeof seed, kb->block, total);
  else
    r = tc_prf_tls(version >= TC_TLS12 ? prf : TC_HASH_MD5_SHA1, master, master_len,
                   "key expansion", seed, sizeof seed, kb->block, total);
  if (r) {
    tc_wipe(kb->block, sizeof kb->block); /* whatever a failed PRF may have written */
    return -1;
  }
  const uint8_t *q = kb->block;
  kb->client_mac = q, q += mac_len;
  kb->server_mac = q, q += mac_len;
  kb->client_key = q, q += key_len;
  kb->server_key = q, q += key_len;
  kb->client_iv = q, q += iv_len;
  kb->server_iv = q;
  kb->mac_len = mac_len;
  kb->key_len = key_len;
  kb->iv_len = iv_len;
  kb->len = total;
  return 0;
}

/* Only the bytes the PRF wrote held key material. */
TC_HOT void tc_keyblock_wipe(tc_keyblock *kb) {
  tc_wipe(kb->block, kb->len);
  kb->len = 0;
}

int tc_prot_init_suite12(tc_prot *p, const tc_suite12 *s, uint16_t version,
                         const tc_keyblock *kb, bool is_client, bool write, bool etm,
                         const tc_rng *rng) {
  if (!tc_suite12_allows(s, version))
    return -1;
  size_t mac_len, key_len, iv_len;
  tc_suite12_key_lengths(s, version, &mac_len, &key_len, &iv_len);
  if (kb->mac_len != mac_len || kb->key_len != key_len || kb->iv_len != iv_len)
    return -1;
  bool client_half = is_client == write;
  const uint8_t *mk = client_half ? kb->client_mac : kb->server_mac;
  const uint8_t *key = client_half ? kb->client_key : kb->server_key;
  const uint8_t *iv = client_half ? kb->client_iv : kb->server_iv;
  if (s->bulk == TC_BULK12_AEAD)
    return tc_prot_init_tls12_aead(p, version, s->aead, key, key_len, iv, iv_len);
  /* RFC 7366 covers TLS block ciphers only: no EtM for RC4 or SSL 3.0. */
  unsigned flags = etm && s->bulk == TC_BULK12_CBC && version >= TC_TLS10 ? TC_PROT_ETM : 0;
  return tc_prot_init_cbc(p, write, version, s->cipher, key, key_len, iv_len ? iv : NULL,
                          s->mac, mk, mac_len, flags, rng);
}
