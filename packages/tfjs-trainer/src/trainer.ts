import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import {
  Random,
  SetaError,
  StateError,
  batchPlan,
  checkInteger,
  checkOneOf,
  checkOptionKeys,
  checkOptions,
  countBatches,
  describeValue,
} from '@seta/core';
import type { EpochPlan, EpochSummary, Phase, Pruner } from '@seta/core';
import { lockCheckpointDir } from './checkpoint-lock.js';
import type { CheckpointLock } from './checkpoint-lock.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { CheckpointData, CheckpointMeta, SavedTensor } from './checkpoint.js';
import { registerGradients } from '@seta/tfjs-wasm-training';
import type { LearningRateSchedule, TrainingProgress } from './schedule.js';

/** Model inputs or outputs: one tensor, several, or several by name. */
export type Tensors = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/** A batch as a data source returns it. The trainer disposes its tensors after the step. */
export interface Batch {
  readonly xs: Tensors;
  readonly ys?: Tensors;
}

/** What a data source is told besides the ids. */
export interface BatchContext {
  /** 0-based epoch. */
  readonly epoch: number;
  /**
   * The loop's seeded generator, saved in every checkpoint: draw all data
   * shuffling and augmentation randomness from it so a resumed run sees
   * exactly what the uninterrupted one would have.
   */
  readonly rng: Random;
}

/** Where the samples come from: `batch(ids)` returns the samples with those ids (0 … size-1). */
export interface DataSource {
  /** N, the number of samples (the pruner's size). */
  readonly size: number;
  batch(ids: Uint32Array, context: BatchContext): Batch | Promise<Batch>;
}

/** A model as a function of variables the caller owns: `(xs, { training }) => outputs`. */
export type ModelFunction = (xs: Tensors, context: { readonly training: boolean }) => Tensors;

/** The part of a tfjs-layers `LayersModel` the trainer uses (tfjs-layers stays an optional peer). */
export interface LayersModelLike {
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): unknown;
  readonly weights: readonly { read(): tf.Tensor }[];
  readonly trainableWeights: readonly { read(): tf.Tensor }[];
}

/**
 * Per-sample losses of a batch, unreduced: one `[B]` tensor, or two for
 * contrastive tasks (image→text and text→image; view1→view2 and view2→view1).
 */
export type PerSampleLoss = (
  outputs: Tensors,
  ys: Tensors | undefined,
  batch: { readonly ids: Uint32Array; readonly epoch: number },
) => tf.Tensor1D | readonly [tf.Tensor1D, tf.Tensor1D];

/** Reported after every batch. */
export interface BatchReport {
  readonly epoch: number;
  readonly phase: Phase;
  /** This epoch's pruned ratio, 1 − |plan| / N. */
  readonly prunedRatio: number;
  /** 0-based batch number in the epoch. */
  readonly batch: number;
  readonly batches: number;
  /** Samples in this batch. */
  readonly size: number;
  /** The batch's training loss, `mean_i(w_i · loss_i)` (both directions combined). */
  readonly loss: number;
  /** The unweighted mean per-sample loss (both directions combined). */
  readonly meanLoss: number;
  readonly learningRate: number;
  /** Samples of this epoch visited so far. */
  readonly visited: number;
  /** Samples per second over this epoch so far. */
  readonly samplesPerSecond: number;
  /** Wall time since the epoch started, ms. */
  readonly elapsedMs: number;
}

/** Where an epoch's wall time went, ms. */
export interface EpochTimings {
  /** `pruner.plan` and batching. */
  readonly planMs: number;
  /** `data.batch`: gathering the samples. */
  readonly gatherMs: number;
  /** Forward, backward and optimizer update. */
  readonly stepMs: number;
  /** Reading the per-sample losses back and disposing the batch. */
  readonly readbackMs: number;
  /** `pruner.observe` and `pruner.endEpoch`. */
  readonly observeMs: number;
  /** Writing the checkpoint. */
  readonly checkpointMs: number;
  /** planMs + gatherMs + readbackMs + observeMs: the loop's own cost, without checkpointing. */
  readonly loopMs: number;
}

/** Reported after every epoch. */
export interface EpochReport {
  readonly epoch: number;
  readonly phase: Phase;
  /** |plan|. */
  readonly visited: number;
  readonly prunedRatio: number;
  readonly savedRatioSoFar: number;
  /** Mean training loss of the epoch: batch losses weighted by batch size. */
  readonly loss: number;
  /** The pruner's summary (its `meanLoss` is over the observed per-sample losses). */
  readonly summary: EpochSummary;
  readonly batches: number;
  readonly learningRate: number;
  readonly samplesPerSecond: number;
  readonly wallTimeMs: number;
  readonly timings: EpochTimings;
}

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
   * with this trainer's and refuses any difference.
   */
  readonly checkpointDir?: string;
  /** Epochs between checkpoints (default 1); the last epoch is always saved. */
  readonly checkpointEvery?: number;
  /** Resume from `checkpointDir` when it holds a checkpoint (default true). */
  readonly resume?: boolean;
  /** Runs after every optimizer step, inside no tidy: momentum updates, clamping a logit scale. */
  readonly afterStep?: (progress: TrainingProgress) => void;
  readonly onBatchEnd?: (report: BatchReport) => void | Promise<void>;
  readonly onEpochEnd?: (report: EpochReport) => void | Promise<void>;
  /** A progress bar on stderr: `'auto'` (default) shows it only on a terminal. */
  readonly progress?: boolean | 'auto';
}

/** What {@link Trainer.fit} returns. */
export interface TrainResult {
  /** Reports of the epochs this call ran. */
  readonly epochs: EpochReport[];
  /** The epoch training resumed at, or null if it started fresh. */
  readonly resumedFrom: number | null;
  /** True if {@link Trainer.stop} ended the run early. */
  readonly stopped: boolean;
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
  'checkpointEvery',
  'resume',
  'afterStep',
  'onBatchEnd',
  'onEpochEnd',
  'progress',
] as const satisfies readonly (keyof TrainerOptions)[];

/** tfjs-core's optimizers, whose `getWeights()` is the iteration count then per-variable slots in variable order. */
const STOCK_OPTIMIZERS = ['Adam', 'Adamax', 'Adagrad', 'Adadelta', 'RMSProp', 'Momentum', 'SGD'];

function isTensors(value: unknown): value is Tensors {
  if (value instanceof tf.Tensor) return true;
  if (Array.isArray(value)) return value.every((t) => t instanceof tf.Tensor);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((t) => t instanceof tf.Tensor);
}

/** A setting's value in a mismatch message. */
function showSetting(value: unknown): string {
  if (value === 'schedule') return 'a schedule';
  if (value === null) return "the optimizer's own";
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isLayersModel(model: unknown): model is LayersModelLike {
  return (
    typeof model === 'object' &&
    model !== null &&
    typeof (model as LayersModelLike).apply === 'function' &&
    Array.isArray((model as LayersModelLike).weights) &&
    Array.isArray((model as LayersModelLike).trainableWeights)
  );
}

function now(): number {
  return performance.now();
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof lr === 'number' ? lr : Number.NaN;
}

async function saveTensor(name: string, t: tf.Tensor): Promise<SavedTensor> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new SetaError(`Trainer: cannot checkpoint ${name} of dtype ${t.dtype} (only float32 and int32)`);
  }
  const data = await t.data();
  const values = t.dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
  return { name, shape: [...t.shape], dtype: t.dtype, values };
}

/**
 * The epoch loop of a dynamic data-pruning run with TensorFlow.js. Each epoch
 * it asks the pruner for the plan, batches it (`batchPlan` of `@seta/core`),
 * gathers each batch from the data source, computes the per-sample losses,
 * trains on `mean_i(w_i · loss_i)` with the plan's weights, reports the
 * losses to the pruner (both directions for contrastive tasks), and closes
 * the epoch — then checkpoints atomically, so a killed run resumes with the
 * same plans and, on a deterministic backend, the same weights.
 *
 * Cost per step: one forward and backward pass, one read-back of `[B]`
 * losses, `pruner.observe`; per epoch, `pruner.plan` and a checkpoint
 * (O(parameters)). Tensor count is constant across epochs.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ model, optimizer: tf.train.adam(1e-3), pruner, data,
 *   loss: (logits, ys) => softmaxCrossEntropy(ys as tf.Tensor, logits as tf.Tensor),
 *   epochs: 10, batchSize: 128, checkpointDir: 'runs/mlp' });
 * const { epochs } = await trainer.fit();
 * // epochs[9].savedRatioSoFar: the share of sample visits the pruner saved
 * ```
 */
export class Trainer {
  private readonly options: TrainerOptions;
  private readonly forward: (xs: Tensors) => Tensors;
  private readonly variables: readonly tf.Variable[];
  private readonly trainable: tf.Variable[];
  private readonly rng: Random;
  private readonly schedule: LearningRateSchedule | null;
  private readonly batchSize: number;
  private readonly epochs: number;
  private readonly checkpointEvery: number;
  private epochIndex = 0;
  private samplesSeen = 0;
  private steps = 0;
  private stopRequested = false;
  private running = false;
  /** The lock of `checkpointDir` while {@link fit} runs. */
  private lock: CheckpointLock | null = null;
  /** `optimizer.getConfig()` when built, before any schedule changed its rate; null if it has none. */
  private readonly optimizerConfig: { readonly [key: string]: unknown } | null;

  /**
   * @throws TypeError / RangeError naming the option for bad options (a
   *   pruner and data source of different sizes, a function model without
   *   `variables`, …).
   */
  constructor(options: TrainerOptions) {
    const fn = 'Trainer()';
    checkOptions(fn, options);
    checkOptionKeys(fn, options, TRAINER_OPTIONS);
    const { model, optimizer, pruner, data, loss } = options;
    if (!(optimizer instanceof tf.Optimizer)) {
      throw new TypeError(`${fn}: optimizer must be a tf.Optimizer, got ${describeValue(optimizer)}`);
    }
    for (const m of ['plan', 'observe', 'endEpoch', 'saveState', 'loadState'] as const) {
      if (typeof (pruner as unknown as Record<string, unknown> | null)?.[m] !== 'function') {
        throw new TypeError(`${fn}: pruner must implement Pruner (missing ${m}()), got ${describeValue(pruner)}`);
      }
    }
    if (typeof data?.batch !== 'function') {
      throw new TypeError(`${fn}: data must have a batch(ids) method, got ${describeValue(data)}`);
    }
    checkInteger(fn, 'data.size', data.size, 1);
    if (data.size !== pruner.size) {
      throw new RangeError(`${fn}: data.size must equal pruner.size (${pruner.size}), got ${data.size}`);
    }
    if (typeof loss !== 'function') throw new TypeError(`${fn}: loss must be a function, got ${describeValue(loss)}`);
    this.epochs = checkInteger(fn, 'epochs', options.epochs, 1);
    this.batchSize = checkInteger(fn, 'batchSize', options.batchSize, 1);
    this.checkpointEvery = checkInteger(fn, 'checkpointEvery', options.checkpointEvery ?? 1, 1);
    checkOneOf(fn, 'directions', options.directions ?? 'mean', ['mean', 'sum'] as const);
    if (options.checkpointDir !== undefined && (typeof options.checkpointDir !== 'string' || options.checkpointDir === '')) {
      throw new TypeError(`${fn}: checkpointDir must be a non-empty string, got ${describeValue(options.checkpointDir)}`);
    }
    for (const key of ['dropLast', 'resume'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') {
        throw new TypeError(`${fn}: ${key} must be a boolean, got ${describeValue(options[key])}`);
      }
    }
    if (options.progress !== undefined && typeof options.progress !== 'boolean' && options.progress !== 'auto') {
      throw new TypeError(`${fn}: progress must be true, false or "auto", got ${describeValue(options.progress)}`);
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
    this.schedule = lr === undefined ? null : typeof lr === 'function' ? lr : () => lr;

    let variables: tf.Variable[];
    if (isLayersModel(model)) {
      const layersModel = model;
      this.forward = (xs) => {
        if (!(xs instanceof tf.Tensor) && !Array.isArray(xs)) {
          throw new TypeError('Trainer: a layers model takes a tensor or an array of tensors as xs');
        }
        return layersModel.apply(xs, { training: true }) as Tensors;
      };
      variables = options.variables
        ? [...options.variables]
        : layersModel.weights.map((w) => w.read() as tf.Variable);
    } else if (typeof model === 'function') {
      if (options.variables === undefined) {
        throw new TypeError(`${fn}: variables must list the variables of a function model, got undefined`);
      }
      this.forward = (xs) => model(xs, { training: true });
      variables = [...options.variables];
    } else {
      throw new TypeError(`${fn}: model must be a tfjs-layers model or a function, got ${describeValue(model)}`);
    }
    variables.push(...(options.extraVariables ?? []));
    variables.forEach((v, i) => {
      if (!(v instanceof tf.Variable)) {
        throw new TypeError(`${fn}: variables[${i}] must be a tf.Variable, got ${describeValue(v)}`);
      }
    });
    if (new Set(variables).size !== variables.length) {
      throw new RangeError(`${fn}: variables must not repeat a variable (check extraVariables)`);
    }
    this.variables = variables;
    this.trainable = variables.filter((v) => v.trainable);
    if (this.trainable.length === 0) throw new RangeError(`${fn}: the model must have at least one trainable variable`);
    this.rng = new Random(checkInteger(fn, 'seed', options.seed ?? 0, 0));
    this.options = options;
    let config: { [key: string]: unknown } | null = null;
    try {
      config = JSON.parse(JSON.stringify(optimizer.getConfig())) as { [key: string]: unknown };
    } catch {
      /* an optimizer without a serialisable config: its hyper-parameters are not compared on resume */
    }
    this.optimizerConfig = config;
    // Gradients must be registered however TensorFlow.js was imported.
    registerGradients();
  }

  /** The next epoch to train (epochs finished so far). */
  get epoch(): number {
    return this.epochIndex;
  }

  /** Ask the running {@link fit} to stop after the current epoch (and its checkpoint). */
  stop(): void {
    this.stopRequested = true;
  }

  private progress(planLength: number, visited: number): TrainingProgress {
    return {
      epoch: this.epochIndex + (planLength === 0 ? 0 : visited / planLength),
      samplesSeen: this.samplesSeen,
      dataEpochs: this.samplesSeen / this.options.pruner.size,
      step: this.steps,
      totalEpochs: this.epochs,
    };
  }

  /** The settings a checkpoint records and a resume must match. */
  private settings(): Pick<
    CheckpointMeta,
    'size' | 'prunerName' | 'epochs' | 'batchSize' | 'seed' | 'dropLast' | 'directions' | 'learningRate' | 'optimizer'
  > & { optimizerConfig?: { readonly [key: string]: unknown } } {
    const o = this.options;
    const lr = o.learningRate;
    return {
      size: o.pruner.size,
      prunerName: o.pruner.name,
      epochs: this.epochs,
      batchSize: this.batchSize,
      seed: o.seed ?? 0,
      dropLast: o.dropLast ?? false,
      directions: o.directions ?? 'mean',
      learningRate: lr === undefined ? null : typeof lr === 'function' ? 'schedule' : lr,
      optimizer: o.optimizer.getClassName(),
      ...(this.optimizerConfig === null ? {} : { optimizerConfig: this.optimizerConfig }),
    };
  }

  /**
   * Run `body` holding the lock of `dir`: the lock {@link fit} holds if it is
   * that directory, else one taken for the call.
   */
  private async withLock<T>(dir: string, fn: string, body: () => Promise<T>): Promise<T> {
    if (this.lock !== null && resolve(this.lock.dir) === resolve(dir)) return body();
    const lock = await lockCheckpointDir(dir, fn);
    try {
      return await body();
    } finally {
      await lock.release();
    }
  }

  /**
   * Save model variables, optimizer state, pruner state, loop counters,
   * generator state and the run's settings to `dir` (default
   * `checkpointDir`), atomically, holding the directory's lock. Called by
   * {@link fit} after epochs; call it yourself between epochs only.
   *
   * @throws CheckpointLockError if another run holds `dir`.
   */
  async saveCheckpoint(dir: string | undefined = this.options.checkpointDir): Promise<void> {
    const fn = 'Trainer.saveCheckpoint()';
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: dir must be a non-empty string, got ${describeValue(dir)}`);
    const { optimizer, pruner } = this.options;
    const variables = await Promise.all(this.variables.map((v, i) => saveTensor(`variable ${i} (${v.name})`, v)));
    const named = await optimizer.getWeights();
    let optimizerWeights: SavedTensor[];
    try {
      optimizerWeights = await Promise.all(named.map((w) => saveTensor(w.name, w.tensor)));
    } finally {
      // getWeights() returns live variables plus fresh tensors (the iteration count): dispose the latter.
      for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
    const optimizerFields: SavedTensor[] = [];
    for (const [key, value] of Object.entries(optimizer)) {
      if (value instanceof tf.Variable) optimizerFields.push(await saveTensor(key, value));
    }
    const data: CheckpointData = {
      meta: {
        ...this.settings(),
        epoch: this.epochIndex,
        samplesSeen: this.samplesSeen,
        step: this.steps,
        backend: tf.getBackend(),
        savedAt: new Date().toISOString(),
      },
      rng: this.rng.getState(),
      pruner: pruner.saveState(),
      variables,
      optimizerWeights,
      optimizerFields,
    };
    await this.withLock(dir, fn, () => writeCheckpoint(dir, data));
  }

  /**
   * Restore the state {@link saveCheckpoint} wrote into this trainer's model,
   * optimizer, pruner and loop. Everything is checked before anything
   * changes: the run's settings (dataset size, pruner, epochs, batch size,
   * seed, `dropLast`, `directions`, learning rate, optimizer class and
   * hyper-parameters), the variables' shapes, the optimizer state's shapes,
   * and then the pruner's own check of its state. Restoring again replaces
   * the optimizer's slots (their old variables are disposed).
   *
   * @returns the epoch training continues at, or null if `dir` holds no checkpoint.
   * @throws StateError naming the setting and both values if the checkpoint
   *   does not fit this trainer, or the field if it is corrupted;
   *   CheckpointLockError if another run holds `dir`.
   */
  async restoreCheckpoint(dir: string | undefined = this.options.checkpointDir): Promise<number | null> {
    const fn = 'Trainer.restoreCheckpoint()';
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: dir must be a non-empty string, got ${describeValue(dir)}`);
    return this.withLock(dir, fn, () => this.restore(dir, fn));
  }

  private async restore(dir: string, fn: string): Promise<number | null> {
    const saved = await readCheckpoint(dir);
    if (saved === null) return null;
    const { optimizer, pruner } = this.options;
    const { meta } = saved;
    const mismatch = (name: string, was: unknown, has: unknown): StateError =>
      new StateError(`${fn}: checkpoint in ${dir} was written with ${name} ${showSetting(was)}, this trainer has ${showSetting(has)}`);
    const mine = this.settings();
    if (meta.size !== mine.size) {
      throw new StateError(
        `${fn}: checkpoint in ${dir} was written with size ${meta.size} (pruner "${meta.prunerName}"), this trainer has ${mine.size} (pruner "${mine.prunerName}")`,
      );
    }
    if (meta.prunerName !== mine.prunerName) {
      throw new StateError(`${fn}: checkpoint in ${dir} was written with pruner "${meta.prunerName}", this trainer has "${mine.prunerName}"`);
    }
    for (const key of ['epochs', 'batchSize', 'seed', 'dropLast', 'directions', 'learningRate'] as const) {
      // Absent from checkpoints of earlier versions: not compared.
      if (meta[key] !== undefined && meta[key] !== mine[key]) throw mismatch(key, meta[key], mine[key]);
    }
    if (meta.optimizer !== mine.optimizer) {
      throw new StateError(`${fn}: checkpoint in ${dir} was written with optimizer ${meta.optimizer}, this trainer has ${mine.optimizer}`);
    }
    if (meta.optimizerConfig !== undefined && mine.optimizerConfig !== undefined) {
      const keys = new Set([...Object.keys(meta.optimizerConfig), ...Object.keys(mine.optimizerConfig)]);
      // A learningRate option or schedule overrides the optimizer's own rate before every step.
      if (this.options.learningRate !== undefined) keys.delete('learningRate');
      for (const key of keys) {
        const was = meta.optimizerConfig[key];
        const has = mine.optimizerConfig[key];
        if (JSON.stringify(was) !== JSON.stringify(has)) throw mismatch(`optimizer ${key}`, was, has);
      }
    }
    if (saved.variables.length !== this.variables.length) {
      throw new StateError(`${fn}: checkpoint in ${dir} holds ${saved.variables.length} variables, this trainer has ${this.variables.length}`);
    }
    saved.variables.forEach((s, i) => {
      const v = this.variables[i]!;
      if (!tf.util.arraysEqual(s.shape as number[], v.shape) || s.dtype !== v.dtype) {
        throw new StateError(
          `${fn}: variable ${i} (${v.name}) has shape [${v.shape.join(', ')}] ${v.dtype}, the checkpoint's has [${s.shape.join(', ')}] ${s.dtype}`,
        );
      }
    });
    this.checkOptimizerState(fn, dir, saved);
    try {
      pruner.loadState(saved.pruner);
    } catch (cause) {
      throw new StateError(
        `${fn}: checkpoint in ${dir} holds a pruner state this pruner refuses: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    tf.tidy(() => {
      saved.variables.forEach((s, i) => this.variables[i]!.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
    });
    // setWeights() makes new slot variables and drops the old ones without disposing them.
    const old = await optimizer.getWeights();
    const weights = saved.optimizerWeights.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, [...s.shape], s.dtype) }));
    try {
      await optimizer.setWeights(weights);
    } finally {
      tf.dispose(weights.map((w) => w.tensor));
      const now = await optimizer.getWeights();
      const live = new Set<tf.Tensor>(now.map((w) => w.tensor));
      for (const w of old) if (!(w.tensor instanceof tf.Variable) || !live.has(w.tensor)) w.tensor.dispose();
      for (const w of now) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
    const fields = optimizer as unknown as Record<string, unknown>;
    for (const s of saved.optimizerFields) {
      const target = fields[s.name];
      if (target instanceof tf.Variable && tf.util.arraysEqual(target.shape, s.shape as number[])) {
        tf.tidy(() => target.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
      }
    }
    this.rng.setState(saved.rng);
    this.epochIndex = meta.epoch;
    this.samplesSeen = meta.samplesSeen;
    this.steps = meta.step;
    return meta.epoch;
  }

  /**
   * The optimizer state of a stock tfjs optimizer is the iteration count and
   * then slots of the trainable variables' shapes, in their order: anything
   * else would restore into variables of other shapes and fail (or worse,
   * broadcast) at the next step.
   */
  private checkOptimizerState(fn: string, dir: string, saved: CheckpointData): void {
    if (!STOCK_OPTIMIZERS.includes(this.options.optimizer.getClassName())) return;
    const list = saved.optimizerWeights;
    if (list.length === 0) return;
    if (list[0]!.shape.length !== 0) {
      throw new StateError(`${fn}: checkpoint in ${dir} holds optimizer state whose first tensor (${list[0]!.name}) is not the iteration count`);
    }
    const slots = list.slice(1);
    const t = this.trainable.length;
    if (slots.length % t !== 0) {
      throw new StateError(
        `${fn}: checkpoint in ${dir} holds ${slots.length} optimizer slots, not a multiple of this trainer's ${t} trainable variables`,
      );
    }
    slots.forEach((s, j) => {
      const v = this.trainable[j % t]!;
      if (!tf.util.arraysEqual(s.shape as number[], v.shape)) {
        throw new StateError(
          `${fn}: checkpoint in ${dir} holds optimizer slot ${j} (${s.name}) of shape [${s.shape.join(', ')}], this trainer's trainable variable ${j % t} (${v.name}) has [${v.shape.join(', ')}]`,
        );
      }
    });
  }

  /**
   * Train to the last epoch: from the checkpoint in `checkpointDir` if there
   * is one (and `resume` is not false), else from epoch 0.
   *
   * With a `checkpointDir`, the directory is locked for the whole call (a
   * lock file naming this process, {@link CHECKPOINT_LOCK_FILE}): a second
   * trainer on it, in this process or another, is refused with a
   * CheckpointLockError. The lock is released when the call ends — normally,
   * by {@link stop} or by an error; a process killed outright leaves it, and
   * the next run on this host takes it over once that process is gone.
   *
   * @returns the reports of the epochs run, where training resumed, whether it was stopped.
   * @throws whatever the model, loss, data source or pruner throws (the last
   *   checkpoint stays intact, and no tensor is left behind); StateError if
   *   the checkpoint does not fit this trainer (naming the setting and both
   *   values); CheckpointLockError if another run holds `checkpointDir`;
   *   CallOrderError if the pruner is out of step.
   */
  async fit(): Promise<TrainResult> {
    const fn = 'Trainer.fit()';
    if (this.running) throw new SetaError(`${fn}: already running`);
    this.running = true;
    this.stopRequested = false;
    const dir = this.options.checkpointDir;
    try {
      if (dir !== undefined) this.lock = await lockCheckpointDir(dir, fn);
      let resumedFrom: number | null = null;
      if (dir !== undefined && (this.options.resume ?? true)) {
        resumedFrom = await this.restore(dir, fn);
      }
      const reports: EpochReport[] = [];
      while (this.epochIndex < this.epochs) {
        reports.push(await this.runEpoch());
        if (this.stopRequested) break;
      }
      return { epochs: reports, resumedFrom, stopped: this.stopRequested && this.epochIndex < this.epochs };
    } finally {
      const lock = this.lock;
      this.lock = null;
      this.running = false;
      await lock?.release();
    }
  }

  private async runEpoch(): Promise<EpochReport> {
    const o = this.options;
    const { pruner, optimizer, data } = o;
    const epoch = this.epochIndex;
    const start = now();
    let planMs = 0;
    let gatherMs = 0;
    let stepMs = 0;
    let readbackMs = 0;
    let observeMs = 0;

    let t = now();
    const plan: EpochPlan = pruner.plan(epoch);
    const batches = countBatches(plan.indices.length, this.batchSize, { dropLast: o.dropLast ?? false });
    planMs += now() - t;

    const bar = this.makeBar(plan.indices.length, epoch, 1 - plan.indices.length / pruner.size);
    const sumSign = o.directions === 'sum';
    let lossSum = 0;
    let lossCount = 0;
    let visited = 0;
    let lr = getLearningRate(optimizer);
    try {
      for (const b of batchPlan(plan, this.batchSize, { dropLast: o.dropLast ?? false })) {
        const ids = b.indices;
        const n = ids.length;
        const progress = this.progress(plan.indices.length, visited);
        if (this.schedule !== null) {
          const next = this.schedule(progress);
          if (typeof next !== 'number' || !Number.isFinite(next) || next < 0) {
            throw new RangeError(`Trainer.fit(): the learningRate schedule must return a finite number ≥ 0, got ${describeValue(next)}`);
          }
          if (next !== lr) {
            setLearningRate(optimizer, next);
            lr = next;
          }
        }

        t = now();
        const batch = await data.batch(ids, { epoch, rng: this.rng });
        gatherMs += now() - t;
        if (batch === null || typeof batch !== 'object' || !isTensors(batch.xs) || (batch.ys !== undefined && !isTensors(batch.ys))) {
          tf.dispose(batch as unknown as tf.TensorContainer);
          const which = batch !== null && typeof batch === 'object' && isTensors(batch.xs) ? 'ys' : 'xs';
          const got = batch === null || typeof batch !== 'object' ? batch : (batch as unknown as Record<string, unknown>)[which];
          throw new TypeError(
            `Trainer.fit(): data.batch() must return { xs, ys? } with ${which} a tensor, an array or an object of tensors, got ${
              batch === null || typeof batch !== 'object' ? describeValue(batch) : `${which} ${describeValue(got)}`
            }`,
          );
        }

        t = now();
        let lossA: tf.Tensor1D | null = null;
        let lossB: tf.Tensor1D | null = null;
        let meanPerSample: tf.Scalar | null = null;
        let cost: tf.Scalar | null = null;
        let weights: tf.Tensor1D | null = null;
        try {
          weights = b.weights === null ? null : tf.tensor1d(b.weights, 'float32');
          // optimizer.minimize() without its leak: when f throws, tfjs-core
          // leaves the tensors its gradient tape saved undisposed. So f catches
          // whatever the model or loss throws and returns a zero that depends on
          // a variable, the tape completes and frees them, and nothing is applied.
          let failure: { error: unknown } | null = null;
          const { value, grads } = optimizer.computeGradients(() => {
            try {
              const out = this.forward(batch.xs);
              const result = o.loss(out, batch.ys, { ids, epoch });
              const pair = Array.isArray(result) ? (result as readonly [tf.Tensor1D, tf.Tensor1D]) : null;
              const a = pair ? pair[0] : (result as tf.Tensor1D);
              const bb = pair ? pair[1] : null;
              for (const [name, l] of [['loss', a], ['second loss', bb]] as const) {
                if (l === null) continue;
                if (!(l instanceof tf.Tensor) || l.rank !== 1 || l.shape[0] !== n) {
                  throw new TypeError(
                    `Trainer: ${name} must return one value per sample, a tensor of shape [${n}], got ${
                      l instanceof tf.Tensor ? `shape [${l.shape.join(', ')}]` : describeValue(l)
                    }`,
                  );
                }
              }
              lossA = tf.keep(a);
              if (bb !== null) lossB = tf.keep(bb);
              const perSample = bb === null ? a : sumSign ? tf.add(a, bb) : tf.mul(tf.add(a, bb), 0.5);
              meanPerSample = tf.keep(tf.mean(perSample)) as tf.Scalar;
              return tf.mean(weights === null ? perSample : tf.mul(perSample, weights)) as tf.Scalar;
            } catch (error) {
              failure = { error };
              return tf.mul(tf.sum(this.trainable[0]!), 0) as tf.Scalar;
            }
          }, this.trainable);
          cost = value;
          try {
            if (failure !== null) throw (failure as { error: unknown }).error;
            // As minimize() does: gradients in the order of the variable list, which fixes the order of the optimizer's slots.
            optimizer.applyGradients(this.trainable.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
          } finally {
            tf.dispose(Object.values(grads));
          }
          stepMs += now() - t;

          t = now();
          const lossesA = await (lossA as tf.Tensor1D | null)!.data();
          const lossesB = lossB === null ? undefined : await (lossB as tf.Tensor1D).data();
          const batchLoss = (await cost!.data())[0]!;
          const batchMean = (await (meanPerSample as tf.Scalar | null)!.data())[0]!;
          readbackMs += now() - t;

          t = now();
          pruner.observe(ids, lossesA, lossesB);
          observeMs += now() - t;

          visited += n;
          this.samplesSeen += n;
          this.steps += 1;
          lossSum += batchLoss * n;
          lossCount += n;
          if (o.afterStep) o.afterStep(this.progress(plan.indices.length, visited));
          const elapsed = now() - start;
          const speed = (visited / elapsed) * 1000;
          bar?.update(visited, { loss: batchLoss.toFixed(4), speed: speed.toFixed(0) });
          if (o.onBatchEnd) {
            await o.onBatchEnd({
              epoch,
              phase: plan.phase,
              prunedRatio: 1 - plan.indices.length / pruner.size,
              batch: b.batch,
              batches,
              size: n,
              loss: batchLoss,
              meanLoss: batchMean,
              learningRate: lr,
              visited,
              samplesPerSecond: speed,
              elapsedMs: elapsed,
            });
          }
        } finally {
          t = now();
          for (const x of [lossA, lossB, meanPerSample, cost, weights] as (tf.Tensor | null)[]) x?.dispose();
          tf.dispose(batch as unknown as tf.TensorContainer);
          readbackMs += now() - t;
        }
      }
    } finally {
      bar?.stop();
    }

    t = now();
    const summary = pruner.endEpoch();
    observeMs += now() - t;
    this.epochIndex = epoch + 1;

    let checkpointMs = 0;
    let saved = false;
    if (
      o.checkpointDir !== undefined &&
      (this.epochIndex % this.checkpointEvery === 0 || this.epochIndex === this.epochs || this.stopRequested)
    ) {
      t = now();
      await this.saveCheckpoint();
      checkpointMs = now() - t;
      saved = true;
    }
    const wall = now() - start;
    const report: EpochReport = {
      epoch,
      phase: summary.phase,
      visited: summary.visited,
      prunedRatio: summary.prunedRatio,
      savedRatioSoFar: summary.savedRatioSoFar,
      loss: lossCount === 0 ? Number.NaN : lossSum / lossCount,
      summary,
      batches,
      learningRate: lr,
      samplesPerSecond: wall === 0 ? 0 : (visited / wall) * 1000,
      wallTimeMs: wall,
      timings: {
        planMs,
        gatherMs,
        stepMs,
        readbackMs,
        observeMs,
        checkpointMs,
        loopMs: planMs + gatherMs + readbackMs + observeMs,
      },
    };
    if (o.onEpochEnd) await o.onEpochEnd(report);
    // stop() from the callback itself: save this epoch before the run ends.
    if (this.stopRequested && !saved && o.checkpointDir !== undefined) await this.saveCheckpoint();
    return report;
  }

  private makeBar(total: number, epoch: number, pruned: number): cliProgress.SingleBar | null {
    const want = this.options.progress ?? 'auto';
    const show = want === 'auto' ? process.stderr.isTTY === true : want;
    if (!show) return null;
    const bar = new cliProgress.SingleBar(
      {
        format: `epoch ${epoch + 1}/${this.epochs} |{bar}| {value}/{total} (${(100 * pruned).toFixed(1)} % pruned) | loss {loss} | {speed} samples/s | {duration_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        // Forced on a non-terminal (a log file): a line at the start and the end of each epoch.
        noTTYOutput: want === true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', speed: '-' });
    return bar;
  }
}

/**
 * Run a {@link Trainer} to its last epoch: `new Trainer(options).fit()`.
 *
 * @example
 * ```ts
 * const { epochs } = await train({ model, optimizer, pruner, data, loss, epochs: 5, batchSize: 64 });
 * ```
 */
export function train(options: TrainerOptions): Promise<TrainResult> {
  return new Trainer(options).fit();
}
