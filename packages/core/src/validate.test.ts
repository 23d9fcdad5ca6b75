import { describe, expect, it } from 'vitest';
import { checkArrayLike, checkInteger, checkNumber, checkOneOf, checkOptions, describeValue } from './validate.js';

describe('validation helpers', () => {
  it('name the function, the argument and the value', () => {
    expect(() => checkInteger('f()', 'size', 0, 1)).toThrow(new RangeError('f(): size must be an integer ≥ 1, got 0'));
    expect(() => checkInteger('f()', 'size', 5, 1, 4)).toThrow('f(): size must be an integer in [1, 4], got 5');
    expect(() => checkInteger('f()', 'size', '5')).toThrow(new TypeError('f(): size must be a number, got "5"'));
    expect(() => checkNumber('seta()', 'windowScale', 1.5, 0, 1, { openMin: true })).toThrow(
      'seta(): windowScale must be in (0, 1], got 1.5',
    );
    expect(() => checkNumber('f()', 'r', Number.NaN, 0, 1)).toThrow('f(): r must be in [0, 1], got NaN');
    expect(() => checkOneOf('f()', 'mode', 'x', ['a', 'b'])).toThrow(new RangeError('f(): mode must be one of "a", "b", got "x"'));
    expect(() => checkOneOf('f()', 'mode', 3, ['a'])).toThrow(TypeError);
    expect(() => checkArrayLike('f()', 'ids', 3)).toThrow('f(): ids must be an array or typed array, got 3');
    expect(() => checkOptions('f()', [])).toThrow('f(): options must be an object, got an array of length 0');
  });

  it('return the value when it is valid', () => {
    expect(checkInteger('f()', 'n', 3, 1)).toBe(3);
    expect(checkNumber('f()', 'r', 0, 0, 1)).toBe(0);
    expect(checkOneOf('f()', 'm', 'a', ['a', 'b'])).toBe('a');
    expect(() => checkOptions('f()', undefined)).not.toThrow();
  });

  it('describes values readably', () => {
    expect(describeValue(new Float32Array(2))).toBe('a Float32Array');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(new Map())).toBe('a Map');
  });
});
