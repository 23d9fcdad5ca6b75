import { checkInteger } from '@seta/core';
import { cosineRatio } from './cosine-ratio.js';

/** Where an epoch falls in SCAN's cycles. */
export interface CyclePhase {
  /** `'prepare'`: full data, candidates collected; `'mutate'`: a share of the candidates is pruned. */
  readonly phase: 'prepare' | 'mutate';
  /** `j = (epoch − cycleStart) mod (T + 1)`: 0 for preparation, 1 … T for mutation. */
  readonly position: number;
  /** 0-based number of the cycle since `cycleStart`. */
  readonly cycle: number;
  /** The fraction of the candidates to prune this epoch ({@link cosineRatio}); 0 when preparing. */
  readonly ratio: number;
}

/**
 * The phase of `epoch` in SCAN's cycles of `T + 1` epochs that start at
 * `cycleStart` (`p0`, the first epoch after warm-up; docs/methods/scan.md): each
 * cycle is one preparation epoch followed by `T` mutation epochs. O(1).
 *
 * @param epoch - the epoch, an integer ≥ `cycleStart`.
 * @param cycleStart - `p0`, an integer ≥ 0.
 * @param mutationEpochs - `T`, an integer ≥ 1.
 * @returns phase, position, cycle number and ratio.
 * @throws RangeError if `epoch` is before `cycleStart` (it is still warm-up) or an argument is bad.
 * @example
 * ```ts
 * cyclePhase(5, 5, 3); // { phase: 'prepare', position: 0, cycle: 0, ratio: 0 }
 * cyclePhase(7, 5, 3); // { phase: 'mutate', position: 2, cycle: 0, ratio: 0.75 }
 * cyclePhase(9, 5, 3); // { phase: 'prepare', position: 0, cycle: 1, ratio: 0 }
 * ```
 */
export function cyclePhase(epoch: number, cycleStart: number, mutationEpochs: number): CyclePhase {
  checkInteger('cyclePhase()', 'cycleStart', cycleStart, 0);
  checkInteger('cyclePhase()', 'mutationEpochs', mutationEpochs, 1);
  checkInteger('cyclePhase()', 'epoch', epoch, cycleStart);
  const length = mutationEpochs + 1;
  const offset = epoch - cycleStart;
  const position = offset % length;
  return {
    phase: position === 0 ? 'prepare' : 'mutate',
    position,
    cycle: Math.floor(offset / length),
    ratio: cosineRatio(position, mutationEpochs),
  };
}
