/**
 * Boundary checks for the public functions of this package. Every message
 * has the same shape, `fn(): name must be …, got value`, as in the other
 * seta packages (this package has no dependencies, so it keeps its own copy).
 */

/** Render a value for an error message: strings quoted, arrays abbreviated. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as { length?: unknown }).length;
    return typeof length === 'number'
      ? `a ${value.constructor.name} of length ${length}`
      : `a ${value.constructor.name}`;
  }
  if (typeof value === 'function') return 'a function';
  return `a ${(value as object).constructor?.name ?? 'object'}`;
}

/** Throws a TypeError unless `value` is an array or typed array (anything with a numeric `length`). */
export function checkArrayLike(fn: string, name: string, value: unknown): ArrayLike<number> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { length?: unknown }).length !== 'number'
  ) {
    throw new TypeError(`${fn}: ${name} must be an array or typed array, got ${describeValue(value)}`);
  }
  return value as ArrayLike<number>;
}

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

/** Throws unless `value` is a safe integer ≥ `min`. */
export function checkInteger(fn: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws a TypeError if `options` is given and is not a plain object. */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${fn}: options must be an object, got ${describeValue(options)}`);
  }
}

/** Throws unless `value` is one of `allowed`: a TypeError if not a string, a RangeError otherwise. */
export function checkOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const message = `${fn}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`;
  throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
}
