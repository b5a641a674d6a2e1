/* gtls-tool client: connect through GSocketClient, optionally STARTTLS, handshake a GTlsClientConnection, report, copy stdin/stdout. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "gtls-tool.h"

typedef struct {
  gt_tls_options tls;
  char *ca, *server_name, *cert, *key, *key_password_file, *alpn;
  gboolean insecure, pin_only;
  char **pins;
  char *srp_user, *password, *password_file;
  char *psk, *psk_key_file;
  char *starttls;
  int resume;

  char *host;
  guint16 port;
  GTlsCertificate *own;
  GTlsDatabase *db;
  GBytes *psk_key;
  char *psk_identity;
  char *srp_password;
} client;

/* What accept-certificate saw: the result in words even when the handshake fails. */
typedef struct {
  gboolean called;
  GTlsCertificateFlags errors;
  gboolean insecure;
} verify_state;

static gboolean on_accept_certificate(GTlsConnection *conn, GTlsCertificate *peer,
                                      GTlsCertificateFlags errors, gpointer data)
{
  verify_state *v = data;
  v->called = TRUE;
  v->errors = errors;
  return v->insecure;
}

/* ---------------- STARTTLS ---------------- */

/* One line from the plain stream, byte by byte so nothing meant for TLS is buffered away. */
static char *read_line(GInputStream *in, GError **error)
{
  GString *line = g_string_new(NULL);
  while (line->len < 4096) {
    char c;
    gssize n = g_input_stream_read(in, &c, 1, NULL, error);
    if (n < 0) {
      g_string_free(line, TRUE);
      return NULL;
    }
    if (n == 0) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                  _("The server closed the connection before STARTTLS"));
      g_string_free(line, TRUE);
      return NULL;
    }
    if (c == '\n')
      break;
    if (c != '\r')
      g_string_append_c(line, c);
  }
  return g_string_free(line, FALSE);
}

static gboolean send_line(GOutputStream *out, const char *line, GError **error)
{
  return g_output_stream_write_all(out, line, strlen(line), NULL, NULL, error);
}

static gboolean refused(const char *line, GError **error)
{
  char *e = gt_escape(line, -1);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("STARTTLS refused: %s"), e);
  g_free(e);
  return FALSE;
}

static gboolean not_offered(const char *proto, GError **error)
{
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
              _("The server does not offer STARTTLS (%s)"), proto);
  return FALSE;
}

/* The reply to the last command: lines are read until the final one, which must start with OK.
 * SMTP continuation lines ("250-...") and IMAP untagged lines ("* ...") come before the final
 * one; a continuation or untagged line holding the word OFFER (when not NULL) sets *OFFERED. */
static gboolean expect_reply(GInputStream *in, const char *proto, const char *ok,
                             const char *offer, gboolean *offered, GError **error)
{
  gboolean smtp = strcmp(proto, "smtp") == 0, imap = strcmp(proto, "imap") == 0;
  for (;;) {
    char *line = read_line(in, error);
    if (line == NULL)
      return FALSE;
    gboolean more = (smtp && strlen(line) >= 4 && line[3] == '-') ||
                    (imap && g_str_has_prefix(line, "* ") && !g_str_has_prefix(ok, "* "));
    gboolean last_smtp = smtp && strlen(line) >= 4 && line[3] == ' ';
    if (offer != NULL && (more || last_smtp)) {
      /* Words of the line, case-insensitively (EHLO keywords, IMAP capabilities). */
      char **words = g_strsplit_set(line + (smtp ? 4 : 2), " ", -1);
      for (char **w = words; *w; w++)
        if (g_ascii_strcasecmp(*w, offer) == 0)
          *offered = TRUE;
      g_strfreev(words);
    }
    if (more) {
      g_free(line);
      continue;
    }
    gboolean good = g_str_has_prefix(line, ok);
    if (!good)
      refused(line, error);
    g_free(line);
    return good;
  }
}

/* POP3's CAPA answer: "+OK", then one capability per line up to ".". */
static gboolean pop3_capa(GInputStream *in, gboolean *stls, GError **error)
{
  if (!expect_reply(in, "pop3", "+OK", NULL, NULL, error))
    return FALSE;
  for (int n = 0; n < 1000; n++) {
    char *line = read_line(in, error);
    if (line == NULL)
      return FALSE;
    gboolean end = strcmp(line, ".") == 0;
    if (g_ascii_strcasecmp(line, "STLS") == 0)
      *stls = TRUE;
    g_free(line);
    if (end)
      return TRUE;
  }
  return refused(_("endless CAPA list"), error);
}

/* The plain-text part of each protocol: greeting, capabilities (STARTTLS must be among them),
 * then STARTTLS and the server's go-ahead. */
static gboolean starttls(GIOStream *plain, const char *proto, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream(plain);
  GOutputStream *out = g_io_stream_get_output_stream(plain);
  gboolean offered = FALSE;
  if (strcmp(proto, "smtp") == 0) {
    if (!expect_reply(in, proto, "220", NULL, NULL, error) ||
        !send_line(out, "EHLO gtls-tool\r\n", error) ||
        !expect_reply(in, proto, "250", "STARTTLS", &offered, error))
      return FALSE;
    if (!offered)
      return not_offered(proto, error);
    return send_line(out, "STARTTLS\r\n", error) &&
           expect_reply(in, proto, "220", NULL, NULL, error);
  }
  if (strcmp(proto, "imap") == 0) {
    if (!expect_reply(in, proto, "* OK", NULL, NULL, error) ||
        !send_line(out, "a001 CAPABILITY\r\n", error) ||
        !expect_reply(in, proto, "a001 OK", "STARTTLS", &offered, error))
      return FALSE;
    if (!offered)
      return not_offered(proto, error);
    return send_line(out, "a002 STARTTLS\r\n", error) &&
           expect_reply(in, proto, "a002 OK", NULL, NULL, error);
  }
  /* pop3 (RFC 2595: STLS) */
  if (!expect_reply(in, proto, "+OK", NULL, NULL, error) || !send_line(out, "CAPA\r\n", error) ||
      !pop3_capa(in, &offered, error))
    return FALSE;
  if (!offered)
    return not_offered(proto, error);
  return send_line(out, "STLS\r\n", error) && expect_reply(in, proto, "+OK", NULL, NULL, error);
}

/* ---------------- one connection ---------------- */

static GTlsConnection *connect_once(client *cl, verify_state *v, gint64 *handshake_us,
                                    GError **error)
{
  GSocketClient *sc = g_socket_client_new();
  g_socket_client_set_timeout(sc, 30);
  GSocketConnection *plain = g_socket_client_connect_to_host(sc, cl->host, cl->port, NULL, error);
  g_object_unref(sc);
  if (plain == NULL)
    return NULL;
  /* The timeout is for connecting; an interactive session may idle. */
  g_socket_set_timeout(g_socket_connection_get_socket(plain), 0);
  if (cl->starttls != NULL && !starttls(G_IO_STREAM(plain), cl->starttls, error)) {
    g_object_unref(plain);
    return NULL;
  }

  GSocketConnectable *identity =
      g_network_address_new(cl->server_name ? cl->server_name : cl->host, cl->port);
  GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(plain), identity, error);
  g_object_unref(identity);
  g_object_unref(plain);
  if (tls == NULL)
    return NULL;
  GTlsConnection *conn = G_TLS_CONNECTION(tls);

  if (cl->db != NULL)
    g_tls_connection_set_database(conn, cl->db);
  if (cl->own != NULL)
    g_tls_connection_set_certificate(conn, cl->own);
  if (cl->alpn != NULL) {
    char **protos = g_strsplit(cl->alpn, ",", -1);
    g_tls_connection_set_advertised_protocols(conn, (const char *const *)protos);
    g_strfreev(protos);
  }
  g_signal_connect(conn, "accept-certificate", G_CALLBACK(on_accept_certificate), v);

  /* The extras go by property name: a backend without them says so. */
  struct { gboolean wanted; const char *prop; const char *what; } extras[] = {
    {cl->pins != NULL || cl->pin_only, "pins", "--pin"},
    {cl->srp_user != NULL, "srp-username", "--srp"},
    {cl->psk != NULL, "psk-identity", "--psk"},
    {cl->tls.settings != NULL, "settings-string", "--settings"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(extras); i++)
    if (extras[i].wanted && !gt_has_property(conn, extras[i].prop)) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                  _("The '%s' TLS backend does not support %s (no \"%s\" property)"),
                  gt_backend_name(), extras[i].what, extras[i].prop);
      g_object_unref(conn);
      return NULL;
    }
  if (cl->tls.settings != NULL)
    g_object_set(conn, "settings-string", cl->tls.settings, NULL);
  if (cl->pins != NULL)
    g_object_set(conn, "pins", cl->pins, NULL);
  if (cl->pin_only)
    g_object_set(conn, "pin-only", TRUE, NULL);
  if (cl->srp_user != NULL)
    g_object_set(conn, "srp-username", cl->srp_user, "srp-password", cl->srp_password, NULL);
  if (cl->psk != NULL)
    g_object_set(conn, "psk-identity", cl->psk_identity, "psk-key", cl->psk_key, NULL);

  gint64 t0 = g_get_monotonic_time();
  gboolean ok = g_tls_connection_handshake(conn, NULL, error);
  *handshake_us = g_get_monotonic_time() - t0;
  if (!ok) {
    g_object_unref(conn);
    return NULL;
  }
  return conn;
}

static char *string_property(gpointer obj, const char *name)
{
  char *v = NULL;
  if (gt_has_property(obj, name)) {
    GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(obj), name);
    if ((ps->flags & G_PARAM_READABLE) && ps->value_type == G_TYPE_STRING)
      g_object_get(obj, name, &v, NULL);
  }
  return v;
}

static void print_summary(client *cl, GTlsConnection *conn, const verify_state *v, gint64 us)
{
  FILE *o = stderr;
  fprintf(o, _("Connected to %s port %u through the '%s' backend\n"), cl->host, cl->port,
          gt_backend_name());
  fprintf(o, _("Protocol version: %s\n"), gt_protocol_name(g_tls_connection_get_protocol_version(conn)));
  char *suite = g_tls_connection_get_ciphersuite_name(conn);
  fprintf(o, _("Cipher suite: %s\n"), suite ? suite : "?");
  g_free(suite);
  char *group = string_property(conn, "group-name");
  if (group != NULL)
    fprintf(o, _("Group: %s\n"), group);
  g_free(group);

  GTlsCertificate *peer = g_tls_connection_get_peer_certificate(conn);
  if (peer != NULL) {
    fprintf(o, _("Peer certificate:\n"));
    gt_print_certificate(o, peer, "  ");
    char *words = gt_cert_flags_words(g_tls_connection_get_peer_certificate_errors(conn));
    fprintf(o, _("Verification: %s%s\n"), words,
            v->insecure && g_tls_connection_get_peer_certificate_errors(conn)
                ? _(" (accepted anyway: --insecure)") : "");
    g_free(words);
  } else {
    fprintf(o, _("Peer certificate: none\n"));
  }
  const char *alpn = g_tls_connection_get_negotiated_protocol(conn);
  char *ealpn = alpn ? gt_escape(alpn, -1) : NULL;
  fprintf(o, _("ALPN: %s\n"), ealpn ? ealpn : _("none"));
  g_free(ealpn);
  if (gt_has_property(conn, "session-resumed")) {
    gboolean r = FALSE;
    g_object_get(conn, "session-resumed", &r, NULL);
    fprintf(o, _("Resumed: %s\n"), r ? _("yes") : _("no"));
  }
  char *user = string_property(conn, "srp-username");
  if (user != NULL) {
    char *e = gt_escape(user, -1);
    fprintf(o, _("SRP user: %s\n"), e);
    g_free(e);
  }
  g_free(user);
  char *ident = string_property(conn, "psk-identity");
  if (ident != NULL) {
    char *e = gt_escape(ident, -1);
    fprintf(o, _("PSK identity: %s\n"), e);
    g_free(e);
  }
  g_free(ident);
  fprintf(o, _("Handshake time: %.1f ms\n"), (double)us / 1000.0);
  fflush(o);
}

static gboolean resumed(GTlsConnection *conn)
{
  gboolean r = FALSE;
  if (gt_has_property(conn, "session-resumed"))
    g_object_get(conn, "session-resumed", &r, NULL);
  return r;
}

/* A --resume probe: close_notify, then read to the end so a session ticket sent after the
 * handshake is taken in before the next connection. */
static void finish_probe(GTlsConnection *conn)
{
  GIOStream *base = NULL;
  g_object_get(conn, "base-io-stream", &base, NULL);
  if (G_IS_SOCKET_CONNECTION(base))
    g_socket_set_timeout(g_socket_connection_get_socket(G_SOCKET_CONNECTION(base)), 5);
  g_clear_object(&base);
  g_output_stream_close(g_io_stream_get_output_stream(G_IO_STREAM(conn)), NULL, NULL);
  char buf[4096];
  while (g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)), buf, sizeof buf,
                             NULL, NULL) > 0)
    ;
  g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
}

/* ---------------- copying ---------------- */

/* One thread, one main loop: stdin and the TLS input are polled together, so the close_notify
 * sent at the end of stdin never waits for a blocked read (GIO lets a write-side close wait for a
 * pending read, as glib-networking does). */
typedef struct {
  GTlsConnection *conn;
  GMainLoop *loop;
  int rc;
  gboolean stdin_done;
} copier;

static gboolean on_stdin(gint fd, GIOCondition cond, gpointer data)
{
  copier *cp = data;
  char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && errno == EINTR)
    return G_SOURCE_CONTINUE;
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(cp->conn));
  if (n > 0) {
    GError *error = NULL;
    if (!g_output_stream_write_all(out, buf, (gsize)n, NULL, NULL, &error)) {
      gt_err(_("writing to the server: %s"), error->message);
      g_error_free(error);
      cp->rc = GT_EXIT_FAIL;
      g_main_loop_quit(cp->loop);
      return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
  }
  /* End of input: close_notify in our direction; the peer's data still arrives. */
  g_output_stream_close(out, NULL, NULL);
  cp->stdin_done = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean on_tls(GObject *stream, gpointer data)
{
  copier *cp = data;
  char buf[16384];
  for (;;) {
    GError *error = NULL;
    gssize n = g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(stream), buf,
                                                        sizeof buf, NULL, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      g_error_free(error);
      return G_SOURCE_CONTINUE;
    }
    if (n < 0) {
      gt_err(_("reading from the server: %s"), error->message);
      g_error_free(error);
      cp->rc = GT_EXIT_FAIL;
    }
    if (n <= 0) {
      g_main_loop_quit(cp->loop);
      return G_SOURCE_REMOVE;
    }
    for (gssize off = 0; off < n;) {
      ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        gt_err(_("writing to standard output: %s"), g_strerror(errno));
        cp->rc = GT_EXIT_FAIL;
        g_main_loop_quit(cp->loop);
        return G_SOURCE_REMOVE;
      }
      off += w;
    }
  }
}

static int copy_stdio(GTlsConnection *conn)
{
  copier cp = {.conn = conn, .loop = g_main_loop_new(NULL, FALSE), .rc = GT_EXIT_OK};
  guint in_id = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &cp);
  GSource *tls = g_pollable_input_stream_create_source(
      G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(G_IO_STREAM(conn))), NULL);
  g_source_set_callback(tls, (GSourceFunc)(void (*)(void))on_tls, &cp, NULL);
  g_source_attach(tls, NULL);
  g_main_loop_run(cp.loop);
  /* When the peer ends first, we end, stdin or not. */
  if (!cp.stdin_done)
    g_source_remove(in_id);
  g_source_destroy(tls);
  g_source_unref(tls);
  g_main_loop_unref(cp.loop);
  return cp.rc;
}

/* ---------------- options ---------------- */

static gboolean parse_psk(client *cl, GError **error)
{
  const char *colon = strchr(cl->psk, ':');
  char *hex = NULL;
  if (colon != NULL) {
    cl->psk_identity = g_strndup(cl->psk, (gsize)(colon - cl->psk));
    hex = g_strdup(colon + 1);
  } else if (cl->psk_key_file != NULL) {
    cl->psk_identity = g_strdup(cl->psk);
    char *data = NULL;
    if (!g_file_get_contents(cl->psk_key_file, &data, NULL, error))
      return FALSE;
    /* A bare hex key, or psktool's "identity:hexkey" lines. */
    char **lines = g_strsplit(data, "\n", -1);
    for (char **l = lines; *l && hex == NULL; l++) {
      g_strstrip(*l);
      const char *c = strchr(*l, ':');
      if (c == NULL && **l != '\0' && l == lines)
        hex = g_strdup(*l);
      else if (c != NULL && (size_t)(c - *l) == strlen(cl->psk_identity) &&
               strncmp(*l, cl->psk_identity, (size_t)(c - *l)) == 0)
        hex = g_strdup(c + 1);
    }
    g_strfreev(lines);
    memset(data, 0, strlen(data));
    g_free(data);
    if (hex == NULL) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No key for '%s' in %s"),
                  cl->psk_identity, cl->psk_key_file);
      return FALSE;
    }
  } else {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("--psk wants IDENTITY:HEXKEY, or IDENTITY with --psk-key-file"));
    return FALSE;
  }
  size_t n = strlen(hex);
  gboolean good = n > 0 && n % 2 == 0;
  guint8 *key = g_malloc(n / 2 + 1);
  for (size_t i = 0; good && i < n; i += 2) {
    int hi = g_ascii_xdigit_value(hex[i]), lo = g_ascii_xdigit_value(hex[i + 1]);
    good = hi >= 0 && lo >= 0;
    key[i / 2] = (guint8)(hi * 16 + lo);
  }
  memset(hex, 0, n);
  g_free(hex);
  if (!good) {
    g_free(key);
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("The PSK key is not an even number of hex digits"));
    return FALSE;
  }
  cl->psk_key = g_bytes_new_take(key, n / 2);
  return TRUE;
}

int gt_cmd_client(int argc, char **argv)
{
  client cl = {0};
  const GOptionEntry entries[] = {
    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &cl.ca,
     N_("Trust these CA certificates (PEM) instead of the system's"), N_("FILE")},
    {"server-name", 0, 0, G_OPTION_ARG_STRING, &cl.server_name,
     N_("Name to verify and send as SNI (default: HOST)"), N_("NAME")},
    {"insecure", 0, 0, G_OPTION_ARG_NONE, &cl.insecure,
     N_("Go on even if the certificate does not verify (the result is still shown)"), NULL},
    {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cl.cert,
     N_("Client certificate (PEM, or PKCS#12)"), N_("FILE")},
    {"key", 0, 0, G_OPTION_ARG_FILENAME, &cl.key, N_("Private key of --cert (PEM)"), N_("FILE")},
    {"key-password-file", 0, 0, G_OPTION_ARG_FILENAME, &cl.key_password_file,
     N_("Password of an encrypted key or PKCS#12 file (else asked)"), N_("FILE")},
    {"alpn", 0, 0, G_OPTION_ARG_STRING, &cl.alpn,
     N_("ALPN protocols to offer, comma-separated"), N_("LIST")},
    {"pin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cl.pins,
     N_("Accept only a server key with this pin (sha256//BASE64 SPKI pin or SHA-256 fingerprint); repeatable"),
     N_("PIN")},
    {"pin-only", 0, 0, G_OPTION_ARG_NONE, &cl.pin_only,
     N_("Check the pins instead of the CA (default: in addition)"), NULL},
    {"srp", 0, 0, G_OPTION_ARG_STRING, &cl.srp_user,
     N_("Log in with SRP as USER (password asked, or --password-file, or stdin)"), N_("USER")},
    {"password-file", 0, 0, G_OPTION_ARG_FILENAME, &cl.password_file,
     N_("Read the SRP password from the first line of FILE"), N_("FILE")},
    {"password", 0, 0, G_OPTION_ARG_STRING, &cl.password,
     N_("SRP password (visible to other users: prefer --password-file)"), N_("PASSWORD")},
    {"psk", 0, 0, G_OPTION_ARG_STRING, &cl.psk,
     N_("Shared key: IDENTITY:HEXKEY, or IDENTITY with --psk-key-file"), N_("IDENTITY[:HEXKEY]")},
    {"psk-key-file", 0, 0, G_OPTION_ARG_FILENAME, &cl.psk_key_file,
     N_("File with the hex key, or psktool's IDENTITY:HEXKEY lines"), N_("FILE")},
    {"starttls", 0, 0, G_OPTION_ARG_STRING, &cl.starttls,
     N_("Speak this protocol in plain text first, then STARTTLS: smtp, imap or pop3"), N_("PROTO")},
    {"resume", 0, 0, G_OPTION_ARG_INT, &cl.resume,
     N_("Connect N more times, resuming the session, and say how many resumed"), N_("N")},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(_("HOST:PORT - connect and copy stdin/stdout over TLS"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, gt_tls_option_entries(&cl.tls), GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Prints what was negotiated on stderr (version, suite, peer certificate, verification,\n"
        "ALPN, SRP user or PSK identity, handshake time), then copies stdin to the server and\n"
        "the server's data to stdout. Exit 0 when the connection ended cleanly, 1 on failure."));
  int rc = GT_EXIT_USAGE;
  GError *error = NULL;
  if (!gt_parse(ctx, "client", &argc, &argv))
    goto out;
  if (argc != 2) {
    rc = gt_usage_error("client", argc < 2 ? _("HOST:PORT missing") : _("too many arguments"));
    goto out;
  }
  if (!gt_parse_host_port(argv[1], &cl.host, &cl.port, &error) ||
      (cl.psk != NULL && !parse_psk(&cl, &error))) {
    rc = gt_usage_error("client", "%s", error->message);
    goto out;
  }
  if (cl.starttls != NULL && strcmp(cl.starttls, "smtp") != 0 && strcmp(cl.starttls, "imap") != 0 &&
      strcmp(cl.starttls, "pop3") != 0) {
    rc = gt_usage_error("client", _("--starttls wants smtp, imap or pop3"));
    goto out;
  }
  if (cl.resume < 0) {
    rc = gt_usage_error("client", _("--resume wants a count of 0 or more"));
    goto out;
  }
  if (cl.key != NULL && cl.cert == NULL) {
    rc = gt_usage_error("client", _("--key needs --cert"));
    goto out;
  }
  if (cl.srp_user != NULL && cl.psk != NULL) {
    rc = gt_usage_error("client", _("--srp and --psk exclude each other"));
    goto out;
  }
  if (!gt_tls_setup(&cl.tls, &error)) {
    rc = g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE)
             ? gt_usage_error("client", "%s", error->message) : (gt_err("%s", error->message), GT_EXIT_FAIL);
    goto out;
  }
  rc = GT_EXIT_FAIL;
  if (cl.srp_user != NULL) {
    if (cl.password != NULL) {
      gt_warn(_("a password on the command line is visible to other users; use --password-file"));
      cl.srp_password = g_strdup(cl.password);
    } else {
      char *prompt = g_strdup_printf(_("SRP password for %s: "), cl.srp_user);
      cl.srp_password = gt_read_password(prompt, cl.password_file, &error);
      g_free(prompt);
      if (cl.srp_password == NULL)
        goto fail;
    }
  }
  if (cl.ca != NULL) {
    /* GTlsFileDatabase wants an absolute path. */
    char *abs = g_canonicalize_filename(cl.ca, NULL);
    cl.db = g_tls_file_database_new(abs, &error);
    g_free(abs);
    if (cl.db == NULL)
      goto fail;
  }
  if (cl.cert != NULL &&
      (cl.own = gt_load_certificate(cl.cert, cl.key, cl.key_password_file, &error)) == NULL)
    goto fail;

  verify_state v = {.insecure = cl.insecure};
  gint64 us = 0;
  GTlsConnection *conn = connect_once(&cl, &v, &us, &error);
  if (conn == NULL) {
    if (v.called && v.errors != 0) {
      char *words = gt_cert_flags_words(v.errors);
      fprintf(stderr, _("Verification: %s\n"), words);
      g_free(words);
    }
    goto fail;
  }
  print_summary(&cl, conn, &v, us);

  if (cl.resume > 0) {
    finish_probe(conn);
    g_object_unref(conn);
    conn = NULL;
    gt_progress p;
    gt_progress_start(&p, _("Resuming"), (guint)cl.resume);
    int n_resumed = 0;
    for (int i = 0; i < cl.resume; i++) {
      verify_state v2 = {.insecure = cl.insecure};
      GTlsConnection *c2 = connect_once(&cl, &v2, &us, &error);
      if (c2 == NULL) {
        gt_progress_end(&p);
        goto fail;
      }
      n_resumed += resumed(c2);
      if (i + 1 < cl.resume) {
        finish_probe(c2);
        g_object_unref(c2);
      } else {
        conn = c2;
      }
      gt_progress_step(&p, (guint)i + 1);
    }
    gt_progress_end(&p);
    if (gt_has_property(conn, "session-resumed"))
      fprintf(stderr, _("Resumed: %d of %d\n"), n_resumed, cl.resume);
    else
      fprintf(stderr, _("Resumed: unknown (the '%s' backend does not say)\n"), gt_backend_name());
  }
  rc = copy_stdio(conn);
  g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
  g_object_unref(conn);
  goto out;

fail:
  gt_err("%s", error->message);
out:
  g_clear_error(&error);
  g_option_context_free(ctx);
  g_clear_object(&cl.own);
  g_clear_object(&cl.db);
  g_clear_pointer(&cl.psk_key, g_bytes_unref);
  if (cl.srp_password != NULL) {
    memset(cl.srp_password, 0, strlen(cl.srp_password));
    g_free(cl.srp_password);
  }
  g_free(cl.psk_identity);
  g_free(cl.host);
  /* What option parsing stored. */
  char *strs[] = {cl.ca, cl.server_name, cl.cert, cl.key, cl.key_password_file, cl.alpn,
                  cl.srp_user, cl.password, cl.password_file, cl.psk, cl.psk_key_file, cl.starttls};
  for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
    g_free(strs[i]);
  g_strfreev(cl.pins);
  gt_tls_options_clear(&cl.tls);
  return rc;
}
