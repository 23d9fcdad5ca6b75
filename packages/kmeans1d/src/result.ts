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
  const { values, prefix: P } = data;
  const k = ends.length;
  const centroids = new Float64Array(k);
  const sizes = new Uint32Array(k);
  const bounds = new Float64Array(k - 1);
  let sse = 0;
  let sseC = 0;
  let start = 0;
  for (let j = 0; j < k; j++) {
    const end = ends[j]!;
    const size = P[3 * end]! - P[3 * start]!;
    sizes[j] = size;
    if (j < k - 1) bounds[j] = values[end - 1]!; // the cluster's largest value
    if (end - start === 1) {
      centroids[j] = values[start]!;
    } else {
      // Two passes with Neumaier-compensated sums: the mean, then the
      // deviations from it (and a correction of the mean by their average).
      let sum = 0;
      let c = 0;
      for (let i = start; i < end; i++) {
        const x = (P[3 * i + 3]! - P[3 * i]!) * values[i]!;
        const t = sum + x;
        c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
        sum = t;
      }
      const mean = (sum + c) / size;
      let dev = 0;
      let devC = 0;
      let sq = 0;
      let sqC = 0;
      for (let i = start; i < end; i++) {
        const count = P[3 * i + 3]! - P[3 * i]!;
        const d = values[i]! - mean;
        const x = count * d;
        let t = dev + x;
        devC += Math.abs(dev) >= Math.abs(x) ? dev - t + x : x - t + dev;
        dev = t;
        const y = x * d;
        t = sq + y;
        sqC += sq >= y ? sq - t + y : y - t + sq;
        sq = t;
      }
      dev += devC;
      const clusterSse = sq + sqC - (dev * dev) / size;
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
