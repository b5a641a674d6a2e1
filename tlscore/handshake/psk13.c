/* TLS 1.3 PSKs (RFC 8446 §4.2.11, RFC 9258): the client's offers and binders, the server's choice. */
#include "engine/conn_internal.h"

#include <stdlib.h>
#include <string.h>

static bool cfg_has_suite_hash(const tc_config *cfg, tc_hash_alg h) {
  for (size_t i = 0; i < cfg->n_suites; i++) {
    tc_hash_alg sh;
    if (tc_suite13_params(cfg->suites[i], &sh, NULL, NULL) && sh == h)
      return true;
  }
  return false;
}

unsigned tc_psk13_modes(const tc_config *cfg) {
  if (cfg->psk_modes)
    return cfg->psk_modes;
  /* Clients offer forward secrecy only; servers take what a client offers. */
  return cfg->role == TC_ROLE_CLIENT ? TC_PSK_MODE_DHE_KE : TC_PSK_MODE_DHE_KE | TC_PSK_MODE_KE;
}

static const uint8_t *offer_key(const tc_psk_offer *o, size_t *len) {
  if (o->kind == TC_BINDER_IMP) {
    *len = tc_hash_len(o->hash);
    return o->ipsk;
  }
  *len = o->key_len;
  return o->key;
}

/* Leaves every offer slot zero: tc_hs_free relies on slots at and beyond
 * n_offers being zero (they are written only in order from slot 0). */
void tc_psk13_clear_offers(tc_hs *hs) {
  for (size_t i = 0; i < hs->n_offers; i++) {
    free(hs->offers[i].iid);
    tc_wipe(&hs->offers[i], sizeof hs->offers[i]);
  }
  hs->n_offers = 0;
}

/* One external PSK: as it is (its own hash), or imported (RFC 9258 §5.1)
 * once per target KDF that a configured suite can use. */
static int offer_external(tc_conn *c, const tc_psk_entry *e) {
  tc_hs *hs = c->hs;
  static const struct {
    tc_hash_alg hash;
    uint16_t kdf;
  } kdfs[] = {{TC_HASH_SHA256, TC_KDF_HKDF_SHA256}, {TC_HASH_SHA384, TC_KDF_HKDF_SHA384}};
  if (!e->import) {
    if (!cfg_has_suite_hash(c->cfg, e->hash) || hs->n_offers == TC_MSG_MAX_PSKS)
      return TC_OK;
    tc_psk_offer *o = &hs->offers[hs->n_offers++];
    memset(o, 0, sizeof *o);
    o->kind = TC_BINDER_EXT;
    o->hash = e->hash;
    o->key = e->key;
    o->key_len = e->key_len;
    o->identity = e->identity;
    o->id_len = e->id_len;
    o->entry = e;
    return TC_OK;
  }
  for (size_t k = 0; k < sizeof kdfs / sizeof kdfs[0]; k++) {
    if (!cfg_has_suite_hash(c->cfg, kdfs[k].hash) || hs->n_offers == TC_MSG_MAX_PSKS)
      continue;
    tc_imported_identity ii = {{e->identity, e->id_len}, {e->context, e->context_len}, TC_TLS13,
                               kdfs[k].kdf};
    tc_writer w;
    tc_wr_init_dyn(&w);
    if (tc_msg_write_imported_identity(&w, &ii)) {
      tc_wr_free(&w);
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot encode an imported PSK identity");
    }
    tc_psk_offer *o = &hs->offers[hs->n_offers++];
    memset(o, 0, sizeof *o);
    o->iid = tc_wr_take(&w, &o->id_len);
    if (!o->iid)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    o->kind = TC_BINDER_IMP;
    o->hash = kdfs[k].hash;
    o->identity = o->iid;
    o->entry = e;
    if (tc_ks_import_psk(e->hash, e->key, e->key_len, o->iid, o->id_len, o->hash, o->ipsk))
      return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot import the PSK");
  }
  return TC_OK;
}

int tc_psk13_client_prepare(tc_conn *c, bool ticket) {
  tc_hs *hs = c->hs;
  tc_psk13_clear_offers(hs);
  tc_psk_offer t;
  memset(&t, 0, sizeof t);
  if (ticket) {
    t.kind = TC_BINDER_RES;
    t.hash = hs->psk_hash;
    t.key = hs->psk;
    t.key_len = hs->psk_len;
    t.identity = c->offer->ticket;
    t.id_len = c->offer->ticket_len;
    t.ticket = true;
  }
  bool last = c->cfg->psk_ticket_last;
  if (ticket && !last)
    hs->offers[hs->n_offers++] = t;
  if (c->psk.own.identity) {
    if (offer_external(c, &c->psk.own))
      return TC_FAIL;
  } else {
    for (size_t i = 0; i < c->cfg->psk.n; i++)
      if (offer_external(c, &c->cfg->psk.list[i]))
        return TC_FAIL;
  }
  if (ticket && last && hs->n_offers < TC_MSG_MAX_PSKS)
    hs->offers[hs->n_offers++] = t;
  hs->psk_offered = hs->n_offers > 0;
  return TC_OK;
}

bool tc_psk13_client_ke_only(const tc_conn *c) {
  return c->hs->psk_offered && tc_psk13_modes(c->cfg) == TC_PSK_MODE_KE;
}

void tc_psk13_client_keep_hash(tc_conn *c, tc_hash_alg hash) {
  tc_hs *hs = c->hs;
  size_t n = 0;
  for (size_t i = 0; i < hs->n_offers; i++) {
    if (hs->offers[i].hash == hash) {
      if (n != i) {
        hs->offers[n] = hs->offers[i];
        memset(&hs->offers[i], 0, sizeof hs->offers[i]);
      }
      n++;
    } else {
      free(hs->offers[i].iid);
      tc_wipe(&hs->offers[i], sizeof hs->offers[i]);
    }
  }
  hs->n_offers = n;
  hs->psk_offered = n > 0;
  hs->ks_early_psk = false;
}

void tc_psk13_client_fill(tc_conn *c, tc_exts *e) {
  tc_hs *hs = c->hs;
  static const uint8_t dhe_only[] = {TC_PSK_DHE_KE}, ke_only[] = {TC_PSK_KE},
                       both[] = {TC_PSK_DHE_KE, TC_PSK_KE};
  unsigned modes = tc_psk13_modes(c->cfg);
  tc_exts_set(e, TC_EXT_PSK_KEY_EXCHANGE_MODES);
  if (modes == TC_PSK_MODE_KE)
    e->psk_modes = (tc_bytes){ke_only, 1};
  else if (modes & TC_PSK_MODE_KE)
    e->psk_modes = (tc_bytes){both, 2};
  else
    e->psk_modes = (tc_bytes){dhe_only, 1};
  if (!hs->n_offers)
    return;
  tc_exts_set(e, TC_EXT_PRE_SHARED_KEY);
  for (size_t i = 0; i < hs->n_offers; i++) {
    const tc_psk_offer *o = &hs->offers[i];
    uint32_t age = 0; /* RFC 8446 §4.2.11: 0 for external identities */
    if (o->ticket) {
      int64_t age_ms = (tc_config_now(c->cfg) - c->offer->received) * 1000;
      age = (uint32_t)age_ms + c->offer->age_add;
    }
    e->psk_identities[i].identity = (tc_bytes){o->identity, o->id_len};
    e->psk_identities[i].obfuscated_ticket_age = age;
    e->psk_binders[i] = (tc_bytes){NULL, tc_hash_len(o->hash)};
  }
  e->n_psk_identities = hs->n_offers;
  e->n_psk_binders = hs->n_offers;
}

int tc_psk13_client_binders(tc_conn *c, size_t start, size_t bpos) {
  tc_hs *hs = c->hs;
  const uint8_t *ch = c->hsw.buf + start;
  size_t prefix = bpos - start;
  uint8_t th[2][TC_HASH_MAX_LEN], binders[TC_MSG_MAX_PSKS][TC_HASH_MAX_LEN];
  tc_hash_alg th_alg[2];
  size_t n_th = 0;
  tc_bytes b[TC_MSG_MAX_PSKS];
  int r = 0;
  for (size_t i = 0; i < hs->n_offers && !r; i++) {
    const tc_psk_offer *o = &hs->offers[i];
    size_t j = 0;
    while (j < n_th && th_alg[j] != o->hash)
      j++;
    if (j == n_th) {
      /* The transcript of the ClientHello up to its binders, once per hash.
       * The first ClientHello's hash state is kept for the transcript
       * (tc_hs_transcript_start_ch goes on from it). */
      if (hs->th_started) {
        tc_hash_ctx h = hs->th;
        tc_hash_update(&h, ch, prefix);
        tc_hash_final(&h, th[j]);
      } else if (n_th == 0) {
        tc_hs_binder_prefix_hash(c, o->hash, ch, prefix, th[j]);
      } else {
        tc_hash(o->hash, ch, prefix, th[j]);
      }
      th_alg[j] = o->hash;
      n_th++;
    }
    size_t kl;
    const uint8_t *key = offer_key(o, &kl);
    uint8_t bk[TC_HASH_MAX_LEN];
    tc_ks ks;
    tc_ks_early(&ks, o->hash, key, kl);
    r = tc_ks_binder_key(&ks, o->kind, bk) || tc_ks_finished(o->hash, bk, th[j], binders[i]);
    tc_wipe(bk, sizeof bk);
    /* The first offer's Early Secret stays in hs->ks: if the server takes
     * it the key schedule goes on from there. */
    if (i == 0) {
      hs->ks = ks;
      hs->ks_early_psk = true;
    }
    tc_ks_clear(&ks);
    b[i] = (tc_bytes){binders[i], tc_hash_len(o->hash)};
  }
  if (r || tc_msg_patch_binders(&c->hsw, bpos, b, hs->n_offers))
    r = tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot compute the PSK binders");
  tc_wipe(binders, sizeof binders);
  return r ? TC_FAIL : TC_OK;
}

int tc_psk13_client_selected(tc_conn *c, uint16_t selected) {
  tc_hs *hs = c->hs;
  if (selected >= hs->n_offers)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server selected PSK identity %u; we offered %zu", selected,
                        hs->n_offers);
  const tc_psk_offer *o = &hs->offers[selected];
  if (o->hash != c->hash)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER,
                        "server selected a PSK whose hash differs from the suite's");
  if (!(selected == 0 && hs->ks_early_psk && hs->ks.hash == c->hash)) {
    size_t kl;
    const uint8_t *key = offer_key(o, &kl);
    tc_ks_early(&hs->ks, o->hash, key, kl);
    hs->ks_early_psk = true;
  }
  hs->psk_accepted = true;
  hs->psk_selected = selected;
  if (o->ticket) {
    c->resumed = true;
    /* A session first made with an external PSK keeps its identity. */
    if (c->offer->psk_identity_len &&
        tc_conn_psk_set_identity(&c->psk, c->offer->psk_identity,
                    c->offer->psk_identity_len))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  } else {
    c->psk_external = true;
    if (tc_conn_psk_set_identity(&c->psk, o->entry->identity, o->entry->id_len))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  }
  return TC_OK;
}

/* ---- server ---- */

/* Binder over the transcript so far plus the ClientHello up to its binders;
 * the Early Secret of the PSK stays in hs->ks (the PSK whose binder
 * verifies is the one the handshake uses). */
static bool binder_ok(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg,
                      tc_binder_kind kind, const uint8_t *psk, size_t psk_len,
                      const tc_bytes *binder) {
  tc_hs *hs = c->hs;
  uint8_t th[TC_HASH_MAX_LEN], bk[TC_HASH_MAX_LEN], expect[TC_HASH_MAX_LEN];
  if (hs->th_started) {
    tc_hash_ctx h = hs->th;
    tc_hash_update(&h, msg, 4 + ch->binders_offset);
    tc_hash_final(&h, th);
  } else {
    tc_hs_binder_prefix_hash(c, c->hash, msg, 4 + ch->binders_offset, th);
  }
  tc_ks_early(&hs->ks, c->hash, psk, psk_len);
  hs->ks_early_psk = true;
  int r = tc_ks_binder_key(&hs->ks, kind, bk) || tc_ks_finished(c->hash, bk, th, expect);
  /* Length first (public), then the value in constant time. */
  bool ok = !r && binder->len == c->hlen && tc_ct_equal(expect, binder->p, c->hlen);
  tc_wipe(bk, sizeof bk);
  tc_wipe(expect, sizeof expect);
  return ok;
}

/* The server preference among the client's suites with this hash (a PSK
 * is bound to its hash); only before anything depends on the suite: on the
 * first ClientHello. */
static bool repick_suite(tc_conn *c, const tc_client_hello *ch, tc_hash_alg hash) {
  for (size_t i = 0; i < c->cfg->n_suites; i++) {
    uint16_t s = c->cfg->suites[i];
    tc_hash_alg h;
    if (tc_suite13_params(s, &h, NULL, NULL) && h == hash &&
        tc_u16s_contains(ch->cipher_suites, s))
      return tc_hs_set_suite(c, s) == TC_OK;
  }
  return false;
}

static bool ticket_usable(tc_conn *c, const tc_client_hello *ch, bool second,
                          const tc_psk_identity *id, const char *alpn, tc_ticket_state *st) {
  tc_hash_alg th;
  if (st->version != TC_TLS13 || !tc_suite13_params(st->suite, &th, NULL, NULL) ||
      st->psk_len != tc_hash_len(th))
    return false;
  /* Lifetime and age window: the client's view of the ticket age must be
   * close to ours (clock skew allowance 10 s). */
  int64_t age_s = tc_config_now(c->cfg) - st->issued;
  int64_t client_ms = (int64_t)(uint32_t)(id->obfuscated_ticket_age - st->age_add);
  int64_t diff = client_ms - age_s * 1000;
  bool alpn_ok = (!alpn && !st->alpn[0]) || (alpn && !strcmp(alpn, st->alpn));
  if (!(age_s >= 0 && age_s <= (int64_t)st->lifetime && diff <= 10000 && diff >= -10000 &&
        alpn_ok))
    return false;
  return th == c->hash || (!second && repick_suite(c, ch, th));
}

int tc_psk13_server_pick(tc_conn *c, const tc_client_hello *ch, const uint8_t *msg, bool second,
                         const char *alpn, tc_psk13_pick *out) {
  tc_hs *hs = c->hs;
  tc_config *cfg = c->cfg;
  const tc_exts *e = &ch->ext;
  out->index = -1;
  bool external_ok = cfg->psk.n || cfg->psk.server_want;
  for (size_t i = 0; i < e->n_psk_identities; i++) {
    if (hs->psk_skip & (1u << i))
      continue;
    const tc_psk_identity *id = &e->psk_identities[i];
    tc_ticket_state st;
    if (cfg->ticket_count && tc_ticket_open(cfg, id->identity.p, id->identity.len, &st) == 0) {
      /* One of our tickets is never also an external identity. */
      bool use = ticket_usable(c, ch, second, id, alpn, &st);
      if (use && !binder_ok(c, ch, msg, TC_BINDER_RES, st.psk, st.psk_len, &e->psk_binders[i])) {
        tc_wipe(&st, sizeof st);
        return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR,
                            "PSK binder of a resumption ticket does not verify");
      }
      /* The identity is the ticket's (none for a session that began with
       * a certificate), never one asked about before. */
      if (use && tc_conn_psk_set_identity(&c->psk, st.psk_identity_len ? st.psk_identity : NULL,
                                          st.psk_identity_len)) {
        tc_wipe(&st, sizeof st);
        return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
      }
      tc_wipe(&st, sizeof st);
      if (!use)
        continue;
      out->index = (int)i;
      out->ticket = true;
      return TC_OK;
    }
    if (!external_ok)
      continue;
    /* An RFC 9258 ImportedIdentity for TLS 1.3 names its external identity
     * and the hash it is imported for; anything else is a plain identity. */
    tc_imported_identity ii;
    tc_error scratch;
    tc_error_clear(&scratch);
    /* Parsed only when it can be one: at least a 1-byte external identity,
     * the context's length and the two u16 (the parser's failure on a plain
     * identity formats an error message nobody reads). */
    const uint8_t *ip = id->identity.p;
    size_t il = id->identity.len;
    bool imported = il >= 9 && ((size_t)ip[0] << 8 | ip[1]) + 8 <= il &&
                    tc_msg_parse_imported_identity(ip, il, &ii, &scratch) == TC_OK &&
                    ii.target_protocol == TC_TLS13 &&
                    (ii.target_kdf == TC_KDF_HKDF_SHA256 || ii.target_kdf == TC_KDF_HKDF_SHA384);
    tc_bytes name = imported ? ii.external_identity : id->identity;
    const uint8_t *key = NULL;
    size_t key_len = 0;
    tc_hash_alg hash = TC_HASH_SHA256;
    const tc_psk_entry *entry = tc_cfg_psk_find(&cfg->psk, name.p, name.len);
    if (entry && entry->import && !imported)
      entry = NULL; /* an imported-only key is never used as it is (RFC 9258 §5.2) */
    if (entry) {
      key = entry->key;
      key_len = entry->key_len;
      hash = entry->hash;
    } else if (cfg->psk.server_want && name.len <= TC_PSK_MAX_IDENTITY) {
      if (hs->psk_asked != i + 1) {
        /* Ask the caller; this ClientHello is processed again with the answer. */
        if (tc_conn_psk_set_identity(&c->psk, name.p, name.len))
          return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
        tc_conn_psk_drop_key(&c->psk);
        hs->psk_asked = i + 1;
        hs->psk_asked_imported = imported;
        if (tc_psk_copy(&hs->psk_asked_ctx, &hs->psk_asked_ctx_len, imported ? ii.context.p : NULL,
                        imported ? ii.context.len : 0))
          return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
        c->psk.hash = TC_HASH_SHA256;
        c->want = TC_WANT_PSK_KEY;
        return TC_WANT;
      }
      hs->psk_asked = 0;
      if (c->psk.answered && c->psk.key) {
        key = c->psk.key;
        key_len = c->psk.key_len;
        hash = c->psk.hash;
      }
    }
    if (!key) {
      hs->psk_skip |= 1u << i;
      out->unknown = true;
      continue;
    }
    tc_hash_alg binder_hash = imported ? (ii.target_kdf == TC_KDF_HKDF_SHA384 ? TC_HASH_SHA384
                                                                                : TC_HASH_SHA256)
                                       : hash;
    if (binder_hash != c->hash && (second || !repick_suite(c, ch, binder_hash))) {
      hs->psk_skip |= 1u << i;
      out->incompatible = true;
      continue;
    }
    uint8_t ipsk[TC_HASH_MAX_LEN];
    if (imported) {
      if (tc_ks_import_psk(hash, key, key_len, id->identity.p, id->identity.len, binder_hash,
                           ipsk))
        return tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "cannot import the PSK");
      key = ipsk;
      key_len = tc_hash_len(binder_hash);
    }
    bool ok = binder_ok(c, ch, msg, imported ? TC_BINDER_IMP : TC_BINDER_EXT, key, key_len,
                        &e->psk_binders[i]);
    tc_wipe(ipsk, sizeof ipsk);
    tc_conn_psk_drop_key(&c->psk);
    if (tc_conn_psk_set_identity(&c->psk, name.p, name.len))
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
    if (!ok) {
      char shown[80];
      tc_psk_escape(name.p, name.len, shown, sizeof shown);
      return tc_error_set(&c->err, TC_ERR_DECRYPT_ERROR,
                          "PSK binder for identity \"%s\" does not verify: the client holds a "
                          "different key (or binds it to another hash)",
                          shown);
    }
    out->index = (int)i;
    out->external = true;
    c->psk_external = true;
    return TC_OK;
  }
  /* Nothing chosen: no identity authenticated this connection. */
  tc_conn_psk_set_identity(&c->psk, NULL, 0);
  return TC_OK;
}

/* ---- public setters (tlscore/config.h, conn.h) ---- */

void tc_config_set_psk_modes(tc_config *cfg, unsigned modes) {
  cfg->psk_modes = modes & (TC_PSK_MODE_KE | TC_PSK_MODE_DHE_KE);
}

static int set_import(tc_psk_entry *e, const uint8_t *context, size_t ctx_len) {
  if (ctx_len > 1024 || (ctx_len && !context))
    return -1;
  if (tc_psk_copy(&e->context, &e->context_len, context, ctx_len))
    return -1;
  e->import = true;
  return 0;
}

int tc_config_set_psk_import(tc_config *cfg, const uint8_t *identity, size_t id_len,
                             const uint8_t *context, size_t ctx_len, tc_error *err) {
  tc_psk_entry *e = (tc_psk_entry *)tc_cfg_psk_find(&cfg->psk, identity, id_len);
  if (!e)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no PSK with this identity was added");
  if (set_import(e, context, ctx_len))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "import context must be 0..1024 bytes");
  return TC_OK;
}

int tc_conn_set_psk_import(tc_conn *c, const uint8_t *context, size_t ctx_len) {
  if (c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "the handshake has started");
  if (!c->psk.own.identity)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "no PSK set on this connection");
  if (set_import(&c->psk.own, context, ctx_len))
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "import context must be 0..1024 bytes");
  return TC_OK;
}

int tc_conn_answer_psk_key_hash(tc_conn *c, const uint8_t *key, size_t key_len,
                                tc_psk_hash hash) {
  if (c->want == TC_WANT_PSK_KEY)
    c->psk.hash = hash == TC_PSK_HASH_SHA384 ? TC_HASH_SHA384 : TC_HASH_SHA256;
  return tc_conn_answer_psk_key(c, key, key_len);
}

bool tc_conn_psk_imported(const tc_conn *c, const uint8_t **context, size_t *ctx_len) {
  bool imp = c->hs && c->want == TC_WANT_PSK_KEY && c->hs->psk_asked_imported;
  if (context)
    *context = imp ? c->hs->psk_asked_ctx : NULL;
  if (ctx_len)
    *ctx_len = imp ? c->hs->psk_asked_ctx_len : 0;
  return imp;
}
