// Training-step benchmark of @seta/tfjs-wasm-training, in one process:
//   1. a 784-256-10 MLP (tfjs-layers, batch 256, Adam and SGD): the stock wasm
//      backend against wasm with the training kernels, in alternating rounds;
//   2. the classification app's CNN (apps/classification/src/models.ts: two
//      conv-BN-ReLU-maxpool blocks of 16 and 32 channels, dropout, dense 64,
//      dense 10) at batch 64 with Adam: stock wasm (cannot train), wasm with the
//      kernels, and the cpu backend;
//   3. a per-kernel profile (tf.profile) of one step of each, to show where
//      the time goes.
// Prints JSON (and writes it with --out). Run after a build, on an otherwise
// idle machine:
//   node bench/train-step.mjs [--out bench/results.json] [--no-cpu] [--quick]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { generator, median, round } from './bench-utils.mjs';
import { cnn as cnnOf } from './cnn.mjs';
import { registerGradients, registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '../dist/index.js';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : null;
const withCpu = !args.includes('--no-cpu');
// --quick: one round of few steps, to check the script (not for figures).
const quick = args.includes('--quick');
const ROUNDS = quick ? 1 : 5;
const log = (...a) => console.error(...a); // progress on stderr, JSON on stdout

const git = (...a) => {
  try {
    return execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const loadBefore = os.loadavg();
registerGradients();
await tf.setBackend('wasm');
log(`node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

// A seeded generator, so every run sees the same data.
const rand = generator(1);
const randomTensor = (shape) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), shape);
const labels = (n) => tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(rand() * 10)), 'int32'), 10);

/** One training step function: forward, softmax cross-entropy, backward, optimizer update, synchronised by a read-back. */
function stepOf(model, optimizer, x, y) {
  return () => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
    cost.dataSync();
    cost.dispose();
  };
}

/** Times of `steps` calls of `step` after `warmup` calls, in ms. */
function timeSteps(step, steps, warmup = 1) {
  for (let i = 0; i < warmup; i++) step();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return times;
}

/**
 * tf.profile of one step: time per kernel name (ms, summed over its calls; on
 * wasm each kernel's wall time), largest first, and the profiled step's wall
 * time (profiling adds overhead: compare shares, not totals, with the timings).
 */
async function kernelProfile(step) {
  step(); // warm
  const t0 = performance.now();
  const info = await tf.profile(step);
  const wallMs = performance.now() - t0;
  const byName = new Map();
  for (const k of info.kernels) {
    // `…__op` entries are custom-gradient ops (softmaxCrossEntropy, fusedConv2d) whose time includes their kernels'.
    if (k.name.endsWith('__op')) continue;
    const e = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    e.calls++;
    e.ms += await k.kernelTimeMs;
    byName.set(k.name, e);
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  const kernelMs = kernels.reduce((s, e) => s + e.ms, 0);
  return {
    profiledStepMs: round(wallMs),
    kernelMs: round(kernelMs),
    kernels: kernels.map((e) => ({ kernel: e.kernel, calls: e.calls, ms: round(e.ms, 3), share: round(e.ms / kernelMs, 3) })),
  };
}

// ---------------------------------------------------------------- 1. MLP
const MLP_BATCH = 256;
const mlpX = randomTensor([MLP_BATCH, 784]);
const mlpY = labels(MLP_BATCH);
const mlp = () =>
  tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }), tfl.layers.dense({ units: 10 })] });

async function mlpBench(optimizerName) {
  const model = mlp();
  const optimizer = optimizerName === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-3);
  const step = stepOf(model, optimizer, mlpX, mlpY);
  const stock = [];
  const fast = [];
  for (let r = 0; r < ROUNDS; r++) {
    unregisterWasmTrainingKernels();
    stock.push(...timeSteps(step, quick ? 2 : 5));
    registerWasmTrainingKernels();
    fast.push(...timeSteps(step, quick ? 2 : 15));
  }
  const result = {
    optimizer: optimizerName === 'adam' ? 'Adam' : 'SGD',
    wasmStockMs: round(median(stock)),
    wasmKernelsMs: round(median(fast)),
    speedup: round(median(stock) / median(fast)),
    wasmKernelsMsPerSample: round(median(fast) / MLP_BATCH, 4),
    steps: { stock: stock.length, kernels: fast.length },
  };
  if (optimizerName === 'adam') {
    unregisterWasmTrainingKernels();
    result.profileStock = await kernelProfile(step);
    registerWasmTrainingKernels();
    result.profileKernels = await kernelProfile(step);
  }
  optimizer.dispose();
  model.dispose();
  return result;
}
const mlpRuns = [await mlpBench('adam'), await mlpBench('sgd')];
for (const r of mlpRuns) log(`MLP (${r.optimizer}): stock ${r.wasmStockMs} ms, kernels ${r.wasmKernelsMs} ms, ${r.speedup}×`);

// ---------------------------------------------------------------- 2. the classification app's CNN
const CNN_BATCH = 64;
const cnn = (seed) => cnnOf(tfl, seed);
const cnnX = randomTensor([CNN_BATCH, 28, 28, 1]);
const cnnY = labels(CNN_BATCH);

async function cnnRun(backend, kernels, steps, profile = false) {
  await tf.setBackend(backend);
  if (kernels) registerWasmTrainingKernels();
  else unregisterWasmTrainingKernels();
  const model = cnn(1);
  const optimizer = tf.train.adam(1e-3);
  const step = stepOf(model, optimizer, cnnX, cnnY);
  try {
    const times = timeSteps(step, steps);
    const ms = median(times);
    const out = { ms: round(ms), msPerSample: round(ms / CNN_BATCH, 4), steps };
    if (profile) out.profile = await kernelProfile(step);
    return out;
  } catch (error) {
    return { error: String(error?.message ?? error).split('\n')[0] };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
const cnnStock = await cnnRun('wasm', false, quick ? 1 : 3);
const cnnKernels = await cnnRun('wasm', true, quick ? 2 : 20, true);
const cnnCpu = withCpu ? await cnnRun('cpu', false, quick ? 1 : 3) : { skipped: '--no-cpu' };
await tf.setBackend('wasm');
registerWasmTrainingKernels();
log(`CNN batch ${CNN_BATCH}: stock ${cnnStock.error ?? `${cnnStock.ms} ms`}, kernels ${cnnKernels.ms} ms (${cnnKernels.msPerSample} ms/sample), cpu ${cnnCpu.ms ?? cnnCpu.skipped} ms`);

const results = {
  command: `node bench/train-step.mjs${args.length ? ` ${args.join(' ')}` : ''}`,
  commit: git('rev-parse', 'HEAD'),
  worktreeClean: git('status', '--porcelain', '--', '.') === '',
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
  loadAverageBefore: loadBefore.map((l) => round(l)),
  loadAverageAfter: os.loadavg().map((l) => round(l)),
  tfjs: tf.version_core,
  wasm: { simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') },
  mlp: {
    model: '784-256-10 MLP (tfjs-layers dense relu + dense), softmax cross-entropy',
    batch: MLP_BATCH,
    note: quick ? 'a --quick run: not for figures' : 'medians over 5 alternating rounds (5 stock steps, 15 steps with the kernels, each after a warm-up step)',
    runs: mlpRuns,
  },
  cnn: {
    model: 'apps/classification cnn(): conv 3×3×16 (no bias), BN, ReLU, max pool 2, conv 3×3×32 (no bias), BN, ReLU, max pool 2, flatten, dropout 0.25, dense 64 ReLU, dense 10; Adam 1e-3',
    input: [28, 28, 1],
    batch: CNN_BATCH,
    wasmStock: cnnStock,
    wasmKernels: cnnKernels,
    cpu: cnnCpu,
    cpuOverWasmKernels: cnnCpu.ms ? round(cnnCpu.ms / cnnKernels.ms) : null,
  },
};
const json = `${JSON.stringify(results, null, 2)}\n`;
if (outFile) writeFileSync(outFile, json);
process.stdout.write(json);
