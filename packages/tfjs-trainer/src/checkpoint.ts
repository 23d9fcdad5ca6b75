/*
 * Checkpoints in files: one directory per run, written atomically. Node-only
 * (node:fs); the format itself is in checkpoint-format.ts.
 */
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError, describeValue } from '@seta/core';
import { decodeCheckpointAs, encodeCheckpoint } from './checkpoint-format.js';
import type { CheckpointData } from './checkpoint-format.js';
import { CHECKPOINT_FILE } from './checkpoint-store.js';

export { CHECKPOINT_FILE };

/**
 * Write `bytes` to `dir/name` atomically: into a temporary file in the same
 * directory, flushed to disk (`fsync`), then renamed over the old file, and
 * the directory flushed. A crash at any point leaves either the old complete
 * file or the new complete one, never a partial one. O(bytes).
 */
export async function writeFileAtomic(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  await rename(temp, target);
  // Persist the rename itself (not supported on every platform: best effort).
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* directories cannot be opened for sync on Windows */
  }
}

/**
 * Write a checkpoint to `dir` atomically (see {@link writeFileAtomic}),
 * replacing the previous one only once the new one is complete, and remove
 * temporary files left by interrupted writes. O(bytes).
 *
 * @example
 * ```ts
 * await writeCheckpoint('runs/a', data); // runs/a/checkpoint.seta
 * ```
 */
export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<void> {
  await writeFileAtomic(dir, CHECKPOINT_FILE, encodeCheckpoint(data));
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(`.${CHECKPOINT_FILE}.`) && entry.endsWith('.tmp')) {
      await rm(join(dir, entry), { force: true });
    }
  }
}

/**
 * Read the checkpoint of `dir`, or null if there is none. Temporary files of
 * interrupted writes are ignored. O(bytes).
 *
 * @throws StateError if the checkpoint file is corrupted or of another version.
 * @example
 * ```ts
 * const saved = await readCheckpoint('runs/a');
 * saved?.meta.epoch; // epochs finished
 * ```
 */
export async function readCheckpoint(dir: string): Promise<CheckpointData | null> {
  const fn = 'readCheckpoint()';
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: dir must be a non-empty string, got ${describeValue(dir)}`);
  const path = join(dir, CHECKPOINT_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw new StateError(`${fn}: cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
  return decodeCheckpointAs(bytes, `${fn}: ${path}`);
}
