/**
 * The one table of strategies the apps use: each strategy's factory, what a
 * run of it is expected to save, and the settings every app runs it with —
 * pruning levels and styles as saved-ratio targets, and the settings that
 * committed results, fixtures and benchmarks were produced with, pinned.
 *
 * A setting is a strategy's factory options besides `size`, `epochs` and
 * `seed`. A `targetSavedRatio` is resolved by the strategy itself (each
 * package documents its rule); a target beyond a strategy's reach runs at
 * the strategy's maximum instead (`strategyOptions`).
 */
import { dynamicRandom, expectedSavedRatio as randomSavedRatio, full, staticRandom } from '@seta/baselines';
import type { PipelinePruner } from '@seta/core';
import { infobatch, expectedSavedRatio as infobatchSavedRatio } from '@seta/infobatch';
import { scan, expectedSavedRatio as scanSavedRatio } from '@seta/scan';
import { seta, expectedSavedRatio as setaSavedRatio } from '@seta/seta';

export type StrategyName = 'full' | 'staticRandom' | 'dynamicRandom' | 'infobatch' | 'seta' | 'scan';
export type PrunedStrategy = Exclude<StrategyName, 'full'>;
export type PruningLevel = 'L1' | 'L2' | 'L3';

/** A strategy's factory options besides `size`, `epochs` and `seed`. */
export type StrategySettings = Readonly<Record<string, unknown>>;

/** The run a pruner is built for. */
export interface RunShape {
  readonly size: number;
  readonly epochs: number;
  readonly seed: number;
}

/** What the apps need of a strategy. */
export interface StrategyEntry {
  /** The package's factory. */
  readonly build: (options: never) => PipelinePruner;
  /** The package's `expectedSavedRatio`, under its default assumptions. */
  readonly expectedSavedRatio: (options: never) => number;
  /** Settings that save the most the strategy can, replacing the parameter a target sets; `null` when every target below 1 is reachable. */
  readonly maximum: StrategySettings | null;
}

/** Every strategy, by name. */
export const STRATEGY_TABLE: Readonly<Record<StrategyName, StrategyEntry>> = {
  full: { build: full, expectedSavedRatio: () => 0, maximum: {} },
  staticRandom: { build: staticRandom, expectedSavedRatio: randomSavedRatio, maximum: null },
  dynamicRandom: { build: dynamicRandom, expectedSavedRatio: randomSavedRatio, maximum: null },
  // keep is clamped at 0.1: pruneRatio 1 drops 90 % of the below-mean samples
  infobatch: { build: infobatch, expectedSavedRatio: infobatchSavedRatio, maximum: { pruneRatio: 1 } },
  seta: { build: seta, expectedSavedRatio: setaSavedRatio, maximum: { pruneRatio: 0.9 } },
  scan: { build: scan, expectedSavedRatio: scanSavedRatio, maximum: { pruneRatio: 0.5 } },
};

/** The share of sample visits each pruning level asks for: the papers' 30 / 50 / 70 %. */
export const LEVEL_TARGETS: Readonly<Record<PruningLevel, number>> = { L1: 0.3, L2: 0.5, L3: 0.7 };

/** SeTa's window at each level (the method's shape; the target sets the downsampling): the CIFAR recipe's 4 of 5 groups at L1, narrower windows for more pruning. */
const SETA_WINDOWS: Readonly<Record<PruningLevel, StrategySettings>> = {
  L1: { groups: 5, windowScale: 0.9 },
  L2: { groups: 5, windowScale: 0.6 },
  L3: { groups: 5, windowScale: 0.5 },
};

/** The settings of each strategy at each pruning level: the level's target, and SeTa's window. */
export function levelSettings(strategy: PrunedStrategy, level: PruningLevel): StrategySettings {
  const target = LEVEL_TARGETS[level];
  if (target === undefined) throw new RangeError(`levelSettings(): level must be L1, L2 or L3, got ${JSON.stringify(level)}`);
  return strategy === 'seta' ? { targetSavedRatio: target, ...SETA_WINDOWS[level] } : { targetSavedRatio: target };
}

/**
 * The contrastive app's settings per style: SCAN's published average pruning
 * as the target for every strategy — 30 % for CLIP-style and 35 % for
 * MoCo-style pre-training — and SeTa's window of 4 of 5 groups.
 */
export const STYLE_TARGETS: Readonly<Record<'clip' | 'moco', number>> = { clip: 0.3, moco: 0.35 };

/** The settings of each strategy in a contrastive style. */
export function styleSettings(strategy: PrunedStrategy, style: 'clip' | 'moco'): StrategySettings {
  const target = STYLE_TARGETS[style];
  if (target === undefined) throw new RangeError(`styleSettings(): style must be clip or moco, got ${JSON.stringify(style)}`);
  return strategy === 'seta' ? { targetSavedRatio: target, groups: 5, windowScale: 0.8 } : { targetSavedRatio: target };
}

/**
 * The parameters the committed evidence study (docs/results/classification-evidence)
 * was run with, pinned so that `--profile evidence` reproduces it: they are
 * the hand-tuned level table of that time, not targets (InfoBatch L1, for
 * instance, saved 32.8 % and SeTa L1 39.8 %). The classification app's tests
 * compare them with the study's run records.
 */
export const EVIDENCE_SETTINGS: Readonly<Partial<Record<PrunedStrategy, Partial<Record<PruningLevel, StrategySettings>>>>> = {
  dynamicRandom: { L1: { pruneRatio: 0.3 }, L2: { pruneRatio: 0.5 } },
  infobatch: { L1: { pruneRatio: 0.5 }, L2: { pruneRatio: 0.8 } },
  seta: { L1: { pruneRatio: 0.1, groups: 5, windowScale: 0.9 }, L2: { pruneRatio: 0.3, groups: 5, windowScale: 0.6 } },
  scan: { L1: { pruneRatio: 0.3 } },
};

/** The evidence study's settings of a strategy at a level. */
export function evidenceSettings(strategy: PrunedStrategy, level: PruningLevel): StrategySettings {
  const settings = EVIDENCE_SETTINGS[strategy]?.[level];
  if (settings === undefined) throw new RangeError(`evidenceSettings(): the evidence study has no ${strategy} ${level} arm`);
  return { ...settings };
}

/**
 * The conformance app's fixtures: one setting per strategy that makes every
 * rule of it happen within a few epochs (SCAN with short cycles and a warm-up
 * that ends at once, SeTa with a window of 3 of 5 groups), pinned because the
 * app's plan digests were taken with them.
 */
export const CONFORMANCE_SETTINGS: Readonly<Record<StrategyName, StrategySettings>> = {
  full: {},
  staticRandom: { pruneRatio: 0.3 },
  dynamicRandom: { pruneRatio: 0.3 },
  infobatch: { pruneRatio: 0.5 },
  seta: { pruneRatio: 0.1, groups: 5, windowScale: 0.6 },
  scan: { pruneRatio: 0.3, mutationEpochs: 2, warmupThreshold: 0.9 },
};

/**
 * The strategy benchmark's settings (apps/strategy-bench), pinned so that its
 * timings stay comparable with the committed ones: the papers' defaults, and
 * SCAN with `warmupThreshold` 1 so that warm-up ends after epoch 1.
 */
export const BENCH_SETTINGS: Readonly<Record<'infobatch' | 'seta' | 'scan' | 'dynamicRandom', StrategySettings>> = {
  infobatch: { pruneRatio: 0.5 },
  seta: { pruneRatio: 0.1, groups: 5, windowScale: 0.9 },
  scan: { pruneRatio: 0.3, warmupThreshold: 1 },
  dynamicRandom: { pruneRatio: 0.3 },
};

/**
 * The factory options of `strategy` with `settings` on `run`. A
 * `targetSavedRatio` the strategy cannot reach (by its own
 * `expectedSavedRatio`) is replaced by the strategy's maximum, so a level
 * such as L3 = 70 % runs InfoBatch and SCAN as hard as they go; every other
 * target is left for the factory to resolve.
 *
 * @throws RangeError for an unknown strategy.
 */
export function strategyOptions(strategy: StrategyName, settings: StrategySettings, run: RunShape): Record<string, unknown> {
  const entry = STRATEGY_TABLE[strategy];
  if (entry === undefined) throw new RangeError(`strategyOptions(): unknown strategy ${JSON.stringify(strategy)}`);
  const options: Record<string, unknown> = { ...run, ...settings };
  const target = options.targetSavedRatio;
  if (typeof target !== 'number' || entry.maximum === null) return options;
  const { targetSavedRatio: _target, ...rest } = options;
  const most = { ...rest, ...entry.maximum };
  return entry.expectedSavedRatio(most as never) < target ? most : options;
}

/** Build the pruner of `strategy` with `settings` on `run` (see {@link strategyOptions}). */
export function makePruner(strategy: StrategyName, settings: StrategySettings, run: RunShape): PipelinePruner {
  const entry = STRATEGY_TABLE[strategy];
  if (entry === undefined) throw new RangeError(`makePruner(): unknown strategy ${JSON.stringify(strategy)}`);
  return entry.build(strategyOptions(strategy, settings, run) as never);
}
