/*
 * The package as a browser app gets it: `import … from '@seta/tfjs-trainer'`
 * bundled by esbuild for the browser (which takes the exports' `browser`
 * condition, dist/browser.js), with no Node built-in anywhere in the bundle,
 * then run in headless Chromium (Debian's, through playwright-core): a
 * tfjs-layers model trains with a pruner, checkpoints to IndexedDB, stops,
 * resumes in a fresh trainer to the weights of an uninterrupted run, and a
 * store held by another tab is refused. Needs dist/ (CI builds before it
 * tests) and Chromium: CHROMIUM_PATH, /usr/bin/chromium or
 * /usr/bin/chromium-browser. Without Chromium the test is skipped, saying
 * so — unless CI or CHROMIUM_PATH is set, where it fails (.ci/run installs
 * Chromium and sets CHROMIUM_PATH before the tests).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '..');
const browserBuild = join(pkg, 'dist/browser.js');
const origin = 'https://trainer.test/';
const chromiumFromEnv = process.env.CHROMIUM_PATH === '' ? undefined : process.env.CHROMIUM_PATH;
const executablePath = chromiumFromEnv ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
/** In CI (or when CHROMIUM_PATH names a browser) a missing Chromium fails the test instead of skipping it. */
const required = (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') || chromiumFromEnv !== undefined;

// What a page of a user's app would hold: the model, the data, a pruner and the trainer.
const entry = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random, annealStage, createPruner, downsampleStage } from '@seta/core';
import {
  CheckpointLockError, Trainer, arrayDataSource, fit, indexedDbCheckpointStore, memoryCheckpointStore, softmaxCrossEntropy,
} from '@seta/tfjs-trainer';

const N = 120, D = 4, C = 3, EPOCHS = 6;

function dataset() {
  const rng = new Random(1);
  const x = Float32Array.from({ length: N * D }, () => rng.nextFloat() * 2 - 1);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const s = [x[i * D] + x[i * D + 1], x[i * D + 2] - x[i * D], -x[i * D + 1] - x[i * D + 3]];
    y[i] = s.indexOf(Math.max(...s));
  }
  return { x, y };
}

function run(checkpoint, extra = {}) {
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [D], units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.dense({ units: C, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  const { x, y } = dataset();
  const data = arrayDataSource({ values: x, shape: [N, D] }, { values: y, shape: [N] });
  const pruner = createPruner({ name: 'browser-test', size: N, epochs: EPOCHS, seed: 3,
    stages: [annealStage({ delta: 0.8 }), downsampleStage({ keep: 0.6 })] });
  const trainer = new Trainer({
    model, optimizer: tf.train.adam(0.05), pruner, data, epochs: EPOCHS, batchSize: 16, seed: 4, checkpoint,
    loss: (logits, ys) => softmaxCrossEntropy(ys, logits), ...extra,
  });
  return { model, trainer };
}

const weights = (model) => model.getWeights().map((w) => Array.from(w.dataSync()));

self.trainInBrowser = async () => {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  // Uninterrupted, with a checkpoint in memory.
  const whole = run(memoryCheckpointStore());
  const wholeResult = await whole.trainer.fit();
  // Stopped after epoch 3 with a checkpoint in IndexedDB, then resumed by a fresh trainer.
  const store = indexedDbCheckpointStore('browser-test');
  const first = run(store, { onEpochEnd: (r) => { if (r.epoch === 2) first.trainer.stop(); } });
  const firstResult = await first.trainer.fit();
  const second = run(indexedDbCheckpointStore('browser-test'));
  const secondResult = await second.trainer.fit();
  let checkpointDirError = null;
  try { run(undefined, { checkpointDir: 'runs/x' }); } catch (e) { checkpointDirError = e.message; }
  return {
    backend: tf.getBackend(),
    losses: wholeResult.epochs.map((r) => r.loss),
    visited: wholeResult.epochs.map((r) => r.visited),
    savedRatio: wholeResult.epochs.at(-1).savedRatioSoFar,
    stoppedAt: firstResult.epochs.length,
    resumedFrom: secondResult.resumedFrom,
    resumedEpochs: secondResult.epochs.map((r) => r.epoch),
    sameWeights: JSON.stringify(weights(second.model)) === JSON.stringify(weights(whole.model)),
    checkpointDirError,
  };
};

// fit(): model.fit's shape, with a pruner built for the run.
self.fitInBrowser = async () => {
  await tf.setBackend('cpu');
  const { x, y } = dataset();
  const xs = tf.tensor2d(x, [N, D]);
  const ys = tf.oneHot(tf.tensor1d(y, 'int32'), C);
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [D], units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.dense({ units: C, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await fit(model, xs, ys, {
    pruner: ({ size, epochs }) => createPruner({ name: 'browser-fit', size, epochs, seed: 3,
      stages: [annealStage({ delta: 0.8 }), downsampleStage({ keep: 0.6 })] }),
    epochs: EPOCHS, batchSize: 16, validationSplit: 0.25,
  });
  return history.history;
};

// Another tab's trainer holds the store: this one must be refused.
self.holdStore = async (name) => { self.held = await indexedDbCheckpointStore(name).lock('holder'); return true; };
self.releaseStore = async () => { await self.held.release(); return true; };
self.trainOn = async (name) => {
  await tf.setBackend('cpu');
  try {
    await run(indexedDbCheckpointStore(name)).trainer.fit();
    return 'trained';
  } catch (e) {
    return (e instanceof CheckpointLockError ? 'CheckpointLockError: ' : 'other: ') + e.message;
  }
};
`;

const isBuiltin = (path: string) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0]!);

let code = '';
let metafile: Metafile;
let browser: Browser | null = null;
/** One origin's storage, shared by the pages (tabs) of a test. */
let context: BrowserContext | null = null;

async function openPage(): Promise<Page & { errors: string[] }> {
  const page = (await context!.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.route(`${origin}**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/bundle.js') return route.fulfill({ contentType: 'text/javascript', body: code });
    return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>trainer</title><script src="/bundle.js"></script>' });
  });
  await page.goto(origin);
  await page.waitForFunction(() => 'trainInBrowser' in globalThis);
  return page;
}

describe.skipIf(executablePath === undefined && !required)('@seta/tfjs-trainer in a browser', () => {
  beforeAll(async () => {
    if (executablePath === undefined || !existsSync(executablePath)) {
      throw new Error(
        `no Chromium at ${executablePath ?? '/usr/bin/chromium or /usr/bin/chromium-browser'}, and this run requires the browser test (CI or CHROMIUM_PATH is set): .ci/run installs Chromium`,
      );
    }
    if (!existsSync(browserBuild) || statSync(browserBuild).mtimeMs < statSync(join(pkg, 'src/index.ts')).mtimeMs) {
      throw new Error(`${browserBuild} is missing or older than src/index.ts: run \`npx pnpm@10.34.9 --filter @seta/tfjs-trainer build\` first`);
    }
    const result = await build({
      stdin: { contents: entry, resolveDir: pkg, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.text;
    metafile = result.metafile;
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('bundles for the browser from the browser build, with no Node built-in in the bundle', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('dist/browser.js');
    expect(inputs.filter((p) => /^dist\/index\.c?js$/.test(p)), 'the Node build is not bundled').toEqual([]);
    for (const path of inputs) expect(isBuiltin(path), `bundle input ${path}`).toBe(false);
    for (const [path, input] of Object.entries(metafile.inputs)) {
      for (const i of input.imports) {
        expect(isBuiltin(i.path) && !i.path.startsWith('(disabled)'), `${path} imports ${i.path}`).toBe(false);
      }
    }
    expect(readFileSync(browserBuild, 'utf8')).not.toMatch(/from "node:|require\(|cli-progress/);
  });

  it('trains a tfjs-layers model with a pruner in Chromium, checkpoints to IndexedDB and resumes to the same weights', async () => {
    const page = await openPage();
    const r = await page.evaluate(() => (globalThis as unknown as { trainInBrowser(): Promise<Record<string, unknown>> }).trainInBrowser());
    expect(page.errors).toEqual([]);
    expect(r.backend).toBe('cpu');
    const losses = r.losses as number[];
    expect(losses).toHaveLength(6);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    // The pruner keeps 60 % of the samples, and all of them in its annealing epochs (the last 20 %, rounded up).
    expect(r.visited).toEqual([72, 72, 72, 72, 120, 120]);
    expect(r.savedRatio).toBeCloseTo((4 * 48) / (6 * 120), 10);
    expect(r.stoppedAt).toBe(3);
    expect(r.resumedFrom).toBe(3);
    expect(r.resumedEpochs).toEqual([3, 4, 5]);
    expect(r.sameWeights).toBe(true);
    expect(r.checkpointDirError).toMatch(/^Trainer\(\): checkpointDir \("runs\/x"\) needs a file system, .* pass checkpoint: indexedDbCheckpointStore\(name\)/);
    await page.close();
  }, 120_000);

  it('runs fit() on a compiled model in Chromium and returns its History', async () => {
    const page = await openPage();
    const h = await page.evaluate(() => (globalThis as unknown as { fitInBrowser(): Promise<Record<string, number[]>> }).fitInBrowser());
    expect(page.errors).toEqual([]);
    expect(h.loss).toHaveLength(6);
    expect(h.val_loss).toHaveLength(6);
    expect(h.loss!.at(-1)!).toBeLessThan(h.loss![0]!);
    // 90 training samples after validationSplit 0.25: 60 % of them (54), all in the annealing epochs.
    expect(h.visited).toEqual([54, 54, 54, 54, 90, 90]);
    await page.close();
  }, 120_000);

  it('refuses an IndexedDB store another tab holds (Web Locks), and trains once it is released', async () => {
    const holder = await openPage();
    const other = await openPage();
    await holder.evaluate(() => (globalThis as unknown as { holdStore(n: string): Promise<boolean> }).holdStore('shared'));
    const trainOn = () => other.evaluate(() => (globalThis as unknown as { trainOn(n: string): Promise<string> }).trainOn('shared'));
    expect(await trainOn()).toBe(
      'CheckpointLockError: Trainer.fit(): checkpoint store IndexedDB seta-checkpoints/shared is in use by a trainer in another tab or worker',
    );
    await holder.evaluate(() => (globalThis as unknown as { releaseStore(): Promise<boolean> }).releaseStore());
    expect(await trainOn()).toBe('trained');
    expect([...holder.errors, ...other.errors]).toEqual([]);
    await holder.close();
    await other.close();
  }, 120_000);
});

if (executablePath === undefined && !required) {
  const why = 'no Chromium (CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser; on Debian: apt-get install chromium) — CI installs it and runs this test';
  console.warn(`trainer.browser.test.ts: skipped, ${why}`);
  describe('@seta/tfjs-trainer in a browser', () => {
    it.skip(`is skipped: ${why}`, () => {});
  });
}
