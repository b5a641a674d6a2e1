/* tlscore-peer psk-db: create and edit a shared-key (PSK) database, import and export psktool files. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "netio.h"
#include "tlscore/store.h"

static bool print_entry(void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  (void)ctx;
  (void)group_bits;
  char *esc = gt_escape_bytes(name, len);
  printf("%s\n", esc);
  g_free(esc);
  return true;
}

static int store_fail(const char *what, const tc_error *err)
{
  gt_warn("%s: %s", what, err->message);
  return GT_EXIT_FAILURE;
}

/* add IDENTITY: a fresh random key of key_size bytes (as psktool makes), or
 * the one in hex_key. The key is never printed; export it to give it to a
 * peer. */
static int add(tc_store *st, const char *path, const char *identity, const char *hex_key,
               int key_size)
{
  gt_psk psk;
  GError *error = NULL;
  tc_error err;
  tc_error_clear(&err);
  int status = GT_EXIT_OK;
  if (hex_key != NULL) {
    char *spec = g_strdup_printf("%s:%s", identity, hex_key);
    gboolean ok = gt_parse_psk(spec, "--hex-key", &psk, &error);
    explicit_bzero(spec, strlen(spec));
    g_free(spec);
    if (!ok) {
      gt_warn("%s", error->message);
      g_error_free(error);
      return GT_EXIT_USAGE;
    }
  } else {
    if (key_size < 1 || key_size > TC_STORE_MAX_PSK_KEY) {
      gt_warn("--key-size must be 1..%d bytes", TC_STORE_MAX_PSK_KEY);
      return GT_EXIT_USAGE;
    }
    memset(&psk, 0, sizeof psk);
    psk.identity = (uint8_t *)g_strdup(identity);
    psk.id_len = strlen(identity);
    psk.key = g_malloc((gsize)key_size);
    psk.key_len = (size_t)key_size;
    if (getrandom(psk.key, psk.key_len, 0) != (ssize_t)psk.key_len) {
      gt_warn("the system random source failed");
      gt_psk_clear(&psk);
      return GT_EXIT_FAILURE;
    }
  }
  if (tc_store_psk_add(st, psk.identity, psk.id_len, psk.key, psk.key_len, &err) != TC_OK)
    status = store_fail(path, &err);
  gt_psk_clear(&psk);
  return status;
}

static int run(const char *path, char **args, int n, const char *hex_key, int key_size)
{
  const char *op = args[0];
  static const struct {
    const char *name;
    int nargs;
  } ops[] = {{"add", 1}, {"delete", 1}, {"import", 1}, {"export", 1}, {"list", 0}};
  int want = -1;
  for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
    if (strcmp(op, ops[i].name) == 0)
      want = ops[i].nargs;
  if (want < 0) {
    gt_warn("unknown psk-db operation '%s' (add, delete, import, export, list)", op);
    return GT_EXIT_USAGE;
  }
  if (n - 1 != want) {
    gt_warn("psk-db %s takes %d argument%s", op, want, want == 1 ? "" : "s");
    return GT_EXIT_USAGE;
  }
  if (hex_key != NULL && strcmp(op, "add") != 0) {
    gt_warn("--hex-key is for psk-db add");
    return GT_EXIT_USAGE;
  }
  gboolean writes = strcmp(op, "add") == 0 || strcmp(op, "delete") == 0 ||
                    strcmp(op, "import") == 0;
  tc_error err;
  tc_error_clear(&err);
  tc_store *st = tc_store_open(path, TC_STORE_PSK, writes ? TC_STORE_CREATE : TC_STORE_READONLY,
                               &err);
  if (st == NULL)
    return store_fail(path, &err);
  int status = GT_EXIT_OK, rc;
  if (strcmp(op, "add") == 0) {
    status = add(st, path, args[1], hex_key, key_size);
  } else if (strcmp(op, "delete") == 0) {
    rc = tc_store_delete(st, (const uint8_t *)args[1], strlen(args[1]), &err);
    if (rc == TC_STORE_NOT_FOUND) {
      gt_warn("no identity '%s' in %s", args[1], path);
      status = GT_EXIT_FAILURE;
    } else if (rc != TC_OK) {
      status = store_fail(path, &err);
    }
  } else if (strcmp(op, "import") == 0) {
    if (tc_store_import_gnutls(st, args[1], NULL, &err) != TC_OK)
      status = store_fail(args[1], &err);
  } else if (strcmp(op, "export") == 0) {
    if (tc_store_export_gnutls(st, args[1], NULL, &err) != TC_OK)
      status = store_fail(args[1], &err);
  } else if (tc_store_list(st, print_entry, NULL, &err) != TC_OK) {
    status = store_fail(path, &err);
  }
  tc_store_close(st);
  return status;
}

int gt_cmd_psk_db(int argc, char **argv)
{
  char *hex_key = NULL;
  int key_size = 32;
  GOptionEntry entries[] = {
    {"hex-key", 0, 0, G_OPTION_ARG_STRING, &hex_key,
     "add: use this key instead of a random one", "HEXKEY"},
    {"key-size", 0, 0, G_OPTION_ARG_INT, &key_size,
     "add: size of the random key in bytes (default 32, as psktool)", "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};
  GOptionContext *ctx = g_option_context_new("FILE add|delete IDENTITY | import|export PSKFILE | list");
  g_option_context_set_summary(ctx,
      "Edit a shared-key (PSK) database for 'tlscore-peer server --psk-db FILE' (SQLite; created\n"
      "0600 when missing). 'add' stores a random key (psktool's default size) unless --hex-key\n"
      "is given; 'import' and 'export' read and write psktool's IDENTITY:HEXKEY files, which\n"
      "gnutls-serv --pskpasswd and 'tlscore-peer client --psk-file' use. Keys are never printed.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  int status;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    status = gt_report_setup_error(error, "psk-db");
    g_error_free(error);
  } else if (argc < 3) {
    gt_warn("usage: tlscore-peer psk-db FILE add|delete|import|export|list [ARG]");
    status = GT_EXIT_USAGE;
  } else {
    status = run(argv[1], argv + 2, argc - 2, hex_key, key_size);
  }
  if (hex_key != NULL) {
    explicit_bzero(hex_key, strlen(hex_key));
    g_free(hex_key);
  }
  g_option_context_free(ctx);
  return status;
}
