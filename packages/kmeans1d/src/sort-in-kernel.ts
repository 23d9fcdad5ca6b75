/**
 * The float32 radix sort (radix-float32.ts) with its passes in the
 * WebAssembly kernel (wasm-sort.ts), for inputs of `SORT_KERNEL_MIN` values
 * or more: the same keys, digits and stable passes, so the same result.
 */

import { keysToBits } from './float-keys.js';
import { MAX_DIGIT, fitDigits, toOffsets } from './radix-float32.js';
import type { SortSpare } from './sort.js';
import { notFiniteError } from './validate.js';
import { SORT_LAYOUT } from './wasm-sort.js';
import type { SortKernel } from './wasm-sort.js';

/** Values per call into the sort kernel (see below). */
const KERNEL_CHUNK = 1 << 18;

/**
 * {@link radixSortFloat32} in the WebAssembly kernel: the same keys, digits
 * and stable passes, so the same result, as a view of the kernel's memory
 * (valid until the kernel's next use).
 */
export function sortInKernel(
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
