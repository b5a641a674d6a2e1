/* Fuzz the TLS 1.3 engine end to end: bytes from a "peer" fed to a server, or to a client
 * after its ClientHello. Deterministic RNG and clock, so seeds replay exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef FUZZ_ENGINE_DEBUG
#include <stdio.h>
#endif

#include "tlscore/conn.h"

/* tests/data/server-ed25519.pem and its key (cheap signatures). */
static const char cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB4TCCAYegAwIBAgIUKYfFtVegkrzhLiKNS/dNAkPIECwwCgYIKoZIzj0EAwIw\n"
    "MjEQMA4GA1UECgwHdGxzbGl0ZTEeMBwGA1UEAwwVdGxzbGl0ZSB0ZXN0IEVDRFNB\n"
    "IENBMB4XDTIwMDEwMTAwMDAwMFoXDTQ5MTIzMTIzNTk1OVowJjEQMA4GA1UECgwH\n"
    "dGxzbGl0ZTESMBAGA1UEAwwJbG9jYWxob3N0MCowBQYDK2VwAyEABkv7PpLaVI+E\n"
    "niAXGnZLlTganugNtxaO99ztVVAwez6jgbUwgbIwCQYDVR0TBAIwADAOBgNVHQ8B\n"
    "Af8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFAuCOQy22P3l\n"
    "V1UjUQCHd8boiS6NMB8GA1UdIwQYMBaAFCb50yTb/PQzXbVgz6JhvN5slfQ0MEAG\n"
    "A1UdEQQ5MDeCCWxvY2FsaG9zdIISc2VydmVyLmV4YW1wbGUuY29thwR/AAABhxAA\n"
    "AAAAAAAAAAAAAAAAAAABMAoGCCqGSM49BAMCA0gAMEUCIQDKgZ3dcIY1QtaWnVmD\n"
    "FmjgHFo1XlZvjGvu8AAo2YwxTQIgGi0ENqXdjubPg4rhurzjT6H/vVR7r8GkSwmO\n"
    "leJF3Wg=\n"
    "-----END CERTIFICATE-----\n";
static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIE+s9IWyttOYOo3OHiAeEChL1TvjVQ0nbGKbffQv3QlA\n"
    "-----END PRIVATE KEY-----\n";

static int fixed_rng(void *ctx, uint8_t *out, size_t len) {
  uint32_t *st = ctx;
  for (size_t i = 0; i < len; i++) {
    *st = *st * 1103515245u + 12345u;
    out[i] = (uint8_t)(*st >> 16);
  }
  return 0;
}

static int64_t fixed_time(void *ctx) {
  (void)ctx;
  return 1700000000;
}

static tc_config *make_config(tc_role role, uint32_t *rng_state) {
  tc_config *cfg = tc_config_new(role);
  tc_error err;
  tc_error_clear(&err);
  tc_config_set_rng(cfg, fixed_rng, rng_state);
  tc_config_set_time(cfg, fixed_time, NULL);
  tc_config_set_verify_mode(cfg, TC_VERIFY_NONE);
  static const char *const alpn[] = {"h2", "http/1.1"};
  tc_config_set_alpn(cfg, alpn, 2, &err);
  if (role == TC_ROLE_SERVER) {
    tc_cert **certs = NULL;
    size_t n = tc_certs_parse((const uint8_t *)cert_pem, sizeof cert_pem - 1, &certs, &err);
    tc_privkey *key = tc_privkey_parse((const uint8_t *)key_pem, sizeof key_pem - 1, NULL, &err);
    if (n && key)
      tc_config_add_cert_chain(cfg, certs, n, key, &err);
    for (size_t i = 0; i < n; i++)
      tc_cert_unref(certs[i]);
    free(certs);
    if (key)
      tc_privkey_unref(key);
    tc_config_set_client_auth(cfg, TC_CLIENT_AUTH_REQUEST);
  }
  return cfg;
}

/* First byte: bit 0 selects the side under test (0 server, 1 client); the
 * rest is what the peer sends, fed in chunks whose sizes come from the data. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  uint32_t rng_state = 1;
  tc_role role = (data[0] & 1) ? TC_ROLE_CLIENT : TC_ROLE_SERVER;
  tc_config *cfg = make_config(role, &rng_state);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cfg, &err);
  if (!c) {
    tc_config_unref(cfg);
    return 0;
  }
  if (role == TC_ROLE_CLIENT)
    tc_conn_set_server_name(c, "server.example.com");
  size_t len;
  tc_conn_output(c, &len);
  tc_conn_output_ack(c, len);
  data++;
  size_t left = size - 1;
  unsigned chunk = (data[0] >> 1) | 1;
  while (left) {
    size_t k = left < chunk * 64 ? left : chunk * 64;
    size_t used = 0;
    int r = tc_conn_feed(c, data, k, &used);
    tc_conn_output(c, &len);
    tc_conn_output_ack(c, len);
    uint8_t buf[256];
    size_t n;
    while (tc_conn_read(c, buf, sizeof buf, &n) == TC_OK && n)
      ;
    if (r == TC_WANT && tc_conn_want(c) == TC_WANT_CLIENT_CERT)
      tc_conn_answer_client_cert(c, NULL, 0, NULL);
    if (tc_conn_status(c) & TC_S_FAILED || used == 0)
      break;
    data += used;
    left -= used;
  }
#ifdef FUZZ_ENGINE_DEBUG
  fprintf(stderr, "%s: handshake %s, error '%s'\n", role == TC_ROLE_CLIENT ? "client" : "server",
          tc_conn_handshake_done(c) ? "done" : "not done", tc_conn_error(c)->message);
#endif
  if (tc_conn_handshake_done(c)) {
    size_t n;
    tc_conn_write(c, (const uint8_t *)"x", 1, &n);
    tc_conn_key_update(c, true);
    tc_conn_close(c);
  }
  tc_conn_free(c);
  tc_config_unref(cfg);
  return 0;
}
