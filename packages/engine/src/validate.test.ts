import { describe, expect, it } from 'vitest';
import {
  checkArrayLike,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkOptionKeys,
  checkOptions,
  describeValue,
  suggestKey,
} from './validate.js';

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
    expect(describeValue(new Float32Array(2))).toBe('a Float32Array of length 2');
    expect(describeValue(new DataView(new ArrayBuffer(2)))).toBe('a DataView');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(new Map())).toBe('a Map');
  });
});

describe('checkOptionKeys', () => {
  const known = ['size', 'epochs', 'pruneRatio', 'delta', 'seed'] as const;

  it('names an unknown key and the option it most likely meant', () => {
    expect(() => checkOptionKeys('infobatch()', { size: 1, prune_ratio: 0.9 }, known)).toThrow(
      new TypeError(
        'infobatch(): unknown option "prune_ratio" (did you mean "pruneRatio"?); known options: size, epochs, pruneRatio, delta, seed',
      ),
    );
    expect(() => checkOptionKeys('f()', { epocs: 3 }, known)).toThrow('unknown option "epocs" (did you mean "epochs"?)');
  });

  it('gives no suggestion when nothing is close', () => {
    expect(() => checkOptionKeys('scan()', { windowScale: 0.5 }, known)).toThrow(
      'scan(): unknown option "windowScale"; known options:',
    );
  });

  it('refuses null, which is not the default', () => {
    expect(() => checkOptionKeys('f()', { pruneRatio: null }, known)).toThrow(
      new TypeError('f(): pruneRatio must not be null (omit it to use the default)'),
    );
  });

  it('accepts known keys, undefined values and no options', () => {
    expect(() => checkOptionKeys('f()', { size: 1, delta: undefined }, known)).not.toThrow();
    expect(() => checkOptionKeys('f()', undefined, known)).not.toThrow();
  });
});

describe('suggestKey', () => {
  it('ignores case, underscores and dashes, then allows a few edits', () => {
    expect(suggestKey('PRUNE-RATIO', ['pruneRatio'])).toBe('pruneRatio');
    expect(suggestKey('sead', ['seed', 'size'])).toBe('seed');
    expect(suggestKey('dleta', ['delta'])).toBe('delta');
    expect(suggestKey('x', ['delta', 'seed'])).toBeUndefined();
  });
});

describe('checkOptionKeys with nullable keys', () => {
  it('accepts null for the keys whose documented values include it, and only those', () => {
    expect(() => checkOptionKeys('f()', { store: null }, ['store', 'seed'], ['store'])).not.toThrow();
    expect(() => checkOptionKeys('f()', { seed: null }, ['store', 'seed'], ['store'])).toThrow(
      new TypeError('f(): seed must not be null (omit it to use the default)'),
    );
  });
});
