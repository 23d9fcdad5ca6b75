import type { Random } from '@seta/core';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const POSITION_RANGE = 1048576; // 2^20: batches up to this size

/** The float's bits mapped to an unsigned integer of the same order (negative values included). */
function orderedBits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b & 0x8000_0000 ? ~b >>> 0 : (b | 0x8000_0000) >>> 0;
}

/** Reusable buffers, grown as needed, so that observing a batch allocates almost nothing. */
export class Scratch {
  keys = new Float64Array(0);
  work = new Float64Array(0);
  mark = new Uint8Array(0);
  ensure(b: number): void {
    if (this.keys.length < b) {
      const size = Math.max(b, this.keys.length * 2, 256);
      this.keys = new Float64Array(size);
      this.work = new Float64Array(size);
      this.mark = new Uint8Array(size);
    }
  }
}

/**
 * Unique sort keys of a batch: order-preserving loss bits · 2^20 + position,
 * so that ties are broken by position and every key is distinct.
 */
function buildKeys(losses: Float32Array, keys: Float64Array): void {
  const b = losses.length;
  if (b > POSITION_RANGE) throw new RangeError(`SCAN: batches of more than ${POSITION_RANGE} samples are not supported, got ${b}`);
  for (let i = 0; i < b; i++) keys[i] = orderedBits(losses[i]!) * POSITION_RANGE + i;
}

/** The k-th smallest (0-based) of a[0 … n-1], by Hoare's quickselect with a median-of-three pivot; reorders a. O(n) expected. */
function kthSmallest(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
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
    else return a[k]!;
  }
  return a[k]!;
}

/** Positions of a batch sorted by loss, ascending, ties by position. O(b log b). For tests and callers needing the full order. */
export function sortedPositions(losses: Float32Array): Uint32Array {
  const keys = new Float64Array(losses.length);
  buildKeys(losses, keys);
  keys.sort();
  return Uint32Array.from(keys, (k) => k % POSITION_RANGE);
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

/**
 * `ill` (highest-loss) and `red` (lowest-loss) positions of one direction,
 * each ascending by position; ties at a cut are broken by position. O(b).
 */
export function extremes(losses: Float32Array, rule: ExtremeRule, scratch = new Scratch()): { ill: Uint32Array; red: Uint32Array } {
  const b = losses.length;
  scratch.ensure(b);
  const keys = scratch.keys;
  const work = scratch.work;
  const needKeys = (rule.illCount !== null && rule.illCount > 0) || (rule.redCount !== null && rule.redCount > 0);
  if (needKeys) buildKeys(losses, keys);
  const collect = (take: (p: number) => boolean, count: number) => {
    const out = new Uint32Array(count);
    let m = 0;
    for (let p = 0; p < b && m < count; p++) if (take(p)) out[m++] = p;
    return m === count ? out : out.slice(0, m);
  };
  let ill: Uint32Array;
  if (rule.illCount !== null) {
    const c = rule.illCount;
    if (c === 0) ill = new Uint32Array(0);
    else {
      work.set(keys.subarray(0, b));
      const cut = kthSmallest(work, b, b - c); // the smallest key of the top c
      ill = collect((p) => keys[p]! >= cut, c);
    }
  } else {
    const max = rule.maxLoss!;
    let c = 0;
    for (let p = 0; p < b; p++) if (losses[p]! > max) c++;
    ill = collect((p) => losses[p]! > max, c);
  }
  let red: Uint32Array;
  if (rule.redCount !== null) {
    const c = rule.redCount;
    if (c === 0) red = new Uint32Array(0);
    else {
      work.set(keys.subarray(0, b));
      const cut = kthSmallest(work, b, c - 1); // the largest key of the bottom c
      red = collect((p) => keys[p]! <= cut, c);
    }
  } else {
    const min = rule.minLoss!;
    let c = 0;
    for (let p = 0; p < b; p++) if (losses[p]! < min) c++;
    red = collect((p) => losses[p]! < min, c);
  }
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
  for (const p of a) mark[p]! |= 1;
  for (const p of b) mark[p]! |= 2;
  const out = new Uint32Array(a.length + b.length); // C (in A's order), then the fill
  const rest = new Uint32Array(a.length + b.length); // (A ∪ B) \ C
  let both = 0;
  let either = 0;
  for (const p of a) {
    if (mark[p] === 3) out[both++] = p;
    else rest[either++] = p;
  }
  for (const p of b) if (mark[p] !== 3) rest[either++] = p;
  for (const p of a) mark[p] = 0;
  for (const p of b) mark[p] = 0;
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
