import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StateReader, StateWriter, StateError } from '@seta/core';

/** The file a checkpoint directory holds (the newest complete checkpoint). */
export const CHECKPOINT_FILE = 'checkpoint.seta';
const KIND = 'tfjs-trainer-checkpoint';
const VERSION = 1;

/** A tensor's values as saved: float32 or int32. */
export interface SavedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly values: Float32Array | Int32Array;
}

/** Loop counters saved with a checkpoint. */
export interface CheckpointMeta {
  /** Epochs finished: training resumes at this epoch. */
  readonly epoch: number;
  readonly samplesSeen: number;
  readonly step: number;
  /** The run's epoch count and batch size when saved. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly prunerName: string;
  readonly size: number;
  /** The optimizer's class name (`Adam`, `SGD`, …). */
  readonly optimizer: string;
  /** The backend that wrote it (informative). */
  readonly backend: string;
  /** Wall-clock time of writing, ISO 8601 (informative). */
  readonly savedAt: string;
}

/** Everything a checkpoint holds. */
export interface CheckpointData {
  readonly meta: CheckpointMeta;
  /** The loop's generator state (four 32-bit words). */
  readonly rng: Uint32Array;
  /** `pruner.saveState()`. */
  readonly pruner: Uint8Array;
  /** Model (and extra) variables, in the trainer's order. */
  readonly variables: readonly SavedTensor[];
  /** `optimizer.getWeights()`, in its order. */
  readonly optimizerWeights: readonly SavedTensor[];
  /** The optimizer's own scalar variables outside `getWeights()` (Adam's β powers), by field name. */
  readonly optimizerFields: readonly SavedTensor[];
}

function writeTensors(w: StateWriter, prefix: string, list: readonly SavedTensor[]): unknown[] {
  list.forEach((t, i) => {
    if (t.dtype === 'int32') w.int32(`${prefix}/${i}`, t.values as Int32Array);
    else w.float32(`${prefix}/${i}`, t.values as Float32Array);
  });
  return list.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype }));
}

function readTensors(r: StateReader, prefix: string, index: unknown): SavedTensor[] {
  if (!Array.isArray(index)) throw new StateError(`readCheckpoint(): section "${prefix}" index is malformed`);
  return index.map((entry: { name: string; shape: number[]; dtype: 'float32' | 'int32' }, i) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const values = entry.dtype === 'int32' ? r.int32(`${prefix}/${i}`, size) : r.float32(`${prefix}/${i}`, size);
    return { name: entry.name, shape: entry.shape, dtype: entry.dtype, values };
  });
}

/**
 * Encode a checkpoint in seta's checksummed state format (see `@seta/core`'s
 * `StateWriter`). O(bytes).
 */
export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const w = new StateWriter(KIND, VERSION);
  w.json('meta', data.meta);
  w.uint32('rng', data.rng);
  w.bytes('pruner', data.pruner);
  const index = {
    variables: writeTensors(w, 'var', data.variables),
    optimizerWeights: writeTensors(w, 'opt', data.optimizerWeights),
    optimizerFields: writeTensors(w, 'field', data.optimizerFields),
  };
  w.json('index', index);
  return w.finish();
}

/**
 * Decode a checkpoint written by {@link encodeCheckpoint}. O(bytes).
 *
 * @throws StateError if it is not a complete, uncorrupted checkpoint of this version.
 */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointData {
  const r = StateReader.open(bytes, KIND, VERSION, 'readCheckpoint()');
  const index = r.json<{ variables: unknown; optimizerWeights: unknown; optimizerFields: unknown }>('index');
  return {
    meta: r.json<CheckpointMeta>('meta'),
    rng: r.uint32('rng', 4),
    pruner: r.rawBytes('pruner'),
    variables: readTensors(r, 'var', index.variables),
    optimizerWeights: readTensors(r, 'opt', index.optimizerWeights),
    optimizerFields: readTensors(r, 'field', index.optimizerFields),
  };
}

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
  let bytes: Uint8Array;
  try {
    bytes = await readFile(join(dir, CHECKPOINT_FILE));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
  return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
