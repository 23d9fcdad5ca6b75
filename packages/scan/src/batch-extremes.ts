import type { Random } from '@seta/core';
import { wasmKernelsEnabled } from '@seta/core';
import { BOUNDS, Classifier, STEPS } from './wasm-classify.js';

/*
 * SCAN's per-batch candidate sets (docs/methods/scan.md): the lowest-loss
 * ("redundant") and highest-loss ("ill-matched") positions of a batch in
 * each loss direction, and their combination across the two directions.
 *
 * Sets of batch positions are bit masks, one bit per position in 32-bit
 * words: building, intersecting and counting them is word-wide, and only
 * the few positions that need a decision one by one — the losses near a
 * cut, the positions the fill draws from — are visited singly. On this
 * machine a pass that looks at every loss costs ~6 ns per loss in V8
 * whatever it does, so the aim is to make one such pass per direction.
 */

/** `x` as 0 or 1: V8 compiles `| 0` on a comparison to a plain integer, unlike `+` on a boolean. */
const bit = (x: boolean): number => (x as unknown as number) | 0;

/** Set bits of a 32-bit word (SWAR). */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Index of the lowest set bit of a non-zero word. */
export const lowestBit = (x: number): number => 31 - Math.clz32(x & -x);

if (BOUNDS !== 5) throw new Error('batch-extremes.ts: classifyLosses is written out for BOUNDS = 5');

/** Losses per bracket that {@link bracketedCuts} aims for: wide enough that the next batch's cut falls inside almost always. */
const BRACKET_TARGET = 48;
/** Weight of a batch's cut in the moving average that centres the next batch's bracket. */
const CENTRE_WEIGHT = 0.25;

/** Reusable buffers, grown as needed, so that observing a batch allocates nothing. */
export class Scratch {
  /** Capacity in positions (a multiple of 32). */
  size = 0;
  /** The red and ill masks of each direction d: masks[2·d] and masks[2·d + 1]. */
  masks: Int32Array[] = [];
  /** Where {@link bracketedCuts} has the JavaScript pass put its bounds, masks and their counts (see {@link classifyLosses}). */
  bounds = new Float32Array(2 * BOUNDS);
  stepMasks: Int32Array[] = [];
  stepCounts = new Int32Array(2 * BOUNDS);
  /** The working copy of a batch's losses, and the losses inside each bracket. */
  values = new Float32Array(0);
  midLow = new Float32Array(0);
  midHigh = new Float32Array(0);
  /** The combined set, and the positions the fill draws from. */
  out = new Int32Array(0);
  rest = new Uint32Array(0);
  /**
   * Per direction d, at 4·d: the half-widths of the low and the high
   * bracket (0: none yet), and their centres, moving averages of the
   * batches' low and high cuts — guesses that decide only how fast a batch
   * goes, never its result.
   */
  guess = new Float64Array(8);
  /** Batches (per direction) whose cuts came from the brackets, and from the general path: for tests. */
  bracketed = 0;
  general = 0;
  /** The cuts of the current batch: take v < low and the first tiesLow of v === low; v > high and the v === high after the first skipHigh. */
  low = 0;
  tiesLow = 0;
  high = 0;
  skipHigh = 0;

  /** The WebAssembly classification pass for batches up to `size`, when it can run (see {@link classifier}). */
  private kernel: Classifier | null = null;
  /** The capacity a kernel was last asked for (0: not yet), so that a failure is not retried for every batch. */
  private kernelTried = 0;

  /** The WebAssembly classification pass for this scratch's size, or null: kernels turned off, or unavailable. */
  classifier(): Classifier | null {
    if (!wasmKernelsEnabled()) return null;
    if (this.kernelTried !== this.size) {
      this.kernelTried = this.size;
      this.kernel = Classifier.create(this.size);
    }
    return this.kernel;
  }

  ensure(b: number): void {
    if (this.size >= b) return;
    const size = (Math.max(b, 2 * this.size, 256) + 31) & ~31;
    const words = size >>> 5;
    this.size = size;
    this.masks = [0, 1, 2, 3].map(() => new Int32Array(words));
    this.stepMasks = Array.from({ length: 2 * BOUNDS }, () => new Int32Array(words));
    this.values = new Float32Array(size);
    this.midLow = new Float32Array(size);
    this.midHigh = new Float32Array(size);
    this.out = new Int32Array(words);
    this.rest = new Uint32Array(size);
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
      store += bit(v < pivot);
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

/**
 * The cuts of one batch the general way: quickselect for the low cut on the
 * whole batch, then for the high cut on the part above it. Sets s.low,
 * s.tiesLow, s.high and s.skipHigh, and fresh bracket guesses for the next
 * batch. O(b) expected.
 */
function exactCuts(losses: Float32Array, redCount: number, illCount: number, s: Scratch, direction: number): void {
  const b = losses.length;
  const work = s.values;
  work.set(losses);
  let low = Number.NEGATIVE_INFINITY;
  let tiesLow = 0;
  if (redCount > 0) {
    selectInPlace(work, 0, b - 1, redCount - 1);
    low = work[redCount - 1]!;
    let below = 0;
    for (let i = 0; i < redCount; i++) below += bit(work[i]! < low);
    tiesLow = redCount - below;
  }
  let high = Number.POSITIVE_INFINITY;
  let skipHigh = 0;
  let least = Number.POSITIVE_INFINITY;
  let greatest = Number.NEGATIVE_INFINITY;
  let above = 0;
  let equal = 0;
  if (illCount > 0) {
    selectInPlace(work, redCount, b - 1, b - illCount);
    high = work[b - illCount]!;
  }
  for (let i = 0; i < b; i++) {
    const v = work[i]!;
    above += bit(v > high);
    equal += bit(v === high);
    least = v < least ? v : least;
    greatest = v > greatest ? v : greatest;
  }
  if (illCount > 0) skipHigh = equal - (illCount - above);
  s.low = low;
  s.tiesLow = tiesLow;
  s.high = high;
  s.skipHigh = skipHigh;
  // Next batch: brackets around these cuts. Where a bracket has just failed,
  // twice as wide as before; where there was none, as wide as BRACKET_TARGET
  // losses spread evenly over this batch's range would take.
  const g = s.guess;
  const o = 4 * direction;
  const even = ((greatest - least) * BRACKET_TARGET) / (2 * b);
  g[o] = g[o]! > 0 ? 2 * g[o]! : even;
  g[o + 1] = g[o + 1]! > 0 ? 2 * g[o + 1]! : even;
  g[o + 2] = low;
  g[o + 3] = high;
}

/** The red and ill masks of a batch from its cuts (s.low …): one pass over every loss. */
function masksFromCuts(losses: Float32Array, s: Scratch, red: Int32Array, ill: Int32Array): void {
  const b = losses.length;
  const low = s.low;
  const high = s.high;
  let tiesLow = s.tiesLow;
  let skipHigh = s.skipHigh;
  for (let base = 0, w = 0; base < b; base += 32, w++) {
    const end = Math.min(32, b - base);
    let r = 0;
    let m = 0;
    for (let j = 0; j < end; j++) {
      const v = losses[base + j]!;
      const lowTie = bit(v === low) & bit(tiesLow > 0);
      r |= (bit(v < low) | lowTie) << j;
      tiesLow -= lowTie;
      const highTie = bit(v === high);
      const skip = highTie & bit(skipHigh > 0);
      m |= (bit(v > high) | (highTie & (skip ^ 1))) << j;
      skipHigh -= skip;
    }
    red[w] = r;
    ill[w] = m;
  }
}

/**
 * The JavaScript classification pass (the WebAssembly one in
 * wasm-classify.ts computes the same): bit j of word w of `masks[i]` is set
 * when loss 32·w + j is below `bounds[i]` (i < BOUNDS), or above
 * `bounds[i]` (i ≥ BOUNDS); `counts[i]` is the mask's bit count. NaN bounds
 * match nothing.
 */
export function classifyLosses(losses: Float32Array, bounds: Float32Array, masks: Int32Array[], counts: Int32Array): void {
  // One pass, with the five bounds of each cut in locals (written out for BOUNDS = 5, checked below).
  const t0 = bounds[0]!, t1 = bounds[1]!, t2 = bounds[2]!, t3 = bounds[3]!, t4 = bounds[4]!; // prettier-ignore
  const u0 = bounds[5]!, u1 = bounds[6]!, u2 = bounds[7]!, u3 = bounds[8]!, u4 = bounds[9]!; // prettier-ignore
  const m0 = masks[0]!, m1 = masks[1]!, m2 = masks[2]!, m3 = masks[3]!, m4 = masks[4]!; // prettier-ignore
  const n0 = masks[5]!, n1 = masks[6]!, n2 = masks[7]!, n3 = masks[8]!, n4 = masks[9]!; // prettier-ignore
  const b = losses.length;
  counts.fill(0);
  for (let base = 0, w = 0; base < b; base += 32, w++) {
    const end = Math.min(32, b - base);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0; // prettier-ignore
    for (let j = 0; j < end; j++) {
      const v = losses[base + j]!;
      a0 |= bit(v < t0) << j;
      a1 |= bit(v < t1) << j;
      a2 |= bit(v < t2) << j;
      a3 |= bit(v < t3) << j;
      a4 |= bit(v < t4) << j;
      c0 |= bit(v > u0) << j;
      c1 |= bit(v > u1) << j;
      c2 |= bit(v > u2) << j;
      c3 |= bit(v > u3) << j;
      c4 |= bit(v > u4) << j;
    }
    m0[w] = a0; m1[w] = a1; m2[w] = a2; m3[w] = a3; m4[w] = a4; // prettier-ignore
    n0[w] = c0; n1[w] = c1; n2[w] = c2; n3[w] = c3; n4[w] = c4; // prettier-ignore
  }
  const words = (b + 31) >>> 5;
  for (let i = 0; i < 2 * BOUNDS; i++) {
    const m = masks[i]!;
    let c = 0;
    for (let w = 0; w < words; w++) c += popcount(m[w]!);
    counts[i] = c;
  }
}

/**
 * The cuts of one batch from the previous batch's, and its masks: one pass
 * sorts every loss against bounds that bracket each cut's moving average
 * and split the bracket into STEPS equal steps (bit masks, see
 * {@link classifyLosses}); if each cut's rank falls inside its bracket, the
 * bit counts name the step it falls in, a quickselect on the few losses of
 * that step finds it, and only those losses are decided one by one.
 * Batches of one epoch share their loss distribution, so this almost
 * always succeeds, at a fraction of the cost of {@link exactCuts} and
 * {@link masksFromCuts}; it returns false otherwise (and on a direction's
 * first batch), having changed nothing that decides a result. On success
 * it adapts the bracket widths to the number of losses they caught.
 */
function bracketedCuts(
  losses: Float32Array,
  redCount: number,
  illCount: number,
  s: Scratch,
  direction: number,
  red: Int32Array,
  ill: Int32Array,
): boolean {
  const g = s.guess;
  const o = 4 * direction;
  const lowWidth = g[o]!;
  const highWidth = g[o + 1]!;
  const lowCentre = g[o + 2]!;
  const highCentre = g[o + 3]!;
  if ((redCount > 0 && !(lowWidth > 0 && lowCentre - lowWidth < lowCentre + lowWidth)) || (illCount > 0 && !(highWidth > 0 && highCentre - highWidth < highCentre + highWidth))) {
    return false;
  }
  const kernel = s.classifier();
  const bounds = kernel === null ? s.bounds : kernel.bounds;
  // Bounds of a cut that is not wanted are NaN: nothing compares true
  // against them. Stored as float32, as the WebAssembly pass compares: any
  // increasing bounds partition the losses into steps the same way, so
  // rounding them changes no result.
  for (let i = 0; i < BOUNDS; i++) {
    bounds[i] = redCount > 0 ? lowCentre + (lowWidth * (2 * i - STEPS)) / STEPS : Number.NaN;
    bounds[BOUNDS + i] = illCount > 0 ? highCentre + (highWidth * (2 * i - STEPS)) / STEPS : Number.NaN;
  }
  let masks: Int32Array[];
  let counts: Int32Array;
  if (kernel !== null) {
    kernel.classify(losses);
    masks = kernel.masks;
    counts = kernel.counts;
  } else {
    masks = s.stepMasks;
    counts = s.stepCounts;
    classifyLosses(losses, bounds, masks, counts);
  }
  const b = losses.length;
  const words = (b + 31) >>> 5;
  // The low cut's rank t (ascending, from 0) lies in step i when
  // |{v < t_i}| ≤ t < |{v < t_(i+1)}|; the high cut's rank u in step i when
  // |{v ≤ u_i}| ≤ u < |{v ≤ u_(i+1)}|, where |{v ≤ u_i}| = b − |{v > u_i}|.
  const t = redCount - 1;
  const u = b - illCount;
  let lowStep = -1;
  if (redCount > 0) {
    for (let i = 0; i < STEPS; i++) if (counts[i]! <= t && t < counts[i + 1]!) lowStep = i;
    if (lowStep < 0) return false;
  }
  let highStep = -1;
  if (illCount > 0) {
    for (let i = 0; i < STEPS; i++) if (b - counts[BOUNDS + i]! <= u && u < b - counts[BOUNDS + i + 1]!) highStep = i;
    if (highStep < 0) return false;
  }
  if (redCount > 0) {
    const belowMask = masks[lowStep]!;
    const upTo = masks[lowStep + 1]!;
    const mid = s.midLow;
    let n = 0;
    for (let w = 0; w < words; w++) {
      for (let x = upTo[w]! & ~belowMask[w]!; x !== 0; x &= x - 1) mid[n++] = losses[32 * w + lowestBit(x)]!;
    }
    const below = counts[lowStep]!;
    const k = t - below;
    selectInPlace(mid, 0, n - 1, k);
    const low = mid[k]!;
    let less = below;
    for (let i = 0; i < k; i++) less += bit(mid[i]! < low);
    let tiesLow = redCount - less;
    for (let w = 0; w < words; w++) {
      let r = belowMask[w]!;
      for (let x = upTo[w]! & ~belowMask[w]!; x !== 0; x &= x - 1) {
        const j = lowestBit(x);
        const v = losses[32 * w + j]!;
        const lowTie = bit(v === low) & bit(tiesLow > 0);
        r |= (bit(v < low) | lowTie) << j;
        tiesLow -= lowTie;
      }
      red[w] = r;
    }
    const caught = counts[STEPS]! - counts[0]!;
    g[o] = lowWidth * Math.min(2, Math.max(0.5, BRACKET_TARGET / Math.max(caught, 1)));
    g[o + 2]! += CENTRE_WEIGHT * (low - lowCentre);
  } else red.fill(0, 0, words);
  if (illCount > 0) {
    const from = masks[BOUNDS + highStep]!;
    const aboveMask = masks[BOUNDS + highStep + 1]!;
    const mid = s.midHigh;
    let n = 0;
    for (let w = 0; w < words; w++) {
      for (let x = from[w]! & ~aboveMask[w]!; x !== 0; x &= x - 1) mid[n++] = losses[32 * w + lowestBit(x)]!;
    }
    const above = counts[BOUNDS + highStep + 1]!;
    const k = u - (b - counts[BOUNDS + highStep]!);
    selectInPlace(mid, 0, n - 1, k);
    const high = mid[k]!;
    let more = above;
    let equal = 0;
    for (let i = 0; i < n; i++) {
      const v = mid[i]!;
      more += bit(v > high);
      equal += bit(v === high);
    }
    let skipHigh = equal - (illCount - more);
    for (let w = 0; w < words; w++) {
      let m = aboveMask[w]!;
      for (let x = from[w]! & ~aboveMask[w]!; x !== 0; x &= x - 1) {
        const j = lowestBit(x);
        const v = losses[32 * w + j]!;
        const highTie = bit(v === high);
        const skip = highTie & bit(skipHigh > 0);
        m |= (bit(v > high) | (highTie & (skip ^ 1))) << j;
        skipHigh -= skip;
      }
      ill[w] = m;
    }
    const caught = counts[BOUNDS]! - counts[BOUNDS + STEPS]!;
    g[o + 1] = highWidth * Math.min(2, Math.max(0.5, BRACKET_TARGET / Math.max(caught, 1)));
    g[o + 3]! += CENTRE_WEIGHT * (high - highCentre);
  } else ill.fill(0, 0, words);
  return true;
}

/** Set `mask`'s bits of the positions whose loss passes an absolute threshold (and clear the others). */
function thresholdMask(losses: Float32Array, threshold: number, above: boolean, mask: Int32Array): void {
  const b = losses.length;
  for (let base = 0, w = 0; base < b; base += 32, w++) {
    const end = Math.min(32, b - base);
    let m = 0;
    for (let j = 0; j < end; j++) {
      const v = losses[base + j]!;
      m |= bit(above ? v > threshold : v < threshold) << j;
    }
    mask[w] = m;
  }
}

/**
 * `ill` (highest-loss) and `red` (lowest-loss) positions of one direction
 * as bit masks, into `s.masks[2·direction + 1]` and `s.masks[2·direction]`
 * (the first ⌈b/32⌉ words). Ties at a cut are broken by position, as a
 * stable sort by loss would (the lowest positions among equal losses at
 * the low cut, the highest at the high cut). O(b) expected: usually one
 * pass and a quickselect on a dozen or so losses per cut
 * ({@link bracketedCuts}), else two quickselects and two passes.
 */
export function extremeMasks(losses: Float32Array, rule: ExtremeRule, s: Scratch, direction: number): void {
  const b = losses.length;
  s.ensure(b);
  const red = s.masks[2 * direction]!;
  const ill = s.masks[2 * direction + 1]!;
  const redCount = rule.redCount === null ? 0 : Math.min(rule.redCount, b);
  const illCount = rule.illCount === null ? 0 : Math.min(rule.illCount, b - redCount);
  if (redCount === 0 && illCount === 0) {
    red.fill(0, 0, (b + 31) >>> 5);
    ill.fill(0, 0, (b + 31) >>> 5);
  } else if (bracketedCuts(losses, redCount, illCount, s, direction, red, ill)) {
    s.bracketed++;
  } else {
    s.general++;
    exactCuts(losses, redCount, illCount, s, direction);
    masksFromCuts(losses, s, red, ill);
  }
  if (rule.redCount === null) thresholdMask(losses, rule.minLoss!, false, red);
  if (rule.illCount === null) thresholdMask(losses, rule.maxLoss!, true, ill);
}

/** The positions of a mask's set bits below `b`, ascending. */
export function maskPositions(mask: Int32Array, b: number): Uint32Array {
  const out: number[] = [];
  for (let w = 0; 32 * w < b; w++) for (let x = mask[w]!; x !== 0; x &= x - 1) out.push(32 * w + lowestBit(x));
  return Uint32Array.from(out);
}

/** A mask of `b` positions with the bits of `positions` set. */
export function positionsMask(positions: ArrayLike<number>, b: number): Int32Array {
  const mask = new Int32Array((b + 31) >>> 5);
  for (let i = 0; i < positions.length; i++) mask[positions[i]! >>> 5]! |= 1 << (positions[i]! & 31);
  return mask;
}

/** {@link extremeMasks} as arrays of positions, ascending (new arrays). */
export function extremes(losses: Float32Array, rule: ExtremeRule, scratch = new Scratch(), direction = 0): { ill: Uint32Array; red: Uint32Array } {
  extremeMasks(losses, rule, scratch, direction);
  const b = losses.length;
  return { ill: maskPositions(scratch.masks[2 * direction + 1]!, b), red: maskPositions(scratch.masks[2 * direction]!, b) };
}

/**
 * Combine one extreme set from two loss directions (docs/methods/scan.md):
 * `C = A ∩ B`; if `|C| < 0.9 · |A|`, add `|A| − |C|` positions drawn
 * uniformly from `(A ∪ B) \ C` — by a partial Fisher–Yates over A \ B in
 * ascending order, then B \ A in ascending order. `a` and `b` are masks of
 * `words` words; the result is `a` itself when `b` is `a` (one loss
 * direction), else a view of `s.out`, valid until the next call.
 * O(words + |(A ∪ B) \ C|).
 */
export function combineMasks(a: Int32Array, b: Int32Array, words: number, rng: Random, s: Scratch): Int32Array {
  if (a === b) return a;
  const out = s.out;
  let sizeA = 0;
  let both = 0;
  let either = 0;
  for (let w = 0; w < words; w++) {
    const x = a[w]!;
    const y = b[w]!;
    out[w] = x & y;
    sizeA += popcount(x);
    both += popcount(x & y);
    either += popcount(x ^ y);
  }
  if (both < 0.9 * sizeA) {
    const need = Math.min(sizeA - both, either);
    if (need > 0) {
      const rest = s.rest;
      let n = 0;
      for (let w = 0; w < words; w++) for (let x = a[w]! & ~b[w]!; x !== 0; x &= x - 1) rest[n++] = 32 * w + lowestBit(x);
      for (let w = 0; w < words; w++) for (let x = b[w]! & ~a[w]!; x !== 0; x &= x - 1) rest[n++] = 32 * w + lowestBit(x);
      for (let i = 0; i < need; i++) {
        const j = i + rng.nextIntUnchecked(either - i);
        const p = rest[j]!;
        rest[j] = rest[i]!;
        rest[i] = p;
        out[p >>> 5]! |= 1 << (p & 31);
      }
    }
  }
  return out.subarray(0, words);
}

/** {@link combineMasks} on arrays of positions of a batch of `batchSize`: the combined positions, ascending (a new array). */
export function combineDirections(a: Uint32Array, b: Uint32Array, batchSize: number, rng: Random, scratch = new Scratch()): Uint32Array {
  scratch.ensure(batchSize);
  const ma = positionsMask(a, batchSize);
  const mb = a === b ? ma : positionsMask(b, batchSize);
  return maskPositions(combineMasks(ma, mb, ma.length, rng, scratch), batchSize);
}
