/**
 * Argument checks shared by every seta package, so that every message has
 * the same shape: `fn(): name must be …, got value` (RangeError for a bad
 * value, TypeError for a wrong kind).
 */

/**
 * Render a value for an error message: strings quoted, arrays and typed
 * arrays with their length, objects by their class.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return value.toString();
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = (value as { length?: unknown }).length;
    return typeof length === 'number' ? `a ${value.constructor.name} of length ${length}` : `a ${value.constructor.name}`;
  }
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

/** Throws a TypeError unless `value` is a boolean. */
export function checkBoolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * Throws a TypeError unless `value` is a seeded generator (`Random` of
 * `@seta/engine`, re-exported by `@seta/core`). Checked by its methods rather than `instanceof`, so that a
 * generator from another copy of the package (ESM beside CommonJS) passes.
 */
export function checkRandom(fn: string, name: string, value: unknown): void {
  const r = value as Record<string, unknown> | null;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.nextIntUnchecked !== 'function' ||
    typeof r.fillUint32 !== 'function' ||
    typeof r.stateWords !== 'function' ||
    typeof r.clone !== 'function'
  ) {
    throw new TypeError(`${fn}: ${name} must be a Random, got ${describeValue(value)}`);
  }
}

/** Throws a TypeError unless `value` is an instance of `ctor` (a typed array class). */
export function checkInstance<T>(fn: string, name: string, value: unknown, ctor: abstract new (...args: never[]) => T): T {
  if (!(value instanceof ctor)) throw new TypeError(`${fn}: ${name} must be a ${ctor.name}, got ${describeValue(value)}`);
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

/**
 * Edit distance between two short strings (insertions, deletions,
 * substitutions and swaps of neighbours each cost 1), for suggesting the
 * option a misspelled key meant. O(|a| · |b|).
 */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The known key a misspelled `key` most likely meant, or `undefined` when
 * none is close. Case, `_` and `-` are ignored first (`prune_ratio` →
 * `pruneRatio`); otherwise the nearest key within an edit distance of a third
 * of its length (at least 1) wins.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (typeof key !== 'string') throw new TypeError(`suggestKey(): key must be a string, got ${describeValue(key)}`);
  if (!Array.isArray(known) || known.some((k) => typeof k !== 'string')) {
    throw new TypeError(`suggestKey(): known must be an array of strings, got ${describeValue(known)}`);
  }
  const plain = (s: string): string => s.replace(/[_-]/g, '').toLowerCase();
  const exact = known.find((k) => plain(k) === plain(key));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const distance = editDistance(plain(key), plain(k));
    if (distance < bestDistance && distance <= Math.max(1, Math.floor(k.length / 3))) {
      best = k;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Throws unless every own key of `options` is one of `known` and none of the
 * given values is `null`: a misspelled option would otherwise be ignored and
 * its default used in silence, and `null` is not "the default" (omit the key
 * for that) — except for the keys in `nullable`, whose documented values
 * include `null`. Call it after {@link checkOptions}. O(keys · known).
 *
 * @throws TypeError naming the first unknown key, the option it most likely
 *   meant and the known ones; TypeError for a `null` value.
 * @example
 * ```ts
 * checkOptionKeys('infobatch()', { size: 10, epochs: 2, prune_ratio: 0.9 }, ['size', 'epochs', 'pruneRatio']);
 * // TypeError: infobatch(): unknown option "prune_ratio" (did you mean "pruneRatio"?); known options: size, epochs, pruneRatio
 * ```
 */
export function checkOptionKeys(fn: string, options: unknown, known: readonly string[], nullable: readonly string[] = []): void {
  if (options === undefined || options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const hint = suggestKey(key, known);
      const did = hint === undefined ? '' : ` (did you mean ${JSON.stringify(hint)}?)`;
      throw new TypeError(`${fn}: unknown option ${JSON.stringify(key)}${did}; known options: ${known.join(', ')}`);
    }
    if ((options as Record<string, unknown>)[key] === null && !nullable.includes(key)) {
      throw new TypeError(`${fn}: ${key} must not be null (omit it to use the default)`);
    }
  }
}
