/* tlscore-peer shared plumbing: addresses, sockets, credential files and moving bytes between a socket and a tc_conn. */
#ifndef GTLS_TOOL_NETIO_H
#define GTLS_TOOL_NETIO_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include <glib.h>

#include "tlscore/config.h"
#include "tlscore/conn.h"
#include "tlscore/x509.h"

/* Exit statuses shared by all commands. */
enum {
  GT_EXIT_OK = 0,
  GT_EXIT_FAILURE = 1,   /* TLS or network failure */
  GT_EXIT_USAGE = 2      /* bad command line */
};

#define GT_ERROR (gt_error_quark())
GQuark gt_error_quark(void);
/* GT_ERROR codes: a usage error gets a --help hint and GT_EXIT_USAGE. */
enum { GT_ERR_USAGE = 0, GT_ERR_FAILED = 1 };
/* Print the error (with a hint for usage errors) and return the exit status. */
int gt_report_setup_error(const GError *error, const char *command);

/* A command: `run` gets argv with argv[0] being "tlscore-peer NAME". */
typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} gt_command;

int gt_cmd_server(int argc, char **argv);
int gt_cmd_client(int argc, char **argv);
int gt_cmd_srp_db(int argc, char **argv);
int gt_cmd_psk_db(int argc, char **argv);

/* Print "tlscore-peer: <message>" on stderr. */
void gt_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* ---- addresses and sockets ---- */

/* Split "HOST:PORT", "[V6]:PORT" into a host (caller frees) and a port.
 * allow_zero lets a server ask for an ephemeral port. */
gboolean gt_parse_host_port(const char *text, gboolean allow_zero, char **host, guint16 *port,
                            GError **error);
/* "127.0.0.1:443" / "[::1]:443" for a socket address; caller frees. */
char *gt_format_sockaddr(const struct sockaddr *sa, socklen_t len);
/* Connected TCP socket (blocking connect, then non-blocking). */
int gt_tcp_connect(const char *host, guint16 port, char **peer_desc, GError **error);
/* Listening non-blocking TCP socket; *bound_desc gets the real address. */
int gt_tcp_listen(const char *host, guint16 port, char **bound_desc, GError **error);
gboolean gt_set_nonblocking(int fd, GError **error);

/* ---- protocol options ---- */

/* Apply --min-version/--max-version (ssl3.0, tls1.0, tls1.1, tls1.2,
 * tls1.3; NULL keeps the default) and --ciphers (comma-separated IANA
 * names, NULL keeps the default) to cfg. */
gboolean gt_apply_protocol_options(tc_config *cfg, const char *min_version,
                                   const char *max_version, const char *ciphers, GError **error);
/* --groups and --sigalgs: IANA names (x25519, secp521r1, ffdhe2048, ...;
 * ecdsa_secp256r1_sha256, ed448, rsa_pss_pss_sha256, ...) in preference
 * order; NULL keeps the configuration's default. */
gboolean gt_apply_algorithm_options(tc_config *cfg, const char *groups, const char *sigalgs,
                                    GError **error);

/* ---- credentials ---- */

/* Every certificate in a PEM/DER file (leaf first). */
tc_cert **gt_load_certs(const char *path, size_t *n, GError **error);
void gt_free_certs(tc_cert **certs, size_t n);
tc_privkey *gt_load_key(const char *path, GError **error);
tc_trust_store *gt_load_trust_store(const char *path, GError **error);
/* Load a chain and its key and add them to cfg. */
gboolean gt_config_add_cert_files(tc_config *cfg, const char *cert_path, const char *key_path,
                                  GError **error);
/* "h2,http/1.1" -> NULL-terminated vector; rejects empty or over-long names. */
char **gt_parse_alpn(const char *list, GError **error);

/* ---- shared keys (PSK) ---- */

typedef struct {
  uint8_t *identity;
  size_t id_len;
  uint8_t *key;        /* wiped by gt_psk_clear */
  size_t key_len;
  tc_psk_hash hash;    /* TLS 1.3 binder hash (--psk-hash); SHA-256 by default */
} gt_psk;

/* "IDENTITY:HEXKEY" (split at the last ':'; the identity may hold colons).
 * `what` names the option in errors; the key never appears in them. */
gboolean gt_parse_psk(const char *spec, const char *what, gt_psk *out, GError **error);
/* psktool's file, read as GnuTLS reads it (the store's parser: split at the
 * first ':', "#HEX" identities). Calls add() for each entry (identity NULL)
 * or only the matching one (FALSE if absent). */
gboolean gt_load_psk_file(const char *path, const char *identity,
                          gboolean (*add)(const gt_psk *psk, void *ctx, GError **error),
                          void *ctx, GError **error);
void gt_psk_clear(gt_psk *p);
/* tc_config_add_psk with a GError naming `what`. */
gboolean gt_config_add_psk(tc_config *cfg, const gt_psk *psk, const char *what, GError **error);
/* TLS 1.3 PSK options of both commands: --psk-hash sha256|sha384 (the hash
 * the keys are bound to; NULL: SHA-256) and --psk-modes dhe|ke|both (NULL:
 * the engine's defaults). */
gboolean gt_parse_psk_hash(const char *text, tc_psk_hash *out, GError **error);
gboolean gt_apply_psk_modes(tc_config *cfg, const char *text, GError **error);
/* Printable form of raw identity bytes (\xNN for the rest); caller frees. */
char *gt_escape_bytes(const uint8_t *p, size_t n);
/* A password for user: from the terminal without echo (prompting), or the
 * first line of stdin when it is not a terminal (read byte by byte, so the
 * rest of stdin stays unread). g_malloc'd; the caller wipes and frees it.
 * what names the option in errors. */
char *gt_read_password(const char *user, const char *what, size_t *len, GError **error);
/* gt_escape_bytes of a C string (NULL stays NULL); free with g_free. */
char *gt_escape_str(const char *s);

/* ---- driving a connection over a non-blocking socket ---- */

typedef struct {
  int fd;
  tc_conn *tls;
  bool net_eof;        /* recv() returned 0 */
  bool eof_given;      /* tc_conn_input_eof() was called */
} gt_link;

/* Send what the engine has queued, then receive if it takes input. Never
 * blocks. *progress is set when any byte moved. FALSE on a socket error. */
gboolean gt_link_pump(gt_link *l, gboolean *progress, GError **error);
/* Send what the engine has queued; FALSE on a socket error. */
gboolean gt_link_flush(gt_link *l, gboolean *progress, GError **error);
/* poll() events the link waits for right now. */
short gt_link_events(gt_link *l);
/* Turn a tc_conn failure into a GError "TLS error: ..." naming the alert. */
void gt_set_tls_error(GError **error, const tc_conn *c);

/* ---- reporting ---- */

/* Peer leaf subject, escaped with gt_escape_bytes (it comes from the
 * wire), or NULL; caller frees with g_free(). */
char *gt_peer_subject(const tc_conn *c);
/* Multi-line "key: value" report of the negotiated parameters. */
void gt_print_negotiated(FILE *out, const tc_conn *c);
/* One-line summary for server logs; caller frees. */
char *gt_describe_negotiated(const tc_conn *c);

#endif
