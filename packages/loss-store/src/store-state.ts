import { StateError, StateReader, StateWriter, checkSize, describeValue } from '@seta/core';
import { MAX_EPOCH, resolveOptions } from './options.js';
import type { LossStoreOptions, ResolvedLossStoreOptions } from './options.js';
import type { StoreArrays } from './store-arrays.js';

const STATE_KIND = 'loss-store';
const STATE_VERSION = 1;

/** What a store's saved state holds, decoded and checked. */
export interface ParsedState {
  readonly size: number;
  readonly options: ResolvedLossStoreOptions;
  readonly scores: Float32Array;
  readonly seen: Uint32Array;
  readonly epochs: Int32Array | null;
  readonly counts: Uint32Array | null;
  readonly seenCount: number;
  readonly skipped: number;
  readonly currentEpoch: number;
}

/** The running totals a state records beside the arrays. */
export interface StoreProgress {
  readonly seenCount: number;
  readonly skipped: number;
  readonly currentEpoch: number;
}

/**
 * Encode a store in the seta state format (kind `"loss-store"`, version 1):
 * options, progress, then the arrays it tracks. O(N).
 */
export function encodeState(size: number, options: ResolvedLossStoreOptions, a: StoreArrays, progress: StoreProgress): Uint8Array {
  const w = new StateWriter(STATE_KIND, STATE_VERSION);
  w.json('options', { size, ...options });
  w.json('progress', progress);
  w.float32('scores', a.scores);
  w.uint32('seen', a.seen);
  if (a.epochs !== null) w.int32('epochs', a.epochs);
  if (a.counts !== null) w.uint32('counts', a.counts);
  return w.finish();
}

/**
 * Decode a state and check that its contents are consistent: every seen
 * sample has a finite score, an epoch no later than `currentEpoch` and a
 * count; every unseen one has none; `seenCount` is the number of seen bits.
 * O(N).
 *
 * @throws StateError naming `fn` and what is wrong.
 */
export function readState(bytes: Uint8Array, fn: string): ParsedState {
  const r = StateReader.open(bytes, STATE_KIND, STATE_VERSION, fn);
  const bad = (what: string): never => {
    throw new StateError(`${fn}: state is malformed (${what})`);
  };
  const raw = r.json<Record<string, unknown>>('options');
  if (raw === null || typeof raw !== 'object') bad('options is not an object');
  const { size: rawSize, ...rest } = raw;
  let size: number;
  let options: ResolvedLossStoreOptions;
  try {
    size = checkSize('options', 'size', rawSize);
    options = resolveOptions('options', rest as LossStoreOptions);
  } catch (cause) {
    throw new StateError(`${fn}: state is malformed (${(cause as Error).message})`, { cause });
  }
  const progress = r.json<Record<string, unknown>>('progress');
  if (progress === null || typeof progress !== 'object') bad('progress is not an object');
  const { seenCount, skipped, currentEpoch } = progress;
  if (!Number.isSafeInteger(seenCount) || (seenCount as number) < 0) bad(`seenCount ${describeValue(seenCount)}`);
  if (!Number.isSafeInteger(skipped) || (skipped as number) < 0) bad(`skipped ${describeValue(skipped)}`);
  if (!Number.isInteger(currentEpoch) || (currentEpoch as number) < 0 || (currentEpoch as number) > MAX_EPOCH) {
    bad(`currentEpoch ${describeValue(currentEpoch)}`);
  }
  const scores = r.float32('scores', size);
  const seen = r.uint32('seen', Math.ceil(size / 32));
  const epochs = options.trackEpochs ? r.int32('epochs', size) : null;
  const counts = options.trackCounts ? r.uint32('counts', size) : null;
  if (!options.trackEpochs && r.has('epochs')) bad('it has epochs, but its options say trackEpochs: false');
  if (!options.trackCounts && r.has('counts')) bad('it has counts, but its options say trackCounts: false');

  const tail = size % 32;
  if (tail !== 0 && seen[seen.length - 1]! >>> tail !== 0) bad('seen bits are set past the last sample');
  let seenTotal = 0;
  for (let id = 0; id < size; id++) {
    const s = scores[id]!;
    if ((seen[id >>> 5]! & (1 << (id & 31))) !== 0) {
      seenTotal++;
      if (s - s !== 0) bad(`sample ${id} is seen but its score is ${s}`);
      if (epochs !== null && epochs[id]! < 0) bad(`sample ${id} is seen but its epoch is ${epochs[id]}`);
      // currentEpoch is the largest epoch ever recorded.
      if (epochs !== null && epochs[id]! > (currentEpoch as number)) bad(`sample ${id} was seen in epoch ${epochs[id]}, after currentEpoch ${currentEpoch as number}`);
      if (counts !== null && counts[id] === 0) bad(`sample ${id} is seen but its count is 0`);
    } else {
      if (s === s) bad(`sample ${id} is unseen but has the score ${s}`);
      if (epochs !== null && epochs[id] !== -1) bad(`sample ${id} is unseen but has the epoch ${epochs[id]}`);
      if (counts !== null && counts[id] !== 0) bad(`sample ${id} is unseen but has the count ${counts[id]}`);
    }
  }
  if (seenTotal !== seenCount) bad(`seenCount is ${seenCount as number} but ${seenTotal} samples are seen`);
  return {
    size,
    options,
    scores,
    seen,
    epochs,
    counts,
    seenCount: seenTotal,
    skipped: skipped as number,
    currentEpoch: currentEpoch as number,
  };
}
