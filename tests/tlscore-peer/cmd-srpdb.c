/* tlscore-peer srp-db: create and edit an SRP verifier database, import and export GnuTLS tpasswd files. */
#include <stdlib.h>
#include <string.h>

#include "netio.h"
#include "tlscore/store.h"

static bool print_entry(void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  (void)ctx;
  char *esc = gt_escape_bytes(name, len);
  printf("%s %u\n", esc, group_bits);
  g_free(esc);
  return true;
}

static int store_fail(const char *what, const tc_error *err)
{
  gt_warn("%s: %s", what, err->message);
  return GT_EXIT_FAILURE;
}

static int run(const char *path, char **args, int n, unsigned group_bits)
{
  const char *op = args[0];
  static const struct {
    const char *name;
    int nargs;
  } ops[] = {{"add", 1}, {"passwd", 1}, {"check", 1}, {"delete", 1},
             {"import", 2}, {"export", 2}, {"list", 0}};
  int want = -1;
  for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
    if (strcmp(op, ops[i].name) == 0)
      want = ops[i].nargs;
  if (want < 0) {
    gt_warn("unknown srp-db operation '%s' (add, passwd, check, delete, import, export, list)",
            op);
    return GT_EXIT_USAGE;
  }
  if (n - 1 != want) {
    gt_warn("srp-db %s takes %d argument%s", op, want, want == 1 ? "" : "s");
    return GT_EXIT_USAGE;
  }
  gboolean writes = strcmp(op, "add") == 0 || strcmp(op, "passwd") == 0 ||
                    strcmp(op, "delete") == 0 || strcmp(op, "import") == 0;
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, TC_STORE_SRP, writes ? TC_STORE_CREATE : TC_STORE_READONLY,
                               &err);
  if (st == NULL)
    return store_fail(path, &err);
  int status = GT_EXIT_OK, rc;
  if (strcmp(op, "add") == 0 || strcmp(op, "passwd") == 0 || strcmp(op, "check") == 0) {
    GError *error = NULL;
    size_t pl = 0;
    char *pw = gt_read_password(args[1], op, &pl, &error);
    if (pw == NULL) {
      gt_warn("%s", error->message);
      g_error_free(error);
      tc_store_close(st);
      return GT_EXIT_FAILURE;
    }
    if (strcmp(op, "add") == 0)
      rc = tc_store_srp_add(st, args[1], (const uint8_t *)pw, pl, group_bits ? group_bits : 2048,
                            &err);
    else if (strcmp(op, "passwd") == 0)
      rc = tc_store_srp_set_password(st, args[1], (const uint8_t *)pw, pl, group_bits, &err);
    else
      rc = tc_store_srp_check(st, args[1], (const uint8_t *)pw, pl, &err);
    explicit_bzero(pw, pl);
    g_free(pw);
    if (rc == TC_STORE_NOT_FOUND) {
      gt_warn("no user '%s' in %s", args[1], path);
      status = GT_EXIT_FAILURE;
    } else if (rc == TC_STORE_MISMATCH) {
      gt_warn("wrong password for '%s'", args[1]);
      status = GT_EXIT_FAILURE;
    } else if (rc != TC_OK) {
      status = store_fail(path, &err);
    } else if (strcmp(op, "check") == 0) {
      printf("password ok\n");
    }
  } else if (strcmp(op, "delete") == 0) {
    rc = tc_store_delete(st, (const uint8_t *)args[1], strlen(args[1]), &err);
    if (rc == TC_STORE_NOT_FOUND) {
      gt_warn("no user '%s' in %s", args[1], path);
      status = GT_EXIT_FAILURE;
    } else if (rc != TC_OK) {
      status = store_fail(path, &err);
    }
  } else if (strcmp(op, "import") == 0) {
    if (tc_store_import_gnutls(st, args[1], args[2], &err) != TC_OK)
      status = store_fail(args[1], &err);
  } else if (strcmp(op, "export") == 0) {
    if (tc_store_export_gnutls(st, args[1], args[2], &err) != TC_OK)
      status = store_fail(args[1], &err);
  } else if (tc_store_list(st, print_entry, NULL, &err) != TC_OK) {
    status = store_fail(path, &err);
  }
  tc_store_close(st);
  return status;
}

int gt_cmd_srp_db(int argc, char **argv)
{
  gint group = 0;
  GOptionEntry entries[] = {
    {"group", 0, 0, G_OPTION_ARG_INT, &group,
     "SRP group size for add / passwd: 1024, 1536, 2048 (add's default), 3072, 4096, 6144, 8192",
     "BITS"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
  GOptionContext *ctx = g_option_context_new("FILE OPERATION [ARGS...]");
  g_option_context_set_summary(ctx,
      "Edit the SRP verifier database FILE (SQLite; created by add and import):\n"
      "  add USER          add a user (password from the terminal, or stdin's first line)\n"
      "  passwd USER       set a new password (and --group)\n"
      "  check USER        check a password\n"
      "  delete USER       remove a user\n"
      "  import TPASSWD CONF   import srptool's tpasswd and tpasswd.conf\n"
      "  export TPASSWD CONF   write them (gnutls-serv --srppasswd/--srppasswdconf reads them)\n"
      "  list              print every user and its group size\n"
      "'tlscore-peer server --srp-db FILE' serves the users.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  int status;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    status = gt_report_setup_error(error, "srp-db");
    g_error_free(error);
  } else if (argc < 3) {
    gt_warn("usage: tlscore-peer srp-db FILE OPERATION [ARGS...] (see --help)");
    status = GT_EXIT_USAGE;
  } else if (group < 0) {
    gt_warn("--group: %d is not a group size", group);
    status = GT_EXIT_USAGE;
  } else {
    status = run(argv[1], argv + 2, argc - 2, (unsigned)group);
  }
  g_option_context_free(ctx);
  return status;
}
