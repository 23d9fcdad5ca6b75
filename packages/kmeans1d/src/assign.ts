import type { Kmeans1dResult } from './kmeans-1d.js';
import { checkArrayLike, describeValue } from '@seta/engine';

/**
 * The cluster of each value under a {@link kmeans1d} result: the first `j`
 * with `value ≤ bounds[j]`, or the last cluster if there is none. On the
 * values that were clustered this reproduces the returned partition exactly
 * (the labels count `sizes[j]` times each `j`); other values go to the
 * cluster whose range contains them, ±Infinity to the first or last.
 *
 * Cost: O(n log k) time by binary search over the bounds, O(n) memory for
 * the labels. The input is not modified.
 *
 * @param values - the numbers to label: an array or typed array, no NaN.
 * @param result - a result of `kmeans1d` or `kmeans1dSorted` (only `bounds` is read).
 * @returns a Uint32Array of cluster indices, `labels[i]` for `values[i]`.
 * @throws TypeError if `values` is not an array or typed array or holds a
 *   non-number, or `result.bounds` is missing or holds a non-number.
 * @throws RangeError if a value is NaN, or the bounds are not ascending.
 *
 * @example
 * ```ts
 * const values = [1, 2, 3, 10, 11, 12, 30];
 * const result = kmeans1d(values, 3);
 * assign(values, result); // Uint32Array [0, 0, 0, 1, 1, 1, 2]
 * assign([0, 3, 3.5, 100], result); // Uint32Array [0, 0, 1, 2]
 * ```
 */
export function assign(values: ArrayLike<number>, result: Pick<Kmeans1dResult, 'bounds'>): Uint32Array {
  const fn = 'assign()';
  checkArrayLike(fn, 'values', values);
  const bounds = (result as { bounds?: unknown } | null | undefined)?.bounds;
  checkArrayLike(fn, 'result.bounds', bounds);
  const b = bounds as ArrayLike<number>;
  const k = b.length;
  // Binary search needs ascending bounds; others would label silently wrong. O(k).
  for (let j = 0; j < k; j++) {
    const x = b[j];
    if (typeof x !== 'number') throw new TypeError(`${fn}: result.bounds[${j}] must be a number, got ${describeValue(x)}`);
    const before = j === 0 ? -Infinity : b[j - 1]!;
    if (!(x >= before)) {
      throw new RangeError(`${fn}: result.bounds must be ascending without NaN, got bounds[${j}] = ${describeValue(x)}${j === 0 ? '' : ` after ${describeValue(before)}`}`);
    }
  }
  const n = values.length;
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || v !== v) {
      const message = `${fn}: values[${i}] must be a number other than NaN, got ${describeValue(v)}`;
      throw typeof v === 'number' ? new RangeError(message) : new TypeError(message);
    }
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= b[mid]!) hi = mid;
      else lo = mid + 1;
    }
    labels[i] = lo;
  }
  return labels;
}
