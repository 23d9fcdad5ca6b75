import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { kmeans1d } from './kmeans-1d.js';

describe('assign', () => {
  it('labels each value by the first bound it does not exceed', () => {
    const values = [1, 2, 3, 10, 11, 12, 30];
    const result = kmeans1d(values, 3);
    expect(Array.from(assign(values, result))).toEqual([0, 0, 0, 1, 1, 1, 2]);
    expect(Array.from(assign([0, 3, 3.5, 12, 12.5, 100, -Infinity, Infinity], result))).toEqual([0, 0, 1, 1, 2, 2, 0, 2]);
  });

  it('returns all zeros for a single cluster and an empty array for no values', () => {
    const result = kmeans1d([4, 4, 4], 3);
    expect(Array.from(assign([1, 4, 9], result))).toEqual([0, 0, 0]);
    expect(assign([], result)).toEqual(new Uint32Array(0));
  });

  it('does not modify its input', () => {
    const values = Object.freeze([3, 1, 2]);
    expect(Array.from(assign(values, { bounds: Float64Array.of(1.5) }))).toEqual([1, 0, 1]);
  });

  it('rejects NaN and wrong kinds with messages naming them', () => {
    const result = { bounds: Float64Array.of(1) };
    expect(() => assign([0, NaN], result)).toThrow(
      new RangeError('assign(): values[1] must be a number other than NaN, got NaN'),
    );
    expect(() => assign([0, '1' as unknown as number], result)).toThrow(TypeError);
    expect(() => assign(undefined as unknown as number[], result)).toThrow(
      new TypeError('assign(): values must be an array or typed array, got undefined'),
    );
    expect(() => assign([1], {} as { bounds: Float64Array })).toThrow(
      new TypeError('assign(): result.bounds must be an array or typed array, got undefined'),
    );
  });
});
