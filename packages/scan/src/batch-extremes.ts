/*
 * SCAN's per-batch candidate sets (docs/methods/scan.md): the lowest-loss
 * ("redundant") and highest-loss ("ill-matched") positions of a batch in
 * each loss direction, as bit masks (bitmask.ts). Their combination across
 * the two directions is in combine-directions.ts.
 *
 * A batch's two cuts come from one of two paths with the same result:
 * - exact-cuts.ts, the general one: quickselect on the whole batch, then a
 *   pass over every loss;
 * - bracketed-cuts.ts, the usual one: a single classification pass
 *   (classify-losses.ts, or its WebAssembly twin wasm-classify.ts) against
 *   brackets around the earlier batches' cuts, then a quickselect on the
 *   few losses inside the bracket.
 * A pass that looks at every loss costs about the same in V8 however little
 * it does (docs/benchmarks.md, the batch-extremes round), so the aim is one
 * such pass per direction.
 */

import { bit, maskPositions } from './bitmask.js';
import { bracketedCuts } from './bracketed-cuts.js';
import { exactCuts, masksFromCuts } from './exact-cuts.js';
import { Scratch } from './scratch.js';

/** Extreme sets of one direction: by ratio (top / bottom counts) or by absolute threshold. */
export interface ExtremeRule {
  /** Count of highest-loss positions, or null to use `maxLoss`. */
  readonly illCount: number | null;
  readonly maxLoss: number | null;
  /** Count of lowest-loss positions, or null to use `minLoss`. */
  readonly redCount: number | null;
  readonly minLoss: number | null;
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

/** {@link extremeMasks} as arrays of positions, ascending (new arrays). */
export function extremes(losses: Float32Array, rule: ExtremeRule, scratch = new Scratch(), direction = 0): { ill: Uint32Array; red: Uint32Array } {
  extremeMasks(losses, rule, scratch, direction);
  const b = losses.length;
  return { ill: maskPositions(scratch.masks[2 * direction + 1]!, b), red: maskPositions(scratch.masks[2 * direction]!, b) };
}

/** Positions of a batch sorted by loss, ascending, ties by position. O(b log b). For tests. */
export function sortedPositions(losses: Float32Array): Uint32Array {
  return Uint32Array.from({ length: losses.length }, (_, i) => i).sort((a, b) => losses[a]! - losses[b]! || a - b);
}
