/*
 * Checkpoints in a directory, as a CheckpointStore: what `checkpointDir`
 * means. Node-only (checkpoint.ts and checkpoint-lock.ts use node:fs).
 */
import { resolve } from 'node:path';
import { describeValue } from '@seta/core';
import { lockCheckpointDir } from './checkpoint-lock.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';

const FILE_STORE = Symbol('fileCheckpointStore');

/** A file store knows its absolute directory, to tell another store object for the same one. */
interface FileStore extends CheckpointStore {
  readonly [FILE_STORE]: string;
}

/**
 * The checkpoint store of directory `dir` (Node only): `dir/checkpoint.seta`,
 * written atomically (a temporary file, `fsync`, rename), and locked with
 * `dir/trainer.lock` naming the process and host (see `CHECKPOINT_LOCK_FILE`).
 * `checkpointDir: dir` is short for `checkpoint: fileCheckpointStore(dir)`.
 * O(checkpoint size) per save and load.
 *
 * @throws TypeError if `dir` is not a non-empty string.
 * @example
 * ```ts
 * const store = fileCheckpointStore('runs/mlp');
 * (await store.load())?.meta.epoch; // epochs finished, or undefined before the first save
 * ```
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(`fileCheckpointStore(): dir must be a non-empty string, got ${describeValue(dir)}`);
  }
  const path = resolve(dir);
  const store: FileStore = {
    [FILE_STORE]: path,
    location: dir,
    load: () => readCheckpoint(dir),
    save: (data) => writeCheckpoint(dir, data),
    lock: (fn) => lockCheckpointDir(dir, fn),
    sameAs: (other) => (other as Partial<FileStore>)[FILE_STORE] === path,
  };
  return store;
}
