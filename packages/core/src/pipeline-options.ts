import { checkOneOf, describeValue } from '@seta/engine';
import type { ScoreStore, Stage } from './stage.js';
import type { EpochSummary, Pruner } from './types.js';

/** Options of {@link createPruner}. */
export interface PipelineOptions {
  /** Pruner name, reported in `Pruner.name` and checked on `loadState`. */
  readonly name: string;
  /** N, the dataset size: an integer in [1, MAX_SIZE] (2^31 − 1). */
  readonly size: number;
  /** E, the number of epochs: an integer ≥ 1. */
  readonly epochs: number;
  /** The stages, applied in order at every `plan()`. */
  readonly stages: readonly Stage[];
  /** Where scores live; required if any stage `needsScores`. */
  readonly store?: ScoreStore | null;
  /** Seed of the pruner's generator (default 0). */
  readonly seed?: number;
  /**
   * `'error'`: a NaN or infinite loss is an error; `'skip'`: that sample
   * keeps its previous score and the skip is counted. The default is the
   * store's own setting (a `LossStore`'s `nonFinite`), or `'error'` without
   * one; a value that differs from the store's is a RangeError, since the
   * store's rule would then not be the one applied.
   */
  readonly nonFinite?: 'error' | 'skip';
  /**
   * The options that define this pruner (JSON-serialisable). They are saved
   * with the state, and `loadState` rejects a state saved with other options.
   */
  readonly fingerprint?: unknown;
}

/** A pruner built by {@link createPruner}: the `Pruner` contract plus run-level reporting. */
export interface PipelinePruner extends Pruner {
  /** E, the number of epochs of the run. */
  readonly epochs: number;
  /** The next epoch `plan()` expects (equals the number of finished epochs between epochs). */
  readonly nextEpoch: number;
  /** The realised saved ratio of the finished epochs, `Σ_e (N − |plan_e|) / (N · epochs finished)` (0 before any). */
  readonly savedRatio: number;
  /** Summaries of every finished epoch, oldest first. */
  readonly history: readonly EpochSummary[];
}

export const OPTION_KEYS = ['name', 'size', 'epochs', 'stages', 'store', 'seed', 'nonFinite', 'fingerprint'] as const;

/** JSON with object keys sorted, so that equal options always encode equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return typeof v === 'function' ? `[function ${(v as { name?: string }).name ?? ''}]` : v;
  });
}

/** Throws a TypeError unless `store` has what a pipeline uses of a {@link ScoreStore}. */
export function checkStore(fn: string, store: unknown): void {
  const s = store as Record<string, unknown>;
  if (
    typeof s !== 'object' ||
    typeof s.size !== 'number' ||
    !(s.scores instanceof Float32Array) ||
    !(s.seen instanceof Uint32Array) ||
    typeof s.mean !== 'function' ||
    typeof s.record !== 'function' ||
    typeof s.saveState !== 'function' ||
    typeof s.loadState !== 'function'
  ) {
    throw new TypeError(
      `${fn}: store must be a score store (size, scores, seen, mean(), record(), saveState(), loadState()), got ${describeValue(store)}`,
    );
  }
}


/**
 * The pipeline's rule for non-finite losses: the one given, else the
 * store's, else `'error'`. One owner: a rule given to both the pruner and
 * its store must agree, because the pipeline validates every observed batch
 * before the store sees it and the store's own rule would silently not apply.
 *
 * @throws TypeError / RangeError for a value other than `'error'` or
 *   `'skip'`; RangeError when it differs from the store's.
 */
export function resolveNonFinite(fn: string, given: unknown, store: ScoreStore | null): 'error' | 'skip' {
  const own = given === undefined ? undefined : checkOneOf(fn, 'nonFinite', given, ['error', 'skip'] as const);
  const stores = store?.options?.nonFinite;
  if (own !== undefined && stores !== undefined && own !== stores) {
    throw new RangeError(
      `${fn}: nonFinite must match the store's, got '${own}' for the pruner and '${stores}' for the store (leave the pruner's unset to follow the store)`,
    );
  }
  return own ?? stores ?? 'error';
}
