import { bitsetHas, checkNumber, keepRatio, checkOptionKeys, checkOptions, compactSample, float32Buffer, uint32Buffer } from '@seta/core';
import type { Selection, Stage, StageContext } from '@seta/core';
import { tagDecoder, WEIGHT_TAG } from './tagged-weights.js';

/** Options of {@link belowMeanStage}. */
export interface BelowMeanOptions {
  /**
   * r: the fraction of the below-mean samples to drop, in [0, 1]. The kept
   * fraction is `keep = clamp(1 − r, 0.1, 1)`, as in the reference code.
   */
  readonly pruneRatio: number;
}

/** InfoBatch's keep ratio: `clamp(1 − r, 0.1, 1)` (`keepRatio` of `@seta/core`, shared with SeTa). */
export function infobatchKeep(pruneRatio: number): number {
  return keepRatio(pruneRatio);
}

/**
 * InfoBatch's pruning step (docs/methods/infobatch.md, prune phase): with `m` the mean
 * score over every seen sample, the well-learned set is the selected samples
 * whose score is strictly below `m`; a uniformly random `floor(keep · |W|)`
 * of them are kept with their weight multiplied by `1 / keep`, and every
 * other selected sample (unseen ones included) is kept as it is. The
 * rescaling keeps the expected gradient unbiased.
 *
 * If nothing has been seen yet, nothing is below the mean and the selection
 * passes unchanged. O(n) time for a selection of n ids, O(n) memory.
 *
 * @param options - `pruneRatio` r in [0, 1].
 * @returns the stage (it needs a score store).
 * @throws RangeError for a `pruneRatio` outside [0, 1]; TypeError for
 *   missing options, an unknown or `null` option, or a non-number.
 * @example
 * ```ts
 * createPruner({ name: 'mine', size, epochs, store: new LossStore(size),
 *   stages: [annealStage({ delta: 0.875 }), belowMeanStage({ pruneRatio: 0.5 })] });
 * ```
 */
export function belowMeanStage(options: BelowMeanOptions): Stage {
  const fn = 'belowMeanStage()';
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { pruneRatio } are required`);
  checkOptionKeys(fn, options, ['pruneRatio']);
  const pruneRatio = checkNumber(fn, 'pruneRatio', options.pruneRatio, 0, 1);
  const keep = infobatchKeep(pruneRatio);
  const upWeight = Math.fround(1 / keep);
  const decodeWeights = tagDecoder(upWeight);
  return {
    name: 'belowMean',
    needsScores: true,
    select(selection: Selection, ctx: StageContext): Selection {
      const store = ctx.store!;
      const mean = store.mean();
      if (mean === null) return { ...selection, phase: 'prune' };
      const scores = store.scores;
      const seen = store.seen;
      const src = selection.ids;
      const n = src === null ? ctx.size : src.length;
      // Positions into the selection: the rest fill `order` from the front, the
      // well-learned set W from the back.
      const order = uint32Buffer(ctx, 'order', n);
      const back =
        src === null
          ? partitionAll(new Int32Array(scores.buffer, scores.byteOffset, scores.length), seen, belowTest(mean), order)
          : partitionSelected(src, scores, seen, mean, order);
      const front = back; // the two parts meet
      const wellLearned = n - back;
      const kept = Math.floor(keep * wellLearned);
      // A uniformly random `kept` of W, in order, moved next to the rest (the plan is shuffled at the end).
      compactSample(order, back, n, kept, ctx.rng);
      const total = front + kept;
      const inWeights = selection.weights;
      const reweight = kept > 0 && upWeight !== 1;
      // As the last stage (its selection becomes the plan), two-valued weights travel in the ids' top bit.
      const encode = reweight && inWeights === null && ctx.output !== undefined;
      const weights = !encode && (inWeights !== null || reweight) ? float32Buffer(ctx, 'weights', total, { plan: true }) : null;
      let ids: Uint32Array;
      if (src === null && inWeights === null) {
        // The common case (InfoBatch's own pipeline): positions are ids; weights 1, then 1 / keep.
        ids = order.subarray(0, total);
        if (encode) for (let i = front; i < total; i++) ids[i] = (ids[i]! | WEIGHT_TAG) >>> 0;
        else if (weights !== null) {
          weights.fill(1, 0, front);
          weights.fill(upWeight, front, total);
        }
      } else {
        ids = uint32Buffer(ctx, 'ids', total, { plan: true });
        for (let i = 0; i < total; i++) {
          const p = order[i]!;
          ids[i] = src === null ? p : src[p]!;
          if (encode && i >= front) ids[i] = (ids[i]! | WEIGHT_TAG) >>> 0;
          if (weights !== null) {
            const w = inWeights === null ? 1 : inWeights[p]!;
            weights[i] = i < front ? w : w * upWeight;
          }
        }
      }
      return encode ? { ids, weights: null, phase: 'prune', decodeWeights } : { ids, weights, phase: 'prune' };
    },
  };
}

/*
 * The partition loops write every position to both ends and advance one of
 * them: no branch on the comparison, which is a coin toss near the mean and
 * would be mispredicted about half the time. (A slot written in passing is
 * overwritten before the ends meet.)
 */

/**
 * An integer test equivalent to `v < t` for every non-NaN float32 v, as
 * [flip, bound]: `v < t` exactly when `(bits(v) ^ flip) < bound`, with
 * bits(v) the float's bit pattern read as an int32.
 *
 * - t > 0: with f the smallest float32 ≥ t, `v < t` iff bits(v) < bits(f):
 *   non-negative floats order as their patterns do, and every negative
 *   float (−0 too) has a negative pattern. flip = 0.
 * - t ≤ 0: with h the largest float32 < t (negative), `v < t` iff v ≤ h iff
 *   v is negative with a magnitude, hence an unsigned pattern, at least
 *   h's. Flipping the low 31 bits turns that unsigned "≥" into a signed "<".
 *
 * A NaN t gives a test nothing passes.
 */
export function belowTest(t: number): Int32Array {
  const test = new Int32Array(2); // [flip, bound]
  const f = new Float32Array(1);
  const bits = new Int32Array(f.buffer);
  if (Number.isNaN(t)) {
    test[1] = -0x8000_0000;
    return test;
  }
  f[0] = t; // rounds to nearest
  if (t > 0) {
    if (f[0]! < t) bits[0]! += 1; // the next float32 up
    test[1] = bits[0]!;
    return test;
  }
  if (f[0]! >= t) bits[0] = f[0] === 0 ? -0x7fff_ffff : bits[0]! + 1; // the next float32 down: −(smallest subnormal), or one more unit of magnitude
  test[0] = 0x7fff_ffff;
  test[1] = -(bits[0]! ^ -0x8000_0000); // pattern ≥ h's (unsigned) iff pattern ^ 0x7fffffff < −(h's pattern − 2^31)
  return test;
}

/**
 * Positions 0 … N-1 whose seen score is below the threshold — by
 * `test` from {@link belowTest}, on the scores' bit patterns — to the back
 * of `order`, the rest to the front; returns where the back part starts.
 * Integer compares: cheaper here than float ones.
 */
function partitionAll(scores: Int32Array, seen: Uint32Array, test: Int32Array, order: Uint32Array): number {
  const n = order.length;
  const flip = test[0]!;
  const bound = test[1]!;
  const full = Math.floor(n / 32);
  let front = 0;
  let back = n;
  // A seen word at a time, two positions per step: one bitmap read per 32 positions instead of one per position.
  for (let w = 0; w < full; w++) {
    const s = seen[w]!;
    const base = w * 32;
    for (let b = 0; b < 32; b += 2) {
      const p = base + b;
      let low = (s >>> b) & 1 & +((scores[p]! ^ flip) < bound);
      order[front] = p;
      order[back - 1] = p;
      front += 1 - low;
      back -= low;
      low = (s >>> (b + 1)) & 1 & +((scores[p + 1]! ^ flip) < bound);
      order[front] = p + 1;
      order[back - 1] = p + 1;
      front += 1 - low;
      back -= low;
    }
  }
  for (let p = full * 32; p < n; p++) {
    const low = bitsetHas(seen, p) & +((scores[p]! ^ flip) < bound);
    order[front] = p;
    order[back - 1] = p;
    front += 1 - low;
    back -= low;
  }
  return back;
}

/** {@link partitionAll} for the positions of a selection of ids. */
function partitionSelected(src: Uint32Array, scores: Float32Array, seen: Uint32Array, mean: number, order: Uint32Array): number {
  const n = order.length;
  let front = 0;
  let back = n;
  for (let p = 0; p < n; p++) {
    const id = src[p]!;
    const low = (bitsetHas(seen, id) & +(scores[id]! < mean)) | 0;
    order[front] = p;
    order[back - 1] = p;
    front += 1 - low;
    back -= low;
  }
  return back;
}
