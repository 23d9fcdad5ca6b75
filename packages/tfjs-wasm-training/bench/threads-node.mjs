// Can the threaded build of @tensorflow/tfjs-backend-wasm (4.22) use more than
// one core in Node, and does it pay for training? Reproduces the findings in
// the README's "Threads in Node" section:
//   1. forcing WASM_HAS_MULTITHREAD_SUPPORT on in Node fails to initialise
//      (the pthread workers are created from a blob: URL, which worker_threads
//      refuses);
//   2. with a shim (see `installPthreadShim` below) the threaded build starts
//      in Node; the CNN and MLP training steps of bench/train-step.mjs are then
//      timed, wall clock and process CPU time, in alternating child processes:
//      the default SIMD build, the threaded build with 1 thread and with 2;
//   3. the losses of the first steps and the weights after them are compared
//      with the cpu backend's;
//   4. stock XNNPACK kernels (matMul, conv2d) alone, to see whether the
//      threadpool is used (process CPU time above wall time);
//   5. whether a process with the threaded backend exits without
//      tf.removeBackend('wasm') (it does not: killed after 10 s).
// Run after a build; CPU-heavy for ~1–2 minutes on 2 cores:
//   node bench/threads-node.mjs [--rounds 3] [--steps 8] [--dist <dist dir>] [--out file]
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import workerThreads from 'node:worker_threads';
import { flagIn, generator, median, round } from './bench-utils.mjs';
import { cnn } from './cnn.mjs';

const args = process.argv.slice(2);
const flag = flagIn(args);
const here = path.dirname(fileURLToPath(import.meta.url));
const CNN_BATCH = 64;
const MLP_BATCH = 256;
const CHECK_STEPS = 2; // steps from a fresh model whose losses and weights are compared across backends

/**
 * Lets the threaded build's Emscripten pthread pool start under worker_threads
 * (tfjs-backend-wasm 4.22, Emscripten glue built for web, worker and node):
 * - tfjs hands Emscripten the worker script as a blob: URL (locateFile) and the
 *   main script as a Blob (mainScriptUrlOrBlob); worker_threads.Worker takes
 *   neither, and the Node branch of the worker script loads the main script
 *   with fs.readFileSync. The shim runs the worker script from source
 *   (`eval: true`) and rewrites the 'load' message to point at the glue file
 *   in wasm-out/.
 * - the build caps its threadpool at min(setThreadsCount, 8, logical cores / 2),
 *   so on a 2-core machine it is 1 thread whatever setThreadsCount says; the
 *   shim reports twice the cores (os.cpus) while the module initialises.
 * Returns `restore()` (undoes both patches) and the workers created.
 */
export function installPthreadShim() {
  const require = createRequire(import.meta.url);
  const workerFile = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  const glueFile = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // The same escaping tfjs applies before putting it in a Blob: the source holds "\n" inside string literals.
  const workerSource = require(workerFile).wasmWorkerContents.replace(/\n/g, '\\n');
  const NodeWorker = workerThreads.Worker;
  const created = [];
  class PthreadWorker extends NodeWorker {
    constructor(file, options) {
      if (String(file).startsWith('blob:')) super(workerSource, { ...options, eval: true });
      else super(file, options);
      created.push(this);
    }
    postMessage(message, transfer) {
      if (message?.cmd === 'load' && typeof message.urlOrBlob !== 'string') message = { ...message, urlOrBlob: glueFile };
      return super.postMessage(message, transfer);
    }
  }
  workerThreads.Worker = PthreadWorker;
  const cpus = os.cpus;
  os.cpus = () => [...cpus(), ...cpus()];
  return {
    created,
    restore() {
      workerThreads.Worker = NodeWorker;
      os.cpus = cpus;
    },
  };
}

const cpuMs = (u) => (u.user + u.system) / 1000;

async function child(config) {
  // Dropout draws its seed from Math.random: seed it so every process trains the same.
  Math.random = generator(7);
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  const tfl = await import('@tensorflow/tfjs-layers');
  const dist = path.resolve(flag('--dist', path.join(here, '../dist')));
  const { registerGradients, registerWasmTrainingKernels } = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  registerGradients();
  const out = { config };
  let shim = null;
  if (config === 'cpu') {
    await tf.setBackend('cpu');
  } else {
    if (config.startsWith('threaded')) {
      shim = installPthreadShim();
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      wasmBackend.setThreadsCount(Number(config.split('-')[1]));
    }
    const t0 = performance.now();
    const ok = await tf.setBackend('wasm');
    shim?.restore();
    out.initMs = round(performance.now() - t0);
    if (!ok) throw new Error(`setBackend('wasm') failed for ${config}`);
    out.threads = wasmBackend.getThreadsCount();
    out.sharedMemory = tf.backend().wasm.HEAPU8.buffer instanceof SharedArrayBuffer;
    out.workers = shim?.created.length ?? 0;
    registerWasmTrainingKernels();
  }
  const steps = Number(flag('--steps', '8'));
  const rand = generator(1);
  const randomTensor = (shape) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), shape);
  const labels = (n) => tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(rand() * 10)), 'int32'), 10);
  const weightsOf = (model) => Buffer.from(Float32Array.from(model.getWeights().flatMap((w) => [...w.dataSync()])).buffer).toString('base64');

  const run = async (name, model, x, y, timed) => {
    const optimizer = tf.train.adam(1e-3);
    const step = () => {
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
      const loss = cost.dataSync()[0];
      cost.dispose();
      return loss;
    };
    const losses = [];
    for (let i = 0; i < CHECK_STEPS; i++) losses.push(step());
    const result = { losses, weights: weightsOf(model) };
    if (timed) {
      const times = [];
      const cpu = [];
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        step();
        cpu.push(cpuMs(process.cpuUsage(c0)));
        times.push(performance.now() - t0);
      }
      result.times = times;
      result.cpu = cpu;
      // Where the time goes: one profiled step, wall time per kernel name (ms, summed over calls).
      const info = await tf.profile(step);
      const kernels = {};
      for (const k of info.kernels) {
        if (k.name.endsWith('__op')) continue; // custom-gradient ops: their time includes their kernels'
        kernels[k.name] = round((kernels[k.name] ?? 0) + (await k.kernelTimeMs), 3);
      }
      result.profile = kernels;
    }
    optimizer.dispose();
    model.dispose();
    out[name] = result;
  };
  const timed = config !== 'cpu';
  const mlpX = randomTensor([MLP_BATCH, 784]);
  const mlpY = labels(MLP_BATCH);
  const mlp = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 11 }) }),
      tfl.layers.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: 12 }) }),
    ],
  });
  await run('mlp', mlp, mlpX, mlpY, timed);
  await run('cnn', cnn(tfl, 1), randomTensor([CNN_BATCH, 28, 28, 1]), labels(CNN_BATCH), timed);

  if (timed) {
    // Stock XNNPACK kernels alone: does the threadpool take part?
    const kernel = (f) => {
      f().dispose(); // warm (XNNPACK operator creation is cached per weights)
      const times = [];
      const cpu = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = f();
        r.dataSync();
        cpu.push(cpuMs(process.cpuUsage(c0)));
        times.push(performance.now() - t0);
        r.dispose();
      }
      return { ms: round(median(times), 3), cpuMs: round(median(cpu), 3) };
    };
    const a = randomTensor([256, 784]);
    const b = randomTensor([784, 256]);
    const x = randomTensor([CNN_BATCH, 14, 14, 16]);
    const w = randomTensor([3, 3, 16, 32]);
    out.kernels = {
      'matMul 256×784·784×256': kernel(() => tf.matMul(a, b)),
      'conv2d 64×14×14×16, 3×3×16×32, same': kernel(() => tf.conv2d(x, w, 1, 'same')),
    };
  }
  if (config.startsWith('threaded')) {
    // Without this the process never exits: Emscripten ref()s the workers that run the threadpool's threads.
    tf.removeBackend('wasm');
  }
  process.stdout.write(JSON.stringify(out));
}

/** Forcing the flag without the shim: how setBackend fails (run in a child, with a timeout). */
async function probeStock() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmBackend.setThreadsCount(2);
  const errors = [];
  const warn = console.warn;
  console.warn = (...a) => errors.push(a.map((v) => String(v?.stack ?? v).split('\n')[0]).join(' '));
  const ok = await tf.setBackend('wasm');
  console.warn = warn;
  process.stdout.write(JSON.stringify({ setBackend: ok, backend: tf.getBackend() ?? null, errors }));
}

/** The shim without tearing the backend down: does the process exit by itself? */
async function probeExit() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
  const shim = installPthreadShim();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmBackend.setThreadsCount(2);
  await tf.setBackend('wasm');
  shim.restore();
  tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();
  process.stdout.write(JSON.stringify({ threads: wasmBackend.getThreadsCount() }));
}

function nrel(a, b) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}
const floats = (b64) => new Float32Array(Buffer.from(b64, 'base64').buffer.slice(0));

async function parent() {
  const rounds = Number(flag('--rounds', '3'));
  const steps = flag('--steps', '8');
  const dist = path.resolve(flag('--dist', path.join(here, '../dist')));
  const self = fileURLToPath(import.meta.url);
  const node = (extra, timeout = 180_000) =>
    spawnSync(process.execPath, [self, ...extra], { encoding: 'utf8', cwd: here, timeout, maxBuffer: 1 << 26 });
  const loadBefore = os.loadavg();

  const stock = node(['--probe-stock'], 60_000);
  const stockResult = stock.stdout ? JSON.parse(stock.stdout) : { status: stock.status, signal: stock.signal };
  stockResult.stderr = stock.stderr
    .split('\n')
    .filter((l) => /Error|failed/.test(l))
    .slice(0, 3);
  console.error('forced flag, no shim:', JSON.stringify(stockResult));

  const exit = node(['--probe-exit'], 10_000);
  const exitResult = { ran: exit.stdout ? JSON.parse(exit.stdout) : null, exitedBeforeTimeout: exit.signal === null, status: exit.status, signal: exit.signal };
  console.error('shim, backend not removed:', JSON.stringify(exitResult));

  const configs = ['simd', 'threaded-1', 'threaded-2'];
  const runs = Object.fromEntries(configs.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotate the order so that no configuration always runs first or last.
    const order = configs.map((_, i) => configs[(i + r) % configs.length]);
    for (const config of order) {
      const t0 = performance.now();
      const res = node(['--child', config, '--steps', steps, '--dist', dist]);
      if (res.status !== 0) throw new Error(`child ${config} failed (${res.status} ${res.signal}): ${res.stderr}`);
      const out = JSON.parse(res.stdout);
      out.processMs = round(performance.now() - t0);
      runs[config].push(out);
      console.error(
        `round ${r + 1} ${config}: threads ${out.threads}, CNN ${round(median(out.cnn.times))} ms (CPU ${round(median(out.cnn.cpu))} ms), MLP ${round(median(out.mlp.times))} ms (CPU ${round(median(out.mlp.cpu))} ms)`,
      );
    }
  }
  const cpuRes = node(['--child', 'cpu', '--dist', dist]);
  if (cpuRes.status !== 0) throw new Error(`cpu child failed: ${cpuRes.stderr}`);
  const cpuRef = JSON.parse(cpuRes.stdout);

  /** Kernel wall times of one profiled step, averaged over processes, largest first (top 8 and the rest). */
  const profileOf = (profiles) => {
    const sum = {};
    for (const p of profiles) for (const [k, ms] of Object.entries(p)) sum[k] = (sum[k] ?? 0) + ms / profiles.length;
    const sorted = Object.entries(sum).sort((p, q) => q[1] - p[1]);
    const out = Object.fromEntries(sorted.slice(0, 8).map(([k, ms]) => [k, round(ms)]));
    out['(others)'] = round(sorted.slice(8).reduce((s, [, ms]) => s + ms, 0));
    out['(total)'] = round(sorted.reduce((s, [, ms]) => s + ms, 0));
    return out;
  };
  const summary = (list) => {
    const model = (name) => {
      const times = list.flatMap((l) => l[name].times);
      const cpu = list.flatMap((l) => l[name].cpu);
      return {
        ms: round(median(times)),
        cpuMs: round(median(cpu)),
        cpuPerWall: round(median(cpu) / median(times)),
        processMedians: list.map((l) => round(median(l[name].times))),
        steps: times.length,
        losses: list[0][name].losses.map((v) => round(v, 6)),
        lossesSameInEveryProcess: list.every((l) => l[name].losses.every((v, i) => v === list[0][name].losses[i])),
        weightsNormwiseRelErrorVsCpu: Number(nrel(floats(list[0][name].weights), floats(cpuRef[name].weights)).toExponential(2)),
        weightsIdenticalToSimd: Buffer.from(list[0][name].weights, 'base64').equals(Buffer.from(runs.simd[0][name].weights, 'base64')),
        profile: profileOf(list.map((l) => l[name].profile)),
      };
    };
    const kernels = {};
    for (const k of Object.keys(list[0].kernels)) {
      kernels[k] = { ms: round(median(list.map((l) => l.kernels[k].ms)), 3), cpuMs: round(median(list.map((l) => l.kernels[k].cpuMs)), 3) };
    }
    return {
      threads: list[0].threads,
      workers: list[0].workers,
      sharedMemory: list[0].sharedMemory,
      initMs: round(median(list.map((l) => l.initMs))),
      cnn: model('cnn'),
      mlp: model('mlp'),
      kernels,
    };
  };
  const byConfig = Object.fromEntries(configs.map((c) => [c, summary(runs[c])]));
  const ratio = (a, b, m) => round(byConfig[a][m].ms / byConfig[b][m].ms);
  const result = {
    command: `node bench/threads-node.mjs ${args.join(' ')}`.trim(),
    commit: (() => {
      try {
        return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', cwd: here }).trim();
      } catch {
        return null;
      }
    })(),
    date: new Date().toISOString(),
    dist,
    node: process.version,
    cpu: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
    loadAverageBefore: loadBefore.map((l) => round(l)),
    loadAverageAfter: os.loadavg().map((l) => round(l)),
    note: `${rounds} rounds of one child process per configuration (order rotated), ${steps} timed steps each after ${CHECK_STEPS} checked steps; ms = median wall time per step, cpuMs = median process CPU time (all threads) per step`,
    forcedFlagWithoutShim: stockResult,
    shimWithoutTeardown: exitResult,
    configs: byConfig,
    speedup: {
      cnn: { 'threaded-2 vs simd': ratio('simd', 'threaded-2', 'cnn'), 'threaded-2 vs threaded-1': ratio('threaded-1', 'threaded-2', 'cnn') },
      mlp: { 'threaded-2 vs simd': ratio('simd', 'threaded-2', 'mlp'), 'threaded-2 vs threaded-1': ratio('threaded-1', 'threaded-2', 'mlp') },
    },
    cpuLosses: { cnn: cpuRef.cnn.losses.map((v) => round(v, 6)), mlp: cpuRef.mlp.losses.map((v) => round(v, 6)) },
  };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (flag('--out')) writeFileSync(flag('--out'), json);
  process.stdout.write(json);
}

if (args.includes('--child')) await child(flag('--child'));
else if (args.includes('--probe-stock')) await probeStock();
else if (args.includes('--probe-exit')) await probeExit();
else await parent();
