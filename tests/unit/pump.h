/* In-memory transport for engine tests: shuttle bytes between two tc_conn, load test credentials. */
#ifndef TLSCORE_TEST_PUMP_H
#define TLSCORE_TEST_PUMP_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "tlscore/conn.h"

/* Move bytes both ways until neither side produces output (or max_rounds
 * rounds pass). Returns TC_OK when both are idle, TC_WANT when a side waits on
 * a want (answer it, then pump again), TC_FAIL when a side failed (its alert,
 * if any, has been delivered to the other side). Application data is not
 * read; it stays buffered in the receiver. */
int pump(tc_conn *client, tc_conn *server, unsigned max_rounds);
/* Pump until both handshakes are complete; TC_OK, TC_WANT or TC_FAIL. */
int pump_handshake(tc_conn *client, tc_conn *server);
/* Send len bytes from `from`, pump, read them all at `to`; true if equal. */
bool pump_transfer(tc_conn *from, tc_conn *to, const unsigned char *data, size_t len);

/* Test credentials from TEST_DATA_DIR (or $TLSCORE_TEST_DATA); abort on error. */
const char *pump_data_dir(void);
/* All certificates of a PEM file; *n receives the count; free with pump_free_certs. */
tc_cert **pump_load_certs(const char *name, size_t *n);
void pump_free_certs(tc_cert **certs, size_t n);
tc_privkey *pump_load_key(const char *name);
tc_trust_store *pump_load_trust(const char *name);
/* Add chain `cert_file` + `key_file` to cfg. */
void pump_add_chain(tc_config *cfg, const char *cert_file, const char *key_file);

/* A scripted RNG for tests: hands out `script` bytes first, then a counter-
 * based stream. */
typedef struct pump_rng {
  const unsigned char *script;
  size_t script_len, pos;
  unsigned long counter;
} pump_rng;
int pump_rng_fn(void *ctx, unsigned char *out, size_t len);

/* TLS 1.2-era test configs: a server with the RSA and ECDSA test chains, a
 * client that verifies nothing; versions min..max, suites when n > 0. */
tc_config *pump_server_cfg12(uint16_t min, uint16_t max, const uint16_t *suites, size_t n);
tc_config *pump_client_cfg12(uint16_t min, uint16_t max, const uint16_t *suites, size_t n);
/* A client and a server connection; the client asks for "localhost". */
void pump_new_pair(tc_config *ccfg, tc_config *scfg, tc_conn **c, tc_conn **s);
/* A client connection to "localhost" offering sess (NULL: none). */
tc_conn *pump_new_client(tc_config *ccfg, tc_session *sess);
/* Everything x has to send, taken (acknowledged) from it. */
GByteArray *pump_drain(tc_conn *x);

#endif
