import type { Random } from './random.js';
import { shuffleInPlace } from './shuffle.js';
import { checkArrayLike, checkInstance, checkInteger, checkRandom, describeValue } from './validate.js';
import { wasmCompactSample, wasmSampleEnabled, wasmSampleRange } from './wasm-pairs.js';

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
    if (n >= WASM_SAMPLE_MIN && wasmSampleEnabled() && wasmSampleRange(n, k, rng, result, wide)) return result; // same choice, tested
    selectionSample(n, k, rng, result, 0, null, 0, wide);
    return result;
  }
  const complement = k > n - k;
  const bits = new Uint32Array(Math.ceil(n / 32));
  floydBits(n, c, rng, bits);
  const result = out ?? new Uint32Array(k);
  if (complement) readZeros(bits, n, result);
  else readOnes(bits, result);
  return result;
}

const TWO_32 = 0x1_0000_0000;
const INV_32 = 1 / TWO_32;
const TWO_28 = 0x1000_0000;
const INV_28 = 1 / TWO_28;
const CHUNK = 4096;
const draws = new Uint32Array(CHUNK);

/**
 * Floyd's algorithm: mark `c` distinct uniformly random values of `0 … n-1`
 * in `bits`. For j = n − c … n − 1 it draws t uniform in [0, j] and marks t,
 * or j if t is already marked.
 *
 * The draws come in bulk from `fillUint32`, bounded by Lemire's method with
 * exact rejection: on all 32 bits for j < 2^21 (x · m < 2^53 stays exact in
 * doubles), on the top 28 bits for j < 2^25 (28 + 25 = 53; a draw is
 * rejected with probability below m / 2^28 ≤ 1/8), and through
 * `nextIntUnchecked` beyond.
 */
function floydBits(n: number, c: number, rng: Random, bits: Uint32Array): void {
  const buf = draws;
  let pos = CHUNK;
  let j = n - c;
  for (; j < n && j < 0x20_0000; j++) {
    const m = j + 1;
    let t: number;
    for (;;) {
      if (pos === CHUNK) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p = buf[pos++]! * m;
      t = Math.floor(p * INV_32);
      const lo = p - t * TWO_32;
      if (lo >= m || lo >= (TWO_32 - m) % m) break;
    }
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
  for (; j < n && j < 0x200_0000; j++) {
    const m = j + 1;
    let t: number;
    for (;;) {
      if (pos === CHUNK) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p = (buf[pos++]! >>> 4) * m;
      t = Math.floor(p * INV_28);
      const lo = p - t * TWO_28;
      if (lo >= m || lo >= (TWO_28 - m) % m) break;
    }
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
  for (; j < n; j++) {
    const t = rng.nextIntUnchecked(j + 1);
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
}

/** Populations up to this size are sampled sequentially with draws on 28 bits; larger ones with draws on 32. */
const SELECTION_MAX = 0x200_0000;
/** Above SELECTION_MAX, sequential sampling from this fraction of the population drawn (see {@link sequential}). */
const LARGE_SEQUENTIAL = 1 / 8;

/**
 * Whether drawing `c` of `n` (c = the smaller of the sample and its
 * complement) goes sequential rather than through Floyd's bitmap method:
 * above 40 % drawn; and for populations beyond 2^25, whose bitmap (4 MB and
 * more) no longer stays in cache, so that every Floyd draw is a cache miss,
 * already from 1/8.
 */
function sequential(n: number, c: number): boolean {
  return c * 5 > n * 2 || (n > SELECTION_MAX && c > n * LARGE_SEQUENTIAL);
}

/**
 * Sequential sampling (Fan, Muller and Rezucha, 1962; Knuth's Algorithm S):
 * with `need` ids still to take from the `m` not yet considered, id `i` is
 * taken when a uniform integer of [0, m) is below `need`, which makes every
 * k-subset equally likely. One draw per id considered, no bitmap and no
 * random access. It is used when more than 40 % of the population is drawn
 * (or left out) — InfoBatch's half of its below-mean samples, not SCAN's
 * share of its candidates — or, beyond 2^25 ids, more than 1/8 (see
 * {@link sequential}; the draws are then on all 32 bits),
 * and for ranges of 2^16 or more runs in the
 * WebAssembly module (wasm-pairs.ts). Measured either side of the switch
 * (apps/strategy-bench/src/kernels.mjs, 3 M ids, docs/results/kernels.json):
 * Floyd at 39 % 28–30 ms; sequential at 41 % 30 ms in WebAssembly, 39 ms in
 * JavaScript alone; compactSample of half of 5 M ids 37 ms against 79 ms. Draws are
 * exact: Lemire's method on the top 28 bits (28 + 25 = 53 bits stay exact in
 * doubles), rejecting with probability below m / 2^28 ≤ 1/8; or, with
 * `wide` (populations beyond 2^25), on whole 32-bit draws, x · m (up to
 * 2^64) formed exactly from two partial products and a draw rejected when
 * its low 32 bits fall below (2^32 − m) mod m — as the WebAssembly kernel
 * does with 64-bit integers. Writes the k chosen ids of 0 … n-1 — or, given
 * `src`, the values `src[srcStart + id]` — ascending to `out[outStart …]`.
 * Exported for tests.
 *
 * @internal
 */
export function selectionSample(
  n: number,
  k: number,
  rng: Random,
  out: Uint32Array,
  outStart: number,
  src: Uint32Array | null,
  srcStart: number,
  wide: boolean,
): void {
  const buf = draws;
  const range = wide ? TWO_32 : TWO_28; // 2^w for draws on w bits
  let taken = 0;
  let i = 0;
  while (taken < k && k - taken < n - i) {
    rng.fillUint32(buf);
    for (let pos = 0; pos < CHUNK && taken < k && k - taken < n - i; ) {
      const m = n - i;
      let t: number; // ⌊x · m / 2^w⌋
      let lo: number; // x · m mod 2^w
      if (wide) {
        // x · m (up to 2^64) = a · 2^16 + b, with a = x · ⌊m / 2^16⌋ and b = x · (m mod 2^16), both below 2^48.
        const x = buf[pos++]!;
        const mHigh = Math.floor(m / 65536);
        const a = x * mHigh;
        const b = x * (m - mHigh * 65536);
        const aHigh = Math.floor(a / 65536);
        const rest = (a - aHigh * 65536) * 65536 + b; // below 2^49
        const restHigh = Math.floor(rest * INV_32);
        lo = rest - restHigh * TWO_32;
        t = aHigh + restHigh;
      } else {
        const p = (buf[pos++]! >>> 4) * m;
        t = Math.floor(p * INV_28);
        lo = p - t * TWO_28;
      }
      if (lo < m && lo < (range - m) % m) continue; // rejected: the next draw decides id i
      out[outStart + taken] = src === null ? i : src[srcStart + i]!; // kept only if taken advances (taken < k here)
      taken += +(t < k - taken);
      i++;
    }
  }
  // Every id left is needed (or none is).
  for (; taken < k; i++) out[outStart + taken++] = src === null ? i : src[srcStart + i]!;
}

/**
 * Keep a uniformly random `k` of the values `array[start … end)`, in their
 * order, at `array[start … start + k)` (the rest of the range is left
 * unspecified): exactly the subset that `sampleSorted(end − start, k, rng)`
 * chooses, from the same draws, applied in place. For a stage that has its
 * candidates in a range of its own array — InfoBatch's below-mean samples —
 * it saves writing the chosen positions and copying the kept values out. O(n)
 * for n = end − start (see {@link sampleSorted} for the methods).
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
    if (n >= WASM_SAMPLE_MIN && wasmSampleEnabled() && wasmCompactSample(array, start, end, k, rng, wide)) return;
    // In place: the write index never passes the read index.
    selectionSample(n, k, rng, array, start, array, start, wide);
    return;
  }
  const chosen = sampleSorted(n, k, rng);
  for (let i = 0; i < k; i++) array[start + i] = array[start + chosen[i]!]!; // ascending: never overwrites an unread value
}

/** The set bits of `bits`, ascending, into `out` (which holds exactly that many). */
function readOnes(bits: Uint32Array, out: Uint32Array): void {
  let m = 0;
  const words = bits.length;
  for (let w = 0; w < words; w++) {
    let x = bits[w]!;
    while (x !== 0) {
      const low = x & -x;
      out[m++] = w * 32 + (31 - Math.clz32(low));
      x ^= low;
    }
  }
}

/** The clear bits of `bits` below `n`, ascending, into `out` (which holds exactly that many). */
function readZeros(bits: Uint32Array, n: number, out: Uint32Array): void {
  clearBitIds(bits, n, out);
}

/**
 * The ids `i < n` whose bit is clear in the bitmap `bits` (bit `i & 31` of
 * word `i >>> 5`), ascending, written to `out` until it is full; returns
 * how many were written. Whole words go four ids per step without a branch:
 * every id is written and the write position advances past the clear ones
 * only (cheaper here than testing bit by bit); the last
 * words, where a whole word's writes could run past `out`, go bit by bit.
 * O(n).
 *
 * @param bits - the bitmap, at least ⌈n / 32⌉ words.
 * @param n - how many ids to consider.
 * @param out - where the ids go.
 * @returns the number of ids written (at most `out.length`).
 * @throws TypeError if `bits` or `out` is not a Uint32Array; RangeError if
 *   `n` is not an integer in [0, 32 · bits.length].
 * @example
 * ```ts
 * const out = new Uint32Array(3);
 * clearBitIds(Uint32Array.of(0b1010), 5, out); // 3; out is [0, 2, 4]
 * ```
 */
export function clearBitIds(bits: Uint32Array, n: number, out: Uint32Array): number {
  const fn = 'clearBitIds()';
  checkInstance(fn, 'bits', bits, Uint32Array);
  checkInteger(fn, 'n', n, 0, 32 * bits.length);
  checkInstance(fn, 'out', out, Uint32Array);
  const k = out.length;
  const full = Math.min(Math.floor(n / 32), bits.length);
  let m = 0;
  let w = 0;
  for (; w < full && m + 32 <= k; w++) {
    const keep = ~bits[w]!;
    const base = w * 32;
    for (let b = 0; b < 32; b += 4) {
      out[m] = base + b;
      m += (keep >>> b) & 1;
      out[m] = base + b + 1;
      m += (keep >>> (b + 1)) & 1;
      out[m] = base + b + 2;
      m += (keep >>> (b + 2)) & 1;
      out[m] = base + b + 3;
      m += (keep >>> (b + 3)) & 1;
    }
  }
  for (let id = w * 32; id < n && m < k; id++) if (((bits[id >>> 5]! >>> (id & 31)) & 1) === 0) out[m++] = id;
  return m;
}
