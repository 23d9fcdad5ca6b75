import { StateError, checkArrayLike, checkInteger, checkSize, describeValue } from '@seta/core';
import { checkBatch } from './check-batch.js';
import { mergeArrays } from './merge.js';
import { MAX_EPOCH, OPTION_KEYS, resolveOptions } from './options.js';
import type { LossStoreOptions } from './options.js';
import { clearArrays, createArrays } from './store-arrays.js';
import { LossStoreReads } from './store-reads.js';
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
export class LossStore extends LossStoreReads {
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
    const n = checkSize(fn, 'size', size);
    const resolved = resolveOptions(fn, options);
    super(n, resolved, createArrays(n, resolved.trackEpochs, resolved.trackCounts));
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

