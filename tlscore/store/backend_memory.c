/* In-memory store backend: a sorted array, for tests and embedding; secrets wiped when dropped. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "store/store_internal.h"

typedef struct {
  uint8_t *name;
  size_t name_len;
  tc_srp_verifier *srp; /* SRP stores */
  uint8_t *key;             /* PSK stores */
  size_t key_len;
} mem_entry;

typedef struct {
  mem_entry *v;
  size_t n, cap;
} mem_db;

static void entry_free(mem_entry *e) {
  if (e->srp) {
    tc_wipe(e->srp, sizeof *e->srp);
    free(e->srp);
  }
  if (e->key) {
    tc_wipe(e->key, e->key_len);
    free(e->key);
  }
  free(e->name);
  memset(e, 0, sizeof *e);
}

/* Index of name, or of where it would go (*found false). */
static size_t find(const mem_db *db, const uint8_t *name, size_t len, bool *found) {
  size_t lo = 0, hi = db->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = tcs_name_cmp(db->v[mid].name, db->v[mid].name_len, name, len);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = false;
  return lo;
}

static bool entry_make(const tcs_entry *in, mem_entry *out) {
  memset(out, 0, sizeof *out);
  out->name = malloc(in->name_len);
  if (!out->name)
    return false;
  memcpy(out->name, in->name, in->name_len);
  out->name_len = in->name_len;
  if (in->srp) {
    out->srp = malloc(sizeof *out->srp);
    if (!out->srp)
      return entry_free(out), false;
    *out->srp = *in->srp;
  } else {
    out->key = malloc(in->key_len);
    if (!out->key)
      return entry_free(out), false;
    memcpy(out->key, in->key, in->key_len);
    out->key_len = in->key_len;
  }
  return true;
}

static void mem_close(tc_store *st) {
  mem_db *db = st->impl;
  for (size_t i = 0; i < db->n; i++)
    entry_free(&db->v[i]);
  free(db->v);
  free(db);
}

static int mem_put(tc_store *st, const tcs_entry *e, size_t n, tcs_put_mode mode,
                   tc_error *err) {
  mem_db *db = st->impl;
  /* All or nothing: check names and reserve room and copies first, so
   * nothing can fail once the array starts changing. */
  for (size_t i = 0; i < n; i++) {
    bool found;
    find(db, e[i].name, e[i].name_len, &found);
    if (found && mode == TCS_INSERT)
      return tc_error_set(err, TC_ERR_EXISTS, "%s is already in the database.",
                          st->kind == TC_STORE_SRP ? "This user" : "This identity");
    if (!found && mode == TCS_UPDATE)
      return TC_STORE_NOT_FOUND;
  }
  if (db->n + n > db->cap) {
    size_t cap = db->cap ? db->cap : 16;
    while (cap < db->n + n)
      cap *= 2;
    mem_entry *v = realloc(db->v, cap * sizeof *v);
    if (!v)
      return tc_error_set(err, TC_ERR_NOMEM, "Out of memory adding to the database.");
    db->v = v;
    db->cap = cap;
  }
  mem_entry *made = calloc(n ? n : 1, sizeof *made);
  if (!made)
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory adding to the database.");
  for (size_t i = 0; i < n; i++) {
    if (!entry_make(&e[i], &made[i])) {
      for (size_t j = 0; j < i; j++)
        entry_free(&made[j]);
      free(made);
      return tc_error_set(err, TC_ERR_NOMEM, "Out of memory adding to the database.");
    }
  }
  for (size_t i = 0; i < n; i++) {
    bool found;
    size_t at = find(db, made[i].name, made[i].name_len, &found);
    if (found) {
      entry_free(&db->v[at]);
    } else {
      memmove(&db->v[at + 1], &db->v[at], (db->n - at) * sizeof *db->v);
      db->n++;
    }
    db->v[at] = made[i];
  }
  free(made);
  return TC_OK;
}

static int mem_get(tc_store *st, const uint8_t *name, size_t len, tc_srp_verifier *srp,
                   uint8_t *key, size_t *key_len, tc_error *err) {
  mem_db *db = st->impl;
  bool found;
  size_t at = find(db, name, len, &found);
  if (!found)
    return TC_STORE_NOT_FOUND;
  const mem_entry *m = &db->v[at];
  if (srp) {
    *srp = *m->srp;
    return TC_OK;
  }
  if (*key_len < m->key_len)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "The buffer for the key is too small.");
  memcpy(key, m->key, m->key_len);
  *key_len = m->key_len;
  return TC_OK;
}

static int mem_del(tc_store *st, const uint8_t *name, size_t len, tc_error *err) {
  (void)err;
  mem_db *db = st->impl;
  bool found;
  size_t at = find(db, name, len, &found);
  if (!found)
    return TC_STORE_NOT_FOUND;
  entry_free(&db->v[at]);
  memmove(&db->v[at], &db->v[at + 1], (db->n - at - 1) * sizeof *db->v);
  db->n--;
  return TC_OK;
}

static int mem_each(tc_store *st, bool with_secrets, bool (*fn)(void *ctx, const tcs_entry *e),
                    void *ctx, tc_error *err) {
  (void)err;
  mem_db *db = st->impl;
  tc_srp_verifier bits_only;
  memset(&bits_only, 0, sizeof bits_only);
  for (size_t i = 0; i < db->n; i++) {
    const mem_entry *m = &db->v[i];
    tcs_entry e = {.name = m->name, .name_len = m->name_len};
    if (m->srp) {
      bits_only.group_bits = m->srp->group_bits;
      e.srp = with_secrets ? m->srp : &bits_only;
    } else if (with_secrets) {
      e.key = m->key;
      e.key_len = m->key_len;
    }
    if (!fn(ctx, &e))
      break;
  }
  return TC_OK;
}

static int mem_count(tc_store *st, size_t *count, tc_error *err) {
  (void)err;
  *count = ((mem_db *)st->impl)->n;
  return TC_OK;
}

static const tcs_backend memory_backend = {
    .name = "memory",
    .close = mem_close,
    .put = mem_put,
    .get = mem_get,
    .del = mem_del,
    .each = mem_each,
    .count = mem_count,
};

int tcs_memory_open(tc_store *st, tc_error *err) {
  mem_db *db = calloc(1, sizeof *db);
  if (!db)
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory opening the database.");
  st->be = &memory_backend;
  st->impl = db;
  return TC_OK;
}
