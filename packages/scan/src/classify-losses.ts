import { bit, popcount } from './bitmask.js';
import { BOUNDS } from './wasm-classify.js';

if (BOUNDS !== 5) throw new Error('classify-losses.ts: classifyLosses is written out for BOUNDS = 5');

/**
 * The JavaScript classification pass (the WebAssembly one in
 * wasm-classify.ts computes the same): bit j of word w of `masks[i]` is set
 * when loss 32·w + j is below `bounds[i]` (i < BOUNDS), or above
 * `bounds[i]` (i ≥ BOUNDS); `counts[i]` is the mask's bit count. NaN bounds
 * match nothing.
 */
export function classifyLosses(losses: Float32Array, bounds: Float32Array, masks: Int32Array[], counts: Int32Array): void {
  // One pass, with the five bounds of each cut in locals (written out for BOUNDS = 5, checked above).
  const t0 = bounds[0]!, t1 = bounds[1]!, t2 = bounds[2]!, t3 = bounds[3]!, t4 = bounds[4]!; // prettier-ignore
  const u0 = bounds[5]!, u1 = bounds[6]!, u2 = bounds[7]!, u3 = bounds[8]!, u4 = bounds[9]!; // prettier-ignore
  const m0 = masks[0]!, m1 = masks[1]!, m2 = masks[2]!, m3 = masks[3]!, m4 = masks[4]!; // prettier-ignore
  const n0 = masks[5]!, n1 = masks[6]!, n2 = masks[7]!, n3 = masks[8]!, n4 = masks[9]!; // prettier-ignore
  const b = losses.length;
  counts.fill(0);
  for (let base = 0, w = 0; base < b; base += 32, w++) {
    const end = Math.min(32, b - base);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0; // prettier-ignore
    for (let j = 0; j < end; j++) {
      const v = losses[base + j]!;
      a0 |= bit(v < t0) << j;
      a1 |= bit(v < t1) << j;
      a2 |= bit(v < t2) << j;
      a3 |= bit(v < t3) << j;
      a4 |= bit(v < t4) << j;
      c0 |= bit(v > u0) << j;
      c1 |= bit(v > u1) << j;
      c2 |= bit(v > u2) << j;
      c3 |= bit(v > u3) << j;
      c4 |= bit(v > u4) << j;
    }
    m0[w] = a0; m1[w] = a1; m2[w] = a2; m3[w] = a3; m4[w] = a4; // prettier-ignore
    n0[w] = c0; n1[w] = c1; n2[w] = c2; n3[w] = c3; n4[w] = c4; // prettier-ignore
  }
  const words = (b + 31) >>> 5;
  for (let i = 0; i < 2 * BOUNDS; i++) {
    const m = masks[i]!;
    let c = 0;
    for (let w = 0; w < words; w++) c += popcount(m[w]!);
    counts[i] = c;
  }
}
