/**
 * Short float32 inputs sorted by comparison: the radix sort's histograms
 * (1,024 counters per pass) cost more than they save on a few hundred
 * values. sort.ts sets the limit.
 */

import { F32_EXP, SIGN, keysToBits } from './float-keys.js';
import type { SortSpare } from './sort.js';
import { notFiniteError } from './validate.js';
import type { Kmeans1dWorkspace } from './workspace.js';

/** Up to this many keys, insertion sort; above, `TypedArray.prototype.sort`. */
const SMALL_INSERTION = 32;

/**
 * The float32 sort for short inputs: the same keys as the radix sort (so
 * the same order, -0 as 0, and the same first non-finite value reported),
 * sorted by comparison. O(n²) up to 32 values, O(n log n) above.
 */
export function sortFloat32Small(
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
