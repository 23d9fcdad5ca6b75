/**
 * The JSON record one pre-training run writes: everything the report and the
 * plots are made from. What every app records is in `@seta-apps/shared`'s
 * base types; this file adds what contrastive pre-training measures.
 */
import type { EpochRecordBase, RunConfigBase, RunRecordBase } from '@seta-apps/shared';

/** CLIP-style image–caption pairs, or MoCo-style two views of one image. */
export type Style = 'clip' | 'moco';
export type StrategyName = 'full' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';

export interface EpochRecord extends EpochRecordBase {
  /** Wall time of this epoch's training (evaluation excluded), ms. */
  readonly wallTimeMs: number;
  /** CPU time of the process over this epoch's training (plan, batches, steps, checkpoint; evaluation excluded), ms. */
  readonly cpuTimeMs: number;
  /** Samples left out of this epoch's plan. */
  readonly pruned: number;
  /** …of which ill-matched pairs. */
  readonly prunedMismatched: number;
  /** …of which near-duplicate copies. */
  readonly prunedDuplicate: number;
  /** The quick per-epoch metric on the evaluation subset: zero-shot accuracy (clip) or k-NN accuracy (moco), in [0, 1]. */
  readonly metric: number;
  /** CLIP's learnt logit scale exp(s) after the epoch. */
  readonly logitScale?: number;
}

export interface RunConfig extends RunConfigBase<StrategyName> {
  readonly style: Style;
  /** Test images of the per-epoch metric. */
  readonly evalSize: number;
  /** Share of ill-matched pairs. */
  readonly mismatch: number;
  /** Share of near-duplicate pairs. */
  readonly duplicates: number;
  /** Copies per duplicated source image. */
  readonly copies: number;
}

/** How well a strategy's pruned samples hit the injected corruptions, over the epochs that pruned. */
export interface PruneQuality {
  /** Epochs with at least one pruned sample. */
  readonly pruningEpochs: number;
  /** Σ pruned over those epochs. */
  readonly pruned: number;
  /** Σ pruned ill-matched / Σ pruned (the base rate is the mismatch share). */
  readonly mismatchedPrecision: number;
  /** Σ pruned ill-matched / (ill-matched · pruning epochs). */
  readonly mismatchedRecall: number;
  readonly duplicatePrecision: number;
  readonly duplicateRecall: number;
}

export interface RunRecord extends RunRecordBase<RunConfig, EpochRecord> {
  /**
   * Final evaluation on `testSize` test images (recall@k: on the first
   * 1,000 pairs of them). clip: `zeroShot`,
   * `imageToTextR1`, `imageToTextR5`, `textToImageR1`, `textToImageR5`;
   * moco: `knn`, `linearProbe`. All in [0, 1].
   */
  readonly final: Readonly<Record<string, number>>;
  /** The final evaluation of the untrained encoders (same keys as `final`). */
  readonly initial: Readonly<Record<string, number>>;
  /** The per-epoch metric of the untrained encoders (what pre-training adds is measured against it). */
  readonly initialMetric: number;
  /** Σ per-epoch CPU time of training. */
  readonly trainCpuMs: number;
  readonly corruption: { readonly size: number; readonly mismatched: number; readonly duplicate: number };
  readonly pruneQuality: PruneQuality;
}
