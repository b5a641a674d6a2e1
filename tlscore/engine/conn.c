/* The sans-I/O driver: buffers in and out, record dispatch, alerts, wants, application data. */
#include "engine/conn_internal.h"
#include "handshake/tls12.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define ALERT_WARNING 1
#define ALERT_FATAL 2

/* Zero all of a new connection except the AEAD contexts of its two record
 * protection states (8 KiB of the 11 KiB struct, mostly GCM key tables):
 * key installation writes them before any use and nothing reads them while
 * their ops is NULL, so clearing them per connection is wasted work. A
 * connection from the pool also keeps its secrets block (pha_run ..
 * c12, right after rec), which tc_conn_free left all zero. */
static void zero_conn(tc_conn *c, bool pooled) {
  uint8_t *b = (uint8_t *)c;
  const size_t rd_u = offsetof(tc_conn, rec.rd.u), wr = offsetof(tc_conn, rec.wr),
               wr_u = offsetof(tc_conn, rec.wr.u), wr_end = wr + sizeof(tc_prot),
               secrets_end = offsetof(tc_conn, c12) + sizeof(tc_conn12);
  /* The secrets block is these fields alone (at most alignment padding,
   * never written, between them), right after the record layer. */
  _Static_assert(offsetof(tc_conn, rec.wr) + sizeof(tc_prot) == offsetof(tc_conn, rec) + sizeof(tc_rec),
                 "wr ends the record layer");
  _Static_assert(offsetof(tc_conn, pha_run) - (offsetof(tc_conn, rec) + sizeof(tc_rec)) < 16 &&
                     offsetof(tc_conn, c_ap) == offsetof(tc_conn, pha_run) + sizeof(tc_hash_ctx) &&
                     offsetof(tc_conn, s_ap) == offsetof(tc_conn, c_ap) + TC_HASH_MAX_LEN &&
                     offsetof(tc_conn, exporter) == offsetof(tc_conn, s_ap) + TC_HASH_MAX_LEN &&
                     offsetof(tc_conn, res_master) == offsetof(tc_conn, exporter) + TC_HASH_MAX_LEN &&
                     offsetof(tc_conn, c12) - (offsetof(tc_conn, res_master) + TC_HASH_MAX_LEN) <
                         _Alignof(tc_conn12),
                 "the secrets block holds pha_run, c_ap .. res_master and c12 only");
  memset(b, 0, rd_u);
  memset(b + wr, 0, wr_u - wr);
  const size_t from = pooled ? secrets_end : wr_end;
  memset(b + from, 0, sizeof *c - from);
}

/* ---- the config's pools of connection state ----
 *
 * A program that makes many connections from one config (a server, a
 * client reconnecting) would otherwise allocate, zero, wipe and free the
 * same ~30 KiB per connection: the 10 KiB tc_conn, its record buffers
 * (16.6 KiB input, output, handshake reassembly), the handshake writer's
 * buffer and the 2 KiB tc_hs, most of it above glibc's per-thread cache.
 * tc_conn_free hands them to the config instead, wiped exactly as before
 * (keys, plaintext and secrets; tc_hs entirely), and tc_conn_new takes
 * them back and zeroes the struct as for a fresh one. A config used by
 * one connection only keeps nothing. The GIO module shares one config
 * among connections with the same settings (gio-module/config-cache.c). */

TC_HOT static void *pool_take(_Atomic(void *) *pool) {
  for (size_t i = 0; i < TC_CFG_POOL; i++)
    if (atomic_load_explicit(&pool[i], memory_order_relaxed)) {
      void *p = atomic_exchange(&pool[i], NULL);
      if (p)
        return p;
    }
  return NULL;
}

TC_HOT static bool pool_put(_Atomic(void *) *pool, void *p) {
  for (size_t i = 0; i < TC_CFG_POOL; i++) {
    void *expected = NULL;
    if (!atomic_load_explicit(&pool[i], memory_order_relaxed) &&
        atomic_compare_exchange_strong(&pool[i], &expected, p))
      return true;
  }
  return false;
}

/* Worth keeping for another connection: someone else holds the config. */
TC_HOT static bool cfg_shared(tc_config *cfg) { return atomic_load(&cfg->refs) > 1; }

static void free_pooled_conn(tc_conn *c) {
  tc_rec_bufs b = {c->rec.ibuf, c->rec.obuf, c->rec.hs, c->rec.ocap, c->rec.hs_cap, c->rec.icap};
  tc_rec_bufs_free(&b);
  free(c->hsw.buf);
  free(c);
}

void tc_conn_pool_drain(tc_config *cfg) {
  void *p;
  while ((p = pool_take(cfg->conn_pool)))
    free_pooled_conn(p);
  while ((p = pool_take(cfg->hs_pool)))
    free(p);
}

TC_HOT tc_conn *tc_conn_new(tc_config *cfg, tc_error *err) {
  if (!cfg) {
    tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "no configuration");
    return NULL;
  }
  tc_rec_bufs bufs = {0};
  uint8_t *wbuf = NULL;
  size_t wcap = 0;
  tc_conn *c = pool_take(cfg->conn_pool);
  bool pooled = c != NULL;
  if (pooled) {
    /* Released by tc_conn_free: buffers wiped, keys and secrets wiped. */
    bufs = (tc_rec_bufs){c->rec.ibuf, c->rec.obuf, c->rec.hs, c->rec.ocap, c->rec.hs_cap, c->rec.icap};
    wbuf = c->hsw.buf;
    wcap = c->hsw.cap;
  } else if (!(c = malloc(sizeof *c))) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  zero_conn(c, pooled);
  c->cfg = tc_config_ref(cfg);
  c->role = cfg->role;
  tc_error_clear(&c->err);
  tc_error_clear(&c->refusal);
  tc_rec_init_zeroed(&c->rec);
  c->rec.max_frag = cfg->max_fragment;
  c->rec.hs_max = cfg->max_handshake_msg;
  if (c->role == TC_ROLE_SERVER)
    c->rec.hs_max_ch = cfg->max_handshake_msg > TC_HS_MAX_CLIENT_HELLO ? cfg->max_handshake_msg
                                                                       : TC_HS_MAX_CLIENT_HELLO;
  c->rec.plain_alerts = true;
  c->state = c->role == TC_ROLE_CLIENT ? HS_C_START : HS_S_WAIT_CH;
  tc_wr_init_dyn(&c->hsw);
  tc_rec_adopt(&c->rec, &bufs);
  c->hsw.buf = wbuf;
  c->hsw.cap = wcap;
  return c;
}

/* What only some handshakes leave in a tc_hs (a TLS 1.3 PSK want, a
 * HelloRetryRequest, a first ClientHello kept until its hash was known, a
 * CertificateRequest, FFDHE, SRP, a client certificate the caller chose,
 * TLS 1.3 PSK offers): freed (and wiped where secret) by hs_free_extras,
 * out of the code every connection runs; a resumption has none of them.
 * Every field hs_free_extras frees is tested here. */
static bool hs_has_extras(const tc_hs *hs) {
  /* One OR of them all, tested once (a branch per field would double the
   * code of this check). */
  uintptr_t any = (uintptr_t)hs->kex.ff_priv | (uintptr_t)hs->kex.dh_p | hs->n_offers |
                  (uintptr_t)hs->psk_asked_ctx | (uintptr_t)hs->ch_saved | (uintptr_t)hs->ch1 |
                  (uintptr_t)hs->cookie | (uintptr_t)hs->cr_context | (uintptr_t)hs->cr_sig_algs |
                  (uintptr_t)hs->cas | (uintptr_t)hs->ca_ptrs | (uintptr_t)hs->ca_lens |
                  (uintptr_t)hs->srp | hs->own_answer;
  return any != 0;
}

static __attribute__((cold, noinline)) void hs_free_extras(tc_hs *hs) {
  tc_kex_free_heap(&hs->kex);
  tc_psk13_clear_offers(hs);
  free(hs->psk_asked_ctx);
  if (hs->ch_saved) {
    tc_wipe(hs->ch_saved, hs->ch_saved_len);
    free(hs->ch_saved);
  }
  if (hs->ch1) {
    tc_wipe(hs->ch1, hs->ch1_len);
    free(hs->ch1);
  }
  free(hs->cookie);
  free(hs->cr_context);
  free(hs->cr_sig_algs);
  free(hs->cas);
  free(hs->ca_ptrs);
  free(hs->ca_lens);
  if (hs->srp) {
    tc_wipe(hs->srp, sizeof *hs->srp);
    free(hs->srp);
  }
  if (hs->own_answer) {
    for (size_t i = 0; i < hs->my_n; i++)
      tc_cert_unref(hs->my_chain[i]);
    free(hs->my_chain);
    if (hs->my_key)
      tc_privkey_unref(hs->my_key);
  }
}

TC_HOT void tc_hs_free(tc_conn *c) {
  tc_hs *hs = c->hs;
  if (!hs)
    return;
  /* The key exchange's heap parts: the FFDHE exponent (wiped) and DH
   * parameters (hs_free_extras). Its private scalar (kex.priv, 72 bytes),
   * like the key schedule and t12's secrets, is wiped with the whole
   * struct below, on every way out of this function (nothing returns
   * before that wipe, and kex lies in its first range, as the assertion
   * says): tc_kex_clear's wipe of it would be a second wipe of the same
   * bytes. */
  _Static_assert(offsetof(tc_hs, kex) + sizeof(tc_kex) <= offsetof(tc_hs, offers),
                 "tc_hs_free's first wipe covers the key exchange");
  if (hs_has_extras(hs))
    hs_free_extras(hs);
  const tc_hs12 *t = &hs->t12;
  if (((uintptr_t)t->tr | (uintptr_t)t->c_pub | (uintptr_t)t->pms | (uintptr_t)t->nst) != 0)
    tc_hs12_release(&hs->t12);
  const tc_conn_psk *k = &c->psk;
  if (((uintptr_t)k->key | k->key_len | (uintptr_t)k->entry_key | k->entry_key_len | k->answered) !=
      0)
    tc_conn_psk_drop_key(&c->psk);
  /* All of it, so that a pooled tc_hs is as calloc gives it. The PSK
   * offers (2 KiB, TLS 1.3 clients only) are zero beyond n_offers (written
   * in order, and tc_psk13_clear_offers wiped the used ones above), so
   * only the rest of the struct is wiped here. */
  const size_t offers = offsetof(tc_hs, offers), after = offers + sizeof hs->offers;
  tc_wipe(hs, offers);
  tc_wipe((uint8_t *)hs + after, sizeof *hs - after);
  if (!cfg_shared(c->cfg) || !pool_put(c->cfg->hs_pool, hs))
    free(hs);
  c->hs = NULL;
}

static void free_peer_chain(tc_conn *c) {
  if (!c->peer_chain) /* a resumed client has none: no call for nothing */
    return;
  for (size_t i = 0; i < c->peer_n; i++)
    tc_cert_unref(c->peer_chain[i]);
  free(c->peer_chain);
  c->peer_chain = NULL;
  c->peer_n = 0;
}

/* What only some connections hold when they are freed: a peer chain (a
 * full handshake's client), ALPN, a long server name, a stapled OCSP
 * response, TLS 1.3 post-handshake authentication, an ALPN override, our
 * leaf (a full handshake's server), sessions received, shared keys, SRP
 * credentials. A resumed TLS 1.2 connection has none of them. Every field
 * conn_free_extras frees is tested here. */
static bool conn_has_extras(const tc_conn *c) {
  const tc_conn_psk *k = &c->psk;
  uintptr_t any = (uintptr_t)c->peer_chain | (uintptr_t)c->alpn | (uintptr_t)c->ocsp |
                  (uintptr_t)c->pha_base | (uintptr_t)c->alpn_list | (uintptr_t)c->my_leaf |
                  (uintptr_t)c->latest | c->n_fresh | (uintptr_t)k->own.identity |
                  (uintptr_t)k->own.key | (uintptr_t)k->own.context | (uintptr_t)k->identity |
                  (uintptr_t)k->hint | (uintptr_t)k->key | (uintptr_t)c->srp.user |
                  (uintptr_t)c->srp.pw | (uintptr_t)c->srp.name;
  return any != 0 || (c->server_name && c->server_name != c->sni_buf);
}

static __attribute__((cold, noinline)) void conn_free_extras(tc_conn *c) {
  free_peer_chain(c);
  free(c->alpn);
  if (c->server_name != c->sni_buf)
    free(c->server_name);
  free(c->ocsp);
  if (c->pha_base) {
    tc_wipe(c->pha_base, sizeof *c->pha_base);
    free(c->pha_base);
  }
  if (c->alpn_list) {
    for (size_t i = 0; i < c->n_alpn_list; i++)
      free(c->alpn_list[i]);
    free(c->alpn_list);
  }
  if (c->my_leaf)
    tc_cert_unref(c->my_leaf);
  if (c->latest)
    tc_session_unref(c->latest);
  for (size_t i = 0; i < c->n_fresh; i++)
    tc_session_unref(c->fresh[i]);
  /* Shared keys and SRP credentials: their heap parts (the secrets among
   * them wiped). The rest of both structs is lengths and flags, zeroed
   * for the next connection by tc_conn_new. */
  const tc_conn_psk *k = &c->psk;
  if (k->own.identity || k->own.key || k->own.context || k->identity || k->hint || k->key)
    tc_conn_psk_clear(&c->psk);
  if (c->srp.user || c->srp.pw || c->srp.name)
    tc_srp_conn_clear(&c->srp);
}

TC_HOT void tc_conn_free(tc_conn *c) {
  if (!c)
    return;
  tc_hs_free(c);
  tc_config *cfg = c->cfg;
  bool keep = cfg_shared(cfg);
  if (keep) {
    tc_rec_scrub(&c->rec);
    tc_wr_wipe(&c->hsw);
  } else {
    tc_rec_free(&c->rec);
    tc_wr_free(&c->hsw);
  }
  if (conn_has_extras(c))
    conn_free_extras(c);
  tc_session_unref(c->offer);
  /* The secrets block (conn_internal.h: pha_run, c_ap .. res_master, c12)
   * is left all zero, which tc_conn_new relies on for a pooled connection.
   * pha_run and c_ap .. res_master are written only by TLS 1.3 (tls13.c,
   * client13.c, server13.c, once the version is settled), so a TLS 1.2
   * connection wipes c12 alone. Addressed from the struct so that no
   * compiler takes the wipe for a write past pha_run (with -Db_lto=true GCC
   * warns, -Wstringop-overflow, on a wipe across adjacent members). Record
   * keys were wiped by tc_rec_free / tc_rec_scrub. */
  if (c->version == TC_TLS13)
    tc_wipe((uint8_t *)c + offsetof(tc_conn, pha_run),
            offsetof(tc_conn, res_master) + sizeof c->res_master - offsetof(tc_conn, pha_run));
  tc_wipe(&c->c12, sizeof c->c12);
  if (keep) {
    /* tc_conn_new finds the buffers where tc_rec_scrub left them (and
     * zeroes the rest of the struct as for a fresh one). */
    c->cfg = NULL;
    if (pool_put(cfg->conn_pool, c)) {
      tc_config_unref(cfg);
      return;
    }
    tc_rec_free(&c->rec);
    tc_wr_free(&c->hsw);
  }
  tc_config_unref(cfg);
  free(c);
}

int tc_conn_set_server_name(tc_conn *c, const char *name) {
  if (c->role != TC_ROLE_CLIENT || c->started || !name || !*name || strlen(name) > 255)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "cannot set server name now");
  if (!tc_conn_keep_server_name(c, name, strlen(name)))
    return tc_conn_refuse(c, TC_ERR_NOMEM, "out of memory");
  return TC_OK;
}

TC_HOT bool tc_conn_keep_server_name(tc_conn *c, const char *name, size_t len) {
  char *p = c->sni_buf;
  if (len >= sizeof c->sni_buf && !(p = malloc(len + 1)))
    return false;
  memmove(p, name, len); /* name may be the current one */
  p[len] = 0;
  if (c->server_name && c->server_name != c->sni_buf && c->server_name != p)
    free(c->server_name);
  c->server_name = p;
  return true;
}

TC_HOT int tc_conn_set_session(tc_conn *c, tc_session *s) {
  if (c->role != TC_ROLE_CLIENT || c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "cannot set a session now");
  tc_session_unref(c->offer);
  c->offer = tc_session_ref(s);
  return TC_OK;
}

int tc_conn_set_alpn(tc_conn *c, const char *const *protocols, size_t n) {
  if (c->started || n > TC_CFG_MAX_ALPN)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "cannot set ALPN now");
  char **list = n ? calloc(n, sizeof *list) : NULL;
  if (n && !list)
    return tc_conn_refuse(c, TC_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    size_t l = protocols[i] ? strlen(protocols[i]) : 0;
    if (l == 0 || l > 255 || !(list[i] = strdup(protocols[i]))) {
      for (size_t j = 0; j < i; j++)
        free(list[j]);
      free(list);
      return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "ALPN names must be 1..255 bytes");
    }
  }
  for (size_t i = 0; i < c->n_alpn_list; i++)
    free(c->alpn_list[i]);
  free(c->alpn_list);
  c->alpn_list = list;
  c->n_alpn_list = n;
  c->alpn_override = true;
  return TC_OK;
}

TC_HOT const char *const *tc_conn_alpn_list(const tc_conn *c, size_t *n) {
  if (c->alpn_override) {
    *n = c->n_alpn_list;
    return (const char *const *)c->alpn_list;
  }
  *n = c->cfg->n_alpn;
  return (const char *const *)c->cfg->alpn;
}

/* ---- failure: latch the error and send exactly one alert ---- */

/* Cold: every caller is a failure path, which this moves out of the code a
 * working connection runs. */
static __attribute__((cold)) int fail(tc_conn *c) {
  if (c->err.code == TC_ERR_NONE)
    tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "internal error");
  if (c->state != HS_FAILED) {
    tc12_psk_explain(c); /* before the state it reads is gone */
    tc12_srp_explain(c);
    c->state = HS_FAILED;
    c->want = TC_WANT_NONE;
    c->app_len = 0;
    c->rec.hold = false;
    tc_wr_rewind(&c->hsw);
    if (!c->err.remote && c->err.alert >= 0 && !c->alert_sent) {
      uint8_t a[2] = {c->err.alert == 0 ? ALERT_WARNING : ALERT_FATAL, (uint8_t)c->err.alert};
      tc_error scratch;
      tc_error_clear(&scratch);
      if (tc_rec_write(&c->rec, TC_CT_ALERT, a, 2, &scratch) == TC_OK)
        c->alert_sent = true;
    }
    tc_hs_free(c);
  }
  return TC_FAIL;
}

TC_HOT int tc_conn_send_client_hello(tc_conn *c) {
  if (tc_client13_start(c) != TC_OK)
    return TC_FAIL;
  c->state = HS_C_WAIT_SH;
  return tc_hs_flush(c);
}

TC_HOT static int start(tc_conn *c) {
  if (c->started)
    return TC_OK;
  c->started = true;
  if (tc12_check_credentials(c) != TC_OK)
    return TC_FAIL;
  c->hs = pool_take(c->cfg->hs_pool);
  if (!c->hs)
    c->hs = calloc(1, sizeof *c->hs);
  if (!c->hs)
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory");
  if (c->role == TC_ROLE_CLIENT) {
    /* A retry for a server that wants SRP: credentials first (srp12.c). */
    if (tc12_srp_want_credentials(c)) {
      c->want = TC_WANT_SRP_CREDENTIALS;
      return TC_OK;
    }
    return tc_conn_send_client_hello(c);
  }
  c->rec.ssl2_hello = true; /* server12.c refuses it unless old versions are on */
  return TC_OK;
}

static bool ccs_allowed(const tc_conn *c) {
  /* RFC 8446 §5: after the first ClientHello, before the peer's Finished. */
  if (c->role == TC_ROLE_CLIENT)
    return c->state >= HS_C_WAIT_SH && c->state <= HS_C_WAIT_FINISHED;
  return c->state >= HS_S_WAIT_CH2 && c->state <= HS_S_WAIT_FINISHED;
}

TC_HOT static int dispatch(tc_conn *c, const uint8_t *msg, size_t len) {
  uint8_t type;
  const uint8_t *body;
  size_t blen;
  if (tc_msg_split(msg, len, &type, &body, &blen, &c->err))
    return TC_FAIL;
  if (TC_UNLIKELY(c->state == HS_CONNECTED))
    return c->version && c->version < TC_TLS13 ? tc_post12_handle(c, type, msg, len)
                                               : tc_post13_handle(c, type, msg, len);
  tc_hs_state next;
  if (c->state >= HS_C12_WAIT_CERT && c->state <= HS_C12_WAIT_FINISHED)
    next = tc_client12_handle(c, type, msg, len);
  else if (c->state >= HS_S12_WAIT_CERT && c->state <= HS_S12_WAIT_FINISHED)
    next = tc_server12_handle(c, type, msg, len);
  else
    next = c->role == TC_ROLE_CLIENT ? tc_client13_handle(c, type, msg, len)
                                     : tc_server13_handle(c, type, msg, len);
  if (next == HS_FAILED)
    return TC_FAIL;
  c->state = next;
  return TC_OK;
}

TC_HOT static void maybe_done(tc_conn *c) {
  /* A TLS 1.2 renegotiation completes with handshake_done already set. */
  if (c->state == HS_CONNECTED && (!c->handshake_done || c->hs)) {
    c->handshake_done = true;
    c->rec.plain_alerts = false;
    tc_hs_free(c);
  }
}

/* Out of line (noinline): alerts are rare in a handshake, and inlined
 * into process_loop their code would sit among the lines every record
 * runs through. */
static __attribute__((noinline)) int handle_alert(tc_conn *c, const uint8_t *d, size_t n) {
  if (n != 2)
    return tc_error_set(&c->err, TC_ERR_DECODE_ERROR, "malformed alert record");
  uint8_t level = d[0], desc = d[1];
  if (level != ALERT_WARNING && level != ALERT_FATAL)
    return tc_error_set(&c->err, TC_ERR_ILLEGAL_PARAMETER, "alert with bad level %u", level);
  c->alert_in[0] = level;
  c->alert_in[1] = desc;
  if (desc == 0) {
    c->peer_closed = true;
    if (!c->handshake_done) {
      tc_error_set(&c->err, TC_ERR_CLOSE_NOTIFY, "peer closed the connection during the handshake");
      c->err.remote = true;
      c->err.alert = 0;
      return TC_FAIL;
    }
    return TC_OK;
  }
  if (desc == TC_ERR_USER_CANCELED && level == ALERT_WARNING) {
    if (++c->warn_run > TC_REC_MAX_WARNINGS)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "more than %d warning alerts in a row",
                          TC_REC_MAX_WARNINGS);
    return TC_OK;
  }
  /* Our renegotiation refused by the server (RFC 5746 §4.4 leaves the
   * choice to us): drop the pending handshake, keep the connection. */
  if (level == ALERT_WARNING && desc == TC_ERR_NO_RENEGOTIATION && c->role == TC_ROLE_CLIENT &&
      c->handshake_done && c->hs && c->state == HS_C_WAIT_SH && c->c12.handshakes) {
    tc_hs_free(c);
    c->state = HS_CONNECTED;
    return TC_OK;
  }
  /* TLS 1.2 and older: other warnings (no_renegotiation, ...) are not fatal. */
  if (level == ALERT_WARNING && c->version && c->version < TC_TLS13) {
    if (++c->warn_run > TC_REC_MAX_WARNINGS)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "more than %d warning alerts in a row",
                          TC_REC_MAX_WARNINGS);
    return TC_OK;
  }
  /* TLS 1.3: every other alert is fatal whatever its level says. A server
   * answering our PSK offer this way names the cause (RFC 8446 §4.2.11). */
  if (c->role == TC_ROLE_CLIENT && c->hs && c->hs->n_offers && c->state == HS_C_WAIT_SH &&
      desc == TC_ERR_UNKNOWN_PSK_IDENTITY)
    tc_error_set(&c->err, (tc_err)desc,
                 "peer sent alert %s: the server does not know our PSK identity",
                 tc_alert_name(desc));
  else if (c->role == TC_ROLE_CLIENT && c->hs && c->hs->n_offers && c->state == HS_C_WAIT_SH &&
           desc == TC_ERR_DECRYPT_ERROR)
    tc_error_set(&c->err, (tc_err)desc,
                 "peer sent alert %s: the server could not verify our PSK binder (it holds a "
                 "different key for our identity)",
                 tc_alert_name(desc));
  else
    tc_error_set(&c->err, (tc_err)desc, "peer sent alert %s", tc_alert_name(desc));
  c->err.alert = desc;
  c->err.remote = true;
  return TC_FAIL;
}

/* A TLS 1.0-1.2 connection past its first handshake: application data may
 * arrive under the keys of the previous handshake while a renegotiation
 * (or its ClientHello) comes in. */
static bool established12(const tc_conn *c) {
  return c->handshake_done && c->version && c->version < TC_TLS13;
}
static bool renegotiating12(const tc_conn *c) { return established12(c) && c->hs; }

/* Established and idle: records that arrive now are, as a rule,
 * application data, which tc_conn_read can open straight into the
 * caller's buffer. */
static bool app_direct_ok(const tc_conn *c) {
  return c->handshake_done && !c->hs && c->want == TC_WANT_NONE && !c->peer_closed &&
         !c->app_len && c->state != HS_FAILED && !tc_rec_hs_partial(&c->rec);
}

/* A record waits that tc_conn_read will open (and most likely return). */
static bool app_record_waiting(const tc_conn *c) {
  return app_direct_ok(c) && tc_rec_app_record_ready(&c->rec);
}

/* Run the engine as far as buffered input and answered wants allow.
 * TC_OK: application data is ready, or nothing more to do without the
 * application; TC_AGAIN: needs input; TC_WANT; TC_FAIL. With `lazy`
 * (input just arrived), stop before a record tc_conn_read can open into
 * the caller's buffer instead of opening it in place now. */
static int process_input(tc_conn *c, bool lazy);
static int process(tc_conn *c) { return process_input(c, false); }

/* Client, TLS 1.3, the handshake just completed with lazy records: the
 * NewSessionTickets that came with the server's flight are taken now, so a
 * caller that never reads still gets them. Only whole handshake records
 * that start with a NewSessionTicket, at the head of the input, up to the
 * first other record (application data stays queued for tc_conn_read, an
 * alert or a bad record for whoever processes input next, as before).
 * 1: one taken. */
static int take_ticket_record(tc_conn *c) {
  uint8_t buf[4096]; /* a ticket record larger than this waits for the read */
  size_t n = 0;
  if (c->role != TC_ROLE_CLIENT || c->version != TC_TLS13 || c->hs ||
      !tc_rec_next_hs_into(&c->rec, TC_HS_NEW_SESSION_TICKET, buf, sizeof buf, &n))
    return 0;
  c->warn_run = 0;
  c->empty_run = 0;
  int r = tc_rec_hs_append(&c->rec, buf, n, &c->err);
  tc_wipe(buf, n);
  return r == TC_OK ? 1 : -1;
}

static int process_loop(tc_conn *c, bool lazy);

/* States in which the engine acts without waiting for a message (a want
 * answered, a TLS 1.3 client's flight): one bit test for all of them. */
static bool action_state(tc_hs_state s) {
  return s == HS_S12_SRP_FLIGHT || s == HS_S12_PSK_KEY || s == HS_S_PSK_KEY ||
         s == HS_C_SEND_FLIGHT;
}

/* Out of line: one call per handshake at most, and none in a TLS 1.2
 * resumption; its code stays out of the loop every record runs through. */
static __attribute__((noinline)) int run_action(tc_conn *c) {
  tc_hs_state next;
  switch (c->state) {
  case HS_S12_SRP_FLIGHT:
    next = tc_server12_srp_flight(c);
    break;
  case HS_S12_PSK_KEY: /* a PSK want answered: the message that raised it, processed on */
    next = tc_server12_psk_key(c);
    break;
  case HS_S_PSK_KEY:
    next = tc_server13_resume(c);
    break;
  default: /* HS_C_SEND_FLIGHT */
    next = tc_client13_action(c);
    break;
  }
  if (next == HS_FAILED || tc_hs_flush(c) != TC_OK)
    return fail(c);
  bool flight = c->state == HS_C_SEND_FLIGHT;
  c->state = next;
  if (flight)
    maybe_done(c);
  return TC_OK;
}

/* A record that did not open (c->err set). A server that ignores offered
 * 0-RTT data drops records it cannot decrypt (RFC 8446 §4.2.10), up to its
 * max_early_data_size, and only while they can be early data: not after a
 * HelloRetryRequest (the second ClientHello may not offer it) nor once a
 * record decrypted. true: skipped, error cleared. */
static __attribute__((cold, noinline)) bool skip_early_record(tc_conn *c) {
  tc_hs *hs = c->hs;
  size_t early = c->rec.last_body > 17 ? c->rec.last_body - 17 : 0;
  if (hs && hs->early_data_offered && !hs->hrr && !hs->early_window_closed &&
      c->err.code == TC_ERR_BAD_RECORD_MAC && early <= TC_REC_MAX_EARLY_SKIP - hs->early_skipped) {
    hs->early_skipped += early;
    tc_error_clear(&c->err);
    return true;
  }
  return false;
}

/* A TLS 1.3 ChangeCipherSpec record (compatibility mode). */
static __attribute__((noinline)) int ccs13(tc_conn *c, const uint8_t *d, size_t dl) {
  if (!ccs_allowed(c))
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected ChangeCipherSpec");
  if (dl != 1 || d[0] != 1)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "malformed ChangeCipherSpec");
  /* RFC 8446 Appendix D.4: a peer in compatibility mode sends exactly
   * one; a second one is refused, as OpenSSL and BoringSSL do. */
  if (++c->ccs13_count > 1)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "more than one ChangeCipherSpec in a TLS 1.3 handshake");
  return TC_OK;
}

/* An application-data record opened in place (tc_conn_read opens most of
 * them straight into the caller's buffer, and a handshake meets none): 1
 * when it holds data for the caller, 0 when it is skipped, TC_FAIL with
 * c->err set. */
static __attribute__((noinline)) int app_record(tc_conn *c, uint8_t *d, size_t dl) {
  if (!c->handshake_done) {
    /* Early data sent before our HelloRetryRequest arrives as
     * unprotected-looking records: skipped within the same bound. */
    if (c->role == TC_ROLE_SERVER && c->state == HS_S_WAIT_CH2 && c->hs &&
        c->hs->early_data_offered && dl <= TC_REC_MAX_EARLY_SKIP - c->hs->early_skipped) {
      c->hs->early_skipped += dl;
      return 0;
    }
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "application data before the handshake completed");
  }
  /* Between the peer's ChangeCipherSpec and its Finished the new keys
   * are not yet confirmed: nothing but Finished may arrive (RFC 5246
   * §7.4.9), application data included. */
  if (renegotiating12(c) && c->hs->t12.ccs_seen)
    return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                        "application data between ChangeCipherSpec and Finished");
  if (dl == 0) {
    if (++c->empty_run > TC_REC_MAX_EMPTY)
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "more than %d empty records in a row",
                          TC_REC_MAX_EMPTY);
    return 0;
  }
  c->key_update_run = 0;
  c->app_off = (size_t)(d - c->rec.ibuf);
  c->app_len = dl;
  c->rec.hold = true;
  return 1;
}


TC_HOT static int process_input(tc_conn *c, bool lazy) {
  int r = process_loop(c, lazy);
  /* Handshake bytes still read in place (a want raised, or a message left
   * for after its answer) are copied to the reassembly buffer now: the
   * caller may move the input buffer before processing resumes. */
  if (c->rec.hs_view_len) {
    if (r == TC_FAIL) {
      c->rec.hs_view = NULL;
      c->rec.hs_view_len = 0;
    } else if (tc_rec_hs_settle(&c->rec, &c->err) != TC_OK)
      return fail(c);
  }
  return r;
}

TC_HOT static int process_loop(tc_conn *c, bool lazy) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (start(c) != TC_OK)
    return fail(c);
  bool was_done = c->handshake_done;
  for (;;) {
    if (TC_UNLIKELY(c->want != TC_WANT_NONE))
      return TC_WANT;
    if (TC_UNLIKELY(action_state(c->state))) {
      if (run_action(c) != TC_OK)
        return TC_FAIL;
      continue;
    }
    const uint8_t *m;
    size_t ml;
    /* A server's first flight starts with a ClientHello, and so does the
     * answer to its HelloRetryRequest. */
    c->rec.hs_only =
        c->state == HS_S_WAIT_CH || c->state == HS_S_WAIT_CH2 ? TC_HS_CLIENT_HELLO : 0;
    int r = tc_rec_hs_peek(&c->rec, &m, &ml, &c->err);
    if (r < 0)
      return fail(c);
    if (r == 1) {
      if (TC_UNLIKELY(c->state == HS_C12_WAIT_CERT_STATUS) && tc_client12_verify_first(c, m[0]))
        return TC_WANT; /* the message is taken after the answer */
      tc_rec_hs_consume(&c->rec, ml);
      if (dispatch(c, m, ml) != TC_OK || tc_hs_flush(c) != TC_OK)
        return fail(c);
      maybe_done(c);
      continue;
    }
    if (TC_UNLIKELY(c->app_len || c->peer_closed))
      return TC_OK;
    if (TC_UNLIKELY(lazy && c->lazy_records) && app_record_waiting(c)) {
      int t = was_done ? 0 : take_ticket_record(c);
      if (t < 0)
        return fail(c);
      if (t == 0)
        return TC_OK;
      continue;
    }
    c->rec.hold = false;
    uint8_t type = 0;
    uint8_t *d = NULL;
    size_t dl = 0;
    r = tc_rec_next(&c->rec, &type, &d, &dl, &c->err);
    if (r < 0) {
      if (skip_early_record(c))
        continue;
      return fail(c);
    }
    if (r == 0)
      return TC_AGAIN;
    if (c->hs && c->rec.rd.ops && type != TC_CT_CHANGE_CIPHER_SPEC)
      c->hs->early_window_closed = true;
    /* TLS 1.3 forbids any record between the fragments of a handshake
     * message (RFC 8446 §5.1); TLS 1.2 lets content types interleave (RFC
     * 5246 §6.2.1), which matters for application data that keeps flowing
     * during a renegotiation. Nothing else may come in between. */
    if (type != TC_CT_HANDSHAKE && TC_UNLIKELY(tc_rec_hs_partial(&c->rec)) &&
        !(type == TC_CT_APPLICATION_DATA && established12(c)))
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                          "record interleaved with a fragmented handshake message"),
             fail(c);
    if (type != TC_CT_ALERT)
      c->warn_run = 0;
    if (type != TC_CT_APPLICATION_DATA || dl > 0)
      c->empty_run = 0;
    switch (type) {
    case TC_CT_HANDSHAKE:
      if (tc_rec_hs_take(&c->rec, d, dl, &c->err) != TC_OK)
        return fail(c);
      break;
    case TC_CT_ALERT:
      if (handle_alert(c, d, dl) != TC_OK)
        return fail(c);
      break;
    case TC_CT_CHANGE_CIPHER_SPEC:
      if (c->version && c->version < TC_TLS13) {
        /* TLS 1.2 and older: a real protocol step switching the read keys. */
        if (dl != 1 || d[0] != 1)
          return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "malformed ChangeCipherSpec"),
                 fail(c);
        if (tc12_on_ccs(c) != TC_OK)
          return fail(c);
        break;
      }
      if (ccs13(c, d, dl) != TC_OK)
        return fail(c);
      break;
    case TC_CT_SSL2_HELLO:
      if (tc_server12_ssl2_hello(c, d, dl) != TC_OK)
        return fail(c);
      break;
    case TC_CT_APPLICATION_DATA:
      r = app_record(c, d, dl);
      if (r < 0)
        return fail(c);
      if (r == 1)
        return TC_OK;
      break;
    default:
      return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE, "unexpected record type %u", type),
             fail(c);
    }
  }
}

TC_HOT unsigned tc_conn_status(tc_conn *c) {
  if (TC_UNLIKELY(!c->started) && c->state != HS_FAILED && start(c) != TC_OK)
    fail(c);
  unsigned st = tc_rec_output_pending(&c->rec) ? TC_S_OUTPUT : 0;
  if (TC_UNLIKELY(c->state == HS_FAILED))
    return st | TC_S_FAILED;
  /* The flags as values, not as a branch each: this runs after every
   * turn of every connection. */
  bool idle = c->want == TC_WANT_NONE;
  bool waiting = TC_UNLIKELY(c->lazy_records) && app_record_waiting(c);
  st |= (idle ? 0 : TC_S_WANT) | (c->handshake_done ? TC_S_READY : 0) |
        (c->app_len || waiting ? TC_S_READABLE : 0) | (c->peer_closed ? TC_S_PEER_CLOSED : 0);
  if (TC_UNLIKELY(c->close_sent) && !tc_rec_output_pending(&c->rec))
    st |= TC_S_CLOSED;
  if (!c->peer_closed && !c->app_len && !waiting && idle && !tc_rec_input_full(&c->rec))
    st |= c->handshake_done ? TC_S_INPUT : TC_S_INPUT | TC_S_NEED_INPUT;
  return st;
}

TC_HOT uint8_t *tc_conn_input_buf(tc_conn *c, size_t *cap) {
  *cap = 0;
  if (c->state == HS_FAILED || c->peer_closed)
    return NULL;
  uint8_t *p = tc_rec_input_buf(&c->rec, cap, &c->err);
  if (!p && c->err.code != TC_ERR_NONE)
    fail(c);
  return p;
}

TC_HOT int tc_conn_input_ack(tc_conn *c, size_t n) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  /* More than was offered would take bytes nobody wrote: a caller bug
   * that must not pass as input. */
  if (!tc_rec_input_ack(&c->rec, n))
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT,
                        "input acknowledged beyond the buffer offered (%zu bytes)", n),
           fail(c);
  int r = process_input(c, true);
  return r == TC_AGAIN ? TC_OK : r;
}

TC_HOT int tc_conn_feed(tc_conn *c, const uint8_t *data, size_t len, size_t *consumed) {
  size_t done = 0;
  int r = c->state == HS_FAILED ? TC_FAIL : TC_OK;
  while (r == TC_OK && done < len) {
    size_t cap;
    uint8_t *p = tc_conn_input_buf(c, &cap);
    if (!p || cap == 0)
      break;
    size_t k = len - done < cap ? len - done : cap;
    memcpy(p, data + done, k);
    done += k;
    r = tc_conn_input_ack(c, k);
  }
  if (consumed)
    *consumed = done;
  if (c->state == HS_FAILED)
    return TC_FAIL;
  return r;
}

size_t tc_conn_input_missing(tc_conn *c) {
  if (c->state == HS_FAILED || c->peer_closed)
    return 0;
  return tc_rec_input_missing(&c->rec);
}

void tc_conn_input_eof(tc_conn *c) {
  if (c->state == HS_FAILED || c->peer_closed)
    return;
  tc_error_set(&c->err, TC_ERR_ABRUPT_EOF, "the peer closed the connection without close_notify");
  fail(c);
}

TC_HOT const uint8_t *tc_conn_output(tc_conn *c, size_t *len) {
  if (c->state != HS_FAILED && !c->started && start(c) != TC_OK)
    fail(c);
  return tc_rec_output(&c->rec, len);
}

TC_HOT void tc_conn_output_ack(tc_conn *c, size_t n) { tc_rec_output_ack(&c->rec, n); }

size_t tc_conn_output_vec(tc_conn *c, tc_out_piece *v, size_t max, size_t *len) {
  tc_rec_piece p[TC_REC_MAX_GAPS + 1];
  if (c->state != HS_FAILED && !c->started && start(c) != TC_OK)
    fail(c);
  size_t n = tc_rec_output_vec(&c->rec, p, max < TC_REC_MAX_GAPS + 1 ? max : TC_REC_MAX_GAPS + 1,
                               len);
  for (size_t i = 0; i < n; i++) {
    v[i].base = p[i].base;
    v[i].len = p[i].len;
  }
  return n;
}

void tc_conn_set_aligned_records(tc_conn *c, bool on) { c->rec.align_out = on; }

void tc_conn_set_lazy_records(tc_conn *c, bool on) { c->lazy_records = on; }

void tc_conn_set_input_records(tc_conn *c, unsigned n) { tc_rec_set_input_records(&c->rec, n); }

void tc_conn_set_write_records(tc_conn *c, unsigned n) {
  c->write_records = (uint8_t)(n < 1 ? 1 : n > 16 ? 16 : n);
}

int tc_conn_read(tc_conn *c, uint8_t *buf, size_t len, size_t *n) {
  *n = 0;
  /* Zero copy: an application-data record whose plaintext fits is opened
   * straight into buf. Anything else (a post-handshake message, an alert,
   * a small buf) goes through process() and the input buffer. */
  while (app_direct_ok(c)) {
    size_t k = 0;
    if (tc_rec_next_app_into(&c->rec, buf, len, &k) != 1)
      break;
    /* The same flood accounting as process() does for these records. */
    c->warn_run = 0;
    if (k == 0) {
      if (++c->empty_run > TC_REC_MAX_EMPTY)
        return tc_error_set(&c->err, TC_ERR_UNEXPECTED_MESSAGE,
                            "more than %d empty records in a row", TC_REC_MAX_EMPTY),
               fail(c);
      continue;
    }
    c->empty_run = 0;
    c->key_update_run = 0;
    *n = k;
    return TC_OK;
  }
  int r = process(c);
  if (r == TC_FAIL)
    return TC_FAIL;
  if (c->app_len) {
    size_t k = len < c->app_len ? len : c->app_len;
    memcpy(buf, c->rec.ibuf + c->app_off, k);
    c->app_off += k;
    c->app_len -= k;
    *n = k;
    if (!c->app_len)
      c->rec.hold = false;
    return TC_OK;
  }
  if (r == TC_WANT)
    return TC_WANT;
  if (c->peer_closed)
    return TC_EOF;
  return TC_AGAIN;
}

int tc_conn_write(tc_conn *c, const uint8_t *buf, size_t len, size_t *n) {
  *n = 0;
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->close_sent)
    return tc_error_set(&c->err, TC_ERR_CLOSED, "write after close"), fail(c);
  if (!c->handshake_done) {
    int r = process(c);
    if (r == TC_FAIL || r == TC_WANT)
      return r;
    if (!c->handshake_done)
      return TC_AGAIN;
  }
  if (len == 0)
    return TC_OK;
  /* RFC 8446 §5.5: rekey well before the AEAD usage limits (2^24.5 records
   * for AES-GCM). */
  if (c->version == TC_TLS13 && c->rec.wr.seq >= (UINT64_C(1) << 24) &&
      tc_post13_key_update(c, false) != TC_OK)
    return fail(c);
  size_t done = 0;
  size_t frag = c->rec.max_frag ? c->rec.max_frag : TC_REC_MAX_PLAIN;
  if (c->write_records > 1 && len > frag && !tc_rec_output_pending(&c->rec)) {
    size_t want = (len + frag - 1) / frag;
    if (tc_rec_reserve(&c->rec, want < c->write_records ? want : c->write_records, &c->err))
      return fail(c);
  }
  while (done < len) {
    size_t room = tc_rec_write_room(&c->rec, &c->err);
    if (c->err.code != TC_ERR_NONE)
      return fail(c);
    /* With output pending, do not cut a large write into a runt record:
     * wait for the socket to drain instead. */
    if (room == 0 || (room < len - done && room < c->rec.max_frag &&
                      tc_rec_output_pending(&c->rec)))
      break;
    size_t k = len - done < room ? len - done : room;
    if (tc_rec_write(&c->rec, TC_CT_APPLICATION_DATA, buf + done, k, &c->err) != TC_OK)
      return fail(c);
    done += k;
  }
  *n = done;
  return done ? TC_OK : TC_AGAIN;
}

int tc_conn_close(tc_conn *c) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->close_sent)
    return TC_OK;
  uint8_t a[2] = {ALERT_WARNING, 0};
  if (tc_hs_flush(c) != TC_OK || tc_rec_write(&c->rec, TC_CT_ALERT, a, 2, &c->err) != TC_OK)
    return fail(c);
  c->close_sent = true;
  c->alert_sent = true;
  return TC_OK;
}

int tc_conn_key_update(tc_conn *c, bool request_update) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (!c->handshake_done || c->version != TC_TLS13 || c->close_sent)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT,
                          "KeyUpdate needs an established TLS 1.3 connection");
  if (tc_post13_key_update(c, request_update) != TC_OK)
    return fail(c);
  return TC_OK;
}

void tc_conn_shrink(tc_conn *c) {
  if (c->app_len || c->hs)
    return;
  tc_rec_shrink(&c->rec);
  if (c->hsw.len == 0)
    tc_wr_free(&c->hsw);
  tc_wr_init_dyn(&c->hsw);
}

/* ---- wants ---- */

int tc_conn_continue(tc_conn *c) {
  int r = process(c);
  return r == TC_AGAIN ? TC_OK : r;
}

int tc_conn_fail(tc_conn *c) { return fail(c); }

int tc_conn_abort(tc_conn *c, const char *message) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  tc_error_set(&c->err, TC_ERR_INTERNAL_ERROR, "%s",
               message ? message : "the local side could not go on");
  return fail(c);
}

tc_want tc_conn_want(const tc_conn *c) { return c->want; }

int tc_conn_answer_verify(tc_conn *c, bool accept, unsigned cert_flags, const char *message) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_VERIFY_PEER)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no verification pending"), fail(c);
  c->want = TC_WANT_NONE;
  c->peer_flags = cert_flags;
  if (!accept) {
    tc_err code = TC_ERR_BAD_CERTIFICATE;
    if (cert_flags & TC_CERT_UNKNOWN_CA)
      code = TC_ERR_UNKNOWN_CA;
    else if (cert_flags & (TC_CERT_EXPIRED | TC_CERT_NOT_ACTIVATED))
      code = TC_ERR_CERTIFICATE_EXPIRED;
    else if (cert_flags & TC_CERT_REVOKED)
      code = TC_ERR_CERTIFICATE_REVOKED;
    tc_error_set(&c->err, code, "%s",
                 message ? message : "the peer certificate was rejected");
    return fail(c);
  }
  c->verify_answered = true;
  int r = process(c);
  return r == TC_AGAIN ? TC_OK : r;
}

int tc_conn_answer_client_cert(tc_conn *c, tc_cert *const *chain, size_t n, tc_privkey *key) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_CLIENT_CERT || !c->hs)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no client certificate request pending"),
           fail(c);
  c->want = TC_WANT_NONE;
  if (n > 0 && key && chain) {
    if (!tc_privkey_matches_cert(key, chain[0]))
      return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT,
                          "client key does not match its certificate"),
             fail(c);
    tc_cert **copy = calloc(n, sizeof *copy);
    if (!copy)
      return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), fail(c);
    for (size_t i = 0; i < n; i++)
      copy[i] = tc_cert_ref(chain[i]);
    c->hs->my_chain = copy;
    c->hs->my_n = n;
    c->hs->my_key = tc_privkey_ref(key);
    c->hs->own_answer = true;
  }
  int r = process(c);
  return r == TC_AGAIN ? TC_OK : r;
}

size_t tc_conn_acceptable_ca_count(const tc_conn *c) { return c->hs ? c->hs->n_cas : 0; }

const uint8_t *tc_conn_acceptable_ca(const tc_conn *c, size_t i, size_t *len) {
  if (!c->hs || i >= c->hs->n_cas) {
    *len = 0;
    return NULL;
  }
  *len = c->hs->ca_lens[i];
  return c->hs->ca_ptrs[i];
}

/* ---- results ---- */

int tc_conn_last_alert(const tc_conn *c, bool sent, int *level) {
  const uint8_t *a = sent ? c->rec.alert_out : c->alert_in;
  if (level)
    *level = a[0] ? a[0] : -1;
  return a[0] ? a[1] : -1;
}

const tc_error *tc_conn_error(const tc_conn *c) {
  /* The connection's own error once there is one; before that, why the
   * last refused call was refused (or "no error"). */
  return c->err.code != TC_ERR_NONE || c->state == HS_FAILED ? &c->err : &c->refusal;
}

int tc_conn_refuse(tc_conn *c, tc_err code, const char *why) {
  tc_error_clear(&c->refusal);
  tc_error_set(&c->refusal, code, "%s", why);
  c->refusal.alert = -1; /* nothing goes on the wire */
  return TC_FAIL;
}
tc_role tc_conn_role(const tc_conn *c) { return c->role; }
bool tc_conn_handshake_done(const tc_conn *c) { return c->handshake_done; }
uint16_t tc_conn_version(const tc_conn *c) { return c->version; }
uint16_t tc_conn_cipher_suite(const tc_conn *c) { return c->suite; }
uint16_t tc_conn_group(const tc_conn *c) { return c->group; }
uint16_t tc_conn_sig_scheme(const tc_conn *c) { return c->peer_scheme; }
uint16_t tc_conn_peer_cert_compression(const tc_conn *c) { return c->peer_cert_compression; }
const char *tc_conn_alpn(const tc_conn *c) { return c->alpn; }
const char *tc_conn_server_name(const tc_conn *c) {
  return c->role == TC_ROLE_SERVER ? c->server_name : NULL;
}
bool tc_conn_resumed(const tc_conn *c) { return c->resumed; }

size_t tc_conn_peer_chain(const tc_conn *c, tc_cert *const **chain) {
  if (chain)
    *chain = c->peer_chain;
  return c->peer_n;
}

unsigned tc_conn_peer_cert_flags(const tc_conn *c) { return c->peer_flags; }

tc_session *tc_conn_get_session(tc_conn *c) {
  return tc_session_ref(c->latest ? c->latest : c->latest_is_offer ? c->offer : NULL);
}

size_t tc_conn_take_sessions(tc_conn *c, tc_session **out, size_t max) {
  size_t n = c->n_fresh < max ? c->n_fresh : max;
  memcpy(out, c->fresh, n * sizeof *out);
  memmove(c->fresh, c->fresh + n, (c->n_fresh - n) * sizeof *out);
  c->n_fresh = (uint8_t)(c->n_fresh - n);
  return n;
}

bool tc_session_single_use(const tc_session *s) { return s && s->version >= TC_TLS13; }

bool tc_session_expired(const tc_session *s, int64_t now) {
  return !s || now < s->received || now - s->received >= (int64_t)s->lifetime;
}

int tc_conn_binding(tc_conn *c, tc_binding type, uint8_t *out, size_t *len, tc_error *err) {
  if (!c->handshake_done)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "handshake not complete");
  switch (type) {
  case TC_BINDING_TLS_UNIQUE:
    if (c->version && c->version < TC_TLS13 && c->c12.tls_unique_len) {
      if (*len < c->c12.tls_unique_len)
        return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "binding buffer too small");
      memcpy(out, c->c12.tls_unique, c->c12.tls_unique_len);
      *len = c->c12.tls_unique_len;
      return TC_OK;
    }
    return tc_error_set(err, TC_ERR_UNSUPPORTED, "tls-unique does not exist in TLS 1.3");
  case TC_BINDING_TLS_SERVER_END_POINT: {
    const tc_cert *leaf = c->role == TC_ROLE_CLIENT ? (c->peer_n ? c->peer_chain[0] : NULL)
                                                    : c->my_leaf;
    if (!leaf)
      return tc_error_set(err, TC_ERR_UNSUPPORTED, "no server certificate for tls-server-end-point");
    uint8_t h[64];
    size_t hl = tc_cert_end_point_hash(leaf, h);
    if (!hl)
      return tc_error_set(err, TC_ERR_UNSUPPORTED, "cannot hash the server certificate");
    if (*len < hl)
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "binding buffer too small");
    memcpy(out, h, hl);
    *len = hl;
    return TC_OK;
  }
  case TC_BINDING_TLS_EXPORTER:
    if (*len < 32)
      return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "binding buffer too small");
    *len = 32;
    return tc_conn_export(c, "EXPORTER-Channel-Binding", NULL, 0, false, out, 32, err);
  }
  return tc_error_set(err, TC_ERR_UNSUPPORTED, "unknown channel binding");
}

int tc_conn_export(tc_conn *c, const char *label, const uint8_t *context, size_t context_len,
                   bool use_context, uint8_t *out, size_t out_len, tc_error *err) {
  if (!c->have_exporter)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "handshake not complete");
  if (!label || strlen(label) > 249 || out_len > 255 * c->hlen)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "bad exporter label or length");
  if (c->version < TC_TLS13)
    return tc12_export(c, label, context, context_len, use_context, out, out_len, err);
  /* TLS 1.3 treats "no context" as an empty context (RFC 8446 §7.5). */
  if (!use_context)
    context_len = 0;
  if (tc_ks_export(c->hash, c->exporter, label, context, context_len, out, out_len))
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "exporter failed");
  return TC_OK;
}

int tc_conn_renegotiate(tc_conn *c) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (!tc12_reneg_allowed(c))
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT,
                          "renegotiation needs an established TLS 1.0-1.2 connection, "
                          "TC_RENEG_SECURE and RFC 5746 support on both ends");
  /* From here a failure is the connection's: its state has moved on. */
  int r = c->role == TC_ROLE_SERVER ? tc_server12_hello_request(c) : tc_client12_renegotiate(c);
  return r == TC_OK ? TC_OK : fail(c);
}
