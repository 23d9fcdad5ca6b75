#!/usr/bin/env node
/**
 * Side-by-side measurements behind the kernel choices in @seta/core and
 * @seta/kmeans1d, one process, on this machine. Usage (after a build):
 *   node apps/strategy-bench/src/kernels.mjs [--out docs/results/kernels.json]
 *
 * - shuffle: shuffledRange and shuffledCopy of 7.5M ids with the WebAssembly
 *   kernels on and off, alternately (same results; the times differ).
 * - sampling: sampleSorted of 3M at 39 % (Floyd's bitmap method) and 41 %
 *   (sequential sampling), just either side of the 40 % switch, and
 *   compactSample of half of 5M ids, each with the kernels off and on.
 * - k-means sort: kmeans1d (optimal, k = 5) of 9M loss-like float32 values
 *   with @seta/kmeans1d's WebAssembly sort kernel on and off, alternately,
 *   each side with its own workspace as SeTa's stage keeps one (same
 *   results; the sort is the part that differs).
 * - page faults: filling a fresh 36 MB array against refilling the same one.
 * - detach: a typed-array sum before and after a WebAssembly memory.grow
 *   (which detaches an ArrayBuffer; V8 then checks every typed-array access).
 *   Run last: it slows everything after it in this process.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Random, compactSample, sampleSorted, setWasmKernels, shuffledCopy, shuffledRange } from '@seta/core';
import { Kmeans1dWorkspace, kmeans1d } from '@seta/kmeans1d';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : null;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (f) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

const results = { command: `node apps/strategy-bench/src/kernels.mjs${out ? ` --out ${out}` : ''}`, date: new Date().toISOString(), node: process.version, loadAverageAtStart: os.loadavg()[0] };

// Shuffle, kernels on and off alternately, 5 rounds; medians.
const n = 7_500_000;
const ids = Uint32Array.from({ length: n }, (_, i) => i);
const shuffle = { n, rangeMs: { wasm: [], js: [] }, copyMs: { wasm: [], js: [] } };
for (let r = 0; r < 5; r++) {
  for (const on of [true, false]) {
    setWasmKernels(on);
    const key = on ? 'wasm' : 'js';
    shuffle.rangeMs[key].push(time(() => shuffledRange(n, new Random(r))));
    shuffle.copyMs[key].push(time(() => shuffledCopy(ids, new Random(r))));
  }
}
setWasmKernels(true);
shuffle.ratioRange = median(shuffle.rangeMs.js) / median(shuffle.rangeMs.wasm);
shuffle.ratioCopy = median(shuffle.copyMs.js) / median(shuffle.copyMs.wasm);
results.shuffle = shuffle;
console.log(`shuffle of ${n} ids, median of 5: shuffledRange js ${median(shuffle.rangeMs.js).toFixed(0)} ms, wasm ${median(shuffle.rangeMs.wasm).toFixed(0)} ms (${shuffle.ratioRange.toFixed(2)}x); shuffledCopy js ${median(shuffle.copyMs.js).toFixed(0)} ms, wasm ${median(shuffle.copyMs.wasm).toFixed(0)} ms (${shuffle.ratioCopy.toFixed(2)}x)`);

// Sampling either side of the 40 % switch (Floyd below, sequential above), kernels off and on;
// and compactSample of half of 5M (InfoBatch's below-mean set), off and on.
const pop = 3_000_000;
const sampling = { population: pop };
for (const on of [false, true]) {
  setWasmKernels(on);
  for (const [label, frac] of [['floyd39', 0.39], ['sequential41', 0.41]]) {
    const k = Math.floor(frac * pop);
    const buf = new Uint32Array(k);
    const rng = new Random(1);
    sampleSorted(pop, k, rng, buf);
    sampling[`${label}${on ? 'Wasm' : 'Js'}`] = median(Array.from({ length: 5 }, () => time(() => sampleSorted(pop, k, rng, buf))));
  }
  const w = 5_000_000;
  const src = Uint32Array.from({ length: w }, (_, i) => i * 2);
  const work = new Uint32Array(w);
  const rng = new Random(2);
  sampling[`compactHalfOf5M${on ? 'Wasm' : 'Js'}`] = median(
    Array.from({ length: 5 }, () => {
      work.set(src);
      return time(() => compactSample(work, 0, w, w >>> 1, rng));
    }),
  );
}
setWasmKernels(true);
const f = (x) => x.toFixed(1);
console.log(`sampleSorted of 3M, JS: 39 % (Floyd) ${f(sampling.floyd39Js)} ms, 41 % (sequential) ${f(sampling.sequential41Js)} ms; with kernels: ${f(sampling.floyd39Wasm)} / ${f(sampling.sequential41Wasm)} ms`);
console.log(`compactSample of half of 5M: JS ${f(sampling.compactHalfOf5MJs)} ms, wasm ${f(sampling.compactHalfOf5MWasm)} ms`);
results.sampling = sampling;

// k-means' sort kernel: kmeans1d of 9M loss-like values (as the strategy bench's epoch-1 losses: they span
// both sides of 2.0, so four radix passes), kernel on and off alternately, each with its own workspace; medians of 5.
const m = 9_000_000;
const losses = new Float32Array(m);
const lrng = new Random(5);
for (let i = 0; i < m; i++) losses[i] = ((Math.imul(i * 7, 0x9e3779b1) >>> 0) / 4294967296) * 2 * Math.exp(-0.2) + lrng.nextUint32() / 4294967296 / 10;
const kmeansSort = { values: m, k: 5, onMs: [], offMs: [] };
const spaces = { on: new Kmeans1dWorkspace(), off: new Kmeans1dWorkspace() };
for (let r = 0; r < 6; r++) {
  for (const on of [true, false]) {
    setWasmKernels(on); // k-means runs only the sort kernel
    const ms = time(() => kmeans1d(losses, 5, { workspace: on ? spaces.on : spaces.off }));
    if (r > 0) (on ? kmeansSort.onMs : kmeansSort.offMs).push(ms); // the first round allocates the workspaces
  }
}
setWasmKernels(true);
kmeansSort.ratio = median(kmeansSort.offMs) / median(kmeansSort.onMs);
console.log(`kmeans1d of 9M losses, median of 5: sort kernel off ${median(kmeansSort.offMs).toFixed(0)} ms, on ${median(kmeansSort.onMs).toFixed(0)} ms (${kmeansSort.ratio.toFixed(2)}x)`);
results.kmeansSort = kmeansSort;

// Page faults: a fresh 36 MB array against the same one refilled.
const faults = { bytes: 36e6, freshMs: [], refillMs: [] };
for (let r = 0; r < 5; r++) {
  let a;
  faults.freshMs.push(time(() => (a = new Uint32Array(9e6)).fill(1)));
  faults.refillMs.push(time(() => a.fill(2)));
}
console.log(`36 MB: fresh array + fill ${median(faults.freshMs).toFixed(1)} ms, refill ${median(faults.refillMs).toFixed(1)} ms`);
results.pageFaults = faults;

// Detach: typed-array sum before and after a memory.grow.
const arr = new Float32Array(1e7);
for (let i = 0; i < arr.length; i++) arr[i] = i;
const sum = (a) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
const best = () => Math.min(...Array.from({ length: 7 }, () => time(() => sum(arr))));
const before = best();
new WebAssembly.Memory({ initial: 1 }).grow(1);
const after = best();
console.log(`sum of 1e7 float32: ${before.toFixed(1)} ms before any detach, ${after.toFixed(1)} ms after a memory.grow (${(after / before).toFixed(2)}x)`);
results.detach = { beforeMs: before, afterMs: after, ratio: after / before };

if (out) {
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${out}`);
}
