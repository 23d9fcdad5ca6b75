import { Random, SetaError, describeValue } from '@seta/core';
import { registerGradients } from '@seta/tfjs-wasm-training';
import { callbackListener } from './callbacks.js';
import type { EpochListener } from './callbacks.js';
import { isCheckpointStore } from './checkpoint-store.js';
import type { CheckpointStore, CheckpointStoreLock } from './checkpoint-store.js';
import { captureRun, optimizerConfig, restoreRun } from './checkpoint-state.js';
import type { RunState } from './checkpoint-state.js';
import { runEpoch } from './epoch-loop.js';
import type { EpochSetup, LoopCounters } from './epoch-loop.js';
import { trainableModel } from './model.js';
import { checkpointDirStore, defaultProgress } from './platform.js';
import type { EpochReport, TrainResult } from './reports.js';
import { checkTrainerOptions } from './trainer-options.js';
import type { CheckedTrainerOptions, TrainerOptions } from './trainer-options.js';

/**
 * The epoch loop of a dynamic data-pruning run with TensorFlow.js. Each epoch
 * it asks the pruner for the plan, batches it (`batchPlan` of `@seta/core`),
 * gathers each batch from the data source, computes the per-sample losses,
 * trains on `mean_i(w_i · loss_i)` with the plan's weights, reports the
 * losses to the pruner (both directions for contrastive tasks), and closes
 * the epoch — then checkpoints atomically, so a killed run resumes with the
 * same plans and, on a deterministic backend, the same weights.
 *
 * Building a trainer only checks and keeps its options: it changes nothing
 * outside itself. {@link Trainer.fit} is where TensorFlow.js's global state
 * is touched (see there).
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
  private readonly checked: CheckedTrainerOptions;
  /** What every epoch runs with; `listeners` first the progress bar, then the user's callbacks. */
  private readonly setup: EpochSetup;
  /** What a checkpoint captures; shares `counters` and `rng` with the loop. */
  private readonly run: RunState;
  private readonly counters: LoopCounters = { epoch: 0, samplesSeen: 0, steps: 0 };
  private stopRequested = false;
  private running = false;
  /** Where `checkpointDir` or `checkpoint` says to checkpoint; null: nowhere. */
  private readonly store: CheckpointStore | null;
  /** The store {@link fit} holds locked while it runs, and its lock. */
  private lock: { readonly store: CheckpointStore; readonly lock: CheckpointStoreLock } | null = null;

  /**
   * @throws TypeError / RangeError naming the option for bad options (a
   *   pruner and data source of different sizes, a function model without
   *   `variables`, …).
   */
  constructor(options: TrainerOptions) {
    const fn = 'Trainer()';
    const checked = checkTrainerOptions(fn, options);
    const model = trainableModel(fn, options.model, options.variables, options.extraVariables);
    const { optimizer, pruner } = options;
    const rng = new Random(checked.seed);
    const progress = typeof checked.progress === 'object' ? checked.progress : defaultProgress(checked.progress);
    const listeners = [progress, callbackListener(options)].filter((l): l is EpochListener => l !== null);
    this.options = options;
    this.checked = checked;
    this.store = options.checkpoint ?? (options.checkpointDir === undefined ? null : checkpointDirStore(options.checkpointDir, fn));
    this.setup = {
      model,
      optimizer,
      loss: options.loss,
      directions: checked.directions,
      pruner,
      data: options.data,
      epochs: checked.epochs,
      batchSize: checked.batchSize,
      dropLast: checked.dropLast,
      schedule: checked.schedule,
      rng,
      afterStep: options.afterStep,
      listeners,
    };
    // Taken now, before a schedule changes the optimizer's rate.
    const config = optimizerConfig(optimizer);
    const lr = options.learningRate;
    this.run = {
      model,
      optimizer,
      pruner,
      rng,
      counters: this.counters,
      overridesRate: lr !== undefined,
      settings: {
        size: pruner.size,
        prunerName: pruner.name,
        epochs: checked.epochs,
        batchSize: checked.batchSize,
        seed: checked.seed,
        dropLast: checked.dropLast,
        directions: checked.directions,
        learningRate: lr === undefined ? null : typeof lr === 'function' ? 'schedule' : lr,
        optimizer: optimizer.getClassName(),
        ...(config === null ? {} : { optimizerConfig: config }),
      },
    };
  }

  /** The next epoch to train (epochs finished so far). */
  get epoch(): number {
    return this.counters.epoch;
  }

  /** Ask the running {@link fit} to stop after the current epoch (and its checkpoint). */
  stop(): void {
    this.stopRequested = true;
  }

  /** A directory (Node) or a store, as the store it means. */
  private storeOf(where: string | CheckpointStore | null | undefined, fn: string): CheckpointStore {
    if (isCheckpointStore(where)) return where;
    if (typeof where !== 'string' || where === '') {
      throw new TypeError(`${fn}: dir must be a non-empty string or a CheckpointStore, got ${describeValue(where)}`);
    }
    return checkpointDirStore(where, fn);
  }

  /**
   * Run `body` holding the lock of `store`: the lock {@link fit} holds if it
   * is that store (or another object for the same directory), else one taken
   * for the call.
   */
  private async withLock<T>(store: CheckpointStore, fn: string, body: () => Promise<T>): Promise<T> {
    const held = this.lock?.store;
    if (held !== undefined && (held === store || held.sameAs?.(store) === true)) return body();
    const lock = await store.lock(fn);
    try {
      return await body();
    } finally {
      await lock.release();
    }
  }

  /**
   * Save model variables, optimizer state, pruner state, loop counters,
   * generator state and the run's settings to `dir` — a directory (Node) or
   * a {@link CheckpointStore}; default: the trainer's `checkpointDir` or
   * `checkpoint` — atomically, holding its lock. Called by {@link fit} after
   * epochs; call it yourself between epochs only.
   *
   * @throws CheckpointLockError if another run holds `dir`.
   */
  async saveCheckpoint(dir: string | CheckpointStore | undefined = this.store ?? undefined): Promise<void> {
    const fn = 'Trainer.saveCheckpoint()';
    const store = this.storeOf(dir, fn);
    const data = await captureRun(this.run);
    await this.withLock(store, fn, () => store.save(data));
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
  async restoreCheckpoint(dir: string | CheckpointStore | undefined = this.store ?? undefined): Promise<number | null> {
    const fn = 'Trainer.restoreCheckpoint()';
    const store = this.storeOf(dir, fn);
    return this.withLock(store, fn, () => this.restore(store, fn));
  }

  private async restore(store: CheckpointStore, fn: string): Promise<number | null> {
    const saved = await store.load();
    return saved === null ? null : restoreRun(this.run, saved, fn, store.location);
  }

  /**
   * Train to the last epoch: from the checkpoint in `checkpointDir` (or the
   * `checkpoint` store) if there is one (and `resume` is not false), else
   * from epoch 0.
   *
   * Before anything else it registers the TensorFlow.js gradient functions
   * that are missing (`registerGradients()`): tfjs-core's CommonJS entry,
   * which Node loads, registers none, and training must work however
   * TensorFlow.js was imported. That is a change to tfjs-core's global
   * gradient registry; it adds what is missing and never replaces a
   * registered gradient.
   *
   * With a `checkpointDir`, the directory is locked for the whole call (a
   * lock file naming this process, `CHECKPOINT_LOCK_FILE`; a `checkpoint`
   * store is locked its own way): a second
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
    const store = this.store;
    try {
      registerGradients();
      if (store !== null) this.lock = { store, lock: await store.lock(fn) };
      let resumedFrom: number | null = null;
      if (store !== null && (this.options.resume ?? true)) {
        resumedFrom = await this.restore(store, fn);
      }
      const reports: EpochReport[] = [];
      while (this.counters.epoch < this.checked.epochs) {
        reports.push(await this.trainEpoch());
        if (this.stopRequested) break;
      }
      return { epochs: reports, resumedFrom, stopped: this.stopRequested && this.counters.epoch < this.checked.epochs };
    } finally {
      const lock = this.lock;
      this.lock = null;
      this.running = false;
      await lock?.lock.release();
    }
  }

  /** One epoch, then its checkpoint when one is due, then the epoch-end listeners. */
  private async trainEpoch(): Promise<EpochReport> {
    const { checkpointEvery, epochs } = this.checked;
    const checkpointing = this.store !== null;
    const outcome = await runEpoch(this.setup, this.counters);
    const { summary, timer } = outcome;
    const finished = this.counters.epoch;
    let saved = false;
    if (checkpointing && (finished % checkpointEvery === 0 || finished === epochs || this.stopRequested)) {
      await timer.timeAsync('checkpoint', () => this.saveCheckpoint());
      saved = true;
    }
    const wall = timer.elapsed();
    const report: EpochReport = {
      epoch: outcome.epoch,
      phase: summary.phase,
      visited: summary.visited,
      prunedRatio: summary.prunedRatio,
      savedRatioSoFar: summary.savedRatioSoFar,
      loss: outcome.loss,
      summary,
      batches: outcome.batches,
      learningRate: outcome.learningRate,
      samplesPerSecond: wall === 0 ? 0 : (outcome.visited / wall) * 1000,
      wallTimeMs: wall,
      timings: timer.timings(),
    };
    for (const l of this.setup.listeners) await l.epochEnd?.(report);
    // stop() from the callback itself: save this epoch before the run ends.
    if (this.stopRequested && !saved && checkpointing) await this.saveCheckpoint();
    return report;
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
