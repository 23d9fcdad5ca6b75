import { checkArrayLike, checkInteger, checkNumber, checkOneOf, checkOptionKeys, checkOptions, checkStrategyOptions, describeValue, keepRatio } from '@seta/core';
import { windowRange, windowSize } from '@seta/window';
import type { WindowOrder, WindowVariant } from '@seta/window';
import type { SetaOptions } from './seta.js';
import { OPTION_KEYS } from './option-keys.js';

/** What {@link expectedSavedRatio} assumes about the losses. */
export interface SetaLossAssumptions {
  /**
   * The relative sizes of the `k` loss groups, easiest (lowest centroid)
   * first: positive numbers, scaled to sum to 1 (default: all equal). The
   * groups k-means finds are rarely equal; pass the sizes a run measured for
   * a closer estimate.
   */
  readonly groupShares?: ArrayLike<number>;
}


/** A bound for a message, rounded to 4 decimals in the direction that keeps it true. */
const below = (x: number) => Math.floor(x * 10_000) / 10_000;
const above = (x: number) => Math.ceil(x * 10_000) / 10_000;

/** The largest pruneRatio that still changes keep = clamp(1 − r, 0.1, 1). */
const MAX_PRUNE_RATIO = 0.9;

interface Run {
  readonly size: number;
  readonly epochs: number;
  /** Prune-phase epochs: 0 … floor(δ · E) − 1. */
  readonly pruning: number;
  readonly groups: number;
  readonly windowScale: number;
  readonly order: WindowOrder;
  readonly variant: WindowVariant;
  /** Group shares, summing to 1. */
  readonly shares: Float64Array;
}

function checkRun(fn: string, options: SetaOptions, assumptions: SetaLossAssumptions | undefined): Run {
  const { size, epochs } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const groups = checkInteger(fn, 'groups', options.groups ?? 5, 1);
  if (groups > size) throw new RangeError(`${fn}: groups must not exceed size ${size}, got ${groups}`);
  const windowScale = checkNumber(fn, 'windowScale', options.windowScale ?? 0.9, 0, 1, { openMin: true });
  const delta = checkNumber(fn, 'delta', options.delta ?? 0.875, 0, 1);
  const order = checkOneOf(fn, 'order', options.order ?? 'easy-to-hard', ['easy-to-hard', 'hard-to-easy'] as const);
  const variant = checkOneOf(fn, 'variant', options.variant ?? 'cyclic', ['cyclic', 'continuous'] as const);
  checkOptions(fn, assumptions);
  checkOptionKeys(fn, assumptions ?? {}, ['groupShares']);
  const shares = new Float64Array(groups).fill(1 / groups);
  if (assumptions?.groupShares !== undefined) {
    const given = checkArrayLike(fn, 'groupShares', assumptions.groupShares);
    if (given.length !== groups) throw new RangeError(`${fn}: groupShares must have one share per group (${groups}), got ${given.length}`);
    let total = 0;
    for (let g = 0; g < groups; g++) total += checkNumber(fn, `groupShares[${g}]`, given[g], 0, Number.MAX_VALUE, { openMin: true });
    for (let g = 0; g < groups; g++) shares[g] = given[g]! / total;
  }
  return { size, epochs, pruning: Math.floor(delta * epochs), groups, windowScale, order, variant, shares };
}

/** The saved ratio of a run with random-downsampling drop `pruneRatio`; see {@link expectedSavedRatio}. */
function savedRatio(run: Run, pruneRatio: number): number {
  const { size, epochs, pruning } = run;
  const keep = keepRatio(pruneRatio);
  const sampled = Math.floor(keep * size);
  const whole = Math.max(1, sampled); // a plan is never empty
  let visited = 0;
  for (let e = 0; e < epochs; e++) {
    if (e === 0 || e >= pruning) {
      visited += whole; // all k groups at step 0; partial annealing from floor(δ · E)
      continue;
    }
    // Step t = e: the sampled ids never visited before are kept whatever their group; the share
    // (1 − sampled / N)^t of the data is still unseen, as every visit to one of them is its first.
    const unseen = Math.pow(1 - sampled / size, e);
    const range = windowRange(e, run.groups, run.windowScale, { order: run.order, variant: run.variant });
    let inWindow = 0;
    for (let g = range.start; g < range.end; g++) inWindow += run.shares[g]!;
    visited += sampled * (unseen + (1 - unseen) * inWindow);
  }
  return 1 - visited / (size * epochs);
}

/**
 * SeTa's `pruneRatio` for a target saved ratio: the smallest multiple of
 * 0.0001 in [0, 0.9] whose expected saving reaches the target, searched in
 * steps of 0.001 and then 0.0001. (The saving is not monotone in
 * `pruneRatio` for narrow windows — the more is downsampled, the more
 * samples stay unseen, and unseen samples are always kept — so this is a
 * search, not a bisection.)
 *
 * @internal
 */
export function pruneRatioForTarget(fn: string, options: SetaOptions, assumptions?: SetaLossAssumptions): number {
  const target = options.targetSavedRatio;
  if (options.pruneRatio !== undefined) {
    throw new TypeError(
      `${fn}: give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio ${describeValue(target)} and pruneRatio ${describeValue(options.pruneRatio)}`,
    );
  }
  const run = checkRun(fn, options, assumptions);
  const t = checkNumber(fn, 'targetSavedRatio', target, 0, 1);
  const at = (tenThousandths: number) => savedRatio(run, tenThousandths / 10_000);
  const last = MAX_PRUNE_RATIO * 10_000;
  let best = -Infinity;
  for (let coarse = 0; coarse <= last; coarse += 10) {
    const saved = at(coarse);
    if (saved < t) {
      best = Math.max(best, saved);
      continue;
    }
    if (coarse === 0) {
      if (t === 0 || saved === t) return 0;
      const w = windowSize(run.groups, run.windowScale);
      throw new RangeError(
        `${fn}: targetSavedRatio must be at least ${above(saved)} with ${run.groups} groups and windowScale ${run.windowScale} (a window of ${w} groups saves that without downsampling, over ${run.pruning} of ${run.epochs} epochs), got ${describeValue(t)}; a larger windowScale saves less`,
      );
    }
    for (let fine = coarse - 9; fine < coarse; fine++) if (at(fine) >= t) return fine / 10_000;
    return coarse / 10_000;
  }
  throw new RangeError(
    `${fn}: targetSavedRatio must be at most ${below(best)} with ${run.groups} groups and windowScale ${run.windowScale} (keep is at least 0.1, over ${run.pruning} of ${run.epochs} epochs before partial annealing), got ${describeValue(t)}`,
  );
}

/**
 * The share of sample visits SeTa saves over a run against full data. Exact
 * for epoch 0, where the window holds every group and the plan is the
 * `floor(keep · N)` downsampled ids, and for the partial-annealing epochs
 * from `floor(δ · E)`, which visit `floor(keep · N)` too. In between, at
 * step `t`, the plan holds the downsampled ids never visited before (always
 * kept; an expected share `(1 − floor(keep · N) / N)^t` of them) and, of the
 * others, those in the window's groups — which is where the losses come in:
 * the estimate takes the groups to have the sizes `groupShares` says (equal
 * by default; the paper's `1 − keep · w / k` per epoch).
 *
 * How close it comes (the package's tests): exact, to rounding, without
 * downsampling (`pruneRatio` 0) when the losses form `k` clusters of the
 * given sizes; within 0.005 with downsampling on such losses; within 0.02
 * on uniform losses (k-means then finds near-equal groups). On real training
 * losses the groups are unequal and the window's share moves with them: the
 * classification evidence study saved 39.8 % and 62 % where equal groups
 * give 25 % and 53 %; the contrastive runs 21 % where they give 25 %.
 * O(E · k).
 *
 * @param options - {@link seta}'s options (a `targetSavedRatio` is resolved
 *   first, see {@link optionsForSavedRatio}).
 * @param assumptions - `groupShares`, the relative sizes of the loss groups.
 * @returns the expected saved ratio, in [0, 1).
 * @throws TypeError / RangeError for options {@link seta} refuses, or
 *   `groupShares` that are not `groups` positive numbers.
 * @example
 * ```ts
 * // CIFAR recipe: keep 0.9, a window of 4 of 5 groups, annealing from epoch 175 of 200
 * expectedSavedRatio({ size: 50_000, epochs: 200, pruneRatio: 0.1 }); // 0.2565
 * ```
 */
export function expectedSavedRatio(options: SetaOptions, assumptions?: SetaLossAssumptions): number {
  const fn = 'expectedSavedRatio()';
  const run = checkRun(fn, options, assumptions);
  const pruneRatio =
    options.targetSavedRatio === undefined
      ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.1, 0, 1)
      : pruneRatioForTarget(fn, options, assumptions);
  return savedRatio(run, pruneRatio);
}

/**
 * SeTa's options with `targetSavedRatio` replaced by the `pruneRatio` (the
 * random-downsampling drop) the rule chooses; options without a target come
 * back as they are.
 *
 * The rule: `groups`, `windowScale`, `order` and `variant` stay as given (the
 * window is the method; the downsampling is the budget), and `pruneRatio` is
 * the smallest multiple of 0.0001 in [0, 0.9] whose {@link expectedSavedRatio}
 * — under the same group-size assumption — reaches the target (so it saves
 * the target or up to one 0.0001 step of `pruneRatio` more). Its range is therefore set by
 * the window: without downsampling, a window of `w` of `k` equal groups
 * already saves about `1 − w / k` per pruning epoch (a smaller target is a
 * `RangeError`: widen the window), and keep = 0.1 bounds it above. About a
 * thousand evaluations of O(E · k).
 *
 * @param options - {@link seta}'s options with `targetSavedRatio`.
 * @param assumptions - `groupShares`, the relative sizes of the loss groups.
 * @returns the options to build the pruner with.
 * @throws TypeError when both `targetSavedRatio` and `pruneRatio` are given,
 *   or a value is of the wrong kind; RangeError for a target out of reach.
 * @example
 * ```ts
 * optionsForSavedRatio({ size: 55_000, epochs: 30, targetSavedRatio: 0.3 });
 * // { size: 55_000, epochs: 30, pruneRatio: 0.1613 }
 * ```
 */
export function optionsForSavedRatio(options: SetaOptions, assumptions?: SetaLossAssumptions): SetaOptions {
  const fn = 'optionsForSavedRatio()';
  if (options?.targetSavedRatio === undefined) {
    checkRun(fn, options, assumptions);
    return options;
  }
  const pruneRatio = pruneRatioForTarget(fn, options, assumptions);
  const { targetSavedRatio: _target, ...rest } = options;
  return { ...rest, pruneRatio };
}
