/*
 * A floor for the final shuffle, in C: a plain Fisher-Yates and the bucketed
 * shuffle our pipeline uses (512 uniformly random bucket labels, a scatter,
 * then Fisher-Yates per bucket) of n ids, with xoroshiro128+ and a bounded
 * draw WITHOUT rejection (slightly biased, so faster than what we do: a
 * lower bound, not a like-for-like port). Three runs each. Usage:
 *   gcc -O2 -o /tmp/shuffle-floor apps/strategy-bench/floor/shuffle-floor.c && /tmp/shuffle-floor 7500000
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
static uint64_t s[2] = {0x12345678abcdefULL, 0x9876543210fedcbULL};
static inline uint64_t next(void) { uint64_t s0 = s[0], s1 = s[1], r = s0 + s1; s1 ^= s0; s[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14); s[1] = (s1 << 36) | (s1 >> 28); return r; }
static inline uint32_t bounded(uint32_t m) { uint64_t p = (uint64_t)(uint32_t)next() * m; return p >> 32; } /* approx (no rejection), floor estimate */
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
  size_t n = argc > 1 ? atol(argv[1]) : 7500000;
  for (int r = 0; r < 3; r++) {
    double t = now();
    uint32_t *a = malloc(n * 4); for (size_t i = 0; i < n; i++) a[i] = i;
    double t1 = now();
    for (size_t i = n - 1; i > 0; i--) { uint32_t j = bounded(i + 1); uint32_t x = a[i]; a[i] = a[j]; a[j] = x; }
    double t2 = now();
    /* bucketed: 512 buckets scatter + per-bucket FY */
    uint32_t *o = malloc(n * 4); uint32_t cnt[513] = {0}; uint16_t *lab = malloc(n * 2);
    double t3 = now();
    for (size_t i = 0; i < n; i++) { lab[i] = next() >> 55; cnt[lab[i] + 1]++; }
    for (int b = 0; b < 512; b++) cnt[b + 1] += cnt[b];
    uint32_t st[513]; memcpy(st, cnt, sizeof st);
    for (size_t i = 0; i < n; i++) o[cnt[lab[i]]++] = a[i];
    for (int b = 0; b < 512; b++) { uint32_t lo = st[b], hi = st[b + 1]; for (uint32_t i = hi - 1; i > lo; i--) { uint32_t j = lo + bounded(i - lo + 1); uint32_t x = o[i]; o[i] = o[j]; o[j] = x; } }
    double t4 = now();
    printf("n=%zu fill(fresh) %.1f ms, naive FY %.1f ms, bucketed %.1f ms (%u)\n", n, t1 - t, t2 - t1, t4 - t3, o[5]);
    free(a); free(o); free(lab);
  }
}
