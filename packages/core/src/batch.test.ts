import { describe, expect, it } from 'vitest';
import { batchPlan, countBatches } from './batch.js';

const plan = (n: number, weighted: boolean) => ({
  indices: Uint32Array.from({ length: n }, (_, i) => 100 + i),
  weights: weighted ? Float32Array.from({ length: n }, (_, i) => i / 2) : null,
});

describe('batchPlan', () => {
  it('yields consecutive batches that are views of the plan, not copies', () => {
    const p = plan(10, true);
    const batches = [...batchPlan(p, 4)];
    expect(batches.map((b) => Array.from(b.indices))).toEqual([
      [100, 101, 102, 103],
      [104, 105, 106, 107],
      [108, 109],
    ]);
    expect(batches.map((b) => b.start)).toEqual([0, 4, 8]);
    expect(batches.map((b) => b.batch)).toEqual([0, 1, 2]);
    expect(batches[1]!.indices.buffer).toBe(p.indices.buffer);
    expect(batches[1]!.weights!.buffer).toBe(p.weights!.buffer);
    expect(Array.from(batches[2]!.weights!)).toEqual([4, 4.5]);
    p.indices[5] = 7;
    expect(batches[1]!.indices[1]).toBe(7);
  });

  it('drops a short last batch when asked', () => {
    expect([...batchPlan(plan(10, false), 4, { dropLast: true })].map((b) => b.indices.length)).toEqual([4, 4]);
    expect([...batchPlan(plan(8, false), 4, { dropLast: true })].length).toBe(2);
  });

  it('passes null weights through and yields nothing for an empty plan', () => {
    expect([...batchPlan(plan(3, false), 2)].every((b) => b.weights === null)).toBe(true);
    expect([...batchPlan(plan(0, false), 2)]).toEqual([]);
  });

  it('agrees with countBatches', () => {
    for (const n of [0, 1, 7, 8, 9, 100]) {
      for (const b of [1, 3, 8]) {
        for (const dropLast of [false, true]) {
          expect([...batchPlan(plan(n, false), b, { dropLast })].length).toBe(countBatches(n, b, { dropLast }));
        }
      }
    }
  });

  it('rejects a bad batch size and mismatched weights', () => {
    expect(() => [...batchPlan(plan(3, false), 0)]).toThrow(/batchPlan\(\): batchSize must be an integer ≥ 1, got 0/);
    expect(() => [...batchPlan({ indices: new Uint32Array(3), weights: new Float32Array(2) }, 2)]).toThrow(
      /weights must be null or a Float32Array of length 3/,
    );
    expect(() => countBatches(5, 2.5)).toThrow(RangeError);
  });
});
