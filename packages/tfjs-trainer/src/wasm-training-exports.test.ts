import * as wasmTraining from '@seta/tfjs-wasm-training';
import { describe, expect, it } from 'vitest';
import * as trainer from './index.js';
import * as registerKernels from './wasm-training.js';

const NAMES = [
  'registerGradients',
  'registerWasmTrainingKernels',
  'unregisterWasmTrainingKernels',
  'wasmTrainingKernelsRegistered',
  'WASM_TRAINING_KERNELS',
  'WasmTrainingError',
] as const;

describe('@seta/tfjs-trainer and @seta/tfjs-wasm-training', () => {
  it('re-exports the wasm training functions themselves, from its index and from @seta/tfjs-trainer/register-kernels (src/wasm-training.ts)', () => {
    for (const name of NAMES) {
      expect(wasmTraining[name], name).toBeDefined();
      expect(trainer[name], name).toBe(wasmTraining[name]);
      expect(registerKernels[name], name).toBe(wasmTraining[name]);
    }
    expect(Object.keys(registerKernels).sort()).toEqual([...NAMES].sort());
  });
});
