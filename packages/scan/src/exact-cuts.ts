/*
 * The general way to a batch's cuts and masks (the reference the bracketed
 * path of bracketed-cuts.ts must agree with): quickselects on the whole
 * batch, then one pass over every loss. It runs on a direction's first
 * batch and whenever a cut falls outside its bracket.
 */

import { bit } from './bitmask.js';
import { BRACKET_TARGET } from './bracketed-cuts.js';
import { selectInPlace } from './quickselect.js';
import type { Scratch } from './scratch.js';

/**
 * The cuts of one batch the general way: quickselect for the low cut on the
 * whole batch, then for the high cut on the part above it. Sets s.low,
 * s.tiesLow, s.high and s.skipHigh, and fresh bracket guesses for the next
 * batch. O(b) expected.
 */
export function exactCuts(losses: Float32Array, redCount: number, illCount: number, s: Scratch, direction: number): void {
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
export function masksFromCuts(losses: Float32Array, s: Scratch, red: Int32Array, ill: Int32Array): void {
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
