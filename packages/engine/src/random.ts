import { checkInstance, checkInteger, describeValue } from './validate.js';

const TWO_32 = 0x1_0000_0000;

/** SplitMix32 step (a 32-bit variant of Steele, Lea & Flood's SplitMix), used only to expand seeds. */
function splitMix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * A seeded pseudo-random generator: xoshiro128** 1.1 (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", 2018), period 2^128 − 1,
 * seeded through SplitMix32. Its complete state is four 32-bit words that
 * {@link Random.getState} returns and {@link Random.setState} restores, so a
 * run can be stopped and continued exactly.
 *
 * Not cryptographically secure. Every draw is O(1).
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.nextInt(10);        // an integer in 0 … 9
 * const saved = rng.getState();
 * const a = rng.nextUint32();
 * rng.setState(saved);
 * rng.nextUint32() === a; // true
 * ```
 */
export class Random {
  /** s0 … s3 of xoshiro128**, as int32 (a typed array keeps V8 from boxing the words). */
  private readonly s = new Int32Array(4);

  /**
   * @param seed - an integer in [0, 2^53); equal seeds give equal streams.
   * @throws RangeError if `seed` is not a non-negative safe integer.
   */
  constructor(seed = 0) {
    checkInteger('Random()', 'seed', seed, 0);
    const lo = seed % TWO_32;
    const hi = Math.floor(seed / TWO_32);
    const st = { x: (lo ^ Math.imul(hi, 0x85ebca6b)) | 0 };
    // Mix the high word in a second time so seeds differing only above bit 32 diverge.
    st.x = (st.x + Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2f)) | 0;
    const s = this.s;
    s[0] = splitMix32(st);
    s[1] = splitMix32(st);
    s[2] = splitMix32(st);
    s[3] = splitMix32(st);
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return r;
  }

  /**
   * Fill `out` with uniform integers in [0, 2^32): the same stream as calling
   * {@link Random.nextUint32} `out.length` times, generated in one tight loop
   * (several times faster for bulk use). O(n).
   *
   * @param out - the array to fill; mutated.
   * @returns `out`.
   * @throws TypeError if `out` is not a Uint32Array.
   */
  fillUint32(out: Uint32Array): Uint32Array {
    checkInstance('Random.fillUint32()', 'out', out, Uint32Array);
    const s = this.s;
    let s0 = s[0]!;
    let s1 = s[1]!;
    let s2 = s[2]!;
    let s3 = s[3]!;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return out;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform integer in [0, n), exactly (Lemire's method with rejection; no modulo bias).
   *
   * @param n - an integer in [1, 2^32].
   * @throws RangeError if `n` is out of range.
   */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_32 && Number.isInteger(n))) {
      throw new RangeError(`Random.nextInt(): n must be an integer in [1, 2^32], got ${describeValue(n)}`);
    }
    return this.nextIntUnchecked(n);
  }

  /** {@link Random.nextInt} without the argument check, for hot loops whose `n` is known good. */
  nextIntUnchecked(n: number): number {
    // Lemire's multiply-and-shift with exact rejection ("Fast random integer
    // generation in an interval", ACM TOMACS 2019): the result is the high 32
    // bits of x · n; a draw is rejected only when the low 32 bits fall below
    // 2^32 mod n, so the result is exactly uniform. The 64-bit product is formed
    // exactly in doubles; the one modulo is on the rare rejection path.
    if (n <= 0x20_0000) {
      // x · n < 2^53: exact in one multiplication. The generator step is inlined
      // here: a uint32 returned from a call that is not inlined is boxed by V8.
      const s = this.s;
      const s0 = s[0]!;
      const s1 = s[1]!;
      const s2 = s[2]! ^ s0;
      const s3 = s[3]! ^ s1;
      s[0] = s0 ^ s3;
      s[1] = s1 ^ s2;
      s[2] = s2 ^ (s1 << 9);
      s[3] = (s3 << 11) | (s3 >>> 21);
      const m = Math.imul(s1, 5);
      let p = (Math.imul((m << 7) | (m >>> 25), 9) >>> 0) * n;
      let hi = Math.floor(p / TWO_32);
      let lo = p - hi * TWO_32;
      if (lo < n) {
        const threshold = (TWO_32 - n) % n;
        while (lo < threshold) {
          p = this.nextUint32() * n;
          hi = Math.floor(p / TWO_32);
          lo = p - hi * TWO_32;
        }
      }
      return hi;
    }
    if (n === TWO_32) return this.nextUint32();
    const nHigh = Math.floor(n / 65536);
    const nLow = n - nHigh * 65536;
    for (let threshold = -1; ; ) {
      const x = this.nextUint32();
      // x · n = a · 2^16 + b with a = x · nHigh, b = x · nLow, both < 2^48 (exact).
      const a = x * nHigh;
      const b = x * nLow;
      const aHigh = Math.floor(a / 65536);
      const c = (a - aHigh * 65536) * 65536 + b; // < 2^49, exact
      const cHigh = Math.floor(c / TWO_32);
      const lo = c - cHigh * TWO_32;
      if (lo >= n) return aHigh + cHigh;
      if (threshold < 0) threshold = (TWO_32 - n) % n;
      if (lo >= threshold) return aHigh + cHigh;
    }
  }

  /**
   * The live state words (not a copy), for the WebAssembly kernels, which
   * run this same generator in their own memory and copy its state back.
   *
   * @internal
   */
  stateWords(): Int32Array {
    return this.s;
  }

  /** A copy of the complete state: four 32-bit words. */
  getState(): Uint32Array {
    return new Uint32Array(this.s.buffer.slice(0));
  }

  /**
   * Restore a state returned by {@link Random.getState}.
   *
   * @throws TypeError if `state` is not an array or typed array; RangeError
   *   if it is not four 32-bit words, or is all zero (not a reachable state).
   */
  setState(state: ArrayLike<number>): void {
    if (state === null || typeof state !== 'object' || typeof state.length !== 'number') {
      throw new TypeError(`Random.setState(): state must be an array of 4 words, got ${describeValue(state)}`);
    }
    if (state.length !== 4) {
      throw new RangeError(`Random.setState(): state must hold 4 words, got ${describeValue(state)}`);
    }
    for (let i = 0; i < 4; i++) {
      const w = state[i]!;
      if (!Number.isInteger(w) || w < 0 || w >= TWO_32) {
        throw new RangeError(`Random.setState(): state[${i}] must be a 32-bit unsigned integer, got ${describeValue(w)}`);
      }
    }
    if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) {
      throw new RangeError('Random.setState(): state must not be all zero');
    }
    for (let i = 0; i < 4; i++) this.s[i] = state[i]! | 0;
  }

  /** An independent copy in the same state. */
  clone(): Random {
    const c = new Random(0);
    c.setState(this.getState());
    return c;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
