/* Stateless TLS 1.3 tickets: session state sealed with AES-256-GCM under a per-period key. */
#include "auth/session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "msg/reader.h"

/* ticket = period (8) || nonce (12) || AEAD(state) || tag (16); the period
 * is authenticated as additional data. */
#define TICKET_HDR (8 + 12)

static int64_t period_of(const tc_config *cfg, int64_t now) {
  int64_t life = cfg->ticket_lifetime ? cfg->ticket_lifetime : 1;
  return now >= 0 ? now / life : 0;
}

/* The AEAD key of one period under one base secret: HKDF from the secret,
 * cached for the latest periods used (tickets are opened under the current
 * or the previous one, for each of up to TC_TICKET_MAX_KEYS secrets), so
 * sealing and opening do not run HKDF each time. A cached key only counts
 * for the base secret it came from (tc_config_set_ticket_key(s) may replace
 * it). */
/* The key itself, ticket_lock held. */
static int period_key_locked(tc_config *cfg, const uint8_t secret[32], uint64_t period,
                             uint8_t key[32]) {
  uint8_t info[24];
  int rc = 0;
  int hit = -1, victim = 0;
  for (int i = 0; i < (int)(sizeof cfg->ticket_keys / sizeof cfg->ticket_keys[0]); i++) {
    if (cfg->ticket_keys[i].valid && cfg->ticket_keys[i].period == period &&
        tc_ct_equal(cfg->ticket_keys[i].from, secret, 32))
      hit = i;
    if (!cfg->ticket_keys[i].valid ||
        (cfg->ticket_keys[victim].valid &&
         cfg->ticket_keys[i].period < cfg->ticket_keys[victim].period))
      victim = i;
  }
  if (hit >= 0) {
    memcpy(key, cfg->ticket_keys[hit].key, 32);
  } else {
    memcpy(info, "tlscore ticket key", 16);
    for (int i = 0; i < 8; i++)
      info[16 + i] = (uint8_t)(period >> (56 - 8 * i));
    rc = tc_hkdf_expand(TC_HASH_SHA256, secret, 32, info, sizeof info, key, 32);
    if (rc == 0) {
      cfg->ticket_keys[victim].valid = true;
      cfg->ticket_keys[victim].period = period;
      memcpy(cfg->ticket_keys[victim].key, key, 32);
      memcpy(cfg->ticket_keys[victim].from, secret, 32);
    }
  }
  return rc;
}

static int period_key(tc_config *cfg, const uint8_t secret[32], uint64_t period, tc_aead *a) {
  uint8_t key[32];
  pthread_mutex_lock(&cfg->ticket_lock);
  int rc = period_key_locked(cfg, secret, period, key);
  pthread_mutex_unlock(&cfg->ticket_lock);
  if (rc == 0)
    rc = tc_aead_init(a, TC_AEAD_AES256_GCM, key, sizeof key);
  tc_wipe(key, sizeof key);
  return rc;
}

/* The keys that may open a ticket of `period`, one per base secret (the
 * sealing one first, then tc_config_set_ticket_keys' older ones), each
 * from the cache or HKDF, all under one hold of ticket_lock (a resumption
 * by ticket took it 2 + n times before). Returns how many; 0 if the rng
 * failed to make the first secret. */
static size_t open_keys(tc_config *cfg, uint64_t period, uint8_t keys[][32]) {
  size_t n = 0;
  pthread_mutex_lock(&cfg->ticket_lock);
  if (!cfg->ticket_secret_set && tc_random(&cfg->rng, cfg->ticket_secret, 32) == 0)
    cfg->ticket_secret_set = true;
  if (cfg->ticket_secret_set) {
    size_t all = 1 + cfg->n_ticket_old;
    while (n < all &&
           period_key_locked(cfg, n ? cfg->ticket_old[n - 1] : cfg->ticket_secret, period,
                             keys[n]) == 0)
      n++;
  }
  pthread_mutex_unlock(&cfg->ticket_lock);
  return n;
}

static void encode_state(tc_writer *w, const tc_ticket_state *st) {
  tc_wr_u16(w, st->version);
  tc_wr_u16(w, st->suite);
  tc_wr_vec8(w, st->psk, st->psk_len);
  tc_wr_u32(w, (uint32_t)((uint64_t)st->issued >> 32));
  tc_wr_u32(w, (uint32_t)st->issued);
  tc_wr_u32(w, st->age_add);
  tc_wr_u32(w, st->lifetime);
  tc_wr_vec8(w, (const uint8_t *)st->alpn, strlen(st->alpn));
  tc_wr_vec16(w, st->psk_identity, st->psk_identity_len);
  tc_wr_vec8(w, st->srp_user, st->srp_user_len);
}

int tc_ticket_seal(tc_config *cfg, const tc_ticket_state *st, uint8_t **out, size_t *out_len,
                   tc_error *err) {
  uint8_t plain[TC_HASH_MAX_LEN + 300 + TC_PSK_MAX_IDENTITY + 1 + TC_SRP_MAX_USER];
  tc_writer w;
  tc_wr_init_fixed(&w, plain, sizeof plain);
  encode_state(&w, st);
  if (!tc_wr_ok(&w))
    return tc_error_set(err, TC_ERR_INTERNAL_ERROR, "ticket state does not fit");
  size_t plen = tc_wr_len(&w);
  uint64_t period = (uint64_t)period_of(cfg, st->issued);
  tc_aead a_, *a = &a_; /* on the stack: 4.4 KiB would miss malloc's fast bins */
  uint8_t *t = malloc(TICKET_HDR + plen + TC_AEAD_TAG_LEN);
  int rc = TC_FAIL;
  if (!t) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (int i = 0; i < 8; i++)
    t[i] = (uint8_t)(period >> (56 - 8 * i));
  uint8_t secret[32];
  int bad_key = tc_config_ticket_secret(cfg, secret) || period_key(cfg, secret, period, a);
  tc_wipe(secret, sizeof secret);
  if (bad_key) {
    tc_error_set(err, TC_ERR_RANDOM, "cannot derive the ticket key");
    goto done;
  }
  if (tc_random(&cfg->rng, t + 8, 12)) {
    tc_aead_clear(a);
    tc_error_set(err, TC_ERR_RANDOM, "random source failed");
    goto done;
  }
  memcpy(t + TICKET_HDR, plain, plen);
  tc_aead_seal(a, t + 8, t, 8, t + TICKET_HDR, plen, t + TICKET_HDR + plen);
  tc_aead_clear(a);
  *out = t;
  *out_len = TICKET_HDR + plen + TC_AEAD_TAG_LEN;
  t = NULL;
  rc = TC_OK;
done:
  /* a was cleared on every path that set its key up; a failed set-up
   * (period_key) writes no key into it. Clearing it again would wipe all
   * 4.4 KiB of a context whose algorithm the first clear reset. */
  tc_wipe(plain, sizeof plain);
  free(t);
  return rc;
}

int tc_ticket_open_in(tc_config *cfg, const uint8_t *ticket, size_t len, int64_t now,
                      uint8_t buf[TC_TICKET_MAX_LEN], size_t *used, tc_ticket_view *v) {
  *used = 0;
  if (len < TICKET_HDR + TC_AEAD_TAG_LEN + 8 || len > TC_TICKET_MAX_LEN)
    return -1;
  uint64_t period = 0;
  for (int i = 0; i < 8; i++)
    period = period << 8 | ticket[i];
  uint64_t cur = (uint64_t)period_of(cfg, now);
  /* Current key and the previous one (tickets issued just before a rotation). */
  if (period != cur && period + 1 != cur)
    return -1;
  size_t clen = len - TICKET_HDR - TC_AEAD_TAG_LEN;
  uint8_t keys[TC_TICKET_MAX_KEYS][32];
  tc_aead a_, *a = &a_; /* on the stack: 4.4 KiB would miss malloc's fast bins */
  int bad = 1;
  size_t n_keys = open_keys(cfg, period, keys);
  if (n_keys)
    *used = clen; /* every try below writes buf[0..clen) */
  /* nginx's rotation: any of the keys opens (the tag tells which one
   * sealed; at most TC_TICKET_MAX_KEYS tries). */
  for (size_t k = 0; k < n_keys && bad; k++) {
    memcpy(buf, ticket + TICKET_HDR, clen);
    if (tc_aead_init(a, TC_AEAD_AES256_GCM, keys[k], 32))
      break;
    bad = tc_aead_open(a, ticket + 8, ticket, 8, buf, clen, ticket + TICKET_HDR + clen);
    tc_aead_clear(a);
  }
  /* Each try cleared a; a failed set-up writes no key into it
   * (tc_aead_init checks its arguments before it writes). */
  tc_wipe(keys, n_keys * sizeof keys[0]);
  if (bad)
    return -1;
  /* Read in place: the fields point into buf, so nothing is copied out
   * and only the clen bytes of buf need a wipe afterwards. The bounds are
   * those of tc_ticket_state's fields (tc_ticket_open copies into them). */
  tc_reader r, psk, alpn, id, user;
  uint32_t hi, lo;
  tc_rd_init(&r, buf, clen);
  if (!tc_rd_u16(&r, &v->version) || !tc_rd_u16(&r, &v->suite) || !tc_rd_vec8(&r, &psk) ||
      psk.len > TC_HASH_MAX_LEN || !tc_rd_u32(&r, &hi) || !tc_rd_u32(&r, &lo) ||
      !tc_rd_u32(&r, &v->age_add) || !tc_rd_u32(&r, &v->lifetime) || !tc_rd_vec8(&r, &alpn) ||
      !tc_rd_vec16(&r, &id) || id.len > TC_PSK_MAX_IDENTITY || !tc_rd_vec8(&r, &user) ||
      !tc_rd_empty(&r))
    return -1;
  v->psk = psk.p;
  v->psk_len = psk.len;
  v->issued = (int64_t)(((uint64_t)hi << 32) | lo);
  v->alpn = alpn.p;
  v->alpn_len = alpn.len;
  v->psk_identity = id.p;
  v->psk_identity_len = id.len;
  v->srp_user = user.p;
  v->srp_user_len = user.len;
  return 0;
}

int tc_ticket_open(tc_config *cfg, const uint8_t *ticket, size_t len, tc_ticket_state *st) {
  uint8_t buf[TC_TICKET_MAX_LEN];
  size_t used;
  tc_ticket_view v;
  int rc = tc_ticket_open_in(cfg, ticket, len, tc_config_now(cfg), buf, &used, &v);
  if (rc == 0) {
    _Static_assert(sizeof st->psk == TC_HASH_MAX_LEN &&
                       sizeof st->psk_identity == TC_PSK_MAX_IDENTITY &&
                       sizeof st->srp_user >= 255 && sizeof st->alpn >= 256,
                   "tc_ticket_open_in's bounds are the state's");
    memset(st, 0, sizeof *st);
    st->version = v.version;
    st->suite = v.suite;
    memcpy(st->psk, v.psk, v.psk_len);
    st->psk_len = v.psk_len;
    st->issued = v.issued;
    st->age_add = v.age_add;
    st->lifetime = v.lifetime;
    memcpy(st->alpn, v.alpn, v.alpn_len);
    st->alpn[v.alpn_len] = '\0';
    if (v.psk_identity_len)
      memcpy(st->psk_identity, v.psk_identity, v.psk_identity_len);
    st->psk_identity_len = v.psk_identity_len;
    if (v.srp_user_len)
      memcpy(st->srp_user, v.srp_user, v.srp_user_len);
    st->srp_user_len = v.srp_user_len;
  }
  tc_wipe(buf, used);
  return rc;
}
