/**
 * A store's per-sample arrays. Unseen samples hold NaN scores, -1 epochs and
 * 0 counts, so the arrays alone say everything but the running totals.
 */
export interface StoreArrays {
  /** `scores[id]`, NaN where unseen. */
  readonly scores: Float32Array;
  /** The bit patterns of `scores` (same memory), for the exponent of each score. */
  readonly bits: Uint32Array;
  /** Seen bitmap: bit `id & 31` of word `id >>> 5`; bits past the last sample are 0. */
  readonly seen: Uint32Array;
  /** Last-seen epochs, -1 where unseen; null when not tracked. */
  readonly epochs: Int32Array | null;
  /** Observation counts, 0 where unseen; null when not tracked. */
  readonly counts: Uint32Array | null;
}

/** The totals kept beside the arrays, updated by every write. */
export interface Tally {
  /** Samples seen at least once. */
  seenCount: number;
  /** Non-finite losses skipped. */
  skipped: number;
}

/** Arrays of `size` unseen samples. O(size) time and memory. */
export function createArrays(size: number, trackEpochs: boolean, trackCounts: boolean): StoreArrays {
  const scores = new Float32Array(size).fill(Number.NaN);
  return {
    scores,
    bits: new Uint32Array(scores.buffer, 0, size),
    seen: new Uint32Array(Math.ceil(size / 32)),
    epochs: trackEpochs ? new Int32Array(size).fill(-1) : null,
    counts: trackCounts ? new Uint32Array(size) : null,
  };
}

/** Every sample unseen again, in place. O(size). */
export function clearArrays(a: StoreArrays): void {
  a.scores.fill(Number.NaN);
  a.seen.fill(0);
  a.epochs?.fill(-1);
  a.counts?.fill(0);
}

/** The ids whose bit is set in `seen`, ascending, in a new array of `count`. O(seen.length + count). */
export function setBits(seen: Uint32Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let k = 0;
  for (let w = 0; w < seen.length; w++) {
    let word = seen[w]!;
    while (word !== 0) {
      const low = word & -word;
      out[k++] = w * 32 + (31 - Math.clz32(low));
      word ^= low;
    }
  }
  return out;
}
