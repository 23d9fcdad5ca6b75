import type { EpochPlan } from './types.js';
import { checkInteger, checkOneOf, checkOptionKeys, checkOptions, describeValue } from '@seta/engine';

/** Options of {@link shardPlan}. */
export interface ShardOptions {
  /**
   * How to make every shard the same length when the plan's length is not a
   * multiple of `worldSize`: `'pad'` (default) wraps around to the plan's start,
   * like PyTorch's `DistributedSampler`; `'drop-last'` truncates the plan.
   */
  readonly mode?: 'pad' | 'drop-last';
}

/**
 * The shard of `plan` for worker `rank` of `worldSize` (docs/data-parallel.md):
 * positions `rank, rank + W, rank + 2W, …` of the plan, after truncating it
 * (drop-last) or padding it by wrapping so that every shard has the same
 * length. Every worker computes the same plan from the same seed and scores;
 * the shards are then disjoint (drop-last), cover the plan, and keep its order.
 *
 * O(plan length / worldSize) time and memory (a strided selection cannot be a view).
 *
 * @param plan - the full epoch plan, identical on every worker.
 * @param rank - this worker, an integer in [0, worldSize).
 * @param worldSize - number of workers, an integer ≥ 1.
 * @returns a new plan with the same `epoch`, `phase` and `size`.
 * @throws RangeError for a bad `rank` or `worldSize`; TypeError if `plan` is
 *   not a plan of a Uint32Array and null or matching Float32Array weights,
 *   or an option is unknown or `null`.
 * @example
 * ```ts
 * const mine = shardPlan(pruner.plan(epoch), rank, worldSize);
 * ```
 */
export function shardPlan(plan: EpochPlan, rank: number, worldSize: number, options: ShardOptions = {}): EpochPlan {
  checkInteger('shardPlan()', 'worldSize', worldSize, 1);
  checkInteger('shardPlan()', 'rank', rank, 0, worldSize - 1);
  checkOptions('shardPlan()', options);
  checkOptionKeys('shardPlan()', options, ['mode']);
  if (plan === null || typeof plan !== 'object') {
    throw new TypeError(`shardPlan(): plan must be an object with indices and weights, got ${describeValue(plan)}`);
  }
  if (!(plan.indices instanceof Uint32Array)) {
    throw new TypeError(`shardPlan(): plan.indices must be a Uint32Array, got ${describeValue(plan.indices)}`);
  }
  if (plan.weights !== null && (!(plan.weights instanceof Float32Array) || plan.weights.length !== plan.indices.length)) {
    throw new TypeError(`shardPlan(): plan.weights must be null or a Float32Array of length ${plan.indices.length}, got ${describeValue(plan.weights)}`);
  }
  const mode = checkOneOf('shardPlan()', 'options.mode', options.mode ?? 'pad', ['pad', 'drop-last'] as const);
  const { indices, weights } = plan;
  const n = indices.length;
  const length = mode === 'pad' ? (n === 0 ? 0 : Math.ceil(n / worldSize)) : Math.floor(n / worldSize);
  const out = new Uint32Array(length);
  const outWeights = weights === null ? null : new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const p = (rank + i * worldSize) % n; // wraps only when padding
    out[i] = indices[p]!;
    if (outWeights !== null) outWeights[i] = weights![p]!;
  }
  return { epoch: plan.epoch, phase: plan.phase, size: plan.size, indices: out, weights: outWeights };
}
