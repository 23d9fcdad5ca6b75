import { CHUNK, INV_28, INV_32, TWO_28, TWO_32, draws } from '../draws.js';
import type { Random } from '../random.js';
import { shuffleInPlace } from '../shuffle/shuffle.js';

/**
 * Floyd's algorithm (Bentley & Floyd, "A sample of brilliance", CACM 1987):
 * `k` distinct uniformly random values of `0 … n-1`, kept in an
 * open-addressing hash set, in uniformly random order. O(k) time and memory.
 */
export function floydSample(n: number, k: number, rng: Random): Uint32Array {
  const EMPTY = 0xffff_ffff;
  let capacity = 16;
  while (capacity < k * 2) capacity *= 2;
  const table = new Uint32Array(capacity).fill(EMPTY);
  const mask = capacity - 1;
  const out = new Uint32Array(k);
  // Insert v if absent; returns false if it was present.
  const insert = (v: number): boolean => {
    let h = Math.imul(v, 0x9e3779b1) >>> 0;
    for (;;) {
      h &= mask;
      const cur = table[h]!;
      if (cur === EMPTY) {
        table[h] = v;
        return true;
      }
      if (cur === v) return false;
      h++;
    }
  };
  let m = 0;
  for (let j = n - k; j < n; j++) {
    const t = rng.nextIntUnchecked(j + 1);
    if (insert(t)) out[m++] = t;
    else {
      insert(j);
      out[m++] = j;
    }
  }
  // Floyd's order is not uniform; shuffle it.
  return shuffleInPlace(out, rng);
}


/**
 * Floyd's algorithm: mark `c` distinct uniformly random values of `0 … n-1`
 * in `bits`. For j = n − c … n − 1 it draws t uniform in [0, j] and marks t,
 * or j if t is already marked.
 *
 * The draws come in bulk from `fillUint32`, bounded by Lemire's method with
 * exact rejection: on all 32 bits for j < 2^21 (x · m < 2^53 stays exact in
 * doubles), on the top 28 bits for j < 2^25 (28 + 25 = 53; a draw is
 * rejected with probability below m / 2^28 ≤ 1/8), and through
 * `nextIntUnchecked` beyond.
 */
export function floydBits(n: number, c: number, rng: Random, bits: Uint32Array): void {
  const buf = draws;
  let pos = CHUNK;
  let j = n - c;
  for (; j < n && j < 0x20_0000; j++) {
    const m = j + 1;
    let t: number;
    for (;;) {
      if (pos === CHUNK) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p = buf[pos++]! * m;
      t = Math.floor(p * INV_32);
      const lo = p - t * TWO_32;
      if (lo >= m || lo >= (TWO_32 - m) % m) break;
    }
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
  for (; j < n && j < 0x200_0000; j++) {
    const m = j + 1;
    let t: number;
    for (;;) {
      if (pos === CHUNK) {
        rng.fillUint32(buf);
        pos = 0;
      }
      const p = (buf[pos++]! >>> 4) * m;
      t = Math.floor(p * INV_28);
      const lo = p - t * TWO_28;
      if (lo >= m || lo >= (TWO_28 - m) % m) break;
    }
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
  for (; j < n; j++) {
    const t = rng.nextIntUnchecked(j + 1);
    const pick = (bits[t >>> 5]! >>> (t & 31)) & 1 ? j : t;
    bits[pick >>> 5]! |= 1 << (pick & 31);
  }
}
