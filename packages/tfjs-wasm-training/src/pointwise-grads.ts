/*
 * The gradients of ReLU and Square in one pass each, on the wasm backend.
 * tfjs-core computes `dy · step(x)` and `dy · (x · 2)` as two full-size
 * kernels with a full-size intermediate (`Step`, or the doubled input), for
 * every ReLU and every batch norm's variance in every training step. Here
 * one WebAssembly SIMD loop reads `x` and `dy` and writes the result. The
 * values are the stock ones bit for bit: `step(x)` is 1, 0 or NaN (for a
 * NaN input), multiplied into `dy` as float32; `x + x` is `x · 2` exactly.
 */
import { engine, getBackend, getGradient, registerGradient, unregisterGradient } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './registry.js';
import { heapOffset, moduleBytes, op, simdLoader, v128Load, v128Store } from './simd-module.js';
import type { SimdBackendLike, SimdFunction } from './simd-module.js';

/** The kernels behind the two gradients (wasm only): inputs `x`, `dy`. */
export const RELU_GRAD_KERNEL = 'SetaReluGrad';
export const SQUARE_GRAD_KERNEL = 'SetaSquareGrad';

const SIMD = {
  splat: 0x13,
  ne: 0x42,
  gt: 0x44,
  bitselect: 0x52,
  add: 0xe4,
  mul: 0xe6,
} as const;
const f32Const = (v: number) => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];

/** `name(x, dy, out, bytes)`: a loop over 16-byte groups computing `value(xv, dyv)` with `x` in local 4. */
function pointwise(name: string, prologue: number[], value: number[], extraLocals: number): SimdFunction {
  const [X, DY, OUT, BYTES, I, XV] = [0, 1, 2, 3, 4, 5];
  const at = (base: number) => [...op.get(base), ...op.get(I), op.i32Add];
  return {
    name,
    params: [op.I32, op.I32, op.I32, op.I32],
    locals: [
      [1, op.I32],
      [1 + extraLocals, op.V128],
    ],
    body: [
      ...prologue,
      0x02, 0x40, 0x03, 0x40, // block, loop
      ...op.get(I), ...op.get(BYTES), op.i32GeU, 0x0d, 1, // if i >= bytes: break
      ...at(OUT),
      ...at(X), ...v128Load, ...op.set(XV),
      ...at(DY), ...v128Load,
      ...value,
      ...v128Store,
      ...op.get(I), ...op.i32Const(16), op.i32Add, ...op.set(I),
      0x0c, 0, 0x0b, 0x0b, // br loop; end loop; end block
    ],
  };
}

// ReLU: locals 6 = ones, 7 = zeros. s = x > 0 ? 1 : 0, or x itself where x is NaN; then dy · s.
const ONE = 6;
const ZERO = 7;
const reluGrad = pointwise(
  'relu',
  [...f32Const(1), ...op.simd(SIMD.splat), ...op.set(ONE), ...f32Const(0), ...op.simd(SIMD.splat), ...op.set(ZERO)],
  [
    ...op.get(5), ...op.get(ONE), ...op.get(ZERO), ...op.get(5), ...op.get(ZERO), ...op.simd(SIMD.gt), ...op.simd(SIMD.bitselect),
    ...op.get(5), ...op.get(5), ...op.simd(SIMD.ne), ...op.simd(SIMD.bitselect),
    ...op.simd(SIMD.mul),
  ],
  2,
);
// Square: dy · (x + x).
const squareGrad = pointwise('square', [], [...op.get(5), ...op.get(5), ...op.simd(SIMD.add), ...op.simd(SIMD.mul)], 0);

interface PointwiseSimd {
  relu(x: number, dy: number, out: number, bytes: number): void;
  square(x: number, dy: number, out: number, bytes: number): void;
}

/** The module's bytes (exported for tests, which validate them). */
export function pointwiseModuleBytes(): Uint8Array {
  return moduleBytes([reluGrad, squareGrad]);
}
const pointwiseSimdFor = simdLoader<PointwiseSimd>(pointwiseModuleBytes);

/** The reference loops, also for what the SIMD loop leaves (the last `n mod 4` values, or all without SIMD). */
export function reluGradImpl(x: Float32Array, dy: Float32Array, out: Float32Array, from = 0): Float32Array {
  for (let i = from; i < x.length; i++) {
    const v = x[i]!;
    out[i] = dy[i]! * (v > 0 ? 1 : v !== v ? NaN : 0);
  }
  return out;
}
export function squareGradImpl(x: Float32Array, dy: Float32Array, out: Float32Array, from = 0): Float32Array {
  // x · 2 rounded to float32 first (it overflows to Infinity where float32 does), as the stock kernels do.
  for (let i = from; i < x.length; i++) out[i] = dy[i]! * Math.fround(x[i]! * 2);
  return out;
}

function pointwiseKernel(fn: 'relu' | 'square', impl: typeof reluGradImpl): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackendLike & SimdBackendLike;
    const x = args.inputs['x']!;
    const dy = args.inputs['dy']!;
    const out = backend.makeOutput([...x.shape], 'float32');
    const n = x.shape.reduce((a, b) => a * b, 1);
    const simd = pointwiseSimdFor(backend);
    const head = simd === null ? 0 : n - (n % 4);
    if (head > 0) simd![fn](heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out), head * 4);
    if (head < n) {
      // Views only after the allocation: an allocation may grow (and detach) the heap.
      const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
      impl(view(x), view(dy), view(out), head);
    }
    return out;
  };
}

export const reluGradKernelConfig: KernelConfig = { kernelName: RELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: pointwiseKernel('relu', reluGradImpl) };
export const squareGradKernelConfig: KernelConfig = { kernelName: SQUARE_GRAD_KERNEL, backendName: 'wasm', kernelFunc: pointwiseKernel('square', squareGradImpl) };

/** The gradient of `kernelName` through `fastKernel` on wasm for float32, else `fallback`. */
function onePassGrad(kernelName: 'Relu' | 'Square', fastKernel: string, fallback: GradConfig): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const dyT = dy as Tensor;
      const [x] = saved as [Tensor];
      if (getBackend() !== 'wasm' || x.dtype !== 'float32' || dyT.dtype !== 'float32') return fallback.gradFunc(dy, saved, attrs);
      return { x: () => engine().runKernel(fastKernel, { x, dy: dyT }, {} as NamedAttrMap) as Tensor };
    },
  };
}

/** Install the one-pass `Relu` and `Square` gradients, wrapping the registered ones (or `stock`); returns what to restore. */
export function installPointwiseGrads(stock: { Relu: GradConfig; Square: GradConfig }): Map<string, GradConfig | undefined> {
  const previous = new Map<string, GradConfig | undefined>();
  for (const [name, kernel] of [
    ['Relu', RELU_GRAD_KERNEL],
    ['Square', SQUARE_GRAD_KERNEL],
  ] as const) {
    const before = getGradient(name);
    previous.set(name, before);
    if (before !== undefined) unregisterGradient(name);
    registerGradient(onePassGrad(name, kernel, before ?? stock[name]));
  }
  return previous;
}

/** Put back what {@link installPointwiseGrads} replaced. */
export function uninstallPointwiseGrads(previous: Map<string, GradConfig | undefined> | undefined): void {
  if (previous === undefined) return;
  for (const [name, before] of previous) {
    if (getGradient(name) !== undefined) unregisterGradient(name);
    if (before !== undefined) registerGradient(before);
  }
}
