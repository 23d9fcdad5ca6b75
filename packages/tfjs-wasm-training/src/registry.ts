/*
 * What every kernel of this package shares: the structural view of the wasm
 * backend it needs, and the registry state that keeps the stock kernels it
 * replaced (so a replacement can defer to them, and unregistering restores
 * them).
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { DataId, DataType, GradConfig, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmTrainingError } from './errors.js';

/** What the kernels need of the wasm backend (structural, so the wasm package stays an optional peer). */
export interface WasmBackendLike {
  readonly dataIdMap: { get(dataId: DataId): { id: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId, force?: boolean): boolean;
  incRef(dataId: DataId): void;
}

export type Args = Parameters<KernelFunc>[0];

/** Kernel state shared by every copy of this module (the ESM and CommonJS builds may both be loaded). */
export interface RegistryState {
  /** The wasm backend's own configs we replaced (undefined: it had none), by kernel name. */
  originals: Map<string, KernelConfig | undefined> | null;
  /** The `FusedBatchNorm` gradient replaced by the fast one (undefined: none was registered). */
  batchNormGrad?: GradConfig | undefined;
  /** The `Mean` gradient replaced by the fast one (undefined: none was registered). */
  meanGrad?: GradConfig | undefined;
  /** The `Relu` and `Square` gradients replaced by the one-pass ones. */
  pointwiseGrads?: Map<string, GradConfig | undefined> | undefined;
}
const STATE_KEY = Symbol.for('@seta/tfjs-wasm-training/kernels');
export function registryState(): RegistryState {
  const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
  return (g[STATE_KEY] ??= { originals: null });
}

/** The stock wasm kernel `name` (the one replaced, if any): replacements defer to it outside their fast path. */
export function original(name: string): KernelConfig {
  const config = registryState().originals?.get(name) ?? getKernel(name, 'wasm');
  if (config === undefined) {
    throw new WasmTrainingError(`wasm training kernels: the wasm backend has no ${name} kernel to build on`);
  }
  return config;
}

/** Run the stock wasm kernel `name` directly (no tape, no engine bookkeeping). */
export function run(name: string, inputs: Args['inputs'], backend: WasmBackendLike, attrs: NamedAttrMap): TensorInfo {
  return original(name).kernelFunc({ inputs, backend: backend as unknown as Args['backend'], attrs }) as TensorInfo;
}


/**
 * A float32 output of `shape` filled by `fill` from views of `inputs` and of
 * the output on the backend's heap — the shape of every typed-array kernel.
 * The views are taken after the allocation, which may grow (and detach) the
 * heap.
 */
export function typedArrayKernel(
  backend: WasmBackendLike,
  shape: readonly number[],
  inputs: readonly TensorInfo[],
  fill: (views: Float32Array[], out: Float32Array) => void,
): TensorInfo {
  const out = backend.makeOutput([...shape], 'float32');
  fill(
    inputs.map((t) => backend.typedArrayFromHeap(t) as Float32Array),
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
}
