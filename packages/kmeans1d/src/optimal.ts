/**
 * Globally optimal 1-D k-means: dynamic programming over sorted, weighted
 * distinct values, each DP layer solved in linear time by SMAWK.
 *
 * References:
 * - H. Wang and M. Song, "Ckmeans.1d.dp: Optimal k-means clustering in one
 *   dimension by dynamic programming", The R Journal 3(2), 2011, 29–33: the
 *   recurrence over sorted data, with segment costs from prefix sums.
 * - A. Grønlund, K. G. Larsen, A. Mathiasen, J. S. Nielsen, S. Schneider and
 *   M. Song, "Fast exact k-means, k-medians and Bregman divergence clustering
 *   in 1D", arXiv:1701.07204, 2017: each layer of that recurrence is a totally
 *   monotone matrix, so SMAWK finds all its row minima in O(n), for O(kn) in all.
 * - A. Aggarwal, M. Klawe, S. Moran, P. Shor and R. Wilber, "Geometric
 *   applications of a matrix-searching algorithm", Algorithmica 2, 1987,
 *   195–208: the SMAWK algorithm.
 *
 * Notation (Wang & Song's, 0-based): the `m` distinct values are x_0 < … <
 * x_{m−1} with weights (counts) w_i. `cost(t, e)` is the weighted sum of
 * squared deviations from their mean of x_t … x_{e−1}, that is
 * Σw x² − (Σw x)² / Σw from prefix sums. `D_j[e]` is the least cost of
 * splitting the first `e` values into `j + 1` clusters:
 *
 *   D_0[e] = cost(0, e),   D_j[e] = min over j ≤ t < e of D_{j−1}[t] + cost(t, e).
 *
 * The matrix M_j[e][t] = D_{j−1}[t] + cost(t, e) (+∞ where t ≥ e) is totally
 * monotone because cost satisfies the (concave) Monge inequality, so the
 * leftmost argmin is nondecreasing in `e`, which SMAWK exploits.
 *
 * Memory: two DP layers (16 bytes per distinct value), the argmin of layers
 * 1 … k−2 for backtracking ((k − 2) × 4 bytes per distinct value, as Uint32)
 * and SMAWK's column stacks (at most 8 bytes per distinct value). The last
 * layer is only needed at e = m and is computed directly.
 */

import type { WeightedValues } from './weighted.js';

/**
 * The exclusive end (an index into the distinct values) of each cluster of a
 * least-cost partition of `data` into exactly `k` clusters, `1 ≤ k ≤ m`.
 * O(k m) time.
 */
export function optimalEnds(data: WeightedValues, k: number): Uint32Array {
  const m = data.m;
  const P = data.prefix;
  const ends = new Uint32Array(k);
  ends[k - 1] = m;
  if (k === 1) return ends;
  if (k >= m) {
    for (let j = 0; j < k; j++) ends[j] = j + 1;
    return ends;
  }

  // Layer j needs D_j[e] for j + 1 ≤ e ≤ j + span (the other clusters need
  // at least one value each), and its candidates are j ≤ t ≤ j + span − 1.
  const span = m - k + 1;
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  const argmin = new Uint32Array((k - 2) * span);
  const stack = new Uint32Array(2 * span + 2);
  let argBase = 0; // argmin[argBase + e] is layer j's entry for row e

  /** M_j[e][t]: the cost of the best split ending with the cluster x_t … x_{e−1}. */
  const entry = (e: number, t: number): number => {
    if (t >= e) return Infinity;
    const a = 3 * t;
    const b = 3 * e;
    const sum = P[b + 1]! - P[a + 1]!;
    const c = P[b + 2]! - P[a + 2]! - (sum * sum) / (P[b]! - P[a]!);
    return prev[t]! + (c > 0 ? c : 0); // c < 0 only by roundoff
  };

  /**
   * SMAWK on rows rowStart, rowStart + rowStep, … (rowCount of them) and the
   * given columns, ascending: either colCount consecutive columns from
   * colFrom (implicit) or stack[colFrom … colFrom + colCount). Writes the
   * leftmost row minima into `cur` and their columns into `argmin`; uses
   * stack[base …] for its own columns.
   */
  const smawk = (
    rowStart: number,
    rowStep: number,
    rowCount: number,
    colFrom: number,
    colCount: number,
    implicit: boolean,
    base: number,
  ): void => {
    // REDUCE: drop columns that cannot hold any row's leftmost minimum,
    // leaving at most rowCount. Invariant: the column at stack position p
    // is no better than one to its left on rows 0 … p − 1.
    let top = 0;
    for (let c = 0; c < colCount; c++) {
      const col = implicit ? colFrom + c : stack[colFrom + c]!;
      while (top > 0) {
        const row = rowStart + (top - 1) * rowStep;
        if (entry(row, stack[base + top - 1]!) <= entry(row, col)) break;
        top--; // col is strictly better on this row, hence on all later rows
      }
      if (top < rowCount) stack[base + top++] = col;
    }

    // Recurse on the odd rows.
    if (rowCount > 1) smawk(rowStart + rowStep, 2 * rowStep, rowCount >> 1, base, top, false, base + top);

    // INTERPOLATE the even rows: row r's minimum lies between the minima of
    // rows r − 1 and r + 1, so one forward sweep over the columns serves all.
    const last = base + top - 1;
    let ptr = base;
    for (let r = 0; r < rowCount; r += 2) {
      const row = rowStart + r * rowStep;
      const stopCol = r + 1 < rowCount ? argmin[argBase + row + rowStep]! : stack[last]!;
      let best = stack[ptr]!;
      let bestValue = entry(row, best);
      while (stack[ptr] !== stopCol && ptr < last) {
        ptr++;
        const col = stack[ptr]!;
        const v = entry(row, col);
        if (v < bestValue) {
          bestValue = v;
          best = col;
        }
      }
      argmin[argBase + row] = best;
      cur[row] = bestValue;
    }
  };

  // Layer 0: one cluster x_0 … x_{e−1}.
  for (let e = 1; e <= span; e++) {
    const b = 3 * e;
    const sum = P[b + 1]! - P[1]!;
    const c = P[b + 2]! - P[2]! - (sum * sum) / (P[b]! - P[0]!);
    prev[e] = c > 0 ? c : 0;
  }

  // Layers 1 … k − 2.
  for (let j = 1; j <= k - 2; j++) {
    argBase = (j - 1) * span - (j + 1);
    smawk(j + 1, 1, span, j, span, true, 0);
    const t = prev;
    prev = cur;
    cur = t;
  }

  // Last layer, only at e = m: where does the last cluster start?
  let bestStart = k - 1;
  let bestValue = entry(m, k - 1);
  for (let t = k; t < m; t++) {
    const v = entry(m, t);
    if (v < bestValue) {
      bestValue = v;
      bestStart = t;
    }
  }

  // Backtrack.
  ends[k - 2] = bestStart;
  let e = bestStart;
  for (let j = k - 2; j >= 1; j--) {
    e = argmin[(j - 1) * span + (e - j - 1)]!;
    ends[j - 1] = e;
  }
  return ends;
}
