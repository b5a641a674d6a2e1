/* SQLite store backend: WAL, busy timeout, one transaction per change, schema version table, 0600 files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto/crypto.h"
#include "store/store_internal.h"

/* The schema this code writes. Older versions are migrated on open (none
 * exist yet); newer ones are refused, since we cannot know what they mean. */
#define SCHEMA_VERSION 1
/* PRAGMA application_id ("TLSt"): marks the file as ours in its header. */
#define APPLICATION_ID 0x544c5374
#define DEFAULT_BUSY_MS 10000

enum { S_GET, S_INSERT, S_UPSERT, S_UPDATE, S_DELETE, S_EACH, S_EACH_SECRETS, S_COUNT, S_MAX };

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *stmt[S_MAX];
  char shown[96]; /* the path as error messages show it (shortened) */
  unsigned busy_ms; /* the busy time-out */
} sql_db;

static const char *const srp_sql[S_MAX] = {
    [S_GET] = "SELECT group_bits, salt, verifier FROM srp_users WHERE name = ?1",
    [S_INSERT] = "INSERT INTO srp_users (name, group_bits, salt, verifier) VALUES (?1, ?2, ?3, ?4)",
    [S_UPSERT] = "INSERT OR REPLACE INTO srp_users (name, group_bits, salt, verifier) "
                 "VALUES (?1, ?2, ?3, ?4)",
    [S_UPDATE] = "UPDATE srp_users SET group_bits = ?2, salt = ?3, verifier = ?4 WHERE name = ?1",
    [S_DELETE] = "DELETE FROM srp_users WHERE name = ?1",
    [S_EACH] = "SELECT name, group_bits FROM srp_users ORDER BY name",
    [S_EACH_SECRETS] = "SELECT name, group_bits, salt, verifier FROM srp_users ORDER BY name",
    [S_COUNT] = "SELECT count(*) FROM srp_users",
};

static const char *const psk_sql[S_MAX] = {
    [S_GET] = "SELECT key FROM psk_keys WHERE identity = ?1",
    [S_INSERT] = "INSERT INTO psk_keys (identity, key) VALUES (?1, ?2)",
    [S_UPSERT] = "INSERT OR REPLACE INTO psk_keys (identity, key) VALUES (?1, ?2)",
    [S_UPDATE] = "UPDATE psk_keys SET key = ?2 WHERE identity = ?1",
    [S_DELETE] = "DELETE FROM psk_keys WHERE identity = ?1",
    [S_EACH] = "SELECT identity FROM psk_keys ORDER BY identity",
    [S_EACH_SECRETS] = "SELECT identity, key FROM psk_keys ORDER BY identity",
    [S_COUNT] = "SELECT count(*) FROM psk_keys",
};

static const char srp_schema[] =
    "CREATE TABLE IF NOT EXISTS srp_users ("
    " name BLOB PRIMARY KEY NOT NULL,"
    " group_bits INTEGER NOT NULL,"
    " salt BLOB NOT NULL,"
    " verifier BLOB NOT NULL) WITHOUT ROWID";
static const char psk_schema[] =
    "CREATE TABLE IF NOT EXISTS psk_keys ("
    " identity BLOB PRIMARY KEY NOT NULL,"
    " key BLOB NOT NULL) WITHOUT ROWID";

/* One error message per SQLite failure, naming the file. */
static int sql_fail(sql_db *d, int rc, const char *doing, tc_error *err) {
  switch (rc & 0xff) {
  case SQLITE_NOTADB:
    return tc_error_set(err, TC_ERR_BAD_INPUT, "%s is not a TLS Lite database (not an SQLite file).",
                        d->shown);
  case SQLITE_CORRUPT:
    return tc_error_set(err, TC_ERR_BAD_INPUT,
                        "%s is damaged (truncated or corrupted) and cannot be used.", d->shown);
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return tc_error_set(err, TC_ERR_STORAGE,
                        "%s is busy: another process kept it locked longer than the time-out "
                        "while %s.",
                        d->shown, doing);
  case SQLITE_FULL:
    return tc_error_set(err, TC_ERR_STORAGE, "The disk holding %s is full.", d->shown);
  case SQLITE_NOMEM:
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory while %s.", doing);
  case SQLITE_READONLY:
    return tc_error_set(err, TC_ERR_STORAGE, "%s cannot be written (it is read-only).", d->shown);
  case SQLITE_CONSTRAINT:
    return tc_error_set(err, TC_ERR_EXISTS, "That name is already in the database.");
  case SQLITE_PERM:
  case SQLITE_AUTH:
  case SQLITE_CANTOPEN:
    return tc_error_set(err, TC_ERR_STORAGE, "%s cannot be opened (permission denied or missing).",
                        d->shown);
  default:
    return tc_error_set(err, TC_ERR_STORAGE, "Database error in %s while %s: %s.", d->shown, doing,
                        sqlite3_errstr(rc));
  }
}

static int exec(sql_db *d, const char *sql, const char *doing, tc_error *err) {
  int rc = sqlite3_exec(d->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? TC_OK : sql_fail(d, rc, doing, err);
}

static void finalize_all(sql_db *d) {
  for (int i = 0; i < S_MAX; i++) {
    sqlite3_finalize(d->stmt[i]);
    d->stmt[i] = NULL;
  }
}

static void sql_close(tc_store *st) {
  sql_db *d = st->impl;
  finalize_all(d);
  sqlite3_close_v2(d->db);
  free(d);
}

/* ---- open ---- */

/* What kind of file is there, before SQLite sees it: a missing, unreadable
 * or non-regular file, or one that is not SQLite at all, gets its own
 * message. *empty: size 0 (new, or WAL-only content). */
static int probe_file(sql_db *d, const char *path, unsigned flags, bool *empty, tc_error *err) {
  int fd = -1;
  if (flags & TC_STORE_CREATE) {
    /* 0600 from the start: verifiers and keys are secrets; SQLite gives the
     * -wal and -shm files the same mode. */
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno != EEXIST)
      return tc_error_set(err, TC_ERR_STORAGE, "Cannot create %s: %s.", d->shown,
                          strerror(errno));
  }
  /* O_NONBLOCK: a FIFO in its place must not hang us; O_NOFOLLOW: SQLite
   * is told not to follow links either (SQLITE_OPEN_NOFOLLOW). */
  if (fd < 0)
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT)
      return tc_error_set(err, TC_ERR_STORAGE, "%s does not exist.", d->shown);
    if (errno == ELOOP)
      return tc_error_set(err, TC_ERR_STORAGE,
                          "%s is a symbolic link; give the path of the database itself.",
                          d->shown);
    return tc_error_set(err, TC_ERR_STORAGE, "Cannot open %s: %s.", d->shown, strerror(errno));
  }
  struct stat sb;
  int rc = TC_OK;
  if (fstat(fd, &sb) != 0) {
    rc = tc_error_set(err, TC_ERR_STORAGE, "Cannot examine %s: %s.", d->shown, strerror(errno));
  } else if (!S_ISREG(sb.st_mode)) {
    rc = tc_error_set(err, TC_ERR_STORAGE, "%s is not a regular file.", d->shown);
  } else {
    *empty = sb.st_size == 0;
    uint8_t head[16];
    ssize_t n = sb.st_size > 0 ? pread(fd, head, sizeof head, 0) : 0;
    if (n < 0)
      rc = tc_error_set(err, TC_ERR_STORAGE, "Cannot read %s: %s.", d->shown, strerror(errno));
    else if (sb.st_size > 0 && ((size_t)n < sizeof head || memcmp(head, "SQLite format 3", 16) != 0))
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "%s is not a TLS Lite database (not an SQLite file).",
                        d->shown);
  }
  close(fd);
  return rc;
}

static int prepare_all(sql_db *d, tc_store_kind kind, tc_error *err) {
  const char *const *sql = kind == TC_STORE_SRP ? srp_sql : psk_sql;
  for (int i = 0; i < S_MAX; i++) {
    int rc = sqlite3_prepare_v3(d->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->stmt[i], NULL);
    if (rc != SQLITE_OK) {
      if ((rc & 0xff) == SQLITE_ERROR) /* no such table or column */
        return tc_error_set(err, TC_ERR_BAD_INPUT,
                            "%s does not have the tables this version of TLS Lite expects.",
                            d->shown);
      return sql_fail(d, rc, "reading the database", err);
    }
  }
  return TC_OK;
}

/* An integer from a one-row query; *found false when there is no row. */
static int query_int(sql_db *d, const char *sql, sqlite3_int64 *out, bool *found, tc_error *err) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, sql, -1, &s, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int64(s, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(s);
  return rc == SQLITE_OK ? TC_OK : sql_fail(d, rc, "reading the database", err);
}

/* Put the database in WAL mode (a no-op when it is). The switch needs the
 * file to itself, and SQLite does not wait for that with the busy handler
 * (another process opening the same new file at once gets SQLITE_BUSY at
 * once), so retry until the busy time-out. */
static int set_wal(sql_db *d, tc_error *err) {
  unsigned waited = 0;
  for (;;) {
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(d->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
    if (rc == SQLITE_OK)
      rc = sqlite3_step(s);
    bool wal = rc == SQLITE_ROW && sqlite3_column_text(s, 0) &&
               strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
    sqlite3_finalize(s);
    if (wal)
      return TC_OK;
    if (rc == SQLITE_ROW) /* e.g. a database on a file system without shared memory */
      return tc_error_set(err, TC_ERR_STORAGE, "%s cannot be put in WAL mode.", d->shown);
    if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || waited >= d->busy_ms)
      return sql_fail(d, rc, "switching the database to WAL mode", err);
    usleep(10000);
    waited += 10;
  }
}

static int create_schema(sql_db *d, tc_store_kind kind, tc_error *err) {
  /* The tables first, under the write lock (which waits for other
   * creators); WAL mode after, by set_wal() on the way out of open. */
  if (exec(d, "BEGIN IMMEDIATE", "creating the database", err) != TC_OK)
    return TC_FAIL;
  /* Another process may have created it meanwhile: look again under the
   * write lock. */
  sqlite3_int64 n = 0;
  bool found = false;
  int rc = query_int(d, "SELECT count(*) FROM sqlite_schema WHERE name = 'tc_schema'", &n, &found,
                     err);
  if (rc == TC_OK && n == 0) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "PRAGMA application_id=%d;"
             "CREATE TABLE tc_schema (version INTEGER NOT NULL, kind TEXT NOT NULL);"
             "INSERT INTO tc_schema (version, kind) VALUES (%d, '%s');"
             "%s;",
             APPLICATION_ID, SCHEMA_VERSION, kind == TC_STORE_SRP ? "srp" : "psk",
             kind == TC_STORE_SRP ? srp_schema : psk_schema);
    rc = exec(d, sql, "creating the database", err);
  }
  if (rc == TC_OK)
    rc = exec(d, "COMMIT", "creating the database", err);
  if (rc != TC_OK)
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

/* Schema migrations: from version v to v + 1, in one transaction each. */
static int migrate(sql_db *d, sqlite3_int64 from, tc_error *err) {
  (void)d;
  (void)err;
  switch (from) {
  /* case 1: ALTER TABLE ...; UPDATE tc_schema SET version = 2; */
  default:
    return TC_OK;
  }
}

static int check_schema(sql_db *d, tc_store *st, unsigned flags, tc_error *err) {
  sqlite3_int64 n = 0, tables = 0;
  bool found = false;
  if (query_int(d, "SELECT count(*) FROM sqlite_schema", &tables, &found, err) != TC_OK ||
      query_int(d, "SELECT count(*) FROM sqlite_schema WHERE name = 'tc_schema'", &n, &found,
                err) != TC_OK)
    return TC_FAIL;
  if (n == 0) {
    if (tables == 0 && (flags & TC_STORE_CREATE)) {
      if (create_schema(d, st->kind, err) != TC_OK)
        return TC_FAIL;
    } else if (tables == 0) {
      return tc_error_set(err, TC_ERR_BAD_INPUT, "%s is empty, not a TLS Lite database.",
                          d->shown);
    } else {
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "%s is an SQLite database but not a TLS Lite database.", d->shown);
    }
  }
  sqlite3_int64 appid = 0;
  if (query_int(d, "PRAGMA application_id", &appid, &found, err) != TC_OK)
    return TC_FAIL;
  if (appid != APPLICATION_ID)
    return tc_error_set(err, TC_ERR_BAD_INPUT,
                        "%s is an SQLite database but not a TLS Lite database.", d->shown);

  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->db, "SELECT version, kind FROM tc_schema", -1, &s, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(s);
    if ((rc & 0xff) == SQLITE_ERROR)
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "%s has a damaged schema version table.", d->shown);
    return sql_fail(d, rc, "reading the schema version", err);
  }
  rc = sqlite3_step(s);
  sqlite3_int64 version = 0;
  char kind[8] = "";
  if (rc == SQLITE_ROW) {
    version = sqlite3_column_int64(s, 0);
    const unsigned char *k = sqlite3_column_text(s, 1);
    if (k)
      snprintf(kind, sizeof kind, "%s", (const char *)k);
    rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_ROW : SQLITE_MISMATCH;
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_ROW) {
    if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_IOERR)
      return sql_fail(d, rc, "reading the schema version", err);
    return tc_error_set(err, TC_ERR_BAD_INPUT, "%s has a damaged schema version table.", d->shown);
  }
  if (version > SCHEMA_VERSION)
    return tc_error_set(err, TC_ERR_UNSUPPORTED,
                        "%s was written by a newer version of TLS Lite (schema %lld; this "
                        "version reads schema %d).",
                        d->shown, (long long)version, SCHEMA_VERSION);
  if (version < 1)
    return tc_error_set(err, TC_ERR_BAD_INPUT, "%s has an invalid schema version (%lld).",
                        d->shown, (long long)version);
  const char *want = st->kind == TC_STORE_SRP ? "srp" : "psk";
  if (strcmp(kind, want) != 0) {
    if (strcmp(kind, "srp") == 0 || strcmp(kind, "psk") == 0)
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "%s holds %s, not %s.", d->shown,
                          strcmp(kind, "srp") == 0 ? "SRP verifiers" : "shared keys",
                          st->kind == TC_STORE_SRP ? "SRP verifiers" : "shared keys");
    return tc_error_set(err, TC_ERR_BAD_INPUT, "%s has a damaged schema version table.", d->shown);
  }
  for (sqlite3_int64 v = version; v < SCHEMA_VERSION; v++) {
    if (st->readonly)
      return tc_error_set(err, TC_ERR_UNSUPPORTED,
                          "%s uses an older schema and must be opened for writing once to "
                          "upgrade it.",
                          d->shown);
    if (migrate(d, v, err) != TC_OK)
      return TC_FAIL;
  }
  return TC_OK;
}

static void sql_set_busy_timeout(tc_store *st, unsigned ms) {
  sql_db *d = st->impl;
  d->busy_ms = ms > 0x7fffffff ? 0x7fffffff : ms;
  sqlite3_busy_timeout(d->db, (int)d->busy_ms);
}

static const tcs_backend sqlite_backend;

int tcs_sqlite_open(tc_store *st, const char *path, unsigned flags, tc_error *err) {
  sql_db *d = calloc(1, sizeof *d);
  if (!d)
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory opening the database.");
  size_t plen = strlen(path);
  if (plen < sizeof d->shown)
    snprintf(d->shown, sizeof d->shown, "%s", path);
  else /* keep the end: the file name says most */
    snprintf(d->shown, sizeof d->shown, "...%s", path + plen - (sizeof d->shown - 4));
  bool empty = false;
  if (probe_file(d, path, flags, &empty, err) != TC_OK) {
    free(d);
    return TC_FAIL;
  }
  int oflags = (st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
               SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOFOLLOW;
  int rc = sqlite3_open_v2(path, &d->db, oflags, NULL);
  if (rc != SQLITE_OK) {
    sql_fail(d, rc, "opening the database", err);
    sqlite3_close_v2(d->db);
    free(d);
    return TC_FAIL;
  }
  /* A database file is input: it gets no power beyond our own queries
   * (no triggers, views or side-effecting functions from its schema). */
  sqlite3_db_config(d->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config(d->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config(d->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
  sqlite3_db_config(d->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
  d->busy_ms = DEFAULT_BUSY_MS;
  sqlite3_busy_timeout(d->db, DEFAULT_BUSY_MS);
  st->be = &sqlite_backend;
  st->impl = d;
  /* secure_delete: deleted keys and verifiers are overwritten in the file;
   * synchronous=FULL: a change that returned TC_OK survives a power cut. */
  if (exec(d, "PRAGMA secure_delete=ON; PRAGMA synchronous=FULL", "opening the database", err) !=
          TC_OK ||
      check_schema(d, st, flags, err) != TC_OK)
    goto fail;
  /* new, or made by another tool: WAL from now on */
  if (!st->readonly && set_wal(d, err) != TC_OK)
    goto fail;
  if (prepare_all(d, st->kind, err) != TC_OK)
    goto fail;
  return TC_OK;
fail:
  finalize_all(d);
  sqlite3_close_v2(d->db);
  free(d);
  st->impl = NULL;
  st->be = NULL;
  return TC_FAIL;
}

/* ---- operations ---- */

static void bind_entry(sqlite3_stmt *s, const tcs_entry *e) {
  sqlite3_bind_blob(s, 1, e->name, (int)e->name_len, SQLITE_STATIC);
  if (e->srp) {
    sqlite3_bind_int(s, 2, (int)e->srp->group_bits);
    sqlite3_bind_blob(s, 3, e->srp->salt, (int)e->srp->salt_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, e->srp->verifier, (int)e->srp->verifier_len, SQLITE_STATIC);
  } else {
    sqlite3_bind_blob(s, 2, e->key, (int)e->key_len, SQLITE_STATIC);
  }
}

static void done(sqlite3_stmt *s) {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

static int sql_put(tc_store *st, const tcs_entry *e, size_t n, tcs_put_mode mode, tc_error *err) {
  sql_db *d = st->impl;
  sqlite3_stmt *s = d->stmt[mode == TCS_INSERT ? S_INSERT : mode == TCS_UPSERT ? S_UPSERT : S_UPDATE];
  /* IMMEDIATE: take the write lock now (waiting up to the busy timeout), so
   * the transaction never has to upgrade a read lock and fail midway. */
  int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return sql_fail(d, rc, "starting a change", err);
  int result = TC_OK;
  for (size_t i = 0; i < n && result == TC_OK; i++) {
    bind_entry(s, &e[i]);
    rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
      result = (rc & 0xff) == SQLITE_CONSTRAINT
                   ? tc_error_set(err, TC_ERR_EXISTS, "%s is already in the database.",
                                  st->kind == TC_STORE_SRP ? "This user" : "This identity")
                   : sql_fail(d, rc, "writing to the database", err);
    } else if (mode == TCS_UPDATE && sqlite3_changes(d->db) == 0) {
      result = TC_STORE_NOT_FOUND;
    }
    done(s);
  }
  if (result == TC_OK) {
    rc = sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      result = sql_fail(d, rc, "committing a change", err);
  }
  if (result != TC_OK)
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  return result;
}

/* A stored row that breaks the rules store.c enforces on the way in (the
 * file was edited or damaged) is refused, never trusted. */
static int damaged(sql_db *d, tc_error *err) {
  return tc_error_set(err, TC_ERR_BAD_INPUT, "%s holds a damaged entry.", d->shown);
}

static bool read_srp(sqlite3_stmt *s, int col, tc_srp_verifier *out, bool with_secrets) {
  memset(out, 0, sizeof *out);
  sqlite3_int64 bits = sqlite3_column_int64(s, col);
  const uint8_t *N, *g;
  size_t N_len, g_len;
  if (sqlite3_column_type(s, col) != SQLITE_INTEGER || bits < 0 || bits > 65536 ||
      tc_srp_group((unsigned)bits, &N, &N_len, &g, &g_len, NULL) != TC_OK)
    return false;
  out->group_bits = (unsigned)bits;
  if (!with_secrets)
    return true;
  const void *salt = sqlite3_column_blob(s, col + 1);
  int salt_len = sqlite3_column_bytes(s, col + 1);
  const void *v = sqlite3_column_blob(s, col + 2);
  int v_len = sqlite3_column_bytes(s, col + 2);
  if (!salt || salt_len <= 0 || salt_len > TC_SRP_MAX_SALT || !v || v_len <= 0 ||
      (size_t)v_len > N_len)
    return false;
  memcpy(out->salt, salt, (size_t)salt_len);
  out->salt_len = (size_t)salt_len;
  memcpy(out->verifier, v, (size_t)v_len);
  out->verifier_len = (size_t)v_len;
  return true;
}

static int sql_get(tc_store *st, const uint8_t *name, size_t len, tc_srp_verifier *srp,
                   uint8_t *key, size_t *key_len, tc_error *err) {
  sql_db *d = st->impl;
  sqlite3_stmt *s = d->stmt[S_GET];
  sqlite3_bind_blob(s, 1, name, (int)len, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  int result;
  if (rc == SQLITE_DONE) {
    result = TC_STORE_NOT_FOUND;
  } else if (rc != SQLITE_ROW) {
    result = sql_fail(d, rc, "looking up a name", err);
  } else if (srp) {
    result = read_srp(s, 0, srp, true) ? TC_OK : damaged(d, err);
  } else {
    const void *k = sqlite3_column_blob(s, 0);
    int klen = sqlite3_column_bytes(s, 0);
    if (!k || klen <= 0 || klen > TC_STORE_MAX_PSK_KEY)
      result = damaged(d, err);
    else if ((size_t)klen > *key_len)
      result = tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "The buffer for the key is too small.");
    else {
      memcpy(key, k, (size_t)klen);
      *key_len = (size_t)klen;
      result = TC_OK;
    }
  }
  done(s);
  return result;
}

static int sql_del(tc_store *st, const uint8_t *name, size_t len, tc_error *err) {
  sql_db *d = st->impl;
  int rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return sql_fail(d, rc, "starting a change", err);
  sqlite3_stmt *s = d->stmt[S_DELETE];
  sqlite3_bind_blob(s, 1, name, (int)len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  int result = rc != SQLITE_DONE ? sql_fail(d, rc, "deleting from the database", err)
               : sqlite3_changes(d->db) == 0 ? TC_STORE_NOT_FOUND
                                             : TC_OK;
  done(s);
  if (result == TC_OK) {
    rc = sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      result = sql_fail(d, rc, "committing a change", err);
  }
  if (result != TC_OK)
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  return result;
}

static int sql_each(tc_store *st, bool with_secrets, bool (*fn)(void *ctx, const tcs_entry *e),
                    void *ctx, tc_error *err) {
  sql_db *d = st->impl;
  sqlite3_stmt *s = d->stmt[with_secrets ? S_EACH_SECRETS : S_EACH];
  tc_srp_verifier rec;
  int result = TC_OK;
  for (;;) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
      break;
    if (rc != SQLITE_ROW) {
      result = sql_fail(d, rc, "listing the database", err);
      break;
    }
    tcs_entry e = {.name = sqlite3_column_blob(s, 0)};
    int nlen = sqlite3_column_bytes(s, 0);
    if (!e.name || nlen <= 0) {
      result = damaged(d, err);
      break;
    }
    e.name_len = (size_t)nlen;
    if (st->kind == TC_STORE_SRP) {
      if (!read_srp(s, 1, &rec, with_secrets)) {
        result = damaged(d, err);
        break;
      }
      e.srp = &rec;
    } else if (with_secrets) {
      e.key = sqlite3_column_blob(s, 1);
      int klen = sqlite3_column_bytes(s, 1);
      if (!e.key || klen <= 0 || klen > TC_STORE_MAX_PSK_KEY) {
        result = damaged(d, err);
        break;
      }
      e.key_len = (size_t)klen;
    }
    if (!fn(ctx, &e))
      break;
  }
  tc_wipe(&rec, sizeof rec);
  done(s);
  return result;
}

static int sql_count(tc_store *st, size_t *count, tc_error *err) {
  sql_db *d = st->impl;
  sqlite3_stmt *s = d->stmt[S_COUNT];
  int rc = sqlite3_step(s);
  int result = TC_OK;
  if (rc == SQLITE_ROW)
    *count = (size_t)sqlite3_column_int64(s, 0);
  else
    result = sql_fail(d, rc, "counting the database", err);
  done(s);
  return result;
}

static const tcs_backend sqlite_backend = {
    .name = "sqlite",
    .close = sql_close,
    .put = sql_put,
    .get = sql_get,
    .del = sql_del,
    .each = sql_each,
    .count = sql_count,
    .set_busy_timeout = sql_set_busy_timeout,
};
