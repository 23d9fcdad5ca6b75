import * as tf from '@tensorflow/tfjs-core';
import { Random, SetaError, describeValue } from '@seta/core';
import type { Pruner } from '@seta/core';
import { registerGradients } from '@seta/tfjs-wasm-training';
import { batchIds } from './batch-ids.js';
import type { EpochListener } from './callbacks.js';
import { runEpoch } from './epoch-loop.js';
import type { EpochSetup, LoopCounters } from './epoch-loop.js';
import { checkFitArgs } from './fit-args.js';
import type { CheckedFitArgs, FitArgs, FitDataSourceArgs, FitTensors } from './fit-args.js';
import { FitCallbacks } from './fit-callbacks.js';
import type { Logs } from './fit-callbacks.js';
import { checkPerSampleValues, compiledPerSampleLoss, meanPerSample } from './fit-losses.js';
import type { LossOrMetricFn } from './fit-losses.js';
import type { DataSource, Tensors } from './data-source.js';
import { HistoryRecorder } from './history.js';
import type { FitHistory } from './history.js';
import { trainableModel } from './model.js';
import type { LayersModelLike, PerSampleLoss } from './model.js';
import { checkPrunerAgrees, refuseStreaming } from './pruner-agreement.js';

/**
 * The part of a compiled tfjs-layers `LayersModel` that {@link fit} uses
 * (tfjs-layers stays an optional peer: any `tf.LayersModel` fits it).
 */
export interface CompiledLayersModel extends LayersModelLike {
  /** Set by `model.compile({ optimizer, … })`. */
  readonly optimizer: tf.Optimizer;
  /** What `compile` was given as `loss`: names, functions, or a map by output. */
  readonly loss: unknown;
  /** One loss function per output, as `compile` resolved them (a `tf.sequential` keeps them on its inner `model`). */
  readonly lossFunctions?: readonly LossOrMetricFn[];
  /** `['loss', …]`: the loss, then the per-output losses (several outputs), then the metrics. */
  readonly metricsNames: readonly string[];
  /** `[metric, outputIndex]` for each name of `metricsNames` after `'loss'`. */
  readonly metricsTensors: readonly (readonly [LossOrMetricFn, number])[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  stopTraining: boolean;
  evaluate(x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args?: { batchSize?: number; verbose?: number }): tf.Scalar | tf.Scalar[];
  /** The regularisation losses of the layers, added to the minimised loss as `model.fit` does. */
  calculateLosses?(): tf.Scalar[];
}

/**
 * The model that holds the compiled state: the model itself, or the inner
 * functional model a `tf.sequential` compiles and trains through.
 *
 * @throws TypeError if `model` is not a compiled layers model; SetaError if it is training.
 */
/** The compiled state of a layers model, with the flag `model.fit` sets while it trains (protected in tfjs-layers' types). */
type CompiledCore = CompiledLayersModel & { readonly lossFunctions: readonly LossOrMetricFn[]; isTraining?: boolean };

function compiledCore(fn: string, model: CompiledLayersModel): CompiledCore {
  const m = model as Partial<CompiledLayersModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.apply !== 'function' || typeof m.evaluate !== 'function') {
    throw new TypeError(`${fn}: model must be a compiled tfjs-layers model (tf.sequential, tf.model), got ${describeValue(model)}`);
  }
  const inner = (model as { model?: CompiledLayersModel }).model;
  const core = (m.lossFunctions === undefined && inner !== undefined && inner !== null ? inner : model) as CompiledCore;
  if (!(m.optimizer instanceof tf.Optimizer) || !Array.isArray(core.lossFunctions) || core.lossFunctions.length === 0) {
    throw new TypeError(`${fn}: model must be compiled first: model.compile({ optimizer, loss, metrics })`);
  }
  if (core.isTraining === true) throw new SetaError(`${fn}: the model is already training (another fit() or model.fit() is running)`);
  return core;
}

/** `x` or `y` as one tensor per model input (output), in the model's order. */
function tensorList(fn: string, name: string, value: FitTensors, names: readonly string[]): tf.Tensor[] {
  const list =
    value instanceof tf.Tensor
      ? [value]
      : Array.isArray(value)
        ? value
        : value !== null && typeof value === 'object'
          ? names.map((n) => {
              const t = (value as Record<string, tf.Tensor>)[n];
              if (t === undefined) throw new TypeError(`${fn}: ${name} has no tensor for ${JSON.stringify(n)} (it has ${Object.keys(value).join(', ')})`);
              return t;
            })
          : null;
  if (list === null || !list.every((t) => t instanceof tf.Tensor) || list.length === 0) {
    throw new TypeError(`${fn}: ${name} must be a tensor, an array of tensors or an object of tensors by name, got ${describeValue(value)}`);
  }
  if (list.length !== names.length) {
    throw new RangeError(`${fn}: ${name} must hold ${names.length} tensor(s), one per model ${name === 'y' || name.startsWith('validationData[1]') ? 'output' : 'input'}, got ${list.length}`);
  }
  return list;
}

function sampleCount(fn: string, tensors: readonly tf.Tensor[], what: string): number {
  const n = tensors[0]!.shape[0];
  tensors.forEach((t, i) => {
    if (t.rank < 1 || t.shape[0] !== n) throw new RangeError(`${fn}: ${what}[${i}] has ${t.rank < 1 ? 'no sample axis' : `${t.shape[0]} samples`}, the others ${n}`);
  });
  return n ?? 0;
}

/** A {@link DataSource} over tensors held in memory: `batch(ids)` gathers the rows (`tf.gather`, on the tensors' backend). */
function tensorDataSource(xs: readonly tf.Tensor[], ys: readonly tf.Tensor[]): DataSource {
  const one = (list: tf.Tensor[]): Tensors => (list.length === 1 ? list[0]! : list);
  return {
    size: xs[0]!.shape[0]!,
    batch(ids) {
      return tf.tidy(() => {
        const idx = tf.tensor1d(batchIds(ids), 'int32');
        return { xs: one(xs.map((x) => tf.gather(x, idx))), ys: one(ys.map((y) => tf.gather(y, idx))) };
      });
    },
  };
}

function resolvePruner(fn: string, spec: CheckedFitArgs['pruner'], size: number, epochs: number, start: number): Pruner {
  const pruner = typeof spec === 'function' ? spec({ size, epochs }) : spec;
  if (typeof (pruner as Partial<Pruner> | null)?.plan !== 'function') {
    throw new TypeError(`${fn}: the pruner factory must return a Pruner, got ${describeValue(pruner)}`);
  }
  checkPrunerAgrees(fn, pruner, size, epochs, start);
  return pruner;
}

/**
 * Train a compiled tfjs-layers model with a pruner, the way `model.fit(x,
 * y, args)` trains it: same arguments, callbacks, logs and `History`.
 * Each epoch visits the samples of the pruner's plan, in its order (instead
 * of a shuffle of all of them), minimises the plan's weighted mean of the
 * compiled loss computed per sample (plus the regularisation losses) with
 * the compiled optimizer, and feeds the per-sample losses back to the
 * pruner. With the `full` pruner every epoch visits every sample once, as
 * `model.fit` does, and the losses agree with it (tested).
 *
 * Early-stopping callbacks are consulted only at epochs of the phases in
 * `earlyStoppingPhases` (default: full-data and annealing epochs; see
 * {@link FitArgs.earlyStoppingPhases}). Other callbacks see every epoch. A
 * `stopTraining` request during an epoch ends the run after that epoch (the
 * pruner's epoch must be closed).
 *
 * Cost per step: `model.fit`'s step plus one read-back of `[B]` losses and
 * `pruner.observe`; per epoch `pruner.plan` and, with validation data,
 * `model.evaluate`.
 *
 * @param model - compiled (`model.compile({ optimizer, loss, metrics })`).
 * @param x - inputs: a tensor `[N, …]`, one per model input, or an object by input name.
 * @param y - targets, likewise by output.
 * @param args - {@link FitArgs}: `pruner` (required), `epochs`, `batchSize`, …
 * @returns the {@link FitHistory}: `history.loss`, `val_loss`, metrics, `visited`, `savedRatio` per epoch.
 * @throws TypeError naming the argument for an unknown key (suggesting the
 *   one meant), a `model.fit` argument pruning cannot honour (`shuffle:
 *   false`, `sampleWeight`, `classWeight`, `stepsPerEpoch`), a streaming
 *   dataset, a model that is not compiled, a compiled loss that reduces
 *   over the batch (at the first batch, before any update: pass
 *   `perSampleLoss`); RangeError if the pruner's `size` or `epochs` differ
 *   from the run's (naming both), before any training.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * const history = await fit(model, xs, ys, {
 *   pruner: ({ size, epochs }) => infobatch({ size, epochs }),
 *   epochs: 20, batchSize: 64, validationSplit: 0.1,
 *   callbacks: [tf.callbacks.earlyStopping({ patience: 2 })],
 * });
 * history.history.val_loss; // [0.91, 0.55, …]
 * history.history.savedRatio; // [0, 0.12, 0.16, …] of sample visits saved so far
 * ```
 */
export async function fit(model: CompiledLayersModel, x: FitTensors, y: FitTensors, args: FitArgs): Promise<FitHistory> {
  const fn = 'fit()';
  refuseStreaming(fn, 'x', x);
  const checked = checkFitArgs(fn, args, 'tensors');
  compiledCore(fn, model);
  const xs = tensorList(fn, 'x', x, model.inputNames);
  const ys = tensorList(fn, 'y', y, model.outputNames);
  const n = sampleCount(fn, [...xs, ...ys], 'x and y');
  const owned: tf.Tensor[] = [];
  try {
    let train = { xs, ys };
    let validation: { xs: tf.Tensor[]; ys: tf.Tensor[] } | null = null;
    if (args.validationData !== undefined) {
      const [vx, vy] = args.validationData;
      refuseStreaming(fn, 'validationData', args.validationData);
      validation = { xs: tensorList(fn, 'validationData[0]', vx, model.inputNames), ys: tensorList(fn, 'validationData[1]', vy, model.outputNames) };
      sampleCount(fn, [...validation.xs, ...validation.ys], 'validationData');
    } else if (checked.validationSplit > 0) {
      // As model.fit: the last share of the samples, before any shuffling.
      const at = Math.floor(n * (1 - checked.validationSplit));
      if (at === 0 || at === n) throw new RangeError(`${fn}: validationSplit ${checked.validationSplit} of ${n} samples leaves no ${at === 0 ? 'training' : 'validation'} sample`);
      const cut = (list: tf.Tensor[], from: number, size: number) =>
        list.map((t) => {
          const s = tf.slice(t, from, size);
          owned.push(s);
          return s;
        });
      train = { xs: cut(xs, 0, at), ys: cut(ys, 0, at) };
      validation = { xs: cut(xs, at, n - at), ys: cut(ys, at, n - at) };
    }
    return await runFit(fn, model, tensorDataSource(train.xs, train.ys), validation, checked);
  } finally {
    tf.dispose(owned);
  }
}

/**
 * {@link fit} over a {@link DataSource} (`{ size, batch(ids) }`, e.g.
 * `arrayDataSource`): the `fitDataset` of pruning. A pruner picks samples
 * by id, so the data must give random access; a streaming `tf.data.Dataset`
 * is refused, saying so. Validation comes from `validationData` tensors.
 *
 * @param model - compiled.
 * @param data - `batch(ids, { epoch, rng })` returns `{ xs, ys }` (disposed after the step).
 * @param args - {@link FitDataSourceArgs}.
 * @returns the {@link FitHistory}.
 * @throws as {@link fit}; TypeError for a `tf.data.Dataset`.
 * @example
 * ```ts
 * const data = arrayDataSource({ values: images, shape: [60000, 784] }, { values: labels, shape: [60000] });
 * const history = await fitDataSource(model, data, { pruner: full, epochs: 5, batchSize: 128 });
 * ```
 */
export async function fitDataSource(model: CompiledLayersModel, data: DataSource, args: FitDataSourceArgs): Promise<FitHistory> {
  const fn = 'fitDataSource()';
  refuseStreaming(fn, 'data', data);
  const checked = checkFitArgs(fn, args, 'source');
  compiledCore(fn, model);
  if (data === null || typeof data !== 'object' || typeof data.batch !== 'function' || !Number.isInteger(data.size) || data.size < 1) {
    throw new TypeError(`${fn}: data must be a DataSource { size, batch(ids) }, got ${describeValue(data)}`);
  }
  let validation: { xs: tf.Tensor[]; ys: tf.Tensor[] } | null = null;
  if (args.validationData !== undefined) {
    const [vx, vy] = args.validationData;
    validation = { xs: tensorList(fn, 'validationData[0]', vx, model.inputNames), ys: tensorList(fn, 'validationData[1]', vy, model.outputNames) };
    sampleCount(fn, [...validation.xs, ...validation.ys], 'validationData');
  }
  return runFit(fn, model, data, validation, checked);
}

/** The epochs of a {@link fit} run: the trainer's epoch loop, with model.fit's callbacks, logs and validation around it. */
async function runFit(
  fn: string,
  model: CompiledLayersModel,
  data: DataSource,
  validation: { xs: tf.Tensor[]; ys: tf.Tensor[] } | null,
  checked: CheckedFitArgs,
): Promise<FitHistory> {
  const { epochs, batchSize, initialEpoch } = checked;
  const core = compiledCore(fn, model);
  const callbacks = new FitCallbacks(fn, checked.callbacks, checked.yieldEvery);
  const outputs = model.outputNames.length;
  const custom = checked.perSampleLoss;
  if (custom !== null && custom.length !== outputs) {
    throw new RangeError(`${fn}: perSampleLoss must give one function per model output (${outputs}), got ${custom.length}`);
  }
  const lossFns =
    custom !== null
      ? custom.map((perSample, i) => ({ perSample, name: `perSampleLoss${outputs > 1 ? `[${i}]` : ''}` }))
      : core.lossFunctions.map((f, i) => compiledPerSampleLoss(model.loss, f, i));
  const labels = [...model.metricsNames];
  const metricLabels = labels.slice(1);
  const pruner = resolvePruner(fn, checked.pruner, data.size, epochs, initialEpoch);
  const trainable = trainableModel(fn, model, undefined, undefined);

  // The batch's metric means, computed from the step's own forward pass (as
  // model.fit does) and kept until the batch's listener has read them.
  let stash: tf.Scalar[] = [];
  const dropStash = () => {
    tf.dispose(stash);
    stash = [];
  };
  const loss: PerSampleLoss = (out, targets) => {
    dropStash();
    const outs = Array.isArray(out) ? out : [out as tf.Tensor];
    const ts = Array.isArray(targets) ? targets : [targets as tf.Tensor];
    const batch = outs[0]!.shape[0]!;
    const per = lossFns.map(({ perSample, name }, i) => {
      const values = perSample(ts[i]!, outs[i]!);
      checkPerSampleValues(fn, name, values, batch);
      return meanPerSample(values);
    });
    model.metricsTensors.forEach(([metric, o], j) => {
      const value = outputs > 1 && j < outputs ? tf.mean(per[j]!) : tf.mean(metric(ts[o]!, outs[o]!));
      stash.push(tf.keep(value as tf.Scalar));
    });
    return per.length === 1 ? per[0]! : (tf.addN(per) as tf.Tensor1D);
  };
  const penalty = (): tf.Scalar | null => {
    const extra = model.calculateLosses?.() ?? [];
    return extra.length === 0 ? null : (tf.addN(extra) as tf.Scalar);
  };

  let sums = new Float64Array(metricLabels.length);
  const listener: EpochListener = {
    batchBegin: (batch, size) => callbacks.batchBegin(batch, size),
    batchEnd: async (report) => {
      const logs: Logs = { batch: report.batch, size: report.size, loss: report.loss };
      for (let j = 0; j < stash.length; j++) {
        const v = (await stash[j]!.data())[0]!;
        logs[metricLabels[j]!] = v;
        sums[j]! += v * report.size;
      }
      dropStash();
      await callbacks.batchEnd(report.batch, logs);
    },
    epochClose: dropStash,
  };
  const setup: EpochSetup = {
    model: trainable,
    optimizer: model.optimizer,
    loss,
    directions: 'mean',
    penalty,
    pruner,
    data,
    epochs,
    batchSize,
    dropLast: false,
    schedule: null,
    rng: new Random(checked.seed),
    listeners: [listener],
  };
  const counters: LoopCounters = { epoch: initialEpoch, samplesSeen: 0, steps: 0 };
  const params = {
    epochs,
    initialEpoch,
    samples: data.size,
    steps: null,
    batchSize,
    verbose: checked.verbose,
    doValidation: validation !== null,
    metrics: validation === null ? labels : [...labels, ...labels.map((l) => `val_${l}`)],
  };
  const history = new HistoryRecorder(params);

  registerGradients();
  core.isTraining = true;
  try {
    callbacks.setup(params, model);
    model.stopTraining = false;
    await callbacks.trainBegin();
    let last: Logs = {};
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      await callbacks.epochBegin(epoch);
      sums = new Float64Array(metricLabels.length);
      const outcome = await runEpoch(setup, counters);
      const { summary } = outcome;
      const logs: Logs = { loss: outcome.loss };
      metricLabels.forEach((l, j) => {
        logs[l] = outcome.visited === 0 ? Number.NaN : sums[j]! / outcome.visited;
      });
      if (validation !== null) {
        const result = model.evaluate(one(validation.xs), one(validation.ys), { batchSize, verbose: 0 });
        const scalars = Array.isArray(result) ? result : [result];
        try {
          for (let j = 0; j < scalars.length; j++) logs[`val_${labels[j]}`] = (await scalars[j]!.data())[0]!;
        } finally {
          tf.dispose(scalars);
        }
      }
      logs.visited = summary.visited;
      logs.savedRatio = summary.savedRatioSoFar;
      const consult = checked.earlyStoppingPhases.includes(summary.phase);
      await callbacks.epochEnd(epoch, logs, consult);
      history.add(epoch, summary.phase, logs, consult && callbacks.hasEarlyStopping);
      if (checked.verbose > 0) {
        const shown = Object.entries(logs).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`);
        console.log(`Epoch ${epoch + 1}/${epochs} (${summary.phase}): ${shown.join(' ')}`);
      }
      last = logs;
      if (model.stopTraining) break;
    }
    await callbacks.trainEnd(last);
    return history.toJSON();
  } finally {
    core.isTraining = false;
  }
}

function one(list: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  return list.length === 1 ? list[0]! : list;
}
