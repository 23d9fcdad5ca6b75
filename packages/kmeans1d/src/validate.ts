/**
 * The checks of this package's own: non-empty and finite values. The
 * general ones (and the message shape, `fn(): name must be …, got value`)
 * come from @seta/engine, shared by every seta package.
 */
import { describeValue } from '@seta/engine';

/** Throws a RangeError if `values` is empty. */
export function checkNotEmpty(fn: string, name: string, values: ArrayLike<number>): void {
  if (values.length === 0) {
    throw new RangeError(`${fn}: ${name} must not be empty, got ${describeValue(values)}`);
  }
}

/**
 * The error for `values[index]`, which failed a finiteness check: a TypeError
 * if it is not a number at all, a RangeError if it is NaN or ±Infinity.
 */
export function notFiniteError(fn: string, name: string, index: number, value: unknown): Error {
  const message = `${fn}: ${name}[${index}] must be a finite number, got ${describeValue(value)}`;
  return typeof value === 'number' ? new RangeError(message) : new TypeError(message);
}
