import { checkArrayLike, describeValue } from '@seta/engine';

/**
 * A running sum with Neumaier's compensation (an improved Kahan–Babuška
 * summation; Neumaier, 1974), accurate to about one rounding error however
 * many values are added, where a naive sum of 10^8 float losses drifts by
 * many ulps. O(1) per value.
 *
 * @example
 * ```ts
 * const s = new CompensatedSum();
 * for (const x of [1e16, 1, -1e16]) s.add(x);
 * s.value; // 1 (a naive sum gives 0)
 * ```
 */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  /**
   * Add one value.
   *
   * @throws TypeError if `x` is not a number (`+` would concatenate a string).
   */
  add(x: number): void {
    if (typeof x !== 'number') throw new TypeError(`CompensatedSum.add(): x must be a number, got ${describeValue(x)}`);
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  /** The compensated total. */
  get value(): number {
    return this.sum + this.compensation;
  }

  /** Back to zero. */
  reset(): void {
    this.sum = 0;
    this.compensation = 0;
  }
}

/**
 * The sum of `values` with Neumaier's compensation. O(n) time, O(1) memory.
 *
 * @throws TypeError if `values` is not an array or typed array, or holds a non-number.
 *
 * @example
 * ```ts
 * compensatedSum([0.1, 0.2, 0.3]); // 0.6
 * ```
 */
export function compensatedSum(values: ArrayLike<number>): number {
  checkArrayLike('compensatedSum()', 'values', values);
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (typeof x !== 'number') throw new TypeError(`compensatedSum(): values[${i}] must be a number, got ${describeValue(x)}`);
    const t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) c += sum - t + x;
    else c += x - t + sum;
    sum = t;
  }
  return sum + c;
}
