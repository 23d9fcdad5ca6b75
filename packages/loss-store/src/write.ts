import { MAX_COUNT } from './options.js';
import type { StoreArrays, Tally } from './store-arrays.js';

/**
 * Write one batch into a store's arrays, position by position in order: the
 * first observation of a sample sets its score, a later one replaces it
 * (`ema` 0) or moves it to `fround(ema · old + (1 − ema) · loss)`. A loss that
 * is not finite as a float32 is skipped and counted. Ids must be integers in
 * range and `epoch` an integer ≥ 0: nothing here checks. O(n), no allocation.
 *
 * @returns the number of losses skipped.
 */
export function writeScores(
  a: StoreArrays,
  tally: Tally,
  ids: ArrayLike<number>,
  losses: ArrayLike<number>,
  epoch: number,
  ema: number,
): number {
  const n = ids.length;
  const scores = a.scores;
  const seen = a.seen;
  const epochs = a.epochs;
  const counts = a.counts;
  const fresh = 1 - ema;
  let seenCount = tally.seenCount;
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    const loss = losses[i]!;
    let s = Math.fround(loss);
    if (s - s !== 0) {
      skipped++; // NaN or ±Infinity
      continue;
    }
    const w = id >>> 5;
    const m = 1 << (id & 31);
    const word = seen[w]!;
    if ((word & m) === 0) {
      seen[w] = word | m;
      seenCount++;
    } else if (ema !== 0) {
      s = Math.fround(ema * scores[id]! + fresh * loss);
    }
    scores[id] = s; // latest wins: the old score is never read (a store, no cache-missing load)
    if (epochs !== null) epochs[id] = epoch;
    if (counts !== null) {
      const c = counts[id]!;
      if (c !== MAX_COUNT) counts[id] = c + 1;
    }
  }
  tally.seenCount = seenCount;
  tally.skipped += skipped;
  return skipped;
}
