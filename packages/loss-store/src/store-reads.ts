import { SetaError, checkInteger, describeValue } from '@seta/core';
import { exactSumOfFloat32 } from './exact-sum.js';
import type { ResolvedLossStoreOptions } from './options.js';
import { setBits } from './store-arrays.js';
import type { StoreArrays, Tally } from './store-arrays.js';
import type { WriteBuffer } from './write-buffer.js';

/**
 * What can be read from a {@link LossStore}: scores, the seen set, epochs,
 * counts and the mean. `LossStore` extends it with writing, merging and
 * state; a function that only reads a store can take this type. Every read
 * applies the store's buffered writes first, so it sees every batch
 * recorded so far. Not constructed on its own.
 */
export abstract class LossStoreReads {
  /** N, the number of samples; ids run over `0 … size-1`. */
  readonly size: number;

  protected readonly resolved: ResolvedLossStoreOptions;
  protected readonly arrays: StoreArrays;
  protected readonly tally: Tally = { seenCount: 0, skipped: 0 };
  /** Writes not yet in `arrays` (large stores only, made at the first write); applied before any read. */
  protected buffer: WriteBuffer | null = null;
  /** The exact sum of the seen scores, rounded once; valid unless `sumStale`. */
  protected sumCache = 0;
  protected sumStale = false;
  protected latestEpoch = 0;

  protected constructor(size: number, resolved: ResolvedLossStoreOptions, arrays: StoreArrays) {
    this.size = size;
    this.resolved = resolved;
    this.arrays = arrays;
  }

  /** Apply the buffered writes, if any: every read calls this first. */
  protected flush(): void {
    this.buffer?.flush(this.arrays, this.tally, this.resolved.ema);
  }

  /**
   * The score of one sample: its latest loss (or EMA), as a float32 value.
   * O(1).
   *
   * @param id - an integer in `0 … size-1`.
   * @returns the score, or `NaN` if the sample has never been observed.
   * @throws TypeError / RangeError if `id` is not an integer in range.
   * @example
   * ```ts
   * store.record([2], [0.1]);
   * store.score(2); // 0.10000000149011612 (0.1 rounded to float32)
   * store.score(0); // NaN
   * ```
   */
  score(id: number): number {
    if (!((id >>> 0) === id && id < this.size)) this.badId('LossStore.score()', id);
    this.flush();
    return this.arrays.scores[id]!;
  }

  /**
   * Whether a sample has been observed (recorded, or merged in). O(1).
   *
   * @param id - an integer in `0 … size-1`.
   * @returns `true` once the sample has a score.
   * @throws TypeError / RangeError if `id` is not an integer in range.
   * @example
   * ```ts
   * store.record([2], [0.1]);
   * store.isSeen(2); // true
   * store.isSeen(3); // false
   * ```
   */
  isSeen(id: number): boolean {
    if (!((id >>> 0) === id && id < this.size)) this.badId('LossStore.isSeen()', id);
    this.flush();
    return (this.arrays.seen[id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  /**
   * The epoch in which a sample was last observed. O(1).
   *
   * @param id - an integer in `0 … size-1`.
   * @returns the epoch, or `-1` if the sample has never been observed.
   * @throws SetaError if the store was built with `trackEpochs: false`.
   * @throws TypeError / RangeError if `id` is not an integer in range.
   * @example
   * ```ts
   * store.record([2], [0.1], 4);
   * store.lastSeenEpoch(2); // 4
   * store.lastSeenEpoch(3); // -1
   * ```
   */
  lastSeenEpoch(id: number): number {
    const fn = 'LossStore.lastSeenEpoch()';
    const epochs = this.arrays.epochs;
    if (epochs === null) throw new SetaError(`${fn}: epochs are not tracked (the store was built with trackEpochs: false)`);
    if (!((id >>> 0) === id && id < this.size)) this.badId(fn, id);
    this.flush();
    return epochs[id]!;
  }

  /**
   * How many times a sample has been observed (skipped non-finite losses do
   * not count; merged stores add their counts). Saturates at 2^32 − 1. O(1).
   *
   * @param id - an integer in `0 … size-1`.
   * @returns the count, 0 if the sample has never been observed.
   * @throws SetaError if the store was built with `trackCounts: false`.
   * @throws TypeError / RangeError if `id` is not an integer in range.
   * @example
   * ```ts
   * const store = new LossStore(10, { trackCounts: true });
   * store.record([2, 2], [0.1, 0.3]);
   * store.count(2); // 2
   * ```
   */
  count(id: number): number {
    const fn = 'LossStore.count()';
    const counts = this.arrays.counts;
    if (counts === null) throw new SetaError(`${fn}: counts are not tracked (the store was built with trackCounts: false)`);
    if (!((id >>> 0) === id && id < this.size)) this.badId(fn, id);
    this.flush();
    return counts[id]!;
  }

  protected badId(fn: string, id: unknown): never {
    checkInteger(fn, 'id', id, 0, this.size - 1);
    throw new RangeError(`${fn}: id must be an integer in [0, ${this.size - 1}], got ${describeValue(id)}`);
  }

  /**
   * The mean score over seen samples. The sum of the scores is formed
   * exactly and rounded once, then divided by the count, so the result is
   * within 2^-52 (relative) of the exact mean whatever the scores' magnitudes
   * and however often they were overwritten.
   *
   * Cost: O(N) — one exact scan of the scores, a few ns per sample — the
   * first time after the store changed; O(1) (cached) until it changes
   * again. A running sum would make the cost O(1) here but would make
   * `record` read every old score, a cache miss per sample for a large
   * store; strategies ask for the mean once per epoch, so the scan is the
   * cheaper side of that trade.
   *
   * @returns the mean, or `null` if no sample has been seen.
   * @example
   * ```ts
   * const store = new LossStore(3);
   * store.mean();                      // null
   * store.record([0, 1, 2], [1e30, 1, -1e30]);
   * store.mean();                      // 0.3333333333333333 (a naive sum gives 0)
   * ```
   */
  mean(): number | null {
    this.flush();
    const count = this.tally.seenCount;
    if (count === 0) return null;
    if (this.sumStale) {
      this.sumCache = exactSumOfFloat32(this.arrays.scores, this.arrays.bits);
      this.sumStale = false;
    }
    return this.sumCache / count;
  }

  /** Number of samples seen at least once. O(1). */
  get seenCount(): number {
    this.flush();
    return this.tally.seenCount;
  }

  /** Non-finite losses skipped so far (with `nonFinite: 'skip'`); merged stores add theirs. O(1). */
  get skipped(): number {
    return this.tally.skipped; // buffered writes hold no skips
  }

  /**
   * The epoch `record` uses when given none: the largest epoch passed to
   * `record`/`mergeShard`, or held by a merged store (0 at first). O(1).
   */
  get currentEpoch(): number {
    return this.latestEpoch;
  }

  /** The options this store was built with, defaults filled in. O(1). */
  get options(): ResolvedLossStoreOptions {
    return this.resolved;
  }

  /**
   * Every score, `scores[id]`, `NaN` for unseen samples — the store's own
   * array (the same one for the store's lifetime, kept current), for
   * strategies that scan all N. Read it, never write it: writing corrupts
   * the seen set and the mean. O(1).
   *
   * @example
   * ```ts
   * const below = store.scores.filter((s) => s < m).length; // NaN compares false: unseen never counted
   * ```
   */
  get scores(): Float32Array {
    this.flush();
    return this.arrays.scores;
  }

  /**
   * The seen bitmap, the store's own array: sample `id` is seen when bit
   * `id & 31` of word `id >>> 5` is set; bits past `size` are 0. Read only.
   * O(1).
   */
  get seen(): Uint32Array {
    this.flush();
    return this.arrays.seen;
  }

  /** Last-seen epochs, `-1` for unseen, or `null` without `trackEpochs`; the store's own array, read only. O(1). */
  get epochs(): Int32Array | null {
    this.flush();
    return this.arrays.epochs;
  }

  /** Observation counts, or `null` without `trackCounts`; the store's own array, read only. O(1). */
  get counts(): Uint32Array | null {
    this.flush();
    return this.arrays.counts;
  }

  /** Bytes of memory held in the store's typed arrays. O(1). */
  get byteLength(): number {
    const a = this.arrays;
    return a.scores.byteLength + a.seen.byteLength + (a.epochs?.byteLength ?? 0) + (a.counts?.byteLength ?? 0);
  }

  /**
   * The ids of the seen samples, ascending. O(N/32 + seenCount) time, a new
   * array of `seenCount` ids.
   *
   * @returns a new `Uint32Array`.
   * @example
   * ```ts
   * store.record([7, 2], [1, 1]);
   * store.seenIds(); // Uint32Array [ 2, 7 ]
   * ```
   */
  seenIds(): Uint32Array {
    this.flush();
    return setBits(this.arrays.seen, this.tally.seenCount);
  }
}
