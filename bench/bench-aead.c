/* Raw AEAD speed of nettle through tlscore's crypto layer: seal and open of 16 KiB records, as the record path calls them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"

/* Thread CPU time: on a shared machine it says what the work costs, not
 * how much of the CPU the thread got. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum { REC = 16384, BATCH = 64, BATCHES = 60 };

typedef enum { SEAL_TO, SEAL_IN_PLACE, OPEN_TO } op_kind;

/* Nanoseconds per byte, the fastest of BATCHES batches of BATCH records
 * (the least disturbed by other work on the machine). dst_off shifts the
 * destination from an 8-byte aligned address. */
static double measure(tc_aead_alg alg, op_kind kind, size_t dst_off) {
  static uint8_t src_mem[REC + 64] __attribute__((aligned(64)));
  static uint8_t dst_mem[REC + 64] __attribute__((aligned(64)));
  uint8_t key[32] = {7}, nonce[12] = {0}, tag[16], aad[5] = {23, 3, 3, 0x40, 0x11};
  uint8_t *src = src_mem, *dst = dst_mem + dst_off;
  tc_aead a;
  if (tc_aead_init(&a, alg, key, tc_aead_key_len(alg)) != 0) {
    fprintf(stderr, "bench-aead: cannot key the AEAD\n");
    exit(1);
  }
  memset(src, 0x5a, REC);
  if (kind == OPEN_TO) {
    /* A valid record to open, again and again under the same nonce. */
    static uint8_t pt[REC];
    memset(pt, 0x5a, REC);
    tc_aead_seal_to(&a, nonce, aad, sizeof aad, pt, REC, NULL, 0, src, tag);
  }
  double best = 1e30;
  for (int b = 0; b < BATCHES + 1; b++) { /* batch 0 warms up */
    double t0 = cpu_now();
    for (int i = 0; i < BATCH; i++) {
      switch (kind) {
      case SEAL_TO:
        tc_aead_seal_to(&a, nonce, aad, sizeof aad, src, REC, NULL, 0, dst, tag);
        break;
      case SEAL_IN_PLACE:
        tc_aead_seal(&a, nonce, aad, sizeof aad, dst, REC, tag);
        break;
      case OPEN_TO:
        if (tc_aead_open_to(&a, nonce, aad, sizeof aad, src, REC, tag, dst) != 0) {
          fprintf(stderr, "bench-aead: open failed\n");
          exit(1);
        }
        break;
      }
    }
    double t = cpu_now() - t0;
    if (b > 0 && t < best)
      best = t;
  }
  tc_aead_clear(&a);
  return best * 1e9 / ((double)BATCH * REC);
}

int main(void) {
  static const struct {
    const char *name;
    tc_aead_alg alg;
  } algs[] = {{"AES-128-GCM", TC_AEAD_AES128_GCM},
              {"AES-256-GCM", TC_AEAD_AES256_GCM},
              {"ChaCha20-Poly1305", TC_AEAD_CHACHA20_POLY1305}};
  printf("%-20s %18s %18s %18s %18s\n", "16 KiB records", "seal src->dst", "seal dst+2 bytes",
         "seal in place", "open src->dst");
  printf("%-20s %18s %18s %18s %18s\n", "(ns/B, MB/s)", "(aligned dst)", "(misaligned)", "",
         "(aligned dst)");
  for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
    double s = measure(algs[i].alg, SEAL_TO, 0), m = measure(algs[i].alg, SEAL_TO, 2),
           p = measure(algs[i].alg, SEAL_IN_PLACE, 0), o = measure(algs[i].alg, OPEN_TO, 0);
    printf("%-20s %7.3f %9.0f  %7.3f %9.0f  %7.3f %9.0f  %7.3f %9.0f\n", algs[i].name, s, 1e3 / s,
           m, 1e3 / m, p, 1e3 / p, o, 1e3 / o);
  }
  return 0;
}
