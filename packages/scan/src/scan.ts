import { checkInteger, checkNumber, checkOneOf, checkStrategyOptions, createPruner } from '@seta/core';
import type { PipelinePruner, StrategyOptions } from '@seta/core';
import { OPTION_KEYS } from './option-keys.js';
import { checkLossThresholds, scanStage } from './scan-stage.js';
import type { ScanMode } from './scan-stage.js';
import { pruneRatioForTarget } from './saved-ratio.js';

/** Options of {@link scan}. */
export interface ScanOptions extends StrategyOptions {
  /** ρ, the average fraction pruned, in (0, 0.5] (default 0.3; 0.35 for MoCo). */
  readonly pruneRatio?: number;
  /**
   * Instead of `pruneRatio`: the share of sample visits to save over the run;
   * sets `pruneRatio` by the rule of `optionsForSavedRatio` (which assumes
   * warm-up ends as early as it can, after epoch 1). Not together with
   * `pruneRatio`, `illRatio`, `redundantRatio`, `maxLoss` or `minLoss`.
   */
  readonly targetSavedRatio?: number;
  /** ρ_ill, the share of each batch taken as ill-matched (default ρ). */
  readonly illRatio?: number;
  /** ρ_red, the share of each batch taken as redundant (default ρ). */
  readonly redundantRatio?: number;
  /** T, mutation epochs per cycle: an integer ≥ 1 (default 3). */
  readonly mutationEpochs?: number;
  /** τ: warm-up ends when the relative improvement of the epoch's mean loss falls below it (default 0.3). */
  readonly warmupThreshold?: number;
  /** Which candidates to prune: `'both'` (default), `'redundant'` or `'ill'`. */
  readonly mode?: ScanMode;
  /** Absolute threshold instead of `illRatio`: ill-matched = { loss > maxLoss } (the reference's option). */
  readonly maxLoss?: number;
  /** Absolute threshold instead of `redundantRatio`: redundant = { loss < minLoss }; at most `maxLoss` when both are given. */
  readonly minLoss?: number;
  /** `'error'` (default) or `'skip'`: NaN and infinite losses are left out of the batch's candidates and counted. */
  readonly nonFinite?: 'error' | 'skip';
}


/**
 * SCAN (Guo & Kankanhalli, "SCAN: Bootstrapping Contrastive Pre-training for
 * Data Efficiency", 2024), as docs/methods/scan.md states it: warm-up on full
 * data until the epoch's mean loss improves by less than τ (relative), then
 * cycles of one preparation epoch — collecting each batch's `⌊b·ρ_red⌋`
 * lowest-loss and `⌊b·ρ_ill⌋` highest-loss samples in both loss directions,
 * reconciled by the 90 % intersection rule — and `T` mutation epochs pruning
 * a cosine-growing share (0.25, 0.75, 1 for T = 3) of the candidates. The
 * average pruning over a cycle is ρ with the default `mode: 'both'`; a single
 * mode halves it. `expectedSavedRatio(options)` gives what a run saves (warm-up
 * epochs count as full), and `targetSavedRatio` asks for a saving instead of
 * giving `pruneRatio`.
 *
 * Report losses in both directions, `observe(ids, lossesA, lossesB)`; with
 * one loss, it stands for both.
 *
 * Deliberate differences from the reference code: `mode` takes effect (the
 * reference compares against strings it never accepts); a count of 0 selects
 * nothing (the reference's `[-0:]` slice selects the whole batch); sampling
 * never depends on Python set order; every worker draws the same subset.
 *
 * Memory: 0.25 bytes per sample of candidate bitmaps kept between epochs;
 * `plan` is O(N), and its temporaries and the plan bring the peak to about
 * 9 bytes per sample (the README gives the measurement), which sets the
 * largest size a machine can hold below `MAX_SIZE` = 2^31 − 1.
 *
 * @param options - see {@link ScanOptions}.
 * @returns the pruner.
 * @throws TypeError for missing options, an unknown option (naming the one it
 *   most likely meant), a `null` one, or a value of the wrong kind;
 *   RangeError for a value out of range (a `size` above `MAX_SIZE`, a
 *   `minLoss` above `maxLoss`, …).
 * @example
 * ```ts
 * const pruner = scan({ size: 3_000_000, epochs: 32, pruneRatio: 0.3 });
 * ```
 */
export function scan(options: ScanOptions): PipelinePruner {
  const fn = 'scan()';
  const { size, epochs, nonFinite } = checkStrategyOptions(fn, options, OPTION_KEYS);
  const pruneRatio =
    options.targetSavedRatio === undefined
      ? checkNumber(fn, 'pruneRatio', options.pruneRatio ?? 0.3, 0, 0.5, { openMin: true })
      : pruneRatioForTarget(fn, options);
  const illRatio = checkNumber(fn, 'illRatio', options.illRatio ?? pruneRatio, 0, 1);
  const redundantRatio = checkNumber(fn, 'redundantRatio', options.redundantRatio ?? pruneRatio, 0, 1);
  const mutationEpochs = checkInteger(fn, 'mutationEpochs', options.mutationEpochs ?? 3, 1);
  const warmupThreshold = checkNumber(fn, 'warmupThreshold', options.warmupThreshold ?? 0.3, 0, Number.MAX_VALUE);
  const mode = checkOneOf(fn, 'mode', options.mode ?? 'both', ['both', 'redundant', 'ill'] as const);
  const { maxLoss, minLoss } = options;
  checkLossThresholds(fn, minLoss, maxLoss);
  const stage = scanStage({ illRatio, redundantRatio, mutationEpochs, warmupThreshold, mode, maxLoss, minLoss });
  return createPruner({
    name: 'scan',
    size,
    epochs,
    seed: options.seed, // createPruner checks seed, naming scan()
    nonFinite,
    stages: [stage],
    fingerprint: { pruneRatio, illRatio, redundantRatio, mutationEpochs, warmupThreshold, mode, maxLoss: maxLoss ?? null, minLoss: minLoss ?? null },
  });
}
