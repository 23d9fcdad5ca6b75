import { Random, StateError, StateReader, StateWriter, annealStage, createPruner, downsampleStage } from '@seta/core';
import type { ScoreStore, Selection, StageContext } from '@seta/core';
import { assertSameRuns, checkResume, runPruner } from '@seta/core/testing';
import { belowMeanStage } from '@seta/infobatch';
import { LossStore } from '@seta/loss-store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterWindowStage } from './cluster-window-stage.js';
import { seta } from './seta.js';

/**
 * Independent oracle: the optimal 1-D k-means partition by the textbook
 * O(k n²) dynamic program over sorted values; returns the groups (ascending)
 * as arrays of values.
 */
function optimalGroups(values: number[], k: number): number[][] {
  const x = [...values].sort((a, b) => a - b);
  const n = x.length;
  const s1 = [0];
  const s2 = [0];
  for (const v of x) {
    s1.push(s1.at(-1)! + v);
    s2.push(s2.at(-1)! + v * v);
  }
  const cost = (i: number, j: number) => {
    const c = j - i;
    const s = s1[j]! - s1[i]!;
    return Math.max(0, s2[j]! - s2[i]! - (s * s) / c);
  }; // values x[i … j-1]
  const D = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const B = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
  D[0]![0] = 0;
  for (let g = 1; g <= k; g++) {
    for (let j = g; j <= n; j++) {
      for (let i = g - 1; i < j; i++) {
        const c = D[g - 1]![i]! + cost(i, j);
        if (c < D[g]![j]!) {
          D[g]![j] = c;
          B[g]![j] = i;
        }
      }
    }
  }
  const groups: number[][] = [];
  let j = n;
  for (let g = k; g >= 1; g--) {
    const i = B[g]![j]!;
    groups.unshift(x.slice(i, j));
    j = i;
  }
  return groups;
}

/** Distinct, well-spread losses that stay fixed across epochs. */
const fixedLoss = (id: number) => {
  const r = new Random(id + 1);
  return Math.fround(r.nextFloat() * 3 + (id % 7) * 0.37);
};
const fixedLosses = (ids: Uint32Array) => Float32Array.from(ids, fixedLoss);
const sortedIds = (a: Uint32Array) => [...a].sort((x, y) => x - y);

describe('seta', () => {
  it('keeps, at each step, exactly the window of groups of an independent optimal k-means (k = 5, ws = 0.6)', () => {
    const size = 60;
    const { plans } = runPruner(seta({ size, epochs: 10, pruneRatio: 0, groups: 5, windowScale: 0.6 }), { losses: fixedLosses });
    const all = Array.from({ length: size }, (_, i) => i);
    const groups = optimalGroups(all.map(fixedLoss), 5);
    const idsOf = (gs: number[][]) => all.filter((id) => gs.some((g) => g.includes(fixedLoss(id))));
    expect(plans[0]!.indices.length).toBe(size); // t = 0: every group
    // w = roundHalfEven(3) = 3, slide = 2: starts 1, 2, 0, 1, 2, 0, …
    const starts = [1, 2, 0, 1, 2, 0, 1];
    starts.forEach((start, t) => expect(sortedIds(plans[t + 1]!.indices)).toEqual(idsOf(groups.slice(start, start + 3))));
    expect(plans.slice(0, 8).every((p) => p.phase === 'prune' && p.weights === null)).toBe(true);
  });

  it('walks the groups the other way with hard-to-easy, and stops at the end with continuous', () => {
    const size = 40;
    const all = Array.from({ length: size }, (_, i) => i);
    const groups = optimalGroups(all.map(fixedLoss), 4);
    const idsOf = (gs: number[][]) => all.filter((id) => gs.some((g) => g.includes(fixedLoss(id))));
    const run = (order: 'hard-to-easy' | 'easy-to-hard', variant: 'cyclic' | 'continuous') =>
      runPruner(seta({ size, epochs: 6, pruneRatio: 0, groups: 4, windowScale: 0.5, order, variant, delta: 1 }), { losses: fixedLosses }).plans.map((p) =>
        sortedIds(p.indices),
      );
    // w = 2, slide = 2
    const h2e = run('hard-to-easy', 'cyclic');
    expect(h2e[1]).toEqual(idsOf(groups.slice(1, 3)));
    expect(h2e[2]).toEqual(idsOf(groups.slice(0, 2)));
    expect(h2e[3]).toEqual(idsOf(groups.slice(2, 4)));
    const cont = run('easy-to-hard', 'continuous');
    expect(cont[2]).toEqual(idsOf(groups.slice(2, 4)));
    expect(cont[3]).toEqual(idsOf(groups.slice(2, 4)));
    expect(cont[5]).toEqual(idsOf(groups.slice(2, 4)));
  });

  it('clusters only the random downsample, keeping its unseen members (stage against the oracle)', () => {
    const size = 50;
    const store = new LossStore(size, { trackEpochs: false, trackCounts: false });
    const seenIds = Array.from({ length: size }, (_, i) => i).filter((i) => i % 5 !== 0);
    store.record(seenIds, seenIds.map(fixedLoss));
    const stage = clusterWindowStage({ groups: 3, windowScale: 0.34 }); // w = roundHalfEven(1.02) = 1
    const ctx: StageContext = { epoch: 0, epochs: 10, size, rng: new Random(1), store: store as ScoreStore };
    const sel: Selection = { ids: Uint32Array.from({ length: 30 }, (_, i) => (i * 7) % size), weights: null, phase: 'prune' };
    stage.select(sel, ctx); // t = 0: all
    const out = stage.select(sel, ctx); // t = 1: group 1 of 3
    const members = [...sel.ids!];
    const seenMembers = members.filter((id) => id % 5 !== 0);
    const middle = optimalGroups(seenMembers.map(fixedLoss), 3)[1]!;
    const expected = members.filter((id) => id % 5 === 0 || middle.includes(fixedLoss(id)));
    expect([...out.ids!]).toEqual(expected); // order of the selection preserved
  });

  it('splits seen members into k near-equal chunks when they have fewer than k distinct scores', () => {
    const p = seta({ size: 100, epochs: 10, pruneRatio: 0, groups: 5, windowScale: 0.9 });
    const plans = runPruner(p, { epochs: 3, losses: (ids) => new Float32Array(ids.length).fill(1) }).plans;
    // w = 4 of 5 chunks of 20
    expect(plans.map((x) => x.indices.length)).toEqual([100, 80, 80]);
    expect(sortedIds(plans[1]!.indices).join()).not.toBe(sortedIds(plans[2]!.indices).join());
  });

  it('makes the chunks of 101 equal scores 21, 20, 20, 20, 20', () => {
    const p = seta({ size: 101, epochs: 10, pruneRatio: 0, groups: 5, windowScale: 0.9 });
    const plans = runPruner(p, { epochs: 3, losses: (ids) => new Float32Array(ids.length).fill(2) }).plans;
    // t = 1 keeps chunks 1 … 4 (drops the first, of 21); t = 2 keeps chunks 0 … 3 (drops the last, of 20)
    expect(plans.map((x) => x.indices.length)).toEqual([101, 80, 81]);
  });

  it('downsamples to floor(keep · N) before clustering and partially anneals at the end', () => {
    const { plans } = runPruner(seta({ size: 1000, epochs: 8, pruneRatio: 0.3, groups: 5, windowScale: 0.9 }));
    expect(plans[0]!.indices.length).toBe(700);
    expect(plans.map((p) => p.phase)).toEqual(['prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'anneal']);
    expect(plans[7]!.indices.length).toBe(700);
    expect(plans[7]!.weights).toBeNull();
    for (const p of plans.slice(1, 7)) expect(p.indices.length).toBeLessThan(700);
  });

  it('clamps keep at 0.1', () => {
    expect(runPruner(seta({ size: 1000, epochs: 2, pruneRatio: 0.99 }), { epochs: 1 }).plans[0]!.indices.length).toBe(100);
  });

  it('realises a saved ratio near 1 − keep · w / k in prune epochs', () => {
    const p = seta({ size: 20_000, epochs: 20, pruneRatio: 0.1, groups: 5, windowScale: 0.6, delta: 1 });
    const { summaries } = runPruner(p, { batchSize: 500 });
    const mid = summaries.slice(1).map((s) => s.prunedRatio);
    const mean = mid.reduce((a, b) => a + b, 0) / mid.length;
    expect(mean).toBeGreaterThan(0.25); // groups are not equal-sized: 1 − 0.9 · 3/5 = 0.46 is only a guide
    expect(mean).toBeLessThan(0.75);
  });

  it('plans one random id when the window would leave nothing', () => {
    const store = new LossStore(30);
    const p = createPruner({
      name: 'none',
      size: 30,
      epochs: 3,
      store,
      stages: [clusterWindowStage({ groups: 3, window: (t) => (t === 0 ? { start: 0, end: 3 } : { start: 1, end: 1 }) })],
    });
    const plans = runPruner(p, { losses: fixedLosses }).plans;
    expect(plans[1]!.indices.length).toBe(1);
  });

  it('gives distinct in-range ids, no weights, and resumes exactly after any epoch (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 400 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000),
        fc.nat(30),
        (size, epochs, groups, ws, r, seed) => {
          const make = () => seta({ size, epochs, groups, windowScale: ws, pruneRatio: r, seed });
          const ref = checkResume(make, seed % (epochs + 1), { batchSize: 11 });
          for (const p of ref.plans) expect(p.weights).toBeNull();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => seta({ size: 10, epochs: 5, groups: 11 })).toThrow('seta(): groups must not exceed size 10, got 11');
    expect(() => seta({ size: 10, epochs: 5, windowScale: 1.5 })).toThrow('seta(): windowScale must be in (0, 1], got 1.5');
    expect(() => seta({ size: 10, epochs: 5, windowScale: 0 })).toThrow(RangeError);
    expect(() => seta({ size: 10, epochs: 5, order: 'random' as 'easy-to-hard' })).toThrow(
      'seta(): order must be one of "easy-to-hard", "hard-to-easy", got "random"',
    );
    expect(() => seta({ size: 10, epochs: 5, variant: 'loop' as 'cyclic' })).toThrow(/variant/);
    expect(() => seta({ size: 10, epochs: 5, pruneRatio: -0.5 })).toThrow('seta(): pruneRatio must be in [0, 1], got -0.5');
    expect(() => seta({ size: 10, epochs: 5, groups: 0 })).toThrow(/groups must be an integer ≥ 1, got 0/);
    expect(() => seta({ size: 10, epochs: 0 })).toThrow(/epochs/);
    expect(() => clusterWindowStage({ groups: 3, window: 5 as never })).toThrow(TypeError);
  });
});

describe('a custom pipeline: SeTa clustering that always drops the hardest group, with InfoBatch reweighting', () => {
  const custom = (size: number, epochs: number, seed = 0) =>
    createPruner({
      name: 'dropHardest+infobatch',
      size,
      epochs,
      seed,
      store: new LossStore(size, { trackEpochs: false, trackCounts: false }),
      stages: [
        annealStage({ delta: 0.875 }),
        clusterWindowStage({ groups: 5, window: (_t, k) => ({ start: 0, end: k - 1 }) }),
        belowMeanStage({ pruneRatio: 0.5 }),
      ],
    });

  it('drops the hardest group every prune epoch and up-weights the kept below-mean samples', () => {
    const size = 60;
    const { plans } = runPruner(custom(size, 8), { losses: fixedLosses });
    const all = Array.from({ length: size }, (_, i) => i);
    const hardest = optimalGroups(all.map(fixedLoss), 5)[4]!;
    const mean = all.reduce((s, id) => s + fixedLoss(id), 0) / size;
    const below = all.filter((id) => fixedLoss(id) < mean).length;
    for (const plan of plans.slice(1, 7)) {
      const ids = [...plan.indices];
      expect(ids.some((id) => hardest.includes(fixedLoss(id)))).toBe(false);
      expect(ids.length).toBe(size - hardest.length - below + Math.floor(0.5 * below));
      plan.indices.forEach((id, i) => expect(plan.weights![i]).toBe(fixedLoss(id) < mean ? 2 : 1));
    }
    expect(plans[7]!.phase).toBe('anneal');
    expect(plans[7]!.indices.length).toBe(size);
  });

  it('resumes exactly like the built-in strategies', () => {
    for (const stop of [1, 4]) checkResume(() => custom(300, 6, 3), stop);
  });
});

describe('clusterWindowStage paths', () => {
  it('gives the same plans from its exact-size arrays as from the general path, for any losses, ties and unseen samples (property)', () => {
    const explicit = {
      name: 'explicit',
      select: (s: Selection, ctx: StageContext): Selection => {
        const n = s.ids === null ? ctx.size : s.ids.length;
        return { ids: s.ids ?? Uint32Array.from({ length: n }, (_, i) => i), weights: new Float32Array(n).fill(1), phase: s.phase };
      },
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0.2, 0.5, 0.9),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.float({ min: 0, max: 5, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (size, groups, windowScale, seed, palette, seenShare) => {
          const make = (general: boolean) =>
            createPruner({
              name: 'st', size, epochs: 6, seed, store: new LossStore(size),
              stages: [downsampleStage({ keep: 0.8 }), ...(general ? [explicit] : []), clusterWindowStage({ groups, windowScale })],
            });
          // Observe a share of each plan (the rest stays unseen), losses from a small palette: ties, and fewer distinct scores than groups.
          assertSameRuns(make(false), make(true), 5, (plan, e) => {
            const ids = plan.indices.slice(0, Math.max(1, Math.floor(seenShare * plan.indices.length)));
            return { ids, losses: Float32Array.from(ids, (id) => palette[(id * 3 + e) % palette.length]!) };
          }, { nullWeightsAreOnes: true });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same plans with weights (general path) as without (fast path)', () => {
    const explicit = {
      name: 'explicit',
      select: (_s: Selection, ctx: StageContext): Selection => ({
        ids: Uint32Array.from({ length: ctx.size }, (_, i) => i),
        weights: new Float32Array(ctx.size).fill(1),
        phase: 'full',
      }),
    };
    const make = (withExplicit: boolean) =>
      createPruner({
        name: 'st', size: 4000, epochs: 8, seed: 9, store: new LossStore(4000),
        stages: [
          annealStage({ delta: 0.875, keep: 0.9 }),
          ...(withExplicit ? [explicit] : []),
          downsampleStage({ keep: 0.9 }),
          clusterWindowStage({ groups: 5, windowScale: 0.6 }),
        ],
      });
    const a = runPruner(make(false));
    const b = runPruner(make(true));
    a.plans.forEach((plan, e) => {
      expect(Array.from(b.plans[e]!.indices)).toEqual(Array.from(plan.indices));
      if (b.plans[e]!.weights !== null) expect(b.plans[e]!.weights!.every((w) => w === 1)).toBe(true);
    });
  });
});

describe('seta options and state', () => {
  it('refuses unknown, misspelled and null options, naming the key and suggesting the one meant', () => {
    expect(() => seta({ size: 10, epochs: 2, window_scale: 0.5 } as never)).toThrow(
      /seta\(\): unknown option "window_scale" \(did you mean "windowScale"\?\); known options: size, epochs, pruneRatio, groups, windowScale, delta, order, variant, seed, nonFinite/,
    );
    expect(() => seta({ size: 10, epochs: 2, groups: null } as never)).toThrow(new TypeError('seta(): groups must not be null (omit it to use the default)'));
    expect(() => clusterWindowStage({ groups: 3, windowscale: 0.5 } as never)).toThrow(/clusterWindowStage\(\): unknown option "windowscale" \(did you mean "windowScale"\?\)/);
    expect(() => clusterWindowStage(undefined as never)).toThrow(new TypeError('clusterWindowStage(): options { groups } are required'));
    expect(() => seta({ size: 2 ** 32 - 1, epochs: 2 })).toThrow(/seta\(\): size must be an integer in \[1, 2147483647\] \(MAX_SIZE, 2\^31 − 1\), got 4294967295/);
  });

  it('refuses a window step count beyond the epochs finished, with StateError', () => {
    const make = () => seta({ size: 60, epochs: 6, seed: 2 });
    const p = make();
    runPruner(p, { epochs: 2 });
    const r = StateReader.open(p.saveState(), 'pruner', 1, 't');
    const forged = (steps: unknown) =>
      new StateWriter('pruner', 1)
        .json('fingerprint', r.json('fingerprint'))
        .json('progress', r.json('progress'))
        .uint32('rng', r.uint32('rng'))
        .bytes('store', r.rawBytes('store'))
        .bytes('stage.2', new StateWriter('stage:clusterWindow', 1).json('steps', steps).finish())
        .finish();
    expect(() => make().loadState(forged(2))).not.toThrow();
    for (const [steps, message] of [
      [3, 'clusterWindowStage.loadState(): state is inconsistent (steps must be an integer in [0, 2], got 3)'],
      [-1, 'clusterWindowStage.loadState(): state is inconsistent (steps must be an integer in [0, 2], got -1)'],
      [null, 'clusterWindowStage.loadState(): state is inconsistent (steps must be an integer in [0, 2], got null)'],
    ] as const) {
      const q = make();
      expect(() => q.loadState(forged(steps))).toThrow(StateError);
      expect(() => q.loadState(forged(steps))).toThrow(message);
      expect(q.nextEpoch).toBe(0);
    }
  });
});
