/*
 * Where checkpoints are kept, as an interface the trainer is handed: files in
 * Node (file-checkpoint-store.ts), IndexedDB in a browser
 * (indexeddb-checkpoint-store.ts), memory anywhere (below). Nothing here
 * needs Node.
 */
import { SetaError, describeValue } from '@seta/core';
import { decodeCheckpointAs, encodeCheckpoint } from './checkpoint-format.js';
import type { CheckpointData } from './checkpoint-format.js';

/** The file a checkpoint directory holds (the newest complete checkpoint). */
export const CHECKPOINT_FILE = 'checkpoint.seta';

/** The lock file a training run keeps in its checkpoint directory while it uses it. */
export const CHECKPOINT_LOCK_FILE = 'trainer.lock';

/** Who holds a checkpoint directory's lock, as its lock file says. */
export interface CheckpointLockOwner {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken, ISO 8601. */
  readonly since: string;
}

/**
 * A checkpoint directory (or store) is in use by another training run (this
 * process or another one, on this host or another), or its lock file cannot
 * be read. Two runs writing one place would overwrite each other's
 * checkpoints and the later one would resume from the other's state.
 */
export class CheckpointLockError extends SetaError {
  override name = 'CheckpointLockError';

  /**
   * @param message - what is locked, by whom, and how to clear a stale lock.
   * @param dir - the checkpoint directory, or the store's `location`.
   * @param owner - the holder the lock file names, or null if it cannot be
   *   read or the store does not record one (browser stores).
   */
  constructor(
    message: string,
    readonly dir: string,
    readonly owner: CheckpointLockOwner | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A lock a {@link CheckpointStore} handed out: {@link release} gives it back (idempotent). */
export interface CheckpointStoreLock {
  release(): Promise<void>;
}

/**
 * Where a trainer keeps its checkpoint: the newest complete one, replaced as
 * a whole. `Trainer` saves after epochs, loads when `fit()` starts, and holds
 * `lock()` for the whole of `fit()` so that two runs never share one store.
 *
 * Implementations: {@link fileCheckpointStore} (Node; what `checkpointDir`
 * means), {@link indexedDbCheckpointStore} (browsers),
 * {@link memoryCheckpointStore} (anywhere; gone with the page or process).
 * Write your own over any storage: `save` must replace the previous
 * checkpoint atomically (a failure leaves the old one), and `load` must give
 * back what `save` was given (`encodeCheckpoint` / `decodeCheckpoint` turn it
 * into bytes and back).
 */
export interface CheckpointStore {
  /** Where the checkpoint is, for messages (`runs/mlp`, `IndexedDB seta-checkpoints/mlp`). */
  readonly location: string;
  /** The newest checkpoint, or null if there is none. */
  load(): Promise<CheckpointData | null>;
  /** Replace the checkpoint with `data`, atomically. */
  save(data: CheckpointData): Promise<void>;
  /**
   * Take this store for one run; refuse with a {@link CheckpointLockError}
   * while another run holds it.
   *
   * @param fn - the caller, for messages (`'Trainer.fit()'`).
   */
  lock(fn: string): Promise<CheckpointStoreLock>;
  /** Whether `other` keeps its checkpoint in the same place (another object for the same directory). Default: only itself. */
  sameAs?(other: CheckpointStore): boolean;
}

/** Whether `value` has the methods of a {@link CheckpointStore}. */
export function isCheckpointStore(value: unknown): value is CheckpointStore {
  const v = value as Partial<Record<keyof CheckpointStore, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.location === 'string' &&
    typeof v.load === 'function' &&
    typeof v.save === 'function' &&
    typeof v.lock === 'function'
  );
}

/**
 * A lock within this JavaScript realm (this page, worker or process): held
 * names, shared by every in-memory and IndexedDB store of the realm.
 */
const heldInRealm = new Set<string>();

/**
 * Take `key` in this realm, or refuse naming `location`. O(1).
 *
 * @throws CheckpointLockError if another run of this realm holds it.
 */
export function lockInRealm(key: string, location: string, fn: string): CheckpointStoreLock {
  if (heldInRealm.has(key)) {
    throw new CheckpointLockError(`${fn}: checkpoint store ${location} is in use by another trainer in this page or process`, location, null);
  }
  heldInRealm.add(key);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      heldInRealm.delete(key);
    },
  };
}

let memoryStores = 0;

/**
 * A checkpoint store in memory: for tests, for a run that only needs to
 * survive `stop()` and `fit()` again, and in any environment. It keeps the
 * encoded bytes, so what `load` returns is a copy that went through the same
 * format checks as a file. O(checkpoint size) per save and load.
 *
 * @param name - for messages (default `memory 1`, `memory 2`, …).
 * @example
 * ```ts
 * const store = memoryCheckpointStore();
 * await new Trainer({ ...options, checkpoint: store }).fit();
 * (await store.load())?.meta.epoch; // epochs finished
 * ```
 */
export function memoryCheckpointStore(name?: string): CheckpointStore & { readonly bytes: Uint8Array | null } {
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(`memoryCheckpointStore(): name must be a non-empty string, got ${describeValue(name)}`);
  }
  const id = ++memoryStores;
  const location = name ?? `memory ${id}`;
  const key = `memory:${id}`;
  let bytes: Uint8Array | null = null;
  return {
    location,
    get bytes() {
      return bytes;
    },
    load: async () => (bytes === null ? null : decodeCheckpointAs(bytes, `checkpoint in ${location}`)),
    save: async (data) => {
      bytes = encodeCheckpoint(data);
    },
    lock: async (fn) => lockInRealm(key, location, fn),
  };
}
