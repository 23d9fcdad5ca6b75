/**
 * The contrastive evidence study (issue 24), on the classification app's
 * protocol: per style and seed, full data at several visit budgets (the
 * equal-compute curve, cosine schedule over each budget) and every pruned
 * arm, all from the seed's initial weights; each arm's metrics are compared
 * with its own seed's curve at the visits it made, with a Student-t 95 %
 * interval over seeds, and read back as the visits full data needs for the
 * same quality. Every metric is given at the end and over the stopping
 * points of the last SCAN cycle. Pure functions: configurations in, summary
 * out (the arithmetic is `@seta-apps/shared`'s).
 */
import type { CurvePoint, PerSeed } from '@seta-apps/shared';
import { budgetEpochCount, checkPairing, compareWithCurve, meanCi95, perSeedValues, withCi } from '@seta-apps/shared';
import type { RunConfig, RunRecord, StrategyName, Style } from './record.js';
import { metricValue } from './report.js';
import { strategyOptions } from './strategies.js';

/** The pruned arms of the study, each at SCAN's published average pruning for the style (strategies.ts). */
export const EVIDENCE_ARMS: readonly Exclude<StrategyName, 'full'>[] = ['dynamicRandom', 'infobatch', 'seta', 'scan'];

/**
 * Full-data budgets as shares of the horizon's visits: 40 % to 100 % (the
 * arms make about 65–70 %). Four points, the minimum: with the CNN
 * encoder a fifth would add a quarter to the study's compute.
 */
export const EVIDENCE_BUDGETS: readonly number[] = [1, 0.8, 0.6, 0.4];

/** SCAN's cycle with the default T = 3 mutation epochs: the stopping points each metric is averaged over. */
export const LAST_CYCLE_EPOCHS = 4;

/** The metrics compared per style; the first is the headline. */
export const EVIDENCE_METRICS: Record<Style, readonly string[]> = {
  clip: ['promptClassification', 'zeroShotUnseenPairs', 'imageToTextR5', 'textToImageR5'],
  moco: ['knn', 'linearProbe'],
};

/** The settings of one study. */
export interface EvidenceSetup {
  readonly styles: readonly Style[];
  readonly seeds: readonly number[];
  /** The horizon H: epochs of every pruned arm and of the largest budget. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: Readonly<Record<Style, number>>;
  readonly trainSize: number;
  readonly testSize: number;
  readonly evalSize: number;
  readonly mismatch: number;
  readonly duplicates: number;
  readonly copies: number;
  readonly budgets: readonly number[];
  readonly arms: readonly Exclude<StrategyName, 'full'>[];
}

/**
 * Every run of the study, style by style and seed by seed (a partial matrix
 * holds whole seeds): the full-data budgets first, then the arms. Every run
 * evaluates fully at each of its last {@link LAST_CYCLE_EPOCHS} epochs and
 * holds class–tone pairs out of its captions; the full-horizon run also
 * measures the raw-pixel references.
 */
export function evidenceConfigs(setup: EvidenceSetup): RunConfig[] {
  const configs: RunConfig[] = [];
  for (const style of setup.styles) {
    for (const seed of setup.seeds) {
      const base = {
        style,
        seed,
        batchSize: setup.batchSize,
        learningRate: setup.learningRate[style],
        trainSize: setup.trainSize,
        testSize: setup.testSize,
        evalSize: setup.evalSize,
        mismatch: setup.mismatch,
        duplicates: setup.duplicates,
        copies: setup.copies,
        evaluateLast: LAST_CYCLE_EPOCHS,
        holdOutPairs: true,
      };
      for (const b of setup.budgets) {
        const budgetEpochs = Math.round(b * setup.epochs * 1000) / 1000;
        configs.push({
          ...base,
          strategy: 'full',
          strategyOptions: {},
          epochs: budgetEpochCount(budgetEpochs),
          budgetEpochs,
          ...(b === 1 && style === 'moco' ? { rawPixelReferences: true } : {}),
        });
      }
      for (const strategy of setup.arms) configs.push({ ...base, strategy, strategyOptions: strategyOptions(style, strategy), epochs: setup.epochs });
    }
  }
  return configs;
}

/** Σ visited over a run's epochs. */
export function totalVisits(record: RunRecord): number {
  return record.epochs.reduce((s, e) => s + e.visited, 0);
}

/**
 * A metric averaged over the run's last {@link LAST_CYCLE_EPOCHS} epochs
 * (one SCAN cycle: preparation and three mutation epochs, whichever order
 * they fall in), from the full evaluations recorded after each.
 *
 * @throws RangeError if one of those epochs has no evaluation.
 */
export function lastCycleMean(record: RunRecord, metric: string): number {
  // A run shorter than a cycle averages over all its epochs.
  const last = record.epochs.slice(-LAST_CYCLE_EPOCHS);
  if (last.length === 0 || last.some((e) => e.evaluation === undefined)) {
    throw new RangeError(`lastCycleMean(): the run needs full evaluations at its last ${LAST_CYCLE_EPOCHS} epochs (config.evaluateLast)`);
  }
  return last.reduce((s, e) => s + metricValue(e.evaluation, metric), 0) / last.length;
}

/** A paired comparison over seeds: mean, 95 % interval and per-seed values. */
export interface PairedFigure {
  readonly mean: number;
  readonly ci95: [number, number] | null;
  readonly perSeed: Record<string, number | null>;
}

/** One budget of the full-data curve: each metric as `{ mean, perSeed }`. */
export interface CurveEntry {
  readonly epochs: number;
  readonly visitsRatio: number;
  readonly cpuSeconds: PerSeed;
  /** Each metric's mean over the run's last cycle of epochs. */
  readonly lastCycleMean: Record<string, PerSeed>;
  readonly [metric: string]: number | PerSeed | Record<string, PerSeed>;
}

/** One arm against its seeds' equal-compute curves. */
export interface ArmSummary {
  readonly style: Style;
  readonly strategy: StrategyName;
  readonly options: Record<string, unknown>;
  readonly seeds: number[];
  readonly visitsRatio: PerSeed;
  /** Σ plan weights / (N · H). */
  readonly weightedVisitsRatio: PerSeed;
  /** Each metric at the end. */
  readonly atEnd: Record<string, PerSeed>;
  /** Each metric averaged over the last cycle's stopping epochs. */
  readonly lastCycleMean: Record<string, PerSeed>;
  /** Metric − the seed's full-data curve at the arm's visits, at the end (fractions, not points). */
  readonly deltaVsEqualCompute: Record<string, PairedFigure>;
  /** Last-cycle mean − the seed's curve of full data's last-cycle means, at the arm's visits: like for like. */
  readonly deltaVsEqualComputeLastCycle: Record<string, PairedFigure>;
  /** 1 − visits / (visits full data needs for the same value), at the end. */
  readonly visitsSavedAtEqualQuality: Record<string, PairedFigure & { censored: Record<string, 'above' | 'below'> }>;
  /** Whole-run accounting: share of visits (plan weights counted) to corrupted pairs not made over the horizon. */
  readonly wholeRun: { mismatchedWeightSkipped: PerSeed; duplicateWeightSkipped: PerSeed; mismatchedVisitsSkipped: PerSeed; duplicateVisitsSkipped: PerSeed };
  /** Per pruning epoch, as before: precision and recall of the pruned samples. */
  readonly perPruningEpoch: { mismatchedPrecision: PerSeed; mismatchedRecall: PerSeed; duplicatePrecision: PerSeed; duplicateRecall: PerSeed };
  /** Process CPU per visit relative to the seed's full-horizon run. */
  readonly cpuPerVisitVsFull: PairedFigure | null;
}

/** One style's comparison. */
export interface StyleSummary {
  readonly seeds: number[];
  readonly horizon: number;
  /** The metrics compared, headline first. */
  readonly metrics: readonly string[];
  /** Corrupted shares of the training pairs. */
  readonly corruption: { mismatched: number; duplicates: number };
  readonly fullCurve: CurveEntry[];
  readonly arms: ArmSummary[];
  /** MoCo-style: the same evaluation on raw pixels, from the full-horizon runs. */
  readonly references?: { rawPixelKnn: PerSeed; rawPixelLinearProbe: PerSeed };
  /** MoCo-style: the same evaluation of the encoder untrained (each seed's initial weights), from the full-horizon runs. */
  readonly untrainedEncoder?: { knn: PerSeed; linearProbe: PerSeed };
  /**
   * MoCo-style: what full-data pre-training over the whole horizon adds, per
   * seed (fractions): over raw pixels, and over the same encoder untrained —
   * an encoder can beat raw pixels by its architecture alone.
   */
  readonly preTrainingGain?: {
    knnVsRawPixels: PairedFigure;
    linearProbeVsRawPixels: PairedFigure;
    knnVsUntrained: PairedFigure;
    linearProbeVsUntrained: PairedFigure;
  };
}

/** What `summary.json` holds. */
export interface EvidenceSummary {
  readonly command: string;
  readonly commit: string;
  readonly seeds: number[];
  readonly styles: Partial<Record<Style, StyleSummary>>;
}

const bySeed = (runs: readonly RunRecord[], f: (r: RunRecord) => number): PerSeed => perSeedValues(runs, (r) => r.config.seed, f);

function paired(seeds: readonly number[], values: readonly (number | null)[]): PairedFigure {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const m = present.length === 0 ? { mean: Number.NaN, ci95: null } : withCi(meanCi95(present));
  return { ...m, perSeed: Object.fromEntries(seeds.map((s, i) => [String(s), values[i] ?? null])) };
}

/**
 * Summarise one style. Every seed must have the whole curve and one initial
 * weights digest shared by all its runs.
 *
 * @throws RangeError if a seed lacks a budget, the pairing fails, or an arm's seed has no curve.
 */
export function summariseStyle(records: readonly RunRecord[], style: Style, horizon: number): StyleSummary {
  const fn = 'summariseStyle()';
  const mine = records.filter((r) => r.config.style === style);
  checkPairing(fn, mine.map((r) => ({ seed: r.config.seed, initDigest: r.initDigest })));
  const curveRuns = mine.filter((r) => r.config.budgetEpochs !== undefined);
  const armRuns = mine.filter((r) => r.config.budgetEpochs === undefined && r.config.strategy !== 'full');
  const seeds = [...new Set(curveRuns.map((r) => r.config.seed))].sort((a, b) => a - b);
  const budgets = [...new Set(curveRuns.map((r) => r.config.budgetEpochs!))].sort((a, b) => a - b);
  const metrics = EVIDENCE_METRICS[style];
  const n = (r: RunRecord) => r.config.trainSize;
  const visitsOf = (r: RunRecord) => totalVisits(r) / (n(r) * horizon);

  const curves = new Map<string, Map<number, CurvePoint[]>>(metrics.map((m) => [m, new Map()]));
  const cycleCurves = new Map<string, Map<number, CurvePoint[]>>(metrics.map((m) => [m, new Map()]));
  for (const seed of seeds) {
    const runs = curveRuns.filter((r) => r.config.seed === seed);
    if (runs.length !== budgets.length) throw new RangeError(`${fn}: ${style} seed ${seed} has ${runs.length} of the ${budgets.length} full-data budgets`);
    for (const m of metrics) {
      curves.get(m)!.set(seed, runs.map((r) => ({ visits: visitsOf(r), accuracy: metricValue(r.final, m) })));
      cycleCurves.get(m)!.set(seed, runs.map((r) => ({ visits: visitsOf(r), accuracy: lastCycleMean(r, m) })));
    }
  }

  const fullCurve: CurveEntry[] = budgets.map((b) => {
    const runs = curveRuns.filter((r) => r.config.budgetEpochs === b);
    const entry: Record<string, number | PerSeed | Record<string, PerSeed>> = { epochs: b, visitsRatio: b / horizon };
    for (const m of metrics) entry[m] = bySeed(runs, (r) => metricValue(r.final, m));
    entry.lastCycleMean = Object.fromEntries(metrics.map((m) => [m, bySeed(runs, (r) => lastCycleMean(r, m))]));
    entry.cpuSeconds = bySeed(runs, (r) => r.trainCpuMs / 1000);
    return entry as CurveEntry;
  });

  const fullHorizon = new Map(curveRuns.filter((r) => r.config.budgetEpochs === horizon).map((r) => [r.config.seed, r]));
  const cpuPerVisit = (r: RunRecord) => r.trainCpuMs / totalVisits(r);
  const arms: ArmSummary[] = [];
  for (const strategy of [...new Set(armRuns.map((r) => r.config.strategy))]) {
    const runs = armRuns.filter((r) => r.config.strategy === strategy).sort((a, b) => a.config.seed - b.config.seed);
    const armSeeds = runs.map((r) => r.config.seed);
    const atEnd: Record<string, PerSeed> = {};
    const cycleMeans: Record<string, PerSeed> = {};
    const delta: Record<string, PairedFigure> = {};
    const deltaCycle: Record<string, PairedFigure> = {};
    const saved: ArmSummary['visitsSavedAtEqualQuality'] = {};
    for (const m of metrics) {
      const curve = curves.get(m)!;
      atEnd[m] = bySeed(runs, (r) => metricValue(r.final, m));
      cycleMeans[m] = bySeed(runs, (r) => lastCycleMean(r, m));
      const compared = compareWithCurve(runs.map((r) => ({ seed: r.config.seed, visits: visitsOf(r), accuracy: metricValue(r.final, m) })), curve);
      delta[m] = paired(armSeeds, compared.deltaPerSeed);
      const cycle = compareWithCurve(runs.map((r) => ({ seed: r.config.seed, visits: visitsOf(r), accuracy: lastCycleMean(r, m) })), cycleCurves.get(m)!);
      deltaCycle[m] = paired(armSeeds, cycle.deltaPerSeed);
      const censored: Record<string, 'above' | 'below'> = {};
      compared.censoredPerSeed.forEach((c, i) => {
        if (c !== null) censored[String(armSeeds[i])] = c;
      });
      saved[m] = { ...paired(armSeeds, [...compared.visitsSavedPerSeed]), censored };
    }
    const cpuRatios = runs.map((r) => {
      const f = fullHorizon.get(r.config.seed);
      return f === undefined ? null : cpuPerVisit(r) / cpuPerVisit(f);
    });
    const whole = (k: 'mismatchedWeightSkipped' | 'duplicateWeightSkipped' | 'mismatchedVisitsSkipped' | 'duplicateVisitsSkipped') =>
      bySeed(runs, (r) => r.wholeRun?.[k] ?? Number.NaN);
    arms.push({
      style,
      strategy,
      options: runs[0]!.config.strategyOptions,
      seeds: armSeeds,
      visitsRatio: bySeed(runs, visitsOf),
      weightedVisitsRatio: bySeed(runs, (r) => r.wholeRun?.weightedVisitsRatio ?? Number.NaN),
      atEnd,
      lastCycleMean: cycleMeans,
      deltaVsEqualCompute: delta,
      deltaVsEqualComputeLastCycle: deltaCycle,
      visitsSavedAtEqualQuality: saved,
      wholeRun: {
        mismatchedWeightSkipped: whole('mismatchedWeightSkipped'),
        duplicateWeightSkipped: whole('duplicateWeightSkipped'),
        mismatchedVisitsSkipped: whole('mismatchedVisitsSkipped'),
        duplicateVisitsSkipped: whole('duplicateVisitsSkipped'),
      },
      perPruningEpoch: {
        mismatchedPrecision: bySeed(runs, (r) => r.pruneQuality.mismatchedPrecision),
        mismatchedRecall: bySeed(runs, (r) => r.pruneQuality.mismatchedRecall),
        duplicatePrecision: bySeed(runs, (r) => r.pruneQuality.duplicatePrecision),
        duplicateRecall: bySeed(runs, (r) => r.pruneQuality.duplicateRecall),
      },
      cpuPerVisitVsFull: cpuRatios.every((x) => x === null) ? null : paired(armSeeds, cpuRatios),
    });
  }
  const order: readonly StrategyName[] = ['dynamicRandom', 'infobatch', 'seta', 'scan'];
  arms.sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy));
  const withRefs = [...fullHorizon.values()].filter((r) => r.references !== undefined).sort((a, b) => a.config.seed - b.config.seed);
  const refSeeds = withRefs.map((r) => r.config.seed);
  const gain = (metric: 'knn' | 'linearProbe', base: (r: RunRecord) => number | undefined) =>
    paired(
      refSeeds,
      withRefs.map((r) => {
        const b = base(r);
        return b === undefined ? null : metricValue(r.final, metric) - b;
      }),
    );
  const first = mine[0];
  return {
    seeds,
    horizon,
    metrics,
    corruption: { mismatched: first?.config.mismatch ?? Number.NaN, duplicates: first?.config.duplicates ?? Number.NaN },
    fullCurve,
    arms,
    ...(style === 'moco' && withRefs.length > 0
      ? {
          references: {
            rawPixelKnn: bySeed(withRefs, (r) => r.references!.rawPixelKnn ?? Number.NaN),
            rawPixelLinearProbe: bySeed(withRefs, (r) => r.references!.rawPixelLinearProbe ?? Number.NaN),
          },
          untrainedEncoder: {
            knn: bySeed(withRefs, (r) => r.initial.knn ?? Number.NaN),
            linearProbe: bySeed(withRefs, (r) => r.initial.linearProbe ?? Number.NaN),
          },
          preTrainingGain: {
            knnVsRawPixels: gain('knn', (r) => r.references!.rawPixelKnn),
            linearProbeVsRawPixels: gain('linearProbe', (r) => r.references!.rawPixelLinearProbe),
            knnVsUntrained: gain('knn', (r) => r.initial.knn),
            linearProbeVsUntrained: gain('linearProbe', (r) => r.initial.linearProbe),
          },
        }
      : {}),
  };
}

/** The summary of every style present in `records`. */
export function evidenceSummary(records: readonly RunRecord[], meta: { command: string; commit: string; horizon: number }): EvidenceSummary {
  const styles: Partial<Record<Style, StyleSummary>> = {};
  for (const style of ['clip', 'moco'] as const) {
    if (records.some((r) => r.config.style === style)) styles[style] = summariseStyle(records, style, meta.horizon);
  }
  const seeds = [...new Set(records.map((r) => r.config.seed))].sort((a, b) => a - b);
  return { command: meta.command, commit: meta.commit, seeds, styles };
}
