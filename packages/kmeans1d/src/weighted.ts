/**
 * Sorted values as distinct values with multiplicities, and the prefix sums
 * that give the cost of any run of them in O(1).
 *
 * Equal values always share a cluster (an optimal partition never needs to
 * split a tie: moving every copy to the side of the nearer mean never
 * increases the cost), so the algorithms work on the `m ≤ n` distinct values,
 * each weighted by its count.
 */

import { chunkEnd } from './sort.js';
import { notFiniteError } from './validate.js';
import type { Kmeans1dWorkspace } from './workspace.js';

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
 * @param workspace - where to take the arrays from, if given (their contents are overwritten).
 */
export function weightedValues(sorted: ArrayLike<number>, squares: boolean, workspace?: Kmeans1dWorkspace): WeightedValues {
  const n = sorted.length;
  // With a workspace, room for n distinct values costs nothing extra: skip counting them first.
  let m = n;
  if (workspace === undefined) {
    m = n > 0 ? 1 : 0;
    for (let from = 1, to = 1; from < n; from = to) {
      to = chunkEnd(from, n);
      m += distinctCount(sorted, from, to);
    }
  }
  let values =
    sorted instanceof Float32Array
      ? (workspace?.float32('values', m, workspace.reserved) ?? new Float32Array(m))
      : (workspace?.float64('values', m, workspace.reserved) ?? new Float64Array(m));
  let prefix = workspace?.float64('prefix', 3 * (m + 1), 3 * (workspace.reserved + 1)) ?? new Float64Array(3 * (m + 1));
  // Reused memory: the entries the fill does not write must still read 0.
  if (workspace !== undefined) prefix.fill(0, 0, 3);
  const shift = n > 0 ? sorted[n >> 1]! + 0 : 0; // + 0 turns -0 into 0
  // Running state across chunks: the compensated sums, then p and i.
  const state = new Float64Array(6);
  while (state[5]! < n) fillGrouped(sorted, n, squares, shift, values, prefix, state, chunkEnd(state[5]!, n));
  if (workspace !== undefined) {
    m = state[4]!;
    values = values.subarray(0, m);
    prefix = prefix.subarray(0, 3 * (m + 1));
    if (!squares) for (let p = 2; p < prefix.length; p += 3) prefix[p] = 0;
  }
  return { n, m, values, shift, prefix };
}

/**
 * How many of sorted[from … to − 1] differ from their predecessor. (Loops sit in
 * small functions that do nothing before their loop, so that V8 optimizes
 * them with complete type feedback: see `sortFloat32Bits`.)
 */
function distinctCount(sorted: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) if (sorted[i] !== sorted[i - 1]) m++;
  return m;
}

/**
 * Fill the distinct values and the prefix sums (see {@link WeightedValues})
 * for the runs of equal values that start before `stop`, continuing from
 * `state` (sum, its compensation, sum of squares, its compensation, p, i)
 * and updating it. Chunked: see `chunkEnd` in sort.ts.
 */
function fillGrouped(
  sorted: ArrayLike<number>,
  n: number,
  squares: boolean,
  shift: number,
  values: Float32Array | Float64Array,
  prefix: Float64Array,
  state: Float64Array,
  stop: number,
): void {
  // Compensated running sums: the stored prefix is within about one rounding
  // of the exact prefix however long the input. Each addition's rounding
  // error is recovered exactly by TwoSum (Knuth, TAOCP vol. 2, §4.2.2): the
  // same error as Neumaier's (1974) branch on the larger term, without the
  // branch.
  let sum = state[0]!;
  let sumC = state[1]!;
  let sq = state[2]!;
  let sqC = state[3]!;
  let p = state[4]! | 0; // integers (| 0 keeps them int32 for V8)
  let i = state[5]! | 0;
  const end = stop < n ? stop : n;
  while (i < end) {
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
  state[0] = sum;
  state[1] = sumC;
  state[2] = sq;
  state[3] = sqC;
  state[4] = p;
  state[5] = i;
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
