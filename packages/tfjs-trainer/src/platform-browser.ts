/*
 * platform.ts for browsers (tsup.config.ts swaps it in for the browser
 * build): no file system, no terminal.
 */
import type { EpochListener } from './callbacks.js';
import type { CheckpointData } from './checkpoint-format.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { EpochReport } from './reports.js';

/**
 * `checkpointDir` names a directory, which a browser does not have.
 *
 * @throws TypeError saying what to pass instead.
 */
export function checkpointDirStore(dir: string, fn: string): CheckpointStore {
  throw new TypeError(
    `${fn}: checkpointDir (${JSON.stringify(dir)}) needs a file system, which this browser build of @seta/tfjs-trainer does not have; pass checkpoint: indexedDbCheckpointStore(name) or memoryCheckpointStore() instead`,
  );
}

/** `progress: true` logs a line per epoch on the console; `'auto'` shows nothing (there is no terminal). */
export function defaultProgress(mode: boolean | 'auto'): EpochListener | null {
  if (mode !== true) return null;
  return {
    epochEnd(r: EpochReport): void {
      console.log(
        `epoch ${r.epoch + 1}: loss ${r.loss.toFixed(4)}, visited ${r.visited} (${(100 * r.prunedRatio).toFixed(1)} % pruned), ${r.samplesPerSecond.toFixed(0)} samples/s`,
      );
    },
  };
}

/*
 * The public Node-only exports, as in platform.ts: the names are there (the
 * export list is one for both builds), the file system is not.
 */
export { CHECKPOINT_FILE, CHECKPOINT_LOCK_FILE } from './checkpoint-store.js';

function nodeOnly(fn: string): never {
  throw new TypeError(
    `${fn} needs a file system, which this browser build of @seta/tfjs-trainer does not have; use indexedDbCheckpointStore(name) or memoryCheckpointStore()`,
  );
}

/** Node only: throws in a browser. */
export function fileCheckpointStore(dir: string): CheckpointStore {
  void dir;
  return nodeOnly('fileCheckpointStore()');
}

/** Node only: throws in a browser. */
export async function readCheckpoint(dir: string): Promise<CheckpointData | null> {
  void dir;
  return nodeOnly('readCheckpoint()');
}

/** Node only: throws in a browser. */
export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<void> {
  void dir;
  void data;
  nodeOnly('writeCheckpoint()');
}
