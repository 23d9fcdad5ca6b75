import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultGroupSize, optimalEnds } from './optimal.js';
import { close, segmentSse } from './test-oracle.js';
import { weightedValues } from './weighted.js';

/** SSE of the partition of the sorted raw values given by ends over distinct values. */
function partitionSse(sorted: number[], distinct: ArrayLike<number>, ends: Uint32Array): number {
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

  it('finds the same optimum with the refined bounds (finer grids) on clustered data', () => {
    // Blobs make the coarse bounds bite, so the finer grids see restricted rows; ties put several
    // boundaries in one group.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 200,
          maxLength: 1500,
        }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 8, max: 40 }),
        fc.boolean(),
        (raw, k, groupSize, round) => {
          const sorted = raw
            .map(([blob, u]) => blob * 3 + (round ? Math.round(u * 8) / 8 : u))
            .sort((a, b) => a - b);
          const data = weightedValues(sorted, true);
          const clusters = Math.min(k, data.m);
          const plain = partitionSse(sorted, data.values, optimalEnds(data, clusters, 0));
          const pruned = partitionSse(sorted, data.values, optimalEnds(data, clusters, groupSize));
          expect(close(pruned, plain, 1e-9, 1e-9)).toBe(true);
        },
      ),
      { numRuns: Number(process.env.KMEANS1D_RUNS ?? 200) },
    );
  });

  it('finds the same optimum with SMAWK and with divide and conquer, pruned or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 50, noNaN: true }), fc.integer({ min: 0, max: 50 })), {
          minLength: 2,
          maxLength: 400,
        }),
        fc.integer({ min: 2, max: 9 }),
        fc.constantFrom(0, 4, 8),
        (raw, k, groupSize) => {
          const sorted = raw.slice().sort((a, b) => a - b);
          const data = weightedValues(sorted, true);
          const clusters = Math.min(k, data.m);
          // Partitions of equal cost (up to roundoff) may break ties differently: compare costs.
          const smawk = partitionSse(sorted, data.values, optimalEnds(data, clusters, groupSize, 0));
          const divideAndConquer = partitionSse(sorted, data.values, optimalEnds(data, clusters, groupSize, Infinity));
          expect(close(divideAndConquer, smawk, 1e-9, 1e-9)).toBe(true);
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

  it('chooses a coarsest group size of about √m / 4, at least 32', () => {
    expect(defaultGroupSize(100)).toBe(32);
    expect(defaultGroupSize(1_000_000)).toBe(250);
  });
});
