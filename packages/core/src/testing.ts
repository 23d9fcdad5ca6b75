/**
 * Tools for testing pruners — the strategies' own tests use them, and so can
 * anyone writing stages: drive a pruner through a run with synthetic losses,
 * check every plan against the contract, and check that a run stopped after
 * any epoch and restored into a fresh pruner continues exactly.
 *
 * Framework-agnostic: every check throws an `Error` describing the first
 * violation.
 *
 * @packageDocumentation
 */
import { batchPlan } from './batch.js';
import type { EpochPlan, EpochSummary, Pruner } from './types.js';

/** Per-sample losses for a batch: one direction, or two for contrastive tasks. */
export type LossFunction = (ids: Uint32Array, epoch: number) => Float32Array | readonly [Float32Array, Float32Array];

/** Options of {@link runPruner}. */
export interface RunOptions {
  /** Epochs to run (default: all that remain). */
  readonly epochs?: number;
  /** Batch size (default 64). */
  readonly batchSize?: number;
  /** The losses the pruner observes (default {@link syntheticLosses}). */
  readonly losses?: LossFunction;
}

/** What a run produced. */
export interface RunRecord {
  readonly plans: EpochPlan[];
  readonly summaries: EpochSummary[];
}

/**
 * A deterministic loss for `(id, epoch)`: a hash of the id gives each sample
 * a fixed difficulty in (0, 2], which decays with the epoch, plus a little
 * hashed noise — enough structure for below-mean sets, loss groups and batch
 * extremes to be non-trivial, and reproducible across processes.
 */
export function syntheticLoss(id: number, epoch: number): number {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  const difficulty = ((h >>> 0) / 2 ** 32) * 2 + 1e-3;
  let g = Math.imul((id + 1) ^ Math.imul(epoch + 1, 0x27d4eb2f), 0x165667b1);
  g ^= g >>> 15;
  const noise = ((g >>> 0) / 2 ** 32 - 0.5) * 0.1;
  return Math.max(1e-4, difficulty * Math.exp(-0.15 * epoch) + noise);
}

/** {@link syntheticLoss} for a batch, one direction. */
export const syntheticLosses: LossFunction = (ids, epoch) => Float32Array.from(ids, (id) => syntheticLoss(id, epoch));

/** {@link syntheticLoss} for a batch in two directions that mostly agree (as image→text and text→image do). */
export const syntheticLossPairs: LossFunction = (ids, epoch) => [
  Float32Array.from(ids, (id) => syntheticLoss(id, epoch)),
  Float32Array.from(ids, (id) => syntheticLoss(id, epoch) * 0.9 + syntheticLoss(id + 7919, epoch) * 0.1),
];

/**
 * Drive `pruner` through epochs as a training loop would: plan, observe each
 * batch's losses, end the epoch. Every plan is checked with {@link checkPlan}.
 */
export function runPruner(pruner: Pruner, options: RunOptions = {}): RunRecord {
  const batchSize = options.batchSize ?? 64;
  const losses = options.losses ?? syntheticLosses;
  const start = (pruner as { nextEpoch?: number }).nextEpoch ?? 0;
  const total = (pruner as { epochs?: number }).epochs;
  const epochs = options.epochs ?? (total === undefined ? 1 : total - start);
  const plans: EpochPlan[] = [];
  const summaries: EpochSummary[] = [];
  for (let e = start; e < start + epochs; e++) {
    const plan = pruner.plan(e);
    checkPlan(plan, pruner.size, e);
    plans.push(plan);
    for (const batch of batchPlan(plan, batchSize)) {
      const l = losses(batch.indices, e);
      if (l instanceof Float32Array) pruner.observe(batch.indices, l);
      else pruner.observe(batch.indices, l[0], l[1]);
    }
    summaries.push(pruner.endEpoch());
  }
  return { plans, summaries };
}

/**
 * Check a plan against the contract: the right epoch and size, ids distinct
 * integers in `0 … size-1`, at least one id, weights either null or one
 * positive finite number per id.
 */
export function checkPlan(plan: EpochPlan, size: number, epoch?: number): void {
  const where = `plan of epoch ${plan.epoch}`;
  if (epoch !== undefined && plan.epoch !== epoch) throw new Error(`${where}: expected epoch ${epoch}`);
  if (plan.size !== size) throw new Error(`${where}: size is ${plan.size}, expected ${size}`);
  if (!(plan.indices instanceof Uint32Array)) throw new Error(`${where}: indices must be a Uint32Array`);
  if (plan.indices.length === 0) throw new Error(`${where}: is empty`);
  const seen = new Uint8Array(size);
  for (let i = 0; i < plan.indices.length; i++) {
    const id = plan.indices[i]!;
    if (id >= size) throw new Error(`${where}: indices[${i}] = ${id} is out of range`);
    if (seen[id]) throw new Error(`${where}: id ${id} appears twice`);
    seen[id] = 1;
  }
  if (plan.weights !== null) {
    if (!(plan.weights instanceof Float32Array) || plan.weights.length !== plan.indices.length) {
      throw new Error(`${where}: weights must be null or a Float32Array with one weight per id`);
    }
    for (let i = 0; i < plan.weights.length; i++) {
      const w = plan.weights[i]!;
      if (!(w > 0 && Number.isFinite(w))) throw new Error(`${where}: weights[${i}] = ${w} is not a positive finite number`);
    }
  }
}

/** Throw unless two plans are identical: epoch, phase, ids in order, weights. */
export function assertSamePlan(a: EpochPlan, b: EpochPlan, label = 'plans'): void {
  const where = `${label}, epoch ${a.epoch}`;
  if (a.epoch !== b.epoch || a.phase !== b.phase || a.size !== b.size) {
    throw new Error(`${where}: epoch/phase/size differ (${a.epoch}/${a.phase}/${a.size} vs ${b.epoch}/${b.phase}/${b.size})`);
  }
  if (a.indices.length !== b.indices.length) throw new Error(`${where}: ${a.indices.length} vs ${b.indices.length} ids`);
  for (let i = 0; i < a.indices.length; i++) {
    if (a.indices[i] !== b.indices[i]) throw new Error(`${where}: indices[${i}] ${a.indices[i]} vs ${b.indices[i]}`);
  }
  if ((a.weights === null) !== (b.weights === null)) throw new Error(`${where}: one has weights, the other not`);
  if (a.weights !== null && b.weights !== null) {
    for (let i = 0; i < a.weights.length; i++) {
      if (!Object.is(a.weights[i], b.weights[i])) throw new Error(`${where}: weights[${i}] ${a.weights[i]} vs ${b.weights[i]}`);
    }
  }
}

/** One epoch's observations for {@link assertSameRuns}. */
export interface Feed {
  readonly ids: Uint32Array;
  readonly losses: Float32Array;
}

/** Options of {@link assertSameRuns}. */
export interface SameRunsOptions {
  /** Names the runs in the error (default `'runs'`). */
  readonly label?: string;
  /** Count a plan without weights as equal to one whose weights are all 1 (default false). */
  readonly nullWeightsAreOnes?: boolean;
}

/**
 * Drive two pruners in lockstep for `epochs` epochs and throw unless every
 * pair of plans is identical ({@link assertSamePlan}). Each epoch both
 * observe the same batch, which `feed(plan, epoch)` makes from the first
 * pruner's plan — all of it, or a part, to leave samples unseen. For checking
 * that two compositions, or two paths through one stage, plan alike.
 */
export function assertSameRuns(
  a: Pruner,
  b: Pruner,
  epochs: number,
  feed: (plan: EpochPlan, epoch: number) => Feed,
  options: SameRunsOptions = {},
): void {
  const ones = (plan: EpochPlan): EpochPlan =>
    options.nullWeightsAreOnes && plan.weights === null ? { ...plan, weights: new Float32Array(plan.indices.length).fill(1) } : plan;
  for (let e = 0; e < epochs; e++) {
    const planA = a.plan(e);
    assertSamePlan(ones(planA), ones(b.plan(e)), options.label ?? 'runs');
    const { ids, losses } = feed(planA, e);
    a.observe(ids, losses);
    b.observe(ids.slice(), losses.slice());
    a.endEpoch();
    b.endEpoch();
  }
}

/**
 * Check exact resumption: run `make()` for all its epochs; then run a second
 * `make()` for `stopAfter` epochs, save its state, restore it into a third,
 * fresh `make()` and finish the run. Every plan after the restore must equal
 * the uninterrupted run's (ids, order and weights), as must the summaries.
 *
 * @returns the uninterrupted run.
 */
export function checkResume(make: () => Pruner, stopAfter: number, options: Omit<RunOptions, 'epochs'> = {}): RunRecord {
  const reference = runPruner(make(), options);
  const first = make();
  runPruner(first, { ...options, epochs: stopAfter });
  const state = first.saveState();
  const resumed = make();
  resumed.loadState(state);
  const rest = runPruner(resumed, options);
  if (rest.plans.length !== reference.plans.length - stopAfter) {
    throw new Error(`resume after ${stopAfter}: ran ${rest.plans.length} epochs, expected ${reference.plans.length - stopAfter}`);
  }
  rest.plans.forEach((p, i) => assertSamePlan(reference.plans[stopAfter + i]!, p, `resume after ${stopAfter}`));
  rest.summaries.forEach((s, i) => {
    const r = reference.summaries[stopAfter + i]!;
    if (JSON.stringify(s) !== JSON.stringify(r)) {
      throw new Error(`resume after ${stopAfter}: summary of epoch ${s.epoch} differs: ${JSON.stringify(s)} vs ${JSON.stringify(r)}`);
    }
  });
  return reference;
}
