import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';
import { registerGradients } from '@seta/tfjs-wasm-training';

/**
 * One optimizer step for a hand-written pruning loop: minimises
 * `mean_i(w_i · loss_i)` over the batch and hands back the per-sample
 * losses `loss_i` the pruner must observe.
 *
 * It does the three things such a loop gets wrong: the loss must be
 * unreduced (`tf.Reduction.NONE` for `tf.losses.*`, or a tfjs-layers loss,
 * which already reduces only the last axis), the plan's weights multiply it
 * before the mean (InfoBatch up-weights kept low-loss samples), and the
 * per-sample tensor must be `tf.keep`-ed out of `optimizer.minimize`'s
 * scope to be read after it. Like `Trainer.fit()`, it first registers the
 * TensorFlow.js gradients that are missing (`registerGradients()`: tfjs-core's
 * CommonJS entry registers none). O(one forward and backward pass).
 *
 * @param optimizer - takes the step.
 * @param perSampleLoss - runs the model and returns `[B]` losses (called
 *   inside the gradient tape).
 * @param weights - the batch's weights (`PlanBatch.weights`), or null for all 1.
 * @param varList - the variables to train (default: every trainable one).
 * @returns the per-sample losses, `[B]`; dispose them after reading.
 * @throws TypeError if the loss is not `[B]` with B = `weights.length`;
 *   whatever the model or loss throws (no update is applied then).
 * @example
 * ```ts
 * for (const b of batchPlan(pruner.plan(epoch), 64)) {
 *   const ids = batchIds(b);
 *   const [xb, yb] = [tf.gather(xs, ids), tf.gather(ys, ids)];
 *   const losses = perSampleStep(optimizer, () =>
 *     tf.losses.softmaxCrossEntropy(yb, model.apply(xb, { training: true }) as tf.Tensor,
 *       undefined, undefined, tf.Reduction.NONE), b.weights);
 *   pruner.observe(b.indices, await losses.data());
 *   tf.dispose([xb, yb, losses]);
 * }
 * pruner.endEpoch();
 * ```
 */
export function perSampleStep(
  optimizer: tf.Optimizer,
  perSampleLoss: () => tf.Tensor,
  weights: Float32Array | null = null,
  varList?: tf.Variable[],
): tf.Tensor1D {
  const fn = 'perSampleStep()';
  if (!(optimizer instanceof tf.Optimizer)) throw new TypeError(`${fn}: optimizer must be a tf.Optimizer, got ${describeValue(optimizer)}`);
  if (typeof perSampleLoss !== 'function') throw new TypeError(`${fn}: perSampleLoss must be a function, got ${describeValue(perSampleLoss)}`);
  if (weights !== null && !(weights instanceof Float32Array)) {
    throw new TypeError(`${fn}: weights must be a Float32Array or null, got ${describeValue(weights)}`);
  }
  registerGradients();
  let kept: tf.Tensor1D | null = null;
  // optimizer.minimize() without its leak, as trainStep() does: when the
  // function throws, tfjs-core leaves the tensors its gradient tape saved
  // undisposed. So the error is caught inside, a zero that depends on a
  // variable is returned so that the tape completes and frees them, and no
  // update is applied.
  let failure: { error: unknown } | null = null;
  const { value, grads } = optimizer.computeGradients(() => {
    try {
      const losses = perSampleLoss();
      if (!(losses instanceof tf.Tensor) || losses.rank !== 1 || (weights !== null && losses.shape[0] !== weights.length)) {
        throw new TypeError(
          `${fn}: perSampleLoss must return one loss per sample, shape [${weights === null ? 'B' : weights.length}], got ${
            losses instanceof tf.Tensor ? `shape [${losses.shape.join(', ')}]` : describeValue(losses)
          } (use tf.Reduction.NONE with tf.losses.*)`,
        );
      }
      kept = tf.keep(losses as tf.Tensor1D);
      return tf.mean(weights === null ? losses : tf.mul(losses, tf.tensor1d(weights, 'float32'))) as tf.Scalar;
    } catch (error) {
      failure = { error };
      const anyVariable = varList?.[0] ?? Object.values(tf.engine().registeredVariables).find((v) => v.trainable)!;
      return tf.mul(tf.sum(anyVariable), 0) as tf.Scalar;
    }
  }, varList);
  try {
    if (failure !== null) throw (failure as { error: unknown }).error;
    // As minimize() does: with a variable list, gradients in its order (which fixes the order of the optimizer's slots).
    optimizer.applyGradients(varList ? varList.map((v) => ({ name: v.name, tensor: grads[v.name]! })) : grads);
  } catch (error) {
    (kept as tf.Tensor1D | null)?.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(grads));
    value.dispose();
  }
  return kept!;
}
