// Imports only tfjs-core and the cpu backend, as a Node user of the bare core
// would: its CommonJS entry registers no gradient functions.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { softmaxCrossEntropy } from './losses.js';
import { TestPruner } from './test-utils.js';
import { Trainer } from './trainer.js';

describe('Trainer on a bare tfjs-core', () => {
  it('registers the missing gradients when fit() starts, not when built, and trains', async () => {
    await tf.setBackend('cpu');
    expect(tf.getGradient('BatchMatMul')).toBeUndefined();
    const w = tf.variable(tf.zeros([2, 2]));
    const data = arrayDataSource({ values: Float32Array.of(1, 0, 0, 1), shape: [2, 2] }, { values: Int32Array.of(0, 1), shape: [2] });
    const trainer = new Trainer({
      model: (xs) => tf.matMul(xs as tf.Tensor2D, w),
      variables: [w],
      optimizer: tf.train.sgd(1),
      pruner: new TestPruner(2),
      data,
      loss: (out, ys) => softmaxCrossEntropy(ys as tf.Tensor, out as tf.Tensor),
      epochs: 3,
      batchSize: 2,
      progress: false,
    });
    expect(tf.getGradient('BatchMatMul')).toBeUndefined();
    const { epochs } = await trainer.fit();
    expect(tf.getGradient('BatchMatMul')).toBeDefined();
    expect(epochs[0]!.loss).toBeCloseTo(Math.LN2, 5);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    w.dispose();
  });
});
