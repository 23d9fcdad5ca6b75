import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../random.js';
import { compactSample, sampleSorted } from '../sample/sample.js';
import { shuffledCopy, shuffledRange, shuffleInPlace } from '../shuffle/shuffle.js';
import { compileWasm } from '../wasm/compile.js';
import { setWasmKernels, wasmKernelsEnabled } from '../wasm/switch.js';
import { kernelAvailable, wasmData } from './kernel.js';

describe('the WebAssembly shuffle and sampling kernel', () => {
  afterEach(() => {
    setWasmKernels(true);
  });

  it('loads in Node', () => {
    expect(kernelAvailable()).toBe(true);
  });

  it('compiles valid module bytes and turns invalid ones into null (the JavaScript path)', () => {
    const empty = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00); // a module with no sections
    const c = compileWasm(empty);
    expect(c).not.toBeNull();
    expect(new c!.api.Instance(c!.module, {}).exports).toEqual({});
    expect(compileWasm(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00))).toBeNull(); // unknown version
    expect(compileWasm(Uint8Array.of(1, 2, 3))).toBeNull();
  });

  it('reports the one switch every package asks before running its kernels', () => {
    expect(wasmKernelsEnabled()).toBe(true);
    expect(setWasmKernels(false)).toBe(true);
    expect(wasmKernelsEnabled()).toBe(false);
    expect(setWasmKernels(true)).toBe(false);
    expect(wasmKernelsEnabled()).toBe(true);
  });

  /** Run `f` with the kernel on and off, from the same seed: results and generator states must agree. */
  const both = <T>(seed: number, f: (rng: Random) => T): [T, T, number, number] => {
    setWasmKernels(true);
    const a = new Random(seed);
    const withWasm = f(a);
    setWasmKernels(false);
    const b = new Random(seed);
    const withoutWasm = f(b);
    setWasmKernels(true);
    return [withWasm, withoutWasm, a.nextUint32(), b.nextUint32()];
  };

  it('gives exactly the JavaScript kernel’s permutations and generator states', () => {
    for (const n of [65_536, 70_001, 300_000, 1_234_567]) {
      for (const seed of [1, 2]) {
        const [r1, r2, s1, s2] = both(seed, (rng) => shuffledRange(n, rng));
        expect(r1.length).toBe(n);
        expect(r1.every((v, i) => v === r2[i])).toBe(true);
        expect(s1).toBe(s2);
        const ids = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
        const [c1, c2, t1, t2] = both(seed, (rng) => shuffledCopy(ids, rng).out);
        expect(c1.every((v, i) => v === c2[i])).toBe(true);
        expect(t1).toBe(t2);
        const [p1, p2] = both(seed, (rng) => shuffleInPlace(ids.slice(), rng));
        expect(p1.every((v, i) => v === p2[i])).toBe(true);
      }
    }
  });

  it('gives nothing to write into while the kernels are off', () => {
    setWasmKernels(false);
    expect(wasmData(10)).toBeNull();
  });

  it('never detaches an ArrayBuffer: a bigger request gets a new memory, the old one stays intact', () => {
    // (A detached buffer anywhere makes V8 check every typed-array access for detachment, process-wide.)
    const small = wasmData(3_000_000)!; // beyond what the tests above used
    small[2_999_999] = 7;
    const big = wasmData(small.length * 4)!;
    expect(big.buffer).not.toBe(small.buffer);
    expect(small.length).toBe(3_000_000);
    expect(small[2_999_999]).toBe(7);
    expect(wasmData(10)!.buffer).toBe(big.buffer); // smaller requests reuse the current memory
  });

  it('samples exactly as the JavaScript sequential sampling does (compactSample, sampleSorted)', () => {
    for (const [n, k] of [
      [70_000, 35_000],
      [300_001, 150_000],
      [200_000, 190_000],
      [1_000_000, 600_000],
    ] as const) {
      const values = Uint32Array.from({ length: n + 10 }, (_, i) => (i * 2654435761) >>> 0);
      const [a, b, s1, s2] = both(n, (rng) => {
        const copy = values.slice();
        compactSample(copy, 5, 5 + n, k, rng);
        return copy;
      });
      expect(a.every((v, i) => v === b[i])).toBe(true);
      expect(s1).toBe(s2);
      const [r1, r2, u1, u2] = both(n + 1, (rng) => sampleSorted(n, k, rng));
      expect(r1.every((v, i) => v === r2[i])).toBe(true);
      expect(u1).toBe(u2);
      // and it is the subset sampleSorted draws
      const chosen = sampleSorted(n, k, new Random(n));
      expect(a.subarray(5, 5 + k).every((v, i) => v === values[5 + chosen[i]!])).toBe(true);
    }
  });

  it('samples populations beyond 2^25 with 32-bit draws exactly as JavaScript does (from 1/8 drawn)', () => {
    const n = 2 ** 25 + 1_001; // just beyond the 28-bit draws' limit
    for (const k of [Math.floor(n * 0.2), Math.floor(n * 0.6)]) {
      const [r1, r2, u1, u2] = both(k, (rng) => sampleSorted(n, k, rng));
      expect(r1.length).toBe(k);
      expect(r1.every((v, i) => v === r2[i])).toBe(true);
      expect(u1).toBe(u2);
      let ascending = r1[0]! >= 0;
      for (let i = 1; i < k; i++) ascending &&= r1[i]! > r1[i - 1]!;
      expect(ascending && r1[k - 1]! < n).toBe(true);
    }
    const values = Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 0);
    const k = Math.floor(n / 2);
    const [a, b, s1, s2] = both(7, (rng) => {
      const copy = values.slice();
      compactSample(copy, 0, n, k, rng);
      return copy.subarray(0, k);
    });
    expect(a.every((v, i) => v === b[i])).toBe(true);
    expect(s1).toBe(s2);
  }, 120_000); // 2^25 ids, both ways
});
