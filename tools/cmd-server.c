/* gtls-tool server: a GThreadedSocketService whose threads each handshake one GTlsServerConnection, then echo or answer HTTP. */
#include <string.h>

#include <tlslite-gio/tlslite.h>

#include "gtls-tool.h"

/* Requests longer than this are answered as they are (a test page, not a web server). */
#define REQUEST_LIMIT 16384
/* A client that stalls this long (seconds) loses its connection and its thread. */
#define IDLE_TIMEOUT 60
/* Connections served at once; more wait in the listen queue. */
#define MAX_THREADS 256
/* Seconds a session of --session-cache N stays resumable (the library's default cache's too). */
#define SESSION_LIFETIME 3600

typedef struct {
  gt_tls_options tls;
  char **certs, **keys;
  char *key_password_file, *ca, *alpn;
  gboolean request_cert, require_cert, http, renegotiation, verbose;
  char *srp_db, *psk_db, *psk_hint, *ocsp_response, *ticket_key_file;
  int session_cache_size;   /* -1: the process-wide cache; 0: none */
  TlsliteSessionCache *session_cache;   /* shared by every connection; NULL: the default */

  GTlsCertificate *cert;
  GTlsDatabase *db;
  char **alpn_v;
  guint next_id;
} server;

typedef struct {
  const char *prop;
  const char *option;
} extra_prop;

static void log_line(server *sv, guint id, const char *peer, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void log_line(server *sv, guint id, const char *peer, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* One fprintf per line keeps lines of different threads whole. */
  fprintf(stderr, "[%u] %s %s\n", id, peer, msg);
  g_free(msg);
}

static char *describe(GTlsConnection *conn)
{
  char *suite = g_tls_connection_get_ciphersuite_name(conn);
  const char *alpn = g_tls_connection_get_negotiated_protocol(conn);
  char *ealpn = alpn ? gt_escape(alpn, -1) : g_strdup("-");
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "%s %s alpn=%s",
                         gt_protocol_name(g_tls_connection_get_protocol_version(conn)),
                         suite ? suite : "?", ealpn);
  static const char *const idents[] = {"srp-username", "psk-identity"};
  for (size_t i = 0; i < G_N_ELEMENTS(idents); i++) {
    GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(conn), idents[i]);
    if (ps != NULL && (ps->flags & G_PARAM_READABLE) && ps->value_type == G_TYPE_STRING) {
      char *v = NULL;
      g_object_get(conn, idents[i], &v, NULL);
      if (v != NULL) {
        char *e = gt_escape(v, -1);
        g_string_append_printf(s, " %s=%s", idents[i], e);
        g_free(e);
      }
      g_free(v);
    }
  }
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate(conn);
  if (peer != NULL) {
    char *subject = NULL;
    g_object_get(peer, "subject-name", &subject, NULL);
    char *e = gt_escape(subject, -1);
    g_string_append_printf(s, " client=\"%s\"", e);
    g_free(e);
    g_free(subject);
  }
  g_free(suite);
  g_free(ealpn);
  return g_string_free(s, FALSE);
}

static gboolean answer_http(GTlsConnection *conn, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  GString *req = g_string_new(NULL);
  char buf[4096];
  while (req->len < REQUEST_LIMIT && strstr(req->str, "\r\n\r\n") == NULL &&
         strstr(req->str, "\n\n") == NULL) {
    gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, error);
    if (n <= 0) {
      g_string_free(req, TRUE);
      return n == 0;   /* closed before a request: nothing to answer */
    }
    g_string_append_len(req, buf, n);
  }
  g_string_free(req, TRUE);

  char *what = describe(conn);
  char *html = g_markup_escape_text(what, -1);
  char *body = g_strdup_printf(
      "<html><head><title>gtls-tool</title></head><body>\n"
      "<h1>Hello from gtls-tool (GIO, backend %s)</h1>\n<pre>%s</pre>\n</body></html>\n",
      gt_backend_name(), html);
  char *head = g_strdup_printf("HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
  gboolean ok = g_output_stream_write_all(out, head, strlen(head), NULL, NULL, error) &&
                g_output_stream_write_all(out, body, strlen(body), NULL, NULL, error);
  g_free(head);
  g_free(body);
  g_free(html);
  g_free(what);
  return ok;
}

static gboolean echo(GTlsConnection *conn, GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
  char buf[16384];
  for (;;) {
    gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, error);
    if (n <= 0)
      return n == 0;
    if (!g_output_stream_write_all(out, buf, (gsize)n, NULL, NULL, error))
      return FALSE;
  }
}

/* Servers ask the application about every client certificate (as in glib-networking): one that
 * verifies is accepted; one that does not is refused, and the log line says why. */
static gboolean on_client_certificate(GTlsConnection *conn, GTlsCertificate *peer,
                                      GTlsCertificateFlags errors, gpointer data)
{
  char **why = data;
  if (errors == 0)
    return TRUE;
  g_free(*why);
  *why = gt_cert_flags_words(errors);
  return FALSE;
}

/* Runs in one of the service's threads; blocking I/O is fine here. */
static gboolean on_run(GThreadedSocketService *service, GSocketConnection *plain,
                       GObject *source, gpointer data)
{
  server *sv = data;
  guint id = g_atomic_int_add(&sv->next_id, 1) + 1;
  GError *error = NULL;
  char peer[128] = "?";
  GSocketAddress *ra = g_socket_connection_get_remote_address(plain, NULL);
  if (G_IS_INET_SOCKET_ADDRESS(ra)) {
    char *a = g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(ra)));
    g_snprintf(peer, sizeof peer, "%s:%u", a, g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(ra)));
    g_free(a);
  }
  g_clear_object(&ra);
  g_socket_set_timeout(g_socket_connection_get_socket(plain), IDLE_TIMEOUT);

  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(plain), sv->cert, &error);
  if (tls == NULL) {
    log_line(sv, id, peer, _("cannot start TLS: %s"), error->message);
    g_error_free(error);
    return TRUE;
  }
  GTlsConnection *conn = G_TLS_CONNECTION(tls);
  if (sv->db != NULL)
    g_tls_connection_set_database(conn, sv->db);
  g_object_set(conn, "authentication-mode",
               sv->require_cert ? G_TLS_AUTHENTICATION_REQUIRED
               : sv->request_cert ? G_TLS_AUTHENTICATION_REQUESTED : G_TLS_AUTHENTICATION_NONE,
               NULL);
  if (sv->alpn_v != NULL)
    g_tls_connection_set_advertised_protocols(conn, (const char *const *)sv->alpn_v);
  /* Extras by property name (checked at start-up, see check_extras). */
  if (sv->srp_db != NULL)
    g_object_set(conn, "verifier-database-path", sv->srp_db, NULL);
  if (sv->psk_db != NULL)
    g_object_set(conn, "shared-key-database-path", sv->psk_db, NULL);
  if (sv->psk_hint != NULL)
    g_object_set(conn, "psk-identity-hint", sv->psk_hint, NULL);
  if (sv->ocsp_response != NULL)
    g_object_set(conn, "ocsp-response-file", sv->ocsp_response, NULL);
  if (sv->ticket_key_file != NULL)
    g_object_set(conn, "ticket-key-file", sv->ticket_key_file, NULL);
  if (sv->session_cache != NULL)
    g_object_set(conn, "session-cache", sv->session_cache, NULL);
  if (sv->tls.settings != NULL)
    g_object_set(conn, "settings-string", sv->tls.settings, NULL);

  char *why = NULL;
  g_signal_connect(conn, "accept-certificate", G_CALLBACK(on_client_certificate), &why);
  if (!g_tls_connection_handshake(conn, NULL, &error)) {
    if (why != NULL)
      log_line(sv, id, peer, _("handshake failed: %s (client certificate: %s)"), error->message, why);
    else
      log_line(sv, id, peer, _("handshake failed: %s"), error->message);
    g_free(why);
    g_clear_error(&error);
    g_object_unref(conn);
    return TRUE;
  }
  g_free(why);
  char *what = describe(conn);
  log_line(sv, id, peer, "%s", what);
  g_free(what);

  gboolean ok = sv->http ? answer_http(conn, &error) : echo(conn, &error);
  if (!ok && sv->verbose)
    log_line(sv, id, peer, _("connection failed: %s"), error->message);
  g_clear_error(&error);
  /* close_notify; a peer already gone makes this fail, which changes nothing. */
  g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
  g_object_unref(conn);
  return TRUE;
}

/* Listen on every address HOST resolves to; port 0 picks one port for all. */
static gboolean listen_on(GSocketListener *l, const char *host, guint16 port, guint16 *bound,
                          GError **error)
{
  GList *addrs = NULL;
  GInetAddress *one = g_inet_address_new_from_string(host);
  if (one != NULL)
    addrs = g_list_append(NULL, one);
  else if ((addrs = g_resolver_lookup_by_name(g_resolver_get_default(), host, NULL, error)) == NULL)
    return FALSE;
  gboolean any = FALSE;
  *bound = port;
  for (GList *a = addrs; a; a = a->next) {
    GSocketAddress *sa = g_inet_socket_address_new(a->data, *bound);
    GSocketAddress *eff = NULL;
    GError *local = NULL;
    if (g_socket_listener_add_address(l, sa, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &eff, &local)) {
      *bound = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(eff));
      char *s = g_inet_address_to_string(a->data);
      fprintf(stderr, _("Listening on %s port %u\n"), s, *bound);
      g_free(s);
      any = TRUE;
      g_object_unref(eff);
    } else if (!any && a->next == NULL) {
      g_propagate_error(error, local);
      local = NULL;
    }
    g_clear_error(&local);
    g_object_unref(sa);
  }
  g_resolver_free_addresses(addrs);
  return any;
}

/* Options that go through properties of the public library: refuse them up front on a backend
 * (or a module build) that lacks the property, rather than failing each connection. */
static gboolean check_extras(server *sv, GError **error)
{
  const extra_prop wanted[] = {
    {sv->srp_db ? "verifier-database-path" : NULL, "--srp-db"},
    {sv->psk_db ? "shared-key-database-path" : NULL, "--psk-db"},
    {sv->psk_hint ? "psk-identity-hint" : NULL, "--psk-hint"},
    {sv->ocsp_response ? "ocsp-response-file" : NULL, "--ocsp-response"},
    {sv->ticket_key_file ? "ticket-key-file" : NULL, "--ticket-key-file"},
    {sv->session_cache_size >= 0 ? "session-cache" : NULL, "--session-cache"},
    {sv->tls.settings ? "settings-string" : NULL, "--settings"},
  };
  GType type = G_TYPE_NONE;
  for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++) {
    if (wanted[i].prop == NULL)
      continue;
    if (type == G_TYPE_NONE) {
      /* The backend's server connection type, from a throwaway instance. */
      GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      GSocketConnection *c = s ? g_socket_connection_factory_create_connection(s) : NULL;
      GIOStream *t = c ? g_tls_server_connection_new(G_IO_STREAM(c), sv->cert, NULL) : NULL;
      type = t ? G_OBJECT_TYPE(t) : G_TYPE_INVALID;
      g_clear_object(&t);
      g_clear_object(&c);
      g_clear_object(&s);
    }
    GObjectClass *klass = type != G_TYPE_INVALID ? g_type_class_ref(type) : NULL;
    gboolean has = klass && g_object_class_find_property(klass, wanted[i].prop) != NULL;
    if (klass)
      g_type_class_unref(klass);
    if (!has) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                  _("The '%s' TLS backend does not support %s (no \"%s\" property)"),
                  gt_backend_name(), wanted[i].option, wanted[i].prop);
      return FALSE;
    }
  }
  return TRUE;
}

int gt_cmd_server(int argc, char **argv)
{
  server sv = {.session_cache_size = -1};
  const GOptionEntry entries[] = {
    {"cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sv.certs,
     N_("Certificate chain (PEM, or PKCS#12 with its key); the first --cert is served"), N_("FILE")},
    {"key", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sv.keys,
     N_("Private key of --cert (PEM; may be encrypted)"), N_("FILE")},
    {"key-password-file", 0, 0, G_OPTION_ARG_FILENAME, &sv.key_password_file,
     N_("Password of an encrypted key or PKCS#12 file (else asked on the terminal)"), N_("FILE")},
    {"request-client-cert", 0, 0, G_OPTION_ARG_NONE, &sv.request_cert,
     N_("Ask clients for a certificate"), NULL},
    {"require-client-cert", 0, 0, G_OPTION_ARG_NONE, &sv.require_cert,
     N_("Require a client certificate that --ca verifies"), NULL},
    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &sv.ca,
     N_("CA certificates (PEM) that client certificates must chain to"), N_("FILE")},
    {"alpn", 0, 0, G_OPTION_ARG_STRING, &sv.alpn,
     N_("ALPN protocols to accept, comma-separated, in preference order"), N_("LIST")},
    {"http", 0, 0, G_OPTION_ARG_NONE, &sv.http,
     N_("Answer each request with a small HTML page saying what was negotiated (default: echo)"), NULL},
    {"srp-db", 0, 0, G_OPTION_ARG_FILENAME, &sv.srp_db,
     N_("Accept SRP logins of this verifier database (gtls-tool db create-srp)"), N_("FILE")},
    {"psk-db", 0, 0, G_OPTION_ARG_FILENAME, &sv.psk_db,
     N_("Accept the shared keys of this database (gtls-tool db create-psk)"), N_("FILE")},
    {"psk-hint", 0, 0, G_OPTION_ARG_STRING, &sv.psk_hint,
     N_("PSK identity hint to send (TLS 1.2)"), N_("HINT")},
    {"ocsp-response", 0, 0, G_OPTION_ARG_FILENAME, &sv.ocsp_response,
     N_("Staple this DER OCSP response (re-read when the file changes)"), N_("FILE")},
    {"ticket-key-file", 0, 0, G_OPTION_ARG_FILENAME, &sv.ticket_key_file,
     N_("Session ticket keys (nginx ssl_session_ticket_key format), shared by several servers"),
     N_("FILE")},
    {"session-cache", 0, 0, G_OPTION_ARG_INT, &sv.session_cache_size,
     N_("TLS 1.2 session-ID cache of N sessions for this server's connections, 0 for none "
        "(default: the process-wide cache of 1024)"), N_("N")},
    {"renegotiation", 0, 0, G_OPTION_ARG_NONE, &sv.renegotiation,
     N_("Accepted for compatibility; GIO connections refuse renegotiation"), NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &sv.verbose,
     N_("Also log connections that fail after the handshake"), NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(_("HOST:PORT - accept TLS connections"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, gt_tls_option_entries(&sv.tls), GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Serves until killed: many connections at once, one line on stderr per connection.\n"
        "Port 0 picks a free port (printed). A bad client never stops the server."));
  int rc = GT_EXIT_USAGE;
  GError *error = NULL;
  char *host = NULL;
  guint16 port = 0;
  if (!gt_parse(ctx, "server", &argc, &argv))
    goto out;
  if (argc != 2) {
    rc = gt_usage_error("server", "%s", argc < 2 ? _("HOST:PORT missing") : _("too many arguments"));
    goto out;
  }
  if (!gt_parse_host_port(argv[1], &host, &port, &error)) {
    rc = gt_usage_error("server", "%s", error->message);
    goto out;
  }
  guint ncerts = sv.certs ? g_strv_length(sv.certs) : 0, nkeys = sv.keys ? g_strv_length(sv.keys) : 0;
  if (ncerts == 0 && sv.srp_db == NULL && sv.psk_db == NULL) {
    rc = gt_usage_error("server", _("--cert (or --srp-db / --psk-db) is required"));
    goto out;
  }
  if (nkeys > ncerts) {
    rc = gt_usage_error("server", _("more --key than --cert options"));
    goto out;
  }
  if (sv.require_cert && sv.ca == NULL) {
    rc = gt_usage_error("server", _("--require-client-cert needs --ca"));
    goto out;
  }
  if (sv.session_cache_size < -1 || sv.session_cache_size > (1 << 24)) {
    rc = gt_usage_error("server", _("--session-cache wants a number of sessions from 0 to %d"),
                        1 << 24);
    goto out;
  }
  if (!gt_tls_setup(&sv.tls, &error)) {
    rc = g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE)
             ? gt_usage_error("server", "%s", error->message)
             : (gt_err("%s", error->message), GT_EXIT_FAIL);
    goto out;
  }
  rc = GT_EXIT_FAIL;
  if (ncerts > 1)
    gt_warn(_("GIO serves one certificate per connection; using %s"), sv.certs[0]);
  if (ncerts > 0 &&
      (sv.cert = gt_load_certificate(sv.certs[0], nkeys ? sv.keys[0] : NULL, sv.key_password_file,
                                     &error)) == NULL)
    goto fail;
  if (sv.ca != NULL) {
    /* GTlsFileDatabase wants an absolute path. */
    char *abs = g_canonicalize_filename(sv.ca, NULL);
    sv.db = g_tls_file_database_new(abs, &error);
    g_free(abs);
    if (sv.db == NULL)
      goto fail;
  }
  if (!check_extras(&sv, &error))
    goto fail;
  /* One cache for all of this server's connections (TLS Lite's SessionCache); with 0 sessions
   * it keeps none, so TLS 1.2 clients cannot resume by session ID. */
  if (sv.session_cache_size >= 0)
    sv.session_cache = tlslite_session_cache_new((guint)sv.session_cache_size, SESSION_LIFETIME);
  if (sv.alpn != NULL)
    sv.alpn_v = g_strsplit(sv.alpn, ",", -1);

  GSocketService *service = g_threaded_socket_service_new(MAX_THREADS);
  guint16 bound = 0;
  if (!listen_on(G_SOCKET_LISTENER(service), host, port, &bound, &error)) {
    g_object_unref(service);
    goto fail;
  }
  g_signal_connect(service, "run", G_CALLBACK(on_run), &sv);
  g_socket_service_start(service);
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  g_main_loop_run(loop);   /* until killed */
  g_main_loop_unref(loop);
  g_object_unref(service);
  rc = GT_EXIT_OK;
  goto out;

fail:
  gt_err("%s", error->message);
out:
  g_clear_error(&error);
  g_option_context_free(ctx);
  g_clear_object(&sv.cert);
  g_clear_object(&sv.db);
  g_clear_object(&sv.session_cache);
  g_strfreev(sv.alpn_v);
  g_free(host);
  /* What option parsing stored. */
  char *strs[] = {sv.key_password_file, sv.ca, sv.alpn, sv.srp_db, sv.psk_db, sv.psk_hint,
                  sv.ocsp_response, sv.ticket_key_file};
  for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
    g_free(strs[i]);
  g_strfreev(sv.certs);
  g_strfreev(sv.keys);
  gt_tls_options_clear(&sv.tls);
  return rc;
}
