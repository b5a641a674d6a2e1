/* libtcstore: verifier and shared-key databases in memory and in SQLite, bad files, crashes, concurrency, GnuTLS files. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store/store_internal.h"
#include "tlscore/store.h"

#define PW(s) (const uint8_t *)(s), strlen(s)
#define NM(s) (const uint8_t *)(s), strlen(s)

/* A fresh temporary directory per test, removed at the end. */
typedef struct {
  char *dir;
} tmpdir;

static void tmp_setup(tmpdir *t, gconstpointer data) {
  (void)data;
  GError *error = NULL;
  t->dir = g_dir_make_tmp("test-store-XXXXXX", &error);
  g_assert_no_error(error);
}

static void tmp_teardown(tmpdir *t, gconstpointer data) {
  (void)data;
  GDir *d = g_dir_open(t->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)) != NULL) {
    char *p = g_build_filename(t->dir, name, NULL);
    chmod(p, 0600);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      g_rmdir(p);
    else
      g_unlink(p);
    g_free(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(t->dir);
  g_free(t->dir);
}

static char *tmp_path(tmpdir *t, const char *name) {
  return g_build_filename(t->dir, name, NULL);
}

static tc_store *open_ok(const char *path, tc_store_kind kind, unsigned flags) {
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, kind, flags, &err);
  if (!st)
    g_error("tc_store_open(%s): %s", path ? path : "memory", err.message);
  return st;
}

/* Open must fail with this code and a message containing want. */
static void open_fails(const char *path, tc_store_kind kind, unsigned flags, tc_err code,
                       const char *want) {
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, kind, flags, &err);
  g_assert_null(st);
  g_test_message("open %s: %s", path, err.message);
  g_assert_cmpint(err.code, ==, code);
  g_assert_nonnull(strstr(err.message, want));
  /* one human sentence */
  size_t n = strlen(err.message);
  g_assert_cmpuint(n, >, 10);
  g_assert_cmpint(err.message[n - 1], ==, '.');
}

typedef struct {
  GString *names; /* "name/bits," for each entry */
  size_t n;
  size_t stop_after;
} list_acc;

static bool list_cb(void *ctx, const uint8_t *name, size_t len, unsigned bits) {
  list_acc *a = ctx;
  g_string_append_len(a->names, (const char *)name, (gssize)len);
  g_string_append_printf(a->names, "/%u,", bits);
  a->n++;
  return a->stop_after == 0 || a->n < a->stop_after;
}

static char *list_all(tc_store *st) {
  list_acc a = {g_string_new(NULL), 0, 0};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_list(st, list_cb, &a, &err), ==, TC_OK);
  return g_string_free(a.names, FALSE);
}

/* ---- SRP basics, both backends ---- */

static void srp_basics(tc_store *st) {
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_get_kind(st), ==, TC_STORE_SRP);
  g_assert_cmpint(tc_store_srp_add(st, "bob", PW("hunter2"), 1024, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_add(st, "alice", PW("secret"), 2048, &err), ==, TC_OK);
  /* adding again is an error that says so */
  g_assert_cmpint(tc_store_srp_add(st, "alice", PW("other"), 2048, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_EXISTS);
  g_assert_nonnull(strstr(err.message, "already"));
  tc_error_clear(&err);

  tc_srp_verifier rec;
  g_assert_cmpint(tc_store_srp_lookup(st, NM("alice"), &rec, &err), ==, TC_OK);
  g_assert_cmpuint(rec.group_bits, ==, 2048);
  g_assert_cmpuint(rec.salt_len, ==, TC_SRP_SALT_LEN);
  g_assert_cmpuint(rec.verifier_len, ==, 256);
  /* the stored verifier is g^x for x = SHA1(s | SHA1("alice:secret")) */
  tc_srp_verifier again;
  g_assert_cmpint(tc_srp_compute_verifier(NM("alice"), PW("secret"), 2048, rec.salt, rec.salt_len,
                                       &again, &err),
                  ==, TC_OK);
  g_assert_cmpmem(again.verifier, again.verifier_len, rec.verifier, rec.verifier_len);

  g_assert_cmpint(tc_store_srp_lookup(st, NM("carol"), &rec, &err), ==, TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("alic"), &rec, &err), ==, TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("alice2"), &rec, &err), ==, TC_STORE_NOT_FOUND);
  /* names a client may send that we never store are simply unknown */
  g_assert_cmpint(tc_store_srp_lookup(st, (const uint8_t *)"a:b", 3, &rec, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_lookup(st, (const uint8_t *)"", 0, &rec, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);

  g_assert_cmpint(tc_store_srp_check(st, "alice", PW("secret"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, "alice", PW("secreT"), &err), ==, TC_STORE_MISMATCH);
  g_assert_cmpint(tc_store_srp_check(st, "alice", PW(""), &err), ==, TC_STORE_MISMATCH);
  g_assert_cmpint(tc_store_srp_check(st, "bob", PW("hunter2"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, "carol", PW("x"), &err), ==, TC_STORE_NOT_FOUND);

  /* set a password: old one stops working, new salt, same group */
  tc_srp_verifier before, after;
  g_assert_cmpint(tc_store_srp_lookup(st, NM("bob"), &before, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_set_password(st, "bob", PW("correct horse"), 0, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("bob"), &after, &err), ==, TC_OK);
  g_assert_cmpuint(after.group_bits, ==, 1024);
  g_assert_false(before.salt_len == after.salt_len &&
                 memcmp(before.salt, after.salt, before.salt_len) == 0);
  g_assert_cmpint(tc_store_srp_check(st, "bob", PW("hunter2"), &err), ==, TC_STORE_MISMATCH);
  g_assert_cmpint(tc_store_srp_check(st, "bob", PW("correct horse"), &err), ==, TC_OK);
  /* and a new group when asked */
  g_assert_cmpint(tc_store_srp_set_password(st, "bob", PW("pw3"), 1536, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("bob"), &after, &err), ==, TC_OK);
  g_assert_cmpuint(after.group_bits, ==, 1536);
  g_assert_cmpint(tc_store_srp_check(st, "bob", PW("pw3"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_set_password(st, "nobody", PW("x"), 2048, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_set_password(st, "nobody", PW("x"), 0, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);

  char *l = list_all(st);
  g_assert_cmpstr(l, ==, "alice/2048,bob/1536,");
  g_free(l);
  size_t n = 0;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, 2);
  /* list stops when asked */
  list_acc a = {g_string_new(NULL), 0, 1};
  g_assert_cmpint(tc_store_list(st, list_cb, &a, &err), ==, TC_OK);
  g_assert_cmpuint(a.n, ==, 1);
  g_string_free(a.names, TRUE);

  g_assert_cmpint(tc_store_delete(st, NM("bob"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_delete(st, NM("bob"), &err), ==, TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_check(st, "bob", PW("pw3"), &err), ==, TC_STORE_NOT_FOUND);
  l = list_all(st);
  g_assert_cmpstr(l, ==, "alice/2048,");
  g_free(l);

  /* bad arguments: clear sentences, nothing stored */
  const struct {
    const char *user;
    unsigned bits;
  } bad[] = {{"", 2048}, {"a:b", 2048}, {"new\nline", 2048}, {"ok", 1000}, {"ok", 0}};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    tc_error_clear(&err);
    g_assert_cmpint(tc_store_srp_add(st, bad[i].user, PW("pw"), bad[i].bits, &err), ==, TC_FAIL);
    g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
    g_test_message("%s", err.message);
  }
  char longname[300];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_add(st, longname, PW("pw"), 2048, &err), ==, TC_FAIL);
  longname[255] = 0;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_add(st, longname, PW("pw"), 1024, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, longname, PW("pw"), &err), ==, TC_OK);

  /* PSK calls on an SRP store are refused */
  uint8_t key[64];
  size_t key_len = sizeof key;
  g_assert_cmpint(tc_store_psk_add(st, NM("id"), key, 16, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_psk_lookup(st, NM("id"), key, &key_len, &err), ==, TC_FAIL);
}

/* Precomputed records: the cheap path the concurrency tests use. */
static void srp_put_records(tc_store *st) {
  tc_error err;
  tc_error_clear(&err);
  tc_srp_verifier rec;
  const uint8_t salt[3] = {1, 2, 3};
  g_assert_cmpint(tc_srp_compute_verifier(NM("zed"), PW("pw"), 1024, salt, 3, &rec, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_put(st, NM("zed"), &rec, false, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_put(st, NM("zed"), &rec, false, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_EXISTS);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_put(st, NM("zed"), &rec, true, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, "zed", PW("pw"), &err), ==, TC_OK);
  /* a verifier that is not below N, or zero, or an unknown group, is refused */
  tc_srp_verifier badrec = rec;
  memset(badrec.verifier, 0xff, badrec.verifier_len);
  g_assert_cmpint(tc_store_srp_put(st, NM("zz"), &badrec, false, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_error_clear(&err);
  memset(badrec.verifier, 0, badrec.verifier_len);
  g_assert_cmpint(tc_store_srp_put(st, NM("zz"), &badrec, false, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  badrec = rec;
  badrec.group_bits = 512;
  g_assert_cmpint(tc_store_srp_put(st, NM("zz"), &badrec, false, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  badrec = rec;
  badrec.salt_len = 0;
  g_assert_cmpint(tc_store_srp_put(st, NM("zz"), &badrec, false, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  /* a verifier written without leading zeros still checks */
  tc_srp_verifier shortv = rec;
  const uint8_t salt2[1] = {9};
  for (int i = 0; i < 2000; i++) {
    char pw[16];
    snprintf(pw, sizeof pw, "p%d", i);
    g_assert_cmpint(tc_srp_compute_verifier(NM("short"), PW(pw), 1024, salt2, 1, &shortv, &err), ==,
                    TC_OK);
    if (shortv.verifier[0] == 0) {
      memmove(shortv.verifier, shortv.verifier + 1, --shortv.verifier_len);
      g_assert_cmpint(tc_store_srp_put(st, NM("short"), &shortv, false, &err), ==, TC_OK);
      g_assert_cmpint(tc_store_srp_check(st, "short", PW(pw), &err), ==, TC_OK);
      g_assert_cmpint(tc_store_srp_check(st, "short", PW("nope"), &err), ==, TC_STORE_MISMATCH);
      break;
    }
  }
  size_t n;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, 2);
}

static void psk_basics(tc_store *st) {
  tc_error err;
  tc_error_clear(&err);
  const uint8_t k1[32] = {1, 2, 3, 4, 5};
  const uint8_t k2[48] = {9, 9, 9};
  uint8_t out[TC_STORE_MAX_PSK_KEY];
  size_t out_len = sizeof out;
  g_assert_cmpint(tc_store_psk_add(st, NM("client1"), k1, sizeof k1, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_psk_add(st, NM("client1"), k2, sizeof k2, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_EXISTS);
  tc_error_clear(&err);
  /* identities are bytes: NUL and ':' allowed */
  const uint8_t binid[] = {0, ':', 0xff, 'x'};
  g_assert_cmpint(tc_store_psk_add(st, binid, sizeof binid, k2, sizeof k2, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client1"), out, &out_len, &err), ==, TC_OK);
  g_assert_cmpmem(out, out_len, k1, sizeof k1);
  out_len = sizeof out;
  g_assert_cmpint(tc_store_psk_lookup(st, binid, sizeof binid, out, &out_len, &err), ==, TC_OK);
  g_assert_cmpmem(out, out_len, k2, sizeof k2);
  out_len = sizeof out;
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client2"), out, &out_len, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client"), out, &out_len, &err), ==,
                  TC_STORE_NOT_FOUND);
  /* a too small buffer is an error, not a truncated key */
  out_len = 16;
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client1"), out, &out_len, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
  tc_error_clear(&err);
  /* replace */
  g_assert_cmpint(tc_store_psk_put(st, NM("client1"), k2, sizeof k2, true, &err), ==, TC_OK);
  out_len = sizeof out;
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client1"), out, &out_len, &err), ==, TC_OK);
  g_assert_cmpmem(out, out_len, k2, sizeof k2);
  /* bad sizes */
  uint8_t big[TC_STORE_MAX_PSK_KEY + 1] = {0};
  g_assert_cmpint(tc_store_psk_add(st, NM("x"), big, sizeof big, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_psk_add(st, NM("x"), k1, 0, &err), ==, TC_FAIL);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_psk_add(st, (const uint8_t *)"", 0, k1, 1, &err), ==, TC_FAIL);
  tc_error_clear(&err);

  size_t n;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, 2);
  list_acc a = {g_string_new(NULL), 0, 0};
  g_assert_cmpint(tc_store_list(st, list_cb, &a, &err), ==, TC_OK);
  g_assert_cmpuint(a.n, ==, 2);
  /* byte order: the identity starting with 0x00 first; no key bytes listed */
  g_assert_cmpint(a.names->str[0], ==, 0);
  g_assert_null(memmem(a.names->str, a.names->len, k2, 3));
  g_string_free(a.names, TRUE);

  g_assert_cmpint(tc_store_delete(st, binid, sizeof binid, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_delete(st, binid, sizeof binid, &err), ==, TC_STORE_NOT_FOUND);
  out_len = sizeof out;
  g_assert_cmpint(tc_store_psk_lookup(st, binid, sizeof binid, out, &out_len, &err), ==,
                  TC_STORE_NOT_FOUND);
  g_assert_cmpint(tc_store_srp_add(st, "u", PW("p"), 2048, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_INVALID_ARGUMENT);
}

static void test_memory_srp(void) {
  tc_store *st = open_ok(NULL, TC_STORE_SRP, 0);
  g_assert_cmpstr(tc_store_backend_name(st), ==, "memory");
  srp_basics(st);
  tc_store_close(st);
  st = open_ok(NULL, TC_STORE_SRP, 0);
  srp_put_records(st);
  tc_store_close(st);
}

static void test_memory_psk(void) {
  tc_store *st = open_ok(NULL, TC_STORE_PSK, 0);
  psk_basics(st);
  tc_store_close(st);
}

static void test_sqlite_srp(tmpdir *t, gconstpointer data) {
  (void)data;
  char *path = tmp_path(t, "users.db");
  tc_store *st = open_ok(path, TC_STORE_SRP, TC_STORE_CREATE);
  g_assert_cmpstr(tc_store_backend_name(st), ==, "sqlite");
  srp_basics(st);
  tc_store_close(st);
  /* everything is still there after reopening, read-only too */
  st = open_ok(path, TC_STORE_SRP, TC_STORE_READONLY);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_check(st, "alice", PW("secret"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_add(st, "new", PW("x"), 2048, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "read-only"));
  tc_store_close(st);
  char *p2 = tmp_path(t, "records.db");
  st = open_ok(p2, TC_STORE_SRP, TC_STORE_CREATE);
  srp_put_records(st);
  tc_store_close(st);
  g_free(p2);
  g_free(path);
}

static void test_sqlite_psk(tmpdir *t, gconstpointer data) {
  (void)data;
  char *path = tmp_path(t, "keys.db");
  tc_store *st = open_ok(path, TC_STORE_PSK, TC_STORE_CREATE);
  psk_basics(st);
  tc_store_close(st);
  st = open_ok(path, TC_STORE_PSK, 0);
  uint8_t out[64];
  size_t out_len = sizeof out;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_psk_lookup(st, NM("client1"), out, &out_len, &err), ==, TC_OK);
  g_assert_cmpuint(out_len, ==, 48);
  tc_store_close(st);
  g_free(path);
}

/* ---- files: WAL, modes, schema table ---- */

static void test_sqlite_file_properties(tmpdir *t, gconstpointer data) {
  (void)data;
  char *path = tmp_path(t, "users.db");
  mode_t old = umask(0); /* even with a permissive umask the files are private */
  tc_store *st = open_ok(path, TC_STORE_SRP, TC_STORE_CREATE);
  umask(old);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_add(st, "alice", PW("secret"), 1024, &err), ==, TC_OK);
  /* while open, the WAL and shared-memory files exist: all 0600 */
  const char *suffix[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < G_N_ELEMENTS(suffix); i++) {
    char *p = g_strconcat(path, suffix[i], NULL);
    struct stat sb;
    g_assert_cmpint(stat(p, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_free(p);
  }
  /* read the file with SQLite itself: WAL mode, schema version table */
  sqlite3 *db;
  g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_stmt *s;
  g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(s, 0), ==, "wal");
  sqlite3_finalize(s);
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT version, kind FROM tc_schema", -1, &s, NULL), ==,
                  SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  g_assert_cmpint(sqlite3_column_int(s, 0), ==, 1);
  g_assert_cmpstr((const char *)sqlite3_column_text(s, 1), ==, "srp");
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
  tc_store_close(st);
  g_free(path);
}

/* ---- bad files ---- */

static void write_file(const char *path, const void *data, size_t len) {
  GError *error = NULL;
  g_assert_true(g_file_set_contents(path, data, (gssize)len, &error));
  g_assert_no_error(error);
}

static void sql_exec(const char *path, const char *sql) {
  sqlite3 *db;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error("%s: %s", sql, msg);
  sqlite3_close(db);
}

static void test_bad_files(tmpdir *t, gconstpointer data) {
  (void)data;
  char *p = tmp_path(t, "missing.db");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_STORAGE, "does not exist");
  g_free(p);

  p = tmp_path(t, "text.db");
  write_file(p, "alice:secret\nthis is not a database at all, just some text\n", 58);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "not an SQLite file");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE, TC_ERR_BAD_INPUT, "not an SQLite file");
  g_free(p);

  p = tmp_path(t, "empty.db");
  write_file(p, "", 0);
  open_fails(p, TC_STORE_PSK, 0, TC_ERR_BAD_INPUT, "empty");
  g_free(p);

  p = tmp_path(t, "random.db");
  uint8_t junk[4096];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t)(i * 7 + 3);
  write_file(p, junk, sizeof junk);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "not an SQLite file");
  g_free(p);

  /* a real SQLite database of someone else's */
  p = tmp_path(t, "other.db");
  sql_exec(p, "CREATE TABLE users (name TEXT, password TEXT); INSERT INTO users VALUES ('a','b')");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "not a TLS Lite database");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE, TC_ERR_BAD_INPUT, "not a TLS Lite database");
  g_free(p);

  /* the other kind */
  p = tmp_path(t, "keys.db");
  tc_store_close(open_ok(p, TC_STORE_PSK, TC_STORE_CREATE));
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_INVALID_ARGUMENT, "holds shared keys, not SRP verifiers");
  g_free(p);

  /* newer schema; broken schema table; missing table */
  p = tmp_path(t, "newer.db");
  tc_store_close(open_ok(p, TC_STORE_SRP, TC_STORE_CREATE));
  sql_exec(p, "UPDATE tc_schema SET version = 7");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_UNSUPPORTED, "newer version");
  sql_exec(p, "UPDATE tc_schema SET version = 0");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "invalid schema version");
  sql_exec(p, "UPDATE tc_schema SET version = 1; INSERT INTO tc_schema VALUES (1, 'srp')");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "damaged schema version table");
  sql_exec(p, "DELETE FROM tc_schema; INSERT INTO tc_schema VALUES (1, 'xyz')");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "damaged schema version table");
  sql_exec(p, "DELETE FROM tc_schema; INSERT INTO tc_schema VALUES (1, 'srp'); DROP TABLE srp_users");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "does not have the tables");
  sql_exec(p, "CREATE TABLE srp_users (name BLOB PRIMARY KEY, salt BLOB)");
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "does not have the tables");
  g_free(p);

  /* damaged rows are refused on read, not trusted */
  p = tmp_path(t, "rows.db");
  tc_store *st = open_ok(p, TC_STORE_SRP, TC_STORE_CREATE);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_add(st, "alice", PW("pw"), 1024, &err), ==, TC_OK);
  tc_store_close(st);
  sql_exec(p, "UPDATE srp_users SET group_bits = 999");
  st = open_ok(p, TC_STORE_SRP, 0);
  tc_srp_verifier rec;
  g_assert_cmpint(tc_store_srp_lookup(st, NM("alice"), &rec, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "damaged entry"));
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_list(st, list_cb, &(list_acc){g_string_new(NULL), 0, 0}, &err), ==,
                  TC_FAIL);
  tc_store_close(st);
  sql_exec(p, "UPDATE srp_users SET group_bits = 1024, verifier = zeroblob(2000)");
  st = open_ok(p, TC_STORE_SRP, 0);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("alice"), &rec, &err), ==, TC_FAIL);
  tc_store_close(st);
  g_free(p);

  /* truncated: a database cut short of its pages */
  p = tmp_path(t, "cut.db");
  st = open_ok(p, TC_STORE_SRP, TC_STORE_CREATE);
  for (int i = 0; i < 200; i++) {
    char name[16];
    snprintf(name, sizeof name, "user%03d", i);
    tc_srp_verifier r;
    const uint8_t salt[16] = {(uint8_t)i};
    g_assert_cmpint(tc_srp_compute_verifier(NM(name), PW("pw"), 4096, salt, 16, &r, &err), ==, TC_OK);
    g_assert_cmpint(tc_store_srp_put(st, NM(name), &r, false, &err), ==, TC_OK);
  }
  tc_store_close(st); /* the last close checkpoints the WAL into the file */
  struct stat sb;
  g_assert_cmpint(stat(p, &sb), ==, 0);
  g_assert_cmpint(sb.st_size, >, 100000);
  g_assert_cmpint(truncate(p, sb.st_size / 2), ==, 0);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "damaged");
  g_assert_cmpint(truncate(p, 50), ==, 0); /* not even a whole header */
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "damaged");
  g_assert_cmpint(truncate(p, 10), ==, 0); /* not even the magic string */
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_BAD_INPUT, "not an SQLite file");
  g_free(p);

  /* unreadable: a directory, and (when not root, who reads anything) a 0000 file */
  p = tmp_path(t, "dir.db");
  g_assert_cmpint(g_mkdir(p, 0700), ==, 0);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_STORAGE, "not a regular file");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE, TC_ERR_STORAGE, "not a regular file");
  g_free(p);
  p = tmp_path(t, "locked.db");
  tc_store_close(open_ok(p, TC_STORE_SRP, TC_STORE_CREATE));
  g_assert_cmpint(chmod(p, 0), ==, 0);
  if (geteuid() != 0) {
    open_fails(p, TC_STORE_SRP, 0, TC_ERR_STORAGE, "Permission denied");
  } else {
    /* root: drop to nobody in a child, where the file is unreadable */
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
      if (setgid(65534) != 0 || setuid(65534) != 0)
        _exit(2);
      tc_error_clear(&err);
      tc_store *s2 = tc_store_open(p, TC_STORE_SRP, 0, &err);
      _exit(s2 == NULL && err.code == TC_ERR_STORAGE && strstr(err.message, "Permission denied")
                ? 0
                : 1);
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  }
  g_free(p);

  /* a FIFO or a symbolic link in the database's place: a message, no hang */
  p = tmp_path(t, "fifo.db");
  g_assert_cmpint(mkfifo(p, 0600), ==, 0);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_STORAGE, "not a regular file");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE, TC_ERR_STORAGE, "not a regular file");
  tc_store *fst = open_ok(NULL, TC_STORE_PSK, 0);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_import_gnutls(fst, p, NULL, &err), ==, TC_FAIL);
  g_assert_nonnull(strstr(err.message, "not a regular file"));
  tc_store_close(fst);
  g_free(p);
  p = tmp_path(t, "link.db");
  char *target = tmp_path(t, "rows.db");
  g_assert_cmpint(symlink(target, p), ==, 0);
  open_fails(p, TC_STORE_SRP, 0, TC_ERR_STORAGE, "symbolic link");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE, TC_ERR_STORAGE, "symbolic link");
  g_free(target);
  g_free(p);

  /* create + read-only together is a usage error */
  p = tmp_path(t, "x.db");
  open_fails(p, TC_STORE_SRP, TC_STORE_CREATE | TC_STORE_READONLY, TC_ERR_INVALID_ARGUMENT,
             "read-only");
  g_free(p);
}


/* ---- GnuTLS files ---- */

#define GFILES TEST_DATA_DIR "/gnutls-files/"

/* Run a shell command line; its exit status. */
static int run_sh(const char *cmd) {
  char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
  int status = -1;
  GError *error = NULL;
  char *out = NULL, *errout = NULL;
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status,
                             &error));
  g_assert_no_error(error);
  g_test_message("%s -> %s%s (status %d)", cmd, out, errout, status);
  g_free(out);
  g_free(errout);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* srptool --verify reads the password from stdin (not a terminal). */
static bool srptool_verifies(const char *tpasswd, const char *conf, const char *user,
                             const char *pw) {
  char *cmd = g_strdup_printf("printf '%%s\\n' '%s' | srptool -p '%s' -v '%s' -u '%s' --verify",
                              pw, tpasswd, conf, user);
  int rc = run_sh(cmd);
  g_free(cmd);
  return rc == 0;
}

static void test_sb64(void) {
  /* every length and many values: what we write, we (and GnuTLS) read back */
  GRand *r = g_rand_new_with_seed(5054);
  for (size_t len = 1; len < 70; len++) {
    for (int round = 0; round < 50; round++) {
      uint8_t in[80], back[80];
      char enc[120];
      for (size_t i = 0; i < len; i++)
        in[i] = (uint8_t)g_rand_int_range(r, 0, 256);
      if (round < 3) /* leading zeros */
        memset(in, 0, round + 1 < (int)len ? (size_t)round + 1 : len);
      if (tcs_sb64_encode(in, len, enc, sizeof enc) != 0) {
        /* only a 2-byte leading group starting with 0 cannot be written */
        g_assert_cmpuint(len % 3, ==, 2);
        g_assert_cmpint(in[0], ==, 0);
        continue;
      }
      size_t n;
      g_assert_cmpint(tcs_sb64_decode(enc, strlen(enc), back, sizeof back, &n), ==, TC_OK);
      g_assert_cmpmem(back, n, in, len);
    }
  }
  g_rand_free(r);
  /* GnuTLS's own strings: "2" is 0x02, "J" is 19 (the 8192-bit generator),
   * and a leading group drops its zero digits */
  uint8_t out[8];
  size_t n;
  g_assert_cmpint(tcs_sb64_decode("2", 1, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x02", 1);
  g_assert_cmpint(tcs_sb64_decode("J", 1, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x13", 1);
  g_assert_cmpint(tcs_sb64_decode("1000", 4, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x04\x00\x00", 3);
  g_assert_cmpint(tcs_sb64_decode("41000", 5, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x04\x04\x00\x00", 4);
  g_assert_cmpint(tcs_sb64_decode("//", 2, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x0f\xff", 2);
  g_assert_cmpint(tcs_sb64_decode("0/", 2, out, sizeof out, &n), ==, TC_OK);
  g_assert_cmpmem(out, n, "\x3f", 1);
  /* bad characters, empty, too long for the buffer */
  g_assert_cmpint(tcs_sb64_decode("", 0, out, sizeof out, &n), ==, TC_FAIL);
  g_assert_cmpint(tcs_sb64_decode("ab=c", 4, out, sizeof out, &n), ==, TC_FAIL);
  g_assert_cmpint(tcs_sb64_decode("ab+c", 4, out, sizeof out, &n), ==, TC_FAIL);
  g_assert_cmpint(tcs_sb64_decode("abc\n", 4, out, sizeof out, &n), ==, TC_FAIL);
  g_assert_cmpint(tcs_sb64_decode("AAAAAAAAAAAA", 12, out, 8, &n), ==, TC_FAIL);
}

/* The groups in srptool's tpasswd.conf are the RFC 5054 groups we know. */
static void test_gnutls_conf(void) {
  char *buf;
  size_t len;
  GError *error = NULL;
  g_assert_true(g_file_get_contents(GFILES "tpasswd.conf", &buf, &len, &error));
  g_assert_no_error(error);
  tcs_conf conf;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tcs_parse_tpasswd_conf(buf, len, &conf, &err), ==, TC_OK);
  /* Debian's srptool writes indexes 2, 3, 4, 5, 7 */
  const unsigned idx[] = {2, 3, 4, 5, 7}, bits[] = {1536, 2048, 3072, 4096, 8192};
  g_assert_cmpuint(conf.n, ==, 5);
  for (size_t i = 0; i < 5; i++) {
    g_assert_cmpuint(conf.groups[i].index, ==, idx[i]);
    g_assert_cmpuint(conf.groups[i].group_bits, ==, bits[i]);
    g_assert_cmpuint(tcs_srp_group_index(bits[i]), ==, idx[i]);
  }
  g_free(buf);
}

typedef struct {
  const char *user, *pw;
  unsigned bits;
} srp_user;

static const srp_user fixture_users[] = {
    {"alice", "alice-pw", 2048},
    {"bob", "bob pw!", 1536},
    {"carol.long.name@example.org", "c", 4096},
    {"dave", "d", 3072},
};

static void check_fixture_users(tc_store *st) {
  tc_error err;
  tc_error_clear(&err);
  size_t n;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, G_N_ELEMENTS(fixture_users));
  for (size_t i = 0; i < G_N_ELEMENTS(fixture_users); i++) {
    const srp_user *u = &fixture_users[i];
    tc_srp_verifier v;
    g_assert_cmpint(tc_store_srp_lookup(st, NM(u->user), &v, &err), ==, TC_OK);
    g_assert_cmpuint(v.group_bits, ==, u->bits);
    g_assert_cmpuint(v.salt_len, ==, 16);
    /* srptool's verifier is what our math computes for the same password */
    g_assert_cmpint(tc_store_srp_check(st, u->user, PW(u->pw), &err), ==, TC_OK);
    tc_srp_verifier mine;
    g_assert_cmpint(tc_srp_compute_verifier(NM(u->user), PW(u->pw), v.group_bits, v.salt,
                                            v.salt_len, &mine, &err),
                    ==, TC_OK);
    size_t z = mine.verifier_len - v.verifier_len; /* stored without leading zeros */
    g_assert_cmpmem(mine.verifier + z, v.verifier_len, v.verifier, v.verifier_len);
    g_assert_cmpint(tc_store_srp_check(st, u->user, PW("not it"), &err), ==, TC_STORE_MISMATCH);
  }
}

static void test_gnutls_srp(tmpdir *t, gconstpointer data) {
  (void)data;
  tc_error err;
  tc_error_clear(&err);
  /* srptool's files (tests/data/gnutls-files, made by Debian's srptool) */
  tc_store *st = open_ok(NULL, TC_STORE_SRP, 0);
  g_assert_cmpint(tc_store_import_gnutls(st, GFILES "tpasswd", GFILES "tpasswd.conf", &err), ==,
                  TC_OK);
  check_fixture_users(st);

  /* export: srptool itself verifies the passwords against our files */
  char *tp = tmp_path(t, "tpasswd"), *conf = tmp_path(t, "tpasswd.conf");
  g_assert_cmpint(tc_store_export_gnutls(st, tp, conf, &err), ==, TC_OK);
  struct stat sb;
  g_assert_cmpint(stat(tp, &sb), ==, 0);
  g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
  g_assert_cmpint(stat(conf, &sb), ==, 0);
  g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
  for (size_t i = 0; i < G_N_ELEMENTS(fixture_users); i++) {
    g_assert_true(srptool_verifies(tp, conf, fixture_users[i].user, fixture_users[i].pw));
    g_assert_false(srptool_verifies(tp, conf, fixture_users[i].user, "wrong"));
  }
  /* users added here, in every group srptool reads, verify too */
  static const unsigned sizes[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
    char name[32], pw[32];
    snprintf(name, sizeof name, "user%u", sizes[i]);
    snprintf(pw, sizeof pw, "pw-%u", sizes[i] * 3);
    g_assert_cmpint(tc_store_srp_add(st, name, PW(pw), sizes[i], &err), ==, TC_OK);
  }
  g_assert_cmpint(tc_store_export_gnutls(st, tp, conf, &err), ==, TC_OK);
  for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
    char name[32], pw[32];
    snprintf(name, sizeof name, "user%u", sizes[i]);
    snprintf(pw, sizeof pw, "pw-%u", sizes[i] * 3);
    /* Debian's srptool (3.7.9) overflows its line buffer on 6144- and
     * 8192-bit lines ("*** buffer overflow detected ***", also when it
     * writes such a user itself), so those two go by re-import below */
    if (sizes[i] <= 4096)
      g_assert_true(srptool_verifies(tp, conf, name, pw));
  }

  /* and the export reads back into SQLite unchanged */
  char *db = tmp_path(t, "imported.db");
  tc_store *st2 = open_ok(db, TC_STORE_SRP, TC_STORE_CREATE);
  g_assert_cmpint(tc_store_import_gnutls(st2, tp, conf, &err), ==, TC_OK);
  char *l1 = list_all(st), *l2 = list_all(st2);
  g_assert_cmpstr(l1, ==, l2);
  g_free(l1);
  g_free(l2);
  for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
    char name[32], pw[32];
    snprintf(name, sizeof name, "user%u", sizes[i]);
    snprintf(pw, sizeof pw, "pw-%u", sizes[i] * 3);
    g_assert_cmpint(tc_store_srp_check(st2, name, PW(pw), &err), ==, TC_OK);
  }
  tc_store_close(st2);
  tc_store_close(st);

  /* srptool run now, with a fresh conf: imports and checks */
  char *tp3 = tmp_path(t, "live-tpasswd"), *conf3 = tmp_path(t, "live.conf");
  char *cmd = g_strdup_printf("srptool --create-conf '%s' >/dev/null && printf 'live pw\\n' | "
                              "srptool -p '%s' -v '%s' -u live -i 3",
                              conf3, tp3, conf3);
  g_assert_cmpint(run_sh(cmd), ==, 0);
  g_free(cmd);
  st = open_ok(NULL, TC_STORE_SRP, 0);
  g_assert_cmpint(tc_store_import_gnutls(st, tp3, conf3, &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, "live", PW("live pw"), &err), ==, TC_OK);
  g_assert_cmpint(tc_store_srp_check(st, "live", PW("live pw "), &err), ==, TC_STORE_MISMATCH);
  tc_store_close(st);
  g_free(tp3);
  g_free(conf3);
  g_free(db);
  g_free(tp);
  g_free(conf);
}

/* identity -> key as psktool wrote them */
static GHashTable *read_psk_fixture(const char *path) {
  char *buf;
  GError *error = NULL;
  g_assert_true(g_file_get_contents(path, &buf, NULL, &error));
  g_assert_no_error(error);
  GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  char **lines = g_strsplit(buf, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (!**l)
      continue;
    char *colon = strchr(*l, ':');
    g_assert_nonnull(colon);
    char *id = g_strndup(*l, (gsize)(colon - *l));
    if (id[0] == '#') { /* psktool's hex form */
      GString *raw = g_string_new(NULL);
      for (const char *p = id + 1; p[0] && p[1]; p += 2) {
        char two[3] = {p[0], p[1], 0};
        g_string_append_c(raw, (char)strtol(two, NULL, 16));
      }
      g_free(id);
      id = g_string_free(raw, FALSE);
    }
    g_hash_table_insert(h, id, g_strdup(colon + 1));
  }
  g_strfreev(lines);
  g_free(buf);
  return h;
}

static void check_psk_keys(tc_store *st, GHashTable *want) {
  tc_error err;
  tc_error_clear(&err);
  size_t n;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, g_hash_table_size(want));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, want);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    uint8_t key[TC_STORE_MAX_PSK_KEY];
    size_t key_len = sizeof key;
    g_assert_cmpint(tc_store_psk_lookup(st, NM((const char *)k), key, &key_len, &err), ==, TC_OK);
    char *hex = g_malloc(key_len * 2 + 1);
    for (size_t i = 0; i < key_len; i++)
      snprintf(hex + 2 * i, 3, "%02x", key[i]);
    g_assert_cmpstr(hex, ==, (const char *)v);
    g_free(hex);
  }
}

static void test_gnutls_psk(tmpdir *t, gconstpointer data) {
  (void)data;
  tc_error err;
  tc_error_clear(&err);
  GHashTable *want = read_psk_fixture(GFILES "psk.txt");
  g_assert_cmpuint(g_hash_table_size(want), ==, 5);
  g_assert_true(g_hash_table_contains(want, "we:ird"));
  tc_store *st = open_ok(NULL, TC_STORE_PSK, 0);
  g_assert_cmpint(tc_store_import_gnutls(st, GFILES "psk.txt", NULL, &err), ==, TC_OK);
  check_psk_keys(st, want);
  /* export: psktool's form, 0600, and it reads back */
  char *out = tmp_path(t, "keys.psk");
  g_assert_cmpint(tc_store_export_gnutls(st, out, NULL, &err), ==, TC_OK);
  struct stat sb;
  g_assert_cmpint(stat(out, &sb), ==, 0);
  g_assert_cmpint(sb.st_mode & 0777, ==, 0600);
  char *text;
  g_assert_true(g_file_get_contents(out, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\n#77653a697264:")); /* "we:ird" as psktool writes it */
  g_assert_nonnull(strstr(text, "#737020616365:")); /* "sp ace": not a plain token */
  g_assert_nonnull(strstr(text, "\none:90\n"));
  g_free(text);
  GHashTable *again = read_psk_fixture(out);
  g_assert_cmpuint(g_hash_table_size(again), ==, 5);
  check_psk_keys(st, again);
  g_hash_table_unref(again);
  char *db = tmp_path(t, "keys.db");
  tc_store *st2 = open_ok(db, TC_STORE_PSK, TC_STORE_CREATE);
  g_assert_cmpint(tc_store_import_gnutls(st2, out, NULL, &err), ==, TC_OK);
  check_psk_keys(st2, want);
  tc_store_close(st2);
  tc_store_close(st);

  /* psktool run now */
  char *live = tmp_path(t, "live.psk");
  char *cmd = g_strdup_printf("psktool -u live1 -p '%s' && psktool -u 'li:ve2' -s 48 -p '%s'",
                              live, live);
  g_assert_cmpint(run_sh(cmd), ==, 0);
  g_free(cmd);
  GHashTable *lw = read_psk_fixture(live);
  st = open_ok(NULL, TC_STORE_PSK, 0);
  g_assert_cmpint(tc_store_import_gnutls(st, live, NULL, &err), ==, TC_OK);
  check_psk_keys(st, lw);
  tc_store_close(st);
  g_hash_table_unref(lw);
  g_hash_table_unref(want);
  g_free(live);
  g_free(db);
  g_free(out);
}

/* Bad files: a clear message naming the line, nothing imported, no secret
 * quoted. */
static void import_fails(tmpdir *t, tc_store_kind kind, const char *content, const char *conf,
                         const char *want) {
  char *p = tmp_path(t, "bad"), *c = tmp_path(t, "bad.conf");
  write_file(p, content, strlen(content));
  if (conf)
    write_file(c, conf, strlen(conf));
  tc_store *st = open_ok(NULL, kind, 0);
  tc_error err;
  tc_error_clear(&err);
  if (kind == TC_STORE_PSK) {
    const uint8_t k[4] = {1, 2, 3, 4};
    g_assert_cmpint(tc_store_psk_add(st, NM("keep"), k, 4, &err), ==, TC_OK);
  }
  g_assert_cmpint(tc_store_import_gnutls(st, p, conf ? c : NULL, &err), ==, TC_FAIL);
  g_test_message("%s", err.message);
  if (!strstr(err.message, want))
    g_error("import error \"%s\" lacks \"%s\"", err.message, want);
  g_assert_null(strstr(err.message, "deadbeef"));
  size_t n;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, kind == TC_STORE_PSK ? 1 : 0);
  tc_store_close(st);
  g_unlink(p);
  g_unlink(c);
  g_free(p);
  g_free(c);
}

static void test_gnutls_bad(tmpdir *t, gconstpointer data) {
  (void)data;
  char *conf;
  g_assert_true(g_file_get_contents(GFILES "tpasswd.conf", &conf, NULL, NULL));
  char *tp;
  g_assert_true(g_file_get_contents(GFILES "tpasswd", &tp, NULL, NULL));
  char *good_line = g_strndup(tp, (gsize)(strchr(tp, '\n') - tp)); /* alice, index 3 */
  char *v = strchr(good_line, ':') + 1;
  char *more;

  import_fails(t, TC_STORE_PSK, "alice:deadbeef\nbob\n", NULL, "line 2");
  import_fails(t, TC_STORE_PSK, "alice:deadbeef\nbob:xyz\n", NULL, "line 2: the key");
  import_fails(t, TC_STORE_PSK, "alice:deadbeefa\n", NULL, "line 1: the key");
  import_fails(t, TC_STORE_PSK, "alice:\n", NULL, "line 1: the key");
  import_fails(t, TC_STORE_PSK, ":deadbeef\n", NULL, "identity is empty");
  import_fails(t, TC_STORE_PSK, "#zz:deadbeef\n", NULL, "not valid hexadecimal");
  import_fails(t, TC_STORE_PSK, "a\0b:deadbeef\n", NULL, "");
  more = g_strnfill(1026, 'a');
  char *line = g_strdup_printf("big:%s\n", more);
  import_fails(t, TC_STORE_PSK, line, NULL, "1 to 512 bytes");
  g_free(line);
  g_free(more);

  import_fails(t, TC_STORE_SRP, good_line, "3:xyz\n", "form index:N:g");
  import_fails(t, TC_STORE_SRP, good_line, "x:1:2\n", "group index");
  import_fails(t, TC_STORE_SRP, good_line, "03:1:2\n", "group index");
  import_fails(t, TC_STORE_SRP, good_line, "3:1=:2\n", "not valid SRP base64");
  import_fails(t, TC_STORE_SRP, good_line, "2:1:2\n", "does not have");
  /* a group that is not RFC 5054's (the right N with g = 3) */
  more = g_strdup(conf);
  char *l3 = strstr(more, "\n3:");
  g_assert_nonnull(l3);
  char *end3 = strchr(l3 + 1, '\n');
  end3[-1] = '3';
  import_fails(t, TC_STORE_SRP, good_line, more, "not one of the RFC 5054 groups");
  g_free(more);
  more = g_strdup_printf("%s\nbob:abc:def\n", good_line);
  import_fails(t, TC_STORE_SRP, more, conf, "line 2 is not of the form");
  g_free(more);
  more = g_strdup_printf("%s\nbob:abc:def:3:4\n", good_line);
  import_fails(t, TC_STORE_SRP, more, conf, "line 2 is not of the form");
  g_free(more);
  more = g_strdup_printf("%s\n%s0", good_line, good_line);
  import_fails(t, TC_STORE_SRP, more, conf, "line 2 uses group 30");
  g_free(more);
  more = g_strdup(good_line);
  *strchr(more, ':') = '\0';
  line = g_strdup_printf("%s:%s", more, v);
  line[strlen(more) + 3] = '=';
  import_fails(t, TC_STORE_SRP, line, conf, "not valid SRP base64");
  g_free(line);
  g_free(more);
  line = g_strdup_printf(":%s", v);
  import_fails(t, TC_STORE_SRP, line, conf, "user name is empty");
  g_free(line);
  /* a verifier that is not below N */
  more = g_strnfill(344, '/');
  line = g_strdup_printf("%s\nbig:%s:abcd:3\n", good_line, more);
  import_fails(t, TC_STORE_SRP, line, conf, "line 2");
  g_free(line);
  g_free(more);
  /* the conf is required, and files must exist */
  import_fails(t, TC_STORE_SRP, good_line, NULL, "needs its tpasswd.conf");
  tc_store *st = open_ok(NULL, TC_STORE_SRP, 0);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_import_gnutls(st, "/nonexistent/tpasswd", GFILES "tpasswd.conf", &err),
                  ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_STORAGE);
  tc_store_close(st);

  /* duplicates: the first line wins, as in gnutls-serv */
  char *p = tmp_path(t, "dup.psk");
  write_file(p, "a:01\nb:02\na:03\n", 15);
  st = open_ok(NULL, TC_STORE_PSK, 0);
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_import_gnutls(st, p, NULL, &err), ==, TC_OK);
  uint8_t key[8];
  size_t key_len = sizeof key;
  g_assert_cmpint(tc_store_psk_lookup(st, NM("a"), key, &key_len, &err), ==, TC_OK);
  g_assert_cmpmem(key, key_len, "\x01", 1);
  /* CRLF lines, blank lines and a trailing space are read as GnuTLS does */
  write_file(p, "\r\nc:0a0b\r\n\n  \nd:0c \n", 20);
  g_assert_cmpint(tc_store_import_gnutls(st, p, NULL, &err), ==, TC_OK);
  key_len = sizeof key;
  g_assert_cmpint(tc_store_psk_lookup(st, NM("d"), key, &key_len, &err), ==, TC_OK);
  g_assert_cmpmem(key, key_len, "\x0c", 1);
  tc_store_close(st);
  g_free(p);
  g_free(good_line);
  g_free(tp);
  g_free(conf);
}

/* ---- concurrency and crashes ---- */

/* One precomputed 1024-bit record, so that tests which write thousands of
 * users pay for one modexp, not thousands: the store's cost is the
 * transaction, not the math. The salt carries a tag saying who wrote it. */
static tc_srp_verifier base_rec;

static void base_rec_init(void) {
  if (base_rec.group_bits)
    return;
  tc_error err;
  tc_error_clear(&err);
  const uint8_t salt[4] = {0};
  g_assert_cmpint(tc_srp_compute_verifier(NM("someone"), PW("pw"), 1024, salt, 4, &base_rec, &err),
                  ==, TC_OK);
}

static tc_srp_verifier tagged(uint32_t tag) {
  tc_srp_verifier v = base_rec;
  v.salt[0] = (uint8_t)(tag >> 24);
  v.salt[1] = (uint8_t)(tag >> 16);
  v.salt[2] = (uint8_t)(tag >> 8);
  v.salt[3] = (uint8_t)tag;
  v.salt_len = 4;
  return v;
}

static uint32_t tag_of(const tc_srp_verifier *v) {
  return (uint32_t)v->salt[0] << 24 | (uint32_t)v->salt[1] << 16 | (uint32_t)v->salt[2] << 8 |
         v->salt[3];
}

/* Two processes add 1000 users each into one file at the same time. */
static void test_concurrent_writers(tmpdir *t, gconstpointer data) {
  (void)data;
  base_rec_init();
  char *path = tmp_path(t, "users.db");
  tc_store_close(open_ok(path, TC_STORE_SRP, TC_STORE_CREATE));
  int gate[2];
  g_assert_cmpint(pipe(gate), ==, 0);
  pid_t kids[2];
  gint64 t0 = g_get_monotonic_time();
  for (int c = 0; c < 2; c++) {
    kids[c] = fork();
    g_assert_cmpint(kids[c], >=, 0);
    if (kids[c] == 0) {
      close(gate[1]);
      tc_error err;
      tc_error_clear(&err);
      tc_store *st = tc_store_open(path, TC_STORE_SRP, 0, &err);
      char b;
      if (read(gate[0], &b, 1) < 0) /* EOF when the parent opens the gate */
        _exit(3);
      if (!st)
        _exit(2);
      for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "w%d-%04d", c, i);
        tc_srp_verifier v = tagged((uint32_t)(c << 16 | i));
        if (tc_store_srp_put(st, NM(name), &v, false, &err) != TC_OK) {
          fprintf(stderr, "writer %d: %s\n", c, err.message);
          _exit(1);
        }
      }
      tc_store_close(st);
      _exit(0);
    }
  }
  close(gate[0]);
  close(gate[1]); /* both start now */
  for (int c = 0; c < 2; c++) {
    int status;
    g_assert_cmpint(waitpid(kids[c], &status, 0), ==, kids[c]);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  }
  g_test_message("2 x 1000 concurrent adds (one transaction each, synchronous=FULL): %.2f s",
                 (double)(g_get_monotonic_time() - t0) / 1e6);
  tc_store *st = open_ok(path, TC_STORE_SRP, TC_STORE_READONLY);
  tc_error err;
  tc_error_clear(&err);
  size_t n;
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, 2000);
  for (int c = 0; c < 2; c++) {
    for (int i = 0; i < 1000; i++) {
      char name[32];
      snprintf(name, sizeof name, "w%d-%04d", c, i);
      tc_srp_verifier v;
      g_assert_cmpint(tc_store_srp_lookup(st, NM(name), &v, &err), ==, TC_OK);
      g_assert_cmpuint(tag_of(&v), ==, (uint32_t)(c << 16 | i));
    }
  }
  tc_store_close(st);
  g_free(path);
}

/* The busy timeout: a change waits for another writer, and gives up with
 * a message after the time-out. */
typedef struct {
  sqlite3 *db;
  gint64 hold_us;
} holder;

static gpointer release_later(gpointer data) {
  holder *h = data;
  g_usleep((gulong)h->hold_us);
  g_assert_cmpint(sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  return NULL;
}

static void test_busy_timeout(tmpdir *t, gconstpointer data) {
  (void)data;
  base_rec_init();
  char *path = tmp_path(t, "users.db");
  tc_store *st = open_ok(path, TC_STORE_SRP, TC_STORE_CREATE);
  sqlite3 *other;
  g_assert_cmpint(sqlite3_open(path, &other), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  tc_error err;
  tc_error_clear(&err);
  tc_srp_verifier v = tagged(1);
  /* held longer than our time-out: a clear failure, after about the time-out */
  tc_store_set_busy_timeout(st, 300);
  gint64 t0 = g_get_monotonic_time();
  g_assert_cmpint(tc_store_srp_put(st, NM("a"), &v, false, &err), ==, TC_FAIL);
  gint64 waited = g_get_monotonic_time() - t0;
  g_test_message("%s (after %.0f ms)", err.message, (double)waited / 1000);
  g_assert_cmpint(err.code, ==, TC_ERR_STORAGE);
  g_assert_nonnull(strstr(err.message, "busy"));
  g_assert_cmpint(waited, >=, 250000);
  /* look-ups are not blocked by a writer (WAL) */
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_srp_lookup(st, NM("a"), &v, &err), ==, TC_STORE_NOT_FOUND);
  /* released within the time-out: the change waits and succeeds */
  tc_store_set_busy_timeout(st, 10000);
  holder h = {other, 300000};
  GThread *th = g_thread_new("holder", release_later, &h);
  t0 = g_get_monotonic_time();
  g_assert_cmpint(tc_store_srp_put(st, NM("a"), &v, false, &err), ==, TC_OK);
  waited = g_get_monotonic_time() - t0;
  g_thread_join(th);
  g_test_message("waited %.0f ms for the other writer", (double)waited / 1000);
  g_assert_cmpint(waited, >=, 200000);
  sqlite3_close(other);
  tc_store_close(st);
  g_free(path);
}

/* A writer killed with SIGKILL at random points. The child runs a fixed
 * sequence of changes (add, replace, delete, and a 300-user import) and
 * reports each one after it returned TC_OK; the database must then hold
 * exactly the reported changes, or those plus the one in flight (which may
 * have committed before the report). */
#define IMPORT_USERS 300

static void model_apply(GHashTable *m, unsigned op) {
  char name[32];
  if (op % 25 == 24) { /* import: all or nothing */
    for (unsigned j = 0; j < IMPORT_USERS; j++) {
      snprintf(name, sizeof name, "imp%03u", j);
      g_hash_table_insert(m, g_strdup(name), GUINT_TO_POINTER(0xffffffffu));
    }
  } else if (op % 10 == 9 && op >= 5) { /* delete an earlier user */
    snprintf(name, sizeof name, "u%05u", op - 5);
    g_hash_table_remove(m, name);
  } else if (op % 7 == 3 && op >= 1) { /* replace an earlier user's record */
    snprintf(name, sizeof name, "u%05u", op - 1);
    g_hash_table_insert(m, g_strdup(name), GUINT_TO_POINTER(op));
  } else {
    snprintf(name, sizeof name, "u%05u", op);
    g_hash_table_insert(m, g_strdup(name), GUINT_TO_POINTER(op));
  }
}

static int child_apply(tc_store *st, unsigned op, const char *import_path,
                       const char *import_conf, tc_error *err) {
  char name[32];
  if (op % 25 == 24)
    return tc_store_import_gnutls(st, import_path, import_conf, err);
  if (op % 10 == 9 && op >= 5) {
    snprintf(name, sizeof name, "u%05u", op - 5);
    int rc = tc_store_delete(st, NM(name), err);
    return rc == TC_STORE_NOT_FOUND ? TC_OK : rc; /* already deleted or replaced away */
  }
  tc_srp_verifier v = tagged(op);
  if (op % 7 == 3 && op >= 1) {
    snprintf(name, sizeof name, "u%05u", op - 1);
    return tc_store_srp_put(st, NM(name), &v, true, err);
  }
  snprintf(name, sizeof name, "u%05u", op);
  return tc_store_srp_put(st, NM(name), &v, true, err);
}

typedef struct {
  GHashTable *want;
  bool same;
  size_t n;
} cmp_ctx;

static bool state_cmp_one(void *ctx, const uint8_t *name, size_t len, unsigned bits) {
  (void)bits;
  cmp_ctx *c = ctx;
  char *key = g_strndup((const char *)name, len);
  if (!g_hash_table_contains(c->want, key))
    c->same = false;
  c->n++;
  g_free(key);
  return true;
}

/* Does the store hold exactly the model (names and each record's tag)? */
static bool state_equals(tc_store *st, GHashTable *m) {
  cmp_ctx c = {m, true, 0};
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_list(st, state_cmp_one, &c, &err), ==, TC_OK);
  if (!c.same || c.n != g_hash_table_size(m))
    return false;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, m);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    tc_srp_verifier rec;
    g_assert_cmpint(tc_store_srp_lookup(st, NM((const char *)k), &rec, &err), ==, TC_OK);
    if (tag_of(&rec) != GPOINTER_TO_UINT(v))
      return false;
    /* and the record is whole */
    tc_srp_verifier want = tagged(tag_of(&rec));
    g_assert_cmpmem(rec.verifier, rec.verifier_len, want.verifier, want.verifier_len);
  }
  return true;
}

static void test_sigkill_writer(tmpdir *t, gconstpointer data) {
  (void)data;
  base_rec_init();
  char *path = tmp_path(t, "users.db");
  /* the import file: 300 users, written through our own export */
  char *imp = tmp_path(t, "imp.tpasswd"), *impconf = tmp_path(t, "imp.conf");
  {
    tc_store *m = open_ok(NULL, TC_STORE_SRP, 0);
    tc_error err;
    tc_error_clear(&err);
    for (unsigned j = 0; j < IMPORT_USERS; j++) {
      char name[32];
      snprintf(name, sizeof name, "imp%03u", j);
      tc_srp_verifier v = tagged(0xffffffffu);
      g_assert_cmpint(tc_store_srp_put(m, NM(name), &v, false, &err), ==, TC_OK);
    }
    g_assert_cmpint(tc_store_export_gnutls(m, imp, impconf, &err), ==, TC_OK);
    tc_store_close(m);
  }
  GHashTable *model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GRand *rnd = g_rand_new_with_seed((guint32)g_test_rand_int());
  unsigned next = 0; /* first op the next writer runs */
  int kills_in_flight = 0, rounds = 24;
  for (int round = 0; round < rounds; round++) {
    int rep[2];
    g_assert_cmpint(pipe(rep), ==, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
      close(rep[0]);
      tc_error err;
      tc_error_clear(&err);
      tc_store *st = tc_store_open(path, TC_STORE_SRP, TC_STORE_CREATE, &err);
      if (!st)
        _exit(2);
      for (unsigned op = next;; op++) {
        if (child_apply(st, op, imp, impconf, &err) != TC_OK) {
          fprintf(stderr, "op %u: %s\n", op, err.message);
          _exit(1);
        }
        if (write(rep[1], &op, sizeof op) != sizeof op)
          _exit(3);
      }
    }
    close(rep[1]);
    /* kill anywhere from during open to after dozens of changes */
    g_usleep((gulong)g_rand_int_range(rnd, 0, 150000));
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
    unsigned op, reported = 0;
    while (read(rep[0], &op, sizeof op) == sizeof op) {
      g_assert_cmpuint(op, ==, next + reported);
      model_apply(model, op);
      reported++;
    }
    close(rep[0]);
    next += reported;
    /* it opens, and holds exactly the committed changes */
    tc_store *st = open_ok(path, TC_STORE_SRP, TC_STORE_CREATE);
    if (!state_equals(st, model)) {
      /* the change in flight committed before its report */
      model_apply(model, next);
      next++;
      kills_in_flight++;
      g_assert_true(state_equals(st, model));
    }
    size_t n;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
    g_test_message("round %d: %u changes committed so far, %zu users", round, next, n);
    tc_store_close(st);
  }
  g_test_message("%d rounds, %u changes, %d kills after a commit and before its report", rounds,
                 next, kills_in_flight);
  g_assert_cmpuint(next, >, 25); /* some rounds got as far as an import */
  g_rand_free(rnd);
  g_hash_table_unref(model);
  g_free(imp);
  g_free(impconf);
  g_free(path);
}

/* One store shared by threads: calls are serialised, nothing is lost. */
typedef struct {
  tc_store *st;
  int id;
  int failures;
} thr_arg;

static gpointer thr_worker(gpointer data) {
  thr_arg *a = data;
  tc_error err;
  for (int i = 0; i < 150; i++) {
    char name[32];
    snprintf(name, sizeof name, "t%d-%03d", a->id, i);
    tc_srp_verifier v = tagged((uint32_t)(a->id << 16 | i)), back;
    tc_error_clear(&err);
    if (tc_store_srp_put(a->st, NM(name), &v, false, &err) != TC_OK ||
        tc_store_srp_lookup(a->st, NM(name), &back, &err) != TC_OK ||
        tag_of(&back) != (uint32_t)(a->id << 16 | i))
      a->failures++;
    if (i % 10 == 0) {
      size_t n;
      if (tc_store_count(a->st, &n, &err) != TC_OK)
        a->failures++;
    }
  }
  return NULL;
}

static void threads_on(tc_store *st) {
  thr_arg args[4];
  GThread *th[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (thr_arg){st, i, 0};
    th[i] = g_thread_new("w", thr_worker, &args[i]);
  }
  for (int i = 0; i < 4; i++) {
    g_thread_join(th[i]);
    g_assert_cmpint(args[i].failures, ==, 0);
  }
  size_t n;
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
  g_assert_cmpuint(n, ==, 600);
}

static void test_threads(tmpdir *t, gconstpointer data) {
  (void)data;
  base_rec_init();
  tc_store *st = open_ok(NULL, TC_STORE_SRP, 0);
  threads_on(st);
  tc_store_close(st);
  char *path = tmp_path(t, "users.db");
  st = open_ok(path, TC_STORE_SRP, TC_STORE_CREATE);
  threads_on(st);
  tc_store_close(st);
  g_free(path);
}

/* Several processes create the same new database at once: one creates
 * it, the others find it, all of them can write. */
static void test_concurrent_create(tmpdir *t, gconstpointer data) {
  (void)data;
  base_rec_init();
  for (int round = 0; round < 5; round++) {
    char name[32];
    snprintf(name, sizeof name, "new%d.db", round);
    char *path = tmp_path(t, name);
    int gate[2];
    g_assert_cmpint(pipe(gate), ==, 0);
    pid_t kids[4];
    for (int c = 0; c < 4; c++) {
      kids[c] = fork();
      g_assert_cmpint(kids[c], >=, 0);
      if (kids[c] == 0) {
        close(gate[1]);
        char b;
        if (read(gate[0], &b, 1) < 0)
          _exit(3);
        tc_error err;
        tc_error_clear(&err);
        tc_store *st = tc_store_open(path, TC_STORE_PSK, TC_STORE_CREATE, &err);
        if (!st) {
          fprintf(stderr, "open: %s\n", err.message);
          _exit(2);
        }
        char id[8];
        snprintf(id, sizeof id, "c%d", c);
        const uint8_t key[16] = {(uint8_t)c};
        int rc = tc_store_psk_add(st, NM(id), key, sizeof key, &err);
        if (rc != TC_OK)
          fprintf(stderr, "add: %s\n", err.message);
        tc_store_close(st);
        _exit(rc == TC_OK ? 0 : 1);
      }
    }
    close(gate[0]);
    close(gate[1]);
    for (int c = 0; c < 4; c++) {
      int status;
      g_assert_cmpint(waitpid(kids[c], &status, 0), ==, kids[c]);
      g_assert_true(WIFEXITED(status));
      g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    tc_store *st = open_ok(path, TC_STORE_PSK, 0);
    size_t n;
    tc_error err;
    tc_error_clear(&err);
    g_assert_cmpint(tc_store_count(st, &n, &err), ==, TC_OK);
    g_assert_cmpuint(n, ==, 4);
    tc_store_close(st);
    struct stat sb;
    g_assert_cmpint(stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 07777, ==, 0600);
    g_free(path);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/store/memory/srp", test_memory_srp);
  g_test_add_func("/store/memory/psk", test_memory_psk);
#define ADD(path, fn) g_test_add(path, tmpdir, NULL, tmp_setup, fn, tmp_teardown)
  ADD("/store/sqlite/srp", test_sqlite_srp);
  ADD("/store/sqlite/psk", test_sqlite_psk);
  ADD("/store/sqlite/file-properties", test_sqlite_file_properties);
  ADD("/store/sqlite/bad-files", test_bad_files);
  g_test_add_func("/store/gnutls/sb64", test_sb64);
  g_test_add_func("/store/gnutls/conf-groups", test_gnutls_conf);
  ADD("/store/gnutls/srp", test_gnutls_srp);
  ADD("/store/gnutls/psk", test_gnutls_psk);
  ADD("/store/gnutls/bad", test_gnutls_bad);
  ADD("/store/sqlite/concurrent-writers", test_concurrent_writers);
  ADD("/store/sqlite/busy-timeout", test_busy_timeout);
  ADD("/store/sqlite/sigkill-writer", test_sigkill_writer);
  ADD("/store/threads", test_threads);
  ADD("/store/sqlite/concurrent-create", test_concurrent_create);
  return g_test_run();
}
