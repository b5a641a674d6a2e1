/* tlscore-peer server: many concurrent tlscore connections over non-blocking sockets in one poll() loop; echo or a tiny HTTP page. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netio.h"
#include "cert-compression.h"
#include "tlscore/store.h"

/* Stop reading application data while this much echo output is queued. */
#define PENDING_LIMIT (64 * 1024)
/* An HTTP request head larger than this is answered anyway. */
#define REQUEST_LIMIT (16 * 1024)
/* How long a closing connection waits for the peer before we drop it. */
#define LINGER_US (5 * G_USEC_PER_SEC)
/* How long a failed connection's input is drained: a peer may still be
 * sending a 16 MiB message (tlsfuzzer's pure-Python AES needs minutes). */
#define DRAIN_US (300 * G_USEC_PER_SEC)

typedef struct {
  char **certs;
  char **keys;
  char *ca;
  char *alpn;
  gboolean http;
  gboolean require_client_cert;
  gboolean request_client_cert;
  gint max_conns;
  gint session_cache;      /* TLS 1.2 session-ID cache entries (0: none) */
  gint tickets;            /* tickets per handshake (-1: the engine's default) */
  gboolean renegotiation;  /* allow RFC 5746 secure renegotiation */
  gboolean resume_without_ems; /* resume TLS 1.2 sessions without RFC 7627 */
  gboolean legacy_signatures;  /* TLS 1.2: SHA-1/SHA-224 signatures too */
  gboolean cert_compression;   /* RFC 8879 with zlib */
  gboolean request_pha;        /* TLS 1.3: ask for a certificate after the handshake */
  char *ocsp_response;     /* DER OCSPResponse to staple */
  char *min_version;
  char *max_version;
  char *ciphers;
  char **psk;            /* IDENTITY:HEXKEY, repeatable */
  char *psk_file;        /* psktool file */
  char *psk_hint;
  char *psk_hash;        /* TLS 1.3: sha256 | sha384 */
  char *psk_modes;       /* TLS 1.3: dhe | ke | both */
  tc_psk_hash psk_hash_v;
  char *srp_db;          /* SQLite verifier database */
  char *srp_tpasswd;     /* srptool tpasswd, imported into memory */
  char *srp_tpasswd_conf;
  char *srp_group_bits;  /* MIN or MIN:MAX */
  char *groups, *sigalgs;

  tc_store *srp_store;
  char *psk_db;          /* SQLite shared-key database */
  tc_store *psk_store;
  char *host;
  guint16 port;
  char **alpn_v;
  tc_config *cfg;
} server;

typedef struct {
  unsigned id;
  gt_link link;
  char *peer;
  GByteArray *pending;     /* echo data / HTTP answer the engine has not taken yet */
  GString *request;        /* HTTP request head received so far */
  gboolean reported;
  gboolean pha_asked;      /* --request-pha: CertificateRequest sent (or refused) */
  gboolean peer_closed;    /* close_notify received */
  gboolean answered;       /* HTTP response queued */
  gboolean close_queued;   /* our close_notify queued */
  gboolean shut_wr;        /* TCP write side shut after close_notify went out */
  gboolean draining;       /* failed, alert sent: reading and dropping input */
  gint64 linger_until;
  gboolean done;
} sconn;

static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  if (write(signal_pipe[1], &b, 1) < 0) {
    /* Nothing useful to do in a signal handler; the pipe is only a wake-up. */
  }
  errno = saved;
}

static void sconn_free(sconn *sc)
{
  if (sc->link.tls != NULL)
    tc_conn_free(sc->link.tls);
  if (sc->link.fd >= 0)
    close(sc->link.fd);
  g_byte_array_unref(sc->pending);
  g_string_free(sc->request, TRUE);
  g_free(sc->peer);
  g_free(sc);
}

static void sconn_fail(sconn *sc, const char *what)
{
  fprintf(stderr, "[%u] %s failed: %s\n", sc->id, sc->peer, what);
  sc->done = TRUE;
}

static void sconn_fail_tls(sconn *sc)
{
  GError *error = NULL;
  gt_link_flush(&sc->link, NULL, NULL);   /* best effort: let the alert out */
  gt_set_tls_error(&error, sc->link.tls);
  sconn_fail(sc, error->message);
  g_error_free(error);
  /* Closing with the peer's data still unread would reset the connection,
   * and a reset can destroy the alert before the peer reads it (a peer
   * still sending a large message, say). Half-close and read on until the
   * peer closes, as after close_notify. */
  if (!(tc_conn_status(sc->link.tls) & TC_S_OUTPUT) && sc->link.fd >= 0 && !sc->link.eof_given &&
      shutdown(sc->link.fd, SHUT_WR) == 0) {
    sc->done = FALSE;
    sc->draining = TRUE;
    sc->shut_wr = TRUE;
    sc->linger_until = g_get_monotonic_time() + DRAIN_US;
  }
}

/* A failed connection's input, read and dropped until the peer closes. */
static void sconn_drain(sconn *sc)
{
  uint8_t buf[16384];
  for (;;) {
    ssize_t n = read(sc->link.fd, buf, sizeof buf);
    if (n > 0)
      continue;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    sc->done = TRUE; /* EOF or a reset: nothing more to wait for */
    return;
  }
}

static gboolean request_complete(const GString *req)
{
  return strstr(req->str, "\r\n\r\n") != NULL || strstr(req->str, "\n\n") != NULL ||
         req->len >= REQUEST_LIMIT;
}

/* The fields are padded to fixed widths, so the page has one size
 * whatever was negotiated (tlsfuzzer's test-record-size-limit compares the
 * size of answers across versions and suites). */
static void queue_http_answer(sconn *sc)
{
  tc_conn *c = sc->link.tls;
  uint16_t v = tc_conn_version(c), s = tc_conn_cipher_suite(c), g = tc_conn_group(c);
  const char *vn = tc_version_name(v), *sn = tc_cipher_suite_name(s), *gn = tc_group_name(g);
  const char *alpn = tc_conn_alpn(c);
  char *subject = gt_peer_subject(c);
  char *esc_subject = subject != NULL ? g_markup_escape_text(subject, -1) : NULL;
  char *body = g_strdup_printf(
      "<html><head><title>tlscore-peer</title></head><body>\n"
      "<h1>Hello from tlscore-peer (tlscore)</h1>\n<pre>\n"
      "Protocol version: %-8s\nCipher suite: %-48s\nGroup: %-12s\nALPN: %-16s\n"
      "Resumed: %-3s\nClient certificate: %s\n</pre>\n</body></html>\n",
      vn != NULL ? vn : "?", sn != NULL ? sn : "?", gn != NULL ? gn : "-",
      alpn != NULL ? alpn : "-", tc_conn_resumed(c) ? "yes" : "no",
      esc_subject != NULL ? esc_subject : "-");
  char *head = g_strdup_printf("HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                               strlen(body));
  g_byte_array_append(sc->pending, (const guint8 *)head, (guint)strlen(head));
  g_byte_array_append(sc->pending, (const guint8 *)body, (guint)strlen(body));
  g_free(head);
  g_free(body);
  g_free(esc_subject);
  g_free(subject);
  sc->answered = TRUE;
}

/* Read decrypted data and act on it. FALSE if the connection failed. */
static gboolean take_app_data(server *sv, sconn *sc, gboolean *progress)
{
  uint8_t buf[16384];
  while (!sc->peer_closed && sc->pending->len < PENDING_LIMIT) {
    size_t n = 0;
    int rc = tc_conn_read(sc->link.tls, buf, sizeof buf, &n);
    if (rc == TC_EOF) {
      sc->peer_closed = TRUE;
      *progress = TRUE;
    } else if (rc == TC_FAIL) {
      return FALSE;
    } else if (rc != TC_OK || n == 0) {
      return TRUE;
    } else {
      *progress = TRUE;
      if (!sv->http) {
        g_byte_array_append(sc->pending, buf, (guint)n);
      } else if (!sc->answered) {
        g_string_append_len(sc->request, (const char *)buf, (gssize)n);
        if (request_complete(sc->request)) {
          /* GET /keyupdate: a TLS 1.3 KeyUpdate asking the client to
           * update too, before the answer (tlslite-ng's test server does
           * this; tlsfuzzer's test-tls13-keyupdate-from-server uses it). */
          if (g_str_has_prefix(sc->request->str, "GET /keyupdate ") &&
              tc_conn_version(sc->link.tls) == TC_TLS13 &&
              tc_conn_key_update(sc->link.tls, true) == TC_FAIL)
            return FALSE;
          queue_http_answer(sc);
        }
      }
      /* After the answer, further request bytes are ignored. */
    }
  }
  return TRUE;
}

static void report_negotiated(sconn *sc)
{
  char *line = gt_describe_negotiated(sc->link.tls);
  fprintf(stderr, "[%u] %s %s\n", sc->id, sc->peer, line);
  g_free(line);
  sc->reported = TRUE;
}

/* Advance one connection as far as it goes without blocking. */
static void sconn_step(server *sv, sconn *sc)
{
  tc_conn *c = sc->link.tls;
  gboolean progress;
  if (sc->draining) {
    sconn_drain(sc);
    return;
  }
  do {
    progress = FALSE;
    GError *error = NULL;
    if (!gt_link_pump(&sc->link, &progress, &error)) {
      /* After close_notify in either direction a reset loses nothing. */
      if (sc->peer_closed || sc->close_queued)
        sc->done = TRUE;
      else
        sconn_fail(sc, error->message);
      g_error_free(error);
      return;
    }
    unsigned st = tc_conn_status(c);
    if (st & TC_S_FAILED) {
      /* A handshake that completed before the failure (say, the peer
       * dropped the connection right after it) is still worth a line. */
      if (!sc->reported && tc_conn_handshake_done(c))
        report_negotiated(sc);
      sconn_fail_tls(sc);
      return;
    }
    if ((st & TC_S_WANT) && tc_conn_want(c) == TC_WANT_PSK_KEY && sv->psk_store != NULL) {
      /* An identity the database does not hold is answered NULL:
       * unknown_psk_identity. */
      size_t il = 0;
      const uint8_t *id = tc_conn_psk_identity(c, &il);
      uint8_t key[TC_STORE_MAX_PSK_KEY];
      size_t kl = sizeof key;
      tc_error err;
      tc_error_clear(&err);
      int rc = tc_store_psk_lookup(sv->psk_store, id, il, key, &kl, &err);
      if (rc == TC_FAIL) {
        char *msg = g_strdup_printf("shared-key database: %s", err.message);
        sconn_fail(sc, msg);
        g_free(msg);
        return;
      }
      tc_conn_answer_psk_key(c, rc == TC_OK ? key : NULL, rc == TC_OK ? kl : 0);
      explicit_bzero(key, sizeof key);
      progress = TRUE;
      continue;
    }
    if ((st & TC_S_WANT) && tc_conn_want(c) == TC_WANT_SRP_VERIFIER && sv->srp_store != NULL) {
      /* Unknown users are answered with NULL: the engine fakes them. */
      size_t ul = 0;
      const uint8_t *user = tc_conn_srp_username(c, &ul);
      tc_srp_verifier v;
      tc_error err;
      tc_error_clear(&err);
      int rc = tc_store_srp_lookup(sv->srp_store, user, ul, &v, &err);
      if (rc == TC_FAIL) {
        char *msg = g_strdup_printf("SRP verifier database: %s", err.message);
        sconn_fail(sc, msg);
        g_free(msg);
        return;
      }
      rc = tc_conn_answer_srp_verifier(c, rc == TC_OK ? &v : NULL);
      explicit_bzero(&v, sizeof v);
      progress = TRUE;
      continue;
    }
    if (st & TC_S_WANT) {
      sconn_fail(sc, "the TLS engine asked for something this server cannot answer");
      return;
    }
    if (sc->link.net_eof && !sc->link.eof_given) {
      if (sc->close_queued) {
        /* We already said goodbye; a bare TCP close loses nothing. */
        sc->done = TRUE;
        return;
      }
      tc_conn_input_eof(c);
      sc->link.eof_given = true;
      progress = TRUE;
      continue;
    }
    if (!(st & TC_S_READY))
      continue;
    if (!sc->reported)
      report_negotiated(sc);
    if (sv->request_pha && !sc->pha_asked && tc_conn_version(c) == TC_TLS13) {
      /* As tlslite-ng's --request-pha: right after the handshake, when the
       * client offered it (else nothing happens). */
      tc_error err;
      tc_error_clear(&err);
      sc->pha_asked = TRUE;
      if (tc_conn_request_post_handshake_auth(c, &err) == TC_OK)
        progress = TRUE;
      else if (err.code != TC_ERR_UNSUPPORTED)
        fprintf(stderr, "[%u] post-handshake authentication: %s\n", sc->id, err.message);
    }
    if (!take_app_data(sv, sc, &progress)) {
      sconn_fail_tls(sc);
      return;
    }
    if (sc->pending->len > 0 && !sc->close_queued) {
      size_t n = 0;
      int rc = tc_conn_write(c, sc->pending->data, sc->pending->len, &n);
      if (rc == TC_FAIL) {
        sconn_fail_tls(sc);
        return;
      }
      if (rc == TC_OK && n > 0) {
        g_byte_array_remove_range(sc->pending, 0, (guint)n);
        progress = TRUE;
      }
    }
    if (!sc->close_queued && sc->pending->len == 0 && (sc->answered || sc->peer_closed)) {
      if (tc_conn_close(c) == TC_FAIL) {
        sconn_fail_tls(sc);
        return;
      }
      sc->close_queued = TRUE;
      progress = TRUE;
    }
    if (sc->close_queued && !(tc_conn_status(c) & TC_S_OUTPUT)) {
      if (sc->peer_closed) {
        sc->done = TRUE;
        return;
      }
      if (!sc->shut_wr) {
        /* Closing with unread input would reset the connection and could
         * destroy our answer in flight; half-close and wait for the peer. */
        shutdown(sc->link.fd, SHUT_WR);
        sc->shut_wr = TRUE;
        sc->linger_until = g_get_monotonic_time() + LINGER_US;
      }
    }
  } while (progress);

  /* Transport gone and the engine has nothing more to say: nothing can
   * wake this connection up again. */
  if (sc->link.eof_given && !(tc_conn_status(c) & TC_S_OUTPUT)) {
    if (sc->reported)
      sc->done = TRUE;
    else
      sconn_fail(sc, "the peer closed the connection during the handshake");
  }
}

static gboolean add_psk(const gt_psk *psk, void *ctx, GError **error)
{
  server *sv = ctx;
  gt_psk p = *psk;
  p.hash = sv->psk_hash_v; /* --psk-hash */
  return gt_config_add_psk(sv->cfg, &p, "--psk-file", error);
}

static gboolean setup(server *sv, int argc, char **argv, GError **error)
{
  if (argc != 2) {
    g_set_error(error, GT_ERROR, 0, argc < 2 ? "missing HOST:PORT" : "too many arguments");
    return FALSE;
  }
  if (!gt_parse_host_port(argv[1], TRUE, &sv->host, &sv->port, error))
    return FALSE;
  guint ncerts = sv->certs != NULL ? g_strv_length(sv->certs) : 0;
  guint nkeys = sv->keys != NULL ? g_strv_length(sv->keys) : 0;
  gboolean have_psk = sv->psk != NULL || sv->psk_file != NULL || sv->psk_db != NULL;
  gboolean have_srp = sv->srp_db != NULL || sv->srp_tpasswd != NULL;
  if (ncerts == 0 && !have_psk && !have_srp) {
    g_set_error(error, GT_ERROR, 0,
                "--cert FILE and --key FILE are required (or shared keys: --psk, --psk-file, "
                "--psk-db; or SRP: --srp-db, --srp-tpasswd)");
    return FALSE;
  }
  if (sv->srp_db != NULL && sv->srp_tpasswd != NULL) {
    g_set_error(error, GT_ERROR, 0, "--srp-db and --srp-tpasswd exclude each other");
    return FALSE;
  }
  if ((sv->srp_tpasswd == NULL) != (sv->srp_tpasswd_conf == NULL)) {
    g_set_error(error, GT_ERROR, 0, "--srp-tpasswd and --srp-tpasswd-conf go together");
    return FALSE;
  }
  if (sv->srp_group_bits != NULL && !have_srp) {
    g_set_error(error, GT_ERROR, 0, "--srp-group-bits needs --srp-db or --srp-tpasswd");
    return FALSE;
  }
  if (!gt_parse_psk_hash(sv->psk_hash, &sv->psk_hash_v, error))
    return FALSE;
  if ((sv->psk_hash != NULL || sv->psk_modes != NULL) && !have_psk) {
    g_set_error(error, GT_ERROR, 0, "--psk-hash and --psk-modes need shared keys (--psk, "
                                    "--psk-file)");
    return FALSE;
  }
  if (sv->psk_hint != NULL && !have_psk) {
    g_set_error(error, GT_ERROR, 0, "--psk-hint needs shared keys (--psk, --psk-file, --psk-db)");
    return FALSE;
  }
  if (ncerts != nkeys) {
    g_set_error(error, GT_ERROR, 0, "give one --key per --cert (%u certificates, %u keys)",
                ncerts, nkeys);
    return FALSE;
  }
  if (sv->require_client_cert && sv->request_client_cert) {
    g_set_error(error, GT_ERROR, 0,
                "--require-client-cert and --request-client-cert exclude each other");
    return FALSE;
  }
  if (sv->require_client_cert && sv->ca == NULL) {
    g_set_error(error, GT_ERROR, 0, "--require-client-cert needs --ca FILE to verify clients");
    return FALSE;
  }
  if (sv->ca != NULL && !sv->require_client_cert && !sv->request_client_cert && !sv->request_pha) {
    g_set_error(error, GT_ERROR, 0,
                "--ca is for client certificates: add --require-client-cert or "
                "--request-client-cert");
    return FALSE;
  }
  if (sv->max_conns < 0) {
    g_set_error(error, GT_ERROR, 0, "--max-conns must not be negative");
    return FALSE;
  }
  if (sv->alpn != NULL && (sv->alpn_v = gt_parse_alpn(sv->alpn, error)) == NULL)
    return FALSE;

  sv->cfg = tc_config_new(TC_ROLE_SERVER);
  if (sv->cfg == NULL) {
    g_set_error(error, GT_ERROR, GT_ERR_FAILED, "out of memory");
    return FALSE;
  }
  if (!gt_apply_protocol_options(sv->cfg, sv->min_version, sv->max_version, sv->ciphers, error))
    return FALSE;
  if (!gt_apply_algorithm_options(sv->cfg, sv->groups, sv->sigalgs, error))
    return FALSE;
  for (guint i = 0; i < ncerts; i++)
    if (!gt_config_add_cert_files(sv->cfg, sv->certs[i], sv->keys[i], error))
      return FALSE;
  for (guint i = 0; sv->psk != NULL && sv->psk[i] != NULL; i++) {
    gt_psk psk;
    gboolean ok = gt_parse_psk(sv->psk[i], "--psk", &psk, error);
    psk.hash = sv->psk_hash_v;
    ok = ok && gt_config_add_psk(sv->cfg, &psk, "--psk", error);
    gt_psk_clear(&psk);
    explicit_bzero(sv->psk[i], strlen(sv->psk[i]));
    if (!ok)
      return FALSE;
  }
  if (have_srp) {
    tc_error serr;
    tc_error_clear(&serr);
    if (sv->srp_db != NULL) {
      sv->srp_store = tc_store_open(sv->srp_db, TC_STORE_SRP, TC_STORE_READONLY, &serr);
    } else {
      sv->srp_store = tc_store_open(NULL, TC_STORE_SRP, 0, &serr);
      if (sv->srp_store != NULL &&
          tc_store_import_gnutls(sv->srp_store, sv->srp_tpasswd, sv->srp_tpasswd_conf, &serr) !=
              TC_OK) {
        tc_store_close(sv->srp_store);
        sv->srp_store = NULL;
      }
    }
    if (sv->srp_store == NULL) {
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s: %s",
                  sv->srp_db != NULL ? sv->srp_db : sv->srp_tpasswd, serr.message);
      return FALSE;
    }
    tc_config_set_srp_server(sv->cfg, TRUE);
    if (sv->srp_group_bits != NULL) {
      char *end = NULL;
      unsigned long mn = strtoul(sv->srp_group_bits, &end, 10), mx = 8192;
      if (end != NULL && *end == ':')
        mx = strtoul(end + 1, &end, 10);
      if (end == NULL || *end != '\0' || mn > 8192 || mx > 8192 ||
          tc_config_set_srp_group_bits(sv->cfg, (unsigned)mn, (unsigned)mx, &serr) != TC_OK) {
        g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--srp-group-bits: %s",
                    serr.code != TC_ERR_NONE ? serr.message : "expected MIN or MIN:MAX bits");
        return FALSE;
      }
    }
  }
  if (!gt_apply_psk_modes(sv->cfg, sv->psk_modes, error))
    return FALSE;
  if (sv->psk_file != NULL && !gt_load_psk_file(sv->psk_file, NULL, add_psk, sv, error))
    return FALSE;
  if (sv->psk_db != NULL) {
    tc_error perr;
    tc_error_clear(&perr);
    sv->psk_store = tc_store_open(sv->psk_db, TC_STORE_PSK, TC_STORE_READONLY, &perr);
    if (sv->psk_store == NULL) {
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "%s: %s", sv->psk_db, perr.message);
      return FALSE;
    }
    /* Identities not given with --psk/--psk-file are looked up per handshake. */
    tc_config_set_psk_server(sv->cfg, TRUE);
  }
  if (sv->psk_hint != NULL) {
    tc_error herr;
    tc_error_clear(&herr);
    if (tc_config_set_psk_identity_hint(sv->cfg, (const uint8_t *)sv->psk_hint,
                                        strlen(sv->psk_hint), &herr) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--psk-hint: %s", herr.message);
      return FALSE;
    }
  }
  if (sv->require_client_cert || sv->request_client_cert || sv->request_pha) {
    if (sv->require_client_cert || sv->request_client_cert)
      tc_config_set_client_auth(sv->cfg, sv->require_client_cert ? TC_CLIENT_AUTH_REQUIRE
                                                                 : TC_CLIENT_AUTH_REQUEST);
    if (sv->ca != NULL) {
      tc_trust_store *store = gt_load_trust_store(sv->ca, error);
      if (store == NULL)
        return FALSE;
      tc_config_set_trust_store(sv->cfg, store);
      tc_trust_store_unref(store);
      tc_config_set_verify_mode(sv->cfg, TC_VERIFY_BUILTIN);
    } else {
      gt_warn("warning: client certificates are requested but not verified (no --ca)");
      tc_config_set_verify_mode(sv->cfg, TC_VERIFY_NONE);
    }
  }
  if (sv->session_cache < 0) {
    g_set_error(error, GT_ERROR, 0, "--session-cache must not be negative");
    return FALSE;
  }
  if (sv->session_cache > 0) {
    tc_session_cache *cache = tc_session_cache_new((size_t)sv->session_cache, 3600);
    if (cache == NULL) {
      g_set_error(error, GT_ERROR, GT_ERR_FAILED, "out of memory");
      return FALSE;
    }
    tc_config_set_session_cache(sv->cfg, cache);
    tc_session_cache_unref(cache);
  }
  if (sv->tickets >= 0)
    tc_config_set_tickets(sv->cfg, (unsigned)sv->tickets, 7200);
  if (sv->renegotiation)
    tc_config_set_renegotiation(sv->cfg, TC_RENEG_SECURE);
  if (sv->resume_without_ems)
    tc_config_set_ems_required(sv->cfg, false);
  tc_config_set_legacy_signatures(sv->cfg, sv->legacy_signatures);
  if (sv->cert_compression) {
    static const uint16_t zlib = TC_CERT_COMPRESSION_ZLIB;
    tc_error err;
    tc_error_clear(&err);
    if (tc_config_set_cert_compression(sv->cfg, &zlib, 1, tlslite_zlib_cert_compress,
                                       tlslite_zlib_cert_decompress, NULL, &err) != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--cert-compression: %s", err.message);
      return FALSE;
    }
  }
  if (sv->ocsp_response != NULL) {
    gchar *der = NULL;
    gsize der_len = 0;
    if (!g_file_get_contents(sv->ocsp_response, &der, &der_len, error))
      return FALSE;
    tc_error oerr;
    tc_error_clear(&oerr);
    int orc = tc_config_set_ocsp_response(sv->cfg, (const uint8_t *)der, der_len, &oerr);
    g_free(der);
    if (orc != TC_OK) {
      g_set_error(error, GT_ERROR, GT_ERR_USAGE, "--ocsp-response: %s", oerr.message);
      return FALSE;
    }
  }
  tc_error err;
  tc_error_clear(&err);
  if (sv->alpn_v != NULL &&
      tc_config_set_alpn(sv->cfg, (const char *const *)sv->alpn_v, g_strv_length(sv->alpn_v),
                         &err) != TC_OK) {
    g_set_error(error, GT_ERROR, 0, "--alpn: %s", err.message);
    return FALSE;
  }
  return TRUE;
}

static void accept_all(server *sv, int lfd, GPtrArray *conns, unsigned *accepted)
{
  while (sv->max_conns == 0 || *accepted < (unsigned)sv->max_conns) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        gt_warn("accept: %s", g_strerror(errno));
      return;
    }
    sconn *sc = g_new0(sconn, 1);
    sc->id = ++*accepted;
    sc->peer = gt_format_sockaddr((struct sockaddr *)&ss, len);
    sc->pending = g_byte_array_new();
    sc->request = g_string_new(NULL);
    sc->link.fd = fd;
    tc_error err;
    tc_error_clear(&err);
    sc->link.tls = tc_conn_new(sv->cfg, &err);
    if (sc->link.tls == NULL) {
      sconn_fail(sc, err.message);
      sconn_free(sc);
      continue;
    }
    g_ptr_array_add(conns, sc);
  }
}

static int serve(server *sv)
{
  GError *error = NULL;
  char *bound = NULL;
  int lfd = gt_tcp_listen(sv->host, sv->port, &bound, &error);
  if (lfd < 0) {
    gt_warn("%s", error->message);
    g_error_free(error);
    return GT_EXIT_FAILURE;
  }
  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
    gt_warn("pipe: %s", g_strerror(errno));
    close(lfd);
    g_free(bound);
    return GT_EXIT_FAILURE;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  fprintf(stderr, "listening on %s\n", bound);
  fflush(stderr);
  g_free(bound);

  GPtrArray *conns = g_ptr_array_new_with_free_func((GDestroyNotify)sconn_free);
  unsigned accepted = 0;
  gboolean stop = FALSE;
  GArray *pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));

  while (!stop) {
    gboolean listening = lfd >= 0;
    if (!listening && conns->len == 0)
      break;

    gint64 now = g_get_monotonic_time();
    int timeout = -1;
    g_array_set_size(pfds, 0);
    struct pollfd p = {.fd = signal_pipe[0], .events = POLLIN};
    g_array_append_val(pfds, p);
    if (listening) {
      p.fd = lfd;
      g_array_append_val(pfds, p);
    }
    for (guint i = 0; i < conns->len; i++) {
      sconn *sc = g_ptr_array_index(conns, i);
      p.fd = sc->link.fd;
      p.events = sc->draining ? POLLIN : gt_link_events(&sc->link);
      g_array_append_val(pfds, p);
      if (sc->shut_wr) {
        int left = (int)((sc->linger_until - now) / 1000) + 1;
        if (timeout < 0 || left < timeout)
          timeout = left > 0 ? left : 0;
      }
    }
    if (poll((struct pollfd *)pfds->data, pfds->len, timeout) < 0 && errno != EINTR) {
      gt_warn("poll: %s", g_strerror(errno));
      break;
    }
    struct pollfd *pf = (struct pollfd *)pfds->data;
    if (pf[0].revents & POLLIN) {
      unsigned char b;
      while (read(signal_pipe[0], &b, 1) == 1)
        ;
      fprintf(stderr, "stopping (signal)\n");
      stop = TRUE;
      break;
    }

    /* Only connections that existed when poll() ran have a pollfd. */
    guint nconns = conns->len;
    guint base = listening ? 2 : 1;
    now = g_get_monotonic_time();
    for (guint i = 0; i < nconns; i++) {
      sconn *sc = g_ptr_array_index(conns, i);
      if (pf[base + i].revents != 0)
        sconn_step(sv, sc);
      if (!sc->done && sc->shut_wr && now >= sc->linger_until)
        sc->done = TRUE;   /* the peer never closed; give up waiting */
    }
    if (listening && (pf[1].revents & POLLIN))
      accept_all(sv, lfd, conns, &accepted);
    /* New connections: the client speaks first, but stepping costs nothing. */
    for (guint i = nconns; i < conns->len; i++)
      sconn_step(sv, g_ptr_array_index(conns, i));
    for (guint i = conns->len; i > 0; i--) {
      sconn *sc = g_ptr_array_index(conns, i - 1);
      if (sc->done)
        g_ptr_array_remove_index(conns, i - 1);
    }
    if (listening && sv->max_conns > 0 && accepted >= (unsigned)sv->max_conns) {
      close(lfd);
      lfd = -1;
    }
  }

  if (lfd >= 0)
    close(lfd);
  g_ptr_array_unref(conns);
  g_array_unref(pfds);
  close(signal_pipe[0]);
  close(signal_pipe[1]);
  signal_pipe[0] = signal_pipe[1] = -1;
  return GT_EXIT_OK;
}

int gt_cmd_server(int argc, char **argv)
{
  server sv = {0};
  sv.session_cache = 1024;
  sv.tickets = -1;
  GOptionEntry entries[] = {
    {"cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sv.certs,
     "Certificate chain, leaf first (PEM); repeat with --key for several key types", "FILE"},
    {"key", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sv.keys, "Private key of the matching --cert",
     "FILE"},
    {"http", 0, 0, G_OPTION_ARG_NONE, &sv.http,
     "Answer each request with a small HTTP page instead of echoing", NULL},
    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &sv.ca, "Verify client certificates against FILE",
     "FILE"},
    {"require-client-cert", 0, 0, G_OPTION_ARG_NONE, &sv.require_client_cert,
     "Require a client certificate (needs --ca)", NULL},
    {"request-client-cert", 0, 0, G_OPTION_ARG_NONE, &sv.request_client_cert,
     "Ask for a client certificate; clients may send none", NULL},
    {"alpn", 0, 0, G_OPTION_ARG_STRING, &sv.alpn, "Accept these ALPN protocols", "P1,P2"},
    {"min-version", 0, 0, G_OPTION_ARG_STRING, &sv.min_version,
     "Lowest protocol version: ssl3.0, tls1.0, tls1.1, tls1.2 (default), tls1.3", "VERSION"},
    {"max-version", 0, 0, G_OPTION_ARG_STRING, &sv.max_version,
     "Highest protocol version (default tls1.3)", "VERSION"},
    {"ciphers", 0, 0, G_OPTION_ARG_STRING, &sv.ciphers,
     "Cipher suites in preference order, IANA names", "S1,S2"},
    {"groups", 0, 0, G_OPTION_ARG_STRING, &sv.groups,
     "Key exchange groups in preference order (x25519, secp256r1, secp384r1, secp521r1, x448, "
     "ffdhe2048 ... ffdhe8192)", "G1,G2"},
    {"sigalgs", 0, 0, G_OPTION_ARG_STRING, &sv.sigalgs,
     "Signature schemes in preference order, IANA names (ed448, rsa_pss_pss_sha256, ...)",
     "S1,S2"},
    {"session-cache", 0, 0, G_OPTION_ARG_INT, &sv.session_cache,
     "TLS 1.2 session-ID cache size, sessions kept an hour (default 1024; 0: none)", "N"},
    {"tickets", 0, 0, G_OPTION_ARG_INT, &sv.tickets,
     "Session tickets per handshake (TLS 1.3; TLS 1.2 sends one when N > 0; default 2)", "N"},
    {"renegotiation", 0, 0, G_OPTION_ARG_NONE, &sv.renegotiation,
     "Allow RFC 5746 secure renegotiation (TLS 1.2 and older; off by default)", NULL},
    {"ocsp-response", 0, 0, G_OPTION_ARG_FILENAME, &sv.ocsp_response,
     "Staple this DER OCSP response for clients that ask (status_request)", "FILE"},
    {"resume-without-ems", 0, 0, G_OPTION_ARG_NONE, &sv.resume_without_ems,
     "Resume TLS 1.2-and-older sessions that lack the extended master secret (RFC 7627 "
     "§5.3 says SHOULD NOT; off by default)",
     NULL},
    {"legacy-signatures", 0, 0, G_OPTION_ARG_NONE, &sv.legacy_signatures,
     "TLS 1.2: also offer and accept SHA-1 and SHA-224 signatures (rsa_pkcs1_sha1, "
     "ecdsa_sha1, rsa_pkcs1_sha224, ecdsa_sha224), as tlslite-ng does; off by default",
     NULL},
    {"request-pha", 0, 0, G_OPTION_ARG_NONE, &sv.request_pha,
     "TLS 1.3: ask for a client certificate right after the handshake when the client offers "
     "post-handshake authentication (verified with --ca, else not)", NULL},
    {"cert-compression", 0, 0, G_OPTION_ARG_NONE, &sv.cert_compression,
     "TLS 1.3: send and accept zlib-compressed certificates (RFC 8879; off by default)", NULL},
    {"max-conns", 0, 0, G_OPTION_ARG_INT, &sv.max_conns,
     "Exit after N connections are finished (0: never)", "N"},
    {"psk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sv.psk,
     "Accept this shared key (PSK cipher suites); repeat for several identities",
     "IDENTITY:HEXKEY"},
    {"psk-file", 0, 0, G_OPTION_ARG_FILENAME, &sv.psk_file,
     "Accept the shared keys of a psktool file (IDENTITY:HEXKEY lines)", "FILE"},
    {"psk-db", 0, 0, G_OPTION_ARG_FILENAME, &sv.psk_db,
     "Accept the shared keys of this database (tlscore-peer psk-db), looked up per handshake",
     "FILE"},
    {"psk-hint", 0, 0, G_OPTION_ARG_STRING, &sv.psk_hint,
     "Identity hint sent to PSK clients (TLS 1.2 and older)", "HINT"},
    {"psk-hash", 0, 0, G_OPTION_ARG_STRING, &sv.psk_hash,
     "TLS 1.3: the hash the shared keys are bound to (sha256, the default, or sha384)", "HASH"},
    {"psk-modes", 0, 0, G_OPTION_ARG_STRING, &sv.psk_modes,
     "TLS 1.3: PSK key exchange modes accepted: dhe (psk_dhe_ke), ke (psk_ke) or both (the "
     "default; psk_dhe_ke preferred)", "MODES"},
    {"srp-db", 0, 0, G_OPTION_ARG_FILENAME, &sv.srp_db,
     "Accept SRP clients (TLS 1.2 and older) with the users of this verifier database",
     "FILE"},
    {"srp-tpasswd", 0, 0, G_OPTION_ARG_FILENAME, &sv.srp_tpasswd,
     "Accept SRP clients with the users of srptool's tpasswd file (with --srp-tpasswd-conf)",
     "FILE"},
    {"srp-tpasswd-conf", 0, 0, G_OPTION_ARG_FILENAME, &sv.srp_tpasswd_conf,
     "The tpasswd.conf of --srp-tpasswd", "FILE"},
    {"srp-group-bits", 0, 0, G_OPTION_ARG_STRING, &sv.srp_group_bits,
     "SRP group sizes served (default 2048:8192)", "MIN[:MAX]"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

  GOptionContext *ctx = g_option_context_new("HOST:PORT");
  g_option_context_set_summary(ctx,
      "Accept TLS connections on HOST:PORT (port 0 picks a free one) and echo\n"
      "what clients send, or answer HTTP requests with --http.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  int status;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !setup(&sv, argc, argv, &error)) {
    status = gt_report_setup_error(error, "server");
    g_error_free(error);
  } else {
    status = serve(&sv);
  }
  if (sv.cfg != NULL)
    tc_config_unref(sv.cfg);
  if (sv.srp_store != NULL)
    tc_store_close(sv.srp_store);
  if (sv.psk_store != NULL)
    tc_store_close(sv.psk_store);
  g_free(sv.psk_db);
  g_free(sv.srp_db);
  g_free(sv.srp_tpasswd);
  g_free(sv.srp_tpasswd_conf);
  g_free(sv.srp_group_bits);
  g_strfreev(sv.alpn_v);
  g_strfreev(sv.certs);
  g_strfreev(sv.keys);
  g_free(sv.ca);
  g_free(sv.min_version);
  g_free(sv.max_version);
  g_free(sv.ciphers);
  g_free(sv.ocsp_response);
  g_free(sv.groups);
  g_free(sv.sigalgs);
  g_free(sv.alpn);
  g_free(sv.host);
  g_strfreev(sv.psk);
  g_free(sv.psk_file);
  g_free(sv.psk_hint);
  g_free(sv.psk_hash);
  g_free(sv.psk_modes);
  g_option_context_free(ctx);
  return status;
}
