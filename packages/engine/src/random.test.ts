import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { chiSquareCritical, chiSquareUniform } from './test-utils.js';

describe('Random', () => {
  it('implements xoshiro128** exactly (reference outputs from state [1, 2, 3, 4])', () => {
    const rng = new Random(0);
    rng.setState([1, 2, 3, 4]);
    const out = Array.from({ length: 8 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('gives equal streams for equal seeds and different streams for different seeds', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 16 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
    expect(draw(2 ** 40)).not.toEqual(draw(2 ** 41));
  });

  it('restores its complete state so the stream continues exactly', () => {
    const r = new Random(7);
    for (let i = 0; i < 100; i++) r.nextUint32();
    const saved = r.getState();
    const a = Array.from({ length: 50 }, () => r.nextInt(1000));
    const b = new Random(999);
    b.setState(saved);
    expect(Array.from({ length: 50 }, () => b.nextInt(1000))).toEqual(a);
    expect(r.clone().nextUint32()).toBe(r.nextUint32());
  });

  it('getState returns a copy', () => {
    const r = new Random(1);
    const s = r.getState();
    s[0] = 0;
    expect(r.getState()[0]).not.toBe(0);
  });

  it('draws uniform integers below n without modulo bias', () => {
    const r = new Random(3);
    // n = 3·2^30 makes plain modulo visibly biased toward the low third.
    const n = 3 * 2 ** 30;
    const bins = new Float64Array(3);
    for (let i = 0; i < 60_000; i++) bins[Math.floor(r.nextInt(n) / 2 ** 30)]!++;
    expect(chiSquareUniform(bins)).toBeLessThan(chiSquareCritical(2));
    const small = new Float64Array(7);
    for (let i = 0; i < 70_000; i++) small[r.nextInt(7)]!++;
    expect(chiSquareUniform(small)).toBeLessThan(chiSquareCritical(6));
  });

  it('nextInt covers its whole range, including n = 1 and n = 2^32', () => {
    const r = new Random(5);
    expect(r.nextInt(1)).toBe(0);
    const x = r.nextInt(2 ** 32);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(2 ** 32);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(r.nextInt(4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });

  it('nextFloat is in [0, 1) with mean near 1/2', () => {
    const r = new Random(11);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = r.nextFloat();
      sum += f;
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it('rejects bad seeds, bounds and states with messages naming them', () => {
    expect(() => new Random(-1)).toThrow(/Random\(\): seed must be an integer ≥ 0, got -1/);
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => new Random('1' as unknown as number)).toThrow(TypeError);
    const r = new Random(0);
    expect(() => r.nextInt(0)).toThrow(/n must be an integer in \[1, 2\^32\], got 0/);
    expect(() => r.nextInt(2 ** 32 + 1)).toThrow(RangeError);
    expect(() => r.setState([0, 0, 0, 0])).toThrow(/all zero/);
    expect(() => r.setState([1, 2, 3])).toThrow(/4 words/);
    expect(() => r.setState([1, 2, 3, -4])).toThrow(/state\[3\]/);
  });
});

describe('Random.nextInt (Lemire)', () => {
  it('agrees with an exact BigInt model of multiply-and-shift with rejection, small and large n', () => {
    for (const n of [1, 2, 3, 7, 1000, 2 ** 21, 2 ** 21 + 1, 3 * 2 ** 30, 2 ** 32 - 1, 123_456_789]) {
      const a = new Random(17);
      const b = new Random(17);
      for (let i = 0; i < 2000; i++) {
        // model: draw x until (x·n mod 2^32) ≥ (2^32 − n) mod n, return ⌊x·n / 2^32⌋
        const N = BigInt(n);
        const threshold = (2n ** 32n - N) % N;
        let expected: bigint;
        for (;;) {
          const p = BigInt(b.nextUint32()) * N;
          if (p % 2n ** 32n >= threshold) {
            expected = p >> 32n;
            break;
          }
        }
        expect(a.nextInt(n)).toBe(Number(expected));
      }
    }
  });
});

describe('Random.fillUint32', () => {
  it('is exactly the stream of nextUint32, and leaves the generator where nextUint32 would', () => {
    const a = new Random(5);
    const b = new Random(5);
    const out = a.fillUint32(new Uint32Array(1000));
    for (let i = 0; i < 1000; i++) expect(out[i]).toBe(b.nextUint32());
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});
