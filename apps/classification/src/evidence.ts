/**
 * The evidence study: every pruned run set against full data trained for the
 * same number of sample visits. Per seed, full data is trained at several
 * visit budgets (the equal-compute curve, cosine schedule over each budget);
 * each pruned arm's final test accuracy is compared with that seed's curve at
 * the arm's realised visits, and read back as the visits full data needs to
 * reach the arm's accuracy. Pure functions: configurations in, summary out.
 */
import type { CurvePoint, PerSeed } from '@seta-apps/shared';
import { budgetEpochCount, checkPairing, compareWithCurve, evidenceSettings, meanCi95, perSeedValues, withCi } from '@seta-apps/shared';
import type { Level, ModelName, RunConfig, RunRecord, StrategyName } from './record.js';

/** The arms of the study: strategy and level. */
export const EVIDENCE_ARMS: readonly { strategy: Exclude<StrategyName, 'full'>; level: Exclude<Level, 'none'> }[] = [
  { strategy: 'dynamicRandom', level: 'L1' },
  { strategy: 'dynamicRandom', level: 'L2' },
  { strategy: 'infobatch', level: 'L1' },
  { strategy: 'infobatch', level: 'L2' },
  { strategy: 'seta', level: 'L1' },
  { strategy: 'seta', level: 'L2' },
  { strategy: 'scan', level: 'L1' },
];

/** Full-data budgets as shares of the horizon's visits: 25 % to 100 %. */
export const EVIDENCE_BUDGETS: readonly number[] = [1, 0.85, 0.7, 0.55, 0.4, 0.25];

/** The settings of one evidence study. */
export interface EvidenceSetup {
  readonly model: ModelName;
  /** The horizon H: epochs of every pruned arm and of the largest budget. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly trainSize: number;
  readonly validationSize: number;
  readonly testSize: number;
  readonly budgets: readonly number[];
  readonly arms: readonly { strategy: Exclude<StrategyName, 'full'>; level: Exclude<Level, 'none'> }[];
  /** Seeds of the clean setting, and of the label-noise setting (empty: none). */
  readonly seeds: readonly number[];
  readonly noiseSeeds: readonly number[];
  readonly labelNoise: number;
}

/**
 * Every run of the study, seed by seed (so a partial matrix holds whole
 * seeds): for each seed the full-data budgets, then the arms; the clean
 * setting first, then label noise.
 */
export function evidenceConfigs(setup: EvidenceSetup): RunConfig[] {
  const configs: RunConfig[] = [];
  const settings = [
    { labelNoise: 0, seeds: setup.seeds },
    { labelNoise: setup.labelNoise, seeds: setup.labelNoise > 0 ? setup.noiseSeeds : [] },
  ];
  for (const { labelNoise, seeds } of settings) {
    for (const seed of seeds) {
      const base = {
        model: setup.model,
        seed,
        batchSize: setup.batchSize,
        learningRate: setup.learningRate,
        trainSize: setup.trainSize,
        validationSize: setup.validationSize,
        testSize: setup.testSize,
        labelNoise,
      };
      for (const b of setup.budgets) {
        const budgetEpochs = Math.round(b * setup.epochs * 1000) / 1000;
        configs.push({ ...base, strategy: 'full', level: 'none', strategyOptions: {}, epochs: budgetEpochCount(budgetEpochs), budgetEpochs });
      }
      for (const { strategy, level } of setup.arms) {
        // The parameters the committed study ran with, pinned (not level targets): see EVIDENCE_SETTINGS.
        configs.push({ ...base, strategy, level, strategyOptions: { ...evidenceSettings(strategy, level) }, epochs: setup.epochs });
      }
    }
  }
  return configs;
}

/** Σ visited over a run's epochs. */
export function totalVisits(record: RunRecord): number {
  return record.epochs.reduce((s, e) => s + e.visited, 0);
}

export type { PerSeed };

const perSeed = (records: readonly RunRecord[], f: (r: RunRecord) => number): PerSeed => perSeedValues(records, (r) => r.config.seed, f);

/** One budget of the full-data curve, over seeds. */
export interface CurveSummary {
  readonly epochs: number;
  readonly visitsRatio: number;
  readonly testAccuracy: PerSeed;
  readonly validationAccuracy: PerSeed | null;
  readonly cpuSeconds: PerSeed;
}

/** One arm against the equal-compute curve, over seeds. */
export interface ArmSummary {
  readonly model: ModelName;
  readonly strategy: StrategyName;
  readonly level: Level;
  readonly options: Record<string, unknown>;
  readonly seeds: number[];
  readonly visitsRatio: PerSeed;
  /** Σ weights / (N · H): what the gradient saw, relative to full data over the horizon. */
  readonly weightedVisitsRatio: PerSeed;
  readonly testAccuracy: PerSeed;
  readonly validationAccuracy: PerSeed | null;
  /** Test accuracy − the same seed's full-data curve at the arm's visits (fractions, not points). */
  readonly deltaVsEqualCompute: { mean: number; ci95: [number, number] | null; perSeed: Record<string, number | null> };
  /** 1 − visits / (visits full data needs for the same accuracy). */
  readonly visitsSavedAtEqualAccuracy: {
    mean: number;
    ci95: [number, number] | null;
    perSeed: Record<string, number>;
    /** Seeds whose figure is a bound: 'above' = the arm beat every budget (a lower bound on the saving). */
    censored: Record<string, 'above' | 'below'>;
  };
  /** Process CPU seconds per 10^6 visits, relative to the same seed's full-horizon run: the strategy's own overhead. */
  readonly cpuPerVisitVsFull: { mean: number; ci95: [number, number] | null; perSeed: Record<string, number> } | null;
  /** With label noise: Σ weights per noisy sample / Σ weights per clean sample over the run. */
  readonly noisyExposure?: PerSeed;
}

/** The comparison of one setting (clean or one label-noise rate). */
export interface SettingSummary {
  readonly labelNoise: number;
  readonly seeds: number[];
  readonly fullCurve: CurveSummary[];
  readonly arms: ArmSummary[];
}

function cpuPerVisit(r: RunRecord): number {
  return (r.cpuTimeMs ?? Number.NaN) / totalVisits(r);
}

/**
 * Summarise the records of one setting. Every seed must have the whole
 * curve: the comparison is per seed, against that seed's own full data.
 *
 * @throws RangeError if a seed lacks a budget or two seeds' arms started from
 *   the same weights, or an arm's seed has no curve.
 */
export function summariseSetting(records: readonly RunRecord[], labelNoise: number, horizon: number): SettingSummary {
  const mine = records.filter((r) => r.config.labelNoise === labelNoise);
  const curveRuns = mine.filter((r) => r.config.budgetEpochs !== undefined);
  const armRuns = mine.filter((r) => r.config.budgetEpochs === undefined && r.config.strategy !== 'full');
  const seeds = [...new Set(curveRuns.map((r) => r.config.seed))].sort((a, b) => a - b);
  const budgets = [...new Set(curveRuns.map((r) => r.config.budgetEpochs!))].sort((a, b) => a - b);
  const n = (r: RunRecord) => r.config.trainSize;

  // Pairing: one initial-weights digest per seed, different across seeds.
  checkPairing('summariseSetting()', mine.map((r) => ({ seed: r.config.seed, initDigest: r.initDigest })));

  const curves = new Map<number, CurvePoint[]>();
  for (const seed of seeds) {
    const runs = curveRuns.filter((r) => r.config.seed === seed);
    if (runs.length !== budgets.length) {
      throw new RangeError(`summariseSetting(): seed ${seed} has ${runs.length} of the ${budgets.length} full-data budgets`);
    }
    curves.set(seed, runs.map((r) => ({ visits: totalVisits(r) / (n(r) * horizon), accuracy: r.finalAccuracy })));
  }
  const finalValidation = (r: RunRecord) => r.epochs.at(-1)?.validationAccuracy;
  const hasValidation = mine.every((r) => finalValidation(r) !== undefined);

  const fullCurve: CurveSummary[] = budgets.map((b) => {
    const runs = curveRuns.filter((r) => r.config.budgetEpochs === b);
    return {
      epochs: b,
      visitsRatio: b / horizon,
      testAccuracy: perSeed(runs, (r) => r.finalAccuracy),
      validationAccuracy: hasValidation ? perSeed(runs, (r) => finalValidation(r)!) : null,
      cpuSeconds: perSeed(runs, (r) => (r.cpuTimeMs ?? Number.NaN) / 1000),
    };
  });

  const fullHorizon = new Map(curveRuns.filter((r) => r.config.budgetEpochs === horizon).map((r) => [r.config.seed, r]));
  const groups = new Map<string, RunRecord[]>();
  for (const r of armRuns) {
    const key = `${r.config.model}/${r.config.strategy}/${r.config.level}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const arms: ArmSummary[] = [];
  for (const runs of groups.values()) {
    runs.sort((a, b) => a.config.seed - b.config.seed);
    const c = runs[0]!.config;
    const compared = compareWithCurve(
      runs.map((r) => ({ seed: r.config.seed, visits: totalVisits(r) / (n(r) * horizon), accuracy: r.finalAccuracy })),
      curves,
    );
    const seedKeys = runs.map((r) => String(r.config.seed));
    const censored: Record<string, 'above' | 'below'> = {};
    compared.censoredPerSeed.forEach((cz, i) => {
      if (cz !== null) censored[seedKeys[i]!] = cz;
    });
    const cpuRatios = runs.flatMap((r) => {
      const f = fullHorizon.get(r.config.seed);
      const ratio = f === undefined ? Number.NaN : cpuPerVisit(r) / cpuPerVisit(f);
      return Number.isFinite(ratio) ? [[String(r.config.seed), ratio] as const] : [];
    });
    const noisy = runs.every((r) => r.noise?.weightedPerNoisy !== undefined && r.noise.weightedPerClean! > 0);
    arms.push({
      model: c.model,
      strategy: c.strategy,
      level: c.level,
      options: c.strategyOptions,
      seeds: runs.map((r) => r.config.seed),
      visitsRatio: perSeed(runs, (r) => totalVisits(r) / (n(r) * horizon)),
      weightedVisitsRatio: perSeed(runs, (r) => r.epochs.reduce((s, e) => s + (e.weightedVisits ?? e.visited), 0) / (n(r) * horizon)),
      testAccuracy: perSeed(runs, (r) => r.finalAccuracy),
      validationAccuracy: hasValidation ? perSeed(runs, (r) => finalValidation(r)!) : null,
      deltaVsEqualCompute: {
        ...(compared.delta === null ? { mean: Number.NaN, ci95: null } : withCi(compared.delta)),
        perSeed: Object.fromEntries(compared.deltaPerSeed.map((d, i) => [seedKeys[i]!, d])),
      },
      visitsSavedAtEqualAccuracy: {
        ...withCi(compared.visitsSaved),
        perSeed: Object.fromEntries(compared.visitsSavedPerSeed.map((v, i) => [seedKeys[i]!, v])),
        censored,
      },
      cpuPerVisitVsFull:
        cpuRatios.length === 0
          ? null
          : { ...withCi(meanCi95(cpuRatios.map(([, v]) => v))), perSeed: Object.fromEntries(cpuRatios) },
      ...(noisy ? { noisyExposure: perSeed(runs, (r) => r.noise!.weightedPerNoisy! / r.noise!.weightedPerClean!) } : {}),
    });
  }
  const order: StrategyName[] = ['dynamicRandom', 'infobatch', 'seta', 'scan', 'staticRandom'];
  arms.sort((a, b) => order.indexOf(a.strategy) - order.indexOf(b.strategy) || (a.level < b.level ? -1 : 1));
  return {
    labelNoise,
    seeds,
    fullCurve,
    arms,
  };
}

/** What `summary.json` holds: the clean setting at the top level (the shape the docs promise), label noise beside it. */
export interface EvidenceSummary extends SettingSummary {
  readonly command: string;
  readonly commit: string;
  readonly horizon: number;
  readonly labelNoiseSetting: SettingSummary | null;
}

export function evidenceSummary(records: readonly RunRecord[], meta: { command: string; commit: string; horizon: number }): EvidenceSummary {
  const clean = summariseSetting(records, 0, meta.horizon);
  const rates = [...new Set(records.map((r) => r.config.labelNoise))].filter((x) => x > 0);
  if (rates.length > 1) throw new RangeError(`evidenceSummary(): one label-noise rate per study, got ${rates.join(', ')}`);
  return {
    command: meta.command,
    commit: meta.commit,
    horizon: meta.horizon,
    ...clean,
    labelNoiseSetting: rates.length === 0 ? null : summariseSetting(records, rates[0]!, meta.horizon),
  };
}
