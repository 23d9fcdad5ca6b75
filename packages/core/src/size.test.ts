import { describe, expect, it } from 'vitest';
import { checkSize, MAX_SIZE } from './size.js';

describe('checkSize', () => {
  it('takes sizes in [1, MAX_SIZE = 2^31 − 1] and names the maximum when a size is above it', () => {
    expect(MAX_SIZE).toBe(2 ** 31 - 1);
    expect(checkSize('f()', 'size', 1)).toBe(1);
    expect(checkSize('f()', 'size', 1e8)).toBe(1e8);
    expect(checkSize('f()', 'size', MAX_SIZE)).toBe(MAX_SIZE);
    expect(() => checkSize('f()', 'size', MAX_SIZE + 1)).toThrow(
      new RangeError('f(): size must be an integer in [1, 2147483647] (MAX_SIZE, 2^31 − 1), got 2147483648'),
    );
    expect(() => checkSize('f()', 'size', 0)).toThrow(new RangeError('f(): size must be an integer in [1, 2147483647], got 0'));
    expect(() => checkSize('f()', 'size', null)).toThrow(new TypeError('f(): size must be a number, got null'));
  });
});
