/* Test helper: copies GnuTLS srptool/psktool files through a libtcstore store (import, then export). */
#include <stdio.h>
#include <string.h>

#include "tlscore/store.h"

/* store-files srp IN_TPASSWD IN_CONF OUT_TPASSWD OUT_CONF
 * store-files psk IN_FILE OUT_FILE
 * Imports into an SQLite store (a temporary file next to the first output),
 * reopens it, and exports; exit 0 on success, 1 with the message. */
int main(int argc, char **argv) {
  bool srp = argc == 6 && strcmp(argv[1], "srp") == 0;
  bool psk = argc == 4 && strcmp(argv[1], "psk") == 0;
  if (!srp && !psk) {
    fprintf(stderr, "usage: %s srp IN IN_CONF OUT OUT_CONF | psk IN OUT\n", argv[0]);
    return 2;
  }
  const char *out = srp ? argv[4] : argv[3];
  char db[4096];
  snprintf(db, sizeof db, "%s.db", out);
  remove(db);
  tc_error err;
  tc_error_clear(&err);
  tc_store_kind kind = srp ? TC_STORE_SRP : TC_STORE_PSK;
  tc_store *st = tc_store_open(db, kind, TC_STORE_CREATE, &err);
  if (!st || tc_store_import_gnutls(st, argv[2], srp ? argv[3] : NULL, &err) != TC_OK)
    goto fail;
  tc_store_close(st);
  st = tc_store_open(db, kind, TC_STORE_READONLY, &err);
  if (!st || tc_store_export_gnutls(st, out, srp ? argv[5] : NULL, &err) != TC_OK)
    goto fail;
  tc_store_close(st);
  return 0;
fail:
  fprintf(stderr, "%s\n", err.message);
  tc_store_close(st);
  return 1;
}
