/**
 * Lloyd's algorithm (S. P. Lloyd, "Least squares quantization in PCM", IEEE
 * Trans. Inf. Theory 28(2), 1982) on sorted, weighted distinct values.
 *
 * In one dimension a Lloyd step is cheap: the clusters are runs of the sorted
 * values, each new run ends at the midpoint between two adjacent means (a
 * binary search), and each mean comes from prefix sums. One iteration is
 * O(k log m) whatever the number of values.
 *
 * It is a heuristic: it stops at a fixed point that can be worse than the
 * optimum. Initialisation is deterministic: k runs of (nearly) equal numbers
 * of distinct values, i.e. centroids near the quantiles of the distinct
 * values. A run that would become empty is kept to one value, so that the
 * result always has k clusters.
 */

import type { WeightedValues } from './weighted.js';

/** Lloyd iterations stop after this many even if the partition still changes. */
export const LLOYD_MAX_ITERATIONS = 1000;

/**
 * The exclusive end (an index into the distinct values) of each cluster
 * Lloyd's algorithm converges to, `1 ≤ k ≤ m`. O(k log m) per iteration,
 * at most `LLOYD_MAX_ITERATIONS` iterations.
 */
export function lloydEnds(data: WeightedValues, k: number): Uint32Array {
  const { m, values, shift, prefix: P } = data;
  const ends = new Uint32Array(k);
  for (let j = 0; j < k; j++) ends[j] = Math.floor(((j + 1) * m) / k);
  if (k === 1 || k === m) return ends;

  const means = new Float64Array(k);
  for (let iteration = 0; iteration < LLOYD_MAX_ITERATIONS; iteration++) {
    // Update step: each centroid moves to its run's mean.
    let start = 0;
    for (let j = 0; j < k; j++) {
      const end = ends[j]!;
      means[j] = (P[3 * end + 1]! - P[3 * start + 1]!) / (P[3 * end]! - P[3 * start]!);
      start = end;
    }
    // Assignment step: run j ends after the last value ≤ the midpoint of
    // means j and j + 1, kept within [previous end + 1, m − (k − 1 − j)].
    let changed = false;
    let previousEnd = 0;
    for (let j = 0; j < k - 1; j++) {
      const midpoint = shift + (means[j]! + means[j + 1]!) / 2;
      let lo = previousEnd + 1;
      let hi = m - (k - 1 - j);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (values[mid]! > midpoint) hi = mid;
        else lo = mid + 1;
      }
      if (lo !== ends[j]) {
        ends[j] = lo;
        changed = true;
      }
      previousEnd = lo;
    }
    if (!changed) break;
  }
  return ends;
}
