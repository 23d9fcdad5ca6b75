/*
 * The synthetic task and model the Trainer's tests share: a learnable
 * three-class problem on six features and an MLP as a function of variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@seta/core';
import { arrayDataSource } from './array-data-source.js';
import type { DataSource } from './data-source.js';
import { softmaxCrossEntropy } from './losses.js';
import { randomValues } from './test-utils.js';
import type { TrainerOptions } from './trainer-options.js';

export const N = 96;
export const D = 6;
export const C = 3;

/** A learnable synthetic task: the class is the argmax of three fixed projections. */
export function dataset(seed = 1): { x: Float32Array; y: Int32Array } {
  const rng = new Random(seed);
  const x = randomValues(rng, N * D);
  const proj = randomValues(rng, D * C);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let best = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += x[i * D + d]! * proj[d * C + c]!;
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y };
}

/** A 6-16-3 MLP as a function of variables, initialised from a seed. */
export function mlp(seed: number) {
  const rng = new Random(seed);
  // In a tidy: the initial values are copied into the variables and freed.
  const [w1, b1, w2, b2] = tf.tidy(() => [
    tf.variable(tf.tensor2d(randomValues(rng, D * 16), [D, 16])),
    tf.variable(tf.zeros([16])),
    tf.variable(tf.tensor2d(randomValues(rng, 16 * C), [16, C])),
    tf.variable(tf.zeros([C])),
  ]) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const variables = [w1, b1, w2, b2];
  const model = (xs: tf.Tensor | tf.Tensor[] | { [k: string]: tf.Tensor }) =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xs as tf.Tensor2D, w1), b1)), w2), b2);
  return { model, variables, dispose: () => tf.dispose(variables) };
}

export const ceLoss: TrainerOptions['loss'] = (out, ys) => softmaxCrossEntropy(ys as tf.Tensor, out as tf.Tensor);

/** Data with seeded augmentation: Gaussian-ish noise drawn from the loop's generator. */
export function augmentedData(): DataSource {
  const { x, y } = dataset();
  return arrayDataSource({ values: x, shape: [N, D] }, { values: y, shape: [N] }, {
    augment: (values, _shape, { rng }) => {
      for (let i = 0; i < values.length; i++) values[i]! += (rng.nextFloat() - 0.5) * 0.1;
    },
  });
}
