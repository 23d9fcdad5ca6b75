import { MAX_SIZE, annealStage, batchPlan, createPruner } from '@seta/core';
import type { Stage } from '@seta/core';
import { LossStore } from '@seta/loss-store';
import type { EpochPlan } from '@seta/core';
import { assertSameRuns, checkResume, runPruner, syntheticLoss } from '@seta/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { infobatch } from './infobatch.js';
import { belowMeanStage } from './below-mean-stage.js';

/** Losses equal to the id: after a full epoch the mean of ids 0 … N-1 is (N − 1) / 2. */
const idLoss = (ids: Uint32Array) => Float32Array.from(ids);

function weightsById(plan: EpochPlan): Map<number, number> {
  const m = new Map<number, number>();
  plan.indices.forEach((id, i) => m.set(id, plan.weights === null ? 1 : plan.weights[i]!));
  return m;
}

describe('infobatch', () => {
  it('gives the plans of the general shuffle when it carries its weights in the ids (as the last stage)', () => {
    // A pass-through stage after belowMeanStage makes it a middle stage, which returns plain weights.
    const passThrough: Stage = { name: 'pass', select: (selection) => selection };
    for (const size of [1000, 100_000]) {
      const make = (stages: Stage[]) => createPruner({ name: 'infobatch', size, epochs: 4, seed: 3, store: new LossStore(size), stages });
      const tagged = runPruner(make([annealStage({ delta: 0.875 }), belowMeanStage({ pruneRatio: 0.5 })])).plans;
      const plain = runPruner(make([annealStage({ delta: 0.875 }), belowMeanStage({ pruneRatio: 0.5 }), passThrough])).plans;
      for (let e = 0; e < 4; e++) {
        expect(tagged[e]!.weights === null).toBe(plain[e]!.weights === null);
        expect(tagged[e]!.indices.every((id, i) => id === plain[e]!.indices[i])).toBe(true);
        expect(tagged[e]!.weights?.every((w, i) => w === plain[e]!.weights![i]) ?? true).toBe(true);
      }
      expect(tagged[1]!.weights).not.toBeNull();
    }
  });

  it('keeps floor(keep · |W|) of the below-mean samples with weight 1/keep and all others with weight 1', () => {
    const p = infobatch({ size: 100, epochs: 10, pruneRatio: 0.5, seed: 1 });
    const [first, second] = runPruner(p, { epochs: 2, losses: idLoss }).plans;
    expect(first!.indices.length).toBe(100); // nothing seen yet: nothing is below the mean
    expect(first!.weights).toBeNull();
    expect(first!.phase).toBe('prune');
    // mean 49.5: W = ids 0 … 49, keep = 0.5 → 25 kept with weight 2
    const w = weightsById(second!);
    expect(second!.indices.length).toBe(75);
    for (let id = 50; id < 100; id++) expect(w.get(id)).toBe(1);
    const keptLow = [...w.keys()].filter((id) => id < 50);
    expect(keptLow.length).toBe(25);
    for (const id of keptLow) expect(w.get(id)).toBe(2);
  });

  it('clamps keep to at least 0.1, as the reference does', () => {
    const p = infobatch({ size: 100, epochs: 10, pruneRatio: 0.95 });
    const plan = runPruner(p, { epochs: 2, losses: idLoss }).plans[1]!;
    const w = weightsById(plan);
    expect(plan.indices.length).toBe(55); // 50 + floor(0.1 · 50)
    expect([...w.entries()].filter(([id]) => id < 50).map(([, x]) => x)).toEqual([10, 10, 10, 10, 10].map(Math.fround));
  });

  it('puts nothing in W when every score equals the mean (strictly below only)', () => {
    const p = infobatch({ size: 64, epochs: 4 });
    const plans = runPruner(p, { losses: (ids) => new Float32Array(ids.length).fill(0.7) }).plans;
    expect(plans.map((x) => x.indices.length)).toEqual([64, 64, 64, 64]);
    expect(plans.every((x) => x.weights === null)).toBe(true);
  });

  it('anneals with all data and no weights from epoch floor(δ · E)', () => {
    const { plans } = runPruner(infobatch({ size: 200, epochs: 8 }), { losses: idLoss });
    expect(plans.map((x) => x.phase)).toEqual(['prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'anneal']);
    expect(plans[7]!.indices.length).toBe(200);
    expect(plans[7]!.weights).toBeNull();
    const { plans: p10 } = runPruner(infobatch({ size: 50, epochs: 10, delta: 0.5 }), { losses: idLoss });
    expect(p10.findIndex((x) => x.phase === 'anneal')).toBe(5);
  });

  it('keeps unseen samples and leaves them out of the mean', () => {
    const p = infobatch({ size: 100, epochs: 3, pruneRatio: 0.5, seed: 2 });
    p.plan(0);
    p.observe(Uint32Array.of(0, 1, 2, 3), Float32Array.of(1, 2, 3, 4)); // mean 2.5: W = {0, 1}
    p.endEpoch();
    const plan = p.plan(1);
    const w = weightsById(plan);
    expect(plan.indices.length).toBe(99); // 96 unseen + {2, 3} + one of {0, 1}
    for (let id = 4; id < 100; id++) expect(w.get(id)).toBe(1);
    expect((w.get(0) ?? 0) + (w.get(1) ?? 0)).toBe(2);
  });

  it('is unbiased: the expected weighted loss of a plan equals the full loss', () => {
    const size = 60;
    const loss = (id: number) => ((id * 37) % 11) + 0.5;
    let fullSum = 0;
    for (let i = 0; i < size; i++) fullSum += loss(i);
    let acc = 0;
    const trials = 400;
    for (let seed = 0; seed < trials; seed++) {
      const p = infobatch({ size, epochs: 4, pruneRatio: 0.5, seed });
      runPruner(p, { epochs: 1, losses: (ids) => Float32Array.from(ids, loss) });
      const plan = p.plan(1);
      plan.indices.forEach((id, i) => (acc += loss(id) * (plan.weights === null ? 1 : plan.weights[i]!)));
    }
    // |W| is even here, so floor(keep · |W|) / |W| = keep exactly and the estimator is exactly unbiased.
    expect(Math.abs(acc / trials - fullSum) / fullSum).toBeLessThan(0.01);
  });

  it('realises a saved ratio well below r', () => {
    const p = infobatch({ size: 1000, epochs: 10, pruneRatio: 0.5 });
    runPruner(p);
    expect(p.savedRatio).toBeGreaterThan(0.1);
    expect(p.savedRatio).toBeLessThan(0.3);
  });

  it('puts weight 1/keep exactly on kept samples whose latest loss is below the mean of seen losses (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), fc.nat(50), (size, r, seed) => {
        const p = infobatch({ size, epochs: 5, pruneRatio: r, seed });
        const latest = new Float32Array(size).fill(Number.NaN);
        const keep = Math.min(1, Math.max(0.1, 1 - r));
        for (let e = 0; e < 4; e++) {
          let sum = 0;
          let count = 0;
          for (const v of latest) if (!Number.isNaN(v)) (sum += v), count++;
          const mean = count === 0 ? Number.NaN : sum / count;
          const plan = p.plan(e);
          let below = 0;
          for (let i = 0; i < size; i++) if (latest[i]! < mean) below++;
          const wl = weightsById(plan);
          if (e < 4) expect(plan.indices.length).toBe(size - below + Math.floor(keep * below));
          for (const [id, w] of wl) expect(w).toBe(latest[id]! < mean && keep < 1 ? Math.fround(1 / keep) : 1);
          for (const b of batchPlan(plan, 17)) {
            const l = Float32Array.from(b.indices, (id) => syntheticLoss(id, e));
            p.observe(b.indices, l);
            b.indices.forEach((id, i) => (latest[id] = l[i]!));
          }
          p.endEpoch();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('resumes exactly after any epoch, in a fresh pruner (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 6 }), fc.nat(20), fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), (size, epochs, seed, r) => {
        checkResume(() => infobatch({ size, epochs, pruneRatio: r, seed }), seed % (epochs + 1), { batchSize: 13 });
      }),
      { numRuns: 40 },
    );
  });

  it("with nonFinite: 'skip', a NaN loss keeps the sample's previous score", () => {
    const p = infobatch({ size: 4, epochs: 10, nonFinite: 'skip', pruneRatio: 1 });
    p.plan(0);
    p.observe([0, 1, 2, 3], [1, 2, 3, 4]);
    p.endEpoch();
    p.plan(1);
    p.observe([0, 1, 2, 3], [Number.NaN, 2, 3, 4]); // id 0 keeps score 1
    expect(p.endEpoch().skippedNonFinite).toBe(1);
    const plan = p.plan(2); // mean 2.5: W = {0, 1}; keep 0.1 → floor(0.2) = 0 kept
    expect([...plan.indices].sort()).toEqual([2, 3]);
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => infobatch({ size: 10, epochs: 5, pruneRatio: 1.5 })).toThrow('infobatch(): pruneRatio must be in [0, 1], got 1.5');
    expect(() => infobatch({ size: 10, epochs: 5, delta: -1 })).toThrow('infobatch(): delta must be in [0, 1], got -1');
    expect(() => infobatch({ size: 0, epochs: 5 })).toThrow(/infobatch\(\): size must be an integer/);
    expect(() => infobatch({ size: 10, epochs: 2.5 })).toThrow('infobatch(): epochs must be an integer ≥ 1, got 2.5');
    expect(() => infobatch({ size: 10, epochs: 5, seed: -1 })).toThrow(/seed/);
    expect(() => infobatch({ size: 10, epochs: 5, nonFinite: 'drop' as 'skip' })).toThrow(/nonFinite/);
    expect(() => infobatch(null as never)).toThrow(TypeError);
  });

  it('rejects a state saved with other options', () => {
    const a = infobatch({ size: 50, epochs: 4, pruneRatio: 0.5 });
    runPruner(a, { epochs: 2 });
    expect(() => infobatch({ size: 50, epochs: 4, pruneRatio: 0.3 }).loadState(a.saveState())).toThrow(/other options/);
  });
});

describe('belowMeanStage paths', () => {
  it('gives the same plans from an explicit selection with weights (general path) as from all ids (fast path)', async () => {
    const { annealStage, createPruner } = await import('@seta/core');
    const { LossStore } = await import('@seta/loss-store');
    const { belowMeanStage } = await import('./below-mean-stage.js');
    const explicit = {
      name: 'explicit',
      select: (_s: unknown, ctx: { size: number }) => {
        const ids = Uint32Array.from({ length: ctx.size }, (_, i) => i);
        return { ids, weights: new Float32Array(ctx.size).fill(1), phase: 'full' as const };
      },
    };
    const make = (withExplicit: boolean) =>
      createPruner({
        name: 'ib', size: 3000, epochs: 6, seed: 4, store: new LossStore(3000),
        stages: withExplicit ? [annealStage({ delta: 0.875 }), explicit, belowMeanStage({ pruneRatio: 0.5 })] : [annealStage({ delta: 0.875 }), belowMeanStage({ pruneRatio: 0.5 })],
      });
    const a = runPruner(make(false));
    const b = runPruner(make(true));
    a.plans.forEach((plan, e) => {
      expect(Array.from(b.plans[e]!.indices)).toEqual(Array.from(plan.indices));
      const ones = new Float32Array(plan.indices.length).fill(1);
      expect(Array.from(b.plans[e]!.weights ?? ones)).toEqual(Array.from(plan.weights ?? ones));
    });
  });
});

describe('belowMeanStage: the path for all ids against the general one', () => {
  // The same pipeline twice, one with a pass-through stage that hands belowMeanStage an
  // explicit selection of every id with weights 1, which sends it down the general path
  // (ids copied out of its partition into the plan's array) instead of the one for all ids
  // (the partition's prefix as the selection); both write the weights into the plan's array.
  const explicit = {
    name: 'explicit',
    select: (_s: unknown, ctx: { size: number }) => ({
      ids: Uint32Array.from({ length: ctx.size }, (_, i) => i),
      weights: new Float32Array(ctx.size).fill(1),
      phase: 'full' as const,
    }),
  };
  async function both(size: number, pruneRatio: number, seed: number) {
    const { createPruner } = await import('@seta/core');
    const { LossStore } = await import('@seta/loss-store');
    const { belowMeanStage } = await import('./below-mean-stage.js');
    const make = (general: boolean) =>
      createPruner({
        name: 'ib', size, epochs: 8, seed, store: new LossStore(size),
        stages: general ? [explicit, belowMeanStage({ pruneRatio })] : [belowMeanStage({ pruneRatio })],
      });
    return [make(false), make(true)] as const;
  }

  it('gives the same plans — ids, order, weights — for any losses, unseen samples, ties and ratios (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom(0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 1),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.oneof(fc.constantFrom(0, 1, 2), fc.float({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (size, pruneRatio, seed, palette, seenShare) => {
          const [common, general] = await both(size, pruneRatio, seed);
          // Observe a share of each plan (the rest stays unseen or keeps its old score), losses from a small palette: ties at the mean.
          assertSameRuns(common, general, 4, (plan, e) => {
            const ids = plan.indices.slice(0, Math.max(1, Math.floor(seenShare * plan.indices.length)));
            return { ids, losses: Float32Array.from(ids, (id) => palette[(id * 7 + e) % palette.length]!) };
          }, { nullWeightsAreOnes: true });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same plans at 300,000 samples (the scatter shuffle, into the stage\'s arrays and into new ones)', async () => {
    for (const pruneRatio of [0.5, 0.8]) {
      const [common, general] = await both(300_000, pruneRatio, 9);
      assertSameRuns(common, general, 3, (plan, e) => ({ ids: plan.indices, losses: Float32Array.from(plan.indices, (id) => syntheticLoss(id, e)) }), { nullWeightsAreOnes: true });
    }
  });
});

describe('the below-mean test on float32 bit patterns', () => {
  it('belowTest(t) decides v < t for every non-NaN float32 v and every t, on bit patterns', async () => {
    const { belowTest } = await import('./below-mean-stage.js');
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    const special = [0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38, Infinity, -Infinity, 1, -1];
    const passes = (test: Int32Array) => (bits[0]! ^ test[0]!) < test[1]!;
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ noNaN: true }), fc.double({ min: -1e-40, max: 1e-40, noNaN: true }), fc.constantFrom(...special)),
        fc.oneof(fc.float({ noNaN: true }), fc.constantFrom(...special)),
        (t, v) => {
          const test = belowTest(t);
          f[0] = v;
          expect(passes(test)).toBe(f[0]! < t);
          // the float32 neighbours of t itself
          f[0] = t;
          const near = bits[0]!;
          for (const d of [-2, -1, 0, 1, 2]) {
            bits[0] = near + d;
            if (!Number.isNaN(f[0]!)) expect(passes(test)).toBe(f[0]! < t);
          }
        },
      ),
      { numRuns: 3000 },
    );
    for (const v of special) {
      f[0] = v;
      expect(passes(belowTest(Number.NaN))).toBe(false);
    }
  });

  it('gives the same plans for scores of either sign (integer and float partitions)', () => {
    // A negative mean, and a positive one with negative scores and -0 among them: both forms of the integer test.
    for (const shift of [-3, 0.5]) {
      const size = 3000;
      const loss = (id: number) => (id % 7 === 0 ? -0 : ((id * 2654435761) % 1000) / 250 - 1.5 + shift);
      const p = infobatch({ size, epochs: 4, pruneRatio: 0.5, seed: 4 });
      const { plans } = runPruner(p, { epochs: 2, losses: (ids) => Float32Array.from(ids, loss) });
      let sum = 0;
      for (let id = 0; id < size; id++) sum += Math.fround(loss(id));
      const mean = sum / size;
      const below = [...Array(size).keys()].filter((id) => Math.fround(loss(id)) < mean);
      const w = weightsById(plans[1]!);
      expect(plans[1]!.indices.length).toBe(size - below.length + Math.floor(0.5 * below.length));
      for (let id = 0; id < size; id++) if (!(Math.fround(loss(id)) < mean)) expect(w.get(id)).toBe(1);
    }
  });
});

describe('infobatch options', () => {
  it('refuses unknown, misspelled and null options, naming the key and suggesting the one meant', () => {
    expect(() => infobatch({ size: 10, epochs: 2, prune_ratio: 0.9 } as never)).toThrow(
      new TypeError('infobatch(): unknown option "prune_ratio" (did you mean "pruneRatio"?); known options: size, epochs, pruneRatio, delta, seed, nonFinite, targetSavedRatio'),
    );
    expect(() => infobatch({ size: 10, epochs: 2, pruneRatio: null } as never)).toThrow(
      new TypeError('infobatch(): pruneRatio must not be null (omit it to use the default)'),
    );
    expect(() => infobatch({ size: 10, epochs: 2, detla: 0.5 } as never)).toThrow(/unknown option "detla" \(did you mean "delta"\?\)/);
    expect(() => belowMeanStage({ pruneRatio: 0.5, keep: 0.5 } as never)).toThrow(/belowMeanStage\(\): unknown option "keep"; known options: pruneRatio/);
    expect(() => belowMeanStage(undefined as never)).toThrow(new TypeError('belowMeanStage(): options { pruneRatio } are required'));
  });

  it('refuses sizes above MAX_SIZE at construction, and still builds at 10^8', () => {
    expect(() => infobatch({ size: 2 ** 32 - 1, epochs: 2 })).toThrow(
      new RangeError('infobatch(): size must be an integer in [1, 2147483647] (MAX_SIZE, 2^31 − 1), got 4294967295'),
    );
    expect(() => infobatch({ size: 2 ** 31, epochs: 2 })).toThrow(RangeError);
    expect(MAX_SIZE).toBe(2 ** 31 - 1);
  });
});
