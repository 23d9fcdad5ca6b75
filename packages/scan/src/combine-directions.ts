import type { Random } from '@seta/core';
import { lowestBit, maskPositions, popcount, positionsMask } from './bitmask.js';
import { Scratch } from './scratch.js';

/**
 * Combine one extreme set from two loss directions (docs/methods/scan.md):
 * `C = A ∩ B`; if `|C| < 0.9 · |A|`, add `|A| − |C|` positions drawn
 * uniformly from `(A ∪ B) \ C` — by a partial Fisher–Yates over A \ B in
 * ascending order, then B \ A in ascending order. `a` and `b` are masks of
 * `words` words; the result is `a` itself when `b` is `a` (one loss
 * direction), else a view of `s.out`, valid until the next call.
 * O(words + |(A ∪ B) \ C|).
 */
export function combineMasks(a: Int32Array, b: Int32Array, words: number, rng: Random, s: Scratch): Int32Array {
  if (a === b) return a;
  const out = s.out;
  let sizeA = 0;
  let both = 0;
  let either = 0;
  for (let w = 0; w < words; w++) {
    const x = a[w]!;
    const y = b[w]!;
    out[w] = x & y;
    sizeA += popcount(x);
    both += popcount(x & y);
    either += popcount(x ^ y);
  }
  if (both < 0.9 * sizeA) {
    const need = Math.min(sizeA - both, either);
    if (need > 0) {
      const rest = s.rest;
      let n = 0;
      for (let w = 0; w < words; w++) for (let x = a[w]! & ~b[w]!; x !== 0; x &= x - 1) rest[n++] = 32 * w + lowestBit(x);
      for (let w = 0; w < words; w++) for (let x = b[w]! & ~a[w]!; x !== 0; x &= x - 1) rest[n++] = 32 * w + lowestBit(x);
      for (let i = 0; i < need; i++) {
        const j = i + rng.nextIntUnchecked(either - i);
        const p = rest[j]!;
        rest[j] = rest[i]!;
        rest[i] = p;
        out[p >>> 5]! |= 1 << (p & 31);
      }
    }
  }
  return out.subarray(0, words);
}

/** {@link combineMasks} on arrays of positions of a batch of `batchSize`: the combined positions, ascending (a new array). */
export function combineDirections(a: Uint32Array, b: Uint32Array, batchSize: number, rng: Random, scratch = new Scratch()): Uint32Array {
  scratch.ensure(batchSize);
  const ma = positionsMask(a, batchSize);
  const mb = a === b ? ma : positionsMask(b, batchSize);
  return maskPositions(combineMasks(ma, mb, ma.length, rng, scratch), batchSize);
}
