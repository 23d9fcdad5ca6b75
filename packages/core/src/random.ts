import { checkInteger, describeValue } from './validate.js';

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
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

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
    this.s0 = splitMix32(st);
    this.s1 = splitMix32(st);
    this.s2 = splitMix32(st);
    this.s3 = splitMix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform integer in [0, n), without modulo bias (rejection sampling).
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
    // Accept x below the largest multiple of n that fits in 32 bits.
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A copy of the complete state: four 32-bit words. */
  getState(): Uint32Array {
    return Uint32Array.of(this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0);
  }

  /**
   * Restore a state returned by {@link Random.getState}.
   *
   * @throws RangeError if `state` is not four 32-bit words, or is all zero (not a reachable state).
   */
  setState(state: ArrayLike<number>): void {
    if (state === null || typeof state !== 'object' || state.length !== 4) {
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
    this.s0 = state[0]! | 0;
    this.s1 = state[1]! | 0;
    this.s2 = state[2]! | 0;
    this.s3 = state[3]! | 0;
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
