// Seeded randomness
export { Random } from './random.js';

// Shuffles
export { shuffledCopy, shuffledOwned, shuffledRange, shuffleInPlace } from './shuffle/shuffle.js';

// Sampling without replacement
export { compactSample, MAX_POPULATION, sampleFrom, sampleIndices, sampleSorted } from './sample/sample.js';
export { clearBitIds } from './sample/bitmap.js';

// Sets of ids as bitmaps
export { bitsetAdd, bitsetHas, bitsetOf } from './bitset.js';

// Scratch buffers
export { ScratchPool } from './scratch.js';

// WebAssembly: the assembler, compiling and instantiating, and the one on/off switch
export { assembleModule, I32, I64, op, sleb, uleb, V128 } from './wasm/assembler.js';
export type { WasmFunction } from './wasm/assembler.js';
export { compileWasm, instantiateWasm, lazyModule } from './wasm/compile.js';
export type { CompiledWasm, WasmApi, WasmMemory } from './wasm/compile.js';
export { setWasmKernels, wasmKernelsEnabled } from './wasm/switch.js';

// Argument checks with one message shape: `fn(): name must be …, got value`
export {
  checkArrayLike,
  checkBoolean,
  checkInstance,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkOptionKeys,
  checkOptions,
  checkRandom,
  describeValue,
  suggestKey,
} from './validate.js';
