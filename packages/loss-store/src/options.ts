import { checkNumber, checkOneOf, checkOptionKeys, checkOptions, describeValue } from '@seta/core';

/** Options of a {@link LossStore}; every field is optional. */
export interface LossStoreOptions {
  /**
   * Exponential moving average factor in [0, 1). With `ema = a > 0` a new
   * observation `loss` of a sample already seen gives
   * `score = fround(a · old + (1 − a) · loss)`; the first observation sets the
   * score directly. `0` (the default) means the latest loss wins.
   */
  readonly ema?: number;
  /** Keep each sample's last-seen epoch (4 bytes per sample). Default `true`. */
  readonly trackEpochs?: boolean;
  /**
   * Keep each sample's observation count (4 bytes per sample). Default
   * `false`: incrementing a count must read it first, which for random ids
   * over a large store is a cache miss that roughly doubles `record`'s cost.
   */
  readonly trackCounts?: boolean;
  /**
   * What a NaN or infinite loss does: `'error'` (the default) rejects the
   * whole batch; `'skip'` leaves that sample as it was and counts the skip.
   * A pruner built on this store (`createPruner({ store })` of `@seta/core`)
   * follows this setting.
   */
  readonly nonFinite?: 'error' | 'skip';
}

/** The options a {@link LossStore} was built with, every default filled in. */
export interface ResolvedLossStoreOptions {
  readonly ema: number;
  readonly trackEpochs: boolean;
  readonly trackCounts: boolean;
  readonly nonFinite: 'error' | 'skip';
}

/** Largest epoch: last-seen epochs are kept in an Int32Array, -1 meaning unseen. */
export const MAX_EPOCH = 0x7fff_ffff;
/** Observation counts saturate here (Uint32Array). */
export const MAX_COUNT = 0xffff_ffff;

export const OPTION_KEYS: readonly (keyof ResolvedLossStoreOptions)[] = ['ema', 'trackEpochs', 'trackCounts', 'nonFinite'];

/**
 * Check a store's options and fill in the defaults; `fn` names the caller in
 * messages. O(1).
 */
export function resolveOptions(fn: string, options: LossStoreOptions | undefined): ResolvedLossStoreOptions {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, OPTION_KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const ema = o.ema === undefined ? 0 : checkNumber(fn, 'ema', o.ema, 0, 1, { openMax: true });
  const flag = (name: string, byDefault: boolean): boolean => {
    const v = o[name];
    if (v === undefined) return byDefault;
    if (typeof v !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describeValue(v)}`);
    return v;
  };
  const trackEpochs = flag('trackEpochs', true);
  const trackCounts = flag('trackCounts', false);
  const nonFinite = o.nonFinite === undefined ? 'error' : checkOneOf(fn, 'nonFinite', o.nonFinite, ['error', 'skip'] as const);
  // +0 for -0, so that options compare equal however 0 was written.
  return Object.freeze({ ema: ema + 0, trackEpochs, trackCounts, nonFinite });
}
