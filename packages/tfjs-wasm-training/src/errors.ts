/**
 * The error this package throws on its own account: the wasm backend is not
 * loaded, or lacks a kernel a training kernel builds on. A package of its own
 * (not `@seta/core`'s `SetaError`) so that this package depends on
 * TensorFlow.js alone; see docs/decisions/0002-tfjs-wasm-training-package.md.
 *
 * @example
 * ```ts
 * try { registerWasmTrainingKernels(); } catch (e) {
 *   if (e instanceof WasmTrainingError) console.error(e.message);
 *   // registerWasmTrainingKernels(): the wasm backend is not loaded; import "@tensorflow/tfjs-backend-wasm" first
 * }
 * ```
 */
export class WasmTrainingError extends Error {
  override name = 'WasmTrainingError';

  /**
   * @param message - what went wrong, naming the function.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
