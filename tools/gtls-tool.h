/* gtls-tool: what the commands share (exit codes, messages, backend choice, certificates, printing). */
#ifndef GTLS_TOOL_H
#define GTLS_TOOL_H

#include <gio/gio.h>
/* _() is g_dgettext (GETTEXT_PACKAGE, ...): the tool shares the module's domain. */
#include <glib/gi18n-lib.h>
#include <stdio.h>

enum {
  GT_EXIT_OK = 0,
  GT_EXIT_FAIL = 1,
  GT_EXIT_USAGE = 2,
};

/* A command: `run` gets argv with argv[0] being "gtls-tool NAME". */
typedef struct {
  const char *name;
  const char *summary;   /* N_() marked; translated when printed */
  const char *usage;     /* main options, shown by the top-level --help; N_() marked */
  int (*run)(int argc, char **argv);
} gt_command;

int gt_cmd_client(int argc, char **argv);
int gt_cmd_server(int argc, char **argv);
int gt_cmd_cert(int argc, char **argv);
int gt_cmd_db(int argc, char **argv);
int gt_cmd_servertest(int argc, char **argv);
int gt_cmd_clienttest(int argc, char **argv);
int gt_cmd_testcreds(int argc, char **argv);

/* "gtls-tool: MESSAGE" on stderr. */
void gt_err(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* "gtls-tool: warning: MESSAGE" on stderr. */
void gt_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* One line naming the mistake plus the --help hint for COMMAND (NULL: top
 * level); returns GT_EXIT_USAGE. */
int gt_usage_error(const char *command, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* GOptionContext parse; a parse error becomes a usage error (FALSE). */
gboolean gt_parse(GOptionContext *ctx, const char *command, int *argc, char ***argv);

/* Bytes from the wire or a file made printable: valid UTF-8 that prints is
 * kept, everything else becomes \xNN (backslash itself doubled). */
char *gt_escape(const char *s, gssize len);

/* Options every TLS command shares, and how they reach the backend. */
typedef struct {
  char *backend;
  char *min_version, *max_version, *ciphers, *groups, *settings;
} gt_tls_options;

/* Frees what option parsing stored. */
void gt_tls_options_clear(gt_tls_options *o);
/* GOptionEntries for gt_tls_options (static storage, for g_option_context_add_main_entries). */
const GOptionEntry *gt_tls_option_entries(gt_tls_options *o);
/* Choose the TLS backend as a GIO program does (GIO_USE_TLS; default
 * "tlslite", from the build tree when this is the build tree's tool) and
 * apply the handshake options. Call before anything touches GIO's TLS. */
gboolean gt_tls_setup(const gt_tls_options *o, GError **error);
/* TRUE when this is the build tree's gtls-tool (it then uses the build tree's module and
 * catalogues). */
gboolean gt_running_from_build_tree(void);
/* The name of the backend GIO handed out (e.g. "tlslite", "gnutls"). */
const char *gt_backend_name(void);

/* TRUE if OBJ has a property NAME (a backend may not offer SRP, pins ...). */
gboolean gt_has_property(gpointer obj, const char *name);

/* Certificate and key: PEM files, a PKCS#12 file (key may be NULL), an
 * encrypted key (password from PASSWORD_FILE or asked on the terminal). */
GTlsCertificate *gt_load_certificate(const char *cert, const char *key, const char *password_file,
                                     GError **error);
/* A secret: from FILE (first line), else the terminal without echo, else
 * one line of stdin when it is not a terminal. */
char *gt_read_password(const char *prompt, const char *file, GError **error);

/* "host:port", "[v6]:port" or "v6addr:port" (last colon). */
gboolean gt_parse_host_port(const char *s, char **host, guint16 *port, GError **error);

/* SHA-256 of the certificate's DER, "AB:CD:..." */
char *gt_cert_fingerprint(GTlsCertificate *cert);
/* The verification flags in words ("trusted" when none). */
char *gt_cert_flags_words(GTlsCertificateFlags flags);
/* "TLS 1.3" ... */
const char *gt_protocol_name(GTlsProtocolVersion v);
/* Subject, issuer, validity, fingerprint of CERT, each line prefixed by INDENT. */
void gt_print_certificate(FILE *out, GTlsCertificate *cert, const char *indent);

/* Progress of a long operation, on stderr and only when stderr is a terminal: one line redrawn
 * in place, "LABEL: DONE/TOTAL, RATE/s, ETA N s, N s elapsed", or for a single long step (TOTAL 1)
 * a spinner with the elapsed time. A thread redraws it a few times a second, so it moves while
 * the step runs. Lines printed meanwhile go between gt_progress_hold and gt_progress_release. */
typedef struct {
  gboolean on;
  const char *label;
  guint total, done, tick;
  gint64 start;
  gboolean stop;
  GMutex lock;
  GCond wake;
  GThread *ticker;
} gt_progress;
void gt_progress_start(gt_progress *p, const char *label, guint total);
void gt_progress_step(gt_progress *p, guint done);
/* Erases the line and keeps it off until gt_progress_release (which draws it again). */
void gt_progress_hold(gt_progress *p);
void gt_progress_release(gt_progress *p);
/* Stops the redrawing and leaves the final state on its own line ("LABEL: N/N in N s"). */
void gt_progress_end(gt_progress *p);

#endif
