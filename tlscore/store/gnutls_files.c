/* GnuTLS srptool (tpasswd, tpasswd.conf) and psktool file import and export. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store/store_internal.h"

/* Files larger than this are refused rather than read into memory: 64 MiB
 * holds some 40 000 users with 8192-bit verifiers. */
#define MAX_FILE_SIZE (64u << 20)

/* ---- srptool's base64 ----
 * GnuTLS (lib/auth/srp_sb64.c) writes numbers in its own base64: alphabet
 * "0-9A-Za-z./", no padding, and the len % 3 leading bytes encoded first
 * with their leading zero digits dropped, then whole 3-byte groups. Reading
 * mirrors it: the len % 4 leading characters make 1 to 3 bytes (leading
 * zero bytes of that group dropped, at least one kept), each following 4
 * characters make 3 bytes. */

static const char sb64_alpha[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz./";

static int sb64_val(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 36;
  if (c == '.')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int tcs_sb64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
  if (len == 0)
    return TC_FAIL;
  size_t r = len % 4, o = 0, i = 0;
  if (r) {
    uint32_t v = 0;
    for (; i < r; i++) {
      int d = sb64_val((unsigned char)s[i]);
      if (d < 0)
        return TC_FAIL;
      v = v << 6 | (uint32_t)d;
    }
    size_t nb = r == 1 ? 1 : r == 2 ? (v >> 8 ? 2 : 1) : (v >> 16 ? 3 : 2);
    if (nb > cap)
      return TC_FAIL;
    for (size_t k = 0; k < nb; k++)
      out[o++] = (uint8_t)(v >> (8 * (nb - 1 - k)));
  }
  for (; i < len; i += 4) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
      int d = sb64_val((unsigned char)s[i + k]);
      if (d < 0)
        return TC_FAIL;
      v = v << 6 | (uint32_t)d;
    }
    if (cap - o < 3)
      return TC_FAIL;
    out[o++] = (uint8_t)(v >> 16);
    out[o++] = (uint8_t)(v >> 8);
    out[o++] = (uint8_t)v;
  }
  *out_len = o;
  return TC_OK;
}

int tcs_sb64_encode(const uint8_t *in, size_t len, char *out, size_t cap) {
  size_t mod = len % 3, o = 0, i = 0;
  if (len == 0 || cap < (len + 2) / 3 * 4 + 1)
    return -1;
  if (mod == 2 && in[0] == 0)
    return -1; /* GnuTLS would read one byte less back */
  if (mod == 1) {
    if (in[0] >> 6)
      out[o++] = sb64_alpha[in[0] >> 6];
    out[o++] = sb64_alpha[in[0] & 63];
    i = 1;
  } else if (mod == 2) {
    uint32_t v = (uint32_t)in[0] << 8 | in[1];
    int started = 0;
    for (int sh = 12; sh >= 0; sh -= 6) {
      unsigned d = (v >> sh) & 63;
      if (d || started || sh == 0) {
        out[o++] = sb64_alpha[d];
        started = 1;
      }
    }
    i = 2;
  }
  for (; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = sb64_alpha[(v >> 18) & 63];
    out[o++] = sb64_alpha[(v >> 12) & 63];
    out[o++] = sb64_alpha[(v >> 6) & 63];
    out[o++] = sb64_alpha[v & 63];
  }
  out[o] = '\0';
  return 0;
}

/* ---- line reading ---- */

typedef struct {
  const char *p, *end;
  unsigned lineno;
} lines;

/* The next line without its "\n" (or "\r\n"); false at the end. A NUL byte
 * inside a line makes it invalid (GnuTLS's C strings would cut it there). */
static bool next_line(lines *ls, const char **line, size_t *len) {
  if (ls->p >= ls->end)
    return false;
  const char *nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
  const char *stop = nl ? nl : ls->end;
  *line = ls->p;
  *len = (size_t)(stop - ls->p);
  if (*len > 0 && (*line)[*len - 1] == '\r')
    (*len)--;
  ls->p = nl ? nl + 1 : ls->end;
  ls->lineno++;
  return true;
}

static bool blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return false;
  return true;
}

/* A decimal index 1..99999999 without leading zeros (GnuTLS matches the
 * conf's index as a string). */
static bool parse_index(const char *s, size_t len, unsigned *out) {
  if (len == 0 || len > 8 || s[0] == '0')
    return false;
  unsigned v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  *out = v;
  return true;
}

/* Split a line at its ':'s into at most max fields; the count found. */
static size_t split(const char *s, size_t len, const char **f, size_t *flen, size_t max) {
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || s[i] == ':') {
      if (n < max) {
        f[n] = s + start;
        flen[n] = i - start;
      }
      n++;
      start = i + 1;
    }
  }
  return n;
}

/* ---- tpasswd.conf: "index:N:g" ---- */

int tcs_parse_tpasswd_conf(const char *buf, size_t len, tcs_conf *conf, tc_error *err) {
  memset(conf, 0, sizeof *conf);
  lines ls = {buf, buf + len, 0};
  const char *line;
  size_t ll;
  uint8_t N[TC_SRP_MAX_N_BYTES + 3], g[8];
  while (next_line(&ls, &line, &ll)) {
    if (blank(line, ll))
      continue;
    if (memchr(line, '\0', ll))
      return tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd.conf line %u contains a NUL byte.",
                          ls.lineno);
    const char *f[3];
    size_t fl[3];
    if (split(line, ll, f, fl, 3) != 3)
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "tpasswd.conf line %u is not of the form index:N:g.", ls.lineno);
    if (fl[2] > 0 && f[2][fl[2] - 1] == ' ') /* GnuTLS drops one trailing space */
      fl[2]--;
    unsigned index;
    size_t N_len, g_len;
    if (!parse_index(f[0], fl[0], &index))
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "tpasswd.conf line %u does not start with a group index.", ls.lineno);
    if (tcs_sb64_decode(f[1], fl[1], N, sizeof N, &N_len) != TC_OK ||
        tcs_sb64_decode(f[2], fl[2], g, sizeof g, &g_len) != TC_OK)
      return tc_error_set(err, TC_ERR_BAD_INPUT,
                          "tpasswd.conf line %u: the group is not valid SRP base64.", ls.lineno);
    bool dup = false;
    for (size_t i = 0; i < conf->n; i++)
      dup = dup || conf->groups[i].index == index;
    if (dup) /* GnuTLS reads the first line of an index */
      continue;
    if (conf->n == TCS_CONF_MAX)
      return tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd.conf has more than %d groups.",
                          TCS_CONF_MAX);
    conf->groups[conf->n].index = index;
    conf->groups[conf->n].group_bits = tc_srp_group_bits(N, N_len, g, g_len); /* 0: not ours */
    conf->n++;
  }
  return TC_OK;
}

/* ---- tpasswd: "user:verifier:salt:index" ---- */

int tcs_parse_tpasswd(const char *buf, size_t len, const tcs_conf *conf, tcs_parse_fn fn,
                      void *ctx, tc_error *err) {
  lines ls = {buf, buf + len, 0};
  const char *line;
  size_t ll;
  tc_srp_verifier rec;
  int rc = TC_OK;
  while (rc == TC_OK && next_line(&ls, &line, &ll)) {
    if (blank(line, ll))
      continue;
    const char *f[4];
    size_t fl[4];
    memset(&rec, 0, sizeof rec);
    if (memchr(line, '\0', ll)) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd line %u contains a NUL byte.", ls.lineno);
      break;
    }
    if (split(line, ll, f, fl, 4) != 4) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                        "tpasswd line %u is not of the form user:verifier:salt:index.", ls.lineno);
      break;
    }
    unsigned index;
    if (!parse_index(f[3], fl[3], &index)) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd line %u does not end with a group index.",
                        ls.lineno);
      break;
    }
    size_t i = 0;
    while (i < conf->n && conf->groups[i].index != index)
      i++;
    if (i == conf->n) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                        "tpasswd line %u uses group %u, which tpasswd.conf does not have.",
                        ls.lineno, index);
      break;
    }
    rec.group_bits = conf->groups[i].group_bits;
    if (rec.group_bits == 0) {
      rc = tc_error_set(err, TC_ERR_UNSUPPORTED,
                        "tpasswd line %u uses group %u of tpasswd.conf, which is not one of the "
                        "RFC 5054 groups.",
                        ls.lineno, index);
      break;
    }
    uint8_t v[TC_SRP_MAX_N_BYTES + 3];
    size_t v_len;
    if (tcs_sb64_decode(f[1], fl[1], v, sizeof v, &v_len) != TC_OK ||
        tcs_sb64_decode(f[2], fl[2], rec.salt, sizeof rec.salt, &rec.salt_len) != TC_OK) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                        "tpasswd line %u: the verifier or salt is not valid SRP base64.",
                        ls.lineno);
      break;
    }
    /* a number: leading zero bytes carry nothing */
    size_t z = 0;
    while (z + 1 < v_len && v[z] == 0)
      z++;
    if (v_len - z > sizeof rec.verifier) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd line %u: the verifier is too long.",
                        ls.lineno);
      break;
    }
    memcpy(rec.verifier, v + z, v_len - z);
    rec.verifier_len = v_len - z;
    if (!tcs_srp_name_ok((const uint8_t *)f[0], fl[0])) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                        "tpasswd line %u: the user name is empty, longer than 255 bytes, or has "
                        "control characters.",
                        ls.lineno);
      break;
    }
    tcs_entry e = {.name = (const uint8_t *)f[0], .name_len = fl[0], .srp = &rec};
    rc = fn(ctx, &e, err);
    if (rc != TC_OK) {
      /* say where, keeping the reason */
      char why[sizeof err->message];
      snprintf(why, sizeof why, "%s", err->message);
      tc_error_clear(err);
      tc_error_set(err, TC_ERR_BAD_INPUT, "tpasswd line %u: %s", ls.lineno, why);
    }
  }
  tc_wipe(&rec, sizeof rec);
  return rc;
}

/* ---- psktool: "identity:hexkey", or "#hexidentity:hexkey" ---- */

static bool hex_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
  if (len % 2 || len / 2 > cap)
    return false;
  for (size_t i = 0; i < len; i += 2) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = s[i + (size_t)k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0)
        return false;
      v = v << 4 | d;
    }
    out[i / 2] = (uint8_t)v;
  }
  *out_len = len / 2;
  return true;
}

int tcs_parse_psk_file(const char *buf, size_t len, tcs_parse_fn fn, void *ctx, tc_error *err) {
  lines ls = {buf, buf + len, 0};
  const char *line;
  size_t ll;
  uint8_t key[TC_STORE_MAX_PSK_KEY];
  uint8_t *id = malloc(TC_STORE_MAX_PSK_IDENTITY);
  if (!id)
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory reading the PSK file.");
  int rc = TC_OK;
  while (rc == TC_OK && next_line(&ls, &line, &ll)) {
    if (blank(line, ll))
      continue;
    if (memchr(line, '\0', ll)) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "PSK file line %u contains a NUL byte.", ls.lineno);
      break;
    }
    /* GnuTLS: the identity ends at the first ':', the key is the rest
     * (one trailing space dropped) */
    const char *colon = memchr(line, ':', ll);
    if (!colon) {
      rc = tc_error_set(err, TC_ERR_BAD_INPUT, "PSK file line %u is not of the form identity:key.",
                        ls.lineno);
      break;
    }
    size_t idl = (size_t)(colon - line);
    const char *k = colon + 1;
    size_t kl = ll - idl - 1;
    if (kl > 0 && k[kl - 1] == ' ')
      kl--;
    size_t id_len, key_len;
    if (idl > 1 && line[0] == '#') {
      if (!hex_decode(line + 1, idl - 1, id, TC_STORE_MAX_PSK_IDENTITY, &id_len)) {
        rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                          "PSK file line %u: the #identity is not valid hexadecimal.", ls.lineno);
        break;
      }
    } else {
      if (idl == 0 || idl > TC_STORE_MAX_PSK_IDENTITY) {
        rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                          "PSK file line %u: the identity is empty or too long.", ls.lineno);
        break;
      }
      memcpy(id, line, idl);
      id_len = idl;
    }
    if (id_len == 0 || !hex_decode(k, kl, key, sizeof key, &key_len) || key_len == 0) {
      /* never quote the key */
      rc = tc_error_set(err, TC_ERR_BAD_INPUT,
                        "PSK file line %u: the key is not 1 to 512 bytes of hexadecimal.",
                        ls.lineno);
      break;
    }
    tcs_entry e = {.name = id, .name_len = id_len, .key = key, .key_len = key_len};
    rc = fn(ctx, &e, err);
    tc_wipe(key, sizeof key);
  }
  tc_wipe(key, sizeof key);
  free(id);
  return rc;
}

/* ---- reading and writing whole files ---- */

static const char *shown(const char *path, char *buf, size_t cap) {
  size_t n = strlen(path);
  if (n < cap)
    snprintf(buf, cap, "%s", path);
  else
    snprintf(buf, cap, "...%s", path + n - (cap - 4));
  return buf;
}

/* The whole file, NUL-terminated; the caller wipes and frees it. */
static char *read_all(const char *path, size_t *len, tc_error *err) {
  char sh[96];
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY); /* a FIFO must not hang us */
  if (fd < 0) {
    tc_error_set(err, TC_ERR_STORAGE, "Cannot open %s: %s.", shown(path, sh, sizeof sh),
                 strerror(errno));
    return NULL;
  }
  struct stat sb;
  char *buf = NULL;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    tc_error_set(err, TC_ERR_STORAGE, "%s is not a regular file.", shown(path, sh, sizeof sh));
  } else if ((uint64_t)sb.st_size > MAX_FILE_SIZE) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "%s is too large to import (over 64 MiB).",
                 shown(path, sh, sizeof sh));
  } else if (!(buf = malloc((size_t)sb.st_size + 1))) {
    tc_error_set(err, TC_ERR_NOMEM, "Out of memory reading %s.", shown(path, sh, sizeof sh));
  } else {
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
      ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t)n;
    }
    if (got != (size_t)sb.st_size) {
      tc_error_set(err, TC_ERR_STORAGE, "Cannot read %s: %s.", shown(path, sh, sizeof sh),
                   strerror(errno ? errno : EIO));
      tc_wipe(buf, got);
      free(buf);
      buf = NULL;
    } else {
      buf[got] = '\0';
      *len = got;
    }
  }
  close(fd);
  return buf;
}

typedef struct {
  char *p;
  size_t len, cap;
  bool failed;
} obuf;

static void ob_put(obuf *b, const void *s, size_t n) {
  if (b->failed)
    return;
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n)
      cap *= 2;
    char *np = malloc(cap);
    if (!np) {
      b->failed = true;
      return;
    }
    if (b->p) {
      memcpy(np, b->p, b->len);
      tc_wipe(b->p, b->cap); /* the old copy held keys too */
      free(b->p);
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void ob_free(obuf *b) {
  if (b->p) {
    tc_wipe(b->p, b->cap);
    free(b->p);
  }
  memset(b, 0, sizeof *b);
}

/* Write a file atomically: a 0600 temporary beside it, synced, renamed. */
static int write_file(const char *path, const obuf *b, tc_error *err) {
  char sh[96];
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 8);
  if (!tmp)
    return tc_error_set(err, TC_ERR_NOMEM, "Out of memory writing %s.", shown(path, sh, sizeof sh));
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".XXXXXX", 8);
  int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
  if (fd < 0) {
    free(tmp);
    return tc_error_set(err, TC_ERR_STORAGE, "Cannot create a file beside %s: %s.",
                        shown(path, sh, sizeof sh), strerror(errno));
  }
  size_t done = 0;
  int rc = TC_OK;
  while (done < b->len) {
    ssize_t n = write(fd, b->p + done, b->len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = tc_error_set(err, TC_ERR_STORAGE, "Cannot write %s: %s.", shown(path, sh, sizeof sh),
                        strerror(errno ? errno : EIO));
      break;
    }
    done += (size_t)n;
  }
  if (rc == TC_OK && fsync(fd) != 0)
    rc = tc_error_set(err, TC_ERR_STORAGE, "Cannot write %s: %s.", shown(path, sh, sizeof sh),
                      strerror(errno));
  close(fd);
  if (rc == TC_OK && rename(tmp, path) != 0)
    rc = tc_error_set(err, TC_ERR_STORAGE, "Cannot replace %s: %s.", shown(path, sh, sizeof sh),
                      strerror(errno));
  if (rc != TC_OK)
    unlink(tmp);
  free(tmp);
  return rc;
}

/* srptool numbers the RFC 5054 groups 1..7 in size order in the
 * tpasswd.conf it writes (Debian's leaves out 1 and 6). */
unsigned tcs_srp_group_index(unsigned bits) {
  static const unsigned sizes[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    if (sizes[i] == bits)
      return i + 1;
  return 0;
}

/* ---- import ---- */

/* Entries go first into a memory store (validated by the public calls,
 * first line of a name wins as in GnuTLS), then into st in one
 * transaction: all or nothing. */
static int import_one(void *ctx, const tcs_entry *e, tc_error *err) {
  tc_store *tmp = ctx;
  int rc = e->srp ? tc_store_srp_put(tmp, e->name, e->name_len, e->srp, false, err)
                  : tc_store_psk_put(tmp, e->name, e->name_len, e->key, e->key_len, false, err);
  if (rc == TC_FAIL && err->code == TC_ERR_EXISTS) {
    tc_error_clear(err);
    rc = TC_OK;
  }
  return rc;
}

typedef struct {
  tcs_entry *v;
  size_t n;
} entry_list;

static bool collect(void *ctx, const tcs_entry *e) {
  entry_list *l = ctx;
  l->v[l->n++] = *e; /* points into the memory store, which outlives the list */
  return true;
}

static int import(tc_store *st, const char *path, const char *conf_path, tc_error *err);

int tc_store_import_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err) {
  /* a fresh error of our own: the parse callbacks look at its code */
  tc_error local;
  tc_error_clear(&local);
  int rc = import(st, path, conf_path, &local);
  if (rc != TC_OK)
    tc_error_set(err, local.code, "%s", local.message);
  return rc;
}

static int import(tc_store *st, const char *path, const char *conf_path, tc_error *err) {
  if (!st || !path)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to an import.");
  if (st->readonly)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "The database was opened read-only.");
  if (st->kind == TC_STORE_SRP && !conf_path)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "Importing a tpasswd file needs its tpasswd.conf too.");
  size_t len = 0, conf_len = 0;
  char *buf = NULL, *conf_buf = NULL;
  tc_store *tmp = NULL;
  entry_list list = {NULL, 0};
  int rc = TC_FAIL;
  tcs_conf conf;
  if (!(buf = read_all(path, &len, err)))
    goto out;
  if (st->kind == TC_STORE_SRP) {
    if (!(conf_buf = read_all(conf_path, &conf_len, err)) ||
        tcs_parse_tpasswd_conf(conf_buf, conf_len, &conf, err) != TC_OK)
      goto out;
  }
  if (!(tmp = tc_store_open(NULL, st->kind, 0, err)))
    goto out;
  if ((st->kind == TC_STORE_SRP ? tcs_parse_tpasswd(buf, len, &conf, import_one, tmp, err)
                                : tcs_parse_psk_file(buf, len, import_one, tmp, err)) != TC_OK)
    goto out;
  size_t n = 0;
  tmp->be->count(tmp, &n, err);
  if (n == 0) {
    rc = TC_OK;
    goto out;
  }
  list.v = calloc(n, sizeof *list.v);
  if (!list.v) {
    tc_error_set(err, TC_ERR_NOMEM, "Out of memory importing %s.", path);
    goto out;
  }
  tmp->be->each(tmp, true, collect, &list, err);
  pthread_mutex_lock(&st->lock);
  rc = st->be->put(st, list.v, list.n, TCS_UPSERT, err);
  pthread_mutex_unlock(&st->lock);
out:
  free(list.v);
  tc_store_close(tmp); /* wipes the imported secrets */
  if (buf) {
    tc_wipe(buf, len);
    free(buf);
  }
  if (conf_buf) {
    tc_wipe(conf_buf, conf_len);
    free(conf_buf);
  }
  return rc;
}

/* ---- export ---- */

typedef struct {
  obuf out;
  tc_store *st;
  tc_error *err;
  int rc;
} export_ctx;

static bool plain_psk_identity(const uint8_t *id, size_t len) {
  if (id[0] == '#')
    return false;
  for (size_t i = 0; i < len; i++)
    if (id[i] < 0x21 || id[i] > 0x7e || id[i] == ':')
      return false;
  return true;
}

static void put_hex(obuf *b, const uint8_t *p, size_t len) {
  static const char hx[] = "0123456789abcdef";
  char two[2];
  for (size_t i = 0; i < len; i++) {
    two[0] = hx[p[i] >> 4];
    two[1] = hx[p[i] & 15];
    ob_put(b, two, 2);
  }
}

static bool export_one(void *ctx, const tcs_entry *e) {
  export_ctx *x = ctx;
  if (e->srp) {
    char v64[TC_SRP_MAX_N_BYTES / 3 * 4 + 8], s64[TC_SRP_MAX_SALT / 3 * 4 + 8], idx[16];
    /* the verifier is a number: write it without leading zeros */
    size_t z = 0;
    while (z + 1 < e->srp->verifier_len && e->srp->verifier[z] == 0)
      z++;
    if (tcs_sb64_encode(e->srp->verifier + z, e->srp->verifier_len - z, v64, sizeof v64) != 0 ||
        tcs_sb64_encode(e->srp->salt, e->srp->salt_len, s64, sizeof s64) != 0) {
      x->rc = tc_error_set(x->err, TC_ERR_UNSUPPORTED,
                           "A user's salt cannot be written in GnuTLS's tpasswd format (its "
                           "length leaves a leading zero byte GnuTLS would drop).");
      return false;
    }
    snprintf(idx, sizeof idx, "%u", tcs_srp_group_index(e->srp->group_bits));
    ob_put(&x->out, e->name, e->name_len);
    ob_put(&x->out, ":", 1);
    ob_put(&x->out, v64, strlen(v64));
    ob_put(&x->out, ":", 1);
    ob_put(&x->out, s64, strlen(s64));
    ob_put(&x->out, ":", 1);
    ob_put(&x->out, idx, strlen(idx));
    ob_put(&x->out, "\n", 1);
    tc_wipe(v64, sizeof v64);
  } else {
    if (plain_psk_identity(e->name, e->name_len)) {
      ob_put(&x->out, e->name, e->name_len);
    } else {
      ob_put(&x->out, "#", 1);
      put_hex(&x->out, e->name, e->name_len);
    }
    ob_put(&x->out, ":", 1);
    put_hex(&x->out, e->key, e->key_len);
    ob_put(&x->out, "\n", 1);
  }
  return true;
}

/* All seven groups with srptool's indexes, so the file serves any user. */
static int write_conf(const char *conf_path, tc_error *err) {
  obuf b = {0};
  static const unsigned sizes[] = {1024, 1536, 2048, 3072, 4096, 6144, 8192};
  char n64[TC_SRP_MAX_N_BYTES / 3 * 4 + 8], g64[8], idx[16];
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    const uint8_t *N, *g;
    size_t N_len, g_len;
    tc_srp_group(sizes[i], &N, &N_len, &g, &g_len, NULL);
    tcs_sb64_encode(N, N_len, n64, sizeof n64);
    tcs_sb64_encode(g, g_len, g64, sizeof g64);
    snprintf(idx, sizeof idx, "%u:", tcs_srp_group_index(sizes[i]));
    ob_put(&b, idx, strlen(idx));
    ob_put(&b, n64, strlen(n64));
    ob_put(&b, ":", 1);
    ob_put(&b, g64, strlen(g64));
    ob_put(&b, "\n", 1);
  }
  int rc = b.failed ? tc_error_set(err, TC_ERR_NOMEM, "Out of memory writing tpasswd.conf.")
                    : write_file(conf_path, &b, err);
  ob_free(&b);
  return rc;
}

int tc_store_export_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err) {
  if (!st || !path)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "Missing argument to an export.");
  if (st->kind == TC_STORE_SRP && !conf_path)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "Exporting a tpasswd file needs a path for its tpasswd.conf too.");
  export_ctx x = {.st = st, .err = err, .rc = TC_OK};
  pthread_mutex_lock(&st->lock);
  int rc = st->be->each(st, true, export_one, &x, err);
  pthread_mutex_unlock(&st->lock);
  if (rc == TC_OK)
    rc = x.rc;
  if (rc == TC_OK && x.out.failed)
    rc = tc_error_set(err, TC_ERR_NOMEM, "Out of memory exporting the database.");
  if (rc == TC_OK && st->kind == TC_STORE_SRP)
    rc = write_conf(conf_path, err);
  if (rc == TC_OK)
    rc = write_file(path, &x.out, err);
  ob_free(&x.out);
  return rc;
}
