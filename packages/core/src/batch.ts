import type { EpochPlan } from './types.js';
import { checkBoolean, checkInteger, checkOptionKeys, checkOptions, describeValue } from '@seta/engine';

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

function checkBatchOptions(fn: string, options: BatchOptions): void {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['dropLast']);
  if (options.dropLast !== undefined) checkBoolean(fn, 'dropLast', options.dropLast);
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
  checkBatchOptions('countBatches()', options);
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
 * @throws RangeError if `batchSize` is not a positive integer; TypeError if
 *   `plan` is not a plan, its weights do not match its indices, or an option
 *   is unknown, `null` or of the wrong kind.
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
  checkBatchOptions('batchPlan()', options);
  if (plan === null || typeof plan !== 'object') {
    throw new TypeError(`batchPlan(): plan must be an object with indices and weights, got ${describeValue(plan)}`);
  }
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
