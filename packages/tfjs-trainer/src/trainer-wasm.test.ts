import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random } from '@seta/core';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@seta/tfjs-wasm-training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { softmaxCrossEntropy } from './losses.js';
import { TestPruner } from './test-utils.js';
import { Trainer } from './trainer.js';

// The kernels themselves are tested in @seta/tfjs-wasm-training; here, the Trainer on top of them.
beforeAll(async () => {
  registerGradients();
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('Trainer on wasm with the training kernels', () => {
  it('trains a tfjs-layers CNN with batch norm and dropout, without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const rng = new Random(30);
    const n = 48;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    // Class c lights up column band c of an 8×8 image, plus noise (the kernels' own tests use rows).
    const images = new Float32Array(n * 64);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < 64; p++) images[i * 64 + p] = (Math.floor((p % 8) / 3) === labels[i]! ? 1 : 0) + (rng.nextFloat() - 0.5) * 0.3;
    // A 'valid' convolution, batch norm, average pooling and dropout: other kernels than the package's max-pooling CNN.
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' }),
        tfl.layers.batchNormalization(),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.1 }),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    const counts: number[] = [];
    const { epochs } = await new Trainer({
      model,
      optimizer: tf.train.adam(0.03),
      pruner: new TestPruner(n, 0.75, 2),
      data: arrayDataSource({ values: images, shape: [n, 8, 8, 1] }, { values: labels, shape: [n] }),
      loss: (logits, ys) => softmaxCrossEntropy(ys as tf.Tensor, logits as tf.Tensor),
      epochs: 8,
      batchSize: 12,
      progress: false,
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    }).fit();
    expect(tf.getBackend()).toBe('wasm');
    expect(epochs[7]!.loss).toBeLessThan(epochs[0]!.loss * 0.7);
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });
});
