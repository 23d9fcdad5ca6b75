#!/usr/bin/env node
/**
 * First plans in fresh processes, the figures a user sees when a training
 * script starts: `runs` times, one after another, (1) the strategy benchmark
 * at one size in a new process (bench.mjs --sizes N --later 3: each
 * strategy's first pruning plan, later plans and fresh memory; InfoBatch runs
 * first, so its epoch 0 is that process's very first plan), and (2) for each
 * strategy, steady.mjs in a new process for 2 epochs: epoch 0's plan as the
 * process's very first plan. Every run records what first touching memory
 * cost at its start. Usage (after a build):
 *   node apps/strategy-bench/src/fresh.mjs [--size 1e7] [--runs 8] [--out docs/results/strategy-bench-fresh.json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './measure.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const size = Number(arg('size', '1e7'));
const runs = Number(arg('runs', '8'));
if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`fresh.mjs: --size must be a positive integer, got ${arg('size')}`);
if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError(`fresh.mjs: --runs must be a positive integer, got ${arg('runs')}`);
const out = resolve(arg('out', new URL('../../../docs/results/strategy-bench-fresh.json', import.meta.url).pathname));
const here = new URL('.', import.meta.url).pathname;
const strategies = ['infobatch', 'seta', 'scan', 'dynamicRandom'];
const tmp = mkdtempSync(join(os.tmpdir(), 'seta-fresh-'));

const benchRuns = [];
const firstPlans = [];
try {
  for (let r = 0; r < runs; r++) {
    const file = join(tmp, `bench-${r}.json`);
    execFileSync(process.execPath, ['--max-old-space-size=8192', join(here, 'bench.mjs'), '--sizes', String(size), '--later', '3', '--out', file], { stdio: 'ignore' });
    const b = JSON.parse(readFileSync(file, 'utf8'));
    benchRuns.push({
      date: b.date,
      loadAverageAtStart: b.loadAverageAtStart,
      firstTouchMsPerMb: b.firstTouchMsPerMb,
      results: b.results.map((x) => ({
        strategy: x.strategy,
        planMsByEpoch: x.planMsByEpoch,
        planFreshMbByEpoch: x.planFreshMbByEpoch,
        planMs: x.planMs,
        planMsLater: x.planMsLater,
        planFreshMbLater: x.planFreshMbLater,
        observeNsPerSample: x.observeNsPerSample,
      })),
    });
    for (const strategy of strategies) {
      const text = execFileSync(process.execPath, [join(here, 'steady.mjs'), strategy, String(size), '2'], { encoding: 'utf8' });
      const touch = Number(/first touch of memory: ([\d.]+) ms per MB/.exec(text)?.[1]);
      const epoch0 = /epoch 0: plan (\d+) ms \(fresh memory (\d+) MB\)/.exec(text);
      if (epoch0 === null) throw new Error(`fresh.mjs: steady.mjs ${strategy} printed no epoch 0 line:\n${text}`);
      firstPlans.push({ run: r, strategy, epoch0PlanMs: Number(epoch0[1]), epoch0FreshMb: Number(epoch0[2]), firstTouchMsPerMb: touch });
    }
    console.log(`run ${r + 1}/${runs} done`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const summary = {};
for (const strategy of strategies) {
  const rs = benchRuns.map((b) => b.results.find((x) => x.strategy === strategy));
  const later = rs.flatMap((x) => x.planMsLater);
  const e0 = firstPlans.filter((f) => f.strategy === strategy).map((f) => f.epoch0PlanMs);
  summary[strategy] = {
    firstPruningPlanMs: { min: Math.min(...rs.map((x) => x.planMs)), median: median(rs.map((x) => x.planMs)), max: Math.max(...rs.map((x) => x.planMs)) },
    laterPlansMs: { min: Math.min(...later), median: median(later), max: Math.max(...later) },
    epoch0AsFirstPlanMs: { min: Math.min(...e0), median: median(e0), max: Math.max(...e0) },
  };
  const s = summary[strategy];
  console.log(
    `${strategy.padEnd(14)} first pruning plan ${s.firstPruningPlanMs.min.toFixed(0)}–${s.firstPruningPlanMs.max.toFixed(0)} ms (median ${s.firstPruningPlanMs.median.toFixed(0)}), later ${s.laterPlansMs.min.toFixed(0)}–${s.laterPlansMs.max.toFixed(0)} (median ${s.laterPlansMs.median.toFixed(0)}), epoch 0 as a process's first plan ${s.epoch0AsFirstPlanMs.min}–${s.epoch0AsFirstPlanMs.max} (median ${s.epoch0AsFirstPlanMs.median})`,
  );
}
const touches = [...benchRuns.flatMap((b) => b.firstTouchMsPerMb.map((p) => p.msPerMb)), ...firstPlans.map((f) => f.firstTouchMsPerMb)];
console.log(`first touch of memory during these runs: ${Math.min(...touches).toFixed(2)}–${Math.max(...touches).toFixed(2)} ms per MB`);
writeFileSync(
  out,
  JSON.stringify(
    {
      what: `First plans in fresh processes at N = ${size}: ${runs} runs, each the strategy benchmark in a new process and, per strategy, epoch 0 as a new process's very first plan (steady.mjs).`,
      command: `node apps/strategy-bench/src/fresh.mjs --size ${size} --runs ${runs}`,
      date: new Date().toISOString(),
      node: process.version,
      cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
      firstTouchMsPerMbRange: [Math.min(...touches), Math.max(...touches)],
      summary,
      benchRuns,
      firstPlans,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out}`);
