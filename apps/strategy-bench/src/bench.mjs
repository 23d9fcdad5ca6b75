#!/usr/bin/env node
/**
 * Strategy benchmark. Usage:
 *   pnpm --filter @seta-apps/strategy-bench bench [-- --sizes 1e6,1.28e6,1e7,1e8] [--later 3] [--out path.json]
 *
 * For each size and strategy it builds the pruner, runs it as a training loop
 * would (batches of 256, synthetic losses) up to its first real pruning epoch
 * and reports: plan() time of that epoch and the median over the next
 * `--later` pruning epochs (default 3), observe() ns per sample (measured
 * over whole epochs: the first timed one, and the median of the later epochs
 * of its phase — SCAN's next preparation epoch —, '-' if none), and saved
 * state bytes per sample. At 1.28M it also times
 * SeTa's pruning step side by side with the same step built on
 * simple-statistics' ckmeans (also optimal: same partition) instead of
 * @seta/kmeans1d. Beside the figures it records what first touching memory
 * cost at the start, before each size and at the end (page-cost.mjs): much
 * of a first plan's time is paging in memory, and on the VMs these runs come
 * from that cost has varied ~8× over time. Results go to
 * docs/results/strategy-bench.json.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import os from 'node:os';
import { BENCH_SETTINGS, makePruner } from '@seta-apps/shared/strategies';
import { measure } from './measure.mjs';
import { probeFirstTouch } from './page-cost.mjs';
import { setaStepComparison } from './seta-step.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = arg('sizes', '1e6,1.28e6,1e7').split(',').map(Number);
const later = Number(arg('later', '3'));
if (!Number.isInteger(later) || later < 0) throw new RangeError(`--later must be an integer ≥ 0, got ${arg('later')}`);
const out = resolve(arg('out', new URL('../../../docs/results/strategy-bench.json', import.meta.url).pathname));
const epochs = 20;

// The settings are the shared table's (BENCH_SETTINGS in apps/shared/src/strategies.ts); here, when each strategy first prunes.
const make = (name) => (n) => () => makePruner(name, BENCH_SETTINGS[name], { size: n, epochs, seed: 0 });
const strategies = [
  { name: 'infobatch', make: make('infobatch'), pruneEpoch: 1 },
  { name: 'seta', make: make('seta'), pruneEpoch: 1 },
  // warmupThreshold 1 ends warm-up after epoch 1; epoch 2 prepares, epoch 3 is the first mutation
  { name: 'scan', make: make('scan'), pruneEpoch: 3, twoDirections: true, observeEpochs: [2] },
  { name: 'dynamicRandom', make: make('dynamicRandom'), pruneEpoch: 1 },
];

const results = [];
const pageCost = [];
const probe = (when) => {
  const p = probeFirstTouch(64);
  pageCost.push({ when, ...p });
  if (globalThis.gc) globalThis.gc();
  return p.msPerMb;
};
const fmt = (x, d = 1) => x.toFixed(d);
const loadAtStart = os.loadavg();
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load ${loadAtStart[0].toFixed(2)}, first touch of memory ${probe('start').toFixed(2)} ms per MB`);
console.log('strategy        N            plan (ms): first  later (median)   observe (ns/sample): first  later   state (bytes/sample)   visited');
for (const size of sizes) {
  if (size !== sizes[0]) console.log(`(first touch of memory: ${probe(`before ${size}`).toFixed(2)} ms per MB)`);
  for (const s of strategies) {
    const r = measure(s.make(size), { size, pruneEpoch: s.pruneEpoch, twoDirections: s.twoDirections, observeEpochs: s.observeEpochs ?? [0], laterPrunePlans: later });
    results.push({ strategy: s.name, ...r });
    console.log(
      `${s.name.padEnd(15)} ${String(size).padEnd(12)} ${fmt(r.planMs).padStart(16)}  ${(r.planMsLaterMedian === null ? '-' : fmt(r.planMsLaterMedian)).padStart(14)}   ${fmt(r.observeNsPerSample).padStart(26)}  ${(r.observeNsLater === null ? '-' : fmt(r.observeNsLater)).padStart(6)}   ${fmt(r.stateBytesPerSample, 3).padStart(20)}   ${r.visited}`,
    );
    if (globalThis.gc) globalThis.gc();
  }
}

let comparison = null;
if (sizes.includes(1.28e6)) {
  comparison = setaStepComparison(1.28e6);
  console.log(
    `\nSeTa pruning step at N = 1.28e6, side by side: @seta/kmeans1d ${fmt(comparison.oursMs)} ms, simple-statistics ckmeans ${fmt(comparison.ckmeansMs)} ms (${fmt(comparison.ratio)}×), same plan: ${comparison.samePlan}`,
  );
}

console.log(`first touch of memory at the end: ${probe('end').toFixed(2)} ms per MB`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      command: `pnpm --filter @seta-apps/strategy-bench bench -- --sizes ${sizes.join(',')} --later ${later}`,
      laterPrunePlans: later,
      date: new Date().toISOString(),
      node: process.version,
      cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
      loadAverageAtStart: loadAtStart[0],
      loadAverageAtEnd: os.loadavg()[0],
      // What first touching memory cost (ms per MB, 4 KiB pages) when the run started, before each size after the first, and at its end.
      firstTouchMsPerMb: pageCost,
      batchSize: 256,
      results,
      setaStepComparison: comparison,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out}`);
