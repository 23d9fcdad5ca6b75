// Registration (the package's only registry side effects, on call)
export {
  registerGradients,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
} from './register-kernels.js';

// Errors
export { WasmTrainingError } from './errors.js';
