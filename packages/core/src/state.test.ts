import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateError } from './errors.js';
import { StateReader, StateWriter } from './state.js';

const sample = () =>
  new StateWriter('thing', 2)
    .json('options', { seed: 3, name: 'é' })
    .float32('scores', Float32Array.of(1.5, -2, Number.NaN))
    .uint32('ids', Uint32Array.of(0, 4_000_000_000))
    .float64('sum', Float64Array.of(Math.PI))
    .uint8('bits', Uint8Array.of(1, 2, 3))
    .uint16('u16', Uint16Array.of(65535))
    .int32('i32', Int32Array.of(-5))
    .bytes('raw', Uint8Array.of(9, 8, 7, 6, 5))
    .finish();

describe('StateWriter / StateReader', () => {
  it('round-trips every section type', () => {
    const r = StateReader.open(sample(), 'thing', 2, 'test()');
    expect(r.json('options')).toEqual({ seed: 3, name: 'é' });
    const scores = r.float32('scores', 3);
    expect(scores[0]).toBe(1.5);
    expect(scores[1]).toBe(-2);
    expect(Number.isNaN(scores[2])).toBe(true);
    expect(Array.from(r.uint32('ids'))).toEqual([0, 4_000_000_000]);
    expect(r.float64('sum')[0]).toBe(Math.PI);
    expect(Array.from(r.uint8('bits'))).toEqual([1, 2, 3]);
    expect(Array.from(r.uint16('u16'))).toEqual([65535]);
    expect(Array.from(r.int32('i32'))).toEqual([-5]);
    expect(Array.from(r.rawBytes('raw'))).toEqual([9, 8, 7, 6, 5]);
    expect(r.has('raw')).toBe(true);
    expect(r.has('nope')).toBe(false);
  });

  it('reads from a Uint8Array at an unaligned offset into a larger buffer', () => {
    const bytes = sample();
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    const r = StateReader.open(big.subarray(3), 'thing', 2, 'test()');
    expect(Array.from(r.uint32('ids'))).toEqual([0, 4_000_000_000]);
  });

  it('round-trips arbitrary float arrays bit for bit', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true })), fc.string(), (xs, name) => {
        const bytes = new StateWriter('k', 1).float32('x', Float32Array.from(xs)).json('n', name).finish();
        const r = StateReader.open(bytes, 'k', 1, 't()');
        expect(Array.from(r.float32('x'))).toEqual(Array.from(Float32Array.from(xs)));
        expect(r.json('n')).toBe(name);
      }),
    );
  });

  it('rejects foreign, truncated, extended and corrupted bytes with StateError', () => {
    const good = sample();
    const open = (b: Uint8Array) => () => StateReader.open(b, 'thing', 2, 'X.loadState()');
    expect(open(new TextEncoder().encode('hello world, not a state at all'))).toThrow(
      /X\.loadState\(\): not a seta state/,
    );
    expect(open(good.subarray(0, good.length - 9))).toThrow(/truncated/);
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expect(open(longer)).toThrow(/truncated or has trailing bytes/);
    for (const at of [12, 40, good.length - 20]) {
      const bad = good.slice();
      bad[at] = bad[at]! ^ 0x10;
      expect(open(bad)).toThrow(StateError);
      expect(open(bad)).toThrow(/checksum/);
    }
  });

  it('rejects another kind, another version and a missing or mistyped section', () => {
    const good = sample();
    expect(() => StateReader.open(good, 'other', 2, 'f()')).toThrow('f(): this is a state of "thing", expected a state of "other"');
    expect(() => StateReader.open(good, 'thing', 3, 'f()')).toThrow('f(): state version 2 of "thing" is not supported (expected 3)');
    const r = StateReader.open(good, 'thing', 2, 'f()');
    expect(() => r.float32('missing')).toThrow('f(): state has no "missing" section');
    expect(() => r.uint32('scores')).toThrow('f(): state section "scores" holds float32, expected uint32');
    expect(() => r.float32('scores', 4)).toThrow('f(): state section "scores" holds 3 values, expected 4');
  });

  it('refuses to write a section twice', () => {
    const w = new StateWriter('k', 1).json('a', 1);
    expect(() => w.json('a', 2)).toThrow(/written twice/);
  });

  it('returns copies the caller owns', () => {
    const r = StateReader.open(sample(), 'thing', 2, 'f()');
    const a = r.float32('scores');
    a[0] = 99;
    expect(r.float32('scores')[0]).toBe(1.5);
  });

  it('reads a state held in a Node Buffer at a non-zero offset into a larger buffer (as readFileSync returns it)', () => {
    const good = sample();
    const views = [
      Buffer.concat([Buffer.alloc(13, 0xee), Buffer.from(good), Buffer.alloc(3, 0x77)]).subarray(13, 13 + good.length),
      Buffer.from(good), // copied into Node's shared pool, at some offset
    ];
    for (const view of views) {
      const r = StateReader.open(view, 'thing', 2, 'f()');
      expect(Array.from(r.float32('scores', 3).subarray(0, 2))).toEqual([1.5, -2]);
      expect(Array.from(r.uint32('ids'))).toEqual([0, 4_000_000_000]);
      expect(r.float64('sum')[0]).toBe(Math.PI);
      expect(Array.from(r.uint8('bits'))).toEqual([1, 2, 3]);
      expect(Array.from(r.uint16('u16'))).toEqual([65535]);
      expect(Array.from(r.int32('i32'))).toEqual([-5]);
      const raw = r.rawBytes('raw');
      expect(Array.from(raw)).toEqual([9, 8, 7, 6, 5]);
      // Copies the caller owns: own buffers of exactly their length, not views into the Buffer.
      expect(raw.buffer.byteLength).toBe(5);
      expect(raw).not.toBeInstanceOf(Buffer);
      raw[0] = 0;
      expect(r.rawBytes('raw')[0]).toBe(9);
      expect(r.uint32('ids').buffer.byteLength).toBe(8);
    }
  });
});
