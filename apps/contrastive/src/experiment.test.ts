import { Random } from '@seta/core';
import { dynamicRandom } from '@seta/baselines';
import { clipLoss, createLogitScale, mocoV3Loss, selectBackend } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import { pruneQuality, runExperiment, trackingPruner } from './experiment.js';
import type { RunConfig } from './record.js';
import { mlp, momentumCopy } from './models.js';
import type { EpochRecord } from './record.js';

beforeAll(async () => {
  await selectBackend({ prefer: ['cpu'] });
});

describe('trackingPruner', () => {
  it('counts the pruned samples and the corrupted ones among them, as a brute force does', () => {
    const n = 500;
    const rng = new Random(4);
    const mismatched = Uint8Array.from({ length: n }, () => (rng.nextFloat() < 0.2 ? 1 : 0));
    const duplicate = Uint8Array.from({ length: n }, (_, i) => (!mismatched[i] && rng.nextFloat() < 0.2 ? 1 : 0));
    const { pruner, lastCounts } = trackingPruner(dynamicRandom({ size: n, epochs: 3, pruneRatio: 0.4, seed: 1 }), mismatched, duplicate);
    for (let epoch = 0; epoch < 3; epoch++) {
      const plan = pruner.plan(epoch);
      const inPlan = new Set(plan.indices);
      let mis = 0;
      let dup = 0;
      for (let i = 0; i < n; i++) {
        if (inPlan.has(i)) continue;
        mis += mismatched[i]!;
        dup += duplicate[i]!;
      }
      expect(lastCounts()).toEqual({ pruned: n - inPlan.size, mismatched: mis, duplicate: dup });
      expect(lastCounts().pruned).toBe(200);
      pruner.observe(plan.indices, new Float32Array(plan.indices.length).fill(1));
      pruner.endEpoch();
    }
  });
});

describe('pruneQuality', () => {
  const epoch = (pruned: number, mis: number, dup: number) => ({ pruned, prunedMismatched: mis, prunedDuplicate: dup }) as EpochRecord;
  it('aggregates over the epochs that pruned', () => {
    const q = pruneQuality([epoch(0, 0, 0), epoch(100, 30, 10), epoch(300, 50, 90)], 200, 100);
    expect(q).toEqual({
      pruningEpochs: 2,
      pruned: 400,
      mismatchedPrecision: 80 / 400,
      mismatchedRecall: 80 / 400,
      duplicatePrecision: 100 / 400,
      duplicateRecall: 100 / 200,
    });
  });
  it('is NaN (not 0) where nothing was pruned or nothing was corrupted', () => {
    const q = pruneQuality([epoch(0, 0, 0)], 10, 0);
    expect(q.pruningEpochs).toBe(0);
    expect(q.mismatchedPrecision).toBeNaN();
    expect(pruneQuality([epoch(5, 0, 0)], 10, 0).duplicateRecall).toBeNaN();
  });
});

describe('the per-sample losses the runs train on', () => {
  it('CLIP-style: two [B] directions from the encoders; swapping images and texts swaps them', () => {
    const rng = new Random(1);
    const image = mlp([12, 8, 4], rng, 'i');
    const text = mlp([6, 8, 4], rng, 't');
    const s = createLogitScale();
    const x = tf.randomUniform([5, 12], 0, 1, 'float32', 1) as tf.Tensor2D;
    const t = tf.randomUniform([5, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
    const a = clipLoss(image.apply(x), text.apply(t), s);
    const b = clipLoss(text.apply(t), image.apply(x), s);
    expect(a.imageToText.shape).toEqual([5]);
    expect(a.textToImage.shape).toEqual([5]);
    expect(Array.from(a.imageToText.dataSync())).toEqual(Array.from(b.textToImage.dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(Array.from(a.textToImage.dataSync())).toEqual(Array.from(b.imageToText.dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(a.imageToText.dataSync().every((v) => v > 0)).toBe(true);
  });

  it('MoCo-style: two [B] directions; swapping the views swaps them; the momentum copy starts equal', () => {
    const rng = new Random(2);
    const backbone = mlp([12, 8, 6], rng, 'b', { finalRelu: true });
    const predictor = mlp([6, 8, 6], rng, 'p');
    const key = momentumCopy(backbone, 'k');
    expect(key.variables.every((v) => !v.trainable)).toBe(true);
    key.variables.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(backbone.variables[i]!.dataSync())));
    const v1 = tf.randomUniform([4, 12], 0, 1, 'float32', 3) as tf.Tensor2D;
    const v2 = tf.randomUniform([4, 12], 0, 1, 'float32', 4) as tf.Tensor2D;
    const q = (v: tf.Tensor2D) => predictor.apply(backbone.apply(v));
    const a = mocoV3Loss(q(v1), q(v2), key.apply(v1), key.apply(v2));
    const b = mocoV3Loss(q(v2), q(v1), key.apply(v2), key.apply(v1));
    expect(a.view1ToView2.shape).toEqual([4]);
    expect(Array.from(a.view1ToView2.dataSync())).toEqual(Array.from(b.view2ToView1.dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(Array.from(a.view2ToView1.dataSync())).toEqual(Array.from(b.view1ToView2.dataSync()).map((v) => expect.closeTo(v, 5)));
  });
});

describe('runExperiment', () => {
  it('a run stopped after an epoch resumes from its checkpoint with the same plans and keeps the earlier epochs’ records', async () => {
    const dataset = loadDataset(fashionMnistDir());
    const config: RunConfig = {
      style: 'clip', strategy: 'dynamicRandom', strategyOptions: { pruneRatio: 0.3 }, seed: 3, epochs: 4, batchSize: 32,
      learningRate: 1e-3, trainSize: 128, testSize: 40, evalSize: 40, mismatch: 0.2, duplicates: 0.2, copies: 4,
    };
    const whole = await runExperiment(config, { dataset, backend: 'cpu', progress: false });
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-resume-'));
    try {
      const checkpointDir = join(dir, 'ckpt');
      await expect(
        runExperiment(config, {
          dataset, backend: 'cpu', progress: false, checkpointDir,
          onEpoch: (e) => {
            if (e.epoch === 2) throw new Error('killed');
          },
        }),
      ).rejects.toThrow('killed');
      const trained: number[] = [];
      const resumed = await runExperiment(config, { dataset, backend: 'cpu', progress: false, checkpointDir, onEpoch: (e) => void trained.push(e.epoch) });
      expect(trained).toEqual([3]); // the trainer checkpoints epoch 2 before its epoch callback: 0–2 came from the checkpoint
      const plans = (r: typeof whole) => r.epochs.map((e) => [e.epoch, e.visited, e.pruned, e.prunedMismatched, e.prunedDuplicate]);
      expect(plans(resumed)).toEqual(plans(whole));
      expect(resumed.epochs.map((e) => e.trainLoss)).toEqual(whole.epochs.map((e) => e.trainLoss));
      expect(resumed.final).toEqual(whole.final);
      expect(resumed.pruneQuality).toEqual(whole.pruneQuality);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
