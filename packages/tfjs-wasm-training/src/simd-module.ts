/*
 * A few hand-assembled WebAssembly SIMD functions that import the wasm
 * backend's own memory, so they read and write tensor data in place. Built
 * byte by byte because this package ships no compiled artefact besides
 * JavaScript (no toolchain, nothing to fetch at run time); each module is a
 * handful of loops, small enough to review opcode by opcode.
 */

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

/** Unsigned LEB128, the encoding of every length and index in a module. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Opcodes used by this package's modules. */
export const op = {
  I32: 0x7f,
  F32: 0x7d,
  V128: 0x7b,
  get: (i: number) => [0x20, i],
  set: (i: number) => [0x21, i],
  /** A SIMD instruction (prefix 0xfd, then the opcode as LEB128). */
  simd: (code: number) => [0xfd, ...leb(code)],
  i32Add: 0x6a,
  i32Eq: 0x46,
  i32GeU: 0x4f,
  select: 0x1b,
  i32Const: (n: number) => [0x41, ...signedLeb(n)],
} as const;

/** `v128.load` / `v128.store` with a 4-byte alignment hint and no offset (tensor data is float32-aligned). */
export const v128Load = [...op.simd(0x00), 2, 0];
export const v128Store = [...op.simd(0x0b), 2, 0];

function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** One exported function: its parameter types, extra locals (count, type) and body (without the final `end`). */
export interface SimdFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly locals: readonly (readonly [number, number])[];
  readonly body: readonly number[];
}

/** A module importing `env.memory` and exporting `functions` (each returning nothing). */
export function moduleBytes(functions: readonly SimdFunction[]): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
  const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
  const name = (t: string) => [...leb(t.length), ...Array.from(t, (ch) => ch.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(functions.map((f) => [0x60, ...leb(f.params.length), ...f.params, 0]))),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, vec(functions.map((_, i) => leb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...leb(i)]))),
    ...section(
      10,
      vec(
        functions.map((f) => {
          const code = [...vec(f.locals.map(([n, t]) => [...leb(n), t])), ...f.body, 0x0b];
          return [...leb(code.length), ...code];
        }),
      ),
    ),
  ]);
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
    if (compiled === undefined) {
      try {
        const b = bytes();
        compiled = wasmApi.validate(b) ? new wasmApi.Module(b) : null;
      } catch {
        compiled = null;
      }
    }
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
