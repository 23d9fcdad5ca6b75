import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointwiseModuleBytes } from './pointwise-grads.js';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register-kernels.js';
import { randomValues, valuesOn } from './test-utils.js';

beforeAll(async () => {
  registerGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

/** Random values with the awkward ones mixed in: ±0, ±Infinity, NaN, tiny and huge. */
function awkward(rng: Random, n: number): Float32Array {
  const special = [0, -0, Infinity, -Infinity, NaN, 1e-40, -3e38, 3e38];
  return randomValues(rng, n).map((v) => (rng.nextInt(5) === 0 ? special[rng.nextInt(special.length)]! : v * 4));
}

describe('the one-pass ReLU and Square gradients on wasm', () => {
  it('are valid WebAssembly', () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(pointwiseModuleBytes())).toBe(true);
  });

  it('equal the stock gradients bit for bit (±0, ±Infinity, NaN), on sizes with and without a tail', async () => {
    const rng = new Random(31);
    for (let t = 0; t < 40; t++) {
      const n = 1 + rng.nextInt(70);
      const x = awkward(rng, n);
      const w = awkward(rng, n);
      for (const op of [tf.relu, tf.square]) {
        // d/dx Σ w · op(x): the incoming gradient is w.
        const f = () => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(op(xt), tf.tensor1d(w))))(tf.tensor1d(x));
        const cpu = await valuesOn('cpu', f);
        const wasm = await valuesOn('wasm', f);
        const same = Array.from(wasm).every((v, i) => Object.is(v, cpu[i]) || (Number.isNaN(v) && Number.isNaN(cpu[i]!)));
        expect(same, `${op.name} n=${n}: ${Array.from(wasm)} vs ${Array.from(cpu)}`).toBe(true);
      }
    }
  });

  it('are restored on unregister', () => {
    const ours = [tf.getGradient('Relu'), tf.getGradient('Square')];
    unregisterWasmTrainingKernels();
    const stock = [tf.getGradient('Relu'), tf.getGradient('Square')];
    expect(stock[0]).not.toBe(ours[0]);
    expect(stock[1]).not.toBe(ours[1]);
    expect(tf.getKernel('SetaReluGrad', 'wasm')).toBeUndefined();
    registerWasmTrainingKernels();
    unregisterWasmTrainingKernels();
    expect([tf.getGradient('Relu'), tf.getGradient('Square')]).toEqual(stock);
    registerWasmTrainingKernels();
  });
});
