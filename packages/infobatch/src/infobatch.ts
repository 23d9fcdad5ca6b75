import { annealStage, checkNumber, checkStrategyOptions, createPruner } from '@seta/core';
import type { PipelinePruner, StrategyOptions } from '@seta/core';
import { OPTION_KEYS } from './option-keys.js';
import { LossStore } from '@seta/loss-store';
import { belowMeanStage } from './below-mean-stage.js';
import { pruneRatioForTarget } from './saved-ratio.js';

/** Options of {@link infobatch}. */
export interface InfoBatchOptions extends StrategyOptions {
  /** r, the fraction of the below-mean samples dropped, in [0, 1] (default 0.5); keep = clamp(1 − r, 0.1, 1). */
  readonly pruneRatio?: number;
  /**
   * Instead of `pruneRatio`: the share of sample visits to save over the run;
   * sets `pruneRatio` by the rule of `optionsForSavedRatio` (an estimate that
   * assumes 1 − 1/e of the samples are below the mean loss). Not together with `pruneRatio`.
   */
  readonly targetSavedRatio?: number;
  /** δ: full-data annealing from epoch `floor(δ · E)`, in [0, 1] (default 0.875). */
  readonly delta?: number;
  /** `'error'` (default) or `'skip'`: a NaN or infinite loss keeps the sample's previous score and is counted. */
  readonly nonFinite?: 'error' | 'skip';
}


/**
 * InfoBatch (Qin et al., "InfoBatch: Lossless Training Speed Up by Unbiased
 * Dynamic Data Pruning", ICLR 2024), as docs/methods/infobatch.md states it. Each epoch
 * before `floor(δ · E)`: of the samples whose latest loss is below the mean of
 * all seen losses, keep a random `keep = clamp(1 − r, 0.1, 1)` share with
 * weight `1 / keep`; keep every other sample (unseen ones included) with
 * weight 1. From `floor(δ · E)` on: every sample, weight 1.
 *
 * The realised saved ratio is well below `r` — only below-mean samples are
 * candidates — so read `savedRatio` or the epoch summaries, never `r`;
 * `expectedSavedRatio(options)` estimates it beforehand, and
 * `targetSavedRatio` asks for a saving instead of giving `r`.
 *
 * Deliberate difference from the reference code: it starts every score at 3.0
 * and counts those in the mean; here unseen samples are kept and left out of
 * the mean. The first epoch is full either way.
 *
 * Memory: 4.125 bytes per sample of scores and seen bitmap kept between
 * epochs; `plan` is O(N) and its temporaries and the plan bring the peak to
 * about 26 bytes per sample (the README gives the measurement), which sets
 * the largest size a machine can hold well below `MAX_SIZE` = 2^31 − 1.
 *
 * @param options - see {@link InfoBatchOptions}.
 * @returns the pruner.
 * @throws TypeError for missing options, an unknown option (naming the one it
 *   most likely meant), a `null` one, or a value of the wrong kind;
 *   RangeError for a value out of range, e.g. a `size` above `MAX_SIZE`.
 * @example
 * ```ts
 * const pruner = infobatch({ size: 50_000, epochs: 200, pruneRatio: 0.5 });
 * const plan = pruner.plan(0); // plan.indices, plan.weights
 * ```
 */
export function infobatch(options: InfoBatchOptions): PipelinePruner {
  const fn = 'infobatch()';
  const { size, epochs, nonFinite } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const pruneRatio =
    options.targetSavedRatio === undefined ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.5, 0, 1) : pruneRatioForTarget(fn, options);
  const delta = checkNumber(fn, 'delta', options.delta ?? 0.875, 0, 1);
  return createPruner({
    name: 'infobatch',
    size,
    epochs,
    seed: options.seed, // createPruner checks seed, naming infobatch()
    // The store owns the rule for non-finite losses; the pipeline follows it.
    store: new LossStore(size, { trackEpochs: false, trackCounts: false, nonFinite }),
    stages: [annealStage({ delta }), belowMeanStage({ pruneRatio })],
    fingerprint: { pruneRatio, delta },
  });
}
