import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelSumsImpl } from './reduce-kernels.js';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register-kernels.js';
import { randomValues, relativeError, valuesOn } from './test-utils.js';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  registerGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('channelSumsImpl', () => {
  it('sums each channel over the rows, scaled, for any channel count', () => {
    const rng = new Random(3);
    for (let t = 0; t < 50; t++) {
      const C = 1 + rng.nextInt(11);
      const n = rng.nextInt(40);
      const x = randomValues(rng, n * C);
      const scale = t % 2 ? 1 : 1 / Math.max(n, 1);
      const out = channelSumsImpl(x, C, scale, new Float32Array(C).fill(NaN));
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i * C + c]!;
        expect(out[c]).toBeCloseTo(s * scale, 5);
      }
    }
  });
});

describe('Mean and Sum on wasm', () => {
  it('match the cpu backend on every axis set, with and without keepDims', async () => {
    const rng = new Random(5);
    for (let t = 0; t < 60; t++) {
      const rank = 1 + rng.nextInt(4);
      const shape = Array.from({ length: rank }, () => 1 + rng.nextInt(5));
      const values = randomValues(rng, shape.reduce((a, b) => a * b, 1));
      // Half the cases per-channel (all axes but the last, as batch norm's moments), in any order and with negatives.
      const axes =
        t % 2 === 0 && rank > 1
          ? Array.from({ length: rank - 1 }, (_, i) => (rng.nextInt(2) ? i : i - rank)).reverse()
          : Array.from({ length: rank }, (_, i) => i).filter(() => rng.nextInt(2) === 1);
      const keepDims = rng.nextInt(2) === 1;
      for (const op of [tf.mean, tf.sum]) {
        const f = () => op(tf.tensor(values, shape), axes, keepDims);
        const cpu = await valuesOn('cpu', f);
        const wasm = await valuesOn('wasm', f);
        const shapes = [tf.tidy(() => f().shape)];
        expect(relativeError(wasm, cpu), `${op.name} ${shape} axes ${axes} keepDims ${keepDims} ${shapes}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('keep the stock kernel for int32, and give an empty per-channel reduction as the cpu backend does (0)', async () => {
    const f = () => tf.sum(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 0);
    expect(Array.from(await valuesOn('wasm', f))).toEqual([4, 6]);
    for (const op of [tf.mean, tf.sum]) {
      const g = () => op(tf.zeros([0, 3]), 0);
      expect(Array.from(await valuesOn('wasm', g))).toEqual(Array.from(await valuesOn('cpu', g)));
    }
  });
});

describe('the Mean gradient on wasm', () => {
  it('equals the stock gradient bit for bit, on every axis set', async () => {
    const rng = new Random(7);
    for (let t = 0; t < 40; t++) {
      const rank = 1 + rng.nextInt(4);
      const shape = Array.from({ length: rank }, () => 1 + rng.nextInt(4));
      const axes = Array.from({ length: rank }, (_, i) => i).filter(() => rng.nextInt(2) === 1);
      const keepDims = rng.nextInt(2) === 1;
      const x = randomValues(rng, shape.reduce((a, b) => a * b, 1));
      const outSize = tf.tidy(() => tf.mean(tf.tensor(x, shape), axes, keepDims).size);
      const w = randomValues(rng, outSize);
      // d/dx Σ w · mean(x): the incoming gradient is w.
      const f = () =>
        tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(tf.reshape(tf.mean(xt, axes, keepDims), [outSize]), tf.tensor1d(w))))(tf.tensor(x, shape));
      const cpu = await valuesOn('cpu', f);
      const wasm = await valuesOn('wasm', f);
      expect(Array.from(wasm), `${shape} axes ${axes}`).toEqual(Array.from(cpu));
    }
  });
});

describe('Identity and Cast on wasm', () => {
  it('share memory without changing values, and free it only when the last user is disposed', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numBytes;
    const a = tf.tensor([1.5, -2, 3], [3]);
    const b = a.clone();
    const c = tf.cast(a, 'float32');
    const d = tf.cast(a, 'int32'); // a real conversion: the stock kernel
    expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(c.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(d.dataSync())).toEqual([1, -2, 3]);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([1.5, -2, 3]);
    c.dispose();
    d.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('leave a variable’s earlier clone unchanged when the variable is assigned or trained', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor([1, 2, 3, 4], [4]));
    const snapshot = v.clone();
    v.assign(tf.tensor([9, 9, 9, 9], [4]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3, 4]);
    const opt = tf.train.adam(0.1);
    const kept = v.clone();
    opt.minimize(() => tf.sum(tf.square(v)) as tf.Scalar);
    expect(Array.from(kept.dataSync())).toEqual([9, 9, 9, 9]);
    expect(v.dataSync()[0]).toBeLessThan(9);
    for (const t of [v, snapshot, kept]) t.dispose();
    opt.dispose();
  });
});

describe('unregistering', () => {
  it('puts back the Mean gradient and the stock Mean, Sum, Identity and Cast kernels', () => {
    const before = tf.getGradient('Mean');
    const kernels = ['Mean', 'Sum', 'Identity', 'Cast'].map((k) => tf.getKernel(k, 'wasm'));
    unregisterWasmTrainingKernels();
    const stockGrad = tf.getGradient('Mean');
    expect(stockGrad).not.toBe(before);
    const stock = ['Mean', 'Sum', 'Identity', 'Cast'].map((k) => tf.getKernel(k, 'wasm'));
    stock.forEach((k, i) => expect(k, String(i)).not.toBe(kernels[i]));
    registerWasmTrainingKernels();
    expect(tf.getGradient('Mean')).not.toBe(stockGrad);
    unregisterWasmTrainingKernels();
    expect(tf.getGradient('Mean')).toBe(stockGrad);
    ['Mean', 'Sum', 'Identity', 'Cast'].forEach((k, i) => expect(tf.getKernel(k, 'wasm')).toBe(stock[i]));
    registerWasmTrainingKernels();
  });
});
