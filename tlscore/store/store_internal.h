/* The store's backend interface (vtable) and the helpers its parts share; internal to libtcstore. */
#ifndef TLSCORE_STORE_INTERNAL_H
#define TLSCORE_STORE_INTERNAL_H

#include <pthread.h>

#include "tlscore/store.h"

/* One entry as the backends see it: the name, and either an SRP record or a
 * PSK key. Backends never interpret the record; store.c validates before
 * anything reaches them. */
typedef struct tcs_entry {
  const uint8_t *name;
  size_t name_len;
  const tc_srp_verifier *srp; /* TC_STORE_SRP */
  const uint8_t *key;             /* TC_STORE_PSK */
  size_t key_len;
} tcs_entry;

/* put modes */
typedef enum {
  TCS_INSERT,  /* fail with TC_ERR_EXISTS when the name exists */
  TCS_UPSERT,  /* add or replace */
  TCS_UPDATE   /* replace; TC_STORE_NOT_FOUND when the name is missing */
} tcs_put_mode;

/* A backend. Every call is one transaction: it either happens entirely or
 * not at all, and returns TC_OK, TC_STORE_NOT_FOUND (get, del, UPDATE), or
 * TC_FAIL with err set. store.c holds st->lock around every call, so a
 * backend sees one call at a time per store. A PostgreSQL backend implements
 * the same table. */
typedef struct tcs_backend {
  const char *name;
  void (*close)(tc_store *st);
  /* Put n entries (n > 1: an import) atomically. */
  int (*put)(tc_store *st, const tcs_entry *e, size_t n, tcs_put_mode mode, tc_error *err);
  /* SRP: fill *srp; PSK: copy the key into key (capacity *key_len). */
  int (*get)(tc_store *st, const uint8_t *name, size_t len, tc_srp_verifier *srp,
             uint8_t *key, size_t *key_len, tc_error *err);
  int (*del)(tc_store *st, const uint8_t *name, size_t len, tc_error *err);
  /* Every entry in memcmp order of names (shorter first on a common prefix).
   * with_secrets: also hand out the SRP record / PSK key (export only). */
  int (*each)(tc_store *st, bool with_secrets,
              bool (*fn)(void *ctx, const tcs_entry *e), void *ctx, tc_error *err);
  int (*count)(tc_store *st, size_t *count, tc_error *err);
  void (*set_busy_timeout)(tc_store *st, unsigned ms);
} tcs_backend;

struct tc_store {
  const tcs_backend *be;
  void *impl;
  tc_store_kind kind;
  bool readonly;
  pthread_mutex_t lock;
};

/* Backends: fill st->be and st->impl, or return TC_FAIL. */
int tcs_memory_open(tc_store *st, tc_error *err);
int tcs_sqlite_open(tc_store *st, const char *path, unsigned flags, tc_error *err);

/* Order of names used by list and export, the same in every backend. */
int tcs_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- GnuTLS file formats (gnutls_files.c; also the fuzz targets' entry points) ---- */
/* srptool's base64 variant ("0-9A-Za-z./", leading partial group first).
 * Decode: TC_OK with *out_len bytes (capacity cap), TC_FAIL on a character
 * outside the alphabet, an empty string or an overflow. */
int tcs_sb64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* Encode into out (capacity cap, NUL-terminated). Fails (-1) when the
 * bytes cannot be written so that GnuTLS reads them back unchanged. */
int tcs_sb64_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* A parsed tpasswd.conf: up to 16 groups by index, each an RFC 5054 group. */
#define TCS_CONF_MAX 16
typedef struct tcs_conf {
  struct {
    unsigned index;
    unsigned group_bits; /* the RFC 5054 group whose N and g the line holds */
  } groups[TCS_CONF_MAX];
  size_t n;
} tcs_conf;
int tcs_parse_tpasswd_conf(const char *buf, size_t len, tcs_conf *conf, tc_error *err);
/* Calls fn for each user of a tpasswd file (fn returns TC_OK or TC_FAIL). */
typedef int (*tcs_parse_fn)(void *ctx, const tcs_entry *e, tc_error *err);
int tcs_parse_tpasswd(const char *buf, size_t len, const tcs_conf *conf, tcs_parse_fn fn,
                      void *ctx, tc_error *err);
/* psktool's "identity:hexkey" lines. */
int tcs_parse_psk_file(const char *buf, size_t len, tcs_parse_fn fn, void *ctx, tc_error *err);

/* Name rules (see store.h). */
bool tcs_srp_name_ok(const uint8_t *name, size_t len);

/* A verifier the store accepts: an RFC 5054 group (tc_srp_group), a
 * 1..255-byte salt, and 1 <= v < N. */
bool tcs_srp_verifier_ok(const tc_srp_verifier *v, tc_error *err);
/* srptool's tpasswd.conf index of a group (1 = 1024 ... 7 = 8192), or 0. */
unsigned tcs_srp_group_index(unsigned bits);

#endif
