import { full } from '@seta/baselines';
import { describe, expect, it } from 'vitest';
import { budgetEpochCount, fullForBudget } from './budget.js';

describe('fullForBudget', () => {
  it('plans full data in the same order as full() and cuts the last epoch to the budget', () => {
    const pruner = fullForBudget({ size: 10, budgetEpochs: 2.5, seed: 7 });
    const reference = full({ size: 10, epochs: 3, seed: 7 });
    const visited: number[] = [];
    for (let e = 0; e < 3; e++) {
      const plan = pruner.plan(e);
      const ref = reference.plan(e);
      expect(Array.from(plan.indices)).toEqual(Array.from(ref.indices).slice(0, e < 2 ? 10 : 5));
      pruner.observe(plan.indices, new Float32Array(plan.indices.length).fill(1));
      reference.observe(ref.indices, new Float32Array(10).fill(1));
      reference.endEpoch();
      const s = pruner.endEpoch();
      visited.push(s.visited);
      if (e === 2) {
        expect(s.prunedRatio).toBe(0.5);
        expect(s.savedRatioSoFar).toBeCloseTo(5 / 30, 12);
      }
    }
    expect(visited).toEqual([10, 10, 5]);
  });

  it('needs no extra epoch for a whole budget', () => {
    expect(budgetEpochCount(3)).toBe(3);
    expect(budgetEpochCount(7.5)).toBe(8);
    expect(budgetEpochCount(0.25)).toBe(1);
    expect(() => budgetEpochCount(0)).toThrow('budgetEpochs must be a positive finite number, got 0');
  });
});
