/**
 * Order-preserving unsigned keys of float bits, the keys every radix sort of
 * this package sorts: flip the sign bit of a positive number and every bit of
 * a negative one (M. Herf, "Radix Tricks", 2001). Unsigned order of the keys
 * is then the numeric order of the floats, −0 aside, which the sorts map to
 * +0 before taking its key so that the two compare equal as in JavaScript.
 * Float32 bits are keyed inline in each sort's first loop (`b & SIGN ? ~b :
 * b | SIGN`); this file holds the constants and the way back.
 */

export const SIGN = 0x80000000;
/** Exponent bits of a float32; all set means Infinity or NaN. */
export const F32_EXP = 0x7f800000;

/** Keys back to float bits, in place. */
export function keysToBits(keys: Uint32Array): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    keys[i] = key & SIGN ? key & 0x7fffffff : ~key >>> 0;
  }
}
