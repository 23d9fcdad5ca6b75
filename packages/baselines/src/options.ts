import { checkInteger, checkNumber, checkStrategyOptions } from '@seta/core';
import type { StrategyOptions } from '@seta/core';

/** Options every baseline takes. */
export interface BaselineOptions extends StrategyOptions {
  /**
   * Anneal like InfoBatch: from epoch `floor(delta · E)` on, visit every
   * sample. In [0, 1]; default 1 (never), so the baseline prunes to the end.
   */
  readonly delta?: number;
  /** `'error'` (default) or `'skip'` for NaN and infinite losses. */
  readonly nonFinite?: 'error' | 'skip';
}

/** Options of the random baselines: `pruneRatio` or `targetSavedRatio` is required. */
export interface RandomBaselineOptions extends BaselineOptions {
  /** r, the fraction of the data dropped each pruning epoch, in [0, 1): `floor((1 − r) · N)` ids are kept. */
  readonly pruneRatio?: number;
  /**
   * Instead of `pruneRatio`: the share of sample visits to save over the run,
   * in [0, floor(δ · E) / E); sets `pruneRatio = target · E / floor(δ · E)`
   * (see `optionsForSavedRatio`). Not together with `pruneRatio`.
   */
  readonly targetSavedRatio?: number;
}

export interface ResolvedBaseline {
  readonly size: number;
  readonly epochs: number;
  readonly seed: number;
  readonly delta: number;
  readonly nonFinite: 'error' | 'skip';
}

const BASELINE_KEYS = ['size', 'epochs', 'seed', 'delta', 'nonFinite'] as const;

/**
 * The options every baseline takes, checked; `extra` names the keys a
 * baseline adds that the message about missing options lists, `optional`
 * the others it accepts.
 */
export function resolveBaseline(fn: string, options: BaselineOptions | undefined, extra: readonly string[] = [], optional: readonly string[] = []): ResolvedBaseline {
  const { size, epochs, nonFinite } = checkStrategyOptions(fn, options, [...BASELINE_KEYS, ...extra, ...optional], ['size', 'epochs', ...extra]);
  return {
    size,
    epochs,
    seed: checkInteger(fn, 'seed', options!.seed ?? 0, 0),
    delta: checkNumber(fn, 'delta', options!.delta ?? 1, 0, 1),
    nonFinite,
  };
}
