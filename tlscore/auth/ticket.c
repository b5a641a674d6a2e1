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
 * it). Returns the cache entry (ticket_lock held), -1 if HKDF failed. */
static int period_key_locked(tc_config *cfg, const uint8_t secret[32], uint64_t period) {
  uint8_t info[24];
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
  if (hit >= 0)
    return hit;
  memcpy(info, "tlscore ticket key", 16);
  for (int i = 0; i < 8; i++)
    info[16 + i] = (uint8_t)(period >> (56 - 8 * i));
  uint8_t key[32];
  if (tc_hkdf_expand(TC_HASH_SHA256, secret, 32, info, sizeof info, key, 32))
    return -1;
  /* The entry's keyed context belongs to its old key: dropped with it. */
  if (cfg->ticket_keys[victim].aead) {
    tc_aead_clear(cfg->ticket_keys[victim].aead);
    free(cfg->ticket_keys[victim].aead);
    cfg->ticket_keys[victim].aead = NULL;
  }
  cfg->ticket_keys[victim].valid = true;
  cfg->ticket_keys[victim].period = period;
  memcpy(cfg->ticket_keys[victim].key, key, 32);
  memcpy(cfg->ticket_keys[victim].from, secret, 32);
  tc_wipe(key, sizeof key);
  return victim;
}

/* The entry's AEAD context, keyed at its first use and kept with the key:
 * an AES-256-GCM set-up (key schedule and GHASH key) per period key, not
 * per ticket. NULL when out of memory. ticket_lock held; the context's
 * per-message state is used under the lock only. */
static tc_aead *period_aead_locked(tc_config *cfg, int i) {
  tc_aead *a = cfg->ticket_keys[i].aead;
  if (a)
    return a;
  a = malloc(sizeof *a);
  if (!a)
    return NULL;
  if (tc_aead_init(a, TC_AEAD_AES256_GCM, cfg->ticket_keys[i].key, 32)) {
    free(a); /* a failed set-up writes no key (tc_aead_init checks first) */
    return NULL;
  }
  cfg->ticket_keys[i].aead = a;
  return a;
}

void tc_ticket_keys_free(tc_config *cfg) {
  for (size_t i = 0; i < sizeof cfg->ticket_keys / sizeof cfg->ticket_keys[0]; i++) {
    if (cfg->ticket_keys[i].aead) {
      tc_aead_clear(cfg->ticket_keys[i].aead);
      free(cfg->ticket_keys[i].aead);
      cfg->ticket_keys[i].aead = NULL;
    }
  }
}

/* Open clen bytes of ticket ciphertext into buf under the keys that may
 * have sealed a ticket of `period`, one per base secret (the sealing one
 * first, then tc_config_set_ticket_keys' older ones; nginx's rotation: the
 * tag tells which one sealed), each from the cache or HKDF, all under one
 * hold of ticket_lock. 0 when one opens it; *tried is whether any try was
 * made (then buf[0..clen) was written). */
static int open_locked(tc_config *cfg, uint64_t period, const uint8_t *ticket, size_t clen,
                       uint8_t *buf, bool *tried) {
  int bad = 1;
  *tried = false;
  pthread_mutex_lock(&cfg->ticket_lock);
  if (!cfg->ticket_secret_set && tc_random(&cfg->rng, cfg->ticket_secret, 32) == 0)
    cfg->ticket_secret_set = true;
  if (cfg->ticket_secret_set) {
    size_t all = 1 + cfg->n_ticket_old;
    for (size_t n = 0; n < all && bad; n++) {
      int i = period_key_locked(cfg, n ? cfg->ticket_old[n - 1] : cfg->ticket_secret, period);
      tc_aead *a = i < 0 ? NULL : period_aead_locked(cfg, i);
      if (!a)
        break;
      memcpy(buf, ticket + TICKET_HDR, clen);
      *tried = true;
      bad = tc_aead_open(a, ticket + 8, ticket, 8, buf, clen, ticket + TICKET_HDR + clen);
    }
  }
  pthread_mutex_unlock(&cfg->ticket_lock);
  return bad ? -1 : 0;
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
  uint8_t *t = malloc(TICKET_HDR + plen + TC_AEAD_TAG_LEN);
  int rc = TC_FAIL;
  if (!t) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (int i = 0; i < 8; i++)
    t[i] = (uint8_t)(period >> (56 - 8 * i));
  if (tc_random(&cfg->rng, t + 8, 12)) {
    tc_error_set(err, TC_ERR_RANDOM, "random source failed");
    goto done;
  }
  memcpy(t + TICKET_HDR, plain, plen);
  /* Sealed under the lock with the period's keyed context (as opened). */
  pthread_mutex_lock(&cfg->ticket_lock);
  if (!cfg->ticket_secret_set && tc_random(&cfg->rng, cfg->ticket_secret, 32) == 0)
    cfg->ticket_secret_set = true;
  int i = cfg->ticket_secret_set ? period_key_locked(cfg, cfg->ticket_secret, period) : -1;
  tc_aead *a = i < 0 ? NULL : period_aead_locked(cfg, i);
  if (a)
    tc_aead_seal(a, t + 8, t, 8, t + TICKET_HDR, plen, t + TICKET_HDR + plen);
  pthread_mutex_unlock(&cfg->ticket_lock);
  if (i < 0) {
    tc_error_set(err, TC_ERR_RANDOM, "cannot derive the ticket key");
    goto done;
  }
  if (!a) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    goto done;
  }
  *out = t;
  *out_len = TICKET_HDR + plen + TC_AEAD_TAG_LEN;
  t = NULL;
  rc = TC_OK;
done:
  tc_wipe(plain, sizeof plain);
  if (t)
    tc_wipe(t + TICKET_HDR, plen); /* the state, not sealed */
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
  bool tried;
  int bad = open_locked(cfg, period, ticket, clen, buf, &tried);
  if (tried)
    *used = clen; /* every try wrote buf[0..clen) */
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
