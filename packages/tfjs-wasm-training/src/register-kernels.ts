/*
 * The only file of this package that changes TensorFlow.js's global
 * registries. Nothing happens on import (the package is `"sideEffects": false`):
 * each registration is a function the caller (or `@seta/tfjs-trainer`'s
 * `selectBackend`) invokes.
 */
import { getGradient, getKernel, registerGradient, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput, depthwiseBackpropFilter, depthwiseBackpropInput, explicitPadding } from './conv-backprop.js';
import { FUSED_ADAM_KERNEL, fusedAdamKernelConfig, installFusedAdam, uninstallFusedAdam } from './fused-adam.js';
import { gradientConfigs } from './gradient-configs.js';
import {
  BATCH_NORM_GRAD_SUMS_KERNEL,
  batchNormGradSumsKernelConfig,
  installBatchNormGrad,
  uninstallBatchNormGrad,
} from './batch-norm-grad.js';
import { cast, identity, maxPoolGrad, tile, unsortedSegmentSum } from './layout-kernels.js';
import { fusedBatchNorm, perChannelBinary } from './channel-kernels.js';
import {
  RELU_GRAD_KERNEL,
  SQUARE_GRAD_KERNEL,
  installPointwiseGrads,
  reluGradKernelConfig,
  squareGradKernelConfig,
  uninstallPointwiseGrads,
} from './pointwise-grads.js';
import { installMeanGrad, perChannelReduction, uninstallMeanGrad } from './reduce-kernels.js';
import { fastMatMul } from './matmul-kernels.js';
import { registryState } from './registry.js';
import { WasmTrainingError } from './errors.js';

/** Names of the kernels {@link registerWasmTrainingKernels} registers for the `wasm` backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPoolGrad',
  'Tile',
  'UnsortedSegmentSum',
  'Identity',
  'Cast',
  'Mean',
  'Sum',
  'FusedBatchNorm',
  'Sub',
  'Multiply',
  'Add',
];

const KERNELS: Record<string, KernelFunc> = {
  BatchMatMul: fastMatMul('BatchMatMul'),
  _FusedMatMul: fastMatMul('_FusedMatMul'),
  Conv2D: explicitPadding('Conv2D'),
  FusedConv2D: explicitPadding('FusedConv2D'),
  DepthwiseConv2dNative: explicitPadding('DepthwiseConv2dNative'),
  FusedDepthwiseConv2D: explicitPadding('FusedDepthwiseConv2D'),
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  Tile: tile,
  UnsortedSegmentSum: unsortedSegmentSum,
  Identity: identity,
  Cast: cast,
  Mean: perChannelReduction('Mean'),
  Sum: perChannelReduction('Sum'),
  FusedBatchNorm: fusedBatchNorm,
  Sub: perChannelBinary('Sub'),
  Multiply: perChannelBinary('Multiply'),
  Add: perChannelBinary('Add'),
};

/**
 * Register, for the `wasm` backend, the training kernels it lacks or runs
 * slowly: `BatchMatMul` and `_FusedMatMul` with transposed or batched operands
 * routed through the fast untransposed kernel (every dense layer's backward
 * pass), `Conv2DBackpropFilter` (im2col + fast matMul) and
 * `Conv2DBackpropInput` (a forward convolution at stride 1, col2im
 * otherwise), the two depthwise-conv backprops, `MaxPoolGrad`, `Tile`,
 * `UnsortedSegmentSum` (the gradient of `gather`), convolutions with numeric
 * padding or non-square `'same'` filters, `Identity` and same-dtype `Cast`
 * without a copy, per-channel `Mean` and `Sum` in one pass, `FusedBatchNorm`
 * and `Sub`/`Multiply`/`Add` with a per-channel operand on SIMD loops; and, while wasm
 * is the active backend, Adam's update as one kernel and faster gradients of
 * `FusedBatchNorm`, `Mean`, `Relu` and `Square`. The wasm backend's own kernels and the
 * replaced gradients are kept and restored by
 * {@link unregisterWasmTrainingKernels}. Other backends are untouched.
 * Idempotent. `@seta/tfjs-trainer`'s `selectBackend` calls it when it
 * settles on wasm. O(number of kernels).
 *
 * Call it after importing `@tensorflow/tfjs-backend-wasm` (or
 * `@tensorflow/tfjs` and the wasm backend), before or after
 * `tf.setBackend('wasm')`.
 *
 * @returns the names of the kernels now registered ({@link WASM_TRAINING_KERNELS}).
 * @throws WasmTrainingError if the wasm backend package is not loaded.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * // ['BatchMatMul', '_FusedMatMul', 'Conv2D', …, 'UnsortedSegmentSum']
 * ```
 */
export function registerWasmTrainingKernels(): readonly string[] {
  const state = registryState();
  if (state.originals !== null) return WASM_TRAINING_KERNELS;
  if (getKernel('BatchMatMul', 'wasm') === undefined || getKernel('Transpose', 'wasm') === undefined) {
    throw new WasmTrainingError(
      'registerWasmTrainingKernels(): the wasm backend is not loaded; import "@tensorflow/tfjs-backend-wasm" first',
    );
  }
  const originals = new Map<string, KernelConfig | undefined>();
  for (const name of WASM_TRAINING_KERNELS) originals.set(name, getKernel(name, 'wasm'));
  state.originals = originals;
  for (const name of WASM_TRAINING_KERNELS) {
    const own = originals.get(name);
    if (own !== undefined) unregisterKernel(name, 'wasm');
    const config: KernelConfig = { kernelName: name, backendName: 'wasm', kernelFunc: KERNELS[name]! };
    // Keep the replaced kernel's setup, so a backend initialised later still wires it up.
    if (own?.setupFunc !== undefined) config.setupFunc = own.setupFunc;
    if (own?.disposeFunc !== undefined) config.disposeFunc = own.disposeFunc;
    registerKernel(config);
  }
  // Adam's elementwise chain as one kernel (bit-identical results; see fused-adam.ts).
  if (getKernel(FUSED_ADAM_KERNEL, 'wasm') === undefined) registerKernel(fusedAdamKernelConfig);
  installFusedAdam();
  // The batch-norm gradient from two per-channel sums (see batch-norm-grad.ts); it defers to the
  // replaced gradient off wasm, so other backends see no change.
  if (getKernel(BATCH_NORM_GRAD_SUMS_KERNEL, 'wasm') === undefined) registerKernel(batchNormGradSumsKernelConfig);
  state.batchNormGrad = installBatchNormGrad(gradientConfigs.find((c) => c.kernelName === 'FusedBatchNorm')!);
  // Mean's gradient without a full-size tensor of ones (see reduce-kernels.ts); likewise wasm only.
  state.meanGrad = installMeanGrad(gradientConfigs.find((c) => c.kernelName === 'Mean')!);
  // ReLU's and Square's gradients in one pass each (see pointwise-grads.ts); likewise wasm only.
  for (const config of [reluGradKernelConfig, squareGradKernelConfig]) {
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(config);
  }
  const stock = (name: string) => gradientConfigs.find((c) => c.kernelName === name)!;
  state.pointwiseGrads = installPointwiseGrads({ Relu: stock('Relu'), Square: stock('Square') });
  return WASM_TRAINING_KERNELS;
}

/**
 * Undo {@link registerWasmTrainingKernels}: restore the wasm backend's own
 * kernels and remove the ones it did not have. Does nothing if they are not
 * registered. O(number of kernels).
 *
 * @example
 * ```ts
 * unregisterWasmTrainingKernels(); // wasm is back to its stock kernels
 * ```
 */
export function unregisterWasmTrainingKernels(): void {
  const state = registryState();
  const originals = state.originals;
  if (originals === null) return;
  for (const [name, own] of originals) {
    if (getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
    if (own !== undefined) registerKernel(own);
  }
  uninstallFusedAdam();
  if (getKernel(FUSED_ADAM_KERNEL, 'wasm') !== undefined) unregisterKernel(FUSED_ADAM_KERNEL, 'wasm');
  uninstallBatchNormGrad(state.batchNormGrad);
  state.batchNormGrad = undefined;
  uninstallMeanGrad(state.meanGrad);
  state.meanGrad = undefined;
  uninstallPointwiseGrads(state.pointwiseGrads);
  state.pointwiseGrads = undefined;
  for (const name of [RELU_GRAD_KERNEL, SQUARE_GRAD_KERNEL]) {
    if (getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
  }
  if (getKernel(BATCH_NORM_GRAD_SUMS_KERNEL, 'wasm') !== undefined) unregisterKernel(BATCH_NORM_GRAD_SUMS_KERNEL, 'wasm');
  state.originals = null;
}

/** Whether {@link registerWasmTrainingKernels} is in effect. O(1). */
export function wasmTrainingKernelsRegistered(): boolean {
  return registryState().originals !== null;
}

/**
 * Register every TensorFlow.js gradient that is not registered yet (tfjs-core
 * 4.22's full set, bundled with this package). `@tensorflow/tfjs` and
 * `@tensorflow/tfjs-layers` register them on import, but tfjs-core's CommonJS
 * entry, which Node loads, registers none: without this, `tf.grads` and
 * optimizers fail with "gradient function not found". Never replaces a
 * registered gradient. Idempotent. O(number of gradients).
 *
 * @returns the kernel names whose gradient was added (empty if all were there).
 * @example
 * ```ts
 * const tf = require('@tensorflow/tfjs-core');
 * registerGradients().length; // 101 on a bare tfjs-core, 0 once registered
 * ```
 */
export function registerGradients(): string[] {
  const added: string[] = [];
  for (const config of gradientConfigs) {
    if (getGradient(config.kernelName) === undefined) {
      registerGradient(config);
      added.push(config.kernelName);
    }
  }
  return added;
}
