// The demo's training loop, run in Node on the cpu backend: it must learn and
// prune, so that what the page shows is real training.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { spirals } from '../.vitepress/theme/demo/data';
import { DemoRun } from '../.vitepress/theme/demo/run';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('spirals', () => {
  it('is reproducible from its seed and flips about the requested share of labels', () => {
    const a = spirals(3000, 5, 0.1);
    const b = spirals(3000, 5, 0.1);
    expect(a.xy).toEqual(b.xy);
    expect(a.labels).toEqual(b.labels);
    const flipped = a.noisy.reduce((s, v) => s + v, 0) / a.size;
    expect(flipped).toBeGreaterThan(0.07);
    expect(flipped).toBeLessThan(0.13);
    expect(Math.max(...a.xy.map(Math.abs))).toBeLessThanOrEqual(1.1);
  });
});

describe('DemoRun', () => {
  it('trains with SeTa: accuracy rises, the window moves, annealing ends the run, and the views match the plans', async () => {
    const run = new DemoRun({ size: 600, epochs: 16 });
    const views = [await run.runEpoch()];
    const tensorsAfterFirst = tf.memory().numTensors; // the model, the data and Adam's moments, made in epoch 0
    while (!run.done) views.push(await run.runEpoch());
    expect(views.map((v) => v.epoch)).toEqual([...Array(16).keys()]);
    // Pruning happened, and the reported ratio is the pruner's.
    const last = views.at(-1)!;
    expect(last.summary.savedRatioSoFar).toBeCloseTo(run.pruner.savedRatio, 12);
    expect(last.summary.savedRatioSoFar).toBeGreaterThan(0.1);
    // The visited mask is the plan.
    for (const v of views) expect(v.visitedMask.reduce((s, x) => s + x, 0)).toBe(v.summary.visited);
    // SeTa's schedule: prune epochs with a window, partial annealing at the end (δ = 0.875 → from epoch 14).
    expect(views.slice(0, 14).every((v) => v.phase === 'prune' && v.window !== null)).toBe(true);
    expect(views.slice(14).every((v) => v.phase === 'anneal' && v.window === null)).toBe(true);
    expect(new Set(views.slice(1, 14).map((v) => v.window!.start)).size).toBeGreaterThan(1);
    // Groups are assigned once losses are known.
    expect(views[0]!.group.every((g) => g === -1)).toBe(true);
    expect(views[3]!.group.some((g) => g === 4)).toBe(true);
    // It learns: well above chance (1/3) on held-out points.
    expect(last.testAccuracy).toBeGreaterThan(0.6);
    expect(last.trainLoss).toBeLessThan(views[0]!.trainLoss);
    // No tensors leak from epochs.
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    run.dispose();
    await expect(run.runEpoch()).rejects.toThrow(/all 16 epochs are done/);
  }, 60_000);
});
