import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment, splitsFor } from './experiment.js';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import type { RunConfig } from './record.js';
import { strategyOptions } from './strategies.js';

const dataset = loadDataset(fashionMnistDir());
let backend = '';
beforeAll(async () => {
  backend = (await selectBackend({ prefer: ['cpu'] })).name;
});

const config = (over: Partial<RunConfig>): RunConfig => ({
  model: 'mlp',
  strategy: 'full',
  level: 'none',
  strategyOptions: {},
  seed: 0,
  epochs: 2,
  batchSize: 64,
  learningRate: 2e-3,
  trainSize: 600,
  testSize: 300,
  labelNoise: 0,
  ...over,
});

describe('runExperiment', () => {
  it('trains, evaluates every epoch and records a complete run, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const record = await runExperiment(config({ strategy: 'infobatch', level: 'L2', strategyOptions: strategyOptions('infobatch', 'L2'), epochs: 3 }), {
      dataset,
      backend,
      progress: false,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(record.backend).toBe('cpu');
    expect(record.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(record.epochs[0]!.visited).toBe(600); // InfoBatch's first epoch is full
    expect(record.epochs[1]!.visited).toBeLessThan(600);
    for (const e of record.epochs) {
      expect(e.trainLoss).toBeGreaterThan(0);
      expect(e.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.testAccuracy).toBeLessThanOrEqual(1);
    }
    // a tiny MLP already beats chance (10 %) clearly after 3 epochs on 600 images
    expect(record.finalAccuracy).toBeGreaterThan(0.4);
    const visits = record.epochs.reduce((s, e) => s + e.visited, 0);
    expect(record.savedRatio).toBeCloseTo(1 - visits / (600 * 3), 12);
    expect(record.trainTimeMs).toBeGreaterThan(0);
  });

  it('counts visits to noisy samples when labels are corrupted', async () => {
    const record = await runExperiment(
      config({ strategy: 'dynamicRandom', level: 'L2', strategyOptions: strategyOptions('dynamicRandom', 'L2'), labelNoise: 0.3 }),
      { dataset, backend, progress: false },
    );
    expect(record.noise!.flipped).toBeGreaterThan(120);
    expect(record.noise!.flipped).toBeLessThan(240);
    // dynamic random visits noisy and clean samples alike: about once per epoch × keep
    expect(record.noise!.visitsPerNoisy).toBeGreaterThan(0.6);
    expect(record.noise!.visitsPerNoisy).toBeLessThan(1.4);
    const noisyVisits = record.epochs.reduce((s, e) => s + e.noisyVisited!, 0);
    expect(noisyVisits / record.noise!.flipped).toBeCloseTo(record.noise!.visitsPerNoisy, 10);
    // no weights: exposure is the visit count
    expect(record.noise!.weightedPerNoisy).toBeCloseTo(record.noise!.visitsPerNoisy, 10);
  });

  it('counts what the gradient sees: Σ weights, which InfoBatch raises above the visits', async () => {
    const record = await runExperiment(
      config({ strategy: 'infobatch', level: 'L2', strategyOptions: strategyOptions('infobatch', 'L2'), epochs: 3, labelNoise: 0.2 }),
      { dataset, backend, progress: false },
    );
    const [e0, e1] = record.epochs;
    expect(e0!.weightedVisits).toBe(600);
    // pruned below-mean samples are up-weighted by 1/keep = 5: Σ weights ≈ N (unbiased), above the visits
    expect(e1!.weightedVisits!).toBeGreaterThan(e1!.visited);
    expect(e1!.weightedNoisyVisits!).toBeGreaterThanOrEqual(e1!.noisyVisited!);
    const weightedNoisy = record.epochs.reduce((s, e) => s + e.weightedNoisyVisits!, 0);
    expect(record.noise!.weightedPerNoisy).toBeCloseTo(weightedNoisy / record.noise!.flipped, 10);
  });

  it('starts every arm of a seed from the same weights, and different seeds from different ones', async () => {
    const a = await runExperiment(config({ epochs: 1 }), { dataset, backend, progress: false });
    const b = await runExperiment(config({ strategy: 'seta', level: 'L1', strategyOptions: strategyOptions('seta', 'L1'), epochs: 1 }), {
      dataset,
      backend,
      progress: false,
    });
    const c = await runExperiment(config({ epochs: 1, seed: 1 }), { dataset, backend, progress: false });
    expect(a.initDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.initDigest).toBe(a.initDigest);
    expect(c.initDigest).not.toBe(a.initDigest);
  });

  it('trains full data for a budget of visits that is not a whole number of epochs', async () => {
    const record = await runExperiment(config({ epochs: 2, budgetEpochs: 1.5 }), { dataset, backend, progress: false });
    expect(record.epochs.map((e) => e.visited)).toEqual([600, 300]);
    await expect(runExperiment(config({ epochs: 3, budgetEpochs: 1.5 }), { dataset, backend, progress: false })).rejects.toThrow(
      'epochs must be ceil(budgetEpochs) = 2, got 3',
    );
  });

  it('holds out the same validation examples in every run, and evaluates on them', async () => {
    const record = await runExperiment(config({ epochs: 1, validationSize: 200 }), { dataset, backend, progress: false });
    expect(record.epochs[0]!.validationAccuracy).toBeGreaterThan(0.1);
    const { train, validation } = splitsFor(config({ validationSize: 200 }), dataset);
    const again = splitsFor(config({ validationSize: 200, seed: 5 }), dataset);
    expect(validation!.count).toBe(200);
    expect(Buffer.from(again.validation!.images).equals(Buffer.from(validation!.images))).toBe(true);
    expect(train.count).toBe(600);
  });
});

describe('runExperiment after a crash', () => {
  const c = config({ strategy: 'seta', level: 'L2', strategyOptions: strategyOptions('seta', 'L2'), epochs: 4, labelNoise: 0.2 });
  const strip = (r: Awaited<ReturnType<typeof runExperiment>>) =>
    r.epochs.map(({ wallTimeMs: _w, cpuMs: _c, ...rest }) => rest);
  /** Run `c` in `dir` and crash once epoch `epoch`'s records and checkpoint are written. */
  const crashAfter = (epoch: number, dir: string) =>
    expect(
      runExperiment(c, {
        dataset,
        backend,
        progress: false,
        checkpointDir: dir,
        onEpoch: (e) => {
          if (e.epoch === epoch) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');

  it('resumes from the checkpoint and ends with the record of an uninterrupted run: all epochs, times summed', async () => {
    const uninterrupted = await runExperiment(c, { dataset, backend, progress: false });
    const dir = mkdtempSync(join(tmpdir(), 'cls-resume-'));
    try {
      await crashAfter(1, dir);
      const before = tf.memory().numTensors;
      const resumed = await runExperiment(c, { dataset, backend, progress: false, checkpointDir: dir });
      expect(tf.memory().numTensors).toBe(before);
      expect(resumed.processes).toBe(2);
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      // the cpu backend is deterministic: the same losses, accuracies, visits and exposure
      expect(strip(resumed)).toEqual(strip(uninterrupted));
      expect(resumed.noise).toEqual(uninterrupted.noise);
      expect(resumed.trainTimeMs).toBeCloseTo(resumed.epochs.reduce((s, e) => s + e.wallTimeMs, 0), 6);
      expect(resumed.cpuTimeMs).toBeCloseTo(resumed.epochs.reduce((s, e) => s + e.cpuMs!, 0), 6);
      expect(existsSync(join(dir, 'epochs.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops an epoch recorded by a process killed before its checkpoint was written', async () => {
    const uninterrupted = await runExperiment(c, { dataset, backend, progress: false });
    const dir = mkdtempSync(join(tmpdir(), 'cls-resume-'));
    try {
      await crashAfter(1, dir);
      // As if the process died between writing epoch 2's records and its checkpoint.
      const file = join(dir, 'epochs.json');
      const progress = JSON.parse(readFileSync(file, 'utf8')) as { epochs: { epoch: number; testAccuracy: number }[] };
      progress.epochs.push({ ...progress.epochs[1]!, epoch: 2, testAccuracy: 0.01 });
      writeFileSync(file, JSON.stringify(progress));
      const resumed = await runExperiment(c, { dataset, backend, progress: false, checkpointDir: dir });
      expect(strip(resumed)).toEqual(strip(uninterrupted));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint whose epoch records are missing, naming the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cls-resume-'));
    try {
      await expect(
        runExperiment(c, { dataset, backend, progress: false, checkpointDir: dir, onEpoch: () => { throw new Error('killed'); } }),
      ).rejects.toThrow('killed');
      rmSync(join(dir, 'epochs.json'));
      await expect(runExperiment(c, { dataset, backend, progress: false, checkpointDir: dir })).rejects.toThrow(
        `the checkpoint in ${dir} resumes at epoch 1 but its epoch records are missing`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
