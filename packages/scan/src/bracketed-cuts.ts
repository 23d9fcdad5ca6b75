/*
 * The usual way to a batch's cuts and masks: one classification pass against
 * brackets guessed from the earlier batches, then decisions one by one only
 * inside the brackets. It gives exactly what exact-cuts.ts, the reference,
 * gives, or declines and leaves the batch to it.
 */

import { bit, lowestBit } from './bitmask.js';
import { classifyLosses } from './classify-losses.js';
import { selectInPlace } from './quickselect.js';
import type { Scratch } from './scratch.js';
import { BOUNDS, STEPS } from './wasm-classify.js';

/** Losses per bracket that {@link bracketedCuts} aims for: wide enough that the next batch's cut falls inside almost always. */
export const BRACKET_TARGET = 48;
/** Weight of a batch's cut in the moving average that centres the next batch's bracket. */
const CENTRE_WEIGHT = 0.25;

/**
 * The cuts of one batch from the previous batch's, and its masks: one pass
 * sorts every loss against bounds that bracket each cut's moving average
 * and split the bracket into STEPS equal steps (bit masks, see
 * {@link classifyLosses}); if each cut's rank falls inside its bracket, the
 * bit counts name the step it falls in, a quickselect on the few losses of
 * that step finds it, and only those losses are decided one by one.
 * Batches of one epoch share their loss distribution, so this almost
 * always succeeds, at a fraction of the cost of `exactCuts` and
 * `masksFromCuts` (exact-cuts.ts); it returns false otherwise (and on a direction's
 * first batch), having changed nothing that decides a result. On success
 * it adapts the bracket widths to the number of losses they caught.
 */
export function bracketedCuts(
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
