#!/usr/bin/env node
/**
 * Steady-state driver for profiling one strategy: plans and observes E
 * epochs of N samples (batches of 65,536 — observe's per-batch work differs
 * from the benchmark's 256, so use bench.mjs for observe figures) and prints
 * plan() time per epoch, and the memory the plan touched for the first time
 * (minor page faults during plan(), as MB of 4 KiB pages: the plan's fresh
 * arrays, and in a process's first plans the reusable temporaries). Usage
 * (after a build):
 *   node --cpu-prof apps/strategy-bench/src/steady.mjs infobatch 1e7 6
 * Set NOWASM=1 to run with the WebAssembly kernels off. It first prints what
 * first touching memory costs here at the moment (page-cost.mjs), which
 * explains much of the spread between runs at different times.
 */
import { BENCH_SETTINGS, makePruner } from '@seta-apps/shared/strategies';
import { Random, setWasmKernels } from '@seta/core';
import { probeFirstTouch } from './page-cost.mjs';
if (process.env.NOWASM) setWasmKernels(false);
const which = process.argv[2]; const n = Number(process.argv[3] ?? 1e7); const E = Number(process.argv[4] ?? 6);
const epochs = 20;
// The benchmark's settings, from the shared table (BENCH_SETTINGS in apps/shared/src/strategies.ts).
const make = Object.hasOwn(BENCH_SETTINGS, which) ? () => makePruner(which, BENCH_SETTINGS[which], { size: n, epochs, seed: 0 }) : undefined;
if (make === undefined) throw new Error(`steady.mjs: strategy must be infobatch, seta, scan or dynamicRandom, got ${which}`);
const probe = probeFirstTouch(64);
console.log(`first touch of memory: ${probe.msPerMb.toFixed(2)} ms per MB`);
const p = make();
const rng = new Random(3);
const B = 65536; const a = new Float32Array(B), b = new Float32Array(B);
for (let e = 0; e < E; e++) {
  const faults = process.resourceUsage().minorPageFault;
  const t = performance.now();
  const plan = p.plan(e);
  const ms = performance.now() - t;
  const faultMb = ((process.resourceUsage().minorPageFault - faults) * 4096) / 2 ** 20;
  let obs = 0;
  const ids = plan.indices;
  for (let s = 0; s < ids.length; s += B) {
    const sub = ids.subarray(s, s + B);
    const decay = Math.exp(-0.2 * e);
    for (let i = 0; i < sub.length; i++) { const id = sub[i]; a[i] = ((Math.imul(id, 0x9e3779b1) >>> 0) / 4294967296) * 2 * decay + rng.nextUint32() / 4294967296 / 10; b[i] = a[i] * 0.9 + 0.01; }
    const t2 = performance.now();
    p.observe(sub, a.subarray(0, sub.length), which === 'scan' ? b.subarray(0, sub.length) : undefined);
    obs += performance.now() - t2;
  }
  const t3 = performance.now(); p.endEpoch(); obs += performance.now() - t3;
  console.log(`${which} n=${n} epoch ${e}: plan ${ms.toFixed(0)} ms (fresh memory ${faultMb.toFixed(0)} MB), visited ${ids.length}, observe ${(obs * 1e6 / ids.length).toFixed(1)} ns/sample`);
}
