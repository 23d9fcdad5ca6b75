import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelModuleBytes, channelSimdFor } from './channel-kernels.js';
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

/** A random activation shape (rank 1–4) whose last axis is `C`. */
function shapeWith(rng: Random, C: number): number[] {
  const rank = 1 + rng.nextInt(4);
  return [...Array.from({ length: rank - 1 }, () => 1 + rng.nextInt(6)), C];
}

describe('the per-channel SIMD module', () => {
  it('is valid WebAssembly and runs on the wasm backend of this Node', () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(channelModuleBytes())).toBe(true);
    expect(channelSimdFor(tf.backend() as never)).not.toBeNull();
  });
});

describe('Sub, Multiply and Add with a per-channel operand on wasm', () => {
  it('match the cpu backend for every channel count, broadcast form and operand order', async () => {
    const rng = new Random(21);
    for (let t = 0; t < 60; t++) {
      // Multiples of four take the SIMD loop, the others the stock kernel.
      const C = t % 3 === 0 ? 1 + rng.nextInt(9) : 4 * (1 + rng.nextInt(8));
      const shape = shapeWith(rng, C);
      const vShape = [...new Array<number>(rng.nextInt(shape.length)).fill(1), C];
      const full = randomValues(rng, shape.reduce((a, b) => a * b, 1));
      const vector = randomValues(rng, C);
      for (const [name, f] of [
        ['sub', tf.sub],
        ['mul', tf.mul],
        ['add', tf.add],
      ] as const) {
        const swapped = rng.nextInt(2) === 1;
        const g = () => (swapped ? f(tf.tensor(vector, vShape), tf.tensor(full, shape)) : f(tf.tensor(full, shape), tf.tensor(vector, vShape)));
        const cpu = await valuesOn('cpu', g);
        const wasm = await valuesOn('wasm', g);
        // Float32 arithmetic on both: the same values, bit for bit.
        expect(Array.from(wasm), `${name} ${shape} by ${vShape}${swapped ? ' swapped' : ''}`).toEqual(Array.from(cpu));
      }
    }
  });

  it('leave full-by-full, int32 and other broadcasts to the stock kernels', async () => {
    const g = () => tf.sub(tf.tensor([[1, 2, 3, 4]], [1, 4], 'int32'), tf.tensor([1, 1, 1, 1], [4], 'int32'));
    expect(Array.from(await valuesOn('wasm', g))).toEqual([0, 1, 2, 3]);
    const h = () => tf.mul(tf.ones([2, 4, 4]), tf.tensor([1, 2, 3, 4], [4, 1])); // a per-row vector
    expect(Array.from(await valuesOn('wasm', h))).toEqual(Array.from(await valuesOn('cpu', h)));
  });
});

describe('FusedBatchNorm with per-channel statistics on wasm', () => {
  it('matches the cpu backend, with and without scale and offset', async () => {
    const rng = new Random(22);
    for (let t = 0; t < 40; t++) {
      const C = t % 4 === 0 ? 1 + rng.nextInt(7) : 4 * (1 + rng.nextInt(6));
      const shape = [1 + rng.nextInt(3), 1 + rng.nextInt(5), 1 + rng.nextInt(5), C];
      const x = randomValues(rng, shape.reduce((a, b) => a * b, 1)).map((v) => v * 3 + 1);
      const mean = randomValues(rng, C);
      const variance = randomValues(rng, C).map((v) => v * v + 0.1);
      const offset = t % 5 === 1 ? undefined : randomValues(rng, C);
      const scale = t % 5 === 2 ? undefined : randomValues(rng, C);
      const epsilon = [1e-3, 1e-5, 0.1][t % 3]!;
      const g = () =>
        tf.batchNorm(
          tf.tensor(x, shape),
          tf.tensor1d(mean),
          tf.tensor1d(variance),
          offset && tf.tensor1d(offset),
          scale && tf.tensor1d(scale),
          epsilon,
        );
      const cpu = await valuesOn('cpu', g);
      const wasm = await valuesOn('wasm', g);
      expect(relativeError(wasm, cpu), `${shape} eps ${epsilon}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
