import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';

/** A loss or metric as tfjs-layers compiles it: `(yTrue, yPred) => values`. */
export type LossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * A per-sample loss for {@link fit}: `(yTrue, yPred) => [B]`, one value per
 * sample of the batch (never reduced over the batch).
 */
export type FitPerSampleLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

// tfjs-core's tf.losses.* reduce over the batch by default; called with
// Reduction.NONE they give element-wise losses that fit() averages over the
// non-batch axes — what their default (SUM_BY_NONZERO_WEIGHTS without
// weights: the mean over every element) gives per sample.
const NONE = tf.Reduction.NONE;
const CORE_LOSSES = new Map<unknown, { name: string; perSample: LossOrMetricFn }>([
  [tf.losses.absoluteDifference, { name: 'tf.losses.absoluteDifference', perSample: (t, p) => tf.losses.absoluteDifference(t, p, undefined, NONE) }],
  [tf.losses.meanSquaredError, { name: 'tf.losses.meanSquaredError', perSample: (t, p) => tf.losses.meanSquaredError(t, p, undefined, NONE) }],
  [tf.losses.hingeLoss, { name: 'tf.losses.hingeLoss', perSample: (t, p) => tf.losses.hingeLoss(t, p, undefined, NONE) }],
  [tf.losses.huberLoss, { name: 'tf.losses.huberLoss', perSample: (t, p) => tf.losses.huberLoss(t, p, undefined, undefined, NONE) }],
  [tf.losses.logLoss, { name: 'tf.losses.logLoss', perSample: (t, p) => tf.losses.logLoss(t, p, undefined, undefined, NONE) }],
  [
    tf.losses.sigmoidCrossEntropy,
    { name: 'tf.losses.sigmoidCrossEntropy', perSample: (t, p) => tf.losses.sigmoidCrossEntropy(t, p, undefined, undefined, NONE) },
  ],
  [
    tf.losses.softmaxCrossEntropy,
    { name: 'tf.losses.softmaxCrossEntropy', perSample: (t, p) => tf.losses.softmaxCrossEntropy(t, p, undefined, undefined, NONE) },
  ],
]);

/** `[B, …]` values to `[B]`: the mean over every axis but the first (the identity on `[B]`). */
export function meanPerSample(values: tf.Tensor): tf.Tensor1D {
  if (values.rank === 1) return values as tf.Tensor1D;
  return tf.mean(values, values.shape.map((_, i) => i).slice(1)) as tf.Tensor1D;
}

/** Which compiled loss of output `i`: its name for messages. */
function lossName(compiled: unknown, i: number): string {
  const entry = Array.isArray(compiled) ? compiled[i] : compiled;
  if (typeof entry === 'string') return JSON.stringify(entry);
  if (typeof entry === 'function') return CORE_LOSSES.get(entry)?.name ?? `the function ${entry.name === '' ? '(anonymous)' : entry.name}`;
  return describeValue(entry);
}

/**
 * The per-sample version of output `i`'s compiled loss.
 *
 * - the loss names of tfjs-layers (`'categoricalCrossentropy'`,
 *   `'sparseCategoricalCrossentropy'`, `'binaryCrossentropy'`,
 *   `'meanSquaredError'`, `'meanAbsoluteError'`, …) and its loss functions
 *   already reduce only the last axis: used as compiled, averaged over any
 *   further axes;
 * - `tf.losses.*` of tfjs-core (absoluteDifference, meanSquaredError,
 *   hingeLoss, huberLoss, logLoss, sigmoidCrossEntropy,
 *   softmaxCrossEntropy) are called with `tf.Reduction.NONE` instead;
 * - any other function is used as compiled and must return `[B, …]`;
 *   one that reduces over the batch is refused at the first batch
 *   ({@link checkPerSampleValues}).
 */
export function compiledPerSampleLoss(compiled: unknown, fn: LossOrMetricFn, i: number): { perSample: LossOrMetricFn; name: string } {
  const entry = Array.isArray(compiled) ? compiled[i] : compiled;
  const core = typeof entry === 'function' ? CORE_LOSSES.get(entry) : undefined;
  if (core !== undefined) return { perSample: core.perSample, name: core.name };
  if (typeof fn !== 'function') throw new TypeError(`fit(): the model's compiled loss for output ${i} is not a function, got ${describeValue(fn)}`);
  return { perSample: fn, name: lossName(compiled, i) };
}

/**
 * Check that a loss gave one value (or one row of values) per sample.
 *
 * @throws TypeError naming the loss, the shape it returned and `perSampleLoss`.
 */
export function checkPerSampleValues(fn: string, name: string, values: unknown, batch: number): asserts values is tf.Tensor {
  if (values instanceof tf.Tensor && values.rank >= 1 && values.shape[0] === batch) return;
  const got = values instanceof tf.Tensor ? `shape [${values.shape.join(', ')}]` : describeValue(values);
  throw new TypeError(
    `${fn}: the loss ${name} returned ${got} for a batch of ${batch}: it must give one value per sample ([${batch}] or [${batch}, …]) ` +
      'to be weighted and observed by the pruner; it reduces over the batch, so pass args.perSampleLoss: (yTrue, yPred) => [B] ' +
      '(for tf.losses.*, call it with tf.Reduction.NONE)',
  );
}
