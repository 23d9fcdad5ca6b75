import * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '@seta/core';

/** Ids as a pruner hands them out: a plan, a batch of `batchPlan`, or the `Uint32Array` itself. */
export type IdsLike = Uint32Array | { readonly indices: Uint32Array };

/**
 * A plan's or batch's ids as an `Int32Array`, the index type `tf.gather` and
 * `tf.tensor1d(…, 'int32')` accept: TensorFlow.js refuses a `Uint32Array`
 * ("The dtype of the tensor should be int32" or an unknown-dtype error).
 *
 * No copy: the result views the same memory. That is exact because pruners
 * hand out ids below `MAX_SIZE` = 2^31 − 1, which read the same as int32.
 * O(1).
 *
 * @param ids - a `Uint32Array`, or anything with `indices` (an `EpochPlan`, a `PlanBatch`).
 * @returns an `Int32Array` over the same buffer.
 * @throws TypeError if `ids` is neither.
 * @example
 * ```ts
 * for (const b of batchPlan(pruner.plan(epoch), 64)) {
 *   const xb = tf.gather(xs, batchIds(b));   // b.indices alone would be refused
 * }
 * batchIds(new Uint32Array([3, 1, 2])); // Int32Array [3, 1, 2]
 * ```
 */
export function batchIds(ids: IdsLike): Int32Array {
  const u = ids instanceof Uint32Array ? ids : (ids as { indices?: unknown } | null)?.indices;
  if (!(u instanceof Uint32Array)) {
    throw new TypeError(`batchIds(): ids must be a Uint32Array or have indices (a plan or a batch), got ${describeValue(ids)}`);
  }
  return new Int32Array(u.buffer, u.byteOffset, u.length);
}

/**
 * The samples `ids` of `x` (rows along the first axis), as a new tensor:
 * `tf.gather(x, batchIds(ids))`. O(batch · row), on the tensor's backend.
 *
 * @param x - `[N, …]`.
 * @param ids - a `Uint32Array`, a plan or a batch.
 * @returns `[ids.length, …]`; the caller disposes it.
 * @example
 * ```ts
 * const xb = gatherSamples(xs, batch);     // batch from batchPlan(plan, 32)
 * ```
 */
export function gatherSamples<T extends tf.Tensor>(x: T, ids: IdsLike): T {
  if (!(x instanceof tf.Tensor)) throw new TypeError(`gatherSamples(): x must be a tf.Tensor, got ${describeValue(x)}`);
  return tf.gather(x, batchIds(ids)) as T;
}
