/**
 * Sorted values as distinct values with multiplicities, and the prefix sums
 * that give the cost of any run of them in O(1).
 *
 * Equal values always share a cluster (an optimal partition never needs to
 * split a tie: moving every copy to the side of the nearer mean never
 * increases the cost), so the algorithms work on the `m ≤ n` distinct values,
 * each weighted by its count.
 */

import { notFiniteError } from './validate.js';

/** Distinct sorted values, their counts, and prefix sums over them. */
export interface WeightedValues {
  /** Number of input values, counting repeats. */
  readonly n: number;
  /** Number of distinct values. */
  readonly m: number;
  /** The distinct values, ascending (length `m`); a Float32Array when the input was one (exact, half the memory). */
  readonly values: Float32Array | Float64Array;
  /** Subtracted from every value before the sums of x and x² (the median), to limit cancellation. */
  readonly shift: number;
  /**
   * Interleaved prefix sums, length `3 (m + 1)`: at `3p` the number of input
   * values among the first `p` distinct values, at `3p + 1` their sum of
   * `x − shift`, at `3p + 2` their sum of `(x − shift)²` (zero unless
   * requested). Interleaved so that one cost evaluation touches two cache
   * lines, not six.
   */
  readonly prefix: Float64Array;
}

/**
 * Group sorted values into distinct values with counts and build compensated
 * prefix sums. O(n) time, 8m + 24(m + 1) bytes (4m + 24(m + 1) for a Float32Array).
 *
 * @param sorted - finite values, ascending (checked by `checkSorted` beforehand or sorted by us).
 * @param squares - whether to fill the prefix sums of squares (the optimal method needs them, Lloyd does not).
 */
export function weightedValues(sorted: ArrayLike<number>, squares: boolean): WeightedValues {
  const n = sorted.length;
  const m = distinctCount(sorted);
  const values = sorted instanceof Float32Array ? new Float32Array(m) : new Float64Array(m);
  const prefix = new Float64Array(3 * (m + 1));
  const shift = n > 0 ? sorted[n >> 1]! + 0 : 0; // + 0 turns -0 into 0
  fillGrouped(sorted, squares, shift, values, prefix);
  return { n, m, values, shift, prefix };
}

/** Number of distinct values of sorted values. (Loops sit in small functions: see `sortFloat32Bits`.) */
function distinctCount(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  let m = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) m++;
  return m;
}

/** Fill the distinct values and the prefix sums (see {@link WeightedValues}). */
function fillGrouped(
  sorted: ArrayLike<number>,
  squares: boolean,
  shift: number,
  values: Float32Array | Float64Array,
  prefix: Float64Array,
): void {
  const n = sorted.length;
  // Compensated running sums: the stored prefix is within about one rounding
  // of the exact prefix however long the input. Each addition's rounding
  // error is recovered exactly by TwoSum (Knuth, TAOCP vol. 2, §4.2.2): the
  // same error as Neumaier's (1974) branch on the larger term, without the
  // branch.
  let sum = 0;
  let sumC = 0;
  let sq = 0;
  let sqC = 0;
  let p = 0;
  let i = 0;
  while (i < n) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    const count = j - i;
    values[p] = v + 0;
    const d = v - shift;
    const x = count * d;
    let t = sum + x;
    let back = t - sum;
    sumC += sum - (t - back) + (x - back);
    sum = t;
    p++;
    prefix[3 * p] = j;
    prefix[3 * p + 1] = sum + sumC;
    if (squares) {
      const y = x * d;
      t = sq + y;
      back = t - sq;
      sqC += sq - (t - back) + (y - back);
      sq = t;
      prefix[3 * p + 2] = sq + sqC;
    }
    i = j;
  }
}

/**
 * Throws unless `values` are finite and ascending (ties allowed). O(n), no
 * allocation: this is the "cheap validation" of `kmeans1dSorted`.
 *
 * @throws RangeError naming the first offending index.
 */
export function checkSortedFinite(values: ArrayLike<number>, fn: string, name: string): void {
  const n = values.length;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || v - v !== 0) throw notFiniteError(fn, name, i, v);
    if (v < previous) {
      throw new RangeError(
        `${fn}: ${name} must be sorted ascending, got ${name}[${i - 1}] = ${previous} > ${name}[${i}] = ${v}`,
      );
    }
    previous = v;
  }
}
