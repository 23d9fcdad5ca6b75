import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { shuffleInPlace } from './shuffle.js';
import { chiSquareCritical, chiSquareUniform } from './test-utils.js';

describe('shuffleInPlace', () => {
  it('returns the same reference and keeps the same multiset', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { maxLength: 200 }), fc.nat(), (values, seed) => {
        const a = Uint32Array.from(values);
        const out = shuffleInPlace(a, new Random(seed));
        expect(out).toBe(a);
        expect(Array.from(a).sort((x, y) => x - y)).toEqual([...values].sort((x, y) => x - y));
      }),
    );
  });

  it('produces each permutation of 4 elements equally often', () => {
    const rng = new Random(1);
    const counts = new Map<string, number>();
    const trials = 48_000;
    for (let t = 0; t < trials; t++) {
      const key = shuffleInPlace([0, 1, 2, 3], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(chiSquareCritical(23));
  });

  it('moves a companion array through the same permutation', () => {
    const ids = Uint32Array.from({ length: 100 }, (_, i) => i);
    const weights = Float32Array.from({ length: 100 }, (_, i) => i * 2);
    shuffleInPlace(ids, new Random(2), weights);
    for (let i = 0; i < 100; i++) expect(weights[i]).toBe(ids[i]! * 2);
    expect(Array.from(ids)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('handles empty and single-element arrays', () => {
    expect(Array.from(shuffleInPlace(new Uint32Array(0), new Random(0)))).toEqual([]);
    expect(Array.from(shuffleInPlace(Uint32Array.of(9), new Random(0)))).toEqual([9]);
  });

  it('rejects a companion of another length', () => {
    expect(() => shuffleInPlace(new Uint32Array(3), new Random(0), new Float32Array(2))).toThrow(
      /companion must have the array's length 3, got length 2/,
    );
  });
});
