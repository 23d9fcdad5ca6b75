import { Random, StateError, StateReader, StateWriter, batchPlan, setWasmKernels, wasmKernelsEnabled } from '@seta/core';
import type { EpochPlan, Pruner } from '@seta/core';
import { checkResume, runPruner, syntheticLossPairs } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extremes, sortedPositions } from './batch-extremes.js';
import { maskPositions, positionsMask } from './bitmask.js';
import { classifyLosses } from './classify-losses.js';
import { combineDirections, combineMasks } from './combine-directions.js';
import { Scratch } from './scratch.js';
import { BOUNDS, Classifier, classifierAvailable } from './wasm-classify.js';
import { scan } from './scan.js';
import { scanStage } from './scan-stage.js';

/** Run epochs with losses given per (id, epoch); returns plans. */
function drive(p: Pruner, epochs: number, loss: (id: number, e: number) => number, batchSize = 10, lossB?: (id: number, e: number) => number): EpochPlan[] {
  const plans: EpochPlan[] = [];
  for (let e = 0; e < epochs; e++) {
    const plan = p.plan(e);
    plans.push(plan);
    for (const b of batchPlan(plan, batchSize)) {
      const a = Float32Array.from(b.indices, (id) => loss(id, e));
      if (lossB === undefined) p.observe(b.indices, a);
      else p.observe(b.indices, a, Float32Array.from(b.indices, (id) => lossB(id, e)));
    }
    p.endEpoch();
  }
  return plans;
}

const missing = (plan: EpochPlan, size: number) => {
  const present = new Set(plan.indices);
  return Array.from({ length: size }, (_, i) => i).filter((i) => !present.has(i));
};

describe('scan', () => {
  it('warms up until the improvement falls below τ, then prepares and prunes 25 %, 75 %, 100 % of the candidates', () => {
    const p = scan({ size: 100, epochs: 10, pruneRatio: 0.3, seed: 1 });
    // constant losses: epoch 1 improves by 0 < 0.3, so the first cycle starts at epoch 2
    const plans = drive(p, 10, (id) => id);
    expect(plans.map((x) => x.phase)).toEqual(['warmup', 'warmup', 'warmup', 'prune', 'prune', 'prune', 'warmup', 'prune', 'prune', 'prune']);
    // each batch of 10 contributes its 3 lowest and 3 highest ids: 60 candidates
    expect(plans.map((x) => x.indices.length)).toEqual([100, 100, 100, 85, 55, 40, 100, 85, 55, 40]);
    // pruned ids are always candidates of the preceding preparation epoch
    const candidates = new Set<number>();
    for (const b of batchPlan(plans[2]!, 10)) {
      const sorted = [...b.indices].sort((x, y) => x - y);
      for (const id of [...sorted.slice(0, 3), ...sorted.slice(7)]) candidates.add(id);
    }
    expect(candidates.size).toBe(60);
    for (const e of [3, 4, 5]) for (const id of missing(plans[e]!, 100)) expect(candidates.has(id)).toBe(true);
    expect(new Set(missing(plans[5]!, 100))).toEqual(candidates);
    // average over the cycle: (0 + 15 + 45 + 60) / (4 · 100) = ρ
    expect(p.history.slice(2, 6).reduce((s, h) => s + h.prunedRatio, 0) / 4).toBeCloseTo(0.3, 12);
  });

  it('ends warm-up after the first epoch whose relative improvement is below τ, never after the first', () => {
    const means = [10, 5, 2.5, 2.0, 1.9];
    const p = scan({ size: 50, epochs: 8, pruneRatio: 0.2, warmupThreshold: 0.3 });
    const plans = drive(p, 8, (_id, e) => means[Math.min(e, 4)]!);
    // improvements: 0.5, 0.5, 0.2 → warm-up ends after epoch 3, p0 = 4
    expect(plans.map((x) => x.phase)).toEqual(['warmup', 'warmup', 'warmup', 'warmup', 'warmup', 'prune', 'prune', 'prune']);
    const never = scan({ size: 20, epochs: 2, warmupThreshold: 5 });
    expect(drive(never, 2, () => 1).map((x) => x.phase)).toEqual(['warmup', 'warmup']);
  });

  it('uses both directions summed for the warm-up signal', () => {
    const p = scan({ size: 20, epochs: 4, pruneRatio: 0.1 });
    // A falls by half each epoch but B rises to keep A + B flat: no improvement, so p0 = 2
    const plans = drive(p, 4, (_id, e) => 2 / 2 ** e, 10, (_id, e) => 10 - 2 / 2 ** e);
    expect(plans[3]!.phase).toBe('prune');
  });

  it("takes effect in mode 'ill' and 'redundant' (a reference defect not reproduced)", () => {
    for (const mode of ['ill', 'redundant'] as const) {
      const p = scan({ size: 100, epochs: 6, pruneRatio: 0.3, mode, seed: 2 });
      const plans = drive(p, 6, (id) => id);
      expect(plans.map((x) => x.indices.length)).toEqual([100, 100, 100, 93, 78, 70]); // 30 candidates
      const rank = new Map<number, number>();
      for (const b of batchPlan(plans[2]!, 10)) [...b.indices].sort((x, y) => x - y).forEach((id, r) => rank.set(id, r));
      for (const id of missing(plans[5]!, 100)) expect(mode === 'ill' ? rank.get(id)! >= 7 : rank.get(id)! <= 2).toBe(true);
    }
  });

  it('selects nothing when a count rounds to 0 (the reference selects the whole batch)', () => {
    const p = scan({ size: 30, epochs: 6, pruneRatio: 0.3 });
    const plans = drive(p, 6, (id) => id, 3); // floor(3 · 0.3) = 0
    expect(plans.every((x) => x.indices.length === 30)).toBe(true);
  });

  it('takes absolute thresholds instead of ratios when given', () => {
    const p = scan({ size: 100, epochs: 6, maxLoss: 89.5, minLoss: 4.5, seed: 3 });
    const plans = drive(p, 6, (id) => id);
    const pruned = missing(plans[5]!, 100).sort((a, b) => a - b);
    expect(pruned).toEqual([0, 1, 2, 3, 4, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it('keeps plans free of weights and ids distinct, and resumes exactly after any epoch, mid-cycle included (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.constantFrom('both', 'ill', 'redundant'),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(30),
        (size, epochs, rho, mode, T, seed) => {
          const make = () => scan({ size, epochs, pruneRatio: rho, mode: mode as 'both', mutationEpochs: T, warmupThreshold: 0.5, seed });
          const ref = checkResume(make, seed % (epochs + 1), { losses: syntheticLossPairs, batchSize: 16 });
          for (const p of ref.plans) expect(p.weights).toBeNull();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => scan({ size: 10, epochs: 5, pruneRatio: 0.6 })).toThrow('scan(): pruneRatio must be in (0, 0.5], got 0.6');
    expect(() => scan({ size: 10, epochs: 5, pruneRatio: 0 })).toThrow(RangeError);
    expect(() => scan({ size: 10, epochs: 5, mode: 'all' as 'both' })).toThrow('scan(): mode must be one of "both", "redundant", "ill", got "all"');
    expect(() => scan({ size: 10, epochs: 5, mutationEpochs: 0 })).toThrow('scan(): mutationEpochs must be an integer ≥ 1, got 0');
    expect(() => scan({ size: 10, epochs: 5, warmupThreshold: -1 })).toThrow(/warmupThreshold/);
    expect(() => scan({ size: 10, epochs: 5, illRatio: 0.7, redundantRatio: 0.6 })).toThrow(/illRatio \+ redundantRatio must be at most 1/);
    expect(() => scan({ size: 10, epochs: 5, maxLoss: Number.NaN })).toThrow(/maxLoss/);
  });
});

describe('candidate preparation', () => {
  it('sorts a batch by loss with ties by position, negatives included', () => {
    expect([...sortedPositions(Float32Array.of(0.5, -1, 0.5, 3, 0, 0))]).toEqual([1, 4, 5, 0, 2, 3]);
  });

  it('combines directions by the 90 % intersection rule', () => {
    const rng = new Random(0);
    // |A ∩ B| = 9 ≥ 0.9 · 10: the intersection alone
    const a = Uint32Array.from({ length: 10 }, (_, i) => i);
    const b = Uint32Array.from({ length: 10 }, (_, i) => i + 1);
    expect([...combineDirections(a, b, 20, rng)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // |A ∩ B| = 2 < 9: fill to |A| = 10 from (A ∪ B) \ C
    const c = Uint32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    const d = Uint32Array.of(8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
    for (let t = 0; t < 20; t++) {
      const out = [...combineDirections(c, d, 20, rng)];
      expect(out.length).toBe(10);
      expect(new Set(out).size).toBe(10);
      expect(out).toContain(8);
      expect(out).toContain(9);
      for (const p of out) expect(p).toBeLessThan(18);
    }
  });

  it('draws the fill uniformly from (A ∪ B) \\ C', () => {
    const rng = new Random(1);
    const a = Uint32Array.of(0, 1, 2, 3);
    const b = Uint32Array.of(4, 5, 6, 7);
    const counts = new Array<number>(8).fill(0);
    for (let t = 0; t < 8000; t++) for (const p of combineDirections(a, b, 8, rng)) counts[p]!++;
    for (const c of counts) expect(Math.abs(c / 8000 - 0.5)).toBeLessThan(0.03);
  });

  it('takes the floor(b · ρ) highest and lowest of one direction', () => {
    const { ill, red } = extremes(Float32Array.of(5, 1, 9, 3, 7), { illCount: 2, maxLoss: null, redCount: 1, minLoss: null });
    expect([...ill].sort()).toEqual([2, 4]);
    expect([...red]).toEqual([1]);
    const both = extremes(Float32Array.of(3, 3, 3, 3), { illCount: 2, maxLoss: null, redCount: 2, minLoss: null });
    expect([...both.red].sort()).toEqual([0, 1]); // ties go to the lower positions
    expect([...both.ill].sort()).toEqual([2, 3]);
  });
});

describe('extremes by quickselect', () => {
  it('agrees with a full sort on random batches with ties, for every count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 }), fc.nat(), (values, c) => {
        const losses = Float32Array.from(values, (v) => v / 4);
        const sorted = sortedPositions(losses);
        const b = losses.length;
        const ill = c % (b + 1);
        const red = Math.floor(c / 7) % (b + 1 - ill);
        const got = extremes(losses, { illCount: ill, maxLoss: null, redCount: red, minLoss: null });
        expect([...got.ill]).toEqual([...sorted.slice(b - ill)].sort((x, y) => x - y));
        expect([...got.red]).toEqual([...sorted.slice(0, red)].sort((x, y) => x - y));
      }),
    );
  });

  it('treats -0 as 0, and gives the same sets through a shared scratch, direction by direction', () => {
    const losses = Float32Array.of(0, -0, 0, -0, 1, -1);
    const rule = { illCount: 2, maxLoss: null, redCount: 3, minLoss: null };
    expect([...extremes(losses, rule).red]).toEqual([0, 1, 5]); // -1, then the first two zeros by position
    const scratch = new Scratch();
    const rng = new Random(2);
    for (let t = 0; t < 50; t++) {
      const b = 1 + rng.nextInt(300);
      const x = Float32Array.from({ length: b }, () => rng.nextInt(40) - 20);
      const y = Float32Array.from({ length: b }, () => rng.nextFloat());
      const r = { illCount: Math.floor(b * 0.3), maxLoss: null, redCount: Math.floor(b * 0.3), minLoss: null };
      const a = extremes(x, r, scratch, 0);
      const c = extremes(y, r, scratch, 1); // must not overwrite a
      const fa = extremes(x, r);
      const fc2 = extremes(y, r);
      expect([...a.ill, -1, ...a.red, -1, ...c.ill, -1, ...c.red]).toEqual([...fa.ill, -1, ...fa.red, -1, ...fc2.ill, -1, ...fc2.red]);
    }
  });
});

describe('extremes through a shared scratch (bracketed cuts)', () => {
  /** The sets by a full sort: the red lowest and ill highest positions, ascending. */
  const bySort = (losses: Float32Array, red: number, ill: number) => {
    const sorted = sortedPositions(losses);
    const b = losses.length;
    const asc = (x: Uint32Array) => [...x].sort((p, q) => p - q);
    return { red: asc(sorted.slice(0, red)), ill: asc(sorted.slice(b - Math.min(ill, b - red))) };
  };

  it.each([
    ['WebAssembly', true],
    ['JavaScript', false],
  ])('agrees with a full sort over a stream of batches whose distribution shifts, in both directions (%s pass)', (_name, kernels) => {
    const before = setWasmKernels(kernels);
    try {
      // Runs of batches from one distribution (where the previous batches' cuts
      // bracket the next one's), then a jump (where the brackets miss and the
      // general path runs): uniform, shifted and scaled, negative, integer
      // ties, a point mass, and a batch size that changes.
      const scratch = new Scratch();
      const rng = new Random(11);
      const kinds = [
        (_i: number) => rng.nextFloat(),
        (_i: number) => 100 + 1e-3 * rng.nextFloat(),
        (_i: number) => -5 * rng.nextFloat(),
        (_i: number) => rng.nextInt(7) - 3,
        (_i: number) => 2.5,
        (i: number) => (i % 2 === 0 ? 0 : -0),
        (_i: number) => rng.nextFloat() * rng.nextFloat() * 1e6,
      ];
      let checked = 0;
      for (let run = 0; run < 60; run++) {
        const kind = kinds[rng.nextInt(kinds.length)]!;
        const b = rng.nextInt(4) === 0 ? 1 + rng.nextInt(600) : 256;
        const red = Math.floor(b * [0, 0.1, 0.3, 0.5][rng.nextInt(4)]!);
        const ill = Math.floor(b * [0, 0.2, 0.3, 0.5][rng.nextInt(4)]!);
        const rule = { illCount: ill, maxLoss: null, redCount: red, minLoss: null };
        for (let t = 0; t < 12; t++) {
          for (const direction of [0, 1]) {
            const losses = Float32Array.from({ length: b }, (_, i) => kind(i));
            const got = extremes(losses, rule, scratch, direction);
            const want = bySort(losses, red, ill);
            expect([...got.red]).toEqual(want.red);
            expect([...got.ill]).toEqual(want.ill);
            checked++;
          }
        }
      }
      expect(checked).toBe(60 * 12 * 2);
      // Most batches of a run take the brackets: the general path runs on a
      // direction's first batch and after a jump.
      expect(scratch.bracketed).toBeGreaterThan(0.6 * checked);
      expect(scratch.classifier() !== null).toBe(kernels && classifierAvailable());
    } finally {
      setWasmKernels(before);
    }
  });
  it('agrees with a full sort when every batch is a fresh random draw (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 64, maxLength: 64 }), { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 32 }),
        (batches, red, ill) => {
          const scratch = new Scratch();
          for (const values of batches) {
            const losses = Float32Array.from(values, (v) => v / 8);
            const got = extremes(losses, { illCount: ill, maxLoss: null, redCount: red, minLoss: null }, scratch, 0);
            const want = bySort(losses, red, ill);
            expect([...got.red]).toEqual(want.red);
            expect([...got.ill]).toEqual(want.ill);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the WebAssembly classification pass', () => {
  it('is available on this runtime, and off with the kernels turned off', () => {
    expect(classifierAvailable()).toBe(true);
    const before = setWasmKernels(false);
    try {
      expect(wasmKernelsEnabled()).toBe(false);
      expect(Classifier.create(256)).toBeNull();
    } finally {
      setWasmKernels(before);
    }
    expect(Classifier.create(256)).not.toBeNull();
  });

  it('writes the masks and counts the JavaScript pass writes, bit for bit (property)', () => {
    const kernel = Classifier.create(1024)!;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 1024 }),
        fc.array(fc.option(fc.integer({ min: -44, max: 44 }), { nil: null, freq: 6 }), { minLength: 2 * BOUNDS, maxLength: 2 * BOUNDS }),
        (values, bounds) => {
          // Losses and bounds on a grid of eighths, so that losses equal to a bound are common; null bounds are NaN.
          const losses = Float32Array.from(values, (v) => v / 8);
          kernel.bounds.set(bounds.map((t) => (t === null ? Number.NaN : t / 8)));
          kernel.losses.fill(123); // stale values from an earlier batch must not leak into the last word
          kernel.classify(losses);
          const words = (losses.length + 31) >>> 5;
          const masks = Array.from({ length: 2 * BOUNDS }, () => new Int32Array(words));
          const counts = new Int32Array(2 * BOUNDS);
          classifyLosses(losses, kernel.bounds, masks, counts);
          for (let i = 0; i < 2 * BOUNDS; i++) expect([...kernel.masks[i]!.subarray(0, words)]).toEqual([...masks[i]!]);
          expect([...kernel.counts]).toEqual([...counts]);
          // And the JavaScript pass against the definition.
          for (let i = 0; i < 2 * BOUNDS; i++) {
            const t = kernel.bounds[i]!;
            const want = [...losses].map((v, j) => (i < BOUNDS ? v < t : v > t) ? j : -1).filter((j) => j >= 0);
            expect([...maskPositions(masks[i]!, losses.length)]).toEqual(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles batches beyond one memory page with a new instance', () => {
    const scratch = new Scratch();
    const rng = new Random(5);
    const rule = { illCount: 6000, maxLoss: null, redCount: 9000, minLoss: null };
    for (const b of [256, 30_000, 30_000, 100]) {
      const losses = Float32Array.from({ length: b }, () => rng.nextFloat());
      const got = extremes(losses, rule, scratch, 0);
      const sorted = sortedPositions(losses);
      const red = Math.min(9000, b);
      const ill = Math.min(6000, b - red);
      expect([...got.red]).toEqual([...sorted.slice(0, red)].sort((p, q) => p - q));
      expect([...got.ill]).toEqual([...sorted.slice(b - ill)].sort((p, q) => p - q));
    }
    expect(scratch.classifier()!.capacity).toBeGreaterThanOrEqual(30_000);
    expect(scratch.bracketed).toBeGreaterThan(0); // the second batch of 30,000
  });
});

describe('combineMasks', () => {
  /** ALGORITHMS.md §4 on arrays, the fill a partial Fisher–Yates over A \ B then B \ A (ascending). */
  function reference(a: number[], b: number[], rng: Random): Set<number> {
    const inB = new Set(b);
    const inA = new Set(a);
    const both = a.filter((p) => inB.has(p));
    const rest = [...a.filter((p) => !inB.has(p)), ...b.filter((p) => !inA.has(p))];
    const out = new Set(both);
    if (both.length < 0.9 * a.length) {
      const need = Math.min(a.length - both.length, rest.length);
      for (let i = 0; i < need; i++) {
        const j = i + rng.nextIntUnchecked(rest.length - i);
        [rest[i], rest[j]] = [rest[j]!, rest[i]!];
        out.add(rest[i]!);
      }
    }
    return out;
  }

  it('gives the reference set with the same draws (property)', () => {
    fc.assert(
      // Shares in whole percent: fast-check's doubles crowd near 0.
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(1000), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (b, seed, pa, pb) => {
        const pick = new Random(seed + 1);
        const a = Array.from({ length: b }, (_, i) => i).filter(() => pick.nextFloat() < pa / 100);
        const c = Array.from({ length: b }, (_, i) => i).filter(() => pick.nextFloat() < pb / 100);
        const r1 = new Random(seed);
        const r2 = new Random(seed);
        const scratch = new Scratch();
        scratch.ensure(b);
        const words = (b + 31) >>> 5;
        const got = maskPositions(combineMasks(positionsMask(a, b), positionsMask(c, b), words, r1, scratch), b);
        expect([...got]).toEqual([...reference(a, c, r2)].sort((x, y) => x - y));
        expect(r1.nextUint32()).toBe(r2.nextUint32()); // the same number of draws
      }),
      { numRuns: 300 },
    );
  });

  it('returns the one direction\'s set unchanged, drawing nothing', () => {
    const scratch = new Scratch();
    const m = positionsMask([1, 5, 40], 64);
    const rng = new Random(3);
    expect(combineMasks(m, m, 2, rng, scratch)).toBe(m);
    expect(rng.nextUint32()).toBe(new Random(3).nextUint32());
  });
});

describe('scanStage candidate marking', () => {
  it('marks the same candidates with small batches and with batches of more candidates than the queue holds', () => {
    // One loss direction, so no fill is drawn: the candidates are exactly
    // each batch's ⌊0.3·b⌋ lowest and highest ids; mutation epoch 3 of
    // T = 3 (ρ = 1) prunes all of them.
    const size = 130_000;
    for (const batchSize of [60_000, 300]) { // 18,000 candidates of each kind a batch (more than the queue holds); 90
      const p = scan({ size, epochs: 6, pruneRatio: 0.3, warmupThreshold: 1, seed: 4 });
      const loss = (id: number) => (Math.imul(id, 0x9e3779b1) >>> 0) / 2 ** 32;
      const plans = drive(p, 6, loss, batchSize);
      expect(plans[2]!.phase).toBe('warmup');
      const want = new Set<number>();
      for (const b of batchPlan(plans[2]!, batchSize)) {
        const losses = Float32Array.from(b.indices, loss);
        const sorted = sortedPositions(losses);
        const k = Math.floor(b.indices.length * 0.3);
        for (const q of [...sorted.slice(0, k), ...sorted.slice(b.indices.length - k)]) want.add(b.indices[q]!);
      }
      expect(new Set(missing(plans[5]!, size))).toEqual(want);
    }
  });
});

describe('scanStage paths', () => {
  it('gives the same plans from an explicit selection (general path) as from all ids (fast path)', async () => {
    const { createPruner } = await import('@seta/core');
    const { scanStage } = await import('./scan-stage.js');
    const explicit = {
      name: 'explicit',
      select: (_s: unknown, ctx: { size: number }) => ({ ids: Uint32Array.from({ length: ctx.size }, (_, i) => i), weights: null, phase: 'full' as const }),
    };
    const make = (withExplicit: boolean) =>
      createPruner({
        name: 'sc', size: 5000, epochs: 10, seed: 2,
        stages: [...(withExplicit ? [explicit] : []), scanStage({ illRatio: 0.3, redundantRatio: 0.3, warmupThreshold: 1 })],
      });
    const a = runPruner(make(false), { losses: syntheticLossPairs });
    const b = runPruner(make(true), { losses: syntheticLossPairs });
    expect(a.plans.some((p) => p.phase === 'prune' && p.indices.length < 5000)).toBe(true);
    a.plans.forEach((plan, e) => expect(Array.from(b.plans[e]!.indices)).toEqual(Array.from(plan.indices)));
  });
});

describe('scan options and state', () => {
  it('refuses unknown, misspelled and null options, naming the key and suggesting the one meant', () => {
    expect(() => scan({ size: 10, epochs: 2, delta: 0.875 } as never)).toThrow(
      new TypeError(
        'scan(): unknown option "delta"; known options: size, epochs, pruneRatio, illRatio, redundantRatio, mutationEpochs, warmupThreshold, mode, maxLoss, minLoss, seed, nonFinite, targetSavedRatio',
      ),
    );
    expect(() => scan({ size: 10, epochs: 2, mutation_epochs: 2 } as never)).toThrow(/unknown option "mutation_epochs" \(did you mean "mutationEpochs"\?\)/);
    expect(() => scan({ size: 10, epochs: 2, maxLoss: null } as never)).toThrow(new TypeError('scan(): maxLoss must not be null (omit it to use the default)'));
    expect(() => scanStage({ illRatio: 0.1, redundantRatio: 0.1, mode: 'both', delta: 1 } as never)).toThrow(/scanStage\(\): unknown option "delta"/);
    expect(() => scanStage(undefined as never)).toThrow(new TypeError('scanStage(): options { illRatio, redundantRatio } are required'));
    expect(() => scan({ size: 2 ** 32 - 1, epochs: 2 })).toThrow(/scan\(\): size must be an integer in \[1, 2147483647\] \(MAX_SIZE/);
  });

  it('refuses minLoss above maxLoss (a sample would be redundant and ill-matched at once), by name', () => {
    expect(() => scan({ size: 10, epochs: 2, minLoss: 5, maxLoss: 1 })).toThrow(
      new RangeError('scan(): minLoss must not exceed maxLoss, got minLoss 5 and maxLoss 1'),
    );
    expect(() => scanStage({ illRatio: 0.1, redundantRatio: 0.1, minLoss: 2, maxLoss: 1.5 })).toThrow(
      new RangeError('scanStage(): minLoss must not exceed maxLoss, got minLoss 2 and maxLoss 1.5'),
    );
    expect(() => scan({ size: 10, epochs: 2, minLoss: 1, maxLoss: 1 })).not.toThrow();
    expect(() => scan({ size: 10, epochs: 2, minLoss: 1 })).not.toThrow();
  });

  it('refuses candidate bitmaps and schedules that do not fit the pruner, with StateError', () => {
    // Warm-up ends at once (threshold huge), so after 4 epochs the bitmaps exist.
    const make = () => scan({ size: 100, epochs: 8, seed: 1, warmupThreshold: 1e9, mutationEpochs: 2 });
    const p = make();
    runPruner(p, { epochs: 4, losses: syntheticLossPairs, batchSize: 10 });
    const r = StateReader.open(p.saveState(), 'pruner', 1, 't');
    const s = StateReader.open(r.rawBytes('stage.0'), 'stage:scan', 1, 't');
    const schedule = s.json<{ previousLoss: number; cycleStart: number }>('schedule');
    const red = s.uint32('red');
    const ill = s.uint32('ill');
    expect(red.length).toBe(4);
    const forged = (sched: unknown, bitmaps: [Uint32Array, Uint32Array] | [Uint32Array] | null) => {
      const w = new StateWriter('stage:scan', 1).json('schedule', sched);
      if (bitmaps !== null) {
        w.uint32('red', bitmaps[0]);
        if (bitmaps[1] !== undefined) w.uint32('ill', bitmaps[1]);
      }
      return new StateWriter('pruner', 1)
        .json('fingerprint', r.json('fingerprint'))
        .json('progress', r.json('progress'))
        .uint32('rng', r.uint32('rng'))
        .bytes('stage.0', w.finish())
        .finish();
    };
    expect(() => make().loadState(forged(schedule, [red, ill]))).not.toThrow();
    const tail = red.slice();
    tail[3] = tail[3]! | (1 << 10); // id 106 of 100
    const cases: [Uint8Array, string][] = [
      [forged(schedule, [red.slice(0, 3), ill.slice(0, 3)]), 'scanStage.loadState(): state is inconsistent (red must hold 4 words (100 samples), got 3)'],
      [forged(schedule, [new Uint32Array(5), ill]), 'red must hold 4 words (100 samples), got 5'],
      [forged(schedule, [tail, ill]), 'red has bits set past the last sample'],
      [forged(schedule, [red]), 'red and ill must be both present or both absent'],
      [forged({ ...schedule, cycleStart: 5 }, [red, ill]), 'cycleStart must be null or an integer in [0, 4], got 5'],
      [forged({ ...schedule, cycleStart: -1 }, [red, ill]), 'cycleStart must be null or an integer in [0, 4], got -1'],
      [forged({ ...schedule, previousLoss: 'x' }, [red, ill]), 'previousLoss must be null or a finite number, got "x"'],
      [forged({ previousLoss: null, cycleStart: schedule.cycleStart }, [red, ill]), 'a cycle has started, so previousLoss must be a number'],
      [forged({ previousLoss: schedule.previousLoss, cycleStart: null }, [red, ill]), 'candidate bitmaps exist before any cycle has started'],
      [forged(null, [red, ill]), 'schedule must be an object, got null'],
    ];
    for (const [bytes, message] of cases) {
      const q = make();
      expect(() => q.loadState(bytes), message).toThrow(StateError);
      expect(() => q.loadState(bytes), message).toThrow(message);
      expect(q.nextEpoch).toBe(0);
    }
  });
});
