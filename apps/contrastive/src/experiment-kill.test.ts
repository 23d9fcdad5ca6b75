import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import { CHECKPOINT_FILE, readCheckpoint, selectBackend } from '@seta/tfjs-trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from './experiment.js';
import type { EpochRecord, RunConfig, RunRecord } from './record.js';

beforeAll(async () => {
  await selectBackend({ prefer: ['cpu'] });
});

const appDir = resolve(import.meta.dirname, '..');
/** The records file beside the checkpoint (experiment.ts's EPOCHS_FILE). */
const EPOCHS_FILE = 'epochs.json';

/** esbuild, through tsup (a devDependency of this app, bundling with it): compiles the child's TypeScript. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(createRequire(join(appDir, 'package.json')).resolve('tsup'))('esbuild') as Esbuild;

/**
 * The child: one run with a checkpoint directory that kills itself with
 * SIGKILL right after the `killAfter`-th write (rename) of the records file
 * or the checkpoint into that directory — whichever the run writes first.
 */
const CHILD = `
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import { selectBackend } from '@seta/tfjs-trainer';
import { runExperiment } from './experiment.ts';

const { config, checkpointDir, killAfter } = JSON.parse(process.env.SETA_KILL_TEST);
let writes = 0;
const watched = (to) => resolve(dirname(String(to))) === resolve(checkpointDir) && ['${EPOCHS_FILE}', '${CHECKPOINT_FILE}'].includes(basename(String(to)));
const wrote = (to) => {
  if (!watched(to)) return;
  process.stdout.write('wrote ' + basename(String(to)) + '\\n');
  if (++writes === killAfter) process.kill(process.pid, 'SIGKILL');
};
const renameSync = fs.renameSync;
fs.renameSync = (from, to) => { renameSync(from, to); wrote(to); };
const rename = fsp.rename;
fsp.rename = async (from, to) => { await rename(from, to); wrote(to); };
syncBuiltinESMExports();

await selectBackend({ prefer: ['cpu'] });
await runExperiment(config, { dataset: loadDataset(fashionMnistDir()), backend: 'cpu', progress: false, checkpointDir });
process.stdout.write('finished\\n');
`;

/** Run the child to its kill (or end): its exit signal and what it printed. */
async function runChild(env: object): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const { outputFiles } = await esbuild.build({
    stdin: { contents: CHILD, resolveDir: join(appDir, 'src'), loader: 'ts', sourcefile: 'kill-child.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
  });
  // A program on stdin resolves its packages from the working directory: this app's.
  const child = spawn(process.execPath, ['--input-type=module'], { cwd: appDir, env: { ...process.env, SETA_KILL_TEST: JSON.stringify(env) } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  child.stdin.end(outputFiles[0]!.text);
  const signal = await new Promise<NodeJS.Signals | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (_code, s) => done(s));
  });
  return { signal, stdout, stderr };
}

describe('runExperiment killed outright', () => {
  const config: RunConfig = {
    style: 'clip', strategy: 'dynamicRandom', strategyOptions: { pruneRatio: 0.3 }, seed: 3, epochs: 4, batchSize: 32,
    learningRate: 1e-3, trainSize: 128, testSize: 40, evalSize: 40, mismatch: 0.2, duplicates: 0.2, copies: 4,
  };
  const untimed = (r: RunRecord) => r.epochs.map(({ wallTimeMs, cpuTimeMs, ...rest }) => (void wallTimeMs, void cpuTimeMs, rest));

  /*
   * Each epoch ends with two writes into the checkpoint directory: the
   * epoch's record and the trainer's checkpoint. A SIGKILL after the first
   * of epoch 1's two writes is the window that used to lose the run (the
   * checkpoint of epoch 2 beside the records of epoch 0 only).
   */
  it('by SIGKILL between an epoch’s record and its checkpoint, resumes in another process and gives the uninterrupted run’s records', async () => {
    const dataset = loadDataset(fashionMnistDir());
    const whole = await runExperiment(config, { dataset, backend: 'cpu', progress: false });
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-sigkill-'));
    try {
      const checkpointDir = join(dir, 'ckpt');
      const child = await runChild({ config, checkpointDir, killAfter: 3 });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      expect(child.stdout).not.toContain('finished');
      // The disk as the kill left it: never a checkpoint ahead of the records.
      const recorded = (JSON.parse(readFileSync(join(checkpointDir, EPOCHS_FILE), 'utf8')) as EpochRecord[]).length;
      const checkpointed = (await readCheckpoint(checkpointDir))!.meta.epoch;
      expect(checkpointed).toBeLessThanOrEqual(recorded);
      const trained: number[] = [];
      // The killed process's lock is left behind; this run takes it over (its process is gone).
      const resumed = await runExperiment(config, { dataset, backend: 'cpu', progress: false, checkpointDir, onEpoch: (e) => void trained.push(e.epoch) });
      expect(trained).toEqual([1, 2, 3]);
      expect(untimed(resumed)).toEqual(untimed(whole));
      expect(resumed.final).toEqual(whole.final);
      expect(resumed.pruneQuality).toEqual(whole.pruneQuality);
      expect(resumed.wholeRun).toEqual(whole.wholeRun);
      expect(resumed.initDigest).toBe(whole.initDigest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
