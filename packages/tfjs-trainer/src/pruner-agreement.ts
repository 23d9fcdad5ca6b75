import { describeValue } from '@seta/core';
import type { Pruner } from '@seta/core';

/**
 * Refuse a pruner built for another run before any training: one of another
 * dataset size would fail at its first `observe`, one of fewer epochs after
 * its last epoch, one of more epochs would never reach its annealing epochs.
 * `epochs` and `nextEpoch` are checked when the pruner has them (every
 * pruner of `createPruner` does; the `Pruner` contract does not require
 * them). O(1).
 *
 * @param fn - the caller, for messages (`fit()`, `Trainer()`).
 * @param startEpoch - the first epoch this run trains (0 unless resuming).
 * @throws RangeError naming both values.
 */
export function checkPrunerAgrees(fn: string, pruner: Pruner, size: number, epochs: number, startEpoch = 0): void {
  if (pruner.size !== size) {
    throw new RangeError(`${fn}: the pruner was built for size ${describeValue(pruner.size)}, but the training data has ${size} samples`);
  }
  const built = (pruner as { epochs?: unknown }).epochs;
  if (typeof built === 'number' && built !== epochs) {
    throw new RangeError(`${fn}: the pruner was built for epochs ${built}, but the training runs ${epochs}`);
  }
  const next = (pruner as { nextEpoch?: unknown }).nextEpoch;
  if (typeof next === 'number' && next !== startEpoch) {
    throw new RangeError(
      `${fn}: the pruner expects epoch ${next} next, but the training starts at epoch ${startEpoch}` +
        (startEpoch > 0 && next === 0 ? ' (restore its state with loadState() to resume)' : ''),
    );
  }
}

/** A `tf.data.Dataset` or another stream of batches: it has `iterator()`, no access by id. */
export function isStreamingDataset(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as { iterator?: unknown }).iterator === 'function';
}

/**
 * Refuse a streaming dataset (`tf.data.Dataset`) where data by id is needed.
 *
 * @throws TypeError saying why pruning needs random access and what to pass instead.
 */
export function refuseStreaming(fn: string, name: string, value: unknown): void {
  if (!isStreamingDataset(value)) return;
  throw new TypeError(
    `${fn}: ${name} is a streaming dataset (tf.data.Dataset): a pruner chooses which samples each epoch visits, by id, ` +
      'so training needs random access to the samples, which a stream cannot give (its size counts batches, not samples). ' +
      'Pass tensors to fit(model, xs, ys, args), or a DataSource ({ size, batch(ids) }, e.g. arrayDataSource) to fitDataSource()',
  );
}
