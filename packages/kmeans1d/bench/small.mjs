// Short inputs: kmeans1d (k = 5) on 10 to 1,000 values, where fixed costs
// rather than passes over the data decide, against simple-statistics' ckmeans
// (also optimal) in the same process. With --against <built index.js of
// another checkout>, the two builds run alternately, each in fresh processes
// (--rounds pairs), for a side-by-side ratio. Run after building:
//   node packages/kmeans1d/bench/small.mjs [--against ../base/packages/kmeans1d/dist/index.js] [--rounds 3] [--out packages/kmeans1d/bench/small-results.json]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const SIZES = [10, 20, 50, 100, 256, 1000];
const K = 5;
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

/** Microseconds per call, best of 5 batches of calls, for each size; in this process. */
async function measure(modulePath) {
  const { kmeans1d } = await import(pathToFileURL(modulePath).href);
  const { ckmeans } = await import('simple-statistics');
  const out = [];
  for (const n of SIZES) {
    let s = 12345 + n;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values = Float32Array.from({ length: n }, () => next() * next() * 3); // loss-like: many small, few large
    const plain = Array.from(values);
    const calls = Math.max(50, Math.round(3e5 / n));
    const time = (f) => {
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const t = performance.now();
        for (let i = 0; i < calls; i++) f();
        best = Math.min(best, ((performance.now() - t) * 1000) / calls);
      }
      return best;
    };
    out.push({ n, kmeans1dUs: time(() => kmeans1d(values, K)), ckmeansUs: time(() => ckmeans(plain, K)) });
  }
  return out;
}

const child = arg('child', null);
if (child !== null) {
  process.stdout.write(JSON.stringify(await measure(child)));
} else {
  const ours = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  const against = arg('against', null);
  const rounds = Number(arg('rounds', '3'));
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new RangeError(`small.mjs: --rounds must be a positive integer, got ${arg('rounds')}`);
  const run = (modulePath) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', modulePath], { encoding: 'utf8' }));
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first.
    const order = against === null ? [['this', ours]] : r % 2 === 0 ? [['this', ours], ['against', resolve(against)]] : [['against', resolve(against)], ['this', ours]];
    for (const [side, path] of order) runs.push({ round: r, side, results: run(path) });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const summary = SIZES.map((n) => {
    const pick = (side, key) => median(runs.filter((x) => x.side === side).map((x) => x.results.find((y) => y.n === n)[key]));
    const row = { n, kmeans1dUs: pick('this', 'kmeans1dUs'), ckmeansUs: pick('this', 'ckmeansUs') };
    if (against !== null) {
      row.againstKmeans1dUs = pick('against', 'kmeans1dUs');
      row.speedup = row.againstKmeans1dUs / row.kmeans1dUs;
    }
    return row;
  });
  console.log(`node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}; medians of ${rounds} fresh processes per side, each the best of 5 batches`);
  console.log(`| n | kmeans1d (µs) |${against === null ? '' : ' the other build (µs) | speed-up |'} ckmeans (µs) |`);
  for (const r of summary) {
    console.log(`| ${r.n} | ${r.kmeans1dUs.toFixed(1)} |${against === null ? '' : ` ${r.againstKmeans1dUs.toFixed(1)} | ${r.speedup.toFixed(2)}× |`} ${r.ckmeansUs.toFixed(1)} |`);
  }
  const out = arg('out', null);
  if (out !== null) {
    const command = `node packages/kmeans1d/bench/small.mjs${against === null ? '' : ` --against ${against}`} --rounds ${rounds}`;
    writeFileSync(out, JSON.stringify({ command, date: new Date().toISOString(), node: process.version, k: K, summary, runs }, null, 2) + '\n');
    console.log(`wrote ${out}`);
  }
}
