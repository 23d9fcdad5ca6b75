import { checkInteger, checkOneOf, checkOptionKeys, checkOptions } from '@seta/engine';
import { checkSize } from './size.js';

/**
 * The options every strategy factory takes; each strategy's own options
 * extend these with its parameters.
 */
export interface StrategyOptions {
  /** N, the dataset size: an integer in [1, MAX_SIZE = 2^31 − 1] (memory: see the strategy's note). */
  readonly size: number;
  /** E, the number of epochs: an integer ≥ 1. */
  readonly epochs: number;
  /** Seed of the pruner's generator (default 0). */
  readonly seed?: number;
  /** `'error'` (default) or `'skip'`: what a NaN or infinite loss does (see the strategy's note). */
  readonly nonFinite?: 'error' | 'skip';
}

/** The fields of {@link StrategyOptions} a factory needs before building its pruner, checked. */
export interface CheckedStrategyOptions {
  readonly size: number;
  readonly epochs: number;
  readonly nonFinite: 'error' | 'skip';
}

/**
 * The one check of a strategy factory's options object: an object (not
 * null), present, with no key outside `knownKeys` (the message names the
 * key most likely meant), and a valid `size`, `epochs` and `nonFinite`. The
 * seed is left to `createPruner`, which checks it under the factory's name.
 * Messages name `fn`, the option and the value. O(number of keys).
 *
 * @param fn - the factory, as messages name it, e.g. `'seta()'`.
 * @param options - what the caller passed.
 * @param knownKeys - every option the factory accepts.
 * @param required - the options a message about missing options lists (default size and epochs).
 * @returns size, epochs and nonFinite (default `'error'`).
 * @throws TypeError for missing options, an unknown or `null` option, or a value of the wrong kind.
 * @throws RangeError for a value out of range.
 * @example
 * ```ts
 * const { size, epochs } = checkStrategyOptions('mine()', options, ['size', 'epochs', 'seed', 'nonFinite', 'ratio']);
 * ```
 */
export function checkStrategyOptions(
  fn: string,
  options: StrategyOptions | undefined,
  knownKeys: readonly string[],
  required: readonly string[] = ['size', 'epochs'],
): CheckedStrategyOptions {
  checkOptions(fn, options);
  if (options === undefined) throw new TypeError(`${fn}: options { ${required.join(', ')} } are required`);
  checkOptionKeys(fn, options, knownKeys);
  return {
    size: checkSize(fn, 'size', options.size),
    epochs: checkInteger(fn, 'epochs', options.epochs, 1),
    nonFinite: checkOneOf(fn, 'nonFinite', options.nonFinite ?? 'error', ['error', 'skip'] as const),
  };
}
