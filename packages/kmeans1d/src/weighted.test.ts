import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkEnd } from './chunked-loops.js';
import { close } from './test-oracle.js';
import { CHECKPOINT, weightedValues } from './weighted.js';
import { Kmeans1dWorkspace } from './workspace.js';

/**
 * The dense table the sparse prefix sums stand for: (W, S, Q) at every
 * position 0 … m, from the same compensated additions in the same order
 * (what the package stored before the sums became sparse).
 */
function denseSums(sorted: ArrayLike<number>, shift: number, squares: boolean): Float64Array[] {
  const table = [new Float64Array(3)];
  let sum = 0;
  let sumC = 0;
  let sq = 0;
  let sqC = 0;
  for (let i = 0; i < sorted.length; ) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < sorted.length && sorted[j] === v) j++;
    const d = v - shift;
    const x = (j - i) * d;
    let t = sum + x;
    let back = t - sum;
    sumC += sum - (t - back) + (x - back);
    sum = t;
    if (squares) {
      const y = x * d;
      t = sq + y;
      back = t - sq;
      sqC += sq - (t - back) + (y - back);
      sq = t;
    }
    table.push(Float64Array.of(j, sum + sumC, squares ? sq + sqC : 0));
    i = j;
  }
  return table;
}

/** Sorted float32 values with runs of repeats: m distinct values around the checkpoint spacing's multiples. */
const sortedRuns = fc
  .record({
    m: fc.oneof(fc.integer({ min: 1, max: 3 * CHECKPOINT + 2 }), fc.constantFrom(CHECKPOINT - 1, CHECKPOINT, CHECKPOINT + 1, 4 * CHECKPOINT)),
    seed: fc.integer({ min: 0, max: 1e6 }),
    offset: fc.constantFrom(0, -3.5, 1e6),
  })
  .map(({ m, seed, offset }) => {
    const out: number[] = [];
    for (let p = 0; p < m; p++) {
      const repeats = 1 + ((seed + p * 7) % 3 === 0 ? (seed + p) % 4 : 0);
      const v = Math.fround(offset + p * 0.37 + ((seed % 97) / 97) * 0.1);
      for (let r = 0; r < repeats; r++) out.push(v);
    }
    return Float32Array.from(out);
  });

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
    const at = new Float64Array(3);
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
        expect(data.ends[p]).toBe(count);
        p++;
        data.sums.at(p, at);
        expect(at[0]).toBe(count);
        expect(close(at[1]!, sum, 1e-12, 1e-6)).toBe(true);
        expect(close(at[2]!, squares, 1e-12, 1e-6)).toBe(true);
      }
    }
    expect(p).toBe(data.m);
    expect(Array.from(data.sums.total)).toEqual(Array.from(at));
  });

  it('gives, from its checkpoints, exactly the sums of a dense table at every position, gathered in any order', () => {
    fc.assert(
      fc.property(
        sortedRuns,
        fc.boolean(),
        fc.constantFrom('fresh', 'workspace', 'in place'),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 * CHECKPOINT }),
        (sorted, squares, memory, picks, g) => {
          const input = Float32Array.from(sorted);
          const workspace = memory === 'workspace' ? new Kmeans1dWorkspace().reserve(input.length + 5) : undefined;
          const data = weightedValues(input, squares, workspace, memory === 'in place');
          const dense = denseSums(sorted, data.shift, squares);
          expect(data.m).toBe(dense.length - 1);
          expect(Array.from(data.values)).toEqual([...new Set(sorted)]);
          expect(Array.from(data.ends)).toEqual(dense.slice(1).map((row) => row[0]));
          // One position at a time (each walks from its checkpoint).
          const one = new Float64Array(5);
          for (let p = 0; p <= data.m; p++) {
            data.sums.at(p, one, 2);
            expect(Array.from(one.subarray(2))).toEqual(Array.from(dense[p]!));
          }
          expect(Array.from(data.sums.total)).toEqual(Array.from(dense[data.m]!));
          // Ascending positions, repeats allowed, into a strided layout (slot 3 untouched).
          const positions = Uint32Array.from(picks.map((x) => x % (data.m + 1))).sort();
          const out = new Float64Array(4 * positions.length).fill(-1);
          data.sums.gather(out, 4, positions.length, positions, 0, 1);
          positions.forEach((p, r) => {
            expect(Array.from(out.subarray(4 * r, 4 * r + 3))).toEqual(Array.from(dense[p]!));
            expect(out[4 * r + 3]).toBe(-1);
          });
          // Any order gives the same sums (walking back restarts from a checkpoint).
          const shuffled = positions.slice().reverse();
          const back = new Float64Array(3 * shuffled.length);
          data.sums.gather(back, 3, shuffled.length, shuffled, 0, 1);
          shuffled.forEach((p, r) => expect(Array.from(back.subarray(3 * r, 3 * r + 3))).toEqual(Array.from(dense[p]!)));
          // Group edges u·g from u = 1, clamped to m.
          const edges = Math.ceil(data.m / g) + 1;
          const E = new Float64Array(3 * edges);
          data.sums.gather(E, 3, edges, null, 1, g);
          for (let u = 0; u < edges; u++) expect(Array.from(E.subarray(3 * u, 3 * u + 3))).toEqual(Array.from(dense[Math.min((u + 1) * g, data.m)]!));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('overwrites the sorted copy with the distinct values only when told it may', () => {
    const sorted = Float32Array.of(1, 1, 2, 3, 3, 3, 4);
    const kept = weightedValues(sorted, true);
    expect(Array.from(sorted)).toEqual([1, 1, 2, 3, 3, 3, 4]);
    const inPlace = weightedValues(sorted, true, undefined, true);
    expect(inPlace.values.buffer).toBe(sorted.buffer);
    expect(Array.from(inPlace.values)).toEqual([1, 2, 3, 4]);
    expect(Array.from(inPlace.ends)).toEqual(Array.from(kept.ends));
    expect(Array.from(inPlace.sums.total)).toEqual(Array.from(kept.sums.total));
  });

  it('splits long loops into chunks of 512, 512, 1024, … up to 32768 elements', () => {
    const ends: number[] = [];
    for (let from = 0; from < 100_000; from = chunkEnd(from, 100_000)) ends.push(chunkEnd(from, 100_000));
    expect(ends.slice(0, 8)).toEqual([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);
    expect(ends.slice(8)).toEqual([98304, 100_000]);
  });
});
