/**
 * The trainer's examples in the error catalogue (docs/guide/errors.md) are
 * real messages: produced here, with the run-specific parts (folder, pid,
 * host, time) put back to the page's placeholders, and found on the page.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_LOCK_FILE, lockCheckpointDir } from './checkpoint-lock.js';
import { Trainer } from './trainer.js';

const page = readFileSync(resolve(import.meta.dirname, '../../../docs/guide/errors.md'), 'utf8');

async function message(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  throw new Error('expected an error');
}

describe('the error catalogue (docs/guide/errors.md)', () => {
  it('shows the trainer’s message for a misspelled option', async () => {
    expect(page).toContain(await message(() => new Trainer({ batchsize: 32 } as never)));
  });

  it('shows the lock error a live trainer’s folder gives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seta-catalogue-'));
    // The parent process is alive on this host: its lock must be respected.
    const owner = { pid: process.ppid, host: hostname(), since: '2026-12-07T19:40:00.000Z', token: 'catalogue' };
    await writeFile(join(dir, CHECKPOINT_LOCK_FILE), JSON.stringify(owner));
    const text = (await message(lockCheckpointDir(dir, 'Trainer.fit()')))
      .split(dir)
      .join('runs/x')
      .replace(`process ${process.ppid} on ${hostname()}`, 'process 4242 on host-a');
    expect(page).toContain(text);
  });
});
