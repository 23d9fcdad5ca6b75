import type { Pruner } from '@seta/core';
import { Trainer, arrayDataSource, cosineSchedule, softmaxCrossEntropy } from '@seta/tfjs-trainer';
import type { EpochReport } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset, ImageSplit, RunContext as SharedRunContext } from '@seta-apps/shared';
import { budgetEpochCount, carveValidation, fullForBudget, makePruner, subset, symmetricLabelNoise, watchPlans } from '@seta-apps/shared';
import { models, weightsDigest } from './models.js';
import { readProgress, removeProgress, writeProgress } from './record-io.js';
import type { EpochRecord, RunConfig, RunRecord } from './record.js';

/** Seed of the validation split: fixed, so every run of a study holds out the same examples. */
export const VALIDATION_SEED = 20_240_601;

/** Pixels scaled to [0, 1]. */
function toFloat(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i]! / 255;
  return out;
}

/** Accuracy of `model` on `xs` (rows of `inputShape`) against `labels`, in batches. */
export function accuracy(model: LayersModel, xs: Float32Array, labels: ArrayLike<number>, inputShape: number[], batch = 1000): number {
  const n = labels.length;
  const d = inputShape.reduce((a, b) => a * b, 1);
  let correct = 0;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const predicted = tf.tidy(() => {
      const x = tf.tensor(xs.subarray(s * d, e * d), [e - s, ...inputShape]);
      return tf.argMax(model.predict(x) as tf.Tensor, -1);
    });
    const p = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < e - s; i++) if (p[i] === labels[s + i]) correct++;
  }
  return correct / n;
}

/**
 * The pruner, watched: per plan, Σ weights and the visits (and Σ weights) to
 * flagged samples. Run totals are sums of these per-epoch figures, so they
 * survive a kill and resume exactly.
 */
function countingPruner(inner: Pruner, flagged: Uint8Array | null) {
  const last = { weighted: 0, noisy: 0, weightedNoisy: 0 };
  const pruner = watchPlans(inner, (plan) => {
    const { indices, weights } = plan;
    let weighted = 0;
    let noisy = 0;
    let weightedNoisy = 0;
    for (let i = 0; i < indices.length; i++) {
      const w = weights === null ? 1 : weights[i]!;
      weighted += w;
      if (flagged !== null && flagged[indices[i]!] === 1) {
        noisy++;
        weightedNoisy += w;
      }
    }
    last.weighted = weighted;
    last.noisy = noisy;
    last.weightedNoisy = weightedNoisy;
  });
  return { pruner, last };
}

/**
 * Everything a run needs besides its configuration. With a `checkpointDir`,
 * the epochs recorded so far are kept beside the checkpoint, so a killed run
 * resumes and still ends with the record an uninterrupted run writes.
 */
export type RunContext = SharedRunContext<EpochRecord>;

/** The training, validation and test splits a configuration trains and evaluates on. */
export function splitsFor(config: RunConfig, dataset: Dataset): { train: ImageSplit; validation: ImageSplit | null; test: ImageSplit } {
  const first = (split: ImageSplit, count: number) =>
    count < split.count ? subset(split, Array.from({ length: count }, (_, i) => i)) : split;
  let pool = dataset.train;
  let validation: ImageSplit | null = null;
  if ((config.validationSize ?? 0) > 0) {
    const carved = carveValidation(pool, config.validationSize!, VALIDATION_SEED);
    pool = carved.train;
    validation = carved.validation;
  }
  return { train: first(pool, config.trainSize), validation, test: first(dataset.test, config.testSize) };
}

function cpuMsNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Train one configuration and measure it: per-epoch training loss, clean
 * validation and test accuracy, visits, Σ weights, wall and process CPU time
 * of training; realised saved ratio; with label noise, how often (and with
 * what weight) the flipped samples were visited. Arms of one seed start from
 * the same initial weights (`initDigest`) and the same data-order seed.
 */
export async function runExperiment(config: RunConfig, context: RunContext): Promise<RunRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { dataset, checkpointDir } = context;
  const spec = models[config.model];
  const { train, validation, test } = splitsFor(config, dataset);
  const noise = config.labelNoise > 0 ? symmetricLabelNoise(train.labels, config.labelNoise, 1000 + config.seed) : null;
  const trainLabels = Int32Array.from(noise?.labels ?? train.labels);
  const xs = toFloat(train.images);
  const validationXs = validation === null ? null : toFloat(validation.images);
  const testXs = toFloat(test.images);
  const n = train.count;

  const budget = config.budgetEpochs;
  if (budget !== undefined) {
    if (config.strategy !== 'full') throw new RangeError(`runExperiment(): budgetEpochs is for full data only, got strategy ${config.strategy}`);
    if (config.epochs !== budgetEpochCount(budget)) {
      throw new RangeError(`runExperiment(): epochs must be ceil(budgetEpochs) = ${budgetEpochCount(budget)}, got ${config.epochs}`);
    }
  }
  const inner =
    budget === undefined
      ? makePruner(config.strategy, config.strategyOptions, { size: n, epochs: config.epochs, seed: config.seed })
      : fullForBudget({ size: n, budgetEpochs: budget, seed: config.seed });
  const counting = countingPruner(inner, noise?.flipped ?? null);
  const model = spec.build(config.seed);
  const initDigest = weightsDigest(model);
  const optimizer = tf.train.adam(config.learningRate);
  const data = arrayDataSource({ values: xs, shape: [n, ...spec.inputShape] }, { values: trainLabels, shape: [n] });
  // The epochs already recorded by a killed process, kept up to the epoch the
  // checkpoint resumes at (a kill between the two writes leaves one more).
  let epochs: EpochRecord[] = [];
  let processes = 1;
  let cpuMark = 0;
  const onEpochEnd = async (r: EpochReport): Promise<void> => {
    const cpuMs = cpuMsNow() - cpuMark;
    const record: EpochRecord = {
      epoch: r.epoch,
      phase: r.phase,
      trainLoss: r.loss,
      ...(validation === null ? {} : { validationAccuracy: accuracy(model, validationXs!, validation.labels, spec.inputShape) }),
      testAccuracy: accuracy(model, testXs, test.labels, spec.inputShape),
      visited: r.visited,
      weightedVisits: counting.last.weighted,
      prunedRatio: r.prunedRatio,
      savedRatioSoFar: r.savedRatioSoFar,
      wallTimeMs: r.wallTimeMs - r.timings.checkpointMs,
      cpuMs,
      ...(noise === null ? {} : { noisyVisited: counting.last.noisy, weightedNoisyVisits: counting.last.weightedNoisy }),
    };
    epochs.push(record);
    if (checkpointDir !== undefined) {
      // Records first, checkpoint second: a kill between them leaves a
      // record the resumed run drops, never a checkpoint without records.
      writeProgress(checkpointDir, { initDigest, processes, epochs });
      await trainer.saveCheckpoint(checkpointDir);
    }
    context.onEpoch?.(record);
    cpuMark = cpuMsNow();
  };
  const trainer = new Trainer({
    model,
    optimizer,
    pruner: counting.pruner,
    data,
    loss: (logits, ys) => softmaxCrossEntropy(ys as tf.Tensor, logits as tf.Tensor),
    epochs: config.epochs,
    batchSize: config.batchSize,
    // A budget's schedule ends with its last visit: on the samples clock, whose
    // end is the budget itself, not the whole epochs it spans.
    learningRate:
      budget === undefined
        ? cosineSchedule({ peak: config.learningRate, epochs: config.epochs, warmupEpochs: 0 })
        : cosineSchedule({ peak: config.learningRate, epochs: budget, warmupEpochs: 0, clock: 'samples' }),
    seed: config.seed,
    progress: context.progress ?? 'auto',
    onEpochEnd,
  });

  try {
    if (checkpointDir !== undefined) {
      const resumeAt = (await trainer.restoreCheckpoint(checkpointDir)) ?? 0;
      if (resumeAt > 0) {
        const saved = readProgress(checkpointDir);
        if (saved === null || saved.initDigest !== initDigest || saved.epochs.length < resumeAt) {
          throw new Error(
            `runExperiment(): the checkpoint in ${checkpointDir} resumes at epoch ${resumeAt} but its epoch records are missing or belong to another run; delete the folder to start over`,
          );
        }
        epochs = saved.epochs.slice(0, resumeAt);
        processes = saved.processes + 1;
      }
    }
    cpuMark = cpuMsNow();
    await trainer.fit();
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  if (checkpointDir !== undefined) removeProgress(checkpointDir);

  const last = epochs.at(-1);
  let noiseSummary: RunRecord['noise'];
  if (noise !== null) {
    const sum = (f: (e: EpochRecord) => number) => epochs.reduce((s, e) => s + f(e), 0);
    const clean = n - noise.flippedCount;
    const perNoisy = (total: number) => (noise.flippedCount === 0 ? 0 : total / noise.flippedCount);
    const perClean = (total: number) => (clean === 0 ? 0 : total / clean);
    noiseSummary = {
      flipped: noise.flippedCount,
      visitsPerNoisy: perNoisy(sum((e) => e.noisyVisited!)),
      visitsPerClean: perClean(sum((e) => e.visited - e.noisyVisited!)),
      weightedPerNoisy: perNoisy(sum((e) => e.weightedNoisyVisits!)),
      weightedPerClean: perClean(sum((e) => e.weightedVisits! - e.weightedNoisyVisits!)),
    };
  }
  return {
    version: 1,
    config,
    backend: context.backend,
    epochs,
    finalAccuracy: last?.testAccuracy ?? Number.NaN,
    savedRatio: last?.savedRatioSoFar ?? 0,
    trainTimeMs: epochs.reduce((s, e) => s + e.wallTimeMs, 0),
    cpuTimeMs: epochs.reduce((s, e) => s + (e.cpuMs ?? 0), 0),
    totalTimeMs: performance.now() - t0,
    initDigest,
    processes,
    ...(noiseSummary === undefined ? {} : { noise: noiseSummary }),
    startedAt,
  };
}
