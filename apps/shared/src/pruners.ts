/**
 * A pass-through pruner that lets an app look at every plan (to count visits
 * to samples it knows something about) without changing what the pruner does.
 */
import type { EpochPlan, Pruner } from '@seta/core';

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
