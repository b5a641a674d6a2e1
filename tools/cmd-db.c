/* gtls-tool db: TLS Lite's tlsdb.py — SRP verifier and shared-key databases through libtcstore, GnuTLS file import/export. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlscore/store.h>

#include "gtls-tool.h"

typedef struct {
  int bits;
  char *key_hex;
  char *format;
  char *password_file;
} db_options;

static int store_fail(const char *what, const tc_error *err)
{
  gt_err("%s: %s", what, err->message);
  return GT_EXIT_FAIL;
}

/* Open FILE as whichever kind of database it is. */
static tc_store *open_any(const char *path, unsigned flags, tc_error *err)
{
  tc_store *st = tc_store_open(path, TC_STORE_SRP, flags, err);
  if (st == NULL) {
    tc_error e2 = {.code = TC_ERR_NONE, .alert = -1};
    st = tc_store_open(path, TC_STORE_PSK, flags, &e2);
    /* Errors latch: the SRP attempt's must not stand in for a later operation's. When both
     * fail, the SRP attempt's error says why (no such file, not a database, ...). */
    if (st != NULL)
      tc_error_clear(err);
  }
  return st;
}

/* Hex to bytes; NULL (with a usage error printed) for anything else. */
static guint8 *parse_hex(const char *hex, size_t *len)
{
  size_t n = strlen(hex);
  if (n == 0 || n % 2 != 0 || n / 2 > TC_STORE_MAX_PSK_KEY)
    return NULL;
  guint8 *out = g_malloc(n / 2);
  for (size_t i = 0; i < n; i += 2) {
    int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      g_free(out);
      return NULL;
    }
    out[i / 2] = (guint8)(hi * 16 + lo);
  }
  *len = n / 2;
  return out;
}

/* A new password: --password-file, else asked twice on a terminal, else stdin's first line. */
static char *new_password(const char *user, const char *file, GError **error)
{
  char *prompt = g_strdup_printf(_("Password for %s: "), user);
  char *pw = gt_read_password(prompt, file, error);
  g_free(prompt);
  if (pw == NULL || file != NULL || !isatty(STDIN_FILENO))
    return pw;
  char *again = gt_read_password(_("Repeat the password: "), NULL, error);
  if (again == NULL || strcmp(pw, again) != 0) {
    if (again != NULL)
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The passwords differ"));
    memset(pw, 0, strlen(pw));
    g_free(pw);
    pw = NULL;
  }
  if (again != NULL) {
    memset(again, 0, strlen(again));
    g_free(again);
  }
  return pw;
}

static bool print_entry(void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  tc_store_kind kind = *(tc_store_kind *)ctx;
  char *e = gt_escape((const char *)name, (gssize)len);
  if (kind == TC_STORE_SRP)
    printf("%s %u\n", e, group_bits);
  else
    printf("%s\n", e);
  g_free(e);
  return true;
}

/* SRP add / passwd / check, PSK add / passwd (--key), check (presence, or --key). */
static int edit(const char *op, const char *path, const char *name, const db_options *o)
{
  gboolean check = strcmp(op, "check") == 0;
  tc_error err = {.code = TC_ERR_NONE, .alert = -1};
  tc_store *st = open_any(path, check ? TC_STORE_READONLY : 0, &err);
  if (st == NULL)
    return store_fail(path, &err);
  int status = GT_EXIT_OK, rc = TC_OK;
  char *en = gt_escape(name, -1);
  if (tc_store_get_kind(st) == TC_STORE_SRP) {
    if (o->key_hex != NULL) {
      tc_store_close(st);
      g_free(en);
      return gt_usage_error("db", "%s", _("--key is for shared-key databases; SRP users have passwords"));
    }
    GError *error = NULL;
    char *pw = check ? gt_read_password(_("Password: "), o->password_file, &error)
                     : new_password(name, o->password_file, &error);
    if (pw == NULL) {
      gt_err("%s", error->message);
      g_error_free(error);
      tc_store_close(st);
      g_free(en);
      return GT_EXIT_FAIL;
    }
    size_t pl = strlen(pw);
    gt_progress p;
    gt_progress_start(&p, _("Computing the verifier"), 1);
    if (strcmp(op, "add") == 0)
      rc = tc_store_srp_add(st, name, (const uint8_t *)pw, pl, o->bits ? (unsigned)o->bits : 2048, &err);
    else if (strcmp(op, "passwd") == 0)
      rc = tc_store_srp_set_password(st, name, (const uint8_t *)pw, pl, (unsigned)o->bits, &err);
    else
      rc = tc_store_srp_check(st, name, (const uint8_t *)pw, pl, &err);
    gt_progress_step(&p, 1);
    gt_progress_end(&p);
    memset(pw, 0, pl);
    g_free(pw);
    if (rc == TC_STORE_MISMATCH) {
      printf(_("Wrong password for %s\n"), en);
      status = GT_EXIT_FAIL;
    } else if (rc == TC_OK && check) {
      printf(_("Password for %s is correct\n"), en);
    }
  } else {
    if (o->bits != 0) {
      tc_store_close(st);
      g_free(en);
      return gt_usage_error("db", "%s", _("--bits is for SRP verifier databases"));
    }
    size_t kl = 0;
    guint8 *key = o->key_hex ? parse_hex(o->key_hex, &kl) : NULL;
    if (o->key_hex != NULL && key == NULL) {
      tc_store_close(st);
      g_free(en);
      return gt_usage_error("db", "%s", _("--key wants an even number of hex digits (at most 1024)"));
    }
    if (!check && key == NULL) {
      tc_store_close(st);
      g_free(en);
      return gt_usage_error("db", _("%s on a shared-key database needs --key HEX"), op);
    }
    if (check) {
      uint8_t have[TC_STORE_MAX_PSK_KEY];
      size_t hl = sizeof have;
      rc = tc_store_psk_lookup(st, (const uint8_t *)name, strlen(name), have, &hl, &err);
      if (rc == TC_OK && key != NULL) {
        /* Constant time over the stored length; a length difference is no secret. */
        guint8 diff = hl != kl;
        for (size_t i = 0; i < hl && i < kl; i++)
          diff |= have[i] ^ key[i];
        rc = diff ? TC_STORE_MISMATCH : TC_OK;
      }
      memset(have, 0, sizeof have);
      if (rc == TC_STORE_MISMATCH) {
        printf(_("Wrong key for %s\n"), en);
        status = GT_EXIT_FAIL;
      } else if (rc == TC_OK && key != NULL) {
        printf(_("Key for %s is correct\n"), en);
      } else if (rc == TC_OK) {
        g_print(_("Entry %s is in the database\n"), en);  /* g_print: GCC 12 with sanitizers misreports printf here */
      }
    } else {
      rc = tc_store_psk_put(st, (const uint8_t *)name, strlen(name), key, kl,
                            strcmp(op, "passwd") == 0, &err);
    }
    if (key != NULL) {
      memset(key, 0, kl);
      g_free(key);
    }
  }
  if (rc == TC_STORE_NOT_FOUND) {
    gt_err(_("%s: no entry '%s'"), path, en);
    status = GT_EXIT_FAIL;
  } else if (rc != TC_OK && rc != TC_STORE_MISMATCH) {
    status = store_fail(path, &err);
  }
  g_free(en);
  tc_store_close(st);
  return status;
}

int gt_cmd_db(int argc, char **argv)
{
  db_options o = {0};
  const GOptionEntry entries[] = {
    {"bits", 0, 0, G_OPTION_ARG_INT, &o.bits,
     N_("SRP group size for add and passwd: 1024, 1536, 2048 (default), 3072, 4096, 6144 or 8192"),
     N_("BITS")},
    {"key", 0, 0, G_OPTION_ARG_STRING, &o.key_hex,
     N_("Shared key in hex, for add/passwd/check on a shared-key database"), N_("HEX")},
    {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &o.password_file,
     N_("Read the password from the first line of FILE (else asked, or stdin's first line)"), N_("FILE")},
    {"format", 0, 0, G_OPTION_ARG_STRING, &o.format,
     N_("File format of import and export: gnutls (srptool's tpasswd + tpasswd.conf, psktool's file)"),
     N_("FORMAT")},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(_("OPERATION FILE [ARGS...] - manage SRP and shared-key databases"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Operations (TLS Lite's tlsdb.py):\n"
        "  create-srp FILE            a new SRP verifier database (SQLite, mode 0600)\n"
        "  create-psk FILE            a new shared-key (PSK) database\n"
        "  add FILE USER [--bits N]   add an SRP user (password asked, or stdin's first line)\n"
        "  add FILE IDENTITY --key HEX    add a shared key\n"
        "  passwd FILE NAME           a new password (or --key) for an entry\n"
        "  del FILE NAME              remove an entry\n"
        "  list FILE                  the users (with group sizes) or identities\n"
        "  check FILE NAME            exit 0 if the password (or --key) is right, else 1\n"
        "  import FILE --format gnutls TPASSWD TPASSWD.CONF | PSKFILE\n"
        "  export FILE --format gnutls TPASSWD TPASSWD.CONF | PSKFILE\n"
        "gtls-tool server --srp-db FILE / --psk-db FILE serves them. Keys are never printed."));
  int rc = GT_EXIT_USAGE;
  if (!gt_parse(ctx, "db", &argc, &argv))
    goto out;
  if (argc < 3) {
    rc = gt_usage_error("db", "%s", argc < 2 ? _("OPERATION missing") : _("FILE missing"));
    goto out;
  }
  const char *op = argv[1], *path = argv[2];
  static const struct { const char *name; int min, max; const char *args; } ops[] = {
    {"create-srp", 0, 0, "FILE"}, {"create-psk", 0, 0, "FILE"}, {"add", 1, 1, "FILE NAME"},
    {"passwd", 1, 1, "FILE NAME"}, {"del", 1, 1, "FILE NAME"}, {"list", 0, 0, "FILE"},
    {"check", 1, 1, "FILE NAME"}, {"import", 1, 2, "FILE TPASSWD TPASSWD.CONF | FILE PSKFILE"},
    {"export", 1, 2, "FILE TPASSWD TPASSWD.CONF | FILE PSKFILE"},
  };
  int found = -1;
  for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
    if (strcmp(op, ops[i].name) == 0)
      found = (int)i;
  if (found < 0) {
    char *e = gt_escape(op, -1);
    rc = gt_usage_error("db", _("unknown operation '%s'"), e);
    g_free(e);
    goto out;
  }
  int nargs = argc - 3;
  if (nargs < ops[found].min || nargs > ops[found].max) {
    rc = gt_usage_error("db", _("wrong number of arguments for '%s' (gtls-tool db %s %s)"), op, op,
                        ops[found].args);
    goto out;
  }
  if (o.bits != 0 && strcmp(op, "add") != 0 && strcmp(op, "passwd") != 0) {
    rc = gt_usage_error("db", "%s", _("--bits goes with add or passwd"));
    goto out;
  }
  if (o.bits != 0 && o.bits != 1024 && o.bits != 1536 && o.bits != 2048 && o.bits != 3072 &&
      o.bits != 4096 && o.bits != 6144 && o.bits != 8192) {
    rc = gt_usage_error("db", _("--bits %d is not an SRP group size (1024 ... 8192)"), o.bits);
    goto out;
  }
  gboolean files_op = strcmp(op, "import") == 0 || strcmp(op, "export") == 0;
  if (o.format != NULL && !files_op) {
    rc = gt_usage_error("db", "%s", _("--format goes with import or export"));
    goto out;
  }
  if (files_op && g_strcmp0(o.format ? o.format : "gnutls", "gnutls") != 0) {
    rc = gt_usage_error("db", "%s", _("--format knows only gnutls"));
    goto out;
  }

  tc_error err = {.code = TC_ERR_NONE, .alert = -1};
  rc = GT_EXIT_OK;
  if (g_str_has_prefix(op, "create-")) {
    if (g_file_test(path, G_FILE_TEST_EXISTS)) {
      gt_err(_("%s exists already"), path);
      rc = GT_EXIT_FAIL;
      goto out;
    }
    tc_store *st = tc_store_open(path, strcmp(op, "create-srp") == 0 ? TC_STORE_SRP : TC_STORE_PSK,
                                 TC_STORE_CREATE, &err);
    if (st == NULL)
      rc = store_fail(path, &err);
    else
      tc_store_close(st);
  } else if (strcmp(op, "list") == 0) {
    tc_store *st = open_any(path, TC_STORE_READONLY, &err);
    if (st == NULL) {
      rc = store_fail(path, &err);
      goto out;
    }
    tc_store_kind kind = tc_store_get_kind(st);
    if (tc_store_list(st, print_entry, &kind, &err) != TC_OK)
      rc = store_fail(path, &err);
    tc_store_close(st);
  } else if (strcmp(op, "del") == 0) {
    tc_store *st = open_any(path, 0, &err);
    if (st == NULL) {
      rc = store_fail(path, &err);
      goto out;
    }
    int r = tc_store_delete(st, (const uint8_t *)argv[3], strlen(argv[3]), &err);
    if (r == TC_STORE_NOT_FOUND) {
      char *e = gt_escape(argv[3], -1);
      gt_err(_("%s: no entry '%s'"), path, e);
      g_free(e);
      rc = GT_EXIT_FAIL;
    } else if (r != TC_OK) {
      rc = store_fail(path, &err);
    }
    tc_store_close(st);
  } else if (files_op) {
    /* Two files: srptool's tpasswd and tpasswd.conf (SRP); one: a psktool file. */
    tc_store_kind kind = nargs == 2 ? TC_STORE_SRP : TC_STORE_PSK;
    gboolean import = strcmp(op, "import") == 0;
    tc_store *st = tc_store_open(path, kind, import ? TC_STORE_CREATE : TC_STORE_READONLY, &err);
    if (st == NULL) {
      rc = store_fail(path, &err);
      goto out;
    }
    const char *conf = nargs == 2 ? argv[4] : NULL;
    if ((import ? tc_store_import_gnutls(st, argv[3], conf, &err)
                : tc_store_export_gnutls(st, argv[3], conf, &err)) != TC_OK)
      rc = store_fail(argv[3], &err);
    tc_store_close(st);
  } else {
    rc = edit(op, path, argv[3], &o);
  }
out:
  g_option_context_free(ctx);
  if (o.key_hex != NULL)
    memset(o.key_hex, 0, strlen(o.key_hex));
  g_free(o.key_hex);
  g_free(o.format);
  g_free(o.password_file);
  return rc;
}
