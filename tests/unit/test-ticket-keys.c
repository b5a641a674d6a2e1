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

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ticket-keys/derivation", test_derivation);
  g_test_add_func("/ticket-keys/rotation", test_rotation);
  g_test_add_func("/ticket-keys/key-change", test_key_change);
  g_test_add_func("/ticket-keys/threads", test_threads);
  return g_test_run();
}
