import { describeValue } from '../validate.js';

/**
 * The part of the WebAssembly API the kernels use, typed here so that the
 * packages build without DOM or Node type libraries.
 */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  validate(bytes: Uint8Array): boolean;
}

/** A compiled kernel module, with the API that instantiates it. */
export interface CompiledWasm {
  readonly api: WasmApi;
  readonly module: object;
}

/** A memory of the WebAssembly API. */
export type WasmMemory = InstanceType<WasmApi['Memory']>;

/**
 * Compile a kernel module's bytes, or return null where WebAssembly is
 * missing, the bytes do not validate (e.g. an engine without the SIMD they
 * use), or compiling is refused (e.g. a content security policy without
 * 'wasm-unsafe-eval'); callers then run their JavaScript path.
 *
 * @param bytes - the module (see {@link assembleModule}).
 * @returns the compiled module and the API, or null.
 * @throws TypeError if `bytes` is not a Uint8Array.
 */
export function compileWasm(bytes: Uint8Array): CompiledWasm | null {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`compileWasm(): bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  try {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined || !api.validate(bytes)) return null;
    return { api, module: new api.Module(bytes) };
  } catch {
    return null;
  }
}

/**
 * Compile a module once, on first use: `get()` returns the compiled module,
 * or null where it cannot run (see {@link compileWasm}). The bytes are
 * assembled only when first asked for, so a package that never runs a
 * kernel never builds one.
 */
export function lazyModule(bytes: () => Uint8Array): () => CompiledWasm | null {
  let compiled: CompiledWasm | null | undefined;
  return () => {
    if (compiled === undefined) compiled = compileWasm(bytes());
    return compiled;
  };
}

/**
 * An instance of `compiled` with a memory of its own of at least `bytes`,
 * with its exports; null when there is no memory for it (the caller's
 * JavaScript path then does the work). Kernels never grow a memory: growing
 * detaches the old ArrayBuffer, and V8 then stops trusting that typed arrays
 * are never detached, which slows every typed-array access in the process.
 * A kernel that needs more takes a new instance instead.
 *
 * @param compiled - the module.
 * @param bytes - the memory it needs.
 * @returns the memory and the exports, or null.
 */
export function instantiateWasm(compiled: CompiledWasm, bytes: number): { memory: WasmMemory; exports: Record<string, unknown> } | null {
  try {
    const memory = new compiled.api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const instance = new compiled.api.Instance(compiled.module, { env: { memory } });
    return { memory, exports: instance.exports };
  } catch {
    return null;
  }
}
