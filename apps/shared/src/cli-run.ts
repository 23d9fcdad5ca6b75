/**
 * What an app's command line does around its runs: say which backend and
 * data it uses, write the report and show its tables, and run `main` when the
 * file is the program Node started.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dataset } from './idx.js';
import { writeFileAtomic } from './run-record.js';

/** The shape of `selectBackend()`'s answer that the apps print. */
export interface BackendChoice {
  readonly name: string;
  readonly tried: readonly { readonly name: string; readonly ok: boolean; readonly reason?: string }[];
}

/** Print the backend in use, with why each faster one was passed over, and the data. */
export function logSetting(backend: BackendChoice, dataDir: string, dataset: Dataset): void {
  console.log(`backend: ${backend.name}${backend.tried.filter((t) => !t.ok).map((t) => ` (${t.name}: ${t.reason})`).join('')}`);
  console.log(`data: ${dataDir} — ${dataset.train.count} training, ${dataset.test.count} test images`);
}

/** The command that reproduces a run, as the reports quote it. */
export function commandLine(app: string, argv: readonly string[]): string {
  return `node apps/${app}/dist/cli.js ${argv.join(' ')}`.trim();
}

/** The Markdown `--notes FILE` appends to a report, or undefined without the option. */
export function readNotes(file: string | undefined): string | undefined {
  return file === undefined ? undefined : readFileSync(resolve(file), 'utf8');
}

/** The lines of a Markdown report that are tables or section heads: what the terminal shows of it. */
export function reportTables(report: string): string[] {
  return report.split('\n').filter((line) => line.startsWith('|') || line.startsWith('## '));
}

/**
 * Write `out/report.md`, show its tables, make the plots, and list the files
 * with the time since `startedAt` (a `performance.now()` reading).
 */
export async function writeReport(out: string, report: string, writePlots: () => Promise<string[]>, startedAt: number): Promise<void> {
  writeFileAtomic(join(out, 'report.md'), report);
  console.log(`\n${reportTables(report).join('\n')}`);
  const plots = await writePlots();
  console.log(`\nreport: ${join(out, 'report.md')}`);
  for (const p of plots) console.log(`plot: ${p}`);
  console.log(`done in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}

/**
 * Run `main` with the process's arguments when the module at `moduleUrl`
 * (`import.meta.url`) is the program Node started, and exit with its code;
 * an error is printed as `Name: message` and exits with 1. Importing the
 * module, as the tests do, runs nothing.
 */
export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (process.argv[1] === undefined || moduleUrl !== new URL(`file://${resolve(process.argv[1])}`).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}

/** The commit the code runs at, and whether the tree had changes; "unknown" outside a git checkout. */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty === '' ? sha : `${sha} (with uncommitted changes)`;
  } catch {
    return 'unknown';
  }
}

/** The machine a report's figures were measured on: CPU model, cores, Node.js and the TensorFlow.js backend. */
export function machineDescription(backend: string): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node.js ${process.version}, TensorFlow.js backend ${backend}`;
}
