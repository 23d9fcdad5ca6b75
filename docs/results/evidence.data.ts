// Build-time data for the evidence tables: the committed summaries of the
// equal-compute studies, reduced to what the tables show. The pages render
// these instead of copies of the figures, so a new study run changes every
// page that quotes it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineLoader } from 'vitepress';

/** A paired figure over seeds: mean and 95 % interval (null with one seed). */
export interface Figure {
  mean: number;
  ci95: [number, number] | null;
}

/** One pruned arm against full data of equal compute. */
export interface EvidenceRow {
  /** "InfoBatch", "SeTa", … */
  method: string;
  strategy: string;
  /** The options that differ between arms, as `name value` pairs. */
  options: [string, string][];
  /** Share of full data's sample visits the arm made. */
  visits: number;
  /** 1 − visits / (visits full data needs for the same quality). */
  saved: Figure;
  /** Seeds whose quality fell outside the full-data curve, by side: the saving is a bound there. */
  censored: { seed: string; side: string }[];
  /** Quality − full data's at the same visits (a share, not points). */
  delta: Figure;
  /** "better", "worse" or "no difference": what the interval of `saved`, the figure the tables show, supports. */
  reading: string;
  /** The reading of the Δ at equal visits (the saving's reading is `reading`). */
  deltaReading: string;
}

export interface EvidenceSetting {
  seeds: number[];
  horizon: number | null;
  /** Full data's budgets, as shares of the horizon's sample visits, ascending. */
  budgets: number[];
  rows: EvidenceRow[];
}

export interface ContrastiveStyle {
  style: 'clip' | 'moco';
  /** The headline metric the table compares. */
  metric: string;
  rows: EvidenceRow[];
  /** MoCo-style: the same evaluation on raw pixels (mean over seeds), the bar an encoder has to clear. */
  rawPixels: { knn: number; linearProbe: number } | null;
  /** MoCo-style: the same evaluation of the encoder untrained (mean over seeds): what is the architecture's, not pre-training's. */
  untrained: { knn: number; linearProbe: number } | null;
  /** Full data's headline metric over the whole horizon (mean over seeds). */
  fullData: number | null;
}

export interface EvidenceData {
  classification: {
    command: string;
    commit: string;
    clean: EvidenceSetting;
    noise: (EvidenceSetting & { labelNoise: number }) | null;
  };
  /** Null until docs/results/contrastive-evidence/summary.json is committed. */
  contrastive: { command: string; commit: string; seeds: number[]; styles: ContrastiveStyle[] } | null;
}

declare const data: EvidenceData;
export { data };

const here = dirname(fileURLToPath(import.meta.url));

const METHOD: Record<string, string> = {
  dynamicRandom: 'Dynamic random',
  staticRandom: 'Static random',
  infobatch: 'InfoBatch',
  seta: 'SeTa',
  scan: 'SCAN',
  full: 'Full data',
};

/** The same reading the evidence reports give an interval (apps/shared's `verdict`). */
function reading(ci: [number, number] | null): string {
  if (ci === null) return 'one seed: no interval';
  if (ci[0] <= 0 && ci[1] >= 0) return 'no difference';
  return ci[0] > 0 ? 'better' : 'worse';
}

const figure = (f: { mean: number; ci95?: [number, number] | null } | undefined): Figure => ({ mean: f?.mean ?? Number.NaN, ci95: f?.ci95 ?? null });

// Options every arm of a study shares (e.g. SeTa's `groups`) say nothing about the difference between rows.
const SHOWN_OPTIONS = ['pruneRatio', 'windowScale', 'targetSavedRatio'];

// Read loosely (`any`): the apps write the summaries, and a field these tables do not read may come and go.
function row(arm: any, saved: any, delta: any, singleLoss: boolean): EvidenceRow {
  const options = Object.entries(arm.options ?? {})
    .filter(([k]) => SHOWN_OPTIONS.includes(k))
    .map(([k, v]) => [k, String(v)] as [string, string]);
  return {
    method: `${METHOD[arm.strategy] ?? arm.strategy}${singleLoss && arm.strategy === 'scan' ? ' (single loss)' : ''}`,
    strategy: arm.strategy,
    options,
    visits: arm.visitsRatio?.mean ?? Number.NaN,
    saved: figure(saved),
    censored: Object.entries(saved?.censored ?? {}).map(([seed, side]) => ({ seed, side: String(side) })),
    delta: figure(delta),
    reading: reading(saved?.ci95 ?? null),
    deltaReading: reading(delta?.ci95 ?? null),
  };
}

function classificationSetting(s: any): EvidenceSetting {
  return {
    seeds: s.seeds ?? [],
    horizon: s.horizon ?? null,
    budgets: (s.fullCurve ?? []).map((c: any) => c.visitsRatio as number).sort((a: number, b: number) => a - b),
    rows: (s.arms ?? []).map((a: any) => row(a, a.visitsSavedAtEqualAccuracy, a.deltaVsEqualCompute, true)),
  };
}

function contrastiveStyle(style: 'clip' | 'moco', s: any): ContrastiveStyle {
  const metric: string = s.metrics?.[0] ?? (style === 'clip' ? 'promptClassification' : 'knn');
  const mean = (p: any) => (p && typeof p === 'object' && 'mean' in p ? Number(p.mean) : Number.NaN);
  const full = (s.fullCurve ?? []).find((c: any) => c.visitsRatio === 1);
  const refs = s.references;
  return {
    style,
    metric,
    rows: (s.arms ?? []).map((a: any) => row(a, a.visitsSavedAtEqualQuality?.[metric], a.deltaVsEqualCompute?.[metric], false)),
    rawPixels: refs ? { knn: mean(refs.rawPixelKnn), linearProbe: mean(refs.rawPixelLinearProbe) } : null,
    untrained: s.untrainedEncoder ? { knn: mean(s.untrainedEncoder.knn), linearProbe: mean(s.untrainedEncoder.linearProbe) } : null,
    fullData: full ? mean(full[metric]) : null,
  };
}

export default defineLoader({
  watch: ['./classification-evidence/summary.json', './contrastive-evidence/summary.json'],
  load(): EvidenceData {
    const c = JSON.parse(readFileSync(join(here, 'classification-evidence/summary.json'), 'utf8'));
    const noise = c.labelNoiseSetting;
    const contrastiveFile = join(here, 'contrastive-evidence/summary.json');
    const k = existsSync(contrastiveFile) ? JSON.parse(readFileSync(contrastiveFile, 'utf8')) : null;
    return {
      classification: {
        command: c.command,
        commit: c.commit,
        clean: { ...classificationSetting(c), horizon: c.horizon ?? null },
        noise: noise ? { ...classificationSetting(noise), horizon: c.horizon ?? null, labelNoise: noise.labelNoise } : null,
      },
      contrastive: k
        ? {
            command: k.command,
            commit: k.commit,
            seeds: k.seeds ?? [],
            styles: (['clip', 'moco'] as const).filter((s) => k.styles?.[s]).map((s) => contrastiveStyle(s, k.styles[s])),
          }
        : null,
    };
  },
});
