/* Ticket protection keys (auth/ticket.c): per-period derivation, its cache across rotations and ticket-key changes. */
#include <glib.h>
#include <string.h>

#include "auth/session.h"

#define LIFETIME 100

typedef struct {
  int64_t now;
} clock_ctx;

static int64_t fake_now(void *ctx) { return ((clock_ctx *)ctx)->now; }

/* Deterministic rng: nonces and secrets become predictable for the test. */
static int counter_rng(void *ctx, uint8_t *out, size_t len) {
  unsigned *n = ctx;
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)(*n + i);
  (*n)++;
  return 0;
}

static tc_config *new_server(clock_ctx *clk, unsigned *rng_state) {
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  g_assert_nonnull(cfg);
  tc_config_set_time(cfg, fake_now, clk);
  tc_config_set_tickets(cfg, 1, LIFETIME);
  if (rng_state)
    tc_config_set_rng(cfg, counter_rng, rng_state);
  return cfg;
}

static void state_at(tc_ticket_state *st, int64_t issued, uint8_t tag) {
  memset(st, 0, sizeof *st);
  st->version = TC_TLS12;
  st->suite = 0xC02B;
  memset(st->psk, tag, 48);
  st->psk_len = 48;
  st->issued = issued;
  st->age_add = 1;
  st->lifetime = LIFETIME;
  strcpy(st->alpn, "h2");
}

static GBytes *seal(tc_config *cfg, int64_t issued, uint8_t tag) {
  tc_ticket_state st;
  tc_error err;
  tc_error_clear(&err);
  state_at(&st, issued, tag);
  uint8_t *t = NULL;
  size_t tl = 0;
  g_assert_cmpint(tc_ticket_seal(cfg, &st, &t, &tl, &err), ==, TC_OK);
  return g_bytes_new_take(t, tl);
}

/* Opens and checks the state came back whole; false if the ticket is refused. */
static bool open_ok(tc_config *cfg, GBytes *t, uint8_t tag) {
  tc_ticket_state st, want;
  size_t len;
  const uint8_t *p = g_bytes_get_data(t, &len);
  if (tc_ticket_open(cfg, p, len, &st) != 0)
    return false;
  state_at(&want, st.issued, tag);
  g_assert_cmpuint(st.version, ==, want.version);
  g_assert_cmpuint(st.suite, ==, want.suite);
  g_assert_cmpmem(st.psk, st.psk_len, want.psk, want.psk_len);
  g_assert_cmpuint(st.age_add, ==, 1);
  g_assert_cmpstr(st.alpn, ==, "h2");
  return true;
}

/* The key of a period is HKDF-Expand(SHA-256, secret, "tlscore ticket k" ||
 * period (8, big endian), 32): the cache must not change it, or tickets
 * issued by another server sharing the secret (or before an upgrade) stop
 * opening. Decrypt with an independently derived key. */
static void test_derivation(void) {
  static const uint8_t secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  clock_ctx clk = {12345};
  tc_config *cfg = new_server(&clk, NULL);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_ticket_key(cfg, secret, &err), ==, TC_OK);
  for (int round = 0; round < 3; round++) { /* derived, then from the cache */
    int64_t now = clk.now + round * LIFETIME / 2;
    g_autoptr(GBytes) t = seal(cfg, now, 0x42);
    size_t len;
    const uint8_t *p = g_bytes_get_data(t, &len);
    uint64_t period = (uint64_t)(now / LIFETIME);
    uint8_t info[24], key[32];
    memcpy(info, "tlscore ticket k", 16);
    for (int i = 0; i < 8; i++) {
      info[16 + i] = (uint8_t)(period >> (56 - 8 * i));
      g_assert_cmpuint(p[i], ==, info[16 + i]);
    }
    g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, secret, 32, info, 24, key, 32), ==, 0);
    tc_aead a;
    g_assert_cmpint(tc_aead_init(&a, TC_AEAD_AES256_GCM, key, 32), ==, 0);
    g_assert_cmpuint(len, >, 20 + 16);
    size_t clen = len - 20 - 16;
    uint8_t *buf = g_memdup2(p + 20, clen);
    g_assert_cmpint(tc_aead_open(&a, p + 8, p, 8, buf, clen, p + 20 + clen), ==, 0);
    tc_aead_clear(&a);
    /* version, suite, then the 48-byte secret as a vector */
    g_assert_cmpuint(buf[0] << 8 | buf[1], ==, TC_TLS12);
    g_assert_cmpuint(buf[4], ==, 48);
    g_assert_cmpuint(buf[5], ==, 0x42);
    g_free(buf);
  }
  tc_config_unref(cfg);
}

/* Opened with a key derived here from the secret (not the config's cache):
 * the tag byte of the state, or -1 if the ticket does not open. */
static int open_independent(const uint8_t secret[32], GBytes *t) {
  size_t len;
  const uint8_t *p = g_bytes_get_data(t, &len);
  uint8_t info[24], key[32];
  memcpy(info, "tlscore ticket k", 16);
  memcpy(info + 16, p, 8); /* the period, as sealed */
  g_assert_cmpint(tc_hkdf_expand(TC_HASH_SHA256, secret, 32, info, 24, key, 32), ==, 0);
  tc_aead a;
  g_assert_cmpint(tc_aead_init(&a, TC_AEAD_AES256_GCM, key, 32), ==, 0);
  size_t clen = len - 20 - 16;
  uint8_t *buf = g_memdup2(p + 20, clen);
  int r = tc_aead_open(&a, p + 8, p, 8, buf, clen, p + 20 + clen) == 0 ? buf[5] : -1;
  tc_aead_clear(&a);
  g_free(buf);
  return r;
}

/* The keyed AES-256-GCM context kept with each cached period key: as the
 * periods roll through more keys than the cache holds (eight base secrets,
 * two periods each, sixteen entries), every entry is replaced again and
 * again, and each ticket is still sealed and opened under its own
 * period's key (a context left keyed with the replaced key would seal
 * tickets that the independently derived key does not open). */
static void test_keyed_cache(void) {
  uint8_t keys[8][32];
  const uint8_t *kp[8];
  size_t kl[8];
  for (int i = 0; i < 8; i++) {
    memset(keys[i], 0x10 + i, 32);
    kp[i] = keys[i];
    kl[i] = 32;
  }
  clock_ctx clk = {3 * LIFETIME};
  tc_config *cfg = new_server(&clk, NULL);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_ticket_keys(cfg, kp, kl, 8, &err), ==, TC_OK);
  GBytes *prev = NULL, *old = NULL;
  for (int round = 0; round < 12; round++) {
    uint8_t tag = (uint8_t)(0x40 + round);
    GBytes *t = seal(cfg, clk.now, tag);
    g_assert_cmpint(open_independent(keys[0], t), ==, tag);
    g_assert_true(open_ok(cfg, t, tag));
    if (prev) /* the previous period's ticket: tried under all eight keys */
      g_assert_true(open_ok(cfg, prev, (uint8_t)(tag - 1)));
    if (old)
      g_assert_false(open_ok(cfg, old, (uint8_t)(tag - 2)));
    /* a ticket sealed elsewhere under the last base secret opens too */
    tc_config *other = new_server(&clk, NULL);
    g_assert_cmpint(tc_config_set_ticket_key(other, keys[7], &err), ==, TC_OK);
    g_autoptr(GBytes) o = seal(other, clk.now, 0x77);
    g_assert_cmpint(open_independent(keys[7], o), ==, 0x77);
    g_assert_true(open_ok(cfg, o, 0x77));
    tc_config_unref(other);
    if (old)
      g_bytes_unref(old);
    old = prev;
    prev = t;
    clk.now += LIFETIME;
  }
  g_bytes_unref(old);
  g_bytes_unref(prev);
  tc_config_unref(cfg);
}

/* Tickets open in their own period and the next one, never later; the two
 * cached periods roll forward with the clock. */
static void test_rotation(void) {
  clock_ctx clk = {10 * LIFETIME + 5};
  unsigned rng = 1;
  tc_config *cfg = new_server(&clk, &rng);
  g_autoptr(GBytes) t10 = seal(cfg, clk.now, 10);
  g_assert_true(open_ok(cfg, t10, 10));
  clk.now += LIFETIME; /* period 11 */
  g_autoptr(GBytes) t11 = seal(cfg, clk.now, 11);
  g_assert_true(open_ok(cfg, t10, 10));
  g_assert_true(open_ok(cfg, t11, 11));
  clk.now += LIFETIME; /* period 12: t10 is too old */
  g_autoptr(GBytes) t12 = seal(cfg, clk.now, 12);
  g_assert_false(open_ok(cfg, t10, 10));
  g_assert_true(open_ok(cfg, t11, 11));
  g_assert_true(open_ok(cfg, t12, 12));
  clk.now += 5 * LIFETIME; /* far ahead: all refused, new ones work */
  g_assert_false(open_ok(cfg, t11, 11));
  g_assert_false(open_ok(cfg, t12, 12));
  g_autoptr(GBytes) t17 = seal(cfg, clk.now, 17);
  g_assert_true(open_ok(cfg, t17, 17));
  /* A clock going back a period still opens what it sealed then. */
  clk.now -= LIFETIME;
  g_autoptr(GBytes) t16 = seal(cfg, clk.now, 16);
  g_assert_true(open_ok(cfg, t16, 16));
  clk.now += LIFETIME;
  g_assert_true(open_ok(cfg, t16, 16));
  g_assert_true(open_ok(cfg, t17, 17));
  /* Tampering is still caught with a cached key. */
  size_t len;
  const uint8_t *p = g_bytes_get_data(t17, &len);
  uint8_t *bad = g_memdup2(p, len);
  bad[len - 1] ^= 1;
  tc_ticket_state st;
  g_assert_cmpint(tc_ticket_open(cfg, bad, len, &st), !=, 0);
  bad[len - 1] ^= 1;
  bad[3] ^= 1; /* the period is authenticated too */
  g_assert_cmpint(tc_ticket_open(cfg, bad, len, &st), !=, 0);
  g_free(bad);
  tc_config_unref(cfg);
}

/* tc_config_set_ticket_key replaces the secret: keys cached for the old one
 * must not open or seal anything afterwards. */
static void test_key_change(void) {
  static const uint8_t k1[32] = {1}, k2[32] = {2};
  clock_ctx clk = {7 * LIFETIME};
  tc_config *cfg = new_server(&clk, NULL);
  tc_config *other = new_server(&clk, NULL);
  tc_error err;
  tc_error_clear(&err);
  g_assert_cmpint(tc_config_set_ticket_key(cfg, k1, &err), ==, TC_OK);
  g_assert_cmpint(tc_config_set_ticket_key(other, k2, &err), ==, TC_OK);
  g_autoptr(GBytes) a = seal(cfg, clk.now, 1);
  g_assert_true(open_ok(cfg, a, 1));
  g_assert_false(open_ok(other, a, 1));
  g_assert_cmpint(tc_config_set_ticket_key(cfg, k2, &err), ==, TC_OK);
  g_assert_false(open_ok(cfg, a, 1));
  g_autoptr(GBytes) b = seal(cfg, clk.now, 2);
  g_assert_true(open_ok(cfg, b, 2));
  g_assert_true(open_ok(other, b, 2)); /* same secret, same key */
  g_assert_cmpint(tc_config_set_ticket_key(cfg, k1, &err), ==, TC_OK);
  g_assert_true(open_ok(cfg, a, 1));
  g_assert_false(open_ok(cfg, b, 2));
  tc_config_unref(other);
  tc_config_unref(cfg);
}

/* tc_config_set_ticket_keys, nginx's rotation: the first key seals, every
 * key opens; 48- and 80-byte keys (nginx key files) work like 32-byte ones. */
static int set_keys(tc_config *cfg, const uint8_t *const *keys, const size_t *lens, size_t n,
                    tc_error *err) {
  tc_error_clear(err);
  return tc_config_set_ticket_keys(cfg, keys, lens, n, err);
}

static void test_key_list(void) {
  uint8_t k1[80], k2[48], k3[32];
  for (size_t i = 0; i < sizeof k1; i++)
    k1[i] = (uint8_t)(i * 7 + 1);
  memset(k2, 0x22, sizeof k2);
  memset(k3, 0x33, sizeof k3);
  const uint8_t *only1[] = {k1}, *new2[] = {k2, k1}, *next3[] = {k3, k2};
  const size_t l1[] = {80}, l21[] = {48, 80}, l32[] = {32, 48};
  clock_ctx clk = {40 * LIFETIME};
  tc_config *a = new_server(&clk, NULL), *b = new_server(&clk, NULL);
  tc_error err;

  g_assert_cmpint(set_keys(a, only1, l1, 1, &err), ==, TC_OK);
  g_assert_cmpint(set_keys(b, only1, l1, 1, &err), ==, TC_OK);
  g_autoptr(GBytes) t1 = seal(a, clk.now, 1);
  g_assert_true(open_ok(b, t1, 1)); /* same key file, same secret */

  /* Roll-out: b learns k2 as the sealing key, keeps k1 for opening. */
  g_assert_cmpint(set_keys(b, new2, l21, 2, &err), ==, TC_OK);
  g_assert_true(open_ok(b, t1, 1));
  g_autoptr(GBytes) t2 = seal(b, clk.now, 2);
  g_assert_true(open_ok(b, t2, 2));
  g_assert_false(open_ok(a, t2, 2)); /* a does not know k2 yet */
  g_assert_cmpint(set_keys(a, new2, l21, 2, &err), ==, TC_OK);
  g_assert_true(open_ok(a, t2, 2));
  g_assert_true(open_ok(a, t1, 1));

  /* The next period: tickets of the last one still open under any key. */
  clk.now += LIFETIME;
  g_assert_true(open_ok(a, t1, 1));
  g_assert_true(open_ok(b, t2, 2));

  /* k1 retired: its tickets stop opening, k2's still open. */
  g_assert_cmpint(set_keys(a, next3, l32, 2, &err), ==, TC_OK);
  g_assert_false(open_ok(a, t1, 1));
  g_assert_true(open_ok(a, t2, 2));
  g_autoptr(GBytes) t3 = seal(a, clk.now, 3);
  g_assert_true(open_ok(a, t3, 3));
  g_assert_false(open_ok(b, t3, 3));

  /* A 32-byte key is the base secret itself, as tc_config_set_ticket_key
   * takes it; setting one secret drops the opening-only keys. */
  g_assert_cmpint(tc_config_set_ticket_key(b, k3, &err), ==, TC_OK);
  g_assert_true(open_ok(b, t3, 3));
  g_assert_false(open_ok(b, t2, 2));

  /* The 48 bytes of k2 and a 32-byte prefix of them are different keys. */
  const uint8_t *pre[] = {k2};
  const size_t l32only[] = {32};
  g_assert_cmpint(set_keys(b, pre, l32only, 1, &err), ==, TC_OK);
  g_assert_false(open_ok(b, t2, 2));

  /* Sizes and counts refused, naming the key. */
  const size_t bad_len[] = {80, 47};
  g_assert_cmpint(set_keys(b, new2, bad_len, 2, &err), ==, TC_FAIL);
  g_assert_cmpint(err.code, ==, TC_ERR_BAD_INPUT);
  g_assert_cmpstr(err.message, ==, "ticket key 2 has 47 bytes (32, or 48 or 80 as in nginx key files)");
  g_assert_cmpint(set_keys(b, new2, l21, 0, &err), ==, TC_FAIL);
  const uint8_t *nine[9] = {k3, k3, k3, k3, k3, k3, k3, k3, k3};
  const size_t nine_l[9] = {32, 32, 32, 32, 32, 32, 32, 32, 32};
  g_assert_cmpint(set_keys(b, nine, nine_l, 9, &err), ==, TC_FAIL);
  g_assert_cmpint(set_keys(b, nine, nine_l, 8, &err), ==, TC_OK);
  g_assert_true(open_ok(b, t3, 3));
  tc_config_unref(a);
  tc_config_unref(b);
}

/* tc_ticket_keys_parse: nginx's binary files, base64 lines, and refusals. */
static void test_key_file(void) {
  tc_ticket_key keys[TC_TICKET_MAX_KEYS];
  tc_error err;
  uint8_t bin[80];
  for (size_t i = 0; i < sizeof bin; i++)
    bin[i] = (uint8_t)(255 - i);
  tc_error_clear(&err);
  /* binary, both nginx sizes (bytes that are no text at all) */
  g_assert_cmpuint(tc_ticket_keys_parse(bin, 80, keys, &err), ==, 1);
  g_assert_cmpmem(keys[0].key, keys[0].len, bin, 80);
  g_assert_cmpuint(tc_ticket_keys_parse(bin, 48, keys, &err), ==, 1);
  g_assert_cmpmem(keys[0].key, keys[0].len, bin, 48);

  /* text: two keys, comments, blank lines, CRLF and spaces */
  gchar *b80 = g_base64_encode(bin, 80), *b48 = g_base64_encode(bin + 32, 48),
        *b32 = g_base64_encode(bin + 1, 32);
  gchar *text = g_strdup_printf("# rotated daily\n\n  %s \r\n%s\n#old\n%s", b48, b80, b32);
  g_assert_cmpuint(tc_ticket_keys_parse((const uint8_t *)text, strlen(text), keys, &err), ==, 3);
  g_assert_cmpmem(keys[0].key, keys[0].len, bin + 32, 48);
  g_assert_cmpmem(keys[1].key, keys[1].len, bin, 80);
  g_assert_cmpmem(keys[2].key, keys[2].len, bin + 1, 32);
  g_assert_cmpint(err.code, ==, TC_ERR_NONE);
  g_free(text);

  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"", "ticket key file: no key (48 or 80 binary bytes, or base64 lines)"},
      {"# only a comment\n", "ticket key file: no key (48 or 80 binary bytes, or base64 lines)"},
      {"\nnot base64!\n", "ticket key file: line 2 is not base64"},
      {"Zm9vYmFy\n", "ticket key file: the key on line 1 has 6 bytes (32, 48 or 80)"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    tc_error_clear(&err);
    g_assert_cmpuint(tc_ticket_keys_parse((const uint8_t *)bad[i].text, strlen(bad[i].text), keys,
                                          &err), ==, 0);
    g_assert_cmpstr(err.message, ==, bad[i].msg);
  }
  /* nine keys: one too many */
  GString *nine = g_string_new(NULL);
  for (int i = 0; i < 9; i++)
    g_string_append_printf(nine, "%s\n", b32);
  tc_error_clear(&err);
  g_assert_cmpuint(tc_ticket_keys_parse((const uint8_t *)nine->str, nine->len, keys, &err), ==, 0);
  g_assert_cmpstr(err.message, ==, "ticket key file: more than 8 keys (line 9)");
  g_string_free(nine, TRUE);
  /* a NUL inside a text line */
  uint8_t nul[50];
  memset(nul, 'A', sizeof nul);
  nul[10] = 0;
  tc_error_clear(&err);
  g_assert_cmpuint(tc_ticket_keys_parse(nul, sizeof nul, keys, &err), ==, 0);
  g_assert_nonnull(strstr(err.message, "line 1 is not text"));

  /* what the parser hands out, tc_config_set_ticket_keys takes */
  text = g_strdup_printf("%s\n%s\n", b48, b80);
  size_t n = tc_ticket_keys_parse((const uint8_t *)text, strlen(text), keys, &err);
  const uint8_t *ptr[TC_TICKET_MAX_KEYS];
  size_t lens[TC_TICKET_MAX_KEYS];
  for (size_t i = 0; i < n; i++) {
    ptr[i] = keys[i].key;
    lens[i] = keys[i].len;
  }
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  g_assert_cmpint(tc_config_set_ticket_keys(cfg, ptr, lens, n, &err), ==, TC_OK);
  tc_config_unref(cfg);
  g_free(text);
  g_free(b80);
  g_free(b48);
  g_free(b32);
}

/* Several threads sealing and opening on one config (the cache is shared). */
static gpointer worker(gpointer data) {
  tc_config *cfg = data;
  for (int i = 0; i < 200; i++) {
    g_autoptr(GBytes) t = seal(cfg, tc_config_now(cfg), (uint8_t)i);
    g_assert_true(open_ok(cfg, t, (uint8_t)i));
  }
  return NULL;
}

static void test_threads(void) {
  tc_config *cfg = tc_config_new(TC_ROLE_SERVER);
  GThread *th[4];
  for (int i = 0; i < 4; i++)
    th[i] = g_thread_new("ticket", worker, cfg);
  for (int i = 0; i < 4; i++)
    g_thread_join(th[i]);
  tc_config_unref(cfg);
}

/* tc_ticket_open_in (the state read in place, as the TLS 1.2 server uses
 * it) gives every field tc_ticket_open copies out, and the same verdict:
 * states with and without identities, a tampered ticket, a ticket of an
 * expired period, a truncated one. */
static void test_open_in_place(void) {
  clock_ctx clk = {1000};
  unsigned rng = 7;
  tc_config *cfg = new_server(&clk, &rng);
  tc_error err;
  for (int variant = 0; variant < 4; variant++) {
    tc_ticket_state st;
    state_at(&st, 1000, (uint8_t)(0x40 + variant));
    if (variant == 1) {
      memset(st.psk_identity, 'i', TC_PSK_MAX_IDENTITY);
      st.psk_identity_len = TC_PSK_MAX_IDENTITY;
      memset(st.srp_user, 'u', 255);
      st.srp_user_len = 255;
      memset(st.alpn, 'a', 255);
      st.alpn[255] = '\0';
    } else if (variant == 2) {
      st.psk_len = 32; /* a TLS 1.3 resumption secret */
      st.alpn[0] = '\0';
      memcpy(st.psk_identity, "id", 2);
      st.psk_identity_len = 2;
    } else if (variant == 3) {
      st.version = TC_TLS13;
      st.age_add = 0xdeadbeef;
      st.issued = 1050;
    }
    uint8_t *t = NULL;
    size_t tl = 0;
    tc_error_clear(&err);
    g_assert_cmpint(tc_ticket_seal(cfg, &st, &t, &tl, &err), ==, TC_OK);
    for (int bad = 0; bad < 4; bad++) {
      uint8_t *tt = g_memdup2(t, tl);
      size_t ttl = tl;
      clk.now = 1000;
      if (bad == 1)
        tt[tl / 2] ^= 1;
      else if (bad == 2)
        clk.now = 1000 + 2 * LIFETIME; /* two periods on: no key opens it */
      else if (bad == 3)
        ttl = tl - 1;
      tc_ticket_state a;
      uint8_t buf[TC_TICKET_MAX_LEN];
      memset(buf, 0xee, sizeof buf);
      size_t used = 99;
      tc_ticket_view v;
      int ra = tc_ticket_open(cfg, tt, ttl, &a);
      int rb = tc_ticket_open_in(cfg, tt, ttl, tc_config_now(cfg), buf, &used, &v);
      g_assert_cmpint(ra, ==, rb);
      g_assert_cmpint(ra, ==, (bad ? -1 : 0));
      /* what the caller must wipe: the opened plaintext, nothing past it */
      if (bad == 2)
        g_assert_cmpuint(used, ==, 0);
      else
        g_assert_cmpuint(used, ==, ttl - 8 - 12 - 16);
      for (size_t i = used; i < sizeof buf; i++)
        g_assert_cmpuint(buf[i], ==, 0xee);
      if (!ra) {
        g_assert_cmpuint(v.version, ==, st.version);
        g_assert_cmpuint(v.suite, ==, st.suite);
        g_assert_cmpmem(v.psk, v.psk_len, st.psk, st.psk_len);
        g_assert_cmpint(v.issued, ==, st.issued);
        g_assert_cmpuint(v.age_add, ==, st.age_add);
        g_assert_cmpuint(v.lifetime, ==, st.lifetime);
        g_assert_cmpmem(v.alpn, v.alpn_len, st.alpn, strlen(st.alpn));
        g_assert_cmpmem(v.psk_identity, v.psk_identity_len, st.psk_identity,
                        st.psk_identity_len);
        g_assert_cmpmem(v.srp_user, v.srp_user_len, st.srp_user, st.srp_user_len);
        /* and tc_ticket_open's copy is the same state */
        g_assert_cmpuint(a.version, ==, v.version);
        g_assert_cmpuint(a.suite, ==, v.suite);
        g_assert_cmpmem(a.psk, a.psk_len, v.psk, v.psk_len);
        g_assert_cmpint(a.issued, ==, v.issued);
        g_assert_cmpuint(a.age_add, ==, v.age_add);
        g_assert_cmpuint(a.lifetime, ==, v.lifetime);
        g_assert_cmpmem(a.alpn, strlen(a.alpn), v.alpn, v.alpn_len);
        g_assert_cmpmem(a.psk_identity, a.psk_identity_len, v.psk_identity, v.psk_identity_len);
        g_assert_cmpmem(a.srp_user, a.srp_user_len, v.srp_user, v.srp_user_len);
      }
      g_free(tt);
    }
    free(t);
  }
  tc_config_unref(cfg);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ticket-keys/derivation", test_derivation);
  g_test_add_func("/ticket-keys/rotation", test_rotation);
  g_test_add_func("/ticket-keys/key-change", test_key_change);
  g_test_add_func("/ticket-keys/key-list", test_key_list);
  g_test_add_func("/ticket-keys/key-file", test_key_file);
  g_test_add_func("/ticket-keys/threads", test_threads);
  g_test_add_func("/ticket-keys/keyed-cache", test_keyed_cache);
  g_test_add_func("/ticket-keys/open-in-place", test_open_in_place);
  return g_test_run();
}
