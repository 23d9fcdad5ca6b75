import { checkNumber, describeValue } from '@seta/core';
import { resolveBaseline } from './options.js';
import type { RandomBaselineOptions, ResolvedBaseline } from './options.js';

/**
 * Epochs that prune: every epoch before `floor(δ · E)` (δ = 1, the default,
 * prunes to the end).
 */
function pruningEpochs(o: ResolvedBaseline): number {
  return Math.floor(o.delta * o.epochs);
}

/**
 * The share of sample visits a random baseline saves over its run against
 * full data, `Σ_e (N − |plan_e|) / (N · E)` — exact, since the rule does not
 * look at losses: each of the `P = floor(δ · E)` pruning epochs visits
 * `floor((1 − r) · N)` ids (at least one), computed as the pruner computes it, and the
 * annealing epochs after them visit all `N`. Static and dynamic random visit
 * the same number of ids every epoch, so one function serves both; `full()`
 * saves 0. O(1).
 *
 * @param options - the options of {@link staticRandom} or {@link dynamicRandom}:
 *   `size`, `epochs`, `delta`, and `pruneRatio` or `targetSavedRatio`.
 * @returns the saved ratio, in [0, 1); equal (`===`) to the last epoch
 *   summary's `savedRatioSoFar` of a run with these options.
 * @throws TypeError / RangeError for options the baseline would refuse, or a
 *   target it cannot reach (see {@link optionsForSavedRatio}).
 * @example
 * ```ts
 * expectedSavedRatio({ size: 1000, epochs: 10, pruneRatio: 0.3 }); // 0.3
 * expectedSavedRatio({ size: 1000, epochs: 8, pruneRatio: 0.4, delta: 0.75 }); // 0.3 (6 of 8 epochs prune)
 * ```
 */
export function expectedSavedRatio(options: RandomBaselineOptions): number {
  const fn = 'expectedSavedRatio()';
  const o = resolveBaseline(fn, options, ['pruneRatio'], ['targetSavedRatio']);
  const r = resolvePruneRatio(fn, options, o);
  // The pipeline turns an empty plan into one random id.
  const kept = Math.max(1, Math.floor((1 - r) * o.size));
  return (pruningEpochs(o) * (o.size - kept)) / (o.size * o.epochs);
}

/**
 * The options of a random baseline with `targetSavedRatio` replaced by the
 * `pruneRatio` the rule chooses; options without a target come back as they
 * are. The rule: with `P = floor(δ · E)` pruning epochs of `E`, `pruneRatio =
 * target · E / P` (the target itself with the default δ = 1). Because a count
 * is floored, the run then saves at least the target and less than one
 * sample per pruning epoch more, `target ≤ expectedSavedRatio < target + P / (N · E)`,
 * as long as a pruning epoch keeps at least one sample (a plan is never empty). O(1).
 *
 * @param options - the baseline's options with `targetSavedRatio` in [0, P / E).
 * @returns the options to build the baseline with.
 * @throws TypeError when both `targetSavedRatio` and `pruneRatio` are given
 *   (the target sets `pruneRatio`) or a value is of the wrong kind;
 *   RangeError for a target the baseline cannot reach (`pruneRatio` would be
 *   1 or more: annealing epochs save nothing).
 * @example
 * ```ts
 * optionsForSavedRatio({ size: 1000, epochs: 8, delta: 0.75, targetSavedRatio: 0.3 });
 * // { size: 1000, epochs: 8, delta: 0.75, pruneRatio: 0.4 }
 * ```
 */
export function optionsForSavedRatio(options: RandomBaselineOptions): RandomBaselineOptions {
  const fn = 'optionsForSavedRatio()';
  const o = resolveBaseline(fn, options, ['pruneRatio'], ['targetSavedRatio']);
  if (options.targetSavedRatio === undefined) return options;
  const { targetSavedRatio: _target, ...rest } = options;
  return { ...rest, pruneRatio: resolvePruneRatio(fn, options, o) };
}

/**
 * The baseline's `pruneRatio`: the option itself, checked, or the one the
 * saved-ratio rule chooses for `targetSavedRatio`.
 *
 * @internal
 */
export function resolvePruneRatio(fn: string, options: RandomBaselineOptions, o: ResolvedBaseline): number {
  const target = options.targetSavedRatio;
  if (target === undefined) return checkNumber(fn, 'pruneRatio', options.pruneRatio, 0, 1, { openMax: true });
  if (options.pruneRatio !== undefined) {
    throw new TypeError(
      `${fn}: give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio ${describeValue(target)} and pruneRatio ${describeValue(options.pruneRatio)}`,
    );
  }
  const pruning = pruningEpochs(o);
  const reach = pruning / o.epochs;
  checkNumber(fn, 'targetSavedRatio', target, 0, 1);
  if (target === 0) return 0;
  if (!(target < reach)) {
    throw new RangeError(
      `${fn}: targetSavedRatio must be below ${reach} (${pruning} of ${o.epochs} epochs prune with delta ${o.delta}; the others visit every sample), got ${describeValue(target)}`,
    );
  }
  // E / P is 1 with the default delta, so the target is then taken exactly.
  const pruneRatio = target * (o.epochs / pruning);
  if (!(pruneRatio < 1)) throw new RangeError(`${fn}: targetSavedRatio ${target} needs a pruneRatio of 1 or more with ${pruning} of ${o.epochs} pruning epochs`);
  return pruneRatio;
}
