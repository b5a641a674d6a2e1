/* gtls-tool: shared plumbing — messages, backend choice, certificate loading, passwords, printing. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <tlscore/x509.h>

#include "gtls-tool.h"

void gt_err(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "gtls-tool: %s\n", msg);
  g_free(msg);
}

void gt_warn(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* TRANSLATORS: a warning line of gtls-tool; %s is the message. */
  fprintf(stderr, _("gtls-tool: warning: %s\n"), msg);
  g_free(msg);
}

int gt_usage_error(const char *command, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "gtls-tool%s%s: %s\n", command ? " " : "", command ? command : "", msg);
  if (command != NULL)
    fprintf(stderr, _("Try 'gtls-tool %s --help'.\n"), command);
  else
    fprintf(stderr, _("Try 'gtls-tool --help'.\n"));
  g_free(msg);
  return GT_EXIT_USAGE;
}

gboolean gt_parse(GOptionContext *ctx, const char *command, int *argc, char ***argv)
{
  GError *error = NULL;
  /* Our own one-line error, not GLib's full help dump. */
  g_option_context_set_help_enabled(ctx, TRUE);
  if (!g_option_context_parse(ctx, argc, argv, &error)) {
    gt_usage_error(command, "%s", error->message);
    g_error_free(error);
    return FALSE;
  }
  return TRUE;
}

char *gt_escape(const char *s, gssize len)
{
  if (s == NULL)
    return g_strdup("");
  if (len < 0)
    len = (gssize)strlen(s);
  GString *out = g_string_sized_new((gsize)len + 8);
  const char *p = s, *end = s + len;
  while (p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
      g_string_append_printf(out, "\\x%02x", (guchar)*p);
      p++;
      continue;
    }
    const char *next = g_utf8_next_char(p);
    if (c == '\\')
      g_string_append(out, "\\\\");
    else if (c < 0x80 ? g_ascii_isprint((char)c) : g_unichar_isprint(c))
      g_string_append_len(out, p, next - p);
    else
      for (const char *q = p; q < next; q++)
        g_string_append_printf(out, "\\x%02x", (guchar)*q);
    p = next;
  }
  return g_string_free(out, FALSE);
}

gboolean gt_has_property(gpointer obj, const char *name)
{
  return g_object_class_find_property(G_OBJECT_GET_CLASS(obj), name) != NULL;
}

/* ---------------- backend ---------------- */

static char backend_name[64];

/* Index of a version name in ascending order, -1 if unknown. */
static int version_rank(const char *v)
{
  static const char *const names[] = {"ssl3.0", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_strcmp0(v, names[i]) == 0)
      return (int)i;
  return -1;
}

void gt_tls_options_clear(gt_tls_options *o)
{
  g_free(o->backend);
  g_free(o->min_version);
  g_free(o->max_version);
  g_free(o->ciphers);
  g_free(o->groups);
  g_free(o->settings);
  memset(o, 0, sizeof *o);
}

const GOptionEntry *gt_tls_option_entries(gt_tls_options *o)
{
  /* One table per process is enough: each run parses one command. */
  static GOptionEntry e[8];
  GOptionEntry t[] = {
    {"backend", 0, 0, G_OPTION_ARG_STRING, &o->backend,
     N_("GIO TLS backend to use (default: GIO_USE_TLS, else tlslite), e.g. gnutls for comparison"),
     N_("NAME")},
    {"min-version", 0, 0, G_OPTION_ARG_STRING, &o->min_version,
     N_("Lowest protocol version: ssl3.0, tls1.0, tls1.1, tls1.2 (default) or tls1.3"), N_("VERSION")},
    {"max-version", 0, 0, G_OPTION_ARG_STRING, &o->max_version,
     N_("Highest protocol version (default tls1.3)"), N_("VERSION")},
    {"ciphers", 0, 0, G_OPTION_ARG_STRING, &o->ciphers,
     N_("Cipher suites (IANA names, comma-separated, in preference order)"), N_("LIST")},
    {"groups", 0, 0, G_OPTION_ARG_STRING, &o->groups,
     N_("Key exchange groups (comma-separated, e.g. x25519,secp256r1)"), N_("LIST")},
    {"settings", 0, 0, G_OPTION_ARG_STRING, &o->settings,
     N_("Handshake settings as key=value;key=value (the \"settings-string\" property)"), N_("SETTINGS")},
    G_OPTION_ENTRY_NULL,
  };
  memcpy(e, t, sizeof t);
  return e;
}

/* The build tree's tool uses the build tree's module and catalogues, so a
 * fresh build runs without installing (GIO_EXTRA_MODULES keeps the
 * system's other modules; an installed copy of ours is then skipped, as GIO
 * loads one module per file name). */
gboolean gt_running_from_build_tree(void)
{
#ifdef GTLS_TOOL_BUILD_ROOT
  char *self = g_file_read_link("/proc/self/exe", NULL);
  gboolean in = self != NULL && g_str_has_prefix(self, GTLS_TOOL_BUILD_ROOT "/");
  g_free(self);
  return in;
#else
  return FALSE;
#endif
}

static void set_env_option(const char *var, const char *value)
{
  if (value != NULL)
    g_setenv(var, value, TRUE);
}

gboolean gt_tls_setup(const gt_tls_options *o, GError **error)
{
  const char *want = o->backend;
  if (want == NULL || *want == '\0')
    want = g_getenv("GIO_USE_TLS");
  if (want == NULL || *want == '\0')
    want = "tlslite";
  g_setenv("GIO_USE_TLS", want, TRUE);

  if (strcmp(want, "tlslite") == 0 && g_getenv("GIO_MODULE_DIR") == NULL && gt_running_from_build_tree()) {
#ifdef GTLS_TOOL_BUILD_MODULE_DIR
    const char *extra = g_getenv("GIO_EXTRA_MODULES");
    char *v = extra && *extra ? g_strconcat(GTLS_TOOL_BUILD_MODULE_DIR, ":", extra, NULL)
                              : g_strdup(GTLS_TOOL_BUILD_MODULE_DIR);
    g_setenv("GIO_EXTRA_MODULES", v, TRUE);
    g_free(v);
#endif
  }

  const char *versions[] = {o->min_version, o->max_version};
  for (size_t i = 0; i < G_N_ELEMENTS(versions); i++)
    if (versions[i] != NULL && version_rank(versions[i]) < 0) {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  _("Unknown protocol version '%s' (ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3)"),
                  versions[i]);
      return FALSE;
    }
  /* --max-version below the default minimum (TLS 1.2) alone means exactly that version. */
  if (o->min_version == NULL && o->max_version != NULL && version_rank(o->max_version) < 3)
    set_env_option("G_TLS_TLSLITE_MIN_VERSION", o->max_version);
  /* The module reads these when each handshake starts; they are the
   * plain-GIO way to set what the public library's settings set. */
  set_env_option("G_TLS_TLSLITE_MIN_VERSION", o->min_version);
  set_env_option("G_TLS_TLSLITE_MAX_VERSION", o->max_version);
  set_env_option("G_TLS_TLSLITE_CIPHERS", o->ciphers);
  set_env_option("G_TLS_TLSLITE_GROUPS", o->groups);

  GTlsBackend *backend = g_tls_backend_get_default();
  if (backend == NULL || !g_tls_backend_supports_tls(backend)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                _("GIO has no TLS backend (is the module '%s' installed?)"), want);
    return FALSE;
  }
  /* GTlsBackendTlslite -> tlslite, GTlsBackendGnutls -> gnutls */
  const char *tn = G_OBJECT_TYPE_NAME(backend);
  if (g_str_has_prefix(tn, "GTlsBackend"))
    tn += strlen("GTlsBackend");
  g_strlcpy(backend_name, tn, sizeof backend_name);
  for (char *p = backend_name; *p; p++)
    *p = g_ascii_tolower(*p);
  if (g_ascii_strcasecmp(backend_name, want) != 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                _("GIO has no TLS backend '%s' (it offers '%s')"), want, backend_name);
    return FALSE;
  }
  if (strcmp(backend_name, "tlslite") != 0 &&
      (o->min_version || o->max_version || o->ciphers || o->groups))
    gt_warn(_("--min-version, --max-version, --ciphers and --groups apply to the "
              "tlslite backend only; '%s' ignores them"), backend_name);
  return TRUE;
}

const char *gt_backend_name(void)
{
  return backend_name;
}

/* ---------------- files, passwords, certificates ---------------- */

static char *first_line(char *s)
{
  s[strcspn(s, "\r\n")] = '\0';
  return s;
}

char *gt_read_password(const char *prompt, const char *file, GError **error)
{
  if (file != NULL) {
    char *data = NULL;
    if (!g_file_get_contents(file, &data, NULL, error))
      return NULL;
    char *pw = g_strdup(first_line(data));
    memset(data, 0, strlen(data));
    g_free(data);
    return pw;
  }
  char buf[1024];
  if (isatty(STDIN_FILENO)) {
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    gboolean restore = tcgetattr(STDIN_FILENO, &old) == 0;
    if (restore) {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, sizeof buf, stdin);
    if (restore)
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (got == NULL) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, _("No password given"));
      return NULL;
    }
  } else {
    /* Byte by byte from the descriptor: what follows the line is the data to send, and a
     * buffered read would swallow it. */
    size_t n = 0;
    char c;
    ssize_t r;
    while (n + 1 < sizeof buf && (r = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
      buf[n++] = c;
    buf[n] = '\0';
    if (n == 0 && r != 1) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                  _("No password given (standard input is empty)"));
      return NULL;
    }
  }
  char *pw = g_strdup(first_line(buf));
  memset(buf, 0, sizeof buf);
  return pw;
}

static gboolean looks_like_pem(const char *data, gsize len)
{
  return g_strstr_len(data, (gssize)len, "-----BEGIN ") != NULL;
}

/* An encrypted PEM key: decrypted by tlscore's key parser (GIO has no API
 * for a password-protected key), then handed to GIO as plain PKCS#8 PEM. */
static GTlsCertificate *load_encrypted(const char *cert, const char *key_data, gsize key_len,
                                       const char *password_file, GError **error)
{
  char *prompt = g_strdup_printf(_("Password for %s: "), cert);
  char *pw = gt_read_password(prompt, password_file, error);
  g_free(prompt);
  if (pw == NULL)
    return NULL;
  tc_error terr = {.code = TC_ERR_NONE, .alert = -1};
  tc_privkey *k = tc_privkey_parse((const uint8_t *)key_data, key_len, pw, &terr);
  memset(pw, 0, strlen(pw));
  g_free(pw);
  if (k == NULL) {
    g_set_error(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
                _("Cannot decrypt the private key: %s"), terr.message);
    return NULL;
  }
  uint8_t *der = NULL;
  size_t der_len = 0;
  GTlsCertificate *out = NULL;
  if (tc_privkey_to_pkcs8(k, &der, &der_len, &terr) == 0) {
    char *key_pem = tc_pem_encode("PRIVATE KEY", der, der_len);
    char *cert_pem = NULL;
    if (key_pem != NULL && g_file_get_contents(cert, &cert_pem, NULL, error)) {
      char *both = g_strconcat(cert_pem, "\n", key_pem, NULL);
      out = g_tls_certificate_new_from_pem(both, -1, error);
      memset(both, 0, strlen(both));
      g_free(both);
    }
    if (key_pem != NULL) {
      memset(key_pem, 0, strlen(key_pem));
      free(key_pem);
    }
    g_free(cert_pem);
    memset(der, 0, der_len);
    free(der);
  } else {
    g_set_error(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, "%s", terr.message);
  }
  tc_privkey_unref(k);
  return out;
}

GTlsCertificate *gt_load_certificate(const char *cert, const char *key, const char *password_file,
                                     GError **error)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(cert, &data, &len, error))
    return NULL;
  gboolean pem = looks_like_pem(data, len);
  g_free(data);

  if (!pem) {
    /* PKCS#12: try without a password, then with one. */
    GError *local = NULL;
    char *pw = NULL;
    if (password_file != NULL && (pw = gt_read_password("", password_file, error)) == NULL)
      return NULL;
    GTlsCertificate *c = g_tls_certificate_new_from_file_with_password(cert, pw ? pw : "", &local);
    if (c == NULL && pw == NULL &&
        g_error_matches(local, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD)) {
      g_clear_error(&local);
      char *prompt = g_strdup_printf(_("Password for %s: "), cert);
      pw = gt_read_password(prompt, NULL, error);
      g_free(prompt);
      if (pw == NULL)
        return NULL;
      c = g_tls_certificate_new_from_file_with_password(cert, pw, &local);
    }
    if (pw != NULL) {
      memset(pw, 0, strlen(pw));
      g_free(pw);
    }
    if (c == NULL)
      g_propagate_error(error, local);
    return c;
  }

  const char *keyfile = key != NULL ? key : cert;
  char *kd = NULL;
  gsize kl = 0;
  if (!g_file_get_contents(keyfile, &kd, &kl, error))
    return NULL;
  GTlsCertificate *c = NULL;
  if (g_strstr_len(kd, (gssize)kl, "ENCRYPTED") != NULL)
    c = load_encrypted(cert, kd, kl, password_file, error);
  else
    c = g_tls_certificate_new_from_files(cert, keyfile, error);
  memset(kd, 0, kl);
  g_free(kd);
  return c;
}

gboolean gt_parse_host_port(const char *s, char **host, guint16 *port, GError **error)
{
  const char *colon = strrchr(s, ':');
  char *end = NULL;
  unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
  if (colon == NULL || colon == s || colon[1] == '\0' || *end != '\0' || p > 65535) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                _("'%s' is not HOST:PORT"), s);
    return FALSE;
  }
  if (s[0] == '[' && colon[-1] == ']')
    *host = g_strndup(s + 1, (gsize)(colon - s - 2));
  else
    *host = g_strndup(s, (gsize)(colon - s));
  *port = (guint16)p;
  return TRUE;
}

/* ---------------- printing ---------------- */

char *gt_cert_fingerprint(GTlsCertificate *cert)
{
  GByteArray *der = NULL;
  g_object_get(cert, "certificate", &der, NULL);
  if (der == NULL)
    return g_strdup("?");
  char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, der->data, der->len);
  g_byte_array_unref(der);
  GString *out = g_string_new(NULL);
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2)
    g_string_append_printf(out, "%s%c%c", i ? ":" : "", g_ascii_toupper(hex[i]),
                           g_ascii_toupper(hex[i + 1]));
  g_free(hex);
  return g_string_free(out, FALSE);
}

char *gt_cert_flags_words(GTlsCertificateFlags flags)
{
  static const struct { GTlsCertificateFlags f; const char *words; } names[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, N_("not signed by a trusted authority")},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, N_("not valid for this host name")},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("not valid yet")},
    {G_TLS_CERTIFICATE_EXPIRED, N_("expired")},
    {G_TLS_CERTIFICATE_REVOKED, N_("revoked")},
    {G_TLS_CERTIFICATE_INSECURE, N_("uses an insecure algorithm")},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, N_("otherwise invalid")},
  };
  if (flags == 0)
    return g_strdup(_("trusted"));
  GString *out = g_string_new(NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (flags & names[i].f)
      g_string_append_printf(out, "%s%s", out->len ? ", " : "", _(names[i].words));
  return g_string_free(out, FALSE);
}

const char *gt_protocol_name(GTlsProtocolVersion v)
{
  switch (v) {
  case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
  case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
  case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
  case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
  case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
  case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
  case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
  default: return "?";
  }
}

static char *format_time(GDateTime *t)
{
  return t != NULL ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S UTC") : g_strdup("?");
}

void gt_print_certificate(FILE *out, GTlsCertificate *cert, const char *indent)
{
  char *subject = NULL, *issuer = NULL;
  GDateTime *nb = NULL, *na = NULL;
  g_object_get(cert, "subject-name", &subject, "issuer-name", &issuer, "not-valid-before", &nb,
               "not-valid-after", &na, NULL);
  /* Names come from the peer: escaped before printing. */
  char *es = gt_escape(subject, -1), *ei = gt_escape(issuer, -1);
  char *fb = format_time(nb), *fa = format_time(na), *fp = gt_cert_fingerprint(cert);
  /* One string, one write (GCC's sanitizer builds misread fprintf with a translated format). */
  char *lines[] = {
    g_strdup_printf(_("%sSubject: %s\n"), indent, es),
    g_strdup_printf(_("%sIssuer: %s\n"), indent, ei),
    g_strdup_printf(_("%sValid: from %s to %s\n"), indent, fb, fa),
    g_strdup_printf(_("%sSHA-256 fingerprint: %s\n"), indent, fp),
  };
  for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
    fputs(lines[i], out);
    g_free(lines[i]);
  }
  g_free(es);
  g_free(ei);
  g_free(fb);
  g_free(fa);
  g_free(fp);
  g_free(subject);
  g_free(issuer);
  g_clear_pointer(&nb, g_date_time_unref);
  g_clear_pointer(&na, g_date_time_unref);
}

/* ---------------- progress ---------------- */

/* How often the line is redrawn while nothing else changes it (microseconds). */
#define PROGRESS_TICK_US (250 * 1000)

/* Draws the line (lock held). FINAL: the end state, with its newline. */
static void progress_draw(gt_progress *p, gboolean final)
{
  double secs = (double)(g_get_monotonic_time() - p->start) / G_USEC_PER_SEC;
  char *line;
  if (final && p->total <= 1) {
    line = g_strdup_printf(_("%s: done in %.1f s"), p->label, secs);
  } else if (final) {
    line = g_strdup_printf(_("%s: %u/%u in %.1f s"), p->label, p->done, p->total, secs);
  } else if (p->total <= 1) {
    static const char spinner[] = "|/-\\";
    line = g_strdup_printf(_("%s: %c %.0f s elapsed"), p->label, spinner[p->tick % 4], secs);
  } else {
    double rate = secs > 0 ? p->done / secs : 0;
    char *eta = rate > 0 ? g_strdup_printf(_("ETA %.0f s"), (p->total - p->done) / rate)
                         : g_strdup(_("ETA unknown"));
    line = g_strdup_printf(_("%s: %u/%u, %.1f/s, %s, %.0f s elapsed"), p->label, p->done,
                           p->total, rate, eta, secs);
    g_free(eta);
  }
  /* \r and "erase to the end of the line": the line is rewritten in place. */
  fputs("\r\033[K", stderr);
  fputs(line, stderr);
  if (final)
    fputc('\n', stderr);
  fflush(stderr);
  g_free(line);
}

static gpointer progress_ticker(gpointer data)
{
  gt_progress *p = data;
  g_mutex_lock(&p->lock);
  while (!p->stop) {
    gint64 until = g_get_monotonic_time() + PROGRESS_TICK_US;
    while (!p->stop && g_cond_wait_until(&p->wake, &p->lock, until))
      ;
    if (!p->stop) {
      p->tick++;
      progress_draw(p, FALSE);
    }
  }
  g_mutex_unlock(&p->lock);
  return NULL;
}

void gt_progress_start(gt_progress *p, const char *label, guint total)
{
  memset(p, 0, sizeof *p);
  /* A pipe or a file gets no progress: only what the command prints anyway. */
  p->on = isatty(STDERR_FILENO);
  p->label = label;
  p->total = total;
  p->start = g_get_monotonic_time();
  if (!p->on)
    return;
  g_mutex_init(&p->lock);
  g_cond_init(&p->wake);
  g_mutex_lock(&p->lock);
  progress_draw(p, FALSE);
  g_mutex_unlock(&p->lock);
  p->ticker = g_thread_new("progress", progress_ticker, p);
}

void gt_progress_step(gt_progress *p, guint done)
{
  if (!p->on)
    return;
  g_mutex_lock(&p->lock);
  p->done = done;
  progress_draw(p, FALSE);
  g_mutex_unlock(&p->lock);
}

void gt_progress_hold(gt_progress *p)
{
  if (!p->on)
    return;
  g_mutex_lock(&p->lock);
  fputs("\r\033[K", stderr);
  fflush(stderr);
}

void gt_progress_release(gt_progress *p)
{
  if (!p->on)
    return;
  fflush(stdout);
  progress_draw(p, FALSE);
  g_mutex_unlock(&p->lock);
}

void gt_progress_end(gt_progress *p)
{
  if (!p->on)
    return;
  g_mutex_lock(&p->lock);
  p->stop = TRUE;
  g_cond_signal(&p->wake);
  g_mutex_unlock(&p->lock);
  g_thread_join(p->ticker);
  p->ticker = NULL;
  progress_draw(p, TRUE);
  g_cond_clear(&p->wake);
  g_mutex_clear(&p->lock);
  p->on = FALSE;
}
