/*
 * Per-channel reductions and the gradient of Mean, for batch norm in
 * training: tfjs-layers computes a batch's moments with `Mean` over every
 * axis but the channels (twice per layer), and the gradient flows back
 * through those `Mean`s. The wasm backend reduces over leading axes by first
 * transposing the whole tensor so that they come last, then summing; and
 * tfjs-core's `Mean` gradient multiplies the incoming gradient by a full-size
 * tensor of ones that it fills in JavaScript on every call.
 */
import { broadcastTo, div, getBackend, getGradient, registerGradient, reshape, unregisterGradient, util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, Tensor } from '@tensorflow/tfjs-core';
import { original } from './registry.js';
import type { WasmBackendLike } from './registry.js';

/**
 * `out[c] = scale · Σ x[i · C + c]` over the `n = x.length / C` rows of a
 * row-major `[n, C]` view: sums per channel, accumulated in float64 and
 * rounded to float32 once on storing. `out` is overwritten. O(n · C) time,
 * O(1) extra memory.
 */
export function channelSumsImpl(x: Float32Array, channels: number, scale: number, out: Float32Array): Float32Array {
  const C = channels;
  const n = x.length;
  // Four channels per sweep in local accumulators, as in batch-norm-grad.ts:
  // an accumulator array costs a load and a store per value.
  let c0 = 0;
  for (; c0 + 4 <= C; c0 += 4) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let i = c0; i < n; i += C) {
      a0 += x[i]!;
      a1 += x[i + 1]!;
      a2 += x[i + 2]!;
      a3 += x[i + 3]!;
    }
    out[c0] = a0 * scale;
    out[c0 + 1] = a1 * scale;
    out[c0 + 2] = a2 * scale;
    out[c0 + 3] = a3 * scale;
  }
  for (let c = c0; c < C; c++) {
    let a = 0;
    for (let i = c; i < n; i += C) a += x[i]!;
    out[c] = a * scale;
  }
  return out;
}

/**
 * `Mean` or `Sum` over every axis but the last of a float32 tensor (a
 * per-channel reduction, as batch norm's moments) in one pass with
 * {@link channelSumsImpl}; any other reduction goes to the stock kernel.
 */
export function perChannelReduction(name: 'Mean' | 'Sum'): KernelFunc {
  return (args) => {
    const x = args.inputs['x']!;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const r = x.shape.length;
    if (x.dtype !== 'float32' || r < 2) return original(name).kernelFunc(args);
    const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    if (axes.length !== r - 1 || axes.some((a, i) => a !== i)) return original(name).kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const C = x.shape[r - 1]!;
    const n = util.sizeFromShape(x.shape) / Math.max(C, 1);
    const out = backend.makeOutput(keepDims ? [...new Array<number>(r - 1).fill(1), C] : [C], 'float32');
    // Views only after the allocation: an allocation may grow (and detach) the heap.
    const values = backend.typedArrayFromHeap(x) as Float32Array;
    // An empty reduction gives 0, as on the cpu backend (the stock wasm kernel returns uninitialised memory).
    const scale = name === 'Mean' && n > 0 ? 1 / n : 1;
    channelSumsImpl(values, C, scale, backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}

/**
 * The gradient of `Mean` wrapping `fallback`: on the wasm backend, for a
 * float32 gradient, `dx = broadcastTo(dy / n, x.shape)` — the stock
 * `(dy · ones(x.shape)) / n` without building the ones (a JavaScript fill of
 * the whole input size per call) or the two full-size products. Bit for bit
 * the same values: `dy · 1 = dy` exactly. Elsewhere the fallback runs.
 */
function meanGrad(fallback: GradConfig): GradConfig {
  return {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const dyT = dy as Tensor;
      const [x] = saved as [Tensor];
      if (getBackend() !== 'wasm' || dyT.dtype !== 'float32') return fallback.gradFunc(dy, saved, attrs);
      const axes = util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.slice();
      let n = 1;
      for (const a of axes) {
        n *= x.shape[a]!;
        expanded[a] = 1;
      }
      return { x: () => broadcastTo(div(reshape(dyT, expanded), n), x.shape) };
    },
  };
}

/**
 * Install the fast `Mean` gradient, wrapping the one registered before (or
 * `stock` if none); returns what to restore with {@link uninstallMeanGrad}.
 */
export function installMeanGrad(stock: GradConfig): GradConfig | undefined {
  const previous = getGradient('Mean');
  if (previous !== undefined) unregisterGradient('Mean');
  registerGradient(meanGrad(previous ?? stock));
  return previous;
}

/** Put back the gradient {@link installMeanGrad} replaced (none if it replaced none). */
export function uninstallMeanGrad(previous: GradConfig | undefined): void {
  if (getGradient('Mean') !== undefined) unregisterGradient('Mean');
  if (previous !== undefined) registerGradient(previous);
}
