/**
 * The optimal k-means DP (Wang & Song's recurrence, see optimal.ts) on given
 * rows only: F_j[e] for the rows e of layer j that the pruning kept (or every
 * row), each layer's columns being the previous layer's rows. Restricting the
 * DP this way computes, at the rows of every optimal partition, exactly the
 * unrestricted values (pruning.ts says why they are always kept), so the
 * partition found is a global optimum.
 *
 * Each layer is solved by divide and conquer over the monotone argmin when it
 * has at most `divideAndConquerRows` rows (O(C log R) cost evaluations for R
 * rows and C columns, but independent ones, which pipeline well), by SMAWK
 * (smawk.ts, O(R + C), each evaluation waiting for the previous one)
 * otherwise. Both return each row's leftmost minimum.
 */

import type { PrefixSums, WeightedValues } from './weighted.js';
import { smawk } from './smawk.js';

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
 * Row minima of the packed layer matrix (see `entry` in smawk.ts) for rows
 * lo … hi, the minimum of each row among columns from … min(to, limit[r] − 1),
 * by divide and conquer over the monotone leftmost argmin. `limit[r]` is the number of
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
export function restrictedDp(
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
