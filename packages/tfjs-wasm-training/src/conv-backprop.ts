/*
 * Convolution kernels for the wasm backend: the gradients it lacks
 * (Conv2DBackpropFilter, the depthwise ones) or runs slowly
 * (Conv2DBackpropInput), and forward convolutions with paddings its own
 * kernels get wrong. The typed-array loops are in conv-kernels.ts.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import {
  col2imAdd,
  depthwiseConv2dBackpropFilterImpl,
  depthwiseConv2dBackpropInputImpl,
  dyToRows,
  im2colTransposed,
} from './conv-kernels.js';
import type { ConvGeometry } from './conv-kernels.js';
import { transposeLastTwo } from './matmul-kernels.js';
import { original, run, typedArrayKernel } from './registry.js';
import type { WasmBackendLike } from './registry.js';

/** Elements of the im2col matrix per chunk (64 MiB of float32). */
const IM2COL_CHUNK = 1 << 24;

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

export function explicitPadding(name: 'Conv2D' | 'FusedConv2D' | 'DepthwiseConv2dNative' | 'FusedDepthwiseConv2D'): KernelFunc {
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
export const conv2dBackpropFilter: KernelFunc = (args) => {
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
 * loop, several times slower (README, kernel table): instead
 * `cols = dy × Wᵀ` with the fast untransposed matMul (`Wᵀ` materialised, it
 * is small), then the typed-array col2im adds each column into the input
 * gradient. Chunked over the batch like Conv2DBackpropFilter. O(P · K ·
 * outC) flops + O(P · K) adds.
 */
export const conv2dBackpropInput: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const viaConv = backpropInputAsConv(args);
  if (viaConv !== null) return viaConv;
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
export const depthwiseBackpropFilter: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const x = args.inputs['x']!;
  const dy = args.inputs['dy']!;
  const attrs = args.attrs as unknown as Parameters<typeof depthwiseGeometry>[2] & { filterShape: number[] };
  const g = depthwiseGeometry(x.shape, attrs.filterShape, attrs);
  return typedArrayKernel(backend, attrs.filterShape, [x, dy], ([xv, dyv], out) => depthwiseConv2dBackpropFilterImpl(xv!, dyv!, g, out));
};

/** DepthwiseConv2dNativeBackpropInput, which the wasm backend lacks (typed-array kernel, dilations supported). */
export const depthwiseBackpropInput: KernelFunc = (args) => {
  const backend = args.backend as unknown as WasmBackendLike;
  const dy = args.inputs['dy']!;
  const filter = args.inputs['filter']!;
  const attrs = args.attrs as unknown as Parameters<typeof depthwiseGeometry>[2] & { inputShape: number[] };
  const g = depthwiseGeometry(attrs.inputShape, filter.shape, attrs);
  return typedArrayKernel(backend, attrs.inputShape, [dy, filter], ([dyv, wv], out) => depthwiseConv2dBackpropInputImpl(dyv!, wv!, g, out));
};

/**
 * `out[i, j, o, c] = w[fh − 1 − i, fw − 1 − j, c, o]`: a [fh, fw, inC, outC]
 * filter turned half a turn with its channel axes swapped, so that a forward
 * convolution with it is the adjoint of one with `w`. O(size of w).
 */
export function flipFilterImpl(w: Float32Array, fh: number, fw: number, inC: number, outC: number, out: Float32Array): Float32Array {
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const src = ((fh - 1 - i) * fw + (fw - 1 - j)) * inC * outC;
      const dst = (i * fw + j) * outC * inC;
      for (let c = 0; c < inC; c++) for (let o = 0; o < outC; o++) out[dst + o * inC + c] = w[src + c * outC + o]!;
    }
  }
  return out;
}

/**
 * Conv2DBackpropInput with stride 1 and no dilation (NHWC) as the forward
 * convolution it is: `dx = conv2d(dy, flip(w))` with padding `filter − 1 −
 * pad` on each side, on the wasm backend's XNNPACK convolution — no col2im
 * pass and no intermediate `[P, K]` matrix. Returns null where it does not
 * apply (strides, dilations, NCHW, or a padding wider than the filter), for
 * the im2col path.
 */
function backpropInputAsConv(args: Parameters<KernelFunc>[0]): TensorInfo | null {
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
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const g = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (g.strideHeight !== 1 || g.strideWidth !== 1 || g.dilationHeight !== 1 || g.dilationWidth !== 1) return null;
  const { filterHeight: fh, filterWidth: fw, inChannels: inC, outChannels: outC } = g;
  const top = fh - 1 - g.padInfo.top;
  const left = fw - 1 - g.padInfo.left;
  // Rows and columns after the last output so that the result has the input's size.
  const bottom = g.inHeight - 1 + fh - g.outHeight - top;
  const right = g.inWidth - 1 + fw - g.outWidth - left;
  if (Math.min(top, left, bottom, right) < 0 || g.batchSize * g.inHeight * g.inWidth * inC === 0) return null;
  const flipped = backend.makeOutput([fh, fw, outC, inC], 'float32');
  // Views only after the allocation: an allocation may grow (and detach) the heap.
  flipFilterImpl(
    backend.typedArrayFromHeap(filter) as Float32Array,
    fh,
    fw,
    inC,
    outC,
    backend.typedArrayFromHeap(flipped) as Float32Array,
  );
  try {
    // Paddings the stock kernel takes as they are ('valid', or 'same' with a square odd filter), else explicit.
    const half = (fh - 1) / 2;
    const padding =
      top === 0 && bottom === 0 && left === 0 && right === 0
        ? 'valid'
        : fh === fw && fh % 2 === 1 && [top, bottom, left, right].every((p) => p === half)
          ? 'same'
          : [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ];
    // Our Conv2D: it pads explicitly where the stock kernel would get the padding wrong.
    return explicitPadding('Conv2D')({
      inputs: { x: dy, filter: flipped },
      backend: args.backend,
      attrs: { strides: 1, pad: padding, dataFormat: 'NHWC', dilations: 1 } as unknown as NamedAttrMap,
    }) as TensorInfo;
  } finally {
    backend.disposeData(flipped.dataId);
  }
}

