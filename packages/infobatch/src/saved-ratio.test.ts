import { runPruner, syntheticLoss } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { infobatch } from './infobatch.js';
import type { InfoBatchOptions } from './infobatch.js';
import { EXPONENTIAL_BELOW_MEAN_SHARE, expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';

const N = 20_000;
/** A fixed rank per sample, 0 … N − 1, spread over the ids. */
const rank = (id: number) => (id * 7919) % N;
/** Losses fixed per sample, symmetric about their mean: exactly N/2 below it. */
const symmetric = (id: number) => (rank(id) + 0.5) / N;
/** Losses fixed per sample, exponentially distributed (quantiles of Exp(1)): ≈ 1 − 1/e below the mean. */
const exponential = (id: number) => -Math.log(1 - (rank(id) + 0.5) / N);
/** Hashed noise in [0, 1) for (id, epoch). */
function noise(id: number, epoch: number): number {
  let g = Math.imul((id + 1) ^ Math.imul(epoch + 1, 0x27d4eb2f), 0x165667b1);
  g ^= g >>> 15;
  return (g >>> 0) / 2 ** 32;
}

function measured(options: InfoBatchOptions, loss: (id: number, epoch: number) => number): number {
  const { summaries } = runPruner(infobatch(options), { batchSize: 256, losses: (ids, e) => Float32Array.from(ids, (id) => loss(id, e)) });
  return summaries.at(-1)!.savedRatioSoFar;
}

describe('expectedSavedRatio (InfoBatch)', () => {
  it('is (1 − keep) · f · (floor(δ · E) − 1) / E: epoch 0 and the annealing epochs are full', () => {
    expect(expectedSavedRatio({ size: 100, epochs: 8, pruneRatio: 0.5 }, { belowMeanShare: 0.5 })).toBe((0.5 * 0.5 * 6) / 8);
    expect(expectedSavedRatio({ size: 100, epochs: 200, pruneRatio: 0.5 }, { belowMeanShare: 0.5 })).toBe(0.2175);
    expect(expectedSavedRatio({ size: 100, epochs: 10, pruneRatio: 1, delta: 1 }, { belowMeanShare: 0.5 })).toBeCloseTo((0.9 * 0.5 * 9) / 10, 15); // keep clamped at 0.1
    expect(expectedSavedRatio({ size: 100, epochs: 1 })).toBe(0);
    expect(expectedSavedRatio({ size: 100, epochs: 8, delta: 0.1 })).toBe(0);
  });

  it('assumes 1 − 1/e of the samples below the mean (exponential losses) unless told otherwise', () => {
    expect(EXPONENTIAL_BELOW_MEAN_SHARE).toBeCloseTo(0.6321205588, 10);
    expect(expectedSavedRatio({ size: 100, epochs: 30, pruneRatio: 0.5 })).toBeCloseTo((0.5 * EXPONENTIAL_BELOW_MEAN_SHARE * 25) / 30, 15);
  });

  it('matches runs on symmetric losses fixed per sample within one sample per pruning epoch (f = 0.5)', () => {
    for (const pruneRatio of [0.3, 0.5, 0.8, 1]) {
      for (const epochs of [8, 30]) {
        const options = { size: N, epochs, pruneRatio, seed: 1 };
        const tolerance = (Math.floor(0.875 * epochs) - 1) / (N * epochs);
        expect(Math.abs(measured(options, symmetric) - expectedSavedRatio(options, { belowMeanShare: 0.5 }))).toBeLessThanOrEqual(tolerance);
      }
    }
  });

  it('matches runs on exponential losses within 0.001 with its default assumption, fixed per sample or decaying with ±20 % noise (within 0.005)', () => {
    for (const pruneRatio of [0.3, 0.5, 0.8, 1]) {
      for (const epochs of [8, 30]) {
        const options = { size: N, epochs, pruneRatio, seed: 2 };
        const expected = expectedSavedRatio(options);
        expect(Math.abs(measured(options, exponential) - expected)).toBeLessThan(0.001);
        const decaying = (id: number, e: number) => exponential(id) * Math.exp(-0.1 * e) * (0.8 + 0.4 * noise(id, e));
        expect(Math.abs(measured(options, decaying) - expected)).toBeLessThan(0.005);
      }
    }
  });

  it('matches runs on @seta/core/testing syntheticLoss (uniform difficulty, decaying, noisy) within 0.02 with f = 0.5', () => {
    for (const pruneRatio of [0.3, 0.5, 0.8, 1]) {
      for (const epochs of [8, 30]) {
        const options = { size: N, epochs, pruneRatio, seed: 3 };
        expect(Math.abs(measured(options, syntheticLoss) - expectedSavedRatio(options, { belowMeanShare: 0.5 }))).toBeLessThan(0.02);
      }
    }
  });

  it('underestimates losses redrawn at random every epoch: pruned samples keep their older, lower scores', () => {
    // No per-sample difficulty at all: the estimate's premise fails, and the run saves more.
    const options = { size: N, epochs: 30, pruneRatio: 0.8, seed: 4 };
    const redrawn = (id: number, e: number) => -Math.log(1 - noise(id, e));
    expect(measured(options, redrawn) - expectedSavedRatio(options)).toBeGreaterThan(0.05);
  });

  it('refuses what infobatch() refuses, and a belowMeanShare outside (0, 1)', () => {
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, pruneRatio: 1.5 })).toThrow(new RangeError('expectedSavedRatio(): pruneRatio must be in [0, 1], got 1.5'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 0 })).toThrow(RangeError);
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, prune_ratio: 0.5 } as never)).toThrow(/unknown option "prune_ratio" \(did you mean "pruneRatio"\?\)/);
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { belowMeanShare: 1 })).toThrow(new RangeError('expectedSavedRatio(): belowMeanShare must be in (0, 1), got 1'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { belowMean: 0.5 } as never)).toThrow(/unknown option "belowMean"/);
  });
});

describe('optionsForSavedRatio (InfoBatch)', () => {
  it('inverts expectedSavedRatio under the same assumption', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 300 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (epochs, share, fraction) => {
          const reach = (0.9 * share * (Math.floor(0.875 * epochs) - 1)) / epochs;
          const target = fraction * reach;
          const o = optionsForSavedRatio({ size: 1000, epochs, targetSavedRatio: target }, { belowMeanShare: share });
          expect(o.targetSavedRatio).toBeUndefined();
          expect(expectedSavedRatio(o, { belowMeanShare: share })).toBeCloseTo(target, 12);
        },
      ),
    );
  });

  it('chooses pruneRatio = target · E / (f · (floor(δ · E) − 1))', () => {
    expect(optionsForSavedRatio({ size: 60_000, epochs: 30, targetSavedRatio: 0.3, seed: 1 }, { belowMeanShare: 0.5 })).toEqual({ size: 60_000, epochs: 30, seed: 1, pruneRatio: 0.72 });
    const o = optionsForSavedRatio({ size: 60_000, epochs: 30, targetSavedRatio: 0.3 });
    expect(o.pruneRatio).toBeCloseTo((0.3 * 30) / (EXPONENTIAL_BELOW_MEAN_SHARE * 25), 15);
  });

  it('gives options without a target back unchanged', () => {
    const options = { size: 10, epochs: 2, pruneRatio: 0.2 };
    expect(optionsForSavedRatio(options)).toBe(options);
  });

  it('builds, from infobatch({ targetSavedRatio }), the pruner of the pruneRatio it chooses — and saves the target on losses that fit the assumption', () => {
    const target = 0.25;
    const a = infobatch({ size: N, epochs: 30, targetSavedRatio: target, seed: 5 });
    const b = infobatch({ ...optionsForSavedRatio({ size: N, epochs: 30, targetSavedRatio: target }), seed: 5 });
    expect(a.saveState()).toEqual(b.saveState());
    expect(Math.abs(measured({ size: N, epochs: 30, targetSavedRatio: target, seed: 5 }, exponential) - target)).toBeLessThan(0.001);
  });

  it('refuses a target with pruneRatio, and one out of reach, naming function, argument and value', () => {
    expect(() => infobatch({ size: 10, epochs: 30, pruneRatio: 0.5, targetSavedRatio: 0.3 })).toThrow(
      new TypeError('infobatch(): give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio 0.3 and pruneRatio 0.5'),
    );
    expect(() => infobatch({ size: 10, epochs: 30, targetSavedRatio: 0.5 })).toThrow(
      /^infobatch\(\): targetSavedRatio must be at most 0\.474\d* \(keep is at least 0\.1, only the samples below the mean loss — assumed 63\.2 % — are pruned, and only in 25 of 30 epochs\), got 0\.5$/,
    );
    expect(() => infobatch({ size: 10, epochs: 1, targetSavedRatio: 0.1 })).toThrow(/must be at most 0 .*only in 0 of 1 epochs\), got 0\.1/);
    expect(() => infobatch({ size: 10, epochs: 30, targetSavedRatio: -1 })).toThrow(new RangeError('infobatch(): targetSavedRatio must be in [0, 1], got -1'));
    expect(() => infobatch({ size: 10, epochs: 30, targetSavedRatio: null } as never)).toThrow(TypeError);
  });
});
