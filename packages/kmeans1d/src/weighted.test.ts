import { describe, expect, it } from 'vitest';
import { chunkEnd } from './sort.js';
import { close } from './test-oracle.js';
import { weightedValues } from './weighted.js';

describe('weightedValues (internal)', () => {
  it('groups runs of equal values that cross the chunk boundaries, with exact counts and accurate sums', () => {
    // 100,003 values in runs of 1 … 13 equal values: many runs straddle chunk ends.
    const sorted: number[] = [];
    for (let v = 0, length = 1; sorted.length < 100_003; v++, length = (length % 13) + 1) {
      for (let r = 0; r < length && sorted.length < 100_003; r++) sorted.push(v / 8);
    }
    const data = weightedValues(Float32Array.from(sorted), true);
    const distinct = [...new Set(sorted)];
    expect(data.m).toBe(distinct.length);
    expect(Array.from(data.values)).toEqual(distinct);
    let count = 0;
    let sum = 0;
    let squares = 0;
    let p = 0;
    for (let i = 0; i < sorted.length; i++) {
      const d = sorted[i]! - data.shift;
      count++;
      sum += d;
      squares += d * d;
      if (i + 1 === sorted.length || sorted[i + 1] !== sorted[i]) {
        p++;
        expect(data.prefix[3 * p]).toBe(count);
        expect(close(data.prefix[3 * p + 1]!, sum, 1e-12, 1e-6)).toBe(true);
        expect(close(data.prefix[3 * p + 2]!, squares, 1e-12, 1e-6)).toBe(true);
      }
    }
    expect(p).toBe(data.m);
  });

  it('splits long loops into chunks of 512, 512, 1024, … up to 32768 elements', () => {
    const ends: number[] = [];
    for (let from = 0; from < 100_000; from = chunkEnd(from, 100_000)) ends.push(chunkEnd(from, 100_000));
    expect(ends.slice(0, 8)).toEqual([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);
    expect(ends.slice(8)).toEqual([98304, 100_000]);
  });
});
