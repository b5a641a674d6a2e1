/* tlscore-peer shared plumbing: addresses, sockets, credential files and moving bytes between a socket and a tc_conn. */
#include "netio.h"

#include "tlscore/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

G_DEFINE_QUARK(tlscore-peer-error-quark, gt_error)

void gt_warn(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "tlscore-peer: %s\n", msg);
  g_free(msg);
}

int gt_report_setup_error(const GError *error, const char *command)
{
  gt_warn("%s", error->message);
  if (error->domain == G_OPTION_ERROR ||
      (error->domain == GT_ERROR && error->code == GT_ERR_USAGE)) {
    fprintf(stderr, "Try 'tlscore-peer %s --help'.\n", command);
    return GT_EXIT_USAGE;
  }
  return GT_EXIT_FAILURE;
}

/* ---- addresses and sockets ---- */

gboolean gt_parse_host_port(const char *text, gboolean allow_zero, char **host, guint16 *port,
                            GError **error)
{
  const char *port_str;
  char *h;

  if (text == NULL || *text == '\0') {
    g_set_error(error, GT_ERROR, 0, "missing HOST:PORT");
    return FALSE;
  }
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (close == NULL || close[1] != ':') {
      g_set_error(error, GT_ERROR, 0, "'%s': expected [IPv6-ADDRESS]:PORT", text);
      return FALSE;
    }
    h = g_strndup(text + 1, (gsize)(close - text - 1));
    port_str = close + 2;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, h, &a6) != 1) {
      g_set_error(error, GT_ERROR, 0, "'%s' is not an IPv6 address", h);
      g_free(h);
      return FALSE;
    }
  } else {
    const char *colon = strrchr(text, ':');
    if (colon == NULL) {
      g_set_error(error, GT_ERROR, 0, "'%s': expected HOST:PORT", text);
      return FALSE;
    }
    if (memchr(text, ':', (size_t)(colon - text)) != NULL) {
      g_set_error(error, GT_ERROR, 0, "'%s': write IPv6 addresses as [ADDRESS]:PORT", text);
      return FALSE;
    }
    h = g_strndup(text, (gsize)(colon - text));
    port_str = colon + 1;
  }
  if (*h == '\0') {
    g_set_error(error, GT_ERROR, 0, "'%s': empty host", text);
    g_free(h);
    return FALSE;
  }

  guint64 p;
  if (*port_str == '\0' || !g_ascii_string_to_unsigned(port_str, 10, 0, 65535, &p, NULL) ||
      (p == 0 && !allow_zero)) {
    g_set_error(error, GT_ERROR, 0, "'%s': port must be a number from %d to 65535", text,
                allow_zero ? 0 : 1);
    g_free(h);
    return FALSE;
  }
  *host = h;
  *port = (guint16)p;
  return TRUE;
}

char *gt_format_sockaddr(const struct sockaddr *sa, socklen_t len)
{
  char buf[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof buf);
    return g_strdup_printf("%s:%u", buf, ntohs(s4->sin_port));
  }
  if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
    return g_strdup_printf("[%s]:%u", buf, ntohs(s6->sin6_port));
  }
  return g_strdup("(unknown address)");
}

static struct addrinfo *resolve(const char *host, guint16 port, gboolean passive, GError **error)
{
  struct addrinfo hints = {0}, *res = NULL;
  char port_str[8];
  g_snprintf(port_str, sizeof port_str, "%u", port);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | (passive ? AI_PASSIVE : 0);
  int rc = getaddrinfo(host, port_str, &hints, &res);
  if (rc != 0 && rc != EAI_SYSTEM) {
    /* AI_ADDRCONFIG hides ::1 on hosts with no global IPv6; retry without. */
    hints.ai_flags &= ~AI_ADDRCONFIG;
    rc = getaddrinfo(host, port_str, &hints, &res);
  }
  if (rc != 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "cannot resolve '%s': %s", host,
                rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
    return NULL;
  }
  return res;
}

gboolean gt_set_nonblocking(int fd, GError **error)
{
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "fcntl: %s", g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

int gt_tcp_connect(const char *host, guint16 port, char **peer_desc, GError **error)
{
  struct addrinfo *res = resolve(host, port, FALSE, error);
  if (res == NULL)
    return -1;
  int fd = -1, last_errno = 0;
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      if (peer_desc != NULL)
        *peer_desc = gt_format_sockaddr(ai->ai_addr, ai->ai_addrlen);
      break;
    }
    last_errno = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "cannot connect to %s:%u: %s", host, port,
                g_strerror(last_errno));
    return -1;
  }
  int one = 1;
  /* Handshake flights are small and latency-bound. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!gt_set_nonblocking(fd, error)) {
    close(fd);
    return -1;
  }
  return fd;
}

int gt_tcp_listen(const char *host, guint16 port, char **bound_desc, GError **error)
{
  struct addrinfo *res = resolve(host, port, TRUE, error);
  if (res == NULL)
    return -1;
  int fd = -1, last_errno = 0;
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
      break;
    last_errno = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "cannot listen on %s:%u: %s", host, port,
                g_strerror(last_errno));
    return -1;
  }
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (bound_desc != NULL) {
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
      *bound_desc = gt_format_sockaddr((struct sockaddr *)&ss, len);
    else
      *bound_desc = g_strdup_printf("%s:%u", host, port);
  }
  if (!gt_set_nonblocking(fd, error)) {
    close(fd);
    return -1;
  }
  return fd;
}

/* ---- credentials ---- */

static gboolean read_file(const char *path, guint8 **data, gsize *len, GError **error)
{
  char *contents = NULL;
  if (!g_file_get_contents(path, &contents, len, error))
    return FALSE;
  *data = (guint8 *)contents;
  return TRUE;
}

tc_cert **gt_load_certs(const char *path, size_t *n, GError **error)
{
  guint8 *data;
  gsize len;
  if (!read_file(path, &data, &len, error))
    return NULL;
  tc_error err;
  tc_error_clear(&err);
  tc_cert **certs = NULL;
  *n = tc_certs_parse(data, len, &certs, &err);
  g_free(data);
  if (*n == 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s: %s", path,
                err.code != TC_ERR_NONE ? err.message : "no certificate found");
    free(certs);
    return NULL;
  }
  return certs;
}

void gt_free_certs(tc_cert **certs, size_t n)
{
  if (certs == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    tc_cert_unref(certs[i]);
  free(certs);
}

tc_privkey *gt_load_key(const char *path, GError **error)
{
  guint8 *data;
  gsize len;
  if (!read_file(path, &data, &len, error))
    return NULL;
  tc_error err;
  tc_error_clear(&err);
  tc_privkey *key = tc_privkey_parse(data, len, NULL, &err);
  /* The file holds a secret: do not leave it in freed memory. */
  explicit_bzero(data, len);
  g_free(data);
  if (key == NULL)
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s: %s", path,
                err.code != TC_ERR_NONE ? err.message : "cannot read the private key");
  return key;
}

tc_trust_store *gt_load_trust_store(const char *path, GError **error)
{
  guint8 *data;
  gsize len;
  if (!read_file(path, &data, &len, error))
    return NULL;
  tc_error err;
  tc_error_clear(&err);
  tc_trust_store *store = tc_trust_store_new();
  size_t added = store != NULL ? tc_trust_store_add_data(store, data, len, &err) : 0;
  g_free(data);
  if (added == 0) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s: %s", path,
                err.code != TC_ERR_NONE ? err.message : "no CA certificate found");
    if (store != NULL)
      tc_trust_store_unref(store);
    return NULL;
  }
  return store;
}

gboolean gt_config_add_cert_files(tc_config *cfg, const char *cert_path, const char *key_path,
                                  GError **error)
{
  size_t n = 0;
  tc_cert **chain = gt_load_certs(cert_path, &n, error);
  if (chain == NULL)
    return FALSE;
  tc_privkey *key = gt_load_key(key_path, error);
  if (key == NULL) {
    gt_free_certs(chain, n);
    return FALSE;
  }
  tc_error err;
  tc_error_clear(&err);
  int rc = tc_config_add_cert_chain(cfg, chain, n, key, &err);
  gt_free_certs(chain, n);
  tc_privkey_unref(key);
  if (rc != TC_OK) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s, %s: %s", cert_path, key_path, err.message);
    return FALSE;
  }
  return TRUE;
}

char **gt_parse_alpn(const char *list, GError **error)
{
  char **protos = g_strsplit(list, ",", -1);
  if (protos[0] == NULL) {
    g_set_error(error, GT_ERROR, 0, "--alpn: empty protocol list");
    g_strfreev(protos);
    return NULL;
  }
  for (char **p = protos; *p != NULL; p++) {
    size_t len = strlen(*p);
    if (len == 0 || len > 255) {
      g_set_error(error, GT_ERROR, 0, "--alpn: protocol names must be 1 to 255 bytes ('%s')",
                  list);
      g_strfreev(protos);
      return NULL;
    }
  }
  return protos;
}

/* ---- driving a connection ---- */

gboolean gt_link_flush(gt_link *l, gboolean *progress, GError **error)
{
  for (;;) {
    size_t len = 0;
    const uint8_t *out = tc_conn_output(l->tls, &len);
    if (out == NULL || len == 0)
      return TRUE;
    ssize_t n = send(l->fd, out, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TRUE;
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "send: %s", g_strerror(errno));
      return FALSE;
    }
    tc_conn_output_ack(l->tls, (size_t)n);
    if (progress != NULL && n > 0)
      *progress = TRUE;
  }
}

gboolean gt_link_pump(gt_link *l, gboolean *progress, GError **error)
{
  if (!gt_link_flush(l, progress, error))
    return FALSE;
  while (!l->net_eof && (tc_conn_status(l->tls) & TC_S_INPUT)) {
    size_t cap = 0;
    uint8_t *buf = tc_conn_input_buf(l->tls, &cap);
    if (buf == NULL || cap == 0)
      break;
    ssize_t n = recv(l->fd, buf, cap, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      if (errno == ECONNRESET) {
        /* The engine decides whether losing the transport here is an error. */
        l->net_eof = true;
        break;
      }
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "recv: %s", g_strerror(errno));
      return FALSE;
    }
    if (progress != NULL)
      *progress = TRUE;
    if (n == 0) {
      l->net_eof = true;
      break;
    }
    if (tc_conn_input_ack(l->tls, (size_t)n) == TC_FAIL)
      break;
    /* Answers (alerts, Finished) may be due right away. */
    if (!gt_link_flush(l, progress, error))
      return FALSE;
  }
  return gt_link_flush(l, progress, error);
}

short gt_link_events(gt_link *l)
{
  unsigned st = tc_conn_status(l->tls);
  short ev = 0;
  size_t len = 0;
  if ((st & TC_S_OUTPUT) && tc_conn_output(l->tls, &len) != NULL && len > 0)
    ev |= POLLOUT;
  if (!l->net_eof && (st & TC_S_INPUT))
    ev |= POLLIN;
  return ev;
}

void gt_set_tls_error(GError **error, const tc_conn *c)
{
  const tc_error *e = tc_conn_error(c);
  if (e == NULL || e->code == TC_ERR_NONE) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "TLS error: unknown failure");
    return;
  }
  const char *msg = e->message[0] != '\0' ? e->message : tc_err_name(e->code);
  /* The engine's message often names the alert already; do not say it twice. */
  if (e->alert >= 0 && strstr(msg, tc_alert_name(e->alert)) == NULL)
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "TLS error: %s (alert %s %s)", msg, tc_alert_name(e->alert),
                e->remote ? "received" : "sent");
  else
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "TLS error: %s", msg);
}

/* ---- reporting ---- */

char *gt_peer_subject(const tc_conn *c)
{
  tc_cert *const *chain = NULL;
  size_t n = tc_conn_peer_chain(c, &chain);
  if (n == 0 || chain == NULL || chain[0] == NULL)
    return NULL;
  char *raw = tc_cert_subject_string(chain[0]);
  if (raw == NULL)
    return NULL;
  /* Names come from the peer: escape before they reach a terminal. */
  char *esc = gt_escape_str(raw);
  free(raw);
  return esc;
}

char *gt_escape_str(const char *s)
{
  return s != NULL ? gt_escape_bytes((const uint8_t *)s, strlen(s)) : NULL;
}

static char *hex_name(const char *name, uint16_t value)
{
  return name != NULL ? g_strdup(name) : g_strdup_printf("0x%04x", value);
}

void gt_print_negotiated(FILE *out, const tc_conn *c)
{
  uint16_t v = tc_conn_version(c), s = tc_conn_cipher_suite(c), g = tc_conn_group(c);
  uint16_t sig = tc_conn_sig_scheme(c);
  char *vs = hex_name(tc_version_name(v), v);
  char *ss = hex_name(tc_cipher_suite_name(s), s);
  fprintf(out, "version: %s\n", vs);
  fprintf(out, "cipher suite: %s\n", ss);
  if (g != 0) {
    char *gs = hex_name(tc_group_name(g), g);
    fprintf(out, "group: %s\n", gs);
    g_free(gs);
  } else {
    fprintf(out, "group: (none)\n");
  }
  if (sig != 0) {
    char *sigs = hex_name(tc_sig_scheme_name(sig), sig);
    fprintf(out, "peer signature: %s\n", sigs);
    g_free(sigs);
  }
  uint16_t cc = tc_conn_peer_cert_compression(c);
  if (cc != 0)
    fprintf(out, "peer certificate compressed: %s\n",
            cc == TC_CERT_COMPRESSION_ZLIB     ? "zlib"
            : cc == TC_CERT_COMPRESSION_BROTLI ? "brotli"
            : cc == TC_CERT_COMPRESSION_ZSTD   ? "zstd"
                                               : "other");
  char *alpn = gt_escape_str(tc_conn_alpn(c));
  fprintf(out, "alpn: %s\n", alpn != NULL ? alpn : "(none)");
  g_free(alpn);
  char *subject = gt_peer_subject(c);
  fprintf(out, "peer: %s\n", subject != NULL ? subject : "(no certificate)");
  g_free(subject);
  if (tc_conn_role(c) == TC_ROLE_SERVER) {
    char *sni = gt_escape_str(tc_conn_server_name(c));
    fprintf(out, "server name: %s\n", sni != NULL ? sni : "(none)");
    g_free(sni);
  }
  size_t id_len = 0;
  const uint8_t *id = tc_conn_psk_identity(c, &id_len);
  if (id != NULL) {
    char *esc = gt_escape_bytes(id, id_len);
    fprintf(out, "psk identity: %s\n", esc);
    g_free(esc);
  }
  size_t user_len = 0;
  const uint8_t *user = tc_conn_srp_username(c, &user_len);
  if (user != NULL) {
    char *esc = gt_escape_bytes(user, user_len);
    fprintf(out, "srp user: %s\n", esc);
    g_free(esc);
  }
  fprintf(out, "resumed: %s\n", tc_conn_resumed(c) ? "yes" : "no");
  fflush(out);
  g_free(vs);
  g_free(ss);
}

char *gt_describe_negotiated(const tc_conn *c)
{
  uint16_t v = tc_conn_version(c), s = tc_conn_cipher_suite(c), g = tc_conn_group(c);
  char *vs = hex_name(tc_version_name(v), v);
  char *ss = hex_name(tc_cipher_suite_name(s), s);
  char *gs = g != 0 ? hex_name(tc_group_name(g), g) : g_strdup("-");
  char *subject = gt_peer_subject(c);
  char *alpn = gt_escape_str(tc_conn_alpn(c));
  char *sni = gt_escape_str(tc_conn_server_name(c));
  size_t id_len = 0;
  const uint8_t *id = tc_conn_psk_identity(c, &id_len);
  char *psk = id != NULL ? gt_escape_bytes(id, id_len) : g_strdup("-");
  size_t user_len = 0;
  const uint8_t *user = tc_conn_srp_username(c, &user_len);
  char *srp = user != NULL ? gt_escape_bytes(user, user_len) : g_strdup("-");
  char *line = g_strdup_printf(
      "%s %s group=%s alpn=%s sni=%s client-cert=%s psk=%s srp=%s resumed=%s", vs, ss, gs,
      alpn != NULL ? alpn : "-", sni != NULL ? sni : "-", subject != NULL ? subject : "-", psk,
      srp, tc_conn_resumed(c) ? "yes" : "no");
  g_free(psk);
  g_free(srp);
  g_free(subject);
  g_free(alpn);
  g_free(sni);
  g_free(vs);
  g_free(ss);
  g_free(gs);
  return line;
}

/* ---- shared keys (PSK) ---- */

char *gt_escape_bytes(const uint8_t *p, size_t n)
{
  GString *out = g_string_new(NULL);
  for (size_t i = 0; i < n; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
      g_string_append_c(out, (char)p[i]);
    else
      g_string_append_printf(out, "\\x%02x", p[i]);
  }
  return g_string_free(out, FALSE);
}

void gt_psk_clear(gt_psk *p)
{
  g_free(p->identity);
  if (p->key != NULL) {
    explicit_bzero(p->key, p->key_len);
    g_free(p->key);
  }
  memset(p, 0, sizeof *p);
}

static int hexval(char c)
{
  return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

gboolean gt_parse_psk(const char *spec, const char *what, gt_psk *out, GError **error)
{
  memset(out, 0, sizeof *out);
  const char *colon = strrchr(spec, ':');
  if (colon == NULL || colon == spec) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: expected IDENTITY:HEXKEY", what);
    return FALSE;
  }
  size_t id_len = (size_t)(colon - spec), hex_len = strlen(colon + 1);
  const char *hex = colon + 1;
  /* psktool writes the key without a trailing newline; files may have CR. */
  while (hex_len > 0 && (hex[hex_len - 1] == '\r' || hex[hex_len - 1] == ' '))
    hex_len--;
  if (id_len > TC_PSK_MAX_IDENTITY) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: identity longer than %d bytes", what,
                TC_PSK_MAX_IDENTITY);
    return FALSE;
  }
  if (hex_len == 0 || hex_len % 2 || hex_len / 2 > TC_PSK_MAX_KEY) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE,
                "%s: the key must be an even number of hex digits (1..%d bytes)", what,
                TC_PSK_MAX_KEY);
    return FALSE;
  }
  out->key = g_malloc(hex_len / 2);
  out->key_len = hex_len / 2;
  for (size_t i = 0; i < out->key_len; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      gt_psk_clear(out);
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: the key is not hexadecimal", what);
      return FALSE;
    }
    out->key[i] = (uint8_t)(hi << 4 | lo);
  }
  out->identity = g_memdup2(spec, id_len);
  out->id_len = id_len;
  return TRUE;
}

/* One psktool parser in the project: the store's (GnuTLS's reading: split
 * at the first ':', '#' marks a hex identity). The file goes through an
 * in-memory store, and the entries are handed to add() from there. */
typedef struct {
  tc_store *st;
  const char *path;
  gboolean (*add)(const gt_psk *psk, void *ctx, GError **error);
  void *ctx;
  GError **error;
} psk_file_walk;

static gboolean psk_file_add_one(psk_file_walk *w, const uint8_t *id, size_t id_len)
{
  uint8_t key[TC_STORE_MAX_PSK_KEY];
  size_t key_len = sizeof key;
  tc_error err;
  tc_error_clear(&err);
  if (id_len > TC_PSK_MAX_IDENTITY) {
    g_set_error(w->error, GT_ERROR, GT_ERR_USAGE, "%s: an identity is longer than %d bytes",
                w->path, TC_PSK_MAX_IDENTITY);
    return FALSE;
  }
  if (tc_store_psk_lookup(w->st, id, id_len, key, &key_len, &err) != TC_OK) {
    g_set_error(w->error, GT_ERROR, GT_ERR_USAGE, "%s: %s", w->path,
                err.message[0] ? err.message : "entry vanished");
    explicit_bzero(key, sizeof key);
    return FALSE;
  }
  gt_psk psk = {
    .identity = g_memdup2(id, id_len),
    .id_len = id_len,
    .key = g_memdup2(key, key_len),
    .key_len = key_len,
    .hash = TC_PSK_HASH_SHA256,
  };
  explicit_bzero(key, sizeof key);
  gboolean ok = w->add(&psk, w->ctx, w->error);
  gt_psk_clear(&psk);
  return ok;
}

/* tc_store_list's callback may not call the store: collect the names. */
static bool psk_file_each(void *ctx, const uint8_t *name, size_t len, unsigned group_bits)
{
  (void)group_bits;
  g_ptr_array_add(ctx, g_bytes_new(name, len));
  return true;
}

gboolean gt_load_psk_file(const char *path, const char *identity,
                          gboolean (*add)(const gt_psk *psk, void *ctx, GError **error),
                          void *ctx, GError **error)
{
  tc_error err;
  tc_error_clear(&err);
  psk_file_walk w = { NULL, path, add, ctx, error };
  w.st = tc_store_open(NULL, TC_STORE_PSK, 0, &err);
  if (w.st == NULL || tc_store_import_gnutls(w.st, path, NULL, &err) != TC_OK) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s", err.message);
    tc_store_close(w.st);
    return FALSE;
  }
  size_t count = 0;
  gboolean ok = TRUE;
  if (identity != NULL) {
    uint8_t probe[TC_STORE_MAX_PSK_KEY];
    size_t probe_len = sizeof probe;
    int r = tc_store_psk_lookup(w.st, (const uint8_t *)identity, strlen(identity), probe,
                                &probe_len, &err);
    explicit_bzero(probe, sizeof probe);
    if (r == TC_STORE_NOT_FOUND) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: no entry for that identity", path);
      ok = FALSE;
    } else {
      ok = psk_file_add_one(&w, (const uint8_t *)identity, strlen(identity));
    }
  } else if (tc_store_count(w.st, &count, &err) != TC_OK || count == 0) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: no IDENTITY:HEXKEY entry", path);
    ok = FALSE;
  } else {
    GPtrArray *names = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    if (tc_store_list(w.st, psk_file_each, names, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: %s", path, err.message);
      ok = FALSE;
    }
    for (guint i = 0; ok && i < names->len; i++) {
      gsize n = 0;
      const uint8_t *id = g_bytes_get_data(names->pdata[i], &n);
      ok = psk_file_add_one(&w, id, n);
    }
    g_ptr_array_unref(names);
  }
  tc_store_close(w.st);
  return ok;
}

gboolean gt_config_add_psk(tc_config *cfg, const gt_psk *psk, const char *what, GError **error)
{
  tc_error err;
  tc_error_clear(&err);
  if (tc_config_add_psk(cfg, psk->identity, psk->id_len, psk->key, psk->key_len, psk->hash,
                        &err) != TC_OK) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: %s", what, err.message);
    return FALSE;
  }
  return TRUE;
}

gboolean gt_parse_psk_hash(const char *text, tc_psk_hash *out, GError **error)
{
  *out = TC_PSK_HASH_SHA256;
  if (text == NULL || g_ascii_strcasecmp(text, "sha256") == 0)
    return TRUE;
  if (g_ascii_strcasecmp(text, "sha384") == 0) {
    *out = TC_PSK_HASH_SHA384;
    return TRUE;
  }
  g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--psk-hash: expected sha256 or sha384, not '%s'",
              text);
  return FALSE;
}

gboolean gt_apply_psk_modes(tc_config *cfg, const char *text, GError **error)
{
  static const struct {
    const char *name;
    unsigned modes;
  } names[] = {{"dhe", TC_PSK_MODE_DHE_KE},
               {"ke", TC_PSK_MODE_KE},
               {"both", TC_PSK_MODE_DHE_KE | TC_PSK_MODE_KE}};
  if (text == NULL)
    return TRUE;
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_ascii_strcasecmp(text, names[i].name) == 0) {
      tc_config_set_psk_modes(cfg, names[i].modes);
      return TRUE;
    }
  g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--psk-modes: expected dhe, ke or both, not '%s'",
              text);
  return FALSE;
}

/* ---- protocol options ---- */

static gboolean parse_version(const char *opt, const char *text, uint16_t *out, GError **error)
{
  static const struct {
    const char *name;
    uint16_t v;
  } names[] = {{"ssl3.0", TC_SSL30}, {"tls1.0", TC_TLS10}, {"tls1.1", TC_TLS11},
               {"tls1.2", TC_TLS12}, {"tls1.3", TC_TLS13}};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_ascii_strcasecmp(text, names[i].name) == 0) {
      *out = names[i].v;
      return TRUE;
    }
  g_set_error(error, GT_ERROR, GT_ERR_USAGE,
              "%s: unknown version '%s' (ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3)", opt, text);
  return FALSE;
}

gboolean gt_apply_protocol_options(tc_config *cfg, const char *min_version,
                                   const char *max_version, const char *ciphers, GError **error)
{
  tc_error err;
  tc_error_clear(&err);
  if (min_version != NULL || max_version != NULL) {
    uint16_t lo = TC_TLS12, hi = TC_TLS13;
    if (min_version != NULL && !parse_version("--min-version", min_version, &lo, error))
      return FALSE;
    if (max_version != NULL && !parse_version("--max-version", max_version, &hi, error))
      return FALSE;
    /* Lowering only the maximum below the default minimum lowers both. */
    if (min_version == NULL && hi < lo)
      lo = hi;
    if (tc_config_set_versions(cfg, lo, hi, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "versions: %s", err.message);
      return FALSE;
    }
  }
  if (ciphers != NULL) {
    gchar **names = g_strsplit(ciphers, ",", -1);
    guint n = g_strv_length(names);
    uint16_t *ids = g_new0(uint16_t, n ? n : 1);
    gboolean ok = n > 0;
    for (guint i = 0; ok && i < n; i++) {
      ids[i] = tc_cipher_suite_from_name(g_strstrip(names[i]));
      if (ids[i] == 0) {
        g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--ciphers: unknown cipher suite '%s'",
                    names[i]);
        ok = FALSE;
      }
    }
    if (n == 0)
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--ciphers: empty list");
    if (ok && tc_config_set_cipher_suites(cfg, ids, n, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--ciphers: %s", err.message);
      ok = FALSE;
    }
    g_free(ids);
    g_strfreev(names);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* The SRP password: from the terminal without echo, or the first line of
 * stdin when it is not a terminal (the rest of stdin is still copied to
 * the connection, so it is read byte by byte, never buffered past the
 * newline). Returns a g_malloc'd buffer the caller wipes. */
char *gt_read_password(const char *user, const char *what, size_t *len, GError **error)
{
  GString *pw = g_string_new(NULL);
  int fd = STDIN_FILENO, tty = -1;
  struct termios old, quiet;
  gboolean restore = FALSE;
  if (isatty(STDIN_FILENO)) {
    tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    fd = tty >= 0 ? tty : STDIN_FILENO;
    char *escaped = gt_escape_bytes((const uint8_t *)user, strlen(user));
    char *prompt = g_strdup_printf("SRP password for %s: ", escaped);
    if (write(fd, prompt, strlen(prompt)) < 0) {
      /* no prompt then; still read */
    }
    g_free(prompt);
    g_free(escaped);
    if (tcgetattr(fd, &old) == 0) {
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      quiet.c_lflag |= ECHONL;
      restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
  }
  gboolean ok = FALSE, got = FALSE;
  for (;;) {
    char ch;
    ssize_t n = read(fd, &ch, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || ch == '\n')
      break;
    got = TRUE;
    g_string_append_c(pw, ch);
  }
  if (pw->len > 0 && pw->str[pw->len - 1] == '\r')
    g_string_truncate(pw, pw->len - 1);
  if (restore)
    tcsetattr(fd, TCSAFLUSH, &old);
  if (tty >= 0)
    close(tty);
  if (!got || pw->len == 0)
    g_set_error(error, GT_ERROR, 0, "%s: no password given (%s)", what,
                isatty(STDIN_FILENO) ? "empty input" : "the first line of stdin is the password");
  else
    ok = TRUE;
  *len = pw->len;
  char *out = NULL;
  if (ok)
    out = g_memdup2(pw->str, pw->len + 1);
  explicit_bzero(pw->str, pw->allocated_len);
  g_string_free(pw, TRUE);
  return out;
}

/* One comma-separated list of IANA names into a config list setter. */
static gboolean apply_named_list(tc_config *cfg, const char *opt, const char *what,
                                 const char *text, uint16_t (*from_name)(const char *),
                                 int (*set)(tc_config *, const uint16_t *, size_t, tc_error *),
                                 GError **error)
{
  tc_error err;
  tc_error_clear(&err);
  gchar **names = g_strsplit(text, ",", -1);
  guint n = g_strv_length(names);
  uint16_t *ids = g_new0(uint16_t, n ? n : 1);
  gboolean ok = n > 0;
  if (n == 0)
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: empty list", opt);
  for (guint i = 0; ok && i < n; i++) {
    ids[i] = from_name(g_strstrip(names[i]));
    if (ids[i] == 0) {
      gchar *esc = g_strescape(names[i], NULL);
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: unknown %s '%s'", opt, what, esc);
      g_free(esc);
      ok = FALSE;
    }
  }
  if (ok && set(cfg, ids, n, &err) != TC_OK) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "%s: %s", opt, err.message);
    ok = FALSE;
  }
  g_free(ids);
  g_strfreev(names);
  return ok;
}

gboolean gt_apply_algorithm_options(tc_config *cfg, const char *groups, const char *sigalgs,
                                    GError **error)
{
  if (groups != NULL && !apply_named_list(cfg, "--groups", "group", groups, tc_group_from_name,
                                          tc_config_set_groups, error))
    return FALSE;
  if (sigalgs != NULL &&
      !apply_named_list(cfg, "--sigalgs", "signature scheme", sigalgs, tc_sig_scheme_from_name,
                        tc_config_set_sig_schemes, error))
    return FALSE;
  return TRUE;
}
