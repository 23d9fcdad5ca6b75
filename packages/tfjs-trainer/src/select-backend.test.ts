import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from './select-backend.js';
import { unregisterWasmTrainingKernels, wasmTrainingKernelsRegistered } from '@seta/tfjs-wasm-training';

/** What Node says when a package is not installed. */
function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/index.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

/**
 * A loader that fakes @tensorflow/tfjs-node(-gpu): "loading" registers a
 * backend named "tensorflow" (a cpu backend carrying tfjs-node's
 * `isUsingGpuDevice` flag); the real wasm and cpu packages load normally.
 */
function fakeLoader(installed: { gpu?: boolean | 'broken'; node?: boolean; cuda?: boolean }) {
  const loaded: string[] = [];
  const load = async (specifier: string): Promise<unknown> => {
    loaded.push(specifier);
    const register = (gpu: boolean) => {
      if (tf.findBackendFactory('tensorflow') !== null) return;
      tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isUsingGpuDevice: gpu }), 3);
    };
    if (specifier === '@tensorflow/tfjs-node-gpu') {
      if (installed.gpu === 'broken') throw new Error('libcudart.so.11.0: cannot open shared object file\n  at dlopen');
      if (!installed.gpu) throw notFound(specifier);
      register(installed.cuda === true);
      return {};
    }
    if (specifier === '@tensorflow/tfjs-node') {
      if (!installed.node) throw notFound(specifier);
      register(false);
      return {};
    }
    return import(/* @vite-ignore */ specifier);
  };
  return { load, loaded };
}

afterEach(() => {
  if (tf.findBackendFactory('tensorflow') !== null) {
    if (tf.getBackend() === 'tensorflow') tf.setBackend('cpu');
    tf.removeBackend('tensorflow');
  }
  unregisterWasmTrainingKernels();
});

describe('selectBackend', () => {
  it('takes @tensorflow/tfjs-node-gpu when it loads and sees a CUDA device', async () => {
    const { load } = fakeLoader({ gpu: true, cuda: true, node: true });
    const result = await selectBackend({ load });
    expect(result).toEqual({ name: 'tensorflow', tried: [{ name: '@tensorflow/tfjs-node-gpu', ok: true }] });
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('passes over tfjs-node-gpu without a CUDA device and serves tfjs-node from it', async () => {
    const { load, loaded } = fakeLoader({ gpu: true, cuda: false, node: true });
    const result = await selectBackend({ load });
    expect(result.name).toBe('tensorflow');
    expect(result.tried).toEqual([
      { name: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'no CUDA device' },
      { name: '@tensorflow/tfjs-node', ok: true, reason: 'served by @tensorflow/tfjs-node-gpu on the CPU (no CUDA device)' },
    ]);
    // Both packages register "tensorflow": the second is not loaded on top of the first.
    expect(loaded).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('takes @tensorflow/tfjs-node when the GPU package is not installed', async () => {
    const { load } = fakeLoader({ node: true });
    const result = await selectBackend({ load });
    expect(result).toEqual({
      name: 'tensorflow',
      tried: [
        { name: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'not installed' },
        { name: '@tensorflow/tfjs-node', ok: true },
      ],
    });
  });

  it('falls back to wasm, saying why each faster backend was passed over, and registers the training kernels', async () => {
    const { load } = fakeLoader({ gpu: 'broken' });
    const result = await selectBackend({ load });
    expect(result.name).toBe('wasm');
    expect(result.tried).toEqual([
      { name: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'failed to load: libcudart.so.11.0: cannot open shared object file' },
      { name: '@tensorflow/tfjs-node', ok: false, reason: 'not installed' },
      { name: '@tensorflow/tfjs-backend-wasm', ok: true },
    ]);
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getGradient('Conv2D')).toBeDefined();
  });

  it('can leave the wasm backend stock, for measuring it', async () => {
    const result = await selectBackend({ prefer: ['wasm'], wasmTrainingKernels: false });
    expect(result.name).toBe('wasm');
    expect(wasmTrainingKernelsRegistered()).toBe(false);
  });

  it('follows prefer, trying only the families it names, in its order', async () => {
    const { load, loaded } = fakeLoader({ gpu: true, cuda: true, node: true });
    const result = await selectBackend({ prefer: ['cpu', 'wasm'], load });
    expect(result).toEqual({ name: 'cpu', tried: [{ name: '@tensorflow/tfjs-backend-cpu', ok: true }] });
    expect(loaded).toEqual(['@tensorflow/tfjs-backend-cpu']);
  });

  it('falls through to cpu when wasm is not installed', async () => {
    const load = async (s: string) => {
      if (s === '@tensorflow/tfjs-backend-wasm') throw notFound(s);
      return fakeLoader({}).load(s);
    };
    const result = await selectBackend({ prefer: ['wasm', 'cpu'], load });
    expect(result).toEqual({
      name: 'cpu',
      tried: [
        { name: '@tensorflow/tfjs-backend-wasm', ok: false, reason: 'not installed' },
        { name: '@tensorflow/tfjs-backend-cpu', ok: true },
      ],
    });
  });

  it('tells a missing dependency of an installed package from a missing package', async () => {
    const load = async (s: string) => {
      throw Object.assign(new Error(`Cannot find module 'adm-zip' required by ${s}`), { code: 'MODULE_NOT_FOUND' });
    };
    await expect(selectBackend({ prefer: ['tensorflow'], load })).rejects.toThrow(
      /no TensorFlow.js backend could be used \(@tensorflow\/tfjs-node-gpu: failed to load: Cannot find module 'adm-zip'/,
    );
  });

  it('throws a SetaError listing every reason when nothing works', async () => {
    const load = async (s: string) => {
      throw notFound(s);
    };
    const error = await selectBackend({ load }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('SetaError');
    expect((error as Error).message).toBe(
      'selectBackend(): no TensorFlow.js backend could be used (@tensorflow/tfjs-node-gpu: not installed; @tensorflow/tfjs-node: not installed; @tensorflow/tfjs-backend-wasm: not installed; @tensorflow/tfjs-backend-cpu: not installed)',
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('validates its options', async () => {
    await expect(selectBackend({ prefer: [] })).rejects.toThrow(/prefer must be a non-empty array/);
    await expect(selectBackend({ prefer: ['gpu' as 'wasm'] })).rejects.toThrow(
      'selectBackend(): prefer must hold only "tensorflow", "wasm", "cpu", got "gpu"',
    );
    await expect(selectBackend(null as never)).rejects.toThrow(TypeError);
    await expect(selectBackend({ prefered: ['cpu'] } as never)).rejects.toThrow(
      'selectBackend(): unknown option "prefered" (did you mean "prefer"?)',
    );
    await expect(selectBackend({ prefer: null } as never)).rejects.toThrow('selectBackend(): prefer must not be null');
  });
});
