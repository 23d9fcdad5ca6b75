/*
 * Checkpoints in a browser's IndexedDB, as a CheckpointStore. The types
 * below are the few pieces of the DOM's IndexedDB and Web Locks APIs this
 * file uses, written out so that the package compiles without the DOM
 * library (which would also leak into Node users' types).
 */
import { StateError, describeValue } from '@seta/core';
import { decodeCheckpointAs, encodeCheckpoint } from './checkpoint-format.js';
import { CheckpointLockError, lockInRealm } from './checkpoint-store.js';
import type { CheckpointStore, CheckpointStoreLock } from './checkpoint-store.js';

interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
}
interface IdbTransaction {
  readonly error: unknown;
  objectStore(name: string): { get(key: string): IdbRequest<unknown>; put(value: unknown, key: string): IdbRequest<unknown> };
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
/** The part of the DOM's `IDBFactory` (`globalThis.indexedDB`) this store uses. */
export interface IndexedDbFactory {
  open(name: string, version?: number): IdbOpenRequest;
}
/** The part of the Web Locks API (`navigator.locks`) this store uses. */
export interface WebLocks {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<void>): Promise<unknown>;
}

/** Options of {@link indexedDbCheckpointStore}. */
export interface IndexedDbCheckpointStoreOptions {
  /** The IndexedDB database (default `'seta-checkpoints'`); checkpoints are kept in its object store `checkpoints`. */
  readonly database?: string;
  /** The IndexedDB factory (default `globalThis.indexedDB`). */
  readonly indexedDB?: IndexedDbFactory;
  /** The Web Locks API to lock with across tabs and workers (default `navigator.locks`; null: this page only). */
  readonly locks?: WebLocks | null;
}

const OBJECT_STORE = 'checkpoints';

function request<T>(r: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IdbTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * A checkpoint store in the browser's IndexedDB: the checkpoint's bytes
 * (`encodeCheckpoint`) under key `name` of database `database`, replaced in
 * one transaction, so a tab closed during a save leaves the previous
 * checkpoint. While a run holds it, the store is locked in this page and —
 * where the Web Locks API exists (every current browser) — across the tabs
 * and workers of the origin; the lock goes when the run ends or the tab
 * closes. O(checkpoint size) per save and load.
 *
 * @param name - the run's key, e.g. `'mlp'`.
 * @throws TypeError for an empty name or unknown options; Error when `fit()`
 *   first uses it and there is no IndexedDB.
 * @example
 * ```ts
 * const trainer = new Trainer({ ...options, checkpoint: indexedDbCheckpointStore('spirals') });
 * await trainer.fit(); // resumes where the last visit to the page stopped
 * ```
 */
export function indexedDbCheckpointStore(name: string, options: IndexedDbCheckpointStoreOptions = {}): CheckpointStore {
  const fn = 'indexedDbCheckpointStore()';
  if (typeof name !== 'string' || name === '') throw new TypeError(`${fn}: name must be a non-empty string, got ${describeValue(name)}`);
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!['database', 'indexedDB', 'locks'].includes(key)) throw new TypeError(`${fn}: unknown option "${key}"`);
  }
  const database = options.database ?? 'seta-checkpoints';
  if (typeof database !== 'string' || database === '') {
    throw new TypeError(`${fn}: database must be a non-empty string, got ${describeValue(database)}`);
  }
  const location = `IndexedDB ${database}/${name}`;
  const key = `indexeddb:${database}/${name}`;

  async function open(): Promise<IdbDatabase> {
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IndexedDbFactory }).indexedDB;
    if (factory === undefined) throw new StateError(`${fn}: this environment has no IndexedDB (${location})`);
    const r = factory.open(database, 1);
    r.onupgradeneeded = () => {
      if (!r.result.objectStoreNames.contains(OBJECT_STORE)) r.result.createObjectStore(OBJECT_STORE);
    };
    r.onblocked = () => undefined;
    return request(r);
  }

  async function lockAcrossTabs(fn: string, inRealm: CheckpointStoreLock): Promise<CheckpointStoreLock> {
    const locks = options.locks === undefined ? (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks : options.locks;
    if (locks === undefined || locks === null) return inRealm;
    let letGo = (): void => undefined;
    const held = await new Promise<boolean>((resolve, reject) => {
      locks
        .request(key, { ifAvailable: true }, (lock) => {
          resolve(lock !== null);
          // The lock is held until this promise settles.
          return lock === null ? Promise.resolve() : new Promise<void>((r) => (letGo = r));
        })
        .catch(reject);
    });
    if (!held) {
      await inRealm.release();
      throw new CheckpointLockError(`${fn}: checkpoint store ${location} is in use by a trainer in another tab or worker`, location, null);
    }
    return {
      release: async () => {
        letGo();
        await inRealm.release();
      },
    };
  }

  return {
    location,
    async load() {
      const db = await open();
      try {
        const bytes = await request(db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE).get(name));
        if (bytes === undefined) return null;
        if (!(bytes instanceof Uint8Array)) throw new StateError(`checkpoint in ${location} is not a checkpoint's bytes, got ${describeValue(bytes)}`);
        return decodeCheckpointAs(bytes, `checkpoint in ${location}`);
      } finally {
        db.close();
      }
    },
    async save(data) {
      const bytes = encodeCheckpoint(data);
      const db = await open();
      try {
        const tx = db.transaction(OBJECT_STORE, 'readwrite');
        tx.objectStore(OBJECT_STORE).put(bytes, name);
        await done(tx);
      } finally {
        db.close();
      }
    },
    lock: async (fn) => lockAcrossTabs(fn, lockInRealm(key, location, fn)),
  };
}
