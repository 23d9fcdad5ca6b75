import { checkInteger, checkNumber, checkOneOf, checkOptionKeys, checkOptions } from '@seta/core';
import { roundHalfEven } from './round-half-even.js';

/** Which way the window walks over the loss groups. */
export type WindowOrder = 'easy-to-hard' | 'hard-to-easy';

/**
 * What the window does after reaching the far end:
 * - `'cyclic'` (SeTa's default, eq. 7): wraps back to the first position.
 * - `'continuous'`: does not wrap; it stays on the last position (the hardest
 *   groups, for easy-to-hard) for every later step.
 */
export type WindowVariant = 'cyclic' | 'continuous';

/** Options of {@link windowRange}. */
export interface WindowOptions {
  /** Default `'easy-to-hard'`. */
  readonly order?: WindowOrder;
  /** Default `'cyclic'`. */
  readonly variant?: WindowVariant;
}

/** A run of consecutive groups, by ascending centroid (0 = easiest): `start` … `end - 1`. */
export interface GroupRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * SeTa's window size (eq. 6): `w = max(1, roundHalfEven(groups · windowScale))`.
 * Rounding is half to even, as Python's `round` in the reference code, so
 * `groups = 5, windowScale = 0.9` gives 4, not 5. O(1).
 *
 * @param groups - number of loss groups `k`, an integer ≥ 1.
 * @param windowScale - fraction of the groups in the window, in (0, 1].
 * @returns the number of groups the window holds, in [1, groups].
 * @throws RangeError for a bad `groups` or `windowScale`.
 * @example
 * ```ts
 * windowSize(5, 0.9);  // 4  (4.5 rounds to even)
 * windowSize(10, 0.5); // 5
 * windowSize(5, 0.05); // 1  (never empty)
 * ```
 */
export function windowSize(groups: number, windowScale: number): number {
  checkInteger('windowSize()', 'groups', groups, 1);
  checkNumber('windowSize()', 'windowScale', windowScale, 0, 1, { openMin: true });
  return Math.max(1, roundHalfEven(groups * windowScale));
}

/**
 * The groups SeTa keeps at prune step `step` (eq. 7; docs/methods/seta.md, step 3).
 * With `w` = {@link windowSize}, `slide = groups − w` and
 * `start = step mod (slide + 1)`: step 0 keeps all groups; step `t > 0` keeps
 * the `w` groups from position `start`, walking from the easiest groups to
 * the hardest and wrapping around. `'hard-to-easy'` walks the other way;
 * `'continuous'` stops at the last position instead of wrapping. O(1).
 *
 * @param step - prune-phase epochs before this one (`t`), an integer ≥ 0.
 * @param groups - number of loss groups `k`, an integer ≥ 1.
 * @param windowScale - in (0, 1].
 * @param options - `order` and `variant`.
 * @returns the selected groups as a range of ascending-centroid group
 *   numbers (0 = easiest), end exclusive.
 * @throws RangeError for a bad `step`, `groups`, `windowScale`, `order` or
 *   `variant`; TypeError for a value of the wrong kind, or an unknown or
 *   `null` option (naming the one it most likely meant).
 * @example
 * ```ts
 * windowRange(0, 5, 0.9); // { start: 0, end: 5 }  all groups at step 0
 * windowRange(1, 5, 0.9); // { start: 1, end: 5 }
 * windowRange(2, 5, 0.9); // { start: 0, end: 4 }  wrapped
 * windowRange(1, 5, 0.9, { order: 'hard-to-easy' }); // { start: 0, end: 4 }
 * ```
 */
export function windowRange(step: number, groups: number, windowScale: number, options: WindowOptions = {}): GroupRange {
  checkInteger('windowRange()', 'step', step, 0);
  checkInteger('windowRange()', 'groups', groups, 1);
  checkNumber('windowRange()', 'windowScale', windowScale, 0, 1, { openMin: true });
  checkOptions('windowRange()', options);
  checkOptionKeys('windowRange()', options, ['order', 'variant']);
  const order = checkOneOf('windowRange()', 'options.order', options.order ?? 'easy-to-hard', [
    'easy-to-hard',
    'hard-to-easy',
  ] as const);
  const variant = checkOneOf('windowRange()', 'options.variant', options.variant ?? 'cyclic', [
    'cyclic',
    'continuous',
  ] as const);
  if (step === 0) return { start: 0, end: groups };
  const w = Math.max(1, roundHalfEven(groups * windowScale));
  const slide = groups - w;
  const position = variant === 'cyclic' ? step % (slide + 1) : Math.min(step, slide);
  // `position` counts from the first group of the walk; map it to ascending-centroid numbers.
  const start = order === 'easy-to-hard' ? position : groups - position - w;
  return { start, end: start + w };
}
