import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Random } from '@seta/core';
import { describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';

describe('arrayDataSource', () => {
  it('gathers the rows of the given ids into fresh tensors', () => {
    const data = arrayDataSource({ values: Float32Array.of(0, 1, 10, 11, 20, 21), shape: [3, 2] }, { values: Int32Array.of(5, 6, 7), shape: [3] });
    const b = data.batch(Uint32Array.of(2, 0), { epoch: 0, rng: new Random(1) }) as { xs: tf.Tensor; ys: tf.Tensor };
    expect(data.size).toBe(3);
    expect((b.xs as tf.Tensor).shape).toEqual([2, 2]);
    expect(Array.from((b.xs as tf.Tensor).dataSync())).toEqual([20, 21, 0, 1]);
    expect((b.ys as tf.Tensor).dtype).toBe('int32');
    expect(Array.from((b.ys as tf.Tensor).dataSync())).toEqual([7, 5]);
    tf.dispose(b as unknown as tf.TensorContainer);
    expect(() => data.batch(Uint32Array.of(3), { epoch: 0, rng: new Random(1) })).toThrow(
      'arrayDataSource.batch(): ids[0] must be an integer in [0, 2], got 3',
    );
    expect(() => data.batch([1.5] as never, { epoch: 0, rng: new Random(1) })).toThrow(
      'arrayDataSource.batch(): ids[0] must be an integer in [0, 2], got 1.5',
    );
  });

  it('rejects arrays that do not match their shapes', () => {
    expect(() => arrayDataSource({ values: new Float32Array(5), shape: [3, 2] })).toThrow(
      'arrayDataSource(): xs.values must hold 6 values for shape [3, 2], got 5',
    );
    expect(() =>
      arrayDataSource({ values: new Float32Array(6), shape: [3, 2] }, { values: new Int32Array(2), shape: [2] }),
    ).toThrow('arrayDataSource(): ys must have 3 samples like xs, got 2');
  });

  it('says per sample when the samples have another shape than given', () => {
    // 4 images of 3×3 given as 2×2.
    expect(() => arrayDataSource({ values: new Float32Array(4 * 9), shape: [4, 2, 2] })).toThrow(
      'arrayDataSource(): xs.values must hold 16 values for shape [4, 2, 2], got 36 (4 samples of 4 values each, [2, 2]; the values make 4 of 9)',
    );
  });

  it('rejects unknown and null options', () => {
    const xs = { values: new Float32Array(4), shape: [2, 2] };
    expect(() => arrayDataSource(xs, undefined, { augmnet: () => undefined } as never)).toThrow(
      'arrayDataSource(): unknown option "augmnet" (did you mean "augment"?)',
    );
    expect(() => arrayDataSource(xs, undefined, { augment: null } as never)).toThrow('arrayDataSource(): augment must not be null');
  });
});
