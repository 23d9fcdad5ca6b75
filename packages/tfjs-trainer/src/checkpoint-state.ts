import * as tf from '@tensorflow/tfjs-core';
import { SetaError, StateError } from '@seta/core';
import type { Pruner, Random } from '@seta/core';
import type { CheckpointData, CheckpointMeta, SavedTensor } from './checkpoint-format.js';
import type { LoopCounters } from './epoch-loop.js';
import type { TrainableModel } from './model.js';

/*
 * What a checkpoint captures of a run and how it is put back, apart from where
 * checkpoints are stored (checkpoint.ts writes them to files, which only Node
 * can do): nothing here needs Node.
 */

/** The settings a checkpoint records and a resume must match. */
export type RunSettings = Pick<
  CheckpointMeta,
  'size' | 'prunerName' | 'epochs' | 'batchSize' | 'seed' | 'dropLast' | 'directions' | 'learningRate' | 'optimizer'
> & { optimizerConfig?: { readonly [key: string]: unknown } };

/** The parts of a run a checkpoint holds, all owned by the trainer. */
export interface RunState {
  readonly model: TrainableModel;
  readonly optimizer: tf.Optimizer;
  readonly pruner: Pruner;
  readonly rng: Random;
  readonly counters: LoopCounters;
  readonly settings: RunSettings;
  /** A learningRate option or schedule sets the optimizer's rate before every step, so its own is not compared. */
  readonly overridesRate: boolean;
}

/** tfjs-core's optimizers, whose `getWeights()` is the iteration count then per-variable slots in variable order. */
const STOCK_OPTIMIZERS = ['Adam', 'Adamax', 'Adagrad', 'Adadelta', 'RMSProp', 'Momentum', 'SGD'];

/**
 * `optimizer.getConfig()` as plain JSON, for comparing hyper-parameters on
 * resume; null for an optimizer without a serialisable config (then they are
 * not compared). Take it before a schedule changes the rate.
 */
export function optimizerConfig(optimizer: tf.Optimizer): { readonly [key: string]: unknown } | null {
  try {
    return JSON.parse(JSON.stringify(optimizer.getConfig())) as { [key: string]: unknown };
  } catch {
    return null;
  }
}

async function saveTensor(name: string, t: tf.Tensor): Promise<SavedTensor> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw new SetaError(`Trainer: cannot checkpoint ${name} of dtype ${t.dtype} (only float32 and int32)`);
  }
  const data = await t.data();
  const values = t.dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
  return { name, shape: [...t.shape], dtype: t.dtype, values };
}

/** A setting's value in a mismatch message. */
function showSetting(value: unknown): string {
  if (value === 'schedule') return 'a schedule';
  if (value === null) return "the optimizer's own";
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Copy the run's state out of the backend: model variables, optimizer state,
 * pruner state, loop counters, generator state and settings. O(parameters).
 *
 * @throws SetaError for a variable of a dtype checkpoints cannot hold.
 */
export async function captureRun(run: RunState): Promise<CheckpointData> {
  const { model, optimizer, pruner, counters } = run;
  const variables = await Promise.all(model.variables.map((v, i) => saveTensor(`variable ${i} (${v.name})`, v)));
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
  return {
    meta: {
      ...run.settings,
      epoch: counters.epoch,
      samplesSeen: counters.samplesSeen,
      step: counters.steps,
      backend: tf.getBackend(),
      savedAt: new Date().toISOString(),
    },
    rng: run.rng.getState(),
    pruner: pruner.saveState(),
    variables,
    optimizerWeights,
    optimizerFields,
  };
}

/** Refuse a checkpoint written with other settings, naming the first that differs and both values. */
function checkSettings(run: RunState, meta: CheckpointMeta, where: string): void {
  const mine = run.settings;
  const mismatch = (name: string, was: unknown, has: unknown): StateError =>
    new StateError(`${where} was written with ${name} ${showSetting(was)}, this trainer has ${showSetting(has)}`);
  if (meta.size !== mine.size) {
    throw new StateError(
      `${where} was written with size ${meta.size} (pruner "${meta.prunerName}"), this trainer has ${mine.size} (pruner "${mine.prunerName}")`,
    );
  }
  if (meta.prunerName !== mine.prunerName) {
    throw new StateError(`${where} was written with pruner "${meta.prunerName}", this trainer has "${mine.prunerName}"`);
  }
  for (const key of ['epochs', 'batchSize', 'seed', 'dropLast', 'directions', 'learningRate'] as const) {
    // Absent from checkpoints of earlier versions: not compared.
    if (meta[key] !== undefined && meta[key] !== mine[key]) throw mismatch(key, meta[key], mine[key]);
  }
  if (meta.optimizer !== mine.optimizer) {
    throw new StateError(`${where} was written with optimizer ${meta.optimizer}, this trainer has ${mine.optimizer}`);
  }
  if (meta.optimizerConfig !== undefined && mine.optimizerConfig !== undefined) {
    const keys = new Set([...Object.keys(meta.optimizerConfig), ...Object.keys(mine.optimizerConfig)]);
    if (run.overridesRate) keys.delete('learningRate');
    for (const key of keys) {
      const was = meta.optimizerConfig[key];
      const has = mine.optimizerConfig[key];
      if (JSON.stringify(was) !== JSON.stringify(has)) throw mismatch(`optimizer ${key}`, was, has);
    }
  }
}

/** Refuse variables of another number, shape or dtype than the model's. */
function checkVariables(run: RunState, saved: CheckpointData, fn: string, where: string): void {
  const mine = run.model.variables;
  if (saved.variables.length !== mine.length) {
    throw new StateError(`${where} holds ${saved.variables.length} variables, this trainer has ${mine.length}`);
  }
  saved.variables.forEach((s, i) => {
    const v = mine[i]!;
    if (!tf.util.arraysEqual(s.shape as number[], v.shape) || s.dtype !== v.dtype) {
      throw new StateError(
        `${fn}: variable ${i} (${v.name}) has shape [${v.shape.join(', ')}] ${v.dtype}, the checkpoint's has [${s.shape.join(', ')}] ${s.dtype}`,
      );
    }
  });
}

/**
 * The optimizer state of a stock tfjs optimizer is the iteration count and
 * then slots of the trainable variables' shapes, in their order: anything
 * else would restore into variables of other shapes and fail (or worse,
 * broadcast) at the next step.
 */
function checkOptimizerState(run: RunState, saved: CheckpointData, where: string): void {
  if (!STOCK_OPTIMIZERS.includes(run.optimizer.getClassName())) return;
  const list = saved.optimizerWeights;
  if (list.length === 0) return;
  if (list[0]!.shape.length !== 0) {
    throw new StateError(`${where} holds optimizer state whose first tensor (${list[0]!.name}) is not the iteration count`);
  }
  const slots = list.slice(1);
  const trainable = run.model.trainable;
  const t = trainable.length;
  if (slots.length % t !== 0) {
    throw new StateError(`${where} holds ${slots.length} optimizer slots, not a multiple of this trainer's ${t} trainable variables`);
  }
  slots.forEach((s, j) => {
    const v = trainable[j % t]!;
    if (!tf.util.arraysEqual(s.shape as number[], v.shape)) {
      throw new StateError(
        `${where} holds optimizer slot ${j} (${s.name}) of shape [${s.shape.join(', ')}], this trainer's trainable variable ${j % t} (${v.name}) has [${v.shape.join(', ')}]`,
      );
    }
  });
}

/** Replace the optimizer's state; setWeights() makes new slot variables and drops the old ones without disposing them. */
async function restoreOptimizer(optimizer: tf.Optimizer, saved: CheckpointData): Promise<void> {
  const old = await optimizer.getWeights();
  const weights = saved.optimizerWeights.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, [...s.shape], s.dtype) }));
  try {
    await optimizer.setWeights(weights);
  } finally {
    tf.dispose(weights.map((w) => w.tensor));
    const current = await optimizer.getWeights();
    const live = new Set<tf.Tensor>(current.map((w) => w.tensor));
    for (const w of old) if (!(w.tensor instanceof tf.Variable) || !live.has(w.tensor)) w.tensor.dispose();
    for (const w of current) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
  const fields = optimizer as unknown as Record<string, unknown>;
  for (const s of saved.optimizerFields) {
    const target = fields[s.name];
    if (target instanceof tf.Variable && tf.util.arraysEqual(target.shape, s.shape as number[])) {
      tf.tidy(() => target.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
    }
  }
}

/**
 * Put a checkpoint's state back into the run. Everything is checked before
 * anything changes: the settings, the variables' shapes, the optimizer
 * state's shapes, then the pruner's own check of its state. O(parameters).
 *
 * @param fn - the caller, for messages (`Trainer.fit()`).
 * @param dir - where the checkpoint came from, for messages.
 * @returns the epoch training continues at.
 * @throws StateError naming the setting and both values if the checkpoint
 *   does not fit this run, or what the pruner refuses in its state.
 */
export async function restoreRun(run: RunState, saved: CheckpointData, fn: string, dir: string): Promise<number> {
  const where = `${fn}: checkpoint in ${dir}`;
  const { meta } = saved;
  checkSettings(run, meta, where);
  checkVariables(run, saved, fn, where);
  checkOptimizerState(run, saved, where);
  try {
    run.pruner.loadState(saved.pruner);
  } catch (cause) {
    throw new StateError(`${where} holds a pruner state this pruner refuses: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  tf.tidy(() => {
    saved.variables.forEach((s, i) => run.model.variables[i]!.assign(tf.tensor(s.values, [...s.shape], s.dtype)));
  });
  await restoreOptimizer(run.optimizer, saved);
  run.rng.setState(saved.rng);
  run.counters.epoch = meta.epoch;
  run.counters.samplesSeen = meta.samplesSeen;
  run.counters.steps = meta.step;
  return meta.epoch;
}
