/* tc_session: refcounted resumption state, and its versioned serialization. */
#include "auth/session.h"

#include <stdlib.h>
#include <string.h>

#include "msg/reader.h"

#define SESSION_MAGIC 0x74635331u  /* "tcS1": TLS 1.3 fields only */
#define SESSION_MAGIC2 0x74635332u /* "tcS2": + format byte, EMS flag, session ID */
/* Format 1: up to the session ID; format 2 adds the PSK identity. */
#define SESSION_FORMAT 3 /* 2: + PSK identity; 3: + SRP user name */

tc_session *tc_session_new(void) {
  tc_session *s = calloc(1, sizeof *s);
  if (s) {
    atomic_init(&s->refs, 1);
    atomic_init(&s->ch_blob, NULL);
  }
  return s;
}

tc_session *tc_session_ref(tc_session *s) {
  if (s)
    atomic_fetch_add(&s->refs, 1);
  return s;
}

void tc_session_unref(tc_session *s) {
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
    return;
  free(s->ticket);
  free(s->alpn);
  free(s->server_name);
  free(s->psk_identity);
  free(s->srp_user);
  free(atomic_load(&s->ch_blob));
  tc_wipe(s, sizeof *s);
  free(s);
}

bool tc_session_usable(const tc_session *s, int64_t now) {
  if (!s || !s->ticket_len || s->version != TC_TLS13)
    return false;
  return now >= s->received && now - s->received < (int64_t)s->lifetime;
}

bool tc_session_usable12(const tc_session *s, int64_t now) {
  if (!s || s->version >= TC_TLS13 || s->secret_len != 48 ||
      (!s->ticket_len && !s->session_id_len))
    return false;
  return now >= s->received && now - s->received < (int64_t)s->lifetime;
}

static void wr_str(tc_writer *w, const char *s) {
  size_t l = s ? strlen(s) : 0;
  tc_wr_vec16(w, (const uint8_t *)s, l);
}

int tc_session_serialize(const tc_session *s, uint8_t **out, size_t *len) {
  if (!s || !out || !len)
    return TC_FAIL;
  tc_writer w;
  tc_wr_init_dyn(&w);
  tc_wr_u32(&w, SESSION_MAGIC2);
  tc_wr_u8(&w, SESSION_FORMAT);
  tc_wr_u16(&w, s->version);
  tc_wr_u16(&w, s->suite);
  tc_wr_vec8(&w, s->secret, s->secret_len);
  tc_wr_vec16(&w, s->ticket, s->ticket_len);
  tc_wr_u32(&w, s->lifetime);
  tc_wr_u32(&w, s->age_add);
  tc_wr_u32(&w, s->max_early_data);
  tc_wr_u32(&w, (uint32_t)((uint64_t)s->received >> 32));
  tc_wr_u32(&w, (uint32_t)s->received);
  wr_str(&w, s->alpn);
  wr_str(&w, s->server_name);
  tc_wr_u8(&w, s->ems ? 1 : 0);
  tc_wr_vec8(&w, s->session_id, s->session_id_len);
  tc_wr_vec16(&w, s->psk_identity, s->psk_identity_len);
  tc_wr_vec8(&w, s->srp_user, s->srp_user_len);
  if (!tc_wr_ok(&w)) {
    tc_wr_free(&w);
    return TC_FAIL;
  }
  *out = tc_wr_take(&w, len);
  return *out ? TC_OK : TC_FAIL;
}

static bool rd_str(tc_reader *r, char **out) {
  tc_reader sub;
  if (!tc_rd_vec16(r, &sub))
    return false;
  if (sub.len == 0) {
    *out = NULL;
    return true;
  }
  if (memchr(sub.p, 0, sub.len))
    return false;
  *out = strndup((const char *)sub.p, sub.len);
  return *out != NULL;
}

tc_session *tc_session_deserialize(const uint8_t *data, size_t len, tc_error *err) {
  tc_reader r, sec, tick;
  tc_rd_init(&r, data, len);
  uint32_t magic = 0, hi = 0, lo = 0;
  tc_session *s = tc_session_new();
  if (!s) {
    tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    return NULL;
  }
  uint8_t format = 0;
  if (!tc_rd_u32(&r, &magic) || (magic != SESSION_MAGIC && magic != SESSION_MAGIC2))
    goto bad;
  if (magic == SESSION_MAGIC2 && (!tc_rd_u8(&r, &format) || format < 1 || format > SESSION_FORMAT))
    goto bad;
  if (!tc_rd_u16(&r, &s->version) || !tc_rd_u16(&r, &s->suite) || !tc_rd_vec8(&r, &sec) ||
      sec.len > sizeof s->secret || !tc_rd_vec16(&r, &tick))
    goto bad;
  memcpy(s->secret, sec.p, sec.len);
  s->secret_len = sec.len;
  if (tick.len) {
    s->ticket = malloc(tick.len);
    if (!s->ticket)
      goto bad;
    memcpy(s->ticket, tick.p, tick.len);
    s->ticket_len = tick.len;
  }
  if (!tc_rd_u32(&r, &s->lifetime) || !tc_rd_u32(&r, &s->age_add) ||
      !tc_rd_u32(&r, &s->max_early_data) || !tc_rd_u32(&r, &hi) || !tc_rd_u32(&r, &lo))
    goto bad;
  s->received = (int64_t)(((uint64_t)hi << 32) | lo);
  if (!rd_str(&r, &s->alpn) || !rd_str(&r, &s->server_name))
    goto bad;
  if (magic == SESSION_MAGIC2) {
    uint8_t ems = 0;
    tc_reader sid;
    if (!tc_rd_u8(&r, &ems) || ems > 1 || !tc_rd_vec8(&r, &sid) || sid.len > 32)
      goto bad;
    s->ems = ems;
    memcpy(s->session_id, sid.p, sid.len);
    s->session_id_len = sid.len;
  }
  if (format >= 2) {
    tc_reader id;
    if (!tc_rd_vec16(&r, &id) || id.len > TC_PSK_MAX_IDENTITY)
      goto bad;
    if (id.len) {
      if (!(s->psk_identity = malloc(id.len)))
        goto bad;
      memcpy(s->psk_identity, id.p, id.len);
      s->psk_identity_len = id.len;
    }
  }
  if (format >= 3) {
    tc_reader u;
    if (!tc_rd_vec8(&r, &u))
      goto bad;
    if (u.len) {
      if (!(s->srp_user = malloc(u.len)))
        goto bad;
      memcpy(s->srp_user, u.p, u.len);
      s->srp_user_len = u.len;
    }
  }
  if (!tc_rd_empty(&r))
    goto bad;
  return s;
bad:
  tc_session_unref(s);
  tc_error_set(err, TC_ERR_BAD_INPUT, "malformed serialized session");
  return NULL;
}
