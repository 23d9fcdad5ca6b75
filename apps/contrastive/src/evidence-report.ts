/**
 * The contrastive evidence study's Markdown report, from its summary: per
 * style the headline (Δ vs full data of equal compute with its interval, at
 * the end and over the last cycle), the full-data curve with the raw-pixel
 * references, the visits saved at equal quality as a secondary table with
 * its caveat, whole-run accounting, and the per-seed figures.
 */
import type { PerSeed } from '@seta-apps/shared';
import { formatCi, formatPct, formatPp, verdict } from '@seta-apps/shared';
import type { ArmSummary, EvidenceSummary, PairedFigure, StyleSummary } from './evidence.js';
import type { Style } from './record.js';

const STYLE_TITLES: Record<Style, string> = {
  clip: 'CLIP-style (image–caption pairs, symmetric InfoNCE)',
  moco: 'MoCo-style (two augmented views, MoCo v3 loss)',
};

/** Column titles of the metrics. */
export const METRIC_TITLES: Record<string, string> = {
  promptClassification: 'prompt classification (classes seen in training)',
  zeroShotUnseenPairs: 'zero-shot: unseen class–tone pairs (30-way)',
  imageToTextR5: 'I→T R@5',
  textToImageR5: 'T→I R@5',
  knn: 'k-NN',
  linearProbe: 'linear probe',
};

const NAMES: Record<string, string> = { dynamicRandom: 'Dynamic random', infobatch: 'InfoBatch', seta: 'SeTa', scan: 'SCAN' };

const pct = (x: number) => formatPct(x);
const pp = (x: number) => formatPp(x);
const ci = (c: [number, number] | null) => formatCi(c);

const figure = (f: PairedFigure) => `${pp(f.mean)} ${ci(f.ci95)} (${verdict(f.ci95)})`;

/**
 * The headline: per arm and metric, Δ vs full data at equal visits with its
 * interval (at the end, then over the last cycle), then the values compared.
 */
function headline(s: StyleSummary): string[] {
  const rows = [
    '| method | visits made | metric | Δ vs full data at equal visits (pp, 95 % CI) | Δ over the last cycle (pp, 95 % CI) | at the end | last-cycle mean |',
    '| --- | ---: | --- | --- | --- | ---: | ---: |',
  ];
  for (const a of s.arms) {
    for (const m of s.metrics) {
      rows.push(
        `| ${NAMES[a.strategy] ?? a.strategy} | ${pct(a.visitsRatio.mean)} | ${METRIC_TITLES[m] ?? m} | ${figure(a.deltaVsEqualCompute[m]!)} | ${figure(a.deltaVsEqualComputeLastCycle[m]!)} | ${pct(a.atEnd[m]!.mean)} | ${pct(a.lastCycleMean[m]!.mean)} |`,
      );
    }
  }
  return rows;
}

/**
 * The caveat above the secondary table of visits saved at equal quality:
 * `bounded` of its `figures` rest on a bound in at least one seed.
 */
export function visitsSavedCaveat(bounded: number, figures: number): string {
  return (
    'The visits saved read the full-data curve backwards — 1 − (the arm\'s visits) / (the visits its seed\'s curve needs for the arm\'s value) — which needs a curve that rises with visits. ' +
    'Where the curve is flat or non-monotonic (the table above), the arm\'s value is often beyond every budget or below the smallest and the saving is only a bound ' +
    `(¹: ${bounded} of these ${figures} figures rest on a bound in at least one seed), and on a flat curve a fraction of a point of Δ moves the saving by tens of points. ` +
    'Read the Δ columns of the first table; these figures are for completeness.'
  );
}

/** The secondary table: visits saved at equal quality, with its caveat, its bounds marked ¹ and listed below. */
function visitsSaved(s: StyleSummary): string[] {
  const rows = ['| method | metric | visits saved at equal quality (95 % CI) |', '| --- | --- | ---: |'];
  let bounded = 0;
  for (const a of s.arms) {
    for (const m of s.metrics) {
      const saved = a.visitsSavedAtEqualQuality[m]!;
      const isBound = Object.keys(saved.censored).length > 0;
      if (isBound) bounded++;
      // A share of visits, so its interval is in percent with the mean's one decimal, not in points.
      rows.push(`| ${NAMES[a.strategy] ?? a.strategy} | ${METRIC_TITLES[m] ?? m} | ${formatPct(saved.mean, true)} ${formatCi(saved.ci95, (x) => formatPct(x, true))}${isBound ? ' ¹' : ''} |`);
    }
  }
  const bounds = s.arms.flatMap((a: ArmSummary) =>
    Object.entries(a.visitsSavedAtEqualQuality).flatMap(([m, v]) =>
      Object.entries(v.censored).map(
        ([seed, c]) => `${NAMES[a.strategy] ?? a.strategy}, ${METRIC_TITLES[m] ?? m}, seed ${seed}: ${c === 'above' ? 'beat every budget (lower bound)' : 'below the smallest budget (upper bound)'}`,
      ),
    ),
  );
  return [visitsSavedCaveat(bounded, rows.length - 2), '', ...rows, '', ...(bounds.length > 0 ? [...bounds.map((b) => `¹ ${b}.`), ''] : [])];
}

function curve(s: StyleSummary): string[] {
  const rows = [
    `| full-data budget (epochs) | visits | ${s.metrics.map((m) => METRIC_TITLES[m] ?? m).join(' | ')} | CPU s |`,
    `| ---: | ---: | ${s.metrics.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const p of [...s.fullCurve].sort((a, b) => b.epochs - a.epochs)) {
    rows.push(`| ${p.epochs} | ${pct(p.visitsRatio)} | ${s.metrics.map((m) => pct((p[m] as PerSeed).mean)).join(' | ')} | ${p.cpuSeconds.mean.toFixed(0)} |`);
  }
  if (s.references !== undefined) {
    rows.push(`| *raw pixels, no pre-training* | – | ${pct(s.references.rawPixelKnn.mean)} | ${pct(s.references.rawPixelLinearProbe.mean)} | – |`);
  }
  if (s.untrainedEncoder !== undefined) {
    rows.push(`| *the encoder untrained (initial weights)* | – | ${pct(s.untrainedEncoder.knn.mean)} | ${pct(s.untrainedEncoder.linearProbe.mean)} | – |`);
  }
  return rows;
}

/** MoCo-style: what full-data pre-training over the horizon adds over each reference line. */
function preTraining(s: StyleSummary): string[] {
  const g = s.preTrainingGain;
  if (g === undefined) return [];
  return [
    'What pre-training adds (full data, whole horizon, minus the reference; pp, paired by seed, 95 % CI):',
    '',
    '| against | k-NN | linear probe |',
    '| --- | --- | --- |',
    `| raw pixels | ${figure(g.knnVsRawPixels)} | ${figure(g.linearProbeVsRawPixels)} |`,
    `| the same encoder untrained | ${figure(g.knnVsUntrained)} | ${figure(g.linearProbeVsUntrained)} |`,
    '',
  ];
}

/** Whole-run accounting beside the per-pruning-epoch figures, one row per arm. */
function accounting(s: StyleSummary): string[] {
  const row = ({ strategy, wholeRun: w, perPruningEpoch: q }: ArmSummary) =>
    `| ${NAMES[strategy] ?? strategy} | ${pct(w.mismatchedWeightSkipped.mean)} | ${pct(w.duplicateWeightSkipped.mean)} | ${pct(w.mismatchedVisitsSkipped.mean)} | ${pct(w.duplicateVisitsSkipped.mean)} | ${pct(q.mismatchedPrecision.mean)} (lift ${(q.mismatchedPrecision.mean / s.corruption.mismatched).toFixed(2)}×) | ${pct(q.mismatchedRecall.mean)} |`;
  return [
    '| method | ill-matched weight skipped over the run | duplicate weight skipped over the run | ill-matched visits skipped | duplicate visits skipped | ill-matched precision (pruning epochs) | ill-matched recall (per pruning epoch) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...s.arms.map(row),
  ];
}

function perSeed(s: StyleSummary): string[] {
  const rows = ['| method | seed | visits | metric | Δ vs equal compute (pp) | Δ over the last cycle (pp) | at the end |', '| --- | ---: | ---: | --- | ---: | ---: | ---: |'];
  for (const a of s.arms) {
    for (const seed of a.seeds) {
      const k = String(seed);
      for (const m of s.metrics) {
        const d = a.deltaVsEqualCompute[m]!.perSeed[k] ?? null;
        const dc = a.deltaVsEqualComputeLastCycle[m]!.perSeed[k] ?? null;
        rows.push(`| ${NAMES[a.strategy] ?? a.strategy} | ${seed} | ${pct(a.visitsRatio.perSeed[k]!)} | ${METRIC_TITLES[m] ?? m} | ${d === null ? '—' : pp(d)} | ${dc === null ? '—' : pp(dc)} | ${pct(a.atEnd[m]!.perSeed[k]!)} |`);
      }
    }
  }
  return rows;
}

const HOW_TO_READ = [
  'How to read it. Every run of a style and seed starts from the same initial weights (the records\' `initDigest`) and the same data-order seed.',
  'Full data is trained at several budgets of sample visits (a share of the horizon\'s), each with its cosine schedule over its own budget: per seed, these runs make the *equal-compute curve* (piecewise linear in visits).',
  '*Δ vs full data at equal visits* is an arm\'s metric minus its own seed\'s curve at the visits the arm made. *Last-cycle mean* averages a metric over a run\'s last four epochs (one SCAN cycle, T = 3: a preparation and three mutation epochs), and *Δ over the last cycle* compares an arm\'s last-cycle mean with the curve made of full data\'s last-cycle means, at the arm\'s visits: a result that holds only at the one epoch a cycle ends on shows up here.',
  '*Visits saved at equal quality* (a secondary table) is 1 − (the arm\'s visits) / (the visits the curve needs for the arm\'s value); ¹ marks seeds where that is a bound (beyond the curve). It assumes a curve that rises with visits: on a flat or non-monotonic one it is mostly a bound and swings with small differences, so the Δ columns are the result.',
  'Intervals are Student-t 95 % over seeds of the paired per-seed differences; an interval containing 0 is reported as no difference.',
  '*Skipped over the run* counts every epoch of the horizon, weighting each visit by its plan weight: 1 − Σ weights on visits to those pairs / (their count · epochs). Precision and recall are per pruning epoch, as before.',
  '*Prompt classification* names 10 classes that every training caption names: it is supervised by the captions, not zero-shot. *Zero-shot: unseen class–tone pairs* asks, 30-way, for the class and tone of test images whose class–tone pair no training caption names (each class has one held-out tone; a test proves the absence).',
].join('\n');

/** The whole report. */
export function evidenceReport(summary: EvidenceSummary, options: { title: string; machine: string; notes?: string }): string {
  const out: string[] = [`# ${options.title}`, ''];
  for (const style of ['clip', 'moco'] as const) {
    const s = summary.styles[style];
    if (s === undefined) continue;
    out.push(`## ${STYLE_TITLES[style]}`, '', `Seeds: ${s.seeds.join(', ')}. Horizon: ${s.horizon} epochs.`, '', ...headline(s), '');
    out.push('### Full data at equal compute', '', ...curve(s), '', ...preTraining(s));
    out.push('### Secondary: visits saved at equal quality', '', ...visitsSaved(s));
    out.push('### What each strategy skipped', '', ...accounting(s), '', '### Per seed', '', ...perSeed(s), '');
  }
  out.push('## Method', '', HOW_TO_READ, '', `Machine: ${options.machine}.`, '', 'Produced by, at commit `' + summary.commit + '`:', '', '```sh', summary.command, '```', '');
  if (options.notes !== undefined) out.push('## Notes', '', options.notes.trim(), '');
  return out.join('\n');
}
