import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';
import type { Tensors } from './data-source.js';

/** A model as a function of variables the caller owns: `(xs, { training }) => outputs`. */
export type ModelFunction = (xs: Tensors, context: { readonly training: boolean }) => Tensors;

/** The part of a tfjs-layers `LayersModel` the trainer uses (tfjs-layers stays an optional peer). */
export interface LayersModelLike {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): unknown;
  readonly weights: readonly { read(): tf.Tensor }[];
  readonly trainableWeights: readonly { read(): tf.Tensor }[];
}

/**
 * Per-sample losses of a batch, unreduced: one `[B]` tensor, or two for
 * contrastive tasks (image→text and text→image; view1→view2 and view2→view1).
 */
export type PerSampleLoss = (
  outputs: Tensors,
  ys: Tensors | undefined,
  batch: { readonly ids: Uint32Array; readonly epoch: number },
) => tf.Tensor1D | readonly [tf.Tensor1D, tf.Tensor1D];

/** The model as the train step uses it: a training-mode forward pass and every variable to checkpoint. */
export interface TrainableModel {
  readonly forward: (xs: Tensors) => Tensors;
  /** Model variables, then the extra ones, in checkpoint order; trainable ones are optimised. */
  readonly variables: readonly tf.Variable[];
  /** The trainable subset, in the same order: it fixes the order of the optimizer's slots. */
  readonly trainable: tf.Variable[];
}

function isLayersModel(model: unknown): model is LayersModelLike {
  return (
    typeof model === 'object' &&
    model !== null &&
    typeof (model as LayersModelLike).apply === 'function' &&
    Array.isArray((model as LayersModelLike).weights) &&
    Array.isArray((model as LayersModelLike).trainableWeights)
  );
}

/**
 * One shape for both kinds of model the trainer accepts: a tfjs-layers model
 * (its weights are the variables unless `variables` says otherwise) or a
 * function of variables the caller lists. O(variables).
 *
 * @param fn - the caller, for messages (`Trainer()`).
 * @throws TypeError / RangeError naming the option: a function model without
 *   `variables`, an entry that is not a `tf.Variable`, a variable listed
 *   twice, no trainable variable at all.
 */
export function trainableModel(
  fn: string,
  model: LayersModelLike | ModelFunction,
  variables: readonly tf.Variable[] | undefined,
  extraVariables: readonly tf.Variable[] | undefined,
): TrainableModel {
  let forward: (xs: Tensors) => Tensors;
  let all: tf.Variable[];
  if (isLayersModel(model)) {
    forward = (xs) => {
      if (!(xs instanceof tf.Tensor) && !Array.isArray(xs)) {
        throw new TypeError('Trainer: a layers model takes a tensor or an array of tensors as xs');
      }
      return model.apply(xs, { training: true }) as Tensors;
    };
    all = variables ? [...variables] : model.weights.map((w) => w.read() as tf.Variable);
  } else if (typeof model === 'function') {
    if (variables === undefined) {
      throw new TypeError(`${fn}: variables must list the variables of a function model, got undefined`);
    }
    forward = (xs) => model(xs, { training: true });
    all = [...variables];
  } else {
    throw new TypeError(`${fn}: model must be a tfjs-layers model or a function, got ${describeValue(model)}`);
  }
  all.push(...(extraVariables ?? []));
  all.forEach((v, i) => {
    if (!(v instanceof tf.Variable)) {
      throw new TypeError(`${fn}: variables[${i}] must be a tf.Variable, got ${describeValue(v)}`);
    }
  });
  if (new Set(all).size !== all.length) {
    throw new RangeError(`${fn}: variables must not repeat a variable (check extraVariables)`);
  }
  const trainable = all.filter((v) => v.trainable);
  if (trainable.length === 0) throw new RangeError(`${fn}: the model must have at least one trainable variable`);
  return { forward, variables: all, trainable };
}
