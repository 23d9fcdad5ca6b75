/** Samples per block: within one, no accumulator can round (see below). */
const SUM_BLOCK = 2 ** 29;

/**
 * The exact sum of the finite values of `values` (NaN skipped), rounded once
 * to a double; `bits` is the same memory as `values`. O(n) time, O(1) memory.
 *
 * Every finite float32 with biased exponent E is an integer multiple of
 * 2^(max(E, 1) − 150), smaller than 2^24 such units. Each value is added
 * into a float64 accumulator chosen by its exponent; within a block of at
 * most 2^29 values an accumulator's sum stays a multiple of its unit below
 * 2^29 · 2^24 = 2^53 units, so every addition is exact. The accumulators
 * are then added exactly with BigInt and rounded once. This is an
 * exponent-indexed "superaccumulator" in the spirit of Kulisch's long
 * accumulator and of Demmel & Hida, "Accurate floating point summation"
 * (2002), specialised to float32 inputs. NaN (an unseen sample's score) has
 * the exponent field 255: it lands in accumulator 255, which is ignored, so
 * the scan needs neither the seen bitmap nor a branch.
 */
export function exactSumOfFloat32(values: Float32Array, bits: Uint32Array): number {
  const n = values.length;
  // Four tables of 256 bins, filled round robin: consecutive values of one
  // exponent then add into different bins, so the additions do not wait on
  // each other. Every partial sum, and the sum of the four, is a multiple of
  // the bin's unit below 2^53 units: still exact.
  const acc = new Float64Array(4 * 256);
  let total = 0n; // in units of 2^-149, the smallest float32 step
  for (let start = 0; start < n; start += SUM_BLOCK) {
    const end = Math.min(n, start + SUM_BLOCK);
    let i = start;
    for (; i + 3 < end; i += 4) {
      acc[(bits[i]! >>> 23) & 0xff]! += values[i]!;
      acc[256 + ((bits[i + 1]! >>> 23) & 0xff)]! += values[i + 1]!;
      acc[512 + ((bits[i + 2]! >>> 23) & 0xff)]! += values[i + 2]!;
      acc[768 + ((bits[i + 3]! >>> 23) & 0xff)]! += values[i + 3]!;
    }
    for (; i < end; i++) acc[(bits[i]! >>> 23) & 0xff]! += values[i]!;
    for (let e = 0; e < 255; e++) {
      const a = acc[e]! + acc[256 + e]! + acc[512 + e]! + acc[768 + e]!;
      if (a === 0) continue;
      const unit = Math.max(e, 1) - 150; // log2 of the unit of exponent e
      total += BigInt(a * 2 ** -unit) << BigInt(unit + 149);
    }
    acc.fill(0);
  }
  return Number(total) * 2 ** -149;
}
