/**
 * The float32 radix sort in JavaScript: the reference for the WebAssembly
 * kernel that runs the same passes (sort-in-kernel.ts, wasm-sort.ts), and
 * what sorts when the kernel does not run. sort.ts chooses between them.
 */

import { chunkEnd } from './chunked-loops.js';
import { F32_EXP, SIGN, keysToBits } from './float-keys.js';
import type { SortSpare } from './sort.js';
import { notFiniteError } from './validate.js';
import type { Kmeans1dWorkspace } from './workspace.js';

/** Widest digit of a pass: 1,024-way scatters. */
export const MAX_DIGIT = 10;

/**
 * LSD radix sort (Knuth, TAOCP vol. 3, §5.2.5) of float32 bit patterns (not
 * modified) into a new Float32Array, or into the workspace's buffers.
 * `original` is only read to report a non-finite value. O(n) time, 8 bytes
 * of scratch per value.
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
 * one, but less than a whole extra pass (the package README has the
 * benchmark).
 *
 * Each loop sits in its own small function, and runs in chunks
 * (chunked-loops.ts says why).
 */
export function radixSortFloat32(
  bits: Uint32Array,
  original: ArrayLike<number>,
  fn: string,
  name: string,
  workspace: Kmeans1dWorkspace | undefined,
  keep: SortSpare | undefined,
): Float32Array {
  const n = bits.length;
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
 * The radix digits for keys that differ in their low `width` bits: as few
 * passes of at most 10 bits as possible for width ≤ 30 (near-equal sizes,
 * the lowest digit first), else four 8-bit ones; digit p covers bits
 * [shift[p], shift[p] + size[p]). No passes for width 0.
 */
export function fitDigits(width: number): { passes: number; shift: Uint32Array; size: Uint32Array } {
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

/** Exclusive prefix sums of a histogram, in place; returns whether one bucket holds every key. */
export function toOffsets(histogram: Uint32Array, from: number, to: number, n: number): boolean {
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
