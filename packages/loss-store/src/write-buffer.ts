import type { StoreArrays, Tally } from './store-arrays.js';
import { writeScores } from './write.js';

/** Stores of at least this many samples (16 MiB of float32 scores, more than a last-level cache holds) buffer their writes. */
export const BUFFER_MIN_SIZE = 1 << 22;
/** Observations gathered before they are written: 8 bytes each, 8 MiB in all (and as much again to sort them). */
const CAPACITY = 1 << 20;
/** Id ranges the observations are grouped by before they are written. */
const RANGE_BITS = 8;

/**
 * The fast path of {@link writeScores} for large stores: observations
 * gathered and written in batches grouped by id range. A training loop
 * observes ids in random order (plans are shuffled), so each score written
 * straight into a store far larger than the caches lands on a different
 * page: a TLB miss and a page walk per sample. Grouped into 256 id ranges (a
 * counting sort, stable), the same writes touch 1/256 of the scores at a
 * time. Observations of one id keep their order, so the arrays end exactly
 * as if every batch had been written as it came (latest wins, or its moving
 * average).
 *
 * The store calls {@link WriteBuffer.flush} before anything reads its
 * arrays. Only batches that the plain path would write without a skip go
 * through the buffer, all with one epoch; anything else is written at once,
 * after what is gathered.
 */
export class WriteBuffer {
  private readonly ids = new Uint32Array(CAPACITY);
  private readonly losses = new Float32Array(CAPACITY);
  private readonly sortedIds = new Uint32Array(CAPACITY);
  private readonly sortedLosses = new Float32Array(CAPACITY);
  private readonly starts = new Uint32Array(1 << RANGE_BITS);
  private readonly shift: number;
  private count = 0;
  private epoch = 0;

  /** A buffer for a store of `size` samples; 16 MiB whatever the size. */
  constructor(size: number) {
    this.shift = Math.max(0, 32 - Math.clz32(size - 1) - RANGE_BITS);
  }

  /**
   * {@link writeScores}, deferred where that gives the same result: the
   * batch is gathered when its losses are all finite as float32 and either
   * `ema` is 0 or they are float32 already (the moving average reads the
   * unrounded loss), and its epoch is the gathered batches' epoch.
   *
   * @returns the number of losses skipped as non-finite.
   */
  write(a: StoreArrays, tally: Tally, ids: ArrayLike<number>, losses: ArrayLike<number>, epoch: number, ema: number): number {
    const n = ids.length;
    if (n > CAPACITY || (this.count > 0 && epoch !== this.epoch) || !(ema === 0 || losses instanceof Float32Array) || !allFinite(losses)) {
      this.flush(a, tally, ema);
      return writeScores(a, tally, ids, losses, epoch, ema);
    }
    if (this.count + n > CAPACITY) this.flush(a, tally, ema);
    this.ids.set(ids, this.count);
    this.losses.set(losses, this.count);
    this.count += n;
    this.epoch = epoch;
    return 0;
  }

  /** Write everything gathered, grouped by id range. O(gathered + 256). */
  flush(a: StoreArrays, tally: Tally, ema: number): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    const ids = this.ids;
    const losses = this.losses;
    const starts = this.starts;
    const shift = this.shift;
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[ids[i]! >>> shift]!++;
    let sum = 0;
    for (let r = 0; r < starts.length; r++) {
      const c = starts[r]!;
      starts[r] = sum;
      sum += c;
    }
    const sortedIds = this.sortedIds;
    const sortedLosses = this.sortedLosses;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const p = starts[id >>> shift]!++;
      sortedIds[p] = id;
      sortedLosses[p] = losses[i]!;
    }
    writeScores(a, tally, sortedIds.subarray(0, n), sortedLosses.subarray(0, n), this.epoch, ema);
  }

  /** Forget what is gathered (the store's contents are being replaced). */
  discard(): void {
    this.count = 0;
  }
}

/** Whether every value is finite once rounded to float32. O(n). */
function allFinite(values: ArrayLike<number>): boolean {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const s = Math.fround(values[i]!);
    if (s - s !== 0) return false;
  }
  return true;
}
