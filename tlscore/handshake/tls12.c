/* TLS 1.2-and-older pieces shared by client and server: transcript, secrets, keys, Finished, signatures. */
#include "handshake/tls12.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration views ---- */

TC_HOT bool tc12_suite_is_psk(const tc_suite12 *s) {
  return s && s->auth == TC_AUTH12_PSK &&
         (s->kx == TC_KX12_PSK || s->kx == TC_KX12_DHE_PSK || s->kx == TC_KX12_ECDHE_PSK);
}

TC_HOT bool tc12_cfg_has_psk(const tc_config *cfg) {
  return cfg->psk.n > 0 ||
         (cfg->role == TC_ROLE_CLIENT ? cfg->psk.client_want : cfg->psk.server_want);
}

TC_HOT bool tc12_conn_has_psk(const tc_conn *c) {
  return tc12_cfg_has_psk(c->cfg) || (c->role == TC_ROLE_CLIENT && c->psk.own.identity);
}

/* Suites needing something besides certificates are left out when that
 * credential is missing (creds: TC12_CRED_* bits). */
static bool credentials_for(const tc_suite12 *s, unsigned creds) {
  if (tc12_suite_is_psk(s))
    return creds & TC12_CRED_PSK;
  if (tc12_suite_is_srp(s))
    return creds & TC12_CRED_SRP;
  return true;
}

TC_HOT unsigned tc12_cfg_creds(const tc_config *cfg) {
  return (tc12_cfg_has_psk(cfg) ? TC12_CRED_PSK : 0) | (tc12_cfg_has_srp(cfg) ? TC12_CRED_SRP : 0);
}

TC_HOT unsigned tc12_conn_creds(const tc_conn *c) {
  return (tc12_conn_has_psk(c) ? TC12_CRED_PSK : 0) | (tc12_conn_has_srp(c) ? TC12_CRED_SRP : 0);
}

/* On without being named: default suites, and server-only ones on a server. */
static bool default_on_for(bool server, const tc_suite12 *s) {
  return (s->flags & TC_SUITE12_DEFAULT) || ((s->flags & TC_SUITE12_SERVER) && server);
}

static bool default_on(const tc_config *cfg, const tc_suite12 *s) {
  return default_on_for(cfg->role == TC_ROLE_SERVER, s);
}

/* The default lists (no tc_config_set_cipher_suites) depend only on the role
 * and the credentials, so they are built once per process rather than by
 * walking the whole suite table in every handshake. */
#define DEFAULT_LIST_MAX 128
typedef struct {
  const tc_suite12 *s[DEFAULT_LIST_MAX];
  size_t n;
  uint8_t rank[TC_SUITE12_MAX]; /* per table position: index in s[] (< TC12_RANKED_MAX), or 0xff */
} default_list;
static default_list default_lists[2][4]; /* [server][creds] */
static pthread_once_t default_lists_once = PTHREAD_ONCE_INIT;

static void build_default_lists(void) {
  size_t all;
  const tc_suite12 *t = tc_suite12_all(&all);
  for (int server = 0; server < 2; server++)
    for (unsigned creds = 0; creds < 4; creds++) {
      bool psk = creds & TC12_CRED_PSK, srp = creds & TC12_CRED_SRP;
      size_t n = 0;
      for (size_t i = 0; i < all && n < DEFAULT_LIST_MAX; i++) {
        const tc_suite12 *s = &t[i];
        if (!default_on_for(server, s))
          continue;
        if (s->kx != TC_KX12_RSA && s->kx != TC_KX12_DHE && s->kx != TC_KX12_ECDHE &&
            !(psk && tc12_suite_is_psk(s)) && !(srp && tc12_suite_is_srp(s)))
          continue;
        default_lists[server][creds].s[n++] = s;
      }
      default_list *d = &default_lists[server][creds];
      d->n = n;
      memset(d->rank, 0xff, sizeof d->rank);
      for (size_t i = 0; i < n && i < TC12_RANKED_MAX; i++)
        d->rank[d->s[i] - t] = (uint8_t)i;
    }
}

size_t tc12_suites_for(const tc_config *cfg, unsigned creds, const tc_suite12 **out, size_t cap) {
  size_t n = 0;
  if (cfg->suites_explicit) {
    for (size_t i = 0; i < cfg->n_suites && n < cap; i++) {
      const tc_suite12 *s = tc_suite12_find(cfg->suites[i]);
      if (s && credentials_for(s, creds))
        out[n++] = s;
    }
    return n;
  }
  pthread_once(&default_lists_once, build_default_lists);
  const default_list *d = &default_lists[cfg->role == TC_ROLE_SERVER][creds & 3u];
  n = d->n < cap ? d->n : cap;
  memcpy(out, d->s, n * sizeof *out);
  return n;
}

void tc12_config_suites_ranked(const tc_config *cfg, tc12_ranked *out) {
  unsigned creds = tc12_cfg_creds(cfg);
  if (!cfg->suites_explicit) {
    pthread_once(&default_lists_once, build_default_lists);
    const default_list *d = &default_lists[cfg->role == TC_ROLE_SERVER][creds & 3u];
    out->list = d->s;
    out->n = d->n < TC12_RANKED_MAX ? d->n : TC12_RANKED_MAX;
    out->rank = d->rank;
    return;
  }
  size_t all;
  const tc_suite12 *t = tc_suite12_all(&all);
  out->n = tc12_suites_for(cfg, creds, out->buf, TC12_RANKED_MAX);
  out->list = out->buf;
  memset(out->rank_buf, 0xff, sizeof out->rank_buf);
  /* Backwards, so that a suite named twice keeps its first place. */
  for (size_t i = out->n; i-- > 0;)
    out->rank_buf[out->buf[i] - t] = (uint8_t)i;
  out->rank = out->rank_buf;
}

size_t tc12_config_suites(const tc_config *cfg, const tc_suite12 **out, size_t cap) {
  return tc12_suites_for(cfg, tc12_cfg_creds(cfg), out, cap);
}

TC_HOT bool tc12_config_allows(const tc_config *cfg, const tc_suite12 *s) {
  if (!s || !credentials_for(s, tc12_cfg_creds(cfg)))
    return false;
  if (cfg->suites_explicit) {
    for (size_t i = 0; i < cfg->n_suites; i++)
      if (cfg->suites[i] == s->id)
        return true;
    return false;
  }
  return default_on(cfg, s) &&
         (s->kx == TC_KX12_RSA || s->kx == TC_KX12_DHE || s->kx == TC_KX12_ECDHE ||
          tc12_suite_is_psk(s) || tc12_suite_is_srp(s));
}

TC_HOT int tc12_check_credentials(tc_conn *c) {
  const tc_config *cfg = c->cfg;
  /* Only a list that names SRP or shared-key suites needs credentials. */
  if (!cfg->suites_explicit || (!cfg->suites_srp && !cfg->suites_psk))
    return TC_OK;
  for (size_t i = 0; i < cfg->n_suites && !tc12_conn_has_srp(c); i++) {
    const tc_suite12 *s = tc_suite12_find(cfg->suites[i]);
    if (!tc12_suite_is_srp(s))
      continue;
    tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "configuration error: %s needs %s", s->name,
                 c->role == TC_ROLE_CLIENT
                     ? "SRP credentials and none are set (tc_config_set_srp_credentials or "
                       "tc_config_set_srp_client)"
                     : "SRP verifiers and none are served (tc_config_set_srp_server)");
    c->err.alert = -1; /* nothing was sent yet: no alert either */
    return TC_FAIL;
  }
  if (tc12_conn_has_psk(c))
    return TC_OK;
  for (size_t i = 0; i < cfg->n_suites; i++) {
    const tc_suite12 *s = tc_suite12_find(cfg->suites[i]);
    if (!tc12_suite_is_psk(s))
      continue;
    tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT,
                 "configuration error: cipher suite %s needs a shared key, but none is "
                 "configured (tc_config_add_psk%s)",
                 s->name,
                 c->role == TC_ROLE_CLIENT ? ", tc_conn_set_psk or tc_config_set_psk_client_want"
                                           : " or tc_config_set_psk_server");
    c->err.alert = -1; /* nothing was sent yet: no alert either */
    return TC_FAIL;
  }
  return TC_OK;
}

/* ---- shared keys (RFC 4279 §2) ---- */

int tc12_psk_master_secret(tc_conn *c, const uint8_t *key, size_t kl, const uint8_t *z,
                           size_t z_len) {
  const tc_suite12 *s = c->hs->t12.suite;
  if (!key || !kl || kl > TC_PSK_MAX_KEY)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no PSK key");
  /* Plain PSK: other_secret is N zero bytes, N the key length. */
  size_t ol = s->kx == TC_KX12_PSK ? kl : z_len;
  if (s->kx != TC_KX12_PSK && (!z || !z_len || z_len > TC_KEX_MAX_SECRET_LEN))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no (EC)DHE secret for the PSK premaster");
  /* On the stack: no heap copy of a secret to allocate, wipe and free in
   * every handshake. */
  uint8_t p[4 + TC_KEX_MAX_SECRET_LEN + TC_PSK_MAX_KEY];
  size_t n = 4 + ol + kl;
  p[0] = (uint8_t)(ol >> 8);
  p[1] = (uint8_t)ol;
  if (s->kx == TC_KX12_PSK)
    memset(p + 2, 0, ol);
  else
    memcpy(p + 2, z, ol);
  p[2 + ol] = (uint8_t)(kl >> 8);
  p[3 + ol] = (uint8_t)kl;
  memcpy(p + 4 + ol, key, kl);
  int r = tc12_master_secret(c, p, n);
  tc_wipe(p, n);
  return r;
}

void tc12_psk_explain(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_error *e = &c->err;
  if (!hs || !tc12_suite_is_psk(hs->t12.suite) || hs->t12.resumed || !c->psk.identity)
    return;
  char id[80];
  tc_psk_escape(c->psk.identity, c->psk.id_len, id, sizeof id);
  bool rejected = e->code == TC_ERR_BAD_RECORD_MAC || e->code == TC_ERR_DECRYPT_ERROR;
  if (c->role == TC_ROLE_SERVER && !e->remote && rejected && c->state == HS_S12_WAIT_FINISHED) {
    /* Different keys give different record keys: the client's first
     * protected record (its Finished) is what shows it. */
    snprintf(e->message, sizeof e->message,
             "PSK authentication failed: wrong key for identity '%s' (the client's Finished "
             "did not verify)",
             id);
  } else if (c->role == TC_ROLE_CLIENT && e->remote &&
             (c->state == HS_C12_WAIT_FINISHED || c->state == HS_C12_WAIT_NST)) {
    if (e->code == TC_ERR_UNKNOWN_PSK_IDENTITY)
      snprintf(e->message, sizeof e->message,
               "PSK authentication failed: the server does not know identity '%s'", id);
    else if (rejected)
      snprintf(e->message, sizeof e->message,
               "PSK authentication failed: the server rejected the key for identity '%s' "
               "(wrong key; alert %s)",
               id, tc_alert_name(e->alert));
  } else if (c->role == TC_ROLE_CLIENT && !e->remote && rejected &&
             c->state == HS_C12_WAIT_FINISHED) {
    snprintf(e->message, sizeof e->message,
             "PSK authentication failed: wrong key for identity '%s' (the server's Finished "
             "did not verify)",
             id);
  }
}

TC_HOT uint16_t tc12_max_version(const tc_config *cfg) {
  uint16_t v = cfg->max_version < TC_TLS12 ? cfg->max_version : TC_TLS12;
  return v >= cfg->min_version ? v : 0;
}

/* ---- transcript ---- */

TC_HOT void tc_hs12_release(tc_hs12 *h) {
  if (h->tr) {
    tc_wipe(h->tr, h->tr_len); /* bytes past tr_len were never written */
    free(h->tr);
  }
  if (h->c_pub)
    free(h->c_pub);
  if (h->pms) {
    tc_wipe(h->pms, h->pms_len);
    free(h->pms);
  }
  if (h->nst)
    free(h->nst);
}

TC_HOT void tc12_transcript_add(tc_conn *c, const uint8_t *msg, size_t len) {
  tc_hs12 *h = &c->hs->t12;
  if (TC_LIKELY(h->tr_stream)) {
    tc_hash_update(&h->th, msg, len);
    return;
  }
  if (h->tr_failed)
    return;
  if (len > h->tr_cap - h->tr_len) {
    size_t cap = h->tr_cap ? h->tr_cap * 2 : 4096;
    while (cap - h->tr_len < len)
      cap *= 2;
    uint8_t *p = malloc(cap);
    if (!p) {
      h->tr_failed = true;
      return;
    }
    if (h->tr) {
      memcpy(p, h->tr, h->tr_len);
      tc_wipe(h->tr, h->tr_len);
      free(h->tr);
    }
    h->tr = p;
    h->tr_cap = cap;
  }
  memcpy(h->tr + h->tr_len, msg, len);
  h->tr_len += len;
}

TC_HOT int tc12_transcript_added(tc_conn *c, size_t start) {
  if (c->hsw.failed)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot build a handshake message");
  tc12_transcript_add(c, c->hsw.buf + start, c->hsw.len - start);
  if (c->hs->t12.tr_failed)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  return TC_OK;
}

TC_HOT void tc12_transcript_stream(tc_conn *c) {
  tc_hs12 *h = &c->hs->t12;
  if (h->tr_stream || h->tr_failed || c->version == TC_SSL30 || c->hash == TC_HASH_NONE)
    return;
  if (h->th_alg != c->hash) {
    tc_hash_init(&h->th, c->hash);
    h->th_alg = c->hash;
    h->th_len = 0;
  }
  if (h->tr) {
    tc_hash_update(&h->th, h->tr + h->th_len, h->tr_len - h->th_len);
    tc_wipe(h->tr, h->tr_len);
    free(h->tr);
    h->tr = NULL;
  }
  h->tr_len = h->tr_cap = h->th_len = 0;
  h->tr_stream = true;
}

TC_HOT void tc12_transcript_hash(tc_conn *c, tc_hash_alg alg, uint8_t *out) {
  tc_hs12 *h = &c->hs->t12;
  if (TC_LIKELY(h->tr_stream)) {
    /* Only the PRF hash is kept (tc12_transcript_stream). */
    tc_hash_ctx snap = h->th;
    tc_hash_final(&snap, out);
    return;
  }
  if (alg == TC_HASH_NONE || alg != c->hash) {
    tc_hash(alg, h->tr ? h->tr : (const uint8_t *)"", h->tr_len, out);
    return;
  }
  /* The PRF hash is asked for several times (EMS, both Finished): keep a
   * running context and absorb only what was added since the last call. */
  if (h->th_alg != alg) {
    tc_hash_init(&h->th, alg);
    h->th_alg = alg;
    h->th_len = 0;
  }
  if (h->tr_len > h->th_len) {
    tc_hash_update(&h->th, h->tr + h->th_len, h->tr_len - h->th_len);
    h->th_len = h->tr_len;
  }
  tc_hash_ctx snap = h->th;
  tc_hash_final(&snap, out);
}

/* ---- suite and secrets ---- */

int tc12_set_suite(tc_conn *c, uint16_t suite) {
  return tc12_use_suite(c, tc_suite12_find(suite), suite);
}

TC_HOT int tc12_use_suite(tc_conn *c, const tc_suite12 *s, uint16_t suite) {
  if (!s || s->id != suite || !tc_suite12_allows(s, c->version))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "cipher suite 0x%04x is not usable with %s", suite,
                        tc_version_name(c->version) ? tc_version_name(c->version) : "?");
  c->suite = suite;
  c->hs->t12.suite = s;
  c->hash = tc_suite12_prf(s, c->version);
  c->hlen = c->hash == TC_HASH_NONE ? 0 : tc_hash_len(c->hash);
  c->aead = s->aead;
  return TC_OK;
}

static void randoms(const tc_hs12 *h, uint8_t seed[64], bool server_first) {
  memcpy(seed, server_first ? h->server_random : h->client_random, 32);
  memcpy(seed + 32, server_first ? h->client_random : h->server_random, 32);
}

int tc12_master_secret(tc_conn *c, const uint8_t *pms, size_t pms_len) {
  tc_hs12 *h = &c->hs->t12;
  uint8_t seed[64];
  int r;
  randoms(h, seed, false);
  if (c->version == TC_SSL30) {
    r = tc_prf_ssl3(pms, pms_len, seed, 64, c->c12.master, 48);
  } else if (h->ems) {
    uint8_t sh[TC_HASH_MAX_LEN];
    if (h->tr_failed)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    tc12_transcript_hash(c, c->hash, sh);
    r = tc_prf_tls(c->hash, pms, pms_len, "extended master secret", sh, c->hlen, c->c12.master,
                   48);
  } else {
    r = tc_prf_tls(c->hash, pms, pms_len, "master secret", seed, 64, c->c12.master, 48);
  }
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "master secret derivation failed");
  c->c12.have_master = true;
  c->c12.ems = h->ems;
  return TC_OK;
}

TC_HOT int tc12_install_keys(tc_conn *c, bool write) {
  tc_hs12 *h = &c->hs->t12;
  const tc_suite12 *s = h->suite;
  if (!s || !c->c12.have_master)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no keys to install");
  if (!write && tc_rec_hs_partial(&c->rec))
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "handshake data left in a record across a key change");
  /* Both directions come from one key block: derive it at the first key
   * change of this handshake and drop it after the second. */
  int r = 0;
  if (!h->have_kb) {
    size_t mac_len, key_len, iv_len;
    tc_suite12_key_lengths(s, c->version, &mac_len, &key_len, &iv_len);
    r = tc_keyblock_derive(&h->kb, c->version, tc_suite12_prf(s, c->version), c->c12.master, 48,
                           h->client_random, h->server_random, mac_len, key_len, iv_len);
    h->have_kb = r == 0;
  }
  tc_prot *p = write ? &c->rec.wr : &c->rec.rd;
  if (r == 0 && s->bulk == TC_BULK12_AEAD) {
    /* An AEAD suite: its key and salt straight into the record protection
     * (what tc_prot_init_suite12 would check, the suite at this version
     * and the key block's lengths, tc12_set_suite and the derivation above
     * settled). */
    bool client_half = (c->role == TC_ROLE_CLIENT) == write;
    r = tc_prot_init_tls12_aead(p, c->version, s->aead,
                                client_half ? h->kb.client_key : h->kb.server_key, h->kb.key_len,
                                client_half ? h->kb.client_iv : h->kb.server_iv, h->kb.iv_len);
  } else if (r == 0) {
    tc_prot_clear(p);
    r = tc_prot_init_suite12(p, s, c->version, &h->kb, c->role == TC_ROLE_CLIENT, write, h->etm,
                             &c->cfg->rng);
  }
  h->kb_dirs |= write ? 1 : 2;
  if (r || h->kb_dirs == 3) {
    tc_keyblock_wipe(&h->kb);
    h->have_kb = false;
  }
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot install record keys");
  return TC_OK;
}

TC_HOT int tc12_send_ccs(tc_conn *c) {
  static const uint8_t one = 1;
  if (tc_hs_flush(c) || tc_rec_write(&c->rec, TC_CT_CHANGE_CIPHER_SPEC, &one, 1, &c->err))
    return TC_FAIL;
  return tc12_install_keys(c, true);
}

TC_HOT bool tc12_ccs_expected(const tc_conn *c) {
  if (!c->hs || c->hs->t12.ccs_seen)
    return false;
  return c->state == HS_S12_WAIT_FINISHED || c->state == HS_C12_WAIT_FINISHED;
}

TC_HOT int tc12_on_ccs(tc_conn *c) {
  if (!tc12_ccs_expected(c))
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected ChangeCipherSpec");
  if (tc12_install_keys(c, false))
    return TC_FAIL;
  c->hs->t12.ccs_seen = true;
  return TC_OK;
}

/* ---- Finished ---- */

/* SSL 3.0 handshake digest (Finished / CertificateVerify): MD5 and SHA-1 of
 * transcript || sender || master || pad1, then master || pad2 || inner. */
static void ssl3_digest(tc_conn *c, const uint8_t *sender, uint8_t out[36]) {
  static const tc_hash_alg algs[2] = {TC_HASH_MD5, TC_HASH_SHA1};
  static const size_t pads[2] = {48, 40};
  uint8_t pad[48], inner[20];
  size_t off = 0;
  tc_hs12 *h = &c->hs->t12;
  for (int i = 0; i < 2; i++) {
    tc_hash_ctx x;
    tc_hash_init(&x, algs[i]);
    if (h->tr)
      tc_hash_update(&x, h->tr, h->tr_len);
    if (sender)
      tc_hash_update(&x, sender, 4);
    tc_hash_update(&x, c->c12.master, 48);
    memset(pad, 0x36, pads[i]);
    tc_hash_update(&x, pad, pads[i]);
    tc_hash_final(&x, inner);
    tc_hash_init(&x, algs[i]);
    tc_hash_update(&x, c->c12.master, 48);
    memset(pad, 0x5c, pads[i]);
    tc_hash_update(&x, pad, pads[i]);
    tc_hash_update(&x, inner, tc_hash_len(algs[i]));
    tc_hash_final(&x, out + off);
    off += tc_hash_len(algs[i]);
  }
  tc_wipe(inner, sizeof inner);
}

/* The handshake's last message is being written: with a running hash
 * (tc12_transcript_stream) finish it in place instead of finishing a copy,
 * since nothing hashes the transcript afterwards. */
TC_HOT static size_t finished_data(tc_conn *c, bool from_client, uint8_t *out, bool last) {
  if (c->version == TC_SSL30) {
    static const uint8_t cl[4] = {0x43, 0x4c, 0x4e, 0x54}, sv[4] = {0x53, 0x52, 0x56, 0x52};
    ssl3_digest(c, from_client ? cl : sv, out);
    return 36;
  }
  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs12 *h = &c->hs->t12;
  if (last && h->tr_stream)
    tc_hash_final(&h->th, th);
  else
    tc12_transcript_hash(c, c->hash, th);
  if (tc_prf_tls(c->hash, c->c12.master, 48, from_client ? "client finished" : "server finished",
                 th, c->hlen, out, 12))
    return 0;
  return 12;
}

TC_HOT size_t tc12_finished_data(tc_conn *c, bool from_client, uint8_t *out) {
  return finished_data(c, from_client, out, false);
}

TC_HOT static void remember_finished(tc_conn *c, bool from_client, const uint8_t *vd, size_t n) {
  tc_conn12 *k = &c->c12;
  memcpy(from_client ? k->client_vd : k->server_vd, vd, n);
  k->vd_len = n;
  if (!c->hs->t12.finished_seen) {
    memcpy(k->tls_unique, vd, n);
    k->tls_unique_len = n;
    c->hs->t12.finished_seen = true;
  }
}

TC_HOT int tc12_write_finished(tc_conn *c) {
  uint8_t vd[36];
  bool client = c->role == TC_ROLE_CLIENT;
  if (c->hs->t12.tr_failed)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  /* The handshake's last message (the client's in an abbreviated
   * handshake, the server's in a full one) is hashed by no one. */
  bool last = client == c->hs->t12.resumed;
  size_t n = finished_data(c, client, vd, last);
  if (!n)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "Finished computation failed");
  tc_finished f = {{vd, n}};
  size_t start = c->hsw.len;
  if (tc_msg_write_finished(&c->hsw, &f) || c->hsw.failed ||
      (!last && tc12_transcript_added(c, start)))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write Finished");
  remember_finished(c, client, vd, n);
  tc_wipe(vd, sizeof vd);
  return TC_OK;
}

TC_HOT int tc12_check_finished(tc_conn *c, const uint8_t *msg, size_t len) {
  if (!c->hs->t12.ccs_seen)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "Finished before ChangeCipherSpec");
  if (c->hs->t12.tr_failed)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  size_t want = c->version == TC_SSL30 ? 36 : 12;
  tc_finished f;
  if (tc_msg_parse_finished(msg + 4, len - 4, want, &f, &c->err))
    return TC_FAIL;
  uint8_t vd[36];
  bool peer_client = c->role == TC_ROLE_SERVER;
  size_t n = tc12_finished_data(c, peer_client, vd);
  bool ok = n == want && tc_ct_equal(vd, f.verify_data.p, want);
  if (ok)
    remember_finished(c, peer_client, vd, n);
  tc_wipe(vd, sizeof vd);
  if (!ok)
    return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR, "peer Finished does not verify");
  tc12_transcript_add(c, msg, len);
  return TC_OK;
}

/* ---- signatures ---- */

static bool is_ec(tc_pk_type t) {
  return t == TC_PK_EC_P256 || t == TC_PK_EC_P384 || t == TC_PK_EC_P521;
}

bool tc12_scheme_fits(const tc_pubkey *pk, uint16_t scheme) {
  tc_sigalg alg;
  tc_hash_alg h;
  if (!pk || !tc_sig_scheme_params(scheme, &alg, &h))
    return false;
  tc_pk_type t = tc_pubkey_type(pk);
  switch (alg) {
  case TC_SIGALG_RSA_PKCS1:
    return t == TC_PK_RSA;
  case TC_SIGALG_ECDSA:
    return is_ec(t);
  default:
    return tc_pubkey_fits_scheme(pk, scheme);
  }
}

uint16_t tc12_pick_scheme(const tc_conn *c, const tc_pubkey *pk, const uint8_t *peer, size_t n,
                          bool has_list) {
  if (!has_list) {
    tc_pk_type t = tc_pubkey_type(pk);
    /* TLS 1.2 without signature_algorithms means SHA-1 (RFC 5246
     * §7.4.1.4.1). We sign with it for such a client, as GnuTLS and OpenSSL
     * do (the signatures we accept are another matter: no SHA-1 there). */
    return t == TC_PK_RSA ? TC_SIG_RSA_PKCS1_SHA1 : is_ec(t) ? TC_SIG_ECDSA_SHA1 : 0;
  }
  uint16_t mine[TC_CFG_MAX_SCHEMES12];
  size_t nm = tc_config_schemes12(c->cfg, mine);
  for (size_t i = 0; i < nm; i++) {
    uint16_t s = mine[i];
    if (!tc12_scheme_fits(pk, s))
      continue;
    for (size_t j = 0; j < n; j++)
      if ((uint16_t)(peer[2 * j] << 8 | peer[2 * j + 1]) == s)
        return s;
  }
  return 0;
}

/* (alg, hash) for a signature at c->version: the scheme in TLS 1.2, the
 * fixed MD5+SHA-1 (RSA) / SHA-1 (ECDSA) forms before. */
static int sig_params(tc_conn *c, tc_pk_type t, uint16_t scheme, tc_sigalg *alg,
                      tc_hash_alg *h) {
  if (c->version >= TC_TLS12)
    return tc_sig_scheme_params(scheme, alg, h) ? 0 : -1;
  if (t == TC_PK_RSA) {
    *alg = TC_SIGALG_RSA_PKCS1;
    *h = TC_HASH_MD5_SHA1;
    return 0;
  }
  if (is_ec(t)) {
    *alg = TC_SIGALG_ECDSA;
    *h = TC_HASH_SHA1;
    return 0;
  }
  return -1;
}

static int sign(tc_conn *c, const tc_privkey *key, uint16_t scheme, const uint8_t *msg,
                size_t len, uint8_t **sig, size_t *sig_len) {
  tc_sigalg alg;
  tc_hash_alg h;
  *sig = NULL;
  if (sig_params(c, tc_privkey_type(key), scheme, &alg, &h))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no usable signature algorithm");
  size_t cap = tc_pk_sig_max_len(key);
  uint8_t *s = malloc(cap ? cap : 1);
  if (!s)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  size_t sl = cap;
  if (tc_pk_sign(key, alg, h, &c->cfg->rng, msg, len, s, &sl)) {
    free(s);
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "signing failed");
  }
  *sig = s;
  *sig_len = sl;
  return TC_OK;
}

static bool cfg_has_scheme(const tc_config *cfg, uint16_t s) {
  uint16_t mine[TC_CFG_MAX_SCHEMES12];
  size_t n = tc_config_schemes12(cfg, mine);
  for (size_t i = 0; i < n; i++)
    if (mine[i] == s)
      return true;
  return false;
}

static bool list_has(const uint8_t *l, size_t n, uint16_t s) {
  for (size_t i = 0; i < n; i++)
    if ((uint16_t)(l[2 * i] << 8 | l[2 * i + 1]) == s)
      return true;
  return false;
}

static int verify(tc_conn *c, const tc_pubkey *pk, bool has_scheme, uint16_t scheme,
                  bool scheme_ok, const uint8_t *msg, size_t len, const uint8_t *sig,
                  size_t sig_len, const char *what) {
  tc_sigalg alg;
  tc_hash_alg h;
  if (!pk)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "%s without a certificate", what);
  if (c->version >= TC_TLS12) {
    if (!has_scheme || !scheme_ok)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "%s uses a signature scheme we did not offer (0x%04x)", what, scheme);
    if (!tc12_scheme_fits(pk, scheme))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "%s signature scheme does not match the certificate key", what);
  }
  if (sig_params(c, tc_pubkey_type(pk), scheme, &alg, &h))
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_CERTIFICATE,
                        "%s: certificate key cannot sign here", what);
  if (tc_pk_verify(pk, alg, h, msg, len, sig, sig_len))
    return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR, "bad %s signature", what);
  if (has_scheme)
    c->peer_scheme = scheme;
  return TC_OK;
}

int tc12_sign_params(tc_conn *c, const tc_privkey *key, uint16_t scheme, const uint8_t *params,
                     size_t params_len, uint8_t **sig, size_t *sig_len) {
  uint8_t *m = malloc(64 + params_len);
  if (!m)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  randoms(&c->hs->t12, m, false);
  memcpy(m + 64, params, params_len);
  int r = sign(c, key, scheme, m, 64 + params_len, sig, sig_len);
  free(m);
  return r;
}

int tc12_verify_params(tc_conn *c, const tc_pubkey *pk, bool has_scheme, uint16_t scheme,
                       const uint8_t *params, size_t params_len, const uint8_t *sig,
                       size_t sig_len) {
  uint8_t *m = malloc(64 + params_len);
  if (!m)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  randoms(&c->hs->t12, m, false);
  memcpy(m + 64, params, params_len);
  int r = verify(c, pk, has_scheme, scheme, cfg_has_scheme(c->cfg, scheme), m, 64 + params_len,
                 sig, sig_len, "ServerKeyExchange");
  free(m);
  return r;
}

int tc12_write_cert_verify(tc_conn *c, const tc_privkey *key, uint16_t scheme) {
  tc_hs12 *h = &c->hs->t12;
  if (c->version == TC_SSL30)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED,
                        "client certificates are not supported with SSL 3.0");
  if (h->tr_failed)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  if (h->tr_stream)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "no transcript to sign");
  uint8_t *sig;
  size_t sl;
  if (sign(c, key, scheme, h->tr, h->tr_len, &sig, &sl))
    return TC_FAIL;
  tc_certificate_verify cv = {.has_scheme = c->version >= TC_TLS12, .scheme = scheme,
                              .signature = {sig, sl}};
  size_t start = c->hsw.len;
  int r = tc_msg_write_certificate_verify(&c->hsw, &cv);
  free(sig);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write CertificateVerify");
  return tc12_transcript_added(c, start);
}

int tc12_check_cert_verify(tc_conn *c, const uint8_t *body, size_t len, const uint8_t *allowed,
                           size_t n_allowed) {
  tc_hs12 *h = &c->hs->t12;
  tc_certificate_verify cv;
  if (tc_msg_parse_certificate_verify(body, len, c->version, &cv, &c->err))
    return TC_FAIL;
  if (h->tr_failed)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  if (h->tr_stream)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected CertificateVerify");
  const tc_pubkey *pk = c->peer_n ? tc_cert_pubkey(c->peer_chain[0]) : NULL;
  if (c->version == TC_SSL30) {
    uint8_t d[36];
    if (!pk)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "CertificateVerify without certificate");
    ssl3_digest(c, NULL, d);
    tc_pk_type t = tc_pubkey_type(pk);
    int r = t == TC_PK_RSA ? tc_pk_verify_digest(pk, TC_SIGALG_RSA_PKCS1, TC_HASH_MD5_SHA1, d, 36,
                                                 cv.signature.p, cv.signature.len)
            : is_ec(t)     ? tc_pk_verify_digest(pk, TC_SIGALG_ECDSA, TC_HASH_SHA1, d + 16, 20,
                                                 cv.signature.p, cv.signature.len)
                           : -1;
    if (r)
      return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR, "bad CertificateVerify signature");
    return TC_OK;
  }
  bool ok = cv.has_scheme && list_has(allowed, n_allowed, cv.scheme);
  return verify(c, pk, cv.has_scheme, cv.scheme, ok, h->tr, h->tr_len, cv.signature.p,
                cv.signature.len, "CertificateVerify");
}

/* ---- misc ---- */

int tc12_export(tc_conn *c, const char *label, const uint8_t *context, size_t context_len,
                bool use_context, uint8_t *out, size_t out_len, tc_error *err) {
  if (!c->c12.have_master || c->version == TC_SSL30)
    return tc_error_set(err, TC_ERR_UNSUPPORTED, "no exporter for this connection");
  if (use_context && context_len > 0xffff)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "exporter context too long");
  size_t n = 64 + (use_context ? 2 + context_len : 0);
  uint8_t *seed = malloc(n);
  if (!seed)
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  memcpy(seed, c->c12.client_random, 32);
  memcpy(seed + 32, c->c12.server_random, 32);
  if (use_context) {
    seed[64] = (uint8_t)(context_len >> 8);
    seed[65] = (uint8_t)context_len;
    if (context_len)
      memcpy(seed + 66, context, context_len);
  }
  int r = tc_prf_tls(c->hash, c->c12.master, 48, label, seed, n, out, out_len);
  free(seed);
  if (r)
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "exporter failed");
  return TC_OK;
}

TC_HOT void tc12_handshake_done(tc_conn *c) {
  tc_hs12 *h = &c->hs->t12;
  memcpy(c->c12.client_random, h->client_random, 32);
  memcpy(c->c12.server_random, h->server_random, 32);
  c->c12.etm = h->etm;
  c->c12.handshakes++;
  c->c12.hello_request_sent = false;
  c->resumed = h->resumed;
  c->have_exporter = c->version != TC_SSL30;
}

/* ---- TLS 1.2 configuration setters (config.h) ---- */

int tc_config_set_dh_min_bits(tc_config *cfg, unsigned bits, tc_error *err) {
  if (bits < 1024 || bits > 8192)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "DH minimum must be 1024..8192 bits");
  cfg->dh_min_bits = bits;
  return TC_OK;
}

int tc_config_set_dh_max_bits(tc_config *cfg, unsigned bits, tc_error *err) {
  if (bits < 1024 || bits > 8192)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "DH maximum must be 1024..8192 bits");
  cfg->dh_max_bits = bits;
  return TC_OK;
}

void tc_config_set_renegotiation(tc_config *cfg, tc_renegotiation mode) { cfg->reneg = mode; }

void tc_config_set_ems_required(tc_config *cfg, bool required) { cfg->ems_optional = !required; }
void tc_config_set_legacy_signatures(tc_config *cfg, bool on) { cfg->legacy_sigs = on; }
void tc_config_set_post_handshake_auth(tc_config *cfg, bool on) { cfg->pha = on; }
void tc_config_set_sni_ack(tc_config *cfg, bool on) { cfg->sni_ack12 = on; }
void tc_config_set_ee_supported_groups(tc_config *cfg, bool on) { cfg->ee_groups = on; }

int tc_config_set_ocsp_response(tc_config *cfg, const uint8_t *der, size_t len, tc_error *err) {
  uint8_t *copy = NULL;
  if (der && len) {
    if (len > 0xffffff)
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "OCSP response too long");
    copy = malloc(len);
    if (!copy)
      return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    memcpy(copy, der, len);
  }
  free(cfg->ocsp_response);
  cfg->ocsp_response = copy;
  cfg->ocsp_response_len = copy ? len : 0;
  return TC_OK;
}
