/** Summary statistics for run records. */

/**
 * Mean and sample standard deviation (n − 1 denominator) of `values`, by
 * Welford's one-pass update (Welford 1962; Knuth, TAOCP vol. 2, 4.2.2), which
 * gives exactly 0 for all-equal values. Std is 0 for a single value; both are
 * NaN for no value. Approximate to a few ulps. O(n) time, O(1) memory.
 *
 * @param values - the sample.
 * @returns `{ mean, std }`.
 * @example
 * meanStd([0.8, 0.9]); // { mean: 0.85, std: 0.0707… }
 */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  return { mean, std: values.length > 1 ? Math.sqrt(m2 / (values.length - 1)) : 0 };
}
