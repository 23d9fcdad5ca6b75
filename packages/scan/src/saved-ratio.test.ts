import { runPruner } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scan } from './scan.js';
import type { ScanOptions } from './scan.js';
import { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';

const N = 20_000;
/** Distinct losses fixed per sample (no ties, so each batch's extremes are exactly floor(b · ρ) per side). */
const base = (id: number) => 1 + ((id * 7919) % N) / N;
/**
 * Losses whose epoch mean halves until epoch `warmup − 2` and then stays: with τ = 0.3 the
 * improvement is 50 % until then and 0 after, so warm-up lasts exactly `warmup` epochs.
 */
const withWarmup = (warmup: number) => (id: number, epoch: number) => base(id) * 0.5 ** Math.min(epoch, warmup - 2);

function measured(options: ScanOptions, loss: (id: number, epoch: number) => number, batchSize: number, second?: (id: number, epoch: number) => number): number {
  const { summaries } = runPruner(scan(options), {
    batchSize,
    losses: (ids, e) => {
      const a = Float32Array.from(ids, (id) => loss(id, e));
      return second === undefined ? a : [a, Float32Array.from(ids, (id) => second(id, e))];
    },
  });
  return summaries.at(-1)!.savedRatioSoFar;
}

describe('expectedSavedRatio (SCAN)', () => {
  it('equals the measured saved ratio exactly for one loss, given the warm-up and batch size', () => {
    const cases: [ScanOptions, number, number][] = [
      [{ size: N, epochs: 30, pruneRatio: 0.3 }, 2, 256],
      [{ size: N, epochs: 30, pruneRatio: 0.3 }, 5, 256],
      [{ size: N, epochs: 14, pruneRatio: 0.35, mutationEpochs: 2 }, 3, 100],
      [{ size: N, epochs: 12, pruneRatio: 0.5, mode: 'ill' }, 2, 64],
      [{ size: N, epochs: 12, pruneRatio: 0.2, mode: 'redundant', mutationEpochs: 5 }, 4, 333],
      [{ size: N, epochs: 9, illRatio: 0.6, redundantRatio: 0.4 }, 2, 256], // the whole batch is a candidate: the last mutation epoch keeps one id
      [{ size: N, epochs: 4, pruneRatio: 0.3 }, 6, 256], // warm-up outlasts the run
    ];
    for (const [options, warmupEpochs, batchSize] of cases) {
      const expected = expectedSavedRatio(options, { warmupEpochs, batchSize });
      expect(measured({ ...options, seed: 1 }, withWarmup(warmupEpochs), batchSize)).toBe(expected);
    }
  });

  it('is exact for two loss directions that agree, and at most 10 % high when they disagree in part', () => {
    const options = { size: N, epochs: 20, pruneRatio: 0.3, seed: 2 };
    const expected = expectedSavedRatio(options, { batchSize: 256 });
    expect(measured(options, withWarmup(2), 256, withWarmup(2))).toBe(expected);
    // the second direction reorders a band of samples: the intersection is between 90 % and 100 % of each side
    const partly = (id: number, e: number) => withWarmup(2)(id, e) + (id % 50 === 0 ? 0.3 : 0);
    const saved = measured(options, withWarmup(2), 256, partly);
    expect(saved).toBeLessThanOrEqual(expected);
    expect(saved).toBeGreaterThanOrEqual(0.9 * expected);
  });

  it('overestimates by under two samples per batch without the batch size (b · ρ instead of floor(b · ρ) per side)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.integer({ min: 16, max: 512 }), (pruneRatio, batchSize) => {
        const options = { size: N, epochs: 18, pruneRatio };
        const proportional = expectedSavedRatio(options);
        const counted = expectedSavedRatio(options, { batchSize });
        const batches = Math.ceil(N / batchSize);
        expect(proportional).toBeGreaterThanOrEqual(counted);
        expect(proportional - counted).toBeLessThanOrEqual((2 * batches * 12 + 12) / (N * 18)); // ≤ 12 mutation epochs, a floor each
      }),
      { numRuns: 50 },
    );
  });

  it('averages ρ over whole cycles: 2ρ of the data are candidates, pruned ¼, ¾ and all of them', () => {
    expect(expectedSavedRatio({ size: 50_000, epochs: 30, pruneRatio: 0.3 })).toBeCloseTo((0.6 * 2 * 7) / 30, 14);
    expect(expectedSavedRatio({ size: 50_000, epochs: 30, pruneRatio: 0.3 }, { batchSize: 256 })).toBeCloseTo(0.277, 3);
    expect(expectedSavedRatio({ size: 50_000, epochs: 2, pruneRatio: 0.3 })).toBe(0);
  });

  it('refuses what scan() refuses, thresholds the mode uses, and assumptions out of range', () => {
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, pruneRatio: 0.6 })).toThrow(new RangeError('expectedSavedRatio(): pruneRatio must be in (0, 0.5], got 0.6'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, delta: 0.5 } as never)).toThrow(/unknown option "delta"/);
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, maxLoss: 3 })).toThrow(
      new RangeError('expectedSavedRatio(): with maxLoss 3 the ill-matched candidates depend on the losses; there is no estimate'),
    );
    expect(expectedSavedRatio({ size: 100, epochs: 8, mode: 'redundant', maxLoss: 3 })).toBeGreaterThan(0); // the ill side is not used
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, illRatio: 0.7, redundantRatio: 0.6 })).toThrow(
      new RangeError('expectedSavedRatio(): illRatio + redundantRatio must be at most 1, got 0.7 + 0.6'),
    );
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { warmupEpochs: 1 })).toThrow(new RangeError('expectedSavedRatio(): warmupEpochs must be an integer ≥ 2, got 1'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { batchSize: 0 })).toThrow(new RangeError('expectedSavedRatio(): batchSize must be an integer ≥ 1, got 0'));
  });
});

describe('optionsForSavedRatio (SCAN)', () => {
  it('chooses the smallest pruneRatio, in steps of 0.0001, whose expected saving reaches the target', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 80 }),
        fc.constantFrom('both', 'ill', 'redundant') as fc.Arbitrary<'both' | 'ill' | 'redundant'>,
        fc.option(fc.integer({ min: 32, max: 512 }), { nil: undefined }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (epochs, mode, batchSize, fraction) => {
          const assumptions = { batchSize };
          const reach = expectedSavedRatio({ size: N, epochs, mode, pruneRatio: 0.5 }, assumptions);
          fc.pre(reach > 0);
          const target = fraction * reach;
          const { pruneRatio } = optionsForSavedRatio({ size: N, epochs, mode, targetSavedRatio: target }, assumptions);
          expect(Math.round(pruneRatio! * 10_000)).toBeCloseTo(pruneRatio! * 10_000, 9);
          expect(expectedSavedRatio({ size: N, epochs, mode, pruneRatio }, assumptions)).toBeGreaterThanOrEqual(target);
          if (pruneRatio! > 0.0001) expect(expectedSavedRatio({ size: N, epochs, mode, pruneRatio: Math.round(pruneRatio! * 10_000 - 1) / 10_000 }, assumptions)).toBeLessThan(target);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the contrastive app its ρ: 0.3 of 14 epochs is ρ ≈ 0.35', () => {
    expect(optionsForSavedRatio({ size: 12_000, epochs: 14, targetSavedRatio: 0.3, seed: 1 }).pruneRatio).toBeCloseTo(0.35, 3);
    // mode 'ill': candidates ρ of the data; cycles of 3 from epoch 3, ρ_j = ½ and 1: epochs 4, 5 | 7, 8 | 10, 11 | 13 mutate, Σ ρ_j = 5
    expect(optionsForSavedRatio({ size: 12_000, epochs: 14, targetSavedRatio: 0.1, mutationEpochs: 2, mode: 'ill' }, { warmupEpochs: 3 })).toEqual({
      size: 12_000,
      epochs: 14,
      mutationEpochs: 2,
      mode: 'ill',
      pruneRatio: 0.28, // 0.1 · 14 / 5
    });
  });

  it('gives options without a target back unchanged', () => {
    const options = { size: 10, epochs: 2, pruneRatio: 0.2 };
    expect(optionsForSavedRatio(options)).toBe(options);
  });

  it('builds, from scan({ targetSavedRatio }), the pruner of the pruneRatio it chooses, which saves the target when warm-up ends after epoch 1', () => {
    const a = scan({ size: N, epochs: 30, targetSavedRatio: 0.25, seed: 3 });
    const b = scan({ ...optionsForSavedRatio({ size: N, epochs: 30, targetSavedRatio: 0.25 }), seed: 3 });
    expect(a.saveState()).toEqual(b.saveState());
    const saved = measured({ size: N, epochs: 30, targetSavedRatio: 0.25, seed: 3 }, withWarmup(2), 256);
    expect(Math.abs(saved - 0.25)).toBeLessThan(0.003);
  });

  it('refuses a target with the options it sets, and one out of reach, naming function, argument and value', () => {
    expect(() => scan({ size: 100, epochs: 30, pruneRatio: 0.3, targetSavedRatio: 0.3 })).toThrow(
      new TypeError('scan(): give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio, which illRatio and redundantRatio default to), got targetSavedRatio 0.3 and pruneRatio 0.3'),
    );
    expect(() => scan({ size: 100, epochs: 30, illRatio: 0.2, targetSavedRatio: 0.3 })).toThrow(/^scan\(\): give targetSavedRatio or illRatio, not both/);
    expect(() => scan({ size: 100, epochs: 30, minLoss: 0.1, targetSavedRatio: 0.3 })).toThrow(/^scan\(\): give targetSavedRatio or minLoss, not both/);
    expect(() => scan({ size: 100, epochs: 30, targetSavedRatio: 0.6 })).toThrow(
      new RangeError("scan(): targetSavedRatio must be at most 0.4643 (pruneRatio at most 0.5 with mode \"both\", cycles of 4 epochs from epoch 2 of 30), got 0.6"),
    );
    expect(() => scan({ size: 100, epochs: 2, targetSavedRatio: 0.1 })).toThrow(/must be at most 0 \(.*no cycle: warm-up assumed to last 2 of 2 epochs\), got 0\.1/);
    expect(() => scan({ size: 100, epochs: 30, targetSavedRatio: 0 })).toThrow(new RangeError('scan(): targetSavedRatio must be in (0, 1], got 0'));
  });
});
