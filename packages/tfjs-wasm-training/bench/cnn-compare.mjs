// Side-by-side CNN training-step benchmark: this package's build (../dist)
// against another build of it (e.g. the kernels as they were at an earlier
// commit), in alternating child processes so that both see the same machine
// state. The model is the classification app's CNN at batch 64 with Adam
// (the same as bench/train-step.mjs). Each child times `--steps` steps after a
// warm-up step and profiles one step per kernel (tf.profile).
//   git worktree add /tmp/wt-base <commit>      # then build it there (tsup)
//   node bench/cnn-compare.mjs --base /tmp/wt-base/packages/tfjs-wasm-training/dist [--rounds 4] [--steps 10] [--out file]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { flagIn, generator, median, round } from './bench-utils.mjs';
import { cnn } from './cnn.mjs';

const args = process.argv.slice(2);
const flag = flagIn(args);
const here = path.dirname(fileURLToPath(import.meta.url));
const BATCH = 64;

if (args.includes('--child')) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-wasm');
  const tfl = await import('@tensorflow/tfjs-layers');
  const dist = flag('--child');
  const { registerGradients, registerWasmTrainingKernels } = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  registerGradients();
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  // The same seeded data and model as bench/train-step.mjs.
  const rand = generator(1);
  const x = tf.tensor(Float32Array.from({ length: BATCH * 28 * 28 }, () => rand() * 2 - 1), [BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: BATCH }, () => Math.floor(rand() * 10)), 'int32'), 10);
  const model = cnn(tfl, 1);
  const optimizer = tf.train.adam(1e-3);
  const step = () => {
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
    cost.dataSync();
    cost.dispose();
  };
  step();
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < Number(flag('--steps', '10')); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const info = await tf.profile(step);
  const kernels = {};
  for (const k of info.kernels) {
    if (k.name.endsWith('__op')) continue; // custom-gradient ops: their time includes their kernels'
    kernels[k.name] = (kernels[k.name] ?? 0) + (await k.kernelTimeMs);
  }
  process.stdout.write(JSON.stringify({ times, cpuTimes, kernels }));
} else {
  const base = flag('--base');
  if (!base) throw new Error('cnn-compare: --base <dist directory of the build to compare against> is required');
  const rounds = Number(flag('--rounds', '4'));
  const steps = flag('--steps', '10');
  const builds = { base: path.resolve(base), current: path.resolve(here, '../dist') };
  const runs = { base: [], current: [] };
  const loadBefore = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? ['current', 'base'] : ['base', 'current']) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', builds[name], '--steps', steps], {
        encoding: 'utf8',
        cwd: here,
        maxBuffer: 1 << 24,
      });
      runs[name].push(JSON.parse(out));
      const last = runs[name].at(-1);
      console.error(`round ${r + 1} ${name}: median ${round(median(last.times))} ms wall, ${round(median(last.cpuTimes))} ms CPU`);
    }
  }
  const summary = (list) => {
    const times = list.flatMap((l) => l.times);
    const kernels = {};
    for (const l of list) for (const [k, ms] of Object.entries(l.kernels)) kernels[k] = (kernels[k] ?? 0) + ms / list.length;
    const kernelMs = Object.values(kernels).reduce((s, v) => s + v, 0);
    const top = Object.entries(kernels)
      .sort((p, q) => q[1] - p[1])
      .map(([kernel, ms]) => ({ kernel, ms: round(ms), share: round(ms / kernelMs, 3) }));
    const ms = median(times);
    // Process CPU time per step: on a shared machine, less sensitive than wall time to other processes.
    const cpuMs = median(list.flatMap((l) => l.cpuTimes));
    // Each process's median too: on a shared VM whole processes can run slow, which the pooled median hides.
    const processMedians = list.map((l) => round(median(l.times)));
    return {
      ms: round(ms),
      msPerSample: round(ms / BATCH, 4),
      cpuMs: round(cpuMs),
      cpuMsPerSample: round(cpuMs / BATCH, 4),
      steps: times.length,
      processMedians,
      processCpuMedians: list.map((l) => round(median(l.cpuTimes))),
      profileKernelMs: round(kernelMs),
      profile: top,
    };
  };
  const b = summary(runs.base);
  const c = summary(runs.current);
  const result = {
    command: `node bench/cnn-compare.mjs ${args.join(' ')}`,
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${os.cpus()[0]?.model} × ${os.cpus().length}`,
    loadAverageBefore: loadBefore.map((l) => round(l)),
    loadAverageAfter: os.loadavg().map((l) => round(l)),
    note: `medians over ${rounds} alternating child processes per build, ${steps} steps each after a warm-up step; wall and process CPU time per step (ms: wall; cpuMs: user + system of the process, which includes V8's helper threads); profile: tf.profile of one step per process, kernel time averaged over processes`,
    base: { dist: builds.base, ...b },
    current: { dist: builds.current, ...c },
    speedup: round(b.ms / c.ms),
    cpuSpeedup: round(b.cpuMs / c.cpuMs),
  };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (flag('--out')) writeFileSync(flag('--out'), json);
  process.stdout.write(json);
}
