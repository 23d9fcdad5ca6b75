/**
 * Which rows of the optimal k-means DP (optimal.ts, whose notation this file
 * uses) can lie on an optimal partition.
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
 */

import { backwardSolve, edgeSums, firstClusterCosts, forwardSolve, lastClusterCosts, skipBackward, skipForward } from './group-dp.js';
import { allRuns } from './rows.js';
import type { WeightedValues } from './weighted.js';

/**
 * The rows that can lie on an optimal partition, as runs per layer: bounds
 * on a grid of groups of g values, then on grids 4, 16, … times finer, each
 * restricted to the rows the previous one kept, for as long as that pays
 * (the bounds still remove rows, and a finer grid costs less than the DP
 * rows it may save). Null if the bounds are unusable.
 */
export function viableRuns(data: WeightedValues, k: number, groupSize: number): Uint32Array[] | null {
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
