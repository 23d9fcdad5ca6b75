// Backend choice
export { selectBackend } from './select-backend.js';
export type { BackendAttempt, BackendKind, SelectBackendOptions, SelectBackendResult } from './select-backend.js';

// model.fit with a pruner: the entry point for tfjs-layers users
export { fit, fitDataSource } from './fit.js';
export type { CompiledLayersModel } from './fit.js';
export type { FitArgs, FitDataSourceArgs, FitTensors, PrunerFactory } from './fit-args.js';
export type { FitCallback, FitCallbackConfig, Logs, YieldEvery } from './fit-callbacks.js';
export type { FitPerSampleLoss, LossOrMetricFn } from './fit-losses.js';
export type { FitHistory } from './history.js';

// Hand-written loops: ids tfjs accepts, one weighted per-sample step
export { batchIds, gatherSamples } from './batch-ids.js';
export type { IdsLike } from './batch-ids.js';
export { perSampleStep } from './per-sample-step.js';

// Kernel and gradient registration, from @seta/tfjs-wasm-training (registry side effects on call only)
export {
  registerGradients,
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
  WasmTrainingError,
} from '@seta/tfjs-wasm-training';

// Per-sample losses
export {
  CLIP_INITIAL_LOGIT_SCALE,
  CLIP_MAX_LOGIT_SCALE,
  clampLogitScaleInPlace,
  clipLoss,
  cosineMomentum,
  createLogitScale,
  mocoV3Loss,
  momentumUpdate,
  softmaxCrossEntropy,
} from './losses.js';
export type {
  ClipLosses,
  ClipLossOptions,
  MocoV3Losses,
  MocoV3LossOptions,
  SoftmaxCrossEntropyOptions,
  VariableLike,
} from './losses.js';

// Learning-rate schedules
export { cosineSchedule, linearSchedule } from './schedule.js';
export type { LearningRateSchedule, ScheduleClock, ScheduleOptions, TrainingProgress } from './schedule.js';

// The training loop
export { Trainer, train } from './trainer.js';
export type { TrainerOptions } from './trainer-options.js';
export type { BatchReport, EpochReport, EpochTimings, TrainResult } from './reports.js';
export type { LayersModelLike, ModelFunction, PerSampleLoss } from './model.js';
export type { Batch, BatchContext, DataSource, Tensors } from './data-source.js';
export { arrayDataSource } from './array-data-source.js';
export type { ArrayData, ArrayDataSourceOptions } from './array-data-source.js';

// Checkpoints
export { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
export type { CheckpointData, CheckpointMeta, SavedTensor } from './checkpoint-format.js';
export { CheckpointLockError, memoryCheckpointStore } from './checkpoint-store.js';
export type { CheckpointLockOwner, CheckpointStore, CheckpointStoreLock } from './checkpoint-store.js';
export { indexedDbCheckpointStore } from './indexeddb-checkpoint-store.js';
export type { IndexedDbCheckpointStoreOptions, IndexedDbFactory, WebLocks } from './indexeddb-checkpoint-store.js';
// Files, Node only: the browser build (platform-browser.ts) has them throw, saying what to use instead.
export { CHECKPOINT_FILE, CHECKPOINT_LOCK_FILE, fileCheckpointStore, readCheckpoint, writeCheckpoint } from './platform.js';

// Progress
export type { EpochStart, ProgressReporter } from './callbacks.js';
