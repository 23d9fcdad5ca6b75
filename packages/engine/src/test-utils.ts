/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
export function chiSquareUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let chi = 0;
  for (let i = 0; i < counts.length; i++) chi += (counts[i]! - expected) ** 2 / expected;
  return chi;
}

/**
 * An upper critical value of chi-square with `df` degrees of freedom at about
 * p = 1e-6 (Wilson–Hilferty approximation), so a correct sampler fails a test
 * about once in a million seeds while a biased one fails reliably.
 */
export function chiSquareCritical(df: number): number {
  const z = 4.75; // one-sided normal quantile for p ≈ 1e-6
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
