/*
 * Elementwise kernels whose second operand is per channel — batch norm's
 * forward map, `x − mean`, `dy · scale` — as WebAssembly SIMD loops over the
 * backend's own memory. The stock wasm kernels broadcast through generic
 * index arithmetic (FusedBatchNorm also divides by a square root per
 * element), several times the cost of a plain pass (measured in the
 * README's kernel table). A per-channel operand repeats every
 * `C` values, so the loops walk the tensor four lanes at a time and the
 * operand's offset wraps at `C`. Channel counts that are not a multiple of
 * four, other dtypes and other broadcasts keep the stock kernels.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { original } from './registry.js';
import type { WasmBackendLike } from './registry.js';
import { heapOffset, moduleBytes, op, simdLoader, v128Load, v128Store } from './simd-module.js';
import type { SimdBackendLike, SimdFunction } from './simd-module.js';

const F32X4 = { add: 0xe4, sub: 0xe5, mul: 0xe6 } as const;

/**
 * The shared loop: for `i` in steps of 16 bytes up to `bytes`, with `j`
 * wrapping to 0 at `cbytes`, store at `out + i` the value `value` leaves.
 */
function channelLoop(params: { out: number; bytes: number; cbytes: number; i: number; j: number }, value: number[]): number[] {
  const { out, bytes, cbytes, i, j } = params;
  return [
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...op.get(i), ...op.get(bytes), op.i32GeU, 0x0d, 1, // if i >= bytes: break
    ...op.get(out), ...op.get(i), op.i32Add,
    ...value,
    ...v128Store,
    ...op.get(i), ...op.i32Const(16), op.i32Add, ...op.set(i),
    ...op.get(j), ...op.i32Const(16), op.i32Add, ...op.set(j),
    ...op.i32Const(0), ...op.get(j), ...op.get(j), ...op.get(cbytes), op.i32Eq, op.select, ...op.set(j), // j = j == cbytes ? 0 : j
    0x0c, 0, 0x0b, 0x0b, // br loop; end loop; end block
  ];
}

const at = (base: number, index: number) => [...op.get(base), ...op.get(index), op.i32Add, ...v128Load];

/** `name(x, out, bytes, v, cbytes)`: out = x ∘ v[channel]. */
function binary(name: string, code: number): SimdFunction {
  // Parameters 0–4: x, out, bytes, v, cbytes; locals 5: i, 6: j.
  return {
    name,
    params: [op.I32, op.I32, op.I32, op.I32, op.I32],
    locals: [[2, op.I32]],
    body: channelLoop({ out: 1, bytes: 2, cbytes: 4, i: 5, j: 6 }, [...at(0, 5), ...at(3, 6), ...op.simd(code)]),
  };
}

/** `affine(x, out, bytes, m, k, o, cbytes)`: out = (x − m[c]) · k[c] + o[c]. */
const affine: SimdFunction = {
  name: 'affine',
  params: [op.I32, op.I32, op.I32, op.I32, op.I32, op.I32, op.I32],
  locals: [[2, op.I32]],
  body: channelLoop({ out: 1, bytes: 2, cbytes: 6, i: 7, j: 8 }, [
    ...at(0, 7), ...at(3, 8), ...op.simd(F32X4.sub),
    ...at(4, 8), ...op.simd(F32X4.mul),
    ...at(5, 8), ...op.simd(F32X4.add),
  ]),
};

interface ChannelSimd {
  affine(x: number, out: number, bytes: number, m: number, k: number, o: number, cbytes: number): void;
  sub(x: number, out: number, bytes: number, v: number, cbytes: number): void;
  mul(x: number, out: number, bytes: number, v: number, cbytes: number): void;
  add(x: number, out: number, bytes: number, v: number, cbytes: number): void;
}

/** The module's bytes (exported for tests, which validate them). */
export function channelModuleBytes(): Uint8Array {
  return moduleBytes([affine, binary('sub', F32X4.sub), binary('mul', F32X4.mul), binary('add', F32X4.add)]);
}

/** The SIMD loops bound to a backend's memory, or null where they cannot run (see `simdLoader`). */
export const channelSimdFor = simdLoader<ChannelSimd>(channelModuleBytes);

type Backend = WasmBackendLike & SimdBackendLike;

/** The channel count of `t` if it is a float32 vector over the last axis of `full` (shape [C] or [1, …, 1, C]), C a multiple of 4. */
function perChannel(t: TensorInfo | undefined, full: TensorInfo): number | null {
  if (t === undefined || t.dtype !== 'float32' || full.dtype !== 'float32' || full.shape.length === 0) return null;
  const C = full.shape[full.shape.length - 1]!;
  if (C === 0 || C % 4 !== 0 || t.shape.length > full.shape.length) return null;
  if (t.shape.length === 0 || t.shape[t.shape.length - 1] !== C || t.shape.slice(0, -1).some((d) => d !== 1)) return null;
  return C;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * `Sub`, `Multiply` or `Add` with one full float32 operand and one per-channel
 * vector (the vector second, or — for the commutative two — either), on the
 * SIMD loop; anything else goes to the stock kernel.
 */
export function perChannelBinary(name: 'Sub' | 'Multiply' | 'Add'): KernelFunc {
  const fn = ({ Sub: 'sub', Multiply: 'mul', Add: 'add' } as const)[name];
  return (args) => {
    const a = args.inputs['a']!;
    const b = args.inputs['b']!;
    let full = a;
    let vector = b;
    let C = perChannel(b, a);
    if (C === null && name !== 'Sub') {
      full = b;
      vector = a;
      C = perChannel(a, b);
    }
    const backend = args.backend as unknown as Backend;
    const simd = C === null ? null : channelSimdFor(backend);
    if (C === null || simd === null || sizeOf(full.shape) === 0) return original(name).kernelFunc(args);
    const out = backend.makeOutput([...full.shape], 'float32');
    simd[fn](heapOffset(backend, full), heapOffset(backend, out), sizeOf(full.shape) * 4, heapOffset(backend, vector), C * 4);
    return out;
  };
}

/**
 * `FusedBatchNorm` with per-channel statistics (a multiple of four channels,
 * the last axis): `k = scale / √(variance + ε)` per channel in JavaScript,
 * then `(x − mean) · k + offset` on the SIMD loop. Each operation is rounded
 * to float32 (the cpu backend rounds once at the end: a few units in the last
 * place apart). Anything else goes to the stock kernel.
 */
export const fusedBatchNorm: KernelFunc = (args) => {
  const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
  const C = perChannel(mean, x!);
  const backend = args.backend as unknown as Backend;
  const ok =
    C !== null &&
    perChannel(variance, x!) === C &&
    (offset == null || perChannel(offset, x!) === C) &&
    (scale == null || perChannel(scale, x!) === C) &&
    sizeOf(x!.shape) > 0;
  const simd = ok ? channelSimdFor(backend) : null;
  if (!ok || simd === null) return original('FusedBatchNorm').kernelFunc(args);
  const epsilon = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const factors = backend.makeOutput([2 * C!], 'float32'); // k, then the offset
  const out = backend.makeOutput([...x!.shape], 'float32');
  try {
    // Views only after every allocation: an allocation may grow (and detach) the heap.
    const kf = backend.typedArrayFromHeap(factors) as Float32Array;
    const v = backend.typedArrayFromHeap(variance!) as Float32Array;
    const s = scale == null ? null : (backend.typedArrayFromHeap(scale) as Float32Array);
    const o = offset == null ? null : (backend.typedArrayFromHeap(offset) as Float32Array);
    for (let c = 0; c < C!; c++) {
      kf[c] = (s === null ? 1 : s[c]!) / Math.sqrt(v[c]! + epsilon);
      kf[C! + c] = o === null ? 0 : o[c]!;
    }
    const k = heapOffset(backend, factors);
    simd.affine(heapOffset(backend, x!), heapOffset(backend, out), sizeOf(x!.shape) * 4, heapOffset(backend, mean!), k, k + 4 * C!, 4 * C!);
  } finally {
    backend.disposeData(factors.dataId);
  }
  return out;
};
