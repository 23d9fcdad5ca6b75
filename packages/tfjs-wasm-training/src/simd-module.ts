/*
 * A few hand-assembled WebAssembly SIMD functions that import the wasm
 * backend's own memory, so they read and write tensor data in place. Built
 * byte by byte because this package ships no compiled artefact besides
 * JavaScript (no toolchain, nothing to fetch at run time); each module is a
 * handful of loops, small enough to review opcode by opcode. The binary
 * format (LEB128, sections) is @seta/engine's assembler, shared with the
 * pruning kernels (docs/decisions/0005).
 */
import { assembleModule, compileWasm, uleb } from '@seta/engine';
import * as engineOp from '@seta/engine';

/** The part of the WebAssembly JS API used here (this package's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** What a SIMD module needs of the wasm backend: its memory, and where a tensor's data starts in it. */
export interface SimdBackendLike {
  readonly dataIdMap: { get(dataId: unknown): { memoryOffset: number } | undefined };
  readonly wasm?: { asm?: { memory?: WasmMemory } };
}

/** Opcodes used by this package's modules, on top of @seta/engine's assembler. */
export const op = {
  I32: engineOp.I32,
  F32: 0x7d,
  V128: engineOp.V128,
  get: engineOp.op.get,
  set: engineOp.op.set,
  /** A SIMD instruction (prefix 0xfd, then the opcode as LEB128). */
  simd: (code: number) => [0xfd, ...uleb(code)],
  i32Add: 0x6a,
  i32Eq: 0x46,
  i32GeU: 0x4f,
  select: 0x1b,
  i32Const: engineOp.op.i32,
} as const;

/** `v128.load` / `v128.store` with a 4-byte alignment hint and no offset (tensor data is float32-aligned). */
export const v128Load = [...op.simd(0x00), 2, 0];
export const v128Store = [...op.simd(0x0b), 2, 0];

/** One exported function: its parameter types, extra locals (count, type) and body (without the final `end`). */
export interface SimdFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly locals: readonly (readonly [number, number])[];
  readonly body: readonly number[];
}

/** A module importing `env.memory` and exporting `functions` (each returning nothing). */
export function moduleBytes(functions: readonly SimdFunction[]): Uint8Array {
  return assembleModule(functions.map((f) => ({ ...f, results: [] })));
}

/**
 * Compiles `bytes` once and instantiates it once per backend memory; null
 * where it cannot run: no WebAssembly SIMD, no backend memory, or a threaded
 * build's shared memory (which would need an imported shared memory).
 */
export function simdLoader<T>(bytes: () => Uint8Array): (backend: SimdBackendLike) => T | null {
  let compiled: object | null | undefined;
  const instances = new WeakMap<WasmMemory, T>();
  return (backend) => {
    const memory = backend.wasm?.asm?.memory;
    if (wasmApi === undefined || memory === undefined || !(memory instanceof wasmApi.Memory)) return null;
    if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
    const known = instances.get(memory);
    if (known !== undefined) return known;
    if (compiled === undefined) compiled = compileWasm(bytes())?.module ?? null;
    if (compiled === null) return null;
    const exports = new wasmApi.Instance(compiled, { env: { memory } }).exports as unknown as T;
    instances.set(memory, exports);
    return exports;
  };
}

/** Where tensor data starts in the backend's memory (bytes). */
export function heapOffset(backend: SimdBackendLike, t: { dataId: unknown }): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}
