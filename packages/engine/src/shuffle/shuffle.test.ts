import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../random.js';
import { setWasmKernels } from '../wasm/switch.js';
import { scatterShuffle } from './scatter.js';
import { shuffledCopy, shuffledRange, shuffleInPlace } from './shuffle.js';
import { chiSquareCritical, chiSquareUniform } from '../test-utils.js';

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

describe('scatterShuffle (the path for long typed arrays)', () => {
  it('produces each permutation of 5 elements equally often with 2 and 4 buckets', () => {
    for (const bits of [1, 2]) {
      const rng = new Random(bits);
      const counts = new Map<string, number>();
      const trials = 60_000;
      for (let t = 0; t < trials; t++) {
        const a = Uint32Array.of(0, 1, 2, 3, 4);
        const { out } = scatterShuffle(a, rng, undefined, bits);
        expect(a.join('')).toBe('01234'); // input untouched
        const key = out.join('');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(counts.size).toBe(120);
      expect(chiSquareUniform([...counts.values()])).toBeLessThan(chiSquareCritical(119));
    }
  });

  it('moves a companion through the same permutation and keeps the multiset', () => {
    const n = 200_000; // above the threshold: shuffleInPlace takes the scatter path
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    const w = Float32Array.from({ length: n }, (_, i) => i * 0.5);
    shuffleInPlace(ids, new Random(9), w);
    for (let i = 0; i < n; i += 997) expect(w[i]).toBe(ids[i]! * 0.5);
    expect([...ids].sort((x, y) => x - y).every((v, i) => v === i)).toBe(true);
    let fixed = 0;
    for (let i = 0; i < n; i++) if (ids[i] === i) fixed++;
    expect(fixed).toBeLessThan(10); // a uniform permutation has about one fixed point
  });

  it('spreads the first element uniformly over a long array', () => {
    const rng = new Random(4);
    const n = 70_000;
    const counts = new Float64Array(16);
    const a = new Uint32Array(n);
    for (let t = 0; t < 1600; t++) {
      for (let i = 0; i < n; i++) a[i] = i;
      shuffleInPlace(a, rng);
      counts[Math.floor((a.indexOf(0) / n) * 16)]!++;
    }
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(15));
  });
});

describe('shuffledCopy', () => {
  it('returns shuffled copies (same permutation for the companion) and leaves the inputs alone', () => {
    for (const n of [10, 100_000]) {
      const ids = Uint32Array.from({ length: n }, (_, i) => i);
      const w = Float32Array.from({ length: n }, (_, i) => i + 0.5);
      const { out, companionOut } = shuffledCopy(ids, new Random(2), w);
      expect(ids[n - 1]).toBe(n - 1);
      expect(out).not.toBe(ids);
      expect([...out].sort((x, y) => x - y).every((v, i) => v === i)).toBe(true);
      for (let i = 0; i < n; i += Math.ceil(n / 50)) expect(companionOut![i]).toBe(out[i]! + 0.5);
      expect(out.join()).not.toBe(ids.join());
    }
    expect(() => shuffledCopy(new Uint32Array(3), new Random(0), new Float32Array(2))).toThrow(/companion/);
  });
});

describe('shuffling back into the caller\'s arrays (reuse)', () => {
  // Buckets of ~100,000 (bits 1), over the 2^16 the WebAssembly kernel takes, and of ~600 (bits 9).
  for (const kernels of [true, false]) {
    for (const bits of [1, 9]) {
      it(`gives the permutation of the copying shuffle, in the input arrays (${kernels ? 'WebAssembly on' : 'JavaScript only'}, 2^${bits} buckets)`, () => {
        const previous = setWasmKernels(kernels);
        try {
          const n = 200_003;
          const ids = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
          const a = new Random(21);
          const b = new Random(21);
          const copied = scatterShuffle(ids, a, undefined, bits).out;
          const own = ids.slice();
          const back = scatterShuffle(own, b, undefined, bits, true).out;
          expect(back).toBe(own);
          expect(back).toEqual(copied);
          expect(a.getState()).toEqual(b.getState());
        } finally {
          setWasmKernels(previous);
        }
      });
    }
  }
});

describe('shuffledRange', () => {
  it('is a permutation of 0 … n-1, short and long', () => {
    for (const n of [0, 1, 2, 7, 1000, 200_001]) {
      const p = shuffledRange(n, new Random(n));
      expect(p.length).toBe(n);
      const seen = new Uint8Array(n);
      for (const v of p) seen[v]!++;
      expect(seen.every((c) => c === 1)).toBe(true);
    }
  });

  it('produces each permutation of 4 elements equally often', () => {
    const rng = new Random(3);
    const counts = new Map<string, number>();
    for (let t = 0; t < 48_000; t++) {
      const key = shuffledRange(4, rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(chiSquareCritical(23));
  });

  it('spreads every id uniformly over a long range (the scatter path)', () => {
    const rng = new Random(8);
    const n = 70_001; // three labels per draw: n mod 3 = 2 leaves a partial last draw
    const first = new Float64Array(16);
    const last = new Float64Array(16);
    for (let t = 0; t < 1600; t++) {
      const p = shuffledRange(n, rng);
      first[Math.floor((p.indexOf(0) / n) * 16)]!++;
      last[Math.floor((p.indexOf(n - 1) / n) * 16)]!++;
    }
    expect(chiSquareUniform(first)).toBeLessThan(chiSquareCritical(15));
    expect(chiSquareUniform(last)).toBeLessThan(chiSquareCritical(15));
  });
});

describe('Fisher–Yates with two swaps per draw', () => {
  it('places an element uniformly in a range longer than 2^16 (one swap per draw first, then pairs)', () => {
    const rng = new Random(6);
    const n = 70_000;
    const counts = new Float64Array(8);
    const a = Array.from({ length: n }, (_, i) => i); // number[]: plain Fisher–Yates, no scatter
    for (let t = 0; t < 480; t++) {
      shuffleInPlace(a, rng);
      counts[Math.floor((a.indexOf(0) / n) * 8)]!++;
      for (let i = 0; i < n; i++) a[i] = i;
    }
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(7));
  }, 60_000);

  it('produces each permutation of 5 elements equally often from a Uint32Array and a number[]', () => {
    for (const make of [() => Uint32Array.of(0, 1, 2, 3, 4), () => [0, 1, 2, 3, 4]]) {
      const rng = new Random(12);
      const counts = new Map<string, number>();
      for (let t = 0; t < 60_000; t++) {
        const key = shuffleInPlace(make(), rng).join('');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(counts.size).toBe(120);
      expect(chiSquareUniform([...counts.values()])).toBeLessThan(chiSquareCritical(119));
    }
  });
});
