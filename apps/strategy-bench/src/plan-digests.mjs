#!/usr/bin/env node
/**
 * Digests of every strategy's plans, to check that a refactoring leaves
 * plans bit-identical. Each strategy (the conformance settings of the shared
 * table, CONFORMANCE_SETTINGS in apps/shared/src/strategies.ts) runs every epoch of a short run on
 * deterministic synthetic losses (`syntheticLoss` of @seta/core/testing;
 * two directions for SCAN), at sizes on either side of the fast paths'
 * thresholds (65,536 for the scatter shuffle and the WebAssembly kernels,
 * 2^22 for the loss store's grouped writes), with the WebAssembly kernels on
 * and off. Each line is the SHA-256 of every plan's phase, ids and weights.
 * Usage (after a build):
 *   node apps/strategy-bench/src/plan-digests.mjs            # print the digests as JSON
 *   node apps/strategy-bench/src/plan-digests.mjs --check    # compare with plan-digests.json, exit 1 on a difference
 *   node apps/strategy-bench/src/plan-digests.mjs --write    # record them in plan-digests.json
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFORMANCE_SETTINGS, makePruner } from '@seta-apps/shared/strategies';
import * as core from '@seta/core';
import { syntheticLoss } from '@seta/core/testing';
import * as kmeans from '@seta/kmeans1d';

const file = new URL('./plan-digests.json', import.meta.url);
const strategies = Object.fromEntries(
  Object.keys(CONFORMANCE_SETTINGS).map((name) => [name, (size, epochs, seed) => makePruner(name, CONFORMANCE_SETTINGS[name], { size, epochs, seed })]),
);
const runs = [
  { size: 1_000, epochs: 8, batch: 32 },
  { size: 100_000, epochs: 8, batch: 256 },
  { size: 5_000_000, epochs: 8, batch: 65_536 },
];

/** The one WebAssembly switch, wherever this build keeps it (older builds had a second one in @seta/kmeans1d). */
function setWasm(on) {
  core.setWasmKernels(on);
  if (typeof kmeans.setSortKernel === 'function') kmeans.setSortKernel(on);
}

function digestRun(name, { size, epochs, batch }) {
  const pruner = strategies[name](size, epochs, 1);
  const hash = createHash('sha256');
  const a = new Float32Array(batch);
  const b = new Float32Array(batch);
  for (let e = 0; e < epochs; e++) {
    const plan = pruner.plan(e);
    hash.update(`${e}:${plan.phase}:${plan.indices.length}:`);
    hash.update(new Uint8Array(plan.indices.buffer, plan.indices.byteOffset, plan.indices.byteLength));
    if (plan.weights !== null) hash.update(new Uint8Array(plan.weights.buffer, plan.weights.byteOffset, plan.weights.byteLength));
    else hash.update('no weights');
    for (let s = 0; s < plan.indices.length; s += batch) {
      const ids = plan.indices.subarray(s, s + batch);
      const m = ids.length;
      for (let i = 0; i < m; i++) {
        a[i] = syntheticLoss(ids[i], e);
        b[i] = a[i] * 0.9 + syntheticLoss(ids[i] + 7919, e) * 0.1;
      }
      if (name === 'scan') pruner.observe(ids, a.subarray(0, m), b.subarray(0, m));
      else pruner.observe(ids, a.subarray(0, m));
    }
    pruner.endEpoch();
  }
  return hash.digest('hex');
}

const digests = {};
for (const wasm of [true, false]) {
  setWasm(wasm);
  for (const run of runs) {
    for (const name of Object.keys(strategies)) {
      const key = `${name} size=${run.size} wasm=${wasm ? 'on' : 'off'}`;
      const t = performance.now();
      digests[key] = digestRun(name, run);
      console.error(`${key}: ${digests[key].slice(0, 16)} (${(performance.now() - t).toFixed(0)} ms)`);
    }
  }
}
setWasm(true);

const mode = process.argv[2];
if (mode === '--write') {
  writeFileSync(file, `${JSON.stringify(digests, null, 2)}\n`);
  console.error(`wrote ${file.pathname}`);
} else if (mode === '--check') {
  const expected = JSON.parse(readFileSync(file, 'utf8'));
  const differ = Object.keys(expected).filter((k) => expected[k] !== digests[k]);
  for (const k of differ) console.error(`DIFFERENT: ${k}: expected ${expected[k].slice(0, 16)}, got ${String(digests[k]).slice(0, 16)}`);
  console.error(differ.length === 0 ? `all ${Object.keys(expected).length} digests match` : `${differ.length} digests differ`);
  process.exitCode = differ.length === 0 ? 0 : 1;
} else {
  console.log(JSON.stringify(digests, null, 2));
}
