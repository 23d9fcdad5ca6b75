/**
 * From cluster ends to the public result: sizes, centroids, bounds and SSE,
 * computed from the values themselves (not the prefix sums) so that they are
 * accurate to a few roundings whatever path found the partition.
 */

import type { Kmeans1dResult } from './kmeans-1d.js';
import type { WeightedValues } from './weighted.js';

/**
 * Build the result for the partition of `data`'s distinct values whose
 * clusters end (exclusively) at `ends`. O(m) time.
 */
export function buildResult(data: WeightedValues, ends: Uint32Array): Kmeans1dResult {
  const { values, ends: runEnds } = data;
  const k = ends.length;
  const P = new Float64Array(3 * (k + 1)); // the prefix sums at 0 and at each cluster's end (those at 0 are all 0)
  data.sums.gather(P.subarray(3), 3, k, ends, 0, 1);
  const centroids = new Float64Array(k);
  const sizes = new Uint32Array(k);
  const bounds = new Float64Array(k - 1);
  const moments = new Float64Array(2);
  let sse = 0;
  let sseC = 0;
  let start = 0;
  for (let j = 0; j < k; j++) {
    const end = ends[j]!;
    const size = P[3 * j + 3]! - P[3 * j]!;
    sizes[j] = size;
    if (j < k - 1) bounds[j] = values[end - 1]!; // the cluster's largest value
    if (end - start === 1) {
      centroids[j] = values[start]!;
    } else {
      // Compensated sums of the deviations from a mean estimate, and a
      // correction of the mean by their average. The estimate comes from the
      // prefix sums; if it is off by enough for the correction to cancel
      // digits of the SSE (dev² / size above 2^-20 of the squares' sum), the
      // mean is summed exactly from the values (compensated) and the pass
      // repeated — so the result is as accurate as two passes always were,
      // in one pass on all but degenerate clusters.
      let mean = data.shift + (P[3 * j + 4]! - P[3 * j + 1]!) / size;
      clusterDeviations(values, runEnds, start, end, mean, moments);
      if (moments[0]! * moments[0]! > moments[1]! * size * 2 ** -20 || !Number.isFinite(mean)) {
        mean = clusterSum(values, runEnds, start, end) / size;
        clusterDeviations(values, runEnds, start, end, mean, moments);
      }
      const dev = moments[0]!;
      const clusterSse = moments[1]! - (dev * dev) / size;
      centroids[j] = mean + dev / size;
      const x = clusterSse > 0 ? clusterSse : 0;
      const t = sse + x;
      sseC += sse >= x ? sse - t + x : x - t + sse;
      sse = t;
    }
    start = end;
  }
  return { centroids, sizes, bounds, sse: sse + sseC };
}

/**
 * Σ count·x over distinct values start … end − 1, compensated (Neumaier's
 * sum, with each rounding error found by branch-free TwoSum).
 * (Each loop sits in its own small function so that V8 optimizes it early.)
 */
function clusterSum(values: ArrayLike<number>, runEnds: Uint32Array, start: number, end: number): number {
  let sum = 0;
  let c = 0;
  for (let i = start; i < end; i++) {
    const x = (runEnds[i]! - (i > 0 ? runEnds[i - 1]! : 0)) * values[i]!;
    const t = sum + x;
    const back = t - sum;
    c += sum - (t - back) + (x - back); // TwoSum: the same error as Neumaier's, without a branch
    sum = t;
  }
  return sum + c;
}

/**
 * Σ count·(x − mean) and Σ count·(x − mean)² over distinct values
 * start … end − 1, compensated likewise, into out[0] and out[1].
 */
function clusterDeviations(
  values: ArrayLike<number>, runEnds: Uint32Array, start: number, end: number, mean: number, out: Float64Array,
): void {
  let dev = 0;
  let devC = 0;
  let sq = 0;
  let sqC = 0;
  for (let i = start; i < end; i++) {
    const count = runEnds[i]! - (i > 0 ? runEnds[i - 1]! : 0);
    const d = values[i]! - mean;
    const x = count * d;
    let t = dev + x;
    let back = t - dev;
    devC += dev - (t - back) + (x - back);
    dev = t;
    const y = x * d;
    t = sq + y;
    back = t - sq;
    sqC += sq - (t - back) + (y - back);
    sq = t;
  }
  out[0] = dev + devC;
  out[1] = sq + sqC;
}
