/**
 * Finite float64 values that are not all exactly float32: an LSD radix sort
 * (11-bit digits) of the high 32 bits of their keys (sign, exponent and 20
 * mantissa bits) carrying the low halves along, then each run of equal high
 * halves sorted by its low halves — insertion sort for short runs,
 * `TypedArray.prototype.sort` for long ones, so the worst case stays
 * O(n log n). For realistic data the runs are short.
 */

import { SIGN } from './float-keys.js';
import { toOffsets } from './radix-float32.js';

/** Runs of equal high halves longer than this go to `TypedArray.prototype.sort`. */
const INSERTION_LIMIT = 24;

/** Whether this platform stores the low 32 bits of a float64 first. */
function isLittleEndian(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

/** Sort finite float64 values (not modified) into a new Float64Array. */
export function sortFloat64(values: Float64Array): Float64Array {
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
