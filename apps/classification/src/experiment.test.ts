import { selectBackend } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from './experiment.js';
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
  });
});
