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

/** Whether `a` becomes `b` by at most one insertion, deletion or substitution. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * Throws a TypeError for a key of `options` not in `known` (naming the known
 * key it most likely meant: the same but for case, `_` and `-`, or one edit
 * away) and for a `null` value. A minimal form of `@seta/core`'s
 * `checkOptionKeys`, with the same messages, for this dependency-free package.
 */
export function checkOptionKeys(fn: string, options: unknown, known: readonly string[]): void {
  if (options === undefined || options === null || typeof options !== 'object') return;
  const plain = (s: string): string => s.replace(/[_-]/g, '').toLowerCase();
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const hint = known.find((k) => plain(k) === plain(key)) ?? known.find((k) => withinOneEdit(plain(k), plain(key)));
      const did = hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
      throw new TypeError(`${fn}: unknown option ${JSON.stringify(key)}${did}; known options: ${known.join(', ')}`);
    }
    if ((options as Record<string, unknown>)[key] === null) {
      throw new TypeError(`${fn}: ${key} must not be null (omit it to use the default)`);
    }
  }
}

/** Throws unless `value` is one of `allowed`: a TypeError if not a string, a RangeError otherwise. */
export function checkOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const message = `${fn}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`;
  throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
}
