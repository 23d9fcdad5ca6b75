import { SetaError, StateError, StateWriter } from '@seta/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossStore } from './loss-store.js';
import type { LossStoreOptions } from './loss-store.js';

const F32_MAX = 3.4028234663852886e38;

/** Everything observable about a store, in a form `toEqual` compares exactly (NaN bit patterns included). */
function snapshot(store: LossStore) {
  return {
    scoreBits: Array.from(new Uint32Array(store.scores.slice().buffer)),
    seen: Array.from(store.seen),
    epochs: store.epochs === null ? null : Array.from(store.epochs),
    counts: store.counts === null ? null : Array.from(store.counts),
    seenCount: store.seenCount,
    skipped: store.skipped,
    currentEpoch: store.currentEpoch,
    mean: store.mean(),
  };
}

/** Whether two typed arrays hold the same bytes (fast for millions of elements). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** `x = m · 2^e` exactly, for a finite double. */
function dyadic(x: number): { m: bigint; e: number } {
  if (x === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) m |= 1n << 52n;
  const e = Math.max(biased, 1) - 1075;
  return { m: hi >>> 31 ? -m : m, e };
}

/**
 * The exact relative error of `mean` against the exact mean of `values`
 * (float32 values), computed with BigInt: an oracle independent of the
 * store's summation.
 */
function relativeErrorOfMean(mean: number, values: readonly number[]): number {
  let sum = 0n; // in units of 2^-149: every float32 is an integer multiple
  for (const v of values) {
    expect(Math.fround(v)).toBe(v);
    sum += BigInt(v * 2 ** 149);
  }
  const count = BigInt(values.length);
  if (sum === 0n) return mean === 0 ? 0 : Number.POSITIVE_INFINITY;
  // mean · count vs sum · 2^-149, both scaled to integers.
  const { m, e } = dyadic(mean);
  const shift = e + 149;
  const lhs = shift >= 0 ? (m * count) << BigInt(shift) : m * count;
  const rhs = shift >= 0 ? sum : sum << BigInt(-shift);
  const diff = lhs - rhs;
  return Math.abs(Number(diff)) / Math.abs(Number(rhs));
}

/** Two roundings (the sum, then the division): at most 2u + u² with u = 2^-53. */
const MEAN_TOLERANCE = 2 ** -52 * (1 + 2 ** -52);

/** A straightforward model of the documented semantics, for property tests. */
class Model {
  readonly scores = new Map<number, number>();
  readonly epochs = new Map<number, number>();
  readonly counts = new Map<number, number>();
  skipped = 0;
  current = 0;
  constructor(
    readonly size: number,
    readonly options: Required<LossStoreOptions>,
  ) {}

  /** Returns the number skipped, or 'error' if the store must reject the batch. */
  record(ids: number[], losses: number[], epoch?: number): number | 'error' {
    for (let i = 0; i < ids.length; i++) {
      if (this.options.nonFinite === 'error' && !Number.isFinite(Math.fround(losses[i]!))) return 'error';
    }
    const e = epoch ?? this.current;
    this.current = Math.max(this.current, e);
    let skipped = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const loss = losses[i]!;
      if (!Number.isFinite(Math.fround(loss))) {
        skipped++;
        continue;
      }
      const old = this.scores.get(id);
      const a = this.options.ema;
      this.scores.set(id, old === undefined || a === 0 ? Math.fround(loss) : Math.fround(a * old + (1 - a) * loss));
      this.epochs.set(id, e);
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
    }
    this.skipped += skipped;
    return skipped;
  }
}

function expectMatchesModel(store: LossStore, model: Model): void {
  expect(store.seenCount).toBe(model.scores.size);
  expect(store.skipped).toBe(model.skipped);
  expect(store.currentEpoch).toBe(model.current);
  for (let id = 0; id < model.size; id++) {
    const want = model.scores.get(id);
    expect(store.isSeen(id)).toBe(want !== undefined);
    expect(store.score(id)).toBe(want ?? Number.NaN);
    if (model.options.trackEpochs) expect(store.lastSeenEpoch(id)).toBe(model.epochs.get(id) ?? -1);
    if (model.options.trackCounts) expect(store.count(id)).toBe(model.counts.get(id) ?? 0);
  }
  expect(Array.from(store.seenIds())).toEqual([...model.scores.keys()].sort((a, b) => a - b));
  const mean = store.mean();
  if (model.scores.size === 0) expect(mean).toBeNull();
  else expect(relativeErrorOfMean(mean!, [...model.scores.values()])).toBeLessThanOrEqual(MEAN_TOLERANCE);
}

const optionsArb = fc.record({
  ema: fc.constantFrom(0, 0.5, 0.9, 0.123),
  trackEpochs: fc.boolean(),
  trackCounts: fc.boolean(),
  nonFinite: fc.constantFrom('error' as const, 'skip' as const),
});

const lossArb = fc.oneof(
  { weight: 6, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 3, arbitrary: fc.double({ noNaN: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -Number.POSITIVE_INFINITY, 1e39) },
);

const scenarioArb = fc.integer({ min: 1, max: 70 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    options: optionsArb,
    batches: fc.array(
      fc
        .array(fc.tuple(fc.integer({ min: 0, max: size - 1 }), lossArb), { maxLength: 40 })
        .chain((pairs) =>
          fc.record({
            ids: fc.constant(pairs.map((p) => p[0])),
            losses: fc.constant(pairs.map((p) => p[1])),
            epoch: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
          }),
        ),
      { maxLength: 12 },
    ),
  }),
);

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function replay(scenario: Scenario, check?: (store: LossStore, model: Model) => void) {
  const store = new LossStore(scenario.size, scenario.options);
  const model = new Model(scenario.size, scenario.options);
  for (const b of scenario.batches) {
    const want = model.record(b.ids, b.losses, b.epoch);
    if (want === 'error') {
      const before = snapshot(store);
      expect(() => store.record(b.ids, b.losses, b.epoch)).toThrow(RangeError);
      expect(snapshot(store)).toEqual(before);
    } else {
      expect(store.record(Uint32Array.from(b.ids), Float64Array.from(b.losses), b.epoch)).toBe(want);
    }
    check?.(store, model);
  }
  return { store, model };
}

describe('LossStore()', () => {
  it('starts with every sample unseen', () => {
    const store = new LossStore(40, { trackCounts: true });
    expect(store.size).toBe(40);
    expect(store.seenCount).toBe(0);
    expect(store.mean()).toBeNull();
    expect(store.skipped).toBe(0);
    expect(store.currentEpoch).toBe(0);
    for (let id = 0; id < 40; id++) {
      expect(store.isSeen(id)).toBe(false);
      expect(store.score(id)).toBeNaN();
      expect(store.lastSeenEpoch(id)).toBe(-1);
      expect(store.count(id)).toBe(0);
    }
    expect(store.seenIds()).toEqual(new Uint32Array(0));
    expect(store.scores.every((s) => Number.isNaN(s))).toBe(true);
    expect(Array.from(store.seen)).toEqual([0, 0]);
  });

  it('fills in defaults: latest wins, epochs tracked, counts not, non-finite losses rejected', () => {
    const store = new LossStore(3);
    expect(store.options).toEqual({ ema: 0, trackEpochs: true, trackCounts: false, nonFinite: 'error' });
    expect(Object.isFrozen(store.options)).toBe(true);
    expect(store.epochs).toBeInstanceOf(Int32Array);
    expect(store.counts).toBeNull();
    expect(new LossStore(3, { ema: -0 }).options.ema).toBe(0);
    expect(Object.is(new LossStore(3, { ema: -0 }).options.ema, 0)).toBe(true);
  });

  it('holds 4.125, 8.125 or 12.125 bytes per sample by configuration', () => {
    const n = 32_000;
    expect(new LossStore(n, { trackEpochs: false }).byteLength / n).toBe(4.125);
    expect(new LossStore(n).byteLength / n).toBe(8.125);
    expect(new LossStore(n, { trackEpochs: false, trackCounts: true }).byteLength / n).toBe(8.125);
    expect(new LossStore(n, { trackCounts: true }).byteLength / n).toBe(12.125);
    expect(new LossStore(50_000, { ema: 0.9, trackCounts: true }).byteLength).toBe(606_252);
  });

  it('accepts sizes 1 … 2^32 − 1 and rejects others, naming the value', () => {
    expect(new LossStore(1).size).toBe(1);
    expect(() => new LossStore(0)).toThrow(new RangeError('LossStore(): size must be an integer in [1, 2147483647], got 0'));
    expect(() => new LossStore(2 ** 32 - 1)).toThrow(
      new RangeError('LossStore(): size must be an integer in [1, 2147483647] (MAX_SIZE, 2^31 − 1), got 4294967295'),
    );
    expect(() => new LossStore(2.5)).toThrow(new RangeError('LossStore(): size must be an integer in [1, 2147483647], got 2.5'));
    expect(() => new LossStore(Number.NaN)).toThrow(RangeError);
    expect(() => new LossStore('10' as unknown as number)).toThrow(
      new TypeError('LossStore(): size must be a number, got "10"'),
    );
  });

  it('rejects bad options, naming the option and the value', () => {
    expect(() => new LossStore(4, { ema: 1 })).toThrow(new RangeError('LossStore(): ema must be in [0, 1), got 1'));
    expect(() => new LossStore(4, { ema: -0.1 })).toThrow(new RangeError('LossStore(): ema must be in [0, 1), got -0.1'));
    expect(() => new LossStore(4, { ema: Number.NaN })).toThrow(new RangeError('LossStore(): ema must be in [0, 1), got NaN'));
    expect(() => new LossStore(4, { ema: '0.5' as unknown as number })).toThrow(
      new TypeError('LossStore(): ema must be a number, got "0.5"'),
    );
    expect(() => new LossStore(4, { trackEpochs: 'yes' as unknown as boolean })).toThrow(
      new TypeError('LossStore(): trackEpochs must be a boolean, got "yes"'),
    );
    expect(() => new LossStore(4, { trackCounts: 1 as unknown as boolean })).toThrow(
      new TypeError('LossStore(): trackCounts must be a boolean, got 1'),
    );
    expect(() => new LossStore(4, { nonFinite: 'ignore' as 'skip' })).toThrow(
      new RangeError('LossStore(): nonFinite must be one of "error", "skip", got "ignore"'),
    );
    expect(() => new LossStore(4, { emaa: 0.5 } as LossStoreOptions)).toThrow(
      new TypeError('LossStore(): unknown option "emaa" (did you mean "ema"?); known options: ema, trackEpochs, trackCounts, nonFinite'),
    );
    expect(() => new LossStore(4, { track_counts: true } as LossStoreOptions)).toThrow(/unknown option "track_counts" \(did you mean "trackCounts"\?\)/);
    expect(() => new LossStore(4, { ema: null } as unknown as LossStoreOptions)).toThrow(
      new TypeError('LossStore(): ema must not be null (omit it to use the default)'),
    );
    expect(() => new LossStore(4, null as unknown as LossStoreOptions)).toThrow(TypeError);
    expect(() => new LossStore(4, [] as unknown as LossStoreOptions)).toThrow(TypeError);
  });
});

describe('LossStore.record()', () => {
  it('keeps the latest loss of each sample, rounded to float32', () => {
    const store = new LossStore(10);
    expect(store.record(Uint32Array.of(1, 4), Float32Array.of(0.5, 2.25), 0)).toBe(0);
    store.record([4, 9], [0.1, 7], 1);
    expect(store.score(1)).toBe(0.5);
    expect(store.score(4)).toBe(Math.fround(0.1));
    expect(store.score(4)).toBe(0.10000000149011612);
    expect(store.score(9)).toBe(7);
    expect(store.scores[4]).toBe(Math.fround(0.1));
    expect(store.seenCount).toBe(3);
  });

  it('applies a batch in order: a repeated id ends with its last loss and counts every observation', () => {
    const store = new LossStore(5, { trackCounts: true });
    store.record([2, 3, 2, 2], [1, 5, 3, 4]);
    expect(store.score(2)).toBe(4);
    expect(store.count(2)).toBe(3);
    expect(store.count(3)).toBe(1);
    expect(store.seenCount).toBe(2);
  });

  it('with ema, sets the first observation directly and then blends: fround(a·old + (1 − a)·loss)', () => {
    const a = 0.9;
    const store = new LossStore(3, { ema: a });
    store.record([0], [2]);
    expect(store.score(0)).toBe(2);
    store.record([0], [1]);
    const s1 = Math.fround(a * 2 + (1 - a) * 1);
    expect(store.score(0)).toBe(s1);
    expect(store.score(0)).toBe(1.899999976158142);
    store.record([0, 0], [0.3, 10]);
    const s2 = Math.fround(a * s1 + (1 - a) * 0.3);
    const s3 = Math.fround(a * s2 + (1 - a) * 10);
    expect(store.score(0)).toBe(s3);
    // Another sample's first observation is not blended with anything.
    store.record([1], [0.3]);
    expect(store.score(1)).toBe(Math.fround(0.3));
  });

  it('blends with the loss in double precision before rounding once', () => {
    const store = new LossStore(1, { ema: 0.5 });
    store.record([0], [1]);
    const loss = 1 + 2 ** -30; // not a float32: rounding it first would give 1
    store.record([0], [loss]);
    expect(store.score(0)).toBe(Math.fround(0.5 * 1 + 0.5 * loss));
    expect(store.score(0)).toBe(1);
    store.record([0], [1 + 2 ** -23 + 2 ** -24]);
    expect(store.score(0)).toBe(Math.fround(0.5 + 0.5 * (1 + 2 ** -23 + 2 ** -24)));
  });

  it('sets the last-seen epoch to the epoch given, defaulting to the largest epoch given so far', () => {
    const store = new LossStore(4);
    store.record([0], [1]);
    expect(store.lastSeenEpoch(0)).toBe(0);
    store.record([1], [1], 5);
    expect(store.currentEpoch).toBe(5);
    store.record([2], [1]);
    expect(store.lastSeenEpoch(2)).toBe(5);
    store.record([1], [2], 3); // a straggler from an earlier epoch still records, with its own epoch
    expect(store.score(1)).toBe(2);
    expect(store.lastSeenEpoch(1)).toBe(3);
    expect(store.currentEpoch).toBe(5);
    store.record([3], [1], 2 ** 31 - 1);
    expect(store.lastSeenEpoch(3)).toBe(2 ** 31 - 1);
  });

  it('accepts plain arrays and every typed array kind alike', () => {
    const ids = [5, 0, 33, 5, 64];
    const losses = [0.25, 3, -1.5, 1e-3, 7e20];
    const ref = new LossStore(65, { trackCounts: true });
    ref.record(ids, losses, 2);
    const idKinds = [Uint32Array, Int32Array, Float64Array, Float32Array, Uint16Array, Uint8Array];
    const lossKinds = [Float32Array, Float64Array];
    for (const I of idKinds) {
      for (const L of lossKinds) {
        const store = new LossStore(65, { trackCounts: true });
        store.record(I.from(ids), L.from(losses), 2);
        expect(snapshot(store)).toEqual(snapshot(ref));
      }
    }
    const viaArrayLike = new LossStore(65, { trackCounts: true });
    viaArrayLike.record({ ...ids, length: 5 }, { ...losses, length: 5 }, 2);
    expect(snapshot(viaArrayLike)).toEqual(snapshot(ref));
  });

  it('does not mutate its arguments', () => {
    const ids = Object.freeze([3, 1, 3]);
    const losses = Object.freeze([0.1, Number.NaN, 0.3]);
    const store = new LossStore(4, { nonFinite: 'skip', ema: 0.5 });
    store.record(ids, losses);
    expect(ids).toEqual([3, 1, 3]);
    const tIds = Uint32Array.of(3, 1, 3);
    const tLosses = Float64Array.of(0.1, 0.2, 0.3);
    store.record(tIds, tLosses);
    expect(Array.from(tIds)).toEqual([3, 1, 3]);
    expect(Array.from(tLosses)).toEqual([0.1, 0.2, 0.3]);
  });

  it('accepts an empty batch', () => {
    const store = new LossStore(2);
    expect(store.record([], [], 3)).toBe(0);
    expect(store.seenCount).toBe(0);
    expect(store.currentEpoch).toBe(3);
  });

  it('works at the edges of the id range and across word boundaries', () => {
    const store = new LossStore(97);
    const ids = [0, 31, 32, 63, 64, 95, 96];
    store.record(ids, ids.map((i) => i / 2));
    expect(Array.from(store.seenIds())).toEqual(ids);
    expect(Array.from(store.seen)).toEqual([0x8000_0001, 0x8000_0001, 0x8000_0001, 0x1].map((x) => x >>> 0));
    for (const id of ids) expect(store.score(id)).toBe(id / 2);
  });

  it('stores -0, subnormal float32 values and the float32 extremes exactly', () => {
    const store = new LossStore(6);
    const values = [-0, 2 ** -149, -(2 ** -149) * 3, F32_MAX, -F32_MAX, 1e-50];
    store.record([0, 1, 2, 3, 4, 5], values);
    expect(Object.is(store.score(0), -0)).toBe(true);
    expect(store.score(1)).toBe(2 ** -149);
    expect(store.score(2)).toBe(-(2 ** -149) * 3);
    expect(store.score(3)).toBe(F32_MAX);
    expect(store.score(4)).toBe(-F32_MAX);
    expect(store.score(5)).toBe(0); // below the float32 range: rounds to 0
  });

  describe('validation', () => {
    const store = () => new LossStore(100);
    const cases: [string, () => unknown, Error][] = [
      ['ids not array-like', () => store().record(5 as unknown as number[], [1]), new TypeError('LossStore.record(): ids must be an array or typed array, got 5')],
      ['losses not array-like', () => store().record([1], null as unknown as number[]), new TypeError('LossStore.record(): losses must be an array or typed array, got null')],
      ['lengths differ', () => store().record([1, 2], [1, 2, 3]), new RangeError('LossStore.record(): ids and losses must have the same length, got 2 ids and 3 losses')],
      ['id past the end', () => store().record([0, 1, 2, 100], [1, 1, 1, 1]), new RangeError('LossStore.record(): ids[3] must be an integer in [0, 99], got 100')],
      ['negative id', () => store().record([-1], [1]), new RangeError('LossStore.record(): ids[0] must be an integer in [0, 99], got -1')],
      ['fractional id', () => store().record([1, 2.5], [1, 1]), new RangeError('LossStore.record(): ids[1] must be an integer in [0, 99], got 2.5')],
      ['NaN id', () => store().record([Number.NaN], [1]), new RangeError('LossStore.record(): ids[0] must be an integer in [0, 99], got NaN')],
      ['huge id', () => store().record(Float64Array.of(2 ** 32), [1]), new RangeError('LossStore.record(): ids[0] must be an integer in [0, 99], got 4294967296')],
      ['string id', () => store().record(['3'] as unknown as number[], [1]), new TypeError('LossStore.record(): ids[0] must be an integer in [0, 99], got "3"')],
      ['missing id', () => store().record([1, , 2] as number[], [1, 1, 1]), new TypeError('LossStore.record(): ids[1] must be an integer in [0, 99], got undefined')],
      ['NaN loss', () => store().record([0, 1, 2, 17], [1, 1, 1, Number.NaN]), new RangeError('LossStore.record(): losses[3] (id 17) must be finite, got NaN')],
      ['infinite loss', () => store().record([4, 8], Float32Array.of(1, Number.POSITIVE_INFINITY)), new RangeError('LossStore.record(): losses[1] (id 8) must be finite, got Infinity')],
      ['-infinite loss', () => store().record([4], [-Number.POSITIVE_INFINITY]), new RangeError('LossStore.record(): losses[0] (id 4) must be finite, got -Infinity')],
      ['loss overflowing float32', () => store().record([9, 6], [1, 1e39]), new RangeError('LossStore.record(): losses[1] (id 6) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got 1e+39')],
      ['string loss', () => store().record([4], ['0.5'] as unknown as number[]), new TypeError('LossStore.record(): losses[0] (id 4) must be a number, got "0.5"')],
      ['negative epoch', () => store().record([1], [1], -1), new RangeError('LossStore.record(): epoch must be an integer in [0, 2147483647], got -1')],
      ['fractional epoch', () => store().record([1], [1], 1.5), new RangeError('LossStore.record(): epoch must be an integer in [0, 2147483647], got 1.5')],
      ['epoch too large', () => store().record([1], [1], 2 ** 31), new RangeError('LossStore.record(): epoch must be an integer in [0, 2147483647], got 2147483648')],
      ['epoch not a number', () => store().record([1], [1], '2' as unknown as number), new TypeError('LossStore.record(): epoch must be a number, got "2"')],
    ];
    it.each(cases)('rejects %s with a message naming position, id and value', (_, call, error) => {
      expect(call).toThrow(error);
      try {
        call();
      } catch (e) {
        expect((e as Error).constructor).toBe(error.constructor);
      }
    });

    it('reports the first offending position', () => {
      expect(() => store().record([1, 200, 3], [Number.NaN, 1, Number.NaN])).toThrow(
        'LossStore.record(): losses[0] (id 1) must be finite, got NaN',
      );
      expect(() => store().record([1, 200, 3], [1, Number.NaN, 1])).toThrow(
        'LossStore.record(): ids[1] must be an integer in [0, 99], got 200',
      );
    });

    it('writes nothing when a batch is rejected, even at its last position', () => {
      const s = new LossStore(100, { ema: 0.5, trackCounts: true });
      s.record([1, 2, 3], [1, 2, 3], 1);
      s.mean();
      const before = s.saveState();
      const ids = Array.from({ length: 256 }, (_, i) => i % 100);
      const losses = ids.map(() => 9);
      losses[255] = Number.NaN;
      expect(() => s.record(ids, losses, 7)).toThrow('losses[255] (id 55) must be finite, got NaN');
      ids[255] = 100;
      losses[255] = 1;
      expect(() => s.record(ids, losses, 7)).toThrow('ids[255] must be an integer in [0, 99], got 100');
      expect(() => s.record(ids.slice(0, 255), losses, 7)).toThrow('must have the same length');
      expect(s.saveState()).toEqual(before);
      expect(s.currentEpoch).toBe(1);
      expect(s.mean()).toBe(2);
    });

    it('writes nothing for any rejected batch (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.double({ noNaN: true, min: -10, max: 10 })), { minLength: 1, maxLength: 30 }),
          fc.nat(),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1e300),
          (pairs, at, bad) => {
            const s = new LossStore(20, { trackCounts: true });
            s.record([0, 5, 19], [1, 2, 3], 2);
            const before = snapshot(s);
            const ids = pairs.map((p) => p[0]);
            const losses = pairs.map((p) => p[1]);
            losses[at % losses.length] = bad;
            expect(() => s.record(ids, losses, 4)).toThrow(RangeError);
            expect(snapshot(s)).toEqual(before);
          },
        ),
      );
    });
  });

  describe("nonFinite: 'skip'", () => {
    it('keeps the previous score, returns and counts the skips', () => {
      const store = new LossStore(10, { nonFinite: 'skip', trackCounts: true });
      expect(store.record([1, 2], [0.5, 0.75], 0)).toBe(0);
      const n = store.record([1, 2, 3, 4], [Number.NaN, 1.25, Number.POSITIVE_INFINITY, 1e39], 3);
      expect(n).toBe(3);
      expect(store.skipped).toBe(3);
      expect(store.score(1)).toBe(0.5); // kept
      expect(store.lastSeenEpoch(1)).toBe(0); // a skipped loss is not an observation
      expect(store.count(1)).toBe(1);
      expect(store.score(2)).toBe(1.25);
      expect(store.lastSeenEpoch(2)).toBe(3);
      expect(store.isSeen(3)).toBe(false); // unseen stays unseen
      expect(store.score(3)).toBeNaN();
      expect(store.isSeen(4)).toBe(false);
      expect(store.seenCount).toBe(2);
      expect(store.mean()).toBe((0.5 + 1.25) / 2);
      expect(store.record([5], [-Number.POSITIVE_INFINITY])).toBe(1);
      expect(store.skipped).toBe(4);
    });

    it('keeps the previous EMA untouched', () => {
      const store = new LossStore(2, { nonFinite: 'skip', ema: 0.9 });
      store.record([0, 0], [1, 3]);
      const s = store.score(0);
      store.record([0], [Number.NaN]);
      expect(store.score(0)).toBe(s);
    });

    it('still rejects bad ids, lengths and kinds, writing nothing', () => {
      const store = new LossStore(10, { nonFinite: 'skip' });
      store.record([1], [1]);
      const before = snapshot(store);
      expect(() => store.record([2, 10], [Number.NaN, 1])).toThrow(
        new RangeError('LossStore.record(): ids[1] must be an integer in [0, 9], got 10'),
      );
      expect(() => store.record([2, 3], [1, 'x'] as unknown as number[])).toThrow(
        new TypeError('LossStore.record(): losses[1] (id 3) must be a number, got "x"'),
      );
      expect(() => store.record([2], [1, 2])).toThrow(RangeError);
      expect(snapshot(store)).toEqual(before);
    });
  });

  it('matches a model of the documented semantics for any sequence of batches (property)', () => {
    fc.assert(fc.property(scenarioArb, (scenario) => void replay(scenario, expectMatchesModel)), { numRuns: 150 });
  });
});

describe('LossStore.mergeShard()', () => {
  it('is a validated record', () => {
    const a = new LossStore(8, { trackCounts: true });
    const b = new LossStore(8, { trackCounts: true });
    a.record([1, 2], [0.5, 0.25], 1);
    b.record([1, 2], [0.5, 0.25], 1);
    a.record([2, 7], [3, 4], 2);
    expect(b.mergeShard(Uint32Array.of(2, 7), Float32Array.of(3, 4), 2)).toBe(0);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('names itself in its errors', () => {
    const store = new LossStore(8);
    expect(() => store.mergeShard([1, 8], [1, 1])).toThrow(
      new RangeError('LossStore.mergeShard(): ids[1] must be an integer in [0, 7], got 8'),
    );
    expect(() => store.mergeShard([3], [Number.NaN])).toThrow(
      new RangeError('LossStore.mergeShard(): losses[0] (id 3) must be finite, got NaN'),
    );
  });

  it('gives every worker the same store when shards are applied in rank order', () => {
    const shards = [
      { ids: Uint32Array.of(0, 1, 2), losses: Float32Array.of(1, 2, 3) },
      { ids: Uint32Array.of(3, 4, 0), losses: Float32Array.of(4, 5, 6) }, // id 0 padded onto rank 1
    ];
    const stores = [new LossStore(5), new LossStore(5)];
    for (const s of stores) for (const shard of shards) s.mergeShard(shard.ids, shard.losses, 0);
    expect(snapshot(stores[0]!)).toEqual(snapshot(stores[1]!));
    expect(stores[0]!.score(0)).toBe(6);
  });
});

describe('reads', () => {
  it('validate the id', () => {
    const store = new LossStore(10, { trackCounts: true });
    for (const [name, call] of [
      ['score', (id: number) => store.score(id)],
      ['isSeen', (id: number) => store.isSeen(id)],
      ['lastSeenEpoch', (id: number) => store.lastSeenEpoch(id)],
      ['count', (id: number) => store.count(id)],
    ] as const) {
      expect(() => call(10)).toThrow(new RangeError(`LossStore.${name}(): id must be an integer in [0, 9], got 10`));
      expect(() => call(-1)).toThrow(new RangeError(`LossStore.${name}(): id must be an integer in [0, 9], got -1`));
      expect(() => call(0.5)).toThrow(new RangeError(`LossStore.${name}(): id must be an integer in [0, 9], got 0.5`));
      expect(() => call('1' as unknown as number)).toThrow(
        new TypeError(`LossStore.${name}(): id must be a number, got "1"`),
      );
    }
  });

  it('refuse epochs and counts that are not tracked', () => {
    const store = new LossStore(3, { trackEpochs: false });
    expect(store.epochs).toBeNull();
    expect(store.counts).toBeNull();
    expect(() => store.lastSeenEpoch(0)).toThrow(
      new SetaError('LossStore.lastSeenEpoch(): epochs are not tracked (the store was built with trackEpochs: false)'),
    );
    expect(() => store.count(0)).toThrow(
      new SetaError('LossStore.count(): counts are not tracked (the store was built with trackCounts: false)'),
    );
    expect(() => store.count(0)).toThrow(SetaError);
  });

  it('expose live arrays: scores (NaN = unseen), the seen bitmap, epochs and counts', () => {
    const store = new LossStore(40, { trackCounts: true });
    const { scores, seen, epochs, counts } = store;
    store.record([35, 2], [1.5, 2.5], 4);
    expect(scores[35]).toBe(1.5);
    expect(scores[2]).toBe(2.5);
    expect(scores[3]).toBeNaN();
    expect(Array.from(seen)).toEqual([1 << 2, 1 << 3]);
    expect(epochs![35]).toBe(4);
    expect(epochs![0]).toBe(-1);
    expect(counts![2]).toBe(1);
    expect(store.scores).toBe(scores);
    // Strategies can compare against the mean without special-casing unseen samples.
    const m = store.mean()!;
    expect(scores.filter((s) => s < m).length).toBe(1);
  });

  it('seenIds() lists the seen ids ascending in a new array', () => {
    const store = new LossStore(200);
    const ids = [199, 0, 64, 31, 32, 100, 64];
    store.record(ids, ids.map(() => 1));
    const out = store.seenIds();
    expect(Array.from(out)).toEqual([0, 31, 32, 64, 100, 199]);
    out[0] = 5;
    expect(store.seenIds()[0]).toBe(0);
  });
});

describe('LossStore.mean()', () => {
  it('is null when nothing is seen, the value for one sample, and exact for all-equal values', () => {
    const store = new LossStore(1000);
    expect(store.mean()).toBeNull();
    store.record([7], [0.3]);
    expect(store.mean()).toBe(Math.fround(0.3));
    const ids = Array.from({ length: 1000 }, (_, i) => i);
    store.record(ids, ids.map(() => 0.1));
    expect(store.mean()).toBe(Math.fround(0.1));
  });

  it('survives cancellation that defeats a naive sum', () => {
    const store = new LossStore(3);
    store.record([0, 1, 2], [1e30, 1, -1e30]);
    expect(store.mean()).toBe(1 / 3);
    store.record([0], [-1]);
    store.record([2], [3]);
    expect(store.mean()).toBe(1);
  });

  it('is exact at the float32 extremes', () => {
    const store = new LossStore(100_000);
    const ids = Uint32Array.from({ length: 100_000 }, (_, i) => i);
    store.record(ids, new Float32Array(100_000).fill(F32_MAX));
    expect(store.mean()).toBe(F32_MAX);
    store.record(ids, new Float32Array(100_000).fill(2 ** -149));
    expect(store.mean()).toBe(2 ** -149);
    store.record([0], [-(2 ** -149)]);
    expect(store.mean()).toBe((2 ** -149 * 99_998) / 100_000);
  });

  it('agrees with an exact BigInt oracle after two million overwrites of wildly different magnitudes', () => {
    const size = 1000;
    const store = new LossStore(size, { trackEpochs: false });
    const truth = new Float32Array(size).fill(Number.NaN); // the model, kept apart from the store
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const ids = new Uint32Array(250);
    const losses = new Float64Array(250);
    for (let round = 0; round < 8000; round++) {
      for (let i = 0; i < 250; i++) {
        ids[i] = Math.floor(rand() * size);
        const magnitude = 10 ** (rand() * 76 - 38); // 1e-38 … 1e38
        losses[i] = (rand() < 0.3 ? -1 : 1) * magnitude;
        if (rand() < 0.01) losses[i] = F32_MAX * (rand() < 0.5 ? -1 : 1); // huge values come and go
      }
      store.record(ids, losses);
      for (let i = 0; i < 250; i++) truth[ids[i]!] = losses[i]!;
      if (round % 1000 === 999) {
        const values = Array.from(truth).filter((v) => !Number.isNaN(v));
        expect(store.seenCount).toBe(values.length);
        expect(relativeErrorOfMean(store.mean()!, values)).toBeLessThanOrEqual(MEAN_TOLERANCE);
      }
    }
    // End with one survivor of a huge magnitude overwritten: the mean of the rest must not feel it.
    const small = Array.from({ length: size }, (_, i) => i);
    store.record(small, small.map((i) => (i === 0 ? 3e38 : 1)));
    store.record([0], [1]);
    expect(store.mean()).toBe(1);
  }, 60_000);

  it('agrees with the exact mean for any sequence of batches (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 60 }),
        (first, second) => {
          const store = new LossStore(60);
          store.record(first.map((_, i) => i), first);
          store.record(second.map((_, i) => i), second);
          const values = first.map((v, i) => (i < second.length ? second[i]! : v));
          for (let i = first.length; i < second.length; i++) values.push(second[i]!);
          expect(relativeErrorOfMean(store.mean()!, values)).toBeLessThanOrEqual(MEAN_TOLERANCE);
        },
      ),
    );
  });

  it('follows every change: record, merge, loadState, clear', () => {
    const store = new LossStore(4);
    store.record([0], [2]);
    expect(store.mean()).toBe(2);
    store.record([1], [4]);
    expect(store.mean()).toBe(3);
    const other = new LossStore(4);
    other.record([2], [9], 1);
    store.merge(other);
    expect(store.mean()).toBe(5);
    const saved = store.saveState();
    store.record([3], [100]);
    expect(store.mean()).toBe(28.75);
    store.loadState(saved);
    expect(store.mean()).toBe(5);
    store.clear();
    expect(store.mean()).toBeNull();
  });
});

describe('LossStore.saveState() / loadState() / fromState()', () => {
  it('round-trips any sequence of records, reads unchanged (property)', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { store, model } = replay(scenario);
        const bytes = store.saveState();
        const loaded = new LossStore(scenario.size, scenario.options).loadState(bytes);
        expect(snapshot(loaded)).toEqual(snapshot(store));
        expectMatchesModel(loaded, model);
        const fresh = LossStore.fromState(bytes);
        expect(fresh.options).toEqual(store.options);
        expect(snapshot(fresh)).toEqual(snapshot(store));
        expect(fresh.saveState()).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('continues exactly after a restore', () => {
    const a = new LossStore(50, { ema: 0.7, trackCounts: true, nonFinite: 'skip' });
    a.record([1, 2, 3], [1, 2, Number.NaN], 1);
    const b = LossStore.fromState(a.saveState());
    for (const s of [a, b]) s.record([2, 3, 49], [5, 6, 7]);
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(b.currentEpoch).toBe(1);
    expect(b.skipped).toBe(1);
  });

  it('round-trips a store of a million samples', () => {
    const size = 1_000_000;
    const store = new LossStore(size, { trackCounts: true });
    let seed = 3;
    const ids = new Uint32Array(700_000);
    const losses = new Float32Array(700_000);
    for (let i = 0; i < ids.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      ids[i] = seed % size;
      losses[i] = (seed >>> 8) / 2 ** 20;
    }
    store.record(ids, losses, 3);
    store.record(ids.subarray(0, 1000), losses.subarray(1000, 2000), 4);
    const bytes = store.saveState();
    expect(bytes.length).toBeGreaterThan(12 * size);
    expect(bytes.length).toBeLessThan(12.2 * size);
    const loaded = LossStore.fromState(bytes);
    expect(sameBytes(loaded.scores, store.scores)).toBe(true);
    expect(sameBytes(loaded.seen, store.seen)).toBe(true);
    expect(sameBytes(loaded.epochs!, store.epochs!)).toBe(true);
    expect(sameBytes(loaded.counts!, store.counts!)).toBe(true);
    expect(loaded.seenCount).toBe(store.seenCount);
    expect(loaded.seenCount).toBeGreaterThan(490_000);
    expect(loaded.mean()).toBe(store.mean());
    expect(loaded.score(ids[5]!)).toBe(store.score(ids[5]!));
    const again = new LossStore(size, { trackCounts: true }).loadState(bytes);
    expect(sameBytes(again.seenIds(), store.seenIds())).toBe(true);
    expect(sameBytes(again.saveState(), bytes)).toBe(true);
  }, 60_000);

  it('keeps the arrays it handed out', () => {
    const store = new LossStore(10);
    const { scores, seen, epochs } = store;
    const other = new LossStore(10);
    other.record([4], [2], 6);
    store.loadState(other.saveState());
    expect(store.scores).toBe(scores);
    expect(store.seen).toBe(seen);
    expect(store.epochs).toBe(epochs);
    expect(scores[4]).toBe(2);
    expect(epochs![4]).toBe(6);
  });

  const saved = () => {
    const s = new LossStore(70, { trackCounts: true });
    s.record([1, 40, 69], [0.5, 1.5, 2.5], 2);
    return s.saveState();
  };

  it('rejects a truncated state', () => {
    const bytes = saved();
    for (const cut of [0, 3, 23, 24, 100, bytes.length - 9, bytes.length - 1]) {
      expect(() => new LossStore(70, { trackCounts: true }).loadState(bytes.slice(0, cut))).toThrow(StateError);
    }
    expect(() => LossStore.fromState(bytes.slice(0, bytes.length - 1))).toThrow(
      /LossStore\.fromState\(\): (state is truncated|not a seta state)/,
    );
  });

  it('rejects a corrupted state (any flipped byte)', () => {
    const bytes = saved();
    for (let at = 0; at < bytes.length; at += 7) {
      const bad = bytes.slice();
      bad[at]! ^= 0x10;
      expect(() => LossStore.fromState(bad)).toThrow(StateError);
    }
  });

  it('rejects a foreign state, naming both kinds', () => {
    const foreign = new StateWriter('kmeans1d', 1).json('options', {}).finish();
    expect(() => new LossStore(3).loadState(foreign)).toThrow(
      new StateError('LossStore.loadState(): this is a state of "kmeans1d", expected a state of "loss-store"'),
    );
    expect(() => new LossStore(3).loadState(new Uint8Array(64))).toThrow(StateError);
    expect(() => new LossStore(3).loadState([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    const future = new StateWriter('loss-store', 2).finish();
    expect(() => new LossStore(3).loadState(future)).toThrow(/state version 2 of "loss-store" is not supported \(expected 1\)/);
  });

  it('rejects a state of another size or other options, saying what was expected', () => {
    const bytes = saved();
    expect(() => new LossStore(71, { trackCounts: true }).loadState(bytes)).toThrow(
      new StateError('LossStore.loadState(): the state was saved by a store with other options: size 70 (expected 71)'),
    );
    expect(() => new LossStore(70, { ema: 0.5, nonFinite: 'skip' }).loadState(bytes)).toThrow(
      new StateError(
        'LossStore.loadState(): the state was saved by a store with other options: ema 0 (expected 0.5), trackCounts true (expected false), nonFinite "error" (expected "skip")',
      ),
    );
  });

  it('leaves the store unchanged when a load fails', () => {
    const store = new LossStore(70, { trackCounts: true });
    store.record([5], [5], 5);
    const before = snapshot(store);
    const bad = saved();
    bad[bad.length - 20]! ^= 1;
    expect(() => store.loadState(bad)).toThrow(StateError);
    expect(() => store.loadState(new LossStore(70).saveState())).toThrow(StateError);
    expect(snapshot(store)).toEqual(before);
  });

  describe('rejects a well-formed state whose contents are inconsistent', () => {
    const options = { size: 40, ema: 0, trackEpochs: true, trackCounts: false, nonFinite: 'error' };
    const build = (edit: {
      options?: unknown;
      progress?: unknown;
      scores?: Float32Array;
      seen?: Uint32Array;
      epochs?: Int32Array | null;
      counts?: Uint32Array;
    }) => {
      const scores = new Float32Array(40).fill(Number.NaN);
      scores[3] = 1;
      const seen = Uint32Array.of(1 << 3, 0);
      const epochs = new Int32Array(40).fill(-1);
      epochs[3] = 0;
      const w = new StateWriter('loss-store', 1)
        .json('options', edit.options ?? options)
        .json('progress', edit.progress ?? { seenCount: 1, skipped: 0, currentEpoch: 0 })
        .float32('scores', edit.scores ?? scores)
        .uint32('seen', edit.seen ?? seen);
      if (edit.epochs !== null) w.int32('epochs', edit.epochs ?? epochs);
      if (edit.counts) w.uint32('counts', edit.counts);
      return w.finish();
    };
    const load = (bytes: Uint8Array) => () => LossStore.fromState(bytes);

    it('accepts the untouched baseline', () => {
      const store = LossStore.fromState(build({}));
      expect(store.score(3)).toBe(1);
      expect(store.seenCount).toBe(1);
    });

    it.each([
      ['a seen sample without a finite score', { scores: new Float32Array(40).fill(Number.NaN) }, 'sample 3 is seen but its score is NaN'],
      ['an unseen sample with a score', { scores: Float32Array.from({ length: 40 }, (_, i) => (i === 3 || i === 4 ? 1 : Number.NaN)) }, 'sample 4 is unseen but has the score 1'],
      ['seen bits past the end', { seen: Uint32Array.of(1 << 3, 1 << 9) }, 'seen bits are set past the last sample'],
      ['a wrong seen count', { progress: { seenCount: 2, skipped: 0, currentEpoch: 0 } }, 'seenCount is 2 but 1 samples are seen'],
      ['a bad currentEpoch', { progress: { seenCount: 1, skipped: 0, currentEpoch: -1 } }, 'currentEpoch -1'],
      ['a bad skipped count', { progress: { seenCount: 1, skipped: 0.5, currentEpoch: 0 } }, 'skipped 0.5'],
      ['an unseen sample with an epoch', { epochs: Int32Array.from({ length: 40 }, (_, i) => (i === 3 ? 0 : i === 5 ? 2 : -1)) }, 'sample 5 is unseen but has the epoch 2'],
      ['a seen sample without an epoch', { epochs: new Int32Array(40).fill(-1) }, 'sample 3 is seen but its epoch is -1'],
      ['a seen epoch after currentEpoch', { epochs: Int32Array.from({ length: 40 }, (_, i) => (i === 3 ? 5 : -1)) }, 'sample 3 was seen in epoch 5, after currentEpoch 0'],
      ['options with a null value', { options: { ...options, ema: null } }, 'ema must not be null'],
      ['missing epochs', { epochs: null }, 'state has no "epochs" section'],
      ['counts its options do not track', { counts: new Uint32Array(40) }, 'it has counts, but its options say trackCounts: false'],
      ['scores of the wrong length', { scores: new Float32Array(39) }, 'state section "scores" holds 39 values, expected 40'],
      ['options of a bad size', { options: { ...options, size: 0 } }, 'size must be an integer in [1, 2147483647], got 0'],
      ['options with an unknown key', { options: { ...options, extra: 1 } }, 'unknown option "extra"'],
      ['options of a bad ema', { options: { ...options, ema: 2 } }, 'ema must be in [0, 1), got 2'],
    ])('%s', (_, edit, message) => {
      expect(load(build(edit as Parameters<typeof build>[0]))).toThrow(StateError);
      expect(load(build(edit as Parameters<typeof build>[0]))).toThrow(message);
    });

    it('a seen sample with a zero count', () => {
      const counted = { ...options, trackCounts: true };
      expect(load(build({ options: counted, counts: new Uint32Array(40) }))).toThrow('sample 3 is seen but its count is 0');
      const counts = new Uint32Array(40);
      counts[3] = 1;
      counts[7] = 2;
      expect(load(build({ options: counted, counts }))).toThrow('sample 7 is unseen but has the count 2');
    });
  });
});

describe('LossStore.merge()', () => {
  it('takes the samples only the other store has seen, with their epochs and counts', () => {
    const a = new LossStore(70, { trackCounts: true });
    const b = new LossStore(70, { trackCounts: true });
    a.record([0, 1], [1, 2], 1);
    b.record([33, 69, 69], [3, 4, 5], 2);
    expect(a.merge(b)).toBe(a);
    expect(Array.from(a.seenIds())).toEqual([0, 1, 33, 69]);
    expect(a.score(69)).toBe(5);
    expect(a.lastSeenEpoch(33)).toBe(2);
    expect(a.count(69)).toBe(2);
    expect(a.seenCount).toBe(4);
    expect(a.currentEpoch).toBe(2);
    expect(a.mean()).toBe((1 + 2 + 3 + 5) / 4);
  });

  it('for a sample both have seen: the later epoch wins, a tie goes to other, epochs max, counts add', () => {
    const a = new LossStore(3, { trackCounts: true });
    const b = new LossStore(3, { trackCounts: true });
    a.record([0, 1, 2], [10, 11, 12], 5);
    b.record([0], [20], 4); // older: a keeps its score
    b.record([1], [21], 5); // same epoch: other wins
    b.record([2, 2], [22, 23], 6); // newer: other wins
    a.merge(b);
    expect([a.score(0), a.score(1), a.score(2)]).toEqual([10, 21, 23]);
    expect([a.lastSeenEpoch(0), a.lastSeenEpoch(1), a.lastSeenEpoch(2)]).toEqual([5, 5, 6]);
    expect([a.count(0), a.count(1), a.count(2)]).toEqual([2, 2, 3]);
    expect(a.mean()).toBe((10 + 21 + 23) / 3);
  });

  it('without epochs here, other always wins', () => {
    const a = new LossStore(2, { trackEpochs: false });
    const b = new LossStore(2);
    a.record([0], [1], 9);
    b.record([0], [2], 0);
    a.merge(b);
    expect(a.score(0)).toBe(2);
  });

  it('does not change other, and merging is order-independent for disjoint stores', () => {
    const make = (ids: number[], epoch: number) => {
      const s = new LossStore(50, { trackCounts: true, nonFinite: 'skip' });
      s.record(ids, ids.map((i) => i * 1.5), epoch);
      s.record([49], [Number.NaN]);
      return s;
    };
    const x = make([1, 2, 3], 1);
    const y = make([10, 20], 2);
    const z = make([30, 40, 41], 3);
    const yBefore = snapshot(y);
    const one = make([], 0).merge(x).merge(y).merge(z);
    const two = make([], 0).merge(z).merge(x).merge(y);
    expect(snapshot(one)).toEqual(snapshot(two));
    expect(snapshot(y)).toEqual(yBefore);
    expect(one.skipped).toBe(4);
    expect(one.seenCount).toBe(8);
  });

  it('saturates counts at 2^32 − 1', () => {
    const w = new StateWriter('loss-store', 1)
      .json('options', { size: 1, ema: 0, trackEpochs: true, trackCounts: true, nonFinite: 'error' })
      .json('progress', { seenCount: 1, skipped: 0, currentEpoch: 0 })
      .float32('scores', Float32Array.of(1))
      .uint32('seen', Uint32Array.of(1))
      .int32('epochs', Int32Array.of(0))
      .uint32('counts', Uint32Array.of(2 ** 32 - 2));
    const a = LossStore.fromState(w.finish());
    a.record([0], [1]);
    expect(a.count(0)).toBe(2 ** 32 - 1);
    a.record([0], [1]);
    expect(a.count(0)).toBe(2 ** 32 - 1);
    a.merge(a);
    expect(a.count(0)).toBe(2 ** 32 - 1);
  });

  it('merging a store into itself keeps scores and doubles counts', () => {
    const a = new LossStore(5, { trackCounts: true });
    a.record([1, 3, 3], [1, 2, 3], 2);
    a.merge(a);
    expect(a.score(3)).toBe(3);
    expect(a.count(3)).toBe(4);
    expect(a.seenCount).toBe(2);
  });

  it('keeps the mean exact (oracle)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), fc.float({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 3 }))),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), fc.float({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 3 }))),
        (xs, ys) => {
          const a = new LossStore(40);
          const b = new LossStore(40);
          const want = new Map<number, [number, number]>();
          for (const [id, v, e] of xs) {
            a.record([id], [v], e);
            want.set(id, [Math.fround(v), e]);
          }
          const fromB = new Map<number, [number, number]>();
          for (const [id, v, e] of ys) {
            b.record([id], [v], e);
            fromB.set(id, [Math.fround(v), e]);
          }
          for (const [id, [v, e]] of fromB) {
            const mine = want.get(id);
            if (mine === undefined || e >= mine[1]) want.set(id, [v, Math.max(e, mine?.[1] ?? e)]);
          }
          a.merge(b);
          expect(a.seenCount).toBe(want.size);
          for (const [id, [v, e]] of want) {
            expect(a.score(id)).toBe(v);
            expect(a.lastSeenEpoch(id)).toBe(e);
          }
          if (want.size > 0) {
            const values = [...want.values()].map((p) => p[0]);
            expect(relativeErrorOfMean(a.mean()!, values)).toBeLessThanOrEqual(MEAN_TOLERANCE);
          }
        },
      ),
    );
  });

  it('rejects a store of another size, one that lacks what this store tracks, and non-stores', () => {
    const a = new LossStore(10, { trackCounts: true });
    expect(() => a.merge(new LossStore(11, { trackCounts: true }))).toThrow(
      new RangeError('LossStore.merge(): other must have size 10, got a store of size 11'),
    );
    expect(() => a.merge(new LossStore(10, { trackEpochs: false, trackCounts: true }))).toThrow(
      new RangeError('LossStore.merge(): other must track epochs as this store does, got a store built with trackEpochs: false'),
    );
    expect(() => a.merge(new LossStore(10))).toThrow(
      new RangeError('LossStore.merge(): other must track counts as this store does, got a store built with trackCounts: false'),
    );
    expect(() => a.merge({ size: 10 } as unknown as LossStore)).toThrow(TypeError);
    // A store that tracks more than this one is fine; ema may differ.
    const b = new LossStore(10, { trackEpochs: false });
    b.merge(new LossStore(10, { trackCounts: true, ema: 0.5 }));
  });
});

describe('LossStore.clear()', () => {
  it('forgets everything and keeps the arrays it handed out', () => {
    const store = new LossStore(33, { trackCounts: true, nonFinite: 'skip' });
    const { scores, seen } = store;
    store.record([1, 32, 5], [1, 2, Number.NaN], 4);
    expect(store.clear()).toBe(store);
    expect(snapshot(store)).toEqual(snapshot(new LossStore(33, { trackCounts: true, nonFinite: 'skip' })));
    expect(store.scores).toBe(scores);
    expect(store.seen).toBe(seen);
    store.record([2], [3]);
    expect(store.lastSeenEpoch(2)).toBe(0);
    expect(store.mean()).toBe(3);
  });
});

describe('LossStore.recordUnchecked', () => {
  it('records like record() for valid input, skipping non-finite losses', () => {
    const a = new LossStore(10, { trackEpochs: true });
    const b = new LossStore(10, { trackEpochs: true });
    a.record(Uint32Array.of(1, 5, 5), Float32Array.of(0.5, 2, 3), 4);
    expect(b.recordUnchecked(Uint32Array.of(1, 5, 5, 7), Float32Array.of(0.5, 2, 3, Number.NaN), 4)).toBe(1);
    for (const id of [1, 5, 7]) {
      expect(Object.is(b.score(id), a.score(id))).toBe(true);
      expect(b.lastSeenEpoch(id)).toBe(a.lastSeenEpoch(id));
    }
    expect(b.mean()).toBe(a.mean());
    expect(b.currentEpoch).toBe(4);
  });
});
