import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { kmeans1d, kmeans1dSorted } from './kmeans-1d.js';
import type { Kmeans1dResult } from './kmeans-1d.js';
import { bruteForceSse, close, distinctCount, segmentSse } from './test-oracle.js';

/**
 * Costs are compared through prefix sums, so partitions whose SSE differ by
 * less than a few ulps of the total sum of squares can be confused: the
 * absolute tolerance is 1e-12 of that total (the documented accuracy).
 */
function roundoff(values: ArrayLike<number>): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return 1e-12 * segmentSse(sorted, 0, sorted.length) + 1e-300;
}

/** Every invariant of a result on `values`, checked naively. */
function expectValidPartition(values: ArrayLike<number>, k: number, result: Kmeans1dResult): void {
  const n = values.length;
  const clusters = Math.min(k, distinctCount(values));
  const { centroids, sizes, bounds, sse } = result;
  expect(centroids).toBeInstanceOf(Float64Array);
  expect(sizes).toBeInstanceOf(Uint32Array);
  expect(bounds).toBeInstanceOf(Float64Array);
  expect(centroids.length).toBe(clusters);
  expect(sizes.length).toBe(clusters);
  expect(bounds.length).toBe(clusters - 1);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
  for (const size of sizes) expect(size).toBeGreaterThan(0);
  for (let j = 1; j < clusters; j++) {
    expect(centroids[j]!).toBeGreaterThan(centroids[j - 1]!);
    expect(bounds[j - 1]!).toBeGreaterThanOrEqual(j >= 2 ? bounds[j - 2]! : -Infinity);
  }
  // assign reproduces the sizes, and each bound is its cluster's largest value.
  const labels = assign(values, result);
  const counts = new Array<number>(clusters).fill(0);
  const sums = new Array<number>(clusters).fill(0);
  const maxima = new Array<number>(clusters).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    counts[label]!++;
    sums[label]! += values[i]!;
    maxima[label] = Math.max(maxima[label]!, values[i]!);
  }
  expect(counts).toEqual(Array.from(sizes));
  // (=== rather than Object.is: -0 and 0 are the same value here)
  for (let j = 0; j < clusters - 1; j++) expect(bounds[j] === maxima[j]).toBe(true);
  // Centroids are the cluster means; sse is the sum of squared distances to them.
  let naiveSse = 0;
  for (let i = 0; i < n; i++) naiveSse += (values[i]! - centroids[labels[i]!]!) ** 2;
  for (let j = 0; j < clusters; j++) {
    const scale = Math.max(...Array.from(values, Math.abs), 1);
    expect(Math.abs(centroids[j]! - sums[j]! / counts[j]!)).toBeLessThanOrEqual(1e-12 * scale);
  }
  expect(close(sse, naiveSse, 1e-9, 1e-9)).toBe(true);
}

/** Small inputs with many ties: integers in a narrow range, or arbitrary doubles. */
const smallValues = fc.oneof(
  fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 1, maxLength: 12 }),
  fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 12 }),
);

describe('kmeans1d', () => {
  it('returns the optimal SSE of a brute-force search over all contiguous partitions', () => {
    fc.assert(
      fc.property(smallValues, fc.integer({ min: 1, max: 6 }), (values, k) => {
        const result = kmeans1d(values, k);
        expect(close(result.sse, bruteForceSse(values, k), 1e-9, roundoff(values))).toBe(true);
        expectValidPartition(values, k, result);
      }),
      { numRuns: 400 },
    );
  });

  it('clusters the documented example', () => {
    const result = kmeans1d([1, 2, 3, 10, 11, 12, 30], 3);
    expect(Array.from(result.centroids)).toEqual([2, 11, 30]);
    expect(Array.from(result.sizes)).toEqual([3, 3, 1]);
    expect(Array.from(result.bounds)).toEqual([3, 12]);
    expect(result.sse).toBe(4);
  });

  it('keeps equal values together', () => {
    // Splitting the four 5s 2 + 2 would give a smaller SSE if ties could be split; they must not be.
    const values = [0, 5, 5, 5, 5, 10];
    const result = kmeans1d(values, 2);
    const labels = assign(values, result);
    expect(new Set(Array.from(labels.subarray(1, 5))).size).toBe(1);
    expect(close(result.sse, bruteForceSse(values, 2))).toBe(true);
  });

  it('gives one cluster per distinct value when k ≥ the number of distinct values', () => {
    const result = kmeans1d([3, 1, 3, 2, 1, 3], 10);
    expect(Array.from(result.centroids)).toEqual([1, 2, 3]);
    expect(Array.from(result.sizes)).toEqual([2, 1, 3]);
    expect(Array.from(result.bounds)).toEqual([1, 2]);
    expect(result.sse).toBe(0);
    expect(Array.from(kmeans1d([3, 1, 2], 3).sizes)).toEqual([1, 1, 1]);
  });

  it('returns one cluster for all-equal values, whatever k', () => {
    for (const k of [1, 2, 5]) {
      const result = kmeans1d(new Float64Array(7).fill(-2.5), k);
      expect(Array.from(result.centroids)).toEqual([-2.5]);
      expect(Array.from(result.sizes)).toEqual([7]);
      expect(result.bounds.length).toBe(0);
      expect(result.sse).toBe(0);
    }
  });

  it('returns the mean and total SSE for k = 1', () => {
    const result = kmeans1d([1, 2, 3, 4], 1);
    expect(Array.from(result.centroids)).toEqual([2.5]);
    expect(Array.from(result.sizes)).toEqual([4]);
    expect(result.bounds.length).toBe(0);
    expect(result.sse).toBe(5);
  });

  it('handles one value', () => {
    const result = kmeans1d([42], 3);
    expect(Array.from(result.centroids)).toEqual([42]);
    expect(Array.from(result.sizes)).toEqual([1]);
    expect(result.sse).toBe(0);
  });

  it('handles negative values and treats -0 and 0 as equal', () => {
    const result = kmeans1d([-10, -9, -0, 0, 9, 10], 3);
    expect(Array.from(result.centroids)).toEqual([-9.5, 0, 9.5]);
    expect(Array.from(result.sizes)).toEqual([2, 2, 2]);
    expect(result.sse).toBe(1);
    expect(kmeans1d([-0, 0], 2).sizes.length).toBe(1);
  });

  it('gives the same result for Float32Array, Float64Array, Int32Array and plain arrays', () => {
    const plain = [0.5, 3.25, -1.75, 8, 8, 2.5, -1.75, 7.5];
    const expected = kmeans1d(plain, 3);
    for (const input of [Float32Array.from(plain), Float64Array.from(plain)]) {
      expect(kmeans1d(input, 3)).toEqual(expected);
    }
    const ints = [5, -3, 12, 12, 7, 0, -3];
    expect(kmeans1d(Int32Array.from(ints), 2)).toEqual(kmeans1d(ints, 2));
  });

  it('accepts values that are not exactly float32 (the float64 sort path)', () => {
    const values = [0.1, 0.2, 0.30000000000000004, 10.1, 10.2, 1 / 3];
    const result = kmeans1d(values, 2);
    expect(close(result.sse, bruteForceSse(values, 2))).toBe(true);
    expectValidPartition(values, 2, result);
  });

  it('does not modify its input', () => {
    const frozen = Object.freeze([5, 1, 4, 1, 3]);
    expect(() => kmeans1d(frozen, 2)).not.toThrow();
    const typed = Float32Array.from([5, 1, 4, -0, 3, 1e-3]);
    const copy = typed.slice();
    kmeans1d(typed, 3);
    kmeans1d(typed, 2, { method: 'lloyd' });
    expect(Array.from(typed)).toEqual(Array.from(copy));
    expect(Object.is(typed[3], -0)).toBe(true);
    const f64 = Float64Array.from([0.1, 0.7, 0.3, 0.9]);
    const f64Copy = f64.slice();
    kmeans1d(f64, 2);
    expect(f64).toEqual(f64Copy);
  });

  it('stays accurate far from zero (cancellation)', () => {
    // 1e8 + multiples of 1/4: exact in float64; SSE of {0, .25, .5} = 0.125, twice.
    const values = [0, 0.25, 0.5, 10, 10.25, 10.5].map((v) => 1e8 + v);
    const result = kmeans1d(values, 2);
    expect(Array.from(result.centroids)).toEqual([1e8 + 0.25, 1e8 + 10.25]);
    expect(result.sse).toBe(0.25);
  });

  it('agrees with the brute force on larger random inputs (exercising the pruned DP)', () => {
    fc.assert(
      fc.property(
        // Mostly values spread evenly over [0, 100] (fc.double alone spreads
        // its draws over bit patterns, so nearly all of them would be tiny),
        // with some arbitrary doubles of that range among them.
        fc.array(
          fc.oneof(
            { arbitrary: fc.integer({ min: 0, max: 100_000 }).map((v) => v / 1000), weight: 4 },
            { arbitrary: fc.double({ min: 0, max: 100, noNaN: true }), weight: 1 },
          ),
          { minLength: 40, maxLength: 60 },
        ),
        fc.integer({ min: 2, max: 5 }),
        (values, k) => {
          const result = kmeans1d(values, k);
          expect(close(result.sse, bruteForceSse(values, k), 1e-9, 1e-9)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rejects empty and non-finite input with a RangeError naming the value', () => {
    expect(() => kmeans1d([], 2)).toThrow(new RangeError('kmeans1d(): values must not be empty, got an array of length 0'));
    expect(() => kmeans1d(new Float32Array(0), 1)).toThrow(RangeError);
    expect(() => kmeans1d([1, NaN, 3], 2)).toThrow(new RangeError('kmeans1d(): values[1] must be a finite number, got NaN'));
    expect(() => kmeans1d(Float32Array.from([1, 2, Infinity]), 2)).toThrow(
      new RangeError('kmeans1d(): values[2] must be a finite number, got Infinity'),
    );
    expect(() => kmeans1d(Float64Array.from([-Infinity]), 1)).toThrow(RangeError);
    expect(() => kmeans1d([1, '2' as unknown as number], 1)).toThrow(
      new TypeError('kmeans1d(): values[1] must be a finite number, got "2"'),
    );
  });

  it('rejects a bad k, options or method with a message naming it', () => {
    expect(() => kmeans1d([1, 2], 2.5)).toThrow(new RangeError('kmeans1d(): k must be an integer ≥ 1, got 2.5'));
    expect(() => kmeans1d([1, 2], 0)).toThrow(new RangeError('kmeans1d(): k must be an integer ≥ 1, got 0'));
    expect(() => kmeans1d([1, 2], NaN)).toThrow(RangeError);
    expect(() => kmeans1d([1, 2], '2' as unknown as number)).toThrow(
      new TypeError('kmeans1d(): k must be a number, got "2"'),
    );
    expect(() => kmeans1d([1, 2], 2, { method: 'fast' as 'lloyd' })).toThrow(
      new RangeError('kmeans1d(): options.method must be one of "optimal", "lloyd", got "fast"'),
    );
    expect(() => kmeans1d([1, 2], 2, { method: 1 as unknown as 'lloyd' })).toThrow(TypeError);
    expect(() => kmeans1d([1, 2], 2, 'lloyd' as unknown as { method: 'lloyd' })).toThrow(
      new TypeError('kmeans1d(): options must be an object, got "lloyd"'),
    );
    expect(() => kmeans1d(null as unknown as number[], 2)).toThrow(
      new TypeError('kmeans1d(): values must be an array or typed array, got null'),
    );
    expect(() => kmeans1d('123' as unknown as number[], 2)).toThrow(TypeError);
  });
});

describe('kmeans1d with method "lloyd"', () => {
  it('returns a valid partition whose SSE is never below the optimum', () => {
    fc.assert(
      fc.property(smallValues, fc.integer({ min: 1, max: 6 }), (values, k) => {
        const lloyd = kmeans1d(values, k, { method: 'lloyd' });
        const optimal = kmeans1d(values, k);
        expectValidPartition(values, k, lloyd);
        expect(lloyd.sse).toBeGreaterThanOrEqual(optimal.sse * (1 - 1e-12) - roundoff(values));
      }),
      { numRuns: 300 },
    );
  });

  it('finds the optimum on well-separated clusters', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 30, maxLength: 80 }),
        (k, noise) => {
          // k tight groups 100 apart, uneven sizes.
          const values = noise.map((d, i) => 100 * (i % k) + d + (i % 3 === 0 ? 0.5 : 0));
          const lloyd = kmeans1d(values, k, { method: 'lloyd' });
          const optimal = kmeans1d(values, k);
          expect(Array.from(lloyd.sizes)).toEqual(Array.from(optimal.sizes));
          expect(close(lloyd.sse, optimal.sse, 1e-9, 1e-9)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('can stop at a worse partition than the optimum (it is a heuristic)', () => {
    // Both starts give {4, 5} | {10, 14, 18} (equal counts; the widest gap), a fixed point of Lloyd.
    const values = [4, 5, 10, 14, 18];
    const lloyd = kmeans1d(values, 2, { method: 'lloyd' });
    const optimal = kmeans1d(values, 2);
    expect(Array.from(optimal.sizes)).toEqual([3, 2]);
    expect(optimal.sse).toBeCloseTo(28.666666666666668, 12);
    expect(Array.from(lloyd.sizes)).toEqual([2, 3]);
    expect(lloyd.sse).toBe(32.5);
  });
});

describe('kmeans1dSorted', () => {
  it('equals kmeans1d on the same data, for both methods', () => {
    fc.assert(
      fc.property(smallValues, fc.integer({ min: 1, max: 6 }), (values, k) => {
        const sorted = values.slice().sort((a, b) => a - b);
        expect(kmeans1dSorted(sorted, k)).toEqual(kmeans1d(values, k));
        expect(kmeans1dSorted(sorted, k, { method: 'lloyd' })).toEqual(kmeans1d(values, k, { method: 'lloyd' }));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects unsorted input with a RangeError naming the first pair out of order', () => {
    expect(() => kmeans1dSorted([1, 3, 2], 2)).toThrow(
      new RangeError('kmeans1dSorted(): sortedValues must be sorted ascending, got sortedValues[1] = 3 > sortedValues[2] = 2'),
    );
    expect(() => kmeans1dSorted([], 2)).toThrow(
      new RangeError('kmeans1dSorted(): sortedValues must not be empty, got an array of length 0'),
    );
    expect(() => kmeans1dSorted([0, NaN], 2)).toThrow(
      new RangeError('kmeans1dSorted(): sortedValues[1] must be a finite number, got NaN'),
    );
    expect(() => kmeans1dSorted([0, 1], 1.5)).toThrow(
      new RangeError('kmeans1dSorted(): k must be an integer ≥ 1, got 1.5'),
    );
  });

  it('does not modify its input', () => {
    const values = Object.freeze([1, 1, 2, 8, 9]);
    const result = kmeans1dSorted(values, 2);
    expect(result.centroids[0]).toBeCloseTo(4 / 3, 15);
    expect(result.centroids[1]).toBe(8.5);
  });
});

describe('argument checks of the exports', () => {
  it('kmeans1d and kmeans1dSorted refuse unknown and null options, suggesting the one meant', () => {
    expect(() => kmeans1d([1, 2, 3], 2, { metod: 'lloyd' } as never)).toThrow(
      new TypeError('kmeans1d(): unknown option "metod" (did you mean "method"?); known options: method, workspace'),
    );
    expect(() => kmeans1d([1, 2, 3], 2, { Method: 'lloyd' } as never)).toThrow(/unknown option "Method" \(did you mean "method"\?\)/);
    expect(() => kmeans1d([1, 2, 3], 2, { k: 2 } as never)).toThrow(new TypeError('kmeans1d(): unknown option "k"; known options: method, workspace'));
    expect(() => kmeans1d([1, 2, 3], 2, { method: null } as never)).toThrow(
      new TypeError('kmeans1d(): method must not be null (omit it to use the default)'),
    );
    expect(() => kmeans1dSorted([1, 2, 3], 2, { workspace: null } as never)).toThrow(
      new TypeError('kmeans1dSorted(): workspace must not be null (omit it to use the default)'),
    );
  });

  it('assign refuses bounds that are not ascending numbers (labels would be silently wrong)', () => {
    expect(() => assign([1, 2], { bounds: ['a'] } as never)).toThrow(new TypeError('assign(): result.bounds[0] must be a number, got "a"'));
    expect(() => assign([1, 2], { bounds: Float64Array.of(2, 1) })).toThrow(
      new RangeError('assign(): result.bounds must be ascending without NaN, got bounds[1] = 1 after 2'),
    );
    expect(() => assign([1, 2], { bounds: Float64Array.of(Number.NaN) })).toThrow(RangeError);
    expect(Array.from(assign([1, 5], { bounds: Float64Array.of(2) }))).toEqual([0, 1]);
  });
});
