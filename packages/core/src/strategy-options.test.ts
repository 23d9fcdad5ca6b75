import { describe, expect, it } from 'vitest';
import { checkStrategyOptions } from './strategy-options.js';

const KEYS = ['size', 'epochs', 'seed', 'nonFinite', 'ratio'];

describe('checkStrategyOptions', () => {
  it('returns size, epochs and nonFinite (default error), leaving the seed to createPruner', () => {
    expect(checkStrategyOptions('mine()', { size: 10, epochs: 3 }, KEYS)).toEqual({ size: 10, epochs: 3, nonFinite: 'error' });
    expect(checkStrategyOptions('mine()', { size: 1, epochs: 1, nonFinite: 'skip', seed: -5 } as never, KEYS)).toEqual({ size: 1, epochs: 1, nonFinite: 'skip' });
  });

  it('refuses what a factory must refuse, naming the function, option and value', () => {
    const bad = (o: unknown, keys = KEYS, required?: string[]) => () => checkStrategyOptions('mine()', o as never, keys, required);
    expect(bad(undefined)).toThrow('mine(): options { size, epochs } are required');
    expect(bad(undefined, KEYS, ['size', 'epochs', 'ratio'])).toThrow('mine(): options { size, epochs, ratio } are required');
    expect(bad(null)).toThrow(TypeError);
    expect(bad({ size: 10, epochs: 3, ratoi: 1 })).toThrow(/mine\(\): unknown option "ratoi" \(did you mean "ratio"\?\)/);
    expect(bad({ size: 0, epochs: 3 })).toThrow(/mine\(\): size must be an integer in \[1, 2147483647\].*got 0/);
    expect(bad({ size: 10, epochs: 0 })).toThrow(/mine\(\): epochs must be an integer.*got 0/);
    expect(bad({ size: 10, epochs: 2, nonFinite: 'ignore' })).toThrow(/mine\(\): nonFinite must be one of/);
  });
});
