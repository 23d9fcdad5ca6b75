/**
 * The fraction of samples a drop ratio keeps, as the InfoBatch and SeTa
 * reference code computes it: `clamp(1 − pruneRatio, 0.1, 1)` — never less
 * than a tenth, so that a ratio near 1 cannot empty a plan or make
 * InfoBatch's `1 / keep` weights explode. One definition for every strategy
 * that follows that code (InfoBatch's below-mean drop, SeTa's downsampling
 * and partial annealing). O(1).
 *
 * @param pruneRatio - the drop ratio, in [0, 1] (validated by the caller).
 * @returns the kept fraction, in [0.1, 1].
 * @example
 * ```ts
 * keepRatio(0.3); // 0.7
 * keepRatio(0.95); // 0.1
 * ```
 */
export function keepRatio(pruneRatio: number): number {
  return Math.min(1, Math.max(0.1, 1 - pruneRatio));
}
