/* TLS 1.2-and-older key block (RFC 5246 §6.3, RFC 6101 §6.2.2) and record protection setup for a negotiated suite. */
#include "record/suites12.h"

#include <string.h>

int tc_keyblock_derive(tc_keyblock *kb, uint16_t version, tc_hash_alg prf, const uint8_t *master,
                       size_t master_len, const uint8_t client_random[32],
                       const uint8_t server_random[32], size_t mac_len, size_t key_len,
                       size_t iv_len) {
  memset(kb, 0, sizeof *kb);
  if (mac_len > sizeof kb->client_mac || key_len > sizeof kb->client_key ||
      iv_len > sizeof kb->client_iv || version < TC_SSL30 || version > TC_TLS12)
    return -1;
  uint8_t seed[64], block[2 * (TC_HASH_MAX_LEN + 32 + 16)];
  size_t total = 2 * (mac_len + key_len + iv_len);
  /* The key block seeds with the server random first (the master secret
   * derivation uses the opposite order). */
  memcpy(seed, server_random, 32);
  memcpy(seed + 32, client_random, 32);
  int r;
  if (version == TC_SSL30)
    r = tc_prf_ssl3(master, master_len, seed, sizeof seed, block, total);
  else
    r = tc_prf_tls(version >= TC_TLS12 ? prf : TC_HASH_MD5_SHA1, master, master_len,
                   "key expansion", seed, sizeof seed, block, total);
  if (r) {
    tc_wipe(block, sizeof block);
    return -1;
  }
  const uint8_t *q = block;
  memcpy(kb->client_mac, q, mac_len), q += mac_len;
  memcpy(kb->server_mac, q, mac_len), q += mac_len;
  memcpy(kb->client_key, q, key_len), q += key_len;
  memcpy(kb->server_key, q, key_len), q += key_len;
  memcpy(kb->client_iv, q, iv_len), q += iv_len;
  memcpy(kb->server_iv, q, iv_len);
  kb->mac_len = mac_len;
  kb->key_len = key_len;
  kb->iv_len = iv_len;
  tc_wipe(block, sizeof block);
  return 0;
}

void tc_keyblock_wipe(tc_keyblock *kb) { tc_wipe(kb, sizeof *kb); }

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
