import * as tf from '@tensorflow/tfjs-core';
import cliProgress from 'cli-progress';
import {
  Random,
  SetaError,
  StateError,
  batchPlan,
  checkInteger,
  checkOneOf,
  checkOptions,
  countBatches,
  describeValue,
} from '@seta/core';
import type { EpochPlan, EpochSummary, Phase, Pruner } from '@seta/core';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { CheckpointData, SavedTensor } from './checkpoint.js';
import { registerGradients } from './register-kernels.js';
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
  /** Directory to checkpoint to after every `checkpointEvery` epochs (and to resume from). */
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

  /**
   * @throws TypeError / RangeError naming the option for bad options (a
   *   pruner and data source of different sizes, a function model without
   *   `variables`, …).
   */
  constructor(options: TrainerOptions) {
    const fn = 'Trainer()';
    checkOptions(fn, options);
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
    if (options.checkpointDir !== undefined && typeof options.checkpointDir !== 'string') {
      throw new TypeError(`${fn}: checkpointDir must be a string, got ${describeValue(options.checkpointDir)}`);
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

  /**
   * Save model variables, optimizer state, pruner state, loop counters and
   * generator state to `dir` (default `checkpointDir`), atomically. Called
   * by {@link fit} after epochs; call it yourself between epochs only.
   */
  async saveCheckpoint(dir: string | undefined = this.options.checkpointDir): Promise<void> {
    if (dir === undefined) throw new TypeError('Trainer.saveCheckpoint(): dir must be a string, got undefined');
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
        epoch: this.epochIndex,
        samplesSeen: this.samplesSeen,
        step: this.steps,
        epochs: this.epochs,
        batchSize: this.batchSize,
        prunerName: pruner.name,
        size: pruner.size,
        optimizer: optimizer.getClassName(),
        backend: tf.getBackend(),
        savedAt: new Date().toISOString(),
      },
      rng: this.rng.getState(),
      pruner: pruner.saveState(),
      variables,
      optimizerWeights,
      optimizerFields,
    };
    await writeCheckpoint(dir, data);
  }

  /**
   * Restore the state {@link saveCheckpoint} wrote into this trainer's model,
   * optimizer (which must be fresh: no step taken), pruner and loop.
   *
   * @returns the epoch training continues at, or null if `dir` holds no checkpoint.
   * @throws StateError if the checkpoint does not fit this trainer (other
   *   variables, pruner, optimizer or dataset size) or is corrupted.
   */
  async restoreCheckpoint(dir: string | undefined = this.options.checkpointDir): Promise<number | null> {
    const fn = 'Trainer.restoreCheckpoint()';
    if (dir === undefined) throw new TypeError(`${fn}: dir must be a string, got undefined`);
    const saved = await readCheckpoint(dir);
    if (saved === null) return null;
    const { optimizer, pruner } = this.options;
    const { meta } = saved;
    if (meta.size !== pruner.size || meta.prunerName !== pruner.name) {
      throw new StateError(
        `${fn}: checkpoint is of pruner "${meta.prunerName}" over ${meta.size} samples, this trainer has "${pruner.name}" over ${pruner.size}`,
      );
    }
    if (meta.optimizer !== optimizer.getClassName()) {
      throw new StateError(`${fn}: checkpoint holds ${meta.optimizer} optimizer state, this trainer has ${optimizer.getClassName()}`);
    }
    if (saved.variables.length !== this.variables.length) {
      throw new StateError(`${fn}: checkpoint holds ${saved.variables.length} variables, this trainer has ${this.variables.length}`);
    }
    saved.variables.forEach((s, i) => {
      const v = this.variables[i]!;
      if (!tf.util.arraysEqual(s.shape as number[], v.shape) || s.dtype !== v.dtype) {
        throw new StateError(
          `${fn}: variable ${i} (${v.name}) has shape [${v.shape.join(', ')}] ${v.dtype}, the checkpoint's has [${s.shape.join(', ')}] ${s.dtype}`,
        );
      }
    });
    pruner.loadState(saved.pruner);
    tf.tidy(() => {
      saved.variables.forEach((s, i) => this.variables[i]!.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
    });
    const weights = saved.optimizerWeights.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, [...s.shape], s.dtype) }));
    try {
      await optimizer.setWeights(weights);
    } finally {
      tf.dispose(weights.map((w) => w.tensor));
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
   * Train to the last epoch: from the checkpoint in `checkpointDir` if there
   * is one (and `resume` is not false), else from epoch 0.
   *
   * @returns the reports of the epochs run, where training resumed, whether it was stopped.
   * @throws whatever the model, loss, data source or pruner throws (the last
   *   checkpoint stays intact); CallOrderError if the pruner is out of step.
   */
  async fit(): Promise<TrainResult> {
    if (this.running) throw new SetaError('Trainer.fit(): already running');
    this.running = true;
    this.stopRequested = false;
    try {
      let resumedFrom: number | null = null;
      if (this.options.checkpointDir !== undefined && (this.options.resume ?? true)) {
        resumedFrom = await this.restoreCheckpoint();
      }
      const reports: EpochReport[] = [];
      while (this.epochIndex < this.epochs) {
        reports.push(await this.runEpoch());
        if (this.stopRequested) break;
      }
      return { epochs: reports, resumedFrom, stopped: this.stopRequested && this.epochIndex < this.epochs };
    } finally {
      this.running = false;
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
          if (!Number.isFinite(next) || next < 0) {
            throw new RangeError(`Trainer: the learning-rate schedule must return a finite number ≥ 0, got ${describeValue(next)}`);
          }
          if (next !== lr) {
            setLearningRate(optimizer, next);
            lr = next;
          }
        }

        t = now();
        const batch = await data.batch(ids, { epoch, rng: this.rng });
        gatherMs += now() - t;

        t = now();
        let lossA: tf.Tensor1D | null = null;
        let lossB: tf.Tensor1D | null = null;
        let meanPerSample: tf.Scalar | null = null;
        let cost: tf.Scalar | null = null;
        let weights: tf.Tensor1D | null = null;
        try {
          weights = b.weights === null ? null : tf.tensor1d(b.weights, 'float32');
          cost = optimizer.minimize(
            () => {
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
            },
            true,
            this.trainable,
          );
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
