import {
  SetaError,
  StateError,
  StateReader,
  StateWriter,
  checkArrayLike,
  checkInteger,
  checkNumber,
  checkOneOf,
  checkOptionKeys,
  checkOptions,
  checkSize,
  describeValue,
} from '@seta/core';

/** Options of a {@link LossStore}; every field is optional. */
export interface LossStoreOptions {
  /**
   * Exponential moving average factor in [0, 1). With `ema = a > 0` a new
   * observation `loss` of a sample already seen gives
   * `score = fround(a · old + (1 − a) · loss)`; the first observation sets the
   * score directly. `0` (the default) means the latest loss wins.
   */
  readonly ema?: number;
  /** Keep each sample's last-seen epoch (4 bytes per sample). Default `true`. */
  readonly trackEpochs?: boolean;
  /**
   * Keep each sample's observation count (4 bytes per sample). Default
   * `false`: incrementing a count must read it first, which for random ids
   * over a large store is a cache miss that roughly doubles `record`'s cost.
   */
  readonly trackCounts?: boolean;
  /**
   * What a NaN or infinite loss does: `'error'` (the default) rejects the
   * whole batch; `'skip'` leaves that sample as it was and counts the skip.
   */
  readonly nonFinite?: 'error' | 'skip';
}

/** The options a {@link LossStore} was built with, every default filled in. */
export interface ResolvedLossStoreOptions {
  readonly ema: number;
  readonly trackEpochs: boolean;
  readonly trackCounts: boolean;
  readonly nonFinite: 'error' | 'skip';
}

/** Largest epoch: last-seen epochs are kept in an Int32Array, -1 meaning unseen. */
const MAX_EPOCH = 0x7fff_ffff;
/** Observation counts saturate here (Uint32Array). */
const MAX_COUNT = 0xffff_ffff;
/** Samples per exact-sum block (see the note on the exact sum below). */
const SUM_BLOCK = 2 ** 29;

const STATE_KIND = 'loss-store';
const STATE_VERSION = 1;

const OPTION_KEYS: readonly string[] = ['ema', 'trackEpochs', 'trackCounts', 'nonFinite'];

/*
 * Exact sum of the scores of seen samples (for `mean()`).
 *
 * Every score is a finite float32. A float32 with biased exponent E is an
 * integer multiple of 2^(max(E, 1) − 150), smaller than 2^24 such units. A
 * scan adds each score into a float64 accumulator chosen by its exponent;
 * within a block of at most 2^29 samples an accumulator's sum stays a multiple
 * of its unit below 2^29 · 2^24 = 2^53 units, so every addition is exact. The
 * accumulators are then added exactly with BigInt and rounded once. This is
 * an exponent-indexed "superaccumulator" in the spirit of Kulisch's long
 * accumulator and of Demmel & Hida, "Accurate floating point summation"
 * (2002), specialised to float32 inputs. Unseen samples hold NaN, whose
 * exponent field is 255: they land in accumulator 255, which is ignored, so
 * the scan needs neither the seen bitmap nor a branch.
 */

/**
 * Per-sample score storage for dynamic data pruning: the training loop
 * records per-sample losses, pruning strategies read scores, the seen set and
 * the mean over seen samples.
 *
 * Memory per sample: 4 bytes of scores (`Float32Array`), 1/8 byte of seen
 * bitmap, 4 bytes of last-seen epochs (`Int32Array`, on by default) and 4
 * bytes of observation counts (`Uint32Array`, off by default): 8.125 bytes by
 * default, 4.125 with epochs off, 12.125 with both on. Nothing else grows
 * with N.
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
  private readonly scoreArray: Float32Array;
  /** The bit patterns of `scoreArray` (same memory), for the exponent of each score. */
  private readonly scoreBits: Uint32Array;
  private readonly seenWords: Uint32Array;
  private readonly epochArray: Int32Array | null;
  private readonly countArray: Uint32Array | null;
  /** The exact sum of the seen scores, rounded once; valid unless `sumStale`. */
  private sumCache = 0;
  private sumStale = false;
  private seenTotal = 0;
  private skippedTotal = 0;
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
    this.scoreArray = new Float32Array(size).fill(Number.NaN);
    this.scoreBits = new Uint32Array(this.scoreArray.buffer, 0, size);
    this.seenWords = new Uint32Array(Math.ceil(size / 32));
    this.epochArray = this.resolved.trackEpochs ? new Int32Array(size).fill(-1) : null;
    this.countArray = this.resolved.trackCounts ? new Uint32Array(size) : null;
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
    const skip = this.resolved.nonFinite === 'skip';
    const bad = firstInvalid(ids, losses, this.size, !skip);
    if (bad >= 0) throw batchError(fn, ids, losses, bad, this.size);
    if (e > this.latestEpoch) this.latestEpoch = e;
    // Every id is valid and, unless skipping, every loss finite in float32.
    return this.apply(ids, losses, e);
  }

  private apply(ids: ArrayLike<number>, losses: ArrayLike<number>, e: number): number {
    const n = ids.length;
    if (n > 0) this.sumStale = true;
    const scores = this.scoreArray;
    const seen = this.seenWords;
    const epochs = this.epochArray;
    const counts = this.countArray;
    const ema = this.resolved.ema;
    const fresh = 1 - ema;
    let seenTotal = this.seenTotal;
    let skipped = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const loss = losses[i]!;
      let s = Math.fround(loss);
      if (s - s !== 0) {
        skipped++; // NaN or ±Infinity; only reachable with nonFinite: 'skip'
        continue;
      }
      const w = id >>> 5;
      const m = 1 << (id & 31);
      const word = seen[w]!;
      if ((word & m) === 0) {
        seen[w] = word | m;
        seenTotal++;
      } else if (ema !== 0) {
        s = Math.fround(ema * scores[id]! + fresh * loss);
      }
      scores[id] = s; // latest wins: the old score is never read (a store, no cache-missing load)
      if (epochs !== null) epochs[id] = e;
      if (counts !== null) {
        const c = counts[id]!;
        if (c !== MAX_COUNT) counts[id] = c + 1;
      }
    }
    this.seenTotal = seenTotal;
    this.skippedTotal += skipped;
    return skipped;
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
    return this.scoreArray[id]!;
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
    return (this.seenWords[id >>> 5]! & (1 << (id & 31))) !== 0;
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
    if (this.epochArray === null) throw new SetaError(`${fn}: epochs are not tracked (the store was built with trackEpochs: false)`);
    if (!((id >>> 0) === id && id < this.size)) this.badId(fn, id);
    return this.epochArray[id]!;
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
    if (this.countArray === null) throw new SetaError(`${fn}: counts are not tracked (the store was built with trackCounts: false)`);
    if (!((id >>> 0) === id && id < this.size)) this.badId(fn, id);
    return this.countArray[id]!;
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
    if (this.seenTotal === 0) return null;
    if (this.sumStale) {
      this.sumCache = exactSumOfFloat32(this.scoreArray, this.scoreBits);
      this.sumStale = false;
    }
    return this.sumCache / this.seenTotal;
  }

  /** Number of samples seen at least once. O(1). */
  get seenCount(): number {
    return this.seenTotal;
  }

  /** Non-finite losses skipped so far (with `nonFinite: 'skip'`); merged stores add theirs. O(1). */
  get skipped(): number {
    return this.skippedTotal;
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
    return this.scoreArray;
  }

  /**
   * The seen bitmap, the store's own array: sample `id` is seen when bit
   * `id & 31` of word `id >>> 5` is set; bits past `size` are 0. Read only.
   * O(1).
   */
  get seen(): Uint32Array {
    return this.seenWords;
  }

  /** Last-seen epochs, `-1` for unseen, or `null` without `trackEpochs`; the store's own array, read only. O(1). */
  get epochs(): Int32Array | null {
    return this.epochArray;
  }

  /** Observation counts, or `null` without `trackCounts`; the store's own array, read only. O(1). */
  get counts(): Uint32Array | null {
    return this.countArray;
  }

  /** Bytes of memory held in the store's typed arrays. O(1). */
  get byteLength(): number {
    return (
      this.scoreArray.byteLength +
      this.seenWords.byteLength +
      (this.epochArray?.byteLength ?? 0) +
      (this.countArray?.byteLength ?? 0)
    );
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
    const out = new Uint32Array(this.seenTotal);
    const seen = this.seenWords;
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
    if (this.epochArray !== null && other.epochArray === null) {
      throw new RangeError(`${fn}: other must track epochs as this store does, got a store built with trackEpochs: false`);
    }
    if (this.countArray !== null && other.countArray === null) {
      throw new RangeError(`${fn}: other must track counts as this store does, got a store built with trackCounts: false`);
    }
    const scores = this.scoreArray;
    const seen = this.seenWords;
    const epochs = this.epochArray;
    const counts = this.countArray;
    const oScores = other.scoreArray;
    const oSeen = other.seenWords;
    const oEpochs = other.epochArray;
    const oCounts = other.countArray;
    let seenTotal = this.seenTotal;
    for (let w = 0; w < oSeen.length; w++) {
      let pending = oSeen[w]!;
      while (pending !== 0) {
        const low = pending & -pending;
        pending ^= low;
        const id = w * 32 + (31 - Math.clz32(low));
        const s = oScores[id]!;
        const word = seen[w]!;
        if ((word & low) !== 0) {
          if (epochs === null || oEpochs![id]! >= epochs[id]!) scores[id] = s;
          if (epochs !== null && oEpochs![id]! > epochs[id]!) epochs[id] = oEpochs![id]!;
          if (counts !== null) counts[id] = Math.min(MAX_COUNT, counts[id]! + oCounts![id]!);
        } else {
          seen[w] = word | low;
          seenTotal++;
          scores[id] = s;
          if (epochs !== null) epochs[id] = oEpochs![id]!;
          if (counts !== null) counts[id] = oCounts![id]!;
        }
      }
    }
    this.seenTotal = seenTotal;
    this.sumStale = true;
    this.skippedTotal += other.skippedTotal;
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
    this.scoreArray.fill(Number.NaN);
    this.seenWords.fill(0);
    this.epochArray?.fill(-1);
    this.countArray?.fill(0);
    this.sumCache = 0;
    this.sumStale = false;
    this.seenTotal = 0;
    this.skippedTotal = 0;
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
    const w = new StateWriter(STATE_KIND, STATE_VERSION);
    w.json('options', { size: this.size, ...this.resolved });
    w.json('progress', { seenCount: this.seenTotal, skipped: this.skippedTotal, currentEpoch: this.latestEpoch });
    w.float32('scores', this.scoreArray);
    w.uint32('seen', this.seenWords);
    if (this.epochArray !== null) w.int32('epochs', this.epochArray);
    if (this.countArray !== null) w.uint32('counts', this.countArray);
    return w.finish();
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
    for (const key of OPTION_KEYS as (keyof ResolvedLossStoreOptions)[]) {
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
    this.scoreArray.set(state.scores);
    this.seenWords.set(state.seen);
    if (this.epochArray !== null) this.epochArray.set(state.epochs!);
    if (this.countArray !== null) this.countArray.set(state.counts!);
    this.sumStale = true;
    this.seenTotal = state.seenCount;
    this.skippedTotal = state.skipped;
    this.latestEpoch = state.currentEpoch;
  }
}

function resolveOptions(fn: string, options: LossStoreOptions | undefined): ResolvedLossStoreOptions {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, OPTION_KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const ema = o.ema === undefined ? 0 : checkNumber(fn, 'ema', o.ema, 0, 1, { openMax: true });
  const flag = (name: string, byDefault: boolean): boolean => {
    const v = o[name];
    if (v === undefined) return byDefault;
    if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describeValue(v)}`);
    return v;
  };
  const trackEpochs = flag('trackEpochs', true);
  const trackCounts = flag('trackCounts', false);
  const nonFinite = o.nonFinite === undefined ? 'error' : checkOneOf(fn, 'nonFinite', o.nonFinite, ['error', 'skip'] as const);
  // +0 for -0, so that options compare equal however 0 was written.
  return Object.freeze({ ema: ema + 0, trackEpochs, trackCounts, nonFinite });
}

/**
 * The first position whose id is not an integer in `[0, size)`, or whose
 * loss is not a number (or, with `finite`, not finite as a float32); -1 if
 * none. O(n).
 */
function firstInvalid(ids: ArrayLike<number>, losses: ArrayLike<number>, size: number, finite: boolean): number {
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const id: unknown = ids[i];
    const loss: unknown = losses[i];
    if (typeof id !== 'number' || id >>> 0 !== id || id >= size || typeof loss !== 'number') return i;
    if (finite) {
      const s = Math.fround(loss);
      if (s - s !== 0) return i;
    }
  }
  return -1;
}

/** The error for position `i`, which {@link firstInvalid} found bad. */
function batchError(fn: string, ids: ArrayLike<number>, losses: ArrayLike<number>, i: number, size: number): Error {
  const id: unknown = ids[i];
  if (typeof id !== 'number') {
    return new TypeError(`${fn}: ids[${i}] must be an integer in [0, ${size - 1}], got ${describeValue(id)}`);
  }
  if (id >>> 0 !== id || id >= size) {
    return new RangeError(`${fn}: ids[${i}] must be an integer in [0, ${size - 1}], got ${describeValue(id)}`);
  }
  const loss: unknown = losses[i];
  if (typeof loss !== 'number') {
    return new TypeError(`${fn}: losses[${i}] (id ${id}) must be a number, got ${describeValue(loss)}`);
  }
  if (!Number.isFinite(loss)) return new RangeError(`${fn}: losses[${i}] (id ${id}) must be finite, got ${loss}`);
  return new RangeError(
    `${fn}: losses[${i}] (id ${id}) must be finite as a float32 (|loss| ≤ 3.4028234663852886e38), got ${loss}`,
  );
}

/**
 * The exact sum of the finite values of `values` (NaN skipped), rounded once
 * to a double; `bits` is the same memory as `values`. O(n) time, O(1) memory.
 * See the note on the exact sum at the head of this file.
 */
function exactSumOfFloat32(values: Float32Array, bits: Uint32Array): number {
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

interface ParsedState {
  size: number;
  options: ResolvedLossStoreOptions;
  scores: Float32Array;
  seen: Uint32Array;
  epochs: Int32Array | null;
  counts: Uint32Array | null;
  seenCount: number;
  skipped: number;
  currentEpoch: number;
}

/** Decode a state and check that its contents are consistent. O(N). */
function readState(bytes: Uint8Array, fn: string): ParsedState {
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
