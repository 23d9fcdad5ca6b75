import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultGroupSize, optimalEnds } from './optimal.js';
import { close, segmentSse } from './test-oracle.js';
import { weightedValues } from './weighted.js';

/** SSE of the partition of the sorted raw values given by ends over distinct values. */
function partitionSse(sorted: number[], distinct: Float64Array, ends: Uint32Array): number {
  let sse = 0;
  let from = 0;
  for (const end of ends) {
    const largest = distinct[end - 1]!;
    let to = from;
    while (to < sorted.length && sorted[to]! <= largest) to++;
    sse += segmentSse(sorted, from, to);
    from = to;
  }
  expect(from).toBe(sorted.length);
  return sse;
}

describe('optimalEnds (internal)', () => {
  it('finds the same optimum with and without pruning, whatever the group size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 0, max: 50 })), {
          minLength: 20,
          maxLength: 300,
        }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 6 }),
        (raw, k, groupSize) => {
          const sorted = raw.slice().sort((a, b) => a - b);
          const data = weightedValues(sorted, true);
          const clusters = Math.min(k, data.m);
          const plain = partitionSse(sorted, data.values, optimalEnds(data, clusters, 0));
          const pruned = partitionSse(sorted, data.values, optimalEnds(data, clusters, groupSize));
          expect(close(pruned, plain, 1e-9, 1e-9)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('prunes exactly on clustered data with many groups', () => {
    // Mixture of three blobs, 3000 values: the bounds leave few rows, the answer must not change.
    const values: number[] = [];
    let s = 12345;
    const random = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 3000; i++) values.push((i % 3) * 10 + random() * 4 + random() * 4);
    values.sort((a, b) => a - b);
    const data = weightedValues(values, true);
    for (const k of [2, 3, 5, 8]) {
      const plain = optimalEnds(data, k, 0);
      const pruned = optimalEnds(data, k, 8);
      expect(close(partitionSse(values, data.values, pruned), partitionSse(values, data.values, plain), 1e-12)).toBe(true);
    }
  });

  it('chooses a group size of about √m / 8, at least 32', () => {
    expect(defaultGroupSize(100)).toBe(32);
    expect(defaultGroupSize(1_000_000)).toBe(125);
  });
});
