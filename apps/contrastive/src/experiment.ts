/**
 * One pre-training run: build the corrupted pairs, train CLIP-style or
 * MoCo-style with a strategy's pruner through @seta/tfjs-trainer, and
 * measure per epoch which samples the strategy left out (against the
 * injected ill-matched and duplicate pairs) and, at the end, the
 * representation's quality.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, ImageSplit, RunContext as SharedRunContext } from '@seta-apps/shared';
import { budgetEpochCount, fullForBudget, makePruner, subset, watchPlans, writeFileAtomic } from '@seta-apps/shared';
import type { Pruner } from '@seta/core';
import { Random } from '@seta/core';
import type { BatchContext, CheckpointData, CheckpointStore, DataSource } from '@seta/tfjs-trainer';
import {
  Trainer,
  fileCheckpointStore,
  clampLogitScaleInPlace,
  clipLoss,
  cosineMomentum,
  cosineSchedule,
  createLogitScale,
  mocoV3Loss,
  momentumUpdate,
} from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { AUGMENT_PRESETS, augmentInto } from './augment.js';
import { TONES, Vocabulary, classPrompts, imageAttributes, isHeldOutPair, pairPrompts } from './captions.js';
import { embed, knnAccuracy, linearProbeAccuracy, nearestClassAccuracy, normalizeRows, recallAtK } from './evaluate.js';
import type { Encoder, Mlp } from './models.js';
import { CONV_FEATURES, chain, convNet, disposeAll, mlp, momentumConvCopy, momentumCopy } from './models.js';
import type { PairSet } from './pairs.js';
import { buildPairs, captionSplit } from './pairs.js';
import type { EpochRecord, PruneQuality, RunConfig, RunRecord, WholeRunAccounting } from './record.js';

/** Per-epoch counts of what the plan left out. */
interface PrunedCounts {
  pruned: number;
  mismatched: number;
  duplicate: number;
}

/** Per-epoch sums of the plan's weights: over all visits, and over the visits to corrupted pairs. */
interface PlanWeights {
  weightSum: number;
  weightedMismatched: number;
  weightedDuplicate: number;
}

/**
 * A pruner that passes everything through and counts, for each plan, the
 * samples left out and how many of them are ill-matched or duplicates, and
 * the plan weights given to all visits and to the corrupted ones (a plan
 * without weights weighs each visit 1).
 */
export function trackingPruner(inner: Pruner, mismatched: Uint8Array, duplicate: Uint8Array) {
  let last: PrunedCounts = { pruned: 0, mismatched: 0, duplicate: 0 };
  let weights: PlanWeights = { weightSum: 0, weightedMismatched: 0, weightedDuplicate: 0 };
  const totalMismatched = mismatched.reduce((a, b) => a + b, 0);
  const totalDuplicate = duplicate.reduce((a, b) => a + b, 0);
  const pruner = watchPlans(inner, (plan) => {
    let visitedMismatched = 0;
    let visitedDuplicate = 0;
    let weightSum = 0;
    let weightedMismatched = 0;
    let weightedDuplicate = 0;
    const { indices } = plan;
    for (let i = 0; i < indices.length; i++) {
      const id = indices[i]!;
      const w = plan.weights === null ? 1 : plan.weights[i]!;
      visitedMismatched += mismatched[id]!;
      visitedDuplicate += duplicate[id]!;
      weightSum += w;
      weightedMismatched += w * mismatched[id]!;
      weightedDuplicate += w * duplicate[id]!;
    }
    last = {
      pruned: inner.size - indices.length,
      mismatched: totalMismatched - visitedMismatched,
      duplicate: totalDuplicate - visitedDuplicate,
    };
    weights = { weightSum, weightedMismatched, weightedDuplicate };
  });
  return { pruner, lastCounts: () => last, lastWeights: () => weights };
}

/**
 * What a run skipped over its whole horizon of `horizonEpochs` epochs (the
 * issue's whole-run accounting, next to the per-pruning-epoch precision and
 * recall of {@link pruneQuality}): the share of the horizon's visits to
 * ill-matched and duplicate pairs that were not made, counted and weighted
 * by the plan weights (InfoBatch's rescaled visits count with their weight).
 * Older records without weights count each visit 1.
 */
export function wholeRunAccounting(
  epochs: readonly EpochRecord[],
  corruption: { size: number; mismatched: number; duplicate: number },
  horizonEpochs: number,
): WholeRunAccounting {
  let visited = 0;
  let weighted = 0;
  let mis = 0;
  let dup = 0;
  let wMis = 0;
  let wDup = 0;
  for (const e of epochs) {
    visited += e.visited;
    weighted += e.weightSum ?? e.visited;
    const visitedMis = corruption.mismatched - e.prunedMismatched;
    const visitedDup = corruption.duplicate - e.prunedDuplicate;
    mis += visitedMis;
    dup += visitedDup;
    wMis += e.weightedMismatched ?? visitedMis;
    wDup += e.weightedDuplicate ?? visitedDup;
  }
  const skipped = (made: number, count: number) => (count === 0 ? Number.NaN : 1 - made / (count * horizonEpochs));
  return {
    horizonEpochs,
    visitsRatio: visited / (corruption.size * horizonEpochs),
    weightedVisitsRatio: weighted / (corruption.size * horizonEpochs),
    mismatchedVisitsSkipped: skipped(mis, corruption.mismatched),
    mismatchedWeightSkipped: skipped(wMis, corruption.mismatched),
    duplicateVisitsSkipped: skipped(dup, corruption.duplicate),
    duplicateWeightSkipped: skipped(wDup, corruption.duplicate),
  };
}

/**
 * SHA-256 of the initial values of `variables`, in order: runs that print
 * the same digest started from the same weights (the pairing of the
 * equal-compute comparison).
 */
export function variablesDigest(variables: readonly tf.Variable[]): string {
  const hash = createHash('sha256');
  for (const v of variables) {
    const values = v.dataSync() as Float32Array;
    hash.update(v.shape.join('x'));
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

/** Aggregate prune quality over the epochs that pruned anything. */
export function pruneQuality(epochs: readonly EpochRecord[], mismatchedCount: number, duplicateCount: number): PruneQuality {
  let pruningEpochs = 0;
  let pruned = 0;
  let mis = 0;
  let dup = 0;
  for (const e of epochs) {
    if (e.pruned === 0) continue;
    pruningEpochs++;
    pruned += e.pruned;
    mis += e.prunedMismatched;
    dup += e.prunedDuplicate;
  }
  const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
  return {
    pruningEpochs,
    pruned,
    mismatchedPrecision: ratio(mis, pruned),
    mismatchedRecall: ratio(mis, mismatchedCount * pruningEpochs),
    duplicatePrecision: ratio(dup, pruned),
    duplicateRecall: ratio(dup, duplicateCount * pruningEpochs),
  };
}

/** Pixels scaled to [0, 1]. */
export function toFloat(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i]! / 255;
  return out;
}

/** The file beside a run's checkpoint that holds the records of its finished epochs. */
export const EPOCHS_FILE = 'epochs.json';

/**
 * A checkpoint store that never lets the checkpoint get ahead of the app's
 * per-epoch records. The trainer saves its checkpoint at the end of an epoch
 * before its `onEpochEnd` listeners run, and the epoch's record is made in
 * `onEpochEnd` (it needs the epoch's report): written in that order, a kill
 * between the two left a checkpoint of epoch k + 1 beside records of epochs
 * 0 … k − 1, and epoch k's record could not be made again. This store holds
 * a checkpoint back until {@link recorded} says the records of every epoch
 * before it are on disk, then writes it to `inner`. A kill before that write
 * leaves the previous checkpoint, and the resumed run trains epoch k again
 * (from the same state, so with the same plan, losses and evaluation) and
 * replaces its record.
 *
 * Costs one checkpoint's state in memory between the trainer's save and the
 * epoch's record. The checkpoint's file write then runs after the trainer
 * has timed the epoch: an epoch's wall and CPU time count the read-back of
 * the state but not the write.
 */
export function recordsFirstStore(inner: CheckpointStore): CheckpointStore & { recorded(epochs: number): Promise<void> } {
  /** The records on disk cover the epochs before this one. */
  let recordedEpochs = 0;
  let pending: CheckpointData | null = null;
  const store: CheckpointStore & { recorded(epochs: number): Promise<void> } = {
    location: inner.location,
    load: () => inner.load(),
    save: async (data) => {
      if (data.meta.epoch <= recordedEpochs) {
        pending = null;
        await inner.save(data);
      } else {
        pending = data;
      }
    },
    lock: (fn) => inner.lock(fn),
    sameAs: (other) => other === store || other === inner || inner.sameAs?.(other) === true,
    recorded: async (epochs) => {
      recordedEpochs = epochs;
      const data = pending;
      if (data !== null && data.meta.epoch <= epochs) {
        pending = null;
        await inner.save(data);
      }
    },
  };
  return store;
}

/** Everything a run needs besides its configuration. */
export type RunContext = SharedRunContext<EpochRecord> & {
  /**
   * Measure the quick per-epoch metric after every epoch (default true).
   * With false the epochs' `metric` is NaN: with the CNN encoder its k-NN
   * over the bank costs almost half a training epoch, and the evidence
   * summaries read only the full evaluations.
   */
  readonly epochMetric?: boolean;
};

const first = (split: ImageSplit, n: number) => (n < split.count ? subset(split, Array.from({ length: n }, (_, i) => i)) : split);

/**
 * The images a MoCo-style run is evaluated on: the first `testSize` test
 * images, or with `evalSplit: 'validation'` the last `testSize` training
 * images — never among the training pairs or the labelled bank, so settings
 * can be chosen on them without looking at the test set.
 *
 * @throws RangeError if the validation images would overlap the pairs or the bank.
 */
export function evaluationSplit(dataset: Dataset, config: RunConfig): ImageSplit {
  if (config.evalSplit !== 'validation') return first(dataset.test, config.testSize);
  const n = dataset.train.count;
  const used = Math.max(config.trainSize, Math.min(config.bankSize ?? 10_000, n));
  if (used + config.testSize > n) {
    throw new RangeError(
      `evaluationSplit(): ${config.testSize} validation images after the first ${used} training images need ${used + config.testSize}, the training split has ${n}`,
    );
  }
  return subset(dataset.train, Array.from({ length: config.testSize }, (_, i) => n - config.testSize + i));
}

/** The model parts and how to run them, per style. */
interface StyleSetup {
  readonly data: DataSource;
  readonly model: (xs: tf.Tensor[]) => tf.Tensor[];
  readonly variables: tf.Variable[];
  readonly extraVariables: tf.Variable[];
  readonly loss: (outputs: tf.Tensor[]) => readonly [tf.Tensor1D, tf.Tensor1D];
  readonly directions: 'mean' | 'sum';
  readonly afterStep: (progress: { epoch: number; totalEpochs: number }) => void;
  /** The per-epoch metric, on the evaluation subset. */
  readonly metric: () => number;
  /** The final evaluation. */
  readonly evaluate: () => Record<string, number>;
  /** What the same evaluation gives without an encoder (MoCo-style: raw pixels), or null. */
  readonly references: () => Record<string, number> | null;
  readonly extra: () => Partial<EpochRecord>;
  /** The trained parameters and their initial values' digest source (momentum copies excluded). */
  readonly initialVariables: readonly tf.Variable[];
  readonly dispose: () => void;
}

const EMBED = 64;

/**
 * Image↔text recall@k is measured over a gallery of the first 1,000 test
 * pairs (as on Flickr30k's 1k test split). Over all 10,000, each caption has
 * about 37 paraphrases (10 classes × 27 attribute combinations), which caps
 * recall@1 near 3 % whatever the model.
 */
export const RECALL_GALLERY = 1000;

/**
 * MoCo-style augmentation strengths of the MLP encoder: a one-pixel random
 * crop (shift), a horizontal flip, mild noise and occasional erasing.
 * Stronger settings (±3 px, noise 0.1, erasing half the time) kept an MLP
 * encoder from learning the instance task at this scale (loss barely fell).
 */
export const MOCO_AUGMENT = AUGMENT_PRESETS.mild;

function clipSetup(pairs: PairSet, config: RunConfig, dataset: Dataset, rng: Random): StyleSetup {
  const vocab = new Vocabulary();
  const pixels = pairs.pixels;
  const images = toFloat(pairs.images);
  const bow = new Float32Array(pairs.count * vocab.size);
  pairs.captions.forEach((c, i) => vocab.bagOfWords(c, bow, i * vocab.size));
  const imageEncoder = mlp([pixels, 256, EMBED], rng, 'image');
  const textEncoder = mlp([vocab.size, 128, EMBED], rng, 'text');
  const logitScale = createLogitScale();

  const test = first(dataset.test, config.testSize);
  const testImages = toFloat(test.images);
  const testCaptions = captionSplit(test, pairs.cuts, 7_000 + config.seed);
  const testBow = new Float32Array(test.count * vocab.size);
  testCaptions.forEach((c, i) => vocab.bagOfWords(c, testBow, i * vocab.size));
  const prompts = Array.from({ length: 10 }, (_, c) => classPrompts(c));
  // Class–tone pairs (index c · TONES + t) and which test images show a pair no training caption names.
  const pairList = Array.from({ length: 10 * TONES }, (_, k) => pairPrompts(Math.floor(k / TONES), k % TONES));
  const testPairs = Int32Array.from({ length: test.count }, (_, i) => test.labels[i]! * TONES + imageAttributes(test.images, i * pixels, pixels, pairs.cuts).tone);
  const unseen = Array.from(testPairs.keys()).filter((i) => isHeldOutPair(Math.floor(testPairs[i]! / TONES), testPairs[i]! % TONES));
  const seen = Array.from(testPairs.keys()).filter((i) => !isHeldOutPair(Math.floor(testPairs[i]! / TONES), testPairs[i]! % TONES));

  const promptEmbeddings = (lists: readonly string[][]): Float32Array => {
    // Prompt ensembling: the normalised mean of each class's normalised prompt embeddings.
    const out = new Float32Array(lists.length * EMBED);
    lists.forEach((list, c) => {
      const x = new Float32Array(list.length * vocab.size);
      list.forEach((p, i) => vocab.bagOfWords(p, x, i * vocab.size));
      const { values } = embed((t) => textEncoder.apply(t), x, list.length, vocab.size);
      let norm = 0;
      for (let d = 0; d < EMBED; d++) {
        let s = 0;
        for (let i = 0; i < list.length; i++) s += values[i * EMBED + d]!;
        out[c * EMBED + d] = s;
        norm += s * s;
      }
      for (let d = 0; d < EMBED; d++) out[c * EMBED + d]! /= Math.sqrt(norm) || 1;
    });
    return out;
  };
  const promptClassification = (n: number) => {
    const img = embed((t) => imageEncoder.apply(t), testImages, n, pixels);
    return nearestClassAccuracy(img.values, n, promptEmbeddings(prompts), 10, EMBED, test.labels);
  };
  /** 30-way class–tone accuracy over the test images of `rows`, from the pair prompts. */
  const pairAccuracy = (rows: readonly number[]) => {
    if (rows.length === 0) return Number.NaN;
    const x = new Float32Array(rows.length * pixels);
    rows.forEach((r, i) => x.set(testImages.subarray(r * pixels, (r + 1) * pixels), i * pixels));
    const img = embed((t) => imageEncoder.apply(t), x, rows.length, pixels);
    return nearestClassAccuracy(img.values, rows.length, promptEmbeddings(pairList), pairList.length, EMBED, rows.map((r) => testPairs[r]!));
  };

  return {
    data: {
      size: pairs.count,
      batch(ids) {
        const b = ids.length;
        const x = new Float32Array(b * pixels);
        const t = new Float32Array(b * vocab.size);
        for (let i = 0; i < b; i++) {
          const id = ids[i]!;
          x.set(images.subarray(id * pixels, (id + 1) * pixels), i * pixels);
          t.set(bow.subarray(id * vocab.size, (id + 1) * vocab.size), i * vocab.size);
        }
        return { xs: [tf.tensor2d(x, [b, pixels]), tf.tensor2d(t, [b, vocab.size])] };
      },
    },
    model: ([x, t]) => [imageEncoder.apply(x as tf.Tensor2D), textEncoder.apply(t as tf.Tensor2D)],
    variables: [...imageEncoder.variables, ...textEncoder.variables],
    extraVariables: [logitScale],
    loss: ([img, txt]) => {
      const { imageToText, textToImage } = clipLoss(img!, txt!, logitScale);
      return [imageToText, textToImage];
    },
    directions: 'mean',
    afterStep: () => clampLogitScaleInPlace(logitScale),
    metric: () => promptClassification(Math.min(config.evalSize, test.count)),
    evaluate: () => {
      const g = Math.min(RECALL_GALLERY, test.count);
      const img = embed((t) => imageEncoder.apply(t), testImages, g, pixels);
      const txt = embed((t) => textEncoder.apply(t), testBow, g, vocab.size);
      const [i1, i5] = recallAtK(img.values, txt.values, g, EMBED, [1, 5]);
      const [t1, t5] = recallAtK(txt.values, img.values, g, EMBED, [1, 5]);
      return {
        promptClassification: promptClassification(test.count),
        // Only where training held the pairs out: otherwise "unseen" would be a misnomer.
        ...(config.holdOutPairs === true ? { zeroShotUnseenPairs: pairAccuracy(unseen), seenPairs: pairAccuracy(seen) } : {}),
        imageToTextR1: i1!,
        imageToTextR5: i5!,
        textToImageR1: t1!,
        textToImageR5: t5!,
      };
    },
    extra: () => ({ logitScale: Math.exp(logitScale.dataSync()[0]!) }),
    initialVariables: [...imageEncoder.variables, ...textEncoder.variables, logitScale],
    references: () => null,
    dispose: () => {
      disposeAll(imageEncoder, textEncoder);
      logitScale.dispose();
    },
  };
}

function mocoSetup(pairs: PairSet, config: RunConfig, dataset: Dataset, rng: Random): StyleSetup {
  const pixels = pairs.pixels;
  const rows = dataset.train.rows;
  const cols = dataset.train.cols;
  const cnn = config.encoder === 'cnn';
  // The MLP backbone's 128 ReLU features, or the CNN's flattened conv maps (the projector then starts with a dense 128 + ReLU).
  const backbone: Encoder = cnn ? convNet(rng, 'backbone') : mlp([pixels, 256, 128], rng, 'backbone', { finalRelu: true });
  const projector = mlp(cnn ? [CONV_FEATURES, 128, 128, EMBED] : [128, 128, EMBED], rng, 'projector');
  const predictor = mlp([EMBED, 128, EMBED], rng, 'predictor');
  const keyBackbone = cnn ? momentumConvCopy(backbone, 'key-backbone') : momentumCopy(backbone as Mlp, 'key-backbone');
  const keyProjector = momentumCopy(projector, 'key-projector');
  const query = chain(backbone, projector, predictor);
  const key = chain(keyBackbone, keyProjector);
  const queryVariables = [...backbone.variables, ...projector.variables];
  const keyVariables = [...keyBackbone.variables, ...keyProjector.variables];
  const augment = AUGMENT_PRESETS[config.augment ?? 'mild'];

  // k-NN memory bank and linear-probe training set: clean training images with their labels.
  const bank = first(dataset.train, Math.min(config.bankSize ?? 10_000, dataset.train.count));
  const bankImages = toFloat(bank.images);
  const test = evaluationSplit(dataset, config);
  const testImages = toFloat(test.images);
  const features = (x: Float32Array, n: number, normalize = true) => embed((t) => backbone.apply(t), x, n, pixels, { normalize });

  return {
    data: {
      size: pairs.count,
      batch(ids: Uint32Array, context: BatchContext) {
        const b = ids.length;
        const v1 = new Float32Array(b * pixels);
        const v2 = new Float32Array(b * pixels);
        for (let i = 0; i < b; i++) {
          const id = ids[i]!;
          augmentInto(pairs.images, id * pixels, v1, i * pixels, rows, cols, context.rng, augment);
          augmentInto(pairs.images, pairs.partner[id]! * pixels, v2, i * pixels, rows, cols, context.rng, augment);
        }
        return { xs: [tf.tensor2d(v1, [b, pixels]), tf.tensor2d(v2, [b, pixels])] };
      },
    },
    model: ([x1, x2]) => [query(x1 as tf.Tensor2D), query(x2 as tf.Tensor2D), key(x1 as tf.Tensor2D), key(x2 as tf.Tensor2D)],
    variables: [...backbone.variables, ...projector.variables, ...predictor.variables],
    extraVariables: keyVariables,
    loss: ([q1, q2, k1, k2]) => {
      const { view1ToView2, view2ToView1 } = mocoV3Loss(q1!, q2!, k1!, k2!, { temperature: 0.2 });
      return [view1ToView2, view2ToView1];
    },
    directions: 'sum',
    afterStep: (p) => momentumUpdate(keyVariables, queryVariables, cosineMomentum(0.99, p.epoch / p.totalEpochs)),
    metric: () => {
      const n = Math.min(config.evalSize, test.count);
      const train = features(bankImages, bank.count);
      const probe = features(testImages, n);
      return knnAccuracy(train.values, bank.labels, bank.count, probe.values, test.labels, n, train.dim);
    },
    evaluate: () => {
      // The encoder runs once per image set; normalising its output afterwards gives the same values as normalising inside embed().
      const rawTrain = features(bankImages, bank.count, false);
      const rawTest = features(testImages, test.count, false);
      const train = normalizeRows(rawTrain);
      const probe = normalizeRows(rawTest);
      return {
        knn: knnAccuracy(train.values, bank.labels, bank.count, probe.values, test.labels, test.count, train.dim),
        linearProbe: linearProbeAccuracy(rawTrain.values, bank.labels, bank.count, rawTest.values, test.labels, test.count, rawTrain.dim, {
          seed: config.seed,
        }),
      };
    },
    extra: () => ({}),
    initialVariables: [...backbone.variables, ...projector.variables, ...predictor.variables],
    // The same k-NN and linear probe on raw pixels (L2-normalised for k-NN, as features are): what pre-training must beat.
    references: () => {
      const identity = (t: tf.Tensor2D) => t;
      const rawBank = embed(identity, bankImages, bank.count, pixels);
      const rawProbe = embed(identity, testImages, test.count, pixels);
      return {
        rawPixelKnn: knnAccuracy(rawBank.values, bank.labels, bank.count, rawProbe.values, test.labels, test.count, pixels),
        rawPixelLinearProbe: linearProbeAccuracy(bankImages, bank.labels, bank.count, testImages, test.labels, test.count, pixels, { seed: config.seed }),
      };
    },
    dispose: () => disposeAll(backbone, projector, predictor, keyBackbone, keyProjector),
  };
}

/**
 * Pre-train one configuration and measure it: per epoch the training loss,
 * visits, what was pruned (and how much of it was corrupted) and a quick
 * metric; at the end the final evaluation.
 */
export async function runExperiment(config: RunConfig, context: RunContext): Promise<RunRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { dataset } = context;
  const train = first(dataset.train, config.trainSize);
  const pairs = buildPairs(train, {
    mismatch: config.mismatch,
    duplicates: config.duplicates,
    copies: config.copies,
    seed: 1_000 + config.seed,
    holdOutPairs: config.holdOutPairs ?? false,
  });
  const rng = new Random(2_000 + config.seed);
  const setup = config.style === 'clip' ? clipSetup(pairs, config, dataset, rng) : mocoSetup(pairs, config, dataset, rng);
  const initDigest = variablesDigest(setup.initialVariables);
  const budget = config.budgetEpochs;
  if (budget !== undefined) {
    if (config.strategy !== 'full') throw new RangeError(`runExperiment(): budgetEpochs is for full data only, got strategy ${config.strategy}`);
    if (config.epochs !== budgetEpochCount(budget)) {
      throw new RangeError(`runExperiment(): epochs must be ceil(budgetEpochs) = ${budgetEpochCount(budget)}, got ${config.epochs}`);
    }
  }
  const evaluateLast = config.evaluateLast ?? 1;
  const inner =
    budget === undefined
      ? makePruner(config.strategy, config.strategyOptions, { size: pairs.count, epochs: config.epochs, seed: config.seed })
      : fullForBudget({ size: pairs.count, budgetEpochs: budget, seed: config.seed });
  const { pruner, lastCounts, lastWeights } = trackingPruner(inner, pairs.mismatched, pairs.duplicate);
  const optimizer = tf.train.adam(config.learningRate);
  let epochs: EpochRecord[] = [];
  // CPU time of this process per epoch, training only (the machine is shared: CPU time is steadier than wall time);
  // the mark is taken again just before training starts, after the untrained encoders' evaluation.
  let cpuMark = process.cpuUsage();
  // Per-epoch records live beside the checkpoint, so a resumed run keeps those of the epochs before it; the
  // checkpoint of an epoch's end is written only after the epoch's record (recordsFirstStore).
  const epochsFile = context.checkpointDir === undefined ? undefined : join(context.checkpointDir, EPOCHS_FILE);
  const earlier: EpochRecord[] = epochsFile !== undefined && existsSync(epochsFile) ? (JSON.parse(readFileSync(epochsFile, 'utf8')) as EpochRecord[]) : [];
  const store = context.checkpointDir === undefined ? undefined : recordsFirstStore(fileCheckpointStore(context.checkpointDir));
  const trainer = new Trainer({
    model: (xs) => setup.model(xs as tf.Tensor[]),
    variables: setup.variables,
    extraVariables: setup.extraVariables,
    optimizer,
    pruner,
    data: setup.data,
    loss: (outputs) => setup.loss(outputs as tf.Tensor[]),
    directions: setup.directions,
    afterStep: setup.afterStep,
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: cosineSchedule({ peak: config.learningRate, epochs: config.epochs, warmupEpochs: 0 }),
    seed: config.seed,
    progress: context.progress ?? 'auto',
    ...(store === undefined ? {} : { checkpoint: store }),
    onEpochEnd: async (r) => {
      const cpu = process.cpuUsage(cpuMark);
      const counts = lastCounts();
      const record: EpochRecord = {
        epoch: r.epoch,
        phase: r.phase,
        trainLoss: r.loss,
        visited: r.visited,
        prunedRatio: r.prunedRatio,
        savedRatioSoFar: r.savedRatioSoFar,
        wallTimeMs: r.wallTimeMs,
        cpuTimeMs: (cpu.user + cpu.system) / 1000,
        pruned: counts.pruned,
        prunedMismatched: counts.mismatched,
        prunedDuplicate: counts.duplicate,
        ...lastWeights(),
        metric: context.epochMetric === false ? Number.NaN : setup.metric(),
        ...setup.extra(),
        // The full evaluation at each of the last `evaluateLast` epochs: the stopping-point robustness figures.
        ...(r.epoch >= config.epochs - evaluateLast ? { evaluation: setup.evaluate() } : {}),
      };
      epochs.push(record);
      if (epochsFile !== undefined) {
        mkdirSync(context.checkpointDir!, { recursive: true });
        // A record of this epoch left by a run killed before its checkpoint is replaced.
        const all = [...earlier.filter((e) => e.epoch < epochs[0]!.epoch), ...epochs];
        writeFileAtomic(epochsFile, JSON.stringify(all));
        await store!.recorded(r.epoch + 1);
      }
      context.onEpoch?.(record);
      cpuMark = process.cpuUsage();
    },
  });
  let final: Record<string, number>;
  let references: Record<string, number> | null = null;
  const initialMetric = setup.metric();
  const initial = setup.evaluate();
  try {
    cpuMark = process.cpuUsage();
    const result = await trainer.fit();
    if (result.resumedFrom !== null) {
      const before = earlier.filter((e) => e.epoch < result.resumedFrom!);
      if (before.length !== result.resumedFrom) {
        throw new Error(
          // Not after a kill (the checkpoint is written after the records), but from a checkpoint of an older version, or edited files.
          `runExperiment(): resumed at epoch ${result.resumedFrom} but ${epochsFile} holds records of ${before.length} earlier epochs; delete ${context.checkpointDir} to rerun`,
        );
      }
      epochs = [...before, ...epochs];
    }
    final = epochs.at(-1)?.evaluation ?? setup.evaluate();
    references = config.rawPixelReferences === true ? setup.references() : null;
  } finally {
    setup.dispose();
    optimizer.dispose();
  }
  return {
    version: 1,
    config,
    backend: context.backend,
    epochs,
    final,
    initialMetric,
    initial,
    savedRatio: epochs.at(-1)?.savedRatioSoFar ?? 0,
    trainTimeMs: epochs.reduce((t, e) => t + e.wallTimeMs, 0),
    trainCpuMs: epochs.reduce((t, e) => t + e.cpuTimeMs, 0),
    totalTimeMs: performance.now() - t0,
    corruption: { size: pairs.count, mismatched: pairs.mismatchedCount, duplicate: pairs.duplicateCount },
    pruneQuality: pruneQuality(epochs, pairs.mismatchedCount, pairs.duplicateCount),
    wholeRun: wholeRunAccounting(epochs, { size: pairs.count, mismatched: pairs.mismatchedCount, duplicate: pairs.duplicateCount }, budget ?? config.epochs),
    initDigest,
    ...(references === null ? {} : { references }),
    startedAt,
  };
}
