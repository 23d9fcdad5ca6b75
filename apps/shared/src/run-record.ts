/**
 * What every app's run record holds, and the files records live in. Each app
 * extends the base types with its own measurements; the report and plots of
 * an app are made from its records alone.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Dataset } from './idx.js';

/** One epoch of a run, as every app records it. */
export interface EpochRecordBase {
  readonly epoch: number;
  /** The pruner's phase for this epoch. */
  readonly phase: string;
  /** Mean training loss of the epoch, as trained (plan weights applied, contrastive directions combined). */
  readonly trainLoss: number;
  /** Samples visited this epoch. */
  readonly visited: number;
  /** 1 − visited / N. */
  readonly prunedRatio: number;
  /** Realised saved ratio of the run so far. */
  readonly savedRatioSoFar: number;
}

/** What fixes a run, as every app records it. */
export interface RunConfigBase<Strategy extends string> {
  readonly strategy: Strategy;
  /** The strategy's options as passed to its factory (pruneRatio, groups, …). */
  readonly strategyOptions: Record<string, unknown>;
  readonly seed: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Training examples used (≤ 60,000). */
  readonly trainSize: number;
  /** Test examples of the final evaluation (≤ 10,000). */
  readonly testSize: number;
}

/** The JSON record one run writes, as every app writes it. */
export interface RunRecordBase<Config, Epoch> {
  /** Format version of this record. */
  readonly version: 1;
  readonly config: Config;
  /** TensorFlow.js backend that trained it ('wasm', 'cpu', 'tensorflow'). */
  readonly backend: string;
  readonly epochs: readonly Epoch[];
  /** Σ pruned / (N · E): the papers' "Pruned %" as realised. */
  readonly savedRatio: number;
  /** Total training wall time (evaluation excluded), ms. */
  readonly trainTimeMs: number;
  /** Total wall time including evaluation, ms. */
  readonly totalTimeMs: number;
  /** When the run started, ISO 8601. */
  readonly startedAt: string;
}

/** Everything a run needs besides its configuration. */
export interface RunContext<Epoch> {
  readonly dataset: Dataset;
  /** The active TensorFlow.js backend's name. */
  readonly backend: string;
  /** Show a progress bar ('auto': on a terminal). */
  readonly progress?: boolean | 'auto';
  /**
   * Checkpoint directory: the run checkpoints after every epoch so that a
   * killed run resumes where it stopped (optional).
   */
  readonly checkpointDir?: string;
  /** Called after each epoch. */
  readonly onEpoch?: (record: Epoch) => void;
}

/**
 * Write `text` to `file` atomically and durably: readers see the old content
 * or the new, never a part (a temporary file renamed over the target, the
 * rename being atomic on one file system), and the new content is flushed to
 * disk before the rename and the directory after it, so that what a record
 * says happened has reached the disk before anything written after it (the
 * contrastive app's checkpoint follows its epoch records) — the same order
 * the trainer keeps for its checkpoint.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory to flush it; the rename is still atomic there.
  }
}

/** Every run record (`*.json`) in `dir/runs`, in file-name order; none if the folder is missing. */
export function readRunRecords<T>(dir: string): T[] {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(runs, f), 'utf8')) as T);
}
