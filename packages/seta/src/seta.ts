import { annealStage, checkInteger, checkNumber, checkOneOf, checkStrategyOptions, createPruner, downsampleStage, keepRatio } from '@seta/core';
import type { PipelinePruner, StrategyOptions } from '@seta/core';
import { OPTION_KEYS } from './option-keys.js';
import { LossStore } from '@seta/loss-store';
import type { WindowOrder, WindowVariant } from '@seta/window';
import { clusterWindowStage } from './cluster-window-stage.js';
import { pruneRatioForTarget } from './saved-ratio.js';

/** Options of {@link seta}. */
export interface SetaOptions extends StrategyOptions {
  /** r, the random-downsampling drop fraction, in [0, 1] (default 0.1, the CIFAR recipe; ImageNet uses 0); keep = clamp(1 − r, 0.1, 1). */
  readonly pruneRatio?: number;
  /**
   * Instead of `pruneRatio`: the share of sample visits to save over the run;
   * sets `pruneRatio` by the rule of `optionsForSavedRatio` (an estimate that
   * assumes equal-sized loss groups). Not together with `pruneRatio`.
   */
  readonly targetSavedRatio?: number;
  /** k, the number of loss groups: an integer in [1, size] (default 5). */
  readonly groups?: number;
  /** ws, the window's share of the groups, in (0, 1] (default 0.9, CIFAR; ImageNet uses 0.6). */
  readonly windowScale?: number;
  /** δ: partial annealing from epoch `floor(δ · E)`, in [0, 1] (default 0.875). */
  readonly delta?: number;
  /** `'easy-to-hard'` (default) or `'hard-to-easy'` (the paper's ablation). */
  readonly order?: WindowOrder;
  /** `'cyclic'` (default) or `'continuous'` (the window stays at the far end instead of wrapping). */
  readonly variant?: WindowVariant;
  /** `'error'` (default) or `'skip'`: a NaN or infinite loss keeps the sample's previous score and is counted. */
  readonly nonFinite?: 'error' | 'skip';
}


/**
 * SeTa (Zhou, Gao & Wang, "Scale Efficient Training for Large Datasets",
 * CVPR 2025), as docs/methods/seta.md states it. Each epoch before `floor(δ · E)`
 * (step `t` = 0, 1, …):
 * 1. random downsampling: a uniformly random `floor(keep · N)` of the ids;
 * 2. loss clustering: their seen members split by score into `k` groups with
 *    the globally optimal 1-D k-means, easy to hard;
 * 3. sliding window: `w = max(1, roundHalfEven(k · ws))` groups starting at
 *    `t mod (k − w + 1)` (all groups at `t = 0`);
 * 4. the plan is the window's groups plus the unseen sampled ids, no weights.
 * From `floor(δ · E)` on, partial annealing: a random `floor(keep · N)` ids.
 *
 * `expectedSavedRatio(options)` estimates the share of visits a run saves,
 * and `targetSavedRatio` asks for a saving instead of giving `pruneRatio`.
 *
 * Deliberate differences from the reference code: optimal k-means instead of
 * a Lloyd heuristic (never a worse partition, and deterministic); unseen
 * samples always kept instead of scored 3.0; fallback chunks of near-equal
 * size (torch.chunk can return fewer than k).
 *
 * Memory: 4.125 bytes per sample of scores and seen bitmap kept between
 * epochs; `plan` is O(N log N) (the sort inside k-means), and its k-means
 * workspace, temporaries and the plan bring the peak to about 38 bytes per
 * sample (the README gives the measurement), which sets the largest size a
 * machine can hold well below `MAX_SIZE` = 2^31 − 1.
 *
 * @param options - see {@link SetaOptions}.
 * @returns the pruner.
 * @throws TypeError for missing options, an unknown option (naming the one it
 *   most likely meant), a `null` one, or a value of the wrong kind;
 *   RangeError for a value out of range, e.g. a `size` above `MAX_SIZE`.
 * @example
 * ```ts
 * const pruner = seta({ size: 50_000, epochs: 200, pruneRatio: 0.1, groups: 5, windowScale: 0.9 });
 * ```
 */
export function seta(options: SetaOptions): PipelinePruner {
  const fn = 'seta()';
  const { size, epochs, nonFinite } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const pruneRatio =
    options.targetSavedRatio === undefined ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.1, 0, 1) : pruneRatioForTarget(fn, options);
  const groups = checkInteger(fn, 'groups', options.groups ?? 5, 1);
  if (groups > size) throw new RangeError(`${fn}: groups must not exceed size ${size}, got ${groups}`);
  const windowScale = checkNumber(fn, 'windowScale', options.windowScale ?? 0.9, 0, 1, { openMin: true });
  const delta = checkNumber(fn, 'delta', options.delta ?? 0.875, 0, 1);
  const order = checkOneOf(fn, 'order', options.order ?? 'easy-to-hard', ['easy-to-hard', 'hard-to-easy'] as const);
  const variant = checkOneOf(fn, 'variant', options.variant ?? 'cyclic', ['cyclic', 'continuous'] as const);
  const keep = keepRatio(pruneRatio);
  return createPruner({
    name: 'seta',
    size,
    epochs,
    seed: options.seed, // createPruner checks seed, naming seta()
    // The store owns the rule for non-finite losses; the pipeline follows it.
    store: new LossStore(size, { trackEpochs: false, trackCounts: false, nonFinite }),
    stages: [
      annealStage({ delta, keep }),
      downsampleStage({ keep }),
      clusterWindowStage({ groups, windowScale, order, variant }),
    ],
    fingerprint: { pruneRatio, groups, windowScale, delta, order, variant },
  });
}
