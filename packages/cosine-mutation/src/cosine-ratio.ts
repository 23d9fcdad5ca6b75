import { checkInteger } from '@seta/core';

/**
 * SCAN's mutation ratio at position `position` of a cycle with `mutationEpochs`
 * mutation epochs (Guo & Kankanhalli, SCAN, eq. 3):
 * `ρ_j = ½ (1 + cos(π (T − j) / T))` with `j = position`, `T = mutationEpochs`.
 * Position 0 is the preparation epoch and prunes nothing (0); the ratio then
 * grows along a half cosine to 1 at `j = T`. O(1).
 *
 * The values are exact to floating point: for T = 3 they are 0.25, 0.75 and 1
 * to within 1 ulp.
 *
 * @param position - `j`, an integer in [0, mutationEpochs].
 * @param mutationEpochs - `T`, an integer ≥ 1.
 * @returns the fraction of the candidates to prune, in [0, 1].
 * @throws RangeError for a position outside the cycle or a bad `mutationEpochs`.
 * @example
 * ```ts
 * [1, 2, 3].map((j) => cosineRatio(j, 3)); // [0.25, 0.75, 1] (to 1 ulp)
 * cosineRatio(0, 3);                       // 0, the preparation epoch
 * ```
 */
export function cosineRatio(position: number, mutationEpochs: number): number {
  checkInteger('cosineRatio()', 'mutationEpochs', mutationEpochs, 1);
  checkInteger('cosineRatio()', 'position', position, 0, mutationEpochs);
  if (position === 0) return 0;
  if (position === mutationEpochs) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (mutationEpochs - position)) / mutationEpochs));
}

/**
 * The mean fraction of the candidates pruned per epoch over a whole cycle of
 * `T + 1` epochs: `Σ_j ρ_j / (T + 1)`. With SCAN's candidate set of `2ρ` of
 * the data (`mode: 'both'`) the average pruned share of the data is this
 * times `2ρ`. It is ½ for every `T` (the cosine terms cancel in pairs, leaving
 * `cos 0 = 1`, so `Σ_j ρ_j = (T + 1) / 2`), which makes SCAN's average pruning
 * `ρ` whatever the cycle length; computed here by summation. O(T).
 *
 * @param mutationEpochs - `T`, an integer ≥ 1.
 * @returns the mean ratio over the cycle, preparation epoch included.
 * @example
 * ```ts
 * meanCycleRatio(3); // 0.5
 * ```
 */
export function meanCycleRatio(mutationEpochs: number): number {
  checkInteger('meanCycleRatio()', 'mutationEpochs', mutationEpochs, 1);
  let sum = 0;
  for (let j = 1; j <= mutationEpochs; j++) sum += cosineRatio(j, mutationEpochs);
  return sum / (mutationEpochs + 1);
}
