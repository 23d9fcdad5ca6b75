/**
 * The rows of the optimal k-means DP (optimal.ts) that a layer visits, as
 * runs: layer j's rows are the prefix ends e it may take, listed as pairs
 * [start, end) in ascending order. Runs keep the pruning's output small; the
 * DP takes them expanded into a list of rows.
 */

/** Layer j may end its prefix at e ∈ [j + 1, m − k + j + 1]: every row, as one run per layer. */
export function allRuns(m: number, k: number): Uint32Array[] {
  const runs: Uint32Array[] = [];
  for (let j = 0; j <= k - 2; j++) runs.push(Uint32Array.of(j + 1, m - k + j + 2));
  return runs;
}

/** The rows of runs [start, end) given as pairs, ascending. */
export function expandRuns(runs: Uint32Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < runs.length; i += 2) count += runs[i + 1]! - runs[i]!;
  const rows = new Uint32Array(count);
  let p = 0;
  for (let i = 0; i < runs.length; i += 2) for (let e = runs[i]!; e < runs[i + 1]!; e++) rows[p++] = e;
  return rows;
}
