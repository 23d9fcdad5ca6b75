import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracyAtVisits, checkPairing, compareWithCurve, meanCi95, perSeedValues, tQuantile975, visitsForAccuracy, withCi } from './evidence-stats.js';

const curveA = [
  { visits: 1, accuracy: 0.9 },
  { visits: 0.25, accuracy: 0.8 },
  { visits: 0.5, accuracy: 0.86 },
];
const curveB = [
  { visits: 0.25, accuracy: 0.82 },
  { visits: 0.5, accuracy: 0.87 },
  { visits: 1, accuracy: 0.91 },
];

describe('tQuantile975', () => {
  it('gives the table values and a close expansion beyond df 30', () => {
    expect(tQuantile975(1)).toBe(12.7062);
    expect(tQuantile975(4)).toBe(2.7764);
    expect(tQuantile975(40)).toBeCloseTo(2.021075, 3);
    expect(tQuantile975(100)).toBeCloseTo(1.983972, 4);
    expect(() => tQuantile975(0)).toThrow('tQuantile975(): df must be an integer ≥ 1, got 0');
  });
});

describe('meanCi95', () => {
  it('is mean ± t·s/√n over the values (hand-computed)', () => {
    const r = meanCi95([1, 2, 3]);
    expect(r.mean).toBe(2);
    expect(r.ci95![0]).toBeCloseTo(2 - 4.3027 / Math.sqrt(3), 12);
    expect(r.ci95![1]).toBeCloseTo(2 + 4.3027 / Math.sqrt(3), 12);
  });

  it('has no interval for one value and a zero-width one for equal values', () => {
    expect(meanCi95([0.5])).toEqual({ mean: 0.5, ci95: null, n: 1 });
    expect(meanCi95([0.25, 0.25, 0.25]).ci95).toEqual([0.25, 0.25]);
    expect(() => meanCi95([])).toThrow(RangeError);
    expect(() => meanCi95([1, Number.NaN])).toThrow('meanCi95(): values must be finite, got NaN');
  });

  it('always contains the mean', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 40 }), (ints) => {
        const r = meanCi95(ints.map((i) => i / 1000));
        expect(r.ci95![0]).toBeLessThanOrEqual(r.mean + 1e-12);
        expect(r.ci95![1]).toBeGreaterThanOrEqual(r.mean - 1e-12);
      }),
    );
  });
});

describe('accuracyAtVisits', () => {
  it('interpolates linearly between budgets, whatever order the points come in', () => {
    expect(accuracyAtVisits(curveA, 0.75)).toBeCloseTo(0.88, 12);
    expect(accuracyAtVisits(curveA, 0.25)).toBe(0.8);
    expect(accuracyAtVisits(curveA, 1)).toBe(0.9);
    expect(accuracyAtVisits(curveA, 0.375)).toBeCloseTo(0.83, 12);
  });

  it('does not extrapolate', () => {
    expect(accuracyAtVisits(curveA, 0.2)).toBeNull();
    expect(accuracyAtVisits(curveA, 1.1)).toBeNull();
  });

  it('refuses curves it cannot read', () => {
    expect(() => accuracyAtVisits([{ visits: 1, accuracy: 0.9 }], 1)).toThrow('at least two points');
    expect(() => accuracyAtVisits([{ visits: 1, accuracy: 0.9 }, { visits: 1, accuracy: 0.8 }], 1)).toThrow('two curve points at visits 1');
  });
});

describe('visitsForAccuracy', () => {
  it('inverts the curve (hand-computed)', () => {
    expect(visitsForAccuracy(curveA, 0.88)).toEqual({ visits: expect.closeTo(0.75, 12), censored: null });
    expect(visitsForAccuracy(curveA, 0.83).visits).toBeCloseTo(0.375, 12);
    expect(visitsForAccuracy(curveA, 0.8)).toEqual({ visits: 0.25, censored: null });
  });

  it('reports the bound when the curve does not reach the accuracy', () => {
    expect(visitsForAccuracy(curveA, 0.91)).toEqual({ visits: 1, censored: 'above' });
    expect(visitsForAccuracy(curveA, 0.79)).toEqual({ visits: 0.25, censored: 'below' });
  });

  it('takes the first crossing when the curve dips', () => {
    const dip = [
      { visits: 0.25, accuracy: 0.8 },
      { visits: 0.5, accuracy: 0.9 },
      { visits: 0.75, accuracy: 0.85 },
      { visits: 1, accuracy: 0.9 },
    ];
    expect(visitsForAccuracy(dip, 0.88).visits).toBeCloseTo(0.45, 12);
  });

  it('is the inverse of accuracyAtVisits on an increasing curve', () => {
    fc.assert(
      fc.property(fc.integer({ min: 250, max: 1000 }), (milli) => {
        const v = milli / 1000;
        const a = accuracyAtVisits(curveB, v)!;
        expect(visitsForAccuracy(curveB, a).visits).toBeCloseTo(v, 9);
      }),
    );
  });
});

describe('compareWithCurve', () => {
  it('pairs each run with its own seed’s curve (hand-computed)', () => {
    const r = compareWithCurve(
      [
        { seed: 0, visits: 0.5, accuracy: 0.88 },
        { seed: 1, visits: 0.6, accuracy: 0.87 },
      ],
      new Map([
        [0, curveA],
        [1, curveB],
      ]),
    );
    expect(r.deltaPerSeed[0]).toBeCloseTo(0.02, 12);
    expect(r.deltaPerSeed[1]).toBeCloseTo(-0.008, 12);
    expect(r.delta!.mean).toBeCloseTo(0.006, 12);
    const half = (12.7062 * (0.028 / Math.SQRT2)) / Math.SQRT2;
    expect(r.delta!.ci95![0]).toBeCloseTo(0.006 - half, 10);
    expect(r.delta!.ci95![1]).toBeCloseTo(0.006 + half, 10);
    expect(r.visitsSavedPerSeed[0]).toBeCloseTo(1 / 3, 12);
    expect(r.visitsSavedPerSeed[1]).toBeCloseTo(-0.2, 12);
    expect(r.visitsSaved.mean).toBeCloseTo((1 / 3 - 0.2) / 2, 12);
    expect(r.censoredPerSeed).toEqual([null, null]);
  });

  it('leaves runs off the curve out of the delta and marks censored savings', () => {
    const r = compareWithCurve([{ seed: 0, visits: 0.2, accuracy: 0.95 }], new Map([[0, curveA]]));
    expect(r.deltaPerSeed).toEqual([null]);
    expect(r.delta).toBeNull();
    expect(r.censoredPerSeed).toEqual(['above']);
    expect(r.visitsSavedPerSeed[0]).toBeCloseTo(0.8, 12);
  });

  it('refuses a seed without a curve', () => {
    expect(() => compareWithCurve([{ seed: 3, visits: 0.5, accuracy: 0.8 }], new Map())).toThrow('no full-data curve for seed 3');
  });
});

describe('perSeedValues', () => {
  it('keys each value by its seed and gives their mean', () => {
    const items = [{ seed: 2, x: 0.5 }, { seed: 0, x: 0.75 }];
    expect(perSeedValues(items, (r) => r.seed, (r) => r.x)).toEqual({ mean: 0.625, perSeed: { '0': 0.75, '2': 0.5 } });
  });
});

describe('withCi', () => {
  it('copies the interval into a plain pair, or keeps null', () => {
    const m = meanCi95([1, 3]);
    const j = withCi(m);
    expect(j).toEqual({ mean: 2, ci95: [m.ci95![0], m.ci95![1]] });
    expect(j.ci95![0]).toBeCloseTo(2 - 12.7062, 10);
    expect(Object.isFrozen(j.ci95)).toBe(false);
    expect(withCi(meanCi95([1]))).toEqual({ mean: 1, ci95: null });
  });
});

describe('checkPairing', () => {
  it('accepts one digest per seed, different across seeds', () => {
    expect(() => checkPairing('f()', [{ seed: 0, initDigest: 'a' }, { seed: 0, initDigest: 'a' }, { seed: 1, initDigest: 'b' }])).not.toThrow();
  });
  it('rejects a missing digest, a seed with two digests, and two seeds sharing one', () => {
    expect(() => checkPairing('f()', [{ seed: 0, initDigest: undefined }])).toThrow('f(): a record of seed 0 has no initDigest');
    expect(() => checkPairing('f()', [{ seed: 0, initDigest: 'a' }, { seed: 0, initDigest: 'b' }])).toThrow("f(): seed 0's runs started from different weights");
    expect(() => checkPairing('f()', [{ seed: 0, initDigest: 'a' }, { seed: 1, initDigest: 'a' }])).toThrow('f(): two seeds started from the same weights');
  });
});
