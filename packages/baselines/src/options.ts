import { checkInteger, checkNumber, checkOneOf, checkOptionKeys, checkOptions, checkSize } from '@seta/core';

/** Options every baseline takes. */
export interface BaselineOptions {
  /** N, the dataset size: an integer in [1, MAX_SIZE = 2^31 − 1]. */
  readonly size: number;
  /** E, the number of epochs: an integer ≥ 1. */
  readonly epochs: number;
  /** Seed of the pruner's generator (default 0). */
  readonly seed?: number;
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
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { ${['size', 'epochs', ...extra].join(', ')} } are required`);
  checkOptionKeys(fn, options, [...BASELINE_KEYS, ...extra, ...optional]);
  return {
    size: checkSize(fn, 'size', options.size),
    epochs: checkInteger(fn, 'epochs', options.epochs, 1),
    seed: checkInteger(fn, 'seed', options.seed ?? 0, 0),
    delta: checkNumber(fn, 'delta', options.delta ?? 1, 0, 1),
    nonFinite: checkOneOf(fn, 'nonFinite', options.nonFinite ?? 'error', ['error', 'skip'] as const),
  };
}
