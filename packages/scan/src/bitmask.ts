/*
 * Sets of a batch's positions as bit masks, one bit per position in 32-bit
 * words (bit j of word w is position 32·w + j): SCAN's candidate sets are
 * built, intersected and counted a word at a time, and only the positions
 * that need a decision one by one are visited singly.
 */

/** `x` as 0 or 1: V8 compiles `| 0` on a comparison to a plain integer, unlike `+` on a boolean. */
export const bit = (x: boolean): number => (x as unknown as number) | 0;

/** Set bits of a 32-bit word (SWAR). */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Index of the lowest set bit of a non-zero word. */
export const lowestBit = (x: number): number => 31 - Math.clz32(x & -x);

/** The positions of a mask's set bits below `b`, ascending. */
export function maskPositions(mask: Int32Array, b: number): Uint32Array {
  const out: number[] = [];
  for (let w = 0; 32 * w < b; w++) for (let x = mask[w]!; x !== 0; x &= x - 1) out.push(32 * w + lowestBit(x));
  return Uint32Array.from(out);
}

/** A mask of `b` positions with the bits of `positions` set. */
export function positionsMask(positions: ArrayLike<number>, b: number): Int32Array {
  const mask = new Int32Array((b + 31) >>> 5);
  for (let i = 0; i < positions.length; i++) mask[positions[i]! >>> 5]! |= 1 << (positions[i]! & 31);
  return mask;
}
