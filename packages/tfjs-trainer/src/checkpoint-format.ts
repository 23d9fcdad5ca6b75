/*
 * The checkpoint format: what a checkpoint holds and its bytes, in seta's
 * checksummed state format. Pure (no file system), so checkpoints can be
 * encoded and decoded wherever the trainer runs; checkpoint.ts stores them
 * in files.
 */
import { StateReader, StateWriter, StateError, describeValue } from '@seta/core';

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
  /*
   * The run's other settings that change its result, compared on resume.
   * Absent from checkpoints of earlier versions of this package; then not compared.
   */
  /** The loop generator's seed. */
  readonly seed?: number;
  readonly directions?: 'mean' | 'sum';
  readonly dropLast?: boolean;
  /** The fixed learning rate, `'schedule'` for a schedule, null for the optimizer's own. */
  readonly learningRate?: number | 'schedule' | null;
  /** The optimizer's `getConfig()` when the trainer was built (its hyper-parameters). */
  readonly optimizerConfig?: { readonly [key: string]: unknown };
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

/** A decoded value for a message: arrays in full (short ones), the rest as `describeValue`. */
function show(value: unknown): string {
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
  }
  return describeValue(value);
}

function fieldError(fn: string, field: string, must: string, value: unknown): StateError {
  return new StateError(`${fn}: checkpoint field ${field} must be ${must}, got ${show(value)}`);
}

function readTensors(fn: string, r: StateReader, key: string, prefix: string, index: unknown): SavedTensor[] {
  if (!Array.isArray(index)) throw fieldError(fn, key, 'a list', index);
  return index.map((entry: unknown, i) => {
    const at = `${key}[${i}]`;
    if (entry === null || typeof entry !== 'object') throw fieldError(fn, at, '{ name, shape, dtype }', entry);
    const { name, shape, dtype } = entry as { name: unknown; shape: unknown; dtype: unknown };
    if (typeof name !== 'string') throw fieldError(fn, `${at}.name`, 'a string', name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw fieldError(fn, `${at}.shape`, 'a list of integers ≥ 0', shape);
    }
    if (dtype !== 'float32' && dtype !== 'int32') throw fieldError(fn, `${at}.dtype`, '"float32" or "int32"', dtype);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    // The section's own length bounds the product; past 2^53 it could not be compared exactly.
    if (!Number.isSafeInteger(size)) throw fieldError(fn, `${at}.shape`, 'of a size below 2^53', shape);
    const values = dtype === 'int32' ? r.int32(`${prefix}/${i}`, size) : r.float32(`${prefix}/${i}`, size);
    return { name, shape: shape as number[], dtype, values };
  });
}

function checkMeta(fn: string, meta: unknown): CheckpointMeta {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw fieldError(fn, 'meta', 'an object', meta);
  const m = meta as Record<string, unknown>;
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER, why = ''): number => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]${why}`;
      throw fieldError(fn, `meta.${key}`, `an integer ${range}`, v);
    }
    return v;
  };
  for (const key of ['prunerName', 'optimizer', 'backend', 'savedAt']) {
    if (typeof m[key] !== 'string') throw fieldError(fn, `meta.${key}`, 'a string', m[key]);
  }
  const epochs = int('epochs', 1);
  int('batchSize', 1);
  const size = int('size', 1);
  const epoch = int('epoch', 0, epochs, ' (at most meta.epochs)');
  // Every epoch visits at most N samples, and every step at least one.
  const samplesSeen = int('samplesSeen', 0, Math.min(Number.MAX_SAFE_INTEGER, epoch * size), ' (at most meta.epoch · meta.size)');
  int('step', 0, samplesSeen, ' (at most meta.samplesSeen)');
  if (m.seed !== undefined) int('seed', 0);
  if (m.directions !== undefined && m.directions !== 'mean' && m.directions !== 'sum') {
    throw fieldError(fn, 'meta.directions', '"mean" or "sum"', m.directions);
  }
  if (m.dropLast !== undefined && typeof m.dropLast !== 'boolean') throw fieldError(fn, 'meta.dropLast', 'a boolean', m.dropLast);
  const lr = m.learningRate;
  if (lr !== undefined && lr !== null && lr !== 'schedule' && !(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0)) {
    throw fieldError(fn, 'meta.learningRate', 'a finite number ≥ 0, "schedule" or null', lr);
  }
  const config = m.optimizerConfig;
  if (config !== undefined && (config === null || typeof config !== 'object' || Array.isArray(config))) {
    throw fieldError(fn, 'meta.optimizerConfig', 'an object', config);
  }
  return m as unknown as CheckpointMeta;
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
 * Decode a checkpoint written by {@link encodeCheckpoint}: a `Uint8Array` or
 * a Node `Buffer` (`readFileSync`), at any byte offset. Every field is
 * checked: counters are integers in range (`epoch` at most `epochs`,
 * `samplesSeen` at most `epoch · size`, `step` at most `samplesSeen`), names
 * are strings, shapes lists of integers whose product is the number of values
 * stored. O(bytes).
 *
 * @throws StateError naming the field if it is not a complete, uncorrupted,
 *   consistent checkpoint of this version.
 */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointData {
  return decodeCheckpointAs(bytes, 'decodeCheckpoint()');
}

/** {@link decodeCheckpoint} with `fn` (the caller and the file) at the head of its messages. */
export function decodeCheckpointAs(bytes: Uint8Array, fn: string): CheckpointData {
  const r = StateReader.open(bytes, KIND, VERSION, fn);
  const index = r.json<unknown>('index');
  if (index === null || typeof index !== 'object') throw fieldError(fn, 'index', 'an object', index);
  const { variables, optimizerWeights, optimizerFields } = index as Record<string, unknown>;
  return {
    meta: checkMeta(fn, r.json<unknown>('meta')),
    rng: r.uint32('rng', 4),
    pruner: r.rawBytes('pruner'),
    variables: readTensors(fn, r, 'variables', 'var', variables),
    optimizerWeights: readTensors(fn, r, 'optimizerWeights', 'opt', optimizerWeights),
    optimizerFields: readTensors(fn, r, 'optimizerFields', 'field', optimizerFields),
  };
}
