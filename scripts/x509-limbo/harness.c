/* Runs x509-limbo testcases through whatever GIO TLS backend is selected (GIO_USE_TLS). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Fake wall clock: the validation time of the current testcase. Interposed
 * over libc so both GLib (g_get_real_time) and GnuTLS (time) see it. */
static gint64 fake_now = 0;

int clock_gettime(clockid_t clk, struct timespec *ts) {
  static int (*real)(clockid_t, struct timespec *);
  if (!real)
    real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
  if (fake_now && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)) {
    ts->tv_sec = fake_now;
    ts->tv_nsec = 0;
    return 0;
  }
  return real(clk, ts);
}

time_t time(time_t *t) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (t)
    *t = ts.tv_sec;
  return ts.tv_sec;
}

int gettimeofday(struct timeval *tv, void *tz) {
  struct timespec ts;
  (void)tz;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (tv) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = 0;
  }
  return 0;
}

static GTlsCertificate *make_cert(GType type, const char *pem, GTlsCertificate *issuer) {
  GError *err = NULL;
  GTlsCertificate *c = g_initable_new(type, NULL, &err, "certificate-pem", pem, "issuer", issuer, NULL);
  if (!c)
    g_clear_error(&err);
  return c;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s limbo.json results.tsv [id-substring]\n", argv[0]);
    return 2;
  }
  JsonParser *parser = json_parser_new();
  GError *err = NULL;
  if (!json_parser_load_from_file(parser, argv[1], &err)) {
    fprintf(stderr, "%s\n", err->message);
    return 2;
  }
  FILE *out = fopen(argv[2], "w");
  GTlsBackend *backend = g_tls_backend_get_default();
  GType ctype = g_tls_backend_get_certificate_type(backend);
  fprintf(stderr, "backend %s\n", G_OBJECT_TYPE_NAME(backend));
  JsonArray *tcs = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "testcases");
  guint n = json_array_get_length(tcs);
  unsigned pass = 0, fail = 0, bad_accepted = 0, good_rejected = 0, total = 0;
  char tmpl[] = "/tmp/limbo-anchors-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  for (guint i = 0; i < n; i++) {
    JsonObject *tc = json_array_get_object_element(tcs, i);
    const char *id = json_object_get_string_member(tc, "id");
    if (argc > 3 && !strstr(id, argv[3]))
      continue;
    total++;
    gboolean expect_ok = g_strcmp0(json_object_get_string_member(tc, "expected_result"), "SUCCESS") == 0;
    /* anchors */
    GString *anchors = g_string_new("");
    JsonArray *tr = json_object_get_array_member(tc, "trusted_certs");
    for (guint k = 0; k < json_array_get_length(tr); k++)
      g_string_append(anchors, json_array_get_string_element(tr, k));
    g_file_set_contents(tmpl, anchors->str, anchors->len, NULL);
    g_string_free(anchors, TRUE);
    GTlsDatabase *db = g_tls_file_database_new(tmpl, &err);
    /* chain: leaf -> intermediates in the given order */
    JsonArray *im = json_object_get_array_member(tc, "untrusted_intermediates");
    GTlsCertificate *issuer = NULL;
    gboolean chain_ok = TRUE;
    for (gint k = (gint)json_array_get_length(im) - 1; k >= 0; k--) {
      GTlsCertificate *c = make_cert(ctype, json_array_get_string_element(im, (guint)k), issuer);
      if (!c) {
        chain_ok = FALSE; /* an unparsable intermediate: left out, like a peer would be */
        continue;
      }
      g_clear_object(&issuer);
      issuer = c;
    }
    GTlsCertificate *leaf = make_cert(ctype, json_object_get_string_member(tc, "peer_certificate"), issuer);
    g_clear_object(&issuer);
    /* time */
    fake_now = 0;
    JsonNode *vt = json_object_get_member(tc, "validation_time");
    if (vt && !JSON_NODE_HOLDS_NULL(vt)) {
      GDateTime *dt = g_date_time_new_from_iso8601(json_node_get_string(vt), NULL);
      if (dt) {
        fake_now = g_date_time_to_unix(dt);
        g_date_time_unref(dt);
      }
    }
    /* identity */
    GSocketConnectable *ident = NULL;
    JsonNode *pn = json_object_get_member(tc, "expected_peer_name");
    if (pn && !JSON_NODE_HOLDS_NULL(pn)) {
      JsonObject *p = json_node_get_object(pn);
      const char *kind = json_object_get_string_member(p, "kind");
      if (g_strcmp0(kind, "DNS") == 0 || g_strcmp0(kind, "IP") == 0)
        ident = g_network_address_new(json_object_get_string_member(p, "value"), 443);
    }
    const char *purpose = g_strcmp0(json_object_get_string_member(tc, "validation_kind"), "CLIENT") == 0
                              ? G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT
                              : G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER;
    GTlsCertificateFlags flags = G_TLS_CERTIFICATE_GENERIC_ERROR;
    if (db && leaf) {
      flags = g_tls_database_verify_chain(db, leaf, purpose, ident, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &err);
      g_clear_error(&err);
    }
    g_clear_error(&err);
    fake_now = 0;
    gboolean accepted = flags == 0;
    gboolean ok = accepted == expect_ok;
    if (ok)
      pass++;
    else {
      fail++;
      if (accepted)
        bad_accepted++;
      else
        good_rejected++;
    }
    fprintf(out, "%s\t%s\t%s\t0x%x%s%s\n", ok ? "PASS" : "FAIL", id, expect_ok ? "SUCCESS" : "FAILURE",
            (unsigned)flags, leaf ? "" : "\tleaf-unparsable", chain_ok ? "" : "\tintermediate-unparsable");
    g_clear_object(&leaf);
    g_clear_object(&db);
    g_clear_object(&ident);
  }
  unlink(tmpl);
  fclose(out);
  printf("total %u pass %u fail %u invalid-accepted %u valid-rejected %u\n", total, pass, fail, bad_accepted,
         good_rejected);
  return 0;
}
