import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';
import type { Batch } from './data-source.js';
import type { PerSampleLoss, TrainableModel } from './model.js';

/** What a step needs besides the batch: the same for every step of a run. */
export interface StepSetup {
  readonly model: TrainableModel;
  readonly optimizer: tf.Optimizer;
  readonly loss: PerSampleLoss;
  /** How two-direction losses combine per sample: `'mean'` (CLIP) or `'sum'` (MoCo v3). */
  readonly directions: 'mean' | 'sum';
  /** Added to the minimised cost inside the gradient tape: a layers model's regularisation losses. */
  readonly penalty?: (() => tf.Scalar | null) | undefined;
}

/**
 * The tensors a step leaves for the loop to read: they outlive the step's
 * gradient tape, and `dispose()` frees them all (the loop calls it once the
 * values are read, or when anything after the step fails).
 */
export interface StepTensors {
  /** Per-sample losses, `[B]` (the first direction for contrastive tasks). */
  readonly lossA: tf.Tensor1D;
  /** The second direction's per-sample losses, or null. */
  readonly lossB: tf.Tensor1D | null;
  /** The unweighted mean per-sample loss. */
  readonly meanLoss: tf.Scalar;
  /** What was minimised: `mean_i(w_i · loss_i)`. */
  readonly cost: tf.Scalar;
  dispose(): void;
}

/** A step's results as numbers, read back from its tensors. */
export interface StepValues {
  readonly lossesA: Float32Array | Int32Array | Uint8Array;
  readonly lossesB: Float32Array | Int32Array | Uint8Array | undefined;
  /** The batch's training loss, `mean_i(w_i · loss_i)`. */
  readonly loss: number;
  /** The unweighted mean per-sample loss. */
  readonly meanLoss: number;
}

/** Check that a loss function returned one value per sample. */
function checkPerSample(name: string, l: unknown, n: number): asserts l is tf.Tensor1D {
  if (!(l instanceof tf.Tensor) || l.rank !== 1 || l.shape[0] !== n) {
    throw new TypeError(
      `Trainer: ${name} must return one value per sample, a tensor of shape [${n}], got ${
        l instanceof tf.Tensor ? `shape [${l.shape.join(', ')}]` : describeValue(l)
      }`,
    );
  }
}

/**
 * One optimizer step on a batch: the forward pass, the per-sample losses,
 * their mean weighted by the plan's `weights` (null: all 1), the gradients of
 * that mean and the update. O(one forward and backward pass).
 *
 * Nothing is left behind if the model or loss throws: the error is rethrown
 * after every tensor of the step is freed and no update is applied.
 *
 * @param ids - the batch's sample ids, passed to the loss function.
 * @param epoch - 0-based, passed to the loss function.
 * @returns the tensors the loop reads; the caller disposes them.
 * @throws TypeError if the loss does not return one value per sample;
 *   whatever the model or loss throws.
 */
export function trainStep(
  setup: StepSetup,
  batch: Batch,
  ids: Uint32Array,
  weightValues: Float32Array | null,
  epoch: number,
): StepTensors {
  const { model, optimizer, loss, directions } = setup;
  const n = ids.length;
  let lossA: tf.Tensor1D | null = null;
  let lossB: tf.Tensor1D | null = null;
  let meanLoss: tf.Scalar | null = null;
  let cost: tf.Scalar | null = null;
  let weights: tf.Tensor1D | null = null;
  const dispose = (): void => {
    for (const x of [lossA, lossB, meanLoss, cost, weights] as (tf.Tensor | null)[]) x?.dispose();
  };
  try {
    weights = weightValues === null ? null : tf.tensor1d(weightValues, 'float32');
    const w = weights;
    // optimizer.minimize() without its leak: when f throws, tfjs-core
    // leaves the tensors its gradient tape saved undisposed. So f catches
    // whatever the model or loss throws and returns a zero that depends on
    // a variable, the tape completes and frees them, and nothing is applied.
    let failure: { error: unknown } | null = null;
    const { value, grads } = optimizer.computeGradients(() => {
      try {
        const out = model.forward(batch.xs);
        const result = loss(out, batch.ys, { ids, epoch });
        const pair = Array.isArray(result) ? (result as readonly [tf.Tensor1D, tf.Tensor1D]) : null;
        const a: unknown = pair ? pair[0] : result;
        const b: unknown = pair ? pair[1] : null;
        checkPerSample('loss', a, n);
        if (b !== null) checkPerSample('second loss', b, n);
        lossA = tf.keep(a);
        if (b !== null) lossB = tf.keep(b);
        const perSample = b === null ? a : directions === 'sum' ? tf.add(a, b) : tf.mul(tf.add(a, b), 0.5);
        meanLoss = tf.keep(tf.mean(perSample)) as tf.Scalar;
        const cost = tf.mean(w === null ? perSample : tf.mul(perSample, w)) as tf.Scalar;
        const penalty = setup.penalty?.() ?? null;
        return penalty === null ? cost : tf.add(cost, penalty);
      } catch (error) {
        failure = { error };
        return tf.mul(tf.sum(model.trainable[0]!), 0) as tf.Scalar;
      }
    }, model.trainable);
    cost = value;
    try {
      if (failure !== null) throw (failure as { error: unknown }).error;
      // As minimize() does: gradients in the order of the variable list, which fixes the order of the optimizer's slots.
      optimizer.applyGradients(model.trainable.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
    } finally {
      tf.dispose(Object.values(grads));
    }
  } catch (error) {
    dispose();
    throw error;
  }
  // Assigned inside the gradient function, which TypeScript's narrowing does not follow.
  return { lossA: (lossA as tf.Tensor1D | null)!, lossB, meanLoss: (meanLoss as tf.Scalar | null)!, cost, dispose };
}

/**
 * Read a step's losses back from the backend: the per-sample values the
 * pruner observes and the two batch means the reports show. O(B); on a GPU
 * or wasm backend this waits for the step to finish.
 */
export async function readStep(step: StepTensors): Promise<StepValues> {
  const lossesA = await step.lossA.data();
  const lossesB = step.lossB === null ? undefined : await step.lossB.data();
  const loss = (await step.cost.data())[0]!;
  const meanLoss = (await step.meanLoss.data())[0]!;
  return { lossesA, lossesB, loss, meanLoss };
}
