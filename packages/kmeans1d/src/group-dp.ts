/**
 * The DP over groups of consecutive values that the pruning (pruning.ts)
 * takes its bounds from: the same cost as the optimal k-means DP (optimal.ts),
 * but its states are group edges — the distinct value u·g for groups of g
 * values — so a layer has m / g states instead of m. Each layer is solved by
 * divide and conquer over the monotone argmin (Wang & Song's O(n log n)
 * method), forward over prefixes and backward over suffixes, on the packed
 * prefix sums of the edges the caller needs.
 */

import type { PrefixSums } from './weighted.js';

/**
 * The prefix sums (count, sum, sum of squares) at the group edges u = from …
 * to, the edge u being distinct value min(u·g, m), packed 3 per edge so that
 * the group-level DPs scan contiguous memory.
 */
export function edgeSums(sums: PrefixSums, g: number, from: number, to: number): Float64Array {
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
export function forwardSolve(
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
export function backwardSolve(
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

/** out[i] = cost(0, edge i of E) (packed edge sums). */
export function firstClusterCosts(E: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    const sum = E[3 * i + 1]!;
    const c = E[3 * i + 2]! - (sum * sum) / E[3 * i]!;
    out[i] = c > 0 ? c : 0; // NaN (0 / 0) at edge 0 becomes 0
  }
}

/** out[i] = cost(edge i of E, m) (packed edge sums; T: the sums at m). */
export function lastClusterCosts(T: Float64Array, E: Float64Array, out: Float64Array): void {
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
export function skipForward(A: Float64Array, B: Float64Array): void {
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
export function skipBackward(D: Float64Array, B: Float64Array): void {
  for (let i = 0; i < B.length; i++) {
    const next = i + 1 < D.length ? D[i + 1]! : Infinity;
    B[i] = Math.min(D[i]!, next);
  }
}
