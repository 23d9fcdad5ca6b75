import { runPruner } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dynamicRandom, staticRandom } from './baselines.js';
import { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';
import type { RandomBaselineOptions } from './options.js';

/** Σ (N − |plan|) / (N · E) of a whole run, counted from its plans. */
function measuredSavedRatio(make: () => ReturnType<typeof staticRandom>, size: number, epochs: number): { counted: number; summary: number } {
  const { plans, summaries } = runPruner(make());
  const pruned = plans.reduce((s, p) => s + (size - p.indices.length), 0);
  return { counted: pruned / (size * epochs), summary: summaries.at(-1)!.savedRatioSoFar };
}

describe('expectedSavedRatio (random baselines)', () => {
  it('equals the measured saved ratio of static and dynamic runs exactly, annealing or not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.constantFrom(1, 0.875, 0.5, 0.1, 0),
        (size, epochs, pruneRatio, delta) => {
          const options = { size, epochs, pruneRatio, delta };
          const expected = expectedSavedRatio(options);
          for (const make of [staticRandom, dynamicRandom]) {
            const m = measuredSavedRatio(() => make(options), size, epochs);
            expect(m.summary).toBe(expected);
            expect(m.counted).toBe(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts kept ids as the pruner floors them: 1001 samples at r = 0.3 keep 700', () => {
    expect(expectedSavedRatio({ size: 1001, epochs: 4, pruneRatio: 0.3 })).toBe(301 / 1001);
    expect(expectedSavedRatio({ size: 1000, epochs: 8, pruneRatio: 0.4, delta: 0.75 })).toBe((6 * 400) / 8000);
    expect(expectedSavedRatio({ size: 10, epochs: 3, pruneRatio: 0 })).toBe(0);
    expect(expectedSavedRatio({ size: 1, epochs: 3, pruneRatio: 0.5 })).toBe(0); // a plan is never empty
  });

  it('accepts a target and returns what the chosen pruneRatio saves', () => {
    expect(expectedSavedRatio({ size: 1000, epochs: 10, targetSavedRatio: 0.3 })).toBe(0.3);
  });

  it('refuses the options the baseline refuses, naming itself', () => {
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, pruneRatio: 1 })).toThrow(new RangeError('expectedSavedRatio(): pruneRatio must be in [0, 1), got 1'));
    expect(() => expectedSavedRatio({ size: 0, epochs: 2, pruneRatio: 0.1 })).toThrow(RangeError);
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, pruneratio: 0.1 } as never)).toThrow(/unknown option "pruneratio" \(did you mean "pruneRatio"\?\)/);
  });
});

describe('optionsForSavedRatio (random baselines)', () => {
  it('takes the target itself as pruneRatio when every epoch prunes', () => {
    for (const t of [0, 0.1, 0.3, 0.5, 0.7, 0.999]) {
      expect(optionsForSavedRatio({ size: 100, epochs: 30, targetSavedRatio: t })).toEqual({ size: 100, epochs: 30, pruneRatio: t });
    }
  });

  it('scales the target by E / floor(δ · E) when the last epochs anneal', () => {
    const o = optionsForSavedRatio({ size: 1000, epochs: 8, delta: 0.75, targetSavedRatio: 0.3, seed: 4 });
    expect(o).toEqual({ size: 1000, epochs: 8, delta: 0.75, seed: 4, pruneRatio: o.pruneRatio });
    expect(o.pruneRatio).toBeCloseTo(0.4, 15); // 0.3 · 8 / 6
    expect(expectedSavedRatio(o)).toBe(0.3); // 6 pruning epochs of 8, 400 of 1000 pruned
  });

  it('saves at least the target and less than one sample per pruning epoch more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(1, 0.875, 0.5),
        fc.double({ min: 0, max: 0.85, noNaN: true }),
        (size, epochs, delta, target) => {
          const pruning = Math.floor(delta * epochs);
          fc.pre(pruning > 0 && target < pruning / epochs && (1 - (target * epochs) / pruning) * size >= 1);
          const saved = expectedSavedRatio(optionsForSavedRatio({ size, epochs, delta, targetSavedRatio: target }));
          expect(saved).toBeGreaterThanOrEqual(target - 1e-12);
          expect(saved).toBeLessThan(target + pruning / (size * epochs) + 1e-12);
        },
      ),
    );
  });

  it('gives options without a target back unchanged', () => {
    const options: RandomBaselineOptions = { size: 10, epochs: 2, pruneRatio: 0.2 };
    expect(optionsForSavedRatio(options)).toBe(options);
  });

  it('builds the same pruner as the pruneRatio it chooses', () => {
    const a = runPruner(dynamicRandom({ size: 500, epochs: 6, seed: 2, delta: 0.5, targetSavedRatio: 0.2 })).plans;
    const b = runPruner(dynamicRandom({ size: 500, epochs: 6, seed: 2, delta: 0.5, pruneRatio: 0.4 })).plans;
    expect(a.map((p) => [...p.indices])).toEqual(b.map((p) => [...p.indices]));
    expect(staticRandom({ size: 50, epochs: 2, targetSavedRatio: 0.2 }).saveState()).toEqual(staticRandom({ size: 50, epochs: 2, pruneRatio: 0.2 }).saveState());
  });

  it('refuses a target together with pruneRatio, and one it cannot reach, naming function, argument and value', () => {
    expect(() => staticRandom({ size: 10, epochs: 2, pruneRatio: 0.3, targetSavedRatio: 0.3 })).toThrow(
      new TypeError('staticRandom(): give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio 0.3 and pruneRatio 0.3'),
    );
    expect(() => dynamicRandom({ size: 10, epochs: 8, delta: 0.75, targetSavedRatio: 0.8 })).toThrow(
      new RangeError('dynamicRandom(): targetSavedRatio must be below 0.75 (6 of 8 epochs prune with delta 0.75; the others visit every sample), got 0.8'),
    );
    expect(() => dynamicRandom({ size: 10, epochs: 2, targetSavedRatio: 1 })).toThrow(
      new RangeError('dynamicRandom(): targetSavedRatio must be below 1 (2 of 2 epochs prune with delta 1; the others visit every sample), got 1'),
    );
    expect(() => dynamicRandom({ size: 10, epochs: 2, targetSavedRatio: -0.1 })).toThrow(new RangeError('dynamicRandom(): targetSavedRatio must be in [0, 1], got -0.1'));
    expect(() => staticRandom({ size: 10, epochs: 2, targetSavedRatio: '0.3' } as never)).toThrow(new TypeError('staticRandom(): targetSavedRatio must be a number, got "0.3"'));
    expect(() => optionsForSavedRatio({ size: 10, epochs: 2, delta: 0.2, targetSavedRatio: 0.1 })).toThrow(
      'optionsForSavedRatio(): targetSavedRatio must be below 0 (0 of 2 epochs prune with delta 0.2; the others visit every sample), got 0.1',
    );
  });
});
