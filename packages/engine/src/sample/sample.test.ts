import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../random.js';
import { clearBitIds } from './bitmap.js';
import { compactSample, sampleFrom, sampleIndices, sampleSorted } from './sample.js';
import { selectionSample } from './sequential.js';
import { chiSquareCritical, chiSquareUniform } from '../test-utils.js';

describe('sampleIndices', () => {
  it('returns k distinct integers of 0 … n-1 (both the sparse and the dense path)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1500 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
        fc.nat(),
        ([n, k], seed) => {
          const s = sampleIndices(n, k, new Random(seed));
          expect(s).toBeInstanceOf(Uint32Array);
          expect(s.length).toBe(k);
          expect(new Set(s).size).toBe(k);
          expect(s.every((v) => v < n)).toBe(true);
        },
      ),
    );
  });

  it('includes every id with equal probability (sparse path, k ≤ n/16)', () => {
    const rng = new Random(4);
    const n = 64;
    const counts = new Float64Array(n);
    for (let t = 0; t < 20_000; t++) for (const v of sampleIndices(n, 3, rng)) counts[v]!++;
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(n - 1));
  });

  it('includes every id with equal probability (dense path)', () => {
    const rng = new Random(5);
    const n = 20;
    const counts = new Float64Array(n);
    for (let t = 0; t < 20_000; t++) for (const v of sampleIndices(n, 7, rng)) counts[v]!++;
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(n - 1));
  });

  it('returns the sample in uniformly random order (first position uniform on both paths)', () => {
    for (const [n, k] of [
      [160, 10],
      [16, 10],
    ] as const) {
      const rng = new Random(6);
      const counts = new Float64Array(n);
      for (let t = 0; t < 32_000; t++) counts[sampleIndices(n, k, rng)[0]!]!++;
      expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(n - 1));
    }
  });

  it('is deterministic for a seed', () => {
    expect(Array.from(sampleIndices(1e6, 10, new Random(8)))).toEqual(Array.from(sampleIndices(1e6, 10, new Random(8))));
  });

  it('handles k = 0, k = n and n = 0', () => {
    expect(sampleIndices(0, 0, new Random(0)).length).toBe(0);
    expect(sampleIndices(10, 0, new Random(0)).length).toBe(0);
    expect(Array.from(sampleIndices(5, 5, new Random(0))).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('draws a few ids from a huge population in O(k) memory', () => {
    const s = sampleIndices(4_000_000_000, 5, new Random(9));
    expect(s.length).toBe(5);
    for (const v of s) expect(v).toBeLessThan(4_000_000_000);
  });

  it('rejects bad n and k with messages naming them', () => {
    expect(() => sampleIndices(10, 11, new Random(0))).toThrow(/sampleIndices\(\): k must be an integer in \[0, 10\], got 11/);
    expect(() => sampleIndices(-1, 0, new Random(0))).toThrow(/n must be an integer in/);
    expect(() => sampleIndices(2 ** 32, 0, new Random(0))).toThrow(RangeError);
  });
});

describe('sampleFrom', () => {
  it('draws distinct positions of the pool without mutating it', () => {
    const pool = Object.freeze([10, 20, 30, 40, 50]);
    const s = sampleFrom(pool, 3, new Random(1));
    expect(new Set(s).size).toBe(3);
    for (const v of s) expect(pool).toContain(v);
    expect(pool).toEqual([10, 20, 30, 40, 50]);
  });

  it('rejects k beyond the pool and a non-array pool', () => {
    expect(() => sampleFrom([1, 2], 3, new Random(0))).toThrow(/sampleFrom\(\): k must be an integer in \[0, 2\], got 3/);
    expect(() => sampleFrom(5 as unknown as number[], 1, new Random(0))).toThrow(TypeError);
  });
});

describe('sampleSorted', () => {
  it('returns k distinct ascending integers of 0 … n-1 (sparse, sequential, bitmap and complement paths)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
        fc.nat(),
        ([n, k], seed) => {
          const s = sampleSorted(n, k, new Random(seed));
          expect(s.length).toBe(k);
          for (let i = 1; i < k; i++) expect(s[i]! > s[i - 1]!).toBe(true);
          if (k > 0) expect(s[k - 1]!).toBeLessThan(n);
        },
      ),
    );
  });

  it('includes every id with equal probability on every path', () => {
    for (const [n, k] of [
      [70, 2], // sparse
      [70, 8], // bitmap
      [70, 62], // complement bitmap
      [40, 20], // sequential
      [40, 23], // sequential
      [40, 9], // bitmap
      [37, 37],
    ] as const) {
      const rng = new Random(n * 100 + k);
      const counts = new Float64Array(n);
      for (let t = 0; t < 12_000; t++) for (const v of sampleSorted(n, k, rng)) counts[v]!++;
      if (k < n) expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(n - 1));
      else expect(counts.every((c) => c === 12_000)).toBe(true);
    }
  });

  it('draws every pair of a 2-subset of 5 equally often (joint uniformity, not just marginals)', () => {
    const rng = new Random(3);
    const pairs = new Map<string, number>();
    for (let t = 0; t < 20_000; t++) {
      const key = sampleSorted(5, 2, rng).join();
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
    expect(pairs.size).toBe(10);
    expect(chiSquareUniform([...pairs.values()])).toBeLessThan(chiSquareCritical(9));
    const triples = new Map<string, number>();
    for (let t = 0; t < 20_000; t++) {
      const key = sampleSorted(5, 3, rng).join(); // complement path
      triples.set(key, (triples.get(key) ?? 0) + 1);
    }
    expect(triples.size).toBe(10);
    expect(chiSquareUniform([...triples.values()])).toBeLessThan(chiSquareCritical(9));
  });

  it('draws every 3-subset of 6 equally often on the sequential path', () => {
    const rng = new Random(5);
    const sets = new Map<string, number>();
    for (let t = 0; t < 20_000; t++) {
      const key = sampleSorted(6, 3, rng).join();
      sets.set(key, (sets.get(key) ?? 0) + 1);
    }
    expect(sets.size).toBe(20);
    expect(chiSquareUniform([...sets.values()])).toBeLessThan(chiSquareCritical(19));
  });

  it('draws every pair of a 2-subset of 20 equally often on the bitmap paths too', () => {
    const rng = new Random(4);
    for (const k of [2, 18]) {
      const sets = new Map<string, number>();
      for (let t = 0; t < 19_000; t++) {
        const key = sampleSorted(20, k, rng).join();
        sets.set(key, (sets.get(key) ?? 0) + 1);
      }
      expect(sets.size).toBe(190);
      expect(chiSquareUniform([...sets.values()])).toBeLessThan(chiSquareCritical(189));
    }
  });

  it('samples half of a population above 2^21 uniformly (sequential path, 28-bit draws)', () => {
    const n = 0x20_0000 + 1000;
    const k = n >>> 1;
    const rng = new Random(8);
    const counts = new Float64Array(16);
    const out = new Uint32Array(k);
    for (let t = 0; t < 6; t++) {
      const s = sampleSorted(n, k, rng, out);
      for (let i = 1; i < k; i++) if (s[i]! <= s[i - 1]!) throw new Error(`not ascending at ${i}`);
      expect(s[k - 1]!).toBeLessThan(n);
      for (let i = 0; i < k; i++) counts[Math.floor((s[i]! / n) * 16)]!++;
    }
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(15));
  });

  it('rejects bad n and k', () => {
    expect(() => sampleSorted(3, 4, new Random(0))).toThrow('sampleSorted(): k must be an integer in [0, 3], got 4');
  });
});

describe('sampleSorted, more', () => {
  it('writes into a given array of length k and rejects any other', () => {
    const out = new Uint32Array(40);
    const s = sampleSorted(100, 40, new Random(3), out);
    expect(s).toBe(out);
    for (let i = 1; i < 40; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(Array.from(s)).toEqual(Array.from(sampleSorted(100, 40, new Random(3))));
    expect(sampleSorted(1000, 3, new Random(1), new Uint32Array(3)).length).toBe(3); // sparse path
    expect(() => sampleSorted(10, 4, new Random(0), new Uint32Array(5))).toThrow(/out must be a Uint32Array of length k = 4/);
  });

  it('leaves out uniformly random ids of a population above 2^21 (draws on 28 bits)', () => {
    const n = 0x20_0000 + 4096;
    const rng = new Random(21);
    const counts = new Float64Array(16);
    const out = new Uint32Array(n - 64);
    for (let t = 0; t < 100; t++) {
      const s = sampleSorted(n, n - 64, rng, out); // the 64 left out are drawn with j ≥ 2^21
      let prev = -1;
      let missing = 0;
      for (let i = 0; i < s.length; i++) {
        for (let id = prev + 1; id < s[i]!; id++) {
          counts[Math.floor((id / n) * 16)]!++;
          missing++;
        }
        prev = s[i]!;
      }
      for (let id = prev + 1; id < n; id++) {
        counts[Math.floor((id / n) * 16)]!++;
        missing++;
      }
      expect(missing).toBe(64);
    }
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(15));
  }, 60_000);
});

describe('compactSample', () => {
  it('keeps, in place and in order, exactly the subset sampleSorted draws, with the same generator use (every path)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2500 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: 5 }))),
        fc.nat(),
        ([n, k, pad], seed) => {
          const array = new Uint32Array(n + 2 * pad);
          for (let i = 0; i < array.length; i++) array[i] = (i * 2654435761) >>> 0;
          const original = array.slice();
          const a = new Random(seed);
          const b = new Random(seed);
          compactSample(array, pad, pad + n, k, a);
          const chosen = sampleSorted(n, k, b);
          expect(Array.from(array.subarray(pad, pad + k))).toEqual(Array.from(chosen, (c) => original[pad + c]!));
          expect(Array.from(array.subarray(0, pad))).toEqual(Array.from(original.subarray(0, pad)));
          expect(Array.from(array.subarray(pad + n))).toEqual(Array.from(original.subarray(pad + n)));
          expect(a.nextUint32()).toBe(b.nextUint32());
        },
      ),
    );
  });

  it('rejects a bad range, k or array', () => {
    const a = new Uint32Array(5);
    expect(() => compactSample(a, 0, 6, 1, new Random(0))).toThrow('compactSample(): end must be an integer in [0, 5], got 6');
    expect(() => compactSample(a, 4, 3, 1, new Random(0))).toThrow('compactSample(): start must be an integer in [0, 3], got 4');
    expect(() => compactSample(a, 1, 3, 3, new Random(0))).toThrow('compactSample(): k must be an integer in [0, 2], got 3');
    expect(() => compactSample([1, 2] as unknown as Uint32Array, 0, 2, 1, new Random(0))).toThrow(/array must be a Uint32Array/);
  });
});

describe('clearBitIds', () => {
  it('lists the clear bits below n in order, stopping when out is full (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (words, n, room) => {
        const bits = Uint32Array.from(words, (w) => w >>> 0);
        const limit = Math.min(n, bits.length * 32);
        const expected: number[] = [];
        for (let i = 0; i < limit; i++) if (((bits[i >>> 5]! >>> (i & 31)) & 1) === 0) expected.push(i);
        const out = new Uint32Array(room);
        const count = clearBitIds(bits, limit, out);
        expect(count).toBe(Math.min(room, expected.length));
        expect(Array.from(out.subarray(0, count))).toEqual(expected.slice(0, count));
      }),
    );
  });

  it('does as its example says', () => {
    const out = new Uint32Array(3);
    expect(clearBitIds(Uint32Array.of(0b1010), 5, out)).toBe(3);
    expect(Array.from(out)).toEqual([0, 2, 4]);
  });
});

describe('sequential sampling with 32-bit draws (populations beyond 2^25)', () => {
  it('chooses every k-subset equally often, and ascending (checked on a small population)', () => {
    const n = 7;
    const k = 3; // 35 subsets
    const counts = new Map<string, number>();
    const rng = new Random(12);
    const out = new Uint32Array(k);
    const trials = 35_000;
    for (let t = 0; t < trials; t++) {
      selectionSample(n, k, rng, out, 0, null, 0, true);
      expect(out[0]! < out[1]! && out[1]! < out[2]! && out[2]! < n).toBe(true);
      const key = out.join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(35);
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(chiSquareCritical(34));
  });

  it('takes values from a source range in order, and all of them when k = n', () => {
    const src = Uint32Array.of(9, 8, 7, 6, 5, 4);
    const out = new Uint32Array(6);
    selectionSample(4, 4, new Random(1), out, 1, src, 2, true);
    expect([...out]).toEqual([0, 7, 6, 5, 4, 0]);
  });
});
