/**
 * The JSON record one pre-training run writes: everything the report and the
 * plots are made from. What every app records is in `@seta-apps/shared`'s
 * base types; this file adds what contrastive pre-training measures.
 */
import type { AugmentPreset } from './augment.js';
import type { EpochRecordBase, RunConfigBase, RunRecordBase } from '@seta-apps/shared';

/** CLIP-style image–caption pairs, or MoCo-style two views of one image. */
export type Style = 'clip' | 'moco';
export type StrategyName = 'full' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';

export interface EpochRecord extends EpochRecordBase {
  /**
   * Wall time of this epoch's training (evaluation excluded), ms. With a
   * checkpoint directory it counts the trainer's read-back of the state; the
   * checkpoint's file write comes after the epoch's record (records made
   * before that change count the write too).
   */
  readonly wallTimeMs: number;
  /** CPU time of the process over this epoch's training (plan, batches, steps, the checkpoint's read-back as for `wallTimeMs`; evaluation excluded), ms. */
  readonly cpuTimeMs: number;
  /** Samples left out of this epoch's plan. */
  readonly pruned: number;
  /** …of which ill-matched pairs. */
  readonly prunedMismatched: number;
  /** …of which near-duplicate copies. */
  readonly prunedDuplicate: number;
  /**
   * The quick per-epoch metric on the evaluation subset: prompt-classification
   * accuracy (clip) or k-NN accuracy (moco), in [0, 1]; NaN (null in JSON)
   * where the run skipped it (MoCo-style evidence runs).
   */
  readonly metric: number;
  /** Σ plan weights of the epoch (visits, each weighted; absent in older records). */
  readonly weightSum?: number;
  /** Σ plan weights of the visits to ill-matched pairs. */
  readonly weightedMismatched?: number;
  /** Σ plan weights of the visits to near-duplicate copies. */
  readonly weightedDuplicate?: number;
  /** The full evaluation after this epoch (same keys as the record's `final`), for the last `evaluateLast` epochs. */
  readonly evaluation?: Readonly<Record<string, number>>;
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
  /**
   * Full data trained for this many epochs' worth of visits (may be
   * fractional: the last epoch is cut), cosine schedule over the budget: a
   * point of the equal-compute curve. `epochs` is then its ceiling.
   */
  readonly budgetEpochs?: number;
  /** Run the full evaluation after each of the last N epochs (default 1: the end only). */
  readonly evaluateLast?: number;
  /** MoCo-style: labelled training images of the k-NN bank and the linear probe (default 10,000). */
  readonly bankSize?: number;
  /** Also evaluate without an encoder (MoCo-style: k-NN and linear probe on raw pixels), into the record's `references`. */
  readonly rawPixelReferences?: boolean;
  /** Hold class–tone pairs out of the training captions (compositional zero-shot; absent: not held out). */
  readonly holdOutPairs?: boolean;
  /** MoCo-style encoder: the MLP (absent in older records) or the small CNN. */
  readonly encoder?: 'mlp' | 'cnn';
  /** MoCo-style augmentation preset (augment.ts; absent: 'mild'). */
  readonly augment?: AugmentPreset;
  /** MoCo-style evaluation images: the test split (absent) or held-out training images for choosing settings. */
  readonly evalSplit?: 'test' | 'validation';
}

/** What a run skipped over its whole horizon (not only its pruning epochs). */
export interface WholeRunAccounting {
  /** The horizon the shares are of, in epochs of full data. */
  readonly horizonEpochs: number;
  /** Σ visited / (N · horizon). */
  readonly visitsRatio: number;
  /** Σ plan weights / (N · horizon): what the gradient saw. */
  readonly weightedVisitsRatio: number;
  /** 1 − visits made to ill-matched pairs / (their count · horizon). */
  readonly mismatchedVisitsSkipped: number;
  /** 1 − Σ plan weights of those visits / (their count · horizon). */
  readonly mismatchedWeightSkipped: number;
  readonly duplicateVisitsSkipped: number;
  readonly duplicateWeightSkipped: number;
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
   * 1,000 pairs of them). clip: `promptClassification` (10 classes, all
   * named in training captions; `zeroShot` in records made before it was
   * renamed), with held-out pairs `zeroShotUnseenPairs` (30-way class–tone
   * accuracy on test images of pairs no training caption names) and
   * `seenPairs` (the same on the other images), `imageToTextR1`,
   * `imageToTextR5`, `textToImageR1`, `textToImageR5`; moco: `knn`,
   * `linearProbe`. All in [0, 1].
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
  /** Whole-run accounting (absent in older records). */
  readonly wholeRun?: WholeRunAccounting;
  /** SHA-256 of the initial trained weights: equal across a seed's arms (absent in older records). */
  readonly initDigest?: string;
  /** With `rawPixelReferences`: `rawPixelKnn`, `rawPixelLinearProbe` on the same bank and test images. */
  readonly references?: Readonly<Record<string, number>>;
}
