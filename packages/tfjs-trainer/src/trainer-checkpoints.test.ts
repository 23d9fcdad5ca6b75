import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StateError } from '@seta/core';
import type { EpochPlan } from '@seta/core';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayDataSource } from './array-data-source.js';
import { encodeCheckpoint } from './checkpoint-format.js';
import { CHECKPOINT_LOCK_FILE, CheckpointLockError } from './checkpoint-lock.js';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { cosineSchedule } from './schedule.js';
import { C, D, N, augmentedData, ceLoss, dataset, mlp } from './test-trainer.js';
import { TestPruner, deadPid, tempDirs } from './test-utils.js';
import type { TrainerOptions } from './trainer-options.js';
import { Trainer } from './trainer.js';

const dirs = tempDirs();
const tempDir = () => dirs.make();

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => dirs.removeAll());

describe('Trainer checkpoints', () => {
  /** One run's options over a fresh model, optimizer and pruner; `init` picks initial weights. */
  function setup(init: number, dir: string, extra: Partial<TrainerOptions> = {}) {
    const net = mlp(init);
    const pruner = new TestPruner(N, 0.6, 11);
    const observed = pruner.observed;
    const options: TrainerOptions = {
      model: net.model,
      variables: net.variables,
      optimizer: tf.train.adam(0.02),
      pruner,
      data: augmentedData(),
      loss: ceLoss,
      epochs: 5,
      batchSize: 16,
      learningRate: cosineSchedule({ peak: 0.02, epochs: 5, warmupEpochs: 1 }),
      seed: 12,
      checkpointDir: dir,
      progress: false,
      ...extra,
    };
    return { net, pruner, observed, options };
  }

  const snapshot = (vars: readonly tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
  const planOf = (p: EpochPlan) => ({ indices: Array.from(p.indices), weights: p.weights && Array.from(p.weights) });

  it('resumes a run killed mid-epoch with the same plans, losses and (on cpu) bit-identical weights', async () => {
    // Run A: uninterrupted.
    const a = setup(20, await tempDir());
    await new Trainer(a.options).fit();
    const weightsA = snapshot(a.net.variables);

    // Run B: killed during epoch 3 (after the checkpoint of epoch 2), mid-batch.
    const dirB = await tempDir();
    const b = setup(20, dirB, {
      onBatchEnd: (r) => {
        if (r.epoch === 3 && r.batch === 1) throw new Error('killed');
      },
    });
    await expect(new Trainer(b.options).fit()).rejects.toThrow('killed');
    expect((await readCheckpoint(dirB))!.meta.epoch).toBe(3);
    b.net.dispose();
    // What a process killed with SIGKILL inside its next checkpoint write leaves
    // behind besides the previous checkpoint: its lock and a partial temporary file.
    const dead = await deadPid();
    await writeFile(
      join(dirB, CHECKPOINT_LOCK_FILE),
      JSON.stringify({ pid: dead, host: hostname(), since: new Date().toISOString(), token: 'killed' }),
    );
    const partial = encodeCheckpoint((await readCheckpoint(dirB))!).subarray(0, 200);
    await writeFile(join(dirB, `.${CHECKPOINT_FILE}.${dead}.x1.tmp`), partial);

    // A fresh model (other initial weights), optimizer and pruner resume from the checkpoint.
    const c = setup(99, dirB);
    const result = await new Trainer(c.options).fit();
    expect(await readdir(dirB)).toEqual([CHECKPOINT_FILE]);
    expect(result.resumedFrom).toBe(3);
    expect(result.epochs.map((r) => r.epoch)).toEqual([3, 4]);
    expect(c.pruner.plans.map(planOf)).toEqual(a.pruner.plans.slice(3).map(planOf));
    const batchesBefore = a.observed.length - c.observed.length;
    c.observed.forEach(([ids, losses], i) => {
      expect(Array.from(ids)).toEqual(Array.from(a.observed[batchesBefore + i]![0]));
      expect(Array.from(losses)).toEqual(Array.from(a.observed[batchesBefore + i]![1]));
    });
    expect(snapshot(c.net.variables)).toEqual(weightsA);
    a.net.dispose();
    c.net.dispose();
  });

  it('checkpoints and resumes a tfjs-layers model exactly, batch-norm statistics included', async () => {
    const build = (seed: number) => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [D], units: 12, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
          tfl.layers.batchNormalization(),
          tfl.layers.dense({ units: C, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
        ],
      });
      const pruner = new TestPruner(N, 0.75, 13);
      const options: TrainerOptions = {
        model,
        optimizer: tf.train.adam(0.01),
        pruner,
        data: augmentedData(),
        loss: ceLoss,
        epochs: 4,
        batchSize: 24,
        progress: false,
      };
      return { model, pruner, options };
    };
    const a = build(1);
    await new Trainer({ ...a.options, checkpointDir: await tempDir() }).fit();
    const dir = await tempDir();
    const b = build(1);
    await new Trainer({ ...b.options, checkpointDir: dir, epochs: 4, onEpochEnd: (r) => { if (r.epoch === 1) throw new Error('killed'); } })
      .fit()
      .catch(() => undefined);
    const saved = (await readCheckpoint(dir))!;
    // kernel, bias, gamma, beta, moving mean, moving variance, kernel, bias
    expect(saved.variables).toHaveLength(8);
    expect(saved.meta.epoch).toBe(2);
    const c = build(50);
    const result = await new Trainer({ ...c.options, checkpointDir: dir }).fit();
    expect(result.resumedFrom).toBe(2);
    const weights = (m: tfl.LayersModel) => m.weights.map((w) => Array.from(w.read().dataSync()));
    expect(weights(c.model)).toEqual(weights(a.model));
    a.model.dispose();
    b.model.dispose();
    c.model.dispose();
  });

  it('writes atomically: stale temporary files are ignored and cleaned, the file is whole or absent', async () => {
    const dir = await tempDir();
    // A crash in the middle of an earlier write left a partial temporary file.
    await writeFile(join(dir, `.${CHECKPOINT_FILE}.123.abc.tmp`), new Uint8Array([1, 2, 3]));
    expect(await readCheckpoint(dir)).toBeNull();
    const s = setup(30, dir, { epochs: 2 });
    await new Trainer(s.options).fit();
    expect(await readdir(dir)).toEqual([CHECKPOINT_FILE]);
    const saved = (await readCheckpoint(dir))!;
    expect(saved.meta).toMatchObject({ epoch: 2, epochs: 2, batchSize: 16, prunerName: 'test-pruner', size: N, optimizer: 'Adam' });
    expect(saved.variables.map((v) => v.shape)).toEqual([[D, 16], [16], [16, C], [C]]);
    // Adam's moments and iteration count, and its β powers (outside getWeights()).
    expect(saved.optimizerWeights.map((w) => w.name)[0]).toBe('iter');
    expect(saved.optimizerWeights).toHaveLength(1 + 2 * 4);
    expect(saved.optimizerFields.map((f) => f.name).sort()).toEqual(['accBeta1', 'accBeta2']);
    s.net.dispose();
  });

  it('refuses a corrupted checkpoint or one of another run, naming the mismatch', async () => {
    const dir = await tempDir();
    const s = setup(31, dir, { epochs: 1 });
    await new Trainer(s.options).fit();
    s.net.dispose();
    const other = setup(32, dir, { epochs: 1 });
    const wide = tf.variable(tf.zeros([D, 17]));
    const bad = new Trainer({ ...other.options, variables: [wide, ...other.net.variables.slice(1)] });
    await expect(bad.fit()).rejects.toThrow(/variable 0 .* has shape \[6, 17\] float32, the checkpoint's has \[6, 16\] float32/);
    const sgd = new Trainer({ ...setup(33, dir, { epochs: 1 }).options, optimizer: tf.train.sgd(0.1) });
    await expect(sgd.fit()).rejects.toThrow(`Trainer.fit(): checkpoint in ${dir} was written with optimizer Adam, this trainer has SGD`);
    // Flip one byte: the checksum catches it.
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(join(dir, CHECKPOINT_FILE));
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(join(dir, CHECKPOINT_FILE), bytes);
    await expect(readCheckpoint(dir)).rejects.toThrow(`readCheckpoint(): ${join(dir, CHECKPOINT_FILE)}: state is corrupted (checksum mismatch)`);
    tf.dispose([wide]);
    other.net.dispose();
  });

  it('refuses to resume a checkpoint written with other settings, naming the setting and both values', async () => {
    const dir = await tempDir();
    const s = setup(40, dir, { epochs: 5 });
    const first: Trainer = new Trainer({ ...s.options, onEpochEnd: () => first.stop() });
    await first.fit();
    s.net.dispose();
    const cases: [Partial<TrainerOptions>, string][] = [
      [{ batchSize: 32 }, `Trainer.fit(): checkpoint in ${dir} was written with batchSize 16, this trainer has 32`],
      [{ epochs: 6 }, `Trainer.fit(): checkpoint in ${dir} was written with epochs 5, this trainer has 6`],
      [{ seed: 13 }, `Trainer.fit(): checkpoint in ${dir} was written with seed 12, this trainer has 13`],
      [{ dropLast: true }, `Trainer.fit(): checkpoint in ${dir} was written with dropLast false, this trainer has true`],
      [{ directions: 'sum' }, `Trainer.fit(): checkpoint in ${dir} was written with directions "mean", this trainer has "sum"`],
      [{ learningRate: 0.5 }, `Trainer.fit(): checkpoint in ${dir} was written with learningRate a schedule, this trainer has 0.5`],
      [
        { optimizer: tf.train.adam(0.02, 0.5) },
        `Trainer.fit(): checkpoint in ${dir} was written with optimizer beta1 0.9, this trainer has 0.5`,
      ],
      [{ optimizer: tf.train.sgd(0.02) }, `Trainer.fit(): checkpoint in ${dir} was written with optimizer Adam, this trainer has SGD`],
      [
        { pruner: new TestPruner(N, 0.5, 11) },
        `Trainer.fit(): checkpoint in ${dir} holds a pruner state this pruner refuses: TestPruner.loadState(): other options`,
      ],
    ];
    for (const [patch, message] of cases) {
      const other = setup(41, dir, patch);
      const before = tf.memory().numTensors;
      const error = await new Trainer(other.options).fit().catch((e: unknown) => e);
      expect(error, message).toBeInstanceOf(StateError);
      expect((error as Error).message).toBe(message);
      expect(tf.memory().numTensors).toBe(before);
      // Refused before anything changed: the trainer's weights are its own.
      expect(snapshot(other.net.variables)).toEqual(snapshot(mlp(41).variables));
      other.net.dispose();
    }
    // The pruner's size and the dataset's: one message names both.
    const small = setup(42, dir);
    const { x, y } = dataset();
    const fewer = new Trainer({
      ...small.options,
      pruner: new TestPruner(N - 6, 0.6, 11),
      data: arrayDataSource({ values: x.subarray(0, (N - 6) * D), shape: [N - 6, D] }, { values: y.subarray(0, N - 6), shape: [N - 6] }),
    });
    await expect(fewer.fit()).rejects.toThrow(
      `Trainer.fit(): checkpoint in ${dir} was written with size 96 (pruner "test-pruner"), this trainer has 90 (pruner "test-pruner")`,
    );
    small.net.dispose();
    // The same settings resume.
    const same = setup(43, dir);
    expect((await new Trainer(same.options).fit()).resumedFrom).toBe(1);
    same.net.dispose();
  });

  it('refuses a forged checkpoint whose counters run past the run', async () => {
    const dir = await tempDir();
    const s = setup(44, dir, { epochs: 3 });
    const first: Trainer = new Trainer({ ...s.options, onEpochEnd: () => first.stop() });
    await first.fit();
    const saved = (await readCheckpoint(dir))!;
    // meta.epoch beyond meta.epochs: caught when the file is decoded.
    await writeCheckpoint(dir, { ...saved, meta: { ...saved.meta, epoch: 100 } });
    const again = setup(44, dir, { epochs: 3 });
    await expect(new Trainer(again.options).fit()).rejects.toThrow(
      /checkpoint field meta\.epoch must be an integer in \[0, 3\] \(at most meta\.epochs\), got 100/,
    );
    // Both forged consistently: the run's epoch count differs from this trainer's.
    await writeCheckpoint(dir, { ...saved, meta: { ...saved.meta, epoch: 100, epochs: 100, samplesSeen: 0, step: 0 } });
    await expect(new Trainer(again.options).fit()).rejects.toThrow(
      `Trainer.fit(): checkpoint in ${dir} was written with epochs 100, this trainer has 3`,
    );
    s.net.dispose();
    again.net.dispose();
  });

  it('locks checkpointDir: a second trainer is refused by name, and the lock goes on normal end, error and stop()', async () => {
    const dir = await tempDir();
    const lockFile = join(dir, CHECKPOINT_LOCK_FILE);
    let reached!: () => void;
    const inside = new Promise<void>((r) => (reached = r));
    let letGo!: () => void;
    const gate = new Promise<void>((r) => (letGo = r));
    const a = setup(45, dir, { epochs: 2, onEpochEnd: async () => { reached(); await gate; } });
    const running = new Trainer(a.options).fit();
    await inside;
    expect(existsSync(lockFile)).toBe(true);
    const b = setup(46, dir, { epochs: 2 });
    const error = await new Trainer(b.options).fit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointLockError);
    expect((error as Error).message).toContain(`Trainer.fit(): checkpoint directory ${dir} is in use by process ${process.pid} on ${hostname()} since `);
    // The refused trainer neither read nor wrote the checkpoint.
    expect(snapshot(b.net.variables)).toEqual(snapshot(mlp(46).variables));
    letGo();
    await running;
    expect(existsSync(lockFile)).toBe(false);
    // Released on error.
    const c = setup(47, await tempDir(), { onBatchEnd: () => { throw new Error('crash'); } });
    await expect(new Trainer(c.options).fit()).rejects.toThrow('crash');
    expect(existsSync(join(c.options.checkpointDir!, CHECKPOINT_LOCK_FILE))).toBe(false);
    // Released on stop().
    const d = setup(48, await tempDir());
    const stopping: Trainer = new Trainer({ ...d.options, onEpochEnd: () => stopping.stop() });
    expect((await stopping.fit()).stopped).toBe(true);
    expect(existsSync(join(d.options.checkpointDir!, CHECKPOINT_LOCK_FILE))).toBe(false);
    for (const x of [a, b, c, d]) x.net.dispose();
  });

  it('restoreCheckpoint() twice leaves the tensor count as once (no orphaned optimizer moments)', async () => {
    const dir = await tempDir();
    const s = setup(49, dir, { epochs: 1 });
    await new Trainer(s.options).fit();
    s.net.dispose();
    const base = tf.memory().numTensors;
    const c = setup(50, dir, { epochs: 1 });
    const trainer = new Trainer(c.options);
    expect(await trainer.restoreCheckpoint()).toBe(1);
    const once = tf.memory().numTensors;
    expect(await trainer.restoreCheckpoint()).toBe(1);
    expect(tf.memory().numTensors).toBe(once);
    // 4 variables, Adam's β powers and 2 × 4 moments.
    expect(once - base).toBe(4 + 2 + 8);
    c.options.optimizer.dispose();
    c.net.dispose();
    // tfjs-core 4.22 on cpu: Adam's dispose() frees all it made here.
    expect(tf.memory().numTensors).toBe(base);
  });

  it('stop() ends the run after the current epoch and its checkpoint', async () => {
    const dir = await tempDir();
    const s = setup(34, dir);
    const trainer = new Trainer({
      ...s.options,
      checkpointEvery: 10,
      onEpochEnd: (r) => {
        if (r.epoch === 1) trainer.stop();
      },
    });
    const result = await trainer.fit();
    expect(result.stopped).toBe(true);
    expect(result.epochs).toHaveLength(2);
    expect((await readCheckpoint(dir))!.meta.epoch).toBe(2);
    s.net.dispose();
  });
});
