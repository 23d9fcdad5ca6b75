/**
 * Full data for a budget of sample visits that need not be a whole number of
 * epochs: the equal-compute baseline of a pruned run. A pruned run that made
 * V visits is compared with full data trained for exactly V visits, under the
 * same schedule shape (cosine over the shorter run).
 */
import { full } from '@seta/baselines';
import type { EpochPlan, EpochSummary, Pruner } from '@seta/core';

/** Epochs a budget of `budgetEpochs` (visits / N, may be fractional) spans: its last one may be partial. */
export function budgetEpochCount(budgetEpochs: number): number {
  if (!(Number.isFinite(budgetEpochs) && budgetEpochs > 0)) {
    throw new RangeError(`budgetEpochCount(): budgetEpochs must be a positive finite number, got ${budgetEpochs}`);
  }
  // Rounded to whole visits first, so 7.5 epochs of 2 samples is 15 visits in 8 epochs, never a 9th empty one.
  return Math.ceil(budgetEpochs - 1e-9);
}

/**
 * The `full` baseline over `ceil(budgetEpochs)` epochs whose last plan is cut
 * to the visits left, `round(budgetEpochs · size)` in all. Every other epoch
 * is full data in a fresh order, exactly as `full()` plans it with the same
 * seed. The summary's `visited` is what was planned.
 */
export function fullForBudget(options: { size: number; budgetEpochs: number; seed: number }): Pruner {
  const { size, budgetEpochs, seed } = options;
  const epochs = budgetEpochCount(budgetEpochs);
  const total = Math.round(budgetEpochs * size);
  const inner = full({ size, epochs, seed });
  let planned = 0;
  let prunedSoFar = 0;
  return {
    name: 'full',
    size,
    plan(epoch: number): EpochPlan {
      const plan = inner.plan(epoch);
      const left = total - epoch * size;
      planned = Math.min(size, left);
      if (planned >= plan.indices.length) return plan;
      return { ...plan, indices: plan.indices.subarray(0, planned) };
    },
    observe: (ids, losses, lossesB) => inner.observe(ids, losses, lossesB),
    endEpoch(): EpochSummary {
      const s = inner.endEpoch();
      prunedSoFar += size - planned;
      return { ...s, visited: planned, prunedRatio: 1 - planned / size, savedRatioSoFar: prunedSoFar / (size * (s.epoch + 1)) };
    },
    saveState: () => inner.saveState(),
    // Nothing of this wrapper's own to restore: only the last epoch is cut, so
    // before it the pruned count is always 0.
    loadState: (state) => inner.loadState(state),
  };
}
