import type { Level, StrategyName } from './record.js';

export const STRATEGIES: readonly StrategyName[] = ['full', 'staticRandom', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
export const LEVELS: readonly Exclude<Level, 'none'>[] = ['L1', 'L2', 'L3'];

/**
 * Each strategy's options at each pruning level, aiming at roughly 30 %, 50 %
 * and 70 % of sample-visits saved (the papers' L1/L2/L3). The realised saved
 * ratio is always measured and reported; these are only the settings.
 *
 * - Random baselines: the ratio itself.
 * - InfoBatch only drops below-mean samples, and keep is clamped at 0.1, so it
 *   cannot reach 70 %: L3 uses its maximum (pruneRatio 1, keep 0.1).
 * - SeTa: random downsampling `pruneRatio` and window `windowScale` over 5
 *   groups; expected saving per prune epoch ≈ 1 − keep · w / k.
 * - SCAN: ρ is its average pruning over a cycle, at most 0.5; warm-up epochs
 *   are full, so it realises less than ρ; L3 uses its maximum.
 */
export const LEVEL_OPTIONS: Record<Exclude<StrategyName, 'full'>, Record<Exclude<Level, 'none'>, Record<string, unknown>>> = {
  staticRandom: { L1: { pruneRatio: 0.3 }, L2: { pruneRatio: 0.5 }, L3: { pruneRatio: 0.7 } },
  dynamicRandom: { L1: { pruneRatio: 0.3 }, L2: { pruneRatio: 0.5 }, L3: { pruneRatio: 0.7 } },
  infobatch: { L1: { pruneRatio: 0.5 }, L2: { pruneRatio: 0.8 }, L3: { pruneRatio: 1 } },
  seta: {
    L1: { pruneRatio: 0.1, groups: 5, windowScale: 0.9 },
    L2: { pruneRatio: 0.3, groups: 5, windowScale: 0.6 },
    L3: { pruneRatio: 0.5, groups: 5, windowScale: 0.5 },
  },
  scan: { L1: { pruneRatio: 0.3 }, L2: { pruneRatio: 0.5 }, L3: { pruneRatio: 0.5 } },
};

/** The options a run of `strategy` at `level` uses. */
export function strategyOptions(strategy: StrategyName, level: Level): Record<string, unknown> {
  if (strategy === 'full') return {};
  if (level === 'none') throw new RangeError(`strategyOptions(): ${strategy} needs a level (L1, L2 or L3)`);
  return { ...LEVEL_OPTIONS[strategy][level] };
}
