/* GnuTLS srptool (tpasswd, tpasswd.conf) and psktool file import and export. */
#include "store/store_internal.h"

int tc_store_import_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err) {
  (void)st;
  (void)path;
  (void)conf_path;
  return tc_error_set(err, TC_ERR_UNSUPPORTED, "Importing GnuTLS files is not implemented yet.");
}

int tc_store_export_gnutls(tc_store *st, const char *path, const char *conf_path, tc_error *err) {
  (void)st;
  (void)path;
  (void)conf_path;
  return tc_error_set(err, TC_ERR_UNSUPPORTED, "Exporting GnuTLS files is not implemented yet.");
}
