/**
 * Sorting for 1-D k-means: a sorted, validated copy of the input, by LSD radix
 * sort of the IEEE-754 bit patterns.
 *
 * A float's bits become an order-preserving unsigned key by flipping the sign
 * bit of a positive number and every bit of a negative one (the classic trick
 * described by Herf, "Radix Tricks", 2001). Keys are then sorted least
 * significant digit first (Knuth, TAOCP vol. 3, §5.2.5) — 32-bit keys in
 * digits of at most 10 bits fitted to the bits in which the keys differ
 * (see `sortFloat32Bits`), float64 high words in 11-bit digits; a digit that
 * is the same for every key is skipped. On this project's machines this is
 * 4–5 times faster than `Float64Array.prototype.sort` (see the package README).
 *
 * - Float32Array input, and any input whose values are all exactly
 *   representable in float32 (`Math.fround(v) === v`), are sorted as 32-bit
 *   keys: at most 4 passes (3 when the keys differ in at most 30 bits),
 *   8 bytes of scratch per value.
 * - Other input is sorted by the high 32 bits of its float64 keys (sign,
 *   exponent and 20 mantissa bits) carrying the low halves along, and then each
 *   run of equal high halves is sorted by its low halves (insertion sort for
 *   short runs, the engine's sort for long ones, so the worst case stays
 *   O(n log n)). For realistic data the runs are short.
 *
 * From 65,536 float32 values the key pass and the scatters run in a small
 * WebAssembly module (wasm-sort.ts): the same keys and stable passes, so the
 * same result.
 *
 * `-0` is turned into `0`, so that the two compare equal as they do in
 * JavaScript. NaN and ±Infinity are rejected.
 */

import { notFiniteError } from './validate.js';
import { SORT_LAYOUT, sortKernel } from './wasm-sort.js';
import type { SortKernel } from './wasm-sort.js';
import type { Kmeans1dWorkspace } from './workspace.js';

const SIGN = 0x80000000;
/** Exponent bits of a float32; all set means Infinity or NaN. */
const F32_EXP = 0x7f800000;
/**
 * The end of the chunk of a long loop that starts at `from` (< n). Long
 * loops run in chunks, one function call each, of 512, 512, 1024, 2048, …
 * elements up to 2^15: V8 then sees each loop function run to its end a few
 * times (complete type feedback) and compiles it as a whole early in the
 * first call, instead of only replacing the running loop on the stack
 * (on-stack replacement, which the next call does not reuse, and which
 * deopts on reaching code it has no feedback for), so the second call runs
 * optimized code from its start.
 */
export function chunkEnd(from: number, n: number): number {
  const size = from < 512 ? 512 : from > 32768 ? 32768 : from;
  return from + size < n ? from + size : n;
}

/** Runs of equal high halves longer than this are sorted by the engine. */
const INSERTION_LIMIT = 24;

/** Where a float32 sort hands back its other buffer: n words the caller may use until the buffers' next use. */
export interface SortSpare {
  spare: Uint32Array | null;
}

/**
 * A sorted copy of `values`, validated finite. O(n) time (O(n log n) in the
 * worst case for float64 data), O(n) memory. The input is never modified.
 * With a workspace, float32 keys are sorted in its buffers and the copy is a
 * view of one of them (valid until the workspace's next use).
 *
 * @param keep - if given, a float32 sort puts its second buffer (n words, no longer needed) in `keep.spare`.
 * @throws RangeError if a value is NaN or ±Infinity; TypeError if one is not a number.
 */
export function sortedFiniteCopy(
  values: ArrayLike<number>,
  fn: string,
  name: string,
  workspace?: Kmeans1dWorkspace,
  keep?: SortSpare,
): Float32Array | Float64Array {
  const n = values.length;
  if (values instanceof Float32Array) {
    return sortFloat32Bits(new Uint32Array(values.buffer, values.byteOffset, n), values, fn, name, workspace, keep);
  }
  let fitsFloat32 = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // v - v is 0 for every finite number and NaN for NaN and ±Infinity.
    if (typeof v !== 'number' || v - v !== 0) throw notFiniteError(fn, name, i, v);
    if (fitsFloat32 && Math.fround(v) !== v) fitsFloat32 = false;
  }
  if (fitsFloat32) {
    const copy = new Float32Array(n);
    for (let i = 0; i < n; i++) copy[i] = values[i]!;
    return sortFloat32Bits(new Uint32Array(copy.buffer), copy, fn, name, workspace, keep);
  }
  const source = values instanceof Float64Array ? values : Float64Array.from(values);
  return sortFloat64(source);
}

/** Exclusive prefix sums of a histogram, in place; returns whether one bucket holds every key. */
function toOffsets(histogram: Uint32Array, from: number, to: number, n: number): boolean {
  let sum = 0;
  let single = false;
  for (let i = from; i < to; i++) {
    const count = histogram[i]!;
    if (count === n) single = true;
    histogram[i] = sum;
    sum += count;
  }
  return single;
}

/**
 * Sort float32 bit patterns (not modified) into a new Float32Array.
 * `original` is only read to report a non-finite value.
 *
 * The digits adapt to the data: the first pass computes the keys, their
 * least and greatest value, and a histogram of their low 10 bits. Only the
 * W bits below the highest one in which two keys differ need sorting (the
 * bits above are common to all keys), and they are split into as few digits
 * of at most 10 bits as possible: 3 passes for W ≤ 30 — typical of losses,
 * which span some 28 bits from 1e-7 to 10 — instead of 4 (four 8-bit digits
 * only when W > 30, e.g. for mixed signs). The first scatter also counts the
 * digits of the later passes, so no pass only counts; the last pass writes
 * the float bits back. A 1,024-way scatter costs somewhat more than a 256-way
 * one, but less than a whole extra pass: with this change and the one-pass
 * result (result.ts) the package benchmark (`pnpm --filter @seta/kmeans1d
 * bench`) went from 1,184 to 1,048 ms for 'optimal' at 10 M values.
 *
 * Each loop sits in its own small function that does nothing before its
 * loop: V8 then optimizes each with complete type feedback, which matters
 * for the first calls (a long function optimized in the middle of its first
 * loop deopts on reaching the later ones, and code that runs before a
 * function's first loop on its first call records no type feedback, so its
 * optimized code deopts on the next call).
 */
function sortFloat32Bits(
  bits: Uint32Array,
  original: ArrayLike<number>,
  fn: string,
  name: string,
  workspace: Kmeans1dWorkspace | undefined,
  keep: SortSpare | undefined,
): Float32Array {
  const n = bits.length;
  if (n <= smallSortLimit) return sortFloat32Small(bits, original, fn, name, workspace, keep);
  const kernel = sortKernel(n, workspace);
  if (kernel !== null) return sortInKernel(kernel, bits, original, fn, name, keep);
  let keys = workspace?.uint32('keys', n, workspace.reserved) ?? new Uint32Array(n);
  let spare = workspace?.uint32('spare', n, workspace.reserved) ?? new Uint32Array(n);
  const low = new Uint32Array(1 << MAX_DIGIT); // histogram of the keys' low 10 bits
  const range = Uint32Array.of(0xffff_ffff, 0); // least and greatest key
  for (let from = 0, to = 0; from < n; from = to) {
    to = chunkEnd(from, n);
    const bad = keysRangeAndLowBits(bits, keys, range, low, from, to);
    if (bad >= 0) throw notFiniteError(fn, name, bad, original[bad]);
  }
  const width = 32 - Math.clz32(range[0]! ^ range[1]!); // bits that differ between some keys
  if (width === 0) {
    keysToBits(keys); // every key is the same
    if (keep !== undefined) keep.spare = spare;
    return new Float32Array(keys.buffer, keys.byteOffset, n);
  }
  const { passes, shift, size } = fitDigits(width);
  const stride = 1 << MAX_DIGIT;
  const histogram = new Uint32Array(passes * stride);
  // Digit 0's histogram, folded from the low 10 bits.
  const mask0 = (1 << size[0]!) - 1;
  for (let v = 0; v < stride; v++) histogram[v & mask0]! += low[v]!;
  for (let pass = 0; pass < passes; pass++) {
    const base = pass * stride;
    const mask = (1 << size[pass]!) - 1;
    const last = pass === passes - 1;
    const single = toOffsets(histogram, base, base + mask + 1, n); // the digit is the same for every key
    if (pass === 0 && passes > 1) {
      // Also count the later digits (the top one always varies, so the last pass always runs).
      for (let from = 0, to = 0; from < n; from = to) {
        to = chunkEnd(from, n);
        if (single) countDigits(keys, histogram, stride, passes, shift, size, from, to);
        else scatterCounting(keys, spare, histogram, stride, passes, shift, size, from, to);
      }
    } else if (!single) {
      for (let from = 0, to = 0; from < n; from = to) {
        to = chunkEnd(from, n);
        if (last) scatterToBits(keys, spare, histogram, base, shift[pass]!, mask, from, to);
        else scatter(keys, spare, histogram, base, shift[pass]!, mask, from, to);
      }
    }
    if (single) {
      if (last) keysToBits(keys);
      continue;
    }
    const t = keys;
    keys = spare;
    spare = t;
  }
  if (keep !== undefined) keep.spare = spare;
  return new Float32Array(keys.buffer, keys.byteOffset, n);
}

/**
 * Up to this many values, {@link sortFloat32Bits} sorts the keys by
 * comparison instead: the radix sort's histograms (1,024 counters per pass)
 * cost more than they save on short inputs (k-means of 20 values 1.7× and
 * of 100 values 1.3× faster here; from ~500 values the radix sort is ahead).
 */
const SMALL_SORT = 256;
let smallSortLimit = SMALL_SORT;

/**
 * Set how many float32 values at most are sorted by comparison instead of
 * radix (0: always radix), returning the previous limit; for tests, which
 * check that both give the same result on the same inputs.
 *
 * @internal
 */
export function setSmallSortLimit(limit: number): number {
  const previous = smallSortLimit;
  smallSortLimit = limit;
  return previous;
}
/** Up to this many keys, insertion sort; above, the engine's typed-array sort. */
const SMALL_INSERTION = 32;

/**
 * {@link sortFloat32Bits} for short inputs: the same keys (so the same
 * order, -0 as 0, and the same first non-finite value reported), sorted by
 * comparison.
 */
function sortFloat32Small(
  bits: Uint32Array, original: ArrayLike<number>, fn: string, name: string, workspace: Kmeans1dWorkspace | undefined, keep: SortSpare | undefined,
): Float32Array {
  const n = bits.length;
  const keys = workspace?.uint32('keys', n, workspace.reserved) ?? new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let b = bits[i]!;
    if ((b & F32_EXP) === F32_EXP) throw notFiniteError(fn, name, i, original[i]);
    if (b === SIGN) b = 0; // -0 → 0
    keys[i] = b & SIGN ? ~b >>> 0 : (b | SIGN) >>> 0;
  }
  if (n <= SMALL_INSERTION) {
    for (let i = 1; i < n; i++) {
      const key = keys[i]!;
      let j = i - 1;
      for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
      keys[j + 1] = key;
    }
  } else keys.sort();
  keysToBits(keys);
  if (keep !== undefined) keep.spare = workspace?.uint32('spare', n, workspace.reserved) ?? new Uint32Array(n);
  return new Float32Array(keys.buffer, keys.byteOffset, n);
}

/**
 * {@link sortFloat32Bits} in the WebAssembly kernel (wasm-sort.ts): the same
 * keys, digits and stable passes, so the same result, as a view of the
 * kernel's memory (valid until the kernel's next use).
 */
function sortInKernel(
  kernel: SortKernel, bits: Uint32Array, original: ArrayLike<number>, fn: string, name: string, keep: SortSpare | undefined,
): Float32Array {
  const n = bits.length;
  const buffer = kernel.memory.buffer;
  const { RANGE, LOW, HIST, DATA } = SORT_LAYOUT;
  let src = DATA; // keys first go here
  let dst = DATA + 4 * n; // the input is copied here
  new Uint32Array(buffer, dst, n).set(bits);
  new Uint32Array(buffer, 0, DATA / 4).fill(0); // range, low-bit and pass histograms
  const range = new Uint32Array(buffer, RANGE, 2);
  range[0] = 0xffff_ffff; // least key so far
  // Every pass goes in chunks, one call each: V8 moves a WebAssembly function
  // from its baseline code to optimized code between calls, not during one, so
  // a whole first sort would otherwise run on the baseline code.
  for (let from = 0; from < n; from += KERNEL_CHUNK) {
    const count = Math.min(KERNEL_CHUNK, n - from);
    const bad = kernel.keys(dst + 4 * from, src + 4 * from, count);
    if (bad >= 0) throw notFiniteError(fn, name, from + bad, original[from + bad]);
  }
  const width = 32 - Math.clz32(range[0]! ^ range[1]!);
  const { passes, shift, size } = fitDigits(width);
  const stride = 1 << MAX_DIGIT;
  const histogram = new Uint32Array(buffer, HIST, 4 * stride);
  const low = new Uint32Array(buffer, LOW, stride);
  const mask0 = (1 << size[0]!) - 1;
  for (let v = 0; v < stride; v++) histogram[v & mask0]! += low[v]!;
  for (let pass = 0; pass < passes; pass++) {
    const base = pass * stride;
    const mask = (1 << size[pass]!) - 1;
    const last = pass === passes - 1;
    const single = toOffsets(histogram, base, base + mask + 1, n);
    if (pass === 0 && passes > 1) {
      // Scatter by digit 0 and count the later ones (a stable copy if digit 0 is the same for every key).
      const later = (p: number) => (p < passes ? (1 << size[p]!) - 1 : 0);
      for (let from = 0; from < n; from += KERNEL_CHUNK) {
        const count = Math.min(KERNEL_CHUNK, n - from);
        kernel.scatterCount(src + 4 * from, dst, count, mask0, shift[1]!, later(1), shift[2]!, later(2), shift[3]!, later(3));
      }
    } else if (!single) {
      for (let from = 0; from < n; from += KERNEL_CHUNK) {
        kernel.scatter(src + 4 * from, dst, Math.min(KERNEL_CHUNK, n - from), HIST + 4 * base, shift[pass]!, mask, last ? 1 : 0);
      }
    } else {
      if (last) keysToBits(new Uint32Array(buffer, src, n));
      continue;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (passes === 0) keysToBits(new Uint32Array(buffer, src, n)); // every key is the same
  if (keep !== undefined) keep.spare = new Uint32Array(buffer, dst, n);
  return new Float32Array(buffer, src, n);
}

/**
 * The radix digits for keys that differ in their low `width` bits: as few
 * passes of at most 10 bits as possible for width ≤ 30 (near-equal sizes,
 * the lowest digit first), else four 8-bit ones; digit p covers bits
 * [shift[p], shift[p] + size[p]). No passes for width 0.
 */
function fitDigits(width: number): { passes: number; shift: Uint32Array; size: Uint32Array } {
  const passes = width === 0 ? 0 : width <= 30 ? Math.ceil(width / MAX_DIGIT) : 4;
  const shift = new Uint32Array(4);
  const size = new Uint32Array(4);
  for (let p = 0, at = 0; p < passes; p++) {
    size[p] = Math.ceil((width - at) / (passes - p));
    shift[p] = at;
    at += size[p]!;
  }
  return { passes, shift, size };
}

/** Values per call into the sort kernel (see sortInKernel). */
const KERNEL_CHUNK = 1 << 18;

/** Widest digit of a pass: 1,024-way scatters. */
const MAX_DIGIT = 10;

/**
 * Order-preserving keys of float32 bits from … to − 1 (-0 as 0), their least
 * and greatest value (range[0], range[1], updated) and the histogram of their
 * low 10 bits. Returns the index of the first non-finite value, or −1.
 */
function keysRangeAndLowBits(
  bits: Uint32Array, keys: Uint32Array, range: Uint32Array, low: Uint32Array, from: number, to: number,
): number {
  let min = range[0]!;
  let max = range[1]!;
  for (let i = from; i < to; i++) {
    let b = bits[i]!;
    if ((b & F32_EXP) === F32_EXP) return i;
    if (b === SIGN) b = 0; // -0 → 0
    const key = b & SIGN ? ~b >>> 0 : (b | SIGN) >>> 0;
    keys[i] = key;
    low[key & 1023]!++;
    min = key < min ? key : min;
    max = key > max ? key : max;
  }
  range[0] = min;
  range[1] = max;
  return -1;
}

/** The first pass: scatter by digit 0 and count digits 1 … passes − 1 (histograms `stride` apart). */
function scatterCounting(
  keys: Uint32Array, out: Uint32Array, histogram: Uint32Array, stride: number, passes: number,
  shift: Uint32Array, size: Uint32Array, from: number, to: number,
): void {
  const m0 = (1 << size[0]!) - 1;
  const s1 = shift[1]!;
  const m1 = (1 << size[1]!) - 1;
  const b1 = stride;
  if (passes === 2) {
    for (let i = from; i < to; i++) {
      const key = keys[i]!;
      out[histogram[key & m0]!++] = key;
      histogram[b1 + ((key >>> s1) & m1)]!++;
    }
    return;
  }
  const s2 = shift[2]!;
  const m2 = (1 << size[2]!) - 1;
  const b2 = 2 * stride;
  if (passes === 3) {
    for (let i = from; i < to; i++) {
      const key = keys[i]!;
      out[histogram[key & m0]!++] = key;
      histogram[b1 + ((key >>> s1) & m1)]!++;
      histogram[b2 + ((key >>> s2) & m2)]!++;
    }
    return;
  }
  const s3 = shift[3]!;
  const m3 = (1 << size[3]!) - 1;
  const b3 = 3 * stride;
  for (let i = from; i < to; i++) {
    const key = keys[i]!;
    out[histogram[key & m0]!++] = key;
    histogram[b1 + ((key >>> s1) & m1)]!++;
    histogram[b2 + ((key >>> s2) & m2)]!++;
    histogram[b3 + ((key >>> s3) & m3)]!++;
  }
}

/** Count digits 1 … passes − 1 only (when digit 0 is the same for every key). */
function countDigits(
  keys: Uint32Array, histogram: Uint32Array, stride: number, passes: number,
  shift: Uint32Array, size: Uint32Array, from: number, to: number,
): void {
  for (let i = from; i < to; i++) {
    const key = keys[i]!;
    for (let p = 1; p < passes; p++) histogram[p * stride + ((key >>> shift[p]!) & ((1 << size[p]!) - 1))]!++;
  }
}

/** One LSD pass over keys from … to − 1: scatter by the digit (key >>> shift) & mask, offsets at histogram[base …]. */
function scatter(
  keys: Uint32Array, out: Uint32Array, histogram: Uint32Array, base: number, shift: number, mask: number, from: number, to: number,
): void {
  for (let i = from; i < to; i++) {
    const key = keys[i]!;
    out[histogram[base + ((key >>> shift) & mask)]!++] = key;
  }
}

/** The last LSD pass, writing float bits instead of keys. */
function scatterToBits(
  keys: Uint32Array, out: Uint32Array, histogram: Uint32Array, base: number, shift: number, mask: number, from: number, to: number,
): void {
  for (let i = from; i < to; i++) {
    const key = keys[i]!;
    out[histogram[base + ((key >>> shift) & mask)]!++] = key & SIGN ? key & 0x7fffffff : ~key >>> 0;
  }
}

/** Keys back to float bits, in place. */
function keysToBits(keys: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    keys[i] = key & SIGN ? key & 0x7fffffff : ~key >>> 0;
  }
}

/** Whether this platform stores the low 32 bits of a float64 first. */
function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

/** Sort finite float64 values (not modified) into a new Float64Array. */
function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const loWord = isLittleEndian() ? 0 : 1;
  const hiWord = 1 - loWord;
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  let hiSpare = new Uint32Array(n);
  let loSpare = new Uint32Array(n);
  const histogram = new Uint32Array(3 * 2048);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + hiWord]!;
    let l = words[2 * i + loWord]!;
    if (h === SIGN && l === 0) h = 0; // -0 → 0
    if (h & SIGN) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | SIGN) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
    histogram[h & 2047]!++;
    histogram[2048 + ((h >>> 11) & 2047)]!++;
    histogram[4096 + (h >>> 22)]!++;
  }
  // LSD radix sort on the high halves, carrying the low halves.
  for (let pass = 0; pass < 3; pass++) {
    const base = pass * 2048;
    if (toOffsets(histogram, base, base + 2048, n)) continue;
    const shift = pass * 11;
    for (let i = 0; i < n; i++) {
      const h = hi[i]!;
      const j = histogram[base + ((h >>> shift) & 2047)]!++;
      hiSpare[j] = h;
      loSpare[j] = lo[i]!;
    }
    let t = hi;
    hi = hiSpare;
    hiSpare = t;
    t = lo;
    lo = loSpare;
    loSpare = t;
  }
  // Each run of equal high halves: sort its low halves.
  let start = 0;
  while (start < n) {
    const h = hi[start]!;
    let end = start + 1;
    while (end < n && hi[end] === h) end++;
    if (end - start > INSERTION_LIMIT) {
      lo.subarray(start, end).sort();
    } else {
      for (let i = start + 1; i < end; i++) {
        const l = lo[i]!;
        let j = i - 1;
        while (j >= start && lo[j]! > l) {
          lo[j + 1] = lo[j]!;
          j--;
        }
        lo[j + 1] = l;
      }
    }
    start = end;
  }
  const out = new Float64Array(n);
  const outWords = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const h = hi[i]!;
    const l = lo[i]!;
    if (h & SIGN) {
      outWords[2 * i + hiWord] = h & 0x7fffffff;
      outWords[2 * i + loWord] = l;
    } else {
      outWords[2 * i + hiWord] = ~h >>> 0;
      outWords[2 * i + loWord] = ~l >>> 0;
    }
  }
  return out;
}
