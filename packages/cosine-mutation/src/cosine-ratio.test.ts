import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosineRatio, meanCycleRatio } from './cosine-ratio.js';

const ULP = 2 ** -52;

describe('cosineRatio', () => {
  it('pins the spec values: T = 3 gives 0.25, 0.75, 1', () => {
    expect(cosineRatio(1, 3)).toBeCloseTo(0.25, 15);
    expect(Math.abs(cosineRatio(1, 3) - 0.25)).toBeLessThanOrEqual(ULP);
    expect(Math.abs(cosineRatio(2, 3) - 0.75)).toBeLessThanOrEqual(ULP);
    expect(cosineRatio(3, 3)).toBe(1);
  });

  it('is 0 at the preparation position and 1 at the end of every cycle', () => {
    for (const T of [1, 2, 3, 7]) {
      expect(cosineRatio(0, T)).toBe(0);
      expect(cosineRatio(T, T)).toBe(1);
    }
    expect(cosineRatio(1, 2)).toBeCloseTo(0.5, 15);
  });

  it('grows strictly along the cycle and matches eq. 3', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (T) => {
        for (let j = 1; j <= T; j++) {
          expect(cosineRatio(j, T)).toBeCloseTo(0.5 * (1 + Math.cos((Math.PI * (T - j)) / T)), 14);
          if (j > 1) expect(cosineRatio(j, T)).toBeGreaterThan(cosineRatio(j - 1, T));
        }
      }),
    );
  });

  it('rejects positions outside the cycle and a bad T', () => {
    expect(() => cosineRatio(4, 3)).toThrow('cosineRatio(): position must be an integer in [0, 3], got 4');
    expect(() => cosineRatio(1, 0)).toThrow('cosineRatio(): mutationEpochs must be an integer ≥ 1, got 0');
    expect(() => cosineRatio(1.5, 3)).toThrow(RangeError);
  });
});

describe('meanCycleRatio', () => {
  it('is exactly 1/2 for T = 3, so the average pruning of SCAN is ρ', () => {
    expect(meanCycleRatio(3)).toBeCloseTo(0.5, 15);
  });

  it('is 1/2 for every T: the cosine terms cancel in pairs, leaving cos 0 = 1, so Σρ_j = (T + 1) / 2', () => {
    for (const T of [1, 2, 4, 5, 9, 100]) expect(meanCycleRatio(T)).toBeCloseTo(0.5, 14);
  });
});
