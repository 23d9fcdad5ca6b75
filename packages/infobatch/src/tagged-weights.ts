/*
 * InfoBatch's plan weights take two values only: 1, and 1 / keep for the
 * kept well-learned samples. Rather than a second array that the final
 * shuffle must permute alongside the ids, the stage marks the reweighted
 * ids in their top bit — free, since ids stay below 2^31 (MAX_SIZE) — and
 * the pipeline shuffles the marked ids alone and decodes them into the
 * plan's ids and weights afterwards (`Selection.decodeWeights`). The
 * permutation is the one the ids and weights would get shuffled together
 * (a shuffle's permutation depends only on the length and the generator),
 * at about the memory traffic of shuffling the ids alone.
 */

/** The top bit of an id: set on the ids whose weight is the second value. */
export const WEIGHT_TAG = 0x8000_0000;

/**
 * A decoder for `Selection.decodeWeights`: for each id, its weight is `1`
 * without the tag and `tagged` with it, and the tag is cleared. The weight
 * is chosen arithmetically (the tag, spread to a mask, selects the bits
 * that differ) rather than by a branch, which would be a coin toss, four
 * ids at a time. O(n).
 *
 * @param tagged - the weight of tagged ids (a float32 value).
 * @returns the decoder.
 */
export function tagDecoder(tagged: number): (ids: Uint32Array, weights: Float32Array) => void {
  const patterns = new Int32Array(Float32Array.of(1, tagged).buffer);
  const lo = patterns[0]!;
  const diff = lo ^ patterns[1]!;
  return (ids, weights) => {
    const n = ids.length;
    const bits = new Int32Array(weights.buffer, weights.byteOffset, n);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const x0 = ids[i]! | 0;
      const x1 = ids[i + 1]! | 0;
      const x2 = ids[i + 2]! | 0;
      const x3 = ids[i + 3]! | 0;
      bits[i] = lo ^ ((x0 >> 31) & diff);
      bits[i + 1] = lo ^ ((x1 >> 31) & diff);
      bits[i + 2] = lo ^ ((x2 >> 31) & diff);
      bits[i + 3] = lo ^ ((x3 >> 31) & diff);
      ids[i] = x0 & 0x7fff_ffff;
      ids[i + 1] = x1 & 0x7fff_ffff;
      ids[i + 2] = x2 & 0x7fff_ffff;
      ids[i + 3] = x3 & 0x7fff_ffff;
    }
    for (; i < n; i++) {
      const x = ids[i]! | 0;
      bits[i] = lo ^ ((x >> 31) & diff);
      ids[i] = x & 0x7fff_ffff;
    }
  };
}
