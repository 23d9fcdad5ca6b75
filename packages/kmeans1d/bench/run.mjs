// Benchmark of @seta/kmeans1d against simple-statistics' ckmeans and ml-kmeans.
// Run after building: `npx pnpm@10.34.9 --filter @seta/kmeans1d bench`.
// Prints a table and writes bench/results.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { kmeans } from 'ml-kmeans';
import { ckmeans } from 'simple-statistics';
import { assign, kmeans1d } from '../dist/index.js';

const K = 10;
const N = 1_000_000;
const N_LLOYD = 10_000_000;
const N_ML = 100_000; // ml-kmeans works on number[][] and is slow: a smaller n
const REPEATS = 3; // median of this many timed runs (after one warm-up) for our methods

/** Seeded generator (mulberry32), so that every run sees the same data. */
function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Per-sample-loss-like data in a Float32Array: a mixture of 60% lognormal(−1, 0.8)
 * ("easy" samples), 30% lognormal(0.8, 0.4) ("hard") and 10% gamma(2, 1.5)
 * (a broad tail), the gamma drawn as the sum of two exponentials.
 */
function losses(n, seed) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-300)) * Math.cos(2 * Math.PI * random());
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (u < 0.6) out[i] = Math.exp(-1 + 0.8 * normal());
    else if (u < 0.9) out[i] = Math.exp(0.8 + 0.4 * normal());
    else out[i] = -1.5 * (Math.log(random() || 1e-300) + Math.log(random() || 1e-300));
  }
  return out;
}

/** SSE of a labelling, by two passes in float64. */
function sseOfLabels(values, labels, k) {
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < values.length; i++) {
    sums[labels[i]] += values[i];
    counts[labels[i]]++;
  }
  let sse = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - sums[labels[i]] / counts[labels[i]];
    sse += d * d;
  }
  return sse;
}

function sseOfGroups(groups) {
  let sse = 0;
  for (const group of groups) {
    let sum = 0;
    for (const v of group) sum += v;
    const mean = sum / group.length;
    for (const v of group) sse += (v - mean) ** 2;
  }
  return sse;
}

function time(fn, repeats) {
  fn(); // warm-up (JIT)
  const times = [];
  let result;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    result = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], all: times, result };
}

/** Peak memory of one method: max RSS of a child process running it, minus that of one that only makes the data. */
function peakBytes(method, n) {
  const script = fileURLToPath(import.meta.url);
  const run = (m) => JSON.parse(execFileSync(process.execPath, [script, '--memory', m, String(n)], { encoding: 'utf8' }));
  const base = run('none');
  const used = run(method);
  return Math.max(0, (used.maxRss - base.maxRss) * 1024);
}

if (process.argv[2] === '--memory') {
  const [, , , method, n] = process.argv;
  const data = losses(Number(n), 1);
  if (method === 'optimal' || method === 'lloyd') kmeans1d(data, K, { method });
  else if (method === 'ckmeans') ckmeans(Array.from(data), K);
  process.stdout.write(JSON.stringify({ maxRss: process.resourceUsage().maxRSS }));
  process.exit(0);
}

// Memory first, while this process is small: on Linux a child's max RSS starts at its parent's.
const memory = {
  optimal: peakBytes('optimal', N) / N,
  lloyd: peakBytes('lloyd', N) / N,
  ckmeans: peakBytes('ckmeans', N) / N,
};

const load = os.loadavg()[0];
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${load.toFixed(2)}`);
const data = losses(N, 1);
const rows = [];

const optimal = time(() => kmeans1d(data, K), REPEATS);
rows.push({ method: "kmeans1d 'optimal'", n: N, ms: optimal.ms, sse: optimal.result.sse });

const lloyd1 = time(() => kmeans1d(data, K, { method: 'lloyd' }), REPEATS);
rows.push({ method: "kmeans1d 'lloyd'", n: N, ms: lloyd1.ms, sse: lloyd1.result.sse, relToOptimal: lloyd1.result.sse / optimal.result.sse });

const plain = Array.from(data);
const ckStart = performance.now();
const ck = ckmeans(plain, K);
const ckMs = performance.now() - ckStart;
const ckSse = sseOfGroups(ck);
rows.push({ method: 'simple-statistics ckmeans', n: N, ms: ckMs, sse: ckSse, relToOptimal: ckSse / optimal.result.sse });

const big = losses(N_LLOYD, 2);
const lloyd10 = time(() => kmeans1d(big, K, { method: 'lloyd' }), REPEATS);
const optimal10 = time(() => kmeans1d(big, K), 1);
rows.push({ method: "kmeans1d 'lloyd'", n: N_LLOYD, ms: lloyd10.ms, sse: lloyd10.result.sse, relToOptimal: lloyd10.result.sse / optimal10.result.sse });
rows.push({ method: "kmeans1d 'optimal'", n: N_LLOYD, ms: optimal10.ms, sse: optimal10.result.sse, note: '1 timed run after a warm-up' });

const small = data.subarray(0, N_ML);
const smallOptimal = kmeans1d(small, K);
const points = Array.from(small, (v) => [v]);
const mlStart = performance.now();
const ml = kmeans(points, K, { seed: 1 });
const mlMs = performance.now() - mlStart;
const mlSse = sseOfLabels(small, ml.clusters, K);
rows.push({ method: 'ml-kmeans (k-means++, seed 1)', n: N_ML, ms: mlMs, sse: mlSse, relToOptimal: mlSse / smallOptimal.sse });
const smallOptimalTime = time(() => kmeans1d(small, K), REPEATS);
rows.push({ method: "kmeans1d 'optimal'", n: N_ML, ms: smallOptimalTime.ms, sse: smallOptimal.sse, relToOptimal: 1 });

// Exactness: ckmeans' SSE (computed here from its clusters) against ours, and our labels' SSE.
const sseCheck = {
  ours: optimal.result.sse,
  ckmeans: ckSse,
  relativeDifference: Math.abs(optimal.result.sse - ckSse) / ckSse,
  oursRecomputedFromLabels: sseOfLabels(data, assign(data, optimal.result), K),
};


const speedup = ckMs / optimal.ms;
console.log('');
console.log('| method | n | time (ms) | SSE | SSE / optimal |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.method} | ${r.n.toLocaleString('en-US')} | ${r.ms.toFixed(0)} | ${r.sse.toPrecision(10)} | ${r.relToOptimal === undefined ? '1' : r.relToOptimal.toFixed(9)} |`,
  );
}
console.log('');
console.log(`'optimal' vs ckmeans at n = ${N.toLocaleString('en-US')}: ${speedup.toFixed(1)}× faster; SSE relative difference ${sseCheck.relativeDifference.toExponential(2)}`);
console.log(`peak memory per value (max RSS of a child process, minus data): optimal ${memory.optimal.toFixed(0)} B, lloyd ${memory.lloyd.toFixed(0)} B, ckmeans ${memory.ckmeans.toFixed(0)} B`);
console.log(`optimal timed runs (ms): ${optimal.all.map((t) => t.toFixed(0)).join(', ')}; lloyd 10M: ${lloyd10.all.map((t) => t.toFixed(0)).join(', ')}`);

writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      loadAverageAtStart: load,
      k: K,
      data: 'Float32Array, seeded mixture: 60% lognormal(-1, 0.8), 30% lognormal(0.8, 0.4), 10% gamma(2, 1.5)',
      rows,
      optimalTimesMs: optimal.all,
      lloyd10mTimesMs: lloyd10.all,
      speedupVsCkmeans: speedup,
      sseCheck,
      peakBytesPerValue: memory,
    },
    null,
    2,
  )}\n`,
);
