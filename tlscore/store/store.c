/* The store's public API: argument checks, SRP verifier math, locking, and dispatch to a backend. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "store/store_internal.h"

int tcs_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int c = n ? memcmp(a, b, n) : 0;
  if (c != 0)
    return c;
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* GnuTLS's tpasswd reads a name up to the first ':' and lines up to '\n';
 * control characters are never a legitimate SRP user name (RFC 5054 §2.3
 * names are SASLprep'd UTF-8). */
bool tcs_srp_name_ok(const uint8_t *name, size_t len) {
  if (len == 0 || len > TC_STORE_MAX_SRP_NAME)
    return false;
  for (size_t i = 0; i < len; i++)
    if (name[i] == ':' || name[i] < 0x20 || name[i] == 0x7f)
      return false;
  return true;
}

static bool kind_is(tc_store *st, tc_store_kind kind, tc_error *err) {
  if (!st)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "No database was given."), false;
  if (st->kind != kind) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                 kind == TC_STORE_SRP ? "This is a shared-key database, not an SRP verifier database."
                                      : "This is an SRP verifier database, not a shared-key database.");
    return false;
  }
  return true;
}

static bool writable(tc_store *st, tc_error *err) {
  if (st->readonly) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "The database was opened read-only.");
    return false;
  }
  return true;
}

tc_store *tc_store_open(const char *path, tc_store_kind kind, unsigned flags, tc_error *err) {
  if (kind != TC_STORE_SRP && kind != TC_STORE_PSK) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Unknown database kind %d.", (int)kind);
    return NULL;
  }
  if ((flags & TC_STORE_CREATE) && (flags & TC_STORE_READONLY)) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                 "A database cannot be both created and opened read-only.");
    return NULL;
  }
  tc_store *st = calloc(1, sizeof *st);
  if (!st) {
    tc_error_set(err, TC_ERR_NOMEM, "Out of memory opening the database.");
    return NULL;
  }
  st->kind = kind;
  st->readonly = (flags & TC_STORE_READONLY) != 0;
  if (pthread_mutex_init(&st->lock, NULL) != 0) {
    free(st);
    tc_error_set(err, TC_ERR_NOMEM, "Out of resources opening the database.");
    return NULL;
  }
  int rc = path ? tcs_sqlite_open(st, path, flags, err) : tcs_memory_open(st, err);
  if (rc != TC_OK) {
    pthread_mutex_destroy(&st->lock);
    free(st);
    return NULL;
  }
  return st;
}

void tc_store_close(tc_store *st) {
  if (!st)
    return;
  st->be->close(st);
  pthread_mutex_destroy(&st->lock);
  free(st);
}

tc_store_kind tc_store_get_kind(const tc_store *st) {
  return st->kind;
}

const char *tc_store_backend_name(const tc_store *st) {
  return st->be->name;
}

void tc_store_set_busy_timeout(tc_store *st, unsigned ms) {
  pthread_mutex_lock(&st->lock);
  if (st->be->set_busy_timeout)
    st->be->set_busy_timeout(st, ms);
  pthread_mutex_unlock(&st->lock);
}

/* ---- SRP ---- */

bool tcs_srp_verifier_ok(const tc_srp_verifier *v, tc_error *err) {
  const uint8_t *N, *g;
  size_t N_len, g_len;
  if (tc_srp_group(v->group_bits, &N, &N_len, &g, &g_len, err) != TC_OK)
    return false;
  if (v->salt_len == 0 || v->salt_len > TC_SRP_MAX_SALT) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "An SRP salt must be 1 to 255 bytes long.");
    return false;
  }
  /* the verifier is a number below N: at most N's length, and not zero */
  size_t i = 0;
  while (i < v->verifier_len && i < TC_SRP_MAX_N_BYTES && v->verifier[i] == 0)
    i++;
  size_t vlen = v->verifier_len - i;
  if (v->verifier_len > TC_SRP_MAX_N_BYTES || vlen == 0 || vlen > N_len ||
      (vlen == N_len && memcmp(v->verifier + i, N, N_len) >= 0)) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                 "The SRP verifier is not a number between 1 and the group's prime.");
    return false;
  }
  return true;
}

static bool user_ok(const uint8_t *user, size_t len, tc_error *err) {
  if (!user || !tcs_srp_name_ok(user, len)) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                 "An SRP user name must be 1 to 255 bytes long, without ':' or control "
                 "characters.");
    return false;
  }
  return true;
}

static int put_locked(tc_store *st, const tcs_entry *e, size_t n, tcs_put_mode mode,
                      tc_error *err) {
  pthread_mutex_lock(&st->lock);
  int rc = st->be->put(st, e, n, mode, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}

int tc_store_srp_add(tc_store *st, const char *user, const uint8_t *password, size_t pw_len,
                     unsigned group_bits, tc_error *err) {
  if (!kind_is(st, TC_STORE_SRP, err) || !writable(st, err) ||
      !user_ok((const uint8_t *)user, user ? strlen(user) : 0, err))
    return TC_FAIL;
  tc_srp_verifier rec;
  int rc = tc_srp_make_verifier((const uint8_t *)user, strlen(user), password, pw_len, group_bits,
                                NULL, NULL, &rec, err);
  if (rc == TC_OK) {
    tcs_entry e = {.name = (const uint8_t *)user, .name_len = strlen(user), .srp = &rec};
    rc = put_locked(st, &e, 1, TCS_INSERT, err);
  }
  tc_wipe(&rec, sizeof rec);
  return rc;
}

int tc_store_srp_put(tc_store *st, const uint8_t *user, size_t user_len,
                     const tc_srp_verifier *v, bool replace, tc_error *err) {
  if (!kind_is(st, TC_STORE_SRP, err) || !writable(st, err) || !user_ok(user, user_len, err))
    return TC_FAIL;
  if (!v)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "No SRP verifier was given.");
  if (!tcs_srp_verifier_ok(v, err))
    return TC_FAIL;
  tcs_entry e = {.name = user, .name_len = user_len, .srp = v};
  return put_locked(st, &e, 1, replace ? TCS_UPSERT : TCS_INSERT, err);
}

int tc_store_srp_lookup(tc_store *st, const uint8_t *user, size_t user_len, tc_srp_verifier *out,
                        tc_error *err) {
  if (!kind_is(st, TC_STORE_SRP, err))
    return TC_FAIL;
  if (!out || (!user && user_len))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to an SRP look-up.");
  /* a name no tpasswd line could hold cannot be in the database: not found,
   * so the caller answers with the RFC 5054 §2.5.1.3 fake like any unknown */
  if (!tcs_srp_name_ok(user, user_len))
    return TC_STORE_NOT_FOUND;
  pthread_mutex_lock(&st->lock);
  int rc = st->be->get(st, user, user_len, out, NULL, NULL, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}

int tc_store_srp_set_password(tc_store *st, const char *user, const uint8_t *password,
                              size_t pw_len, unsigned group_bits, tc_error *err) {
  if (!kind_is(st, TC_STORE_SRP, err) || !writable(st, err) ||
      !user_ok((const uint8_t *)user, user ? strlen(user) : 0, err))
    return TC_FAIL;
  tc_srp_verifier rec;
  int rc = TC_OK;
  if (group_bits == 0) {
    rc = tc_store_srp_lookup(st, (const uint8_t *)user, strlen(user), &rec, err);
    group_bits = rec.group_bits;
  }
  if (rc == TC_OK)
    rc = tc_srp_make_verifier((const uint8_t *)user, strlen(user), password, pw_len, group_bits,
                              NULL, NULL, &rec, err);
  if (rc == TC_OK) {
    tcs_entry e = {.name = (const uint8_t *)user, .name_len = strlen(user), .srp = &rec};
    rc = put_locked(st, &e, 1, TCS_UPDATE, err);
  }
  tc_wipe(&rec, sizeof rec);
  return rc;
}

int tc_store_srp_check(tc_store *st, const char *user, const uint8_t *password, size_t pw_len,
                       tc_error *err) {
  if (!kind_is(st, TC_STORE_SRP, err) ||
      !user_ok((const uint8_t *)user, user ? strlen(user) : 0, err))
    return TC_FAIL;
  tc_srp_verifier stored;
  int rc = tc_store_srp_lookup(st, (const uint8_t *)user, strlen(user), &stored, err);
  if (rc == TC_OK &&
      !tc_srp_check_password(&stored, (const uint8_t *)user, strlen(user), password, pw_len))
    rc = TC_STORE_MISMATCH;
  tc_wipe(&stored, sizeof stored);
  return rc;
}

/* ---- PSK ---- */

static bool psk_args_ok(const uint8_t *identity, size_t id_len, tc_error *err) {
  if (!identity || id_len == 0 || id_len > TC_STORE_MAX_PSK_IDENTITY) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "A PSK identity must be 1 to 65535 bytes long.");
    return false;
  }
  return true;
}

int tc_store_psk_put(tc_store *st, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, bool replace, tc_error *err) {
  if (!kind_is(st, TC_STORE_PSK, err) || !writable(st, err) || !psk_args_ok(identity, id_len, err))
    return TC_FAIL;
  if (!key || key_len == 0 || key_len > TC_STORE_MAX_PSK_KEY)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "A PSK key must be 1 to 512 bytes long.");
  tcs_entry e = {.name = identity, .name_len = id_len, .key = key, .key_len = key_len};
  return put_locked(st, &e, 1, replace ? TCS_UPSERT : TCS_INSERT, err);
}

int tc_store_psk_add(tc_store *st, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, tc_error *err) {
  return tc_store_psk_put(st, identity, id_len, key, key_len, false, err);
}

int tc_store_psk_lookup(tc_store *st, const uint8_t *identity, size_t id_len, uint8_t *key,
                        size_t *key_len, tc_error *err) {
  if (!kind_is(st, TC_STORE_PSK, err))
    return TC_FAIL;
  if (!key || !key_len)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to a PSK look-up.");
  if (!identity || id_len == 0 || id_len > TC_STORE_MAX_PSK_IDENTITY)
    return TC_STORE_NOT_FOUND;
  pthread_mutex_lock(&st->lock);
  int rc = st->be->get(st, identity, id_len, NULL, key, key_len, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}

/* ---- both ---- */

int tc_store_delete(tc_store *st, const uint8_t *name, size_t len, tc_error *err) {
  if (!st)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "No database was given.");
  if (!writable(st, err))
    return TC_FAIL;
  if (!name || len == 0)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "No name was given to delete.");
  pthread_mutex_lock(&st->lock);
  int rc = st->be->del(st, name, len, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}

typedef struct {
  tc_store_list_fn fn;
  void *ctx;
} list_ctx;

static bool list_one(void *ctx, const tcs_entry *e) {
  list_ctx *l = ctx;
  return l->fn(l->ctx, e->name, e->name_len, e->srp ? e->srp->group_bits : 0);
}

int tc_store_list(tc_store *st, tc_store_list_fn fn, void *ctx, tc_error *err) {
  if (!st || !fn)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to a database listing.");
  list_ctx l = {fn, ctx};
  pthread_mutex_lock(&st->lock);
  int rc = st->be->each(st, false, list_one, &l, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}

int tc_store_count(tc_store *st, size_t *count, tc_error *err) {
  if (!st || !count)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to a database count.");
  pthread_mutex_lock(&st->lock);
  int rc = st->be->count(st, count, err);
  pthread_mutex_unlock(&st->lock);
  return rc;
}
