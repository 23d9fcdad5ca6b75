import { describeValue } from './validate.js';

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

/**
 * Compile a kernel module's bytes, or return null where WebAssembly is
 * missing, the bytes do not validate (e.g. an engine without the SIMD they
 * use), or compiling is refused (e.g. a content security policy without
 * 'wasm-unsafe-eval'); callers then run their JavaScript path. Used by the
 * kernels of `@seta/core` and of packages built on it (`@seta/scan`).
 *
 * @param bytes - the module.
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
