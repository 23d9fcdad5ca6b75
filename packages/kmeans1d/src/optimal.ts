/**
 * Globally optimal 1-D k-means: dynamic programming over sorted, weighted
 * distinct values, each DP layer solved by SMAWK or by divide and conquer,
 * after a provably safe pruning of the DP rows that cannot lie on an optimal
 * solution.
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
 * bound both from below on a grid of groups of `g` consecutive values:
 * removing values never increases a cluster's SSE, so removing from any
 * partition every group cut by a boundary (and the partial groups at the
 * ends) leaves whole groups in at most as many runs, with at most one removed
 * group between runs, and costs no more. The least such cost is a small DP
 * over the group edges (`refineRuns`). An upper bound UB ≥ OPT is the best
 * partition with boundaries on group edges. Rows with LF + LG > UB (plus a
 * margin far above roundoff) are dropped; the rows of every optimal partition
 * survive, and a DP restricted to surviving rows and columns computes, for
 * them, exactly the unrestricted values, so the optimum found is a global
 * one.
 *
 * The bounds lose about one group's worth of cost per boundary, so the
 * surviving band around each optimal boundary narrows like √g. They are
 * therefore refined: first on groups of ≈ √m / 4 values over all rows, then
 * on grids 4, 16, … times finer whose group-level DPs only visit the edges
 * under the rows kept so far. That restriction is safe because every row of
 * every optimal partition was kept, so the relaxation of every optimal
 * partition is still feasible in the restricted DP. On loss-like data of 1 M
 * values the surviving rows go 100 % → 8 % → 4 % → 2 %. When the data give
 * the bounds no grip, every row survives and this is the plain O(km) DP.
 *
 * The restricted DP solves each layer by divide and conquer over the
 * monotone argmin when it has at most 2^16 rows, by SMAWK otherwise (see
 * `DIVIDE_AND_CONQUER_ROWS`). Both return each row's leftmost minimum.
 *
 * Memory: the restricted DP keeps, per layer, its surviving rows and their
 * argmins (8 bytes per surviving row), and packs two layers (32 bytes per
 * row each); SMAWK needs 12 bytes per row of scratch. The bounds need about
 * 56 bytes per group edge visited. With no pruning at all that is
 * about 8 (k − 1) + 84 bytes per distinct value.
 */

import type { PrefixSums, WeightedValues } from './weighted.js';

/**
 * Layers with at most this many rows use divide and conquer (O(C log R) cost
 * evaluations for R rows and C columns, but independent ones that pipeline
 * well) instead of SMAWK (O(R + C), but each evaluation waits for the
 * previous one): measured faster here; the cap keeps the log factor ≤ 16, so
 * the worst case stays O(k m).
 */
const DIVIDE_AND_CONQUER_ROWS = 1 << 16;

/** Default size of the coarsest groups: about √m / 4, at least 32 (tuned on the package benchmark). */
export function defaultGroupSize(m: number): number {
  return Math.max(32, Math.round(Math.sqrt(m) / 4));
}

/**
 * The exclusive end (an index into the distinct values) of each cluster of a
 * least-cost partition of `data` into exactly `k` clusters, `1 ≤ k ≤ m`.
 * O(k m) time in the worst case, far less when the pruning bites.
 *
 * @param groupSize - coarse-group size for the pruning bounds; 0 disables pruning (used by tests).
 * @param divideAndConquerRows - layers with at most this many rows use divide and conquer, larger ones SMAWK (tests force each).
 */
export function optimalEnds(
  data: WeightedValues,
  k: number,
  groupSize = defaultGroupSize(data.m),
  divideAndConquerRows = DIVIDE_AND_CONQUER_ROWS,
): Uint32Array {
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
    const runs = viableRuns(data, k, groupSize);
    if (runs !== null && restrictedDp(data, k, runs.map(expandRuns), ends, divideAndConquerRows)) return ends;
  }
  restrictedDp(data, k, allRuns(m, k).map(expandRuns), ends, divideAndConquerRows);
  return ends;
}

/**
 * The rows that can lie on an optimal partition, as runs per layer: bounds
 * on a grid of groups of g values, then on grids 4, 16, … times finer, each
 * restricted to the rows the previous one kept, for as long as that pays
 * (the bounds still remove rows, and a finer grid costs less than the DP
 * rows it may save). Null if the bounds are unusable.
 */
function viableRuns(data: WeightedValues, k: number, groupSize: number): Uint32Array[] | null {
  const limit = pruningLimit(data, k, groupSize);
  if (!Number.isFinite(limit)) return null;
  let runs = allRuns(data.m, k);
  let rows = (k - 1) * (data.m - k + 1);
  for (let g = groupSize; g >= 2; g >>= 2) {
    // A grid's DPs cost about 2 S log S evaluations for S group edges under
    // the rows, the restricted DP about 8 per row.
    let work = 0;
    for (const list of runs) {
      const edges = (list[list.length - 1]! - list[0]!) / g + 2;
      work += 2 * edges * Math.log2(edges);
    }
    if (work > 8 * rows) break;
    const next = refineRuns(data, k, runs, g, limit);
    if (next === null) return null;
    runs = next;
    let count = 0;
    for (const list of runs) for (let i = 0; i < list.length; i += 2) count += list[i + 1]! - list[i]!;
    const bites = count < 0.75 * rows;
    rows = count;
    if (!bites) break;
  }
  return runs;
}

/** Layer j may end its prefix at e ∈ [j + 1, m − k + j + 1]: every row, as one run per layer. */
function allRuns(m: number, k: number): Uint32Array[] {
  const runs: Uint32Array[] = [];
  for (let j = 0; j <= k - 2; j++) runs.push(Uint32Array.of(j + 1, m - k + j + 2));
  return runs;
}

/** The rows of runs [start, end) given as pairs, ascending. */
function expandRuns(runs: Uint32Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < runs.length; i += 2) count += runs[i + 1]! - runs[i]!;
  const rows = new Uint32Array(count);
  let p = 0;
  for (let i = 0; i < runs.length; i += 2) for (let e = runs[i]!; e < runs[i + 1]!; e++) rows[p++] = e;
  return rows;
}

/**
 * Packed operands of one DP layer, 4 numbers per row: the prefix sums at the
 * row's end e (count, sum, sum of squares: Wang & Song's cumulative sums) and,
 * once known, the layer's value F_j[e]. A layer's rows are the next layer's
 * columns, so SMAWK reads both from flat arrays without any indirection.
 */
function packRows(sums: PrefixSums, rows: Uint32Array, out: Float64Array): void {
  sums.gather(out, 4, rows.length, rows, 0, 1);
}

/**
 * M[r][c] = F(column c) + cost(column c's end, row r's end), +∞ when the
 * cluster would be empty (prefix counts increase strictly, so t ≥ e exactly
 * when W_t ≥ W_e). Same operations, in the same order, as every other cost
 * evaluation in this file.
 */
function entry(R: Float64Array, C: Float64Array, r: number, c: number): number {
  const b = 4 * r;
  const a = 4 * c;
  const w = R[b]! - C[a]!;
  if (!(w > 0)) return Infinity;
  const sum = R[b + 1]! - C[a + 1]!;
  const q = R[b + 2]! - C[a + 2]! - (sum * sum) / w;
  return C[a + 3]! + (q > 0 ? q : 0); // q < 0 only by roundoff
}

/**
 * SMAWK (Aggarwal et al., 1987) on the rows rowFrom + p·rowStep (p < rowCount)
 * of the packed layer R and the columns of C either colFrom … colFrom +
 * colCount − 1 (`implicit`) or stack[colFrom … colFrom + colCount). Writes each
 * row's minimum to out[row] and its leftmost minimising column to arg[row].
 * Uses stack[base …] and stackValues[base …]; 2·rowCount + 2 entries suffice.
 */
function smawk(
  R: Float64Array,
  C: Float64Array,
  out: Float64Array,
  arg: Uint32Array,
  stack: Uint32Array,
  stackValues: Float64Array,
  rowFrom: number,
  rowStep: number,
  rowCount: number,
  implicit: boolean,
  colFrom: number,
  colCount: number,
  base: number,
): void {
  // REDUCE: keep at most rowCount columns that can hold a row's leftmost
  // minimum. Invariant: the column at stack position p is no better than
  // one to its left on rows 0 … p − 1; stackValues[p] is its entry on row p.
  let top = base;
  const full = base + rowCount;
  for (let i = 0; i < colCount; i++) {
    const c = implicit ? colFrom + i : stack[colFrom + i]!;
    while (top > base) {
      const v = entry(R, C, rowFrom + (top - 1 - base) * rowStep, c);
      if (stackValues[top - 1]! <= v) break;
      top--; // c is strictly better on this row, hence on all later rows
    }
    if (top < full) {
      stackValues[top] = entry(R, C, rowFrom + (top - base) * rowStep, c);
      stack[top++] = c;
    }
  }
  // Recurse on the odd rows.
  if (rowCount > 1) {
    smawk(R, C, out, arg, stack, stackValues, rowFrom + rowStep, 2 * rowStep, rowCount >> 1, false, base, top - base, top);
  }
  // INTERPOLATE the even rows: the minimum of row r lies between those of
  // rows r − 1 and r + 1, so one forward sweep over the columns serves all.
  const last = top - 1;
  let ptr = base;
  for (let r = 0; r < rowCount; r += 2) {
    const row = rowFrom + r * rowStep;
    const stop = r + 1 < rowCount ? arg[row + rowStep]! : stack[last]!;
    let best = stack[ptr]!;
    let bestValue = entry(R, C, row, best);
    while (stack[ptr] !== stop && ptr < last) {
      const c = stack[++ptr]!;
      const v = entry(R, C, row, c);
      if (v < bestValue) {
        bestValue = v;
        best = c;
      }
    }
    arg[row] = best;
    out[row] = bestValue;
  }
}

/**
 * Row minima of the packed layer matrix (see `entry`) for rows lo … hi, the
 * minimum of each row among columns from … min(to, limit[r] − 1), by divide
 * and conquer over the monotone leftmost argmin. `limit[r]` is the number of
 * columns that end before row r (the others would leave an empty cluster).
 */
function solveLayer(
  R: Float64Array, C: Float64Array, limit: Uint32Array, out: Float64Array, arg: Uint32Array,
  lo: number, hi: number, from: number, to: number,
): void {
  while (lo <= hi) {
    const r = (lo + hi) >> 1;
    const cap = limit[r]! - 1;
    const end = to < cap ? to : cap;
    const b = 4 * r;
    const wr = R[b]!;
    const sr = R[b + 1]!;
    const qr = R[b + 2]!;
    let best = from;
    let bestValue = Infinity;
    for (let c = from; c <= end; c++) {
      const a = 4 * c;
      const sum = sr - C[a + 1]!;
      const q = qr - C[a + 2]! - (sum * sum) / (wr - C[a]!);
      const v = C[a + 3]! + (q > 0 ? q : 0);
      if (v < bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = bestValue;
    arg[r] = best;
    solveLayer(R, C, limit, out, arg, lo, r - 1, from, best);
    lo = r + 1;
    from = best;
  }
}

/** F_0[e] = cost(0, e) into the packed rows' value slots (the sums at 0 are all 0). */
function firstLayer(C: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const b = 4 * i;
    const sum = C[b + 1]!;
    const q = C[b + 2]! - (sum * sum) / C[b]!;
    C[b + 3] = q > 0 ? q : 0;
  }
}

/** limit[r] = the number of columns before row r (both lists ascend). */
function columnLimits(columns: Uint32Array, rows: Uint32Array, limit: Uint32Array): void {
  let c = 0;
  for (let r = 0; r < rows.length; r++) {
    while (c < columns.length && columns[c]! < rows[r]!) c++;
    limit[r] = c;
  }
}

/** Copy a layer's row minima into the packed rows' value slots. */
function setLayerValues(R: Float64Array, values: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) R[4 * i + 3] = values[i]!;
}

/**
 * The position (in the packed last layer C) of the leftmost best start of
 * the last cluster x_t … x_{m−1} (T: the sums at its end m), or −1 if every
 * candidate is +∞.
 */
function lastLayer(T: Float64Array, C: Float64Array, count: number): number {
  let bestPosition = -1;
  let bestValue = Infinity;
  for (let i = 0; i < count; i++) {
    const a = 4 * i;
    const sum = T[1]! - C[a + 1]!;
    const q = T[2]! - C[a + 2]! - (sum * sum) / (T[0]! - C[a]!);
    const v = C[a + 3]! + (q > 0 ? q : 0);
    if (v < bestValue) {
      bestValue = v;
      bestPosition = i;
    }
  }
  return bestPosition;
}

/**
 * The DP restricted to layer j's rows `rows[j]` (j = 0 … k − 2), with
 * backtracking into `ends`. Returns false if no finite partition was found
 * (which the pruning guarantees cannot happen; the caller then retries
 * without pruning).
 */
function restrictedDp(
  data: WeightedValues,
  k: number,
  rows: Uint32Array[],
  ends: Uint32Array,
  divideAndConquerRows: number,
): boolean {
  const sums = data.sums;
  let maxRows = 0;
  for (const list of rows) maxRows = Math.max(maxRows, list.length);
  const small = maxRows <= divideAndConquerRows;
  const stack = new Uint32Array(small ? 0 : 2 * maxRows + 2);
  const stackValues = new Float64Array(small ? 0 : 2 * maxRows + 2);
  const limit = new Uint32Array(Math.min(maxRows, divideAndConquerRows));
  const values = new Float64Array(maxRows);
  const argmins: Uint32Array[] = [];
  let C = new Float64Array(4 * maxRows);
  let R = new Float64Array(4 * maxRows);

  // Layer 0: one cluster x_0 … x_{e−1}.
  const first = rows[0]!;
  packRows(sums, first, C);
  firstLayer(C, first.length);
  // Layers 1 … k − 2.
  for (let j = 1; j <= k - 2; j++) {
    const list = rows[j]!;
    const columns = rows[j - 1]!.length;
    const arg = new Uint32Array(list.length);
    packRows(sums, list, R);
    if (list.length > 0 && columns > 0) {
      if (list.length <= divideAndConquerRows) {
        columnLimits(rows[j - 1]!, list, limit);
        solveLayer(R, C, limit, values, arg, 0, list.length - 1, 0, columns - 1);
      } else {
        smawk(R, C, values, arg, stack, stackValues, 0, 1, list.length, true, 0, columns, 0);
      }
    } else {
      values.fill(Infinity);
    }
    setLayerValues(R, values, list.length);
    argmins.push(arg);
    const t = C;
    C = R;
    R = t;
  }
  // Last layer, only at e = m: where does the last cluster start?
  const last = rows[k - 2]!;
  const bestPosition = lastLayer(sums.total, C, last.length);
  if (bestPosition < 0) return false; // no finite partition

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
 * The prefix sums (count, sum, sum of squares) at the group edges u = from …
 * to, the edge u being distinct value min(u·g, m), packed 3 per edge so that
 * the group-level DPs scan contiguous memory.
 */
function edgeSums(sums: PrefixSums, g: number, from: number, to: number): Float64Array {
  const out = new Float64Array(3 * (to - from + 1));
  sums.gather(out, 3, to - from + 1, null, from, g);
  return out;
}

/**
 * One forward layer of a group-level DP, by divide and conquer over the
 * monotone argmin (Wang & Song's O(n log n) method): for rows u in [lo, hi],
 * out[u − rowFrom] = min over columns s ∈ [from, to], s ≤ u, of
 * B[s − colFrom] + cost(edge s, edge u) (0 when s = u). R and C hold the edge
 * sums of the rows from rowFrom and of the columns from colFrom.
 */
function forwardSolve(
  R: Float64Array, rowFrom: number, C: Float64Array, colFrom: number, B: Float64Array, out: Float64Array,
  lo: number, hi: number, from: number, to: number,
): void {
  while (lo <= hi) {
    const u = (lo + hi) >> 1;
    const end = to < u ? to : u;
    const r = 3 * (u - rowFrom);
    const wu = R[r]!;
    const su = R[r + 1]!;
    const qu = R[r + 2]!;
    let best = from;
    let bestValue = Infinity;
    for (let s = from; s <= end; s++) {
      const a = 3 * (s - colFrom);
      const w = wu - C[a]!;
      let c = 0;
      if (w > 0) {
        const sum = su - C[a + 1]!;
        c = qu - C[a + 2]! - (sum * sum) / w;
        if (c < 0) c = 0;
      }
      const v = B[s - colFrom]! + c;
      if (v < bestValue) {
        bestValue = v;
        best = s;
      }
    }
    out[u - rowFrom] = bestValue;
    forwardSolve(R, rowFrom, C, colFrom, B, out, lo, u - 1, from, best);
    lo = u + 1;
    from = best;
  }
}

/**
 * The mirror image: for rows s in [lo, hi], out[s − rowFrom] = min over
 * columns q ∈ [from, to], q ≥ s, of cost(edge s, edge q) + B[q − colFrom].
 */
function backwardSolve(
  R: Float64Array, rowFrom: number, C: Float64Array, colFrom: number, B: Float64Array, out: Float64Array,
  lo: number, hi: number, from: number, to: number,
): void {
  while (lo <= hi) {
    const s = (lo + hi) >> 1;
    const start = from > s ? from : s;
    const r = 3 * (s - rowFrom);
    const ws = R[r]!;
    const ss = R[r + 1]!;
    const qs = R[r + 2]!;
    let best = start;
    let bestValue = Infinity;
    for (let q = start; q <= to; q++) {
      const a = 3 * (q - colFrom);
      const w = C[a]! - ws;
      let c = 0;
      if (w > 0) {
        const sum = C[a + 1]! - ss;
        c = C[a + 2]! - qs - (sum * sum) / w;
        if (c < 0) c = 0;
      }
      const v = B[q - colFrom]! + c;
      if (v < bestValue) {
        bestValue = v;
        best = q;
      }
    }
    out[s - rowFrom] = bestValue;
    backwardSolve(R, rowFrom, C, colFrom, B, out, s + 1, hi, best, to);
    hi = s - 1;
    to = best;
  }
}

/**
 * The pruning threshold: an upper bound UB ≥ OPT, the cost of the best
 * partition whose boundaries are group edges, plus a margin for roundoff
 * (costs are accurate to a few ulps of the total sum of squares; the margin
 * is about 10^6 times that). Not finite if the data overflow.
 */
function pruningLimit(data: WeightedValues, k: number, g: number): number {
  const m = data.m;
  const groups = Math.ceil(m / g);
  const E = edgeSums(data.sums, g, 0, groups);
  let upper = new Float64Array(groups + 1);
  for (let u = 1; u <= groups; u++) {
    const sum = E[3 * u + 1]!;
    const c = E[3 * u + 2]! - (sum * sum) / E[3 * u]!;
    upper[u] = c > 0 ? c : 0;
  }
  for (let c = 1; c < k - 1; c++) {
    const next = new Float64Array(groups + 1);
    forwardSolve(E, 0, E, 0, upper, next, 0, groups, 0, groups);
    upper = next;
  }
  // The last cluster ends at m: only the row u = groups.
  const last = new Float64Array(1);
  forwardSolve(E.subarray(3 * groups), groups, E, 0, upper, last, groups, groups, 0, groups);
  const ub = last[0]!;
  return ub + 1e-10 * (Math.abs(data.sums.total[2]!) + Math.abs(ub));
}

/**
 * The rows, given as runs per layer, that pass the bounds on a grid of
 * group size g (see the head of this file), or null if a layer has none left
 * (which cannot happen unless roundoff defeats the margin; the caller then
 * solves the DP without pruning).
 *
 * The bounds are a group-level DP whose states are limited to the group
 * edges of the rows that survived the coarser grids. Every row of every
 * optimal partition survived them, so the relaxation of every optimal
 * partition (the groups its boundaries cut removed) is still feasible, and
 * the restricted DP's values are still lower bounds at those rows, much
 * tighter than the coarser ones because fewer values are removed. Cost:
 * O(S log S) for S group edges under the surviving rows.
 */
function refineRuns(data: WeightedValues, k: number, runs: Uint32Array[], g: number, limit: number): Uint32Array[] | null {
  const sums = data.sums;
  const layers = k - 1;
  // Layer c's rows lie in groups lo[c] … hi[c]; edges[c] holds the sums at edges lo[c] … hi[c] + 1.
  const lo = new Int32Array(layers);
  const hi = new Int32Array(layers);
  const edges: Float64Array[] = [];
  let span = 0;
  for (let c = 0; c < layers; c++) {
    const list = runs[c]!;
    lo[c] = Math.floor(list[0]! / g);
    hi[c] = Math.floor((list[list.length - 1]! - 1) / g);
    edges.push(edgeSums(sums, g, lo[c]!, hi[c]! + 1));
    span = Math.max(span, hi[c]! - lo[c]! + 1 + list.length);
  }
  // Prefix bounds A_c[u], u in [lo_c, hi_c]: the first c + 1 clusters end at edge u.
  const prefix: Float64Array[] = [];
  let A = new Float64Array(hi[0]! - lo[0]! + 1);
  firstClusterCosts(edges[0]!, A);
  prefix.push(A);
  for (let c = 1; c < layers; c++) {
    // The next cluster starts at edge s, after a boundary at edge s or inside
    // group s − 1 (removed): B[s] = min(A[s], A[s − 1]).
    const from = lo[c - 1]!;
    const B = new Float64Array(A.length + 1);
    skipForward(A, B);
    const out = new Float64Array(hi[c]! - lo[c]! + 1);
    forwardSolve(edges[c]!, lo[c]!, edges[c - 1]!, from, B, out, lo[c]!, hi[c]!, from, from + B.length - 1);
    prefix.push(out);
    A = out;
  }
  // Suffix bounds D_c[s], s in [lo_c, hi_c + 1]: clusters c + 1 … k − 1 start at edge s.
  const suffix: Float64Array[] = new Array<Float64Array>(layers);
  let D = new Float64Array(edges[layers - 1]!.length / 3);
  lastClusterCosts(sums.total, edges[layers - 1]!, D);
  suffix[layers - 1] = D;
  for (let c = layers - 2; c >= 0; c--) {
    // Cluster c + 1 ends at edge q, before a boundary of layer c + 1 at edge q
    // or inside group q (removed): B[q] = min(D[q], D[q + 1]).
    const from = lo[c + 1]!;
    const B = new Float64Array(D.length);
    skipBackward(D, B);
    const out = new Float64Array(hi[c]! - lo[c]! + 2);
    backwardSolve(edges[c]!, lo[c]!, edges[c + 1]!, from, B, out, lo[c]!, hi[c]! + 1, from, from + B.length - 1);
    suffix[c] = out;
    D = out;
  }
  const refined: Uint32Array[] = [];
  const scratch = new Uint32Array(4 * span + 4);
  for (let c = 0; c < layers; c++) {
    const count = keptRuns(runs[c]!, prefix[c]!, suffix[c]!, lo[c]!, g, limit, scratch);
    if (count === 0) return null;
    refined.push(scratch.slice(0, count));
  }
  return refined;
}

/** out[i] = cost(0, edge i of E) (packed edge sums). */
function firstClusterCosts(E: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    const sum = E[3 * i + 1]!;
    const c = E[3 * i + 2]! - (sum * sum) / E[3 * i]!;
    out[i] = c > 0 ? c : 0; // NaN (0 / 0) at edge 0 becomes 0
  }
}

/** out[i] = cost(edge i of E, m) (packed edge sums; T: the sums at m). */
function lastClusterCosts(T: Float64Array, E: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    const w = T[0]! - E[3 * i]!;
    let c = 0;
    if (w > 0) {
      const sum = T[1]! - E[3 * i + 1]!;
      c = T[2]! - E[3 * i + 2]! - (sum * sum) / w;
      if (c < 0) c = 0;
    }
    out[i] = c;
  }
}

/** B[i] = min(A[i], A[i − 1]) for i = 0 … A.length (A[0] first, A[A.length − 1] alone at the end). */
function skipForward(A: Float64Array, B: Float64Array): void {
  for (let i = 0; i < B.length; i++) {
    const here = i < A.length ? A[i]! : Infinity;
    B[i] = i > 0 ? Math.min(here, A[i - 1]!) : here;
  }
}

/**
 * B[i] = min(D[i], D[i + 1]), and D[i] alone at the last i. That last term is
 * not the relaxation of any row, but an extra term only lowers a minimum; it
 * covers two boundaries inside the same group (an empty cluster between them).
 */
function skipBackward(D: Float64Array, B: Float64Array): void {
  for (let i = 0; i < B.length; i++) {
    const next = i + 1 < D.length ? D[i + 1]! : Infinity;
    B[i] = Math.min(D[i]!, next);
  }
}

/**
 * Write to `out` the runs of the rows of `list` (runs) whose bound
 * lf + lg ≤ limit, merging adjacent runs; returns the number of entries.
 * lf and lg are indexed by group edge − base.
 */
function keptRuns(
  list: Uint32Array, lf: Float64Array, lg: Float64Array, base: number, g: number, limit: number, out: Uint32Array,
): number {
  let count = 0;
  for (let i = 0; i < list.length; i += 2) {
    const start = list[i]!;
    const end = list[i + 1]!;
    for (let u = Math.floor(start / g); u * g < end; u++) {
      const edge = u * g;
      const prefixBound = lf[u - base]!;
      // Row u·g (a group edge): whole groups before u, from u after.
      const edgeKept = edge >= start && prefixBound + lg[u - base]! <= limit;
      // Rows strictly inside group u: group u removed, whole groups from u + 1 after.
      const from = Math.max(edge + 1, start);
      const to = Math.min(edge + g, end);
      const insideKept = from < to && prefixBound + lg[u - base + 1]! <= limit;
      if (edgeKept || insideKept) {
        const runStart = edgeKept ? edge : from;
        const runEnd = insideKept ? to : edge + 1;
        if (count > 0 && out[count - 1] === runStart) out[count - 1] = runEnd;
        else {
          out[count++] = runStart;
          out[count++] = runEnd;
        }
      }
    }
  }
  return count;
}
