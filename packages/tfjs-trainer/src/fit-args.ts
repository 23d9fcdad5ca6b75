import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkOptionKeys, checkOptions, describeValue } from '@seta/core';
import type { Phase, Pruner } from '@seta/core';
import type { FitCallback, FitCallbackConfig, YieldEvery } from './fit-callbacks.js';
import type { FitPerSampleLoss } from './fit-losses.js';

/**
 * Builds the pruner once `fit` knows the run: `size` is the number of
 * training samples (after `validationSplit`), `epochs` the run's epochs.
 * The strategy factories take exactly this object, so `pruner: full` works
 * as it is, and `pruner: (run) => seta({ ...run, pruneRatio: 0.2 })` adds
 * options.
 */
export type PrunerFactory = (run: { readonly size: number; readonly epochs: number }) => Pruner;

/** Model inputs or targets as `model.fit` takes them: one tensor, one per input (output), or by name. */
export type FitTensors = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/**
 * Arguments of {@link fit}: those of tfjs-layers' `model.fit(x, y, args)`
 * that pruning can honour, plus the pruner.
 */
export interface FitArgs {
  /** A pruner built for this run, or a {@link PrunerFactory} `fit` calls with `{ size, epochs }`. */
  readonly pruner: Pruner | PrunerFactory;
  /** Train until this epoch (exclusive), as `model.fit`: default 1. */
  readonly epochs?: number;
  /** Samples per step; default 32. The last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** `[xVal, yVal]`, evaluated (`model.evaluate`) after every epoch into `val_loss`, `val_<metric>`. */
  readonly validationData?: readonly [FitTensors, FitTensors];
  /** The share of the samples, taken from the end before training, to validate on instead (0 ≤ s < 1). */
  readonly validationSplit?: number;
  /** tfjs-layers callbacks (`tf.callbacks.earlyStopping(…)`, `tf.CustomCallback`s) and config objects of callback functions. */
  readonly callbacks?: FitCallback | FitCallbackConfig | readonly (FitCallback | FitCallbackConfig)[];
  /** 0 (default): silent; 1 or 2: one line per epoch on the console. */
  readonly verbose?: 0 | 1 | 2;
  /** How often to yield to the event loop, as `model.fit` (default `'auto'`: every 125 ms, calling `onYield`). */
  readonly yieldEvery?: YieldEvery;
  /** The epoch to start at (resuming); the pruner must be restored to it (`nextEpoch`). Default 0. */
  readonly initialEpoch?: number;
  /** Only `true`: the pruner orders each epoch's samples. `false` is refused. */
  readonly shuffle?: boolean;
  /**
   * Per-sample losses to use instead of the compiled loss: `(yTrue, yPred) => [B]`, one per output.
   * The weighted mean of these is minimised (plus the model's regularisation losses).
   */
  readonly perSampleLoss?: FitPerSampleLoss | readonly FitPerSampleLoss[];
  /**
   * The pruner phases at whose epochs early-stopping callbacks
   * (`tf.callbacks.earlyStopping`) are consulted; default `['full', 'anneal']`.
   * On pruned epochs the validation loss moves with the share visited, so
   * patience counted over them stops runs before their annealing epochs. Pass
   * every phase (`['full', 'warmup', 'prune', 'anneal']`) for `model.fit`'s behaviour.
   */
  readonly earlyStoppingPhases?: readonly Phase[];
}

/** Arguments of {@link fitDataSource}: those of {@link fit} without `validationSplit`, plus a seed. */
export interface FitDataSourceArgs extends Omit<FitArgs, 'validationSplit'> {
  /** Seed of the generator handed to `data.batch` for augmentation (default 0). */
  readonly seed?: number;
}

/** The arguments after their checks, defaults filled in. */
export interface CheckedFitArgs {
  readonly pruner: Pruner | PrunerFactory;
  readonly epochs: number;
  readonly batchSize: number;
  readonly validationSplit: number;
  readonly verbose: number;
  readonly yieldEvery: YieldEvery;
  readonly initialEpoch: number;
  readonly perSampleLoss: readonly FitPerSampleLoss[] | null;
  readonly earlyStoppingPhases: readonly Phase[];
  readonly seed: number;
  /** Checked when {@link FitCallbacks} is built from them. */
  readonly callbacks: unknown;
}

const PHASES = ['full', 'warmup', 'prune', 'anneal'] as const;
const COMMON_KEYS = [
  'pruner',
  'epochs',
  'batchSize',
  'validationData',
  'callbacks',
  'verbose',
  'yieldEvery',
  'initialEpoch',
  'shuffle',
  'perSampleLoss',
  'earlyStoppingPhases',
] as const;
/** `model.fit` arguments that pruning cannot honour, and why. */
const REFUSED: Record<string, string> = {
  sampleWeight:
    'per-sample weights are not supported: the pruner weights each sample (InfoBatch up-weights kept ones); fold fixed weights into args.perSampleLoss',
  classWeight: 'class weights are not supported: fold them into args.perSampleLoss, e.g. (yTrue, yPred) => loss(yTrue, yPred) · w[class]',
  stepsPerEpoch: 'the pruner decides how many samples each epoch visits; use batchSize',
  validationSteps: 'validation runs over the whole validationData; it needs no step count',
};

/**
 * Check the arguments of {@link fit} or {@link fitDataSource}, all here,
 * before anything is built. O(keys).
 *
 * @throws TypeError naming the argument: an unknown key (with the closest
 *   known one), a `model.fit` argument pruning cannot honour (saying why),
 *   a wrong kind of value; RangeError for a value out of range.
 */
export function checkFitArgs(fn: string, args: FitArgs | FitDataSourceArgs, kind: 'tensors' | 'source'): CheckedFitArgs {
  if (args === undefined) throw new TypeError(`${fn}: args must be an object with at least pruner, got undefined`);
  checkOptions(fn, args);
  const known: string[] = [...COMMON_KEYS, ...Object.keys(REFUSED), ...(kind === 'tensors' ? ['validationSplit'] : ['seed'])];
  if (kind === 'source' && 'validationSplit' in args) {
    throw new TypeError(`${fn}: validationSplit needs tensors to split; pass validationData`);
  }
  checkOptionKeys(fn, args, known);
  const a = args as Partial<FitArgs & FitDataSourceArgs> & Record<string, unknown>;
  for (const [key, why] of Object.entries(REFUSED)) {
    if (a[key] !== undefined) throw new TypeError(`${fn}: ${key} cannot be honoured with pruning: ${why}`);
  }
  if (a.shuffle !== undefined && a.shuffle !== true) {
    throw new TypeError(
      `${fn}: shuffle ${describeValue(a.shuffle)} cannot be honoured: the pruner orders each epoch's samples (a fresh random order, of the ids it keeps); omit shuffle`,
    );
  }
  const pruner = a.pruner;
  if (typeof pruner !== 'function') {
    for (const m of ['plan', 'observe', 'endEpoch'] as const) {
      if (typeof (pruner as unknown as Record<string, unknown> | null | undefined)?.[m] !== 'function') {
        throw new TypeError(`${fn}: pruner must be a Pruner or a factory ({ size, epochs }) => Pruner (missing ${m}()), got ${describeValue(pruner)}`);
      }
    }
  }
  const epochs = checkInteger(fn, 'epochs', a.epochs ?? 1, 1);
  const batchSize = checkInteger(fn, 'batchSize', a.batchSize ?? 32, 1);
  const initialEpoch = checkInteger(fn, 'initialEpoch', a.initialEpoch ?? 0, 0);
  if (initialEpoch >= epochs) throw new RangeError(`${fn}: initialEpoch must be below epochs (${epochs}), got ${initialEpoch}`);
  const split = a.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) {
    throw new RangeError(`${fn}: validationSplit must be in [0, 1), got ${describeValue(split)}`);
  }
  if (split > 0 && a.validationData !== undefined) {
    throw new TypeError(`${fn}: pass validationData or validationSplit, not both`);
  }
  if (a.validationData !== undefined) {
    const v = a.validationData as unknown;
    if (!Array.isArray(v) || v.length !== 2) {
      const why = Array.isArray(v) && v.length === 3 ? ' (validation sample weights are not supported)' : '';
      throw new TypeError(`${fn}: validationData must be [xVal, yVal]${why}, got ${describeValue(v)}`);
    }
  }
  const verbose = a.verbose ?? 0;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new RangeError(`${fn}: verbose must be 0, 1 or 2, got ${describeValue(verbose)}`);
  const losses = a.perSampleLoss === undefined ? null : Array.isArray(a.perSampleLoss) ? a.perSampleLoss : [a.perSampleLoss];
  losses?.forEach((l, i) => {
    if (typeof l !== 'function') throw new TypeError(`${fn}: perSampleLoss${Array.isArray(a.perSampleLoss) ? `[${i}]` : ''} must be a function (yTrue, yPred) => [B], got ${describeValue(l)}`);
  });
  const phases = a.earlyStoppingPhases ?? ['full', 'anneal'];
  if (!Array.isArray(phases)) throw new TypeError(`${fn}: earlyStoppingPhases must be an array of phases, got ${describeValue(phases)}`);
  phases.forEach((p: unknown, i) => {
    if (!(PHASES as readonly unknown[]).includes(p)) {
      throw new RangeError(`${fn}: earlyStoppingPhases[${i}] must be one of ${PHASES.map((x) => JSON.stringify(x)).join(', ')}, got ${describeValue(p)}`);
    }
  });
  return {
    pruner: pruner as Pruner | PrunerFactory,
    epochs,
    batchSize,
    validationSplit: split,
    verbose,
    yieldEvery: a.yieldEvery ?? 'auto',
    initialEpoch,
    perSampleLoss: losses,
    earlyStoppingPhases: phases,
    seed: checkInteger(fn, 'seed', a.seed ?? 0, 0),
    callbacks: a.callbacks,
  };
}
