// Types of the pruning contract
export type { EpochPlan, EpochSummary, Phase, Pruner } from './types.js';

// Errors
export { CallOrderError, SetaError, StateError } from './errors.js';

// Pipelines: compose stages into a pruner
export { createPruner } from './pipeline.js';
export type { PipelineOptions, PipelinePruner } from './pipeline-options.js';
export type { EpochEnd, ObservedBatch, ScoreStore, Selection, Stage, StageContext, StageRestoreContext } from './stage.js';
export { annealStage, downsampleStage, staticSubsetStage } from './stages.js';
export type { AnnealOptions, KeepOptions } from './stages.js';
export { keepRatio } from './keep-ratio.js';
// Arrays for stages: the plan's own, pooled temporaries, or new
export { float32Buffer, uint32Buffer } from './buffers.js';
export { PlanArrays } from './plan-arrays.js';

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

// Dataset sizes
export { checkSize, MAX_SIZE } from './size.js';
export { checkStrategyOptions } from './strategy-options.js';
export type { CheckedStrategyOptions, StrategyOptions } from './strategy-options.js';

// From @seta/engine, part of this package's API: the seeded generator,
// shuffling and sampling, scratch buffers, sets of ids, the WebAssembly
// switch and the argument checks every seta package shares.
export {
  bitsetAdd,
  bitsetHas,
  bitsetOf,
  checkArrayLike,
  checkBoolean,
  checkInstance,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkOptionKeys,
  checkOptions,
  checkRandom,
  clearBitIds,
  compactSample,
  compileWasm,
  describeValue,
  MAX_POPULATION,
  Random,
  sampleFrom,
  sampleIndices,
  sampleSorted,
  ScratchPool,
  setWasmKernels,
  shuffledCopy,
  shuffledRange,
  shuffleInPlace,
  suggestKey,
  wasmKernelsEnabled,
} from '@seta/engine';
export type { CompiledWasm, WasmApi } from '@seta/engine';
