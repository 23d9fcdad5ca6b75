/*
 * What the trainer needs from its platform, in Node: checkpoint files and
 * the terminal progress bar. The browser build replaces this file with
 * platform-browser.ts (tsup.config.ts), which has the same exports; keep
 * the two alike.
 */
import type { EpochListener } from './callbacks.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { fileCheckpointStore } from './file-checkpoint-store.js';
import { progressBar } from './progress-bar.js';

/**
 * The store `checkpointDir: dir` stands for: files in `dir`.
 *
 * @param fn - the caller, for messages.
 */
export function checkpointDirStore(dir: string, fn: string): CheckpointStore {
  void fn;
  return fileCheckpointStore(dir);
}

/** The listener `progress: true | 'auto'` stands for: a bar on stderr (`'auto'`: when it is a terminal). */
export function defaultProgress(mode: boolean | 'auto'): EpochListener | null {
  return progressBar(mode);
}

// The public Node-only exports, here so that the browser build swaps them with the rest.
export { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';
export { CHECKPOINT_LOCK_FILE } from './checkpoint-lock.js';
export { fileCheckpointStore } from './file-checkpoint-store.js';
