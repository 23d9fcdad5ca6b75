/**
 * The evidence study's report and plots, from its summary and run records:
 * the headline table first (visits saved at equal accuracy, with its
 * confidence interval), then the equal-compute curve, the per-seed figures
 * the headline is computed from, and time-to-accuracy plots.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCi, formatPct, formatPp, renderSvg, svgToPng, verdict } from '@seta-apps/shared';
import type { TopLevelSpec } from 'vega-lite';
import type { ArmSummary, EvidenceSummary, SettingSummary } from './evidence.js';
import { totalVisits } from './evidence.js';
import type { RunRecord } from './record.js';

const NAMES: Record<string, string> = {
  full: 'Full data',
  dynamicRandom: 'Dynamic random',
  staticRandom: 'Static random',
  infobatch: 'InfoBatch',
  seta: 'SeTa',
  scan: 'SCAN (single loss)',
};

const pct = formatPct;
const pp = formatPp;
const ci = (c: [number, number] | null, f: (x: number) => string) => formatCi(c, f);

function armName(a: ArmSummary): string {
  return `${NAMES[a.strategy] ?? a.strategy} ${a.level}`;
}

function censoredNote(a: ArmSummary): string {
  const entries = Object.entries(a.visitsSavedAtEqualAccuracy.censored);
  if (entries.length === 0) return '';
  const above = entries.filter(([, c]) => c === 'above').map(([s]) => s);
  const below = entries.filter(([, c]) => c === 'below').map(([s]) => s);
  return [above.length > 0 ? `seeds ${above.join(', ')} beat every budget (lower bound)` : '', below.length > 0 ? `seeds ${below.join(', ')} below the smallest budget (upper bound)` : '']
    .filter(Boolean)
    .join('; ');
}

/** The headline table of one setting. */
export function headlineTable(s: SettingSummary): string[] {
  const rows = [
    '| method | visits made | test accuracy | Δ vs full data at equal visits (pp, 95 % CI) | reading | visits saved at equal accuracy (95 % CI) | CPU per visit vs full |',
    '| --- | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const a of s.arms) {
    const d = a.deltaVsEqualCompute;
    const v = a.visitsSavedAtEqualAccuracy;
    const note = censoredNote(a);
    rows.push(
      `| ${armName(a)} | ${pct(a.visitsRatio.mean)} | ${pct(a.testAccuracy.mean).replace(' %', ' %')} | ${pp(d.mean)} ${ci(d.ci95, pp)} | ${verdict(d.ci95)} | ${pct(v.mean, true)} ${ci(v.ci95, (x) => pct(x, true))}${note === '' ? '' : ` ¹`} | ${a.cpuPerVisitVsFull === null ? '—' : `${a.cpuPerVisitVsFull.mean.toFixed(3)}×`} |`,
    );
  }
  return rows;
}

/** The full-data curve of one setting: budgets, test and validation accuracy. */
export function curveTable(s: SettingSummary): string[] {
  const rows = ['| full-data budget (epochs) | visits | test accuracy (mean) | validation accuracy (mean) | CPU s (mean) |', '| ---: | ---: | ---: | ---: | ---: |'];
  for (const p of [...s.fullCurve].sort((a, b) => b.epochs - a.epochs)) {
    rows.push(
      `| ${p.epochs} | ${pct(p.visitsRatio)} | ${pct(p.testAccuracy.mean)} | ${p.validationAccuracy === null ? '—' : pct(p.validationAccuracy.mean)} | ${p.cpuSeconds.mean.toFixed(0)} |`,
    );
  }
  return rows;
}

/** Every arm's per-seed figures, from which the headline is computed. */
export function perSeedTable(s: SettingSummary): string[] {
  const rows = ['| method | seed | visits | test accuracy | full data at equal visits | Δ (pp) | visits saved at equal accuracy |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const a of s.arms) {
    for (const seed of a.seeds) {
      const k = String(seed);
      const d = a.deltaVsEqualCompute.perSeed[k] ?? null;
      const acc = a.testAccuracy.perSeed[k]!;
      const c = a.visitsSavedAtEqualAccuracy.censored[k];
      rows.push(
        `| ${armName(a)} | ${seed} | ${pct(a.visitsRatio.perSeed[k]!)} | ${pct(acc)} | ${d === null ? '—' : pct(acc - d)} | ${d === null ? '—' : pp(d)} | ${pct(a.visitsSavedAtEqualAccuracy.perSeed[k]!, true)}${c === undefined ? '' : c === 'above' ? ' (≥)' : ' (≤)'} |`,
      );
    }
  }
  return rows;
}

function noiseTable(s: SettingSummary): string[] {
  const rows = ['| method | Σ weights per noisy sample / per clean sample (mean over seeds) |', '| --- | ---: |'];
  for (const a of s.arms) rows.push(`| ${armName(a)} | ${a.noisyExposure === undefined ? '—' : a.noisyExposure.mean.toFixed(3)} |`);
  return rows;
}

const HOW_TO_READ = [
  'How to read it. Every arm of a seed starts from the same initial weights (the records\' `initDigest`) and the same data-order seed.',
  'Full data is trained at six budgets, 25 % to 100 % of the horizon\'s sample visits, each with its cosine schedule over its own budget;',
  'per seed, these six final test accuracies make the *equal-compute curve* (piecewise linear in visits).',
  '*Δ vs full data at equal visits* is an arm\'s test accuracy minus its own seed\'s curve at the visits the arm made;',
  '*visits saved at equal accuracy* is 1 − (the arm\'s visits) / (the visits the curve needs to reach the arm\'s accuracy).',
  'Both are per-seed paired figures; the interval is a Student-t 95 % interval over seeds. An interval containing 0 is reported as no difference.',
  'Where an arm beats every budget of its seed\'s curve, the saving is a lower bound (¹, "≥" in the per-seed table).',
  '*CPU per visit vs full* is the arm\'s process CPU time per sample visit over the full-horizon run\'s: the strategy\'s own overhead (1.000× = none).',
].join('\n');

/** The whole report. */
export function evidenceReport(summary: EvidenceSummary, options: { title: string; machine: string; notes?: string }): string {
  const out: string[] = [`# ${options.title}`, ''];
  const setting = (s: SettingSummary, heading: string) => {
    out.push(`## ${heading}`, '', `Seeds: ${s.seeds.join(', ')}. Horizon: ${summary.horizon} epochs.`, '', ...headlineTable(s), '');
    if (s.arms.some((a) => censoredNote(a) !== '')) {
      out.push(...s.arms.filter((a) => censoredNote(a) !== '').map((a) => `¹ ${armName(a)}: ${censoredNote(a)}.`), '');
    }
    if (s.labelNoise > 0) out.push('Exposure to the mislabelled samples (the gradient\'s weights, not visit counts):', '', ...noiseTable(s), '');
    out.push('### Full data at equal compute', '', ...curveTable(s), '', '### Per seed', '', ...perSeedTable(s), '');
  };
  setting(summary, 'Clean labels');
  if (summary.labelNoiseSetting !== null) setting(summary.labelNoiseSetting, `Label noise ${summary.labelNoiseSetting.labelNoise * 100} % (symmetric)`);
  out.push('## Method', '', HOW_TO_READ, '', `Machine: ${options.machine}.`, '', 'Produced by, at commit `' + summary.commit + '`:', '', '```sh', summary.command, '```', '');
  out.push('Plots: `plots/accuracy-vs-visits*.svg` and `plots/accuracy-vs-cpu*.svg` (time to accuracy, mean over seeds per epoch).', '');
  if (options.notes !== undefined) out.push('## Notes', '', options.notes.trim(), '');
  return out.join('\n');
}

/** Per arm and epoch, mean over seeds: cumulative visits (share of the horizon) and CPU seconds against test accuracy. */
export function timeToAccuracyPoints(records: readonly RunRecord[], labelNoise: number, horizon: number) {
  const points: { method: string; visits: number; cpuSeconds: number; accuracy: number }[] = [];
  const groups = new Map<string, RunRecord[]>();
  for (const r of records.filter((x) => x.config.labelNoise === labelNoise)) {
    const isHorizonFull = r.config.budgetEpochs === horizon;
    if (r.config.budgetEpochs !== undefined && !isHorizonFull) continue;
    const key = isHorizonFull ? NAMES.full! : `${NAMES[r.config.strategy] ?? r.config.strategy} ${r.config.level}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [method, runs] of groups) {
    const epochs = Math.min(...runs.map((r) => r.epochs.length));
    for (let e = 0; e < epochs; e++) {
      let visits = 0;
      let cpu = 0;
      let acc = 0;
      for (const r of runs) {
        const n = r.config.trainSize;
        visits += r.epochs.slice(0, e + 1).reduce((s, x) => s + x.visited, 0) / (n * horizon);
        cpu += r.epochs.slice(0, e + 1).reduce((s, x) => s + (x.cpuMs ?? 0), 0) / 1000;
        acc += r.epochs[e]!.testAccuracy;
      }
      points.push({ method, visits: visits / runs.length, cpuSeconds: cpu / runs.length, accuracy: (acc / runs.length) * 100 });
    }
  }
  return points;
}

function curvePoints(s: SettingSummary) {
  return s.fullCurve.map((p) => ({ visits: p.visitsRatio, accuracy: p.testAccuracy.mean * 100, cpuSeconds: p.cpuSeconds.mean }));
}

/** Test accuracy against cumulative visits or CPU seconds: each arm's epochs as lines, the equal-compute curve's end points as black dots. */
export function timeToAccuracySpec(records: readonly RunRecord[], s: SettingSummary, horizon: number, x: 'visits' | 'cpuSeconds'): TopLevelSpec {
  const title = x === 'visits' ? 'Sample visits (share of full data over the horizon)' : 'Process CPU time of training (s)';
  const lines = timeToAccuracyPoints(records, s.labelNoise, horizon);
  const best = Math.max(...lines.map((p) => p.accuracy), ...curvePoints(s).map((p) => p.accuracy));
  // Early epochs lie far below the interesting range; cut them (and say so in the axis) rather than squash it.
  const floor = best - 3;
  const shown = lines.filter((p) => p.accuracy >= floor);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: 340,
    title: `Time to accuracy${s.labelNoise > 0 ? ` (label noise ${s.labelNoise * 100} %)` : ''}: mean over seeds ${s.seeds.join(', ')}`,
    layer: [
      {
        data: { values: shown },
        mark: { type: 'line', point: { size: 12 }, clip: true },
        encoding: {
          x: { field: x, type: 'quantitative', title, axis: { tickCount: 6, ...(x === 'visits' ? { format: '.0%' } : {}) } },
          y: { field: 'accuracy', type: 'quantitative', title: `Test accuracy (%, from ${floor.toFixed(1)})`, scale: { zero: false, domain: [floor, best + 0.3] } },
          color: { field: 'method', type: 'nominal', title: 'Method (black dots: full data at each budget)', legend: { labelLimit: 320, titleLimit: 400 } },
        },
      },
      {
        data: { values: curvePoints(s) },
        mark: { type: 'point', filled: true, color: 'black', size: 60 },
        encoding: { x: { field: x, type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** Write the time-to-accuracy plots (SVG and PNG) of every setting; returns the files. */
export async function writeEvidencePlots(records: readonly RunRecord[], summary: EvidenceSummary, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  const settings = [summary as SettingSummary, ...(summary.labelNoiseSetting === null ? [] : [summary.labelNoiseSetting])];
  for (const s of settings) {
    const suffix = s.labelNoise > 0 ? `-noise${s.labelNoise}` : '';
    for (const x of ['visits', 'cpuSeconds'] as const) {
      const name = `accuracy-vs-${x === 'visits' ? 'visits' : 'cpu'}${suffix}`;
      const svg = await renderSvg(timeToAccuracySpec(records, s, summary.horizon, x));
      await writeFile(join(dir, `${name}.svg`), svg);
      await writeFile(join(dir, `${name}.png`), await svgToPng(svg));
      files.push(join(dir, `${name}.svg`));
    }
  }
  return files;
}

/**
 * The quick profile's equal-compute table: each pruned run beside the
 * full-data run of the same seed trained for the same visits
 * (`budgetEpochs` = its visits / N) from the same initial weights. Empty if
 * no pruned run has its match.
 */
export function equalVisitsSection(records: readonly RunRecord[]): string[] {
  const rows: string[] = [];
  for (const r of records) {
    if (r.config.strategy === 'full' || r.config.budgetEpochs !== undefined) continue;
    const budget = Math.round((totalVisits(r) / r.config.trainSize) * 1000) / 1000;
    const match = records.find(
      (m) =>
        m.config.budgetEpochs === budget &&
        m.config.seed === r.config.seed &&
        m.config.model === r.config.model &&
        m.config.labelNoise === r.config.labelNoise,
    );
    if (match === undefined) continue;
    const paired = match.initDigest !== undefined && match.initDigest === r.initDigest ? 'yes' : 'no';
    rows.push(
      `| ${NAMES[r.config.strategy] ?? r.config.strategy} ${r.config.level} | ${r.config.seed} | ${totalVisits(r).toLocaleString('en-US')} | ${pct(r.finalAccuracy)} | ${totalVisits(match).toLocaleString('en-US')} | ${pct(match.finalAccuracy)} | ${pp(r.finalAccuracy - match.finalAccuracy)} | ${paired} |`,
    );
  }
  if (rows.length === 0) return [];
  return [
    '## Against full data of equal compute',
    '',
    'Each pruned run beside full data trained for the same number of sample visits (its cosine schedule over that shorter budget), from the same initial weights and data-order seed. This is the comparison that says whether pruning beat simply training for less time; one seed gives no confidence interval — the evidence study (`--profile evidence`, docs/results/classification-evidence/) has five.',
    '',
    '| method | seed | visits | test accuracy | full data: visits | full data: test accuracy | Δ (pp) | same initial weights |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ];
}

export { totalVisits };
