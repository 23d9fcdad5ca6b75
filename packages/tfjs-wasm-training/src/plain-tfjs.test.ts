/*
 * With plain `@tensorflow/tfjs` in Node (which registers its own gradients and
 * layers) and the wasm backend: the built package registers its kernels on
 * that TensorFlow.js and a tfjs-layers CNN trains with `model.fit`. Uses
 * `dist/` (turbo runs `build` first), as an installed package would.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-ignore -- dist/ may not exist when the package is typechecked (turbo builds it before tests only); its types are src/index.ts's.
import * as built from '../dist/index.js';
import type * as api from './index.js';

const { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels, wasmTrainingKernelsRegistered } = built as typeof api;

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('with plain @tensorflow/tfjs in Node', () => {
  it('adds no gradient (tfjs registered them all) and never replaces one', () => {
    const conv = tf.getGradient('Conv2D');
    expect(registerGradients()).toEqual([]);
    expect(tf.getGradient('Conv2D')).toBe(conv);
  });

  it('registers the kernels on that TensorFlow.js, and a CNN that fails on stock wasm trains', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    await expect(model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 })).rejects.toThrow(/Conv2DBackpropFilter/);
    registerWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const loss = (await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 })).history['loss'] as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(loss[19]!).toBeLessThan(loss[0]! * 0.1);
    tf.dispose([x, y]);
    model.dispose();
  });
});
