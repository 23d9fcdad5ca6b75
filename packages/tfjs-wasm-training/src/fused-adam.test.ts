import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Random } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSED_ADAM_KERNEL, fusedAdamInstalled, simdAdamFor } from './fused-adam.js';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './register-kernels.js';

beforeAll(async () => {
  registerGradients();
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterAll(() => {
  unregisterWasmTrainingKernels();
});

function values(rng: Random, n: number, scale: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.nextFloat() * 2 - 1) * scale;
  return v;
}

/**
 * Run `steps` Adam steps on two variables (a matrix and a vector) with fixed
 * gradients of mixed scales (tiny, huge and zero entries included), return
 * the variables' and the optimizer's weights after each step.
 */
async function adamRun(fused: boolean, opts: { lr?: number; beta1?: number; beta2?: number; epsilon?: number } = {}) {
  if (fused) registerWasmTrainingKernels();
  else unregisterWasmTrainingKernels();
  const rng = new Random(5);
  const shapes: [number, number][] = [[37, 23], [1, 23]];
  const vars = shapes.map(([r, c], i) => tf.variable(tf.tensor2d(values(rng, r * c, 1), [r, c]), true, `adam-test-${fused}-${i}`));
  const optimizer = tf.train.adam(opts.lr ?? 0.01, opts.beta1 ?? 0.9, opts.beta2 ?? 0.999, opts.epsilon);
  const trace: Float32Array[] = [];
  for (let step = 0; step < 6; step++) {
    const grads: { name: string; tensor: tf.Tensor }[] = [];
    vars.forEach((v, i) => {
      const g = values(rng, v.size, step % 2 === 0 ? 1 : 1e-3);
      if (i === 0) {
        g[0] = 0;
        g[1] = 3e4;
        g[2] = -1e-30;
      }
      grads.push({ name: v.name, tensor: tf.tensor(g, v.shape) });
    });
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((x) => x.tensor));
    for (const v of vars) trace.push(v.dataSync() as Float32Array);
    for (const w of await optimizer.getWeights()) trace.push(w.tensor.dataSync() as Float32Array);
  }
  optimizer.dispose();
  tf.dispose(vars);
  return trace;
}

describe('fused Adam on wasm', () => {
  it('runs its SIMD loop here (Node 20 has WebAssembly SIMD), so the tests below test it', () => {
    expect(simdAdamFor(tf.backend() as unknown as Parameters<typeof simdAdamFor>[0])).not.toBeNull();
  });

  it('is installed with the training kernels and removed with them', () => {
    registerWasmTrainingKernels();
    expect(fusedAdamInstalled()).toBe(true);
    expect(tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')).toBeDefined();
    unregisterWasmTrainingKernels();
    expect(fusedAdamInstalled()).toBe(false);
    expect(tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')).toBeUndefined();
  });

  for (const opts of [{}, { lr: 0.3, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }]) {
    it(`gives bit-identical variables, moments and iteration counts to the stock optimizer (${JSON.stringify(opts)})`, async () => {
      const stock = await adamRun(false, opts);
      const fused = await adamRun(true, opts);
      expect(fused.length).toBe(stock.length);
      for (let k = 0; k < stock.length; k++) expect(Array.from(fused[k]!), `array ${k}`).toEqual(Array.from(stock[k]!));
    });
  }

  it('runs no per-variable elementwise kernels, and leaves no tensors behind', () => {
    registerWasmTrainingKernels();
    const v = tf.variable(tf.ones([64, 8]), true, 'adam-kernel-count');
    const optimizer = tf.train.adam(0.01);
    const g = tf.ones([64, 8]);
    optimizer.applyGradients([{ name: v.name, tensor: g }]); // creates the moments
    const before = tf.memory().numTensors;
    const names: string[] = [];
    const engine = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
    const run = engine.runKernel;
    engine.runKernel = function (this: unknown, ...a: unknown[]) {
      names.push(a[0] as string);
      return run.apply(this, a);
    };
    try {
      optimizer.applyGradients([{ name: v.name, tensor: g }]);
    } finally {
      engine.runKernel = run;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(names.filter((n) => n === FUSED_ADAM_KERNEL)).toHaveLength(1);
    expect(names).not.toContain('Sqrt');
    optimizer.dispose();
    tf.dispose([v, g]);
  });

  it('falls back to the stock update on other backends', async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('cpu');
    try {
      const v = tf.variable(tf.ones([4]), true, 'adam-cpu');
      const optimizer = tf.train.adam(0.1);
      optimizer.applyGradients([{ name: v.name, tensor: tf.ones([4]) }]);
      // First step of Adam moves every weight by lr (m̂ / √v̂ = 1).
      for (const x of v.dataSync()) expect(x).toBeCloseTo(0.9, 5);
      optimizer.dispose();
      v.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
