import type { EpochPlan } from './types.js';
import { checkInteger, checkOptions } from './validate.js';

/** One batch of a plan: views into the plan's arrays, never copies. */
export interface PlanBatch {
  /** 0-based batch number within the epoch. */
  readonly batch: number;
  /** Position of the batch's first sample in the plan. */
  readonly start: number;
  /** Ids of the batch, a `subarray` of the plan's `indices`. */
  readonly indices: Uint32Array;
  /** Their weights, a `subarray` of the plan's `weights`, or null (all 1). */
  readonly weights: Float32Array | null;
}

/** Options of {@link batchPlan} and {@link countBatches}. */
export interface BatchOptions {
  /** Drop a last batch smaller than `batchSize` (default false). */
  readonly dropLast?: boolean;
}

/**
 * Number of batches {@link batchPlan} yields for a plan of `length` ids. O(1).
 *
 * @example
 * ```ts
 * countBatches(10, 4);                     // 3
 * countBatches(10, 4, { dropLast: true }); // 2
 * ```
 */
export function countBatches(length: number, batchSize: number, options: BatchOptions = {}): number {
  checkInteger('countBatches()', 'length', length, 0);
  checkInteger('countBatches()', 'batchSize', batchSize, 1);
  checkOptions('countBatches()', options);
  return options.dropLast ? Math.floor(length / batchSize) : Math.ceil(length / batchSize);
}

/**
 * Split a plan into consecutive batches of `batchSize`, as views into the
 * plan's arrays (`subarray`): no ids or weights are copied. O(1) per batch.
 *
 * @param plan - the plan (or anything with `indices` and `weights`).
 * @param batchSize - an integer ≥ 1.
 * @param options - `dropLast`: skip a final short batch.
 * @returns a generator of {@link PlanBatch}.
 * @throws RangeError if `batchSize` is not a positive integer; TypeError if the
 *   plan's weights do not match its indices.
 * @example
 * ```ts
 * for (const { indices, weights } of batchPlan(plan, 256)) {
 *   // gather the samples of `indices`, train, then pruner.observe(indices, losses)
 * }
 * ```
 */
export function* batchPlan(
  plan: Pick<EpochPlan, 'indices' | 'weights'>,
  batchSize: number,
  options: BatchOptions = {},
): Generator<PlanBatch, void, undefined> {
  checkInteger('batchPlan()', 'batchSize', batchSize, 1);
  checkOptions('batchPlan()', options);
  const { indices, weights } = plan;
  if (!(indices instanceof Uint32Array)) {
    throw new TypeError('batchPlan(): plan.indices must be a Uint32Array');
  }
  if (weights !== null && (!(weights instanceof Float32Array) || weights.length !== indices.length)) {
    throw new TypeError(`batchPlan(): plan.weights must be null or a Float32Array of length ${indices.length}`);
  }
  const n = indices.length;
  const end = options.dropLast ? n - (n % batchSize) : n;
  let batch = 0;
  for (let start = 0; start < end; start += batchSize) {
    const stop = Math.min(start + batchSize, end);
    yield {
      batch: batch++,
      start,
      indices: indices.subarray(start, stop),
      weights: weights === null ? null : weights.subarray(start, stop),
    };
  }
}
