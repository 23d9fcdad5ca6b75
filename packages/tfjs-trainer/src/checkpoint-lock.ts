import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { SetaError } from '@seta/core';
import { CHECKPOINT_LOCK_FILE, CheckpointLockError } from './checkpoint-store.js';
import type { CheckpointLockOwner } from './checkpoint-store.js';

// Defined with the browser stores (checkpoint-store.ts), which share them.
export { CHECKPOINT_LOCK_FILE, CheckpointLockError };
export type { CheckpointLockOwner };


/** A held lock: {@link release} removes it (idempotent). */
export interface CheckpointLock {
  readonly dir: string;
  /** Whether this is the lock of `dir`, however the path is written (relative, with `..`). */
  covers(dir: string): boolean;
  /** The stale lock this one replaced (its process had ended), if any. */
  readonly tookOver: CheckpointLockOwner | null;
  release(): Promise<void>;
}

interface LockFile extends CheckpointLockOwner {
  /** Unique per lock taken: tells this process's own locks from a previous process that had the same pid. */
  readonly token: string;
}

/** Tokens of the locks this process holds now. */
const held = new Set<string>();

function parseLock(text: string): LockFile | null {
  try {
    const v = JSON.parse(text) as Partial<LockFile>;
    if (
      Number.isSafeInteger(v.pid) &&
      (v.pid as number) > 0 &&
      typeof v.host === 'string' &&
      typeof v.since === 'string' &&
      typeof v.token === 'string'
    ) {
      return v as LockFile;
    }
  } catch {
    /* not JSON */
  }
  return null;
}

/** Whether process `pid` of this host runs (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Why `owner` no longer holds its lock, or null if it may still. */
function staleness(owner: LockFile): string | null {
  if (owner.host !== hostname()) return null;
  if (owner.pid === process.pid) return held.has(owner.token) ? null : 'an earlier process with this pid';
  return alive(owner.pid) ? null : `process ${owner.pid} has ended`;
}

/**
 * Take the exclusive lock of checkpoint directory `dir` (created if missing)
 * for this process: a file {@link CHECKPOINT_LOCK_FILE} naming the pid and
 * host, made atomically (written aside, then hard-linked into place, which
 * fails if a lock exists). A lock is stale, and is taken over, when it names
 * this host and a process that no longer runs, or this process's pid without
 * being one of its locks (a pid reused after a restart). A lock of another
 * host is never taken over: its process cannot be checked from here.
 *
 * Two processes taking over the same stale lock at once: the rename of the
 * stale file succeeds for one of them only, so at most one wins.
 *
 * @param dir - the checkpoint directory.
 * @param fn - the caller, for messages (`'Trainer.fit()'`).
 * @throws CheckpointLockError if another run holds the lock or the lock file
 *   cannot be read; SetaError (with `cause`) if `dir` cannot be made a directory.
 */
export async function lockCheckpointDir(dir: string, fn: string): Promise<CheckpointLock> {
  const path = join(dir, CHECKPOINT_LOCK_FILE);
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new SetaError(`${fn}: checkpointDir ${dir} cannot be used as a directory (${(cause as Error).message})`, { cause });
  }
  const mine: LockFile = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  const aside = join(dir, `.${CHECKPOINT_LOCK_FILE}.${mine.token}.tmp`);
  let tookOver: CheckpointLockOwner | null = null;
  // Counted as held from before the link: a concurrent caller of this process
  // that reads the new file must see it as live, not as a stale pid.
  held.add(mine.token);
  try {
    await writeFile(aside, JSON.stringify(mine));
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, path);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      }
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT' && attempt < 10) continue; // released meanwhile
        throw error;
      }
      const owner = parseLock(text);
      if (owner === null) {
        throw new CheckpointLockError(
          `${fn}: checkpoint directory ${dir} has a lock file that cannot be read (${path}); if no trainer uses the directory, delete it`,
          dir,
          null,
        );
      }
      const why = staleness(owner);
      if (why === null || attempt >= 10) {
        const where =
          owner.host === hostname()
            ? `delete ${path} only if that process is not a trainer using this directory`
            : `another host: cannot tell whether it still runs; if it does not, delete ${path}`;
        const { pid, host, since } = owner;
        throw new CheckpointLockError(
          `${fn}: checkpoint directory ${dir} is in use by process ${pid} on ${host} since ${since} (${where})`,
          dir,
          { pid, host, since },
        );
      }
      // Move the stale file out of the way; only one of several racing callers can.
      const grave = join(dir, `.${CHECKPOINT_LOCK_FILE}.${mine.token}.stale`);
      try {
        await rename(path, grave);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') continue;
        throw error;
      }
      const moved = parseLock(await readFile(grave, 'utf8').catch(() => ''));
      if (moved !== null && moved.token !== owner.token) {
        // Another caller replaced the stale lock between our read and rename: put its lock back.
        await link(grave, path).catch(() => undefined);
      } else {
        tookOver = { pid: owner.pid, host: owner.host, since: owner.since };
      }
      await rm(grave, { force: true });
    }
  } catch (error) {
    held.delete(mine.token);
    if (error instanceof SetaError) throw error;
    throw new SetaError(`${fn}: cannot lock checkpoint directory ${dir} (${(error as Error).message})`, { cause: error });
  } finally {
    await rm(aside, { force: true });
  }
  let released = false;
  return {
    dir,
    tookOver,
    covers: (other) => resolve(other) === resolve(dir),
    async release(): Promise<void> {
      if (released) return;
      released = true;
      held.delete(mine.token);
      // Remove only our own lock: never one another run took over meanwhile.
      const current = parseLock(await readFile(path, 'utf8').catch(() => ''));
      if (current !== null && current.token === mine.token) await rm(path, { force: true });
    },
  };
}
