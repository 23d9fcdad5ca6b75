import type { Random } from './random.js';
import { shuffleInPlace } from './shuffle.js';
import { checkArrayLike, checkInteger } from './validate.js';

/** Largest population the samplers take: ids must fit in a Uint32Array with one value to spare. */
export const MAX_POPULATION = 0xffff_ffff;

/**
 * `k` distinct integers drawn uniformly from `0 … n-1`, in uniformly random
 * order.
 *
 * Sparse draws (k ≤ n / 16) use Floyd's algorithm (Bentley & Floyd, "A sample
 * of brilliance", CACM 1987) with an open-addressing hash set, in O(k) time
 * and memory; denser draws run a partial Fisher–Yates over `0 … n-1`, in O(n)
 * time and memory. Either way the result is a uniformly random ordered sample.
 *
 * @param n - population size, an integer in [0, 2^32 − 1].
 * @param k - sample size, an integer in [0, n].
 * @param rng - the generator to draw from.
 * @returns a new `Uint32Array` of length `k`.
 * @throws RangeError if `n` or `k` is out of range.
 * @example
 * ```ts
 * sampleIndices(1_000_000, 3, new Random(7)); // e.g. Uint32Array [ 52311, 901, 770402 ]
 * ```
 */
export function sampleIndices(n: number, k: number, rng: Random): Uint32Array {
  checkInteger('sampleIndices()', 'n', n, 0, MAX_POPULATION);
  checkInteger('sampleIndices()', 'k', k, 0, n);
  if (k === 0) return new Uint32Array(0);
  if (k * 16 <= n) return floydSample(n, k, rng);
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  // Partial Fisher–Yates: positions 0 … k-1 receive a uniformly random ordered sample.
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextIntUnchecked(n - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return k === n ? all : all.slice(0, k);
}

function floydSample(n: number, k: number, rng: Random): Uint32Array {
  const EMPTY = 0xffff_ffff;
  let capacity = 16;
  while (capacity < k * 2) capacity *= 2;
  const table = new Uint32Array(capacity).fill(EMPTY);
  const mask = capacity - 1;
  const out = new Uint32Array(k);
  // Insert v if absent; returns false if it was present.
  const insert = (v: number): boolean => {
    let h = Math.imul(v, 0x9e3779b1) >>> 0;
    for (;;) {
      h &= mask;
      const cur = table[h]!;
      if (cur === EMPTY) {
        table[h] = v;
        return true;
      }
      if (cur === v) return false;
      h++;
    }
  };
  let m = 0;
  for (let j = n - k; j < n; j++) {
    const t = rng.nextIntUnchecked(j + 1);
    if (insert(t)) out[m++] = t;
    else {
      insert(j);
      out[m++] = j;
    }
  }
  // Floyd's order is not uniform; shuffle it.
  return shuffleInPlace(out, rng);
}

/**
 * `k` distinct elements of `pool` chosen uniformly at random (by position), in
 * uniformly random order. `pool` is not mutated. Cost as {@link sampleIndices}
 * on `n = pool.length`.
 *
 * @param pool - the candidates (e.g. ids); duplicates in `pool` count as separate elements.
 * @param k - how many to draw, an integer in [0, pool.length].
 * @param rng - the generator to draw from.
 * @returns a new `Uint32Array` of length `k`.
 * @throws TypeError if `pool` is not array-like; RangeError if `k` is out of range.
 * @example
 * ```ts
 * sampleFrom(Uint32Array.of(10, 20, 30, 40), 2, new Random(0)); // e.g. Uint32Array [ 30, 10 ]
 * ```
 */
export function sampleFrom(pool: ArrayLike<number>, k: number, rng: Random): Uint32Array {
  checkArrayLike('sampleFrom()', 'pool', pool);
  checkInteger('sampleFrom()', 'k', k, 0, pool.length);
  const positions = sampleIndices(pool.length, k, rng);
  for (let i = 0; i < k; i++) positions[i] = pool[positions[i]!]!;
  return positions;
}

/**
 * `k` distinct integers drawn uniformly from `0 … n-1`, in ascending order.
 *
 * Draws `min(k, n − k)` values with Floyd's algorithm, marking them in a
 * bitmap of `n` bits (the chosen ids, or the ids left out when `k > n / 2`),
 * then reads the bitmap in order: O(min(k, n − k)) draws, O(n / 32) memory
 * and one sequential pass — much cheaper than a random-order sample when the
 * caller shuffles afterwards anyway, as a pruner's plan is. Very sparse draws
 * (`k · 32 < n`) use a hash set and a sort instead, in O(k log k) time and
 * O(k) memory.
 *
 * @param n - population size, an integer in [0, 2^32 − 1].
 * @param k - sample size, an integer in [0, n].
 * @param rng - the generator to draw from.
 * @returns a new ascending `Uint32Array` of length `k`.
 * @throws RangeError if `n` or `k` is out of range.
 * @example
 * ```ts
 * sampleSorted(10, 4, new Random(1)); // e.g. Uint32Array [ 1, 4, 5, 8 ]
 * ```
 */
export function sampleSorted(n: number, k: number, rng: Random): Uint32Array {
  checkInteger('sampleSorted()', 'n', n, 0, MAX_POPULATION);
  checkInteger('sampleSorted()', 'k', k, 0, n);
  if (k === 0) return new Uint32Array(0);
  if (k * 32 < n) return floydSample(n, k, rng).sort();
  const complement = k > n - k;
  const c = complement ? n - k : k;
  const bits = new Uint32Array(Math.ceil(n / 32));
  for (let j = n - c; j < n; j++) {
    const t = rng.nextIntUnchecked(j + 1);
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
  const out = new Uint32Array(k);
  let m = 0;
  const words = bits.length;
  if (!complement) {
    for (let w = 0; w < words; w++) {
      let x = bits[w]!;
      while (x !== 0) {
        const low = x & -x;
        out[m++] = w * 32 + (31 - Math.clz32(low));
        x ^= low;
      }
    }
  } else {
    for (let w = 0; w < words; w++) {
      const x = bits[w]!;
      const base = w * 32;
      if (x === 0) {
        const end = Math.min(32, n - base);
        for (let b = 0; b < end; b++) out[m++] = base + b;
      } else if (x !== -1) {
        const end = Math.min(32, n - base);
        for (let b = 0; b < end; b++) if (((x >>> b) & 1) === 0) out[m++] = base + b;
      }
    }
  }
  return out;
}
