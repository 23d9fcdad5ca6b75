// Types of the pruning contract
export type { EpochPlan, EpochSummary, Phase, Pruner } from './types.js';

// Errors
export { CallOrderError, SetaError, StateError } from './errors.js';

// Randomness and sampling
export { Random } from './random.js';
export { compileWasm } from './wasm.js';
export type { CompiledWasm, WasmApi } from './wasm.js';
export { setWasmKernels, shuffledCopy, wasmKernelsEnabled, shuffledRange, shuffleInPlace } from './shuffle.js';
export { clearBitIds, compactSample, MAX_POPULATION, sampleFrom, sampleIndices, sampleSorted } from './sample.js';

// Plans: batching and data-parallel sharding
export { batchPlan, countBatches } from './batch.js';
export type { BatchOptions, PlanBatch } from './batch.js';
export { shardPlan } from './shard.js';
export type { ShardOptions } from './shard.js';

// Numerics
export { CompensatedSum, compensatedSum } from './sum.js';

// State encoding
export { crc32 } from './crc32.js';
export { StateReader, StateWriter } from './state.js';

// Argument validation shared by the seta packages
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
  checkSize,
  describeValue,
  MAX_SIZE,
  suggestKey,
} from './validate.js';

// Pipelines: compose stages into a pruner
export { createPruner } from './pipeline.js';
export { PlanArrays, ScratchPool } from './scratch.js';
export type {
  EpochEnd,
  ObservedBatch,
  PipelineOptions,
  PipelinePruner,
  ScoreStore,
  Selection,
  Stage,
  StageContext,
  StageRestoreContext,
} from './pipeline.js';
export { annealStage, downsampleStage, staticSubsetStage } from './stages.js';
export type { AnnealOptions, KeepOptions } from './stages.js';
