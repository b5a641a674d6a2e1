/* In-memory transport for engine tests: shuttle bytes between two tc_conn, load test credentials. */
#ifndef TLSCORE_TEST_PUMP_H
#define TLSCORE_TEST_PUMP_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
