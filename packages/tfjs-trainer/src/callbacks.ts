import type { BatchReport, EpochReport } from './reports.js';

/** What an epoch is about to do, told to listeners before its first batch. */
export interface EpochStart {
  /** 0-based epoch. */
  readonly epoch: number;
  /** The run's epoch count E. */
  readonly epochs: number;
  /** |plan|: the samples this epoch visits. */
  readonly visits: number;
  /** 1 − |plan| / N. */
  readonly prunedRatio: number;
  readonly batches: number;
}

/**
 * Something that watches training without changing it: the terminal progress
 * bar, the user's `onBatchEnd` / `onEpochEnd`. The loop calls listeners in
 * order and awaits each; a listener that throws ends the run like any other
 * error.
 */
export interface EpochListener {
  /** Before the epoch's first batch. */
  epochBegin?(start: EpochStart): void;
  /** Before each batch is gathered: its 0-based number and size. */
  batchBegin?(batch: number, size: number): void | Promise<void>;
  /** After each batch: its update is applied and the pruner has observed its losses. */
  batchEnd?(report: BatchReport): void | Promise<void>;
  /**
   * After the epoch's last batch or when the epoch fails, once per
   * `epochBegin`, before the pruner closes the epoch: release what
   * `epochBegin` took.
   */
  epochClose?(): void;
  /** After the epoch is closed and its checkpoint written. */
  epochEnd?(report: EpochReport): void | Promise<void>;
}

/** The user's callbacks among the trainer's options. */
export interface TrainerCallbacks {
  readonly onBatchEnd?: (report: BatchReport) => void | Promise<void>;
  readonly onEpochEnd?: (report: EpochReport) => void | Promise<void>;
}

/** The user's callbacks as a listener (validated with the other options), or null when there are none. */
export function callbackListener(callbacks: TrainerCallbacks): EpochListener | null {
  const { onBatchEnd, onEpochEnd } = callbacks;
  if (onBatchEnd === undefined && onEpochEnd === undefined) return null;
  return {
    ...(onBatchEnd === undefined ? {} : { batchEnd: (report: BatchReport) => onBatchEnd(report) }),
    ...(onEpochEnd === undefined ? {} : { epochEnd: (report: EpochReport) => onEpochEnd(report) }),
  };
}

/**
 * What the `progress` option takes besides `true`, `false` and `'auto'`:
 * a listener that shows the run's progress — the terminal bar in Node, a
 * progress element in a page.
 */
export type ProgressReporter = EpochListener;
