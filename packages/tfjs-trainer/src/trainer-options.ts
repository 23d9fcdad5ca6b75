import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkOneOf, checkOptionKeys, checkOptions, describeValue } from '@seta/core';
import type { Pruner } from '@seta/core';
import type { ProgressReporter } from './callbacks.js';
import { isCheckpointStore } from './checkpoint-store.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { DataSource } from './data-source.js';
import { checkPrunerAgrees, refuseStreaming } from './pruner-agreement.js';
import type { LayersModelLike, ModelFunction, PerSampleLoss } from './model.js';
import type { BatchReport, EpochReport } from './reports.js';
import type { LearningRateSchedule, TrainingProgress } from './schedule.js';

/** Options of {@link Trainer}. */
export interface TrainerOptions {
  /** A tfjs-layers model (trained through `apply(xs, { training: true })`) or a function of variables. */
  readonly model: LayersModelLike | ModelFunction;
  readonly optimizer: tf.Optimizer;
  readonly pruner: Pruner;
  readonly data: DataSource;
  readonly loss: PerSampleLoss;
  /** E, epochs of the whole run (≥ 1). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Skip a plan's last short batch (default false). */
  readonly dropLast?: boolean;
  /**
   * The variables a function model uses (required for a function model;
   * default for a layers model: its weights). Trainable ones are optimised;
   * all are checkpointed.
   */
  readonly variables?: readonly tf.Variable[];
  /** More variables to optimise (if trainable) and checkpoint: a CLIP logit scale, a momentum encoder. */
  readonly extraVariables?: readonly tf.Variable[];
  /** A fixed rate, or a schedule on the epoch fraction / samples seen, set on the optimizer before every step. */
  readonly learningRate?: number | LearningRateSchedule;
  /** How two-direction losses combine per sample: `'mean'` (CLIP, default) or `'sum'` (MoCo v3). */
  readonly directions?: 'mean' | 'sum';
  /** Seed of the loop's generator handed to the data source (default 0). */
  readonly seed?: number;
  /**
   * Directory to checkpoint to after every `checkpointEvery` epochs (and to
   * resume from). {@link Trainer.fit} holds it locked for its whole run (see
   * {@link CheckpointLockError}); resuming compares the checkpoint's settings
   * with this trainer's and refuses any difference. Node only: short for
   * `checkpoint: fileCheckpointStore(checkpointDir)`.
   */
  readonly checkpointDir?: string;
  /**
   * Where to checkpoint to and resume from, in any storage: files
   * (`fileCheckpointStore`, Node), IndexedDB (`indexedDbCheckpointStore`,
   * browsers), memory (`memoryCheckpointStore`) or your own
   * {@link CheckpointStore}. Not together with `checkpointDir`.
   */
  readonly checkpoint?: CheckpointStore;
  /** Epochs between checkpoints (default 1); the last epoch is always saved. */
  readonly checkpointEvery?: number;
  /** Resume from `checkpointDir` when it holds a checkpoint (default true). */
  readonly resume?: boolean;
  /** Runs after every optimizer step, inside no tidy: momentum updates, clamping a logit scale. */
  readonly afterStep?: (progress: TrainingProgress) => void;
  readonly onBatchEnd?: (report: BatchReport) => void | Promise<void>;
  readonly onEpochEnd?: (report: EpochReport) => void | Promise<void>;
  /**
   * A progress bar on stderr in Node (`'auto'`, the default, shows it only on
   * a terminal; in a browser `true` logs a line per epoch and `'auto'` shows
   * nothing), or a {@link ProgressReporter} of your own.
   */
  readonly progress?: boolean | 'auto' | ProgressReporter;
}

const TRAINER_OPTIONS = [
  'model',
  'optimizer',
  'pruner',
  'data',
  'loss',
  'epochs',
  'batchSize',
  'dropLast',
  'variables',
  'extraVariables',
  'learningRate',
  'directions',
  'seed',
  'checkpointDir',
  'checkpoint',
  'checkpointEvery',
  'resume',
  'afterStep',
  'onBatchEnd',
  'onEpochEnd',
  'progress',
] as const satisfies readonly (keyof TrainerOptions)[];

/** The options after their checks, with the defaults filled in. */
export interface CheckedTrainerOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly checkpointEvery: number;
  readonly dropLast: boolean;
  readonly directions: 'mean' | 'sum';
  readonly seed: number;
  /** null: the optimizer keeps its own rate. */
  readonly schedule: LearningRateSchedule | null;
  readonly progress: boolean | 'auto' | ProgressReporter;
}

/**
 * Check a {@link Trainer}'s options, all in this one place, before anything
 * is built from them; the model's variables are checked where they are
 * gathered (`trainableModel()`). O(1).
 *
 * @param fn - the caller, for messages (`Trainer()`).
 * @throws TypeError / RangeError naming the option and the value it got: an
 *   unknown key (with the closest known one), a pruner and data source of
 *   different sizes, a wrong kind of value.
 */
export function checkTrainerOptions(fn: string, options: TrainerOptions): CheckedTrainerOptions {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, TRAINER_OPTIONS);
  const { optimizer, pruner, data, loss } = options;
  if (!(optimizer instanceof tf.Optimizer)) {
    throw new TypeError(`${fn}: optimizer must be a tf.Optimizer, got ${describeValue(optimizer)}`);
  }
  for (const m of ['plan', 'observe', 'endEpoch', 'saveState', 'loadState'] as const) {
    if (typeof (pruner as unknown as Record<string, unknown> | null)?.[m] !== 'function') {
      throw new TypeError(`${fn}: pruner must implement Pruner (missing ${m}()), got ${describeValue(pruner)}`);
    }
  }
  refuseStreaming(fn, 'data', data);
  if (typeof data?.batch !== 'function') {
    throw new TypeError(`${fn}: data must have a batch(ids) method, got ${describeValue(data)}`);
  }
  checkInteger(fn, 'data.size', data.size, 1);
  if (data.size !== pruner.size) {
    throw new RangeError(`${fn}: data.size must equal pruner.size (${pruner.size}), got ${data.size}`);
  }
  if (typeof loss !== 'function') throw new TypeError(`${fn}: loss must be a function, got ${describeValue(loss)}`);
  const epochs = checkInteger(fn, 'epochs', options.epochs, 1);
  checkPrunerAgrees(fn, pruner, data.size, epochs, (pruner as { nextEpoch?: number }).nextEpoch ?? 0);
  const batchSize = checkInteger(fn, 'batchSize', options.batchSize, 1);
  const checkpointEvery = checkInteger(fn, 'checkpointEvery', options.checkpointEvery ?? 1, 1);
  const directions = checkOneOf(fn, 'directions', options.directions ?? 'mean', ['mean', 'sum'] as const);
  if (options.checkpointDir !== undefined && (typeof options.checkpointDir !== 'string' || options.checkpointDir === '')) {
    throw new TypeError(`${fn}: checkpointDir must be a non-empty string, got ${describeValue(options.checkpointDir)}`);
  }
  if (options.checkpoint !== undefined) {
    if (!isCheckpointStore(options.checkpoint)) {
      throw new TypeError(`${fn}: checkpoint must be a CheckpointStore (location, load, save, lock), got ${describeValue(options.checkpoint)}`);
    }
    if (options.checkpointDir !== undefined) {
      throw new TypeError(`${fn}: pass checkpointDir or checkpoint, not both (checkpointDir ${JSON.stringify(options.checkpointDir)}, checkpoint ${options.checkpoint.location})`);
    }
  }
  for (const key of ['dropLast', 'resume'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new TypeError(`${fn}: ${key} must be a boolean, got ${describeValue(options[key])}`);
    }
  }
  const progress = options.progress;
  if (progress !== undefined && typeof progress !== 'boolean' && progress !== 'auto') {
    const methods = ['epochBegin', 'batchEnd', 'epochClose', 'epochEnd'] as const;
    if (typeof progress !== 'object' || progress === null || !methods.some((m) => m in progress)) {
      throw new TypeError(`${fn}: progress must be true, false, "auto" or a ProgressReporter, got ${describeValue(progress)}`);
    }
    for (const m of methods) {
      if (progress[m] !== undefined && typeof progress[m] !== 'function') {
        throw new TypeError(`${fn}: progress.${m} must be a function, got ${describeValue(progress[m])}`);
      }
    }
  }
  for (const key of ['afterStep', 'onBatchEnd', 'onEpochEnd'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new TypeError(`${fn}: ${key} must be a function, got ${describeValue(options[key])}`);
    }
  }
  for (const key of ['variables', 'extraVariables'] as const) {
    if (options[key] !== undefined && !Array.isArray(options[key])) {
      throw new TypeError(`${fn}: ${key} must be an array of tf.Variable, got ${describeValue(options[key])}`);
    }
  }
  const lr = options.learningRate;
  if (lr !== undefined && typeof lr !== 'function') {
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
      throw new RangeError(`${fn}: learningRate must be a finite number ≥ 0 or a schedule, got ${describeValue(lr)}`);
    }
  }
  return {
    epochs,
    batchSize,
    checkpointEvery,
    dropLast: options.dropLast ?? false,
    directions,
    seed: checkInteger(fn, 'seed', options.seed ?? 0, 0),
    schedule: lr === undefined ? null : typeof lr === 'function' ? lr : () => lr,
    progress: options.progress ?? 'auto',
  };
}
