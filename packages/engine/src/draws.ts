/**
 * Generator output drawn in bulk, shared by the shuffles and samplers: a
 * `fillUint32` call per 4,096 draws instead of a method call per draw, with
 * Lemire's multiply-and-shift bounding each one (exact rejection). One
 * module-level buffer, so that a shuffle allocates none: everything here is
 * synchronous and no user of the buffer calls another while it holds draws.
 */
export const CHUNK = 4096;
export const draws = new Uint32Array(CHUNK);

export const TWO_32 = 0x1_0000_0000;
/** 2^-32: multiplying by it is exact, and cheaper than dividing by 2^32. */
export const INV_32 = 1 / TWO_32;
export const TWO_28 = 0x1000_0000;
export const INV_28 = 1 / TWO_28;

/** The first `len` words of the buffer (the whole buffer for `len` = CHUNK). */
export function drawView(len: number): Uint32Array {
  return len === CHUNK ? draws : draws.subarray(0, len);
}
