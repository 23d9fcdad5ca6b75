import { lloydEnds } from './lloyd.js';
import { optimalEnds } from './optimal.js';
import { buildResult } from './result.js';
import { sortedFiniteCopy } from './sort.js';
import type { SortSpare } from './sort.js';
import { checkArrayLike, checkInteger, checkOneOf, checkOptionKeys, checkOptions, describeValue } from '@seta/engine';
import { checkNotEmpty } from './validate.js';
import { checkSortedFinite, weightedValues } from './weighted.js';
import type { WeightedValues } from './weighted.js';
import { Kmeans1dWorkspace } from './workspace.js';

/** How to cluster: `'optimal'` (exact, the default) or `'lloyd'` (a fast heuristic). */
export type Kmeans1dMethod = 'optimal' | 'lloyd';

/** Options of {@link kmeans1d} and {@link kmeans1dSorted}. */
export interface Kmeans1dOptions {
  /**
   * `'optimal'` (default): a partition with the least possible SSE, by
   * pruned dynamic programming (SMAWK), O(k·m) after sorting (m = number of
   * distinct values). `'lloyd'`: Lloyd's iterations from a deterministic
   * start, O(k log m) per iteration after sorting; a heuristic whose SSE can
   * exceed the optimum.
   */
  method?: Kmeans1dMethod;
  /**
   * Memory to reuse across calls (see {@link Kmeans1dWorkspace}): worth it
   * when clustering millions of values repeatedly. The result is the same.
   */
  workspace?: Kmeans1dWorkspace;
}

/**
 * A partition of the values into clusters of consecutive values, cluster `j`
 * holding the values `v` with `bounds[j − 1] < v ≤ bounds[j]` (the first
 * cluster has no lower bound, the last no upper bound). Every array has one
 * entry per cluster except `bounds`, which has one fewer.
 */
export interface Kmeans1dResult {
  /** The mean of each cluster, ascending. */
  centroids: Float64Array;
  /** The number of values in each cluster (all ≥ 1, summing to the input length). */
  sizes: Uint32Array;
  /**
   * The thresholds between clusters: `bounds[j]` is the largest value of
   * cluster `j`, so that {@link assign} reproduces the partition exactly on
   * the input values.
   */
  bounds: Float64Array;
  /** The within-cluster sum of squared distances to the centroids. */
  sse: number;
}

const METHODS: readonly Kmeans1dMethod[] = ['optimal', 'lloyd'];

function readOptions(fn: string, options: unknown): { method: Kmeans1dMethod; workspace: Kmeans1dWorkspace | undefined } {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['method', 'workspace']);
  const o = options as Kmeans1dOptions | undefined;
  const method = o?.method === undefined ? 'optimal' : checkOneOf(fn, 'options.method', o.method, METHODS);
  const workspace = o?.workspace;
  if (workspace !== undefined && !(workspace instanceof Kmeans1dWorkspace)) {
    throw new TypeError(`${fn}: options.workspace must be a Kmeans1dWorkspace, got ${describeValue(workspace)}`);
  }
  return { method, workspace };
}

function cluster(data: WeightedValues, k: number, method: Kmeans1dMethod): Kmeans1dResult {
  const clusters = Math.min(k, data.m);
  const ends = method === 'optimal' ? optimalEnds(data, clusters) : lloydEnds(data, clusters);
  return buildResult(data, ends);
}

/**
 * Cluster numbers into `k` groups of consecutive values, minimising the
 * within-cluster sum of squares (1-D k-means, Jenks natural breaks).
 *
 * Equal values always share a cluster. When the values have fewer than `k`
 * distinct values, each distinct value gets its own cluster and the result has
 * that many clusters. The input is never modified.
 *
 * Cost: sorting a copy by radix sort, O(n) time (O(n log n) worst case for
 * values that are not exactly float32), then O(k·m) time for `'optimal'` or
 * O(k log m) per Lloyd iteration for `'lloyd'`, with m ≤ n the number of
 * distinct values; on typical data `'optimal'` prunes most DP rows and runs
 * far below its O(k·m) worst case. Memory: for float32 input about
 * 9 bytes per value — the radix sort's two buffers (8 bytes per value),
 * which then hold the distinct values and the ends of their runs, and a
 * checkpoint of the prefix sums (32 bytes) every 32 distinct values; for
 * other input the float64 sort's copy and the run ends (12 bytes per value)
 * and 16 more while sorting. `'optimal'` adds the surviving DP rows (at
 * worst, when nothing can be pruned, about 8(k − 1) + 84 bytes per distinct
 * value). See the package README for measured figures.
 *
 * @param values - the numbers to cluster: an array or typed array of finite numbers, not empty.
 * @param k - the number of clusters wanted, an integer ≥ 1.
 * @param options - `method`: `'optimal'` (default, exact) or `'lloyd'` (heuristic); `workspace`: a {@link Kmeans1dWorkspace} to reuse memory across calls.
 * @returns the clusters' centroids (ascending), sizes, bounds and total SSE.
 * @throws TypeError if `values` is not an array or typed array, holds a non-number, or `k`, `options` or `options.method` has the wrong type.
 * @throws RangeError if `values` is empty or holds NaN or ±Infinity, if `k` is not an integer ≥ 1, or if `options.method` is unknown.
 *
 * @example
 * ```ts
 * const { centroids, sizes, bounds, sse } = kmeans1d([1, 2, 3, 10, 11, 12, 30], 3);
 * centroids; // Float64Array [2, 11, 30]
 * sizes;     // Uint32Array [3, 3, 1]
 * bounds;    // Float64Array [3, 12]
 * sse;       // 4
 * ```
 */
export function kmeans1d(values: ArrayLike<number>, k: number, options?: Kmeans1dOptions): Kmeans1dResult {
  const fn = 'kmeans1d()';
  checkArrayLike(fn, 'values', values);
  checkInteger(fn, 'k', k, 1);
  const { method, workspace } = readOptions(fn, options);
  checkNotEmpty(fn, 'values', values);
  const keep: SortSpare = { spare: null };
  const sorted = sortedFiniteCopy(values, fn, 'values', workspace, keep);
  // The sorted copy is ours: the distinct values overwrite it, and their ends take the sort's second buffer.
  return cluster(weightedValues(sorted, method === 'optimal', workspace, true, keep.spare), k, method);
}

/**
 * {@link kmeans1d} for values already sorted ascending: skips the sort and
 * its copy. The order is checked in the same O(n) pass that checks that the
 * values are finite (a `RangeError` names the first pair out of order), so
 * unsorted input is rejected, never silently mis-clustered.
 *
 * Cost: O(n) to check and group the values, then as {@link kmeans1d}. Memory:
 * 12 m bytes for the distinct values and the ends of their runs (8 m for a
 * Float32Array; m = number of distinct values) and 1 byte per distinct value
 * of prefix-sum checkpoints, plus the surviving DP rows for `'optimal'`; no
 * copy of the input.
 *
 * @param sortedValues - finite numbers in ascending order (ties allowed), not empty.
 * @param k - the number of clusters wanted, an integer ≥ 1.
 * @param options - `method`: `'optimal'` (default, exact) or `'lloyd'` (heuristic); `workspace`: a {@link Kmeans1dWorkspace} to reuse memory across calls.
 * @returns the same result as `kmeans1d(sortedValues, k, options)`.
 * @throws TypeError as {@link kmeans1d}.
 * @throws RangeError as {@link kmeans1d}, and if `sortedValues` is not ascending.
 *
 * @example
 * ```ts
 * kmeans1dSorted([1, 1, 2, 8, 9], 2).centroids; // Float64Array [1.3333333333333333, 8.5]
 * kmeans1dSorted([3, 1], 1); // RangeError: kmeans1dSorted(): sortedValues must be sorted ascending, got sortedValues[0] = 3 > sortedValues[1] = 1
 * ```
 */
export function kmeans1dSorted(
  sortedValues: ArrayLike<number>,
  k: number,
  options?: Kmeans1dOptions,
): Kmeans1dResult {
  const fn = 'kmeans1dSorted()';
  checkArrayLike(fn, 'sortedValues', sortedValues);
  checkInteger(fn, 'k', k, 1);
  const { method, workspace } = readOptions(fn, options);
  checkNotEmpty(fn, 'sortedValues', sortedValues);
  checkSortedFinite(sortedValues, fn, 'sortedValues');
  return cluster(weightedValues(sortedValues, method === 'optimal', workspace), k, method);
}
