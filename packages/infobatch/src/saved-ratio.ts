import { checkNumber, checkOptionKeys, checkOptions, checkStrategyOptions, describeValue } from '@seta/core';
import { infobatchKeep } from './below-mean-stage.js';
import type { InfoBatchOptions } from './infobatch.js';
import { OPTION_KEYS } from './option-keys.js';

/**
 * The share of samples below the mean loss that {@link expectedSavedRatio}
 * assumes by default: `1 − 1/e ≈ 0.632`, the share of an exponential
 * distribution below its mean. Losses symmetric about their mean (median =
 * mean) put 0.5 there; training losses are skewed to the right (many
 * well-learned samples, a few hard ones: the median is below the mean), so
 * more than half are below. The apps of this repository measured 0.65–0.80.
 */
export const EXPONENTIAL_BELOW_MEAN_SHARE = 1 - Math.exp(-1);

/** What {@link expectedSavedRatio} assumes about the losses. */
export interface InfoBatchLossAssumptions {
  /**
   * The share of the samples whose score is below the mean score, in each
   * pruning epoch, in (0, 1) (default {@link EXPONENTIAL_BELOW_MEAN_SHARE}).
   * 0.5 for losses symmetric about their mean.
   */
  readonly belowMeanShare?: number;
}


interface Run {
  readonly epochs: number;
  /** Epochs that can prune: 1 … floor(δ · E) − 1 (epoch 0 has no scores yet, so nothing is below the mean). */
  readonly pruning: number;
  readonly share: number;
}

function checkRun(fn: string, options: InfoBatchOptions, assumptions: InfoBatchLossAssumptions | undefined): Run {
  const { epochs } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const delta = checkNumber(fn, 'delta', options.delta ?? 0.875, 0, 1);
  checkOptions(fn, assumptions);
  checkOptionKeys(fn, assumptions ?? {}, ['belowMeanShare']);
  const share = checkNumber(fn, 'belowMeanShare', assumptions?.belowMeanShare ?? EXPONENTIAL_BELOW_MEAN_SHARE, 0, 1, { openMin: true, openMax: true });
  return { epochs, pruning: Math.max(0, Math.floor(delta * epochs) - 1), share };
}

/**
 * InfoBatch's `pruneRatio` for a target saved ratio: `r = target · E / (f · P)`,
 * with `f` the assumed share below the mean and `P = floor(δ · E) − 1` the
 * epochs that can prune — the inverse of {@link expectedSavedRatio}.
 *
 * @internal
 */
export function pruneRatioForTarget(fn: string, options: InfoBatchOptions, assumptions?: InfoBatchLossAssumptions): number {
  const target = options.targetSavedRatio;
  if (options.pruneRatio !== undefined) {
    throw new TypeError(
      `${fn}: give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio ${describeValue(target)} and pruneRatio ${describeValue(options.pruneRatio)}`,
    );
  }
  const run = checkRun(fn, options, assumptions);
  checkNumber(fn, 'targetSavedRatio', target, 0, 1);
  if (target === 0) return 0;
  // keep is at least 0.1, so at most 0.9 of the below-mean samples are dropped.
  const reach = (0.9 * run.share * run.pruning) / run.epochs;
  if (!(target! <= reach)) {
    const pct = (run.share * 100).toFixed(1);
    throw new RangeError(
      `${fn}: targetSavedRatio must be at most ${Math.floor(reach * 10_000) / 10_000} (keep is at least 0.1, only the samples below the mean loss — assumed ${pct} % — are pruned, and only in ${run.pruning} of ${run.epochs} epochs), got ${describeValue(target)}`,
    );
  }
  return Math.min(0.9, (target! * run.epochs) / (run.share * run.pruning));
}

/**
 * The share of sample visits InfoBatch saves over a run against full data —
 * an estimate, since which samples are below the mean depends on the losses.
 * Epoch 0 visits everything (nothing has a score yet), the annealing epochs
 * from `floor(δ · E)` too, and each epoch between drops `1 − keep` of the
 * below-mean samples, assumed to be a share `f` of all of them:
 * `(1 − keep) · f · (floor(δ · E) − 1) / E`.
 *
 * How close it comes: with losses fixed per sample it is off by less than
 * one sample per pruning epoch (the floor of `keep · |W|`) when `f` is the
 * true share — 0.5 for losses symmetric about their mean, 1 − 1/e for
 * exponential ones (the default, see {@link EXPONENTIAL_BELOW_MEAN_SHARE}).
 * Losses that change from epoch to epoch move the share: pruned samples keep
 * their older scores. The tests state the tolerances measured. O(1).
 *
 * @param options - {@link infobatch}'s options (a `targetSavedRatio` is
 *   resolved first, see {@link optionsForSavedRatio}).
 * @param assumptions - `belowMeanShare` f.
 * @returns the expected saved ratio, in [0, 0.9).
 * @throws TypeError / RangeError for options {@link infobatch} refuses, or a
 *   `belowMeanShare` outside (0, 1).
 * @example
 * ```ts
 * expectedSavedRatio({ size: 50_000, epochs: 200, pruneRatio: 0.5 }, { belowMeanShare: 0.5 });
 * // 0.2175 = 0.5 · 0.5 · 174 / 200 (epochs 1 … 174 prune; annealing from 175)
 * ```
 */
export function expectedSavedRatio(options: InfoBatchOptions, assumptions?: InfoBatchLossAssumptions): number {
  const fn = 'expectedSavedRatio()';
  const run = checkRun(fn, options, assumptions);
  const pruneRatio =
    options.targetSavedRatio === undefined
      ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.5, 0, 1)
      : pruneRatioForTarget(fn, options, assumptions);
  return ((1 - infobatchKeep(pruneRatio)) * run.share * run.pruning) / run.epochs;
}

/**
 * InfoBatch's options with `targetSavedRatio` replaced by the `pruneRatio`
 * the rule chooses; options without a target come back as they are.
 *
 * The rule inverts {@link expectedSavedRatio}: `pruneRatio = target · E /
 * (f · (floor(δ · E) − 1))`, `f` the assumed share of samples below the mean
 * loss (default 1 − 1/e, exponential losses). It is as good as that
 * assumption: if a share `f'` is really below the mean, the run saves about
 * `target · f' / f`. A target above `0.9 · f · (floor(δ · E) − 1) / E` is
 * out of reach (keep is clamped at 0.1). O(1).
 *
 * @param options - {@link infobatch}'s options with `targetSavedRatio`.
 * @param assumptions - `belowMeanShare` f.
 * @returns the options to build the pruner with.
 * @throws TypeError when both `targetSavedRatio` and `pruneRatio` are given,
 *   or a value is of the wrong kind; RangeError for a target out of reach.
 * @example
 * ```ts
 * optionsForSavedRatio({ size: 60_000, epochs: 30, targetSavedRatio: 0.3 }, { belowMeanShare: 0.5 });
 * // { size: 60_000, epochs: 30, pruneRatio: 0.72 }: 0.72 · 0.5 · 25 / 30 = 0.3
 * ```
 */
export function optionsForSavedRatio(options: InfoBatchOptions, assumptions?: InfoBatchLossAssumptions): InfoBatchOptions {
  const fn = 'optionsForSavedRatio()';
  if (options?.targetSavedRatio === undefined) {
    checkRun(fn, options, assumptions);
    return options;
  }
  const pruneRatio = pruneRatioForTarget(fn, options, assumptions);
  const { targetSavedRatio: _target, ...rest } = options;
  return { ...rest, pruneRatio };
}
