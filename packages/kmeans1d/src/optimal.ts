/**
 * Globally optimal 1-D k-means: dynamic programming over sorted, weighted
 * distinct values, each DP layer solved by SMAWK, after a provably safe
 * pruning of the DP rows that cannot lie on an optimal solution.
 *
 * References:
 * - H. Wang and M. Song, "Ckmeans.1d.dp: Optimal k-means clustering in one
 *   dimension by dynamic programming", The R Journal 3(2), 2011, 29–33: the
 *   recurrence over sorted data, with segment costs from prefix sums.
 * - A. Grønlund, K. G. Larsen, A. Mathiasen, J. S. Nielsen, S. Schneider and
 *   M. Song, "Fast exact k-means, k-medians and Bregman divergence clustering
 *   in 1D", arXiv:1701.07204, 2017: each layer of that recurrence is a totally
 *   monotone matrix, so SMAWK finds all its row minima in O(n), O(kn) in all.
 * - A. Aggarwal, M. Klawe, S. Moran, P. Shor and R. Wilber, "Geometric
 *   applications of a matrix-searching algorithm", Algorithmica 2, 1987,
 *   195–208: the SMAWK algorithm.
 *
 * Notation (Wang & Song's, 0-based): the `m` distinct values x_0 < … < x_{m−1}
 * have weights (counts) w_i. `cost(t, e)` is the weighted sum of squared
 * deviations from their mean of x_t … x_{e−1}, Σw x² − (Σw x)² / Σw from
 * prefix sums. `F_j[e]` is the least cost of splitting the first `e` values
 * into `j + 1` clusters:
 *
 *   F_0[e] = cost(0, e),   F_j[e] = min over j ≤ t < e of F_{j−1}[t] + cost(t, e),
 *
 * and the answer is F_{k−1}[m]. The matrix M_j[e][t] = F_{j−1}[t] + cost(t, e)
 * (+∞ where t ≥ e) is totally monotone because `cost` satisfies the
 * quadrangle inequality, and so is any submatrix of it.
 *
 * Pruning (our addition; exact, not a heuristic). A DP row `e` of layer `j`
 * matters only if some optimal partition has a boundary there, i.e. if
 * F_j[e] + G_{k−j−2}[e] = OPT, with G the same recurrence on suffixes. We
 * bound both from below on a coarse grid of groups of `g` consecutive values:
 * removing values never increases a cluster's SSE, so removing from any
 * partition every group cut by a boundary (and the partial groups at the
 * ends) leaves whole groups in at most as many runs, with at most one removed
 * group between runs, and costs no more. The least such cost is a small DP
 * over the groups (`lowerBoundLayers`). An upper bound UB ≥ OPT is the best
 * partition with boundaries on group edges. Rows with LF + LG > UB (plus a
 * margin far above roundoff) are dropped; the rows of every optimal partition
 * survive, and a DP restricted to surviving rows and columns computes, for
 * them, exactly the unrestricted values, so the optimum found is a global
 * one. When the data give the bounds no grip, every row survives and this is
 * the plain O(km) SMAWK DP.
 *
 * Memory: the restricted DP keeps, per layer, its surviving rows and their
 * argmins (8 bytes per surviving row) and two layers of values; SMAWK needs
 * 12 bytes per row of scratch; the coarse bounds need 8 (2k + 1) bytes per
 * group. With no pruning at all that is 8 (k − 1) + 40 bytes per distinct value.
 */

import type { WeightedValues } from './weighted.js';

/** Default coarse-group size: about √m / 8, at least 32 (tuned on the package benchmark). */
export function defaultGroupSize(m: number): number {
  return Math.max(32, Math.round(Math.sqrt(m) / 8));
}

/**
 * The exclusive end (an index into the distinct values) of each cluster of a
 * least-cost partition of `data` into exactly `k` clusters, `1 ≤ k ≤ m`.
 * O(k m) time in the worst case, far less when the pruning bites.
 *
 * @param groupSize - coarse-group size for the pruning bounds; 0 disables pruning (used by tests).
 */
export function optimalEnds(data: WeightedValues, k: number, groupSize = defaultGroupSize(data.m)): Uint32Array {
  const m = data.m;
  const ends = new Uint32Array(k);
  ends[k - 1] = m;
  if (k === 1) return ends;
  if (k >= m) {
    for (let j = 0; j < k; j++) ends[j] = j + 1;
    return ends;
  }
  const groups = groupSize > 0 ? Math.ceil(m / groupSize) : 0;
  if (groups >= 4 * k) {
    const rows = viableRows(data, k, groupSize);
    if (rows !== null && restrictedDp(data, k, rows, ends)) return ends;
  }
  restrictedDp(data, k, allRows(m, k), ends);
  return ends;
}

/** Layer j may end its prefix at e ∈ [j + 1, m − k + j + 1]: every row, no pruning. */
function allRows(m: number, k: number): Uint32Array[] {
  const rows: Uint32Array[] = [];
  for (let j = 0; j <= k - 2; j++) {
    const list = new Uint32Array(m - k + 1);
    for (let i = 0; i < list.length; i++) list[i] = j + 1 + i;
    rows.push(list);
  }
  return rows;
}

/**
 * Row minima of M[e][t] = values[c] + cost(t, e) for rows e = rows[0 … rowCount)
 * and columns t = cols[c], both ascending, by SMAWK. Writes each row's minimum
 * to out[r] and the position in `cols` of its leftmost minimising column to
 * arg[r]. `stack` and `stackValues` need 2·rowCount + 2 entries.
 */
function rowMinima(
  P: Float64Array,
  rows: Uint32Array,
  cols: Uint32Array,
  values: Float64Array,
  out: Float64Array,
  arg: Uint32Array,
  stack: Uint32Array,
  stackValues: Float64Array,
): void {
  /** M[e][cols[c]], +∞ when the cluster x_t … x_{e−1} would be empty. */
  const entry = (e: number, c: number): number => {
    const t = cols[c]!;
    if (t >= e) return Infinity;
    const a = 3 * t;
    const b = 3 * e;
    const sum = P[b + 1]! - P[a + 1]!;
    const q = P[b + 2]! - P[a + 2]! - (sum * sum) / (P[b]! - P[a]!);
    return values[c]! + (q > 0 ? q : 0); // q < 0 only by roundoff
  };

  /**
   * SMAWK on the rows rows[rowFrom + p·rowStep], p < rowCount, and the
   * columns (positions in `cols`) either colFrom … colFrom + colCount − 1
   * (implicit) or stack[colFrom … colFrom + colCount). Uses stack[base …].
   */
  const smawk = (
    rowFrom: number,
    rowStep: number,
    rowCount: number,
    implicit: boolean,
    colFrom: number,
    colCount: number,
    base: number,
  ): void => {
    // REDUCE: keep at most rowCount columns that can hold a row's leftmost
    // minimum. Invariant: the column at stack position p is no better than
    // one to its left on rows 0 … p − 1; stackValues[p] is its entry on row p.
    let top = 0;
    for (let i = 0; i < colCount; i++) {
      const c = implicit ? colFrom + i : stack[colFrom + i]!;
      while (top > 0) {
        const v = entry(rows[rowFrom + (top - 1) * rowStep]!, c);
        if (stackValues[base + top - 1]! <= v) break;
        top--; // c is strictly better on this row, hence on all later rows
      }
      if (top < rowCount) {
        stackValues[base + top] = entry(rows[rowFrom + top * rowStep]!, c);
        stack[base + top++] = c;
      }
    }
    // Recurse on the odd rows.
    if (rowCount > 1) smawk(rowFrom + rowStep, 2 * rowStep, rowCount >> 1, false, base, top, base + top);
    // INTERPOLATE the even rows: the minimum of row r lies between those of
    // rows r − 1 and r + 1, so one forward sweep over the columns serves all.
    const last = base + top - 1;
    let ptr = base;
    for (let r = 0; r < rowCount; r += 2) {
      const ri = rowFrom + r * rowStep;
      const e = rows[ri]!;
      const stop = r + 1 < rowCount ? arg[ri + rowStep]! : stack[last]!;
      let best = stack[ptr]!;
      let bestValue = entry(e, best);
      while (stack[ptr] !== stop && ptr < last) {
        ptr++;
        const c = stack[ptr]!;
        const v = entry(e, c);
        if (v < bestValue) {
          bestValue = v;
          best = c;
        }
      }
      arg[ri] = best;
      out[ri] = bestValue;
    }
  };

  smawk(0, 1, rows.length, true, 0, cols.length, 0);
}

/**
 * The DP restricted to layer j's rows `rows[j]` (j = 0 … k − 2), with
 * backtracking into `ends`. Returns false if no finite partition was found
 * (which the pruning guarantees cannot happen; the caller then retries
 * without pruning).
 */
function restrictedDp(data: WeightedValues, k: number, rows: Uint32Array[], ends: Uint32Array): boolean {
  const m = data.m;
  const P = data.prefix;
  let maxRows = 0;
  for (const list of rows) maxRows = Math.max(maxRows, list.length);
  const stack = new Uint32Array(2 * maxRows + 2);
  const stackValues = new Float64Array(2 * maxRows + 2);
  const argmins: Uint32Array[] = [];

  // Layer 0: one cluster x_0 … x_{e−1}.
  const first = rows[0]!;
  let previous = new Float64Array(first.length);
  for (let i = 0; i < first.length; i++) {
    const b = 3 * first[i]!;
    const sum = P[b + 1]! - P[1]!;
    const q = P[b + 2]! - P[2]! - (sum * sum) / (P[b]! - P[0]!);
    previous[i] = q > 0 ? q : 0;
  }
  // Layers 1 … k − 2.
  for (let j = 1; j <= k - 2; j++) {
    const list = rows[j]!;
    const values = new Float64Array(list.length);
    const arg = new Uint32Array(list.length);
    if (list.length > 0 && rows[j - 1]!.length > 0) {
      rowMinima(P, list, rows[j - 1]!, previous, values, arg, stack, stackValues);
    } else {
      values.fill(Infinity);
    }
    argmins.push(arg);
    previous = values;
  }
  // Last layer, only at e = m: where does the last cluster start?
  const last = rows[k - 2]!;
  let bestPosition = -1;
  let bestValue = Infinity;
  const b = 3 * m;
  for (let i = 0; i < last.length; i++) {
    const a = 3 * last[i]!;
    const sum = P[b + 1]! - P[a + 1]!;
    const q = P[b + 2]! - P[a + 2]! - (sum * sum) / (P[b]! - P[a]!);
    const v = previous[i]! + (q > 0 ? q : 0);
    if (v < bestValue) {
      bestValue = v;
      bestPosition = i;
    }
  }
  if (bestPosition < 0 || !(bestValue < Infinity)) return false;
  // Backtrack.
  let position = bestPosition;
  ends[k - 2] = last[position]!;
  for (let j = k - 2; j >= 1; j--) {
    position = argmins[j - 1]![position]!;
    ends[j - 1] = rows[j - 1]![position]!;
  }
  for (let j = 1; j < k; j++) if (!(ends[j - 1]! < ends[j]!)) return false;
  return true;
}

/**
 * Prefix sums at group edges, as three compact arrays (count, sum, sum of
 * squares), forward or (with `reverse`) accumulated from the end, so that one
 * cost formula serves prefixes and suffixes.
 */
function groupPrefix(data: WeightedValues, g: number, groups: number, reverse: boolean): Float64Array[] {
  const P = data.prefix;
  const m = data.m;
  const W = new Float64Array(groups + 1);
  const S = new Float64Array(groups + 1);
  const Q = new Float64Array(groups + 1);
  const tw = P[3 * m]!;
  const ts = P[3 * m + 1]!;
  const tq = P[3 * m + 2]!;
  for (let q = 0; q <= groups; q++) {
    const i = 3 * Math.min((reverse ? groups - q : q) * g, m);
    if (reverse) {
      W[q] = tw - P[i]!;
      S[q] = ts - P[i + 1]!;
      Q[q] = tq - P[i + 2]!;
    } else {
      W[q] = P[i]!;
      S[q] = P[i + 1]!;
      Q[q] = P[i + 2]!;
    }
  }
  return [W, S, Q];
}

/**
 * One layer of a group-level DP: out[q] = min over q' ≤ q of B[q'] + SSE of
 * groups q' … q − 1 (0 when empty), by divide and conquer over the monotone
 * argmin (Wang & Song's O(n log n) method). O(G log G).
 */
function groupLayer(W: Float64Array, S: Float64Array, Q: Float64Array, B: Float64Array, out: Float64Array): void {
  const solve = (lo: number, hi: number, from: number, to: number): void => {
    while (lo <= hi) {
      const q = (lo + hi) >> 1;
      const end = to < q ? to : q;
      const wq = W[q]!;
      const sq = S[q]!;
      const qq = Q[q]!;
      let best = from;
      let bestValue = Infinity;
      for (let t = from; t <= end; t++) {
        let c = 0;
        if (t < q) {
          const sum = sq - S[t]!;
          c = qq - Q[t]! - (sum * sum) / (wq - W[t]!);
          if (c < 0) c = 0;
        }
        const v = B[t]! + c;
        if (v < bestValue) {
          bestValue = v;
          best = t;
        }
      }
      out[q] = bestValue;
      solve(lo, q - 1, from, best);
      lo = q + 1;
      from = best;
    }
  };
  solve(0, W.length - 1, 0, W.length - 1);
}

/**
 * Lower bounds A_c[q] (c = 0 … k − 2) on the cost of splitting the first q
 * groups' values, with c + 1 clusters, after removing one group between
 * consecutive clusters where the partition cuts it.
 */
function lowerBoundLayers(W: Float64Array, S: Float64Array, Q: Float64Array, k: number): Float64Array[] {
  const size = W.length;
  const layers: Float64Array[] = [];
  let a = new Float64Array(size);
  for (let q = 1; q < size; q++) {
    const sum = S[q]! - S[0]!;
    const c = Q[q]! - Q[0]! - (sum * sum) / (W[q]! - W[0]!);
    a[q] = c > 0 ? c : 0;
  }
  layers.push(a);
  const skip = new Float64Array(size);
  for (let c = 1; c <= k - 2; c++) {
    skip[0] = a[0]!;
    for (let q = 1; q < size; q++) skip[q] = Math.min(a[q]!, a[q - 1]!); // optionally remove group q − 1
    const next = new Float64Array(size);
    groupLayer(W, S, Q, skip, next);
    layers.push(next);
    a = next;
  }
  return layers;
}

/**
 * The DP rows that can lie on an optimal partition, per layer, or null if
 * the bounds are unusable (non-finite).
 */
function viableRows(data: WeightedValues, k: number, g: number): Uint32Array[] | null {
  const m = data.m;
  const groups = Math.ceil(m / g);
  const [W, S, Q] = groupPrefix(data, g, groups, false) as [Float64Array, Float64Array, Float64Array];
  const [Wr, Sr, Qr] = groupPrefix(data, g, groups, true) as [Float64Array, Float64Array, Float64Array];
  const prefixBounds = lowerBoundLayers(W, S, Q, k);
  const suffixBounds = lowerBoundLayers(Wr, Sr, Qr, k);

  // Upper bound: the best partition with boundaries on group edges.
  let upper = new Float64Array(groups + 1);
  for (let q = 1; q <= groups; q++) {
    const sum = S[q]!;
    const c = Q[q]! - (sum * sum) / W[q]!;
    upper[q] = c > 0 ? c : 0;
  }
  for (let c = 1; c <= k - 1; c++) {
    const next = new Float64Array(groups + 1);
    groupLayer(W, S, Q, upper, next);
    upper = next;
  }
  const ub = upper[groups]!;
  // Roundoff in any cost is a few ulps of the total sum of squares; this margin is ~10^6 times that.
  const limit = ub + 1e-10 * (Math.abs(data.prefix[3 * m + 2]!) + Math.abs(ub));
  if (!Number.isFinite(limit)) return null;

  const rows: Uint32Array[] = [];
  const scratch = new Uint32Array(m);
  for (let j = 0; j <= k - 2; j++) {
    const lf = prefixBounds[j]!;
    const lg = suffixBounds[k - j - 2]!;
    const lo = j + 1;
    const hi = m - k + j + 1;
    let count = 0;
    for (let q = Math.floor(lo / g); q * g <= hi; q++) {
      // Row q·g (a group edge): whole groups 0 … q − 1 before, q … after.
      const edge = q * g;
      if (edge >= lo && lf[q]! + lg[groups - q]! <= limit) scratch[count++] = edge;
      // Rows strictly inside group q: whole groups 0 … q − 1 before, q + 1 … after.
      if (q < groups && lf[q]! + lg[groups - q - 1]! <= limit) {
        const from = Math.max(edge + 1, lo);
        const to = Math.min(edge + g - 1, hi);
        for (let e = from; e <= to; e++) scratch[count++] = e;
      }
    }
    if (count === 0) return null;
    rows.push(scratch.slice(0, count));
  }
  return rows;
}
