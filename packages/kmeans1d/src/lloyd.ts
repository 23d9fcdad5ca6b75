/**
 * Lloyd's algorithm (S. P. Lloyd, "Least squares quantization in PCM", IEEE
 * Trans. Inf. Theory 28(2), 1982) on sorted, weighted distinct values.
 *
 * In one dimension a Lloyd step is cheap: the clusters are runs of the sorted
 * values, each run ends at the midpoint between two adjacent means (a binary
 * search), and each mean comes from prefix sums. One iteration is O(k log m)
 * whatever the number of values.
 *
 * It is a heuristic: it stops at a fixed point that can be worse than the
 * optimum. To make that rarer it runs from two deterministic starts and keeps
 * the better result: (1) k runs of nearly equal numbers of distinct values
 * (centroids near the quantiles of the distinct values), and (2) runs split
 * at the k − 1 widest gaps between consecutive distinct values, which is
 * already the optimum when the clusters are well separated. A run that would
 * become empty is kept to one value, so the result always has k clusters.
 */

import type { WeightedValues } from './weighted.js';

/** Lloyd iterations stop after this many (per start) even if the partition still changes. */
export const LLOYD_MAX_ITERATIONS = 1000;

/**
 * The exclusive end (an index into the distinct values) of each cluster
 * Lloyd's algorithm converges to, `1 ≤ k ≤ m`. O(m log k) for the starts,
 * then O(k log m) per iteration, at most 2 × `LLOYD_MAX_ITERATIONS` iterations.
 */
export function lloydEnds(data: WeightedValues, k: number): Uint32Array {
  const m = data.m;
  const quantiles = new Uint32Array(k);
  for (let j = 0; j < k; j++) quantiles[j] = Math.floor(((j + 1) * m) / k);
  if (k === 1 || k === m) return quantiles;
  const gaps = widestGapEnds(data.values, k);
  const a = iterate(data, quantiles);
  const b = iterate(data, gaps);
  // SSE = Σx² − Σ_j S_j² / W_j, and Σx² is the same for both: compare the rest.
  return explained(data, b) > explained(data, a) ? gaps : quantiles;
}

/** Σ_j S_j² / W_j over the clusters ending at `ends` (S, W: sum and count of x − shift). */
function explained(data: WeightedValues, ends: Uint32Array): number {
  const P = clusterEndSums(data, ends);
  let total = 0;
  for (let j = 0; j < ends.length; j++) {
    const sum = P[3 * j + 4]! - P[3 * j + 1]!;
    total += (sum * sum) / (P[3 * j + 3]! - P[3 * j]!);
  }
  return total;
}

/** The prefix sums at 0 and at each of `ends` (ascending), 3 numbers each. */
function clusterEndSums(data: WeightedValues, ends: Uint32Array, out = new Float64Array(3 * (ends.length + 1))): Float64Array {
  data.sums.gather(out.subarray(3), 3, ends.length, ends, 0, 1); // the sums at 0 are all 0
  return out;
}

/** Run Lloyd iterations from `ends` (modified in place) until nothing changes. */
function iterate(data: WeightedValues, ends: Uint32Array): Uint32Array {
  const { m, values, shift } = data;
  const k = ends.length;
  const means = new Float64Array(k);
  const P = new Float64Array(3 * (k + 1));
  for (let iteration = 0; iteration < LLOYD_MAX_ITERATIONS; iteration++) {
    // Update step: each centroid moves to its run's mean.
    clusterEndSums(data, ends, P);
    for (let j = 0; j < k; j++) means[j] = (P[3 * j + 4]! - P[3 * j + 1]!) / (P[3 * j + 3]! - P[3 * j]!);
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

/**
 * Cluster ends that split the sorted distinct values at their k − 1 widest
 * gaps (ties: the leftmost), found with a min-heap of size k − 1: O(m log k).
 */
function widestGapEnds(values: Float32Array | Float64Array, k: number): Uint32Array {
  const size = k - 1;
  const heapGap = new Float64Array(size);
  const heapEnd = new Uint32Array(size); // the gap between values[end − 1] and values[end]
  let count = 0;
  // Is entry a smaller (worse) than entry b? Equal gaps: the later one is worse.
  const worse = (ga: number, ea: number, gb: number, eb: number) => ga < gb || (ga === gb && ea > eb);
  for (let end = 1; end < values.length; end++) {
    const gap = values[end]! - values[end - 1]!;
    if (count < size) {
      // Sift up.
      let i = count++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(gap, end, heapGap[parent]!, heapEnd[parent]!)) break;
        heapGap[i] = heapGap[parent]!;
        heapEnd[i] = heapEnd[parent]!;
        i = parent;
      }
      heapGap[i] = gap;
      heapEnd[i] = end;
    } else if (worse(heapGap[0]!, heapEnd[0]!, gap, end)) {
      // Replace the root and sift down.
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        const child =
          right < size && worse(heapGap[right]!, heapEnd[right]!, heapGap[left]!, heapEnd[left]!) ? right : left;
        if (!worse(heapGap[child]!, heapEnd[child]!, gap, end)) break;
        heapGap[i] = heapGap[child]!;
        heapEnd[i] = heapEnd[child]!;
        i = child;
      }
      heapGap[i] = gap;
      heapEnd[i] = end;
    }
  }
  const ends = new Uint32Array(k);
  ends.set(heapEnd.subarray(0, size).sort());
  ends[k - 1] = values.length;
  return ends;
}
