import { styleSettings } from '@seta-apps/shared';
import type { StrategyName, Style } from './record.js';

/** The strategies this app compares. Their settings come from the shared table (apps/shared/src/strategies.ts). */
export const STRATEGIES: readonly StrategyName[] = ['full', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
export const STYLES: readonly Style[] = ['clip', 'moco'];

/**
 * The settings a run of `strategy` in `style` uses: SCAN's published average
 * pruning as a saved-ratio target for every strategy — 30 % of sample visits
 * CLIP-style, 35 % MoCo-style — which each strategy turns into its parameters
 * by its own documented rule (SeTa with a window of 4 of 5 groups). The
 * realised ratio is measured and reported.
 */
export function strategyOptions(style: Style, strategy: StrategyName): Record<string, unknown> {
  return strategy === 'full' ? {} : { ...styleSettings(strategy, style) };
}
