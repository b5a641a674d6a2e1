/* Example: IMAP and POP3 (implicit TLS or STARTTLS) and SMTP submission with STARTTLS, as plain GIO clients on the tlslite backend. */
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static char *opt_ca, *opt_host = "localhost", *opt_user, *opt_password, *opt_subject, *opt_to;
static int opt_port;

static GOptionEntry entries[] = {
  {"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "server port on 127.0.0.1", "PORT"},
  {"host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "server name to check in its certificate", "NAME"},
  {"ca", 0, 0, G_OPTION_ARG_FILENAME, &opt_ca, "trust only the CAs in FILE", "FILE"},
  {"user", 0, 0, G_OPTION_ARG_STRING, &opt_user, "login name", "USER"},
  {"password", 0, 0, G_OPTION_ARG_STRING, &opt_password, "password", "PASSWORD"},
  {"subject", 0, 0, G_OPTION_ARG_STRING, &opt_subject,
   "smtp: subject of the message to send; imap/pop3: fail unless a message has it", "TEXT"},
  {"to", 0, 0, G_OPTION_ARG_STRING, &opt_to, "smtp: recipient", "ADDRESS"},
  {NULL}};

typedef struct {
  GSocketConnection *tcp;
  GIOStream *stream; /* the TCP connection, or the TLS connection over it */
} Session;

/* One byte at a time, so no TLS byte that follows a STARTTLS answer is read into a buffer the
 * TLS connection cannot see. Fine for a few protocol lines. */
static char *read_line(Session *s, GError **error) {
  GString *line = g_string_new(NULL);
  for (;;) {
    char ch;
    gssize n = g_input_stream_read(g_io_stream_get_input_stream(s->stream), &ch, 1, NULL, error);
    if (n <= 0) {
      if (n == 0)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "server closed the connection");
      g_string_free(line, TRUE);
      return NULL;
    }
    if (ch == '\n') {
      if (line->len && line->str[line->len - 1] == '\r')
        g_string_truncate(line, line->len - 1);
      return g_string_free(line, FALSE);
    }
    if (line->len > 64 * 1024) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line too long");
      g_string_free(line, TRUE);
      return NULL;
    }
    g_string_append_c(line, ch);
  }
}

/* Protocol lines are printed; the login line is not, it carries the password. */
static gboolean send_line(Session *s, gboolean secret, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean send_line(Session *s, gboolean secret, GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  printf("C: %s\n", secret ? "(login, not shown)" : text);
  char *line = g_strconcat(text, "\r\n", NULL);
  gboolean ok = g_output_stream_write_all(g_io_stream_get_output_stream(s->stream), line,
                                          strlen(line), NULL, NULL, error);
  g_free(line);
  g_free(text);
  return ok;
}

/* Printable ASCII only: the server's text goes to our terminal. */
static void show(const char *line) {
  printf("S: ");
  for (const char *p = line; *p; p++)
    putchar(g_ascii_isprint(*p) ? *p : '?');
  putchar('\n');
}

/* Wrap the connection in TLS (implicit TLS at once, STARTTLS after the server said yes). */
static gboolean start_tls(Session *s, GError **error) {
  GTlsDatabase *db = g_tls_file_database_new(opt_ca, error);
  if (!db)
    return FALSE;
  GSocketConnectable *id = g_network_address_new(opt_host, opt_port);
  GIOStream *tls = g_tls_client_connection_new(G_IO_STREAM(s->tcp), id, error);
  g_object_unref(id);
  if (tls) {
    g_tls_connection_set_database(G_TLS_CONNECTION(tls), db);
    if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, error))
      g_clear_object(&tls);
  }
  g_object_unref(db);
  if (!tls)
    return FALSE;
  GTlsProtocolVersion v = g_tls_connection_get_protocol_version(G_TLS_CONNECTION(tls));
  char *suite = g_tls_connection_get_ciphersuite_name(G_TLS_CONNECTION(tls));
  printf("-- TLS: %s, %s\n", v == G_TLS_PROTOCOL_VERSION_TLS_1_3 ? "TLS 1.3" : "TLS 1.2", suite);
  g_free(suite);
  g_object_unref(s->stream);
  s->stream = tls;
  return TRUE;
}

/* IMAP: send a tagged command, collect the untagged lines, succeed on "<tag> OK". */
static gboolean imap_cmd(Session *s, GPtrArray *untagged, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static gboolean imap_cmd(Session *s, GPtrArray *untagged, GError **error, const char *fmt, ...) {
  static int counter;
  char tag[16];
  g_snprintf(tag, sizeof tag, "a%d", ++counter);
  va_list ap;
  va_start(ap, fmt);
  char *cmd = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  gboolean secret = g_str_has_prefix(cmd, "LOGIN");
  gboolean ok = send_line(s, secret, error, "%s %s", tag, cmd);
  g_free(cmd);
  while (ok) {
    char *line = read_line(s, error);
    if (!line)
      return FALSE;
    show(line);
    if (g_str_has_prefix(line, tag) && line[strlen(tag)] == ' ') {
      ok = g_str_has_prefix(line + strlen(tag), " OK");
      if (!ok)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "IMAP server refused the command");
      g_free(line);
      break;
    }
    if (untagged)
      g_ptr_array_add(untagged, line);
    else
      g_free(line);
  }
  return ok;
}

static gboolean run_imap(Session *s, gboolean starttls, GError **error) {
  char *greeting = read_line(s, error);
  if (!greeting)
    return FALSE;
  show(greeting);
  gboolean ok = g_str_has_prefix(greeting, "* OK");
  g_free(greeting);
  if (!ok) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "no IMAP greeting");
    return FALSE;
  }
  if (starttls && !(imap_cmd(s, NULL, error, "STARTTLS") && start_tls(s, error)))
    return FALSE;
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  ok = imap_cmd(s, NULL, error, "LOGIN \"%s\" \"%s\"", opt_user, opt_password) &&
       imap_cmd(s, lines, error, "LIST \"\" \"*\"");
  int mailboxes = 0, messages = -1;
  for (guint i = 0; ok && i < lines->len; i++)
    if (g_str_has_prefix(lines->pdata[i], "* LIST "))
      mailboxes++;
  g_ptr_array_set_size(lines, 0);
  ok = ok && imap_cmd(s, lines, error, "SELECT INBOX");
  for (guint i = 0; ok && i < lines->len; i++)
    if (g_str_has_suffix(lines->pdata[i], " EXISTS"))
      messages = atoi((char *)lines->pdata[i] + 2);
  if (ok)
    printf("-- %d mailbox(es), INBOX holds %d message(s)\n", mailboxes, messages);
  if (ok && opt_subject) {
    g_ptr_array_set_size(lines, 0);
    ok = imap_cmd(s, lines, error, "SEARCH SUBJECT \"%s\"", opt_subject);
    gboolean found = FALSE;
    for (guint i = 0; ok && i < lines->len; i++)
      if (g_str_has_prefix(lines->pdata[i], "* SEARCH ") && strlen(lines->pdata[i]) > 9)
        found = TRUE;
    if (ok && !found) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no message with that subject");
      ok = FALSE;
    }
    if (ok)
      printf("-- found the message \"%s\"\n", opt_subject);
  }
  g_ptr_array_unref(lines);
  return ok && imap_cmd(s, NULL, error, "LOGOUT");
}

/* POP3: one command, one "+OK" or "-ERR" status line; multi-line answers end with ".". */
static char *pop3_cmd(Session *s, gboolean secret, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static char *pop3_cmd(Session *s, gboolean secret, GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *cmd = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  gboolean ok = send_line(s, secret, error, "%s", cmd);
  g_free(cmd);
  char *line = ok ? read_line(s, error) : NULL;
  if (!line)
    return NULL;
  show(line);
  if (!g_str_has_prefix(line, "+OK")) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "POP3 server refused the command");
    g_free(line);
    return NULL;
  }
  return line;
}

static gboolean run_pop3(Session *s, GError **error) {
  char *line = read_line(s, error);
  if (!line)
    return FALSE;
  show(line);
  gboolean ok = g_str_has_prefix(line, "+OK");
  g_free(line);
  if (!ok) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "no POP3 greeting");
    return FALSE;
  }
  char *stat = NULL;
  ok = (line = pop3_cmd(s, FALSE, error, "USER %s", opt_user)) && (g_free(line), TRUE) &&
       (line = pop3_cmd(s, TRUE, error, "PASS %s", opt_password)) && (g_free(line), TRUE) &&
       (stat = pop3_cmd(s, FALSE, error, "STAT"));
  if (!ok)
    return FALSE;
  int count = atoi(stat + 4);
  g_free(stat);
  printf("-- the mailbox holds %d message(s)\n", count);
  gboolean found = !opt_subject;
  char *want = opt_subject ? g_strdup_printf("Subject: %s", opt_subject) : NULL;
  /* TOP n 0: the headers of each message. */
  for (int i = 1; ok && i <= count; i++) {
    ok = (line = pop3_cmd(s, FALSE, error, "TOP %d 0", i)) != NULL;
    g_free(line);
    while (ok) {
      line = read_line(s, error);
      if (!line) {
        ok = FALSE;
        break;
      }
      gboolean end = strcmp(line, ".") == 0;
      if (want && strcmp(line, want) == 0) {
        found = TRUE;
        printf("-- found the message \"%s\"\n", opt_subject);
      }
      g_free(line);
      if (end)
        break;
    }
  }
  g_free(want);
  if (ok && !found) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no message with that subject");
    ok = FALSE;
  }
  ok = ok && (line = pop3_cmd(s, FALSE, error, "QUIT"));
  if (ok)
    g_free(line);
  return ok;
}

/* SMTP: read a reply (continuation lines "250-..."), check its code. */
static gboolean smtp_reply(Session *s, int code, GError **error) {
  for (;;) {
    char *line = read_line(s, error);
    if (!line)
      return FALSE;
    show(line);
    gboolean last = strlen(line) < 4 || line[3] != '-';
    int got = atoi(line);
    g_free(line);
    if (last) {
      if (got != code)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "SMTP reply %d, expected %d", got, code);
      return got == code;
    }
  }
}

static gboolean run_smtp(Session *s, GError **error) {
  if (!smtp_reply(s, 220, error) || !send_line(s, FALSE, error, "EHLO client.example.test") ||
      !smtp_reply(s, 250, error) || !send_line(s, FALSE, error, "STARTTLS") ||
      !smtp_reply(s, 220, error) || !start_tls(s, error))
    return FALSE;
  /* RFC 3207: forget what was said in the clear and greet again. */
  char *plain = g_strdup_printf("%c%s%c%s", 0, opt_user, 0, opt_password);
  char *auth = g_base64_encode((guchar *)plain, 2 + strlen(opt_user) + strlen(opt_password));
  memset(plain, 0, 2 + strlen(opt_user) + strlen(opt_password));
  g_free(plain);
  GDateTime *now = g_date_time_new_now_utc();
  char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
  g_date_time_unref(now);
  gboolean ok = send_line(s, FALSE, error, "EHLO client.example.test") && smtp_reply(s, 250, error) &&
                send_line(s, TRUE, error, "AUTH PLAIN %s", auth) && smtp_reply(s, 235, error) &&
                send_line(s, FALSE, error, "MAIL FROM:<%s>", opt_to) && smtp_reply(s, 250, error) &&
                send_line(s, FALSE, error, "RCPT TO:<%s>", opt_to) && smtp_reply(s, 250, error) &&
                send_line(s, FALSE, error, "DATA") && smtp_reply(s, 354, error) &&
                send_line(s, FALSE, error,
                          "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\n\r\n"
                          "Sent over STARTTLS by a GIO program on the tlslite backend.\r\n.",
                          opt_to, opt_to, opt_subject ? opt_subject : "hello", date) &&
                smtp_reply(s, 250, error) && send_line(s, FALSE, error, "QUIT") &&
                smtp_reply(s, 221, error);
  g_free(auth);
  g_free(date);
  if (ok)
    printf("-- message \"%s\" submitted\n", opt_subject ? opt_subject : "hello");
  return ok;
}

int main(int argc, char **argv) {
  GError *error = NULL;
  GOptionContext *ctx = g_option_context_new("imaps|imap-starttls|pop3s|smtp-starttls - mail over TLS");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || !opt_port || !opt_ca ||
      !opt_user || !opt_password) {
    g_printerr("usage: mail-client MODE --port P --ca FILE --user U --password P [--subject S] [--to A]%s%s\n",
               error ? ": " : "", error ? error->message : "");
    return 2;
  }
  g_option_context_free(ctx);
  const char *mode = argv[1];
  g_printerr("backend: %s\n", G_OBJECT_TYPE_NAME(g_tls_backend_get_default()));

  GSocketClient *client = g_socket_client_new();
  g_socket_client_set_timeout(client, 20);
  Session s = {0};
  s.tcp = g_socket_client_connect_to_host(client, "127.0.0.1", opt_port, NULL, &error);
  gboolean ok = s.tcp != NULL;
  if (ok) {
    s.stream = g_object_ref(G_IO_STREAM(s.tcp));
    if (strcmp(mode, "imaps") == 0)
      ok = start_tls(&s, &error) && run_imap(&s, FALSE, &error);
    else if (strcmp(mode, "imap-starttls") == 0)
      ok = run_imap(&s, TRUE, &error);
    else if (strcmp(mode, "pop3s") == 0)
      ok = start_tls(&s, &error) && run_pop3(&s, &error);
    else if (strcmp(mode, "smtp-starttls") == 0 && opt_to)
      ok = run_smtp(&s, &error);
    else {
      g_printerr("unknown mode %s (smtp-starttls also needs --to)\n", mode);
      g_clear_object(&s.stream);
      g_clear_object(&s.tcp);
      g_object_unref(client);
      return 2;
    }
  }
  if (ok && !g_io_stream_close(s.stream, NULL, &error))
    ok = FALSE;
  if (!ok)
    g_printerr("%s failed: %s\n", mode, error ? error->message : "?");
  g_clear_error(&error);
  g_clear_object(&s.stream);
  g_clear_object(&s.tcp);
  g_object_unref(client);
  return ok ? 0 : 1;
}
