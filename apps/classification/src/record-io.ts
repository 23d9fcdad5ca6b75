/**
 * Files of a run that must survive a kill: each written whole or not at all
 * (`writeFileAtomic`), and read back with errors that name the file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@seta-apps/shared';
import type { EpochRecord, RunRecord } from './record.js';

/** A run record, or why it cannot be read. */
export type RecordRead = { ok: true; record: RunRecord } | { ok: false; reason: string };

/** Read one run record; a missing, truncated or malformed file is reported, not thrown. */
export function readRecordFile(file: string): RecordRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, reason: `${file}: cannot be read (${(error as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `${file}: not valid JSON (${(error as Error).message})` };
  }
  const r = value as Partial<RunRecord> | null;
  if (r === null || typeof r !== 'object' || r.version !== 1 || typeof r.config !== 'object' || !Array.isArray(r.epochs) || typeof r.finalAccuracy !== 'number') {
    return { ok: false, reason: `${file}: not a run record (version, config, epochs or finalAccuracy missing)` };
  }
  if (r.epochs.length !== r.config!.epochs) {
    return { ok: false, reason: `${file}: has ${r.epochs.length} epochs, its configuration ${r.config!.epochs}` };
  }
  return { ok: true, record: r as RunRecord };
}

/**
 * Every readable run record in `dir/runs`, in file-name order, and the
 * reasons the others were skipped (so the caller can say which and re-run them).
 */
export function readRecordsIn(dir: string): { records: RunRecord[]; unreadable: string[] } {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return { records: [], unreadable: [] };
  const records: RunRecord[] = [];
  const unreadable: string[] = [];
  for (const f of readdirSync(runs).filter((f) => f.endsWith('.json')).sort()) {
    const read = readRecordFile(join(runs, f));
    if (read.ok) records.push(read.record);
    else unreadable.push(read.reason);
  }
  return { records, unreadable };
}

/** What a run in progress keeps beside its checkpoint. */
export interface Progress {
  readonly initDigest: string;
  /** Processes that have run epochs of this run so far. */
  readonly processes: number;
  readonly epochs: EpochRecord[];
}

const PROGRESS_FILE = 'epochs.json';

/** Save the epochs recorded so far, atomically, into the run's checkpoint folder. */
export function writeProgress(checkpointDir: string, progress: Progress): void {
  mkdirSync(checkpointDir, { recursive: true });
  writeFileAtomic(join(checkpointDir, PROGRESS_FILE), JSON.stringify(progress));
}

/** The epochs a previous process recorded, or null if there are none (or they cannot be read). */
export function readProgress(checkpointDir: string): Progress | null {
  const file = join(checkpointDir, PROGRESS_FILE);
  if (!existsSync(file)) return null;
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Progress;
    return typeof p.initDigest === 'string' && Number.isInteger(p.processes) && Array.isArray(p.epochs) ? p : null;
  } catch {
    return null;
  }
}

export function removeProgress(checkpointDir: string): void {
  rmSync(join(checkpointDir, PROGRESS_FILE), { force: true });
}
