import type { Random, ScratchPool } from '@seta/engine';
import type { PlanArrays } from './plan-arrays.js';
import type { Phase } from './types.js';

/**
 * What a pipeline needs of a per-sample score store; `LossStore` from
 * `@seta/loss-store` is one.
 */
export interface ScoreStore {
  readonly size: number;
  /** Score of each sample; NaN (or anything) where unseen — check `seen`. */
  readonly scores: Float32Array;
  /** Seen bitmap: sample `i` is seen when bit `i & 31` of word `i >>> 5` is set; test one id with `bitsetHas(seen, i)`. */
  readonly seen: Uint32Array;
  readonly seenCount: number;
  /** Mean score over seen samples, or null if none. */
  mean(): number | null;
  /** Record losses (the store validates them). */
  record(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch?: number): number;
  /**
   * Optional fast path for input the pipeline has already validated: integer
   * ids in range, finite losses. A store may defer the writes (a large
   * `LossStore` groups them by id range) as long as every read through it
   * sees them.
   */
  recordUnchecked?(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch: number): number;
  saveState(): Uint8Array;
  loadState(bytes: Uint8Array): unknown;
  /**
   * The store's own rule for non-finite losses, if it has one (`LossStore`'s
   * `options.nonFinite`): a pipeline on this store follows it, so that the
   * store and the pruner never disagree.
   */
  readonly options?: { readonly nonFinite?: 'error' | 'skip' };
}

/**
 * The samples a plan is being built from, passed from stage to stage. Stages
 * return a new selection; they may reuse and mutate the arrays they receive
 * (the pipeline owns them) but must not keep references across epochs. A
 * stage may return arrays from its `ctx.scratch` pool (reused next epoch):
 * the pipeline copies the final selection into the plan, so plans never
 * alias them. The last stage may instead build its selection in arrays from
 * `ctx.output`, which the pipeline shuffles in place and hands out as the
 * plan.
 */
export interface Selection {
  /** Ids still in the plan, in any order; `null` means all of `0 … size-1`. */
  readonly ids: Uint32Array | null;
  /** `weights[i]` belongs to `ids[i]`; `null` means all 1. Must be null when `ids` is null. */
  readonly weights: Float32Array | null;
  /** The phase the epoch is in so far. */
  readonly phase: Phase;
  /** A stage that decides the plan alone (e.g. annealing) sets this: later stages are skipped. */
  readonly final?: boolean;
  /**
   * Weights carried in the ids themselves, for a stage whose weights its
   * ids can encode more cheaply than a second array (e.g. two values as an
   * id's spare top bit): `weights` is then null, the pipeline shuffles the
   * encoded ids alone, and then calls `decodeWeights(ids, weights)` on the
   * shuffled plan, which must restore every id in place and write its
   * weight (`weights` is a new array of the plan's length). Only a
   * selection that becomes the plan may carry it: the last stage's, or one
   * marked `final`.
   */
  readonly decodeWeights?: (ids: Uint32Array, weights: Float32Array) => void;
}

/** What every stage may read while building a plan or observing a batch. */
export interface StageContext {
  /** The epoch being planned or trained. */
  readonly epoch: number;
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** N, the dataset size. */
  readonly size: number;
  /** The pruner's generator: the only source of randomness, so that runs replay exactly. */
  readonly rng: Random;
  /** The score store, if the pruner has one. */
  readonly store: ScoreStore | null;
  /**
   * Reusable arrays for the stage's temporaries, its own (set in `select`;
   * see {@link ScratchPool} for the lifetime rules). Absent when a stage is
   * called outside a pipeline.
   */
  readonly scratch?: ScratchPool;
  /**
   * New arrays for the selection this stage returns that the pipeline may
   * hand out as the plan without copying them (see {@link PlanArrays}).
   * Given to the last stage only, and absent outside a pipeline.
   */
  readonly output?: PlanArrays;
}

/** One batch as stages observe it: validated, non-finite entries removed (with `nonFinite: 'skip'`). */
export interface ObservedBatch {
  readonly ids: Uint32Array;
  /** First (or only) loss direction. */
  readonly losses: Float32Array;
  /** Second direction (image→text vs text→image, view 1→2 vs 2→1), or null for single-loss tasks. */
  readonly lossesB: Float32Array | null;
}

/** What a stage's `loadState` learns of the pruner it is restored into, to check the state against. */
export interface StageRestoreContext {
  /** N, the dataset size. */
  readonly size: number;
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** The epoch the restored pruner plans next (the number of epochs finished). */
  readonly nextEpoch: number;
}

/** What stages learn when an epoch ends. */
export interface EpochEnd {
  readonly epoch: number;
  readonly phase: Phase;
  readonly visited: number;
  /** Mean per-sample loss of the epoch (directions summed), or null if nothing was observed. */
  readonly meanLoss: number | null;
}

/**
 * One step of a pruning pipeline. Only `select` is required.
 */
export interface Stage {
  /** Short name, used in state and error messages. */
  readonly name: string;
  /** Whether the stage reads scores (the pipeline then requires a store). */
  readonly needsScores?: boolean;
  /** Narrow (or reweight) the selection for `ctx.epoch`. */
  select(selection: Selection, ctx: StageContext): Selection;
  /** See a batch's losses (after the store has recorded them). */
  observe?(batch: ObservedBatch, ctx: StageContext): void;
  /** Learn how the epoch ended. */
  endEpoch?(end: EpochEnd, ctx: StageContext): void;
  /** The stage's own state, for exact resumption. */
  saveState?(): Uint8Array;
  /**
   * Restore a state from `saveState`. Throw `StateError` for a state that
   * does not fit `ctx` (e.g. a bitmap of another size, a step count beyond
   * the epochs finished); the pipeline passes `ctx` always.
   */
  loadState?(state: Uint8Array, ctx?: StageRestoreContext): void;
}
