import type { StrategyName, Style } from './record.js';

export const STRATEGIES: readonly StrategyName[] = ['full', 'dynamicRandom', 'infobatch', 'seta', 'scan'];
export const STYLES: readonly Style[] = ['clip', 'moco'];

/**
 * Each strategy's options, aiming at SCAN's published average pruning: 30 %
 * of visits for CLIP-style and 35 % for MoCo-style pre-training. The realised
 * ratio is measured and reported; these are only the settings.
 *
 * - SCAN: `pruneRatio` ρ is its average pruning over a cycle (its warm-up
 *   and preparation epochs are full data, so it realises less than ρ), with
 *   both loss directions, its default mutation epochs (3) and threshold.
 * - Dynamic random: the ratio itself.
 * - InfoBatch only drops below-mean samples (about half of them here):
 *   `pruneRatio` 0.5 / 0.6 aims at ≈ 30 / 35 %; it anneals to full data in
 *   the last 12.5 % of epochs (its default δ).
 * - SeTa: random downsampling and a window of 4 of 5 loss groups: expected
 *   saving ≈ 1 − keep · (4/5) → 0.9 → 28 %, 0.8 → 36 %; default annealing.
 */
export const STRATEGY_OPTIONS: Record<Style, Record<Exclude<StrategyName, 'full'>, Record<string, unknown>>> = {
  clip: {
    dynamicRandom: { pruneRatio: 0.3 },
    infobatch: { pruneRatio: 0.5 },
    seta: { pruneRatio: 0.1, groups: 5, windowScale: 0.8 },
    scan: { pruneRatio: 0.3 },
  },
  moco: {
    dynamicRandom: { pruneRatio: 0.35 },
    infobatch: { pruneRatio: 0.6 },
    seta: { pruneRatio: 0.2, groups: 5, windowScale: 0.8 },
    scan: { pruneRatio: 0.35 },
  },
};

/** The options a run of `strategy` in `style` uses. */
export function strategyOptions(style: Style, strategy: StrategyName): Record<string, unknown> {
  return strategy === 'full' ? {} : { ...STRATEGY_OPTIONS[style][strategy] };
}
