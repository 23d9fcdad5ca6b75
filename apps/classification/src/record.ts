/**
 * The JSON record one training run writes: everything the report and the
 * plots are made from.
 */

export type StrategyName = 'full' | 'staticRandom' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';
export type ModelName = 'mlp' | 'cnn';
/** Pruning levels like the papers' L1/L2/L3: roughly 30 %, 50 % and 70 % of sample-visits saved ('none' for full). */
export type Level = 'none' | 'L1' | 'L2' | 'L3';

export interface EpochRecord {
  readonly epoch: number;
  /** The pruner's phase for this epoch. */
  readonly phase: string;
  /** Mean per-sample training loss over the samples visited (weights applied as trained). */
  readonly trainLoss: number;
  /** Accuracy on the (clean) test set after this epoch, in [0, 1]. */
  readonly testAccuracy: number;
  /** Samples visited this epoch. */
  readonly visited: number;
  /** 1 − visited / N. */
  readonly prunedRatio: number;
  /** Realised saved ratio of the run so far. */
  readonly savedRatioSoFar: number;
  /** Wall time of this epoch's training (evaluation excluded), ms. */
  readonly wallTimeMs: number;
  /** With label noise: how many noisy (flipped) samples were visited this epoch. */
  readonly noisyVisited?: number;
}

export interface RunConfig {
  readonly model: ModelName;
  readonly strategy: StrategyName;
  readonly level: Level;
  /** The strategy's options as passed to its factory (pruneRatio, groups, …). */
  readonly strategyOptions: Record<string, unknown>;
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Training examples used (≤ 60,000). */
  readonly trainSize: number;
  /** Test examples evaluated (≤ 10,000). */
  readonly testSize: number;
  /** Symmetric label-noise rate (0 = clean). */
  readonly labelNoise: number;
}

export interface RunRecord {
  /** Format version of this record. */
  readonly version: 1;
  readonly config: RunConfig;
  /** TensorFlow.js backend that trained it ('wasm', 'cpu', 'tensorflow'). */
  readonly backend: string;
  readonly epochs: readonly EpochRecord[];
  /** Test accuracy after the last epoch. */
  readonly finalAccuracy: number;
  /** Σ pruned / (N · E): the papers' "Pruned %" as realised. */
  readonly savedRatio: number;
  /** Total training wall time (evaluation excluded), ms. */
  readonly trainTimeMs: number;
  /** Total wall time including evaluation, ms. */
  readonly totalTimeMs: number;
  /** With label noise: flipped samples, and visits to them vs to clean ones, over the run. */
  readonly noise?: {
    readonly flipped: number;
    /** Mean visits per noisy sample over the run. */
    readonly visitsPerNoisy: number;
    /** Mean visits per clean sample over the run. */
    readonly visitsPerClean: number;
  };
  readonly startedAt: string;
}
