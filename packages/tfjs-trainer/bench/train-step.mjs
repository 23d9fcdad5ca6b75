// Training-step benchmark of the wasm fast path, in one process, side by side:
//   1. a 784-256-10 MLP (tfjs-layers, batch 256, Adam and SGD): wasm stock vs
//      wasm with the training kernels, measured in alternating rounds;
//   2. the Trainer's own cost around that step (plan, gather, loss read-back,
//      observe) on a 10 240-sample epoch;
//   3. a small CNN (conv-BN-maxpool-conv-avgpool-dropout-dense, batch 32):
//      stock wasm (cannot train), wasm with the training kernels, cpu.
// Run after a build, on an otherwise idle machine:
//   node bench/train-step.mjs [--out bench/results.json]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random, StateReader, StateWriter, sampleIndices } from '@seta/core';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  Trainer,
  arrayDataSource,
  registerGradients,
  registerWasmTrainingKernels,
  selectBackend,
  softmaxCrossEntropy,
  unregisterWasmTrainingKernels,
} from '../dist/index.js';

const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? process.argv[outIndex + 1] : null;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const log = (...a) => console.log(...a);

const loadBefore = os.loadavg();
log(`node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

const backend = await selectBackend({ prefer: ['wasm'] });
log(`backend: ${backend.name} (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')})`);
registerGradients();

function randomTensor(rng, shape, scale = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (rng.nextFloat() * 2 - 1) * scale;
  return tf.tensor(v, shape);
}

/** Time `steps` calls of `step` (each synchronised by a read-back), after `warmup` calls. */
function timeSteps(step, steps, warmup = 2) {
  for (let i = 0; i < warmup; i++) step();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return times;
}

// ---------------------------------------------------------------- 1. MLP
const rng = new Random(1);
const mlpX = randomTensor(rng, [256, 784]);
const mlpY = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 256 }, () => rng.nextInt(10)), 'int32'), 10);

/** Median step time of the MLP with `optimizer`, stock wasm against the training kernels, in alternating rounds. */
function mlpBench(optimizerName) {
  const mlp = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = optimizerName === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-3);
  const step = () => {
    const cost = optimizer.minimize(() => tf.mean(softmaxCrossEntropy(mlpY, mlp.apply(mlpX, { training: true }))), true);
    cost.dataSync();
    cost.dispose();
  };
  const stock = [];
  const fast = [];
  for (let r = 0; r < 5; r++) {
    unregisterWasmTrainingKernels();
    stock.push(...timeSteps(step, 5, 1));
    registerWasmTrainingKernels();
    fast.push(...timeSteps(step, 15, 1));
  }
  optimizer.dispose();
  mlp.dispose();
  return {
    optimizer: optimizerName === 'adam' ? 'Adam' : 'SGD',
    wasmStockMs: round(median(stock)),
    wasmFastMs: round(median(fast)),
    speedup: round(median(stock) / median(fast)),
    steps: { stock: stock.length, fast: fast.length },
  };
}
const mlpResult = {
  model: '784-256-10 MLP (tfjs-layers dense relu + dense), softmax cross-entropy',
  batch: 256,
  runs: [mlpBench('adam'), mlpBench('sgd')],
};
for (const r of mlpResult.runs) {
  log(`MLP step (${r.optimizer}), wasm stock ${r.wasmStockMs} ms, wasm + training kernels ${r.wasmFastMs} ms: ${r.speedup}× faster`);
}

// ---------------------------------------------------------------- 2. loop overhead
/** A dynamic random pruner with InfoBatch-style weights, standing in for a strategy. */
class RandomPruner {
  name = 'bench-random';
  #rng = new Random(3);
  #next = 0;
  #open = null;
  #pruned = 0;
  #sum = 0;
  #count = 0;
  #scores;
  constructor(size, keep) {
    this.size = size;
    this.keep = keep;
    this.#scores = new Float32Array(size);
  }
  plan(epoch) {
    const k = Math.floor(this.keep * this.size);
    const indices = Uint32Array.from(sampleIndices(this.size, k, this.#rng));
    this.#open = { epoch, phase: 'prune', size: this.size, indices, weights: new Float32Array(k).fill(1 / this.keep) };
    return this.#open;
  }
  observe(ids, losses) {
    for (let i = 0; i < ids.length; i++) {
      this.#scores[ids[i]] = losses[i];
      this.#sum += losses[i];
    }
    this.#count += ids.length;
  }
  endEpoch() {
    const visited = this.#open.indices.length;
    this.#pruned += this.size - visited;
    this.#next++;
    const s = {
      epoch: this.#open.epoch,
      phase: 'prune',
      visited,
      prunedRatio: 1 - visited / this.size,
      savedRatioSoFar: this.#pruned / (this.size * this.#next),
      meanLoss: this.#sum / this.#count,
    };
    this.#open = null;
    this.#sum = 0;
    this.#count = 0;
    return s;
  }
  saveState() {
    return new StateWriter('bench-random', 1).uint32('rng', this.#rng.getState()).finish();
  }
  loadState(state) {
    this.#rng.setState(StateReader.open(state, 'bench-random', 1, 'loadState()').uint32('rng', 4));
  }
}

const N = 256 * 48;
const images = new Float32Array(N * 784);
for (let i = 0; i < images.length; i++) images[i] = rng.nextFloat();
const labels = Int32Array.from({ length: N }, () => rng.nextInt(10));
const loopModel = tfl.sequential({
  layers: [tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }), tfl.layers.dense({ units: 10 })],
});
const epochReports = [];
await new Trainer({
  model: loopModel,
  optimizer: tf.train.adam(1e-3),
  pruner: new RandomPruner(N, 0.8),
  data: arrayDataSource({ values: images, shape: [N, 784] }, { values: labels, shape: [N] }),
  loss: (logits, ys) => softmaxCrossEntropy(ys, logits),
  epochs: 3,
  batchSize: 256,
  progress: false,
  onEpochEnd: (r) => epochReports.push(r),
}).fit();
const measured = epochReports.slice(1); // the first epoch includes warm-up
const sum = (f) => measured.reduce((s, r) => s + f(r), 0);
const steps = sum((r) => r.batches);
const loop = {
  samplesPerEpoch: measured[0].visited,
  batch: 256,
  stepMs: round(sum((r) => r.timings.stepMs) / steps),
  planMs: round(sum((r) => r.timings.planMs) / steps, 3),
  gatherMs: round(sum((r) => r.timings.gatherMs) / steps, 3),
  readbackMs: round(sum((r) => r.timings.readbackMs) / steps, 3),
  observeMs: round(sum((r) => r.timings.observeMs) / steps, 3),
  loopMs: round(sum((r) => r.timings.loopMs) / steps, 3),
};
loop.overheadPercent = round((100 * loop.loopMs) / loop.stepMs);
log(
  `Trainer, per step: training ${loop.stepMs} ms; its own cost ${loop.loopMs} ms = ${loop.overheadPercent} % ` +
    `(plan ${loop.planMs}, gather ${loop.gatherMs}, read-back ${loop.readbackMs}, observe ${loop.observeMs})`,
);

// ---------------------------------------------------------------- 3. CNN
function cnnModel() {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization(),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
}
const cnnX = randomTensor(rng, [32, 28, 28, 1]);
const cnnY = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 32 }, () => rng.nextInt(10)), 'int32'), 10);
function cnnTimes(steps) {
  const model = cnnModel();
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const cost = opt.minimize(() => tf.mean(softmaxCrossEntropy(cnnY, model.apply(cnnX, { training: true }))), true);
    cost.dataSync();
    cost.dispose();
  };
  try {
    return { times: timeSteps(step, steps, 1) };
  } catch (error) {
    return { error: String(error.message ?? error).split('\n')[0] };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
unregisterWasmTrainingKernels();
const cnnStock = cnnTimes(3);
registerWasmTrainingKernels();
const cnnFast = cnnTimes(15);
await tf.setBackend('cpu');
const cnnCpu = cnnTimes(3);
await tf.setBackend('wasm');
const cnnResult = {
  model: 'conv 3×3×8 same relu, batch norm, max pool 2, conv 3×3×16 same relu, avg pool 2, dropout 0.25, dense 10; Adam',
  input: [28, 28, 1],
  batch: 32,
  wasmStock: cnnStock.error ? { error: cnnStock.error } : { ms: round(median(cnnStock.times)) },
  wasmFastMs: round(median(cnnFast.times)),
  cpuMs: round(median(cnnCpu.times)),
};
cnnResult.cpuOverWasmFast = round(cnnResult.cpuMs / cnnResult.wasmFastMs);
log(
  `CNN step: wasm stock ${cnnStock.error ? `fails (${cnnStock.error})` : `${cnnResult.wasmStock.ms} ms`}, ` +
    `wasm + training kernels ${cnnResult.wasmFastMs} ms, cpu ${cnnResult.cpuMs} ms (${cnnResult.cpuOverWasmFast}× slower)`,
);

const results = {
  command: 'node bench/train-step.mjs --out bench/results.json',
  date: new Date().toISOString(),
  node: process.version,
  cpu: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
  loadAverageBefore: loadBefore.map((l) => round(l)),
  loadAverageAfter: os.loadavg().map((l) => round(l)),
  tfjs: tf.version_core,
  wasm: { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') },
  mlp: mlpResult,
  loop,
  cnn: cnnResult,
};
if (outFile) writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
log(`load after: ${results.loadAverageAfter.join(' ')}`);
