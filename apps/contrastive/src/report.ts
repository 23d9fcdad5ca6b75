/**
 * From run records to the comparison: summary rows per (style, strategy) and
 * the Markdown report. Pure functions, no I/O.
 */
import { meanStd } from '@seta-apps/shared';
import type { RunRecord, StrategyName, Style } from './record.js';
import { STRATEGIES, STYLES } from './strategies.js';

/** The final metrics of each style, in report order, with their column titles. */
export const METRICS: Record<Style, readonly { key: string; title: string }[]> = {
  clip: [
    { key: 'promptClassification', title: 'prompt classification (classes seen in training)' },
    { key: 'zeroShotUnseenPairs', title: 'zero-shot: unseen class–tone pairs (30-way)' },
    { key: 'seenPairs', title: 'class–tone, seen pairs (30-way)' },
    { key: 'imageToTextR1', title: 'I→T R@1' },
    { key: 'imageToTextR5', title: 'I→T R@5' },
    { key: 'textToImageR1', title: 'T→I R@1' },
    { key: 'textToImageR5', title: 'T→I R@5' },
  ],
  moco: [
    { key: 'knn', title: 'k-NN' },
    { key: 'linearProbe', title: 'linear probe' },
  ],
};

const STYLE_TITLES: Record<Style, string> = {
  clip: 'CLIP-style (image–caption pairs, symmetric InfoNCE)',
  moco: 'MoCo-style (two augmented views, MoCo v3 loss)',
};

type Stat = { mean: number; std: number };

/** One (style, strategy) summarised over seeds. */
export interface SummaryRow {
  readonly style: Style;
  readonly strategy: StrategyName;
  readonly options: Record<string, unknown>;
  readonly runs: number;
  readonly metrics: Record<string, Stat>;
  /** Main metric minus full data's (mean over seeds), in points of [0, 1]. */
  readonly deltaVsFull: number;
  readonly savedRatio: Stat;
  /** 1 − training CPU time / full data's (mean over seeds). */
  readonly cpuSaved: number;
  /** 1 − training wall time / full data's. */
  readonly wallClockSaved: number;
  readonly mismatchedPrecision: Stat;
  readonly mismatchedRecall: Stat;
  readonly duplicatePrecision: Stat;
  readonly duplicateRecall: Stat;
  /** Over the whole run, plan weights counted: share of the visits to ill-matched / duplicate pairs not made. */
  readonly mismatchedWeightSkipped: Stat;
  readonly duplicateWeightSkipped: Stat;
  /** Shares of ill-matched and duplicate pairs in the data (random pruning's precision). */
  readonly mismatchedShare: number;
  readonly duplicateShare: number;
}

/**
 * A final-evaluation value by key. Records made before prompt
 * classification got its honest name call it `zeroShot`.
 */
export function metricValue(values: Readonly<Record<string, number>> | undefined, key: string): number {
  if (values === undefined) return Number.NaN;
  const v = values[key] ?? (key === 'promptClassification' ? values.zeroShot : undefined);
  return v ?? Number.NaN;
}

/** Mean ± std of the numbers present (JSON turns NaN into null: both are skipped). */
const stat = (xs: (number | null)[]) => meanStd(xs.filter((x): x is number => typeof x === 'number' && !Number.isNaN(x)));

/** Summary rows, styles and strategies in canonical order. */
export function summarise(records: readonly RunRecord[]): SummaryRow[] {
  if (!Array.isArray(records)) throw new TypeError(`summarise(): records must be an array, got ${typeof records}`);
  const rows: SummaryRow[] = [];
  for (const style of STYLES) {
    const ofStyle = records.filter((r) => r.config.style === style);
    const main = METRICS[style][0]!.key;
    const fullRuns = ofStyle.filter((r) => r.config.strategy === 'full');
    const fullMain = fullRuns.length === 0 ? Number.NaN : meanStd(fullRuns.map((r) => metricValue(r.final, main))).mean;
    const fullTime = fullRuns.length === 0 ? Number.NaN : meanStd(fullRuns.map((r) => r.trainTimeMs)).mean;
    const fullCpu = fullRuns.length === 0 ? Number.NaN : meanStd(fullRuns.map((r) => r.trainCpuMs)).mean;
    for (const strategy of STRATEGIES) {
      const runs = ofStyle.filter((r) => r.config.strategy === strategy);
      if (runs.length === 0) continue;
      const metrics: Record<string, Stat> = {};
      for (const { key } of METRICS[style]) metrics[key] = stat(runs.map((r) => metricValue(r.final, key)));
      const size = runs[0]!.corruption.size;
      rows.push({
        style,
        strategy,
        options: runs[0]!.config.strategyOptions,
        runs: runs.length,
        metrics,
        deltaVsFull: metrics[main]!.mean - fullMain,
        savedRatio: stat(runs.map((r) => r.savedRatio)),
        wallClockSaved: 1 - meanStd(runs.map((r) => r.trainTimeMs)).mean / fullTime,
        cpuSaved: 1 - meanStd(runs.map((r) => r.trainCpuMs)).mean / fullCpu,
        mismatchedPrecision: stat(runs.map((r) => r.pruneQuality.mismatchedPrecision)),
        mismatchedRecall: stat(runs.map((r) => r.pruneQuality.mismatchedRecall)),
        duplicatePrecision: stat(runs.map((r) => r.pruneQuality.duplicatePrecision)),
        duplicateRecall: stat(runs.map((r) => r.pruneQuality.duplicateRecall)),
        mismatchedWeightSkipped: stat(runs.map((r) => r.wholeRun?.mismatchedWeightSkipped ?? Number.NaN)),
        duplicateWeightSkipped: stat(runs.map((r) => r.wholeRun?.duplicateWeightSkipped ?? Number.NaN)),
        mismatchedShare: runs[0]!.corruption.mismatched / size,
        duplicateShare: runs[0]!.corruption.duplicate / size,
      });
    }
  }
  return rows;
}

const p1 = (x: number) => (Number.isNaN(x) ? '–' : (x * 100).toFixed(1));
const pm = (s: Stat, runs: number) => (Number.isNaN(s.mean) ? '–' : runs > 1 ? `${p1(s.mean)} ± ${p1(s.std)}` : p1(s.mean));
const signed = (x: number) => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`);
const lift = (precision: number, share: number) => (Number.isNaN(precision) || share === 0 ? '–' : `${(precision / share).toFixed(2)}×`);
const options = (o: Record<string, unknown>) =>
  Object.keys(o).length === 0 ? '–' : Object.entries(o).map(([k, v]) => `${k} ${String(v)}`).join(', ');

/** Options of {@link markdownReport}. */
export interface ReportOptions {
  readonly title: string;
  /** The command that produced the records. */
  readonly command: string;
  /** Markdown appended under a "Reading" heading. */
  readonly notes?: string;
}

/** The Markdown report of the records. */
export function markdownReport(records: readonly RunRecord[], reportOptions: ReportOptions): string {
  const rows = summarise(records);
  const lines: string[] = [`# ${reportOptions.title}`, ''];
  lines.push('Produced by:', '', '```sh', reportOptions.command, '```', '');
  if (records.length === 0) return [...lines, 'No runs.', ''].join('\n');
  const c = records[0]!.config;
  const backends = [...new Set(records.map((r) => r.backend))].join(', ');
  const seeds = [...new Set(records.map((r) => r.config.seed))].sort((a, b) => a - b);
  lines.push(
    `${records.length} runs on ${backends}; seeds ${seeds.join(', ')}; ${c.epochs} epochs of ${c.trainSize} training pairs, batch ${c.batchSize}, Adam (peak learning rate ${[...new Set(records.map((r) => `${r.config.style} ${r.config.learningRate}`))].join(', ')}) with a cosine schedule. ` +
      `Corruptions: ${p1(c.mismatch)} % ill-matched pairs, ${p1(c.duplicates)} % near-duplicates (${c.copies} copies per source image). ` +
      `Final metrics on ${c.testSize} clean test images (recall@k over a gallery of the first ${Math.min(1000, c.testSize)} of them with their clean captions); *untrained* is the same evaluation of the freshly initialised encoders (what pre-training adds is measured from there). Numbers are mean ± sample standard deviation over seeds, in %. Time saved is against full data, training only: CPU time of the process (steadier on a shared machine) and wall time.`,
    '',
  );
  for (const style of STYLES) {
    const styleRows = rows.filter((r) => r.style === style);
    if (styleRows.length === 0) continue;
    const metrics = METRICS[style];
    lines.push(`## ${STYLE_TITLES[style]}`, '');
    lines.push(
      `| strategy | options | runs | ${metrics.map((m) => m.title).join(' | ')} | Δ ${metrics[0]!.title} vs full | realised pruned | CPU time saved | wall time saved |`,
      `| --- | --- | --- | ${metrics.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
    );
    const ofStyle = records.filter((r) => r.config.style === style);
    const seedsOfStyle = new Set(ofStyle.map((r) => r.config.seed)).size;
    lines.push(
      `| *untrained* | – | ${seedsOfStyle} | ${metrics.map((m) => pm(stat(ofStyle.map((r) => metricValue(r.initial, m.key))), seedsOfStyle)).join(' | ')} | | | | |`,
    );
    for (const r of styleRows) {
      lines.push(
        `| ${r.strategy} | ${options(r.options)} | ${r.runs} | ${metrics.map((m) => pm(r.metrics[m.key]!, r.runs)).join(' | ')} | ${r.strategy === 'full' ? '–' : signed(r.deltaVsFull)} | ${pm(r.savedRatio, r.runs)} | ${r.strategy === 'full' ? '–' : p1(r.cpuSaved)} | ${r.strategy === 'full' ? '–' : p1(r.wallClockSaved)} |`,
      );
    }
    const share = styleRows[0]!;
    lines.push(
      '',
      `What the pruned samples were, over the epochs that pruned: precision = share of the pruned samples that are corrupted (a random pruner's precision is the corrupted share of the data: ${p1(share.mismatchedShare)} % ill-matched, ${p1(share.duplicateShare)} % duplicates); lift = precision / that share; recall = share of the corrupted pairs pruned per pruning epoch. *Skipped over the run* counts every epoch of the horizon, pruning or not, and weighs each visit by its plan weight (InfoBatch's rescaled visits count with their weight): 1 − Σ weights of visits to those pairs / (their count · epochs).`,
      '',
      '| strategy | ill-matched precision | lift | ill-matched recall (per pruning epoch) | ill-matched skipped over the run (weighted) | duplicate precision | lift | duplicate recall (per pruning epoch) | duplicates skipped over the run (weighted) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of styleRows) {
      if (r.strategy === 'full') continue;
      lines.push(
        `| ${r.strategy} | ${pm(r.mismatchedPrecision, r.runs)} | ${lift(r.mismatchedPrecision.mean, r.mismatchedShare)} | ${pm(r.mismatchedRecall, r.runs)} | ${pm(r.mismatchedWeightSkipped, r.runs)} | ${pm(r.duplicatePrecision, r.runs)} | ${lift(r.duplicatePrecision.mean, r.duplicateShare)} | ${pm(r.duplicateRecall, r.runs)} | ${pm(r.duplicateWeightSkipped, r.runs)} |`,
      );
    }
    lines.push('');
    lines.push(`Plots: \`plots/${style}-epochs.png\` (per-epoch metric, loss and what was pruned), \`plots/${style}-pruned.png\` (share of the pruned samples that are corrupted, per epoch).`, '');
  }
  if (reportOptions.notes !== undefined) lines.push('## Reading', '', reportOptions.notes.trim(), '');
  return lines.join('\n');
}
