/*
 * Training processes really killed with SIGKILL, and resumed by fresh ones.
 * The children (test-fixtures/train-child.cjs) run this package's built code,
 * dist/index.cjs, with plain `node`: build the package before running this
 * file (CI builds before it tests).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateError } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from './checkpoint-format.js';
import { CHECKPOINT_FILE, readCheckpoint } from './checkpoint.js';
import { CHECKPOINT_LOCK_FILE } from './checkpoint-lock.js';
import { tempDirs } from './test-utils.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const child = join(packageDir, 'test-fixtures', 'train-child.cjs');
const built = join(packageDir, 'dist', 'index.cjs');
/** The child's run: 5 epochs, batches of 16 (test-fixtures/train-child.cjs). */
const EPOCHS = 5;

interface ChildConfig {
  readonly dir: string;
  readonly out?: string;
  readonly batchSize?: number;
  readonly kill?: { at: 'batch'; epoch: number; batch: number } | { at: 'rename' | 'write'; write: number };
  readonly hold?: string;
}

interface Exit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed by this file after 60 s, not by itself. */
  readonly timedOut: boolean;
}

/** Start a training child; `exit` settles when it has ended (killed after 60 s). */
function start(config: ChildConfig): { pid: number; exit: Promise<Exit> } {
  const proc = spawn(process.execPath, [child, JSON.stringify(config)], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  let timedOut = false;
  const exit = new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, 60_000);
    proc.once('error', reject);
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ pid: proc.pid!, code, signal, stdout, stderr, timedOut });
    });
  });
  return { pid: proc.pid!, exit };
}

const run = (config: ChildConfig): Promise<Exit> => start(config).exit;

function killed(e: Exit): Exit {
  expect(e.signal, `the child was to die of SIGKILL; exit code ${e.code}, stderr:\n${e.stderr}`).toBe('SIGKILL');
  expect(e.timedOut, 'the child hung and was killed by the test, not by itself').toBe(false);
  return e;
}

/** The run's result line of a child that finished. */
function finished(e: Exit): { resumedFrom: number | null; epochs: { epoch: number; loss: number }[] } {
  expect(e.code, `the child was to finish; signal ${e.signal}, stderr:\n${e.stderr}`).toBe(0);
  return JSON.parse(e.stdout.trim().split('\n').at(-1)!) as ReturnType<typeof finished>;
}

/** A failed child's error line, `${name}: ${message}`. */
function failure(e: Exit, name: string): string {
  expect(e.code, `the child was to fail; signal ${e.signal}, stdout:\n${e.stdout}`).toBe(1);
  const line = e.stderr.split('\n').find((l) => l.startsWith(`${name}: `));
  expect(line, `no ${name} line in stderr:\n${e.stderr}`).toBeDefined();
  return line!;
}

const floats = (bytes: Buffer) => Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));

const dirs = tempDirs('seta-kill-');
const tempDir = () => dirs.make();
afterAll(() => dirs.removeAll());

/** The uninterrupted run: final weights and per-epoch losses. */
let reference: { weights: number[]; losses: number[] };

beforeAll(async () => {
  if (!existsSync(built)) {
    throw new Error(`kill-resume.test.ts: ${built} is missing; its child processes run the built trainer: run \`npx pnpm@10.34.9 --filter @seta/tfjs-trainer build\` first`);
  }
  const src = join(packageDir, 'src');
  const newest = readdirSync(src)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'test-utils.ts')
    .map((f) => ({ f, t: statSync(join(src, f)).mtimeMs }))
    .reduce((a, b) => (b.t > a.t ? b : a));
  if (newest.t > statSync(built).mtimeMs) {
    throw new Error(`kill-resume.test.ts: ${built} is older than src/${newest.f}, and its child processes run the built trainer: run \`npx pnpm@10.34.9 --filter @seta/tfjs-trainer build\` first`);
  }
  const root = await tempDir();
  const out = join(root, 'weights');
  const result = finished(await run({ dir: join(root, 'run'), out }));
  expect(result.resumedFrom).toBeNull();
  expect(result.epochs.map((r) => r.epoch)).toEqual([0, 1, 2, 3, 4]);
  const losses = result.epochs.map((r) => r.loss);
  // It learns: a resumed run that reached these weights did train.
  expect(losses[EPOCHS - 1]!).toBeLessThan(0.6 * losses[0]!);
  reference = { weights: floats(await readFile(out)), losses };
  expect(reference.weights).toHaveLength(6 * 16 + 16 + 16 * 3 + 3);
}, 60_000);

describe('Trainer in a process killed with SIGKILL, resumed by a new process', () => {
  /** What the kill left: the checkpoint of `epoch` epochs and the dead child's lock. */
  async function expectLeftBehind(dir: string, dead: Exit, epoch: number): Promise<void> {
    expect((await readCheckpoint(dir))!.meta.epoch).toBe(epoch);
    const lock = JSON.parse(await readFile(join(dir, CHECKPOINT_LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect(lock).toMatchObject({ pid: dead.pid, host: hostname() });
  }

  /** Resume in a fresh child: it takes over the dead lock, redoes the lost epochs exactly, and leaves only the checkpoint. */
  async function expectResumedExactly(dir: string, from: number): Promise<void> {
    const out = join(dir, '..', 'weights');
    const result = finished(await run({ dir, out }));
    expect(result.resumedFrom).toBe(from);
    expect(result.epochs.map((r) => r.epoch)).toEqual([...Array(EPOCHS - from).keys()].map((i) => from + i));
    expect(result.epochs.map((r) => r.loss)).toEqual(reference.losses.slice(from));
    // Bit-identical: float32 values compared with Object.is (−0 ≠ 0).
    expect(floats(await readFile(out))).toEqual(reference.weights);
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
    expect((await readCheckpoint(dir))!.meta.epoch).toBe(EPOCHS);
  }

  /** The temporary checkpoint files in `dir`. */
  const temporaries = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith(`.${CHECKPOINT_FILE}.`) && f.endsWith('.tmp'));

  it('resumes a run killed mid-epoch, between checkpoints, with bit-identical weights, taking over the dead process\'s lock', async () => {
    const dir = join(await tempDir(), 'run');
    const dead = killed(await run({ dir, kill: { at: 'batch', epoch: 2, batch: 1 } }));
    await expectLeftBehind(dir, dead, 2);
    expect(await temporaries(dir)).toEqual([]);
    await expectResumedExactly(dir, 2);
  }, 60_000);

  it('resumes a run killed inside a checkpoint write, its temporary file complete and the rename not done, from the previous checkpoint', async () => {
    const dir = join(await tempDir(), 'run');
    // The third write saves epoch 3 (epochs 0-2 done).
    const dead = killed(await run({ dir, kill: { at: 'rename', write: 3 } }));
    await expectLeftBehind(dir, dead, 2);
    const temps = await temporaries(dir);
    expect(temps).toHaveLength(1);
    expect(temps[0]!.startsWith(`.${CHECKPOINT_FILE}.${dead.pid}.`)).toBe(true);
    // Killed at the last moment: the new checkpoint was whole, yet not the checkpoint.
    expect(decodeCheckpoint(await readFile(join(dir, temps[0]!))).meta.epoch).toBe(3);
    await expectResumedExactly(dir, 2);
  }, 60_000);

  it('resumes a run killed halfway through writing a checkpoint\'s temporary file from the previous checkpoint', async () => {
    const dir = join(await tempDir(), 'run');
    const dead = killed(await run({ dir, kill: { at: 'write', write: 3 } }));
    await expectLeftBehind(dir, dead, 2);
    const temps = await temporaries(dir);
    expect(temps).toHaveLength(1);
    const partial = await readFile(join(dir, temps[0]!));
    expect(partial.length).toBeGreaterThan(0);
    expect(() => decodeCheckpoint(partial)).toThrow(StateError);
    await expectResumedExactly(dir, 2);
  }, 60_000);

  it('refuses to resume a killed run with another batchSize, naming both values, and keeps the checkpoint for the right settings', async () => {
    const dir = join(await tempDir(), 'run');
    const dead = killed(await run({ dir, kill: { at: 'batch', epoch: 1, batch: 2 } }));
    await expectLeftBehind(dir, dead, 1);
    const before = await readFile(join(dir, CHECKPOINT_FILE));
    const refused = await run({ dir, batchSize: 32 });
    expect(failure(refused, 'StateError')).toBe(
      `StateError: Trainer.fit(): checkpoint in ${dir} was written with batchSize 16, this trainer has 32`,
    );
    expect((await readFile(join(dir, CHECKPOINT_FILE))).equals(before)).toBe(true);
    // The refused run took over the dead lock and released it.
    expect(existsSync(join(dir, CHECKPOINT_LOCK_FILE))).toBe(false);
    await expectResumedExactly(dir, 1);
  }, 60_000);

  it('refuses a second process on the directory of a live training process, naming its pid, and the first finishes unaffected', async () => {
    const root = await tempDir();
    const dir = join(root, 'run');
    const hold = join(root, 'go');
    const out = join(root, 'weights');
    const first = start({ dir, out, hold });
    let firstExit: Exit | null = null;
    void first.exit.then(
      (e) => (firstExit = e),
      () => undefined, // awaited below
    );
    // Wait until it has trained epoch 0 and is paused inside the run.
    for (let waited = 0; !existsSync(`${hold}.ready`); waited += 20) {
      if (firstExit !== null) throw new Error(`the holding child ended early:\n${(firstExit as Exit).stderr}`);
      if (waited > 30_000) throw new Error('the holding child did not pause within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = await run({ dir });
    const message = failure(second, 'CheckpointLockError');
    expect(message.startsWith(`CheckpointLockError: Trainer.fit(): checkpoint directory ${dir} is in use by process ${first.pid} on ${hostname()} since `)).toBe(true);
    const lock = JSON.parse(await readFile(join(dir, CHECKPOINT_LOCK_FILE), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(first.pid);
    await writeFile(hold, '');
    const result = finished(await first.exit);
    expect(result.resumedFrom).toBeNull();
    expect(floats(await readFile(out))).toEqual(reference.weights);
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
  }, 60_000);
});
