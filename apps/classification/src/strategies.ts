import { levelSettings } from '@seta-apps/shared';
import type { Level, StrategyName } from './record.js';

/** The strategies this app compares. Their settings come from the shared table (apps/shared/src/strategies.ts). */
export const STRATEGIES: readonly StrategyName[] = ['full', 'staticRandom', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
export const LEVELS: readonly Exclude<Level, 'none'>[] = ['L1', 'L2', 'L3'];

/**
 * The settings a run of `strategy` at `level` uses: the level's saved-ratio
 * target (30, 50 or 70 % of sample visits, the papers' L1/L2/L3), which each
 * strategy turns into its parameters by its own documented rule; a target a
 * strategy cannot reach runs it at its maximum. The realised saved ratio is
 * always measured and reported. The evidence study pins its own parameters
 * (`evidenceSettings` in the shared table).
 */
export function strategyOptions(strategy: StrategyName, level: Level): Record<string, unknown> {
  if (strategy === 'full') return {};
  if (level === 'none') throw new RangeError(`strategyOptions(): ${strategy} needs a level (L1, L2 or L3)`);
  return { ...levelSettings(strategy, level) };
}
