/**
 * Sorted values as distinct values with multiplicities, and the prefix sums
 * that give the cost of any run of them in O(1) once gathered.
 *
 * Equal values always share a cluster (an optimal partition never needs to
 * split a tie: moving every copy to the side of the nearer mean never
 * increases the cost), so the algorithms work on the `m ≤ n` distinct values,
 * each weighted by its count.
 *
 * The prefix sums are kept sparse: the running compensated sums are stored
 * only every {@link CHECKPOINT} distinct values, and the sums at any other
 * position are recomputed from the checkpoint before it with the very same
 * additions, so they are bit for bit what a dense table would hold. The
 * algorithms read them at ascending positions (the DP's rows, the pruning
 * bounds' group edges), a few percent of the values on typical data, so
 * this costs little time and saves 24 bytes per distinct value — most of
 * the memory of a call, and, on a machine where first touching memory is
 * slow, most of the time of the first call.
 */

import { chunkEnd } from './chunked-loops.js';
import { notFiniteError } from './validate.js';
import type { Kmeans1dWorkspace } from './workspace.js';

/** log2 of the checkpoint spacing. */
const CHECKPOINT_BITS = 5;
/** The running sums are stored every this many distinct values (a walk from one costs at most this many additions). */
export const CHECKPOINT = 1 << CHECKPOINT_BITS;

/** Distinct sorted values, where each one's run ends in the sorted input, and prefix sums over them. */
export interface WeightedValues {
  /** Number of input values, counting repeats. */
  readonly n: number;
  /** Number of distinct values. */
  readonly m: number;
  /** The distinct values, ascending (length `m`); a Float32Array when the input was one (exact, half the memory). */
  readonly values: Float32Array | Float64Array;
  /**
   * `ends[p]`: how many input values are ≤ `values[p]` — the exclusive end of
   * that value's run in the sorted input (length `m`). Distinct value `p`
   * occurs `ends[p] − ends[p − 1]` times.
   */
  readonly ends: Uint32Array;
  /** Subtracted from every value before the sums of x and x² (the median), to limit cancellation. */
  readonly shift: number;
  /** The prefix sums over the distinct values. */
  readonly sums: PrefixSums;
}

/**
 * Prefix sums over the first `p` distinct values (Wang & Song's cumulative
 * sums): W_p, the number of input values among them; S_p, the sum of their
 * `x − shift`; Q_p, the sum of their `(x − shift)²` (0 unless requested).
 * The sums are compensated (TwoSum), so each is within about one rounding of
 * the exact prefix however long the input.
 */
export class PrefixSums {
  /** (W, S, Q) at p = m: the totals. */
  readonly total: Float64Array;

  /**
   * @param checkpoints - the running state (sum, its compensation, sum of
   * squares, its compensation) before distinct value c · CHECKPOINT, 4 per c.
   */
  constructor(
    private readonly data: { readonly m: number; readonly values: Float32Array | Float64Array; readonly ends: Uint32Array; readonly shift: number },
    private readonly squares: boolean,
    private readonly checkpoints: Float64Array,
  ) {
    this.total = new Float64Array(3);
    this.at(data.m, this.total);
  }

  /**
   * Write (W, S, Q) at the positions pos(r), r = 0 … count − 1, to
   * out[r · stride], out[r · stride + 1] and out[r · stride + 2] (the other
   * slots are left alone). pos(r) is `positions[r]` if `positions` is given,
   * else min((from + r) · g, m). Each sum is walked to from the previous
   * position or from the checkpoint before it, so ascending positions cost
   * least; any order gives the same sums.
   */
  gather(out: Float64Array, stride: number, count: number, positions: Uint32Array | null, from: number, g: number): void {
    const { m, values, ends, shift } = this.data;
    walkSums(values, ends, shift, this.squares, this.checkpoints, m, out, 0, stride, count, positions, from, g);
  }

  /** (W, S, Q) at position p (0 ≤ p ≤ m) into out[o … o + 2]. */
  at(p: number, out: Float64Array, o = 0): void {
    const { m, values, ends, shift } = this.data;
    walkSums(values, ends, shift, this.squares, this.checkpoints, m, out, o, 3, 1, null, p, 1);
  }
}

/** The running state of a walk in {@link walkSums} (calls are synchronous, so one serves every walk). */
const walk = new Float64Array(4);

/**
 * The loop of {@link PrefixSums.gather}, in a function of its own (see
 * chunked-loops.ts). The sums come from {@link advance}, as the
 * checkpoints did.
 */
function walkSums(
  values: Float32Array | Float64Array,
  ends: Uint32Array,
  shift: number,
  squares: boolean,
  checkpoints: Float64Array,
  m: number,
  out: Float64Array,
  offset: number,
  stride: number,
  count: number,
  positions: Uint32Array | null,
  from: number,
  g: number,
): void {
  let at = -1; // the position the running sums in `walk` belong to (none yet)
  for (let r = 0, o = offset; r < count; r++, o += stride) {
    let p = positions === null ? (from + r) * g : positions[r]!;
    if (p > m) p = m;
    // Continue from where we are unless p is behind it or a checkpoint lies between.
    const c = Math.floor(p / CHECKPOINT);
    if (p < at || c * CHECKPOINT > at) {
      at = c * CHECKPOINT;
      walk[0] = checkpoints[4 * c]!;
      walk[1] = checkpoints[4 * c + 1]!;
      walk[2] = checkpoints[4 * c + 2]!;
      walk[3] = checkpoints[4 * c + 3]!;
    }
    if (at < p) {
      advance(values, ends, shift, squares, walk, at, p, null);
      at = p;
    }
    out[o] = p > 0 ? ends[p - 1]! : 0;
    out[o + 1] = walk[0]! + walk[1]!;
    out[o + 2] = squares ? walk[2]! + walk[3]! : 0;
  }
}

/**
 * Advance the compensated running sums `state` (sum of `count · (x − shift)`,
 * its compensation, sum of `count · (x − shift)²`, its compensation) over
 * distinct values from … to − 1. With `checkpoints`, the state before each
 * value whose index is a multiple of {@link CHECKPOINT} is stored there
 * first. The one place where the prefix sums' arithmetic lives: the
 * checkpoints and every sum walked to from them come from it, so they agree
 * bit for bit.
 *
 * Each addition's rounding error is recovered exactly by TwoSum (Knuth,
 * TAOCP vol. 2, §4.2.2): the same error as Neumaier's (1974) branch on the
 * larger term, without the branch; the stored sums are within about one
 * rounding of the exact prefix however long the input.
 */
function advance(
  values: Float32Array | Float64Array,
  ends: Uint32Array,
  shift: number,
  squares: boolean,
  state: Float64Array,
  from: number,
  to: number,
  checkpoints: Float64Array | null,
): void {
  let sum = state[0]!;
  let sumC = state[1]!;
  let sq = state[2]!;
  let sqC = state[3]!;
  for (let q = from; q < to; q++) {
    if (checkpoints !== null && (q & (CHECKPOINT - 1)) === 0) {
      const c = 4 * (q >>> CHECKPOINT_BITS);
      checkpoints[c] = sum;
      checkpoints[c + 1] = sumC;
      checkpoints[c + 2] = sq;
      checkpoints[c + 3] = sqC;
    }
    const d = values[q]! - shift;
    const x = (ends[q]! - (q > 0 ? ends[q - 1]! : 0)) * d;
    let t = sum + x;
    let back = t - sum;
    sumC += sum - (t - back) + (x - back);
    sum = t;
    if (squares) {
      const y = x * d;
      t = sq + y;
      back = t - sq;
      sqC += sq - (t - back) + (y - back);
      sq = t;
    }
  }
  state[0] = sum;
  state[1] = sumC;
  state[2] = sq;
  state[3] = sqC;
}

/**
 * Group sorted values into distinct values with the ends of their runs, and
 * build the checkpoints of the compensated prefix sums. O(n) time; 8m bytes
 * for the values and ends (none for the values when `inPlace`, none for the
 * ends when given `spare`), and 32 bytes per {@link CHECKPOINT} distinct
 * values.
 *
 * @param sorted - finite values, ascending (checked by `checkSorted` beforehand or sorted by us).
 * @param squares - whether the sums of squares are wanted (the optimal method needs them, Lloyd does not).
 * @param workspace - where to take the arrays from, if given (their contents are overwritten).
 * @param inPlace - the distinct values may overwrite `sorted` (our own sorted copy, never the caller's input).
 * @param spare - memory of at least `sorted.length` words that the ends may take (the sort's second buffer).
 */
export function weightedValues(
  sorted: ArrayLike<number>,
  squares: boolean,
  workspace?: Kmeans1dWorkspace,
  inPlace = false,
  spare: Uint32Array | null = null,
): WeightedValues {
  const n = sorted.length;
  // With a workspace or in place, room for n distinct values costs nothing extra: skip counting them first.
  let m = n;
  if (workspace === undefined && !inPlace) {
    m = n > 0 ? 1 : 0;
    for (let from = 1, to = 1; from < n; from = to) {
      to = chunkEnd(from, n);
      m += distinctCount(sorted, from, to);
    }
  }
  let values: Float32Array | Float64Array;
  if (inPlace && (sorted instanceof Float32Array || sorted instanceof Float64Array)) values = sorted;
  else if (sorted instanceof Float32Array) values = workspace?.float32('values', m, workspace.reserved) ?? new Float32Array(m);
  else values = workspace?.float64('values', m, workspace.reserved) ?? new Float64Array(m);
  let ends = spare !== null && spare.length >= m ? spare : (workspace?.uint32('ends', m, workspace.reserved) ?? new Uint32Array(m));
  const spaced = (count: number) => 4 * (Math.floor(count / CHECKPOINT) + 1);
  let checkpoints = workspace?.float64('checkpoints', spaced(m), spaced(workspace.reserved)) ?? new Float64Array(spaced(m));
  const shift = n > 0 ? sorted[n >> 1]! + 0 : 0; // + 0 turns -0 into 0
  // Group (running state across chunks: p and i), then the sums' checkpoints.
  const at = new Uint32Array(2);
  while (at[1]! < n) fillGrouped(sorted, n, values, ends, at, chunkEnd(at[1]!, n));
  m = at[0]!;
  if (values.length !== m) values = values.subarray(0, m);
  if (ends.length !== m) ends = ends.subarray(0, m);
  if (checkpoints.length !== spaced(m)) checkpoints = checkpoints.subarray(0, spaced(m));
  const state = new Float64Array(4);
  for (let from = 0, to = 0; from < m; from = to) {
    to = chunkEnd(from, m);
    advance(values, ends, shift, squares, state, from, to, checkpoints);
  }
  if (m % CHECKPOINT === 0) checkpoints.set(state, 4 * (m / CHECKPOINT)); // the state at m itself
  const data = { n, m, values, ends, shift };
  return { ...data, sums: new PrefixSums(data, squares, checkpoints) };
}

/**
 * How many of sorted[from … to − 1] differ from their predecessor. (Loops sit in
 * small functions that do nothing before their loop, so that V8 optimizes
 * them with complete type feedback: see chunked-loops.ts.)
 */
function distinctCount(sorted: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) if (sorted[i] !== sorted[i - 1]) m++;
  return m;
}

/**
 * Fill the distinct values and the ends of their runs (see
 * {@link WeightedValues}) for the runs of equal values that start before
 * `stop`, continuing from `at` (p, i) and updating it. `values` may be
 * `sorted` itself: value p is written at p ≤ i, after everything before i
 * was read. Chunked: see `chunkEnd` in chunked-loops.ts.
 */
function fillGrouped(
  sorted: ArrayLike<number>,
  n: number,
  values: Float32Array | Float64Array,
  ends: Uint32Array,
  at: Uint32Array,
  stop: number,
): void {
  let p = at[0]! | 0; // integers (| 0 keeps them int32 for V8)
  let i = at[1]! | 0;
  const end = stop < n ? stop : n;
  while (i < end) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    values[p] = v + 0;
    ends[p] = j;
    p++;
    i = j;
  }
  at[0] = p;
  at[1] = i;
}

/**
 * Throws unless `values` are finite and ascending (ties allowed). O(n), no
 * allocation: this is the "cheap validation" of `kmeans1dSorted`.
 *
 * @throws RangeError naming the first offending index.
 */
export function checkSortedFinite(values: ArrayLike<number>, fn: string, name: string): void {
  const n = values.length;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || v - v !== 0) throw notFiniteError(fn, name, i, v);
    if (v < previous) {
      throw new RangeError(
        `${fn}: ${name} must be sorted ascending, got ${name}[${i - 1}] = ${previous} > ${name}[${i}] = ${v}`,
      );
    }
    previous = v;
  }
}
