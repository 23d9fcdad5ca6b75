import { Random } from '@seta/core';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import { selectBackend } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embed, normalizeRows } from './evaluate.js';
import { runExperiment } from './experiment.js';
import { CONV_FEATURES, convNet, momentumConvCopy } from './models.js';
import type { RunConfig } from './record.js';

// The CNN trains through the wasm training kernels, as in the app: tfjs's cpu backend takes seconds per convolution step.
beforeAll(async () => {
  await selectBackend({ prefer: ['wasm'] });
});

describe('convNet', () => {
  it('maps 784-value rows to the flattened conv maps, reproducibly from the seed; its momentum copy starts equal and is frozen', () => {
    const net = convNet(new Random(8), 'c');
    const again = convNet(new Random(8), 'd');
    net.variables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(again.variables[i]!.dataSync())));
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
    const y = net.apply(x);
    expect(y.shape).toEqual([3, CONV_FEATURES]);
    expect(y.dataSync().every((v) => v >= 0)).toBe(true); // ReLU then max-pool
    expect(y.dataSync().some((v) => v > 0)).toBe(true);
    const key = momentumConvCopy(net, 'k');
    expect(key.variables.every((v) => !v.trainable)).toBe(true);
    expect(Array.from(key.apply(x).dataSync())).toEqual(Array.from(y.dataSync()));
    // A one-pixel change moves only the features whose receptive field holds it (7 × 7 grid, 4 × 4 pixels a cell + halo).
    const bumped = x.arraySync();
    bumped[0]![0] = bumped[0]![0]! + 1;
    const z = net.apply(tf.tensor2d(bumped)).arraySync();
    const before = y.arraySync();
    let changedFar = 0;
    for (let f = 0; f < CONV_FEATURES; f++) {
      const cell = Math.floor(f / 32);
      const [row, col] = [Math.floor(cell / 7), cell % 7];
      if ((row > 1 || col > 1) && z[0]![f] !== before[0]![f]) changedFar++;
    }
    expect(changedFar).toBe(0);
    expect(z[1]).toEqual(before[1]);
  });
});

describe('normalizeRows', () => {
  it('gives bit for bit what embed() normalising inside returns, so an evaluation can run the encoder once', () => {
    const net = convNet(new Random(3), 'n');
    const n = 1_234; // not a multiple of the batch
    const x = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7_919) % 251) / 251);
    const inside = embed((t) => net.apply(t), x, n, 784);
    const after = normalizeRows(embed((t) => net.apply(t), x, n, 784, { normalize: false }));
    expect(after.dim).toBe(CONV_FEATURES);
    expect(Buffer.from(after.values.buffer).equals(Buffer.from(inside.values.buffer))).toBe(true);
    const norms = [0, 600, n - 1].map((r) => Math.hypot(...after.values.subarray(r * CONV_FEATURES, (r + 1) * CONV_FEATURES)));
    for (const v of norms) expect(v).toBeCloseTo(1, 5);
  });
});

describe('runExperiment with the CNN encoder', () => {
  const dataset = loadDataset(fashionMnistDir());
  const base: RunConfig = {
    style: 'moco', strategy: 'full', strategyOptions: {}, seed: 0, epochs: 1, batchSize: 32,
    learningRate: 1e-3, trainSize: 12_000, testSize: 5_000, evalSize: 100, mismatch: 0.2, duplicates: 0.2, copies: 4,
  };

  it('a CNN-encoder MoCo run trains and records its settings', async () => {
    const config: RunConfig = {
      ...base, trainSize: 64, testSize: 40, evalSize: 40, bankSize: 100, epochs: 2, encoder: 'cnn', augment: 'crop', evalSplit: 'validation',
    };
    const record = await runExperiment(config, { dataset, backend: 'wasm', progress: false });
    expect(record.config.encoder).toBe('cnn');
    expect(record.epochs).toHaveLength(2);
    expect(Number.isFinite(record.epochs[1]!.trainLoss)).toBe(true);
    expect(record.final.knn).toBeGreaterThan(0.1); // above chance even from 64 images: the conv features carry shape
    expect(record.initDigest).not.toBe((await runExperiment({ ...config, encoder: 'mlp', epochs: 1 }, { dataset, backend: 'wasm', progress: false })).initDigest);
  });
});
