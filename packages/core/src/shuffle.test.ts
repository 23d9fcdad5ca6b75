import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { scatterShuffle, setWasmKernels, shuffledCopy, shuffledCopyTwoWeights, shuffledRange, shuffleInPlace } from './shuffle.js';
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

describe('shuffledCopyTwoWeights (two-valued weights carried as a tag bit)', () => {
  const twoValued = (n: number, seed: number) => {
    const rng = new Random(seed);
    const ids = new Uint32Array(n);
    const weights = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = rng.nextIntUnchecked(0x8000_0000);
      weights[i] = rng.nextUint32() & 1 ? 1 : Math.fround(1 / 0.3);
    }
    return { ids, weights };
  };

  it('gives exactly the permutation, weights and generator state of shuffledCopy with a companion', () => {
    for (const n of [1, 2, 7, 1000, 70_000, 300_000]) {
      const { ids, weights } = twoValued(n, n);
      if (n === 1000) weights.fill(0.5); // a single weight value
      const a = new Random(5);
      const b = new Random(5);
      const tagged = shuffledCopyTwoWeights(ids, weights, a);
      const plain = shuffledCopy(ids, b, weights);
      expect(tagged).not.toBeNull();
      expect(tagged!.out).toEqual(plain.out);
      expect(tagged!.companionOut).toEqual(plain.companionOut);
      expect(a.nextUint32()).toBe(b.nextUint32());
    }
  });

  it('keeps the exact bit patterns of the weights (e.g. -0 and 0 are two values)', () => {
    const ids = Uint32Array.of(0, 1, 2, 3);
    const weights = Float32Array.of(0, -0, 0, -0);
    const r = shuffledCopyTwoWeights(ids, weights, new Random(1))!;
    for (let i = 0; i < 4; i++) expect(Object.is(r.companionOut[i], r.out[i]! % 2 === 0 ? 0 : -0)).toBe(true);
  });

  it('declines, drawing nothing, for a third weight value or an id of 2^31 or more', () => {
    const rng = new Random(3);
    const before = rng.clone();
    expect(shuffledCopyTwoWeights(Uint32Array.of(1, 2, 3), Float32Array.of(1, 2, 3), rng)).toBeNull();
    expect(shuffledCopyTwoWeights(Uint32Array.of(1, 0x8000_0000), Float32Array.of(1, 1), rng)).toBeNull();
    expect(rng.nextUint32()).toBe(before.nextUint32());
  });

  it('declines long arrays too when the third value or a tagged id comes late (found during the scatter), leaving the generator as it was', () => {
    for (const kernels of [true, false]) {
      const previous = setWasmKernels(kernels);
      try {
        const n = 200_000;
        const ids = Uint32Array.from({ length: n }, (_, i) => i);
        const weights = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : 1));
        const rng = new Random(11);
        const before = rng.clone();
        weights[150_000] = 5; // neither the first pattern nor the last that differs
        expect(shuffledCopyTwoWeights(ids, weights, rng)).toBeNull();
        weights[150_000] = 1;
        ids[120_000] = 0x8000_0001;
        expect(shuffledCopyTwoWeights(ids, weights, rng)).toBeNull();
        expect(rng.getState()).toEqual(before.getState());
        ids[120_000] = 120_000;
        const plain = shuffledCopy(ids, before, weights);
        expect(shuffledCopyTwoWeights(ids, weights, rng)!.out).toEqual(plain.out);
      } finally {
        setWasmKernels(previous);
      }
    }
  });

  it('rejects arrays of different lengths', () => {
    expect(() => shuffledCopyTwoWeights(Uint32Array.of(1), Float32Array.of(1, 2), new Random(0))).toThrow(/one length, got 1 and 2/);
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
          const weights = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : 1));
          // Plain ids.
          const a = new Random(21);
          const b = new Random(21);
          const copied = scatterShuffle(ids, a, undefined, bits).out;
          const own = ids.slice();
          const back = scatterShuffle(own, b, undefined, bits, true).out;
          expect(back).toBe(own);
          expect(back).toEqual(copied);
          expect(a.getState()).toEqual(b.getState());
          // Ids with two-valued weights, each reused alone or both.
          for (const [reuseIds, reuseWeights] of [[true, true], [true, false], [false, true]] as const) {
            const c = new Random(22);
            const d = new Random(22);
            const plain = shuffledCopyTwoWeights(ids, weights, c, false, false, bits)!;
            const ownIds = ids.slice();
            const ownWeights = weights.slice();
            const r = shuffledCopyTwoWeights(ownIds, ownWeights, d, reuseIds, reuseWeights, bits)!;
            expect(r.out === ownIds).toBe(reuseIds);
            expect(r.companionOut === ownWeights).toBe(reuseWeights);
            expect(r.out).toEqual(plain.out);
            expect(r.companionOut).toEqual(plain.companionOut);
            expect(c.getState()).toEqual(d.getState());
          }
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
