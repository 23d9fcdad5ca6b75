/**
 * Argument checks shared by the seta packages, so that every message has the
 * same shape: `fn(): name must be …, got value`.
 */

/** Render a value for an error message: strings quoted, arrays abbreviated. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  const ctor = (value as object).constructor?.name;
  return ctor === undefined || ctor === 'Object' ? 'an object' : `a ${ctor}`;
}

/**
 * Throws unless `value` is an integer in `[min, max]`.
 *
 * @throws TypeError if `value` is not a number; RangeError if it is not an integer in range.
 */
export function checkInteger(
  fn: string,
  name: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new RangeError(`${fn}: ${name} must be ${range}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Throws unless `value` is a finite number in the given interval. Bounds are
 * inclusive unless `openMin` / `openMax` is set.
 */
export function checkNumber(
  fn: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  { openMin = false, openMax = false }: { openMin?: boolean; openMax?: boolean } = {},
): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(value)}`);
  }
  const tooLow = openMin ? !(value > min) : !(value >= min);
  const tooHigh = openMax ? !(value < max) : !(value <= max);
  if (Number.isNaN(value) || tooLow || tooHigh) {
    const lo = openMin ? '(' : '[';
    const hi = openMax ? ')' : ']';
    throw new RangeError(`${fn}: ${name} must be in ${lo}${min}, ${max}${hi}, got ${describeValue(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string') {
    throw new TypeError(
      `${fn}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`,
    );
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(
      `${fn}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`,
    );
  }
  return value as T;
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

/** Throws a TypeError if `options` is given and is not a plain object. */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new TypeError(`${fn}: options must be an object, got ${describeValue(options)}`);
  }
}
