/* Shared keys (PSK): config and connection setters, the PSK wants and their answers, identity accessors. */
#include "auth/psk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn_internal.h"

/* ---- storage ---- */

int tc_psk_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len) {
  uint8_t *p = NULL;
  if (len) {
    if (!(p = malloc(len)))
      return -1;
    memcpy(p, src, len);
  }
  if (*dst) /* it may have held a key */
    tc_wipe(*dst, *dst_len);
  free(*dst);
  *dst = p;
  *dst_len = len;
  return 0;
}

int tc_conn_psk_set_identity(tc_conn_psk *p, const uint8_t *id, size_t len) {
  uint8_t *n = NULL;
  if (len && len <= sizeof p->id_small) {
    n = p->id_small;
    memmove(n, id, len); /* id may be the identity itself */
  } else if (len) {
    if (!(n = malloc(len)))
      return -1;
    memcpy(n, id, len);
  }
  if (p->identity && p->identity != p->id_small)
    free(p->identity);
  p->identity = n;
  p->id_len = len;
  return 0;
}

static void free_secret(uint8_t **p, size_t *len) {
  if (*p) {
    tc_wipe(*p, *len);
    free(*p);
  }
  *p = NULL;
  *len = 0;
}

void tc_psk_entry_clear(tc_psk_entry *e) {
  free(e->identity);
  free(e->context);
  free_secret(&e->key, &e->key_len);
  memset(e, 0, sizeof *e);
}

int tc_psk_entry_set(tc_psk_entry *e, const uint8_t *identity, size_t id_len, const uint8_t *key,
                     size_t key_len, tc_hash_alg hash) {
  if (!identity || id_len == 0 || id_len > TC_PSK_MAX_IDENTITY || !key || key_len == 0 ||
      key_len > TC_PSK_MAX_KEY)
    return -1;
  tc_psk_entry n = {.hash = hash};
  if (tc_psk_copy(&n.identity, &n.id_len, identity, id_len) ||
      tc_psk_copy(&n.key, &n.key_len, key, key_len)) {
    tc_psk_entry_clear(&n);
    return -1;
  }
  tc_psk_entry_clear(e);
  *e = n;
  return 0;
}

void tc_cfg_psk_clear(tc_cfg_psk *p) {
  for (size_t i = 0; i < p->n; i++)
    tc_psk_entry_clear(&p->list[i]);
  free(p->list);
  free(p->hint);
  memset(p, 0, sizeof *p);
}

void tc_conn_psk_drop_key(tc_conn_psk *p) {
  free_secret(&p->key, &p->key_len);
  p->entry_key = NULL;
  p->entry_key_len = 0;
  p->answered = false;
}

void tc_conn_psk_clear(tc_conn_psk *p) {
  if (p->own.identity || p->own.key || p->own.context) /* tc_conn_set_psk: seldom */
    tc_psk_entry_clear(&p->own);
  tc_conn_psk_drop_key(p);
  tc_conn_psk_set_identity(p, NULL, 0);
  free(p->hint);
  memset(p, 0, sizeof *p);
}

const tc_psk_entry *tc_cfg_psk_find(const tc_cfg_psk *p, const uint8_t *identity, size_t id_len) {
  for (size_t i = 0; i < p->n; i++)
    if (p->list[i].id_len == id_len && !memcmp(p->list[i].identity, identity, id_len))
      return &p->list[i];
  return NULL;
}

void tc_psk_escape(const uint8_t *id, size_t len, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char tmp[5];
    uint8_t b = id[i];
    if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'')
      tmp[0] = (char)b, tmp[1] = 0;
    else
      snprintf(tmp, sizeof tmp, "\\x%02x", b);
    size_t tl = strlen(tmp);
    if (o + tl + 4 > cap) { /* room for "..." and the terminator */
      memcpy(out + o, "...", 3);
      o += 3;
      break;
    }
    memcpy(out + o, tmp, tl);
    o += tl;
  }
  out[o] = 0;
}

static tc_hash_alg psk_hash_alg(tc_psk_hash h) {
  return h == TC_PSK_HASH_SHA384 ? TC_HASH_SHA384 : TC_HASH_SHA256;
}

/* ---- config ---- */

int tc_config_add_psk(tc_config *cfg, const uint8_t *identity, size_t id_len, const uint8_t *key,
                      size_t key_len, tc_psk_hash hash, tc_error *err) {
  tc_cfg_psk *p = &cfg->psk;
  if (!identity || id_len == 0 || id_len > TC_PSK_MAX_IDENTITY)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "PSK identity must be 1..%d bytes",
                        TC_PSK_MAX_IDENTITY);
  if (!key || key_len == 0 || key_len > TC_PSK_MAX_KEY)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "PSK key must be 1..%d bytes",
                        TC_PSK_MAX_KEY);
  if (hash != TC_PSK_HASH_SHA256 && hash != TC_PSK_HASH_SHA384)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "unknown PSK hash %d", (int)hash);
  if (tc_cfg_psk_find(p, identity, id_len)) {
    char esc[80];
    tc_psk_escape(identity, id_len, esc, sizeof esc);
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "duplicate PSK identity '%s'", esc);
  }
  if (p->n == TC_CFG_MAX_PSKS)
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "at most %d PSKs per configuration",
                        TC_CFG_MAX_PSKS);
  if (!p->list && !(p->list = calloc(TC_CFG_MAX_PSKS, sizeof *p->list)))
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  if (tc_psk_entry_set(&p->list[p->n], identity, id_len, key, key_len, psk_hash_alg(hash)))
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  p->n++;
  return TC_OK;
}

void tc_config_set_psk_server(tc_config *cfg, bool on) { cfg->psk.server_want = on; }

void tc_config_set_psk_client_want(tc_config *cfg, bool on) { cfg->psk.client_want = on; }

int tc_config_set_psk_identity_hint(tc_config *cfg, const uint8_t *hint, size_t len,
                                    tc_error *err) {
  if (len > TC_PSK_MAX_IDENTITY || (len && !hint))
    return tc_error_set(err, TC_ERR_INVALID_ARGUMENT, "PSK identity hint must be 0..%d bytes",
                        TC_PSK_MAX_IDENTITY);
  if (tc_psk_copy(&cfg->psk.hint, &cfg->psk.hint_len, hint, hint ? len : 0))
    return tc_error_set(err, TC_ERR_NOMEM, "out of memory");
  return TC_OK;
}

/* ---- connection ---- */

int tc_conn_set_psk(tc_conn *c, const uint8_t *identity, size_t id_len, const uint8_t *key,
                    size_t key_len, tc_psk_hash hash) {
  if (c->role != TC_ROLE_CLIENT || c->started)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "cannot set a PSK now");
  if (hash != TC_PSK_HASH_SHA256 && hash != TC_PSK_HASH_SHA384)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT, "unknown PSK hash");
  if (!identity || id_len == 0 || id_len > TC_PSK_MAX_IDENTITY || !key || key_len == 0 ||
      key_len > TC_PSK_MAX_KEY)
    return tc_conn_refuse(c, TC_ERR_INVALID_ARGUMENT,
                          "PSK identity must be 1..256 bytes and key 1..512 bytes");
  if (tc_psk_entry_set(&c->psk.own, identity, id_len, key, key_len, psk_hash_alg(hash)))
    return tc_conn_refuse(c, TC_ERR_NOMEM, "out of memory");
  return TC_OK;
}

int tc_conn_answer_psk_identity(tc_conn *c, const uint8_t *identity, size_t id_len,
                                const uint8_t *key, size_t key_len) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_PSK_IDENTITY || !c->hs)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no PSK identity request pending"),
           tc_conn_fail(c);
  c->want = TC_WANT_NONE;
  if (!identity)
    return tc_error_set(&c->err, TC_ERR_HANDSHAKE_FAILURE,
                        "server chose a PSK cipher suite and no PSK identity was given"),
           tc_conn_fail(c);
  if (id_len == 0 || id_len > TC_PSK_MAX_IDENTITY || !key || key_len == 0 ||
      key_len > TC_PSK_MAX_KEY)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT,
                        "PSK identity must be 1..%d bytes and key 1..%d bytes",
                        TC_PSK_MAX_IDENTITY, TC_PSK_MAX_KEY),
           tc_conn_fail(c);
  tc_conn_psk_drop_key(&c->psk);
  if (tc_conn_psk_set_identity(&c->psk, identity, id_len) ||
      tc_psk_copy(&c->psk.key, &c->psk.key_len, key, key_len))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), tc_conn_fail(c);
  c->psk.answered = true;
  return tc_conn_continue(c);
}

int tc_conn_answer_psk_key(tc_conn *c, const uint8_t *key, size_t key_len) {
  if (c->state == HS_FAILED)
    return TC_FAIL;
  if (c->want != TC_WANT_PSK_KEY || !c->hs)
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "no PSK key request pending"),
           tc_conn_fail(c);
  c->want = TC_WANT_NONE;
  if (key && (key_len == 0 || key_len > TC_PSK_MAX_KEY))
    return tc_error_set(&c->err, TC_ERR_INVALID_ARGUMENT, "PSK key must be 1..%d bytes",
                        TC_PSK_MAX_KEY),
           tc_conn_fail(c);
  tc_conn_psk_drop_key(&c->psk);
  if (key && tc_psk_copy(&c->psk.key, &c->psk.key_len, key, key_len))
    return tc_error_set(&c->err, TC_ERR_NOMEM, "out of memory"), tc_conn_fail(c);
  /* key NULL: the handshake that asked reports unknown_psk_identity. */
  c->psk.answered = true;
  return tc_conn_continue(c);
}

const uint8_t *tc_conn_psk_identity_hint(const tc_conn *c, size_t *len) {
  if (len)
    *len = c->psk.have_hint ? c->psk.hint_len : 0;
  return c->psk.have_hint ? c->psk.hint : NULL;
}

const uint8_t *tc_conn_psk_identity(const tc_conn *c, size_t *len) {
  if (len)
    *len = c->psk.identity ? c->psk.id_len : 0;
  return c->psk.identity;
}
