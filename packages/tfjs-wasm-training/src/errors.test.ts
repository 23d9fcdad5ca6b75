// This file loads tfjs-core and the cpu backend only: the wasm backend is not loaded.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { WasmTrainingError } from './errors.js';
import { registerGradients, registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './register-kernels.js';

describe('registerWasmTrainingKernels', () => {
  it('throws a WasmTrainingError naming the missing import when the wasm backend is not loaded, and registers nothing', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBeUndefined();
    let error: unknown;
    try {
      registerWasmTrainingKernels();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WasmTrainingError);
    expect((error as Error).name).toBe('WasmTrainingError');
    expect((error as Error).message).toBe(
      'registerWasmTrainingKernels(): the wasm backend is not loaded; import "@tensorflow/tfjs-backend-wasm" first',
    );
    expect(wasmTrainingKernelsRegistered()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // The error catalogue shows this very message.
    const page = readFileSync(resolve(import.meta.dirname, '../../../docs/guide/errors.md'), 'utf8');
    expect(page).toContain(`${(error as Error).name}: ${(error as Error).message}`);
  });
});

describe('registerGradients', () => {
  it('registers the gradients a bare tfjs-core (CommonJS in Node) lacks, so tf.grad works on any backend', () => {
    expect(tf.getGradient('Conv2D')).toBeUndefined();
    const added = registerGradients();
    expect(added).toContain('Conv2D');
    expect(added.length).toBeGreaterThan(90);
    expect(registerGradients()).toEqual([]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, -4, 6]);
  });
});

describe('WasmTrainingError', () => {
  it('is an Error with its name and an optional cause', () => {
    const cause = new Error('inner');
    const e = new WasmTrainingError('f(): failed', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WasmTrainingError');
    expect(e.message).toBe('f(): failed');
    expect(e.cause).toBe(cause);
  });
});
