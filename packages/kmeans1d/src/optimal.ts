/**
 * Globally optimal 1-D k-means: dynamic programming over sorted, weighted
 * distinct values, each DP layer solved by divide and conquer or by SMAWK,
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
 * The parts, in the order a reader needs them:
 * - this file: the entry point — prune when the data are large enough, else
 *   (or if the pruning fails) run the DP on every row;
 * - `restricted-dp.ts`: the DP itself on a given set of rows per layer, each
 *   layer by divide and conquer over the monotone argmin, and backtracking;
 * - `smawk.ts`: SMAWK, the linear-time layer solver for layers of more than
 *   `DIVIDE_AND_CONQUER_ROWS` rows;
 * - `pruning.ts`: which rows can lie on an optimal partition (exact, not a
 *   heuristic), from lower and upper bounds computed by a DP over groups of
 *   consecutive values (`group-dp.ts`);
 * - `rows.ts`: a layer's rows as runs.
 *
 * Memory: the restricted DP keeps, per layer, its surviving rows and their
 * argmins (8 bytes per surviving row), and packs two layers (32 bytes per
 * row each); SMAWK needs 12 bytes per row of scratch. The bounds need about
 * 56 bytes per group edge visited. With no pruning at all that is
 * about 8 (k − 1) + 84 bytes per distinct value.
 */

import { viableRuns } from './pruning.js';
import { restrictedDp } from './restricted-dp.js';
import { allRuns, expandRuns } from './rows.js';
import type { WeightedValues } from './weighted.js';

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
