import type { Random } from '@seta/core';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float's bits mapped to an unsigned integer of the same order (negative values included). */
function orderedBits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b & 0x8000_0000 ? ~b >>> 0 : (b | 0x8000_0000) >>> 0;
}

/**
 * Positions of a batch sorted by loss, ascending, ties by position — through
 * one native numeric sort of packed keys (order-preserving loss bits · 2^20 +
 * position), no comparator. O(b log b). Batches up to 2^20 samples.
 */
export function sortedPositions(losses: Float32Array): Uint32Array {
  const b = losses.length;
  if (b > 1 << 20) throw new RangeError(`SCAN: batches of more than ${1 << 20} samples are not supported, got ${b}`);
  const keys = new Float64Array(b);
  for (let i = 0; i < b; i++) keys[i] = orderedBits(losses[i]!) * 1048576 + i;
  keys.sort();
  const out = new Uint32Array(b);
  for (let i = 0; i < b; i++) out[i] = keys[i]! % 1048576;
  return out;
}

/**
 * Combine one extreme set from two loss directions (ALGORITHMS.md §4):
 * `C = A ∩ B`; if `|C| < 0.9 · |A|`, add `|A| − |C|` positions drawn uniformly
 * from `(A ∪ B) \ C`. Sets are batch positions; returns a new array. O(b).
 */
export function combineDirections(a: Uint32Array, b: Uint32Array, batchSize: number, rng: Random): Uint32Array {
  if (a === b) return a;
  const mark = new Uint8Array(batchSize); // 1: in A, 2: in B, 3: both
  for (const p of a) mark[p]! |= 1;
  for (const p of b) mark[p]! |= 2;
  const both: number[] = [];
  const either: number[] = [];
  for (let p = 0; p < batchSize; p++) {
    const m = mark[p]!;
    if (m === 3) both.push(p);
    else if (m !== 0) either.push(p);
  }
  if (both.length >= 0.9 * a.length) return Uint32Array.from(both);
  const need = Math.min(a.length - both.length, either.length);
  // Partial Fisher–Yates over (A ∪ B) \ C.
  for (let i = 0; i < need; i++) {
    const j = i + rng.nextIntUnchecked(either.length - i);
    const t = either[i]!;
    either[i] = either[j]!;
    either[j] = t;
  }
  const out = new Uint32Array(both.length + need);
  out.set(both);
  for (let i = 0; i < need; i++) out[both.length + i] = either[i]!;
  return out;
}

/** Extreme sets of one direction: by ratio (top / bottom counts) or by absolute threshold. */
export interface ExtremeRule {
  /** Count of highest-loss positions, or null to use `maxLoss`. */
  readonly illCount: number | null;
  readonly maxLoss: number | null;
  readonly redCount: number | null;
  readonly minLoss: number | null;
}

/** `ill` (high-loss) and `red` (low-loss) positions of one direction. O(b log b). */
export function extremes(losses: Float32Array, rule: ExtremeRule): { ill: Uint32Array; red: Uint32Array } {
  const b = losses.length;
  let ill: Uint32Array;
  let red: Uint32Array;
  const sorted = rule.illCount !== null || rule.redCount !== null ? sortedPositions(losses) : null;
  if (rule.illCount !== null) ill = sorted!.slice(b - rule.illCount);
  else {
    const out: number[] = [];
    for (let p = 0; p < b; p++) if (losses[p]! > rule.maxLoss!) out.push(p);
    ill = Uint32Array.from(out);
  }
  if (rule.redCount !== null) red = sorted!.slice(0, rule.redCount);
  else {
    const out: number[] = [];
    for (let p = 0; p < b; p++) if (losses[p]! < rule.minLoss!) out.push(p);
    red = Uint32Array.from(out);
  }
  return { ill, red };
}
