import { checkInstance, checkInteger } from '../validate.js';

/** The set bits of `bits`, ascending, into `out` (which holds exactly that many). */
export function readOnes(bits: Uint32Array, out: Uint32Array): void {
  let m = 0;
  const words = bits.length;
  for (let w = 0; w < words; w++) {
    let x = bits[w]!;
    while (x !== 0) {
      const low = x & -x;
      out[m++] = w * 32 + (31 - Math.clz32(low));
      x ^= low;
    }
  }
}

/**
 * The ids `i < n` whose bit is clear in the bitmap `bits` (bit `i & 31` of
 * word `i >>> 5`), ascending, written to `out` until it is full; returns
 * how many were written. Whole words go four ids per step without a branch:
 * every id is written and the write position advances past the clear ones
 * only (cheaper here than testing bit by bit); the last
 * words, where a whole word's writes could run past `out`, go bit by bit.
 * O(n).
 *
 * @param bits - the bitmap, at least ⌈n / 32⌉ words.
 * @param n - how many ids to consider.
 * @param out - where the ids go.
 * @returns the number of ids written (at most `out.length`).
 * @throws TypeError if `bits` or `out` is not a Uint32Array; RangeError if
 *   `n` is not an integer in [0, 32 · bits.length].
 * @example
 * ```ts
 * const out = new Uint32Array(3);
 * clearBitIds(Uint32Array.of(0b1010), 5, out); // 3; out is [0, 2, 4]
 * ```
 */
export function clearBitIds(bits: Uint32Array, n: number, out: Uint32Array): number {
  const fn = 'clearBitIds()';
  checkInstance(fn, 'bits', bits, Uint32Array);
  checkInteger(fn, 'n', n, 0, 32 * bits.length);
  checkInstance(fn, 'out', out, Uint32Array);
  const k = out.length;
  const full = Math.min(Math.floor(n / 32), bits.length);
  let m = 0;
  let w = 0;
  for (; w < full && m + 32 <= k; w++) {
    const keep = ~bits[w]!;
    const base = w * 32;
    for (let b = 0; b < 32; b += 4) {
      out[m] = base + b;
      m += (keep >>> b) & 1;
      out[m] = base + b + 1;
      m += (keep >>> (b + 1)) & 1;
      out[m] = base + b + 2;
      m += (keep >>> (b + 2)) & 1;
      out[m] = base + b + 3;
      m += (keep >>> (b + 3)) & 1;
    }
  }
  for (let id = w * 32; id < n && m < k; id++) if (((bits[id >>> 5]! >>> (id & 31)) & 1) === 0) out[m++] = id;
  return m;
}
