/*
 * Layout kernels for the wasm backend: Tile, MaxPoolGrad and
 * UnsortedSegmentSum, each a thin wrapper over a typed-array loop in
 * conv-kernels.ts.
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { tileImpl, unsortedSegmentSumImpl } from './conv-kernels.js';
import { maxPoolBackpropImpl } from './pool-kernels.js';
import { original, typedArrayKernel } from './registry.js';
import type { WasmBackendLike } from './registry.js';

type Pair = number | [number, number];
type Padding = Parameters<typeof backend_util.computeConv2DInfo>[4];

/**
 * Tile (also behind `broadcastTo`, e.g. in the batch-norm gradient), which the
 * stock wasm backend runs element by element, many times slower than
 * copying the result: a block repeated whole by doubling copies, otherwise
 * whole rows copied with `set`.
 */
export const tile: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  if (x.dtype === 'string' || x.dtype === 'complex64') return original('Tile').kernelFunc(args);
  const out = backend.makeOutput(
    x.shape.map((d, i) => d * reps[i]!),
    x.dtype,
  );
  tileImpl(
    backend.typedArrayFromHeap(x) as Float32Array,
    x.shape,
    reps,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
};
/**
 * MaxPoolGrad: the wasm backend's own kernel loses gradient for some shapes
 * (e.g. a 2×2 window, stride 2, 'valid', on a 4×4 image drops one window's
 * gradient), so a typed-array kernel replaces it.
 */
export const maxPoolGrad: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const dy = args.inputs['dy']!;
  const x = args.inputs['input']!;
  const attrs = args.attrs as unknown as {
    filterSize: Pair;
    strides: Pair;
    pad: Padding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const g = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad as Parameters<typeof backend_util.computePool2DInfo>[4],
    attrs.dimRoundingMode,
  );
  return typedArrayKernel(backend, x.shape, [dy, x], ([dyv, xv], out) => maxPoolBackpropImpl(dyv!, xv!, g, out));
};

/** UnsortedSegmentSum (the gradient of Gather, e.g. of an embedding), which the wasm backend lacks. */
export const unsortedSegmentSum: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const ids = args.inputs['segmentIds']!;
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new TypeError(`UnsortedSegmentSum on wasm: x must be float32 or int32, got ${x.dtype}`);
  }
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const inner = util.sizeFromShape(x.shape.slice(ids.shape.length));
  const out = backend.makeOutput(outShape, x.dtype);
  let idValues = backend.typedArrayFromHeap(ids) as Int32Array;
  if (ids.dtype !== 'int32') idValues = Int32Array.from(idValues);
  unsortedSegmentSumImpl(
    backend.typedArrayFromHeap(x) as Float32Array | Int32Array,
    idValues,
    numSegments,
    inner,
    backend.typedArrayFromHeap(out) as Float32Array | Int32Array,
  );
  return out;
};


/**
 * Identity without a copy: the output shares the input's memory, counted by
 * the backend's reference count — what the cpu backend does, and what the
 * wasm backend's own Reshape does. The stock wasm kernel copies, and
 * TensorFlow.js runs Identity whenever the tape saves a tensor or a tensor is
 * cloned (dozens of times per training step of a small CNN). Sound because no wasm kernel
 * writes into its inputs. Strings keep the stock kernel.
 */
export const identity: KernelFunc = (args) => {
  const x = args.inputs['x']!;
  if (x.dtype === 'string') return original('Identity').kernelFunc(args);
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/**
 * Cast to the dtype a tensor already has (e.g. `tf.moments` casting a float32
 * input to float32) shares its memory like {@link identity}; real
 * conversions keep the stock kernel.
 */
export const cast: KernelFunc = (args) => {
  const x = args.inputs['x']!;
  const { dtype } = args.attrs as unknown as { dtype: string };
  if (dtype !== x.dtype || x.dtype === 'string' || x.dtype === 'complex64') return original('Cast').kernelFunc(args);
  return identity(args);
};
