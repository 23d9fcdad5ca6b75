import type { Random } from '../random.js';
import { checkArrayLike, checkInstance, checkInteger, checkRandom, describeValue } from '../validate.js';
import { wasmCompactSample, wasmSampleRange } from '../kernel/kernel.js';
import { clearBitIds, readOnes } from './bitmap.js';
import { floydBits, floydSample } from './floyd.js';
import { selectionSample, SELECTION_MAX, sequential } from './sequential.js';

/** Ranges at least this long are sampled by the WebAssembly kernel when it loads (shorter: the copies cost more). */
const WASM_SAMPLE_MIN = 1 << 16;

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
 * @throws RangeError if `n` or `k` is out of range; TypeError if one is not a number or `rng` is not a `Random`.
 * @example
 * ```ts
 * sampleIndices(1_000_000, 3, new Random(7)); // e.g. Uint32Array [ 52311, 901, 770402 ]
 * ```
 */
export function sampleIndices(n: number, k: number, rng: Random): Uint32Array {
  checkInteger('sampleIndices()', 'n', n, 0, MAX_POPULATION);
  checkInteger('sampleIndices()', 'k', k, 0, n);
  checkRandom('sampleIndices()', 'rng', rng);
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

/**
 * `k` distinct elements of `pool` chosen uniformly at random (by position), in
 * uniformly random order. `pool` is not mutated. Cost as {@link sampleIndices}
 * on `n = pool.length`.
 *
 * @param pool - the candidates (e.g. ids); duplicates in `pool` count as separate elements.
 * @param k - how many to draw, an integer in [0, pool.length].
 * @param rng - the generator to draw from.
 * @returns a new `Uint32Array` of length `k`.
 * @throws TypeError if `pool` is not array-like or `rng` is not a `Random`; RangeError if `k` is out of range.
 * @example
 * ```ts
 * sampleFrom(Uint32Array.of(10, 20, 30, 40), 2, new Random(0)); // e.g. Uint32Array [ 30, 10 ]
 * ```
 */
export function sampleFrom(pool: ArrayLike<number>, k: number, rng: Random): Uint32Array {
  checkArrayLike('sampleFrom()', 'pool', pool);
  checkInteger('sampleFrom()', 'k', k, 0, pool.length);
  checkRandom('sampleFrom()', 'rng', rng);
  const positions = sampleIndices(pool.length, k, rng);
  for (let i = 0; i < k; i++) positions[i] = pool[positions[i]!]!;
  return positions;
}

/**
 * `k` distinct integers drawn uniformly from `0 … n-1`, in ascending order.
 *
 * When more than 40 % of the population is drawn or left out — or, for
 * populations beyond 2^25 (whose bitmap no longer stays in cache), more
 * than 1/8 — by sequential sampling: one draw per id, in order, no extra
 * memory.
 * Otherwise it draws `min(k, n − k)` values with Floyd's algorithm, marking them in a
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
 * @param out - optional array of length `k` to write the sample into (e.g. a
 *   reused buffer); by default a new one.
 * @returns `out`, or a new ascending `Uint32Array` of length `k`.
 * @throws RangeError if `n` or `k` is out of range, or `out` has another
 *   length; TypeError if `rng` is not a `Random` or `out` not a Uint32Array.
 * @example
 * ```ts
 * sampleSorted(10, 4, new Random(1)); // e.g. Uint32Array [ 1, 4, 5, 8 ]
 * ```
 */
export function sampleSorted(n: number, k: number, rng: Random, out?: Uint32Array): Uint32Array {
  checkInteger('sampleSorted()', 'n', n, 0, MAX_POPULATION);
  checkInteger('sampleSorted()', 'k', k, 0, n);
  checkRandom('sampleSorted()', 'rng', rng);
  if (out !== undefined) checkInstance('sampleSorted()', 'out', out, Uint32Array);
  if (out !== undefined && out.length !== k) {
    throw new RangeError(`sampleSorted(): out must be a Uint32Array of length k = ${k}, got ${describeValue(out)}`);
  }
  if (k === 0) return out ?? new Uint32Array(0);
  if (k * 32 < n) {
    const sorted = floydSample(n, k, rng).sort();
    if (out === undefined) return sorted;
    out.set(sorted);
    return out;
  }
  const c = Math.min(k, n - k);
  if (sequential(n, c)) {
    const result = out ?? new Uint32Array(k);
    const wide = n > SELECTION_MAX;
    if (n >= WASM_SAMPLE_MIN && wasmSampleRange(n, k, rng, result, wide)) return result; // same choice, tested
    selectionSample(n, k, rng, result, 0, null, 0, wide);
    return result;
  }
  const complement = k > n - k;
  const bits = new Uint32Array(Math.ceil(n / 32));
  floydBits(n, c, rng, bits);
  const result = out ?? new Uint32Array(k);
  if (complement) clearBitIds(bits, n, result);
  else readOnes(bits, result);
  return result;
}

/**
 * Keep a uniformly random `k` of the values `array[start … end)`, in their
 * order, at `array[start … start + k)` (the rest of the range is left
 * unspecified): exactly the subset that `sampleSorted(end − start, k, rng)`
 * chooses, from the same draws, applied in place. For a caller that has its
 * candidates in a range of its own array, it saves writing the chosen
 * positions and copying the kept values out. O(n) for n = end − start (see {@link sampleSorted} for the methods).
 *
 * @param array - the values; mutated.
 * @param start - first index of the range.
 * @param end - one past its last index, with 0 ≤ start ≤ end ≤ array.length.
 * @param k - how many to keep, in [0, end − start].
 * @param rng - the generator to draw from.
 * @throws RangeError for a bad range or `k`; TypeError if `array` is not a Uint32Array or `rng` not a `Random`.
 * @example
 * ```ts
 * const a = Uint32Array.of(10, 11, 12, 13, 14);
 * compactSample(a, 1, 5, 2, new Random(0)); // a[1], a[2] now hold 2 of 11 … 14, ascending
 * ```
 */
export function compactSample(array: Uint32Array, start: number, end: number, k: number, rng: Random): void {
  const fn = 'compactSample()';
  if (!(array instanceof Uint32Array)) throw new TypeError(`${fn}: array must be a Uint32Array, got ${describeValue(array)}`);
  checkInteger(fn, 'end', end, 0, array.length);
  checkInteger(fn, 'start', start, 0, end);
  const n = end - start;
  checkInteger(fn, 'k', k, 0, n);
  checkRandom(fn, 'rng', rng);
  if (k === 0) return;
  const c = Math.min(k, n - k);
  if (k * 32 >= n && sequential(n, c)) {
    // In WebAssembly for long ranges (same draws, same choice: tested), else here.
    const wide = n > SELECTION_MAX;
    if (n >= WASM_SAMPLE_MIN && wasmCompactSample(array, start, end, k, rng, wide)) return;
    // In place: the write index never passes the read index.
    selectionSample(n, k, rng, array, start, array, start, wide);
    return;
  }
  const chosen = sampleSorted(n, k, rng);
  for (let i = 0; i < k; i++) array[start + i] = array[start + chosen[i]!]!; // ascending: never overwrites an unread value
}
