/* tlscore-peer: the test suites' engine driver (tlscore over raw sockets, no GIO); command dispatcher, one cmd-*.c file per command. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "netio.h"

static const gt_command commands[] = {
  {"server", "accept TLS connections and echo or answer HTTP", gt_cmd_server},
  {"client", "connect, handshake and copy stdin/stdout over TLS", gt_cmd_client},
  {"srp-db", "manage an SRP verifier database (add, import, export, list)", gt_cmd_srp_db},
  {"psk-db", "manage a shared-key (PSK) database (add, import, export, list)", gt_cmd_psk_db},
};

static void usage(FILE *out)
{
  fprintf(out, "Usage: tlscore-peer COMMAND [OPTIONS...]\n\nCommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nRun 'tlscore-peer COMMAND --help' for the options of a command,\n"
               "'tlscore-peer --version' for the version.\n");
}

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* A peer closing early must surface as an error, not kill the tool. */
  signal(SIGPIPE, SIG_IGN);

  if (argc < 2) {
    usage(stderr);
    return GT_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("tlscore-peer %s\n", TLSCORE_PEER_VERSION);
    return GT_EXIT_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return GT_EXIT_OK;
  }
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      /* Let the command see "tlscore-peer NAME" as its program name. */
      char *prog = g_strdup_printf("tlscore-peer %s", commands[i].name);
      g_set_prgname(prog);
      argv[1] = prog;
      int rc = commands[i].run(argc - 1, argv + 1);
      g_free(prog);
      return rc;
    }
  }
  gt_warn("unknown command '%s'", argv[1]);
  usage(stderr);
  return GT_EXIT_USAGE;
}
