import type { Random } from './random.js';
import { checkBoolean, checkInteger, checkRandom, describeValue } from './validate.js';
import { setWasmSample, wasmData, wasmShuffleInPlace } from './wasm-pairs.js';

type Shufflable = Uint32Array | Int32Array | Float32Array | Float64Array | Uint8Array | Uint16Array | number[];
type Typed = Exclude<Shufflable, number[]>;

/** Arrays up to this length are shuffled by plain Fisher–Yates (they fit in cache). */
const SCATTER_THRESHOLD = 1 << 16;
/** Target elements per bucket of the scatter shuffle (64 KiB of ids): shuffled within L1/L2 cache. */
const BUCKET_TARGET = 1 << 14;
/** At most 2^9 buckets: more write streams than that thrash the TLB during the scatter. */
const MAX_BUCKET_BITS = 9;

const isTyped = (a: unknown): boolean => ArrayBuffer.isView(a) && !(a instanceof DataView);

function checkShufflable(fn: string, name: string, a: unknown, plain: boolean): void {
  if (!(isTyped(a) || (plain && Array.isArray(a)))) {
    throw new TypeError(`${fn}: ${name} must be ${plain ? 'a typed array or an array of numbers' : 'a typed array'}, got ${describeValue(a)}`);
  }
}

function bucketBits(n: number): number {
  return Math.min(MAX_BUCKET_BITS, Math.max(1, Math.ceil(Math.log2(n / BUCKET_TARGET))));
}

/**
 * Shuffle `array` in place with a uniformly random permutation. O(n) time.
 *
 * Up to 65,536 elements: Fisher–Yates (Durstenfeld's in-place form), O(1)
 * memory. Longer typed arrays: the scatter shuffle of Rao and Sandelius
 * (1961) — every element goes to an independent, uniformly random bucket (one
 * sequential pass writing to as many streams as buckets), then each bucket,
 * small enough to stay in cache, is shuffled by Fisher–Yates. The result is
 * again a uniformly random permutation, but without a cache miss per element:
 * several times faster on tens of millions of ids. Each 32-bit draw gives
 * three bucket labels (disjoint bit fields) or two Fisher–Yates swaps (the
 * batched form of Lemire's method, exact rejection), so every step stays
 * exactly uniform. It uses O(n) temporary memory (a copy; the labels are
 * drawn twice from the same generator position instead of stored).
 *
 * If `companion` is given it receives the same permutation — e.g. a plan's
 * weights alongside its indices. It must have the same length.
 *
 * @param array - the values to shuffle; mutated.
 * @param rng - the generator to draw from.
 * @param companion - optional second array permuted identically; mutated.
 * @returns `array` itself.
 * @throws TypeError if `array` or `companion` is not an array or typed
 *   array, or `rng` is not a `Random`; RangeError if `companion` has a
 *   different length.
 * @example
 * ```ts
 * const ids = Uint32Array.of(0, 1, 2, 3);
 * shuffleInPlace(ids, new Random(1)) === ids; // true; ids now in random order
 * ```
 */
export function shuffleInPlace<T extends Shufflable>(array: T, rng: Random, companion?: Shufflable): T {
  const fn = 'shuffleInPlace()';
  checkShufflable(fn, 'array', array, true);
  checkRandom(fn, 'rng', rng);
  if (companion !== undefined) checkShufflable(fn, 'companion', companion, true);
  const n = array.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffleInPlace(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD && !Array.isArray(array) && (companion === undefined || !Array.isArray(companion))) {
    const { out, companionOut } = scatterShuffle(array as Typed, rng, companion as Typed | undefined, bucketBits(n));
    (array as Typed).set(out as never);
    if (companion !== undefined) (companion as Typed).set(companionOut as never);
  } else fisherYates(array, rng, companion, 0, n);
  return array;
}

/**
 * A uniformly shuffled copy of `array` (and of `companion`, permuted the
 * same way), leaving the inputs untouched. Same permutation algorithm and
 * cost as {@link shuffleInPlace}, but for long arrays the copy is written
 * straight into its shuffled buckets, so producing a shuffled array costs no
 * more than shuffling one in place. O(n).
 *
 * @param array - the values.
 * @param rng - the generator to draw from.
 * @param companion - optional second array of the same length.
 * @returns the shuffled copies.
 * @throws TypeError if `array` or `companion` is not a typed array, or `rng`
 *   is not a `Random`; RangeError if `companion` has a different length.
 * @example
 * ```ts
 * const { out } = shuffledCopy(Uint32Array.of(1, 2, 3), new Random(0)); // e.g. Uint32Array [ 3, 1, 2 ]
 * ```
 */
export function shuffledCopy<T extends Typed, C extends Typed = Float32Array>(
  array: T,
  rng: Random,
  companion?: C,
): { out: T; companionOut: C | undefined } {
  const fn = 'shuffledCopy()';
  checkShufflable(fn, 'array', array, false);
  checkRandom(fn, 'rng', rng);
  if (companion !== undefined) checkShufflable(fn, 'companion', companion, false);
  const n = array.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffledCopy(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD) {
    const r = scatterShuffle(array, rng, companion, bucketBits(n));
    return { out: r.out as T, companionOut: r.companionOut as C | undefined };
  }
  const out = array.slice() as T;
  const companionOut = companion === undefined ? undefined : (companion.slice() as C);
  fisherYates(out, rng, companionOut, 0, n);
  return { out, companionOut };
}

/**
 * {@link shuffledCopy}'s permutation (the same draws, the same result), for
 * inputs that may be overwritten: where the algorithm allows, the result is
 * written back into `ids` and `companion` and they are returned, else new
 * arrays are. For the pipeline's plans built in arrays it owns
 * (`PlanArrays`): it saves allocating the plan.
 *
 * @internal
 */
export function shuffledOwned(ids: Uint32Array, rng: Random, companion?: Float32Array): { out: Uint32Array; companionOut: Float32Array | undefined } {
  const n = ids.length;
  if (companion !== undefined && companion.length !== n) {
    throw new RangeError(`shuffledOwned(): companion must have the array's length ${n}, got length ${companion.length}`);
  }
  if (n > SCATTER_THRESHOLD) {
    const r = scatterShuffle(ids, rng, companion, bucketBits(n), true);
    return { out: r.out as Uint32Array, companionOut: r.companionOut as Float32Array | undefined };
  }
  fisherYates(ids, rng, companion, 0, n);
  return { out: ids, companionOut: companion };
}

/**
 * {@link shuffledCopy} of `ids` with `weights` as companion, for the common
 * case of a plan whose ids are below 2^31 and whose weights take at most two
 * values (bit patterns), e.g. InfoBatch's 1 and 1 / keep: the weight rides
 * in the id's top bit through the scatter and the swaps, and is written out,
 * with the tag cleared, as each bucket is finished (while it is in cache).
 * The permutation — and the generator's state afterwards — are exactly those
 * of `shuffledCopy(ids, rng, weights)`, at about half the memory traffic.
 * Returns `null`, drawing nothing, when the case does not apply. With
 * `reuseIds` (`reuseWeights`) the shuffled ids (weights) may be written
 * back into `ids` (`weights`) instead of a new array (see
 * {@link shuffledOwned}): every id and weight is read before anything is
 * written. `bucketBitCount` (2^bits buckets) is for tests, which need
 * buckets too long for the WebAssembly kernel without 33 M ids.
 *
 * @internal
 */
export function shuffledCopyTwoWeights(
  ids: Uint32Array,
  weights: Float32Array,
  rng: Random,
  reuseIds = false,
  reuseWeights = false,
  bucketBitCount = bucketBits(ids.length),
): { out: Uint32Array; companionOut: Float32Array } | null {
  const n = ids.length;
  if (weights.length !== n) {
    throw new RangeError(`shuffledCopyTwoWeights(): ids and weights must have one length, got ${n} and ${weights.length}`);
  }
  if (n === 0) return null;
  const bits = new Uint32Array(weights.buffer, weights.byteOffset, n);
  if (n <= SCATTER_THRESHOLD) {
    const pair = twoPatterns(ids, bits);
    if (pair === null) return null;
    const out = reuseIds ? ids : new Uint32Array(n);
    const companionOut = reuseWeights ? weights : new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = bits[i] === pair[0] ? ids[i]! : (ids[i]! | 0x8000_0000) >>> 0;
    fisherYates(out, rng, undefined, 0, n);
    untag(out, out, new Int32Array(companionOut.buffer, companionOut.byteOffset, n), pair, 0, n);
    return { out, companionOut };
  }
  // Long arrays: the two patterns are guessed (the first weight, and the last
  // one that differs from it) and verified during the scatter, which reads
  // every weight anyway; if the guess was wrong the generator is put back.
  const pair = guessPatterns(ids, bits);
  if (pair === null) return null;
  const start = rng.getState();
  const replay = rng.clone(); // the labels' generator position, to draw them again
  const starts = countLabels(n, rng, bucketBitCount);
  const next = starts.slice(0, 1 << bucketBitCount);
  const len = Math.min(CHUNK, Math.max(n, 1));
  // Ids going back into `ids` always pass through a staging buffer (they cannot be scattered in place).
  const staged = reuseIds ? stagingForReuse(n) : stagingFor(n, starts);
  const tagged = staged ?? new Uint32Array(n);
  if (!scatterTagged(ids, new Int32Array(weights.buffer, weights.byteOffset, n), pair[0]! | 0, pair[1]! | 0, tagged, next, replay, bucketBitCount)) {
    rng.setState(start);
    return null;
  }
  // The scatter has read every id and weight: reused inputs may now be overwritten.
  const out = staged === null ? tagged : reuseIds ? ids : new Uint32Array(n);
  const companionOut = reuseWeights ? weights : new Float32Array(n);
  const outBits = new Int32Array(companionOut.buffer, companionOut.byteOffset, n);
  const buckets = starts.length - 1;
  let largest = 0;
  for (let b = 0; b < buckets; b++) largest = Math.max(largest, starts[b + 1]! - starts[b]!);
  // Scattered into the kernel's memory, with buckets it can take: shuffled there (same draws as below), untagged out of it.
  if (staged !== null && largest <= PAIR_LIMIT && wasmShuffleInPlace(staged, starts, rng, len)) {
    untag(staged, out, outBits, pair, 0, n);
    return { out, companionOut };
  }
  // Staged for reuse with buckets too long for the kernel, or without it: finish in JavaScript, in `out`.
  if (staged !== null) out.set(staged);
  // Buckets as shuffleBuckets() shuffles them (same draws), each untagged right after.
  const view = len === CHUNK ? draws : draws.subarray(0, len);
  for (let b = 0, pos = len; b < buckets; b++) {
    const s = starts[b]!;
    const e = starts[b + 1]!;
    pos = largest <= PAIR_LIMIT ? pairsU32(out, s, e, rng, view, pos) : fisherYatesFrom(out, rng, undefined, s, e, pos, len);
    untag(out, out, outBits, pair, s, e);
  }
  return { out, companionOut };
}

/**
 * The two weight patterns a long array probably has — its first, and the
 * last that differs from the first (found at once for a plan whose
 * reweighted part comes last, as InfoBatch's does) — or null when a prefix
 * already shows a third pattern or a tagged id. The scatter verifies them.
 */
function guessPatterns(ids: Uint32Array, weightBits: Uint32Array): Uint32Array | null {
  const n = ids.length;
  const first = weightBits[0]!;
  let second = first;
  for (let i = n - 1; i > 0; i--) {
    if (weightBits[i] !== first) {
      second = weightBits[i]!;
      break;
    }
  }
  const pair = Uint32Array.of(first, second);
  const head = Math.min(n, CHUNK);
  for (let i = 0; i < head; i++) if (ids[i]! >= 0x8000_0000 || (weightBits[i] !== first && weightBits[i] !== second)) return null;
  return pair;
}

/** The (at most) two bit patterns of `weightBits`, or null if there are more or an id has its top bit set. */
function twoPatterns(ids: Uint32Array, weightBits: Uint32Array): Uint32Array | null {
  const n = ids.length;
  const first = weightBits[0]!;
  let second = first;
  let any = 0;
  for (let i = 0; i < n; i++) {
    any |= ids[i]!;
    const w = weightBits[i]!;
    if (w !== first && w !== second) {
      if (second !== first) return null;
      second = w;
    }
  }
  if (any & 0x8000_0000) return null;
  return Uint32Array.of(first, second);
}

/**
 * out[s … e) = the ids of tagged[s … e) with their tags cleared (out may be
 * tagged itself); weightBits[s … e) = the weight bit pattern each tag stood
 * for. The pattern is chosen arithmetically (the tag, spread to a mask,
 * selects the bits that differ) rather than by indexing `pair` with the
 * tag, four ids at a time.
 */
function untag(tagged: Uint32Array, out: Uint32Array, weightBits: Int32Array, pair: Uint32Array, s: number, e: number): void {
  const lo = pair[0]! | 0;
  const diff = lo ^ (pair[1]! | 0);
  let i = s;
  for (; i + 3 < e; i += 4) {
    const x0 = tagged[i]! | 0;
    const x1 = tagged[i + 1]! | 0;
    const x2 = tagged[i + 2]! | 0;
    const x3 = tagged[i + 3]! | 0;
    weightBits[i] = lo ^ ((x0 >> 31) & diff);
    weightBits[i + 1] = lo ^ ((x1 >> 31) & diff);
    weightBits[i + 2] = lo ^ ((x2 >> 31) & diff);
    weightBits[i + 3] = lo ^ ((x3 >> 31) & diff);
    out[i] = x0 & 0x7fff_ffff;
    out[i + 1] = x1 & 0x7fff_ffff;
    out[i + 2] = x2 & 0x7fff_ffff;
    out[i + 3] = x3 & 0x7fff_ffff;
  }
  for (; i < e; i++) {
    const x = tagged[i]! | 0;
    weightBits[i] = lo ^ ((x >> 31) & diff);
    out[i] = x & 0x7fff_ffff;
  }
}

/** The tagged scatter's loop over `whole` draws; returns the OR of every id and of a top bit for every weight that is neither pattern. */
function taggedChunk(
  a: Uint32Array, w: Int32Array, first: number, second: number, out: Uint32Array, next: Uint32Array, buf: Uint32Array,
  whole: number, i: number, s0: number, s1: number, s2: number, mask: number,
): number {
  let acc = 0;
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    let v = w[i]!;
    let t = +(v !== first);
    let id = a[i]!;
    acc |= id | ((t & +(v !== second)) << 31);
    out[next[x >>> s0]!++] = id | (t << 31);
    v = w[i + 1]!;
    t = +(v !== first);
    id = a[i + 1]!;
    acc |= id | ((t & +(v !== second)) << 31);
    out[next[(x >>> s1) & mask]!++] = id | (t << 31);
    v = w[i + 2]!;
    t = +(v !== first);
    id = a[i + 2]!;
    acc |= id | ((t & +(v !== second)) << 31);
    out[next[(x >>> s2) & mask]!++] = id | (t << 31);
  }
  return acc;
}

/**
 * {@link scatterPlain} of `a`, each id tagged (top bit) unless its weight
 * pattern is `first`. Returns false if an id has its top bit set or a weight
 * is neither `first` nor `second` (the output is then meaningless).
 */
function scatterTagged(
  a: Uint32Array, w: Int32Array, first: number, second: number, out: Uint32Array, next: Uint32Array, replay: Random, bits: number,
): boolean {
  const n = a.length;
  const mask = (1 << bits) - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW);
  const buf = draws;
  let acc = 0;
  const tag = (i: number) => {
    const v = w[i]!;
    const t = +(v !== first);
    acc |= a[i]! | ((t & +(v !== second)) << 31);
    return a[i]! | (t << 31);
  };
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    replay.fillUint32(len === CHUNK ? buf : buf.subarray(0, len));
    const whole = Math.min(len, full - w0);
    acc |= taggedChunk(a, w, first, second, out, next, buf, whole, w0 * LABELS_PER_DRAW, s0, s1, s2, mask);
    const i = (w0 + whole) * LABELS_PER_DRAW;
    if (whole < len) {
      const x = buf[whole]!;
      out[next[x >>> s0]!++] = tag(i);
      if (i + 1 < n) out[next[(x >>> s1) & mask]!++] = tag(i + 1);
    }
  }
  return acc >= 0;
}

/**
 * A uniformly random permutation of `0 … n-1`, as a new Uint32Array: the
 * same algorithm as {@link shuffledCopy} of `[0, 1, …, n-1]`, but the ids are
 * written straight into their shuffled buckets, without building the
 * identity first. O(n).
 *
 * @param n - the number of ids, an integer in [0, 2^32 − 1].
 * @param rng - the generator to draw from.
 * @returns the permutation.
 * @throws TypeError if `n` is not a number or `rng` not a `Random`;
 *   RangeError if `n` is not an integer in range.
 * @example
 * ```ts
 * shuffledRange(4, new Random(0)); // e.g. Uint32Array [ 2, 0, 3, 1 ]
 * ```
 */
export function shuffledRange(n: number, rng: Random): Uint32Array {
  checkInteger('shuffledRange()', 'n', n, 0, 0xffff_ffff); // ids must fit a Uint32Array
  checkRandom('shuffledRange()', 'rng', rng);
  if (n > SCATTER_THRESHOLD) {
    const bits = bucketBits(n);
    const replay = rng.clone(); // the labels' generator position, to draw them again
    const starts = countLabels(n, rng, bits);
    const next = starts.slice(0, 1 << bits);
    const staged = stagingFor(n, starts);
    const out = staged ?? new Uint32Array(n);
    scatterRange(n, out, next, replay, bits);
    shuffleBuckets(out, undefined, starts, rng);
    return staged === null ? out : out.slice();
  }
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  fisherYates(out, rng, undefined, 0, n);
  return out;
}

const TWO_32 = 0x1_0000_0000;
/** 2^-32: multiplying by it is exact, and cheaper than dividing by 2^32. */
const INV_32 = 1 / TWO_32;
const CHUNK = 4096;
/** Generator output drawn in bulk; module-level so that a shuffle allocates none (everything here is synchronous). */
const draws = new Uint32Array(CHUNK);
/**
 * Arrays at least this long have their buckets shuffled by the WebAssembly
 * kernel (wasm-pairs.ts) when it loads: the same draws and swaps, whole
 * shuffles of 7.5 M ids 1.4–1.5 times faster here (apps/strategy-bench/src/
 * kernels.mjs); for shorter ones copying in and out would cost more.
 */
const WASM_MIN = 1 << 16;
let useWasm = true;

/**
 * Turn the WebAssembly kernels — the shuffle's per-bucket Fisher–Yates,
 * dense sequential sampling (`compactSample`), and those of other packages
 * that ask {@link wasmKernelsEnabled} (SCAN's batch classification) — off,
 * or back on; returns the previous setting. Results are identical either
 * way (same draws, same choices); this is for tests and side-by-side
 * benchmarks.
 *
 * @param on - whether the kernels may run.
 * @returns the previous setting.
 * @throws TypeError if `on` is not a boolean.
 * @example
 * ```ts
 * const before = setWasmKernels(false); // pure JavaScript from here on
 * setWasmKernels(before);
 * ```
 */
export function setWasmKernels(on: boolean): boolean {
  checkBoolean('setWasmKernels()', 'on', on);
  const previous = useWasm;
  useWasm = on;
  setWasmSample(on);
  return previous;
}

/**
 * Whether WebAssembly kernels may run (see {@link setWasmKernels}); packages
 * with kernels of their own check it before they use them.
 *
 * @returns the current setting (true unless turned off).
 */
export function wasmKernelsEnabled(): boolean {
  return useWasm;
}

/** Buckets at most this long are shuffled two swaps per 32-bit draw: m · (m − 1) < 2^32. */
const PAIR_LIMIT = 0x1_0000;

/**
 * Fisher–Yates over positions [start, end) of `a` (and `c`), drawing from
 * `fillUint32` chunks with Lemire's multiply-and-shift inlined (exact
 * rejection), so the generator costs a few cycles per swap.
 *
 * Ranges of at most 2^16 take two swaps per 32-bit draw, by the batched form
 * of Lemire's method (Brackett-Rozinsky & Lemire, "Batched ranged random
 * integer generation", 2024): with bounds m and m − 1, `x · m = h₁ · 2^32 + l₁`
 * and `l₁ · (m − 1) = h₂ · 2^32 + l₂` give `h₁ · (m − 1) + h₂ = ⌊x · M / 2^32⌋`
 * for `M = m · (m − 1)`, and `l₂ = x · M mod 2^32`; rejecting `l₂ < 2^32 mod M`
 * makes `⌊x · M / 2^32⌋` exactly uniform on [0, M), so its two mixed-radix
 * digits `h₁`, `h₂` are exactly uniform and independent.
 */
function fisherYates(a: Shufflable, rng: Random, c: Shufflable | undefined, start: number, end: number): void {
  const len = Math.min(CHUNK, Math.max(end - start, 1));
  fisherYatesFrom(a, rng, c, start, end, len, len);
}

/**
 * {@link fisherYates} drawing from `draws[pos …]` (refilled `len` at a time
 * when used up); returns the new position, so that consecutive buckets share
 * one stream of draws.
 */
function fisherYatesFrom(a: Shufflable, rng: Random, c: Shufflable | undefined, start: number, end: number, pos: number, len: number): number {
  const n = end - start;
  if (n < 2) return pos;
  if (n > 0x20_0000) {
    // Ranges beyond 2^21 would make x · m inexact in doubles: one call per draw.
    for (let i = end - 1; i > start; i--) {
      const j = start + rng.nextIntUnchecked(i - start + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      if (c !== undefined) {
        const u = c[i]!;
        c[i] = c[j]!;
        c[j] = u;
      }
    }
    return pos;
  }
  const buf = draws;
  const view = len === CHUNK ? buf : buf.subarray(0, len);
  let i = end - 1;
  if (n > PAIR_LIMIT) {
    // One swap per draw until the remaining range is short enough for pairs.
    for (; i > start && i - start + 1 > PAIR_LIMIT; i--) {
      const m = i - start + 1;
      if (pos === len) {
        rng.fillUint32(view);
        pos = 0;
      }
      let p = buf[pos++]! * m;
      let hi = Math.floor(p * INV_32);
      let lo = p - hi * TWO_32;
      if (lo < m) {
        const threshold = (TWO_32 - m) % m;
        while (lo < threshold) {
          if (pos === len) {
            rng.fillUint32(view);
            pos = 0;
          }
          p = buf[pos++]! * m;
          hi = Math.floor(p * INV_32);
          lo = p - hi * TWO_32;
        }
      }
      const j = start + hi;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      if (c !== undefined) {
        const u = c[i]!;
        c[i] = c[j]!;
        c[j] = u;
      }
    }
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
    let j = start + h1;
    let t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    j = start + h2;
    t = a[i - 1]!;
    a[i - 1] = a[j]!;
    a[j] = t;
    if (c !== undefined) {
      j = start + h1;
      let u = c[i]!;
      c[i] = c[j]!;
      c[j] = u;
      j = start + h2;
      u = c[i - 1]!;
      c[i - 1] = c[j]!;
      c[j] = u;
    }
  }
  if (i === start + 1) {
    // The last swap, bound 2: one bit of a draw is exactly uniform.
    if (pos === len) {
      rng.fillUint32(view);
      pos = 0;
    }
    const j = start + (buf[pos++]! >>> 31);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    if (c !== undefined) {
      const u = c[i]!;
      c[i] = c[j]!;
      c[j] = u;
    }
  }
  return pos;
}

/**
 * Rao–Sandelius scatter shuffle into new arrays, with 2^bits buckets: every
 * element gets an independent uniform bucket label; a stable scatter by label
 * writes the output bucket by bucket; Fisher–Yates then shuffles each bucket.
 * The labels — several per 32-bit draw, each from its own bits — are drawn
 * twice from the same generator position (once to count, once to scatter)
 * instead of being stored. With `reuse`, plain Uint32Array ids are
 * scattered into a staging buffer (see `stagingForReuse`), shuffled there
 * and copied back into `a`, which the scatter has read whole, instead of
 * into a new array. Exported for tests, which use few buckets on small
 * arrays.
 *
 * @internal
 */
export function scatterShuffle(a: Typed, rng: Random, c: Typed | undefined, bits: number, reuse = false): { out: Typed; companionOut: Typed | undefined } {
  const n = a.length;
  const companionOut = c === undefined ? undefined : new (c.constructor as new (n: number) => Typed)(n);
  const replay = rng.clone(); // the labels' generator position, to draw them again
  const starts = countLabels(n, rng, bits);
  const next = starts.slice(0, 1 << bits);
  // Ids going back into `a` always pass through a staging buffer (they cannot be scattered in place).
  const staged = c === undefined && a instanceof Uint32Array ? (reuse ? stagingForReuse(n) : stagingFor(n, starts)) : null;
  const out = staged ?? new (a.constructor as new (n: number) => Typed)(n);
  if (companionOut === undefined) scatterPlain(a, out, next, replay, bits);
  else scatterWith(a, c!, out, companionOut, next, replay, bits);
  shuffleBuckets(out, companionOut, starts, rng);
  if (staged === null) return { out, companionOut };
  // Shuffled in a staging buffer: copied out, with reuse into `a` (read whole by the scatter).
  if (reuse) {
    a.set(staged as never);
    return { out: a, companionOut };
  }
  return { out: out.slice(), companionOut };
}

/**
 * Where to scatter `n` plain ids whose buckets `starts` delimits: straight
 * into the WebAssembly kernel's memory when it will shuffle them (saving a
 * copy in; the caller copies the result out), else null.
 */
function stagingFor(n: number, starts: Uint32Array): Uint32Array | null {
  if (!useWasm || n < WASM_MIN) return null;
  for (let b = 0; b + 1 < starts.length; b++) if (starts[b + 1]! - starts[b]! > PAIR_LIMIT) return null;
  return wasmData(n);
}

/**
 * Where to scatter `n` plain ids that are to be copied back into the
 * caller's array: the WebAssembly kernel's memory when it loaded — whether
 * or not the kernel can shuffle these buckets (those over 2^16 ids are
 * shuffled there in JavaScript) — else a buffer of this module's, kept for
 * the next such shuffle. Either holds ~4 bytes per id of the largest array
 * staged so far: what a stage's own pooled copy of its selection would
 * hold, which the reuse replaces.
 */
function stagingForReuse(n: number): Uint32Array {
  const kernelMemory = useWasm ? wasmData(n) : null;
  if (kernelMemory !== null) return kernelMemory;
  if (reuseStaging === null || reuseStaging.length < n) reuseStaging = new Uint32Array(n);
  return reuseStaging.length === n ? reuseStaging : reuseStaging.subarray(0, n);
}
let reuseStaging: Uint32Array | null = null;

/** Fisher–Yates over every bucket [starts[b], starts[b + 1]) of `out` (and `companionOut`), through the fastest kernel that fits. */
function shuffleBuckets(out: Typed, companionOut: Typed | undefined, starts: Uint32Array, rng: Random): void {
  const buckets = starts.length - 1;
  let largest = 0;
  for (let b = 0; b < buckets; b++) largest = Math.max(largest, starts[b + 1]! - starts[b]!);
  // Draws come `len` at a time (fewer for the short arrays of tests, so as not to waste them).
  const len = Math.min(CHUNK, Math.max(out.length, 1));
  if (largest <= PAIR_LIMIT && out instanceof Uint32Array && companionOut === undefined) shuffleBucketsU32(out, starts, rng, len);
  else if (largest <= PAIR_LIMIT && out instanceof Uint32Array && companionOut instanceof Float32Array) shuffleBucketsU32F32(out, companionOut, starts, rng, len);
  else for (let b = 0, pos = len; b < buckets; b++) pos = fisherYatesFrom(out, rng, companionOut, starts[b]!, starts[b + 1]!, pos, len);
}

/**
 * 2^32 mod M, the rejection threshold of Lemire's method for a bound M in
 * [1, 2^32): for M > 2^31 it is 2^32 − M, and the costly modulo is needed
 * only below that.
 */
function pairThreshold(bound: number): number {
  return bound > 0x8000_0000 ? TWO_32 - bound : (TWO_32 - bound) % bound;
}

/**
 * Fisher–Yates over every bucket [starts[b], starts[b + 1]) of `a` — the
 * monomorphic form of {@link fisherYatesFrom} for the pipeline's plans
 * (Uint32Array ids, optional Float32Array weights; separate functions keep
 * V8's element accesses monomorphic), two swaps per draw. Every bucket must
 * hold at most {@link PAIR_LIMIT} elements.
 */
function shuffleBucketsU32(a: Uint32Array, starts: Uint32Array, rng: Random, len: number): void {
  // Plans the kernel can take were scattered straight into its memory (stagingFor): shuffle them there.
  if (useWasm && a.length >= WASM_MIN && wasmShuffleInPlace(a, starts, rng, len)) return;
  const view = len === CHUNK ? draws : draws.subarray(0, len);
  // One call per bucket: V8 compiles the kernel whole after a few buckets,
  // instead of replacing a single long-running loop on the stack.
  for (let b = 0, pos = len; b + 1 < starts.length; b++) pos = pairsU32(a, starts[b]!, starts[b + 1]!, rng, view, pos);
}

/** Fisher–Yates of a[start … end), two swaps per draw, drawing from `view[pos …]`; returns the new position. */
function pairsU32(a: Uint32Array, start: number, end: number, rng: Random, view: Uint32Array, pos: number): number {
  const buf = view;
  const len = view.length;
  let i = end - 1;
  for (; i > start + 1; i -= 2) {
    const m = i - start + 1;
    const m2 = m - 1;
    const bound = m * m2;
    let h1: number;
    let h2: number;
    for (;;) {
      if (pos === len) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p1 = buf[pos++]! * m;
      h1 = Math.floor(p1 * INV_32);
      const p2 = (p1 - h1 * TWO_32) * m2;
      h2 = Math.floor(p2 * INV_32);
      const l2 = p2 - h2 * TWO_32;
      if (l2 >= bound || l2 >= pairThreshold(bound)) break;
    }
    let j = start + h1;
    let t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    j = start + h2;
    t = a[i - 1]!;
    a[i - 1] = a[j]!;
    a[j] = t;
  }
  if (i === start + 1) {
    if (pos === len) {
      rng.fillUint32(buf);
      pos = 0;
    }
    const j = start + (buf[pos++]! >>> 31);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return pos;
}

/** {@link shuffleBucketsU32} with a Float32Array companion permuted alike. */
function shuffleBucketsU32F32(a: Uint32Array, c: Float32Array, starts: Uint32Array, rng: Random, len: number): void {
  const view = len === CHUNK ? draws : draws.subarray(0, len);
  // One call per bucket: V8 compiles the kernel whole after a few buckets,
  // instead of replacing a single long-running loop on the stack.
  for (let b = 0, pos = len; b + 1 < starts.length; b++) pos = pairsU32F32(a, c, starts[b]!, starts[b + 1]!, rng, view, pos);
}

/** {@link pairsU32} with a Float32Array companion. */
function pairsU32F32(a: Uint32Array, c: Float32Array, start: number, end: number, rng: Random, view: Uint32Array, pos: number): number {
  const buf = view;
  const len = view.length;
  let i = end - 1;
  for (; i > start + 1; i -= 2) {
    const m = i - start + 1;
    const m2 = m - 1;
    const bound = m * m2;
    let h1: number;
    let h2: number;
    for (;;) {
      if (pos === len) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p1 = buf[pos++]! * m;
      h1 = Math.floor(p1 * INV_32);
      const p2 = (p1 - h1 * TWO_32) * m2;
      h2 = Math.floor(p2 * INV_32);
      const l2 = p2 - h2 * TWO_32;
      if (l2 >= bound || l2 >= pairThreshold(bound)) break;
    }
    let j = start + h1;
    let t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    let u = c[i]!;
    c[i] = c[j]!;
    c[j] = u;
    j = start + h2;
    t = a[i - 1]!;
    a[i - 1] = a[j]!;
    a[j] = t;
    u = c[i - 1]!;
    c[i - 1] = c[j]!;
    c[j] = u;
  }
  if (i === start + 1) {
    if (pos === len) {
      rng.fillUint32(buf);
      pos = 0;
    }
    const j = start + (buf[pos++]! >>> 31);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    const u = c[i]!;
    c[i] = c[j]!;
    c[j] = u;
  }
  return pos;
}

/**
 * Bucket labels: three per 32-bit draw, from its disjoint top bit fields
 * (bits ≤ 10), so they are independent and exactly uniform on [0, 2^bits).
 * Label i is field i mod 3 of draw ⌊i / 3⌋.
 */
const LABELS_PER_DRAW = 3;

/** Bucket starts (length 2^bits + 1) of `n` labels drawn from `rng`, which is advanced past them. */
function countLabels(n: number, rng: Random, bits: number): Uint32Array {
  const buckets = 1 << bits;
  const starts = new Uint32Array(buckets + 1);
  const mask = buckets - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW); // draws whose three labels are all used
  const buf = draws;
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    rng.fillUint32(len === CHUNK ? buf : buf.subarray(0, len));
    const whole = Math.min(len, full - w0);
    countChunk(buf, whole, starts, s0, s1, s2, mask);
    if (whole < len) {
      // The last draw: only its first n mod 3 labels.
      const x = buf[whole]!;
      const used = n - full * LABELS_PER_DRAW;
      starts[(x >>> s0) + 1]!++;
      if (used > 1) starts[((x >>> s1) & mask) + 1]!++;
    }
  }
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  return starts;
}

/*
 * The per-chunk loops below are separate functions, called once per 4,096
 * draws, so that V8 compiles each whole after a few calls instead of
 * replacing one long-running loop on the stack (a plan's first shuffle of
 * this kind would otherwise run mostly unoptimized).
 */
function countChunk(buf: Uint32Array, whole: number, starts: Uint32Array, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++) {
    const x = buf[k]!;
    starts[(x >>> s0) + 1]!++;
    starts[((x >>> s1) & mask) + 1]!++;
    starts[((x >>> s2) & mask) + 1]!++;
  }
}

function plainChunk(a: Typed, out: Typed, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    out[next[x >>> s0]!++] = a[i]!;
    out[next[(x >>> s1) & mask]!++] = a[i + 1]!;
    out[next[(x >>> s2) & mask]!++] = a[i + 2]!;
  }
}

function rangeChunk(out: Uint32Array, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    out[next[x >>> s0]!++] = i;
    out[next[(x >>> s1) & mask]!++] = i + 1;
    out[next[(x >>> s2) & mask]!++] = i + 2;
  }
}

function withChunk(a: Typed, c: Typed, out: Typed, cOut: Typed, next: Uint32Array, buf: Uint32Array, whole: number, i: number, s0: number, s1: number, s2: number, mask: number): void {
  for (let k = 0; k < whole; k++, i += 3) {
    const x = buf[k]!;
    let p = next[x >>> s0]!++;
    out[p] = a[i]!;
    cOut[p] = c[i]!;
    p = next[(x >>> s1) & mask]!++;
    out[p] = a[i + 1]!;
    cOut[p] = c[i + 1]!;
    p = next[(x >>> s2) & mask]!++;
    out[p] = a[i + 2]!;
    cOut[p] = c[i + 2]!;
  }
}

function scatterPlain(a: Typed, out: Typed, next: Uint32Array, replay: Random, bits: number): void {
  const n = a.length;
  const mask = (1 << bits) - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW);
  const buf = draws;
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    replay.fillUint32(len === CHUNK ? buf : buf.subarray(0, len));
    const whole = Math.min(len, full - w0);
    plainChunk(a, out, next, buf, whole, w0 * LABELS_PER_DRAW, s0, s1, s2, mask);
    const i = (w0 + whole) * LABELS_PER_DRAW;
    if (whole < len) {
      const x = buf[whole]!;
      out[next[x >>> s0]!++] = a[i]!;
      if (i + 1 < n) out[next[(x >>> s1) & mask]!++] = a[i + 1]!;
    }
  }
}

/** {@link scatterPlain} of the ids `0 … n-1`, generated instead of read. */
function scatterRange(n: number, out: Uint32Array, next: Uint32Array, replay: Random, bits: number): void {
  const mask = (1 << bits) - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW);
  const buf = draws;
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    replay.fillUint32(len === CHUNK ? buf : buf.subarray(0, len));
    const whole = Math.min(len, full - w0);
    rangeChunk(out, next, buf, whole, w0 * LABELS_PER_DRAW, s0, s1, s2, mask);
    const i = (w0 + whole) * LABELS_PER_DRAW;
    if (whole < len) {
      const x = buf[whole]!;
      out[next[x >>> s0]!++] = i;
      if (i + 1 < n) out[next[(x >>> s1) & mask]!++] = i + 1;
    }
  }
}

function scatterWith(a: Typed, c: Typed, out: Typed, cOut: Typed, next: Uint32Array, replay: Random, bits: number): void {
  const n = a.length;
  const mask = (1 << bits) - 1;
  const s0 = 32 - bits;
  const s1 = 32 - 2 * bits;
  const s2 = 32 - 3 * bits;
  const words = Math.ceil(n / LABELS_PER_DRAW);
  const full = Math.floor(n / LABELS_PER_DRAW);
  const buf = draws;
  for (let w0 = 0; w0 < words; w0 += CHUNK) {
    const len = Math.min(CHUNK, words - w0);
    replay.fillUint32(len === CHUNK ? buf : buf.subarray(0, len));
    const whole = Math.min(len, full - w0);
    withChunk(a, c, out, cOut, next, buf, whole, w0 * LABELS_PER_DRAW, s0, s1, s2, mask);
    const i = (w0 + whole) * LABELS_PER_DRAW;
    if (whole < len) {
      const x = buf[whole]!;
      let p = next[x >>> s0]!++;
      out[p] = a[i]!;
      cOut[p] = c[i]!;
      if (i + 1 < n) {
        p = next[(x >>> s1) & mask]!++;
        out[p] = a[i + 1]!;
        cOut[p] = c[i + 1]!;
      }
    }
  }
}
