/*
 * Matrix products on the wasm backend's fast path: XNNPACK runs only an
 * untransposed product of two single matrices, so transposed operands are
 * materialised and batched products split (see {@link fastMatMul}).
 */
import { broadcast_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { transposeLastTwoImpl } from './conv-kernels.js';
import { original } from './registry.js';
import type { Args, WasmBackendLike } from './registry.js';

/** A float32 `x` with its last two axes swapped, materialised by a typed-array kernel. */
export function transposeLastTwo(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
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
 * matrices, and a scalar loop an order of magnitude slower (README)
 * otherwise — with `transposeA` or `transposeB`, which every dense layer's
 * backward pass uses, and for batched products. Here a transposed operand is
 * materialised (an O(size) copy, far cheaper than the scalar loop) and a batched product is
 * split into single-matrix products ({@link perMatrix}).
 */
export function fastMatMul(name: 'BatchMatMul' | '_FusedMatMul'): KernelFunc {
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

