import { checkInteger, describeValue } from '@seta/engine';

/**
 * The largest dataset size (N) a pruner, a stage or a score store accepts:
 * 2^31 − 1.
 *
 * Why this figure: every id then fits a non-negative int32, which the fast
 * paths rely on (a stage may carry a bit of its own in an id's top bit;
 * bit tricks on ids use signed 32-bit operators), and every per-sample
 * typed array stays within what every JavaScript engine allocates. Memory
 * usually runs out before this size (the strategies' READMEs give the
 * memory per sample); refusing larger sizes up front turns an allocation
 * failure minutes into a run into a named error at construction. See
 * docs/decisions/0001-maximum-size.md.
 */
export const MAX_SIZE = 0x7fff_ffff;

/**
 * Throws unless `value` is a dataset size: an integer in [1, {@link MAX_SIZE}].
 *
 * @throws TypeError if `value` is not a number; RangeError if it is not an integer in range.
 */
export function checkSize(fn: string, name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > MAX_SIZE) {
    throw new RangeError(`${fn}: ${name} must be an integer in [1, ${MAX_SIZE}] (MAX_SIZE, 2^31 − 1), got ${describeValue(value)}`);
  }
  return checkInteger(fn, name, value, 1, MAX_SIZE);
}
