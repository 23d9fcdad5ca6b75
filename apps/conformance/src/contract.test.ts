import { checkResume, runPruner, syntheticLossPairs } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strategies } from './strategies.js';

describe('every strategy', () => {
  for (const [name, make] of Object.entries(strategies)) {
    it(`${name}: plans are distinct in-range ids, same seed and losses give the same plans, restore-and-continue equals uninterrupted`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 10, max: 600 }), fc.integer({ min: 1, max: 8 }), fc.nat(1000), (size, epochs, seed) => {
          const a = runPruner(make(size, epochs, seed), { losses: syntheticLossPairs, batchSize: 20 });
          const b = runPruner(make(size, epochs, seed), { losses: syntheticLossPairs, batchSize: 20 });
          expect(a.plans.map((p) => [...p.indices])).toEqual(b.plans.map((p) => [...p.indices]));
          checkResume(() => make(size, epochs, seed), seed % (epochs + 1), { losses: syntheticLossPairs, batchSize: 20 });
        }),
        { numRuns: 15 },
      );
    });

    it(`${name}: reports the realised saved ratio, Σ pruned / (N · epochs)`, () => {
      const p = make(800, 8, 5);
      const { plans, summaries } = runPruner(p, { losses: syntheticLossPairs });
      const pruned = plans.reduce((s, plan) => s + (800 - plan.indices.length), 0);
      expect(p.savedRatio).toBeCloseTo(pruned / (800 * 8), 12);
      expect(summaries.at(-1)!.savedRatioSoFar).toBeCloseTo(pruned / (800 * 8), 12);
    });
  }
});
