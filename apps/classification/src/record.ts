/**
 * The JSON record one training run writes: everything the report and the
 * plots are made from. What every app records is in `@seta-apps/shared`'s
 * base types; this file adds what classification measures.
 */
import type { EpochRecordBase, RunConfigBase, RunRecordBase } from '@seta-apps/shared';

export type StrategyName = 'full' | 'staticRandom' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';
export type ModelName = 'mlp' | 'cnn';
/** Pruning levels like the papers' L1/L2/L3: roughly 30 %, 50 % and 70 % of sample-visits saved ('none' for full). */
export type Level = 'none' | 'L1' | 'L2' | 'L3';

export interface EpochRecord extends EpochRecordBase {
  /** Accuracy on the (clean) test set after this epoch, in [0, 1]. */
  readonly testAccuracy: number;
  /** Wall time of this epoch's training (evaluation and checkpointing excluded), ms. */
  readonly wallTimeMs: number;
  /** Process CPU time (user + system) of this epoch's training, evaluation and checkpointing excluded, ms. */
  readonly cpuMs?: number;
  /** Σ of the plan's weights (InfoBatch's 1/keep): what the gradient saw, in samples; = visited without weights. */
  readonly weightedVisits?: number;
  /** Accuracy on the held-out validation split after this epoch, when the run has one. */
  readonly validationAccuracy?: number;
  /** With label noise: how many noisy (flipped) samples were visited this epoch. */
  readonly noisyVisited?: number;
  /** With label noise: Σ of the plan's weights over the noisy samples visited this epoch. */
  readonly weightedNoisyVisits?: number;
}

export interface RunConfig extends RunConfigBase<StrategyName> {
  readonly model: ModelName;
  readonly level: Level;
  /** Symmetric label-noise rate (0 = clean). */
  readonly labelNoise: number;
  /**
   * Full data only: train for this many epochs' worth of visits (may be
   * fractional; the last epoch is cut) with the cosine schedule over exactly
   * that budget — the equal-compute baseline. `epochs` is its ceiling.
   */
  readonly budgetEpochs?: number;
  /** Examples held out of the training set for validation (chosen with a fixed seed, the same for every run); 0 or absent: none. */
  readonly validationSize?: number;
}

export interface RunRecord extends RunRecordBase<RunConfig, EpochRecord> {
  /** Test accuracy after the last epoch. */
  readonly finalAccuracy: number;
  /** Total process CPU time of training (evaluation and checkpointing excluded), ms. */
  readonly cpuTimeMs?: number;
  /** SHA-256 of the initial weights: equal within a seed across arms, different across seeds. */
  readonly initDigest?: string;
  /** Processes that ran this record's epochs (more than 1 after a kill and resume). */
  readonly processes?: number;
  /** With label noise: flipped samples, and visits to them vs to clean ones, over the run. */
  readonly noise?: {
    readonly flipped: number;
    /** Mean visits per noisy sample over the run. */
    readonly visitsPerNoisy: number;
    /** Mean visits per clean sample over the run. */
    readonly visitsPerClean: number;
    /** Mean Σ weights per noisy sample over the run: the gradient's exposure to it. */
    readonly weightedPerNoisy?: number;
    /** Mean Σ weights per clean sample over the run. */
    readonly weightedPerClean?: number;
  };
}
