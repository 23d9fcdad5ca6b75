import type { Pruner } from '@seta/core';
import { Trainer, arrayDataSource, cosineSchedule, softmaxCrossEntropy } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Dataset } from '@seta-apps/shared';
import { models } from './models.js';
import type { EpochRecord, RunConfig, RunRecord } from './record.js';
import { makePruner, subset, symmetricLabelNoise, watchPlans } from '@seta-apps/shared';


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

/** The pruner, watched: per epoch, the visits to flagged samples. */
function countingPruner(inner: Pruner, flagged: Uint8Array | null, visits: Uint16Array | null) {
  let lastNoisy = 0;
  const pruner = watchPlans(inner, (plan) => {
    if (flagged === null || visits === null) return;
    let noisy = 0;
    for (const id of plan.indices) {
      noisy += flagged[id]!;
      if (visits[id]! < 0xffff) visits[id]!++;
    }
    lastNoisy = noisy;
  });
  return { pruner, noisyVisited: () => lastNoisy };
}

/** Everything a run needs besides its configuration. */
export interface RunContext {
  readonly dataset: Dataset;
  /** The active TensorFlow.js backend's name. */
  readonly backend: string;
  /** Show a progress bar ('auto': on a terminal). */
  readonly progress?: boolean | 'auto';
  /** Checkpoint directory, so an interrupted run resumes (optional). */
  readonly checkpointDir?: string;
  /** Called after each epoch. */
  readonly onEpoch?: (record: EpochRecord) => void;
}

/**
 * Train one configuration and measure it: per-epoch training loss, clean
 * test accuracy, visits and wall time; realised saved ratio; with label
 * noise, how often the flipped samples were visited.
 */
export async function runExperiment(config: RunConfig, context: RunContext): Promise<RunRecord> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { dataset } = context;
  const spec = models[config.model];
  const train = config.trainSize < dataset.train.count ? subset(dataset.train, Array.from({ length: config.trainSize }, (_, i) => i)) : dataset.train;
  const test = config.testSize < dataset.test.count ? subset(dataset.test, Array.from({ length: config.testSize }, (_, i) => i)) : dataset.test;
  const noise = config.labelNoise > 0 ? symmetricLabelNoise(train.labels, config.labelNoise, 1000 + config.seed) : null;
  const trainLabels = Int32Array.from(noise?.labels ?? train.labels);
  const xs = toFloat(train.images);
  const testXs = toFloat(test.images);
  const n = train.count;

  const inner = makePruner(config.strategy, config.strategyOptions, { size: n, epochs: config.epochs, seed: config.seed });
  const visits = noise === null ? null : new Uint16Array(n);
  const { pruner, noisyVisited } = countingPruner(inner, noise?.flipped ?? null, visits);
  const model = spec.build();
  const optimizer = tf.train.adam(config.learningRate);
  const data = arrayDataSource({ values: xs, shape: [n, ...spec.inputShape] }, { values: trainLabels, shape: [n] });
  const epochs: EpochRecord[] = [];
  let trainTimeMs = 0;
  const trainer = new Trainer({
    model,
    optimizer,
    pruner,
    data,
    loss: (logits, ys) => softmaxCrossEntropy(ys as tf.Tensor, logits as tf.Tensor),
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: cosineSchedule({ peak: config.learningRate, epochs: config.epochs, warmupEpochs: 0 }),
    seed: config.seed,
    progress: context.progress ?? 'auto',
    checkpointDir: context.checkpointDir,
    onEpochEnd: (r) => {
      trainTimeMs += r.wallTimeMs;
      const record: EpochRecord = {
        epoch: r.epoch,
        phase: r.phase,
        trainLoss: r.loss,
        testAccuracy: accuracy(model, testXs, test.labels, spec.inputShape),
        visited: r.visited,
        prunedRatio: r.prunedRatio,
        savedRatioSoFar: r.savedRatioSoFar,
        wallTimeMs: r.wallTimeMs,
        ...(noise === null ? {} : { noisyVisited: noisyVisited() }),
      };
      epochs.push(record);
      context.onEpoch?.(record);
    },
  });
  try {
    await trainer.fit();
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  const last = epochs.at(-1);
  let noiseSummary: RunRecord['noise'];
  if (noise !== null && visits !== null) {
    let noisyVisits = 0;
    let cleanVisits = 0;
    for (let i = 0; i < n; i++) {
      if (noise.flipped[i]) noisyVisits += visits[i]!;
      else cleanVisits += visits[i]!;
    }
    noiseSummary = {
      flipped: noise.flippedCount,
      visitsPerNoisy: noise.flippedCount === 0 ? 0 : noisyVisits / noise.flippedCount,
      visitsPerClean: n === noise.flippedCount ? 0 : cleanVisits / (n - noise.flippedCount),
    };
  }
  return {
    version: 1,
    config,
    backend: context.backend,
    epochs,
    finalAccuracy: last?.testAccuracy ?? Number.NaN,
    savedRatio: last?.savedRatioSoFar ?? 0,
    trainTimeMs,
    totalTimeMs: performance.now() - t0,
    ...(noiseSummary === undefined ? {} : { noise: noiseSummary }),
    startedAt,
  };
}
