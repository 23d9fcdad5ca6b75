import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register-kernels.js';

/*
 * Every kernel is compared with the cpu backend on its own elsewhere; this
 * checks what a user relies on: a CNN trained for hundreds of steps on wasm
 * follows the cpu backend's loss curve. Same data, order and initial weights
 * on both; no dropout (its masks come from Math.random). Two convolution
 * blocks (3×3 'same' conv, batch norm, ReLU, 2×2 max pooling), two dense
 * layers, Adam: every fast path of this package is on the way.
 */

const STEPS = 250;
const BATCH = 8;
const SIZE = 8;
const CLASSES = 4;

beforeAll(() => {
  registerGradients();
  registerWasmTrainingKernels();
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

/** Class c: a bright bar at a class-dependent place and angle, plus noise; seeded. */
function dataset(seed: number, n: number): { images: Float32Array; labels: Int32Array } {
  const rng = new Random(seed);
  const images = new Float32Array(n * SIZE * SIZE);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(CLASSES);
    labels[i] = c;
    const shift = rng.nextInt(3);
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) {
        const on = c % 2 === 0 ? y === 1 + 3 * (c >> 1) + shift : x === 1 + 3 * (c >> 1) + shift;
        images[(i * SIZE + y) * SIZE + x] = (on ? 1 : 0) + (rng.nextFloat() - 0.5) * 0.4;
      }
  }
  return { images, labels };
}

function model(): tfl.Sequential {
  const init = (layer: number) => tfl.initializers.glorotUniform({ seed: 1000 + layer });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(2) }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.dense({ units: CLASSES, kernelInitializer: init(4) }),
    ],
  });
}

/** The loss after each of {@link STEPS} Adam steps on `backend`. */
async function lossCurve(backend: string): Promise<Float32Array> {
  expect(await tf.setBackend(backend)).toBe(true);
  const { images, labels } = dataset(11, STEPS * BATCH);
  const net = model();
  const optimizer = tf.train.adam(3e-3);
  const losses = new Float32Array(STEPS);
  for (let s = 0; s < STEPS; s++) {
    const from = s * BATCH;
    const x = tf.tensor4d(images.subarray(from * SIZE * SIZE, (from + BATCH) * SIZE * SIZE), [BATCH, SIZE, SIZE, 1]);
    const y = tf.oneHot(tf.tensor1d(labels.subarray(from, from + BATCH), 'int32'), CLASSES);
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    )!;
    losses[s] = cost.dataSync()[0]!;
    tf.dispose([x, y, cost]);
  }
  net.dispose();
  optimizer.dispose();
  return losses;
}

describe('a CNN trained on wasm', () => {
  it(`follows the cpu backend's loss curve over ${STEPS} steps`, { timeout: 120_000 }, async () => {
    const cpu = await lossCurve('cpu');
    const wasm = await lossCurve('wasm');
    // Training works on both: the last 50 steps' mean loss is well below the first 10 steps'.
    const mean = (a: Float32Array, from: number, to: number) => a.subarray(from, to).reduce((s, v) => s + v, 0) / (to - from);
    expect(mean(cpu, STEPS - 50, STEPS)).toBeLessThan(0.5 * mean(cpu, 0, 10));
    // The curves agree step by step: only rounding separates them (measured: at most 2.4e-7 apart, from a
    // first loss of 1.68), far inside these bounds (worst step, and the mean over the last 50 steps,
    // relative to the first loss), which a wrong gradient anywhere exceeds.
    let worst = 0;
    for (let s = 0; s < STEPS; s++) worst = Math.max(worst, Math.abs(wasm[s]! - cpu[s]!));
    expect(worst / cpu[0]!).toBeLessThan(1e-3);
    expect(Math.abs(mean(wasm, STEPS - 50, STEPS) - mean(cpu, STEPS - 50, STEPS)) / cpu[0]!).toBeLessThan(1e-4);
  });
});
