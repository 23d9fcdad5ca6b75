/**
 * Running a list of training runs: in this process, or spread over worker
 * processes (`--jobs N`) so that independent runs use every core (the wasm
 * backend trains on one thread in Node). A finished run's record is on disk
 * and is skipped; an unreadable one is reported with its path and re-run; a
 * run in progress resumes from its checkpoint.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@seta-apps/shared';
import type { Dataset } from '@seta-apps/shared';
import { runExperiment } from './experiment.js';
import type { EpochRecord, RunConfig, RunRecord } from './record.js';
import { readRecordFile } from './record-io.js';

/** The file name of a configuration's record (without `.json`). */
export function runId(c: Pick<RunConfig, 'model' | 'strategy' | 'level' | 'seed' | 'labelNoise' | 'budgetEpochs'>): string {
  const budget = c.budgetEpochs === undefined ? c.level : `b${c.budgetEpochs.toFixed(3)}`;
  return `${c.model}-${c.strategy}-${budget}-seed${c.seed}${c.labelNoise > 0 ? `-noise${c.labelNoise}` : ''}`;
}

/** Where a run's record and checkpoint live. */
export function runPaths(out: string, config: RunConfig): { file: string; checkpointDir: string } {
  const id = runId(config);
  return { file: join(out, 'runs', `${id}.json`), checkpointDir: join(out, 'checkpoints', id) };
}

/** What a worker needs to rebuild the parent's setting. */
export interface WorkerSetup {
  readonly dataDir: string;
  readonly prefer: string[] | undefined;
}

/** How to run a matrix. */
export interface MatrixOptions {
  readonly out: string;
  /** Parallel worker processes; 1 runs in this process. */
  readonly jobs: number;
  /** For `jobs` = 1. */
  readonly dataset: Dataset;
  readonly backend: string;
  /** For `jobs` > 1: the script to fork (this app's CLI) and what workers load. */
  readonly workerScript: string;
  readonly workerSetup: WorkerSetup;
  readonly progress: boolean | 'auto';
  readonly log?: (line: string) => void;
}

function epochLine(id: string, e: EpochRecord): string {
  const val = e.validationAccuracy === undefined ? '' : `, val ${(e.validationAccuracy * 100).toFixed(2)} %`;
  return `  ${id} epoch ${e.epoch}: ${e.phase}, visited ${e.visited}, loss ${e.trainLoss.toFixed(4)}${val}, test ${(e.testAccuracy * 100).toFixed(2)} %, ${(e.wallTimeMs / 1000).toFixed(1)} s`;
}

/** Train one configuration and write its record atomically; the checkpoint goes once the record is safe. */
export async function runAndRecord(
  config: RunConfig,
  context: { dataset: Dataset; backend: string; out: string; progress: boolean | 'auto'; log: (line: string) => void },
): Promise<RunRecord> {
  const { file, checkpointDir } = runPaths(context.out, config);
  const id = runId(config);
  const record = await runExperiment(config, {
    dataset: context.dataset,
    backend: context.backend,
    progress: context.progress,
    checkpointDir,
    onEpoch: (e) => {
      if (context.progress === false || !process.stderr.isTTY) context.log(epochLine(id, e));
    },
  });
  writeFileAtomic(file, JSON.stringify(record, null, 1) + '\n');
  rmSync(checkpointDir, { recursive: true, force: true });
  context.log(
    `  → ${id}: accuracy ${(record.finalAccuracy * 100).toFixed(2)} %, saved ${(record.savedRatio * 100).toFixed(1)} % of visits, ${((record.cpuTimeMs ?? 0) / 1000).toFixed(1)} s CPU`,
  );
  return record;
}

/** The configurations still to run: no record, or one that cannot be read (reported). */
export function pending(configs: readonly RunConfig[], out: string, log: (line: string) => void): RunConfig[] {
  const todo: RunConfig[] = [];
  for (const config of configs) {
    const { file } = runPaths(out, config);
    if (!existsSync(file)) {
      todo.push(config);
      continue;
    }
    const read = readRecordFile(file);
    if (read.ok) continue;
    log(`unreadable record, running it again: ${read.reason}`);
    rmSync(file, { force: true });
    todo.push(config);
  }
  return todo;
}

/** Run every configuration without a readable record, `jobs` at a time. */
export async function runMatrix(configs: readonly RunConfig[], options: MatrixOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const todo = pending(configs, options.out, log);
  log(`${configs.length - todo.length} of ${configs.length} runs already recorded; ${todo.length} to run${options.jobs > 1 ? ` in ${options.jobs} processes` : ''}`);
  if (options.jobs <= 1) {
    let index = 0;
    for (const config of todo) {
      log(`[${++index}/${todo.length}] ${runId(config)}: ${JSON.stringify(config.strategyOptions)}`);
      await runAndRecord(config, { ...options, log });
    }
    return;
  }
  await runInWorkers(todo, options, log);
}

/** Messages between the parent and a worker. */
type ToWorker = { type: 'run'; config: RunConfig; out: string } | { type: 'exit' };
type FromWorker = { type: 'ready' } | { type: 'done'; id: string } | { type: 'failed'; id: string; message: string };

async function runInWorkers(todo: RunConfig[], options: MatrixOptions, log: (line: string) => void): Promise<void> {
  const queue = [...todo];
  let started = 0;
  const failures: string[] = [];
  const workerCount = Math.min(options.jobs, queue.length);
  const workers: Promise<void>[] = [];
  for (let w = 0; w < workerCount; w++) {
    workers.push(
      new Promise<void>((resolve, reject) => {
        const child: ChildProcess = fork(options.workerScript, ['--worker', JSON.stringify(options.workerSetup)], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        let current: string | null = null;
        const next = () => {
          const config = queue.shift();
          if (config === undefined) {
            child.send({ type: 'exit' } satisfies ToWorker);
            return;
          }
          current = runId(config);
          log(`[${++started}/${todo.length}] ${current} (worker ${w + 1}): ${JSON.stringify(config.strategyOptions)}`);
          child.send({ type: 'run', config, out: options.out } satisfies ToWorker);
        };
        child.on('message', (m: FromWorker) => {
          if (m.type === 'failed') failures.push(`${m.id}: ${m.message}`);
          next();
        });
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (code === 0) resolve();
          else reject(new Error(`worker ${w + 1} ended with ${signal ?? `exit code ${code}`}${current === null ? '' : ` while running ${current}`}`));
        });
      }),
    );
  }
  await Promise.all(workers);
  if (failures.length > 0) throw new Error(`runs failed:\n${failures.join('\n')}`);
}

/**
 * A worker's loop: load what the parent described, then run the
 * configurations it is sent one at a time until told to exit.
 */
export async function workerMain(setupJson: string, load: (setup: WorkerSetup) => Promise<{ dataset: Dataset; backend: string }>): Promise<void> {
  const setup = JSON.parse(setupJson) as WorkerSetup;
  const { dataset, backend } = await load(setup);
  const send = (m: FromWorker) => process.send!(m);
  await new Promise<void>((resolve) => {
    process.on('message', (m: ToWorker) => {
      if (m.type === 'exit') {
        resolve();
        return;
      }
      runAndRecord(m.config, { dataset, backend, out: m.out, progress: false, log: (line) => console.log(line) }).then(
        () => send({ type: 'done', id: runId(m.config) }),
        (error: unknown) => send({ type: 'failed', id: runId(m.config), message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
      );
    });
    send({ type: 'ready' });
  });
}
