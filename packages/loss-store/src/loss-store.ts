import { SetaError, StateError, checkArrayLike, checkInteger, checkSize, describeValue } from '@seta/core';
import { checkBatch } from './check-batch.js';
import { exactSumOfFloat32 } from './exact-sum.js';
import { mergeArrays } from './merge.js';
import { MAX_EPOCH, OPTION_KEYS, resolveOptions } from './options.js';
import type { LossStoreOptions, ResolvedLossStoreOptions } from './options.js';
import { clearArrays, createArrays, setBits } from './store-arrays.js';
import type { StoreArrays, Tally } from './store-arrays.js';
import { encodeState, readState } from './store-state.js';
import type { ParsedState } from './store-state.js';
import { BUFFER_MIN_SIZE, WriteBuffer } from './write-buffer.js';
import { writeScores } from './write.js';

export type { LossStoreOptions, ResolvedLossStoreOptions } from './options.js';

/**
 * Per-sample score storage for dynamic data pruning: the training loop
 * records per-sample losses, pruning strategies read scores, the seen set and
 * the mean over seen samples.
 *
 * Memory per sample: 4 bytes of scores (`Float32Array`), 1/8 byte of seen
 * bitmap, 4 bytes of last-seen epochs (`Int32Array`, on by default) and 4
 * bytes of observation counts (`Uint32Array`, off by default): 8.125 bytes by
 * default, 4.125 with epochs off, 12.125 with both on. Nothing else grows
 * with N; a store of 2^22 samples or more also holds a 16 MiB write buffer
 * from its first write.
 *
 * Writes to a store of 2^22 samples or more are gathered and applied grouped
 * by id range (see `write-buffer.ts`): random ids over hundreds of megabytes
 * cost a page walk each, grouped ones do not. Every read through the store —
 * a method, or a getter such as `scores` or `seenCount` — applies what is
 * gathered first, so what a read returns is exactly what writing each batch
 * at once would give.
 *
 * Scores are float32: a loss is rounded to the nearest float32 when stored,
 * and a loss that is finite as a double but overflows float32
 * (|loss| > 3.4028234663852886e38) counts as non-finite.
 *
 * @example
 * ```ts
 * const store = new LossStore(5, { trackCounts: true });
 * store.record(Uint32Array.of(0, 3), Float32Array.of(0.5, 2), 0);
 * store.record([3], [1], 1);
 * store.score(3);         // 1
 * store.score(1);         // NaN (unseen)
 * store.seenCount;        // 2
 * store.mean();           // 0.75
 * store.lastSeenEpoch(3); // 1
 * store.count(3);         // 2
 * ```
 */
export class LossStore {
  /** N, the number of samples; ids run over `0 … size-1`. */
  readonly size: number;

  private readonly resolved: ResolvedLossStoreOptions;
  private readonly arrays: StoreArrays;
  private readonly tally: Tally = { seenCount: 0, skipped: 0 };
  /** Writes not yet in `arrays` (large stores only, made at the first write); applied before any read. */
  private buffer: WriteBuffer | null = null;
  /** The exact sum of the seen scores, rounded once; valid unless `sumStale`. */
  private sumCache = 0;
  private sumStale = false;
  private latestEpoch = 0;

  /**
   * An empty store: every sample unseen. O(size) time and memory.
   *
   * @param size - N, an integer in [1, `MAX_SIZE` = 2^31 − 1] (of
   *   `@seta/core`); the store takes 8.125 bytes per sample by default (see
   *   the class's note).
   * @param options - see {@link LossStoreOptions}.
   * @throws TypeError if `size` is not a number, `options` is not an object,
   *   has an unknown key (the message suggests the key most likely meant), a
   *   `null` value or a value of the wrong kind.
   * @throws RangeError if `size` is not an integer in range, `ema` is not in
   *   [0, 1) or `nonFinite` is not `'error'` or `'skip'`.
   * @example
   * ```ts
   * const store = new LossStore(50_000, { ema: 0.9, trackCounts: true });
   * store.byteLength; // 606252 (12.125 bytes per sample)
   * ```
   */
  constructor(size: number, options?: LossStoreOptions) {
    const fn = 'LossStore()';
    this.size = checkSize(fn, 'size', size);
    this.resolved = resolveOptions(fn, options);
    this.arrays = createArrays(size, this.resolved.trackEpochs, this.resolved.trackCounts);
  }

  /**
   * Record one batch of per-sample losses: for each position `i` in order,
   * sample `ids[i]` observes `losses[i]` (so a repeated id ends with its
   * last loss, or with the EMA of its losses in order). The whole batch is
   * validated before anything is written: a rejected batch changes nothing.
   * O(n) time, no allocation.
   *
   * @param ids - sample ids, integers in `0 … size-1` (a `Uint32Array` is fastest).
   * @param losses - `losses[i]` belongs to `ids[i]`; finite numbers.
   * @param epoch - the epoch of these observations, an integer in
   *   [0, 2^31 − 1]; defaults to {@link LossStore.currentEpoch}, the largest
   *   epoch given so far (0 at first).
   * @returns the number of losses skipped as non-finite (always 0 unless the
   *   store was built with `nonFinite: 'skip'`).
   * @throws TypeError if `ids` or `losses` is not array-like or holds a
   *   non-number, or `epoch` is not a number.
   * @throws RangeError if the lengths differ, an id is not an integer in
   *   range, a loss is NaN or infinite (in float32) and `nonFinite` is
   *   `'error'`, or `epoch` is out of range. The message names the position,
   *   the id and the value: `LossStore.record(): losses[3] (id 17) must be
   *   finite, got NaN`.
   * @example
   * ```ts
   * const store = new LossStore(100, { nonFinite: 'skip' });
   * store.record(Uint32Array.of(4, 7), Float32Array.of(0.25, NaN), 0); // 1 (id 7 skipped)
   * store.isSeen(7); // false
   * ```
   */
  record(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch?: number): number {
    return this.write('LossStore.record()', ids, losses, epoch);
  }

  /**
   * Apply a shard of `(ids, losses)` observed by another worker (the
   * all-gather of data-parallel training). Exactly {@link LossStore.record},
   * with its own name in error messages; apply shards in the same order on
   * every worker (e.g. by rank) so that all stores end identical.
   * O(n) time.
   *
   * @param ids - sample ids, integers in `0 … size-1`.
   * @param losses - `losses[i]` belongs to `ids[i]`.
   * @param epoch - the epoch the shard was observed in; defaults to
   *   {@link LossStore.currentEpoch}.
   * @returns the number of losses skipped as non-finite.
   * @throws TypeError, RangeError as {@link LossStore.record}, naming `LossStore.mergeShard()`.
   * @example
   * ```ts
   * // on every worker, after gathering every rank's (ids, losses):
   * for (const shard of gathered) store.mergeShard(shard.ids, shard.losses, epoch);
   * ```
   */
  mergeShard(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch?: number): number {
    return this.write('LossStore.mergeShard()', ids, losses, epoch);
  }

  /**
   * {@link LossStore.record} without validation, for callers that have
   * already checked the batch — e.g. a pruner's `observe`, which validates
   * once with its own name in the messages. Every id must be an integer in
   * `0 … size-1` and `epoch` an integer in [0, 2^31 − 1]; a non-finite loss is
   * skipped (and counted) whatever `nonFinite` says. Anything else is
   * undefined behaviour. O(n) time, no allocation.
   *
   * @returns the number of losses skipped as non-finite.
   */
  recordUnchecked(ids: ArrayLike<number>, losses: ArrayLike<number>, epoch: number): number {
    if (epoch > this.latestEpoch) this.latestEpoch = epoch;
    return this.apply(ids, losses, epoch);
  }

  private write(fn: string, ids: ArrayLike<number>, losses: ArrayLike<number>, epoch: number | undefined): number {
    checkArrayLike(fn, 'ids', ids);
    checkArrayLike(fn, 'losses', losses);
    const n = ids.length;
    if (losses.length !== n) {
      throw new RangeError(`${fn}: ids and losses must have the same length, got ${n} ids and ${losses.length} losses`);
    }
    const e = epoch === undefined ? this.latestEpoch : checkInteger(fn, 'epoch', epoch, 0, MAX_EPOCH);
    checkBatch(fn, ids, losses, this.size, this.resolved.nonFinite === 'error');
    if (e > this.latestEpoch) this.latestEpoch = e;
    return this.apply(ids, losses, e);
  }

  private apply(ids: ArrayLike<number>, losses: ArrayLike<number>, e: number): number {
    if (ids.length === 0) return 0;
    this.sumStale = true;
    if (this.buffer === null && this.size >= BUFFER_MIN_SIZE) this.buffer = new WriteBuffer(this.size);
    if (this.buffer !== null) return this.buffer.write(this.arrays, this.tally, ids, losses, e, this.resolved.ema);
    return writeScores(this.arrays, this.tally, ids, losses, e, this.resolved.ema);
  }

  /** Apply the buffered writes, if any: every read calls this first. */
  private flush(): void {
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

  private badId(fn: string, id: unknown): never {
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

  /**
   * Combine another store into this one (e.g. a worker's store into the
   * coordinator's). For every sample `other` has seen:
   * - unseen here: it takes other's score, last-seen epoch and count;
   * - seen in both: other's score replaces this one's unless this store saw
   *   the sample in a strictly later epoch (without `trackEpochs` here,
   *   other's always wins); the last-seen epoch becomes the later of the
   *   two; counts add (saturating).
   *
   * `skipped` adds and `currentEpoch` becomes the larger. `other` is not
   * changed. Options such as `ema` may differ, but `other` must track
   * everything this store tracks. O(N/32 + other.seenCount) time.
   *
   * @param other - a store of the same size.
   * @returns this store.
   * @throws TypeError if `other` is not a LossStore.
   * @throws RangeError if its size differs or it lacks epochs or counts this store tracks.
   * @example
   * ```ts
   * const a = new LossStore(4, { trackCounts: true });
   * const b = new LossStore(4, { trackCounts: true });
   * a.record([0, 1], [5, 5], 1);
   * b.record([1, 2], [7, 7], 0);
   * a.merge(b);
   * [a.score(0), a.score(1), a.score(2)]; // [5, 5, 7]: id 1 was seen later by a
   * a.count(1);                           // 2
   * ```
   */
  merge(other: LossStore): this {
    const fn = 'LossStore.merge()';
    if (!(other instanceof LossStore)) throw new TypeError(`${fn}: other must be a LossStore, got ${describeValue(other)}`);
    if (other.size !== this.size) {
      throw new RangeError(`${fn}: other must have size ${this.size}, got a store of size ${other.size}`);
    }
    if (this.arrays.epochs !== null && other.arrays.epochs === null) {
      throw new RangeError(`${fn}: other must track epochs as this store does, got a store built with trackEpochs: false`);
    }
    if (this.arrays.counts !== null && other.arrays.counts === null) {
      throw new RangeError(`${fn}: other must track counts as this store does, got a store built with trackCounts: false`);
    }
    this.flush();
    other.flush();
    mergeArrays(this.arrays, this.tally, other.arrays);
    this.sumStale = true;
    this.tally.skipped += other.tally.skipped;
    if (other.latestEpoch > this.latestEpoch) this.latestEpoch = other.latestEpoch;
    return this;
  }

  /**
   * Forget everything: every sample unseen, counts and `skipped` 0,
   * `currentEpoch` 0. The arrays returned by `scores`, `seen`, `epochs` and
   * `counts` stay the store's own. O(N).
   *
   * @returns this store.
   * @example
   * ```ts
   * store.clear().seenCount; // 0
   * ```
   */
  clear(): this {
    this.buffer?.discard();
    clearArrays(this.arrays);
    this.sumCache = 0;
    this.sumStale = false;
    this.tally.seenCount = 0;
    this.tally.skipped = 0;
    this.latestEpoch = 0;
    return this;
  }

  /**
   * Everything needed to restore this store exactly: options, scores, seen
   * set, epochs, counts, `skipped` and `currentEpoch`, in the versioned,
   * checksummed seta state format (kind `"loss-store"`, version 1).
   * O(N) time; the result is `byteLength` bytes plus a header of a few
   * hundred bytes (≈ 8.1 bytes per sample by default).
   *
   * @returns a new `Uint8Array`.
   * @example
   * ```ts
   * const bytes = store.saveState();
   * const copy = LossStore.fromState(bytes); // or: new LossStore(size, options).loadState(bytes)
   * ```
   */
  saveState(): Uint8Array {
    this.flush();
    const progress = { seenCount: this.tally.seenCount, skipped: this.tally.skipped, currentEpoch: this.latestEpoch };
    return encodeState(this.size, this.resolved, this.arrays, progress);
  }

  /**
   * Restore a state from {@link LossStore.saveState} of a store with the same
   * size and options, replacing this store's contents. The state is fully
   * checked before anything changes: on error this store is left as it was.
   * The arrays returned by `scores`, `seen`, `epochs` and `counts` stay the
   * store's own. O(N) time; while loading, a decoded copy of the state is
   * held besides the store (about `byteLength` bytes more).
   *
   * @param bytes - the saved state.
   * @returns this store.
   * @throws TypeError if `bytes` is not a Uint8Array.
   * @throws StateError if it is not a loss-store state, is truncated,
   *   corrupted or inconsistent, or was saved by a store of another size or
   *   other options (the message lists what was expected and what was got).
   * @example
   * ```ts
   * const restored = new LossStore(1000).loadState(bytes);
   * ```
   */
  loadState(bytes: Uint8Array): this {
    const fn = 'LossStore.loadState()';
    const state = readState(bytes, fn);
    const mismatches: string[] = [];
    if (state.size !== this.size) mismatches.push(`size ${state.size} (expected ${this.size})`);
    for (const key of OPTION_KEYS) {
      if (!Object.is(state.options[key], this.resolved[key])) {
        mismatches.push(`${key} ${describeValue(state.options[key])} (expected ${describeValue(this.resolved[key])})`);
      }
    }
    if (mismatches.length > 0) {
      throw new StateError(`${fn}: the state was saved by a store with other options: ${mismatches.join(', ')}`);
    }
    this.install(state);
    return this;
  }

  /**
   * A new store, with the size and options saved in the state, holding the
   * saved contents. O(N).
   *
   * @param bytes - a state from {@link LossStore.saveState}.
   * @returns a new store.
   * @throws TypeError if `bytes` is not a Uint8Array.
   * @throws StateError if it is not a loss-store state, is truncated, corrupted or inconsistent.
   * @example
   * ```ts
   * const copy = LossStore.fromState(store.saveState());
   * copy.mean() === store.mean(); // true
   * ```
   */
  static fromState(bytes: Uint8Array): LossStore {
    const state = readState(bytes, 'LossStore.fromState()');
    const store = new LossStore(state.size, state.options);
    store.install(state);
    return store;
  }

  private install(state: ParsedState): void {
    const a = this.arrays;
    this.buffer?.discard();
    a.scores.set(state.scores);
    a.seen.set(state.seen);
    if (a.epochs !== null) a.epochs.set(state.epochs!);
    if (a.counts !== null) a.counts.set(state.counts!);
    this.sumStale = true;
    this.tally.seenCount = state.seenCount;
    this.tally.skipped = state.skipped;
    this.latestEpoch = state.currentEpoch;
  }
}

