/* GIO-level benchmark: the same public-API workload on two or three TLS backends, interleaved, with ratios. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef BENCH_DATA_DIR
#define BENCH_DATA_DIR "tests/data"
#endif

/* ---- child side: one measurement with the backend GIO picked ---- */

typedef struct {
  GSocketListener *listener;
  GTlsCertificate *cert;
  GTlsDatabase *db;      /* server database (only for the system-database rows) */
  gsize bulk_bytes;      /* > 0: read this much from one connection */
  gboolean keep;         /* idle test: keep connections open */
  int count;             /* idle test: how many to accept before measuring */
  volatile gint stop;
  gint64 read_cpu_ns;    /* bulk: the reading thread's CPU time for the transfer */
} Server;

static double now_s(void) {
  return g_get_monotonic_time() / 1e6;
}

/* CPU time of the calling thread: the two ends of a bulk transfer run in
 * two threads, so each side's cost shows apart from the machine's load. */
static gint64 thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of the whole process (user + system, every thread). A conn row's
 * cost per connection is the client's and the server's together, and
 * per-thread clocks of our two threads would miss work done elsewhere:
 * glib-networking (2.74) runs every handshake, even a synchronous one, in a
 * GTask worker thread while the calling thread waits, so only process time
 * charges both backends for all they do (the thread hand-offs included). */
static gint64 process_cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (gint64)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void) {
  long pages = 0, rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
      rss = 0;
    fclose(f);
  }
  return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

/* Small handshake flights must not wait for delayed ACKs (Nagle), on either backend. */
static void set_nodelay(GSocketConnection *conn) {
  g_socket_set_option(g_socket_connection_get_socket(conn), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static GIOStream *server_handshake(Server *s, GSocketConnection *conn) {
  GError *error = NULL;
  set_nodelay(conn);
  /* The database is given at construction (a public property of every
   * GTlsConnection): g_tls_server_connection_new() would first give the
   * connection the system database and glib-networking's gnutls backend
   * builds a trust list from it in its initable_init, for every connection,
   * even when the database is replaced right after. That cost is real for
   * programs that use the convenience constructor, but it is not TLS work,
   * and counting it would flatter us: the file-database rows compare the
   * TLS stacks, the system-database rows compare the default set-up. */
  GIOStream *tls = G_IO_STREAM(g_initable_new(
      g_tls_backend_get_server_connection_type(g_tls_backend_get_default()), NULL, &error,
      "base-io-stream", conn, "certificate", s->cert, "database", s->db, NULL));
  if (!tls) {
    g_printerr("server: %s\n", error->message);
    g_error_free(error);
    return NULL;
  }
  /* Full-handshake rows must be full handshakes: our GIO client caches
   * sessions (keyed by address, identity and port) and our servers share a
   * process-wide session-ID cache, so a TLS 1.2 row would otherwise measure
   * session-ID resumption (tickets are already off). A cache that keeps
   * nothing issues no session IDs; glib-networking's gnutls backend does
   * not resume TLS 1.2 sessions through GIO, so only ours needs this. */
  if (g_getenv("BENCH_GIO_NO_RESUME") &&
      g_object_class_find_property(G_OBJECT_GET_CLASS(tls), "session-cache")) {
    static GObject *no_cache;
    if (g_once_init_enter(&no_cache))
      g_once_init_leave(&no_cache, g_object_new(g_type_from_name("TlsliteSessionCache"),
                                                "max-entries", 0u, NULL));
    g_object_set(tls, "session-cache", no_cache, NULL);
  }
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, &error)) {
    if (!g_atomic_int_get(&s->stop))
      g_printerr("server handshake: %s\n", error->message);
    g_error_free(error);
    g_object_unref(tls);
    return NULL;
  }
  return tls;
}

static gpointer server_thread(gpointer data) {
  Server *s = data;
  GPtrArray *kept = g_ptr_array_new_with_free_func(g_object_unref);
  size_t heap0 = 0, rss0 = 0;
  char *buf = g_malloc(1 << 20);
  while (!g_atomic_int_get(&s->stop)) {
    GSocketConnection *conn = g_socket_listener_accept(s->listener, NULL, NULL, NULL);
    if (!conn)
      break;
    GIOStream *tls = server_handshake(s, conn);
    g_object_unref(conn);
    if (!tls)
      continue;
    GInputStream *in = g_io_stream_get_input_stream(tls);
    if (s->keep) {
      g_ptr_array_add(kept, tls);
      if (kept->len == 1) {
        /* Baseline after the first connection, as the client takes it, so
         * one-time set-up is not counted per connection: until 2026-12-07
         * it was taken before the first handshake, which charged the
         * process-wide session cache (1024 entries allocated on the first
         * server connection), the ticket key and the backend's lazy state
         * to the 300 connections, ~0.7 KiB each. */
        heap0 = heap_in_use();
        rss0 = rss_bytes();
      }
      if ((int)kept->len == s->count) {
        printf("RESULT server_heap_per_conn %.0f\nRESULT server_rss_per_conn %.0f\n",
               (double)(heap_in_use() - heap0) / (s->count - 1),
               (double)(rss_bytes() - rss0) / (s->count - 1));
        fflush(stdout);
        break;
      }
      continue;
    }
    gsize want = s->bulk_bytes ? s->bulk_bytes : 1, got = 0;
    gint64 cpu0 = thread_cpu_ns();
    while (got < want) {
      gssize n = g_input_stream_read(in, buf, 1 << 20, NULL, NULL);
      if (n <= 0)
        break;
      got += (gsize)n;
    }
    if (s->bulk_bytes) {
      /* Published before the acknowledgement the client waits for. */
      __atomic_store_n(&s->read_cpu_ns, thread_cpu_ns() - cpu0, __ATOMIC_RELEASE);
      /* Tell the client everything arrived. */
      g_output_stream_write_all(g_io_stream_get_output_stream(tls), "k", 1, NULL, NULL, NULL);
    }
    g_io_stream_close(tls, NULL, NULL);
    g_object_unref(tls);
  }
  g_free(buf);
  g_ptr_array_unref(kept);
  return NULL;
}

static gboolean accept_any(GTlsConnection *c, GTlsCertificate *peer, GTlsCertificateFlags errors,
                           gpointer data) {
  return TRUE; /* system-database rows: the test CA is not in the system store */
}

/* Where the client connects: the listener's own IPv4 address. The TLS layer
 * still gets "localhost" (addr) as the server identity; resolving the name
 * anew for every connection (and first trying ::1, where nobody listens) is
 * not part of "TCP connect, handshake, 1 byte, close" and only added the
 * same fixed cost to both backends. */
static GSocketConnectable *connect_target;

static GIOStream *client_connect(GSocketClient *sc, GSocketConnectable *addr, GTlsDatabase *db,
                                 gboolean accept_all, GError **error) {
  GSocketConnection *conn = g_socket_client_connect(sc, connect_target, NULL, error);
  if (!conn)
    return NULL;
  set_nodelay(conn);
  /* Database at construction, for the reason given in server_handshake(). */
  GIOStream *tls = G_IO_STREAM(g_initable_new(
      g_tls_backend_get_client_connection_type(g_tls_backend_get_default()), NULL, error,
      "base-io-stream", conn, "server-identity", addr, "database", db, NULL));
  g_object_unref(conn);
  if (!tls)
    return NULL;
  if (accept_all)
    g_signal_connect(tls, "accept-certificate", G_CALLBACK(accept_any), NULL);
  if (!g_tls_connection_handshake(G_TLS_CONNECTION(tls), NULL, error)) {
    g_object_unref(tls);
    return NULL;
  }
  return tls;
}

/* The parent forces one suite per row through each backend's own settings;
 * BENCH_GIO_SUITE is the name this backend reports for it, so a setting
 * a backend ignored fails the row instead of measuring another suite. */
static gboolean check_suite(const char *test, GIOStream *tls) {
  char *suite = g_tls_connection_get_ciphersuite_name(G_TLS_CONNECTION(tls));
  const char *want = g_getenv("BENCH_GIO_SUITE");
  gboolean ok = !want || g_strcmp0(suite, want) == 0;
  if (ok)
    g_printerr("[%s] suite %s\n", test, suite);
  else
    g_printerr("[%s] negotiated %s, wanted %s\n", test, suite ? suite : "(none)", want);
  g_free(suite);
  return ok;
}

static int run_child(const char *test, const char *cert_name, gboolean sysdb, double seconds,
                     gsize bulk, gsize bufsize, int idle_count, guint16 peer_port) {
  /* idle-server / idle-client run the two ends in separate processes so each
   * side's memory is measured alone. */
  gboolean only_server = strcmp(test, "idle-server") == 0;
  gboolean only_client = strcmp(test, "idle-client") == 0;
  GError *error = NULL;
  const char *backend_type = G_OBJECT_TYPE_NAME(g_tls_backend_get_default());
  g_printerr("[%s] backend %s\n", test, backend_type);
  /* A module that failed to load makes GIO fall back to another backend
   * (or none): a column must measure the backend it is named after. */
  const char *want_backend = g_getenv("BENCH_GIO_BACKEND_TYPE");
  if (want_backend && strcmp(want_backend, backend_type) != 0) {
    g_printerr("[%s] wanted backend %s, GIO loaded %s\n", test, want_backend, backend_type);
    return 1;
  }
  char *certfile = g_strdup_printf("%s/%s.pem", BENCH_DATA_DIR, cert_name);
  char *keyfile = g_strdup_printf("%s/%s-key.pem", BENCH_DATA_DIR, cert_name);
  char *cafile = g_strdup_printf("%s/%s.pem", BENCH_DATA_DIR,
                                 g_str_has_prefix(cert_name, "server-rsa") ? "ca-rsa" : "ca-ecdsa");
  Server s = {0};
  s.cert = g_tls_certificate_new_from_files(certfile, keyfile, &error);
  if (!s.cert) {
    g_printerr("certificate: %s\n", error->message);
    return 1;
  }
  GTlsDatabase *db = sysdb ? g_tls_backend_get_default_database(g_tls_backend_get_default())
                           : g_tls_file_database_new(cafile, &error);
  if (!db) {
    g_printerr("database: %s\n", error ? error->message : "none");
    return 1;
  }
  if (sysdb)
    s.db = g_object_ref(db);
  s.listener = g_socket_listener_new();
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new(lo, 0), *bound = NULL;
  guint16 port = peer_port;
  if (!only_client) {
    if (!g_socket_listener_add_address(s.listener, any, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error)) {
      g_printerr("listen: %s\n", error->message);
      return 1;
    }
    port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  }
  GSocketConnectable *addr = g_network_address_new("localhost", port);
  connect_target = G_SOCKET_CONNECTABLE(g_inet_socket_address_new(lo, port));
  s.bulk_bytes = bulk;
  s.keep = idle_count > 0;
  s.count = idle_count;
  if (only_server) {
    printf("PORT %u\n", port);
    fflush(stdout);
    server_thread(&s); /* returns once it reported and the client went away */
    return 0;
  }
  GThread *th = only_client ? NULL : g_thread_new("server", server_thread, &s);
  GSocketClient *sc = g_socket_client_new();
  /* No proxy look-up: the client connects to a literal loopback address,
   * and a proxy resolver is not TLS work. It also differed between the
   * columns: our child runs with GIO_MODULE_DIR set to our module alone
   * (GIO's dummy resolver), the gnutls child with the system module
   * directory, whose libproxy resolver (glib-networking) costs 300-400 us
   * of CPU per connection on this machine (it reads /etc/services for
   * every look-up). Until 2026-12-07 only the gnutls column paid it. */
  g_socket_client_set_enable_proxy(sc, FALSE);

  int rc = 0;
  if (only_client) {
    GPtrArray *kept = g_ptr_array_new_with_free_func(g_object_unref);
    size_t heap0 = 0, rss0 = 0;
    for (int i = 0; i < idle_count; i++) {
      GIOStream *tls = client_connect(sc, addr, db, sysdb, &error);
      if (!tls) {
        g_printerr("client %d: %s\n", i, error->message);
        rc = 1;
        break;
      }
      if (i == 0) {
        /* Baseline after the first connection so one-time set-up is not counted. */
        heap0 = heap_in_use();
        rss0 = rss_bytes();
      }
      g_ptr_array_add(kept, tls);
    }
    if (rc == 0) {
      g_usleep(300000);
      printf("RESULT client_heap_per_conn %.0f\nRESULT client_rss_per_conn %.0f\n",
             (double)(heap_in_use() - heap0) / (idle_count - 1),
             (double)(rss_bytes() - rss0) / (idle_count - 1));
    }
    g_ptr_array_unref(kept);
  } else if (bulk > 0) {
    GIOStream *tls = client_connect(sc, addr, db, sysdb, &error);
    if (!tls) {
      g_printerr("client: %s\n", error->message);
      return 1;
    }
    if (!check_suite(test, tls))
      return 1;
    char *buf = g_malloc0(bufsize);
    GOutputStream *out = g_io_stream_get_output_stream(tls);
    double t0 = now_s();
    gint64 cpu0 = thread_cpu_ns();
    for (gsize sent = 0; sent < bulk; sent += bufsize) {
      if (!g_output_stream_write_all(out, buf, MIN(bufsize, bulk - sent), NULL, NULL, &error)) {
        g_printerr("write: %s\n", error->message);
        return 1;
      }
    }
    char ack;
    if (g_input_stream_read(g_io_stream_get_input_stream(tls), &ack, 1, NULL, &error) != 1) {
      g_printerr("no acknowledgement\n");
      return 1;
    }
    double t = now_s() - t0;
    gint64 write_cpu = thread_cpu_ns() - cpu0;
    printf("RESULT mb_per_s %.1f\n", bulk / t / 1e6);
    /* CPU nanoseconds per byte of each end (writer: encrypt + send; reader:
     * receive + decrypt): independent of how much CPU the machine gave us. */
    printf("RESULT write_ns_per_byte %.3f\nRESULT read_ns_per_byte %.3f\n",
           (double)write_cpu / bulk, (double)__atomic_load_n(&s.read_cpu_ns, __ATOMIC_ACQUIRE) / bulk);
    g_io_stream_close(tls, NULL, NULL);
    g_object_unref(tls);
    g_free(buf);
  } else {
    int n = 0;
    /* BENCH_GIO_HANDSHAKES=N: exactly N connections instead of a time
     * budget (for counting instructions under callgrind). */
    const char *hs = g_getenv("BENCH_GIO_HANDSHAKES");
    int max_n = hs ? atoi(hs) : 0;
    double t0 = now_s(), t;
    gint64 cpu0 = 0;
    while (max_n > 0 ? n < max_n : (t = now_s() - t0) < seconds) {
      /* CPU is counted from the second connection on, so one-time set-up
       * (module and backend initialisation, certificate and trust-list
       * loading, first-use caches) is not charged per connection. */
      if (n == 1)
        cpu0 = process_cpu_us();
      GIOStream *tls = client_connect(sc, addr, db, sysdb, &error);
      if (!tls) {
        g_printerr("client: %s\n", error->message);
        return 1;
      }
      if (n == 0 && !check_suite(test, tls))
        return 1;
      g_output_stream_write_all(g_io_stream_get_output_stream(tls), "x", 1, NULL, NULL, NULL);
      g_io_stream_close(tls, NULL, NULL);
      g_object_unref(tls);
      n++;
    }
    t = now_s() - t0;
    printf("RESULT conn_per_s %.1f\n", n / t);
    if (n > 1)
      printf("RESULT cpu_us_per_conn %.1f\n", (double)(process_cpu_us() - cpu0) / (n - 1));
  }
  fflush(stdout);
  g_atomic_int_set(&s.stop, 1);
  if (th) {
    /* Wake the accept loop. */
    GSocketConnection *wake = g_socket_client_connect(sc, addr, NULL, NULL);
    g_clear_object(&wake);
    g_thread_join(th);
  }
  g_object_unref(sc);
  g_object_unref(addr);
  g_clear_object(&connect_target);
  g_object_unref(s.listener);
  g_object_unref(s.cert);
  g_clear_object(&s.db);
  g_object_unref(db);
  g_object_unref(any);
  g_clear_object(&bound);
  g_object_unref(lo);
  g_free(certfile);
  g_free(keyfile);
  g_free(cafile);
  return rc;
}

/* ---- parent side: interleave backends and report ---- */

typedef struct {
  const char *name;       /* row label */
  const char *test;       /* child test kind: conn, bulk, idle */
  const char *cert;
  gboolean sysdb;
  gboolean tls12;
  const char *suite;      /* IANA name, forced on every backend */
  const char *group;      /* key exchange group (tlscore name), forced on every backend */
  gsize bufsize;
  const char *key;        /* RESULT key compared */
  double target;          /* tlslite/gnutls ratio wanted (>=), or <=-bytes for memory */
  gboolean resume;        /* let the client resume (otherwise our server sends no tickets) */
  double target_openssl;  /* tlslite/openssl ratio wanted (>=), 0 for none */
} Row;

/* Child runs that failed (no result): bench-gio then exits with 1. */
static int child_failures;

/* OpenSSL's name for a TLS 1.2 suite: its cipher-list syntax (what
 * G_TLS_OPENSSL_CIPHER_LIST is given to) does not take IANA names, and its
 * GIO backend reports this name for TLS 1.2 connections. */
static const char *openssl_tls12_name(const char *iana) {
  static const char *const names[][2] = {
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (!strcmp(iana, names[i][0]))
      return names[i][1];
  return NULL;
}

/* glib-networking's openssl backend reads G_TLS_OPENSSL_CIPHER_LIST (TLS
 * 1.2 and older only), G_TLS_OPENSSL_CURVE_LIST and G_TLS_OPENSSL_MAX_PROTO
 * but has no variable for the TLS 1.3 suites (SSL_CTX_set_ciphersuites): those
 * come from OpenSSL's configuration file, whose system_default section
 * SSL_CTX_new applies to every context. The file replaces Debian's
 * /etc/ssl/openssl.cnf for the child, so it repeats its one SSL setting. */
static char *openssl_conf_file(const char *tls13_suite) {
  GError *error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp("bench-gio-XXXXXX.cnf", &path, &error);
  if (fd < 0) {
    g_printerr("openssl configuration: %s\n", error->message);
    g_error_free(error);
    return NULL;
  }
  close(fd);
  char *text = g_strdup_printf("openssl_conf = openssl_init\n"
                               "[openssl_init]\nssl_conf = ssl_sect\n"
                               "[ssl_sect]\nsystem_default = system_default_sect\n"
                               "[system_default_sect]\nCipherString = DEFAULT:@SECLEVEL=2\n"
                               "%s%s%s",
                               tls13_suite ? "Ciphersuites = " : "", tls13_suite ? tls13_suite : "",
                               tls13_suite ? "\n" : "");
  gboolean ok = g_file_set_contents(path, text, -1, &error);
  g_free(text);
  if (!ok) {
    g_printerr("openssl configuration: %s\n", error->message);
    g_error_free(error);
    g_unlink(path);
    g_free(path);
    return NULL;
  }
  return path;
}

/* Value after `key` in a child's report, or -1. */
static double result_value(const char *out, const char *key) {
  const char *line = out ? strstr(out, key) : NULL;
  return line ? g_ascii_strtod(line + strlen(key), NULL) : -1;
}

/* cpu (may be NULL): bulk rows also return the writer's and the reader's
 * CPU ns per byte there, conn rows the process CPU µs per connection.
 * module_dir: GIO_MODULE_DIR for tlslite and openssl (gnutls is Debian's,
 * from the system's module directory). */
static double run_one(const Row *r, const char *backend, const char *module_dir, const char *key,
                      const char *self, double seconds, gsize bulk, int idle, double cpu[2]) {
  char *argv[16];
  int i = 0;
  argv[i++] = (char *)self;
  argv[i++] = "child";
  argv[i++] = (char *)r->test;
  argv[i++] = (char *)r->cert;
  argv[i++] = r->sysdb ? "sysdb" : "filedb";
  char secs[32], bulks[32], bufs[32], idles[32];
  g_snprintf(secs, sizeof secs, "%g", seconds);
  g_snprintf(bulks, sizeof bulks, "%" G_GSIZE_FORMAT, bulk);
  g_snprintf(bufs, sizeof bufs, "%" G_GSIZE_FORMAT, r->bufsize);
  g_snprintf(idles, sizeof idles, "%d", idle);
  argv[i++] = secs;
  argv[i++] = bulks;
  argv[i++] = bufs;
  argv[i++] = idles;
  argv[i++] = "0";
  argv[i] = NULL;
  gboolean idle_row = strcmp(r->test, "idle") == 0;

  char **env = g_get_environ();
  char *openssl_conf = NULL;
  env = g_environ_setenv(env, "GIO_USE_TLS", backend, TRUE);
  env = g_environ_setenv(env, "GSETTINGS_BACKEND", "memory", TRUE);
  env = g_environ_setenv(env, "BENCH_GIO_BACKEND_TYPE",
                         !strcmp(backend, "tlslite")  ? "GTlsBackendTlslite"
                         : !strcmp(backend, "gnutls") ? "GTlsBackendGnutls"
                                                      : "GTlsBackendOpenssl",
                         TRUE);
  env = g_environ_unsetenv(env, "BENCH_GIO_SUITE");
  if (r->suite)
    env = g_environ_setenv(env, "BENCH_GIO_SUITE", r->suite, TRUE);
  if (strcmp(backend, "openssl") == 0) {
    env = g_environ_setenv(env, "GIO_MODULE_DIR", module_dir, TRUE);
    if (r->tls12)
      env = g_environ_setenv(env, "G_TLS_OPENSSL_MAX_PROTO", "0x0303", TRUE); /* TLS1_2_VERSION */
    if (r->suite && r->tls12) {
      const char *name = openssl_tls12_name(r->suite);
      if (!name) {
        g_printerr("bench-gio: no OpenSSL name known for %s\n", r->suite);
        g_strfreev(env);
        child_failures++;
        return -1;
      }
      env = g_environ_setenv(env, "G_TLS_OPENSSL_CIPHER_LIST", name, TRUE);
      env = g_environ_setenv(env, "BENCH_GIO_SUITE", name, TRUE);
    }
    openssl_conf = openssl_conf_file(r->tls12 ? NULL : r->suite);
    if (!openssl_conf) {
      g_strfreev(env);
      child_failures++;
      return -1;
    }
    env = g_environ_setenv(env, "OPENSSL_CONF", openssl_conf, TRUE);
    if (r->group) {
      const char *g = !strcmp(r->group, "x25519")      ? "X25519"
                      : !strcmp(r->group, "secp256r1") ? "P-256"
                      : !strcmp(r->group, "secp384r1") ? "P-384"
                                                       : r->group;
      env = g_environ_setenv(env, "G_TLS_OPENSSL_CURVE_LIST", g, TRUE);
    }
  } else if (strcmp(backend, "tlslite") == 0) {
    if (module_dir)
      env = g_environ_setenv(env, "GIO_MODULE_DIR", module_dir, TRUE);
    if (r->tls12)
      env = g_environ_setenv(env, "G_TLS_TLSLITE_MAX_VERSION", "tls1.2", TRUE);
    if (r->suite)
      env = g_environ_setenv(env, "G_TLS_TLSLITE_CIPHERS", r->suite, TRUE);
    if (r->group)
      env = g_environ_setenv(env, "G_TLS_TLSLITE_GROUPS", r->group, TRUE);
    if (!r->resume) {
      env = g_environ_setenv(env, "G_TLS_TLSLITE_NO_TICKETS", "1", TRUE);
      env = g_environ_setenv(env, "BENCH_GIO_NO_RESUME", "1", TRUE);
    }
  } else {
    env = g_environ_unsetenv(env, "GIO_MODULE_DIR");
    GString *prio = g_string_new("NORMAL");
    if (r->tls12)
      g_string_append(prio, ":-VERS-TLS1.3");
    if (r->suite) {
      const char *c = strstr(r->suite, "CHACHA20") ? "CHACHA20-POLY1305"
                      : strstr(r->suite, "AES_256") ? "AES-256-GCM" : "AES-128-GCM";
      g_string_append_printf(prio, ":-CIPHER-ALL:+%s", c);
      /* TLS 1.2 suites also name the key exchange. */
      if (strstr(r->suite, "_ECDHE_RSA_"))
        g_string_append(prio, ":-KX-ALL:+ECDHE-RSA");
      else if (strstr(r->suite, "_ECDHE_ECDSA_"))
        g_string_append(prio, ":-KX-ALL:+ECDHE-ECDSA");
    }
    if (r->group) {
      const char *g = !strcmp(r->group, "x25519")      ? "X25519"
                      : !strcmp(r->group, "secp256r1") ? "SECP256R1"
                      : !strcmp(r->group, "secp384r1") ? "SECP384R1"
                                                       : r->group;
      g_string_append_printf(prio, ":-GROUP-ALL:+GROUP-%s", g);
    }
    env = g_environ_setenv(env, "G_TLS_GNUTLS_PRIORITY", prio->str, TRUE);
    g_string_free(prio, TRUE);
  }
  char *out = NULL;
  int status = 0;
  GError *error = NULL;
  double value = -1;
  GPid server_pid = 0;
  FILE *server_out = NULL;
  char port[32] = "0";
  if (idle_row) {
    /* The server end in its own process: start it, read its port. */
    int fd = -1;
    argv[2] = "idle-server";
    if (!g_spawn_async_with_pipes(NULL, argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &server_pid, NULL, &fd, NULL, &error)) {
      g_printerr("spawn: %s\n", error->message);
      g_error_free(error);
      g_strfreev(env);
      child_failures++;
      return -1;
    }
    server_out = fdopen(fd, "r");
    char line[128];
    if (server_out && fgets(line, sizeof line, server_out) && sscanf(line, "PORT %31s", port) == 1)
      argv[9] = port;
    argv[2] = "idle-client";
  }
  if (!g_spawn_sync(NULL, argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error)) {
    g_printerr("spawn: %s\n", error->message);
    g_error_free(error);
  } else if (g_spawn_check_wait_status(status, NULL)) {
    if (server_out) {
      /* Append the server's report to the client's. */
      GString *all = g_string_new(out);
      char line[256];
      while (fgets(line, sizeof line, server_out))
        g_string_append(all, line);
      g_free(out);
      out = g_string_free(all, FALSE);
    }
    value = result_value(out, key);
    if (cpu && strcmp(r->test, "conn") == 0) {
      cpu[0] = result_value(out, "RESULT cpu_us_per_conn ");
    } else if (cpu) {
      cpu[0] = result_value(out, "RESULT write_ns_per_byte ");
      cpu[1] = result_value(out, "RESULT read_ns_per_byte ");
    }
  }
  if (server_out)
    fclose(server_out);
  if (server_pid) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    g_spawn_close_pid(server_pid);
  }
  if (value == -1) /* no result: the child failed (its stderr says why) */
    child_failures++;
  if (openssl_conf) {
    g_unlink(openssl_conf);
    g_free(openssl_conf);
  }
  g_free(out);
  g_strfreev(env);
  return value;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (argc == 10 && strcmp(argv[1], "child") == 0)
    return run_child(argv[2], argv[3], strcmp(argv[4], "sysdb") == 0, g_ascii_strtod(argv[5], NULL),
                     g_ascii_strtoull(argv[6], NULL, 10), g_ascii_strtoull(argv[7], NULL, 10),
                     atoi(argv[8]) > 0 ? atoi(argv[8]) : 0, (guint16)atoi(argv[9]));

  int rounds = 3;
  double seconds = 3;
  gsize bulk = 256u << 20;
  int idle = 1000;
  const char *module_dir = g_getenv("GIO_MODULE_DIR");
  /* --only may be given several times: a row runs when it matches any. */
  GPtrArray *only = g_ptr_array_new();
  const char *openssl_dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = g_ascii_strtod(argv[++i], NULL);
    else if (!strcmp(argv[i], "--bulk-mib") && i + 1 < argc)
      bulk = (gsize)atoi(argv[++i]) << 20;
    else if (!strcmp(argv[i], "--idle") && i + 1 < argc)
      idle = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      g_ptr_array_add(only, argv[++i]);
    else if (!strcmp(argv[i], "--module-dir") && i + 1 < argc)
      module_dir = argv[++i];
    else if (!strcmp(argv[i], "--openssl-module-dir") && i + 1 < argc)
      openssl_dir = argv[++i];
    else {
      g_printerr("usage: bench-gio [--rounds N] [--seconds S] [--bulk-mib M] [--idle N] "
                 "[--only SUBSTRING]... [--module-dir DIR] [--openssl-module-dir DIR]\n");
      return 2;
    }
  }
  if (rounds < 1 || rounds > 50)
    rounds = 3;

  /* Every row names the certificate, suite and group, so all backends do
   * the same work (bench/README.md lists them). */
#define T13_128 "TLS_AES_128_GCM_SHA256"
#define T12_RSA "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  static const Row rows[] = {
    {"conn/s TLS1.3 RSA-2048", "conn", "server-rsa", FALSE, FALSE, T13_128, "x25519", 0, "conn_per_s", 1.5, FALSE, 0},
    {"conn/s TLS1.3 ECDSA-P256", "conn", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "conn_per_s", 1.5, FALSE, 0},
    {"conn/s TLS1.2 ECDHE-RSA", "conn", "server-rsa", FALSE, TRUE, T12_RSA, "x25519", 0, "conn_per_s", 1.5, FALSE, 0},
    {"conn/s TLS1.3 ECDSA, resumption on", "conn", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "conn_per_s", 0, TRUE, 0},
    {"conn/s TLS1.3 RSA, system db", "conn", "server-rsa", TRUE, FALSE, T13_128, "x25519", 0, "conn_per_s", 5, FALSE, 0},
    {"conn/s TLS1.3 ECDSA, system db", "conn", "server-ecdsa", TRUE, FALSE, T13_128, "x25519", 0, "conn_per_s", 5, FALSE, 0},
    {"conn/s TLS1.2 ECDHE-RSA, system db", "conn", "server-rsa", TRUE, TRUE, T12_RSA, "x25519", 0, "conn_per_s", 5, FALSE, 0},
    {"MB/s AES-128-GCM 16KiB", "bulk", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 16384, "mb_per_s", 0.9, FALSE, 1.0},
    {"MB/s AES-128-GCM 1MiB", "bulk", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 1 << 20, "mb_per_s", 1.0, FALSE, 0},
    {"MB/s AES-256-GCM 16KiB", "bulk", "server-ecdsa", FALSE, FALSE, "TLS_AES_256_GCM_SHA384", "x25519", 16384, "mb_per_s", 0.9, FALSE, 1.0},
    {"MB/s AES-256-GCM 1MiB", "bulk", "server-ecdsa", FALSE, FALSE, "TLS_AES_256_GCM_SHA384", "x25519", 1 << 20, "mb_per_s", 1.0, FALSE, 0},
    {"MB/s CHACHA20-POLY1305 16KiB", "bulk", "server-ecdsa", FALSE, FALSE, "TLS_CHACHA20_POLY1305_SHA256", "x25519", 16384, "mb_per_s", 1.0, FALSE, 0},
    {"MB/s CHACHA20-POLY1305 1MiB", "bulk", "server-ecdsa", FALSE, FALSE, "TLS_CHACHA20_POLY1305_SHA256", "x25519", 1 << 20, "mb_per_s", 1.0, FALSE, 0},
    {"idle heap B/conn, client", "idle", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "client_heap_per_conn", -16384, FALSE, 0},
    {"idle heap B/conn, server", "idle", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "server_heap_per_conn", -16384, FALSE, 0},
    {"idle RSS B/conn, client", "idle", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "client_rss_per_conn", 0, FALSE, 0},
    {"idle RSS B/conn, server", "idle", "server-ecdsa", FALSE, FALSE, T13_128, "x25519", 0, "server_rss_per_conn", 0, FALSE, 0},
  };
  /* tlslite first: every ratio is ours over another backend's. */
  static const char *backends[] = {"tlslite", "gnutls", "openssl"};
  const char *dirs[] = {module_dir, NULL, openssl_dir};
  int nb = openssl_dir ? 3 : 2;

  double full_ecdsa_cpu = 0;
  const Row *ecdsa_row = NULL;
  for (size_t ri = 0; ri < G_N_ELEMENTS(rows); ri++)
    if (!strcmp(rows[ri].name, "conn/s TLS1.3 ECDSA-P256"))
      ecdsa_row = &rows[ri];
  if (nb == 2)
    printf("%-36s %12s %12s %8s  %s\n", "row (median of rounds)", "tlslite", "gnutls", "ratio", "target");
  else
    printf("%-36s %12s %12s %12s %8s %8s  %s\n", "row (median of rounds)", "tlslite", "gnutls",
           "openssl", "/gnutls", "/openssl", "target");
  for (size_t ri = 0; ri < G_N_ELEMENTS(rows); ri++) {
    const Row *r = &rows[ri];
    gboolean wanted = only->len == 0;
    for (guint oi = 0; oi < only->len && !wanted; oi++)
      wanted = strstr(r->name, only->pdata[oi]) != NULL;
    if (!wanted)
      continue;
    double v[3][50], cpu[3][2][50], full[50];
    int nfull = 0;
    gboolean bulk_row = strcmp(r->test, "bulk") == 0;
    gboolean conn_row = strcmp(r->test, "conn") == 0;
    char key[64];
    g_snprintf(key, sizeof key, "RESULT %s ", r->key);
    for (int k = 0; k < rounds; k++)
      for (int b = 0; b < nb; b++) {
        /* Interleave, rotating which backend goes first (with two, they
         * alternate). */
        int bi = (b + k) % nb;
        double c[2] = {-1, -1};
        v[bi][k] = run_one(r, backends[bi], dirs[bi], key, argv[0], seconds,
                           bulk_row ? bulk : 0, strcmp(r->test, "idle") == 0 ? idle : 0, c);
        cpu[bi][0][k] = c[0];
        cpu[bi][1][k] = c[1];
        /* The resumption row's target is a ratio of two of our own rows:
         * our full TLS 1.3 ECDSA handshakes run in the same rounds, right
         * after our resumed ones, so a load that changes between rows (the
         * machine is shared) does not move one side of the ratio only. */
        if (r->resume && bi == 0 && ecdsa_row) {
          double fc[2] = {-1, -1};
          if (run_one(ecdsa_row, "tlslite", dirs[0], key, argv[0], seconds, 0, 0, fc) > 0 && fc[0] > 0)
            full[nfull++] = fc[0];
        }
      }
    double m[3], ratio[3] = {1, 0, 0};
    for (int b = 0; b < nb; b++) {
      m[b] = median(v[b], rounds);
      if (b > 0)
        ratio[b] = m[b] > 0 ? m[0] / m[b] : 0;
    }
    /* conn rows: the targets are on CPU per connection (the metric),
     * theirs/ours, printed under the conn/s row; conn/s is wall clock. */
    double c[3] = {0, 0, 0}, judged[3] = {1, 0, 0};
    for (int b = 0; b < nb; b++) {
      c[b] = conn_row ? median(cpu[b][0], rounds) : 0;
      if (b > 0)
        judged[b] = conn_row ? (c[0] > 0 && c[b] > 0 ? c[b] / c[0] : 0) : ratio[b];
    }
    char target[128] = "";
    if (r->resume && nfull > 0)
      full_ecdsa_cpu = median(full, nfull);
    if (r->resume && full_ecdsa_cpu > 0 && c[0] > 0)
      g_snprintf(target, sizeof target, "%.2fx our full handshakes (%.1f us; >= 2x %s)",
                 full_ecdsa_cpu / c[0], full_ecdsa_cpu, full_ecdsa_cpu / c[0] >= 2 ? "met" : "NOT met");
    if (r->target > 0)
      g_snprintf(target, sizeof target, ">= %.1fx gnutls %s", r->target,
                 m[0] > 0 && judged[1] >= r->target ? "met" : "NOT met");
    else if (r->target < 0)
      g_snprintf(target, sizeof target, "<= %.0f B %s", -r->target,
                 m[0] >= 0 && m[0] <= -r->target ? "met" : "NOT met");
    if (nb == 3 && r->target_openssl > 0) {
      size_t len = strlen(target);
      g_snprintf(target + len, sizeof target - len, "%s>= %.1fx openssl %s", len ? ", " : "",
                 r->target_openssl, m[0] > 0 && judged[2] >= r->target_openssl ? "met" : "NOT met");
    }
    if (!strcmp(r->name, "conn/s TLS1.3 ECDSA-P256"))
      full_ecdsa_cpu = c[0];
    if (nb == 2)
      printf("%-36s %12.1f %12.1f %8.2f  %s\n", r->name, m[0], m[1], ratio[1], conn_row ? "" : target);
    else
      printf("%-36s %12.1f %12.1f %12.1f %8.2f %8.2f  %s\n", r->name, m[0], m[1], m[2], ratio[1],
             ratio[2], conn_row ? "" : target);
    if (conn_row && nb == 2)
      printf("  %-34s %12.1f %12.1f %8.2f  %s\n", "CPU us/conn, gnutls/ours", c[0], c[1], judged[1],
             target);
    else if (conn_row)
      printf("  %-34s %12.1f %12.1f %12.1f %8.2f %8.2f  %s\n", "CPU us/conn, theirs/ours", c[0], c[1],
             c[2], judged[1], judged[2], target);
    if (bulk_row) {
      /* The wall-clock rate depends on how much CPU a loaded machine gives
       * the two threads; CPU per byte of each end does not. The ratios are
       * theirs/ours of the sums (above 1: we spend less). */
      double w[3], rd[3];
      for (int b = 0; b < nb; b++) {
        w[b] = median(cpu[b][0], rounds);
        rd[b] = median(cpu[b][1], rounds);
      }
      double ours = w[0] + rd[0];
      if (nb == 2)
        printf("  %-34s %5.3f/%5.3f  %5.3f/%5.3f %8.2f\n", "CPU ns/B write/read", w[0], rd[0], w[1],
               rd[1], ours > 0 ? (w[1] + rd[1]) / ours : 0);
      else
        printf("  %-34s %5.3f/%5.3f  %5.3f/%5.3f  %5.3f/%5.3f %8.2f %8.2f\n", "CPU ns/B write/read",
               w[0], rd[0], w[1], rd[1], w[2], rd[2], ours > 0 ? (w[1] + rd[1]) / ours : 0,
               ours > 0 ? (w[2] + rd[2]) / ours : 0);
    }
    fflush(stdout);
  }
  g_ptr_array_unref(only);
  if (child_failures) {
    g_printerr("bench-gio: %d child run(s) gave no result (see above)\n", child_failures);
    return 1;
  }
  return 0;
}
