/**
 * What an epoch is doing.
 * - `full`: every sample (a baseline, or a strategy with nothing to prune yet).
 * - `warmup`: full data while a strategy gathers losses (SCAN's warm-up and
 *   preparation epochs).
 * - `prune`: the strategy dropped samples.
 * - `anneal`: the final epochs, where a strategy stops pruning (or prunes only
 *   at random) so that training ends on the whole distribution.
 */
export type Phase = 'full' | 'warmup' | 'prune' | 'anneal';

/** The samples to visit in one epoch, in visiting order, with optional loss weights. */
export interface EpochPlan {
  /** 0-based epoch number. */
  readonly epoch: number;
  readonly phase: Phase;
  /** N, the dataset size. */
  readonly size: number;
  /** Ids to visit, in visiting order, without repeats. */
  readonly indices: Uint32Array;
  /** `weights[i]` belongs to `indices[i]`; `null` means every weight is 1. */
  readonly weights: Float32Array | null;
}

/** Summary of a finished epoch, returned by {@link Pruner.endEpoch}. */
export interface EpochSummary {
  readonly epoch: number;
  readonly phase: Phase;
  /** |plan|: samples visited this epoch. */
  readonly visited: number;
  /** 1 - visited / size. */
  readonly prunedRatio: number;
  /** Σ pruned / (size · epochs finished): the run's realised saved ratio so far. */
  readonly savedRatioSoFar: number;
  /** Mean of this epoch's observed losses (both directions summed for two-loss tasks), or null if none. */
  readonly meanLoss: number | null;
  /** Losses that were NaN or infinite and skipped (only with `nonFinite: 'skip'`). */
  readonly skippedNonFinite?: number;
}

/**
 * A dynamic data-pruning strategy. Per epoch: `plan(e)`, then `observe` once
 * per batch, then `endEpoch()`. Calls out of this order throw
 * {@link CallOrderError}.
 */
export interface Pruner {
  readonly name: string;
  /** N, the dataset size. */
  readonly size: number;
  /** The plan of epoch `epoch`; epochs must come in order 0, 1, 2, … */
  plan(epoch: number): EpochPlan;
  /** Report a batch's per-sample losses (and the second direction's, for contrastive tasks). */
  observe(ids: ArrayLike<number>, losses: ArrayLike<number>, lossesB?: ArrayLike<number>): void;
  /** Close the current epoch. */
  endEpoch(): EpochSummary;
  /** Everything needed to continue exactly, as bytes. */
  saveState(): Uint8Array;
  /** Restore a state saved by a pruner built with the same options. */
  loadState(state: Uint8Array): void;
}
