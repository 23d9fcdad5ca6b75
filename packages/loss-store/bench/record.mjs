// Cost of LossStore.record() per sample, for 256-sample batches of random ids
// (Uint32Array) and losses (Float32Array), as a shuffled epoch plan produces.
// Also times mean() right after a change (its exact O(N) scan).
// Run after a build:  node bench/record.mjs [size ...]   (default sizes 1e4 1e6 1e7)
import { LossStore } from '../dist/index.js';

const BATCH = 256;
const POOL = 4096; // pre-generated batches, so the timing excludes the generator
const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(1e4, 1e6, 1e7);

let seed = 12345;
const next = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed;
};

const configs = [
  ['latest wins, epochs (default)', {}],
  ['latest wins, no epochs', { trackEpochs: false }],
  ['latest wins, epochs + counts', { trackCounts: true }],
  ['ema 0.9, epochs', { ema: 0.9 }],
];

console.log(`node ${process.version}, batch ${BATCH}, ids uniformly random`);
for (const size of sizes) {
  const ids = new Uint32Array(BATCH * POOL);
  const losses = new Float32Array(BATCH * POOL);
  for (let i = 0; i < ids.length; i++) {
    ids[i] = next() % size;
    losses[i] = (next() / 2 ** 32) * 5;
  }
  const batches = [];
  for (let b = 0; b < POOL; b++) {
    batches.push([ids.subarray(b * BATCH, (b + 1) * BATCH), losses.subarray(b * BATCH, (b + 1) * BATCH)]);
  }
  for (const [label, options] of configs) {
    const store = new LossStore(size, options);
    // Warm up (JIT) and touch every sample once so pages are resident.
    for (let b = 0; b < POOL; b++) store.record(batches[b][0], batches[b][1], 0);
    let best = Infinity;
    for (let rep = 0; rep < 5; rep++) {
      const t0 = process.hrtime.bigint();
      for (let b = 0; b < POOL; b++) store.record(batches[b][0], batches[b][1], 1);
      void store.seenCount; // a read applies the writes a large store (2^22 or more) has gathered: time them too
      const ns = Number(process.hrtime.bigint() - t0) / (POOL * BATCH);
      if (ns < best) best = ns;
    }
    // mean() after a change: one exact O(N) scan.
    let scan = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      store.record(batches[rep][0], batches[rep][1], 1);
      void store.seenCount; // the gathered writes are record's cost, not mean()'s
      const t0 = process.hrtime.bigint();
      store.mean();
      scan = Math.min(scan, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(
      `size ${size.toExponential(0)}  ${label.padEnd(30)} record ${best.toFixed(1).padStart(6)} ns/sample   mean() after a change ${scan.toFixed(2)} ms`,
    );
  }
}
