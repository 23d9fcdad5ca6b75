/**
 * Sorting for 1-D k-means: a sorted, validated copy of the input, by LSD radix
 * sort of the IEEE-754 bit patterns.
 *
 * A float's bits become an order-preserving unsigned key (float-keys.ts, after
 * Herf, "Radix Tricks", 2001). Keys are then sorted least significant digit
 * first (Knuth, TAOCP vol. 3, §5.2.5), a digit that is the same for every key
 * skipped. The package README compares it with `Float64Array.prototype.sort`.
 *
 * - Float32Array input, and any input whose values are all exactly
 *   representable in float32 (`Math.fround(v) === v`), are sorted as 32-bit
 *   keys in digits of at most 10 bits fitted to the bits in which the keys
 *   differ: at most 4 passes (3 when the keys differ in at most 30 bits),
 *   8 bytes of scratch per value (radix-float32.ts). From `SORT_KERNEL_MIN`
 *   values the passes run in a small WebAssembly module (sort-in-kernel.ts,
 *   wasm-sort.ts), up to 256 values the same keys are sorted by comparison
 *   (sort-small.ts): the same order either way.
 * - Other input is sorted by the high 32 bits of its float64 keys, then each
 *   run of equal high halves by its low halves (radix-float64.ts).
 *
 * `-0` is turned into `0`, so that the two compare equal as they do in
 * JavaScript. NaN and ±Infinity are rejected.
 */

import { radixSortFloat32 } from './radix-float32.js';
import { sortFloat64 } from './radix-float64.js';
import { sortInKernel } from './sort-in-kernel.js';
import { sortFloat32Small } from './sort-small.js';
import { notFiniteError } from './validate.js';
import { sortKernel } from './wasm-sort.js';
import type { Kmeans1dWorkspace } from './workspace.js';

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

/**
 * Sort float32 bit patterns (not modified) into a new Float32Array, by
 * comparison for short inputs, else by radix sort, in the WebAssembly kernel
 * when it runs. `original` is only read to report a non-finite value.
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
  return radixSortFloat32(bits, original, fn, name, workspace, keep);
}

/**
 * Up to this many values, {@link sortFloat32Bits} sorts the keys by
 * comparison instead: the radix sort's histograms (1,024 counters per pass)
 * cost more than they save on short inputs (measured in the package
 * README's "Short inputs").
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
