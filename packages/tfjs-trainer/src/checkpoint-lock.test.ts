import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SetaError } from '@seta/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_LOCK_FILE, CheckpointLockError, lockCheckpointDir } from './checkpoint-lock.js';
import { deadPid } from './test-utils.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'seta-lock-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('lockCheckpointDir', () => {
  it('creates the directory and a lock file naming this process, removed on release', async () => {
    const dir = join(tempDir(), 'runs', 'a');
    const lock = await lockCheckpointDir(dir, 'f()');
    const owner = JSON.parse(readFileSync(join(dir, CHECKPOINT_LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(hostname());
    await lock.release();
    expect(existsSync(join(dir, CHECKPOINT_LOCK_FILE))).toBe(false);
    await lock.release(); // twice is harmless
  });

  it('refuses a second lock on the same directory while the first is held, naming the owner', async () => {
    const dir = tempDir();
    const first = await lockCheckpointDir(dir, 'f()');
    const error = await lockCheckpointDir(dir, 'Trainer.fit()').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLockError);
    expect(error).toBeInstanceOf(SetaError);
    expect((error as Error).name).toBe('CheckpointLockError');
    expect((error as Error).message).toMatch(
      new RegExp(`^Trainer\\.fit\\(\\): checkpoint directory ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${process.pid} on ${hostname()} since `),
    );
    expect((error as CheckpointLockError).owner).toMatchObject({ pid: process.pid, host: hostname() });
    await first.release();
    const again = await lockCheckpointDir(dir, 'f()');
    await again.release();
  });

  it('lets exactly one of many concurrent callers have the lock', async () => {
    const dir = tempDir();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockCheckpointDir(dir, 'f()')));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CheckpointLockError);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('takes over a stale lock left by a killed process on this host', async () => {
    const dir = tempDir();
    const pid = await deadPid();
    writeFileSync(join(dir, CHECKPOINT_LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', token: 'x' }));
    const lock = await lockCheckpointDir(dir, 'f()');
    expect(JSON.parse(readFileSync(join(dir, CHECKPOINT_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    expect(lock.tookOver).toMatchObject({ pid });
    await lock.release();
  });

  it('takes over a lock with this pid that this process does not hold (a previous run reused the pid)', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, CHECKPOINT_LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z', token: 'from-a-previous-boot' }),
    );
    const lock = await lockCheckpointDir(dir, 'f()');
    await lock.release();
  });

  it('refuses a lock held on another host (its process cannot be checked) and an unreadable lock file, saying how to clear it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, CHECKPOINT_LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', since: '2026-01-01T00:00:00.000Z', token: 'y' }));
    await expect(lockCheckpointDir(dir, 'f()')).rejects.toThrow(
      `f(): checkpoint directory ${dir} is in use by process 1 on elsewhere since 2026-01-01T00:00:00.000Z (another host: cannot tell whether it still runs; if it does not, delete ${join(dir, CHECKPOINT_LOCK_FILE)})`,
    );
    const garbled = tempDir();
    writeFileSync(join(garbled, CHECKPOINT_LOCK_FILE), 'not json');
    await expect(lockCheckpointDir(garbled, 'f()')).rejects.toThrow(
      `f(): checkpoint directory ${garbled} has a lock file that cannot be read (${join(garbled, CHECKPOINT_LOCK_FILE)}); if no trainer uses the directory, delete it`,
    );
  });

  it('refuses a path that is a file, naming it', async () => {
    const dir = tempDir();
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    await expect(lockCheckpointDir(file, 'Trainer.fit()')).rejects.toThrow(
      `Trainer.fit(): checkpointDir ${file} cannot be used as a directory`,
    );
  });
});
