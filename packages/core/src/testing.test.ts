import { describe, expect, it } from 'vitest';
import { createPruner } from './pipeline.js';
import type { Stage } from './stage.js';
import { downsampleStage } from './stages.js';
import { assertSameRuns, syntheticLoss } from './testing.js';

describe('assertSameRuns', () => {
  const make = (seed: number, keep = 0.5) => createPruner({ name: 'half', size: 500, epochs: 4, seed, stages: [downsampleStage({ keep })] });
  const feed = (plan: { indices: Uint32Array }, e: number) => ({
    ids: plan.indices.slice(0, 100),
    losses: Float32Array.from(plan.indices.slice(0, 100), (id) => syntheticLoss(id, e)),
  });

  it('passes two pruners that plan alike, observing the same batches', () => {
    const a = make(3);
    const b = make(3);
    expect(() => assertSameRuns(a, b, 4, feed)).not.toThrow();
    expect(a.nextEpoch).toBe(4);
    expect(b.nextEpoch).toBe(4);
  });

  it('names the first epoch and position where the plans differ', () => {
    expect(() => assertSameRuns(make(3), make(4), 4, feed, { label: 'seeds' })).toThrow(/seeds, epoch 0: indices\[\d+\]/);
    expect(() => assertSameRuns(make(3), make(3, 0.6), 4, feed)).toThrow(/epoch 0: 250 vs 300 ids/);
  });

  it('counts no weights as weights of 1 only when asked', () => {
    const ones: Stage = { name: 'ones', select: (sel) => ({ ...sel, weights: new Float32Array(sel.ids!.length).fill(1) }) };
    const withOnes = () => createPruner({ name: 'half', size: 500, epochs: 4, seed: 3, stages: [downsampleStage({ keep: 0.5 }), ones] });
    expect(() => assertSameRuns(make(3), withOnes(), 4, feed)).toThrow(/one has weights, the other not/);
    expect(() => assertSameRuns(make(3), withOnes(), 4, feed, { nullWeightsAreOnes: true })).not.toThrow();
  });
});
