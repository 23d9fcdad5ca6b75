/**
 * The strategies the apps compare, by name, and a pass-through pruner that
 * lets an app look at every plan (to count visits to samples it knows
 * something about) without changing what the pruner does.
 */
import { dynamicRandom, full, staticRandom } from '@seta/baselines';
import type { EpochPlan, Pruner } from '@seta/core';
import { infobatch } from '@seta/infobatch';
import { scan } from '@seta/scan';
import { seta } from '@seta/seta';

export type StrategyName = 'full' | 'staticRandom' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';

/** Build the pruner of `strategy` with `options` (its factory's options besides size, epochs and seed). */
export function makePruner(strategy: StrategyName, options: Record<string, unknown>, base: { size: number; epochs: number; seed: number }): Pruner {
  const o = { ...base, ...options } as never;
  switch (strategy) {
    case 'full':
      return full(o);
    case 'staticRandom':
      return staticRandom(o);
    case 'dynamicRandom':
      return dynamicRandom(o);
    case 'infobatch':
      return infobatch(o);
    case 'seta':
      return seta(o);
    case 'scan':
      return scan(o);
    default:
      throw new RangeError(`makePruner(): unknown strategy ${JSON.stringify(strategy)}`);
  }
}

/** `inner`, unchanged, with `onPlan` called on every plan it hands out. */
export function watchPlans(inner: Pruner, onPlan: (plan: EpochPlan) => void): Pruner {
  return {
    name: inner.name,
    size: inner.size,
    plan(epoch) {
      const plan = inner.plan(epoch);
      onPlan(plan);
      return plan;
    },
    observe: (ids, losses, lossesB) => inner.observe(ids, losses, lossesB),
    endEpoch: () => inner.endEpoch(),
    saveState: () => inner.saveState(),
    loadState: (state) => inner.loadState(state),
  };
}
