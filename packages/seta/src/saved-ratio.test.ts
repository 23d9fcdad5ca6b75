import { runPruner, syntheticLoss } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seta } from './seta.js';
import type { SetaOptions } from './seta.js';
import { expectedSavedRatio, optionsForSavedRatio } from './saved-ratio.js';

const N = 20_000;
/** A fixed rank per sample, 0 … N − 1, spread over the ids. */
const rank = (id: number) => (id * 7919) % N;
/** Losses fixed per sample, uniform on (0, 1): k-means finds near-equal groups. */
const uniform = (id: number) => (rank(id) + 0.5) / N;
/** Losses fixed per sample taking 5 values, on 4000 samples each: k-means with k = 5 finds exactly these groups. */
const fiveClusters = (id: number) => Math.floor((rank(id) * 5) / N) * 10 + 1;
/** Hashed noise in [0, 1) for (id, epoch). */
function noise(id: number, epoch: number): number {
  let g = Math.imul((id + 1) ^ Math.imul(epoch + 1, 0x27d4eb2f), 0x165667b1);
  g ^= g >>> 15;
  return (g >>> 0) / 2 ** 32;
}

function measured(options: SetaOptions, loss: (id: number, epoch: number) => number): number {
  const { summaries } = runPruner(seta(options), { batchSize: 256, losses: (ids, e) => Float32Array.from(ids, (id) => loss(id, e)) });
  return summaries.at(-1)!.savedRatioSoFar;
}

/** Settings from the CIFAR recipe to the aggressive end, both window orders and variants. */
const SETTINGS: SetaOptions[] = [
  { size: N, epochs: 8, pruneRatio: 0.1, windowScale: 0.9 },
  { size: N, epochs: 30, pruneRatio: 0.1, windowScale: 0.9 },
  { size: N, epochs: 30, pruneRatio: 0.3, windowScale: 0.6, order: 'hard-to-easy' },
  { size: N, epochs: 8, pruneRatio: 0.5, windowScale: 0.5, variant: 'continuous' },
  { size: N, epochs: 30, pruneRatio: 0.9, windowScale: 0.2 },
];

describe('expectedSavedRatio (SeTa)', () => {
  it('is exact without downsampling when the losses form k clusters of the assumed sizes', () => {
    for (const epochs of [1, 2, 8, 30]) {
      for (const windowScale of [0.2, 0.6, 0.9, 1]) {
        for (const order of ['easy-to-hard', 'hard-to-easy'] as const) {
          const options = { size: N, epochs, pruneRatio: 0, windowScale, order, seed: 1 };
          expect(measured(options, fiveClusters)).toBeCloseTo(expectedSavedRatio(options), 12);
        }
      }
    }
    // Unequal clusters: 1000, 2000, 3000, 4000 and 10,000 samples, easiest first.
    const bounds = [1000, 3000, 6000, 10_000];
    const unequal = (id: number) => bounds.filter((b) => rank(id) >= b).length * 10 + 1;
    const groupShares = [1, 2, 3, 4, 10];
    for (const variant of ['cyclic', 'continuous'] as const) {
      const options = { size: N, epochs: 12, pruneRatio: 0, windowScale: 0.6, variant, seed: 2 };
      expect(measured(options, unequal)).toBeCloseTo(expectedSavedRatio(options, { groupShares }), 12);
      expect(Math.abs(measured(options, unequal) - expectedSavedRatio(options))).toBeGreaterThan(0.04); // the equal-size default misses
    }
  });

  it('matches runs with downsampling on losses fixed per sample within 0.002 (clusters and uniform losses)', () => {
    for (const options of SETTINGS) {
      const expected = expectedSavedRatio(options);
      expect(Math.abs(measured({ ...options, seed: 3 }, fiveClusters) - expected)).toBeLessThan(0.002);
      expect(Math.abs(measured({ ...options, seed: 4 }, uniform) - expected)).toBeLessThan(0.002);
    }
  });

  it('matches runs on losses that decay with noise within 0.035 (unvisited samples keep older scores, so the groups drift)', () => {
    const decaying = (id: number, e: number) => uniform(id) * Math.exp(-0.1 * e) * (0.9 + 0.2 * noise(id, e));
    for (const options of SETTINGS) {
      const expected = expectedSavedRatio(options);
      expect(Math.abs(measured({ ...options, seed: 5 }, decaying) - expected)).toBeLessThan(0.035);
      expect(Math.abs(measured({ ...options, seed: 6 }, syntheticLoss) - expected)).toBeLessThan(0.035);
    }
  });

  it('counts epoch 0 and the partial-annealing epochs exactly: floor(keep · N) ids each', () => {
    // One epoch is epoch 0 only; with delta 0 every epoch anneals.
    expect(expectedSavedRatio({ size: 1001, epochs: 1, pruneRatio: 0.3 })).toBe(1 - 700 / 1001);
    expect(expectedSavedRatio({ size: 1001, epochs: 5, pruneRatio: 0.3, delta: 0 })).toBeCloseTo(1 - 700 / 1001, 15);
    expect(measured({ size: 1001, epochs: 5, pruneRatio: 0.3, delta: 0 }, uniform)).toBeCloseTo(1 - 700 / 1001, 15);
    // keep is clamped at 0.1, as seta() clamps it
    expect(expectedSavedRatio({ size: 1000, epochs: 1, pruneRatio: 1 })).toBe(0.9);
  });

  it('gives the CIFAR recipe over 200 epochs the value worked out by hand', () => {
    // keep 0.9 → 45,000 sampled; epoch 0 and the 25 annealing epochs from 175 visit them all; step t = 1 … 174
    // visits the unseen share 0.1^t of them and 4 of 5 equal groups of the rest.
    let visited = 45_000 * 26;
    for (let t = 1; t <= 174; t++) visited += 45_000 * (0.1 ** t + (1 - 0.1 ** t) * 0.8);
    expect(expectedSavedRatio({ size: 50_000, epochs: 200, pruneRatio: 0.1 })).toBeCloseTo(1 - visited / (50_000 * 200), 12);
    expect(expectedSavedRatio({ size: 50_000, epochs: 200, pruneRatio: 0.1 })).toBeCloseTo(0.2565, 4);
  });

  it('refuses what seta() refuses, and group shares that do not fit', () => {
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, windowScale: 0 })).toThrow(new RangeError('expectedSavedRatio(): windowScale must be in (0, 1], got 0'));
    expect(() => expectedSavedRatio({ size: 3, epochs: 2, groups: 5 })).toThrow(new RangeError('expectedSavedRatio(): groups must not exceed size 3, got 5'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 2, window_scale: 0.5 } as never)).toThrow(/unknown option "window_scale" \(did you mean "windowScale"\?\)/);
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { groupShares: [1, 1] })).toThrow(new RangeError('expectedSavedRatio(): groupShares must have one share per group (5), got 2'));
    expect(() => expectedSavedRatio({ size: 10, epochs: 2 }, { groupShares: [1, 1, 0, 1, 1] })).toThrow(new RangeError('expectedSavedRatio(): groupShares[2] must be in (0, 1.7976931348623157e+308], got 0'));
  });
});

describe('optionsForSavedRatio (SeTa)', () => {
  it('chooses the smallest pruneRatio, in steps of 0.0001, whose expected saving reaches the target', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.constantFrom(0.4, 0.6, 0.9, 1), fc.double({ min: 0, max: 1, noNaN: true }), (epochs, windowScale, fraction) => {
        const base = { size: 10_000, epochs, windowScale };
        const low = expectedSavedRatio({ ...base, pruneRatio: 0 });
        const high = expectedSavedRatio({ ...base, pruneRatio: 0.9 });
        const target = low + fraction * (high - low);
        const { pruneRatio } = optionsForSavedRatio({ ...base, targetSavedRatio: target });
        expect(Math.round(pruneRatio! * 10_000)).toBeCloseTo(pruneRatio! * 10_000, 9);
        expect(expectedSavedRatio({ ...base, pruneRatio })).toBeGreaterThanOrEqual(target);
        if (pruneRatio! > 0) expect(expectedSavedRatio({ ...base, pruneRatio: Math.round(pruneRatio! * 10_000 - 1) / 10_000 })).toBeLessThan(target);
      }),
    );
  });

  it('keeps groups, windowScale, order and variant as given and sets only pruneRatio', () => {
    const o = optionsForSavedRatio({ size: 55_000, epochs: 30, targetSavedRatio: 0.5, groups: 5, windowScale: 0.6, order: 'hard-to-easy', seed: 7 });
    expect(o).toEqual({ size: 55_000, epochs: 30, groups: 5, windowScale: 0.6, order: 'hard-to-easy', seed: 7, pruneRatio: o.pruneRatio });
    expect(optionsForSavedRatio({ size: 55_000, epochs: 30, targetSavedRatio: 0.3 }).pruneRatio).toBe(0.1613);
  });

  it('gives options without a target back unchanged', () => {
    const options = { size: 10, epochs: 2, pruneRatio: 0.2 };
    expect(optionsForSavedRatio(options)).toBe(options);
  });

  it('builds, from seta({ targetSavedRatio }), the pruner of the pruneRatio it chooses, which saves the target on near-equal groups', () => {
    const a = seta({ size: N, epochs: 30, targetSavedRatio: 0.4, seed: 8 });
    const b = seta({ ...optionsForSavedRatio({ size: N, epochs: 30, targetSavedRatio: 0.4 }), seed: 8 });
    expect(a.saveState()).toEqual(b.saveState());
    expect(Math.abs(measured({ size: N, epochs: 30, targetSavedRatio: 0.4, seed: 8 }, uniform) - 0.4)).toBeLessThan(0.002);
  });

  it('refuses a target with pruneRatio, and one the window puts out of reach, naming function, argument and value', () => {
    expect(() => seta({ size: 100, epochs: 30, pruneRatio: 0.1, targetSavedRatio: 0.3 })).toThrow(
      new TypeError('seta(): give targetSavedRatio or pruneRatio, not both (the target sets pruneRatio), got targetSavedRatio 0.3 and pruneRatio 0.1'),
    );
    expect(() => seta({ size: 55_000, epochs: 30, targetSavedRatio: 0.1 })).toThrow(
      new RangeError(
        'seta(): targetSavedRatio must be at least 0.1667 with 5 groups and windowScale 0.9 (a window of 4 groups saves that without downsampling, over 26 of 30 epochs), got 0.1; a larger windowScale saves less',
      ),
    );
    expect(() => seta({ size: 55_000, epochs: 30, targetSavedRatio: 0.99 })).toThrow(
      new RangeError('seta(): targetSavedRatio must be at most 0.911 with 5 groups and windowScale 0.9 (keep is at least 0.1, over 26 of 30 epochs before partial annealing), got 0.99'),
    );
    expect(() => seta({ size: 55_000, epochs: 30, targetSavedRatio: 0.1667 })).not.toThrow();
    expect(() => seta({ size: 10, epochs: 3, targetSavedRatio: Number.NaN })).toThrow(new RangeError('seta(): targetSavedRatio must be in [0, 1], got NaN'));
    expect(seta({ size: 10, epochs: 3, windowScale: 1, targetSavedRatio: 0 }).saveState()).toEqual(seta({ size: 10, epochs: 3, windowScale: 1, pruneRatio: 0 }).saveState());
  });
});
