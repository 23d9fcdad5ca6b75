import type { ScoreStore } from './stage.js';

/** Stores of at least this many samples (16 MiB of float32 scores, more than a last-level cache holds) record through {@link PendingScores}. */
export const PENDING_MIN_SIZE = 1 << 22;
/** Observations gathered before they are written: 8 bytes each, 8 MiB in all (and as much again to sort them). */
const PENDING_CAPACITY = 1 << 20;
/** Id ranges the observations are grouped by before they are written. */
const PENDING_RANGE_BITS = 8;

/**
 * Observed scores of a large store, gathered and written in batches grouped
 * by id range. A training loop observes ids in random order (plans are
 * shuffled), so each score written straight into a store of 10^8 samples
 * (400 MB) lands on a different page: a TLB miss and a page walk per sample.
 * Grouped into 256 id ranges (a counting sort, stable), the same writes touch
 * one range of ~1.5 MB at a time. Observations of one id keep their order,
 * so the store ends exactly as if every batch had been recorded as it came
 * (latest wins, or its moving average). The pipeline writes everything
 * before any stage or the state reads the store: when this buffer is full,
 * at `endEpoch` and at `plan`.
 */
export class PendingScores {
  private readonly ids = new Uint32Array(PENDING_CAPACITY);
  private readonly scores = new Float32Array(PENDING_CAPACITY);
  private readonly sortedIds = new Uint32Array(PENDING_CAPACITY);
  private readonly sortedScores = new Float32Array(PENDING_CAPACITY);
  private readonly starts = new Uint32Array(1 << PENDING_RANGE_BITS);
  private readonly shift: number;
  private count = 0;

  constructor(size: number) {
    this.shift = Math.max(0, 32 - Math.clz32(size - 1) - PENDING_RANGE_BITS);
  }

  add(ids: Uint32Array, scores: Float32Array, store: ScoreStore, epoch: number): void {
    const n = ids.length;
    if (n > PENDING_CAPACITY) {
      this.flush(store, epoch);
      this.write(store, ids, scores, epoch);
      return;
    }
    if (this.count + n > PENDING_CAPACITY) this.flush(store, epoch);
    this.ids.set(ids, this.count);
    this.scores.set(scores, this.count);
    this.count += n;
  }

  flush(store: ScoreStore, epoch: number): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    const ids = this.ids;
    const scores = this.scores;
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
    const sortedScores = this.sortedScores;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const p = starts[id >>> shift]!++;
      sortedIds[p] = id;
      sortedScores[p] = scores[i]!;
    }
    this.write(store, sortedIds.subarray(0, n), sortedScores.subarray(0, n), epoch);
  }

  private write(store: ScoreStore, ids: Uint32Array, scores: Float32Array, epoch: number): void {
    if (store.recordUnchecked !== undefined) store.recordUnchecked(ids, scores, epoch);
    else store.record(ids, scores, epoch);
  }
}

