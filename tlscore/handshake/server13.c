/* TLS 1.3 server handshake (RFC 8446 §4): negotiation, HelloRetryRequest, resumption, client auth. */
#include "engine/conn_internal.h"
#include "handshake/tls12.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL_WITH(c, code, ...) (tc_error_set(&(c)->err, (code), __VA_ARGS__), HS_FAILED)

/* What the server decided from a ClientHello. */
typedef struct choice {
  uint16_t suite;
  uint16_t group;
  tc_key_share_entry share;        /* the client's share for `group` ... */
  bool have_share;                 /* ... if any; false: needs a HelloRetryRequest */
  const char *alpn;
  int psk_index;                   /* -1: full handshake */
  bool psk_ke;                     /* the PSK alone, no (EC)DHE */
  const tc_chain *chain;
  uint16_t scheme;
} choice;

static bool u16s_has(tc_u16s l, uint16_t v) { return tc_u16s_contains(l, v); }

static int pick_suite(tc_conn *c, const tc_client_hello *ch, choice *ch_out) {
  for (size_t i = 0; i < c->cfg->n_suites; i++) {
    uint16_t s = c->cfg->suites[i];
    if (tc_suite13_params(s, NULL, NULL, NULL) && u16s_has(ch->cipher_suites, s)) {
      ch_out->suite = s;
      return TC_OK;
    }
  }
  return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
}

/* RFC 8446 §4.2.7: the obsolete_RESERVED groups (the TLS 1.2 curves other
 * than P-256/384/521 and x25519/x448) MUST NOT be offered by a TLS 1.3
 * client; one that does is refused with illegal_parameter rather than
 * negotiated around (tlslite-ng does the same; tlsfuzzer's
 * test-tls13-obsolete-curves without --relaxed expects it). */
static bool obsolete_group(uint16_t g) {
  return (g >= 0x0001 && g <= 0x0016) || (g >= 0x001a && g <= 0x001c) || g == 0xff01 ||
         g == 0xff02;
}

static int offers_obsolete_group(tc_conn *c, const tc_client_hello *ch) {
  for (size_t i = 0; i < ch->ext.groups.n; i++)
    if (obsolete_group(tc_u16s_at(ch->ext.groups, i)))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "TLS 1.3 ClientHello offers the obsolete group 0x%04x",
                          tc_u16s_at(ch->ext.groups, i));
  tc_reader list;
  tc_rd_init(&list, ch->ext.key_share_list.p, ch->ext.key_share_list.len);
  uint16_t g;
  tc_reader kx;
  while (tc_rd_u16(&list, &g) && tc_rd_vec16(&list, &kx))
    if (obsolete_group(g))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "TLS 1.3 key share for the obsolete group 0x%04x", g);
  return TC_OK;
}

/* Server preference among groups the client supports; prefer one it already
 * sent a share for, so a HelloRetryRequest is needed only when no share fits.
 * false (no error set): no group in common. */
static bool pick_group(tc_conn *c, const tc_client_hello *ch, choice *out) {
  const tc_config *cfg = c->cfg;
  uint16_t first = 0;
  for (size_t i = 0; i < cfg->n_groups; i++) {
    uint16_t g = cfg->groups[i];
    /* The client's list first: usually a group or two, a cheaper test
     * than tc_kex_supported's look-ups for each of ours. */
    if (!u16s_has(ch->ext.groups, g) || !tc_kex_supported(g))
      continue;
    if (!first)
      first = g;
    if (tc_exts_find_key_share(&ch->ext, g, &out->share)) {
      out->group = g;
      out->have_share = true;
      return true;
    }
  }
  out->group = first;
  out->have_share = false;
  return first != 0;
}

int tc_hs_select_alpn(tc_conn *c, const tc_client_hello *ch, const char **alpn) {
  size_t n;
  const char *const *ours = tc_conn_alpn_list(c, &n);
  *alpn = NULL;
  if (!tc_exts_has(&ch->ext, TC_EXT_ALPN) || n == 0)
    return TC_OK;
  /* Over the raw list: the client may offer more names than ext.alpn[] keeps. */
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(ours[i]);
    tc_reader list;
    tc_rd_init(&list, ch->ext.alpn_list.p, ch->ext.alpn_list.len);
    while (!tc_rd_empty(&list)) {
      tc_reader name;
      if (!tc_rd_vec8(&list, &name))
        break;
      if (name.len == l && !memcmp(name.p, ours[i], l)) {
        *alpn = ours[i];
        return TC_OK;
      }
    }
  }
  if (c->cfg->alpn_lax)
    return TC_OK;
  return tc_error_set(&c->err, TC_ERR_NO_APPLICATION_PROTOCOL,
                      "no application protocol in common with the client");
}

static int pick_cert(tc_conn *c, const tc_client_hello *ch, choice *out) {
  if (!tc_exts_has(&ch->ext, TC_EXT_SIGNATURE_ALGORITHMS))
    return tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                        "ClientHello lacks signature_algorithms");
  for (size_t i = 0; i < c->cfg->n_chains; i++) {
    const tc_chain *ch_ = &c->cfg->chains[i];
    uint16_t s = tc_hs_pick_scheme(c, ch_->key, ch->ext.sig_algs.p, ch->ext.sig_algs.n);
    if (s) {
      out->chain = ch_;
      out->scheme = s;
      return TC_OK;
    }
  }
  if (!c->cfg->n_chains)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "server has no certificate");
  return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                      "no certificate matches the client's signature algorithms");
}

static int write_hello_retry(tc_conn *c, const tc_client_hello *ch, const choice *k) {
  tc_server_hello hrr;
  memset(&hrr, 0, sizeof hrr);
  hrr.legacy_version = TC_TLS12;
  memcpy(hrr.random, tc_hrr_random, 32);
  memcpy(hrr.session_id, ch->session_id, ch->session_id_len);
  hrr.session_id_len = ch->session_id_len;
  hrr.cipher_suite = k->suite;
  hrr.has_extensions = true;
  hrr.is_hrr = true;
  hrr.is_tls13 = true;
  tc_exts_set(&hrr.ext, TC_EXT_SUPPORTED_VERSIONS);
  hrr.ext.selected_version = TC_TLS13;
  tc_exts_set(&hrr.ext, TC_EXT_KEY_SHARE);
  hrr.ext.hrr_group = k->group;
  /* A random cookie the second ClientHello must echo (RFC 8446 §4.2.2):
   * it proves the client saw this HRR; our state is kept anyway. */
  tc_hs *hs = c->hs;
  free(hs->cookie);
  hs->cookie_len = 32;
  hs->cookie = malloc(hs->cookie_len);
  if (!hs->cookie)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  if (tc_random(&c->cfg->rng, hs->cookie, hs->cookie_len))
    return tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
  tc_exts_set(&hrr.ext, TC_EXT_COOKIE);
  hrr.ext.cookie = (tc_bytes){hs->cookie, hs->cookie_len};
  size_t start = c->hsw.len;
  if (tc_msg_write_server_hello(&c->hsw, &hrr))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write HelloRetryRequest");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  return TC_OK;
}

static size_t encode_u16s(const uint16_t *v, size_t n, uint8_t *out) {
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = (uint8_t)(v[i] >> 8);
    out[2 * i + 1] = (uint8_t)v[i];
  }
  return n;
}

static int write_encrypted_extensions(tc_conn *c, const tc_client_hello *ch, const choice *k) {
  bool sni_ack = tc_exts_has(&ch->ext, TC_EXT_SERVER_NAME) && !c->resumed;
  if (!c->cfg->ee_groups && !tc_exts_has(&ch->ext, TC_EXT_RECORD_SIZE_LIMIT) && !k->alpn) {
    /* Nothing but (perhaps) the server_name acknowledgement: written
     * directly, the bytes of the general writer below (test-msg). */
    size_t start = c->hsw.len;
    if (tc_msg_write_encrypted_extensions_sni(&c->hsw, sni_ack))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write EncryptedExtensions");
    tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
    return TC_OK;
  }
  tc_encrypted_extensions ee;
  /* Not a memset of its 2.1 KiB: the writer reads the item arrays only up
   * to their counts (as for the ServerHello). */
  tc_exts_reset(&ee.ext);
  uint8_t groups[2 * TC_CFG_MAX_GROUPS];
  /* Our groups, so the client can use a better one next time (RFC 8446 §4.2.7). */
  if (c->cfg->ee_groups) {
    tc_exts_set(&ee.ext, TC_EXT_SUPPORTED_GROUPS);
    ee.ext.groups = (tc_u16s){groups, encode_u16s(c->cfg->groups, c->cfg->n_groups, groups)};
  }
  if (tc_exts_has(&ch->ext, TC_EXT_RECORD_SIZE_LIMIT)) {
    tc_exts_set(&ee.ext, TC_EXT_RECORD_SIZE_LIMIT);
    ee.ext.record_size_limit = (uint16_t)(c->cfg->recv_limit + 1);
    /* Negotiated: the client's protected records stay within it. */
    c->rec.max_recv_plain = c->cfg->recv_limit;
  }
  if (tc_exts_has(&ch->ext, TC_EXT_SERVER_NAME) && !c->resumed)
    tc_exts_set(&ee.ext, TC_EXT_SERVER_NAME);
  if (k->alpn) {
    tc_exts_set(&ee.ext, TC_EXT_ALPN);
    ee.ext.alpn[0] = (tc_bytes){(const uint8_t *)k->alpn, strlen(k->alpn)};
    ee.ext.n_alpn = 1;
  }
  size_t start = c->hsw.len;
  if (tc_msg_write_encrypted_extensions(&c->hsw, &ee))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write EncryptedExtensions");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  return TC_OK;
}

static int write_certificate_request(tc_conn *c) {
  tc_certificate_request cr;
  memset(&cr, 0, sizeof cr);
  cr.tls13 = true;
  /* One list, as GnuTLS, OpenSSL and tlslite-ng send: the PKCS#1 v1.5
   * schemes may appear in signature_algorithms for the certificates
   * (RFC 8446 §4.2.3); the client's CertificateVerify is held to the TLS 1.3
   * ones all the same (tc_hs_check_cert_verify). */
  uint8_t schemes[2 * TC_CFG_MAX_SCHEMES12];
  size_t n_all = tc_hs_encode_schemes(c->cfg, TC_SCHEMES_CERT13, schemes);
  tc_exts_set(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS);
  cr.ext.sig_algs = (tc_u16s){schemes, n_all};
  if (c->cfg->n_cc_algs) { /* RFC 8879 §3: we take compressed client certificates */
    tc_exts_set(&cr.ext, TC_EXT_COMPRESS_CERTIFICATE);
    cr.ext.cert_compression = (tc_u16s){c->cfg->cc_algs, c->cfg->n_cc_algs};
  }
  tc_writer cas;
  tc_wr_init_dyn(&cas);
  size_t ncas = 0;
  if (c->cfg->trust) {
    size_t n = tc_trust_store_count(c->cfg->trust);
    for (size_t i = 0; i < n; i++) {
      size_t l;
      const uint8_t *dn = tc_cert_subject_der(tc_trust_store_get(c->cfg->trust, i), &l);
      if (dn && l) {
        tc_wr_vec16(&cas, dn, l);
        ncas++;
      }
    }
  }
  if (ncas && tc_wr_ok(&cas) && tc_wr_len(&cas) < 60000) {
    tc_exts_set(&cr.ext, TC_EXT_CERTIFICATE_AUTHORITIES);
    cr.ext.certificate_authorities = (tc_bytes){tc_wr_data(&cas), tc_wr_len(&cas)};
    cr.ext.n_certificate_authorities = ncas;
  }
  size_t start = c->hsw.len;
  int r = tc_msg_write_certificate_request(&c->hsw, &cr);
  tc_wr_free(&cas);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateRequest");
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  return TC_OK;
}

/* SHA-256 over the parts of a ClientHello (msg, header included, already
 * parsed, so well formed) that RFC 8446 §4.1.2 does not let the second
 * ClientHello change: legacy_version, cipher_suites, compression and every
 * extension in order, except key_share, early_data, cookie, pre_shared_key
 * and padding. -1 if the message does not walk (cannot happen once parsed). */
static int hello_digest(const uint8_t *msg, size_t len, uint8_t out[32]) {
  tc_hash_ctx h;
  tc_hash_init(&h, TC_HASH_SHA256);
  size_t p = 4;
  if (len < p + 2 + 32 + 1)
    return -1;
  tc_hash_update(&h, msg + p, 2); /* legacy_version */
  p += 2 + 32;                    /* the random is compared on its own */
  p += 1 + (size_t)msg[p];        /* session id: likewise */
  if (len < p + 2)
    return -1;
  size_t n = (size_t)msg[p] << 8 | msg[p + 1];
  if (len < p + 2 + n + 1)
    return -1;
  tc_hash_update(&h, msg + p, 2 + n); /* cipher_suites */
  p += 2 + n;
  n = msg[p];
  if (len < p + 1 + n)
    return -1;
  tc_hash_update(&h, msg + p, 1 + n); /* compression_methods */
  p += 1 + n;
  if (p + 2 <= len) {
    size_t end = p + 2 + ((size_t)msg[p] << 8 | msg[p + 1]);
    if (end > len)
      return -1;
    for (p += 2; p + 4 <= end;) {
      uint16_t type = (uint16_t)(msg[p] << 8 | msg[p + 1]);
      size_t el = 4 + ((size_t)msg[p + 2] << 8 | msg[p + 3]);
      if (p + el > end)
        return -1;
      if (type != TC_EXT_KEY_SHARE && type != TC_EXT_EARLY_DATA && type != TC_EXT_COOKIE &&
          type != TC_EXT_PRE_SHARED_KEY && type != TC_EXT_PADDING)
        tc_hash_update(&h, msg + p, el);
      p += el;
    }
  }
  tc_hash_final(&h, out);
  return 0;
}

/* Checks that make a second ClientHello consistent with the first and the HRR. */
static int check_second_hello(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg,
                              size_t len) {
  tc_hs *hs = c->hs;
  uint8_t d[32];
  /* RFC 8446 §4.1.2: the same ClientHello but for the listed changes
   * (extensions in the same order too, as tlsfuzzer and OpenSSL check). */
  if (hello_digest(msg, len, d) || memcmp(d, hs->ch1_digest, 32))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "second ClientHello changed more than RFC 8446 §4.1.2 allows");
  if (!u16s_has(ch->cipher_suites, c->suite))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "second ClientHello dropped the selected cipher suite");
  if (ch->ext.n_key_shares != 1 || ch->ext.key_shares[0].group != hs->hrr_group)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "second ClientHello lacks the requested key share");
  if (ch->session_id_len != hs->session_id_len ||
      memcmp(ch->session_id, hs->session_id, hs->session_id_len) ||
      memcmp(ch->random, hs->client_random, 32))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "second ClientHello changed its random or session id");
  if (tc_exts_has(&ch->ext, TC_EXT_EARLY_DATA))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "early_data after HelloRetryRequest");
  if (hs->cookie) {
    if (!tc_exts_has(&ch->ext, TC_EXT_COOKIE))
      return tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                          "second ClientHello does not echo the HelloRetryRequest cookie");
    if (ch->ext.cookie.len != hs->cookie_len ||
        !tc_ct_equal(ch->ext.cookie.p, hs->cookie, hs->cookie_len))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "second ClientHello changed the HelloRetryRequest cookie");
  }
  return TC_OK;
}

/* Early tickets: the resumption secret from the client Finished we expect
 * (a copy of the transcript; the real message is still checked later). */
static int send_early_tickets(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (!hs->client_can_resume || c->cfg->ticket_count == 0)
    return TC_OK;
  uint8_t th[TC_HASH_MAX_LEN], fin[4 + TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  fin[0] = TC_HS_FINISHED;
  fin[1] = 0;
  fin[2] = 0;
  fin[3] = (uint8_t)c->hlen;
  if (tc_ks_finished(c->hash, hs->c_hs, th, fin + 4))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "finished key derivation failed");
  tc_hash_ctx h = hs->th;
  tc_hash_update(&h, fin, 4 + c->hlen);
  tc_hash_final(&h, th);
  tc_wipe(fin, sizeof fin);
  if (tc_ks_derive(&hs->ks, "res master", th, c->res_master))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key derivation failed");
  hs->tickets_early = true;
  return tc_server13_send_tickets(c);
}

/* The rest of a ClientHello that offers TLS 1.3 (parsed into *ch by
 * on_client_hello). Out of line: a TLS 1.2 ClientHello runs none of it,
 * its stack frame or its set-up. */
static __attribute__((noinline)) tc_hs_state client_hello13(tc_conn *c, const tc_client_hello *ch,
                                                            const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  /* The second ClientHello follows our HelloRetryRequest; a ClientHello may
   * also be processed again here after a TC_WANT_PSK_KEY answer. */
  bool second = hs->hrr;
  tc_hs_state next = HS_FAILED;
  choice k;
  memset(&k, 0, sizeof k);
  k.psk_index = -1;
  uint8_t dhe[TC_KEX_MAX_SECRET_LEN];
  size_t dhe_len = 0;
  bool dhe_used = false; /* dhe may hold a secret: wipe it (psk_ke never does) */

  /* RFC 8446 §D.5: a legacy_version below TLS 1.0 (SSL 3.0 and older) is
   * protocol_version even when supported_versions offers TLS 1.3. */
  if (ch->legacy_version < TC_TLS10) {
    tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                 "ClientHello legacy_version 0x%04x is below TLS 1.0", ch->legacy_version);
    goto out;
  }
  if (ch->compression_methods.len != 1 || ch->compression_methods.p[0] != 0) {
    tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                 "TLS 1.3 ClientHello must offer only null compression");
    goto out;
  }
  if (second) {
    if (check_second_hello(c, ch, msg, len))
      goto out;
  } else {
    memcpy(hs->client_random, ch->random, 32);
    memcpy(hs->session_id, ch->session_id, ch->session_id_len);
    hs->session_id_len = ch->session_id_len;
    hs->early_data_offered = tc_exts_has(&ch->ext, TC_EXT_EARLY_DATA);
    if (pick_suite(c, ch, &k) || tc_hs_set_suite(c, k.suite))
      goto out;
  }
  k.suite = c->suite;
  const tc_exts *x = &ch->ext;
  if (offers_obsolete_group(c, ch))
    goto out;
  bool has_groups = tc_exts_has(x, TC_EXT_KEY_SHARE) && tc_exts_has(x, TC_EXT_SUPPORTED_GROUPS);
  bool grp = has_groups && pick_group(c, ch, &k);
  if (tc_hs_select_alpn(c, ch, &k.alpn))
    goto out;
  if (tc_exts_has(&ch->ext, TC_EXT_SERVER_NAME) && !second) {
    if (!tc_conn_keep_server_name(c, (const char *)ch->ext.server_name.p,
                                  ch->ext.server_name.len)) {
      tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
      goto out;
    }
  }

  /* PSK key exchange modes both sides accept (RFC 8446 §4.2.9). */
  bool has_psk = tc_exts_has(x, TC_EXT_PRE_SHARED_KEY);
  if (has_psk && !tc_exts_has(x, TC_EXT_PSK_KEY_EXCHANGE_MODES)) {
    tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                 "pre_shared_key without psk_key_exchange_modes");
    goto out;
  }
  unsigned smodes = tc_psk13_modes(cfg);
  bool has_modes = tc_exts_has(x, TC_EXT_PSK_KEY_EXCHANGE_MODES) && x->psk_modes.len;
  bool c_dhe = has_modes && memchr(x->psk_modes.p, TC_PSK_DHE_KE, x->psk_modes.len);
  bool c_ke = has_modes && memchr(x->psk_modes.p, TC_PSK_KE, x->psk_modes.len);
  bool dhe_ok = c_dhe && (smodes & TC_PSK_MODE_DHE_KE) && grp;
  bool ke_ok = c_ke && (smodes & TC_PSK_MODE_KE);
  /* Tickets go to clients whose modes fit ours, and, as GnuTLS, OpenSSL
   * and tlslite-ng do, to those that name no modes at all (RFC 8446 §4.2.9
   * says SHOULD NOT only for tickets incompatible with advertised modes). */
  hs->client_can_resume = (c_dhe && (smodes & TC_PSK_MODE_DHE_KE)) || ke_ok || !has_modes;
  /* The PSKs are tried now when a mode works without a HelloRetryRequest:
   * psk_dhe_ke with a fitting share, or psk_ke when psk_dhe_ke is not
   * possible at all (forward secrecy first). */
  tc_psk13_pick pk;
  memset(&pk, 0, sizeof pk);
  pk.index = -1;
  if (has_psk && ((dhe_ok && k.have_share) || (ke_ok && !dhe_ok))) {
    int r = tc_psk13_server_pick(c, ch, msg, second, k.alpn, &pk);
    if (r == TC_WANT) {
      /* Keep the ClientHello: it is processed again with the answer. */
      if (msg != hs->ch_saved) {
        free(hs->ch_saved);
        hs->ch_saved = malloc(len);
        if (!hs->ch_saved) {
          tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
          goto out;
        }
        memcpy(hs->ch_saved, msg, len);
        hs->ch_saved_len = len;
      }
      next = HS_S_PSK_KEY;
      goto out;
    }
    if (r != TC_OK)
      goto out;
    k.suite = c->suite; /* an external PSK's hash may have changed it */
    if (pk.index >= 0) {
      k.psk_index = pk.index;
      k.psk_ke = !(dhe_ok && k.have_share);
    }
  }
  if (k.psk_index < 0 && !has_groups) {
    tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                 "ClientHello lacks key_share or supported_groups, and no PSK was accepted "
                 "for psk_ke");
    goto out;
  }
  if (k.psk_index < 0 && !grp) {
    tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "no key exchange group in common");
    goto out;
  }
  /* Without a certificate there is no full handshake to fall back to
   * (RFC 8446 §4.2.11); say why, unless a PSK may still come after a
   * HelloRetryRequest. */
  if (k.psk_index < 0 && !cfg->n_chains && !(has_psk && dhe_ok && !k.have_share)) {
    if (pk.unknown)
      tc_error_set(&c->err, TC_ERR_UNKNOWN_PSK_IDENTITY,
                   "unknown PSK identity, and this server has no certificate for a full "
                   "handshake");
    else if (pk.incompatible)
      tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                   "the client's PSK is bound to a hash that no common cipher suite uses");
    else if (has_psk && !dhe_ok && !ke_ok)
      tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                   "no PSK key exchange mode in common with the client");
    else
      tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "server has no certificate");
    goto out;
  }

  if (k.psk_index < 0 && !k.have_share) {
    if (second) {
      tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                   "second ClientHello still has no usable key share");
      goto out;
    }
    /* HelloRetryRequest: transcript becomes message_hash(CH1) || HRR. */
    uint8_t mh[4 + TC_HASH_MAX_LEN] = {TC_HS_MESSAGE_HASH, 0, 0, (uint8_t)c->hlen};
    tc_hash(c->hash, msg, len, mh + 4);
    tc_hs_transcript_start(c);
    tc_hs_transcript_add(c, mh, 4 + c->hlen);
    hs->hrr = true;
    hs->hrr_group = k.group;
    if (hello_digest(msg, len, hs->ch1_digest)) {
      tc_error_set(&c->err, TC_ERR_DECODE_ERROR, "malformed ClientHello");
      goto out;
    }
    /* The second ClientHello's identities may differ (RFC 8446 §4.1.2). */
    hs->psk_skip = 0;
    hs->psk_asked = 0;
    if (write_hello_retry(c, ch, &k) || tc_hs_flush(c))
      goto out;
    if (hs->session_id_len && cfg->middlebox_compat && tc_hs_send_ccs(c))
      goto out;
    next = HS_S_WAIT_CH2;
    goto out;
  }

  if (k.psk_index < 0 && pick_cert(c, ch, &k))
    goto out;

  /* ---- ServerHello ---- */
  if (!hs->th_started)
    tc_hs_transcript_start_ch(c, msg, len);
  else
    tc_hs_transcript_add(c, msg, len);
  uint8_t sh_random[32];
  if (tc_random(&cfg->rng, sh_random, 32)) {
    tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
    goto out;
  }
  uint8_t pub[TC_KEX_MAX_PUB_LEN];
  size_t pub_len = sizeof pub;
  if (!k.psk_ke) {
    if (tc_kex_generate(&hs->kex, k.group, &cfg->rng, pub, &pub_len)) {
      tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot generate a key share");
      goto out;
    }
    /* RFC 8446 §4.2.8.1: an FFDHE share is left-padded to the prime's
     * length; a shorter (or longer) one is refused, not repaired. */
    size_t plen = 0;
    if (tc_kex_ffdhe_prime(k.group, &plen) && k.share.key_exchange.len != plen) {
      tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                   "FFDHE key share of %zu bytes, the group's prime has %zu",
                   k.share.key_exchange.len, plen);
      goto out;
    }
    dhe_len = sizeof dhe;
    dhe_used = true;
    if (tc_kex_derive(&hs->kex, k.share.key_exchange.p, k.share.key_exchange.len, dhe,
                      &dhe_len)) {
      dhe_len = 0;
      tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "invalid client key share");
      goto out;
    }
    tc_kex_clear(&hs->kex);
  }
  /* Written directly (no tc_server_hello to fill and walk): the same bytes
   * as tc_msg_write_server_hello's (test-msg). */
  tc_key_share_entry share = {k.group, {pub, pub_len}};
  if (k.psk_index >= 0) {
    c->resumed = pk.ticket; /* an external PSK is a first meeting, not a resumption */
    hs->psk_accepted = true;
    hs->psk_ke = k.psk_ke;
  }
  size_t start = c->hsw.len;
  if (tc_msg_write_server_hello13(&c->hsw, sh_random, ch->session_id, ch->session_id_len, k.suite,
                                  k.psk_ke ? NULL : &share, k.psk_index)) {
    tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ServerHello");
    goto out;
  }
  tc_hs_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  c->version = TC_TLS13;
  c->group = k.psk_ke ? 0 : k.group;
  if (k.alpn && !(c->alpn = strdup(k.alpn))) {
    tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    goto out;
  }

  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  /* A chosen PSK's Early Secret is in hs->ks already (from its binder). */
  if (k.psk_index < 0)
    tc_ks_early(&hs->ks, c->hash, NULL, 0);
  if (tc_ks_handshake(&hs->ks, dhe_len ? dhe : NULL, dhe_len) ||
      tc_ks_derive(&hs->ks, "c hs traffic", th, hs->c_hs) ||
      tc_ks_derive(&hs->ks, "s hs traffic", th, hs->s_hs)) {
    tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key derivation failed");
    goto out;
  }
  if (tc_hs_flush(c))
    goto out;
  if (hs->session_id_len && cfg->middlebox_compat && tc_hs_send_ccs(c))
    goto out;
  if (tc_hs_set_write_secret(c, hs->s_hs) || tc_hs_set_read_secret(c, hs->c_hs))
    goto out;
  /* Honour the client's record_size_limit (it counts the inner type byte). */
  if (tc_exts_has(&ch->ext, TC_EXT_RECORD_SIZE_LIMIT) &&
      (size_t)ch->ext.record_size_limit - 1 < c->rec.max_frag)
    c->rec.max_frag = ch->ext.record_size_limit - 1;

  /* ---- EncryptedExtensions .. Finished, one record where it fits ---- */
  /* RFC 8446 §4.2.6: we may ask for a certificate after the handshake. */
  c->pha_offered = tc_exts_has(&ch->ext, TC_EXT_POST_HANDSHAKE_AUTH);
  if (write_encrypted_extensions(c, ch, &k))
    goto out;
  bool ask = k.psk_index < 0 && cfg->client_auth != TC_CLIENT_AUTH_NONE;
  if (ask && write_certificate_request(c))
    goto out;
  if (k.psk_index < 0) {
    hs->my_chain = k.chain->certs;
    hs->my_n = k.chain->n;
    hs->my_key = k.chain->key;
    hs->my_scheme = k.scheme;
    if (c->my_leaf)
      tc_cert_unref(c->my_leaf);
    c->my_leaf = tc_cert_ref(k.chain->certs[0]);
    /* OCSP stapling (RFC 8446 4.4.2.1): the response rides in the leaf's
     * CertificateEntry when the client asked with status_request. */
    hs->t12.status = tc_exts_has(&ch->ext, TC_EXT_STATUS_REQUEST) &&
                     ch->ext.status_type == TC_STATUS_TYPE_OCSP && cfg->ocsp_response;
    if (tc_exts_has(&ch->ext, TC_EXT_COMPRESS_CERTIFICATE))
      hs->cc_send_alg = tc_hs_pick_cert_compression(c, ch->ext.cert_compression);
    if (tc_hs_write_certificate(c, NULL, 0) || tc_hs_write_cert_verify(c))
      goto out;
  }
  if (tc_hs_write_finished(c, hs->s_hs) || tc_hs_derive_app_secrets(c) ||
      tc_hs_set_write_secret(c, c->s_ap))
    goto out;
  hs->cert_requested = ask;
  if (!ask && cfg->early_tickets && send_early_tickets(c))
    goto out;
  next = ask ? HS_S_WAIT_CERT : HS_S_WAIT_FINISHED;
out:
  if (dhe_used)
    tc_wipe(dhe, sizeof dhe);
  return next;
}

static tc_hs_state on_client_hello(tc_conn *c, const uint8_t *msg, size_t len) {
  /* On the stack: parsing zeroes only its ~0.5 KiB of scalars, so there is
   * no reason left for a 2.2 KiB malloc per ClientHello. */
  tc_client_hello ch;
  /* The brief parse first (the hellos a TLS 1.2 client sends); whatever it
   * declines, the general one parses again and names any error. */
  if (!tc_msg_parse_client_hello12(msg + 4, len - 4, &ch) &&
      tc_msg_parse_client_hello(msg + 4, len - 4, &ch, &c->err))
    return HS_FAILED;
  /* Version negotiation: supported_versions decides (RFC 8446 §4.2.1). */
  const tc_config *cfg = c->cfg;
  if (tc_exts_has(&ch.ext, TC_EXT_SUPPORTED_VERSIONS) && u16s_has(ch.ext.versions, TC_TLS13) &&
      tc_config_has_version(cfg, TC_TLS13) && tc_hs_server_can13(cfg))
    return client_hello13(c, &ch, msg, len);
  /* TLS 1.2 and older (server12.c; it sets the downgrade sentinel). */
  if (c->hs->hrr)
    return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "second ClientHello dropped TLS 1.3");
  return tc_server12_client_hello(c, &ch, msg, len);
}

static tc_hs_state on_client_certificate(tc_conn *c, const uint8_t *body, size_t len) {
  tc_certificate cm;
  if (tc_msg_parse_certificate(body, len, TC_TLS13, &cm, &c->err))
    return HS_FAILED;
  if (cm.request_context.len != 0)
    return FAIL_WITH(c, TC_ERR_ILLEGAL_PARAMETER, "client Certificate has a wrong context");
  if (cm.n_entries == 0) {
    if (c->cfg->client_auth == TC_CLIENT_AUTH_REQUIRE)
      return FAIL_WITH(c, TC_ERR_CERTIFICATE_REQUIRED, "client sent no certificate");
    return HS_S_WAIT_FINISHED;
  }
  if (tc_hs_take_peer_chain(c, &cm) || tc_hs_verify_peer_chain(c))
    return HS_FAILED;
  return HS_S_WAIT_CV;
}

static tc_hs_state on_client_finished(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  if (tc_hs_check_finished(c, hs->c_hs, msg + 4, len - 4))
    return HS_FAILED;
  tc_hs_transcript_add(c, msg, len);
  if (tc_hs_set_read_secret(c, c->c_ap))
    return HS_FAILED;
  if (c->pha_offered) { /* the base of any post-handshake authentication */
    if (!c->pha_base)
      c->pha_base = malloc(sizeof *c->pha_base);
    if (!c->pha_base)
      return FAIL_WITH(c, TC_ERR_NOMEM, "out of memory");
    *c->pha_base = hs->th;
  }
  if (hs->tickets_early)
    return HS_CONNECTED;
  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (tc_ks_derive(&hs->ks, "res master", th, c->res_master))
    return FAIL_WITH(c, TC_ERR_INTERNAL_ERROR, "key derivation failed");
  if (tc_server13_send_tickets(c))
    return HS_FAILED;
  return HS_CONNECTED;
}

tc_hs_state tc_server13_resume(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_hs_state next = on_client_hello(c, hs->ch_saved, hs->ch_saved_len);
  if (next != HS_S_PSK_KEY) {
    tc_wipe(hs->ch_saved, hs->ch_saved_len);
    free(hs->ch_saved);
    hs->ch_saved = NULL;
    hs->ch_saved_len = 0;
  }
  return next;
}

tc_hs_state tc_server13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  tc_hs_state next = HS_FAILED;
  switch (c->state) {
  case HS_S_WAIT_CH:
  case HS_S_WAIT_CH2:
    if (type != TC_HS_CLIENT_HELLO)
      break;
    return on_client_hello(c, msg, len);
  case HS_S_WAIT_CERT:
    if (type == TC_HS_COMPRESSED_CERTIFICATE && c->cfg->n_cc_algs) {
      /* our CertificateRequest listed our algorithms (RFC 8879 §4) */
      uint8_t *plain;
      size_t pl;
      if (tc_hs_decompress_certificate(c, msg + 4, len - 4, &plain, &pl))
        return HS_FAILED;
      next = on_client_certificate(c, plain, pl);
      free(plain);
      break;
    }
    if (type != TC_HS_CERTIFICATE)
      break;
    next = on_client_certificate(c, msg + 4, len - 4);
    break;
  case HS_S_WAIT_CV:
    if (type != TC_HS_CERTIFICATE_VERIFY)
      break;
    if (tc_hs_check_cert_verify(c, msg + 4, len - 4, NULL, 0))
      return HS_FAILED;
    next = HS_S_WAIT_FINISHED;
    break;
  case HS_S_WAIT_FINISHED:
    if (type != TC_HS_FINISHED)
      break;
    return on_client_finished(c, msg, len);
  default:
    break;
  }
  if (next != HS_FAILED) {
    tc_hs_transcript_add(c, msg, len);
    return next;
  }
  if (c->err.code != TC_ERR_NONE)
    return HS_FAILED;
  return FAIL_WITH(c, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s in the handshake",
                   tc_msg_type_name(type));
}

int tc_server13_send_tickets(tc_conn *c) {
  tc_config *cfg = c->cfg;
  /* Tickets the client cannot use are not worth sending (RFC 8446 §4.2.9). */
  if (!c->hs || !c->hs->client_can_resume)
    return TC_OK;
  /* After a resumption one ticket replaces the one the client used (as
   * OpenSSL does); a full handshake gets ticket_count. */
  unsigned count = c->resumed && cfg->ticket_count > 1 ? 1 : cfg->ticket_count;
  for (unsigned i = 0; i < count; i++) {
    tc_ticket_state st;
    memset(&st, 0, sizeof st);
    uint8_t aa[4];
    if (tc_random(&cfg->rng, aa, 4))
      return tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
    uint8_t nonce = c->ticket_nonce++;
    st.version = TC_TLS13;
    st.suite = c->suite;
    st.psk_len = c->hlen;
    st.issued = tc_config_now(cfg);
    st.age_add = (uint32_t)aa[0] << 24 | (uint32_t)aa[1] << 16 | (uint32_t)aa[2] << 8 | aa[3];
    st.lifetime = cfg->ticket_lifetime;
    if (c->alpn)
      snprintf(st.alpn, sizeof st.alpn, "%s", c->alpn);
    /* A session that began with an external PSK keeps its identity. */
    if (c->psk.identity && c->psk.id_len <= sizeof st.psk_identity) {
      memcpy(st.psk_identity, c->psk.identity, c->psk.id_len);
      st.psk_identity_len = c->psk.id_len;
    }
    uint8_t *ticket = NULL;
    size_t tlen = 0;
    if (tc_ks_resumption_psk(c->hash, c->res_master, &nonce, 1, st.psk) ||
        tc_ticket_seal(cfg, &st, &ticket, &tlen, &c->err)) {
      tc_wipe(&st, sizeof st);
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot issue a ticket");
    }
    tc_wipe(&st, sizeof st);
    tc_new_session_ticket nst;
    memset(&nst, 0, sizeof nst);
    nst.tls13 = true;
    nst.lifetime = cfg->ticket_lifetime;
    nst.age_add = (uint32_t)aa[0] << 24 | (uint32_t)aa[1] << 16 | (uint32_t)aa[2] << 8 | aa[3];
    nst.nonce = (tc_bytes){&nonce, 1};
    nst.ticket = (tc_bytes){ticket, tlen};
    int r = tc_msg_write_new_session_ticket(&c->hsw, &nst);
    free(ticket);
    if (r)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write NewSessionTicket");
    c->tickets_sent++;
  }
  return tc_hs_flush(c);
}
