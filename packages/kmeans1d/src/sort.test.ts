import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortedFiniteCopy } from './sort.js';

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
