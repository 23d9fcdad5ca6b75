import { batchPlan, shardPlan } from '@seta/core';
import type { EpochPlan } from '@seta/core';
import { assertSamePlan, syntheticLoss } from '@seta/core/testing';
import { describe, expect, it } from 'vitest';
import { strategies } from './strategies.js';

/**
 * W simulated workers, as in data-parallel training (ALGORITHMS.md §6): each
 * builds the same pruner from the same seed, computes the same plan, trains on
 * its shard, and after every step all-gathers every worker's (ids, losses) —
 * in rank order — into its own pruner with one observe() call.
 */
function simulate(name: string, workers: number, mode: 'pad' | 'drop-last', size = 997, epochs = 6, batch = 16) {
  const pruners = Array.from({ length: workers }, () => strategies[name]!(size, epochs, 42));
  const plans: EpochPlan[][] = [];
  for (let e = 0; e < epochs; e++) {
    const epochPlans = pruners.map((p) => p.plan(e));
    plans.push(epochPlans);
    const shards = epochPlans.map((plan, rank) => shardPlan(plan, rank, workers, { mode }));
    const perRank = shards.map((s) => [...batchPlan(s, batch)]);
    const steps = perRank[0]!.length;
    for (const b of perRank) expect(b.length).toBe(steps); // equal shards: every worker steps together
    for (let step = 0; step < steps; step++) {
      // each worker's forward pass on its own batch …
      const local = perRank.map((b) => {
        const ids = b[step]!.indices;
        return { ids, a: Float32Array.from(ids, (id) => syntheticLoss(id, e)), b: Float32Array.from(ids, (id) => syntheticLoss(id + 1, e)) };
      });
      // … then the all-gather: every worker observes everyone's ids and losses, in rank order
      const ids = Uint32Array.from(local.flatMap((l) => [...l.ids]));
      const a = Float32Array.from(local.flatMap((l) => [...l.a]));
      const bl = Float32Array.from(local.flatMap((l) => [...l.b]));
      for (const p of pruners) p.observe(ids, a, bl);
    }
    for (const p of pruners) p.endEpoch();
  }
  return { plans, pruners };
}

describe('data-parallel training', () => {
  for (const name of Object.keys(strategies)) {
    it(`${name}: every worker computes the same plan, and the shards are disjoint and cover it`, () => {
      for (const workers of [2, 3]) {
        const { plans, pruners } = simulate(name, workers, 'drop-last');
        for (const epochPlans of plans) {
          for (let r = 1; r < workers; r++) assertSamePlan(epochPlans[0]!, epochPlans[r]!, `${name} rank ${r}`);
          const plan = epochPlans[0]!;
          const shards = Array.from({ length: workers }, (_, r) => shardPlan(plan, r, workers, { mode: 'drop-last' }));
          const all = shards.flatMap((s) => [...s.indices]);
          expect(new Set(all).size).toBe(all.length); // disjoint
          const kept = Math.floor(plan.indices.length / workers) * workers;
          expect(all.sort((x, y) => x - y)).toEqual([...plan.indices.subarray(0, kept)].sort((x, y) => x - y)); // cover (drop-last)
          const padded = Array.from({ length: workers }, (_, r) => shardPlan(plan, r, workers, { mode: 'pad' }));
          expect(new Set(padded.flatMap((s) => [...s.indices]))).toEqual(new Set(plan.indices)); // cover (pad)
        }
        // the workers' states are byte-identical too
        const states = pruners.map((p) => p.saveState());
        for (const s of states.slice(1)) expect(Buffer.from(s).equals(Buffer.from(states[0]!))).toBe(true);
      }
    });
  }

  it('padded shards keep the workers in agreement as well', () => {
    for (const name of ['infobatch', 'seta', 'scan']) {
      const { plans } = simulate(name, 3, 'pad', 500, 5);
      for (const epochPlans of plans) for (let r = 1; r < 3; r++) assertSamePlan(epochPlans[0]!, epochPlans[r]!, name);
    }
  });

  it('ids above 2^24 survive the trip exactly (they never pass through float32)', () => {
    const size = 2 ** 24 + 5;
    const p = strategies.dynamicRandom!(size, 1, 1);
    const plan = p.plan(0);
    const shard = shardPlan(plan, 0, 2);
    expect(shard.indices.every((id, i) => id === plan.indices[2 * i])).toBe(true);
    const big = Uint32Array.of(2 ** 24 + 1, 2 ** 24 + 3);
    p.observe(big, Float32Array.of(1, 2));
    expect(p.endEpoch().meanLoss).toBe(1.5);
  });
});
