#!/usr/bin/env node
/**
 * The README's generated figures, so the README and the site quote one
 * source. Two marked regions:
 *
 * - `<!-- figures:evidence -->` … `<!-- /figures:evidence -->`: the evidence
 *   table, from docs/results/classification-evidence/summary.json;
 * - `<!-- figures:performance -->` … `<!-- /figures:performance -->`: the
 *   performance table, the targets sentence and SeTa's pruning-step
 *   comparison, from the fresh-process runs (docs/results/strategy-bench-fresh*.json)
 *   and the full benchmark run (docs/results/strategy-bench.json).
 *
 *   node scripts/readme-figures.mjs            # check: exit 1 if the README differs from the JSON
 *   node scripts/readme-figures.mjs --update   # rewrite both regions after the JSON changed
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmeFile = join(root, 'README.md');
const summaryFile = join(root, 'docs/results/classification-evidence/summary.json');
// Every batch of fresh-process runs the performance table pools, in the order they were taken.
const freshFiles = ['strategy-bench-fresh.json', 'strategy-bench-fresh-2.json', 'strategy-bench-fresh-3.json'].map((f) => join(root, 'docs/results', f));
const benchFile = join(root, 'docs/results/strategy-bench.json');
const MINUS = '\u2212';

const NAMES = { dynamicRandom: 'dynamic random', infobatch: 'InfoBatch', seta: 'SeTa', scan: 'SCAN (single-loss form)' };
// Options every arm of a strategy shares (SeTa's `groups`) say nothing about the difference between rows.
const SHOWN = ['pruneRatio', 'windowScale'];

const signed = (x) => `${x < 0 ? MINUS : '+'}${Math.abs(x * 100).toFixed(1)}`;

/** One arm's row: bold where the interval is above zero, named "no difference" where it holds zero. */
function row(arm) {
  const options = Object.entries(arm.options ?? {})
    .filter(([k]) => SHOWN.includes(k))
    .map(([k, v]) => `\`${k}\` ${v}`)
    .join(', ');
  const { mean, ci95 } = arm.visitsSavedAtEqualAccuracy;
  const figure = `${signed(mean)} % [${signed(ci95[0])}, ${signed(ci95[1])}]`;
  const reading = ci95[0] > 0 ? `**${signed(mean)} %** [${signed(ci95[0])}, ${signed(ci95[1])}]` : ci95[1] < 0 ? `${figure} (worse)` : `no difference (${figure})`;
  return `| ${NAMES[arm.strategy] ?? arm.strategy}${options ? `, ${options}` : ''} | ${Math.round(arm.visitsRatio.mean * 100)} % | ${reading} |`;
}

/** The table, best saving first. */
export function evidenceTable(summary) {
  const arms = [...summary.arms].sort((a, b) => b.visitsSavedAtEqualAccuracy.mean - a.visitsSavedAtEqualAccuracy.mean);
  return ['| method (clean labels) | visits made | visits saved at equal accuracy (95 % CI) |', '| --- | ---: | ---: |', ...arms.map(row)].join('\n');
}


// The strategies the performance table and the targets cover; dynamic random is a baseline without a target.
const PLANNED = ['infobatch', 'seta', 'scan'];
const LABEL = { infobatch: 'InfoBatch', seta: 'SeTa', scan: 'SCAN' };
/** The project's performance targets, at N = 10^7. */
export const TARGETS = { size: 1e7, planMs: { seta: 1000, infobatch: 300, scan: 300 }, observeNs: 50, stateBytesPerSample: 16 };
// SCAN does per-batch work only in its preparation epochs, so that is where its observe() is timed.
const OBSERVE_NOTE = { scan: ' (preparation epochs)' };
const KINDS = [
  ['epoch0', 'epoch-0 plans'],
  ['first', 'first pruning plans'],
  ['later', 'later pruning plans'],
];

/** The middle value of `xs`, or the mean of the middle two. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const whole = (x) => thousands(Math.round(x));
/** `lo–hi` rounded to whole units, one number where they round alike. */
export function span(lo, hi) {
  const [a, b] = [whole(lo), whole(hi)];
  return a === b ? a : `${a}–${b}`;
}
/** "median ms (min–max)" of a list of plan times; the median alone where every time rounds alike. */
export function medianRange(xs) {
  const range = span(Math.min(...xs), Math.max(...xs));
  return range.includes('–') ? `${whole(median(xs))} ms (${range})` : `${range} ms`;
}
/** 10^7, 1.28 × 10^6: the README's way of writing a dataset size. */
export function sizeText(n) {
  const k = Math.floor(Math.log10(n));
  const m = Number((n / 10 ** k).toPrecision(6));
  return m === 1 ? `10^${k}` : `${m} × 10^${k}`;
}
const listed = (xs) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
const unique = (xs) => [...new Set(xs)];

/**
 * What the performance region shows, per strategy: every plan of the
 * fresh-process runs (epoch 0 as a new process's first plan, the first
 * pruning plan, the later pruning plans), each with the load average its run
 * started at, and the full run's observe() and state by size.
 */
export function performanceFigures(freshRuns, bench) {
  const sizes = unique(freshRuns.map((f) => Number(/--size (\d+)/.exec(f.command)?.[1])));
  if (sizes.length !== 1 || !(sizes[0] > 0)) throw new Error(`readme-figures: the fresh runs must share one size, got ${sizes.join(', ')}`);
  const runs = freshRuns.flatMap((f) => f.benchRuns);
  const strategies = PLANNED.map((name) => {
    const plans = { epoch0: [], first: [], later: [] };
    for (const f of freshRuns) {
      for (const b of f.benchRuns) {
        const r = b.results.find((x) => x.strategy === name);
        plans.first.push({ ms: r.planMs, load: b.loadAverageAtStart });
        for (const ms of r.planMsLater) plans.later.push({ ms, load: b.loadAverageAtStart });
      }
      // steady.mjs records no load average of its own; it runs right after the benchmark run of the same index.
      for (const p of f.firstPlans.filter((x) => x.strategy === name)) plans.epoch0.push({ ms: p.epoch0PlanMs, load: f.benchRuns[p.run]?.loadAverageAtStart });
    }
    // As the site reads the full run (docs/results/bench.data.ts): observe() in the later epochs of the same phase where measured.
    const full = bench.results
      .filter((r) => r.strategy === name)
      .sort((a, b) => a.size - b.size)
      .map((r) => ({ size: r.size, observeNs: r.observeNsLater ?? r.observeNsPerSample, stateBytesPerSample: r.stateBytesPerSample }));
    return { name, label: LABEL[name], plans, full };
  });
  return {
    size: sizes[0],
    runs: runs.length,
    batches: freshRuns.length,
    dates: unique(freshRuns.map((f) => f.date.slice(0, 10))),
    machines: unique(freshRuns.map((f) => `${f.cpu}, Node.js ${f.node}`)),
    loads: runs.map((b) => b.loadAverageAtStart),
    firstTouchMsPerMb: [Math.min(...freshRuns.map((f) => f.firstTouchMsPerMbRange[0])), Math.max(...freshRuns.map((f) => f.firstTouchMsPerMbRange[1]))],
    bench: { date: bench.date.slice(0, 10), sizes: unique(bench.results.map((r) => r.size)).sort((a, b) => a - b) },
    strategies,
    setaStep: bench.setaStepComparison ?? null,
  };
}

// Load averages keep the decimals the runs report; state per sample shows the 1/8 byte of the seen bitmap.
const span2 = (lo, hi) => (lo === hi ? String(lo) : `${lo}–${hi}`);
const bytes = (x) => String(Number(x.toFixed(3)));

const atSize = (s, size) => s.full.find((c) => c.size === size) ?? null;
const seconds = (ms) => `${ms / 1000} s`;

/** The targets, and every figure that misses one, named with the plans' count and range. */
export function targetSentence(fig) {
  const byTarget = unique(Object.values(TARGETS.planMs)).map((t) => `${listed(PLANNED.filter((n) => TARGETS.planMs[n] === t).map((n) => LABEL[n]))} ≤ ${seconds(t)}`);
  const stated = `The project's targets at N = ${sizeText(TARGETS.size)} — ${byTarget.join(', ')} per \`plan()\`, \`observe()\` ≤ ${TARGETS.observeNs} ns and ≤ ${TARGETS.stateBytesPerSample} bytes of state per sample`;
  const misses = [];
  for (const s of fig.strategies) {
    for (const [kind, what] of KINDS) {
      const plans = s.plans[kind];
      const over = plans.filter((p) => p.ms > TARGETS.planMs[s.name]);
      if (over.length === 0) continue;
      const ms = over.map((p) => p.ms);
      const loads = unique(over.map((p) => p.load).filter((x) => x !== undefined));
      // The runs' load average is the one circumstance the JSON records that tells a slow run from a fast one.
      const load = loads.length > 0 ? ` (in runs started at load average ${span2(Math.min(...loads), Math.max(...loads))}; all ${fig.runs} runs: ${span2(Math.min(...fig.loads), Math.max(...fig.loads))})` : '';
      misses.push(`${over.length} of ${s.label}'s ${plans.length} ${what} took ${span(Math.min(...ms), Math.max(...ms))} ms${load}`);
    }
    const c = atSize(s, TARGETS.size);
    if (c === null) misses.push(`${s.label} has no \`observe()\` or state figure at N = ${sizeText(TARGETS.size)}`);
    else {
      if (c.observeNs > TARGETS.observeNs) misses.push(`${s.label}'s \`observe()\` took ${whole(c.observeNs)} ns per sample`);
      if (c.stateBytesPerSample > TARGETS.stateBytesPerSample) misses.push(`${s.label} keeps ${bytes(c.stateBytesPerSample)} bytes of state per sample`);
    }
  }
  if (fig.size !== TARGETS.size) misses.push(`the plans above were timed at N = ${sizeText(fig.size)}, not at the targets' size`);
  return misses.length === 0 ? `${stated} — are met in every run above.` : `${stated} — are met, except that ${listed(misses)}.`;
}

/** The performance region: how the figures were taken, the table, the targets, SeTa's pruning step. */
export function performanceRegion(fig) {
  const [lo, hi] = [fig.bench.sizes[0], fig.bench.sizes.at(-1)];
  const caption =
    `\`plan()\` at N = ${sizeText(fig.size)}: median (range) of ${fig.runs} new processes in ${fig.batches} ${fig.batches === 1 ? 'batch' : 'batches'} of \`fresh.mjs\` ` +
    `(${fig.dates.join(', ')}; ${fig.machines.join('; ')}), while first touching memory cost ` +
    `${fig.firstTouchMsPerMb.map((x) => x.toFixed(2)).join('–')} ms per MB. \`observe()\` per sample from ${sizeText(lo)} to ${sizeText(hi)} ` +
    `and state per sample at ${sizeText(TARGETS.size)}: the full run of ${fig.bench.date}.`;
  const rows = fig.strategies.map((s) => {
    const observe = s.full.map((c) => c.observeNs);
    const c = atSize(s, TARGETS.size);
    return `| ${s.label} | ${KINDS.map(([k]) => medianRange(s.plans[k].map((p) => p.ms))).join(' | ')} | ${observe.length ? `${span(Math.min(...observe), Math.max(...observe))} ns${OBSERVE_NOTE[s.name] ?? ''}` : '—'} | ${c ? `${bytes(c.stateBytesPerSample)} B` : '—'} |`;
  });
  const table = [
    "| strategy | epoch 0 (a new process's first plan) | first pruning plan | later pruning plans | `observe()` per sample | state per sample |",
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  const parts = [caption, table, targetSentence(fig)];
  const step = fig.setaStep;
  if (step) {
    parts.push(
      `SeTa's pruning step alone (downsample, cluster, window) at N = ${sizeText(step.size)}, in the full run: ${whole(step.oursMs)} ms with ` +
        `\`@seta/kmeans1d\` against ${whole(step.ckmeansMs)} ms for the same stage built on \`simple-statistics\`' \`ckmeans\`, also an optimal ` +
        `1-D k-means (${(step.ckmeansMs / step.oursMs).toFixed(1)}× faster${step.samePlan ? '; both give the identical plan' : ''}).`,
    );
  }
  return parts.join('\n\n');
}

/** `readme` with the region between `<!-- figures:name -->` and `<!-- /figures:name -->` replaced by `text`; throws if the markers are missing. */
export function withRegion(readme, name, text) {
  const start = `<!-- figures:${name} -->`;
  const end = `<!-- /figures:${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`readme-figures: README.md needs ${start} … ${end}`);
  return `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`;
}

/** `readme` with the evidence table replaced by `table`. */
export const withTable = (readme, table) => withRegion(readme, 'evidence', table);

/** The committed JSON every region is generated from. */
export function readSources() {
  const json = (file) => JSON.parse(readFileSync(file, 'utf8'));
  return { summary: json(summaryFile), fresh: freshFiles.map(json), bench: json(benchFile) };
}

/** Each region's generated text, by marker name. */
export function regions({ summary, fresh, bench }) {
  return { evidence: evidenceTable(summary), performance: performanceRegion(performanceFigures(fresh, bench)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(readmeFile, 'utf8');
  let wanted = readme;
  const drifted = [];
  for (const [name, text] of Object.entries(regions(readSources()))) {
    const next = withRegion(wanted, name, text);
    if (next !== wanted) drifted.push(name);
    wanted = next;
  }
  if (process.argv.includes('--update')) {
    writeFileSync(readmeFile, wanted);
    console.log(`readme-figures: README.md regions rewritten from the JSON${drifted.length ? ` (changed: ${drifted.join(', ')})` : ' (no change)'}`);
  } else if (drifted.length > 0) {
    console.error(`readme-figures: README.md's ${drifted.join(' and ')} figures differ from the committed JSON; run node scripts/readme-figures.mjs --update`);
    process.exit(1);
  } else {
    console.log('readme-figures: README.md evidence and performance figures match the committed JSON');
  }
}
