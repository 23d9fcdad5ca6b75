import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round-half-even.js';

describe('roundHalfEven', () => {
  it('rounds exact halves to the even neighbour, as Python round()', () => {
    // Python 3: [round(x) for x in (0.5, 1.5, 2.5, 3.5, 4.5, -0.5, -1.5, -2.5)] == [0, 2, 2, 4, 4, 0, -2, -2]
    expect([0.5, 1.5, 2.5, 3.5, 4.5, -0.5, -1.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 0, -2, -2]);
  });

  it('rounds everything else to the nearest integer', () => {
    expect([0, 0.49, 0.51, 4.499999, 4.500001, -0.51, 7].map(roundHalfEven)).toEqual([0, 0, 1, 4, 5, -1, 7]);
  });

  it('treats a product that is not exactly .5 in binary as not a tie', () => {
    // 45 * 0.7 = 31.499999999999996 and 25 * 0.14 = 3.5000000000000004 in doubles:
    // Python's round() gives 31 and 4.
    expect(45 * 0.7).toBeLessThan(31.5);
    expect(roundHalfEven(45 * 0.7)).toBe(31);
    expect(25 * 0.14).toBeGreaterThan(3.5);
    expect(roundHalfEven(25 * 0.14)).toBe(4);
    // 5 * 0.9 is exactly 4.5 in doubles
    expect(roundHalfEven(5 * 0.9)).toBe(4);
  });

  it('rejects non-finite input', () => {
    expect(() => roundHalfEven(Number.NaN)).toThrow('roundHalfEven(): x must be a finite number, got NaN');
    expect(() => roundHalfEven(Infinity)).toThrow(RangeError);
  });
});
