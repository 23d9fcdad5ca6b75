import { describe, expect, it } from 'vitest';
import { StateError } from './errors.js';
import { StateReader, StateWriter } from './state.js';
import { createPruner } from './pipeline.js';
import { annealStage, downsampleStage, staticSubsetStage } from './stages.js';
import { checkResume, runPruner } from './testing.js';

describe('annealStage', () => {
  it('anneals from epoch floor(δ · E), with full data or a fresh random keep · N', () => {
    const phases = (delta: number, epochs: number) =>
      runPruner(createPruner({ name: 'a', size: 10, epochs, stages: [annealStage({ delta }), downsampleStage({ keep: 0.5 })] })).plans.map(
        (p) => p.phase,
      );
    expect(phases(0.875, 8)).toEqual(['prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'prune', 'anneal']);
    expect(phases(0.875, 10).indexOf('anneal')).toBe(8); // floor(8.75)
    expect(phases(1, 3)).toEqual(['prune', 'prune', 'prune']);
    expect(phases(0, 2)).toEqual(['anneal', 'anneal']);
    const partial = runPruner(createPruner({ name: 'p', size: 1000, epochs: 2, stages: [annealStage({ delta: 0, keep: 0.9 })] })).plans;
    expect(partial.map((p) => p.indices.length)).toEqual([900, 900]);
    expect(partial[0]!.weights).toBeNull();
    expect([...partial[0]!.indices].sort().join()).not.toBe([...partial[1]!.indices].sort().join());
  });

  it('rejects a delta outside [0, 1] and a keep outside (0, 1]', () => {
    expect(() => annealStage({ delta: 1.2 })).toThrow('annealStage(): delta must be in [0, 1], got 1.2');
    expect(() => annealStage({ delta: 0.5, keep: 0 })).toThrow('annealStage(): keep must be in (0, 1], got 0');
  });
});

describe('downsampleStage', () => {
  it('keeps floor(keep · n) ids, a fresh uniform subset each epoch', () => {
    const counts = new Float64Array(20);
    const p = createPruner({ name: 'd', size: 20, epochs: 2000, stages: [downsampleStage({ keep: 0.35 })] });
    for (const plan of runPruner(p).plans) {
      expect(plan.indices.length).toBe(7);
      for (const id of plan.indices) counts[id]!++;
    }
    for (const c of counts) expect(Math.abs(c / 2000 - 0.35)).toBeLessThan(0.05);
  });

  it('narrows an existing selection and carries its weights along', () => {
    const weighted = {
      name: 'w',
      select: () => ({ ids: Uint32Array.of(3, 5, 7, 9), weights: Float32Array.of(3, 5, 7, 9), phase: 'prune' as const }),
    };
    const plan = createPruner({ name: 'x', size: 10, epochs: 1, stages: [weighted, downsampleStage({ keep: 0.5 })] }).plan(0);
    expect(plan.indices.length).toBe(2);
    plan.indices.forEach((id, i) => expect(plan.weights![i]).toBe(id));
  });
});

describe('staticSubsetStage', () => {
  it('uses the same floor(keep · N) ids every epoch, in a fresh order', () => {
    const plans = runPruner(createPruner({ name: 's', size: 100, epochs: 4, stages: [staticSubsetStage({ keep: 0.3 })] })).plans;
    const sets = plans.map((p) => [...p.indices].sort((a, b) => a - b).join());
    expect(new Set(sets).size).toBe(1);
    expect(plans[0]!.indices.length).toBe(30);
    expect(plans[0]!.indices.join()).not.toBe(plans[1]!.indices.join());
  });

  it('redraws the same subset after a restore from a 16-byte generator state', () => {
    const make = () => createPruner({ name: 's', size: 5000, epochs: 5, seed: 4, stages: [staticSubsetStage({ keep: 0.5 })] });
    for (const stop of [0, 1, 3]) checkResume(make, stop);
  });
});

describe('stage options and states', () => {
  it('refuse unknown and null options, naming the key and the option it most likely meant', () => {
    expect(() => annealStage({ delta: 0.5, kep: 0.5 } as never)).toThrow(
      new TypeError('annealStage(): unknown option "kep" (did you mean "keep"?); known options: delta, keep'),
    );
    expect(() => annealStage({ delta: 0.5, keep: null } as never)).toThrow(
      new TypeError('annealStage(): keep must not be null (omit it to use the default)'),
    );
    expect(() => downsampleStage({ keep: 0.5, ratio: 0.1 } as never)).toThrow(/downsampleStage\(\): unknown option "ratio"; known options: keep/);
    expect(() => staticSubsetStage({ Keep: 0.5 } as never)).toThrow(/staticSubsetStage\(\): unknown option "Keep" \(did you mean "keep"\?\)/);
  });

  it('say which options are required when none are given', () => {
    expect(() => annealStage(undefined as never)).toThrow(new TypeError('annealStage(): options { delta } are required'));
    expect(() => downsampleStage(undefined as never)).toThrow(new TypeError('downsampleStage(): options { keep } are required'));
    expect(() => staticSubsetStage(undefined as never)).toThrow(new TypeError('staticSubsetStage(): options { keep } are required'));
  });

  it('staticSubsetStage refuses an inconsistent state with StateError: other keep, an all-zero generator, a subset drawn before any epoch ended', () => {
    const make = () => createPruner({ name: 's', size: 50, epochs: 4, stages: [staticSubsetStage({ keep: 0.5 })] });
    const p = make();
    runPruner(p, { epochs: 2 });
    const state = p.saveState();
    const r = StateReader.open(state, 'pruner', 1, 't');
    const stageState = (keep: unknown, drawnFrom: Uint32Array | null) => {
      const w = new StateWriter('stage:staticSubset', 1).json('keep', keep);
      if (drawnFrom !== null) w.uint32('drawnFrom', drawnFrom);
      return w.finish();
    };
    const rebuild = (stage: Uint8Array, progress?: unknown) =>
      new StateWriter('pruner', 1)
        .json('fingerprint', r.json('fingerprint'))
        .json('progress', progress ?? r.json('progress'))
        .uint32('rng', r.uint32('rng'))
        .bytes('stage.0', stage)
        .finish();
    const drawn = StateReader.open(r.rawBytes('stage.0'), 'stage:staticSubset', 1, 't').uint32('drawnFrom', 4);
    expect(() => make().loadState(rebuild(stageState(0.5, drawn)))).not.toThrow();
    const cases: [Uint8Array, RegExp][] = [
      [rebuild(stageState(0.25, drawn)), /staticSubsetStage\.loadState\(\): state has keep 0\.25, this stage has 0\.5/],
      [rebuild(stageState(0.5, new Uint32Array(4))), /staticSubsetStage\.loadState\(\): state is inconsistent \(drawnFrom must not be all zero/],
      [rebuild(stageState(0.5, new Uint32Array(3).fill(1))), /staticSubsetStage\.loadState\(\): state section "drawnFrom" holds 3 values, expected 4/],
      [rebuild(stageState(0.5, drawn), { next: 0, prunedTotal: 0, history: [] }), /state is inconsistent \(a subset is drawn, but no epoch is finished\)/],
    ];
    for (const [bytes, message] of cases) {
      const q = make();
      expect(() => q.loadState(bytes)).toThrow(StateError);
      expect(() => q.loadState(bytes)).toThrow(message);
      expect(q.nextEpoch).toBe(0);
    }
  });
});
