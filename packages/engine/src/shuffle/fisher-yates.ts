import { CHUNK, INV_32, TWO_32, draws, drawView } from '../draws.js';
import type { Random } from '../random.js';

/** Arrays the shuffles permute (a companion array is permuted alike). */
export type Shufflable = Uint32Array | Int32Array | Float32Array | Float64Array | Uint8Array | Uint16Array | number[];

/** Ranges at most this long take two swaps per 32-bit draw: m · (m − 1) < 2^32. */
export const PAIR_LIMIT = 0x1_0000;

/**
 * 2^32 mod M, the rejection threshold of Lemire's method for a bound M in
 * [1, 2^32): for M > 2^31 it is 2^32 − M, and the costly modulo is needed
 * only below that.
 */
function pairThreshold(bound: number): number {
  return bound > 0x8000_0000 ? TWO_32 - bound : (TWO_32 - bound) % bound;
}

/**
 * Fisher–Yates (Durstenfeld's in-place form) over positions [start, end) of
 * `a`, and of `c` alike: for i from the last position down, swap position i
 * with a uniformly random position of [start, i]. O(end − start).
 *
 * The draws come from `fillUint32` chunks with Lemire's multiply-and-shift
 * inlined (exact rejection), so the generator costs a few cycles per swap.
 * Ranges of at most 2^16 take two swaps per 32-bit draw, by the batched form
 * of Lemire's method (Brackett-Rozinsky & Lemire, "Batched ranged random
 * integer generation", 2024): with bounds m and m − 1, `x · m = h₁ · 2^32 + l₁`
 * and `l₁ · (m − 1) = h₂ · 2^32 + l₂` give `h₁ · (m − 1) + h₂ = ⌊x · M / 2^32⌋`
 * for `M = m · (m − 1)`, and `l₂ = x · M mod 2^32`; rejecting `l₂ < 2^32 mod M`
 * makes `⌊x · M / 2^32⌋` exactly uniform on [0, M), so its two mixed-radix
 * digits `h₁`, `h₂` are exactly uniform and independent.
 */
export function fisherYates(a: Shufflable, rng: Random, c: Shufflable | undefined, start: number, end: number): void {
  const len = Math.min(CHUNK, Math.max(end - start, 1));
  fisherYatesFrom(a, rng, c, start, end, len, len);
}

/**
 * {@link fisherYates} drawing from the shared buffer's `draws[pos …]`
 * (refilled `len` at a time when used up); returns the new position, so
 * that consecutive buckets of a scatter shuffle share one stream of draws.
 * The WebAssembly kernel (kernel/pairs.ts) does exactly this for ranges of
 * at most {@link PAIR_LIMIT}.
 */
export function fisherYatesFrom(a: Shufflable, rng: Random, c: Shufflable | undefined, start: number, end: number, pos: number, len: number): number {
  const n = end - start;
  if (n < 2) return pos;
  if (n > 0x20_0000) {
    // Ranges beyond 2^21 would make x · m inexact in doubles: one call per draw.
    for (let i = end - 1; i > start; i--) swap(a, c, i, start + rng.nextIntUnchecked(i - start + 1));
    return pos;
  }
  const buf = draws;
  const view = drawView(len);
  let i = end - 1;
  // One swap per draw until the remaining range is short enough for pairs.
  for (; i > start && i - start + 1 > PAIR_LIMIT; i--) {
    const m = i - start + 1;
    let hi: number;
    for (;;) {
      if (pos === len) {
        rng.fillUint32(view);
        pos = 0;
      }
      const p = buf[pos++]! * m;
      hi = Math.floor(p * INV_32);
      const lo = p - hi * TWO_32;
      if (lo >= m || lo >= (TWO_32 - m) % m) break;
    }
    swap(a, c, i, start + hi);
  }
  // Two swaps per draw: positions i and i − 1, bounds m and m − 1.
  for (; i > start + 1; i -= 2) {
    const m = i - start + 1;
    const m2 = m - 1;
    const bound = m * m2;
    let h1: number;
    let h2: number;
    for (;;) {
      if (pos === len) {
        rng.fillUint32(view);
        pos = 0;
      }
      const p1 = buf[pos++]! * m;
      h1 = Math.floor(p1 * INV_32);
      const p2 = (p1 - h1 * TWO_32) * m2;
      h2 = Math.floor(p2 * INV_32);
      const l2 = p2 - h2 * TWO_32;
      if (l2 >= bound || l2 >= pairThreshold(bound)) break;
    }
    swap(a, c, i, start + h1);
    swap(a, c, i - 1, start + h2);
  }
  if (i === start + 1) {
    // The last swap, bound 2: one bit of a draw is exactly uniform.
    if (pos === len) {
      rng.fillUint32(view);
      pos = 0;
    }
    swap(a, c, i, start + (buf[pos++]! >>> 31));
  }
  return pos;
}

function swap(a: Shufflable, c: Shufflable | undefined, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
  if (c !== undefined) {
    const u = c[i]!;
    c[i] = c[j]!;
    c[j] = u;
  }
}
