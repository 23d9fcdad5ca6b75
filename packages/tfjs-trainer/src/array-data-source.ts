import * as tf from '@tensorflow/tfjs-core';
import { checkArrayLike, checkInteger, checkOptionKeys, checkOptions, describeValue } from '@seta/core';
import type { Batch, BatchContext, DataSource } from './data-source.js';

/** A dense array of N samples, row-major: sample i is `values[i · rowSize … (i+1) · rowSize)`. */
export interface ArrayData {
  readonly values: Float32Array | Int32Array;
  /** `[N, …]`: N samples of shape `shape.slice(1)`. */
  readonly shape: readonly number[];
}

/** Options of {@link arrayDataSource}. */
export interface ArrayDataSourceOptions {
  /**
   * Augment a gathered batch in place (e.g. random flips), drawing randomness
   * only from `context.rng` so that checkpoints capture it.
   */
  readonly augment?: (xs: Float32Array | Int32Array, shape: readonly number[], context: BatchContext) => void;
}

function check(fn: string, name: string, data: ArrayData): number {
  if (data === null || typeof data !== 'object') throw new TypeError(`${fn}: ${name} must be { values, shape }, got ${describeValue(data)}`);
  if (!(data.values instanceof Float32Array) && !(data.values instanceof Int32Array)) {
    throw new TypeError(`${fn}: ${name}.values must be a Float32Array or Int32Array, got ${describeValue(data.values)}`);
  }
  checkArrayLike(fn, `${name}.shape`, data.shape);
  if (data.shape.length < 1) throw new RangeError(`${fn}: ${name}.shape must have at least one axis, got []`);
  data.shape.forEach((d, i) => checkInteger(fn, `${name}.shape[${i}]`, d, 0));
  const size = data.shape.reduce((a, b) => a * b, 1);
  if (size !== data.values.length) {
    // Say it per sample too: the usual cause is samples of another shape (32×32 images for a 28×28 model).
    const n = data.shape[0]!;
    const row = size / n;
    const got = data.values.length;
    const perSample =
      n > 0 && got % n === 0 ? ` (${n} samples of ${row} values each, [${data.shape.slice(1).join(', ')}]; the values make ${n} of ${got / n})` : '';
    throw new RangeError(`${fn}: ${name}.values must hold ${size} values for shape [${data.shape.join(', ')}], got ${got}${perSample}`);
  }
  return data.shape[0]!;
}

function gather(data: ArrayData, ids: Uint32Array): Float32Array | Int32Array {
  const row = data.values.length / data.shape[0]!;
  const out = data.values instanceof Float32Array ? new Float32Array(ids.length * row) : new Int32Array(ids.length * row);
  for (let i = 0; i < ids.length; i++) {
    const src = ids[i]! * row;
    out.set(data.values.subarray(src, src + row), i * row);
  }
  return out;
}

/**
 * A {@link DataSource} over samples held in typed arrays: `batch(ids)` copies
 * the rows of `ids` (O(batch · row)) into fresh `xs` (and `ys`) tensors.
 *
 * @param xs - inputs, `[N, …]`.
 * @param ys - targets, `[N, …]` (optional).
 * @param options - `augment`: in-place batch augmentation from the loop's seeded generator.
 * @throws TypeError / RangeError if the arrays do not match their shapes or each other's N.
 * @example
 * ```ts
 * const data = arrayDataSource({ values: images, shape: [60000, 784] }, { values: labels, shape: [60000] });
 * data.size; // 60000
 * ```
 */
export function arrayDataSource(xs: ArrayData, ys?: ArrayData, options: ArrayDataSourceOptions = {}): DataSource {
  const fn = 'arrayDataSource()';
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['augment']);
  const n = check(fn, 'xs', xs);
  if (ys !== undefined) {
    const m = check(fn, 'ys', ys);
    if (m !== n) throw new RangeError(`${fn}: ys must have ${n} samples like xs, got ${m}`);
  }
  const augment = options.augment;
  if (augment !== undefined && typeof augment !== 'function') {
    throw new TypeError(`${fn}: augment must be a function, got ${describeValue(augment)}`);
  }
  const xRest = xs.shape.slice(1);
  const yRest = ys?.shape.slice(1);
  return {
    size: n,
    batch(ids: Uint32Array, context: BatchContext): Batch {
      checkArrayLike('arrayDataSource.batch()', 'ids', ids);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!(Number.isInteger(id) && id >= 0 && id < n)) {
          throw new RangeError(`arrayDataSource.batch(): ids[${i}] must be an integer in [0, ${n - 1}], got ${describeValue(id)}`);
        }
      }
      const xv = gather(xs, ids);
      const shape = [ids.length, ...xRest];
      if (augment) augment(xv, shape, context);
      const x = tf.tensor(xv, shape, xv instanceof Float32Array ? 'float32' : 'int32');
      if (ys === undefined) return { xs: x };
      const yv = gather(ys, ids);
      return { xs: x, ys: tf.tensor(yv, [ids.length, ...yRest!], yv instanceof Float32Array ? 'float32' : 'int32') };
    },
  };
}
