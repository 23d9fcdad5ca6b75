// The demo's training loop, run in Node on the cpu backend: it must learn and
// prune, so that what the page shows is real training, and its full-data
// reference must start where the pruned run starts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { spirals } from '../.vitepress/theme/demo/data';
import { DemoRun, STRATEGIES, type Level, type StrategyName } from '../.vitepress/theme/demo/run';

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
  it('starts the pruned run and the full-data run from the same weights, data and test set', () => {
    const pruned = new DemoRun({ strategy: 'infobatch', level: 'strong' });
    const reference = new DemoRun({ strategy: 'full' });
    expect(pruned.weights()).toEqual(reference.weights());
    expect(pruned.train.xy).toEqual(reference.train.xy);
    expect(pruned.train.labels).toEqual(reference.train.labels);
    expect(pruned.test.xy).toEqual(reference.test.xy);
    // A different seed is a different start, so the equality above means something.
    const other = new DemoRun({ strategy: 'full', seed: 2 });
    expect(other.weights()).not.toEqual(reference.weights());
    for (const run of [pruned, reference, other]) run.dispose();
  });

  it('trains SeTa beside full data: accuracy rises, the window moves, the views match the plans, and the pruned run ends near the full one', async () => {
    // The page's default run, at its full length.
    const run = new DemoRun();
    const reference = new DemoRun({ strategy: 'full' });
    const epochs = run.options.epochs;
    expect(run.options).toMatchObject({ strategy: 'seta', level: 'strong', epochs: 60 });
    const views = [await run.runEpoch()];
    const fullViews = [await reference.runEpoch()];
    const tensorsAfterFirst = tf.memory().numTensors; // the models, the data and Adam's moments, made in epoch 0
    while (!run.done) {
      views.push(await run.runEpoch());
      fullViews.push(await reference.runEpoch());
    }
    expect(views.map((v) => v.epoch)).toEqual([...Array(epochs).keys()]);
    // Pruning happened, and the reported ratio is the pruner's; full data saves nothing.
    const last = views.at(-1)!;
    expect(last.summary.savedRatioSoFar).toBeCloseTo((run.pruner as unknown as { savedRatio: number }).savedRatio, 12);
    expect(last.summary.savedRatioSoFar).toBeGreaterThan(0.3);
    expect(fullViews.every((v) => v.summary.visited === 1200)).toBe(true);
    // The visited mask is the plan, and the flipped labels counted are among the visited.
    for (const v of views) {
      expect(v.visitedMask.reduce((s, x) => s + x, 0)).toBe(v.summary.visited);
      expect(v.visitedFlipped).toBe(v.visitedMask.reduce((s, x, i) => s + x * run.train.noisy[i]!, 0));
    }
    // SeTa's schedule: prune epochs with a window, partial annealing at the end (δ = 0.875 → from epoch 52).
    expect(views.slice(0, 52).every((v) => v.phase === 'prune' && v.window !== null)).toBe(true);
    expect(views.slice(52).every((v) => v.phase === 'anneal' && v.window === null)).toBe(true);
    expect(new Set(views.slice(1, 52).map((v) => v.window!.start)).size).toBeGreaterThan(1);
    // Groups are assigned once losses are known.
    expect(views[0]!.group.every((g) => g === -1)).toBe(true);
    expect(views[3]!.group.some((g) => g === 4)).toBe(true);
    // The window's hardest position holds the flipped labels: those epochs visit few points, mislabelled
    // ones far above their share of the data.
    const base = run.train.noisy.reduce((s, x) => s + x, 0) / run.train.size;
    const hardest = views.filter((v) => v.window && v.window.end === 5 && v.window.start > 0);
    expect(hardest.length).toBeGreaterThan(2);
    const flippedShare = hardest.reduce((s, v) => s + v.visitedFlipped, 0) / hardest.reduce((s, v) => s + v.summary.visited, 0);
    expect(flippedShare).toBeGreaterThan(2 * base);
    // Both learn: well above chance (1/3) on held-out points, and the pruned run ends within 5 points of the full one.
    expect(fullViews.at(-1)!.testAccuracy).toBeGreaterThan(0.9);
    expect(last.testAccuracy).toBeGreaterThan(fullViews.at(-1)!.testAccuracy - 0.05);
    expect(last.trainLoss).toBeLessThan(views[0]!.trainLoss);
    // No tensors leak from epochs.
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    run.dispose();
    reference.dispose();
    await expect(run.runEpoch()).rejects.toThrow(/all 60 epochs are done/);
  }, 120_000);

  it('builds every strategy at every level, and each prunes', async () => {
    for (const [name, { levels }] of Object.entries(STRATEGIES)) {
      for (const level of Object.keys(levels) as Level[]) {
        const run = new DemoRun({ strategy: name as StrategyName, level, epochs: 8, size: 300 });
        while (!run.done) await run.runEpoch();
        expect(run.history.at(-1)!.summary.savedRatioSoFar, `${name} ${level}`).toBeGreaterThan(0);
        run.dispose();
      }
    }
  }, 120_000);

  it('with the test-only fault, trains on a sliver of each plan', async () => {
    const run = new DemoRun({ strategy: 'seta', fault: 'mis-prune', epochs: 3 });
    while (!run.done) await run.runEpoch();
    for (const v of run.history) expect(v.visitedMask.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(Math.ceil(0.02 * 1200));
    run.dispose();
  });
});
