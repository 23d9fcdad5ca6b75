/*
 * The entry point `@seta/tfjs-trainer/register-kernels` (see tsup.config.ts):
 * the wasm training kernels and the gradient registration live in
 * @seta/tfjs-wasm-training, and are re-exported here so code written against
 * this entry point keeps working. Nothing happens on import.
 */
export {
  registerGradients,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
  WasmTrainingError,
} from '@seta/tfjs-wasm-training';
