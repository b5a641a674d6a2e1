/* Zero-copy record path: records opened straight into tc_conn_read's buffer, sealed from tc_conn_write's, lazy records. */
#include <glib.h>
#include <string.h>
#include <time.h>

#include "engine/conn_internal.h"
#include "pump.h"
#include "tlscore/config.h"
#include "tlscore/conn.h"

#define SUITE12_ECDHE_RSA_AES128_GCM 0xc02f
#define SUITE12_ECDHE_RSA_CHACHA20 0xcca8
#define SUITE12_ECDHE_RSA_AES128_CBC 0xc013

typedef struct {
  uint16_t version;
  uint16_t suite;
  bool direct; /* AEAD: the plaintext must never be in the engine's input buffer */
} zc_case;

static void open_pair(const zc_case *k, tc_config **ccfg, tc_config **scfg, tc_conn **c,
                      tc_conn **s) {
  *scfg = pump_server_cfg12(k->version, k->version, &k->suite, 1);
  *ccfg = pump_client_cfg12(k->version, k->version, &k->suite, 1);
  pump_new_pair(*ccfg, *scfg, c, s);
  tc_conn_set_lazy_records(*s, true);
  tc_conn_set_lazy_records(*c, true);
  g_assert_cmpint(pump_handshake(*c, *s), ==, TC_OK);
  g_assert_cmpuint(tc_conn_cipher_suite(*c), ==, k->suite);
}

static void close_pair(tc_config *ccfg, tc_config *scfg, tc_conn *c, tc_conn *s) {
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
}

/* Everything `from` has to send, fed to `to` in one go. */
static void move(tc_conn *from, tc_conn *to) {
  GByteArray *a = pump_drain(from);
  size_t used = 0;
  int r = tc_conn_feed(to, a->data, a->len, &used);
  g_assert_cmpint(r, !=, TC_FAIL);
  g_assert_cmpuint(used, ==, a->len);
  g_byte_array_unref(a);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m) {
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(hay + i, needle, m) == 0)
      return true;
  return false;
}

/* Several records written in one call (sealed from the caller's buffer),
 * read back with a large buffer (opened into it) and with a small one
 * (through the input buffer); the data arrive intact and in order. */
static void transfer_case(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);

  enum { LEN = 3 * 16384 + 1000 };
  uint8_t *msg = g_malloc(LEN), *got = g_malloc0(LEN + 16384);
  for (size_t i = 0; i < LEN; i++)
    msg[i] = (uint8_t)(i * 7 + i / 251);
  for (int round = 0; round < 2; round++) {
    size_t sent = 0, have = 0, bufsize = round == 0 ? 65536 : 1000;
    while (sent < LEN) {
      size_t n = 0;
      g_assert_cmpint(tc_conn_write(c, msg + sent, LEN - sent, &n), ==, TC_OK);
      sent += n;
      move(c, s);
      for (;;) {
        size_t m = 0;
        int r = tc_conn_read(s, got + have, bufsize, &m);
        if (r == TC_AGAIN)
          break;
        g_assert_cmpint(r, ==, TC_OK);
        have += m;
      }
    }
    g_assert_cmpuint(have, ==, LEN);
    g_assert_cmpmem(got, LEN, msg, LEN);
    if (k->direct && round == 0) {
      /* Opened into `got`, never in place: no plaintext in ibuf. */
      for (size_t off = 0; off < LEN; off += 16384)
        g_assert_false(contains(s->rec.ibuf, s->rec.ihigh, msg + off, 32));
    }
    if (round == 1) {
      /* Opened in place (a small buffer): the plaintext of the last
       * record is still in ibuf, all of it below iplain, the extent that
       * is wiped when the buffer goes. */
      const uint8_t *tail = msg + LEN - 32;
      size_t at = SIZE_MAX;
      for (size_t i = 0; i + 32 <= s->rec.ihigh; i++)
        if (memcmp(s->rec.ibuf + i, tail, 32) == 0)
          at = i;
      g_assert_cmpuint(at, !=, SIZE_MAX);
      g_assert_cmpuint(at + 32, <=, s->rec.iplain);
    }
    memset(got, 0, LEN);
  }
  g_free(msg);
  g_free(got);
  close_pair(ccfg, scfg, c, s);
}

static const zc_case cases[] = {
    {TC_TLS13, TC_TLS_AES_128_GCM_SHA256, true},
    {TC_TLS13, TC_TLS_AES_256_GCM_SHA384, true},
    {TC_TLS13, TC_TLS_CHACHA20_POLY1305_SHA256, true},
    {TC_TLS13, 0x1304 /* TLS_AES_128_CCM_SHA256 */, true},
    {TC_TLS13, 0x1305 /* TLS_AES_128_CCM_8_SHA256: 8-byte tags */, true},
    {TC_TLS12, SUITE12_ECDHE_RSA_AES128_GCM, true},
    {TC_TLS12, SUITE12_ECDHE_RSA_CHACHA20, true},
    {TC_TLS12, SUITE12_ECDHE_RSA_AES128_CBC, false},
};

/* Lazy records: a waiting record is reported readable and acted on by the
 * read, whatever it turns out to be. */
static void test_lazy_ticket(void) {
  zc_case k = {TC_TLS13, TC_TLS_AES_128_GCM_SHA256, true};
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(&k, &ccfg, &scfg, &c, &s);
  /* The server's ticket went out after its Finished; the handshake pump
   * fed it to the client, which took it with the handshake when it came
   * in the same input, else it waits unopened for the read. */
  move(s, c);
  if (!tc_conn_get_session(c)) {
    g_assert_true(tc_conn_status(c) & TC_S_READABLE);
    uint8_t buf[32768];
    size_t n = 99;
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &n), ==, TC_AGAIN);
    g_assert_cmpuint(n, ==, 0);
  }
  tc_session *sess = tc_conn_get_session(c);
  g_assert_nonnull(sess);
  tc_session_unref(sess);
  g_assert_false(tc_conn_status(c) & TC_S_READABLE);
  /* Application data after it still arrives. */
  g_assert_true(pump_transfer(s, c, (const unsigned char *)"after the ticket", 16));
  close_pair(ccfg, scfg, c, s);
}

/* ---- tickets taken when the handshake completes ----
 *
 * A client that never reads (GIO: connect, write, close) must still get
 * the tickets that came with the server's flight, without touching what
 * follows them. To have application data behind the tickets in the
 * client's input when its handshake completes (our server writes only
 * after the client's Finished), a client with a scripted generator runs
 * the handshake once against a server; everything the server sent is then
 * given in one go to a second client with the same script, which sends
 * the same ClientHello and so expects exactly those bytes. */

typedef enum { AFTER_DATA, AFTER_CLOSE, AFTER_NOTHING, AFTER_KEY_UPDATE } after_kind;

static tc_conn *scripted_client(pump_rng *rng, tc_config **cfg) {
  const uint16_t suite = TC_TLS_AES_128_GCM_SHA256;
  memset(rng, 0, sizeof *rng);
  *cfg = pump_client_cfg12(TC_TLS13, TC_TLS13, &suite, 1);
  tc_config_set_rng(*cfg, (tc_rng_fn)pump_rng_fn, rng);
  tc_error err;
  tc_error_clear(&err);
  tc_conn *c = tc_conn_new(*cfg, &err);
  g_assert_nonnull(c);
  g_assert_cmpint(tc_conn_set_server_name(c, "localhost"), ==, TC_OK);
  tc_conn_set_lazy_records(c, true);
  return c;
}

/* Everything the server sends a scripted client: its flight, its tickets
 * and then (kind) application data, a close_notify or nothing. */
static GByteArray *server_bytes(after_kind kind, const char *data) {
  pump_rng rng;
  tc_config *ccfg, *scfg = pump_server_cfg12(TC_TLS13, TC_TLS13, NULL, 0);
  tc_conn *c = scripted_client(&rng, &ccfg), *s;
  tc_error err;
  tc_error_clear(&err);
  s = tc_conn_new(scfg, &err);
  g_assert_nonnull(s);
  GByteArray *all = g_byte_array_new();
  move(c, s);                        /* ClientHello */
  GByteArray *a = pump_drain(s);     /* the server's flight (and tickets) */
  g_byte_array_append(all, a->data, a->len);
  size_t used = 0;
  g_assert_cmpint(tc_conn_feed(c, a->data, a->len, &used), !=, TC_FAIL);
  g_byte_array_unref(a);
  g_assert_true(tc_conn_handshake_done(c));
  move(c, s);                        /* Finished */
  g_assert_true(tc_conn_handshake_done(s));
  if (kind == AFTER_DATA) {
    size_t n = 0;
    g_assert_cmpint(tc_conn_write(s, (const uint8_t *)data, strlen(data), &n), ==, TC_OK);
    g_assert_cmpuint(n, ==, strlen(data));
  } else if (kind == AFTER_CLOSE) {
    g_assert_cmpint(tc_conn_close(s), ==, TC_OK);
  } else if (kind == AFTER_KEY_UPDATE) {
    g_assert_cmpint(tc_conn_key_update(s, true), ==, TC_OK);
  }
  a = pump_drain(s);                 /* tickets sent late, if any, then the rest */
  g_byte_array_append(all, a->data, a->len);
  g_byte_array_unref(a);
  tc_conn_free(c);
  tc_conn_free(s);
  tc_config_unref(ccfg);
  tc_config_unref(scfg);
  return all;
}

static void test_lazy_tickets_at_done(gconstpointer data) {
  after_kind kind = GPOINTER_TO_INT(data);
  const char *msg = "the server speaks first, right after its Finished";
  GByteArray *in = server_bytes(kind, msg);
  pump_rng rng;
  tc_config *ccfg;
  tc_conn *c = scripted_client(&rng, &ccfg);
  g_byte_array_unref(pump_drain(c)); /* the same ClientHello */

  /* All of it in one input_ack, as one socket read brings it. */
  size_t cap = 0;
  uint8_t *p = tc_conn_input_buf(c, &cap);
  g_assert_nonnull(p);
  g_assert_cmpuint(cap, >=, in->len);
  memcpy(p, in->data, in->len);
  g_assert_cmpint(tc_conn_input_ack(c, in->len), ==, TC_OK);
  g_assert_true(tc_conn_handshake_done(c));
  g_byte_array_unref(pump_drain(c)); /* its Finished */

  /* The tickets were taken with the handshake, no read needed: two (a
   * full handshake's default), distinct. */
  tc_session *got[8];
  size_t n = tc_conn_take_sessions(c, got, G_N_ELEMENTS(got));
  g_assert_cmpuint(n, ==, 2);
  g_assert_true(got[0] != got[1]);
  g_assert_true(tc_session_single_use(got[0]) && tc_session_single_use(got[1]));
  g_assert_false(tc_session_expired(got[0], (int64_t)time(NULL)));
  g_assert_cmpuint(tc_conn_take_sessions(c, got + 2, 6), ==, 0); /* taken once */
  tc_session *latest = tc_conn_get_session(c);
  g_assert_true(latest == got[1]);
  tc_session_unref(latest);
  tc_session_unref(got[0]);
  tc_session_unref(got[1]);

  /* What followed them is untouched: the close_notify not yet seen, the
   * data not yet opened; each arrives at the read as before. */
  unsigned st = tc_conn_status(c);
  g_assert_false(st & TC_S_PEER_CLOSED);
  g_assert_false(st & TC_S_FAILED);
  uint8_t buf[32768];
  size_t k = 0;
  if (kind == AFTER_DATA) {
    g_assert_true(st & TC_S_READABLE);
    g_assert_cmpuint(c->app_len, ==, 0);
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_OK);
    g_assert_cmpmem(buf, k, msg, strlen(msg));
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_AGAIN);
  } else if (kind == AFTER_CLOSE) {
    g_assert_true(st & TC_S_READABLE); /* a record waits */
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_EOF);
    g_assert_true(tc_conn_status(c) & TC_S_PEER_CLOSED);
  } else if (kind == AFTER_KEY_UPDATE) {
    /* Only tickets are taken then: the KeyUpdate waits for the read,
     * which answers it. */
    g_assert_false(st & TC_S_OUTPUT);
    g_assert_true(st & TC_S_READABLE);
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_AGAIN);
    g_assert_true(tc_conn_status(c) & TC_S_OUTPUT);
  } else {
    g_assert_false(st & TC_S_READABLE);
    g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_AGAIN);
  }
  g_byte_array_unref(in);
  tc_conn_free(c);
  tc_config_unref(ccfg);
}

/* A forged record after the tickets is left for the read, which reports
 * it as before (the handshake itself succeeds). */
static void test_lazy_tickets_then_bad(void) {
  const char *msg = "forged";
  GByteArray *in = server_bytes(AFTER_DATA, msg);
  in->data[in->len - 3] ^= 1; /* the last record's tag */
  pump_rng rng;
  tc_config *ccfg;
  tc_conn *c = scripted_client(&rng, &ccfg);
  g_byte_array_unref(pump_drain(c));
  size_t used = 0;
  g_assert_cmpint(tc_conn_feed(c, in->data, in->len, &used), ==, TC_OK);
  g_assert_cmpuint(used, ==, in->len);
  g_assert_true(tc_conn_handshake_done(c));
  tc_session *got[4];
  size_t n = tc_conn_take_sessions(c, got, 4);
  g_assert_cmpuint(n, ==, 2);
  for (size_t i = 0; i < n; i++)
    tc_session_unref(got[i]);
  g_assert_false(tc_conn_status(c) & TC_S_FAILED);
  uint8_t buf[32768];
  size_t k = 0;
  g_assert_cmpint(tc_conn_read(c, buf, sizeof buf, &k), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(c)->code, ==, TC_ERR_BAD_RECORD_MAC);
  g_byte_array_unref(in);
  tc_conn_free(c);
  tc_config_unref(ccfg);
}

static void test_lazy_bad_record(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  uint8_t msg[20000];
  memset(msg, 'x', sizeof msg);
  size_t n = 0;
  g_assert_cmpint(tc_conn_write(c, msg, sizeof msg, &n), ==, TC_OK);
  GByteArray *a = pump_drain(c);
  a->data[100] ^= 1; /* inside the first record's ciphertext */
  size_t used = 0;
  g_assert_cmpint(tc_conn_feed(s, a->data, a->len, &used), ==, TC_OK);
  g_byte_array_unref(a);
  g_assert_true(tc_conn_status(s) & TC_S_READABLE);
  uint8_t buf[65536];
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_BAD_RECORD_MAC);
  /* Nothing of the forged record reached the caller. */
  g_assert_false(contains(buf, sizeof buf, msg, 32));
  close_pair(ccfg, scfg, c, s);
}

static void test_lazy_close(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  size_t n = 0;
  g_assert_cmpint(tc_conn_write(c, (const uint8_t *)"last", 4, &n), ==, TC_OK);
  g_assert_cmpint(tc_conn_close(c), ==, TC_OK);
  move(c, s);
  uint8_t buf[65536];
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, "last", 4);
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_EOF);
  close_pair(ccfg, scfg, c, s);
}

/* Read from `s` into got[*have..cap) until it has nothing more to give. */
static void read_until_again(tc_conn *s, uint8_t *got, size_t *have, size_t cap) {
  for (;;) {
    size_t m = 0;
    int r = tc_conn_read(s, got + *have, cap - *have, &m);
    if (r == TC_AGAIN)
      break;
    g_assert_cmpint(r, ==, TC_OK);
    *have += m;
  }
}

/* Write msg[0..len) through `c`, returning everything it sent, in order. */
static GByteArray *write_to_wire(tc_conn *c, const uint8_t *msg, size_t len) {
  GByteArray *wire = g_byte_array_new();
  size_t sent = 0;
  while (sent < len) {
    size_t n = 0;
    g_assert_cmpint(tc_conn_write(c, msg + sent, len - sent, &n), ==, TC_OK);
    sent += n;
    GByteArray *a = pump_drain(c);
    g_byte_array_append(wire, a->data, a->len);
    g_byte_array_unref(a);
  }
  return wire;
}

/* Feed everything `from` sent to `to`, reading what arrives into
 * got[*have..cap) as the input buffer fills. */
static void move_read(tc_conn *from, tc_conn *to, uint8_t *got, size_t *have, size_t cap) {
  GByteArray *a = pump_drain(from);
  size_t off = 0;
  while (off < a->len) {
    size_t used = 0;
    g_assert_cmpint(tc_conn_feed(to, a->data + off, a->len - off, &used), !=, TC_FAIL);
    off += used;
    read_until_again(to, got, have, cap);
  }
  g_byte_array_unref(a);
}

/* tc_conn_set_write_records: one write seals up to that many full records
 * into one output buffer (default: one record per call). */
static void test_write_batch(void) {
  zc_case k = {TC_TLS13, TC_TLS_AES_128_GCM_SHA256, true};
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(&k, &ccfg, &scfg, &c, &s);
  enum { LEN = 5 * 16384 + 7 }; /* 1 + 4 records + what is left */
  uint8_t *msg = g_malloc(LEN), *got = g_malloc(LEN);
  for (size_t i = 0; i < LEN; i++)
    msg[i] = (uint8_t)(i * 13);
  size_t n = 0, out = 0;
  g_assert_cmpint(tc_conn_write(c, msg, LEN, &n), ==, TC_OK);
  g_assert_cmpuint(n, ==, 16384);
  g_assert_nonnull(tc_conn_output(c, &out));
  g_assert_cmpuint(out, ==, 5 + 16384 + 17);
  size_t have = 0;
  move_read(c, s, got, &have, LEN);
  tc_conn_set_write_records(c, 4);
  size_t more = 0;
  g_assert_cmpint(tc_conn_write(c, msg + n, LEN - n, &more), ==, TC_OK);
  g_assert_cmpuint(more, ==, 4 * 16384);
  g_assert_nonnull(tc_conn_output(c, &out));
  g_assert_cmpuint(out, ==, 4 * (5 + 16384 + 17));
  n += more;
  move_read(c, s, got, &have, LEN);
  g_assert_cmpint(tc_conn_write(c, msg + n, LEN - n, &more), ==, TC_OK);
  g_assert_cmpuint(more, ==, LEN - n);
  move_read(c, s, got, &have, LEN);
  g_assert_cmpuint(have, ==, LEN);
  g_assert_cmpmem(got, LEN, msg, LEN);
  g_free(msg);
  g_free(got);
  close_pair(ccfg, scfg, c, s);
}

/* tc_conn_set_aligned_records with batches: a large write goes out as one
 * piece per record (AEAD: each record's encrypted bytes 8-byte aligned in
 * the engine's buffer; CBC seals in place and keeps one piece), the
 * pieces are what tc_conn_output loops over, and the peer reads it all. */
static void test_aligned_case(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  tc_conn_set_write_records(c, 4);
  tc_conn_set_aligned_records(c, true);

  enum { LEN = 9 * 16384 + 5 };
  uint8_t *msg = g_malloc(LEN), *got = g_malloc0(LEN);
  for (size_t i = 0; i < LEN; i++)
    msg[i] = (uint8_t)(i * 11 + i / 257);
  size_t sent = 0, have = 0;
  while (sent < LEN) {
    size_t n = 0;
    g_assert_cmpint(tc_conn_write(c, msg + sent, LEN - sent, &n), ==, TC_OK);
    size_t records = (n + 16383) / 16384;
    tc_out_piece v[8];
    size_t total = 0;
    size_t np = tc_conn_output_vec(c, v, G_N_ELEMENTS(v), &total);
    g_assert_cmpuint(np, ==, k->direct ? records : 1);
    GByteArray *wire = g_byte_array_new();
    for (size_t i = 0; i < np; i++) {
      if (k->direct)
        g_assert_cmpuint((uintptr_t)(v[i].base + c->rec.wr.sealed_off) % 8, ==, 0);
      g_byte_array_append(wire, v[i].base, (guint)v[i].len);
    }
    g_assert_cmpuint(wire->len, ==, total);
    /* tc_conn_output walks the same bytes piece by piece. */
    size_t at = 0;
    for (;;) {
      size_t len = 0;
      const uint8_t *p = tc_conn_output(c, &len);
      if (!p)
        break;
      g_assert_cmpmem(p, len, wire->data + at, len);
      at += len;
      tc_conn_output_ack(c, len);
    }
    g_assert_cmpuint(at, ==, wire->len);
    size_t off = 0;
    while (off < wire->len) {
      size_t used = 0;
      g_assert_cmpint(tc_conn_feed(s, wire->data + off, wire->len - off, &used), !=, TC_FAIL);
      off += used;
      read_until_again(s, got, &have, LEN);
    }
    g_byte_array_unref(wire);
    sent += n;
  }
  g_assert_cmpuint(have, ==, LEN);
  g_assert_cmpmem(got, LEN, msg, LEN);
  g_free(msg);
  g_free(got);
  close_pair(ccfg, scfg, c, s);
}

/* Network input written straight into tc_conn_input_buf and committed with
 * tc_conn_input_ack, as the GIO layer reads: commits of every size (one
 * byte, less than offered, records split across reads, several records in
 * one read of a 4-record buffer); the peer's data arrive intact. */
static void test_input_direct(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  tc_conn_set_write_records(c, 4);
  tc_conn_set_input_records(s, 4);

  enum { LEN = 11 * 16384 + 333 };
  uint8_t *msg = g_malloc(LEN), *got = g_malloc0(LEN);
  for (size_t i = 0; i < LEN; i++)
    msg[i] = (uint8_t)(i * 5 + i / 263);
  GByteArray *wire = write_to_wire(c, msg, LEN);
  /* Read sizes cycle through these; 0 commits nothing. */
  static const size_t reads[] = {1, 4, 0, 16406 - 5, 70000, 3, 9000, 40000, 17, 65536};
  size_t off = 0, have = 0, big = 0;
  for (size_t i = 0; off < wire->len; i++) {
    size_t cap = 0;
    uint8_t *p = tc_conn_input_buf(s, &cap);
    g_assert_nonnull(p);
    g_assert_cmpuint(cap, >, 0);
    if (cap >= 4 * 16384)
      big++;
    size_t want = reads[i % G_N_ELEMENTS(reads)];
    size_t kk = want < cap ? want : cap;
    if (kk > wire->len - off)
      kk = wire->len - off;
    memcpy(p, wire->data + off, kk);
    g_assert_cmpint(tc_conn_input_ack(s, kk), ==, TC_OK);
    off += kk;
    read_until_again(s, got, &have, LEN);
  }
  g_assert_cmpuint(big, >, 0); /* room for 4 records was offered */
  g_assert_cmpuint(have, ==, LEN);
  g_assert_cmpmem(got, LEN, msg, LEN);
  g_byte_array_unref(wire);
  g_free(msg);
  g_free(got);
  close_pair(ccfg, scfg, c, s);
}

/* A commit of more than was offered fails the connection (no bytes nobody
 * wrote are taken as input); a buffer handed out stays put through
 * tc_conn_shrink until committed. */
static void test_input_commit_checks(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  tc_conn_set_input_records(s, 2);

  size_t cap = 0;
  uint8_t *p = tc_conn_input_buf(s, &cap);
  g_assert_nonnull(p);
  g_assert_cmpuint(cap, >=, 2 * 16384);
  /* Idle, yet lent: shrinking must leave the buffer where it is. */
  tc_conn_shrink(s);
  g_assert_true(s->rec.ibuf != NULL);
  size_t cap2 = 0;
  g_assert_true(tc_conn_input_buf(s, &cap2) == p);
  g_assert_cmpuint(cap2, ==, cap);
  size_t n = 0;
  g_assert_cmpint(tc_conn_write(c, (const uint8_t *)"hello", 5, &n), ==, TC_OK);
  GByteArray *a = pump_drain(c);
  g_assert_cmpuint(a->len, <=, cap);
  memcpy(p, a->data, a->len);
  g_assert_cmpint(tc_conn_input_ack(s, a->len), ==, TC_OK);
  g_byte_array_unref(a);
  uint8_t buf[64];
  g_assert_cmpint(tc_conn_read(s, buf, sizeof buf, &n), ==, TC_OK);
  g_assert_cmpmem(buf, n, "hello", 5);
  /* Committed and idle: now it goes. */
  tc_conn_shrink(s);
  g_assert_null(s->rec.ibuf);

  p = tc_conn_input_buf(s, &cap);
  g_assert_nonnull(p);
  g_assert_cmpint(tc_conn_input_ack(s, cap + 1), ==, TC_FAIL);
  g_assert_cmpint(tc_conn_error(s)->code, ==, TC_ERR_INVALID_ARGUMENT);
  g_assert_true(tc_conn_status(s) & TC_S_FAILED);
  g_assert_null(tc_conn_input_buf(s, &cap));
  g_assert_cmpuint(cap, ==, 0);
  close_pair(ccfg, scfg, c, s);
}

/* The bytes expected before the record the wire's first `fed` bytes end
 * in is complete, walking the record headers of `wire` independently. */
static size_t missing_after(const GByteArray *wire, size_t fed) {
  size_t pos = 0;
  while (pos < fed) {
    if (fed - pos < 5)
      return 5 - (fed - pos);
    size_t whole = 5 + ((size_t)wire->data[pos + 3] << 8 | wire->data[pos + 4]);
    if (fed - pos < whole)
      return whole - (fed - pos);
    pos += whole;
  }
  return 0;
}

/* tc_conn_input_missing (what the GIO layer gives SO_RCVLOWAT while it
 * waits) tells, after any piece of input, exactly how many bytes the
 * record under way still lacks, whether or not the complete records
 * before it were read; 0 at a record boundary, and 0 for a header that
 * announces more than any record may hold. */
static void test_input_missing(gconstpointer data) {
  const zc_case *k = data;
  tc_config *ccfg, *scfg;
  tc_conn *c, *s;
  open_pair(k, &ccfg, &scfg, &c, &s);
  tc_conn_set_write_records(c, 4);
  tc_conn_set_input_records(s, 4);
  g_assert_cmpuint(tc_conn_input_missing(s), ==, 0);

  enum { LEN = 3 * 16384 + 2000 };
  uint8_t *msg = g_malloc(LEN), *got = g_malloc0(LEN);
  for (size_t i = 0; i < LEN; i++)
    msg[i] = (uint8_t)(i * 3 + i / 127);
  GByteArray *wire = write_to_wire(c, msg, LEN);
  static const size_t pieces[] = {1, 2, 3000, 16406, 4, 7000, 1, 20000, 2};
  size_t off = 0, have = 0, nonzero = 0;
  for (size_t i = 0; off < wire->len; i++) {
    size_t cap = 0;
    uint8_t *p = tc_conn_input_buf(s, &cap);
    g_assert_nonnull(p);
    size_t kk = pieces[i % G_N_ELEMENTS(pieces)];
    if (kk > cap)
      kk = cap;
    if (kk > wire->len - off)
      kk = wire->len - off;
    memcpy(p, wire->data + off, kk);
    g_assert_cmpint(tc_conn_input_ack(s, kk), ==, TC_OK);
    off += kk;
    g_assert_cmpuint(tc_conn_input_missing(s), ==, missing_after(wire, off));
    nonzero += tc_conn_input_missing(s) > 1;
    /* Read every other time, so complete records also wait unread. */
    if (i % 2)
      continue;
    read_until_again(s, got, &have, LEN);
    g_assert_cmpuint(tc_conn_input_missing(s), ==, missing_after(wire, off));
  }
  read_until_again(s, got, &have, LEN);
  g_assert_cmpuint(nonzero, >=, 4);
  g_assert_cmpuint(have, ==, LEN);
  g_assert_cmpmem(got, LEN, msg, LEN);
  g_assert_cmpuint(tc_conn_input_missing(s), ==, 0);

  /* A header announcing 0xffff bytes: no wait is promised for it. */
  size_t cap = 0;
  uint8_t *p = tc_conn_input_buf(s, &cap);
  g_assert_nonnull(p);
  memcpy(p, (const uint8_t[]){23, 3, 3, 0xff}, 4);
  g_assert_cmpint(tc_conn_input_ack(s, 4), ==, TC_OK);
  g_assert_cmpuint(tc_conn_input_missing(s), ==, 1);
  p = tc_conn_input_buf(s, &cap);
  g_assert_nonnull(p);
  p[0] = 0xff;
  tc_conn_input_ack(s, 1);
  g_assert_cmpuint(tc_conn_input_missing(s), ==, 0);
  g_byte_array_unref(wire);
  g_free(msg);
  g_free(got);
  close_pair(ccfg, scfg, c, s);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *name = g_strdup_printf("/zerocopy/transfer/%s/%04x",
                                 cases[i].version == TC_TLS13 ? "tls13" : "tls12", cases[i].suite);
    g_test_add_data_func(name, &cases[i], transfer_case);
    g_free(name);
    name = g_strdup_printf("/zerocopy/aligned/%s/%04x",
                           cases[i].version == TC_TLS13 ? "tls13" : "tls12", cases[i].suite);
    g_test_add_data_func(name, &cases[i], test_aligned_case);
    g_free(name);
    name = g_strdup_printf("/zerocopy/input-direct/%s/%04x",
                           cases[i].version == TC_TLS13 ? "tls13" : "tls12", cases[i].suite);
    g_test_add_data_func(name, &cases[i], test_input_direct);
    g_free(name);
  }
  g_test_add_func("/zerocopy/write-batch", test_write_batch);
  g_test_add_func("/zerocopy/lazy/ticket", test_lazy_ticket);
  g_test_add_data_func("/zerocopy/lazy/tickets-at-done/then-data", GINT_TO_POINTER(AFTER_DATA),
                       test_lazy_tickets_at_done);
  g_test_add_data_func("/zerocopy/lazy/tickets-at-done/then-close",
                       GINT_TO_POINTER(AFTER_CLOSE), test_lazy_tickets_at_done);
  g_test_add_data_func("/zerocopy/lazy/tickets-at-done/alone", GINT_TO_POINTER(AFTER_NOTHING),
                       test_lazy_tickets_at_done);
  g_test_add_data_func("/zerocopy/lazy/tickets-at-done/then-key-update",
                       GINT_TO_POINTER(AFTER_KEY_UPDATE), test_lazy_tickets_at_done);
  g_test_add_func("/zerocopy/lazy/tickets-at-done/then-forged", test_lazy_tickets_then_bad);
  g_test_add_data_func("/zerocopy/lazy/bad-record/tls13", &cases[0], test_lazy_bad_record);
  g_test_add_data_func("/zerocopy/lazy/bad-record/ccm8", &cases[4], test_lazy_bad_record);
  g_test_add_data_func("/zerocopy/lazy/bad-record/tls12", &cases[5], test_lazy_bad_record);
  g_test_add_data_func("/zerocopy/lazy/close/tls13", &cases[2], test_lazy_close);
  g_test_add_data_func("/zerocopy/lazy/close/tls12", &cases[6], test_lazy_close);
  g_test_add_data_func("/zerocopy/input-commit/tls13", &cases[0], test_input_commit_checks);
  g_test_add_data_func("/zerocopy/input-missing/tls13", &cases[0], test_input_missing);
  g_test_add_data_func("/zerocopy/input-missing/tls12", &cases[5], test_input_missing);
  g_test_add_data_func("/zerocopy/input-commit/tls12", &cases[5], test_input_commit_checks);
  return g_test_run();
}
