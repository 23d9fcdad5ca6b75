import type { Random } from '@seta/core';

/** Reusable buffers, grown as needed, so that observing a batch allocates nothing. */
export class Scratch {
  values = new Float32Array(0);
  mark = new Uint8Array(0);
  out = new Uint32Array(0);
  rest = new Uint32Array(0);
  /** ill and red positions of each of the two directions. */
  sets: Uint32Array[] = [];
  ensure(b: number): void {
    if (this.values.length < b) {
      const size = Math.max(b, this.values.length * 2, 256);
      this.values = new Float32Array(size);
      this.mark = new Uint8Array(size);
      this.out = new Uint32Array(2 * size);
      this.rest = new Uint32Array(2 * size);
      this.sets = [0, 1, 2, 3].map(() => new Uint32Array(size));
    }
  }
}

/**
 * Partially sort a[lo … hi] so that a[k] holds the value it would have if
 * sorted, everything before it ≤ and everything after it ≥ (quickselect,
 * median-of-three pivot). The partition is Lomuto's in its branch-free form
 * — every element is swapped, the boundary advances by the comparison's
 * 0 or 1 — because on random losses the branches of Hoare's partition
 * mispredict about every other comparison. O(hi − lo) expected.
 */
function selectInPlace(a: Float32Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    const at = z === pivot ? hi : y === pivot ? mid : lo;
    a[at] = a[hi]!;
    a[hi] = pivot;
    let store = lo;
    for (let i = lo; i < hi; i++) {
      const v = a[i]!;
      a[i] = a[store]!;
      a[store] = v;
      store += (v < pivot) as unknown as number;
    }
    a[hi] = a[store]!;
    a[store] = pivot;
    if (k === store) return;
    if (k < store) hi = store - 1;
    else lo = store + 1;
  }
}

/** Positions of a batch sorted by loss, ascending, ties by position. O(b log b). For tests. */
export function sortedPositions(losses: Float32Array): Uint32Array {
  return Uint32Array.from({ length: losses.length }, (_, i) => i).sort((a, b) => losses[a]! - losses[b]! || a - b);
}

/** Extreme sets of one direction: by ratio (top / bottom counts) or by absolute threshold. */
export interface ExtremeRule {
  /** Count of highest-loss positions, or null to use `maxLoss`. */
  readonly illCount: number | null;
  readonly maxLoss: number | null;
  /** Count of lowest-loss positions, or null to use `minLoss`. */
  readonly redCount: number | null;
  readonly minLoss: number | null;
}

/** Positions whose loss passes an absolute threshold, ascending. */
function beyond(losses: Float32Array, threshold: number, above: boolean): Uint32Array {
  const out: number[] = [];
  for (let p = 0; p < losses.length; p++) if (above ? losses[p]! > threshold : losses[p]! < threshold) out.push(p);
  return Uint32Array.from(out);
}

/**
 * `ill` (highest-loss) and `red` (lowest-loss) positions of one direction,
 * each ascending; ties at a cut are broken by position, as a stable sort by
 * loss would (the lowest positions among equal losses at the low cut, the
 * highest at the high cut). O(b) expected: one quickselect per cut (the
 * second on the part above the first) and one branch-free scan.
 *
 * With a `scratch`, the results are views of its buffers for `direction`
 * (0 or 1), valid until the next call for that direction; without one, new
 * arrays.
 */
export function extremes(
  losses: Float32Array,
  rule: ExtremeRule,
  scratch?: Scratch,
  direction = 0,
): { ill: Uint32Array; red: Uint32Array } {
  const own = scratch === undefined;
  const s = scratch ?? new Scratch();
  const b = losses.length;
  s.ensure(b);
  const redCount = rule.redCount === null ? 0 : Math.min(rule.redCount, b);
  const illCount = rule.illCount === null ? 0 : Math.min(rule.illCount, b - redCount);
  const redOut = s.sets[2 * direction]!;
  const illOut = s.sets[2 * direction + 1]!;
  let mr = 0;
  let mi = 0;
  if (redCount > 0 || illCount > 0) {
    const work = s.values;
    work.set(losses);
    let low = Number.NEGATIVE_INFINITY; // take v < low, and the first tiesLow of v === low
    let tiesLow = 0;
    if (redCount > 0) {
      selectInPlace(work, 0, b - 1, redCount - 1);
      low = work[redCount - 1]!;
      let below = 0;
      for (let i = 0; i < redCount; i++) below += (work[i]! < low) as unknown as number;
      tiesLow = redCount - below;
    }
    let high = Number.POSITIVE_INFINITY; // take v > high, and the last tiesHigh of v === high
    let skipHigh = 0; // ties at high before the ones taken
    if (illCount > 0) {
      selectInPlace(work, redCount, b - 1, b - illCount);
      high = work[b - illCount]!;
      let above = 0;
      let equal = 0;
      for (let i = 0; i < b; i++) {
        const v = work[i]!;
        above += (v > high) as unknown as number;
        equal += (v === high) as unknown as number;
      }
      skipHigh = equal - (illCount - above);
    }
    for (let p = 0; p < b; p++) {
      const v = losses[p]!;
      const lowTie = ((v === low) as unknown as number) & (tiesLow > 0 ? 1 : 0);
      redOut[mr] = p;
      mr += ((v < low) as unknown as number) | lowTie;
      tiesLow -= lowTie;
      const highTie = (v === high) as unknown as number;
      const skip = highTie & (skipHigh > 0 ? 1 : 0);
      illOut[mi] = p;
      mi += ((v > high) as unknown as number) | (highTie & (skip ^ 1));
      skipHigh -= skip;
    }
  }
  let red = redOut.subarray(0, mr);
  let ill = illOut.subarray(0, mi);
  if (rule.redCount === null) red = beyond(losses, rule.minLoss!, false);
  if (rule.illCount === null) ill = beyond(losses, rule.maxLoss!, true);
  return own ? { ill: ill.slice(), red: red.slice() } : { ill, red };
}

/**
 * Combine one extreme set from two loss directions (ALGORITHMS.md §4):
 * `C = A ∩ B`; if `|C| < 0.9 · |A|`, add `|A| − |C|` positions drawn uniformly
 * from `(A ∪ B) \ C`. Sets are batch positions. Returns a new array, or with
 * a `scratch` a view of its buffer, valid until the next call. O(b).
 */
export function combineDirections(a: Uint32Array, b: Uint32Array, batchSize: number, rng: Random, scratch?: Scratch): Uint32Array {
  if (a === b) return a;
  const own = scratch === undefined;
  const s = scratch ?? new Scratch();
  s.ensure(batchSize);
  const mark = s.mark; // 1: in A, 2: in B, 3: both
  const out = s.out; // C (in A's order), then the fill
  const rest = s.rest; // (A ∪ B) \ C
  for (let i = 0; i < a.length; i++) mark[a[i]!]! |= 1;
  for (let i = 0; i < b.length; i++) mark[b[i]!]! |= 2;
  let both = 0;
  let either = 0;
  // Branch-free: write every position to both lists, advance the one it belongs to.
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const inBoth = mark[p]! >>> 1;
    out[both] = p;
    rest[either] = p;
    both += inBoth;
    either += inBoth ^ 1;
  }
  for (let i = 0; i < b.length; i++) {
    const p = b[i]!;
    rest[either] = p;
    either += (mark[p]! & 1) ^ 1;
  }
  for (let i = 0; i < a.length; i++) mark[a[i]!] = 0;
  for (let i = 0; i < b.length; i++) mark[b[i]!] = 0;
  let size = both;
  if (both < 0.9 * a.length) {
    const need = Math.min(a.length - both, either);
    // Partial Fisher–Yates over (A ∪ B) \ C.
    for (let i = 0; i < need; i++) {
      const j = i + rng.nextIntUnchecked(either - i);
      const t = rest[i]!;
      rest[i] = rest[j]!;
      rest[j] = t;
      out[both + i] = rest[i]!;
    }
    size = both + need;
  }
  return own ? out.slice(0, size) : out.subarray(0, size);
}
