import { describe, expect, it } from 'vitest';
import { LossStore } from './loss-store.js';
import { BUFFER_MIN_SIZE } from './write-buffer.js';

/** A deterministic generator for the test's batches (xorshift32). */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** What each sample should hold after the batches, written one observation at a time: the oracle. */
function model(batches: readonly { ids: number[]; losses: number[]; epoch: number }[], ema: number) {
  const state = new Map<number, { score: number; epoch: number; count: number }>();
  for (const b of batches) {
    b.ids.forEach((id, i) => {
      const loss = b.losses[i]!;
      if (!Number.isFinite(Math.fround(loss))) return;
      const old = state.get(id);
      const score = old === undefined || ema === 0 ? Math.fround(loss) : Math.fround(ema * old.score + (1 - ema) * loss);
      state.set(id, { score, epoch: b.epoch, count: (old?.count ?? 0) + 1 });
    });
  }
  return state;
}

describe('LossStore write buffering (stores of 2^22 samples or more)', () => {
  const size = BUFFER_MIN_SIZE;
  const run = (ema: number, asFloat32: boolean) => {
    const next = generator(ema * 1000 + (asFloat32 ? 7 : 3));
    const store = new LossStore(size, { ema, trackCounts: true, nonFinite: 'skip' });
    const batches: { ids: number[]; losses: number[]; epoch: number }[] = [];
    for (let b = 0; b < 60; b++) {
      const n = b === 9 ? 0 : 1 + Math.floor(next() * 400);
      const ids: number[] = [];
      const losses: number[] = [];
      for (let i = 0; i < n; i++) {
        ids.push((Math.floor(next() * 700) * 5_993) % size); // a small pool: most ids repeat, across id ranges
        const loss = b === 21 && i === 3 ? Number.NaN : next() * 10 + 1e-9; // one batch with a skip
        losses.push(asFloat32 ? Math.fround(loss) : loss); // the moving average reads the loss as given
      }
      const epoch = Math.floor(b / 20); // epochs change between batches
      batches.push({ ids, losses, epoch });
      if (asFloat32) store.recordUnchecked(Uint32Array.from(ids), Float32Array.from(losses), epoch);
      else store.record(ids, losses, epoch);
    }
    return { store, expected: model(batches, ema) };
  };

  for (const [ema, asFloat32] of [[0, true], [0, false], [0.75, true], [0.75, false]] as const) {
    it(`ends exactly as writing each observation in order would (ema ${ema}, ${asFloat32 ? 'Float32Array' : 'number[]'} losses)`, () => {
      const { store, expected } = run(ema, asFloat32);
      expect(store.seenCount).toBe(expected.size);
      expect(store.skipped).toBe(1);
      for (const [id, want] of expected) {
        expect([store.score(id), store.lastSeenEpoch(id), store.count(id)]).toEqual([want.score, want.epoch, want.count]);
      }
      const sum = [...expected.values()].reduce((acc, v) => acc + v.score, 0);
      expect(store.mean()).toBeCloseTo(sum / expected.size, 9);
    });
  }

  it('is applied before every kind of read: a getter, a per-id read, a save, a merge', () => {
    const store = new LossStore(size);
    store.recordUnchecked(Uint32Array.of(5, 6, 7), Float32Array.of(1, 2, 3), 0);
    expect(store.seenCount).toBe(3);
    store.recordUnchecked(Uint32Array.of(8), Float32Array.of(4), 0);
    expect(store.scores[8]).toBe(4);
    store.recordUnchecked(Uint32Array.of(9), Float32Array.of(5), 0);
    expect(store.isSeen(9)).toBe(true);
    store.recordUnchecked(Uint32Array.of(10), Float32Array.of(6), 1);
    expect(LossStore.fromState(store.saveState()).score(10)).toBe(6);
    store.recordUnchecked(Uint32Array.of(11), Float32Array.of(7), 1);
    const into = new LossStore(size).merge(store);
    expect(into.seenIds()).toEqual(Uint32Array.of(5, 6, 7, 8, 9, 10, 11));
    expect(into.mean()).toBe(4);
  });

  it('is dropped by clear() and by a successful loadState(), kept by a failed one', () => {
    const store = new LossStore(size);
    const empty = store.saveState();
    store.recordUnchecked(Uint32Array.of(1), Float32Array.of(1), 0);
    store.clear();
    expect(store.seenCount).toBe(0);
    store.recordUnchecked(Uint32Array.of(2), Float32Array.of(2), 0);
    expect(() => store.loadState(new Uint8Array(3))).toThrow();
    expect(store.score(2)).toBe(2);
    store.recordUnchecked(Uint32Array.of(3), Float32Array.of(3), 0);
    store.loadState(empty);
    expect([store.seenCount, store.isSeen(3)]).toEqual([0, false]);
  });
});
