/* TLS 1.3 pieces shared by client and server: transcript, keys, certificates, Finished, post-handshake. */
#include "engine/conn_internal.h"
#include "handshake/tls12.h"

#include <stdlib.h>
#include <string.h>

int tc_hs_set_suite(tc_conn *c, uint16_t suite) {
  if (!tc_suite13_params(suite, &c->hash, &c->aead, &c->key_len))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "unknown TLS 1.3 cipher suite 0x%04x",
                        suite);
  c->suite = suite;
  c->hlen = tc_hash_len(c->hash);
  return TC_OK;
}

void tc_hs_transcript_start(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hash_init(&hs->th, c->hash);
  hs->th_started = true;
  hs->th_prefix = 0;
}

void tc_hs_binder_prefix_hash(tc_conn *c, tc_hash_alg alg, const uint8_t *ch, size_t prefix,
                              uint8_t *out) {
  tc_hs *hs = c->hs;
  tc_hash_init(&hs->th, alg);
  tc_hash_update(&hs->th, ch, prefix);
  hs->th_prefix = prefix;
  tc_hash_ctx copy = hs->th;
  tc_hash_final(&copy, out);
}

void tc_hs_transcript_start_ch(tc_conn *c, const uint8_t *ch, size_t len) {
  tc_hs *hs = c->hs;
  /* A resumption ClientHello was hashed up to its binders already; with the
   * same hash the transcript goes on from there instead of hashing it twice. */
  if (hs->th_prefix && hs->th_prefix <= len && hs->th.alg == c->hash) {
    tc_hash_update(&hs->th, ch + hs->th_prefix, len - hs->th_prefix);
    hs->th_started = true;
    hs->th_prefix = 0;
    return;
  }
  tc_hs_transcript_start(c);
  tc_hs_transcript_add(c, ch, len);
}

void tc_hs_transcript_add(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  if (!hs) { /* a post-handshake authentication (tc_hs_transcript_hash) */
    tc_hash_update(&c->pha_run, msg, len);
    return;
  }
  if (hs->th_started)
    tc_hash_update(&hs->th, msg, len);
}

void tc_hs_transcript_hash(tc_conn *c, uint8_t *out) {
  /* After the handshake (no c->hs), a server's post-handshake
   * authentication runs on its own transcript. */
  tc_hash_ctx copy = c->hs ? c->hs->th : c->pha_run;
  tc_hash_final(&copy, out);
}

#ifdef TC_FUZZ_HOOKS
/* Fuzzing builds only: mutate outgoing handshake plaintext before protection. */
void (*tc_fuzz_hs_hook)(uint8_t *buf, size_t len);
#endif

int tc_hs_flush(tc_conn *c) {
  if (c->hsw.failed)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot build a handshake message");
  if (c->hsw.len == 0)
    return TC_OK;
#ifdef TC_FUZZ_HOOKS
  if (tc_fuzz_hs_hook)
    tc_fuzz_hs_hook(c->hsw.buf, c->hsw.len);
#endif
  int r = tc_rec_write(&c->rec, TC_CT_HANDSHAKE, c->hsw.buf, c->hsw.len, &c->err);
  tc_wr_rewind(&c->hsw);
  return r;
}

int tc_hs_send_ccs(tc_conn *c) {
  static const uint8_t one = 1;
  if (c->hs->ccs_sent)
    return TC_OK;
  c->hs->ccs_sent = true;
  if (tc_hs_flush(c))
    return TC_FAIL;
  return tc_rec_write(&c->rec, TC_CT_CHANGE_CIPHER_SPEC, &one, 1, &c->err);
}

static int install(tc_conn *c, tc_prot *p, const uint8_t *secret) {
  uint8_t key[32], iv[12];
  int r = tc_ks_traffic_keys(c->hash, secret, c->key_len, key, iv);
  if (r == 0)
    r = tc_prot_init_tls13(p, c->aead, key, c->key_len, iv);
  tc_wipe(key, sizeof key);
  tc_wipe(iv, sizeof iv);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot install traffic keys");
  return TC_OK;
}

int tc_hs_set_read_secret(tc_conn *c, const uint8_t *secret) {
  if (tc_rec_hs_partial(&c->rec))
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "handshake data left in a record across a key change");
  return install(c, &c->rec.rd, secret);
}

int tc_hs_set_write_secret(tc_conn *c, const uint8_t *secret) {
  if (tc_hs_flush(c))
    return TC_FAIL;
  return install(c, &c->rec.wr, secret);
}

int tc_hs_derive_app_secrets(tc_conn *c) {
  tc_hs *hs = c->hs;
  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (tc_ks_master(&hs->ks) || tc_ks_derive(&hs->ks, "c ap traffic", th, c->c_ap) ||
      tc_ks_derive(&hs->ks, "s ap traffic", th, c->s_ap) ||
      tc_ks_derive(&hs->ks, "exp master", th, c->exporter))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key derivation failed");
  c->have_exporter = true;
  return TC_OK;
}

/* ---- certificates ---- */

int tc_hs_take_peer_chain(tc_conn *c, const tc_certificate *cm) {
  /* A client that offered status_request (TLS 1.2 machinery, client12.c)
   * takes an OCSP staple on the leaf; any other entry extension is
   * unsolicited (RFC 8446 §4.4.2). */
  bool staple_ok = c->role == TC_ROLE_CLIENT && c->hs->t12.offered_status;
  for (size_t i = 0; i < cm->n_entries; i++) {
    if (i == 0 && staple_ok && cm->entries[0].ocsp.len)
      continue;
    if (cm->entries[i].extensions.len || cm->entries[i].ocsp.len)
      return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                          "unsolicited extension in Certificate entry %zu", i);
  }
  /* A staple belongs to this handshake's chain only. */
  free(c->ocsp);
  c->ocsp = NULL;
  c->ocsp_len = 0;
  if (staple_ok && cm->n_entries && cm->entries[0].ocsp.len) {
    uint8_t *o = malloc(cm->entries[0].ocsp.len);
    if (!o)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    memcpy(o, cm->entries[0].ocsp.p, cm->entries[0].ocsp.len);
    free(c->ocsp);
    c->ocsp = o;
    c->ocsp_len = cm->entries[0].ocsp.len;
  }
  tc_cert **chain = calloc(cm->n_entries ? cm->n_entries : 1, sizeof *chain);
  if (!chain)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < cm->n_entries; i++) {
    tc_error e;
    tc_error_clear(&e);
    chain[i] = tc_cert_parse_der_cached(c->cfg->cert_cache, cm->entries[i].cert.p,
                                        cm->entries[i].cert.len, &e);
    if (!chain[i]) {
      for (size_t j = 0; j < i; j++)
        tc_cert_unref(chain[j]);
      free(chain);
      return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE, "cannot parse peer certificate %zu: %s",
                          i, e.message);
    }
  }
  for (size_t i = 0; i < c->peer_n; i++)
    tc_cert_unref(c->peer_chain[i]);
  free(c->peer_chain);
  c->peer_chain = chain;
  c->peer_n = cm->n_entries;
  return TC_OK;
}

int tc_hs_verify_peer_chain(tc_conn *c) {
  tc_config *cfg = c->cfg;
  switch (cfg->verify_mode) {
  case TC_VERIFY_NONE:
    return TC_OK;
  case TC_VERIFY_CALLER:
    c->want = TC_WANT_VERIFY_PEER;
    return TC_OK;
  case TC_VERIFY_BUILTIN:
    break;
  }
  if (!cfg->trust)
    return tc_error_set(&c->err, TC_ERR_UNKNOWN_CA, "no trust anchors configured");
  const char *identity = c->role == TC_ROLE_CLIENT ? c->server_name : NULL;
  bool client = c->role == TC_ROLE_CLIENT;
  unsigned flags = tc_x509_verify_staple(
      c->peer_chain, c->peer_n, cfg->trust, identity, tc_config_now(cfg),
      client ? TC_PURPOSE_SERVER : TC_PURPOSE_CLIENT,
      !client ? TC_STAPLE_IGNORE : c->ocsp_len ? TC_STAPLE_PRESENT : TC_STAPLE_NONE, NULL, NULL);
  /* TLS 1.2: the staple comes in CertificateStatus, after the chain. When
   * the server acknowledged status_request and the missing staple is the
   * only fault, client12.c requires that message to bring one. */
  if (client && c->version < TC_TLS13 && c->hs && c->hs->t12.status &&
      flags == (TC_CERT_GENERIC_ERROR | TC_CERT_STAPLE_MISSING)) {
    c->hs->t12.staple_due = true;
    flags = 0;
  }
  c->peer_flags = flags;
  if (!flags)
    return TC_OK;
  if (flags & TC_CERT_STAPLE_MISSING)
    return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE,
                        "peer certificate requires a stapled OCSP response (TLS Feature "
                        "status_request) and none was sent");
  if (flags & TC_CERT_UNKNOWN_CA)
    return tc_error_set(&c->err, TC_ERR_UNKNOWN_CA, "peer certificate issuer is not trusted");
  if (flags & (TC_CERT_EXPIRED | TC_CERT_NOT_ACTIVATED))
    return tc_error_set(&c->err, TC_ERR_CERTIFICATE_EXPIRED,
                        "peer certificate is expired or not yet valid");
  if (flags & TC_CERT_BAD_IDENTITY)
    return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE,
                        "peer certificate does not match the name %s", identity ? identity : "");
  if (flags & TC_CERT_REVOKED)
    return tc_error_set(&c->err, TC_ERR_CERTIFICATE_REVOKED, "peer certificate is revoked");
  return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE, "peer certificate is invalid (flags 0x%x)",
                      flags);
}

/* RFC 8446 §4.4.3: 64 spaces, context string, 0, transcript hash. */
static size_t cv_content(tc_conn *c, bool server, uint8_t *out) {
  static const char sctx[] = "TLS 1.3, server CertificateVerify";
  static const char cctx[] = "TLS 1.3, client CertificateVerify";
  const char *ctx = server ? sctx : cctx;
  size_t n = 64;
  memset(out, 0x20, 64);
  memcpy(out + n, ctx, sizeof sctx); /* includes the 0 separator */
  n += sizeof sctx;
  tc_hs_transcript_hash(c, out + n);
  return n + c->hlen;
}

/* Schemes usable in a TLS 1.3 CertificateVerify (no PKCS#1 v1.5, no SHA-1). */
static bool tls13_cv_scheme(uint16_t s) {
  switch (s) {
  case TC_SIG_ECDSA_SECP256R1_SHA256:
  case TC_SIG_ECDSA_SECP384R1_SHA384:
  case TC_SIG_ECDSA_SECP521R1_SHA512:
  case TC_SIG_RSA_PSS_RSAE_SHA256:
  case TC_SIG_RSA_PSS_RSAE_SHA384:
  case TC_SIG_RSA_PSS_RSAE_SHA512:
  case TC_SIG_RSA_PSS_PSS_SHA256:
  case TC_SIG_RSA_PSS_PSS_SHA384:
  case TC_SIG_RSA_PSS_PSS_SHA512:
  case TC_SIG_ED25519:
  case TC_SIG_ED448:
    return true;
  default:
    return false;
  }
}

size_t tc_hs_encode_schemes(const tc_config *cfg, tc_schemes_use use, uint8_t *out) {
  uint16_t list[TC_CFG_MAX_SCHEMES12];
  size_t nl = cfg->n_schemes;
  if (use == TC_SCHEMES_TLS12)
    nl = tc_config_schemes12(cfg, list);
  else
    memcpy(list, cfg->schemes, nl * sizeof *list);
  size_t n = 0;
  for (size_t i = 0; i < nl; i++) {
    if (use == TC_SCHEMES_CV13 && !tls13_cv_scheme(list[i]))
      continue;
    out[2 * n] = (uint8_t)(list[i] >> 8);
    out[2 * n + 1] = (uint8_t)list[i];
    n++;
  }
  return n;
}

static bool cfg_has_scheme(const tc_config *cfg, uint16_t s) {
  for (size_t i = 0; i < cfg->n_schemes; i++)
    if (cfg->schemes[i] == s)
      return true;
  return false;
}

int tc_hs_check_cert_verify(tc_conn *c, const uint8_t *body, size_t len, const uint8_t *allowed,
                            size_t n_allowed) {
  (void)allowed;
  (void)n_allowed;
  tc_certificate_verify cv;
  if (tc_msg_parse_certificate_verify(body, len, TC_TLS13, &cv, &c->err))
    return TC_FAIL;
  if (!c->peer_n)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "CertificateVerify without certificate");
  const tc_pubkey *pk = tc_cert_pubkey(c->peer_chain[0]);
  if (!tls13_cv_scheme(cv.scheme) || !cfg_has_scheme(c->cfg, cv.scheme))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "peer signed with a scheme we did not offer (0x%04x)", cv.scheme);
  if (!pk || !tc_pubkey_fits_scheme(pk, cv.scheme))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "signature scheme %s does not match the certificate key",
                        tc_sig_scheme_name(cv.scheme) ? tc_sig_scheme_name(cv.scheme) : "?");
  tc_sigalg alg;
  tc_hash_alg h;
  if (!tc_sig_scheme_params(cv.scheme, &alg, &h))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "unknown signature scheme");
  uint8_t content[64 + 34 + TC_HASH_MAX_LEN];
  size_t n = cv_content(c, c->role == TC_ROLE_CLIENT, content);
  if (tc_pk_verify(pk, alg, h, content, n, cv.signature.p, cv.signature.len))
    return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR, "bad CertificateVerify signature");
  c->peer_scheme = cv.scheme;
  return TC_OK;
}

uint16_t tc_hs_pick_scheme(const tc_conn *c, const tc_privkey *key, const uint8_t *peer_list,
                           size_t n) {
  const tc_pubkey *pk = tc_privkey_pubkey(key);
  for (size_t i = 0; i < c->cfg->n_schemes; i++) {
    uint16_t s = c->cfg->schemes[i];
    if (!tls13_cv_scheme(s) || !tc_pubkey_fits_scheme(pk, s))
      continue;
    for (size_t j = 0; j < n; j++)
      if ((uint16_t)(peer_list[2 * j] << 8 | peer_list[2 * j + 1]) == s)
        return s;
  }
  return 0;
}

int tc_hs_write_cert_verify(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_sigalg alg;
  tc_hash_alg h;
  if (!tc_sig_scheme_params(hs->my_scheme, &alg, &h))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no signature scheme");
  uint8_t content[64 + 34 + TC_HASH_MAX_LEN];
  size_t n = cv_content(c, c->role == TC_ROLE_SERVER, content);
  size_t cap = tc_pk_sig_max_len(hs->my_key);
  uint8_t *sig = malloc(cap ? cap : 1);
  if (!sig)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  size_t sl = cap;
  if (tc_pk_sign(hs->my_key, alg, h, &c->cfg->rng, content, n, sig, &sl)) {
    free(sig);
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "signing CertificateVerify failed");
  }
  tc_certificate_verify cv = {.has_scheme = true, .scheme = hs->my_scheme,
                              .signature = {sig, sl}};
  size_t start = c->hsw.len;
  int r = tc_msg_write_certificate_verify(&c->hsw, &cv);
  free(sig);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateVerify");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  return TC_OK;
}

int tc_hs_write_certificate(tc_conn *c, const uint8_t *ctx, size_t ctx_len) {
  tc_hs *hs = c->hs;
  tc_certificate cm;
  memset(&cm, 0, sizeof cm);
  cm.tls13 = true;
  cm.request_context.p = ctx;
  cm.request_context.len = ctx_len;
  size_t n = hs->my_key && hs->my_scheme ? hs->my_n : 0;
  if (n > TC_MSG_MAX_CERTS)
    n = TC_MSG_MAX_CERTS;
  for (size_t i = 0; i < n; i++)
    cm.entries[i].cert.p = tc_cert_der(hs->my_chain[i], &cm.entries[i].cert.len);
  cm.n_entries = n;
  /* Server: the staple server13.c decided to send (status_request seen). */
  if (c->role == TC_ROLE_SERVER && n > 0 && hs->t12.status) {
    cm.entries[0].ocsp.p = c->cfg->ocsp_response;
    cm.entries[0].ocsp.len = c->cfg->ocsp_response_len;
  }
  size_t start = c->hsw.len;
  if (hs->cc_send_alg && c->cfg->cc_compress) {
    /* RFC 8879 §4: the Certificate body (without its header), compressed */
    tc_writer plain;
    tc_wr_init_dyn(&plain);
    uint8_t *z = NULL;
    size_t zl = 0;
    int r = tc_msg_write_certificate(&plain, &cm);
    if (r == TC_OK && tc_wr_len(&plain) > 4 &&
        c->cfg->cc_compress(c->cfg->cc_ctx, hs->cc_send_alg, tc_wr_data(&plain) + 4,
                            tc_wr_len(&plain) - 4, &z, &zl) == 0 &&
        z && zl) {
      tc_compressed_certificate cc = {hs->cc_send_alg, (uint32_t)(tc_wr_len(&plain) - 4),
                                      {z, zl}};
      r = tc_msg_write_compressed_certificate(&c->hsw, &cc);
      free(z);
      tc_wr_free(&plain);
      if (r)
        return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CompressedCertificate");
      tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
      return TC_OK;
    }
    free(z); /* the compressor failed: send it uncompressed */
    tc_wr_free(&plain);
  }
  if (tc_msg_write_certificate(&c->hsw, &cm))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Certificate");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  return TC_OK;
}

uint16_t tc_hs_pick_cert_compression(const tc_conn *c, tc_u16s peer) {
  const tc_config *cfg = c->cfg;
  if (!cfg->cc_compress)
    return 0;
  for (size_t i = 0; i < cfg->n_cc_algs; i++) {
    uint16_t a = (uint16_t)(cfg->cc_algs[2 * i] << 8 | cfg->cc_algs[2 * i + 1]);
    if (tc_u16s_contains(peer, a))
      return a;
  }
  return 0;
}

int tc_hs_decompress_certificate(tc_conn *c, const uint8_t *body, size_t len, uint8_t **out,
                                 size_t *out_len) {
  const tc_config *cfg = c->cfg;
  tc_compressed_certificate cc;
  *out = NULL;
  *out_len = 0;
  if (tc_msg_parse_compressed_certificate(body, len, &cc, &c->err))
    return TC_FAIL;
  if (!tc_u16s_contains((tc_u16s){cfg->cc_algs, cfg->n_cc_algs}, cc.algorithm))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "CompressedCertificate uses algorithm %u, which we did not offer",
                        cc.algorithm);
  /* The smallest TLS 1.3 Certificate body is 4 bytes (empty context and list). */
  if (cc.uncompressed_length < 4 || cc.uncompressed_length > cfg->max_handshake_msg)
    return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE,
                        "CompressedCertificate declares %u bytes (limit %zu)",
                        (unsigned)cc.uncompressed_length, cfg->max_handshake_msg);
  uint8_t *buf = malloc(cc.uncompressed_length);
  if (!buf)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  if (cfg->cc_decompress(cfg->cc_ctx, cc.algorithm, cc.compressed.p, cc.compressed.len, buf,
                         cc.uncompressed_length) != 0) {
    free(buf);
    return tc_error_set(&c->err, TC_ERR_BAD_CERTIFICATE,
                        "CompressedCertificate does not decompress to its declared %u bytes",
                        (unsigned)cc.uncompressed_length);
  }
  *out = buf;
  *out_len = cc.uncompressed_length;
  c->peer_cert_compression = cc.algorithm;
  return TC_OK;
}

int tc_hs_write_finished(tc_conn *c, const uint8_t *base) {
  uint8_t th[TC_HASH_MAX_LEN], vd[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (tc_ks_finished(c->hash, base, th, vd))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "finished key derivation failed");
  tc_finished f = {{vd, c->hlen}};
  size_t start = c->hsw.len;
  if (tc_msg_write_finished(&c->hsw, &f))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Finished");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  tc_wipe(vd, sizeof vd);
  return TC_OK;
}

int tc_hs_check_finished(tc_conn *c, const uint8_t *base, const uint8_t *body, size_t len) {
  tc_finished f;
  if (tc_msg_parse_finished(body, len, c->hlen, &f, &c->err))
    return TC_FAIL;
  uint8_t th[TC_HASH_MAX_LEN], vd[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (tc_ks_finished(c->hash, base, th, vd))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "finished key derivation failed");
  bool ok = tc_ct_equal(vd, f.verify_data.p, c->hlen);
  tc_wipe(vd, sizeof vd);
  if (!ok)
    return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR, "peer Finished does not verify");
  return TC_OK;
}

/* ---- post-handshake: NewSessionTicket, KeyUpdate ---- */

int tc_post13_key_update(tc_conn *c, bool request) {
  tc_key_update ku = {request ? TC_KEY_UPDATE_REQUESTED : TC_KEY_UPDATE_NOT_REQUESTED};
  if (tc_msg_write_key_update(&c->hsw, &ku) || tc_hs_flush(c))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write KeyUpdate");
  uint8_t *mine = c->role == TC_ROLE_CLIENT ? c->c_ap : c->s_ap;
  if (tc_ks_update_secret(c->hash, mine))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key update failed");
  return install(c, &c->rec.wr, mine);
}

static int client_take_ticket(tc_conn *c, const uint8_t *body, size_t len) {
  tc_new_session_ticket nst;
  if (tc_msg_parse_new_session_ticket(body, len, TC_TLS13, &nst, &c->err))
    return TC_FAIL;
  if (nst.lifetime == 0)
    return TC_OK;
  tc_session *s = tc_session_new();
  if (!s)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  s->version = TC_TLS13;
  s->suite = c->suite;
  s->secret_len = c->hlen;
  s->lifetime = nst.lifetime;
  s->age_add = nst.age_add;
  s->max_early_data = tc_exts_has(&nst.ext, TC_EXT_EARLY_DATA) ? nst.ext.max_early_data_size : 0;
  s->received = tc_config_now(c->cfg);
  s->ticket = malloc(nst.ticket.len);
  s->alpn = c->alpn ? strdup(c->alpn) : NULL;
  s->server_name = c->server_name ? strdup(c->server_name) : NULL;
  if (!s->ticket || (c->alpn && !s->alpn) || (c->server_name && !s->server_name)) {
    tc_session_unref(s);
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  memcpy(s->ticket, nst.ticket.p, nst.ticket.len);
  s->ticket_len = nst.ticket.len;
  /* An external PSK's identity stays with the sessions it leads to. */
  if (c->psk.identity &&
      tc_psk_copy(&s->psk_identity, &s->psk_identity_len, c->psk.identity, c->psk.id_len)) {
    tc_session_unref(s);
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  if (tc_ks_resumption_psk(c->hash, c->res_master, nst.nonce.p, nst.nonce.len, s->secret)) {
    tc_session_unref(s);
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "resumption secret derivation failed");
  }
  /* Kept for tc_conn_take_sessions too: each ticket is offered once
   * (RFC 8446 §C.4), so a caller keeps every one, not just the newest. */
  if (c->n_fresh == TC_CONN_MAX_FRESH) {
    tc_session_unref(c->fresh[0]);
    memmove(c->fresh, c->fresh + 1, (TC_CONN_MAX_FRESH - 1) * sizeof c->fresh[0]);
    c->n_fresh--;
  }
  c->fresh[c->n_fresh++] = tc_session_ref(s);
  tc_session_unref(c->latest);
  c->latest = s;
  c->latest_is_offer = false;
  return TC_OK;
}

/* ---- server: post-handshake client authentication (RFC 8446 §4.6.2) ---- */

int tc_conn_request_post_handshake_auth(tc_conn *c, tc_error *err) {
  if (c->role != TC_ROLE_SERVER || c->state != HS_CONNECTED || c->version != TC_TLS13 || c->hs)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "post-handshake authentication needs an established TLS 1.3 server "
                        "connection");
  if (!c->pha_offered || !c->pha_base)
    return tc_error_set(err, TC_ERR_UNSUPPORTED,
                        "the client did not offer post-handshake authentication");
  if (c->pha_state != PHA_NONE)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT,
                        "a post-handshake authentication is already under way");
  if (c->cfg->verify_mode == TC_VERIFY_CALLER)
    return tc_error_set(err, TC_ERR_UNSUPPORTED,
                        "post-handshake authentication needs builtin verification or none");
  if (c->close_sent || c->peer_closed)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "the connection is closing");
  if (tc_random(&c->cfg->rng, c->pha_ctx, sizeof c->pha_ctx))
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "no randomness");
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.tls13 = true;
  cr.context = (tc_bytes){c->pha_ctx, sizeof c->pha_ctx};
  uint8_t schemes[2 * TC_CFG_MAX_SCHEMES12];
  size_t n = tc_hs_encode_schemes(c->cfg, TC_SCHEMES_CERT13, schemes);
  tc_exts_set(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS);
  cr.ext.sig_algs = (tc_u16s){schemes, n};
  if (c->cfg->n_cc_algs) {
    tc_exts_set(&cr.ext, TC_EXT_COMPRESS_CERTIFICATE);
    cr.ext.cert_compression = (tc_u16s){c->cfg->cc_algs, c->cfg->n_cc_algs};
  }
  size_t start = c->hsw.len;
  if (tc_msg_write_certificate_request(&c->hsw, &cr))
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateRequest");
  /* Handshake context: everything through the client Finished, then this. */
  c->pha_run = *c->pha_base;
  tc_hash_update(&c->pha_run, c->hsw.buf + start, c->hsw.len - start);
  if (tc_hs_flush(c)) {
    *err = c->err;
    return TC_FAIL;
  }
  c->pha_state = PHA_WAIT_CERT;
  return TC_OK;
}

int tc_conn_post_handshake_auth_count(const tc_conn *c) { return (int)c->pha_count; }

static int pha_certificate(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  const uint8_t *body = msg + 4;
  size_t blen = len - 4;
  uint8_t *plain = NULL;
  if (type == TC_HS_COMPRESSED_CERTIFICATE) {
    if (tc_hs_decompress_certificate(c, body, blen, &plain, &blen))
      return TC_FAIL;
    body = plain;
  }
  tc_certificate cm;
  int r = tc_msg_parse_certificate(body, blen, TC_TLS13, &cm, &c->err);
  if (r == TC_OK && (cm.request_context.len != sizeof c->pha_ctx ||
                     memcmp(cm.request_context.p, c->pha_ctx, sizeof c->pha_ctx)))
    r = tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                     "Certificate does not carry our CertificateRequest's context");
  if (r == TC_OK)
    tc_hash_update(&c->pha_run, msg, len);
  if (r == TC_OK && cm.n_entries == 0) {
    if (c->cfg->client_auth == TC_CLIENT_AUTH_REQUIRE)
      r = tc_error_set(&c->err, TC_ERR_CERTIFICATE_REQUIRED, "client sent no certificate");
    else
      c->pha_state = PHA_WAIT_FINISHED;
  } else if (r == TC_OK) {
    r = tc_hs_take_peer_chain(c, &cm) || tc_hs_verify_peer_chain(c) ? TC_FAIL : TC_OK;
    c->pha_state = PHA_WAIT_CV;
  }
  free(plain);
  return r;
}

static int pha_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  switch (c->pha_state) {
  case PHA_WAIT_CERT:
    if (type == TC_HS_CERTIFICATE || (type == TC_HS_COMPRESSED_CERTIFICATE && c->cfg->n_cc_algs))
      return pha_certificate(c, type, msg, len);
    break;
  case PHA_WAIT_CV:
    if (type != TC_HS_CERTIFICATE_VERIFY)
      break;
    if (tc_hs_check_cert_verify(c, msg + 4, len - 4, NULL, 0))
      return TC_FAIL;
    tc_hash_update(&c->pha_run, msg, len);
    c->pha_state = PHA_WAIT_FINISHED;
    return TC_OK;
  case PHA_WAIT_FINISHED:
    if (type != TC_HS_FINISHED)
      break;
    /* The finished key comes from the current client application secret. */
    if (tc_hs_check_finished(c, c->c_ap, msg + 4, len - 4))
      return TC_FAIL;
    c->pha_state = PHA_NONE;
    c->pha_count++;
    tc_wipe(&c->pha_run, sizeof c->pha_run);
    return TC_OK;
  default:
    break;
  }
  return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                      "unexpected %s during post-handshake authentication",
                      tc_msg_type_name(type));
}

/* Client: answer a post-handshake CertificateRequest with Certificate,
 * CertificateVerify (when we have a certificate and a scheme fits) and
 * Finished under the current client application secret. */
static int pha_answer(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_certificate_request cr;
  if (tc_msg_parse_certificate_request(msg + 4, len - 4, TC_TLS13, &cr, &c->err))
    return TC_FAIL;
  if (cr.context.len == 0)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "post-handshake CertificateRequest with an empty context");
  if (!tc_exts_has(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS))
    return tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                        "CertificateRequest lacks signature_algorithms");
  const tc_chain *ch = c->cfg->n_chains ? &c->cfg->chains[0] : NULL;
  uint16_t scheme = ch ? tc_hs_pick_scheme(c, ch->key, cr.ext.sig_algs.p, cr.ext.sig_algs.n) : 0;
  if (!scheme)
    ch = NULL;
  c->pha_run = *c->pha_base;
  tc_hash_update(&c->pha_run, msg, len);
  tc_certificate cm;
  memset(&cm, 0, sizeof cm);
  cm.tls13 = true;
  cm.request_context = cr.context;
  size_t n = ch ? (ch->n < TC_MSG_MAX_CERTS ? ch->n : TC_MSG_MAX_CERTS) : 0;
  for (size_t i = 0; i < n; i++)
    cm.entries[i].cert.p = tc_cert_der(ch->certs[i], &cm.entries[i].cert.len);
  cm.n_entries = n;
  size_t start = c->hsw.len;
  if (tc_msg_write_certificate(&c->hsw, &cm))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Certificate");
  tc_hash_update(&c->pha_run, c->hsw.buf + start, c->hsw.len - start);
  if (ch) {
    tc_sigalg alg;
    tc_hash_alg h;
    uint8_t content[64 + 34 + TC_HASH_MAX_LEN];
    size_t cl = cv_content(c, false, content);
    size_t cap = tc_pk_sig_max_len(ch->key);
    uint8_t *sig = malloc(cap ? cap : 1);
    size_t sl = cap;
    if (!sig)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    if (!tc_sig_scheme_params(scheme, &alg, &h) ||
        tc_pk_sign(ch->key, alg, h, &c->cfg->rng, content, cl, sig, &sl)) {
      free(sig);
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "signing CertificateVerify failed");
    }
    tc_certificate_verify cv = {.has_scheme = true, .scheme = scheme, .signature = {sig, sl}};
    start = c->hsw.len;
    int r = tc_msg_write_certificate_verify(&c->hsw, &cv);
    free(sig);
    if (r)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateVerify");
    tc_hash_update(&c->pha_run, c->hsw.buf + start, c->hsw.len - start);
  }
  int r = tc_hs_write_finished(c, c->c_ap) || tc_hs_flush(c) ? TC_FAIL : TC_OK;
  tc_wipe(&c->pha_run, sizeof c->pha_run);
  if (r == TC_OK)
    c->pha_count++;
  return r;
}

int tc_post13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t mlen) {
  const uint8_t *body = msg + 4;
  size_t len = mlen - 4;
  if (c->role == TC_ROLE_SERVER && c->pha_state != PHA_NONE && type != TC_HS_KEY_UPDATE)
    return pha_handle(c, type, msg, mlen);
  if (c->role == TC_ROLE_CLIENT && type == TC_HS_CERTIFICATE_REQUEST && c->pha_base)
    return pha_answer(c, msg, mlen);
  switch (type) {
  case TC_HS_NEW_SESSION_TICKET:
    if (c->role != TC_ROLE_CLIENT)
      break;
    return client_take_ticket(c, body, len);
  case TC_HS_KEY_UPDATE: {
    tc_key_update ku;
    if (tc_msg_parse_key_update(body, len, &ku, &c->err))
      return TC_FAIL;
    if (++c->key_update_run > TC_REC_MAX_KEY_UPDATES)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                          "more than %d KeyUpdates without application data",
                          TC_REC_MAX_KEY_UPDATES);
    /* The peer's new keys start with the next record. */
    uint8_t *theirs = c->role == TC_ROLE_CLIENT ? c->s_ap : c->c_ap;
    if (tc_ks_update_secret(c->hash, theirs))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key update failed");
    if (tc_hs_set_read_secret(c, theirs))
      return TC_FAIL;
    if (ku.request_update == TC_KEY_UPDATE_REQUESTED && !c->close_sent)
      return tc_post13_key_update(c, false);
    return TC_OK;
  }
  default:
    break;
  }
  return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s after the handshake",
                      tc_msg_type_name(type));
}

bool tc_hs_server_can13(const tc_config *cfg) {
  if (cfg->max_version < TC_TLS13)
    return false;
  bool suite = false;
  for (size_t i = 0; i < cfg->n_suites && !suite; i++)
    suite = tc_suite13_params(cfg->suites[i], NULL, NULL, NULL);
  /* Something to authenticate with: a certificate or a shared key (an
   * SRP-only server has neither and answers in TLS 1.2). */
  return suite && (cfg->n_chains > 0 || tc12_cfg_has_psk(cfg));
}

void tc_hs_downgrade_sentinel(const tc_config *cfg, uint16_t negotiated, uint8_t random[32]) {
  /* RFC 8446 §4.1.3: a server able to do TLS 1.3 marks a lower version in
   * the last 8 bytes of ServerHello.random (used by server12.c). */
  static const uint8_t sentinel[7] = {'D', 'O', 'W', 'N', 'G', 'R', 'D'};
  if (!tc_hs_server_can13(cfg) || negotiated >= TC_TLS13)
    return;
  memcpy(random + 24, sentinel, 7);
  random[31] = negotiated == TC_TLS12 ? 1 : 0;
}
