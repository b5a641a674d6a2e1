/* gtls-tool: command dispatcher (TLS Lite's tls.py and tlsdb.py as one GIO program); one cmd-*.c per command. */
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tlslite-gio/tlslite.h>

#include "gtls-tool.h"

static const gt_command commands[] = {
  {"server", N_("accept TLS connections; echo, or answer HTTP requests with --http"),
   N_("HOST:PORT --cert FILE [--key FILE] [--http] [--srp-db FILE] [--psk-db FILE]"),
   gt_cmd_server},
  {"client", N_("connect, show what was negotiated, copy stdin/stdout over TLS"),
   N_("HOST:PORT [--ca FILE] [--server-name NAME] [--srp USER] [--psk ID:HEX] [--pin PIN]"),
   gt_cmd_client},
  {"cert", N_("show certificates in words, or verify a chain for a host"),
   N_("FILE... | --verify [--ca FILE] [--host NAME] FILE"), gt_cmd_cert},
  {"db", N_("manage SRP verifier and shared-key (PSK) databases (TLS Lite's tlsdb.py)"),
   N_("create-srp|create-psk|add|passwd|del|list|check|import|export FILE ..."), gt_cmd_db},
  {"servertest", N_("the server side of TLS Lite's paired self-test"), N_("HOST:PORT DIR"),
   gt_cmd_servertest},
  {"clienttest", N_("the client side: walks through every mode the server offers"),
   N_("HOST:PORT DIR"), gt_cmd_clienttest},
  {"testcreds", N_("make the credentials DIR the self-test needs"), N_("DIR"), gt_cmd_testcreds},
};

static void usage(FILE *out)
{
  fprintf(out, _("Usage: gtls-tool COMMAND [OPTIONS...]\n\nCommands:\n"));
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-10s %s\n  %10s   gtls-tool %s %s\n", commands[i].name, _(commands[i].summary),
            "", commands[i].name, _(commands[i].usage));
  fprintf(out, _("\nMain options:\n"
                 "  --help       show the options of a command (gtls-tool COMMAND --help)\n"
                 "  --version    print the version\n"
                 "  --backend NAME  (client, server) run on another GIO TLS backend, e.g. gnutls\n"
                 "\nExit status: 0 success, 1 failure, 2 wrong arguments.\n"));
}

/* Catalogues: TLSLITE_LOCALEDIR (as the module reads it), else the build tree's when this is the
 * build tree's tool, else the installed ones. */
static const char *locale_dir(void)
{
  const char *dir = secure_getenv("TLSLITE_LOCALEDIR");
  if (dir != NULL && g_path_is_absolute(dir))
    return dir;
#ifdef GTLS_TOOL_BUILD_LOCALEDIR
  if (gt_running_from_build_tree()) {
    /* The library binds the same domain from TLSLITE_LOCALEDIR when the module loads: point it
     * at the same catalogues, or it would rebind the domain to the (absent) installed ones. */
    g_setenv("TLSLITE_LOCALEDIR", GTLS_TOOL_BUILD_LOCALEDIR, TRUE);
    return GTLS_TOOL_BUILD_LOCALEDIR;
  }
#endif
  return LOCALEDIR;
}

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  bindtextdomain(GETTEXT_PACKAGE, locale_dir());
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
  textdomain(GETTEXT_PACKAGE);
  /* A peer closing early must surface as an error, not kill the tool. */
  signal(SIGPIPE, SIG_IGN);

  if (argc < 2)
    return gt_usage_error(NULL, _("no command given"));
  if (strcmp(argv[1], "--version") == 0) {
    /* The library actually loaded, which may differ from the one built with. */
    printf("gtls-tool %s (tlslite-gio %s)\n", GTLS_TOOL_VERSION, tlslite_get_version());
    return GT_EXIT_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return GT_EXIT_OK;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      /* Let the command see "gtls-tool NAME" as its program name. */
      char *prog = g_strdup_printf("gtls-tool %s", commands[i].name);
      g_set_prgname(prog);
      argv[1] = prog;
      int rc = commands[i].run(argc - 1, argv + 1);
      g_free(prog);
      return rc;
    }
  }
  char *e = gt_escape(argv[1], -1);
  int rc = gt_usage_error(NULL, _("unknown command '%s'"), e);
  g_free(e);
  return rc;
}
