import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallOrderError, StateError } from './errors.js';
import { Random, setWasmKernels } from '@seta/engine';
import { createPruner } from './pipeline.js';
import type { ScoreStore, Selection, Stage } from './stage.js';
import type { EpochPlan } from './types.js';
import { annealStage, downsampleStage } from './stages.js';
import { StateReader, StateWriter } from './state.js';
import { MAX_SIZE } from './size.js';
import { checkResume, runPruner, syntheticLossPairs } from './testing.js';

/** A minimal in-memory score store (latest wins), standing in for @seta/loss-store. */
function memoryStore(size: number): ScoreStore & { recorded: number[][] } {
  const scores = new Float32Array(size).fill(Number.NaN);
  const seen = new Uint32Array(Math.ceil(size / 32));
  const recorded: number[][] = [];
  return {
    size,
    scores,
    seen,
    recorded,
    get seenCount() {
      let c = 0;
      for (let i = 0; i < size; i++) if ((seen[i >>> 5]! >>> (i & 31)) & 1) c++;
      return c;
    },
    mean() {
      let s = 0;
      let c = 0;
      for (let i = 0; i < size; i++) if ((seen[i >>> 5]! >>> (i & 31)) & 1) (s += scores[i]!), c++;
      return c === 0 ? null : s / c;
    },
    record(ids, losses) {
      for (let i = 0; i < ids.length; i++) {
        scores[ids[i]!] = losses[i]!;
        seen[ids[i]! >>> 5]! |= 1 << (ids[i]! & 31);
        recorded.push([ids[i]!, losses[i]!]);
      }
      return 0;
    },
    saveState() {
      return new Uint8Array(new Float32Array(scores).buffer.slice(0));
    },
    loadState(bytes) {
      if (bytes.length !== size * 4) throw new StateError('memoryStore: wrong length');
      scores.set(new Float32Array(bytes.buffer, bytes.byteOffset, size));
      seen.fill(0);
      for (let i = 0; i < size; i++) if (!Number.isNaN(scores[i])) seen[i >>> 5]! |= 1 << (i & 31);
    },
  };
}

const keepEven: Stage = {
  name: 'keepEven',
  select(sel: Selection, ctx) {
    const ids = Uint32Array.from({ length: Math.ceil(ctx.size / 2) }, (_, i) => 2 * i);
    return { ids, weights: Float32Array.from(ids, (id) => 1 + id), phase: 'prune' };
  },
};

describe('createPruner', () => {
  it('starts from all ids, applies the stages in order and shuffles ids with their weights', () => {
    const p = createPruner({ name: 'even', size: 10, epochs: 2, stages: [keepEven], seed: 3 });
    const plan = p.plan(0);
    expect(plan.phase).toBe('prune');
    expect([...plan.indices].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8]);
    expect(plan.indices.join()).not.toBe('0,2,4,6,8');
    plan.indices.forEach((id, i) => expect(plan.weights![i]).toBe(1 + id));
    const full = createPruner({ name: 'plain', size: 6, epochs: 1, stages: [] }).plan(0);
    expect(full.phase).toBe('full');
    expect(full.weights).toBeNull();
    expect([...full.indices].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('shuffles encoded ids alone and decodes them into the plan (decodeWeights), giving the plan of plain weights', () => {
    // Weight 3 for odd ids, encoded as the top bit.
    const decode = (ids: Uint32Array, weights: Float32Array) => {
      for (let i = 0; i < ids.length; i++) {
        weights[i] = ids[i]! >= 0x8000_0000 ? 3 : 1;
        ids[i] = ids[i]! & 0x7fff_ffff;
      }
    };
    const encoded: Stage = { name: 'enc', select: (_s, ctx) => ({ ids: Uint32Array.from({ length: ctx.size }, (_, i) => (i % 2 === 1 ? (i | 0x8000_0000) >>> 0 : i)), weights: null, phase: 'prune', decodeWeights: decode }) };
    const plain: Stage = { name: 'enc', select: (_s, ctx) => ({ ids: Uint32Array.from({ length: ctx.size }, (_, i) => i), weights: Float32Array.from({ length: ctx.size }, (_, i) => (i % 2 === 1 ? 3 : 1)), phase: 'prune' }) };
    for (const size of [10, 70_000]) {
      const a = createPruner({ name: 'p', size, epochs: 1, seed: 4, stages: [encoded] }).plan(0);
      const b = createPruner({ name: 'p', size, epochs: 1, seed: 4, stages: [plain] }).plan(0);
      expect(a.indices.every((id, i) => id === b.indices[i])).toBe(true);
      expect(a.weights!.every((w, i) => w === b.weights![i])).toBe(true);
    }
    const pass: Stage = { name: 'pass', select: (s) => s };
    expect(() => createPruner({ name: 'p', size: 10, epochs: 1, stages: [encoded, pass] }).plan(0)).toThrow(
      new TypeError('p.plan(): stage "enc" returned encoded weights (decodeWeights), which only the selection that becomes the plan may carry'),
    );
    const both: Stage = { name: 'both', select: (s, ctx) => ({ ...plain.select(s, ctx), decodeWeights: decode }) };
    expect(() => createPruner({ name: 'p', size: 10, epochs: 1, stages: [both] }).plan(0)).toThrow(
      new TypeError('p.plan(): a stage returned both weights and encoded weights (decodeWeights); give one'),
    );
  });

  it('turns an empty selection into one random id', () => {
    const none: Stage = { name: 'none', select: () => ({ ids: new Uint32Array(0), weights: null, phase: 'prune' }) };
    const plan = createPruner({ name: 'none', size: 50, epochs: 1, stages: [none] }).plan(0);
    expect(plan.indices.length).toBe(1);
    expect(plan.indices[0]).toBeLessThan(50);
  });

  it('skips the stages after one that returns a final selection', () => {
    const p = createPruner({ name: 'a', size: 100, epochs: 4, stages: [annealStage({ delta: 0.5 }), keepEven] });
    expect(runPruner(p).plans.map((x) => [x.phase, x.indices.length])).toEqual([
      ['prune', 50],
      ['prune', 50],
      ['anneal', 100],
      ['anneal', 100],
    ]);
  });

  it('reports visited, pruned and saved ratios and the mean loss per epoch', () => {
    const p = createPruner({ name: 'half', size: 10, epochs: 3, stages: [downsampleStage({ keep: 0.5 })] });
    const plan = p.plan(0);
    p.observe(plan.indices.subarray(0, 2), [1, 2]);
    p.observe(plan.indices.subarray(2, 5), Float32Array.of(3, 4, 5));
    const s = p.endEpoch();
    expect(s).toEqual({ epoch: 0, phase: 'prune', visited: 5, prunedRatio: 0.5, savedRatioSoFar: 0.5, meanLoss: 3, skippedNonFinite: 0 });
    p.plan(1);
    expect(p.endEpoch()).toMatchObject({ visited: 5, savedRatioSoFar: 0.5, meanLoss: null });
    expect(p.savedRatio).toBe(0.5);
    expect(p.history.length).toBe(2);
    expect(p.nextEpoch).toBe(2);
  });

  it('scores a two-direction batch by the sum of its directions', () => {
    const store = memoryStore(4);
    const p = createPruner({ name: 'two', size: 4, epochs: 1, stages: [], store });
    p.plan(0);
    p.observe([0, 1], [1, 2], [0.5, 0.25]);
    expect(store.recorded).toEqual([
      [0, 1.5],
      [1, 2.25],
    ]);
    expect(p.endEpoch().meanLoss).toBeCloseTo(1.875, 12);
  });

  it('hands stages the observed batch and the end of the epoch', () => {
    const seen: unknown[] = [];
    const spy: Stage = {
      name: 'spy',
      select: (s) => s,
      observe: (b, ctx) => seen.push(['observe', ctx.epoch, [...b.ids], [...b.losses], b.lossesB && [...b.lossesB]]),
      endEpoch: (end) => seen.push(['end', end]),
    };
    const p = createPruner({ name: 'spy', size: 3, epochs: 1, stages: [spy] });
    p.plan(0);
    p.observe([2], [0.5], [1.5]);
    p.endEpoch();
    expect(seen).toEqual([
      ['observe', 0, [2], [0.5], [1.5]],
      ['end', { epoch: 0, phase: 'full', visited: 3, meanLoss: 2 }],
    ]);
  });

  describe('call order', () => {
    it('rejects out-of-order calls with messages that say what was expected', () => {
      const p = createPruner({ name: 'x', size: 5, epochs: 2, stages: [] });
      expect(() => p.observe([0], [1])).toThrow(new CallOrderError('x.observe(): no epoch is open; call plan(0) before observing its batches'));
      expect(() => p.endEpoch()).toThrow('x.endEpoch(): no epoch is open; call plan(0) first');
      expect(() => p.plan(1)).toThrow('x.plan(): expected epoch 0 (epochs come in order 0, 1, 2, …), got 1');
      p.plan(0);
      expect(() => p.plan(1)).toThrow('x.plan(): epoch 0 is still open; call endEpoch() before planning epoch 1');
      expect(() => p.saveState()).toThrow(/save between epochs/);
      p.endEpoch();
      expect(() => p.endEpoch()).toThrow('x.endEpoch(): epoch 0 is already closed; call plan(1) to open the next');
      expect(() => p.plan(3)).toThrow(/expected epoch 1/);
      p.plan(1);
      p.endEpoch();
      expect(() => p.plan(2)).toThrow('x.plan(): all 2 epochs are finished; got a plan request for epoch 2');
      expect(() => p.plan(1.5)).toThrow(TypeError);
    });
  });

  describe('observe validation', () => {
    const open = (nonFinite?: 'skip') => {
      const store = memoryStore(10);
      const p = createPruner({ name: 'v', size: 10, epochs: 1, stages: [], store, nonFinite });
      p.plan(0);
      return { p, store };
    };

    it('names the offending position, id and value', () => {
      const { p, store } = open();
      expect(() => p.observe([1, 10], [0, 0])).toThrow(new RangeError('v.observe(): ids[1] must be an integer id in [0, 9], got 10'));
      expect(() => p.observe([1, 2.5], [0, 0])).toThrow('v.observe(): ids[1] must be an integer id in [0, 9], got 2.5');
      expect(() => p.observe([1, -1], [0, 0])).toThrow(/ids\[1\]/);
      expect(() => p.observe([1, 2], [0])).toThrow('v.observe(): ids and losses must have the same length, got 2 ids and 1 losses');
      expect(() => p.observe([1, 2], [0, 0], [0])).toThrow(/ids and lossesB must have the same length/);
      expect(() => p.observe([4, 7], [0.5, Number.NaN])).toThrow(new RangeError('v.observe(): losses[1] (id 7) must be finite, got NaN'));
      expect(() => p.observe([4, 7], [0.5, 1], [Infinity, 1])).toThrow('v.observe(): lossesB[0] (id 4) must be finite, got Infinity');
      expect(() => p.observe([4], [3e38], [3e38])).toThrow(/losses \+ lossesB\[0\] \(id 4\) must be finite/);
      expect(() => p.observe([4], ['1' as unknown as number])).toThrow(TypeError);
      expect(() => p.observe(3 as unknown as number[], [1])).toThrow(TypeError);
      expect(store.recorded).toEqual([]); // nothing of a rejected batch is recorded
    });

    it('names the loss argument that was given: losses alone, or losses + lossesB', () => {
      const p = createPruner({ name: 'one', size: 10, epochs: 1, stages: [], store: memoryStore(10) });
      p.plan(0);
      expect(() => p.observe([1, 2], [1, 3.5e38])).toThrow(
        new RangeError('one.observe(): losses[1] (id 2) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got 3.5e+38'),
      );
      expect(() => p.observe(Uint32Array.of(1, 2), Float32Array.of(1, Number.NaN))).toThrow(
        new RangeError('one.observe(): losses[1] (id 2) must be finite, got NaN'),
      );
      expect(() => p.observe([1, 2], [1, 3e38], [0, 3e38])).toThrow(
        new RangeError('one.observe(): losses + lossesB[1] (id 2) must be finite as a float32, got 3e+38 + 3e+38'),
      );
    });

    it('gives typed arrays (the lean first pass) the same errors, naming the same position', () => {
      const { p, store } = open();
      const u = (xs: number[]) => Uint32Array.from(xs);
      const f = (xs: number[]) => Float32Array.from(xs);
      expect(() => p.observe(u([1, 10]), f([0, 0]))).toThrow(new RangeError('v.observe(): ids[1] must be an integer id in [0, 9], got 10'));
      expect(() => p.observe(u([4, 7, 2]), f([0.5, Number.NaN, 1]))).toThrow(new RangeError('v.observe(): losses[1] (id 7) must be finite, got NaN'));
      expect(() => p.observe(u([4, 7]), f([0.5, 1]), f([Infinity, 1]))).toThrow('v.observe(): lossesB[0] (id 4) must be finite, got Infinity');
      expect(() => p.observe(u([4]), f([3e38]), f([3e38]))).toThrow(/losses \+ lossesB\[0\] \(id 4\) must be finite/);
      expect(() => p.observe(u([4]), f([Infinity]), f([-Infinity]))).toThrow(/losses\[0\] \(id 4\) must be finite/);
      expect(store.recorded).toEqual([]);
    });

    it('sums typed and plain batches alike, one direction or two (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 })), { minLength: 1, maxLength: 40 }),
          fc.boolean(),
          (rows, two) => {
            const ids = rows.map((r) => r[0]);
            const a = Float32Array.from(rows, (r) => r[1] / 1000);
            const b = Float32Array.from(rows, (r) => r[2] / 1000);
            const typed = open();
            const plain = open();
            typed.p.observe(Uint32Array.from(ids), a, two ? b : undefined);
            plain.p.observe(ids, Array.from(a), two ? Array.from(b) : undefined);
            expect(typed.p.endEpoch()).toEqual(plain.p.endEpoch());
            expect(typed.store.recorded).toEqual(plain.store.recorded);
          },
        ),
        { numRuns: 200 },
      );
    });

    it("with nonFinite: 'skip', keeps the other samples, leaves skipped ones unrecorded and counts them", () => {
      const { p, store } = open('skip');
      p.observe([4, 7, 8], [0.5, Number.NaN, 2]);
      p.observe([1], [1], [Number.POSITIVE_INFINITY]);
      expect(store.recorded).toEqual([
        [4, 0.5],
        [8, 2],
      ]);
      expect(p.endEpoch()).toMatchObject({ skippedNonFinite: 2, meanLoss: 1.25 });
    });
  });

  describe('state', () => {
    const make = () =>
      createPruner({
        name: 'st',
        size: 300,
        epochs: 6,
        seed: 9,
        stages: [annealStage({ delta: 0.7, keep: 0.8 }), downsampleStage({ keep: 0.6 })],
        store: memoryStore(300),
        fingerprint: { keep: 0.6 },
      });

    it('continues exactly after a restore into a fresh pruner, after any epoch', () => {
      for (const stop of [0, 1, 3, 5, 6]) checkResume(make, stop, { losses: syntheticLossPairs, batchSize: 32 });
    });

    it('rejects states of other options, other kinds and corrupted bytes, and stays usable', () => {
      const p = make();
      runPruner(p, { epochs: 2 });
      const state = p.saveState();
      const other = createPruner({ name: 'st', size: 300, epochs: 6, seed: 10, stages: [], store: memoryStore(300) });
      expect(() => other.loadState(state)).toThrow(StateError);
      expect(() => other.loadState(state)).toThrow(/saved by a pruner with other options; expected .*"seed":10.*, got .*"seed":9/);
      const bad = state.slice();
      bad[bad.length - 30]! ^= 1;
      expect(() => make().loadState(bad)).toThrow(/checksum/);
      expect(() => make().loadState(new Uint8Array(10))).toThrow(/not a seta state/);
      const fresh = make();
      expect(() => fresh.loadState(bad)).toThrow();
      expect(fresh.nextEpoch).toBe(0);
      expect(fresh.plan(0).indices.length).toBe(180);
    });

    /**
     * Re-encode a pruner state with `edit` applied to its progress (and
     * optionally its generator words): a state with a valid checksum whose
     * content is inconsistent.
     */
    const forge = (state: Uint8Array, edit: (progress: Record<string, unknown>) => unknown, rng?: Uint32Array, stages = 0): Uint8Array => {
      const r = StateReader.open(state, 'pruner', 1, 'forge');
      const w = new StateWriter('pruner', 1)
        .json('fingerprint', r.json('fingerprint'))
        .json('progress', edit(r.json<Record<string, unknown>>('progress')))
        .uint32('rng', rng ?? r.uint32('rng'));
      if (r.has('store')) w.bytes('store', r.rawBytes('store'));
      for (let i = 0; i < stages; i++) if (r.has(`stage.${i}`)) w.bytes(`stage.${i}`, r.rawBytes(`stage.${i}`));
      return w.finish();
    };

    it('refuses a state whose checksum is valid but whose progress is inconsistent, with StateError, and stays as it was', () => {
      const p = make();
      runPruner(p, { epochs: 3, losses: syntheticLossPairs });
      const state = p.saveState();
      expect(() => make().loadState(forge(state, (g) => g))).not.toThrow();
      const cases: [string, (g: Record<string, any>) => unknown, RegExp][] = [
        ['next −1', (g) => ({ ...g, next: -1 }), /st\.loadState\(\): state is inconsistent \(progress\.next must be an integer in \[0, 6\], got -1\)/],
        ['next 1e6', (g) => ({ ...g, next: 1e6 }), /progress\.next must be an integer in \[0, 6\], got 1000000/],
        ['next 2.5', (g) => ({ ...g, next: 2.5 }), /progress\.next must be an integer/],
        ['next "3"', (g) => ({ ...g, next: '3' }), /progress\.next must be an integer in \[0, 6\], got "3"/],
        ['history null', (g) => ({ ...g, history: null }), /progress\.history must be an array of 3 epoch summaries, got null/],
        ['history too short', (g) => ({ ...g, history: g.history.slice(1) }), /progress\.history must be an array of 3 epoch summaries, got an array of length 2/],
        ['history entry null', (g) => ({ ...g, history: [null, ...g.history.slice(1)] }), /progress\.history\[0\] must be an epoch summary, got null/],
        ['epoch renumbered', (g) => ({ ...g, history: g.history.map((h: object, i: number) => ({ ...h, epoch: i + 1 })) }), /progress\.history\[0\]\.epoch must be 0, got 1/],
        ['visited beyond size', (g) => ({ ...g, history: [{ ...g.history[0], visited: 301 }, ...g.history.slice(1)] }), /progress\.history\[0\]\.visited must be an integer in \[1, 300\], got 301/],
        ['unknown phase', (g) => ({ ...g, history: [{ ...g.history[0], phase: 'rest' }, ...g.history.slice(1)] }), /progress\.history\[0\]\.phase must be one of/],
        ['pruned ratio off', (g) => ({ ...g, history: [{ ...g.history[0], prunedRatio: 0.5 }, ...g.history.slice(1)] }), /progress\.history\[0\]\.prunedRatio must be 0\.4 \(1 − visited \/ size\), got 0\.5/],
        ['saved ratio off', (g) => ({ ...g, history: [...g.history.slice(0, 2), { ...g.history[2], savedRatioSoFar: 0 }] }), /progress\.history\[2\]\.savedRatioSoFar must be 0\.4/],
        ['mean loss not finite', (g) => ({ ...g, history: [{ ...g.history[0], meanLoss: 'x' }, ...g.history.slice(1)] }), /progress\.history\[0\]\.meanLoss must be null or a finite number, got "x"/],
        ['skips without skip mode', (g) => ({ ...g, history: [{ ...g.history[0], skippedNonFinite: 2 }, ...g.history.slice(1)] }), /progress\.history\[0\]\.skippedNonFinite must be 0/],
        ['prunedTotal off', (g) => ({ ...g, prunedTotal: 1 }), /progress\.prunedTotal must be 360 \(the pruned samples of the history\), got 1/],
        ['progress null', () => null, /progress must be an object, got null/],
      ];
      for (const [label, edit, message] of cases) {
        const q = make();
        const forged = forge(state, edit, undefined, 2);
        expect(() => q.loadState(forged), label).toThrow(StateError);
        expect(() => q.loadState(forged), label).toThrow(message);
        expect(q.nextEpoch, label).toBe(0);
        expect(q.history, label).toEqual([]);
        expect(q.plan(0).indices.length, label).toBe(180);
      }
    });

    it('refuses an all-zero generator state with StateError', () => {
      const p = make();
      runPruner(p, { epochs: 1 });
      const forged = forge(p.saveState(), (g) => g, new Uint32Array(4), 2);
      expect(() => make().loadState(forged)).toThrow(StateError);
      expect(() => make().loadState(forged)).toThrow(/st\.loadState\(\): state is inconsistent \(.*state must not be all zero\)/);
    });

    it('gives stages the size, epochs and next epoch of the state they restore into', () => {
      const seen: unknown[] = [];
      const stage: Stage = {
        name: 'spy',
        select: (s) => s,
        saveState: () => Uint8Array.of(1),
        loadState: (_bytes, ctx) => void seen.push(ctx),
      };
      const build = () => createPruner({ name: 'spy', size: 40, epochs: 5, stages: [stage] });
      const p = build();
      runPruner(p, { epochs: 2 });
      build().loadState(p.saveState());
      expect(seen).toEqual([{ size: 40, epochs: 5, nextEpoch: 2 }]);
    });

    it('restores the history and saved ratio too', () => {
      const p = make();
      runPruner(p, { epochs: 3 });
      const q = make();
      q.loadState(p.saveState());
      expect(q.history).toEqual(p.history);
      expect(q.savedRatio).toBe(p.savedRatio);
      expect(q.nextEpoch).toBe(3);
    });
  });

  it('gives the same plans for the same seed and losses, and different plans for another seed', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.integer({ min: 1, max: 200 }), (seed, size) => {
        const make = (s: number) => createPruner({ name: 'd', size, epochs: 2, seed: s, stages: [downsampleStage({ keep: 0.5 })] });
        const a = runPruner(make(seed)).plans;
        const b = runPruner(make(seed)).plans;
        expect(a.map((p) => [...p.indices])).toEqual(b.map((p) => [...p.indices]));
      }),
      { numRuns: 30 },
    );
  });

  it('validates its options', () => {
    expect(() => createPruner({ name: 'p', size: 0, epochs: 1, stages: [] })).toThrow('p(): size must be an integer in [1, 2147483647], got 0');
    expect(() => createPruner({ name: 'p', size: 2 ** 32 - 1, epochs: 1, stages: [] })).toThrow(
      new RangeError('p(): size must be an integer in [1, 2147483647] (MAX_SIZE, 2^31 − 1), got 4294967295'),
    );
    expect(() => createPruner({ name: 'p', size: MAX_SIZE + 1, epochs: 1, stages: [] })).toThrow(RangeError);
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], sead: 3 } as never)).toThrow(
      new TypeError('createPruner(): unknown option "sead" (did you mean "seed"?); known options: name, size, epochs, stages, store, seed, nonFinite, fingerprint'),
    );
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], seed: null } as never)).toThrow(
      new TypeError('createPruner(): seed must not be null (omit it to use the default)'),
    );
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], store: null }).plan(0).indices.length).not.toThrow();
    expect(() => createPruner(undefined as never)).toThrow(new TypeError('createPruner(): options { name, size, epochs, stages } are required'));
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], store: {} as never })).toThrow(
      new TypeError('p(): store must be a score store (size, scores, seen, mean(), record(), saveState(), loadState()), got an object'),
    );
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1.5, stages: [] })).toThrow('p(): epochs must be an integer ≥ 1, got 1.5');
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [{} as Stage] })).toThrow(/stages\[0\] must be a stage/);
    const needs: Stage = { name: 'scores', needsScores: true, select: (s) => s };
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [needs] })).toThrow('p(): stage "scores" needs scores, so a store is required');
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], store: memoryStore(6) })).toThrow(/store.size must equal size 5, got 6/);
    expect(() => createPruner({ name: 'p', size: 5, epochs: 1, stages: [], nonFinite: 'ignore' as 'skip' })).toThrow(/nonFinite must be one of/);
  });
});

describe('pooled stage temporaries', () => {
  /** A stage that returns its pooled array: ids ≡ epoch (mod 3), with weights. */
  const pooled: Stage = {
    name: 'pooled',
    select(_sel, ctx) {
      const n = Math.ceil((ctx.size - (ctx.epoch % 3)) / 3);
      const ids = ctx.scratch!.uint32('ids', n);
      const weights = ctx.scratch!.float32('weights', n);
      for (let i = 0; i < n; i++) {
        ids[i] = 3 * i + (ctx.epoch % 3);
        weights[i] = ctx.epoch + 1;
      }
      return { ids, weights, phase: 'prune' };
    },
  };

  it('hands out plans that own their arrays: a plan the caller keeps is never overwritten by a later epoch', () => {
    for (const size of [1000, 300_000]) {
      // 300 000: the long-array (scatter) shuffle path.
      const p = createPruner({ name: 'pooled', size, epochs: 4, stages: [pooled] });
      const plans: EpochPlan[] = [];
      const copies: { ids: Uint32Array; weights: Float32Array }[] = [];
      for (let e = 0; e < 4; e++) {
        const plan = p.plan(e);
        plans.push(plan);
        copies.push({ ids: plan.indices.slice(), weights: plan.weights!.slice() });
        p.endEpoch();
      }
      const buffers = new Set(plans.flatMap((plan) => [plan.indices.buffer, plan.weights!.buffer]));
      expect(buffers.size).toBe(8);
      plans.forEach((plan, e) => {
        const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);
        expect(same(plan.indices, copies[e]!.ids)).toBe(true);
        expect(same(plan.weights!, copies[e]!.weights)).toBe(true);
        expect(plan.indices.every((id) => id % 3 === e % 3)).toBe(true);
        expect(plan.weights!.every((w) => w === e + 1)).toBe(true);
        expect(plan.indices.length).toBe(plan.indices.buffer.byteLength / 4); // not a view of something larger
      });
    }
  });

  describe('selections built in ctx.output', () => {
    // One stage that selects every third id (weights from `weightOf`), its arrays from
    // ctx.output, from its scratch pool, or from ctx.output but returned as views.
    const thirds = (from: 'output' | 'scratch' | 'view', weightOf: ((id: number) => number) | null, seen: { output: boolean[] }): Stage => ({
      name: 'thirds',
      select(_s: Selection, ctx) {
        seen.output.push(ctx.output !== undefined);
        const count = Math.ceil(ctx.size / 3);
        const extra = from === 'view' ? 1 : 0;
        const ids = from === 'scratch' ? ctx.scratch!.uint32('ids', count) : ctx.output!.uint32(count + extra);
        const weights = weightOf === null ? null : from === 'scratch' ? ctx.scratch!.float32('w', count) : ctx.output!.float32(count + extra);
        for (let i = 0; i < count; i++) {
          ids[i] = 3 * i;
          if (weights !== null) weights[i] = weightOf!(3 * i);
        }
        return {
          ids: from === 'view' ? ids.subarray(0, count) : ids,
          weights: weights === null ? null : from === 'view' ? weights.subarray(0, count) : weights,
          phase: 'prune',
        };
      },
    });
    const kinds: [string, ((id: number) => number) | null][] = [
      ['no weights', null],
      ['two weight values', (id) => (id % 2 === 0 ? 1 : 2.5)],
      ['many weight values', (id) => 1 + (id % 7)],
    ];
    for (const [label, weightOf] of kinds) {
      it(`gives the plans a pooled selection gives, shuffled in place when whole: ${label}`, () => {
        for (const size of [1000, 300_000]) {
          const make = (from: 'output' | 'scratch' | 'view') => {
            const seen = { output: [] as boolean[] };
            return { seen, p: createPruner({ name: 'thirds', size, epochs: 3, seed: 5, stages: [thirds(from, weightOf, seen)] }) };
          };
          const runs = { output: make('output'), scratch: make('scratch'), view: make('view') };
          for (let e = 0; e < 3; e++) {
            const plans = { output: runs.output.p.plan(e), scratch: runs.scratch.p.plan(e), view: runs.view.p.plan(e) };
            for (const other of [plans.output, plans.view]) {
              expect(Buffer.from(other.indices.buffer).equals(Buffer.from(plans.scratch.indices.buffer))).toBe(true);
              if (weightOf === null) expect(other.weights).toBeNull();
              else expect(Buffer.from(other.weights!.buffer).equals(Buffer.from(plans.scratch.weights!.buffer))).toBe(true);
            }
            // Views of output arrays are copied like any other selection: the plan is exactly its length.
            expect(plans.view.indices.buffer.byteLength).toBe(plans.view.indices.length * 4);
            for (const run of Object.values(runs)) run.p.endEpoch();
          }
          expect(runs.output.seen.output).toEqual([true, true, true]);
        }
      });
    }

    it('uses the output arrays themselves as the plan where the shuffle allows, and never hands one out twice', () => {
      let issued: { ids: Uint32Array; weights: Float32Array | null }[] = [];
      const stage = (withWeights: boolean): Stage => ({
        name: 'keep',
        select(_s, ctx) {
          const ids = ctx.output!.uint32(ctx.size - 1);
          for (let i = 0; i < ids.length; i++) ids[i] = i + 1;
          const weights = withWeights ? ctx.output!.float32(ids.length).fill(2) : null;
          if (weights !== null) weights[0] = 1;
          issued.push({ ids, weights });
          return { ids, weights, phase: 'prune' };
        },
      });
      for (const [withWeights, size, kernels] of [false, true].flatMap((w) => [1000, 300_000].flatMap((n) => [true, false].map((k) => [w, n, k] as const)))) {
        const previous = setWasmKernels(kernels);
        try {
          issued = [];
          const p = createPruner({ name: 'keep', size, epochs: 2, stages: [stage(withWeights)] });
          const a = p.plan(0);
          p.endEpoch();
          const b = p.plan(1);
          // Fisher–Yates (short) and the staged shuffle of plain ids (long; in the kernel's memory or, without it, a buffer
          // of the engine's) write back into the stage's arrays; long ids with weights are scattered into new arrays.
          const inPlace = !withWeights || size <= 65_536;
          expect(a.indices === issued[0]!.ids).toBe(inPlace);
          expect(b.indices === issued[1]!.ids).toBe(inPlace);
          if (withWeights) expect(a.weights === issued[0]!.weights).toBe(inPlace);
          expect(a.indices.buffer === b.indices.buffer).toBe(false);
          expect(new Set(a.indices).size).toBe(size - 1);
          expect(a.indices.every((id) => id >= 1 && id < size)).toBe(true);
        } finally {
          setWasmKernels(previous);
        }
      }
    });

    it('is given to the last stage only', () => {
      const seen: [string, boolean][] = [];
      const spy = (name: string): Stage => ({
        name,
        select(selection, ctx) {
          seen.push([name, ctx.output !== undefined]);
          return selection;
        },
      });
      const p = createPruner({ name: 'spies', size: 10, epochs: 1, stages: [spy('a'), spy('b'), spy('c')] });
      p.plan(0);
      expect(seen).toEqual([['a', false], ['b', false], ['c', true]]);
    });
  });

  it('gives every stage its own pool, so two stages of one kind never share a temporary', () => {
    const size = 200_000;
    const p = createPruner({ name: 'twice', size, epochs: 3, stages: [downsampleStage({ keep: 0.5 }), downsampleStage({ keep: 0.5 })] });
    for (let e = 0; e < 3; e++) {
      const ids = p.plan(e).indices;
      expect(ids.length).toBe(Math.floor(Math.floor(size / 2) / 2));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => id < size)).toBe(true);
      p.endEpoch();
    }
  });
});

describe('createPruner() nonFinite', () => {
  const storeWith = (nonFinite: 'error' | 'skip'): ScoreStore => Object.assign(memoryStore(4), { options: { nonFinite } });

  it("follows the store's rule when the pruner's is unset", () => {
    const p = createPruner({ name: 'p', size: 4, epochs: 1, stages: [], store: storeWith('skip') });
    p.plan(0);
    p.observe([0, 1], [1, Number.NaN]);
    expect(p.endEpoch().skippedNonFinite).toBe(1);
    const q = createPruner({ name: 'q', size: 4, epochs: 1, stages: [], store: storeWith('error') });
    q.plan(0);
    expect(() => q.observe([0, 1], [1, Number.NaN])).toThrow('q.observe(): losses[1] (id 1) must be finite, got NaN');
  });

  it('accepts a rule that agrees with the store, and refuses one that does not, naming both', () => {
    expect(() => createPruner({ name: 'p', size: 4, epochs: 1, stages: [], store: storeWith('skip'), nonFinite: 'skip' })).not.toThrow();
    expect(() => createPruner({ name: 'p', size: 4, epochs: 1, stages: [], store: storeWith('error'), nonFinite: 'skip' })).toThrow(
      new RangeError("p(): nonFinite must match the store's, got 'skip' for the pruner and 'error' for the store (leave the pruner's unset to follow the store)"),
    );
  });

  it("is 'error' without a store rule, and the pruner's own with a store that has none", () => {
    const p = createPruner({ name: 'p', size: 4, epochs: 1, stages: [] });
    p.plan(0);
    expect(() => p.observe([0], [Number.POSITIVE_INFINITY])).toThrow(RangeError);
    const q = createPruner({ name: 'q', size: 4, epochs: 1, stages: [], store: memoryStore(4), nonFinite: 'skip' });
    q.plan(0);
    q.observe([0], [Number.NaN]);
    expect(q.endEpoch().skippedNonFinite).toBe(1);
  });
});
