import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { perSampleStep } from './per-sample-step.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('perSampleStep', () => {
  it('minimises the weighted mean and returns the unweighted per-sample losses, kept past the step', async () => {
    // loss_i = (w · x_i − y_i)^2 with one weight w = 0: the gradient of
    // mean(c_i · loss_i) is mean(c_i · 2 (w x_i − y_i) x_i) = −2 mean(c_i x_i y_i).
    const w = tf.variable(tf.scalar(0));
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.tensor1d([1, 1, 2]);
    const weights = new Float32Array([1, 2, 0.5]);
    const optimizer = tf.train.sgd(0.1); // holds its rate as a tensor
    const before = tf.memory().numTensors;
    const losses = perSampleStep(optimizer, () => tf.square(tf.sub(tf.mul(w, x), y)), weights);
    expect(Array.from(await losses.data())).toEqual([1, 1, 4]);
    const grad = -2 * ((1 * 1 * 1 + 2 * 2 * 1 + 0.5 * 3 * 2) / 3);
    expect((await w.data())[0]).toBeCloseTo(-0.1 * grad, 6);
    losses.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x, y]);
    optimizer.dispose();
  });

  it('refuses a loss reduced over the batch, pointing at tf.Reduction.NONE, and applies no update', () => {
    const w = tf.variable(tf.scalar(1));
    const x = tf.tensor1d([1, 2]);
    expect(() => perSampleStep(tf.train.sgd(0.1), () => tf.mean(tf.mul(w, x)), new Float32Array([1, 1]))).toThrow(
      /perSampleStep\(\): perSampleLoss must return one loss per sample, shape \[2\], got shape \[\] \(use tf\.Reduction\.NONE/,
    );
    expect(w.dataSync()[0]).toBe(1);
    tf.dispose([w, x]);
  });

  it('leaves no tensor behind and applies no update when the model or loss throws', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const x = tf.tensor1d([3, 4]);
    const optimizer = tf.train.adam(0.1);
    const before = tf.memory().numTensors;
    const failing = () => {
      tf.mul(w, x); // the tape saves tensors for this product...
      throw new Error('model failed'); // ...then the model throws
    };
    expect(() => perSampleStep(optimizer, failing, new Float32Array([1, 1]))).toThrow('model failed');
    expect(() => perSampleStep(optimizer, failing, null, [w])).toThrow('model failed');
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    tf.dispose([w, x]);
    optimizer.dispose();
  });
});
