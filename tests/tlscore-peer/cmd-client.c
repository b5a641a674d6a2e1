/* tlscore-peer client: connect, handshake through tlscore, report, then copy stdin/stdout over the connection. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netio.h"
#include "cert-compression.h"

/* How long the first --resume connection waits for a session ticket. */
#define TICKET_WAIT_MS 5000

typedef struct {
  char *ca;
  char *server_name;
  char *cert;
  char *key;
  char *alpn;
  char *sess_in;
  char *sess_out;
  gboolean insecure;
  gboolean resume;
  char *min_version;
  char *max_version;
  char *ciphers;
  char *groups, *sigalgs;
  gboolean fallback_scsv;
  gboolean legacy_signatures; /* TLS 1.2: SHA-1/SHA-224 signatures too */
  gboolean cert_compression;  /* RFC 8879 with zlib */
  gboolean pha;               /* offer post-handshake authentication */
  char *psk;             /* IDENTITY:HEXKEY */
  char *psk_file;        /* psktool file */
  char *psk_identity;    /* the line of --psk-file to use */
  char *psk_hash;        /* TLS 1.3: sha256 | sha384 */
  char *psk_modes;       /* TLS 1.3: dhe | ke | both */
  char *psk_import;      /* TLS 1.3: import the key (RFC 9258) with this context */
  tc_psk_hash psk_hash_v;
  char *srp_user;        /* --srp USER */
  char *srp_ask;         /* --srp-if-asked USER */
  gboolean srp_requested;/* the server answered our SRP offer asking for credentials */
  gboolean srp_retry;    /* this connection asks for the credentials first */

  char *host;
  guint16 port;
  char **alpn_v;
  tc_config *cfg;
  tc_cert **chain;       /* client credentials, for TC_WANT_CLIENT_CERT */
  size_t chain_n;
  tc_privkey *key_obj;
} client;

typedef enum {
  RUN_COPY,     /* copy stdin/stdout until both sides are done */
  RUN_PROBE     /* handshake, wait briefly for a session, close */
} run_mode;

static gboolean write_all(int fd, const uint8_t *p, size_t len, GError **error)
{
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        poll(&pfd, 1, -1);
        continue;
      }
      g_set_error(error, GT_ERROR, 0, "write to stdout: %s", g_strerror(errno));
      return FALSE;
    }
    p += n;
    len -= (size_t)n;
  }
  return TRUE;
}

static gboolean answer_want(client *cl, tc_conn *c, GError **error)
{
  int rc;
  switch (tc_conn_want(c)) {
  case TC_WANT_CLIENT_CERT:
    if (cl->chain != NULL)
      rc = tc_conn_answer_client_cert(c, cl->chain, cl->chain_n, cl->key_obj);
    else
      rc = tc_conn_answer_client_cert(c, NULL, 0, NULL);
    break;
  case TC_WANT_SRP_CREDENTIALS: {
    /* --srp-if-asked: the server wanted SRP; now the password is needed. */
    size_t pl = 0;
    char *pw = gt_read_password(cl->srp_ask, "--srp-if-asked", &pl, error);
    if (pw == NULL)
      return FALSE;
    rc = tc_conn_answer_srp_credentials(c, cl->srp_ask, (const uint8_t *)pw, pl);
    explicit_bzero(pw, pl);
    g_free(pw);
    break;
  }
  case TC_WANT_VERIFY_PEER:
    /* Only reached if the engine defers the decision; --insecure accepts. */
    rc = tc_conn_answer_verify(c, cl->insecure, TC_CERT_GENERIC_ERROR,
                               cl->insecure ? NULL : "peer certificate not verified");
    break;
  default:
    g_set_error(error, GT_ERROR, 0, "the TLS engine asked for something this tool cannot answer (%d)",
                (int)tc_conn_want(c));
    return FALSE;
  }
  if (rc == TC_FAIL) {
    gt_set_tls_error(error, c);
    return FALSE;
  }
  return TRUE;
}

static gboolean save_session(const char *path, tc_session *s, GError **error)
{
  uint8_t *data = NULL;
  size_t len = 0;
  if (tc_session_serialize(s, &data, &len) != TC_OK) {
    g_set_error(error, GT_ERROR, 0, "cannot serialize the session");
    return FALSE;
  }
  gboolean ok = g_file_set_contents(path, (const char *)data, (gssize)len, error);
  /* The blob holds a resumption secret. */
  explicit_bzero(data, len);
  free(data);
  return ok;
}

static tc_session *load_session(const char *path, GError **error)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, error))
    return NULL;
  tc_error err;
  tc_error_clear(&err);
  tc_session *s = tc_session_deserialize((const uint8_t *)data, len, &err);
  explicit_bzero(data, len);
  g_free(data);
  if (s == NULL)
    g_set_error(error, GT_ERROR, 0, "%s: %s", path,
                err.code != TC_ERR_NONE ? err.message : "not a saved session");
  return s;
}

/* One connection. On success *session_out (if not NULL) gets the newest
 * resumable session, and *resumed whether the handshake resumed. */
static gboolean run_connection(client *cl, run_mode mode, tc_session *offer,
                               tc_session **session_out, gboolean *resumed, GError **error)
{
  char *peer_desc = NULL;
  int fd = gt_tcp_connect(cl->host, cl->port, &peer_desc, error);
  if (fd < 0)
    return FALSE;
  fprintf(stderr, "connected to %s\n", peer_desc);
  g_free(peer_desc);

  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(cl->cfg, &err);
  if (c == NULL) {
    g_set_error(error, GT_ERROR, 0, "cannot create a TLS connection: %s", err.message);
    close(fd);
    return FALSE;
  }
  const char *name = cl->server_name != NULL ? cl->server_name : cl->host;
  if (tc_conn_set_server_name(c, name) != TC_OK ||
      (offer != NULL && tc_conn_set_session(c, offer) != TC_OK) ||
      (cl->srp_retry && tc_conn_request_srp_credentials(c) != TC_OK)) {
    gt_set_tls_error(error, c);
    tc_conn_free(c);
    close(fd);
    return FALSE;
  }

  gt_link link = {.fd = fd, .tls = c};
  gboolean ok = FALSE, reported = FALSE, stdin_eof = (mode == RUN_PROBE);
  gboolean close_sent = FALSE, peer_closed = FALSE;
  uint8_t inbuf[16384];        /* stdin bytes not yet taken by the engine */
  size_t in_off = 0, in_len = 0;
  uint8_t rbuf[16384];
  gint64 probe_deadline = 0;

  for (;;) {
    gboolean progress;
    do {
      progress = FALSE;
      if (!gt_link_pump(&link, &progress, error)) {
        if (close_sent || peer_closed) {
          /* The peer went away after the goodbye; nothing is lost. */
          g_clear_error(error);
          ok = TRUE;
        }
        goto out;
      }
      unsigned st = tc_conn_status(c);
      if (st & TC_S_FAILED) {
        gt_link_flush(&link, NULL, NULL);   /* best effort: let the alert out */
        gt_set_tls_error(error, c);
        goto out;
      }
      if (st & TC_S_WANT) {
        if (!answer_want(cl, c, error))
          goto out;
        progress = TRUE;
        continue;
      }
      if (link.net_eof && !link.eof_given) {
        if (close_sent) {
          /* We already said goodbye; a peer that just drops the TCP
           * connection truncates nothing we still wait for. */
          ok = TRUE;
          goto out;
        }
        tc_conn_input_eof(c);
        link.eof_given = true;
        progress = TRUE;
        continue;
      }
      if (!(st & TC_S_READY))
        continue;
      if (!reported) {
        gt_print_negotiated(stderr, c);
        reported = TRUE;
        if (mode == RUN_PROBE)
          probe_deadline = g_get_monotonic_time() + TICKET_WAIT_MS * 1000;
      }
      while (!peer_closed) {
        size_t n = 0;
        int rc = tc_conn_read(c, rbuf, sizeof rbuf, &n);
        if (rc == TC_OK && n > 0) {
          if (!write_all(STDOUT_FILENO, rbuf, n, error))
            goto out;
          progress = TRUE;
        } else if (rc == TC_EOF) {
          peer_closed = TRUE;
          progress = TRUE;
        } else if (rc == TC_FAIL) {
          gt_set_tls_error(error, c);
          goto out;
        } else {
          break;
        }
      }
      if (in_len > 0 && !close_sent) {
        size_t n = 0;
        int rc = tc_conn_write(c, inbuf + in_off, in_len, &n);
        if (rc == TC_FAIL) {
          gt_set_tls_error(error, c);
          goto out;
        }
        if (rc == TC_OK && n > 0) {
          in_off += n;
          in_len -= n;
          progress = TRUE;
        }
      }
      if (!close_sent) {
        gboolean done_sending = stdin_eof && in_len == 0;
        if (mode == RUN_PROBE) {
          tc_session *s = tc_conn_get_session(c);
          done_sending = s != NULL || g_get_monotonic_time() >= probe_deadline;
          if (s != NULL)
            tc_session_unref(s);
        }
        if (done_sending || peer_closed) {
          if (tc_conn_close(c) == TC_FAIL) {
            gt_set_tls_error(error, c);
            goto out;
          }
          close_sent = TRUE;
          progress = TRUE;
        }
      }
      if (close_sent && !(tc_conn_status(c) & TC_S_OUTPUT) &&
          (peer_closed || mode == RUN_PROBE)) {
        ok = TRUE;
        goto out;
      }
    } while (progress);

    struct pollfd pfd[2];
    nfds_t nfds = 1;
    pfd[0].fd = fd;
    pfd[0].events = gt_link_events(&link);
    pfd[0].revents = 0;
    gboolean want_stdin = reported && !stdin_eof && in_len == 0 && !close_sent;
    if (want_stdin) {
      pfd[1].fd = STDIN_FILENO;
      pfd[1].events = POLLIN;
      pfd[1].revents = 0;
      nfds = 2;
    }
    int timeout = -1;
    if (mode == RUN_PROBE && probe_deadline != 0 && !close_sent) {
      gint64 left = (probe_deadline - g_get_monotonic_time()) / 1000;
      timeout = left > 0 ? (int)left + 1 : 0;
    }
    if (pfd[0].events == 0 && !want_stdin && timeout < 0) {
      g_set_error(error, GT_ERROR, 0, "internal error: the connection is stuck");
      goto out;
    }
    if (poll(pfd, nfds, timeout) < 0 && errno != EINTR) {
      g_set_error(error, GT_ERROR, 0, "poll: %s", g_strerror(errno));
      goto out;
    }
    if (want_stdin && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(STDIN_FILENO, inbuf, sizeof inbuf);
      if (n > 0) {
        in_off = 0;
        in_len = (size_t)n;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_eof = TRUE;
      }
    }
  }

out:
  cl->srp_requested = tc_conn_srp_requested(c);
  if (ok) {
    if (session_out != NULL)
      *session_out = tc_conn_get_session(c);
    if (resumed != NULL)
      *resumed = tc_conn_resumed(c);
  }
  tc_conn_free(c);
  close(fd);
  return ok;
}

/* Adds one key with the TLS 1.3 settings (--psk-hash, --psk-import). */
static gboolean add_one_psk(client *cl, const gt_psk *psk, const char *what, GError **error)
{
  gt_psk p = *psk;
  p.hash = cl->psk_hash_v;
  if (!gt_config_add_psk(cl->cfg, &p, what, error))
    return FALSE;
  tc_error err;
  tc_error_clear(&err);
  if (cl->psk_import != NULL &&
      tc_config_set_psk_import(cl->cfg, p.identity, p.id_len, (const uint8_t *)cl->psk_import,
                               strlen(cl->psk_import), &err) != TC_OK) {
    g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--psk-import: %s", err.message);
    return FALSE;
  }
  return TRUE;
}

static gboolean add_psk(const gt_psk *psk, void *ctx, GError **error)
{
  return add_one_psk(ctx, psk, "--psk-file", error);
}

static gboolean setup(client *cl, int argc, char **argv, GError **error)
{
  if (argc != 2) {
    g_set_error(error, GT_ERROR, 0, argc < 2 ? "missing HOST:PORT" : "too many arguments");
    return FALSE;
  }
  if (!gt_parse_host_port(argv[1], FALSE, &cl->host, &cl->port, error))
    return FALSE;
  if ((cl->cert == NULL) != (cl->key == NULL)) {
    g_set_error(error, GT_ERROR, 0, "--cert and --key go together");
    return FALSE;
  }
  if (cl->insecure && cl->ca != NULL) {
    g_set_error(error, GT_ERROR, 0, "--insecure and --ca exclude each other");
    return FALSE;
  }
  if (cl->resume && cl->sess_in != NULL) {
    g_set_error(error, GT_ERROR, 0, "--resume and --sess-in exclude each other");
    return FALSE;
  }
  if (cl->server_name != NULL && *cl->server_name == '\0') {
    g_set_error(error, GT_ERROR, 0, "--server-name must not be empty");
    return FALSE;
  }
  if (cl->alpn != NULL && (cl->alpn_v = gt_parse_alpn(cl->alpn, error)) == NULL)
    return FALSE;
  if (!gt_parse_psk_hash(cl->psk_hash, &cl->psk_hash_v, error))
    return FALSE;
  if ((cl->psk_hash != NULL || cl->psk_modes != NULL || cl->psk_import != NULL) &&
      cl->psk == NULL && cl->psk_file == NULL) {
    g_set_error(error, GT_ERROR, 0, "--psk-hash, --psk-modes and --psk-import need --psk or "
                                    "--psk-file");
    return FALSE;
  }
  if (cl->psk != NULL && cl->psk_file != NULL) {
    g_set_error(error, GT_ERROR, 0, "--psk and --psk-file exclude each other");
    return FALSE;
  }
  if (cl->psk_identity != NULL && cl->psk_file == NULL) {
    g_set_error(error, GT_ERROR, 0, "--psk-identity picks an entry of --psk-file");
    return FALSE;
  }

  cl->cfg = tc_config_new(TC_ROLE_CLIENT);
  if (cl->cfg == NULL) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "out of memory");
    return FALSE;
  }
  tc_error err;
  tc_error_clear(&err);
  if (!gt_apply_protocol_options(cl->cfg, cl->min_version, cl->max_version, cl->ciphers, error))
    return FALSE;
  if (cl->psk != NULL) {
    gt_psk psk;
    gboolean ok = gt_parse_psk(cl->psk, "--psk", &psk, error) &&
                  add_one_psk(cl, &psk, "--psk", error);
    gt_psk_clear(&psk);
    /* The key was on the command line: do not keep a copy in argv's strings. */
    explicit_bzero(cl->psk, strlen(cl->psk));
    if (!ok)
      return FALSE;
  }
  if (cl->psk_file != NULL &&
      !gt_load_psk_file(cl->psk_file, cl->psk_identity, add_psk, cl, error))
    return FALSE;
  if (!gt_apply_psk_modes(cl->cfg, cl->psk_modes, error))
    return FALSE;
  if (cl->srp_user != NULL && cl->srp_ask != NULL) {
    g_set_error(error, GT_ERROR, 0, "--srp and --srp-if-asked exclude each other");
    return FALSE;
  }
  if (cl->srp_ask != NULL) {
    size_t ul = strlen(cl->srp_ask);
    if (ul == 0 || ul > 255) {
      g_set_error(error, GT_ERROR, 0, "--srp-if-asked: the user name must be 1..255 bytes");
      return FALSE;
    }
    tc_config_set_srp_client(cl->cfg, TRUE);
  }
  if (cl->srp_user != NULL) {
    size_t pl = 0;
    char *pw = gt_read_password(cl->srp_user, "--srp", &pl, error);
    if (pw == NULL)
      return FALSE;
    int rc = tc_config_set_srp_credentials(cl->cfg, cl->srp_user, (const uint8_t *)pw, pl, &err);
    explicit_bzero(pw, pl);
    g_free(pw);
    if (rc != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--srp: %s", err.message);
      return FALSE;
    }
  }
  if (!gt_apply_algorithm_options(cl->cfg, cl->groups, cl->sigalgs, error))
    return FALSE;
  tc_config_set_fallback_scsv(cl->cfg, cl->fallback_scsv);
  tc_config_set_legacy_signatures(cl->cfg, cl->legacy_signatures);
  tc_config_set_post_handshake_auth(cl->cfg, cl->pha);
  if (cl->cert_compression) {
    static const uint16_t zlib = TC_CERT_COMPRESSION_ZLIB;
    tc_error_clear(&err);
    if (tc_config_set_cert_compression(cl->cfg, &zlib, 1, tlslite_zlib_cert_compress,
                                       tlslite_zlib_cert_decompress, NULL, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--cert-compression: %s", err.message);
      return FALSE;
    }
  }
  if (cl->insecure) {
    tc_config_set_verify_mode(cl->cfg, TC_VERIFY_NONE);
  } else {
    const char *ca = cl->ca != NULL ? cl->ca : TLSCORE_PEER_CA_BUNDLE;
    tc_trust_store *store = gt_load_trust_store(ca, error);
    if (store == NULL)
      return FALSE;
    tc_config_set_trust_store(cl->cfg, store);
    tc_trust_store_unref(store);
    tc_config_set_verify_mode(cl->cfg, TC_VERIFY_BUILTIN);
  }
  if (cl->cert != NULL) {
    cl->chain = gt_load_certs(cl->cert, &cl->chain_n, error);
    if (cl->chain == NULL || (cl->key_obj = gt_load_key(cl->key, error)) == NULL)
      return FALSE;
    if (tc_config_add_cert_chain(cl->cfg, cl->chain, cl->chain_n, cl->key_obj, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s, %s: %s", cl->cert, cl->key, err.message);
      return FALSE;
    }
  }
  if (cl->alpn_v != NULL &&
      tc_config_set_alpn(cl->cfg, (const char *const *)cl->alpn_v, g_strv_length(cl->alpn_v),
                         &err) != TC_OK) {
    g_set_error(error, GT_ERROR, 0, "--alpn: %s", err.message);
    return FALSE;
  }
  return TRUE;
}

int gt_cmd_client(int argc, char **argv)
{
  client cl = {0};
  GOptionEntry entries[] = {
    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &cl.ca,
     "Trust the CA certificates in FILE (default: the system bundle)", "FILE"},
    {"server-name", 0, 0, G_OPTION_ARG_STRING, &cl.server_name,
     "Name to send in SNI and to verify (default: HOST)", "NAME"},
    {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cl.cert, "Client certificate chain (PEM)", "FILE"},
    {"key", 0, 0, G_OPTION_ARG_FILENAME, &cl.key, "Private key of --cert", "FILE"},
    {"alpn", 0, 0, G_OPTION_ARG_STRING, &cl.alpn, "Offer these ALPN protocols", "P1,P2"},
    {"insecure", 0, 0, G_OPTION_ARG_NONE, &cl.insecure,
     "Do not verify the server certificate", NULL},
    {"resume", 0, 0, G_OPTION_ARG_NONE, &cl.resume,
     "Connect twice, resuming the first session on the second connection", NULL},
    {"sess-in", 0, 0, G_OPTION_ARG_FILENAME, &cl.sess_in, "Offer the session saved in FILE",
     "FILE"},
    {"sess-out", 0, 0, G_OPTION_ARG_FILENAME, &cl.sess_out, "Save the session to FILE", "FILE"},
    {"min-version", 0, 0, G_OPTION_ARG_STRING, &cl.min_version,
     "Lowest protocol version: ssl3.0, tls1.0, tls1.1, tls1.2 (default), tls1.3", "VERSION"},
    {"max-version", 0, 0, G_OPTION_ARG_STRING, &cl.max_version,
     "Highest protocol version (default tls1.3)", "VERSION"},
    {"ciphers", 0, 0, G_OPTION_ARG_STRING, &cl.ciphers,
     "Cipher suites in preference order, IANA names", "S1,S2"},
    {"groups", 0, 0, G_OPTION_ARG_STRING, &cl.groups,
     "Key exchange groups in preference order (x25519, secp256r1, secp384r1, secp521r1, x448, "
     "ffdhe2048 ... ffdhe8192)", "G1,G2"},
    {"sigalgs", 0, 0, G_OPTION_ARG_STRING, &cl.sigalgs,
     "Signature schemes in preference order, IANA names (ed448, rsa_pss_pss_sha256, ...)",
     "S1,S2"},
    {"legacy-signatures", 0, 0, G_OPTION_ARG_NONE, &cl.legacy_signatures,
     "TLS 1.2: also offer and accept SHA-1 and SHA-224 signatures (off by default)", NULL},
    {"post-handshake-auth", 0, 0, G_OPTION_ARG_NONE, &cl.pha,
     "TLS 1.3: offer post-handshake authentication and answer it with --cert (or nothing)", NULL},
    {"cert-compression", 0, 0, G_OPTION_ARG_NONE, &cl.cert_compression,
     "TLS 1.3: offer and accept zlib-compressed certificates (RFC 8879; off by default)", NULL},
    {"fallback-scsv", 0, 0, G_OPTION_ARG_NONE, &cl.fallback_scsv,
     "Mark this as a fallback retry with a lowered --max-version (TLS_FALLBACK_SCSV)", NULL},
    {"psk", 0, 0, G_OPTION_ARG_STRING, &cl.psk,
     "Shared key: offer the PSK cipher suites with this identity and hex key", "IDENTITY:HEXKEY"},
    {"psk-file", 0, 0, G_OPTION_ARG_FILENAME, &cl.psk_file,
     "Shared key from a psktool file (IDENTITY:HEXKEY lines; the first, or --psk-identity)",
     "FILE"},
    {"psk-identity", 0, 0, G_OPTION_ARG_STRING, &cl.psk_identity,
     "The entry of --psk-file to use", "IDENTITY"},
    {"psk-hash", 0, 0, G_OPTION_ARG_STRING, &cl.psk_hash,
     "TLS 1.3: the hash the shared key is bound to (sha256, the default; sha384 picks "
     "TLS_AES_256_GCM_SHA384)", "HASH"},
    {"psk-modes", 0, 0, G_OPTION_ARG_STRING, &cl.psk_modes,
     "TLS 1.3: PSK key exchange modes to offer: dhe (psk_dhe_ke, the default), ke (psk_ke: "
     "the key alone, no forward secrecy) or both", "MODES"},
    {"psk-import", 0, 0, G_OPTION_ARG_STRING, &cl.psk_import,
     "TLS 1.3: offer the shared key imported (RFC 9258) with this context (may be empty)",
     "CONTEXT"},
    {"srp", 0, 0, G_OPTION_ARG_STRING, &cl.srp_user,
     "SRP user name: offer the SRP cipher suites (TLS 1.2 at most); the password is read "
     "from the terminal without echo, or as the first line of stdin", "USER"},
    {"srp-if-asked", 0, 0, G_OPTION_ARG_STRING, &cl.srp_ask,
     "Offer SRP without sending a user name (RFC 5054 section 2.5.1.2); only if the server "
     "asks for it, reconnect as USER (password read as for --srp)", "USER"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

  GOptionContext *ctx = g_option_context_new("HOST:PORT");
  g_option_context_set_summary(ctx,
      "Connect to a TLS server, print what was negotiated on stderr, then copy\n"
      "stdin to the connection and the connection to stdout.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  int status = GT_EXIT_OK;
  tc_session *offer = NULL, *got = NULL;

  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !setup(&cl, argc, argv, &error)) {
    status = gt_report_setup_error(error, "client");
    goto done;
  }
  if (cl.sess_in != NULL && (offer = load_session(cl.sess_in, &error)) == NULL) {
    gt_warn("%s", error->message);
    status = GT_EXIT_FAILURE;
    goto done;
  }

  gboolean resumed = FALSE;
  if (cl.resume) {
    fprintf(stderr, "--- connection 1\n");
    if (!run_connection(&cl, RUN_PROBE, NULL, &offer, NULL, &error)) {
      gt_warn("%s", error->message);
      status = GT_EXIT_FAILURE;
      goto done;
    }
    if (offer == NULL) {
      gt_warn("the server sent no session ticket to resume");
      status = GT_EXIT_FAILURE;
      goto done;
    }
    fprintf(stderr, "--- connection 2 (resuming)\n");
  }
  gboolean connected = run_connection(&cl, RUN_COPY, offer, &got, &resumed, &error);
  if (!connected && cl.srp_ask != NULL && cl.srp_requested) {
    /* TLS Lite's handshakeClientUnknown: the server wants SRP; a new
     * connection asks for the password before its ClientHello. */
    fprintf(stderr, "%s\n--- the server asks for SRP credentials: reconnecting as %s\n",
            error->message, cl.srp_ask);
    g_clear_error(&error);
    cl.srp_retry = TRUE;
    connected = run_connection(&cl, RUN_COPY, offer, &got, &resumed, &error);
  }
  if (!connected) {
    gt_warn("%s", error->message);
    status = GT_EXIT_FAILURE;
    goto done;
  }
  if (cl.resume && !resumed) {
    gt_warn("the server did not resume the session");
    status = GT_EXIT_FAILURE;
  }
  if (cl.sess_out != NULL) {
    tc_session *save = got != NULL ? got : offer;
    if (save == NULL) {
      gt_warn("no session to save to %s", cl.sess_out);
      status = GT_EXIT_FAILURE;
    } else if (!save_session(cl.sess_out, save, &error)) {
      gt_warn("%s", error->message);
      status = GT_EXIT_FAILURE;
    }
  }

done:
  g_clear_error(&error);
  if (offer != NULL)
    tc_session_unref(offer);
  if (got != NULL)
    tc_session_unref(got);
  if (cl.cfg != NULL)
    tc_config_unref(cl.cfg);
  gt_free_certs(cl.chain, cl.chain_n);
  if (cl.key_obj != NULL)
    tc_privkey_unref(cl.key_obj);
  g_strfreev(cl.alpn_v);
  g_free(cl.host);
  g_free(cl.ca);
  g_free(cl.server_name);
  g_free(cl.cert);
  g_free(cl.key);
  g_free(cl.alpn);
  g_free(cl.sess_in);
  g_free(cl.sess_out);
  g_free(cl.min_version);
  g_free(cl.max_version);
  g_free(cl.ciphers);
  g_free(cl.psk);
  g_free(cl.psk_file);
  g_free(cl.psk_identity);
  g_free(cl.psk_hash);
  g_free(cl.psk_modes);
  g_free(cl.psk_import);
  g_free(cl.srp_user);
  g_free(cl.groups);
  g_free(cl.sigalgs);
  g_free(cl.srp_ask);
  g_option_context_free(ctx);
  return status;
}
