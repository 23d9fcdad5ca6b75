import { checkBoolean } from '../validate.js';

let enabled = true;

/**
 * Turn every WebAssembly kernel of the seta packages off, or back on;
 * returns the previous setting. The kernels — the shuffle's per-bucket
 * Fisher–Yates and dense sequential sampling here, the k-means sort of
 * `@seta/kmeans1d`, SCAN's batch classification in `@seta/scan` — compute
 * exactly what their JavaScript paths compute, so results are identical
 * either way; this is for tests and side-by-side benchmarks. Without
 * WebAssembly (or under a content security policy that refuses it) the
 * JavaScript paths run regardless.
 *
 * There is one switch for every package because there is one copy of this
 * package in an installation (docs/decisions/0004-engine-package.md).
 *
 * @param on - whether the kernels may run.
 * @returns the previous setting.
 * @throws TypeError if `on` is not a boolean.
 * @example
 * ```ts
 * const before = setWasmKernels(false); // pure JavaScript from here on
 * setWasmKernels(before);
 * ```
 */
export function setWasmKernels(on: boolean): boolean {
  checkBoolean('setWasmKernels()', 'on', on);
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Whether WebAssembly kernels may run (see {@link setWasmKernels}); every
 * kernel asks before it runs.
 *
 * @returns the current setting (true unless turned off).
 */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}
