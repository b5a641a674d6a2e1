/* gtls-tool cert: certificates in words (tlscore's parser), or a chain verified for a host through GTlsDatabase. */
#include <stdlib.h>
#include <string.h>

#include <tlscore/x509.h>

#include "gtls-tool.h"

static const char *key_type_name(tc_pk_type t)
{
  switch (t) {
  case TC_PK_RSA: return "RSA";
  case TC_PK_RSA_PSS: return "RSA-PSS";
  case TC_PK_EC_P256: return "ECDSA P-256";
  case TC_PK_EC_P384: return "ECDSA P-384";
  case TC_PK_EC_P521: return "ECDSA P-521";
  case TC_PK_ED25519: return "Ed25519";
  case TC_PK_ED448: return "Ed448";
  default: return "?";
  }
}

static char *unix_time_string(int64_t t)
{
  GDateTime *d = g_date_time_new_from_unix_utc(t);
  char *s = d ? g_date_time_format(d, "%Y-%m-%d %H:%M:%S UTC") : g_strdup("?");
  if (d)
    g_date_time_unref(d);
  return s;
}

/* A malloc'd name from tlscore, escaped (certificate text is untrusted). */
static char *escaped_name(char *name)
{
  char *e = gt_escape(name ? name : "", -1);
  free(name);
  return e;
}

static void show_one(const tc_cert *c)
{
  char *subject = escaped_name(tc_cert_subject_string(c));
  char *issuer = escaped_name(tc_cert_issuer_string(c));
  printf(_("  Subject: %s\n"), subject);
  printf(_("  Issuer: %s\n"), issuer);
  g_free(subject);
  g_free(issuer);

  GString *sans = g_string_new(NULL);
  for (size_t i = 0; i < tc_cert_dns_name_count(c); i++) {
    size_t len = 0;
    const char *n = tc_cert_dns_name(c, i, &len);
    char *e = gt_escape(n, (gssize)len);
    g_string_append_printf(sans, "%sDNS:%s", sans->len ? ", " : "", e);
    g_free(e);
  }
  for (size_t i = 0; i < tc_cert_ip_count(c); i++) {
    size_t len = 0;
    const uint8_t *ip = tc_cert_ip(c, i, &len);
    GInetAddress *a = g_inet_address_new_from_bytes(
        ip, len == 16 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
    char *s = g_inet_address_to_string(a);
    g_string_append_printf(sans, "%sIP:%s", sans->len ? ", " : "", s);
    g_free(s);
    g_object_unref(a);
  }
  printf(_("  Subject alternative names: %s\n"), sans->len ? sans->str : _("none"));
  g_string_free(sans, TRUE);

  int64_t nb = tc_cert_not_before(c), na = tc_cert_not_after(c), now = g_get_real_time() / G_USEC_PER_SEC;
  char *fb = unix_time_string(nb), *fa = unix_time_string(na);
  printf(_("  Valid: from %s to %s (%s)\n"), fb, fa,
         now < nb ? _("not valid yet") : now > na ? _("expired") : _("valid now"));
  g_free(fb);
  g_free(fa);

  const tc_pubkey *k = tc_cert_pubkey(c);
  if (k != NULL)
    printf(_("  Key: %s, %u bits\n"), key_type_name(tc_pubkey_type(k)), tc_pubkey_bits(k));
  printf(_("  Certificate authority: %s\n"), tc_cert_is_ca(c) ? _("yes") : _("no"));

  tc_pin pin;
  char text[TC_PIN_TEXT_MAX];
  tc_cert_pin(c, TC_PIN_CERT_SHA256, &pin);
  tc_pin_format(&pin, text);
  printf(_("  SHA-256 fingerprint: %s\n"), text);
  tc_cert_pin(c, TC_PIN_SPKI_SHA256, &pin);
  tc_pin_format(&pin, text);
  printf(_("  SPKI pin: %s\n"), text);
}

static gboolean show_file(const char *file)
{
  char *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!g_file_get_contents(file, &data, &len, &error)) {
    gt_err("%s", error->message);
    g_error_free(error);
    return FALSE;
  }
  tc_error terr = {.code = TC_ERR_NONE, .alert = -1};
  tc_cert **certs = NULL;
  size_t n = tc_certs_parse((const uint8_t *)data, len, &certs, &terr);
  g_free(data);
  if (n == 0) {
    gt_err(_("%s: no certificate: %s"), file, terr.message[0] ? terr.message : _("nothing found"));
    return FALSE;
  }
  for (size_t i = 0; i < n; i++) {
    printf(_("%s: certificate %zu of %zu\n"), file, i + 1, n);
    show_one(certs[i]);
    tc_cert_unref(certs[i]);
  }
  free(certs);
  return TRUE;
}

/* GIO's answer for a chain (leaf first in FILE, the rest its issuers). */
static int verify(const char *file, const char *ca, const char *host, gboolean client_purpose)
{
  GError *error = NULL;
  GTlsDatabase *db = NULL;
  GTlsCertificate *chain = g_tls_certificate_new_from_file(file, &error);
  if (chain == NULL)
    goto fail;
  if (ca != NULL) {
    char *abs = g_canonicalize_filename(ca, NULL);
    db = g_tls_file_database_new(abs, &error);
    g_free(abs);
  } else {
    db = g_tls_backend_get_default_database(g_tls_backend_get_default());
  }
  if (db == NULL)
    goto fail;
  GSocketConnectable *identity = host ? g_network_address_new(host, 0) : NULL;
  GTlsCertificateFlags flags = g_tls_database_verify_chain(
      db, chain,
      client_purpose ? G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT
                     : G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
  g_clear_object(&identity);
  if (error != NULL)
    goto fail;
  char *words = gt_cert_flags_words(flags);
  char *eh = host ? gt_escape(host, -1) : NULL;
  if (eh != NULL)
    printf(_("%s for %s: %s\n"), file, eh, words);
  else
    printf(_("%s: %s\n"), file, words);
  g_free(eh);
  g_free(words);
  g_object_unref(chain);
  g_object_unref(db);
  return flags == 0 ? GT_EXIT_OK : GT_EXIT_FAIL;

fail:
  gt_err("%s", error->message);
  g_error_free(error);
  g_clear_object(&chain);
  g_clear_object(&db);
  return GT_EXIT_FAIL;
}

int gt_cmd_cert(int argc, char **argv)
{
  gboolean do_verify = FALSE, client_purpose = FALSE;
  char *ca = NULL, *host = NULL;
  gt_tls_options tls = {0};
  const GOptionEntry entries[] = {
    {"verify", 0, 0, G_OPTION_ARG_NONE, &do_verify,
     N_("Verify the chain in FILE (leaf first) through GTlsDatabase; exit 0 if trusted, 1 if not"), NULL},
    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
     N_("Trust anchors for --verify (PEM; default: the system's)"), N_("FILE")},
    {"host", 0, 0, G_OPTION_ARG_STRING, &host,
     N_("Host name (or IP address) the leaf must be valid for"), N_("NAME")},
    {"client", 0, 0, G_OPTION_ARG_NONE, &client_purpose,
     N_("Verify for client authentication instead of a server"), NULL},
    G_OPTION_ENTRY_NULL,
  };
  GOptionContext *ctx = g_option_context_new(_("FILE... - show certificates, or verify a chain"));
  g_option_context_set_translation_domain(ctx, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries(ctx, gt_tls_option_entries(&tls), GETTEXT_PACKAGE);
  g_option_context_set_summary(ctx,
      _("Shows each certificate of each FILE (PEM or DER): subject, issuer, alternative names,\n"
        "validity, key type and size, SHA-256 fingerprint and SPKI pin (for client --pin)."));
  int rc = GT_EXIT_USAGE;
  if (!gt_parse(ctx, "cert", &argc, &argv))
    goto out;
  if (argc < 2) {
    rc = gt_usage_error("cert", "%s", _("FILE missing"));
    goto out;
  }
  if (!do_verify && (ca != NULL || host != NULL || client_purpose)) {
    rc = gt_usage_error("cert", "%s", _("--ca, --host and --client go with --verify"));
    goto out;
  }
  if (do_verify) {
    if (argc != 2) {
      rc = gt_usage_error("cert", "%s", _("--verify takes one FILE (the chain, leaf first)"));
      goto out;
    }
    GError *error = NULL;
    if (!gt_tls_setup(&tls, &error)) {
      rc = g_error_matches(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE)
               ? gt_usage_error("cert", "%s", error->message)
               : (gt_err("%s", error->message), GT_EXIT_FAIL);
      g_error_free(error);
      goto out;
    }
    rc = verify(argv[1], ca, host, client_purpose);
    goto out;
  }
  rc = GT_EXIT_OK;
  for (int i = 1; i < argc; i++)
    if (!show_file(argv[i]))
      rc = GT_EXIT_FAIL;
out:
  g_option_context_free(ctx);
  g_free(ca);
  g_free(host);
  gt_tls_options_clear(&tls);
  return rc;
}
