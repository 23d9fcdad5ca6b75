import { Random } from '@seta/core';
import { dynamicRandom } from '@seta/baselines';
import { infobatch } from '@seta/infobatch';
import { CHECKPOINT_FILE, clipLoss, createLogitScale, mocoV3Loss, selectBackend } from '@seta/tfjs-trainer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fashionMnistDir, loadDataset } from '@seta-apps/shared';
import { evaluationSplit, pruneQuality, runExperiment, trackingPruner, variablesDigest, wholeRunAccounting } from './experiment.js';
import type { RunConfig, RunRecord } from './record.js';
import { mlp, momentumCopy } from './models.js';
import type { EpochRecord } from './record.js';

beforeAll(async () => {
  await selectBackend({ prefer: ['cpu'] });
});

/** Random ground truth for `n` pairs: about 20 % ill-matched, then about 20 % of the rest duplicates. */
function corruptionFlags(n: number, seed: number): { mismatched: Uint8Array; duplicate: Uint8Array } {
  const rng = new Random(seed);
  const mismatched = Uint8Array.from({ length: n }, () => (rng.nextFloat() < 0.2 ? 1 : 0));
  const duplicate = Uint8Array.from({ length: n }, (_, i) => (!mismatched[i] && rng.nextFloat() < 0.2 ? 1 : 0));
  return { mismatched, duplicate };
}

describe('trackingPruner', () => {
  it('counts the pruned samples and the corrupted ones among them, as a brute force does', () => {
    const n = 500;
    const { mismatched, duplicate } = corruptionFlags(n, 4);
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

describe('trackingPruner plan weights', () => {
  it('sums the plan weights over all visits and over the corrupted ones, as a brute force does (InfoBatch rescales)', () => {
    const n = 400;
    const { mismatched, duplicate } = corruptionFlags(n, 9);
    const { pruner, lastWeights } = trackingPruner(infobatch({ size: n, epochs: 4, pruneRatio: 0.5, seed: 2 }), mismatched, duplicate);
    let rescaled = false;
    for (let epoch = 0; epoch < 4; epoch++) {
      const plan = pruner.plan(epoch);
      let w = 0;
      let wm = 0;
      let wd = 0;
      plan.indices.forEach((id, i) => {
        const x = plan.weights === null ? 1 : plan.weights[i]!;
        if (x !== 1) rescaled = true;
        w += x;
        wm += x * mismatched[id]!;
        wd += x * duplicate[id]!;
      });
      expect(lastWeights().weightSum).toBeCloseTo(w, 6);
      expect(lastWeights().weightedMismatched).toBeCloseTo(wm, 6);
      expect(lastWeights().weightedDuplicate).toBeCloseTo(wd, 6);
      pruner.observe(plan.indices, Float32Array.from(plan.indices, (id) => (id % 7) / 7));
      pruner.endEpoch();
    }
    expect(rescaled).toBe(true);
  });
});

describe('wholeRunAccounting', () => {
  const e = (visited: number, mis: number, dup: number, w?: [number, number, number]) =>
    ({ visited, pruned: 100 - visited, prunedMismatched: mis, prunedDuplicate: dup, ...(w === undefined ? {} : { weightSum: w[0], weightedMismatched: w[1], weightedDuplicate: w[2] }) }) as EpochRecord;
  const corruption = { size: 100, mismatched: 20, duplicate: 10 };

  it('counts every epoch of the horizon, pruning or not, and weighs visits by plan weight', () => {
    // Epoch 0: full (20 + 10 visited, weight 1 each). Epoch 1: 10 ill-matched and 5 duplicates pruned; the
    // 10 ill-matched visits made carry weight 2 (rescaled), the 5 duplicates weight 1.
    const a = wholeRunAccounting([e(100, 0, 0, [100, 20, 10]), e(60, 10, 5, [100, 20, 5])], corruption, 2);
    expect(a.visitsRatio).toBeCloseTo(160 / 200, 12);
    expect(a.weightedVisitsRatio).toBeCloseTo(1, 12);
    expect(a.mismatchedVisitsSkipped).toBeCloseTo(10 / 40, 12);
    expect(a.mismatchedWeightSkipped).toBeCloseTo(0, 12);
    expect(a.duplicateVisitsSkipped).toBeCloseTo(5 / 20, 12);
    expect(a.duplicateWeightSkipped).toBeCloseTo(5 / 20, 12);
  });

  it('reads a whole-run share far below the per-pruning-epoch recall when few epochs prune', () => {
    const epochs = [e(100, 0, 0), e(100, 0, 0), e(40, 20, 0)];
    expect(pruneQuality(epochs, 20, 10).mismatchedRecall).toBe(1);
    expect(wholeRunAccounting(epochs, corruption, 3).mismatchedVisitsSkipped).toBeCloseTo(1 / 3, 12);
    // Records without weights count each visit 1.
    expect(wholeRunAccounting(epochs, corruption, 3).mismatchedWeightSkipped).toBeCloseTo(1 / 3, 12);
  });

  it('is NaN where nothing was corrupted', () => {
    expect(wholeRunAccounting([e(100, 0, 0)], { size: 100, mismatched: 0, duplicate: 0 }, 1).mismatchedVisitsSkipped).toBeNaN();
  });
});

describe('variablesDigest', () => {
  it('is equal for equal weights and differs when one value or a shape differs', () => {
    const a = mlp([4, 3], new Random(1), 'digest-a');
    const b = mlp([4, 3], new Random(1), 'digest-b');
    const c = mlp([4, 3], new Random(2), 'digest-c');
    expect(variablesDigest(a.variables)).toMatch(/^[0-9a-f]{64}$/);
    expect(variablesDigest(b.variables)).toBe(variablesDigest(a.variables));
    expect(variablesDigest(c.variables)).not.toBe(variablesDigest(a.variables));
    const flat = tf.variable(tf.tensor1d(Array.from(a.variables[0]!.dataSync())));
    expect(variablesDigest([flat, a.variables[1]!])).not.toBe(variablesDigest(a.variables));
    [...a.variables, ...b.variables, ...c.variables, flat].forEach((v) => v.dispose());
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
  const resumeConfig: RunConfig = {
    style: 'clip', strategy: 'dynamicRandom', strategyOptions: { pruneRatio: 0.3 }, seed: 3, epochs: 4, batchSize: 32,
    learningRate: 1e-3, trainSize: 128, testSize: 40, evalSize: 40, mismatch: 0.2, duplicates: 0.2, copies: 4,
  };
  let uninterrupted: Promise<RunRecord> | undefined;
  /** The run without checkpoints, once for the resume tests. */
  const wholeRun = () => (uninterrupted ??= runExperiment(resumeConfig, { dataset: loadDataset(fashionMnistDir()), backend: 'cpu', progress: false }));
  /** A record's epochs without their timings: what a resumed run must reproduce exactly. */
  const untimed = (r: RunRecord) => r.epochs.map(({ wallTimeMs, cpuTimeMs, ...rest }) => (void wallTimeMs, void cpuTimeMs, rest));
  const expectSameRun = (resumed: RunRecord, whole: RunRecord) => {
    expect(untimed(resumed)).toEqual(untimed(whole));
    expect(resumed.final).toEqual(whole.final);
    expect(resumed.pruneQuality).toEqual(whole.pruneQuality);
    expect(resumed.wholeRun).toEqual(whole.wholeRun);
    expect(resumed.savedRatio).toBe(whole.savedRatio);
    expect(resumed.initDigest).toBe(whole.initDigest);
  };

  it('a run stopped after an epoch resumes from its checkpoint with the same plans and keeps the earlier epochs’ records', async () => {
    const dataset = loadDataset(fashionMnistDir());
    const config = resumeConfig;
    const whole = await wholeRun();
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
      expect(trained).toEqual([3]); // epoch 2's record and then its checkpoint are written before the epoch callback: 0–2 came from the checkpoint
      const plans = (r: typeof whole) => r.epochs.map((e) => [e.epoch, e.visited, e.pruned, e.prunedMismatched, e.prunedDuplicate]);
      expect(plans(resumed)).toEqual(plans(whole));
      expect(resumed.epochs.map((e) => e.trainLoss)).toEqual(whole.epochs.map((e) => e.trainLoss));
      expectSameRun(resumed, whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /*
   * A kill between the trainer's end of an epoch and the app's record of it
   * used to leave a checkpoint one epoch ahead of the records, and the run
   * refused to resume. Here the write that fails (a directory stands where
   * the file goes, as a kill at that instant would leave the disk) is
   * epoch 2's record, and then, the other way round, epoch 2's checkpoint.
   */
  it.each([
    ['the epoch’s record', 'epochs.json'],
    ['the checkpoint after the epoch’s record', CHECKPOINT_FILE],
  ])('a run killed at the write of %s resumes without losing an epoch and gives the uninterrupted run’s records', async (_, file) => {
    const dataset = loadDataset(fashionMnistDir());
    const whole = await wholeRun();
    const dir = mkdtempSync(join(tmpdir(), 'contrastive-kill-'));
    try {
      const checkpointDir = join(dir, 'ckpt');
      const path = join(checkpointDir, file);
      let kept: Buffer | undefined;
      await expect(
        runExperiment(resumeConfig, {
          dataset, backend: 'cpu', progress: false, checkpointDir,
          onEpoch: (e) => {
            if (e.epoch !== 1) return;
            kept = readFileSync(path);
            rmSync(path);
            mkdirSync(path);
          },
        }),
      ).rejects.toThrow();
      // The disk as the kill leaves it: the file as it was after epoch 1.
      rmSync(path, { recursive: true });
      writeFileSync(path, kept!);
      const trained: number[] = [];
      const resumed = await runExperiment(resumeConfig, { dataset, backend: 'cpu', progress: false, checkpointDir, onEpoch: (e) => void trained.push(e.epoch) });
      expect(trained).toEqual([2, 3]); // epoch 2 is trained again, from the checkpoint of epoch 1's end
      expectSameRun(resumed, whole);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('full data for a budget: same initial weights as the arms, the visits cut, evaluations at the last epochs, raw-pixel references', async () => {
    const dataset = loadDataset(fashionMnistDir());
    const base: RunConfig = {
      style: 'moco', strategy: 'scan', strategyOptions: { targetSavedRatio: 0.35 }, seed: 5, epochs: 4, batchSize: 32,
      learningRate: 1e-3, trainSize: 100, testSize: 40, evalSize: 40, mismatch: 0.2, duplicates: 0.2, copies: 4, evaluateLast: 2, bankSize: 200,
    };
    const arm = await runExperiment(base, { dataset, backend: 'cpu', progress: false });
    const budget = await runExperiment(
      { ...base, strategy: 'full', strategyOptions: {}, epochs: 3, budgetEpochs: 2.5, rawPixelReferences: true },
      { dataset, backend: 'cpu', progress: false },
    );
    expect(budget.initDigest).toBe(arm.initDigest);
    expect(budget.epochs.map((e) => e.visited)).toEqual([100, 100, 50]);
    expect(budget.wholeRun!.visitsRatio).toBeCloseTo(1, 12);
    expect(budget.epochs.map((e) => e.evaluation !== undefined)).toEqual([false, true, true]);
    expect(budget.final).toEqual(budget.epochs[2]!.evaluation);
    expect(Object.keys(budget.references!).sort()).toEqual(['rawPixelKnn', 'rawPixelLinearProbe']);
    expect(arm.references).toBeUndefined();
    const other = await runExperiment({ ...base, seed: 6, epochs: 1, evaluateLast: 1 }, { dataset, backend: 'cpu', progress: false });
    expect(other.initDigest).not.toBe(arm.initDigest);
    await expect(runExperiment({ ...base, budgetEpochs: 2.5 }, { dataset, backend: 'cpu', progress: false })).rejects.toThrow(
      'runExperiment(): budgetEpochs is for full data only, got strategy scan',
    );
  });
});

describe('evaluationSplit', () => {
  const dataset = loadDataset(fashionMnistDir());
  const base: RunConfig = {
    style: 'moco', strategy: 'full', strategyOptions: {}, seed: 0, epochs: 1, batchSize: 32,
    learningRate: 1e-3, trainSize: 12_000, testSize: 5_000, evalSize: 100, mismatch: 0.2, duplicates: 0.2, copies: 4,
  };

  it('is the first test images by default, and the last training images (never trained on, never in the bank) for validation', () => {
    const test = evaluationSplit(dataset, base);
    expect(test.count).toBe(5_000);
    expect(Array.from(test.images.subarray(0, 784))).toEqual(Array.from(dataset.test.images.subarray(0, 784)));
    const validation = evaluationSplit(dataset, { ...base, evalSplit: 'validation' });
    expect(validation.count).toBe(5_000);
    const from = (60_000 - 5_000) * 784;
    expect(Array.from(validation.images.subarray(0, 784))).toEqual(Array.from(dataset.train.images.subarray(from, from + 784)));
    expect(Array.from(validation.labels)).toEqual(Array.from(dataset.train.labels.subarray(55_000)));
  });

  it('refuses validation images that would overlap the training pairs', () => {
    expect(() => evaluationSplit(dataset, { ...base, evalSplit: 'validation', trainSize: 56_000 })).toThrow(
      'evaluationSplit(): 5000 validation images after the first 56000 training images need 61000, the training split has 60000',
    );
  });
});
