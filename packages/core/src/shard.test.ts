import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardPlan } from './shard.js';
import type { EpochPlan } from './types.js';

const makePlan = (n: number, weighted = false): EpochPlan => ({
  epoch: 3,
  phase: 'prune',
  size: 1000,
  indices: Uint32Array.from({ length: n }, (_, i) => (i * 7919) % 1000),
  weights: weighted ? Float32Array.from({ length: n }, (_, i) => i) : null,
});

describe('shardPlan', () => {
  it('takes positions rank, rank + W, … of the plan', () => {
    const p = makePlan(10, true);
    const s = shardPlan(p, 1, 3, { mode: 'drop-last' });
    expect(Array.from(s.indices)).toEqual([p.indices[1], p.indices[4], p.indices[7]]);
    expect(Array.from(s.weights!)).toEqual([1, 4, 7]);
    expect(s.epoch).toBe(3);
    expect(s.phase).toBe('prune');
    expect(s.size).toBe(1000);
  });

  it('pads by wrapping so every shard has ceil(n / W) ids', () => {
    const p = makePlan(10);
    const shards = [0, 1, 2].map((r) => shardPlan(p, r, 3));
    expect(shards.map((s) => s.indices.length)).toEqual([4, 4, 4]);
    // positions 10 and 11 wrap to 0 and 1
    expect(shards[1]!.indices[3]).toBe(p.indices[0]);
    expect(shards[2]!.indices[3]).toBe(p.indices[1]);
  });

  it('drop-last shards are disjoint, equal-sized and cover the truncated plan; padded shards cover the whole plan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 9 }), (n, w) => {
        const p = makePlan(n);
        const dropped = Array.from({ length: w }, (_, r) => shardPlan(p, r, w, { mode: 'drop-last' }));
        const len = Math.floor(n / w);
        const all = dropped.flatMap((s) => Array.from(s.indices));
        expect(dropped.every((s) => s.indices.length === len)).toBe(true);
        expect(all.sort((a, b) => a - b)).toEqual(Array.from(p.indices.subarray(0, len * w)).sort((a, b) => a - b));
        const padded = Array.from({ length: w }, (_, r) => shardPlan(p, r, w));
        expect(new Set(padded.flatMap((s) => Array.from(s.indices)))).toEqual(new Set(p.indices));
        expect(new Set(padded.map((s) => s.indices.length)).size).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('rejects a bad rank, world size or mode', () => {
    const p = makePlan(4);
    expect(() => shardPlan(p, 3, 3)).toThrow(/shardPlan\(\): rank must be an integer in \[0, 2\], got 3/);
    expect(() => shardPlan(p, 0, 0)).toThrow(/worldSize must be an integer ≥ 1, got 0/);
    expect(() => shardPlan(p, 0, 2, { mode: 'wrap' as 'pad' })).toThrow(/options.mode must be one of "pad", "drop-last", got "wrap"/);
  });
});
