import { checkResume, runPruner } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dynamicRandom, full, staticRandom } from './baselines.js';

const sorted = (a: Uint32Array) => [...a].sort((x, y) => x - y);

describe('full', () => {
  it('visits every id every epoch in a fresh order, with no weights', () => {
    const { plans, summaries } = runPruner(full({ size: 500, epochs: 3, seed: 1 }));
    for (const p of plans) {
      expect(sorted(p.indices)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(p.weights).toBeNull();
      expect(p.phase).toBe('full');
    }
    expect(plans[0]!.indices.join()).not.toBe(plans[1]!.indices.join());
    expect(summaries.at(-1)!.savedRatioSoFar).toBe(0);
  });
});

describe('staticRandom', () => {
  it('keeps the same floor((1 − r) · N) ids every epoch', () => {
    const { plans, summaries } = runPruner(staticRandom({ size: 1001, epochs: 4, pruneRatio: 0.3 }));
    expect(plans[0]!.indices.length).toBe(700); // floor(0.7 · 1001) = floor(700.7)
    expect(new Set(plans.map((p) => sorted(p.indices).join())).size).toBe(1);
    expect(summaries.at(-1)!.savedRatioSoFar).toBeCloseTo(301 / 1001, 12);
  });

  it('resumes exactly after any epoch', () => {
    for (const stop of [0, 1, 2, 4]) checkResume(() => staticRandom({ size: 2000, epochs: 4, pruneRatio: 0.5, seed: 3 }), stop);
  });
});

describe('dynamicRandom', () => {
  it('draws a fresh floor((1 − r) · N) ids every epoch', () => {
    const { plans } = runPruner(dynamicRandom({ size: 1000, epochs: 3, pruneRatio: 0.5, seed: 2 }));
    expect(plans.map((p) => p.indices.length)).toEqual([500, 500, 500]);
    expect(sorted(plans[0]!.indices).join()).not.toBe(sorted(plans[1]!.indices).join());
  });

  it('anneals to the full data from floor(δ · E) when delta is given', () => {
    const { plans } = runPruner(dynamicRandom({ size: 100, epochs: 8, pruneRatio: 0.5, delta: 0.875 }));
    expect(plans.map((p) => p.indices.length)).toEqual([50, 50, 50, 50, 50, 50, 50, 100]);
    expect(plans[7]!.phase).toBe('anneal');
  });

  it('resumes exactly after any epoch (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 5 }), fc.nat(9), fc.integer({ min: 0, max: 950 }).map((k) => k / 1000), (size, epochs, seed, r) => {
        const stop = seed % (epochs + 1);
        checkResume(() => dynamicRandom({ size, epochs, pruneRatio: r, seed }), stop);
      }),
      { numRuns: 40 },
    );
  });
});

describe('options', () => {
  it('are validated, naming the option and the value', () => {
    expect(() => dynamicRandom({ size: 10, epochs: 2, pruneRatio: 1 })).toThrow('dynamicRandom(): pruneRatio must be in [0, 1), got 1');
    expect(() => staticRandom({ size: 10, epochs: 2, pruneRatio: -0.1 })).toThrow(RangeError);
    expect(() => full({ size: -5, epochs: 2 })).toThrow('full(): size must be an integer in [1, 2147483647], got -5');
    expect(() => full({ size: 5, epochs: 0 })).toThrow('full(): epochs must be an integer ≥ 1, got 0');
    expect(() => full({ size: 5, epochs: 2, delta: 2 })).toThrow('full(): delta must be in [0, 1], got 2');
    expect(() => full(undefined as never)).toThrow(TypeError);
    expect(() => dynamicRandom({ size: 5, epochs: 2, pruneRatio: '0.5' as unknown as number })).toThrow(TypeError);
  });

  it('a state from other options is rejected', () => {
    const a = dynamicRandom({ size: 100, epochs: 3, pruneRatio: 0.5 });
    runPruner(a, { epochs: 1 });
    expect(() => dynamicRandom({ size: 100, epochs: 3, pruneRatio: 0.4 }).loadState(a.saveState())).toThrow(/other options/);
    expect(() => staticRandom({ size: 100, epochs: 3, pruneRatio: 0.5 }).loadState(a.saveState())).toThrow(/other options/);
  });
});

describe('baseline options', () => {
  it('say which options are required when none are given (instead of a TypeError from inside)', () => {
    expect(() => staticRandom(undefined as never)).toThrow(new TypeError('staticRandom(): options { size, epochs, pruneRatio } are required'));
    expect(() => dynamicRandom(undefined as never)).toThrow(new TypeError('dynamicRandom(): options { size, epochs, pruneRatio } are required'));
    expect(() => full(undefined as never)).toThrow(new TypeError('full(): options { size, epochs } are required'));
    expect(() => staticRandom({ size: 10, epochs: 2 } as never)).toThrow(new TypeError('staticRandom(): pruneRatio must be a number, got undefined'));
  });

  it('refuse unknown, misspelled and null options, naming the key and suggesting the one meant', () => {
    expect(() => full({ size: 10, epochs: 2, pruneRatio: 0.3 } as never)).toThrow(
      new TypeError('full(): unknown option "pruneRatio"; known options: size, epochs, seed, delta, nonFinite'),
    );
    expect(() => dynamicRandom({ size: 10, epochs: 2, pruneratio: 0.3 } as never)).toThrow(
      /dynamicRandom\(\): unknown option "pruneratio" \(did you mean "pruneRatio"\?\); known options: size, epochs, seed, delta, nonFinite, pruneRatio/,
    );
    expect(() => staticRandom({ size: 10, epochs: 2, pruneRatio: 0.3, seed: null } as never)).toThrow(
      new TypeError('staticRandom(): seed must not be null (omit it to use the default)'),
    );
  });

  it('refuse sizes above MAX_SIZE at construction', () => {
    expect(() => staticRandom({ size: 2 ** 32 - 1, epochs: 2, pruneRatio: 0.3 })).toThrow(
      new RangeError('staticRandom(): size must be an integer in [1, 2147483647] (MAX_SIZE, 2^31 − 1), got 4294967295'),
    );
  });
});
