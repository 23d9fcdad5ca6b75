import { describeValue } from '@seta/core';

/**
 * Round to the nearest integer, ties to even ("banker's rounding") — what
 * Python 3's `round(x)` does, and so what SeTa's reference code uses for its
 * window size: `roundHalfEven(4.5) === 4`, `roundHalfEven(5.5) === 6`.
 * Exact on the double given: a tie is only an exact `.5`. O(1).
 *
 * @param x - a finite number.
 * @returns the nearest integer, ties to even.
 * @throws RangeError if `x` is not finite.
 * @example
 * ```ts
 * roundHalfEven(4.5);  // 4
 * roundHalfEven(2.5);  // 2
 * roundHalfEven(-1.5); // -2
 * roundHalfEven(4.51); // 5
 * ```
 */
export function roundHalfEven(x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new RangeError(`roundHalfEven(): x must be a finite number, got ${describeValue(x)}`);
  }
  const floor = Math.floor(x);
  const diff = x - floor; // exact for |x| < 2^52
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
