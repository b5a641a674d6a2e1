/* TLS 1.3 client handshake (RFC 8446 §4): one handler per awaited message, read top to bottom. */
#include "handshake/tls12.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static bool is_ip_literal(const char *name) {
  /* Every IPv6 literal has a ':' (and so is caught without inet_pton); an
   * IPv4 literal is digits and dots only, so a host name is told apart in
   * one pass without parsing it as an address twice. */
  bool v4_chars = true;
  for (const char *p = name; *p; p++) {
    if (*p == ':')
      return true;
    if ((*p < '0' || *p > '9') && *p != '.')
      v4_chars = false;
  }
  uint8_t buf[4];
  return v4_chars && inet_pton(AF_INET, name, buf) == 1;
}

static bool cfg_has_suite(const tc_config *cfg, uint16_t s) {
  for (size_t i = 0; i < cfg->n_suites; i++)
    if (cfg->suites[i] == s)
      return true;
  return false;
}

static bool cfg_has_group(const tc_config *cfg, uint16_t g) {
  for (size_t i = 0; i < cfg->n_groups; i++)
    if (cfg->groups[i] == g)
      return tc_kex_supported(g);
  return false;
}

/* TLS 1.3 is offered on a first handshake when the config allows it and
 * has a TLS 1.3 suite and a usable group. */
static bool can_offer13(const tc_conn *c) {
  const tc_config *cfg = c->cfg;
  if (cfg->max_version < TC_TLS13 || c->c12.handshakes)
    return false;
  /* SRP exists only up to TLS 1.2, and a TLS 1.3 server may not answer a
   * client offering 1.3 with 1.2 (RFC 8446 §4.1.3): credentials mean 1.2. */
  const uint8_t *u, *p;
  size_t ul, pl;
  if (tc12_srp_client_creds(c, &u, &ul, &p, &pl))
    return false;
  bool suite = false, group = false;
  for (size_t i = 0; i < cfg->n_suites; i++)
    suite |= tc_suite13_params(cfg->suites[i], NULL, NULL, NULL);
  for (size_t i = 0; i < cfg->n_groups; i++)
    group |= tc_kex_supported(cfg->groups[i]);
  return suite && group;
}

static int new_key_share(tc_conn *c, uint16_t group, uint8_t *pub, size_t *pub_len) {
  tc_hs *hs = c->hs;
  tc_kex_clear(&hs->kex);
  if (tc_kex_generate(&hs->kex, group, &c->cfg->rng, pub, pub_len))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot generate a %s key share",
                        tc_group_name(group) ? tc_group_name(group) : "?");
  hs->kex_group = group;
  return TC_OK;
}

/* Room for the lists a ClientHello points into while it is written. */
typedef struct ch_lists {
  uint8_t suites[2 * (TC_CFG_MAX_SUITES + 2)], groups[2 * TC_CFG_MAX_GROUPS],
      schemes[2 * TC_CFG_MAX_SCHEMES12], cert_schemes[2 * TC_CFG_MAX_SCHEMES12], versions[2 * 5];
} ch_lists;

static const uint8_t null_comp = 0;

/* The parts that differ between connections of one config. */
static void fill_sni(tc_conn *c, tc_exts *e) {
  if (c->server_name && !is_ip_literal(c->server_name)) {
    tc_exts_set(e, TC_EXT_SERVER_NAME);
    e->server_name = (tc_bytes){(const uint8_t *)c->server_name, strlen(c->server_name)};
    c->hs->client_sent_sni = true;
  }
}

static void fill_key_share(tc_conn *c, tc_exts *e, const uint8_t *pub, size_t pub_len) {
  tc_exts_set(e, TC_EXT_KEY_SHARE);
  /* A psk_ke-only client sends no share (an empty list): a server that
   * does not take its PSK asks for one with a HelloRetryRequest. */
  e->key_shares[0].group = c->hs->kex_group;
  e->key_shares[0].key_exchange = (tc_bytes){pub, pub_len};
  e->n_key_shares = c->hs->kex_group ? 1 : 0;
}

static void fill_alpn_cookie(tc_conn *c, tc_exts *e) {
  tc_hs *hs = c->hs;
  size_t nalpn;
  const char *const *alpn = tc_conn_alpn_list(c, &nalpn);
  if (nalpn) {
    tc_exts_set(e, TC_EXT_ALPN);
    for (size_t i = 0; i < nalpn && i < TC_MSG_MAX_ALPN; i++)
      e->alpn[i] = (tc_bytes){(const uint8_t *)alpn[i], strlen(alpn[i])};
    e->n_alpn = nalpn;
    hs->offered_alpn = true;
  }
  if (hs->cookie) {
    tc_exts_set(e, TC_EXT_COOKIE);
    e->cookie = (tc_bytes){hs->cookie, hs->cookie_len};
  }
}

/* Fills ch (pointing into L, pub) with everything a ClientHello carries. */
static int prepare_client_hello(tc_conn *c, tc_client_hello *ch, ch_lists *L,
                                const uint8_t *pub, size_t pub_len) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  bool offer13 = hs->t12.offered13;
  uint16_t max12 = tc12_max_version(cfg);
  /* RFC 8446 §4.1.2: 1.2 when offering 1.3 via supported_versions. */
  ch->legacy_version = offer13 ? TC_TLS12 : c->c12.handshakes ? c->version : max12;
  hs->t12.client_version = ch->legacy_version;
  uint8_t *suites = L->suites, *groups = L->groups, *schemes = L->schemes,
          *cert_schemes = L->cert_schemes, *versions = L->versions;
  size_t ns = 0, ng = 0;
  for (size_t i = 0; i < cfg->n_suites && offer13; i++)
    if (tc_suite13_params(cfg->suites[i], NULL, NULL, NULL)) {
      suites[2 * ns] = (uint8_t)(cfg->suites[i] >> 8);
      suites[2 * ns + 1] = (uint8_t)cfg->suites[i];
      ns++;
    }
  for (size_t i = 0; i < cfg->n_groups; i++)
    if (tc_kex_supported(cfg->groups[i])) {
      groups[2 * ng] = (uint8_t)(cfg->groups[i] >> 8);
      groups[2 * ng + 1] = (uint8_t)cfg->groups[i];
      ng++;
    }
  size_t n_cv = tc_hs_encode_schemes(cfg, TC_SCHEMES_CV13, schemes);
  /* A ClientHello that allows TLS 1.2 lists the TLS 1.2 schemes, with the
   * legacy SHA-1/SHA-224 pairs last when they are on (RFC 8446 §4.2.3: a
   * TLS 1.3 client may offer them for TLS 1.2 servers, at lowest priority). */
  size_t n_all = tc_hs_encode_schemes(cfg, max12 ? TC_SCHEMES_TLS12 : TC_SCHEMES_CERT13,
                                      cert_schemes);
  ns = tc_client12_add_suites(c, suites, ns, TC_CFG_MAX_SUITES + 2);
  if (!ns || (offer13 && !ng))
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "no cipher suite or group configured for the allowed versions");
  size_t nv = 0;
  for (uint16_t v = TC_TLS13; offer13 && v >= cfg->min_version && v >= TC_SSL30; v--) {
    versions[2 * nv] = (uint8_t)(v >> 8);
    versions[2 * nv + 1] = (uint8_t)v;
    nv++;
  }
  ch->cipher_suites = (tc_u16s){suites, ns};
  ch->compression_methods = (tc_bytes){&null_comp, 1};
  ch->has_extensions = true;
  tc_exts *e = &ch->ext;
  fill_sni(c, e);
  if (ng) {
    tc_exts_set(e, TC_EXT_SUPPORTED_GROUPS);
    e->groups = (tc_u16s){groups, ng};
  }
  /* PKCS#1 v1.5 and SHA-1 schemes only ever sign certificates in TLS 1.3:
   * they go in signature_algorithms_cert, the rest in both. */
  if (offer13 && !n_cv)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "no signature scheme usable in TLS 1.3 configured");
  if (!offer13 && !n_all)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE, "no signature scheme configured");
  tc_exts_set(e, TC_EXT_SIGNATURE_ALGORITHMS);
  e->sig_algs = (tc_u16s){schemes, n_cv};
  if (max12) {
    /* TLS 1.2 signs ServerKeyExchange with PKCS#1 v1.5 too. */
    e->sig_algs = (tc_u16s){cert_schemes, n_all};
  } else if (n_all != n_cv) {
    tc_exts_set(e, TC_EXT_SIGNATURE_ALGORITHMS_CERT);
    e->sig_algs_cert = (tc_u16s){cert_schemes, n_all};
  }
  /* RFC 8446 §4.2.6: we answer a CertificateRequest after the handshake. */
  c->pha_offered = offer13 && cfg->pha;
  if (c->pha_offered)
    tc_exts_set(e, TC_EXT_POST_HANDSHAKE_AUTH);
  if (offer13 && cfg->n_cc_algs) { /* RFC 8879: certificate compression is TLS 1.3's */
    tc_exts_set(e, TC_EXT_COMPRESS_CERTIFICATE);
    e->cert_compression = (tc_u16s){cfg->cc_algs, cfg->n_cc_algs};
  }
  if (offer13) {
    tc_exts_set(e, TC_EXT_SUPPORTED_VERSIONS);
    e->versions = (tc_u16s){versions, nv};
    fill_key_share(c, e, pub, pub_len);
  }
  fill_alpn_cookie(c, e);
  if (offer13)
    tc_psk13_client_fill(c, e); /* psk_key_exchange_modes, pre_shared_key */
  tc_client12_add_exts(c, e, offer13);
  return TC_OK;
}

static int keep_client_hello(tc_conn *c, size_t start);
static int keep_client_hello_known12(tc_conn *c, size_t start, tc_hash_alg known12);

/* The transcript hash of a first ClientHello that offers TLS 1.3 alone
 * with suites of a single hash: the ServerHello can choose no other, so the
 * ClientHello can be hashed when it is sent. TC_HASH_NONE otherwise. */
static tc_hash_alg ch1_hash_known(const tc_conn *c) {
  const tc_config *cfg = c->cfg;
  if (!c->hs->t12.offered13 || tc12_max_version(cfg))
    return TC_HASH_NONE;
  tc_hash_alg one = TC_HASH_NONE;
  for (size_t i = 0; i < cfg->n_suites; i++) {
    tc_hash_alg h;
    if (!tc_suite13_params(cfg->suites[i], &h, NULL, NULL))
      continue;
    if (one != TC_HASH_NONE && h != one)
      return TC_HASH_NONE;
    one = h;
  }
  return one;
}

/* The same for a first TLS 1.2 ClientHello that offers TLS 1.2 alone and
 * only shared-key suites of one PRF hash: the ServerHello can choose no
 * other hash, and a PSK suite never signs the transcript (no
 * CertificateRequest, RFC 4279 section 2), so the running hash is all the
 * handshake keeps (tc12_transcript_stream). TC_HASH_NONE otherwise. */
static tc_hash_alg ch1_hash_known12(const tc_conn *c) {
  const tc_config *cfg = c->cfg;
  if (c->hs->t12.offered13 || c->c12.handshakes || !cfg->suites_explicit ||
      cfg->min_version != TC_TLS12 || tc12_max_version(cfg) != TC_TLS12)
    return TC_HASH_NONE;
  tc_hash_alg one = TC_HASH_NONE;
  for (size_t i = 0; i < cfg->n_suites; i++) {
    if (tc_suite13_params(cfg->suites[i], NULL, NULL, NULL))
      continue; /* not offered without TLS 1.3 */
    const tc_suite12 *s = tc_suite12_find(cfg->suites[i]);
    if (!s || !tc12_suite_is_psk(s))
      return TC_HASH_NONE;
    tc_hash_alg h = tc_suite12_prf(s, TC_TLS12);
    if (one != TC_HASH_NONE && h != one)
      return TC_HASH_NONE;
    one = h;
  }
  return one;
}

/* Writes ch into c->hsw, with binders, and into the transcript; *bpos_out
 * (if given): where the binders list starts in c->hsw, 0 for none. */
static int emit_client_hello_at(tc_conn *c, const tc_client_hello *ch, size_t *bpos_out) {
  tc_hs *hs = c->hs;
  bool offer13 = hs->t12.offered13;
  size_t start = c->hsw.len, bpos = 0;
  if (tc_msg_write_client_hello_ex(&c->hsw, ch, &bpos))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ClientHello");
  /* Binders over the transcript up to and excluding the binders list. */
  if (offer13 && hs->psk_offered && tc_psk13_client_binders(c, start, bpos))
    return TC_FAIL;
  if (bpos_out)
    *bpos_out = offer13 && hs->psk_offered ? bpos : 0;
  return keep_client_hello(c, start);
}

static int emit_client_hello(tc_conn *c, const tc_client_hello *ch) {
  return emit_client_hello_at(c, ch, NULL);
}

/* The ClientHello just written at c->hsw.buf + start: into the transcript,
 * or kept until the transcript hash is known. */
static int keep_client_hello(tc_conn *c, size_t start) {
  return keep_client_hello_known12(c, start, ch1_hash_known12(c));
}

/* The same with ch1_hash_known12(c) already worked out (a template keeps it). */
static int keep_client_hello_known12(tc_conn *c, size_t start, tc_hash_alg known12) {
  tc_hs *hs = c->hs;
  const uint8_t *msg = c->hsw.buf + start;
  size_t len = c->hsw.len - start;
  tc_hash_alg known;
  if (hs->th_started) {
    tc_hs_transcript_add(c, msg, len);
  } else if ((known = ch1_hash_known(c)) != TC_HASH_NONE) {
    /* Hashed now (going on from the binders' prefix hash when it used the
     * same hash) instead of copied until the ServerHello. */
    if (hs->th_prefix && hs->th_prefix <= len && hs->th.alg == known) {
      tc_hash_update(&hs->th, msg + hs->th_prefix, len - hs->th_prefix);
    } else {
      tc_hash_init(&hs->th, known);
      tc_hash_update(&hs->th, msg, len);
    }
    hs->th_prefix = 0;
    free(hs->ch1);
    hs->ch1 = NULL;
    hs->ch1_hashed = true;
  } else if ((known = known12) != TC_HASH_NONE) {
    /* Straight into the TLS 1.2 running hash (the ServerHello checks it
     * is the PRF hash of the suite chosen). */
    tc_hs12 *h = &hs->t12;
    tc_hash_init(&h->th, known);
    tc_hash_update(&h->th, msg, len);
    h->th_alg = known;
    h->th_len = 0;
    h->tr_stream = true;
    free(hs->ch1);
    hs->ch1 = NULL;
  } else {
    free(hs->ch1);
    hs->ch1 = malloc(len);
    if (!hs->ch1)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    memcpy(hs->ch1, msg, len);
    hs->ch1_len = len;
  }
  return TC_OK;
}

/* ---- the ClientHello template ----
 *
 * Most of a first ClientHello depends only on the config (suites, groups,
 * signature schemes, versions, the empty and fixed extensions) and on
 * whether TLS 1.3 is offered and PSK credentials are present. That part is
 * encoded once per config and variant and copied in; the rest (random,
 * session ID, SNI, ALPN, key share, session ticket, pre_shared_key) is
 * written per connection. The bytes are those of the full encoder
 * (test-chello compares them). SRP credentials, renegotiation and fallback
 * retries always take the full encoder. */

/* Extensions whose bytes the template holds (for a first handshake). */
#define TMPL_EXTS                                                                              \
  ((1u << TC__XB_STATUS) | (1u << TC__XB_GROUPS) | (1u << TC__XB_ECPF) |                      \
   (1u << TC__XB_SIGALGS) | (1u << TC__XB_ETM) | (1u << TC__XB_EMS) | (1u << TC__XB_RSL) |    \
   (1u << TC__XB_VERSIONS) | (1u << TC__XB_PSKMODES) | (1u << TC__XB_PHA) |                   \
   (1u << TC__XB_SIGALGS_CERT) | (1u << TC__XB_RENEG) | (1u << TC__XB_COMPRESS_CERT))

/* Every config setting the template is made of. A config may still be
 * changed after its first connection: a template is used only while the
 * config matches the key it was built from. */
typedef struct tmpl_key {
  uint16_t min_version, max_version;
  uint16_t suites[TC_CFG_MAX_SUITES], groups[TC_CFG_MAX_GROUPS], schemes[TC_CFG_MAX_SCHEMES];
  uint8_t cc_algs[2 * TC_CERT_COMPRESSION_MAX_ALGS];
  size_t n_suites, n_groups, n_schemes, n_cc_algs, recv_limit;
  unsigned psk_modes;
  bool suites_explicit, legacy_sigs, pha, fallback_scsv;
} tmpl_key;

/* A whole first ClientHello kept in its template (see "a first
 * ClientHello, whole" below). */
#define FIRST_HELLO_MAX 512
typedef struct first_hello {
  atomic_int state;         /* 0: none; 1: being written; 2: ready (then never changed) */
  size_t len, sid_len;
  size_t bpos;              /* the binders list's offset in data, 0: no pre_shared_key */
  bool sni_sent;
  bool has_name;
  char server_name[256];
  size_t n_offers;          /* TLS 1.3: the external PSKs offered, by config entry */
  const tc_psk_entry *entries[TC_MSG_MAX_PSKS];
  uint8_t data[FIRST_HELLO_MAX];
} first_hello;

struct tc_ch_tmpl {
  tmpl_key key;
  first_hello first;
  uint64_t id;              /* unique in the process (a session's ClientHello names it) */
  uint16_t legacy_version;
  uint8_t suites[2 * (TC_CFG_MAX_SUITES + 2)];
  size_t n_suites;
  uint8_t offered_idx[sizeof ((tc_hs12 *)0)->offered_idx];
  uint8_t n_offered;
  bool offered_status, offered_rsl, pha_offered, ticket_ext;
  uint16_t sent_rsl;
  tc_hash_alg known12;      /* ch1_hash_known12 of its connections (it depends on what
                             * the key and the slot hold) */
  tc_ext_preenc pre;
};

static void tmpl_key_fill(tmpl_key *k, const tc_config *cfg) {
  memset(k, 0, sizeof *k); /* tmpl_matches compares every field filled here */
  k->min_version = cfg->min_version;
  k->max_version = cfg->max_version;
  memcpy(k->suites, cfg->suites, cfg->n_suites * sizeof *k->suites);
  memcpy(k->groups, cfg->groups, cfg->n_groups * sizeof *k->groups);
  memcpy(k->schemes, cfg->schemes, cfg->n_schemes * sizeof *k->schemes);
  memcpy(k->cc_algs, cfg->cc_algs, 2 * cfg->n_cc_algs);
  k->n_suites = cfg->n_suites;
  k->n_groups = cfg->n_groups;
  k->n_schemes = cfg->n_schemes;
  k->n_cc_algs = cfg->n_cc_algs;
  k->recv_limit = cfg->recv_limit;
  k->psk_modes = cfg->psk_modes;
  k->suites_explicit = cfg->suites_explicit;
  k->legacy_sigs = cfg->legacy_sigs;
  k->pha = cfg->pha;
  k->fallback_scsv = cfg->fallback_scsv;
}

/* tc12_conn_creds(c) for a client (tls12.c tc12_conn_has_psk, srp12.c
 * tc12_conn_has_srp), read here in one place: every ClientHello asks, and
 * the four small calls there cost more code lines than these tests. Keep
 * the three together. */
static unsigned client_creds(const tc_conn *c) {
  const tc_config *cfg = c->cfg;
  bool psk = cfg->psk.n > 0 || cfg->psk.client_want || c->psk.own.identity;
  bool srp = (c->srp.own ? c->srp.user : cfg->srp.user) || cfg->srp.client || c->srp.request;
  return (psk ? TC12_CRED_PSK : 0) | (srp ? TC12_CRED_SRP : 0);
}

/* The template slot for this connection's first ClientHello, or -1 when
 * it takes the full encoder. */
static int tmpl_slot(const tc_conn *c) {
  unsigned creds = client_creds(c);
  if (c->cfg->ch_fresh || c->c12.handshakes || c->fallback || c->hs->hrr ||
      (creds & TC12_CRED_SRP))
    return -1;
  return (c->hs->t12.offered13 ? 1 : 0) | ((creds & TC12_CRED_PSK) ? 2 : 0);
}

/* Whether k is what tmpl_key_fill makes of cfg as it is now (every field
 * it fills; keep the two together): compared in place, without filling a
 * ~300-byte key per connection. tmpl_key_fill zero-pads the arrays, so
 * equal counts and equal used parts are an equal key. */
static bool tmpl_matches(const tmpl_key *k, const tc_config *cfg) {
  return k->min_version == cfg->min_version && k->max_version == cfg->max_version &&
         k->n_suites == cfg->n_suites && k->n_groups == cfg->n_groups &&
         k->n_schemes == cfg->n_schemes && k->n_cc_algs == cfg->n_cc_algs &&
         k->recv_limit == cfg->recv_limit && k->psk_modes == cfg->psk_modes &&
         k->suites_explicit == cfg->suites_explicit && k->legacy_sigs == cfg->legacy_sigs &&
         k->pha == cfg->pha && k->fallback_scsv == cfg->fallback_scsv &&
         !memcmp(k->suites, cfg->suites, cfg->n_suites * sizeof *k->suites) &&
         !memcmp(k->groups, cfg->groups, cfg->n_groups * sizeof *k->groups) &&
         !memcmp(k->schemes, cfg->schemes, cfg->n_schemes * sizeof *k->schemes) &&
         !memcmp(k->cc_algs, cfg->cc_algs, 2 * cfg->n_cc_algs);
}

/* The config's template for slot, if it matches the config as it is now. */
static const tc_ch_tmpl *tmpl_get(const tc_conn *c, int slot) {
  const tc_ch_tmpl *t = atomic_load(&c->cfg->ch_tmpl[slot]);
  return t && tmpl_matches(&t->key, c->cfg) ? t : NULL;
}

/* After the full encoder filled ch: keep its config-only part as the
 * config's template for slot (unless one is there already). Best effort:
 * without memory the next connection tries again. */
static void tmpl_publish(tc_conn *c, int slot, const tc_client_hello *ch) {
  const tc_hs12 *h = &c->hs->t12;
  if (atomic_load(&c->cfg->ch_tmpl[slot]) ||
      ch->cipher_suites.n > sizeof ((tc_ch_tmpl *)0)->suites / 2)
    return;
  tc_ch_tmpl *t = malloc(sizeof *t);
  if (!t)
    return;
  tmpl_key_fill(&t->key, c->cfg);
  atomic_init(&t->first.state, 0);
  static atomic_uint_fast64_t next_id;
  t->id = atomic_fetch_add(&next_id, 1) + 1;
  t->legacy_version = ch->legacy_version;
  memcpy(t->suites, ch->cipher_suites.p, 2 * ch->cipher_suites.n);
  t->n_suites = ch->cipher_suites.n;
  memcpy(t->offered_idx, h->offered_idx, sizeof t->offered_idx);
  t->n_offered = h->n_offered;
  t->offered_status = h->offered_status;
  t->offered_rsl = h->offered_rsl;
  t->sent_rsl = h->sent_rsl;
  t->pha_offered = c->pha_offered;
  t->ticket_ext = tc_exts_has(&ch->ext, TC_EXT_SESSION_TICKET);
  t->known12 = ch1_hash_known12(c);
  tc_exts consts = ch->ext;
  consts.present &= TMPL_EXTS;
  void *none = NULL;
  if (tc_exts_preencode(TC_EXTCTX_CH, &consts, &t->pre) ||
      !atomic_compare_exchange_strong(&c->cfg->ch_tmpl[slot], &none, t))
    free(t);
}

/* The template's half of a handshake's state: what the full encoder (and
 * offered_suites) would have set. */
static void tmpl_apply_state(tc_conn *c, const tc_ch_tmpl *t) {
  tc_hs12 *h = &c->hs->t12;
  /* The whole array: one fixed-size copy (tmpl_publish filled it all). */
  memcpy(h->offered_idx, t->offered_idx, sizeof h->offered_idx);
  h->n_offered = t->n_offered;
  h->offered_known = true;
}

/* ---- a session's ClientHello ----
 *
 * A client that resumes one TLS 1.2 session again and again (a client
 * reconnecting to its server) sends the same ClientHello each time but for
 * the random and the session ID: the template's bytes plus the server name
 * and the session's ticket. The first such ClientHello written from a
 * template is kept in the session with what made it (the template, by its
 * id, and the server name); later connections copy it and write their
 * random and session ID over it. Only for offers without TLS 1.3 (no key
 * share, no binders), with the session offered, no ALPN and no cookie:
 * nothing else in the message changes between connections. The bytes are
 * those of the template encoder (test-chello compares them). */
struct tc_ch_blob {
  uint64_t tmpl_id;
  size_t sid_len;           /* the session ID's length in these bytes */
  bool sni_sent;            /* the server name went into server_name */
  bool session_name;        /* server_name is the session's (both none, or equal) */
  char *server_name;        /* NULL: none set; else in data after the message */
  size_t len;
  uint8_t data[];           /* the handshake message, then the server name */
};

/* Offsets in a ClientHello message: type and length (4), legacy_version (2). */
#define CH_RANDOM_AT 6
#define CH_SID_AT (CH_RANDOM_AT + 32 + 1)

static bool blob_fits(const tc_conn *c) {
  const tc_hs *hs = c->hs;
  size_t nalpn;
  tc_conn_alpn_list(c, &nalpn);
  return c->offer && !hs->t12.offered13 && hs->t12.offered_session && !hs->cookie && !nalpn;
}

static const tc_ch_blob *blob_get(const tc_conn *c, const tc_ch_tmpl *t) {
  const tc_ch_blob *b = atomic_load(&c->offer->ch_blob);
  if (!b || b->tmpl_id != t->id || b->sid_len != c->hs->session_id_len)
    return NULL;
  /* Both the session's name (offer_session asked): equal, no compare. */
  if (b->session_name && c->hs->t12.offer_same_name)
    return b;
  if (!b->server_name || !c->server_name)
    return b->server_name == c->server_name ? b : NULL;
  return strcmp(b->server_name, c->server_name) == 0 ? b : NULL;
}

/* After the template encoder wrote the ClientHello at c->hsw.buf + start:
 * keep it in the session (unless it has one). Best effort. */
static void blob_publish(tc_conn *c, const tc_ch_tmpl *t, size_t start) {
  tc_session *s = c->offer;
  const uint8_t *msg = c->hsw.buf + start;
  size_t len = c->hsw.len - start, sid_len = c->hs->session_id_len;
  size_t nl = c->server_name ? strlen(c->server_name) + 1 : 0;
  if (atomic_load(&s->ch_blob) || len < CH_SID_AT + sid_len || msg[CH_SID_AT - 1] != sid_len)
    return;
  tc_ch_blob *b = malloc(sizeof *b + len + nl);
  if (!b)
    return;
  b->tmpl_id = t->id;
  b->sid_len = sid_len;
  b->sni_sent = c->hs->client_sent_sni;
  b->len = len;
  memcpy(b->data, msg, len);
  /* This connection's random and session ID are not part of it. */
  memset(b->data + CH_RANDOM_AT, 0, 32);
  memset(b->data + CH_SID_AT, 0, sid_len);
  b->server_name = NULL;
  if (nl) {
    b->server_name = (char *)b->data + len;
    memcpy(b->server_name, c->server_name, nl);
  }
  b->session_name = c->hs->t12.offer_same_name;
  tc_ch_blob *none = NULL;
  if (!atomic_compare_exchange_strong(&s->ch_blob, &none, b))
    free(b);
}

/* A kept ClientHello (a session's, or a template's first one) with this
 * connection's random, session ID and, when bpos is not 0, binders. */
TC_HOT static int write_kept_client_hello(tc_conn *c, const tc_ch_tmpl *t, const uint8_t *data,
                                   size_t len, size_t sid_len, bool sni_sent, size_t bpos) {
  tc_hs *hs = c->hs;
  size_t start = c->hsw.len;
  tc_wr_bytes(&c->hsw, data, len);
  if (!tc_wr_ok(&c->hsw))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot write ClientHello");
  uint8_t *msg = c->hsw.buf + start;
  memcpy(msg + CH_RANDOM_AT, hs->client_random, 32);
  memcpy(msg + CH_SID_AT, hs->session_id, sid_len);
  hs->client_sent_sni = sni_sent;
  if (bpos && tc_psk13_client_binders(c, start, start + bpos))
    return TC_FAIL;
  /* TLS 1.2 alone, its hash not known yet: instead of a copy until the
   * ServerHello, the kept bytes themselves (they live in the session or in
   * the config's template, both held by this connection, and never change),
   * patched as above when they go into the transcript
   * (tc_client13_ch1_to_transcript12). */
  if (!bpos && !hs->t12.offered13 && !hs->th_started && t->known12 == TC_HASH_NONE) {
    if (hs->ch1) { /* not on a first ClientHello: no call for nothing */
      free(hs->ch1);
      hs->ch1 = NULL;
    }
    hs->ch1_kept = data;
    hs->ch1_kept_len = len;
    hs->ch1_kept_sid = sid_len;
    /* A session is offered, so a resumption (with the session's PRF hash)
     * is the likely answer: the ClientHello goes into that running hash now,
     * whole from c->hsw, instead of in five pieces from the kept bytes at
     * the ServerHello. The kept bytes stay for any other answer. */
    tc_hs12 *h = &hs->t12;
    if (h->offered_session && h->offered_prf != TC_HASH_NONE) {
      tc_hash_init(&h->th, h->offered_prf);
      tc_hash_update(&h->th, msg, len);
      h->th_alg = h->offered_prf;
      h->th_len = 0;
      h->th_ch = true;
    }
    return TC_OK;
  }
  return keep_client_hello_known12(c, start, t->known12);
}

void tc_client13_ch1_to_transcript12(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (hs->ch1) {
    tc12_transcript_add(c, hs->ch1, hs->ch1_len);
    tc_wipe(hs->ch1, hs->ch1_len);
    free(hs->ch1);
    hs->ch1 = NULL;
    return;
  }
  if (!hs->ch1_kept)
    return;
  /* The bytes write_kept_client_hello sent: the kept message with this
   * connection's random and session ID in their places. */
  const uint8_t *d = hs->ch1_kept;
  size_t sid_end = CH_SID_AT + hs->ch1_kept_sid;
  tc12_transcript_add(c, d, CH_RANDOM_AT);
  tc12_transcript_add(c, hs->client_random, 32);
  tc12_transcript_add(c, d + CH_RANDOM_AT + 32, CH_SID_AT - (CH_RANDOM_AT + 32));
  tc12_transcript_add(c, hs->session_id, hs->ch1_kept_sid);
  tc12_transcript_add(c, d + sid_end, hs->ch1_kept_len - sid_end);
  hs->ch1_kept = NULL;
}

/* ---- a first ClientHello, whole ----
 *
 * Without a session to offer, the ClientHellos a template makes differ only
 * in the random, the session ID and (TLS 1.3 PSKs) the binders, as long as
 * nothing else of the connection goes in: no ALPN, no cookie, no key share
 * (TLS 1.3 is offered for psk_ke alone, RFC 8446 §4.2.9), no ticket, no
 * tc_conn_set_psk key, the same external PSK entries and the same server
 * name. The first such ClientHello written from a template is kept in it
 * (once: it is never changed afterwards) with what made it; later
 * connections copy it, write their random and session ID over it and
 * compute their binders into it. The bytes are those of the template
 * encoder (test-chello compares them with the full encoder's). */
static bool first_fits(const tc_conn *c) {
  const tc_hs *hs = c->hs;
  size_t nalpn;
  tc_conn_alpn_list(c, &nalpn);
  if (c->offer || hs->cookie || nalpn || c->psk.own.identity ||
      (c->server_name && strlen(c->server_name) >= sizeof ((first_hello *)0)->server_name))
    return false;
  if (!hs->t12.offered13)
    return true;
  if (hs->kex_group || hs->n_offers > TC_MSG_MAX_PSKS)
    return false;
  for (size_t i = 0; i < hs->n_offers; i++)
    if (hs->offers[i].kind != TC_BINDER_EXT || hs->offers[i].ticket || !hs->offers[i].entry)
      return false;
  return true;
}

static const first_hello *first_get(const tc_conn *c, const tc_ch_tmpl *t) {
  const first_hello *f = &t->first;
  const tc_hs *hs = c->hs;
  if (atomic_load_explicit(&f->state, memory_order_acquire) != 2 ||
      f->sid_len != hs->session_id_len || f->has_name != (c->server_name != NULL) ||
      (c->server_name && strcmp(f->server_name, c->server_name)) ||
      f->n_offers != (hs->t12.offered13 ? hs->n_offers : 0))
    return NULL;
  for (size_t i = 0; i < f->n_offers; i++)
    if (f->entries[i] != hs->offers[i].entry)
      return NULL;
  return f;
}

/* After the template encoder wrote the ClientHello at c->hsw.buf + start
 * (binders list at bpos, 0: none): keep it in the template unless it holds
 * one. Best effort: a ClientHello too long is not kept. */
static void first_publish(tc_conn *c, tc_ch_tmpl *t, size_t start, size_t bpos) {
  first_hello *f = &t->first;
  const tc_hs *hs = c->hs;
  const uint8_t *msg = c->hsw.buf + start;
  size_t len = c->hsw.len - start, sid_len = hs->session_id_len;
  int empty = 0;
  if (atomic_load_explicit(&f->state, memory_order_relaxed) != 0 || len > sizeof f->data ||
      len < CH_SID_AT + sid_len || msg[CH_SID_AT - 1] != sid_len ||
      !atomic_compare_exchange_strong(&f->state, &empty, 1))
    return;
  memcpy(f->data, msg, len);
  /* This connection's random, session ID and binders are not part of it. */
  memset(f->data + CH_RANDOM_AT, 0, 32);
  memset(f->data + CH_SID_AT, 0, sid_len);
  /* The binders' bytes, not their lengths (tc_msg_patch_binders checks
   * those against what it writes). */
  for (size_t off = bpos ? bpos - start + 2 : len; off < len;) {
    size_t bl = f->data[off];
    if (off + 1 + bl > len)
      break;
    memset(f->data + off + 1, 0, bl);
    off += 1 + bl;
  }
  f->len = len;
  f->sid_len = sid_len;
  f->bpos = bpos ? bpos - start : 0;
  f->sni_sent = hs->client_sent_sni;
  f->has_name = c->server_name != NULL;
  f->server_name[0] = 0;
  if (c->server_name)
    memcpy(f->server_name, c->server_name, strlen(c->server_name) + 1);
  f->n_offers = hs->t12.offered13 ? hs->n_offers : 0;
  for (size_t i = 0; i < f->n_offers; i++)
    f->entries[i] = hs->offers[i].entry;
  atomic_store_explicit(&f->state, 2, memory_order_release);
}

bool tc_client13_tmpl_has_first(tc_config *cfg, int slot) {
  const tc_ch_tmpl *t = slot >= 0 && slot < 4 ? atomic_load(&cfg->ch_tmpl[slot]) : NULL;
  return t && atomic_load(&t->first.state) == 2;
}


/* The template encoder (no kept ClientHello fits): t's bytes and this
 * connection's parts; then kept in the session (blob) or the template
 * (first) when it fits there. Not inlined: a connection that reconnects
 * with a kept ClientHello runs none of it. */
static __attribute__((noinline)) int write_client_hello_tmpl_enc(tc_conn *c, const tc_ch_tmpl *t,
                                                                 const uint8_t *pub,
                                                                 size_t pub_len, bool blob,
                                                                 bool first) {
  tc_hs *hs = c->hs;
  tc_hs12 *h = &hs->t12;
  tc_client_hello ch;
  memset(&ch, 0, offsetof(tc_client_hello, ext));
  tc_exts_reset(&ch.ext);
  ch.binders_offset = 0;
  ch.legacy_version = t->legacy_version;
  memcpy(ch.random, hs->client_random, 32);
  memcpy(ch.session_id, hs->session_id, hs->session_id_len);
  ch.session_id_len = hs->session_id_len;
  ch.cipher_suites = (tc_u16s){t->suites, t->n_suites};
  ch.compression_methods = (tc_bytes){&null_comp, 1};
  ch.has_extensions = true;
  tc_exts *e = &ch.ext;
  e->pre = &t->pre;
  e->present = t->pre.mask;
  fill_sni(c, e);
  if (h->offered13) {
    fill_key_share(c, e, pub, pub_len);
    tc_psk13_client_fill(c, e); /* its psk_key_exchange_modes is the template's */
  }
  fill_alpn_cookie(c, e);
  if (t->ticket_ext) {
    tc_exts_set(e, TC_EXT_SESSION_TICKET);
    if (h->offered_session && c->offer->ticket_len)
      e->session_ticket = (tc_bytes){c->offer->ticket, c->offer->ticket_len};
  }
  size_t start = c->hsw.len, bpos = 0;
  if (emit_client_hello_at(c, &ch, &bpos))
    return TC_FAIL;
  if (blob)
    blob_publish(c, t, start);
  else if (first)
    first_publish(c, (tc_ch_tmpl *)t, start, bpos);
  return TC_OK;
}

static int write_client_hello_tmpl(tc_conn *c, const tc_ch_tmpl *t, const uint8_t *pub,
                                   size_t pub_len) {
  tc_hs12 *h = &c->hs->t12;
  h->client_version = t->legacy_version;
  h->offered_status = t->offered_status;
  h->offered_rsl = t->offered_rsl;
  h->sent_rsl = t->sent_rsl;
  c->pha_offered = t->pha_offered;
  /* A kept whole ClientHello first: then nothing else is needed. */
  bool blob = blob_fits(c);
  const tc_ch_blob *b = TC_LIKELY(blob) ? blob_get(c, t) : NULL;
  if (TC_LIKELY(b != NULL))
    return write_kept_client_hello(c, t, b->data, b->len, b->sid_len, b->sni_sent, 0);
  bool first = !blob && first_fits(c);
  const first_hello *f = first ? first_get(c, t) : NULL;
  if (f)
    return write_kept_client_hello(c, t, f->data, f->len, f->sid_len, f->sni_sent, f->bpos);
  return write_client_hello_tmpl_enc(c, t, pub, pub_len, blob, first);
}

/* Writes the (first or second) ClientHello into c->hsw, with binders:
 * from t when given, else with the full encoder (and then, for slot >= 0,
 * keeps the config-only part as the config's template). */
static __attribute__((noinline)) int write_client_hello_full(tc_conn *c, int slot,
                                                             const uint8_t *pub,
                                                             size_t pub_len) {
  tc_hs *hs = c->hs;
  tc_client_hello ch;
  /* Not the whole 2.2 KiB: the extension item arrays are written and read
   * only below their counts. */
  memset(&ch, 0, offsetof(tc_client_hello, ext));
  tc_exts_reset(&ch.ext);
  ch.binders_offset = 0;
  memcpy(ch.random, hs->client_random, 32);
  memcpy(ch.session_id, hs->session_id, hs->session_id_len);
  ch.session_id_len = hs->session_id_len;
  ch_lists L;
  if (prepare_client_hello(c, &ch, &L, pub, pub_len))
    return TC_FAIL;
  if (slot >= 0)
    tmpl_publish(c, slot, &ch);
  return emit_client_hello(c, &ch);
}

static int write_client_hello_with(tc_conn *c, const tc_ch_tmpl *t, int slot, const uint8_t *pub,
                                   size_t pub_len) {
  return t ? write_client_hello_tmpl(c, t, pub, pub_len)
           : write_client_hello_full(c, slot, pub, pub_len);
}

static int write_client_hello(tc_conn *c, const uint8_t *pub, size_t pub_len) {
  return write_client_hello_with(c, NULL, -1, pub, pub_len);
}

/* TLS 1.3's offers: the session as a PSK (only to the server name it was
 * made with), the ticket and the external PSKs, each with its binder hash,
 * and the key share (none for psk_ke alone). pub: room for
 * TC_KEX_MAX_PUB_LEN. Not inlined: a TLS 1.2 ClientHello needs none. */
static __attribute__((noinline)) int start_offers13(tc_conn *c, uint8_t *pub, size_t *pub_len) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  tc_session *s = c->offer;
  if (s && (!s->server_name || !c->server_name || strcmp(s->server_name, c->server_name) == 0) &&
      tc_session_usable(s, tc_config_now(cfg)) &&
      cfg_has_suite(cfg, s->suite) &&
      s->secret_len <= sizeof hs->psk) {
    tc_suite13_params(s->suite, &hs->psk_hash, NULL, NULL);
    if (tc_hash_len(hs->psk_hash) == s->secret_len) {
      hs->psk_offered = true;
      hs->offered_suite = s->suite;
      memcpy(hs->psk, s->secret, s->secret_len);
      hs->psk_len = s->secret_len;
    }
  }
  if (tc_psk13_client_prepare(c, hs->psk_offered))
    return TC_FAIL;
  /* A TLS 1.2 session is offered too (tc_client12_offer_session). */
  tc_client12_offer_session(c);
  if (tc_psk13_client_ke_only(c))
    return TC_OK;
  uint16_t group = 0;
  for (size_t i = 0; i < cfg->n_groups && !group; i++)
    if (tc_kex_supported(cfg->groups[i]))
      group = cfg->groups[i];
  return new_key_share(c, group, pub, pub_len);
}

TC_HOT int tc_client13_start(tc_conn *c) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  hs->t12.offered13 = can_offer13(c);
  if (!hs->t12.offered13 && !tc12_max_version(cfg))
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "no protocol version can be offered with this configuration");
  /* One draw for the random and the compatibility session ID: each draw is
   * a system call, a noticeable part of a client handshake's fixed cost. */
  uint8_t rnd[64];
  size_t rnd_len = cfg->middlebox_compat ? 64 : 32;
  if (tc_random(&cfg->rng, rnd, rnd_len))
    return tc_error_set(&c->err, TC_ERR_RANDOM, "random source failed");
  memcpy(hs->client_random, rnd, 32);
  if (TC_LIKELY(cfg->middlebox_compat)) {
    memcpy(hs->session_id, rnd + 32, 32);
    hs->session_id_len = 32;
  }
  /* The config's ClientHello template, if there is one for this variant:
   * it also knows our TLS 1.2 suites, which offering a session needs. */
  int slot = tmpl_slot(c);
  const tc_ch_tmpl *t = TC_LIKELY(slot >= 0) ? tmpl_get(c, slot) : NULL;
  if (TC_LIKELY(t != NULL))
    tmpl_apply_state(c, t);
  uint8_t pub[TC_KEX_MAX_PUB_LEN];
  size_t pub_len = sizeof pub;
  if (hs->t12.offered13) {
    if (start_offers13(c, pub, &pub_len))
      return TC_FAIL;
  } else {
    tc_client12_offer_session(c);
  }
  /* The initial ClientHello record says TLS 1.0 for old middleboxes (RFC
   * 8446 §5.1); SSL 3.0 when nothing newer is offered. */
  c->rec.wr_version = cfg->max_version == TC_SSL30 ? TC_SSL30 : TC_TLS10;
  return write_client_hello_with(c, t, slot, pub, pub_len);
}

/* Extensions in a server message must answer ones we sent (RFC 8446 §4.2). */
static int check_solicited(tc_conn *c, const tc_exts *e, const char *where) {
  tc_hs *hs = c->hs;
  if (e->n_unknown)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "%s carries unknown extension %u",
                        where, e->unknown[0]);
  static const uint16_t never[] = {TC_EXT_MAX_FRAGMENT_LENGTH, TC_EXT_EARLY_DATA,
                                   TC_EXT_STATUS_REQUEST};
  if (tc_exts_has(e, TC_EXT_RECORD_SIZE_LIMIT) && !hs->t12.offered_rsl)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                        "%s carries record_size_limit we did not offer", where);
  for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
    if (tc_exts_has(e, never[i]))
      return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION,
                          "%s carries extension %u we did not offer", where, never[i]);
  if (tc_exts_has(e, TC_EXT_SERVER_NAME) && !hs->client_sent_sni)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "%s: unsolicited server_name",
                        where);
  if (tc_exts_has(e, TC_EXT_ALPN) && !hs->offered_alpn)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "%s: unsolicited ALPN", where);
  if (tc_exts_has(e, TC_EXT_PRE_SHARED_KEY) && !hs->psk_offered)
    return tc_error_set(&c->err, TC_ERR_UNSUPPORTED_EXTENSION, "%s: unsolicited pre_shared_key",
                        where);
  return TC_OK;
}

static tc_hs_state on_hello_retry(tc_conn *c, const tc_server_hello *sh, const uint8_t *msg,
                                  size_t len) {
  tc_hs *hs = c->hs;
  if (hs->hrr)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "second HelloRetryRequest"), HS_FAILED;
  hs->hrr = true;
  if (check_solicited(c, &sh->ext, "HelloRetryRequest"))
    return HS_FAILED;
  if (!cfg_has_suite(c->cfg, sh->cipher_suite) || tc_hs_set_suite(c, sh->cipher_suite))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "HelloRetryRequest selected a cipher suite we did not offer"),
           HS_FAILED;
  bool has_ks = tc_exts_has(&sh->ext, TC_EXT_KEY_SHARE);
  bool has_cookie = tc_exts_has(&sh->ext, TC_EXT_COOKIE);
  if (!has_ks && !has_cookie)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "HelloRetryRequest would not change the ClientHello"),
           HS_FAILED;
  uint16_t group = hs->kex_group;
  if (has_ks) {
    group = sh->ext.hrr_group;
    if (!cfg_has_group(c->cfg, group) || group == hs->kex_group)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "HelloRetryRequest selected an unacceptable group 0x%04x", group),
             HS_FAILED;
  }
  /* Transcript: message_hash(ClientHello1) || HelloRetryRequest. */
  uint8_t mh[4 + TC_HASH_MAX_LEN] = {TC_HS_MESSAGE_HASH, 0, 0, (uint8_t)c->hlen};
  if (hs->ch1_hashed) {
    if (hs->th.alg != c->hash)
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "ClientHello hashed with another hash"),
             HS_FAILED;
    tc_hash_final(&hs->th, mh + 4);
    hs->ch1_hashed = false;
  } else {
    tc_hash(c->hash, hs->ch1, hs->ch1_len, mh + 4);
  }
  tc_hs_transcript_start(c);
  tc_hs_transcript_add(c, mh, 4 + c->hlen);
  tc_hs_transcript_add(c, msg, len);
  free(hs->ch1);
  hs->ch1 = NULL;
  hs->hrr_group = group;
  if (has_cookie) {
    hs->cookie = malloc(sh->ext.cookie.len ? sh->ext.cookie.len : 1);
    if (!hs->cookie)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
    memcpy(hs->cookie, sh->ext.cookie.p, sh->ext.cookie.len);
    hs->cookie_len = sh->ext.cookie.len;
  }
  /* PSKs whose hash differs from the selected suite's cannot be used. */
  if (hs->psk_offered)
    tc_psk13_client_keep_hash(c, c->hash);
  if (!group)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "HelloRetryRequest asks for no key share, and we sent none"),
           HS_FAILED;
  uint8_t pub[TC_KEX_MAX_PUB_LEN];
  size_t pub_len = sizeof pub;
  if (group != hs->kex_group) {
    if (new_key_share(c, group, pub, &pub_len))
      return HS_FAILED;
  } else if (tc_kex_generate_from(&hs->kex, group, hs->kex.priv, hs->kex.priv_len, pub,
                                  &pub_len)) {
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot recompute key share"), HS_FAILED;
  }
  if (hs->session_id_len && tc_hs_send_ccs(c))
    return HS_FAILED;
  if (write_client_hello(c, pub, pub_len))
    return HS_FAILED;
  return HS_C_WAIT_SH;
}

/* The general parse (a TLS 1.3 ServerHello, a HelloRetryRequest, and any
 * TLS 1.2 one the brief parse declines). Not inlined into
 * on_server_hello: a resumed TLS 1.2 handshake runs none of it. */
static __attribute__((noinline)) tc_hs_state on_server_hello_general(tc_conn *c,
                                                                    const uint8_t *msg,
                                                                    size_t len) {
  tc_hs *hs = c->hs;
  tc_server_hello sh;
  uint8_t type;
  const uint8_t *body;
  size_t blen;
  if (tc_msg_split(msg, len, &type, &body, &blen, &c->err))
    return HS_FAILED;
  if (type != TC_HS_SERVER_HELLO)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "expected ServerHello, got %s",
                        tc_msg_type_name(type)),
           HS_FAILED;
  if (tc_msg_parse_server_hello(body, blen, &sh, &c->err))
    return HS_FAILED;
  c->rec.wr_version = TC_TLS12;
  if (!sh.is_tls13) {
    /* RFC 8446 §4.1.3: a TLS 1.3 client refuses a downgrade marked by the
     * server's random. */
    static const uint8_t down12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
    static const uint8_t down11[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0};
    bool offered12 = tc12_max_version(c->cfg) == TC_TLS12;
    /* A 1.3 client refuses both sentinels whatever version the server
     * picked; a 1.2 client refuses the 1.1-and-below one below 1.2. */
    if ((hs->t12.offered13 &&
         (!memcmp(sh.random + 24, down12, 8) || !memcmp(sh.random + 24, down11, 8))) ||
        (offered12 && sh.legacy_version < TC_TLS12 && !memcmp(sh.random + 24, down11, 8)))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server signalled a version downgrade"),
             HS_FAILED;
    return tc_client12_server_hello(c, &sh, msg, len);
  }
  if (!hs->t12.offered13)
    return tc_error_set(&c->err, TC_ERR_PROTOCOL_VERSION,
                        "server selected TLS 1.3, which was not offered"),
           HS_FAILED;
  if (sh.ext.selected_version != TC_TLS13)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "server selected version 0x%04x",
                        sh.ext.selected_version),
           HS_FAILED;
  if (sh.legacy_version != TC_TLS12)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "bad ServerHello legacy_version"),
           HS_FAILED;
  if (sh.session_id_len != hs->session_id_len ||
      memcmp(sh.session_id, hs->session_id, hs->session_id_len))
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server did not echo our legacy_session_id"),
           HS_FAILED;
  if (sh.compression_method != 0)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "server selected compression"),
           HS_FAILED;
  if (sh.is_hrr)
    return on_hello_retry(c, &sh, msg, len);

  if (check_solicited(c, &sh.ext, "ServerHello"))
    return HS_FAILED;
  if (hs->hrr) {
    if (sh.cipher_suite != c->suite)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "ServerHello suite differs from the HelloRetryRequest's"),
             HS_FAILED;
  } else {
    if (!cfg_has_suite(c->cfg, sh.cipher_suite) || tc_hs_set_suite(c, sh.cipher_suite))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server selected a cipher suite we did not offer"),
             HS_FAILED;
    if (hs->ch1_hashed) {
      if (hs->th.alg != c->hash)
        return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR,
                            "ClientHello hashed with another hash"),
               HS_FAILED;
      hs->th_started = true;
      hs->ch1_hashed = false;
    } else {
      tc_hs_transcript_start_ch(c, hs->ch1, hs->ch1_len);
      free(hs->ch1);
      hs->ch1 = NULL;
    }
  }
  tc_hs_transcript_add(c, msg, len);
  c->version = TC_TLS13;

  if (tc_exts_has(&sh.ext, TC_EXT_PRE_SHARED_KEY) &&
      tc_psk13_client_selected(c, sh.ext.psk_selected))
    return HS_FAILED;
  unsigned modes = tc_psk13_modes(c->cfg);
  uint8_t dhe[TC_KEX_MAX_SECRET_LEN];
  size_t dhe_len = 0;
  if (!tc_exts_has(&sh.ext, TC_EXT_KEY_SHARE)) {
    /* psk_ke: the PSK alone (RFC 8446 §4.2.9). */
    if (!hs->psk_accepted)
      return tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION, "ServerHello lacks key_share"),
             HS_FAILED;
    if (!(modes & TC_PSK_MODE_KE))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server chose psk_ke (no key share), which we did not offer"),
             HS_FAILED;
    hs->psk_ke = true;
  } else {
    if (hs->psk_accepted && !(modes & TC_PSK_MODE_DHE_KE))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server chose psk_dhe_ke, which we did not offer"),
             HS_FAILED;
    if (!hs->kex_group || sh.ext.server_share.group != hs->kex_group)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server key share is for a group we did not send"),
             HS_FAILED;
    size_t plen = 0; /* RFC 8446 §4.2.8.1: FFDHE shares padded to the prime */
    if (tc_kex_ffdhe_prime(hs->kex_group, &plen) && sh.ext.server_share.key_exchange.len != plen)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server FFDHE key share is not as long as the group's prime"),
             HS_FAILED;
    dhe_len = sizeof dhe;
    if (tc_kex_derive(&hs->kex, sh.ext.server_share.key_exchange.p,
                      sh.ext.server_share.key_exchange.len, dhe, &dhe_len))
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "invalid server key share"),
             HS_FAILED;
    c->group = hs->kex_group;
  }
  tc_kex_clear(&hs->kex);

  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (!hs->psk_accepted)
    tc_ks_early(&hs->ks, c->hash, NULL, 0);
  int r = tc_ks_handshake(&hs->ks, dhe_len ? dhe : NULL, dhe_len) ||
          tc_ks_derive(&hs->ks, "c hs traffic", th, hs->c_hs) ||
          tc_ks_derive(&hs->ks, "s hs traffic", th, hs->s_hs);
  if (dhe_len) /* psk_ke: nothing was derived into it */
    tc_wipe(dhe, sizeof dhe);
  if (r)
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key derivation failed"), HS_FAILED;
  if (tc_hs_set_read_secret(c, hs->s_hs) || tc_hs_set_write_secret(c, hs->c_hs))
    return HS_FAILED;
  return HS_C_WAIT_EE;
}

TC_HOT static tc_hs_state on_server_hello(tc_conn *c, const uint8_t *msg, size_t len) {
  const tc_hs *hs = c->hs;
  tc_hs_state next;
  /* A TLS 1.2 ServerHello in the forms TLS 1.2 uses: the brief parse, for
   * clients that offer TLS 1.2 alone or a TLS 1.2 session (a TLS 1.3
   * ServerHello, or anything else, takes the general parse). */
  if ((!hs->t12.offered13 || hs->t12.offered_session) && !tc__sh12_brief_off &&
      tc_client12_server_hello_brief(c, msg, len, &next))
    return next;
  return on_server_hello_general(c, msg, len);
}

static tc_hs_state on_encrypted_extensions(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs *hs = c->hs;
  tc_encrypted_extensions ee;
  if (tc_msg_parse_encrypted_extensions(body, len, &ee, &c->err) ||
      check_solicited(c, &ee.ext, "EncryptedExtensions"))
    return HS_FAILED;
  /* RFC 8449: the peer's limit counts the content type byte in TLS 1.3. */
  if (tc_exts_has(&ee.ext, TC_EXT_RECORD_SIZE_LIMIT) &&
      (size_t)ee.ext.record_size_limit - 1 < c->rec.max_frag)
    c->rec.max_frag = (size_t)ee.ext.record_size_limit - 1;
  /* Negotiated: the server's protected records from now on stay within
   * the limit we advertised. */
  if (tc_exts_has(&ee.ext, TC_EXT_RECORD_SIZE_LIMIT))
    c->rec.max_recv_plain = c->cfg->recv_limit;
  if (tc_exts_has(&ee.ext, TC_EXT_ALPN)) {
    const tc_bytes *p = &ee.ext.alpn[0];
    size_t n;
    const char *const *ours = tc_conn_alpn_list(c, &n);
    const char *match = NULL;
    for (size_t i = 0; i < n && !match; i++)
      if (strlen(ours[i]) == p->len && !memcmp(ours[i], p->p, p->len))
        match = ours[i];
    if (ee.ext.n_alpn != 1 || !match)
      return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                          "server selected an ALPN protocol we did not offer"),
             HS_FAILED;
    free(c->alpn);
    if (!(c->alpn = strdup(match)))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
  }
  return hs->psk_accepted ? HS_C_WAIT_FINISHED : HS_C_WAIT_CERT_CR;
}

static tc_hs_state on_certificate_request(tc_conn *c, const uint8_t *body, size_t len) {
  tc_hs *hs = c->hs;
  tc_certificate_request cr;
  if (tc_msg_parse_certificate_request(body, len, TC_TLS13, &cr, &c->err))
    return HS_FAILED;
  if (cr.context.len != 0)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "CertificateRequest context must be empty during the handshake"),
           HS_FAILED;
  if (!tc_exts_has(&cr.ext, TC_EXT_SIGNATURE_ALGORITHMS))
    return tc_error_set(&c->err, TC_ERR_MISSING_EXTENSION,
                        "CertificateRequest lacks signature_algorithms"),
           HS_FAILED;
  hs->cert_requested = true;
  if (tc_exts_has(&cr.ext, TC_EXT_COMPRESS_CERTIFICATE))
    hs->cc_send_alg = tc_hs_pick_cert_compression(c, cr.ext.cert_compression);
  size_t n = cr.ext.sig_algs.n;
  hs->cr_sig_algs = malloc(2 * n);
  if (!hs->cr_sig_algs)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
  memcpy(hs->cr_sig_algs, cr.ext.sig_algs.p, 2 * n);
  hs->cr_n_sig_algs = n;
  if (tc_exts_has(&cr.ext, TC_EXT_CERTIFICATE_AUTHORITIES) && cr.ext.n_certificate_authorities) {
    size_t k = cr.ext.n_certificate_authorities, cl = cr.ext.certificate_authorities.len;
    hs->cas = malloc(cl);
    hs->ca_ptrs = calloc(k, sizeof *hs->ca_ptrs);
    hs->ca_lens = calloc(k, sizeof *hs->ca_lens);
    if (!hs->cas || !hs->ca_ptrs || !hs->ca_lens)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
    memcpy(hs->cas, cr.ext.certificate_authorities.p, cl);
    tc_reader r, name;
    tc_rd_init(&r, hs->cas, cl);
    size_t i = 0;
    while (i < k && tc_rd_vec16(&r, &name)) {
      hs->ca_ptrs[i] = name.p;
      hs->ca_lens[i] = name.len;
      i++;
    }
    hs->n_cas = i;
  }
  return HS_C_WAIT_CERT;
}

static tc_hs_state on_certificate(tc_conn *c, const uint8_t *body, size_t len) {
  tc_certificate cm;
  if (tc_msg_parse_certificate(body, len, TC_TLS13, &cm, &c->err))
    return HS_FAILED;
  if (cm.request_context.len != 0)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server Certificate has a request context"),
           HS_FAILED;
  if (cm.n_entries == 0)
    return tc_error_set(&c->err, TC_ERR_DECODE_ERROR, "server sent no certificate"), HS_FAILED;
  if (tc_hs_take_peer_chain(c, &cm) || tc_hs_verify_peer_chain(c))
    return HS_FAILED;
  return HS_C_WAIT_CV;
}

/* A server's CompressedCertificate: only after we offered our algorithms. */
static tc_hs_state on_compressed_certificate(tc_conn *c, const uint8_t *body, size_t len) {
  uint8_t *plain;
  size_t pl;
  if (tc_hs_decompress_certificate(c, body, len, &plain, &pl))
    return HS_FAILED;
  tc_hs_state next = on_certificate(c, plain, pl);
  free(plain);
  return next;
}

static tc_hs_state on_server_finished(tc_conn *c, const uint8_t *msg, size_t len,
                                      const uint8_t *body, size_t blen) {
  tc_hs *hs = c->hs;
  if (tc_hs_check_finished(c, hs->s_hs, body, blen))
    return HS_FAILED;
  tc_hs_transcript_add(c, msg, len);
  if (tc_hs_derive_app_secrets(c) || tc_hs_set_read_secret(c, c->s_ap))
    return HS_FAILED;
  if (hs->cert_requested) {
    if (c->cfg->n_chains) {
      hs->my_chain = c->cfg->chains[0].certs;
      hs->my_n = c->cfg->chains[0].n;
      hs->my_key = c->cfg->chains[0].key;
    } else {
      c->want = TC_WANT_CLIENT_CERT;
    }
  }
  return HS_C_SEND_FLIGHT;
}

TC_HOT tc_hs_state tc_client13_handle(tc_conn *c, uint8_t type, const uint8_t *msg, size_t len) {
  tc_hs *hs = c->hs;
  const uint8_t *body = msg + 4;
  size_t blen = len - 4;
  tc_hs_state next = HS_FAILED;
  switch (c->state) {
  case HS_C_WAIT_SH:
    return on_server_hello(c, msg, len); /* adds to the transcript itself */
  case HS_C_WAIT_EE:
    if (type != TC_HS_ENCRYPTED_EXTENSIONS)
      break;
    next = on_encrypted_extensions(c, body, blen);
    break;
  case HS_C_WAIT_CERT_CR:
    if (type == TC_HS_CERTIFICATE_REQUEST)
      next = on_certificate_request(c, body, blen);
    else if (type == TC_HS_CERTIFICATE)
      next = on_certificate(c, body, blen);
    else if (type == TC_HS_COMPRESSED_CERTIFICATE && c->cfg->n_cc_algs)
      next = on_compressed_certificate(c, body, blen);
    else
      goto unexpected;
    break;
  case HS_C_WAIT_CERT:
    if (type == TC_HS_COMPRESSED_CERTIFICATE && c->cfg->n_cc_algs) {
      next = on_compressed_certificate(c, body, blen);
      break;
    }
    if (type != TC_HS_CERTIFICATE)
      break;
    next = on_certificate(c, body, blen);
    break;
  case HS_C_WAIT_CV:
    if (type != TC_HS_CERTIFICATE_VERIFY)
      break;
    if (tc_hs_check_cert_verify(c, body, blen, NULL, 0))
      return HS_FAILED;
    next = HS_C_WAIT_FINISHED;
    break;
  case HS_C_WAIT_FINISHED:
    if (type != TC_HS_FINISHED)
      break;
    return on_server_finished(c, msg, len, body, blen);
  default:
    break;
  }
  if (next != HS_FAILED) {
    tc_hs_transcript_add(c, msg, len);
    return next;
  }
  if (c->err.code != TC_ERR_NONE)
    return HS_FAILED;
unexpected:
  (void)hs;
  return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected %s in the handshake",
                      tc_msg_type_name(type)),
         HS_FAILED;
}

/* Our second flight: [CCS] [Certificate CertificateVerify] Finished. */
tc_hs_state tc_client13_action(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (c->version < TC_TLS13)
    return tc_client12_flight(c);
  if (hs->session_id_len && tc_hs_send_ccs(c))
    return HS_FAILED;
  if (hs->cert_requested) {
    if (hs->my_key) {
      hs->my_scheme = tc_hs_pick_scheme(c, hs->my_key, hs->cr_sig_algs, hs->cr_n_sig_algs);
      /* my_scheme 0: nothing the server accepts, send an empty Certificate. */
    }
    if (tc_hs_write_certificate(c, hs->cr_context, hs->cr_context_len))
      return HS_FAILED;
    if (hs->my_key && hs->my_scheme && tc_hs_write_cert_verify(c))
      return HS_FAILED;
  }
  if (tc_hs_write_finished(c, hs->c_hs))
    return HS_FAILED;
  if (c->pha_offered) { /* the base of any post-handshake authentication */
    if (!c->pha_base)
      c->pha_base = malloc(sizeof *c->pha_base);
    if (!c->pha_base)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), HS_FAILED;
    *c->pha_base = hs->th;
  }
  uint8_t th[TC_HASH_MAX_LEN];
  tc_hs_transcript_hash(c, th);
  if (tc_ks_derive(&hs->ks, "res master", th, c->res_master))
    return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "key derivation failed"), HS_FAILED;
  if (tc_hs_set_write_secret(c, c->c_ap))
    return HS_FAILED;
  return HS_CONNECTED;
}
