import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StateError } from '@seta/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointLockError, memoryCheckpointStore } from './checkpoint-store.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { fileCheckpointStore } from './file-checkpoint-store.js';
import { indexedDbCheckpointStore } from './indexeddb-checkpoint-store.js';
import * as browserPlatform from './platform-browser.js';
import * as nodePlatform from './platform.js';
import type { EpochReport } from './reports.js';
import { N, augmentedData, ceLoss, mlp } from './test-trainer.js';
import { TestPruner, tempDirs } from './test-utils.js';
import type { TrainerOptions } from './trainer-options.js';
import { Trainer } from './trainer.js';

const dirs = tempDirs();

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => dirs.removeAll());

/** A run's options over a fresh model, optimizer and pruner, all from fixed seeds. */
function setup(extra: Partial<TrainerOptions>) {
  const net = mlp(20);
  const options: TrainerOptions = {
    model: net.model,
    variables: net.variables,
    optimizer: tf.train.adam(0.02),
    pruner: new TestPruner(N, 0.6, 11),
    data: augmentedData(),
    loss: ceLoss,
    epochs: 4,
    batchSize: 16,
    seed: 12,
    progress: false,
    ...extra,
  };
  return { net, options };
}

const snapshot = (vars: readonly tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

describe('Trainer({ checkpoint })', () => {
  it('stops and resumes through a memory store with the weights of an uninterrupted run (cpu)', async () => {
    const whole = setup({});
    await new Trainer(whole.options).fit();

    const store = memoryCheckpointStore();
    const first = setup({ checkpoint: store });
    const trainer: Trainer = new Trainer({ ...first.options, onEpochEnd: (r) => (r.epoch === 1 ? trainer.stop() : undefined) });
    const stopped = await trainer.fit();
    expect(stopped.stopped).toBe(true);
    expect((await store.load())!.meta.epoch).toBe(2);

    const second = setup({ checkpoint: store });
    const resumed = await new Trainer(second.options).fit();
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.epochs.map((r) => r.epoch)).toEqual([2, 3]);
    expect(snapshot(second.net.variables)).toEqual(snapshot(whole.net.variables));
    for (const run of [whole, first, second]) run.net.dispose();
  });

  it('refuses a second run on a store another run holds, with CheckpointLockError', async () => {
    const store = memoryCheckpointStore('shared');
    const lock = await store.lock('test');
    const run = setup({ checkpoint: store });
    await expect(new Trainer(run.options).fit()).rejects.toThrow(
      new CheckpointLockError('Trainer.fit(): checkpoint store shared is in use by another trainer in this page or process', 'shared', null),
    );
    await lock.release();
    await lock.release(); // idempotent
    await expect(new Trainer(run.options).fit()).resolves.toMatchObject({ resumedFrom: null });
    run.net.dispose();
  });

  it('saves to and restores from a store given to saveCheckpoint / restoreCheckpoint', async () => {
    const run = setup({});
    const trainer = new Trainer(run.options);
    const store = memoryCheckpointStore();
    await trainer.saveCheckpoint(store);
    expect(store.bytes).toBeInstanceOf(Uint8Array);
    await expect(trainer.restoreCheckpoint(store)).resolves.toBe(0);
    await expect(trainer.saveCheckpoint()).rejects.toThrow(
      'Trainer.saveCheckpoint(): dir must be a non-empty string or a CheckpointStore, got undefined',
    );
    run.net.dispose();
  });

  it('treats checkpointDir as a file store: the same directory written either way is one lock', async () => {
    const dir = await dirs.make();
    const run = setup({ checkpointDir: dir });
    let inside: Promise<void> | null = null;
    const trainer: Trainer = new Trainer({
      ...run.options,
      epochs: 1,
      // Inside fit(), which holds the directory: another store object for it is covered by that lock.
      onEpochEnd: () => {
        inside = trainer.saveCheckpoint(fileCheckpointStore(dir));
        return inside;
      },
    });
    await trainer.fit();
    await expect(inside).resolves.toBeUndefined();
    expect((await fileCheckpointStore(dir).load())!.meta.epoch).toBe(1);
    run.net.dispose();
  });

  it('refuses checkpointDir together with checkpoint, and a checkpoint that is not a store', () => {
    const run = setup({});
    expect(() => new Trainer({ ...run.options, checkpointDir: 'runs/x', checkpoint: memoryCheckpointStore('m') })).toThrow(
      new TypeError('Trainer(): pass checkpointDir or checkpoint, not both (checkpointDir "runs/x", checkpoint m)'),
    );
    expect(() => new Trainer({ ...run.options, checkpoint: 'runs/x' as unknown as CheckpointStore })).toThrow(
      'Trainer(): checkpoint must be a CheckpointStore (location, load, save, lock), got "runs/x"',
    );
    run.net.dispose();
  });
});

describe('Trainer({ progress })', () => {
  it('calls a ProgressReporter of the user’s at each epoch’s begin, close and end', async () => {
    const run = setup({});
    const seen: string[] = [];
    await new Trainer({
      ...run.options,
      epochs: 2,
      progress: {
        epochBegin: (s) => void seen.push(`begin ${s.epoch}`),
        epochClose: () => void seen.push('close'),
        epochEnd: (r: EpochReport) => void seen.push(`end ${r.epoch}`),
      },
    }).fit();
    expect(seen).toEqual(['begin 0', 'close', 'end 0', 'begin 1', 'close', 'end 1']);
    expect(() => new Trainer({ ...run.options, progress: { epochEnd: 3 } as never })).toThrow(
      'Trainer(): progress.epochEnd must be a function, got 3',
    );
    run.net.dispose();
  });
});

describe('memoryCheckpointStore / indexedDbCheckpointStore', () => {
  it('loads null before the first save, and refuses corrupted bytes with a StateError', async () => {
    const store = memoryCheckpointStore();
    await expect(store.load()).resolves.toBeNull();
    const run = setup({});
    await new Trainer(run.options).saveCheckpoint(store);
    store.bytes![store.bytes!.length - 1]! ^= 1;
    await expect(store.load()).rejects.toThrow(StateError);
    run.net.dispose();
  });

  it('checks its arguments, and says when there is no IndexedDB (Node)', async () => {
    expect(() => indexedDbCheckpointStore('')).toThrow('indexedDbCheckpointStore(): name must be a non-empty string, got ""');
    expect(() => indexedDbCheckpointStore('a', { databse: 'x' } as never)).toThrow('indexedDbCheckpointStore(): unknown option "databse"');
    await expect(indexedDbCheckpointStore('a').load()).rejects.toThrow(
      'indexedDbCheckpointStore(): this environment has no IndexedDB (IndexedDB seta-checkpoints/a)',
    );
  });
});

describe('platform-browser.ts', () => {
  it('has the exports of platform.ts, with the same constants', () => {
    expect(Object.keys(browserPlatform).sort()).toEqual(Object.keys(nodePlatform).sort());
    expect(browserPlatform.CHECKPOINT_FILE).toBe(nodePlatform.CHECKPOINT_FILE);
    expect(browserPlatform.CHECKPOINT_LOCK_FILE).toBe(nodePlatform.CHECKPOINT_LOCK_FILE);
    // Same signatures: the Node build's declarations describe the browser build.
    const typed: typeof nodePlatform = browserPlatform;
    expect(typed).toBe(browserPlatform);
  });

  it('refuses checkpointDir and file functions, saying what to use instead', async () => {
    expect(() => browserPlatform.checkpointDirStore('runs/x', 'Trainer()')).toThrow(
      'Trainer(): checkpointDir ("runs/x") needs a file system, which this browser build of @seta/tfjs-trainer does not have; pass checkpoint: indexedDbCheckpointStore(name) or memoryCheckpointStore() instead',
    );
    await expect(browserPlatform.readCheckpoint('runs/x')).rejects.toThrow('readCheckpoint() needs a file system');
    expect(browserPlatform.defaultProgress('auto')).toBeNull();
  });
});
