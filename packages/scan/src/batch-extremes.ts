import type { Random } from '@seta/core';

/** Reusable buffers, grown as needed, so that observing a batch allocates little. */
export class Scratch {
  values = new Float32Array(0);
  mark = new Uint8Array(0);
  out = new Uint32Array(0);
  rest = new Uint32Array(0);
  ensure(b: number): void {
    if (this.values.length < b) {
      const size = Math.max(b, this.values.length * 2, 256);
      this.values = new Float32Array(size);
      this.mark = new Uint8Array(size);
      this.out = new Uint32Array(2 * size);
      this.rest = new Uint32Array(2 * size);
    }
  }
}

/**
 * Partially sort a[lo … hi] (Hoare's quickselect, median-of-three pivot) so
 * that a[k] holds the value it would have if sorted. O(hi − lo) expected.
 */
function selectInPlace(a: Float32Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
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

/** The `c` lowest-loss positions, ascending; among equal losses at the cut the lowest positions. */
function lowest(losses: Float32Array, c: number, scratch: Scratch): Uint32Array {
  const b = losses.length;
  const work = scratch.values;
  work.set(losses);
  selectInPlace(work, 0, b - 1, c - 1);
  const cut = work[c - 1]!;
  let below = 0;
  for (let i = 0; i < c; i++) if (work[i]! < cut) below++;
  let equal = c - below; // positions with loss === cut to take, from the front
  const out = new Uint32Array(c);
  let m = 0;
  for (let p = 0; p < b; p++) {
    const v = losses[p]!;
    if (v < cut || (v === cut && equal-- > 0)) out[m++] = p;
  }
  return out;
}

/** The `c` highest-loss positions, ascending; among equal losses at the cut the highest positions. */
function highest(losses: Float32Array, c: number, scratch: Scratch): Uint32Array {
  const b = losses.length;
  const work = scratch.values;
  work.set(losses);
  selectInPlace(work, 0, b - 1, b - c);
  const cut = work[b - c]!;
  let above = 0;
  for (let i = b - c; i < b; i++) if (work[i]! > cut) above++;
  let equal = c - above; // positions with loss === cut to take, from the back
  const out = new Uint32Array(c);
  let m = c;
  for (let p = b - 1; p >= 0; p--) {
    const v = losses[p]!;
    if (v > cut || (v === cut && equal-- > 0)) out[--m] = p;
  }
  return out;
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
 * loss would. O(b) expected: one quickselect per cut and a scan.
 */
export function extremes(losses: Float32Array, rule: ExtremeRule, scratch = new Scratch()): { ill: Uint32Array; red: Uint32Array } {
  scratch.ensure(losses.length);
  const red =
    rule.redCount === null ? beyond(losses, rule.minLoss!, false) : rule.redCount === 0 ? new Uint32Array(0) : lowest(losses, rule.redCount, scratch);
  const ill =
    rule.illCount === null ? beyond(losses, rule.maxLoss!, true) : rule.illCount === 0 ? new Uint32Array(0) : highest(losses, rule.illCount, scratch);
  return { ill, red };
}

/**
 * Combine one extreme set from two loss directions (ALGORITHMS.md §4):
 * `C = A ∩ B`; if `|C| < 0.9 · |A|`, add `|A| − |C|` positions drawn uniformly
 * from `(A ∪ B) \ C`. Sets are batch positions; returns a new array. O(b).
 */
export function combineDirections(a: Uint32Array, b: Uint32Array, batchSize: number, rng: Random, scratch = new Scratch()): Uint32Array {
  if (a === b) return a;
  scratch.ensure(batchSize);
  const mark = scratch.mark; // 1: in A, 2: in B, 3: both
  const out = scratch.out; // C (in A's order), then the fill
  const rest = scratch.rest; // (A ∪ B) \ C
  for (let i = 0; i < a.length; i++) mark[a[i]!]! |= 1;
  for (let i = 0; i < b.length; i++) mark[b[i]!]! |= 2;
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    if (mark[p] === 3) out[both++] = p;
    else rest[either++] = p;
  }
  for (let i = 0; i < b.length; i++) {
    const p = b[i]!;
    if (mark[p] !== 3) rest[either++] = p;
  }
  for (let i = 0; i < a.length; i++) mark[a[i]!] = 0;
  for (let i = 0; i < b.length; i++) mark[b[i]!] = 0;
  if (both >= 0.9 * a.length) return out.slice(0, both);
  const need = Math.min(a.length - both, either);
  // Partial Fisher–Yates over (A ∪ B) \ C.
  for (let i = 0; i < need; i++) {
    const j = i + rng.nextIntUnchecked(either - i);
    const t = rest[i]!;
    rest[i] = rest[j]!;
    rest[j] = t;
    out[both + i] = rest[i]!;
  }
  return out.slice(0, both + need);
}
