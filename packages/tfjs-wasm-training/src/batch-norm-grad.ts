/**
 * The gradient of `FusedBatchNorm` (y = (x − mean) · scale · r + offset,
 * r = 1/√(variance + ε)) with per-channel statistics, in fewer passes over
 * the activations. TensorFlow.js's gradient (tfjs-core
 * `FusedBatchNorm_grad.ts`) builds each of the five input gradients from
 * full-size elementwise products and a reduction: about ten passes and as
 * many full-size allocations per layer and step. Every one of them needs only
 * two per-channel sums,
 *
 *   S₁[c] = Σ dy,   S₂[c] = Σ dy · (x − mean)   (over all but the channel axis),
 *
 * since  ∂/∂offset = S₁,  ∂/∂scale = r · S₂,  ∂/∂mean = −r · scale · S₁,
 * ∂/∂variance = −½ r³ · scale · S₂,  and  ∂/∂x = dy · (scale · r), a
 * per-channel factor. So one pass computes both sums (a typed-array kernel,
 * accumulating in float64) and one broadcast product gives ∂/∂x.
 *
 * The fast gradient runs only on the wasm backend, for a float32 rank-4 `x`
 * with rank-1 statistics (what a convolutional layer's batch norm uses);
 * anything else takes the gradient that was registered before.
 */
import {
  add,
  engine,
  getBackend,
  getGradient,
  mul,
  registerGradient,
  reshape,
  rsqrt,
  scalar,
  slice,
  unregisterGradient,
} from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';

/** The name of the per-channel sums kernel (wasm only). */
export const BATCH_NORM_GRAD_SUMS_KERNEL = 'SetaBatchNormGradSums';

/**
 * Per-channel sums for the batch-norm gradient over a channels-last `x` of
 * `n · C` values: `out[c] = Σ dy`, `out[C + c] = Σ dy · (x − mean[c])`, each
 * over the `n` positions, accumulated in float64 (rounded to float32 once, on
 * storing). `out` is overwritten. O(n · C) time, O(1) extra memory.
 */
export function batchNormGradSumsImpl(
  x: Float32Array,
  mean: Float32Array,
  dy: Float32Array,
  channels: number,
  out: Float32Array,
): Float32Array {
  const C = channels;
  const n = x.length;
  // Four channels per sweep, their eight sums in local variables: per-channel
  // accumulators in an array cost a load and a store per value, ~3× slower.
  let c0 = 0;
  for (; c0 + 4 <= C; c0 += 4) {
    const m0 = mean[c0]!;
    const m1 = mean[c0 + 1]!;
    const m2 = mean[c0 + 2]!;
    const m3 = mean[c0 + 3]!;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0; // Σ dy
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0; // Σ dy · (x − mean)
    for (let i = c0; i < n; i += C) {
      const d0 = dy[i]!;
      const d1 = dy[i + 1]!;
      const d2 = dy[i + 2]!;
      const d3 = dy[i + 3]!;
      a0 += d0;
      a1 += d1;
      a2 += d2;
      a3 += d3;
      b0 += d0 * (x[i]! - m0);
      b1 += d1 * (x[i + 1]! - m1);
      b2 += d2 * (x[i + 2]! - m2);
      b3 += d3 * (x[i + 3]! - m3);
    }
    out[c0] = a0;
    out[c0 + 1] = a1;
    out[c0 + 2] = a2;
    out[c0 + 3] = a3;
    out[C + c0] = b0;
    out[C + c0 + 1] = b1;
    out[C + c0 + 2] = b2;
    out[C + c0 + 3] = b3;
  }
  for (let c = c0; c < C; c++) {
    const m = mean[c]!;
    let a = 0;
    let b = 0;
    for (let i = c; i < n; i += C) {
      const d = dy[i]!;
      a += d;
      b += d * (x[i]! - m);
    }
    out[c] = a;
    out[C + c] = b;
  }
  return out;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const batchNormGradSums: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const mean = args.inputs['mean']!;
  const dy = args.inputs['dy']!;
  const C = mean.shape[0]!;
  const out = backend.makeOutput([2, C], 'float32');
  // Views only after the allocation: an allocation may grow (and detach) the heap.
  batchNormGradSumsImpl(
    backend.typedArrayFromHeap(x) as Float32Array,
    backend.typedArrayFromHeap(mean) as Float32Array,
    backend.typedArrayFromHeap(dy) as Float32Array,
    C,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
};

/** The kernel config of {@link BATCH_NORM_GRAD_SUMS_KERNEL} for the wasm backend. */
export const batchNormGradSumsKernelConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD_SUMS_KERNEL,
  backendName: 'wasm',
  kernelFunc: batchNormGradSums,
};

/** Whether the fast gradient applies: wasm active, float32 rank-4 `x`, rank-1 statistics of its channel count. */
function fastPathApplies(x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor | undefined, dy: Tensor): boolean {
  if (getBackend() !== 'wasm') return false;
  const C = x.shape[3];
  const perChannel = (t: Tensor) => t.rank === 1 && t.shape[0] === C && t.dtype === 'float32';
  return (
    x.rank === 4 &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    perChannel(mean) &&
    perChannel(variance) &&
    (scale == null || perChannel(scale))
  );
}

/** The gradient config wrapping `fallback` (the one registered before). */
function fusedBatchNormGrad(fallback: GradConfig): GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const dyT = dy as Tensor;
      const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
      if (!fastPathApplies(x, mean, variance, scale, dyT)) return fallback.gradFunc(dy, saved, attrs);
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      const C = x.shape[3]!;
      // Created outside the thunks, as the stock gradient does: the tape's tidy disposes them.
      const sums = engine().runKernel(BATCH_NORM_GRAD_SUMS_KERNEL, { x, mean, dy: dyT }, {} as NamedAttrMap) as Tensor;
      const s1 = reshape(slice(sums, [0, 0], [1, C]), [C]);
      const s2 = reshape(slice(sums, [1, 0], [1, C]), [C]);
      const r = rsqrt(add(variance, scalar(varianceEpsilon)));
      const scaleR = scale == null ? r : mul(scale, r);
      return {
        x: () => mul(dyT, scaleR),
        mean: () => mul(mul(scaleR, scalar(-1)), s1),
        variance: () => mul(mul(mul(scaleR, mul(r, r)), scalar(-0.5)), s2),
        scale: () => mul(r, s2),
        offset: () => s1.clone(),
      };
    },
  };
}

/**
 * Install the fast batch-norm gradient in TensorFlow.js's gradient registry,
 * wrapping the one registered before (or `stock` if none); returns what to
 * restore with {@link uninstallBatchNormGrad}.
 */
export function installBatchNormGrad(stock: GradConfig): GradConfig | undefined {
  const previous = getGradient('FusedBatchNorm');
  if (previous !== undefined) unregisterGradient('FusedBatchNorm');
  registerGradient(fusedBatchNormGrad(previous ?? stock));
  return previous;
}

/** Put back the gradient {@link installBatchNormGrad} replaced (none if it replaced none). */
export function uninstallBatchNormGrad(previous: GradConfig | undefined): void {
  if (getGradient('FusedBatchNorm') !== undefined) unregisterGradient('FusedBatchNorm');
  if (previous !== undefined) registerGradient(previous);
}
