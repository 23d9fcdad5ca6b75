// Throughput of fit() (with the full pruner: every sample once per epoch, as
// model.fit) against tfjs-layers' own model.fit, same model, backend and data,
// in one process, one epoch each in alternating rounds (after a warm-up
// epoch each). Reports samples per second by wall time and by process CPU
// time (what other load on a shared machine moves least), medians over the
// rounds, and their ratio fit / model.fit (> 1: fit is faster).
//
// Run after a build:
//   node bench/fit-vs-model-fit.mjs [--backend wasm|cpu] [--rounds 5] [--samples 8192]
// The model: a 784-256-10 MLP, softmax cross-entropy on one-hot labels, Adam,
// batch 256 (wasm: with @seta/tfjs-wasm-training's kernels, which
// selectBackend registers, for both).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { full } from '@seta/baselines';
import { Random } from '@seta/core';
import os from 'node:os';
import { fit, registerGradients, selectBackend } from '../dist/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backendName = arg('backend', 'wasm');
const rounds = Number(arg('rounds', 5));
const samples = Number(arg('samples', 8192));
const batchSize = 256;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const { name } = await selectBackend({ prefer: [backendName] });
if (name !== backendName) throw new Error(`wanted backend ${backendName}, got ${name}`);
registerGradients();
console.log(`backend ${name}; ${samples} samples, batch ${batchSize}, ${rounds} rounds of one epoch each`);

const rng = new Random(1);
const xv = new Float32Array(samples * 784);
for (let i = 0; i < xv.length; i++) xv[i] = rng.nextFloat();
const labels = new Int32Array(samples);
for (let i = 0; i < samples; i++) labels[i] = Math.floor(rng.nextFloat() * 10);
const xs = tf.tensor2d(xv, [samples, 784]);
const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 10), 'float32'));

function model() {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
}
const ours = model();
const theirs = model();

const runs = {
  'model.fit': () => theirs.fit(xs, ys, { epochs: 1, batchSize, verbose: 0 }),
  fit: () => fit(ours, xs, ys, { pruner: full, epochs: 1, batchSize }),
};
/** One epoch: wall and process CPU time, ms. */
async function timed(run) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

for (const run of Object.values(runs)) await run(); // warm-up: kernels, Adam slots
const times = { 'model.fit': [], fit: [] };
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so neither always follows the other.
  const order = r % 2 === 0 ? ['model.fit', 'fit'] : ['fit', 'model.fit'];
  for (const k of order) times[k].push(await timed(runs[k]));
}
const rate = (list, key) => samples / (median(list.map((t) => t[key])) / 1000);
const row = (k) => ({ wallSamplesPerSecond: Math.round(rate(times[k], 'wall')), cpuSamplesPerSecond: Math.round(rate(times[k], 'cpu')) });
const result = { backend: name, samples, batchSize, rounds, 'model.fit': row('model.fit'), fit: row('fit') };
result.ratioWall = +(result.fit.wallSamplesPerSecond / result['model.fit'].wallSamplesPerSecond).toFixed(3);
result.ratioCpu = +(result.fit.cpuSamplesPerSecond / result['model.fit'].cpuSamplesPerSecond).toFixed(3);
console.log(JSON.stringify(result, null, 2));
console.log(`load at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
