import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '@seta/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchNormGradSumsImpl } from './batch-norm-grad.js';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register-kernels.js';
import { randomValues, relativeError, valuesOn } from './test-utils.js';

// Normwise relative error max|wasm − cpu| / max|cpu| ≤ 1e-4, as for every kernel.
const TOLERANCE = 1e-4;

beforeAll(async () => {
  registerGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

describe('batchNormGradSumsImpl', () => {
  it('gives Σ dy and Σ dy · (x − mean) per channel (brute-force oracle), without touching its inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (n, C, seed) => {
        const rng = new Random(seed >>> 0);
        const x = randomValues(rng, n * C);
        const dy = randomValues(rng, n * C);
        const mean = randomValues(rng, C);
        const copies = [Float32Array.from(x), Float32Array.from(dy), Float32Array.from(mean)];
        const out = batchNormGradSumsImpl(x, mean, dy, C, new Float32Array(2 * C).fill(NaN));
        for (let c = 0; c < C; c++) {
          let s1 = 0;
          let s2 = 0;
          for (let i = 0; i < n; i++) {
            s1 += dy[i * C + c]!;
            s2 += dy[i * C + c]! * (x[i * C + c]! - mean[c]!);
          }
          expect(out[c]).toBeCloseTo(s1, 4);
          expect(out[C + c]).toBeCloseTo(s2, 4);
        }
        expect([x, dy, mean]).toEqual(copies);
      }),
    );
  });
});

describe('the FusedBatchNorm gradient on wasm', () => {
  /**
   * Gradients of Σ w · batchNorm(x, mean, variance, offset, scale) with respect to all five inputs. (Always
   * with a scale: TensorFlow.js's FusedBatchNorm fails to save a missing scale for the tape, on any backend.)
   */
  function gradients(
    xs: { x: Float32Array; mean: Float32Array; variance: Float32Array; offset: Float32Array; scale: Float32Array; w: Float32Array },
    xShape: number[],
    statShape: number[],
  ): () => tf.Tensor {
    return () => {
      const x = tf.tensor(xs.x, xShape);
      const w = tf.tensor(xs.w, xShape);
      const [mean, variance, offset, scale] = [xs.mean, xs.variance, xs.offset, xs.scale].map((v) => tf.tensor(v, statShape));
      const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
        tf.sum(tf.mul(w, tf.batchNorm(a, m, v, o, s, 1e-3)));
      const gs = tf.grads(f)([x, mean!, variance!, offset!, scale!]);
      return tf.concat(gs.map((g) => tf.reshape(g, [-1])));
    };
  }

  it('matches the cpu backend for x, mean, variance, offset and scale (random shapes and channel counts)', async () => {
    const rng = new Random(7);
    for (let k = 0; k < 12; k++) {
      const C = 1 + rng.nextInt(20);
      const xShape = [1 + rng.nextInt(4), 1 + rng.nextInt(9), 1 + rng.nextInt(9), C];
      const n = xShape.reduce((a, b) => a * b, 1);
      const xs = {
        x: randomValues(rng, n).map((v) => v * 3 + 0.5),
        w: randomValues(rng, n),
        mean: randomValues(rng, C),
        variance: randomValues(rng, C).map((v) => v + 1.2), // > 0
        offset: randomValues(rng, C),
        scale: randomValues(rng, C).map((v) => v * 2),
      };
      const f = gradients(xs, xShape, [C]);
      const cpu = await valuesOn('cpu', f);
      const wasm = await valuesOn('wasm', f);
      expect(relativeError(wasm, cpu), `x ${xShape}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('takes the replaced gradient where the fast one does not apply (rank-4 statistics), with the same values as cpu', async () => {
    const rng = new Random(8);
    const xShape = [2, 3, 4, 5];
    const n = 120;
    const xs = {
      x: randomValues(rng, n),
      w: randomValues(rng, n),
      mean: randomValues(rng, n),
      variance: randomValues(rng, n).map((v) => v + 1.2),
      offset: randomValues(rng, n),
      scale: randomValues(rng, n),
    };
    const f = gradients(xs, xShape, xShape);
    expect(relativeError(await valuesOn('wasm', f), await valuesOn('cpu', f))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('runs one sums kernel in place of the stock reductions and tiles, and unregistering restores the replaced gradient', async () => {
    await tf.setBackend('wasm'); // valuesOn above leaves the last backend it used active
    const x = tf.randomNormal([2, 4, 4, 3]);
    const [m, v, o, s] = [tf.zeros([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3])];
    const kernelsOf = async () => (await tf.profile(() => tf.grad((a: tf.Tensor) => tf.sum(tf.batchNorm(a, m, v, o, s)))(x))).kernelNames;
    const fast = await kernelsOf();
    expect(fast).toContain('SetaBatchNormGradSums');
    expect(fast).not.toContain('Tile');
    const replacing = tf.getGradient('FusedBatchNorm');
    unregisterWasmTrainingKernels();
    const stock = tf.getGradient('FusedBatchNorm');
    expect(stock).toBeDefined();
    expect(stock).not.toBe(replacing);
    expect(await kernelsOf()).not.toContain('SetaBatchNormGradSums');
    registerWasmTrainingKernels();
    tf.dispose([x, m, v, o, s]);
  });
});
