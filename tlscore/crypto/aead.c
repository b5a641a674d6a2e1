/* AEAD ciphers, in place or source to destination: AES-GCM, AES-CCM (16- and 8-byte tags) and ChaCha20-Poly1305 over nettle. */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <nettle/ccm.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>

#include "crypto/crypto_internal.h"

_Static_assert(sizeof(struct gcm_aes128_ctx) <= sizeof(((tc_aead *)0)->state), "gcm128 ctx");
_Static_assert(sizeof(struct gcm_aes256_ctx) <= sizeof(((tc_aead *)0)->state), "gcm256 ctx");
_Static_assert(sizeof(struct chacha_poly1305_ctx) <= sizeof(((tc_aead *)0)->state), "chacha ctx");
_Static_assert(sizeof(struct ccm_aes128_ctx) <= sizeof(((tc_aead *)0)->state), "ccm128 ctx");
_Static_assert(sizeof(struct ccm_aes256_ctx) <= sizeof(((tc_aead *)0)->state), "ccm256 ctx");
_Static_assert(CCM_DIGEST_SIZE == TC_AEAD_TAG_LEN, "ccm tag size");
_Static_assert(GCM_DIGEST_SIZE == TC_AEAD_TAG_LEN && CHACHA_POLY1305_DIGEST_SIZE == TC_AEAD_TAG_LEN,
               "tag size");
_Static_assert(CHACHA_POLY1305_NONCE_SIZE == TC_AEAD_NONCE_LEN, "nonce size");

size_t tc_aead_key_len(tc_aead_alg alg) {
  switch (alg) {
  case TC_AEAD_AES128_GCM: return 16;
  case TC_AEAD_AES256_GCM: return 32;
  case TC_AEAD_CHACHA20_POLY1305: return 32;
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8: return 16;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8: return 32;
  default: return 0;
  }
}

size_t tc_aead_tag_len(tc_aead_alg alg) {
  return alg == TC_AEAD_AES128_CCM_8 || alg == TC_AEAD_AES256_CCM_8 ? 8 : TC_AEAD_TAG_LEN;
}

int tc_aead_init(tc_aead *a, tc_aead_alg alg, const uint8_t *key, size_t key_len) {
  size_t want = tc_aead_key_len(alg);
  a->alg = TC_AEAD_NONE;
  if (want == 0 || key_len != want)
    return -1;
  switch (alg) {
  case TC_AEAD_AES128_GCM: gcm_aes128_set_key((void *)a->state, key); break;
  case TC_AEAD_AES256_GCM: gcm_aes256_set_key((void *)a->state, key); break;
  case TC_AEAD_CHACHA20_POLY1305: chacha_poly1305_set_key((void *)a->state, key); break;
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8: ccm_aes128_set_key((void *)a->state, key); break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8: ccm_aes256_set_key((void *)a->state, key); break;
  default: return -1;
  }
  a->alg = alg;
  return 0;
}

/* The three steps of one AEAD operation, so that the data can come in
 * pieces (nettle: every piece but the last a multiple of the block size,
 * 16 for GCM and CCM, 64 for ChaCha20-Poly1305) and go from src to dst.
 * CCM binds the total length and the tag size into its first block. */
static void aead_start(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                       size_t total) {
  void *st = a->state;
  size_t tl = tc_aead_tag_len(a->alg);
  switch (a->alg) {
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8:
    ccm_aes128_set_nonce(st, TC_AEAD_NONCE_LEN, nonce, aad_len, total, tl);
    if (aad_len > 0)
      ccm_aes128_update(st, aad_len, aad);
    break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8:
    ccm_aes256_set_nonce(st, TC_AEAD_NONCE_LEN, nonce, aad_len, total, tl);
    if (aad_len > 0)
      ccm_aes256_update(st, aad_len, aad);
    break;
  case TC_AEAD_AES128_GCM:
    gcm_aes128_set_iv(st, TC_AEAD_NONCE_LEN, nonce);
    if (aad_len > 0)
      gcm_aes128_update(st, aad_len, aad);
    break;
  case TC_AEAD_AES256_GCM:
    gcm_aes256_set_iv(st, TC_AEAD_NONCE_LEN, nonce);
    if (aad_len > 0)
      gcm_aes256_update(st, aad_len, aad);
    break;
  case TC_AEAD_CHACHA20_POLY1305:
    chacha_poly1305_set_nonce(st, nonce);
    if (aad_len > 0)
      chacha_poly1305_update(st, aad_len, aad);
    break;
  default:
    break;
  }
}

static void aead_crypt(tc_aead *a, bool encrypt, uint8_t *dst, const uint8_t *src, size_t len) {
  void *st = a->state;
  if (len == 0)
    return;
  switch (a->alg) {
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8:
    (encrypt ? ccm_aes128_encrypt : ccm_aes128_decrypt)(st, len, dst, src);
    break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8:
    (encrypt ? ccm_aes256_encrypt : ccm_aes256_decrypt)(st, len, dst, src);
    break;
  case TC_AEAD_AES128_GCM:
    (encrypt ? gcm_aes128_encrypt : gcm_aes128_decrypt)(st, len, dst, src);
    break;
  case TC_AEAD_AES256_GCM:
    (encrypt ? gcm_aes256_encrypt : gcm_aes256_decrypt)(st, len, dst, src);
    break;
  case TC_AEAD_CHACHA20_POLY1305:
    (encrypt ? chacha_poly1305_encrypt : chacha_poly1305_decrypt)(st, len, dst, src);
    break;
  default:
    break;
  }
}

/* Leaves the tag (tc_aead_tag_len bytes) in tag[0..16). */
static void aead_finish(tc_aead *a, uint8_t tag[16]) {
  void *st = a->state;
  size_t tl = tc_aead_tag_len(a->alg);
  switch (a->alg) {
  case TC_AEAD_AES128_CCM:
  case TC_AEAD_AES128_CCM_8: ccm_aes128_digest(st, tl, tag); break;
  case TC_AEAD_AES256_CCM:
  case TC_AEAD_AES256_CCM_8: ccm_aes256_digest(st, tl, tag); break;
  case TC_AEAD_AES128_GCM: gcm_aes128_digest(st, TC_AEAD_TAG_LEN, tag); break;
  case TC_AEAD_AES256_GCM: gcm_aes256_digest(st, TC_AEAD_TAG_LEN, tag); break;
  case TC_AEAD_CHACHA20_POLY1305: chacha_poly1305_digest(st, TC_AEAD_TAG_LEN, tag); break;
  default:
    /* never produce a usable tag from an uninitialised context */
    memset(tag, 0, TC_AEAD_TAG_LEN);
    break;
  }
}

static void put_tag(tc_aead *a, uint8_t *tag) {
  /* a full-size scratch tag, so an 8-byte CCM_8 tag never overruns `tag` */
  uint8_t t[TC_AEAD_TAG_LEN];
  aead_finish(a, t);
  memcpy(tag, t, tc_aead_tag_len(a->alg));
  tc_wipe(t, sizeof t);
}

void tc_aead_seal(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                  uint8_t *buf, size_t len, uint8_t *tag) {
  aead_start(a, nonce, aad, aad_len, len);
  aead_crypt(a, true, buf, buf, len);
  put_tag(a, tag);
}

void tc_aead_seal_to(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                     const uint8_t *src, size_t src_len, const uint8_t *tail, size_t tail_len,
                     uint8_t *dst, uint8_t *tag) {
  /* The whole blocks of src go straight to dst; the rest of src and the
   * tail (under one ChaCha20 block) are put after them and run in place. */
  size_t head = tail_len ? src_len & ~(size_t)63 : src_len;
  aead_start(a, nonce, aad, aad_len, src_len + tail_len);
  aead_crypt(a, true, dst, src, head);
  if (head < src_len || tail_len) {
    uint8_t *rest = dst + head;
    memcpy(rest, src + head, src_len - head);
    memcpy(rest + (src_len - head), tail, tail_len);
    aead_crypt(a, true, rest, rest, src_len - head + tail_len);
  }
  put_tag(a, tag);
}

static int aead_open(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                     const uint8_t *src, size_t len, const uint8_t *tag, uint8_t *dst) {
  uint8_t computed[TC_AEAD_TAG_LEN];
  if (a->alg == TC_AEAD_NONE)
    return -1;
  aead_start(a, nonce, aad, aad_len, len);
  aead_crypt(a, false, dst, src, len);
  aead_finish(a, computed);
  bool ok = tc_ct_equal(computed, tag, tc_aead_tag_len(a->alg));
  tc_wipe(computed, sizeof computed);
  if (!ok) {
    /* do not hand out unauthenticated plaintext */
    if (len > 0)
      tc_wipe(dst, len);
    return -1;
  }
  return 0;
}

int tc_aead_open(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                 uint8_t *buf, size_t len, const uint8_t *tag) {
  return aead_open(a, nonce, aad, aad_len, buf, len, tag, buf);
}

int tc_aead_open_to(tc_aead *a, const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                    const uint8_t *src, size_t len, const uint8_t *tag, uint8_t *dst) {
  return aead_open(a, nonce, aad, aad_len, src, len, tag, dst);
}

/* How much of a GCM key table (struct gcm_key, 256 entries of 16 bytes)
 * nettle's gcm_set_key writes: all of it in the C code, two entries with
 * PCLMUL (nettle 3.8), other amounts elsewhere. The rest is never written,
 * so it never holds key material and need not be wiped: a record
 * protection state is wiped when it is rekeyed and when its connection is
 * freed, and the whole table was ~4 KiB of memset per direction for 32
 * bytes of key material. Found once per process by keying the same key
 * into a table filled with 0x00 and one filled with 0xff: an entry
 * nettle writes holds the same value in both, which cannot match both
 * fills, so every entry written differs from its fill in at least one. */
static size_t gcm_table_used = sizeof(struct gcm_key);
static pthread_once_t gcm_probe_once = PTHREAD_ONCE_INIT;

static void gcm_probe(void) {
  static struct gcm_aes256_ctx x, y; /* static: 8.6 KiB, once per process */
  static const uint8_t key[32] = {0x5a, 1, 2, 3};
  memset(&x, 0, sizeof x);
  memset(&y, 0xff, sizeof y);
  gcm_aes256_set_key(&x, key);
  gcm_aes256_set_key(&y, key);
  size_t used = 0;
  static const uint8_t zero[16], ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  for (size_t i = 0; i < sizeof x.key.h / sizeof x.key.h[0]; i++)
    if (memcmp(x.key.h[i].b, zero, 16) != 0 || memcmp(y.key.h[i].b, ones, 16) != 0)
      used = (i + 1) * sizeof x.key.h[0];
  tc_wipe(&x, sizeof x);
  tc_wipe(&y, sizeof y);
  gcm_table_used = used;
}

/* Wipe a GCM context of nettle's type T: the part of the key table that
 * gcm_set_key writes (from offset 0), the per-message state and the
 * cipher's key schedule. */
#define WIPE_GCM(T, st)                                                                  \
  do {                                                                                   \
    T *g_ = (T *)(st);                                                                   \
    tc_wipe(&g_->key, gcm_table_used);                                                   \
    tc_wipe((uint8_t *)g_ + offsetof(T, gcm), sizeof(T) - offsetof(T, gcm));             \
  } while (0)

_Static_assert(offsetof(struct gcm_aes128_ctx, key) == 0 &&
                   offsetof(struct gcm_aes128_ctx, gcm) == sizeof(struct gcm_key) &&
                   offsetof(struct gcm_aes256_ctx, key) == 0 &&
                   offsetof(struct gcm_aes256_ctx, gcm) == sizeof(struct gcm_key),
               "GCM context layout: key table first, then the rest");

void tc_aead_clear(tc_aead *a) {
  switch (a->alg) {
  case TC_AEAD_AES128_GCM:
    pthread_once(&gcm_probe_once, gcm_probe);
    WIPE_GCM(struct gcm_aes128_ctx, a->state);
    break;
  case TC_AEAD_AES256_GCM:
    pthread_once(&gcm_probe_once, gcm_probe);
    WIPE_GCM(struct gcm_aes256_ctx, a->state);
    break;
  case TC_AEAD_CHACHA20_POLY1305:
    tc_wipe(a->state, sizeof(struct chacha_poly1305_ctx));
    break;
  default:
    /* CCM (small contexts, rare) and a context whose set-up failed or
     * that never had one: all of it. */
    tc_wipe(a->state, sizeof a->state);
    break;
  }
  a->alg = TC_AEAD_NONE;
}
