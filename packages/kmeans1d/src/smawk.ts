/**
 * SMAWK (A. Aggarwal, M. Klawe, S. Moran, P. Shor and R. Wilber, "Geometric
 * applications of a matrix-searching algorithm", Algorithmica 2, 1987,
 * 195–208): the leftmost minimum of every row of a totally monotone matrix in
 * O(rows + columns) evaluations of its entries. Grønlund et al. (2017) show
 * that each layer of the optimal k-means DP is such a matrix, which makes the
 * DP O(k m); `restricted-dp.ts` uses it for layers of more than
 * `DIVIDE_AND_CONQUER_ROWS` rows (optimal.ts), and the simpler divide and
 * conquer below that.
 *
 * The matrix is never built: an entry is computed from the packed layers
 * (`packRows` in restricted-dp.ts) when SMAWK asks for it.
 */

/**
 * M[r][c] = F(column c) + cost(column c's end, row r's end), +∞ when the
 * cluster would be empty (prefix counts increase strictly, so t ≥ e exactly
 * when W_t ≥ W_e). Same operations, in the same order, as every other cost
 * evaluation in restricted-dp.ts (`solveLayer`, `lastLayer`), so each
 * solver finds the same minima bit for bit.
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
export function smawk(
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
