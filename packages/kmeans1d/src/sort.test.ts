import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSmallSortLimit, sortedFiniteCopy } from './sort.js';
import type { SortSpare } from './sort.js';
import { setWasmKernels } from '@seta/engine';
import { Kmeans1dWorkspace } from './workspace.js';

const reference = (values: ArrayLike<number>) => Array.from(values, (v) => v + 0).sort((a, b) => a - b);

describe('sortedFiniteCopy (internal)', () => {
  it('sorts float32 values like a comparison sort, into a Float32Array', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true })), (values) => {
        const input = Float32Array.from(values);
        const sorted = sortedFiniteCopy(input, 'f()', 'v');
        expect(sorted).toBeInstanceOf(Float32Array);
        expect(Array.from(sorted)).toEqual(reference(input));
      }),
    );
  });

  it('sorts float64 values like a comparison sort, into a Float64Array', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1 }), (values) => {
        values.push(0.1); // not a float32, so the 64-bit path is taken
        const sorted = sortedFiniteCopy(values, 'f()', 'v');
        expect(sorted).toBeInstanceOf(Float64Array);
        expect(Array.from(sorted)).toEqual(reference(values));
      }),
    );
  });

  it('sorts long runs sharing their high 32 bits (the engine-sort fallback)', () => {
    const values: number[] = [];
    for (let i = 0; i < 200; i++) values.push(1 + ((i * 7919) % 200) * 2 ** -52, -1 - ((i * 31) % 200) * 2 ** -52);
    expect(Array.from(sortedFiniteCopy(values, 'f()', 'v'))).toEqual(reference(values));
  });

  it('sorts when some or all radix passes are skipped (shared digits)', () => {
    const same = Float32Array.from([-2.5, -2.5, -2.5]);
    expect(Array.from(sortedFiniteCopy(same, 'f()', 'v'))).toEqual([-2.5, -2.5, -2.5]);
    // Only the lowest digit differs (lowPositive): one pass, which also writes the bits back.
    const low = Float32Array.from([3, 3 + 2 ** -20, 3 + 2 ** -21, -3 - 2 ** -21, -3]);
    expect(Array.from(sortedFiniteCopy(low, 'f()', 'v'))).toEqual(reference(low));
    const lowPositive = Float32Array.from([1 + 5 * 2 ** -23, 1, 1 + 2 ** -23]);
    expect(Array.from(sortedFiniteCopy(lowPositive, 'f()', 'v'))).toEqual(reference(lowPositive));
  });

  it('turns -0 into 0 and does not modify its input', () => {
    const input = Float32Array.from([0, -0, -1, 1]);
    const sorted = sortedFiniteCopy(input, 'f()', 'v');
    expect(Object.is(sorted[1], 0) && Object.is(sorted[2], 0)).toBe(true);
    expect(Object.is(input[1], -0)).toBe(true);
    expect(Object.is(sortedFiniteCopy([-0, 0.1], 'f()', 'v')[0], 0)).toBe(true);
  });
});

describe('sortedFiniteCopy, digits fitted to the keys', () => {
  // The radix sort at every length, short ones included (they are otherwise sorted by comparison).
  let previousLimit = 0;
  beforeAll(() => {
    previousLimit = setSmallSortLimit(0);
  });
  afterAll(() => {
    setSmallSortLimit(previousLimit);
  });

  it('sorts values whose keys differ in any number of bits, 1 to 32 (1 to 4 passes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7f7f_ffff }),
        fc.integer({ min: 1, max: 32 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
        fc.boolean(),
        (base, width, noise, mixedSigns) => {
          const input = new Float32Array(noise.length);
          const view = new Uint32Array(input.buffer);
          const mask = width === 32 ? 0xffff_ffff : 2 ** width - 1;
          for (let i = 0; i < noise.length; i++) {
            // Finite patterns: keep the exponent below all ones.
            let b = (base ^ (noise[i]! & mask)) >>> 0;
            if ((b & 0x7f80_0000) === 0x7f80_0000) b &= 0xff7f_ffff;
            view[i] = mixedSigns ? b : b & 0x7fff_ffff;
          }
          expect(Array.from(sortedFiniteCopy(input, 'f()', 'v'))).toEqual(reference(input));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('sorts a long array of loss-like values (3 passes) and one of mixed signs (4 passes)', () => {
    const n = 200_000;
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (const draw of [() => 1e-7 + next() * 10, () => (next() - 0.5) * 100, () => Math.floor(next() * 40) / 8]) {
      const input = Float32Array.from({ length: n }, draw);
      const expected = Float32Array.from(input).sort();
      expect(sortedFiniteCopy(input, 'f()', 'v')).toEqual(expected);
    }
  });
});

describe('sortedFiniteCopy of short float32 input (sorted by comparison)', () => {
  /** Sort with the comparison path (default limit) and with the radix sort (limit 0). */
  const bothPaths = (values: Float32Array, workspace?: Kmeans1dWorkspace) => {
    const small = Float32Array.from(sortedFiniteCopy(values, 'f()', 'v', workspace));
    const previous = setSmallSortLimit(0);
    try {
      return { small, radix: Float32Array.from(sortedFiniteCopy(values, 'f()', 'v', workspace)) };
    } finally {
      setSmallSortLimit(previous);
    }
  };
  const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

  it('gives the radix sort bit for bit: ties, -0 as 0, both signs, every length up to the limit', () => {
    // Lengths on both sides of the insertion-sort cutoff (32); the property test above covers longer ones with the radix sort.
    const value = fc.oneof(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, -1, 2.5));
    const workspace = new Kmeans1dWorkspace();
    fc.assert(
      fc.property(fc.array(value, { maxLength: 256 }), fc.boolean(), (values, useWorkspace) => {
        const input = Float32Array.from(values);
        const { small, radix } = bothPaths(input, useWorkspace ? workspace : undefined);
        expect(bitsOf(small)).toEqual(bitsOf(radix));
        expect(small.every((v) => !Object.is(v, -0))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the first NaN or infinity by index, as the radix sort does', () => {
    for (const n of [3, 40, 256]) {
      const values = Float32Array.from({ length: n }, (_, i) => i / 3);
      values[n - 1] = Number.NaN;
      values[1] = -Infinity;
      expect(() => sortedFiniteCopy(values, 'f()', 'v')).toThrow('f(): v[1] must be a finite number, got -Infinity');
    }
  });
});

describe('sortedFiniteCopy in the WebAssembly kernel', () => {
  /** Sort with the kernel on and off; both must match a comparison sort. */
  const both = (values: Float32Array, workspace?: Kmeans1dWorkspace) => {
    const previous = setWasmKernels(true);
    try {
      const on = Float32Array.from(sortedFiniteCopy(values, 'f()', 'v', workspace)); // copied: a view of the kernel's memory
      setWasmKernels(false);
      const off = sortedFiniteCopy(values, 'f()', 'v') as Float32Array; // float32 input sorts to float32
      return { on, off };
    } finally {
      setWasmKernels(previous);
    }
  };
  const n = 70_000; // above the kernel's minimum
  /** Bit-for-bit equality (so 0 and -0 differ), fast on long arrays. */
  const sameBits = (a: Float32Array, b: Float32Array) => {
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  };
  const rng = (seed: number) => () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

  it('gives the JavaScript sort exactly, for 0 to 4 passes, skipped digits, -0 and ties', () => {
    const r = rng(3);
    const cases: Record<string, (i: number) => number> = {
      losses: () => r() * 2 + r() * 1e-3, // ~3 passes
      narrow: () => 1 + r() * 2 ** -10, // 2 passes
      lowest: () => 1 + Math.floor(r() * 512) * 2 ** -23, // 1 pass
      equal: () => 2.5, // no pass
      quantised: () => Math.floor(r() * 1000), // integers: low digits shared, skipped
      zeros: (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : r()), // -0 becomes 0
      mixedWide: () => (r() - 0.5) * 1e30, // 4 passes
      acrossTwo: () => r() * 2.2 + 1e-9, // exponents 127 and 128 differ in their top bit: 4 passes
      negative: () => -r() * 100,
    };
    const workspace = new Kmeans1dWorkspace();
    for (const [label, make] of Object.entries(cases)) {
      const values = Float32Array.from({ length: n }, (_, i) => make(i));
      const expected = Float32Array.from(values).sort(); // numeric; -0 before 0
      for (let i = 0; i < n; i++) if (expected[i] === 0) expected[i] = 0;
      for (const ws of [undefined, workspace]) {
        const { on, off } = both(values, ws);
        expect(sameBits(on, expected), label).toBe(true);
        expect(sameBits(off, expected), label).toBe(true);
      }
    }
    expect(workspace.bytes).toBeGreaterThan(8 * n); // the kernel's memory is the workspace's
  });

  it('sorts inputs longer than one kernel chunk (the key range carried across chunks)', () => {
    const m = 600_000;
    // The least (or the greatest) value comes first: the later chunks alone would give too narrow a key range.
    for (const extreme of [1e-30, 1e30]) {
      const values = Float32Array.from({ length: m }, (_, i) => 1 + ((i * 7919) % 100_000) / 2e5);
      values[0] = extreme;
      const expected = Float32Array.from(values).sort();
      const { on, off } = both(values);
      expect(sameBits(on, expected), String(extreme)).toBe(true);
      expect(sameBits(off, expected), String(extreme)).toBe(true);
    }
  });

  it('reports the first NaN or infinity by index, as the JavaScript sort does', () => {
    const values = Float32Array.from({ length: n }, (_, i) => i);
    values[50_000] = Number.NaN;
    values[60_000] = Infinity;
    expect(() => sortedFiniteCopy(values, 'f()', 'v')).toThrow(/v\[50000\]/);
    values[50_000] = 1;
    expect(() => sortedFiniteCopy(values, 'f()', 'v')).toThrow(/v\[60000\]/);
    // in a later chunk of the kernel's key pass (chunks of 2^18 values)
    const long = Float32Array.from({ length: 600_000 }, (_, i) => i);
    long[555_555] = -Infinity;
    expect(() => sortedFiniteCopy(long, 'f()', 'v')).toThrow(/v\[555555\] must be a finite number, got -Infinity/);
  });
});

describe('sortedFiniteCopy: the second buffer it hands back', () => {
  it('is n words that do not overlap the sorted copy, on every float32 path (JavaScript or kernel, with or without a workspace, with or without passes)', () => {
    const previous = setWasmKernels(true);
    try {
      for (const kernel of [true, false]) {
        setWasmKernels(kernel);
        for (const n of [5, 70_000]) {
          for (const constant of [false, true]) {
            for (const workspace of [undefined, new Kmeans1dWorkspace().reserve(2 * n)]) {
              const values = Float32Array.from({ length: n }, (_, i) => (constant ? 2.5 : ((i * 2654435761) % 1000) / 7));
              const keep: SortSpare = { spare: null };
              const sorted = sortedFiniteCopy(values, 'f()', 'v', workspace, keep);
              const expected = reference(values);
              const spare = keep.spare!;
              expect(spare.length).toBeGreaterThanOrEqual(n);
              if (spare.buffer === sorted.buffer) {
                const apart = spare.byteOffset >= sorted.byteOffset + sorted.byteLength || sorted.byteOffset >= spare.byteOffset + spare.byteLength;
                expect(apart).toBe(true);
              }
              spare.fill(0xffffffff); // writing it leaves the sorted copy alone
              expect(Array.from(sorted)).toEqual(expected);
            }
          }
        }
      }
      // Float64 input has no second buffer to give.
      const keep: SortSpare = { spare: null };
      sortedFiniteCopy([0.1, 0.3, 0.2], 'f()', 'v', undefined, keep);
      expect(keep.spare).toBeNull();
    } finally {
      setWasmKernels(previous);
    }
  });
});
