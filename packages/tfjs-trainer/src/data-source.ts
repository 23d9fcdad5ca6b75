import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '@seta/core';
import { describeValue } from '@seta/core';

/** Model inputs or outputs: one tensor, several, or several by name. */
export type Tensors = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/** A batch as a data source returns it. The trainer disposes its tensors after the step. */
export interface Batch {
  readonly xs: Tensors;
  readonly ys?: Tensors;
}

/** What a data source is told besides the ids. */
export interface BatchContext {
  /** 0-based epoch. */
  readonly epoch: number;
  /**
   * The loop's seeded generator, saved in every checkpoint: draw all data
   * shuffling and augmentation randomness from it so a resumed run sees
   * exactly what the uninterrupted one would have.
   */
  readonly rng: Random;
}

/** Where the samples come from: `batch(ids)` returns the samples with those ids (0 … size-1). */
export interface DataSource {
  /** N, the number of samples (the pruner's size). */
  readonly size: number;
  batch(ids: Uint32Array, context: BatchContext): Batch | Promise<Batch>;
}

function isTensors(value: unknown): value is Tensors {
  if (value instanceof tf.Tensor) return true;
  if (Array.isArray(value)) return value.every((t) => t instanceof tf.Tensor);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((t) => t instanceof tf.Tensor);
}

/**
 * Gather the samples `ids` from `data` and check what came back, once per
 * batch, before any of it reaches the model: a data source is user code, and
 * a wrong shape of answer would otherwise fail deep inside the forward pass.
 *
 * @throws TypeError naming `xs` or `ys` and what it got; the tensors of a
 *   refused batch are disposed first.
 */
export async function gatherBatch(data: DataSource, ids: Uint32Array, context: BatchContext): Promise<Batch> {
  const batch = await data.batch(ids, context);
  if (batch === null || typeof batch !== 'object' || !isTensors(batch.xs) || (batch.ys !== undefined && !isTensors(batch.ys))) {
    tf.dispose(batch as unknown as tf.TensorContainer);
    const which = batch !== null && typeof batch === 'object' && isTensors(batch.xs) ? 'ys' : 'xs';
    const got = batch === null || typeof batch !== 'object' ? batch : (batch as unknown as Record<string, unknown>)[which];
    throw new TypeError(
      `Trainer.fit(): data.batch() must return { xs, ys? } with ${which} a tensor, an array or an object of tensors, got ${
        batch === null || typeof batch !== 'object' ? describeValue(batch) : `${which} ${describeValue(got)}`
      }`,
    );
  }
  return batch;
}
