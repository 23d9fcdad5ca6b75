/*
 * The only file of this package that changes TensorFlow.js's global
 * registries. Nothing happens on import (the package is `"sideEffects": false`):
 * each registration is a function the caller (or `@seta/tfjs-trainer`'s
 * `selectBackend`) invokes.
 */
import {
  backend_util,
  broadcast_util,
  getGradient,
  getKernel,
  registerGradient,
  registerKernel,
  unregisterKernel,
  util,
} from '@tensorflow/tfjs-core';
import type { DataId, DataType, GradConfig, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import {
  col2imAdd,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  dyToRows,
  im2colTransposed,
  maxPoolBackpropImpl,
  tileImpl,
  transposeLastTwoImpl,
  unsortedSegmentSumImpl,
} from './conv-kernels.js';
import type { ConvGeometry } from './conv-kernels.js';
import { FUSED_ADAM_KERNEL, fusedAdamKernelConfig, installFusedAdam, uninstallFusedAdam } from './fused-adam.js';
import { gradientConfigs } from './gradient-configs.js';
import {
  BATCH_NORM_GRAD_SUMS_KERNEL,
  batchNormGradSumsKernelConfig,
  installBatchNormGrad,
  uninstallBatchNormGrad,
} from './batch-norm-grad.js';
import { WasmTrainingError } from './errors.js';

/** What the kernels need of the wasm backend (structural, so the wasm package stays an optional peer). */
interface WasmBackendLike {
  readonly dataIdMap: { get(dataId: DataId): { id: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

type Args = Parameters<KernelFunc>[0];

/** Kernel state shared by every copy of this module (the ESM and CommonJS builds may both be loaded). */
interface RegistryState {
  /** The wasm backend's own configs we replaced (undefined: it had none), by kernel name. */
  originals: Map<string, KernelConfig | undefined> | null;
  /** The `FusedBatchNorm` gradient replaced by the fast one (undefined: none was registered). */
  batchNormGrad?: GradConfig | undefined;
}
const STATE_KEY = Symbol.for('@seta/tfjs-wasm-training/kernels');
function registryState(): RegistryState {
  const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
  return (g[STATE_KEY] ??= { originals: null });
}

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
];

/** Elements of the im2col matrix per chunk (64 MiB of float32). */
const IM2COL_CHUNK = 1 << 24;

function original(name: string): KernelConfig {
  const config = registryState().originals?.get(name) ?? getKernel(name, 'wasm');
  if (config === undefined) {
    throw new WasmTrainingError(`wasm training kernels: the wasm backend has no ${name} kernel to build on`);
  }
  return config;
}

function run(name: string, inputs: Args['inputs'], backend: WasmBackendLike, attrs: NamedAttrMap): TensorInfo {
  return original(name).kernelFunc({ inputs, backend: backend as unknown as Args['backend'], attrs }) as TensorInfo;
}

/** A float32 `x` with its last two axes swapped, materialised by a typed-array kernel. */
function transposeLastTwo(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2]!;
  const cols = x.shape[r - 1]!;
  const batch = util.sizeFromShape(x.shape.slice(0, -2));
  const out = backend.makeOutput([...x.shape.slice(0, -2), cols, rows], 'float32');
  transposeLastTwoImpl(
    backend.typedArrayFromHeap(x) as Float32Array,
    batch,
    rows,
    cols,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
}

/** A fresh `[1, rows, cols]` float32 copy of matrix `index` of `x`. */
function matrixCopy(x: TensorInfo, index: number, rows: number, cols: number, backend: WasmBackendLike): TensorInfo {
  const out = backend.makeOutput([1, rows, cols], 'float32');
  const size = rows * cols;
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  (backend.typedArrayFromHeap(out) as Float32Array).set(src.subarray(index * size, (index + 1) * size));
  return out;
}

/**
 * A batched product as one untransposed `[1, m, k] × [1, k, n]` product per
 * output matrix, since the wasm backend runs only those on XNNPACK and every
 * batched one on its slow loop. Batches pair up as in TensorFlow.js's own
 * kernels: output matrix `t` multiplies matrix `t mod batchA` of `a` by
 * `t mod batchB` of `b` (broadcasting a batch of one, or equal batches). An
 * operand with a batch of one is passed without a copy, so XNNPACK also keeps
 * its packed weights across the batch.
 */
function perMatrix(
  plain: KernelConfig,
  inputs: Args['inputs'],
  a: TensorInfo,
  b: TensorInfo,
  attrs: NamedAttrMap,
  backend: WasmBackendLike,
): TensorInfo {
  const m = a.shape[a.shape.length - 2]!;
  const k = a.shape[a.shape.length - 1]!;
  const n = b.shape[b.shape.length - 1]!;
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const outBatch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const aView: TensorInfo | null = batchA === 1 ? { dataId: a.dataId, shape: [1, m, k], dtype: 'float32' } : null;
  const bView: TensorInfo | null = batchB === 1 ? { dataId: b.dataId, shape: [1, k, n], dtype: 'float32' } : null;
  const out = backend.makeOutput([batch, m, n], 'float32');
  for (let t = 0; t < batch; t++) {
    const aT = aView ?? matrixCopy(a, t % batchA, m, k, backend);
    const bT = bView ?? matrixCopy(b, t % batchB, k, n, backend);
    let res: TensorInfo | null = null;
    try {
      res = plain.kernelFunc({
        inputs: { ...inputs, a: aT, b: bT },
        backend: backend as unknown as Args['backend'],
        attrs,
      }) as TensorInfo;
      (backend.typedArrayFromHeap(out) as Float32Array).set(backend.typedArrayFromHeap(res) as Float32Array, t * m * n);
    } finally {
      if (res !== null) backend.disposeData(res.dataId);
      if (aView === null) backend.disposeData(aT.dataId);
      if (bView === null) backend.disposeData(bT.dataId);
    }
  }
  // As the stock kernel: the broadcast batch shape (the same size whenever the batches pair up).
  return { dataId: out.dataId, shape: [...outBatch, m, n], dtype: 'float32' };
}

/**
 * BatchMatMul / _FusedMatMul on the wasm backend's fast kernel: the stock
 * kernel uses XNNPACK only for an untransposed product of two single
 * matrices, and a scalar loop (~1 GFLOP/s against ~16 for 256×784×256)
 * otherwise — with `transposeA` or `transposeB`, which every dense layer's
 * backward pass uses, and for batched products. Here a transposed operand is
 * materialised (O(size) copy, 0.8 ms for 256 × 784) and a batched product is
 * split into single-matrix products ({@link perMatrix}).
 */
function fastMatMul(name: 'BatchMatMul' | '_FusedMatMul'): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as unknown as WasmBackendLike;
    const plain = original(name);
    const a0 = inputs['a']!;
    const b0 = inputs['b']!;
    if (a0.dtype !== 'float32' || b0.dtype !== 'float32') return plain.kernelFunc(args);
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const batched = util.sizeFromShape(a0.shape.slice(0, -2)) > 1 || util.sizeFromShape(b0.shape.slice(0, -2)) > 1;
    if (!transposeA && !transposeB && !batched) return plain.kernelFunc(args);
    const a = transposeA ? transposeLastTwo(a0, backend) : a0;
    const b = transposeB ? transposeLastTwo(b0, backend) : b0;
    try {
      const untransposed = { ...attrs, transposeA: false, transposeB: false };
      // PReLU weights may broadcast over the batch: leave batched PReLU products to the stock loop.
      if (!batched || inputs['preluActivationWeights'] != null) {
        return plain.kernelFunc({ inputs: { ...inputs, a, b }, backend: args.backend, attrs: untransposed });
      }
      return perMatrix(plain, inputs, a, b, untransposed, backend);
    } finally {
      if (transposeA) backend.disposeData(a.dataId);
      if (transposeB) backend.disposeData(b.dataId);
    }
  };
}

type Padding = Parameters<typeof backend_util.computeConv2DInfo>[4];
type Pair = number | [number, number];

/**
 * Conv2D / FusedConv2D / DepthwiseConv2dNative / FusedDepthwiseConv2D with a
 * numeric or explicit padding, or `'same'` with a non-square filter, which
 * the stock wasm kernels get wrong:
 * - TensorFlow.js sizes the output of a numeric padding with the filter's
 *   height on both axes (`computeOutputShape2D`), so for a non-square filter
 *   it allocates fewer or more columns than the wasm kernel writes, which
 *   then writes past its output and corrupts the heap (measured: `pad: 0`,
 *   input [3, 4, 8, 4], filter [4, 2, 4, 5]);
 * - `'same'` with a filter of size 1 along one axis only (e.g. 3×1) gives
 *   wrong values (168 of 972 shapes with filters up to 3×3 and strides up to
 *   3, all of them such filters).
 * Here the input is padded explicitly (wasm PadV2), convolved with `'valid'`,
 * and cut (wasm Slice) to the shape TensorFlow.js expects — what the cpu
 * backend computes. O(size of the padded input) extra; square `'same'` and
 * `'valid'` convolutions go straight to the stock kernel.
 */
function withoutRounding(attrs: NamedAttrMap | undefined): NamedAttrMap {
  const { dimRoundingMode: _, ...rest } = attrs ?? {};
  return rest;
}

function explicitPadding(name: 'Conv2D' | 'FusedConv2D' | 'DepthwiseConv2dNative' | 'FusedDepthwiseConv2D'): KernelFunc {
  const depthwise = name.includes('Depthwise');
  return (args) => {
    const plain = original(name);
    const attrs = args.attrs as unknown as {
      pad: Padding;
      strides: Pair;
      dilations?: Pair;
      dataFormat?: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const x = args.inputs['x']!;
    const filter = args.inputs['filter']!;
    if (attrs.pad === 'valid' || (attrs.dataFormat ?? 'NHWC') !== 'NHWC' || x.shape.length !== 4 || filter.shape.length !== 4) {
      return plain.kernelFunc(args);
    }
    const g = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      attrs.pad,
      attrs.dimRoundingMode,
      depthwise,
    );
    if (attrs.pad === 'same' && g.effectiveFilterHeight === g.effectiveFilterWidth) return plain.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const { top, left } = g.padInfo;
    // Enough padding below and right for the expected output, and at least the requested one.
    const bottom = Math.max(g.padInfo.bottom, (g.outHeight - 1) * g.strideHeight + g.effectiveFilterHeight - g.inHeight - top);
    const right = Math.max(g.padInfo.right, (g.outWidth - 1) * g.strideWidth + g.effectiveFilterWidth - g.inWidth - left);
    const padded = run('PadV2', { x }, backend, {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue: 0,
    });
    let out: TensorInfo;
    try {
      out = plain.kernelFunc({
        inputs: { ...args.inputs, x: padded },
        backend: args.backend,
        attrs: { ...withoutRounding(args.attrs), pad: 'valid' },
      }) as TensorInfo;
    } finally {
      backend.disposeData(padded.dataId);
    }
    if (out.shape[1] === g.outHeight && out.shape[2] === g.outWidth) return out;
    try {
      return run('Slice', { x: out }, backend, { begin: [0, 0, 0, 0], size: [g.batchSize, g.outHeight, g.outWidth, g.outChannels] });
    } finally {
      backend.disposeData(out.dataId);
    }
  };
}

/**
 * Conv2DBackpropFilter, which the wasm backend lacks: `dW = im2colᵀ(x) × dy`,
 * the im2col matrix written transposed by a typed-array kernel so that the
 * product is the backend's fast, untransposed matrix multiply; chunked over
 * the batch so the matrix stays under 64 MiB. Accepts optional `dilations`
 * (TensorFlow.js never passes them; the gradient of a dilated conv2d is not
 * defined there). O(K · P) copy + O(K · P · outC) flops, K = filterH ·
 * filterW · inC, P = batch · outH · outW.
 */
const conv2dBackpropFilter: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const dy = args.inputs['dy']!;
  const attrs = args.attrs as unknown as {
    strides: Pair;
    pad: Padding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
    dilations?: Pair;
  };
  const g = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const plane = g.outHeight * g.outWidth;
  const CO = g.outChannels;
  const perChunk = Math.max(1, Math.floor(IM2COL_CHUNK / Math.max(1, K * plane)));
  let result: TensorInfo | null = null;
  for (let b0 = 0; b0 < g.batchSize; b0 += perChunk) {
    const nb = Math.min(perChunk, g.batchSize - b0);
    const P = nb * plane;
    const cols = backend.makeOutput([1, K, P], 'float32');
    const rows = dyRows(dy, g, b0, nb, backend);
    try {
      // Views only after every allocation: an allocation may grow (and detach) the heap.
      im2colTransposed(backend.typedArrayFromHeap(x) as Float32Array, g, b0, nb, backend.typedArrayFromHeap(cols) as Float32Array);
      const part = run('BatchMatMul', { a: cols, b: rows.info }, backend, { transposeA: false, transposeB: false });
      if (result === null) {
        result = part;
      } else {
        const total = backend.typedArrayFromHeap(result) as Float32Array;
        const pv = backend.typedArrayFromHeap(part) as Float32Array;
        for (let i = 0; i < total.length; i++) total[i]! += pv[i]!;
        backend.disposeData(part.dataId);
      }
    } finally {
      backend.disposeData(cols.dataId);
      if (rows.owned) backend.disposeData(rows.info.dataId);
    }
  }
  if (result === null) {
    // Empty batch: a zero gradient.
    result = backend.makeOutput([1, K, CO], 'float32');
    (backend.typedArrayFromHeap(result) as Float32Array).fill(0);
  }
  return { dataId: result.dataId, shape: [...g.filterShape], dtype: 'float32' };
};

/**
 * `dy` of batches `b0 …` as `[1, P, outC]` rows: a view on `dy` itself when
 * it is NHWC and whole (no copy), else a fresh copy the caller disposes.
 */
function dyRows(
  dy: TensorInfo,
  g: ConvGeometry,
  b0: number,
  nb: number,
  backend: WasmBackendLike,
): { info: TensorInfo; owned: boolean } {
  const P = nb * g.outHeight * g.outWidth;
  if (g.dataFormat === 'channelsLast' && b0 === 0 && nb === g.batchSize) {
    return { info: { dataId: dy.dataId, shape: [1, P, g.outChannels], dtype: 'float32' }, owned: false };
  }
  const rows = backend.makeOutput([1, P, g.outChannels], 'float32');
  dyToRows(backend.typedArrayFromHeap(dy) as Float32Array, g, b0, nb, backend.typedArrayFromHeap(rows) as Float32Array);
  return { info: rows, owned: true };
}

/**
 * Conv2DBackpropInput, which the stock wasm backend computes with a direct
 * loop (about 20 ms for a 32×14×14×16 input and a 3×3×8×16 filter): instead
 * `cols = dy × Wᵀ` with the fast untransposed matMul (`Wᵀ` materialised, it
 * is small), then the typed-array col2im adds each column into the input
 * gradient. Chunked over the batch like Conv2DBackpropFilter. O(P · K ·
 * outC) flops + O(P · K) adds.
 */
const conv2dBackpropInput: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const dy = args.inputs['dy']!;
  const filter = args.inputs['filter']!;
  const attrs = args.attrs as unknown as {
    strides: Pair;
    pad: Padding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
    dilations?: Pair;
  };
  const g = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const plane = g.outHeight * g.outWidth;
  const out = backend.makeOutput([...g.inShape], 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  // Wᵀ: [outC, K].
  const filterT = transposeLastTwo({ dataId: filter.dataId, shape: [K, g.outChannels], dtype: 'float32' }, backend);
  try {
    const wT: TensorInfo = { dataId: filterT.dataId, shape: [1, g.outChannels, K], dtype: 'float32' };
    const perChunk = Math.max(1, Math.floor(IM2COL_CHUNK / Math.max(1, K * plane)));
    for (let b0 = 0; b0 < g.batchSize; b0 += perChunk) {
      const nb = Math.min(perChunk, g.batchSize - b0);
      const rows = dyRows(dy, g, b0, nb, backend);
      let cols: TensorInfo | null = null;
      try {
        cols = run('BatchMatMul', { a: rows.info, b: wT }, backend, { transposeA: false, transposeB: false });
        col2imAdd(backend.typedArrayFromHeap(cols) as Float32Array, g, b0, nb, backend.typedArrayFromHeap(out) as Float32Array);
      } finally {
        if (cols !== null) backend.disposeData(cols.dataId);
        if (rows.owned) backend.disposeData(rows.info.dataId);
      }
    }
  } finally {
    backend.disposeData(filterT.dataId);
  }
  return out;
};

/**
 * Tile (also behind `broadcastTo`, e.g. in the batch-norm gradient), which the
 * stock wasm backend runs element by element (32 ms to tile [1, 1, 1, 8] to
 * [32, 28, 28, 8], 60× a copy of the result): whole rows copied with `set`.
 */
const tile: KernelFunc = (args) => {
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

function depthwiseGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: { strides: Pair; dilations?: Pair; pad: Padding; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): ConvGeometry {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/** DepthwiseConv2dNativeBackpropFilter, which the wasm backend lacks (typed-array kernel, dilations supported). */
const depthwiseBackpropFilter: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const dy = args.inputs['dy']!;
  const attrs = args.attrs as unknown as Parameters<typeof depthwiseGeometry>[2] & { filterShape: number[] };
  const g = depthwiseGeometry(x.shape, attrs.filterShape, attrs);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  depthwiseConv2dBackpropFilterImpl(
    backend.typedArrayFromHeap(x) as Float32Array,
    backend.typedArrayFromHeap(dy) as Float32Array,
    g,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
};

/** DepthwiseConv2dNativeBackpropInput, which the wasm backend lacks (typed-array kernel, dilations supported). */
const depthwiseBackpropInput: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const dy = args.inputs['dy']!;
  const filter = args.inputs['filter']!;
  const attrs = args.attrs as unknown as Parameters<typeof depthwiseGeometry>[2] & { inputShape: number[] };
  const g = depthwiseGeometry(attrs.inputShape, filter.shape, attrs);
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  depthwiseConv2dBackpropInputImpl(
    backend.typedArrayFromHeap(dy) as Float32Array,
    backend.typedArrayFromHeap(filter) as Float32Array,
    g,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
};

/**
 * MaxPoolGrad: the wasm backend's own kernel loses gradient for some shapes
 * (e.g. a 2×2 window, stride 2, 'valid', on a 4×4 image drops one window's
 * gradient), so a typed-array kernel replaces it.
 */
const maxPoolGrad: KernelFunc = (args) => {
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
  const out = backend.makeOutput([...x.shape], 'float32');
  maxPoolBackpropImpl(
    backend.typedArrayFromHeap(dy) as Float32Array,
    backend.typedArrayFromHeap(x) as Float32Array,
    g,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
};

/** UnsortedSegmentSum (the gradient of Gather, e.g. of an embedding), which the wasm backend lacks. */
const unsortedSegmentSum: KernelFunc = (args) => {
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
};

/**
 * Register, for the `wasm` backend, the training kernels it lacks or runs
 * slowly: `BatchMatMul` and `_FusedMatMul` with transposed or batched operands
 * routed through the fast untransposed kernel (every dense layer's backward
 * pass), `Conv2DBackpropFilter` and `Conv2DBackpropInput` (im2col / col2im +
 * fast matMul), the two depthwise-conv backprops, `MaxPoolGrad`, `Tile`,
 * `UnsortedSegmentSum` (the gradient of `gather`), convolutions with numeric
 * padding or non-square `'same'` filters, and Adam's update as one kernel
 * (`AdamOptimizer.applyGradients` on wasm). The wasm backend's own kernels
 * are kept and restored by {@link unregisterWasmTrainingKernels}. Other
 * backends are untouched. Idempotent. `@seta/tfjs-trainer`'s `selectBackend`
 * calls it when it settles on wasm. O(number of kernels).
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
