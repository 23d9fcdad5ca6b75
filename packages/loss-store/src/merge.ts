import { MAX_COUNT } from './options.js';
import type { StoreArrays, Tally } from './store-arrays.js';

/**
 * Combine the arrays of another store of the same size into `into`
 * ({@link LossStore.merge}'s rule): a sample only `from` has seen takes its
 * score, epoch and count; a sample both have seen takes `from`'s score
 * unless `into` saw it in a strictly later epoch, the later epoch and the
 * sum of the counts (saturating). `from` must track whatever `into` tracks.
 * O(seen.length + samples `from` has seen).
 */
export function mergeArrays(into: StoreArrays, tally: Tally, from: StoreArrays): void {
  const { scores, seen, epochs, counts } = into;
  const oScores = from.scores;
  const oSeen = from.seen;
  const oEpochs = from.epochs;
  const oCounts = from.counts;
  let seenCount = tally.seenCount;
  for (let w = 0; w < oSeen.length; w++) {
    let rest = oSeen[w]!;
    while (rest !== 0) {
      const low = rest & -rest;
      rest ^= low;
      const id = w * 32 + (31 - Math.clz32(low));
      const s = oScores[id]!;
      const word = seen[w]!;
      if ((word & low) !== 0) {
        if (epochs === null || oEpochs![id]! >= epochs[id]!) scores[id] = s;
        if (epochs !== null && oEpochs![id]! > epochs[id]!) epochs[id] = oEpochs![id]!;
        if (counts !== null) counts[id] = Math.min(MAX_COUNT, counts[id]! + oCounts![id]!);
      } else {
        seen[w] = word | low;
        seenCount++;
        scores[id] = s;
        if (epochs !== null) epochs[id] = oEpochs![id]!;
        if (counts !== null) counts[id] = oCounts![id]!;
      }
    }
  }
  tally.seenCount = seenCount;
}
